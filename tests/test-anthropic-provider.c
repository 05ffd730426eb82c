/* test-anthropic-provider.c — OpenAI ⇄ Anthropic translator tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Requests, responses, errors and streams against the wire fixtures
 * (wire-formats.md sections 7, 8 and 10).  Streams are fed both event by
 * event and as raw bytes split at every offset, through a small SSE line
 * splitter of our own so these tests do not depend on the gateway's parser.
 */
#include "config.h"

#include <string.h>

#include "core/gr-json.h"
#include "providers/gr-provider.h"

static const GrProviderInfo test_provider = {
  .name = (char *) "anthropic",
  .kind = GR_PROVIDER_KIND_ANTHROPIC,
  .base_url = (char *) "https://api.anthropic.com",
  .api_key = (char *) "sk-ant-test-key",
};

static const GrTranslateContext stream_ctx = {
  .client_model = "anthropic/claude-sonnet-4-5",
  .upstream_model = "claude-sonnet-4-5",
  .stream = TRUE,
  .include_usage = TRUE,
};

static const GrTranslateContext plain_ctx = {
  .client_model = "anthropic/claude-sonnet-4-5",
  .upstream_model = "claude-sonnet-4-5",
};

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

static char *
load_fixture (const char *dir,
              const char *name,
              gsize      *len)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  if (dir != NULL)
    path = g_test_build_filename (G_TEST_DIST, "fixtures", dir, name, NULL);
  else
    path = g_test_build_filename (G_TEST_DIST, "fixtures", name, NULL);
  g_file_get_contents (path, &contents, len, &error);
  g_assert_no_error (error);
  return contents;
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static JsonNode *
load_json (const char *name)
{
  g_autofree char *text = load_fixture ("wire", name, NULL);

  return parse_json (text);
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

static JsonObject *
body_of (GrUpstreamRequest *request)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  const char *data = g_bytes_get_data (request->body, &len);

  json_parser_load_from_data (parser, data, len, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static gboolean
has_header (GrUpstreamRequest *request,
            const char        *line)
{
  for (guint i = 0; i < request->headers->len; i++)
    if (g_str_equal (g_ptr_array_index (request->headers, i), line))
      return TRUE;
  return FALSE;
}

/* Translates an inline OpenAI request; returns the Anthropic body or NULL
 * with *error set. */
static JsonObject *
translate (const char               *openai_json,
           const GrTranslateContext *ctx,
           GrApiError              **error)
{
  g_autoptr(JsonNode) request = parse_json (openai_json);
  g_autoptr(GrUpstreamRequest) upstream = NULL;

  upstream = gr_provider_anthropic_ops.build_request (&test_provider, json_node_get_object (request), ctx, error);
  if (upstream == NULL)
    {
      g_assert_nonnull (*error);
      return NULL;
    }
  g_assert_null (*error);
  return body_of (upstream);
}

static JsonObject *
translate_ok (const char *openai_json)
{
  GrApiError *error = NULL;
  JsonObject *body = translate (openai_json, &plain_ctx, &error);

  if (error != NULL)
    g_test_message ("unexpected error: %s (%s)", error->message, error->param);
  g_assert_null (error);
  return body;
}

static void
assert_rejected (const char *openai_json,
                 const char *code,
                 const char *param)
{
  g_autoptr(GrApiError) error = NULL;
  JsonObject *body = translate (openai_json, &plain_ctx, &error);

  g_assert_null (body);
  g_assert_nonnull (error);
  g_assert_cmpint (error->status, ==, 400);
  g_assert_cmpstr (error->type, ==, "invalid_request_error");
  g_assert_cmpstr (error->code, ==, code);
  g_assert_cmpstr (error->param, ==, param);
  g_assert_nonnull (error->message);
}

/* The Anthropic messages array as JSON text, for compact assertions. */
static char *
messages_json (JsonObject *body)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);

  json_node_set_array (node, json_object_get_array_member (body, "messages"));
  return json_to_string (node, FALSE);
}

static char *
member_json (JsonObject *body,
             const char *member)
{
  JsonNode *node = json_object_get_member (body, member);

  return node != NULL ? json_to_string (node, FALSE) : NULL;
}

/* ------------------------------------------------------------------------
 * build_request
 * ------------------------------------------------------------------------ */

static void
test_request_worked_example (void)
{
  g_autoptr(JsonNode) request = load_json ("translate-openai-request.json");
  g_autoptr(JsonNode) expected = load_json ("translate-anthropic-request.json");
  g_autoptr(GrUpstreamRequest) upstream = NULL;
  g_autoptr(GrApiError) error = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonNode) body_node = NULL;

  upstream = gr_provider_anthropic_ops.build_request (&test_provider, json_node_get_object (request),
                                                      &stream_ctx, &error);
  g_assert_null (error);
  g_assert_nonnull (upstream);

  g_assert_cmpstr (upstream->url, ==, "https://api.anthropic.com/v1/messages");
  g_assert_true (has_header (upstream, "x-api-key: sk-ant-test-key"));
  g_assert_true (has_header (upstream, "anthropic-version: 2023-06-01"));
  g_assert_true (has_header (upstream, "content-type: application/json"));
  g_assert_true (has_header (upstream, "accept: text/event-stream"));
  g_assert_cmpuint (upstream->headers->len, ==, 4);

  body = body_of (upstream);
  body_node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (body_node, body);
  assert_json_equal (body_node, expected);
}

static void
test_request_headers_plain (void)
{
  GrProviderInfo provider = test_provider;
  g_autoptr(JsonNode) request = parse_json ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
  g_autoptr(GrUpstreamRequest) upstream = NULL;
  g_autoptr(GrApiError) error = NULL;
  g_autoptr(JsonObject) body = NULL;

  provider.base_url = (char *) "http://127.0.0.1:9999/";
  upstream = gr_provider_anthropic_ops.build_request (&provider, json_node_get_object (request), &plain_ctx, &error);
  g_assert_nonnull (upstream);
  g_assert_cmpstr (upstream->url, ==, "http://127.0.0.1:9999/v1/messages");
  g_assert_false (has_header (upstream, "accept: text/event-stream"));
  body = body_of (upstream);
  g_assert_false (json_object_has_member (body, "stream"));
  g_assert_cmpstr (json_object_get_string_member (body, "model"), ==, "claude-sonnet-4-5");
}

static void
test_request_merged_roles (void)
{
  g_autoptr(JsonObject) body = translate_ok (
    "{\"model\":\"m\",\"messages\":["
    "{\"role\":\"user\",\"content\":\"one\",\"name\":\"alice\"},"
    "{\"role\":\"system\",\"content\":[{\"type\":\"text\",\"text\":\"late \"},{\"type\":\"text\",\"text\":\"system\"}]},"
    "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"two\"},{\"type\":\"text\",\"text\":\"\"}]},"
    "{\"role\":\"assistant\",\"content\":\"three\"},"
    "{\"role\":\"assistant\",\"content\":\"\"},"
    "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"four\"}]},"
    "{\"role\":\"user\",\"content\":\"five\"}]}");
  g_autofree char *messages = messages_json (body);
  g_autofree char *system = member_json (body, "system");

  g_assert_cmpstr (messages, ==,
                   "[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"one\"},{\"type\":\"text\",\"text\":\"two\"}]},"
                   "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"three\"},{\"type\":\"text\",\"text\":\"four\"}]},"
                   "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"five\"}]}]");
  g_assert_cmpstr (system, ==, "[{\"type\":\"text\",\"text\":\"late system\"}]");
}

