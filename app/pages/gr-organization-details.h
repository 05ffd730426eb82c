/* gr-organization-details.h — one organization: settings, statistics, keys
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "client/gr-admin-client.h"

G_BEGIN_DECLS

#define GR_TYPE_ORGANIZATION_DETAILS (gr_organization_details_get_type ())

G_DECLARE_FINAL_TYPE (GrOrganizationDetails, gr_organization_details, GR, ORGANIZATION_DETAILS, AdwBin)

/* Its buttons activate the "orgs.show-list", "orgs.edit" and "orgs.delete"
 * actions (the last two with the organization's id) of an ancestor. */
GtkWidget      *gr_organization_details_new              (void);
void            gr_organization_details_set_client       (GrOrganizationDetails *self,
                                                          GrAdminClient         *client);
GrOrganization *gr_organization_details_get_organization (GrOrganizationDetails *self);
/* Shows organization and loads its statistics and keys; NULL clears. */
void            gr_organization_details_set_organization (GrOrganizationDetails *self,
                                                          GrOrganization        *organization);
/* Loads everything again. */
void            gr_organization_details_reload           (GrOrganizationDetails *self);

G_END_DECLS
