/* gr-admin.c — the admin API's plumbing: calls, workers, validation, lists
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "api/gr-admin.h"
#include "api/gr-request-log.h"
#include "core/gr-log.h"
#include "http/gr-authn.h"
#include "http/gr-http.h"

#define PAGE_SIZE_DEFAULT 20
#define PAGE_SIZE_MAX     200

static void
call_free (GrAdminCall *call)
{
  if (call->finished_id != 0)
    g_signal_handler_disconnect (call->msg, call->finished_id);
  if (call->disconnected_id != 0)
    g_signal_handler_disconnect (call->msg, call->disconnected_id);
  if (call->data_free != NULL)
    call->data_free (call->data);
  g_clear_pointer (&call->result, json_node_unref);
  g_clear_pointer (&call->error, gr_api_error_free);
  g_clear_pointer (&call->body, json_node_unref);
  g_clear_pointer (&call->query, g_hash_table_unref);
  g_clear_pointer (&call->key, gr_key_record_free);
  g_strfreev (call->segments);
  g_free (call->request_id);
  g_object_unref (call->msg);
  g_free (call);
}

static void
finished_cb (SoupServerMessage *msg,
             gpointer           user_data)
{
  GrAdminCall *call = user_data;

  call->client_gone = TRUE;
}

/* [gateway] admin_loopback_only: the admin API answers this machine only,
 * whatever key is shown.  /v1/me is not administration: a key reading its
 * own usage and limits works from anywhere. */
gboolean
gr_admin_peer_allowed (GrServer          *server,
                       SoupServerMessage *msg,
                       const char        *path,
                       GrApiError       **error)
{
  if (!server->shared->config->admin_loopback_only || gr_http_is_loopback (msg) ||
      g_str_equal (path, "/v1/me") || g_str_has_prefix (path, "/v1/me/"))
    return TRUE;
  *error = gr_api_error_new (403, "permission_error", "admin_loopback_only", NULL,
                             "The admin API of this gateway answers only on this machine "
                             "(admin_loopback_only is set); connect from localhost.");
  return FALSE;
}

GrAdminCall *
gr_admin_call_new (GrServer          *server,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query)
{
  g_autofree char *request_id = gr_http_assign_request_id (msg);
  g_autoptr(GrApiError) error = NULL;
  GrKeyRecord *key;
  GrAdminCall *call;
  const char *rest = path;
  GR_LOG_REQUEST_SCOPE (request_id);

  if (gr_server_refuse_if_draining (server, msg))
    return NULL;
  if (!gr_admin_peer_allowed (server, msg, path, &error))
    {
      gr_http_send_error (msg, error);
      return NULL;
    }
  key = gr_authn_check (server, msg, NULL, &error);
  if (key == NULL)
    {
      gr_http_send_error (msg, error);
      return NULL;
    }

  call = g_new0 (GrAdminCall, 1);
  call->server = server;
  call->shared = server->shared;
  call->msg = g_object_ref (msg);
  call->method = soup_server_message_get_method (msg);
  call->key = key;
  call->request_id = g_steal_pointer (&request_id);
  call->started_us = g_get_monotonic_time ();
  if (g_str_has_prefix (rest, "/v1/"))
    rest += 4;
  call->segments = g_strsplit (rest, "/", -1);
  if (query != NULL)
    call->query = g_hash_table_ref (query);
  return call;
}

void
gr_admin_call_finish (GrAdminCall *call)
{
  GR_LOG_REQUEST_SCOPE (call->request_id);

  if (!call->client_gone)
    {
      if (call->error != NULL)
        gr_http_send_error (call->msg, call->error);
      else if (call->result != NULL)
        gr_http_send_json_node (call->msg, call->status ? call->status : 200, call->result);
      else
        gr_http_send_no_content (call->msg, call->status ? call->status : 204);
    }
  gr_request_log_admin (call->server, call->request_id, call->msg,
                        call->client_gone ? 499 : soup_server_message_get_status (call->msg),
                        call->started_us);
  call_free (call);
}

void
gr_admin_call_done (GrAdminCall *call)
{
  if (!call->started)
    gr_admin_call_finish (call);
}

static void
work_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GrAdminCall *call = task_data;
  GrAdminWorkFunc work = g_object_get_data (G_OBJECT (task), "work");
  GR_LOG_REQUEST_SCOPE (call->request_id);

  work (call);
  if (call->keys_changed && call->error == NULL)
    gr_key_cache_reload (call->shared->keys, NULL);
  g_task_return_boolean (task, TRUE);
}

