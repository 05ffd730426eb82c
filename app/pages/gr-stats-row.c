/* gr-stats-row.c — one row of a statistics table: a time bucket or a group
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "pages/gr-stats-row.h"
#include "widgets/gr-chart-private.h"

struct _GrStatsRow
{
  GObject         parent_instance;

  char           *label;
  char           *detail;
  gint64          time_ms;
  GrStatsFigures  figures;
  /* The figures as the tables show them. */
  char           *text[8];
};

/* Indices of text[]. */
enum {
  TEXT_REQUESTS,
  TEXT_ERRORS,
  TEXT_PROMPT_TOKENS,
  TEXT_COMPLETION_TOKENS,
  TEXT_TOTAL_TOKENS,
  TEXT_COST,
  TEXT_AVG_LATENCY,
  N_TEXTS
};

G_DEFINE_FINAL_TYPE (GrStatsRow, gr_stats_row, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LABEL,
  PROP_DETAIL,
  PROP_TIME_MS,
  PROP_REQUESTS,
  PROP_ERRORS,
  PROP_PROMPT_TOKENS,
  PROP_COMPLETION_TOKENS,
  PROP_TOTAL_TOKENS,
  PROP_COST_MICROS,
  PROP_AVG_LATENCY_MS,
  PROP_REQUESTS_TEXT,
  PROP_ERRORS_TEXT,
  PROP_PROMPT_TOKENS_TEXT,
  PROP_COMPLETION_TOKENS_TEXT,
  PROP_TOTAL_TOKENS_TEXT,
  PROP_COST_TEXT,
  PROP_AVG_LATENCY_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
gr_stats_row_finalize (GObject *object)
{
  GrStatsRow *self = GR_STATS_ROW (object);

  g_clear_pointer (&self->label, g_free);
  g_clear_pointer (&self->detail, g_free);
  for (guint i = 0; i < N_TEXTS; i++)
    g_clear_pointer (&self->text[i], g_free);

  G_OBJECT_CLASS (gr_stats_row_parent_class)->finalize (object);
}

static void
gr_stats_row_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  GrStatsRow *self = GR_STATS_ROW (object);

  switch (prop_id)
    {
    case PROP_LABEL:
      g_value_set_string (value, self->label);
      break;
    case PROP_DETAIL:
      g_value_set_string (value, self->detail);
      break;
    case PROP_TIME_MS:
      g_value_set_int64 (value, self->time_ms);
      break;
    case PROP_REQUESTS:
      g_value_set_int64 (value, self->figures.requests);
      break;
    case PROP_ERRORS:
      g_value_set_int64 (value, self->figures.errors);
      break;
    case PROP_PROMPT_TOKENS:
      g_value_set_int64 (value, self->figures.prompt_tokens);
      break;
    case PROP_COMPLETION_TOKENS:
      g_value_set_int64 (value, self->figures.completion_tokens);
      break;
    case PROP_TOTAL_TOKENS:
      g_value_set_int64 (value, self->figures.total_tokens);
      break;
    case PROP_COST_MICROS:
      g_value_set_int64 (value, self->figures.cost_micros);
      break;
    case PROP_AVG_LATENCY_MS:
      g_value_set_int64 (value, self->figures.avg_latency_ms);
      break;
    case PROP_REQUESTS_TEXT:
    case PROP_ERRORS_TEXT:
    case PROP_PROMPT_TOKENS_TEXT:
    case PROP_COMPLETION_TOKENS_TEXT:
    case PROP_TOTAL_TOKENS_TEXT:
    case PROP_COST_TEXT:
    case PROP_AVG_LATENCY_TEXT:
      g_value_set_string (value, self->text[prop_id - PROP_REQUESTS_TEXT]);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
text_property (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, NULL,
                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
int64_property (const char *name)
{
  return g_param_spec_int64 (name, NULL, NULL, G_MININT64, G_MAXINT64, 0,
                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
}

static void
gr_stats_row_class_init (GrStatsRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gr_stats_row_finalize;
  object_class->get_property = gr_stats_row_get_property;

  properties[PROP_LABEL] = g_param_spec_string ("label", NULL, NULL, NULL,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DETAIL] = g_param_spec_string ("detail", NULL, NULL, NULL,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIME_MS] = int64_property ("time-ms");
  properties[PROP_REQUESTS] = int64_property ("requests");
  properties[PROP_ERRORS] = int64_property ("errors");
  properties[PROP_PROMPT_TOKENS] = int64_property ("prompt-tokens");
  properties[PROP_COMPLETION_TOKENS] = int64_property ("completion-tokens");
  properties[PROP_TOTAL_TOKENS] = int64_property ("total-tokens");
  properties[PROP_COST_MICROS] = int64_property ("cost-micros");
  properties[PROP_AVG_LATENCY_MS] = int64_property ("avg-latency-ms");
  properties[PROP_REQUESTS_TEXT] = text_property ("requests-text");
  properties[PROP_ERRORS_TEXT] = text_property ("errors-text");
  properties[PROP_PROMPT_TOKENS_TEXT] = text_property ("prompt-tokens-text");
  properties[PROP_COMPLETION_TOKENS_TEXT] = text_property ("completion-tokens-text");
  properties[PROP_TOTAL_TOKENS_TEXT] = text_property ("total-tokens-text");
  properties[PROP_COST_TEXT] = text_property ("cost-text");
  properties[PROP_AVG_LATENCY_TEXT] = text_property ("avg-latency-text");
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gr_stats_row_init (GrStatsRow *self)
{
}

GrStatsRow *
gr_stats_row_new (const char           *label,
                  const char           *detail,
                  gint64                time_ms,
                  const GrStatsFigures *figures)
{
  GrStatsRow *self = g_object_new (GR_TYPE_STATS_ROW, NULL);

  self->label = g_strdup (label != NULL ? label : "");
  self->detail = g_strdup (detail);
  self->time_ms = time_ms;
  if (figures != NULL)
    self->figures = *figures;

  self->text[TEXT_REQUESTS] = gr_stats_format_count (self->figures.requests);
  self->text[TEXT_ERRORS] = gr_stats_format_count (self->figures.errors);
  self->text[TEXT_PROMPT_TOKENS] = gr_stats_format_count (self->figures.prompt_tokens);
  self->text[TEXT_COMPLETION_TOKENS] = gr_stats_format_count (self->figures.completion_tokens);
  self->text[TEXT_TOTAL_TOKENS] = gr_stats_format_count (self->figures.total_tokens);
  self->text[TEXT_COST] = gr_stats_format_cost (self->figures.cost_micros);
  self->text[TEXT_AVG_LATENCY] = gr_stats_format_latency (self->figures.avg_latency_ms, self->figures.requests);

  return self;
}

const char *
gr_stats_row_get_label (GrStatsRow *self)
{
  g_return_val_if_fail (GR_IS_STATS_ROW (self), NULL);
  return self->label;
}

const char *
gr_stats_row_get_detail (GrStatsRow *self)
{
  g_return_val_if_fail (GR_IS_STATS_ROW (self), NULL);
  return self->detail;
}

gint64
gr_stats_row_get_time_ms (GrStatsRow *self)
{
  g_return_val_if_fail (GR_IS_STATS_ROW (self), 0);
  return self->time_ms;
}

const GrStatsFigures *
gr_stats_row_get_figures (GrStatsRow *self)
{
  g_return_val_if_fail (GR_IS_STATS_ROW (self), NULL);
  return &self->figures;
}

char *
gr_stats_format_count (gint64 value)
{
  return gr_chart_format_value (GR_CHART_VALUE_COUNT, (double) value);
}

char *
gr_stats_format_cost (gint64 micros)
{
  return gr_chart_format_micro_usd (micros);
}

char *
gr_stats_format_latency (gint64 ms,
                         gint64 requests)
{
  if (requests <= 0)
    /* Translators: no value (e.g. no latency without requests). */
    return g_strdup (C_("value", "—"));
  if (ms <= 0)
    /* Translators: a latency below one millisecond. */
    return g_strdup (_("< 1 ms"));
  if (ms < 10000)
    /* Translators: milliseconds. */
    return g_strdup_printf (_("%lld ms"), (long long) ms);
  /* Translators: seconds, with one decimal. */
  return g_strdup_printf (_("%.1f s"), ms / 1000.0);
}

char *
gr_stats_format_change (gint64 current,
                        gint64 previous)
{
  double percent;

  if (current == 0 && previous == 0)
    return NULL;
  if (previous == 0)
    /* Translators: a change against a period that had nothing. */
    return g_strdup (C_("change", "new"));

  percent = round ((double) (current - previous) * 100.0 / (double) previous);
  if (percent > 0)
    /* Translators: a relative change, e.g. "+12%". */
    return g_strdup_printf (C_("change", "+%.0f%%"), percent);
  if (percent < 0)
    /* Translators: a relative decrease, e.g. "−12%" (U+2212 minus sign). */
    return g_strdup_printf (C_("change", "−%.0f%%"), -percent);
  return g_strdup (C_("change", "±0%"));
}
