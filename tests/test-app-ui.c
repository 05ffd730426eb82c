/* test-app-ui.c — the pages of the real window against real gateways
 *
 * Runs under Xvfb (see app/meson.build) with GSETTINGS_BACKEND=memory, a
 * scratch database in a temporary directory, and the embedded gateway
 * routing "mock/ok" to a mock upstream on loopback.  It sends requests,
 * then checks that the dashboard and the statistics charts show what the
 * admin API answers, connects to a second gateway through the connect
 * dialog, and checks that the Organizations page shows that gateway's
 * organizations.  No Secret Service runs here, so the dialog must say
 * that the key was not kept.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "gr-test-gtk.h"

#include <string.h>

#include <libsoup/soup.h>

#include "gr-application.h"
#include "gr-connect-dialog.h"
#include "gr-window.h"
#include "mock-upstream.h"
#include "pages/gr-dashboard-page.h"
#include "pages/gr-page.h"
#include "pages/gr-stats-page.h"
#include "pages/gr-stats-row.h"

#define DEADLINE_S 20

static const char * const page_names[] = {
  "dashboard", "organizations", "keys", "statistics", "providers", "models", "logs",
};

static char *tmp_dir;
static MockUpstream *mock;

typedef struct
{
  GrApplication *app;
  GrWindow      *window;
  gboolean       done;
} Run;

/* ---- helpers ------------------------------------------------------------ */

typedef gboolean (*Condition) (gpointer data);

/* Runs the main context until cond holds; fails the test after the
 * deadline. */
static void
wait_for (Condition   cond,
          gpointer    data,
          const char *what)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

static gboolean
result_ready (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GrStatsOverview *
fetch_summary (GrAdminClient *client)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GrStatsOverview *overview;

  gr_admin_client_get_stats_summary_async (client, NULL, NULL, NULL, NULL, store_result_cb, &result);
  wait_for (result_ready, &result, "the summary");
  overview = gr_admin_client_get_stats_summary_finish (client, result, &error);
  g_assert_no_error (error);
  return overview;
}

static GrStatsSeries *
fetch_stats (GrAdminClient      *client,
             GrStatsScope        scope,
             const char         *id,
             gint64              start,
             gint64              end,
             GrStatsGranularity  granularity,
             GrStatsGroupBy      group_by)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GrStatsSeries *series;

  gr_admin_client_get_stats_async (client, scope, id, start, end, granularity, NULL, group_by,
                                   NULL, NULL, NULL, store_result_cb, &result);
  wait_for (result_ready, &result, "statistics");
  series = gr_admin_client_get_stats_finish (client, result, &error);
  g_assert_no_error (error);
  return series;
}

static guint
http_post (const char *url,
           const char *key,
           const char *body)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = soup_message_new ("POST", url);
  g_autoptr(GBytes) request = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *auth = g_strconcat ("Bearer ", key, NULL);

  soup_message_headers_append (soup_message_get_request_headers (message), "Authorization", auth);
  soup_message_set_request_body_from_bytes (message, "application/json", request);
  answer = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  return soup_message_get_status (message);
}

static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static const char *
label_text (GtkWidget  *page,
            GType       type,
            const char *name)
{
  GObject *child = gtk_widget_get_template_child (page, type, name);

  g_assert_true (GTK_IS_LABEL (child));
  return gtk_label_get_text (GTK_LABEL (child));
}

/* ---- steps ------------------------------------------------------------- */

static gboolean
app_ready (gpointer data)
{
  Run *run = data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (run->app));

  return window != NULL && gtk_widget_get_mapped (GTK_WIDGET (window)) &&
         gr_application_get_local_client (run->app) != NULL;
}

static void
check_navigation (Run *run)
{
  GrAdminClient *local = gr_application_get_local_client (run->app);

  g_assert_true (gr_window_get_client (run->window) == local);
  g_assert_false (gr_window_is_remote (run->window));

  for (guint i = 0; i < G_N_ELEMENTS (page_names); i++)
    {
      GtkWidget *page = gr_window_get_page (run->window, page_names[i]);

      g_assert_nonnull (page);
      g_assert_true (gr_window_set_visible_page (run->window, page_names[i]));
      g_assert_cmpstr (gr_window_get_visible_page_name (run->window), ==, page_names[i]);
      g_assert_true (GR_IS_PAGE (page));
      g_assert_true (gr_page_get_client (GR_PAGE (page)) == local);
      g_main_context_iteration (NULL, FALSE);
    }
  g_assert_false (gr_window_set_visible_page (run->window, "no-such-page"));
}

