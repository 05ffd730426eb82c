/* gr-store-private.h — pieces shared by the store's own files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "store/gr-store.h"

G_BEGIN_DECLS

/* Both need the store lock held (and run inside the caller's transaction). */
GrOrgRecord *gr_store_create_org_locked (GrStore           *self,
                                         const char        *name,
                                         const char        *description,
                                         const char        *status,
                                         const GrLimitSet  *limits,
                                         GError           **error);
GrKeyRecord *gr_store_create_key_locked (GrStore           *self,
                                         const GrKeySpec   *spec,
                                         char             **secret_out,
                                         GError           **error);

G_END_DECLS
