/* test-json-scan.c — the byte-level JSON member scanner
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "providers/gr-json-scan.h"
#include "providers/gr-provider.h"

/* g_test_message() for a case's text: escaped, since TAP is UTF-8 and
 * some cases are not. */
static void
test_message_escaped (const char *text)
{
  g_autofree char *escaped = g_strescape (text, NULL);

  g_test_message ("%s", escaped);
}

static const char * const names[] = { "model", "usage", NULL };

static int
data_char (const char *text,
           gssize      offset)
{
  return text[offset];
}

static void
test_spans (void)
{
  const char *text = " {\"id\":\"x\", \"model\" : \"gpt-4o\",\"nested\":{\"model\":\"no\"},\"usage\":{\"a\":[1,2.5e3,-1]} } ";
  GrJsonSpan spans[2];

  g_assert_true (gr_json_scan_object (text, strlen (text), names, spans));
  g_assert_cmpint (spans[0].key_start, ==, strstr (text, "\"model\" :") - text);
  g_assert_cmpmem (text + spans[0].value_start, spans[0].value_end - spans[0].value_start, "\"gpt-4o\"", 8);
  g_assert_cmpmem (text + spans[1].value_start, spans[1].value_end - spans[1].value_start,
                   "{\"a\":[1,2.5e3,-1]}", 18);
}

static void
test_absent (void)
{
  GrJsonSpan spans[2];

  g_assert_true (gr_json_scan_object ("{}", 2, names, spans));
  g_assert_cmpint (spans[0].key_start, ==, -1);
  g_assert_cmpint (spans[1].value_end, ==, -1);
}

static void
test_rejects (void)
{
  static const char *bad[] = {
    "", "[]", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{\"a\":1} x", "{\"a\":tru}",
    "{\"a\":\"unterminated}", "{\"a\":\"bad \\q escape\"}", "{\"a\":\"ctl \x01\"}",
    "{\"a\":\"\\u12\"}", "{\"a\":[1,2}", "{\"a\":\"\xff\"}", "{a:1}", "{\"a\":-}",
    /* Lone surrogates: not characters, refused by clients' parsers. */
    "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}", "{\"a\":\"\\ud800\\u0041\"}",
  };
  GrJsonSpan spans[2];

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      test_message_escaped (bad[i]);
      g_assert_false (gr_json_scan_object (bad[i], strlen (bad[i]), names, spans));
    }
}

static void
test_depth (void)
{
  g_autoptr(GString) deep = g_string_new ("{\"a\":");
  GrJsonSpan spans[2];

  for (int i = 0; i < 200; i++)
    g_string_append_c (deep, '[');
  for (int i = 0; i < 200; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  g_assert_false (gr_json_scan_object (deep->str, deep->len, names, spans));
}

static void
assert_valid_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
}

static void
test_remove_member (void)
{
  static const char *cases[][2] = {
    { "{\"model\":\"m\",\"usage\":null,\"x\":1}", "{\"model\":\"m\",\"x\":1}" },
    { "{\"usage\":null,\"model\":\"m\"}", "{\"model\":\"m\"}" },
    { "{\"model\":\"m\", \"usage\" : null }", "{\"model\":\"m\" }" },
    { "{\"usage\":null}", "{}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *text = cases[i][0];
      GrJsonSpan spans[2];
      g_autoptr(GString) out = g_string_new (NULL);

      g_assert_true (gr_json_scan_object (text, strlen (text), names, spans));
      gr_json_append_without (out, text, strlen (text), &spans[1]);
      g_assert_cmpstr (out->str, ==, cases[i][1]);
      assert_valid_json (out->str);
    }
}

static void
test_append_string (void)
{
  g_autoptr(GString) out = g_string_new ("{\"m\":");
  g_autoptr(JsonNode) node = NULL;

  gr_json_append_string (out, "a\"b\\c\nd\x01 你好");
  g_string_append_c (out, '}');
  node = json_from_string (out->str, NULL);
  g_assert_nonnull (node);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "m"), ==, "a\"b\\c\nd\x01 你好");
}

/* Everything the fixtures hold scans the way json-glib parses it. */
static void
test_fixtures_agree (void)
{
  static const char *files[] = { "openai-response.json", "openai-response-tool.json",
                                 "openrouter-response.json", "ollama-response.json" };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "wire", files[i], NULL);
      g_autofree char *data = NULL;
      gsize len;
      GrJsonSpan spans[2];
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(JsonNode) usage = NULL;
      g_autofree char *model = NULL;

      g_assert_true (g_file_get_contents (path, &data, &len, NULL));
      g_assert_true (gr_json_scan_object (data, len, names, spans));
      node = json_from_string (data, NULL);
      model = g_strndup (data + spans[0].value_start + 1, spans[0].value_end - spans[0].value_start - 2);
      g_assert_cmpstr (model, ==, json_object_get_string_member (json_node_get_object (node), "model"));
      {
        g_autofree char *text = g_strndup (data + spans[1].value_start, spans[1].value_end - spans[1].value_start);

        usage = json_from_string (text, NULL);
      }
      g_assert_true (json_node_equal (usage, json_object_get_member (json_node_get_object (node), "usage")));
    }
}


