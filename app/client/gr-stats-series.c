/* gr-stats-series.c — a statistics answer: totals, a time series, groups
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "gr-client-json-private.h"
#include "gr-item-private.h"
#include "gr-stats-series.h"

struct _GrStatsSeries
{
  GObject parent_instance;

  gint64          start;
  gint64          end;
  char           *granularity;
  char           *tz;
  char           *group_by;
  char           *group;
  GrStatsFigures  totals;
  guint           n_points;
  GListStore     *groups;   /* of GrStatsSeries */

  GArray         *x_ms;     /* of gint64 */
  GArray         *points;   /* of GrStatsFigures */
};

G_DEFINE_FINAL_TYPE (GrStatsSeries, gr_stats_series, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_START,
  PROP_END,
  PROP_GRANULARITY,
  PROP_TZ,
  PROP_GROUP_BY,
  PROP_GROUP,
  PROP_REQUESTS,
  PROP_ERRORS,
  PROP_PROMPT_TOKENS,
  PROP_COMPLETION_TOKENS,
  PROP_CACHED_TOKENS,
  PROP_TOTAL_TOKENS,
  PROP_COST_MICROS,
  PROP_AVG_LATENCY_MS,
  PROP_P95_LATENCY_MS,
  PROP_N_POINTS,
  PROP_GROUPS,
  N_PROPS
};

#define F(member) GR_ITEM_FIELD (GrStatsSeries, member)

static const GrItemField fields[N_PROPS] = {
  [PROP_START] = { "start", GR_ITEM_INT64, F (start) },
  [PROP_END] = { "end", GR_ITEM_INT64, F (end) },
  [PROP_GRANULARITY] = { "granularity", GR_ITEM_STRING, F (granularity) },
  [PROP_TZ] = { "tz", GR_ITEM_STRING, F (tz) },
  [PROP_GROUP_BY] = { "group-by", GR_ITEM_STRING, F (group_by) },
  [PROP_GROUP] = { "group", GR_ITEM_STRING, F (group) },
  [PROP_REQUESTS] = { "requests", GR_ITEM_INT64, F (totals.requests) },
  [PROP_ERRORS] = { "errors", GR_ITEM_INT64, F (totals.errors) },
  [PROP_PROMPT_TOKENS] = { "prompt-tokens", GR_ITEM_INT64, F (totals.prompt_tokens) },
  [PROP_COMPLETION_TOKENS] = { "completion-tokens", GR_ITEM_INT64, F (totals.completion_tokens) },
  [PROP_CACHED_TOKENS] = { "cached-tokens", GR_ITEM_INT64, F (totals.cached_tokens) },
  [PROP_TOTAL_TOKENS] = { "total-tokens", GR_ITEM_INT64, F (totals.total_tokens) },
  [PROP_COST_MICROS] = { "cost-micros", GR_ITEM_INT64, F (totals.cost_micros) },
  [PROP_AVG_LATENCY_MS] = { "avg-latency-ms", GR_ITEM_INT64, F (totals.avg_latency_ms) },
  [PROP_P95_LATENCY_MS] = { "p95-latency-ms", GR_ITEM_INT64, F (totals.p95_latency_ms) },
  [PROP_N_POINTS] = { "n-points", GR_ITEM_UINT, F (n_points) },
  [PROP_GROUPS] = { "groups", GR_ITEM_OBJECT, F (groups), FALSE, 0, 0, G_TYPE_OBJECT },
};

#undef F

static GParamSpec *properties[N_PROPS];

double
gr_stats_figures_get (const GrStatsFigures *figures,
                      GrStatsMetric         metric)
{
  g_return_val_if_fail (figures != NULL, 0.0);

  switch (metric)
    {
    case GR_STATS_METRIC_REQUESTS:
      return (double) figures->requests;
    case GR_STATS_METRIC_ERRORS:
      return (double) figures->errors;
    case GR_STATS_METRIC_PROMPT_TOKENS:
      return (double) figures->prompt_tokens;
    case GR_STATS_METRIC_COMPLETION_TOKENS:
      return (double) figures->completion_tokens;
    case GR_STATS_METRIC_CACHED_TOKENS:
      return (double) figures->cached_tokens;
    case GR_STATS_METRIC_TOTAL_TOKENS:
      return (double) figures->total_tokens;
    case GR_STATS_METRIC_COST_MICROS:
      return (double) figures->cost_micros;
    case GR_STATS_METRIC_COST_USD:
      return (double) figures->cost_micros / 1e6;
    case GR_STATS_METRIC_AVG_LATENCY_MS:
      return (double) figures->avg_latency_ms;
    case GR_STATS_METRIC_P95_LATENCY_MS:
      return (double) figures->p95_latency_ms;
    default:
      g_return_val_if_reached (0.0);
    }
}

