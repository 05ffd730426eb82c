/* gr-store-providers.c — providers made or changed through the admin API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A provider is one row of `providers` (the columns it has: kind,
 * base_url, api_key, proxy, enabled) plus a `settings` row
 * "provider_options:<name>" holding, as JSON, what that table has no
 * column for: the source ("api" or "config"), the overridden fields of a
 * file provider, the OpenRouter attribution and the timeouts.  Both rows
 * are written in one transaction.
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "core/gr-error.h"
#include "core/gr-json.h"
#include "store/gr-sql.h"
#include "store/gr-store-providers.h"

#define OPTIONS_PREFIX "provider_options:"

typedef enum
{
  FIELD_KIND,
  FIELD_BASE_URL,
  FIELD_API_KEY,
  FIELD_PROXY,
  FIELD_ENABLED,
  FIELD_HTTP_REFERER,
  FIELD_X_TITLE,
  FIELD_CONNECT_TIMEOUT,
  FIELD_FIRST_BYTE_TIMEOUT,
  FIELD_IDLE_TIMEOUT,
  N_FIELDS
} Field;

static const char * const field_names[N_FIELDS + 1] = {
  "kind", "base_url", "api_key", "proxy", "enabled", "http_referer", "x_title",
  "connect_timeout_seconds", "first_byte_timeout_seconds", "idle_timeout_seconds", NULL
};

void
gr_stored_provider_free (GrStoredProvider *stored)
{
  if (stored == NULL)
    return;
  gr_provider_config_free (stored->config);
  g_strfreev (stored->fields);
  g_free (stored);
}

gboolean
gr_provider_field_is_known (const char *field)
{
  return field != NULL && g_strv_contains (field_names, field);
}

static void
replace_secret (char       **slot,
                const char  *value)
{
  if (*slot != NULL)
    explicit_bzero (*slot, strlen (*slot));
  g_free (*slot);
  *slot = g_strdup (value);
}

static void
replace_string (char       **slot,
                const char  *value)
{
  g_free (*slot);
  *slot = g_strdup (value);
}

static void
copy_field (GrProviderConfig       *dst,
            const GrProviderConfig *src,
            Field                   field)
{
  switch (field)
    {
    case FIELD_KIND:
      dst->kind = src->kind;
      break;
    case FIELD_BASE_URL:
      replace_string (&dst->base_url, src->base_url);
      break;
    case FIELD_API_KEY:
      replace_secret (&dst->api_key, src->api_key);
      break;
    case FIELD_PROXY:
      replace_string (&dst->proxy, src->proxy);
      break;
    case FIELD_ENABLED:
      dst->enabled = src->enabled;
      break;
    case FIELD_HTTP_REFERER:
      replace_string (&dst->http_referer, src->http_referer);
      break;
    case FIELD_X_TITLE:
      replace_string (&dst->x_title, src->x_title);
      break;
    case FIELD_CONNECT_TIMEOUT:
      dst->connect_timeout_ms = src->connect_timeout_ms;
      break;
    case FIELD_FIRST_BYTE_TIMEOUT:
      dst->first_byte_timeout_ms = src->first_byte_timeout_ms;
      break;
    case FIELD_IDLE_TIMEOUT:
      dst->idle_timeout_ms = src->idle_timeout_ms;
      break;
    case N_FIELDS:
    default:
      g_assert_not_reached ();
    }
}

void
gr_provider_config_copy_fields (GrProviderConfig       *dst,
                                const GrProviderConfig *src,
                                const char * const     *fields)
{
  g_return_if_fail (dst != NULL);
  g_return_if_fail (src != NULL);

  for (guint i = 0; i < N_FIELDS; i++)
    if (fields == NULL || g_strv_contains (fields, field_names[i]))
      copy_field (dst, src, (Field) i);
}

GrProviderConfig *
gr_provider_config_dup (const GrProviderConfig *provider)
{
  GrProviderConfig *copy;

  g_return_val_if_fail (provider != NULL, NULL);

  copy = gr_provider_config_new (provider->name, provider->kind, provider->base_url);
  gr_provider_config_copy_fields (copy, provider, NULL);
  copy->api_key_env = g_strdup (provider->api_key_env);
  copy->from_store = provider->from_store;
  return copy;
}

/* ------------------------------------------------------------------ */
/* Options (the settings row)                                          */
/* ------------------------------------------------------------------ */

