/* gr-connect-dialog.c — manage a gateway on another computer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The dialog checks a URL and an admin key before the window switches:
 * GET /health says whether a gateway answers there, GET /v1/me whether
 * it takes the key.  On success the URL goes to the "recent-gateways"
 * setting and the key to the keyring (libsecret); without a Secret
 * Service the key is simply not kept, and the dialog says so.
 */

#define G_LOG_DOMAIN "gaiarouter"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "discovery/gr-discovery-browser.h"
#include "gr-connect-dialog.h"
#include "gr-secret-store.h"

#define MAX_RECENT_GATEWAYS 8

struct _GrConnectDialog
{
  AdwWindow       parent_instance;

  GrWindow       *window;         /* weak */
  GSettings      *settings;
  GCancellable   *cancellable;
  GrAdminClient  *client;         /* being checked */
  char           *url;            /* normalized, being checked */
  char           *key;            /* being checked */
  gboolean        busy;
  gboolean        done;
  /* A notice to read before the dialog goes away. */
  gboolean        keep_open;
  GrDiscoveryBrowser *browser;    /* while mapped */

  /* Template widgets */
  GtkWidget      *connect_button;
  GtkSpinner     *spinner;
  AdwEntryRow    *url_row;
  AdwEntryRow    *key_row;
  GtkWidget      *message_group;
  GtkLabel       *message_label;
  GtkWidget      *recent_group;
  GtkListBox     *recent_list;
  GtkWidget      *found_group;
  GtkSpinner     *found_spinner;
  GtkListBox     *found_list;
};

G_DEFINE_FINAL_TYPE (GrConnectDialog, gr_connect_dialog, ADW_TYPE_WINDOW)

enum {
  CONNECTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
gr_connect_dialog_show_message (GrConnectDialog *self,
                                const char      *message,
                                gboolean         is_error)
{
  gtk_label_set_text (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (self->message_group, message != NULL);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "error");
}

static void
gr_connect_dialog_set_busy (GrConnectDialog *self,
                            gboolean         busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->url_row), !busy && !self->done);
  gtk_widget_set_sensitive (GTK_WIDGET (self->key_row), !busy && !self->done);
  gtk_widget_set_sensitive (self->recent_group, !busy && !self->done);
  gtk_widget_set_sensitive (self->found_group, !busy && !self->done);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "connect.connect", !busy);
}

static void
gr_connect_dialog_clear_attempt (GrConnectDialog *self)
{
  g_clear_object (&self->client);
  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->key, g_free);
}

static void
gr_connect_dialog_fail (GrConnectDialog *self,
                        const char      *message)
{
  gr_connect_dialog_clear_attempt (self);
  gr_connect_dialog_set_busy (self, FALSE);
  gr_connect_dialog_show_message (self, message, TRUE);
}

char *
gr_connect_dialog_normalize_url (const char *text)
{
  g_autofree char *stripped = NULL;
  g_autofree char *with_scheme = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  gsize len;

  if (text == NULL)
    return NULL;

  stripped = g_strstrip (g_strdup (text));
  len = strlen (stripped);
  while (len > 0 && stripped[len - 1] == '/')
    stripped[--len] = '\0';
  /* Nothing, a bare scheme ("http:" once the slashes are gone) or a
   * missing port. */
  if (len == 0 || stripped[len - 1] == ':')
    return NULL;

  if (strstr (stripped, "://") == NULL)
    with_scheme = g_strconcat ("http://", stripped, NULL);
  else
    with_scheme = g_strdup (stripped);

  uri = g_uri_parse (with_scheme, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return NULL;
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
    return NULL;

  return g_steal_pointer (&with_scheme);
}

static void
gr_connect_dialog_remember_url (GrConnectDialog *self,
                                const char      *url)
{
  g_auto(GStrv) recent = g_settings_get_strv (self->settings, "recent-gateways");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) updated = NULL;
  guint n = 1;

  /* Most recent first, each URL once. */
  g_strv_builder_add (builder, url);
  for (guint i = 0; recent[i] != NULL && n < MAX_RECENT_GATEWAYS; i++)
    {
      if (g_str_equal (recent[i], url))
        continue;
      g_strv_builder_add (builder, recent[i]);
      n++;
    }
  updated = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-gateways", (const char * const *) updated);
}

