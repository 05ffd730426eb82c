/* gr-api-stats.h — statistics endpoints
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "api/gr-admin.h"
#include "store/gr-store-stats.h"

G_BEGIN_DECLS

/* Answers a stats request scoped to an organization and/or a key (both
 * NULL: global), reading start, end, granularity, tz and group_by from
 * the query.  The caller has checked that the scope is visible. */
void      gr_api_stats_run          (GrAdminCall *call,
                                     const char  *org_id,
                                     const char  *key_id);
/* The same, inside a worker that already runs (after its own checks). */
void      gr_api_stats_compute      (GrAdminCall *call,
                                     const char  *org_id,
                                     const char  *key_id);
JsonNode *gr_api_org_to_json        (const GrOrgRecord *org);
JsonNode *gr_api_key_to_json        (const GrKeyRecord *key,
                                     const char        *secret);
void      gr_api_stats_register     (GrServer    *server);


G_END_DECLS
