/* gr-window.c — the main window: gateway state, address and admin key
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gaiarouter"

#include "config.h"

#include <glib/gi18n.h>

#include "gr-window.h"

struct _GrWindow
{
  AdwApplicationWindow  parent_instance;

  GrGateway            *gateway;
  GSettings            *settings;
  /* The admin key created by the first start; shown as long as this
   * window lives, because the gateway hands it out only once. */
  char                 *new_admin_key;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwStatusPage        *status_page;
  GtkStack             *gateway_button_stack;
  AdwPreferencesGroup  *new_key_group;
  GtkLabel             *new_key_label;
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

static void
gr_window_update_status_page (GrWindow       *self,
                              GrGatewayState  state)
{
  const char *icon_name = APPLICATION_ID;
  const char *title = NULL;
  g_autofree char *description = NULL;

  switch (state)
    {
    case GR_GATEWAY_STATE_RUNNING:
      title = _("Gateway Running");
      description = g_strdup (_("Your apps can now send OpenAI-compatible requests to the address below."));
      break;

    case GR_GATEWAY_STATE_STARTING:
      title = _("Gateway Starting…");
      break;

    case GR_GATEWAY_STATE_STOPPING:
      title = _("Gateway Stopping…");
      break;

    case GR_GATEWAY_STATE_STOPPED:
      icon_name = APPLICATION_ID "-symbolic";
      title = _("Gateway Stopped");
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
        description = g_markup_escape_text (message, -1);
      }
      break;

    default:
      g_assert_not_reached ();
    }

  adw_status_page_set_icon_name (self->status_page, icon_name);
  adw_status_page_set_title (self->status_page, title);
  adw_status_page_set_description (self->status_page, description);
}

static void
gr_window_update_address (GrWindow       *self,
                          GrGatewayState  state)
{
  g_autofree char *url = NULL;
  g_autofree char *key_path = NULL;

  if (state == GR_GATEWAY_STATE_RUNNING)
    url = gr_gateway_dup_url (self->gateway);

  gtk_label_set_text (self->url_label, url != NULL ? url : "");
  gtk_widget_set_visible (GTK_WIDGET (self->url_row), url != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.copy-url", url != NULL);

  key_path = gr_gateway_dup_admin_key_path (self->gateway);
  adw_action_row_set_subtitle (self->key_file_row, key_path != NULL ? key_path : "");
}

static void
gr_window_update_new_admin_key (GrWindow       *self,
                                GrGatewayState  state)
{
  if (self->new_admin_key == NULL && state == GR_GATEWAY_STATE_RUNNING)
    self->new_admin_key = gr_gateway_dup_new_admin_key (self->gateway);

  gtk_label_set_text (self->new_key_label,
                      self->new_admin_key != NULL ? self->new_admin_key : "");
  gtk_widget_set_visible (GTK_WIDGET (self->new_key_group), self->new_admin_key != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.copy-admin-key",
                                 self->new_admin_key != NULL);
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
}

static void
gr_window_gateway_state_cb (GrWindow   *self,
                            GParamSpec *pspec,
                            GrGateway  *gateway)
{
  gr_window_update (self);
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
   * The gateway whose state, address and admin key the window shows.
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
  g_return_val_if_fail (GR_IS_APPLICATION (application), NULL);

  return g_object_new (GR_TYPE_WINDOW,
                       "application", application,
                       "gateway", gr_application_get_gateway (application),
                       NULL);
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
