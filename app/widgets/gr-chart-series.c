/* gr-chart-series.c — one series of values drawn by a GrChart
 *
 * A series keeps the values it was last given (the targets) and the values
 * that were on screen when they arrived, so the chart can move from one to
 * the other smoothly.  It knows nothing about pixels.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gaiarouter"

#include "config.h"

#include <math.h>

#include "gr-chart-private.h"

struct _GrChartSeries
{
  GObject            parent_instance;

  char              *id;
  char              *label;
  GrChartSeriesKind  kind;
  guint              color_index;

  /* Exactly one of x_ms (sorted, gint64) or categories (char *) is used,
   * depending on what set_points() was given last. */
  GArray            *x_ms;
  GPtrArray         *categories;

  /* Values to reach, and values on screen when the transition started. */
  GArray            *y;
  GArray            *y_from;

  /* 0 until the first frame of a transition picks its start time. */
  gint64             anim_start_us;
  double             progress;
};

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_ENUM_TYPE (GrChartSeriesKind, gr_chart_series_kind,
                    G_DEFINE_ENUM_VALUE (GR_CHART_SERIES_LINE, "line"),
                    G_DEFINE_ENUM_VALUE (GR_CHART_SERIES_AREA, "area"),
                    G_DEFINE_ENUM_VALUE (GR_CHART_SERIES_BAR, "bar"))

G_DEFINE_FINAL_TYPE (GrChartSeries, gr_chart_series, G_TYPE_OBJECT)

static void
gr_chart_series_finalize (GObject *object)
{
  GrChartSeries *self = GR_CHART_SERIES (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->label, g_free);
  g_clear_pointer (&self->x_ms, g_array_unref);
  g_clear_pointer (&self->categories, g_ptr_array_unref);
  g_clear_pointer (&self->y, g_array_unref);
  g_clear_pointer (&self->y_from, g_array_unref);

  G_OBJECT_CLASS (gr_chart_series_parent_class)->finalize (object);
}

