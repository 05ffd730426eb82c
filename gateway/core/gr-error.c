/* gr-error.c — GaiaRouter error domain and OpenAI-shaped API errors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "core/gr-error.h"
#include "core/gr-json.h"

G_DEFINE_QUARK (gr-error-quark, gr_error)

static GrApiError *
error_new_valist (int         status,
                  const char *type,
                  const char *code,
                  const char *param,
                  const char *format,
                  va_list     args)
{
  GrApiError *error = g_new0 (GrApiError, 1);

  error->status = status;
  error->type = g_strdup (type);
  error->code = g_strdup (code);
  error->param = g_strdup (param);
  error->message = g_strdup_vprintf (format, args);
  return error;
}

GrApiError *
gr_api_error_new (int         status,
                  const char *type,
                  const char *code,
                  const char *param,
                  const char *format,
                  ...)
{
  GrApiError *error;
  va_list args;

  va_start (args, format);
  error = error_new_valist (status, type, code, param, format, args);
  va_end (args);
  return error;
}

GrApiError *
gr_api_error_invalid_request (const char *code,
                              const char *param,
                              const char *format,
                              ...)
{
  GrApiError *error;
  va_list args;

  va_start (args, format);
  error = error_new_valist (400, "invalid_request_error", code, param, format, args);
  va_end (args);
  return error;
}

void
gr_api_error_free (GrApiError *error)
{
  if (error == NULL)
    return;
  g_free (error->type);
  g_free (error->code);
  g_free (error->param);
  g_free (error->message);
  g_free (error);
}

GrApiError *
gr_api_error_copy (const GrApiError *error)
{
  GrApiError *copy;

  g_return_val_if_fail (error != NULL, NULL);

  copy = gr_api_error_new (error->status, error->type, error->code,
                           error->param, "%s", error->message);
  copy->retry_after = error->retry_after;
  return copy;
}

char *
gr_api_error_to_json (const GrApiError *error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, error->message ? error->message : "");
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, error->type ? error->type : "server_error");
  json_builder_set_member_name (builder, "param");
  if (error->param != NULL)
    json_builder_add_string_value (builder, error->param);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "code");
  if (error->code != NULL)
    json_builder_add_string_value (builder, error->code);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return gr_json_to_string (root);
}

GrApiError *
gr_api_error_from_upstream (const char *provider_name,
                            int         upstream_status,
                            const char *upstream_message,
                            const char *upstream_code,
                            gboolean    overloaded)
{
  const char *msg = upstream_message != NULL && *upstream_message != '\0'
                    ? upstream_message : "upstream error";
  const char *name = provider_name != NULL ? provider_name : "upstream";

  if (overloaded || upstream_status == 529 || upstream_status == 503)
    return gr_api_error_new (503, "upstream_error", "upstream_overloaded", NULL,
                             "%s: %s", name, msg);

  switch (upstream_status)
    {
    case 400:
    case 404:
    case 409:
    case 413:
    case 422:
      return gr_api_error_new (upstream_status, "invalid_request_error",
                               upstream_code, NULL, "%s: %s", name, msg);
    case 401:
    case 403:
      /* The provider rejected the gateway's credential, not the client's. */
      return gr_api_error_new (502, "upstream_error", "upstream_auth_failed", NULL,
                               "%s: the provider rejected the gateway's credential (%s)",
                               name, msg);
    case 402:
      return gr_api_error_new (402, "insufficient_quota", "upstream_insufficient_credit",
                               NULL, "%s: %s", name, msg);
    case 408:
    case 504:
      return gr_api_error_new (504, "timeout_error", "upstream_timeout", NULL,
                               "%s: %s", name, msg);
    case 429:
      return gr_api_error_new (429, "rate_limit_error", "upstream_rate_limited", NULL,
                               "%s: %s", name, msg);
    default:
      break;
    }

  if (upstream_status >= 400 && upstream_status < 500)
    return gr_api_error_new (upstream_status, "invalid_request_error",
                             upstream_code, NULL, "%s: %s", name, msg);

  return gr_api_error_new (502, "upstream_error", "upstream_error", NULL,
                           "%s: %s", name, msg);
}
