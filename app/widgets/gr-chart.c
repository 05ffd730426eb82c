/* gr-chart.c — the statistics chart widget
 *
 * GrChart draws line, area and bar series over a time or category X axis
 * and a value Y axis, all in one snapshot: bars with
 * gtk_snapshot_append_color(), lines, fills and grid with cairo (GTK 4.8
 * has no GskPath).  Values are mapped to the unit range of the value axis
 * before they become pixels, and the axis range always has a non-zero
 * span, so nothing divides by zero.
 *
 * Updates animate: each series keeps the values that were on screen when
 * new ones arrived, and a frame-clock tick callback moves them to the new
 * ones over GR_CHART_ANIMATION_US, together with the value axis.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gaiarouter"

#include "config.h"

#include <langinfo.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "gr-chart-private.h"

/* Space around the drawing, between regions, and inside the legend. */
#define PADDING          12
#define SPACING          8
#define LEGEND_SWATCH    10
#define LEGEND_GAP       16
#define TICK_FONT_SCALE  0.85
/* Bars take this share of their slot, and never grow wider than this. */
#define BAR_GROUP_SHARE  0.72
#define BAR_MAX_WIDTH    48.0
#define LINE_WIDTH       2.0
#define POINT_RADIUS     3.5
#define MS_PER_MINUTE    ((gint64) 60 * 1000)
#define MS_PER_HOUR      (60 * MS_PER_MINUTE)
#define MS_PER_DAY       (24 * MS_PER_HOUR)

struct _GrChart
{
  GtkWidget           parent_instance;

  char               *title;
  GrChartXKind        x_kind;
  GrChartValueFormat  value_format;

  GPtrArray          *series;

  /* The distinct X positions over all series: sorted timestamps, or
   * categories in order of first appearance. */
  GArray             *time_columns;
  GPtrArray          *category_columns;

  /* The value range drawn last, and where the axis transition started. */
  double              shown_min;
  double              shown_max;
  double              axis_from_min;
  double              axis_from_max;
  double              axis_progress;
  gint64              axis_start_us;
  guint               has_shown : 1;

  guint               pointer_inside : 1;
  double              pointer_x;
  double              pointer_y;

  guint               tick_id;
};

/* Everything the drawing, hit testing and tests agree on for one size. */
typedef struct
{
  int              width;
  int              height;
  gboolean         empty;
  double           title_y;
  double           legend_y;
  graphene_rect_t  plot;
  double           label_height;
  GrChartTicks     y_ticks;
  double           view_min;
  double           view_max;
  /* Time axis only: the ms range spread over the plot width, and ticks. */
  double           x_min_ms;
  double           x_max_ms;
  GArray          *x_ticks;
  GrChartTimeUnit  x_unit;
  guint            n_columns;
  double           slot;
  guint            n_bar_series;
  gboolean         has_bars;
} Geometry;

