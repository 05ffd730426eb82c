/* gr-alias-item.h — a route alias of the registry: targets tried in order
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define GR_TYPE_ALIAS_ITEM (gr_alias_item_get_type ())

G_DECLARE_FINAL_TYPE (GrAliasItem, gr_alias_item, GR, ALIAS_ITEM, GObject)

/* Properties (readable and writable):
 *
 *   "name"      string, what clients write as "model"
 *   "strategy"  string: "fallback" (in order) or "weighted"
 *   "targets"   GStrv, model names (never route aliases)
 *   "source"    string, read-only: "file" or "api"
 *
 * Weights, one per target and 1 by default, are read and set with the
 * functions below; only "weighted" uses them.
 */

GrAliasItem        *gr_alias_item_new            (void);
GrAliasItem        *gr_alias_item_new_from_json  (JsonObject         *object);
GrAliasItem        *gr_alias_item_copy           (GrAliasItem        *self);

const char         *gr_alias_item_get_name       (GrAliasItem        *self);
void                gr_alias_item_set_name       (GrAliasItem        *self,
                                                  const char         *name);
const char         *gr_alias_item_get_strategy   (GrAliasItem        *self);
void                gr_alias_item_set_strategy   (GrAliasItem        *self,
                                                  const char         *strategy);
const char         *gr_alias_item_get_source     (GrAliasItem        *self);
const char * const *gr_alias_item_get_targets    (GrAliasItem        *self);
/* One weight per target (n_weights = number of targets). */
const guint        *gr_alias_item_get_weights    (GrAliasItem        *self,
                                                  guint              *n_weights);
/* weights may be NULL (all 1). */
void                gr_alias_item_set_targets    (GrAliasItem        *self,
                                                  const char * const *targets,
                                                  const guint        *weights);

G_END_DECLS
