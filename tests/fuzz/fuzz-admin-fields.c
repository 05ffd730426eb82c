/* fuzz-admin-fields.c — the admin API's body validation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is a POST or PATCH body for /v1/organizations or
 * /v1/api-keys.  It goes through the gateway's body parser, then
 * gr_admin_check_fields() with field tables shaped like the handlers' (one
 * of every field type, nullable and not, required and not),
 * gr_admin_limits_from_json() for "limits" and gr_admin_parse_time() for
 * timestamps.  Those functions touch nothing of the call but call->error,
 * so a zeroed call stands in for a real one.
 *
 * The oracle is the promise the handlers build on: once the fields
 * passed, every present field has its declared type (the handlers read
 * string lists with json_array_get_string_element and dereference the
 * result), and a refusal is a 400 naming a field.
 */
#include "config.h"

#include "api/gr-admin.h"
#include "gr-fuzz.h"
#include "http/gr-http.h"

static const GrFieldSpec fields[] = {
  { "name", GR_FIELD_STRING, FALSE, TRUE },
  { "description", GR_FIELD_STRING, TRUE, FALSE },
  { "org_id", GR_FIELD_STRING, FALSE, FALSE },
  { "status", GR_FIELD_STRING, FALSE, FALSE },
  { "permissions", GR_FIELD_STRING_LIST, FALSE, FALSE },
  { "allowed_models", GR_FIELD_STRING_LIST, TRUE, FALSE },
  { "expires_at", GR_FIELD_TIMESTAMP, TRUE, FALSE },
  { "limits", GR_FIELD_OBJECT, TRUE, FALSE },
  { "rpm", GR_FIELD_INT, TRUE, FALSE },
  { "force", GR_FIELD_BOOL, FALSE, FALSE },
  { NULL }
};

static void
check_refusal (GrAdminCall *call,
               const char  *what)
{
  if (call->error == NULL)
    gr_fuzz_fail ("%s refused without an error", what);
  if (call->error->status != 400 || call->error->param == NULL || call->error->message == NULL)
    gr_fuzz_fail ("%s refused with status %d, param %s", what, call->error->status,
                  call->error->param ? call->error->param : "(none)");
  g_clear_pointer (&call->error, gr_api_error_free);
}

/* What the handlers rely on once gr_admin_check_fields() passed. */
static void
check_types (JsonObject *obj)
{
  for (guint i = 0; fields[i].name != NULL; i++)
    {
      JsonNode *node = json_object_get_member (obj, fields[i].name);
      gint64 ms = 0;

      if (node == NULL || (JSON_NODE_HOLDS_NULL (node) && fields[i].nullable))
        continue;
      switch (fields[i].type)
        {
        case GR_FIELD_STRING:
          if (gr_json_get_string (obj, fields[i].name) == NULL)
            gr_fuzz_fail ("%s passed but is not a string", fields[i].name);
          break;
        case GR_FIELD_TIMESTAMP:
          if (!gr_admin_parse_time (gr_json_get_string (obj, fields[i].name), &ms))
            gr_fuzz_fail ("%s passed but is not a timestamp", fields[i].name);
          else
            {
              /* What the API writes back must read back the same second. */
              g_autofree char *text = gr_admin_format_time (ms);
              gint64 again = 0;

              if (text != NULL && (!gr_admin_parse_time (text, &again) || again / 1000 != ms / 1000))
                gr_fuzz_fail ("%s: %" G_GINT64_FORMAT " formats as %s, which does not read back",
                              fields[i].name, ms, text);
            }
          break;
        case GR_FIELD_STRING_LIST:
          {
            JsonArray *array = gr_json_get_array (obj, fields[i].name);

            if (array == NULL)
              gr_fuzz_fail ("%s passed but is not an array", fields[i].name);
            for (guint j = 0; j < json_array_get_length (array); j++)
              if (json_array_get_string_element (array, j) == NULL)
                gr_fuzz_fail ("%s[%u] passed but is not a string", fields[i].name, j);
          }
          break;
        case GR_FIELD_INT:
          if (gr_json_get_int (obj, fields[i].name, -1) < 0)
            gr_fuzz_fail ("%s passed but is not a non-negative integer", fields[i].name);
          break;
        case GR_FIELD_BOOL:
          if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
            gr_fuzz_fail ("%s passed but is not a boolean", fields[i].name);
          break;
        case GR_FIELD_OBJECT:
        default:
          if (gr_json_get_object (obj, fields[i].name) == NULL)
            gr_fuzz_fail ("%s passed but is not an object", fields[i].name);
          break;
        }
    }
}

static void
check_limits (GrAdminCall *call,
              JsonObject  *limits_obj,
              gboolean     with_requests_per_day)
{
  GrLimitSet limits;
  GrLimitMask which = 0;

  gr_limit_set_init_unlimited (&limits);
  if (!gr_admin_limits_from_json (call, limits_obj, with_requests_per_day, &limits, &which))
    {
      check_refusal (call, "gr_admin_limits_from_json");
      return;
    }
  if (call->error != NULL)
    gr_fuzz_fail ("gr_admin_limits_from_json passed but set an error");
  if (!with_requests_per_day && (which & GR_LIMIT_REQUESTS_PER_DAY))
    gr_fuzz_fail ("a key limit set requests_per_day");
  if (((which & GR_LIMIT_RPM) == 0 && limits.rpm != GR_LIMIT_UNLIMITED) ||
      ((which & GR_LIMIT_TOKENS_PER_DAY) == 0 && limits.tokens_per_day != GR_LIMIT_UNLIMITED) ||
      ((which & GR_LIMIT_MONTHLY_BUDGET) == 0 && limits.monthly_budget_micros != GR_LIMIT_UNLIMITED))
    gr_fuzz_fail ("a limit that was not given changed");
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GrApiError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  GrAdminCall call = { 0 };
  JsonObject *obj;
  JsonObject *limits_obj;

  gr_fuzz_init ();
  text = gr_fuzz_strndup (data, size);
  root = gr_http_parse_json_data (text, size, &error);
  if (root == NULL)
    {
      if (error == NULL || error->status != 400)
        gr_fuzz_fail ("gr_http_parse_json_data refused without a 400");
      return 0;
    }
  obj = json_node_get_object (root);

  for (int creating = 0; creating <= 1; creating++)
    {
      if (!gr_admin_check_fields (&call, obj, fields, creating, NULL))
        {
          check_refusal (&call, "gr_admin_check_fields");
          continue;
        }
      if (call.error != NULL)
        gr_fuzz_fail ("gr_admin_check_fields passed but set an error");
      check_types (obj);
    }

  /* The limits object alone, as organizations and as keys read it (the
   * handlers only call this after "limits" passed as an object). */
  limits_obj = gr_json_get_object (obj, "limits");
  if (limits_obj == NULL)
    limits_obj = obj;
  check_limits (&call, limits_obj, TRUE);
  check_limits (&call, limits_obj, FALSE);
  return 0;
}
