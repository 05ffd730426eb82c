/* gr-api-organizations.c — /v1/organizations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Organizations need the admin scope, except that a key with orgs:read
 * sees its own organization and one with orgs:write may rename it.
 */
#include "config.h"

#include "api/gr-admin.h"
#include "api/gr-api-stats.h"
#include "http/gr-http.h"

#define NAME_MAX_LENGTH 200

static const GrFieldSpec org_fields[] = {
  { "name", GR_FIELD_STRING, FALSE, TRUE },
  { "description", GR_FIELD_STRING, TRUE, FALSE },
  { "status", GR_FIELD_STRING, FALSE, FALSE },
  { "limits", GR_FIELD_OBJECT, TRUE, FALSE },
  { NULL }
};

typedef struct
{
  char       *id;
  char       *name;
  char       *description;
  char       *status;
  GrLimitSet  limits;
  GrLimitMask limits_set;
  gboolean    force;
  GrListQuery list;
} OrgArgs;

static void
org_args_free (OrgArgs *args)
{
  g_free (args->id);
  g_free (args->name);
  g_free (args->description);
  g_free (args->status);
  g_free (args);
}

JsonNode *
gr_api_org_to_json (const GrOrgRecord *org)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, org->id);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, org->name);
  json_builder_set_member_name (b, "description");
  json_builder_add_string_value (b, org->description ? org->description : "");
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, org->status);
  json_builder_set_member_name (b, "limits");
  json_builder_add_value (b, gr_admin_limits_to_json (&org->limits, TRUE));
  json_builder_set_member_name (b, "key_count");
  json_builder_add_int_value (b, org->key_count);
  gr_admin_add_time_member (b, "created_at", org->created_at);
  gr_admin_add_time_member (b, "updated_at", org->updated_at);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
take_org (GrAdminCall *call,
          GrOrgRecord *org,
          GError      *error,
          guint        status)
{
  if (org == NULL)
    {
      gr_admin_call_set_gerror (call, error);
      g_clear_error (&error);
      return;
    }
  call->status = status;
  call->result = gr_api_org_to_json (org);
  gr_org_record_free (org);
}

static void
list_work (GrAdminCall *call)
{
  OrgArgs *args = call->data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  JsonArray *data;
  gint64 total = 0;

  rows = gr_store_list_orgs (call->shared->store, &args->list, &total, &error);
  if (rows == NULL)
    {
      gr_admin_call_set_gerror (call, error);
      return;
    }
  data = json_array_new ();
  for (guint i = 0; i < rows->len; i++)
    json_array_add_element (data, gr_api_org_to_json (g_ptr_array_index (rows, i)));
  call->result = gr_admin_list_json (data, &args->list, total);
}

static void
get_work (GrAdminCall *call)
{
  OrgArgs *args = call->data;
  GError *error = NULL;

  GrOrgRecord *org = gr_store_get_org (call->shared->store, args->id, &error);

  take_org (call, org, error, 200);
}

static void
create_work (GrAdminCall *call)
{
  OrgArgs *args = call->data;
  GError *error = NULL;

  GrOrgRecord *org = gr_store_create_org (call->shared->store, args->name, args->description,
                                          args->status, &args->limits, &error);

  take_org (call, org, error, 201);
}

static void
update_work (GrAdminCall *call)
{
  OrgArgs *args = call->data;
  GrOrgPatch patch = { args->name, args->description, args->status, args->limits_set, args->limits };
  GError *error = NULL;

  GrOrgRecord *org = gr_store_update_org (call->shared->store, args->id, &patch, &error);

  take_org (call, org, error, 200);
  /* Organization status and limits live in the key cache too. */
  call->keys_changed = TRUE;
}

static void
delete_work (GrAdminCall *call)
{
  OrgArgs *args = call->data;
  g_autoptr(GError) error = NULL;

  if (!gr_store_delete_org (call->shared->store, args->id, args->force, &error))
    {
      gr_admin_call_set_gerror (call, error);
      return;
    }
  call->status = 204;
  call->keys_changed = TRUE;
}

static gboolean
read_org_body (GrAdminCall *call,
               OrgArgs     *args,
               gboolean     creating)
{
  JsonObject *obj;
  JsonObject *limits;
  const char *status;

  if (!gr_admin_call_parse_body (call))
    return FALSE;
  obj = json_node_get_object (call->body);
  if (!gr_admin_check_fields (call, obj, org_fields, creating, NULL))
    return FALSE;

  args->name = g_strdup (gr_json_get_string (obj, "name"));
  if (args->name != NULL)
    {
      g_strstrip (args->name);
      if (*args->name == '\0' || g_utf8_strlen (args->name, -1) > NAME_MAX_LENGTH)
        {
          gr_admin_call_fail (call, 400, "invalid_request_error", "invalid_value", "name",
                              "`name` must be 1 to %d characters.", NAME_MAX_LENGTH);
          return FALSE;
        }
    }
  args->description = g_strdup (gr_json_get_string (obj, "description"));
  if (args->description == NULL && json_object_has_member (obj, "description"))
    args->description = g_strdup ("");
  status = gr_json_get_string (obj, "status");
  if (status != NULL && !g_str_equal (status, "active") && !g_str_equal (status, "disabled"))
    {
      gr_admin_call_fail (call, 400, "invalid_request_error", "invalid_value", "status",
                          "`status` must be “active” or “disabled”.");
      return FALSE;
    }
  args->status = g_strdup (status);
  gr_limit_set_init_unlimited (&args->limits);
  limits = gr_json_get_object (obj, "limits");
  if (limits != NULL &&
      !gr_admin_limits_from_json (call, limits, TRUE, &args->limits, &args->limits_set))
    return FALSE;
  if (json_object_has_member (obj, "limits") && limits == NULL)
    args->limits_set = GR_LIMIT_RPM | GR_LIMIT_REQUESTS_PER_DAY |
                       GR_LIMIT_TOKENS_PER_DAY | GR_LIMIT_MONTHLY_BUDGET;
  return TRUE;
}

