/* gr-api-registry.c — /v1/registry/models and /v1/registry/aliases
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The model registry as the admin app edits it: models (ids, upstream
 * names, prices, limits) and route aliases.  Reading needs "models:read"
 * or "admin", writing "admin".  A change goes to the running registry
 * (which is thread-safe) and to the store from a worker thread; one lock
 * keeps the two in the same order when changes race, and a change the
 * store refuses is taken back from the registry.
 *
 * Entries are read and answered in the models.json format
 * (gr-registry.h), plus "source": "api" for what the API stored, "file"
 * for what models.json or the configuration file gave.
 */
#include "config.h"

#include "api/gr-admin.h"
#include "core/gr-json.h"
#include "http/gr-http.h"
#include "store/gr-store-registry.h"

#define NAME_MAX_LENGTH 200

/* Registry writes: registry and store change together. */
static GMutex write_lock;

static const GrFieldSpec model_fields[] = {
  { "id", GR_FIELD_STRING, FALSE, TRUE },
  { "provider", GR_FIELD_STRING, FALSE, TRUE },
  { "upstream", GR_FIELD_STRING, TRUE, FALSE },
  { "aliases", GR_FIELD_STRING_LIST, TRUE, FALSE },
  { "context_length", GR_FIELD_INT, TRUE, FALSE },
  { "max_output_tokens", GR_FIELD_INT, TRUE, FALSE },
  { "input_per_mtok", GR_FIELD_INT, FALSE, TRUE },
  { "output_per_mtok", GR_FIELD_INT, FALSE, TRUE },
  { "cached_input_per_mtok", GR_FIELD_INT, TRUE, FALSE },
  { "cache_write_per_mtok", GR_FIELD_INT, TRUE, FALSE },
  { "capabilities", GR_FIELD_OBJECT, TRUE, FALSE },
  { "created", GR_FIELD_INT, TRUE, FALSE },
  { NULL }
};

static const GrFieldSpec capability_fields[] = {
  { "tools", GR_FIELD_BOOL, TRUE, FALSE },
  { "vision", GR_FIELD_BOOL, TRUE, FALSE },
  { "json", GR_FIELD_BOOL, TRUE, FALSE },
  { "reasoning", GR_FIELD_BOOL, TRUE, FALSE },
  { "sampling", GR_FIELD_BOOL, TRUE, FALSE },
  { NULL }
};

/* "weights" is checked by gr_store_alias_from_json(): an array of numbers
 * has no GrFieldType. */
static const GrFieldSpec alias_fields[] = {
  { "name", GR_FIELD_STRING, FALSE, FALSE },
  { "targets", GR_FIELD_STRING_LIST, FALSE, TRUE },
  { "strategy", GR_FIELD_STRING, TRUE, FALSE },
  { NULL }
};

static const struct
{
  const char *name;
  gint64      max;
} int_limits[] = {
  { "input_per_mtok", GR_PRICE_MAX_PER_MTOK },
  { "output_per_mtok", GR_PRICE_MAX_PER_MTOK },
  { "cached_input_per_mtok", GR_PRICE_MAX_PER_MTOK },
  { "cache_write_per_mtok", GR_PRICE_MAX_PER_MTOK },
  { "context_length", G_MAXINT32 },
  { "max_output_tokens", G_MAXINT32 },
};

typedef enum
{
  SORT_ID,
  SORT_PROVIDER,
  SORT_INPUT,
  SORT_OUTPUT,
  SORT_CONTEXT,
  SORT_CREATED,
} SortKey;

static const char * const sort_names[] = {
  "id", "provider", "input_per_mtok", "output_per_mtok", "context_length", "created", NULL
};

typedef struct
{
  char            *name;      /* model id or alias name */
  GrModelInfo     *info;      /* model POST / PATCH */
  char            *json;      /* what the store keeps */
  char           **targets;   /* alias PUT */
  guint           *weights;
  GrAliasStrategy  strategy;
  GrListQuery      list;
  const char      *provider;  /* list filter */
  SortKey          sort;
  gboolean         descending;
} RegistryArgs;

