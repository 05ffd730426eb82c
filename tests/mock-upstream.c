/* mock-upstream.c — a loopback upstream speaking the providers' real wire formats
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The validation below follows docs/wire-formats.md: whatever the real API
 * answers with a 4xx, the mock answers with the same status and the
 * provider's error shape, so a request the gateway translates wrongly
 * fails the test that sent it.
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "mock-upstream.h"

/* How long a gated stream waits for the test's release before it sends
 * anyway (and counts a timeout, which the tests assert is 0). */
#define GATE_TIMEOUT_MS 5000

#ifndef MOCK_FIXTURE_DIR
#define MOCK_FIXTURE_DIR "fixtures/wire"
#endif

struct _MockUpstream
{
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *server;
  guint16       port;
  guint16       wanted_port;
  GError       *start_error;

  GMutex        lock;
  GCond         cond;
  gboolean      ready;
  guint         requests;
  GHashTable   *model_requests;  /* model → GUINT_TO_POINTER (count) */
  char         *last_body;
  char         *last_path;
  SoupMessageHeaders *last_headers;
  guint         releases;
  guint         gate_timeouts;
  gboolean      stream_closed;
  gboolean      require_attribution;
};

typedef enum
{
  SCENARIO_OK,
  SCENARIO_TOOL,
  SCENARIO_FLAKY,
  SCENARIO_ERROR500,
  SCENARIO_ERROR429,
  SCENARIO_ERROR400,
  SCENARIO_OVERLOADED,
  SCENARIO_STREAM_ERROR,
  SCENARIO_TRUNCATED,
  SCENARIO_CUT_MID_EVENT,
  SCENARIO_SLOWSTART,
  SCENARIO_SLOW,
  SCENARIO_GARBAGE,
  SCENARIO_GATED,
  SCENARIO_ENDLESS,
  SCENARIO_FLOOD,
  SCENARIO_ECHO_KEY,
} Scenario;

typedef struct
{
  MockUpstream      *mock;
  SoupServerMessage *msg;
  GPtrArray         *events;   /* of GBytes: each event with its blank line */
  guint              next;
  gboolean           gated;
  gboolean           endless;
  gboolean           flood;
  gboolean           cut_mid_event; /* end with half an event, then reset */
  gboolean           cut_sent;
  GSource           *timer;
  gint64             gate_started;
  gint64             not_before;
} StreamJob;

static char *fixture_dir;

void
mock_set_fixture_dir (const char *dir)
{
  g_free (fixture_dir);
  fixture_dir = g_strdup (dir);
}

char *
mock_read_fixture (const char *name,
                   gsize      *len)
{
  g_autofree char *path = NULL;
  char *data = NULL;
  g_autoptr(GError) error = NULL;

  if (fixture_dir != NULL)
    path = g_build_filename (fixture_dir, name, NULL);
  else if (g_test_initialized ())
    path = g_test_build_filename (G_TEST_DIST, "fixtures", "wire", name, NULL);
  else
    path = g_build_filename (MOCK_FIXTURE_DIR, name, NULL);

  if (!g_file_get_contents (path, &data, len, &error))
    g_error ("fixture %s: %s", name, error->message);
  return data;
}

/* ------------------------------------------------------------------ */
/* Answers                                                              */
/* ------------------------------------------------------------------ */

static void
send_fixture (SoupServerMessage *msg,
              guint              status,
              const char        *fixture)
{
  gsize len;
  char *data = mock_read_fixture (fixture, &len);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, data, len);
}

static void
send_json (SoupServerMessage *msg,
           guint              status,
           JsonNode          *node)
{
  char *json = json_to_string (node, FALSE);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, json, strlen (json));
}

static void
send_openai_error (SoupServerMessage *msg,
                   guint              status,
                   const char        *type,
                   const char        *param,
                   const char        *message)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, type);
  json_builder_set_member_name (b, "param");
  if (param != NULL)
    json_builder_add_string_value (b, param);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_null_value (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  send_json (msg, status, node);
}

static void
send_anthropic_error (SoupServerMessage *msg,
                      guint              status,
                      const char        *type,
                      const char        *message)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "error");
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, type);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "request_id");
  json_builder_add_string_value (b, "req_011CVmockUpstream000000");
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  send_json (msg, status, node);
}

static void
send_gemini_error (SoupServerMessage *msg,
                   guint              status,
                   const char        *rpc_status,
                   const char        *message)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_int_value (b, status);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, rpc_status);
  json_builder_end_object (b);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  send_json (msg, status, node);
}

/* ------------------------------------------------------------------ */
/* Streams                                                              */
/* ------------------------------------------------------------------ */

/* Splits an SSE body into events, each keeping its own blank line, so
 * the bytes on the wire are exactly the fixture's ("\n\n" or "\r\n\r\n"). */
static GPtrArray *
split_events (const char *data,
              gsize       len)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gsize start = 0;

  for (gsize i = 0; i < len; i++)
    {
      gsize end = 0;

      if (data[i] == '\n' && i + 1 < len && data[i + 1] == '\n')
        end = i + 2;
      else if (data[i] == '\r' && i + 3 < len && memcmp (data + i, "\r\n\r\n", 4) == 0)
        end = i + 4;
      if (end == 0)
        continue;
      g_ptr_array_add (events, g_bytes_new (data + start, end - start));
      start = end;
      i = end - 1;
    }
  if (start < len)
    g_ptr_array_add (events, g_bytes_new (data + start, len - start));
  return events;
}

static void
stream_job_free (StreamJob *job)
{
  if (job->timer != NULL)
    {
      g_source_destroy (job->timer);
      g_source_unref (job->timer);
    }
  g_ptr_array_unref (job->events);
  g_object_unref (job->msg);
  g_free (job);
}

static void
stream_finished_cb (SoupServerMessage *msg,
                    gpointer           user_data)
{
  StreamJob *job = user_data;
  MockUpstream *mock = job->mock;

  g_mutex_lock (&mock->lock);
  mock->stream_closed = TRUE;
  g_cond_broadcast (&mock->cond);
  g_mutex_unlock (&mock->lock);
  g_signal_handlers_disconnect_by_data (msg, job);
  stream_job_free (job);
}

