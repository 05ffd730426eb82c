/* gr-provider-editor.h — the form to add or change a provider
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "client/gr-admin-client.h"

G_BEGIN_DECLS

#define GR_TYPE_PROVIDER_EDITOR (gr_provider_editor_get_type ())
G_DECLARE_FINAL_TYPE (GrProviderEditor, gr_provider_editor, GR, PROVIDER_EDITOR, AdwWindow)

/* provider NULL: a new provider.  The editor saves through client and
 * emits "saved" with the gateway's answer (a GrProviderItem), then
 * closes. */
GrProviderEditor *gr_provider_editor_new (GtkWindow      *parent,
                                          GrAdminClient  *client,
                                          GrProviderItem *provider);

/* The kinds the API offers, in the order of the editor's combo row. */
const char * const *gr_provider_editor_get_kinds       (void);
/* A kind's name for people ("OpenAI", "Anthropic"…); the id if unknown. */
const char         *gr_provider_editor_kind_title      (const char *kind);

G_END_DECLS
