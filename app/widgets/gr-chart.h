/* gr-chart.h — the statistics chart widget
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "gr-chart-series.h"

G_BEGIN_DECLS

/**
 * GrChartXKind:
 * @GR_CHART_X_TIME: X values are Unix timestamps in milliseconds (UTC),
 *   labelled in local time
 * @GR_CHART_X_CATEGORY: X values are strings, such as model names
 */
typedef enum
{
  GR_CHART_X_TIME,
  GR_CHART_X_CATEGORY,
} GrChartXKind;

/**
 * GrChartValueFormat:
 * @GR_CHART_VALUE_COUNT: plain counts, such as requests
 * @GR_CHART_VALUE_TOKENS: token counts
 * @GR_CHART_VALUE_MICRO_USD: money, as integer micro-USD in the data
 */
typedef enum
{
  GR_CHART_VALUE_COUNT,
  GR_CHART_VALUE_TOKENS,
  GR_CHART_VALUE_MICRO_USD,
} GrChartValueFormat;

#define GR_TYPE_CHART_X_KIND (gr_chart_x_kind_get_type ())
GType gr_chart_x_kind_get_type (void) G_GNUC_CONST;

#define GR_TYPE_CHART_VALUE_FORMAT (gr_chart_value_format_get_type ())
GType gr_chart_value_format_get_type (void) G_GNUC_CONST;

#define GR_TYPE_CHART (gr_chart_get_type ())

G_DECLARE_FINAL_TYPE (GrChart, gr_chart, GR, CHART, GtkWidget)

GtkWidget          *gr_chart_new               (void);
const char         *gr_chart_get_title         (GrChart            *self);
void                gr_chart_set_title         (GrChart            *self,
                                                const char         *title);
GrChartXKind        gr_chart_get_x_kind        (GrChart            *self);
void                gr_chart_set_x_kind        (GrChart            *self,
                                                GrChartXKind        x_kind);
GrChartValueFormat  gr_chart_get_value_format  (GrChart            *self);
void                gr_chart_set_value_format  (GrChart            *self,
                                                GrChartValueFormat  format);
GrChartSeries      *gr_chart_add_series        (GrChart            *self,
                                                const char         *id,
                                                const char         *label,
                                                GrChartSeriesKind   kind);
GrChartSeries      *gr_chart_get_series        (GrChart            *self,
                                                const char         *id);
guint               gr_chart_get_n_series      (GrChart            *self);
GrChartSeries      *gr_chart_get_nth_series    (GrChart            *self,
                                                guint               position);
const double       *gr_chart_get_series_values (GrChart            *self,
                                                const char         *id,
                                                guint              *n_values);
void                gr_chart_clear             (GrChart            *self);

G_END_DECLS
