/* test-multi-gateway.c — two gaiarouterd processes on one PostgreSQL database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Keys made through one gateway work on the other, a key's rpm holds
 * across both, statistics add up, and admin changes (providers, aliases,
 * a disabled key) reach the other gateway within the documented window.
 * Needs GR_TEST_PG_URL (scripts/test starts a throwaway server).
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "gr-test-daemon.h"
#include "gr-test-db.h"

/* docs/deployment.md promises changes within 2 s; a loaded CI machine
 * gets more. */
#define PROPAGATION_TIMEOUT_S 15

typedef struct
{
  GSubprocess *process;
  int          port;
  char        *dir;
} Daemon;

typedef struct
{
  char        *db_url;
  GSubprocess *mock;
  char        *mock_port;
  Daemon       a;
  Daemon       b;
  char        *admin;
  SoupSession *session;
} Fixture;

static JsonNode *
call (Fixture    *f,
      Daemon     *d,
      const char *key,
      const char *method,
      const char *path,
      const char *body,
      guint      *status)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%d%s", d->port, path);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *auth = g_strconcat ("Bearer ", key, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  answer = soup_session_send_and_read (f->session, msg, NULL, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  if (g_bytes_get_size (answer) == 0 ||
      !json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), NULL))
    return NULL;
  return json_node_copy (json_parser_get_root (parser));
}

static void
start_daemon (Fixture *f,
              Daemon  *d)
{
  g_autofree char *ini_path = NULL;
  g_autofree char *ini = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);

  d->dir = g_dir_make_tmp ("gr-multi-XXXXXX", &error);
  g_assert_no_error (error);
  d->port = gr_test_free_port ();
  ini = g_strdup_printf ("[gateway]\nlisten=127.0.0.1:%d\ndatabase=%s\nshutdown_grace_seconds=5\n"
                         "[provider:mock]\nkind=openai-compatible\nbase_url=http://127.0.0.1:%s/v1\n",
                         d->port, f->db_url, f->mock_port);
  ini_path = gr_test_write_config (d->dir, ini);
  /* The admin key file goes to the data directory. */
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", d->dir, TRUE);
  d->process = gr_test_daemon_spawn (launcher, ini_path);
}

static char *
find_admin_key (Daemon *d)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  const char *argv[] = { "find", d->dir, "-name", "admin.key", NULL };
  char *contents = NULL;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, NULL, NULL, &error));
  g_assert_no_error (error);
  g_strstrip (out);
  if (*out == '\0')
    return NULL;
  g_assert_true (g_file_get_contents (out, &contents, NULL, NULL));
  return g_strstrip (contents);
}

static void
stop_daemon (Daemon *d)
{
  if (d->process != NULL)
    {
      gr_test_daemon_stop (d->process, NULL);
      g_clear_object (&d->process);
    }
  if (d->dir != NULL)
    {
      const char *argv[] = { "rm", "-rf", d->dir, NULL };

      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
      g_clear_pointer (&d->dir, g_free);
    }
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->session = soup_session_new_with_options ("timeout", 30, "max-conns", 64, "max-conns-per-host", 64, NULL);
  f->db_url = gr_test_db_new_pg ();  /* dropped when the program exits */
  if (f->db_url == NULL)
    return;
  f->mock = gr_test_mock_server_spawn (&f->mock_port);

  /* The first one makes the schema and the bootstrap admin key; the
   * second one finds both there. */
  start_daemon (f, &f->a);
  gr_test_daemon_wait_ready (f->session, f->a.port);
  f->admin = find_admin_key (&f->a);
  g_assert_nonnull (f->admin);
  start_daemon (f, &f->b);
  gr_test_daemon_wait_ready (f->session, f->b.port);
  g_assert_null (find_admin_key (&f->b));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  stop_daemon (&f->a);
  stop_daemon (&f->b);
  gr_test_mock_server_stop (g_steal_pointer (&f->mock));
  g_free (f->db_url);
  g_free (f->mock_port);
  g_free (f->admin);
  g_clear_object (&f->session);
}

static const char *
member_string (JsonNode   *node,
               const char *name)
{
  g_assert_nonnull (node);
  return json_object_get_string_member (json_node_get_object (node), name);
}

/* Polls path on d with key until it answers want (or the window passes). */
static void
wait_for_status (Fixture    *f,
                 Daemon     *d,
                 const char *key,
                 const char *method,
                 const char *path,
                 const char *body,
                 guint       want)
{
  gint64 deadline = g_get_monotonic_time () + PROPAGATION_TIMEOUT_S * G_USEC_PER_SEC;
  gint64 start = g_get_monotonic_time ();
  guint status = 0;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(JsonNode) answer = call (f, d, key, method, path, body, &status);

      if (status == want)
        {
          g_test_message ("%s %s answered %u after %.2f s", method, path, want,
                          (g_get_monotonic_time () - start) / 1e6);
          return;
        }
      g_usleep (100 * 1000);
    }
  g_test_message ("%s %s still answers %u, not %u", method, path, status, want);
  g_assert_cmpuint (status, ==, want);
}

