/* gr-registry.h — the model registry: ids, aliases, limits and prices
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The registry says which models GaiaRouter knows, what they are called
 * upstream, how big their windows are and what they cost.  It starts from
 * data/models.json and can be changed at run time by the admin API or by
 * [model:…] / [alias:…] sections of the configuration file.
 *
 * File format (data/models.json)
 * ==============================
 *
 *   {
 *     "version": 1,
 *     "models": [
 *       {
 *         "id": "openai/gpt-4o",          required; "<provider>/<name>" by convention
 *         "provider": "openai",            required; a configured provider name
 *         "upstream": "gpt-4o",            name sent upstream; default: id without
 *                                          "<provider>/"
 *         "aliases": ["gpt-4o"],           other names clients may use
 *         "context_length": 128000,        tokens, 0 = unknown
 *         "max_output_tokens": 16384,      tokens, 0 = unknown
 *         "input_per_mtok": 2500000,       required; integer micro-USD per
 *         "output_per_mtok": 10000000,     million tokens ($2.50/M = 2500000)
 *         "cached_input_per_mtok": 1250000, default: input_per_mtok
 *         "cache_write_per_mtok": 2500000,  default: input_per_mtok
 *         "capabilities": {"tools": true, "vision": true, "json": true,
 *                          "reasoning": false, "sampling": true},
 *                                          each default false
 *         "created": 1715367049            Unix seconds, for /v1/models
 *       }
 *     ],
 *     "aliases": {
 *       "smart": {"targets": ["anthropic/claude-sonnet-4-5", "openai/gpt-4o"]},
 *       "fast": {"strategy": "weighted",
 *                "targets": [{"model": "openai/gpt-4o-mini", "weight": 3},
 *                            {"model": "google/gemini-2.5-flash", "weight": 1}]}
 *     }
 *   }
 *
 * Prices must be integers in 0 … GR_PRICE_MAX_PER_MTOK: a fraction or a
 * negative number is an error rather than something rounded, because a
 * silently wrong price is a billing bug.  Unknown members are ignored so
 * newer files still load.  Ids and aliases are case-sensitive and share one
 * namespace: an alias may not name another model's id or alias.
 *
 * An alias (top-level "aliases") is a route: "fallback" (the default) tries
 * its targets in order; "weighted" orders them by a weighted random draw
 * (weights 1 to 65535, default 1).  A target is a model name as
 * a client would write it, never another route alias, so aliases cannot
 * loop.  A route alias and a model alias of the same name: the route wins.
 *
 * Thread safety
 * =============
 *
 * A GrRegistry is reference counted and guards its tables with a GRWLock:
 * any number of gateway threads may look models up while an admin call
 * changes them.  Lookups return a new reference to an immutable
 * GrModelInfo / GrRouteAlias, so a caller keeps a consistent entry for a
 * whole request even if the entry is replaced meanwhile.  Never modify an
 * entry obtained from the registry; gr_registry_upsert_model() stores a
 * copy of what it is given.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "core/gr-error.h"
#include "providers/gr-usage.h"

G_BEGIN_DECLS

/* One million US dollars per million tokens: far above any real price and
 * low enough that price × tokens cannot overflow the cost arithmetic. */
#define GR_PRICE_MAX_PER_MTOK G_GINT64_CONSTANT (1000000000000)

typedef struct
{
  gboolean tools;
  gboolean vision;
  gboolean json;       /* response_format json_object / json_schema */
  gboolean reasoning;  /* thinks before answering (reasoning tokens) */
  gboolean sampling;   /* accepts temperature / top_p */
} GrModelCapabilities;

typedef struct
{
  /*< private >*/
  gatomicrefcount ref_count;

  /*< public >*/
  char               *id;        /* "openai/gpt-4o" */
  char               *provider;  /* "openai" */
  char               *upstream;  /* "gpt-4o" */
  char              **aliases;   /* NULL-terminated, never NULL */
  gint64              context_length;
  gint64              max_output_tokens;
  gint64              input_per_mtok;        /* micro-USD per million tokens */
  gint64              output_per_mtok;
  gint64              cached_input_per_mtok;
  gint64              cache_write_per_mtok;
  GrModelCapabilities capabilities;
  gint64              created;   /* Unix seconds */
} GrModelInfo;

GrModelInfo *gr_model_info_new   (const char        *id,
                                  const char        *provider,
                                  const char        *upstream);
GrModelInfo *gr_model_info_copy  (const GrModelInfo *info);
GrModelInfo *gr_model_info_ref   (GrModelInfo       *info);
void         gr_model_info_unref (GrModelInfo       *info);
/* Replaces the aliases (a NULL-terminated list, or NULL for none). */
void         gr_model_info_set_aliases (GrModelInfo        *info,
                                        const char * const *aliases);
gboolean     gr_model_info_validate    (const GrModelInfo  *info,
                                        GError            **error);
/* Cost of one request in integer micro-USD, rounded half up once.  The
 * upstream's own figure (usage->upstream_cost_micros ≥ 0, OpenRouter) wins;
 * otherwise a NULL info — a model not in the registry — costs 0. */
gint64       gr_model_info_cost_micros (const GrModelInfo *info,
                                        const GrUsage     *usage);
/* The OpenAI "model" object of /v1/models, with GaiaRouter's extra
 * members (context_length, max_output_tokens, pricing, capabilities). */
JsonNode    *gr_model_info_to_json     (const GrModelInfo *info);

