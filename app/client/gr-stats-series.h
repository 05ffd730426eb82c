/* gr-stats-series.h — a statistics answer: totals, a time series, groups
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One GrStatsSeries holds what /v1/stats answers: the totals over
 * [start, end), one point per hour or local day, and, when grouped, one
 * child GrStatsSeries per group (model, provider, key or organization)
 * with its own totals and points.  The dashboard summary reuses the type
 * for its periods (today, this month…) and its top lists: those have
 * totals and no points.
 *
 * Totals are also properties, so a GtkColumnView of groups can bind them.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  GR_STATS_METRIC_REQUESTS,
  GR_STATS_METRIC_ERRORS,
  GR_STATS_METRIC_PROMPT_TOKENS,
  GR_STATS_METRIC_COMPLETION_TOKENS,
  GR_STATS_METRIC_CACHED_TOKENS,
  GR_STATS_METRIC_TOTAL_TOKENS,
  GR_STATS_METRIC_COST_MICROS,
  GR_STATS_METRIC_COST_USD,        /* cost_micros / 1e6, for axes in dollars */
  GR_STATS_METRIC_AVG_LATENCY_MS,
  GR_STATS_METRIC_P95_LATENCY_MS,  /* totals only: points have no p95 (0) */
} GrStatsMetric;

/* The figures of a period or a point. */
typedef struct
{
  gint64 requests;
  gint64 errors;
  gint64 prompt_tokens;
  gint64 completion_tokens;
  gint64 cached_tokens;
  gint64 total_tokens;
  gint64 cost_micros;
  gint64 avg_latency_ms;
  gint64 p95_latency_ms;
} GrStatsFigures;

double gr_stats_figures_get (const GrStatsFigures *figures,
                             GrStatsMetric         metric);

#define GR_TYPE_STATS_SERIES (gr_stats_series_get_type ())

G_DECLARE_FINAL_TYPE (GrStatsSeries, gr_stats_series, GR, STATS_SERIES, GObject)

/* Read-only properties:
 *
 *   "start", "end"    gint64 Unix ms (0 when the answer had none)
 *   "granularity"     string: "hour" or "day" (NULL for summary periods)
 *   "tz"              string: the IANA zone the answer was computed in
 *   "group-by"        string|NULL: model, provider, key or org
 *   "group"           string|NULL: this group's name (children only; NULL
 *                     also for events without one, e.g. no model)
 *   "requests", "errors", "prompt-tokens", "completion-tokens",
 *   "cached-tokens", "total-tokens", "cost-micros", "avg-latency-ms",
 *   "p95-latency-ms"  gint64: the totals
 *   "n-points"        guint
 *   "groups"          GListModel of GrStatsSeries (empty when ungrouped)
 */

/* Parses a /v1/stats answer (or a group of one). */
GrStatsSeries        *gr_stats_series_new_from_json    (JsonObject    *object);

gint64                gr_stats_series_get_start        (GrStatsSeries *self);
gint64                gr_stats_series_get_end          (GrStatsSeries *self);
const char           *gr_stats_series_get_granularity  (GrStatsSeries *self);
const char           *gr_stats_series_get_tz           (GrStatsSeries *self);
const char           *gr_stats_series_get_group_by     (GrStatsSeries *self);
const char           *gr_stats_series_get_group        (GrStatsSeries *self);
const GrStatsFigures *gr_stats_series_get_totals       (GrStatsSeries *self);

guint                 gr_stats_series_get_n_points     (GrStatsSeries *self);
/* Start of each point, Unix ms; n_points is set. Owned by self. */
const gint64         *gr_stats_series_get_x_ms         (GrStatsSeries *self,
                                                        guint         *n_points);
const GrStatsFigures *gr_stats_series_get_point        (GrStatsSeries *self,
                                                        guint          position);
/* The chart's form: x as Unix ms in doubles, y as the metric. g_free() them. */
double               *gr_stats_series_dup_x            (GrStatsSeries *self,
                                                        guint         *n_points);
double               *gr_stats_series_dup_y            (GrStatsSeries *self,
                                                        GrStatsMetric  metric,
                                                        guint         *n_points);

/* Groups (children), largest first as the gateway sends them. */
GListModel           *gr_stats_series_get_groups       (GrStatsSeries *self);
GrStatsSeries        *gr_stats_series_find_group       (GrStatsSeries *self,
                                                        const char    *group);

G_END_DECLS