static void
gr_chart_series_class_init (GrChartSeriesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gr_chart_series_finalize;

  /**
   * GrChartSeries::changed:
   *
   * Emitted when the points of the series were replaced.
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
gr_chart_series_init (GrChartSeries *self)
{
  self->x_ms = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->categories = g_ptr_array_new_with_free_func (g_free);
  self->y = g_array_new (FALSE, FALSE, sizeof (double));
  self->y_from = g_array_new (FALSE, FALSE, sizeof (double));
  self->progress = 1.0;
}

GrChartSeries *
_gr_chart_series_new (const char        *id,
                      const char        *label,
                      GrChartSeriesKind  kind,
                      guint              color_index)
{
  GrChartSeries *self = g_object_new (GR_TYPE_CHART_SERIES, NULL);

  self->id = g_strdup (id);
  self->label = g_strdup (label != NULL ? label : id);
  self->kind = kind;
  self->color_index = color_index;

  return self;
}

const char *
gr_chart_series_get_id (GrChartSeries *self)
{
  g_return_val_if_fail (GR_IS_CHART_SERIES (self), NULL);

  return self->id;
}

const char *
gr_chart_series_get_label (GrChartSeries *self)
{
  g_return_val_if_fail (GR_IS_CHART_SERIES (self), NULL);

  return self->label;
}

GrChartSeriesKind
gr_chart_series_get_kind (GrChartSeries *self)
{
  g_return_val_if_fail (GR_IS_CHART_SERIES (self), GR_CHART_SERIES_LINE);

  return self->kind;
}

/**
 * gr_chart_series_get_color:
 * @self: a #GrChartSeries
 * @color: (out): where to store the colour
 *
 * Gets the palette colour the chart draws this series with.
 */
void
gr_chart_series_get_color (GrChartSeries *self,
                           GdkRGBA       *color)
{
  g_return_if_fail (GR_IS_CHART_SERIES (self));
  g_return_if_fail (color != NULL);

  gr_chart_get_palette_color (self->color_index, color);
}

guint
gr_chart_series_get_n_points (GrChartSeries *self)
{
  g_return_val_if_fail (GR_IS_CHART_SERIES (self), 0);

  return self->y->len;
}

/**
 * gr_chart_series_get_values:
 * @self: a #GrChartSeries
 * @n_values: (out) (optional): the number of values
 *
 * Gets the Y values last given to gr_chart_series_set_points(), in X
 * order for time series and in the given order for category series.
 * Values that were not finite read as 0.
 *
 * Returns: (transfer none) (array length=n_values) (nullable): the values
 */
const double *
gr_chart_series_get_values (GrChartSeries *self,
                            guint         *n_values)
{
  g_return_val_if_fail (GR_IS_CHART_SERIES (self), NULL);

  if (n_values != NULL)
    *n_values = self->y->len;

  return self->y->len > 0 ? (const double *) (gpointer) self->y->data : NULL;
}

gint64
gr_chart_series_get_x_ms (GrChartSeries *self,
                          guint          position)
{
  g_return_val_if_fail (GR_IS_CHART_SERIES (self), 0);
  g_return_val_if_fail (position < self->x_ms->len, 0);

  return g_array_index (self->x_ms, gint64, position);
}

const char *
gr_chart_series_get_category (GrChartSeries *self,
                              guint          position)
{
  g_return_val_if_fail (GR_IS_CHART_SERIES (self), NULL);
  g_return_val_if_fail (position < self->categories->len, NULL);

  return g_ptr_array_index (self->categories, position);
}

gboolean
_gr_chart_series_has_categories (GrChartSeries *self)
{
  return self->categories->len > 0;
}

double
_gr_chart_series_get_shown_value (GrChartSeries *self,
                                  guint          position)
{
  double to;
  double from;

  g_assert (GR_IS_CHART_SERIES (self));
  g_assert (position < self->y->len);

  to = g_array_index (self->y, double, position);
  if (self->progress >= 1.0)
    return to;

  from = g_array_index (self->y_from, double, position);

  return from + (to - from) * _gr_chart_ease (self->progress);
}

gboolean
_gr_chart_series_is_animating (GrChartSeries *self)
{
  return self->progress < 1.0;
}

gboolean
_gr_chart_series_step_animation (GrChartSeries *self,
                                 gint64         frame_time_us)
{
  g_assert (GR_IS_CHART_SERIES (self));

  if (self->progress >= 1.0)
    return FALSE;

  /* The start is taken from the first frame rather than from the moment the
   * data arrived, so a slow first frame does not eat the transition. */
  if (self->anim_start_us == 0)
    self->anim_start_us = frame_time_us;

  self->progress = (double) (frame_time_us - self->anim_start_us) / GR_CHART_ANIMATION_US;
  if (self->progress >= 1.0)
    _gr_chart_series_finish_animation (self);

  return self->progress < 1.0;
}

void
_gr_chart_series_finish_animation (GrChartSeries *self)
{
  self->progress = 1.0;
  self->anim_start_us = 0;
}

int
_gr_chart_series_find_x (GrChartSeries *self,
                         gint64         x_ms)
{
  guint lo = 0;
  guint hi = self->x_ms->len;

  /* x_ms is kept sorted by set_points(). */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      gint64 v = g_array_index (self->x_ms, gint64, mid);

      if (v == x_ms)
        return mid;
      if (v < x_ms)
        lo = mid + 1;
      else
        hi = mid;
    }

  return -1;
}

int
_gr_chart_series_find_category (GrChartSeries *self,
                                const char    *category)
{
  for (guint i = 0; i < self->categories->len; i++)
    {
      if (g_strcmp0 (g_ptr_array_index (self->categories, i), category) == 0)
        return i;
    }

  return -1;
}

static int
compare_by_x (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  const gint64 *x_ms = user_data;
  gint64 xa = x_ms[*(const guint *) a];
  gint64 xb = x_ms[*(const guint *) b];

  return (xa > xb) - (xa < xb);
}

