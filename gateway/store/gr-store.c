/* gr-store.c — persistent state over SQLite or PostgreSQL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One connection (a GrDb) guarded by a mutex: the usage writer thread and
 * the admin workers share it.  All statements are prepared; schema changes
 * are numbered migrations recorded in schema_version, spelled once per
 * engine with the same numbers.
 */
#include "config.h"

#include <string.h>

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
  GrDb    *db;
  char    *target;   /* path or URL, password included: never shown */
  char    *secret;
  int      schema_version;
};

G_DEFINE_FINAL_TYPE (GrStore, gr_store, G_TYPE_OBJECT)

static const char * const sqlite_migrations[] = {
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

  /* 3: several gateways on one database: the counters of keys and
   * organizations with limits (gr-shared-limits.h), and a count of the
   * changes to what every gateway keeps in memory (gr-change-watcher.h),
   * kept by triggers whatever writes the rows.  last_used_at is no change. */
  "CREATE TABLE limit_counters ("
  "  scope TEXT NOT NULL,"
  "  id TEXT NOT NULL,"
  "  day_start BIGINT NOT NULL,"
  "  requests_day BIGINT NOT NULL DEFAULT 0,"
  "  tokens_day BIGINT NOT NULL DEFAULT 0,"
  "  reserved_tokens BIGINT NOT NULL DEFAULT 0,"
  "  month_start BIGINT NOT NULL,"
  "  cost_month BIGINT NOT NULL DEFAULT 0,"
  "  reserved_cost BIGINT NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (scope, id));"
  "CREATE TABLE limit_admissions ("
  "  scope TEXT NOT NULL,"
  "  id TEXT NOT NULL,"
  "  ts BIGINT NOT NULL);"
  "CREATE INDEX limit_admissions_scope ON limit_admissions(scope, id, ts);"
  "CREATE TABLE change_counts ("
  "  area TEXT PRIMARY KEY,"
  "  count BIGINT NOT NULL);"
  "INSERT INTO change_counts (area, count) VALUES ('keys', 0), ('providers', 0), ('registry', 0);"
,
};

/* The same versions for PostgreSQL: BIGINT for every number that may
 * outgrow 32 bits (times, tokens, micro-USD), INTEGER for flags and HTTP
 * statuses, BYTEA for the histograms, an identity for usage_events.id
 * (BY DEFAULT, so that --migrate-from can copy the ids it has). */
