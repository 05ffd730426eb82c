/* gr-store-migrate.c — copying an installation from SQLite to PostgreSQL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both ends are opened as stores first, so that both have the current
 * schema; then every row is copied table by table, inside one transaction
 * of the target.  The columns are listed here rather than read from the
 * source, so a column the schema does not know stays behind instead of
 * breaking the copy.
 */
#include "config.h"

#include <string.h>

#include "core/gr-error.h"
#include "store/gr-sql.h"
#include "store/gr-store.h"
#include "store/gr-store-migrate.h"

/* Column types: t text, i integer, b blob. */
typedef struct
{
  const char *table;
  const char *columns;
  const char *types;
  const char *order_by;   /* the source's order (the registry's matters) */
  const char *conflict;   /* NULL, or an ON CONFLICT clause */
} TableSpec;

static const TableSpec tables[] = {
  /* The target has its own fresh installation secret: the source's
   * replaces it, or no existing key would verify. */
  { "settings", "key, value", "tt", "key",
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value" },
  { "organizations",
    "id, name, description, status, rpm, requests_per_day, tokens_per_day, monthly_budget_micros, "
    "created_at, updated_at", "ttttiiiiii", "created_at, id", NULL },
  { "api_keys",
    "id, org_id, name, prefix, hash, permissions, allowed_models, expires_at, status, rpm, "
    "tokens_per_day, monthly_budget_micros, last_used_at, created_at, updated_at",
    "tttttttitiiiiii", "created_at, id", NULL },
  { "providers", "id, name, kind, base_url, api_key, proxy, enabled, created_at, updated_at",
    "ttttttiii", "created_at, id", NULL },
  { "registry_models", "id, json, updated_at", "tti", "updated_at, rowid", NULL },
  { "registry_aliases", "name, json, updated_at", "tti", "updated_at, rowid", NULL },
  { "usage_events",
    "id, request_id, ts, key_id, org_id, provider, model, endpoint, status, prompt_tokens, "
    "completion_tokens, cached_tokens, reasoning_tokens, cost_micros, latency_ms, ttfb_ms, stream, "
    "partial, error_code", "ititttttiiiiiiiiiit", "id", NULL },
  { "usage_hourly",
    "hour, key_id, org_id, provider, model, requests, errors, prompt_tokens, completion_tokens, "
    "cached_tokens, cost_micros, latency_ms_sum, latency_hist", "ittttiiiiiiib", "hour", NULL },
};

static gint64
count_table (GrDb        *db,
             const char  *table,
             const char  *where,
             GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT COUNT(*) FROM %s%s;", table, where);
  g_autoptr(GrDbStmt) stmt = gr_db_prepare (db, sql, error);

  if (stmt == NULL || gr_db_stmt_step (stmt, error) != GR_DB_ROW)
    return -1;
  return gr_db_stmt_column_int64 (stmt, 0);
}

/* Empty but for the installation secret the target's first open made. */
static gboolean
check_empty (GrDb    *db,
             GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      gboolean settings = g_str_equal (tables[i].table, "settings");
      gint64 n = count_table (db, tables[i].table,
                              settings ? " WHERE key != 'installation_secret'" : "", error);

      if (n < 0)
        return FALSE;
      if (n > 0)
        {
          g_set_error (error, GR_ERROR, GR_ERROR_CONFLICT,
                       "the target database is not empty (%" G_GINT64_FORMAT " rows in %s): "
                       "migrate into a new, empty database", n, tables[i].table);
          return FALSE;
        }
    }
  return TRUE;
}

static void
bind_column (GrDbStmt *from,
             GrDbStmt *to,
             int       col,
             char      type)
{
  if (gr_db_stmt_column_is_null (from, col))
    gr_db_stmt_bind_null (to, col + 1);
  else if (type == 'i')
    gr_db_stmt_bind_int64 (to, col + 1, gr_db_stmt_column_int64 (from, col));
  else if (type == 'b')
    {
      gsize len = 0;
      gconstpointer data = gr_db_stmt_column_blob (from, col, &len);

      gr_db_stmt_bind_blob (to, col + 1, data, len);
    }
  else
    gr_db_stmt_bind_text (to, col + 1, gr_db_stmt_column_text (from, col));
}

static int
count_columns (const char *columns)
{
  int n = 1;

  for (const char *p = columns; *p; p++)
    n += *p == ',';
  return n;
}

