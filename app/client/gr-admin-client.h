/* gr-admin-client.h — an asynchronous client of the GaiaRouter admin API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The app never opens the database: every page reads and writes through
 * this client, which talks HTTP to the embedded gateway over loopback or to
 * a gateway elsewhere.  One SoupSession; every call is asynchronous,
 * cancellable and completes on the thread-default main context of the
 * caller (the UI thread).  Lists come back as GListStores of small
 * GObjects with properties, ready for GtkColumnView.
 *
 * Failures are GErrors in GR_ADMIN_CLIENT_ERROR carrying the API's message
 * (English, from the gateway); gr_admin_client_error_get_param() names the
 * offending field of a 400 so a page can mark it.
 */
#pragma once

#include <gio/gio.h>

#include "gr-account.h"
#include "gr-alias-item.h"
#include "gr-api-key.h"
#include "gr-log-entry.h"
#include "gr-model-item.h"
#include "gr-organization.h"
#include "gr-provider-item.h"
#include "gr-stats-overview.h"
#include "gr-stats-series.h"

G_BEGIN_DECLS

/* ---- errors ----------------------------------------------------------- */

#define GR_ADMIN_CLIENT_ERROR (gr_admin_client_error_quark ())

typedef enum
{
  GR_ADMIN_CLIENT_ERROR_UNAUTHORIZED,  /* 401: no key, bad key */
  GR_ADMIN_CLIENT_ERROR_FORBIDDEN,     /* 403: the key lacks a permission */
  GR_ADMIN_CLIENT_ERROR_NOT_FOUND,     /* 404 */
  GR_ADMIN_CLIENT_ERROR_CONFLICT,      /* 409: duplicate name, in use */
  GR_ADMIN_CLIENT_ERROR_INVALID,       /* 400/405/413/422: see _get_param() */
  GR_ADMIN_CLIENT_ERROR_RATE_LIMITED,  /* 429 */
  GR_ADMIN_CLIENT_ERROR_SERVER,        /* 5xx, or an answer we cannot read */
  GR_ADMIN_CLIENT_ERROR_NETWORK,       /* no connection, TLS, timeout */
  GR_ADMIN_CLIENT_ERROR_CANCELLED,     /* the GCancellable fired (reported in
                                        * this domain, not G_IO_ERROR) */
} GrAdminClientError;

GQuark      gr_admin_client_error_quark      (void);
/* The API's "param" of an error of this domain (e.g. "name",
 * "limits.rpm"), or NULL.  Valid as long as the error. */
const char *gr_admin_client_error_get_param  (const GError *error);
/* The API's "code" ("not_found", "invalid_value"…), or NULL. */
const char *gr_admin_client_error_get_code   (const GError *error);
/* Seconds from a Retry-After header (429/503), 0 if none. */
guint       gr_admin_client_error_get_retry_after (const GError *error);

/* ---- lists ------------------------------------------------------------ */

/* Query of a paginated list; every member optional (0 / NULL = default). */
typedef struct
{
  guint       page;       /* from 1; 0 = 1 */
  guint       page_size;  /* 1 … 200; 0 = the gateway's default (20) */
  const char *q;          /* search text */
  const char *sort;       /* e.g. "name", "-created_at" */
  const char *status;     /* "active", "disabled", "revoked" */
  const char *org_id;     /* keys of one organization */
} GrListParams;

/* Filters of the request log; every member optional. */
typedef struct
{
  guint       page;
  guint       page_size;  /* 0 = default */
  const char *key_id;
  const char *provider;
  const char *model;
  const char *status;     /* "200", "4xx", "5xx" */
  const char *q;          /* request id or model text */
  int         stream;     /* -1 = any, 0 = not streamed, 1 = streamed */
  const char *sort;       /* ts_desc (default), ts_asc, latency_desc, cost_desc */
  gint64      since;      /* Unix ms, 0 = unbounded */
  gint64      until;      /* Unix ms, 0 = unbounded */
} GrLogParams;

#define GR_LOG_PARAMS_INIT { 0, 0, NULL, NULL, NULL, NULL, NULL, -1, NULL, 0, 0 }

