/* gr-api-keys.c — /v1/api-keys
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A key without "admin" manages only its own organization's keys, and
 * never a key (or a grant) with a scope it lacks itself.  Keys of other
 * organizations answer 404, as if they did not exist.
 */
#include "config.h"

#include "api/gr-admin.h"
#include "api/gr-api-stats.h"
#include "http/gr-http.h"

#define NAME_MAX_LENGTH 200

static const char * const known_scopes[] = {
  "chat", "models:read", "keys:read", "keys:write", "orgs:read", "orgs:write", "stats:read", "admin", NULL
};

static const GrFieldSpec key_fields[] = {
  { "org_id", GR_FIELD_STRING, FALSE, FALSE },
  { "name", GR_FIELD_STRING, FALSE, TRUE },
  { "permissions", GR_FIELD_STRING_LIST, FALSE, FALSE },
  { "allowed_models", GR_FIELD_STRING_LIST, TRUE, FALSE },
  { "expires_at", GR_FIELD_TIMESTAMP, TRUE, FALSE },
  { "status", GR_FIELD_STRING, FALSE, FALSE },
  { "limits", GR_FIELD_OBJECT, TRUE, FALSE },
  { NULL }
};

typedef struct
{
  char       *id;
  char       *org_id;
  char       *name;
  char       *status;
  char      **permissions;
  char      **allowed_models;
  gboolean    set_expires_at;
  gint64      expires_at;
  GrLimitSet  limits;
  GrLimitMask limits_set;
  GrListQuery list;
} KeyArgs;

static void
key_args_free (KeyArgs *args)
{
  g_free (args->id);
  g_free (args->org_id);
  g_free (args->name);
  g_free (args->status);
  g_strfreev (args->permissions);
  g_strfreev (args->allowed_models);
  g_free (args);
}

static void
add_string_array (JsonBuilder *b,
                  const char  *name,
                  char       **values)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    json_builder_add_string_value (b, values[i]);
  json_builder_end_array (b);
}

JsonNode *
gr_api_key_to_json (const GrKeyRecord *key,
                    const char        *secret)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, key->id);
  json_builder_set_member_name (b, "org_id");
  json_builder_add_string_value (b, key->org_id);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, key->name);
  json_builder_set_member_name (b, "prefix");
  json_builder_add_string_value (b, key->prefix);
  add_string_array (b, "permissions", key->permissions);
  add_string_array (b, "allowed_models", key->allowed_models);
  gr_admin_add_time_member (b, "expires_at", key->expires_at);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, key->status);
  json_builder_set_member_name (b, "limits");
  json_builder_add_value (b, gr_admin_limits_to_json (&key->limits, FALSE));
  gr_admin_add_time_member (b, "last_used_at", key->last_used_at);
  gr_admin_add_time_member (b, "created_at", key->created_at);
  gr_admin_add_time_member (b, "updated_at", key->updated_at);
  if (secret != NULL)
    {
      /* The only answers that ever carry the secret: create and rotate. */
      json_builder_set_member_name (b, "key");
      json_builder_add_string_value (b, secret);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* A key may hand out or manage only scopes it holds itself. */
static gboolean
caller_covers (GrAdminCall *call,
               char       **scopes)
{
  if (gr_admin_call_has (call, "admin"))
    return TRUE;
  for (guint i = 0; scopes != NULL && scopes[i] != NULL; i++)
    if (!g_strv_contains ((const char * const *) call->key->permissions, scopes[i]))
      return FALSE;
  return TRUE;
}

static void
not_found (GrAdminCall *call,
           const char  *id)
{
  gr_admin_call_fail (call, 404, "invalid_request_error", "not_found", NULL, "no API key “%s”", id);
}

/* Loads the target key and checks the caller may touch it. */
static GrKeyRecord *
load_target (GrAdminCall *call,
             const char  *id,
             gboolean     writing)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GrKeyRecord) key = gr_store_get_key (call->shared->store, id, &error);

  if (key == NULL)
    {
      gr_admin_call_set_gerror (call, error);
      return NULL;
    }
  if (!gr_admin_call_can_see_org (call, key->org_id))
    {
      not_found (call, id);
      return NULL;
    }
  if (writing && !caller_covers (call, key->permissions))
    {
      gr_admin_call_fail (call, 403, "permission_error", "insufficient_permissions", NULL,
                          "This key has permissions that the calling key lacks; it cannot manage it.");
      return NULL;
    }
  return g_steal_pointer (&key);
}

