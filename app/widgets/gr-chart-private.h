/* gr-chart-private.h — internals of GrChart and GrChartSeries shared with tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "gr-chart.h"
#include "gr-chart-series.h"

G_BEGIN_DECLS

/* Length of the transition from old values to new ones. */
#define GR_CHART_ANIMATION_US (250 * G_TIME_SPAN_MILLISECOND)

/* The GNOME palette accents, readable on light and dark backgrounds. */
#define GR_CHART_N_COLORS 6

/* Nice ticks of a value axis: min, min+step, …, max. */
typedef struct
{
  double min;
  double max;
  double step;
  guint  n_ticks;
} GrChartTicks;

/* How wide one step of a time axis is; decides the label format. */
typedef enum
{
  GR_CHART_TIME_UNIT_MINUTE,
  GR_CHART_TIME_UNIT_HOUR,
  GR_CHART_TIME_UNIT_DAY,
  GR_CHART_TIME_UNIT_WEEK,
  GR_CHART_TIME_UNIT_MONTH,
} GrChartTimeUnit;

/* Axis and formatting helpers (gr-chart.c). */
guint    gr_chart_compute_ticks        (double              min,
                                        double              max,
                                        guint               max_ticks,
                                        GrChartTicks       *out);
GArray  *gr_chart_compute_time_ticks   (gint64              min_ms,
                                        gint64              max_ms,
                                        guint               max_ticks,
                                        GrChartTimeUnit    *out_unit);
char    *gr_chart_format_time_tick     (gint64              ms,
                                        GrChartTimeUnit     unit);
char    *gr_chart_format_grouped       (double              value,
                                        guint               decimals);
char    *gr_chart_format_micro_usd     (gint64              micro_usd);
char    *gr_chart_format_value         (GrChartValueFormat  format,
                                        double              value);
char    *gr_chart_format_axis_value    (GrChartValueFormat  format,
                                        double              value,
                                        const GrChartTicks *ticks);
void     gr_chart_get_palette_color    (guint               index,
                                        GdkRGBA            *color);

/* Geometry and state for tests (gr-chart.c). */
gboolean gr_chart_get_bar_area         (GrChart            *self,
                                        guint               series_index,
                                        guint               point_index,
                                        graphene_rect_t    *area);
gboolean gr_chart_get_point_position   (GrChart            *self,
                                        guint               series_index,
                                        guint               point_index,
                                        graphene_point_t   *point);
char    *gr_chart_get_tooltip_markup   (GrChart            *self,
                                        double              x,
                                        double              y);
gboolean gr_chart_is_animating         (GrChart            *self);
char    *gr_chart_dup_summary          (GrChart            *self);

/* Series internals used by the chart (gr-chart-series.c). */
GrChartSeries *_gr_chart_series_new               (const char        *id,
                                                   const char        *label,
                                                   GrChartSeriesKind  kind,
                                                   guint              color_index);
double         _gr_chart_series_get_shown_value   (GrChartSeries     *self,
                                                   guint              position);
gboolean       _gr_chart_series_step_animation    (GrChartSeries     *self,
                                                   gint64             frame_time_us);
void           _gr_chart_series_finish_animation  (GrChartSeries     *self);
gboolean       _gr_chart_series_is_animating      (GrChartSeries     *self);
int            _gr_chart_series_find_x            (GrChartSeries     *self,
                                                   gint64             x_ms);
int            _gr_chart_series_find_category     (GrChartSeries     *self,
                                                   const char        *category);
gboolean       _gr_chart_series_has_categories    (GrChartSeries     *self);

/* The ease-out curve of every chart transition, for t in [0, 1]. */
static inline double
_gr_chart_ease (double t)
{
  double u = 1.0 - CLAMP (t, 0.0, 1.0);

  return 1.0 - u * u * u;
}

G_END_DECLS
