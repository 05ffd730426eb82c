/* gr-stats-page.c — requests, tokens and cost over a range
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One load asks /v1/stats three times for the same scope and range: once
 * ungrouped (the time series: requests, tokens and cost charts), once
 * grouped by model and once by provider (the bar charts).  Every table
 * shows exactly the numbers of its chart, and "Export CSV" writes them.
 *
 * Ranges: the last 24 hours and 7 days by hour, the last 30 days by local
 * day, custom dates by hour up to 3 days and by day beyond.
 */

#define G_LOG_DOMAIN "gaiarouter"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pages/gr-stats-page.h"
#include "pages/gr-stats-row.h"

#define HOUR_MS              (3600 * G_GINT64_CONSTANT (1000))
#define DAY_MS               (24 * HOUR_MS)
/* Custom ranges up to this many days are shown by hour. */
#define MAX_HOURLY_DAYS      3
/* Bars beyond these are in the tables only. */
#define MAX_CHART_GROUPS     12
#define LIST_PAGE_SIZE       200

enum {
  RESULT_TIME,
  RESULT_MODEL,
  RESULT_PROVIDER,
  N_RESULTS
};

struct _GrStatsPage
{
  AdwBin              parent_instance;

  GrAdminClient      *client;
  GCancellable       *cancellable;       /* the current load */
  GCancellable       *lists_cancellable; /* organizations and keys */
  GListStore         *organizations;
  GListStore         *keys;
  gboolean            updating;          /* changing widgets from code */

  GrStatsRange        range;
  GDateTime          *custom_first;
  GDateTime          *custom_last;

  /* The request of the last load. */
  GrStatsScope        scope;
  char               *scope_id;
  gint64              start_ms;
  gint64              end_ms;
  GrStatsGranularity  granularity;

  GrStatsSeries      *results[N_RESULTS];
  guint               pending;
  guint               loads;
  guint               generation;        /* of the current load */
  gboolean            disposed;          /* callbacks may still come */

  /* Template widgets */
  GtkStack           *stack;
  GtkStack           *content_stack;
  AdwStatusPage      *message_page;
  GtkDropDown        *scope_dropdown;
  GtkDropDown        *org_dropdown;
  GtkDropDown        *key_dropdown;
  GtkDropDown        *range_dropdown;
  GtkMenuButton      *from_button;
  GtkWidget          *dates_separator;
  GtkMenuButton      *to_button;
  GtkCalendar        *from_calendar;
  GtkCalendar        *to_calendar;
  GtkSpinner         *spinner;
  GtkWidget          *export_button;
  GtkLabel           *totals_label;
  GrChart            *requests_chart;
  GrChart            *tokens_chart;
  GrChart            *cost_chart;
  GrChart            *models_chart;
  GrChart            *providers_chart;
  GListStore         *time_store;
  GListStore         *models_store;
  GListStore         *providers_store;
};

static void gr_stats_page_iface_init (GrPageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GrStatsPage, gr_stats_page, ADW_TYPE_BIN,
                               G_IMPLEMENT_INTERFACE (GR_TYPE_PAGE, gr_stats_page_iface_init))

enum {
  PROP_0,
  PROP_CLIENT,
  N_PROPS
};

static void gr_stats_page_load (GrStatsPage *self);

static gboolean
is_cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
         g_error_matches (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_CANCELLED);
}

/* ---- ranges ------------------------------------------------------------ */

static GDateTime *
local_midnight (GDateTime *dt)
{
  return g_date_time_new_local (g_date_time_get_year (dt),
                                g_date_time_get_month (dt),
                                g_date_time_get_day_of_month (dt),
                                0, 0, 0);
}