static const char * const pg_migrations[] = {
  /* 1: the foundation */
  "CREATE TABLE settings ("
  "  key TEXT PRIMARY KEY,"
  "  value TEXT NOT NULL);"
  "CREATE TABLE organizations ("
  "  id TEXT PRIMARY KEY,"
  "  name TEXT NOT NULL UNIQUE,"
  "  description TEXT NOT NULL DEFAULT '',"
  "  status TEXT NOT NULL DEFAULT 'active',"
  "  rpm BIGINT, requests_per_day BIGINT, tokens_per_day BIGINT,"
  "  monthly_budget_micros BIGINT,"
  "  created_at BIGINT NOT NULL,"
  "  updated_at BIGINT NOT NULL);"
  "CREATE TABLE api_keys ("
  "  id TEXT PRIMARY KEY,"
  "  org_id TEXT NOT NULL REFERENCES organizations(id),"
  "  name TEXT NOT NULL,"
  "  prefix TEXT NOT NULL,"
  "  hash TEXT NOT NULL UNIQUE,"
  "  permissions TEXT NOT NULL,"
  "  allowed_models TEXT NOT NULL DEFAULT '',"
  "  expires_at BIGINT,"
  "  status TEXT NOT NULL DEFAULT 'active',"
  "  rpm BIGINT, tokens_per_day BIGINT, monthly_budget_micros BIGINT,"
  "  last_used_at BIGINT,"
  "  created_at BIGINT NOT NULL,"
  "  updated_at BIGINT NOT NULL);"
  "CREATE INDEX api_keys_org ON api_keys(org_id);"
  "CREATE TABLE providers ("
  "  id TEXT PRIMARY KEY,"
  "  name TEXT NOT NULL UNIQUE,"
  "  kind TEXT NOT NULL,"
  "  base_url TEXT NOT NULL,"
  "  api_key TEXT,"
  "  proxy TEXT,"
  "  enabled INTEGER NOT NULL DEFAULT 1,"
  "  created_at BIGINT NOT NULL,"
  "  updated_at BIGINT NOT NULL);"
  "CREATE TABLE usage_events ("
  "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
  "  request_id TEXT NOT NULL,"
  "  ts BIGINT NOT NULL,"
  "  key_id TEXT, org_id TEXT, provider TEXT, model TEXT, endpoint TEXT,"
  "  status INTEGER NOT NULL,"
  "  prompt_tokens BIGINT NOT NULL DEFAULT 0,"
  "  completion_tokens BIGINT NOT NULL DEFAULT 0,"
  "  cached_tokens BIGINT NOT NULL DEFAULT 0,"
  "  reasoning_tokens BIGINT NOT NULL DEFAULT 0,"
  "  cost_micros BIGINT NOT NULL DEFAULT 0,"
  "  latency_ms BIGINT NOT NULL DEFAULT 0,"
  "  ttfb_ms BIGINT,"
  "  stream INTEGER NOT NULL DEFAULT 0,"
  "  partial INTEGER NOT NULL DEFAULT 0,"
  "  error_code TEXT);"
  "CREATE INDEX usage_events_ts ON usage_events(ts);"
  "CREATE INDEX usage_events_key ON usage_events(key_id, ts);",

  /* 2: hourly rollups and the registry */
  "CREATE TABLE usage_hourly ("
  "  hour BIGINT NOT NULL,"
  "  key_id TEXT NOT NULL DEFAULT '',"
  "  org_id TEXT NOT NULL DEFAULT '',"
  "  provider TEXT NOT NULL DEFAULT '',"
  "  model TEXT NOT NULL DEFAULT '',"
  "  requests BIGINT NOT NULL DEFAULT 0,"
  "  errors BIGINT NOT NULL DEFAULT 0,"
  "  prompt_tokens BIGINT NOT NULL DEFAULT 0,"
  "  completion_tokens BIGINT NOT NULL DEFAULT 0,"
  "  cached_tokens BIGINT NOT NULL DEFAULT 0,"
  "  cost_micros BIGINT NOT NULL DEFAULT 0,"
  "  latency_ms_sum BIGINT NOT NULL DEFAULT 0,"
  "  latency_hist BYTEA,"
  "  PRIMARY KEY (hour, key_id, org_id, provider, model));"
  "CREATE INDEX usage_hourly_org ON usage_hourly(org_id, hour);"
  "CREATE INDEX usage_hourly_key ON usage_hourly(key_id, hour);"
  "CREATE TABLE registry_models ("
  "  id TEXT PRIMARY KEY,"
  "  json TEXT NOT NULL,"
  "  updated_at BIGINT NOT NULL);"
  "CREATE TABLE registry_aliases ("
  "  name TEXT PRIMARY KEY,"
  "  json TEXT NOT NULL,"
  "  updated_at BIGINT NOT NULL);",

  /* 3: several gateways on one database: the counters of keys and
   * organizations with limits (gr-shared-limits.h), and a count of the
   * changes to what every gateway keeps in memory (gr-change-watcher.h),
   * kept by triggers whatever writes the rows.  last_used_at is no change. */
  "CREATE TABLE limit_counters ("
  "  scope TEXT NOT NULL,"
  "  id TEXT NOT NULL,"
  "  day_start BIGINT NOT NULL,"
  "  requests_day BIGINT NOT NULL DEFAULT 0,"
  "  tokens_day BIGINT NOT NULL DEFAULT 0,"
  "  reserved_tokens BIGINT NOT NULL DEFAULT 0,"
  "  month_start BIGINT NOT NULL,"
  "  cost_month BIGINT NOT NULL DEFAULT 0,"
  "  reserved_cost BIGINT NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (scope, id));"
  "CREATE TABLE limit_admissions ("
  "  scope TEXT NOT NULL,"
  "  id TEXT NOT NULL,"
  "  ts BIGINT NOT NULL);"
  "CREATE INDEX limit_admissions_scope ON limit_admissions(scope, id, ts);"
  "CREATE TABLE change_counts ("
  "  area TEXT PRIMARY KEY,"
  "  count BIGINT NOT NULL);"
  "INSERT INTO change_counts (area, count) VALUES ('keys', 0), ('providers', 0), ('registry', 0);"
  "CREATE FUNCTION gr_count_change () RETURNS trigger LANGUAGE plpgsql AS $$ "
  "BEGIN UPDATE change_counts SET count = count + 1 WHERE area = TG_ARGV[0]; RETURN NULL; END $$;"
  "CREATE TRIGGER organizations_count AFTER INSERT OR DELETE OR UPDATE ON organizations "
  "  FOR EACH STATEMENT EXECUTE FUNCTION gr_count_change ('keys');"
  "CREATE TRIGGER api_keys_count AFTER INSERT OR DELETE OR UPDATE OF org_id, name, prefix, hash, permissions, allowed_models, expires_at, status, rpm, tokens_per_day, monthly_budget_micros ON api_keys "
  "  FOR EACH STATEMENT EXECUTE FUNCTION gr_count_change ('keys');"
  "CREATE TRIGGER providers_count AFTER INSERT OR DELETE OR UPDATE ON providers "
  "  FOR EACH STATEMENT EXECUTE FUNCTION gr_count_change ('providers');"
  "CREATE TRIGGER registry_models_count AFTER INSERT OR DELETE OR UPDATE ON registry_models "
  "  FOR EACH STATEMENT EXECUTE FUNCTION gr_count_change ('registry');"
  "CREATE TRIGGER registry_aliases_count AFTER INSERT OR DELETE OR UPDATE ON registry_aliases "
  "  FOR EACH STATEMENT EXECUTE FUNCTION gr_count_change ('registry');",
};