/* The strict scan refuses what a decoder could read differently from the
 * raw bytes: escaped and repeated top-level names. */
static void
test_strict (void)
{
  static const char *refused[] = {
    "{\"model\":\"a\",\"model\":\"b\"}",
    "{\"model\":\"a\",\"mod\\u0065l\":\"b\"}",
    "{\"mod\\u0065l\":\"b\"}",
    "{\"x\":1,\"y\":2,\"x\":3}",
    "{\"a\\\"b\":1}",
  };
  static const char *accepted[] = {
    "{\"model\":\"a\",\"messages\":[{\"model\":\"b\",\"model\":\"c\"}]}",
    "{\"model\":\"a\\u0065\",\"modelx\":\"b\",\"xmodel\":1}",
    " { \"model\" : \"a\" } ",
  };
  GrJsonSpan spans[2];

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      test_message_escaped (refused[i]);
      g_assert_true (gr_json_scan_object (refused[i], strlen (refused[i]), names, spans));
      g_assert_false (gr_json_scan_object_strict (refused[i], strlen (refused[i]), names, spans));
    }
  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      test_message_escaped (accepted[i]);
      g_assert_true (gr_json_scan_object_strict (accepted[i], strlen (accepted[i]), names, spans));
      g_assert_cmpint (data_char (accepted[i], spans[0].value_start), ==, '"');
      g_assert_cmpint (spans[0].value_end - spans[0].value_start, ==,
                       i == 1 ? 9 : 3);
    }

  {
    /* More members than the strict scan tracks: refused, not misread. */
    g_autoptr(GString) many = g_string_new ("{");

    for (guint i = 0; i <= GR_JSON_SCAN_MAX_MEMBERS; i++)
      g_string_append_printf (many, "%s\"k%u\":%u", i ? "," : "", i, i);
    g_string_append_c (many, '}');
    g_assert_true (gr_json_scan_object (many->str, many->len, names, spans));
    g_assert_false (gr_json_scan_object_strict (many->str, many->len, names, spans));
  }
}

static void
test_iter (void)
{
  static const char * const arr[] = { "a", NULL };
  const char *text = "{\"a\": [ {\"x\":[1,{\"y\":\"],\"}]} , \"s\\\"]\",3.5e1,[] ,null ] }";
  const char *expected[] = { "{\"x\":[1,{\"y\":\"],\"}]}", "\"s\\\"]\"", "3.5e1", "[]", "null" };
  GrJsonSpan span;
  GrJsonIter iter;
  gssize start, end;
  guint n = 0;

  g_assert_true (gr_json_scan_object (text, strlen (text), arr, &span));
  gr_json_iter_init (&iter, &span);
  while (gr_json_iter_next (&iter, text, &start, &end))
    {
      g_assert_cmpuint (n, <, G_N_ELEMENTS (expected));
      g_assert_cmpmem (text + start, end - start, expected[n], strlen (expected[n]));
      n++;
    }
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (expected));

  text = "{\"a\":[ ]}";
  g_assert_true (gr_json_scan_object (text, strlen (text), arr, &span));
  g_assert_true (gr_json_span_is_empty (text, &span));
  gr_json_iter_init (&iter, &span);
  g_assert_false (gr_json_iter_next (&iter, text, &start, &end));
}

/* The UTF-8 check reads eight bytes at a time until a high bit or a NUL:
 * bad bytes and NULs are refused wherever they sit, and good multi-byte
 * characters are accepted wherever they sit, at every offset. */
static void
test_utf8_at_every_offset (void)
{
  static const struct { const char *bytes; gsize len; gboolean ok; } inserts[] = {
    { "\xc3\xa9", 2, TRUE },            /* é */
    { "\xe2\x82\xac", 3, TRUE },        /* € */
    { "\xf0\x9f\x98\x80", 4, TRUE },    /* 😀 */
    { "\xff", 1, FALSE },
    { "\xc3", 1, FALSE },                /* truncated */
    { "\xed\xa0\x80", 3, FALSE },        /* encoded surrogate */
    { "\0", 1, FALSE },
  };
  GrJsonSpan spans[2];

  for (guint i = 0; i < G_N_ELEMENTS (inserts); i++)
    for (guint pad = 0; pad < 24; pad++)
      {
        g_autoptr(GString) text = g_string_new ("{\"model\":\"");

        for (guint k = 0; k < pad; k++)
          g_string_append_c (text, 'a');
        g_string_append_len (text, inserts[i].bytes, inserts[i].len);
        g_string_append (text, "\",\"usage\":{\"a\":\"tail after the insert\"}}");
        g_assert_cmpint (gr_json_scan_object (text->str, text->len, names, spans), ==, inserts[i].ok);
      }
}