static void
gr_stats_page_compute_range (GrStatsPage *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  gint64 now_ms = g_date_time_to_unix (now) * 1000 + g_date_time_get_microsecond (now) / 1000;

  switch (self->range)
    {
    case GR_STATS_RANGE_LAST_24_HOURS:
      self->start_ms = now_ms - DAY_MS;
      self->end_ms = now_ms;
      self->granularity = GR_STATS_GRANULARITY_HOUR;
      break;

    case GR_STATS_RANGE_LAST_7_DAYS:
      self->start_ms = now_ms - 7 * DAY_MS;
      self->end_ms = now_ms;
      self->granularity = GR_STATS_GRANULARITY_HOUR;
      break;

    case GR_STATS_RANGE_LAST_30_DAYS:
      {
        /* Thirty whole local days, today included. */
        g_autoptr(GDateTime) today = local_midnight (now);
        g_autoptr(GDateTime) first = g_date_time_add_days (today, -29);

        self->start_ms = g_date_time_to_unix (first) * 1000;
        self->end_ms = now_ms;
        self->granularity = GR_STATS_GRANULARITY_DAY;
      }
      break;

    case GR_STATS_RANGE_CUSTOM:
      {
        g_autoptr(GDateTime) first = local_midnight (self->custom_first);
        g_autoptr(GDateTime) last = local_midnight (self->custom_last);
        g_autoptr(GDateTime) after = NULL;
        int days;

        if (g_date_time_compare (first, last) > 0)
          {
            GDateTime *tmp = first;

            first = last;
            last = tmp;
          }
        after = g_date_time_add_days (last, 1);
        days = (int) (g_date_time_difference (after, first) / G_TIME_SPAN_DAY);

        self->start_ms = g_date_time_to_unix (first) * 1000;
        self->end_ms = g_date_time_to_unix (after) * 1000;
        self->granularity = days <= MAX_HOURLY_DAYS ? GR_STATS_GRANULARITY_HOUR
                                                    : GR_STATS_GRANULARITY_DAY;
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

static char *
format_day (GDateTime *dt)
{
  /* Translators: a date as in a date picker button; see
   * g_date_time_format() for the codes. */
  return g_date_time_format (dt, C_("date format", "%b %-d, %Y"));
}

static char *
format_point (gint64             ms,
              GrStatsGranularity granularity)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (ms / 1000);

  if (granularity == GR_STATS_GRANULARITY_DAY)
    /* Translators: a day in a table, e.g. "Thu, Nov 27"; see
     * g_date_time_format() for the codes. */
    return g_date_time_format (dt, C_("date format", "%a, %b %-d"));

  /* Translators: an hour in a table, e.g. "Nov 27, 14:00"; see
   * g_date_time_format() for the codes. */
  return g_date_time_format (dt, C_("date format", "%b %-d, %H:%M"));
}

static void
gr_stats_page_update_date_buttons (GrStatsPage *self)
{
  g_autofree char *first = format_day (self->custom_first);
  g_autofree char *last = format_day (self->custom_last);
  gboolean custom = self->range == GR_STATS_RANGE_CUSTOM;

  gtk_menu_button_set_label (self->from_button, first);
  gtk_menu_button_set_label (self->to_button, last);
  gtk_widget_set_visible (GTK_WIDGET (self->from_button), custom);
  gtk_widget_set_visible (self->dates_separator, custom);
  gtk_widget_set_visible (GTK_WIDGET (self->to_button), custom);
}

/* ---- showing results --------------------------------------------------- */

static void
set_time_series (GrChart            *chart,
                 const char         *id,
                 GrStatsSeries      *series,
                 GrStatsMetric       metric)
{
  guint n = 0;
  const gint64 *x = gr_stats_series_get_x_ms (series, &n);
  g_autofree double *y = gr_stats_series_dup_y (series, metric, &n);

  gr_chart_series_set_points (gr_chart_get_series (chart, id), x, NULL, y, n);
}

static const char *
group_label (GrStatsSeries *group,
             const char    *none)
{
  const char *name = gr_stats_series_get_group (group);

  return name != NULL ? name : none;
}

static void
show_groups (GrStatsPage   *self,
             GrStatsSeries *series,
             GrChart       *chart,
             GListStore    *store,
             const char    *none)
{
  GListModel *groups = gr_stats_series_get_groups (series);
  guint n = g_list_model_get_n_items (groups);
  guint n_bars = MIN (n, MAX_CHART_GROUPS);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree const char **labels = g_new0 (const char *, n_bars + 1);
  g_autofree double *values = g_new0 (double, n_bars + 1);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GrStatsSeries) group = g_list_model_get_item (groups, i);
      const char *label = group_label (group, none);

      g_ptr_array_add (rows, gr_stats_row_new (label, NULL, 0, gr_stats_series_get_totals (group)));
      if (i < n_bars)
        {
          /* The rows own the labels, and live until the splice below. */
          labels[i] = gr_stats_row_get_label (g_ptr_array_index (rows, i));
          values[i] = (double) gr_stats_series_get_totals (group)->requests;
        }
    }

  gr_chart_series_set_points (gr_chart_get_series (chart, "requests"),
                              NULL, labels, values, n_bars);
  g_list_store_splice (store, 0, g_list_model_get_n_items (G_LIST_MODEL (store)),
                       rows->pdata, rows->len);
}

