/* gr-store-orgs.c — organizations in the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "auth/gr-keys.h"
#include "core/gr-error.h"
#include "store/gr-sql.h"
#include "store/gr-store-private.h"

#define ORG_COLUMNS \
  "o.id, o.name, o.description, o.status, o.rpm, o.requests_per_day, o.tokens_per_day, " \
  "o.monthly_budget_micros, o.created_at, o.updated_at, " \
  "(SELECT COUNT(*) FROM api_keys k WHERE k.org_id = o.id AND k.status != 'revoked')"

static GrOrgRecord *
org_from_row (GrDbStmt *stmt)
{
  GrOrgRecord *r = gr_org_record_new ();

  r->id = gr_sql_column_dup (stmt, 0);
  r->name = gr_sql_column_dup (stmt, 1);
  r->description = gr_sql_column_dup (stmt, 2);
  r->status = gr_sql_column_dup (stmt, 3);
  r->limits.rpm = gr_sql_column_limit (stmt, 4);
  r->limits.requests_per_day = gr_sql_column_limit (stmt, 5);
  r->limits.tokens_per_day = gr_sql_column_limit (stmt, 6);
  r->limits.monthly_budget_micros = gr_sql_column_limit (stmt, 7);
  r->created_at = gr_db_stmt_column_int64 (stmt, 8);
  r->updated_at = gr_db_stmt_column_int64 (stmt, 9);
  r->key_count = gr_db_stmt_column_int64 (stmt, 10);
  return r;
}

static GrOrgRecord *
get_org_locked (GrStore    *self,
                const char *id,
                GError    **error)
{
  GrDb *db = gr_store_get_db (self);
  g_autoptr(GrDbStmt) stmt = gr_sql_prepare (db, "SELECT " ORG_COLUMNS " FROM organizations o WHERE o.id = ?;", error);
  GrDbStep rc;

  if (stmt == NULL)
    return NULL;
  gr_db_stmt_bind_text (stmt, 1, id);
  rc = gr_db_stmt_step (stmt, error);
  if (rc == GR_DB_ROW)
    return org_from_row (stmt);
  if (rc == GR_DB_DONE)
    g_set_error (error, GR_ERROR, GR_ERROR_NOT_FOUND, "no organization “%s”", id);
  return NULL;
}

GrOrgRecord *
gr_store_create_org_locked (GrStore          *self,
                            const char       *name,
                            const char       *description,
                            const char       *status,
                            const GrLimitSet *limits,
                            GError          **error)
{
  GrDb *db = gr_store_get_db (self);
  g_autofree char *id = gr_random_id ("org");
  GrLimitSet unlimited;
  GrDbStmt *stmt;
  gint64 now = gr_sql_now_ms ();

  if (limits == NULL)
    {
      gr_limit_set_init_unlimited (&unlimited);
      limits = &unlimited;
    }
  stmt = gr_sql_prepare (db, "INSERT INTO organizations (id, name, description, status, rpm, "
                             "requests_per_day, tokens_per_day, monthly_budget_micros, created_at, updated_at) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?);", error);
  if (stmt == NULL)
    return NULL;
  gr_db_stmt_bind_text (stmt, 1, id);
  gr_db_stmt_bind_text (stmt, 2, name);
  gr_db_stmt_bind_text (stmt, 3, description ? description : "");
  gr_db_stmt_bind_text (stmt, 4, status ? status : "active");
  gr_sql_bind_limit (stmt, 5, limits->rpm);
  gr_sql_bind_limit (stmt, 6, limits->requests_per_day);
  gr_sql_bind_limit (stmt, 7, limits->tokens_per_day);
  gr_sql_bind_limit (stmt, 8, limits->monthly_budget_micros);
  gr_db_stmt_bind_int64 (stmt, 9, now);
  gr_db_stmt_bind_int64 (stmt, 10, now);
  if (!gr_sql_step_done (stmt, error))
    {
      if (g_error_matches (*error, GR_ERROR, GR_ERROR_CONFLICT))
        {
          g_clear_error (error);
          g_set_error (error, GR_ERROR, GR_ERROR_CONFLICT,
                       "an organization named “%s” already exists", name);
        }
      return NULL;
    }
  return get_org_locked (self, id, error);
}

GrOrgRecord *
gr_store_create_org (GrStore          *self,
                     const char       *name,
                     const char       *description,
                     const char       *status,
                     const GrLimitSet *limits,
                     GError          **error)
{
  GrOrgRecord *r;

  gr_store_lock (self);
  r = gr_store_create_org_locked (self, name, description, status, limits, error);
  gr_store_unlock (self);
  return r;
}

GrOrgRecord *
gr_store_get_org (GrStore    *self,
                  const char *id,
                  GError    **error)
{
  GrOrgRecord *r;

  gr_store_lock (self);
  r = get_org_locked (self, id, error);
  gr_store_unlock (self);
  return r;
}

/* Sort keys are whitelisted: user text never reaches the SQL. */
static const char *
org_order_by (const char *sort)
{
  static const struct { const char *key; const char *sql; } sorts[] = {
    { "name", "LOWER(o.name) ASC" },
    { "-name", "LOWER(o.name) DESC" },
    { "created_at", "o.created_at ASC" },
    { "-created_at", "o.created_at DESC" },
    { "status", "o.status ASC, LOWER(o.name) ASC" },
    { "-status", "o.status DESC, LOWER(o.name) ASC" },
  };

  for (guint i = 0; sort != NULL && i < G_N_ELEMENTS (sorts); i++)
    if (g_str_equal (sorts[i].key, sort))
      return sorts[i].sql;
  return "LOWER(o.name) ASC";
}

