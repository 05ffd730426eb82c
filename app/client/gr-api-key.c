/* gr-api-key.c — a gateway API key (never its secret)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "gr-api-key.h"
#include "gr-client-json-private.h"
#include "gr-item-private.h"

struct _GrApiKey
{
  GObject parent_instance;

  char   *id;
  char   *org_id;
  char   *name;
  char   *prefix;
  char  **permissions;
  char  **allowed_models;
  gint64  expires_at;
  char   *status;
  gint64  rpm;
  gint64  tokens_per_day;
  gint64  monthly_budget_micros;
  gint64  last_used_at;
  gint64  created_at;
  gint64  updated_at;
};

G_DEFINE_FINAL_TYPE (GrApiKey, gr_api_key, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_ORG_ID,
  PROP_NAME,
  PROP_PREFIX,
  PROP_PERMISSIONS,
  PROP_ALLOWED_MODELS,
  PROP_EXPIRES_AT,
  PROP_STATUS,
  PROP_RPM,
  PROP_TOKENS_PER_DAY,
  PROP_MONTHLY_BUDGET_MICROS,
  PROP_LAST_USED_AT,
  PROP_CREATED_AT,
  PROP_UPDATED_AT,
  N_PROPS
};

#define F(member) GR_ITEM_FIELD (GrApiKey, member)

static const GrItemField fields[N_PROPS] = {
  [PROP_ID] = { "id", GR_ITEM_STRING, F (id), FALSE },
  [PROP_ORG_ID] = { "org-id", GR_ITEM_STRING, F (org_id), TRUE },
  [PROP_NAME] = { "name", GR_ITEM_STRING, F (name), TRUE },
  [PROP_PREFIX] = { "prefix", GR_ITEM_STRING, F (prefix), FALSE },
  [PROP_PERMISSIONS] = { "permissions", GR_ITEM_STRV, F (permissions), TRUE },
  [PROP_ALLOWED_MODELS] = { "allowed-models", GR_ITEM_STRV, F (allowed_models), TRUE },
  [PROP_EXPIRES_AT] = { "expires-at", GR_ITEM_INT64, F (expires_at), TRUE, 0, 0 },
  [PROP_STATUS] = { "status", GR_ITEM_STRING, F (status), TRUE },
  [PROP_RPM] = { "rpm", GR_ITEM_INT64, F (rpm), TRUE, -1, -1 },
  [PROP_TOKENS_PER_DAY] = { "tokens-per-day", GR_ITEM_INT64, F (tokens_per_day), TRUE, -1, -1 },
  [PROP_MONTHLY_BUDGET_MICROS] = { "monthly-budget-micros", GR_ITEM_INT64, F (monthly_budget_micros), TRUE, -1, -1 },
  [PROP_LAST_USED_AT] = { "last-used-at", GR_ITEM_INT64, F (last_used_at), FALSE, 0, 0 },
  [PROP_CREATED_AT] = { "created-at", GR_ITEM_INT64, F (created_at), FALSE, 0, 0 },
  [PROP_UPDATED_AT] = { "updated-at", GR_ITEM_INT64, F (updated_at), FALSE, 0, 0 },
};

#undef F

static GParamSpec *properties[N_PROPS];

static void
gr_api_key_finalize (GObject *object)
{
  gr_item_free_fields (object, fields, N_PROPS);
  G_OBJECT_CLASS (gr_api_key_parent_class)->finalize (object);
}

static void
gr_api_key_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  gr_item_get_property (object, fields, prop_id, value);
}

static void
gr_api_key_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  gr_item_set_property (object, fields, prop_id, value, pspec);
}

static void
gr_api_key_class_init (GrApiKeyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gr_api_key_finalize;
  object_class->get_property = gr_api_key_get_property;
  object_class->set_property = gr_api_key_set_property;
  gr_item_class_install (object_class, fields, N_PROPS, properties);
}

static void
gr_api_key_init (GrApiKey *self)
{
  static const char * const default_permissions[] = { "chat", "models:read", NULL };

  gr_item_init_defaults (G_OBJECT (self), fields, N_PROPS);
  gr_client_set_strv (&self->permissions, default_permissions);
  self->status = g_strdup ("active");
}

GrApiKey *
gr_api_key_new (void)
{
  return g_object_new (GR_TYPE_API_KEY, NULL);
}

/**
 * gr_api_key_new_from_json:
 * @object: an API key of the admin API
 *
 * The "key" member (the secret, in create and rotate answers) is not
 * kept here; #GrAdminClient hands it out separately.
 *
 * Returns: (transfer full): a new #GrApiKey
 */
