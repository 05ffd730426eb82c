/* gr-api-stats.c — /v1/stats, /v1/stats/summary, /v1/logs, /v1/me
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Statistics come from the hourly rollups (gr-store-stats.c).  Admins see
 * everything; a key with stats:read sees its own organization; any key
 * sees its own usage through /v1/me and /v1/api-keys/{own id}/stats.
 */
#include "config.h"

#include "api/gr-admin.h"
#include "api/gr-api-stats.h"
#include "http/gr-http.h"
#include "store/gr-store-stats.h"

#define DAY_MS  (24 * 3600 * G_GINT64_CONSTANT (1000))

typedef struct
{
  char *org_id;
  char *key_id;
} StatsScope;

static void
stats_scope_free (StatsScope *scope)
{
  g_free (scope->org_id);
  g_free (scope->key_id);
  g_free (scope);
}

static gboolean
read_time_param (GrAdminCall *call,
                 const char  *name,
                 gint64       fallback,
                 gint64      *out)
{
  const char *text = gr_admin_call_get_query (call, name);

  *out = fallback;
  if (text == NULL)
    return TRUE;
  if (gr_admin_parse_time (text, out))
    return TRUE;
  gr_admin_call_fail (call, 400, "invalid_request_error", "invalid_value", name,
                      "`%s` must be an RFC 3339 date-time such as 2026-11-27T00:00:00Z.", name);
  return FALSE;
}

static void
fail_from (GrAdminCall *call,
           const char  *param,
           GError      *error)
{
  if (error->domain == GR_ERROR && error->code == GR_ERROR_INVALID)
    gr_admin_call_fail (call, 400, "invalid_request_error", "invalid_value", param, "%s", error->message);
  else
    gr_admin_call_set_gerror (call, error);
}

void
gr_api_stats_compute (GrAdminCall *call,
                      const char  *org_id,
                      const char  *key_id)
{
  GrStatsQuery query = { 0 };
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GrStatsResult) result = NULL;
  gint64 now = g_get_real_time () / 1000;

  if (!gr_stats_granularity_from_string (gr_admin_call_get_query (call, "granularity"),
                                         &query.granularity, &error))
    return fail_from (call, "granularity", error);
  if (!gr_stats_group_by_from_string (gr_admin_call_get_query (call, "group_by"),
                                      &query.group_by, &error))
    return fail_from (call, "group_by", error);
  tz = gr_stats_time_zone_new (gr_admin_call_get_query (call, "tz"), &error);
  if (tz == NULL)
    return fail_from (call, "tz", error);
  if (!read_time_param (call, "end", now, &query.end_ms) ||
      !read_time_param (call, "start", query.end_ms - (query.granularity == GR_STATS_DAY ? 30 : 1) * DAY_MS,
                        &query.start_ms))
    return;
  if (query.start_ms >= query.end_ms)
    {
      gr_admin_call_fail (call, 400, "invalid_request_error", "invalid_value", "start",
                          "`start` must be before `end`.");
      return;
    }
  query.tz = tz;
  query.org_id = org_id;
  query.key_id = key_id;
  /* Grouping by key over a year of hours could be huge: keep the top 50. */
  query.group_limit = 50;
  query.provider = gr_admin_call_get_query (call, "provider");
  query.model = gr_admin_call_get_query (call, "model");

  result = gr_store_stats_query (call->shared->store, &query, &error);
  if (result == NULL)
    return fail_from (call, "start", error);
  call->result = gr_stats_result_to_json (result);
}

static void
stats_work (GrAdminCall *call)
{
  StatsScope *scope = call->data;

  gr_api_stats_compute (call, scope->org_id, scope->key_id);
}

void
gr_api_stats_run (GrAdminCall *call,
                  const char  *org_id,
                  const char  *key_id)
{
  StatsScope *scope = g_new0 (StatsScope, 1);

  scope->org_id = g_strdup (org_id);
  scope->key_id = g_strdup (key_id);
  if (call->data_free != NULL)
    call->data_free (call->data);
  call->data = scope;
  call->data_free = (GDestroyNotify) stats_scope_free;
  gr_admin_call_run (call, stats_work);
}

