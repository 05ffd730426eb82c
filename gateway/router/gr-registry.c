/* gr-registry.c — the model registry: ids, aliases, limits and prices
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "router/gr-registry.h"

#define MICROS_PER_UNIT G_GINT64_CONSTANT (1000000)

/* ------------------------------------------------------------------ */
/* Names                                                               */
/* ------------------------------------------------------------------ */

/* Names travel in URLs, JSON and key files; whitespace or control
 * characters in them are always a mistake. */
static gboolean
is_valid_name (const char *name)
{
  if (name == NULL || *name == '\0')
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p))
      return FALSE;
  return TRUE;
}

/* A provider name is the prefix before the first '/' of a model name. */
static gboolean
is_valid_provider_name (const char *name)
{
  if (name == NULL || *name == '\0')
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* GrModelInfo                                                         */
/* ------------------------------------------------------------------ */

GrModelInfo *
gr_model_info_new (const char *id,
                   const char *provider,
                   const char *upstream)
{
  GrModelInfo *info = g_new0 (GrModelInfo, 1);

  g_atomic_ref_count_init (&info->ref_count);
  info->id = g_strdup (id);
  info->provider = g_strdup (provider);
  info->upstream = g_strdup (upstream);
  info->aliases = g_new0 (char *, 1);
  return info;
}

GrModelInfo *
gr_model_info_copy (const GrModelInfo *info)
{
  GrModelInfo *copy;

  g_return_val_if_fail (info != NULL, NULL);

  copy = gr_model_info_new (info->id, info->provider, info->upstream);
  gr_model_info_set_aliases (copy, (const char * const *) info->aliases);
  copy->context_length = info->context_length;
  copy->max_output_tokens = info->max_output_tokens;
  copy->input_per_mtok = info->input_per_mtok;
  copy->output_per_mtok = info->output_per_mtok;
  copy->cached_input_per_mtok = info->cached_input_per_mtok;
  copy->cache_write_per_mtok = info->cache_write_per_mtok;
  copy->capabilities = info->capabilities;
  copy->created = info->created;
  return copy;
}

GrModelInfo *
gr_model_info_ref (GrModelInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);
  g_atomic_ref_count_inc (&info->ref_count);
  return info;
}

void
gr_model_info_unref (GrModelInfo *info)
{
  if (info == NULL || !g_atomic_ref_count_dec (&info->ref_count))
    return;
  g_free (info->id);
  g_free (info->provider);
  g_free (info->upstream);
  g_strfreev (info->aliases);
  g_free (info);
}

void
gr_model_info_set_aliases (GrModelInfo        *info,
                           const char * const *aliases)
{
  g_return_if_fail (info != NULL);

  g_strfreev (info->aliases);
  info->aliases = aliases != NULL ? g_strdupv ((char **) aliases) : g_new0 (char *, 1);
}

static gboolean
check_range (const GrModelInfo *info,
             const char        *field,
             gint64             value,
             gint64             max,
             GError           **error)
{
  if (value >= 0 && value <= max)
    return TRUE;
  g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
               "model \"%s\": %s: %" G_GINT64_FORMAT " is out of range "
               "(0 to %" G_GINT64_FORMAT ")",
               info->id, field, value, max);
  return FALSE;
}

