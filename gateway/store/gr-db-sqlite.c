/* gr-db-sqlite.c — GrDb over one SQLite connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * WAL lets readers go on while a batch is written; a busy timeout of 5 s
 * absorbs short write locks held by another connection.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <unistd.h>

#include "core/gr-error.h"
#include "store/gr-db.h"

typedef struct
{
  GrDb     parent;
  sqlite3 *handle;
} SqliteDb;

typedef struct
{
  GrDbStmt      parent;
  sqlite3_stmt *handle;
} SqliteStmt;

#define HANDLE(db)    (((SqliteDb *) (db))->handle)
#define STMT(stmt)    (((SqliteStmt *) (stmt))->handle)

static int
code_for (int rc)
{
  int primary = rc & 0xff;

  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
    return GR_ERROR_STORE_BUSY;
  if (primary == SQLITE_CONSTRAINT)
    return GR_ERROR_CONFLICT;
  return GR_ERROR_STORE;
}

static gboolean
set_error (sqlite3  *handle,
           int       rc,
           GError  **error)
{
  g_set_error (error, GR_ERROR, code_for (rc), "database: %s",
               handle ? sqlite3_errmsg (handle) : sqlite3_errstr (rc));
  return FALSE;
}

static void
sqlite_close (GrDb *db)
{
  sqlite3_close_v2 (HANDLE (db));
  g_free (db);
}

static gboolean
sqlite_exec (GrDb        *db,
             const char  *sql,
             GError     **error)
{
  char *msg = NULL;
  int rc = sqlite3_exec (HANDLE (db), sql, NULL, NULL, &msg);

  if (rc != SQLITE_OK)
    {
      g_set_error (error, GR_ERROR, code_for (rc), "database: %s", msg ? msg : sqlite3_errstr (rc));
      sqlite3_free (msg);
      return FALSE;
    }
  return TRUE;
}

static gboolean
sqlite_begin (GrDb      *db,
              gboolean   snapshot,
              GError   **error)
{
  /* A deferred BEGIN reads one snapshot; IMMEDIATE takes the write lock
   * up front, so a write transaction cannot fail half-way as busy. */
  return sqlite_exec (db, snapshot ? "BEGIN;" : "BEGIN IMMEDIATE;", error);
}

static gint64
sqlite_changes (GrDb *db)
{
  return sqlite3_changes64 (HANDLE (db));
}

static GrDbStmt *
sqlite_prepare (GrDb        *db,
                const char  *sql,
                GError     **error)
{
  sqlite3_stmt *handle = NULL;
  SqliteStmt *stmt;
  int rc = sqlite3_prepare_v2 (HANDLE (db), sql, -1, &handle, NULL);

  if (rc != SQLITE_OK)
    {
      set_error (HANDLE (db), rc, error);
      return NULL;
    }
  stmt = g_new0 (SqliteStmt, 1);
  stmt->parent.db = db;
  stmt->handle = handle;
  return &stmt->parent;
}