static void
test_request_tool_result_then_user (void)
{
  g_autoptr(JsonObject) body = translate_ok (
    "{\"model\":\"m\",\"messages\":["
    "{\"role\":\"user\",\"content\":\"weather?\"},"
    "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
    "{\"id\":\"call.a:1\",\"type\":\"function\",\"function\":{\"name\":\"w\",\"arguments\":\"\"}},"
    "{\"id\":\"call_b\",\"type\":\"function\",\"function\":{\"name\":\"w\",\"arguments\":\"[1,2]\"}}]},"
    "{\"role\":\"tool\",\"tool_call_id\":\"call.a:1\",\"content\":[{\"type\":\"text\",\"text\":\"sun\"},{\"type\":\"text\",\"text\":\"ny\"}]},"
    "{\"role\":\"tool\",\"tool_call_id\":\"call_b\",\"content\":\"\"},"
    "{\"role\":\"user\",\"content\":\"Thanks! And tomorrow?\"}],"
    "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"w\"}}]}");
  g_autofree char *messages = messages_json (body);
  g_autofree char *tools = member_json (body, "tools");

  g_assert_cmpstr (messages, ==,
                   "[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"weather?\"}]},"
                   "{\"role\":\"assistant\",\"content\":["
                   "{\"type\":\"tool_use\",\"id\":\"call_a_1\",\"name\":\"w\",\"input\":{}},"
                   "{\"type\":\"tool_use\",\"id\":\"call_b\",\"name\":\"w\",\"input\":{\"value\":[1,2]}}]},"
                   "{\"role\":\"user\",\"content\":["
                   "{\"type\":\"tool_result\",\"tool_use_id\":\"call_a_1\",\"content\":\"sunny\"},"
                   "{\"type\":\"tool_result\",\"tool_use_id\":\"call_b\"},"
                   "{\"type\":\"text\",\"text\":\"Thanks! And tomorrow?\"}]}]");
  /* A tool without parameters still gets an object schema. */
  g_assert_cmpstr (tools, ==,
                   "[{\"name\":\"w\",\"input_schema\":{\"type\":\"object\",\"properties\":{}}}]");
  g_assert_false (json_object_has_member (body, "tool_choice"));
}

static void
test_request_images (void)
{
  g_autoptr(JsonObject) body = translate_ok (
    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":["
    "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/jpg;base64,/9j/\\n4AAQ\",\"detail\":\"high\"}},"
    "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/cat.webp\"}},"
    "{\"type\":\"file\",\"file\":{\"filename\":\"a.pdf\",\"file_data\":\"data:application/pdf;base64,JVBERi0=\"}},"
    "{\"type\":\"text\",\"text\":\"what is this?\"}]}]}");
  g_autofree char *messages = messages_json (body);

  g_assert_cmpstr (messages, ==,
                   "[{\"role\":\"user\",\"content\":["
                   "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/jpeg\",\"data\":\"/9j/4AAQ\"}},"
                   "{\"type\":\"image\",\"source\":{\"type\":\"url\",\"url\":\"https://example.com/cat.webp\"}},"
                   "{\"type\":\"document\",\"source\":{\"type\":\"base64\",\"media_type\":\"application/pdf\",\"data\":\"JVBERi0=\"}},"
                   "{\"type\":\"text\",\"text\":\"what is this?\"}]}]");
}

static void
test_request_image_rejections (void)
{
  assert_rejected ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":["
                   "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/bmp;base64,Qk0=\"}}]}]}",
                   "unsupported_parameter", "messages[0].content[0]");
  assert_rejected ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":["
                   "{\"type\":\"text\",\"text\":\"x\"},"
                   "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png,rawbytes\"}}]}]}",
                   "invalid_value", "messages[0].content[1]");
  assert_rejected ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":["
                   "{\"type\":\"image_url\",\"image_url\":{\"url\":\"http://example.com/a.png\"}}]}]}",
                   "unsupported_parameter", "messages[0].content[0]");
  assert_rejected ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":["
                   "{\"type\":\"text\",\"text\":\"listen\"},"
                   "{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"AAAA\",\"format\":\"wav\"}}]}]}",
                   "unsupported_parameter", "messages[0].content[1]");
}

#define TOOLS_JSON \
  "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}," \
  "\"strict\":true}},{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}}]"
#define USER_HI "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]"

static char *
tool_choice_for (const char *extra)
{
  g_autofree char *request = g_strdup_printf ("{\"model\":\"m\"," USER_HI "," TOOLS_JSON "%s}", extra);
  g_autoptr(JsonObject) body = translate_ok (request);
  g_autofree char *tools = member_json (body, "tools");

  /* strict is OpenAI-only and must not reach Anthropic. */
  g_assert_null (strstr (tools, "strict"));
  return member_json (body, "tool_choice");
}

static void
test_request_tool_choice (void)
{
  struct
  {
    const char *extra;
    const char *expected;
  } cases[] = {
    { "", NULL },
    { ",\"tool_choice\":\"auto\"", "{\"type\":\"auto\"}" },
    { ",\"tool_choice\":\"none\"", "{\"type\":\"none\"}" },
    { ",\"tool_choice\":\"required\"", "{\"type\":\"any\"}" },
    { ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}}",
      "{\"type\":\"tool\",\"name\":\"get_time\"}" },
    { ",\"parallel_tool_calls\":false", "{\"type\":\"auto\",\"disable_parallel_tool_use\":true}" },
    { ",\"parallel_tool_calls\":true", NULL },
    { ",\"tool_choice\":\"required\",\"parallel_tool_calls\":false",
      "{\"type\":\"any\",\"disable_parallel_tool_use\":true}" },
    { ",\"tool_choice\":\"none\",\"parallel_tool_calls\":false", "{\"type\":\"none\"}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *choice = tool_choice_for (cases[i].extra);

      g_assert_cmpstr (choice, ==, cases[i].expected);
    }

  assert_rejected ("{\"model\":\"m\"," USER_HI "," TOOLS_JSON
                   ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"launch\"}}}",
                   "invalid_value", "tool_choice");
  assert_rejected ("{\"model\":\"m\"," USER_HI
                   ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}}}",
                   "invalid_value", "tool_choice");
  assert_rejected ("{\"model\":\"m\"," USER_HI "," TOOLS_JSON ",\"tool_choice\":{\"type\":\"allowed_tools\"}}",
                   "unsupported_parameter", "tool_choice");
  assert_rejected ("{\"model\":\"m\"," USER_HI ",\"tools\":[{\"type\":\"custom\",\"custom\":{\"name\":\"x\"}}]}",
                   "unsupported_parameter", "tools[0]");
}

static void
test_request_max_tokens (void)
{
  GrTranslateContext ctx = plain_ctx;
  GrApiError *error = NULL;
  g_autoptr(JsonObject) fallback = translate_ok ("{\"model\":\"m\"," USER_HI "}");
  g_autoptr(JsonObject) legacy = translate_ok ("{\"model\":\"m\"," USER_HI ",\"max_tokens\":300}");
  g_autoptr(JsonObject) both = translate_ok ("{\"model\":\"m\"," USER_HI ",\"max_tokens\":300,\"max_completion_tokens\":700}");
  g_autoptr(JsonObject) registry = NULL;

  g_assert_cmpint (json_object_get_int_member (fallback, "max_tokens"), ==, 8192);
  g_assert_cmpint (json_object_get_int_member (legacy, "max_tokens"), ==, 300);
  g_assert_cmpint (json_object_get_int_member (both, "max_tokens"), ==, 700);

  ctx.default_max_tokens = 64000;
  registry = translate ("{\"model\":\"m\"," USER_HI "}", &ctx, &error);
  g_assert_null (error);
  g_assert_cmpint (json_object_get_int_member (registry, "max_tokens"), ==, 64000);

  assert_rejected ("{\"model\":\"m\"," USER_HI ",\"max_tokens\":0}", "invalid_value", "max_tokens");
  assert_rejected ("{\"model\":\"m\"," USER_HI ",\"max_completion_tokens\":\"9\"}", "invalid_value",
                   "max_completion_tokens");
}

