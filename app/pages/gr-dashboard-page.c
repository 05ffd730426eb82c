/* gr-dashboard-page.c — today and this month at a glance
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything shown comes from the admin API:
 *
 *  - the cards and the top tables from /v1/stats/summary (today against
 *    yesterday, this month against the previous month, local days);
 *  - "requests per minute" from /v1/logs: the requests of the last 30
 *    minutes, put in one-minute buckets by arrival time.  A request is
 *    logged when it ends, so a stream still running is not counted yet;
 *    the API has no figure for requests in progress, and the page says so
 *    rather than guess;
 *  - key names from /v1/api-keys (an answer of 403 leaves the ids).
 *
 * The page polls every 15 seconds while it is mapped.
 */

#define G_LOG_DOMAIN "gaiarouter"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pages/gr-dashboard-page.h"
#include "pages/gr-stats-row.h"
#include "widgets/gr-chart.h"

#define POLL_INTERVAL_S     15
#define LIVE_MINUTES        30
#define LOG_PAGE_SIZE       200
/* 2,000 requests in 30 minutes is more than a personal router sees; past
 * that the chart says it counted only the latest ones. */
#define LOG_MAX_PAGES       10
#define MINUTE_MS           (60 * 1000)

typedef enum
{
  METRIC_REQUESTS,
  METRIC_TOKENS,
  METRIC_COST,
  METRIC_ERRORS,
  N_METRICS
} Metric;

typedef struct
{
  GtkLabel *today_value;
  GtkLabel *today_change;
  GtkLabel *month_value;
  GtkLabel *month_change;
} Card;

struct _GrDashboardPage
{
  AdwBin            parent_instance;

  GrAdminClient    *client;
  GCancellable     *cancellable;
  guint             poll_id;
  guint             loads;
  guint             pending;        /* calls of the current load in flight */
  guint             generation;     /* of the current load */
  gboolean          disposed;       /* callbacks may still come */

  GrStatsOverview  *overview;
  GHashTable       *key_names;      /* key id → name */
  gboolean          error_toasted;

  /* The request log of the last LIVE_MINUTES, being collected. */
  gint64            live_start_ms;
  double            live_counts[LIVE_MINUTES];
  guint             live_streams;
  guint             live_page;
  gint64            live_seen;
  gint64            live_total;

  /* Template widgets */
  GtkStack         *stack;
  AdwStatusPage    *error_page;
  Card              cards[N_METRICS];
  GrChart          *live_chart;
  GtkLabel         *live_caption;
  GtkLabel         *streams_value;
  GtkLabel         *active_streams_value;
  GtkLabel         *latency_avg_value;
  GtkLabel         *latency_p95_value;
  GListStore       *top_models_store;
  GListStore       *top_keys_store;
  GtkStack         *top_models_stack;
  GtkStack         *top_keys_stack;
};

static void gr_dashboard_page_iface_init (GrPageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GrDashboardPage, gr_dashboard_page, ADW_TYPE_BIN,
                               G_IMPLEMENT_INTERFACE (GR_TYPE_PAGE, gr_dashboard_page_iface_init))

enum {
  PROP_0,
  PROP_CLIENT,
  N_PROPS
};

static void gr_dashboard_page_load (GrDashboardPage *self);

static gboolean
is_cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
         g_error_matches (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_CANCELLED);
}

/* The page and the load a call belongs to: an answer to an older load,
 * even one that arrived before the cancellation, is dropped. */
typedef struct
{
  GrDashboardPage *self;
  guint            generation;
} Call;

static Call *
call_new (GrDashboardPage *self)
{
  Call *call = g_new (Call, 1);

  call->self = g_object_ref (self);
  call->generation = self->generation;
  return call;
}

/* Frees call; returns its page (a reference) if the answer still counts. */
static GrDashboardPage *
call_finish (Call         *call,
             const GError *error)
{
  GrDashboardPage *self = call->self;
  gboolean current = call->generation == self->generation && !self->disposed && !is_cancelled (error);

  g_free (call);
  if (!current)
    g_clear_object (&self);
  return self;
}