static gboolean
gate_open (StreamJob *job)
{
  MockUpstream *mock = job->mock;
  gboolean open;

  g_mutex_lock (&mock->lock);
  open = mock->releases >= job->next;
  if (!open && g_get_monotonic_time () - job->gate_started > GATE_TIMEOUT_MS * 1000)
    {
      mock->gate_timeouts++;
      open = TRUE;
    }
  g_mutex_unlock (&mock->lock);
  return open;
}

static gboolean
stream_tick_cb (gpointer data)
{
  StreamJob *job = data;
  SoupMessageBody *body = soup_server_message_get_response_body (job->msg);
  GBytes *event;

  if (g_get_monotonic_time () < job->not_before)
    return G_SOURCE_CONTINUE;

  if (job->endless)
    {
      static const char more[] =
        "data: {\"id\":\"e\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
        "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"more \"},\"finish_reason\":null}]}\n\n";

      /* flood: as fast as a size cap can be reached, ~64 KiB a tick. */
      for (guint i = 0; i < (job->flood ? 512 : 1); i++)
        soup_message_body_append (body, SOUP_MEMORY_STATIC, more, sizeof more - 1);
      soup_server_message_unpause (job->msg);
      return G_SOURCE_CONTINUE;
    }

  if (job->gated && job->next > 0 && job->next < job->events->len && !gate_open (job))
    return G_SOURCE_CONTINUE;

  if (job->next >= job->events->len && job->cut_mid_event)
    {
      static const char half[] = "data: {\"id\":\"chatcmpl-cut\",\"object\":\"chat.compl";

      /* Half an event on this tick; the connection torn down on the next,
       * once it has surely been sent. */
      if (!job->cut_sent)
        {
          job->cut_sent = TRUE;
          soup_message_body_append (body, SOUP_MEMORY_STATIC, half, sizeof half - 1);
          soup_server_message_unpause (job->msg);
          return G_SOURCE_CONTINUE;
        }
      g_clear_pointer (&job->timer, g_source_unref);
      g_socket_shutdown (soup_server_message_get_socket (job->msg), TRUE, TRUE, NULL);
      return G_SOURCE_REMOVE;
    }

  if (job->next >= job->events->len)
    {
      g_clear_pointer (&job->timer, g_source_unref);
      soup_message_body_complete (body);
      soup_server_message_unpause (job->msg);
      return G_SOURCE_REMOVE;
    }

  event = g_ptr_array_index (job->events, job->next);
  soup_message_body_append_bytes (body, event);
  soup_server_message_unpause (job->msg);
  job->next++;
  job->gate_started = g_get_monotonic_time ();
  return G_SOURCE_CONTINUE;
}

/* flood, not streamed: a valid completion of MOCK_FLOOD_BYTES. */
static void
send_flood_completion (SoupServerMessage *msg)
{
  GString *json = g_string_sized_new (MOCK_FLOOD_BYTES + 512);

  g_string_append (json, "{\"id\":\"chatcmpl-flood\",\"object\":\"chat.completion\",\"created\":1,"
                         "\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                         "\"content\":\"");
  for (gsize i = 0; i < MOCK_FLOOD_BYTES; i++)
    g_string_append_c (json, 'a');
  g_string_append (json, "\"},\"finish_reason\":\"stop\"}],"
                         "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}");
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json->str, json->len);
  g_string_free (json, TRUE);
}