static void
test_request_parameters (void)
{
  g_autoptr(JsonObject) body = translate_ok (
    "{\"model\":\"anthropic/x\"," USER_HI ",\"temperature\":1.7,\"top_p\":0.9,\"stop\":\"END\","
    "\"safety_identifier\":\"sid-1\",\"seed\":7,\"presence_penalty\":0.5,\"frequency_penalty\":0.1,"
    "\"logit_bias\":{\"50256\":-100},\"store\":true,\"metadata\":{\"a\":\"b\"},\"service_tier\":\"auto\","
    "\"stream_options\":{\"include_usage\":true},\"modalities\":[\"text\"],\"prediction\":null,"
    "\"verbosity\":\"low\",\"prompt_cache_key\":\"k\",\"web_search_options\":{},\"n\":1,\"logprobs\":false,"
    "\"response_format\":{\"type\":\"json_object\"}}");
  static const char *const allowed[] = {
    "model", "max_tokens", "system", "messages", "temperature", "top_p", "stop_sequences", "metadata",
  };
  g_autoptr(GList) members = json_object_get_members (body);
  g_autofree char *system = member_json (body, "system");
  g_autofree char *metadata = member_json (body, "metadata");
  g_autofree char *stop = member_json (body, "stop_sequences");

  /* Only whitelisted fields reach Anthropic. */
  for (GList *l = members; l != NULL; l = l->next)
    g_assert_true (g_strv_contains (allowed, l->data));
  g_assert_cmpuint (g_list_length (members), ==, G_N_ELEMENTS (allowed));

  g_assert_cmpfloat (json_object_get_double_member (body, "temperature"), ==, 1.0);
  g_assert_cmpfloat (json_object_get_double_member (body, "top_p"), ==, 0.9);
  g_assert_cmpstr (stop, ==, "[\"END\"]");
  g_assert_cmpstr (metadata, ==, "{\"user_id\":\"sid-1\"}");
  g_assert_cmpstr (system, ==, "[{\"type\":\"text\",\"text\":\"Respond with a single valid JSON object.\"}]");
}

static void
test_request_json_schema (void)
{
  g_autoptr(JsonObject) body = translate_ok (
    "{\"model\":\"m\"," USER_HI ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":"
    "{\"name\":\"answer\",\"strict\":true,\"schema\":{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}}}}");
  g_autofree char *config = member_json (body, "output_config");

  g_assert_cmpstr (config, ==,
                   "{\"format\":{\"type\":\"json_schema\",\"schema\":{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}}}");
  g_assert_false (json_object_has_member (body, "system"));
  assert_rejected ("{\"model\":\"m\"," USER_HI ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\"}}}",
                   "missing_field", "response_format.json_schema.schema");
}

static void
test_request_reasoning (void)
{
  g_autoptr(JsonObject) high = translate_ok ("{\"model\":\"m\"," USER_HI ",\"reasoning_effort\":\"high\",\"temperature\":0.2,\"max_tokens\":32000}");
  g_autoptr(JsonObject) capped = translate_ok ("{\"model\":\"m\"," USER_HI ",\"reasoning_effort\":\"high\",\"max_tokens\":3000}");
  g_autoptr(JsonObject) defaulted = translate_ok ("{\"model\":\"m\"," USER_HI ",\"reasoning_effort\":\"medium\"}");
  g_autoptr(JsonObject) tiny = translate_ok ("{\"model\":\"m\"," USER_HI ",\"reasoning_effort\":\"low\",\"max_tokens\":2000}");
  g_autoptr(JsonObject) none = translate_ok ("{\"model\":\"m\"," USER_HI ",\"reasoning_effort\":\"none\"}");
  g_autoptr(JsonObject) with_tools = translate_ok (
    "{\"model\":\"m\",\"reasoning_effort\":\"medium\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"},"
    "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
    "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"ok\"}]}");
  g_autofree char *thinking = member_json (high, "thinking");
  g_autofree char *capped_thinking = member_json (capped, "thinking");
  g_autofree char *defaulted_thinking = member_json (defaulted, "thinking");

  g_assert_cmpstr (thinking, ==, "{\"type\":\"enabled\",\"budget_tokens\":16384}");
  /* Anthropic rejects a temperature other than 1 with thinking. */
  g_assert_false (json_object_has_member (high, "temperature"));
  /* The budget leaves at least 1024 tokens of max_tokens for the answer. */
  g_assert_cmpstr (capped_thinking, ==, "{\"type\":\"enabled\",\"budget_tokens\":1976}");
  g_assert_cmpstr (defaulted_thinking, ==, "{\"type\":\"enabled\",\"budget_tokens\":4096}");
  g_assert_false (json_object_has_member (tiny, "thinking"));
  g_assert_false (json_object_has_member (none, "thinking"));
  g_assert_false (json_object_has_member (with_tools, "thinking"));
}

/* Fuzz finding request-anthropic-invalid-utf8: json-glib reads GScanner's
 * octal escapes, so the ASCII body "stop":["\333…"] became a stop
 * sequence holding the lone byte 0xDB, and the translated upstream body
 * was invalid UTF-8 that Anthropic (and json-glib) refuse.  The gateway's
 * loader must refuse non-JSON escapes before a translator sees them; the
 * same character spelled as JSON ("\u00db") translates to valid UTF-8. */
static void
test_request_non_json_escapes (void)
{
  static const char *refused[] = {
    "{\"model\":\"m\"," USER_HI ",\"stop\":[\"\\333n\"]}",
    "{\"model\":\"m\"," USER_HI ",\"stop\":[\"a\\0b\"]}",
    "{\"model\":\"m\"," USER_HI ",\"stop\":[\"\\q\"]}",
    "{\"model\":\"m\"," USER_HI ",\"stop\":[\"\\x41\"]}",
    "{\"model\":\"m\"," USER_HI ",\"stop\":[\"\\'\"]}",
  };
  const char *accepted = "{\"model\":\"m\"," USER_HI ",\"stop\":[\"\\u00dbn\\/\\b\\f\\n\\r\\t\\\"\\\\\"]}";
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GrUpstreamRequest) upstream = NULL;
  g_autoptr(GrApiError) api_error = NULL;
  gsize len = 0;
  const char *body;

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(JsonParser) p = json_parser_new_immutable ();
      g_autoptr(GError) e = NULL;

      g_assert_false (gr_json_parser_load (p, refused[i], strlen (refused[i]), &e));
      g_assert_error (e, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE);
    }

  g_assert_true (gr_json_parser_load (parser, accepted, strlen (accepted), &error));
  g_assert_no_error (error);
  upstream = gr_provider_anthropic_ops.build_request (&test_provider,
                                                      json_node_get_object (json_parser_get_root (parser)),
                                                      &plain_ctx, &api_error);
  g_assert_nonnull (upstream);
  body = g_bytes_get_data (upstream->body, &len);
  g_assert_true (g_utf8_validate_len (body, len, NULL));
  g_assert_nonnull (g_strstr_len (body, len, "\"stop_sequences\":[\"\xc3\x9bn/\\b\\f\\n\\r\\t\\\"\\\\\"]"));
}