static void
add_string_or_null (JsonBuilder *b,
                    const char  *name,
                    const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static char *
options_to_json (const GrProviderConfig *p,
                 const char * const     *fields)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "source");
  json_builder_add_string_value (b, p->from_store ? "api" : "config");
  json_builder_set_member_name (b, "fields");
  json_builder_begin_array (b);
  for (guint i = 0; fields != NULL && fields[i] != NULL; i++)
    json_builder_add_string_value (b, fields[i]);
  json_builder_end_array (b);
  add_string_or_null (b, "http_referer", p->http_referer);
  add_string_or_null (b, "x_title", p->x_title);
  json_builder_set_member_name (b, "connect_timeout_ms");
  json_builder_add_int_value (b, p->connect_timeout_ms);
  json_builder_set_member_name (b, "first_byte_timeout_ms");
  json_builder_add_int_value (b, p->first_byte_timeout_ms);
  json_builder_set_member_name (b, "idle_timeout_ms");
  json_builder_add_int_value (b, p->idle_timeout_ms);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return gr_json_to_string (root);
}

static int
read_timeout (JsonObject *obj,
              const char *member,
              int         fallback)
{
  gint64 value = gr_json_get_int (obj, member, fallback);

  /* The API keeps timeouts within 1 s … 1 h; anything else is damage. */
  return value >= 1000 && value <= 3600 * 1000 ? (int) value : fallback;
}

/* Fills p's optional members and returns the override's fields (NULL for
 * an API provider).  A missing or unreadable options row means an API
 * provider with defaults: the row alone is a whole provider. */
static char **
options_from_json (GrProviderConfig *p,
                   const char       *json)
{
  g_autoptr(JsonNode) root = json != NULL ? json_from_string (json, NULL) : NULL;
  g_autoptr(GStrvBuilder) fields = NULL;
  JsonObject *obj;
  JsonArray *array;

  p->from_store = TRUE;
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  obj = json_node_get_object (root);
  replace_string (&p->http_referer, gr_json_get_string (obj, "http_referer"));
  replace_string (&p->x_title, gr_json_get_string (obj, "x_title"));
  p->connect_timeout_ms = read_timeout (obj, "connect_timeout_ms", p->connect_timeout_ms);
  p->first_byte_timeout_ms = read_timeout (obj, "first_byte_timeout_ms", p->first_byte_timeout_ms);
  p->idle_timeout_ms = read_timeout (obj, "idle_timeout_ms", p->idle_timeout_ms);
  if (g_strcmp0 (gr_json_get_string (obj, "source"), "config") != 0)
    return NULL;

  p->from_store = FALSE;
  fields = g_strv_builder_new ();
  array = gr_json_get_array (obj, "fields");
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *e = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING &&
          gr_provider_field_is_known (json_node_get_string (e)))
        g_strv_builder_add (fields, json_node_get_string (e));
    }
  return g_strv_builder_end (fields);
}

/* ------------------------------------------------------------------ */
/* Rows                                                                */
/* ------------------------------------------------------------------ */

#define PROVIDER_SELECT \
  "SELECT p.name, p.kind, p.base_url, p.api_key, p.proxy, p.enabled, s.value " \
  "FROM providers p LEFT JOIN settings s ON s.key = '" OPTIONS_PREFIX "' || p.name "

static GrStoredProvider *
stored_from_row (GrDbStmt *stmt)
{
  GrStoredProvider *stored = g_new0 (GrStoredProvider, 1);
  const char *kind_text = gr_db_stmt_column_text (stmt, 1);
  GrProviderKind kind = GR_PROVIDER_KIND_OPENAI_COMPATIBLE;
  GrProviderConfig *p;

  gr_provider_kind_from_string (kind_text, &kind);
  p = gr_provider_config_new (gr_db_stmt_column_text (stmt, 0), kind,
                              gr_db_stmt_column_text (stmt, 2));
  p->api_key = gr_sql_column_dup (stmt, 3);
  p->proxy = gr_sql_column_dup (stmt, 4);
  p->enabled = gr_db_stmt_column_int64 (stmt, 5) != 0;
  stored->fields = options_from_json (p, gr_db_stmt_column_text (stmt, 6));
  stored->config = p;
  return stored;
}

