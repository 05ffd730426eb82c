/* test-admin-client.c — GrAdminClient against a real gateway
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real gateway (own thread, SQLite in a temp directory) with a mock
 * OpenAI-compatible upstream; the client runs on this thread's main
 * context, as in the app, and every call goes over loopback HTTP.  GLib
 * only: no display needed.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "client/gr-admin-client.h"
#include "core/gr-gateway.h"
#include "mock-upstream.h"

typedef struct
{
  MockUpstream  *mock;
  char          *dir;
  GrGateway     *gateway;
  char          *url;
  char          *admin;
  GrAdminClient *client;
  GAsyncResult  *result;
  guint          connected_notifies;
} Fixture;

/* gpt-4o prices: $2.50 in, $10 out per million tokens. */
static const char config_ini[] =
  "[model:mock/ok]\n"
  "provider=mock\n"
  "upstream=ok\n"
  "input_per_mtok=2500000\n"
  "output_per_mtok=10000000\n";

static void
connected_cb (GrAdminClient *client,
              GParamSpec    *pspec,
              Fixture       *f)
{
  f->connected_notifies++;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *mock_url = NULL;
  g_autofree char *base = NULL;
  GrConfig *config;

  f->mock = mock_upstream_new ();
  f->dir = g_dir_make_tmp ("gr-admin-client-XXXXXX", &error);
  g_assert_no_error (error);

  config = gr_config_load_data (config_ini, -1, &error);
  g_assert_no_error (error);
  g_free (config->database);
  config->database = g_build_filename (f->dir, "gaiarouter.db", NULL);
  config->listen_port = 0;
  mock_url = mock_upstream_dup_url (f->mock);
  base = g_strconcat (mock_url, "/v1", NULL);
  g_ptr_array_add (config->providers, gr_provider_config_new ("mock", GR_PROVIDER_KIND_OPENAI_COMPATIBLE, base));

  f->gateway = gr_gateway_new (config);
  g_assert_true (gr_gateway_start (f->gateway, &error));
  g_assert_no_error (error);
  f->url = gr_gateway_dup_url (f->gateway);
  f->admin = gr_gateway_dup_new_admin_key (f->gateway);
  g_assert_nonnull (f->admin);
  f->client = gr_admin_client_new (f->url, f->admin);
  g_signal_connect (f->client, "notify::connected", G_CALLBACK (connected_cb), f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) d = NULL;
  const char *name;

  g_clear_object (&f->result);
  g_clear_object (&f->client);
  g_clear_object (&f->gateway);
  mock_upstream_free (f->mock);
  d = g_dir_open (f->dir, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->url);
  g_free (f->admin);
}

static void
result_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Fixture *f = user_data;

  g_assert_null (f->result);
  f->result = g_object_ref (result);
}

/* Runs the main context until the pending call completes; the result
 * stays owned by the fixture. */
static GAsyncResult *
await (Fixture *f)
{
  g_clear_object (&f->result);
  while (f->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return f->result;
}

/* Starts a call and waits for it: the callback cannot run before await()
 * iterates, and await() drops the previous result first. */
#define CALL(f, fn, ...) (fn (__VA_ARGS__, result_cb, (f)), await (f))

/* A chat request with another key, in a plain blocking session: the usage
 * the statistics will count. */
static void
chat (Fixture    *f,
      const char *secret)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *uri = g_strconcat (f->url, "/v1/chat/completions", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", uri);
  g_autofree char *auth = g_strconcat ("Bearer ", secret, NULL);
  static const char body[] = "{\"model\":\"mock/ok\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  g_autoptr(GBytes) bytes = g_bytes_new_static (body, strlen (body));
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  reply = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
}

/* Stopping flushes the batched usage writer; start again on the same
 * data (the port may change: tell the client). */
static void
restart_gateway (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  gr_gateway_stop (f->gateway);
  g_assert_true (gr_gateway_start (f->gateway, &error));
  g_assert_no_error (error);
  g_free (f->url);
  f->url = gr_gateway_dup_url (f->gateway);
  gr_admin_client_set_base_url (f->client, f->url);
}

static GrOrganization *
create_org (Fixture    *f,
            const char *name)
{
  g_autoptr(GrOrganization) org = gr_organization_new ();
  g_autoptr(GError) error = NULL;
  GrOrganization *created;

  gr_organization_set_name (org, name);
  created = gr_admin_client_create_organization_finish (
    f->client, CALL (f, gr_admin_client_create_organization_async, f->client, org, NULL), &error);
  g_assert_no_error (error);
  g_assert_true (GR_IS_ORGANIZATION (created));
  return created;
}

static GrApiKey *
create_key (Fixture            *f,
            const char         *org_id,
            const char         *name,
            const char * const *permissions,
            char              **secret)
{
  g_autoptr(GrApiKey) key = gr_api_key_new ();
  g_autoptr(GError) error = NULL;
  GrApiKey *created;

  gr_api_key_set_org_id (key, org_id);
  gr_api_key_set_name (key, name);
  if (permissions != NULL)
    gr_api_key_set_permissions (key, permissions);
  created = gr_admin_client_create_api_key_finish (
    f->client, CALL (f, gr_admin_client_create_api_key_async, f->client, key, NULL), secret, &error);
  g_assert_no_error (error);
  g_assert_true (GR_IS_API_KEY (created));
  return created;
}

static gboolean
store_has_name (GListModel *model,
                const char *property,
                const char *name)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      g_autofree char *value = NULL;

      g_object_get (item, property, &value, NULL);
      if (g_strcmp0 (value, name) == 0)
        return TRUE;
    }
  return FALSE;
}

