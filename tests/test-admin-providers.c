/* test-admin-providers.c — /v1/providers and /v1/registry end to end
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real gateway (own thread, SQLite in a temp directory) with one
 * provider from its configuration file pointing at a mock OpenAI
 * upstream; every call goes over HTTP as the admin app's would.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include "store/gr-db.h"

#include "core/gr-gateway.h"
#include "mock-upstream.h"
#include "gr-test-db.h"

/* Long enough to be masked as "sk-…WXYZ"; must never appear in an answer. */
#define API_SECRET    "sk-test-0123456789abcdefghijklmnopqrstuvWXYZ"
#define CONFIG_SECRET "sk-config-9876543210zyxwvutsrqponmlkjih"

typedef struct
{
  MockUpstream *mock;
  char         *mock_base;   /* http://127.0.0.1:PORT/v1 */
  char         *closed_base; /* a port nobody listens on */
  char         *dir;
  char         *db_path;
  char         *ini;         /* the configuration file */
  GrGateway    *gateway;
  char         *url;
  char         *admin;
  SoupSession  *session;
} Fixture;

/* A loopback port that was free a moment ago and is closed now. */
static guint16
closed_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, &error);

  g_assert_no_error (error);
  g_socket_listener_close (listener);
  return port;
}

/* A gateway as a fresh process would make it: the configuration read
 * from the file, the state from the database. */
static void
start_gateway (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GrConfig *config = gr_config_load_data (f->ini, -1, &error);

  g_assert_no_error (error);
  g_free (config->database);
  config->database = g_strdup (f->db_path);
  config->listen_port = 0;
  f->gateway = gr_gateway_new (config);
  g_assert_true (gr_gateway_start (f->gateway, &error));
  g_assert_no_error (error);
  g_free (f->url);
  f->url = gr_gateway_dup_url (f->gateway);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *mock_url = NULL;

  f->mock = mock_upstream_new ();
  mock_url = mock_upstream_dup_url (f->mock);
  f->mock_base = g_strconcat (mock_url, "/v1", NULL);
  f->closed_base = g_strdup_printf ("http://127.0.0.1:%u/v1", closed_port ());
  f->dir = g_dir_make_tmp ("gr-admin-providers-XXXXXX", &error);
  g_assert_no_error (error);
  {
    g_autofree char *file = g_build_filename (f->dir, "gaiarouter.db", NULL);

    f->db_path = gr_test_db_target (file);
  }

  /* mock/ok is priced like gpt-4o: $2.50 in, $10 out per million tokens. */
  f->ini = g_strdup_printf ("[gateway]\n"
                         "max_body_kib=64\n"
                         "[provider:mock]\n"
                         "kind=openai-compatible\n"
                         "base_url=%s\n"
                         "api_key=" CONFIG_SECRET "\n"
                         "[model:mock/ok]\n"
                         "provider=mock\n"
                         "upstream=ok\n"
                         "input_per_mtok=2500000\n"
                         "output_per_mtok=10000000\n",
                         f->mock_base);
  start_gateway (f);
  f->admin = gr_gateway_dup_new_admin_key (f->gateway);
  f->session = soup_session_new_with_options ("timeout", 30, NULL);
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
  g_free (f->db_path);
  g_free (f->ini);
  g_free (f->mock_base);
  g_free (f->closed_base);
  g_free (f->url);
  g_free (f->admin);
}

/* A new gateway on the same database, as after a restart of the program. */
static void
restart (Fixture *f)
{
  gr_gateway_stop (f->gateway);
  g_clear_object (&f->gateway);
  start_gateway (f);
}

/* The same gateway stopped and started again (as the desktop app does):
 * it keeps its GrConfig, which must not end up with duplicates. */
static void
restart_same (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  gr_gateway_stop (f->gateway);
  g_assert_true (gr_gateway_start (f->gateway, &error));
  g_assert_no_error (error);
  g_free (f->url);
  f->url = gr_gateway_dup_url (f->gateway);
}

/* One HTTP call; returns the parsed body (NULL for an empty one).  No
 * answer may ever carry a provider credential. */
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
  g_autofree char *text = NULL;
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
  text = g_strndup (g_bytes_get_data (reply, NULL), len);
  g_assert_null (strstr (text, API_SECRET));
  g_assert_null (strstr (text, CONFIG_SECRET));
  /* Not even a long piece of one. */
  g_assert_null (strstr (text, "0123456789abcdef"));
  g_assert_null (strstr (text, "9876543210zyx"));
  return json_from_string (text, NULL);
}

static JsonObject *
obj (JsonNode *node)
{
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

static JsonObject *
error_of (JsonNode *node)
{
  return json_object_get_object_member (obj (node), "error");
}

static const char *
error_code (JsonNode *node)
{
  return json_object_get_string_member (error_of (node), "code");
}

static const char *
error_param (JsonNode *node)
{
  return json_object_get_string_member (error_of (node), "param");
}

/* Calls and checks the status; returns the body. */
static JsonNode *
expect (Fixture    *f,
        const char *key,
        const char *method,
        const char *path,
        const char *body,
        guint       expected)
{
  guint status = 0;
  JsonNode *node = call (f, key, method, path, body, &status);

  if (status != expected)
    g_test_message ("%s %s → %u: %s", method, path, status,
                    node ? json_to_string (node, FALSE) : "(empty)");
  g_assert_cmpuint (status, ==, expected);
  return node;
}

static char *
create_key (Fixture    *f,
            const char *permissions)
{
  g_autofree char *body = g_strdup_printf ("{\"name\":\"k\",\"permissions\":%s}", permissions);
  g_autoptr(JsonNode) node = expect (f, f->admin, "POST", "/v1/api-keys", body, 201);

  return g_strdup (json_object_get_string_member (obj (node), "key"));
}

/* A chat completion; returns the status and, when given, the answer. */
static guint
chat (Fixture    *f,
      const char *model,
      JsonNode  **answer)
{
  g_autofree char *body = g_strdup_printf ("{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                                           model);
  guint status = 0;
  JsonNode *node = call (f, f->admin, "POST", "/v1/chat/completions", body, &status);

  if (answer != NULL)
    *answer = node;
  else if (node != NULL)
    json_node_unref (node);
  return status;
}

static char *
provider_body (const char *name,
               const char *base_url,
               const char *extra)
{
  return g_strdup_printf ("{\"name\":\"%s\",\"kind\":\"openai-compatible\",\"base_url\":\"%s\","
                          "\"api_key\":\"" API_SECRET "\"%s}", name, base_url, extra ? extra : "");
}

static JsonObject *
find_in_list (JsonNode   *list,
              const char *member,
              const char *value)
{
  JsonArray *data = json_object_get_array_member (obj (list), "data");

  for (guint i = 0; i < json_array_get_length (data); i++)
    {
      JsonObject *o = json_array_get_object_element (data, i);

      if (g_strcmp0 (json_object_get_string_member (o, member), value) == 0)
        return o;
    }
  return NULL;
}

/* ------------------------------------------------------------------ */
/* A model listing upstream                                            */
/* ------------------------------------------------------------------ */

/* The mock upstream answers chats only; the test call of a provider
 * lists models.  This small server on its own thread answers the three
 * listing dialects and remembers what it was sent. */
typedef struct
{
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  guint16       port;
  GMutex        lock;
  GCond         cond;
  gboolean      ready;
  char         *last_path;
  char         *last_auth;     /* Authorization */
  char         *last_key;      /* x-api-key */
  char         *last_goog;     /* x-goog-api-key */
  char         *last_version;  /* anthropic-version */
} Listing;

static void
listing_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  Listing *l = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *body;

  g_mutex_lock (&l->lock);
  g_free (l->last_path);
  l->last_path = g_strdup (path);
  g_free (l->last_auth);
  l->last_auth = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  g_free (l->last_key);
  l->last_key = g_strdup (soup_message_headers_get_one (headers, "x-api-key"));
  g_free (l->last_goog);
  l->last_goog = g_strdup (soup_message_headers_get_one (headers, "x-goog-api-key"));
  g_free (l->last_version);
  l->last_version = g_strdup (soup_message_headers_get_one (headers, "anthropic-version"));
  g_mutex_unlock (&l->lock);

  if (g_str_equal (path, "/v1beta/models"))
    body = "{\"models\":[{\"name\":\"models/a\"},{\"name\":\"models/b\"},{\"name\":\"models/c\"}]}";
  else if (g_str_equal (path, "/v1/models"))
    body = "{\"object\":\"list\",\"data\":[{\"id\":\"a\"},{\"id\":\"b\"}]}";
  else
    {
      soup_server_message_set_status (msg, 404, NULL);
      return;
    }
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, body, strlen (body));
}