static void
registry_args_free (RegistryArgs *args)
{
  g_free (args->name);
  g_clear_pointer (&args->info, gr_model_info_unref);
  g_free (args->json);
  g_strfreev (args->targets);
  g_free (args->weights);
  g_free (args);
}

static gboolean
fail_value (GrAdminCall *call,
            const char  *field,
            const char  *message)
{
  gr_admin_call_fail (call, 400, "invalid_request_error", "invalid_value", field, "`%s` %s", field, message);
  return FALSE;
}

/* A GError of the registry or the store. */
static void
fail_gerror (GrAdminCall  *call,
             const GError *error,
             const char   *param)
{
  if (g_error_matches (error, GR_ERROR, GR_ERROR_CONFLICT))
    gr_admin_call_fail (call, 409, "invalid_request_error", "conflict", param, "%s", error->message);
  else if (g_error_matches (error, GR_ERROR, GR_ERROR_INVALID))
    gr_admin_call_fail (call, 400, "invalid_request_error", "invalid_value", param, "%s", error->message);
  else
    gr_admin_call_set_gerror (call, error);
}

/* Names travel in URLs and JSON; whitespace in them is always a mistake. */
static gboolean
valid_name (const char *name)
{
  if (name == NULL || *name == '\0' || g_utf8_strlen (name, -1) > NAME_MAX_LENGTH ||
      !g_utf8_validate (name, -1, NULL))
    return FALSE;
  for (const char *c = name; *c != '\0'; c++)
    if (g_ascii_isspace (*c) || g_ascii_iscntrl (*c))
      return FALSE;
  return TRUE;
}

static gboolean
valid_provider_name (const char *name)
{
  if (name == NULL || *name == '\0')
    return FALSE;
  for (const char *c = name; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && *c != '.' && *c != '_' && *c != '-')
      return FALSE;
  return TRUE;
}

static const char *
source_of (GHashTable *stored,
           const char *name)
{
  return stored != NULL && g_hash_table_lookup (stored, name) != NULL ? "api" : "file";
}

/* ------------------------------------------------------------------ */
/* Models                                                              */
/* ------------------------------------------------------------------ */

/* The models.json form.  for_merge leaves out the cache prices that only
 * repeat the input price, so that a PATCH of input_per_mtok moves them
 * along as the file format's defaults would. */
static JsonObject *
model_entry (const GrModelInfo *m,
             gboolean           for_merge)
{
  JsonObject *obj = json_object_new ();
  JsonObject *caps = json_object_new ();
  JsonArray *aliases = json_array_new ();

  json_object_set_string_member (obj, "id", m->id);
  json_object_set_string_member (obj, "provider", m->provider);
  json_object_set_string_member (obj, "upstream", m->upstream);
  for (guint i = 0; m->aliases[i] != NULL; i++)
    json_array_add_string_element (aliases, m->aliases[i]);
  json_object_set_array_member (obj, "aliases", aliases);
  json_object_set_int_member (obj, "context_length", m->context_length);
  json_object_set_int_member (obj, "max_output_tokens", m->max_output_tokens);
  json_object_set_int_member (obj, "input_per_mtok", m->input_per_mtok);
  json_object_set_int_member (obj, "output_per_mtok", m->output_per_mtok);
  if (!for_merge || m->cached_input_per_mtok != m->input_per_mtok)
    json_object_set_int_member (obj, "cached_input_per_mtok", m->cached_input_per_mtok);
  if (!for_merge || m->cache_write_per_mtok != m->input_per_mtok)
    json_object_set_int_member (obj, "cache_write_per_mtok", m->cache_write_per_mtok);
  json_object_set_boolean_member (caps, "tools", m->capabilities.tools);
  json_object_set_boolean_member (caps, "vision", m->capabilities.vision);
  json_object_set_boolean_member (caps, "json", m->capabilities.json);
  json_object_set_boolean_member (caps, "reasoning", m->capabilities.reasoning);
  json_object_set_boolean_member (caps, "sampling", m->capabilities.sampling);
  json_object_set_object_member (obj, "capabilities", caps);
  json_object_set_int_member (obj, "created", m->created);
  return obj;
}

