/* test-admin.c — the admin API end to end: organizations, keys, scopes, stats
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real gateway (own thread, SQLite in a temp directory) and a mock
 * OpenAI upstream; every call goes over HTTP as a remote admin's would.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "core/gr-gateway.h"
#include "mock-upstream.h"
#include "gr-test-db.h"

typedef struct
{
  MockUpstream *mock;
  char         *dir;
  GrGateway    *gateway;
  char         *url;
  char         *admin;
  SoupSession  *session;
} Fixture;

/* gpt-4o prices: $2.50 in, $10 out per million tokens. */
static const char config_ini[] =
  "[gateway]\n"
  "max_body_kib=64\n"
  "[model:mock/ok]\n"
  "provider=mock\n"
  "upstream=ok\n"
  "input_per_mtok=2500000\n"
  "output_per_mtok=10000000\n";

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *mock_url = NULL;
  g_autofree char *base = NULL;
  GrConfig *config;
  GrProviderConfig *p;

  f->mock = mock_upstream_new ();
  f->dir = g_dir_make_tmp ("gr-admin-XXXXXX", &error);
  g_assert_no_error (error);

  config = gr_config_load_data (config_ini, -1, &error);
  g_assert_no_error (error);
  g_free (config->database);
  {
    g_autofree char *file = g_build_filename (f->dir, "gaiarouter.db", NULL);

    config->database = gr_test_db_target (file);
  }
  config->listen_port = 0;
  mock_url = mock_upstream_dup_url (f->mock);
  base = g_strconcat (mock_url, "/v1", NULL);
  p = gr_provider_config_new ("mock", GR_PROVIDER_KIND_OPENAI_COMPATIBLE, base);
  g_ptr_array_add (config->providers, p);

  f->gateway = gr_gateway_new (config);
  g_assert_true (gr_gateway_start (f->gateway, &error));
  f->url = gr_gateway_dup_url (f->gateway);
  f->admin = gr_gateway_dup_new_admin_key (f->gateway);
  f->session = soup_session_new_with_options ("timeout", 20, "max-conns", 64, "max-conns-per-host", 64, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) d = NULL;
  const char *name;

  g_clear_object (&f->session);
  g_clear_object (&f->gateway);
  mock_upstream_free (f->mock);
  d = g_dir_open (f->dir, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->url);
  g_free (f->admin);
}

