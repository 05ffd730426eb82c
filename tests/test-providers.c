/* test-providers.c — every provider kind end to end through a real gateway
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real GrGateway (own thread, SQLite in a temp directory) with providers
 * of every kind pointing at one mock upstream that speaks OpenAI,
 * OpenRouter, Anthropic and Gemini on their real paths and rejects what
 * the real APIs reject (mock-upstream.h).  The client side is libsoup.
 *
 * Costs are checked against hand arithmetic from data/models.json (or the
 * [model:] sections below) and the fixtures' usage, in micro-USD.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "core/gr-gateway.h"
#include "store/gr-store.h"
#include "mock-upstream.h"
#include "gr-test-db.h"

/* Provider credentials: none of them may ever reach a client. */
static const char * const secrets[] = {
  "sk-ant-PROVIDER-SECRET", "gemini-PROVIDER-SECRET", "sk-or-PROVIDER-SECRET",
  "sk-compat-PROVIDER-SECRET", "sk-compat2-PROVIDER-SECRET", "sk-sick-PROVIDER-SECRET",
  "sk-openai-PROVIDER-SECRET", NULL
};

/* @MOCK@ is replaced by the mock's URL. */
static const char config_template[] =
  "[provider:anthropic]\n"
  "kind=anthropic\n"
  "base_url=@MOCK@\n"
  "api_key=sk-ant-PROVIDER-SECRET\n"
  "\n"
  "[provider:google]\n"
  "kind=gemini\n"
  "base_url=@MOCK@\n"
  "api_key=gemini-PROVIDER-SECRET\n"
  "\n"
  "[provider:openrouter]\n"
  "kind=openrouter\n"
  "base_url=@MOCK@/api/v1\n"
  "api_key=sk-or-PROVIDER-SECRET\n"
  "http_referer=https://gaiarouter.example/tests\n"
  "x_title=GaiaRouter tests\n"
  "\n"
  "[provider:openai]\n"
  "kind=openai\n"
  "base_url=@MOCK@/v1\n"
  "api_key=sk-openai-PROVIDER-SECRET\n"
  "\n"
  "[provider:mock]\n"
  "kind=openai-compatible\n"
  "base_url=@MOCK@/v1\n"
  "api_key=sk-compat-PROVIDER-SECRET\n"
  "\n"
  "[provider:mock2]\n"
  "kind=openai-compatible\n"
  "base_url=@MOCK@/v1\n"
  "api_key=sk-compat2-PROVIDER-SECRET\n"
  "\n"
  "[provider:sick]\n"
  "kind=openai-compatible\n"
  "base_url=@MOCK@/v1\n"
  "api_key=sk-sick-PROVIDER-SECRET\n"
  "\n"
  "[provider:dead]\n"
  "kind=openai-compatible\n"
  "base_url=http://127.0.0.1:1/v1\n"
  "\n"
  "[provider:ollama]\n"
  "enabled=false\n"
  "\n"
  /* Priced tool models, so that every kind's cost is checkable. */
  "[model:anthropic/claude-tool]\n"
  "input_per_mtok=3000000\n"
  "output_per_mtok=15000000\n"
  "\n"
  "[model:google/gemini-tool]\n"
  "input_per_mtok=300000\n"
  "output_per_mtok=2500000\n"
  "\n"
  "[model:mock/tool]\n"
  "input_per_mtok=2500000\n"
  "output_per_mtok=10000000\n"
  "\n"
  "[alias:fallback-500]\n"
  "targets=sick/error500;mock2/ok\n"
  "\n"
  "[alias:fallback-refused]\n"
  "targets=dead/anything;mock2/ok\n"
  "\n"
  "[alias:fallback-flaky]\n"
  "targets=mock/flaky1;mock2/ok\n"
  "\n"
  "[alias:no-fallback-400]\n"
  "targets=mock/error400;mock2/ok\n"
  "\n"
  "[alias:weighted]\n"
  "targets=mock/wa;mock2/wb\n"
  "weights=3;1\n";

typedef struct
{
  MockUpstream *mock;
  char         *dir;
  char         *db;
  GrGateway    *gateway;
  char         *url;
  char         *key;
  SoupSession  *session;
  guint         requests;  /* client requests sent, for the usage count */
} Fixture;

/* A client's view of one answer. */
typedef struct
{
  guint  status;
  char  *body;
  char  *provider;   /* x-gaiarouter-provider */
  char  *content_type;
  char  *retry_after;
} Reply;

