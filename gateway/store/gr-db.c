/* gr-db.c — the backend-neutral half of GrDb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "core/gr-error.h"
#include "store/gr-db.h"

gboolean
gr_db_target_is_postgresql (const char *target)
{
  return target != NULL &&
         (g_str_has_prefix (target, "postgresql://") || g_str_has_prefix (target, "postgres://"));
}

/* Hides the password of user:password@ and of a password=… parameter. */
char *
gr_db_target_display (const char *target)
{
  GString *out;
  const char *scheme_end, *at, *slash, *colon, *p;

  if (target == NULL)
    return NULL;
  if (!gr_db_target_is_postgresql (target))
    return g_strdup (target);

  out = g_string_new (NULL);
  scheme_end = strstr (target, "://") + 3;
  slash = strpbrk (scheme_end, "/?");
  at = strchr (scheme_end, '@');
  if (at != NULL && (slash == NULL || at < slash))
    {
      colon = memchr (scheme_end, ':', at - scheme_end);
      if (colon != NULL)
        {
          g_string_append_len (out, target, colon - target);
          g_string_append (out, ":***");
          target = at;
        }
    }
  /* Query parameters: password=… up to the next &. */
  for (p = target; *p; p++)
    {
      gboolean param_start = (*p == '?' || *p == '&');

      g_string_append_c (out, *p);
      if (param_start && g_ascii_strncasecmp (p + 1, "password=", 9) == 0)
        {
          g_string_append (out, "password=***");
          p += 9;
          while (p[1] != '\0' && p[1] != '&')
            p++;
        }
    }
  return g_string_free (out, FALSE);
}

GrDb *
gr_db_open (const char     *target,
            GrDbOpenFlags   flags,
            GError        **error)
{
  g_return_val_if_fail (target != NULL, NULL);

  if (gr_db_target_is_postgresql (target))
    {
#ifdef HAVE_POSTGRESQL
      return gr_db_pg_open (target, flags, error);
#else
      g_set_error (error, GR_ERROR, GR_ERROR_STORE,
                   "this gaiarouterd was built without PostgreSQL support (meson option postgresql)");
      return NULL;
#endif
    }
  if (g_str_has_prefix (target, "sqlite:"))
    target += strlen ("sqlite:");
  if (*target == '\0')
    {
      g_set_error (error, GR_ERROR, GR_ERROR_STORE, "no database path");
      return NULL;
    }
  return gr_db_sqlite_open (target, flags, error);
}

void
gr_db_close (GrDb *db)
{
  if (db != NULL)
    db->klass->close (db);
}

GrDbDialect
gr_db_dialect (GrDb *db)
{
  return db->dialect;
}

gboolean
gr_db_exec (GrDb        *db,
            const char  *sql,
            GError     **error)
{
  return db->klass->exec (db, sql, error);
}

gboolean
gr_db_begin (GrDb    *db,
             GError **error)
{
  return db->klass->begin (db, FALSE, error);
}

gboolean
gr_db_begin_snapshot (GrDb    *db,
                      GError **error)
{
  return db->klass->begin (db, TRUE, error);
}

gboolean
gr_db_commit (GrDb    *db,
              GError **error)
{
  return db->klass->exec (db, "COMMIT;", error);
}

void
gr_db_rollback (GrDb *db)
{
  db->klass->exec (db, "ROLLBACK;", NULL);
}

gint64
gr_db_changes (GrDb *db)
{
  return db->klass->changes (db);
}

GrDbStmt *
gr_db_prepare (GrDb        *db,
               const char  *sql,
               GError     **error)
{
  return db->klass->prepare (db, sql, error);
}

void
gr_db_stmt_bind_text (GrDbStmt   *stmt,
                      int         idx,
                      const char *value)
{
  stmt->db->klass->bind_text (stmt, idx, value);
}

void
gr_db_stmt_bind_int64 (GrDbStmt *stmt,
                       int       idx,
                       gint64    value)
{
  stmt->db->klass->bind_int64 (stmt, idx, value);
}

void
gr_db_stmt_bind_null (GrDbStmt *stmt,
                      int       idx)
{
  stmt->db->klass->bind_null (stmt, idx);
}

void
gr_db_stmt_bind_blob (GrDbStmt      *stmt,
                      int            idx,
                      gconstpointer  data,
                      gsize          len)
{
  stmt->db->klass->bind_blob (stmt, idx, data, len);
}

GrDbStep
gr_db_stmt_step (GrDbStmt  *stmt,
                 GError   **error)
{
  return stmt->db->klass->step (stmt, error);
}

gboolean
gr_db_stmt_column_is_null (GrDbStmt *stmt,
                           int       col)
{
  return stmt->db->klass->column_is_null (stmt, col);
}

gint64
gr_db_stmt_column_int64 (GrDbStmt *stmt,
                         int       col)
{
  return stmt->db->klass->column_int64 (stmt, col);
}

const char *
gr_db_stmt_column_text (GrDbStmt *stmt,
                        int       col)
{
  return stmt->db->klass->column_text (stmt, col);
}

gconstpointer
gr_db_stmt_column_blob (GrDbStmt *stmt,
                        int       col,
                        gsize    *len)
{
  return stmt->db->klass->column_blob (stmt, col, len);
}

void
gr_db_stmt_reset (GrDbStmt *stmt)
{
  stmt->db->klass->reset (stmt);
}

void
gr_db_stmt_finalize (GrDbStmt *stmt)
{
  if (stmt != NULL)
    stmt->db->klass->finalize (stmt);
}

char *
gr_db_rewrite_placeholders (const char *sql,
                            int        *n_params)
{
  GString *out = g_string_sized_new (strlen (sql) + 16);
  int highest = 0;
  const char *p = sql;

  while (*p)
    {
      if (*p == '\'' || *p == '"')
        {
          /* A quoted string or identifier; a doubled quote stays inside. */
          char quote = *p;

          g_string_append_c (out, *p++);
          while (*p)
            {
              if (*p == quote && p[1] == quote)
                {
                  g_string_append_len (out, p, 2);
                  p += 2;
                  continue;
                }
              if (*p == quote)
                break;
              g_string_append_c (out, *p++);
            }
          if (*p)
            g_string_append_c (out, *p++);
        }
      else if (p[0] == '-' && p[1] == '-')
        {
          while (*p && *p != '\n')
            g_string_append_c (out, *p++);
        }
      else if (p[0] == '/' && p[1] == '*')
        {
          const char *end = strstr (p + 2, "*/");
          gsize len = end ? (gsize) (end + 2 - p) : strlen (p);

          g_string_append_len (out, p, len);
          p += len;
        }
      else if (*p == '?')
        {
          int n;

          p++;
          if (g_ascii_isdigit (*p))
            {
              n = 0;
              while (g_ascii_isdigit (*p))
                n = n * 10 + (*p++ - '0');
            }
          else
            n = highest + 1;   /* a bare ? takes the next number, as in SQLite */
          highest = MAX (highest, n);
          g_string_append_printf (out, "$%d", n);
        }
      else
        g_string_append_c (out, *p++);
    }
  if (n_params != NULL)
    *n_params = highest;
  return g_string_free (out, FALSE);
}