/* One HTTP call; returns the parsed body (NULL for an empty one). */
static JsonNode *
call (Fixture    *f,
      const char *key,
      const char *method,
      const char *path,
      const char *body,
      guint      *status)
{
  g_autofree char *uri = g_strconcat (f->url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;

  g_assert_nonnull (msg);
  if (key != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", key, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  reply = soup_session_send_and_read (f->session, msg, NULL, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  g_bytes_get_data (reply, &len);
  if (len == 0)
    return NULL;
  {
    g_autofree char *text = g_strndup (g_bytes_get_data (reply, NULL), len);

    return json_from_string (text, NULL);
  }
}

static JsonObject *
obj (JsonNode *node)
{
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

static const char *
error_code (JsonNode *node)
{
  return json_object_get_string_member (json_object_get_object_member (obj (node), "error"), "code");
}

static const char *
error_param (JsonNode *node)
{
  return json_object_get_string_member (json_object_get_object_member (obj (node), "error"), "param");
}

static char *
create_org (Fixture    *f,
            const char *name)
{
  g_autofree char *body = g_strdup_printf ("{\"name\":\"%s\"}", name);
  guint status;
  g_autoptr(JsonNode) node = call (f, f->admin, "POST", "/v1/organizations", body, &status);

  g_assert_cmpuint (status, ==, 201);
  return g_strdup (json_object_get_string_member (obj (node), "id"));
}

/* Creates a key; returns its secret and sets *id. */
static char *
create_key (Fixture    *f,
            const char *caller,
            const char *org_id,
            const char *permissions,
            char      **id)
{
  g_autofree char *body = g_strdup_printf ("{\"org_id\":\"%s\",\"name\":\"k\",\"permissions\":%s}",
                                           org_id, permissions);
  guint status;
  g_autoptr(JsonNode) node = call (f, caller, "POST", "/v1/api-keys", body, &status);

  g_assert_cmpuint (status, ==, 201);
  if (id != NULL)
    *id = g_strdup (json_object_get_string_member (obj (node), "id"));
  return g_strdup (json_object_get_string_member (obj (node), "key"));
}

static guint
chat (Fixture    *f,
      const char *key)
{
  guint status;
  g_autoptr(JsonNode) node = call (f, key, "POST", "/v1/chat/completions",
                                   "{\"model\":\"mock/ok\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                                   &status);
  return status;
}

static void
test_organizations_crud (Fixture       *f,
                         gconstpointer  data)
{
  guint status;
  g_autofree char *a = create_org (f, "Alpha");
  g_autofree char *b = create_org (f, "Beta");
  g_autofree char *path = g_strconcat ("/v1/organizations/", a, NULL);
  g_autoptr(JsonNode) dup = call (f, f->admin, "POST", "/v1/organizations", "{\"name\":\"Alpha\"}", &status);
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) patched = NULL;
  g_autoptr(JsonNode) got = NULL;
  g_autoptr(JsonNode) gone = NULL;
  JsonObject *limits;

  g_assert_cmpuint (status, ==, 409);
  g_assert_cmpstr (error_code (dup), ==, "conflict");

  list = call (f, f->admin, "GET", "/v1/organizations?q=alp&sort=name", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (obj (list), "total"), ==, 1);

  patched = call (f, f->admin, "PATCH", path,
                  "{\"description\":\"first\",\"limits\":{\"rpm\":60,\"monthly_budget_micros\":5000000}}", &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (obj (patched), "name"), ==, "Alpha");
  g_assert_cmpstr (json_object_get_string_member (obj (patched), "description"), ==, "first");
  limits = json_object_get_object_member (obj (patched), "limits");
  g_assert_cmpint (json_object_get_int_member (limits, "rpm"), ==, 60);
  g_assert_cmpint (json_object_get_int_member (limits, "monthly_budget_micros"), ==, 5000000);
  g_assert_true (json_object_get_null_member (limits, "tokens_per_day"));

  /* PATCH changes only what it names. */
  g_clear_pointer (&patched, json_node_unref);
  patched = call (f, f->admin, "PATCH", path, "{\"limits\":{\"rpm\":null}}", &status);
  limits = json_object_get_object_member (obj (patched), "limits");
  g_assert_true (json_object_get_null_member (limits, "rpm"));
  g_assert_cmpint (json_object_get_int_member (limits, "monthly_budget_micros"), ==, 5000000);
  g_assert_cmpstr (json_object_get_string_member (obj (patched), "description"), ==, "first");

  got = call (f, f->admin, "GET", path, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (obj (got), "id"), ==, a);

  g_assert_null (call (f, f->admin, "DELETE", path, NULL, &status));
  g_assert_cmpuint (status, ==, 204);
  gone = call (f, f->admin, "GET", path, NULL, &status);
  g_assert_cmpuint (status, ==, 404);
  (void) b;
}

static void
test_validation (Fixture       *f,
                 gconstpointer  data)
{
  static const struct { const char *method; const char *body; guint status; const char *code; const char *param; } cases[] = {
    { "POST", "{\"name\":\"X\",\"bogus\":1}", 400, "unknown_field", "bogus" },
    { "POST", "{\"name\":7}", 400, "invalid_value", "name" },
    { "POST", "{\"description\":\"no name\"}", 400, "missing_field", "name" },
    { "POST", "{\"name\":\"  \"}", 400, "invalid_value", "name" },
    { "POST", "{\"name\":\"X\",\"status\":\"sleeping\"}", 400, "invalid_value", "status" },
    { "POST", "{\"name\":\"X\",\"limits\":{\"rpm\":-5}}", 400, "invalid_value", "limits.rpm" },
    { "POST", "{\"name\":\"X\",\"limits\":{\"rpm\":99999999999999999999}}", 400, "invalid_value", "limits.rpm" },
    { "POST", "{\"name\":\"X\",\"limits\":{\"speed\":1}}", 400, "unknown_field", "limits.speed" },
    { "POST", "{\"name\":\"X\",\"limits\":{\"rpm\":1.5}}", 400, "invalid_value", "limits.rpm" },
    { "POST", "not json", 400, "invalid_json", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint status;
      g_autoptr(JsonNode) node = call (f, f->admin, cases[i].method, "/v1/organizations", cases[i].body, &status);

      g_test_message ("%s", cases[i].body);
      g_assert_cmpuint (status, ==, cases[i].status);
      g_assert_cmpstr (error_code (node), ==, cases[i].code);
      if (cases[i].param != NULL)
        g_assert_cmpstr (error_param (node), ==, cases[i].param);
    }
}

static void
test_pagination (Fixture       *f,
                 gconstpointer  data)
{
  guint status;
  g_autoptr(JsonNode) page = NULL;
  g_autoptr(JsonNode) last = NULL;
  g_autoptr(JsonNode) beyond = NULL;
  g_autoptr(JsonNode) bad = NULL;

  for (int i = 0; i < 25; i++)
    {
      g_autofree char *name = g_strdup_printf ("Org %02d", i);
      g_autofree char *id = create_org (f, name);
    }
  /* 25 plus the default organization. */
  page = call (f, f->admin, "GET", "/v1/organizations?page=1&page_size=10&sort=name", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (obj (page), "total"), ==, 26);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj (page), "data")), ==, 10);
  last = call (f, f->admin, "GET", "/v1/organizations?page=3&page_size=10", NULL, &status);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj (last), "data")), ==, 6);
  beyond = call (f, f->admin, "GET", "/v1/organizations?page=9&page_size=10", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj (beyond), "data")), ==, 0);
  g_assert_cmpint (json_object_get_int_member (obj (beyond), "total"), ==, 26);
  bad = call (f, f->admin, "GET", "/v1/organizations?page_size=500", NULL, &status);
  g_assert_cmpuint (status, ==, 400);
  g_assert_cmpstr (error_param (bad), ==, "page_size");
}

