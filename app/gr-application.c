/* gr-application.c — the GaiaRouter desktop application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gaiarouter"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <glib/gi18n.h>

#include "gr-application.h"
#include "gr-preferences-window.h"
#include "gr-resources.h"
#include "gr-window.h"
#include "store/gr-db.h"

/* 32 random bytes, written as 64 hex digits. */
#define INTERNAL_TOKEN_BYTES 32

struct _GrApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  GrGateway      *gateway;
  /* The admin client of the embedded gateway, while it runs. */
  GrAdminClient  *local_client;
  /* The page the first window shows (--page or GAIAROUTER_PAGE). */
  char           *initial_page;
  /* TRUE while a g_application_hold() keeps the gateway serving with no
   * window ("run in background"). */
  gboolean        held;
};

G_DEFINE_FINAL_TYPE (GrApplication, gr_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_LOCAL_CLIENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* A fresh token at each launch lets this process, and nothing that
 * outlives it, use the admin API of its own gateway over loopback. */
static char *
gr_application_make_internal_token (void)
{
  guint8 bytes[INTERNAL_TOKEN_BYTES];
  GString *token;
  gsize filled = 0;
  gsize i;

  while (filled < sizeof bytes)
    {
      gssize n = getrandom (bytes + filled, sizeof bytes - filled, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        g_error ("Cannot read random bytes: %s", g_strerror (errno));
      filled += n;
    }

  token = g_string_sized_new (2 * sizeof bytes);
  for (i = 0; i < sizeof bytes; i++)
    g_string_append_printf (token, "%02x", bytes[i]);
  explicit_bzero (bytes, sizeof bytes);

  return g_string_free (token, FALSE);
}

static void
gr_application_apply_settings (GrApplication *self,
                               GrConfig      *config)
{
  g_autofree char *host = NULL;
  guint16 port = 0;

  /* Sharing on the LAN means listening on every IPv4 interface; otherwise
   * the configured address (loopback by default) is used. */
  if (g_settings_get_boolean (self->settings, "share-on-lan"))
    host = g_strdup ("0.0.0.0");
  else
    host = g_settings_get_string (self->settings, "listen-host");
  g_settings_get (self->settings, "listen-port", "q", &port);

  g_free (config->listen_host);
  config->listen_host = g_steal_pointer (&host);
  config->listen_port = port;
  config->usage_retention_days = g_settings_get_int (self->settings, "log-retention-days");
}

/* GAIAROUTER_LISTEN and GAIAROUTER_DB win over the settings, so tests and
 * scripts can run the app on an ephemeral port with a scratch database. */
static void
gr_application_apply_environment (GrConfig *config)
{
  const char *listen = g_getenv ("GAIAROUTER_LISTEN");
  const char *database = g_getenv ("GAIAROUTER_DB");

  if (listen != NULL && *listen != '\0')
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *host = NULL;
      guint16 port = 0;

      if (gr_config_parse_listen (listen, &host, &port, &error))
        {
          if (host != NULL)
            {
              g_free (config->listen_host);
              config->listen_host = g_steal_pointer (&host);
            }
          config->listen_port = port;
        }
      else
        {
          g_message ("Ignoring GAIAROUTER_LISTEN=%s: %s", listen, error->message);
        }
    }

  if (database != NULL && *database != '\0')
    {
      g_free (config->database);
      config->database = g_strdup (database);
    }
}

static GrConfig *
gr_application_create_config (GrApplication *self)
{
  g_autoptr(GrConfig) config = NULL;
  const char *path = g_getenv ("GAIAROUTER_CONFIG");

  /* GAIAROUTER_CONFIG names a gateway configuration file (providers,
   * models), so tests and the screenshot script can route to a mock
   * upstream; the settings and the environment still win for the rest. */
  if (path != NULL && *path != '\0')
    {
      g_autoptr(GError) error = NULL;

      config = gr_config_load_file (path, &error);
      if (config == NULL)
        g_message ("Ignoring GAIAROUTER_CONFIG=%s: %s", path, error->message);
    }
  if (config == NULL)
    config = gr_config_new_default ();

  gr_application_apply_settings (self, config);
  gr_application_apply_environment (config);
  if (gr_db_target_is_postgresql (config->database))
    {
      /* A file meant for gaiarouterd: the app keeps its SQLite file. */
      g_message ("Ignoring the PostgreSQL database of the configuration: the app uses a SQLite file");
      g_free (config->database);
      config->database = gr_config_default_database_path ();
    }
  g_free (config->internal_token);
  config->internal_token = gr_application_make_internal_token ();

  return g_steal_pointer (&config);
}

static void
gr_application_update_actions (GrApplication *self)
{
  GrGatewayState state = gr_gateway_get_state (self->gateway);
  GAction *start = g_action_map_lookup_action (G_ACTION_MAP (self), "start-gateway");
  GAction *stop = g_action_map_lookup_action (G_ACTION_MAP (self), "stop-gateway");

  g_simple_action_set_enabled (G_SIMPLE_ACTION (start),
                               state == GR_GATEWAY_STATE_STOPPED ||
                               state == GR_GATEWAY_STATE_ERROR);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (stop),
                               state == GR_GATEWAY_STATE_RUNNING);
}