typedef struct
{
  GrDashboardPage *page;
  guint            loads;
} LoadWait;

static gboolean
dashboard_loaded (gpointer data)
{
  LoadWait *wait = data;

  return gr_dashboard_page_get_loads (wait->page) > wait->loads;
}

static gboolean
stats_loaded (gpointer data)
{
  LoadWait *wait = data;

  return gr_stats_page_get_loads (GR_STATS_PAGE (wait->page)) > wait->loads;
}

typedef struct
{
  GrAdminClient *client;
  gint64         requests;
} SummaryWait;

static gboolean
summary_has_requests (gpointer data)
{
  SummaryWait *wait = data;
  g_autoptr(GrStatsOverview) overview = fetch_summary (wait->client);

  return gr_stats_series_get_totals (gr_stats_overview_get_today (overview))->requests >= wait->requests;
}

static void
send_traffic (Run *run)
{
  GrGateway *gateway = gr_application_get_gateway (run->app);
  g_autofree char *url = gr_gateway_dup_url (gateway);
  g_autofree char *chat = g_strconcat (url, "/v1/chat/completions", NULL);
  g_autofree char *admin = gr_gateway_dup_new_admin_key (gateway);
  SummaryWait wait = { gr_application_get_local_client (run->app), 3 };

  g_assert_nonnull (admin);
  g_assert_cmpuint (http_post (chat, admin, "{\"model\":\"mock/ok\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), ==, 200);
  g_assert_cmpuint (http_post (chat, admin, "{\"model\":\"mock/ok\",\"messages\":[{\"role\":\"user\",\"content\":\"again\"}]}"), ==, 200);
  /* Errors are requests too, and are counted. */
  g_assert_cmpuint (http_post (chat, admin, "{\"model\":\"nowhere/none\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), ==, 404);

  /* Usage is written in batches: wait until the API has it all. */
  wait_for (summary_has_requests, &wait, "three requests in the summary");
}

static void
check_dashboard (Run *run)
{
  GtkWidget *page = gr_window_get_page (run->window, "dashboard");
  LoadWait wait = { GR_DASHBOARD_PAGE (page), 0 };
  g_autoptr(GrStatsOverview) expected = NULL;
  const GrStatsFigures *today;
  const GrStatsFigures *month;
  g_autofree char *requests = NULL;
  g_autofree char *tokens = NULL;
  g_autofree char *cost = NULL;
  g_autofree char *errors = NULL;
  g_autofree char *month_requests = NULL;
  GObject *store;
  gboolean found = FALSE;

  gr_window_set_visible_page (run->window, "dashboard");
  wait.loads = gr_dashboard_page_get_loads (wait.page);
  /* Ctrl+R goes to the visible page. */
  gtk_widget_activate_action (GTK_WIDGET (run->window), "win.refresh", NULL);
  wait_for (dashboard_loaded, &wait, "the dashboard");

  expected = fetch_summary (gr_application_get_local_client (run->app));
  today = gr_stats_series_get_totals (gr_stats_overview_get_today (expected));
  month = gr_stats_series_get_totals (gr_stats_overview_get_this_month (expected));
  g_assert_cmpint (today->requests, ==, 3);
  g_assert_cmpint (today->errors, ==, 1);
  g_assert_cmpint (today->total_tokens, >, 0);
  g_assert_cmpint (today->cost_micros, >, 0);

  requests = gr_stats_format_count (today->requests);
  tokens = gr_stats_format_count (today->total_tokens);
  cost = gr_stats_format_cost (today->cost_micros);
  errors = gr_stats_format_count (today->errors);
  month_requests = gr_stats_format_count (month->requests);
  g_assert_cmpstr (label_text (page, GR_TYPE_DASHBOARD_PAGE, "requests_today_value"), ==, requests);
  g_assert_cmpstr (label_text (page, GR_TYPE_DASHBOARD_PAGE, "tokens_today_value"), ==, tokens);
  g_assert_cmpstr (label_text (page, GR_TYPE_DASHBOARD_PAGE, "cost_today_value"), ==, cost);
  g_assert_cmpstr (label_text (page, GR_TYPE_DASHBOARD_PAGE, "errors_today_value"), ==, errors);
  g_assert_cmpstr (label_text (page, GR_TYPE_DASHBOARD_PAGE, "requests_month_value"), ==, month_requests);

  /* The top models table lists the mock model with its requests. */
  store = gtk_widget_get_template_child (page, GR_TYPE_DASHBOARD_PAGE, "top_models_store");
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (store)); i++)
    {
      g_autoptr(GrStatsRow) row = g_list_model_get_item (G_LIST_MODEL (store), i);

      if (g_strcmp0 (gr_stats_row_get_label (row), "mock/ok") == 0)
        {
          g_assert_cmpint (gr_stats_row_get_figures (row)->requests, ==, 2);
          found = TRUE;
        }
    }
  g_assert_true (found);
}

static void
assert_values_equal (GrChart       *chart,
                     const char    *id,
                     const double  *expected,
                     guint          n_expected)
{
  guint n = 0;
  const double *values = gr_chart_get_series_values (chart, id, &n);

  g_assert_cmpuint (n, ==, n_expected);
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat (values[i], ==, expected[i]);
}

static void
check_statistics (Run *run)
{
  GtkWidget *page = gr_window_get_page (run->window, "statistics");
  GrAdminClient *client = gr_application_get_local_client (run->app);
  LoadWait wait = { (GrDashboardPage *) page, 0 };
  g_autoptr(GrStatsSeries) series = NULL;
  g_autoptr(GrStatsSeries) models = NULL;
  g_autofree double *requests = NULL;
  g_autofree double *errors = NULL;
  g_autofree double *tokens = NULL;
  g_autofree double *cost = NULL;
  g_autofree char *csv = NULL;
  GrStatsScope scope;
  const char *id;
  gint64 start, end;
  GrStatsGranularity granularity;
  GListModel *groups;
  guint n = 0;
  guint n_groups;

  gr_window_set_visible_page (run->window, "statistics");
  for (guint range = GR_STATS_RANGE_LAST_24_HOURS; range <= GR_STATS_RANGE_LAST_30_DAYS; range++)
    {
      wait.loads = gr_stats_page_get_loads (GR_STATS_PAGE (page));
      gr_stats_page_set_range (GR_STATS_PAGE (page), range);
      wait_for (stats_loaded, &wait, "the statistics");

      gr_stats_page_get_request (GR_STATS_PAGE (page), &scope, &id, &start, &end, &granularity);
      g_assert_cmpint (scope, ==, GR_STATS_SCOPE_GLOBAL);
      g_assert_null (id);
      g_assert_cmpint (start, <, end);

      /* The same question to the API gets the numbers the charts show. */
      g_clear_object (&series);
      g_clear_object (&models);
      series = fetch_stats (client, scope, id, start, end, granularity, GR_STATS_GROUP_BY_NONE);
      models = fetch_stats (client, scope, id, start, end, granularity, GR_STATS_GROUP_BY_MODEL);
      g_assert_cmpint (gr_stats_series_get_totals (series)->requests, ==, 3);

      g_clear_pointer (&requests, g_free);
      g_clear_pointer (&errors, g_free);
      g_clear_pointer (&tokens, g_free);
      g_clear_pointer (&cost, g_free);
      requests = gr_stats_series_dup_y (series, GR_STATS_METRIC_REQUESTS, &n);
      errors = gr_stats_series_dup_y (series, GR_STATS_METRIC_ERRORS, &n);
      tokens = gr_stats_series_dup_y (series, GR_STATS_METRIC_TOTAL_TOKENS, &n);
      cost = gr_stats_series_dup_y (series, GR_STATS_METRIC_COST_MICROS, &n);
      g_assert_cmpuint (n, >, 0);
      assert_values_equal (gr_stats_page_get_chart (GR_STATS_PAGE (page), "requests"), "requests", requests, n);
      assert_values_equal (gr_stats_page_get_chart (GR_STATS_PAGE (page), "requests"), "errors", errors, n);
      assert_values_equal (gr_stats_page_get_chart (GR_STATS_PAGE (page), "tokens"), "total", tokens, n);
      assert_values_equal (gr_stats_page_get_chart (GR_STATS_PAGE (page), "cost"), "cost", cost, n);

      groups = gr_stats_series_get_groups (models);
      n_groups = g_list_model_get_n_items (groups);
      g_assert_cmpuint (n_groups, ==, 2);
      {
        g_autofree double *by_model = g_new0 (double, n_groups);

        for (guint i = 0; i < n_groups; i++)
          {
            g_autoptr(GrStatsSeries) group = g_list_model_get_item (groups, i);

            by_model[i] = gr_stats_series_get_totals (group)->requests;
          }
        assert_values_equal (gr_stats_page_get_chart (GR_STATS_PAGE (page), "models"), "requests",
                             by_model, n_groups);
      }
    }

  csv = gr_stats_page_dup_csv (GR_STATS_PAGE (page), "model");
  g_assert_nonnull (csv);
  g_assert_true (g_str_has_prefix (csv, "model,requests,errors,"));
  g_assert_nonnull (strstr (csv, "\r\nmock/ok,2,0,"));
}

typedef struct
{
  GrWindow        *window;
  GrConnectDialog *dialog;
  const char      *url;
} ConnectWait;

static gboolean
dialog_idle (gpointer data)
{
  ConnectWait *wait = data;

  return !gr_connect_dialog_get_busy (wait->dialog);
}

static gboolean
organization_shown (gpointer data)
{
  GtkWidget *page = data;
  GtkWidget *view = find_descendant (page, GTK_TYPE_COLUMN_VIEW);
  GListModel *model;

  if (view == NULL)
    view = find_descendant (page, GTK_TYPE_LIST_VIEW);
  if (view == NULL)
    return FALSE;

  model = GTK_IS_COLUMN_VIEW (view) ? G_LIST_MODEL (gtk_column_view_get_model (GTK_COLUMN_VIEW (view)))
                                    : G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (view)));
  for (guint i = 0; model != NULL && i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);

      if (GR_IS_ORGANIZATION (item) &&
          g_strcmp0 (gr_organization_get_name (GR_ORGANIZATION (item)), "Second Gateway Org") == 0)
        return TRUE;
    }
  return FALSE;
}