static gint64
copy_table (GrDb             *source,
            GrDb             *target,
            const TableSpec  *spec,
            GError          **error)
{
  g_autofree char *select_sql = NULL;
  g_autoptr(GString) insert_sql = g_string_new (NULL);
  g_autoptr(GrDbStmt) from = NULL;
  g_autoptr(GrDbStmt) to = NULL;
  int n_columns = (int) strlen (spec->types);
  gboolean registry = g_str_has_prefix (spec->table, "registry_");
  gint64 last_updated = G_MININT64;
  gint64 rows = 0;
  GrDbStep rc;

  g_assert (count_columns (spec->columns) == n_columns);
  select_sql = g_strdup_printf ("SELECT %s FROM %s ORDER BY %s;", spec->columns, spec->table,
                                spec->order_by);
  g_string_append_printf (insert_sql, "INSERT INTO %s (%s) VALUES (", spec->table, spec->columns);
  for (int i = 0; i < n_columns; i++)
    g_string_append_printf (insert_sql, "%s?%d", i > 0 ? ", " : "", i + 1);
  g_string_append_printf (insert_sql, ")%s;", spec->conflict ? spec->conflict : "");

  from = gr_db_prepare (source, select_sql, error);
  to = from ? gr_db_prepare (target, insert_sql->str, error) : NULL;
  if (to == NULL)
    return -1;

  while ((rc = gr_db_stmt_step (from, error)) == GR_DB_ROW)
    {
      for (int i = 0; i < n_columns; i++)
        bind_column (from, to, i, spec->types[i]);
      if (registry)
        {
          /* SQLite breaks ties of updated_at by rowid, which PostgreSQL
           * has not: the copy makes the times strictly increasing. */
          gint64 updated = MAX (gr_db_stmt_column_int64 (from, 2), last_updated + 1);

          gr_db_stmt_bind_int64 (to, 3, updated);
          last_updated = updated;
        }
      if (gr_db_stmt_step (to, error) != GR_DB_DONE)
        {
          g_prefix_error (error, "copying %s: ", spec->table);
          return -1;
        }
      gr_db_stmt_reset (to);
      rows++;
    }
  return rc == GR_DB_DONE ? rows : -1;
}

/* New events continue after the copied ids. */
static gboolean
restart_identity (GrDb    *target,
                  GError **error)
{
  if (gr_db_dialect (target) != GR_DB_POSTGRESQL)
    return TRUE;
  return gr_db_exec (target,
                     "SELECT setval(pg_get_serial_sequence('usage_events', 'id'),"
                     " COALESCE((SELECT MAX(id) FROM usage_events), 0) + 1, false);",
                     error);
}

static gboolean
copy_all (GrDb     *source,
          GrDb     *target,
          GArray   *counts,
          GError  **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      GrStoreMigrateCount c = { tables[i].table, copy_table (source, target, &tables[i], error) };

      if (c.rows < 0)
        return FALSE;
      g_array_append_val (counts, c);
    }
  return restart_identity (target, error);
}

GArray *
gr_store_migrate (const char  *source,
                  const char  *target,
                  GError     **error)
{
  g_autoptr(GrStore) from = NULL;
  g_autoptr(GrStore) to = NULL;
  g_autoptr(GArray) counts = g_array_new (FALSE, FALSE, sizeof (GrStoreMigrateCount));
  const char *path;
  GrDb *src, *dst;
  gboolean ok;

  g_return_val_if_fail (source != NULL && target != NULL, NULL);

  path = g_str_has_prefix (source, "sqlite:") ? source + strlen ("sqlite:") : source;
  if (gr_db_target_is_postgresql (source))
    {
      g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                   "--migrate-from takes a SQLite database (sqlite:PATH)");
      return NULL;
    }
  /* Opening would create an empty file: a typo must not look like an
   * empty installation. */
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, GR_ERROR, GR_ERROR_NOT_FOUND, "no SQLite database at %s", path);
      return NULL;
    }
  if (g_strcmp0 (path, target) == 0)
    {
      g_set_error (error, GR_ERROR, GR_ERROR_INVALID, "the source and the target are the same database");
      return NULL;
    }

  if ((from = gr_store_open (path, error)) == NULL || (to = gr_store_open (target, error)) == NULL)
    return NULL;
  src = gr_store_get_db (from);
  dst = gr_store_get_db (to);

  gr_store_lock (to);
  ok = gr_db_begin (dst, error);
  if (ok)
    {
      ok = check_empty (dst, error) && gr_db_begin_snapshot (src, error);
      if (ok)
        {
          ok = copy_all (src, dst, counts, error);
          gr_db_rollback (src);  /* read only: ends the snapshot */
        }
      ok = ok && gr_db_commit (dst, error);
      if (!ok)
        gr_db_rollback (dst);
    }
  gr_store_unlock (to);
  return ok ? g_steal_pointer (&counts) : NULL;
}