static gpointer
listing_thread (gpointer data)
{
  Listing *l = data;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (l->context);
  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, NULL, listing_cb, l, NULL);
  if (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    {
      uris = soup_server_get_uris (server);
      l->port = g_uri_get_port (uris->data);
      g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
    }
  /* Signalled on failure too: the starter must not wait forever. */
  g_mutex_lock (&l->lock);
  l->ready = TRUE;
  g_cond_signal (&l->cond);
  g_mutex_unlock (&l->lock);
  if (error == NULL)
    g_main_loop_run (l->loop);
  g_clear_object (&server);
  /* Let the closing sockets' sources run and drop their references. */
  while (g_main_context_iteration (l->context, FALSE))
    ;
  g_main_context_pop_thread_default (l->context);
  return NULL;
}

static Listing *
listing_new (void)
{
  Listing *l = g_new0 (Listing, 1);

  g_mutex_init (&l->lock);
  g_cond_init (&l->cond);
  l->context = g_main_context_new ();
  l->loop = g_main_loop_new (l->context, FALSE);
  l->thread = g_thread_new ("listing", listing_thread, l);
  g_mutex_lock (&l->lock);
  while (!l->ready)
    g_cond_wait (&l->cond, &l->lock);
  g_mutex_unlock (&l->lock);
  g_assert_cmpuint (l->port, !=, 0);
  return l;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
listing_free (Listing *l)
{
  g_main_context_invoke (l->context, quit_cb, l->loop);
  g_thread_join (l->thread);
  g_main_loop_unref (l->loop);
  g_main_context_unref (l->context);
  g_mutex_clear (&l->lock);
  g_cond_clear (&l->cond);
  g_free (l->last_path);
  g_free (l->last_auth);
  g_free (l->last_key);
  g_free (l->last_goog);
  g_free (l->last_version);
  g_free (l);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Listing, listing_free)

/* ------------------------------------------------------------------ */
/* Providers                                                           */
/* ------------------------------------------------------------------ */

static void
test_providers_crud (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *body = provider_body ("extra", f->mock_base, ",\"x_title\":\"GaiaRouter\"");
  g_autoptr(JsonNode) created = expect (f, f->admin, "POST", "/v1/providers", body, 201);
  g_autoptr(JsonNode) dup = expect (f, f->admin, "POST", "/v1/providers", body, 409);
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) got = NULL;
  g_autoptr(JsonNode) patched = NULL;
  g_autoptr(JsonNode) cleared = NULL;
  g_autoptr(JsonNode) short_key = NULL;
  g_autoptr(JsonNode) gone = NULL;
  g_autoptr(JsonNode) sorted = NULL;
  JsonObject *o, *health;

  o = obj (created);
  g_assert_cmpstr (json_object_get_string_member (o, "id"), ==, "extra");
  g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "openai-compatible");
  g_assert_cmpstr (json_object_get_string_member (o, "source"), ==, "api");
  g_assert_cmpstr (json_object_get_string_member (o, "base_url"), ==, f->mock_base);
  g_assert_cmpstr (json_object_get_string_member (o, "api_key"), ==, "sk-…WXYZ");
  g_assert_true (json_object_get_boolean_member (o, "has_api_key"));
  g_assert_true (json_object_get_null_member (o, "api_key_env"));
  g_assert_true (json_object_get_boolean_member (o, "enabled"));
  g_assert_cmpstr (json_object_get_string_member (o, "x_title"), ==, "GaiaRouter");
  g_assert_cmpint (json_object_get_int_member (o, "connect_timeout_seconds"), ==, 10);
  health = json_object_get_object_member (o, "health");
  g_assert_false (json_object_get_boolean_member (health, "cooling_down"));
  g_assert_cmpint (json_object_get_int_member (health, "recent_failures"), ==, 0);
  g_assert_cmpstr (error_code (dup), ==, "conflict");

  /* The configuration's providers (built-in defaults included) and ours. */
  list = expect (f, f->admin, "GET", "/v1/providers?page_size=200", NULL, 200);
  o = find_in_list (list, "id", "mock");
  g_assert_nonnull (o);
  g_assert_cmpstr (json_object_get_string_member (o, "source"), ==, "config");
  g_assert_cmpstr (json_object_get_string_member (o, "api_key"), ==, "sk-…kjih");
  g_assert_true (json_object_get_null_member (o, "api_key_env"));
  g_assert_nonnull (find_in_list (list, "id", "extra"));
  o = find_in_list (list, "id", "openai");
  g_assert_nonnull (o);
  g_assert_cmpstr (json_object_get_string_member (o, "api_key_env"), ==, "OPENAI_API_KEY");
  g_assert_cmpint (json_object_get_int_member (obj (list), "total"), ==,
                   json_array_get_length (json_object_get_array_member (obj (list), "data")));

  sorted = expect (f, f->admin, "GET", "/v1/providers?q=EXT&sort=-name", NULL, 200);
  g_assert_cmpint (json_object_get_int_member (obj (sorted), "total"), ==, 1);

  got = expect (f, f->admin, "GET", "/v1/providers/extra", NULL, 200);
  g_assert_cmpstr (json_object_get_string_member (obj (got), "name"), ==, "extra");

  /* PATCH changes what it names and nothing else. */
  patched = expect (f, f->admin, "PATCH", "/v1/providers/extra",
                    "{\"idle_timeout_seconds\":30,\"proxy\":\"http://user:hunter22@127.0.0.1:3128\"}", 200);
  o = obj (patched);
  g_assert_cmpint (json_object_get_int_member (o, "idle_timeout_seconds"), ==, 30);
  g_assert_cmpstr (json_object_get_string_member (o, "x_title"), ==, "GaiaRouter");
  g_assert_cmpstr (json_object_get_string_member (o, "api_key"), ==, "sk-…WXYZ");
  /* A password in a proxy URL is a credential too. */
  g_assert_null (strstr (json_object_get_string_member (o, "proxy"), "hunter22"));

  cleared = expect (f, f->admin, "PATCH", "/v1/providers/extra", "{\"api_key\":null,\"proxy\":null}", 200);
  g_assert_true (json_object_get_null_member (obj (cleared), "api_key"));
  g_assert_false (json_object_get_boolean_member (obj (cleared), "has_api_key"));

  short_key = expect (f, f->admin, "PATCH", "/v1/providers/extra", "{\"api_key\":\"sk-short\"}", 200);
  g_assert_cmpstr (json_object_get_string_member (obj (short_key), "api_key"), ==, "••••");

  g_assert_null (expect (f, f->admin, "DELETE", "/v1/providers/extra", NULL, 204));
  gone = expect (f, f->admin, "GET", "/v1/providers/extra", NULL, 404);
  g_assert_cmpstr (error_code (gone), ==, "not_found");
}