static void
test_keys_lifecycle (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *org = create_org (f, "Keys Inc");
  g_autofree char *id = NULL;
  g_autofree char *secret = create_key (f, f->admin, org, "[\"chat\"]", &id);
  g_autofree char *path = g_strconcat ("/v1/api-keys/", id, NULL);
  g_autofree char *rotate = g_strconcat (path, "/rotate", NULL);
  guint status;
  g_autoptr(JsonNode) got = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autofree char *list_json = NULL;
  g_autoptr(JsonNode) patched = NULL;
  g_autoptr(JsonNode) rotated = NULL;
  const char *new_secret;

  g_assert_cmpuint (chat (f, secret), ==, 200);

  /* The secret is never shown again. */
  got = call (f, f->admin, "GET", path, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_false (json_object_has_member (obj (got), "key"));
  g_assert_true (g_str_has_prefix (secret, json_object_get_string_member (obj (got), "prefix")));
  list = call (f, f->admin, "GET", "/v1/api-keys?page_size=200", NULL, &status);
  list_json = json_to_string (list, FALSE);
  g_assert_null (strstr (list_json, secret));

  /* Disabling takes effect at once. */
  patched = call (f, f->admin, "PATCH", path, "{\"status\":\"disabled\"}", &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (chat (f, secret), ==, 401);
  g_clear_pointer (&patched, json_node_unref);
  patched = call (f, f->admin, "PATCH", path, "{\"status\":\"active\",\"allowed_models\":[\"openai/*\"]}", &status);
  g_assert_cmpuint (chat (f, secret), ==, 403);
  g_clear_pointer (&patched, json_node_unref);
  patched = call (f, f->admin, "PATCH", path, "{\"allowed_models\":[\"mock/*\"]}", &status);
  g_assert_cmpuint (chat (f, secret), ==, 200);

  /* Rotation: the old secret stops, the new one works. */
  rotated = call (f, f->admin, "POST", rotate, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  new_secret = json_object_get_string_member (obj (rotated), "key");
  g_assert_cmpstr (new_secret, !=, secret);
  g_assert_cmpuint (chat (f, secret), ==, 401);
  g_assert_cmpuint (chat (f, new_secret), ==, 200);

  /* An expired key is refused. */
  g_clear_pointer (&patched, json_node_unref);
  patched = call (f, f->admin, "PATCH", path, "{\"expires_at\":\"2020-01-01T00:00:00Z\"}", &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (chat (f, new_secret), ==, 401);

  g_assert_null (call (f, f->admin, "DELETE", path, NULL, &status));
  g_assert_cmpuint (status, ==, 204);
  g_assert_cmpuint (chat (f, new_secret), ==, 401);
}

/* The "done when" of the admin API: an organization admin key manages
 * exactly its own organization's keys and reads its own statistics. */
static void
test_org_admin_isolation (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *org_a = create_org (f, "A");
  g_autofree char *org_b = create_org (f, "B");
  g_autofree char *b_key_id = NULL;
  g_autofree char *b_secret = create_key (f, f->admin, org_b, "[\"chat\"]", &b_key_id);
  g_autofree char *a_admin = create_key (f, f->admin, org_a,
                                         "[\"keys:read\",\"keys:write\",\"stats:read\",\"orgs:read\",\"chat\"]", NULL);
  g_autofree char *a_key_id = NULL;
  g_autofree char *a_secret = create_key (f, a_admin, org_a, "[\"chat\"]", &a_key_id);
  g_autofree char *b_path = g_strconcat ("/v1/api-keys/", b_key_id, NULL);
  g_autofree char *b_org_path = g_strconcat ("/v1/organizations/", org_b, NULL);
  g_autofree char *b_stats = g_strconcat ("/v1/organizations/", org_b, "/stats", NULL);
  g_autofree char *a_stats = g_strconcat ("/v1/organizations/", org_a, "/stats", NULL);
  g_autofree char *create_in_b = g_strdup_printf ("{\"org_id\":\"%s\",\"name\":\"x\"}", org_b);
  guint status;
  g_autoptr(JsonNode) n1 = NULL, n2 = NULL, n3 = NULL, n4 = NULL, n5 = NULL, n6 = NULL, n7 = NULL, n8 = NULL, n9 = NULL;
  JsonArray *keys;

  g_assert_cmpuint (chat (f, a_secret), ==, 200);
  g_assert_cmpuint (chat (f, b_secret), ==, 200);

  /* Its own keys: the org admin key and the one it made. */
  n1 = call (f, a_admin, "GET", "/v1/api-keys", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  keys = json_object_get_array_member (obj (n1), "data");
  g_assert_cmpuint (json_array_get_length (keys), ==, 2);
  for (guint i = 0; i < json_array_get_length (keys); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (keys, i), "org_id"), ==, org_a);

  /* Another organization's resources do not exist for it. */
  n2 = call (f, a_admin, "GET", b_path, NULL, &status);
  g_assert_cmpuint (status, ==, 404);
  n3 = call (f, a_admin, "PATCH", b_path, "{\"status\":\"disabled\"}", &status);
  g_assert_cmpuint (status, ==, 404);
  g_assert_cmpuint (chat (f, b_secret), ==, 200);
  n4 = call (f, a_admin, "POST", "/v1/api-keys", create_in_b, &status);
  g_assert_cmpuint (status, ==, 404);
  n5 = call (f, a_admin, "GET", b_org_path, NULL, &status);
  g_assert_cmpuint (status, ==, 404);
  n6 = call (f, a_admin, "GET", b_stats, NULL, &status);
  g_assert_cmpuint (status, ==, 404);

  /* No scope it lacks, no organizations, no providers. */
  n7 = call (f, a_admin, "POST", "/v1/api-keys", "{\"name\":\"x\",\"permissions\":[\"admin\"]}", &status);
  g_assert_cmpuint (status, ==, 403);
  n8 = call (f, a_admin, "POST", "/v1/organizations", "{\"name\":\"C\"}", &status);
  g_assert_cmpuint (status, ==, 403);

  /* Its own statistics: exactly its organization's request (usage is
   * written in batches, a few tens of milliseconds after the request). */
  for (int tries = 0; tries < 100; tries++)
    {
      g_clear_pointer (&n9, json_node_unref);
      n9 = call (f, a_admin, "GET", a_stats, NULL, &status);
      g_assert_cmpuint (status, ==, 200);
      if (json_object_get_int_member (json_object_get_object_member (obj (n9), "totals"), "requests") > 0)
        break;
      g_usleep (20 * 1000);
    }
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (obj (n9), "totals"), "requests"), ==, 1);
}

static void
test_scopes (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *org = create_org (f, "Scopes");
  g_autofree char *chat_only = create_key (f, f->admin, org, "[\"chat\"]", NULL);
  g_autofree char *reader = create_key (f, f->admin, org, "[\"keys:read\"]", NULL);
  static const struct { const char *method; const char *path; const char *body; } refused[] = {
    { "GET", "/v1/api-keys", NULL },
    { "POST", "/v1/api-keys", "{\"name\":\"x\"}" },
    { "GET", "/v1/organizations", NULL },
    { "GET", "/v1/stats", NULL },
    { "GET", "/v1/logs", NULL },
  };
  guint status;
  g_autoptr(JsonNode) me = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) write = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(JsonNode) node = call (f, chat_only, refused[i].method, refused[i].path, refused[i].body, &status);

      g_test_message ("%s %s", refused[i].method, refused[i].path);
      g_assert_cmpuint (status, ==, 403);
      g_assert_cmpstr (error_code (node), ==, "insufficient_permissions");
    }
  /* Any key may read itself. */
  me = call (f, chat_only, "GET", "/v1/me", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (json_object_has_member (obj (me), "usage"));
  g_assert_true (json_object_has_member (obj (me), "remaining"));

  list = call (f, reader, "GET", "/v1/api-keys", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  write = call (f, reader, "POST", "/v1/api-keys", "{\"name\":\"x\",\"permissions\":[\"keys:read\"]}", &status);
  g_assert_cmpuint (status, ==, 403);
}

typedef struct
{
  Fixture *f;
  char    *key;
} Worker;

static gpointer
send_requests (gpointer user_data)
{
  Worker *w = user_data;

  for (int i = 0; i < 10; i++)
    g_assert_cmpuint (chat (w->f, w->key), ==, 200);
  return NULL;
}

/* N parallel requests of known usage: totals exact to the token and the
 * micro-dollar. */
static void
test_stats_exact (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *org = create_org (f, "Stats");
  g_autofree char *key_id = NULL;
  g_autofree char *secret = create_key (f, f->admin, org, "[\"chat\"]", &key_id);
  g_autofree char *key_stats = g_strconcat ("/v1/api-keys/", key_id, "/stats?group_by=model", NULL);
  GThread *threads[4];
  Worker worker = { f, secret };
  guint status;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) logs = NULL;
  JsonObject *totals;
  const gint64 n = 40, prompt = 96, completion = 20;
  /* 96 × 2.5 + 20 × 10 micro-dollars per request (prices per million tokens). */
  const gint64 cost_per_request = 96 * 25 / 10 + 20 * 10;

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("client", send_requests, &worker);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  /* Stopping flushes the batched writer; start again on the same data. */
  gr_gateway_stop (f->gateway);
  g_assert_true (gr_gateway_start (f->gateway, NULL));
  g_free (f->url);
  f->url = gr_gateway_dup_url (f->gateway);

  node = call (f, f->admin, "GET", key_stats, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  totals = json_object_get_object_member (obj (node), "totals");
  g_assert_cmpint (json_object_get_int_member (totals, "requests"), ==, n);
  g_assert_cmpint (json_object_get_int_member (totals, "errors"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (totals, "prompt_tokens"), ==, n * prompt);
  g_assert_cmpint (json_object_get_int_member (totals, "completion_tokens"), ==, n * completion);
  g_assert_cmpint (json_object_get_int_member (totals, "cost_micros"), ==, n * cost_per_request);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj (node), "groups")), ==, 1);

  logs = call (f, f->admin, "GET", "/v1/logs?page_size=5&model=mock/ok", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (obj (logs), "total"), ==, n);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj (logs), "data")), ==, 5);
}