static JsonNode *
model_answer (const GrModelInfo *m,
              const char        *source)
{
  JsonObject *obj = model_entry (m, FALSE);
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (obj, "source", source);
  json_node_take_object (node, obj);
  return node;
}

/* A list entry; stored: the models the admin API changed. */
static JsonNode *
model_list_entry (gconstpointer item,
                  gpointer      stored)
{
  const GrModelInfo *m = item;

  return model_answer (m, source_of (stored, m->id));
}

static char *
model_store_json (const GrModelInfo *m)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, model_entry (m, FALSE));
  return gr_json_to_string (node);
}

static gboolean
matches_model (const GrModelInfo *m,
               const char        *q,
               const char        *provider)
{
  g_autofree char *needle = NULL;
  g_autofree char *id = NULL;
  g_autofree char *prov = NULL;

  if (provider != NULL && !g_str_equal (m->provider, provider))
    return FALSE;
  if (q == NULL)
    return TRUE;
  needle = g_utf8_casefold (q, -1);
  id = g_utf8_casefold (m->id, -1);
  prov = g_utf8_casefold (m->provider, -1);
  if (strstr (id, needle) != NULL || strstr (prov, needle) != NULL)
    return TRUE;
  for (guint i = 0; m->aliases[i] != NULL; i++)
    {
      g_autofree char *alias = g_utf8_casefold (m->aliases[i], -1);

      if (strstr (alias, needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

static gint
compare_models (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  const GrModelInfo *ma = *(const GrModelInfo * const *) a;
  const GrModelInfo *mb = *(const GrModelInfo * const *) b;
  RegistryArgs *args = user_data;
  gint64 va = 0, vb = 0;
  int c = 0;

  switch (args->sort)
    {
    case SORT_PROVIDER:
      c = strcmp (ma->provider, mb->provider);
      break;
    case SORT_INPUT:
      va = ma->input_per_mtok, vb = mb->input_per_mtok;
      break;
    case SORT_OUTPUT:
      va = ma->output_per_mtok, vb = mb->output_per_mtok;
      break;
    case SORT_CONTEXT:
      va = ma->context_length, vb = mb->context_length;
      break;
    case SORT_CREATED:
      va = ma->created, vb = mb->created;
      break;
    case SORT_ID:
    default:
      break;
    }
  if (c == 0)
    c = va < vb ? -1 : va > vb ? 1 : 0;
  /* Ids are unique: the order is total. */
  if (c == 0)
    c = strcmp (ma->id, mb->id);
  return args->descending ? -c : c;
}

static void
list_models_work (GrAdminCall *call)
{
  RegistryArgs *args = call->data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) stored = gr_store_load_registry_models (call->shared->store, &error);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) matches = g_ptr_array_new ();

  if (stored == NULL)
    {
      gr_admin_call_set_gerror (call, error);
      return;
    }
  all = gr_registry_list (call->shared->registry);
  for (guint i = 0; i < all->len; i++)
    if (matches_model (g_ptr_array_index (all, i), args->list.q, args->provider))
      g_ptr_array_add (matches, g_ptr_array_index (all, i));
  g_ptr_array_sort_with_data (matches, compare_models, args);
  call->result = gr_admin_list_page_json (matches, &args->list, model_list_entry, stored);
}

static void
get_model_work (GrAdminCall *call)
{
  RegistryArgs *args = call->data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) stored = gr_store_load_registry_models (call->shared->store, &error);
  g_autoptr(GrModelInfo) m = NULL;

  if (stored == NULL)
    {
      gr_admin_call_set_gerror (call, error);
      return;
    }
  m = gr_registry_lookup (call->shared->registry, args->name);
  if (m != NULL)
    call->result = model_answer (m, source_of (stored, m->id));
  else
    gr_admin_call_fail (call, 404, "invalid_request_error", "not_found", NULL,
                        "no model “%s” in the registry", args->name);
}

static void
create_model_work (GrAdminCall *call)
{
  RegistryArgs *args = call->data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GrModelInfo) existing = NULL;
  GrRegistry *registry = call->shared->registry;

  g_mutex_lock (&write_lock);
  existing = gr_registry_lookup (registry, args->info->id);
  if (existing != NULL)
    gr_admin_call_fail (call, 409, "invalid_request_error", "conflict", "id",
                        "the registry already has “%s”; change it with PATCH", args->info->id);
  else if (!gr_registry_upsert_model (registry, args->info, &error))
    fail_gerror (call, error, "aliases");
  else if (!gr_store_put_registry_model (call->shared->store, args->info->id, args->json, &error))
    {
      gr_registry_remove_model (registry, args->info->id, NULL);
      gr_admin_call_set_gerror (call, error);
    }
  else
    {
      call->status = 201;
      call->result = model_answer (args->info, "api");
    }
  g_mutex_unlock (&write_lock);
}