typedef struct
{
  Fixture *f;
  Daemon  *d;
  char    *key;
  guint    status;
} Shot;

static gpointer
shot_thread (gpointer data)
{
  Shot *s = data;
  g_autoptr(JsonNode) answer =
    call (s->f, s->d, s->key, "POST", "/v1/chat/completions",
          "{\"model\":\"mock/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
          &s->status);
  return NULL;
}

static gint64
summary_requests (Fixture *f,
                  Daemon  *d)
{
  guint status = 0;
  g_autoptr(JsonNode) summary = call (f, d, f->admin, "GET", "/v1/stats/summary?tz=UTC", NULL, &status);
  JsonObject *today;

  g_assert_cmpuint (status, ==, 200);
  today = json_object_get_object_member (json_node_get_object (summary), "today");
  return json_object_get_int_member (json_object_get_object_member (today, "totals"), "requests");
}

static void
test_shared_state (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(JsonNode) org = NULL;
  g_autoptr(JsonNode) key = NULL;
  g_autoptr(JsonNode) provider = NULL;
  g_autofree char *body = NULL;
  g_autofree char *key_path = NULL;
  const char *secret;
  Shot shots[10];
  GThread *threads[G_N_ELEMENTS (shots)];
  guint status = 0, passed = 0, refused = 0;
  gint64 on_a = -1, on_b = -2;

  if (f->db_url == NULL)
    return;  /* skipped */

  /* A key made on A, with an rpm of 5. */
  org = call (f, &f->a, f->admin, "POST", "/v1/organizations", "{\"name\":\"Team\"}", &status);
  g_assert_cmpuint (status, ==, 201);
  body = g_strdup_printf ("{\"org_id\":\"%s\",\"name\":\"shared\",\"limits\":{\"rpm\":5}}",
                          member_string (org, "id"));
  key = call (f, &f->a, f->admin, "POST", "/v1/api-keys", body, &status);
  g_assert_cmpuint (status, ==, 201);
  secret = member_string (key, "key");

  /* … works on B. */
  wait_for_status (f, &f->b, secret, "GET", "/v1/models", NULL, 200);

  /* Ten requests at once, five to each gateway: the rpm holds across
   * both, so exactly five pass. */
  for (guint i = 0; i < G_N_ELEMENTS (shots); i++)
    {
      shots[i] = (Shot) { f, i % 2 ? &f->b : &f->a, (char *) secret, 0 };
      threads[i] = g_thread_new ("shot", shot_thread, &shots[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (shots); i++)
    {
      g_thread_join (threads[i]);
      if (shots[i].status == 200)
        passed++;
      else if (shots[i].status == 429)
        refused++;
      else
        g_test_message ("unexpected status %u", shots[i].status);
    }
  g_assert_cmpuint (passed, ==, 5);
  g_assert_cmpuint (refused, ==, 5);

  /* Both gateways report the same totals: every request of both. */
  for (int i = 0; i < 100 && (on_a != 10 || on_b != 10); i++)
    {
      g_usleep (100 * 1000);
      on_a = summary_requests (f, &f->a);
      on_b = summary_requests (f, &f->b);
    }
  g_assert_cmpint (on_a, ==, 10);
  g_assert_cmpint (on_b, ==, 10);

  /* A provider made on B routes on A; an alias made on A routes on B. */
  body = g_strdup_printf ("{\"name\":\"second\",\"kind\":\"openai-compatible\","
                          "\"base_url\":\"http://127.0.0.1:%s/v1\"}", f->mock_port);
  provider = call (f, &f->b, f->admin, "POST", "/v1/providers", body, &status);
  g_assert_cmpuint (status, ==, 201);
  wait_for_status (f, &f->a, f->admin, "POST", "/v1/chat/completions",
                   "{\"model\":\"second/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                   200);
  g_clear_pointer (&provider, json_node_unref);
  provider = call (f, &f->a, f->admin, "POST", "/v1/registry/aliases",
                   "{\"name\":\"team-default\",\"targets\":[\"second/gpt-4o-mini\"]}", &status);
  g_assert_cmpuint (status, ==, 201);
  wait_for_status (f, &f->b, f->admin, "POST", "/v1/chat/completions",
                   "{\"model\":\"team-default\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                   200);

  /* A key disabled on B stops working on A. */
  key_path = g_strdup_printf ("/v1/api-keys/%s", member_string (key, "id"));
  g_clear_pointer (&provider, json_node_unref);
  provider = call (f, &f->b, f->admin, "PATCH", key_path, "{\"status\":\"disabled\"}", &status);
  g_assert_cmpuint (status, ==, 200);
  wait_for_status (f, &f->a, secret, "GET", "/v1/models", NULL, 401);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/gaiarouter/multi-gateway/shared-state", Fixture, NULL,
              fixture_setup, test_shared_state, fixture_teardown);
  return g_test_run ();
}