/* Who may do what; FALSE after setting the error. */
static gboolean
authorize (GrAdminCall *call,
           const char  *org_id,
           gboolean     writing,
           OrgArgs     *args)
{
  if (gr_admin_call_has (call, "admin"))
    return TRUE;
  if (!gr_admin_call_has (call, writing ? "orgs:write" : "orgs:read"))
    {
      gr_admin_call_fail (call, 403, "permission_error", "insufficient_permissions", NULL,
                          "This API key lacks the “%s” permission.", writing ? "orgs:write" : "orgs:read");
      return FALSE;
    }
  /* Another organization is simply not there for this key. */
  if (org_id != NULL && !gr_admin_call_can_see_org (call, org_id))
    {
      gr_admin_call_fail (call, 404, "invalid_request_error", "not_found", NULL,
                          "no organization “%s”", org_id);
      return FALSE;
    }
  if (writing && args != NULL && (args->status != NULL || args->limits_set != 0))
    {
      gr_admin_call_fail (call, 403, "permission_error", "insufficient_permissions", NULL,
                          "Changing an organization's status or limits needs the “admin” permission.");
      return FALSE;
    }
  return TRUE;
}

/* An organization's statistics: admin, or stats:read on one's own. */
static gboolean
authorize_stats (GrAdminCall *call,
                 const char  *org_id)
{
  if (gr_admin_call_has (call, "admin"))
    return TRUE;
  if (!gr_admin_call_has (call, "stats:read"))
    {
      gr_admin_call_fail (call, 403, "permission_error", "insufficient_permissions", NULL,
                          "This API key lacks the “stats:read” permission.");
      return FALSE;
    }
  if (!gr_admin_call_can_see_org (call, org_id))
    {
      gr_admin_call_fail (call, 404, "invalid_request_error", "not_found", NULL,
                          "no organization “%s”", org_id);
      return FALSE;
    }
  return TRUE;
}

static void
require_admin (GrAdminCall *call)
{
  gr_admin_call_fail (call, 403, "permission_error", "insufficient_permissions", NULL,
                      "This needs the “admin” permission.");
}

static void
dispatch_collection (GrAdminCall *call,
                     OrgArgs     *args)
{
  if (g_str_equal (call->method, "GET"))
    {
      static const char * const sorts[] = { "name", "created_at", "status", NULL };

      if (!authorize (call, NULL, FALSE, NULL) || !gr_admin_call_list_query (call, &args->list) ||
          !gr_admin_call_check_sort (call, args->list.sort, sorts))
        return;
      if (!gr_admin_call_has (call, "admin"))
        args->list.org_id = call->key->org_id;
      gr_admin_call_run (call, list_work);
    }
  else if (g_str_equal (call->method, "POST"))
    {
      if (!gr_admin_call_has (call, "admin"))
        require_admin (call);
      else if (read_org_body (call, args, TRUE))
        gr_admin_call_run (call, create_work);
    }
  else
    gr_admin_call_fail (call, 405, "invalid_request_error", "method_not_allowed", NULL,
                        "Use GET or POST on /v1/organizations.");
}

static void
dispatch_item (GrAdminCall *call,
               OrgArgs     *args)
{
  args->id = g_strdup (call->segments[1]);

  if (g_str_equal (call->method, "GET"))
    {
      if (authorize (call, args->id, FALSE, NULL))
        gr_admin_call_run (call, get_work);
    }
  else if (g_str_equal (call->method, "PATCH"))
    {
      if (read_org_body (call, args, FALSE) && authorize (call, args->id, TRUE, args))
        gr_admin_call_run (call, update_work);
    }
  else if (g_str_equal (call->method, "DELETE"))
    {
      const char *force = gr_admin_call_get_query (call, "force");

      args->force = g_strcmp0 (force, "true") == 0 || g_strcmp0 (force, "1") == 0;
      if (!gr_admin_call_has (call, "admin"))
        require_admin (call);
      else
        gr_admin_call_run (call, delete_work);
    }
  else
    gr_admin_call_fail (call, 405, "invalid_request_error", "method_not_allowed", NULL,
                        "Use GET, PATCH or DELETE on an organization.");
}

static void
organizations_cb (SoupServer        *soup,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  GrAdminCall *call = gr_admin_call_new (user_data, msg, path, query);
  guint n;

  if (call == NULL)
    return;
  call->data = g_new0 (OrgArgs, 1);
  call->data_free = (GDestroyNotify) org_args_free;
  n = g_strv_length (call->segments);

  if (n == 1)
    dispatch_collection (call, call->data);
  else if (n == 2 && *call->segments[1] != '\0')
    dispatch_item (call, call->data);
  else if (n == 3 && g_str_equal (call->segments[2], "stats"))
    {
      if (g_str_equal (call->method, "GET") && authorize_stats (call, call->segments[1]))
        gr_api_stats_run (call, call->segments[1], NULL);
      else if (call->error == NULL)
        gr_admin_call_fail (call, 405, "invalid_request_error", "method_not_allowed", NULL, "Use GET.");
    }
  else
    gr_admin_call_fail (call, 404, "invalid_request_error", "unknown_route", NULL, "Unknown route %s.", path);

  gr_admin_call_done (call);
}

void
gr_api_organizations_register (GrServer *server)
{
  gr_server_add_handler (server, "/v1/organizations", organizations_cb);
}