static void
check_remote (Run *run)
{
  g_autoptr(GrGateway) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *admin = NULL;
  g_autofree char *orgs_url = NULL;
  g_auto(GStrv) recent = NULL;
  GrConfig *config = gr_config_new_default ();
  GrConnectDialog *dialog;
  ConnectWait wait = { run->window, NULL, NULL };
  GtkWidget *organizations;

  /* A second gateway, with its own database and one organization. */
  g_free (config->database);
  config->database = g_build_filename (tmp_dir, "second.db", NULL);
  g_free (config->listen_host);
  config->listen_host = g_strdup ("127.0.0.1");
  config->listen_port = 0;
  second = gr_gateway_new (config);
  g_assert_true (gr_gateway_start (second, &error));
  g_assert_no_error (error);
  url = gr_gateway_dup_url (second);
  admin = gr_gateway_dup_new_admin_key (second);
  orgs_url = g_strconcat (url, "/v1/organizations", NULL);
  g_assert_cmpuint (http_post (orgs_url, admin, "{\"name\":\"Second Gateway Org\"}"), ==, 201);

  /* A wrong key is refused in the dialog, and nothing changes. */
  dialog = gr_connect_dialog_new (run->window);
  wait.dialog = dialog;
  gtk_window_present (GTK_WINDOW (dialog));
  gr_connect_dialog_set_url (dialog, url);
  gr_connect_dialog_set_key (dialog, "gr-not-a-key");
  gr_connect_dialog_connect (dialog);
  g_assert_true (gr_connect_dialog_get_busy (dialog));
  wait_for (dialog_idle, &wait, "the wrong key to be refused");
  g_assert_nonnull (gr_connect_dialog_get_message (dialog));
  g_assert_nonnull (strstr (gr_connect_dialog_get_message (dialog), "refused"));
  g_assert_false (gr_window_is_remote (run->window));

  /* Not a URL at all. */
  gr_connect_dialog_set_url (dialog, "http://");
  gr_connect_dialog_connect (dialog);
  g_assert_false (gr_connect_dialog_get_busy (dialog));
  g_assert_nonnull (gr_connect_dialog_get_message (dialog));

  /* The right key: the window manages the second gateway. */
  gr_connect_dialog_set_url (dialog, url);
  gr_connect_dialog_set_key (dialog, admin);
  gr_connect_dialog_connect (dialog);
  wait_for (dialog_idle, &wait, "the connection");
  g_assert_true (gr_window_is_remote (run->window));
  g_assert_cmpstr (gr_admin_client_get_base_url (gr_window_get_client (run->window)), ==, url);

  recent = g_settings_get_strv (gr_application_get_settings (run->app), "recent-gateways");
  g_assert_cmpstr (recent[0], ==, url);

  /* No Secret Service here: the key is not kept, and the dialog says so. */
  g_assert_nonnull (gr_connect_dialog_get_message (dialog));
  g_assert_nonnull (strstr (gr_connect_dialog_get_message (dialog), "not saved"));
  gtk_window_close (GTK_WINDOW (dialog));

  for (guint i = 0; i < G_N_ELEMENTS (page_names); i++)
    {
      GtkWidget *page = gr_window_get_page (run->window, page_names[i]);

      g_assert_true (gr_page_get_client (GR_PAGE (page)) == gr_window_get_client (run->window));
    }

  organizations = gr_window_get_page (run->window, "organizations");
  gr_window_set_visible_page (run->window, "organizations");
  wait_for (organization_shown, organizations, "the second gateway's organization");

  /* Back to this computer. */
  gtk_widget_activate_action (GTK_WIDGET (run->window), "win.connect-local", NULL);
  g_assert_false (gr_window_is_remote (run->window));
  g_assert_true (gr_window_get_client (run->window) == gr_application_get_local_client (run->app));

  gr_gateway_stop (second);
}

