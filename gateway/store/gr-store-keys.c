/* gr-store-keys.c — API keys in the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only the HMAC of a key and its display prefix are stored; the secret
 * leaves this file once, in the answer of create or rotate.
 */
#include "config.h"

#include "auth/gr-keys.h"
#include "core/gr-error.h"
#include "store/gr-sql.h"
#include "store/gr-store-private.h"

#define KEY_COLUMNS \
  "k.id, k.org_id, k.name, k.prefix, k.hash, k.permissions, k.allowed_models, k.expires_at, " \
  "k.status, o.status, k.last_used_at, k.created_at, k.updated_at, " \
  "k.rpm, k.tokens_per_day, k.monthly_budget_micros, " \
  "o.rpm, o.requests_per_day, o.tokens_per_day, o.monthly_budget_micros"

#define KEY_FROM " FROM api_keys k JOIN organizations o ON o.id = k.org_id"

static GrKeyRecord *
key_from_row (GrDbStmt *stmt)
{
  GrKeyRecord *r = gr_key_record_new ();
  g_autofree char *perms = gr_sql_column_dup (stmt, 5);
  g_autofree char *models = gr_sql_column_dup (stmt, 6);

  r->id = gr_sql_column_dup (stmt, 0);
  r->org_id = gr_sql_column_dup (stmt, 1);
  r->name = gr_sql_column_dup (stmt, 2);
  r->prefix = gr_sql_column_dup (stmt, 3);
  r->hash = gr_sql_column_dup (stmt, 4);
  r->permissions = gr_sql_split_list (perms);
  r->allowed_models = gr_sql_split_list (models);
  r->expires_at = gr_db_stmt_column_int64 (stmt, 7);
  r->status = gr_sql_column_dup (stmt, 8);
  r->org_status = gr_sql_column_dup (stmt, 9);
  r->last_used_at = gr_db_stmt_column_int64 (stmt, 10);
  r->created_at = gr_db_stmt_column_int64 (stmt, 11);
  r->updated_at = gr_db_stmt_column_int64 (stmt, 12);
  r->limits.rpm = gr_sql_column_limit (stmt, 13);
  r->limits.tokens_per_day = gr_sql_column_limit (stmt, 14);
  r->limits.monthly_budget_micros = gr_sql_column_limit (stmt, 15);
  r->org_limits.rpm = gr_sql_column_limit (stmt, 16);
  r->org_limits.requests_per_day = gr_sql_column_limit (stmt, 17);
  r->org_limits.tokens_per_day = gr_sql_column_limit (stmt, 18);
  r->org_limits.monthly_budget_micros = gr_sql_column_limit (stmt, 19);
  return r;
}

static GrKeyRecord *
get_key_locked (GrStore    *self,
                const char *id,
                GError    **error)
{
  GrDb *db = gr_store_get_db (self);
  g_autoptr(GrDbStmt) stmt = gr_sql_prepare (db, "SELECT " KEY_COLUMNS KEY_FROM " WHERE k.id = ?;", error);
  GrDbStep rc;

  if (stmt == NULL)
    return NULL;
  gr_db_stmt_bind_text (stmt, 1, id);
  rc = gr_db_stmt_step (stmt, error);
  if (rc == GR_DB_ROW)
    return key_from_row (stmt);
  if (rc == GR_DB_DONE)
    g_set_error (error, GR_ERROR, GR_ERROR_NOT_FOUND, "no API key “%s”", id);
  return NULL;
}

static char *
join_list (const char * const *list)
{
  return list != NULL ? g_strjoinv (",", (char **) list) : g_strdup ("");
}

GrKeyRecord *
gr_store_create_key_locked (GrStore          *self,
                            const GrKeySpec  *spec,
                            char            **secret_out,
                            GError          **error)
{
  GrDb *db = gr_store_get_db (self);
  g_autofree char *id = gr_random_id ("key");
  g_autofree char *secret = gr_key_generate ();
  g_autofree char *prefix = gr_key_display_prefix (secret);
  g_autofree char *hash = gr_key_hash (gr_store_get_secret (self), secret);
  g_autofree char *perms = join_list (spec->permissions);
  g_autofree char *models = join_list (spec->allowed_models);
  GrDbStmt *stmt;
  gint64 now = gr_sql_now_ms ();
  GrKeyRecord *r;

  stmt = gr_sql_prepare (db, "INSERT INTO api_keys (id, org_id, name, prefix, hash, permissions, "
                             "allowed_models, expires_at, rpm, tokens_per_day, monthly_budget_micros, "
                             "created_at, updated_at, status) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?);", error);
  if (stmt == NULL)
    return NULL;
  gr_db_stmt_bind_text (stmt, 1, id);
  gr_db_stmt_bind_text (stmt, 2, spec->org_id);
  gr_db_stmt_bind_text (stmt, 3, spec->name);
  gr_db_stmt_bind_text (stmt, 4, prefix);
  gr_db_stmt_bind_text (stmt, 5, hash);
  gr_db_stmt_bind_text (stmt, 6, perms);
  gr_db_stmt_bind_text (stmt, 7, models);
  if (spec->expires_at > 0)
    gr_db_stmt_bind_int64 (stmt, 8, spec->expires_at);
  else
    gr_db_stmt_bind_null (stmt, 8);
  gr_sql_bind_limit (stmt, 9, spec->limits.rpm);
  gr_sql_bind_limit (stmt, 10, spec->limits.tokens_per_day);
  gr_sql_bind_limit (stmt, 11, spec->limits.monthly_budget_micros);
  gr_db_stmt_bind_int64 (stmt, 12, now);
  gr_db_stmt_bind_int64 (stmt, 13, now);
  gr_db_stmt_bind_text (stmt, 14, spec->status ? spec->status : "active");
  if (!gr_sql_step_done (stmt, error))
    {
      /* The only foreign key: the organization. */
      if (g_error_matches (*error, GR_ERROR, GR_ERROR_CONFLICT))
        {
          g_clear_error (error);
          g_set_error (error, GR_ERROR, GR_ERROR_NOT_FOUND, "no organization “%s”", spec->org_id);
        }
      return NULL;
    }
  r = get_key_locked (self, id, error);
  if (r != NULL)
    *secret_out = g_steal_pointer (&secret);
  return r;
}

