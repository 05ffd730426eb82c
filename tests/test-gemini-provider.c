/* test-gemini-provider.c — the Gemini translator against the wire fixtures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Request translation is compared as parsed JSON with the fixtures.  The
 * fixture translate-gemini-request.json assumes a signature stored for
 * call_9a8b7c6d5e4f; the translator is stateless and carries signatures
 * inside the tool-call ids it hands out, so the test first obtains such an
 * id by translating gemini-response-tool.json (which holds the very same
 * signature) and puts it in place of call_9a8b7c6d5e4f.  The output must
 * then equal the fixture exactly.
 */
#include "config.h"

#include <string.h>

#include "providers/gr-provider.h"

#define FIXTURE_SIGNATURE_PREFIX "CsUBAdHtim9Xq1v1bK0fJ3lQ0b7c2z9WmE4pT8nR5sVhY2uA6dG1oL3kP0x"
#define TEST_API_KEY             "AIzaSyTEST-not-a-real-key-0123456789"

static const GrProviderInfo provider = {
  .name = (char *) "google",
  .kind = GR_PROVIDER_KIND_GEMINI,
  .base_url = (char *) "https://generativelanguage.googleapis.com",
  .api_key = (char *) TEST_API_KEY,
};

static const GrProviderOps *ops = &gr_provider_gemini_ops;

/* ------------------------------------------------------------------ */
/* Fixture and JSON helpers                                             */
/* ------------------------------------------------------------------ */

static char *
fixture_path (const char *name)
{
  if (g_str_has_prefix (name, "gemini-stream-parallel"))
    return g_test_build_filename (G_TEST_DIST, "fixtures", name, NULL);
  return g_test_build_filename (G_TEST_DIST, "fixtures", "wire", name, NULL);
}

