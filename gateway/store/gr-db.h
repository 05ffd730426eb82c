/* gr-db.h — one small database interface over SQLite and PostgreSQL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store writes its SQL once, with `?` and `?N` placeholders, and runs
 * it through a GrDb: SQLite takes the text as it is, PostgreSQL gets it
 * with the placeholders rewritten to `$N`.  A GrDb is one connection and
 * is not thread-safe: a thread that needs its own connection opens its own
 * GrDb (gr_db_open on the same target); the store guards its shared one
 * with a mutex.
 *
 * Errors are GR_ERROR: GR_ERROR_STORE_BUSY for a locked database, a
 * serialization failure or a lost connection (worth retrying),
 * GR_ERROR_CONFLICT for a constraint (a duplicate, a missing referenced
 * row), GR_ERROR_STORE for the rest.  Messages never hold the password of
 * a PostgreSQL URL.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  GR_DB_SQLITE,
  GR_DB_POSTGRESQL,
} GrDbDialect;

typedef enum
{
  GR_DB_OPEN_DEFAULT  = 0,
  /* SQLite: a read-only connection.  PostgreSQL: transactions default to
   * read only. */
  GR_DB_OPEN_READONLY = 1 << 0,
} GrDbOpenFlags;

typedef enum
{
  GR_DB_ERROR = -1,
  GR_DB_DONE  = 0,
  GR_DB_ROW   = 1,
} GrDbStep;

typedef struct _GrDb     GrDb;
typedef struct _GrDbStmt GrDbStmt;

/* target: a PostgreSQL URL (postgresql://… or postgres://…), "sqlite:PATH"
 * or a plain SQLite path.  A SQLite file is created 0600 (its directory
 * 0700) when missing, unless read-only. */
GrDb        *gr_db_open              (const char     *target,
                                      GrDbOpenFlags   flags,
                                      GError        **error);
void         gr_db_close             (GrDb           *db);
GrDbDialect  gr_db_dialect           (GrDb           *db);
/* TRUE for a target gr_db_open would hand to PostgreSQL. */
gboolean     gr_db_target_is_postgresql (const char  *target);
/* The target as it may be shown: a URL without its password. */
char        *gr_db_target_display    (const char     *target);

/* One or more statements without parameters (migrations, pragmas). */
gboolean     gr_db_exec              (GrDb           *db,
                                      const char     *sql,
                                      GError        **error);
/* A write transaction: SQLite takes the write lock at once (BEGIN
 * IMMEDIATE) so that it never fails half-way with "busy". */
gboolean     gr_db_begin             (GrDb           *db,
                                      GError        **error);
/* A read transaction in which every statement sees the same data. */
gboolean     gr_db_begin_snapshot    (GrDb           *db,
                                      GError        **error);
gboolean     gr_db_commit            (GrDb           *db,
                                      GError        **error);
/* Never fails loudly: it is the clean-up path. */
void         gr_db_rollback          (GrDb           *db);
/* Rows changed by the last statement that finished. */
gint64       gr_db_changes           (GrDb           *db);

GrDbStmt    *gr_db_prepare           (GrDb           *db,
                                      const char     *sql,
                                      GError        **error);
/* Parameters count from 1.  Values are copied. */
void         gr_db_stmt_bind_text    (GrDbStmt       *stmt,
                                      int             idx,
                                      const char     *value);  /* NULL → NULL */
void         gr_db_stmt_bind_int64   (GrDbStmt       *stmt,
                                      int             idx,
                                      gint64          value);
void         gr_db_stmt_bind_null    (GrDbStmt       *stmt,
                                      int             idx);
void         gr_db_stmt_bind_blob    (GrDbStmt       *stmt,
                                      int             idx,
                                      gconstpointer   data,
                                      gsize           len);
GrDbStep     gr_db_stmt_step         (GrDbStmt       *stmt,
                                      GError        **error);
/* Columns count from 0 and are valid until the next step or reset. */
gboolean     gr_db_stmt_column_is_null (GrDbStmt     *stmt,
                                        int           col);
gint64       gr_db_stmt_column_int64 (GrDbStmt       *stmt,
                                      int             col);
const char  *gr_db_stmt_column_text  (GrDbStmt       *stmt,
                                      int             col);   /* NULL for NULL */
gconstpointer gr_db_stmt_column_blob (GrDbStmt       *stmt,
                                      int             col,
                                      gsize          *len);
/* Ready to step again; the bindings stay. */
void         gr_db_stmt_reset        (GrDbStmt       *stmt);
void         gr_db_stmt_finalize     (GrDbStmt       *stmt);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GrDbStmt, gr_db_stmt_finalize)

/* For the backends (gr-db-sqlite.c, gr-db-pg.c). */
typedef struct
{
  void        (*close)         (GrDb *db);
  gboolean    (*exec)          (GrDb *db, const char *sql, GError **error);
  gboolean    (*begin)         (GrDb *db, gboolean snapshot, GError **error);
  gint64      (*changes)       (GrDb *db);
  GrDbStmt   *(*prepare)       (GrDb *db, const char *sql, GError **error);
  void        (*bind_text)     (GrDbStmt *stmt, int idx, const char *value);
  void        (*bind_int64)    (GrDbStmt *stmt, int idx, gint64 value);
  void        (*bind_null)     (GrDbStmt *stmt, int idx);
  void        (*bind_blob)     (GrDbStmt *stmt, int idx, gconstpointer data, gsize len);
  GrDbStep    (*step)          (GrDbStmt *stmt, GError **error);
  gboolean    (*column_is_null)(GrDbStmt *stmt, int col);
  gint64      (*column_int64)  (GrDbStmt *stmt, int col);
  const char *(*column_text)   (GrDbStmt *stmt, int col);
  gconstpointer (*column_blob) (GrDbStmt *stmt, int col, gsize *len);
  void        (*reset)         (GrDbStmt *stmt);
  void        (*finalize)      (GrDbStmt *stmt);
} GrDbClass;

struct _GrDb
{
  const GrDbClass *klass;
  GrDbDialect      dialect;
};

struct _GrDbStmt
{
  GrDb *db;
};

GrDb *gr_db_sqlite_open (const char *path, GrDbOpenFlags flags, GError **error);
GrDb *gr_db_pg_open     (const char *url, GrDbOpenFlags flags, GError **error);
/* `?` and `?N` outside quotes and comments → `$N`; *n_params gets the
 * highest number. */
char *gr_db_rewrite_placeholders (const char *sql, int *n_params);

G_END_DECLS