static void
test_request_rejections (void)
{
  assert_rejected ("{\"model\":\"m\"," USER_HI ",\"n\":2}", "unsupported_parameter", "n");
  assert_rejected ("{\"model\":\"m\"," USER_HI ",\"logprobs\":true}", "unsupported_parameter", "logprobs");
  assert_rejected ("{\"model\":\"m\"," USER_HI ",\"top_logprobs\":3}", "unsupported_parameter", "top_logprobs");
  assert_rejected ("{\"model\":\"m\"," USER_HI ",\"audio\":{\"voice\":\"alloy\"}}", "unsupported_parameter", "audio");
  assert_rejected ("{\"model\":\"m\"}", "missing_field", "messages");
  assert_rejected ("{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"only\"}]}",
                   "invalid_value", "messages");
  assert_rejected ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"\"}]}",
                   "invalid_value", "messages[0].content");
  assert_rejected ("{\"model\":\"m\",\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}",
                   "invalid_value", "messages[0].role");
  assert_rejected ("{\"model\":\"m\"," USER_HI ",\"temperature\":\"hot\"}", "invalid_value", "temperature");

  /* Invalid JSON in tool arguments. */
  assert_rejected ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"},"
                   "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c0\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}},"
                   "{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\":\"}}]}]}",
                   "invalid_value", "messages[1].tool_calls[1].function.arguments");
  /* A tool_use without its tool_result, followed by a user message… */
  assert_rejected ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"},"
                   "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}},"
                   "{\"id\":\"c2\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
                   "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"ok\"},"
                   "{\"role\":\"user\",\"content\":\"b\"}]}",
                   "invalid_value", "messages[1].tool_calls[1].id");
  /* …or ending the conversation. */
  assert_rejected ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"},"
                   "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}]}",
                   "invalid_value", "messages[1].tool_calls[0].id");
  /* A tool message answering nothing. */
  assert_rejected ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"},"
                   "{\"role\":\"tool\",\"tool_call_id\":\"c9\",\"content\":\"ok\"}]}",
                   "invalid_value", "messages[1].tool_call_id");
}

/* ------------------------------------------------------------------------
 * translate_response
 * ------------------------------------------------------------------------ */

static JsonNode *
translate_body (const char *json,
                GrUsage    *usage,
                GrApiError **error)
{
  g_autoptr(JsonNode) body = parse_json (json);

  return gr_provider_anthropic_ops.translate_response (&test_provider, body, &plain_ctx, usage, error);
}

/* created is the gateway's clock; check it, then pin it for comparison. */
static void
check_and_pin_created (JsonObject *obj,
                       gint64      pinned)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 created = json_object_get_int_member (obj, "created");

  g_assert_cmpint (created, >=, now - 5);
  g_assert_cmpint (created, <=, now + 1);
  json_object_set_int_member (obj, "created", pinned);
}

static void
test_response_tool (void)
{
  g_autofree char *text = load_fixture ("wire", "anthropic-response-tool.json", NULL);
  g_autoptr(JsonNode) expected = load_json ("gateway-from-anthropic-response-tool.json");
  g_autoptr(GrApiError) error = NULL;
  g_autoptr(JsonNode) actual = NULL;
  GrUsage usage;

  actual = translate_body (text, &usage, &error);
  g_assert_null (error);
  check_and_pin_created (json_node_get_object (actual), 1755800000);
  assert_json_equal (actual, expected);

  g_assert_true (usage.known);
  g_assert_cmpint (usage.prompt_tokens, ==, 412);
  g_assert_cmpint (usage.completion_tokens, ==, 58);
}

static void
test_response_text_cached (void)
{
  g_autofree char *text = load_fixture ("wire", "anthropic-response.json", NULL);
  g_autoptr(GrApiError) error = NULL;
  g_autoptr(JsonNode) actual = NULL;
  g_autofree char *usage_json = NULL;
  JsonObject *completion;
  JsonObject *message;
  GrUsage usage;

  actual = translate_body (text, &usage, &error);
  g_assert_null (error);
  completion = json_node_get_object (actual);
  g_assert_cmpstr (json_object_get_string_member (completion, "id"), ==, "chatcmpl-msg_01Bq8RtYv3NcX6wZk2LpF9sD");
  g_assert_cmpstr (json_object_get_string_member (completion, "model"), ==, "anthropic/claude-sonnet-4-5");
  g_assert_cmpstr (json_object_get_string_member (completion, "object"), ==, "chat.completion");
  message = json_object_get_object_member (json_array_get_object_element (
                                             json_object_get_array_member (completion, "choices"), 0), "message");
  g_assert_cmpstr (json_object_get_string_member (message, "content"), ==,
                   "Yes. Light rain is expected in Paris until about 17:00, so take an umbrella.");
  g_assert_false (json_object_has_member (message, "tool_calls"));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                     json_object_get_array_member (completion, "choices"), 0), "finish_reason"), ==, "stop");

  usage_json = member_json (completion, "usage");
  g_assert_cmpstr (usage_json, ==,
                   "{\"prompt_tokens\":1062,\"completion_tokens\":24,\"total_tokens\":1086,"
                   "\"prompt_tokens_details\":{\"cached_tokens\":1024,\"cache_write_tokens\":0},"
                   "\"completion_tokens_details\":{\"reasoning_tokens\":0}}");
  g_assert_cmpint (usage.prompt_tokens, ==, 1062);
  g_assert_cmpint (usage.cached_tokens, ==, 1024);
  g_assert_cmpint (usage.cache_write_tokens, ==, 0);
}

static void
test_response_variants (void)
{
  struct
  {
    const char *body;
    const char *message;
    const char *finish_reason;
  } cases[] = {
    /* Thinking dropped, reasoning tokens and cache writes kept in usage. */
    { "{\"id\":\"msg_1\",\"type\":\"message\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"hm\",\"signature\":\"s\"},"
      "{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"text\",\"text\":\"b\"}],\"stop_reason\":\"max_tokens\","
      "\"usage\":{\"input_tokens\":5,\"cache_creation_input_tokens\":7,\"output_tokens\":9,"
      "\"output_tokens_details\":{\"thinking_tokens\":4}}}",
      "{\"role\":\"assistant\",\"content\":\"ab\",\"refusal\":null}", "length" },
    /* Only tool calls: content null. */
    { "{\"id\":\"msg_2\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"t\",\"input\":{}}],"
      "\"stop_reason\":\"tool_use\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}",
      "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"toolu_1\",\"type\":\"function\","
      "\"function\":{\"name\":\"t\",\"arguments\":\"{}\"}}],\"refusal\":null}", "tool_calls" },
    /* Nothing at all: empty string. */
    { "{\"id\":\"msg_3\",\"content\":[],\"stop_reason\":\"refusal\",\"usage\":{\"input_tokens\":1,\"output_tokens\":0}}",
      "{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}", "content_filter" },
    { "{\"id\":\"msg_4\",\"content\":[{\"type\":\"text\",\"text\":\"x\"}],\"stop_reason\":\"model_context_window_exceeded\"}",
      "{\"role\":\"assistant\",\"content\":\"x\",\"refusal\":null}", "length" },
    { "{\"id\":\"msg_5\",\"content\":[{\"type\":\"text\",\"text\":\"x\"}],\"stop_reason\":\"pause_turn\"}",
      "{\"role\":\"assistant\",\"content\":\"x\",\"refusal\":null}", "stop" },
    { "{\"id\":\"msg_6\",\"content\":[{\"type\":\"text\",\"text\":\"x\"}],\"stop_reason\":\"brand_new_reason\"}",
      "{\"role\":\"assistant\",\"content\":\"x\",\"refusal\":null}", "stop" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GrApiError) error = NULL;
      g_autoptr(JsonNode) actual = NULL;
      g_autofree char *message = NULL;
      JsonObject *choice;
      GrUsage usage;

      actual = translate_body (cases[i].body, &usage, &error);
      g_assert_null (error);
      choice = json_array_get_object_element (json_object_get_array_member (json_node_get_object (actual), "choices"), 0);
      message = member_json (choice, "message");
      g_assert_cmpstr (message, ==, cases[i].message);
      g_assert_cmpstr (json_object_get_string_member (choice, "finish_reason"), ==, cases[i].finish_reason);
      if (i == 0)
        {
          g_assert_cmpint (usage.prompt_tokens, ==, 12);
          g_assert_cmpint (usage.cache_write_tokens, ==, 7);
          g_assert_cmpint (usage.reasoning_tokens, ==, 4);
        }
      /* Without usage from upstream, none is invented. */
      g_assert_true (json_object_has_member (json_node_get_object (actual), "usage") == (i < 3));
      g_assert_true (usage.known == (i < 3));
    }
}

