/* gr-list-util.c — what the list pages share: API sorting, paging, formats
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pages/gr-list-util.h"

/* ---- sorting through the API ------------------------------------------ */

/* The tables show one page that the gateway has already sorted, so the
 * column sorters must not reorder anything: they compare every pair of
 * rows as equal and GtkSortListModel keeps the gateway's order.  What we
 * need from the column view is which header the user clicked, and in which
 * direction.  GTK 4.10 has gtk_column_view_sorter_get_primary_sort_column();
 * GTK 4.8 keeps the columns in a private list.  So we ask the view's sorter
 * to compare two probe objects while each column's sorter answers a chosen
 * value for them: the view's sorter returns the answer of the first column
 * in its list with an opinion, inverted when that column sorts descending. */

typedef struct
{
  GrSortColumns       *owner;
  GtkColumnViewColumn *column;
  char                *api_key;
  GtkOrdering          probe_answer;
} SortColumn;

struct _GrSortColumns
{
  GtkColumnView *view;
  GtkSorter     *sorter;
  GPtrArray     *columns;
  GObject       *probe_a;
  GObject       *probe_b;
  GCallback      changed;
  gpointer       user_data;
  gulong         changed_id;
  gboolean       probing;
};

static void
sort_column_free (SortColumn *column)
{
  g_free (column->api_key);
  g_free (column);
}

static int
sort_column_compare_cb (gconstpointer a,
                        gconstpointer b,
                        gpointer      user_data)
{
  SortColumn *column = user_data;

  if (column->owner->probing && a == column->owner->probe_a && b == column->owner->probe_b)
    return column->probe_answer;
  return GTK_ORDERING_EQUAL;
}

static void
sorter_changed_cb (GtkSorter       *sorter,
                   GtkSorterChange  change,
                   GrSortColumns   *self)
{
  if (!self->probing && self->changed != NULL)
    ((void (*) (gpointer)) self->changed) (self->user_data);
}

GrSortColumns *
gr_sort_columns_new (GtkColumnView *view,
                     GCallback      changed,
                     gpointer       user_data)
{
  GrSortColumns *self = g_new0 (GrSortColumns, 1);

  self->view = view;
  self->sorter = g_object_ref (gtk_column_view_get_sorter (view));
  self->columns = g_ptr_array_new_with_free_func ((GDestroyNotify) sort_column_free);
  self->probe_a = g_object_new (G_TYPE_OBJECT, NULL);
  self->probe_b = g_object_new (G_TYPE_OBJECT, NULL);
  self->changed = changed;
  self->user_data = user_data;
  self->changed_id = g_signal_connect (self->sorter, "changed", G_CALLBACK (sorter_changed_cb), self);
  return self;
}

void
gr_sort_columns_free (GrSortColumns *self)
{
  if (self == NULL)
    return;
  g_clear_signal_handler (&self->changed_id, self->sorter);
  /* The column sorters may outlive us inside the view: make them inert. */
  for (guint i = 0; i < self->columns->len; i++)
    {
      SortColumn *column = g_ptr_array_index (self->columns, i);
      GtkSorter *sorter = gtk_column_view_column_get_sorter (column->column);

      if (GTK_IS_CUSTOM_SORTER (sorter))
        gtk_custom_sorter_set_sort_func (GTK_CUSTOM_SORTER (sorter), NULL, NULL, NULL);
    }
  g_ptr_array_unref (self->columns);
  g_object_unref (self->probe_a);
  g_object_unref (self->probe_b);
  g_object_unref (self->sorter);
  g_free (self);
}

