/* test-json-scan.c — the byte-level JSON member scanner
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "providers/gr-json-scan.h"

static const char * const names[] = { "model", "usage", NULL };

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
      g_test_message ("%s", bad[i]);
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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gaiarouter/json-scan/spans", test_spans);
  g_test_add_func ("/gaiarouter/json-scan/absent", test_absent);
  g_test_add_func ("/gaiarouter/json-scan/rejects", test_rejects);
  g_test_add_func ("/gaiarouter/json-scan/depth", test_depth);
  g_test_add_func ("/gaiarouter/json-scan/remove-member", test_remove_member);
  g_test_add_func ("/gaiarouter/json-scan/append-string", test_append_string);
  g_test_add_func ("/gaiarouter/json-scan/fixtures-agree", test_fixtures_agree);

  return g_test_run ();
}
