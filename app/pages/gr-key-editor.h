/* gr-key-editor.h — the form that creates or edits an API key
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "client/gr-admin-client.h"

G_BEGIN_DECLS

#define GR_TYPE_KEY_EDITOR (gr_key_editor_get_type ())

G_DECLARE_FINAL_TYPE (GrKeyEditor, gr_key_editor, GR, KEY_EDITOR, AdwWindow)

/* key NULL: a form for a new key, in organization org_id when given (the
 * organization row lists what the client can see).  The "saved" signal
 * (GrApiKey *result, const char *secret) fires once the gateway accepted
 * the form, just before the window closes; secret is the new key's whole
 * secret (NULL after an edit).  "editor.save" is the Save button's action;
 * "editor.reload-organizations" fills the organization row again. */
GrKeyEditor *gr_key_editor_new     (GrAdminClient *client,
                                    GrApiKey      *key,
                                    const char    *org_id);
/* The key being edited, or NULL for a new one. */
GrApiKey    *gr_key_editor_get_key (GrKeyEditor   *self);

G_END_DECLS
