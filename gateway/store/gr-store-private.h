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

/* Runs one page of a list: select_sql and count_sql share the filters
 * ?1 (escaped q), ?2 (status) and ?3 (org_id); select_sql ends with
 * "LIMIT ?4 OFFSET ?5".  row turns a result row into an element of the
 * returned array (freed with free_row).  Takes the store lock. */
typedef gpointer (*GrStoreRowFunc) (GrDbStmt *stmt);
GPtrArray   *gr_store_list_page         (GrStore           *self,
                                         const char        *select_sql,
                                         const char        *count_sql,
                                         const GrListQuery *query,
                                         GrStoreRowFunc     row,
                                         GDestroyNotify     free_row,
                                         gint64            *total,
                                         GError           **error);

/* PostgreSQL: serializes this transaction with every other one (on any
 * connection) that takes the same key, until it ends.  SQLite: nothing to
 * do, BEGIN IMMEDIATE already holds the database's one write lock. */
gboolean     gr_store_lock_transaction  (GrStore           *self,
                                         gint64             key,
                                         GError           **error);

/* The columns of a usage event, in the order the row function reads. */
#define GR_STORE_USAGE_COLUMNS \
  "request_id, ts, key_id, org_id, provider, model, endpoint, status, " \
  "prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, cost_micros, " \
  "latency_ms, ttfb_ms, stream, partial, error_code"
GrUsageEvent *gr_store_usage_event_from_row (GrDbStmt *stmt);

G_END_DECLS