static gboolean
validate_names (const GrModelInfo *info,
                GError           **error)
{
  if (!is_valid_name (info->id))
    {
      g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                   "model \"%s\": id: must be a non-empty name without spaces",
                   info->id ? info->id : "");
      return FALSE;
    }
  if (!is_valid_provider_name (info->provider))
    {
      g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                   "model \"%s\": provider: \"%s\" is not a provider name "
                   "(letters, digits, '-', '_', '.')",
                   info->id, info->provider ? info->provider : "");
      return FALSE;
    }
  if (!is_valid_name (info->upstream))
    {
      g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                   "model \"%s\": upstream: must be a non-empty name without spaces",
                   info->id);
      return FALSE;
    }
  for (guint i = 0; info->aliases[i] != NULL; i++)
    {
      if (!is_valid_name (info->aliases[i]))
        {
          g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                       "model \"%s\": aliases[%u]: must be a non-empty name "
                       "without spaces", info->id, i);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
gr_model_info_validate (const GrModelInfo *info,
                        GError           **error)
{
  g_return_val_if_fail (info != NULL, FALSE);

  return validate_names (info, error)
    && check_range (info, "context_length", info->context_length, G_MAXINT32, error)
    && check_range (info, "max_output_tokens", info->max_output_tokens, G_MAXINT32, error)
    && check_range (info, "input_per_mtok", info->input_per_mtok, GR_PRICE_MAX_PER_MTOK, error)
    && check_range (info, "output_per_mtok", info->output_per_mtok, GR_PRICE_MAX_PER_MTOK, error)
    && check_range (info, "cached_input_per_mtok", info->cached_input_per_mtok,
                    GR_PRICE_MAX_PER_MTOK, error)
    && check_range (info, "cache_write_per_mtok", info->cache_write_per_mtok,
                    GR_PRICE_MAX_PER_MTOK, error)
    && check_range (info, "created", info->created, G_MAXINT64, error);
}

/* Σ tokens × price / 10⁶ computed exactly in 64 bits: each token count is
 * split as hi × 10⁶ + lo, so hi × price is already whole micro-USD and only
 * lo × price (< 10⁶ × GR_PRICE_MAX_PER_MTOK = 10¹⁸) carries a fraction.
 * Fractions are summed and rounded once, so four terms that each end in
 * half a micro-dollar do not each round up. */
typedef struct
{
  guint64  whole;     /* micro-USD */
  guint64  fraction;  /* micro-USD × 10⁶ */
  gboolean overflow;
} CostSum;

static void
cost_sum_add (CostSum *sum,
              gint64   tokens,
              gint64   price_per_mtok)
{
  guint64 hi, lo, product;

  if (tokens <= 0 || price_per_mtok <= 0)
    return;
  price_per_mtok = MIN (price_per_mtok, GR_PRICE_MAX_PER_MTOK);
  hi = (guint64) tokens / MICROS_PER_UNIT;
  lo = (guint64) tokens % MICROS_PER_UNIT;
  /* At most four terms below 10¹⁸ each: no overflow in a guint64. */
  sum->fraction += lo * (guint64) price_per_mtok;
  if (!g_uint64_checked_mul (&product, hi, (guint64) price_per_mtok)
      || !g_uint64_checked_add (&sum->whole, sum->whole, product))
    sum->overflow = TRUE;
}

static gint64
cost_sum_finish (const CostSum *sum)
{
  guint64 total;

  /* Round half up, once. */
  if (sum->overflow
      || !g_uint64_checked_add (&total, sum->whole,
                                (sum->fraction + MICROS_PER_UNIT / 2) / MICROS_PER_UNIT)
      || total > (guint64) G_MAXINT64)
    return G_MAXINT64;
  return (gint64) total;
}

/**
 * gr_model_info_cost_micros:
 * @info: (nullable): the model, or %NULL when it is not in the registry
 * @usage: the usage of one request
 *
 * Integer micro-USD for @usage: uncached prompt tokens at the input price,
 * cache reads at the cached price, cache writes at the write price and
 * completion tokens (reasoning included) at the output price, rounded half
 * up once at the end.  When the upstream reported its own cost
 * (OpenRouter), that figure is what was billed and wins.  A model the
 * registry does not know costs 0: we cannot price it, and refusing the
 * request would break local and pass-through models.  A result too large
 * for a gint64 saturates at %G_MAXINT64.
 */
gint64
gr_model_info_cost_micros (const GrModelInfo *info,
                           const GrUsage     *usage)
{
  CostSum sum = { 0, 0, FALSE };
  gint64 cached, writes, uncached;

  g_return_val_if_fail (usage != NULL, 0);

  if (usage->upstream_cost_micros >= 0)
    return usage->upstream_cost_micros;
  if (info == NULL)
    return 0;

  cached = MAX (usage->cached_tokens, 0);
  writes = MAX (usage->cache_write_tokens, 0);
  /* prompt_tokens includes cache reads and writes (gr-usage.h); an
   * inconsistent upstream must not produce a negative term. */
  uncached = MAX (usage->prompt_tokens, 0);
  uncached = uncached > cached ? uncached - cached : 0;
  uncached = uncached > writes ? uncached - writes : 0;

  cost_sum_add (&sum, uncached, info->input_per_mtok);
  cost_sum_add (&sum, cached, info->cached_input_per_mtok);
  cost_sum_add (&sum, writes, info->cache_write_per_mtok);
  cost_sum_add (&sum, usage->completion_tokens, info->output_per_mtok);
  return cost_sum_finish (&sum);
}

JsonNode *
gr_model_info_to_json (const GrModelInfo *info)
{
  g_autoptr(JsonBuilder) b = NULL;
  const GrModelCapabilities *caps;

  g_return_val_if_fail (info != NULL, NULL);

  b = json_builder_new ();
  caps = &info->capabilities;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, info->id);
  json_builder_set_member_name (b, "object");
  json_builder_add_string_value (b, "model");
  json_builder_set_member_name (b, "created");
  json_builder_add_int_value (b, info->created);
  json_builder_set_member_name (b, "owned_by");
  json_builder_add_string_value (b, info->provider);

  json_builder_set_member_name (b, "aliases");
  json_builder_begin_array (b);
  for (guint i = 0; info->aliases[i] != NULL; i++)
    json_builder_add_string_value (b, info->aliases[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "context_length");
  json_builder_add_int_value (b, info->context_length);
  json_builder_set_member_name (b, "max_output_tokens");
  json_builder_add_int_value (b, info->max_output_tokens);

  json_builder_set_member_name (b, "pricing");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "input_per_mtok");
  json_builder_add_int_value (b, info->input_per_mtok);
  json_builder_set_member_name (b, "output_per_mtok");
  json_builder_add_int_value (b, info->output_per_mtok);
  json_builder_set_member_name (b, "cached_input_per_mtok");
  json_builder_add_int_value (b, info->cached_input_per_mtok);
  json_builder_set_member_name (b, "cache_write_per_mtok");
  json_builder_add_int_value (b, info->cache_write_per_mtok);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "capabilities");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "tools");
  json_builder_add_boolean_value (b, caps->tools);
  json_builder_set_member_name (b, "vision");
  json_builder_add_boolean_value (b, caps->vision);
  json_builder_set_member_name (b, "json");
  json_builder_add_boolean_value (b, caps->json);
  json_builder_set_member_name (b, "reasoning");
  json_builder_add_boolean_value (b, caps->reasoning);
  json_builder_set_member_name (b, "sampling");
  json_builder_add_boolean_value (b, caps->sampling);
  json_builder_end_object (b);

  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ------------------------------------------------------------------ */
/* GrRouteAlias                                                        */
/* ------------------------------------------------------------------ */

const char *
gr_alias_strategy_to_string (GrAliasStrategy strategy)
{
  return strategy == GR_ALIAS_STRATEGY_WEIGHTED ? "weighted" : "fallback";
}

gboolean
gr_alias_strategy_from_string (const char      *str,
                               GrAliasStrategy *strategy)
{
  if (g_strcmp0 (str, "fallback") == 0)
    *strategy = GR_ALIAS_STRATEGY_FALLBACK;
  else if (g_strcmp0 (str, "weighted") == 0)
    *strategy = GR_ALIAS_STRATEGY_WEIGHTED;
  else
    return FALSE;
  return TRUE;
}

static gboolean
check_alias_targets (const char         *name,
                     const char * const *targets,
                     const guint        *weights,
                     GError            **error)
{
  if (targets == NULL || targets[0] == NULL)
    {
      g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                   "alias \"%s\": targets: must list at least one model", name);
      return FALSE;
    }
  for (guint i = 0; targets[i] != NULL; i++)
    {
      if (!is_valid_name (targets[i]))
        {
          g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                       "alias \"%s\": targets[%u]: must be a non-empty model "
                       "name without spaces", name, i);
          return FALSE;
        }
      if (weights != NULL && (weights[i] == 0 || weights[i] > GR_ALIAS_MAX_WEIGHT))
        {
          g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                       "alias \"%s\": targets[%u] (\"%s\"): weight must be an "
                       "integer from 1 to %u", name, i, targets[i], GR_ALIAS_MAX_WEIGHT);
          return FALSE;
        }
    }
  if (g_strv_length ((char **) targets) > GR_ALIAS_MAX_TARGETS)
    {
      g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                   "alias \"%s\": targets: more than %u", name, GR_ALIAS_MAX_TARGETS);
      return FALSE;
    }
  return TRUE;
}

