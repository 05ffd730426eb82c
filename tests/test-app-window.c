/* test-app-window.c — the real window with the real embedded gateway
 *
 * Runs under Xvfb (see app/meson.build) with GSETTINGS_BACKEND=memory,
 * GAIAROUTER_LISTEN=127.0.0.1:0 and a scratch database in a temporary
 * XDG data directory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "gr-application.h"
#include "gr-window.h"

#define POLL_INTERVAL_MS 20
#define DEADLINE_US      (15 * G_USEC_PER_SEC)

typedef enum
{
  STEP_WAIT_RUNNING,
  STEP_WAIT_STOPPED,
  STEP_WAIT_RESTARTED,
  STEP_DONE,
} Step;

typedef struct
{
  GrApplication *app;
  Step           step;
  gint64         deadline;
  guint          poll_id;
  gboolean       checked_running;
  gboolean       checked_stopped;
  gboolean       checked_restarted;
  gboolean       checked_error;
} AppRun;

static char *tmp_dir;

static GtkWidget *
template_child (GtkWindow  *window,
                const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (window), GR_TYPE_WINDOW, name);

  g_assert_nonnull (child);
  return GTK_WIDGET (child);
}

static GrWindow *
active_window (AppRun *run)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (run->app));

  if (window == NULL)
    return NULL;
  g_assert_true (GR_IS_WINDOW (window));
  return GR_WINDOW (window);
}

static guint
http_get_status (const char *url)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (message);
  body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);

  return soup_message_get_status (message);
}

static char *
clipboard_text (GtkWidget *widget)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (widget);
  GdkContentProvider *content = gdk_clipboard_get_content (clipboard);
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;

  /* Set by this process, so the content is local and readable at once. */
  g_assert_nonnull (content);
  g_value_init (&value, G_TYPE_STRING);
  gdk_content_provider_get_value (content, &value, &error);
  g_assert_no_error (error);

  return g_value_dup_string (&value);
}

static void
check_running (AppRun   *run,
               GrWindow *window)
{
  GrGateway *gateway = gr_application_get_gateway (run->app);
  AdwStatusPage *status_page = ADW_STATUS_PAGE (template_child (GTK_WINDOW (window), "status_page"));
  GtkWidget *url_row = template_child (GTK_WINDOW (window), "url_row");
  GtkLabel *url_label = GTK_LABEL (template_child (GTK_WINDOW (window), "url_label"));
  g_autofree char *port_suffix = NULL;
  g_autofree char *health_url = NULL;
  g_autofree char *copied = NULL;
  const char *url;

  g_assert_cmpstr (adw_status_page_get_title (status_page), ==, "Gateway Running");
  g_assert_true (gtk_widget_get_visible (url_row));

  /* The ephemeral port was resolved, and the label shows it. */
  g_assert_cmpuint (gr_gateway_get_port (gateway), !=, 0);
  port_suffix = g_strdup_printf (":%u", gr_gateway_get_port (gateway));
  url = gtk_label_get_text (url_label);
  g_assert_true (g_str_has_prefix (url, "http://127.0.0.1:"));
  g_assert_true (g_str_has_suffix (url, port_suffix));

  health_url = g_strconcat (url, "/health", NULL);
  g_assert_cmpuint (http_get_status (health_url), ==, SOUP_STATUS_OK);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.copy-url", NULL);
  copied = clipboard_text (GTK_WIDGET (window));
  g_assert_cmpstr (copied, ==, url);

  run->checked_running = TRUE;
}

/* A fresh database: the first start created an admin key, and the window
 * shows it (for as long as it lives) with a working copy button. */
static void
check_new_admin_key (AppRun   *run,
                     GrWindow *window)
{
  GtkWidget *group = template_child (GTK_WINDOW (window), "new_key_group");
  GtkLabel *label = GTK_LABEL (template_child (GTK_WINDOW (window), "new_key_label"));
  g_autofree char *copied = NULL;

  g_assert_true (gtk_widget_get_visible (group));
  g_assert_cmpuint (strlen (gtk_label_get_text (label)), >=, 16);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.copy-admin-key", NULL);
  copied = clipboard_text (GTK_WIDGET (window));
  g_assert_cmpstr (copied, ==, gtk_label_get_text (label));
}

