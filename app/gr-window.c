/* gr-window.c — the main window: sidebar, pages, the gateway it manages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gaiarouter"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "gr-connect-dialog.h"
#include "gr-window.h"
#include "pages/gr-page.h"
#include "pages/gr-dashboard-page.h"
#include "pages/gr-stats-page.h"

#include "pages/gr-keys-page.h"
#include "pages/gr-logs-page.h"
#include "pages/gr-models-page.h"
#include "pages/gr-organizations-page.h"
#include "pages/gr-providers-page.h"

struct _GrWindow
{
  AdwApplicationWindow  parent_instance;

  GrApplication        *application;
  GrGateway            *gateway;
  GSettings            *settings;
  /* The admin key created by the first start; shown until dismissed,
   * because the gateway hands it out only once. */
  char                 *new_admin_key;
  gboolean              new_admin_key_dismissed;

  /* What the pages show: the local client, or a remote one. */
  GrAdminClient        *client;
  gboolean              remote;
  char                 *remote_url;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwLeaflet           *leaflet;
  GtkListBox           *sidebar_list;
  AdwWindowTitle       *content_title;
  GtkImage             *gateway_state_icon;
  GtkLabel             *gateway_state_label;
  GtkStack             *main_stack;
  GtkStack             *page_stack;
  AdwStatusPage        *status_page;
  GtkStack             *gateway_button_stack;
  AdwPreferencesGroup  *new_key_group;
  GtkLabel             *new_key_label;
  AdwActionRow         *state_row;
  GtkWidget            *state_start_button;
  GtkWidget            *state_stop_button;
  AdwActionRow         *url_row;
  GtkLabel             *url_label;
  AdwActionRow         *key_file_row;
};

G_DEFINE_FINAL_TYPE (GrWindow, gr_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_GATEWAY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef GtkWidget *(*GrPageConstructor) (void);

/* The pages in sidebar order; each is a GrPage. */
static const struct
{
  const char        *name;
  const char        *title;
  GrPageConstructor  create;
} page_infos[] = {
  { "dashboard", N_("Dashboard"), gr_dashboard_page_new },
  { "organizations", N_("Organizations"), gr_organizations_page_new },
  { "keys", N_("API Keys"), gr_keys_page_new },
  { "statistics", N_("Statistics"), gr_stats_page_new },
  { "providers", N_("Providers"), gr_providers_page_new },
  { "models", N_("Models"), gr_models_page_new },
  /* Translators: the request log page. */
  { "logs", N_("Logs"), gr_logs_page_new },
};

static void
gr_window_create_pages (GrWindow *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (page_infos); i++)
    {
      const char *title = g_dgettext (GETTEXT_PACKAGE, page_infos[i].title);
      GtkWidget *page = page_infos[i].create ();

      g_assert (GR_IS_PAGE (page));
      gtk_stack_add_titled (self->page_stack, page, page_infos[i].name, title);
    }
}

static void
gr_window_update_title (GrWindow *self)
{
  const char *name = gtk_stack_get_visible_child_name (self->page_stack);
  const char *title = NULL;

  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (page_infos); i++)
    if (g_str_equal (page_infos[i].name, name))
      title = g_dgettext (GETTEXT_PACKAGE, page_infos[i].title);

  adw_window_title_set_title (self->content_title, title != NULL ? title : "");
  /* Translators: the subtitle of the window when it manages the gateway
   * embedded in this application, rather than a remote one. */
  adw_window_title_set_subtitle (self->content_title,
                                 self->remote ? self->remote_url : _("This computer"));
}

static void
gr_window_select_sidebar_row (GrWindow   *self,
                              const char *name)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->sidebar_list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      if (GTK_IS_LIST_BOX_ROW (row) && g_strcmp0 (gtk_widget_get_name (row), name) == 0)
        {
          gtk_list_box_select_row (self->sidebar_list, GTK_LIST_BOX_ROW (row));
          return;
        }
    }
}