G_STATIC_ASSERT (G_N_ELEMENTS (sqlite_migrations) == G_N_ELEMENTS (pg_migrations));

/* Advisory lock keys (PostgreSQL): one for migrations, one for the first
 * start's bootstrap.  Arbitrary, fixed numbers ("GaRa" + a digit). */
#define MIGRATION_LOCK  G_GINT64_CONSTANT (0x4761526101)
#define BOOTSTRAP_LOCK  G_GINT64_CONSTANT (0x4761526102)

static gboolean
exec (GrStore    *self,
      const char *sql,
      GError    **error)
{
  return gr_db_exec (self->db, sql, error);
}

static int
read_schema_version (GrStore  *self,
                     GError  **error)
{
  g_autoptr(GrDbStmt) stmt = gr_db_prepare (self->db, "SELECT MAX(version) FROM schema_version;", error);
  GrDbStep rc;

  if (stmt == NULL)
    return -1;
  rc = gr_db_stmt_step (stmt, error);
  if (rc == GR_DB_ERROR)
    return -1;
  return rc == GR_DB_ROW ? (int) gr_db_stmt_column_int64 (stmt, 0) : 0;
}

static gboolean
migrate_locked (GrStore  *self,
                GError  **error)
{
  const char * const *migrations = gr_db_dialect (self->db) == GR_DB_POSTGRESQL
                                 ? pg_migrations : sqlite_migrations;
  int n = G_N_ELEMENTS (sqlite_migrations);
  int version;

  if (!exec (self, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);", error))
    return FALSE;
  if ((version = read_schema_version (self, error)) < 0)
    return FALSE;

  if (version > n)
    {
      g_set_error (error, GR_ERROR, GR_ERROR_STORE,
                   "database schema version %d is newer than this program knows (%d)",
                   version, n);
      return FALSE;
    }

  for (int v = version; v < n; v++)
    {
      g_autofree char *record = g_strdup_printf ("INSERT INTO schema_version VALUES (%d);", v + 1);

      if (!gr_db_begin (self->db, error))
        return FALSE;
      if (!exec (self, migrations[v], error) || !exec (self, record, error))
        {
          gr_db_rollback (self->db);
          return FALSE;
        }
      if (!gr_db_commit (self->db, error))
        return FALSE;
    }
  self->schema_version = n;
  return TRUE;
}

/* Two gateways starting at once on one PostgreSQL database would both
 * create the tables: the first takes a session advisory lock, the second
 * waits for it and then finds the schema current.  (SQLite serializes
 * them with BEGIN IMMEDIATE.) */
static gboolean
migrate (GrStore  *self,
         GError  **error)
{
  g_autofree char *lock = NULL;
  g_autofree char *unlock = NULL;
  gboolean ok;

  if (gr_db_dialect (self->db) != GR_DB_POSTGRESQL)
    return migrate_locked (self, error);

  lock = g_strdup_printf ("SELECT pg_advisory_lock(%" G_GINT64_FORMAT ");", MIGRATION_LOCK);
  unlock = g_strdup_printf ("SELECT pg_advisory_unlock(%" G_GINT64_FORMAT ");", MIGRATION_LOCK);
  if (!exec (self, lock, error))
    return FALSE;
  ok = migrate_locked (self, error);
  exec (self, unlock, NULL);
  return ok;
}

static char *
get_setting (GrStore     *self,
             const char  *key,
             GError     **error)
{
  g_autoptr(GrDbStmt) stmt = gr_db_prepare (self->db, "SELECT value FROM settings WHERE key = ?;", error);

  if (stmt == NULL)
    return NULL;
  gr_db_stmt_bind_text (stmt, 1, key);
  if (gr_db_stmt_step (stmt, error) == GR_DB_ROW)
    return gr_sql_column_dup (stmt, 0);
  return NULL;
}

static gboolean
ensure_secret (GrStore  *self,
               GError  **error)
{
  g_autofree char *secret = gr_random_hex (32);
  GrDbStmt *stmt;
  GError *local_error = NULL;

  /* Insert-if-absent, then read: of two instances starting at once on
   * one database, both end up with the secret the first wrote. */
  stmt = gr_db_prepare (self->db,
                        "INSERT INTO settings (key, value) VALUES ('installation_secret', ?) "
                        "ON CONFLICT (key) DO NOTHING;", error);
  if (stmt == NULL)
    return FALSE;
  gr_db_stmt_bind_text (stmt, 1, secret);
  explicit_bzero (secret, strlen (secret));
  if (!gr_sql_step_done (stmt, error))
    return FALSE;
  self->secret = get_setting (self, "installation_secret", &local_error);
  if (self->secret == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, local_error);
      else
        g_set_error (error, GR_ERROR, GR_ERROR_STORE, "the installation secret is missing");
      return FALSE;
    }
  return TRUE;
}

