/* gr-model-item.h — a model of the registry: names, window, prices
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define GR_TYPE_MODEL_ITEM (gr_model_item_get_type ())

G_DECLARE_FINAL_TYPE (GrModelItem, gr_model_item, GR, MODEL_ITEM, GObject)

/* Properties (readable and writable):
 *
 *   "id"                     string, "openai/gpt-4o"
 *   "provider"               string, "openai"
 *   "upstream"               string, the name sent upstream
 *   "aliases"                GStrv
 *   "context-length"         gint64 tokens, 0 = unknown
 *   "max-output-tokens"      gint64 tokens, 0 = unknown
 *   "input-per-mtok", "output-per-mtok", "cached-input-per-mtok",
 *   "cache-write-per-mtok"   gint64 micro-USD per million tokens
 *   "tools", "vision", "json", "reasoning", "sampling"
 *                            gboolean capabilities
 *   "created"                gint64 Unix ms (the API says Unix seconds)
 *   "source"                 string, read-only: "file" (models.json or the
 *                            configuration file) or "api"
 */

GrModelItem        *gr_model_item_new                       (void);
GrModelItem        *gr_model_item_new_from_json             (JsonObject         *object);
GrModelItem        *gr_model_item_copy                      (GrModelItem        *self);

const char         *gr_model_item_get_id                    (GrModelItem        *self);
void                gr_model_item_set_id                    (GrModelItem        *self,
                                                             const char         *id);
const char         *gr_model_item_get_provider              (GrModelItem        *self);
void                gr_model_item_set_provider              (GrModelItem        *self,
                                                             const char         *provider);
const char         *gr_model_item_get_upstream              (GrModelItem        *self);
void                gr_model_item_set_upstream              (GrModelItem        *self,
                                                             const char         *upstream);
const char * const *gr_model_item_get_aliases               (GrModelItem        *self);
void                gr_model_item_set_aliases               (GrModelItem        *self,
                                                             const char * const *aliases);
gint64              gr_model_item_get_context_length        (GrModelItem        *self);
void                gr_model_item_set_context_length        (GrModelItem        *self,
                                                             gint64              tokens);
gint64              gr_model_item_get_max_output_tokens     (GrModelItem        *self);
void                gr_model_item_set_max_output_tokens     (GrModelItem        *self,
                                                             gint64              tokens);
gint64              gr_model_item_get_input_per_mtok        (GrModelItem        *self);
void                gr_model_item_set_input_per_mtok        (GrModelItem        *self,
                                                             gint64              micros);
gint64              gr_model_item_get_output_per_mtok       (GrModelItem        *self);
void                gr_model_item_set_output_per_mtok       (GrModelItem        *self,
                                                             gint64              micros);
gint64              gr_model_item_get_cached_input_per_mtok (GrModelItem        *self);
void                gr_model_item_set_cached_input_per_mtok (GrModelItem        *self,
                                                             gint64              micros);
gint64              gr_model_item_get_cache_write_per_mtok  (GrModelItem        *self);
void                gr_model_item_set_cache_write_per_mtok  (GrModelItem        *self,
                                                             gint64              micros);
gboolean            gr_model_item_get_tools                 (GrModelItem        *self);
gboolean            gr_model_item_get_vision                (GrModelItem        *self);
gboolean            gr_model_item_get_json                  (GrModelItem        *self);
gboolean            gr_model_item_get_reasoning             (GrModelItem        *self);
gboolean            gr_model_item_get_sampling              (GrModelItem        *self);
gint64              gr_model_item_get_created               (GrModelItem        *self);
const char         *gr_model_item_get_source                (GrModelItem        *self);
void                gr_model_item_set_capabilities          (GrModelItem        *self,
                                                             gboolean            tools,
                                                             gboolean            vision,
                                                             gboolean            json,
                                                             gboolean            reasoning,
                                                             gboolean            sampling);

G_END_DECLS