static void
gr_window_page_changed_cb (GrWindow *self)
{
  gr_window_update_title (self);
  gr_window_select_sidebar_row (self, gtk_stack_get_visible_child_name (self->page_stack));
}

static void
gr_window_sidebar_row_activated_cb (GrWindow      *self,
                                    GtkListBoxRow *row)
{
  gr_window_set_visible_page (self, gtk_widget_get_name (GTK_WIDGET (row)));
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
gr_window_apply_client (GrWindow *self)
{
  for (GtkWidget *page = gtk_widget_get_first_child (GTK_WIDGET (self->page_stack));
       page != NULL;
       page = gtk_widget_get_next_sibling (page))
    {
      if (GR_IS_PAGE (page) && gr_page_get_client (GR_PAGE (page)) != self->client)
        gr_page_set_client (GR_PAGE (page), self->client);
    }
}

static void
gr_window_set_client (GrWindow      *self,
                      GrAdminClient *client)
{
  if (g_set_object (&self->client, client))
    gr_window_apply_client (self);
}

static void
gr_window_update_status_page (GrWindow       *self,
                              GrGatewayState  state)
{
  const char *icon_name = APPLICATION_ID;
  const char *title = NULL;
  const char *short_state = NULL;
  g_autofree char *description = NULL;
  g_autofree char *row_subtitle = NULL;

  switch (state)
    {
    case GR_GATEWAY_STATE_RUNNING:
      title = _("Gateway Running");
      /* Translators: the state of the gateway, in the header bar. */
      short_state = C_("gateway state", "Running");
      description = g_strdup (_("Your apps can now send OpenAI-compatible requests to the address below."));
      break;

    case GR_GATEWAY_STATE_STARTING:
      title = _("Gateway Starting…");
      short_state = C_("gateway state", "Starting…");
      break;

    case GR_GATEWAY_STATE_STOPPING:
      title = _("Gateway Stopping…");
      short_state = C_("gateway state", "Stopping…");
      break;

    case GR_GATEWAY_STATE_STOPPED:
      icon_name = APPLICATION_ID "-symbolic";
      title = _("Gateway Stopped");
      short_state = C_("gateway state", "Stopped");
      description = g_strdup (_("Start the gateway to serve AI requests from your apps."));
      break;

    case GR_GATEWAY_STATE_ERROR:
      {
        const char *message = gr_gateway_get_error_message (self->gateway);

        if (message == NULL)
          message = _("Unknown error");

        /* The description is markup; the reason is plain text. */
        icon_name = "dialog-error-symbolic";
        title = _("Gateway Failed");
        short_state = C_("gateway state", "Failed");
        description = g_markup_escape_text (message, -1);
      }
      break;

    default:
      g_assert_not_reached ();
    }

  adw_status_page_set_icon_name (self->status_page, icon_name);
  adw_status_page_set_title (self->status_page, title);
  adw_status_page_set_description (self->status_page, description);

  gtk_label_set_text (self->gateway_state_label, short_state);
  gtk_image_set_from_icon_name (self->gateway_state_icon,
                                state == GR_GATEWAY_STATE_ERROR ? "dialog-error-symbolic" :
                                state == GR_GATEWAY_STATE_RUNNING ? "network-transmit-receive-symbolic" :
                                "network-offline-symbolic");
  if (state == GR_GATEWAY_STATE_ERROR)
    gtk_widget_add_css_class (GTK_WIDGET (self->gateway_state_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->gateway_state_label), "error");

  /* The row's subtitle is markup too. */
  if (state == GR_GATEWAY_STATE_ERROR)
    row_subtitle = g_strdup_printf ("%s: %s", title, description);
  else
    row_subtitle = g_strdup (title);
  adw_action_row_set_subtitle (self->state_row, row_subtitle);
  gtk_widget_set_visible (self->state_start_button,
                          state == GR_GATEWAY_STATE_STOPPED || state == GR_GATEWAY_STATE_ERROR);
  gtk_widget_set_visible (self->state_stop_button, state == GR_GATEWAY_STATE_RUNNING);
}

static void
gr_window_update_address (GrWindow       *self,
                          GrGatewayState  state)
{
  g_autofree char *url = NULL;
  g_autofree char *key_path = NULL;
  g_autofree char *lan_url = NULL;

  if (state == GR_GATEWAY_STATE_RUNNING)
    url = gr_gateway_dup_url (self->gateway);

  gtk_label_set_text (self->url_label, url != NULL ? url : "");
  gtk_widget_set_visible (GTK_WIDGET (self->url_row), url != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.copy-url", url != NULL);

  /* Shared on the LAN: say where other computers reach it. */
  if (url != NULL && g_str_equal (gr_gateway_get_config (self->gateway)->listen_host, "0.0.0.0"))
    {
      g_autofree char *address = gr_application_dup_lan_address ();

      if (address != NULL)
        /* Translators: %s is a URL such as http://192.168.1.20:8080. */
        lan_url = g_strdup_printf (_("On your network: http://%s:%u"), address,
                                   gr_gateway_get_port (self->gateway));
    }
  adw_action_row_set_subtitle (self->url_row, lan_url != NULL ? lan_url : "");

  key_path = gr_gateway_dup_admin_key_path (self->gateway);
  adw_action_row_set_subtitle (self->key_file_row, key_path != NULL ? key_path : "");
}

static void
gr_window_update_new_admin_key (GrWindow       *self,
                                GrGatewayState  state)
{
  gboolean shown;

  if (self->new_admin_key == NULL && state == GR_GATEWAY_STATE_RUNNING)
    self->new_admin_key = gr_gateway_dup_new_admin_key (self->gateway);

  shown = self->new_admin_key != NULL && !self->new_admin_key_dismissed;
  gtk_label_set_text (self->new_key_label, shown ? self->new_admin_key : "");
  gtk_widget_set_visible (GTK_WIDGET (self->new_key_group), shown);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.copy-admin-key", shown);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.dismiss-admin-key", shown);
}

static void
gr_window_update_content (GrWindow       *self,
                          GrGatewayState  state)
{
  /* A remote gateway is managed whatever the local one does; the local
   * one can only be managed while it runs. */
  gboolean pages = self->remote || state == GR_GATEWAY_STATE_RUNNING;

  gtk_stack_set_visible_child_name (self->main_stack, pages ? "pages" : "gateway");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.connect-local", self->remote);
  gr_window_update_title (self);
}

static void
gr_window_update (GrWindow *self)
{
  GrGatewayState state = gr_gateway_get_state (self->gateway);
  gboolean stoppable;

  stoppable = state == GR_GATEWAY_STATE_RUNNING ||
              state == GR_GATEWAY_STATE_STARTING ||
              state == GR_GATEWAY_STATE_STOPPING;
  gtk_stack_set_visible_child_name (self->gateway_button_stack,
                                    stoppable ? "stop" : "start");

  gr_window_update_status_page (self, state);
  gr_window_update_address (self, state);
  gr_window_update_new_admin_key (self, state);
  gr_window_update_content (self, state);
}

static void
gr_window_gateway_state_cb (GrWindow   *self,
                            GParamSpec *pspec,
                            GrGateway  *gateway)
{
  gr_window_update (self);
}

static void
gr_window_local_client_cb (GrWindow      *self,
                           GParamSpec    *pspec,
                           GrApplication *application)
{
  if (!self->remote)
    gr_window_set_client (self, gr_application_get_local_client (application));
}

static void
gr_window_copy_text (GrWindow   *self,
                     const char *text)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (self));

  gdk_clipboard_set_text (clipboard, text);
  /* Translators: a short notification after copying to the clipboard. */
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Copied")));
}