static GBytes *
load_bytes (const char *name)
{
  g_autofree char *path = fixture_path (name);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

static JsonNode *
load_json (const char *name)
{
  g_autoptr(GBytes) bytes = load_bytes (name);
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

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
path_object (JsonNode   *root,
             const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = json_path_query (path, root, &error);
  JsonArray *matches;

  g_assert_no_error (error);
  matches = json_node_get_array (result);
  g_assert_cmpuint (json_array_get_length (matches), ==, 1);
  return json_array_get_object_element (matches, 0);
}

static gboolean
valid_call_id (const char *id)
{
  if (id == NULL || !g_str_has_prefix (id, "call_"))
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Request helpers                                                      */
/* ------------------------------------------------------------------ */

static GrTranslateContext
make_ctx (const char *upstream_model,
          gboolean    stream)
{
  GrTranslateContext ctx = {
    .client_model = "google/gemini-2.5-flash",
    .upstream_model = upstream_model,
    .stream = stream,
    .include_usage = TRUE,
  };

  return ctx;
}

static GrUpstreamRequest *
build_ok (JsonNode   *request,
          const char *model)
{
  GrTranslateContext ctx = make_ctx (model, FALSE);
  g_autoptr(GrApiError) error = NULL;
  GrUpstreamRequest *upstream;

  upstream = ops->build_request (&provider, json_node_get_object (request), &ctx, &error);
  if (error != NULL)
    g_test_message ("unexpected error: %s (%s)", error->message, error->param);
  g_assert_null (error);
  g_assert_nonnull (upstream);
  return upstream;
}

static JsonNode *
body_of (GrUpstreamRequest *upstream)
{
  g_autofree char *text = g_strndup (g_bytes_get_data (upstream->body, NULL),
                                     g_bytes_get_size (upstream->body));

  return parse_json (text);
}

static JsonNode *
translate_body (const char *request_json,
                const char *model)
{
  g_autoptr(JsonNode) request = parse_json (request_json);
  g_autoptr(GrUpstreamRequest) upstream = build_ok (request, model);

  return body_of (upstream);
}

static GrApiError *
build_error (const char *request_json)
{
  g_autoptr(JsonNode) request = parse_json (request_json);
  GrTranslateContext ctx = make_ctx ("gemini-2.5-flash", FALSE);
  GrApiError *error = NULL;
  g_autoptr(GrUpstreamRequest) upstream = NULL;

  upstream = ops->build_request (&provider, json_node_get_object (request), &ctx, &error);
  g_assert_null (upstream);
  g_assert_nonnull (error);
  g_assert_cmpint (error->status, ==, 400);
  g_assert_cmpstr (error->type, ==, "invalid_request_error");
  return error;
}

static void
assert_build_error (const char *request_json,
                    const char *code,
                    const char *param)
{
  g_autoptr(GrApiError) error = build_error (request_json);

  g_assert_cmpstr (error->code, ==, code);
  g_assert_cmpstr (error->param, ==, param);
  g_assert_null (strstr (error->message, TEST_API_KEY));
}

static const char *
header_value (GrUpstreamRequest *upstream,
              const char        *name)
{
  g_autofree char *prefix = g_strdup_printf ("%s: ", name);

  for (guint i = 0; i < upstream->headers->len; i++)
    if (g_str_has_prefix (upstream->headers->pdata[i], prefix))
      return (const char *) upstream->headers->pdata[i] + strlen (prefix);
  return NULL;
}

static void
rename_call_id (JsonObject *request,
                const char *old_id,
                const char *new_id)
{
  JsonArray *messages = json_object_get_array_member (request, "messages");

  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);
      JsonArray *calls = gr_json_get_array (message, "tool_calls");

      if (g_strcmp0 (gr_json_get_string (message, "tool_call_id"), old_id) == 0)
        json_object_set_string_member (message, "tool_call_id", new_id);
      for (guint j = 0; calls != NULL && j < json_array_get_length (calls); j++)
        {
          JsonObject *call = json_array_get_object_element (calls, j);

          if (g_strcmp0 (gr_json_get_string (call, "id"), old_id) == 0)
            json_object_set_string_member (call, "id", new_id);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Response helpers                                                     */
/* ------------------------------------------------------------------ */

static JsonNode *
translate_ok (JsonNode *body,
              GrUsage  *usage)
{
  GrTranslateContext ctx = make_ctx ("gemini-2.5-flash", FALSE);
  g_autoptr(GrApiError) error = NULL;
  JsonNode *completion;

  completion = ops->translate_response (&provider, body, &ctx, usage, &error);
  g_assert_null (error);
  g_assert_nonnull (completion);
  return completion;
}

static JsonNode *
translate_fixture (const char *name,
                   GrUsage    *usage)
{
  g_autoptr(JsonNode) body = load_json (name);

  return translate_ok (body, usage);
}

static JsonArray *
message_tool_calls (JsonNode *completion)
{
  return json_object_get_array_member (path_object (completion, "$.choices[0].message"), "tool_calls");
}

/* The first tool-call id of gemini-response-tool.json: the id that carries
 * the fixture's thought signature. */
static char *
signed_fixture_call_id (void)
{
  GrUsage usage;
  g_autoptr(JsonNode) completion = translate_fixture ("gemini-response-tool.json", &usage);
  JsonArray *calls = message_tool_calls (completion);

  return g_strdup (gr_json_get_string (json_array_get_object_element (calls, 0), "id"));
}

/* Replaces what the fixtures compare loosely: created and call ids. */
static void
normalize_loose_fields (JsonNode *node)
{
  JsonObject *object;
  JsonArray *array;

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      array = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (array); i++)
        normalize_loose_fields (json_array_get_element (array, i));
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return;
  object = json_node_get_object (node);
  if (json_object_has_member (object, "created"))
    {
      g_assert_cmpint (json_object_get_int_member (object, "created"), >, 1700000000);
      json_object_set_int_member (object, "created", 0);
    }
  if (json_object_has_member (object, "type") && json_object_has_member (object, "function")
      && json_object_has_member (object, "id"))
    {
      g_assert_true (valid_call_id (json_object_get_string_member (object, "id")));
      json_object_set_string_member (object, "id", "call_X");
    }
  {
    g_autoptr(GList) members = json_object_get_members (object);

    for (GList *l = members; l != NULL; l = l->next)
      normalize_loose_fields (json_object_get_member (object, l->data));
  }
}

/* ------------------------------------------------------------------ */
/* A tiny SSE splitter (the gateway's own parser lives elsewhere)       */
/* ------------------------------------------------------------------ */

typedef struct
{
  GrStreamState *state;
  GString       *out;
  GString       *line;
  GString       *data;
  gboolean       has_data;
  gboolean       after_cr; /* a CR ended the last line; skip one LF */
  guint          n_events;
} TestSse;

static void
test_sse_init (TestSse *sse,
               gboolean include_usage)
{
  GrTranslateContext ctx = make_ctx ("gemini-2.5-flash", TRUE);

  ctx.include_usage = include_usage;
  memset (sse, 0, sizeof *sse);
  sse->state = ops->stream_new (&provider, &ctx);
  sse->out = g_string_new (NULL);
  sse->line = g_string_new (NULL);
  sse->data = g_string_new (NULL);
}

static void
test_sse_clear (TestSse *sse)
{
  ops->stream_free (sse->state);
  g_string_free (sse->out, TRUE);
  g_string_free (sse->line, TRUE);
  g_string_free (sse->data, TRUE);
}

static void
test_sse_line (TestSse *sse)
{
  const char *line = sse->line->str;

  if (*line == '\0')
    {
      if (sse->has_data)
        {
          ops->stream_event (sse->state, NULL, sse->data->str, sse->data->len, sse->out);
          sse->n_events++;
        }
      g_string_truncate (sse->data, 0);
      sse->has_data = FALSE;
    }
  else if (g_str_has_prefix (line, "data:"))
    {
      line += 5;
      if (*line == ' ')
        line++;
      if (sse->has_data)
        g_string_append_c (sse->data, '\n');
      g_string_append (sse->data, line);
      sse->has_data = TRUE;
    }
  /* Comments and other fields are ignored, as the SSE spec says. */
  g_string_truncate (sse->line, 0);
}

static void
test_sse_feed (TestSse    *sse,
               const char *bytes,
               gsize       len)
{
  for (gsize i = 0; i < len; i++)
    {
      char c = bytes[i];

      if (sse->after_cr && c == '\n')
        {
          sse->after_cr = FALSE;
          continue;
        }
      sse->after_cr = FALSE;
      if (c == '\r' || c == '\n')
        {
          sse->after_cr = c == '\r';
          test_sse_line (sse);
        }
      else
        g_string_append_c (sse->line, c);
    }
}

/* Payloads of the client-side events ("data: X\n\n" → X). */
static GPtrArray *
client_events (const char *text)
{
  GPtrArray *events = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) blocks = g_strsplit (text, "\n\n", -1);

  for (guint i = 0; blocks[i] != NULL; i++)
    {
      if (blocks[i][0] == '\0')
        continue;
      g_assert_true (g_str_has_prefix (blocks[i], "data: "));
      g_assert_null (strchr (blocks[i], '\n'));
      g_ptr_array_add (events, g_strdup (blocks[i] + 6));
    }
  return events;
}

static char *
run_stream_bytes (const char *bytes,
                  gsize       len,
                  gsize       split,
                  gboolean    include_usage)
{
  TestSse sse;
  char *out;

  test_sse_init (&sse, include_usage);
  test_sse_feed (&sse, bytes, split);
  test_sse_feed (&sse, bytes + split, len - split);
  ops->stream_end (sse.state, sse.out);
  g_assert_true (ops->stream_finished (sse.state));
  out = g_strdup (sse.out->str);
  test_sse_clear (&sse);
  return out;
}

static char *
run_stream_fixture (const char *name,
                    gboolean    include_usage)
{
  g_autoptr(GBytes) bytes = load_bytes (name);
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  return run_stream_bytes (data, len, len, include_usage);
}

/* Checks the loose fields (same id and created everywhere), then compares
 * the normalized events with the expected ones. */
static void
assert_events_match (const char *actual_text,
                     const char *expected_text)
{
  g_autoptr(GPtrArray) actual = client_events (actual_text);
  g_autoptr(GPtrArray) expected = client_events (expected_text);
  g_autofree char *first_id = NULL;
  gint64 first_created = 0;

  g_assert_cmpuint (actual->len, ==, expected->len);
  for (guint i = 0; i < actual->len; i++)
    {
      g_autoptr(JsonNode) a = NULL;
      g_autoptr(JsonNode) e = NULL;
      JsonObject *chunk;

      if (g_str_equal (expected->pdata[i], "[DONE]"))
        {
          g_assert_cmpstr (actual->pdata[i], ==, "[DONE]");
          continue;
        }
      a = parse_json (actual->pdata[i]);
      e = parse_json (expected->pdata[i]);
      chunk = json_node_get_object (a);
      if (first_id == NULL)
        {
          first_id = g_strdup (json_object_get_string_member (chunk, "id"));
          first_created = json_object_get_int_member (chunk, "created");
        }
      g_assert_cmpstr (json_object_get_string_member (chunk, "id"), ==, first_id);
      g_assert_cmpint (json_object_get_int_member (chunk, "created"), ==, first_created);
      normalize_loose_fields (a);
      normalize_loose_fields (e);
      assert_json_equal (a, e);
    }
}

/* Every tool-call delta of a client stream, in order. */
static GPtrArray *
streamed_tool_calls (const char *text)
{
  g_autoptr(GPtrArray) events = client_events (text);
  GPtrArray *calls = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  for (guint i = 0; i < events->len; i++)
    {
      g_autoptr(JsonNode) chunk = NULL;
      JsonArray *choices;
      JsonArray *tool_calls;

      if (g_str_equal (events->pdata[i], "[DONE]"))
        continue;
      chunk = parse_json (events->pdata[i]);
      choices = gr_json_get_array (json_node_get_object (chunk), "choices");
      if (choices == NULL || json_array_get_length (choices) == 0)
        continue;
      tool_calls = gr_json_get_array (gr_json_get_object (json_array_get_object_element (choices, 0), "delta"),
                                      "tool_calls");
      for (guint j = 0; tool_calls != NULL && j < json_array_get_length (tool_calls); j++)
        g_ptr_array_add (calls, json_object_ref (json_array_get_object_element (tool_calls, j)));
    }
  return calls;
}

/* ------------------------------------------------------------------ */
/* Request tests                                                        */
/* ------------------------------------------------------------------ */

static void
test_request_fixture (void)
{
  g_autoptr(JsonNode) request = load_json ("translate-openai-request.json");
  g_autoptr(JsonNode) expected = load_json ("translate-gemini-request.json");
  g_autofree char *signed_id = signed_fixture_call_id ();
  GrTranslateContext ctx = make_ctx ("gemini-3-flash-preview", TRUE);
  g_autoptr(GrApiError) error = NULL;
  g_autoptr(GrUpstreamRequest) upstream = NULL;
  g_autoptr(JsonNode) body = NULL;

  rename_call_id (json_node_get_object (request), "call_9a8b7c6d5e4f", signed_id);
  upstream = ops->build_request (&provider, json_node_get_object (request), &ctx, &error);
  g_assert_null (error);
  g_assert_nonnull (upstream);

  g_assert_cmpstr (upstream->url, ==,
                   "https://generativelanguage.googleapis.com/v1beta/models/"
                   "gemini-3-flash-preview:streamGenerateContent?alt=sse");
  g_assert_null (strstr (upstream->url, "key="));
  g_assert_cmpstr (header_value (upstream, "x-goog-api-key"), ==, TEST_API_KEY);
  g_assert_cmpstr (header_value (upstream, "Content-Type"), ==, "application/json");
  g_assert_null (header_value (upstream, "Authorization"));

  body = body_of (upstream);
  assert_json_equal (body, expected);
}

static void
test_request_foreign_ids (void)
{
  g_autoptr(JsonNode) request = load_json ("translate-openai-request.json");
  g_autoptr(GrUpstreamRequest) upstream = NULL;
  g_autoptr(JsonNode) body = NULL;
  JsonObject *first_call;
  JsonObject *second_call;

  /* History whose ids carry no signature: Gemini 3 gets the dummy value on
   * the first call of the current turn, and only there. */
  upstream = build_ok (request, "gemini-3-flash-preview");
  g_assert_cmpstr (upstream->url, ==,
                   "https://generativelanguage.googleapis.com/v1beta/models/"
                   "gemini-3-flash-preview:generateContent");
  body = body_of (upstream);
  first_call = path_object (body, "$.contents[1].parts[1]");
  second_call = path_object (body, "$.contents[1].parts[2]");
  g_assert_cmpstr (gr_json_get_string (first_call, "thoughtSignature"), ==,
                   "skip_thought_signature_validator");
  g_assert_false (json_object_has_member (second_call, "thoughtSignature"));
  g_clear_pointer (&body, json_node_unref);
  g_clear_pointer (&upstream, gr_upstream_request_free);

  /* Gemini 2.5 does not enforce signatures: nothing is invented. */
  upstream = build_ok (request, "models/gemini-2.5-flash");
  g_assert_cmpstr (upstream->url, ==,
                   "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent");
  body = body_of (upstream);
  first_call = path_object (body, "$.contents[1].parts[1]");
  g_assert_false (json_object_has_member (first_call, "thoughtSignature"));
}

static void
test_request_extra_content_signature (void)
{
  g_autoptr(JsonNode) body = translate_body (
    "{\"model\":\"m\",\"messages\":["
    "{\"role\":\"user\",\"content\":\"hi\"},"
    "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"abc\",\"type\":\"function\","
    "  \"function\":{\"name\":\"f\",\"arguments\":\"\"},"
    "  \"extra_content\":{\"google\":{\"thought_signature\":\"c2lnbmF0dXJl\"}}}]},"
    "{\"role\":\"tool\",\"tool_call_id\":\"abc\",\"content\":\"ok\"}]}",
    "gemini-3-pro-preview");
  JsonObject *part = path_object (body, "$.contents[1].parts[0]");

  g_assert_cmpstr (gr_json_get_string (part, "thoughtSignature"), ==, "c2lnbmF0dXJl");
  /* Empty arguments become an empty object. */
  g_assert_cmpuint (json_object_get_size (path_object (body, "$.contents[1].parts[0].functionCall.args")), ==, 0);
}

static void
test_request_merged_roles (void)
{
  g_autoptr(JsonNode) body = translate_body (
    "{\"model\":\"m\",\"messages\":["
    "{\"role\":\"assistant\",\"content\":\"Hello! How can I help?\"},"
    "{\"role\":\"user\",\"content\":\"one\"},"
    "{\"role\":\"system\",\"content\":[{\"type\":\"text\",\"text\":\"Be brief.\"}]},"
    "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"two\"},{\"type\":\"text\",\"text\":\"\"}]},"
    "{\"role\":\"assistant\",\"content\":\"a\"},"
    "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"b\"}],"
    "  \"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
    "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"done\"},"
    "{\"role\":\"user\",\"content\":\"three\"},"
    "{\"role\":\"assistant\",\"content\":null},"
    "{\"role\":\"developer\",\"content\":\"Use metric.\"}"
    "]}", "gemini-2.5-flash");
  g_autoptr(JsonNode) expected = parse_json (
    "{\"systemInstruction\":{\"parts\":[{\"text\":\"Be brief.\"},{\"text\":\"Use metric.\"}]},"
    "\"contents\":["
    "{\"role\":\"user\",\"parts\":[{\"text\":\"(conversation continues)\"}]},"
    "{\"role\":\"model\",\"parts\":[{\"text\":\"Hello! How can I help?\"}]},"
    "{\"role\":\"user\",\"parts\":[{\"text\":\"one\"},{\"text\":\"two\"}]},"
    "{\"role\":\"model\",\"parts\":[{\"text\":\"a\"},{\"text\":\"b\"},"
    "  {\"functionCall\":{\"name\":\"f\",\"args\":{}}}]},"
    "{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"name\":\"f\",\"response\":{\"output\":\"done\"}}},"
    "  {\"text\":\"three\"}]}"
    "]}");

  assert_json_equal (body, expected);
}

static void
test_request_tool_results_by_name (void)
{
  /* Two parallel calls to the same function answered out of order: the
   * responses must follow the call order, since Gemini pairs by name and
   * position. */
  g_autoptr(JsonNode) body = translate_body (
    "{\"model\":\"m\",\"messages\":["
    "{\"role\":\"user\",\"content\":\"weather?\"},"
    "{\"role\":\"assistant\",\"tool_calls\":["
    "  {\"id\":\"a\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}},"
    "  {\"id\":\"b\",\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"arguments\":\"[1]\"}},"
    "  {\"id\":\"c\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\"}}]},"
    "{\"role\":\"tool\",\"tool_call_id\":\"c\",\"content\":[{\"type\":\"text\",\"text\":\"{\\\"temp\\\":\"},{\"type\":\"text\",\"text\":\"-3}\"}]},"
    "{\"role\":\"tool\",\"tool_call_id\":\"b\",\"content\":\"[1,2]\"},"
    "{\"role\":\"tool\",\"tool_call_id\":\"a\",\"content\":\"{\\\"temp\\\":18}\"}"
    "]}", "gemini-2.5-flash");
  g_autoptr(JsonNode) expected = parse_json (
    "{\"contents\":["
    "{\"role\":\"user\",\"parts\":[{\"text\":\"weather?\"}]},"
    "{\"role\":\"model\",\"parts\":["
    "  {\"functionCall\":{\"name\":\"get_weather\",\"args\":{\"city\":\"Paris\"}}},"
    "  {\"functionCall\":{\"name\":\"get_time\",\"args\":{\"value\":[1]}}},"
    "  {\"functionCall\":{\"name\":\"get_weather\",\"args\":{\"city\":\"Oslo\"}}}]},"
    "{\"role\":\"user\",\"parts\":["
    "  {\"functionResponse\":{\"name\":\"get_weather\",\"response\":{\"temp\":18}}},"
    "  {\"functionResponse\":{\"name\":\"get_time\",\"response\":{\"output\":[1,2]}}},"
    "  {\"functionResponse\":{\"name\":\"get_weather\",\"response\":{\"temp\":-3}}}]}"
    "]}");

  assert_json_equal (body, expected);
}

static void
test_request_media (void)
{
  g_autoptr(JsonNode) body = translate_body (
    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":["
    "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/PNG;base64,iVBO Rw0K\\nGgo=\",\"detail\":\"high\"}},"
    "{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"UklGRg==\",\"format\":\"wav\"}},"
    "{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"SUQz\",\"format\":\"mp3\"}},"
    "{\"type\":\"file\",\"file\":{\"filename\":\"a.pdf\",\"file_data\":\"data:application/pdf;base64,JVBERi0=\"}}"
    "]}]}", "gemini-2.5-flash");
  g_autoptr(JsonNode) expected = parse_json (
    "{\"contents\":[{\"role\":\"user\",\"parts\":["
    "{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"iVBORw0KGgo=\"}},"
    "{\"inlineData\":{\"mimeType\":\"audio/wav\",\"data\":\"UklGRg==\"}},"
    "{\"inlineData\":{\"mimeType\":\"audio/mp3\",\"data\":\"SUQz\"}},"
    "{\"inlineData\":{\"mimeType\":\"application/pdf\",\"data\":\"JVBERi0=\"}}"
    "]}]}");

  assert_json_equal (body, expected);
}

static void
test_request_media_errors (void)
{
  g_autoptr(GrApiError) error = NULL;

  error = build_error ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":["
                       "{\"type\":\"text\",\"text\":\"look\"},"
                       "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/cat.jpg\"}}]}]}");
  g_assert_cmpstr (error->code, ==, "unsupported_parameter");
  g_assert_cmpstr (error->param, ==, "messages[0].content[1]");
  g_assert_nonnull (strstr (error->message, "data URL"));

  assert_build_error ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":["
                      "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png,rawbytes\"}}]}]}",
                      "invalid_value", "messages[0].content[0]");
  assert_build_error ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":["
                      "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:text/plain;base64,aGk=\"}}]}]}",
                      "invalid_value", "messages[0].content[0]");
  assert_build_error ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":["
                      "{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"aGk=\",\"format\":\"flac\"}}]}]}",
                      "invalid_value", "messages[0].content[0]");
  assert_build_error ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":["
                      "{\"type\":\"file\",\"file\":{\"file_id\":\"file-abc\"}}]}]}",
                      "unsupported_parameter", "messages[0].content[0]");
}

