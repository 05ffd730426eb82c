/* test-anthropic-inbound.c — Anthropic clients over OpenAI-shaped answers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Request and response conversion and the streaming encoder of
 * POST /v1/messages (wire-formats.md section 12).
 */
#include "config.h"

#include <string.h>

#include "providers/gr-anthropic-inbound.h"

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static char *
load_fixture (const char *name,
              gsize      *len)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "wire", name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, len, &error);
  g_assert_no_error (error);
  return contents;
}

static void
assert_json_equal (JsonNode *actual,
                   JsonNode *expected)
{
  if (!json_node_equal (actual, expected))
    {
      g_autofree char *a = json_to_string (actual, TRUE);
      g_autofree char *e = json_to_string (expected, TRUE);

      g_test_message ("actual:\n%s\nexpected:\n%s", a, e);
      g_test_fail ();
    }
}

static void
assert_object_json (JsonObject *actual,
                    const char *expected_json)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonNode) expected = parse_json (expected_json);

  json_node_set_object (node, actual);
  assert_json_equal (node, expected);
}

static JsonObject *
convert (const char  *anthropic_json,
         GrApiError **error)
{
  g_autoptr(JsonNode) request = parse_json (anthropic_json);

  return gr_anthropic_inbound_request_to_openai (json_node_get_object (request), error);
}

/* ------------------------------------------------------------------------
 * Requests
 * ------------------------------------------------------------------------ */

static void
test_request_simple (void)
{
  g_autoptr(GrApiError) error = NULL;
  g_autoptr(JsonObject) openai = convert (
    "{\"model\":\"openai/gpt-4o\",\"max_tokens\":1024,\"system\":\"Be brief.\","
    "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"},"
    "{\"role\":\"assistant\",\"content\":\"Hi!\"},"
    "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Describe\"},"
    "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"iVBORw0=\"}},"
    "{\"type\":\"image\",\"source\":{\"type\":\"url\",\"url\":\"https://example.com/a.jpg\"}},"
    "{\"type\":\"document\",\"source\":{\"type\":\"base64\",\"media_type\":\"application/pdf\",\"data\":\"JVBERi0=\"}}]}],"
    "\"stop_sequences\":[\"END\"],\"temperature\":0.5,\"top_p\":0.9,\"top_k\":40,\"stream\":true,"
    "\"metadata\":{\"user_id\":\"u-1\"},\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":5000}}",
    &error);

  g_assert_null (error);
  assert_object_json (openai,
    "{\"model\":\"openai/gpt-4o\",\"messages\":["
    "{\"role\":\"system\",\"content\":\"Be brief.\"},"
    "{\"role\":\"user\",\"content\":\"Hello\"},"
    "{\"role\":\"assistant\",\"content\":\"Hi!\"},"
    "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Describe\"},"
    "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,iVBORw0=\"}},"
    "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/a.jpg\"}},"
    "{\"type\":\"file\",\"file\":{\"filename\":\"document.pdf\",\"file_data\":\"data:application/pdf;base64,JVBERi0=\"}}]}],"
    "\"max_tokens\":1024,\"temperature\":0.5,\"top_p\":0.9,\"stop\":[\"END\"],\"user\":\"u-1\","
    "\"stream\":true,\"stream_options\":{\"include_usage\":true},\"reasoning_effort\":\"medium\"}");
}