/* The organization a caller's statistics are limited to (NULL = all), or
 * FALSE after an error. */
static gboolean
stats_org_scope (GrAdminCall *call,
                 const char **org_id)
{
  const char *wanted = gr_admin_call_get_query (call, "org_id");

  if (gr_admin_call_has (call, "admin"))
    {
      *org_id = wanted;
      return TRUE;
    }
  if (!gr_admin_call_has (call, "stats:read"))
    {
      gr_admin_call_fail (call, 403, "permission_error", "insufficient_permissions", NULL,
                          "This API key lacks the “stats:read” permission.");
      return FALSE;
    }
  if (wanted != NULL && !gr_admin_call_can_see_org (call, wanted))
    {
      gr_admin_call_fail (call, 404, "invalid_request_error", "not_found", "org_id",
                          "no organization “%s”", wanted);
      return FALSE;
    }
  *org_id = call->key->org_id;
  return TRUE;
}

static void
summary_work (GrAdminCall *call)
{
  StatsScope *scope = call->data;
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GrStatsSummary) summary = NULL;

  tz = gr_stats_time_zone_new (gr_admin_call_get_query (call, "tz"), &error);
  if (tz == NULL)
    return fail_from (call, "tz", error);
  summary = gr_store_stats_summary (call->shared->store, scope->org_id, scope->key_id,
                                    g_get_real_time () / 1000, tz, &error);
  if (summary == NULL)
    return fail_from (call, "tz", error);
  call->result = gr_stats_summary_to_json (summary);
  /* What is being served right now (the whole gateway: requests in
   * flight are not yet attributed in the rollups). */
  {
    JsonObject *live = json_object_new ();
    gint requests = 0, streams = 0;

    gr_metrics_get_in_flight (call->shared->metrics, &requests, &streams);
    json_object_set_int_member (live, "requests", requests);
    json_object_set_int_member (live, "streams", streams);
    json_object_set_object_member (json_node_get_object (call->result), "in_flight", live);
  }
}

static void
stats_cb (SoupServer        *soup,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  GrAdminCall *call = gr_admin_call_new (user_data, msg, path, query);
  const char *org_id = NULL;
  guint n;

  if (call == NULL)
    return;
  n = g_strv_length (call->segments);
  if (!g_str_equal (call->method, "GET"))
    gr_admin_call_fail (call, 405, "invalid_request_error", "method_not_allowed", NULL, "Use GET.");
  else if (n > 2 || (n == 2 && !g_str_equal (call->segments[1], "summary")))
    gr_admin_call_fail (call, 404, "invalid_request_error", "unknown_route", NULL, "Unknown route %s.", path);
  else if (stats_org_scope (call, &org_id))
    {
      if (n == 1)
        gr_api_stats_run (call, org_id, gr_admin_call_get_query (call, "key_id"));
      else
        {
          StatsScope *scope = g_new0 (StatsScope, 1);

          scope->org_id = g_strdup (org_id);
          scope->key_id = g_strdup (gr_admin_call_get_query (call, "key_id"));
          call->data = scope;
          call->data_free = (GDestroyNotify) stats_scope_free;
          gr_admin_call_run (call, summary_work);
        }
    }
  gr_admin_call_done (call);
}

typedef struct
{
  GrLogQuery query;
  char      *org_id;
} LogsArgs;

static void
logs_args_free (LogsArgs *args)
{
  g_free (args->org_id);
  g_free (args);
}

static void
logs_work (GrAdminCall *call)
{
  LogsArgs *args = call->data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GrLogPage) page = NULL;

  page = gr_store_list_logs (call->shared->store, &args->query, &error);
  if (page == NULL)
    return fail_from (call, "page", error);
  call->result = gr_log_page_to_json (page);
}

static gboolean
valid_status_filter (const char *status)
{
  if (strlen (status) != 3 || status[0] < '1' || status[0] > '5')
    return FALSE;
  if (g_str_equal (status + 1, "xx"))
    return TRUE;
  return g_ascii_isdigit (status[1]) && g_ascii_isdigit (status[2]);
}