static void
test_response_garbage (void)
{
  static const char *const bodies[] = {
    "[1,2,3]",
    "\"text\"",
    "{\"type\":\"message\"}",
    "{\"content\":\"not an array\"}",
    "{\"content\":[{\"type\":\"tool_use\"}]}",
    "{\"content\":[42]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GrApiError) error = NULL;
      JsonNode *actual;
      GrUsage usage;

      actual = translate_body (bodies[i], &usage, &error);
      g_assert_null (actual);
      g_assert_nonnull (error);
      g_assert_cmpint (error->status, ==, 502);
      g_assert_cmpstr (error->type, ==, "upstream_error");
      g_assert_cmpstr (error->code, ==, "upstream_error");
    }
}

/* ------------------------------------------------------------------------
 * map_error
 * ------------------------------------------------------------------------ */

static GrApiError *
map_fixture (const char *name,
             int         status)
{
  gsize len = 0;
  g_autofree char *body = load_fixture ("wire", name, &len);

  return gr_provider_anthropic_ops.map_error (&test_provider, status, body, len);
}

static void
test_errors_fixtures (void)
{
  g_autoptr(GrApiError) e400 = map_fixture ("anthropic-error-400.json", 400);
  g_autoptr(GrApiError) e401 = map_fixture ("anthropic-error-401.json", 401);
  g_autoptr(GrApiError) e529 = map_fixture ("anthropic-error-529.json", 529);
  g_autoptr(JsonNode) expected = load_json ("gateway-error-upstream-overloaded.json");
  g_autoptr(JsonNode) actual = NULL;
  g_autofree char *json = NULL;

  g_assert_cmpint (e400->status, ==, 400);
  g_assert_cmpstr (e400->type, ==, "invalid_request_error");
  g_assert_null (e400->code);
  g_assert_true (g_str_has_prefix (e400->message, "anthropic: messages.2: Did not find 1 tool_result block(s)"));

  g_assert_cmpint (e401->status, ==, 502);
  g_assert_cmpstr (e401->type, ==, "upstream_error");
  g_assert_cmpstr (e401->code, ==, "upstream_auth_failed");
  g_assert_nonnull (strstr (e401->message, "invalid x-api-key"));

  g_assert_cmpint (e529->status, ==, 503);
  g_assert_cmpstr (e529->type, ==, "upstream_error");
  g_assert_cmpstr (e529->code, ==, "upstream_overloaded");
  json = gr_api_error_to_json (e529);
  actual = parse_json (json);
  assert_json_equal (actual, expected);
}

static void
test_errors_inline (void)
{
  struct
  {
    int         status;
    const char *body;
    int         expected_status;
    const char *type;
    const char *code;
  } cases[] = {
    { 429, "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow down\"}}",
      429, "rate_limit_error", "upstream_rate_limited" },
    { 402, "{\"type\":\"error\",\"error\":{\"type\":\"billing_error\",\"message\":\"no credit\"}}",
      402, "insufficient_quota", "upstream_insufficient_credit" },
    { 403, "{\"type\":\"error\",\"error\":{\"type\":\"permission_error\",\"message\":\"no\"}}",
      502, "upstream_error", "upstream_auth_failed" },
    { 404, "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"model: x\"}}",
      404, "invalid_request_error", "not_found_error" },
    { 413, "{\"type\":\"error\",\"error\":{\"type\":\"request_too_large\",\"message\":\"big\"}}",
      413, "invalid_request_error", "request_too_large" },
    { 500, "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"oops\"}}",
      502, "upstream_error", "upstream_error" },
    { 504, "{\"type\":\"error\",\"error\":{\"type\":\"timeout_error\",\"message\":\"late\"}}",
      504, "timeout_error", "upstream_timeout" },
    /* Overload is recognised by type too, whatever the status. */
    { 500, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}",
      503, "upstream_error", "upstream_overloaded" },
    /* Unparseable bodies still give a clean error. */
    { 502, "<html><body>Bad gateway</body></html>", 502, "upstream_error", "upstream_error" },
    { 400, "", 400, "invalid_request_error", NULL },
    { 529, "{\"error\":\"just a string\"}", 503, "upstream_error", "upstream_overloaded" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GrApiError) error = gr_provider_anthropic_ops.map_error (&test_provider, cases[i].status,
                                                                         cases[i].body, strlen (cases[i].body));

      g_assert_cmpint (error->status, ==, cases[i].expected_status);
      g_assert_cmpstr (error->type, ==, cases[i].type);
      g_assert_cmpstr (error->code, ==, cases[i].code);
      g_assert_true (g_str_has_prefix (error->message, "anthropic: "));
      g_assert_cmpuint (strlen (error->message), >, strlen ("anthropic: "));
    }
}

/* ------------------------------------------------------------------------
 * Streaming
 * ------------------------------------------------------------------------ */

/* A minimal SSE splitter (wire-formats section 1): lines end with \n, \r\n
 * or \r, "data:" lines are joined with \n, comments are skipped, a blank
 * line dispatches the event.  Bytes may arrive split anywhere. */
typedef struct
{
  GString       *pending;   /* bytes not yet forming a whole line */
  GString       *data;
  char          *event;
  gboolean       has_data;
  GrStreamState *state;
  GString       *out;
  guint          n_events;
} TestSse;

static void
test_sse_dispatch (TestSse *sse)
{
  if (sse->has_data)
    {
      gr_provider_anthropic_ops.stream_event (sse->state, sse->event, sse->data->str, sse->data->len, sse->out);
      sse->n_events++;
    }
  g_string_truncate (sse->data, 0);
  g_clear_pointer (&sse->event, g_free);
  sse->has_data = FALSE;
}

static void
test_sse_line (TestSse    *sse,
               const char *line)
{
  const char *value;

  if (*line == '\0')
    {
      test_sse_dispatch (sse);
      return;
    }
  if (*line == ':')
    return;
  value = strchr (line, ':');
  value = value != NULL ? value + 1 : line + strlen (line);
  if (*value == ' ')
    value++;
  if (g_str_has_prefix (line, "data:"))
    {
      if (sse->has_data)
        g_string_append_c (sse->data, '\n');
      g_string_append (sse->data, value);
      sse->has_data = TRUE;
    }
  else if (g_str_has_prefix (line, "event:"))
    {
      g_free (sse->event);
      sse->event = g_strdup (value);
    }
}

static void
test_sse_feed (TestSse    *sse,
               const char *bytes,
               gsize       len)
{
  gsize start = 0;

  g_string_append_len (sse->pending, bytes, len);
  for (gsize i = 0; i < sse->pending->len; i++)
    {
      char c = sse->pending->str[i];
      g_autofree char *line = NULL;

      if (c != '\n' && c != '\r')
        continue;
      /* A trailing \r may be the first half of \r\n: wait for more. */
      if (c == '\r' && i + 1 == sse->pending->len)
        break;
      line = g_strndup (sse->pending->str + start, i - start);
      if (c == '\r' && sse->pending->str[i + 1] == '\n')
        i++;
      start = i + 1;
      test_sse_line (sse, line);
    }
  g_string_erase (sse->pending, 0, start);
}

static void
feed_string (TestSse    *sse,
             const char *text)
{
  test_sse_feed (sse, text, strlen (text));
}

