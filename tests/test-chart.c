/* test-chart.c — GrChart: ticks, formatting, series, drawing and hover
 *
 * Runs under Xvfb (see app/meson.build).  The drawing tests put a real
 * chart in a real window, render it to a texture with the window's own
 * GskRenderer and check pixels, so a broken draw fails.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <gtk/gtk.h>

#include "widgets/gr-chart-private.h"

#define DEADLINE_US  (5 * G_USEC_PER_SEC)
#define WINDOW_W     480
#define WINDOW_H     320

typedef struct
{
  GtkWindow *window;
  GrChart   *chart;
} Fixture;

typedef struct
{
  guchar *data;
  gsize   stride;
  int     width;
  int     height;
} Pixels;

static const char * const categories[] = { "alpha", "beta", "gamma" };

/* Helpers ------------------------------------------------------------------- */

static void
set_animations (gboolean enabled)
{
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", enabled, NULL);
}

static gboolean
count_frame_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  guint *frames = user_data;

  (*frames)++;
  return G_SOURCE_CONTINUE;
}

/* Lets the frame clock paint @n frames, so allocation and drawing happen. */
static void
wait_frames (GtkWidget *widget,
             guint      n)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;
  guint frames = 0;
  guint id;

  id = gtk_widget_add_tick_callback (widget, count_frame_cb, &frames, NULL);
  gtk_widget_queue_draw (widget);
  while (frames < n && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  gtk_widget_remove_tick_callback (widget, id);

  g_assert_cmpuint (frames, >=, n);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;

  set_animations (FALSE);
  fixture->window = GTK_WINDOW (gtk_window_new ());
  fixture->chart = GR_CHART (gr_chart_new ());
  gtk_window_set_default_size (fixture->window, WINDOW_W, WINDOW_H);
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->chart));
  gtk_window_present (fixture->window);

  while (!gtk_widget_get_mapped (GTK_WIDGET (fixture->chart)) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (fixture->chart)));
  wait_frames (GTK_WIDGET (fixture->chart), 2);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  set_animations (FALSE);
}

static GrChartSeries *
add_bar_series (GrChart     *chart,
                const char  *id,
                const char  *label,
                const double values[3])
{
  GrChartSeries *series = gr_chart_add_series (chart, id, label, GR_CHART_SERIES_BAR);

  gr_chart_series_set_points (series, NULL, categories, values, 3);
  return series;
}

static void
render (GrChart *chart,
        Pixels  *pixels)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  GskRenderer *renderer;
  int width;
  int height;

  wait_frames (GTK_WIDGET (chart), 2);
  width = gtk_widget_get_width (GTK_WIDGET (chart));
  height = gtk_widget_get_height (GTK_WIDGET (chart));
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  paintable = gtk_widget_paintable_new (GTK_WIDGET (chart));
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (GTK_WIDGET (chart)));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));

  pixels->width = gdk_texture_get_width (texture);
  pixels->height = gdk_texture_get_height (texture);
  pixels->stride = pixels->width * 4;
  pixels->data = g_malloc (pixels->stride * pixels->height);
  gdk_texture_download (texture, pixels->data, pixels->stride);
}

/* Reads a pixel, un-premultiplied, as 0xRRGGBB plus its alpha. */
static guint32
pixel_at (const Pixels *pixels,
          double        x,
          double        y,
          guint        *alpha)
{
  int px = (int) floor (x);
  int py = (int) floor (y);
  guint32 argb;
  guint a;
  guint r;
  guint g;
  guint b;

  g_assert_cmpint (px, >=, 0);
  g_assert_cmpint (py, >=, 0);
  g_assert_cmpint (px, <, pixels->width);
  g_assert_cmpint (py, <, pixels->height);

  /* gdk_texture_download() writes CAIRO_FORMAT_ARGB32: native-endian words. */
  memcpy (&argb, pixels->data + py * pixels->stride + px * 4, 4);
  a = argb >> 24;
  if (alpha != NULL)
    *alpha = a;
  if (a == 0)
    return 0;

  r = ((argb >> 16) & 0xff) * 255 / a;
  g = ((argb >> 8) & 0xff) * 255 / a;
  b = (argb & 0xff) * 255 / a;

  return (r << 16) | (g << 8) | b;
}