/* drop_last: events left out at the end (a stream cut short). */
static void
start_stream (MockUpstream      *mock,
              SoupServerMessage *msg,
              const char        *fixture,
              Scenario           scenario,
              guint              drop_last)
{
  StreamJob *job = g_new0 (StreamJob, 1);
  gsize len = 0;
  g_autofree char *data = fixture ? mock_read_fixture (fixture, &len) : g_strdup ("");
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  job->mock = mock;
  job->msg = g_object_ref (msg);
  job->events = split_events (data, len);
  if (drop_last > 0 && job->events->len > drop_last)
    g_ptr_array_set_size (job->events, job->events->len - drop_last);
  job->gated = scenario == SCENARIO_GATED;
  job->endless = scenario == SCENARIO_ENDLESS || scenario == SCENARIO_FLOOD;
  job->flood = scenario == SCENARIO_FLOOD;
  job->cut_mid_event = scenario == SCENARIO_CUT_MID_EVENT;
  job->gate_started = g_get_monotonic_time ();
  if (scenario == SCENARIO_SLOWSTART)
    job->not_before = g_get_monotonic_time () + MOCK_SLOWSTART_MS * 1000;

  soup_server_message_set_status (msg, 200, NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_headers_set_content_type (headers, "text/event-stream", NULL);
  soup_server_message_pause (msg);
  g_signal_connect (msg, "finished", G_CALLBACK (stream_finished_cb), job);

  job->timer = g_timeout_source_new (job->gated ? 5 : 20);
  g_source_set_callback (job->timer, stream_tick_cb, job, NULL);
  g_source_attach (job->timer, mock->context);
}

/* ------------------------------------------------------------------ */
/* Bookkeeping                                                          */
/* ------------------------------------------------------------------ */

static Scenario
scenario_for (const char *model,
              guint      *flaky_n)
{
  static const struct { const char *word; Scenario scenario; } words[] = {
    { "error500", SCENARIO_ERROR500 },
    { "error429", SCENARIO_ERROR429 },
    { "error400", SCENARIO_ERROR400 },
    { "overloaded", SCENARIO_OVERLOADED },
    { "stream-error", SCENARIO_STREAM_ERROR },
    { "truncated", SCENARIO_TRUNCATED },
    { "cutmid", SCENARIO_CUT_MID_EVENT },
    { "slowstart", SCENARIO_SLOWSTART },
    { "slow", SCENARIO_SLOW },
    { "garbage", SCENARIO_GARBAGE },
    { "gated", SCENARIO_GATED },
    { "endless", SCENARIO_ENDLESS },
    { "flood", SCENARIO_FLOOD },
    { "echo-key", SCENARIO_ECHO_KEY },
    { "tool", SCENARIO_TOOL },
  };
  const char *flaky = strstr (model, "flaky");

  if (flaky != NULL)
    {
      *flaky_n = (guint) g_ascii_strtoull (flaky + 5, NULL, 10);
      return SCENARIO_FLAKY;
    }
  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    if (strstr (model, words[i].word) != NULL)
      return words[i].scenario;
  return SCENARIO_OK;
}

/* Records the request; returns how many requests this model has seen
 * (this one included). */
static guint
record_request (MockUpstream      *mock,
                SoupServerMessage *msg,
                GBytes            *body,
                const char        *model)
{
  GUri *uri = soup_server_message_get_uri (msg);
  const char *query = g_uri_get_query (uri);
  guint n;

  g_mutex_lock (&mock->lock);
  mock->requests++;
  n = GPOINTER_TO_UINT (g_hash_table_lookup (mock->model_requests, model)) + 1;
  g_hash_table_replace (mock->model_requests, g_strdup (model), GUINT_TO_POINTER (n));
  g_free (mock->last_body);
  mock->last_body = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  g_free (mock->last_path);
  mock->last_path = query ? g_strconcat (g_uri_get_path (uri), "?", query, NULL)
                          : g_strdup (g_uri_get_path (uri));
  g_clear_pointer (&mock->last_headers, soup_message_headers_unref);
  mock->last_headers = soup_message_headers_ref (soup_server_message_get_request_headers (msg));
  g_mutex_unlock (&mock->lock);
  return n;
}

static GBytes *
request_body (SoupServerMessage *msg)
{
  return soup_message_body_flatten (soup_server_message_get_request_body (msg));
}

/* The body as a JSON object, or NULL. */
static JsonObject *
parse_object (GBytes      *bytes,
              JsonParser **parser_out)
{
  JsonParser *parser = json_parser_new ();

  *parser_out = parser;
  if (!json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  return json_node_get_object (json_parser_get_root (parser));
}

static const char *
get_string (JsonObject *obj,
            const char *member)
{
  JsonNode *node = obj ? json_object_get_member (obj, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonArray *
get_array (JsonObject *obj,
           const char *member)
{
  JsonNode *node = obj ? json_object_get_member (obj, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static JsonObject *
get_object (JsonObject *obj,
            const char *member)
{
  JsonNode *node = obj ? json_object_get_member (obj, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonObject *
array_object (JsonArray *array,
              guint      i)
{
  JsonNode *node = json_array_get_element (array, i);

  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static gboolean
get_bool (JsonObject *obj,
          const char *member)
{
  JsonNode *node = obj ? json_object_get_member (obj, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_BOOLEAN && json_node_get_boolean (node);
}

/* ------------------------------------------------------------------ */
/* OpenAI and OpenRouter                                                */
/* ------------------------------------------------------------------ */

/* What OpenAI itself checks about tool exchanges in the history. */
static char *
openai_check_messages (JsonObject *body,
                       char      **param)
{
  JsonArray *messages = get_array (body, "messages");
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func (g_free);

  if (messages == NULL || json_array_get_length (messages) == 0)
    {
      *param = g_strdup ("messages");
      return g_strdup ("Invalid 'messages': empty array. Expected an array with minimum length 1.");
    }
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *m = array_object (messages, i);
      const char *role = get_string (m, "role");
      JsonArray *calls;

      if (role == NULL)
        {
          *param = g_strdup_printf ("messages.[%u].role", i);
          return g_strdup ("Missing required parameter: 'messages[].role'.");
        }
      if (g_str_equal (role, "tool"))
        {
          const char *id = get_string (m, "tool_call_id");
          gboolean found = FALSE;

          for (guint p = 0; id != NULL && p < pending->len; p++)
            if (g_str_equal (g_ptr_array_index (pending, p), id))
              {
                g_ptr_array_remove_index (pending, p);
                found = TRUE;
                break;
              }
          if (!found)
            {
              *param = g_strdup_printf ("messages.[%u].role", i);
              return g_strdup ("Invalid parameter: messages with role 'tool' must be a response to a "
                               "preceeding message with 'tool_calls'.");
            }
          continue;
        }
      if (pending->len > 0)
        {
          *param = g_strdup ("messages");
          return g_strdup_printf ("An assistant message with 'tool_calls' must be followed by tool messages "
                                  "responding to each 'tool_call_id'. The following tool_call_ids did not have "
                                  "response messages: %s", (const char *) g_ptr_array_index (pending, 0));
        }
      g_ptr_array_set_size (pending, 0);
      calls = g_str_equal (role, "assistant") ? get_array (m, "tool_calls") : NULL;
      for (guint c = 0; calls != NULL && c < json_array_get_length (calls); c++)
        {
          JsonObject *call = array_object (calls, c);
          const char *id = get_string (call, "id");
          JsonObject *fn = get_object (call, "function");

          if (id == NULL || fn == NULL || get_string (fn, "name") == NULL ||
              get_string (fn, "arguments") == NULL)
            {
              *param = g_strdup_printf ("messages.[%u].tool_calls.[%u]", i, c);
              return g_strdup ("Invalid tool call: id, function.name and function.arguments (a string) are required.");
            }
          g_ptr_array_add (pending, g_strdup (id));
        }
    }
  return NULL;
}

static void
openai_like_cb (MockUpstream      *mock,
                SoupServerMessage *msg,
                gboolean           openrouter)
{
  g_autoptr(GBytes) bytes = request_body (msg);
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *body = parse_object (bytes, &parser);
  SoupMessageHeaders *in = soup_server_message_get_request_headers (msg);
  const char *model = get_string (body, "model");
  gboolean stream = get_bool (body, "stream");
  g_autofree char *param = NULL;
  g_autofree char *problem = NULL;
  guint flaky_n = 0, seen;
  Scenario scenario;

  seen = record_request (mock, msg, bytes, model ? model : "");
  if (body == NULL)
    {
      send_openai_error (msg, 400, "invalid_request_error", NULL,
                         "We could not parse the JSON body of your request.");
      return;
    }
  if (model == NULL)
    {
      send_openai_error (msg, 400, "invalid_request_error", "model",
                         "you must provide a model parameter");
      return;
    }
  if (openrouter)
    {
      const char *auth = soup_message_headers_get_one (in, "Authorization");

      if (auth == NULL || !g_str_has_prefix (auth, "Bearer ") || auth[7] == '\0')
        {
          send_fixture (msg, 401, "openai-error-401.json");
          return;
        }
      if (mock->require_attribution &&
          (soup_message_headers_get_one (in, "HTTP-Referer") == NULL ||
           soup_message_headers_get_one (in, "X-Title") == NULL))
        {
          send_openai_error (msg, 400, "invalid_request_error", NULL,
                             "mock: HTTP-Referer and X-Title attribution headers are missing");
          return;
        }
    }
  if ((problem = openai_check_messages (body, &param)) != NULL)
    {
      send_openai_error (msg, 400, "invalid_request_error", param, problem);
      return;
    }

  scenario = scenario_for (model, &flaky_n);
  switch (scenario)
    {
    case SCENARIO_FLAKY:
      if (seen <= flaky_n)
        {
          send_openai_error (msg, 500, "server_error", NULL, "The server had an error while processing your request.");
          return;
        }
      scenario = SCENARIO_OK;
      break;
    case SCENARIO_ERROR500:
      soup_server_message_set_status (msg, 500, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        "{\"error\":{\"message\":\"kaboom\",\"type\":\"server_error\"}}", 52);
      return;
    case SCENARIO_ERROR429:
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "7");
      send_fixture (msg, 429, "openai-error-429.json");
      return;
    case SCENARIO_ERROR400:
      send_fixture (msg, 400, "openai-error-400-context.json");
      return;
    case SCENARIO_OVERLOADED:
      send_openai_error (msg, 503, "server_error", NULL, "The engine is currently overloaded, please try again later");
      return;
    case SCENARIO_SLOW:
      soup_server_message_pause (msg); /* never answered */
      return;
    case SCENARIO_GARBAGE:
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "<html>", 6);
      return;
    case SCENARIO_ECHO_KEY:
      {
        g_autofree char *text = g_strdup_printf ("Incorrect API key provided: %s.",
                                                 soup_message_headers_get_one (in, "Authorization"));

        send_openai_error (msg, 400, "invalid_request_error", NULL, text);
        return;
      }
    default:
      break;
    }

  if (stream)
    {
      const char *fixture = openrouter ? "openrouter-stream-tool.sse" : "openai-stream-text.sse";
      guint drop = 0;

      if (scenario == SCENARIO_TOOL)
        fixture = openrouter ? "openrouter-stream-tool.sse" : "openai-stream-tool.sse";
      else if (scenario == SCENARIO_STREAM_ERROR)
        fixture = openrouter ? "openrouter-stream-error.sse" : "openai-stream-error.sse";
      else if (scenario == SCENARIO_TRUNCATED || scenario == SCENARIO_CUT_MID_EVENT)
        drop = 2; /* the usage chunk and [DONE] */
      else if (scenario == SCENARIO_ENDLESS || scenario == SCENARIO_FLOOD)
        fixture = NULL;
      start_stream (mock, msg, fixture, scenario, drop);
    }
  else if (scenario == SCENARIO_FLOOD)
    send_flood_completion (msg);
  else if (scenario == SCENARIO_TOOL)
    send_fixture (msg, 200, "openai-response-tool.json");
  else
    send_fixture (msg, 200, openrouter ? "openrouter-response.json" : "openai-response.json");
}

static void
chat_cb (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  openai_like_cb (user_data, msg, FALSE);
}

static void
openrouter_cb (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  openai_like_cb (user_data, msg, TRUE);
}

/* ------------------------------------------------------------------ */
/* Anthropic                                                            */
/* ------------------------------------------------------------------ */

static gboolean
valid_tool_id (const char *id)
{
  if (id == NULL || *id == '\0')
    return FALSE;
  for (const char *p = id; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

/* The messages rules of wire-formats 3.2; the messages are Anthropic's. */
static char *
anthropic_check_messages (JsonArray *messages)
{
  g_autoptr(GPtrArray) tool_ids = g_ptr_array_new_with_free_func (g_free);
  const char *prev_role = NULL;
  guint n = json_array_get_length (messages);

  if (n == 0)
    return g_strdup ("messages: at least one message is required");

  for (guint i = 0; i < n; i++)
    {
      JsonObject *m = array_object (messages, i);
      const char *role = get_string (m, "role");
      JsonNode *content = m ? json_object_get_member (m, "content") : NULL;
      JsonArray *blocks;
      guint results = 0;
      gboolean leading = TRUE;
      g_autoptr(GPtrArray) ids_here = g_ptr_array_new_with_free_func (g_free);

      if (role == NULL || (!g_str_equal (role, "user") && !g_str_equal (role, "assistant")))
        return g_strdup_printf ("messages.%u.role: Input should be 'user' or 'assistant'", i);
      if (i == 0 && !g_str_equal (role, "user"))
        return g_strdup ("messages: first message must use the \"user\" role");
      if (prev_role != NULL && g_str_equal (role, prev_role))
        return g_strdup_printf ("messages: roles must alternate between \"user\" and \"assistant\", "
                                "but found multiple \"%s\" roles in a row", role);
      prev_role = role;

      if (content == NULL)
        return g_strdup_printf ("messages.%u.content: Field required", i);
      if (JSON_NODE_HOLDS_VALUE (content) && json_node_get_value_type (content) == G_TYPE_STRING)
        {
          if (*json_node_get_string (content) == '\0' && !(i == n - 1 && g_str_equal (role, "assistant")))
            return g_strdup_printf ("messages.%u: all messages must have non-empty content except for "
                                    "the optional final assistant message", i);
          if (tool_ids->len > 0)
            return g_strdup_printf ("messages.%u: Did not find %u tool_result block(s) at the beginning of "
                                    "this message. Messages following tool_use blocks must begin with a "
                                    "matching number of tool_result blocks.", i, tool_ids->len);
          continue;
        }
      if (!JSON_NODE_HOLDS_ARRAY (content))
        return g_strdup_printf ("messages.%u.content: Input should be a valid list", i);
      blocks = json_node_get_array (content);
      if (json_array_get_length (blocks) == 0 && !(i == n - 1 && g_str_equal (role, "assistant")))
        return g_strdup_printf ("messages.%u: all messages must have non-empty content except for "
                                "the optional final assistant message", i);

      for (guint b = 0; b < json_array_get_length (blocks); b++)
        {
          JsonObject *block = array_object (blocks, b);
          const char *type = get_string (block, "type");

          if (type == NULL)
            return g_strdup_printf ("messages.%u.content.%u.type: Field required", i, b);
          if (g_str_equal (type, "text"))
            {
              const char *text = get_string (block, "text");

              if (text == NULL)
                return g_strdup_printf ("messages.%u.content.%u.text: Field required", i, b);
              if (*text == '\0')
                return g_strdup ("messages: text content blocks must be non-empty");
            }
          else if (g_str_equal (type, "tool_use"))
            {
              const char *id = get_string (block, "id");

              if (!g_str_equal (role, "assistant"))
                return g_strdup_printf ("messages.%u.content.%u: tool_use blocks may only appear in "
                                        "assistant messages", i, b);
              if (!valid_tool_id (id))
                return g_strdup_printf ("messages.%u.content.%u.tool_use.id: String should match "
                                        "pattern '^[a-zA-Z0-9_-]+$'", i, b);
              if (get_string (block, "name") == NULL || get_object (block, "input") == NULL)
                return g_strdup_printf ("messages.%u.content.%u.tool_use.input: Input should be "
                                        "a valid dictionary", i, b);
              g_ptr_array_add (ids_here, g_strdup (id));
            }
          else if (g_str_equal (type, "tool_result"))
            {
              const char *id = get_string (block, "tool_use_id");
              guint index;

              if (!g_str_equal (role, "user"))
                return g_strdup_printf ("messages.%u.content.%u: tool_result blocks may only appear in "
                                        "user messages", i, b);
              if (id == NULL || !g_ptr_array_find_with_equal_func (tool_ids, id, g_str_equal, &index))
                return g_strdup_printf ("messages.%u.content.%u: unexpected `tool_use_id` found in "
                                        "`tool_result` blocks: %s. Each `tool_result` block must have a "
                                        "corresponding `tool_use` block in the previous message.",
                                        i, b, id ? id : "(none)");
              if (!leading)
                return g_strdup_printf ("messages.%u: tool_result blocks must come first in the message", i);
              results++;
            }
          else if (!g_str_equal (type, "image") && !g_str_equal (type, "document") &&
                   !g_str_equal (type, "thinking") && !g_str_equal (type, "redacted_thinking"))
            return g_strdup_printf ("messages.%u.content.%u.type: Input tag '%s' found using 'type' "
                                    "does not match any of the expected tags", i, b, type);
          if (!g_str_equal (type, "tool_result"))
            leading = FALSE;
        }
      if (results < tool_ids->len)
        return g_strdup_printf ("messages.%u: Did not find %u tool_result block(s) at the beginning of this "
                                "message. Messages following tool_use blocks must begin with a matching "
                                "number of tool_result blocks.", i, tool_ids->len - results);
      g_ptr_array_set_size (tool_ids, 0);
      g_ptr_array_extend_and_steal (tool_ids, g_steal_pointer (&ids_here));
    }
  return NULL;
}

static char *
anthropic_check_tools (JsonObject *body)
{
  JsonArray *tools = get_array (body, "tools");

  for (guint t = 0; tools != NULL && t < json_array_get_length (tools); t++)
    {
      JsonObject *tool = array_object (tools, t);
      JsonObject *schema = get_object (tool, "input_schema");
      const char *name = get_string (tool, "name");

      if (!valid_tool_id (name) || strlen (name) > 64)
        return g_strdup_printf ("tools.%u.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'", t);
      if (schema == NULL || g_strcmp0 (get_string (schema, "type"), "object") != 0)
        return g_strdup_printf ("tools.%u.custom.input_schema.type: Input should be 'object'", t);
      if (json_object_has_member (tool, "parameters") || json_object_has_member (tool, "function"))
        return g_strdup_printf ("tools.%u.custom: Extra inputs are not permitted", t);
    }
  return NULL;
}

static char *
anthropic_check (JsonObject *body)
{
  static const char * const known[] = {
    "model", "max_tokens", "messages", "system", "stop_sequences", "stream", "temperature",
    "top_p", "top_k", "tools", "tool_choice", "metadata", "thinking", "output_config",
    "service_tier", "cache_control", "container", "mcp_servers", "context_management", NULL
  };
  g_autoptr(GList) members = json_object_get_members (body);
  JsonNode *max_tokens = json_object_get_member (body, "max_tokens");
  JsonNode *system = json_object_get_member (body, "system");
  JsonArray *messages = get_array (body, "messages");
  char *problem;

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (known, l->data))
      return g_strdup_printf ("%s: Extra inputs are not permitted", (const char *) l->data);
  if (get_string (body, "model") == NULL)
    return g_strdup ("model: Field required");
  if (max_tokens == NULL)
    return g_strdup ("max_tokens: Field required");
  if (!JSON_NODE_HOLDS_VALUE (max_tokens) || json_node_get_value_type (max_tokens) != G_TYPE_INT64 ||
      json_node_get_int (max_tokens) < 0)
    return g_strdup ("max_tokens: Input should be a valid integer");
  if (messages == NULL)
    return g_strdup ("messages: Field required");
  if (system != NULL && !JSON_NODE_HOLDS_ARRAY (system) &&
      !(JSON_NODE_HOLDS_VALUE (system) && json_node_get_value_type (system) == G_TYPE_STRING))
    return g_strdup ("system: Input should be a valid string or list");
  if (json_object_has_member (body, "stream") && !JSON_NODE_HOLDS_VALUE (json_object_get_member (body, "stream")))
    return g_strdup ("stream: Input should be a valid boolean");
  problem = anthropic_check_messages (messages);
  if (problem != NULL)
    return problem;
  return anthropic_check_tools (body);
}

static void
anthropic_cb (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  MockUpstream *mock = user_data;
  g_autoptr(GBytes) bytes = request_body (msg);
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *body = parse_object (bytes, &parser);
  SoupMessageHeaders *in = soup_server_message_get_request_headers (msg);
  const char *model = get_string (body, "model");
  g_autofree char *problem = NULL;
  guint flaky_n = 0, seen;
  Scenario scenario;
  gboolean stream;

  seen = record_request (mock, msg, bytes, model ? model : "");
  if (g_strcmp0 (soup_server_message_get_method (msg), "POST") != 0 || !g_str_equal (path, "/v1/messages"))
    {
      send_anthropic_error (msg, 404, "not_found_error", "Not Found");
      return;
    }
  if (soup_message_headers_get_one (in, "x-api-key") == NULL ||
      *soup_message_headers_get_one (in, "x-api-key") == '\0')
    {
      send_fixture (msg, 401, "anthropic-error-401.json");
      return;
    }
  if (soup_message_headers_get_one (in, "anthropic-version") == NULL)
    {
      send_anthropic_error (msg, 400, "invalid_request_error", "anthropic-version: header is required");
      return;
    }
  if (body == NULL)
    {
      send_anthropic_error (msg, 400, "invalid_request_error",
                            "There was an issue with your request body: the body must be a JSON object");
      return;
    }
  if ((problem = anthropic_check (body)) != NULL)
    {
      send_anthropic_error (msg, 400, "invalid_request_error", problem);
      return;
    }

  stream = get_bool (body, "stream");
  scenario = scenario_for (model, &flaky_n);
  switch (scenario)
    {
    case SCENARIO_FLAKY:
      if (seen <= flaky_n)
        {
          send_anthropic_error (msg, 500, "api_error", "Internal server error");
          return;
        }
      scenario = SCENARIO_OK;
      break;
    case SCENARIO_ERROR500:
      send_anthropic_error (msg, 500, "api_error", "Internal server error");
      return;
    case SCENARIO_ERROR429:
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "retry-after", "7");
      send_anthropic_error (msg, 429, "rate_limit_error",
                            "This request would exceed the rate limit for your organization.");
      return;
    case SCENARIO_ERROR400:
      send_fixture (msg, 400, "anthropic-error-400.json");
      return;
    case SCENARIO_OVERLOADED:
      send_fixture (msg, 529, "anthropic-error-529.json");
      return;
    case SCENARIO_SLOW:
      soup_server_message_pause (msg);
      return;
    case SCENARIO_GARBAGE:
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "<html>", 6);
      return;
    default:
      break;
    }

  if (stream)
    {
      const char *fixture = "anthropic-stream-text.sse";
      guint drop = 0;

      if (scenario == SCENARIO_TOOL)
        fixture = "anthropic-stream-tool.sse";
      else if (scenario == SCENARIO_STREAM_ERROR)
        fixture = "anthropic-stream-error.sse";
      else if (scenario == SCENARIO_TRUNCATED)
        drop = 2; /* message_delta and message_stop */
      start_stream (mock, msg, fixture, scenario, drop);
    }
  else if (scenario == SCENARIO_STREAM_ERROR)
    send_fixture (msg, 529, "anthropic-error-529.json");
  else
    send_fixture (msg, 200, scenario == SCENARIO_TOOL ? "anthropic-response-tool.json" : "anthropic-response.json");
}

/* ------------------------------------------------------------------ */
/* Gemini                                                               */
/* ------------------------------------------------------------------ */

static gboolean
content_has_part (JsonObject *content,
                  const char *member)
{
  JsonArray *parts = get_array (content, "parts");

  for (guint i = 0; parts != NULL && i < json_array_get_length (parts); i++)
    if (get_object (array_object (parts, i), member) != NULL)
      return TRUE;
  return FALSE;
}

static char *
gemini_check (JsonObject *body)
{
  static const char * const known[] = {
    "contents", "systemInstruction", "system_instruction", "tools", "toolConfig", "tool_config",
    "safetySettings", "safety_settings", "generationConfig", "generation_config",
    "cachedContent", "cached_content", "labels", NULL
  };
  static const char * const part_fields[] = {
    "text", "inlineData", "functionCall", "functionResponse", "fileData", "executableCode",
    "codeExecutionResult", NULL
  };
  g_autoptr(GList) members = json_object_get_members (body);
  JsonArray *contents = get_array (body, "contents");
  JsonObject *prev = NULL;

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (known, l->data))
      return g_strdup_printf ("Invalid JSON payload received. Unknown name \"%s\": Cannot find field.",
                              (const char *) l->data);
  if (contents == NULL || json_array_get_length (contents) == 0)
    return g_strdup ("* GenerateContentRequest.contents: contents is not specified\n");

  for (guint i = 0; i < json_array_get_length (contents); i++)
    {
      JsonObject *content = array_object (contents, i);
      const char *role = get_string (content, "role");
      JsonArray *parts = get_array (content, "parts");

      if (role == NULL || (!g_str_equal (role, "user") && !g_str_equal (role, "model")))
        return g_strdup_printf ("Please use a valid role: user, model. (contents[%u].role: %s)",
                                i, role ? role : "(none)");
      if (parts == NULL || json_array_get_length (parts) == 0)
        return g_strdup_printf ("* GenerateContentRequest.contents[%u].parts: contents.parts must not be empty.\n", i);
      for (guint p = 0; p < json_array_get_length (parts); p++)
        {
          JsonObject *part = array_object (parts, p);
          guint fields = 0;

          for (guint f = 0; part_fields[f] != NULL; f++)
            if (part != NULL && json_object_has_member (part, part_fields[f]))
              fields++;
          if (fields != 1)
            return g_strdup_printf ("* GenerateContentRequest.contents[%u].parts[%u].data: required oneof "
                                    "field 'data' must have one initialized field\n", i, p);
          if (get_string (part, "text") != NULL && *get_string (part, "text") == '\0')
            return g_strdup_printf ("* GenerateContentRequest.contents[%u].parts[%u].text: text must not be empty\n", i, p);
          if (json_object_has_member (part, "functionResponse") &&
              get_object (get_object (part, "functionResponse"), "response") == NULL)
            return g_strdup_printf ("* GenerateContentRequest.contents[%u].parts[%u].function_response.response: "
                                    "must be an object\n", i, p);
        }
      if (g_str_equal (role, "model") && content_has_part (content, "functionCall") &&
          (prev == NULL || !g_str_equal (get_string (prev, "role"), "user")))
        return g_strdup ("Please ensure that function call turn comes immediately after a user turn or "
                         "after a function response turn.");
      if (content_has_part (content, "functionResponse") &&
          (prev == NULL || !content_has_part (prev, "functionCall")))
        return g_strdup ("Please ensure that function response turn comes immediately after a function call turn.");
      prev = content;
    }
  return NULL;
}

static void
gemini_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  MockUpstream *mock = user_data;
  g_autoptr(GBytes) bytes = request_body (msg);
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *body = parse_object (bytes, &parser);
  SoupMessageHeaders *in = soup_server_message_get_request_headers (msg);
  const char *prefix = "/v1beta/models/";
  const char *colon = g_str_has_prefix (path, prefix) ? strrchr (path, ':') : NULL;
  g_autofree char *model = colon ? g_strndup (path + strlen (prefix), colon - path - strlen (prefix)) : g_strdup ("");
  const char *method = colon ? colon + 1 : "";
  gboolean stream = g_str_equal (method, "streamGenerateContent");
  g_autofree char *problem = NULL;
  guint flaky_n = 0, seen;
  Scenario scenario;

  seen = record_request (mock, msg, bytes, model);
  if (g_strcmp0 (soup_server_message_get_method (msg), "POST") != 0 ||
      (!stream && !g_str_equal (method, "generateContent")) || *model == '\0' || strchr (model, '/') != NULL)
    {
      send_gemini_error (msg, 404, "NOT_FOUND", "mock: unknown Gemini method or model path");
      return;
    }
  /* The gateway must never put the key in the URL (wire-formats 13.22). */
  if (query != NULL && g_hash_table_contains (query, "key"))
    {
      send_gemini_error (msg, 400, "INVALID_ARGUMENT",
                         "mock: the API key arrived as a ?key= query parameter; send x-goog-api-key");
      return;
    }
  if (soup_message_headers_get_one (in, "x-goog-api-key") == NULL ||
      *soup_message_headers_get_one (in, "x-goog-api-key") == '\0')
    {
      send_gemini_error (msg, 403, "PERMISSION_DENIED",
                         "Method doesn't allow unregistered callers (callers without established identity). "
                         "Please use API Key or other form of API consumer identity to call this API.");
      return;
    }
  if (g_str_equal (soup_message_headers_get_one (in, "x-goog-api-key"), "invalid"))
    {
      send_fixture (msg, 400, "gemini-error-400.json");
      return;
    }
  if (stream && (query == NULL || g_strcmp0 (g_hash_table_lookup (query, "alt"), "sse") != 0))
    {
      send_gemini_error (msg, 400, "INVALID_ARGUMENT",
                         "mock: streamGenerateContent without alt=sse answers a JSON array, not SSE");
      return;
    }
  if (body == NULL)
    {
      send_gemini_error (msg, 400, "INVALID_ARGUMENT", "Invalid JSON payload received.");
      return;
    }
  if ((problem = gemini_check (body)) != NULL)
    {
      send_gemini_error (msg, 400, "INVALID_ARGUMENT", problem);
      return;
    }

  scenario = scenario_for (model, &flaky_n);
  switch (scenario)
    {
    case SCENARIO_FLAKY:
      if (seen <= flaky_n)
        {
          send_gemini_error (msg, 500, "INTERNAL", "An internal error has occurred.");
          return;
        }
      scenario = SCENARIO_OK;
      break;
    case SCENARIO_ERROR500:
      send_gemini_error (msg, 500, "INTERNAL", "An internal error has occurred.");
      return;
    case SCENARIO_ERROR429:
      send_fixture (msg, 429, "gemini-error-429.json");
      return;
    case SCENARIO_ERROR400:
      send_fixture (msg, 400, "gemini-error-400.json");
      return;
    case SCENARIO_OVERLOADED:
      send_gemini_error (msg, 503, "UNAVAILABLE", "The model is overloaded. Please try again later.");
      return;
    case SCENARIO_SLOW:
      soup_server_message_pause (msg);
      return;
    case SCENARIO_GARBAGE:
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "<html>", 6);
      return;
    default:
      break;
    }

  if (stream)
    /* Gemini has no in-band terminator: a broken stream just ends. */
    start_stream (mock, msg, scenario == SCENARIO_TOOL ? "gemini-stream-tool.sse" : "gemini-stream-text.sse",
                  scenario, scenario == SCENARIO_TRUNCATED || scenario == SCENARIO_STREAM_ERROR ? 1 : 0);
  else
    send_fixture (msg, 200, scenario == SCENARIO_TOOL ? "gemini-response-tool.json" : "gemini-response.json");
}

/* ------------------------------------------------------------------ */
/* The server thread                                                    */
/* ------------------------------------------------------------------ */

/* soup_server_listen_local() keeps GSocket's backlog of 10: with a few
 * hundred upstream connections opened at once (load and soak tests), the
 * kernel drops SYNs and clients wait a second per retransmission. */
static gboolean
listen_with_backlog (SoupServer *server,
                     guint16     port,
                     guint16    *bound_port,
                     GError    **error)
{
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                          G_SOCKET_PROTOCOL_TCP, error);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, port);

  if (sock == NULL)
    return FALSE;
  g_socket_set_listen_backlog (sock, 1024);
  if (!g_socket_bind (sock, addr, TRUE, error) || !g_socket_listen (sock, error))
    return FALSE;
  /* The port from our own socket: soup_server_get_uris() leaks the
   * address it reads (libsoup 3.2). */
  if ((local = g_socket_get_local_address (sock, error)) == NULL)
    return FALSE;
  *bound_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  return soup_server_listen_socket (server, sock, 0, error);
}

static gpointer
mock_thread (gpointer data)
{
  MockUpstream *mock = data;
  GError *error = NULL;

  g_main_context_push_thread_default (mock->context);
  mock->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (mock->server, "/v1/chat/completions", chat_cb, mock, NULL);
  soup_server_add_handler (mock->server, "/api/v1/chat/completions", openrouter_cb, mock, NULL);
  soup_server_add_handler (mock->server, "/v1/messages", anthropic_cb, mock, NULL);
  soup_server_add_handler (mock->server, "/v1beta/models", gemini_cb, mock, NULL);
  listen_with_backlog (mock->server, mock->wanted_port, &mock->port, &error);

  /* Signalled on failure too, so the caller never waits forever. */
  g_mutex_lock (&mock->lock);
  mock->start_error = error;
  mock->ready = TRUE;
  g_cond_signal (&mock->cond);
  g_mutex_unlock (&mock->lock);

  if (error == NULL)
    g_main_loop_run (mock->loop);

  g_clear_object (&mock->server);
  while (g_main_context_iteration (mock->context, FALSE))
    ;
  g_main_context_pop_thread_default (mock->context);
  return NULL;
}

static void
mock_destroy (MockUpstream *mock)
{
  g_main_loop_unref (mock->loop);
  g_main_context_unref (mock->context);
  g_free (mock->last_body);
  g_free (mock->last_path);
  g_clear_pointer (&mock->last_headers, soup_message_headers_unref);
  g_hash_table_unref (mock->model_requests);
  g_clear_error (&mock->start_error);
  g_mutex_clear (&mock->lock);
  g_cond_clear (&mock->cond);
  g_free (mock);
}

MockUpstream *
mock_upstream_new_full (guint16   port,
                        GError  **error)
{
  MockUpstream *mock = g_new0 (MockUpstream, 1);

  g_mutex_init (&mock->lock);
  g_cond_init (&mock->cond);
  mock->wanted_port = port;
  mock->model_requests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  mock->context = g_main_context_new ();
  mock->loop = g_main_loop_new (mock->context, FALSE);
  mock->thread = g_thread_new ("mock-upstream", mock_thread, mock);

  g_mutex_lock (&mock->lock);
  while (!mock->ready)
    g_cond_wait (&mock->cond, &mock->lock);
  g_mutex_unlock (&mock->lock);

  if (mock->start_error != NULL)
    {
      g_thread_join (mock->thread);
      g_propagate_error (error, g_steal_pointer (&mock->start_error));
      mock_destroy (mock);
      return NULL;
    }
  return mock;
}

MockUpstream *
mock_upstream_new (void)
{
  g_autoptr(GError) error = NULL;
  MockUpstream *mock = mock_upstream_new_full (0, &error);

  if (mock == NULL)
    g_error ("mock upstream: %s", error->message);
  return mock;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
mock_upstream_free (MockUpstream *mock)
{
  g_main_context_invoke (mock->context, quit_cb, mock->loop);
  g_thread_join (mock->thread);
  mock_destroy (mock);
}

guint16
mock_upstream_get_port (MockUpstream *mock)
{
  return mock->port;
}

char *
mock_upstream_dup_url (MockUpstream *mock)
{
  return g_strdup_printf ("http://127.0.0.1:%u", mock->port);
}

guint
mock_upstream_get_requests (MockUpstream *mock)
{
  guint n;

  g_mutex_lock (&mock->lock);
  n = mock->requests;
  g_mutex_unlock (&mock->lock);
  return n;
}

guint
mock_upstream_get_model_requests (MockUpstream *mock,
                                  const char   *model)
{
  guint n;

  g_mutex_lock (&mock->lock);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (mock->model_requests, model));
  g_mutex_unlock (&mock->lock);
  return n;
}

char *
mock_upstream_dup_last_body (MockUpstream *mock)
{
  char *body;

  g_mutex_lock (&mock->lock);
  body = g_strdup (mock->last_body);
  g_mutex_unlock (&mock->lock);
  return body;
}

char *
mock_upstream_dup_last_path (MockUpstream *mock)
{
  char *path;

  g_mutex_lock (&mock->lock);
  path = g_strdup (mock->last_path);
  g_mutex_unlock (&mock->lock);
  return path;
}

char *
mock_upstream_dup_last_header (MockUpstream *mock,
                               const char   *name)
{
  char *value = NULL;

  g_mutex_lock (&mock->lock);
  if (mock->last_headers != NULL)
    value = g_strdup (soup_message_headers_get_one (mock->last_headers, name));
  g_mutex_unlock (&mock->lock);
  return value;
}

void
mock_upstream_set_require_attribution (MockUpstream *mock,
                                       gboolean      require)
{
  g_mutex_lock (&mock->lock);
  mock->require_attribution = require;
  g_mutex_unlock (&mock->lock);
}

void
mock_upstream_release (MockUpstream *mock)
{
  g_mutex_lock (&mock->lock);
  mock->releases++;
  g_mutex_unlock (&mock->lock);
}

void
mock_upstream_open_gate (MockUpstream *mock)
{
  g_mutex_lock (&mock->lock);
  mock->releases = G_MAXUINT / 2;
  g_mutex_unlock (&mock->lock);
}

guint
mock_upstream_get_gate_timeouts (MockUpstream *mock)
{
  guint n;

  g_mutex_lock (&mock->lock);
  n = mock->gate_timeouts;
  g_mutex_unlock (&mock->lock);
  return n;
}

gint64
mock_upstream_wait_stream_closed (MockUpstream *mock,
                                  guint         timeout_ms)
{
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = start + (gint64) timeout_ms * 1000;
  gboolean closed;

  g_mutex_lock (&mock->lock);
  while (!mock->stream_closed && g_cond_wait_until (&mock->cond, &mock->lock, deadline))
    ;
  closed = mock->stream_closed;
  mock->stream_closed = FALSE;
  g_mutex_unlock (&mock->lock);
  return closed ? (g_get_monotonic_time () - start) / 1000 : -1;
}