/* ---- tests ------------------------------------------------------------ */

static void
test_health (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  gint64 uptime = -1;

  g_assert_false (gr_admin_client_get_connected (f->client));
  g_assert_true (gr_admin_client_health_finish (f->client,
                                                CALL (f, gr_admin_client_health_async, f->client, NULL),
                                                &version, &uptime, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (version, ==, PACKAGE_VERSION);
  g_assert_cmpint (uptime, >=, 0);
  g_assert_true (gr_admin_client_get_connected (f->client));
  g_assert_cmpuint (f->connected_notifies, ==, 1);
}

static void
test_organizations (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GrOrganization) alpha = create_org (f, "Alpha");
  g_autoptr(GrOrganization) beta = create_org (f, "Beta");
  g_autoptr(GrOrganization) fetched = NULL;
  g_autoptr(GrOrganization) edit = NULL;
  g_autoptr(GrOrganization) updated = NULL;
  g_autoptr(GListStore) list = NULL;
  g_autoptr(GListStore) found = NULL;
  g_autoptr(GError) error = NULL;
  GrListParams params = { 0 };
  GrPageInfo page = { 0 };
  static const char * const rename_only[] = { "name", "rpm", NULL };
  gint64 rpm = 0;

  g_assert_nonnull (gr_organization_get_id (alpha));
  g_assert_cmpstr (gr_organization_get_name (alpha), ==, "Alpha");
  g_assert_cmpstr (gr_organization_get_status (alpha), ==, "active");
  g_assert_cmpint (gr_organization_get_rpm (alpha), ==, -1);
  g_assert_cmpint (gr_organization_get_monthly_budget_micros (alpha), ==, -1);
  g_assert_cmpint (gr_organization_get_created_at (alpha), >, 1700000000000);

  /* A page of one: the page info comes from the answer. */
  params.page_size = 1;
  list = gr_admin_client_list_organizations_finish (
    f->client, CALL (f, gr_admin_client_list_organizations_async, f->client, &params, NULL), &page, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (list)) == GR_TYPE_ORGANIZATION);
  g_assert_cmpuint (page.page, ==, 1);
  g_assert_cmpuint (page.page_size, ==, 1);
  g_assert_cmpint (page.total, >=, 2);

  params.page_size = 0;
  params.q = "bet";
  found = gr_admin_client_list_organizations_finish (
    f->client, CALL (f, gr_admin_client_list_organizations_async, f->client, &params, NULL), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (found)), ==, 1);
  g_assert_true (store_has_name (G_LIST_MODEL (found), "name", "Beta"));

  fetched = gr_admin_client_get_organization_finish (
    f->client, CALL (f, gr_admin_client_get_organization_async, f->client, gr_organization_get_id (beta), NULL),
    &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gr_organization_get_id (fetched), ==, gr_organization_get_id (beta));

  /* Update only the named fields: the description set locally stays out. */
  edit = gr_organization_copy (alpha);
  gr_organization_set_name (edit, "Alpha Two");
  gr_organization_set_rpm (edit, 60);
  gr_organization_set_description (edit, "not sent");
  updated = gr_admin_client_update_organization_finish (
    f->client, CALL (f, gr_admin_client_update_organization_async, f->client, edit, rename_only, NULL), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gr_organization_get_name (updated), ==, "Alpha Two");
  g_assert_cmpstr (gr_organization_get_description (updated), ==, "");
  g_object_get (updated, "rpm", &rpm, NULL);
  g_assert_cmpint (rpm, ==, 60);
  g_assert_cmpint (gr_organization_get_requests_per_day (updated), ==, -1);

  g_assert_true (gr_admin_client_delete_organization_finish (
    f->client, CALL (f, gr_admin_client_delete_organization_async, f->client,
                     gr_organization_get_id (beta), FALSE, NULL), &error));
  g_assert_no_error (error);
  g_clear_object (&fetched);
  fetched = gr_admin_client_get_organization_finish (
    f->client, CALL (f, gr_admin_client_get_organization_async, f->client, gr_organization_get_id (beta), NULL),
    &error);
  g_assert_null (fetched);
  g_assert_error (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_NOT_FOUND);
  g_assert_cmpstr (gr_admin_client_error_get_code (error), ==, "not_found");
}