typedef struct
{
  Fixture *f;
  char    *key;
  gint     ok;
  gint     limited;
} LimitRun;

static gpointer
send_one (gpointer user_data)
{
  LimitRun *run = user_data;
  guint status = chat (run->f, run->key);

  if (status == 200)
    g_atomic_int_inc (&run->ok);
  else if (status == 429)
    g_atomic_int_inc (&run->limited);
  return NULL;
}

/* Parallel requests cannot pass a rate limit together. */
static void
test_limits_rate_parallel (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *org = create_org (f, "Limited");
  g_autofree char *id = NULL;
  g_autofree char *secret = create_key (f, f->admin, org, "[\"chat\"]", &id);
  g_autofree char *path = g_strconcat ("/v1/api-keys/", id, NULL);
  GThread *threads[20];
  LimitRun run = { f, secret, 0, 0 };
  guint status;
  g_autoptr(JsonNode) patched = call (f, f->admin, "PATCH", path, "{\"limits\":{\"rpm\":7}}", &status);
  g_autoptr(JsonNode) refused = NULL;
  JsonObject *err;

  g_assert_cmpuint (status, ==, 200);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("client", send_one, &run);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_assert_cmpint (run.ok, ==, 7);
  g_assert_cmpint (run.limited, ==, 13);

  refused = call (f, secret, "POST", "/v1/chat/completions",
                  "{\"model\":\"mock/ok\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", &status);
  g_assert_cmpuint (status, ==, 429);
  err = json_object_get_object_member (obj (refused), "error");
  g_assert_cmpstr (json_object_get_string_member (err, "code"), ==, "rate_limit_exceeded");
  g_assert_cmpstr (json_object_get_string_member (err, "type"), ==, "rate_limit_error");
  g_assert_cmpuint (mock_upstream_get_requests (f->mock), ==, 7);
}