enum {
  PROP_0,
  PROP_TITLE,
  PROP_X_KIND,
  PROP_VALUE_FORMAT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* GNOME palette: blue 3, green 3, orange 3, purple 3, red 3, yellow 3. */
static const guint32 palette[GR_CHART_N_COLORS] = {
  0x3584e4, 0x33d17a, 0xff7800, 0x9141ac, 0xe01b24, 0xf6d32d,
};

G_DEFINE_ENUM_TYPE (GrChartXKind, gr_chart_x_kind,
                    G_DEFINE_ENUM_VALUE (GR_CHART_X_TIME, "time"),
                    G_DEFINE_ENUM_VALUE (GR_CHART_X_CATEGORY, "category"))

G_DEFINE_ENUM_TYPE (GrChartValueFormat, gr_chart_value_format,
                    G_DEFINE_ENUM_VALUE (GR_CHART_VALUE_COUNT, "count"),
                    G_DEFINE_ENUM_VALUE (GR_CHART_VALUE_TOKENS, "tokens"),
                    G_DEFINE_ENUM_VALUE (GR_CHART_VALUE_MICRO_USD, "micro-usd"))

G_DEFINE_FINAL_TYPE (GrChart, gr_chart, GTK_TYPE_WIDGET)

void
gr_chart_get_palette_color (guint    index_,
                            GdkRGBA *color)
{
  guint32 rgb = palette[index_ % GR_CHART_N_COLORS];

  color->red = ((rgb >> 16) & 0xff) / 255.0;
  color->green = ((rgb >> 8) & 0xff) / 255.0;
  color->blue = (rgb & 0xff) / 255.0;
  color->alpha = 1.0;
}

/* Number formatting ------------------------------------------------------ */

static const char *
locale_thousands_separator (void)
{
  const char *sep = nl_langinfo (THOUSEP);

  /* The C locale has no separator; "1234567" is hard to read, so fall back
   * to the English comma rather than to nothing. */
  return (sep != NULL && *sep != '\0') ? sep : ",";
}

/**
 * gr_chart_format_grouped:
 * @value: a number
 * @decimals: digits after the decimal point
 *
 * Formats @value with the locale's decimal point and thousands separator
 * (a comma when the locale has none), grouping digits by three.
 *
 * Returns: (transfer full): the text
 */
char *
gr_chart_format_grouped (double value,
                         guint  decimals)
{
  g_autofree char *digits = NULL;
  const char *sep = locale_thousands_separator ();
  GString *out;
  gsize int_len;
  gboolean negative;

  if (!isfinite (value))
    value = 0.0;
  decimals = MIN (decimals, 9);

  digits = g_strdup_printf ("%.*f", (int) decimals, fabs (value));
  /* "-0" and "-0.00" read as noise: only keep a sign that survives rounding. */
  negative = value < 0 && strpbrk (digits, "123456789") != NULL;
  int_len = strspn (digits, "0123456789");

  out = g_string_new (negative ? "-" : "");
  for (gsize i = 0; i < int_len; i++)
    {
      if (i > 0 && (int_len - i) % 3 == 0)
        g_string_append (out, sep);
      g_string_append_c (out, digits[i]);
    }
  g_string_append (out, digits + int_len);

  return g_string_free (out, FALSE);
}

static char *
format_dollars (const char *number,
                gboolean    negative)
{
  /* Translators: an amount in US dollars; %s is the number, e.g. "1.23". */
  g_autofree char *amount = g_strdup_printf (_("$%s"), number);

  return negative ? g_strconcat ("-", amount, NULL) : g_steal_pointer (&amount);
}

/**
 * gr_chart_format_micro_usd:
 * @micro_usd: an amount in millionths of a US dollar
 *
 * Formats money the way the statistics pages show it: cents from one cent
 * up ("$1.23", "$12,345.68"), and every significant digit below one cent
 * ("$0.0042"), since per-request costs are often that small.
 *
 * Returns: (transfer full): the text
 */
char *
gr_chart_format_micro_usd (gint64 micro_usd)
{
  guint64 magnitude = micro_usd < 0 ? -(guint64) micro_usd : (guint64) micro_usd;
  g_autofree char *number = NULL;

  if (magnitude == 0 || magnitude >= 10000)
    {
      number = gr_chart_format_grouped (magnitude / 1e6, 2);
    }
  else
    {
      g_autofree char *fraction = g_strdup_printf ("%06u", (guint) magnitude);
      gsize len = strlen (fraction);

      while (len > 2 && fraction[len - 1] == '0')
        fraction[--len] = '\0';
      number = g_strconcat ("0", nl_langinfo (RADIXCHAR), fraction, NULL);
    }

  return format_dollars (number, micro_usd < 0);
}

/**
 * gr_chart_format_value:
 * @format: how values read
 * @value: the value
 *
 * Formats a value exactly, as the tooltip shows it.
 *
 * Returns: (transfer full): the text
 */
char *
gr_chart_format_value (GrChartValueFormat format,
                       double             value)
{
  if (!isfinite (value))
    value = 0.0;

  if (format == GR_CHART_VALUE_MICRO_USD)
    return gr_chart_format_micro_usd ((gint64) llround (value));

  if (fabs (value - round (value)) < 1e-6)
    return gr_chart_format_grouped (round (value), 0);

  return gr_chart_format_grouped (value, 2);
}

static guint
decimals_for_step (double step)
{
  if (step >= 1.0 || step <= 0.0)
    return 0;

  return (guint) MIN (9.0, ceil (-log10 (step) - 1e-9));
}

/* "12k", "1.5M": axis labels stay narrow whatever the magnitude. */
static char *
format_compact (double value,
                double step,
                double max_abs)
{
  g_autofree char *number = NULL;
  double unit;

  if (value == 0.0)
    return g_strdup ("0");

  unit = max_abs >= 1e9 ? 1e9 : max_abs >= 1e6 ? 1e6 : 1e3;
  number = gr_chart_format_grouped (value / unit, decimals_for_step (step / unit));

  if (unit == 1e9)
    /* Translators: a compact number in billions, e.g. "1.5B". */
    return g_strdup_printf (_("%sB"), number);
  if (unit == 1e6)
    /* Translators: a compact number in millions, e.g. "1.5M". */
    return g_strdup_printf (_("%sM"), number);
  /* Translators: a compact number in thousands, e.g. "12k". */
  return g_strdup_printf (_("%sk"), number);
}

/**
 * gr_chart_format_axis_value:
 * @format: how values read
 * @value: a tick value
 * @ticks: the ticks @value belongs to
 *
 * Formats a tick label: as many decimals as the step needs, and compact
 * units once values reach ten thousand.
 *
 * Returns: (transfer full): the text
 */
char *
gr_chart_format_axis_value (GrChartValueFormat  format,
                            double              value,
                            const GrChartTicks *ticks)
{
  double max_abs = MAX (fabs (ticks->min), fabs (ticks->max));
  double step = ticks->step;

  /* Accumulated rounding must not print "-0" or "1e-17". */
  if (fabs (value) < step * 1e-6)
    value = 0.0;

  if (format == GR_CHART_VALUE_MICRO_USD)
    {
      g_autofree char *number = NULL;

      value /= 1e6;
      step /= 1e6;
      max_abs /= 1e6;

      if (max_abs >= 10000)
        number = format_compact (fabs (value), step, max_abs);
      else if (step >= 1.0)
        number = gr_chart_format_grouped (fabs (value), 0);
      else
        number = gr_chart_format_grouped (fabs (value), MAX (2, decimals_for_step (step)));

      return format_dollars (number, value < 0);
    }

  if (max_abs >= 10000)
    return format_compact (value, step, max_abs);

  return gr_chart_format_grouped (value, decimals_for_step (step));
}

/* Ticks ------------------------------------------------------------------- */

/**
 * gr_chart_compute_ticks:
 * @min: the lowest value to show
 * @max: the highest value to show
 * @max_ticks: the most tick marks wanted, both ends included (at least 2)
 * @out: (out): the ticks
 *
 * Finds round ticks (steps of 1, 2 or 5 times a power of ten) covering
 * @min to @max with at most @max_ticks marks: 0…97 with six marks gives
 * 0, 20, 40, 60, 80, 100.  An empty range is widened to include zero, or
 * to 0…1, so the result always has a positive span.
 *
 * Returns: the number of ticks
 */
guint
gr_chart_compute_ticks (double        min,
                        double        max,
                        guint         max_ticks,
                        GrChartTicks *out)
{
  static const double multipliers[] = { 1, 2, 5 };
  double raw;
  int exponent;

  g_return_val_if_fail (out != NULL, 0);

  if (!isfinite (min))
    min = 0.0;
  if (!isfinite (max))
    max = 0.0;
  if (max < min)
    {
      double tmp = min;

      min = max;
      max = tmp;
    }
  if (max == min)
    {
      if (min == 0.0)
        max = 1.0;
      else if (min > 0.0)
        min = 0.0;
      else
        max = 0.0;
    }

  max_ticks = MAX (max_ticks, 2);
  raw = (max - min) / (max_ticks - 1);
  exponent = (int) floor (log10 (raw));

  for (int e = exponent; e <= exponent + 3; e++)
    {
      for (guint m = 0; m < G_N_ELEMENTS (multipliers); m++)
        {
          double step = multipliers[m] * pow (10.0, e);
          double lo = floor (min / step + 1e-9) * step;
          double hi = ceil (max / step - 1e-9) * step;
          guint n = (guint) llround ((hi - lo) / step) + 1;

          if (step < raw * (1 - 1e-9) || n > max_ticks)
            continue;

          *out = (GrChartTicks) { lo, hi, step, n };
          return n;
        }
    }

  /* Only reached when a range straddling zero cannot fit two ticks. */
  *out = (GrChartTicks) { min, max, max - min, 2 };
  return 2;
}

static const struct {
  GrChartTimeUnit unit;
  guint           count;
  gint64          approx_ms;
} time_steps[] = {
  { GR_CHART_TIME_UNIT_MINUTE, 1, MS_PER_MINUTE },
  { GR_CHART_TIME_UNIT_MINUTE, 2, 2 * MS_PER_MINUTE },
  { GR_CHART_TIME_UNIT_MINUTE, 5, 5 * MS_PER_MINUTE },
  { GR_CHART_TIME_UNIT_MINUTE, 10, 10 * MS_PER_MINUTE },
  { GR_CHART_TIME_UNIT_MINUTE, 15, 15 * MS_PER_MINUTE },
  { GR_CHART_TIME_UNIT_MINUTE, 30, 30 * MS_PER_MINUTE },
  { GR_CHART_TIME_UNIT_HOUR, 1, MS_PER_HOUR },
  { GR_CHART_TIME_UNIT_HOUR, 2, 2 * MS_PER_HOUR },
  { GR_CHART_TIME_UNIT_HOUR, 3, 3 * MS_PER_HOUR },
  { GR_CHART_TIME_UNIT_HOUR, 6, 6 * MS_PER_HOUR },
  { GR_CHART_TIME_UNIT_HOUR, 12, 12 * MS_PER_HOUR },
  { GR_CHART_TIME_UNIT_DAY, 1, MS_PER_DAY },
  { GR_CHART_TIME_UNIT_DAY, 2, 2 * MS_PER_DAY },
  { GR_CHART_TIME_UNIT_WEEK, 1, 7 * MS_PER_DAY },
  { GR_CHART_TIME_UNIT_WEEK, 2, 14 * MS_PER_DAY },
  { GR_CHART_TIME_UNIT_MONTH, 1, 30 * MS_PER_DAY },
  { GR_CHART_TIME_UNIT_MONTH, 3, 91 * MS_PER_DAY },
  { GR_CHART_TIME_UNIT_MONTH, 6, 182 * MS_PER_DAY },
  { GR_CHART_TIME_UNIT_MONTH, 12, 365 * MS_PER_DAY },
};

/* The last tick boundary at or before @dt, in local time. */
static GDateTime *
time_floor (GDateTime       *dt,
            GrChartTimeUnit  unit,
            guint            count)
{
  int year = g_date_time_get_year (dt);
  int month = g_date_time_get_month (dt);
  int day = g_date_time_get_day_of_month (dt);
  g_autoptr(GDateTime) midnight = NULL;

  switch (unit)
    {
    case GR_CHART_TIME_UNIT_MINUTE:
      return g_date_time_new_local (year, month, day, g_date_time_get_hour (dt),
                                    g_date_time_get_minute (dt) / count * count, 0);

    case GR_CHART_TIME_UNIT_HOUR:
      return g_date_time_new_local (year, month, day,
                                    g_date_time_get_hour (dt) / count * count, 0, 0);

    case GR_CHART_TIME_UNIT_DAY:
      return g_date_time_new_local (year, month, day, 0, 0, 0);

    case GR_CHART_TIME_UNIT_WEEK:
      /* Weeks start on Monday, as ISO 8601 has it. */
      midnight = g_date_time_new_local (year, month, day, 0, 0, 0);
      return midnight != NULL
        ? g_date_time_add_days (midnight, 1 - g_date_time_get_day_of_week (midnight))
        : NULL;

    case GR_CHART_TIME_UNIT_MONTH:
    default:
      return g_date_time_new_local (year, (month - 1) / count * count + 1, 1, 0, 0, 0);
    }
}

static GDateTime *
time_advance (GDateTime       *dt,
              GrChartTimeUnit  unit,
              guint            count)
{
  switch (unit)
    {
    case GR_CHART_TIME_UNIT_MINUTE:
      return g_date_time_add_minutes (dt, count);
    case GR_CHART_TIME_UNIT_HOUR:
      return g_date_time_add_hours (dt, count);
    case GR_CHART_TIME_UNIT_DAY:
      return g_date_time_add_days (dt, count);
    case GR_CHART_TIME_UNIT_WEEK:
      return g_date_time_add_weeks (dt, count);
    case GR_CHART_TIME_UNIT_MONTH:
    default:
      return g_date_time_add_months (dt, count);
    }
}

/**
 * gr_chart_compute_time_ticks:
 * @min_ms: start of the range, Unix milliseconds
 * @max_ms: end of the range, Unix milliseconds
 * @max_ticks: the most ticks wanted
 * @out_unit: (out): the unit of the step, for gr_chart_format_time_tick()
 *
 * Finds ticks on round local times (whole hours, midnights, Mondays, first
 * days of months) inside the range, using the smallest step that keeps
 * their number at or below @max_ticks.
 *
 * Returns: (transfer full) (element-type gint64): the tick times
 */
GArray *
gr_chart_compute_time_ticks (gint64           min_ms,
                             gint64           max_ms,
                             guint            max_ticks,
                             GrChartTimeUnit *out_unit)
{
  GArray *ticks = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) t = NULL;
  gint64 span = MAX (max_ms - min_ms, 0);
  guint pick = G_N_ELEMENTS (time_steps) - 1;

  max_ticks = MAX (max_ticks, 2);
  for (guint i = 0; i < G_N_ELEMENTS (time_steps); i++)
    {
      if (span / time_steps[i].approx_ms + 1 <= max_ticks)
        {
          pick = i;
          break;
        }
    }

  if (out_unit != NULL)
    *out_unit = time_steps[pick].unit;

  start = g_date_time_new_from_unix_local (min_ms / 1000);
  if (start != NULL)
    t = time_floor (start, time_steps[pick].unit, time_steps[pick].count);