static gboolean
color_close (guint32 a,
             guint32 b)
{
  for (guint shift = 0; shift <= 16; shift += 8)
    {
      int ca = (a >> shift) & 0xff;
      int cb = (b >> shift) & 0xff;

      if (ABS (ca - cb) > 3)
        return FALSE;
    }

  return TRUE;
}

static void
assert_pixel_color (const Pixels *pixels,
                    double        x,
                    double        y,
                    guint32       expected)
{
  guint alpha = 0;
  guint32 rgb = pixel_at (pixels, x, y, &alpha);

  if (alpha != 255 || !color_close (rgb, expected))
    g_error ("pixel at %.0f,%.0f is #%06x alpha %u, expected #%06x", x, y, rgb, alpha, expected);
}

/* Antialiased lines cover the pixel under a vertex only partly; a 2 px
 * line still covers some pixel near it completely. */
static void
assert_color_near (const Pixels *pixels,
                   double        x,
                   double        y,
                   guint32       expected)
{
  for (int dy = -2; dy <= 2; dy++)
    {
      for (int dx = -2; dx <= 2; dx++)
        {
          guint alpha = 0;
          guint32 rgb = pixel_at (pixels, x + dx, y + dy, &alpha);

          if (alpha == 255 && color_close (rgb, expected))
            return;
        }
    }

  g_error ("no #%06x pixel near %.0f,%.0f", expected, x, y);
}

static void
assert_ticks (double        min,
              double        max,
              guint         max_ticks,
              double        want_min,
              double        want_max,
              double        want_step)
{
  GrChartTicks ticks;
  guint n = gr_chart_compute_ticks (min, max, max_ticks, &ticks);

  g_assert_cmpuint (n, ==, ticks.n_ticks);
  g_assert_cmpfloat_with_epsilon (ticks.min, want_min, 1e-9);
  g_assert_cmpfloat_with_epsilon (ticks.max, want_max, 1e-9);
  g_assert_cmpfloat_with_epsilon (ticks.step, want_step, 1e-9);
}

static gint64
utc_ms (int year,
        int month,
        int day,
        int hour)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc (year, month, day, hour, 0, 0);

  return g_date_time_to_unix (dt) * 1000;
}

#define assert_string_owned(expr, expected) \
  G_STMT_START { \
    g_autofree char *s__ = (expr); \
    g_assert_cmpstr (s__, ==, (expected)); \
  } G_STMT_END

/* Pure helpers -------------------------------------------------------------------- */

static void
test_ticks (void)
{
  static const double ranges[][2] = {
    { 0, 1 }, { 0, 7 }, { 0, 97 }, { 0, 1234567 }, { -5, 5 }, { -3, 1000 }, { 0, 0.003 },
  };
  GrChartTicks ticks;

  assert_ticks (0, 97, 6, 0, 100, 20);
  assert_ticks (0, 97, 2, 0, 100, 100);
  assert_ticks (0, 1, 6, 0, 1, 0.2);
  assert_ticks (0, 1234567, 5, 0, 1500000, 500000);
  assert_ticks (-5, 5, 6, -5, 5, 5);
  /* Degenerate ranges still have a span, so nothing divides by zero. */
  assert_ticks (0, 0, 6, 0, 1, 0.2);
  assert_ticks (42, 42, 6, 0, 50, 10);
  assert_ticks (NAN, INFINITY, 6, 0, 1, 0.2);

  for (guint i = 0; i < G_N_ELEMENTS (ranges); i++)
    {
      for (guint max_ticks = 2; max_ticks <= 10; max_ticks++)
        {
          guint n = gr_chart_compute_ticks (ranges[i][0], ranges[i][1], max_ticks, &ticks);

          g_assert_cmpuint (n, <=, max_ticks);
          g_assert_cmpuint (n, >=, 2);
          g_assert_cmpfloat (ticks.step, >, 0);
          g_assert_cmpfloat (ticks.min, <=, ranges[i][0]);
          g_assert_cmpfloat (ticks.max, >=, ranges[i][1]);
        }
    }
}

