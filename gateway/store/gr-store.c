/* gr-store.c — persistent state over SQLite
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One connection guarded by a mutex: the usage writer thread and the admin
 * workers share it.  WAL lets readers go on while a batch is written.  All
 * statements are prepared; schema changes are numbered migrations recorded
 * in schema_version.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <unistd.h>

#include "auth/gr-keys.h"
#include "core/gr-error.h"
#include "store/gr-sql.h"
#include "store/gr-store.h"
#include "store/gr-store-stats.h"
#include "store/gr-store-private.h"

struct _GrStore
{
  GObject  parent_instance;

  GMutex   lock;
  sqlite3 *db;
  char    *path;
  char    *secret;
  int      schema_version;
};

G_DEFINE_FINAL_TYPE (GrStore, gr_store, G_TYPE_OBJECT)

static const char *migrations[] = {
  /* 1: the foundation */
  "CREATE TABLE settings ("
  "  key TEXT PRIMARY KEY,"
  "  value TEXT NOT NULL);"
  "CREATE TABLE organizations ("
  "  id TEXT PRIMARY KEY,"
  "  name TEXT NOT NULL UNIQUE,"
  "  description TEXT NOT NULL DEFAULT '',"
  "  status TEXT NOT NULL DEFAULT 'active',"
  "  rpm INTEGER, requests_per_day INTEGER, tokens_per_day INTEGER,"
  "  monthly_budget_micros INTEGER,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL);"
  "CREATE TABLE api_keys ("
  "  id TEXT PRIMARY KEY,"
  "  org_id TEXT NOT NULL REFERENCES organizations(id),"
  "  name TEXT NOT NULL,"
  "  prefix TEXT NOT NULL,"
  "  hash TEXT NOT NULL UNIQUE,"
  "  permissions TEXT NOT NULL,"
  "  allowed_models TEXT NOT NULL DEFAULT '',"
  "  expires_at INTEGER,"
  "  status TEXT NOT NULL DEFAULT 'active',"
  "  rpm INTEGER, tokens_per_day INTEGER, monthly_budget_micros INTEGER,"
  "  last_used_at INTEGER,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL);"
  "CREATE INDEX api_keys_org ON api_keys(org_id);"
  "CREATE TABLE providers ("
  "  id TEXT PRIMARY KEY,"
  "  name TEXT NOT NULL UNIQUE,"
  "  kind TEXT NOT NULL,"
  "  base_url TEXT NOT NULL,"
  "  api_key TEXT,"
  "  proxy TEXT,"
  "  enabled INTEGER NOT NULL DEFAULT 1,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL);"
  /* No foreign keys here: usage history outlives keys and organizations. */
  "CREATE TABLE usage_events ("
  "  id INTEGER PRIMARY KEY,"
  "  request_id TEXT NOT NULL,"
  "  ts INTEGER NOT NULL,"
  "  key_id TEXT, org_id TEXT, provider TEXT, model TEXT, endpoint TEXT,"
  "  status INTEGER NOT NULL,"
  "  prompt_tokens INTEGER NOT NULL DEFAULT 0,"
  "  completion_tokens INTEGER NOT NULL DEFAULT 0,"
  "  cached_tokens INTEGER NOT NULL DEFAULT 0,"
  "  reasoning_tokens INTEGER NOT NULL DEFAULT 0,"
  "  cost_micros INTEGER NOT NULL DEFAULT 0,"
  "  latency_ms INTEGER NOT NULL DEFAULT 0,"
  "  ttfb_ms INTEGER,"
  "  stream INTEGER NOT NULL DEFAULT 0,"
  "  partial INTEGER NOT NULL DEFAULT 0,"
  "  error_code TEXT);"
  "CREATE INDEX usage_events_ts ON usage_events(ts);"
  "CREATE INDEX usage_events_key ON usage_events(key_id, ts);",

  /* 2: hourly rollups, kept after raw events are pruned.  latency_hist
   * holds counts per latency bucket (see gr-store-stats.c) so that p95
   * survives the rollup. */
  "CREATE TABLE usage_hourly ("
  "  hour INTEGER NOT NULL,"
  "  key_id TEXT NOT NULL DEFAULT '',"
  "  org_id TEXT NOT NULL DEFAULT '',"
  "  provider TEXT NOT NULL DEFAULT '',"
  "  model TEXT NOT NULL DEFAULT '',"
  "  requests INTEGER NOT NULL DEFAULT 0,"
  "  errors INTEGER NOT NULL DEFAULT 0,"
  "  prompt_tokens INTEGER NOT NULL DEFAULT 0,"
  "  completion_tokens INTEGER NOT NULL DEFAULT 0,"
  "  cached_tokens INTEGER NOT NULL DEFAULT 0,"
  "  cost_micros INTEGER NOT NULL DEFAULT 0,"
  "  latency_ms_sum INTEGER NOT NULL DEFAULT 0,"
  "  latency_hist BLOB,"
  "  PRIMARY KEY (hour, key_id, org_id, provider, model));"
  "CREATE INDEX usage_hourly_org ON usage_hourly(org_id, hour);"
  "CREATE INDEX usage_hourly_key ON usage_hourly(key_id, hour);"
  "CREATE TABLE registry_models ("
  "  id TEXT PRIMARY KEY,"
  "  json TEXT NOT NULL,"
  "  updated_at INTEGER NOT NULL);"
  "CREATE TABLE registry_aliases ("
  "  name TEXT PRIMARY KEY,"
  "  json TEXT NOT NULL,"
  "  updated_at INTEGER NOT NULL);",
};

