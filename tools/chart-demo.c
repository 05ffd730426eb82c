/* chart-demo.c — a window of sample GrCharts, for looking at them
 *
 * Usage: gr-chart-demo [--dark] [--days N] [--size WxH]
 *
 * Shows 24 hourly points as an area and a line, costs and tokens by model
 * as bars, and an empty chart.  "Refresh" replaces the data so the
 * transition can be watched; --dark forces the dark style, --days N shows
 * N daily points instead of hourly ones (to see other time axes) and
 * --size sets the window size.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "widgets/gr-chart.h"

#define N_POINTS_MAX 400

static const char * const models[] = {
  "claude-sonnet-4", "gpt-4o", "gemini-2.0-flash", "gpt-4o-mini", "claude-3-5-haiku", NULL,
};

typedef struct
{
  GrChart *traffic;
  GrChart *cost;
  GrChart *tokens;
  GRand   *rand;
  guint    days;
  int      width;
  int      height;
} Demo;

static void
fill_traffic (Demo *demo)
{
  gint64 now_ms = g_get_real_time () / 1000;
  /* Hourly points for a day, or daily points for a longer span. */
  gint64 step_ms = demo->days > 0 ? 24 * 3600 * 1000LL : 3600 * 1000LL;
  guint n = demo->days > 0 ? MIN (demo->days, N_POINTS_MAX) : 24;
  double period = demo->days > 0 ? 7 : 24;
  gint64 x[N_POINTS_MAX];
  double requests[N_POINTS_MAX];
  double errors[N_POINTS_MAX];

  for (guint i = 0; i < n; i++)
    {
      /* A wave-shaped load: quiet at night or at weekends. */
      double shape = 0.55 + 0.45 * sin ((i - 8) * 2 * G_PI / period);

      x[i] = (now_ms / step_ms - (n - 1) + i) * step_ms;
      requests[i] = round (shape * 1800 + g_rand_double_range (demo->rand, 0, 400));
      errors[i] = round (requests[i] * g_rand_double_range (demo->rand, 0.01, 0.08));
    }

  gr_chart_series_set_points (gr_chart_get_series (demo->traffic, "requests"),
                              x, NULL, requests, n);
  gr_chart_series_set_points (gr_chart_get_series (demo->traffic, "errors"),
                              x, NULL, errors, n);
}

static void
fill_models (Demo *demo)
{
  guint n = g_strv_length ((char **) models);
  double input[G_N_ELEMENTS (models)];
  double output[G_N_ELEMENTS (models)];
  double tokens[G_N_ELEMENTS (models)];

  for (guint i = 0; i < n; i++)
    {
      tokens[i] = round (g_rand_double_range (demo->rand, 50000, 2400000) / (i + 1));
      /* Micro-USD: a few dollars for the big models, cents for the small. */
      input[i] = round (tokens[i] * g_rand_double_range (demo->rand, 0.1, 3.0));
      output[i] = round (input[i] * g_rand_double_range (demo->rand, 1.5, 4.0));
    }

  gr_chart_series_set_points (gr_chart_get_series (demo->cost, "input"), NULL, models, input, n);
  gr_chart_series_set_points (gr_chart_get_series (demo->cost, "output"), NULL, models, output, n);
  gr_chart_series_set_points (gr_chart_get_series (demo->tokens, "tokens"), NULL, models, tokens, n);
}

static void
refresh_clicked_cb (GtkButton *button,
                    Demo      *demo)
{
  fill_traffic (demo);
  fill_models (demo);
}

static GrChart *
add_chart (GtkGrid    *grid,
           const char *title,
           int         column,
           int         row,
           int         width)
{
  GtkWidget *chart = gr_chart_new ();

  gr_chart_set_title (GR_CHART (chart), title);
  gtk_widget_set_hexpand (chart, TRUE);
  gtk_widget_set_vexpand (chart, TRUE);
  gtk_widget_add_css_class (chart, "card");
  gtk_grid_attach (grid, chart, column, row, width, 1);

  return GR_CHART (chart);
}