GrRouteAlias *
gr_route_alias_new (const char         *name,
                    GrAliasStrategy     strategy,
                    const char * const *targets,
                    const guint        *weights,
                    GError            **error)
{
  GrRouteAlias *alias;

  if (!is_valid_name (name))
    {
      g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                   "alias \"%s\": name: must be non-empty without spaces",
                   name ? name : "");
      return NULL;
    }
  if (!check_alias_targets (name, targets, weights, error))
    return NULL;

  alias = g_new0 (GrRouteAlias, 1);
  g_atomic_ref_count_init (&alias->ref_count);
  alias->name = g_strdup (name);
  alias->strategy = strategy;
  alias->n_targets = g_strv_length ((char **) targets);
  alias->targets = g_new0 (GrAliasTarget, alias->n_targets);
  for (guint i = 0; i < alias->n_targets; i++)
    {
      alias->targets[i].model = g_strdup (targets[i]);
      alias->targets[i].weight = weights != NULL ? weights[i] : 1;
    }
  return alias;
}

GrRouteAlias *
gr_route_alias_ref (GrRouteAlias *alias)
{
  g_return_val_if_fail (alias != NULL, NULL);
  g_atomic_ref_count_inc (&alias->ref_count);
  return alias;
}

void
gr_route_alias_unref (GrRouteAlias *alias)
{
  if (alias == NULL || !g_atomic_ref_count_dec (&alias->ref_count))
    return;
  for (guint i = 0; i < alias->n_targets; i++)
    g_free (alias->targets[i].model);
  g_free (alias->targets);
  g_free (alias->name);
  g_free (alias);
}

/* ADMIN-API (providers and models) */
JsonNode *
gr_route_alias_to_json (const GrRouteAlias *alias)
{
  g_autoptr(JsonBuilder) b = NULL;

  g_return_val_if_fail (alias != NULL, NULL);

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, alias->name);
  json_builder_set_member_name (b, "strategy");
  json_builder_add_string_value (b, gr_alias_strategy_to_string (alias->strategy));
  json_builder_set_member_name (b, "targets");
  json_builder_begin_array (b);
  for (guint i = 0; i < alias->n_targets; i++)
    json_builder_add_string_value (b, alias->targets[i].model);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "weights");
  json_builder_begin_array (b);
  for (guint i = 0; i < alias->n_targets; i++)
    json_builder_add_int_value (b, alias->targets[i].weight);
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
/* end ADMIN-API */

/* ------------------------------------------------------------------ */
/* Tables: the registry's content, swapped as a whole on load          */
/* ------------------------------------------------------------------ */

typedef struct
{
  GHashTable *models;         /* id → GrModelInfo* */
  GHashTable *model_aliases;  /* alias → id (owned copy) */
  GHashTable *routes;         /* name → GrRouteAlias* */
} Tables;

static Tables *
tables_new (void)
{
  Tables *t = g_new0 (Tables, 1);

  t->models = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                     (GDestroyNotify) gr_model_info_unref);
  t->model_aliases = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  t->routes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                     (GDestroyNotify) gr_route_alias_unref);
  return t;
}

static void
tables_free (Tables *t)
{
  if (t == NULL)
    return;
  g_hash_table_unref (t->models);
  g_hash_table_unref (t->model_aliases);
  g_hash_table_unref (t->routes);
  g_free (t);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Tables, tables_free)

/* The entries are immutable, so a copy shares them. */
static Tables *
tables_copy (Tables *src)
{
  Tables *t = tables_new ();
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, src->models);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (t->models, ((GrModelInfo *) value)->id, gr_model_info_ref (value));
  g_hash_table_iter_init (&iter, src->model_aliases);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (t->model_aliases, g_strdup (key), g_strdup (value));
  g_hash_table_iter_init (&iter, src->routes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (t->routes, ((GrRouteAlias *) value)->name, gr_route_alias_ref (value));
  return t;
}

static GrModelInfo *
tables_find_model (Tables     *t,
                   const char *name)
{
  GrModelInfo *info = g_hash_table_lookup (t->models, name);
  const char *id;

  if (info != NULL)
    return info;
  id = g_hash_table_lookup (t->model_aliases, name);
  return id != NULL ? g_hash_table_lookup (t->models, id) : NULL;
}

/* Ids and model aliases share one namespace, so a name always means one
 * model.  The model being replaced (same id) may keep its own names. */
static gboolean
tables_check_names (Tables            *t,
                    const GrModelInfo *info,
                    GError           **error)
{
  const char *owner = g_hash_table_lookup (t->model_aliases, info->id);

  if (owner != NULL && g_strcmp0 (owner, info->id) != 0)
    {
      g_set_error (error, GR_ERROR, GR_ERROR_CONFLICT,
                   "model \"%s\": id: already an alias of \"%s\"", info->id, owner);
      return FALSE;
    }
  for (guint i = 0; info->aliases[i] != NULL; i++)
    {
      const char *alias = info->aliases[i];

      owner = g_hash_table_lookup (t->model_aliases, alias);
      if (owner == NULL && g_hash_table_contains (t->models, alias))
        owner = alias;
      if (owner != NULL && g_strcmp0 (owner, info->id) != 0)
        {
          g_set_error (error, GR_ERROR, GR_ERROR_CONFLICT,
                       "model \"%s\": aliases[%u]: \"%s\" already names \"%s\"",
                       info->id, i, alias, owner);
          return FALSE;
        }
    }
  return TRUE;
}

static void
tables_unindex_aliases (Tables            *t,
                        const GrModelInfo *info)
{
  for (guint i = 0; info->aliases[i] != NULL; i++)
    if (g_strcmp0 (g_hash_table_lookup (t->model_aliases, info->aliases[i]), info->id) == 0)
      g_hash_table_remove (t->model_aliases, info->aliases[i]);
}

/* Takes ownership of info. */
static gboolean
tables_put_model (Tables      *t,
                  GrModelInfo *info,
                  GError     **error)
{
  g_autoptr(GrModelInfo) owned = info;
  GrModelInfo *old;

  if (!gr_model_info_validate (owned, error) || !tables_check_names (t, owned, error))
    return FALSE;

  old = g_hash_table_lookup (t->models, owned->id);
  if (old != NULL)
    tables_unindex_aliases (t, old);
  for (guint i = 0; owned->aliases[i] != NULL; i++)
    g_hash_table_insert (t->model_aliases, g_strdup (owned->aliases[i]), g_strdup (owned->id));
  /* Replace the key too: the old one belongs to the entry being freed. */
  g_hash_table_replace (t->models, owned->id, owned);
  g_steal_pointer (&owned);
  return TRUE;
}

