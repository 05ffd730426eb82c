/* gr-store-limits.c — the usage totals the limits are rebuilt from at start-up
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This runs once at start-up and reads only.  It opens its own read-only
 * connection rather than borrowing the store's: the store's connection and
 * mutex stay private to gr-store.c, and with WAL (or PostgreSQL's MVCC) a
 * reader never waits for the usage writer (nor the writer for it).
 */
#include "config.h"

#include "core/gr-error.h"
#include "store/gr-sql.h"
#include "store/gr-store-limits.h"

const char * const gr_store_limits_refusal_codes[] = {
  "rate_limit_exceeded",
  "usage_limit_exceeded",
  NULL
};

const char * const gr_store_limits_unrouted_codes[] = {
  "invalid_json",
  "invalid_value",
  "missing_field",
  "invalid_api_key",
  "key_expired",
  "key_inactive",
  "insufficient_permissions",
  "model_not_allowed",
  "organization_disabled",
  "model_not_found",
  "method_not_allowed",
  "request_too_large",
  "gateway_shutting_down",
  NULL
};

static void
totals_free (gpointer data)
{
  GrStoreLimitTotals *t = data;

  g_free (t->id);
  g_free (t);
}

static void
recent_free (gpointer data)
{
  GrStoreRecentRequest *r = data;

  g_free (r->key_id);
  g_free (r->org_id);
  g_free (r);
}

void
gr_store_limit_snapshot_free (GrStoreLimitSnapshot *snapshot)
{
  if (snapshot == NULL)
    return;
  g_clear_pointer (&snapshot->keys, g_ptr_array_unref);
  g_clear_pointer (&snapshot->orgs, g_ptr_array_unref);
  g_clear_pointer (&snapshot->recent, g_ptr_array_unref);
  g_free (snapshot);
}

/* The codes are constants of ours; quoting them anyway keeps the SQL
 * well formed whatever they hold. */
static void
append_sql_list (GString            *sql,
                 const char * const *codes)
{
  for (guint i = 0; codes[i] != NULL; i++)
    {
      g_string_append (sql, i > 0 ? ",'" : "'");
      for (const char *p = codes[i]; *p; p++)
        {
          if (*p == '\'')
            g_string_append_c (sql, '\'');
          g_string_append_c (sql, *p);
        }
      g_string_append_c (sql, '\'');
    }
}

/* The WHERE clause that keeps only admitted requests (see the header). */
static char *
admitted_clause (void)
{
  GString *sql = g_string_new ("NOT (error_code IS NOT NULL AND (error_code IN (");

  append_sql_list (sql, gr_store_limits_refusal_codes);
  g_string_append (sql, ") OR (provider IS NULL AND error_code IN (");
  append_sql_list (sql, gr_store_limits_unrouted_codes);
  g_string_append (sql, "))))");
  return g_string_free (sql, FALSE);
}

/* One GROUP BY over the month (which contains the day).  The sums are
 * read as text by PostgreSQL (SUM of BIGINT is NUMERIC) and parsed. */
