/* gr-provider-item.h — an upstream provider as the admin API shows it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The credential is write-only: the gateway only says whether one is set
 * ("has-api-key").  To set or replace it, pass it to the create or update
 * call of GrAdminClient; it is never stored in this object.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define GR_TYPE_PROVIDER_ITEM (gr_provider_item_get_type ())

G_DECLARE_FINAL_TYPE (GrProviderItem, gr_provider_item, GR, PROVIDER_ITEM, GObject)

/* Properties (readable and writable unless noted):
 *
 *   "name"                   string, the model prefix ("openai", "ollama")
 *   "kind"                   string: openai, openrouter, openai-compatible,
 *                            anthropic, gemini
 *   "base-url"               string
 *   "has-api-key"            gboolean, read from the gateway
 *   "api-key-env"            string|NULL: environment variable holding the key
 *                            (file providers only; not sent by the client)
 *   "proxy"                  string|NULL
 *   "http-referer"           string|NULL (OpenRouter attribution)
 *   "x-title"                string|NULL
 *   "connect-timeout-ms"     gint64, 0 = default (the API counts whole
 *   "first-byte-timeout-ms"  gint64, 0 = default  seconds, 1 … 3600)
 *   "idle-timeout-ms"        gint64, 0 = default
 *   "enabled"                gboolean
 *   "state"                  string, read: "ok" or "cooling-down"
 *   "cooldown-until"         gint64 Unix ms, 0 = not cooling down (read)
 *   "source"                 string, read: "config" (from the configuration
 *                            file, possibly overridden) or "api"
 *   "masked-api-key"         string|NULL, read: e.g. "sk-…abcd"
 *   "recent-failures"        gint64, read: failures in the cooldown window
 */

GrProviderItem *gr_provider_item_new                        (void);
GrProviderItem *gr_provider_item_new_from_json              (JsonObject     *object);
GrProviderItem *gr_provider_item_copy                       (GrProviderItem *self);

const char     *gr_provider_item_get_name                   (GrProviderItem *self);
void            gr_provider_item_set_name                   (GrProviderItem *self,
                                                             const char     *name);
const char     *gr_provider_item_get_kind                   (GrProviderItem *self);
void            gr_provider_item_set_kind                   (GrProviderItem *self,
                                                             const char     *kind);
const char     *gr_provider_item_get_base_url               (GrProviderItem *self);
void            gr_provider_item_set_base_url               (GrProviderItem *self,
                                                             const char     *base_url);
gboolean        gr_provider_item_get_has_api_key            (GrProviderItem *self);
const char     *gr_provider_item_get_api_key_env            (GrProviderItem *self);
void            gr_provider_item_set_api_key_env            (GrProviderItem *self,
                                                             const char     *name);
const char     *gr_provider_item_get_proxy                  (GrProviderItem *self);
void            gr_provider_item_set_proxy                  (GrProviderItem *self,
                                                             const char     *proxy);
const char     *gr_provider_item_get_http_referer           (GrProviderItem *self);
void            gr_provider_item_set_http_referer           (GrProviderItem *self,
                                                             const char     *referer);
const char     *gr_provider_item_get_x_title                (GrProviderItem *self);
void            gr_provider_item_set_x_title                (GrProviderItem *self,
                                                             const char     *title);
gint64          gr_provider_item_get_connect_timeout_ms     (GrProviderItem *self);
void            gr_provider_item_set_connect_timeout_ms     (GrProviderItem *self,
                                                             gint64          ms);
gint64          gr_provider_item_get_first_byte_timeout_ms  (GrProviderItem *self);
void            gr_provider_item_set_first_byte_timeout_ms  (GrProviderItem *self,
                                                             gint64          ms);
gint64          gr_provider_item_get_idle_timeout_ms        (GrProviderItem *self);
void            gr_provider_item_set_idle_timeout_ms        (GrProviderItem *self,
                                                             gint64          ms);
gboolean        gr_provider_item_get_enabled                (GrProviderItem *self);
void            gr_provider_item_set_enabled                (GrProviderItem *self,
                                                             gboolean        enabled);
const char     *gr_provider_item_get_state                  (GrProviderItem *self);
gint64          gr_provider_item_get_cooldown_until         (GrProviderItem *self);
const char     *gr_provider_item_get_source                 (GrProviderItem *self);
const char     *gr_provider_item_get_masked_api_key         (GrProviderItem *self);
gint64          gr_provider_item_get_recent_failures        (GrProviderItem *self);

G_END_DECLS