static void
test_request_tools (void)
{
  g_autoptr(GrApiError) error = NULL;
  g_autoptr(JsonObject) openai = convert (
    "{\"model\":\"m\",\"max_tokens\":200,"
    "\"system\":[{\"type\":\"text\",\"text\":\"One.\"},{\"type\":\"text\",\"text\":\"Two.\",\"cache_control\":{\"type\":\"ephemeral\"}}],"
    "\"tools\":[{\"name\":\"get_weather\",\"description\":\"Weather\",\"input_schema\":{\"type\":\"object\","
    "\"properties\":{\"city\":{\"type\":\"string\"}}}},{\"name\":\"now\",\"input_schema\":{\"type\":\"object\"}}],"
    "\"tool_choice\":{\"type\":\"any\",\"disable_parallel_tool_use\":true},"
    "\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"},"
    "{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"hm\",\"signature\":\"s\"},"
    "{\"type\":\"text\",\"text\":\"Checking.\"},"
    "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}},"
    "{\"type\":\"tool_use\",\"id\":\"toolu_2\",\"name\":\"now\",\"input\":{}}]},"
    "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"And then?\"},"
    "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":[{\"type\":\"text\",\"text\":\"18C\"},"
    "{\"type\":\"text\",\"text\":\"rain\"},{\"type\":\"image\",\"source\":{\"type\":\"url\",\"url\":\"https://x/radar.png\"}}]},"
    "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_2\",\"content\":\"clock broken\",\"is_error\":true}]}]}",
    &error);

  g_assert_null (error);
  assert_object_json (openai,
    "{\"model\":\"m\",\"max_tokens\":200,\"messages\":["
    "{\"role\":\"system\",\"content\":\"One.\\n\\nTwo.\"},"
    "{\"role\":\"user\",\"content\":\"Weather in Paris?\"},"
    "{\"role\":\"assistant\",\"content\":\"Checking.\",\"tool_calls\":["
    "{\"id\":\"toolu_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}},"
    "{\"id\":\"toolu_2\",\"type\":\"function\",\"function\":{\"name\":\"now\",\"arguments\":\"{}\"}}]},"
    "{\"role\":\"tool\",\"tool_call_id\":\"toolu_1\",\"content\":\"18C\\nrain\"},"
    "{\"role\":\"tool\",\"tool_call_id\":\"toolu_2\",\"content\":\"Error: clock broken\"},"
    "{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/radar.png\"}}]},"
    "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"And then?\"}]}],"
    "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"Weather\","
    "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}},"
    "{\"type\":\"function\",\"function\":{\"name\":\"now\",\"parameters\":{\"type\":\"object\"}}}],"
    "\"tool_choice\":\"required\",\"parallel_tool_calls\":false}");
}

static void
test_request_tool_choice (void)
{
  struct
  {
    const char *choice;
    const char *expected;
  } cases[] = {
    { "{\"type\":\"auto\"}", "\"auto\"" },
    { "{\"type\":\"none\"}", "\"none\"" },
    { "{\"type\":\"any\"}", "\"required\"" },
    { "{\"type\":\"tool\",\"name\":\"t\"}", "{\"type\":\"function\",\"function\":{\"name\":\"t\"}}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *request = g_strdup_printf (
        "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
        "\"tools\":[{\"name\":\"t\",\"input_schema\":{\"type\":\"object\"}}],\"tool_choice\":%s}", cases[i].choice);
      g_autoptr(GrApiError) error = NULL;
      g_autoptr(JsonObject) openai = convert (request, &error);
      g_autoptr(JsonNode) expected = parse_json (cases[i].expected);

      g_assert_null (error);
      assert_json_equal (json_object_get_member (openai, "tool_choice"), expected);
      g_assert_false (json_object_has_member (openai, "parallel_tool_calls"));
    }
}

static void
test_request_thinking (void)
{
  struct
  {
    const char *thinking;
    const char *effort;
  } cases[] = {
    { "{\"type\":\"enabled\",\"budget_tokens\":1024}", "low" },
    { "{\"type\":\"enabled\",\"budget_tokens\":4096}", "medium" },
    { "{\"type\":\"enabled\",\"budget_tokens\":32000}", "high" },
    { "{\"type\":\"disabled\"}", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *request = g_strdup_printf (
        "{\"model\":\"m\",\"max_tokens\":50000,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"thinking\":%s}",
        cases[i].thinking);
      g_autoptr(GrApiError) error = NULL;
      g_autoptr(JsonObject) openai = convert (request, &error);

      g_assert_null (error);
      g_assert_cmpstr (json_object_get_string_member_with_default (openai, "reasoning_effort", NULL), ==,
                       cases[i].effort);
    }
}

static void
test_request_invalid (void)
{
  struct
  {
    const char *request;
    const char *param;
    const char *message;
  } cases[] = {
    { "{\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "model", "model: Field required" },
    { "{\"model\":\"m\",\"max_tokens\":5}", "messages", "messages: Field required" },
    { "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[]}", "messages", NULL },
    { "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "max_tokens", "max_tokens: Field required" },
    { "{\"model\":\"m\",\"max_tokens\":\"lots\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "max_tokens", NULL },
    { "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"system\",\"content\":\"x\"}]}", "messages.0", NULL },
    { "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"audio\"}]}]}",
      "messages.0.content.0", NULL },
    { "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
      "\"tools\":[{\"type\":\"web_search_20250305\",\"name\":\"web_search\"}]}", "tools.0", NULL },
    /* Fuzz finding: an object where a boolean goes made json-glib complain. */
    { "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
      "\"stream\":{\"type\":\"enabled\"}}", "stream", "stream: must be a boolean" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GrApiError) error = NULL;
      JsonObject *openai = convert (cases[i].request, &error);

      g_assert_null (openai);
      g_assert_nonnull (error);
      g_assert_cmpint (error->status, ==, 400);
      g_assert_cmpstr (error->type, ==, "invalid_request_error");
      g_assert_cmpstr (error->param, ==, cases[i].param);
      if (cases[i].message != NULL)
        g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

/* Objects and arrays where optional booleans go count as false, quietly
 * (json-glib's boolean getters would log a critical). */
static void
test_request_odd_booleans (void)
{
  g_autoptr(GrApiError) error = NULL;
  JsonObject *openai = convert ("{\"model\":\"m\",\"max_tokens\":5,\"stream\":null,"
                                "\"messages\":[{\"role\":\"user\",\"content\":\"x\"},"
                                "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t1\","
                                "\"name\":\"f\",\"input\":{}}]},"
                                "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t1\","
                                "\"content\":\"ok\",\"is_error\":{}}]}],"
                                "\"tools\":[{\"name\":\"f\",\"input_schema\":{\"type\":\"object\"}}],"
                                "\"tool_choice\":{\"type\":\"auto\",\"disable_parallel_tool_use\":[1]}}",
                                &error);

  g_assert_null (error);
  g_assert_nonnull (openai);
  g_assert_false (json_object_has_member (openai, "stream"));
  g_assert_false (json_object_has_member (openai, "parallel_tool_calls"));
  json_object_unref (openai);
}

/* ------------------------------------------------------------------------
 * Responses and errors
 * ------------------------------------------------------------------------ */

static JsonObject *
response_from (const char *openai_json)
{
  g_autoptr(JsonNode) completion = parse_json (openai_json);
  JsonNode *message = gr_anthropic_inbound_response_from_openai (json_node_get_object (completion), "my-model");
  JsonObject *obj = json_object_ref (json_node_get_object (message));

  json_node_unref (message);
  return obj;
}

static void
test_response_tool (void)
{
  g_autofree char *text = load_fixture ("openai-response-tool.json", NULL);
  g_autoptr(JsonObject) message = response_from (text);
  const char *id = json_object_get_string_member (message, "id");

  g_assert_true (g_str_has_prefix (id, "msg_gaia_"));
  json_object_set_string_member (message, "id", "msg_gaia_x");
  assert_object_json (message,
    "{\"id\":\"msg_gaia_x\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"my-model\",\"content\":["
    "{\"type\":\"tool_use\",\"id\":\"call_9a8b7c6d5e4f\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\",\"unit\":\"celsius\"}},"
    "{\"type\":\"tool_use\",\"id\":\"call_1b2c3d4e5f6a\",\"name\":\"get_forecast\",\"input\":{\"city\":\"Paris\",\"hours\":3}}],"
    "\"stop_reason\":\"tool_use\",\"stop_sequence\":null,"
    "\"usage\":{\"input_tokens\":143,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":49}}");
}

static void
test_response_text (void)
{
  struct
  {
    const char *finish_reason;
    const char *stop_reason;
  } cases[] = {
    { "stop", "end_turn" },
    { "length", "max_tokens" },
    { "content_filter", "refusal" },
    { "tool_calls", "tool_use" },
    { "something_new", "end_turn" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *completion = g_strdup_printf (
        "{\"id\":\"c\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
        "\"content\":\"Hello\"},\"finish_reason\":\"%s\"}],\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":7,"
        "\"total_tokens\":107,\"prompt_tokens_details\":{\"cached_tokens\":60}}}", cases[i].finish_reason);
      g_autoptr(JsonObject) message = response_from (completion);
      g_autoptr(JsonNode) expected_content = parse_json ("[{\"type\":\"text\",\"text\":\"Hello\"}]");
      g_autoptr(JsonNode) expected_usage = parse_json (
        "{\"input_tokens\":40,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":60,\"output_tokens\":7}");

      g_assert_cmpstr (json_object_get_string_member (message, "stop_reason"), ==, cases[i].stop_reason);
      assert_json_equal (json_object_get_member (message, "content"), expected_content);
      assert_json_equal (json_object_get_member (message, "usage"), expected_usage);
    }
}

static void
test_errors (void)
{
  struct
  {
    int         status;
    const char *type;
    const char *code;
    int         anthropic_status;
    const char *anthropic_type;
  } cases[] = {
    { 400, "invalid_request_error", "missing_field", 400, "invalid_request_error" },
    { 401, "authentication_error", "invalid_api_key", 401, "authentication_error" },
    { 402, "insufficient_quota", "upstream_insufficient_credit", 402, "billing_error" },
    { 403, "permission_error", "model_not_allowed", 403, "permission_error" },
    { 404, "invalid_request_error", "model_not_found", 404, "not_found_error" },
    { 413, "invalid_request_error", "request_too_large", 413, "request_too_large" },
    { 429, "rate_limit_error", "rate_limit_exceeded", 429, "rate_limit_error" },
    { 500, "server_error", "internal_error", 500, "api_error" },
    { 502, "upstream_error", "upstream_error", 502, "api_error" },
    { 503, "upstream_error", "upstream_overloaded", 529, "overloaded_error" },
    { 504, "timeout_error", "upstream_timeout", 504, "timeout_error" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GrApiError) error = gr_api_error_new (cases[i].status, cases[i].type, cases[i].code, NULL,
                                                      "model: x \"quoted\"");
      g_autofree char *json = gr_anthropic_inbound_error_to_json (error);
      g_autofree char *expected_json = g_strdup_printf (
        "{\"type\":\"error\",\"error\":{\"type\":\"%s\",\"message\":\"model: x \\\"quoted\\\"\"}}",
        cases[i].anthropic_type);
      g_autoptr(JsonNode) actual = parse_json (json);
      g_autoptr(JsonNode) expected = parse_json (expected_json);

      assert_json_equal (actual, expected);
      g_assert_cmpint (gr_anthropic_inbound_error_status (error), ==, cases[i].anthropic_status);
    }
}

/* ------------------------------------------------------------------------
 * Streaming encoder
 * ------------------------------------------------------------------------ */

/* "event: x\ndata: {…}\n\n" text → list of (name, parsed data). */
typedef struct
{
  char     *name;
  JsonNode *data;
} Event;

static void
event_free (gpointer data)
{
  Event *event = data;

  g_free (event->name);
  json_node_unref (event->data);
  g_free (event);
}

static GPtrArray *
parse_events (const char *text)
{
  GPtrArray *events = g_ptr_array_new_with_free_func (event_free);
  g_auto(GStrv) blocks = g_strsplit (text, "\n\n", -1);

  g_assert_true (g_str_has_suffix (text, "\n\n"));
  for (guint i = 0; blocks[i] != NULL; i++)
    {
      g_auto(GStrv) lines = NULL;
      Event *event;

      if (*blocks[i] == '\0')
        continue;
      lines = g_strsplit (blocks[i], "\n", -1);
      g_assert_cmpuint (g_strv_length (lines), ==, 2);
      g_assert_true (g_str_has_prefix (lines[0], "event: "));
      g_assert_true (g_str_has_prefix (lines[1], "data: "));
      event = g_new0 (Event, 1);
      event->name = g_strdup (lines[0] + strlen ("event: "));
      event->data = parse_json (lines[1] + strlen ("data: "));
      /* Anthropic's data always repeats the event name as its type. */
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (event->data), "type"), ==, event->name);
      g_ptr_array_add (events, event);
    }
  return events;
}

/* Feeds every data payload of an OpenAI SSE fixture to a new encoder. */
static char *
encode_fixture_text (const char *sse)
{
  g_autoptr(GrAnthropicEncoder) encoder = gr_anthropic_encoder_new ("my-model");
  g_auto(GStrv) blocks = g_strsplit (sse, "\n\n", -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; blocks[i] != NULL; i++)
    if (g_str_has_prefix (blocks[i], "data: "))
      gr_anthropic_encoder_feed (encoder, blocks[i] + 6, strlen (blocks[i] + 6), out);
  return g_string_free (out, FALSE);
}

static char *
encode_fixture (const char *name)
{
  g_autofree char *sse = load_fixture (name, NULL);

  return encode_fixture_text (sse);
}

static char *
event_names (GPtrArray *events)
{
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < events->len; i++)
    {
      Event *event = g_ptr_array_index (events, i);
      JsonObject *data = json_node_get_object (event->data);
      const char *suffix = "";

      if (g_str_equal (event->name, "content_block_start"))
        suffix = json_object_get_string_member (json_object_get_object_member (data, "content_block"), "type");
      else if (g_str_equal (event->name, "content_block_delta"))
        suffix = json_object_get_string_member (json_object_get_object_member (data, "delta"), "type");
      g_string_append_printf (names, "%s%s%s%s", i > 0 ? " " : "", event->name, *suffix ? ":" : "", suffix);
    }
  return g_string_free (names, FALSE);
}

/* Concatenates the deltas of one block, checking indexes as it goes. */
static char *
block_payload (GPtrArray *events,
               gint64     index)
{
  GString *payload = g_string_new (NULL);

  for (guint i = 0; i < events->len; i++)
    {
      Event *event = g_ptr_array_index (events, i);
      JsonObject *data = json_node_get_object (event->data);
      JsonObject *delta;

      if (!g_str_equal (event->name, "content_block_delta") || json_object_get_int_member (data, "index") != index)
        continue;
      delta = json_object_get_object_member (data, "delta");
      g_string_append (payload, json_object_get_string_member_with_default (delta, "text",
                                json_object_get_string_member_with_default (delta, "partial_json", "")));
    }
  return g_string_free (payload, FALSE);
}

static JsonObject *
event_data (GPtrArray *events,
            guint      i)
{
  return json_node_get_object (((Event *) g_ptr_array_index (events, i))->data);
}

static void
test_stream_text (void)
{
  g_autofree char *out = encode_fixture ("openai-stream-text.sse");
  g_autoptr(GPtrArray) events = parse_events (out);
  g_autofree char *names = event_names (events);
  g_autofree char *text = block_payload (events, 0);
  JsonObject *start = json_object_get_object_member (event_data (events, 0), "message");
  JsonObject *end = event_data (events, events->len - 2);
  g_autoptr(JsonNode) expected_delta = parse_json ("{\"stop_reason\":\"end_turn\",\"stop_sequence\":null}");

  g_assert_true (g_str_has_prefix (names, "message_start content_block_start:text content_block_delta:text_delta"));
  g_assert_true (g_str_has_suffix (names, "content_block_delta:text_delta content_block_stop message_delta message_stop"));
  g_assert_nonnull (strstr (text, "Yes"));
  g_assert_cmpstr (json_object_get_string_member (start, "model"), ==, "my-model");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (start, "id"), "msg_gaia_"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (start, "content")), ==, 0);
  assert_json_equal (json_object_get_member (end, "delta"), expected_delta);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (end, "usage"), "output_tokens"), >, 0);
}

