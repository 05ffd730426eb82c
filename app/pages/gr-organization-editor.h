/* gr-organization-editor.h — the form that creates or edits an organization
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "client/gr-admin-client.h"

G_BEGIN_DECLS

#define GR_TYPE_ORGANIZATION_EDITOR (gr_organization_editor_get_type ())

G_DECLARE_FINAL_TYPE (GrOrganizationEditor, gr_organization_editor, GR, ORGANIZATION_EDITOR, AdwWindow)

/* organization NULL: a form for a new one.  Otherwise edits a copy of it.
 * The "saved" signal (GrOrganization *result) fires once the gateway
 * accepted the form, just before the window closes; "editor.save" is the
 * action of the Save button. */
GrOrganizationEditor *gr_organization_editor_new              (GrAdminClient        *client,
                                                               GrOrganization       *organization);
/* The organization being edited, or NULL for a new one. */
GrOrganization       *gr_organization_editor_get_organization (GrOrganizationEditor *self);

G_END_DECLS