static gint64
metric_value (const GrStatsFigures *figures,
              Metric                metric)
{
  switch (metric)
    {
    case METRIC_REQUESTS:
      return figures->requests;
    case METRIC_TOKENS:
      return figures->total_tokens;
    case METRIC_COST:
      return figures->cost_micros;
    case METRIC_ERRORS:
      return figures->errors;
    case N_METRICS:
    default:
      g_assert_not_reached ();
    }
}

static char *
format_metric (Metric metric,
               gint64 value)
{
  if (metric == METRIC_COST)
    return gr_stats_format_cost (value);
  return gr_stats_format_count (value);
}

/* "+12% vs yesterday (1,020)": the change and the value it is against. */
static char *
format_comparison (Metric      metric,
                   gint64      current,
                   gint64      previous,
                   gboolean    month)
{
  g_autofree char *change = gr_stats_format_change (current, previous);
  g_autofree char *before = format_metric (metric, previous);

  /* Nothing before: a percentage would mean nothing. */
  if (change == NULL || previous == 0)
    return month
      /* Translators: %s is a number or an amount, e.g. "0" or "$0.00". */
      ? g_strdup_printf (_("Last month: %s"), before)
      /* Translators: %s is a number or an amount, e.g. "0" or "$0.00". */
      : g_strdup_printf (_("Yesterday: %s"), before);

  return month
    /* Translators: "+12% vs last month ($3.20)"; the first %s is the change,
     * the second last month's whole value. */
    ? g_strdup_printf (_("%s vs last month (%s)"), change, before)
    /* Translators: "+12% vs yesterday (1,020)"; the first %s is the change,
     * the second yesterday's whole value (today is not over yet). */
    : g_strdup_printf (_("%s vs yesterday (%s)"), change, before);
}

static void
gr_dashboard_page_show_cards (GrDashboardPage *self)
{
  const GrStatsFigures *today = gr_stats_series_get_totals (gr_stats_overview_get_today (self->overview));
  const GrStatsFigures *yesterday = gr_stats_series_get_totals (gr_stats_overview_get_yesterday (self->overview));
  const GrStatsFigures *month = gr_stats_series_get_totals (gr_stats_overview_get_this_month (self->overview));
  const GrStatsFigures *previous = gr_stats_series_get_totals (gr_stats_overview_get_previous_month (self->overview));
  g_autofree char *avg = NULL;
  g_autofree char *p95 = NULL;

  for (guint m = 0; m < N_METRICS; m++)
    {
      Card *card = &self->cards[m];
      g_autofree char *today_text = format_metric (m, metric_value (today, m));
      g_autofree char *month_text = format_metric (m, metric_value (month, m));
      g_autofree char *today_change = format_comparison (m, metric_value (today, m),
                                                         metric_value (yesterday, m), FALSE);
      g_autofree char *month_change = format_comparison (m, metric_value (month, m),
                                                         metric_value (previous, m), TRUE);

      gtk_label_set_text (card->today_value, today_text);
      gtk_label_set_text (card->today_change, today_change);
      gtk_label_set_text (card->month_value, month_text);
      gtk_label_set_text (card->month_change, month_change);
    }

  avg = gr_stats_format_latency (today->avg_latency_ms, today->requests);
  p95 = gr_stats_format_latency (today->p95_latency_ms, today->requests);
  gtk_label_set_text (self->latency_avg_value, avg);
  gtk_label_set_text (self->latency_p95_value, p95);
}