static void
update_model_work (GrAdminCall *call)
{
  RegistryArgs *args = call->data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GrModelInfo) old = NULL;
  GrRegistry *registry = call->shared->registry;

  g_mutex_lock (&write_lock);
  old = gr_registry_lookup (registry, args->info->id);
  if (old == NULL)
    gr_admin_call_fail (call, 404, "invalid_request_error", "not_found", NULL,
                        "no model “%s” in the registry", args->info->id);
  else if (!gr_registry_upsert_model (registry, args->info, &error))
    fail_gerror (call, error, "aliases");
  else if (!gr_store_put_registry_model (call->shared->store, args->info->id, args->json, &error))
    {
      gr_registry_upsert_model (registry, old, NULL);
      gr_admin_call_set_gerror (call, error);
    }
  else
    call->result = model_answer (args->info, "api");
  g_mutex_unlock (&write_lock);
}

static void
delete_model_work (GrAdminCall *call)
{
  RegistryArgs *args = call->data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GrModelInfo) old = NULL;
  GrRegistry *registry = call->shared->registry;

  g_mutex_lock (&write_lock);
  old = gr_registry_lookup (registry, args->name);
  if (old == NULL)
    gr_admin_call_fail (call, 404, "invalid_request_error", "not_found", NULL,
                        "no model “%s” in the registry", args->name);
  else if (!gr_registry_remove_model (registry, args->name, &error))
    gr_admin_call_set_gerror (call, error);
  /* Kept as a deletion, so a model of models.json stays deleted. */
  else if (!gr_store_put_registry_model (call->shared->store, args->name, NULL, &error))
    {
      gr_registry_upsert_model (registry, old, NULL);
      gr_admin_call_set_gerror (call, error);
    }
  else
    call->status = 204;
  g_mutex_unlock (&write_lock);
}

/* Checks what a GrFieldSpec cannot: ranges and names. */
static gboolean
check_model_members (GrAdminCall *call,
                     JsonObject  *obj)
{
  const char *text;
  JsonArray *aliases;
  JsonObject *caps;

  for (guint i = 0; i < G_N_ELEMENTS (int_limits); i++)
    {
      JsonNode *node = json_object_get_member (obj, int_limits[i].name);

      if (node != NULL && !JSON_NODE_HOLDS_NULL (node) && json_node_get_int (node) > int_limits[i].max)
        {
          gr_admin_call_fail (call, 400, "invalid_request_error", "invalid_value", int_limits[i].name,
                              "`%s` must be a whole number from 0 to %" G_GINT64_FORMAT " (integer "
                              "micro-USD per million tokens for prices).", int_limits[i].name,
                              int_limits[i].max);
          return FALSE;
        }
    }
  if ((text = gr_json_get_string (obj, "id")) != NULL && !valid_name (text))
    return fail_value (call, "id", "must be 1 to 200 characters without spaces.");
  if ((text = gr_json_get_string (obj, "provider")) != NULL && !valid_provider_name (text))
    return fail_value (call, "provider", "may only hold letters, digits, '.', '_' and '-'.");
  if ((text = gr_json_get_string (obj, "upstream")) != NULL && !valid_name (text))
    return fail_value (call, "upstream", "must be 1 to 200 characters without spaces.");
  aliases = gr_json_get_array (obj, "aliases");
  for (guint i = 0; aliases != NULL && i < json_array_get_length (aliases); i++)
    if (!valid_name (json_array_get_string_element (aliases, i)))
      return fail_value (call, "aliases", "entries must be 1 to 200 characters without spaces.");
  caps = gr_json_get_object (obj, "capabilities");
  return caps == NULL || gr_admin_check_fields (call, caps, capability_fields, FALSE, "capabilities.");
}