static void
test_stream_tools (void)
{
  g_autofree char *out = encode_fixture ("openai-stream-tool.sse");
  g_autoptr(GPtrArray) events = parse_events (out);
  g_autofree char *names = event_names (events);
  g_autofree char *args0 = block_payload (events, 0);
  g_autofree char *args1 = block_payload (events, 1);
  g_autoptr(JsonNode) input0 = parse_json (args0);
  g_autoptr(JsonNode) input1 = parse_json (args1);
  g_autoptr(JsonNode) expected0 = parse_json ("{\"city\":\"Paris\",\"unit\":\"celsius\"}");
  g_autoptr(JsonNode) expected1 = parse_json ("{\"city\":\"Paris\",\"hours\":3}");
  g_autoptr(JsonNode) expected_end = parse_json (
    "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},"
    "\"usage\":{\"input_tokens\":143,\"cache_read_input_tokens\":0,\"output_tokens\":49}}");
  JsonObject *block1 = json_object_get_object_member (event_data (events, 1), "content_block");

  /* The first call streams live; the second is sent whole at the finish. */
  g_assert_cmpstr (names, ==,
                   "message_start content_block_start:tool_use "
                   "content_block_delta:input_json_delta content_block_delta:input_json_delta "
                   "content_block_delta:input_json_delta content_block_delta:input_json_delta "
                   "content_block_stop content_block_start:tool_use content_block_delta:input_json_delta "
                   "content_block_stop message_delta message_stop");
  g_assert_cmpstr (json_object_get_string_member (block1, "id"), ==, "call_9a8b7c6d5e4f");
  g_assert_cmpstr (json_object_get_string_member (block1, "name"), ==, "get_weather");
  assert_json_equal (input0, expected0);
  assert_json_equal (input1, expected1);
  {
    g_autoptr(JsonNode) end = json_node_copy (((Event *) g_ptr_array_index (events, events->len - 2))->data);

    assert_json_equal (end, expected_end);
  }
}

