/* gr-store-registry.h — model registry entries made through the admin API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Models (registry_models) and route aliases (registry_aliases) are kept
 * as the JSON the admin API accepted, and applied on top of models.json
 * and the configuration file's sections at start.  A deletion is kept too
 * (as the JSON text "null"), so that an entry of models.json the admin
 * deleted stays deleted after a restart.
 */
#pragma once

#include "router/gr-registry.h"
#include "store/gr-store.h"

G_BEGIN_DECLS

/* name → JSON text, or NULL for a deleted entry. */
GHashTable *gr_store_load_registry_models  (GrStore     *self,
                                            GError     **error);
GHashTable *gr_store_load_registry_aliases (GrStore     *self,
                                            GError     **error);
/* json NULL records a deletion. */
gboolean    gr_store_put_registry_model    (GrStore     *self,
                                            const char  *id,
                                            const char  *json,
                                            GError     **error);
gboolean    gr_store_put_registry_alias    (GrStore     *self,
                                            const char  *name,
                                            const char  *json,
                                            GError     **error);
/* At start: applies every stored model, then every stored alias.  An
 * entry that no longer fits (say, its alias now names a model of
 * models.json) is skipped with a warning; fails only when the store
 * cannot be read. */
gboolean    gr_store_apply_registry        (GrStore     *self,
                                            GrRegistry  *registry,
                                            GError     **error);
/* Reads an alias as the admin API and the store write it:
 * {"targets": [names], "weights"?: [1…65535], "strategy"?: "fallback"|"weighted"};
 * weights make the default strategy "weighted".  Other members are not
 * looked at.  On failure *bad_field names the member at fault. */
gboolean    gr_store_alias_from_json       (JsonObject       *obj,
                                            char           ***targets,
                                            guint           **weights,
                                            GrAliasStrategy  *strategy,
                                            const char      **bad_field,
                                            GError          **error);

G_END_DECLS