static void
test_format_money (void)
{
  assert_string_owned (gr_chart_format_micro_usd (1234567), "$1.23");
  assert_string_owned (gr_chart_format_micro_usd (4200), "$0.0042");
  assert_string_owned (gr_chart_format_micro_usd (0), "$0.00");
  assert_string_owned (gr_chart_format_micro_usd (1), "$0.000001");
  assert_string_owned (gr_chart_format_micro_usd (10000), "$0.01");
  assert_string_owned (gr_chart_format_micro_usd (12345678901), "$12,345.68");
  assert_string_owned (gr_chart_format_micro_usd (-1500000), "-$1.50");
  assert_string_owned (gr_chart_format_value (GR_CHART_VALUE_MICRO_USD, 4200.0), "$0.0042");
}

static void
test_format_numbers (void)
{
  GrChartTicks hundred = { 0, 100, 20, 6 };
  GrChartTicks millions = { 0, 1500000, 500000, 4 };
  GrChartTicks thousands = { 0, 100000, 20000, 6 };
  GrChartTicks cents = { 0, 10000, 2000, 6 };
  GrChartTicks dollars = { 0, 5000000, 1000000, 6 };

  /* The C locale has no grouping; we fall back to commas. */
  assert_string_owned (gr_chart_format_value (GR_CHART_VALUE_TOKENS, 1234567), "1,234,567");
  assert_string_owned (gr_chart_format_value (GR_CHART_VALUE_COUNT, 0), "0");
  assert_string_owned (gr_chart_format_value (GR_CHART_VALUE_COUNT, 2.5), "2.50");
  assert_string_owned (gr_chart_format_grouped (999, 0), "999");
  assert_string_owned (gr_chart_format_grouped (1000, 0), "1,000");
  assert_string_owned (gr_chart_format_grouped (-1234.5, 1), "-1,234.5");
  assert_string_owned (gr_chart_format_grouped (-0.001, 2), "0.00");
  assert_string_owned (gr_chart_format_grouped (NAN, 0), "0");

  assert_string_owned (gr_chart_format_axis_value (GR_CHART_VALUE_COUNT, 40, &hundred), "40");
  assert_string_owned (gr_chart_format_axis_value (GR_CHART_VALUE_COUNT, 1e-17, &hundred), "0");
  assert_string_owned (gr_chart_format_axis_value (GR_CHART_VALUE_TOKENS, 500000, &millions), "0.5M");
  assert_string_owned (gr_chart_format_axis_value (GR_CHART_VALUE_TOKENS, 0, &millions), "0");
  assert_string_owned (gr_chart_format_axis_value (GR_CHART_VALUE_COUNT, 20000, &thousands), "20k");
  assert_string_owned (gr_chart_format_axis_value (GR_CHART_VALUE_MICRO_USD, 4000, &cents), "$0.004");
  assert_string_owned (gr_chart_format_axis_value (GR_CHART_VALUE_MICRO_USD, 3000000, &dollars), "$3");
}

static void
assert_time_tick_label (GArray          *ticks,
                        guint            position,
                        GrChartTimeUnit  unit,
                        const char      *expected)
{
  g_assert_cmpuint (position, <, ticks->len);
  assert_string_owned (gr_chart_format_time_tick (g_array_index (ticks, gint64, position), unit),
                       expected);
}