static void
gr_stats_page_show (GrStatsPage *self)
{
  GrStatsSeries *series = self->results[RESULT_TIME];
  const GrStatsFigures *totals = gr_stats_series_get_totals (series);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *requests = gr_stats_format_count (totals->requests);
  g_autofree char *errors = gr_stats_format_count (totals->errors);
  g_autofree char *tokens = gr_stats_format_count (totals->total_tokens);
  g_autofree char *cost = gr_stats_format_cost (totals->cost_micros);
  g_autofree char *text = NULL;
  guint n = 0;
  const gint64 *x = gr_stats_series_get_x_ms (series, &n);

  /* Translators: totals of the range shown: requests, errors, tokens, cost. */
  text = g_strdup_printf (_("In this range: %s requests, %s errors, %s tokens, %s"),
                          requests, errors, tokens, cost);
  gtk_label_set_text (self->totals_label, text);

  set_time_series (self->requests_chart, "requests", series, GR_STATS_METRIC_REQUESTS);
  set_time_series (self->requests_chart, "errors", series, GR_STATS_METRIC_ERRORS);
  set_time_series (self->tokens_chart, "total", series, GR_STATS_METRIC_TOTAL_TOKENS);
  set_time_series (self->tokens_chart, "prompt", series, GR_STATS_METRIC_PROMPT_TOKENS);
  set_time_series (self->tokens_chart, "completion", series, GR_STATS_METRIC_COMPLETION_TOKENS);
  set_time_series (self->cost_chart, "cost", series, GR_STATS_METRIC_COST_MICROS);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *label = format_point (x[i], self->granularity);

      g_ptr_array_add (rows, gr_stats_row_new (label, NULL, x[i],
                                               gr_stats_series_get_point (series, i)));
    }
  g_list_store_splice (self->time_store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->time_store)),
                       rows->pdata, rows->len);

  /* Translators: requests without a model or provider, e.g. refused ones. */
  show_groups (self, self->results[RESULT_MODEL], self->models_chart, self->models_store, _("No model"));
  show_groups (self, self->results[RESULT_PROVIDER], self->providers_chart, self->providers_store,
               _("No provider"));

  gtk_stack_set_visible_child_name (self->content_stack, "charts");
  gtk_widget_set_sensitive (self->export_button, TRUE);
}

static void
gr_stats_page_show_message (GrStatsPage *self,
                            const char  *icon_name,
                            const char  *title,
                            const char  *description)
{
  adw_status_page_set_icon_name (self->message_page, icon_name);
  adw_status_page_set_title (self->message_page, title);
  adw_status_page_set_description (self->message_page, description);
  gtk_stack_set_visible_child_name (self->content_stack, "message");
  gtk_widget_set_sensitive (self->export_button, FALSE);
}

/* ---- loading ----------------------------------------------------------- */

typedef struct
{
  GrStatsPage *self;
  guint        index;
  guint        generation;
} StatsCall;

static void
stats_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  StatsCall *call = user_data;
  g_autoptr(GrStatsPage) self = call->self;
  guint index = call->index;
  guint generation = call->generation;
  g_autoptr(GrStatsSeries) series = NULL;
  g_autoptr(GError) error = NULL;

  g_free (call);
  series = gr_admin_client_get_stats_finish (GR_ADMIN_CLIENT (source), result, &error);
  /* An answer to an older load, even one that made it before the
   * cancellation, is dropped. */
  if (is_cancelled (error) || generation != self->generation || self->disposed)
    return;

  g_assert (self->pending > 0);
  self->pending--;

  if (series == NULL)
    {
      /* One failure is enough: cancel the others and say why. */
      g_cancellable_cancel (self->cancellable);
      self->pending = 0;
      gtk_spinner_set_spinning (self->spinner, FALSE);
      gr_stats_page_show_message (self, "dialog-error-symbolic",
                                  _("Could Not Load Statistics"), error->message);
      self->loads++;
      return;
    }

  g_set_object (&self->results[index], series);
  if (self->pending == 0)
    {
      gtk_spinner_set_spinning (self->spinner, FALSE);
      gr_stats_page_show (self);
      self->loads++;
    }
}