  /* The bound stops a pathological range from looping for long. */
  for (guint guard = 0; t != NULL && guard < 1000; guard++)
    {
      gint64 ms = g_date_time_to_unix (t) * 1000;
      GDateTime *next;

      if (ms > max_ms)
        break;
      if (ms >= min_ms)
        g_array_append_val (ticks, ms);

      next = time_advance (t, time_steps[pick].unit, time_steps[pick].count);
      g_date_time_unref (t);
      t = next;
    }

  return ticks;
}

/**
 * gr_chart_format_time_tick:
 * @ms: Unix milliseconds
 * @unit: the step of the axis
 *
 * Formats a time tick in local time: "14:00" on hour axes (the day,
 * "Mon 27", at midnight), "Mon 27" on day axes, "Nov 27" on week axes
 * and "Nov 2024" on month axes.
 *
 * Returns: (transfer full): the text
 */
char *
gr_chart_format_time_tick (gint64          ms,
                           GrChartTimeUnit unit)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (ms / 1000);
  const char *format;

  if (dt == NULL)
    return g_strdup ("");

  switch (unit)
    {
    case GR_CHART_TIME_UNIT_MINUTE:
    case GR_CHART_TIME_UNIT_HOUR:
      if (g_date_time_get_hour (dt) == 0 && g_date_time_get_minute (dt) == 0)
        /* Translators: a chart tick at midnight, see g_date_time_format(); "Mon 27". */
        /* xgettext:no-c-format */
        format = _("%a %-d");
      else
        /* Translators: a chart tick on an hour axis, see g_date_time_format(); "14:00". */
        /* xgettext:no-c-format */
        format = _("%H:%M");
      break;

    case GR_CHART_TIME_UNIT_DAY:
      /* Translators: a chart tick on a day axis, see g_date_time_format(); "Mon 27". */
      /* xgettext:no-c-format */
      format = _("%a %-d");
      break;

    case GR_CHART_TIME_UNIT_WEEK:
      /* Translators: a chart tick on a week axis, see g_date_time_format(); "Nov 27". */
      /* xgettext:no-c-format */
      format = _("%b %-d");
      break;

    case GR_CHART_TIME_UNIT_MONTH:
    default:
      /* Translators: a chart tick on a month axis, see g_date_time_format(); "Nov 2024". */
      /* xgettext:no-c-format */
      format = _("%b %Y");
      break;
    }

  return g_date_time_format (dt, format);
}

/* Data --------------------------------------------------------------------- */

/* Points of a series that fit the X kind of the chart; a series given
 * categories on a time chart (or the reverse) shows nothing. */
static guint
gr_chart_usable_points (GrChart       *self,
                        GrChartSeries *series)
{
  gboolean wants_categories = self->x_kind == GR_CHART_X_CATEGORY;

  if (_gr_chart_series_has_categories (series) != wants_categories)
    return 0;

  return gr_chart_series_get_n_points (series);
}

static gboolean
gr_chart_is_empty (GrChart *self)
{
  for (guint i = 0; i < self->series->len; i++)
    {
      if (gr_chart_usable_points (self, g_ptr_array_index (self->series, i)) > 0)
        return FALSE;
    }

  return TRUE;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 va = *(const gint64 *) a;
  gint64 vb = *(const gint64 *) b;

  return (va > vb) - (va < vb);
}

static void
gr_chart_rebuild_columns (GrChart *self)
{
  g_array_set_size (self->time_columns, 0);
  g_ptr_array_set_size (self->category_columns, 0);

  for (guint s = 0; s < self->series->len; s++)
    {
      GrChartSeries *series = g_ptr_array_index (self->series, s);
      guint n = gr_chart_usable_points (self, series);

      for (guint i = 0; i < n; i++)
        {
          if (self->x_kind == GR_CHART_X_TIME)
            {
              gint64 x = gr_chart_series_get_x_ms (series, i);

              g_array_append_val (self->time_columns, x);
            }
          else
            {
              const char *category = gr_chart_series_get_category (series, i);

              if (!g_ptr_array_find_with_equal_func (self->category_columns, category,
                                                     g_str_equal, NULL))
                g_ptr_array_add (self->category_columns, g_strdup (category));
            }
        }
    }

  if (self->time_columns->len > 1)
    {
      guint kept = 1;

      g_array_sort (self->time_columns, compare_gint64);
      for (guint i = 1; i < self->time_columns->len; i++)
        {
          gint64 x = g_array_index (self->time_columns, gint64, i);

          if (x != g_array_index (self->time_columns, gint64, kept - 1))
            g_array_index (self->time_columns, gint64, kept++) = x;
        }
      g_array_set_size (self->time_columns, kept);
    }
}

static guint
gr_chart_n_columns (GrChart *self)
{
  return self->x_kind == GR_CHART_X_TIME ? self->time_columns->len
                                         : self->category_columns->len;
}

static void
gr_chart_data_range (GrChart *self,
                     double  *out_min,
                     double  *out_max)
{
  /* Zero is always on the axis: these are counts and costs. */
  double lo = 0.0;
  double hi = 0.0;

  for (guint s = 0; s < self->series->len; s++)
    {
      GrChartSeries *series = g_ptr_array_index (self->series, s);
      guint n = gr_chart_usable_points (self, series);
      const double *values = gr_chart_series_get_values (series, NULL);

      for (guint i = 0; i < n; i++)
        {
          lo = MIN (lo, values[i]);
          hi = MAX (hi, values[i]);
        }
    }

  *out_min = lo;
  *out_max = hi;
}

/* All formats hold whole units (requests, tokens, micro-dollars), so a
 * step below one would only label fractions nobody can have. */
static void
gr_chart_value_ticks (GrChart      *self,
                      guint         max_ticks,
                      GrChartTicks *ticks)
{
  double lo;
  double hi;

  gr_chart_data_range (self, &lo, &hi);
  gr_chart_compute_ticks (lo, hi, max_ticks, ticks);

  if (ticks->step < 1.0)
    {
      ticks->min = floor (lo);
      ticks->max = MAX (ceil (hi), ticks->min + 1.0);
      ticks->step = 1.0;
      ticks->n_ticks = (guint) llround (ticks->max - ticks->min) + 1;
    }
}

/* Text ----------------------------------------------------------------------- */

static PangoLayout *
gr_chart_create_layout (GrChart    *self,
                        const char *text,
                        gboolean    bold,
                        gboolean    small)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoAttrList *attrs = pango_attr_list_new ();

  if (bold)
    pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  if (small)
    {
      pango_attr_list_insert (attrs, pango_attr_scale_new (TICK_FONT_SCALE));
      /* Tabular figures keep a column of numbers aligned. */
      pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum"));
    }
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);

  return layout;
}

