/* gr-stats-overview.h — the dashboard summary (/v1/stats/summary)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "gr-stats-series.h"

G_BEGIN_DECLS

#define GR_TYPE_STATS_OVERVIEW (gr_stats_overview_get_type ())

G_DECLARE_FINAL_TYPE (GrStatsOverview, gr_stats_overview, GR, STATS_OVERVIEW, GObject)

/* Read-only properties:
 *
 *   "tz"              string, the IANA zone of the local days and months
 *   "now"             gint64 Unix ms, the gateway's clock
 *   "today", "yesterday", "this-month", "previous-month"
 *                     GrStatsSeries: start/end and totals, no points
 *   "top-models", "top-keys"
 *                     GListModel of GrStatsSeries (group + totals), this
 *                     month's five largest by cost
 */

GrStatsOverview *gr_stats_overview_new_from_json      (JsonObject      *object);

const char      *gr_stats_overview_get_tz             (GrStatsOverview *self);
gint64           gr_stats_overview_get_now            (GrStatsOverview *self);
GrStatsSeries   *gr_stats_overview_get_today          (GrStatsOverview *self);
GrStatsSeries   *gr_stats_overview_get_yesterday      (GrStatsOverview *self);
GrStatsSeries   *gr_stats_overview_get_this_month     (GrStatsOverview *self);
GrStatsSeries   *gr_stats_overview_get_previous_month (GrStatsOverview *self);
GListModel      *gr_stats_overview_get_top_models     (GrStatsOverview *self);
GListModel      *gr_stats_overview_get_top_keys       (GrStatsOverview *self);
/* Requests and streams the gateway is serving right now; -1 if unknown. */
gint64           gr_stats_overview_get_in_flight_requests (GrStatsOverview *self);
gint64           gr_stats_overview_get_in_flight_streams  (GrStatsOverview *self);

G_END_DECLS