static JsonNode *
tool_choice_body (const char *tool_choice)
{
  g_autofree char *request = g_strdup_printf (
    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
    "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"a\"}},"
    "           {\"type\":\"function\",\"function\":{\"name\":\"b\",\"parameters\":{\"type\":\"object\"}}}],"
    "\"tool_choice\":%s}", tool_choice);

  return translate_body (request, "gemini-2.5-flash");
}

static void
assert_tool_config (const char *tool_choice,
                    const char *expected_config,
                    guint       n_declarations)
{
  g_autoptr(JsonNode) body = tool_choice_body (tool_choice);
  g_autoptr(JsonNode) expected = parse_json (expected_config);
  g_autoptr(JsonNode) actual = json_node_new (JSON_NODE_OBJECT);
  JsonArray *tools = json_object_get_array_member (json_node_get_object (body), "tools");
  JsonObject *tool = json_array_get_object_element (tools, 0);

  json_node_set_object (actual, path_object (body, "$.toolConfig"));
  assert_json_equal (actual, expected);
  g_assert_cmpuint (json_array_get_length (tools), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (tool, "functionDeclarations")),
                    ==, n_declarations);
}

static void
test_request_tool_choice (void)
{
  g_autoptr(JsonNode) body = NULL;

  assert_tool_config ("\"auto\"", "{\"functionCallingConfig\":{\"mode\":\"AUTO\"}}", 2);
  assert_tool_config ("\"required\"", "{\"functionCallingConfig\":{\"mode\":\"ANY\"}}", 2);
  assert_tool_config ("\"none\"", "{\"functionCallingConfig\":{\"mode\":\"NONE\"}}", 2);
  assert_tool_config ("{\"type\":\"function\",\"function\":{\"name\":\"b\"}}",
                      "{\"functionCallingConfig\":{\"mode\":\"ANY\",\"allowedFunctionNames\":[\"b\"]}}", 2);
  assert_tool_config ("{\"type\":\"allowed_tools\",\"allowed_tools\":{\"mode\":\"required\","
                      "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"a\"}}]}}",
                      "{\"functionCallingConfig\":{\"mode\":\"ANY\",\"allowedFunctionNames\":[\"a\"]}}", 2);
  /* allowedFunctionNames only works with ANY, so "auto" narrows the list. */
  assert_tool_config ("{\"type\":\"allowed_tools\",\"allowed_tools\":{\"mode\":\"auto\","
                      "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"a\"}}]}}",
                      "{\"functionCallingConfig\":{\"mode\":\"AUTO\"}}", 1);

  /* No tool_choice: no toolConfig; parameters only when given. */
  body = tool_choice_body ("null");
  g_assert_false (json_object_has_member (json_node_get_object (body), "toolConfig"));
  g_assert_false (json_object_has_member (path_object (body, "$.tools[0].functionDeclarations[0]"),
                                          "parametersJsonSchema"));
  g_assert_true (json_object_has_member (path_object (body, "$.tools[0].functionDeclarations[1]"),
                                         "parametersJsonSchema"));

  assert_build_error ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                      "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"a\"}}],"
                      "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"zzz\"}}}",
                      "invalid_value", "tool_choice");
  assert_build_error ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                      "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"a\"}}],"
                      "\"tool_choice\":\"sometimes\"}",
                      "invalid_value", "tool_choice");
  assert_build_error ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                      "\"tools\":[{\"type\":\"custom\",\"custom\":{\"name\":\"grammar\"}}]}",
                      "unsupported_parameter", "tools[0]");
}

