/* test-errors.c — the gateway's error policy (wire-formats 2.6 / 7.6)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "core/gr-error.h"

typedef struct
{
  int         upstream;
  gboolean    overloaded;
  int         status;
  const char *type;
  const char *code;
} Case;

static void
test_upstream_mapping (void)
{
  static const Case cases[] = {
    { 400, FALSE, 400, "invalid_request_error", NULL },
    { 401, FALSE, 502, "upstream_error", "upstream_auth_failed" },
    { 403, FALSE, 502, "upstream_error", "upstream_auth_failed" },
    { 402, FALSE, 402, "insufficient_quota", "upstream_insufficient_credit" },
    { 404, FALSE, 404, "invalid_request_error", NULL },
    { 408, FALSE, 504, "timeout_error", "upstream_timeout" },
    { 413, FALSE, 413, "invalid_request_error", NULL },
    { 422, FALSE, 422, "invalid_request_error", NULL },
    { 429, FALSE, 429, "rate_limit_error", "upstream_rate_limited" },
    { 500, FALSE, 502, "upstream_error", "upstream_error" },
    { 502, FALSE, 502, "upstream_error", "upstream_error" },
    { 503, FALSE, 503, "upstream_error", "upstream_overloaded" },
    { 504, FALSE, 504, "timeout_error", "upstream_timeout" },
    { 529, FALSE, 503, "upstream_error", "upstream_overloaded" },
    { 500, TRUE, 503, "upstream_error", "upstream_overloaded" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GrApiError) e = gr_api_error_from_upstream ("anthropic", cases[i].upstream,
                                                            "boom", NULL, cases[i].overloaded);

      g_assert_cmpint (e->status, ==, cases[i].status);
      g_assert_cmpstr (e->type, ==, cases[i].type);
      g_assert_cmpstr (e->code, ==, cases[i].code);
      g_assert_true (g_str_has_prefix (e->message, "anthropic: "));
    }
}

static void
test_json_shape (void)
{
  g_autoptr(GrApiError) e = gr_api_error_new (400, "invalid_request_error", NULL, "messages",
                                              "Bad \"quote\" %d", 7);
  g_autofree char *json = gr_api_error_to_json (e);
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  JsonObject *err = json_object_get_object_member (json_node_get_object (node), "error");

  g_assert_cmpstr (json_object_get_string_member (err, "message"), ==, "Bad \"quote\" 7");
  g_assert_cmpstr (json_object_get_string_member (err, "type"), ==, "invalid_request_error");
  g_assert_cmpstr (json_object_get_string_member (err, "param"), ==, "messages");
  /* All four keys are always present, code as null. */
  g_assert_true (json_object_has_member (err, "code"));
  g_assert_true (json_object_get_null_member (err, "code"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gaiarouter/errors/upstream-mapping", test_upstream_mapping);
  g_test_add_func ("/gaiarouter/errors/json-shape", test_json_shape);

  return g_test_run ();
}
