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
#include <stdio.h>
#include <unistd.h>

#include "core/gr-gateway.h"
#include "store/gr-store.h"
#include "gr-test-daemon.h"
#include "mock-upstream.h"

static char *
make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("gr-faults-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

/* A POST of the JSON body with key as the bearer token. */
static SoupMessage *
post_message (const char *url,
              const char *key,
              const char *body)
{
  SoupMessage *msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  g_autofree char *auth = g_strconcat ("Bearer ", key, NULL);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  return msg;
}

/* Sends post_message(); returns the status, and the answer in *reply_out
 * when asked. */
static guint
post (SoupSession *session,
      const char  *url,
      const char  *key,
      const char  *body,
      char       **reply_out)
{
  g_autoptr(SoupMessage) msg = post_message (url, key, body);
  g_autoptr(GBytes) reply = soup_session_send_and_read (session, msg, NULL, NULL);

  if (reply_out != NULL)
    *reply_out = g_strndup (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply));
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
  g_autoptr(GrGateway) gateway = NULL;
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 30, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *key = NULL;
  g_autofree char *chat = NULL;
  g_autofree char *orgs = NULL;
  g_autoptr(GrStore) store = NULL;
  sqlite3 *locker = NULL;
  const char *body = "{\"model\":\"mock/ok\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  gateway = gr_gateway_new (gr_test_gateway_config (db_path, mock_url));
  g_assert_true (gr_gateway_start (gateway, &error));
  url = gr_gateway_dup_url (gateway);
  key = gr_gateway_dup_new_admin_key (gateway);
  chat = g_strconcat (url, "/v1/chat/completions", NULL);
  orgs = g_strconcat (url, "/v1/organizations", NULL);

  g_assert_cmpint (sqlite3_open (db_path, &locker), ==, SQLITE_OK);
  sqlite3_busy_timeout (locker, 5000);
  g_assert_cmpint (sqlite3_exec (locker, "BEGIN EXCLUSIVE;", NULL, NULL, NULL), ==, SQLITE_OK);

  for (int i = 0; i < 5; i++)
    g_assert_cmpuint (post (session, chat, key, body, NULL), ==, 200);
  /* Writing needs the lock: after the busy timeout, a clear 503. */
  g_assert_cmpuint (post (session, orgs, key, "{\"name\":\"Blocked\"}", NULL), ==, 503);

  g_assert_cmpint (sqlite3_exec (locker, "ROLLBACK;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (locker);

  g_assert_cmpuint (post (session, orgs, key, "{\"name\":\"After\"}", NULL), ==, 201);
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
  g_autofree char *ini_path = NULL;
  g_autofree char *key_path = g_build_filename (dir, "admin.key", NULL);
  GSubprocess *mock = NULL;
  g_autoptr(GSubprocess) gw = NULL;
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
  mock = gr_test_mock_server_spawn (&port_line);
  gw_port = gr_test_free_port ();
  ini = g_strdup_printf ("[gateway]\nlisten=127.0.0.1:%d\ndatabase=%s\nshutdown_grace_seconds=10\n"
                         "[provider:mock]\nkind=openai-compatible\nbase_url=http://127.0.0.1:%s/v1\n",
                         gw_port, db_path, port_line);
  ini_path = gr_test_write_config (dir, ini);
  gw = gr_test_daemon_spawn (NULL, ini_path);
  key = gr_test_daemon_read_admin_key (key_path);

  {
    g_autofree char *chat = g_strdup_printf ("http://127.0.0.1:%d/v1/chat/completions", gw_port);

    msg = post_message (chat, key,
                        "{\"model\":\"mock/slowstart\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
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

  gr_test_daemon_wait_exit_ok (gw, NULL);
  gr_test_mock_server_stop (mock);

  store = gr_store_open (db_path, &error);
  g_assert_no_error (error);
  events = gr_store_list_usage (store, 10, &error);
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpint (((GrUsageEvent *) g_ptr_array_index (events, 0))->status, ==, 200);
  g_assert_false (((GrUsageEvent *) g_ptr_array_index (events, 0))->partial);
}

static char *self_path;

/* Usage rows in the file, read by a connection of our own. */
static gint64
count_rows (const char *db_path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  if (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2 (db, "SELECT count(*) FROM usage_events;", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static char *
integrity_check (const char *db_path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *result = NULL;

  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check;", -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return result;
}

/* Fills the file system of dir until it refuses more; returns the filler. */
static char *
fill_disk (const char *dir)
{
  char *path = g_build_filename (dir, "filler", NULL);
  g_autofree char *block = g_malloc0 (64 * 1024);
  FILE *f = fopen (path, "w");
  gsize written = 0;

  g_assert_nonnull (f);
  setvbuf (f, NULL, _IONBF, 0);
  while (fwrite (block, 1, 64 * 1024, f) == 64 * 1024)
    written += 64 * 1024;
  /* The last partial blocks, byte-sized, so nothing is left. */
  while (fwrite (block, 1, 512, f) == 512)
    written += 512;
  while (fwrite (block, 1, 1, f) == 1)
    written++;
  fclose (f);
  g_test_message ("filler: %zu bytes", written);
  return path;
}

/* The child run, in its own mount namespace: the database lives on a
 * small tmpfs that the test fills up.  Inference must go on, the admin
 * API must say 503 clearly, the usage events must wait in memory and all
 * reach the file once space is back, and the file must be intact. */
static int
disk_full_child (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *db_path = g_build_filename (dir, "gaiarouter.db", NULL);
  g_autofree char *mount_cmd = g_strdup_printf ("mount -t tmpfs -o size=6m gr-test-tmpfs %s", dir);
  MockUpstream *mock = NULL;
  g_autofree char *mock_url = NULL;
  g_autoptr(GrGateway) gateway = NULL;
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 30, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *key = NULL;
  g_autofree char *chat = NULL;
  g_autofree char *orgs = NULL;
  g_autofree char *filler = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *integrity = NULL;
  const char *body = "{\"model\":\"mock/ok\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  const guint requests = 300;
  int status = 0;
  gint64 rows = -1;

  if (!g_spawn_command_line_sync (mount_cmd, NULL, NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    {
      g_printerr ("cannot mount a tmpfs on %s\n", dir);
      return 1;
    }
  mock = mock_upstream_new ();
  mock_url = mock_upstream_dup_url (mock);
  gateway = gr_gateway_new (gr_test_gateway_config (db_path, mock_url));
  g_assert_true (gr_gateway_start (gateway, &error));
  url = gr_gateway_dup_url (gateway);
  key = gr_gateway_dup_new_admin_key (gateway);
  chat = g_strconcat (url, "/v1/chat/completions", NULL);
  orgs = g_strconcat (url, "/v1/organizations", NULL);

  filler = fill_disk (dir);
  /* Enough events that the WAL must grow (a few fit in pages it reuses). */
  for (guint i = 0; i < requests; i++)
    g_assert_cmpuint (post (session, chat, key, body, NULL), ==, 200);
  g_assert_cmpuint (post (session, orgs, key, "{\"name\":\"Full\"}", &reply), ==, 503);
  g_print ("admin answer on a full disk: %s\n", reply);
  g_assert_nonnull (strstr (reply, "\"code\":\"store_unavailable\""));
  g_assert_nonnull (strstr (reply, "full"));
  rows = count_rows (db_path);
  g_print ("usage rows while full: %" G_GINT64_FORMAT " of %u\n", rows, requests);
  g_assert_cmpint (rows, <, requests);

  /* Space again: the writer's retries land every event. */
  g_assert_cmpint (g_unlink (filler), ==, 0);
  for (int i = 0; i < 200 && (rows = count_rows (db_path)) < requests; i++)
    g_usleep (100 * 1000);
  g_assert_cmpint (rows, ==, requests);
  g_assert_cmpuint (post (session, orgs, key, "{\"name\":\"Space again\"}", NULL), ==, 201);

  gr_gateway_stop (gateway);
  mock_upstream_free (mock);
  g_assert_cmpint (count_rows (db_path), ==, requests);
  integrity = integrity_check (db_path);
  g_assert_cmpstr (integrity, ==, "ok");
  g_print ("disk full: %u requests served, %" G_GINT64_FORMAT " usage rows after recovery, integrity %s\n",
           requests, rows, integrity);
  return 0;
}

/* A read-only database (a read-only mount).  Linux cannot make storage
 * read-only under a running gateway: SQLite keeps its descriptors open
 * for writing, and a remount read-only is refused ("busy") while they
 * exist — only a kernel's emergency remount after disk errors can, and
 * then every write fails like on a full disk, which test_disk_full covers
 * (the usage writer keeps and retries, the admin API says 503).  What can
 * happen is a start on read-only storage: it must be refused with a
 * message that says why, and leave the database intact. */
static int
read_only_child (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *view = make_dir ();
  g_autofree char *db_path = g_build_filename (dir, "gaiarouter.db", NULL);
  g_autofree char *ro_path = g_build_filename (view, "gaiarouter.db", NULL);
  g_autofree char *bind_cmd = g_strdup_printf ("mount --bind %s %s", dir, view);
  g_autofree char *ro_cmd = g_strdup_printf ("mount -o remount,bind,ro %s", view);
  g_autofree char *integrity = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GrGateway) first = NULL;
  g_autoptr(GrGateway) second = NULL;
  int status = 0;

  first = gr_gateway_new (gr_test_gateway_config (db_path, NULL));
  g_assert_true (gr_gateway_start (first, &error));
  gr_gateway_stop (first);

  if (!g_spawn_command_line_sync (bind_cmd, NULL, NULL, &status, NULL) || !g_spawn_check_wait_status (status, NULL) ||
      !g_spawn_command_line_sync (ro_cmd, NULL, NULL, &status, NULL) || !g_spawn_check_wait_status (status, NULL))
    {
      g_printerr ("cannot make a read-only bind mount of %s\n", dir);
      return 1;
    }
  second = gr_gateway_new (gr_test_gateway_config (ro_path, NULL));
  g_assert_false (gr_gateway_start (second, &error));
  g_assert_nonnull (error);
  g_print ("start on a read-only mount: %s\n", error->message);
  g_assert_nonnull (strstr (error->message, "is not writable (Read-only file system)"));
  g_assert_nonnull (strstr (error->message, "-wal and -shm"));

  integrity = integrity_check (db_path);
  g_assert_cmpstr (integrity, ==, "ok");
  return 0;
}

static void
run_in_mount_namespace (const char *mode)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  const char *argv[] = { "unshare", "--mount", "--propagation", "private", self_path, mode, NULL };
  g_autofree char *unshare = g_find_program_in_path ("unshare");

  if (geteuid () != 0 || unshare == NULL)
    {
      g_test_skip ("needs root and unshare(1) to mount in a private mount namespace");
      return;
    }
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  g_test_message ("child: %s", out);
  if (!g_spawn_check_wait_status (status, NULL))
    g_test_message ("child stderr: %s", err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static void
test_read_only (void)
{
  run_in_mount_namespace ("--read-only-child");
}

/* Needs root for a mount namespace (CI runs as root); the filesystem is a
 * real tmpfs of 6 MiB, so SQLite meets a real ENOSPC (SQLITE_FULL). */
static void
test_disk_full (void)
{
  run_in_mount_namespace ("--disk-full-child");
}

/* While the database is locked the gateway warns that it retries: those
 * warnings are the expected behaviour here, not failures. */
static gboolean
fatal_log_cb (const char    *log_domain,
              GLogLevelFlags log_level,
              const char    *message,
              gpointer       user_data)
{
  return strstr (message, "database is locked") == NULL &&
         strstr (message, "database or disk is full") == NULL;
}

int
main (int   argc,
      char *argv[])
{
  self_path = g_canonicalize_filename (argv[0], NULL);
  if (argc == 2 && g_str_equal (argv[1], "--disk-full-child"))
    {
      g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL);
      return disk_full_child ();
    }
  if (argc == 2 && g_str_equal (argv[1], "--read-only-child"))
    return read_only_child ();
  g_test_init (&argc, &argv, NULL);
  g_test_log_set_fatal_handler (fatal_log_cb, NULL);

  g_test_add_func ("/gaiarouter/faults/database-locked", test_database_locked);
  g_test_add_func ("/gaiarouter/faults/sigterm-during-stream", test_sigterm_during_stream);
  g_test_add_func ("/gaiarouter/faults/disk-full", test_disk_full);
  g_test_add_func ("/gaiarouter/faults/read-only-database", test_read_only);

  return g_test_run ();
}