static void
test_request_response_format (void)
{
  g_autoptr(JsonNode) json_object_body = translate_body (
    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
    "\"response_format\":{\"type\":\"json_object\"}}", "gemini-2.5-flash");
  g_autoptr(JsonNode) schema_body = translate_body (
    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
    "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"answer\",\"strict\":true,"
    "\"schema\":{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}}}}", "gemini-2.5-flash");
  g_autoptr(JsonNode) text_body = translate_body (
    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
    "\"response_format\":{\"type\":\"text\"}}", "gemini-2.5-flash");
  g_autoptr(JsonNode) expected_schema = parse_json (
    "{\"responseMimeType\":\"application/json\","
    "\"responseJsonSchema\":{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}}");
  g_autoptr(JsonNode) actual = json_node_new (JSON_NODE_OBJECT);
  JsonObject *config = path_object (json_object_body, "$.generationConfig");

  g_assert_cmpstr (gr_json_get_string (config, "responseMimeType"), ==, "application/json");
  g_assert_cmpuint (json_object_get_size (config), ==, 1);
  json_node_set_object (actual, path_object (schema_body, "$.generationConfig"));
  assert_json_equal (actual, expected_schema);
  g_assert_false (json_object_has_member (json_node_get_object (text_body), "generationConfig"));

  assert_build_error ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                      "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\"}}}",
                      "missing_field", "response_format.json_schema.schema");
  assert_build_error ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                      "\"response_format\":{\"type\":\"yaml\"}}",
                      "invalid_value", "response_format.type");
}

static void
test_request_generation_config (void)
{
  const char *request =
    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
    "\"temperature\":1,\"top_p\":0.9,\"max_tokens\":300,\"stop\":\"END\",\"n\":2,\"seed\":7,"
    "\"presence_penalty\":0.5,\"frequency_penalty\":-0.5,\"reasoning_effort\":\"xhigh\","
    "\"logit_bias\":{\"50256\":-100},\"user\":\"u\",\"metadata\":{\"a\":\"b\"},\"store\":true,"
    "\"service_tier\":\"flex\",\"parallel_tool_calls\":false,\"stream\":true,"
    "\"stream_options\":{\"include_usage\":true},\"modalities\":[\"text\"],\"safety_identifier\":\"s\"}";
  g_autoptr(JsonNode) body25 = translate_body (request, "gemini-2.5-pro");
  g_autoptr(JsonNode) body3 = translate_body (request, "gemini-3-pro-preview");
  g_autoptr(JsonNode) body20 = translate_body (request, "gemini-2.0-flash");
  g_autoptr(JsonNode) expected = parse_json (
    "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}],"
    "\"generationConfig\":{\"temperature\":1,\"topP\":0.9,\"maxOutputTokens\":300,"
    "\"stopSequences\":[\"END\"],\"candidateCount\":2,\"seed\":7,\"presencePenalty\":0.5,"
    "\"frequencyPenalty\":-0.5,\"thinkingConfig\":{\"thinkingBudget\":24576}}}");
  JsonObject *config20 = path_object (body20, "$.generationConfig");

  /* Whitelist: nothing but the translated fields reaches Google. */
  assert_json_equal (body25, expected);
  g_assert_cmpstr (gr_json_get_string (path_object (body3, "$.generationConfig.thinkingConfig"),
                                       "thinkingLevel"), ==, "HIGH");
  g_assert_false (json_object_has_member (config20, "thinkingConfig"));
}

static void
test_request_max_completion_tokens (void)
{
  g_autoptr(JsonNode) body = translate_body (
    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
    "\"max_tokens\":10,\"max_completion_tokens\":20,\"reasoning_effort\":\"none\"}", "gemini-2.5-flash");
  JsonObject *config = path_object (body, "$.generationConfig");

  g_assert_cmpint (json_object_get_int_member (config, "maxOutputTokens"), ==, 20);
  g_assert_cmpint (gr_json_get_int (gr_json_get_object (config, "thinkingConfig"), "thinkingBudget", -1), ==, 0);
}

static void
test_request_errors (void)
{
  assert_build_error ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                      "\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"]}", "invalid_value", "stop");
  assert_build_error ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},"
                      "{\"role\":\"tool\",\"tool_call_id\":\"nope\",\"content\":\"x\"}]}",
                      "invalid_value", "messages[1].tool_call_id");
  assert_build_error ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},"
                      "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\","
                      "\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}]}",
                      "invalid_value", "messages");
  assert_build_error ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},"
                      "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\","
                      "\"function\":{\"name\":\"f\",\"arguments\":\"{oops\"}}]},"
                      "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"x\"}]}",
                      "invalid_value", "messages[1].tool_calls[0].function.arguments");
  assert_build_error ("{\"model\":\"m\",\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}",
                      "invalid_value", "messages[0]");
  assert_build_error ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"\"}]}",
                      "invalid_value", "messages[0].content");
  assert_build_error ("{\"model\":\"m\",\"messages\":[]}", "missing_field", "messages");
  assert_build_error ("{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"only\"}]}",
                      "invalid_value", "messages");
  assert_build_error ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                      "\"logprobs\":true}", "unsupported_parameter", "logprobs");
  assert_build_error ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                      "\"reasoning_effort\":\"extreme\"}", "invalid_value", "reasoning_effort");
  assert_build_error ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                      "\"temperature\":\"hot\"}", "invalid_value", "temperature");
  assert_build_error ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                      "\"n\":0}", "invalid_value", "n");
  assert_build_error ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                      "\"functions\":[{\"name\":\"f\"}]}", "unsupported_parameter", "functions");
  assert_build_error ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"video\"}]}]}",
                      "unsupported_parameter", "messages[0].content[0]");
}