static void
test_provider_serves_at_once (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *body = provider_body ("fresh", f->mock_base, NULL);
  g_autoptr(JsonNode) created = NULL;
  g_autoptr(JsonNode) refused = NULL;
  g_autoptr(JsonNode) models = NULL;
  g_autofree char *auth = NULL;
  guint before;

  g_assert_cmpuint (chat (f, "fresh/ok", &refused), ==, 404);
  g_assert_cmpstr (error_code (refused), ==, "model_not_found");

  created = expect (f, f->admin, "POST", "/v1/providers", body, 201);
  before = mock_upstream_get_requests (f->mock);
  g_assert_cmpuint (chat (f, "fresh/ok", NULL), ==, 200);
  g_assert_cmpuint (mock_upstream_get_requests (f->mock), ==, before + 1);
  /* With the key we gave it. */
  auth = mock_upstream_dup_last_header (f->mock, "Authorization");
  g_assert_cmpstr (auth, ==, "Bearer " API_SECRET);
}

static void
test_patch_base_url (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *body = provider_body ("moving", f->mock_base, NULL);
  g_autofree char *to_closed = g_strdup_printf ("{\"base_url\":\"%s/\"}", f->closed_base);
  g_autofree char *to_mock = g_strdup_printf ("{\"base_url\":\"%s\"}", f->mock_base);
  g_autoptr(JsonNode) created = expect (f, f->admin, "POST", "/v1/providers", body, 201);
  g_autoptr(JsonNode) p1 = NULL;
  g_autoptr(JsonNode) p2 = NULL;
  g_autoptr(JsonNode) p3 = NULL;
  guint before;

  g_assert_cmpuint (chat (f, "moving/ok", NULL), ==, 200);

  p1 = expect (f, f->admin, "PATCH", "/v1/providers/moving", to_closed, 200);
  /* The trailing slash is dropped, as for the configuration file. */
  g_assert_cmpstr (json_object_get_string_member (obj (p1), "base_url"), ==, f->closed_base);
  before = mock_upstream_get_requests (f->mock);
  g_assert_cmpuint (chat (f, "moving/ok", NULL), !=, 200);
  g_assert_cmpuint (mock_upstream_get_requests (f->mock), ==, before);

  p2 = expect (f, f->admin, "PATCH", "/v1/providers/moving", to_mock, 200);
  g_assert_cmpuint (chat (f, "moving/ok", NULL), ==, 200);
  g_assert_cmpuint (mock_upstream_get_requests (f->mock), ==, before + 1);

  /* A provider from the configuration file can be pointed elsewhere too. */
  p3 = expect (f, f->admin, "PATCH", "/v1/providers/mock", to_closed, 200);
  g_assert_cmpstr (json_object_get_string_member (obj (p3), "source"), ==, "config");
  g_assert_cmpuint (chat (f, "mock/ok", NULL), !=, 200);
  g_assert_cmpuint (mock_upstream_get_requests (f->mock), ==, before + 1);
}

static void
test_disable (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(JsonNode) off = NULL;
  g_autoptr(JsonNode) on = NULL;
  g_autoptr(JsonNode) refused = NULL;
  g_autoptr(JsonNode) listed = NULL;
  g_autofree char *listed_text = NULL;

  g_assert_cmpuint (chat (f, "mock/ok", NULL), ==, 200);
  off = expect (f, f->admin, "PATCH", "/v1/providers/mock", "{\"enabled\":false}", 200);
  g_assert_false (json_object_get_boolean_member (obj (off), "enabled"));
  g_assert_cmpuint (chat (f, "mock/ok", &refused), ==, 404);
  g_assert_cmpstr (error_code (refused), ==, "model_not_found");
  listed = expect (f, f->admin, "GET", "/v1/models", NULL, 200);
  listed_text = json_to_string (listed, FALSE);
  g_assert_null (strstr (listed_text, "\"mock/ok\""));

  on = expect (f, f->admin, "PATCH", "/v1/providers/mock", "{\"enabled\":true}", 200);
  g_assert_cmpuint (chat (f, "mock/ok", NULL), ==, 200);
}

static void
test_config_provider_not_deleted (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(JsonNode) refused = expect (f, f->admin, "DELETE", "/v1/providers/mock", NULL, 409);
  g_autoptr(JsonNode) builtin = expect (f, f->admin, "DELETE", "/v1/providers/openai", NULL, 409);
  g_autoptr(JsonNode) unknown = expect (f, f->admin, "DELETE", "/v1/providers/nobody", NULL, 404);
  g_autoptr(JsonNode) still = NULL;

  g_assert_cmpstr (error_code (refused), ==, "conflict");
  g_assert_nonnull (strstr (json_object_get_string_member (error_of (refused), "message"), "disable"));
  still = expect (f, f->admin, "GET", "/v1/providers/mock", NULL, 200);
  g_assert_cmpuint (chat (f, "mock/ok", NULL), ==, 200);
}