static void
gr_connect_dialog_save_key_cb (GObject      *source,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  g_autoptr(GrConnectDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (gr_secret_store_save_finish (result, &error))
    {
      gr_connect_dialog_set_busy (self, FALSE);
      if (self->keep_open)
        gtk_button_set_label (GTK_BUTTON (self->connect_button), _("_Close"));
      else
        gtk_window_close (GTK_WINDOW (self));
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* Connected all the same: say why the key is not kept, and let the
   * user close the dialog after reading it. */
  {
    g_autofree char *message = NULL;

    /* Translators: %s is the reason, from the keyring service. */
    message = g_strdup_printf (_("Connected. The admin key was not saved, because no keyring is available (%s); "
                                 "you will need to enter it again next time."),
                               error->message);
    gr_connect_dialog_set_busy (self, FALSE);
    gr_connect_dialog_show_message (self, message, FALSE);
    gtk_button_set_label (GTK_BUTTON (self->connect_button), _("_Close"));
  }
}

static void
gr_connect_dialog_me_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GrConnectDialog) self = user_data;
  g_autoptr(GrAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  GrAdminClient *client = GR_ADMIN_CLIENT (source);

  account = gr_admin_client_get_me_finish (client, result, &error);
  if (account == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_CANCELLED) ||
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      if (g_error_matches (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_UNAUTHORIZED))
        /* Translators: %s is the gateway's reason, in English. */
        message = g_strdup_printf (_("The gateway refused this key: %s"), error->message);
      else
        message = g_strdup_printf (_("The gateway could not check this key: %s"), error->message);
      gr_connect_dialog_fail (self, message);
      return;
    }

  self->done = TRUE;
  gr_connect_dialog_remember_url (self, self->url);
  if (self->window != NULL)
    gr_window_connect_remote (self->window, client, self->url);
  g_signal_emit (self, signals[CONNECTED], 0, client);

  if (!gr_account_get_is_admin (account))
    {
      self->keep_open = TRUE;
      gr_connect_dialog_show_message (self,
                                      _("This key is not an admin key: pages show only what it may read."),
                                      FALSE);
    }

  gr_secret_store_save_async (self->url, self->key, self->cancellable,
                              gr_connect_dialog_save_key_cb, g_object_ref (self));
  g_clear_object (&self->client);
  if (self->key != NULL)
    explicit_bzero (self->key, strlen (self->key));
  g_clear_pointer (&self->key, g_free);
}

static void
gr_connect_dialog_health_cb (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  g_autoptr(GrConnectDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  GrAdminClient *client = GR_ADMIN_CLIENT (source);

  if (!gr_admin_client_health_finish (client, result, NULL, NULL, &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_CANCELLED) ||
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      /* Translators: %s is the reason, e.g. "Connection refused". */
      message = g_strdup_printf (_("No GaiaRouter gateway answers at this address: %s"), error->message);
      gr_connect_dialog_fail (self, message);
      return;
    }

  gr_admin_client_get_me_async (client, self->cancellable,
                                gr_connect_dialog_me_cb, g_object_ref (self));
}

void
gr_connect_dialog_connect (GrConnectDialog *self)
{
  g_autofree char *url = NULL;
  const char *key;

  g_return_if_fail (GR_IS_CONNECT_DIALOG (self));

  if (self->done)
    {
      gtk_window_close (GTK_WINDOW (self));
      return;
    }
  if (self->busy)
    return;

  url = gr_connect_dialog_normalize_url (gtk_editable_get_text (GTK_EDITABLE (self->url_row)));
  if (url == NULL)
    {
      gr_connect_dialog_show_message (self, _("Enter the gateway’s address, such as http://192.168.1.20:8080."), TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->url_row));
      return;
    }

  key = gtk_editable_get_text (GTK_EDITABLE (self->key_row));
  if (key == NULL || *key == '\0')
    {
      gr_connect_dialog_show_message (self, _("Enter an admin key of that gateway."), TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->key_row));
      return;
    }

  gr_connect_dialog_clear_attempt (self);
  self->url = g_steal_pointer (&url);
  self->key = g_strdup (key);
  self->client = gr_admin_client_new (self->url, self->key);

  gr_connect_dialog_show_message (self, NULL, FALSE);
  gr_connect_dialog_set_busy (self, TRUE);
  gr_admin_client_health_async (self->client, self->cancellable,
                                gr_connect_dialog_health_cb, g_object_ref (self));
}