/* Interleaved fragments (allowed for OpenAI-compatible servers) still give
 * whole, non-interleaved Anthropic blocks, after a text block. */
static void
test_stream_interleaved (void)
{
  static const char sse[] =
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Let me see.\"}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"x\\\":\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_b\",\"type\":\"function\",\"function\":{\"name\":\"g\",\"arguments\":\"{\\\"y\\\":\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"1}\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"2}\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,\"prompt_tokens_details\":{\"cached_tokens\":4}}}\n\n"
    "data: [DONE]\n\n";
  g_autofree char *out = encode_fixture_text (sse);
  g_autoptr(GPtrArray) events = parse_events (out);
  g_autofree char *text = block_payload (events, 0);
  g_autofree char *a = block_payload (events, 1);
  g_autofree char *b = block_payload (events, 2);
  JsonObject *end = event_data (events, events->len - 2);
  g_autoptr(JsonNode) expected_usage = parse_json ("{\"input_tokens\":6,\"cache_read_input_tokens\":4,\"output_tokens\":5}");
  gint64 open = -1;

  g_assert_cmpstr (text, ==, "Let me see.");
  g_assert_cmpstr (a, ==, "{\"x\":1}");
  g_assert_cmpstr (b, ==, "{\"y\":2}");
  /* "stop" with tool calls emitted is a tool_use turn. */
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (end, "delta"), "stop_reason"), ==, "tool_use");
  assert_json_equal (json_object_get_member (end, "usage"), expected_usage);

  /* Blocks open and close in index order, never overlapping. */
  for (guint i = 0; i < events->len; i++)
    {
      Event *event = g_ptr_array_index (events, i);
      JsonObject *data = json_node_get_object (event->data);

      if (g_str_equal (event->name, "content_block_start"))
        {
          g_assert_cmpint (open, ==, -1);
          open = json_object_get_int_member (data, "index");
        }
      else if (g_str_equal (event->name, "content_block_delta"))
        g_assert_cmpint (json_object_get_int_member (data, "index"), ==, open);
      else if (g_str_equal (event->name, "content_block_stop"))
        {
          g_assert_cmpint (json_object_get_int_member (data, "index"), ==, open);
          open = -1;
        }
    }
  g_assert_cmpint (open, ==, -1);
}