static void
test_provider_validation (Fixture       *f,
                          gconstpointer  data)
{
  static const struct { const char *method; const char *path; const char *body; guint status; const char *code; const char *param; } cases[] = {
    { "POST", "/v1/providers", "{\"name\":\"a b\",\"kind\":\"openai\"}", 400, "invalid_value", "name" },
    { "POST", "/v1/providers", "{\"name\":\"x/y\",\"kind\":\"openai\"}", 400, "invalid_value", "name" },
    { "POST", "/v1/providers", "{\"name\":\"x\",\"kind\":\"cohere\"}", 400, "invalid_value", "kind" },
    { "POST", "/v1/providers", "{\"name\":\"x\"}", 400, "missing_field", "kind" },
    { "POST", "/v1/providers", "{\"kind\":\"openai\"}", 400, "missing_field", "name" },
    { "POST", "/v1/providers", "{\"name\":\"x\",\"kind\":\"openai\",\"base_url\":\"ftp://h/v1\"}", 400, "invalid_value", "base_url" },
    { "POST", "/v1/providers", "{\"name\":\"x\",\"kind\":\"openai\",\"base_url\":\"http://\"}", 400, "invalid_value", "base_url" },
    { "POST", "/v1/providers", "{\"name\":\"x\",\"kind\":\"openai\",\"proxy\":\"gopher://p:1\"}", 400, "invalid_value", "proxy" },
    { "POST", "/v1/providers", "{\"name\":\"x\",\"kind\":\"openai\",\"connect_timeout_seconds\":0}", 400, "invalid_value", "connect_timeout_seconds" },
    { "POST", "/v1/providers", "{\"name\":\"x\",\"kind\":\"openai\",\"idle_timeout_seconds\":3601}", 400, "invalid_value", "idle_timeout_seconds" },
    { "POST", "/v1/providers", "{\"name\":\"x\",\"kind\":\"openai\",\"first_byte_timeout_seconds\":1.5}", 400, "invalid_value", "first_byte_timeout_seconds" },
    { "POST", "/v1/providers", "{\"name\":\"x\",\"kind\":\"openai\",\"enabled\":\"yes\"}", 400, "invalid_value", "enabled" },
    { "POST", "/v1/providers", "{\"name\":\"x\",\"kind\":\"openai\",\"x_title\":\"a\\nb\"}", 400, "invalid_value", "x_title" },
    { "POST", "/v1/providers", "{\"name\":\"x\",\"kind\":\"openai\",\"api_key_env\":\"HOME\"}", 400, "unknown_field", "api_key_env" },
    /* The message names the field, never the value. */
    { "POST", "/v1/providers", "{\"name\":\"x\",\"kind\":\"openai\",\"api_key\":\"" API_SECRET "\\r\\nX-Evil: 1\"}", 400, "invalid_value", "api_key" },
    { "POST", "/v1/providers", "{\"name\":\"mock\",\"kind\":\"openai\"}", 409, "conflict", "name" },
    { "PATCH", "/v1/providers/mock", "{\"name\":\"other\"}", 400, "invalid_value", "name" },
    { "PATCH", "/v1/providers/mock", "{\"enabled\":null}", 400, "invalid_value", "enabled" },
    { "PATCH", "/v1/providers/mock", "{\"kind\":\"google\"}", 400, "invalid_value", "kind" },
    { "PATCH", "/v1/providers/nobody", "{\"enabled\":false}", 404, "not_found", NULL },
    { "PUT", "/v1/providers/mock", "{}", 405, "method_not_allowed", NULL },
    { "POST", "/v1/providers/mock/nothing", NULL, 404, "unknown_route", NULL },
  };
  g_autoptr(JsonNode) after = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint status;
      g_autoptr(JsonNode) node = call (f, f->admin, cases[i].method, cases[i].path, cases[i].body, &status);

      g_test_message ("%s %s %s", cases[i].method, cases[i].path, cases[i].body);
      g_assert_cmpuint (status, ==, cases[i].status);
      g_assert_cmpstr (error_code (node), ==, cases[i].code);
      if (cases[i].param != NULL)
        g_assert_cmpstr (error_param (node), ==, cases[i].param);
    }
  /* Nothing of that was created. */
  after = expect (f, f->admin, "GET", "/v1/providers/x", NULL, 404);
}

static void
test_scopes (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *reader = create_key (f, "[\"chat\",\"models:read\",\"keys:read\",\"stats:read\"]");
  g_autofree char *chatter = create_key (f, "[\"chat\"]");
  g_autofree char *body = provider_body ("sneaky", f->mock_base, NULL);
  static const struct { const char *method; const char *path; const char *body; } admin_only[] = {
    { "GET", "/v1/providers", NULL },
    { "GET", "/v1/providers/mock", NULL },
    { "PATCH", "/v1/providers/mock", "{\"enabled\":false}" },
    { "DELETE", "/v1/providers/mock", NULL },
    { "POST", "/v1/providers/mock/test", NULL },
    { "POST", "/v1/registry/models", "{\"id\":\"mock/x\",\"provider\":\"mock\",\"input_per_mtok\":1,\"output_per_mtok\":1}" },
    { "PATCH", "/v1/registry/models/mock/ok", "{\"input_per_mtok\":0}" },
    { "DELETE", "/v1/registry/models/mock/ok", NULL },
    { "PUT", "/v1/registry/aliases/sneaky", "{\"targets\":[\"mock/ok\"]}" },
  };
  g_autoptr(JsonNode) create = NULL;
  g_autoptr(JsonNode) read_models = NULL;
  g_autoptr(JsonNode) read_aliases = NULL;
  g_autoptr(JsonNode) no_read = NULL;
  g_autoptr(JsonNode) still = NULL;

  create = expect (f, reader, "POST", "/v1/providers", body, 403);
  g_assert_cmpstr (error_code (create), ==, "insufficient_permissions");
  for (guint i = 0; i < G_N_ELEMENTS (admin_only); i++)
    {
      g_autoptr(JsonNode) node = NULL;

      g_test_message ("%s %s", admin_only[i].method, admin_only[i].path);
      node = expect (f, reader, admin_only[i].method, admin_only[i].path, admin_only[i].body, 403);
      g_clear_pointer (&node, json_node_unref);
      node = expect (f, chatter, admin_only[i].method, admin_only[i].path, admin_only[i].body, 403);
    }

  /* models:read may read the registry; chat alone may not. */
  read_models = expect (f, reader, "GET", "/v1/registry/models?q=mock", NULL, 200);
  g_assert_cmpint (json_object_get_int_member (obj (read_models), "total"), >=, 1);
  read_aliases = expect (f, reader, "GET", "/v1/registry/aliases", NULL, 200);
  no_read = expect (f, chatter, "GET", "/v1/registry/models", NULL, 403);

  /* Nothing changed. */
  still = expect (f, f->admin, "GET", "/v1/providers/mock", NULL, 200);
  g_assert_true (json_object_get_boolean_member (obj (still), "enabled"));
  g_assert_cmpuint (chat (f, "mock/ok", NULL), ==, 200);
}