static void
gr_stats_page_request (GrStatsPage    *self,
                       guint           index,
                       GrStatsGroupBy  group_by)
{
  StatsCall *call = g_new0 (StatsCall, 1);

  call->self = g_object_ref (self);
  call->index = index;
  call->generation = self->generation;
  gr_admin_client_get_stats_async (self->client, self->scope, self->scope_id,
                                   self->start_ms, self->end_ms, self->granularity,
                                   NULL, group_by, NULL, NULL,
                                   self->cancellable, stats_cb, call);
}

static gpointer
selected_item (GtkDropDown *dropdown)
{
  return gtk_drop_down_get_selected_item (dropdown);
}

static void
gr_stats_page_load (GrStatsPage *self)
{
  guint scope_index;
  const char *id = NULL;

  if (self->client == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->pending = 0;
  self->generation++;

  scope_index = gtk_drop_down_get_selected (self->scope_dropdown);
  self->scope = scope_index == 1 ? GR_STATS_SCOPE_ORG :
                scope_index == 2 ? GR_STATS_SCOPE_KEY : GR_STATS_SCOPE_GLOBAL;

  if (self->scope == GR_STATS_SCOPE_ORG)
    {
      GrOrganization *org = selected_item (self->org_dropdown);

      if (org == NULL)
        {
          gr_stats_page_show_message (self, "system-users-symbolic", _("No Organization"),
                                      _("This gateway has no organization to show, or they are still loading."));
          return;
        }
      id = gr_organization_get_id (org);
    }
  else if (self->scope == GR_STATS_SCOPE_KEY)
    {
      GrApiKey *key = selected_item (self->key_dropdown);

      if (key == NULL)
        {
          gr_stats_page_show_message (self, "dialog-password-symbolic", _("No Key"),
                                      _("This gateway has no API key to show, or they are still loading."));
          return;
        }
      id = gr_api_key_get_id (key);
    }

  g_free (self->scope_id);
  self->scope_id = g_strdup (id);
  gr_stats_page_compute_range (self);

  gtk_spinner_set_spinning (self->spinner, TRUE);
  self->pending = N_RESULTS;
  gr_stats_page_request (self, RESULT_TIME, GR_STATS_GROUP_BY_NONE);
  gr_stats_page_request (self, RESULT_MODEL, GR_STATS_GROUP_BY_MODEL);
  gr_stats_page_request (self, RESULT_PROVIDER, GR_STATS_GROUP_BY_PROVIDER);
}

static void
organizations_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GrStatsPage) self = user_data;
  g_autoptr(GListStore) organizations = NULL;
  g_autoptr(GError) error = NULL;

  organizations = gr_admin_client_list_organizations_finish (GR_ADMIN_CLIENT (source), result, NULL, &error);
  if (is_cancelled (error) || self->disposed)
    return;

  /* A key that may not list organizations keeps an empty chooser. */
  if (organizations == NULL)
    organizations = g_list_store_new (GR_TYPE_ORGANIZATION);

  g_set_object (&self->organizations, organizations);
  self->updating = TRUE;
  gtk_drop_down_set_model (self->org_dropdown, G_LIST_MODEL (organizations));
  self->updating = FALSE;

  if (self->scope == GR_STATS_SCOPE_ORG || gtk_drop_down_get_selected (self->scope_dropdown) == 1)
    gr_stats_page_load (self);
}

static void
keys_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GrStatsPage) self = user_data;
  g_autoptr(GListStore) keys = NULL;
  g_autoptr(GError) error = NULL;

  keys = gr_admin_client_list_api_keys_finish (GR_ADMIN_CLIENT (source), result, NULL, &error);
  if (is_cancelled (error) || self->disposed)
    return;

  if (keys == NULL)
    keys = g_list_store_new (GR_TYPE_API_KEY);

  g_set_object (&self->keys, keys);
  self->updating = TRUE;
  gtk_drop_down_set_model (self->key_dropdown, G_LIST_MODEL (keys));
  self->updating = FALSE;

  if (gtk_drop_down_get_selected (self->scope_dropdown) == 2)
    gr_stats_page_load (self);
}