static void
reply_free (Reply *r)
{
  g_free (r->body);
  g_free (r->provider);
  g_free (r->content_type);
  g_free (r->retry_after);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

static char *
replace_all (const char *text,
             const char *what,
             const char *with)
{
  g_auto(GStrv) parts = g_strsplit (text, what, -1);

  return g_strjoinv (with, parts);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *mock_url = NULL;
  g_autofree char *ini = NULL;
  GrConfig *config;

  f->mock = mock_upstream_new ();
  mock_upstream_set_require_attribution (f->mock, TRUE);
  f->dir = g_dir_make_tmp ("gr-providers-XXXXXX", &error);
  g_assert_no_error (error);
  {
    g_autofree char *file = g_build_filename (f->dir, "gaiarouter.db", NULL);

    f->db = gr_test_db_target (file);
  }

  mock_url = mock_upstream_dup_url (f->mock);
  ini = replace_all (config_template, "@MOCK@", mock_url);
  config = gr_config_load_data (ini, -1, &error);
  g_assert_no_error (error);
  g_free (config->database);
  config->database = g_strdup (f->db);
  config->listen_port = 0;
  config->shutdown_grace_ms = 2000;
  /* Below the mock's slow first byte, so keep-alives must show up. */
  config->keepalive_interval_ms = 300;
  for (guint i = 0; i < config->providers->len; i++)
    {
      GrProviderConfig *p = g_ptr_array_index (config->providers, i);

      p->connect_timeout_ms = 2000;
      p->first_byte_timeout_ms = 5000;
      p->idle_timeout_ms = 5000;
    }

  f->gateway = gr_gateway_new (config);
  g_assert_true (gr_gateway_start (f->gateway, &error));
  g_assert_no_error (error);
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

static void
assert_no_secret (const char *text)
{
  for (guint i = 0; secrets[i] != NULL; i++)
    if (strstr (text, secrets[i]) != NULL)
      g_error ("a provider credential (%s) reached the client: %s", secrets[i], text);
}

/* POSTs body to path ("/v1/chat/completions" with a Bearer key, or
 * "/v1/messages" as the Anthropic SDK sends it) and reads the whole answer,
 * event stream or not. */
static Reply *
post (Fixture    *f,
      const char *path,
      const char *body)
{
  g_autofree char *uri = g_strconcat (f->url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", uri);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *req_headers = soup_message_get_request_headers (msg);
  SoupMessageHeaders *headers;
  Reply *r = g_new0 (Reply, 1);

  if (g_str_equal (path, "/v1/messages"))
    {
      soup_message_headers_replace (req_headers, "x-api-key", f->key);
      soup_message_headers_replace (req_headers, "anthropic-version", "2023-06-01");
    }
  else
    {
      g_autofree char *auth = g_strconcat ("Bearer ", f->key, NULL);

      soup_message_headers_replace (req_headers, "Authorization", auth);
    }
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  answer = soup_session_send_and_read (f->session, msg, NULL, &error);
  g_assert_no_error (error);
  f->requests++;

  headers = soup_message_get_response_headers (msg);
  r->status = soup_message_get_status (msg);
  r->body = g_strndup (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer));
  r->provider = g_strdup (soup_message_headers_get_one (headers, "x-gaiarouter-provider"));
  r->content_type = g_strdup (soup_message_headers_get_content_type (headers, NULL));
  r->retry_after = g_strdup (soup_message_headers_get_one (headers, "Retry-After"));
  g_test_message ("POST %s %s → %u (%s)", path, body, r->status, r->provider ? r->provider : "-");
  assert_no_secret (r->body);
  return r;
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  if (error != NULL)
    g_error ("not JSON (%s): %s", error->message, text);
  g_assert_nonnull (node);
  return node;
}

static void
assert_json_equal (const char *a,
                   const char *b)
{
  g_autoptr(JsonNode) na = parse (a);
  g_autoptr(JsonNode) nb = parse (b);

  if (!json_node_equal (na, nb))
    g_error ("JSON differs: %s vs %s", a, b);
}

static JsonObject *
object_path (JsonNode   *root,
             const char *path)
{
  g_autoptr(JsonNode) found = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *array;

  found = json_path_query (path, root, &error);
  g_assert_no_error (error);
  array = json_node_get_array (found);
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  return json_node_get_object (json_array_get_element (array, 0));
}

/* Stops the gateway (which flushes usage) and reads the usage events,
 * checking there is exactly one per client request. */
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
  g_assert_cmpuint (events->len, ==, f->requests);
  return events;
}

/* gr_store_list_usage lists the newest first. */
static GrUsageEvent *
usage_event (GPtrArray *events,
             guint      request)
{
  return g_ptr_array_index (events, events->len - 1 - request);
}

/* ------------------------------------------------------------------ */
/* OpenAI streams as a client sees them                                 */
/* ------------------------------------------------------------------ */

typedef struct
{
  char    *id;
  char    *name;
  GString *arguments;
} ToolCall;

typedef struct
{
  GString   *content;
  GPtrArray *tools;         /* of ToolCall, by index */
  char      *finish_reason;
  JsonNode  *usage;
  JsonNode  *error;         /* the error event's "error" object */
  gboolean   done;          /* [DONE] was the last event */
  guint      keepalives_before_data;
  guint      chunks;
} Stream;

static void
tool_call_free (ToolCall *t)
{
  g_free (t->id);
  g_free (t->name);
  g_string_free (t->arguments, TRUE);
  g_free (t);
}

static void
stream_free (Stream *s)
{
  g_string_free (s->content, TRUE);
  g_ptr_array_unref (s->tools);
  g_free (s->finish_reason);
  g_clear_pointer (&s->usage, json_node_unref);
  g_clear_pointer (&s->error, json_node_unref);
  g_free (s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Stream, stream_free)

static void
stream_add_chunk (Stream     *s,
                  JsonObject *chunk,
                  const char *model)
{
  JsonArray *choices = json_object_get_array_member (chunk, "choices");

  g_assert_cmpstr (json_object_get_string_member (chunk, "object"), ==, "chat.completion.chunk");
  g_assert_cmpstr (json_object_get_string_member (chunk, "model"), ==, model);
  g_assert_true (json_object_has_member (chunk, "id"));
  g_assert_true (json_object_has_member (chunk, "created"));
  g_assert_nonnull (choices);
  s->chunks++;
  if (json_object_has_member (chunk, "usage") && !json_object_get_null_member (chunk, "usage"))
    {
      g_clear_pointer (&s->usage, json_node_unref);
      s->usage = json_node_copy (json_object_get_member (chunk, "usage"));
    }

  for (guint i = 0; i < json_array_get_length (choices); i++)
    {
      JsonObject *choice = json_array_get_object_element (choices, i);
      JsonObject *delta = json_object_get_object_member (choice, "delta");
      JsonNode *content = json_object_get_member (delta, "content");
      JsonNode *finish = json_object_get_member (choice, "finish_reason");
      JsonArray *calls = json_object_has_member (delta, "tool_calls")
                         ? json_object_get_array_member (delta, "tool_calls") : NULL;

      g_assert_cmpint (json_object_get_int_member (choice, "index"), ==, 0);
      if (content != NULL && !JSON_NODE_HOLDS_NULL (content))
        g_string_append (s->content, json_node_get_string (content));
      for (guint c = 0; calls != NULL && c < json_array_get_length (calls); c++)
        {
          JsonObject *call = json_array_get_object_element (calls, c);
          gint64 index = json_object_get_int_member (call, "index");
          JsonObject *fn = json_object_get_object_member (call, "function");
          ToolCall *t;

          g_assert_cmpint (index, >=, 0);
          g_assert_cmpint (index, <=, s->tools->len);
          if (index == s->tools->len)
            {
              /* The first delta of a call names it. */
              t = g_new0 (ToolCall, 1);
              t->arguments = g_string_new (NULL);
              t->id = g_strdup (json_object_get_string_member (call, "id"));
              g_assert_nonnull (t->id);
              g_assert_cmpstr (json_object_get_string_member (call, "type"), ==, "function");
              t->name = g_strdup (json_object_get_string_member (fn, "name"));
              g_ptr_array_add (s->tools, t);
            }
          t = g_ptr_array_index (s->tools, index);
          if (fn != NULL && json_object_has_member (fn, "arguments"))
            g_string_append (t->arguments, json_object_get_string_member (fn, "arguments"));
        }
      if (finish != NULL && !JSON_NODE_HOLDS_NULL (finish))
        {
          g_assert_null (s->finish_reason);
          s->finish_reason = g_strdup (json_node_get_string (finish));
        }
    }
}

/* Parses an OpenAI event stream strictly: every data event is one JSON
 * chunk (or an error object, or the final [DONE]). */
static Stream *
parse_openai_stream (const char *text,
                     const char *model)
{
  Stream *s = g_new0 (Stream, 1);
  g_auto(GStrv) events = g_strsplit (text, "\n\n", -1);
  gboolean seen_data = FALSE;

  s->content = g_string_new (NULL);
  s->tools = g_ptr_array_new_with_free_func ((GDestroyNotify) tool_call_free);
  for (guint i = 0; events[i] != NULL; i++)
    {
      const char *event = events[i];
      g_autoptr(JsonNode) node = NULL;
      JsonObject *obj;

      if (*event == '\0')
        {
          g_assert_null (events[i + 1]); /* only after the last event */
          continue;
        }
      g_assert_false (s->done);
      if (*event == ':')
        {
          if (!seen_data)
            s->keepalives_before_data++;
          continue;
        }
      g_assert_true (g_str_has_prefix (event, "data: "));
      g_assert_null (strchr (event, '\n'));
      seen_data = TRUE;
      if (g_str_equal (event, "data: [DONE]"))
        {
          s->done = TRUE;
          continue;
        }
      node = parse (event + 6);
      obj = json_node_get_object (node);
      if (json_object_has_member (obj, "error") && !json_object_has_member (obj, "choices"))
        {
          g_assert_null (s->error);
          s->error = json_node_copy (json_object_get_member (obj, "error"));
          g_assert_nonnull (json_object_get_string_member (json_object_get_object_member (obj, "error"), "message"));
          continue;
        }
      g_assert_null (s->error);
      stream_add_chunk (s, obj, model);
    }
  return s;
}

static Stream *
stream_chat (Fixture    *f,
             const char *model,
             const char *extra)
{
  g_autofree char *body = g_strdup_printf (
    "{\"model\":\"%s\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
    "\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
    "{\"role\":\"user\",\"content\":\"What's the weather in Paris?\"}]%s}", model, extra ? extra : "");
  g_autoptr(Reply) r = post (f, "/v1/chat/completions", body);

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (r->content_type, ==, "text/event-stream");
  return parse_openai_stream (r->body, model);
}

static const char tools_json[] =
  ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
  "\"description\":\"Current weather for a city\",\"parameters\":{\"type\":\"object\","
  "\"properties\":{\"city\":{\"type\":\"string\"},\"unit\":{\"type\":\"string\"}},\"required\":[\"city\"]}}},"
  "{\"type\":\"function\",\"function\":{\"name\":\"get_forecast\",\"parameters\":{\"type\":\"object\","
  "\"properties\":{\"city\":{\"type\":\"string\"},\"hours\":{\"type\":\"integer\"}}}}}],\"tool_choice\":\"auto\"";

static JsonNode *
chat (Fixture    *f,
      const char *model,
      const char *extra,
      guint       expected_status)
{
  g_autofree char *body = g_strdup_printf (
    "{\"model\":\"%s\",\"max_tokens\":256,"
    "\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
    "{\"role\":\"user\",\"content\":\"What's the weather in Paris?\"}]%s}", model, extra ? extra : "");
  g_autoptr(Reply) r = post (f, "/v1/chat/completions", body);

  g_assert_cmpuint (r->status, ==, expected_status);
  g_assert_cmpstr (r->content_type, ==, "application/json");
  return parse (r->body);
}

/* The one tool call of a non-streamed completion. */
static JsonObject *
only_tool_call (JsonNode   *completion,
                const char *model,
                guint       n_calls)
{
  JsonObject *obj = json_node_get_object (completion);
  JsonObject *choice = json_array_get_object_element (json_object_get_array_member (obj, "choices"), 0);
  JsonObject *message = json_object_get_object_member (choice, "message");
  JsonArray *calls = json_object_get_array_member (message, "tool_calls");

  g_assert_cmpstr (json_object_get_string_member (obj, "object"), ==, "chat.completion");
  g_assert_cmpstr (json_object_get_string_member (obj, "model"), ==, model);
  g_assert_cmpstr (json_object_get_string_member (choice, "finish_reason"), ==, "tool_calls");
  g_assert_cmpstr (json_object_get_string_member (message, "role"), ==, "assistant");
  g_assert_nonnull (calls);
  g_assert_cmpuint (json_array_get_length (calls), ==, n_calls);
  return json_array_get_object_element (calls, 0);
}

static void
assert_call (JsonObject *call,
             const char *id,
             const char *name,
             const char *arguments)
{
  JsonObject *fn = json_object_get_object_member (call, "function");

  if (id != NULL)
    g_assert_cmpstr (json_object_get_string_member (call, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (call, "type"), ==, "function");
  g_assert_cmpstr (json_object_get_string_member (fn, "name"), ==, name);
  assert_json_equal (json_object_get_string_member (fn, "arguments"), arguments);
}

static void
assert_stream_tool (Stream     *s,
                    guint       index,
                    const char *id,
                    const char *name,
                    const char *arguments)
{
  ToolCall *t;

  g_assert_cmpuint (s->tools->len, >, index);
  t = g_ptr_array_index (s->tools, index);
  if (id != NULL)
    g_assert_cmpstr (t->id, ==, id);
  g_assert_cmpstr (t->name, ==, name);
  assert_json_equal (t->arguments->str, arguments);
}

static void
assert_usage (GrUsageEvent *e,
              const char   *provider,
              const char   *model,
              gint64        prompt,
              gint64        completion,
              gint64        cost_micros,
              gboolean      stream)
{
  g_test_message ("usage: %s %s status %d prompt %" G_GINT64_FORMAT " completion %" G_GINT64_FORMAT
                  " cost %" G_GINT64_FORMAT, e->provider, e->model, e->status,
                  e->prompt_tokens, e->completion_tokens, e->cost_micros);
  g_assert_cmpint (e->status, ==, 200);
  g_assert_cmpstr (e->provider, ==, provider);
  g_assert_cmpstr (e->model, ==, model);
  g_assert_cmpint (e->prompt_tokens, ==, prompt);
  g_assert_cmpint (e->completion_tokens, ==, completion);
  g_assert_cmpint (e->cost_micros, ==, cost_micros);
  g_assert_cmpint (e->stream, ==, stream);
  g_assert_false (e->partial);
}

/* ------------------------------------------------------------------ */
/* Round trips per provider kind                                        */
/* ------------------------------------------------------------------ */

static void
test_anthropic (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(JsonNode) whole = chat (f, "anthropic/claude-tool", tools_json, 200);
  g_autofree char *sent = mock_upstream_dup_last_body (f->mock);
  g_autofree char *path = mock_upstream_dup_last_path (f->mock);
  g_autofree char *key = mock_upstream_dup_last_header (f->mock, "x-api-key");
  g_autofree char *version = mock_upstream_dup_last_header (f->mock, "anthropic-version");
  g_autoptr(JsonNode) sent_node = parse (sent);
  JsonObject *message;
  g_autoptr(Stream) s = NULL;
  g_autoptr(GPtrArray) events = NULL;

  assert_call (only_tool_call (whole, "anthropic/claude-tool", 1), "toolu_01A09q90qw90lq917835lq9",
               "get_weather", "{\"city\":\"Paris\",\"unit\":\"celsius\"}");
  message = object_path (whole, "$.choices[0].message");
  g_assert_cmpstr (json_object_get_string_member (message, "content"), ==, "I'll check the current weather in Paris.");
  g_assert_cmpstr (path, ==, "/v1/messages");
  g_assert_cmpstr (key, ==, "sk-ant-PROVIDER-SECRET");
  g_assert_cmpstr (version, ==, "2023-06-01");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (sent_node), "model"), ==, "claude-tool");
  /* The system message went to the top-level "system" (string or blocks). */
  g_assert_nonnull (strstr (sent, "\"system\":"));
  g_assert_nonnull (strstr (sent, "Be brief."));
  g_assert_null (strstr (sent, "\"role\":\"system\""));

  s = stream_chat (f, "anthropic/claude-tool", tools_json);
  g_assert_cmpstr (s->content->str, ==, "I'll check the current weather in Paris.");
  g_assert_cmpuint (s->tools->len, ==, 1);
  assert_stream_tool (s, 0, "toolu_01VfK2xTqB9mN4cR7sLpD3aW", "get_weather",
                      "{\"city\": \"Paris\", \"unit\": \"celsius\"}");
  g_assert_cmpstr (s->finish_reason, ==, "tool_calls");
  g_assert_nonnull (s->usage);
  g_assert_true (s->done);

  /* Registry price arithmetic (the [model:] section): 412 input tokens at
   * $3/M and 58 output tokens at $15/M = 1236 + 870 µUSD. */
  events = stop_and_read_usage (f);
  assert_usage (usage_event (events, 0), "anthropic", "anthropic/claude-tool", 412, 58, 2106, FALSE);
  assert_usage (usage_event (events, 1), "anthropic", "anthropic/claude-tool", 412, 58, 2106, TRUE);
}

static void
test_anthropic_registry_price (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(JsonNode) whole = chat (f, "anthropic/claude-sonnet-4-5", NULL, 200);
  g_autofree char *sent = mock_upstream_dup_last_body (f->mock);
  g_autoptr(JsonNode) sent_node = parse (sent);
  JsonObject *message = object_path (whole, "$.choices[0].message");
  g_autoptr(GPtrArray) events = NULL;
  GrUsageEvent *e;

  g_assert_cmpstr (json_object_get_string_member (message, "content"), ==,
                   "Yes. Light rain is expected in Paris until about 17:00, so take an umbrella.");
  /* The registry's upstream name went out. */
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (sent_node), "model"), ==,
                   "claude-sonnet-4-5-20250929");

  /* data/models.json: input $3/M, cached input $0.30/M, output $15/M.
   * anthropic-response.json: 38 uncached + 1024 cache-read input tokens,
   * 24 output: 38 × 3 + 1024 × 0.3 + 24 × 15 = 114 + 307.2 + 360
   * = 781.2 µUSD, rounded once → 781. */
  events = stop_and_read_usage (f);
  e = usage_event (events, 0);
  assert_usage (e, "anthropic", "anthropic/claude-sonnet-4-5", 38 + 1024, 24, 781, FALSE);
  g_assert_cmpint (e->cached_tokens, ==, 1024);
}

