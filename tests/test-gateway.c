/* test-gateway.c — the gateway end to end against a mock upstream on loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test starts a real GrGateway (its own thread, SQLite file in a temp
 * directory) and talks HTTP to it with libsoup; the upstream is a
 * SoupServer speaking the OpenAI wire format from the fixtures.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "core/gr-gateway.h"
#include "store/gr-store.h"
#include "mock-upstream.h"
#include "gr-test-db.h"

typedef struct
{
  MockUpstream *mock;
  char         *dir;
  char         *db;
  GrGateway    *gateway;
  char         *url;
  char         *key;
  SoupSession  *session;
} Fixture;

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
  f->dir = g_dir_make_tmp ("gr-gateway-XXXXXX", &error);
  g_assert_no_error (error);
  {
    g_autofree char *file = g_build_filename (f->dir, "gaiarouter.db", NULL);

    f->db = gr_test_db_target (file);
  }

  config = gr_config_new_default ();
  g_free (config->database);
  config->database = g_strdup (f->db);
  config->listen_port = 0;
  config->max_body_bytes = 16 * 1024;
  config->shutdown_grace_ms = 2000;

  mock_url = mock_upstream_dup_url (f->mock);
  base = g_strconcat (mock_url, "/v1", NULL);
  p = gr_provider_config_new ("mock", GR_PROVIDER_KIND_OPENAI_COMPATIBLE, base);
  p->api_key = g_strdup ("sk-upstream-secret");
  p->first_byte_timeout_ms = 800;
  p->idle_timeout_ms = 2000;
  g_ptr_array_add (config->providers, p);
  /* Nothing listens on port 1. */
  g_ptr_array_add (config->providers,
                   gr_provider_config_new ("dead", GR_PROVIDER_KIND_OPENAI_COMPATIBLE, "http://127.0.0.1:1/v1"));

  f->gateway = gr_gateway_new (config);
  g_assert_true (gr_gateway_start (f->gateway, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gr_gateway_get_state (f->gateway), ==, GR_GATEWAY_STATE_RUNNING);
  f->url = gr_gateway_dup_url (f->gateway);
  f->key = gr_gateway_dup_new_admin_key (f->gateway);
  g_assert_nonnull (f->key);
  f->session = soup_session_new_with_options ("timeout", 20, NULL);
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->session);
  g_clear_object (&f->gateway);
  mock_upstream_free (f->mock);
  remove_dir (f->dir);
  g_free (f->dir);
  g_free (f->db);
  g_free (f->url);
  g_free (f->key);
}

/* Response bodies are not NUL-terminated. */
static JsonNode *
parse_bytes (GBytes *bytes)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);
  g_autofree char *text = g_strndup (data, len);

  return json_from_string (text, NULL);
}

static SoupMessage *
chat_message (Fixture    *f,
              const char *key,
              const char *body)
{
  g_autofree char *uri = g_strconcat (f->url, "/v1/chat/completions", NULL);
  SoupMessage *msg = soup_message_new ("POST", uri);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

  if (key != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", key, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  return msg;
}

/* Sends a request and returns the whole body as parsed JSON. */
static JsonNode *
post_json (Fixture    *f,
           const char *key,
           const char *body,
           guint      *status)
{
  g_autoptr(SoupMessage) msg = chat_message (f, key, body);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = soup_session_send_and_read (f->session, msg, NULL, &error);
  JsonNode *node;

  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  g_assert_cmpstr (soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL),
                   ==, "application/json");
  g_assert_nonnull (soup_message_headers_get_one (soup_message_get_response_headers (msg), "x-request-id"));
  node = parse_bytes (reply);
  g_assert_nonnull (node);
  return node;
}