static void
test_sse_init (TestSse                  *sse,
               const GrTranslateContext *ctx)
{
  memset (sse, 0, sizeof *sse);
  sse->pending = g_string_new (NULL);
  sse->data = g_string_new (NULL);
  sse->out = g_string_new (NULL);
  sse->state = gr_provider_anthropic_ops.stream_new (&test_provider, ctx);
}

static void
test_sse_clear (TestSse *sse)
{
  g_string_free (sse->pending, TRUE);
  g_string_free (sse->data, TRUE);
  g_string_free (sse->out, TRUE);
  g_free (sse->event);
  gr_provider_anthropic_ops.stream_free (sse->state);
}

/* Feeds the raw stream cut at the given offsets (sorted, may be empty). */
static char *
run_stream_split (const char               *bytes,
                  gsize                     len,
                  const GrTranslateContext *ctx,
                  const gsize              *cuts,
                  guint                     n_cuts,
                  gboolean                  end)
{
  TestSse sse;
  gsize from = 0;
  char *result;

  test_sse_init (&sse, ctx);
  for (guint k = 0; k <= n_cuts; k++)
    {
      gsize to = k < n_cuts ? cuts[k] : len;

      test_sse_feed (&sse, bytes + from, to - from);
      from = to;
    }
  if (end)
    gr_provider_anthropic_ops.stream_end (sse.state, sse.out);
  g_assert_true (gr_provider_anthropic_ops.stream_finished (sse.state));
  result = g_strdup (sse.out->str);
  test_sse_clear (&sse);
  return result;
}

/* The data payloads of our own output, "created" pinned so outputs from
 * different seconds compare equal; checks the per-stream invariants. */
static GPtrArray *
parse_output (const char *text,
              gint64      pinned_created)
{
  g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_auto(GStrv) events = g_strsplit (text, "\n\n", -1);
  g_autofree char *id = NULL;
  gint64 created = -1;

  for (guint i = 0; events[i] != NULL; i++)
    {
      JsonNode *node;
      JsonObject *obj;

      if (*events[i] == '\0')
        continue;
      g_assert_true (g_str_has_prefix (events[i], "data: "));
      g_assert_null (strchr (events[i], '\n'));
      if (g_str_equal (events[i], "data: [DONE]"))
        {
          /* [DONE] is always last. */
          g_assert_true (events[i + 1] == NULL || *events[i + 1] == '\0');
          node = json_node_new (JSON_NODE_NULL);
          g_ptr_array_add (payloads, node);
          continue;
        }
      node = parse_json (events[i] + strlen ("data: "));
      obj = json_node_get_object (node);
      if (json_object_has_member (obj, "id"))
        {
          if (id == NULL)
            id = g_strdup (json_object_get_string_member (obj, "id"));
          g_assert_cmpstr (json_object_get_string_member (obj, "id"), ==, id);
          if (created < 0)
            created = json_object_get_int_member (obj, "created");
          g_assert_cmpint (json_object_get_int_member (obj, "created"), ==, created);
          json_object_set_int_member (obj, "created", pinned_created);
        }
      g_ptr_array_add (payloads, node);
    }
  return g_steal_pointer (&payloads);
}

static void
assert_outputs_equal (GPtrArray *actual,
                      GPtrArray *expected)
{
  g_assert_cmpuint (actual->len, ==, expected->len);
  for (guint i = 0; i < actual->len; i++)
    assert_json_equal (g_ptr_array_index (actual, i), g_ptr_array_index (expected, i));
}

static void
test_stream_tool_fixture (void)
{
  gsize len = 0;
  g_autofree char *raw = load_fixture ("wire", "anthropic-stream-tool.sse", &len);
  g_autofree char *expected_text = load_fixture ("wire", "gateway-from-anthropic-stream-tool.sse", NULL);
  g_autofree char *whole = run_stream_split (raw, len, &stream_ctx, NULL, 0, TRUE);
  g_autoptr(GPtrArray) actual = parse_output (whole, 1755800000);
  g_autoptr(GPtrArray) expected = parse_output (expected_text, 1755800000);
  TestSse sse;
  GrUsage usage;

  assert_outputs_equal (actual, expected);

  /* The state answers the gateway's questions afterwards. */
  test_sse_init (&sse, &stream_ctx);
  test_sse_feed (&sse, raw, len);
  g_assert_true (gr_provider_anthropic_ops.stream_finished (sse.state));
  g_assert_cmpstr (gr_provider_anthropic_ops.stream_finish_reason (sse.state), ==, "tool_calls");
  g_assert_null (gr_provider_anthropic_ops.stream_error (sse.state));
  gr_provider_anthropic_ops.stream_usage (sse.state, &usage);
  g_assert_true (usage.known);
  g_assert_cmpint (usage.prompt_tokens, ==, 412);
  g_assert_cmpint (usage.completion_tokens, ==, 58);
  /* Ping and the other events were all seen, ping produced nothing. */
  g_assert_cmpuint (sse.n_events, ==, 14);
  /* stream_end after a proper end adds nothing. */
  g_string_truncate (sse.out, 0);
  gr_provider_anthropic_ops.stream_end (sse.state, sse.out);
  g_assert_cmpuint (sse.out->len, ==, 0);
  test_sse_clear (&sse);
}

/* Every two-piece split, and a byte-by-byte feed, give the same output as
 * the whole buffer. */
static void
assert_split_invariant (const char               *fixture_dir,
                        const char               *name,
                        const GrTranslateContext *ctx)
{
  gsize len = 0;
  g_autofree char *raw = load_fixture (fixture_dir, name, &len);
  g_autofree char *whole = run_stream_split (raw, len, ctx, NULL, 0, TRUE);
  g_autoptr(GPtrArray) reference = parse_output (whole, 0);
  g_autofree gsize *every_byte = g_new (gsize, len);

  for (gsize cut = 1; cut < len; cut++)
    {
      g_autofree char *split = run_stream_split (raw, len, ctx, &cut, 1, TRUE);
      g_autoptr(GPtrArray) parsed = parse_output (split, 0);

      assert_outputs_equal (parsed, reference);
      if (g_test_failed ())
        {
          g_test_message ("%s differs when split at byte %" G_GSIZE_FORMAT, name, cut);
          return;
        }
    }

  for (gsize k = 0; k + 1 < len; k++)
    every_byte[k] = k + 1;
  {
    g_autofree char *bytewise = run_stream_split (raw, len, ctx, every_byte, len - 1, TRUE);
    g_autoptr(GPtrArray) parsed = parse_output (bytewise, 0);

    assert_outputs_equal (parsed, reference);
  }
}

static void
test_stream_split_everywhere (void)
{
  assert_split_invariant ("wire", "anthropic-stream-tool.sse", &stream_ctx);
  assert_split_invariant ("wire", "anthropic-stream-text.sse", &stream_ctx);
  assert_split_invariant ("wire", "anthropic-stream-error.sse", &stream_ctx);
  assert_split_invariant (NULL, "anthropic-stream-parallel-tools.sse", &stream_ctx);
}

/* Rebuilds what an OpenAI client would assemble from the chunks. */
typedef struct
{
  GString   *content;
  GPtrArray *ids;       /* by tool index */
  GPtrArray *names;
  GPtrArray *arguments; /* of GString */
  char      *finish_reason;
  JsonNode  *usage;
  guint      n_role;
} Assembled;

static void
assembled_clear (Assembled *a)
{
  g_string_free (a->content, TRUE);
  g_ptr_array_unref (a->ids);
  g_ptr_array_unref (a->names);
  g_ptr_array_unref (a->arguments);
  g_free (a->finish_reason);
  g_clear_pointer (&a->usage, json_node_unref);
}

static void
string_free (gpointer data)
{
  g_string_free (data, TRUE);
}