GrKeyRecord *
gr_store_create_key (GrStore         *self,
                     const GrKeySpec *spec,
                     char           **secret_out,
                     GError         **error)
{
  GrKeyRecord *r;

  g_return_val_if_fail (GR_IS_STORE (self), NULL);
  g_return_val_if_fail (secret_out != NULL, NULL);

  gr_store_lock (self);
  r = gr_store_create_key_locked (self, spec, secret_out, error);
  gr_store_unlock (self);
  return r;
}

GrKeyRecord *
gr_store_get_key (GrStore    *self,
                  const char *id,
                  GError    **error)
{
  GrKeyRecord *r;

  gr_store_lock (self);
  r = get_key_locked (self, id, error);
  gr_store_unlock (self);
  return r;
}

static const char *
key_order_by (const char *sort)
{
  static const struct { const char *key; const char *sql; } sorts[] = {
    { "name", "LOWER(k.name) ASC" },
    { "-name", "LOWER(k.name) DESC" },
    { "created_at", "k.created_at ASC" },
    { "-created_at", "k.created_at DESC" },
    { "last_used_at", "COALESCE(k.last_used_at, 0) ASC" },
    { "-last_used_at", "COALESCE(k.last_used_at, 0) DESC" },
    { "expires_at", "COALESCE(k.expires_at, 9223372036854775807) ASC" },
    { "-expires_at", "COALESCE(k.expires_at, 0) DESC" },
    { "status", "k.status ASC, LOWER(k.name) ASC" },
    { "-status", "k.status DESC, LOWER(k.name) ASC" },
  };

  for (guint i = 0; sort != NULL && i < G_N_ELEMENTS (sorts); i++)
    if (g_str_equal (sorts[i].key, sort))
      return sorts[i].sql;
  return "k.created_at DESC";
}

#define KEY_WHERE \
  " WHERE (?1 IS NULL OR LOWER(k.name) LIKE LOWER('%' || ?1 || '%') ESCAPE '\\'" \
  "   OR LOWER(k.prefix) LIKE LOWER('%' || ?1 || '%') ESCAPE '\\')" \
  " AND (?2 IS NULL OR k.status = ?2) AND (?3 IS NULL OR k.org_id = ?3)"


GPtrArray *
gr_store_list_keys (GrStore           *self,
                    const GrListQuery *query,
                    gint64            *total,
                    GError           **error)
{
  g_autofree char *sql = g_strconcat ("SELECT " KEY_COLUMNS KEY_FROM KEY_WHERE " ORDER BY ",
                                      key_order_by (query->sort), " LIMIT ?4 OFFSET ?5;", NULL);

  return gr_store_list_page (self, sql, "SELECT COUNT(*)" KEY_FROM KEY_WHERE ";", query,
                             (GrStoreRowFunc) key_from_row, (GDestroyNotify) gr_key_record_free,
                             total, error);
}

