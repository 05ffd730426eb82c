/* gr-alias-editor.h — the form to add or change a route alias
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "client/gr-admin-client.h"

G_BEGIN_DECLS

#define GR_TYPE_ALIAS_EDITOR (gr_alias_editor_get_type ())
G_DECLARE_FINAL_TYPE (GrAliasEditor, gr_alias_editor, GR, ALIAS_EDITOR, AdwWindow)

/* alias NULL: a new alias.  models (nullable) is a GListModel of
 * GrModelItem, the registry, to check targets against; aliases
 * (nullable) a GListModel of GrAliasItem, so a new alias does not
 * replace one of the same name.  Saves through client and emits "saved"
 * with the gateway's answer (a GrAliasItem), then closes. */
GrAliasEditor *gr_alias_editor_new (GtkWindow     *parent,
                                    GrAdminClient *client,
                                    GrAliasItem   *alias,
                                    GListModel    *models,
                                    GListModel    *aliases);

G_END_DECLS
