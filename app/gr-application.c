/* gr-application.c — the GaiaRouter desktop application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gaiarouter"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <glib/gi18n.h>

#include "gr-application.h"
#include "gr-resources.h"
#include "gr-window.h"

/* 32 random bytes, written as 64 hex digits. */
#define INTERNAL_TOKEN_BYTES 32

struct _GrApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  GrGateway      *gateway;
};

G_DEFINE_FINAL_TYPE (GrApplication, gr_application, ADW_TYPE_APPLICATION)

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
  g_autoptr(GrConfig) config = gr_config_new_default ();

  gr_application_apply_settings (self, config);
  gr_application_apply_environment (config);
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

static void
gr_application_gateway_state_cb (GrApplication *self,
                                 GParamSpec    *pspec,
                                 GrGateway     *gateway)
{
  gr_application_update_actions (self);
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
  { .name = "about", .activate = gr_application_about_action },
  { .name = "quit", .activate = gr_application_quit_action },
};

static void
gr_application_setup_accels (GrApplication *self)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };

  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);
}

static void
gr_application_startup (GApplication *app)
{
  GrApplication *self = GR_APPLICATION (app);

  G_APPLICATION_CLASS (gr_application_parent_class)->startup (app);

  self->settings = g_settings_new (APPLICATION_ID);
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gr_application_setup_accels (self);

  self->gateway = gr_gateway_new (gr_application_create_config (self));
  g_signal_connect_object (self->gateway, "notify::state",
                           G_CALLBACK (gr_application_gateway_state_cb),
                           self, G_CONNECT_SWAPPED);
  gr_application_update_actions (self);

  if (g_settings_get_boolean (self->settings, "start-gateway-on-launch"))
    g_action_group_activate_action (G_ACTION_GROUP (self), "start-gateway", NULL);
}

static void
gr_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (gr_window_new (GR_APPLICATION (app)));

  gtk_window_present (window);
}

static void
gr_application_shutdown (GApplication *app)
{
  GrApplication *self = GR_APPLICATION (app);

  if (self->gateway != NULL)
    gr_application_stop_gateway (self);

  G_APPLICATION_CLASS (gr_application_parent_class)->shutdown (app);
}

static void
gr_application_dispose (GObject *object)
{
  GrApplication *self = GR_APPLICATION (object);

  g_clear_object (&self->gateway);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (gr_application_parent_class)->dispose (object);
}

static void
gr_application_class_init (GrApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = gr_application_dispose;

  app_class->startup = gr_application_startup;
  app_class->activate = gr_application_activate;
  app_class->shutdown = gr_application_shutdown;

  /* The resource lives in a static library, where a constructor would be
   * dropped by the linker, so it is registered by hand. */
  gr_resources_register_resource ();
}

static void
gr_application_init (GrApplication *self)
{
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