static void
test_provider_test_call (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(Listing) listing = listing_new ();
  g_autofree char *closed = provider_body ("closed", f->closed_base, NULL);
  g_autofree char *lister_url = g_strdup_printf ("http://127.0.0.1:%u", listing->port);
  g_autofree char *openai = NULL, *anthropic = NULL, *gemini = NULL;
  g_autoptr(JsonNode) c1 = NULL, c2 = NULL, c3 = NULL, c4 = NULL;
  g_autoptr(JsonNode) mock = NULL, refused = NULL, n1 = NULL, n2 = NULL, n3 = NULL;
  g_autoptr(JsonNode) unknown = NULL, wrong_method = NULL;
  JsonObject *o;

  /* The mock has no /v1/models: the provider answers 404, and the test
   * says so rather than failing itself. */
  mock = expect (f, f->admin, "POST", "/v1/providers/mock/test", NULL, 200);
  o = obj (mock);
  g_assert_cmpstr (json_object_get_string_member (o, "provider"), ==, "mock");
  g_assert_false (json_object_get_boolean_member (o, "ok"));
  g_assert_cmpint (json_object_get_int_member (o, "status"), ==, 404);
  g_assert_cmpint (json_object_get_int_member (o, "latency_ms"), >=, 0);
  g_assert_true (json_object_get_null_member (o, "models"));
  g_assert_nonnull (strstr (json_object_get_string_member (o, "error"), "404"));

  /* Nobody listens: no status, an error. */
  c1 = expect (f, f->admin, "POST", "/v1/providers", closed, 201);
  refused = expect (f, f->admin, "POST", "/v1/providers/closed/test", NULL, 200);
  o = obj (refused);
  g_assert_false (json_object_get_boolean_member (o, "ok"));
  g_assert_true (json_object_get_null_member (o, "status"));
  g_assert_true (json_object_get_null_member (o, "models"));
  g_assert_cmpstr (json_object_get_string_member (o, "error"), !=, "");

  /* Each kind lists its models its own way, credential in its header. */
  openai = g_strdup_printf ("{\"name\":\"lister\",\"kind\":\"openai\",\"base_url\":\"%s/v1\","
                            "\"api_key\":\"" API_SECRET "\"}", lister_url);
  c2 = expect (f, f->admin, "POST", "/v1/providers", openai, 201);
  n1 = expect (f, f->admin, "POST", "/v1/providers/lister/test", NULL, 200);
  o = obj (n1);
  g_assert_true (json_object_get_boolean_member (o, "ok"));
  g_assert_cmpint (json_object_get_int_member (o, "status"), ==, 200);
  g_assert_cmpint (json_object_get_int_member (o, "models"), ==, 2);
  g_assert_true (json_object_get_null_member (o, "error"));
  g_assert_cmpstr (listing->last_path, ==, "/v1/models");
  g_assert_cmpstr (listing->last_auth, ==, "Bearer " API_SECRET);

  anthropic = g_strdup_printf ("{\"name\":\"claude\",\"kind\":\"anthropic\",\"base_url\":\"%s\","
                               "\"api_key\":\"" API_SECRET "\"}", lister_url);
  c3 = expect (f, f->admin, "POST", "/v1/providers", anthropic, 201);
  n2 = expect (f, f->admin, "POST", "/v1/providers/claude/test", NULL, 200);
  g_assert_true (json_object_get_boolean_member (obj (n2), "ok"));
  g_assert_cmpint (json_object_get_int_member (obj (n2), "models"), ==, 2);
  g_assert_cmpstr (listing->last_path, ==, "/v1/models");
  g_assert_cmpstr (listing->last_key, ==, API_SECRET);
  g_assert_nonnull (listing->last_version);
  g_assert_null (listing->last_auth);

  gemini = g_strdup_printf ("{\"name\":\"gem\",\"kind\":\"gemini\",\"base_url\":\"%s\","
                            "\"api_key\":\"" API_SECRET "\"}", lister_url);
  c4 = expect (f, f->admin, "POST", "/v1/providers", gemini, 201);
  n3 = expect (f, f->admin, "POST", "/v1/providers/gem/test", NULL, 200);
  g_assert_true (json_object_get_boolean_member (obj (n3), "ok"));
  g_assert_cmpint (json_object_get_int_member (obj (n3), "models"), ==, 3);
  g_assert_cmpstr (listing->last_path, ==, "/v1beta/models");
  g_assert_cmpstr (listing->last_goog, ==, API_SECRET);

  unknown = expect (f, f->admin, "POST", "/v1/providers/nobody/test", NULL, 404);
  wrong_method = expect (f, f->admin, "GET", "/v1/providers/mock/test", NULL, 405);
}

typedef struct
{
  Fixture *f;
  gint     ok;
} Load;

static gpointer
chat_load (gpointer data)
{
  Load *load = data;

  for (int i = 0; i < 15; i++)
    if (chat (load->f, "mock/ok", NULL) == 200)
      g_atomic_int_inc (&load->ok);
  return NULL;
}

/* Changes land while requests run on both event loops: none of them
 * trips over a provider being replaced under it. */
static void
test_changes_under_load (Fixture       *f,
                         gconstpointer  data)
{
  Load load = { f, 0 };
  GThread *threads[3];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("client", chat_load, &load);
  for (int i = 0; i < 10; i++)
    {
      g_autofree char *patch = g_strdup_printf ("{\"x_title\":\"round %d\",\"idle_timeout_seconds\":%d}", i, 60 + i);
      g_autofree char *body = provider_body ("churn", f->mock_base, NULL);
      g_autoptr(JsonNode) a = expect (f, f->admin, "PATCH", "/v1/providers/mock", patch, 200);
      g_autoptr(JsonNode) b = expect (f, f->admin, "POST", "/v1/providers", body, 201);

      g_assert_null (expect (f, f->admin, "DELETE", "/v1/providers/churn", NULL, 204));
    }
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_assert_cmpint (load.ok, ==, 15 * G_N_ELEMENTS (threads));
}

/* What the API made outlives the gateway; what the file gave is not
 * written down, credentials least of all. */