void
gr_sort_columns_add (GrSortColumns       *self,
                     GtkColumnViewColumn *column,
                     const char          *api_key)
{
  GtkSorter *sorter = gtk_column_view_column_get_sorter (column);
  SortColumn *entry;

  g_return_if_fail (GTK_IS_CUSTOM_SORTER (sorter));

  entry = g_new0 (SortColumn, 1);
  entry->owner = self;
  entry->column = column;
  entry->api_key = g_strdup (api_key);
  g_ptr_array_add (self->columns, entry);
  /* Setting the function emits "changed" through the view's sorter. */
  self->probing = TRUE;
  gtk_custom_sorter_set_sort_func (GTK_CUSTOM_SORTER (sorter), sort_column_compare_cb, entry, NULL);
  self->probing = FALSE;
}

static GtkOrdering
probe (GrSortColumns *self)
{
  return gtk_sorter_compare (self->sorter, self->probe_a, self->probe_b);
}

char *
gr_sort_columns_dup_sort (GrSortColumns *self)
{
  g_autofree GtkOrdering *direction = NULL;
  guint n = self->columns->len;
  char *result = NULL;

  direction = g_new0 (GtkOrdering, n);
  self->probing = TRUE;

  /* Which columns are in the view's list, and in which direction: only
   * column i has an opinion ("larger"), so the answer is EQUAL when it is
   * not sorted, LARGER when ascending and SMALLER when descending. */
  for (guint i = 0; i < n; i++)
    {
      for (guint j = 0; j < n; j++)
        ((SortColumn *) g_ptr_array_index (self->columns, j))->probe_answer =
          i == j ? GTK_ORDERING_LARGER : GTK_ORDERING_EQUAL;
      direction[i] = probe (self);
    }

  /* Which of them comes first: column i answers so that it wins with
   * direction[i], every other sorted column so that it wins with the
   * opposite; the view's sorter reports its first column's answer. */
  for (guint i = 0; i < n && result == NULL; i++)
    {
      if (direction[i] == GTK_ORDERING_EQUAL)
        continue;
      for (guint j = 0; j < n; j++)
        {
          SortColumn *column = g_ptr_array_index (self->columns, j);

          if (j == i)
            column->probe_answer = GTK_ORDERING_LARGER;
          else
            /* Raw answer r makes the view answer r * direction[j];
             * we want -direction[i] from it. */
            column->probe_answer = (GtkOrdering) (-(int) direction[i] * (int) direction[j]);
        }
      if (probe (self) == direction[i])
        {
          SortColumn *column = g_ptr_array_index (self->columns, i);

          result = direction[i] == GTK_ORDERING_LARGER
                     ? g_strdup (column->api_key)
                     : g_strconcat ("-", column->api_key, NULL);
        }
    }

  for (guint j = 0; j < n; j++)
    ((SortColumn *) g_ptr_array_index (self->columns, j))->probe_answer = GTK_ORDERING_EQUAL;
  self->probing = FALSE;
  return result;
}

/* ---- formats ----------------------------------------------------------- */

char *
gr_format_page_range (const GrPageInfo *info,
                      guint             n_items)
{
  gint64 first;
  gint64 last;
  g_autofree char *total = NULL;

  if (info->total <= 0 || n_items == 0)
    return g_strdup (_("No items"));

  first = (gint64) (MAX (info->page, 1) - 1) * info->page_size + 1;
  last = first + n_items - 1;
  total = gr_format_count (info->total);
  /* Translators: the rows shown of a table: "1–20 of 45". */
  return g_strdup_printf (_("%lld–%lld of %s"),
                          (long long) first, (long long) last, total);
}

char *
gr_format_count (gint64 n)
{
  return g_strdup_printf ("%'" G_GINT64_FORMAT, n);
}

char *
gr_format_short_count (gint64 n)
{
  if (n < 10000)
    return gr_format_count (n);
  if (n < 1000000)
    /* Translators: a count in thousands, e.g. "12.3K". */
    return g_strdup_printf (_("%.1fK"), n / 1e3);
  if (n < 1000000000)
    /* Translators: a count in millions, e.g. "4.5M". */
    return g_strdup_printf (_("%.1fM"), n / 1e6);
  /* Translators: a count in billions, e.g. "1.2B". */
  return g_strdup_printf (_("%.1fB"), n / 1e9);
}