static gboolean
read_logs_query (GrAdminCall *call,
                 LogsArgs    *args)
{
  GrLogQuery *q = &args->query;
  const char *stream = gr_admin_call_get_query (call, "stream");
  g_autoptr(GError) error = NULL;
  guint64 v;

  q->key_id = gr_admin_call_get_query (call, "key_id");
  q->provider = gr_admin_call_get_query (call, "provider");
  q->model = gr_admin_call_get_query (call, "model");
  q->status = gr_admin_call_get_query (call, "status");
  if (q->status != NULL && !valid_status_filter (q->status))
    {
      gr_admin_call_fail (call, 400, "invalid_request_error", "invalid_value", "status",
                          "`status` must be a status such as 404 or a class such as 5xx.");
      return FALSE;
    }
  q->q = gr_admin_call_get_query (call, "q");
  q->stream = stream == NULL ? -1 : g_str_equal (stream, "true") ? 1 : 0;
  if (!gr_log_sort_from_string (gr_admin_call_get_query (call, "sort"), &q->sort, &error))
    {
      fail_from (call, "sort", error);
      return FALSE;
    }
  if (!read_time_param (call, "since", 0, &q->since_ms) ||
      !read_time_param (call, "until", 0, &q->until_ms))
    return FALSE;
  q->page = 1;
  q->page_size = GR_LOG_PAGE_SIZE_DEFAULT;
  if (gr_admin_call_get_query (call, "page") != NULL &&
      !g_ascii_string_to_unsigned (gr_admin_call_get_query (call, "page"), 10, 1, G_MAXINT32, &v, NULL))
    {
      gr_admin_call_fail (call, 400, "invalid_request_error", "invalid_value", "page",
                          "`page` must be a whole number from 1.");
      return FALSE;
    }
  else if (gr_admin_call_get_query (call, "page") != NULL)
    q->page = (guint) v;
  if (gr_admin_call_get_query (call, "page_size") != NULL &&
      !g_ascii_string_to_unsigned (gr_admin_call_get_query (call, "page_size"), 10, 1,
                                   GR_LOG_PAGE_SIZE_MAX, &v, NULL))
    {
      gr_admin_call_fail (call, 400, "invalid_request_error", "invalid_value", "page_size",
                          "`page_size` must be a whole number from 1 to %d.", GR_LOG_PAGE_SIZE_MAX);
      return FALSE;
    }
  else if (gr_admin_call_get_query (call, "page_size") != NULL)
    q->page_size = (guint) v;
  return TRUE;
}

static void
logs_cb (SoupServer        *soup,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  GrAdminCall *call = gr_admin_call_new (user_data, msg, path, query);
  LogsArgs *args;
  const char *org_id = NULL;

  if (call == NULL)
    return;
  args = g_new0 (LogsArgs, 1);
  call->data = args;
  call->data_free = (GDestroyNotify) logs_args_free;
  if (!g_str_equal (call->method, "GET"))
    gr_admin_call_fail (call, 405, "invalid_request_error", "method_not_allowed", NULL, "Use GET.");
  else if (g_strv_length (call->segments) != 1)
    gr_admin_call_fail (call, 404, "invalid_request_error", "unknown_route", NULL, "Unknown route %s.", path);
  else if (stats_org_scope (call, &org_id) && read_logs_query (call, args))
    {
      args->org_id = g_strdup (org_id);
      args->query.org_id = args->org_id;
      gr_admin_call_run (call, logs_work);
    }
  gr_admin_call_done (call);
}

static void
add_remaining_member (JsonBuilder *b,
                      const char  *name,
                      gint64       limit,
                      gint64       used)
{
  json_builder_set_member_name (b, name);
  if (limit < 0)
    json_builder_add_null_value (b);
  else
    json_builder_add_int_value (b, MAX (limit - used, 0));
}