static void
append_layout_at (GtkSnapshot   *snapshot,
                  PangoLayout   *layout,
                  double         x,
                  double         y,
                  const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
get_foreground (GrChart *self,
                GdkRGBA *color)
{
  /* gtk_widget_get_color() is GTK 4.10; the style context is the 4.8 way. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), color);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static GdkRGBA
with_alpha (const GdkRGBA *color,
            double         alpha)
{
  GdkRGBA result = *color;

  result.alpha *= alpha;
  return result;
}

/* Legend --------------------------------------------------------------------- */

/* Lays the legend out in rows that wrap at @width, drawing it when
 * @snapshot is set; returns its height either way. */
static double
gr_chart_legend (GrChart       *self,
                 double         width,
                 double         top,
                 GtkSnapshot   *snapshot,
                 const GdkRGBA *fg)
{
  double x = 0;
  double y = 0;
  double row_height = 0;

  if (self->series->len < 2)
    return 0;

  for (guint s = 0; s < self->series->len; s++)
    {
      GrChartSeries *series = g_ptr_array_index (self->series, s);
      g_autoptr(PangoLayout) layout = gr_chart_create_layout (self, gr_chart_series_get_label (series),
                                                              FALSE, TRUE);
      int text_width;
      int text_height;
      double item_width;

      pango_layout_get_pixel_size (layout, &text_width, &text_height);
      item_width = LEGEND_SWATCH + SPACING / 2.0 + text_width;
      row_height = MAX (row_height, text_height);

      if (x > 0 && x + item_width > width)
        {
          x = 0;
          y += row_height + SPACING / 2.0;
        }

      if (snapshot != NULL)
        {
          GdkRGBA color;

          gr_chart_series_get_color (series, &color);
          gtk_snapshot_append_color (snapshot, &color,
                                     &GRAPHENE_RECT_INIT (PADDING + x,
                                                          top + y + (text_height - LEGEND_SWATCH) / 2.0,
                                                          LEGEND_SWATCH, LEGEND_SWATCH));
          append_layout_at (snapshot, layout, PADDING + x + LEGEND_SWATCH + SPACING / 2.0, top + y, fg);
        }

      x += item_width + LEGEND_GAP;
    }

  return y + row_height;
}

/* Geometry ------------------------------------------------------------------- */

static void
geometry_clear (Geometry *geo)
{
  g_clear_pointer (&geo->x_ticks, g_array_unref);
}

static int
layout_width (GrChart    *self,
              const char *text)
{
  g_autoptr(PangoLayout) layout = gr_chart_create_layout (self, text, FALSE, TRUE);
  int width;

  pango_layout_get_pixel_size (layout, &width, NULL);
  return width;
}

static double
gr_chart_y_gutter (GrChart        *self,
                   const Geometry *geo)
{
  int widest = 0;

  for (guint i = 0; i < geo->y_ticks.n_ticks; i++)
    {
      double v = geo->y_ticks.min + i * geo->y_ticks.step;
      g_autofree char *text = gr_chart_format_axis_value (self->value_format, v, &geo->y_ticks);

      widest = MAX (widest, layout_width (self, text));
    }

  return PADDING + widest + SPACING;
}

static void
gr_chart_view_range (GrChart  *self,
                     Geometry *geo)
{
  double t = _gr_chart_ease (self->axis_progress);

  if (!self->has_shown || self->axis_progress >= 1.0)
    {
      geo->view_min = geo->y_ticks.min;
      geo->view_max = geo->y_ticks.max;
      return;
    }

  geo->view_min = self->axis_from_min + (geo->y_ticks.min - self->axis_from_min) * t;
  geo->view_max = self->axis_from_max + (geo->y_ticks.max - self->axis_from_max) * t;
}

static gboolean
gr_chart_has_bars (GrChart *self,
                   guint   *n_bar_series)
{
  guint n = 0;

  for (guint s = 0; s < self->series->len; s++)
    {
      if (gr_chart_series_get_kind (g_ptr_array_index (self->series, s)) == GR_CHART_SERIES_BAR)
        n++;
    }

  if (n_bar_series != NULL)
    *n_bar_series = n;

  return n > 0;
}

/* The ms range of a time axis: the data, plus half a slot on each side
 * when bars need room, or an hour around a lone point. */
static void
gr_chart_time_range (GrChart  *self,
                     Geometry *geo)
{
  GArray *cols = self->time_columns;
  gint64 first = g_array_index (cols, gint64, 0);
  gint64 last = g_array_index (cols, gint64, cols->len - 1);
  gint64 min_gap = MS_PER_HOUR;
  double pad = 0;

  for (guint i = 1; i < cols->len; i++)
    {
      gint64 gap = g_array_index (cols, gint64, i) - g_array_index (cols, gint64, i - 1);

      min_gap = i == 1 ? gap : MIN (min_gap, gap);
    }

  if (geo->has_bars || first == last)
    pad = min_gap / 2.0;

  geo->x_min_ms = first - pad;
  geo->x_max_ms = last + pad;
  geo->slot = geo->plot.size.width * min_gap / (geo->x_max_ms - geo->x_min_ms);
}

static void
gr_chart_time_ticks (GrChart  *self,
                     Geometry *geo)
{
  guint max_ticks = MAX (2, (guint) (geo->plot.size.width / 64));

  /* Shrink the tick count until the widest label fits its share. */
  for (guint attempt = 0; attempt < 6; attempt++)
    {
      int widest = 0;

      geometry_clear (geo);
      geo->x_ticks = gr_chart_compute_time_ticks ((gint64) ceil (geo->x_min_ms),
                                                  (gint64) floor (geo->x_max_ms),
                                                  max_ticks, &geo->x_unit);
      for (guint i = 0; i < geo->x_ticks->len; i++)
        {
          g_autofree char *text = gr_chart_format_time_tick (g_array_index (geo->x_ticks, gint64, i),
                                                             geo->x_unit);

          widest = MAX (widest, layout_width (self, text));
        }

      if (max_ticks <= 2 || (widest + 2 * SPACING) * (double) max_ticks <= geo->plot.size.width)
        break;
      max_ticks = MAX (2, (guint) (geo->plot.size.width / (widest + 2 * SPACING)));
    }
}

static void
gr_chart_compute_geometry (GrChart  *self,
                           Geometry *geo)
{
  g_autoptr(PangoLayout) title = NULL;
  g_autoptr(PangoLayout) sample = NULL;
  double top = PADDING;
  double bottom;
  double gutter;
  int text_height = 0;

  memset (geo, 0, sizeof *geo);
  geo->width = gtk_widget_get_width (GTK_WIDGET (self));
  geo->height = gtk_widget_get_height (GTK_WIDGET (self));
  geo->empty = gr_chart_is_empty (self);
  geo->has_bars = gr_chart_has_bars (self, &geo->n_bar_series);

  geo->title_y = top;
  if (self->title != NULL && self->title[0] != '\0')
    {
      title = gr_chart_create_layout (self, self->title, TRUE, FALSE);
      pango_layout_get_pixel_size (title, NULL, &text_height);
      top += text_height + SPACING;
    }

  geo->legend_y = top;
  if (self->series->len > 1)
    top += gr_chart_legend (self, geo->width - 2 * PADDING, top, NULL, NULL) + SPACING;

  sample = gr_chart_create_layout (self, "0", FALSE, TRUE);
  pango_layout_get_pixel_size (sample, NULL, &text_height);
  geo->label_height = text_height;

  if (geo->empty)
    {
      geo->plot = GRAPHENE_RECT_INIT (PADDING, top, MAX (1, geo->width - 2 * PADDING),
                                      MAX (1, geo->height - top - PADDING));
      return;
    }

  /* Half a label above the plot, so the top tick label is not cut. */
  top = ceil (top + geo->label_height / 2);
  bottom = floor (geo->height - PADDING - geo->label_height - SPACING / 2.0);
  geo->plot.origin.y = top;
  geo->plot.size.height = MAX (1, bottom - top);

  gr_chart_value_ticks (self, CLAMP ((guint) (geo->plot.size.height / (2.2 * geo->label_height)), 2, 8),
                        &geo->y_ticks);
  gr_chart_view_range (self, geo);

  gutter = gr_chart_y_gutter (self, geo);
  geo->plot.origin.x = gutter;
  geo->plot.size.width = MAX (1, geo->width - gutter - PADDING);

  geo->n_columns = gr_chart_n_columns (self);
  if (self->x_kind == GR_CHART_X_TIME)
    {
      gr_chart_time_range (self, geo);
      gr_chart_time_ticks (self, geo);
    }
  else
    {
      geo->slot = geo->plot.size.width / MAX (1, geo->n_columns);
    }
}

static double
y_for_value (const Geometry *geo,
             double          value)
{
  double norm = (value - geo->view_min) / (geo->view_max - geo->view_min);

  return geo->plot.origin.y + geo->plot.size.height * (1.0 - norm);
}

static double
x_for_time (const Geometry *geo,
            double          ms)
{
  double norm = (ms - geo->x_min_ms) / (geo->x_max_ms - geo->x_min_ms);

  return geo->plot.origin.x + geo->plot.size.width * norm;
}

static double
x_for_column (GrChart        *self,
              const Geometry *geo,
              guint           column)
{
  if (self->x_kind == GR_CHART_X_TIME)
    return x_for_time (geo, g_array_index (self->time_columns, gint64, column));

  return geo->plot.origin.x + (column + 0.5) * geo->slot;
}

static int
category_column (GrChart    *self,
                 const char *category)
{
  guint position;

  if (g_ptr_array_find_with_equal_func (self->category_columns, category, g_str_equal, &position))
    return position;

  return -1;
}

static double
x_for_point (GrChart        *self,
             const Geometry *geo,
             GrChartSeries  *series,
             guint           point)
{
  if (self->x_kind == GR_CHART_X_TIME)
    return x_for_time (geo, gr_chart_series_get_x_ms (series, point));

  return x_for_column (self, geo, category_column (self, gr_chart_series_get_category (series, point)));
}

/* Which bar of a group @series is, counting bar series only. */
static guint
bar_rank (GrChart       *self,
          GrChartSeries *series)
{
  guint rank = 0;

  for (guint s = 0; s < self->series->len; s++)
    {
      GrChartSeries *other = g_ptr_array_index (self->series, s);

      if (other == series)
        break;
      if (gr_chart_series_get_kind (other) == GR_CHART_SERIES_BAR)
        rank++;
    }

  return rank;
}

static graphene_rect_t
bar_rect (GrChart        *self,
          const Geometry *geo,
          GrChartSeries  *series,
          guint           point)
{
  double group = MIN (geo->slot * BAR_GROUP_SHARE, geo->n_bar_series * BAR_MAX_WIDTH);
  double width = group / MAX (1, geo->n_bar_series);
  double left = x_for_point (self, geo, series, point) - group / 2 + bar_rank (self, series) * width;
  double base = y_for_value (geo, CLAMP (0.0, geo->view_min, geo->view_max));
  double top = y_for_value (geo, _gr_chart_series_get_shown_value (series, point));
  /* A hairline between grouped bars keeps neighbours apart. */
  double gap = geo->n_bar_series > 1 && width > 4 ? 1.0 : 0.0;

  return GRAPHENE_RECT_INIT (left + gap / 2, MIN (top, base), MAX (width - gap, 1.0), fabs (base - top));
}

/* Drawing ------------------------------------------------------------------- */

static void
gr_chart_snapshot_empty (GrChart        *self,
                         GtkSnapshot    *snapshot,
                         const Geometry *geo,
                         const GdkRGBA  *fg)
{
  g_autoptr(PangoLayout) layout = gr_chart_create_layout (self, _("No data for this period"), FALSE, FALSE);
  GdkRGBA dim = with_alpha (fg, 0.55);
  int width;
  int height;

  pango_layout_set_width (layout, geo->plot.size.width * PANGO_SCALE);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_get_pixel_size (layout, &width, &height);

  append_layout_at (snapshot, layout, geo->plot.origin.x,
                    geo->plot.origin.y + (geo->plot.size.height - height) / 2, &dim);
}

static void
gr_chart_snapshot_value_axis (GrChart        *self,
                              GtkSnapshot    *snapshot,
                              const Geometry *geo,
                              const GdkRGBA  *fg)
{
  GdkRGBA grid = with_alpha (fg, 0.1);
  GdkRGBA baseline = with_alpha (fg, 0.3);
  GdkRGBA label = with_alpha (fg, 0.7);

  for (guint i = 0; i < geo->y_ticks.n_ticks; i++)
    {
      double v = geo->y_ticks.min + i * geo->y_ticks.step;
      double y = round (y_for_value (geo, v));
      g_autofree char *text = NULL;
      g_autoptr(PangoLayout) layout = NULL;
      int width;

      /* While the axis rescales, ticks outside the shown range wait. */
      if (y < geo->plot.origin.y - 0.5 || y > geo->plot.origin.y + geo->plot.size.height + 0.5)
        continue;

      gtk_snapshot_append_color (snapshot, fabs (v) < geo->y_ticks.step * 1e-6 ? &baseline : &grid,
                                 &GRAPHENE_RECT_INIT (geo->plot.origin.x, y - 0.5, geo->plot.size.width, 1));

      text = gr_chart_format_axis_value (self->value_format, v, &geo->y_ticks);
      layout = gr_chart_create_layout (self, text, FALSE, TRUE);
      pango_layout_get_pixel_size (layout, &width, NULL);
      append_layout_at (snapshot, layout, geo->plot.origin.x - SPACING - width,
                        y - geo->label_height / 2, &label);
    }
}

static void
gr_chart_snapshot_time_axis (GrChart        *self,
                             GtkSnapshot    *snapshot,
                             const Geometry *geo,
                             const GdkRGBA  *fg)
{
  GdkRGBA label = with_alpha (fg, 0.7);
  double label_y = geo->plot.origin.y + geo->plot.size.height + SPACING / 2.0;
  double last_right = -G_MAXDOUBLE;

  for (guint i = 0; i < geo->x_ticks->len; i++)
    {
      gint64 ms = g_array_index (geo->x_ticks, gint64, i);
      g_autofree char *text = gr_chart_format_time_tick (ms, geo->x_unit);
      g_autoptr(PangoLayout) layout = gr_chart_create_layout (self, text, FALSE, TRUE);
      double x = x_for_time (geo, ms);
      int width;
      double left;

      pango_layout_get_pixel_size (layout, &width, NULL);
      /* Centred under the tick, but kept inside the widget. */
      left = CLAMP (x - width / 2.0, PADDING / 2.0, geo->width - PADDING / 2.0 - width);
      if (left < last_right + SPACING)
        continue;

      gtk_snapshot_append_color (snapshot, &label,
                                 &GRAPHENE_RECT_INIT (round (x) - 0.5,
                                                      geo->plot.origin.y + geo->plot.size.height,
                                                      1, 3));
      append_layout_at (snapshot, layout, left, label_y, &label);
      last_right = left + width;
    }
}

static void
gr_chart_snapshot_category_axis (GrChart        *self,
                                 GtkSnapshot    *snapshot,
                                 const Geometry *geo,
                                 const GdkRGBA  *fg)
{
  GdkRGBA label = with_alpha (fg, 0.7);
  double label_y = geo->plot.origin.y + geo->plot.size.height + SPACING / 2.0;
  /* Narrow slots label every few columns rather than squeezing text. */
  guint every = MAX (1, (guint) ceil (40.0 / MAX (geo->slot, 1.0)));

  for (guint c = 0; c < geo->n_columns; c += every)
    {
      g_autoptr(PangoLayout) layout = NULL;
      double room = MAX (geo->slot * every - 4, 1);
      double left;

      layout = gr_chart_create_layout (self, g_ptr_array_index (self->category_columns, c), FALSE, TRUE);
      pango_layout_set_width (layout, room * PANGO_SCALE);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);

      /* A label spanning several slots must not run off the widget. */
      left = x_for_column (self, geo, c) - room / 2;
      left = CLAMP (left, PADDING / 2.0, MAX (PADDING / 2.0, geo->width - PADDING / 2.0 - room));
      append_layout_at (snapshot, layout, left, label_y, &label);
    }
}

static void
gr_chart_snapshot_bars (GrChart        *self,
                        GtkSnapshot    *snapshot,
                        const Geometry *geo)
{
  for (guint s = 0; s < self->series->len; s++)
    {
      GrChartSeries *series = g_ptr_array_index (self->series, s);
      guint n = gr_chart_usable_points (self, series);
      GdkRGBA color;

      if (gr_chart_series_get_kind (series) != GR_CHART_SERIES_BAR)
        continue;

      gr_chart_series_get_color (series, &color);
      for (guint i = 0; i < n; i++)
        {
          graphene_rect_t rect = bar_rect (self, geo, series, i);
          GskRoundedRect rounded;
          double radius = MIN (3.0, rect.size.width / 4);

          if (rect.size.height < 0.5)
            continue;

          /* Round the outer end only; the base sits flat on the axis. */
          gsk_rounded_rect_init (&rounded, &rect,
                                 &GRAPHENE_SIZE_INIT (radius, radius),
                                 &GRAPHENE_SIZE_INIT (radius, radius),
                                 &GRAPHENE_SIZE_INIT (0, 0),
                                 &GRAPHENE_SIZE_INIT (0, 0));
          gtk_snapshot_push_rounded_clip (snapshot, &rounded);
          gtk_snapshot_append_color (snapshot, &color, &rect);
          gtk_snapshot_pop (snapshot);
        }
    }
}

/* The GL renderer uploads a cairo node as a texture placed at its bounds;
 * fractional bounds get resampled and show a one-pixel step in lines. */
static cairo_t *
append_cairo_around (GtkSnapshot           *snapshot,
                     const graphene_rect_t *plot,
                     double                 margin)
{
  double left = floor (plot->origin.x - margin);
  double top = floor (plot->origin.y - margin);
  double right = ceil (plot->origin.x + plot->size.width + margin);
  double bottom = ceil (plot->origin.y + plot->size.height + margin);

  return gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (left, top, right - left, bottom - top));
}

