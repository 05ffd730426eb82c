/* test-faults.c — storage faults and graceful shutdown of the daemon
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <sqlite3.h>

#include "core/gr-gateway.h"
#include "store/gr-store.h"
#include "mock-upstream.h"

static char *
make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("gr-faults-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static guint
post (SoupSession *session,
      const char  *url,
      const char  *key,
      const char  *body)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  g_autofree char *auth = g_strconcat ("Bearer ", key, NULL);
  g_autoptr(GBytes) reply = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  reply = soup_session_send_and_read (session, msg, NULL, NULL);
  return soup_message_get_status (msg);
}

/* Another process holds the database's write lock: inference goes on from
 * memory, the admin API says 503 clearly, and once the lock is gone the
 * usage events that waited are all written. */
static void
test_database_locked (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *db_path = g_build_filename (dir, "gaiarouter.db", NULL);
  MockUpstream *mock = mock_upstream_new ();
  g_autofree char *mock_url = mock_upstream_dup_url (mock);
  g_autofree char *base = g_strconcat (mock_url, "/v1", NULL);
  g_autoptr(GrGateway) gateway = NULL;
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 30, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *key = NULL;
  g_autofree char *chat = NULL;
  g_autofree char *orgs = NULL;
  g_autoptr(GrStore) store = NULL;
  GrConfig *config = gr_config_new_default ();
  sqlite3 *locker = NULL;
  const char *body = "{\"model\":\"mock/ok\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  g_free (config->database);
  config->database = g_strdup (db_path);
  config->listen_port = 0;
  config->threads = 1;
  g_ptr_array_add (config->providers, gr_provider_config_new ("mock", GR_PROVIDER_KIND_OPENAI_COMPATIBLE, base));
  gateway = gr_gateway_new (config);
  g_assert_true (gr_gateway_start (gateway, &error));
  url = gr_gateway_dup_url (gateway);
  key = gr_gateway_dup_new_admin_key (gateway);
  chat = g_strconcat (url, "/v1/chat/completions", NULL);
  orgs = g_strconcat (url, "/v1/organizations", NULL);

  g_assert_cmpint (sqlite3_open (db_path, &locker), ==, SQLITE_OK);
  sqlite3_busy_timeout (locker, 5000);
  g_assert_cmpint (sqlite3_exec (locker, "BEGIN EXCLUSIVE;", NULL, NULL, NULL), ==, SQLITE_OK);

  for (int i = 0; i < 5; i++)
    g_assert_cmpuint (post (session, chat, key, body), ==, 200);
  /* Writing needs the lock: after the busy timeout, a clear 503. */
  g_assert_cmpuint (post (session, orgs, key, "{\"name\":\"Blocked\"}"), ==, 503);

  g_assert_cmpint (sqlite3_exec (locker, "ROLLBACK;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (locker);

  g_assert_cmpuint (post (session, orgs, key, "{\"name\":\"After\"}"), ==, 201);
  gr_gateway_stop (gateway);

  store = gr_store_open (db_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gr_store_count_usage (store, NULL), ==, 5);
  mock_upstream_free (mock);
}

/* SIGTERM while a stream is being served: the daemon stops accepting,
 * lets the stream finish, flushes usage and exits 0. */
static void
test_sigterm_during_stream (void)
{
  const char *daemon = g_getenv ("GR_GAIAROUTERD");
  const char *mock_bin = g_getenv ("GR_MOCK_SERVER");
  g_autofree char *dir = make_dir ();
  g_autofree char *db_path = g_build_filename (dir, "gaiarouter.db", NULL);
  g_autofree char *ini_path = g_build_filename (dir, "gaiarouter.conf", NULL);
  g_autofree char *key_path = g_build_filename (dir, "admin.key", NULL);
  g_autoptr(GSubprocess) mock = NULL;
  g_autoptr(GSubprocess) gw = NULL;
  g_autoptr(GDataInputStream) mock_out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *port_line = NULL;
  g_autofree char *ini = NULL;
  g_autofree char *key = NULL;
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 30, NULL);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GString) got = g_string_new (NULL);
  g_autoptr(GrStore) store = NULL;
  g_autoptr(GPtrArray) events = NULL;
  char buf[4096];
  gssize n;
  int gw_port = 0;

  if (daemon == NULL || mock_bin == NULL)
    {
      g_test_skip ("GR_GAIAROUTERD and GR_MOCK_SERVER are not set");
      return;
    }
  mock = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, mock_bin, "--port", "0", NULL);
  g_assert_no_error (error);
  mock_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (mock));
  port_line = g_data_input_stream_read_line (mock_out, NULL, NULL, &error);
  g_assert_nonnull (port_line);

  /* A free port for the daemon. */
  {
    g_autoptr(GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
    g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
    g_autoptr(GSocketAddress) bound = NULL;

    g_assert_true (g_socket_bind (s, any, FALSE, NULL));
    bound = g_socket_get_local_address (s, NULL);
    gw_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  }
  ini = g_strdup_printf ("[gateway]\nlisten=127.0.0.1:%d\ndatabase=%s\nshutdown_grace_seconds=10\n"
                         "[provider:mock]\nkind=openai-compatible\nbase_url=http://127.0.0.1:%s/v1\n",
                         gw_port, db_path, g_strstrip (port_line));
  g_assert_true (g_file_set_contents (ini_path, ini, -1, NULL));
  gw = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, daemon, "--config", ini_path, NULL);
  g_assert_no_error (error);
  for (int i = 0; i < 100 && !g_file_test (key_path, G_FILE_TEST_EXISTS); i++)
    g_usleep (50 * 1000);
  g_usleep (200 * 1000);
  g_assert_true (g_file_get_contents (key_path, &key, NULL, NULL));
  g_strstrip (key);

  {
    g_autofree char *chat = g_strdup_printf ("http://127.0.0.1:%d/v1/chat/completions", gw_port);
    g_autofree char *auth = g_strconcat ("Bearer ", key, NULL);
    const char *body = "{\"model\":\"mock/slowstart\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

    msg = soup_message_new ("POST", chat);
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  }
  stream = soup_session_send (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);

  /* The stream is under way (its first byte comes after 1.5 s). */
  g_subprocess_send_signal (gw, SIGTERM);
  while ((n = g_input_stream_read (stream, buf, sizeof buf, NULL, &error)) > 0)
    g_string_append_len (got, buf, n);
  g_assert_no_error (error);
  g_test_message ("stream got %zu bytes: %.200s", got->len, got->str);
  g_assert_true (g_str_has_suffix (got->str, "data: [DONE]\n\n"));

  g_assert_true (g_subprocess_wait (gw, NULL, &error));
  g_assert_true (g_subprocess_get_if_exited (gw));
  g_assert_cmpint (g_subprocess_get_exit_status (gw), ==, 0);
  g_subprocess_send_signal (mock, SIGTERM);
  g_subprocess_wait (mock, NULL, NULL);

  store = gr_store_open (db_path, &error);
  g_assert_no_error (error);
  events = gr_store_list_usage (store, 10, &error);
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpint (((GrUsageEvent *) g_ptr_array_index (events, 0))->status, ==, 200);
  g_assert_false (((GrUsageEvent *) g_ptr_array_index (events, 0))->partial);
}

/* While the database is locked the gateway warns that it retries: those
 * warnings are the expected behaviour here, not failures. */
static gboolean
fatal_log_cb (const char    *log_domain,
              GLogLevelFlags log_level,
              const char    *message,
              gpointer       user_data)
{
  return strstr (message, "database is locked") == NULL;
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_log_set_fatal_handler (fatal_log_cb, NULL);

  g_test_add_func ("/gaiarouter/faults/database-locked", test_database_locked);
  g_test_add_func ("/gaiarouter/faults/sigterm-during-stream", test_sigterm_during_stream);

  return g_test_run ();
}