static void
check_stopped (AppRun   *run,
               GrWindow *window)
{
  AdwStatusPage *status_page = ADW_STATUS_PAGE (template_child (GTK_WINDOW (window), "status_page"));
  GtkStack *stack = GTK_STACK (template_child (GTK_WINDOW (window), "gateway_button_stack"));

  g_assert_cmpstr (adw_status_page_get_title (status_page), ==, "Gateway Stopped");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "start");
  g_assert_false (gtk_widget_get_visible (template_child (GTK_WINDOW (window), "url_row")));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (run->app), "start-gateway"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (run->app), "stop-gateway"));

  run->checked_stopped = TRUE;
}

static gboolean
gateway_is (AppRun         *run,
            GrGatewayState  state)
{
  return gr_gateway_get_state (gr_application_get_gateway (run->app)) == state;
}

static gboolean
poll_cb (gpointer user_data)
{
  AppRun *run = user_data;
  GrWindow *window = active_window (run);

  if (g_get_monotonic_time () > run->deadline)
    g_error ("Timed out at step %d", run->step);

  if (window == NULL || !gtk_widget_get_mapped (GTK_WIDGET (window)))
    return G_SOURCE_CONTINUE;

  switch (run->step)
    {
    case STEP_WAIT_RUNNING:
      if (!gateway_is (run, GR_GATEWAY_STATE_RUNNING))
        return G_SOURCE_CONTINUE;
      check_running (run, window);
      check_new_admin_key (run, window);
      g_action_group_activate_action (G_ACTION_GROUP (run->app), "stop-gateway", NULL);
      run->step = STEP_WAIT_STOPPED;
      return G_SOURCE_CONTINUE;

    case STEP_WAIT_STOPPED:
      if (!gateway_is (run, GR_GATEWAY_STATE_STOPPED))
        return G_SOURCE_CONTINUE;
      check_stopped (run, window);
      gtk_widget_activate_action (GTK_WIDGET (window), "app.start-gateway", NULL);
      run->step = STEP_WAIT_RESTARTED;
      return G_SOURCE_CONTINUE;

    case STEP_WAIT_RESTARTED:
      if (!gateway_is (run, GR_GATEWAY_STATE_RUNNING))
        return G_SOURCE_CONTINUE;
      check_running (run, window);
      check_new_admin_key (run, window);
      run->checked_restarted = TRUE;
      run->step = STEP_DONE;
      g_action_group_activate_action (G_ACTION_GROUP (run->app), "quit", NULL);
      break;

    case STEP_DONE:
    default:
      g_assert_not_reached ();
    }

  run->poll_id = 0;
  return G_SOURCE_REMOVE;
}

static void
activate_after_cb (GApplication *app,
                   AppRun       *run)
{
  if (run->poll_id == 0 && run->step != STEP_DONE)
    run->poll_id = g_timeout_add (POLL_INTERVAL_MS, poll_cb, run);
}

static gboolean
poll_error_cb (gpointer user_data)
{
  AppRun *run = user_data;
  GrWindow *window = active_window (run);
  AdwStatusPage *status_page;
  GtkStack *stack;

  if (g_get_monotonic_time () > run->deadline)
    g_error ("Timed out waiting for the error state");

  if (window == NULL || !gtk_widget_get_mapped (GTK_WIDGET (window)) ||
      !gateway_is (run, GR_GATEWAY_STATE_ERROR))
    return G_SOURCE_CONTINUE;

  status_page = ADW_STATUS_PAGE (template_child (GTK_WINDOW (window), "status_page"));
  stack = GTK_STACK (template_child (GTK_WINDOW (window), "gateway_button_stack"));
  g_assert_cmpstr (adw_status_page_get_title (status_page), ==, "Gateway Failed");
  g_assert_nonnull (gr_gateway_get_error_message (gr_application_get_gateway (run->app)));
  g_assert_nonnull (adw_status_page_get_description (status_page));
  g_assert_cmpstr (adw_status_page_get_description (status_page), !=, "");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "start");
  g_assert_false (gtk_widget_get_visible (template_child (GTK_WINDOW (window), "url_row")));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (run->app), "start-gateway"));

  run->checked_error = TRUE;
  run->step = STEP_DONE;
  run->poll_id = 0;
  g_action_group_activate_action (G_ACTION_GROUP (run->app), "quit", NULL);
  return G_SOURCE_REMOVE;
}