static void
test_keys (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GrOrganization) org = create_org (f, "Keys");
  static const char * const perms[] = { "chat", "stats:read", NULL };
  static const char * const limit_fields[] = { "name", "tokens-per-day", NULL };
  g_autofree char *secret = NULL;
  g_autofree char *rotated_secret = NULL;
  g_autoptr(GrApiKey) key = create_key (f, gr_organization_get_id (org), "laptop", perms, &secret);
  g_autoptr(GrApiKey) edit = NULL;
  g_autoptr(GrApiKey) updated = NULL;
  g_autoptr(GrApiKey) rotated = NULL;
  g_autoptr(GrApiKey) gone = NULL;
  g_autoptr(GListStore) list = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) read_perms = NULL;
  GrListParams params = { 0 };
  GrPageInfo page = { 0 };

  g_assert_nonnull (secret);
  g_assert_nonnull (gr_api_key_get_prefix (key));
  g_assert_true (g_str_has_prefix (secret, gr_api_key_get_prefix (key)));
  g_assert_cmpstr (gr_api_key_get_org_id (key), ==, gr_organization_get_id (org));
  g_assert_true (gr_api_key_has_permission (key, "stats:read"));
  g_assert_false (gr_api_key_has_permission (key, "admin"));
  g_object_get (key, "permissions", &read_perms, NULL);
  g_assert_cmpuint (g_strv_length (read_perms), ==, 2);
  g_assert_cmpint (gr_api_key_get_expires_at (key), ==, 0);
  g_assert_cmpint (gr_api_key_get_last_used_at (key), ==, 0);

  params.org_id = gr_organization_get_id (org);
  list = gr_admin_client_list_api_keys_finish (
    f->client, CALL (f, gr_admin_client_list_api_keys_async, f->client, &params, NULL), &page, &error);
  g_assert_no_error (error);
  g_assert_cmpint (page.total, ==, 1);
  g_assert_true (store_has_name (G_LIST_MODEL (list), "id", gr_api_key_get_id (key)));

  edit = gr_api_key_copy (key);
  gr_api_key_set_name (edit, "desktop");
  gr_api_key_set_tokens_per_day (edit, 5000);
  gr_api_key_set_rpm (edit, 3);  /* not in the fields: not sent */
  updated = gr_admin_client_update_api_key_finish (
    f->client, CALL (f, gr_admin_client_update_api_key_async, f->client, edit, limit_fields, NULL), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gr_api_key_get_name (updated), ==, "desktop");
  g_assert_cmpint (gr_api_key_get_tokens_per_day (updated), ==, 5000);
  g_assert_cmpint (gr_api_key_get_rpm (updated), ==, -1);

  /* Rotation: a new secret and prefix; the old secret stops working. */
  rotated = gr_admin_client_rotate_api_key_finish (
    f->client, CALL (f, gr_admin_client_rotate_api_key_async, f->client, gr_api_key_get_id (key), NULL),
    &rotated_secret, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gr_api_key_get_id (rotated), ==, gr_api_key_get_id (key));
  g_assert_nonnull (rotated_secret);
  g_assert_cmpstr (rotated_secret, !=, secret);
  g_assert_true (g_str_has_prefix (rotated_secret, gr_api_key_get_prefix (rotated)));
  {
    g_autoptr(GrAdminClient) old = gr_admin_client_new (f->url, secret);
    g_autoptr(GrAccount) me = NULL;

    me = gr_admin_client_get_me_finish (old, CALL (f, gr_admin_client_get_me_async, old, NULL), &error);
    g_assert_null (me);
    g_assert_error (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_UNAUTHORIZED);
    g_clear_error (&error);
  }

  g_assert_true (gr_admin_client_delete_api_key_finish (
    f->client, CALL (f, gr_admin_client_delete_api_key_async, f->client, gr_api_key_get_id (key), NULL),
    &error));
  g_assert_no_error (error);
  gone = gr_admin_client_get_api_key_finish (
    f->client, CALL (f, gr_admin_client_get_api_key_async, f->client, gr_api_key_get_id (key), NULL), &error);
  g_assert_null (gone);
  g_assert_error (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_NOT_FOUND);
}