/* ------------------------------------------------------------------ */
/* Response tests                                                       */
/* ------------------------------------------------------------------ */

static void
test_response_tool (void)
{
  GrUsage usage;
  g_autoptr(JsonNode) completion = translate_fixture ("gemini-response-tool.json", &usage);
  g_autoptr(JsonNode) again = NULL;
  g_autoptr(JsonNode) expected = load_json ("gateway-from-gemini-response-tool.json");
  JsonObject *root = json_node_get_object (completion);
  JsonArray *calls = message_tool_calls (completion);
  const char *id = gr_json_get_string (json_array_get_object_element (calls, 0), "id");
  GrUsage usage2;

  g_assert_cmpstr (gr_json_get_string (root, "id"), ==, "chatcmpl-yTl7aPq7F4-wnvgP1s2hsQU");
  g_assert_true (valid_call_id (id));
  /* The same response always yields the same id. */
  again = translate_fixture ("gemini-response-tool.json", &usage2);
  g_assert_cmpstr (gr_json_get_string (json_array_get_object_element (message_tool_calls (again), 0), "id"),
                   ==, id);

  g_assert_true (usage.known);
  g_assert_cmpint (usage.prompt_tokens, ==, 58);
  g_assert_cmpint (usage.completion_tokens, ==, 136);
  g_assert_cmpint (usage.reasoning_tokens, ==, 112);
  g_assert_cmpint (usage.cached_tokens, ==, 0);

  normalize_loose_fields (completion);
  normalize_loose_fields (expected);
  assert_json_equal (completion, expected);
}

static void
test_response_text (void)
{
  GrUsage usage;
  g_autoptr(JsonNode) completion = translate_fixture ("gemini-response.json", &usage);
  JsonObject *message = path_object (completion, "$.choices[0].message");
  JsonObject *choice = path_object (completion, "$.choices[0]");

  g_assert_cmpstr (gr_json_get_string (message, "content"), ==,
                   "Yes. Light rain is expected in Paris until about 17:00, so take an umbrella.");
  g_assert_false (json_object_has_member (message, "tool_calls"));
  g_assert_cmpstr (gr_json_get_string (choice, "finish_reason"), ==, "stop");
  g_assert_cmpstr (gr_json_get_string (json_node_get_object (completion), "model"), ==,
                   "google/gemini-2.5-flash");
  g_assert_cmpint (usage.prompt_tokens, ==, 87);
  g_assert_cmpint (usage.completion_tokens, ==, 84);
  g_assert_cmpint (gr_json_get_int (path_object (completion, "$.usage"), "total_tokens", 0), ==, 171);
}

static void
test_response_blocked (void)
{
  GrUsage usage;
  g_autoptr(JsonNode) completion = translate_fixture ("gemini-response-blocked.json", &usage);
  JsonObject *choice = path_object (completion, "$.choices[0]");

  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (completion),
                                                                         "choices")), ==, 1);
  g_assert_cmpstr (gr_json_get_string (choice, "finish_reason"), ==, "content_filter");
  g_assert_cmpstr (gr_json_get_string (path_object (completion, "$.choices[0].message"), "content"), ==, "");
  g_assert_true (usage.known);
  g_assert_cmpint (usage.prompt_tokens, ==, 19);
  g_assert_cmpint (usage.completion_tokens, ==, 0);
}

static const char *
finish_reason_for (const char *body_json)
{
  static char reason[32];
  GrUsage usage;
  g_autoptr(JsonNode) body = parse_json (body_json);
  g_autoptr(JsonNode) completion = translate_ok (body, &usage);

  g_strlcpy (reason, gr_json_get_string (path_object (completion, "$.choices[0]"), "finish_reason"),
             sizeof reason);
  return reason;
}

static void
test_response_details (void)
{
  GrUsage usage;
  g_autoptr(JsonNode) body = parse_json (
    "{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":["
    "{\"text\":\"Let me think about it\",\"thought\":true},{\"text\":\"Answer\"},{\"text\":\" here.\"}]},"
    "\"finishReason\":\"MAX_TOKENS\",\"index\":0}],"
    "\"usageMetadata\":{\"promptTokenCount\":100,\"cachedContentTokenCount\":64,\"toolUsePromptTokenCount\":5,"
    "\"candidatesTokenCount\":7,\"thoughtsTokenCount\":3,\"totalTokenCount\":115}}");
  g_autoptr(JsonNode) completion = translate_ok (body, &usage);
  JsonObject *root = json_node_get_object (completion);
  JsonObject *usage_obj = path_object (completion, "$.usage");

  g_assert_cmpstr (gr_json_get_string (path_object (completion, "$.choices[0].message"), "content"), ==,
                   "Answer here.");
  g_assert_cmpstr (gr_json_get_string (path_object (completion, "$.choices[0]"), "finish_reason"), ==, "length");
  /* No responseId: still a chatcmpl- id. */
  g_assert_true (g_str_has_prefix (gr_json_get_string (root, "id"), "chatcmpl-"));
  g_assert_cmpint (usage.prompt_tokens, ==, 105);
  g_assert_cmpint (usage.cached_tokens, ==, 64);
  g_assert_cmpint (usage.completion_tokens, ==, 10);
  g_assert_cmpint (gr_json_get_int (usage_obj, "total_tokens", 0), ==, 115);
  g_assert_cmpint (gr_json_get_int (gr_json_get_object (usage_obj, "prompt_tokens_details"), "cached_tokens", 0),
                   ==, 64);

  g_assert_cmpstr (finish_reason_for ("{\"candidates\":[{\"finishReason\":\"SAFETY\"}]}"), ==, "content_filter");
  g_assert_cmpstr (finish_reason_for ("{\"candidates\":[{\"finishReason\":\"RECITATION\"}]}"), ==,
                   "content_filter");
  g_assert_cmpstr (finish_reason_for ("{\"candidates\":[{\"finishReason\":\"MALFORMED_FUNCTION_CALL\"}]}"), ==,
                   "stop");
  g_assert_cmpstr (finish_reason_for ("{\"candidates\":[{\"finishReason\":\"SOMETHING_NEW\"}]}"), ==, "stop");
  /* Calls alone: content is null. */
  {
    g_autoptr(JsonNode) calls_body = parse_json (
      "{\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"f\"}}]},\"finishReason\":\"STOP\"}]}");
    g_autoptr(JsonNode) calls_completion = translate_ok (calls_body, &usage);
    JsonObject *message = path_object (calls_completion, "$.choices[0].message");

    g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (message, "content")));
    g_assert_cmpstr (gr_json_get_string (path_object (calls_completion, "$.choices[0].message.tool_calls[0].function"),
                                         "arguments"), ==, "{}");
    g_assert_false (usage.known);
    g_assert_false (json_object_has_member (json_node_get_object (calls_completion), "usage"));
  }
}

static void
test_response_invalid (void)
{
  const char *bodies[] = { "{\"modelVersion\":\"x\"}", "[1,2]", "{\"error\":{\"code\":500}}" };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(JsonNode) body = parse_json (bodies[i]);
      GrTranslateContext ctx = make_ctx ("gemini-2.5-flash", FALSE);
      g_autoptr(GrApiError) error = NULL;
      g_autoptr(JsonNode) completion = NULL;
      GrUsage usage;

      completion = ops->translate_response (&provider, body, &ctx, &usage, &error);
      g_assert_null (completion);
      g_assert_nonnull (error);
      g_assert_cmpint (error->status, ==, 502);
    }
}

/* ------------------------------------------------------------------ */
/* thoughtSignature round trips                                         */
/* ------------------------------------------------------------------ */

/* The client's next request: the assistant message as it received it,
 * one tool answer per call, and translation to Gemini again. */
