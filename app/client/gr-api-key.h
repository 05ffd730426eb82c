/* gr-api-key.h — a gateway API key (never its secret)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define GR_TYPE_API_KEY (gr_api_key_get_type ())

G_DECLARE_FINAL_TYPE (GrApiKey, gr_api_key, GR, API_KEY, GObject)

/* Properties (readable, and writable unless marked read-only):
 *
 *   "id"                     string, read-only (set by the gateway)
 *   "org-id"                 string (only on create; keys never move)
 *   "name"                   string
 *   "prefix"                 string, read-only: the displayable start of
 *                            the secret
 *   "permissions"            GStrv: chat, models:read, keys:read, keys:write,
 *                            orgs:read, orgs:write, stats:read, admin
 *   "allowed-models"         GStrv, empty = every model
 *   "expires-at"             gint64 Unix ms, 0 = never
 *   "status"                 string: "active", "disabled" or "revoked"
 *   "rpm"                    gint64, -1 = unlimited
 *   "tokens-per-day"         gint64, -1 = unlimited
 *   "monthly-budget-micros"  gint64 micro-USD, -1 = unlimited
 *   "last-used-at"           gint64 Unix ms, 0 = never, read-only
 *   "created-at"             gint64 Unix ms, read-only
 *   "updated-at"             gint64 Unix ms, read-only
 */

GrApiKey           *gr_api_key_new                       (void);
GrApiKey           *gr_api_key_new_from_json             (JsonObject         *object);
GrApiKey           *gr_api_key_copy                      (GrApiKey           *self);

const char         *gr_api_key_get_id                    (GrApiKey           *self);
const char         *gr_api_key_get_org_id                (GrApiKey           *self);
void                gr_api_key_set_org_id                (GrApiKey           *self,
                                                          const char         *org_id);
const char         *gr_api_key_get_name                  (GrApiKey           *self);
void                gr_api_key_set_name                  (GrApiKey           *self,
                                                          const char         *name);
const char         *gr_api_key_get_prefix                (GrApiKey           *self);
const char * const *gr_api_key_get_permissions           (GrApiKey           *self);
void                gr_api_key_set_permissions           (GrApiKey           *self,
                                                          const char * const *permissions);
gboolean            gr_api_key_has_permission            (GrApiKey           *self,
                                                          const char         *scope);
const char * const *gr_api_key_get_allowed_models        (GrApiKey           *self);
void                gr_api_key_set_allowed_models        (GrApiKey           *self,
                                                          const char * const *models);
gint64              gr_api_key_get_expires_at            (GrApiKey           *self);
void                gr_api_key_set_expires_at            (GrApiKey           *self,
                                                          gint64              unix_ms);
const char         *gr_api_key_get_status                (GrApiKey           *self);
void                gr_api_key_set_status                (GrApiKey           *self,
                                                          const char         *status);
gint64              gr_api_key_get_rpm                   (GrApiKey           *self);
void                gr_api_key_set_rpm                   (GrApiKey           *self,
                                                          gint64              rpm);
gint64              gr_api_key_get_tokens_per_day        (GrApiKey           *self);
void                gr_api_key_set_tokens_per_day        (GrApiKey           *self,
                                                          gint64              tokens_per_day);
gint64              gr_api_key_get_monthly_budget_micros (GrApiKey           *self);
void                gr_api_key_set_monthly_budget_micros (GrApiKey           *self,
                                                          gint64              micros);
gint64              gr_api_key_get_last_used_at          (GrApiKey           *self);
gint64              gr_api_key_get_created_at            (GrApiKey           *self);
gint64              gr_api_key_get_updated_at            (GrApiKey           *self);

G_END_DECLS