static void
fill_top_store (GrDashboardPage *self,
                GListStore      *store,
                GtkStack        *stack,
                GListModel      *groups,
                gboolean         keys)
{
  guint n = groups != NULL ? g_list_model_get_n_items (groups) : 0;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GrStatsSeries) group = g_list_model_get_item (groups, i);
      const char *id = gr_stats_series_get_group (group);
      const char *label = id;
      const char *detail = NULL;

      if (id == NULL)
        /* Translators: requests without a key or a model, e.g. refused ones. */
        label = keys ? _("No key") : _("No model");
      else if (keys && self->key_names != NULL && g_hash_table_contains (self->key_names, id))
        {
          label = g_hash_table_lookup (self->key_names, id);
          detail = id;
        }

      g_ptr_array_add (rows, gr_stats_row_new (label, detail, 0, gr_stats_series_get_totals (group)));
    }

  g_list_store_splice (store, 0, g_list_model_get_n_items (G_LIST_MODEL (store)),
                       rows->pdata, rows->len);
  gtk_stack_set_visible_child_name (stack, n > 0 ? "table" : "empty");
}

/* The gateway's live count, from the same answer as the totals. */
static void
show_active_streams (GrDashboardPage *self)
{
  gint64 streams = gr_stats_overview_get_in_flight_streams (self->overview);
  g_autofree char *text = NULL;

  if (streams < 0)
    {
      gtk_label_set_text (self->active_streams_value, C_("value", "—"));
      return;
    }
  text = gr_stats_format_count (streams);
  gtk_label_set_text (self->active_streams_value, text);
}

static void
gr_dashboard_page_show_tops (GrDashboardPage *self)
{
  if (self->overview == NULL)
    return;

  fill_top_store (self, self->top_models_store, self->top_models_stack,
                  gr_stats_overview_get_top_models (self->overview), FALSE);
  fill_top_store (self, self->top_keys_store, self->top_keys_stack,
                  gr_stats_overview_get_top_keys (self->overview), TRUE);
  show_active_streams (self);
}

static void
gr_dashboard_page_show_live (GrDashboardPage *self)
{
  gint64 x[LIVE_MINUTES];
  g_autofree char *streams = NULL;
  g_autofree char *caption = NULL;

  for (guint i = 0; i < LIVE_MINUTES; i++)
    x[i] = self->live_start_ms + (gint64) i * MINUTE_MS;

  gr_chart_series_set_points (gr_chart_get_series (self->live_chart, "requests"),
                              x, NULL, self->live_counts, LIVE_MINUTES);

  streams = gr_stats_format_count (self->live_streams);
  gtk_label_set_text (self->streams_value, streams);

  if (self->live_total > self->live_seen)
    /* Translators: %d is a number of requests. */
    caption = g_strdup_printf (_("Requests that arrived in each of the last 30 minutes, from the request log; "
                                 "only the latest %d were counted. Updated every 15 seconds."),
                               (int) self->live_seen);
  else
    caption = g_strdup (_("Requests that arrived in each of the last 30 minutes, from the request log "
                          "(a request is logged when it ends). Updated every 15 seconds."));
  gtk_label_set_text (self->live_caption, caption);
}

static void
gr_dashboard_page_load_done (GrDashboardPage *self)
{
  g_assert (self->pending > 0);

  if (--self->pending == 0)
    self->loads++;
}

static void
gr_dashboard_page_report_error (GrDashboardPage *self,
                                const GError    *error)
{
  if (self->overview == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
    }
  else if (!self->error_toasted)
    {
      /* Once per failure streak, not every 15 seconds. */
      self->error_toasted = TRUE;
      gr_page_toast_error (GTK_WIDGET (self), error);
    }
}

static void
summary_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GrDashboardPage) self = NULL;
  g_autoptr(GrStatsOverview) overview = NULL;
  g_autoptr(GError) error = NULL;

  overview = gr_admin_client_get_stats_summary_finish (GR_ADMIN_CLIENT (source), result, &error);
  self = call_finish (user_data, error);
  if (self == NULL)
    return;

  if (overview == NULL)
    gr_dashboard_page_report_error (self, error);
  else
    {
      self->error_toasted = FALSE;
      g_set_object (&self->overview, overview);
      gr_dashboard_page_show_cards (self);
      gr_dashboard_page_show_tops (self);
      gtk_stack_set_visible_child_name (self->stack, "content");
    }

  gr_dashboard_page_load_done (self);
}