/* The local client follows the gateway: created when it runs (the URL
 * may have changed since the last start), dropped when it stops, so pages
 * show "not connected" rather than a stream of network errors. */
static void
gr_application_update_local_client (GrApplication *self)
{
  GrGatewayState state = gr_gateway_get_state (self->gateway);
  g_autofree char *url = NULL;

  if (state == GR_GATEWAY_STATE_RUNNING)
    url = gr_gateway_dup_url (self->gateway);

  if (url != NULL && self->local_client != NULL &&
      g_strcmp0 (gr_admin_client_get_base_url (self->local_client), url) == 0)
    return;
  if (url == NULL && self->local_client == NULL)
    return;

  g_clear_object (&self->local_client);
  if (url != NULL)
    self->local_client = gr_admin_client_new (url, gr_gateway_get_config (self->gateway)->internal_token);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCAL_CLIENT]);
}

static void
gr_application_update_share_state (GrApplication *self)
{
  GAction *share = g_action_map_lookup_action (G_ACTION_MAP (self), "share-on-lan");

  g_simple_action_set_state (G_SIMPLE_ACTION (share),
                             g_variant_new_boolean (g_settings_get_boolean (self->settings,
                                                                            "share-on-lan")));
}

static void
gr_application_gateway_state_cb (GrApplication *self,
                                 GParamSpec    *pspec,
                                 GrGateway     *gateway)
{
  gr_application_update_actions (self);
  gr_application_update_local_client (self);
}

static void
gr_application_start_gateway_action (GSimpleAction *action,
                                     GVariant      *parameter,
                                     gpointer       user_data)
{
  GrApplication *self = GR_APPLICATION (user_data);
  g_autoptr(GError) error = NULL;

  /* The window shows the reason from the gateway itself. */
  if (!gr_application_start_gateway (self, &error))
    g_message ("Could not start the gateway: %s", error->message);
}

static void
gr_application_stop_gateway_action (GSimpleAction *action,
                                    GVariant      *parameter,
                                    gpointer       user_data)
{
  gr_application_stop_gateway (GR_APPLICATION (user_data));
}

static void
gr_application_restart_gateway_action (GSimpleAction *action,
                                       GVariant      *parameter,
                                       gpointer       user_data)
{
  GrApplication *self = GR_APPLICATION (user_data);
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  guint16 port = 0;

  /* A restart picks up the listen address and port of the settings. */
  if (g_settings_get_boolean (self->settings, "share-on-lan"))
    host = g_strdup ("0.0.0.0");
  else
    host = g_settings_get_string (self->settings, "listen-host");
  g_settings_get (self->settings, "listen-port", "q", &port);

  gr_gateway_stop (self->gateway);
  gr_gateway_set_listen (self->gateway, host, port);
  if (!gr_gateway_start (self->gateway, &error))
    g_message ("Could not restart the gateway: %s", error->message);
}