static void
test_gemini (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(JsonNode) whole = chat (f, "google/gemini-tool", tools_json, 200);
  g_autofree char *path = mock_upstream_dup_last_path (f->mock);
  g_autofree char *key = mock_upstream_dup_last_header (f->mock, "x-goog-api-key");
  g_autofree char *stream_path = NULL;
  g_autoptr(Stream) s = NULL;
  g_autoptr(GPtrArray) events = NULL;
  JsonObject *call;

  call = only_tool_call (whole, "google/gemini-tool", 1);
  assert_call (call, NULL, "get_weather", "{\"city\":\"Paris\",\"unit\":\"celsius\"}");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (call, "id"), "call_"));
  g_assert_cmpstr (json_object_get_string_member (object_path (whole, "$.choices[0].message"), "content"), ==,
                   "I'll look up the current weather in Paris.");
  g_assert_cmpstr (path, ==, "/v1beta/models/gemini-tool:generateContent");
  g_assert_cmpstr (key, ==, "gemini-PROVIDER-SECRET");

  s = stream_chat (f, "google/gemini-tool", tools_json);
  stream_path = mock_upstream_dup_last_path (f->mock);
  g_assert_cmpstr (stream_path, ==, "/v1beta/models/gemini-tool:streamGenerateContent?alt=sse");
  g_assert_cmpstr (s->content->str, ==, "I'll look up the current weather in Paris.");
  g_assert_cmpuint (s->tools->len, ==, 1);
  assert_stream_tool (s, 0, NULL, "get_weather", "{\"city\":\"Paris\",\"unit\":\"celsius\"}");
  g_assert_cmpstr (s->finish_reason, ==, "tool_calls");
  g_assert_nonnull (s->usage);
  g_assert_true (s->done);

  /* [model:google/gemini-tool]: $0.30/M in, $2.50/M out; 58 prompt tokens,
   * 24 answer + 112 thought tokens (billed as output):
   * 58 × 0.3 + 136 × 2.5 = 17.4 + 340 = 357.4 → 357 µUSD. */
  events = stop_and_read_usage (f);
  assert_usage (usage_event (events, 0), "google", "google/gemini-tool", 58, 136, 357, FALSE);
  assert_usage (usage_event (events, 1), "google", "google/gemini-tool", 58, 136, 357, TRUE);
}