#define ORG_WHERE \
  " WHERE (?1 IS NULL OR LOWER(o.name) LIKE LOWER('%' || ?1 || '%') ESCAPE '\\'" \
  "   OR LOWER(o.description) LIKE LOWER('%' || ?1 || '%') ESCAPE '\\')" \
  " AND (?2 IS NULL OR o.status = ?2) AND (?3 IS NULL OR o.id = ?3)"


GPtrArray *
gr_store_list_orgs (GrStore           *self,
                    const GrListQuery *query,
                    gint64            *total,
                    GError           **error)
{
  g_autofree char *sql = g_strconcat ("SELECT " ORG_COLUMNS " FROM organizations o" ORG_WHERE " ORDER BY ",
                                      org_order_by (query->sort), " LIMIT ?4 OFFSET ?5;", NULL);

  return gr_store_list_page (self, sql, "SELECT COUNT(*) FROM organizations o" ORG_WHERE ";", query,
                             (GrStoreRowFunc) org_from_row, (GDestroyNotify) gr_org_record_free,
                             total, error);
}

static gboolean
bind_limit_patch (GrDbStmt         *stmt,
                  int               first,
                  GrLimitMask       set,
                  const GrLimitSet *limits)
{
  const gint64 values[] = { limits->rpm, limits->requests_per_day,
                            limits->tokens_per_day, limits->monthly_budget_micros };

  /* Each limit takes two parameters: "is it set" and the value. */
  for (int i = 0; i < 4; i++)
    {
      gr_db_stmt_bind_int64 (stmt, first + 2 * i, (set & (1 << i)) != 0);
      gr_sql_bind_limit (stmt, first + 2 * i + 1, values[i]);
    }
  return TRUE;
}

