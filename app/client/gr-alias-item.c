/* gr-alias-item.c — a route alias of the registry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "gr-alias-item.h"
#include "gr-client-json-private.h"
#include "gr-item-private.h"

struct _GrAliasItem
{
  GObject parent_instance;

  char   *name;
  char   *strategy;
  char  **targets;
  GArray *weights;  /* of guint, one per target */
  char   *source;
};

G_DEFINE_FINAL_TYPE (GrAliasItem, gr_alias_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_STRATEGY,
  PROP_TARGETS,
  PROP_SOURCE,
  N_PROPS
};

#define F(member) GR_ITEM_FIELD (GrAliasItem, member)

static const GrItemField fields[N_PROPS] = {
  [PROP_NAME] = { "name", GR_ITEM_STRING, F (name), TRUE },
  [PROP_STRATEGY] = { "strategy", GR_ITEM_STRING, F (strategy), TRUE },
  [PROP_TARGETS] = { "targets", GR_ITEM_STRV, F (targets), TRUE },
  [PROP_SOURCE] = { "source", GR_ITEM_STRING, F (source), FALSE },
};

#undef F

static GParamSpec *properties[N_PROPS];

/* Keeps one weight per target: new targets weigh 1. */
static void
fit_weights (GrAliasItem *self)
{
  guint n = g_strv_length (self->targets);
  guint old = self->weights->len;

  g_array_set_size (self->weights, n);
  for (guint i = old; i < n; i++)
    g_array_index (self->weights, guint, i) = 1;
}

static void
gr_alias_item_finalize (GObject *object)
{
  GrAliasItem *self = GR_ALIAS_ITEM (object);

  gr_item_free_fields (object, fields, N_PROPS);
  g_clear_pointer (&self->weights, g_array_unref);
  G_OBJECT_CLASS (gr_alias_item_parent_class)->finalize (object);
}

static void
gr_alias_item_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  gr_item_get_property (object, fields, prop_id, value);
}

static void
gr_alias_item_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  gr_item_set_property (object, fields, prop_id, value, pspec);
  if (prop_id == PROP_TARGETS)
    fit_weights (GR_ALIAS_ITEM (object));
}

static void
gr_alias_item_class_init (GrAliasItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gr_alias_item_finalize;
  object_class->get_property = gr_alias_item_get_property;
  object_class->set_property = gr_alias_item_set_property;
  gr_item_class_install (object_class, fields, N_PROPS, properties);
}

static void
gr_alias_item_init (GrAliasItem *self)
{
  gr_item_init_defaults (G_OBJECT (self), fields, N_PROPS);
  self->strategy = g_strdup ("fallback");
  self->weights = g_array_new (FALSE, TRUE, sizeof (guint));
}

GrAliasItem *
gr_alias_item_new (void)
{
  return g_object_new (GR_TYPE_ALIAS_ITEM, NULL);
}

/**
 * gr_alias_item_new_from_json:
 * @object: {"name", "strategy", "targets": [names], "weights": [numbers]};
 *   targets may also be objects {"model", "weight"} as in models.json
 *
 * Returns: (transfer full): a new #GrAliasItem
 */