static const char *
error_code (JsonNode *node)
{
  JsonObject *err = json_object_get_object_member (json_node_get_object (node), "error");

  g_assert_nonnull (err);
  g_assert_true (json_object_has_member (err, "message"));
  g_assert_true (json_object_has_member (err, "type"));
  g_assert_true (json_object_has_member (err, "param"));
  g_assert_true (json_object_has_member (err, "code"));
  return json_object_get_string_member_with_default (err, "code", "");
}

/* Stops the gateway (which flushes usage) and reads the usage events. */
static GPtrArray *
stop_and_read_usage (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GrStore) store = NULL;
  GPtrArray *events;

  gr_gateway_stop (f->gateway);
  store = gr_store_open (f->db, &error);
  g_assert_no_error (error);
  events = gr_store_list_usage (store, 1000, &error);
  g_assert_no_error (error);
  return events;
}

static void
test_health (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *uri = g_strconcat (f->url, "/health", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
  g_autoptr(GBytes) reply = soup_session_send_and_read (f->session, msg, NULL, NULL);
  g_autoptr(JsonNode) node = parse_bytes (reply);

  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "status"), ==, "ok");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "version"), ==, PACKAGE_VERSION);
}

static void
test_non_stream (Fixture       *f,
                 gconstpointer  data)
{
  guint status;
  g_autoptr(JsonNode) node = post_json (f, f->key,
                                        "{\"model\":\"mock/ok\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                                        &status);
  g_autofree char *sent = mock_upstream_dup_last_body (f->mock);
  g_autofree char *auth = mock_upstream_dup_last_header (f->mock, "Authorization");
  g_autoptr(JsonNode) sent_node = json_from_string (sent, NULL);
  g_autoptr(GPtrArray) events = NULL;
  GrUsageEvent *e;

  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "object"), ==, "chat.completion");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "model"), ==, "mock/ok");
  /* The upstream got the model without the route prefix, and the
   * provider's credential, not the client's. */
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (sent_node), "model"), ==, "ok");
  g_assert_cmpstr (auth, ==, "Bearer sk-upstream-secret");

  events = stop_and_read_usage (f);
  g_assert_cmpuint (events->len, ==, 1);
  e = g_ptr_array_index (events, 0);
  g_assert_cmpint (e->status, ==, 200);
  g_assert_cmpstr (e->provider, ==, "mock");
  g_assert_cmpstr (e->model, ==, "mock/ok");
  g_assert_cmpint (e->prompt_tokens, ==, 96);
  g_assert_cmpint (e->completion_tokens, ==, 20);
  g_assert_false (e->stream);
  g_assert_nonnull (e->key_id);
}

/* Reads one SSE event ("data: …") from a stream, or NULL at the end. */
static char *
read_event (GDataInputStream *in)
{
  g_autoptr(GString) event = g_string_new (NULL);

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL)
        return event->len > 0 ? g_string_free (g_steal_pointer (&event), FALSE) : NULL;
      if (*line == '\0')
        {
          if (event->len > 0)
            return g_string_free (g_steal_pointer (&event), FALSE);
          continue;
        }
      if (*line == ':')
        continue;
      g_string_append (event, line);
    }
}

static GPtrArray *
stream_events (Fixture    *f,
               const char *body,
               gboolean    release_each)
{
  g_autoptr(SoupMessage) msg = chat_message (f, f->key, body);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = soup_session_send (f->session, msg, NULL, &error);
  g_autoptr(GDataInputStream) in = NULL;
  GPtrArray *events = g_ptr_array_new_with_free_func (g_free);
  char *event;

  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL),
                   ==, "text/event-stream");
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (msg), "x-gaiarouter-provider"),
                   ==, "mock");
  in = g_data_input_stream_new (stream);
  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_LF);
  while ((event = read_event (in)) != NULL)
    {
      g_ptr_array_add (events, event);
      /* Only now may the upstream send the next event: if the gateway
       * buffered, we would never see this one and the gate would time out. */
      if (release_each)
        mock_upstream_release (f->mock);
    }
  return events;
}