static void
gr_connect_dialog_connect_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  gr_connect_dialog_connect (GR_CONNECT_DIALOG (widget));
}

static void
gr_connect_dialog_entry_activated_cb (GrConnectDialog *self)
{
  gr_connect_dialog_connect (self);
}

static void
gr_connect_dialog_lookup_key_cb (GObject      *source,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  g_autoptr(GrConnectDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  char *key;

  key = gr_secret_store_lookup_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (key != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->key_row), key);
      gr_secret_store_free_key (key);
      gr_connect_dialog_show_message (self, _("The admin key was filled in from the keyring."), FALSE);
    }
  else
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->key_row));
    }
}

/* Fills in url and the key the keyring holds for it, if any. */
static void
gr_connect_dialog_choose_url (GrConnectDialog *self,
                              const char      *url)
{
  gtk_editable_set_text (GTK_EDITABLE (self->url_row), url);
  gtk_editable_set_text (GTK_EDITABLE (self->key_row), "");
  gr_connect_dialog_show_message (self, NULL, FALSE);
  gr_secret_store_lookup_async (url, self->cancellable,
                                gr_connect_dialog_lookup_key_cb, g_object_ref (self));
}

static void
gr_connect_dialog_recent_activated_cb (GrConnectDialog *self,
                                       GtkListBoxRow   *row)
{
  gr_connect_dialog_choose_url (self, adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
}

static void
gr_connect_dialog_found_activated_cb (GrConnectDialog *self,
                                      GtkListBoxRow   *row)
{
  const char *url = g_object_get_data (G_OBJECT (row), "gr-url");

  if (url != NULL)
    gr_connect_dialog_choose_url (self, url);
}

/* A TLS badge: a lock and "TLS", in the style's success colour. */
static GtkWidget *
gr_connect_dialog_tls_badge (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *label;

  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (box, "success");
  gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name ("channel-secure-symbolic"));
  /* Translators: a badge on a gateway that only speaks HTTPS. */
  label = gtk_label_new (_("TLS"));
  gtk_widget_add_css_class (label, "caption-heading");
  gtk_box_append (GTK_BOX (box), label);
  gtk_widget_set_tooltip_text (box, _("This gateway uses HTTPS"));
  return box;
}