static void
trace_line (GrChart        *self,
            cairo_t        *cr,
            const Geometry *geo,
            GrChartSeries  *series,
            guint           n)
{
  for (guint i = 0; i < n; i++)
    {
      double x = x_for_point (self, geo, series, i);
      double y = y_for_value (geo, _gr_chart_series_get_shown_value (series, i));

      if (i == 0)
        cairo_move_to (cr, x, y);
      else
        cairo_line_to (cr, x, y);
    }
}

static void
fill_area (GrChart        *self,
           cairo_t        *cr,
           const Geometry *geo,
           GrChartSeries  *series,
           guint           n,
           const GdkRGBA  *color)
{
  double base = y_for_value (geo, CLAMP (0.0, geo->view_min, geo->view_max));
  cairo_pattern_t *gradient;

  trace_line (self, cr, geo, series, n);
  cairo_line_to (cr, x_for_point (self, geo, series, n - 1), base);
  cairo_line_to (cr, x_for_point (self, geo, series, 0), base);
  cairo_close_path (cr);

  /* Fading towards the axis keeps overlapping areas readable. */
  gradient = cairo_pattern_create_linear (0, geo->plot.origin.y, 0, base);
  cairo_pattern_add_color_stop_rgba (gradient, 0, color->red, color->green, color->blue, 0.35);
  cairo_pattern_add_color_stop_rgba (gradient, 1, color->red, color->green, color->blue, 0.08);
  cairo_set_source (cr, gradient);
  cairo_fill (cr);
  cairo_pattern_destroy (gradient);
}

static void
gr_chart_snapshot_lines (GrChart        *self,
                         GtkSnapshot    *snapshot,
                         const Geometry *geo)
{
  cairo_t *cr = append_cairo_around (snapshot, &geo->plot, POINT_RADIUS + 1);

  cairo_set_line_width (cr, LINE_WIDTH);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);

  for (guint s = 0; s < self->series->len; s++)
    {
      GrChartSeries *series = g_ptr_array_index (self->series, s);
      GrChartSeriesKind kind = gr_chart_series_get_kind (series);
      guint n = gr_chart_usable_points (self, series);
      GdkRGBA color;

      if (kind == GR_CHART_SERIES_BAR || n == 0)
        continue;

      gr_chart_series_get_color (series, &color);
      if (kind == GR_CHART_SERIES_AREA && n > 1)
        fill_area (self, cr, geo, series, n, &color);

      gdk_cairo_set_source_rgba (cr, &color);
      if (n == 1)
        {
          /* A line through one point is invisible; show the point. */
          cairo_arc (cr, x_for_point (self, geo, series, 0),
                     y_for_value (geo, _gr_chart_series_get_shown_value (series, 0)),
                     POINT_RADIUS, 0, 2 * G_PI);
          cairo_fill (cr);
          continue;
        }

      trace_line (self, cr, geo, series, n);
      cairo_stroke (cr);
    }

  cairo_destroy (cr);
}

