/* gr-authn.h — who is calling: gateway keys and the app's internal token
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "http/gr-server.h"

G_BEGIN_DECLS

/* Authenticates the request and checks that its key holds scope.  Returns
 * the key (free with gr_key_record_free) or NULL with *error set: 401 for a
 * missing, unknown, disabled, revoked or expired key, 403 for a disabled
 * organization or a missing scope. */
GrKeyRecord *gr_authn_check (GrServer          *server,
                             SoupServerMessage *msg,
                             const char        *scope,
                             GrApiError       **error);

/* TRUE when the key may use model (its allowed-model patterns, with '*'
 * wildcards; no patterns means every model). */
gboolean     gr_authn_model_allowed (const GrKeyRecord *key,
                                     const char        *model);

G_END_DECLS
