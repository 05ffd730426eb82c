/* gr-store.h — persistent state: organizations, keys, providers, usage
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "store/gr-db.h"
#include "store/gr-records.h"

G_BEGIN_DECLS

#define GR_TYPE_STORE (gr_store_get_type ())
G_DECLARE_FINAL_TYPE (GrStore, gr_store, GR, STORE, GObject)

/* Opens and migrates the database: a SQLite file (created with mode
 * 0600) or a PostgreSQL URL (see gr_db_open). */
GrStore    *gr_store_open                (const char    *target,
                                          GError       **error);
/* The path or URL it was opened with (a URL may hold a password: show it
 * through gr_db_target_display only). */
const char *gr_store_get_path            (GrStore       *self);
GrDbDialect gr_store_get_dialect         (GrStore       *self);
/* A new connection of its own to the same database, for a thread that
 * must not wait for the store's lock.  Close with gr_db_close. */
GrDb       *gr_store_open_connection     (GrStore       *self,
                                          GrDbOpenFlags  flags,
                                          GError       **error);
int         gr_store_get_schema_version  (GrStore       *self);
/* The per-installation secret keys are hashed with (created once). */
const char *gr_store_get_secret          (GrStore       *self);

/* On a database without keys, creates the default organization and an
 * admin key, and returns the key's secret (the only time it exists in
 * clear).  Returns NULL with no error when keys already exist. */
char       *gr_store_bootstrap           (GrStore       *self,
                                          GError       **error);

/* Lists: a page of rows plus the total that match. */
typedef struct
{
  const char *q;          /* substring of name, description or key prefix */
  const char *status;     /* filter, nullable */
  const char *org_id;     /* filter, nullable */
  const char *sort;       /* "name", "-name", "created_at", "-created_at", … */
  guint       page;       /* from 1 */
  guint       page_size;
} GrListQuery;

/* Which limits a patch sets (the others stay). */
typedef enum
{
  GR_LIMIT_RPM              = 1 << 0,
  GR_LIMIT_REQUESTS_PER_DAY = 1 << 1,
  GR_LIMIT_TOKENS_PER_DAY   = 1 << 2,
  GR_LIMIT_MONTHLY_BUDGET   = 1 << 3,
} GrLimitMask;

/* Organizations (gr-store-orgs.c).  Missing ids fail with
 * GR_ERROR_NOT_FOUND, duplicate names with GR_ERROR_CONFLICT. */
GrOrgRecord *gr_store_create_org  (GrStore           *self,
                                   const char        *name,
                                   const char        *description,
                                   const char        *status,
                                   const GrLimitSet  *limits,
                                   GError           **error);
GrOrgRecord *gr_store_get_org     (GrStore           *self,
                                   const char        *id,
                                   GError           **error);
GPtrArray   *gr_store_list_orgs   (GrStore           *self,
                                   const GrListQuery *query,
                                   gint64            *total,
                                   GError           **error);
typedef struct
{
  const char *name;         /* NULL = unchanged */
  const char *description;
  const char *status;
  GrLimitMask limits_set;
  GrLimitSet  limits;
} GrOrgPatch;
GrOrgRecord *gr_store_update_org  (GrStore           *self,
                                   const char        *id,
                                   const GrOrgPatch  *patch,
                                   GError           **error);
/* GR_ERROR_CONFLICT when the organization still has keys and !force;
 * with force its keys are revoked first.  Usage history is kept. */
gboolean     gr_store_delete_org  (GrStore           *self,
                                   const char        *id,
                                   gboolean           force,
                                   GError           **error);
char        *gr_store_default_org_id (GrStore        *self,
                                      GError        **error);

/* API keys (gr-store-keys.c). */
typedef struct
{
  const char         *org_id;
  const char         *name;
  const char * const *permissions;
  const char * const *allowed_models;  /* nullable = all */
  gint64              expires_at;      /* Unix ms, 0 = never */
  const char         *status;          /* NULL = active */
  GrLimitSet          limits;
} GrKeySpec;
/* Returns the record and the secret (the only time it exists in clear). */
GrKeyRecord *gr_store_create_key  (GrStore           *self,
                                   const GrKeySpec   *spec,
                                   char             **secret_out,
                                   GError           **error);
GrKeyRecord *gr_store_get_key     (GrStore           *self,
                                   const char        *id,
                                   GError           **error);
GPtrArray   *gr_store_list_keys   (GrStore           *self,
                                   const GrListQuery *query,
                                   gint64            *total,
                                   GError           **error);
typedef struct
{
  const char         *name;           /* NULL = unchanged */
  const char         *status;
  const char * const *permissions;
  const char * const *allowed_models;
  gboolean            set_expires_at;
  gint64              expires_at;
  GrLimitMask         limits_set;
  GrLimitSet          limits;
} GrKeyPatch;
GrKeyRecord *gr_store_update_key  (GrStore           *self,
                                   const char        *id,
                                   const GrKeyPatch  *patch,
                                   GError           **error);
gboolean     gr_store_delete_key  (GrStore           *self,
                                   const char        *id,
                                   GError           **error);
/* A new secret for the key; the old one stops working. */
GrKeyRecord *gr_store_rotate_key  (GrStore           *self,
                                   const char        *id,
                                   char             **secret_out,
                                   GError           **error);
/* Every key with its organization's status and limits, for the key cache. */
GPtrArray   *gr_store_load_keys   (GrStore           *self,
                                   GError           **error);

/* Writes usage events in one transaction.  On failure nothing is written
 * and the caller keeps the events to retry. */
gboolean    gr_store_insert_usage        (GrStore       *self,
                                          GPtrArray     *events,
                                          GError       **error);
/* Most recent first. */
GPtrArray  *gr_store_list_usage          (GrStore       *self,
                                          guint          limit,
                                          GError       **error);
gint64      gr_store_count_usage         (GrStore       *self,
                                          GError       **error);
/* Records when keys were last used (batched by the usage writer). */
gboolean    gr_store_touch_keys          (GrStore       *self,
                                          GHashTable    *key_id_to_ms,
                                          GError       **error);

/* For the store's other files (gr-store-*.c): the connection and the lock
 * that guards it.  Hold the lock around every use of the connection. */
GrDb           *gr_store_get_db (GrStore *self);
void            gr_store_lock   (GrStore *self);
void            gr_store_unlock (GrStore *self);

/* What the change counters of a shared database count (gr-change-watcher.h):
 * organizations and API keys; providers; the model registry. */
typedef enum
{
  GR_CHANGE_KEYS,
  GR_CHANGE_PROVIDERS,
  GR_CHANGE_REGISTRY,
  GR_CHANGE_N_AREAS,
} GrChangeArea;

/* TRUE for a database several gateways may share (PostgreSQL). */
gboolean gr_store_is_shared              (GrStore  *self);
/* Fills counts[GR_CHANGE_N_AREAS] with how many changes each area has
 * seen; they only grow. */
gboolean gr_store_get_change_generations (GrStore  *self,
                                          gint64   *counts,
                                          GError  **error);

G_END_DECLS
