/* gr-store.h — persistent state: organizations, keys, providers, usage
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "store/gr-records.h"

G_BEGIN_DECLS

#define GR_TYPE_STORE (gr_store_get_type ())
G_DECLARE_FINAL_TYPE (GrStore, gr_store, GR, STORE, GObject)

/* Opens (creating with mode 0600) and migrates the SQLite database. */
GrStore    *gr_store_open                (const char    *path,
                                          GError       **error);
const char *gr_store_get_path            (GrStore       *self);
int         gr_store_get_schema_version  (GrStore       *self);
/* The per-installation secret keys are hashed with (created once). */
const char *gr_store_get_secret          (GrStore       *self);

/* On a database without keys, creates the default organization and an
 * admin key, and returns the key's secret (the only time it exists in
 * clear).  Returns NULL with no error when keys already exist. */
char       *gr_store_bootstrap           (GrStore       *self,
                                          GError       **error);
/* Creates a key in an organization; returns the record and the secret. */
GrKeyRecord *gr_store_create_key         (GrStore       *self,
                                          const char    *org_id,
                                          const char    *name,
                                          const char * const *permissions,
                                          char         **secret_out,
                                          GError       **error);
/* Every key with its organization's status, for the key cache. */
GPtrArray  *gr_store_load_keys           (GrStore       *self,
                                          GError       **error);
char       *gr_store_default_org_id      (GrStore       *self,
                                          GError       **error);

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

G_END_DECLS