/* ADMIN-API (providers and models): one entry in the models.json format
 * (see above), checked like a file entry and validated; GR_ERROR_INVALID
 * names the field.  Unknown members are ignored, as in the file. */
GrModelInfo *gr_model_info_new_from_json (JsonNode           *node,
                                          GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GrModelInfo, gr_model_info_unref)

typedef enum
{
  GR_ALIAS_STRATEGY_FALLBACK,
  GR_ALIAS_STRATEGY_WEIGHTED,
} GrAliasStrategy;

const char *gr_alias_strategy_to_string   (GrAliasStrategy  strategy);
gboolean    gr_alias_strategy_from_string (const char      *str,
                                           GrAliasStrategy *strategy);

/* Bounds that keep a weighted draw within 32 bits. */
#define GR_ALIAS_MAX_WEIGHT  65535u
#define GR_ALIAS_MAX_TARGETS 256u

typedef struct
{
  char *model;   /* a model id or model alias */
  guint weight;  /* > 0 */
} GrAliasTarget;

typedef struct
{
  /*< private >*/
  gatomicrefcount ref_count;

  /*< public >*/
  char           *name;
  GrAliasStrategy strategy;
  GrAliasTarget  *targets;
  guint           n_targets;
} GrRouteAlias;

/* weights may be NULL (all 1). */
GrRouteAlias *gr_route_alias_new   (const char         *name,
                                    GrAliasStrategy     strategy,
                                    const char * const *targets,
                                    const guint        *weights,
                                    GError            **error);
GrRouteAlias *gr_route_alias_ref   (GrRouteAlias       *alias);
void          gr_route_alias_unref (GrRouteAlias       *alias);

/* ADMIN-API (providers and models): {"name", "strategy", "targets": [names],
 * "weights": [numbers]} — the shape the admin API reads and answers. */
JsonNode     *gr_route_alias_to_json (const GrRouteAlias *alias);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GrRouteAlias, gr_route_alias_unref)

typedef struct _GrRegistry GrRegistry;

GrRegistry   *gr_registry_new   (void);
GrRegistry   *gr_registry_ref   (GrRegistry  *registry);
void          gr_registry_unref (GrRegistry  *registry);

/* Both replace the whole content of the registry, or leave it untouched
 * and set *error (GR_ERROR_INVALID naming the entry and field,
 * GR_ERROR_CONFLICT for clashing names, or the file / JSON error). */
gboolean      gr_registry_load_file (GrRegistry  *registry,
                                     const char  *path,
                                     GError     **error);
/* Moves everything source holds into registry, replacing what registry
 * held (lookups see either the old or the new content, never a mix);
 * source is left empty.  For a registry rebuilt from its sources while
 * requests go on. */
void          gr_registry_take_contents (GrRegistry *registry,
                                         GrRegistry *source);
gboolean      gr_registry_load_data (GrRegistry  *registry,
                                     const char  *data,
                                     gssize       len,
                                     GError     **error);

/* Lookups return a new reference, or NULL.  Names are case-sensitive. */
GrModelInfo  *gr_registry_lookup          (GrRegistry *registry,
                                           const char *id);
GrModelInfo  *gr_registry_lookup_alias    (GrRegistry *registry,
                                           const char *alias);
/* By id, then by model alias. */
GrModelInfo  *gr_registry_find_model      (GrRegistry *registry,
                                           const char *name);
GrRouteAlias *gr_registry_lookup_route    (GrRegistry *registry,
                                           const char *name);
/* max_output_tokens of the model an id or alias names, 0 if unknown. */
gint64        gr_registry_lookup_default_max_tokens (GrRegistry *registry,
                                                     const char *name);

/* All models sorted by id, as new references (free the array). */
GPtrArray    *gr_registry_list        (GrRegistry *registry);
/* All route aliases sorted by name, as new references. */
GPtrArray    *gr_registry_list_routes (GrRegistry *registry);
guint         gr_registry_get_n_models (GrRegistry *registry);

/* Adds a model or replaces the one with the same id (a copy is stored). */
gboolean      gr_registry_upsert_model (GrRegistry        *registry,
                                        const GrModelInfo *info,
                                        GError           **error);
/* GR_ERROR_NOT_FOUND when there is no such id. */
gboolean      gr_registry_remove_model (GrRegistry  *registry,
                                        const char  *id,
                                        GError     **error);
/* Adds or replaces a route alias.  weights may be NULL (all 1). */
gboolean      gr_registry_set_alias    (GrRegistry         *registry,
                                        const char         *name,
                                        GrAliasStrategy     strategy,
                                        const char * const *targets,
                                        const guint        *weights,
                                        GError            **error);
gboolean      gr_registry_remove_alias (GrRegistry  *registry,
                                        const char  *name,
                                        GError     **error);

/* Applies [model:<id>] and [alias:<name>] sections of a configuration
 * file.  A [model:] section for a known id overrides only the keys it has;
 * for a new id it needs input_per_mtok and output_per_mtok, and provider /
 * upstream default to the parts of "<provider>/<upstream>".  Keys:
 * provider, upstream, input_per_mtok, output_per_mtok,
 * cached_input_per_mtok, cache_write_per_mtok, context_length,
 * max_output_tokens, aliases=a;b.  [alias:<name>]: targets=a;b,
 * weights=3;1, strategy=fallback|weighted (weighted when weights are given
 * and strategy is not).  All sections are checked before any is applied. */
gboolean      gr_registry_apply_keyfile (GrRegistry  *registry,
                                         GKeyFile    *keyfile,
                                         GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GrRegistry, gr_registry_unref)

G_END_DECLS