static JsonNode *
next_request_body (JsonArray  *tool_calls,
                   const char *model)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(GrUpstreamRequest) upstream = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, "google/gemini-3-flash-preview");
  json_builder_set_member_name (b, "messages");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, "user");
  json_builder_set_member_name (b, "content");
  json_builder_add_string_value (b, "Weather in Paris?");
  json_builder_end_object (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, "assistant");
  json_builder_set_member_name (b, "tool_calls");
  json_builder_add_value (b, json_node_init_array (json_node_alloc (), tool_calls));
  json_builder_end_object (b);
  for (guint i = 0; i < json_array_get_length (tool_calls); i++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "role");
      json_builder_add_string_value (b, "tool");
      json_builder_set_member_name (b, "tool_call_id");
      json_builder_add_string_value (b, gr_json_get_string (json_array_get_object_element (tool_calls, i), "id"));
      json_builder_set_member_name (b, "content");
      json_builder_add_string_value (b, "{\"ok\":true}");
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  request = json_builder_get_root (b);
  upstream = build_ok (request, model);
  return body_of (upstream);
}

static void
test_roundtrip_response_signature (void)
{
  GrUsage usage;
  g_autoptr(JsonNode) completion = translate_fixture ("gemini-response-tool.json", &usage);
  g_autoptr(JsonNode) original = load_json ("gemini-response-tool.json");
  g_autoptr(JsonNode) body = next_request_body (message_tool_calls (completion), "gemini-3-flash-preview");
  JsonObject *original_part = path_object (original, "$.candidates[0].content.parts[1]");
  JsonObject *part = path_object (body, "$.contents[1].parts[0]");

  g_assert_true (g_str_has_prefix (gr_json_get_string (original_part, "thoughtSignature"),
                                   FIXTURE_SIGNATURE_PREFIX));
  g_assert_cmpstr (gr_json_get_string (part, "thoughtSignature"), ==,
                   gr_json_get_string (original_part, "thoughtSignature"));
  g_assert_cmpstr (gr_json_get_string (gr_json_get_object (part, "functionCall"), "name"), ==, "get_weather");
  g_assert_false (json_object_has_member (gr_json_get_object (part, "functionCall"), "id"));
  g_assert_cmpstr (gr_json_get_string (path_object (body, "$.contents[2].parts[0].functionResponse"), "name"),
                   ==, "get_weather");
}

static void
test_roundtrip_odd_signatures (void)
{
  /* A signature that is not canonical base64, and a call that came with
   * Gemini's own id (which must come back on both call and response). */
  GrUsage usage;
  g_autoptr(JsonNode) response = parse_json (
    "{\"responseId\":\"r1\",\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":["
    "{\"functionCall\":{\"name\":\"a\",\"args\":{\"x\":1}},\"thoughtSignature\":\"skip_thought signature/validator\"},"
    "{\"functionCall\":{\"id\":\"fc-7\",\"name\":\"b\",\"args\":{}},\"thoughtSignature\":\"QUJD\"},"
    "{\"functionCall\":{\"id\":\"fc-8\",\"name\":\"c\"}}]},"
    "\"finishReason\":\"STOP\"}]}");
  g_autoptr(JsonNode) completion = translate_ok (response, &usage);
  JsonArray *calls = message_tool_calls (completion);
  g_autoptr(JsonNode) body = next_request_body (calls, "gemini-2.5-flash");
  JsonObject *first = path_object (body, "$.contents[1].parts[0]");
  JsonObject *second = path_object (body, "$.contents[1].parts[1]");
  JsonObject *third = path_object (body, "$.contents[1].parts[2]");

  for (guint i = 0; i < json_array_get_length (calls); i++)
    g_assert_true (valid_call_id (gr_json_get_string (json_array_get_object_element (calls, i), "id")));
  g_assert_cmpstr (gr_json_get_string (path_object (completion, "$.choices[0]"), "finish_reason"), ==,
                   "tool_calls");
  g_assert_cmpstr (gr_json_get_string (first, "thoughtSignature"), ==, "skip_thought signature/validator");
  g_assert_cmpstr (gr_json_get_string (second, "thoughtSignature"), ==, "QUJD");
  g_assert_cmpstr (gr_json_get_string (path_object (body, "$.contents[1].parts[1].functionCall"), "id"), ==, "fc-7");
  g_assert_false (json_object_has_member (third, "thoughtSignature"));
  g_assert_cmpstr (gr_json_get_string (path_object (body, "$.contents[1].parts[2].functionCall"), "id"), ==, "fc-8");
  g_assert_cmpstr (gr_json_get_string (path_object (body, "$.contents[2].parts[1].functionResponse"), "id"), ==,
                   "fc-7");
  g_assert_false (json_object_has_member (path_object (body, "$.contents[2].parts[0].functionResponse"), "id"));
}

static void
test_roundtrip_stream_parallel (void)
{
  g_autofree char *out = run_stream_fixture ("gemini-stream-parallel-tools.sse", TRUE);
  g_autoptr(GPtrArray) deltas = streamed_tool_calls (out);
  g_autoptr(JsonArray) calls = json_array_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) fixture_event = NULL;
  JsonObject *part;

  /* Streamed deltas are complete calls: they double as the client's
   * reassembled tool_calls once "index" is dropped. */
  for (guint i = 0; i < deltas->len; i++)
    {
      JsonObject *call = json_object_ref (deltas->pdata[i]);

      json_object_remove_member (call, "index");
      json_array_add_object_element (calls, call);
    }
  body = next_request_body (calls, "gemini-3-flash-preview");
  {
    g_autoptr(GBytes) bytes = load_bytes ("gemini-stream-parallel-tools.sse");
    g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    g_auto(GStrv) events = g_strsplit (text, "\r\n\r\n", -1);

    fixture_event = parse_json (events[1] + strlen ("data: "));
  }
  part = path_object (body, "$.contents[1].parts[0]");
  g_assert_cmpstr (gr_json_get_string (part, "thoughtSignature"), ==,
                   gr_json_get_string (path_object (fixture_event, "$.candidates[0].content.parts[0]"),
                                       "thoughtSignature"));
  /* Only the first parallel call had a signature, and no dummy is added
   * because the model turn already carries one. */
  g_assert_false (json_object_has_member (path_object (body, "$.contents[1].parts[1]"), "thoughtSignature"));
  g_assert_false (json_object_has_member (path_object (body, "$.contents[1].parts[2]"), "thoughtSignature"));
  g_assert_cmpstr (gr_json_get_string (path_object (body, "$.contents[2].parts[2].functionResponse"), "name"),
                   ==, "get_time");
}

/* ------------------------------------------------------------------ */
/* Error mapping                                                        */
/* ------------------------------------------------------------------ */

static GrApiError *
map_fixture (const char *name,
             int         status)
{
  g_autoptr(GBytes) bytes = load_bytes (name);
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  return ops->map_error (&provider, status, data, len);
}

static GrApiError *
map_text (const char *body,
          int         status)
{
  return ops->map_error (&provider, status, body, strlen (body));
}

static void
test_errors_fixtures (void)
{
  g_autoptr(GrApiError) key = map_fixture ("gemini-error-400.json", 400);
  g_autoptr(GrApiError) missing = map_fixture ("gemini-error-404.json", 404);
  g_autoptr(GrApiError) quota = map_fixture ("gemini-error-429.json", 429);

  /* A bad key is Google's 400, but the gateway's credential failed. */
  g_assert_cmpint (key->status, ==, 502);
  g_assert_cmpstr (key->code, ==, "upstream_auth_failed");
  g_assert_nonnull (strstr (key->message, "API key not valid"));

  g_assert_cmpint (missing->status, ==, 404);
  g_assert_cmpstr (missing->type, ==, "invalid_request_error");
  g_assert_true (g_str_has_prefix (missing->message, "google: models/gemini-9.0-ultra is not found"));

  g_assert_cmpint (quota->status, ==, 429);
  g_assert_cmpstr (quota->code, ==, "upstream_rate_limited");
  g_assert_cmpint (quota->retry_after, ==, 17);
}