char *
gr_format_micros (gint64 micros)
{
  if (micros != 0 && ABS (micros) < 10000)
    /* Below a cent: show the fraction that matters. */
    return g_strdup_printf ("$%.4f", micros / 1e6);
  return g_strdup_printf ("$%'.2f", micros / 1e6);
}

char *
gr_format_date (gint64 unix_ms)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (unix_ms <= 0)
    return NULL;
  utc = g_date_time_new_from_unix_utc (unix_ms / 1000);
  if (utc == NULL)
    return NULL;
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y-%m-%d");
}

char *
gr_format_last_used (gint64 unix_ms)
{
  gint64 now_ms = g_get_real_time () / 1000;
  gint64 ago;

  if (unix_ms <= 0)
    return g_strdup (_("Never"));

  ago = MAX (now_ms - unix_ms, 0) / 1000;
  if (ago < 60)
    return g_strdup (_("Just now"));
  if (ago < 3600)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute ago", "%d minutes ago", ago / 60),
                            (int) (ago / 60));
  if (ago < 86400)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d hour ago", "%d hours ago", ago / 3600),
                            (int) (ago / 3600));
  if (ago < 7 * 86400)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day ago", "%d days ago", ago / 86400),
                            (int) (ago / 86400));
  return gr_format_date (unix_ms);
}

const char *
gr_format_status (const char *status)
{
  if (g_strcmp0 (status, "active") == 0)
    /* Translators: the status of an organization or API key. */
    return C_("status", "Active");
  if (g_strcmp0 (status, "disabled") == 0)
    /* Translators: the status of an organization or API key. */
    return C_("status", "Disabled");
  if (g_strcmp0 (status, "revoked") == 0)
    /* Translators: the status of an API key that was retired for good. */
    return C_("status", "Revoked");
  return status != NULL ? status : "";
}

char *
gr_format_limits (gint64 rpm,
                  gint64 requests_per_day,
                  gint64 tokens_per_day,
                  gint64 monthly_budget_micros)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (rpm >= 0)
    {
      g_autofree char *n = gr_format_short_count (rpm);

      /* Translators: a limit of requests per minute, e.g. "60/min". */
      g_ptr_array_add (parts, g_strdup_printf (_("%s/min"), n));
    }
  if (requests_per_day >= 0)
    {
      g_autofree char *n = gr_format_short_count (requests_per_day);

      /* Translators: a limit of requests per day, e.g. "1.0K req/day". */
      g_ptr_array_add (parts, g_strdup_printf (_("%s req/day"), n));
    }
  if (tokens_per_day >= 0)
    {
      g_autofree char *n = gr_format_short_count (tokens_per_day);

      /* Translators: a limit of tokens per day, e.g. "2.0M tokens/day". */
      g_ptr_array_add (parts, g_strdup_printf (_("%s tokens/day"), n));
    }
  if (monthly_budget_micros >= 0)
    {
      g_autofree char *money = gr_format_micros (monthly_budget_micros);

      /* Translators: a monthly budget, e.g. "$50.00/month". */
      g_ptr_array_add (parts, g_strdup_printf (_("%s/month"), money));
    }
  if (parts->len == 0)
    /* Translators: no limit is set. */
    return g_strdup (_("Unlimited"));
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **) parts->pdata);
}

/* ---- form input -------------------------------------------------------- */

/* text without spaces (and, when strip_groups, without "," grouping). */
static char *
squeeze (const char *text)
{
  GString *s = g_string_new (NULL);

  for (const char *p = text; p != NULL && *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_isspace (c) && c != 0x202F && c != 0x00A0)
        g_string_append_unichar (s, c);
    }
  return g_string_free (s, FALSE);
}