/* Where a list page stands, from the answer. */
typedef struct
{
  guint  page;
  guint  page_size;
  gint64 total;
} GrPageInfo;

/* ---- stats ------------------------------------------------------------ */

typedef enum
{
  GR_STATS_SCOPE_GLOBAL,  /* /v1/stats (a non-admin key: its organization) */
  GR_STATS_SCOPE_ORG,     /* /v1/organizations/{id}/stats */
  GR_STATS_SCOPE_KEY,     /* /v1/api-keys/{id}/stats */
} GrStatsScope;

typedef enum
{
  GR_STATS_GRANULARITY_HOUR,
  GR_STATS_GRANULARITY_DAY,
} GrStatsGranularity;

typedef enum
{
  GR_STATS_GROUP_BY_NONE,
  GR_STATS_GROUP_BY_MODEL,
  GR_STATS_GROUP_BY_PROVIDER,
  GR_STATS_GROUP_BY_KEY,
  GR_STATS_GROUP_BY_ORG,
} GrStatsGroupBy;

/* ---- the client ------------------------------------------------------- */

#define GR_TYPE_ADMIN_CLIENT (gr_admin_client_get_type ())

G_DECLARE_FINAL_TYPE (GrAdminClient, gr_admin_client, GR, ADMIN_CLIENT, GObject)

/* Properties:
 *   "base-url"   string, e.g. "http://127.0.0.1:8080" (read/write)
 *   "api-key"    string, write-only; sent as a Bearer token, never logged
 *   "connected"  gboolean, read-only: TRUE after an answer from the gateway,
 *                FALSE after a network failure or a 401 (notified)
 */

GrAdminClient *gr_admin_client_new            (const char    *base_url,
                                               const char    *api_key);
const char    *gr_admin_client_get_base_url   (GrAdminClient *self);
void           gr_admin_client_set_base_url   (GrAdminClient *self,
                                               const char    *base_url);
void           gr_admin_client_set_api_key    (GrAdminClient *self,
                                               const char    *api_key);
gboolean       gr_admin_client_get_connected  (GrAdminClient *self);

/* The local zone as the stats API takes it: the IANA name when there is
 * one, else the current UTC offset ("+08:00"). */
char          *gr_admin_client_dup_local_time_zone (void);

/* GET /health (no key).  TRUE when the gateway answers "ok"; version and
 * uptime are optional outs; a draining gateway is a SERVER error. */