static void
test_errors_statuses (void)
{
  g_autoptr(GrApiError) unavailable = map_text (
    "{\"error\":{\"code\":503,\"message\":\"The model is overloaded.\",\"status\":\"UNAVAILABLE\"}}", 503);
  g_autoptr(GrApiError) deadline = map_text (
    "{\"error\":{\"code\":504,\"message\":\"Deadline expired.\",\"status\":\"DEADLINE_EXCEEDED\"}}", 504);
  g_autoptr(GrApiError) internal = map_text (
    "{\"error\":{\"code\":500,\"message\":\"Internal error.\",\"status\":\"INTERNAL\"}}", 500);
  g_autoptr(GrApiError) denied = map_text (
    "{\"error\":{\"code\":403,\"message\":\"Permission denied.\",\"status\":\"PERMISSION_DENIED\"}}", 403);
  g_autoptr(GrApiError) wrapped = map_text (
    "[{\"error\":{\"code\":400,\"message\":\"Bad field.\",\"status\":\"INVALID_ARGUMENT\"}}]", 400);
  g_autoptr(GrApiError) garbage = map_text ("<html>Bad Gateway</html>", 502);
  g_autoptr(GrApiError) leaky = map_text (
    "{\"error\":{\"code\":400,\"message\":\"key " TEST_API_KEY " rejected\",\"status\":\"INVALID_ARGUMENT\"}}", 400);

  g_assert_cmpint (unavailable->status, ==, 503);
  g_assert_cmpstr (unavailable->code, ==, "upstream_overloaded");
  g_assert_cmpint (deadline->status, ==, 504);
  g_assert_cmpstr (deadline->code, ==, "upstream_timeout");
  g_assert_cmpint (internal->status, ==, 502);
  g_assert_cmpint (denied->status, ==, 502);
  g_assert_cmpstr (denied->code, ==, "upstream_auth_failed");
  g_assert_cmpint (wrapped->status, ==, 400);
  g_assert_nonnull (strstr (wrapped->message, "Bad field."));
  g_assert_cmpint (garbage->status, ==, 502);
  g_assert_null (strstr (leaky->message, TEST_API_KEY));
  g_assert_nonnull (strstr (leaky->message, "[redacted]"));
}

/* ------------------------------------------------------------------ */
/* Streaming                                                            */
/* ------------------------------------------------------------------ */

static void
test_stream_tool_fixture (void)
{
  g_autoptr(GBytes) expected = load_bytes ("gateway-from-gemini-stream-tool.sse");
  g_autofree char *expected_text = g_strndup (g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
  g_autoptr(GBytes) bytes = load_bytes ("gemini-stream-tool.sse");
  g_autofree char *signed_id = signed_fixture_call_id ();
  g_autoptr(GPtrArray) calls = NULL;
  TestSse sse;
  GrUsage usage;

  test_sse_init (&sse, TRUE);
  test_sse_feed (&sse, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_assert_cmpuint (sse.n_events, ==, 3);
  g_assert_cmpstr (ops->stream_finish_reason (sse.state), ==, "tool_calls");
  /* Not finished yet: Gemini's only terminator is the end of the body. */
  g_assert_false (ops->stream_finished (sse.state));
  ops->stream_end (sse.state, sse.out);
  g_assert_true (ops->stream_finished (sse.state));
  g_assert_null (ops->stream_error (sse.state));
  ops->stream_usage (sse.state, &usage);
  g_assert_true (usage.known);
  g_assert_cmpint (usage.prompt_tokens, ==, 58);
  g_assert_cmpint (usage.completion_tokens, ==, 136);

  assert_events_match (sse.out->str, expected_text);
  /* Streamed or not, one Gemini response yields the same call id. */
  calls = streamed_tool_calls (sse.out->str);
  g_assert_cmpuint (calls->len, ==, 1);
  g_assert_cmpstr (gr_json_get_string (calls->pdata[0], "id"), ==, signed_id);
  test_sse_clear (&sse);
}

static void
assert_split_everywhere (const char *name)
{
  g_autoptr(GBytes) bytes = load_bytes (name);
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);
  g_autofree char *whole = run_stream_bytes (data, len, len, TRUE);

  g_assert_nonnull (strstr (data, "\r\n\r\n"));
  for (gsize split = 0; split <= len; split++)
    {
      g_autofree char *out = run_stream_bytes (data, len, split, TRUE);

      assert_events_match (out, whole);
      if (g_test_failed ())
        {
          g_test_message ("%s: output differs when split at byte %" G_GSIZE_FORMAT, name, split);
          return;
        }
    }
}

static void
test_stream_split_everywhere (void)
{
  assert_split_everywhere ("gemini-stream-tool.sse");
  assert_split_everywhere ("gemini-stream-text.sse");
  assert_split_everywhere ("gemini-stream-parallel-tools.sse");
}

static char *
joined_content (const char *out)
{
  g_autoptr(GPtrArray) events = client_events (out);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < events->len; i++)
    {
      g_autoptr(JsonNode) chunk = NULL;
      JsonArray *choices;

      if (g_str_equal (events->pdata[i], "[DONE]"))
        continue;
      chunk = parse_json (events->pdata[i]);
      choices = gr_json_get_array (json_node_get_object (chunk), "choices");
      if (choices != NULL && json_array_get_length (choices) > 0)
        {
          const char *content = gr_json_get_string (
            gr_json_get_object (json_array_get_object_element (choices, 0), "delta"), "content");

          if (content != NULL)
            g_string_append (text, content);
        }
    }
  return g_string_free (text, FALSE);
}

static void
test_stream_text (void)
{
  g_autofree char *out = run_stream_fixture ("gemini-stream-text.sse", TRUE);
  g_autofree char *content = joined_content (out);
  g_autoptr(GPtrArray) events = client_events (out);
  g_autoptr(JsonNode) usage_chunk = parse_json (events->pdata[events->len - 2]);
  g_autoptr(JsonNode) finish_chunk = parse_json (events->pdata[events->len - 3]);

  g_assert_cmpstr (content, ==, "Yes. Light rain is expected in Paris until about 17:00, so take an umbrella.");
  /* role, two deltas (the empty last text sends none), finish, usage, [DONE] */
  g_assert_cmpuint (events->len, ==, 6);
  g_assert_cmpstr (events->pdata[events->len - 1], ==, "[DONE]");
  g_assert_cmpstr (gr_json_get_string (path_object (finish_chunk, "$.choices[0]"), "finish_reason"), ==, "stop");
  g_assert_cmpint (gr_json_get_int (path_object (usage_chunk, "$.usage"), "completion_tokens", 0), ==, 84);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (usage_chunk),
                                                                         "choices")), ==, 0);
}

static void
test_stream_parallel_tools (void)
{
  g_autofree char *out = run_stream_fixture ("gemini-stream-parallel-tools.sse", TRUE);
  g_autoptr(GPtrArray) calls = streamed_tool_calls (out);
  g_autoptr(GPtrArray) events = client_events (out);
  g_autoptr(JsonNode) usage_chunk = parse_json (events->pdata[events->len - 2]);
  g_autoptr(JsonNode) finish_chunk = parse_json (events->pdata[events->len - 3]);
  JsonObject *usage = path_object (usage_chunk, "$.usage");
  const char *names[] = { "get_weather", "get_weather", "get_time" };
  const char *arguments[] = { "{\"city\":\"Paris\"}", "{\"city\":\"Oslo\"}", "{}" };

  g_assert_cmpuint (calls->len, ==, 3);
  for (guint i = 0; i < calls->len; i++)
    {
      JsonObject *call = calls->pdata[i];
      JsonObject *function = gr_json_get_object (call, "function");

      g_assert_cmpint (gr_json_get_int (call, "index", -1), ==, i);
      g_assert_true (valid_call_id (gr_json_get_string (call, "id")));
      g_assert_cmpstr (gr_json_get_string (call, "type"), ==, "function");
      g_assert_cmpstr (gr_json_get_string (function, "name"), ==, names[i]);
      g_assert_cmpstr (gr_json_get_string (function, "arguments"), ==, arguments[i]);
      for (guint j = 0; j < i; j++)
        g_assert_cmpstr (gr_json_get_string (call, "id"), !=, gr_json_get_string (calls->pdata[j], "id"));
    }
  g_assert_cmpint (gr_json_get_int (usage, "prompt_tokens", 0), ==, 40);
  g_assert_cmpint (gr_json_get_int (usage, "completion_tokens", 0), ==, 80);
  g_assert_cmpint (gr_json_get_int (usage, "total_tokens", 0), ==, 120);
  g_assert_cmpint (gr_json_get_int (gr_json_get_object (usage, "prompt_tokens_details"), "cached_tokens", 0), ==, 16);
  g_assert_cmpint (gr_json_get_int (gr_json_get_object (usage, "completion_tokens_details"), "reasoning_tokens", 0),
                   ==, 50);
  g_assert_cmpstr (gr_json_get_string (path_object (finish_chunk, "$.choices[0]"), "finish_reason"), ==,
                   "tool_calls");
}

