/* test-app-discovery.c — the connect dialog finds a gateway on the LAN
 *
 * Runs under Xvfb and tests/avahi-env.sh (see app/meson.build): a private
 * system bus with a real avahi-daemon.  The app runs its embedded gateway
 * on loopback (not announced); a second gateway with TLS listens on
 * 0.0.0.0 and announces itself.  The connect dialog must list it under
 * "Found on This Network" with its address, version and TLS badge, fill in
 * its https:// URL when picked, drop it when it stops, and stop browsing
 * when closed.  Before that, with no system bus at all, the group must
 * stay hidden.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "gr-test-gtk.h"

#include <string.h>

#include "gr-application.h"
#include "gr-connect-dialog.h"
#include "gr-window.h"

#define DEADLINE_S 30

static char *tmp_dir;

typedef struct
{
  GrApplication *app;
  GrWindow      *window;
  gboolean       done;
} Run;

typedef gboolean (*Condition) (gpointer data);

static void
wait_for (Condition   cond,
          gpointer    data,
          const char *what)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out after %d s waiting for %s", DEADLINE_S, what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

static gboolean
app_ready (gpointer data)
{
  Run *run = data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (run->app));

  return window != NULL && gtk_widget_get_mapped (GTK_WIDGET (window)) &&
         gr_gateway_get_state (gr_application_get_gateway (run->app)) == GR_GATEWAY_STATE_RUNNING;
}

static gboolean
browser_settled (gpointer data)
{
  GrDiscoveryBrowser *browser = gr_connect_dialog_get_browser (data);
  GrDiscoveryState state = browser != NULL ? gr_discovery_browser_get_state (browser)
                                           : GR_DISCOVERY_STATE_STOPPED;

  return state == GR_DISCOVERY_STATE_UNAVAILABLE || state == GR_DISCOVERY_STATE_RUNNING;
}

typedef struct
{
  GrConnectDialog *dialog;
  const char      *name;
  AdwActionRow    *row;
} RowWait;

/* The row titled name in the dialog's "Found on This Network" list. */
static gboolean
row_shown (gpointer data)
{
  RowWait *wait = data;
  GtkListBox *list = gr_connect_dialog_get_found_list (wait->dialog);

  wait->row = NULL;
  if (list == NULL || !gtk_widget_get_mapped (GTK_WIDGET (list)))
    return FALSE;
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (list)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (ADW_IS_ACTION_ROW (child) && gtk_widget_get_mapped (child) &&
          g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (child)), wait->name) == 0)
        {
          wait->row = ADW_ACTION_ROW (child);
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
row_gone (gpointer data)
{
  return !row_shown (data);
}

/* Whether a label with text is inside widget. */
static gboolean
has_label (GtkWidget  *widget,
           const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return gtk_widget_get_visible (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_label (child, text))
      return TRUE;
  return FALSE;
}

static gboolean
dialog_closed (gpointer data)
{
  return *(GrConnectDialog **) data == NULL;
}

/* No system bus: the dialog works and shows no discovery group. */
static void
check_without_bus (Run *run)
{
  g_autofree char *saved = g_strdup (g_getenv ("DBUS_SYSTEM_BUS_ADDRESS"));
  GrConnectDialog *dialog;

  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/gr-test-system-bus", TRUE);
  dialog = gr_connect_dialog_new (run->window);
  gtk_window_present (GTK_WINDOW (dialog));
  wait_for (browser_settled, dialog, "the browser to find out there is no bus");
  g_assert_cmpint (gr_discovery_browser_get_state (gr_connect_dialog_get_browser (dialog)), ==,
                   GR_DISCOVERY_STATE_UNAVAILABLE);
  g_assert_null (gr_connect_dialog_get_found_list (dialog));
  gtk_window_close (GTK_WINDOW (dialog));
  if (saved != NULL)
    g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", saved, TRUE);
  else
    g_unsetenv ("DBUS_SYSTEM_BUS_ADDRESS");
}

/* scripts/screenshot-discovery sets GR_SCREENSHOT_PAUSE to the moment it
 * wants ("found", or "empty" before any gateway announced itself): hold
 * the dialog there, drawn, while it takes the picture. */
static void
screenshot_pause (const char *moment)
{
  gint64 until;

  if (g_strcmp0 (g_getenv ("GR_SCREENSHOT_PAUSE"), moment) != 0)
    return;
  until = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
  g_print ("# screenshot-ready\n");
  until = g_get_monotonic_time () + 6 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

static GrGateway *
start_tls_gateway (void)
{
  g_autofree char *cert = g_build_filename (tmp_dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (tmp_dir, "key.pem", NULL);
  g_autofree char *cmd = g_strdup_printf ("openssl req -x509 -newkey rsa:2048 -nodes -keyout %s -out %s "
                                          "-days 1 -subj /CN=localhost", key, cert);
  g_autofree char *noise = NULL;
  g_autoptr(GError) error = NULL;
  GrConfig *config = gr_config_new_default ();
  GrGateway *gateway;
  int status = 0;

  g_assert_true (g_spawn_command_line_sync (cmd, NULL, &noise, &status, NULL));
  g_assert_cmpint (status, ==, 0);
  g_free (config->database);
  config->database = g_build_filename (tmp_dir, "lan.db", NULL);
  g_free (config->listen_host);
  config->listen_host = g_strdup ("0.0.0.0");
  config->listen_port = 0;
  config->threads = 1;
  config->tls_certificate = g_steal_pointer (&cert);
  config->tls_key = g_steal_pointer (&key);
  gateway = gr_gateway_new (config);
  g_assert_true (gr_gateway_start (gateway, &error));
  g_assert_no_error (error);
  return gateway;
}

static void
check_found (Run *run)
{
  g_autoptr(GrGateway) lan = NULL;
  g_autofree char *name = gr_discovery_default_name ();
  g_autofree char *port_suffix = NULL;
  g_autofree char *version = NULL;
  GrConnectDialog *dialog;
  GrDiscoveryBrowser *browser;
  RowWait wait = { NULL, name, NULL };
  const char *subtitle;
  const char *url;

  dialog = gr_connect_dialog_new (run->window);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &wait.dialog);
  wait.dialog = dialog;
  gtk_window_present (GTK_WINDOW (dialog));
  wait_for (browser_settled, dialog, "the browser to run");
  g_assert_cmpint (gr_discovery_browser_get_state (gr_connect_dialog_get_browser (dialog)), ==,
                   GR_DISCOVERY_STATE_RUNNING);
  g_assert_nonnull (gr_connect_dialog_get_found_list (dialog));

  screenshot_pause ("empty");
  /* The app's own gateway listens on loopback: not announced. */
  lan = start_tls_gateway ();
  wait_for (row_shown, &wait, "the LAN gateway's row");

  port_suffix = g_strdup_printf (":%u", gr_gateway_get_port (lan));
  version = g_strdup_printf ("version %s", PACKAGE_VERSION);
  subtitle = adw_action_row_get_subtitle (wait.row);
  g_test_message ("row: %s — %s", name, subtitle);
  g_assert_nonnull (strstr (subtitle, port_suffix));
  g_assert_nonnull (strstr (subtitle, version));
  g_assert_true (has_label (GTK_WIDGET (wait.row), "TLS"));

  /* Picking it fills in its https:// URL. */
  g_signal_emit_by_name (gr_connect_dialog_get_found_list (dialog), "row-activated", wait.row);
  url = gr_connect_dialog_get_url (dialog);
  g_assert_true (g_str_has_prefix (url, "https://"));
  g_assert_true (g_str_has_suffix (url, port_suffix));

  screenshot_pause ("found");

  /* A gateway that stops leaves the list. */
  gr_gateway_stop (lan);
  wait_for (row_gone, &wait, "the stopped gateway's row to go");

  /* Closing the dialog stops browsing. */
  browser = g_object_ref (gr_connect_dialog_get_browser (dialog));
  gtk_window_close (GTK_WINDOW (dialog));
  wait_for (dialog_closed, &wait.dialog, "the dialog to close");
  g_assert_cmpint (gr_discovery_browser_get_state (browser), ==, GR_DISCOVERY_STATE_STOPPED);
  g_object_unref (browser);
}

static gboolean
scenario_cb (gpointer user_data)
{
  Run *run = user_data;

  wait_for (app_ready, run, "the window and the gateway");
  run->window = GR_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (run->app)));
  g_assert_null (gr_gateway_get_publisher (gr_application_get_gateway (run->app)));

  check_without_bus (run);
  if (g_strcmp0 (g_getenv ("GR_AVAHI_TEST"), "1") == 0 && gr_discovery_is_built ())
    check_found (run);

  run->done = TRUE;
  g_action_group_activate_action (G_ACTION_GROUP (run->app), "quit", NULL);
  return G_SOURCE_REMOVE;
}

