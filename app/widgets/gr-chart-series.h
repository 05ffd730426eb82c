/* gr-chart-series.h — one series of values drawn by a GrChart
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/**
 * GrChartSeriesKind:
 * @GR_CHART_SERIES_LINE: a line through the points
 * @GR_CHART_SERIES_AREA: a line with a translucent fill down to zero
 * @GR_CHART_SERIES_BAR: one bar per point; several bar series are grouped
 *
 * How a series is drawn.
 */
typedef enum
{
  GR_CHART_SERIES_LINE,
  GR_CHART_SERIES_AREA,
  GR_CHART_SERIES_BAR,
} GrChartSeriesKind;

#define GR_TYPE_CHART_SERIES_KIND (gr_chart_series_kind_get_type ())
GType gr_chart_series_kind_get_type (void) G_GNUC_CONST;

#define GR_TYPE_CHART_SERIES (gr_chart_series_get_type ())

G_DECLARE_FINAL_TYPE (GrChartSeries, gr_chart_series, GR, CHART_SERIES, GObject)

const char        *gr_chart_series_get_id       (GrChartSeries      *self);
const char        *gr_chart_series_get_label    (GrChartSeries      *self);
GrChartSeriesKind  gr_chart_series_get_kind     (GrChartSeries      *self);
void               gr_chart_series_get_color    (GrChartSeries      *self,
                                                 GdkRGBA            *color);
guint              gr_chart_series_get_n_points (GrChartSeries      *self);
const double      *gr_chart_series_get_values   (GrChartSeries      *self,
                                                 guint              *n_values);
gint64             gr_chart_series_get_x_ms     (GrChartSeries      *self,
                                                 guint               position);
const char        *gr_chart_series_get_category (GrChartSeries      *self,
                                                 guint               position);
void               gr_chart_series_set_points   (GrChartSeries      *self,
                                                 const gint64       *x_ms,
                                                 const char * const *categories,
                                                 const double       *y,
                                                 guint               n_points);

G_END_DECLS
