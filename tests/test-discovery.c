/* test-discovery.c — LAN discovery against a real avahi-daemon
 *
 * Run through tests/avahi-env.sh (see tests/meson.build), which starts a
 * private system bus and avahi-daemon and exports DBUS_SYSTEM_BUS_ADDRESS.
 * The real gaiarouterd (GR_GAIAROUTERD) listens on 0.0.0.0, announces
 * itself, and our GrDiscoveryBrowser must find it with the right port and
 * TXT records, reach /health at the address it resolved, see a second
 * gateway on this host take the alternative name, see TLS, and see a
 * gateway leave — and come back after avahi-daemon restarts.  Without
 * avahi the daemon must still serve, after one log line.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include <libsoup/soup.h>

#include "core/gr-config.h"
#include "core/gr-error.h"
#include "core/gr-gateway.h"
#include "discovery/gr-avahi.h"
#include "discovery/gr-discovery-browser.h"
#include "gr-test-daemon.h"

#define DEADLINE_S 30

static char *tmp_dir;

typedef struct
{
  GSubprocess *process;
  char        *log_path;
  guint16      port;
} Daemon;

/* ---- helpers ------------------------------------------------------------ */

typedef gboolean (*Condition) (gpointer data);

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the default context until cond holds, or fails the test. */
static void
wait_for (Condition   cond,
          gpointer    data,
          const char *what)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;
  guint wake = g_timeout_add (50, wake_cb, NULL);

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out after %d s waiting for %s", DEADLINE_S, what);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);
}

static gboolean
need_avahi (void)
{
  const char *skip = g_getenv ("GR_AVAHI_TEST_SKIP");

  if (!gr_discovery_is_built ())
    {
      g_test_skip ("built with -Davahi=disabled");
      return FALSE;
    }
  if (g_strcmp0 (g_getenv ("GR_AVAHI_TEST"), "1") == 0)
    return TRUE;
  g_test_skip (skip != NULL ? skip : "no private avahi-daemon: run through tests/avahi-env.sh run");
  return FALSE;
}

static char *
read_log (Daemon *d)
{
  char *text = NULL;

  if (!g_file_get_contents (d->log_path, &text, NULL, NULL))
    return g_strdup ("");
  return text;
}

/* Starts gaiarouterd with the extra [gateway] lines and returns once it
 * listens (its first stdout line names the port). */
static Daemon *
daemon_start (const char *label,
              const char *listen,
              const char *extra_config)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *config_path = g_strdup_printf ("%s/%s.conf", tmp_dir, label);
  g_autofree char *db = g_strdup_printf ("%s/%s.db", tmp_dir, label);
  g_autofree char *config = g_strdup_printf ("[gateway]\n%s", extra_config);
  g_autofree char *line = NULL;
  const char *port;
  Daemon *d = g_new0 (Daemon, 1);

  g_assert_true (g_file_set_contents (config_path, config, -1, NULL));
  d->log_path = g_strdup_printf ("%s/%s.log", tmp_dir, label);
  g_subprocess_launcher_set_stderr_file_path (launcher, d->log_path);
  d->process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("GR_GAIAROUTERD"),
                                            "--config", config_path, "--db", db,
                                            "--listen", listen, "--threads", "1", NULL);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (d->process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  /* "GaiaRouter 0.1.0 listening on http://127.0.0.1:41234" */
  port = strrchr (line, ':');
  g_assert_nonnull (port);
  d->port = (guint16) g_ascii_strtoull (port + 1, NULL, 10);
  g_assert_cmpuint (d->port, >, 0);
  return d;
}

/* Log lines about discovery come from the daemon's main loop, maybe after
 * it answered a request: wait a little for them. */
static gboolean
log_has (Daemon     *d,
         const char *needle)
{
  for (int i = 0; i < 200; i++)
    {
      g_autofree char *log = read_log (d);

      if (strstr (log, needle) != NULL)
        return TRUE;
      g_usleep (50 * 1000);
    }
  return FALSE;
}

