/* gr-list-util.h — what the list pages share: API sorting, paging, formats
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Helpers of the Organizations and API Keys pages (and their editors and
 * details views): the column a table is sorted by as an API `sort` value,
 * the "1–20 of 45" pager text, money and count formats, parsing of the
 * numbers a form takes, and the red message under a form row.
 */
#pragma once

#include <adwaita.h>

#include "client/gr-admin-client.h"
#include "widgets/gr-chart.h"

G_BEGIN_DECLS

/* ---- sorting through the API ------------------------------------------ */

typedef struct _GrSortColumns GrSortColumns;

/* Watches view's sorter; changed is called (with user_data) when the user
 * clicks a sortable column header. */
GrSortColumns *gr_sort_columns_new      (GtkColumnView       *view,
                                         GCallback            changed,
                                         gpointer             user_data);
void           gr_sort_columns_free     (GrSortColumns       *self);
/* column's sorter must be a GtkCustomSorter (declared in the .ui);
 * api_key is the API's sort value for ascending order ("name"). */
void           gr_sort_columns_add      (GrSortColumns       *self,
                                         GtkColumnViewColumn *column,
                                         const char          *api_key);
/* The API sort value of the primary sort column ("name", "-name"), or
 * NULL when no column is sorted. */
char          *gr_sort_columns_dup_sort (GrSortColumns       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GrSortColumns, gr_sort_columns_free)

/* ---- formats ----------------------------------------------------------- */

/* "1–20 of 45", or "No items" for an empty list. */
char     *gr_format_page_range   (const GrPageInfo *info,
                                  guint             n_items);
/* A whole number with the locale's digit grouping: "12,345". */
char     *gr_format_count        (gint64            n);
/* A short count: "950", "12.3K", "4.5M". */
char     *gr_format_short_count  (gint64            n);
/* Money from micro-USD: "$12.34", or more digits below a cent. */
char     *gr_format_micros       (gint64            micros);
/* A local date: "2026-11-27"; NULL for 0. */
char     *gr_format_date         (gint64            unix_ms);
/* "5 minutes ago", "Yesterday", or a date; "Never" for 0. */
char     *gr_format_last_used    (gint64            unix_ms);
/* "Active", "Disabled", "Revoked" (translated). */
const char *gr_format_status     (const char       *status);
/* "60/min · 1K tokens/day · $5.00/month" or "Unlimited"; -1 = unlimited.
 * requests_per_day is skipped when G_MININT64 (keys have none). */
char     *gr_format_limits       (gint64            rpm,
                                  gint64            requests_per_day,
                                  gint64            tokens_per_day,
                                  gint64            monthly_budget_micros);

/* ---- form input -------------------------------------------------------- */

/* Dollars as typed ("12", "12.5", "$0.25", "1,50") into micro-USD;
 * FALSE when it is not a non-negative amount with at most 6 decimals. */
gboolean  gr_parse_dollars       (const char       *text,
                                  gint64           *micros);
/* micro-USD as the dollars a form shows: "12.5", "0.000001". */
char     *gr_format_dollars_input (gint64           micros);
/* A non-negative whole number ("1000", "1 000", "1,000"). */
gboolean  gr_parse_count         (const char       *text,
                                  gint64           *value);

/* Shows message (or hides the message when NULL) in error_row, the row
 * under row, and marks row with the "error" style. */
void      gr_field_set_error     (GtkWidget        *row,
                                  GtkWidget        *error_row,
                                  GtkLabel         *error_label,
                                  const char       *message);

/* ---- statistics -------------------------------------------------------- */

/* Fills chart with stats' daily points of metric (one area series). */
void      gr_chart_show_stats    (GrChart          *chart,
                                  GrStatsSeries    *stats,
                                  GrStatsMetric     metric);

/* Copies text to the clipboard of widget's display. */
void      gr_copy_text           (GtkWidget        *widget,
                                  const char       *text);

G_END_DECLS