static void
test_restart_keeps_changes (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *body = provider_body ("kept", f->mock_base, ",\"http_referer\":\"https://example.org\"");
  g_autoptr(JsonNode) n1 = NULL, n2 = NULL, n3 = NULL, n4 = NULL, n5 = NULL, n6 = NULL;
  g_autoptr(JsonNode) n7 = NULL, n8 = NULL, n9 = NULL, n10 = NULL, n11 = NULL;
  g_autoptr(GError) error = NULL;
  GrDb *db = NULL;
  GrDbStmt *stmt = NULL;
  JsonObject *o;

  n1 = expect (f, f->admin, "POST", "/v1/providers", body, 201);
  n2 = expect (f, f->admin, "PATCH", "/v1/providers/mock", "{\"x_title\":\"Kept title\"}", 200);
  n3 = expect (f, f->admin, "POST", "/v1/registry/models",
               "{\"id\":\"kept/model\",\"provider\":\"kept\",\"upstream\":\"ok\",\"aliases\":[\"kept-model\"],"
               "\"input_per_mtok\":1000000,\"output_per_mtok\":2000000}", 201);
  n4 = expect (f, f->admin, "PUT", "/v1/registry/aliases/kept-route", "{\"targets\":[\"kept/model\",\"mock/ok\"]}", 201);
  n5 = expect (f, f->admin, "DELETE", "/v1/registry/models/openai/gpt-4.1", NULL, 204);

  restart (f);

  n6 = expect (f, f->admin, "GET", "/v1/providers/kept", NULL, 200);
  o = obj (n6);
  g_assert_cmpstr (json_object_get_string_member (o, "source"), ==, "api");
  g_assert_cmpstr (json_object_get_string_member (o, "api_key"), ==, "sk-…WXYZ");
  g_assert_cmpstr (json_object_get_string_member (o, "http_referer"), ==, "https://example.org");
  n7 = expect (f, f->admin, "GET", "/v1/providers/mock", NULL, 200);
  g_assert_cmpstr (json_object_get_string_member (obj (n7), "x_title"), ==, "Kept title");
  g_assert_cmpstr (json_object_get_string_member (obj (n7), "source"), ==, "config");
  n8 = expect (f, f->admin, "GET", "/v1/registry/models/kept/model", NULL, 200);
  g_assert_cmpstr (json_object_get_string_member (obj (n8), "source"), ==, "api");
  g_assert_cmpint (json_object_get_int_member (obj (n8), "output_per_mtok"), ==, 2000000);
  n9 = expect (f, f->admin, "GET", "/v1/registry/aliases/kept-route", NULL, 200);
  g_assert_cmpstr (json_object_get_string_member (obj (n9), "source"), ==, "api");
  n10 = expect (f, f->admin, "GET", "/v1/registry/models/openai/gpt-4.1", NULL, 404);
  n11 = expect (f, f->admin, "GET", "/v1/registry/models/openai/gpt-4.1-mini", NULL, 200);
  g_assert_cmpstr (json_object_get_string_member (obj (n11), "source"), ==, "file");

  /* Routed through the API's provider, model, model alias and alias. */
  g_assert_cmpuint (chat (f, "kept/model", NULL), ==, 200);
  g_assert_cmpuint (chat (f, "kept-model", NULL), ==, 200);
  g_assert_cmpuint (chat (f, "kept-route", NULL), ==, 200);

  /* The file's key for "mock" is not in the database; ours for "kept" is
   * (the database is the one place it lives). */
  gr_gateway_stop (f->gateway);
  db = gr_db_open (f->db_path, GR_DB_OPEN_READONLY, &error);
  g_assert_no_error (error);
  stmt = gr_db_prepare (db, "SELECT id, api_key FROM providers ORDER BY id;", &error);
  g_assert_no_error (error);
  g_assert_cmpint (gr_db_stmt_step (stmt, &error), ==, GR_DB_ROW);
  g_assert_cmpstr (gr_db_stmt_column_text (stmt, 0), ==, "kept");
  g_assert_cmpstr (gr_db_stmt_column_text (stmt, 1), ==, API_SECRET);
  g_assert_cmpint (gr_db_stmt_step (stmt, &error), ==, GR_DB_ROW);
  g_assert_cmpstr (gr_db_stmt_column_text (stmt, 0), ==, "mock");
  g_assert_true (gr_db_stmt_column_is_null (stmt, 1));
  g_assert_cmpint (gr_db_stmt_step (stmt, &error), ==, GR_DB_DONE);
  gr_db_stmt_finalize (stmt);
  gr_db_close (db);

  /* Started again as the same object: each provider once. */
  g_assert_true (gr_gateway_start (f->gateway, NULL));
  g_free (f->url);
  f->url = gr_gateway_dup_url (f->gateway);
  restart_same (f);
  g_clear_pointer (&n1, json_node_unref);
  n1 = expect (f, f->admin, "GET", "/v1/providers?q=kept", NULL, 200);
  g_assert_cmpint (json_object_get_int_member (obj (n1), "total"), ==, 1);

  /* Deleting the API provider is kept too. */
  g_assert_null (expect (f, f->admin, "DELETE", "/v1/providers/kept", NULL, 204));
  restart (f);
  g_clear_pointer (&n1, json_node_unref);
  n1 = expect (f, f->admin, "GET", "/v1/providers/kept", NULL, 404);
  g_clear_pointer (&n2, json_node_unref);
  n2 = expect (f, f->admin, "GET", "/v1/providers/mock", NULL, 200);
  g_assert_cmpstr (json_object_get_string_member (obj (n2), "x_title"), ==, "Kept title");
}

/* Changes to a provider the file no longer has are ignored, and a
 * provider of that name can be made through the API. */
static void
test_stale_override (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *body = provider_body ("mock", f->mock_base, NULL);
  g_autoptr(JsonNode) n1 = NULL, n2 = NULL, n3 = NULL, n4 = NULL;
  char *section;

  n1 = expect (f, f->admin, "PATCH", "/v1/providers/mock", "{\"x_title\":\"old\"}", 200);
  /* The same file without its [provider:mock] section. */
  section = strstr (f->ini, "[provider:mock]");
  g_assert_nonnull (section);
  memmove (section, strstr (section, "[model:"), strlen (strstr (section, "[model:")) + 1);
  restart (f);

  n2 = expect (f, f->admin, "GET", "/v1/providers/mock", NULL, 404);
  g_assert_cmpuint (chat (f, "mock/ok", NULL), ==, 404);
  n3 = expect (f, f->admin, "POST", "/v1/providers", body, 201);
  g_assert_cmpstr (json_object_get_string_member (obj (n3), "source"), ==, "api");
  g_assert_true (json_object_get_null_member (obj (n3), "x_title"));
  g_assert_cmpuint (chat (f, "mock/ok", NULL), ==, 200);
  restart (f);
  n4 = expect (f, f->admin, "GET", "/v1/providers/mock", NULL, 200);
  g_assert_cmpstr (json_object_get_string_member (obj (n4), "source"), ==, "api");
}

/* ------------------------------------------------------------------ */
/* Registry                                                            */
/* ------------------------------------------------------------------ */

/* The cost recorded for the latest request of a model (polls: usage is
 * written in batches). */
static gint64
last_cost (Fixture    *f,
           const char *model,
           gint64      expected_total)
{
  g_autofree char *path = g_strdup_printf ("/v1/logs?model=%s&page_size=1", model);

  for (int i = 0; i < 200; i++)
    {
      g_autoptr(JsonNode) logs = expect (f, f->admin, "GET", path, NULL, 200);
      JsonArray *data = json_object_get_array_member (obj (logs), "data");

      if (json_object_get_int_member (obj (logs), "total") == expected_total && json_array_get_length (data) == 1)
        return json_object_get_int_member (json_array_get_object_element (data, 0), "cost_micros");
      g_usleep (20 * 1000);
    }
  g_assert_not_reached ();
}

static void
usage_of (JsonNode *answer,
          gint64   *prompt,
          gint64   *completion)
{
  JsonObject *usage = json_object_get_object_member (obj (answer), "usage");

  *prompt = json_object_get_int_member (usage, "prompt_tokens");
  *completion = json_object_get_int_member (usage, "completion_tokens");
  g_assert_cmpint (*prompt, >, 0);
  g_assert_cmpint (*completion, >, 0);
}

