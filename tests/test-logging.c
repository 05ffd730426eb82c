/* test-logging.c — the daemon's log lines name their request; no bodies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs gaiarouterd against the mock upstream, makes requests that log
 * (access lines, an upstream error answer with a fallback, an admin call,
 * an unreachable provider), stops it and reads what it wrote to stderr.
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "gr-test-daemon.h"
#include "http/gr-http.h"
#include "mock-upstream.h"

#define MARKER "MARKER-7d1f-conversation-text"
#define SECRET "sk-logging-test-credential-0123456789"

typedef struct
{
  char         *dir;
  MockUpstream *mock;
  GSubprocess  *daemon;
  char         *url;
  char         *key;
  SoupSession  *session;
  GPtrArray    *request_ids;
} Run;

static void
run_start (Run        *r,
           const char *extra)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                         G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GError) error = NULL;
  g_autofree char *ini = NULL;
  g_autofree char *ini_path = NULL;
  g_autofree char *key_path = NULL;
  g_autofree char *mock_url = NULL;
  guint16 port = gr_test_free_port ();

  r->dir = g_dir_make_tmp ("gr-logging-XXXXXX", &error);
  g_assert_no_error (error);
  r->mock = mock_upstream_new ();
  mock_url = mock_upstream_dup_url (r->mock);
  ini = g_strdup_printf ("[gateway]\nlisten=127.0.0.1:%u\ndatabase=%s/gaiarouter.db\nthreads=1\n"
                         "access_log=true\n%s\n"
                         "[provider:mock]\nkind=openai-compatible\nbase_url=%s/v1\napi_key=" SECRET "\n"
                         "[provider:gone]\nkind=openai-compatible\nbase_url=http://127.0.0.1:1/v1\n"
                         "[alias:fallback]\ntargets=mock/error500;mock/ok\n",
                         port, r->dir, extra, mock_url);
  ini_path = gr_test_write_config (r->dir, ini);
  r->daemon = gr_test_daemon_spawn (launcher, ini_path);
  key_path = g_build_filename (r->dir, "admin.key", NULL);
  r->key = gr_test_daemon_read_admin_key (key_path);
  r->url = g_strdup_printf ("http://127.0.0.1:%u", port);
  r->session = soup_session_new_with_options ("timeout", 30, NULL);
  r->request_ids = g_ptr_array_new_with_free_func (g_free);
}

/* Sends a request; remembers its x-request-id; returns the status. */
static guint
call (Run        *r,
      const char *method,
      const char *path,
      const char *body)
{
  g_autofree char *url = g_strconcat (r->url, path, NULL);
  g_autofree char *auth = g_strconcat ("Bearer ", r->key, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *id;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  reply = soup_session_send_and_read (r->session, msg, NULL, &error);
  g_assert_no_error (error);
  id = soup_message_headers_get_one (soup_message_get_response_headers (msg), "x-request-id");
  g_assert_nonnull (id);
  g_ptr_array_add (r->request_ids, g_strdup (id));
  return soup_message_get_status (msg);
}

static void
make_requests (Run *r)
{
  g_assert_cmpuint (call (r, "POST", "/v1/chat/completions",
                          "{\"model\":\"mock/ok\",\"messages\":[{\"role\":\"user\",\"content\":\"" MARKER "\"}]}"),
                    ==, 200);
  g_assert_cmpuint (call (r, "POST", "/v1/chat/completions",
                          "{\"model\":\"mock/ok\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"" MARKER "\"}]}"),
                    ==, 200);
  /* The first target answers 500 (logged), the second serves. */
  g_assert_cmpuint (call (r, "POST", "/v1/chat/completions",
                          "{\"model\":\"fallback\",\"messages\":[{\"role\":\"user\",\"content\":\"" MARKER "\"}]}"),
                    ==, 200);
  /* Nothing listens on port 1: a transfer failure (logged). */
  g_assert_cmpuint (call (r, "POST", "/v1/chat/completions",
                          "{\"model\":\"gone/x\",\"messages\":[{\"role\":\"user\",\"content\":\"" MARKER "\"}]}"),
                    ==, 502);
  g_assert_cmpuint (call (r, "POST", "/v1/organizations", "{\"name\":\"Logged org\"}"), ==, 201);
  /* An upstream error that quotes the credential it was sent. */
  g_assert_cmpuint (call (r, "POST", "/v1/chat/completions",
                          "{\"model\":\"mock/echo-key\",\"messages\":[{\"role\":\"user\",\"content\":\"" MARKER "\"}]}"),
                    ==, 400);
}

/* Stops the daemon; returns its stderr lines. */
static char **
run_stop (Run *r)
{
  g_autofree char *err = NULL;

  g_clear_object (&r->session);
  gr_test_daemon_stop (r->daemon, &err);
  g_clear_object (&r->daemon);
  mock_upstream_free (r->mock);
  g_test_message ("daemon stderr:\n%s", err);
  return g_strsplit (g_strstrip (err), "\n", -1);
}

/* Runs the daemon with the extra [gateway] lines through make_requests()
 * and returns its stderr lines; NULL (skipped) without GR_GAIAROUTERD. */
static char **
run_requests (Run        *r,
              const char *extra)
{
  if (g_getenv ("GR_GAIAROUTERD") == NULL)
    {
      g_test_skip ("GR_GAIAROUTERD is not set");
      return NULL;
    }
  run_start (r, extra);
  make_requests (r);
  return run_stop (r);
}

static void
run_free (Run *r)
{
  g_ptr_array_unref (r->request_ids);
  g_free (r->url);
  g_free (r->key);
  g_free (r->dir);
}

/* Lines of background work (the usage writer, pruning) name no request. */
static gboolean
is_background (const char *message)
{
  return g_str_has_prefix (message, "usage writer") || g_str_has_prefix (message, "prun");
}

static guint
count_with (char       **lines,
            const char  *needle)
{
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], needle) != NULL)
      n++;
  return n;
}