static void
test_stream (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) with_usage = stream_events (f,
    "{\"model\":\"mock/ok\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
    "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", FALSE);
  g_autoptr(GPtrArray) without = stream_events (f,
    "{\"model\":\"mock/ok\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", FALSE);
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *sent = mock_upstream_dup_last_body (f->mock);
  gboolean saw_usage = FALSE;

  g_assert_cmpuint (with_usage->len, >=, 3);
  g_assert_cmpstr (g_ptr_array_index (with_usage, with_usage->len - 1), ==, "data: [DONE]");
  g_assert_cmpuint (without->len, ==, with_usage->len - 1);
  for (guint i = 0; i < with_usage->len; i++)
    if (strstr (g_ptr_array_index (with_usage, i), "\"choices\":[]") != NULL)
      saw_usage = TRUE;
  g_assert_true (saw_usage);
  for (guint i = 0; i < without->len; i++)
    {
      g_assert_null (strstr (g_ptr_array_index (without, i), "\"usage\""));
      if (i + 1 < without->len)
        g_assert_nonnull (strstr (g_ptr_array_index (without, i), "\"model\":\"mock/ok\""));
    }
  /* Usage was asked for upstream although the client did not ask. */
  g_assert_nonnull (strstr (sent, "\"include_usage\":true"));

  events = stop_and_read_usage (f);
  for (guint i = 0; i < events->len; i++)
    g_test_message ("event %u: status %d stream %d partial %d", i,
                    ((GrUsageEvent *) g_ptr_array_index (events, i))->status,
                    ((GrUsageEvent *) g_ptr_array_index (events, i))->stream,
                    ((GrUsageEvent *) g_ptr_array_index (events, i))->partial);
  g_assert_cmpuint (events->len, ==, 2);
  for (guint i = 0; i < events->len; i++)
    {
      GrUsageEvent *e = g_ptr_array_index (events, i);

      g_assert_cmpint (e->status, ==, 200);
      g_assert_true (e->stream);
      g_assert_false (e->partial);
      g_assert_cmpint (e->prompt_tokens, >, 0);
      g_assert_cmpint (e->completion_tokens, >, 0);
      g_assert_cmpint (e->ttfb_ms, >=, 0);
    }
}

static void
test_stream_not_buffered (Fixture       *f,
                          gconstpointer  data)
{
  /* With usage asked for, every upstream event reaches the client (the
   * usage-only one too), so one release per event read is exact. */
  g_autoptr(GPtrArray) events = stream_events (f,
    "{\"model\":\"mock/gated\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
    "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", TRUE);

  g_assert_cmpuint (events->len, >=, 4);
  g_assert_cmpuint (mock_upstream_get_gate_timeouts (f->mock), ==, 0);
}

static void
test_bad_key (Fixture       *f,
              gconstpointer  data)
{
  const char *body = "{\"model\":\"mock/ok\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  guint status;
  g_autoptr(JsonNode) missing = post_json (f, NULL, body, &status);
  g_autoptr(JsonNode) wrong = NULL;
  g_autoptr(GPtrArray) events = NULL;

  g_assert_cmpuint (status, ==, 401);
  g_assert_cmpstr (error_code (missing), ==, "invalid_api_key");
  wrong = post_json (f, "gr-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", body, &status);
  g_assert_cmpuint (status, ==, 401);
  g_assert_cmpstr (error_code (wrong), ==, "invalid_api_key");
  g_assert_cmpuint (mock_upstream_get_requests (f->mock), ==, 0);

  events = stop_and_read_usage (f);
  g_assert_cmpuint (events->len, ==, 2);
  g_assert_cmpint (((GrUsageEvent *) g_ptr_array_index (events, 0))->status, ==, 401);
}