#define FIXTURE_SIGNATURE \
  "CsUBAdHtim9Xq1v1bK0fJ3lQ0b7c2z9WmE4pT8nR5sVhY2uA6dG1oL3kP0xZ7yN4qB8rC6tD2eF5gH9jK1mL3nO5pQ7rS9tU1vW3xY5zA7bC9dE1fG3hI5jK7lM9nO1pQ3rS5tU7vW9xY1zA3bC5dE7fG9hI1jK3lM5nO7pQ9rS1tU3vW5xY7zA9bC1dE3fG5hI7jK9lM1nO3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hI3jK5lM7nO9pQ1rS3tU5vW7xY9zA=="

/* Sends the first answer's tool call back and returns the functionCall part
 * the mock received for it. */
static char *
signature_sent_back (Fixture    *f,
                     const char *call_id,
                     const char *arguments)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *body = NULL;
  g_autofree char *sent = NULL;
  g_autoptr(JsonNode) sent_node = NULL;
  g_autoptr(Reply) r = NULL;
  JsonObject *part;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, "google/gemini-2.5-flash");
  json_builder_set_member_name (b, "messages");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, "user");
  json_builder_set_member_name (b, "content");
  json_builder_add_string_value (b, "What's the weather in Paris?");
  json_builder_end_object (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, "assistant");
  json_builder_set_member_name (b, "content");
  json_builder_add_null_value (b);
  json_builder_set_member_name (b, "tool_calls");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, call_id);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "function");
  json_builder_set_member_name (b, "function");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, "get_weather");
  json_builder_set_member_name (b, "arguments");
  json_builder_add_string_value (b, arguments);
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, "tool");
  json_builder_set_member_name (b, "tool_call_id");
  json_builder_add_string_value (b, call_id);
  json_builder_set_member_name (b, "content");
  json_builder_add_string_value (b, "{\"temp_c\":18,\"condition\":\"light rain\"}");
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  body = json_to_string (root, FALSE);

  r = post (f, "/v1/chat/completions", body);
  g_assert_cmpuint (r->status, ==, 200);
  sent = mock_upstream_dup_last_body (f->mock);
  sent_node = parse (sent);
  {
    JsonArray *parts = json_object_get_array_member (object_path (sent_node, "$.contents[1]"), "parts");

    part = NULL;
    for (guint i = 0; i < json_array_get_length (parts); i++)
      if (json_object_has_member (json_array_get_object_element (parts, i), "functionCall"))
        {
          g_assert_null (part);
          part = json_array_get_object_element (parts, i);
        }
    g_assert_nonnull (part);
  }
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (part, "functionCall"), "name"),
                   ==, "get_weather");
  /* The answer to the call went out as a functionResponse right after it. */
  object_path (sent_node, "$.contents[2].parts[0].functionResponse");
  return g_strdup (json_object_get_string_member (part, "thoughtSignature"));
}

static void
test_gemini_thought_signature (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(JsonNode) whole = chat (f, "google/gemini-tool", tools_json, 200);
  JsonObject *call = only_tool_call (whole, "google/gemini-tool", 1);
  g_autofree char *from_whole = signature_sent_back (f, json_object_get_string_member (call, "id"),
                                                     "{\"city\":\"Paris\",\"unit\":\"celsius\"}");
  g_autoptr(Stream) s = stream_chat (f, "google/gemini-tool", tools_json);
  ToolCall *t = g_ptr_array_index (s->tools, 0);
  g_autofree char *from_stream = signature_sent_back (f, t->id, t->arguments->str);

  g_assert_cmpstr (from_whole, ==, FIXTURE_SIGNATURE);
  g_assert_cmpstr (from_stream, ==, FIXTURE_SIGNATURE);
}