static void
daemon_stop (Daemon *d)
{
  /* A clean exit: announcement withdrawn, nothing leaked (sanitizers). */
  gr_test_daemon_stop (d->process, NULL);
  g_object_unref (d->process);
  g_free (d->log_path);
  g_free (d);
}

typedef struct
{
  GrDiscoveryBrowser *browser;
  guint16             port;
  gboolean            tls;
} Find;

/* The browser's item for a gateway on port. */
static GrDiscoveredGateway *
find_port (GrDiscoveryBrowser *browser,
           guint16             port)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (browser));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GrDiscoveredGateway) gw = g_list_model_get_item (G_LIST_MODEL (browser), i);

      if (gr_discovered_gateway_get_port (gw) == port)
        return gw;  /* the browser keeps its reference */
    }
  return NULL;
}

static gboolean
port_shown (gpointer data)
{
  Find *f = data;
  GrDiscoveredGateway *gw = find_port (f->browser, f->port);

  /* Announced over several interfaces: wait for the routable address. */
  return gw != NULL && !g_str_has_prefix (gr_discovered_gateway_get_address (gw), "127.");
}

static gboolean
port_gone (gpointer data)
{
  Find *f = data;

  return find_port (f->browser, f->port) == NULL;
}

static gboolean
browser_running (gpointer data)
{
  return gr_discovery_browser_get_state (data) == GR_DISCOVERY_STATE_RUNNING;
}

static gboolean
accept_any_certificate_cb (SoupMessage          *msg,
                           GTlsCertificate      *certificate,
                           GTlsCertificateFlags  errors,
                           gpointer              user_data)
{
  return TRUE;  /* the test's own self-signed certificate */
}

static guint
http_get_status (const char *url,
                 gboolean    tls)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (msg);
  if (tls)
    g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any_certificate_cb), NULL);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  return soup_message_get_status (msg);
}

/* ---- tests --------------------------------------------------------------- */

/* TXT records, names and where a listen address is announced: no daemon. */
static void
test_helpers (void)
{
  const char *pairs[] = { "version=1.2.3", "tls=1", "flag", NULL };
  g_autoptr(GVariant) txt = g_variant_ref_sink (gr_avahi_txt_new (pairs));
  g_autofree char *version = gr_avahi_txt_lookup (txt, "version");
  g_autofree char *tls = gr_avahi_txt_lookup (txt, "TLS");
  g_autofree char *flag = gr_avahi_txt_lookup (txt, "flag");
  g_autofree char *missing = gr_avahi_txt_lookup (txt, "vers");
  g_autofree char *long_name = NULL;
  g_autofree char *cut = NULL;
  g_autofree char *name = gr_discovery_default_name ();
  int interface, protocol;

  g_assert_cmpstr (version, ==, "1.2.3");
  g_assert_cmpstr (tls, ==, "1");
  g_assert_cmpstr (flag, ==, "");
  g_assert_null (missing);
  /* No NUL terminators on the wire. */
  g_assert_cmpuint (g_variant_n_children (txt), ==, 3);
  {
    g_autoptr(GVariant) first = g_variant_get_child_value (txt, 0);

    g_assert_cmpuint (g_variant_n_children (first), ==, strlen ("version=1.2.3"));
  }

  /* 63 bytes at most, cut between characters. */
  long_name = g_strdup_printf ("GaiaRouter on %s", "網關網關網關網關網關網關網關網關網關網關網關網關網關網關網關網關網關");
  cut = gr_avahi_truncate_name (long_name);
  g_assert_cmpuint (strlen (cut), <=, GR_AVAHI_MAX_NAME);
  g_assert_true (g_utf8_validate (cut, -1, NULL));
  g_assert_true (g_str_has_prefix (name, "GaiaRouter on "));

  g_assert_false (gr_discovery_scope_for_listen ("127.0.0.1", &interface, &protocol));
  g_assert_false (gr_discovery_scope_for_listen ("::1", &interface, &protocol));
  g_assert_false (gr_discovery_scope_for_listen ("localhost", &interface, &protocol));
  g_assert_true (gr_discovery_scope_for_listen ("0.0.0.0", &interface, &protocol));
  g_assert_cmpint (interface, ==, GR_AVAHI_IF_UNSPEC);
  g_assert_cmpint (protocol, ==, GR_AVAHI_PROTO_INET);
  g_assert_true (gr_discovery_scope_for_listen ("::", &interface, &protocol));
  g_assert_cmpint (protocol, ==, GR_AVAHI_PROTO_UNSPEC);
}