static void
gr_window_copy_url_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  GrWindow *self = GR_WINDOW (widget);
  g_autofree char *url = gr_gateway_dup_url (self->gateway);

  if (url != NULL)
    gr_window_copy_text (self, url);
}

static void
gr_window_copy_admin_key_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  GrWindow *self = GR_WINDOW (widget);

  if (self->new_admin_key != NULL)
    gr_window_copy_text (self, self->new_admin_key);
}

static void
gr_window_dismiss_admin_key_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  GrWindow *self = GR_WINDOW (widget);

  self->new_admin_key_dismissed = TRUE;
  gr_window_update (self);
}

static void
gr_window_connect_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  GrConnectDialog *dialog = gr_connect_dialog_new (GR_WINDOW (widget));

  gtk_window_present (GTK_WINDOW (dialog));
}

static void
gr_window_connect_local_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  gr_window_connect_local (GR_WINDOW (widget));
}

static void
gr_window_show_sidebar_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *parameter)
{
  adw_leaflet_navigate (GR_WINDOW (widget)->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static GrPage *
gr_window_get_visible_gr_page (GrWindow *self)
{
  GtkWidget *page = gtk_stack_get_visible_child (self->page_stack);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "pages") != 0)
    return NULL;

  return GR_IS_PAGE (page) ? GR_PAGE (page) : NULL;
}