static void
add_remaining_scope (JsonBuilder      *b,
                     GrLimits         *limits,
                     GrLimitScope      scope,
                     const char       *id,
                     const GrLimitSet *set)
{
  GrLimitUsage u;

  gr_limits_get_usage (limits, scope, id, &u);
  json_builder_begin_object (b);
  add_remaining_member (b, "requests_this_minute", set->rpm, u.requests_last_minute);
  if (scope == GR_LIMIT_SCOPE_ORG)
    add_remaining_member (b, "requests_today", set->requests_per_day, u.requests_today);
  add_remaining_member (b, "tokens_today", set->tokens_per_day, u.tokens_today + u.reserved_tokens);
  add_remaining_member (b, "monthly_budget_micros", set->monthly_budget_micros,
                        u.cost_this_month_micros + u.reserved_cost_micros);
  gr_admin_add_time_member (b, "day_resets_at", u.day_resets_at_ms);
  gr_admin_add_time_member (b, "month_resets_at", u.month_resets_at_ms);
  json_builder_end_object (b);
}

/* What the key may still use under its own limits and its organization's
 * (null = unlimited), from the same in-memory counters admission uses:
 * UTC day and month, requests in flight included. */
static void
add_remaining (GrAdminCall       *call,
               const GrKeyRecord *key,
               JsonBuilder       *b)
{
  json_builder_set_member_name (b, "remaining");
  if (key == NULL)
    {
      json_builder_add_null_value (b);
      return;
    }
  /* With several gateways on one database, the counters of a limited
   * key live there (this runs on a worker thread: it may wait). */
  if (call->shared->shared_limits != NULL &&
      gr_shared_limits_applies (&key->limits, &key->org_limits))
    {
      g_autoptr(GError) error = NULL;

      if (!gr_shared_limits_refresh (call->shared->shared_limits, key->id, key->org_id, &error))
        g_message ("GET /v1/me: the shared limits could not be read: %s", error->message);
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "key");
  add_remaining_scope (b, call->shared->limits, GR_LIMIT_SCOPE_KEY, key->id, &key->limits);
  json_builder_set_member_name (b, "organization");
  add_remaining_scope (b, call->shared->limits, GR_LIMIT_SCOPE_ORG, key->org_id, &key->org_limits);
  json_builder_end_object (b);
}

static void
me_work (GrAdminCall *call)
{
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GrStatsSummary) summary = NULL;
  g_autoptr(GrKeyRecord) key = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();

  tz = gr_stats_time_zone_new (gr_admin_call_get_query (call, "tz"), &error);
  if (tz == NULL)
    return fail_from (call, "tz", error);
  /* The internal token of the desktop app has no row. */
  if (g_strcmp0 (call->key->id, "internal") != 0)
    {
      key = gr_store_get_key (call->shared->store, call->key->id, &error);
      if (key == NULL)
        return gr_admin_call_set_gerror (call, error);
      summary = gr_store_stats_summary (call->shared->store, NULL, key->id,
                                        g_get_real_time () / 1000, tz, &error);
      if (summary == NULL)
        return gr_admin_call_set_gerror (call, error);
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "key");
  if (key != NULL)
    json_builder_add_value (b, gr_api_key_to_json (key, NULL));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "organization_limits");
  json_builder_add_value (b, gr_admin_limits_to_json (key ? &key->org_limits : &call->key->org_limits, TRUE));
  json_builder_set_member_name (b, "usage");
  if (summary != NULL)
    json_builder_add_value (b, gr_stats_summary_to_json (summary));
  else
    json_builder_add_null_value (b);
  add_remaining (call, key, b);
  json_builder_end_object (b);
  call->result = json_builder_get_root (b);
}

static void
me_cb (SoupServer        *soup,
       SoupServerMessage *msg,
       const char        *path,
       GHashTable        *query,
       gpointer           user_data)
{
  GrAdminCall *call = gr_admin_call_new (user_data, msg, path, query);

  if (call == NULL)
    return;
  if (g_strv_length (call->segments) != 1)
    gr_admin_call_fail (call, 404, "invalid_request_error", "unknown_route", NULL, "Unknown route %s.", path);
  else if (!g_str_equal (call->method, "GET"))
    gr_admin_call_fail (call, 405, "invalid_request_error", "method_not_allowed", NULL, "Use GET.");
  else
    gr_admin_call_run (call, me_work);
  gr_admin_call_done (call);
}

void
gr_api_stats_register (GrServer *server)
{
  gr_server_add_handler (server, "/v1/stats", stats_cb);
  gr_server_add_handler (server, "/v1/logs", logs_cb);
  gr_server_add_handler (server, "/v1/me", me_cb);
}