/* body merged into base: null removes a member (back to its default);
 * capabilities merge member by member. */
static void
merge_patch (JsonObject *base,
             JsonObject *body)
{
  g_autoptr(GList) members = json_object_get_members (body);

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *value = json_object_get_member (body, name);

      if (JSON_NODE_HOLDS_NULL (value))
        json_object_remove_member (base, name);
      else if (g_str_equal (name, "capabilities") && gr_json_get_object (base, name) != NULL)
        merge_patch (gr_json_get_object (base, name), json_node_get_object (value));
      else
        json_object_set_member (base, name, json_node_copy (value));
    }
}

static gboolean
read_model_body (GrAdminCall       *call,
                 RegistryArgs      *args,
                 const GrModelInfo *current)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) merged = json_node_new (JSON_NODE_OBJECT);
  JsonObject *obj;
  const char *id;

  if (!gr_admin_call_parse_body (call))
    return FALSE;
  obj = json_node_get_object (call->body);
  if (!gr_admin_check_fields (call, obj, model_fields, current == NULL, NULL) ||
      !check_model_members (call, obj))
    return FALSE;
  id = gr_json_get_string (obj, "id");
  if (current != NULL && id != NULL && !g_str_equal (id, current->id))
    return fail_value (call, "id", "cannot change; create a new model instead.");

  if (current == NULL)
    json_node_set_object (merged, obj);
  else
    {
      json_node_take_object (merged, model_entry (current, TRUE));
      merge_patch (json_node_get_object (merged), obj);
    }
  args->info = gr_model_info_new_from_json (merged, &error);
  if (args->info == NULL)
    {
      fail_gerror (call, error, NULL);
      return FALSE;
    }
  args->json = model_store_json (args->info);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Aliases                                                             */
/* ------------------------------------------------------------------ */

static JsonNode *
alias_answer (const GrRouteAlias *alias,
              const char         *source)
{
  JsonNode *node = gr_route_alias_to_json (alias);

  json_object_set_string_member (json_node_get_object (node), "source", source);
  return node;
}

/* A list entry; stored: the aliases the admin API changed. */
static JsonNode *
alias_list_entry (gconstpointer item,
                  gpointer      stored)
{
  const GrRouteAlias *a = item;

  return alias_answer (a, source_of (stored, a->name));
}