static void
test_unknown_model (Fixture       *f,
                    gconstpointer  data)
{
  guint status;
  g_autoptr(JsonNode) a = post_json (f, f->key,
    "{\"model\":\"nosuch/gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", &status);
  g_autoptr(JsonNode) b = NULL;

  g_assert_cmpuint (status, ==, 404);
  g_assert_cmpstr (error_code (a), ==, "model_not_found");
  b = post_json (f, f->key, "{\"model\":\"gpt-unknown-9\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", &status);
  g_assert_cmpuint (status, ==, 404);
  g_assert_cmpstr (error_code (b), ==, "model_not_found");
}

static void
test_malformed (Fixture       *f,
                gconstpointer  data)
{
  static const struct { const char *body; const char *code; const char *param; } cases[] = {
    { "{not json", "invalid_json", NULL },
    { "", "invalid_json", NULL },
    { "[1,2]", "invalid_json", NULL },
    { "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "missing_field", "model" },
    { "{\"model\":\"mock/ok\"}", "missing_field", "messages" },
    { "{\"model\":\"mock/ok\",\"messages\":[]}", "invalid_value", "messages" },
    { "{\"model\":\"mock/ok\",\"messages\":[42]}", "invalid_value", "messages[0]" },
    { "{\"model\":7,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "invalid_value", "model" },
    { "{\"model\":\"mock/ok\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "invalid_value", "stream" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint status;
      g_autoptr(JsonNode) node = post_json (f, f->key, cases[i].body, &status);
      JsonObject *err;

      g_test_message ("body: %s", cases[i].body);
      g_assert_cmpuint (status, ==, 400);
      g_assert_cmpstr (error_code (node), ==, cases[i].code);
      err = json_object_get_object_member (json_node_get_object (node), "error");
      if (cases[i].param != NULL)
        g_assert_cmpstr (json_object_get_string_member (err, "param"), ==, cases[i].param);
    }
  g_assert_cmpuint (mock_upstream_get_requests (f->mock), ==, 0);
}

static void
test_oversized (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GString) body = g_string_new ("{\"model\":\"mock/ok\",\"messages\":[{\"role\":\"user\",\"content\":\"");
  guint status;
  g_autoptr(JsonNode) node = NULL;

  for (int i = 0; i < 20 * 1024; i++)
    g_string_append_c (body, 'x');
  g_string_append (body, "\"}]}");
  node = post_json (f, f->key, body->str, &status);
  g_assert_cmpuint (status, ==, 413);
  g_assert_cmpstr (error_code (node), ==, "request_too_large");
  g_assert_cmpuint (mock_upstream_get_requests (f->mock), ==, 0);
}

static void
test_upstream_errors (Fixture       *f,
                      gconstpointer  data)
{
  static const struct { const char *model; guint status; const char *code; } cases[] = {
    { "mock/error500", 502, "upstream_error" },
    { "mock/error429", 429, "upstream_rate_limited" },
    { "mock/slow", 504, "upstream_timeout" },
    { "mock/garbage", 502, "upstream_error" },
    { "dead/model", 502, "upstream_unreachable" },
  };
  g_autoptr(GPtrArray) events = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                                               cases[i].model);
      g_autoptr(SoupMessage) msg = chat_message (f, f->key, body);
      g_autoptr(GBytes) reply = soup_session_send_and_read (f->session, msg, NULL, NULL);
      g_autoptr(JsonNode) node = parse_bytes (reply);

      g_test_message ("%s → %u %s", cases[i].model, soup_message_get_status (msg),
                      (const char *) g_bytes_get_data (reply, NULL));
      g_assert_cmpuint (soup_message_get_status (msg), ==, cases[i].status);
      g_assert_cmpstr (error_code (node), ==, cases[i].code);
      g_assert_null (strstr (g_bytes_get_data (reply, NULL), "sk-upstream-secret"));
      if (cases[i].status == 429)
        g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After"), ==, "7");
    }

  events = stop_and_read_usage (f);
  g_assert_cmpuint (events->len, ==, G_N_ELEMENTS (cases));
  for (guint i = 0; i < events->len; i++)
    {
      GrUsageEvent *e = g_ptr_array_index (events, events->len - 1 - i);

      g_assert_cmpint (e->status, ==, cases[i].status);
      g_assert_cmpstr (e->error_code, ==, cases[i].code);
    }
}