static void
test_stats (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GrOrganization) org = create_org (f, "Usage");
  static const char * const perms[] = { "chat", NULL };
  g_autofree char *secret = NULL;
  g_autoptr(GrApiKey) key = create_key (f, gr_organization_get_id (org), "bot", perms, &secret);
  g_autoptr(GrStatsSeries) stats = NULL;
  g_autoptr(GrStatsSeries) daily = NULL;
  g_autoptr(GrStatsOverview) summary = NULL;
  g_autoptr(GrAccount) me = NULL;
  g_autoptr(GListStore) logs = NULL;
  g_autoptr(GrLogEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree double *y = NULL;
  g_autofree double *x = NULL;
  g_autofree char *tz = gr_admin_client_dup_local_time_zone ();
  GrLogParams log_params = GR_LOG_PARAMS_INIT;
  GrPageInfo page = { 0 };
  GrStatsSeries *group;
  const gint64 *x_ms;
  /* 96 prompt and 20 completion tokens per mock answer. */
  const gint64 n = 3, cost = 96 * 25 / 10 + 20 * 10;
  double sum = 0;
  guint n_points = 0, n_y = 0;
  gint64 requests = 0;
  gint64 now = g_get_real_time () / 1000;

  for (gint64 i = 0; i < n; i++)
    chat (f, secret);
  restart_gateway (f);

  stats = gr_admin_client_get_stats_finish (
    f->client, CALL (f, gr_admin_client_get_stats_async, f->client, GR_STATS_SCOPE_KEY, gr_api_key_get_id (key),
                     now - 6 * 3600 * 1000, now + 3600 * 1000, GR_STATS_GRANULARITY_HOUR, NULL,
                     GR_STATS_GROUP_BY_MODEL, NULL, NULL, NULL),
    &error);
  g_assert_no_error (error);
  g_assert_cmpint (gr_stats_series_get_totals (stats)->requests, ==, n);
  g_assert_cmpint (gr_stats_series_get_totals (stats)->prompt_tokens, ==, n * 96);
  g_assert_cmpint (gr_stats_series_get_totals (stats)->total_tokens, ==, n * 116);
  g_assert_cmpint (gr_stats_series_get_totals (stats)->cost_micros, ==, n * cost);
  g_object_get (stats, "requests", &requests, NULL);
  g_assert_cmpint (requests, ==, n);
  g_assert_cmpstr (gr_stats_series_get_granularity (stats), ==, "hour");
  g_assert_cmpstr (gr_stats_series_get_group_by (stats), ==, "model");
  g_assert_nonnull (gr_stats_series_get_tz (stats));

  /* The chart's form: one x (Unix ms) and one y per point. */
  x_ms = gr_stats_series_get_x_ms (stats, &n_points);
  g_assert_cmpuint (n_points, >=, 1);
  g_assert_cmpuint (n_points, ==, gr_stats_series_get_n_points (stats));
  x = gr_stats_series_dup_x (stats, NULL);
  y = gr_stats_series_dup_y (stats, GR_STATS_METRIC_REQUESTS, &n_y);
  g_assert_cmpuint (n_y, ==, n_points);
  for (guint i = 0; i < n_points; i++)
    {
      sum += y[i];
      g_assert_cmpfloat (x[i], ==, (double) x_ms[i]);
      if (i > 0)
        g_assert_cmpint (x_ms[i], >, x_ms[i - 1]);
    }
  g_assert_cmpfloat (sum, ==, (double) n);
  g_assert_cmpfloat (gr_stats_figures_get (gr_stats_series_get_totals (stats), GR_STATS_METRIC_COST_USD), ==,
                     n * cost / 1e6);

  g_assert_cmpuint (g_list_model_get_n_items (gr_stats_series_get_groups (stats)), ==, 1);
  group = gr_stats_series_find_group (stats, "mock/ok");
  g_assert_nonnull (group);
  g_assert_cmpint (gr_stats_series_get_totals (group)->requests, ==, n);
  g_assert_cmpuint (gr_stats_series_get_n_points (group), ==, n_points);

  /* The organization by day, in the local zone. */
  daily = gr_admin_client_get_stats_finish (
    f->client, CALL (f, gr_admin_client_get_stats_async, f->client, GR_STATS_SCOPE_ORG, gr_organization_get_id (org),
                     0, 0, GR_STATS_GRANULARITY_DAY, tz, GR_STATS_GROUP_BY_NONE, "mock", NULL, NULL),
    &error);
  g_assert_no_error (error);
  g_assert_cmpint (gr_stats_series_get_totals (daily)->requests, ==, n);
  g_assert_cmpstr (gr_stats_series_get_granularity (daily), ==, "day");
  g_assert_cmpuint (g_list_model_get_n_items (gr_stats_series_get_groups (daily)), ==, 0);

  summary = gr_admin_client_get_stats_summary_finish (
    f->client, CALL (f, gr_admin_client_get_stats_summary_async, f->client, gr_organization_get_id (org), NULL,
                     NULL, NULL),
    &error);
  g_assert_no_error (error);
  g_assert_cmpint (gr_stats_series_get_totals (gr_stats_overview_get_today (summary))->requests, ==, n);
  g_assert_cmpint (gr_stats_series_get_totals (gr_stats_overview_get_this_month (summary))->cost_micros, ==,
                   n * cost);
  g_assert_cmpint (gr_stats_series_get_start (gr_stats_overview_get_today (summary)), <=, now);
  g_assert_cmpint (gr_stats_series_get_end (gr_stats_overview_get_today (summary)), >, now);
  g_assert_cmpuint (g_list_model_get_n_items (gr_stats_overview_get_top_models (summary)), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (gr_stats_overview_get_top_keys (summary)), ==, 1);

  log_params.model = "mock/ok";
  log_params.page_size = 2;
  logs = gr_admin_client_list_logs_finish (
    f->client, CALL (f, gr_admin_client_list_logs_async, f->client, &log_params, NULL), &page, &error);
  g_assert_no_error (error);
  g_assert_cmpint (page.total, ==, n);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (logs)), ==, 2);
  entry = g_list_model_get_item (G_LIST_MODEL (logs), 0);
  g_assert_cmpstr (gr_log_entry_get_model (entry), ==, "mock/ok");
  g_assert_cmpstr (gr_log_entry_get_key_id (entry), ==, gr_api_key_get_id (key));
  g_assert_cmpint (gr_log_entry_get_status (entry), ==, 200);
  g_assert_cmpint (gr_log_entry_get_total_tokens (entry), ==, 116);
  g_assert_cmpint (gr_log_entry_get_cost_micros (entry), ==, cost);
  g_assert_false (gr_log_entry_get_stream (entry));
  g_assert_cmpint (gr_log_entry_get_created_at (entry), >, now - 60 * 1000);

  /* The key's own view. */
  {
    g_autoptr(GrAdminClient) own = gr_admin_client_new (f->url, secret);

    me = gr_admin_client_get_me_finish (own, CALL (f, gr_admin_client_get_me_async, own, NULL), &error);
    g_assert_no_error (error);
    g_assert_nonnull (gr_account_get_key (me));
    g_assert_cmpstr (gr_api_key_get_id (gr_account_get_key (me)), ==, gr_api_key_get_id (key));
    g_assert_false (gr_account_get_is_admin (me));
    g_assert_nonnull (gr_account_get_usage (me));
    g_assert_cmpint (gr_stats_series_get_totals (gr_stats_overview_get_today (gr_account_get_usage (me)))->requests,
                     ==, n);
    g_assert_cmpint (gr_account_get_remaining_tokens_today (me), ==, -1);
  }
}

