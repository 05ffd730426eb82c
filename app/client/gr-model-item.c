/* gr-model-item.c — a model of the registry: names, window, prices
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "gr-client-json-private.h"
#include "gr-item-private.h"
#include "gr-model-item.h"

struct _GrModelItem
{
  GObject parent_instance;

  char    *id;
  char    *provider;
  char    *upstream;
  char   **aliases;
  gint64   context_length;
  gint64   max_output_tokens;
  gint64   input_per_mtok;
  gint64   output_per_mtok;
  gint64   cached_input_per_mtok;
  gint64   cache_write_per_mtok;
  gboolean tools;
  gboolean vision;
  gboolean json;
  gboolean reasoning;
  gboolean sampling;
  gint64   created;
  char    *source;
};

G_DEFINE_FINAL_TYPE (GrModelItem, gr_model_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_PROVIDER,
  PROP_UPSTREAM,
  PROP_ALIASES,
  PROP_CONTEXT_LENGTH,
  PROP_MAX_OUTPUT_TOKENS,
  PROP_INPUT_PER_MTOK,
  PROP_OUTPUT_PER_MTOK,
  PROP_CACHED_INPUT_PER_MTOK,
  PROP_CACHE_WRITE_PER_MTOK,
  PROP_TOOLS,
  PROP_VISION,
  PROP_JSON,
  PROP_REASONING,
  PROP_SAMPLING,
  PROP_CREATED,
  PROP_SOURCE,
  N_PROPS
};

#define F(member) GR_ITEM_FIELD (GrModelItem, member)

static const GrItemField fields[N_PROPS] = {
  [PROP_ID] = { "id", GR_ITEM_STRING, F (id), TRUE },
  [PROP_PROVIDER] = { "provider", GR_ITEM_STRING, F (provider), TRUE },
  [PROP_UPSTREAM] = { "upstream", GR_ITEM_STRING, F (upstream), TRUE },
  [PROP_ALIASES] = { "aliases", GR_ITEM_STRV, F (aliases), TRUE },
  [PROP_CONTEXT_LENGTH] = { "context-length", GR_ITEM_INT64, F (context_length), TRUE },
  [PROP_MAX_OUTPUT_TOKENS] = { "max-output-tokens", GR_ITEM_INT64, F (max_output_tokens), TRUE },
  [PROP_INPUT_PER_MTOK] = { "input-per-mtok", GR_ITEM_INT64, F (input_per_mtok), TRUE },
  [PROP_OUTPUT_PER_MTOK] = { "output-per-mtok", GR_ITEM_INT64, F (output_per_mtok), TRUE },
  [PROP_CACHED_INPUT_PER_MTOK] = { "cached-input-per-mtok", GR_ITEM_INT64, F (cached_input_per_mtok), TRUE },
  [PROP_CACHE_WRITE_PER_MTOK] = { "cache-write-per-mtok", GR_ITEM_INT64, F (cache_write_per_mtok), TRUE },
  [PROP_TOOLS] = { "tools", GR_ITEM_BOOL, F (tools), TRUE },
  [PROP_VISION] = { "vision", GR_ITEM_BOOL, F (vision), TRUE },
  [PROP_JSON] = { "json", GR_ITEM_BOOL, F (json), TRUE },
  [PROP_REASONING] = { "reasoning", GR_ITEM_BOOL, F (reasoning), TRUE },
  [PROP_SAMPLING] = { "sampling", GR_ITEM_BOOL, F (sampling), TRUE },
  [PROP_CREATED] = { "created", GR_ITEM_INT64, F (created), TRUE },
  [PROP_SOURCE] = { "source", GR_ITEM_STRING, F (source), FALSE },
};

#undef F

static GParamSpec *properties[N_PROPS];

static void
gr_model_item_finalize (GObject *object)
{
  gr_item_free_fields (object, fields, N_PROPS);
  G_OBJECT_CLASS (gr_model_item_parent_class)->finalize (object);
}

static void
gr_model_item_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  gr_item_get_property (object, fields, prop_id, value);
}

static void
gr_model_item_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  gr_item_set_property (object, fields, prop_id, value, pspec);
}

static void
gr_model_item_class_init (GrModelItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gr_model_item_finalize;
  object_class->get_property = gr_model_item_get_property;
  object_class->set_property = gr_model_item_set_property;
  gr_item_class_install (object_class, fields, N_PROPS, properties);
}

static void
gr_model_item_init (GrModelItem *self)
{
  gr_item_init_defaults (G_OBJECT (self), fields, N_PROPS);
}

GrModelItem *
gr_model_item_new (void)
{
  return g_object_new (GR_TYPE_MODEL_ITEM, NULL);
}

/**
 * gr_model_item_new_from_json:
 * @object: a model as /v1/registry/models and data/models.json write it
 *
 * Returns: (transfer full): a new #GrModelItem
 */
