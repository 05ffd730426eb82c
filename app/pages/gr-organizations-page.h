/* gr-organizations-page.h — the Organizations page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define GR_TYPE_ORGANIZATIONS_PAGE (gr_organizations_page_get_type ())

G_DECLARE_FINAL_TYPE (GrOrganizationsPage, gr_organizations_page, GR, ORGANIZATIONS_PAGE, AdwBin)

/* A GrPage.  Its actions: "orgs.new", "orgs.edit" (s: id), "orgs.delete"
 * (s), "orgs.details" (s), "orgs.show-list", "orgs.next-page",
 * "orgs.previous-page". */
GtkWidget *gr_organizations_page_new (void);

G_END_DECLS