static void
keys_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GrDashboardPage) self = NULL;
  g_autoptr(GListStore) keys = NULL;
  g_autoptr(GError) error = NULL;
  guint n;

  keys = gr_admin_client_list_api_keys_finish (GR_ADMIN_CLIENT (source), result, NULL, &error);
  self = call_finish (user_data, error);
  if (self == NULL)
    return;

  /* A key without keys:read sees ids only; that is fine. */
  if (keys != NULL)
    {
      g_hash_table_remove_all (self->key_names);
      n = g_list_model_get_n_items (G_LIST_MODEL (keys));
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(GrApiKey) key = g_list_model_get_item (G_LIST_MODEL (keys), i);

          g_hash_table_insert (self->key_names,
                               g_strdup (gr_api_key_get_id (key)),
                               g_strdup (gr_api_key_get_name (key)));
        }
      gr_dashboard_page_show_tops (self);
    }

  gr_dashboard_page_load_done (self);
}

static void gr_dashboard_page_fetch_logs (GrDashboardPage *self);

static void
logs_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GrDashboardPage) self = NULL;
  g_autoptr(GListStore) entries = NULL;
  g_autoptr(GError) error = NULL;
  GrPageInfo info = { 0 };
  guint n;

  entries = gr_admin_client_list_logs_finish (GR_ADMIN_CLIENT (source), result, &info, &error);
  self = call_finish (user_data, error);
  if (self == NULL)
    return;

  if (entries == NULL)
    {
      /* A key without stats:read gets 403 here: leave the chart empty. */
      gr_chart_series_set_points (gr_chart_get_series (self->live_chart, "requests"),
                                  NULL, NULL, NULL, 0);
      gtk_label_set_text (self->live_caption, error->message);
      gtk_label_set_text (self->streams_value, C_("value", "—"));
      gr_dashboard_page_load_done (self);
      return;
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (entries));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GrLogEntry) entry = g_list_model_get_item (G_LIST_MODEL (entries), i);
      gint64 bucket = (gr_log_entry_get_created_at (entry) - self->live_start_ms) / MINUTE_MS;

      if (bucket >= 0 && bucket < LIVE_MINUTES)
        self->live_counts[bucket] += 1;
      if (gr_log_entry_get_stream (entry))
        self->live_streams++;
    }
  self->live_seen += n;
  self->live_total = info.total;

  if (n == LOG_PAGE_SIZE && self->live_seen < info.total && self->live_page < LOG_MAX_PAGES)
    {
      self->live_page++;
      gr_dashboard_page_fetch_logs (self);
      return;
    }

  gr_dashboard_page_show_live (self);
  gr_dashboard_page_load_done (self);
}

static void
gr_dashboard_page_fetch_logs (GrDashboardPage *self)
{
  GrLogParams params = GR_LOG_PARAMS_INIT;

  params.page = self->live_page;
  params.page_size = LOG_PAGE_SIZE;
  params.since = self->live_start_ms;
  params.sort = "ts_desc";
  gr_admin_client_list_logs_async (self->client, &params, self->cancellable,
                                   logs_cb, call_new (self));
}