static gboolean
scenario_cb (gpointer user_data)
{
  Run *run = user_data;

  wait_for (app_ready, run, "the window and the gateway");
  run->window = GR_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (run->app)));

  check_navigation (run);
  send_traffic (run);
  check_dashboard (run);
  check_statistics (run);
  check_remote (run);

  run->done = TRUE;
  g_action_group_activate_action (G_ACTION_GROUP (run->app), "quit", NULL);
  return G_SOURCE_REMOVE;
}

static void
activate_after_cb (GApplication *app,
                   Run          *run)
{
  static gboolean started;

  if (!started)
    {
      started = TRUE;
      g_idle_add (scenario_cb, run);
    }
}

static void
test_ui_pages (void)
{
  Run run = { 0 };
  int status;

  run.app = gr_application_new ();
  g_application_set_flags (G_APPLICATION (run.app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (run.app, "activate", G_CALLBACK (activate_after_cb), &run);

  status = g_application_run (G_APPLICATION (run.app), 0, NULL);

  g_assert_cmpint (status, ==, 0);
  g_assert_true (run.done);
  g_clear_object (&run.app);
}

/* ---- set-up ------------------------------------------------------------ */

static void
remove_tree (GFile *file)
{
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info = NULL;
  GFile *child = NULL;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (children != NULL &&
         g_file_enumerator_iterate (children, &info, &child, NULL, NULL) &&
         info != NULL)
    remove_tree (child);

  g_file_delete (file, NULL, NULL);
}

static void
setup_environment (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = NULL;
  g_autofree char *database = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *config = NULL;
  g_autofree char *mock_url = NULL;

  tmp_dir = g_dir_make_tmp ("gaiarouter-ui-XXXXXX", &error);
  g_assert_no_error (error);

  mock = mock_upstream_new ();
  mock_url = mock_upstream_dup_url (mock);
  /* gpt-4o prices, so the dashboard has a cost to show. */
  config = g_strdup_printf ("[provider:mock]\n"
                            "kind=openai-compatible\n"
                            "base_url=%s/v1\n"
                            "api_key=sk-test\n"
                            "\n"
                            "[model:mock/ok]\n"
                            "provider=mock\n"
                            "upstream=ok\n"
                            "input_per_mtok=2500000\n"
                            "output_per_mtok=10000000\n",
                            mock_url);
  config_path = g_build_filename (tmp_dir, "gaiarouter.conf", NULL);
  g_file_set_contents (config_path, config, -1, &error);
  g_assert_no_error (error);

  data_home = g_build_filename (tmp_dir, "data", NULL);
  database = g_build_filename (tmp_dir, "gaiarouter.db", NULL);
  g_assert_cmpint (g_mkdir_with_parents (data_home, 0700), ==, 0);

  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("GAIAROUTER_CONFIG", config_path, TRUE);
  g_setenv ("GAIAROUTER_DB", database, TRUE);
  g_setenv ("GAIAROUTER_LISTEN", "127.0.0.1:0", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  /* No session bus, so no Secret Service: libsecret must fail, fast. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/gaiarouter-test-bus", TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GFile) tmp = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  gr_test_gtk_init_logging ();
  setup_environment ();

  g_test_add_func ("/gaiarouter/app/ui/pages", test_ui_pages);

  ret = g_test_run ();

  mock_upstream_free (mock);
  tmp = g_file_new_for_path (tmp_dir);
  remove_tree (tmp);
  g_clear_pointer (&tmp_dir, g_free);

  return ret;
}