static void
test_time_ticks (void)
{
  gint64 start = utc_ms (2024, 11, 27, 0); /* a Wednesday */
  g_autoptr(GArray) day = NULL;
  g_autoptr(GArray) week = NULL;
  g_autoptr(GArray) quarter = NULL;
  g_autoptr(GArray) hour = NULL;
  GrChartTimeUnit unit;

  /* 24 hourly points fit 12 ticks: every two hours, on the hour. */
  day = gr_chart_compute_time_ticks (start, start + 23 * 3600 * 1000, 13, &unit);
  g_assert_cmpint (unit, ==, GR_CHART_TIME_UNIT_HOUR);
  g_assert_cmpuint (day->len, ==, 12);
  assert_time_tick_label (day, 0, unit, "Wed 27");
  assert_time_tick_label (day, 7, unit, "14:00");
  for (guint i = 1; i < day->len; i++)
    g_assert_cmpint (g_array_index (day, gint64, i) - g_array_index (day, gint64, i - 1),
                     ==, 2 * 3600 * 1000);

  week = gr_chart_compute_time_ticks (start, start + 7 * 24 * 3600 * 1000LL, 8, &unit);
  g_assert_cmpint (unit, ==, GR_CHART_TIME_UNIT_DAY);
  assert_time_tick_label (week, 1, unit, "Thu 28");

  quarter = gr_chart_compute_time_ticks (start, start + 90 * 24 * 3600 * 1000LL, 8, &unit);
  g_assert_cmpint (unit, ==, GR_CHART_TIME_UNIT_WEEK);
  assert_time_tick_label (quarter, 0, unit, "Dec 9"); /* fortnights from Monday 25 Nov */

  hour = gr_chart_compute_time_ticks (start + 13 * 3600 * 1000 + 1, start + 14 * 3600 * 1000, 7, &unit);
  g_assert_cmpint (unit, ==, GR_CHART_TIME_UNIT_MINUTE);
  assert_time_tick_label (hour, 0, unit, "13:10");
}

/* Series -------------------------------------------------------------------------- */