static void
gr_window_page_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  GrPage *page = gr_window_get_visible_gr_page (GR_WINDOW (widget));

  if (page == NULL)
    return;

  if (g_str_equal (action_name, "win.refresh"))
    gr_page_refresh (page);
  else if (g_str_equal (action_name, "win.new"))
    gr_page_create_item (page);
  else if (g_str_equal (action_name, "win.search"))
    gr_page_focus_search (page);
}

static void
gr_window_load_state (GrWindow *self)
{
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
gr_window_save_state (GrWindow *self)
{
  int width = 0;
  int height = 0;

  /* The default size tracks the unmaximized size, which is what the next
   * launch should restore. */
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
}

static gboolean
gr_window_close_request (GtkWindow *window)
{
  gr_window_save_state (GR_WINDOW (window));

  return GTK_WINDOW_CLASS (gr_window_parent_class)->close_request (window);
}

static void
gr_window_constructed (GObject *object)
{
  GrWindow *self = GR_WINDOW (object);

  G_OBJECT_CLASS (gr_window_parent_class)->constructed (object);

  g_assert (GR_IS_GATEWAY (self->gateway));
  g_signal_connect_object (self->gateway, "notify::state",
                           G_CALLBACK (gr_window_gateway_state_cb),
                           self, G_CONNECT_SWAPPED);

  gr_window_create_pages (self);
  gr_window_set_visible_page (self, "dashboard");

  gr_window_load_state (self);
  gr_window_update (self);
}

static void
gr_window_dispose (GObject *object)
{
  GrWindow *self = GR_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), GR_TYPE_WINDOW);

  G_OBJECT_CLASS (gr_window_parent_class)->dispose (object);
}

static void
gr_window_finalize (GObject *object)
{
  GrWindow *self = GR_WINDOW (object);

  g_clear_object (&self->gateway);
  g_clear_object (&self->settings);
  g_clear_object (&self->client);
  g_clear_pointer (&self->remote_url, g_free);
  if (self->new_admin_key != NULL)
    explicit_bzero (self->new_admin_key, strlen (self->new_admin_key));
  g_clear_pointer (&self->new_admin_key, g_free);

  G_OBJECT_CLASS (gr_window_parent_class)->finalize (object);
}