/* A monthly budget stops requests once spent; the organization's budget
 * binds every key of it. */
static void
test_limits_budget (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *org = create_org (f, "Budget");
  g_autofree char *org_path = g_strconcat ("/v1/organizations/", org, NULL);
  g_autofree char *a = create_key (f, f->admin, org, "[\"chat\"]", NULL);
  g_autofree char *b = create_key (f, f->admin, org, "[\"chat\"]", NULL);
  guint status;
  /* One request costs 440 micro-dollars; its reservation prices 4 prompt
   * tokens and 16,384 output tokens at $10/M, about 164,000. */
  g_autoptr(JsonNode) patched = call (f, f->admin, "PATCH", org_path,
                                      "{\"limits\":{\"monthly_budget_micros\":200000}}", &status);
  g_autoptr(JsonNode) refused = NULL;
  JsonObject *err;
  int served = 0;

  g_assert_cmpuint (status, ==, 200);
  while (chat (f, served % 2 ? a : b) == 200)
    served++;
  g_test_message ("%d requests fit the budget", served);
  g_assert_cmpint (served, >=, 1);
  refused = call (f, a, "POST", "/v1/chat/completions",
                  "{\"model\":\"mock/ok\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", &status);
  g_assert_cmpuint (status, ==, 429);
  err = json_object_get_object_member (obj (refused), "error");
  g_assert_cmpstr (json_object_get_string_member (err, "type"), ==, "insufficient_quota");
  g_assert_nonnull (strstr (json_object_get_string_member (err, "message"), "budget"));
}

