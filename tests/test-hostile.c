/* test-hostile.c — hostile input: each gets a clear error, nothing changes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real gateway with a mock upstream.  Every case checks the status and
 * the OpenAI error shape, and the test ends by checking that the stored
 * organizations are exactly what they were and the gateway still serves.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "core/gr-gateway.h"
#include "mock-upstream.h"

typedef struct
{
  MockUpstream *mock;
  char         *dir;
  GrGateway    *gateway;
  char         *url;
  char         *admin;
  SoupSession  *session;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *mock_url = NULL;
  g_autofree char *base = NULL;
  GrConfig *config = gr_config_new_default ();

  f->mock = mock_upstream_new ();
  f->dir = g_dir_make_tmp ("gr-hostile-XXXXXX", &error);
  g_free (config->database);
  config->database = g_build_filename (f->dir, "gaiarouter.db", NULL);
  config->listen_port = 0;
  config->max_body_bytes = 64 * 1024;
  config->read_timeout_seconds = 2;
  mock_url = mock_upstream_dup_url (f->mock);
  base = g_strconcat (mock_url, "/v1", NULL);
  g_ptr_array_add (config->providers, gr_provider_config_new ("mock", GR_PROVIDER_KIND_OPENAI_COMPATIBLE, base));
  f->gateway = gr_gateway_new (config);
  g_assert_true (gr_gateway_start (f->gateway, &error));
  f->url = gr_gateway_dup_url (f->gateway);
  f->admin = gr_gateway_dup_new_admin_key (f->gateway);
  f->session = soup_session_new_with_options ("timeout", 20, NULL);
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

/* Sends raw bytes as the body; returns the status and the error code. */
static guint
send_raw (Fixture    *f,
          const char *method,
          const char *path,
          const char *content_type,
          const char *body,
          gsize       len,
          char      **code)
{
  g_autofree char *uri = g_strconcat (f->url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GBytes) reply = NULL;
  g_autofree char *auth = g_strconcat ("Bearer ", f->admin, NULL);
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) node = NULL;
  gsize n = 0;

  g_assert_nonnull (msg);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, len);

      soup_message_set_request_body_from_bytes (msg, content_type, bytes);
    }
  reply = soup_session_send_and_read (f->session, msg, NULL, NULL);
  if (code != NULL)
    {
      *code = NULL;
      if (reply != NULL && g_bytes_get_size (reply) > 0)
        {
          text = g_strndup (g_bytes_get_data (reply, &n), g_bytes_get_size (reply));
          node = json_from_string (text, NULL);
          if (node != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
              json_object_has_member (json_node_get_object (node), "error"))
            {
              JsonObject *err = json_object_get_object_member (json_node_get_object (node), "error");

              g_assert_true (json_object_has_member (err, "message"));
              g_assert_true (json_object_has_member (err, "type"));
              *code = g_strdup (json_object_get_string_member_with_default (err, "code", ""));
            }
        }
    }
  return soup_message_get_status (msg);
}

static guint
send_json (Fixture    *f,
           const char *method,
           const char *path,
           const char *body,
           char      **code)
{
  return send_raw (f, method, path, "application/json", body, body ? strlen (body) : 0, code);
}