static void
list_work (GrAdminCall *call)
{
  KeyArgs *args = call->data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  JsonArray *data;
  gint64 total = 0;

  rows = gr_store_list_keys (call->shared->store, &args->list, &total, &error);
  if (rows == NULL)
    {
      gr_admin_call_set_gerror (call, error);
      return;
    }
  data = json_array_new ();
  for (guint i = 0; i < rows->len; i++)
    json_array_add_element (data, gr_api_key_to_json (g_ptr_array_index (rows, i), NULL));
  call->result = gr_admin_list_json (data, &args->list, total);
}

static void
get_work (GrAdminCall *call)
{
  KeyArgs *args = call->data;
  g_autoptr(GrKeyRecord) key = load_target (call, args->id, FALSE);

  if (key != NULL)
    call->result = gr_api_key_to_json (key, NULL);
}

static void
create_work (GrAdminCall *call)
{
  KeyArgs *args = call->data;
  static const char * const default_scopes[] = { "chat", "models:read", NULL };
  GrKeySpec spec = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GrKeyRecord) key = NULL;
  g_autofree char *secret = NULL;

  spec.org_id = args->org_id;
  spec.name = args->name;
  spec.permissions = args->permissions ? (const char * const *) args->permissions : default_scopes;
  spec.allowed_models = (const char * const *) args->allowed_models;
  spec.expires_at = args->expires_at;
  spec.limits = args->limits;
  spec.status = args->status;
  key = gr_store_create_key (call->shared->store, &spec, &secret, &error);
  if (key == NULL)
    {
      gr_admin_call_set_gerror (call, error);
      return;
    }
  call->status = 201;
  call->result = gr_api_key_to_json (key, secret);
  call->keys_changed = TRUE;
  explicit_bzero (secret, strlen (secret));
}

static void
update_work (GrAdminCall *call)
{
  KeyArgs *args = call->data;
  g_autoptr(GrKeyRecord) target = load_target (call, args->id, TRUE);
  GrKeyPatch patch = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GrKeyRecord) key = NULL;

  if (target == NULL)
    return;
  if (g_strcmp0 (target->status, "revoked") == 0 && args->status != NULL &&
      !g_str_equal (args->status, "revoked"))
    {
      gr_admin_call_fail (call, 409, "invalid_request_error", "conflict", "status",
                          "A revoked key stays revoked; create a new key instead.");
      return;
    }
  patch.name = args->name;
  patch.status = args->status;
  patch.permissions = (const char * const *) args->permissions;
  patch.allowed_models = (const char * const *) args->allowed_models;
  patch.set_expires_at = args->set_expires_at;
  patch.expires_at = args->expires_at;
  patch.limits_set = args->limits_set;
  patch.limits = args->limits;
  key = gr_store_update_key (call->shared->store, args->id, &patch, &error);
  if (key == NULL)
    {
      gr_admin_call_set_gerror (call, error);
      return;
    }
  call->result = gr_api_key_to_json (key, NULL);
  call->keys_changed = TRUE;
}

static void
delete_work (GrAdminCall *call)
{
  KeyArgs *args = call->data;
  g_autoptr(GrKeyRecord) target = load_target (call, args->id, TRUE);
  g_autoptr(GError) error = NULL;

  if (target == NULL)
    return;
  if (!gr_store_delete_key (call->shared->store, args->id, &error))
    {
      gr_admin_call_set_gerror (call, error);
      return;
    }
  call->status = 204;
  call->keys_changed = TRUE;
}

static void
rotate_work (GrAdminCall *call)
{
  KeyArgs *args = call->data;
  g_autoptr(GrKeyRecord) target = load_target (call, args->id, TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GrKeyRecord) key = NULL;
  g_autofree char *secret = NULL;

  if (target == NULL)
    return;
  key = gr_store_rotate_key (call->shared->store, args->id, &secret, &error);
  if (key == NULL)
    {
      gr_admin_call_set_gerror (call, error);
      return;
    }
  call->result = gr_api_key_to_json (key, secret);
  call->keys_changed = TRUE;
  explicit_bzero (secret, strlen (secret));
}

static void
stats_work_check (GrAdminCall *call)
{
  KeyArgs *args = call->data;
  g_autoptr(GrKeyRecord) target = load_target (call, args->id, FALSE);

  /* The stats themselves run in the same worker thread. */
  if (target != NULL)
    gr_api_stats_compute (call, target->org_id, args->id);
}