static void
test_series_round_trip (Fixture       *fixture,
                        gconstpointer  data)
{
  const gint64 x[] = { 3000, 1000, 2000 };
  const double y[] = { 30, 10, NAN };
  GrChartSeries *series;
  const double *values;
  guint n = 99;
  GdkRGBA color;

  g_assert_cmpuint (gr_chart_get_n_series (fixture->chart), ==, 0);
  g_assert_null (gr_chart_get_series_values (fixture->chart, "nope", &n));
  g_assert_cmpuint (n, ==, 0);

  series = gr_chart_add_series (fixture->chart, "requests", "Requests", GR_CHART_SERIES_LINE);
  g_assert_true (gr_chart_add_series (fixture->chart, "requests", "Again", GR_CHART_SERIES_BAR) == series);
  g_assert_cmpuint (gr_chart_get_n_series (fixture->chart), ==, 1);
  g_assert_cmpstr (gr_chart_series_get_label (series), ==, "Requests");
  g_assert_cmpint (gr_chart_series_get_kind (series), ==, GR_CHART_SERIES_LINE);

  /* Time points come back sorted by X; a NaN reads as 0. */
  gr_chart_series_set_points (series, x, NULL, y, G_N_ELEMENTS (y));
  values = gr_chart_get_series_values (fixture->chart, "requests", &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpfloat (values[0], ==, 10);
  g_assert_cmpfloat (values[1], ==, 0);
  g_assert_cmpfloat (values[2], ==, 30);
  g_assert_cmpint (gr_chart_series_get_x_ms (series, 0), ==, 1000);
  g_assert_cmpint (gr_chart_series_get_x_ms (series, 2), ==, 3000);

  series = add_bar_series (fixture->chart, "cost", "Cost", (double[]) { 1, 2, 3 });
  g_assert_cmpuint (gr_chart_get_n_series (fixture->chart), ==, 2);
  g_assert_true (gr_chart_get_nth_series (fixture->chart, 1) == series);
  g_assert_cmpstr (gr_chart_series_get_category (series, 1), ==, "beta");
  values = gr_chart_get_series_values (fixture->chart, "cost", &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpfloat (values[2], ==, 3);

  /* Colours follow the palette in the order series were added. */
  gr_chart_series_get_color (series, &color);
  g_assert_cmpfloat_with_epsilon (color.red, 0x33 / 255.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (color.green, 0xd1 / 255.0, 1e-6);

  gr_chart_clear (fixture->chart);
  g_assert_cmpuint (gr_chart_get_n_series (fixture->chart), ==, 0);
  g_assert_null (gr_chart_get_series (fixture->chart, "cost"));
}

/* Drawing ---------------------------------------------------------------------------- */

static void
test_render_bars (Fixture       *fixture,
                  gconstpointer  data)
{
  graphene_rect_t beta;
  graphene_rect_t errors_beta;
  g_autofree guchar *pixels_data = NULL;
  Pixels pixels;
  guint alpha = 255;

  gr_chart_set_title (fixture->chart, "Requests by model");
  gr_chart_set_x_kind (fixture->chart, GR_CHART_X_CATEGORY);
  add_bar_series (fixture->chart, "requests", "Requests", (double[]) { 10, 40, 20 });
  g_assert_false (gr_chart_is_animating (fixture->chart));

  render (fixture->chart, &pixels);
  pixels_data = pixels.data;

  g_assert_true (gr_chart_get_bar_area (fixture->chart, 0, 1, &beta));
  g_assert_cmpfloat (beta.size.height, >, 50);
  g_assert_cmpfloat (beta.size.width, >, 10);
  assert_pixel_color (&pixels, beta.origin.x + beta.size.width / 2,
                      beta.origin.y + beta.size.height / 2, 0x3584e4);
  /* Above the tallest bar there is no bar colour. */
  g_assert_false (color_close (pixel_at (&pixels, beta.origin.x + beta.size.width / 2,
                                         beta.origin.y - 6, &alpha), 0x3584e4) && alpha == 255);

  /* A second bar series is drawn beside the first, in the next colour. */
  add_bar_series (fixture->chart, "errors", "Errors", (double[]) { 2, 30, 5 });
  g_clear_pointer (&pixels_data, g_free);
  render (fixture->chart, &pixels);
  pixels_data = pixels.data;

  g_assert_true (gr_chart_get_bar_area (fixture->chart, 0, 1, &beta));
  g_assert_true (gr_chart_get_bar_area (fixture->chart, 1, 1, &errors_beta));
  g_assert_cmpfloat (errors_beta.origin.x, >=, beta.origin.x + beta.size.width - 0.01);
  assert_pixel_color (&pixels, beta.origin.x + beta.size.width / 2,
                      beta.origin.y + beta.size.height / 2, 0x3584e4);
  assert_pixel_color (&pixels, errors_beta.origin.x + errors_beta.size.width / 2,
                      errors_beta.origin.y + errors_beta.size.height / 2, 0x33d17a);
}

static void
test_render_time_bars (Fixture       *fixture,
                       gconstpointer  data)
{
  gint64 start = utc_ms (2024, 11, 27, 0);
  g_autofree guchar *pixels_data = NULL;
  GrChartSeries *series;
  graphene_rect_t previous;
  gint64 x[24];
  double y[24];
  Pixels pixels;

  for (guint i = 0; i < G_N_ELEMENTS (x); i++)
    {
      x[i] = start + i * 3600 * 1000LL;
      y[i] = 10 + i;
    }

  series = gr_chart_add_series (fixture->chart, "requests", "Requests", GR_CHART_SERIES_BAR);
  gr_chart_series_set_points (series, x, NULL, y, G_N_ELEMENTS (x));
  render (fixture->chart, &pixels);
  pixels_data = pixels.data;

  /* Hourly bars sit side by side, inside the widget, without overlapping. */
  for (guint i = 0; i < G_N_ELEMENTS (x); i++)
    {
      graphene_rect_t rect;

      g_assert_true (gr_chart_get_bar_area (fixture->chart, 0, i, &rect));
      g_assert_cmpfloat (rect.origin.x, >=, 0);
      g_assert_cmpfloat (rect.origin.x + rect.size.width, <=, pixels.width);
      if (i > 0)
        g_assert_cmpfloat (rect.origin.x, >=, previous.origin.x + previous.size.width);
      previous = rect;
    }

  assert_pixel_color (&pixels, previous.origin.x + previous.size.width / 2,
                      previous.origin.y + previous.size.height / 2, 0x3584e4);
}

static void
test_render_lines (Fixture       *fixture,
                   gconstpointer  data)
{
  gint64 start = utc_ms (2024, 11, 27, 0);
  gint64 x[24];
  double y[24];
  double zeros[24] = { 0 };
  g_autofree guchar *pixels_data = NULL;
  GrChartSeries *area;
  GrChartSeries *line;
  graphene_point_t top;
  Pixels pixels;

  for (guint i = 0; i < G_N_ELEMENTS (x); i++)
    {
      x[i] = start + i * 3600 * 1000LL;
      y[i] = 100 + 50 * (i % 5);
    }

  area = gr_chart_add_series (fixture->chart, "requests", "Requests", GR_CHART_SERIES_AREA);
  line = gr_chart_add_series (fixture->chart, "errors", "Errors", GR_CHART_SERIES_LINE);
  gr_chart_series_set_points (area, x, NULL, y, G_N_ELEMENTS (x));
  gr_chart_series_set_points (line, x, NULL, zeros, G_N_ELEMENTS (x));

  render (fixture->chart, &pixels);
  pixels_data = pixels.data;

  /* The line passes through its point, and the area below it is tinted
   * with the series colour. */
  g_assert_true (gr_chart_get_point_position (fixture->chart, 0, 4, &top));
  assert_color_near (&pixels, top.x, top.y, 0x3584e4);
  {
    guint alpha = 0;
    guint32 below = pixel_at (&pixels, top.x, top.y + 30, &alpha);

    g_assert_cmpuint (alpha, >, 0);
    g_assert_cmpuint (below & 0xff, >, (below >> 16) & 0xff);
  }
}

static void
test_render_edge_cases (Fixture       *fixture,
                        gconstpointer  data)
{
  const gint64 one_x[] = { 1732665600000 };
  const double one_y[] = { 5 };
  g_autofree guchar *pixels_data = NULL;
  GrChartSeries *series;
  graphene_point_t point;
  graphene_rect_t rect;
  Pixels pixels;

  /* A single point: the X range is widened around it. */
  series = gr_chart_add_series (fixture->chart, "one", "One", GR_CHART_SERIES_LINE);
  gr_chart_series_set_points (series, one_x, NULL, one_y, 1);
  render (fixture->chart, &pixels);
  g_clear_pointer (&pixels.data, g_free);
  g_assert_true (gr_chart_get_point_position (fixture->chart, 0, 0, &point));
  g_assert_true (isfinite (point.x) && isfinite (point.y));
  g_assert_cmpfloat (point.x, >, 0);
  g_assert_cmpfloat (point.x, <, gtk_widget_get_width (GTK_WIDGET (fixture->chart)));

  /* All zeros, and a negative value, in bars. */
  gr_chart_clear (fixture->chart);
  gr_chart_set_x_kind (fixture->chart, GR_CHART_X_CATEGORY);
  add_bar_series (fixture->chart, "zero", "Zero", (double[]) { 0, 0, 0 });
  render (fixture->chart, &pixels);
  g_clear_pointer (&pixels.data, g_free);
  g_assert_true (gr_chart_get_bar_area (fixture->chart, 0, 0, &rect));
  g_assert_true (isfinite (rect.origin.y));
  g_assert_cmpfloat (rect.size.height, ==, 0);

  add_bar_series (fixture->chart, "negative", "Negative", (double[]) { -5, 10, 0 });
  render (fixture->chart, &pixels);
  pixels_data = pixels.data;
  g_assert_true (gr_chart_get_bar_area (fixture->chart, 1, 0, &rect));
  g_assert_true (isfinite (rect.origin.y) && isfinite (rect.size.height));
  g_assert_cmpfloat (rect.size.height, >, 0);

  /* Category data on a time chart is ignored rather than misdrawn. */
  gr_chart_set_x_kind (fixture->chart, GR_CHART_X_TIME);
  g_assert_false (gr_chart_get_bar_area (fixture->chart, 1, 0, &rect));
  g_clear_pointer (&pixels_data, g_free);
  render (fixture->chart, &pixels);
  pixels_data = pixels.data;
}

static guint
count_painted (const Pixels *pixels)
{
  guint painted = 0;

  for (int y = 0; y < pixels->height; y++)
    {
      for (int x = 0; x < pixels->width; x++)
        {
          guint alpha = 0;

          pixel_at (pixels, x, y, &alpha);
          painted += alpha > 0;
        }
    }

  return painted;
}

static void
test_render_empty (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *summary = NULL;
  Pixels pixels;
  guint painted;

  /* No series, then a series without points: the message is drawn. */
  render (fixture->chart, &pixels);
  painted = count_painted (&pixels);
  g_clear_pointer (&pixels.data, g_free);
  g_assert_cmpuint (painted, >, 50);

  gr_chart_add_series (fixture->chart, "requests", "Requests", GR_CHART_SERIES_AREA);
  render (fixture->chart, &pixels);
  g_assert_cmpuint (count_painted (&pixels), >, 50);
  g_clear_pointer (&pixels.data, g_free);

  g_assert_null (gr_chart_get_tooltip_markup (fixture->chart, WINDOW_W / 2, WINDOW_H / 2));
  summary = gr_chart_dup_summary (fixture->chart);
  g_assert_cmpstr (summary, ==, "No data for this period");
}

/* Hover -------------------------------------------------------------------------------- */

static void
test_tooltip (Fixture       *fixture,
              gconstpointer  data)
{
  gint64 start = utc_ms (2024, 11, 27, 13);
  const gint64 x[] = { start, start + 3600 * 1000, start + 7200 * 1000 };
  const double tokens[] = { 1000, 1234567, 20 };
  g_autofree char *bars = NULL;
  g_autofree char *times = NULL;
  g_autofree char *money = NULL;
  graphene_point_t point;
  GrChartSeries *series;

  gr_chart_set_x_kind (fixture->chart, GR_CHART_X_CATEGORY);
  add_bar_series (fixture->chart, "requests", "Requests", (double[]) { 10, 40, 20 });
  add_bar_series (fixture->chart, "errors", "Errors", (double[]) { 1, 4, 2 });
  wait_frames (GTK_WIDGET (fixture->chart), 1);
  g_assert_true (gr_chart_get_point_position (fixture->chart, 0, 1, &point));
  bars = gr_chart_get_tooltip_markup (fixture->chart, point.x, point.y + 5);
  g_assert_nonnull (bars);
  g_assert_true (g_str_has_prefix (bars, "<b>beta</b>"));
  g_assert_nonnull (strstr (bars, "Requests: 40"));
  g_assert_nonnull (strstr (bars, "Errors: 4"));
  /* Off the plot there is no tooltip. */
  g_assert_null (gr_chart_get_tooltip_markup (fixture->chart, 1, point.y));

  gr_chart_clear (fixture->chart);
  gr_chart_set_x_kind (fixture->chart, GR_CHART_X_TIME);
  gr_chart_set_value_format (fixture->chart, GR_CHART_VALUE_TOKENS);
  series = gr_chart_add_series (fixture->chart, "tokens", "Tokens", GR_CHART_SERIES_LINE);
  gr_chart_series_set_points (series, x, NULL, tokens, 3);
  wait_frames (GTK_WIDGET (fixture->chart), 1);
  g_assert_true (gr_chart_get_point_position (fixture->chart, 0, 1, &point));
  times = gr_chart_get_tooltip_markup (fixture->chart, point.x + 3, point.y);
  g_assert_nonnull (times);
  g_assert_true (g_str_has_prefix (times, "<b>Wed 27 Nov, 14:00</b>"));
  g_assert_nonnull (strstr (times, "Tokens: 1,234,567"));

  gr_chart_set_value_format (fixture->chart, GR_CHART_VALUE_MICRO_USD);
  gr_chart_series_set_points (series, x, NULL, (double[]) { 4200, 1234567, 0 }, 3);
  money = gr_chart_get_tooltip_markup (fixture->chart, point.x, point.y);
  g_assert_nonnull (strstr (money, "Tokens: $1.23"));
}

/* Animation and accessibility ------------------------------------------------------------ */

static void
test_animation (Fixture       *fixture,
                gconstpointer  data)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;
  GrChartSeries *series;
  gboolean saw_between = FALSE;

  gr_chart_set_x_kind (fixture->chart, GR_CHART_X_CATEGORY);
  series = add_bar_series (fixture->chart, "requests", "Requests", (double[]) { 10, 40, 20 });
  g_assert_false (gr_chart_is_animating (fixture->chart));

  set_animations (TRUE);
  gr_chart_series_set_points (series, NULL, categories, (double[]) { 30, 40, 20 }, 3);
  g_assert_true (gr_chart_is_animating (fixture->chart));

  while (gr_chart_is_animating (fixture->chart) && g_get_monotonic_time () < deadline)
    {
      double shown = _gr_chart_series_get_shown_value (series, 0);

      g_assert_cmpfloat (shown, >=, 10);
      g_assert_cmpfloat (shown, <=, 30);
      saw_between |= shown > 10 && shown < 30;
      g_main_context_iteration (NULL, TRUE);
    }

  g_assert_false (gr_chart_is_animating (fixture->chart));
  g_assert_true (saw_between);
  g_assert_cmpfloat (_gr_chart_series_get_shown_value (series, 0), ==, 30);

  /* With animations off, new values show at once. */
  set_animations (FALSE);
  gr_chart_series_set_points (series, NULL, categories, (double[]) { 5, 5, 5 }, 3);
  g_assert_false (gr_chart_is_animating (fixture->chart));
  g_assert_cmpfloat (_gr_chart_series_get_shown_value (series, 0), ==, 5);
}

static void
test_accessible (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *summary = NULL;

  g_assert_true (gtk_test_accessible_has_role (GTK_ACCESSIBLE (fixture->chart),
                                               GTK_ACCESSIBLE_ROLE_IMG));
  gr_chart_set_title (fixture->chart, "Requests by model");
  gr_chart_set_x_kind (fixture->chart, GR_CHART_X_CATEGORY);
  add_bar_series (fixture->chart, "requests", "Requests", (double[]) { 10, 40, 20 });

  summary = gr_chart_dup_summary (fixture->chart);
  g_assert_cmpstr (summary, ==, "Requests: 3 points, highest 40 at beta");
  gtk_test_accessible_assert_property (fixture->chart, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Requests by model");
  gtk_test_accessible_assert_property (fixture->chart, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       summary);
}

int
main (int   argc,
      char *argv[])
{
  /* Local time and number formats are part of what is tested. */
  g_setenv ("TZ", "UTC", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  /* The test AT context records accessible properties for checking;
   * GTK_A11Y=none, as the suite sets, would have no context at all. */
  g_setenv ("GTK_A11Y", "test", TRUE);

  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gaiarouter/chart/ticks", test_ticks);
  g_test_add_func ("/gaiarouter/chart/format/money", test_format_money);
  g_test_add_func ("/gaiarouter/chart/format/numbers", test_format_numbers);
  g_test_add_func ("/gaiarouter/chart/time-ticks", test_time_ticks);
  g_test_add ("/gaiarouter/chart/series", Fixture, NULL,
              fixture_setup, test_series_round_trip, fixture_teardown);
  g_test_add ("/gaiarouter/chart/render/bars", Fixture, NULL,
              fixture_setup, test_render_bars, fixture_teardown);
  g_test_add ("/gaiarouter/chart/render/time-bars", Fixture, NULL,
              fixture_setup, test_render_time_bars, fixture_teardown);
  g_test_add ("/gaiarouter/chart/render/lines", Fixture, NULL,
              fixture_setup, test_render_lines, fixture_teardown);
  g_test_add ("/gaiarouter/chart/render/edge-cases", Fixture, NULL,
              fixture_setup, test_render_edge_cases, fixture_teardown);
  g_test_add ("/gaiarouter/chart/render/empty", Fixture, NULL,
              fixture_setup, test_render_empty, fixture_teardown);
  g_test_add ("/gaiarouter/chart/tooltip", Fixture, NULL,
              fixture_setup, test_tooltip, fixture_teardown);
  g_test_add ("/gaiarouter/chart/animation", Fixture, NULL,
              fixture_setup, test_animation, fixture_teardown);
  g_test_add ("/gaiarouter/chart/accessible", Fixture, NULL,
              fixture_setup, test_accessible, fixture_teardown);

  return g_test_run ();
}