/* [gateway] advertise parses, defaults to true, and refuses nonsense. */
static void
test_config (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GrConfig) def = gr_config_load_data ("[gateway]\n", -1, &error);
  g_autoptr(GrConfig) off = gr_config_load_data ("[gateway]\nadvertise = false\n", -1, &error);
  g_autoptr(GrConfig) bad = NULL;

  g_assert_no_error (error);
  g_assert_true (def->advertise);
  g_assert_false (off->advertise);
  bad = gr_config_load_data ("[gateway]\nadvertise = yes\n", -1, &error);
  g_assert_null (bad);
  g_assert_error (error, GR_ERROR, GR_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "advertise"));
}

/* gaiarouterd on 0.0.0.0 is found with its port, version and TLS flag;
 * a second one on this host takes the alternative name; gateways on
 * loopback or with advertise = false are not announced; a stopped one
 * leaves the list. */
static void
test_daemon_found (void)
{
  g_autoptr(GrDiscoveryBrowser) browser = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autofree char *cmd = NULL;
  g_autofree char *tls_config = NULL;
  g_autofree char *openssl_noise = NULL;
  g_autofree char *name = gr_discovery_default_name ();
  g_autofree char *second_name = NULL;
  g_autofree char *url = NULL;
  g_autofree char *health = NULL;
  g_autofree char *log = NULL;
  Daemon *plain, *quiet, *local, *tls;
  GrDiscoveredGateway *gw;
  Find find = { 0 };
  int status = 0;

  if (!need_avahi ())
    return;

  browser = gr_discovery_browser_new ();
  gr_discovery_browser_start (browser);
  wait_for (browser_running, browser, "the browser to run");
  find.browser = browser;

  plain = daemon_start ("plain", "0.0.0.0:0", "");
  quiet = daemon_start ("quiet", "0.0.0.0:0", "advertise = false\n");
  local = daemon_start ("local", "127.0.0.1:0", "");

  find.port = plain->port;
  wait_for (port_shown, &find, "gaiarouterd to be found");
  gw = find_port (browser, plain->port);
  g_assert_cmpstr (gr_discovered_gateway_get_name (gw), ==, name);
  g_assert_cmpstr (gr_discovered_gateway_get_version (gw), ==, PACKAGE_VERSION);
  g_assert_false (gr_discovered_gateway_get_tls (gw));
  g_assert_true (g_str_has_suffix (gr_discovered_gateway_get_host_name (gw), ".local"));
  url = gr_discovered_gateway_dup_url (gw);
  g_assert_true (g_str_has_prefix (url, "http://"));
  /* The resolved address reaches the gateway. */
  health = g_strconcat (url, "/health", NULL);
  g_assert_cmpuint (http_get_status (health, FALSE), ==, 200);
  g_assert_true (log_has (plain, "LAN discovery: advertising"));

  /* TLS on, and the same host name: Avahi's alternative name. */
  cert = g_build_filename (tmp_dir, "cert.pem", NULL);
  key = g_build_filename (tmp_dir, "key.pem", NULL);
  cmd = g_strdup_printf ("openssl req -x509 -newkey rsa:2048 -nodes -keyout %s -out %s "
                         "-days 1 -subj /CN=localhost", key, cert);
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, &openssl_noise, &status, NULL));
  g_assert_cmpint (status, ==, 0);
  tls_config = g_strdup_printf ("tls_certificate = %s\ntls_key = %s\n", cert, key);
  tls = daemon_start ("tls", "0.0.0.0:0", tls_config);
  find.port = tls->port;
  wait_for (port_shown, &find, "the TLS gateway to be found");
  gw = find_port (browser, tls->port);
  second_name = g_strdup_printf ("%s #2", name);
  g_assert_cmpstr (gr_discovered_gateway_get_name (gw), ==, second_name);
  g_assert_true (gr_discovered_gateway_get_tls (gw));
  g_clear_pointer (&url, g_free);
  g_clear_pointer (&health, g_free);
  url = gr_discovered_gateway_dup_url (gw);
  g_assert_true (g_str_has_prefix (url, "https://"));
  health = g_strconcat (url, "/health", NULL);
  g_assert_cmpuint (http_get_status (health, TRUE), ==, 200);
  g_assert_true (log_has (tls, "is taken"));

  /* Both announced gateways are there; the other two never were (they
   * started before the TLS one, which is found already). */
  g_assert_null (find_port (browser, quiet->port));
  g_assert_null (find_port (browser, local->port));
  log = read_log (quiet);
  g_assert_null (strstr (log, "LAN discovery"));
  g_clear_pointer (&log, g_free);

  /* A stopped gateway withdraws its announcement. */
  find.port = plain->port;
  daemon_stop (plain);
  wait_for (port_gone, &find, "the stopped gateway to leave the list");
  g_assert_nonnull (find_port (browser, tls->port));

  daemon_stop (tls);
  daemon_stop (quiet);
  daemon_stop (local);
  gr_discovery_browser_stop (browser);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (browser)), ==, 0);
}