static GtkWidget *
build_grid (Demo *demo)
{
  GtkGrid *grid = GTK_GRID (gtk_grid_new ());
  GrChart *empty;

  gtk_grid_set_row_spacing (grid, 12);
  gtk_grid_set_column_spacing (grid, 12);
  gtk_widget_set_margin_top (GTK_WIDGET (grid), 12);
  gtk_widget_set_margin_bottom (GTK_WIDGET (grid), 12);
  gtk_widget_set_margin_start (GTK_WIDGET (grid), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (grid), 12);

  demo->traffic = add_chart (grid, demo->days > 0 ? "Requests per day" : "Requests, last 24 hours",
                             0, 0, 3);
  gr_chart_add_series (demo->traffic, "requests", "Requests", GR_CHART_SERIES_AREA);
  gr_chart_add_series (demo->traffic, "errors", "Errors", GR_CHART_SERIES_LINE);

  demo->cost = add_chart (grid, "Cost by model", 0, 1, 1);
  gr_chart_set_x_kind (demo->cost, GR_CHART_X_CATEGORY);
  gr_chart_set_value_format (demo->cost, GR_CHART_VALUE_MICRO_USD);
  gr_chart_add_series (demo->cost, "input", "Input", GR_CHART_SERIES_BAR);
  gr_chart_add_series (demo->cost, "output", "Output", GR_CHART_SERIES_BAR);

  demo->tokens = add_chart (grid, "Tokens by model", 1, 1, 1);
  gr_chart_set_x_kind (demo->tokens, GR_CHART_X_CATEGORY);
  gr_chart_set_value_format (demo->tokens, GR_CHART_VALUE_TOKENS);
  gr_chart_add_series (demo->tokens, "tokens", "Tokens", GR_CHART_SERIES_BAR);

  empty = add_chart (grid, "Errors by key", 2, 1, 1);
  gr_chart_set_x_kind (empty, GR_CHART_X_CATEGORY);

  return GTK_WIDGET (grid);
}

static void
activate_cb (GtkApplication *app,
             Demo           *demo)
{
  GtkWidget *window = adw_application_window_new (app);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *refresh = gtk_button_new_with_label ("Refresh");

  g_signal_connect (refresh, "clicked", G_CALLBACK (refresh_clicked_cb), demo);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), refresh);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), build_grid (demo));

  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);
  gtk_window_set_title (GTK_WINDOW (window), "GrChart demo");
  gtk_window_set_default_size (GTK_WINDOW (window), demo->width, demo->height);

  fill_traffic (demo);
  fill_models (demo);
  gtk_window_present (GTK_WINDOW (window));
}

static void
force_dark_cb (GApplication *app,
               gpointer      user_data)
{
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = NULL;
  Demo demo = { 0 };
  gboolean dark = FALSE;
  int status;

  setlocale (LC_ALL, "");
  demo.width = 1240;
  demo.height = 740;
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--dark") == 0)
        dark = TRUE;
      else if (strcmp (argv[i], "--days") == 0 && i + 1 < argc)
        demo.days = (guint) g_ascii_strtoull (argv[++i], NULL, 10);
      else if (strcmp (argv[i], "--size") == 0 && i + 1 < argc &&
               sscanf (argv[i + 1], "%dx%d", &demo.width, &demo.height) == 2)
        i++;
    }

  demo.rand = g_rand_new_with_seed (42);
  app = adw_application_new ("org.gaiarouter.ChartDemo", G_APPLICATION_NON_UNIQUE);
  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), &demo);

  /* The style manager exists once the application has started up. */
  if (dark)
    g_signal_connect (app, "startup", G_CALLBACK (force_dark_cb), NULL);

  status = g_application_run (G_APPLICATION (app), 1, argv);
  g_rand_free (demo.rand);

  return status;
}