static GPtrArray *
load_totals (GrDb                      *db,
             const char                *id_column,
             const char                *admitted,
             const GrStoreLimitWindows *w,
             GError                   **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (totals_free);
  g_autofree char *sql = NULL;
  g_autoptr(GrDbStmt) stmt = NULL;
  GrDbStep rc;

  sql = g_strdup_printf ("SELECT %s,"
                         " SUM(CASE WHEN ts >= ?1 AND ts < ?2 THEN 1 ELSE 0 END),"
                         " SUM(CASE WHEN ts >= ?1 AND ts < ?2 THEN prompt_tokens + completion_tokens ELSE 0 END),"
                         " SUM(CASE WHEN ts >= ?3 AND ts < ?4 THEN cost_micros ELSE 0 END)"
                         " FROM usage_events"
                         " WHERE ts >= ?5 AND ts < ?6 AND %s IS NOT NULL AND %s"
                         " GROUP BY %s;",
                         id_column, id_column, admitted, id_column);
  stmt = gr_db_prepare (db, sql, error);
  if (stmt == NULL)
    return NULL;
  gr_db_stmt_bind_int64 (stmt, 1, w->day_start_ms);
  gr_db_stmt_bind_int64 (stmt, 2, w->day_end_ms);
  gr_db_stmt_bind_int64 (stmt, 3, w->month_start_ms);
  gr_db_stmt_bind_int64 (stmt, 4, w->month_end_ms);
  gr_db_stmt_bind_int64 (stmt, 5, MIN (w->day_start_ms, w->month_start_ms));
  gr_db_stmt_bind_int64 (stmt, 6, MAX (w->day_end_ms, w->month_end_ms));

  while ((rc = gr_db_stmt_step (stmt, error)) == GR_DB_ROW)
    {
      GrStoreLimitTotals *t = g_new0 (GrStoreLimitTotals, 1);

      t->id = gr_sql_column_dup (stmt, 0);
      t->requests_day = gr_db_stmt_column_int64 (stmt, 1);
      t->tokens_day = gr_db_stmt_column_int64 (stmt, 2);
      t->cost_month_micros = gr_db_stmt_column_int64 (stmt, 3);
      g_ptr_array_add (rows, t);
    }
  return rc == GR_DB_DONE ? g_steal_pointer (&rows) : NULL;
}

static GPtrArray *
load_recent (GrDb                      *db,
             const char                *admitted,
             const GrStoreLimitWindows *w,
             GError                   **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (recent_free);
  g_autofree char *sql = NULL;
  g_autoptr(GrDbStmt) stmt = NULL;
  GrDbStep rc;

  sql = g_strdup_printf ("SELECT key_id, org_id, ts FROM usage_events"
                         " WHERE ts > ?1 AND ts <= ?2 AND %s"
                         " ORDER BY ts, id;", admitted);
  stmt = gr_db_prepare (db, sql, error);
  if (stmt == NULL)
    return NULL;
  gr_db_stmt_bind_int64 (stmt, 1, w->recent_after_ms);
  gr_db_stmt_bind_int64 (stmt, 2, w->recent_until_ms);

  while ((rc = gr_db_stmt_step (stmt, error)) == GR_DB_ROW)
    {
      GrStoreRecentRequest *r = g_new0 (GrStoreRecentRequest, 1);

      r->key_id = gr_sql_column_dup (stmt, 0);
      r->org_id = gr_sql_column_dup (stmt, 1);
      r->ts = gr_db_stmt_column_int64 (stmt, 2);
      g_ptr_array_add (rows, r);
    }
  return rc == GR_DB_DONE ? g_steal_pointer (&rows) : NULL;
}

GrStoreLimitSnapshot *
gr_store_load_limit_snapshot (GrStore                   *store,
                              const GrStoreLimitWindows *windows,
                              GError                   **error)
{
  g_autoptr(GrStoreLimitSnapshot) snapshot = NULL;
  g_autofree char *admitted = NULL;
  GrDb *db;
  gboolean ok;

  g_return_val_if_fail (GR_IS_STORE (store), NULL);
  g_return_val_if_fail (windows != NULL, NULL);

  db = gr_store_open_connection (store, GR_DB_OPEN_READONLY, error);
  if (db == NULL)
    return NULL;  /* the message names the database */

  admitted = admitted_clause ();
  snapshot = g_new0 (GrStoreLimitSnapshot, 1);

  /* One read transaction, so the three queries see the same rows even if
   * the usage writer commits in between. */
  ok = gr_db_begin_snapshot (db, error) &&
       (snapshot->keys = load_totals (db, "key_id", admitted, windows, error)) != NULL &&
       (snapshot->orgs = load_totals (db, "org_id", admitted, windows, error)) != NULL &&
       (snapshot->recent = load_recent (db, admitted, windows, error)) != NULL;
  if (ok)
    gr_db_commit (db, NULL);
  gr_db_close (db);
  return ok ? g_steal_pointer (&snapshot) : NULL;
}
