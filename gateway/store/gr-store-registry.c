/* gr-store-registry.c — model registry entries made through the admin API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "core/gr-error.h"
#include "store/gr-sql.h"
#include "store/gr-store-registry.h"

/* (name, JSON text or NULL) pairs in the order they were written: at
 * start they are applied in that order, so that a model that gave up an
 * alias comes before the one that took it. */
static GPtrArray *
load_rows (GrStore     *self,
           const char  *table,
           GError     **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *sql = NULL;
  GrDbStmt *stmt;
  GrDbStep rc = GR_DB_ERROR;

  /* Written order: updated_at never repeats for new writes (see
   * put_row); rows of older versions that share a millisecond keep
   * SQLite's insertion order, which only it has. */
  sql = g_strdup_printf (gr_store_get_dialect (self) == GR_DB_SQLITE
                         ? "SELECT %s, json FROM %s ORDER BY updated_at, rowid;"
                         : "SELECT %s, json FROM %s ORDER BY updated_at;",
                         g_str_equal (table, "registry_models") ? "id" : "name", table);
  gr_store_lock (self);
  stmt = gr_sql_prepare (gr_store_get_db (self), sql, error);
  if (stmt != NULL)
    {
      while ((rc = gr_db_stmt_step (stmt, error)) == GR_DB_ROW)
        {
          const char *json = gr_db_stmt_column_text (stmt, 1);

          g_ptr_array_add (rows, gr_sql_column_dup (stmt, 0));
          g_ptr_array_add (rows, g_strcmp0 (json, "null") == 0 ? NULL : g_strdup (json));
        }
      gr_db_stmt_finalize (stmt);
    }
  gr_store_unlock (self);
  return rc == GR_DB_DONE ? g_steal_pointer (&rows) : NULL;
}

static GHashTable *
load_table (GrStore     *self,
            const char  *sql,
            GError     **error)
{
  g_autoptr(GPtrArray) rows = load_rows (self, sql, error);
  GHashTable *entries;

  if (rows == NULL)
    return NULL;
  entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i + 1 < rows->len; i += 2)
    g_hash_table_replace (entries, g_strdup (rows->pdata[i]), g_strdup (rows->pdata[i + 1]));
  return entries;
}

/* Both tables are (name, json, updated_at); table names are constants. */
#define MODELS_TABLE  "registry_models"
#define ALIASES_TABLE "registry_aliases"

GHashTable *
gr_store_load_registry_models (GrStore  *self,
                               GError  **error)
{
  g_return_val_if_fail (GR_IS_STORE (self), NULL);
  return load_table (self, MODELS_TABLE, error);
}

GHashTable *
gr_store_load_registry_aliases (GrStore  *self,
                                GError  **error)
{
  g_return_val_if_fail (GR_IS_STORE (self), NULL);
  return load_table (self, ALIASES_TABLE, error);
}

/* The newest write of a table, plus one. */
static gboolean
next_write_time (GrDb        *db,
                 const char  *table,
                 gint64      *ms,
                 GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT MAX(updated_at) FROM %s;", table);
  g_autoptr(GrDbStmt) stmt = gr_sql_prepare (db, sql, error);

  if (stmt == NULL || gr_db_stmt_step (stmt, error) != GR_DB_ROW)
    return FALSE;
  *ms = gr_db_stmt_column_is_null (stmt, 0) ? 0 : gr_db_stmt_column_int64 (stmt, 0) + 1;
  return TRUE;
}

/* The rows are applied in the order they were written (see load_rows),
 * so updated_at is kept strictly increasing: a write in the same
 * millisecond as the previous one is stamped one later. */
static gboolean
put_row (GrStore     *self,
         const char  *sql,
         const char  *table,
         const char  *name,
         const char  *json,
         GError     **error)
{
  GrDb *db;
  GrDbStmt *stmt;
  gint64 ms = 0;
  gboolean ok = FALSE;

  gr_store_lock (self);
  db = gr_store_get_db (self);
  if (next_write_time (db, table, &ms, error) && (stmt = gr_sql_prepare (db, sql, error)) != NULL)
    {
      gr_db_stmt_bind_text (stmt, 1, name);
      gr_db_stmt_bind_text (stmt, 2, json != NULL ? json : "null");
      gr_db_stmt_bind_int64 (stmt, 3, MAX (gr_sql_now_ms (), ms));
      ok = gr_sql_step_done (stmt, error);
    }
  gr_store_unlock (self);
  return ok;
}