static gboolean
matches_alias (const GrRouteAlias *alias,
               const char         *q)
{
  g_autofree char *needle = NULL;
  g_autofree char *name = NULL;

  if (q == NULL)
    return TRUE;
  needle = g_utf8_casefold (q, -1);
  name = g_utf8_casefold (alias->name, -1);
  if (strstr (name, needle) != NULL)
    return TRUE;
  for (guint i = 0; i < alias->n_targets; i++)
    {
      g_autofree char *target = g_utf8_casefold (alias->targets[i].model, -1);

      if (strstr (target, needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
list_aliases_work (GrAdminCall *call)
{
  RegistryArgs *args = call->data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) stored = gr_store_load_registry_aliases (call->shared->store, &error);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) matches = g_ptr_array_new ();

  if (stored == NULL)
    {
      gr_admin_call_set_gerror (call, error);
      return;
    }
  /* Sorted by name already. */
  all = gr_registry_list_routes (call->shared->registry);
  for (guint i = 0; i < all->len; i++)
    if (matches_alias (g_ptr_array_index (all, i), args->list.q))
      g_ptr_array_add (matches, g_ptr_array_index (all, i));
  if (args->descending)
    gr_admin_list_reverse (matches);
  call->result = gr_admin_list_page_json (matches, &args->list, alias_list_entry, stored);
}

static void
get_alias_work (GrAdminCall *call)
{
  RegistryArgs *args = call->data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) stored = gr_store_load_registry_aliases (call->shared->store, &error);
  g_autoptr(GrRouteAlias) alias = NULL;

  if (stored == NULL)
    {
      gr_admin_call_set_gerror (call, error);
      return;
    }
  alias = gr_registry_lookup_route (call->shared->registry, args->name);
  if (alias != NULL)
    call->result = alias_answer (alias, source_of (stored, alias->name));
  else
    gr_admin_call_fail (call, 404, "invalid_request_error", "not_found", NULL,
                        "no alias “%s”", args->name);
}

/* Puts an alias back as it was (a change the store refused). */
static void
restore_alias (GrRegistry   *registry,
               const char   *name,
               GrRouteAlias *old)
{
  g_autoptr(GPtrArray) targets = NULL;
  g_autofree guint *weights = NULL;

  if (old == NULL)
    {
      gr_registry_remove_alias (registry, name, NULL);
      return;
    }
  targets = g_ptr_array_new ();
  weights = g_new0 (guint, old->n_targets);
  for (guint i = 0; i < old->n_targets; i++)
    {
      g_ptr_array_add (targets, old->targets[i].model);
      weights[i] = old->targets[i].weight;
    }
  g_ptr_array_add (targets, NULL);
  gr_registry_set_alias (registry, name, old->strategy, (const char * const *) targets->pdata,
                         weights, NULL);
}

static void
put_alias_work (GrAdminCall *call)
{
  RegistryArgs *args = call->data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GrRouteAlias) old = NULL;
  g_autoptr(GrRouteAlias) now = NULL;
  GrRegistry *registry = call->shared->registry;

  g_mutex_lock (&write_lock);
  old = gr_registry_lookup_route (registry, args->name);
  if (!gr_registry_set_alias (registry, args->name, args->strategy,
                              (const char * const *) args->targets, args->weights, &error))
    fail_gerror (call, error, "targets");
  else if (!gr_store_put_registry_alias (call->shared->store, args->name, args->json, &error))
    {
      restore_alias (registry, args->name, old);
      gr_admin_call_set_gerror (call, error);
    }
  else if ((now = gr_registry_lookup_route (registry, args->name)) != NULL)
    {
      call->status = old != NULL ? 200 : 201;
      call->result = alias_answer (now, "api");
    }
  g_mutex_unlock (&write_lock);
}

static void
delete_alias_work (GrAdminCall *call)
{
  RegistryArgs *args = call->data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GrRouteAlias) old = NULL;
  GrRegistry *registry = call->shared->registry;

  g_mutex_lock (&write_lock);
  old = gr_registry_lookup_route (registry, args->name);
  if (old == NULL)
    gr_admin_call_fail (call, 404, "invalid_request_error", "not_found", NULL,
                        "no alias “%s”", args->name);
  else if (!gr_registry_remove_alias (registry, args->name, &error))
    gr_admin_call_set_gerror (call, error);
  else if (!gr_store_put_registry_alias (call->shared->store, args->name, NULL, &error))
    {
      restore_alias (registry, args->name, old);
      gr_admin_call_set_gerror (call, error);
    }
  else
    call->status = 204;
  g_mutex_unlock (&write_lock);
}

/* A target must route: a model (id or model alias) of the registry, or
 * "<provider>/<model>" with a configured provider.  Route aliases are
 * not targets, so aliases cannot loop. */
static gboolean
provider_is_configured (GrShared   *shared,
                        const char *name)
{
  /* Published by gr-api-providers.c with one pointer store. */
  GPtrArray *providers = g_atomic_pointer_get (&shared->config->providers);

  for (guint i = 0; i < providers->len; i++)
    if (g_str_equal (((GrProviderConfig *) g_ptr_array_index (providers, i))->name, name))
      return TRUE;
  return FALSE;
}