static void
activate_error_after_cb (GApplication *app,
                         AppRun       *run)
{
  if (run->poll_id == 0 && run->step != STEP_DONE)
    run->poll_id = g_timeout_add (POLL_INTERVAL_MS, poll_error_cb, run);
}

static void
test_window_gateway_lifecycle (void)
{
  AppRun run = { 0 };
  int status;

  run.app = gr_application_new ();
  run.deadline = g_get_monotonic_time () + DEADLINE_US;
  /* No session bus is needed (or wanted) in a test. */
  g_application_set_flags (G_APPLICATION (run.app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (run.app, "activate", G_CALLBACK (activate_after_cb), &run);

  status = g_application_run (G_APPLICATION (run.app), 0, NULL);

  g_assert_cmpint (status, ==, 0);
  g_assert_true (run.checked_running);
  g_assert_true (run.checked_stopped);
  g_assert_true (run.checked_restarted);
  g_assert_cmpuint (run.poll_id, ==, 0);
  /* Shutdown stopped the gateway. */
  g_assert_true (gateway_is (&run, GR_GATEWAY_STATE_STOPPED));

  g_clear_object (&run.app);
}

/* Another socket holds the port: the window shows the reason and offers
 * to start again. */
static void
test_window_address_in_use (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved_listen = g_strdup (g_getenv ("GAIAROUTER_LISTEN"));
  g_autofree char *listen = NULL;
  AppRun run = { 0 };
  int status;

  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  listen = g_strdup_printf ("127.0.0.1:%u",
                            g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_setenv ("GAIAROUTER_LISTEN", listen, TRUE);

  run.app = gr_application_new ();
  run.deadline = g_get_monotonic_time () + DEADLINE_US;
  g_application_set_flags (G_APPLICATION (run.app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (run.app, "activate", G_CALLBACK (activate_error_after_cb), &run);

  status = g_application_run (G_APPLICATION (run.app), 0, NULL);

  g_assert_cmpint (status, ==, 0);
  g_assert_true (run.checked_error);
  g_assert_cmpuint (run.poll_id, ==, 0);

  g_clear_object (&run.app);
  g_setenv ("GAIAROUTER_LISTEN", saved_listen, TRUE);
}

static void
remove_tree (GFile *file)
{
  g_autoptr(GFileEnumerator) children = NULL;
  g_autoptr(GError) error = NULL;
  GFileInfo *info = NULL;
  GFile *child = NULL;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (children != NULL &&
         g_file_enumerator_iterate (children, &info, &child, NULL, NULL) &&
         info != NULL)
    remove_tree (child);

  if (!g_file_delete (file, NULL, &error))
    g_test_message ("Could not remove %s: %s", g_file_peek_path (file), error->message);
}

static void
setup_environment (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = NULL;
  g_autofree char *database_dir = NULL;
  g_autofree char *database = NULL;

  tmp_dir = g_dir_make_tmp ("gaiarouter-app-XXXXXX", &error);
  g_assert_no_error (error);

  data_home = g_build_filename (tmp_dir, "data", NULL);
  database_dir = g_build_filename (tmp_dir, "gateway", NULL);
  database = g_build_filename (database_dir, "gaiarouter.db", NULL);
  g_assert_cmpint (g_mkdir_with_parents (data_home, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (database_dir, 0700), ==, 0);

  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("GAIAROUTER_DB", database, TRUE);
  if (g_getenv ("GAIAROUTER_LISTEN") == NULL)
    g_setenv ("GAIAROUTER_LISTEN", "127.0.0.1:0", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GFile) tmp = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  setup_environment ();

  g_test_add_func ("/gaiarouter/app/window/gateway-lifecycle", test_window_gateway_lifecycle);
  g_test_add_func ("/gaiarouter/app/window/address-in-use", test_window_address_in_use);

  ret = g_test_run ();

  tmp = g_file_new_for_path (tmp_dir);
  remove_tree (tmp);
  g_clear_pointer (&tmp_dir, g_free);

  return ret;
}