static void
gr_stats_series_finalize (GObject *object)
{
  GrStatsSeries *self = GR_STATS_SERIES (object);

  gr_item_free_fields (object, fields, N_PROPS);
  g_clear_pointer (&self->x_ms, g_array_unref);
  g_clear_pointer (&self->points, g_array_unref);
  G_OBJECT_CLASS (gr_stats_series_parent_class)->finalize (object);
}

static void
gr_stats_series_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  gr_item_get_property (object, fields, prop_id, value);
}

static void
gr_stats_series_class_init (GrStatsSeriesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GrItemField typed[N_PROPS];

  /* GTypes are not constants: fill them in before installing. */
  memcpy (typed, fields, sizeof typed);
  typed[PROP_GROUPS].object_type = G_TYPE_LIST_MODEL;

  object_class->finalize = gr_stats_series_finalize;
  object_class->get_property = gr_stats_series_get_property;
  gr_item_class_install (object_class, typed, N_PROPS, properties);
}

static void
gr_stats_series_init (GrStatsSeries *self)
{
  gr_item_init_defaults (G_OBJECT (self), fields, N_PROPS);
  self->groups = g_list_store_new (GR_TYPE_STATS_SERIES);
  self->x_ms = g_array_new (FALSE, TRUE, sizeof (gint64));
  self->points = g_array_new (FALSE, TRUE, sizeof (GrStatsFigures));
}

static void
read_figures (JsonObject     *object,
              GrStatsFigures *figures)
{
  figures->requests = gr_client_json_int (object, "requests", 0);
  figures->errors = gr_client_json_int (object, "errors", 0);
  figures->prompt_tokens = gr_client_json_int (object, "prompt_tokens", 0);
  figures->completion_tokens = gr_client_json_int (object, "completion_tokens", 0);
  figures->cached_tokens = gr_client_json_int (object, "cached_tokens", 0);
  figures->total_tokens = gr_client_json_int (object, "total_tokens",
                                              figures->prompt_tokens + figures->completion_tokens);
  figures->cost_micros = gr_client_json_int (object, "cost_micros", 0);
  figures->avg_latency_ms = gr_client_json_int (object, "avg_latency_ms", 0);
  figures->p95_latency_ms = gr_client_json_int (object, "p95_latency_ms", 0);
}

static void
read_points (GrStatsSeries *self,
             JsonArray     *series)
{
  for (guint i = 0; series != NULL && i < json_array_get_length (series); i++)
    {
      JsonNode *e = json_array_get_element (series, i);
      GrStatsFigures figures = { 0 };
      gint64 x;

      if (!JSON_NODE_HOLDS_OBJECT (e))
        continue;
      x = gr_client_json_time (json_node_get_object (e), "start");
      read_figures (json_node_get_object (e), &figures);
      g_array_append_val (self->x_ms, x);
      g_array_append_val (self->points, figures);
    }
  self->n_points = self->points->len;
}

static GrStatsSeries *
series_new (JsonObject    *object,
            GrStatsSeries *parent)
{
  GrStatsSeries *self = g_object_new (GR_TYPE_STATS_SERIES, NULL);
  JsonArray *groups;

  if (parent != NULL)
    {
      self->start = parent->start;
      self->end = parent->end;
      self->granularity = g_strdup (parent->granularity);
      self->tz = g_strdup (parent->tz);
      self->group_by = g_strdup (parent->group_by);
      self->group = g_strdup (gr_client_json_string (object, "group"));
    }
  else
    {
      self->start = gr_client_json_time (object, "start");
      self->end = gr_client_json_time (object, "end");
      self->granularity = g_strdup (gr_client_json_string (object, "granularity"));
      self->tz = g_strdup (gr_client_json_string (object, "tz"));
      self->group_by = g_strdup (gr_client_json_string (object, "group_by"));
      self->group = g_strdup (gr_client_json_string (object, "group"));
    }
  read_figures (gr_client_json_object (object, "totals"), &self->totals);
  read_points (self, gr_client_json_array (object, "series"));

  groups = gr_client_json_array (object, "groups");
  for (guint i = 0; groups != NULL && i < json_array_get_length (groups); i++)
    {
      JsonNode *e = json_array_get_element (groups, i);
      g_autoptr(GrStatsSeries) child = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (e))
        continue;
      child = series_new (json_node_get_object (e), self);
      g_list_store_append (self->groups, child);
    }
  return self;
}