static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GrOrganization) org = create_org (f, "Errors");
  g_autoptr(GrOrganization) dup = gr_organization_new ();
  g_autoptr(GrOrganization) empty = gr_organization_new ();
  g_autoptr(GrOrganization) none = NULL;
  g_autoptr(GrAdminClient) bad = gr_admin_client_new (f->url, "gr-not-a-key");
  g_autoptr(GrAdminClient) chat_only = NULL;
  g_autoptr(GrAdminClient) nowhere = NULL;
  g_autoptr(GListStore) list = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GrApiKey) key = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *closed_url = NULL;
  static const char * const perms[] = { "chat", NULL };

  /* 401: a key the gateway does not know; the client is not connected. */
  list = gr_admin_client_list_organizations_finish (
    bad, CALL (f, gr_admin_client_list_organizations_async, bad, NULL, NULL), NULL, &error);
  g_assert_null (list);
  g_assert_error (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_UNAUTHORIZED);
  g_assert_cmpstr (error->message, !=, "");
  g_assert_false (gr_admin_client_get_connected (bad));
  g_clear_error (&error);

  /* 403: a chat-only key may not list organizations. */
  key = create_key (f, gr_organization_get_id (org), "chat", perms, &secret);
  chat_only = gr_admin_client_new (f->url, secret);
  list = gr_admin_client_list_organizations_finish (
    chat_only, CALL (f, gr_admin_client_list_organizations_async, chat_only, NULL, NULL), NULL, &error);
  g_assert_null (list);
  g_assert_error (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_FORBIDDEN);
  g_assert_true (gr_admin_client_get_connected (chat_only));
  g_clear_error (&error);

  /* 404 */
  none = gr_admin_client_get_organization_finish (
    f->client, CALL (f, gr_admin_client_get_organization_async, f->client, "org_missing", NULL), &error);
  g_assert_null (none);
  g_assert_error (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* 409: the name is taken. */
  gr_organization_set_name (dup, "Errors");
  none = gr_admin_client_create_organization_finish (
    f->client, CALL (f, gr_admin_client_create_organization_async, f->client, dup, NULL), &error);
  g_assert_null (none);
  g_assert_error (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_CONFLICT);
  g_clear_error (&error);

  /* 409: an organization that still has keys. */
  g_assert_false (gr_admin_client_delete_organization_finish (
    f->client, CALL (f, gr_admin_client_delete_organization_async, f->client,
                     gr_organization_get_id (org), FALSE, NULL), &error));
  g_assert_error (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_CONFLICT);
  g_clear_error (&error);

  /* 400 naming the field. */
  gr_organization_set_name (empty, "   ");
  none = gr_admin_client_create_organization_finish (
    f->client, CALL (f, gr_admin_client_create_organization_async, f->client, empty, NULL), &error);
  g_assert_null (none);
  g_assert_error (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_INVALID);
  g_assert_cmpstr (gr_admin_client_error_get_param (error), ==, "name");
  g_assert_cmpstr (gr_admin_client_error_get_code (error), ==, "invalid_value");
  {
    /* The extra data survives a copy, as a GTask or a page may make. */
    g_autoptr(GError) copy = g_error_copy (error);

    g_assert_cmpstr (gr_admin_client_error_get_param (copy), ==, "name");
  }
  g_clear_error (&error);

  /* Cancelled before the answer: our own domain, not G_IO_ERROR. */
  gr_admin_client_list_organizations_async (f->client, NULL, cancellable, result_cb, f);
  g_cancellable_cancel (cancellable);
  g_clear_object (&f->result);
  list = gr_admin_client_list_organizations_finish (f->client, await (f), NULL, &error);
  g_assert_null (list);
  g_assert_error (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_CANCELLED);
  g_clear_error (&error);

  /* A port nobody listens on: a network error, and not connected. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, address, TRUE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  closed_url = g_strdup_printf ("http://127.0.0.1:%u/",
                                g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  nowhere = gr_admin_client_new (closed_url, f->admin);
  g_assert_false (gr_admin_client_health_finish (
    nowhere, CALL (f, gr_admin_client_health_async, nowhere, NULL), NULL, NULL, &error));
  g_assert_error (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_NETWORK);
  g_assert_false (gr_admin_client_get_connected (nowhere));
  g_clear_error (&error);

  /* The address is kept without its trailing slash. */
  g_assert_false (g_str_has_suffix (gr_admin_client_get_base_url (nowhere), "/"));
}