static void
gr_application_preferences_action (GSimpleAction *action,
                                   GVariant      *parameter,
                                   gpointer       user_data)
{
  GrApplication *self = GR_APPLICATION (user_data);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GrPreferencesWindow *preferences = gr_preferences_window_new (self);

  gtk_window_set_transient_for (GTK_WINDOW (preferences), parent);
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
gr_application_share_response_cb (AdwMessageDialog *dialog,
                                  const char       *response,
                                  GrApplication    *self)
{
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "share") != 0)
    return;

  if (!gr_application_set_share_on_lan (self, TRUE, &error))
    {
      GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

      if (GR_IS_WINDOW (window))
        gr_window_add_toast (GR_WINDOW (window), adw_toast_new (error->message));
    }
}

static void
gr_application_share_on_lan_change_state (GSimpleAction *action,
                                          GVariant      *value,
                                          gpointer       user_data)
{
  GrApplication *self = GR_APPLICATION (user_data);
  gboolean share = g_variant_get_boolean (value);
  g_autoptr(GError) error = NULL;

  if (share == g_settings_get_boolean (self->settings, "share-on-lan"))
    {
      gr_application_update_share_state (self);
      return;
    }

  /* Sharing asks first; the state changes only once it is done. */
  if (share)
    {
      GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
      AdwMessageDialog *dialog = gr_application_create_share_dialog (self, parent);

      g_signal_connect_object (dialog, "response",
                               G_CALLBACK (gr_application_share_response_cb),
                               self, 0);
      gr_application_update_share_state (self);
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }

  if (!gr_application_set_share_on_lan (self, FALSE, &error))
    g_message ("Could not stop sharing: %s", error->message);
}

static void
gr_application_about_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "application-icon", APPLICATION_ID,
                        /* Translators: the application name, usually kept as is. */
                        "application-name", _("GaiaRouter"),
                        "developer-name", _("GaiaRouter developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("A personal AI model router: one OpenAI-compatible "
                                      "gateway in front of many providers."),
                        "website", "https://gaiarouter.org",
                        "copyright", _("© 2026 GaiaRouter developers"),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        /* Translators: replace "translator-credits" with your names, one per line. */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
gr_application_quit_action (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  g_autoptr(GList) windows = NULL;
  GList *l;

  /* Closing (rather than destroying) lets each window save its state. */
  windows = g_list_copy (gtk_application_get_windows (app));
  for (l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));

  g_application_quit (G_APPLICATION (app));
}

static const GActionEntry app_actions[] = {
  { .name = "start-gateway", .activate = gr_application_start_gateway_action },
  { .name = "stop-gateway", .activate = gr_application_stop_gateway_action },
  { .name = "restart-gateway", .activate = gr_application_restart_gateway_action },
  { .name = "share-on-lan", .state = "false", .change_state = gr_application_share_on_lan_change_state },
  { .name = "preferences", .activate = gr_application_preferences_action },
  { .name = "about", .activate = gr_application_about_action },
  { .name = "quit", .activate = gr_application_quit_action },
};

static void
gr_application_setup_accels (GrApplication *self)
{
  static const struct {
    const char *action;
    const char *accels[3];
  } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "window.close", { "<Control>w", NULL } },
    { "win.search", { "<Control>f", NULL } },
    { "win.new", { "<Control>n", NULL } },
    { "win.refresh", { "<Control>r", "F5", NULL } },
    { "win.show-help-overlay", { "<Control>question", NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self),
                                           accels[i].action, accels[i].accels);
}