typedef struct
{
  GrDiscoveryPublisher *publisher;
  gboolean              saw_waiting;
  gboolean              saw_running_after;
} Watch;

static void
publisher_state_cb (GrDiscoveryPublisher *publisher,
                    GParamSpec           *pspec,
                    Watch                *watch)
{
  GrDiscoveryState state = gr_discovery_publisher_get_state (publisher);

  if (state == GR_DISCOVERY_STATE_WAITING)
    watch->saw_waiting = TRUE;
  else if (state == GR_DISCOVERY_STATE_RUNNING && watch->saw_waiting)
    watch->saw_running_after = TRUE;
}

static gboolean
publisher_running (gpointer data)
{
  return gr_discovery_publisher_get_state (data) == GR_DISCOVERY_STATE_RUNNING;
}

static gboolean
announced_again (gpointer data)
{
  return ((Watch *) data)->saw_running_after;
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  guint      *n_removed)
{
  *n_removed += removed;
}

static gboolean
removed_once (gpointer data)
{
  return *(guint *) data > 0;
}

/* The embedded gateway (GrGateway, as the app runs it) announces itself,
 * notices avahi-daemon go away and come back, and announces itself
 * again; the browser drops the gateway and finds it again. */
static void
test_daemon_restart (void)
{
  g_autoptr(GrDiscoveryBrowser) browser = NULL;
  g_autoptr(GrGateway) gateway = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *script = NULL;
  g_autofree char *cmd = NULL;
  GrConfig *config;
  Find find = { 0 };
  Watch watch = { 0 };
  guint n_removed = 0;
  int status = 0;

  if (!need_avahi ())
    return;

  config = gr_config_new_default ();
  g_free (config->database);
  config->database = g_build_filename (tmp_dir, "embedded.db", NULL);
  g_free (config->listen_host);
  config->listen_host = g_strdup ("0.0.0.0");
  config->listen_port = 0;
  config->threads = 1;
  gateway = gr_gateway_new (config);
  g_assert_true (gr_gateway_start (gateway, &error));
  g_assert_no_error (error);
  watch.publisher = gr_gateway_get_publisher (gateway);
  g_assert_nonnull (watch.publisher);
  wait_for (publisher_running, watch.publisher, "the embedded gateway to be announced");

  browser = gr_discovery_browser_new ();
  gr_discovery_browser_start (browser);
  find.browser = browser;
  find.port = gr_gateway_get_port (gateway);
  wait_for (port_shown, &find, "the embedded gateway to be found");

  g_signal_connect (watch.publisher, "notify::state", G_CALLBACK (publisher_state_cb), &watch);
  g_signal_connect (browser, "items-changed", G_CALLBACK (items_changed_cb), &n_removed);
  script = g_test_build_filename (G_TEST_DIST, "avahi-env.sh", NULL);
  cmd = g_strdup_printf ("%s restart-avahi %s", script, g_getenv ("GR_AVAHI_ENV_DIR"));
  g_test_message ("restarting avahi-daemon: %s", cmd);
  /* Blocking here is fine: GDBus queues what happens meanwhile. */
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);

  /* Both noticed: the publisher went back to waiting and announced the
   * gateway again; the browser lost it and found it again. */
  wait_for (announced_again, &watch, "the announcement after the restart");
  wait_for (removed_once, &n_removed, "the browser to drop the gateway of the old daemon");
  wait_for (port_shown, &find, "the gateway to be found after the restart");
  g_signal_handlers_disconnect_by_data (watch.publisher, &watch);
  g_signal_handlers_disconnect_by_data (browser, &n_removed);

  gr_gateway_stop (gateway);
  g_assert_null (gr_gateway_get_publisher (gateway));
  wait_for (port_gone, &find, "the stopped embedded gateway to leave the list");
}