static void
test_providers (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GListStore) list = NULL;
  g_autoptr(GListStore) again = NULL;
  g_autoptr(GrProviderItem) extra = gr_provider_item_new ();
  g_autoptr(GrProviderItem) created = NULL;
  g_autoptr(GrProviderItem) updated = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *mock_url = mock_upstream_dup_url (f->mock);
  g_autofree char *base = g_strconcat (mock_url, "/v1", NULL);
  g_autofree char *message = NULL;
  static const char * const enabled_only[] = { "enabled", NULL };
  gint64 latency = -1;

  list = gr_admin_client_list_providers_finish (
    f->client, CALL (f, gr_admin_client_list_providers_async, f->client, NULL), &error);
  g_assert_no_error (error);
  g_assert_true (store_has_name (G_LIST_MODEL (list), "name", "mock"));

  gr_provider_item_set_name (extra, "extra");
  gr_provider_item_set_kind (extra, "openai-compatible");
  gr_provider_item_set_base_url (extra, base);
  gr_provider_item_set_connect_timeout_ms (extra, 2500);
  created = gr_admin_client_create_provider_finish (
    f->client, CALL (f, gr_admin_client_create_provider_async, f->client, extra, "sk-test-0123456789abcdef", NULL),
    &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gr_provider_item_get_name (created), ==, "extra");
  g_assert_cmpstr (gr_provider_item_get_source (created), ==, "api");
  g_assert_true (gr_provider_item_get_has_api_key (created));
  g_assert_null (strstr (gr_provider_item_get_masked_api_key (created), "0123456789"));
  g_assert_true (gr_provider_item_get_enabled (created));
  g_assert_cmpint (gr_provider_item_get_connect_timeout_ms (created), ==, 3000);
  g_assert_cmpstr (gr_provider_item_get_state (created), ==, "ok");

  gr_provider_item_set_enabled (created, FALSE);
  updated = gr_admin_client_update_provider_finish (
    f->client, CALL (f, gr_admin_client_update_provider_async, f->client, created, enabled_only, "", NULL), &error);
  g_assert_no_error (error);
  g_assert_false (gr_provider_item_get_enabled (updated));
  g_assert_false (gr_provider_item_get_has_api_key (updated));

  /* The test call succeeds as a call, whatever the mock says about it. */
  gr_admin_client_test_provider_finish (
    f->client, CALL (f, gr_admin_client_test_provider_async, f->client, "mock", NULL), &message, &latency, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  g_assert_cmpint (latency, >=, 0);

  g_assert_true (gr_admin_client_delete_provider_finish (
    f->client, CALL (f, gr_admin_client_delete_provider_async, f->client, "extra", NULL), &error));
  g_assert_no_error (error);
  /* A provider of the configuration file cannot be deleted. */
  g_assert_false (gr_admin_client_delete_provider_finish (
    f->client, CALL (f, gr_admin_client_delete_provider_async, f->client, "mock", NULL), &error));
  g_assert_error (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_CONFLICT);
  g_clear_error (&error);

  again = gr_admin_client_list_providers_finish (
    f->client, CALL (f, gr_admin_client_list_providers_async, f->client, NULL), &error);
  g_assert_no_error (error);
  g_assert_false (store_has_name (G_LIST_MODEL (again), "name", "extra"));
}

