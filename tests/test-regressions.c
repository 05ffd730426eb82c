/* test-regressions.c — bugs found by the fuzzers and sanitizers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One case per bug, named after what went wrong.  Leaks show up as
 * failures in the sanitizer build (scripts/test runs it with LeakSanitizer
 * on); everything else fails in any build, since g_test_init() makes
 * criticals fatal.  The inputs that found them are also kept in
 * tests/fuzz/corpus/, which the fuzz-*-replay tests run.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "core/gr-config.h"
#include "core/gr-json.h"
#include "http/gr-http.h"
#include "providers/gr-anthropic-inbound.h"
#include "providers/gr-provider.h"

static JsonObject *
object_from (const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

/* gr-anthropic-inbound.c:message_text() read choices[0].message without
 * checking it exists: a Json-CRITICAL for every /v1/messages answer from
 * an upstream that sent no choices. */
static void
test_inbound_completion_without_message (void)
{
  const char *completions[] = {
    "{}",
    "{\"choices\":[]}",
    "{\"choices\":[1]}",
    "{\"choices\":[{\"finish_reason\":\"stop\"}]}",
    "{\"choices\":[{\"message\":null}]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (completions); i++)
    {
      g_autoptr(JsonObject) completion = object_from (completions[i]);
      g_autoptr(JsonNode) message = gr_anthropic_inbound_response_from_openai (completion, "m");
      JsonArray *content;

      g_assert_nonnull (message);
      content = json_object_get_array_member (json_node_get_object (message), "content");
      g_assert_cmpuint (json_array_get_length (content), ==, 0);
    }
}

/* json-glib 1.6 accepts several top-level values and leaks all but the
 * last, leaks on "\ud83d\u0041", and turns a lone surrogate escape into
 * invalid UTF-8: "{}{}" as a request body, an upstream body or a stream
 * event leaked memory on every request, and "\ud800" in a request went
 * upstream as invalid UTF-8.  Such text is refused before json-glib sees
 * it. */
static void
test_json_several_values_refused (void)
{
  const struct { const char *text; gboolean single; } cases[] = {
    { "{}", TRUE },
    { "  {\"a\": [1, {\"b\": \"}{\"}], \"c\": \"\\\"}\"}\r\n", TRUE },
    { "[1, 2.5e3, true, null]", TRUE },
    { "\"just a string\"", TRUE },
    { "-12.5", TRUE },
    { "", TRUE },
    { "{}{}", FALSE },
    { "{} {}", FALSE },
    { "[] []", FALSE },
    { "1 {}", FALSE },
    { "{}1", FALSE },
    { "\"a\" \"b\"", FALSE },
    { "{\"a\":1}}", FALSE },
    { "{\"a\":1} /* c */", FALSE },
    { "{}/*{*/{}", FALSE },
    { "var a = {}; var b = {};", FALSE },
    { "{'a': 1}", FALSE },
    { "\"unterminated", FALSE },
    { "[\"\\ud83d\\ude00 \\u00e9 \\n\"]", TRUE },
    { "{\"a\\ud83d\\ucde\":1}", FALSE },
    { "[\"\\ud83d\\u0041\"]", FALSE },
    { "{\"\\ud800tools\":1}", FALSE },
    { "[\"\\udc00x\"]", FALSE },
    { "[\"\\u12\"]", FALSE },
    { "{\"temperature\":1e400}", FALSE },
    { "[-1E+999]", FALSE },
    { "[1e308, -2.5E-400, 12345678901234567890]", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].text);
      g_assert_cmpint (gr_json_text_is_safe (cases[i].text, strlen (cases[i].text)), ==, cases[i].single);
    }
}

static void
test_json_several_values_request_body (void)
{
  const char *body = "{\"model\":\"m\",\"messages\":[]}{\"model\":\"m\"}";
  g_autoptr(GrApiError) error = NULL;
  g_autoptr(JsonNode) root = gr_http_parse_json_data (body, strlen (body), &error);
  g_autoptr(JsonNode) single = NULL;

  g_assert_null (root);
  g_assert_nonnull (error);
  g_assert_cmpint (error->status, ==, 400);
  g_assert_cmpstr (error->code, ==, "invalid_json");

  single = gr_json_from_string ("[1][2]", NULL);
  g_assert_null (single);
  single = gr_json_from_string ("[1]", NULL);
  g_assert_nonnull (single);
}