GrStore *
gr_store_open (const char  *target,
               GError     **error)
{
  g_autoptr(GrStore) self = NULL;
  g_autofree char *shown = NULL;

  g_return_val_if_fail (target != NULL, NULL);

  self = g_object_new (GR_TYPE_STORE, NULL);
  self->target = g_strdup (target);
  self->db = gr_db_open (target, GR_DB_OPEN_DEFAULT, error);
  if (self->db == NULL)
    return NULL;

  if (!migrate (self, error) || !ensure_secret (self, error))
    {
      shown = gr_db_target_display (target);
      g_prefix_error (error, "%s: ", shown);
      return NULL;
    }

  return g_steal_pointer (&self);
}

GrDb *
gr_store_open_connection (GrStore        *self,
                          GrDbOpenFlags   flags,
                          GError        **error)
{
  g_return_val_if_fail (GR_IS_STORE (self), NULL);

  return gr_db_open (self->target, flags, error);
}

GrDb *
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
  return self->target;
}

GrDbDialect
gr_store_get_dialect (GrStore *self)
{
  return gr_db_dialect (self->db);
}

int
gr_store_get_schema_version (GrStore *self)
{
  return self->schema_version;
}

gboolean
gr_store_is_shared (GrStore *self)
{
  g_return_val_if_fail (GR_IS_STORE (self), FALSE);

  return gr_db_dialect (self->db) == GR_DB_POSTGRESQL;
}