static void
sqlite_bind_text (GrDbStmt   *stmt,
                  int         idx,
                  const char *value)
{
  if (value != NULL)
    sqlite3_bind_text (STMT (stmt), idx, value, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (STMT (stmt), idx);
}

static void
sqlite_bind_int64 (GrDbStmt *stmt,
                   int       idx,
                   gint64    value)
{
  sqlite3_bind_int64 (STMT (stmt), idx, value);
}

static void
sqlite_bind_null (GrDbStmt *stmt,
                  int       idx)
{
  sqlite3_bind_null (STMT (stmt), idx);
}

static void
sqlite_bind_blob (GrDbStmt      *stmt,
                  int            idx,
                  gconstpointer  data,
                  gsize          len)
{
  sqlite3_bind_blob64 (STMT (stmt), idx, data, len, SQLITE_TRANSIENT);
}

static GrDbStep
sqlite_step (GrDbStmt  *stmt,
             GError   **error)
{
  int rc = sqlite3_step (STMT (stmt));

  if (rc == SQLITE_ROW)
    return GR_DB_ROW;
  if (rc == SQLITE_DONE)
    return GR_DB_DONE;
  set_error (HANDLE (stmt->db), rc, error);
  return GR_DB_ERROR;
}

static gboolean
sqlite_column_is_null (GrDbStmt *stmt,
                       int       col)
{
  return sqlite3_column_type (STMT (stmt), col) == SQLITE_NULL;
}

static gint64
sqlite_column_int64 (GrDbStmt *stmt,
                     int       col)
{
  return sqlite3_column_int64 (STMT (stmt), col);
}

static const char *
sqlite_column_text (GrDbStmt *stmt,
                    int       col)
{
  return (const char *) sqlite3_column_text (STMT (stmt), col);
}

static gconstpointer
sqlite_column_blob (GrDbStmt *stmt,
                    int       col,
                    gsize    *len)
{
  gconstpointer data = sqlite3_column_blob (STMT (stmt), col);

  *len = data ? (gsize) sqlite3_column_bytes (STMT (stmt), col) : 0;
  return data;
}

static void
sqlite_reset (GrDbStmt *stmt)
{
  sqlite3_reset (STMT (stmt));
}

static void
sqlite_finalize (GrDbStmt *stmt)
{
  sqlite3_finalize (STMT (stmt));
  g_free (stmt);
}

static const GrDbClass sqlite_class = {
  .close = sqlite_close,
  .exec = sqlite_exec,
  .begin = sqlite_begin,
  .changes = sqlite_changes,
  .prepare = sqlite_prepare,
  .bind_text = sqlite_bind_text,
  .bind_int64 = sqlite_bind_int64,
  .bind_null = sqlite_bind_null,
  .bind_blob = sqlite_bind_blob,
  .step = sqlite_step,
  .column_is_null = sqlite_column_is_null,
  .column_int64 = sqlite_column_int64,
  .column_text = sqlite_column_text,
  .column_blob = sqlite_column_blob,
  .reset = sqlite_reset,
  .finalize = sqlite_finalize,
};

/* Creates the file ourselves so that it is 0600 from the first byte on:
 * it holds key hashes and provider credentials. */
static gboolean
create_private_file (const char  *path,
                     GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, GR_ERROR, GR_ERROR_STORE, "cannot create %s: %s",
                   dir, g_strerror (errno));
      return FALSE;
    }
  fd = g_open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      g_set_error (error, GR_ERROR, GR_ERROR_STORE, "cannot open %s: %s",
                   path, g_strerror (errno));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

GrDb *
gr_db_sqlite_open (const char     *path,
                   GrDbOpenFlags   flags,
                   GError        **error)
{
  gboolean readonly = (flags & GR_DB_OPEN_READONLY) != 0;
  SqliteDb *db;
  int rc;

  if (!readonly && !g_file_test (path, G_FILE_TEST_EXISTS) && !create_private_file (path, error))
    return NULL;

  db = g_new0 (SqliteDb, 1);
  db->parent.klass = &sqlite_class;
  db->parent.dialect = GR_DB_SQLITE;
  rc = sqlite3_open_v2 (path, &db->handle,
                        readonly ? SQLITE_OPEN_READONLY
                                 : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, GR_ERROR, code_for (rc), "cannot open database %s: %s",
                   path, db->handle ? sqlite3_errmsg (db->handle) : sqlite3_errstr (rc));
      sqlite_close (&db->parent);
      return NULL;
    }
  sqlite3_busy_timeout (db->handle, 5000);

  if (!readonly &&
      (!sqlite_exec (&db->parent, "PRAGMA journal_mode=WAL;", error) ||
       !sqlite_exec (&db->parent, "PRAGMA synchronous=NORMAL;", error) ||
       !sqlite_exec (&db->parent, "PRAGMA foreign_keys=ON;", error)))
    {
      g_prefix_error (error, "%s: ", path);
      sqlite_close (&db->parent);
      return NULL;
    }
  return &db->parent;
}