static void
work_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GrAdminCall *call = user_data;

  /* Back on the gateway thread. */
  if (!call->client_gone)
    soup_server_message_unpause (call->msg);
  gr_admin_call_finish (call);
}

void
gr_admin_call_run (GrAdminCall     *call,
                   GrAdminWorkFunc  work)
{
  g_autoptr(GTask) task = NULL;

  call->started = TRUE;
  soup_server_message_pause (call->msg);
  call->finished_id = g_signal_connect (call->msg, "finished", G_CALLBACK (finished_cb), call);
  /* A client that hangs up while the message is paused gets
   * "disconnected", and no "finished" until it would be unpaused. */
  call->disconnected_id = g_signal_connect (call->msg, "disconnected", G_CALLBACK (finished_cb), call);
  /* The task's callback runs on the thread-default context: the gateway's. */
  task = g_task_new (NULL, NULL, work_done_cb, call);
  g_task_set_task_data (task, call, NULL);
  g_object_set_data (G_OBJECT (task), "work", work);
  g_task_run_in_thread (task, work_thread);
}

void
gr_admin_call_fail (GrAdminCall *call,
                    int          status,
                    const char  *type,
                    const char  *code,
                    const char  *param,
                    const char  *format,
                    ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_clear_pointer (&call->error, gr_api_error_free);
  call->error = gr_api_error_new (status, type, code, param, "%s", message);
}

void
gr_admin_call_set_gerror (GrAdminCall  *call,
                          const GError *error)
{
  if (error->domain == GR_ERROR)
    switch (error->code)
      {
      case GR_ERROR_NOT_FOUND:
        gr_admin_call_fail (call, 404, "invalid_request_error", "not_found", NULL, "%s", error->message);
        return;
      case GR_ERROR_CONFLICT:
        gr_admin_call_fail (call, 409, "invalid_request_error", "conflict", NULL, "%s", error->message);
        return;
      case GR_ERROR_STORE_BUSY:
        gr_admin_call_fail (call, 503, "server_error", "store_unavailable", NULL,
                            "The database is busy or locked; try again shortly (%s).", error->message);
        call->error->retry_after = 1;
        return;
      case GR_ERROR_INVALID:
        gr_admin_call_fail (call, 400, "invalid_request_error", "invalid_value", NULL, "%s", error->message);
        return;
      default:
        break;
      }
  gr_admin_call_fail (call, 503, "server_error", "store_unavailable", NULL,
                      "The database cannot be used right now: %s", error->message);
}

gboolean
gr_admin_call_has (GrAdminCall *call,
                   const char  *scope)
{
  return gr_key_record_has_permission (call->key, scope);
}

gboolean
gr_admin_call_can_see_org (GrAdminCall *call,
                           const char  *org_id)
{
  return gr_admin_call_has (call, "admin") || g_strcmp0 (call->key->org_id, org_id) == 0;
}

gboolean
gr_admin_call_parse_body (GrAdminCall *call)
{
  GrApiError *error = NULL;

  if (gr_http_body_too_large (call->server, call->msg, &error))
    {
      call->error = error;
      return FALSE;
    }
  call->body = gr_http_parse_json_body (call->msg, &error);
  if (call->body == NULL)
    {
      call->error = error;
      return FALSE;
    }
  return TRUE;
}

static const char *
type_name (GrFieldType type)
{
  switch (type)
    {
    case GR_FIELD_STRING:
      return "a string";
    case GR_FIELD_INT:
      return "a non-negative integer";
    case GR_FIELD_BOOL:
      return "true or false";
    case GR_FIELD_STRING_LIST:
      return "an array of strings";
    case GR_FIELD_OBJECT:
      return "an object";
    case GR_FIELD_TIMESTAMP:
    default:
      return "an RFC 3339 date-time string";
    }
}

static gboolean
node_has_type (JsonNode   *node,
               GrFieldType type)
{
  GType vt;

  switch (type)
    {
    case GR_FIELD_OBJECT:
      return JSON_NODE_HOLDS_OBJECT (node);
    case GR_FIELD_STRING_LIST:
      if (!JSON_NODE_HOLDS_ARRAY (node))
        return FALSE;
      for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
        {
          JsonNode *e = json_array_get_element (json_node_get_array (node), i);

          if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
            return FALSE;
        }
      return TRUE;
    default:
      break;
    }
  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  vt = json_node_get_value_type (node);
  switch (type)
    {
    case GR_FIELD_STRING:
      return vt == G_TYPE_STRING;
    case GR_FIELD_TIMESTAMP:
      {
        gint64 ms;

        return vt == G_TYPE_STRING && gr_admin_parse_time (json_node_get_string (node), &ms);
      }
    case GR_FIELD_BOOL:
      return vt == G_TYPE_BOOLEAN;
    case GR_FIELD_INT:
      /* json-glib wraps integers past 2^63 into negatives: both are refused. */
      return vt == G_TYPE_INT64 && json_node_get_int (node) >= 0;
    default:
      return FALSE;
    }
}