/**
 * gr_stats_series_new_from_json:
 * @object: a /v1/stats answer, or a summary period or top entry
 *
 * Returns: (transfer full): a new #GrStatsSeries
 */
GrStatsSeries *
gr_stats_series_new_from_json (JsonObject *object)
{
  g_return_val_if_fail (object != NULL, NULL);

  return series_new (object, NULL);
}

#define GETTER(type, prop, fallback) \
  type gr_stats_series_get_##prop (GrStatsSeries *self) \
  { g_return_val_if_fail (GR_IS_STATS_SERIES (self), fallback); return self->prop; }

GETTER (gint64, start, 0)
GETTER (gint64, end, 0)
GETTER (const char *, granularity, NULL)
GETTER (const char *, tz, NULL)
GETTER (const char *, group_by, NULL)
GETTER (const char *, group, NULL)
GETTER (guint, n_points, 0)

const GrStatsFigures *
gr_stats_series_get_totals (GrStatsSeries *self)
{
  g_return_val_if_fail (GR_IS_STATS_SERIES (self), NULL);

  return &self->totals;
}

/**
 * gr_stats_series_get_x_ms:
 * @n_points: (out) (optional): the number of points
 *
 * Returns: (array length=n_points) (transfer none): the start of each point
 */
const gint64 *
gr_stats_series_get_x_ms (GrStatsSeries *self,
                          guint         *n_points)
{
  g_return_val_if_fail (GR_IS_STATS_SERIES (self), NULL);

  if (n_points != NULL)
    *n_points = self->x_ms->len;
  return (const gint64 *) (gpointer) self->x_ms->data;
}

const GrStatsFigures *
gr_stats_series_get_point (GrStatsSeries *self,
                           guint          position)
{
  g_return_val_if_fail (GR_IS_STATS_SERIES (self), NULL);
  g_return_val_if_fail (position < self->points->len, NULL);

  return &g_array_index (self->points, GrStatsFigures, position);
}

/**
 * gr_stats_series_dup_x:
 * @n_points: (out) (optional): the number of points
 *
 * Returns: (array length=n_points) (transfer full) (nullable): x in Unix ms
 */
double *
gr_stats_series_dup_x (GrStatsSeries *self,
                       guint         *n_points)
{
  double *x;

  g_return_val_if_fail (GR_IS_STATS_SERIES (self), NULL);

  x = g_new (double, MAX (self->x_ms->len, 1));
  for (guint i = 0; i < self->x_ms->len; i++)
    x[i] = (double) g_array_index (self->x_ms, gint64, i);
  if (n_points != NULL)
    *n_points = self->x_ms->len;
  return x;
}

/**
 * gr_stats_series_dup_y:
 * @metric: what to read
 * @n_points: (out) (optional): the number of points
 *
 * Returns: (array length=n_points) (transfer full): the metric per point
 */
double *
gr_stats_series_dup_y (GrStatsSeries *self,
                       GrStatsMetric  metric,
                       guint         *n_points)
{
  double *y;

  g_return_val_if_fail (GR_IS_STATS_SERIES (self), NULL);

  y = g_new (double, MAX (self->points->len, 1));
  for (guint i = 0; i < self->points->len; i++)
    y[i] = gr_stats_figures_get (&g_array_index (self->points, GrStatsFigures, i), metric);
  if (n_points != NULL)
    *n_points = self->points->len;
  return y;
}

/**
 * gr_stats_series_get_groups:
 *
 * Returns: (transfer none): a #GListModel of #GrStatsSeries
 */
GListModel *
gr_stats_series_get_groups (GrStatsSeries *self)
{
  g_return_val_if_fail (GR_IS_STATS_SERIES (self), NULL);

  return G_LIST_MODEL (self->groups);
}

/**
 * gr_stats_series_find_group:
 * @group: (nullable): a group name; NULL finds the unnamed group
 *
 * Returns: (transfer none) (nullable): the group's series
 */
GrStatsSeries *
gr_stats_series_find_group (GrStatsSeries *self,
                            const char    *group)
{
  guint n;

  g_return_val_if_fail (GR_IS_STATS_SERIES (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->groups));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GrStatsSeries) child = g_list_model_get_item (G_LIST_MODEL (self->groups), i);

      if (g_strcmp0 (child->group, group) == 0)
        return child;  /* the store keeps its reference */
    }
  return NULL;
}
