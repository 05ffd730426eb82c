/* gr-application.h — the GaiaRouter desktop application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "client/gr-admin-client.h"
#include "core/gr-gateway.h"

G_BEGIN_DECLS

#define GR_TYPE_APPLICATION (gr_application_get_type ())
G_DECLARE_FINAL_TYPE (GrApplication, gr_application, GR, APPLICATION, AdwApplication)

GrApplication    *gr_application_new                 (void);
GrGateway        *gr_application_get_gateway         (GrApplication  *self);
GSettings        *gr_application_get_settings        (GrApplication  *self);
GrAdminClient    *gr_application_get_local_client    (GrApplication  *self);
gboolean          gr_application_start_gateway       (GrApplication  *self,
                                                      GError        **error);
void              gr_application_stop_gateway        (GrApplication  *self);
gboolean          gr_application_set_share_on_lan    (GrApplication  *self,
                                                      gboolean        share,
                                                      GError        **error);
AdwMessageDialog *gr_application_create_share_dialog (GrApplication  *self,
                                                      GtkWindow      *parent);
char             *gr_application_dup_lan_address     (void);

G_END_DECLS
