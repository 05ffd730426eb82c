/* gr-db-pg.c — GrDb over one libpq connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every statement is prepared on the server once per connection (PQprepare,
 * cached by its SQL and the types of its parameters) and then run with
 * PQexecPrepared.  Parameters travel as text with their types stated
 * (TEXT, INT8; BYTEA in binary), except an untyped NULL, whose type the
 * server infers from where it stands.  Results come as text: numbers are
 * parsed (so SUM over BIGINT, which is NUMERIC, reads like any integer)
 * and BYTEA is unescaped.  A lost connection is reset before the next
 * statement (its prepared statements go with it).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "core/gr-error.h"
#include "store/gr-db.h"

/* Type OIDs of the built-in types we bind (pg_type.dat; fixed forever). */
#define BYTEA_OID  17
#define INT8_OID   20
#define TEXT_OID   25

typedef struct
{
  GrDb        parent;
  PGconn     *conn;
  char       *display;    /* the URL without its password */
  GrDbOpenFlags flags;
  GHashTable *prepared;   /* types + "\n" + SQL → statement name */
  guint       next_name;
  gint64      changes;
} PgDb;

typedef struct
{
  Oid      type;          /* 0: let the server infer (an untyped NULL) */
  gboolean is_null;
  char    *value;         /* text, or the bytes of a BYTEA */
  int      len;
} PgParam;

typedef struct
{
  GrDbStmt   parent;
  char      *sql;         /* with $N placeholders */
  int        n_params;
  PgParam   *params;
  PGresult  *result;
  int        row;
  GPtrArray *blobs;       /* unescaped BYTEA of the current row */
} PgStmt;

#define PG(db)     ((PgDb *) (db))
#define PGS(stmt)  ((PgStmt *) (stmt))

/* ---- errors ------------------------------------------------------------ */

/* What the caller may do about it: retry (busy), fix the input
 * (conflict), or nothing. */
static int
code_for_state (const char *state)
{
  static const char * const busy[] = {
    "40001",  /* serialization_failure */
    "40P01",  /* deadlock_detected */
    "55P03",  /* lock_not_available (lock_timeout) */
    "57014",  /* query_canceled (statement_timeout) */
    "57P01", "57P02", "57P03",  /* the server shuts down or starts */
    "53300",  /* too_many_connections */
    NULL
  };

  if (state == NULL)
    return GR_ERROR_STORE;
  if (g_str_has_prefix (state, "23"))
    return GR_ERROR_CONFLICT;   /* unique (23505), foreign key (23503), … */
  if (g_str_has_prefix (state, "08"))
    return GR_ERROR_STORE_BUSY; /* connection exceptions */
  if (g_strv_contains (busy, state))
    return GR_ERROR_STORE_BUSY;
  return GR_ERROR_STORE;
}

static char *
clean_message (const char *message)
{
  char *copy = g_strdup (message && *message ? message : "unknown error");

  return g_strstrip (copy);
}

static gboolean
set_result_error (PgDb            *db,
                  const PGresult  *result,
                  GError         **error)
{
  const char *state = result ? PQresultErrorField (result, PG_DIAG_SQLSTATE) : NULL;
  const char *primary = result ? PQresultErrorField (result, PG_DIAG_MESSAGE_PRIMARY) : NULL;
  g_autofree char *message = clean_message (primary ? primary : PQerrorMessage (db->conn));
  int code = code_for_state (state);

  if (state == NULL && PQstatus (db->conn) != CONNECTION_OK)
    code = GR_ERROR_STORE_BUSY;
  g_set_error (error, GR_ERROR, code, "database: %s%s%s%s", message,
               state ? " (SQLSTATE " : "", state ? state : "", state ? ")" : "");
  return FALSE;
}

/* ---- connection -------------------------------------------------------- */

static void
notice_cb (void       *data,
           const char *message)
{
  /* "relation … already exists, skipping" and the like. */
  g_debug ("PostgreSQL: %s", message);
}

#define SESSION_SETTINGS \
  "SET application_name = 'gaiarouterd'; SET lock_timeout = '5s';" \
  " SET client_min_messages = warning;"