gboolean
gr_admin_check_fields (GrAdminCall       *call,
                       JsonObject        *obj,
                       const GrFieldSpec *specs,
                       gboolean           creating,
                       const char        *prefix)
{
  g_autoptr(GList) members = json_object_get_members (obj);

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *node = json_object_get_member (obj, name);
      const GrFieldSpec *spec = NULL;
      g_autofree char *param = g_strconcat (prefix ? prefix : "", name, NULL);

      for (guint i = 0; specs[i].name != NULL; i++)
        if (g_str_equal (specs[i].name, name))
          spec = &specs[i];
      if (spec == NULL)
        {
          gr_admin_call_fail (call, 400, "invalid_request_error", "unknown_field", param,
                              "Unknown field `%s`.", param);
          return FALSE;
        }
      if (JSON_NODE_HOLDS_NULL (node))
        {
          if (spec->nullable)
            continue;
          gr_admin_call_fail (call, 400, "invalid_request_error", "invalid_value", param,
                              "`%s` may not be null.", param);
          return FALSE;
        }
      if (!node_has_type (node, spec->type))
        {
          gr_admin_call_fail (call, 400, "invalid_request_error", "invalid_value", param,
                              "`%s` must be %s.", param, type_name (spec->type));
          return FALSE;
        }
    }

  for (guint i = 0; creating && specs[i].name != NULL; i++)
    if (specs[i].required && !json_object_has_member (obj, specs[i].name))
      {
        g_autofree char *param = g_strconcat (prefix ? prefix : "", specs[i].name, NULL);

        gr_admin_call_fail (call, 400, "invalid_request_error", "missing_field", param,
                            "`%s` is required.", param);
        return FALSE;
      }
  return TRUE;
}

const char *
gr_admin_call_get_query (GrAdminCall *call,
                         const char  *name)
{
  const char *value;

  if (call->query == NULL)
    return NULL;
  value = g_hash_table_lookup (call->query, name);
  return value != NULL && *value != '\0' ? value : NULL;
}

static gboolean
read_uint (GrAdminCall *call,
           const char  *name,
           guint        min,
           guint        max,
           guint       *out)
{
  const char *text = gr_admin_call_get_query (call, name);
  guint64 v;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, min, max, &v, NULL))
    {
      gr_admin_call_fail (call, 400, "invalid_request_error", "invalid_value", name,
                          "`%s` must be a whole number from %u to %u.", name, min, max);
      return FALSE;
    }
  *out = (guint) v;
  return TRUE;
}

gboolean
gr_admin_call_list_query (GrAdminCall *call,
                          GrListQuery *query)
{
  memset (query, 0, sizeof *query);
  query->page = 1;
  query->page_size = PAGE_SIZE_DEFAULT;
  if (!read_uint (call, "page", 1, G_MAXINT32, &query->page) ||
      !read_uint (call, "page_size", 1, PAGE_SIZE_MAX, &query->page_size))
    return FALSE;
  query->q = gr_admin_call_get_query (call, "q");
  query->sort = gr_admin_call_get_query (call, "sort");
  query->status = gr_admin_call_get_query (call, "status");
  query->org_id = gr_admin_call_get_query (call, "org_id");
  return TRUE;
}

gboolean
gr_admin_call_check_sort (GrAdminCall        *call,
                          const char         *sort,
                          const char * const *allowed)
{
  g_autofree char *names = NULL;

  if (sort == NULL || g_strv_contains (allowed, sort[0] == '-' ? sort + 1 : sort))
    return TRUE;
  names = g_strjoinv (", ", (char **) allowed);
  gr_admin_call_fail (call, 400, "invalid_request_error", "invalid_value", "sort",
                      "`sort` must be one of %s (prefix with - to reverse).", names);
  return FALSE;
}

JsonNode *
gr_admin_list_json (JsonArray         *data,
                    const GrListQuery *query,
                    gint64             total)
{
  JsonObject *obj = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_array_member (obj, "data", data);
  json_object_set_int_member (obj, "page", query->page);
  json_object_set_int_member (obj, "page_size", query->page_size);
  json_object_set_int_member (obj, "total", total);
  json_node_take_object (node, obj);
  return node;
}