static char *
organizations_snapshot (Fixture *f)
{
  g_autofree char *uri = g_strconcat (f->url, "/v1/organizations?page_size=200&sort=name", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
  g_autofree char *auth = g_strconcat ("Bearer ", f->admin, NULL);
  g_autoptr(GBytes) reply = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  reply = soup_session_send_and_read (f->session, msg, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  return g_strndup (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply));
}

static void
expect (Fixture    *f,
        guint       status,
        const char *code,
        guint       want_status,
        const char *want_code)
{
  g_assert_cmpuint (status, ==, want_status);
  if (want_code != NULL)
    g_assert_cmpstr (code, ==, want_code);
}

static void
test_bodies (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *before = organizations_snapshot (f);
  g_autofree char *after = NULL;
  g_autoptr(GString) deep = g_string_new ("{\"model\":\"mock/ok\",\"messages\":");
  g_autoptr(GString) big = g_string_new ("{\"name\":\"");
  static const char nul_body[] = "{\"name\":\"a\0b\"}";
  static const char bad_utf8[] = "{\"name\":\"\xc3\x28\"}";
  char *code = NULL;
  guint status;

  /* Deep nesting must not exhaust the stack. */
  for (int i = 0; i < 20000; i++)
    g_string_append_c (deep, '[');
  for (int i = 0; i < 20000; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  status = send_json (f, "POST", "/v1/chat/completions", deep->str, &code);
  expect (f, status, code, 400, "invalid_json");
  g_clear_pointer (&code, g_free);

  status = send_raw (f, "POST", "/v1/organizations", "application/json", nul_body, sizeof nul_body - 1, &code);
  expect (f, status, code, 400, NULL);
  g_clear_pointer (&code, g_free);
  status = send_raw (f, "POST", "/v1/organizations", "application/json", bad_utf8, sizeof bad_utf8 - 1, &code);
  expect (f, status, code, 400, "invalid_json");
  g_clear_pointer (&code, g_free);

  for (int i = 0; i < 70 * 1024; i++)
    g_string_append_c (big, 'x');
  g_string_append (big, "\"}");
  status = send_json (f, "POST", "/v1/organizations", big->str, &code);
  expect (f, status, code, 413, "request_too_large");
  g_clear_pointer (&code, g_free);

  /* Escapes JSON does not have (json-glib reads "\333" as the byte 0xDB:
   * invalid UTF-8 in the organization's name, or in an upstream body). */
  status = send_json (f, "POST", "/v1/organizations", "{\"name\":\"\\333\"}", &code);
  expect (f, status, code, 400, "invalid_json");
  g_clear_pointer (&code, g_free);
  status = send_json (f, "POST", "/v1/chat/completions",
                      "{\"model\":\"mock/ok\",\"stop\":[\"\\333\"],\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                      &code);
  expect (f, status, code, 400, "invalid_json");
  g_clear_pointer (&code, g_free);

  /* Several top-level values, trailing garbage. */
  status = send_json (f, "POST", "/v1/organizations", "{\"name\":\"A\"}{\"name\":\"B\"}", &code);
  expect (f, status, code, 400, "invalid_json");
  g_clear_pointer (&code, g_free);

  status = send_raw (f, "POST", "/v1/organizations", "application/xml", "<org/>", 6, &code);
  expect (f, status, code, 415, "unsupported_media_type");
  g_clear_pointer (&code, g_free);
  status = send_raw (f, "POST", "/v1/chat/completions", "multipart/form-data", "x", 1, &code);
  expect (f, status, code, 415, "unsupported_media_type");
  g_clear_pointer (&code, g_free);

  after = organizations_snapshot (f);
  g_assert_cmpstr (before, ==, after);
}

static void
test_numbers_and_limits (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *before = organizations_snapshot (f);
  g_autofree char *after = NULL;
  static const char *bodies[] = {
    "{\"name\":\"N\",\"limits\":{\"rpm\":-1}}",
    "{\"name\":\"N\",\"limits\":{\"monthly_budget_micros\":1e400}}",
    "{\"name\":\"N\",\"limits\":{\"tokens_per_day\":99999999999999999999999}}",
    "{\"name\":\"N\",\"limits\":{\"rpm\":\"10\"}}",
    "{\"name\":\"N\",\"limits\":{\"rpm\":1.0e3}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      char *code = NULL;
      guint status = send_json (f, "POST", "/v1/organizations", bodies[i], &code);

      g_test_message ("%s → %u %s", bodies[i], status, code);
      g_assert_cmpuint (status, ==, 400);
      g_free (code);
    }
  after = organizations_snapshot (f);
  g_assert_cmpstr (before, ==, after);
}

static void
test_sql_and_paths (Fixture       *f,
                    gconstpointer  data)
{
  static const char *paths[] = {
    "/v1/organizations/'%20OR%201=1%20--",
    "/v1/organizations/..%2F..%2Fetc%2Fpasswd",
    "/v1/api-keys/x';DROP%20TABLE%20api_keys;--",
    "/v1/api-keys/%00",
    "/v1/organizations?q=%25%27%20OR%201=1--&sort=name",
    "/v1/logs?model=%27;DELETE%20FROM%20usage_events;--",
  };
  g_autofree char *before = organizations_snapshot (f);
  g_autofree char *after = NULL;
  char *code = NULL;
  guint status;

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      status = send_json (f, "GET", paths[i], NULL, &code);
      g_test_message ("%s → %u", paths[i], status);
      g_assert_true (status == 404 || status == 200 || status == 400);
      g_clear_pointer (&code, g_free);
      status = send_json (f, "DELETE", paths[i], NULL, &code);
      g_assert_cmpuint (status, !=, 204);
      g_assert_cmpuint (status, <, 500);
      g_clear_pointer (&code, g_free);
    }
  /* SQL text in a stored field is just text. */
  status = send_json (f, "POST", "/v1/organizations",
                      "{\"name\":\"Robert'); DROP TABLE organizations;--\",\"description\":\"%_\\\\\"}", &code);
  g_assert_cmpuint (status, ==, 201);
  g_clear_pointer (&code, g_free);
  after = organizations_snapshot (f);
  g_assert_nonnull (strstr (after, "DROP TABLE organizations"));
  g_assert_nonnull (strstr (after, "\"Default\""));
  (void) before;
}

static void
test_methods (Fixture       *f,
              gconstpointer  data)
{
  static const struct { const char *method; const char *path; } cases[] = {
    { "PUT", "/v1/chat/completions" },
    { "DELETE", "/v1/messages" },
    { "POST", "/v1/models" },
    { "POST", "/health" },
    { "PUT", "/v1/api-keys" },
    { "PATCH", "/v1/organizations" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char *code = NULL;
      guint status = send_json (f, cases[i].method, cases[i].path, "{}", &code);

      g_test_message ("%s %s → %u", cases[i].method, cases[i].path, status);
      g_assert_cmpuint (status, ==, 405);
      g_free (code);
    }
}

/* Headers far past any sane size: refused, and the gateway goes on. */
static void
test_huge_headers (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GString) request = g_string_new ("GET /health HTTP/1.1\r\nHost: x\r\n");
  char buf[512];
  gssize n;
  char *code = NULL;

  for (int i = 0; i < 2000; i++)
    g_string_append_printf (request, "X-Filler-%d: %0500d\r\n", i, 0);
  g_string_append (request, "\r\n");
  conn = g_socket_client_connect_to_host (client, "127.0.0.1", gr_gateway_get_port (f->gateway), NULL, NULL);
  g_assert_nonnull (conn);
  /* The server may close before reading it all: write errors are fine. */
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), request->str,
                             request->len, NULL, NULL, NULL);
  n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (conn)), buf, sizeof buf - 1, NULL, NULL);
  if (n > 0)
    {
      buf[n] = '\0';
      g_assert_false (g_str_has_prefix (buf, "HTTP/1.1 200"));
    }
  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);

  g_assert_cmpuint (send_json (f, "GET", "/health", NULL, &code), ==, 200);
  g_free (code);
}