void           gr_admin_client_health_async   (GrAdminClient        *self,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gboolean       gr_admin_client_health_finish  (GrAdminClient        *self,
                                               GAsyncResult         *result,
                                               char                **version,
                                               gint64               *uptime_seconds,
                                               GError              **error);

/* GET /v1/me: the key logged in with, its limits and usage. */
void           gr_admin_client_get_me_async   (GrAdminClient        *self,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
GrAccount     *gr_admin_client_get_me_finish  (GrAdminClient        *self,
                                               GAsyncResult         *result,
                                               GError              **error);

/* -- organizations -- */

void            gr_admin_client_list_organizations_async   (GrAdminClient       *self,
                                                            const GrListParams  *params,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
/* A GListStore of GrOrganization; page may be NULL. */
GListStore     *gr_admin_client_list_organizations_finish  (GrAdminClient       *self,
                                                            GAsyncResult        *result,
                                                            GrPageInfo              *page,
                                                            GError             **error);
void            gr_admin_client_get_organization_async     (GrAdminClient       *self,
                                                            const char          *id,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
GrOrganization *gr_admin_client_get_organization_finish    (GrAdminClient       *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);
/* Sends name, description, status and limits of org. */
void            gr_admin_client_create_organization_async  (GrAdminClient       *self,
                                                            GrOrganization      *org,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
GrOrganization *gr_admin_client_create_organization_finish (GrAdminClient       *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);
/* PATCHes organization org's id with the named properties of org ("name",
 * "description", "status", "rpm", "requests-per-day", "tokens-per-day",
 * "monthly-budget-micros"); fields NULL = all of them.  A non-admin key
 * may only change name and description. */
void            gr_admin_client_update_organization_async  (GrAdminClient       *self,
                                                            GrOrganization      *org,
                                                            const char * const  *fields,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
GrOrganization *gr_admin_client_update_organization_finish (GrAdminClient       *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);
/* force: delete its keys too (otherwise CONFLICT while it has keys). */
void            gr_admin_client_delete_organization_async  (GrAdminClient       *self,
                                                            const char          *id,
                                                            gboolean             force,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
gboolean        gr_admin_client_delete_organization_finish (GrAdminClient       *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);

/* -- API keys -- */

void            gr_admin_client_list_api_keys_async   (GrAdminClient       *self,
                                                       const GrListParams  *params,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
/* A GListStore of GrApiKey; page may be NULL. */
GListStore     *gr_admin_client_list_api_keys_finish  (GrAdminClient       *self,
                                                       GAsyncResult        *result,
                                                       GrPageInfo              *page,
                                                       GError             **error);
void            gr_admin_client_get_api_key_async     (GrAdminClient       *self,
                                                       const char          *id,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
GrApiKey       *gr_admin_client_get_api_key_finish    (GrAdminClient       *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);
/* Sends org-id (if set), name, permissions (if set), allowed-models,
 * expires-at, status and limits of key. */
void            gr_admin_client_create_api_key_async  (GrAdminClient       *self,
                                                       GrApiKey            *key,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
/* secret: the one-time full key, shown once (g_free it, don't log it). */
GrApiKey       *gr_admin_client_create_api_key_finish (GrAdminClient       *self,
                                                       GAsyncResult        *result,
                                                       char               **secret,
                                                       GError             **error);
/* PATCH with the named properties of key ("name", "permissions",
 * "allowed-models", "expires-at", "status", "rpm", "tokens-per-day",
 * "monthly-budget-micros"); fields NULL = all of them. */
void            gr_admin_client_update_api_key_async  (GrAdminClient       *self,
                                                       GrApiKey            *key,
                                                       const char * const  *fields,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
GrApiKey       *gr_admin_client_update_api_key_finish (GrAdminClient       *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);
void            gr_admin_client_delete_api_key_async  (GrAdminClient       *self,
                                                       const char          *id,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean        gr_admin_client_delete_api_key_finish (GrAdminClient       *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);
void            gr_admin_client_rotate_api_key_async  (GrAdminClient       *self,
                                                       const char          *id,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
GrApiKey       *gr_admin_client_rotate_api_key_finish (GrAdminClient       *self,
                                                       GAsyncResult        *result,
                                                       char               **secret,
                                                       GError             **error);

/* -- statistics -- */

/* id: the organization or key for SCOPE_ORG / SCOPE_KEY; for
 * SCOPE_GLOBAL an optional organization filter.  start/end: Unix ms, 0 =
 * the gateway's default (the last 24 h by hour, 30 days by day).  tz: an
 * IANA zone; NULL = the local zone (g_time_zone_new_local's identifier).
 * filter_model / filter_provider: optional. */
void            gr_admin_client_get_stats_async       (GrAdminClient       *self,
                                                       GrStatsScope         scope,
                                                       const char          *id,
                                                       gint64               start,
                                                       gint64               end,
                                                       GrStatsGranularity   granularity,
                                                       const char          *tz,
                                                       GrStatsGroupBy       group_by,
                                                       const char          *filter_provider,
                                                       const char          *filter_model,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
GrStatsSeries  *gr_admin_client_get_stats_finish      (GrAdminClient       *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);
/* GET /v1/stats/summary; org_id, key_id optional; tz NULL = local. */
void            gr_admin_client_get_stats_summary_async  (GrAdminClient       *self,
                                                          const char          *org_id,
                                                          const char          *key_id,
                                                          const char          *tz,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
GrStatsOverview *gr_admin_client_get_stats_summary_finish (GrAdminClient       *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);

/* -- request log -- */

void            gr_admin_client_list_logs_async       (GrAdminClient       *self,
                                                       const GrLogParams   *params,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
/* A GListStore of GrLogEntry; page may be NULL. */
GListStore     *gr_admin_client_list_logs_finish      (GrAdminClient       *self,
                                                       GAsyncResult        *result,
                                                       GrPageInfo              *page,
                                                       GError             **error);

/* -- providers -- */

void            gr_admin_client_list_providers_async   (GrAdminClient       *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
/* A GListStore of GrProviderItem: every provider (the client reads all
 * pages of the answer).  The same holds for the model and alias lists. */
GListStore     *gr_admin_client_list_providers_finish  (GrAdminClient       *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
/* api_key: the credential to store (write-only), NULL = none / unchanged. */
void            gr_admin_client_create_provider_async  (GrAdminClient       *self,
                                                        GrProviderItem      *provider,
                                                        const char          *api_key,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
GrProviderItem *gr_admin_client_create_provider_finish (GrAdminClient       *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
/* fields: property names to send ("kind", "base-url", "proxy",
 * "http-referer", "x-title", "connect-timeout-ms", "first-byte-timeout-ms",
 * "idle-timeout-ms", "enabled"); NULL = all of them.  A URL the gateway
 * showed with a masked password ("••••") is not sent back.  Timeouts go
 * in whole seconds (1 … 3600); 0 is not sent.  api_key non-NULL replaces
 * the credential ("" clears it).  "api-key-env" is file-only. */
void            gr_admin_client_update_provider_async  (GrAdminClient       *self,
                                                        GrProviderItem      *provider,
                                                        const char * const  *fields,
                                                        const char          *api_key,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
GrProviderItem *gr_admin_client_update_provider_finish (GrAdminClient       *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
void            gr_admin_client_delete_provider_async  (GrAdminClient       *self,
                                                        const char          *name,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean        gr_admin_client_delete_provider_finish (GrAdminClient       *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
/* Asks the gateway to reach the provider (GET of its model list).  TRUE
 * when it answered 2xx; message (optional) says what happened either way
 * (translated on success, the gateway's English on failure), latency_ms
 * (optional) how long it took.  A provider that could not be reached is FALSE with message
 * set and no GError; GErrors are for the call itself failing. */
void            gr_admin_client_test_provider_async    (GrAdminClient       *self,
                                                        const char          *name,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean        gr_admin_client_test_provider_finish   (GrAdminClient       *self,
                                                        GAsyncResult        *result,
                                                        char               **message,
                                                        gint64              *latency_ms,
                                                        GError             **error);

/* -- model registry -- */

void            gr_admin_client_list_models_async      (GrAdminClient       *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
/* A GListStore of GrModelItem. */
GListStore     *gr_admin_client_list_models_finish     (GrAdminClient       *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
/* POST: a new model (CONFLICT when the id or an alias is taken). */
void            gr_admin_client_create_model_async     (GrAdminClient       *self,
                                                        GrModelItem         *model,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
GrModelItem    *gr_admin_client_create_model_finish    (GrAdminClient       *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
/* PATCH the model with model's id to model's values. */
void            gr_admin_client_update_model_async     (GrAdminClient       *self,
                                                        GrModelItem         *model,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
GrModelItem    *gr_admin_client_update_model_finish    (GrAdminClient       *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
void            gr_admin_client_delete_model_async     (GrAdminClient       *self,
                                                        const char          *id,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean        gr_admin_client_delete_model_finish    (GrAdminClient       *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
void            gr_admin_client_list_aliases_async     (GrAdminClient       *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
/* A GListStore of GrAliasItem. */
GListStore     *gr_admin_client_list_aliases_finish    (GrAdminClient       *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
/* Creates or replaces the alias with alias's name. */
void            gr_admin_client_update_alias_async     (GrAdminClient       *self,
                                                        GrAliasItem         *alias,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
GrAliasItem    *gr_admin_client_update_alias_finish    (GrAdminClient       *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
void            gr_admin_client_delete_alias_async     (GrAdminClient       *self,
                                                        const char          *name,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean        gr_admin_client_delete_alias_finish    (GrAdminClient       *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

G_END_DECLS