static void
test_openrouter (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(JsonNode) whole = chat (f, "openrouter/google/gemini-2.5-flash", NULL, 200);
  g_autofree char *path = mock_upstream_dup_last_path (f->mock);
  g_autofree char *auth = mock_upstream_dup_last_header (f->mock, "Authorization");
  g_autofree char *referer = mock_upstream_dup_last_header (f->mock, "HTTP-Referer");
  g_autofree char *title = mock_upstream_dup_last_header (f->mock, "X-Title");
  g_autofree char *sent = mock_upstream_dup_last_body (f->mock);
  g_autoptr(JsonNode) sent_node = parse (sent);
  g_autoptr(Stream) s = NULL;
  g_autoptr(GPtrArray) events = NULL;

  g_assert_cmpstr (json_object_get_string_member (object_path (whole, "$.choices[0].message"), "content"), ==,
                   "Yes, take an umbrella: light rain, 18 °C.");
  g_assert_cmpstr (path, ==, "/api/v1/chat/completions");
  g_assert_cmpstr (auth, ==, "Bearer sk-or-PROVIDER-SECRET");
  g_assert_cmpstr (referer, ==, "https://gaiarouter.example/tests");
  g_assert_cmpstr (title, ==, "GaiaRouter tests");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (sent_node), "model"), ==,
                   "google/gemini-2.5-flash");

  /* The comment keep-alives of the upstream are not passed on as data. */
  s = stream_chat (f, "openrouter/anthropic/claude-tool", tools_json);
  g_assert_cmpstr (s->content->str, ==, "I'll check the weather in Paris.");
  g_assert_cmpuint (s->tools->len, ==, 1);
  assert_stream_tool (s, 0, "toolu_vrtx_01Jx4Rb7Tn2Yq9Lc5Wm8Kd3F", "get_weather",
                      "{\"city\": \"Paris\", \"unit\": \"celsius\"}");
  g_assert_cmpstr (s->finish_reason, ==, "tool_calls");
  g_assert_true (s->done);

  /* OpenRouter reports what it billed: $0.0000473 and $0.002106. */
  events = stop_and_read_usage (f);
  assert_usage (usage_event (events, 0), "openrouter", "openrouter/google/gemini-2.5-flash", 41, 14, 47, FALSE);
  assert_usage (usage_event (events, 1), "openrouter", "openrouter/anthropic/claude-tool", 412, 58, 2106, TRUE);
}

static void
test_openai_compatible (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(JsonNode) whole = chat (f, "mock/tool", tools_json, 200);
  g_autofree char *auth = mock_upstream_dup_last_header (f->mock, "Authorization");
  g_autoptr(Stream) s = NULL;
  g_autoptr(GPtrArray) events = NULL;
  JsonArray *calls;

  only_tool_call (whole, "mock/tool", 2);
  calls = json_object_get_array_member (object_path (whole, "$.choices[0].message"), "tool_calls");
  assert_call (json_array_get_object_element (calls, 0), "call_9a8b7c6d5e4f", "get_weather",
               "{\"city\":\"Paris\",\"unit\":\"celsius\"}");
  assert_call (json_array_get_object_element (calls, 1), "call_1b2c3d4e5f6a", "get_forecast",
               "{\"city\":\"Paris\",\"hours\":3}");
  g_assert_cmpstr (auth, ==, "Bearer sk-compat-PROVIDER-SECRET");

  s = stream_chat (f, "mock/tool", tools_json);
  g_assert_cmpuint (s->tools->len, ==, 2);
  assert_stream_tool (s, 0, "call_9a8b7c6d5e4f", "get_weather", "{\"city\":\"Paris\",\"unit\":\"celsius\"}");
  assert_stream_tool (s, 1, "call_1b2c3d4e5f6a", "get_forecast", "{\"city\":\"Paris\",\"hours\":3}");
  g_assert_cmpstr (s->finish_reason, ==, "tool_calls");
  g_assert_true (s->done);

  /* [model:mock/tool]: $2.50/M in, $10/M out; 143 + 49 tokens:
   * 357.5 + 490 = 847.5 → 848 µUSD (half up). */
  events = stop_and_read_usage (f);
  assert_usage (usage_event (events, 0), "mock", "mock/tool", 143, 49, 848, FALSE);
  assert_usage (usage_event (events, 1), "mock", "mock/tool", 143, 49, 848, TRUE);
}

static void
test_openai (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(JsonNode) whole = chat (f, "openai/gpt-4o", NULL, 200);
  g_autofree char *sent = mock_upstream_dup_last_body (f->mock);
  g_autoptr(JsonNode) sent_node = parse (sent);
  g_autoptr(GPtrArray) events = NULL;

  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (sent_node), "model"), ==, "gpt-4o");
  g_assert_nonnull (object_path (whole, "$.choices[0].message"));

  /* data/models.json openai/gpt-4o: $2.50/M in, $10/M out; openai-response.json
   * 96 + 20 tokens: 240 + 200 = 440 µUSD. */
  events = stop_and_read_usage (f);
  assert_usage (usage_event (events, 0), "openai", "openai/gpt-4o", 96, 20, 440, FALSE);
}

/* ------------------------------------------------------------------ */
/* Failures                                                             */
/* ------------------------------------------------------------------ */

static void
test_mid_stream_error (Fixture       *f,
                       gconstpointer  data)
{
  static const char * const models[] = {
    "anthropic/claude-stream-error",
    "openrouter/openai/stream-error",
    "mock/stream-error",
    "google/gemini-truncated",
    "anthropic/claude-truncated",
  };
  g_autoptr(GPtrArray) events = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    {
      g_autoptr(Stream) s = stream_chat (f, models[i], NULL);

      g_test_message ("%s: content “%s”", models[i], s->content->str);
      g_assert_cmpuint (s->chunks, >, 0);
      g_assert_cmpuint (s->content->len, >, 0);
      g_assert_nonnull (s->error);
      g_assert_true (s->done);
    }

  events = stop_and_read_usage (f);
  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    {
      GrUsageEvent *e = usage_event (events, i);

      g_test_message ("%s: status %d code %s partial %d", models[i], e->status, e->error_code, e->partial);
      g_assert_true (e->stream);
      g_assert_true (e->partial);
      g_assert_cmpint (e->status, >=, 500);
      g_assert_nonnull (e->error_code);
    }
}

static void
test_overloaded (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(JsonNode) whole = chat (f, "anthropic/claude-overloaded", NULL, 503);
  JsonObject *err = json_object_get_object_member (json_node_get_object (whole), "error");
  g_autoptr(Reply) streamed = post (f, "/v1/chat/completions",
                                    "{\"model\":\"anthropic/claude-overloaded\",\"stream\":true,"
                                    "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
  g_autoptr(Reply) messages = post (f, "/v1/messages",
                                    "{\"model\":\"anthropic/claude-overloaded\",\"max_tokens\":64,"
                                    "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
  g_autoptr(JsonNode) anthropic = parse (messages->body);
  g_autoptr(GPtrArray) events = NULL;

  g_assert_cmpstr (json_object_get_string_member (err, "code"), ==, "upstream_overloaded");
  /* A stream that never started is an ordinary error answer. */
  g_assert_cmpuint (streamed->status, ==, 503);
  g_assert_cmpstr (streamed->content_type, ==, "application/json");
  /* Anthropic clients know overload as 529. */
  g_assert_cmpuint (messages->status, ==, 529);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (anthropic), "type"), ==, "error");
  g_assert_cmpstr (json_object_get_string_member (object_path (anthropic, "$.error"), "type"), ==,
                   "overloaded_error");

  events = stop_and_read_usage (f);
  for (guint i = 0; i < events->len; i++)
    g_assert_cmpint (usage_event (events, i)->status, ==, 503);
}