static void
gr_application_startup (GApplication *app)
{
  GrApplication *self = GR_APPLICATION (app);

  G_APPLICATION_CLASS (gr_application_parent_class)->startup (app);

  /* GAIAROUTER_LOCALEDIR lets an uninstalled build find its translations
   * (scripts/screenshots); windows are built after this, so they use it. */
  if (g_getenv ("GAIAROUTER_LOCALEDIR") != NULL)
    bindtextdomain (GETTEXT_PACKAGE, g_getenv ("GAIAROUTER_LOCALEDIR"));

  self->settings = g_settings_new (APPLICATION_ID);
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gr_application_setup_accels (self);

  self->gateway = gr_gateway_new (gr_application_create_config (self));
  g_signal_connect_object (self->gateway, "notify::state",
                           G_CALLBACK (gr_application_gateway_state_cb),
                           self, G_CONNECT_SWAPPED);
  gr_application_update_actions (self);
  gr_application_update_share_state (self);

  if (g_settings_get_boolean (self->settings, "start-gateway-on-launch"))
    g_action_group_activate_action (G_ACTION_GROUP (self), "start-gateway", NULL);
}

static void
gr_application_activate (GApplication *app)
{
  GrApplication *self = GR_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    {
      window = GTK_WINDOW (gr_window_new (self));
      if (self->initial_page != NULL)
        gr_window_set_visible_page (GR_WINDOW (window), self->initial_page);
    }

  /* A window keeps the application alive again. */
  if (self->held)
    {
      self->held = FALSE;
      g_application_release (app);
    }

  gtk_window_present (window);
}

/* "Run in background": when the last window goes while the gateway runs,
 * hold the application so the gateway keeps serving. */
static void
gr_application_window_removed (GtkApplication *app,
                               GtkWindow      *window)
{
  GrApplication *self = GR_APPLICATION (app);

  GTK_APPLICATION_CLASS (gr_application_parent_class)->window_removed (app, window);

  if (!GR_IS_WINDOW (window) || self->held || self->settings == NULL ||
      !g_settings_get_boolean (self->settings, "run-in-background") ||
      gr_gateway_get_state (self->gateway) != GR_GATEWAY_STATE_RUNNING)
    return;

  for (GList *l = gtk_application_get_windows (app); l != NULL; l = l->next)
    if (GR_IS_WINDOW (l->data))
      return;

  self->held = TRUE;
  g_application_hold (G_APPLICATION (app));
}

static int
gr_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  GrApplication *self = GR_APPLICATION (app);
  const char *page = NULL;

  /* --page wins over GAIAROUTER_PAGE; both let scripts open a page. */
  if (!g_variant_dict_lookup (options, "page", "&s", &page))
    page = g_getenv ("GAIAROUTER_PAGE");
  if (page != NULL && *page != '\0')
    {
      g_free (self->initial_page);
      self->initial_page = g_strdup (page);
    }

  return -1;
}

static void
gr_application_shutdown (GApplication *app)
{
  GrApplication *self = GR_APPLICATION (app);

  if (self->held)
    {
      self->held = FALSE;
      g_application_release (app);
    }
  if (self->gateway != NULL)
    gr_application_stop_gateway (self);
  g_clear_object (&self->local_client);

  G_APPLICATION_CLASS (gr_application_parent_class)->shutdown (app);
}

static void
gr_application_dispose (GObject *object)
{
  GrApplication *self = GR_APPLICATION (object);

  g_clear_object (&self->local_client);
  g_clear_object (&self->gateway);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->initial_page, g_free);

  G_OBJECT_CLASS (gr_application_parent_class)->dispose (object);
}