gboolean
gr_parse_dollars (const char *text,
                  gint64     *micros)
{
  g_autofree char *s = squeeze (text);
  const char *p = s;
  gint64 whole = 0;
  gint64 fraction = 0;
  guint n_digits = 0;
  guint n_fraction = 0;

  if (*p == '$')
    p++;
  for (; g_ascii_isdigit (*p); p++, n_digits++)
    {
      if (whole > (G_MAXINT64 / 1000000 - 9) / 10)
        return FALSE;
      whole = whole * 10 + (*p - '0');
    }
  if (*p == '.' || *p == ',')
    {
      p++;
      for (; g_ascii_isdigit (*p); p++, n_fraction++)
        {
          if (n_fraction >= 6)
            return FALSE;
          fraction = fraction * 10 + (*p - '0');
        }
    }
  if (*p != '\0' || n_digits + n_fraction == 0)
    return FALSE;
  for (guint i = n_fraction; i < 6; i++)
    fraction *= 10;
  *micros = whole * 1000000 + fraction;
  return TRUE;
}

char *
gr_format_dollars_input (gint64 micros)
{
  char *text = g_strdup_printf ("%" G_GINT64_FORMAT ".%06" G_GINT64_FORMAT,
                                micros / 1000000, micros % 1000000);
  char *end = text + strlen (text) - 1;

  /* "12.500000" → "12.5", "12.000000" → "12". */
  while (*end == '0')
    *end-- = '\0';
  if (*end == '.')
    *end = '\0';
  return text;
}

gboolean
gr_parse_count (const char *text,
                gint64     *value)
{
  g_autofree char *s = squeeze (text);
  guint64 v;
  char *p;

  /* Digit grouping as people type it: "1,000" or "1.000". */
  for (p = s; *p; p++)
    if (*p == ',' || *p == '.' || *p == '\'' || *p == '_')
      memmove (p, p + 1, strlen (p));
  if (*s == '\0' || !g_ascii_string_to_unsigned (s, 10, 0, G_MAXINT64, &v, NULL))
    return FALSE;
  *value = (gint64) v;
  return TRUE;
}

void
gr_field_set_error (GtkWidget  *row,
                    GtkWidget  *error_row,
                    GtkLabel   *error_label,
                    const char *message)
{
  gtk_label_set_text (error_label, message != NULL ? message : "");
  gtk_widget_set_visible (error_row, message != NULL);
  if (message != NULL)
    gtk_widget_add_css_class (row, "error");
  else
    gtk_widget_remove_css_class (row, "error");
}

/* ---- statistics -------------------------------------------------------- */

void
gr_chart_show_stats (GrChart       *chart,
                     GrStatsSeries *stats,
                     GrStatsMetric  metric)
{
  g_autofree double *y = NULL;
  const gint64 *x;
  guint n = 0;
  const char *label;
  GrChartValueFormat format;
  GrChartSeries *series;

  switch (metric)
    {
    case GR_STATS_METRIC_TOTAL_TOKENS:
      label = _("Tokens");
      format = GR_CHART_VALUE_TOKENS;
      break;
    case GR_STATS_METRIC_COST_MICROS:
      label = _("Cost");
      format = GR_CHART_VALUE_MICRO_USD;
      break;
    case GR_STATS_METRIC_REQUESTS:
    default:
      metric = GR_STATS_METRIC_REQUESTS;
      label = _("Requests");
      format = GR_CHART_VALUE_COUNT;
      break;
    }

  gr_chart_clear (chart);
  gr_chart_set_value_format (chart, format);
  gr_chart_set_x_kind (chart, GR_CHART_X_TIME);
  if (stats == NULL)
    return;
  series = gr_chart_add_series (chart, "stats", label, GR_CHART_SERIES_AREA);
  x = gr_stats_series_get_x_ms (stats, &n);
  y = gr_stats_series_dup_y (stats, metric, &n);
  gr_chart_series_set_points (series, x, NULL, y, n);
}

void
gr_copy_text (GtkWidget  *widget,
              const char *text)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text != NULL ? text : "");
}