static GtkWidget *
gr_connect_dialog_create_found_row (gpointer item,
                                    gpointer user_data)
{
  GrDiscoveredGateway *gateway = item;
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *authority = gr_discovered_gateway_dup_authority (gateway);
  g_autofree char *subtitle = NULL;
  const char *version = gr_discovered_gateway_get_version (gateway);

  if (version != NULL && *version != '\0')
    /* Translators: "192.168.1.20:8080 · version 0.1.0": a gateway's address and its GaiaRouter version. */
    subtitle = g_strdup_printf (_("%s · version %s"), authority, version);
  else
    subtitle = g_strdup (authority);
  /* Names come from the network: not markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), gr_discovered_gateway_get_name (gateway));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("network-server-symbolic"));
  if (gr_discovered_gateway_get_tls (gateway))
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), gr_connect_dialog_tls_badge ());
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "gr-url", gr_discovered_gateway_dup_url (gateway), g_free);
  return row;
}

/* The group shows while Avahi browses for us; the spinner while nothing
 * is found yet. */
static void
gr_connect_dialog_update_found (GrConnectDialog *self)
{
  gboolean browsing = self->browser != NULL &&
                      gr_discovery_browser_get_state (self->browser) == GR_DISCOVERY_STATE_RUNNING;
  gboolean empty = self->browser == NULL ||
                   g_list_model_get_n_items (G_LIST_MODEL (self->browser)) == 0;

  gtk_widget_set_visible (self->found_group, browsing);
  gtk_widget_set_visible (GTK_WIDGET (self->found_spinner), browsing && empty);
  gtk_spinner_set_spinning (self->found_spinner, browsing && empty);
}

static void
gr_connect_dialog_found_changed_cb (GrConnectDialog *self)
{
  gr_connect_dialog_update_found (self);
}

static void
gr_connect_dialog_map (GtkWidget *widget)
{
  GrConnectDialog *self = GR_CONNECT_DIALOG (widget);

  GTK_WIDGET_CLASS (gr_connect_dialog_parent_class)->map (widget);

  /* Browse while the dialog is on screen. */
  if (self->browser != NULL)
    return;
  self->browser = gr_discovery_browser_new ();
  g_signal_connect_object (self->browser, "notify::state",
                           G_CALLBACK (gr_connect_dialog_found_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->browser, "items-changed",
                           G_CALLBACK (gr_connect_dialog_found_changed_cb), self, G_CONNECT_SWAPPED);
  gtk_list_box_bind_model (self->found_list, G_LIST_MODEL (self->browser),
                           gr_connect_dialog_create_found_row, NULL, NULL);
  gr_discovery_browser_start (self->browser);
  gr_connect_dialog_update_found (self);
}

static void
gr_connect_dialog_stop_browsing (GrConnectDialog *self)
{
  if (self->browser == NULL)
    return;
  gtk_list_box_bind_model (self->found_list, NULL, NULL, NULL, NULL);
  g_signal_handlers_disconnect_by_data (self->browser, self);
  gr_discovery_browser_stop (self->browser);
  g_clear_object (&self->browser);
  gr_connect_dialog_update_found (self);
}

static void
gr_connect_dialog_unmap (GtkWidget *widget)
{
  gr_connect_dialog_stop_browsing (GR_CONNECT_DIALOG (widget));

  GTK_WIDGET_CLASS (gr_connect_dialog_parent_class)->unmap (widget);
}

static void
gr_connect_dialog_load_recent (GrConnectDialog *self)
{
  g_auto(GStrv) recent = g_settings_get_strv (self->settings, "recent-gateways");

  for (guint i = 0; recent[i] != NULL; i++)
    {
      GtkWidget *row = adw_action_row_new ();

      /* URLs are not markup. */
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), recent[i]);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_append (self->recent_list, row);
    }

  gtk_widget_set_visible (self->recent_group, recent[0] != NULL);
}

static void
gr_connect_dialog_dispose (GObject *object)
{
  GrConnectDialog *self = GR_CONNECT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gr_connect_dialog_stop_browsing (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), GR_TYPE_CONNECT_DIALOG);

  G_OBJECT_CLASS (gr_connect_dialog_parent_class)->dispose (object);
}

static void
gr_connect_dialog_finalize (GObject *object)
{
  GrConnectDialog *self = GR_CONNECT_DIALOG (object);

  if (self->key != NULL)
    explicit_bzero (self->key, strlen (self->key));
  gr_connect_dialog_clear_attempt (self);
  g_clear_weak_pointer (&self->window);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (gr_connect_dialog_parent_class)->finalize (object);
}