/* The column nearest to @x, or -1 when @x is off the plot. */
static int
gr_chart_column_at (GrChart        *self,
                    const Geometry *geo,
                    double          x)
{
  double best_distance = G_MAXDOUBLE;
  int best = -1;
  /* A little slack on a time axis, whose first and last points sit
   * right on the edges of the plot. */
  double slack = self->x_kind == GR_CHART_X_TIME ? SPACING : 0;

  if (geo->empty || geo->n_columns == 0 ||
      x < geo->plot.origin.x - slack ||
      x > geo->plot.origin.x + geo->plot.size.width + slack)
    return -1;

  if (self->x_kind == GR_CHART_X_CATEGORY)
    return CLAMP ((int) floor ((x - geo->plot.origin.x) / geo->slot), 0, (int) geo->n_columns - 1);

  for (guint c = 0; c < geo->n_columns; c++)
    {
      double distance = fabs (x_for_column (self, geo, c) - x);

      if (distance < best_distance)
        {
          best_distance = distance;
          best = c;
        }
    }

  return best;
}

/* Index of the point of @series at @column, or -1. */
static int
gr_chart_point_at_column (GrChart       *self,
                          GrChartSeries *series,
                          guint          column)
{
  if (gr_chart_usable_points (self, series) == 0)
    return -1;

  if (self->x_kind == GR_CHART_X_TIME)
    return _gr_chart_series_find_x (series, g_array_index (self->time_columns, gint64, column));

  return _gr_chart_series_find_category (series, g_ptr_array_index (self->category_columns, column));
}

static void
gr_chart_snapshot_hover_band (GrChart        *self,
                              GtkSnapshot    *snapshot,
                              const Geometry *geo,
                              int             column,
                              const GdkRGBA  *fg)
{
  GdkRGBA band = with_alpha (fg, 0.07);
  double x = x_for_column (self, geo, column);

  gtk_snapshot_append_color (snapshot, &band,
                             &GRAPHENE_RECT_INIT (x - geo->slot / 2, geo->plot.origin.y,
                                                  geo->slot, geo->plot.size.height));
}

static void
gr_chart_snapshot_hover_marker (GrChart        *self,
                                GtkSnapshot    *snapshot,
                                const Geometry *geo,
                                int             column,
                                const GdkRGBA  *fg)
{
  GdkRGBA marker = with_alpha (fg, 0.4);
  double x = round (x_for_column (self, geo, column));
  cairo_t *cr;

  gtk_snapshot_append_color (snapshot, &marker,
                             &GRAPHENE_RECT_INIT (x - 0.5, geo->plot.origin.y, 1, geo->plot.size.height));

  cr = append_cairo_around (snapshot, &geo->plot, POINT_RADIUS + 2);
  for (guint s = 0; s < self->series->len; s++)
    {
      GrChartSeries *series = g_ptr_array_index (self->series, s);
      int point = gr_chart_point_at_column (self, series, column);
      GdkRGBA color;

      if (point < 0 || gr_chart_series_get_kind (series) == GR_CHART_SERIES_BAR)
        continue;

      gr_chart_series_get_color (series, &color);
      gdk_cairo_set_source_rgba (cr, &color);
      cairo_arc (cr, x_for_point (self, geo, series, point),
                 y_for_value (geo, _gr_chart_series_get_shown_value (series, point)),
                 POINT_RADIUS + 1, 0, 2 * G_PI);
      cairo_fill (cr);
    }
  cairo_destroy (cr);
}

static void
gr_chart_snapshot_plot (GrChart        *self,
                        GtkSnapshot    *snapshot,
                        const Geometry *geo,
                        const GdkRGBA  *fg)
{
  int hover = self->pointer_inside ? gr_chart_column_at (self, geo, self->pointer_x) : -1;

  gr_chart_snapshot_value_axis (self, snapshot, geo, fg);
  if (self->x_kind == GR_CHART_X_TIME)
    gr_chart_snapshot_time_axis (self, snapshot, geo, fg);
  else
    gr_chart_snapshot_category_axis (self, snapshot, geo, fg);

  if (hover >= 0 && geo->has_bars)
    gr_chart_snapshot_hover_band (self, snapshot, geo, hover, fg);

  gr_chart_snapshot_bars (self, snapshot, geo);
  gr_chart_snapshot_lines (self, snapshot, geo);

  if (hover >= 0 && !geo->has_bars)
    gr_chart_snapshot_hover_marker (self, snapshot, geo, hover, fg);
}

static void
gr_chart_snapshot (GtkWidget   *widget,
                   GtkSnapshot *snapshot)
{
  GrChart *self = GR_CHART (widget);
  Geometry geo;
  GdkRGBA fg;

  if (gtk_widget_get_width (widget) <= 0 || gtk_widget_get_height (widget) <= 0)
    return;

  get_foreground (self, &fg);
  gr_chart_compute_geometry (self, &geo);

  if (self->title != NULL && self->title[0] != '\0')
    {
      g_autoptr(PangoLayout) title = gr_chart_create_layout (self, self->title, TRUE, FALSE);

      pango_layout_set_width (title, MAX (1, geo.width - 2 * PADDING) * PANGO_SCALE);
      pango_layout_set_ellipsize (title, PANGO_ELLIPSIZE_END);
      append_layout_at (snapshot, title, PADDING, geo.title_y, &fg);
    }
  gr_chart_legend (self, geo.width - 2 * PADDING, geo.legend_y, snapshot, &fg);

  if (geo.empty)
    {
      self->has_shown = FALSE;
      gr_chart_snapshot_empty (self, snapshot, &geo, &fg);
    }
  else
    {
      /* Remembered so the next update rescales from what is on screen. */
      self->shown_min = geo.view_min;
      self->shown_max = geo.view_max;
      self->has_shown = TRUE;
      gr_chart_snapshot_plot (self, snapshot, &geo, &fg);
    }

  geometry_clear (&geo);
}

static void
gr_chart_measure (GtkWidget      *widget,
                  GtkOrientation  orientation,
                  int             for_size,
                  int            *minimum,
                  int            *natural,
                  int            *minimum_baseline,
                  int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 160;
      *natural = 480;
    }
  else
    {
      *minimum = 120;
      *natural = 240;
    }
}

/* Hover and tooltip ---------------------------------------------------------- */

static char *
gr_chart_column_header (GrChart        *self,
                        const Geometry *geo,
                        guint           column)
{
  g_autoptr(GDateTime) dt = NULL;
  gint64 ms;

  if (self->x_kind == GR_CHART_X_CATEGORY)
    return g_strdup (g_ptr_array_index (self->category_columns, column));

  ms = g_array_index (self->time_columns, gint64, column);
  dt = g_date_time_new_from_unix_local (ms / 1000);
  if (dt == NULL)
    return g_strdup ("");

  /* Daily buckets have no meaningful time of day. */
  if (geo->slot > 0 && (geo->x_max_ms - geo->x_min_ms) * geo->slot / geo->plot.size.width >= MS_PER_DAY)
    /* Translators: the date of a point in a chart tooltip, see g_date_time_format(). */
    /* xgettext:no-c-format */
    return g_date_time_format (dt, _("%a %-d %b %Y"));

  /* Translators: the time of a point in a chart tooltip, see g_date_time_format(). */

  /* xgettext:no-c-format */
  return g_date_time_format (dt, _("%a %-d %b, %H:%M"));
}

/**
 * gr_chart_get_tooltip_markup:
 * @self: a #GrChart
 * @x: X in widget coordinates
 * @y: Y in widget coordinates
 *
 * Builds the tooltip for the column nearest to @x: its time or category,
 * then each series' exact value there.
 *
 * Returns: (transfer full) (nullable): Pango markup, or %NULL off the plot
 */
char *
gr_chart_get_tooltip_markup (GrChart *self,
                             double   x,
                             double   y)
{
  g_autofree char *header = NULL;
  g_autofree char *escaped = NULL;
  GString *markup;
  Geometry geo;
  int column;

  g_return_val_if_fail (GR_IS_CHART (self), NULL);

  gr_chart_compute_geometry (self, &geo);
  column = gr_chart_column_at (self, &geo, x);
  if (column < 0 || y < geo.plot.origin.y - geo.label_height || y > geo.height)
    {
      geometry_clear (&geo);
      return NULL;
    }

  header = gr_chart_column_header (self, &geo, column);
  escaped = g_markup_escape_text (header, -1);
  markup = g_string_new (NULL);
  g_string_append_printf (markup, "<b>%s</b>", escaped);

  for (guint s = 0; s < self->series->len; s++)
    {
      GrChartSeries *series = g_ptr_array_index (self->series, s);
      int point = gr_chart_point_at_column (self, series, column);
      g_autofree char *value = NULL;
      g_autofree char *label = NULL;
      GdkRGBA color;
      const double *values;

      if (point < 0)
        continue;

      values = gr_chart_series_get_values (series, NULL);
      value = gr_chart_format_value (self->value_format, values[point]);
      label = g_markup_escape_text (gr_chart_series_get_label (series), -1);
      gr_chart_series_get_color (series, &color);
      g_string_append_printf (markup, "\n<span foreground=\"#%02x%02x%02x\">●</span> %s: %s",
                              (guint) (color.red * 255), (guint) (color.green * 255),
                              (guint) (color.blue * 255), label, value);
    }

  geometry_clear (&geo);

  return g_string_free (markup, FALSE);
}