static gboolean
configure (PgDb           *db,
           GrDbOpenFlags   flags,
           GError        **error)
{
  PGresult *result;
  gboolean ok;

  PQsetNoticeProcessor (db->conn, notice_cb, NULL);
  /* Five seconds of waiting for a lock, as SQLite's busy timeout; then
   * the caller gets GR_ERROR_STORE_BUSY and retries later. */
  result = PQexec (db->conn, (flags & GR_DB_OPEN_READONLY)
                   ? SESSION_SETTINGS " SET default_transaction_read_only = on;"
                   : SESSION_SETTINGS);
  ok = PQresultStatus (result) == PGRES_COMMAND_OK;
  if (!ok)
    set_result_error (db, result, error);
  PQclear (result);
  return ok;
}

/* Before each statement: a connection the server dropped is opened again
 * (outside a transaction only; inside, the transaction is lost anyway
 * and the statement fails, so that the caller rolls back). */
static gboolean
ensure_connected (PgDb    *db,
                  GError **error)
{
  if (PQstatus (db->conn) == CONNECTION_OK)
    return TRUE;
  g_hash_table_remove_all (db->prepared);
  PQreset (db->conn);
  if (PQstatus (db->conn) != CONNECTION_OK || !configure (db, db->flags, NULL))
    {
      g_autofree char *message = clean_message (PQerrorMessage (db->conn));

      g_set_error (error, GR_ERROR, GR_ERROR_STORE_BUSY, "database %s: connection lost: %s",
                   db->display, message);
      return FALSE;
    }
  g_message ("database %s: connection re-established", db->display);
  return TRUE;
}

static void
pg_close (GrDb *gdb)
{
  PgDb *db = PG (gdb);

  PQfinish (db->conn);
  g_hash_table_unref (db->prepared);
  g_free (db->display);
  g_free (db);
}

static void
set_changes (PgDb           *db,
             const PGresult *result)
{
  const char *n = PQcmdTuples ((PGresult *) result);

  db->changes = (n != NULL && *n != '\0') ? g_ascii_strtoll (n, NULL, 10) : 0;
}