static void
test_registry_models (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(JsonNode) created = NULL, dup = NULL, got = NULL, list = NULL, by_provider = NULL;
  g_autoptr(JsonNode) patched = NULL, answer1 = NULL, answer2 = NULL, gone = NULL, sorted = NULL;
  g_autoptr(JsonNode) cap = NULL;
  gint64 prompt, completion, cost1, cost2;
  JsonObject *o;
  JsonArray *items;

  created = expect (f, f->admin, "POST", "/v1/registry/models",
                    "{\"id\":\"mock/priced\",\"provider\":\"mock\",\"upstream\":\"ok\","
                    "\"context_length\":8192,\"capabilities\":{\"tools\":true},"
                    "\"input_per_mtok\":1000000,\"output_per_mtok\":2000000}", 201);
  o = obj (created);
  g_assert_cmpstr (json_object_get_string_member (o, "id"), ==, "mock/priced");
  g_assert_cmpstr (json_object_get_string_member (o, "source"), ==, "api");
  g_assert_cmpint (json_object_get_int_member (o, "cached_input_per_mtok"), ==, 1000000);
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (o, "capabilities"), "tools"));
  dup = expect (f, f->admin, "POST", "/v1/registry/models",
                "{\"id\":\"mock/priced\",\"provider\":\"mock\",\"input_per_mtok\":1,\"output_per_mtok\":1}", 409);

  got = expect (f, f->admin, "GET", "/v1/registry/models/mock/priced", NULL, 200);
  g_assert_cmpint (json_object_get_int_member (obj (got), "context_length"), ==, 8192);
  list = expect (f, f->admin, "GET", "/v1/registry/models?q=PRICED", NULL, 200);
  g_assert_cmpint (json_object_get_int_member (obj (list), "total"), ==, 1);
  by_provider = expect (f, f->admin, "GET", "/v1/registry/models?provider=mock&sort=-input_per_mtok&page_size=200", NULL, 200);
  items = json_object_get_array_member (obj (by_provider), "data");
  g_assert_cmpuint (json_array_get_length (items), ==, 2);
  /* mock/ok ($2.50) before mock/priced ($1). */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 0), "id"), ==, "mock/ok");
  sorted = expect (f, f->admin, "GET", "/v1/registry/models?sort=price", NULL, 400);
  g_assert_cmpstr (error_param (sorted), ==, "sort");

  /* The price in force is the one recorded. */
  g_assert_cmpuint (chat (f, "mock/priced", &answer1), ==, 200);
  usage_of (answer1, &prompt, &completion);
  cost1 = last_cost (f, "mock/priced", 1);
  g_assert_cmpint (cost1, ==, prompt * 1 + completion * 2);

  patched = expect (f, f->admin, "PATCH", "/v1/registry/models/mock/priced",
                    "{\"input_per_mtok\":3000000,\"output_per_mtok\":5000000}", 200);
  o = obj (patched);
  g_assert_cmpint (json_object_get_int_member (o, "input_per_mtok"), ==, 3000000);
  /* The cache price followed: it only repeated the input price. */
  g_assert_cmpint (json_object_get_int_member (o, "cached_input_per_mtok"), ==, 3000000);
  g_assert_cmpint (json_object_get_int_member (o, "context_length"), ==, 8192);
  g_assert_cmpstr (json_object_get_string_member (o, "upstream"), ==, "ok");
  g_assert_cmpuint (chat (f, "mock/priced", &answer2), ==, 200);
  cost2 = last_cost (f, "mock/priced", 2);
  g_assert_cmpint (cost2, ==, prompt * 3 + completion * 5);

  /* A PATCH of a models.json entry works the same way. */
  cap = expect (f, f->admin, "PATCH", "/v1/registry/models/openai/gpt-4.1",
                "{\"capabilities\":{\"vision\":false}}", 200);
  g_assert_false (json_object_get_boolean_member (json_object_get_object_member (obj (cap), "capabilities"), "vision"));
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (obj (cap), "capabilities"), "tools"));
  g_assert_cmpstr (json_object_get_string_member (obj (cap), "source"), ==, "api");

  g_assert_null (expect (f, f->admin, "DELETE", "/v1/registry/models/mock/priced", NULL, 204));
  gone = expect (f, f->admin, "GET", "/v1/registry/models/mock/priced", NULL, 404);
  g_clear_pointer (&gone, json_node_unref);
  gone = expect (f, f->admin, "DELETE", "/v1/registry/models/mock/priced", NULL, 404);
}