GrKeyRecord *
gr_store_update_key (GrStore          *self,
                     const char       *id,
                     const GrKeyPatch *patch,
                     GError          **error)
{
  GrDb *db = gr_store_get_db (self);
  g_autofree char *perms = patch->permissions ? join_list (patch->permissions) : NULL;
  g_autofree char *models = patch->allowed_models ? join_list (patch->allowed_models) : NULL;
  GrDbStmt *stmt;
  GrKeyRecord *r = NULL;

  gr_store_lock (self);
  stmt = gr_sql_prepare (db,
                         "UPDATE api_keys SET name = COALESCE(?2, name), status = COALESCE(?3, status),"
                         " permissions = COALESCE(?4, permissions), allowed_models = COALESCE(?5, allowed_models),"
                         " expires_at = CASE WHEN ?6 = 1 THEN ?7 ELSE expires_at END,"
                         " rpm = CASE WHEN ?8 = 1 THEN ?9 ELSE rpm END,"
                         " tokens_per_day = CASE WHEN ?10 = 1 THEN ?11 ELSE tokens_per_day END,"
                         " monthly_budget_micros = CASE WHEN ?12 = 1 THEN ?13 ELSE monthly_budget_micros END,"
                         " updated_at = ?14 WHERE id = ?1;", error);
  if (stmt == NULL)
    goto out;
  gr_db_stmt_bind_text (stmt, 1, id);
  gr_sql_bind_text (stmt, 2, patch->name);
  gr_sql_bind_text (stmt, 3, patch->status);
  gr_sql_bind_text (stmt, 4, perms);
  gr_sql_bind_text (stmt, 5, models);
  gr_db_stmt_bind_int64 (stmt, 6, patch->set_expires_at ? 1 : 0);
  if (patch->expires_at > 0)
    gr_db_stmt_bind_int64 (stmt, 7, patch->expires_at);
  else
    gr_db_stmt_bind_null (stmt, 7);
  gr_db_stmt_bind_int64 (stmt, 8, (patch->limits_set & GR_LIMIT_RPM) != 0);
  gr_sql_bind_limit (stmt, 9, patch->limits.rpm);
  gr_db_stmt_bind_int64 (stmt, 10, (patch->limits_set & GR_LIMIT_TOKENS_PER_DAY) != 0);
  gr_sql_bind_limit (stmt, 11, patch->limits.tokens_per_day);
  gr_db_stmt_bind_int64 (stmt, 12, (patch->limits_set & GR_LIMIT_MONTHLY_BUDGET) != 0);
  gr_sql_bind_limit (stmt, 13, patch->limits.monthly_budget_micros);
  gr_db_stmt_bind_int64 (stmt, 14, gr_sql_now_ms ());
  if (!gr_sql_step_done (stmt, error))
    goto out;
  if (gr_db_changes (db) == 0)
    {
      g_set_error (error, GR_ERROR, GR_ERROR_NOT_FOUND, "no API key “%s”", id);
      goto out;
    }
  r = get_key_locked (self, id, error);

out:
  gr_store_unlock (self);
  return r;
}

gboolean
gr_store_delete_key (GrStore    *self,
                     const char *id,
                     GError    **error)
{
  GrDb *db = gr_store_get_db (self);
  GrDbStmt *stmt;
  gboolean ok = FALSE;

  gr_store_lock (self);
  stmt = gr_sql_prepare (db, "DELETE FROM api_keys WHERE id = ?;", error);
  if (stmt != NULL)
    {
      gr_db_stmt_bind_text (stmt, 1, id);
      ok = gr_sql_step_done (stmt, error);
      if (ok && gr_db_changes (db) == 0)
        {
          g_set_error (error, GR_ERROR, GR_ERROR_NOT_FOUND, "no API key “%s”", id);
          ok = FALSE;
        }
    }
  gr_store_unlock (self);
  return ok;
}

GrKeyRecord *
gr_store_rotate_key (GrStore    *self,
                     const char *id,
                     char      **secret_out,
                     GError    **error)
{
  GrDb *db = gr_store_get_db (self);
  g_autofree char *secret = gr_key_generate ();
  g_autofree char *prefix = gr_key_display_prefix (secret);
  g_autofree char *hash = gr_key_hash (gr_store_get_secret (self), secret);
  GrDbStmt *stmt;
  GrKeyRecord *r = NULL;

  gr_store_lock (self);
  stmt = gr_sql_prepare (db, "UPDATE api_keys SET prefix = ?2, hash = ?3, updated_at = ?4 "
                             "WHERE id = ?1 AND status != 'revoked';", error);
  if (stmt == NULL)
    goto out;
  gr_db_stmt_bind_text (stmt, 1, id);
  gr_db_stmt_bind_text (stmt, 2, prefix);
  gr_db_stmt_bind_text (stmt, 3, hash);
  gr_db_stmt_bind_int64 (stmt, 4, gr_sql_now_ms ());
  if (!gr_sql_step_done (stmt, error))
    goto out;
  if (gr_db_changes (db) == 0)
    {
      g_set_error (error, GR_ERROR, GR_ERROR_NOT_FOUND, "no active API key “%s”", id);
      goto out;
    }
  r = get_key_locked (self, id, error);
  if (r != NULL)
    *secret_out = g_steal_pointer (&secret);

out:
  gr_store_unlock (self);
  return r;
}

GPtrArray *
gr_store_load_keys (GrStore  *self,
                    GError  **error)
{
  GrDb *db = gr_store_get_db (self);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify) gr_key_record_free);
  GrDbStmt *stmt;
  GrDbStep rc = GR_DB_ERROR;

  gr_store_lock (self);
  stmt = gr_sql_prepare (db, "SELECT " KEY_COLUMNS KEY_FROM ";", error);
  if (stmt != NULL)
    {
      while ((rc = gr_db_stmt_step (stmt, error)) == GR_DB_ROW)
        g_ptr_array_add (keys, key_from_row (stmt));
      gr_db_stmt_finalize (stmt);
    }
  gr_store_unlock (self);
  return rc == GR_DB_DONE ? g_steal_pointer (&keys) : NULL;
}