static void
tables_put_route (Tables       *t,
                  GrRouteAlias *alias)
{
  g_hash_table_replace (t->routes, alias->name, alias);
}

/* ------------------------------------------------------------------ */
/* Parsing models.json                                                 */
/* ------------------------------------------------------------------ */

/* Reads an optional integer member into *out (left alone when absent or
 * null).  json-glib turns an integer literal too big for 64 bits into a
 * negative number, so the range check also catches overflow. */
static gboolean
json_read_int (JsonObject *obj,
               const char *member,
               gint64      max,
               const char *where,
               gint64     *out,
               GError    **error)
{
  JsonNode *node = json_object_get_member (obj, member);
  gint64 value;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                   "%s: %s: must be an integer", where, member);
      return FALSE;
    }
  value = json_node_get_int (node);
  if (value < 0 || value > max)
    {
      g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                   "%s: %s: must be an integer from 0 to %" G_GINT64_FORMAT,
                   where, member, max);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

static const char *
json_read_string (JsonObject *obj,
                  const char *member,
                  const char *where,
                  GError    **error)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                   "%s: %s: must be a string", where, member);
      return NULL;
    }
  return json_node_get_string (node);
}

static gboolean
json_require (JsonObject *obj,
              const char *member,
              const char *where,
              GError    **error)
{
  if (json_object_has_member (obj, member))
    return TRUE;
  g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
               "%s: %s: missing", where, member);
  return FALSE;
}

static gboolean
json_read_aliases (JsonObject  *obj,
                   GrModelInfo *info,
                   const char  *where,
                   GError     **error)
{
  JsonNode *node = json_object_get_member (obj, "aliases");
  g_autoptr(GPtrArray) names = NULL;
  JsonArray *array;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                   "%s: aliases: must be an array of strings", where);
      return FALSE;
    }
  array = json_node_get_array (node);
  names = g_ptr_array_new ();
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element)
          || json_node_get_value_type (element) != G_TYPE_STRING)
        {
          g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                       "%s: aliases[%u]: must be a string", where, i);
          return FALSE;
        }
      g_ptr_array_add (names, (gpointer) json_node_get_string (element));
    }
  g_ptr_array_add (names, NULL);
  gr_model_info_set_aliases (info, (const char * const *) names->pdata);
  return TRUE;
}

static gboolean
json_read_capabilities (JsonObject  *obj,
                        GrModelInfo *info,
                        const char  *where,
                        GError     **error)
{
  static const char * const names[] = { "tools", "vision", "json", "reasoning", "sampling" };
  gboolean *fields[G_N_ELEMENTS (names)];
  JsonNode *node = json_object_get_member (obj, "capabilities");
  JsonObject *caps;

  fields[0] = &info->capabilities.tools;
  fields[1] = &info->capabilities.vision;
  fields[2] = &info->capabilities.json;
  fields[3] = &info->capabilities.reasoning;
  fields[4] = &info->capabilities.sampling;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                   "%s: capabilities: must be an object", where);
      return FALSE;
    }
  caps = json_node_get_object (node);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      JsonNode *value = json_object_get_member (caps, names[i]);

      if (value == NULL || JSON_NODE_HOLDS_NULL (value))
        continue;
      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_BOOLEAN)
        {
          g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                       "%s: capabilities.%s: must be true or false", where, names[i]);
          return FALSE;
        }
      *fields[i] = json_node_get_boolean (value);
    }
  return TRUE;
}

static gboolean
json_read_prices (JsonObject  *obj,
                  GrModelInfo *info,
                  const char  *where,
                  GError     **error)
{
  const gint64 max = GR_PRICE_MAX_PER_MTOK;

  /* A missing price would silently make a model free; demand both. */
  if (!json_require (obj, "input_per_mtok", where, error)
      || !json_require (obj, "output_per_mtok", where, error)
      || !json_read_int (obj, "input_per_mtok", max, where, &info->input_per_mtok, error)
      || !json_read_int (obj, "output_per_mtok", max, where, &info->output_per_mtok, error))
    return FALSE;
  /* Without a cache price we assume no discount rather than a free cache. */
  info->cached_input_per_mtok = info->input_per_mtok;
  info->cache_write_per_mtok = info->input_per_mtok;
  return json_read_int (obj, "cached_input_per_mtok", max, where,
                        &info->cached_input_per_mtok, error)
    && json_read_int (obj, "cache_write_per_mtok", max, where,
                      &info->cache_write_per_mtok, error);
}

/* "<provider>/<rest>" → rest; anything else → the whole id. */
static const char *
default_upstream (const char *id,
                  const char *provider)
{
  gsize len = strlen (provider);

  if (strncmp (id, provider, len) == 0 && id[len] == '/' && id[len + 1] != '\0')
    return id + len + 1;
  return id;
}

static GrModelInfo *
parse_model (JsonNode *node,
             guint     index,
             GError  **error)
{
  /* G_MAXUINT: a single entry (the admin API), not a file's array. */
  g_autofree char *where = index == G_MAXUINT ? g_strdup ("model") : g_strdup_printf ("models[%u]", index);
  g_autoptr(GrModelInfo) info = NULL;
  const char *id, *provider, *upstream;
  JsonObject *obj;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, GR_ERROR, GR_ERROR_INVALID, "%s: must be an object", where);
      return NULL;
    }
  obj = json_node_get_object (node);
  if (!json_require (obj, "id", where, error)
      || (id = json_read_string (obj, "id", where, error)) == NULL)
    return NULL;

  g_free (where);
  where = index == G_MAXUINT ? g_strdup_printf ("model \"%s\"", id)
                             : g_strdup_printf ("models[%u] (\"%s\")", index, id);
  if (!json_require (obj, "provider", where, error)
      || (provider = json_read_string (obj, "provider", where, error)) == NULL)
    return NULL;
  upstream = json_read_string (obj, "upstream", where, error);
  if (upstream == NULL && json_object_has_member (obj, "upstream"))
    return NULL;

  info = gr_model_info_new (id, provider, upstream ? upstream : default_upstream (id, provider));
  if (!json_read_prices (obj, info, where, error)
      || !json_read_int (obj, "context_length", G_MAXINT32, where, &info->context_length, error)
      || !json_read_int (obj, "max_output_tokens", G_MAXINT32, where,
                         &info->max_output_tokens, error)
      || !json_read_int (obj, "created", G_MAXINT64, where, &info->created, error)
      || !json_read_aliases (obj, info, where, error)
      || !json_read_capabilities (obj, info, where, error))
    return NULL;
  return g_steal_pointer (&info);
}

