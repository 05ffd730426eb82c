/* gr-stats-overview.c — the dashboard summary (/v1/stats/summary)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "gr-client-json-private.h"
#include "gr-item-private.h"
#include "gr-stats-overview.h"

struct _GrStatsOverview
{
  GObject        parent_instance;

  char          *tz;
  gint64         now;
  GrStatsSeries *today;
  GrStatsSeries *yesterday;
  GrStatsSeries *this_month;
  GrStatsSeries *previous_month;
  GListStore    *top_models;
  GListStore    *top_keys;
  gint64         in_flight_requests;
  gint64         in_flight_streams;
};

G_DEFINE_FINAL_TYPE (GrStatsOverview, gr_stats_overview, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TZ,
  PROP_NOW,
  PROP_TODAY,
  PROP_YESTERDAY,
  PROP_THIS_MONTH,
  PROP_PREVIOUS_MONTH,
  PROP_TOP_MODELS,
  PROP_TOP_KEYS,
  PROP_IN_FLIGHT_REQUESTS,
  PROP_IN_FLIGHT_STREAMS,
  N_PROPS
};

#define F(member) GR_ITEM_FIELD (GrStatsOverview, member)

static const GrItemField fields[N_PROPS] = {
  [PROP_TZ] = { "tz", GR_ITEM_STRING, F (tz) },
  [PROP_NOW] = { "now", GR_ITEM_INT64, F (now) },
  [PROP_TODAY] = { "today", GR_ITEM_OBJECT, F (today), FALSE, 0, 0, G_TYPE_OBJECT },
  [PROP_YESTERDAY] = { "yesterday", GR_ITEM_OBJECT, F (yesterday), FALSE, 0, 0, G_TYPE_OBJECT },
  [PROP_THIS_MONTH] = { "this-month", GR_ITEM_OBJECT, F (this_month), FALSE, 0, 0, G_TYPE_OBJECT },
  [PROP_PREVIOUS_MONTH] = { "previous-month", GR_ITEM_OBJECT, F (previous_month), FALSE, 0, 0, G_TYPE_OBJECT },
  [PROP_TOP_MODELS] = { "top-models", GR_ITEM_OBJECT, F (top_models), FALSE, 0, 0, G_TYPE_OBJECT },
  [PROP_TOP_KEYS] = { "top-keys", GR_ITEM_OBJECT, F (top_keys), FALSE, 0, 0, G_TYPE_OBJECT },
  [PROP_IN_FLIGHT_REQUESTS] = { "in-flight-requests", GR_ITEM_INT64, F (in_flight_requests) },
  [PROP_IN_FLIGHT_STREAMS] = { "in-flight-streams", GR_ITEM_INT64, F (in_flight_streams) },
};

#undef F

static GParamSpec *properties[N_PROPS];

static void
gr_stats_overview_finalize (GObject *object)
{
  gr_item_free_fields (object, fields, N_PROPS);
  G_OBJECT_CLASS (gr_stats_overview_parent_class)->finalize (object);
}

static void
gr_stats_overview_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  gr_item_get_property (object, fields, prop_id, value);
}

static void
gr_stats_overview_class_init (GrStatsOverviewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GrItemField typed[N_PROPS];

  /* The object types are not constants: fill them in before installing. */
  memcpy (typed, fields, sizeof typed);
  typed[PROP_TODAY].object_type = GR_TYPE_STATS_SERIES;
  typed[PROP_YESTERDAY].object_type = GR_TYPE_STATS_SERIES;
  typed[PROP_THIS_MONTH].object_type = GR_TYPE_STATS_SERIES;
  typed[PROP_PREVIOUS_MONTH].object_type = GR_TYPE_STATS_SERIES;
  typed[PROP_TOP_MODELS].object_type = G_TYPE_LIST_MODEL;
  typed[PROP_TOP_KEYS].object_type = G_TYPE_LIST_MODEL;

  object_class->finalize = gr_stats_overview_finalize;
  object_class->get_property = gr_stats_overview_get_property;
  gr_item_class_install (object_class, typed, N_PROPS, properties);
}

static void
gr_stats_overview_init (GrStatsOverview *self)
{
  gr_item_init_defaults (G_OBJECT (self), fields, N_PROPS);
  self->top_models = g_list_store_new (GR_TYPE_STATS_SERIES);
  self->top_keys = g_list_store_new (GR_TYPE_STATS_SERIES);
}