static void
gr_stats_page_load_lists (GrStatsPage *self)
{
  GrListParams params = { 0 };

  g_cancellable_cancel (self->lists_cancellable);
  g_clear_object (&self->lists_cancellable);
  if (self->client == NULL)
    return;
  self->lists_cancellable = g_cancellable_new ();

  params.page_size = LIST_PAGE_SIZE;
  params.sort = "name";
  gr_admin_client_list_organizations_async (self->client, &params, self->lists_cancellable,
                                            organizations_cb, g_object_ref (self));
  gr_admin_client_list_api_keys_async (self->client, &params, self->lists_cancellable,
                                       keys_cb, g_object_ref (self));
}

/* ---- signal handlers --------------------------------------------------- */

static void
gr_stats_page_scope_changed_cb (GrStatsPage *self)
{
  guint scope_index = gtk_drop_down_get_selected (self->scope_dropdown);

  gtk_widget_set_visible (GTK_WIDGET (self->org_dropdown), scope_index == 1);
  gtk_widget_set_visible (GTK_WIDGET (self->key_dropdown), scope_index == 2);
  if (!self->updating)
    gr_stats_page_load (self);
}

static void
gr_stats_page_filter_changed_cb (GrStatsPage *self)
{
  if (!self->updating)
    gr_stats_page_load (self);
}

static void
gr_stats_page_range_changed_cb (GrStatsPage *self)
{
  self->range = gtk_drop_down_get_selected (self->range_dropdown);
  gr_stats_page_update_date_buttons (self);
  if (!self->updating)
    gr_stats_page_load (self);
}

static void
gr_stats_page_dates_changed_cb (GrStatsPage *self)
{
  g_autoptr(GDateTime) first = gtk_calendar_get_date (self->from_calendar);
  g_autoptr(GDateTime) last = gtk_calendar_get_date (self->to_calendar);

  if (self->updating)
    return;

  gr_stats_page_set_custom_days (self, first, last);
}

/* ---- CSV export -------------------------------------------------------- */

static void
csv_append_field (GString    *csv,
                  const char *text)
{
  /* RFC 4180: quote fields with separators, quotes or line breaks. */
  if (text != NULL && strpbrk (text, ",\"\r\n") != NULL)
    {
      g_string_append_c (csv, '"');
      for (const char *p = text; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (csv, '"');
          g_string_append_c (csv, *p);
        }
      g_string_append_c (csv, '"');
    }
  else if (text != NULL)
    {
      g_string_append (csv, text);
    }
}

static void
csv_append_figures (GString              *csv,
                    const GrStatsFigures *figures)
{
  char cost[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (csv, ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT
                          ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT,
                          figures->requests, figures->errors, figures->prompt_tokens,
                          figures->completion_tokens, figures->total_tokens);
  /* Dollars with a dot whatever the locale, for spreadsheets. */
  g_ascii_formatd (cost, sizeof cost, "%.6f", figures->cost_micros / 1e6);
  g_string_append_printf (csv, ",%s,%" G_GINT64_FORMAT "\r\n", cost, figures->avg_latency_ms);
}

char *
gr_stats_page_dup_csv (GrStatsPage *self,
                       const char  *table)
{
  GString *csv;
  GrStatsSeries *series;

  g_return_val_if_fail (GR_IS_STATS_PAGE (self), NULL);
  g_return_val_if_fail (table != NULL, NULL);

  if (g_str_equal (table, "time"))
    series = self->results[RESULT_TIME];
  else if (g_str_equal (table, "model"))
    series = self->results[RESULT_MODEL];
  else if (g_str_equal (table, "provider"))
    series = self->results[RESULT_PROVIDER];
  else
    g_return_val_if_reached (NULL);

  if (series == NULL)
    return NULL;

  /* Column names stay English, like the API's, so scripts can read them. */
  csv = g_string_new (NULL);
  g_string_append_printf (csv, "%s,requests,errors,prompt_tokens,completion_tokens,total_tokens,cost_usd,avg_latency_ms\r\n",
                          g_str_equal (table, "time") ? "start" : table);

  if (g_str_equal (table, "time"))
    {
      guint n = 0;
      const gint64 *x = gr_stats_series_get_x_ms (series, &n);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (x[i] / 1000);
          g_autofree char *when = g_date_time_format_iso8601 (dt);

          csv_append_field (csv, when);
          csv_append_figures (csv, gr_stats_series_get_point (series, i));
        }
    }
  else
    {
      GListModel *groups = gr_stats_series_get_groups (series);

      for (guint i = 0; i < g_list_model_get_n_items (groups); i++)
        {
          g_autoptr(GrStatsSeries) group = g_list_model_get_item (groups, i);

          csv_append_field (csv, gr_stats_series_get_group (group));
          csv_append_figures (csv, gr_stats_series_get_totals (group));
        }
    }

  return g_string_free (csv, FALSE);
}