static gboolean
gr_chart_query_tooltip (GtkWidget  *widget,
                        int         x,
                        int         y,
                        gboolean    keyboard_mode,
                        GtkTooltip *tooltip)
{
  g_autofree char *markup = NULL;

  if (keyboard_mode)
    return FALSE;

  markup = gr_chart_get_tooltip_markup (GR_CHART (widget), x, y);
  if (markup == NULL)
    return FALSE;

  gtk_tooltip_set_markup (tooltip, markup);
  return TRUE;
}

static void
gr_chart_motion_cb (GrChart                  *self,
                    double                    x,
                    double                    y,
                    GtkEventControllerMotion *motion)
{
  Geometry geo;
  int before;
  int after;

  gr_chart_compute_geometry (self, &geo);
  before = self->pointer_inside ? gr_chart_column_at (self, &geo, self->pointer_x) : -1;
  after = gr_chart_column_at (self, &geo, x);
  geometry_clear (&geo);

  self->pointer_inside = TRUE;
  self->pointer_x = x;
  self->pointer_y = y;

  /* Redraw and refresh the tooltip only when the marker moves. */
  if (after != before)
    {
      gtk_widget_queue_draw (GTK_WIDGET (self));
      gtk_widget_trigger_tooltip_query (GTK_WIDGET (self));
    }
}

static void
gr_chart_leave_cb (GrChart                  *self,
                   GtkEventControllerMotion *motion)
{
  self->pointer_inside = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Animation ------------------------------------------------------------------ */

static gboolean
gr_chart_animations_enabled (GrChart *self)
{
  gboolean enabled = TRUE;

  g_object_get (gtk_widget_get_settings (GTK_WIDGET (self)),
                "gtk-enable-animations", &enabled,
                NULL);
  return enabled;
}

static void
gr_chart_finish_animations (GrChart *self)
{
  for (guint s = 0; s < self->series->len; s++)
    _gr_chart_series_finish_animation (g_ptr_array_index (self->series, s));

  self->axis_progress = 1.0;
  self->axis_start_us = 0;

  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
}

static gboolean
gr_chart_tick_cb (GtkWidget     *widget,
                  GdkFrameClock *frame_clock,
                  gpointer       user_data)
{
  GrChart *self = GR_CHART (widget);
  gint64 now = gdk_frame_clock_get_frame_time (frame_clock);
  gboolean running = FALSE;

  for (guint s = 0; s < self->series->len; s++)
    {
      if (_gr_chart_series_step_animation (g_ptr_array_index (self->series, s), now))
        running = TRUE;
    }

  if (self->axis_progress < 1.0)
    {
      if (self->axis_start_us == 0)
        self->axis_start_us = now;
      self->axis_progress = MIN (1.0, (double) (now - self->axis_start_us) / GR_CHART_ANIMATION_US);
      if (self->axis_progress < 1.0)
        running = TRUE;
    }

  gtk_widget_queue_draw (widget);

  if (running)
    return G_SOURCE_CONTINUE;

  self->tick_id = 0;
  self->axis_start_us = 0;
  return G_SOURCE_REMOVE;
}

static void
gr_chart_start_transition (GrChart *self)
{
  if (gr_chart_is_empty (self))
    self->has_shown = FALSE;

  /* The axis rescales from what is on screen now. */
  self->axis_from_min = self->shown_min;
  self->axis_from_max = self->shown_max;
  self->axis_progress = self->has_shown ? 0.0 : 1.0;
  self->axis_start_us = 0;

  if (!gr_chart_animations_enabled (self) || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    gr_chart_finish_animations (self);
  else if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), gr_chart_tick_cb, NULL, NULL);

  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * gr_chart_is_animating:
 * @self: a #GrChart
 *
 * Returns: whether a transition to new values is still running
 */
gboolean
gr_chart_is_animating (GrChart *self)
{
  g_return_val_if_fail (GR_IS_CHART (self), FALSE);

  if (self->axis_progress < 1.0)
    return TRUE;

  for (guint s = 0; s < self->series->len; s++)
    {
      if (_gr_chart_series_is_animating (g_ptr_array_index (self->series, s)))
        return TRUE;
    }

  return FALSE;
}

/* Accessibility ---------------------------------------------------------------- */

static char *
gr_chart_series_summary (GrChart       *self,
                         GrChartSeries *series,
                         guint          n)
{
  const double *values = gr_chart_series_get_values (series, NULL);
  g_autofree char *highest = NULL;
  g_autofree char *where = NULL;
  guint top = 0;

  for (guint i = 1; i < n; i++)
    {
      if (values[i] > values[top])
        top = i;
    }

  highest = gr_chart_format_value (self->value_format, values[top]);
  if (self->x_kind == GR_CHART_X_CATEGORY)
    where = g_strdup (gr_chart_series_get_category (series, top));
  else
    where = gr_chart_format_time_tick (gr_chart_series_get_x_ms (series, top), GR_CHART_TIME_UNIT_HOUR);

  /* Translators: describes one series of a chart to screen reader users:
   * series name, number of points, the highest value and where it is. */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s: %u point, highest %s at %s",
                                       "%s: %u points, highest %s at %s", n),
                          gr_chart_series_get_label (series), n, highest, where);
}

/**
 * gr_chart_dup_summary:
 * @self: a #GrChart
 *
 * Describes the chart in words, for its accessible description.
 *
 * Returns: (transfer full): the summary
 */
char *
gr_chart_dup_summary (GrChart *self)
{
  GString *summary = g_string_new (NULL);

  g_return_val_if_fail (GR_IS_CHART (self), NULL);

  for (guint s = 0; s < self->series->len; s++)
    {
      GrChartSeries *series = g_ptr_array_index (self->series, s);
      guint n = gr_chart_usable_points (self, series);
      g_autofree char *part = NULL;

      if (n == 0)
        continue;

      part = gr_chart_series_summary (self, series, n);
      if (summary->len > 0)
        g_string_append (summary, "; ");
      g_string_append (summary, part);
    }

  if (summary->len == 0)
    g_string_append (summary, _("No data for this period"));

  return g_string_free (summary, FALSE);
}

static void
gr_chart_update_accessible (GrChart *self)
{
  g_autofree char *summary = gr_chart_dup_summary (self);
  const char *label = self->title != NULL && self->title[0] != '\0' ? self->title : _("Chart");

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, summary,
                                  -1);
}

/* Object ---------------------------------------------------------------------- */

static void
gr_chart_data_changed (GrChart *self)
{
  gr_chart_rebuild_columns (self);
  gr_chart_start_transition (self);
  gr_chart_update_accessible (self);
}

static void
gr_chart_series_changed_cb (GrChart       *self,
                            GrChartSeries *series)
{
  gr_chart_data_changed (self);
}

static void
gr_chart_unmap (GtkWidget *widget)
{
  /* A hidden chart has nothing to animate; show final values when back. */
  gr_chart_finish_animations (GR_CHART (widget));

  GTK_WIDGET_CLASS (gr_chart_parent_class)->unmap (widget);
}

static void
gr_chart_dispose (GObject *object)
{
  GrChart *self = GR_CHART (object);

  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }

  if (self->series != NULL)
    {
      for (guint s = 0; s < self->series->len; s++)
        g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->series, s), self);
      g_ptr_array_set_size (self->series, 0);
    }

  G_OBJECT_CLASS (gr_chart_parent_class)->dispose (object);
}

static void
gr_chart_finalize (GObject *object)
{
  GrChart *self = GR_CHART (object);

  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->series, g_ptr_array_unref);
  g_clear_pointer (&self->time_columns, g_array_unref);
  g_clear_pointer (&self->category_columns, g_ptr_array_unref);

  G_OBJECT_CLASS (gr_chart_parent_class)->finalize (object);
}