GrAliasItem *
gr_alias_item_new_from_json (JsonObject *object)
{
  GrAliasItem *self;
  JsonArray *targets;
  JsonArray *weights;
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_autoptr(GArray) values = g_array_new (FALSE, TRUE, sizeof (guint));
  const char *strategy;

  g_return_val_if_fail (object != NULL, NULL);

  self = gr_alias_item_new ();
  self->name = g_strdup (gr_client_json_string (object, "name"));
  self->source = g_strdup (gr_client_json_string (object, "source"));
  targets = gr_client_json_array (object, "targets");
  weights = gr_client_json_array (object, "weights");
  for (guint i = 0; targets != NULL && i < json_array_get_length (targets); i++)
    {
      JsonNode *e = json_array_get_element (targets, i);
      const char *model = NULL;
      guint weight = 1;

      if (JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING)
        model = json_node_get_string (e);
      else if (JSON_NODE_HOLDS_OBJECT (e))
        {
          model = gr_client_json_string (json_node_get_object (e), "model");
          weight = (guint) CLAMP (gr_client_json_int (json_node_get_object (e), "weight", 1), 1, G_MAXUINT16);
        }
      if (model == NULL)
        continue;
      if (weights != NULL && i < json_array_get_length (weights))
        {
          JsonNode *w = json_array_get_element (weights, i);

          if (JSON_NODE_HOLDS_VALUE (w) && json_node_get_value_type (w) == G_TYPE_INT64)
            weight = (guint) CLAMP (json_node_get_int (w), 1, G_MAXUINT16);
        }
      g_strv_builder_add (names, model);
      g_array_append_val (values, weight);
    }
  g_strfreev (self->targets);
  self->targets = g_strv_builder_end (names);
  g_array_set_size (self->weights, 0);
  g_array_append_vals (self->weights, values->data, values->len);
  strategy = gr_client_json_string (object, "strategy");
  if (strategy == NULL && weights != NULL)
    strategy = "weighted";
  if (strategy != NULL)
    gr_client_set_string (&self->strategy, strategy);
  return self;
}

/**
 * gr_alias_item_copy:
 *
 * Returns: (transfer full): a new object with the same values
 */
GrAliasItem *
gr_alias_item_copy (GrAliasItem *self)
{
  GrAliasItem *copy;

  g_return_val_if_fail (GR_IS_ALIAS_ITEM (self), NULL);

  copy = gr_alias_item_new ();
  gr_item_copy_fields (G_OBJECT (copy), G_OBJECT (self), fields, N_PROPS);
  g_array_set_size (copy->weights, 0);
  g_array_append_vals (copy->weights, self->weights->data, self->weights->len);
  return copy;
}

const char *
gr_alias_item_get_name (GrAliasItem *self)
{
  g_return_val_if_fail (GR_IS_ALIAS_ITEM (self), NULL);

  return self->name;
}

void
gr_alias_item_set_name (GrAliasItem *self,
                        const char  *name)
{
  g_return_if_fail (GR_IS_ALIAS_ITEM (self));

  gr_item_set_string (G_OBJECT (self), &self->name, name, properties[PROP_NAME]);
}

const char *
gr_alias_item_get_strategy (GrAliasItem *self)
{
  g_return_val_if_fail (GR_IS_ALIAS_ITEM (self), NULL);

  return self->strategy;
}

void
gr_alias_item_set_strategy (GrAliasItem *self,
                            const char  *strategy)
{
  g_return_if_fail (GR_IS_ALIAS_ITEM (self));

  gr_item_set_string (G_OBJECT (self), &self->strategy, strategy, properties[PROP_STRATEGY]);
}

const char *
gr_alias_item_get_source (GrAliasItem *self)
{
  g_return_val_if_fail (GR_IS_ALIAS_ITEM (self), NULL);

  return self->source;
}

const char * const *
gr_alias_item_get_targets (GrAliasItem *self)
{
  g_return_val_if_fail (GR_IS_ALIAS_ITEM (self), NULL);

  return (const char * const *) self->targets;
}

const guint *
gr_alias_item_get_weights (GrAliasItem *self,
                           guint       *n_weights)
{
  g_return_val_if_fail (GR_IS_ALIAS_ITEM (self), NULL);

  if (n_weights != NULL)
    *n_weights = self->weights->len;
  return (const guint *) (gpointer) self->weights->data;
}

void
gr_alias_item_set_targets (GrAliasItem        *self,
                           const char * const *targets,
                           const guint        *weights)
{
  guint n;

  g_return_if_fail (GR_IS_ALIAS_ITEM (self));

  gr_client_set_strv (&self->targets, targets);
  n = g_strv_length (self->targets);
  g_array_set_size (self->weights, n);
  for (guint i = 0; i < n; i++)
    g_array_index (self->weights, guint, i) = weights != NULL ? MAX (weights[i], 1) : 1;
  /* Weights are not a property: notify "targets" for any change. */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TARGETS]);
}
