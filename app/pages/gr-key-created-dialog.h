/* gr-key-created-dialog.h — the secret of a new or rotated key, shown once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define GR_TYPE_KEY_CREATED_DIALOG (gr_key_created_dialog_get_type ())

G_DECLARE_FINAL_TYPE (GrKeyCreatedDialog, gr_key_created_dialog, GR, KEY_CREATED_DIALOG, AdwMessageDialog)

/* rotated: the secret replaced the key's old one.  Responses: "done" and
 * "examples" (the caller shows the key's snippets with the secret).
 * "created.copy" copies the secret. */
GrKeyCreatedDialog *gr_key_created_dialog_new        (GtkWindow          *parent,
                                                      const char         *key_name,
                                                      const char         *secret,
                                                      gboolean            rotated);
const char         *gr_key_created_dialog_get_secret (GrKeyCreatedDialog *self);

G_END_DECLS