gboolean
gr_store_get_change_generations (GrStore  *self,
                                 gint64   *counts,
                                 GError  **error)
{
  static const char *areas[GR_CHANGE_N_AREAS] = { "keys", "providers", "registry" };
  g_autoptr(GrDbStmt) stmt = NULL;
  GrDbStep step = GR_DB_ERROR;

  g_return_val_if_fail (GR_IS_STORE (self), FALSE);

  memset (counts, 0, sizeof (gint64) * GR_CHANGE_N_AREAS);
  g_mutex_lock (&self->lock);
  stmt = gr_db_prepare (self->db, "SELECT area, count FROM change_counts;", error);
  while (stmt != NULL && (step = gr_db_stmt_step (stmt, error)) == GR_DB_ROW)
    for (guint a = 0; a < GR_CHANGE_N_AREAS; a++)
      if (g_strcmp0 (gr_db_stmt_column_text (stmt, 0), areas[a]) == 0)
        counts[a] = gr_db_stmt_column_int64 (stmt, 1);
  g_clear_pointer (&stmt, gr_db_stmt_finalize);
  g_mutex_unlock (&self->lock);
  return step == GR_DB_DONE;
}

const char *
gr_store_get_secret (GrStore *self)
{
  return self->secret;
}

gboolean
gr_store_lock_transaction (GrStore  *self,
                           gint64    key,
                           GError  **error)
{
  g_autofree char *sql = NULL;

  /* SQLite's BEGIN IMMEDIATE already holds the one write lock. */
  if (gr_db_dialect (self->db) != GR_DB_POSTGRESQL)
    return TRUE;
  sql = g_strdup_printf ("SELECT pg_advisory_xact_lock(%" G_GINT64_FORMAT ");", key);
  return exec (self, sql, error);
}