/* Upstream text with two values: an error body falls back to the generic
 * message, a stream event is a malformed event (and nothing leaks). */
static void
test_json_several_values_upstream (void)
{
  static const GrProviderInfo info = {
    .name = (char *) "openai",
    .kind = GR_PROVIDER_KIND_OPENAI,
    .base_url = (char *) "https://upstream.invalid/v1",
  };
  static const GrTranslateContext ctx = {
    .client_model = "openai/m",
    .upstream_model = "m",
    .stream = TRUE,
  };
  const char *body = "{\"error\":{\"message\":\"first\"}}{\"error\":{\"message\":\"second\"}}";
  const char *event = "{\"choices\":[]}{\"choices\":[]}";
  g_autoptr(GrApiError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  GrStreamState *state;

  error = gr_provider_openai_ops.map_error (&info, 400, body, strlen (body));
  g_assert_nonnull (error);
  g_assert_null (strstr (error->message, "first"));
  g_assert_null (strstr (error->message, "second"));

  state = gr_provider_openai_ops.stream_new (&info, &ctx);
  gr_provider_openai_ops.stream_event (state, NULL, event, strlen (event), out);
  g_assert_true (gr_provider_openai_ops.stream_finished (state));
  g_assert_nonnull (gr_provider_openai_ops.stream_error (state));
  g_assert_nonnull (strstr (out->str, "malformed"));
  gr_provider_openai_ops.stream_free (state);
}

/* gr-config.c:gr_config_parse_listen() leaked the empty host of ":PORT". */
static void
test_config_listen_empty_host (void)
{
  const char *values[] = { ":0", ":8080", "8080" };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *host = NULL;
      g_autoptr(GError) error = NULL;
      guint16 port = 1;

      g_assert_true (gr_config_parse_listen (values[i], &host, &port, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (host, ==, "127.0.0.1");
    }
}

/* gr-config.c:read_int() passed NULL to g_strstrip() for a value
 * GKeyFile cannot unescape: criticals instead of a config error. */
static void
test_config_bad_escape (void)
{
  g_autoptr(GrConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = gr_config_load_data ("[gateway]\nkeepalive_seconds=\\q\n", -1, &error);
  g_assert_null (config);
  g_assert_error (error, GR_ERROR, GR_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "keepalive_seconds"));
}

/* gr-provider.c:gr_json_get_int() cast 9223372036854775807.0 (2^63 once a
 * double) to gint64: undefined behaviour, caught by UBSan in the fuzz build
 * ("max_tokens": 9.3e18 in a request). */
static void
test_json_get_int_double_range (void)
{
  g_autoptr(JsonObject) obj = object_from ("{\"a\":9223372036854775807.0,\"b\":-9223372036854775808.0,"
                                           "\"c\":1e300,\"d\":12.9,\"e\":9.2233720368547748e18}");

  g_assert_cmpint (gr_json_get_int (obj, "a", -7), ==, -7);
  g_assert_cmpint (gr_json_get_int (obj, "b", -7), ==, G_MININT64);
  g_assert_cmpint (gr_json_get_int (obj, "c", -7), ==, -7);
  g_assert_cmpint (gr_json_get_int (obj, "d", -7), ==, 12);
  g_assert_cmpint (gr_json_get_int (obj, "e", -7), ==, G_GINT64_CONSTANT (9223372036854774784));
}

/* json-glib 1.6 wrote a double without a '.' as "<text>.0": 6e52 became
 * "6e+52.0", which is not JSON, and U+001F went out unescaped.  A client
 * sending a large number in any field made the gateway send an upstream
 * a body it refuses (the fuzzer: "tool_zon_tokns":6e52 in a request).
 * gr_json_to_string() writes valid JSON for every value. */
static void
test_json_write_numbers_and_controls (void)
{
  const char *text = "{\"big\":6e52,\"one\":1.0,\"tenth\":0.1,\"third\":0.3333333333333333,"
                     "\"tiny\":1e-7,\"neg\":-0.0,\"int\":9007199254740993,"
                     "\"s\":\"\\u001f\\u007f\\\"\\\\/\\n\\u00e9\",\"a\":[true,false,null,{}]}";
  g_autoptr(JsonNode) root = gr_json_from_string (text, NULL);
  g_autoptr(JsonNode) back = NULL;
  g_autofree char *written = NULL;
  g_autoptr(JsonNode) inf = json_node_new (JSON_NODE_VALUE);
  g_autofree char *inf_text = NULL;

  g_assert_nonnull (root);
  written = gr_json_to_string (root);
  g_assert_cmpstr (written, ==,
                   "{\"big\":6e+52,\"one\":1.0,\"tenth\":0.1,\"third\":0.3333333333333333,"
                   "\"tiny\":1e-07,\"neg\":-0.0,\"int\":9007199254740993,"
                   "\"s\":\"\\u001f\\u007f\\\"\\\\/\\n\u00e9\",\"a\":[true,false,null,{}]}");
  back = json_from_string (written, NULL);
  g_assert_nonnull (back);
  g_assert_true (json_node_equal (root, back));

  json_node_set_double (inf, INFINITY);
  inf_text = gr_json_to_string (inf);
  g_assert_cmpstr (inf_text, ==, "null");
}

/* The request the fuzzer found, through every translator: each upstream
 * body must read back as JSON. */
static void
test_json_write_request_with_big_number (void)
{
  const char *body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                     "\"temperature\":1e0,\"tool_zon_tokns\":6e52}";
  static const GrProviderKind kinds[] = {
    GR_PROVIDER_KIND_OPENAI, GR_PROVIDER_KIND_ANTHROPIC, GR_PROVIDER_KIND_GEMINI,
  };
  g_autoptr(GrApiError) error = NULL;
  g_autoptr(JsonNode) root = gr_http_parse_json_data (body, strlen (body), &error);

  g_assert_nonnull (root);
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      GrProviderInfo info = {
        .name = (char *) "p",
        .kind = kinds[i],
        .base_url = (char *) "https://upstream.invalid/v1",
        .api_key = (char *) "k",
      };
      GrTranslateContext ctx = { .client_model = "p/m", .upstream_model = "m" };
      g_autoptr(GrUpstreamRequest) up = NULL;
      g_autoptr(JsonNode) sent = NULL;
      g_autofree char *copy = NULL;
      gsize len;
      const char *bytes;

      up = gr_provider_ops_for_kind (kinds[i])->build_request (&info, json_node_get_object (root), &ctx, &error);
      g_assert_null (error);
      g_assert_nonnull (up);
      bytes = g_bytes_get_data (up->body, &len);
      copy = g_strndup (bytes, len);
      sent = json_from_string (copy, NULL);
      g_assert_nonnull (sent);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gaiarouter/regressions/inbound-completion-without-message",
                   test_inbound_completion_without_message);
  g_test_add_func ("/gaiarouter/regressions/json-several-values-refused",
                   test_json_several_values_refused);
  g_test_add_func ("/gaiarouter/regressions/json-several-values-request-body",
                   test_json_several_values_request_body);
  g_test_add_func ("/gaiarouter/regressions/json-several-values-upstream",
                   test_json_several_values_upstream);
  g_test_add_func ("/gaiarouter/regressions/config-listen-empty-host",
                   test_config_listen_empty_host);
  g_test_add_func ("/gaiarouter/regressions/json-get-int-double-range",
                   test_json_get_int_double_range);
  g_test_add_func ("/gaiarouter/regressions/config-bad-escape",
                   test_config_bad_escape);
  g_test_add_func ("/gaiarouter/regressions/json-write-numbers-and-controls",
                   test_json_write_numbers_and_controls);
  g_test_add_func ("/gaiarouter/regressions/json-write-request-with-big-number",
                   test_json_write_request_with_big_number);
  return g_test_run ();
}