static void
test_counts (void)
{
  static const char * const n[] = { "c", NULL };
  static const struct { const char *text; gboolean sure; gint64 count; } cases[] = {
    { "{\"c\":12}", TRUE, 12 },
    { "{\"c\":0}", TRUE, 0 },
    { "{}", TRUE, 0 },
    { "{\"c\":null}", TRUE, 0 },
    { "{\"c\":-5}", TRUE, 0 },
    { "{\"c\":999999999999999999}", TRUE, GR_TOKEN_COUNT_MAX },
    { "{\"c\":1000000000000000000}", FALSE, 0 },   /* 19 digits: the DOM decides */
    { "{\"c\":1.5}", FALSE, 0 },
    { "{\"c\":1e3}", FALSE, 0 },
    { "{\"c\":\"12\"}", FALSE, 0 },
    { "{\"c\":true}", FALSE, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GrJsonSpan span;
      gint64 count = -1;

      test_message_escaped (cases[i].text);
      g_assert_true (gr_json_scan_object (cases[i].text, strlen (cases[i].text), n, &span));
      g_assert_cmpint (gr_json_span_get_count (cases[i].text, &span, GR_TOKEN_COUNT_MAX, &count), ==, cases[i].sure);
      if (cases[i].sure)
        g_assert_cmpint (count, ==, cases[i].count);
    }
}

/* Reading usage from the bytes gives what the DOM reader gives, or
 * declines. */
static void
test_usage_text (void)
{
  static const struct { const char *text; gboolean sure; } cases[] = {
    { "{\"prompt_tokens\":11,\"completion_tokens\":22,\"total_tokens\":33}", TRUE },
    { "{\"prompt_tokens\":11,\"completion_tokens\":22,\"prompt_tokens_details\":{\"cached_tokens\":3,\"audio_tokens\":0},"
      "\"completion_tokens_details\":{\"reasoning_tokens\":7}}", TRUE },
    { "{\"prompt_tokens\":5,\"completion_tokens\":6,\"cost\":0.000123,\"prompt_tokens_details\":{\"cache_write_tokens\":2}}", TRUE },
    { "{\"prompt_tokens\":5,\"completion_tokens\":6,\"cost\":null,\"prompt_tokens_details\":null}", TRUE },
    { "{\"prompt_tokens\":-5,\"completion_tokens\":6,\"cost\":-1}", TRUE },
    { "{\"prompt_tokens\":5,\"prompt_tokens\":9}", FALSE },           /* repeated */
    { "{\"prompt_t\\u006fkens\":5}", FALSE },                         /* escaped */
    { "{\"prompt_tokens\":5.0}", FALSE },
    { "{\"prompt_tokens\":5,\"cost\":\"0.1\"}", FALSE },
    { "{\"prompt_tokens\":5,\"completion_tokens_details\":{\"reasoning_tokens\":1,\"reasoning_tokens\":2}}", FALSE },
    { "{\"prompt_tokens\":5,\"completion_tokens_details\":[1]}", TRUE },
    { "{}", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) node = json_from_string (cases[i].text, NULL);
      GrUsage dom, text;

      test_message_escaped (cases[i].text);
      gr_usage_init (&dom);
      gr_usage_init (&text);
      gr_usage_from_openai (&dom, json_node_get_object (node));
      g_assert_cmpint (gr_usage_from_openai_text (&text, cases[i].text, strlen (cases[i].text)), ==, cases[i].sure);
      if (!cases[i].sure)
        {
          /* Declined: untouched. */
          g_assert_false (text.known);
          continue;
        }
      g_assert_cmpmem (&dom, sizeof dom, &text, sizeof text);
    }
}

/* The raw request builder makes the same request as the DOM builder, or
 * declines; never routes or rewrites on a nested or disguised "model". */
static void
test_build_raw (void)
{
  static const struct { const char *body; gboolean raw; } cases[] = {
    { "{\"model\":\"client\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", TRUE },
    { " { \"messages\" : [ {\"role\":\"user\",\"content\":\"x\",\"model\":\"nested\"} ] ,\n\t\"model\" : \"client\" } ", TRUE },
    { "{\"model\":\"client\",\"stream_options\":{\"include_usage\":false,\"x\":1},\"messages\":[{\"role\":\"user\",\"content\":\"caf\\u00e9 \\ud83d\\ude00 \\\"model\\\": \\\"evil\\\"\"}]}", TRUE },
    { "{\"stream_options\":null , \"model\":\"client\",\"messages\":[{\"role\":\"system\",\"content\":\"s\"}],\"temperature\":0.5}", TRUE },
    { "{\"model\":\"client\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream_options\":{}}", TRUE },
    { "{\"model\":\"a\",\"model\":\"client\",\"messages\":[]}", FALSE },
    { "{\"model\":\"client\",\"mod\\u0065l\":\"evil\",\"messages\":[]}", FALSE },
    { "{\"model\":\"client\",\"messages\":[{\"role\":\"developer\",\"content\":\"d\"}]}", FALSE },
    { "{\"model\":\"client\",\"messages\":[{\"role\":\"develop\\u0065r\",\"content\":\"d\"}]}", FALSE },
    { "{\"model\":\"client\",\"messages\":[{\"role\":\"user\",\"content\":\"developer\"}]}", TRUE },
  };
  GrProviderInfo info = { .name = (char *) "p", .base_url = (char *) "http://127.0.0.1:1/v1" };

  for (guint k = 0; k < 2; k++)
    for (guint st = 0; st < 2; st++)
      for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
        {
          GrTranslateContext ctx = { .client_model = "client", .upstream_model = "up\"stream/model",
                                     .stream = st == 1 };
          g_autoptr(GrUpstreamRequest) raw = NULL;
          g_autoptr(GrUpstreamRequest) dom = NULL;
          g_autoptr(JsonNode) request = json_from_string (cases[i].body, NULL);
          g_autoptr(JsonNode) raw_node = NULL;
          g_autoptr(JsonNode) dom_node = NULL;
          GrApiError *error = NULL;
          gboolean expect = cases[i].raw;

          info.kind = k == 0 ? GR_PROVIDER_KIND_OPENAI : GR_PROVIDER_KIND_OPENAI_COMPATIBLE;
          /* OpenAI itself knows "developer": nothing to rewrite there. */
          if (k == 0 && strstr (cases[i].body, "\"role\":\"develop") != NULL)
            expect = TRUE;
          g_test_message ("kind %u stream %u: %s", k, st, cases[i].body);
          raw = gr_provider_openai_ops.build_request_raw (&info, cases[i].body, strlen (cases[i].body), &ctx);
          g_assert_true ((raw != NULL) == expect);
          if (raw == NULL)
            continue;
          dom = gr_provider_openai_ops.build_request (&info, json_node_get_object (request), &ctx, &error);
          g_assert_nonnull (dom);
          g_assert_cmpstr (raw->url, ==, dom->url);
          g_assert_cmpuint (raw->headers->len, ==, dom->headers->len);
          for (guint h = 0; h < raw->headers->len; h++)
            g_assert_cmpstr (g_ptr_array_index (raw->headers, h), ==, g_ptr_array_index (dom->headers, h));
          {
            gsize len;
            const char *data = g_bytes_get_data (raw->body, &len);
            g_autofree char *text = g_strndup (data, len);
            GrJsonSpan spans[2];

            /* One top-level "model", the upstream's, and valid JSON. */
            g_assert_true (gr_json_scan_object_strict (data, len, names, spans));
            raw_node = json_from_string (text, NULL);
            g_assert_nonnull (raw_node);
          }
          {
            gsize len;
            const char *data = g_bytes_get_data (dom->body, &len);
            g_autofree char *text = g_strndup (data, len);

            dom_node = json_from_string (text, NULL);
          }
          g_assert_true (json_node_equal (raw_node, dom_node));
        }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gaiarouter/json-scan/spans", test_spans);
  g_test_add_func ("/gaiarouter/json-scan/absent", test_absent);
  g_test_add_func ("/gaiarouter/json-scan/rejects", test_rejects);
  g_test_add_func ("/gaiarouter/json-scan/utf8-at-every-offset", test_utf8_at_every_offset);
  g_test_add_func ("/gaiarouter/json-scan/depth", test_depth);
  g_test_add_func ("/gaiarouter/json-scan/remove-member", test_remove_member);
  g_test_add_func ("/gaiarouter/json-scan/append-string", test_append_string);
  g_test_add_func ("/gaiarouter/json-scan/fixtures-agree", test_fixtures_agree);
  g_test_add_func ("/gaiarouter/json-scan/strict", test_strict);
  g_test_add_func ("/gaiarouter/json-scan/iter", test_iter);
  g_test_add_func ("/gaiarouter/json-scan/counts", test_counts);
  g_test_add_func ("/gaiarouter/json-scan/usage-text", test_usage_text);
  g_test_add_func ("/gaiarouter/json-scan/build-request-raw", test_build_raw);

  return g_test_run ();
}