GrModelItem *
gr_model_item_new_from_json (JsonObject *object)
{
  GrModelItem *self;
  JsonObject *caps;

  g_return_val_if_fail (object != NULL, NULL);

  self = gr_model_item_new ();
  caps = gr_client_json_object (object, "capabilities");
  self->id = g_strdup (gr_client_json_string (object, "id"));
  self->provider = g_strdup (gr_client_json_string (object, "provider"));
  self->upstream = g_strdup (gr_client_json_string (object, "upstream"));
  g_strfreev (self->aliases);
  self->aliases = gr_client_json_strv (object, "aliases");
  self->context_length = gr_client_json_int (object, "context_length", 0);
  self->max_output_tokens = gr_client_json_int (object, "max_output_tokens", 0);
  self->input_per_mtok = gr_client_json_int (object, "input_per_mtok", 0);
  self->output_per_mtok = gr_client_json_int (object, "output_per_mtok", 0);
  self->cached_input_per_mtok = gr_client_json_int (object, "cached_input_per_mtok", self->input_per_mtok);
  self->cache_write_per_mtok = gr_client_json_int (object, "cache_write_per_mtok", self->input_per_mtok);
  self->tools = gr_client_json_bool (caps, "tools", FALSE);
  self->vision = gr_client_json_bool (caps, "vision", FALSE);
  self->json = gr_client_json_bool (caps, "json", FALSE);
  self->reasoning = gr_client_json_bool (caps, "reasoning", FALSE);
  self->sampling = gr_client_json_bool (caps, "sampling", FALSE);
  /* Unix seconds in the API, milliseconds like every other time here. */
  self->created = gr_client_json_int (object, "created", 0) * 1000;
  self->source = g_strdup (gr_client_json_string (object, "source"));
  return self;
}

/**
 * gr_model_item_copy:
 *
 * Returns: (transfer full): a new object with the same values
 */
GrModelItem *
gr_model_item_copy (GrModelItem *self)
{
  GrModelItem *copy;

  g_return_val_if_fail (GR_IS_MODEL_ITEM (self), NULL);

  copy = gr_model_item_new ();
  gr_item_copy_fields (G_OBJECT (copy), G_OBJECT (self), fields, N_PROPS);
  return copy;
}

#define GETTER(type, prop, fallback) \
  type gr_model_item_get_##prop (GrModelItem *self) \
  { g_return_val_if_fail (GR_IS_MODEL_ITEM (self), fallback); return self->prop; }
#define STRING_SETTER(prop, PROP) \
  void gr_model_item_set_##prop (GrModelItem *self, const char *value) \
  { g_return_if_fail (GR_IS_MODEL_ITEM (self)); \
    gr_item_set_string (G_OBJECT (self), &self->prop, value, properties[PROP]); }
#define INT64_SETTER(prop, PROP) \
  void gr_model_item_set_##prop (GrModelItem *self, gint64 value) \
  { g_return_if_fail (GR_IS_MODEL_ITEM (self)); g_return_if_fail (value >= 0); \
    gr_item_set_int64 (G_OBJECT (self), &self->prop, value, properties[PROP]); }

GETTER (const char *, id, NULL)
GETTER (const char *, provider, NULL)
GETTER (const char *, upstream, NULL)
GETTER (gint64, context_length, 0)
GETTER (gint64, max_output_tokens, 0)
GETTER (gint64, input_per_mtok, 0)
GETTER (gint64, output_per_mtok, 0)
GETTER (gint64, cached_input_per_mtok, 0)
GETTER (gint64, cache_write_per_mtok, 0)
GETTER (gboolean, tools, FALSE)
GETTER (gboolean, vision, FALSE)
GETTER (gboolean, json, FALSE)
GETTER (gboolean, reasoning, FALSE)
GETTER (gboolean, sampling, FALSE)
GETTER (gint64, created, 0)
GETTER (const char *, source, NULL)

void
gr_model_item_set_capabilities (GrModelItem *self,
                                gboolean     tools,
                                gboolean     vision,
                                gboolean     json,
                                gboolean     reasoning,
                                gboolean     sampling)
{
  g_return_if_fail (GR_IS_MODEL_ITEM (self));

  g_object_freeze_notify (G_OBJECT (self));
  gr_item_set_bool (G_OBJECT (self), &self->tools, tools, properties[PROP_TOOLS]);
  gr_item_set_bool (G_OBJECT (self), &self->vision, vision, properties[PROP_VISION]);
  gr_item_set_bool (G_OBJECT (self), &self->json, json, properties[PROP_JSON]);
  gr_item_set_bool (G_OBJECT (self), &self->reasoning, reasoning, properties[PROP_REASONING]);
  gr_item_set_bool (G_OBJECT (self), &self->sampling, sampling, properties[PROP_SAMPLING]);
  g_object_thaw_notify (G_OBJECT (self));
}

const char * const *
gr_model_item_get_aliases (GrModelItem *self)
{
  g_return_val_if_fail (GR_IS_MODEL_ITEM (self), NULL);

  return (const char * const *) self->aliases;
}

void
gr_model_item_set_aliases (GrModelItem        *self,
                           const char * const *aliases)
{
  g_return_if_fail (GR_IS_MODEL_ITEM (self));

  gr_item_set_strv (G_OBJECT (self), &self->aliases, aliases, properties[PROP_ALIASES]);
}

STRING_SETTER (id, PROP_ID)
STRING_SETTER (provider, PROP_PROVIDER)
STRING_SETTER (upstream, PROP_UPSTREAM)
INT64_SETTER (context_length, PROP_CONTEXT_LENGTH)
INT64_SETTER (max_output_tokens, PROP_MAX_OUTPUT_TOKENS)
INT64_SETTER (input_per_mtok, PROP_INPUT_PER_MTOK)
INT64_SETTER (output_per_mtok, PROP_OUTPUT_PER_MTOK)
INT64_SETTER (cached_input_per_mtok, PROP_CACHED_INPUT_PER_MTOK)
INT64_SETTER (cache_write_per_mtok, PROP_CACHE_WRITE_PER_MTOK)