static guint
count_occurrences (const char *haystack,
                   const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

/* A raw socket, so the test controls exactly when the client vanishes. */
static void
test_client_disconnect (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  const char *body = "{\"model\":\"mock/endless\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
  g_autofree char *request = g_strdup_printf ("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
                                              "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                                              "Content-Length: %zu\r\n\r\n%s", f->key, strlen (body), body);
  char buf[4096];
  gssize n;
  g_autoptr(GString) got = g_string_new (NULL);
  gint64 closed_ms;
  g_autoptr(GPtrArray) events = NULL;
  GrUsageEvent *e;

  conn = g_socket_client_connect_to_host (client, "127.0.0.1", gr_gateway_get_port (f->gateway), NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), request, strlen (request),
                             NULL, NULL, &error);
  g_assert_no_error (error);
  /* Wait for some streamed content, then hang up. */
  while (count_occurrences (got->str, "more ") < 3)
    {
      n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (conn)), buf, sizeof buf - 1, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      g_string_append_len (got, buf, n);
    }
  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);

  closed_ms = mock_upstream_wait_stream_closed (f->mock, 3000);
  g_test_message ("upstream transfer closed %" G_GINT64_FORMAT " ms after the client left", closed_ms);
  g_assert_cmpint (closed_ms, >=, 0);
  g_assert_cmpint (closed_ms, <, 1000);

  events = stop_and_read_usage (f);
  g_assert_cmpuint (events->len, ==, 1);
  e = g_ptr_array_index (events, 0);
  g_assert_true (e->partial);
  g_assert_true (e->stream);
  g_assert_cmpint (e->status, ==, 499);
  g_assert_cmpstr (e->error_code, ==, "client_disconnected");
}

static void
test_unknown_route_and_method (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *uri = g_strconcat (f->url, "/v1/nothing-here", NULL);
  g_autofree char *chat = g_strconcat (f->url, "/v1/chat/completions", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
  g_autoptr(SoupMessage) get = soup_message_new ("GET", chat);
  g_autoptr(GBytes) a = soup_session_send_and_read (f->session, msg, NULL, NULL);
  g_autoptr(GBytes) b = soup_session_send_and_read (f->session, get, NULL, NULL);

  g_assert_cmpuint (soup_message_get_status (msg), ==, 404);
  g_assert_cmpuint (soup_message_get_status (get), ==, 405);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (get), "Allow"), ==, "POST");
}

static void
test_address_in_use (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("gr-gateway-XXXXXX", NULL);
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GrGateway) gateway = NULL;
  GrConfig *config = gr_config_new_default ();

  g_assert_true (g_socket_bind (sock, addr, FALSE, NULL));
  g_assert_true (g_socket_listen (sock, NULL));
  bound = g_socket_get_local_address (sock, NULL);

  g_free (config->database);
  config->database = g_build_filename (dir, "db.sqlite", NULL);
  config->listen_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  gateway = gr_gateway_new (config);
  g_assert_false (gr_gateway_start (gateway, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "already in use"));
  g_assert_cmpint (gr_gateway_get_state (gateway), ==, GR_GATEWAY_STATE_ERROR);
  g_assert_nonnull (gr_gateway_get_error_message (gateway));
}

static gboolean
accept_any_certificate_cb (SoupMessage         *msg,
                           GTlsCertificate     *certificate,
                           GTlsCertificateFlags errors,
                           gpointer             user_data)
{
  return TRUE;
}