static void
gr_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  GrWindow *self = GR_WINDOW (object);

  switch (prop_id)
    {
    case PROP_GATEWAY:
      g_value_set_object (value, self->gateway);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gr_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  GrWindow *self = GR_WINDOW (object);

  switch (prop_id)
    {
    case PROP_GATEWAY:
      self->gateway = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gr_window_class_init (GrWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = gr_window_constructed;
  object_class->dispose = gr_window_dispose;
  object_class->finalize = gr_window_finalize;
  object_class->get_property = gr_window_get_property;
  object_class->set_property = gr_window_set_property;

  window_class->close_request = gr_window_close_request;

  /**
   * GrWindow:gateway:
   *
   * The embedded gateway whose state, address and admin key the window
   * shows.
   */
  properties[PROP_GATEWAY] =
    g_param_spec_object ("gateway", NULL, NULL,
                         GR_TYPE_GATEWAY,
                         (G_PARAM_READWRITE |
                          G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/gaiarouter/GaiaRouter/gr-window.ui");
  gtk_widget_class_bind_template_child (widget_class, GrWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, GrWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, GrWindow, sidebar_list);
  gtk_widget_class_bind_template_child (widget_class, GrWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, GrWindow, gateway_state_icon);
  gtk_widget_class_bind_template_child (widget_class, GrWindow, gateway_state_label);
  gtk_widget_class_bind_template_child (widget_class, GrWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, GrWindow, page_stack);
  gtk_widget_class_bind_template_child (widget_class, GrWindow, state_row);
  gtk_widget_class_bind_template_child (widget_class, GrWindow, state_start_button);
  gtk_widget_class_bind_template_child (widget_class, GrWindow, state_stop_button);
  gtk_widget_class_bind_template_child (widget_class, GrWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, GrWindow, gateway_button_stack);
  gtk_widget_class_bind_template_child (widget_class, GrWindow, new_key_group);
  gtk_widget_class_bind_template_child (widget_class, GrWindow, new_key_label);
  gtk_widget_class_bind_template_child (widget_class, GrWindow, url_row);
  gtk_widget_class_bind_template_child (widget_class, GrWindow, url_label);
  gtk_widget_class_bind_template_child (widget_class, GrWindow, key_file_row);

  gtk_widget_class_install_action (widget_class, "win.copy-url", NULL,
                                   gr_window_copy_url_action);
  gtk_widget_class_install_action (widget_class, "win.copy-admin-key", NULL,
                                   gr_window_copy_admin_key_action);
  gtk_widget_class_install_action (widget_class, "win.dismiss-admin-key", NULL,
                                   gr_window_dismiss_admin_key_action);
  gtk_widget_class_install_action (widget_class, "win.connect", NULL,
                                   gr_window_connect_action);
  gtk_widget_class_install_action (widget_class, "win.connect-local", NULL,
                                   gr_window_connect_local_action);
  gtk_widget_class_install_action (widget_class, "win.show-sidebar", NULL,
                                   gr_window_show_sidebar_action);
  gtk_widget_class_install_action (widget_class, "win.refresh", NULL, gr_window_page_action);
  gtk_widget_class_install_action (widget_class, "win.new", NULL, gr_window_page_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, gr_window_page_action);

  gtk_widget_class_bind_template_callback (widget_class, gr_window_sidebar_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, gr_window_page_changed_cb);
}

static void
gr_window_init (GrWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
}

/**
 * gr_window_new:
 * @application: the #GrApplication, after startup
 *
 * Returns: (transfer none): a new main window showing the embedded
 *   gateway of @application, owned by @application
 */
GrWindow *
gr_window_new (GrApplication *application)
{
  GrWindow *self;

  g_return_val_if_fail (GR_IS_APPLICATION (application), NULL);

  self = g_object_new (GR_TYPE_WINDOW,
                       "application", application,
                       "gateway", gr_application_get_gateway (application),
                       NULL);

  /* The application owns the window, so a plain pointer is enough. */
  self->application = application;
  g_signal_connect_object (application, "notify::local-client",
                           G_CALLBACK (gr_window_local_client_cb),
                           self, G_CONNECT_SWAPPED);
  gr_window_set_client (self, gr_application_get_local_client (application));

  return self;
}

/**
 * gr_window_add_toast:
 * @self: a #GrWindow
 * @toast: (transfer full): the toast to show
 *
 * Shows @toast in the window's toast overlay.
 */
void
gr_window_add_toast (GrWindow *self,
                     AdwToast *toast)
{
  g_return_if_fail (GR_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/**
 * gr_window_get_page:
 * @self: a #GrWindow
 * @name: a page name: dashboard, organizations, keys, statistics,
 *   providers, models or logs
 *
 * Returns: (transfer none) (nullable): the page widget (a #GrPage once
 *   that page exists), or %NULL for an unknown name
 */
GtkWidget *
gr_window_get_page (GrWindow   *self,
                    const char *name)
{
  g_return_val_if_fail (GR_IS_WINDOW (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return gtk_stack_get_child_by_name (self->page_stack, name);
}

/**
 * gr_window_get_visible_page_name:
 * @self: a #GrWindow
 *
 * Returns: (nullable): the name of the page shown
 */
const char *
gr_window_get_visible_page_name (GrWindow *self)
{
  g_return_val_if_fail (GR_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->page_stack);
}

/**
 * gr_window_set_visible_page:
 * @self: a #GrWindow
 * @name: a page name
 *
 * Shows the page @name and selects it in the sidebar.
 *
 * Returns: %TRUE if there is such a page
 */
gboolean
gr_window_set_visible_page (GrWindow   *self,
                            const char *name)
{
  g_return_val_if_fail (GR_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (gtk_stack_get_child_by_name (self->page_stack, name) == NULL)
    {
      g_message ("No page named \"%s\"", name);
      return FALSE;
    }

  gtk_stack_set_visible_child_name (self->page_stack, name);
  gr_window_select_sidebar_row (self, name);
  gr_window_update_title (self);
  return TRUE;
}

/**
 * gr_window_get_client:
 * @self: a #GrWindow
 *
 * Returns: (transfer none) (nullable): the client the pages use
 */
GrAdminClient *
gr_window_get_client (GrWindow *self)
{
  g_return_val_if_fail (GR_IS_WINDOW (self), NULL);

  return self->client;
}

/**
 * gr_window_is_remote:
 * @self: a #GrWindow
 *
 * Returns: %TRUE while the window manages a gateway elsewhere
 */
gboolean
gr_window_is_remote (GrWindow *self)
{
  g_return_val_if_fail (GR_IS_WINDOW (self), FALSE);

  return self->remote;
}

/**
 * gr_window_connect_remote:
 * @self: a #GrWindow
 * @client: a client logged in to the remote gateway
 * @url: the gateway's URL, shown in the header bar
 *
 * Makes every page manage the gateway behind @client.
 */
void
gr_window_connect_remote (GrWindow      *self,
                          GrAdminClient *client,
                          const char    *url)
{
  g_autofree char *toast = NULL;

  g_return_if_fail (GR_IS_WINDOW (self));
  g_return_if_fail (GR_IS_ADMIN_CLIENT (client));
  g_return_if_fail (url != NULL);

  self->remote = TRUE;
  g_free (self->remote_url);
  self->remote_url = g_strdup (url);
  gr_window_set_client (self, client);
  gr_window_update (self);

  /* Translators: %s is the URL of a gateway. */
  toast = g_strdup_printf (_("Managing %s"), url);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (toast));
}

/**
 * gr_window_connect_local:
 * @self: a #GrWindow
 *
 * Makes every page manage the embedded gateway again.
 */
void
gr_window_connect_local (GrWindow *self)
{
  g_return_if_fail (GR_IS_WINDOW (self));

  self->remote = FALSE;
  g_clear_pointer (&self->remote_url, g_free);
  gr_window_set_client (self, gr_application_get_local_client (self->application));
  gr_window_update (self);
}
