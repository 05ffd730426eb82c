/* test-openai-provider.c — OpenAI, OpenRouter and local-server normalisation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "providers/gr-provider.h"

static char *
read_fixture (const char *name,
              gsize      *len)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "wire", name, NULL);
  char *data = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &data, len, &error);
  g_assert_no_error (error);
  return data;
}

static JsonNode *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  return node;
}

static GrProviderInfo openai_info = { "openai", GR_PROVIDER_KIND_OPENAI, "https://api.openai.com/v1", "sk-secret", NULL, NULL };
static GrProviderInfo local_info = { "ollama", GR_PROVIDER_KIND_OPENAI_COMPATIBLE, "http://127.0.0.1:11434/v1", NULL, NULL, NULL };
static GrProviderInfo router_info = { "openrouter", GR_PROVIDER_KIND_OPENROUTER, "https://openrouter.ai/api/v1", "or-key", "https://gaiarouter.org", "GaiaRouter" };

static gboolean
has_header (GrUpstreamRequest *req,
            const char        *line)
{
  for (guint i = 0; i < req->headers->len; i++)
    if (g_str_equal (g_ptr_array_index (req->headers, i), line))
      return TRUE;
  return FALSE;
}

static void
test_build_request (void)
{
  g_autoptr(JsonNode) body = parse ("{\"model\":\"openai/gpt-4o\",\"stream\":true,"
                                    "\"messages\":[{\"role\":\"developer\",\"content\":\"x\"},{\"role\":\"user\",\"content\":\"hi\"}],"
                                    "\"stream_options\":{\"include_usage\":false},\"seed\":4}");
  GrTranslateContext ctx = { "openai/gpt-4o", "gpt-4o", TRUE, FALSE, 0 };
  g_autoptr(GrUpstreamRequest) req = NULL;
  g_autoptr(JsonNode) sent = NULL;
  GrApiError *error = NULL;
  JsonObject *obj;

  req = gr_provider_openai_ops.build_request (&openai_info, json_node_get_object (body), &ctx, &error);
  g_assert_null (error);
  g_assert_cmpstr (req->url, ==, "https://api.openai.com/v1/chat/completions");
  g_assert_true (has_header (req, "Authorization: Bearer sk-secret"));
  g_assert_true (has_header (req, "Accept: text/event-stream"));

  sent = parse (g_bytes_get_data (req->body, NULL));
  obj = json_node_get_object (sent);
  g_assert_cmpstr (gr_json_get_string (obj, "model"), ==, "gpt-4o");
  /* Usage is always requested upstream, whatever the client asked. */
  g_assert_true (json_object_get_boolean_member (gr_json_get_object (obj, "stream_options"), "include_usage"));
  /* Unknown fields pass through to OpenAI. */
  g_assert_cmpint (gr_json_get_int (obj, "seed", 0), ==, 4);
  /* OpenAI keeps the developer role. */
  g_assert_cmpstr (gr_json_get_string (json_array_get_object_element (gr_json_get_array (obj, "messages"), 0), "role"), ==, "developer");
}

static void
test_build_request_local (void)
{
  g_autoptr(JsonNode) body = parse ("{\"model\":\"ollama/llama3.2\",\"messages\":[{\"role\":\"developer\",\"content\":\"x\"}]}");
  GrTranslateContext ctx = { "ollama/llama3.2", "llama3.2", FALSE, FALSE, 0 };
  g_autoptr(GrUpstreamRequest) req = NULL;
  g_autoptr(JsonNode) sent = NULL;
  GrApiError *error = NULL;
  JsonObject *obj;

  req = gr_provider_openai_ops.build_request (&local_info, json_node_get_object (body), &ctx, &error);
  g_assert_null (error);
  g_assert_cmpstr (req->url, ==, "http://127.0.0.1:11434/v1/chat/completions");
  for (guint i = 0; i < req->headers->len; i++)
    g_assert_false (g_str_has_prefix (g_ptr_array_index (req->headers, i), "Authorization"));
  sent = parse (g_bytes_get_data (req->body, NULL));
  obj = json_node_get_object (sent);
  g_assert_cmpstr (gr_json_get_string (json_array_get_object_element (gr_json_get_array (obj, "messages"), 0), "role"), ==, "system");
  g_assert_false (json_object_has_member (obj, "stream_options"));
}