/* ADMIN-API (providers and models) */
GrModelInfo *
gr_model_info_new_from_json (JsonNode  *node,
                             GError   **error)
{
  g_autoptr(GrModelInfo) info = NULL;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  info = parse_model (node, G_MAXUINT, error);
  /* parse_model leaves name checks to tables_put_model; a caller of this
   * function gets an entry that is valid on its own. */
  if (info == NULL || !gr_model_info_validate (info, error))
    return NULL;
  return g_steal_pointer (&info);
}
/* end ADMIN-API */

static gboolean
parse_models (Tables    *t,
              JsonNode  *node,
              GError   **error)
{
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, GR_ERROR, GR_ERROR_INVALID, "models: must be an array");
      return FALSE;
    }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      GrModelInfo *info = parse_model (json_array_get_element (array, i), i, error);

      if (info == NULL)
        return FALSE;
      if (g_hash_table_contains (t->models, info->id))
        {
          g_set_error (error, GR_ERROR, GR_ERROR_CONFLICT,
                       "models[%u] (\"%s\"): id: duplicate", i, info->id);
          gr_model_info_unref (info);
          return FALSE;
        }
      if (!tables_put_model (t, info, error))
        {
          g_prefix_error (error, "models[%u]: ", i);
          return FALSE;
        }
    }
  return TRUE;
}

/* A target is "model" or {"model": "…", "weight": n}. */
static gboolean
parse_alias_target (JsonNode   *node,
                    const char *where,
                    const char **model,
                    guint       *weight,
                    GError     **error)
{
  JsonObject *obj;
  gint64 w = 1;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      *model = json_node_get_string (node);
      *weight = 1;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                   "%s: must be a model name or {\"model\", \"weight\"}", where);
      return FALSE;
    }
  obj = json_node_get_object (node);
  if (!json_require (obj, "model", where, error)
      || (*model = json_read_string (obj, "model", where, error)) == NULL
      || !json_read_int (obj, "weight", GR_ALIAS_MAX_WEIGHT, where, &w, error))
    return FALSE;
  *weight = (guint) w;
  return TRUE;
}

static GrRouteAlias *
parse_alias (const char *name,
             JsonNode   *node,
             GError    **error)
{
  g_autofree char *where = g_strdup_printf ("aliases.%s", name);
  g_autoptr(GPtrArray) models = g_ptr_array_new ();
  g_autoptr(GArray) weights = g_array_new (FALSE, FALSE, sizeof (guint));
  GrAliasStrategy strategy = GR_ALIAS_STRATEGY_FALLBACK;
  const char *strategy_str;
  JsonNode *targets_node;
  JsonObject *obj;
  JsonArray *targets;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, GR_ERROR, GR_ERROR_INVALID, "%s: must be an object", where);
      return NULL;
    }
  obj = json_node_get_object (node);
  strategy_str = json_read_string (obj, "strategy", where, error);
  if (strategy_str == NULL && json_object_has_member (obj, "strategy"))
    return NULL;
  if (strategy_str != NULL && !gr_alias_strategy_from_string (strategy_str, &strategy))
    {
      g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                   "%s: strategy: \"%s\" is neither \"fallback\" nor \"weighted\"",
                   where, strategy_str);
      return NULL;
    }
  if (!json_require (obj, "targets", where, error))
    return NULL;
  /* json_object_get_array_member() would warn on another type. */
  targets_node = json_object_get_member (obj, "targets");
  if (!JSON_NODE_HOLDS_ARRAY (targets_node))
    {
      g_set_error (error, GR_ERROR, GR_ERROR_INVALID, "%s: targets: must be an array", where);
      return NULL;
    }
  targets = json_node_get_array (targets_node);
  for (guint i = 0; i < json_array_get_length (targets); i++)
    {
      g_autofree char *target_where = g_strdup_printf ("%s: targets[%u]", where, i);
      const char *model = NULL;
      guint weight = 1;

      if (!parse_alias_target (json_array_get_element (targets, i), target_where,
                               &model, &weight, error))
        return NULL;
      g_ptr_array_add (models, (gpointer) model);
      g_array_append_val (weights, weight);
    }
  g_ptr_array_add (models, NULL);
  return gr_route_alias_new (name, strategy, (const char * const *) models->pdata,
                             (const guint *) weights->data, error);
}

static gboolean
parse_aliases (Tables   *t,
               JsonNode *node,
               GError  **error)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, GR_ERROR, GR_ERROR_INVALID, "aliases: must be an object");
      return FALSE;
    }
  json_object_iter_init (&iter, json_node_get_object (node));
  while (json_object_iter_next (&iter, &name, &value))
    {
      GrRouteAlias *alias = parse_alias (name, value, error);

      if (alias == NULL)
        return FALSE;
      tables_put_route (t, alias);
    }
  return TRUE;
}

static Tables *
parse_document (const char *data,
                gssize      len,
                GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(Tables) t = NULL;
  JsonNode *root;
  JsonObject *obj;

  if (!json_parser_load_from_data (parser, data, len, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                   "the model registry must be a JSON object");
      return NULL;
    }
  obj = json_node_get_object (root);
  t = tables_new ();
  if (!parse_models (t, json_object_get_member (obj, "models"), error)
      || !parse_aliases (t, json_object_get_member (obj, "aliases"), error))
    return NULL;
  return g_steal_pointer (&t);
}

/* ------------------------------------------------------------------ */
/* GrRegistry                                                          */
/* ------------------------------------------------------------------ */

struct _GrRegistry
{
  gatomicrefcount ref_count;
  GRWLock         lock;    /* guards tables (the pointer and its content) */
  Tables         *tables;
};

GrRegistry *
gr_registry_new (void)
{
  GrRegistry *registry = g_new0 (GrRegistry, 1);

  g_atomic_ref_count_init (&registry->ref_count);
  g_rw_lock_init (&registry->lock);
  registry->tables = tables_new ();
  return registry;
}

GrRegistry *
gr_registry_ref (GrRegistry *registry)
{
  g_return_val_if_fail (registry != NULL, NULL);
  g_atomic_ref_count_inc (&registry->ref_count);
  return registry;
}