static gboolean
check_targets (GrAdminCall *call,
               char       **targets)
{
  for (guint i = 0; targets[i] != NULL; i++)
    {
      g_autoptr(GrModelInfo) model = gr_registry_find_model (call->shared->registry, targets[i]);
      const char *slash = strchr (targets[i], '/');
      g_autofree char *provider = slash != NULL ? g_strndup (targets[i], slash - targets[i]) : NULL;

      if (model != NULL ||
          (provider != NULL && slash[1] != '\0' &&
           provider_is_configured (call->shared, provider)))
        continue;
      gr_admin_call_fail (call, 400, "invalid_request_error", "invalid_value", "targets",
                          "`targets[%u]`: “%s” is neither a model of the registry nor "
                          "“provider/model” with a configured provider.", i, targets[i]);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_alias_body (GrAdminCall  *call,
                 RegistryArgs *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) weights = NULL;
  g_autoptr(GrRouteAlias) alias = NULL;
  g_autoptr(JsonNode) node = NULL;
  const char *bad_field = NULL;
  const char *name;
  JsonObject *obj;

  if (!gr_admin_call_parse_body (call))
    return FALSE;
  obj = json_node_get_object (call->body);
  weights = json_object_dup_member (obj, "weights");
  if (weights != NULL)
    json_object_remove_member (obj, "weights");
  if (!gr_admin_check_fields (call, obj, alias_fields, TRUE, NULL))
    return FALSE;
  if (weights != NULL)
    json_object_set_member (obj, "weights", g_steal_pointer (&weights));

  name = gr_json_get_string (obj, "name");
  if (args->name == NULL && name == NULL)
    {
      gr_admin_call_fail (call, 400, "invalid_request_error", "missing_field", "name", "`name` is required.");
      return FALSE;
    }
  if (args->name != NULL && name != NULL && !g_str_equal (args->name, name))
    return fail_value (call, "name", "differs from the alias in the path.");
  if (args->name == NULL)
    args->name = g_strdup (name);
  if (!valid_name (args->name))
    return fail_value (call, "name", "must be 1 to 200 characters without spaces.");

  if (!gr_store_alias_from_json (obj, &args->targets, &args->weights, &args->strategy,
                                 &bad_field, &error))
    {
      gr_admin_call_fail (call, 400, "invalid_request_error", "invalid_value", bad_field, "%s", error->message);
      return FALSE;
    }
  if (!check_targets (call, args->targets))
    return FALSE;
  alias = gr_route_alias_new (args->name, args->strategy, (const char * const *) args->targets,
                              args->weights, &error);
  if (alias == NULL)
    {
      fail_gerror (call, error, "targets");
      return FALSE;
    }
  node = gr_route_alias_to_json (alias);
  args->json = gr_json_to_string (node);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Routes                                                              */
/* ------------------------------------------------------------------ */

static gboolean
require (GrAdminCall *call,
         gboolean     writing)
{
  if (gr_admin_call_has (call, "admin") || (!writing && gr_admin_call_has (call, "models:read")))
    return TRUE;
  gr_admin_call_fail (call, 403, "permission_error", "insufficient_permissions", NULL,
                      writing ? "Changing the model registry needs the “admin” permission."
                              : "Reading the model registry needs the “models:read” permission.");
  return FALSE;
}

static gboolean
read_list_query (GrAdminCall  *call,
                 RegistryArgs *args,
                 gboolean      models)
{
  const char *sort;
  const char *key;

  if (!gr_admin_call_list_query (call, &args->list))
    return FALSE;
  args->provider = gr_admin_call_get_query (call, "provider");
  sort = args->list.sort;
  if (sort == NULL)
    return TRUE;
  args->descending = sort[0] == '-';
  key = args->descending ? sort + 1 : sort;
  for (guint i = 0; models && sort_names[i] != NULL; i++)
    if (g_str_equal (sort_names[i], key))
      {
        args->sort = (SortKey) i;
        return TRUE;
      }
  if (!models && (g_str_equal (key, "name")))
    return TRUE;
  gr_admin_call_fail (call, 400, "invalid_request_error", "invalid_value", "sort",
                      models ? "`sort` must be one of id, provider, input_per_mtok, output_per_mtok, "
                               "context_length, created (a leading '-' sorts down)."
                             : "`sort` must be name or -name.");
  return FALSE;
}

static void
dispatch_models (GrAdminCall  *call,
                 RegistryArgs *args)
{
  const char *method = call->method;

  if (args->name == NULL)
    {
      if (g_str_equal (method, "GET"))
        {
          if (require (call, FALSE) && read_list_query (call, args, TRUE))
            gr_admin_call_run (call, list_models_work);
        }
      else if (g_str_equal (method, "POST"))
        {
          if (require (call, TRUE) && read_model_body (call, args, NULL))
            gr_admin_call_run (call, create_model_work);
        }
      else
        gr_admin_call_fail (call, 405, "invalid_request_error", "method_not_allowed", NULL,
                            "Use GET or POST on /v1/registry/models.");
      return;
    }

  if (g_str_equal (method, "GET"))
    {
      if (require (call, FALSE))
        gr_admin_call_run (call, get_model_work);
    }
  else if (g_str_equal (method, "PATCH"))
    {
      g_autoptr(GrModelInfo) current = NULL;

      if (!require (call, TRUE))
        return;
      current = gr_registry_lookup (call->shared->registry, args->name);
      if (current == NULL)
        gr_admin_call_fail (call, 404, "invalid_request_error", "not_found", NULL,
                            "no model “%s” in the registry", args->name);
      else if (read_model_body (call, args, current))
        gr_admin_call_run (call, update_model_work);
    }
  else if (g_str_equal (method, "DELETE"))
    {
      if (require (call, TRUE))
        gr_admin_call_run (call, delete_model_work);
    }
  else
    gr_admin_call_fail (call, 405, "invalid_request_error", "method_not_allowed", NULL,
                        "Use GET, PATCH or DELETE on a model.");
}

static void
dispatch_aliases (GrAdminCall  *call,
                  RegistryArgs *args)
{
  const char *method = call->method;

  if (g_str_equal (method, "GET"))
    {
      if (require (call, FALSE) && (args->name != NULL || read_list_query (call, args, FALSE)))
        gr_admin_call_run (call, args->name != NULL ? get_alias_work : list_aliases_work);
    }
  else if (g_str_equal (method, "POST") || (args->name != NULL && g_str_equal (method, "PUT")))
    {
      if (require (call, TRUE) && read_alias_body (call, args))
        gr_admin_call_run (call, put_alias_work);
    }
  else if (args->name != NULL && g_str_equal (method, "DELETE"))
    {
      if (require (call, TRUE))
        gr_admin_call_run (call, delete_alias_work);
    }
  else
    gr_admin_call_fail (call, 405, "invalid_request_error", "method_not_allowed", NULL,
                        args->name != NULL ? "Use GET, PUT, POST or DELETE on an alias."
                                           : "Use GET or POST on /v1/registry/aliases.");
}

static void
registry_cb (SoupServer        *soup,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  GrAdminCall *call = gr_admin_call_new (user_data, msg, path, query);
  RegistryArgs *args;
  guint n;

  if (call == NULL)
    return;
  args = g_new0 (RegistryArgs, 1);
  call->data = args;
  call->data_free = (GDestroyNotify) registry_args_free;
  n = g_strv_length (call->segments);
  if (n > 2)
    {
      /* Model ids hold '/': "openai/gpt-4o" is two segments. */
      g_autofree char *joined = g_strjoinv ("/", call->segments + 2);

      args->name = g_uri_unescape_string (joined, NULL);
    }

  if (n < 2 || (n > 2 && (args->name == NULL || *args->name == '\0')))
    gr_admin_call_fail (call, 404, "invalid_request_error", "unknown_route", NULL, "Unknown route %s.", path);
  else if (g_str_equal (call->segments[1], "models"))
    dispatch_models (call, args);
  else if (g_str_equal (call->segments[1], "aliases"))
    dispatch_aliases (call, args);
  else
    gr_admin_call_fail (call, 404, "invalid_request_error", "unknown_route", NULL, "Unknown route %s.", path);

  gr_admin_call_done (call);
}

void
gr_api_registry_register (GrServer *server)
{
  gr_server_add_handler (server, "/v1/registry", registry_cb);
}
