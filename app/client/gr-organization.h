/* gr-organization.h — an organization, as the admin API describes it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define GR_TYPE_ORGANIZATION (gr_organization_get_type ())

G_DECLARE_FINAL_TYPE (GrOrganization, gr_organization, GR, ORGANIZATION, GObject)

/* Properties (readable, and writable unless marked read-only, so pages
 * can edit a copy and send it back with
 * gr_admin_client_update_organization_async()):
 *
 *   "id"                     string, read-only (set by the gateway)
 *   "name"                   string
 *   "description"            string, "" when none
 *   "status"                 string: "active" or "disabled"
 *   "rpm"                    gint64, -1 = unlimited
 *   "requests-per-day"       gint64, -1 = unlimited
 *   "tokens-per-day"         gint64, -1 = unlimited
 *   "monthly-budget-micros"  gint64 micro-USD, -1 = unlimited
 *   "key-count"              gint64, read-only
 *   "created-at"             gint64 Unix ms, 0 = unknown, read-only
 *   "updated-at"             gint64 Unix ms, 0 = unknown, read-only
 */

GrOrganization *gr_organization_new                       (void);
GrOrganization *gr_organization_new_from_json             (JsonObject     *object);
/* A new object with the same property values. */
GrOrganization *gr_organization_copy                      (GrOrganization *self);

const char     *gr_organization_get_id                    (GrOrganization *self);
const char     *gr_organization_get_name                  (GrOrganization *self);
void            gr_organization_set_name                  (GrOrganization *self,
                                                           const char     *name);
const char     *gr_organization_get_description           (GrOrganization *self);
void            gr_organization_set_description           (GrOrganization *self,
                                                           const char     *description);
const char     *gr_organization_get_status                (GrOrganization *self);
void            gr_organization_set_status                (GrOrganization *self,
                                                           const char     *status);
gint64          gr_organization_get_rpm                   (GrOrganization *self);
void            gr_organization_set_rpm                   (GrOrganization *self,
                                                           gint64          rpm);
gint64          gr_organization_get_requests_per_day      (GrOrganization *self);
void            gr_organization_set_requests_per_day      (GrOrganization *self,
                                                           gint64          requests_per_day);
gint64          gr_organization_get_tokens_per_day        (GrOrganization *self);
void            gr_organization_set_tokens_per_day        (GrOrganization *self,
                                                           gint64          tokens_per_day);
gint64          gr_organization_get_monthly_budget_micros (GrOrganization *self);
void            gr_organization_set_monthly_budget_micros (GrOrganization *self,
                                                           gint64          micros);
gint64          gr_organization_get_key_count             (GrOrganization *self);
gint64          gr_organization_get_created_at            (GrOrganization *self);
gint64          gr_organization_get_updated_at            (GrOrganization *self);

G_END_DECLS