void
gr_registry_unref (GrRegistry *registry)
{
  if (registry == NULL || !g_atomic_ref_count_dec (&registry->ref_count))
    return;
  tables_free (registry->tables);
  g_rw_lock_clear (&registry->lock);
  g_free (registry);
}

/* Installs new content; the old tables are freed outside the lock. */
static void
registry_swap_tables (GrRegistry *registry,
                      Tables     *tables)
{
  Tables *old;

  g_rw_lock_writer_lock (&registry->lock);
  old = registry->tables;
  registry->tables = tables;
  g_rw_lock_writer_unlock (&registry->lock);
  tables_free (old);
}

void
gr_registry_take_contents (GrRegistry *registry,
                           GrRegistry *source)
{
  Tables *tables;

  g_return_if_fail (registry != NULL);
  g_return_if_fail (source != NULL);
  g_return_if_fail (registry != source);

  g_rw_lock_writer_lock (&source->lock);
  tables = source->tables;
  source->tables = tables_new ();
  g_rw_lock_writer_unlock (&source->lock);
  registry_swap_tables (registry, tables);
}

gboolean
gr_registry_load_data (GrRegistry  *registry,
                       const char  *data,
                       gssize       len,
                       GError     **error)
{
  Tables *tables;

  g_return_val_if_fail (registry != NULL, FALSE);
  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  tables = parse_document (data, len, error);
  if (tables == NULL)
    return FALSE;
  registry_swap_tables (registry, tables);
  return TRUE;
}