static void
gr_chart_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  GrChart *self = GR_CHART (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    case PROP_X_KIND:
      g_value_set_enum (value, self->x_kind);
      break;

    case PROP_VALUE_FORMAT:
      g_value_set_enum (value, self->value_format);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gr_chart_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  GrChart *self = GR_CHART (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      gr_chart_set_title (self, g_value_get_string (value));
      break;

    case PROP_X_KIND:
      gr_chart_set_x_kind (self, g_value_get_enum (value));
      break;

    case PROP_VALUE_FORMAT:
      gr_chart_set_value_format (self, g_value_get_enum (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gr_chart_class_init (GrChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gr_chart_dispose;
  object_class->finalize = gr_chart_finalize;
  object_class->get_property = gr_chart_get_property;
  object_class->set_property = gr_chart_set_property;

  widget_class->snapshot = gr_chart_snapshot;
  widget_class->measure = gr_chart_measure;
  widget_class->query_tooltip = gr_chart_query_tooltip;
  widget_class->unmap = gr_chart_unmap;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_X_KIND] =
    g_param_spec_enum ("x-kind", NULL, NULL,
                       GR_TYPE_CHART_X_KIND, GR_CHART_X_TIME,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_VALUE_FORMAT] =
    g_param_spec_enum ("value-format", NULL, NULL,
                       GR_TYPE_CHART_VALUE_FORMAT, GR_CHART_VALUE_COUNT,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
gr_chart_init (GrChart *self)
{
  GtkEventController *motion;

  self->series = g_ptr_array_new_with_free_func (g_object_unref);
  self->time_columns = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->category_columns = g_ptr_array_new_with_free_func (g_free);
  self->axis_progress = 1.0;

  motion = gtk_event_controller_motion_new ();
  g_signal_connect_object (motion, "enter", G_CALLBACK (gr_chart_motion_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (motion, "motion", G_CALLBACK (gr_chart_motion_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (motion, "leave", G_CALLBACK (gr_chart_leave_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gr_chart_update_accessible (self);
}

/* Public API ------------------------------------------------------------------ */

/**
 * gr_chart_new:
 *
 * Creates an empty chart with a time X axis and counts as values.
 *
 * Returns: (transfer full): a new #GrChart
 */
GtkWidget *
gr_chart_new (void)
{
  return g_object_new (GR_TYPE_CHART, NULL);
}

const char *
gr_chart_get_title (GrChart *self)
{
  g_return_val_if_fail (GR_IS_CHART (self), NULL);

  return self->title;
}

/**
 * gr_chart_set_title:
 * @self: a #GrChart
 * @title: (nullable): the title drawn above the chart
 *
 * Sets the title, which is also the accessible label of the chart.
 */
void
gr_chart_set_title (GrChart    *self,
                    const char *title)
{
  g_return_if_fail (GR_IS_CHART (self));

  if (g_strcmp0 (self->title, title) == 0)
    return;

  g_free (self->title);
  self->title = g_strdup (title);
  gr_chart_update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

GrChartXKind
gr_chart_get_x_kind (GrChart *self)
{
  g_return_val_if_fail (GR_IS_CHART (self), GR_CHART_X_TIME);

  return self->x_kind;
}

/**
 * gr_chart_set_x_kind:
 * @self: a #GrChart
 * @x_kind: what the X values are
 *
 * Chooses between a time axis (series given timestamps) and a category
 * axis (series given category names).
 */
void
gr_chart_set_x_kind (GrChart      *self,
                     GrChartXKind  x_kind)
{
  g_return_if_fail (GR_IS_CHART (self));
  g_return_if_fail (x_kind == GR_CHART_X_TIME || x_kind == GR_CHART_X_CATEGORY);

  if (self->x_kind == x_kind)
    return;

  self->x_kind = x_kind;
  gr_chart_data_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_X_KIND]);
}

GrChartValueFormat
gr_chart_get_value_format (GrChart *self)
{
  g_return_val_if_fail (GR_IS_CHART (self), GR_CHART_VALUE_COUNT);

  return self->value_format;
}

/**
 * gr_chart_set_value_format:
 * @self: a #GrChart
 * @format: how values read
 *
 * Sets how axis labels and tooltips format values.
 */
void
gr_chart_set_value_format (GrChart            *self,
                           GrChartValueFormat  format)
{
  g_return_if_fail (GR_IS_CHART (self));
  g_return_if_fail (format <= GR_CHART_VALUE_MICRO_USD);

  if (self->value_format == format)
    return;

  self->value_format = format;
  gr_chart_update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALUE_FORMAT]);
}

/**
 * gr_chart_add_series:
 * @self: a #GrChart
 * @id: a unique identifier
 * @label: (nullable): the name shown in the legend and tooltip
 * @kind: how the series is drawn
 *
 * Adds an empty series; give it points with gr_chart_series_set_points().
 * Series take the palette colours in the order they are added.  If a
 * series with @id exists already, it is returned unchanged.
 *
 * Returns: (transfer none): the series
 */
GrChartSeries *
gr_chart_add_series (GrChart           *self,
                     const char        *id,
                     const char        *label,
                     GrChartSeriesKind  kind)
{
  GrChartSeries *series;

  g_return_val_if_fail (GR_IS_CHART (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (kind <= GR_CHART_SERIES_BAR, NULL);

  if ((series = gr_chart_get_series (self, id)) != NULL)
    return series;

  series = _gr_chart_series_new (id, label, kind, self->series->len);
  g_ptr_array_add (self->series, series);
  g_signal_connect_object (series, "changed", G_CALLBACK (gr_chart_series_changed_cb), self,
                           G_CONNECT_SWAPPED);

  /* The legend appears with the second series. */
  gr_chart_update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));

  return series;
}

/**
 * gr_chart_get_series:
 * @self: a #GrChart
 * @id: the identifier given to gr_chart_add_series()
 *
 * Returns: (transfer none) (nullable): the series, or %NULL
 */
GrChartSeries *
gr_chart_get_series (GrChart    *self,
                     const char *id)
{
  g_return_val_if_fail (GR_IS_CHART (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  for (guint s = 0; s < self->series->len; s++)
    {
      GrChartSeries *series = g_ptr_array_index (self->series, s);

      if (g_strcmp0 (gr_chart_series_get_id (series), id) == 0)
        return series;
    }

  return NULL;
}

guint
gr_chart_get_n_series (GrChart *self)
{
  g_return_val_if_fail (GR_IS_CHART (self), 0);

  return self->series->len;
}

/**
 * gr_chart_get_nth_series:
 * @self: a #GrChart
 * @position: index, in the order series were added
 *
 * Returns: (transfer none): the series
 */
GrChartSeries *
gr_chart_get_nth_series (GrChart *self,
                         guint    position)
{
  g_return_val_if_fail (GR_IS_CHART (self), NULL);
  g_return_val_if_fail (position < self->series->len, NULL);

  return g_ptr_array_index (self->series, position);
}

/**
 * gr_chart_get_series_values:
 * @self: a #GrChart
 * @id: the identifier of a series
 * @n_values: (out) (optional): the number of values
 *
 * Gets the values last set on a series (not the ones mid-animation).
 *
 * Returns: (transfer none) (array length=n_values) (nullable): the values,
 *   or %NULL when the series is unknown or empty
 */
const double *
gr_chart_get_series_values (GrChart    *self,
                            const char *id,
                            guint      *n_values)
{
  GrChartSeries *series;

  g_return_val_if_fail (GR_IS_CHART (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if (n_values != NULL)
    *n_values = 0;

  if ((series = gr_chart_get_series (self, id)) == NULL)
    return NULL;

  return gr_chart_series_get_values (series, n_values);
}

/**
 * gr_chart_clear:
 * @self: a #GrChart
 *
 * Removes every series; the chart shows its empty state.
 */
void
gr_chart_clear (GrChart *self)
{
  g_return_if_fail (GR_IS_CHART (self));

  for (guint s = 0; s < self->series->len; s++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->series, s), self);
  g_ptr_array_set_size (self->series, 0);

  gr_chart_finish_animations (self);
  gr_chart_data_changed (self);
}

/* Test helpers ---------------------------------------------------------------- */

static gboolean
gr_chart_lookup_point (GrChart        *self,
                       guint           series_index,
                       guint           point_index,
                       GrChartSeries **out_series)
{
  GrChartSeries *series;

  if (series_index >= self->series->len)
    return FALSE;

  series = g_ptr_array_index (self->series, series_index);
  if (point_index >= gr_chart_usable_points (self, series))
    return FALSE;

  *out_series = series;
  return TRUE;
}

/**
 * gr_chart_get_bar_area:
 * @self: a #GrChart
 * @series_index: index of a bar series
 * @point_index: index of a point in it
 * @area: (out): where the bar is drawn, in widget coordinates
 *
 * Returns: %TRUE if the point exists and the chart has data
 */
gboolean
gr_chart_get_bar_area (GrChart         *self,
                       guint            series_index,
                       guint            point_index,
                       graphene_rect_t *area)
{
  GrChartSeries *series = NULL;
  Geometry geo;

  g_return_val_if_fail (GR_IS_CHART (self), FALSE);

  if (!gr_chart_lookup_point (self, series_index, point_index, &series) ||
      gr_chart_series_get_kind (series) != GR_CHART_SERIES_BAR)
    return FALSE;

  gr_chart_compute_geometry (self, &geo);
  *area = bar_rect (self, &geo, series, point_index);
  geometry_clear (&geo);

  return TRUE;
}

/**
 * gr_chart_get_point_position:
 * @self: a #GrChart
 * @series_index: index of a series
 * @point_index: index of a point in it
 * @point: (out): where the point is drawn (the top middle of a bar)
 *
 * Returns: %TRUE if the point exists and the chart has data
 */
gboolean
gr_chart_get_point_position (GrChart          *self,
                             guint             series_index,
                             guint             point_index,
                             graphene_point_t *point)
{
  GrChartSeries *series = NULL;
  Geometry geo;

  g_return_val_if_fail (GR_IS_CHART (self), FALSE);

  if (!gr_chart_lookup_point (self, series_index, point_index, &series))
    return FALSE;

  gr_chart_compute_geometry (self, &geo);
  if (gr_chart_series_get_kind (series) == GR_CHART_SERIES_BAR)
    {
      graphene_rect_t rect = bar_rect (self, &geo, series, point_index);

      point->x = rect.origin.x + rect.size.width / 2;
    }
  else
    {
      point->x = x_for_point (self, &geo, series, point_index);
    }
  point->y = y_for_value (&geo, _gr_chart_series_get_shown_value (series, point_index));
  geometry_clear (&geo);

  return TRUE;
}