static gboolean
read_string_list (GrAdminCall *call,
                  JsonObject  *obj,
                  const char  *name,
                  char      ***out)
{
  JsonArray *array = gr_json_get_array (obj, name);
  GStrvBuilder *builder;

  if (array == NULL)
    return TRUE;
  builder = g_strv_builder_new ();
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      const char *value = json_array_get_string_element (array, i);

      if (*value == '\0' || strchr (value, ',') != NULL)
        {
          gr_admin_call_fail (call, 400, "invalid_request_error", "invalid_value", name,
                              "`%s` entries must be non-empty and hold no commas.", name);
          g_strv_builder_unref (builder);
          return FALSE;
        }
      g_strv_builder_add (builder, value);
    }
  *out = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return TRUE;
}

static gboolean
check_permissions (GrAdminCall *call,
                   char       **permissions)
{
  for (guint i = 0; permissions != NULL && permissions[i] != NULL; i++)
    if (!g_strv_contains (known_scopes, permissions[i]))
      {
        gr_admin_call_fail (call, 400, "invalid_request_error", "invalid_value", "permissions",
                            "Unknown permission “%s” (known: chat, models:read, keys:read, keys:write, "
                            "orgs:read, orgs:write, stats:read, admin).", permissions[i]);
        return FALSE;
      }
  if (!caller_covers (call, permissions))
    {
      gr_admin_call_fail (call, 403, "permission_error", "insufficient_permissions", "permissions",
                          "A key can only grant permissions it holds itself.");
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_key_body (GrAdminCall *call,
               KeyArgs     *args,
               gboolean     creating)
{
  static const char * const statuses[] = { "active", "disabled", "revoked", NULL };
  JsonObject *obj;
  JsonObject *limits;
  const char *status;
  const char *expires;

  if (!gr_admin_call_parse_body (call))
    return FALSE;
  obj = json_node_get_object (call->body);
  if (!gr_admin_check_fields (call, obj, key_fields, creating, NULL))
    return FALSE;
  if (!creating && json_object_has_member (obj, "org_id"))
    {
      gr_admin_call_fail (call, 400, "invalid_request_error", "invalid_value", "org_id",
                          "A key cannot move to another organization.");
      return FALSE;
    }

  args->org_id = g_strdup (gr_json_get_string (obj, "org_id"));
  args->name = g_strdup (gr_json_get_string (obj, "name"));
  if (args->name != NULL && (*g_strstrip (args->name) == '\0' ||
                             g_utf8_strlen (args->name, -1) > NAME_MAX_LENGTH))
    {
      gr_admin_call_fail (call, 400, "invalid_request_error", "invalid_value", "name",
                          "`name` must be 1 to %d characters.", NAME_MAX_LENGTH);
      return FALSE;
    }
  status = gr_json_get_string (obj, "status");
  if (status != NULL && !g_strv_contains (statuses, status))
    {
      gr_admin_call_fail (call, 400, "invalid_request_error", "invalid_value", "status",
                          "`status` must be “active”, “disabled” or “revoked”.");
      return FALSE;
    }
  args->status = g_strdup (status);
  if (!read_string_list (call, obj, "permissions", &args->permissions) ||
      !read_string_list (call, obj, "allowed_models", &args->allowed_models) ||
      !check_permissions (call, args->permissions))
    return FALSE;
  if (json_object_has_member (obj, "allowed_models") && args->allowed_models == NULL)
    args->allowed_models = g_new0 (char *, 1);

  if (json_object_has_member (obj, "expires_at"))
    {
      args->set_expires_at = TRUE;
      expires = gr_json_get_string (obj, "expires_at");
      if (expires != NULL)
        gr_admin_parse_time (expires, &args->expires_at);
    }
  gr_limit_set_init_unlimited (&args->limits);
  limits = gr_json_get_object (obj, "limits");
  if (limits != NULL && !gr_admin_limits_from_json (call, limits, FALSE, &args->limits, &args->limits_set))
    return FALSE;
  if (json_object_has_member (obj, "limits") && limits == NULL)
    args->limits_set = GR_LIMIT_RPM | GR_LIMIT_TOKENS_PER_DAY | GR_LIMIT_MONTHLY_BUDGET;
  return TRUE;
}

static gboolean
require (GrAdminCall *call,
         const char  *scope)
{
  if (gr_admin_call_has (call, scope))
    return TRUE;
  gr_admin_call_fail (call, 403, "permission_error", "insufficient_permissions", NULL,
                      "This API key lacks the “%s” permission.", scope);
  return FALSE;
}

static void
dispatch_collection (GrAdminCall *call,
                     KeyArgs     *args)
{
  if (g_str_equal (call->method, "GET"))
    {
      static const char * const sorts[] = { "name", "created_at", "last_used_at", "expires_at", "status", NULL };

      if (!require (call, "keys:read") || !gr_admin_call_list_query (call, &args->list) ||
          !gr_admin_call_check_sort (call, args->list.sort, sorts))
        return;
      if (!gr_admin_call_has (call, "admin"))
        {
          if (args->list.org_id != NULL && !g_str_equal (args->list.org_id, call->key->org_id))
            {
              /* Another organization has no keys this caller can see. */
              call->result = gr_admin_list_json (json_array_new (), &args->list, 0);
              return;
            }
          args->list.org_id = call->key->org_id;
        }
      gr_admin_call_run (call, list_work);
    }
  else if (g_str_equal (call->method, "POST"))
    {
      if (!require (call, "keys:write") || !read_key_body (call, args, TRUE))
        return;
      if (args->org_id == NULL)
        args->org_id = g_strdup (call->key->org_id);
      if (args->org_id == NULL || !gr_admin_call_can_see_org (call, args->org_id))
        {
          gr_admin_call_fail (call, 404, "invalid_request_error", "not_found", "org_id",
                              "no organization “%s”", args->org_id ? args->org_id : "");
          return;
        }
      if (args->permissions == NULL)
        {
          static const char * const default_scopes[] = { "chat", "models:read", NULL };

          args->permissions = g_strdupv ((char **) default_scopes);
          if (!check_permissions (call, args->permissions))
            return;
        }
      gr_admin_call_run (call, create_work);
    }
  else
    gr_admin_call_fail (call, 405, "invalid_request_error", "method_not_allowed", NULL,
                        "Use GET or POST on /v1/api-keys.");
}

static void
dispatch_item (GrAdminCall *call,
               KeyArgs     *args)
{
  if (g_str_equal (call->method, "GET"))
    {
      if (require (call, "keys:read"))
        gr_admin_call_run (call, get_work);
    }
  else if (g_str_equal (call->method, "PATCH"))
    {
      if (require (call, "keys:write") && read_key_body (call, args, FALSE))
        gr_admin_call_run (call, update_work);
    }
  else if (g_str_equal (call->method, "DELETE"))
    {
      if (require (call, "keys:write"))
        gr_admin_call_run (call, delete_work);
    }
  else
    gr_admin_call_fail (call, 405, "invalid_request_error", "method_not_allowed", NULL,
                        "Use GET, PATCH or DELETE on an API key.");
}

static void
dispatch_action (GrAdminCall *call,
                 KeyArgs     *args)
{
  const char *action = call->segments[2];
  gboolean self = g_strcmp0 (call->key->id, args->id) == 0;

  if (g_str_equal (action, "rotate") && g_str_equal (call->method, "POST"))
    {
      if (require (call, "keys:write"))
        gr_admin_call_run (call, rotate_work);
    }
  else if (g_str_equal (action, "stats") && g_str_equal (call->method, "GET"))
    {
      /* Any key may read its own usage. */
      if (self || require (call, "stats:read"))
        gr_admin_call_run (call, stats_work_check);
    }
  else if (g_str_equal (action, "rotate") || g_str_equal (action, "stats"))
    gr_admin_call_fail (call, 405, "invalid_request_error", "method_not_allowed", NULL,
                        "Use %s.", g_str_equal (action, "rotate") ? "POST" : "GET");
  else
    gr_admin_call_fail (call, 404, "invalid_request_error", "unknown_route", NULL,
                        "Unknown route /v1/api-keys/%s/%s.", args->id, action);
}

static void
api_keys_cb (SoupServer        *soup,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  GrAdminCall *call = gr_admin_call_new (user_data, msg, path, query);
  KeyArgs *args;
  guint n;

  if (call == NULL)
    return;
  args = g_new0 (KeyArgs, 1);
  call->data = args;
  call->data_free = (GDestroyNotify) key_args_free;
  n = g_strv_length (call->segments);
  if (n >= 2)
    args->id = g_strdup (call->segments[1]);

  if (n == 1)
    dispatch_collection (call, args);
  else if (n == 2 && *args->id != '\0')
    dispatch_item (call, args);
  else if (n == 3 && *args->id != '\0')
    dispatch_action (call, args);
  else
    gr_admin_call_fail (call, 404, "invalid_request_error", "unknown_route", NULL, "Unknown route %s.", path);

  gr_admin_call_done (call);
}

void
gr_api_keys_register (GrServer *server)
{
  gr_server_add_handler (server, "/v1/api-keys", api_keys_cb);
}
