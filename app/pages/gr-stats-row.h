/* gr-stats-row.h — one row of a statistics table: a time bucket or a group
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GrStatsSeries keeps its points as plain structs and its groups under
 * gateway names (key ids…); tables need GObjects with properties, and a
 * readable label.  The dashboard and the statistics page fill their
 * GtkColumnViews with these.
 */
#pragma once

#include "client/gr-admin-client.h"

G_BEGIN_DECLS

#define GR_TYPE_STATS_ROW (gr_stats_row_get_type ())
G_DECLARE_FINAL_TYPE (GrStatsRow, gr_stats_row, GR, STATS_ROW, GObject)

/* Read-only properties:
 *
 *   "label"    string: a time ("Nov 27, 14:00"), a model, a key's name…
 *   "detail"   string|NULL: e.g. the key id under its name
 *   "time-ms"  gint64: the bucket's start (0 for groups)
 *   "requests", "errors", "prompt-tokens", "completion-tokens",
 *   "total-tokens", "cost-micros", "avg-latency-ms"   gint64
 *   "requests-text", "errors-text", "prompt-tokens-text",
 *   "completion-tokens-text", "total-tokens-text", "cost-text",
 *   "avg-latency-text"   string: the same, formatted for a table
 */

GrStatsRow           *gr_stats_row_new         (const char           *label,
                                                const char           *detail,
                                                gint64                time_ms,
                                                const GrStatsFigures *figures);
const char           *gr_stats_row_get_label   (GrStatsRow           *self);
const char           *gr_stats_row_get_detail  (GrStatsRow           *self);
gint64                gr_stats_row_get_time_ms (GrStatsRow           *self);
const GrStatsFigures *gr_stats_row_get_figures (GrStatsRow           *self);

/* Formatting shared by the statistics pages (locale grouping). */
char                 *gr_stats_format_count    (gint64                value);
char                 *gr_stats_format_cost     (gint64                micros);
/* "—" when there were no requests. */
char                 *gr_stats_format_latency  (gint64                ms,
                                                gint64                requests);
/* "+12%", "−3%", "new" when the previous value was 0, NULL when both 0. */
char                 *gr_stats_format_change   (gint64                current,
                                                gint64                previous);

G_END_DECLS