static void
gr_application_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  GrApplication *self = GR_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_LOCAL_CLIENT:
      g_value_set_object (value, self->local_client);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gr_application_class_init (GrApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);
  GtkApplicationClass *gtk_app_class = GTK_APPLICATION_CLASS (klass);

  object_class->dispose = gr_application_dispose;
  object_class->get_property = gr_application_get_property;

  app_class->startup = gr_application_startup;
  app_class->activate = gr_application_activate;
  app_class->shutdown = gr_application_shutdown;
  app_class->handle_local_options = gr_application_handle_local_options;

  gtk_app_class->window_removed = gr_application_window_removed;

  /**
   * GrApplication:local-client:
   *
   * The admin client of the embedded gateway, authenticated with the
   * internal token of this launch; %NULL while the gateway does not run.
   */
  properties[PROP_LOCAL_CLIENT] =
    g_param_spec_object ("local-client", NULL, NULL,
                         GR_TYPE_ADMIN_CLIENT,
                         (G_PARAM_READABLE |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The resource lives in a static library, where a constructor would be
   * dropped by the linker, so it is registered by hand. */
  gr_resources_register_resource ();
}

static void
gr_application_init (GrApplication *self)
{
  static const GOptionEntry entries[] = {
    /* Translators: help of the --page option; the names stay English. */
    { "page", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Open a page: dashboard, organizations, keys, statistics, providers, models or logs"),
      N_("PAGE") },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
}

/**
 * gr_application_new:
 *
 * Creates the application.  The embedded gateway is created (and, unless
 * the settings say otherwise, started) when the application starts up.
 *
 * Returns: (transfer full): a new #GrApplication
 */
GrApplication *
gr_application_new (void)
{
  return g_object_new (GR_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/org/gaiarouter/GaiaRouter",
                       NULL);
}

/**
 * gr_application_get_gateway:
 * @self: a #GrApplication
 *
 * Returns: (transfer none) (nullable): the embedded gateway, or %NULL
 *   before startup
 */
GrGateway *
gr_application_get_gateway (GrApplication *self)
{
  g_return_val_if_fail (GR_IS_APPLICATION (self), NULL);

  return self->gateway;
}

/**
 * gr_application_get_settings:
 * @self: a #GrApplication
 *
 * Returns: (transfer none) (nullable): the application settings, or %NULL
 *   before startup
 */
GSettings *
gr_application_get_settings (GrApplication *self)
{
  g_return_val_if_fail (GR_IS_APPLICATION (self), NULL);

  return self->settings;
}

/**
 * gr_application_start_gateway:
 * @self: a #GrApplication
 * @error: return location for a #GError
 *
 * Starts the embedded gateway, if it is not running; blocks only until it
 * listens.
 *
 * Returns: %TRUE if the gateway is running
 */
gboolean
gr_application_start_gateway (GrApplication  *self,
                              GError        **error)
{
  g_return_val_if_fail (GR_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (self->gateway != NULL, FALSE);

  return gr_gateway_start (self->gateway, error);
}

/**
 * gr_application_stop_gateway:
 * @self: a #GrApplication
 *
 * Stops the embedded gateway, if it runs.  In-flight requests get the
 * configured grace period.
 */
void
gr_application_stop_gateway (GrApplication *self)
{
  g_return_if_fail (GR_IS_APPLICATION (self));
  g_return_if_fail (self->gateway != NULL);

  gr_gateway_stop (self->gateway);
}

/**
 * gr_application_get_local_client:
 * @self: a #GrApplication
 *
 * Returns: (transfer none) (nullable): the admin client of the embedded
 *   gateway, or %NULL while it does not run
 */
GrAdminClient *
gr_application_get_local_client (GrApplication *self)
{
  g_return_val_if_fail (GR_IS_APPLICATION (self), NULL);

  return self->local_client;
}

/**
 * gr_application_dup_lan_address:
 *
 * Finds the first IPv4 address of an interface that is up and not the
 * loopback, the address other computers on the LAN most likely reach.
 *
 * Returns: (transfer full) (nullable): a dotted-quad address, or %NULL
 */
char *
gr_application_dup_lan_address (void)
{
  struct ifaddrs *addrs = NULL;
  char *found = NULL;

  if (getifaddrs (&addrs) != 0)
    return NULL;

  for (struct ifaddrs *ifa = addrs; ifa != NULL && found == NULL; ifa = ifa->ifa_next)
    {
      char text[INET_ADDRSTRLEN];
      const struct sockaddr_in *in;

      if (ifa->ifa_addr == NULL || ifa->ifa_addr->sa_family != AF_INET)
        continue;
      if ((ifa->ifa_flags & IFF_UP) == 0 || (ifa->ifa_flags & IFF_LOOPBACK) != 0)
        continue;

      in = (const struct sockaddr_in *) ifa->ifa_addr;
      if (inet_ntop (AF_INET, &in->sin_addr, text, sizeof text) != NULL)
        found = g_strdup (text);
    }

  freeifaddrs (addrs);
  return found;
}

/* The port to keep when the listen address changes: the bound one while
 * running (an ephemeral port stays the same), else the configured one. */
static guint16
gr_application_current_port (GrApplication *self)
{
  if (gr_gateway_get_state (self->gateway) == GR_GATEWAY_STATE_RUNNING &&
      gr_gateway_get_port (self->gateway) != 0)
    return gr_gateway_get_port (self->gateway);

  return gr_gateway_get_config (self->gateway)->listen_port;
}

/**
 * gr_application_create_share_dialog:
 * @self: a #GrApplication
 * @parent: (nullable): the window to attach the dialog to
 *
 * Creates the dialog that asks before sharing the gateway on the LAN: it
 * names the address other computers would use and warns that each of them
 * then needs a key.  Its responses are "cancel" and "share".
 *
 * Returns: (transfer none): a new #AdwMessageDialog, not yet shown
 */
AdwMessageDialog *
gr_application_create_share_dialog (GrApplication *self,
                                    GtkWindow     *parent)
{
  g_autofree char *address = gr_application_dup_lan_address ();
  g_autofree char *body = NULL;
  GtkWidget *dialog;
  guint16 port;

  g_return_val_if_fail (GR_IS_APPLICATION (self), NULL);

  port = gr_application_current_port (self);
  if (address != NULL)
    {
      g_autofree char *url = g_strdup_printf ("http://%s:%u", address, port);

      /* Translators: %s is a URL such as http://192.168.1.20:8080. */
      body = g_strdup_printf (_("Other computers on your network will reach the gateway at %s.\n\n"
                                "Every client then needs an API key: requests without a valid key are refused. "
                                "Create one key per device on the API Keys page."),
                              url);
    }
  else
    body = g_strdup (_("No network address was found on this computer; the gateway will listen on all interfaces anyway.\n\n"
                       "Every client then needs an API key: requests without a valid key are refused. "
                       "Create one key per device on the API Keys page."));

  dialog = adw_message_dialog_new (parent, _("Share on Local Network?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    /* Translators: a button that starts sharing the gateway on the LAN. */
                                    "share", _("_Share"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "share",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  return ADW_MESSAGE_DIALOG (dialog);
}

/**
 * gr_application_set_share_on_lan:
 * @self: a #GrApplication
 * @share: whether to listen on every interface
 * @error: return location for a #GError
 *
 * Restarts the embedded gateway on 0.0.0.0 (@share) or on the configured
 * address (normally 127.0.0.1), keeping its port, and saves the choice.
 * A gateway that was not running is only reconfigured.
 *
 * Returns: %TRUE on success
 */
gboolean
gr_application_set_share_on_lan (GrApplication  *self,
                                 gboolean        share,
                                 GError        **error)
{
  g_autofree char *host = NULL;
  gboolean was_running;
  guint16 port;
  gboolean ok = TRUE;

  g_return_val_if_fail (GR_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (self->gateway != NULL, FALSE);

  if (share)
    host = g_strdup ("0.0.0.0");
  else
    host = g_settings_get_string (self->settings, "listen-host");
  /* Stopping sharing must not keep listening everywhere. */
  if (!share && (g_str_equal (host, "0.0.0.0") || g_str_equal (host, "::")))
    {
      g_free (host);
      host = g_strdup ("127.0.0.1");
    }

  port = gr_application_current_port (self);
  was_running = gr_gateway_get_state (self->gateway) == GR_GATEWAY_STATE_RUNNING;

  gr_gateway_stop (self->gateway);
  gr_gateway_set_listen (self->gateway, host, port);
  if (was_running)
    ok = gr_gateway_start (self->gateway, error);

  if (ok)
    g_settings_set_boolean (self->settings, "share-on-lan", share);
  gr_application_update_share_state (self);

  return ok;
}