/* NULL and no error when nothing is stored under the name. */
static GrStoredProvider *
get_stored_locked (GrDb        *db,
                   const char  *name,
                   GError     **error)
{
  g_autoptr(GrDbStmt) stmt = gr_sql_prepare (db, PROVIDER_SELECT "WHERE p.id = ?;", error);

  if (stmt == NULL)
    return NULL;
  gr_db_stmt_bind_text (stmt, 1, name);
  if (gr_db_stmt_step (stmt, error) == GR_DB_ROW)
    return stored_from_row (stmt);
  return NULL;
}

/* Writes both rows of p (inside the caller's transaction). */
static gboolean
write_locked (GrDb                   *db,
              const GrProviderConfig *p,
              const char * const     *fields,
              gboolean                creating,
              GError                **error)
{
  g_autofree char *options = options_to_json (p, fields);
  g_autofree char *options_key = g_strconcat (OPTIONS_PREFIX, p->name, NULL);
  gboolean keep_key = p->from_store || (fields != NULL && g_strv_contains (fields, "api_key"));
  gint64 now = gr_sql_now_ms ();
  GrDbStmt *stmt;

  stmt = gr_sql_prepare (db, creating
                         ? "INSERT INTO providers (id, name, kind, base_url, api_key, proxy, enabled, "
                           "created_at, updated_at) VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7);"
                         : "INSERT INTO providers (id, name, kind, base_url, api_key, proxy, enabled, "
                           "created_at, updated_at) VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) "
                           "ON CONFLICT (id) DO UPDATE SET kind = ?2, base_url = ?3, api_key = ?4, "
                           "proxy = ?5, enabled = ?6, updated_at = ?7;",
                         error);
  if (stmt == NULL)
    return FALSE;
  gr_db_stmt_bind_text (stmt, 1, p->name);
  gr_db_stmt_bind_text (stmt, 2, gr_provider_kind_to_string (p->kind));
  gr_db_stmt_bind_text (stmt, 3, p->base_url);
  /* A file provider's key may come from the environment: it is not ours
   * to write down. */
  gr_sql_bind_text (stmt, 4, keep_key ? p->api_key : NULL);
  gr_sql_bind_text (stmt, 5, p->proxy);
  gr_db_stmt_bind_int64 (stmt, 6, p->enabled ? 1 : 0);
  gr_db_stmt_bind_int64 (stmt, 7, now);
  if (!gr_sql_step_done (stmt, error))
    {
      if (creating && g_error_matches (*error, GR_ERROR, GR_ERROR_CONFLICT))
        {
          g_clear_error (error);
          g_set_error (error, GR_ERROR, GR_ERROR_CONFLICT,
                       "a provider named “%s” already exists", p->name);
        }
      return FALSE;
    }

  stmt = gr_sql_prepare (db, "INSERT INTO settings (key, value) VALUES (?1, ?2) "
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value;", error);
  if (stmt == NULL)
    return FALSE;
  gr_db_stmt_bind_text (stmt, 1, options_key);
  gr_db_stmt_bind_text (stmt, 2, options);
  return gr_sql_step_done (stmt, error);
}

/* Runs body inside BEGIN IMMEDIATE … COMMIT with the store locked. */
typedef gboolean (*TxnFunc) (GrDb     *db,
                             gpointer  data,
                             GError  **error);

static gboolean
in_transaction (GrStore  *self,
                TxnFunc   body,
                gpointer  data,
                GError  **error)
{
  GrDb *db;
  gboolean ok;

  gr_store_lock (self);
  db = gr_store_get_db (self);
  ok = gr_db_begin (db, error);
  if (ok)
    {
      ok = body (db, data, error) && gr_db_commit (db, error);
      if (!ok)
        gr_db_rollback (db);
    }
  gr_store_unlock (self);
  return ok;
}

GPtrArray *
gr_store_list_providers (GrStore  *self,
                         GError  **error)
{
  g_autoptr(GPtrArray) list = NULL;
  GrDbStmt *stmt;
  GrDb *db;
  GrDbStep rc;

  g_return_val_if_fail (GR_IS_STORE (self), NULL);

  list = g_ptr_array_new_with_free_func ((GDestroyNotify) gr_stored_provider_free);
  gr_store_lock (self);
  db = gr_store_get_db (self);
  stmt = gr_sql_prepare (db, PROVIDER_SELECT "ORDER BY p.created_at, p.id;", error);
  if (stmt == NULL)
    {
      gr_store_unlock (self);
      return NULL;
    }
  while ((rc = gr_db_stmt_step (stmt, error)) == GR_DB_ROW)
    g_ptr_array_add (list, stored_from_row (stmt));
  if (rc != GR_DB_DONE)
    g_clear_pointer (&list, g_ptr_array_unref);
  gr_db_stmt_finalize (stmt);
  gr_store_unlock (self);
  return g_steal_pointer (&list);
}

static gboolean delete_txn (GrDb *db, gpointer data, GError **error);

static gboolean
create_txn (GrDb     *db,
            gpointer  data,
            GError  **error)
{
  const GrProviderConfig *p = data;
  g_autoptr(GrStoredProvider) stored = NULL;
  GError *local_error = NULL;

  /* Changes to a provider the configuration file no longer has are left
   * over (see gr_store_apply_providers); a new provider of that name
   * replaces them. */
  stored = get_stored_locked (db, p->name, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (stored != NULL && !stored->config->from_store && !delete_txn (db, p->name, error))
    return FALSE;
  return write_locked (db, p, NULL, TRUE, error);
}

gboolean
gr_store_create_provider (GrStore                *self,
                          const GrProviderConfig *provider,
                          GError                **error)
{
  g_return_val_if_fail (GR_IS_STORE (self), FALSE);
  g_return_val_if_fail (provider != NULL && provider->from_store, FALSE);

  return in_transaction (self, create_txn, (gpointer) provider, error);
}

typedef struct
{
  const GrProviderConfig *values;
  const char * const     *fields;
} UpdateArgs;

static gboolean
update_txn (GrDb     *db,
            gpointer  data,
            GError  **error)
{
  UpdateArgs *args = data;
  const GrProviderConfig *values = args->values;
  g_autoptr(GrStoredProvider) stored = NULL;
  g_autoptr(GStrvBuilder) fields = g_strv_builder_new ();
  g_auto(GStrv) merged = NULL;
  GError *local_error = NULL;

  stored = get_stored_locked (db, values->name, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (values->from_store && (stored == NULL || !stored->config->from_store))
    {
      g_set_error (error, GR_ERROR, GR_ERROR_NOT_FOUND, "no provider “%s”", values->name);
      return FALSE;
    }

  if (values->from_store)
    {
      gr_provider_config_copy_fields (stored->config, values, args->fields);
      return write_locked (db, stored->config, NULL, FALSE, error);
    }

  /* An override: the fields set before and now, with the values the
   * provider has now (which include the earlier overrides). */
  for (guint i = 0; i < N_FIELDS; i++)
    if (g_strv_contains (args->fields, field_names[i]) ||
        (stored != NULL && stored->fields != NULL &&
         g_strv_contains ((const char * const *) stored->fields, field_names[i])))
      g_strv_builder_add (fields, field_names[i]);
  merged = g_strv_builder_end (fields);
  if (stored == NULL)
    {
      stored = g_new0 (GrStoredProvider, 1);
      stored->config = gr_provider_config_dup (values);
    }
  else if (stored->config->from_store)
    {
      /* Stored as an API provider, but the file has it now: from here on
       * the row is the file provider's override. */
      stored->config->from_store = FALSE;
      gr_provider_config_copy_fields (stored->config, values, NULL);
    }
  else
    {
      /* Fields set only earlier keep their stored values; for those the
       * caller's copy holds the same anyway. */
      gr_provider_config_copy_fields (stored->config, values, args->fields);
    }
  return write_locked (db, stored->config, (const char * const *) merged, FALSE, error);
}

gboolean
gr_store_update_provider (GrStore                *self,
                          const GrProviderConfig *values,
                          const char * const     *fields,
                          GError                **error)
{
  UpdateArgs args = { values, fields };

  g_return_val_if_fail (GR_IS_STORE (self), FALSE);
  g_return_val_if_fail (values != NULL, FALSE);
  g_return_val_if_fail (fields != NULL, FALSE);

  return in_transaction (self, update_txn, &args, error);
}

static gboolean
delete_txn (GrDb     *db,
            gpointer  data,
            GError  **error)
{
  const char *name = data;
  g_autofree char *options_key = g_strconcat (OPTIONS_PREFIX, name, NULL);
  GrDbStmt *stmt;

  stmt = gr_sql_prepare (db, "DELETE FROM providers WHERE id = ?;", error);
  if (stmt == NULL)
    return FALSE;
  gr_db_stmt_bind_text (stmt, 1, name);
  if (!gr_sql_step_done (stmt, error))
    return FALSE;
  if (gr_db_changes (db) == 0)
    {
      g_set_error (error, GR_ERROR, GR_ERROR_NOT_FOUND, "no provider “%s”", name);
      return FALSE;
    }
  stmt = gr_sql_prepare (db, "DELETE FROM settings WHERE key = ?;", error);
  if (stmt == NULL)
    return FALSE;
  gr_db_stmt_bind_text (stmt, 1, options_key);
  return gr_sql_step_done (stmt, error);
}

gboolean
gr_store_delete_provider (GrStore     *self,
                          const char  *name,
                          GError     **error)
{
  g_return_val_if_fail (GR_IS_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return in_transaction (self, delete_txn, (gpointer) name, error);
}

static GrProviderConfig *
find_in_list (GPtrArray  *providers,
              const char *name)
{
  for (guint i = 0; i < providers->len; i++)
    {
      GrProviderConfig *p = g_ptr_array_index (providers, i);

      if (g_str_equal (p->name, name))
        return p;
    }
  return NULL;
}

gboolean
gr_store_apply_providers (GrStore   *self,
                          GrConfig  *config,
                          GError   **error)
{
  g_return_val_if_fail (config != NULL, FALSE);

  return gr_store_apply_providers_to_list (self, config->providers, error);
}

gboolean
gr_store_apply_providers_to_list (GrStore    *self,
                                  GPtrArray  *providers,
                                  GError    **error)
{
  g_autoptr(GPtrArray) stored = NULL;

  g_return_val_if_fail (GR_IS_STORE (self), FALSE);
  g_return_val_if_fail (providers != NULL, FALSE);

  stored = gr_store_list_providers (self, error);
  if (stored == NULL)
    return FALSE;

  /* A gateway started again keeps its GrConfig: the API providers of the
   * previous run are in it, and the store is what says they still exist.
   * Nothing points at them between two runs. */
  for (guint i = providers->len; i > 0; i--)
    if (((GrProviderConfig *) g_ptr_array_index (providers, i - 1))->from_store)
      g_ptr_array_remove_index (providers, i - 1);

  for (guint i = 0; i < stored->len; i++)
    {
      GrStoredProvider *s = g_ptr_array_index (stored, i);
      GrProviderConfig *current = find_in_list (providers, s->config->name);

      if (s->config->from_store && current == NULL)
        g_ptr_array_add (providers, gr_provider_config_dup (s->config));
      else if (s->config->from_store)
        g_message ("provider “%s”, made through the admin API, is now also in the configuration "
                   "file: the file's settings are used", s->config->name);
      else if (current != NULL)
        gr_provider_config_copy_fields (current, s->config, (const char * const *) s->fields);
      else
        g_message ("the stored changes to provider “%s” are ignored: the configuration file "
                   "no longer has it", s->config->name);
    }
  return TRUE;
}