static void
assemble_tool_delta (Assembled  *a,
                     JsonObject *call)
{
  guint index = json_object_get_int_member (call, "index");
  JsonObject *function = json_object_get_object_member (call, "function");

  if (json_object_has_member (call, "id"))
    {
      /* A new call gets the next index, never a reused or skipped one. */
      g_assert_cmpuint (index, ==, a->ids->len);
      g_ptr_array_add (a->ids, g_strdup (json_object_get_string_member (call, "id")));
      g_ptr_array_add (a->names, g_strdup (json_object_get_string_member (function, "name")));
      g_ptr_array_add (a->arguments, g_string_new (NULL));
    }
  g_assert_cmpuint (index, <, a->arguments->len);
  g_string_append (g_ptr_array_index (a->arguments, index),
                   json_object_get_string_member (function, "arguments"));
}

static void
assemble (GPtrArray *payloads,
          Assembled *a)
{
  a->content = g_string_new (NULL);
  a->ids = g_ptr_array_new_with_free_func (g_free);
  a->names = g_ptr_array_new_with_free_func (g_free);
  a->arguments = g_ptr_array_new_with_free_func (string_free);
  a->finish_reason = NULL;
  a->usage = NULL;
  a->n_role = 0;

  for (guint i = 0; i < payloads->len; i++)
    {
      JsonNode *node = g_ptr_array_index (payloads, i);
      JsonObject *chunk = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonArray *choices = chunk != NULL ? json_object_get_array_member (chunk, "choices") : NULL;
      JsonObject *choice;
      JsonObject *delta;

      if (chunk == NULL || choices == NULL)
        continue;
      if (json_array_get_length (choices) == 0)
        {
          a->usage = json_node_copy (json_object_get_member (chunk, "usage"));
          continue;
        }
      choice = json_array_get_object_element (choices, 0);
      delta = json_object_get_object_member (choice, "delta");
      if (json_object_has_member (delta, "role"))
        {
          g_assert_cmpuint (i, ==, 0);
          a->n_role++;
        }
      if (json_object_has_member (delta, "content"))
        g_string_append (a->content, json_object_get_string_member (delta, "content"));
      if (json_object_has_member (delta, "tool_calls"))
        {
          JsonArray *calls = json_object_get_array_member (delta, "tool_calls");

          for (guint k = 0; k < json_array_get_length (calls); k++)
            assemble_tool_delta (a, json_array_get_object_element (calls, k));
        }
      if (!json_node_is_null (json_object_get_member (choice, "finish_reason")))
        {
          g_assert_null (a->finish_reason);
          a->finish_reason = g_strdup (json_object_get_string_member (choice, "finish_reason"));
        }
    }
}

static void
assert_arguments (Assembled  *a,
                  guint       index,
                  const char *expected_json)
{
  g_autoptr(JsonNode) actual = parse_json (((GString *) g_ptr_array_index (a->arguments, index))->str);
  g_autoptr(JsonNode) expected = parse_json (expected_json);

  assert_json_equal (actual, expected);
}

static void
test_stream_parallel_tools (void)
{
  gsize len = 0;
  g_autofree char *raw = load_fixture (NULL, "anthropic-stream-parallel-tools.sse", &len);
  g_autofree char *whole = run_stream_split (raw, len, &stream_ctx, NULL, 0, FALSE);
  g_autoptr(GPtrArray) payloads = parse_output (whole, 0);
  g_autoptr(JsonNode) expected_usage = parse_json (
    "{\"prompt_tokens\":2468,\"completion_tokens\":171,\"total_tokens\":2639,"
    "\"prompt_tokens_details\":{\"cached_tokens\":2048,\"cache_write_tokens\":300},"
    "\"completion_tokens_details\":{\"reasoning_tokens\":40}}");
  Assembled a;

  assemble (payloads, &a);
  g_assert_cmpuint (a.n_role, ==, 1);
  g_assert_cmpstr (a.content->str, ==, "Checking both cities — and the time.");
  /* Thinking never leaks into content. */
  g_assert_null (strstr (whole, "Three lookups"));
  g_assert_null (strstr (whole, "signature"));

  g_assert_cmpuint (a.ids->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (a.ids, 0), ==, "toolu_01ParisWx9kLmN2bV4cX6zQ8");
  g_assert_cmpstr (g_ptr_array_index (a.ids, 1), ==, "toolu_01OsloWx3jHgF5dS7aP9oI1u");
  g_assert_cmpstr (g_ptr_array_index (a.ids, 2), ==, "toolu_01TimeQw2eR4tY6uI8oP0aS2");
  g_assert_cmpstr (g_ptr_array_index (a.names, 2), ==, "get_time");
  assert_arguments (&a, 0, "{\"city\":\"Paris\",\"unit\":\"celsius\",\"notes\":\"Île-de-France \\\"centre\\\"\"}");
  assert_arguments (&a, 1, "{\"city\":\"Oslo\",\"unit\":\"celsius\",\"days\":[1,2,3]}");
  /* A tool that streamed no arguments still gets valid JSON. */
  assert_arguments (&a, 2, "{}");

  g_assert_cmpstr (a.finish_reason, ==, "tool_calls");
  g_assert_nonnull (a.usage);
  assert_json_equal (a.usage, expected_usage);
  g_assert_true (json_node_is_null (g_ptr_array_index (payloads, payloads->len - 1)));
  assembled_clear (&a);
}

static void
test_stream_thinking_text (void)
{
  gsize len = 0;
  g_autofree char *raw = load_fixture ("wire", "anthropic-stream-text.sse", &len);
  g_autofree char *whole = run_stream_split (raw, len, &stream_ctx, NULL, 0, FALSE);
  g_autoptr(GPtrArray) payloads = parse_output (whole, 0);
  g_autoptr(JsonNode) expected_usage = parse_json (
    "{\"prompt_tokens\":46,\"completion_tokens\":71,\"total_tokens\":117,"
    "\"prompt_tokens_details\":{\"cached_tokens\":0,\"cache_write_tokens\":0},"
    "\"completion_tokens_details\":{\"reasoning_tokens\":45}}");
  Assembled a;

  assemble (payloads, &a);
  g_assert_cmpstr (a.content->str, ==, "Yes. Light rain is expected in Paris until about 17:00, so take an umbrella.");
  g_assert_cmpuint (a.ids->len, ==, 0);
  g_assert_cmpstr (a.finish_reason, ==, "stop");
  assert_json_equal (a.usage, expected_usage);
  g_assert_null (strstr (whole, "The user asks"));
  assembled_clear (&a);
}

static void
test_stream_error (void)
{
  gsize len = 0;
  g_autofree char *raw = load_fixture ("wire", "anthropic-stream-error.sse", &len);
  g_autoptr(GPtrArray) payloads = NULL;
  JsonObject *error;
  const GrApiError *state_error;
  TestSse sse;

  test_sse_init (&sse, &stream_ctx);
  test_sse_feed (&sse, raw, len);
  g_assert_true (gr_provider_anthropic_ops.stream_finished (sse.state));
  state_error = gr_provider_anthropic_ops.stream_error (sse.state);
  g_assert_nonnull (state_error);
  g_assert_cmpint (state_error->status, ==, 503);
  g_assert_cmpstr (state_error->code, ==, "upstream_overloaded");

  payloads = parse_output (sse.out->str, 0);
  /* role chunk, "Light rain is", error, [DONE] */
  g_assert_cmpuint (payloads->len, ==, 4);
  error = json_object_get_object_member (json_node_get_object (g_ptr_array_index (payloads, 2)), "error");
  g_assert_cmpstr (json_object_get_string_member (error, "type"), ==, "upstream_error");
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "upstream_overloaded");
  g_assert_cmpstr (json_object_get_string_member (error, "message"), ==, "anthropic: Overloaded");
  g_assert_true (json_node_is_null (g_ptr_array_index (payloads, 3)));
  g_assert_null (gr_provider_anthropic_ops.stream_finish_reason (sse.state));

  /* Nothing more after the error, not even from stream_end. */
  g_string_truncate (sse.out, 0);
  feed_string (&sse, "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
  gr_provider_anthropic_ops.stream_end (sse.state, sse.out);
  g_assert_cmpuint (sse.out->len, ==, 0);
  test_sse_clear (&sse);

  /* A non-overload error maps to upstream_error. */
  test_sse_init (&sse, &stream_ctx);
  feed_string (&sse, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"boom\"}}\n\n");
  g_assert_cmpstr (gr_provider_anthropic_ops.stream_error (sse.state)->code, ==, "upstream_error");
  g_assert_cmpint (gr_provider_anthropic_ops.stream_error (sse.state)->status, ==, 502);
  g_assert_true (g_str_has_suffix (sse.out->str, "data: [DONE]\n\n"));
  test_sse_clear (&sse);
}