static gint64
count_rows (GrStore    *self,
            const char *sql,
            GError    **error)
{
  g_autoptr(GrDbStmt) stmt = gr_db_prepare (self->db, sql, error);

  if (stmt == NULL)
    return -1;
  if (gr_db_stmt_step (stmt, error) != GR_DB_ROW)
    return -1;
  return gr_db_stmt_column_int64 (stmt, 0);
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

  /* Counted again inside the transaction: another instance starting on
   * the same PostgreSQL database may have bootstrapped meanwhile. */
  if (!gr_db_begin (self->db, error))
    goto out;
  if (!gr_store_lock_transaction (self, BOOTSTRAP_LOCK, error) ||
      (n = count_rows (self, "SELECT COUNT(*) FROM api_keys;", error)) != 0)
    {
      gr_db_rollback (self->db);
      goto out;
    }
  org = gr_store_create_org_locked (self, "Default", "Created on first start", "active", NULL, error);
  if (org != NULL)
    {
      spec.org_id = org->id;
      spec.name = "Admin";
      spec.permissions = admin_scopes;
      gr_limit_set_init_unlimited (&spec.limits);
      record = gr_store_create_key_locked (self, &spec, &secret, error);
    }
  if (record == NULL || !gr_db_commit (self->db, error))
    {
      gr_db_rollback (self->db);
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
  g_autoptr(GrDbStmt) stmt = NULL;

  stmt = gr_db_prepare (self->db,
                        "INSERT INTO usage_events (request_id, ts, key_id, org_id, provider, model, "
                        "endpoint, status, prompt_tokens, completion_tokens, cached_tokens, "
                        "reasoning_tokens, cost_micros, latency_ms, ttfb_ms, stream, partial, error_code) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?);", error);
  if (stmt == NULL)
    return FALSE;

  for (guint i = 0; i < events->len; i++)
    {
      GrUsageEvent *e = g_ptr_array_index (events, i);

      gr_db_stmt_bind_text (stmt, 1, e->request_id);
      gr_db_stmt_bind_int64 (stmt, 2, e->ts);
      gr_db_stmt_bind_text (stmt, 3, e->key_id);
      gr_db_stmt_bind_text (stmt, 4, e->org_id);
      gr_db_stmt_bind_text (stmt, 5, e->provider);
      gr_db_stmt_bind_text (stmt, 6, e->model);
      gr_db_stmt_bind_text (stmt, 7, e->endpoint);
      gr_db_stmt_bind_int64 (stmt, 8, e->status);
      gr_db_stmt_bind_int64 (stmt, 9, e->prompt_tokens);
      gr_db_stmt_bind_int64 (stmt, 10, e->completion_tokens);
      gr_db_stmt_bind_int64 (stmt, 11, e->cached_tokens);
      gr_db_stmt_bind_int64 (stmt, 12, e->reasoning_tokens);
      gr_db_stmt_bind_int64 (stmt, 13, e->cost_micros);
      gr_db_stmt_bind_int64 (stmt, 14, e->latency_ms);
      gr_sql_bind_limit (stmt, 15, e->ttfb_ms);
      gr_db_stmt_bind_int64 (stmt, 16, e->stream ? 1 : 0);
      gr_db_stmt_bind_int64 (stmt, 17, e->partial ? 1 : 0);
      gr_db_stmt_bind_text (stmt, 18, e->error_code);
      if (gr_db_stmt_step (stmt, error) != GR_DB_DONE)
        return FALSE;
      gr_db_stmt_reset (stmt);
    }
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
  ok = gr_db_begin (self->db, error);
  if (ok)
    {
      ok = insert_usage_locked (self, events, error) &&
           gr_store_stats_add_locked (self, events, error) &&
           gr_db_commit (self->db, error);
      if (!ok)
        gr_db_rollback (self->db);
    }
  g_mutex_unlock (&self->lock);
  return ok;
}

gboolean
gr_store_touch_keys (GrStore     *self,
                     GHashTable  *key_id_to_ms,
                     GError     **error)
{
  g_autoptr(GrDbStmt) stmt = NULL;
  GHashTableIter iter;
  gpointer k, v;
  gboolean ok = TRUE;

  g_mutex_lock (&self->lock);
  stmt = gr_db_prepare (self->db,
                        "UPDATE api_keys SET last_used_at = "
                        "CASE WHEN last_used_at IS NULL OR last_used_at < ?1 THEN ?1 ELSE last_used_at END "
                        "WHERE id = ?2;", error);
  ok = stmt != NULL;
  if (ok)
    g_hash_table_iter_init (&iter, key_id_to_ms);
  while (ok && g_hash_table_iter_next (&iter, &k, &v))
    {
      gr_db_stmt_bind_int64 (stmt, 1, *(gint64 *) v);
      gr_db_stmt_bind_text (stmt, 2, k);
      ok = gr_db_stmt_step (stmt, error) == GR_DB_DONE;
      gr_db_stmt_reset (stmt);
    }
  g_clear_pointer (&stmt, gr_db_stmt_finalize);
  g_mutex_unlock (&self->lock);
  return ok;
}

GrUsageEvent *
gr_store_usage_event_from_row (GrDbStmt *stmt)
{
  GrUsageEvent *e = gr_usage_event_new ();

  e->request_id = gr_sql_column_dup (stmt, 0);
  e->ts = gr_db_stmt_column_int64 (stmt, 1);
  e->key_id = gr_sql_column_dup (stmt, 2);
  e->org_id = gr_sql_column_dup (stmt, 3);
  e->provider = gr_sql_column_dup (stmt, 4);
  e->model = gr_sql_column_dup (stmt, 5);
  e->endpoint = gr_sql_column_dup (stmt, 6);
  e->status = (int) gr_db_stmt_column_int64 (stmt, 7);
  e->prompt_tokens = gr_db_stmt_column_int64 (stmt, 8);
  e->completion_tokens = gr_db_stmt_column_int64 (stmt, 9);
  e->cached_tokens = gr_db_stmt_column_int64 (stmt, 10);
  e->reasoning_tokens = gr_db_stmt_column_int64 (stmt, 11);
  e->cost_micros = gr_db_stmt_column_int64 (stmt, 12);
  e->latency_ms = gr_db_stmt_column_int64 (stmt, 13);
  e->ttfb_ms = gr_sql_column_limit (stmt, 14);
  e->stream = gr_db_stmt_column_int64 (stmt, 15) != 0;
  e->partial = gr_db_stmt_column_int64 (stmt, 16) != 0;
  e->error_code = gr_sql_column_dup (stmt, 17);
  return e;
}

GPtrArray *
gr_store_list_usage (GrStore  *self,
                     guint     limit,
                     GError  **error)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) gr_usage_event_free);
  g_autoptr(GrDbStmt) stmt = NULL;
  GrDbStep rc = GR_DB_ERROR;

  g_mutex_lock (&self->lock);
  stmt = gr_db_prepare (self->db,
                        "SELECT " GR_STORE_USAGE_COLUMNS " FROM usage_events ORDER BY id DESC LIMIT ?;",
                        error);
  if (stmt != NULL)
    {
      gr_db_stmt_bind_int64 (stmt, 1, MIN (limit, G_MAXINT));
      while ((rc = gr_db_stmt_step (stmt, error)) == GR_DB_ROW)
        g_ptr_array_add (events, gr_store_usage_event_from_row (stmt));
    }
  g_clear_pointer (&stmt, gr_db_stmt_finalize);
  g_mutex_unlock (&self->lock);
  return rc == GR_DB_DONE ? g_steal_pointer (&events) : NULL;
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

  g_clear_pointer (&self->db, gr_db_close);
  if (self->secret != NULL)
    explicit_bzero (self->secret, strlen (self->secret));
  g_free (self->secret);
  if (self->target != NULL)
    explicit_bzero (self->target, strlen (self->target));
  g_free (self->target);
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
  g_autoptr(GrDbStmt) stmt = NULL;
  g_autoptr(GrDbStmt) count = NULL;
  GrDbStep rc = GR_DB_ERROR;

  gr_store_lock (self);
  stmt = gr_db_prepare (self->db, select_sql, error);
  count = stmt ? gr_db_prepare (self->db, count_sql, error) : NULL;
  if (stmt == NULL || count == NULL)
    goto out;

  for (int i = 0; i < 2; i++)
    {
      GrDbStmt *st = i == 0 ? stmt : count;

      gr_db_stmt_bind_text (st, 1, q);
      gr_db_stmt_bind_text (st, 2, query->status);
      gr_db_stmt_bind_text (st, 3, query->org_id);
    }
  gr_db_stmt_bind_int64 (stmt, 4, query->page_size);
  gr_db_stmt_bind_int64 (stmt, 5, (gint64) (query->page - 1) * query->page_size);

  while ((rc = gr_db_stmt_step (stmt, error)) == GR_DB_ROW)
    g_ptr_array_add (rows, row (stmt));
  if (rc == GR_DB_DONE)
    {
      rc = gr_db_stmt_step (count, error);
      if (rc == GR_DB_ROW)
        {
          *total = gr_db_stmt_column_int64 (count, 0);
          rc = GR_DB_DONE;
        }
      else if (rc == GR_DB_DONE)
        {
          g_set_error (error, GR_ERROR, GR_ERROR_STORE, "database: a count returned no row");
          rc = GR_DB_ERROR;
        }
    }

out:
  g_clear_pointer (&stmt, gr_db_stmt_finalize);
  g_clear_pointer (&count, gr_db_stmt_finalize);
  gr_store_unlock (self);
  return rc == GR_DB_DONE ? g_steal_pointer (&rows) : NULL;
}
