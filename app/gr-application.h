/* gr-application.h — the GaiaRouter desktop application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "core/gr-gateway.h"

G_BEGIN_DECLS

#define GR_TYPE_APPLICATION (gr_application_get_type ())
G_DECLARE_FINAL_TYPE (GrApplication, gr_application, GR, APPLICATION, AdwApplication)

GrApplication *gr_application_new           (void);
GrGateway     *gr_application_get_gateway   (GrApplication  *self);
GSettings     *gr_application_get_settings  (GrApplication  *self);
gboolean       gr_application_start_gateway (GrApplication  *self,
                                             GError        **error);
void           gr_application_stop_gateway  (GrApplication  *self);

G_END_DECLS