static void
test_text_lines_carry_request_ids (void)
{
  Run r = { 0 };
  g_auto(GStrv) lines = NULL;

  lines = run_requests (&r, "");
  if (lines == NULL)
    return;

  g_assert_cmpuint (g_strv_length (lines), >=, r.request_ids->len);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *open = strstr (lines[i], " [req_");

      if (open == NULL)
        {
          g_assert_true (is_background (strstr (lines[i], "message ") ? strstr (lines[i], "message ") + 8 : lines[i]));
          continue;
        }
      /* The id in the line is one a client got in x-request-id. */
      {
        g_autofree char *id = g_strndup (open + 2, strcspn (open + 2, "]"));
        gboolean known = FALSE;

        for (guint j = 0; j < r.request_ids->len; j++)
          known |= g_str_equal (id, g_ptr_array_index (r.request_ids, j));
        g_assert_true (known);
      }
    }
  /* Every request logged at least its access line, under its own id. */
  for (guint j = 0; j < r.request_ids->len; j++)
    {
      g_autofree char *tag = g_strdup_printf ("[%s]", (char *) g_ptr_array_index (r.request_ids, j));

      g_assert_cmpuint (count_with (lines, tag), >=, 1);
    }
  {
    g_autofree char *fallback = g_strdup_printf ("[%s] provider mock answered HTTP 500",
                                                 (char *) g_ptr_array_index (r.request_ids, 2));
    g_autofree char *gone = g_strdup_printf ("[%s] upstream transfer failed",
                                             (char *) g_ptr_array_index (r.request_ids, 3));
    g_autofree char *admin = g_strdup_printf ("[%s] admin POST /v1/organizations 201",
                                              (char *) g_ptr_array_index (r.request_ids, 4));

    g_assert_cmpuint (count_with (lines, fallback), ==, 1);
    g_assert_cmpuint (count_with (lines, gone), ==, 1);
    g_assert_cmpuint (count_with (lines, admin), ==, 1);
  }
  /* Bodies are not logged by default, nor is any key. */
  g_assert_cmpuint (count_with (lines, MARKER), ==, 0);
  g_assert_cmpuint (count_with (lines, r.key), ==, 0);
  g_assert_cmpuint (count_with (lines, SECRET), ==, 0);
  run_free (&r);
}

