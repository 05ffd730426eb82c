/* gr-logs-page.h — the request log of a gateway
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "pages/gr-page.h"

G_BEGIN_DECLS

#define GR_TYPE_LOGS_PAGE (gr_logs_page_get_type ())
G_DECLARE_FINAL_TYPE (GrLogsPage, gr_logs_page, GR, LOGS_PAGE, AdwBin)

GtkWidget *gr_logs_page_new (void);

G_END_DECLS
