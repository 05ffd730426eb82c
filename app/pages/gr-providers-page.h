/* gr-providers-page.h — the upstream providers of a gateway
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "pages/gr-page.h"

G_BEGIN_DECLS

#define GR_TYPE_PROVIDERS_PAGE (gr_providers_page_get_type ())
G_DECLARE_FINAL_TYPE (GrProvidersPage, gr_providers_page, GR, PROVIDERS_PAGE, AdwBin)

GtkWidget *gr_providers_page_new (void);

G_END_DECLS