static void
test_build_request_openrouter (void)
{
  g_autoptr(JsonNode) body = parse ("{\"model\":\"openrouter/meta-llama/llama-3.3-70b-instruct\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
  GrTranslateContext ctx = { "openrouter/meta-llama/llama-3.3-70b-instruct", "meta-llama/llama-3.3-70b-instruct", FALSE, FALSE, 0 };
  g_autoptr(GrUpstreamRequest) req = NULL;
  g_autoptr(JsonNode) sent = NULL;
  GrApiError *error = NULL;

  req = gr_provider_openai_ops.build_request (&router_info, json_node_get_object (body), &ctx, &error);
  g_assert_null (error);
  g_assert_true (has_header (req, "HTTP-Referer: https://gaiarouter.org"));
  g_assert_true (has_header (req, "X-Title: GaiaRouter"));
  sent = parse (g_bytes_get_data (req->body, NULL));
  g_assert_cmpstr (gr_json_get_string (json_node_get_object (sent), "model"), ==, "meta-llama/llama-3.3-70b-instruct");
}

static void
test_response (void)
{
  gsize len;
  g_autofree char *data = read_fixture ("openai-response-tool.json", &len);
  g_autoptr(JsonNode) body = parse (data);
  g_autoptr(JsonNode) out = NULL;
  GrTranslateContext ctx = { "openai/gpt-4o", "gpt-4o", FALSE, FALSE, 0 };
  GrApiError *error = NULL;
  GrUsage usage;

  gr_usage_init (&usage);
  out = gr_provider_openai_ops.translate_response (&openai_info, body, &ctx, &usage, &error);
  g_assert_null (error);
  g_assert_cmpstr (gr_json_get_string (json_node_get_object (out), "model"), ==, "openai/gpt-4o");
  g_assert_true (usage.known);
  g_assert_cmpint (usage.prompt_tokens, >, 0);
  g_assert_cmpint (usage.completion_tokens, >, 0);
}

static void
test_response_openrouter_cost (void)
{
  gsize len;
  g_autofree char *data = read_fixture ("openrouter-response.json", &len);
  g_autoptr(JsonNode) body = parse (data);
  g_autoptr(JsonNode) out = NULL;
  GrTranslateContext ctx = { "openrouter/openai/gpt-4o", "openai/gpt-4o", FALSE, FALSE, 0 };
  GrApiError *error = NULL;
  GrUsage usage;
  double cost;

  gr_usage_init (&usage);
  out = gr_provider_openai_ops.translate_response (&router_info, body, &ctx, &usage, &error);
  g_assert_null (error);
  cost = json_object_get_double_member (gr_json_get_object (json_node_get_object (body), "usage"), "cost");
  g_assert_cmpint (usage.upstream_cost_micros, ==, (gint64) (cost * 1e6 + 0.5));
}

static void
test_response_garbage (void)
{
  g_autoptr(JsonNode) body = parse ("{\"hello\":1}");
  GrTranslateContext ctx = { "openai/gpt-4o", "gpt-4o", FALSE, FALSE, 0 };
  GrApiError *error = NULL;
  GrUsage usage;

  gr_usage_init (&usage);
  g_assert_null (gr_provider_openai_ops.translate_response (&openai_info, body, &ctx, &usage, &error));
  g_assert_nonnull (error);
  g_assert_cmpint (error->status, ==, 502);
  gr_api_error_free (error);
}

typedef struct
{
  const char *file;
  int         status;
  int         want_status;
  const char *want_code;
} ErrorCase;

static void
test_errors (void)
{
  static const ErrorCase cases[] = {
    { "openai-error-401.json", 401, 502, "upstream_auth_failed" },
    { "openai-error-400-context.json", 400, 400, "context_length_exceeded" },
    { "openai-error-429.json", 429, 429, "upstream_rate_limited" },
    { "openrouter-error-402.json", 402, 402, "upstream_insufficient_credit" },
    { "openrouter-error-provider.json", 400, 400, NULL },
    { "ollama-error-404.json", 404, 404, NULL },
    { "vllm-error-400.json", 400, 400, NULL },
    { "vllm-error-400-legacy.json", 400, 400, NULL },
    { "llamacpp-error-400.json", 400, 400, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize len;
      g_autofree char *data = read_fixture (cases[i].file, &len);
      g_autoptr(GrApiError) error = gr_provider_openai_ops.map_error (&openai_info, cases[i].status, data, len);

      g_test_message ("%s → %d %s", cases[i].file, error->status, error->message);
      g_assert_cmpint (error->status, ==, cases[i].want_status);
      if (cases[i].want_code != NULL)
        g_assert_cmpstr (error->code, ==, cases[i].want_code);
      g_assert_true (g_str_has_prefix (error->message, "openai: "));
      g_assert_null (strstr (error->message, "sk-secret"));
    }
}

static void
test_error_garbage_body (void)
{
  g_autoptr(GrApiError) error = gr_provider_openai_ops.map_error (&openai_info, 500, "<html>oops", 10);

  g_assert_cmpint (error->status, ==, 502);
  g_assert_cmpstr (error->type, ==, "upstream_error");
}

/* Splits an SSE file into events the way the gateway's parser does (the
 * parser has its own tests); here only the translation matters. */
static GString *
run_stream (const GrProviderInfo *info,
            const char           *file,
            gboolean              include_usage,
            GrUsage              *usage,
            GrStreamState       **state_out)
{
  gsize len;
  g_autofree char *data = read_fixture (file, &len);
  g_auto(GStrv) events = g_strsplit (data, "\n\n", -1);
  GrTranslateContext ctx = { "client/model", "model", TRUE, include_usage, 0 };
  GrStreamState *st = gr_provider_openai_ops.stream_new (info, &ctx);
  GString *out = g_string_new (NULL);

  for (guint i = 0; events[i] != NULL; i++)
    {
      g_auto(GStrv) lines = g_strsplit (events[i], "\n", -1);

      for (guint j = 0; lines[j] != NULL; j++)
        if (g_str_has_prefix (lines[j], "data: "))
          gr_provider_openai_ops.stream_event (st, NULL, lines[j] + 6, strlen (lines[j] + 6), out);
    }
  gr_provider_openai_ops.stream_end (st, out);
  gr_provider_openai_ops.stream_usage (st, usage);
  *state_out = st;
  return out;
}

static void
test_stream_text (void)
{
  GrUsage usage;
  GrStreamState *st = NULL;
  g_autoptr(GString) out = run_stream (&openai_info, "openai-stream-text.sse", TRUE, &usage, &st);

  g_assert_true (usage.known);
  g_assert_cmpint (usage.prompt_tokens, >, 0);
  g_assert_nonnull (strstr (out->str, "\"model\":\"client/model\""));
  g_assert_nonnull (strstr (out->str, "\"choices\":[]"));
  g_assert_true (g_str_has_suffix (out->str, "data: [DONE]\n\n"));
  g_assert_cmpstr (gr_provider_openai_ops.stream_finish_reason (st), ==, "stop");
  g_assert_null (gr_provider_openai_ops.stream_error (st));
  gr_provider_openai_ops.stream_free (st);
}

static void
test_stream_strips_usage_chunk (void)
{
  GrUsage usage;
  GrStreamState *st = NULL;
  g_autoptr(GString) out = run_stream (&openai_info, "openai-stream-tool.sse", FALSE, &usage, &st);

  /* The client did not ask for usage: no usage chunk, but usage is known. */
  g_assert_true (usage.known);
  g_assert_null (strstr (out->str, "\"choices\":[]"));
  g_assert_null (strstr (out->str, "\"usage\""));
  g_assert_cmpstr (gr_provider_openai_ops.stream_finish_reason (st), ==, "tool_calls");
  gr_provider_openai_ops.stream_free (st);
}

static void
test_stream_error (void)
{
  GrUsage usage;
  GrStreamState *st = NULL;
  g_autoptr(GString) out = run_stream (&openai_info, "openai-stream-error.sse", TRUE, &usage, &st);

  g_assert_nonnull (gr_provider_openai_ops.stream_error (st));
  g_assert_nonnull (strstr (out->str, "data: {\"error\":"));
  g_assert_true (g_str_has_suffix (out->str, "data: [DONE]\n\n"));
  gr_provider_openai_ops.stream_free (st);
}

static void
test_stream_openrouter (void)
{
  GrUsage usage;
  GrStreamState *st = NULL;
  g_autoptr(GString) out = run_stream (&router_info, "openrouter-stream-tool.sse", TRUE, &usage, &st);

  g_assert_null (gr_provider_openai_ops.stream_error (st));
  g_assert_cmpint (usage.upstream_cost_micros, >, 0);
  g_assert_null (strstr (out->str, "OPENROUTER PROCESSING"));
  gr_provider_openai_ops.stream_free (st);

  g_string_free (run_stream (&router_info, "openrouter-stream-error.sse", TRUE, &usage, &st), TRUE);
  g_assert_nonnull (gr_provider_openai_ops.stream_error (st));
  g_assert_cmpstr (gr_provider_openai_ops.stream_error (st)->message, ==, "openrouter: Provider disconnected unexpectedly");
  gr_provider_openai_ops.stream_free (st);
}

static void
test_stream_truncated (void)
{
  GrTranslateContext ctx = { "m", "m", TRUE, TRUE, 0 };
  GrStreamState *st = gr_provider_openai_ops.stream_new (&openai_info, &ctx);
  g_autoptr(GString) out = g_string_new (NULL);
  const char *chunk = "{\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}";

  gr_provider_openai_ops.stream_event (st, NULL, chunk, strlen (chunk), out);
  g_assert_false (gr_provider_openai_ops.stream_finished (st));
  gr_provider_openai_ops.stream_end (st, out);
  g_assert_true (gr_provider_openai_ops.stream_finished (st));
  g_assert_nonnull (gr_provider_openai_ops.stream_error (st));
  g_assert_true (g_str_has_suffix (out->str, "data: [DONE]\n\n"));

  /* Garbage in a stream ends it with an error event as well. */
  gr_provider_openai_ops.stream_free (st);
  st = gr_provider_openai_ops.stream_new (&openai_info, &ctx);
  g_string_truncate (out, 0);
  gr_provider_openai_ops.stream_event (st, NULL, "{oops", 5, out);
  g_assert_true (gr_provider_openai_ops.stream_finished (st));
  g_assert_cmpint (gr_provider_openai_ops.stream_error (st)->status, ==, 502);
  gr_provider_openai_ops.stream_free (st);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gaiarouter/openai/build-request", test_build_request);
  g_test_add_func ("/gaiarouter/openai/build-request-local", test_build_request_local);
  g_test_add_func ("/gaiarouter/openai/build-request-openrouter", test_build_request_openrouter);
  g_test_add_func ("/gaiarouter/openai/response", test_response);
  g_test_add_func ("/gaiarouter/openai/response-openrouter-cost", test_response_openrouter_cost);
  g_test_add_func ("/gaiarouter/openai/response-garbage", test_response_garbage);
  g_test_add_func ("/gaiarouter/openai/errors", test_errors);
  g_test_add_func ("/gaiarouter/openai/error-garbage-body", test_error_garbage_body);
  g_test_add_func ("/gaiarouter/openai/stream-text", test_stream_text);
  g_test_add_func ("/gaiarouter/openai/stream-strips-usage-chunk", test_stream_strips_usage_chunk);
  g_test_add_func ("/gaiarouter/openai/stream-error", test_stream_error);
  g_test_add_func ("/gaiarouter/openai/stream-openrouter", test_stream_openrouter);
  g_test_add_func ("/gaiarouter/openai/stream-truncated", test_stream_truncated);

  return g_test_run ();
}
