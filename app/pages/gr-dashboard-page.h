/* gr-dashboard-page.h — today and this month at a glance
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "pages/gr-page.h"

G_BEGIN_DECLS

#define GR_TYPE_DASHBOARD_PAGE (gr_dashboard_page_get_type ())
G_DECLARE_FINAL_TYPE (GrDashboardPage, gr_dashboard_page, GR, DASHBOARD_PAGE, AdwBin)

GtkWidget       *gr_dashboard_page_new          (void);
/* The summary shown, or NULL before the first answer. */
GrStatsOverview *gr_dashboard_page_get_overview (GrDashboardPage *self);
/* Bumped after each completed load (summary, keys and log), for tests. */
guint            gr_dashboard_page_get_loads    (GrDashboardPage *self);

G_END_DECLS