static void
test_unknown_routes (Fixture       *f,
                     gconstpointer  data)
{
  guint status;
  g_autoptr(JsonNode) a = call (f, f->admin, "PUT", "/v1/organizations", "{}", &status);
  g_autoptr(JsonNode) b = NULL;
  g_autoptr(JsonNode) c = NULL;

  g_assert_cmpuint (status, ==, 405);
  b = call (f, f->admin, "GET", "/v1/api-keys/x/y/z", NULL, &status);
  g_assert_cmpuint (status, ==, 404);
  c = call (f, NULL, "GET", "/v1/organizations", NULL, &status);
  g_assert_cmpuint (status, ==, 401);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  if (gr_test_db_skip_all ())
    return g_test_run ();

#define ADD(path, fn) g_test_add ("/gaiarouter/admin/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("organizations-crud", test_organizations_crud);
  ADD ("validation", test_validation);
  ADD ("pagination", test_pagination);
  ADD ("keys-lifecycle", test_keys_lifecycle);
  ADD ("org-admin-isolation", test_org_admin_isolation);
  ADD ("scopes", test_scopes);
  ADD ("stats-exact", test_stats_exact);
  ADD ("limits-rate-parallel", test_limits_rate_parallel);
  ADD ("limits-budget", test_limits_budget);
  ADD ("unknown-routes", test_unknown_routes);
#undef ADD

  return g_test_run ();
}