GrApiKey *
gr_api_key_new_from_json (JsonObject *object)
{
  GrApiKey *self;
  JsonObject *limits;

  g_return_val_if_fail (object != NULL, NULL);

  self = gr_api_key_new ();
  limits = gr_client_json_object (object, "limits");
  gr_client_set_string (&self->id, gr_client_json_string (object, "id"));
  gr_client_set_string (&self->org_id, gr_client_json_string (object, "org_id"));
  gr_client_set_string (&self->name, gr_client_json_string (object, "name"));
  gr_client_set_string (&self->prefix, gr_client_json_string (object, "prefix"));
  g_strfreev (self->permissions);
  self->permissions = gr_client_json_strv (object, "permissions");
  g_strfreev (self->allowed_models);
  self->allowed_models = gr_client_json_strv (object, "allowed_models");
  self->expires_at = gr_client_json_time (object, "expires_at");
  gr_client_set_string (&self->status, gr_client_json_string (object, "status"));
  self->rpm = gr_client_json_int (limits, "rpm", -1);
  self->tokens_per_day = gr_client_json_int (limits, "tokens_per_day", -1);
  self->monthly_budget_micros = gr_client_json_int (limits, "monthly_budget_micros", -1);
  self->last_used_at = gr_client_json_time (object, "last_used_at");
  self->created_at = gr_client_json_time (object, "created_at");
  self->updated_at = gr_client_json_time (object, "updated_at");
  return self;
}

/**
 * gr_api_key_copy:
 *
 * Returns: (transfer full): a new object with the same values
 */
GrApiKey *
gr_api_key_copy (GrApiKey *self)
{
  GrApiKey *copy;

  g_return_val_if_fail (GR_IS_API_KEY (self), NULL);

  copy = gr_api_key_new ();
  gr_item_copy_fields (G_OBJECT (copy), G_OBJECT (self), fields, N_PROPS);
  return copy;
}

gboolean
gr_api_key_has_permission (GrApiKey   *self,
                           const char *scope)
{
  g_return_val_if_fail (GR_IS_API_KEY (self), FALSE);
  g_return_val_if_fail (scope != NULL, FALSE);

  return g_strv_contains ((const char * const *) self->permissions, scope);
}

#define STRING_GETTER(prop) \
  const char * gr_api_key_get_##prop (GrApiKey *self) \
  { g_return_val_if_fail (GR_IS_API_KEY (self), NULL); return self->prop; }
#define STRV_GETTER(prop) \
  const char * const * gr_api_key_get_##prop (GrApiKey *self) \
  { g_return_val_if_fail (GR_IS_API_KEY (self), NULL); return (const char * const *) self->prop; }
#define INT64_GETTER(prop) \
  gint64 gr_api_key_get_##prop (GrApiKey *self) \
  { g_return_val_if_fail (GR_IS_API_KEY (self), 0); return self->prop; }
#define STRING_SETTER(prop, PROP) \
  void gr_api_key_set_##prop (GrApiKey *self, const char *value) \
  { g_return_if_fail (GR_IS_API_KEY (self)); \
    gr_item_set_string (G_OBJECT (self), &self->prop, value, properties[PROP]); }
#define STRV_SETTER(prop, PROP) \
  void gr_api_key_set_##prop (GrApiKey *self, const char * const *value) \
  { g_return_if_fail (GR_IS_API_KEY (self)); \
    gr_item_set_strv (G_OBJECT (self), &self->prop, value, properties[PROP]); }
#define INT64_SETTER(prop, PROP, min) \
  void gr_api_key_set_##prop (GrApiKey *self, gint64 value) \
  { g_return_if_fail (GR_IS_API_KEY (self)); g_return_if_fail (value >= min); \
    gr_item_set_int64 (G_OBJECT (self), &self->prop, value, properties[PROP]); }

STRING_GETTER (id)
STRING_GETTER (org_id)
STRING_GETTER (name)
STRING_GETTER (prefix)
STRV_GETTER (permissions)
STRV_GETTER (allowed_models)
INT64_GETTER (expires_at)
STRING_GETTER (status)
INT64_GETTER (rpm)
INT64_GETTER (tokens_per_day)
INT64_GETTER (monthly_budget_micros)
INT64_GETTER (last_used_at)
INT64_GETTER (created_at)
INT64_GETTER (updated_at)

STRING_SETTER (org_id, PROP_ORG_ID)
STRING_SETTER (name, PROP_NAME)
STRV_SETTER (permissions, PROP_PERMISSIONS)
STRV_SETTER (allowed_models, PROP_ALLOWED_MODELS)
INT64_SETTER (expires_at, PROP_EXPIRES_AT, 0)
STRING_SETTER (status, PROP_STATUS)
INT64_SETTER (rpm, PROP_RPM, -1)
INT64_SETTER (tokens_per_day, PROP_TOKENS_PER_DAY, -1)
INT64_SETTER (monthly_budget_micros, PROP_MONTHLY_BUDGET_MICROS, -1)