static void
gr_dashboard_page_load (GrDashboardPage *self)
{
  GrListParams key_params = { 0 };
  gint64 now_ms = g_get_real_time () / 1000;

  if (self->client == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->generation++;
  self->pending = 3;

  gr_admin_client_get_stats_summary_async (self->client, NULL, NULL, NULL, self->cancellable,
                                           summary_cb, call_new (self));

  key_params.page_size = 200;
  gr_admin_client_list_api_keys_async (self->client, &key_params, self->cancellable,
                                       keys_cb, call_new (self));

  /* The current minute is the last bucket. */
  self->live_start_ms = (now_ms / MINUTE_MS - (LIVE_MINUTES - 1)) * MINUTE_MS;
  memset (self->live_counts, 0, sizeof self->live_counts);
  self->live_streams = 0;
  self->live_page = 1;
  self->live_seen = 0;
  self->live_total = 0;
  gr_dashboard_page_fetch_logs (self);
}

static gboolean
gr_dashboard_page_poll_cb (gpointer user_data)
{
  GrDashboardPage *self = user_data;

  /* Skip a beat rather than pile up calls on a slow gateway. */
  if (self->pending == 0)
    gr_dashboard_page_load (self);

  return G_SOURCE_CONTINUE;
}

static void
gr_dashboard_page_update_polling (GrDashboardPage *self)
{
  gboolean wanted = self->client != NULL && gtk_widget_get_mapped (GTK_WIDGET (self));

  if (wanted && self->poll_id == 0)
    self->poll_id = g_timeout_add_seconds (POLL_INTERVAL_S, gr_dashboard_page_poll_cb, self);
  else if (!wanted)
    g_clear_handle_id (&self->poll_id, g_source_remove);
}

static void
gr_dashboard_page_set_client (GrDashboardPage *self,
                              GrAdminClient   *client)
{
  if (self->client == client)
    return;

  g_cancellable_cancel (self->cancellable);
  self->generation++;
  g_set_object (&self->client, client);
  g_clear_object (&self->overview);
  g_hash_table_remove_all (self->key_names);
  self->pending = 0;
  self->error_toasted = FALSE;

  if (client == NULL)
    gtk_stack_set_visible_child_name (self->stack, "disconnected");
  else
    gr_dashboard_page_load (self);

  gr_dashboard_page_update_polling (self);
  g_object_notify (G_OBJECT (self), "client");
}

static void
gr_dashboard_page_refresh (GrPage *page)
{
  gr_dashboard_page_load (GR_DASHBOARD_PAGE (page));
}

static void
gr_dashboard_page_iface_init (GrPageInterface *iface)
{
  iface->refresh = gr_dashboard_page_refresh;
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  gr_dashboard_page_load (GR_DASHBOARD_PAGE (widget));
}

static void
gr_dashboard_page_map (GtkWidget *widget)
{
  GrDashboardPage *self = GR_DASHBOARD_PAGE (widget);

  GTK_WIDGET_CLASS (gr_dashboard_page_parent_class)->map (widget);

  /* Coming back to the page: show fresh numbers at once. */
  if (self->client != NULL && self->poll_id == 0 && self->pending == 0 && self->overview != NULL)
    gr_dashboard_page_load (self);
  gr_dashboard_page_update_polling (self);
}

static void
gr_dashboard_page_unmap (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (gr_dashboard_page_parent_class)->unmap (widget);

  gr_dashboard_page_update_polling (GR_DASHBOARD_PAGE (widget));
}

static void
gr_dashboard_page_dispose (GObject *object)
{
  GrDashboardPage *self = GR_DASHBOARD_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->poll_id, g_source_remove);
  /* Not gtk_widget_dispose_template(): it would unparent the child
   * behind AdwBin's back, and AdwBin's dispose unparents it again. */
  self->disposed = TRUE;

  G_OBJECT_CLASS (gr_dashboard_page_parent_class)->dispose (object);
}

static void
gr_dashboard_page_finalize (GObject *object)
{
  GrDashboardPage *self = GR_DASHBOARD_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->overview);
  g_clear_pointer (&self->key_names, g_hash_table_unref);

  G_OBJECT_CLASS (gr_dashboard_page_parent_class)->finalize (object);
}