static void
test_stream_truncated (void)
{
  g_autoptr(GBytes) bytes = load_bytes ("gemini-stream-tool.sse");
  const char *data = g_bytes_get_data (bytes, NULL);
  const char *third = strstr (strstr (data, "\r\n\r\n") + 4, "\r\n\r\n") + 4;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(JsonNode) error_event = NULL;
  TestSse sse;
  const GrApiError *error;

  test_sse_init (&sse, TRUE);
  test_sse_feed (&sse, data, third - data);
  ops->stream_end (sse.state, sse.out);
  g_assert_true (ops->stream_finished (sse.state));
  error = ops->stream_error (sse.state);
  g_assert_nonnull (error);
  g_assert_cmpint (error->status, ==, 502);
  g_assert_cmpstr (error->code, ==, "upstream_error");
  g_assert_null (ops->stream_finish_reason (sse.state));

  events = client_events (sse.out->str);
  g_assert_cmpstr (events->pdata[events->len - 1], ==, "[DONE]");
  error_event = parse_json (events->pdata[events->len - 2]);
  g_assert_nonnull (strstr (gr_json_get_string (path_object (error_event, "$.error"), "message"), "ended early"));
  /* A second end changes nothing. */
  g_string_truncate (sse.out, 0);
  ops->stream_end (sse.state, sse.out);
  g_assert_cmpuint (sse.out->len, ==, 0);
  test_sse_clear (&sse);
}

static void
test_stream_without_usage (void)
{
  g_autofree char *out = run_stream_fixture ("gemini-stream-tool.sse", FALSE);
  g_autoptr(GPtrArray) events = client_events (out);

  g_assert_cmpuint (events->len, ==, 6);
  g_assert_null (strstr (out, "\"usage\""));
  g_assert_cmpstr (events->pdata[events->len - 1], ==, "[DONE]");

  /* Usage is still recorded for the gateway's own accounting. */
  {
    g_autoptr(GBytes) bytes = load_bytes ("gemini-stream-tool.sse");
    TestSse sse;
    GrUsage usage;

    test_sse_init (&sse, FALSE);
    test_sse_feed (&sse, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    ops->stream_end (sse.state, sse.out);
    ops->stream_usage (sse.state, &usage);
    g_assert_true (usage.known);
    g_assert_cmpint (usage.reasoning_tokens, ==, 112);
    test_sse_clear (&sse);
  }
}

static void
test_stream_error_event (void)
{
  const char *stream =
    "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hel\"}],\"role\":\"model\"},\"index\":0}],"
    "\"responseId\":\"e1\"}\r\n\r\n"
    "data: {\"error\":{\"code\":503,\"message\":\"The model is overloaded.\",\"status\":\"UNAVAILABLE\"}}\r\n\r\n"
    "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"lo\"}],\"role\":\"model\"},"
    "\"finishReason\":\"STOP\",\"index\":0}]}\r\n\r\n";
  g_autofree char *out = run_stream_bytes (stream, strlen (stream), 0, TRUE);
  g_autoptr(GPtrArray) events = client_events (out);
  g_autoptr(JsonNode) error_event = parse_json (events->pdata[2]);

  /* role, "Hel", error, [DONE]; nothing after the error. */
  g_assert_cmpuint (events->len, ==, 4);
  g_assert_cmpstr (gr_json_get_string (path_object (error_event, "$.error"), "code"), ==, "upstream_overloaded");
  g_assert_cmpstr (events->pdata[3], ==, "[DONE]");
}

static void
test_stream_blocked (void)
{
  const char *stream =
    "data: {\"promptFeedback\":{\"blockReason\":\"PROHIBITED_CONTENT\"},"
    "\"usageMetadata\":{\"promptTokenCount\":12,\"totalTokenCount\":12},\"responseId\":\"b1\"}\r\n\r\n";
  g_autofree char *out = run_stream_bytes (stream, strlen (stream), 7, FALSE);
  g_autoptr(GPtrArray) events = client_events (out);
  g_autoptr(JsonNode) role = parse_json (events->pdata[0]);
  g_autoptr(JsonNode) finish = parse_json (events->pdata[1]);

  g_assert_cmpuint (events->len, ==, 3);
  g_assert_cmpstr (gr_json_get_string (path_object (role, "$.choices[0].delta"), "role"), ==, "assistant");
  g_assert_cmpstr (gr_json_get_string (path_object (finish, "$.choices[0]"), "finish_reason"), ==,
                   "content_filter");
  g_assert_cmpstr (gr_json_get_string (json_node_get_object (finish), "id"), ==, "chatcmpl-b1");
}

static void
test_stream_malformed (void)
{
  const char *stream = "data: {\"candidates\": [\r\n\r\n";
  g_autofree char *out = run_stream_bytes (stream, strlen (stream), 3, TRUE);
  g_autoptr(GPtrArray) events = client_events (out);

  g_assert_cmpuint (events->len, ==, 2);
  g_assert_nonnull (strstr (events->pdata[0], "upstream_error"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gaiarouter/gemini/request/fixture", test_request_fixture);
  g_test_add_func ("/gaiarouter/gemini/request/foreign-ids", test_request_foreign_ids);
  g_test_add_func ("/gaiarouter/gemini/request/extra-content-signature", test_request_extra_content_signature);
  g_test_add_func ("/gaiarouter/gemini/request/merged-roles", test_request_merged_roles);
  g_test_add_func ("/gaiarouter/gemini/request/tool-results-by-name", test_request_tool_results_by_name);
  g_test_add_func ("/gaiarouter/gemini/request/media", test_request_media);
  g_test_add_func ("/gaiarouter/gemini/request/media-errors", test_request_media_errors);
  g_test_add_func ("/gaiarouter/gemini/request/tool-choice", test_request_tool_choice);
  g_test_add_func ("/gaiarouter/gemini/request/response-format", test_request_response_format);
  g_test_add_func ("/gaiarouter/gemini/request/generation-config", test_request_generation_config);
  g_test_add_func ("/gaiarouter/gemini/request/max-completion-tokens", test_request_max_completion_tokens);
  g_test_add_func ("/gaiarouter/gemini/request/errors", test_request_errors);
  g_test_add_func ("/gaiarouter/gemini/response/tool", test_response_tool);
  g_test_add_func ("/gaiarouter/gemini/response/text", test_response_text);
  g_test_add_func ("/gaiarouter/gemini/response/blocked", test_response_blocked);
  g_test_add_func ("/gaiarouter/gemini/response/details", test_response_details);
  g_test_add_func ("/gaiarouter/gemini/response/invalid", test_response_invalid);
  g_test_add_func ("/gaiarouter/gemini/roundtrip/response-signature", test_roundtrip_response_signature);
  g_test_add_func ("/gaiarouter/gemini/roundtrip/odd-signatures", test_roundtrip_odd_signatures);
  g_test_add_func ("/gaiarouter/gemini/roundtrip/stream-parallel", test_roundtrip_stream_parallel);
  g_test_add_func ("/gaiarouter/gemini/errors/fixtures", test_errors_fixtures);
  g_test_add_func ("/gaiarouter/gemini/errors/statuses", test_errors_statuses);
  g_test_add_func ("/gaiarouter/gemini/stream/tool-fixture", test_stream_tool_fixture);
  g_test_add_func ("/gaiarouter/gemini/stream/split-everywhere", test_stream_split_everywhere);
  g_test_add_func ("/gaiarouter/gemini/stream/text", test_stream_text);
  g_test_add_func ("/gaiarouter/gemini/stream/parallel-tools", test_stream_parallel_tools);
  g_test_add_func ("/gaiarouter/gemini/stream/truncated", test_stream_truncated);
  g_test_add_func ("/gaiarouter/gemini/stream/without-usage", test_stream_without_usage);
  g_test_add_func ("/gaiarouter/gemini/stream/error-event", test_stream_error_event);
  g_test_add_func ("/gaiarouter/gemini/stream/blocked", test_stream_blocked);
  g_test_add_func ("/gaiarouter/gemini/stream/malformed", test_stream_malformed);

  return g_test_run ();
}