static void
export_written_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GrStatsPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error) && !self->disposed)
    {
      g_autofree char *message = NULL;

      /* Translators: %s is the reason, e.g. "Permission denied". */
      message = g_strdup_printf (_("Could not export: %s"), error->message);
      gr_page_toast (GTK_WIDGET (self), message);
      return;
    }

  if (!self->disposed)
    gr_page_toast (GTK_WIDGET (self), _("Exported"));
}

static void
export_response_cb (GtkNativeDialog *dialog,
                    int              response,
                    GrStatsPage     *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      char *csv = g_object_steal_data (G_OBJECT (dialog), "csv");
      g_autoptr(GBytes) bytes = g_bytes_new_take (csv, strlen (csv));

      g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE,
                                           G_FILE_CREATE_REPLACE_DESTINATION, NULL,
                                           export_written_cb, g_object_ref (self));
    }

  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
export_csv_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  GrStatsPage *self = GR_STATS_PAGE (widget);
  const char *table = g_variant_get_string (parameter, NULL);
  g_autofree char *csv = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *day = g_date_time_format (now, "%Y-%m-%d");
  GtkFileChooserNative *chooser;
  GtkRoot *root = gtk_widget_get_root (widget);

  if (!g_str_equal (table, "time") && !g_str_equal (table, "model") && !g_str_equal (table, "provider"))
    return;

  /* The CSV is taken now: what is shown when the user asks. */
  csv = gr_stats_page_dup_csv (self, table);
  if (csv == NULL)
    return;

  name = g_strdup_printf ("gaiarouter-%s-%s.csv",
                          g_str_equal (table, "time") ? "usage" : table, day);
  chooser = gtk_file_chooser_native_new (_("Export CSV"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_object_set_data_full (G_OBJECT (chooser), "csv", g_steal_pointer (&csv), g_free);
  g_signal_connect_object (chooser, "response", G_CALLBACK (export_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- GrPage ------------------------------------------------------------ */

static void
gr_stats_page_set_client (GrStatsPage   *self,
                          GrAdminClient *client)
{
  if (self->client == client)
    return;

  g_cancellable_cancel (self->cancellable);
  self->generation++;
  g_set_object (&self->client, client);
  for (guint i = 0; i < N_RESULTS; i++)
    g_clear_object (&self->results[i]);
  self->pending = 0;
  gtk_spinner_set_spinning (self->spinner, FALSE);

  /* Another gateway has other organizations and keys. */
  self->updating = TRUE;
  gtk_drop_down_set_model (self->org_dropdown, NULL);
  gtk_drop_down_set_model (self->key_dropdown, NULL);
  gtk_drop_down_set_selected (self->scope_dropdown, 0);
  gr_stats_page_scope_changed_cb (self);
  self->updating = FALSE;

  if (client == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "disconnected");
    }
  else
    {
      gtk_stack_set_visible_child_name (self->stack, "content");
      gr_stats_page_load_lists (self);
      gr_stats_page_load (self);
    }

  g_object_notify (G_OBJECT (self), "client");
}

static void
gr_stats_page_refresh (GrPage *page)
{
  GrStatsPage *self = GR_STATS_PAGE (page);

  gr_stats_page_load_lists (self);
  gr_stats_page_load (self);
}

static void
gr_stats_page_iface_init (GrPageInterface *iface)
{
  iface->refresh = gr_stats_page_refresh;
}

static void
gr_stats_page_dispose (GObject *object)
{
  GrStatsPage *self = GR_STATS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->lists_cancellable);
  /* Not gtk_widget_dispose_template(): it would unparent the child
   * behind AdwBin's back, and AdwBin's dispose unparents it again. */
  self->disposed = TRUE;

  G_OBJECT_CLASS (gr_stats_page_parent_class)->dispose (object);
}

static void
gr_stats_page_finalize (GObject *object)
{
  GrStatsPage *self = GR_STATS_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->lists_cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->organizations);
  g_clear_object (&self->keys);
  g_clear_pointer (&self->custom_first, g_date_time_unref);
  g_clear_pointer (&self->custom_last, g_date_time_unref);
  g_clear_pointer (&self->scope_id, g_free);
  for (guint i = 0; i < N_RESULTS; i++)
    g_clear_object (&self->results[i]);

  G_OBJECT_CLASS (gr_stats_page_parent_class)->finalize (object);
}

static void
gr_stats_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  GrStatsPage *self = GR_STATS_PAGE (object);

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
gr_stats_page_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  GrStatsPage *self = GR_STATS_PAGE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      gr_stats_page_set_client (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gr_stats_page_class_init (GrStatsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gr_stats_page_dispose;
  object_class->finalize = gr_stats_page_finalize;
  object_class->get_property = gr_stats_page_get_property;
  object_class->set_property = gr_stats_page_set_property;

  g_object_class_override_property (object_class, PROP_CLIENT, "client");

  g_type_ensure (GR_TYPE_CHART);
  g_type_ensure (GR_TYPE_STATS_ROW);
  g_type_ensure (GR_TYPE_ORGANIZATION);
  g_type_ensure (GR_TYPE_API_KEY);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/gaiarouter/GaiaRouter/pages/gr-stats-page.ui");
  gtk_widget_class_bind_template_child (widget_class, GrStatsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, GrStatsPage, content_stack);
  gtk_widget_class_bind_template_child (widget_class, GrStatsPage, message_page);
  gtk_widget_class_bind_template_child (widget_class, GrStatsPage, scope_dropdown);
  gtk_widget_class_bind_template_child (widget_class, GrStatsPage, org_dropdown);
  gtk_widget_class_bind_template_child (widget_class, GrStatsPage, key_dropdown);
  gtk_widget_class_bind_template_child (widget_class, GrStatsPage, range_dropdown);
  gtk_widget_class_bind_template_child (widget_class, GrStatsPage, from_button);
  gtk_widget_class_bind_template_child (widget_class, GrStatsPage, dates_separator);
  gtk_widget_class_bind_template_child (widget_class, GrStatsPage, to_button);
  gtk_widget_class_bind_template_child (widget_class, GrStatsPage, from_calendar);
  gtk_widget_class_bind_template_child (widget_class, GrStatsPage, to_calendar);
  gtk_widget_class_bind_template_child (widget_class, GrStatsPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, GrStatsPage, export_button);
  gtk_widget_class_bind_template_child (widget_class, GrStatsPage, totals_label);
  gtk_widget_class_bind_template_child (widget_class, GrStatsPage, requests_chart);
  gtk_widget_class_bind_template_child (widget_class, GrStatsPage, tokens_chart);
  gtk_widget_class_bind_template_child (widget_class, GrStatsPage, cost_chart);
  gtk_widget_class_bind_template_child (widget_class, GrStatsPage, models_chart);
  gtk_widget_class_bind_template_child (widget_class, GrStatsPage, providers_chart);
  gtk_widget_class_bind_template_child (widget_class, GrStatsPage, time_store);
  gtk_widget_class_bind_template_child (widget_class, GrStatsPage, models_store);
  gtk_widget_class_bind_template_child (widget_class, GrStatsPage, providers_store);
  gtk_widget_class_bind_template_callback (widget_class, gr_stats_page_scope_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, gr_stats_page_filter_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, gr_stats_page_range_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, gr_stats_page_dates_changed_cb);

  gtk_widget_class_install_action (widget_class, "stats.export-csv", "s", export_csv_action);
}

static void
gr_stats_page_init (GrStatsPage *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  self->updating = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));

  gr_chart_add_series (self->requests_chart, "requests", _("Requests"), GR_CHART_SERIES_AREA);
  gr_chart_add_series (self->requests_chart, "errors", _("Errors"), GR_CHART_SERIES_LINE);
  gr_chart_add_series (self->tokens_chart, "total", _("Total"), GR_CHART_SERIES_AREA);
  /* Translators: input tokens. */
  gr_chart_add_series (self->tokens_chart, "prompt", _("Prompt"), GR_CHART_SERIES_LINE);
  /* Translators: output tokens. */
  gr_chart_add_series (self->tokens_chart, "completion", _("Completion"), GR_CHART_SERIES_LINE);
  gr_chart_add_series (self->cost_chart, "cost", _("Cost"), GR_CHART_SERIES_AREA);
  gr_chart_add_series (self->models_chart, "requests", _("Requests"), GR_CHART_SERIES_BAR);
  gr_chart_add_series (self->providers_chart, "requests", _("Requests"), GR_CHART_SERIES_BAR);

  /* Custom dates start as the last week. */
  self->custom_last = local_midnight (now);
  self->custom_first = g_date_time_add_days (self->custom_last, -6);
  gtk_calendar_select_day (self->from_calendar, self->custom_first);
  gtk_calendar_select_day (self->to_calendar, self->custom_last);
  gr_stats_page_update_date_buttons (self);

  gtk_stack_set_visible_child_name (self->stack, "disconnected");
  self->updating = FALSE;
}