/* HTTPS with a certificate and key named in the configuration. */
static void
test_tls (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gr-tls-XXXXXX", NULL);
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  g_autofree char *cmd = g_strdup_printf ("openssl req -x509 -newkey rsa:2048 -nodes -keyout %s -out %s "
                                          "-days 1 -subj /CN=localhost", key, cert);
  g_autoptr(GError) error = NULL;
  g_autoptr(GrGateway) gateway = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autofree char *url = NULL;
  g_autofree char *uri = NULL;
  GrConfig *config;
  int status = 0;

  if (!g_spawn_command_line_sync (cmd, NULL, NULL, &status, NULL) || status != 0)
    {
      g_test_skip ("openssl is not available to make a test certificate");
      return;
    }
  config = gr_config_new_default ();
  g_free (config->database);
  config->database = g_build_filename (dir, "db.sqlite", NULL);
  config->listen_port = 0;
  config->tls_certificate = g_strdup (cert);
  config->tls_key = g_strdup (key);
  gateway = gr_gateway_new (config);
  g_assert_true (gr_gateway_start (gateway, &error));
  g_assert_no_error (error);
  url = gr_gateway_dup_url (gateway);
  g_assert_true (g_str_has_prefix (url, "https://"));

  uri = g_strconcat (url, "/health", NULL);
  msg = soup_message_new ("GET", uri);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any_certificate_cb), NULL);
  reply = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  gr_gateway_stop (gateway);
}

/* A route that goes back to the same provider waits a backoff first. */
static void
test_same_provider_backoff (void)
{
  MockUpstream *mock = mock_upstream_new ();
  g_autofree char *mock_url = mock_upstream_dup_url (mock);
  g_autofree char *dir = g_dir_make_tmp ("gr-backoff-XXXXXX", NULL);
  g_autofree char *ini = g_strdup_printf ("[gateway]\nlisten=127.0.0.1:0\ndatabase=%s/db.sqlite\n"
                                          "[provider:mock]\nkind=openai-compatible\nbase_url=%s/v1\n"
                                          "[alias:retrying]\ntargets=mock/error500;mock/ok\n",
                                          dir, mock_url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GrGateway) gateway = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autofree char *url = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *key = NULL;
  g_autofree char *auth = NULL;
  const char *body = "{\"model\":\"retrying\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  GrConfig *config = gr_config_load_data (ini, -1, &error);
  gint64 start;

  g_assert_no_error (error);
  gateway = gr_gateway_new (config);
  g_assert_true (gr_gateway_start (gateway, &error));
  url = gr_gateway_dup_url (gateway);
  key = gr_gateway_dup_new_admin_key (gateway);
  uri = g_strconcat (url, "/v1/chat/completions", NULL);
  auth = g_strconcat ("Bearer ", key, NULL);
  msg = soup_message_new ("POST", uri);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  start = g_get_monotonic_time ();
  reply = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  /* Equal jitter: at least half of the first step (250 ms). */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 120 * 1000);
  g_assert_cmpuint (mock_upstream_get_requests (mock), ==, 2);
  gr_gateway_stop (gateway);
  mock_upstream_free (mock);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  if (gr_test_db_skip_all ())
    return g_test_run ();

#define ADD(path, fn) g_test_add ("/gaiarouter/gateway/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("health", test_health);
  ADD ("non-stream", test_non_stream);
  ADD ("stream", test_stream);
  ADD ("stream-not-buffered", test_stream_not_buffered);
  ADD ("bad-key", test_bad_key);
  ADD ("unknown-model", test_unknown_model);
  ADD ("malformed", test_malformed);
  ADD ("oversized", test_oversized);
  ADD ("upstream-errors", test_upstream_errors);
  ADD ("client-disconnect", test_client_disconnect);
  ADD ("unknown-route-and-method", test_unknown_route_and_method);
#undef ADD
  g_test_add_func ("/gaiarouter/gateway/address-in-use", test_address_in_use);
  g_test_add_func ("/gaiarouter/gateway/tls", test_tls);
  g_test_add_func ("/gaiarouter/gateway/same-provider-backoff", test_same_provider_backoff);

  return g_test_run ();
}