/* Sends a request that never completes; returns how long the gateway
 * took to hang up, or -1 when it did not within 10 s. */
static double
seconds_until_hung_up (Fixture    *f,
                       const char *partial)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;
  GInputStream *in;
  char buf[256];
  gint64 start;
  gssize n;

  conn = g_socket_client_connect_to_host (client, "127.0.0.1", gr_gateway_get_port (f->gateway), NULL, NULL);
  g_assert_nonnull (conn);
  g_socket_set_timeout (g_socket_connection_get_socket (conn), 10);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), partial, strlen (partial),
                             NULL, NULL, NULL);
  start = g_get_monotonic_time ();
  in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  while ((n = g_input_stream_read (in, buf, sizeof buf, NULL, NULL)) > 0)
    ;
  if (n < 0)
    return -1;
  return (g_get_monotonic_time () - start) / 1e6;
}

/* Slow-loris: headers or a body that never finish arriving are cut off
 * after the read timeout (2 s here), and the gateway goes on serving. */
static void
test_slow_loris (Fixture       *f,
                 gconstpointer  data)
{
  double headers = seconds_until_hung_up (f, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-Slow: ");
  g_autofree char *partial_body = g_strdup_printf ("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                                                   "Authorization: Bearer %s\r\nContent-Length: 1000\r\n\r\n{\"model\":",
                                                   f->admin);
  double body = seconds_until_hung_up (f, partial_body);
  char *code = NULL;

  g_test_message ("cut off after %.1f s (headers) and %.1f s (body)", headers, body);
  g_assert_cmpfloat (headers, >=, 1.0);
  g_assert_cmpfloat (headers, <, 6.0);
  g_assert_cmpfloat (body, >=, 1.0);
  g_assert_cmpfloat (body, <, 6.0);
  g_assert_cmpuint (send_json (f, "GET", "/health", NULL, &code), ==, 200);
  g_free (code);
}

/* The byte-level fast path routes on the top-level "model" only: nested
 * ones are content, and disguised or repeated ones go through the DOM,
 * so what reaches the upstream is always the model we routed on. */
static void
test_model_smuggling (Fixture       *f,
                      gconstpointer  data)
{
  static const struct { const char *body; const char *upstream_model; } cases[] = {
    { "{\"model\":\"mock/ok\",\"messages\":[{\"role\":\"user\",\"content\":\"x\",\"model\":\"mock/evil\"}]}", "ok" },
    { "{\"model\":\"mock/evil\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"model\":\"mock/ok\"}", "ok" },
    { "{\"model\":\"mock/ok\",\"mod\\u0065l\":\"mock/other\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "other" },
    { " {\n \"model\" : \"mock/ok\" ,\"messages\":[{\"role\":\"user\",\"content\":\"\\\"model\\\":\\\"mock/evil\\\" \\u00e9\"}] } ", "ok" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *upstream = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(JsonNode) sent = json_from_string (cases[i].body, NULL);
      JsonObject *obj;
      JsonArray *messages;
      guint status;

      g_test_message ("%s", cases[i].body);
      status = send_json (f, "POST", "/v1/chat/completions", cases[i].body, NULL);
      g_assert_cmpuint (status, ==, 200);
      upstream = mock_upstream_dup_last_body (f->mock);
      node = json_from_string (upstream, NULL);
      g_assert_nonnull (node);
      obj = json_node_get_object (node);
      g_assert_cmpstr (json_object_get_string_member (obj, "model"), ==, cases[i].upstream_model);
      /* Exactly one top-level "model", however it was written. */
      g_assert_null (strstr (upstream, "\\u0065"));
      messages = json_object_get_array_member (obj, "messages");
      g_assert_true (json_node_equal (json_array_get_element (messages, 0),
                                      json_array_get_element (json_object_get_array_member (json_node_get_object (sent), "messages"), 0)));
      {
        const char *first = strstr (upstream, "\"model\"");
        const char *content = strstr (upstream, "\"messages\"");

        g_assert_nonnull (first);
        /* A second top-level "model" would follow the first, outside "messages". */
        g_assert_true (strstr (first + 1, "\"model\":\"") == NULL ||
                       strstr (first + 1, "\"model\":\"") > content);
      }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add ("/gaiarouter/hostile/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("bodies", test_bodies);
  ADD ("numbers-and-limits", test_numbers_and_limits);
  ADD ("sql-and-paths", test_sql_and_paths);
  ADD ("methods", test_methods);
  ADD ("huge-headers", test_huge_headers);
  ADD ("slow-loris", test_slow_loris);
  ADD ("model-smuggling", test_model_smuggling);
#undef ADD

  return g_test_run ();
}