static GrStatsSeries *
read_period (JsonObject *object,
             const char *name,
             const char *tz)
{
  JsonObject *period = gr_client_json_object (object, name);
  g_autoptr(JsonObject) empty = NULL;

  if (period == NULL)
    period = empty = json_object_new ();
  if (tz != NULL && !json_object_has_member (period, "tz"))
    {
      /* A period does not repeat the zone; give it the summary's. */
      g_autoptr(JsonObject) copy = json_object_new ();
      GList *members = json_object_get_members (period);

      for (GList *l = members; l != NULL; l = l->next)
        json_object_set_member (copy, l->data, json_node_copy (json_object_get_member (period, l->data)));
      g_list_free (members);
      json_object_set_string_member (copy, "tz", tz);
      return gr_stats_series_new_from_json (copy);
    }
  return gr_stats_series_new_from_json (period);
}

static void
read_top (JsonObject *object,
          const char *name,
          GListStore *store)
{
  JsonArray *array = gr_client_json_array (object, name);

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *e = json_array_get_element (array, i);
      g_autoptr(GrStatsSeries) entry = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (e))
        continue;
      entry = gr_stats_series_new_from_json (json_node_get_object (e));
      g_list_store_append (store, entry);
    }
}

/**
 * gr_stats_overview_new_from_json:
 * @object: a /v1/stats/summary answer
 *
 * Returns: (transfer full): a new #GrStatsOverview
 */
GrStatsOverview *
gr_stats_overview_new_from_json (JsonObject *object)
{
  GrStatsOverview *self;

  g_return_val_if_fail (object != NULL, NULL);

  self = g_object_new (GR_TYPE_STATS_OVERVIEW, NULL);
  self->tz = g_strdup (gr_client_json_string (object, "tz"));
  self->now = gr_client_json_time (object, "now");
  self->today = read_period (object, "today", self->tz);
  self->yesterday = read_period (object, "yesterday", self->tz);
  self->this_month = read_period (object, "this_month", self->tz);
  self->previous_month = read_period (object, "previous_month", self->tz);
  read_top (object, "top_models", self->top_models);
  read_top (object, "top_keys", self->top_keys);
  {
    JsonObject *live = json_object_has_member (object, "in_flight") &&
                       JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "in_flight"))
                       ? json_object_get_object_member (object, "in_flight") : NULL;

    /* -1: an older gateway that does not say. */
    self->in_flight_requests = live ? json_object_get_int_member_with_default (live, "requests", -1) : -1;
    self->in_flight_streams = live ? json_object_get_int_member_with_default (live, "streams", -1) : -1;
  }
  return self;
}

const char *
gr_stats_overview_get_tz (GrStatsOverview *self)
{
  g_return_val_if_fail (GR_IS_STATS_OVERVIEW (self), NULL);

  return self->tz;
}

gint64
gr_stats_overview_get_now (GrStatsOverview *self)
{
  g_return_val_if_fail (GR_IS_STATS_OVERVIEW (self), 0);

  return self->now;
}

/**
 * gr_stats_overview_get_today:
 *
 * Returns: (transfer none): today's totals (local day)
 */
GrStatsSeries *
gr_stats_overview_get_today (GrStatsOverview *self)
{
  g_return_val_if_fail (GR_IS_STATS_OVERVIEW (self), NULL);

  return self->today;
}

GrStatsSeries *
gr_stats_overview_get_yesterday (GrStatsOverview *self)
{
  g_return_val_if_fail (GR_IS_STATS_OVERVIEW (self), NULL);

  return self->yesterday;
}

GrStatsSeries *
gr_stats_overview_get_this_month (GrStatsOverview *self)
{
  g_return_val_if_fail (GR_IS_STATS_OVERVIEW (self), NULL);

  return self->this_month;
}

GrStatsSeries *
gr_stats_overview_get_previous_month (GrStatsOverview *self)
{
  g_return_val_if_fail (GR_IS_STATS_OVERVIEW (self), NULL);

  return self->previous_month;
}

/**
 * gr_stats_overview_get_top_models:
 *
 * Returns: (transfer none): a #GListModel of #GrStatsSeries
 */
GListModel *
gr_stats_overview_get_top_models (GrStatsOverview *self)
{
  g_return_val_if_fail (GR_IS_STATS_OVERVIEW (self), NULL);

  return G_LIST_MODEL (self->top_models);
}

GListModel *
gr_stats_overview_get_top_keys (GrStatsOverview *self)
{
  g_return_val_if_fail (GR_IS_STATS_OVERVIEW (self), NULL);

  return G_LIST_MODEL (self->top_keys);
}

gint64
gr_stats_overview_get_in_flight_streams (GrStatsOverview *self)
{
  g_return_val_if_fail (GR_IS_STATS_OVERVIEW (self), -1);

  return self->in_flight_streams;
}

gint64
gr_stats_overview_get_in_flight_requests (GrStatsOverview *self)
{
  g_return_val_if_fail (GR_IS_STATS_OVERVIEW (self), -1);

  return self->in_flight_requests;
}
