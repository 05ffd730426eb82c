/* gr-account.h — who the client is logged in as (/v1/me)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "gr-api-key.h"
#include "gr-stats-overview.h"

G_BEGIN_DECLS

#define GR_TYPE_ACCOUNT (gr_account_get_type ())

G_DECLARE_FINAL_TYPE (GrAccount, gr_account, GR, ACCOUNT, GObject)

/* Read-only properties:
 *
 *   "key"                             GrApiKey|NULL: NULL for the desktop
 *                                     app's internal token, which has no row
 *   "is-admin"                        gboolean: the internal token, or a key
 *                                     with the "admin" permission
 *   "org-rpm", "org-requests-per-day", "org-tokens-per-day",
 *   "org-monthly-budget-micros"       gint64, the organization's limits,
 *                                     -1 = unlimited
 *   "usage"                           GrStatsOverview|NULL
 *   "remaining-tokens-today"          gint64, -1 = unlimited or unknown
 *   "remaining-monthly-budget-micros" gint64, -1 = unlimited or unknown
 */

GrAccount       *gr_account_new_from_json                       (JsonObject *object);

GrApiKey        *gr_account_get_key                             (GrAccount  *self);
gboolean         gr_account_get_is_admin                        (GrAccount  *self);
gint64           gr_account_get_org_rpm                         (GrAccount  *self);
gint64           gr_account_get_org_requests_per_day            (GrAccount  *self);
gint64           gr_account_get_org_tokens_per_day              (GrAccount  *self);
gint64           gr_account_get_org_monthly_budget_micros       (GrAccount  *self);
GrStatsOverview *gr_account_get_usage                           (GrAccount  *self);
gint64           gr_account_get_remaining_tokens_today          (GrAccount  *self);
gint64           gr_account_get_remaining_monthly_budget_micros (GrAccount  *self);

G_END_DECLS