gboolean
gr_registry_load_file (GrRegistry  *registry,
                       const char  *path,
                       GError     **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_return_val_if_fail (registry != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_file_get_contents (path, &contents, &length, error))
    return FALSE;
  if (!gr_registry_load_data (registry, contents, (gssize) length, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  return TRUE;
}

GrModelInfo *
gr_registry_lookup (GrRegistry *registry,
                    const char *id)
{
  GrModelInfo *info;

  g_return_val_if_fail (registry != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  g_rw_lock_reader_lock (&registry->lock);
  info = g_hash_table_lookup (registry->tables->models, id);
  if (info != NULL)
    gr_model_info_ref (info);
  g_rw_lock_reader_unlock (&registry->lock);
  return info;
}

GrModelInfo *
gr_registry_lookup_alias (GrRegistry *registry,
                          const char *alias)
{
  GrModelInfo *info = NULL;
  const char *id;

  g_return_val_if_fail (registry != NULL, NULL);
  g_return_val_if_fail (alias != NULL, NULL);

  g_rw_lock_reader_lock (&registry->lock);
  id = g_hash_table_lookup (registry->tables->model_aliases, alias);
  if (id != NULL)
    info = g_hash_table_lookup (registry->tables->models, id);
  if (info != NULL)
    gr_model_info_ref (info);
  g_rw_lock_reader_unlock (&registry->lock);
  return info;
}

GrModelInfo *
gr_registry_find_model (GrRegistry *registry,
                        const char *name)
{
  GrModelInfo *info;

  g_return_val_if_fail (registry != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  g_rw_lock_reader_lock (&registry->lock);
  info = tables_find_model (registry->tables, name);
  if (info != NULL)
    gr_model_info_ref (info);
  g_rw_lock_reader_unlock (&registry->lock);
  return info;
}

GrRouteAlias *
gr_registry_lookup_route (GrRegistry *registry,
                          const char *name)
{
  GrRouteAlias *alias;

  g_return_val_if_fail (registry != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  g_rw_lock_reader_lock (&registry->lock);
  alias = g_hash_table_lookup (registry->tables->routes, name);
  if (alias != NULL)
    gr_route_alias_ref (alias);
  g_rw_lock_reader_unlock (&registry->lock);
  return alias;
}

gint64
gr_registry_lookup_default_max_tokens (GrRegistry *registry,
                                       const char *name)
{
  g_autoptr(GrModelInfo) info = NULL;

  g_return_val_if_fail (registry != NULL, 0);
  g_return_val_if_fail (name != NULL, 0);

  info = gr_registry_find_model (registry, name);
  return info != NULL ? info->max_output_tokens : 0;
}

static int
compare_models_by_id (gconstpointer a,
                      gconstpointer b)
{
  const GrModelInfo *ma = *(const GrModelInfo * const *) a;
  const GrModelInfo *mb = *(const GrModelInfo * const *) b;

  return strcmp (ma->id, mb->id);
}

static int
compare_routes_by_name (gconstpointer a,
                        gconstpointer b)
{
  const GrRouteAlias *ra = *(const GrRouteAlias * const *) a;
  const GrRouteAlias *rb = *(const GrRouteAlias * const *) b;

  return strcmp (ra->name, rb->name);
}

GPtrArray *
gr_registry_list (GrRegistry *registry)
{
  GPtrArray *list;
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (registry != NULL, NULL);

  list = g_ptr_array_new_with_free_func ((GDestroyNotify) gr_model_info_unref);
  g_rw_lock_reader_lock (&registry->lock);
  g_hash_table_iter_init (&iter, registry->tables->models);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, gr_model_info_ref (value));
  g_rw_lock_reader_unlock (&registry->lock);
  g_ptr_array_sort (list, compare_models_by_id);
  return list;
}

GPtrArray *
gr_registry_list_routes (GrRegistry *registry)
{
  GPtrArray *list;
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (registry != NULL, NULL);

  list = g_ptr_array_new_with_free_func ((GDestroyNotify) gr_route_alias_unref);
  g_rw_lock_reader_lock (&registry->lock);
  g_hash_table_iter_init (&iter, registry->tables->routes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, gr_route_alias_ref (value));
  g_rw_lock_reader_unlock (&registry->lock);
  g_ptr_array_sort (list, compare_routes_by_name);
  return list;
}

guint
gr_registry_get_n_models (GrRegistry *registry)
{
  guint n;

  g_return_val_if_fail (registry != NULL, 0);

  g_rw_lock_reader_lock (&registry->lock);
  n = g_hash_table_size (registry->tables->models);
  g_rw_lock_reader_unlock (&registry->lock);
  return n;
}

gboolean
gr_registry_upsert_model (GrRegistry        *registry,
                          const GrModelInfo *info,
                          GError           **error)
{
  gboolean ok;

  g_return_val_if_fail (registry != NULL, FALSE);
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* tables_put_model checks everything before it changes anything. */
  g_rw_lock_writer_lock (&registry->lock);
  ok = tables_put_model (registry->tables, gr_model_info_copy (info), error);
  g_rw_lock_writer_unlock (&registry->lock);
  return ok;
}

gboolean
gr_registry_remove_model (GrRegistry  *registry,
                          const char  *id,
                          GError     **error)
{
  GrModelInfo *info;

  g_return_val_if_fail (registry != NULL, FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_rw_lock_writer_lock (&registry->lock);
  info = g_hash_table_lookup (registry->tables->models, id);
  if (info != NULL)
    {
      tables_unindex_aliases (registry->tables, info);
      g_hash_table_remove (registry->tables->models, id);
    }
  g_rw_lock_writer_unlock (&registry->lock);

  if (info == NULL)
    {
      g_set_error (error, GR_ERROR, GR_ERROR_NOT_FOUND, "model \"%s\" is not in the registry", id);
      return FALSE;
    }
  return TRUE;
}

gboolean
gr_registry_set_alias (GrRegistry         *registry,
                       const char         *name,
                       GrAliasStrategy     strategy,
                       const char * const *targets,
                       const guint        *weights,
                       GError            **error)
{
  GrRouteAlias *alias;

  g_return_val_if_fail (registry != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  alias = gr_route_alias_new (name, strategy, targets, weights, error);
  if (alias == NULL)
    return FALSE;
  g_rw_lock_writer_lock (&registry->lock);
  tables_put_route (registry->tables, alias);
  g_rw_lock_writer_unlock (&registry->lock);
  return TRUE;
}

gboolean
gr_registry_remove_alias (GrRegistry  *registry,
                          const char  *name,
                          GError     **error)
{
  gboolean removed;

  g_return_val_if_fail (registry != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_rw_lock_writer_lock (&registry->lock);
  removed = g_hash_table_remove (registry->tables->routes, name);
  g_rw_lock_writer_unlock (&registry->lock);

  if (!removed)
    g_set_error (error, GR_ERROR, GR_ERROR_NOT_FOUND, "alias \"%s\" does not exist", name);
  return removed;
}

/* ------------------------------------------------------------------ */
/* Key file sections                                                   */
/* ------------------------------------------------------------------ */

typedef struct
{
  const char *key;
  gsize       offset;  /* of a gint64 in GrModelInfo */
  gint64      max;
} IntKey;

static const IntKey model_int_keys[] = {
  { "input_per_mtok", G_STRUCT_OFFSET (GrModelInfo, input_per_mtok), GR_PRICE_MAX_PER_MTOK },
  { "output_per_mtok", G_STRUCT_OFFSET (GrModelInfo, output_per_mtok), GR_PRICE_MAX_PER_MTOK },
  { "cached_input_per_mtok", G_STRUCT_OFFSET (GrModelInfo, cached_input_per_mtok), GR_PRICE_MAX_PER_MTOK },
  { "cache_write_per_mtok", G_STRUCT_OFFSET (GrModelInfo, cache_write_per_mtok), GR_PRICE_MAX_PER_MTOK },
  { "context_length", G_STRUCT_OFFSET (GrModelInfo, context_length), G_MAXINT32 },
  { "max_output_tokens", G_STRUCT_OFFSET (GrModelInfo, max_output_tokens), G_MAXINT32 },
};

typedef struct
{
  const char *key;
  gsize       offset;  /* of a gboolean in GrModelCapabilities */
} BoolKey;

static const BoolKey model_bool_keys[] = {
  { "tools", G_STRUCT_OFFSET (GrModelCapabilities, tools) },
  { "vision", G_STRUCT_OFFSET (GrModelCapabilities, vision) },
  { "json", G_STRUCT_OFFSET (GrModelCapabilities, json) },
  { "reasoning", G_STRUCT_OFFSET (GrModelCapabilities, reasoning) },
  { "sampling", G_STRUCT_OFFSET (GrModelCapabilities, sampling) },
};

static gboolean
is_known_model_key (const char *key)
{
  static const char * const others[] = { "provider", "upstream", "aliases", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (model_int_keys); i++)
    if (strcmp (key, model_int_keys[i].key) == 0)
      return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (model_bool_keys); i++)
    if (strcmp (key, model_bool_keys[i].key) == 0)
      return TRUE;
  return g_strv_contains (others, key);
}

/* A typo in a key name would otherwise be silently ignored. */
static gboolean
keyfile_check_keys (GKeyFile   *keyfile,
                    const char *group,
                    GError    **error)
{
  g_auto(GStrv) keys = g_key_file_get_keys (keyfile, group, NULL, NULL);

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      if (!is_known_model_key (keys[i]))
        {
          g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                       "[%s]: %s: unknown key", group, keys[i]);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
keyfile_read_ints (GKeyFile    *keyfile,
                   const char  *group,
                   GrModelInfo *info,
                   GError     **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (model_int_keys); i++)
    {
      const IntKey *k = &model_int_keys[i];
      g_autofree char *value = g_key_file_get_value (keyfile, group, k->key, NULL);
      guint64 parsed;

      if (value == NULL)
        continue;
      g_strstrip (value);
      if (!g_ascii_string_to_unsigned (value, 10, 0, (guint64) k->max, &parsed, NULL))
        {
          g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                       "[%s]: %s: \"%s\" is not an integer from 0 to %" G_GINT64_FORMAT,
                       group, k->key, value, k->max);
          return FALSE;
        }
      G_STRUCT_MEMBER (gint64, info, k->offset) = (gint64) parsed;
    }
  return TRUE;
}

static gboolean
keyfile_read_bools (GKeyFile    *keyfile,
                    const char  *group,
                    GrModelInfo *info,
                    GError     **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (model_bool_keys); i++)
    {
      const BoolKey *k = &model_bool_keys[i];
      g_autoptr(GError) local_error = NULL;
      gboolean value;

      if (!g_key_file_has_key (keyfile, group, k->key, NULL))
        continue;
      value = g_key_file_get_boolean (keyfile, group, k->key, &local_error);
      if (local_error != NULL)
        {
          g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                       "[%s]: %s: %s", group, k->key, local_error->message);
          return FALSE;
        }
      G_STRUCT_MEMBER (gboolean, &info->capabilities, k->offset) = value;
    }
  return TRUE;
}

/* Takes ownership of value; key files allow stray spaces around values. */
static void
replace_string (char **field,
                char  *value)
{
  g_free (*field);
  *field = g_strstrip (value);
}

/* The entry a [model:<id>] section starts from: the current one, or a new
 * one that must bring its own prices. */
static GrModelInfo *
keyfile_base_model (Tables     *t,
                    GKeyFile   *keyfile,
                    const char *group,
                    const char *id,
                    GError    **error)
{
  GrModelInfo *current = g_hash_table_lookup (t->models, id);
  g_autofree char *provider = NULL;
  const char *slash;

  if (current != NULL)
    return gr_model_info_copy (current);
  if (!g_key_file_has_key (keyfile, group, "input_per_mtok", NULL)
      || !g_key_file_has_key (keyfile, group, "output_per_mtok", NULL))
    {
      g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                   "[%s]: a new model needs input_per_mtok and output_per_mtok", group);
      return NULL;
    }
  slash = strchr (id, '/');
  provider = slash != NULL ? g_strndup (id, slash - id) : NULL;
  return gr_model_info_new (id, provider, slash != NULL ? slash + 1 : id);
}

static gboolean
keyfile_apply_model (Tables     *t,
                     GKeyFile   *keyfile,
                     const char *group,
                     GError    **error)
{
  const char *id = group + strlen ("model:");
  g_autoptr(GrModelInfo) info = NULL;
  g_autofree char *provider = NULL;
  g_autofree char *upstream = NULL;
  g_auto(GStrv) aliases = NULL;

  if (!keyfile_check_keys (keyfile, group, error))
    return FALSE;
  info = keyfile_base_model (t, keyfile, group, id, error);
  if (info == NULL)
    return FALSE;

  provider = g_key_file_get_string (keyfile, group, "provider", NULL);
  if (provider != NULL)
    replace_string (&info->provider, g_steal_pointer (&provider));
  upstream = g_key_file_get_string (keyfile, group, "upstream", NULL);
  if (upstream != NULL)
    replace_string (&info->upstream, g_steal_pointer (&upstream));
  aliases = g_key_file_get_string_list (keyfile, group, "aliases", NULL, NULL);
  if (aliases != NULL)
    gr_model_info_set_aliases (info, (const char * const *) aliases);

  if (!keyfile_read_ints (keyfile, group, info, error)
      || !keyfile_read_bools (keyfile, group, info, error))
    return FALSE;
  if (!tables_put_model (t, g_steal_pointer (&info), error))
    {
      g_prefix_error (error, "[%s]: ", group);
      return FALSE;
    }
  return TRUE;
}

static gboolean
keyfile_read_weights (GKeyFile   *keyfile,
                      const char *group,
                      gsize       n_targets,
                      guint     **weights_out,
                      GError    **error)
{
  g_autofree int *values = NULL;
  g_autofree guint *weights = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize n = 0;

  if (!g_key_file_has_key (keyfile, group, "weights", NULL))
    return TRUE;
  values = g_key_file_get_integer_list (keyfile, group, "weights", &n, &local_error);
  if (values == NULL || n != n_targets)
    {
      g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                   "[%s]: weights: need one positive integer per target (%s)", group,
                   local_error ? local_error->message : "count differs");
      return FALSE;
    }
  weights = g_new0 (guint, n);
  for (gsize i = 0; i < n; i++)
    {
      if (values[i] <= 0)
        {
          g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                       "[%s]: weights: %d is not a positive integer", group, values[i]);
          return FALSE;
        }
      weights[i] = (guint) values[i];
    }
  *weights_out = g_steal_pointer (&weights);
  return TRUE;
}

