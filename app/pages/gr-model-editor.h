/* gr-model-editor.h — the form to change a model's prices and limits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "client/gr-admin-client.h"

G_BEGIN_DECLS

#define GR_TYPE_MODEL_EDITOR (gr_model_editor_get_type ())
G_DECLARE_FINAL_TYPE (GrModelEditor, gr_model_editor, GR, MODEL_EDITOR, AdwWindow)

/* Saves through client and emits "saved" with the gateway's answer (a
 * GrModelItem), then closes. */
GrModelEditor *gr_model_editor_new (GtkWindow     *parent,
                                    GrAdminClient *client,
                                    GrModelItem   *model);

G_END_DECLS