gboolean
gr_store_put_registry_model (GrStore     *self,
                             const char  *id,
                             const char  *json,
                             GError     **error)
{
  g_return_val_if_fail (GR_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  return put_row (self, "INSERT INTO registry_models (id, json, updated_at) VALUES (?1, ?2, ?3) "
                  "ON CONFLICT (id) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at;",
                  MODELS_TABLE, id, json, error);
}

gboolean
gr_store_put_registry_alias (GrStore     *self,
                             const char  *name,
                             const char  *json,
                             GError     **error)
{
  g_return_val_if_fail (GR_IS_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return put_row (self, "INSERT INTO registry_aliases (name, json, updated_at) VALUES (?1, ?2, ?3) "
                  "ON CONFLICT (name) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at;",
                  ALIASES_TABLE, name, json, error);
}

static gboolean
fail_field (const char **bad_field,
            const char  *field,
            GError     **error,
            const char  *message)
{
  *bad_field = field;
  g_set_error (error, GR_ERROR, GR_ERROR_INVALID, "`%s` %s", field, message);
  return FALSE;
}

gboolean
gr_store_alias_from_json (JsonObject       *obj,
                          char           ***targets_out,
                          guint           **weights_out,
                          GrAliasStrategy  *strategy,
                          const char      **bad_field,
                          GError          **error)
{
  JsonNode *targets_node = json_object_get_member (obj, "targets");
  JsonNode *weights_node = json_object_get_member (obj, "weights");
  JsonNode *strategy_node = json_object_get_member (obj, "strategy");
  g_autoptr(GStrvBuilder) targets = g_strv_builder_new ();
  g_autofree guint *weights = NULL;
  JsonArray *array;
  guint n;

  if (targets_node == NULL || !JSON_NODE_HOLDS_ARRAY (targets_node))
    return fail_field (bad_field, "targets", error, "must be an array of model names.");
  array = json_node_get_array (targets_node);
  n = json_array_get_length (array);
  if (n == 0 || n > GR_ALIAS_MAX_TARGETS)
    return fail_field (bad_field, "targets", error, "must list 1 to 256 model names.");
  for (guint i = 0; i < n; i++)
    {
      JsonNode *e = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
        return fail_field (bad_field, "targets", error, "must be an array of model names.");
      g_strv_builder_add (targets, json_node_get_string (e));
    }

  if (weights_node != NULL && !JSON_NODE_HOLDS_NULL (weights_node))
    {
      if (!JSON_NODE_HOLDS_ARRAY (weights_node) ||
          json_array_get_length (json_node_get_array (weights_node)) != n)
        return fail_field (bad_field, "weights", error, "must hold one weight per target.");
      array = json_node_get_array (weights_node);
      weights = g_new0 (guint, n);
      for (guint i = 0; i < n; i++)
        {
          JsonNode *e = json_array_get_element (array, i);
          gint64 w;

          if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_INT64 ||
              (w = json_node_get_int (e)) < 1 || w > GR_ALIAS_MAX_WEIGHT)
            return fail_field (bad_field, "weights", error, "must be whole numbers from 1 to 65535.");
          weights[i] = (guint) w;
        }
    }

  *strategy = weights != NULL ? GR_ALIAS_STRATEGY_WEIGHTED : GR_ALIAS_STRATEGY_FALLBACK;
  if (strategy_node != NULL && !JSON_NODE_HOLDS_NULL (strategy_node))
    {
      if (!JSON_NODE_HOLDS_VALUE (strategy_node) ||
          json_node_get_value_type (strategy_node) != G_TYPE_STRING ||
          !gr_alias_strategy_from_string (json_node_get_string (strategy_node), strategy))
        return fail_field (bad_field, "strategy", error, "must be “fallback” or “weighted”.");
    }

  *targets_out = g_strv_builder_end (targets);
  *weights_out = g_steal_pointer (&weights);
  return TRUE;
}

static void
apply_models (GrRegistry *registry,
              GPtrArray  *models)
{
  for (guint i = 0; i + 1 < models->len; i += 2)
    {
      const char *key = models->pdata[i];
      const char *value = models->pdata[i + 1];
      g_autoptr(GError) error = NULL;
      g_autoptr(GrModelInfo) info = NULL;
      g_autoptr(JsonNode) node = NULL;

      if (value == NULL)
        {
          /* Deleted through the API; it may be gone from models.json too. */
          gr_registry_remove_model (registry, key, NULL);
          continue;
        }
      node = json_from_string (value, &error);
      if (node != NULL)
        info = gr_model_info_new_from_json (node, &error);
      if (info != NULL && g_strcmp0 (info->id, key) != 0)
        g_set_error (&error, GR_ERROR, GR_ERROR_INVALID, "the entry is stored under another id");
      if (error == NULL)
        gr_registry_upsert_model (registry, info, &error);
      if (error != NULL)
        g_warning ("the stored registry model “%s” is skipped: %s", key, error->message);
    }
}

static void
apply_aliases (GrRegistry *registry,
               GPtrArray  *aliases)
{
  for (guint i = 0; i + 1 < aliases->len; i += 2)
    {
      const char *key = aliases->pdata[i];
      const char *value = aliases->pdata[i + 1];
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_auto(GStrv) targets = NULL;
      g_autofree guint *weights = NULL;
      GrAliasStrategy strategy;
      const char *bad_field = NULL;

      if (value == NULL)
        {
          gr_registry_remove_alias (registry, key, NULL);
          continue;
        }
      node = json_from_string (value, &error);
      if (node != NULL && !JSON_NODE_HOLDS_OBJECT (node))
        g_set_error (&error, GR_ERROR, GR_ERROR_INVALID, "not a JSON object");
      if (error == NULL &&
          gr_store_alias_from_json (json_node_get_object (node), &targets, &weights, &strategy,
                                    &bad_field, &error))
        gr_registry_set_alias (registry, key, strategy, (const char * const *) targets, weights, &error);
      if (error != NULL)
        g_warning ("the stored registry alias “%s” is skipped: %s", key, error->message);
    }
}

gboolean
gr_store_apply_registry (GrStore     *self,
                         GrRegistry  *registry,
                         GError     **error)
{
  g_autoptr(GPtrArray) models = NULL;
  g_autoptr(GPtrArray) aliases = NULL;

  g_return_val_if_fail (GR_IS_STORE (self), FALSE);
  g_return_val_if_fail (registry != NULL, FALSE);

  models = load_rows (self, MODELS_TABLE, error);
  if (models == NULL)
    return FALSE;
  aliases = load_rows (self, ALIASES_TABLE, error);
  if (aliases == NULL)
    return FALSE;
  apply_models (registry, models);
  apply_aliases (registry, aliases);
  return TRUE;
}