static gboolean
pg_exec (GrDb        *gdb,
         const char  *sql,
         GError     **error)
{
  PgDb *db = PG (gdb);
  PGresult *result;
  ExecStatusType status;

  if (!ensure_connected (db, error))
    return FALSE;
  result = PQexec (db->conn, sql);
  status = PQresultStatus (result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    {
      set_result_error (db, result, error);
      PQclear (result);
      return FALSE;
    }
  set_changes (db, result);
  PQclear (result);
  return TRUE;
}

static gboolean
pg_begin (GrDb      *gdb,
          gboolean   snapshot,
          GError   **error)
{
  /* READ COMMITTED for writers: their read-modify-writes are guarded by
   * row and advisory locks (see gr_store_lock_transaction). */
  return pg_exec (gdb, snapshot ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;" : "BEGIN;",
                  error);
}

static gint64
pg_changes (GrDb *gdb)
{
  return PG (gdb)->changes;
}

/* ---- statements -------------------------------------------------------- */

static void
clear_result (PgStmt *stmt)
{
  g_clear_pointer (&stmt->result, PQclear);
  g_ptr_array_set_size (stmt->blobs, 0);
  stmt->row = -1;
}

static GrDbStmt *
pg_prepare (GrDb        *gdb,
            const char  *sql,
            GError     **error)
{
  PgStmt *stmt = g_new0 (PgStmt, 1);

  stmt->parent.db = gdb;
  stmt->sql = gr_db_rewrite_placeholders (sql, &stmt->n_params);
  stmt->params = g_new0 (PgParam, MAX (stmt->n_params, 1));
  for (int i = 0; i < stmt->n_params; i++)
    stmt->params[i].is_null = TRUE;
  stmt->blobs = g_ptr_array_new_with_free_func (PQfreemem);
  stmt->row = -1;
  return &stmt->parent;
}

static PgParam *
param (GrDbStmt *gstmt,
       int       idx)
{
  PgStmt *stmt = PGS (gstmt);
  PgParam *p;

  g_return_val_if_fail (idx >= 1 && idx <= stmt->n_params, NULL);
  p = &stmt->params[idx - 1];
  g_clear_pointer (&p->value, g_free);
  p->len = 0;
  return p;
}

static void
pg_bind_text (GrDbStmt   *stmt,
              int         idx,
              const char *value)
{
  PgParam *p = param (stmt, idx);

  if (p == NULL)
    return;
  p->type = TEXT_OID;
  p->is_null = value == NULL;
  p->value = g_strdup (value);
}

static void
pg_bind_int64 (GrDbStmt *stmt,
               int       idx,
               gint64    value)
{
  PgParam *p = param (stmt, idx);

  if (p == NULL)
    return;
  p->type = INT8_OID;
  p->is_null = FALSE;
  p->value = g_strdup_printf ("%" G_GINT64_FORMAT, value);
}

static void
pg_bind_null (GrDbStmt *stmt,
              int       idx)
{
  PgParam *p = param (stmt, idx);

  if (p == NULL)
    return;
  p->type = 0;
  p->is_null = TRUE;
}

static void
pg_bind_blob (GrDbStmt      *stmt,
              int            idx,
              gconstpointer  data,
              gsize          len)
{
  PgParam *p = param (stmt, idx);

  if (p == NULL)
    return;
  g_return_if_fail (len <= G_MAXINT);
  p->type = BYTEA_OID;
  p->is_null = FALSE;
  p->value = g_memdup2 (data, MAX (len, 1));
  p->len = (int) len;
}

/* The server-side name of the statement for these types, prepared on
 * first use. */
static const char *
prepared_name (PgDb     *db,
               PgStmt   *stmt,
               Oid      *types,
               GError  **error)
{
  GString *key = g_string_new (NULL);
  const char *name;
  PGresult *result;
  char *new_name;

  for (int i = 0; i < stmt->n_params; i++)
    g_string_append_printf (key, "%u,", types[i]);
  g_string_append_c (key, '\n');
  g_string_append (key, stmt->sql);

  name = g_hash_table_lookup (db->prepared, key->str);
  if (name != NULL)
    {
      g_string_free (key, TRUE);
      return name;
    }

  new_name = g_strdup_printf ("gr_%u", db->next_name++);
  result = PQprepare (db->conn, new_name, stmt->sql, stmt->n_params, types);
  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    {
      set_result_error (db, result, error);
      PQclear (result);
      g_free (new_name);
      g_string_free (key, TRUE);
      return NULL;
    }
  PQclear (result);
  g_hash_table_insert (db->prepared, g_string_free (key, FALSE), new_name);
  return new_name;
}

static gboolean
execute (PgDb     *db,
         PgStmt   *stmt,
         GError  **error)
{
  int n = stmt->n_params;
  g_autofree Oid *types = g_new0 (Oid, MAX (n, 1));
  g_autofree const char **values = g_new0 (const char *, MAX (n, 1));
  g_autofree int *lengths = g_new0 (int, MAX (n, 1));
  g_autofree int *formats = g_new0 (int, MAX (n, 1));
  const char *name;
  ExecStatusType status;

  for (int i = 0; i < n; i++)
    {
      PgParam *p = &stmt->params[i];

      types[i] = p->type;
      values[i] = p->is_null ? NULL : p->value;
      lengths[i] = p->len;
      formats[i] = p->type == BYTEA_OID ? 1 : 0;
    }
  if (!ensure_connected (db, error))
    return FALSE;
  name = prepared_name (db, stmt, types, error);
  if (name == NULL)
    return FALSE;
  stmt->result = PQexecPrepared (db->conn, name, n, values, lengths, formats, 0);
  status = PQresultStatus (stmt->result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    {
      set_result_error (db, stmt->result, error);
      g_clear_pointer (&stmt->result, PQclear);
      return FALSE;
    }
  set_changes (db, stmt->result);
  return TRUE;
}

static GrDbStep
pg_step (GrDbStmt  *gstmt,
         GError   **error)
{
  PgStmt *stmt = PGS (gstmt);

  g_ptr_array_set_size (stmt->blobs, 0);
  if (stmt->result == NULL)
    {
      if (!execute (PG (gstmt->db), stmt, error))
        return GR_DB_ERROR;
    }
  stmt->row++;
  return stmt->row < PQntuples (stmt->result) ? GR_DB_ROW : GR_DB_DONE;
}

static gboolean
pg_column_is_null (GrDbStmt *gstmt,
                   int       col)
{
  PgStmt *stmt = PGS (gstmt);

  g_return_val_if_fail (stmt->result != NULL && stmt->row < PQntuples (stmt->result), TRUE);
  return PQgetisnull (stmt->result, stmt->row, col);
}

static gint64
pg_column_int64 (GrDbStmt *gstmt,
                 int       col)
{
  PgStmt *stmt = PGS (gstmt);

  if (pg_column_is_null (gstmt, col))
    return 0;
  return g_ascii_strtoll (PQgetvalue (stmt->result, stmt->row, col), NULL, 10);
}

static const char *
pg_column_text (GrDbStmt *gstmt,
                int       col)
{
  PgStmt *stmt = PGS (gstmt);

  if (pg_column_is_null (gstmt, col))
    return NULL;
  return PQgetvalue (stmt->result, stmt->row, col);
}

static gconstpointer
pg_column_blob (GrDbStmt *gstmt,
                int       col,
                gsize    *len)
{
  PgStmt *stmt = PGS (gstmt);
  unsigned char *bytes;
  size_t n = 0;

  *len = 0;
  if (pg_column_is_null (gstmt, col))
    return NULL;
  bytes = PQunescapeBytea ((const unsigned char *) PQgetvalue (stmt->result, stmt->row, col), &n);
  if (bytes == NULL)
    return NULL;
  g_ptr_array_add (stmt->blobs, bytes);
  *len = n;
  return bytes;
}

static void
pg_reset (GrDbStmt *gstmt)
{
  clear_result (PGS (gstmt));
}

static void
pg_finalize (GrDbStmt *gstmt)
{
  PgStmt *stmt = PGS (gstmt);

  clear_result (stmt);
  g_ptr_array_unref (stmt->blobs);
  for (int i = 0; i < stmt->n_params; i++)
    g_free (stmt->params[i].value);
  g_free (stmt->params);
  g_free (stmt->sql);
  g_free (stmt);
}

static const GrDbClass pg_class = {
  .close = pg_close,
  .exec = pg_exec,
  .begin = pg_begin,
  .changes = pg_changes,
  .prepare = pg_prepare,
  .bind_text = pg_bind_text,
  .bind_int64 = pg_bind_int64,
  .bind_null = pg_bind_null,
  .bind_blob = pg_bind_blob,
  .step = pg_step,
  .column_is_null = pg_column_is_null,
  .column_int64 = pg_column_int64,
  .column_text = pg_column_text,
  .column_blob = pg_column_blob,
  .reset = pg_reset,
  .finalize = pg_finalize,
};

GrDb *
gr_db_pg_open (const char     *url,
               GrDbOpenFlags   flags,
               GError        **error)
{
  PgDb *db = g_new0 (PgDb, 1);

  db->parent.klass = &pg_class;
  db->parent.dialect = GR_DB_POSTGRESQL;
  db->display = gr_db_target_display (url);
  db->flags = flags;
  db->prepared = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  db->conn = PQconnectdb (url);
  if (db->conn == NULL || PQstatus (db->conn) != CONNECTION_OK)
    {
      g_autofree char *message = clean_message (db->conn ? PQerrorMessage (db->conn) : "out of memory");

      /* libpq's message names host, port and user, never the password. */
      g_set_error (error, GR_ERROR, GR_ERROR_STORE_BUSY, "cannot connect to database %s: %s",
                   db->display, message);
      pg_close (&db->parent);
      return NULL;
    }
  if (!configure (db, flags, error))
    {
      g_prefix_error (error, "%s: ", db->display);
      pg_close (&db->parent);
      return NULL;
    }
  return &db->parent;
}
