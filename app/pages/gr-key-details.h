/* gr-key-details.h — one API key: settings, statistics, examples of use
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "client/gr-admin-client.h"

G_BEGIN_DECLS

#define GR_TYPE_KEY_DETAILS (gr_key_details_get_type ())

G_DECLARE_FINAL_TYPE (GrKeyDetails, gr_key_details, GR, KEY_DETAILS, AdwBin)

/* Its buttons activate "keys.show-list", and "keys.edit",
 * "keys.toggle-status", "keys.rotate", "keys.delete" with the key's id,
 * of an ancestor.  "details.copy-snippet" (s: curl, python, javascript,
 * env) copies an example. */
GtkWidget  *gr_key_details_new          (void);
void        gr_key_details_set_client   (GrKeyDetails  *self,
                                         GrAdminClient *client);
GrApiKey   *gr_key_details_get_key      (GrKeyDetails  *self);
/* Shows key and loads its statistics; secret: its whole secret when it
 * is known (right after creating or rotating it), else NULL and the
 * examples say $GAIAROUTER_KEY. */
void        gr_key_details_set_key      (GrKeyDetails  *self,
                                         GrApiKey      *key,
                                         const char    *secret);
void        gr_key_details_reload       (GrKeyDetails  *self);
/* The example of one kind (curl, python, javascript, env), as shown. */
const char *gr_key_details_get_snippet  (GrKeyDetails  *self,
                                         const char    *kind);

G_END_DECLS