static void
test_registry_validation (Fixture       *f,
                          gconstpointer  data)
{
  static const struct { const char *method; const char *path; const char *body; guint status; const char *code; const char *param; } cases[] = {
    { "POST", "/v1/registry/models", "{\"id\":\"m/a\",\"provider\":\"m\",\"input_per_mtok\":-1,\"output_per_mtok\":1}", 400, "invalid_value", "input_per_mtok" },
    { "POST", "/v1/registry/models", "{\"id\":\"m/a\",\"provider\":\"m\",\"input_per_mtok\":1,\"output_per_mtok\":1.5}", 400, "invalid_value", "output_per_mtok" },
    { "POST", "/v1/registry/models", "{\"id\":\"m/a\",\"provider\":\"m\",\"input_per_mtok\":99999999999999999999,\"output_per_mtok\":1}", 400, "invalid_value", "input_per_mtok" },
    { "POST", "/v1/registry/models", "{\"id\":\"m/a\",\"provider\":\"m\",\"input_per_mtok\":1000000000001,\"output_per_mtok\":1}", 400, "invalid_value", "input_per_mtok" },
    { "POST", "/v1/registry/models", "{\"id\":\"m/a\",\"provider\":\"m\",\"input_per_mtok\":1,\"output_per_mtok\":1,\"cached_input_per_mtok\":-5}", 400, "invalid_value", "cached_input_per_mtok" },
    { "POST", "/v1/registry/models", "{\"id\":\"m/a\",\"provider\":\"m\",\"input_per_mtok\":1}", 400, "missing_field", "output_per_mtok" },
    { "POST", "/v1/registry/models", "{\"id\":\"m a\",\"provider\":\"m\",\"input_per_mtok\":1,\"output_per_mtok\":1}", 400, "invalid_value", "id" },
    { "POST", "/v1/registry/models", "{\"id\":\"m/a\",\"provider\":\"m/x\",\"input_per_mtok\":1,\"output_per_mtok\":1}", 400, "invalid_value", "provider" },
    { "POST", "/v1/registry/models", "{\"id\":\"m/a\",\"provider\":\"m\",\"input_per_mtok\":1,\"output_per_mtok\":1,\"price\":1}", 400, "unknown_field", "price" },
    { "POST", "/v1/registry/models", "{\"id\":\"m/a\",\"provider\":\"m\",\"input_per_mtok\":1,\"output_per_mtok\":1,\"capabilities\":{\"tools\":1}}", 400, "invalid_value", "capabilities.tools" },
    { "POST", "/v1/registry/models", "{\"id\":\"m/a\",\"provider\":\"m\",\"input_per_mtok\":1,\"output_per_mtok\":1,\"context_length\":4294967296}", 400, "invalid_value", "context_length" },
    /* An alias that already names another model. */
    { "POST", "/v1/registry/models", "{\"id\":\"m/a\",\"provider\":\"m\",\"input_per_mtok\":1,\"output_per_mtok\":1,\"aliases\":[\"mock/ok\"]}", 409, "conflict", "aliases" },
    { "PATCH", "/v1/registry/models/mock/ok", "{\"input_per_mtok\":null}", 400, "invalid_value", "input_per_mtok" },
    { "PATCH", "/v1/registry/models/mock/ok", "{\"output_per_mtok\":-3}", 400, "invalid_value", "output_per_mtok" },
    { "PATCH", "/v1/registry/models/mock/ok", "{\"id\":\"mock/other\"}", 400, "invalid_value", "id" },
    { "PATCH", "/v1/registry/models/mock/none", "{\"input_per_mtok\":1}", 404, "not_found", NULL },
    { "PUT", "/v1/registry/models/mock/ok", "{}", 405, "method_not_allowed", NULL },
    { "PUT", "/v1/registry/aliases/a1", "{\"targets\":[\"nobody/model\"]}", 400, "invalid_value", "targets" },
    { "PUT", "/v1/registry/aliases/a1", "{\"targets\":[\"no-such-model\"]}", 400, "invalid_value", "targets" },
    { "PUT", "/v1/registry/aliases/a1", "{\"targets\":[]}", 400, "invalid_value", "targets" },
    { "PUT", "/v1/registry/aliases/a1", "{\"targets\":[\"mock/ok\"],\"weights\":[1,2]}", 400, "invalid_value", "weights" },
    { "PUT", "/v1/registry/aliases/a1", "{\"targets\":[\"mock/ok\"],\"weights\":[0]}", 400, "invalid_value", "weights" },
    { "PUT", "/v1/registry/aliases/a1", "{\"targets\":[\"mock/ok\"],\"strategy\":\"random\"}", 400, "invalid_value", "strategy" },
    { "PUT", "/v1/registry/aliases/a1", "{\"targets\":[\"mock/ok\"],\"name\":\"a2\"}", 400, "invalid_value", "name" },
    { "POST", "/v1/registry/aliases", "{\"targets\":[\"mock/ok\"]}", 400, "missing_field", "name" },
    { "POST", "/v1/registry/aliases", "{\"name\":\"a1\",\"targets\":[\"mock/ok\"],\"extra\":1}", 400, "unknown_field", "extra" },
    { "DELETE", "/v1/registry/aliases/none", NULL, 404, "not_found", NULL },
    { "GET", "/v1/registry/other", NULL, 404, "unknown_route", NULL },
  };
  g_autoptr(JsonNode) untouched = NULL;
  g_autoptr(JsonNode) no_alias = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint status;
      g_autoptr(JsonNode) node = call (f, f->admin, cases[i].method, cases[i].path, cases[i].body, &status);

      g_test_message ("%s %s %s", cases[i].method, cases[i].path, cases[i].body);
      g_assert_cmpuint (status, ==, cases[i].status);
      g_assert_cmpstr (error_code (node), ==, cases[i].code);
      if (cases[i].param != NULL)
        g_assert_cmpstr (error_param (node), ==, cases[i].param);
    }
  untouched = expect (f, f->admin, "GET", "/v1/registry/models/mock/ok", NULL, 200);
  g_assert_cmpint (json_object_get_int_member (obj (untouched), "input_per_mtok"), ==, 2500000);
  g_assert_cmpstr (json_object_get_string_member (obj (untouched), "source"), ==, "file");
  no_alias = expect (f, f->admin, "GET", "/v1/registry/aliases/a1", NULL, 404);
}

static void
test_registry_aliases (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(JsonNode) created = NULL, replaced = NULL, list = NULL, got = NULL, refused = NULL;
  g_autoptr(JsonNode) by_post = NULL;
  g_autofree char *last_body = NULL;
  JsonObject *o;
  guint before;

  g_assert_cmpuint (chat (f, "team-fast", &refused), ==, 404);
  g_assert_cmpstr (error_code (refused), ==, "model_not_found");
  g_clear_pointer (&refused, json_node_unref);

  created = expect (f, f->admin, "PUT", "/v1/registry/aliases/team-fast", "{\"targets\":[\"mock/ok\"]}", 201);
  o = obj (created);
  g_assert_cmpstr (json_object_get_string_member (o, "name"), ==, "team-fast");
  g_assert_cmpstr (json_object_get_string_member (o, "strategy"), ==, "fallback");
  g_assert_cmpstr (json_object_get_string_member (o, "source"), ==, "api");

  before = mock_upstream_get_model_requests (f->mock, "ok");
  g_assert_cmpuint (chat (f, "team-fast", NULL), ==, 200);
  g_assert_cmpuint (mock_upstream_get_model_requests (f->mock, "ok"), ==, before + 1);

  /* Replaced: weights make it weighted; a provider/model name is a target
   * as soon as its provider is configured. */
  replaced = expect (f, f->admin, "PUT", "/v1/registry/aliases/team-fast",
                     "{\"targets\":[\"mock/tool\",\"mock/ok\"],\"weights\":[1,1000]}", 200);
  o = obj (replaced);
  g_assert_cmpstr (json_object_get_string_member (o, "strategy"), ==, "weighted");
  g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (o, "weights"), 1), ==, 1000);
  g_assert_cmpuint (chat (f, "team-fast", NULL), ==, 200);
  last_body = mock_upstream_dup_last_body (f->mock);
  g_assert_true (strstr (last_body, "\"model\":\"ok\"") != NULL || strstr (last_body, "\"model\":\"tool\"") != NULL);

  by_post = expect (f, f->admin, "POST", "/v1/registry/aliases", "{\"name\":\"team-slow\",\"targets\":[\"mock/ok\"]}", 201);
  list = expect (f, f->admin, "GET", "/v1/registry/aliases?q=team&sort=-name", NULL, 200);
  g_assert_cmpint (json_object_get_int_member (obj (list), "total"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_object_get_array_member (obj (list), "data"), 0), "name"),
                   ==, "team-slow");
  got = expect (f, f->admin, "GET", "/v1/registry/aliases/team-fast", NULL, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj (got), "targets")), ==, 2);

  g_assert_null (expect (f, f->admin, "DELETE", "/v1/registry/aliases/team-fast", NULL, 204));
  g_assert_cmpuint (chat (f, "team-fast", &refused), ==, 404);
  g_assert_cmpstr (error_code (refused), ==, "model_not_found");
  g_assert_cmpuint (chat (f, "team-slow", NULL), ==, 200);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  if (gr_test_db_skip_all ())
    return g_test_run ();

#define ADD(path, fn) g_test_add ("/gaiarouter/admin-providers/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("crud", test_providers_crud);
  ADD ("serves-at-once", test_provider_serves_at_once);
  ADD ("patch-base-url", test_patch_base_url);
  ADD ("disable", test_disable);
  ADD ("config-provider-not-deleted", test_config_provider_not_deleted);
  ADD ("validation", test_provider_validation);
  ADD ("scopes", test_scopes);
  ADD ("test-call", test_provider_test_call);
  ADD ("changes-under-load", test_changes_under_load);
  ADD ("restart", test_restart_keeps_changes);
  ADD ("stale-override", test_stale_override);
  ADD ("registry-models", test_registry_models);
  ADD ("registry-validation", test_registry_validation);
  ADD ("registry-aliases", test_registry_aliases);
#undef ADD

  return g_test_run ();
}