GrOrgRecord *
gr_store_update_org (GrStore          *self,
                     const char       *id,
                     const GrOrgPatch *patch,
                     GError          **error)
{
  GrDb *db = gr_store_get_db (self);
  GrDbStmt *stmt;
  GrOrgRecord *r = NULL;

  gr_store_lock (self);
  stmt = gr_sql_prepare (db,
                         "UPDATE organizations SET "
                         " name = COALESCE(?2, name), description = COALESCE(?3, description),"
                         " status = COALESCE(?4, status),"
                         " rpm = CASE WHEN ?5 = 1 THEN ?6 ELSE rpm END,"
                         " requests_per_day = CASE WHEN ?7 = 1 THEN ?8 ELSE requests_per_day END,"
                         " tokens_per_day = CASE WHEN ?9 = 1 THEN ?10 ELSE tokens_per_day END,"
                         " monthly_budget_micros = CASE WHEN ?11 = 1 THEN ?12 ELSE monthly_budget_micros END,"
                         " updated_at = ?13 WHERE id = ?1;", error);
  if (stmt == NULL)
    goto out;
  gr_db_stmt_bind_text (stmt, 1, id);
  gr_sql_bind_text (stmt, 2, patch->name);
  gr_sql_bind_text (stmt, 3, patch->description);
  gr_sql_bind_text (stmt, 4, patch->status);
  bind_limit_patch (stmt, 5, patch->limits_set, &patch->limits);
  gr_db_stmt_bind_int64 (stmt, 13, gr_sql_now_ms ());
  if (!gr_sql_step_done (stmt, error))
    {
      if (g_error_matches (*error, GR_ERROR, GR_ERROR_CONFLICT) && patch->name != NULL)
        {
          g_clear_error (error);
          g_set_error (error, GR_ERROR, GR_ERROR_CONFLICT,
                       "an organization named “%s” already exists", patch->name);
        }
      goto out;
    }
  if (gr_db_changes (db) == 0)
    {
      g_set_error (error, GR_ERROR, GR_ERROR_NOT_FOUND, "no organization “%s”", id);
      goto out;
    }
  r = get_org_locked (self, id, error);

out:
  gr_store_unlock (self);
  return r;
}

gboolean
gr_store_delete_org (GrStore    *self,
                     const char *id,
                     gboolean    force,
                     GError    **error)
{
  GrDb *db = gr_store_get_db (self);
  g_autoptr(GrOrgRecord) org = NULL;
  GrDbStmt *stmt;
  gboolean ok = FALSE;

  gr_store_lock (self);
  org = get_org_locked (self, id, error);
  if (org == NULL)
    goto out;
  if (org->key_count > 0 && !force)
    {
      g_set_error (error, GR_ERROR, GR_ERROR_CONFLICT,
                   "the organization still has %" G_GINT64_FORMAT " keys; "
                   "delete with ?force=true to delete them too", org->key_count);
      goto out;
    }
  if (!gr_db_begin (db, error))
    goto out;
  /* Keys go with their organization; usage history stays (no foreign key). */
  stmt = gr_sql_prepare (db, "DELETE FROM api_keys WHERE org_id = ?;", error);
  if (stmt != NULL)
    {
      gr_db_stmt_bind_text (stmt, 1, id);
      ok = gr_sql_step_done (stmt, error);
    }
  if (ok && (stmt = gr_sql_prepare (db, "DELETE FROM organizations WHERE id = ?;", error)) != NULL)
    {
      gr_db_stmt_bind_text (stmt, 1, id);
      ok = gr_sql_step_done (stmt, error);
    }
  else
    ok = FALSE;
  if (ok)
    ok = gr_db_commit (db, error);
  if (!ok)
    gr_db_rollback (db);

out:
  gr_store_unlock (self);
  return ok;
}

char *
gr_store_default_org_id (GrStore  *self,
                         GError  **error)
{
  GrDb *db = gr_store_get_db (self);
  GrDbStmt *stmt;
  char *id = NULL;

  gr_store_lock (self);
  stmt = gr_sql_prepare (db, "SELECT id FROM organizations ORDER BY created_at LIMIT 1;", error);
  if (stmt != NULL)
    {
      GrDbStep rc = gr_db_stmt_step (stmt, error);

      if (rc == GR_DB_ROW)
        id = gr_sql_column_dup (stmt, 0);
      else if (rc == GR_DB_DONE)
        g_set_error (error, GR_ERROR, GR_ERROR_NOT_FOUND, "no organization");
      gr_db_stmt_finalize (stmt);
    }
  gr_store_unlock (self);
  return id;
}