static gboolean
keyfile_apply_alias (Tables     *t,
                     GKeyFile   *keyfile,
                     const char *group,
                     GError    **error)
{
  const char *name = group + strlen ("alias:");
  g_auto(GStrv) targets = NULL;
  g_autofree guint *weights = NULL;
  g_autofree char *strategy_str = NULL;
  GrAliasStrategy strategy = GR_ALIAS_STRATEGY_FALLBACK;
  GrRouteAlias *alias;
  gsize n_targets = 0;

  targets = g_key_file_get_string_list (keyfile, group, "targets", &n_targets, NULL);
  if (targets == NULL || n_targets == 0)
    {
      g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                   "[%s]: targets: must list at least one model", group);
      return FALSE;
    }
  if (!keyfile_read_weights (keyfile, group, n_targets, &weights, error))
    return FALSE;
  strategy_str = g_key_file_get_string (keyfile, group, "strategy", NULL);
  if (strategy_str == NULL && weights != NULL)
    strategy = GR_ALIAS_STRATEGY_WEIGHTED;
  else if (strategy_str != NULL
           && !gr_alias_strategy_from_string (g_strstrip (strategy_str), &strategy))
    {
      g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                   "[%s]: strategy: \"%s\" is neither \"fallback\" nor \"weighted\"",
                   group, strategy_str);
      return FALSE;
    }

  alias = gr_route_alias_new (name, strategy, (const char * const *) targets, weights, error);
  if (alias == NULL)
    {
      g_prefix_error (error, "[%s]: ", group);
      return FALSE;
    }
  tables_put_route (t, alias);
  return TRUE;
}

static gboolean
keyfile_apply_groups (Tables     *tables,
                      GKeyFile   *keyfile,
                      GError    **error)
{
  g_auto(GStrv) groups = g_key_file_get_groups (keyfile, NULL);

  /* Other groups belong to the gateway configuration. */
  for (guint i = 0; groups[i] != NULL; i++)
    {
      if (g_str_has_prefix (groups[i], "model:")
          && !keyfile_apply_model (tables, keyfile, groups[i], error))
        return FALSE;
      if (g_str_has_prefix (groups[i], "alias:")
          && !keyfile_apply_alias (tables, keyfile, groups[i], error))
        return FALSE;
    }
  return TRUE;
}

gboolean
gr_registry_apply_keyfile (GrRegistry  *registry,
                           GKeyFile    *keyfile,
                           GError     **error)
{
  Tables *tables, *old;
  gboolean ok;

  g_return_val_if_fail (registry != NULL, FALSE);
  g_return_val_if_fail (keyfile != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Work on a copy so that a bad section leaves the registry as it was;
   * hold the writer lock throughout so no concurrent change is lost. */
  g_rw_lock_writer_lock (&registry->lock);
  tables = tables_copy (registry->tables);
  ok = keyfile_apply_groups (tables, keyfile, error);
  if (ok)
    {
      old = registry->tables;
      registry->tables = tables;
    }
  else
    old = tables;
  g_rw_lock_writer_unlock (&registry->lock);
  tables_free (old);
  return ok;
}