/* Where each new point starts its transition: from what was on screen at
 * the same X, or from the baseline on a first fill so the chart grows in;
 * points that are new to an existing series simply appear. */
static double
gr_chart_series_from_value (GrChartSeries *self,
                            gboolean       was_empty,
                            int            old_position,
                            double         target)
{
  if (old_position >= 0)
    return _gr_chart_series_get_shown_value (self, old_position);

  return was_empty ? 0.0 : target;
}

static double
sanitize (double value)
{
  /* NaN or infinity would poison every min/max and division downstream. */
  return isfinite (value) ? value : 0.0;
}

/**
 * gr_chart_series_set_points:
 * @self: a #GrChartSeries
 * @x_ms: (array length=n_points) (nullable): Unix timestamps in milliseconds
 * @categories: (array length=n_points) (nullable): category names
 * @y: (array length=n_points) (nullable): the values
 * @n_points: number of points
 *
 * Replaces the points of the series.  Give either @x_ms (for a chart of
 * kind %GR_CHART_X_TIME) or @categories (for %GR_CHART_X_CATEGORY), not
 * both.  Time points are sorted by X; categories keep their order.  The
 * chart animates from the old values to the new ones.
 */
void
gr_chart_series_set_points (GrChartSeries      *self,
                            const gint64       *x_ms,
                            const char * const *categories,
                            const double       *y,
                            guint               n_points)
{
  g_autoptr(GArray) new_x = NULL;
  g_autoptr(GPtrArray) new_categories = NULL;
  g_autoptr(GArray) new_y = NULL;
  g_autoptr(GArray) new_from = NULL;
  g_autofree guint *order = NULL;
  gboolean was_empty;

  g_return_if_fail (GR_IS_CHART_SERIES (self));
  g_return_if_fail (n_points == 0 || y != NULL);
  g_return_if_fail (n_points == 0 || (x_ms != NULL) != (categories != NULL));

  was_empty = self->y->len == 0;
  new_x = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_points);
  new_categories = g_ptr_array_new_full (categories != NULL ? n_points : 0, g_free);
  new_y = g_array_sized_new (FALSE, FALSE, sizeof (double), n_points);
  new_from = g_array_sized_new (FALSE, FALSE, sizeof (double), n_points);

  order = g_new (guint, MAX (n_points, 1));
  for (guint i = 0; i < n_points; i++)
    order[i] = i;
  if (x_ms != NULL)
    g_qsort_with_data (order, n_points, sizeof (guint), compare_by_x, (gpointer) x_ms);

  for (guint i = 0; i < n_points; i++)
    {
      guint src = order[i];
      double value = sanitize (y[src]);
      int old_position;
      double from;

      if (x_ms != NULL)
        {
          g_array_append_val (new_x, x_ms[src]);
          old_position = _gr_chart_series_find_x (self, x_ms[src]);
        }
      else
        {
          g_ptr_array_add (new_categories, g_strdup (categories[src] != NULL ? categories[src] : ""));
          old_position = _gr_chart_series_find_category (self, g_ptr_array_index (new_categories, i));
        }

      from = gr_chart_series_from_value (self, was_empty, old_position, value);
      g_array_append_val (new_y, value);
      g_array_append_val (new_from, from);
    }

  g_clear_pointer (&self->x_ms, g_array_unref);
  g_clear_pointer (&self->categories, g_ptr_array_unref);
  g_clear_pointer (&self->y, g_array_unref);
  g_clear_pointer (&self->y_from, g_array_unref);
  self->x_ms = g_steal_pointer (&new_x);
  self->categories = g_steal_pointer (&new_categories);
  self->y = g_steal_pointer (&new_y);
  self->y_from = g_steal_pointer (&new_from);

  self->progress = 0.0;
  self->anim_start_us = 0;

  g_signal_emit (self, signals[CHANGED], 0);
}