/**
 * gr_stats_page_new:
 *
 * Returns: (transfer floating): a new statistics page, without a client
 */
GtkWidget *
gr_stats_page_new (void)
{
  return g_object_new (GR_TYPE_STATS_PAGE, NULL);
}

void
gr_stats_page_set_range (GrStatsPage  *self,
                         GrStatsRange  range)
{
  g_return_if_fail (GR_IS_STATS_PAGE (self));
  g_return_if_fail (range <= GR_STATS_RANGE_CUSTOM);

  if (gtk_drop_down_get_selected (self->range_dropdown) != range)
    gtk_drop_down_set_selected (self->range_dropdown, range);
  else
    gr_stats_page_load (self);
}

void
gr_stats_page_set_custom_days (GrStatsPage *self,
                               GDateTime   *first,
                               GDateTime   *last)
{
  g_return_if_fail (GR_IS_STATS_PAGE (self));
  g_return_if_fail (first != NULL && last != NULL);

  g_clear_pointer (&self->custom_first, g_date_time_unref);
  g_clear_pointer (&self->custom_last, g_date_time_unref);
  self->custom_first = local_midnight (first);
  self->custom_last = local_midnight (last);

  self->updating = TRUE;
  gtk_calendar_select_day (self->from_calendar, self->custom_first);
  gtk_calendar_select_day (self->to_calendar, self->custom_last);
  self->updating = FALSE;
  gr_stats_page_update_date_buttons (self);

  if (self->range == GR_STATS_RANGE_CUSTOM)
    gr_stats_page_load (self);
  else
    gtk_drop_down_set_selected (self->range_dropdown, GR_STATS_RANGE_CUSTOM);
}