/* Without avahi-daemon (a bus without it) or without any system bus,
 * gaiarouterd says so once and serves all the same. */
static void
test_without_avahi (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = g_strdup (g_getenv ("DBUS_SYSTEM_BUS_ADDRESS"));
  g_auto(GStrv) lines = NULL;
  g_autofree char *health = NULL;
  g_autofree char *bus = NULL;
  const char *argv[] = { "dbus-daemon", "--session", "--fork", "--nosyslog", "--print-address=1",
                         "--print-pid=1", NULL };
  Daemon *d;
  int status = 0;
  GPid bus_pid;

  if (!gr_discovery_is_built ())
    {
      g_test_skip ("built with -Davahi=disabled");
      return;
    }
  /* No system bus at all. */
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/gr-test-bus", TRUE);
  d = daemon_start ("nobus", "0.0.0.0:0", "");
  health = g_strdup_printf ("http://127.0.0.1:%u/health", d->port);
  g_assert_cmpuint (http_get_status (health, FALSE), ==, 200);
  g_assert_true (log_has (d, "LAN discovery is off: no system D-Bus"));
  daemon_stop (d);
  g_clear_pointer (&health, g_free);

  /* A bus on which nobody owns org.freedesktop.Avahi. */
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &out, &err, &status, &error) || status != 0)
    {
      g_test_skip ("dbus-daemon is not available for a bus without avahi");
      goto out;
    }
  lines = g_strsplit (out, "\n", -1);
  g_assert_nonnull (lines[0]);
  g_assert_nonnull (lines[1]);
  bus = g_strdup (lines[0]);
  bus_pid = (GPid) g_ascii_strtoll (lines[1], NULL, 10);
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", bus, TRUE);
  d = daemon_start ("noavahi", "0.0.0.0:0", "");
  health = g_strdup_printf ("http://127.0.0.1:%u/health", d->port);
  g_assert_cmpuint (http_get_status (health, FALSE), ==, 200);
  g_assert_true (log_has (d, "LAN discovery: avahi-daemon is not running"));
  daemon_stop (d);
  kill (bus_pid, SIGTERM);

out:
  if (saved != NULL)
    g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", saved, TRUE);
  else
    g_unsetenv ("DBUS_SYSTEM_BUS_ADDRESS");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("gr-discovery-XXXXXX", NULL);
  g_assert_nonnull (g_getenv ("GR_GAIAROUTERD"));

  g_test_add_func ("/gaiarouter/discovery/helpers", test_helpers);
  g_test_add_func ("/gaiarouter/discovery/config", test_config);
  g_test_add_func ("/gaiarouter/discovery/daemon-found", test_daemon_found);
  g_test_add_func ("/gaiarouter/discovery/avahi-restart", test_daemon_restart);
  g_test_add_func ("/gaiarouter/discovery/without-avahi", test_without_avahi);

  status = g_test_run ();
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf %s", tmp_dir);

    g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
  }
  g_free (tmp_dir);
  return status;
}