/* Cutting the stream anywhere: before message_stop the gateway reports an
 * error and ends with [DONE]; after it, the output is complete. */
static void
test_stream_truncated (void)
{
  gsize len = 0;
  g_autofree char *raw = load_fixture ("wire", "anthropic-stream-tool.sse", &len);
  const char *stop = strstr (raw, "event: message_stop");
  gsize complete_at = (stop - raw) + strlen ("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");

  g_assert_nonnull (stop);
  g_assert_cmpuint (complete_at, ==, len);

  for (gsize cut = 0; cut < len; cut++)
    {
      g_autofree char *out = run_stream_split (raw, cut, &stream_ctx, NULL, 0, TRUE);
      g_autoptr(GPtrArray) payloads = parse_output (out, 0);
      JsonNode *before_done;
      JsonObject *error;

      g_assert_cmpuint (payloads->len, >=, 2);
      g_assert_true (json_node_is_null (g_ptr_array_index (payloads, payloads->len - 1)));
      before_done = g_ptr_array_index (payloads, payloads->len - 2);
      error = json_object_get_object_member (json_node_get_object (before_done), "error");
      g_assert_nonnull (error);
      g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "upstream_error");
      g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), "ended early"));
    }
}

static void
test_stream_usage_off (void)
{
  GrTranslateContext ctx = stream_ctx;
  gsize len = 0;
  g_autofree char *raw = load_fixture ("wire", "anthropic-stream-tool.sse", &len);
  g_autoptr(GPtrArray) payloads = NULL;
  TestSse sse;
  GrUsage usage;

  ctx.include_usage = FALSE;
  test_sse_init (&sse, &ctx);
  test_sse_feed (&sse, raw, len);
  payloads = parse_output (sse.out->str, 0);

  /* Same chunks minus the usage chunk, and no "usage" key anywhere. */
  g_assert_cmpuint (payloads->len, ==, 9);
  for (guint i = 0; i + 1 < payloads->len; i++)
    {
      JsonObject *chunk = json_node_get_object (g_ptr_array_index (payloads, i));

      g_assert_false (json_object_has_member (chunk, "usage"));
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (chunk, "choices")), ==, 1);
    }

  /* The gateway still bills the request. */
  gr_provider_anthropic_ops.stream_usage (sse.state, &usage);
  g_assert_true (usage.known);
  g_assert_cmpint (usage.prompt_tokens, ==, 412);
  g_assert_cmpint (usage.completion_tokens, ==, 58);
  test_sse_clear (&sse);
}

static void
test_stream_robustness (void)
{
  static const char odd_stream[] =
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"hi\"}}\n\n"
    ": a comment\n\n"
    "event: shiny_new_event\ndata: {\"type\":\"shiny_new_event\"}\n\n"
    "event: content_block_delta\ndata: {not json\n\n";
  TestSse sse;

  /* Events before message_start still produce a role chunk first, unknown
   * events are ignored and garbage data ends the stream cleanly. */
  test_sse_init (&sse, &stream_ctx);
  test_sse_feed (&sse, odd_stream, strlen (odd_stream));
  {
    g_autoptr(GPtrArray) payloads = parse_output (sse.out->str, 0);
    JsonObject *first = json_node_get_object (g_ptr_array_index (payloads, 0));
    JsonObject *delta = json_object_get_object_member (
      json_array_get_object_element (json_object_get_array_member (first, "choices"), 0), "delta");

    g_assert_cmpuint (payloads->len, ==, 4);
    g_assert_cmpstr (json_object_get_string_member (delta, "role"), ==, "assistant");
    g_assert_true (g_str_has_prefix (json_object_get_string_member (first, "id"), "chatcmpl-"));
    g_assert_true (gr_provider_anthropic_ops.stream_finished (sse.state));
    g_assert_cmpint (gr_provider_anthropic_ops.stream_error (sse.state)->status, ==, 502);
  }
  test_sse_clear (&sse);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gaiarouter/anthropic/request/worked-example", test_request_worked_example);
  g_test_add_func ("/gaiarouter/anthropic/request/headers-plain", test_request_headers_plain);
  g_test_add_func ("/gaiarouter/anthropic/request/merged-roles", test_request_merged_roles);
  g_test_add_func ("/gaiarouter/anthropic/request/tool-result-then-user", test_request_tool_result_then_user);
  g_test_add_func ("/gaiarouter/anthropic/request/images", test_request_images);
  g_test_add_func ("/gaiarouter/anthropic/request/non-json-escapes", test_request_non_json_escapes);
  g_test_add_func ("/gaiarouter/anthropic/request/image-rejections", test_request_image_rejections);
  g_test_add_func ("/gaiarouter/anthropic/request/tool-choice", test_request_tool_choice);
  g_test_add_func ("/gaiarouter/anthropic/request/max-tokens", test_request_max_tokens);
  g_test_add_func ("/gaiarouter/anthropic/request/parameters", test_request_parameters);
  g_test_add_func ("/gaiarouter/anthropic/request/json-schema", test_request_json_schema);
  g_test_add_func ("/gaiarouter/anthropic/request/reasoning", test_request_reasoning);
  g_test_add_func ("/gaiarouter/anthropic/request/rejections", test_request_rejections);
  g_test_add_func ("/gaiarouter/anthropic/response/tool", test_response_tool);
  g_test_add_func ("/gaiarouter/anthropic/response/text-cached", test_response_text_cached);
  g_test_add_func ("/gaiarouter/anthropic/response/variants", test_response_variants);
  g_test_add_func ("/gaiarouter/anthropic/response/garbage", test_response_garbage);
  g_test_add_func ("/gaiarouter/anthropic/errors/fixtures", test_errors_fixtures);
  g_test_add_func ("/gaiarouter/anthropic/errors/inline", test_errors_inline);
  g_test_add_func ("/gaiarouter/anthropic/stream/tool-fixture", test_stream_tool_fixture);
  g_test_add_func ("/gaiarouter/anthropic/stream/split-everywhere", test_stream_split_everywhere);
  g_test_add_func ("/gaiarouter/anthropic/stream/parallel-tools", test_stream_parallel_tools);
  g_test_add_func ("/gaiarouter/anthropic/stream/thinking-text", test_stream_thinking_text);
  g_test_add_func ("/gaiarouter/anthropic/stream/error", test_stream_error);
  g_test_add_func ("/gaiarouter/anthropic/stream/truncated", test_stream_truncated);
  g_test_add_func ("/gaiarouter/anthropic/stream/usage-off", test_stream_usage_off);
  g_test_add_func ("/gaiarouter/anthropic/stream/robustness", test_stream_robustness);

  return g_test_run ();
}