static void
test_registry (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GListStore) models = NULL;
  g_autoptr(GListStore) aliases = NULL;
  g_autoptr(GrModelItem) model = gr_model_item_new ();
  g_autoptr(GrModelItem) created = NULL;
  g_autoptr(GrModelItem) updated = NULL;
  g_autoptr(GrModelItem) twice = NULL;
  g_autoptr(GrAliasItem) alias = gr_alias_item_new ();
  g_autoptr(GrAliasItem) stored = NULL;
  g_autoptr(GError) error = NULL;
  static const char * const targets[] = { "mock/ok", "mock/new", NULL };
  static const guint weights[] = { 3, 1 };
  static const char * const model_aliases[] = { "new-one", NULL };
  const guint *read_weights;
  guint n_weights = 0;

  models = gr_admin_client_list_models_finish (
    f->client, CALL (f, gr_admin_client_list_models_async, f->client, NULL), &error);
  g_assert_no_error (error);
  g_assert_true (store_has_name (G_LIST_MODEL (models), "id", "mock/ok"));

  gr_model_item_set_id (model, "mock/new");
  gr_model_item_set_provider (model, "mock");
  gr_model_item_set_upstream (model, "new");
  gr_model_item_set_aliases (model, model_aliases);
  gr_model_item_set_context_length (model, 32000);
  gr_model_item_set_input_per_mtok (model, 1000000);
  gr_model_item_set_output_per_mtok (model, 2000000);
  gr_model_item_set_cached_input_per_mtok (model, 100000);
  gr_model_item_set_cache_write_per_mtok (model, 1000000);
  gr_model_item_set_capabilities (model, TRUE, FALSE, TRUE, FALSE, TRUE);
  created = gr_admin_client_create_model_finish (
    f->client, CALL (f, gr_admin_client_create_model_async, f->client, model, NULL), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gr_model_item_get_id (created), ==, "mock/new");
  g_assert_cmpstr (gr_model_item_get_source (created), ==, "api");
  g_assert_cmpint (gr_model_item_get_context_length (created), ==, 32000);
  g_assert_true (gr_model_item_get_tools (created));
  g_assert_false (gr_model_item_get_vision (created));
  g_assert_cmpstr (gr_model_item_get_aliases (created)[0], ==, "new-one");

  twice = gr_admin_client_create_model_finish (
    f->client, CALL (f, gr_admin_client_create_model_async, f->client, model, NULL), &error);
  g_assert_null (twice);
  g_assert_error (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_CONFLICT);
  g_clear_error (&error);

  gr_model_item_set_output_per_mtok (created, 3000000);
  updated = gr_admin_client_update_model_finish (
    f->client, CALL (f, gr_admin_client_update_model_async, f->client, created, NULL), &error);
  g_assert_no_error (error);
  g_assert_cmpint (gr_model_item_get_output_per_mtok (updated), ==, 3000000);
  g_assert_cmpint (gr_model_item_get_cached_input_per_mtok (updated), ==, 100000);

  gr_alias_item_set_name (alias, "quick");
  gr_alias_item_set_strategy (alias, "weighted");
  gr_alias_item_set_targets (alias, targets, weights);
  stored = gr_admin_client_update_alias_finish (
    f->client, CALL (f, gr_admin_client_update_alias_async, f->client, alias, NULL), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gr_alias_item_get_name (stored), ==, "quick");
  g_assert_cmpstr (gr_alias_item_get_strategy (stored), ==, "weighted");
  g_assert_cmpuint (g_strv_length ((char **) gr_alias_item_get_targets (stored)), ==, 2);
  read_weights = gr_alias_item_get_weights (stored, &n_weights);
  g_assert_cmpuint (n_weights, ==, 2);
  g_assert_cmpuint (read_weights[0], ==, 3);
  g_assert_cmpuint (read_weights[1], ==, 1);

  aliases = gr_admin_client_list_aliases_finish (
    f->client, CALL (f, gr_admin_client_list_aliases_async, f->client, NULL), &error);
  g_assert_no_error (error);
  g_assert_true (store_has_name (G_LIST_MODEL (aliases), "name", "quick"));

  g_assert_true (gr_admin_client_delete_alias_finish (
    f->client, CALL (f, gr_admin_client_delete_alias_async, f->client, "quick", NULL), &error));
  g_assert_no_error (error);
  /* The id holds a '/': the path keeps it. */
  g_assert_true (gr_admin_client_delete_model_finish (
    f->client, CALL (f, gr_admin_client_delete_model_async, f->client, "mock/new", NULL), &error));
  g_assert_no_error (error);
  g_assert_false (gr_admin_client_delete_model_finish (
    f->client, CALL (f, gr_admin_client_delete_model_async, f->client, "mock/new", NULL), &error));
  g_assert_error (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_NOT_FOUND);
}