JsonNode *
gr_admin_list_page_json (GPtrArray         *items,
                         const GrListQuery *query,
                         GrAdminItemToJson  to_json,
                         gpointer           user_data)
{
  JsonArray *data = json_array_new ();
  guint64 first = (guint64) (query->page - 1) * query->page_size;

  for (guint64 i = first; i < items->len && i < first + query->page_size; i++)
    json_array_add_element (data, to_json (g_ptr_array_index (items, i), user_data));
  return gr_admin_list_json (data, query, items->len);
}

void
gr_admin_list_reverse (GPtrArray *items)
{
  for (guint i = 0; i < items->len / 2; i++)
    {
      gpointer tmp = items->pdata[i];

      items->pdata[i] = items->pdata[items->len - 1 - i];
      items->pdata[items->len - 1 - i] = tmp;
    }
}

static void
set_limit (JsonObject *obj,
           const char *name,
           gint64      value)
{
  if (value >= 0)
    json_object_set_int_member (obj, name, value);
  else
    json_object_set_null_member (obj, name);
}

JsonNode *
gr_admin_limits_to_json (const GrLimitSet *limits,
                         gboolean          with_requests_per_day)
{
  JsonObject *obj = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  set_limit (obj, "rpm", limits->rpm);
  if (with_requests_per_day)
    set_limit (obj, "requests_per_day", limits->requests_per_day);
  set_limit (obj, "tokens_per_day", limits->tokens_per_day);
  set_limit (obj, "monthly_budget_micros", limits->monthly_budget_micros);
  json_node_take_object (node, obj);
  return node;
}

gboolean
gr_admin_limits_from_json (GrAdminCall *call,
                           JsonObject  *obj,
                           gboolean     with_requests_per_day,
                           GrLimitSet  *limits,
                           GrLimitMask *which)
{
  static const GrFieldSpec org_specs[] = {
    { "rpm", GR_FIELD_INT, TRUE }, { "requests_per_day", GR_FIELD_INT, TRUE },
    { "tokens_per_day", GR_FIELD_INT, TRUE }, { "monthly_budget_micros", GR_FIELD_INT, TRUE },
    { NULL }
  };
  static const GrFieldSpec key_specs[] = {
    { "rpm", GR_FIELD_INT, TRUE }, { "tokens_per_day", GR_FIELD_INT, TRUE },
    { "monthly_budget_micros", GR_FIELD_INT, TRUE },
    { NULL }
  };
  const struct { const char *name; GrLimitMask bit; gint64 *slot; } fields[] = {
    { "rpm", GR_LIMIT_RPM, &limits->rpm },
    { "requests_per_day", GR_LIMIT_REQUESTS_PER_DAY, &limits->requests_per_day },
    { "tokens_per_day", GR_LIMIT_TOKENS_PER_DAY, &limits->tokens_per_day },
    { "monthly_budget_micros", GR_LIMIT_MONTHLY_BUDGET, &limits->monthly_budget_micros },
  };

  *which = 0;
  if (!gr_admin_check_fields (call, obj, with_requests_per_day ? org_specs : key_specs, FALSE, "limits."))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      JsonNode *node = json_object_get_member (obj, fields[i].name);

      if (node == NULL)
        continue;
      *which |= fields[i].bit;
      *fields[i].slot = JSON_NODE_HOLDS_NULL (node) ? -1 : json_node_get_int (node);
    }
  return TRUE;
}

char *
gr_admin_format_time (gint64 unix_ms)
{
  g_autoptr(GDateTime) dt = NULL;

  if (unix_ms <= 0)
    return NULL;
  dt = g_date_time_new_from_unix_utc (unix_ms / 1000);
  return dt ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

gboolean
gr_admin_parse_time (const char *text,
                     gint64     *unix_ms)
{
  g_autoptr(GDateTime) dt = NULL;

  if (text == NULL)
    return FALSE;
  dt = g_date_time_new_from_iso8601 (text, NULL);
  if (dt == NULL)
    return FALSE;
  *unix_ms = g_date_time_to_unix (dt) * 1000 + g_date_time_get_microsecond (dt) / 1000;
  return TRUE;
}

void
gr_admin_add_time_member (JsonBuilder *b,
                          const char  *name,
                          gint64       unix_ms)
{
  g_autofree char *text = gr_admin_format_time (unix_ms);

  json_builder_set_member_name (b, name);
  if (text != NULL)
    json_builder_add_string_value (b, text);
  else
    json_builder_add_null_value (b);
}