static void
test_stream_error (void)
{
  static const char overload[] =
    "{\"error\":{\"message\":\"anthropic: Overloaded\",\"type\":\"upstream_error\","
    "\"param\":null,\"code\":\"upstream_overloaded\"}}";
  g_autofree char *out = encode_fixture ("openai-stream-error.sse");
  g_autoptr(GPtrArray) events = parse_events (out);
  Event *last = g_ptr_array_index (events, events->len - 1);
  JsonObject *error = json_object_get_object_member (json_node_get_object (last->data), "error");
  g_autoptr(GrAnthropicEncoder) encoder = gr_anthropic_encoder_new ("m");
  g_autoptr(GString) gateway = g_string_new (NULL);
  g_autoptr(GString) tail = g_string_new (NULL);

  g_assert_cmpstr (last->name, ==, "error");
  g_assert_cmpstr (json_object_get_string_member (error, "type"), ==, "api_error");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (error, "message"), "The server had an error"));

  /* The gateway's own overload error, then [DONE]: one error event, nothing after. */
  gr_anthropic_encoder_feed (encoder, overload, strlen (overload), gateway);
  g_assert_true (gr_anthropic_encoder_finished (encoder));
  gr_anthropic_encoder_feed (encoder, "[DONE]", 6, tail);
  g_assert_cmpuint (tail->len, ==, 0);
  g_assert_cmpstr (gateway->str, ==,
                   "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                   "\"message\":\"anthropic: Overloaded\"}}\n\n");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gaiarouter/anthropic/inbound/request-simple", test_request_simple);
  g_test_add_func ("/gaiarouter/anthropic/inbound/request-tools", test_request_tools);
  g_test_add_func ("/gaiarouter/anthropic/inbound/request-tool-choice", test_request_tool_choice);
  g_test_add_func ("/gaiarouter/anthropic/inbound/request-thinking", test_request_thinking);
  g_test_add_func ("/gaiarouter/anthropic/inbound/request-invalid", test_request_invalid);
  g_test_add_func ("/gaiarouter/anthropic/inbound/request-odd-booleans", test_request_odd_booleans);
  g_test_add_func ("/gaiarouter/anthropic/inbound/response-tool", test_response_tool);
  g_test_add_func ("/gaiarouter/anthropic/inbound/response-text", test_response_text);
  g_test_add_func ("/gaiarouter/anthropic/inbound/errors", test_errors);
  g_test_add_func ("/gaiarouter/anthropic/inbound/stream-text", test_stream_text);
  g_test_add_func ("/gaiarouter/anthropic/inbound/stream-tools", test_stream_tools);
  g_test_add_func ("/gaiarouter/anthropic/inbound/stream-interleaved", test_stream_interleaved);
  g_test_add_func ("/gaiarouter/anthropic/inbound/stream-error", test_stream_error);

  return g_test_run ();
}