/* Items: setters notify once per change, and only on change. */
static void
count_cb (GObject    *object,
          GParamSpec *pspec,
          guint      *count)
{
  (*count)++;
}

static void
test_items (void)
{
  g_autoptr(GrOrganization) org = gr_organization_new ();
  g_autoptr(GrApiKey) key = gr_api_key_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GrAliasItem) alias = NULL;
  guint count = 0;
  gint64 budget = 0;

  g_signal_connect (org, "notify::monthly-budget-micros", G_CALLBACK (count_cb), &count);
  gr_organization_set_monthly_budget_micros (org, 5000000);
  gr_organization_set_monthly_budget_micros (org, 5000000);
  g_object_set (org, "monthly-budget-micros", (gint64) 5000000, NULL);
  g_assert_cmpuint (count, ==, 1);
  g_object_get (org, "monthly-budget-micros", &budget, NULL);
  g_assert_cmpint (budget, ==, 5000000);

  /* A new key asks for the gateway's default scopes. */
  g_assert_true (gr_api_key_has_permission (key, "chat"));
  g_assert_cmpstr (gr_api_key_get_status (key), ==, "active");

  /* Aliases as models.json writes them: targets with weights inside. */
  node = json_from_string ("{\"name\":\"fast\",\"strategy\":\"weighted\",\"targets\":"
                           "[{\"model\":\"a/x\",\"weight\":3},{\"model\":\"b/y\"}]}", NULL);
  alias = gr_alias_item_new_from_json (json_node_get_object (node));
  g_assert_cmpstr (gr_alias_item_get_targets (alias)[1], ==, "b/y");
  g_assert_cmpuint (gr_alias_item_get_weights (alias, NULL)[0], ==, 3);
  g_assert_cmpuint (gr_alias_item_get_weights (alias, NULL)[1], ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gaiarouter/admin-client/items", test_items);
#define ADD(path, fn) g_test_add ("/gaiarouter/admin-client/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("health", test_health);
  ADD ("organizations", test_organizations);
  ADD ("keys", test_keys);
  ADD ("stats", test_stats);
  ADD ("errors", test_errors);
  ADD ("providers", test_providers);
  ADD ("registry", test_registry);
#undef ADD

  return g_test_run ();
}