void
gr_stats_page_get_request (GrStatsPage        *self,
                           GrStatsScope       *scope,
                           const char        **id,
                           gint64             *start_ms,
                           gint64             *end_ms,
                           GrStatsGranularity *granularity)
{
  g_return_if_fail (GR_IS_STATS_PAGE (self));

  if (scope != NULL)
    *scope = self->scope;
  if (id != NULL)
    *id = self->scope_id;
  if (start_ms != NULL)
    *start_ms = self->start_ms;
  if (end_ms != NULL)
    *end_ms = self->end_ms;
  if (granularity != NULL)
    *granularity = self->granularity;
}

GrChart *
gr_stats_page_get_chart (GrStatsPage *self,
                         const char  *name)
{
  g_return_val_if_fail (GR_IS_STATS_PAGE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (g_str_equal (name, "requests"))
    return self->requests_chart;
  if (g_str_equal (name, "tokens"))
    return self->tokens_chart;
  if (g_str_equal (name, "cost"))
    return self->cost_chart;
  if (g_str_equal (name, "models"))
    return self->models_chart;
  if (g_str_equal (name, "providers"))
    return self->providers_chart;
  return NULL;
}

guint
gr_stats_page_get_loads (GrStatsPage *self)
{
  g_return_val_if_fail (GR_IS_STATS_PAGE (self), 0);

  return self->loads;
}