static void
activate_after_cb (GApplication *app,
                   Run          *run)
{
  static gboolean started;

  if (!started)
    {
      started = TRUE;
      g_idle_add (scenario_cb, run);
    }
}

static void
test_connect_dialog_discovery (void)
{
  Run run = { 0 };
  int status;

  run.app = gr_application_new ();
  g_application_set_flags (G_APPLICATION (run.app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (run.app, "activate", G_CALLBACK (activate_after_cb), &run);

  status = g_application_run (G_APPLICATION (run.app), 0, NULL);

  g_assert_cmpint (status, ==, 0);
  g_assert_true (run.done);
  g_clear_object (&run.app);
  if (!gr_discovery_is_built ())
    g_test_skip ("built with -Davahi=disabled: the group must stay hidden, and did");
  else if (g_strcmp0 (g_getenv ("GR_AVAHI_TEST"), "1") != 0)
    {
      const char *skip = g_getenv ("GR_AVAHI_TEST_SKIP");

      g_test_skip (skip != NULL ? skip : "no private avahi-daemon: run through tests/avahi-env.sh run");
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = NULL;
  g_autofree char *database = NULL;
  g_autofree char *cmd = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  gr_test_gtk_init_logging ();

  tmp_dir = g_dir_make_tmp ("gaiarouter-discovery-XXXXXX", &error);
  g_assert_no_error (error);
  data_home = g_build_filename (tmp_dir, "data", NULL);
  database = g_build_filename (tmp_dir, "gaiarouter.db", NULL);
  g_assert_cmpint (g_mkdir_with_parents (data_home, 0700), ==, 0);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("GAIAROUTER_DB", database, TRUE);
  g_setenv ("GAIAROUTER_LISTEN", "127.0.0.1:0", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  /* No session bus, so no Secret Service: libsecret must fail, fast. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/gaiarouter-test-bus", TRUE);

  g_test_add_func ("/gaiarouter/app/connect-dialog/discovery", test_connect_dialog_discovery);

  ret = g_test_run ();

  cmd = g_strdup_printf ("rm -rf %s", tmp_dir);
  g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
  g_clear_pointer (&tmp_dir, g_free);
  return ret;
}