static void
test_upstream_errors (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(JsonNode) gemini429 = chat (f, "google/gemini-error429", NULL, 429);
  g_autoptr(JsonNode) openai429 = chat (f, "mock/error429", NULL, 429);
  g_autoptr(JsonNode) anthropic500 = chat (f, "anthropic/claude-error500", NULL, 502);
  g_autoptr(JsonNode) gemini500 = chat (f, "google/gemini-error500", NULL, 502);
  g_autoptr(JsonNode) echoed = chat (f, "mock/echo-key", NULL, 400);
  g_autoptr(Reply) r = post (f, "/v1/chat/completions",
                             "{\"model\":\"google/gemini-error429\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

  /* RetryInfo.retryDelay "17s" becomes Retry-After. */
  g_assert_cmpuint (r->status, ==, 429);
  g_assert_cmpstr (r->retry_after, ==, "17");
  /* The mock put the credential it received into its error message; the
   * gateway must not pass it on (checked in post() for every answer). */
  g_assert_nonnull (json_object_get_string_member (object_path (echoed, "$.error"), "message"));
}

static void
test_fallback (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(Reply) a = post (f, "/v1/chat/completions",
                             "{\"model\":\"fallback-500\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
  g_autoptr(Reply) b = post (f, "/v1/chat/completions",
                             "{\"model\":\"fallback-refused\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
  g_autoptr(Reply) c = post (f, "/v1/chat/completions",
                             "{\"model\":\"fallback-refused\",\"stream\":true,"
                             "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
  g_autoptr(Reply) d1 = post (f, "/v1/chat/completions",
                              "{\"model\":\"fallback-flaky\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
  g_autoptr(Reply) d2 = post (f, "/v1/chat/completions",
                              "{\"model\":\"fallback-flaky\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
  g_autoptr(Stream) s = NULL;
  g_autoptr(GPtrArray) events = NULL;

  g_assert_cmpuint (a->status, ==, 200);
  g_assert_cmpstr (a->provider, ==, "mock2");
  g_assert_cmpuint (mock_upstream_get_model_requests (f->mock, "error500"), ==, 1);
  g_assert_cmpuint (b->status, ==, 200);
  g_assert_cmpstr (b->provider, ==, "mock2");
  g_assert_cmpuint (c->status, ==, 200);
  g_assert_cmpstr (c->provider, ==, "mock2");
  s = parse_openai_stream (c->body, "fallback-refused");
  g_assert_true (s->done);
  g_assert_null (s->error);
  /* flaky1 fails once: the first request falls back, the second is served
   * by the first target again (one failure does not cool it down). */
  g_assert_cmpstr (d1->provider, ==, "mock2");
  g_assert_cmpstr (d2->provider, ==, "mock");
  g_assert_cmpuint (d2->status, ==, 200);
  g_assert_cmpuint (mock_upstream_get_model_requests (f->mock, "flaky1"), ==, 2);
  g_assert_cmpuint (mock_upstream_get_model_requests (f->mock, "ok"), ==, 4);

  events = stop_and_read_usage (f);
  g_assert_cmpstr (usage_event (events, 0)->provider, ==, "mock2");
  g_assert_cmpint (usage_event (events, 0)->status, ==, 200);
  g_assert_cmpstr (usage_event (events, 4)->provider, ==, "mock");
}

static void
test_no_fallback_after_400 (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(JsonNode) node = chat (f, "no-fallback-400", NULL, 400);
  JsonObject *err = object_path (node, "$.error");

  g_assert_nonnull (strstr (json_object_get_string_member (err, "message"), "maximum context length"));
  g_assert_cmpuint (mock_upstream_get_model_requests (f->mock, "error400"), ==, 1);
  g_assert_cmpuint (mock_upstream_get_model_requests (f->mock, "ok"), ==, 0);
}

/* The router's policy (3 failures in 60 s → 30 s cooldown) is not
 * reachable from here, so this checks what a client can observe: after
 * the third failure the sick provider goes last and is no longer tried
 * while another target answers, yet it still serves a request that names
 * it directly. */
static void
test_cooldown (Fixture       *f,
               gconstpointer  data)
{
  for (guint i = 1; i <= 6; i++)
    {
      g_autoptr(Reply) r = post (f, "/v1/chat/completions",
                                 "{\"model\":\"fallback-500\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

      g_assert_cmpuint (r->status, ==, 200);
      g_assert_cmpstr (r->provider, ==, "mock2");
      g_assert_cmpuint (mock_upstream_get_model_requests (f->mock, "error500"), ==, MIN (i, 3));
    }

  {
    g_autoptr(Reply) direct = post (f, "/v1/chat/completions",
                                    "{\"model\":\"sick/still-here\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

    g_assert_cmpuint (direct->status, ==, 200);
    g_assert_cmpstr (direct->provider, ==, "sick");
  }
}

static void
test_weighted (Fixture       *f,
               gconstpointer  data)
{
  guint first = 0, second = 0;

  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(Reply) r = post (f, "/v1/chat/completions",
                                 "{\"model\":\"weighted\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

      g_assert_cmpuint (r->status, ==, 200);
      if (g_strcmp0 (r->provider, "mock") == 0)
        first++;
      else if (g_strcmp0 (r->provider, "mock2") == 0)
        second++;
      else
        g_assert_not_reached ();
    }
  g_test_message ("weights 3:1 → %u:%u", first, second);
  g_assert_cmpuint (first + second, ==, 200);
  g_assert_cmpuint (mock_upstream_get_model_requests (f->mock, "wa"), ==, first);
  g_assert_cmpuint (mock_upstream_get_model_requests (f->mock, "wb"), ==, second);
  /* Expected 150 ± 6.1 (binomial); ±30 is about five standard deviations. */
  g_assert_cmpuint (first, >=, 120);
  g_assert_cmpuint (first, <=, 180);
}

static void
test_keepalive (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(Stream) s = stream_chat (f, "mock/slowstart", NULL);
  g_autoptr(Stream) a = stream_chat (f, "anthropic/claude-slowstart", NULL);

  /* The first event comes after 1.5 s; keep-alives every 300 ms. */
  g_assert_cmpuint (s->keepalives_before_data, >=, 1);
  g_assert_true (s->done);
  g_assert_cmpuint (s->content->len, >, 0);
  g_assert_cmpuint (a->keepalives_before_data, >=, 1);
  g_assert_true (a->done);
  g_assert_cmpstr (a->content->str, ==, "Yes. Light rain is expected in Paris until about 17:00, so take an umbrella.");
}

/* ------------------------------------------------------------------ */
/* POST /v1/messages (Anthropic clients) over several upstream kinds    */
/* ------------------------------------------------------------------ */

static const char anthropic_tools[] =
  "\"tools\":[{\"name\":\"get_weather\",\"description\":\"Current weather for a city\","
  "\"input_schema\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},"
  "\"unit\":{\"type\":\"string\"}},\"required\":[\"city\"]}}]";

typedef struct
{
  GPtrArray *names;     /* event names in order */
  GString   *text;
  GString   *input_json;
  char      *tool_id;
  char      *tool_name;
  char      *stop_reason;
  gint64     output_tokens;
} AnthropicStream;

static void
anthropic_stream_free (AnthropicStream *s)
{
  g_ptr_array_unref (s->names);
  g_string_free (s->text, TRUE);
  g_string_free (s->input_json, TRUE);
  g_free (s->tool_id);
  g_free (s->tool_name);
  g_free (s->stop_reason);
  g_free (s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnthropicStream, anthropic_stream_free)

/* Parses an Anthropic event stream as the SDK would, checking the block
 * discipline (start, deltas of that index, stop). */
static AnthropicStream *
parse_anthropic_stream (const char *text,
                        const char *model)
{
  AnthropicStream *s = g_new0 (AnthropicStream, 1);
  g_auto(GStrv) events = g_strsplit (text, "\n\n", -1);
  gint64 open_index = -1, next_index = 0, first_tool = -1;
  g_autofree char *open_type = NULL;

  s->names = g_ptr_array_new_with_free_func (g_free);
  s->text = g_string_new (NULL);
  s->input_json = g_string_new (NULL);
  for (guint i = 0; events[i] != NULL; i++)
    {
      g_auto(GStrv) lines = g_strsplit (events[i], "\n", -1);
      const char *name = NULL, *data = NULL;
      g_autoptr(JsonNode) node = NULL;
      JsonObject *obj;
      const char *type;

      for (guint l = 0; lines[l] != NULL; l++)
        if (g_str_has_prefix (lines[l], "event: "))
          name = lines[l] + 7;
        else if (g_str_has_prefix (lines[l], "data: "))
          data = lines[l] + 6;
      if (data == NULL)
        continue;   /* comments, the empty tail */
      g_assert_nonnull (name);
      node = parse (data);
      obj = json_node_get_object (node);
      type = json_object_get_string_member (obj, "type");
      g_assert_cmpstr (type, ==, name);
      g_ptr_array_add (s->names, g_strdup (name));

      if (g_str_equal (type, "message_start"))
        {
          JsonObject *message = json_object_get_object_member (obj, "message");

          g_assert_cmpuint (s->names->len, ==, 1);
          g_assert_cmpstr (json_object_get_string_member (message, "model"), ==, model);
          g_assert_cmpstr (json_object_get_string_member (message, "role"), ==, "assistant");
        }
      else if (g_str_equal (type, "content_block_start"))
        {
          JsonObject *block = json_object_get_object_member (obj, "content_block");

          g_assert_cmpint (open_index, ==, -1);
          g_assert_cmpint (json_object_get_int_member (obj, "index"), ==, next_index);
          open_index = next_index++;
          g_free (open_type);
          open_type = g_strdup (json_object_get_string_member (block, "type"));
          /* The first tool_use block is the one checked. */
          if (g_str_equal (open_type, "tool_use") && s->tool_id == NULL)
            {
              first_tool = open_index;
              s->tool_id = g_strdup (json_object_get_string_member (block, "id"));
              s->tool_name = g_strdup (json_object_get_string_member (block, "name"));
            }
        }
      else if (g_str_equal (type, "content_block_delta"))
        {
          JsonObject *delta = json_object_get_object_member (obj, "delta");
          const char *dtype = json_object_get_string_member (delta, "type");

          g_assert_cmpint (json_object_get_int_member (obj, "index"), ==, open_index);
          if (g_str_equal (dtype, "text_delta"))
            {
              g_assert_cmpstr (open_type, ==, "text");
              g_string_append (s->text, json_object_get_string_member (delta, "text"));
            }
          else if (g_str_equal (dtype, "input_json_delta"))
            {
              g_assert_cmpstr (open_type, ==, "tool_use");
              if (open_index == first_tool)
                g_string_append (s->input_json, json_object_get_string_member (delta, "partial_json"));
            }
        }
      else if (g_str_equal (type, "content_block_stop"))
        {
          g_assert_cmpint (json_object_get_int_member (obj, "index"), ==, open_index);
          open_index = -1;
        }
      else if (g_str_equal (type, "message_delta"))
        {
          g_assert_cmpint (open_index, ==, -1);
          s->stop_reason = g_strdup (json_object_get_string_member (object_path (node, "$.delta"), "stop_reason"));
          s->output_tokens = json_object_get_int_member (object_path (node, "$.usage"), "output_tokens");
        }
    }
  return s;
}

static char *
messages_body (const char *model,
               gboolean    stream,
               gboolean    second_turn,
               const char *tool_id)
{
  if (second_turn)
    return g_strdup_printf (
      "{\"model\":\"%s\",\"max_tokens\":512,\"stream\":%s,\"system\":\"Be brief.\",%s,"
      "\"messages\":[{\"role\":\"user\",\"content\":\"What's the weather in Paris?\"},"
      "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Let me check.\"},"
      "{\"type\":\"tool_use\",\"id\":\"%s\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}]},"
      "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"%s\","
      "\"content\":\"18°C, light rain\"},{\"type\":\"text\",\"text\":\"Umbrella?\"}]}]}",
      model, stream ? "true" : "false", anthropic_tools, tool_id, tool_id);
  return g_strdup_printf (
    "{\"model\":\"%s\",\"max_tokens\":512,\"stream\":%s,\"system\":\"Be brief.\",%s,"
    "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"What's the weather in Paris?\"}]}]}",
    model, stream ? "true" : "false", anthropic_tools);
}

static void
check_messages_round_trip (Fixture    *f,
                           const char *model,
                           const char *text,
                           const char *input)
{
  g_autofree char *body = messages_body (model, FALSE, FALSE, NULL);
  g_autofree char *stream_body = messages_body (model, TRUE, FALSE, NULL);
  g_autoptr(Reply) whole = post (f, "/v1/messages", body);
  g_autoptr(Reply) streamed = post (f, "/v1/messages", stream_body);
  g_autoptr(JsonNode) node = parse (whole->body);
  g_autoptr(AnthropicStream) s = NULL;
  JsonObject *message = json_node_get_object (node);
  JsonArray *content = json_object_get_array_member (message, "content");
  JsonObject *tool = NULL;
  g_autofree char *input_json = NULL;
  g_autofree char *next = NULL;
  g_autofree char *next_stream = NULL;

  g_test_message ("/v1/messages over %s", model);
  g_assert_cmpuint (whole->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (message, "type"), ==, "message");
  g_assert_cmpstr (json_object_get_string_member (message, "role"), ==, "assistant");
  g_assert_cmpstr (json_object_get_string_member (message, "model"), ==, model);
  g_assert_cmpstr (json_object_get_string_member (message, "stop_reason"), ==, "tool_use");
  g_assert_cmpint (json_object_get_int_member (object_path (node, "$.usage"), "output_tokens"), >, 0);
  for (guint i = 0; i < json_array_get_length (content); i++)
    {
      JsonObject *block = json_array_get_object_element (content, i);

      if (g_str_equal (json_object_get_string_member (block, "type"), "tool_use"))
        {
          tool = block;
          break;
        }
      g_assert_cmpstr (json_object_get_string_member (block, "type"), ==, "text");
      if (text != NULL)
        g_assert_cmpstr (json_object_get_string_member (block, "text"), ==, text);
    }
  g_assert_nonnull (tool);
  g_assert_cmpstr (json_object_get_string_member (tool, "name"), ==, "get_weather");
  input_json = json_to_string (json_object_get_member (tool, "input"), FALSE);
  assert_json_equal (input_json, input);

  g_assert_cmpuint (streamed->status, ==, 200);
  g_assert_cmpstr (streamed->content_type, ==, "text/event-stream");
  s = parse_anthropic_stream (streamed->body, model);
  g_assert_cmpuint (s->names->len, >=, 6);
  g_assert_cmpstr (g_ptr_array_index (s->names, s->names->len - 1), ==, "message_stop");
  g_assert_cmpstr (g_ptr_array_index (s->names, s->names->len - 2), ==, "message_delta");
  g_assert_cmpstr (s->stop_reason, ==, "tool_use");
  g_assert_cmpint (s->output_tokens, >, 0);
  g_assert_cmpstr (s->tool_name, ==, "get_weather");
  assert_json_equal (s->input_json->str, input);
  if (text != NULL)
    g_assert_cmpstr (s->text->str, ==, text);

  /* The next turn carries the tool_use and its tool_result: the upstream
   * (which checks pairing in its own dialect) must accept the translation. */
  next = messages_body (model, FALSE, TRUE, json_object_get_string_member (tool, "id"));
  next_stream = messages_body (model, TRUE, TRUE, s->tool_id);
  {
    g_autoptr(Reply) r = post (f, "/v1/messages", next);
    g_autoptr(Reply) rs = post (f, "/v1/messages", next_stream);

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpuint (rs->status, ==, 200);
    g_assert_true (g_str_has_suffix (rs->body, "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"));
  }
}

static void
test_messages (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GPtrArray) events = NULL;

  check_messages_round_trip (f, "mock/tool", NULL, "{\"city\":\"Paris\",\"unit\":\"celsius\"}");
  check_messages_round_trip (f, "anthropic/claude-tool", "I'll check the current weather in Paris.",
                             "{\"city\":\"Paris\",\"unit\":\"celsius\"}");
  check_messages_round_trip (f, "google/gemini-tool", "I'll look up the current weather in Paris.",
                             "{\"city\":\"Paris\",\"unit\":\"celsius\"}");

  events = stop_and_read_usage (f);
  for (guint i = 0; i < events->len; i++)
    {
      GrUsageEvent *e = usage_event (events, i);

      g_assert_cmpint (e->status, ==, 200);
      g_assert_cmpstr (e->endpoint, ==, "messages");
      g_assert_cmpint (e->prompt_tokens, >, 0);
      g_assert_cmpint (e->cost_micros, >, 0);
    }
  /* First request: anthropic-response-tool.json's 412 + 58 tokens. */
  g_assert_cmpint (usage_event (events, 4)->cost_micros, ==, 2106);
}

/* The mock upstream itself: each dialect refuses what its API refuses, so
 * these are the errors a translation slip would meet. */
static void
test_mock_rejects (void)
{
  static const struct { const char *path; const char *headers; const char *body; guint status; const char *needle; } cases[] = {
    { "/v1/messages", "anthropic-version: 2023-06-01", "{\"model\":\"claude-ok\",\"max_tokens\":9,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", 401, "authentication_error" },
    { "/v1/messages", "x-api-key: k", "{\"model\":\"claude-ok\",\"max_tokens\":9,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", 400, "anthropic-version" },
    { "/v1/messages", "x-api-key: k\nanthropic-version: 2023-06-01", "{\"model\":\"claude-ok\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", 400, "max_tokens: Field required" },
    { "/v1/messages", "x-api-key: k\nanthropic-version: 2023-06-01", "{\"model\":\"claude-ok\",\"max_tokens\":9,\"messages\":[{\"role\":\"assistant\",\"content\":\"hi\"}]}", 400, "first message" },
    { "/v1/messages", "x-api-key: k\nanthropic-version: 2023-06-01", "{\"model\":\"claude-ok\",\"max_tokens\":9,\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"user\",\"content\":\"b\"}]}", 400, "alternate" },
    { "/v1/messages", "x-api-key: k\nanthropic-version: 2023-06-01", "{\"model\":\"claude-ok\",\"max_tokens\":9,\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"f\",\"input\":{}}]},{\"role\":\"user\",\"content\":\"b\"}]}", 400, "tool_result" },
    { "/v1/messages", "x-api-key: k\nanthropic-version: 2023-06-01", "{\"model\":\"claude-ok\",\"max_tokens\":9,\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}", 400, "n: Extra inputs are not permitted" },
    { "/v1/messages", "x-api-key: k\nanthropic-version: 2023-06-01", "{\"model\":\"claude-ok\",\"max_tokens\":9,\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}", 200, "\"end_turn\"" },
    { "/v1beta/models/gemini-ok:generateContent", "", "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"a\"}]}]}", 403, "PERMISSION_DENIED" },
    { "/v1beta/models/gemini-ok:generateContent?key=abc", "x-goog-api-key: k", "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"a\"}]}]}", 400, "INVALID_ARGUMENT" },
    { "/v1beta/models/gemini-ok:generateContent", "x-goog-api-key: k", "{}", 400, "contents" },
    { "/v1beta/models/gemini-ok:generateContent", "x-goog-api-key: k", "{\"contents\":[{\"role\":\"assistant\",\"parts\":[{\"text\":\"a\"}]}]}", 400, "valid role" },
    { "/v1beta/models/gemini-ok:streamGenerateContent", "x-goog-api-key: k", "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"a\"}]}]}", 400, "alt=sse" },
    { "/v1beta/models/gemini-ok:streamGenerateContent?alt=sse", "x-goog-api-key: k", "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"a\"}]}]}", 200, "\r\n\r\n" },
    { "/v1/chat/completions", "", "{\"model\":\"ok\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"tool\",\"tool_call_id\":\"x\",\"content\":\"b\"}]}", 400, "role 'tool'" },
    { "/api/v1/chat/completions", "Authorization: Bearer k", "{\"model\":\"a/b\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}", 400, "HTTP-Referer" },
  };
  MockUpstream *mock = mock_upstream_new ();
  g_autofree char *base = mock_upstream_dup_url (mock);
  g_autoptr(SoupSession) session = soup_session_new ();

  mock_upstream_set_require_attribution (mock, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *uri = g_strconcat (base, cases[i].path, NULL);
      g_autoptr(SoupMessage) msg = soup_message_new ("POST", uri);
      g_autoptr(GBytes) body = g_bytes_new (cases[i].body, strlen (cases[i].body));
      g_auto(GStrv) headers = g_strsplit (cases[i].headers, "\n", -1);
      g_autoptr(GBytes) reply = NULL;
      g_autofree char *text = NULL;

      for (guint h = 0; headers[h] != NULL; h++)
        {
          g_auto(GStrv) kv = g_strsplit (headers[h], ": ", 2);

          if (kv[0] != NULL && kv[1] != NULL)
            soup_message_headers_replace (soup_message_get_request_headers (msg), kv[0], kv[1]);
        }
      soup_message_set_request_body_from_bytes (msg, "application/json", body);
      reply = soup_session_send_and_read (session, msg, NULL, NULL);
      text = g_strndup (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply));
      g_test_message ("%s → %u %s", cases[i].path, soup_message_get_status (msg), text);
      g_assert_cmpuint (soup_message_get_status (msg), ==, cases[i].status);
      g_assert_nonnull (strstr (text, cases[i].needle));
    }
  mock_upstream_free (mock);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  if (gr_test_db_skip_all ())
    return g_test_run ();

  g_test_add_func ("/gaiarouter/providers/mock-rejects", test_mock_rejects);
#define ADD(path, fn) g_test_add ("/gaiarouter/providers/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("anthropic", test_anthropic);
  ADD ("anthropic-registry-price", test_anthropic_registry_price);
  ADD ("gemini", test_gemini);
  ADD ("gemini-thought-signature", test_gemini_thought_signature);
  ADD ("openrouter", test_openrouter);
  ADD ("openai-compatible", test_openai_compatible);
  ADD ("openai", test_openai);
  ADD ("mid-stream-error", test_mid_stream_error);
  ADD ("overloaded", test_overloaded);
  ADD ("upstream-errors", test_upstream_errors);
  ADD ("fallback", test_fallback);
  ADD ("no-fallback-after-400", test_no_fallback_after_400);
  ADD ("cooldown", test_cooldown);
  ADD ("weighted", test_weighted);
  ADD ("keepalive", test_keepalive);
  ADD ("messages", test_messages);
#undef ADD

  return g_test_run ();
}