static void
test_json_lines_and_bodies (void)
{
  Run r = { 0 };
  g_auto(GStrv) lines = NULL;
  guint with_id = 0;

  lines = run_requests (&r, "log_json=true\nlog_bodies=true\n");
  if (lines == NULL)
    return;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = json_from_string (lines[i], NULL);
      JsonObject *o;
      const char *message;

      g_assert_nonnull (node);
      o = json_node_get_object (node);
      message = json_object_get_string_member (o, "message");
      g_assert_nonnull (json_object_get_string_member (o, "time"));
      g_assert_nonnull (json_object_get_string_member (o, "level"));
      if (!json_object_has_member (o, "request_id"))
        {
          g_assert_true (is_background (message));
          continue;
        }
      with_id++;
      {
        const char *id = json_object_get_string_member (o, "request_id");
        gboolean known = FALSE;

        for (guint j = 0; j < r.request_ids->len; j++)
          known |= g_str_equal (id, g_ptr_array_index (r.request_ids, j));
        g_assert_true (known);
      }
    }
  g_assert_cmpuint (with_id, >=, r.request_ids->len);
  /* log_bodies: the client's body, the upstream request and answer. */
  g_assert_cmpuint (count_with (lines, "\"client request: {"), >=, 4);
  g_assert_cmpuint (count_with (lines, "\"upstream request: {"), >=, 4);
  g_assert_cmpuint (count_with (lines, "\"upstream answer: "), >=, 3);
  g_assert_cmpuint (count_with (lines, MARKER), >=, 8);
  /* Credentials never: headers are not logged, and the provider's
   * credential is redacted from the upstream answer that quoted it. */
  g_assert_cmpuint (count_with (lines, r.key), ==, 0);
  g_assert_cmpuint (count_with (lines, SECRET), ==, 0);
  g_assert_cmpuint (count_with (lines, "Incorrect API key provided: Bearer [redacted]"), ==, 1);
  run_free (&r);
}

/* Request ids come from a per-thread prefix and counter: every id has the
 * documented shape, and none repeats within a thread or across threads. */
#define IDS_PER_THREAD 20000
#define ID_THREADS 4

static gpointer
draw_ids (gpointer data)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < IDS_PER_THREAD; i++)
    g_ptr_array_add (ids, gr_http_next_request_id ());
  return ids;
}

static void
test_request_ids_unique (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GThread *threads[ID_THREADS];
  GPtrArray *all[ID_THREADS];

  for (guint t = 0; t < ID_THREADS; t++)
    threads[t] = g_thread_new ("ids", draw_ids, NULL);
  for (guint t = 0; t < ID_THREADS; t++)
    all[t] = g_thread_join (threads[t]);
  for (guint t = 0; t < ID_THREADS; t++)
    {
      for (guint i = 0; i < all[t]->len; i++)
        {
          const char *id = g_ptr_array_index (all[t], i);

          g_assert_cmpuint (strlen (id), ==, 28);
          g_assert_true (g_str_has_prefix (id, "req_"));
          for (const char *c = id + 4; *c != '\0'; c++)
            g_assert_true (g_ascii_isxdigit (*c) && !g_ascii_isupper (*c));
          g_assert_true (g_hash_table_add (seen, (gpointer) id));
        }
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, ID_THREADS * IDS_PER_THREAD);
  for (guint t = 0; t < ID_THREADS; t++)
    g_ptr_array_unref (all[t]);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gaiarouter/logging/text-lines-carry-request-ids", test_text_lines_carry_request_ids);
  g_test_add_func ("/gaiarouter/logging/json-lines-and-bodies", test_json_lines_and_bodies);
  g_test_add_func ("/gaiarouter/logging/request-ids-unique", test_request_ids_unique);
  return g_test_run ();
}