static void
gr_connect_dialog_class_init (GrConnectDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gr_connect_dialog_dispose;
  object_class->finalize = gr_connect_dialog_finalize;
  widget_class->map = gr_connect_dialog_map;
  widget_class->unmap = gr_connect_dialog_unmap;

  /**
   * GrConnectDialog::connected:
   * @self: the dialog
   * @client: the #GrAdminClient logged in to the gateway
   *
   * Emitted once the gateway took the key.
   */
  signals[CONNECTED] =
    g_signal_new ("connected",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, GR_TYPE_ADMIN_CLIENT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/gaiarouter/GaiaRouter/gr-connect-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, GrConnectDialog, connect_button);
  gtk_widget_class_bind_template_child (widget_class, GrConnectDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, GrConnectDialog, url_row);
  gtk_widget_class_bind_template_child (widget_class, GrConnectDialog, key_row);
  gtk_widget_class_bind_template_child (widget_class, GrConnectDialog, message_group);
  gtk_widget_class_bind_template_child (widget_class, GrConnectDialog, message_label);
  gtk_widget_class_bind_template_child (widget_class, GrConnectDialog, recent_group);
  gtk_widget_class_bind_template_child (widget_class, GrConnectDialog, recent_list);
  gtk_widget_class_bind_template_callback (widget_class, gr_connect_dialog_entry_activated_cb);
  gtk_widget_class_bind_template_child (widget_class, GrConnectDialog, found_group);
  gtk_widget_class_bind_template_child (widget_class, GrConnectDialog, found_spinner);
  gtk_widget_class_bind_template_child (widget_class, GrConnectDialog, found_list);
  gtk_widget_class_bind_template_callback (widget_class, gr_connect_dialog_recent_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, gr_connect_dialog_found_activated_cb);

  gtk_widget_class_install_action (widget_class, "connect.connect", NULL,
                                   gr_connect_dialog_connect_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
gr_connect_dialog_init (GrConnectDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  self->cancellable = g_cancellable_new ();
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  gr_connect_dialog_load_recent (self);
  {
    GtkWidget *placeholder = gtk_label_new (_("No gateway has announced itself yet. Gateways appear here when they share on the local network."));

    gtk_label_set_wrap (GTK_LABEL (placeholder), TRUE);
    gtk_label_set_xalign (GTK_LABEL (placeholder), 0);
    gtk_widget_set_margin_start (placeholder, 12);
    gtk_widget_set_margin_end (placeholder, 12);
    gtk_widget_set_margin_top (placeholder, 12);
    gtk_widget_set_margin_bottom (placeholder, 12);
    gtk_widget_add_css_class (placeholder, "dim-label");
    gtk_list_box_set_placeholder (self->found_list, placeholder);
  }
}

/**
 * gr_connect_dialog_new:
 * @window: the window that will manage the gateway
 *
 * Returns: (transfer none): a new dialog, modal to @window
 */
GrConnectDialog *
gr_connect_dialog_new (GrWindow *window)
{
  GrConnectDialog *self;

  g_return_val_if_fail (GR_IS_WINDOW (window), NULL);

  self = g_object_new (GR_TYPE_CONNECT_DIALOG,
                       "transient-for", window,
                       NULL);
  g_set_weak_pointer (&self->window, window);

  return self;
}

void
gr_connect_dialog_set_url (GrConnectDialog *self,
                           const char      *url)
{
  g_return_if_fail (GR_IS_CONNECT_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->url_row), url != NULL ? url : "");
}

void
gr_connect_dialog_set_key (GrConnectDialog *self,
                           const char      *key)
{
  g_return_if_fail (GR_IS_CONNECT_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->key_row), key != NULL ? key : "");
}

gboolean
gr_connect_dialog_get_busy (GrConnectDialog *self)
{
  g_return_val_if_fail (GR_IS_CONNECT_DIALOG (self), FALSE);

  return self->busy;
}

const char *
gr_connect_dialog_get_message (GrConnectDialog *self)
{
  g_return_val_if_fail (GR_IS_CONNECT_DIALOG (self), NULL);

  if (!gtk_widget_get_visible (self->message_group))
    return NULL;
  return gtk_label_get_text (self->message_label);
}

const char *
gr_connect_dialog_get_url (GrConnectDialog *self)
{
  g_return_val_if_fail (GR_IS_CONNECT_DIALOG (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->url_row));
}

GrDiscoveryBrowser *
gr_connect_dialog_get_browser (GrConnectDialog *self)
{
  g_return_val_if_fail (GR_IS_CONNECT_DIALOG (self), NULL);

  return self->browser;
}

GtkListBox *
gr_connect_dialog_get_found_list (GrConnectDialog *self)
{
  g_return_val_if_fail (GR_IS_CONNECT_DIALOG (self), NULL);

  return gtk_widget_get_visible (self->found_group) ? self->found_list : NULL;
}