#define now_ms gr_sql_now_ms
#define column_dup gr_sql_column_dup
#define bind_text_or_null gr_sql_bind_text

static gboolean
set_sqlite_error (GrStore  *self,
                  int       rc,
                  GError  **error)
{
  return gr_sql_error (self->db, rc, error);
}

static gboolean
exec (GrStore    *self,
      const char *sql,
      GError    **error)
{
  return gr_sql_exec (self->db, sql, error);
}

static sqlite3_stmt *
prepare (GrStore    *self,
         const char *sql,
         GError    **error)
{
  return gr_sql_prepare (self->db, sql, error);
}

static gboolean
migrate (GrStore  *self,
         GError  **error)
{
  sqlite3_stmt *stmt;
  int version = 0;

  if (!exec (self, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);", error))
    return FALSE;
  if ((stmt = prepare (self, "SELECT MAX(version) FROM schema_version;", error)) == NULL)
    return FALSE;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);

  if (version > (int) G_N_ELEMENTS (migrations))
    {
      g_set_error (error, GR_ERROR, GR_ERROR_STORE,
                   "database schema version %d is newer than this program knows (%d)",
                   version, (int) G_N_ELEMENTS (migrations));
      return FALSE;
    }

  for (int v = version; v < (int) G_N_ELEMENTS (migrations); v++)
    {
      g_autofree char *record = g_strdup_printf ("INSERT INTO schema_version VALUES (%d);", v + 1);

      if (!exec (self, "BEGIN IMMEDIATE;", error))
        return FALSE;
      if (!exec (self, migrations[v], error) || !exec (self, record, error))
        {
          exec (self, "ROLLBACK;", NULL);
          return FALSE;
        }
      if (!exec (self, "COMMIT;", error))
        return FALSE;
    }
  self->schema_version = G_N_ELEMENTS (migrations);
  return TRUE;
}