static void
gr_dashboard_page_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  GrDashboardPage *self = GR_DASHBOARD_PAGE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gr_dashboard_page_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  GrDashboardPage *self = GR_DASHBOARD_PAGE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      gr_dashboard_page_set_client (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

#define BIND_CARD(metric, index) \
  G_STMT_START { \
    gtk_widget_class_bind_template_child_full (widget_class, #metric "_today_value", FALSE, \
      G_STRUCT_OFFSET (GrDashboardPage, cards) + index * sizeof (Card) + G_STRUCT_OFFSET (Card, today_value)); \
    gtk_widget_class_bind_template_child_full (widget_class, #metric "_today_change", FALSE, \
      G_STRUCT_OFFSET (GrDashboardPage, cards) + index * sizeof (Card) + G_STRUCT_OFFSET (Card, today_change)); \
    gtk_widget_class_bind_template_child_full (widget_class, #metric "_month_value", FALSE, \
      G_STRUCT_OFFSET (GrDashboardPage, cards) + index * sizeof (Card) + G_STRUCT_OFFSET (Card, month_value)); \
    gtk_widget_class_bind_template_child_full (widget_class, #metric "_month_change", FALSE, \
      G_STRUCT_OFFSET (GrDashboardPage, cards) + index * sizeof (Card) + G_STRUCT_OFFSET (Card, month_change)); \
  } G_STMT_END

static void
gr_dashboard_page_class_init (GrDashboardPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gr_dashboard_page_dispose;
  object_class->finalize = gr_dashboard_page_finalize;
  object_class->get_property = gr_dashboard_page_get_property;
  object_class->set_property = gr_dashboard_page_set_property;

  widget_class->map = gr_dashboard_page_map;
  widget_class->unmap = gr_dashboard_page_unmap;

  g_object_class_override_property (object_class, PROP_CLIENT, "client");

  g_type_ensure (GR_TYPE_CHART);
  g_type_ensure (GR_TYPE_STATS_ROW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/gaiarouter/GaiaRouter/pages/gr-dashboard-page.ui");
  gtk_widget_class_bind_template_child (widget_class, GrDashboardPage, stack);
  gtk_widget_class_bind_template_child (widget_class, GrDashboardPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, GrDashboardPage, live_chart);
  gtk_widget_class_bind_template_child (widget_class, GrDashboardPage, live_caption);
  gtk_widget_class_bind_template_child (widget_class, GrDashboardPage, streams_value);
  gtk_widget_class_bind_template_child (widget_class, GrDashboardPage, active_streams_value);
  gtk_widget_class_bind_template_child (widget_class, GrDashboardPage, latency_avg_value);
  gtk_widget_class_bind_template_child (widget_class, GrDashboardPage, latency_p95_value);
  gtk_widget_class_bind_template_child (widget_class, GrDashboardPage, top_models_store);
  gtk_widget_class_bind_template_child (widget_class, GrDashboardPage, top_keys_store);
  gtk_widget_class_bind_template_child (widget_class, GrDashboardPage, top_models_stack);
  gtk_widget_class_bind_template_child (widget_class, GrDashboardPage, top_keys_stack);
  BIND_CARD (requests, METRIC_REQUESTS);
  BIND_CARD (tokens, METRIC_TOKENS);
  BIND_CARD (cost, METRIC_COST);
  BIND_CARD (errors, METRIC_ERRORS);

  gtk_widget_class_install_action (widget_class, "dashboard.refresh", NULL, refresh_action);
}

static void
gr_dashboard_page_init (GrDashboardPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->key_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  gr_chart_add_series (self->live_chart, "requests", _("Requests"), GR_CHART_SERIES_BAR);
  gtk_stack_set_visible_child_name (self->stack, "disconnected");
}

/**
 * gr_dashboard_page_new:
 *
 * Returns: (transfer floating): a new dashboard page, without a client
 */
GtkWidget *
gr_dashboard_page_new (void)
{
  return g_object_new (GR_TYPE_DASHBOARD_PAGE, NULL);
}

GrStatsOverview *
gr_dashboard_page_get_overview (GrDashboardPage *self)
{
  g_return_val_if_fail (GR_IS_DASHBOARD_PAGE (self), NULL);

  return self->overview;
}

guint
gr_dashboard_page_get_loads (GrDashboardPage *self)
{
  g_return_val_if_fail (GR_IS_DASHBOARD_PAGE (self), 0);

  return self->loads;
}