static char *
get_setting (GrStore    *self,
             const char *key)
{
  sqlite3_stmt *stmt = prepare (self, "SELECT value FROM settings WHERE key = ?;", NULL);
  char *value = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = column_dup (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static gboolean
ensure_secret (GrStore  *self,
               GError  **error)
{
  sqlite3_stmt *stmt;
  g_autofree char *secret = NULL;
  int rc;

  self->secret = get_setting (self, "installation_secret");
  if (self->secret != NULL)
    return TRUE;

  secret = gr_random_hex (32);
  if ((stmt = prepare (self, "INSERT INTO settings (key, value) VALUES ('installation_secret', ?);", error)) == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, secret, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (self, rc, error);
  self->secret = g_steal_pointer (&secret);
  return TRUE;
}

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

GrStore *
gr_store_open (const char  *path,
               GError     **error)
{
  g_autoptr(GrStore) self = NULL;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_test (path, G_FILE_TEST_EXISTS) && !create_private_file (path, error))
    return NULL;

  self = g_object_new (GR_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, GR_ERROR, GR_ERROR_STORE, "cannot open database %s: %s",
                   path, self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return NULL;
    }
  sqlite3_busy_timeout (self->db, 5000);

  if (!exec (self, "PRAGMA journal_mode=WAL;", error) ||
      !exec (self, "PRAGMA synchronous=NORMAL;", error) ||
      !exec (self, "PRAGMA foreign_keys=ON;", error) ||
      !migrate (self, error) ||
      !ensure_secret (self, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }

  return g_steal_pointer (&self);
}

struct sqlite3 *
gr_store_get_db (GrStore *self)
{
  return self->db;
}

void
gr_store_lock (GrStore *self)
{
  g_mutex_lock (&self->lock);
}

void
gr_store_unlock (GrStore *self)
{
  g_mutex_unlock (&self->lock);
}

const char *
gr_store_get_path (GrStore *self)
{
  return self->path;
}

int
gr_store_get_schema_version (GrStore *self)
{
  return self->schema_version;
}

const char *
gr_store_get_secret (GrStore *self)
{
  return self->secret;
}

static gint64
count_rows (GrStore    *self,
            const char *sql,
            GError    **error)
{
  sqlite3_stmt *stmt = prepare (self, sql, error);
  gint64 n = -1;
  int rc;

  if (stmt == NULL)
    return -1;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  else
    set_sqlite_error (self, rc, error);
  sqlite3_finalize (stmt);
  return n;
}

char *
gr_store_bootstrap (GrStore  *self,
                    GError  **error)
{
  static const char * const admin_scopes[] = { "admin", NULL };
  g_autoptr(GrOrgRecord) org = NULL;
  g_autoptr(GrKeyRecord) record = NULL;
  GrKeySpec spec = { 0 };
  char *secret = NULL;
  gint64 n;

  g_return_val_if_fail (GR_IS_STORE (self), NULL);

  g_mutex_lock (&self->lock);
  n = count_rows (self, "SELECT COUNT(*) FROM api_keys;", error);
  if (n != 0)
    goto out;

  if (!exec (self, "BEGIN IMMEDIATE;", error))
    goto out;
  org = gr_store_create_org_locked (self, "Default", "Created on first start", "active", NULL, error);
  if (org != NULL)
    {
      spec.org_id = org->id;
      spec.name = "Admin";
      spec.permissions = admin_scopes;
      gr_limit_set_init_unlimited (&spec.limits);
      record = gr_store_create_key_locked (self, &spec, &secret, error);
    }
  if (record == NULL || !exec (self, "COMMIT;", error))
    {
      exec (self, "ROLLBACK;", NULL);
      g_clear_pointer (&secret, g_free);
    }

out:
  g_mutex_unlock (&self->lock);
  return secret;
}

static gboolean
insert_usage_locked (GrStore    *self,
                     GPtrArray  *events,
                     GError    **error)
{
  sqlite3_stmt *stmt;
  int rc = SQLITE_DONE;

  stmt = prepare (self,
                  "INSERT INTO usage_events (request_id, ts, key_id, org_id, provider, model, "
                  "endpoint, status, prompt_tokens, completion_tokens, cached_tokens, "
                  "reasoning_tokens, cost_micros, latency_ms, ttfb_ms, stream, partial, error_code) "
                  "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?);", error);
  if (stmt == NULL)
    return FALSE;

  for (guint i = 0; i < events->len && rc == SQLITE_DONE; i++)
    {
      GrUsageEvent *e = g_ptr_array_index (events, i);

      sqlite3_bind_text (stmt, 1, e->request_id, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, e->ts);
      bind_text_or_null (stmt, 3, e->key_id);
      bind_text_or_null (stmt, 4, e->org_id);
      bind_text_or_null (stmt, 5, e->provider);
      bind_text_or_null (stmt, 6, e->model);
      bind_text_or_null (stmt, 7, e->endpoint);
      sqlite3_bind_int (stmt, 8, e->status);
      sqlite3_bind_int64 (stmt, 9, e->prompt_tokens);
      sqlite3_bind_int64 (stmt, 10, e->completion_tokens);
      sqlite3_bind_int64 (stmt, 11, e->cached_tokens);
      sqlite3_bind_int64 (stmt, 12, e->reasoning_tokens);
      sqlite3_bind_int64 (stmt, 13, e->cost_micros);
      sqlite3_bind_int64 (stmt, 14, e->latency_ms);
      if (e->ttfb_ms >= 0)
        sqlite3_bind_int64 (stmt, 15, e->ttfb_ms);
      else
        sqlite3_bind_null (stmt, 15);
      sqlite3_bind_int (stmt, 16, e->stream);
      sqlite3_bind_int (stmt, 17, e->partial);
      bind_text_or_null (stmt, 18, e->error_code);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (self, rc, error);
  return TRUE;
}

gboolean
gr_store_insert_usage (GrStore    *self,
                       GPtrArray  *events,
                       GError    **error)
{
  gboolean ok;

  g_return_val_if_fail (GR_IS_STORE (self), FALSE);

  g_mutex_lock (&self->lock);
  ok = exec (self, "BEGIN IMMEDIATE;", error);
  if (ok)
    {
      ok = insert_usage_locked (self, events, error) && gr_store_stats_add_locked (self, events, error) && exec (self, "COMMIT;", error);
      if (!ok)
        exec (self, "ROLLBACK;", NULL);
    }
  g_mutex_unlock (&self->lock);
  return ok;
}

gboolean
gr_store_touch_keys (GrStore     *self,
                     GHashTable  *key_id_to_ms,
                     GError     **error)
{
  GHashTableIter iter;
  gpointer k, v;
  sqlite3_stmt *stmt;
  int rc = SQLITE_DONE;

  g_mutex_lock (&self->lock);
  stmt = prepare (self, "UPDATE api_keys SET last_used_at = MAX(IFNULL(last_used_at, 0), ?) WHERE id = ?;", error);
  if (stmt == NULL)
    {
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  g_hash_table_iter_init (&iter, key_id_to_ms);
  while (rc == SQLITE_DONE && g_hash_table_iter_next (&iter, &k, &v))
    {
      sqlite3_bind_int64 (stmt, 1, *(gint64 *) v);
      sqlite3_bind_text (stmt, 2, k, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    set_sqlite_error (self, rc, error);
  g_mutex_unlock (&self->lock);
  return rc == SQLITE_DONE;
}

GPtrArray *
gr_store_list_usage (GrStore  *self,
                     guint     limit,
                     GError  **error)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) gr_usage_event_free);
  sqlite3_stmt *stmt;
  int rc;

  g_mutex_lock (&self->lock);
  stmt = prepare (self,
                  "SELECT request_id, ts, key_id, org_id, provider, model, endpoint, status, "
                  "prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, cost_micros, "
                  "latency_ms, ttfb_ms, stream, partial, error_code "
                  "FROM usage_events ORDER BY id DESC LIMIT ?;", error);
  if (stmt == NULL)
    {
      g_mutex_unlock (&self->lock);
      return NULL;
    }
  sqlite3_bind_int (stmt, 1, (int) MIN (limit, G_MAXINT));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      GrUsageEvent *e = gr_usage_event_new ();

      e->request_id = column_dup (stmt, 0);
      e->ts = sqlite3_column_int64 (stmt, 1);
      e->key_id = column_dup (stmt, 2);
      e->org_id = column_dup (stmt, 3);
      e->provider = column_dup (stmt, 4);
      e->model = column_dup (stmt, 5);
      e->endpoint = column_dup (stmt, 6);
      e->status = sqlite3_column_int (stmt, 7);
      e->prompt_tokens = sqlite3_column_int64 (stmt, 8);
      e->completion_tokens = sqlite3_column_int64 (stmt, 9);
      e->cached_tokens = sqlite3_column_int64 (stmt, 10);
      e->reasoning_tokens = sqlite3_column_int64 (stmt, 11);
      e->cost_micros = sqlite3_column_int64 (stmt, 12);
      e->latency_ms = sqlite3_column_int64 (stmt, 13);
      e->ttfb_ms = sqlite3_column_type (stmt, 14) == SQLITE_NULL ? -1 : sqlite3_column_int64 (stmt, 14);
      e->stream = sqlite3_column_int (stmt, 15);
      e->partial = sqlite3_column_int (stmt, 16);
      e->error_code = column_dup (stmt, 17);
      g_ptr_array_add (events, e);
    }
  if (rc != SQLITE_DONE)
    set_sqlite_error (self, rc, error);
  sqlite3_finalize (stmt);
  g_mutex_unlock (&self->lock);
  return rc == SQLITE_DONE ? g_steal_pointer (&events) : NULL;
}

gint64
gr_store_count_usage (GrStore  *self,
                      GError  **error)
{
  gint64 n;

  g_mutex_lock (&self->lock);
  n = count_rows (self, "SELECT COUNT(*) FROM usage_events;", error);
  g_mutex_unlock (&self->lock);
  return n;
}

static void
gr_store_finalize (GObject *object)
{
  GrStore *self = GR_STORE (object);

  if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  if (self->secret != NULL)
    explicit_bzero (self->secret, strlen (self->secret));
  g_free (self->secret);
  g_free (self->path);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (gr_store_parent_class)->finalize (object);
}

static void
gr_store_class_init (GrStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gr_store_finalize;
}

static void
gr_store_init (GrStore *self)
{
  g_mutex_init (&self->lock);
}

GPtrArray *
gr_store_list_page (GrStore           *self,
                    const char        *select_sql,
                    const char        *count_sql,
                    const GrListQuery *query,
                    GrStoreRowFunc     row,
                    GDestroyNotify     free_row,
                    gint64            *total,
                    GError           **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (free_row);
  g_autofree char *q = gr_sql_like_escape (query->q);
  sqlite3_stmt *stmt = NULL;
  sqlite3_stmt *count = NULL;
  int rc = SQLITE_DONE;

  gr_store_lock (self);
  stmt = prepare (self, select_sql, error);
  count = stmt ? prepare (self, count_sql, error) : NULL;
  if (stmt == NULL || count == NULL)
    goto out;

  for (int i = 0; i < 2; i++)
    {
      sqlite3_stmt *st = i == 0 ? stmt : count;

      gr_sql_bind_text (st, 1, q);
      gr_sql_bind_text (st, 2, query->status);
      gr_sql_bind_text (st, 3, query->org_id);
    }
  sqlite3_bind_int64 (stmt, 4, query->page_size);
  sqlite3_bind_int64 (stmt, 5, (gint64) (query->page - 1) * query->page_size);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, row (stmt));
  if (rc == SQLITE_DONE && (rc = sqlite3_step (count)) == SQLITE_ROW)
    {
      *total = sqlite3_column_int64 (count, 0);
      rc = SQLITE_DONE;
    }
  if (rc != SQLITE_DONE)
    set_sqlite_error (self, rc, error);

out:
  if (stmt != NULL)
    sqlite3_finalize (stmt);
  if (count != NULL)
    sqlite3_finalize (count);
  gr_store_unlock (self);
  return (stmt != NULL && count != NULL && rc == SQLITE_DONE) ? g_steal_pointer (&rows) : NULL;
}
