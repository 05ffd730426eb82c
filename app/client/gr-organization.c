/* gr-organization.c — an organization, as the admin API describes it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "gr-client-json-private.h"
#include "gr-item-private.h"
#include "gr-organization.h"

struct _GrOrganization
{
  GObject parent_instance;

  char   *id;
  char   *name;
  char   *description;
  char   *status;
  gint64  rpm;
  gint64  requests_per_day;
  gint64  tokens_per_day;
  gint64  monthly_budget_micros;
  gint64  key_count;
  gint64  created_at;
  gint64  updated_at;
};

G_DEFINE_FINAL_TYPE (GrOrganization, gr_organization, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_DESCRIPTION,
  PROP_STATUS,
  PROP_RPM,
  PROP_REQUESTS_PER_DAY,
  PROP_TOKENS_PER_DAY,
  PROP_MONTHLY_BUDGET_MICROS,
  PROP_KEY_COUNT,
  PROP_CREATED_AT,
  PROP_UPDATED_AT,
  N_PROPS
};

#define F(member) GR_ITEM_FIELD (GrOrganization, member)

static const GrItemField fields[N_PROPS] = {
  [PROP_ID] = { "id", GR_ITEM_STRING, F (id), FALSE },
  [PROP_NAME] = { "name", GR_ITEM_STRING, F (name), TRUE },
  [PROP_DESCRIPTION] = { "description", GR_ITEM_STRING, F (description), TRUE },
  [PROP_STATUS] = { "status", GR_ITEM_STRING, F (status), TRUE },
  [PROP_RPM] = { "rpm", GR_ITEM_INT64, F (rpm), TRUE, -1, -1 },
  [PROP_REQUESTS_PER_DAY] = { "requests-per-day", GR_ITEM_INT64, F (requests_per_day), TRUE, -1, -1 },
  [PROP_TOKENS_PER_DAY] = { "tokens-per-day", GR_ITEM_INT64, F (tokens_per_day), TRUE, -1, -1 },
  [PROP_MONTHLY_BUDGET_MICROS] = { "monthly-budget-micros", GR_ITEM_INT64, F (monthly_budget_micros), TRUE, -1, -1 },
  [PROP_KEY_COUNT] = { "key-count", GR_ITEM_INT64, F (key_count), FALSE, 0, 0 },
  [PROP_CREATED_AT] = { "created-at", GR_ITEM_INT64, F (created_at), FALSE, 0, 0 },
  [PROP_UPDATED_AT] = { "updated-at", GR_ITEM_INT64, F (updated_at), FALSE, 0, 0 },
};

#undef F

static GParamSpec *properties[N_PROPS];

static void
gr_organization_finalize (GObject *object)
{
  gr_item_free_fields (object, fields, N_PROPS);
  G_OBJECT_CLASS (gr_organization_parent_class)->finalize (object);
}

static void
gr_organization_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  gr_item_get_property (object, fields, prop_id, value);
}

static void
gr_organization_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  gr_item_set_property (object, fields, prop_id, value, pspec);
}

static void
gr_organization_class_init (GrOrganizationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gr_organization_finalize;
  object_class->get_property = gr_organization_get_property;
  object_class->set_property = gr_organization_set_property;
  gr_item_class_install (object_class, fields, N_PROPS, properties);
}

static void
gr_organization_init (GrOrganization *self)
{
  gr_item_init_defaults (G_OBJECT (self), fields, N_PROPS);
  self->status = g_strdup ("active");
  self->description = g_strdup ("");
}

GrOrganization *
gr_organization_new (void)
{
  return g_object_new (GR_TYPE_ORGANIZATION, NULL);
}

/**
 * gr_organization_new_from_json:
 * @object: an organization of the admin API
 *
 * Returns: (transfer full): a new #GrOrganization
 */
GrOrganization *
gr_organization_new_from_json (JsonObject *object)
{
  GrOrganization *self;
  JsonObject *limits;

  g_return_val_if_fail (object != NULL, NULL);

  self = gr_organization_new ();
  limits = gr_client_json_object (object, "limits");
  gr_client_set_string (&self->id, gr_client_json_string (object, "id"));
  gr_client_set_string (&self->name, gr_client_json_string (object, "name"));
  gr_client_set_string (&self->description, gr_client_json_text (object, "description"));
  gr_client_set_string (&self->status, gr_client_json_string (object, "status"));
  self->rpm = gr_client_json_int (limits, "rpm", -1);
  self->requests_per_day = gr_client_json_int (limits, "requests_per_day", -1);
  self->tokens_per_day = gr_client_json_int (limits, "tokens_per_day", -1);
  self->monthly_budget_micros = gr_client_json_int (limits, "monthly_budget_micros", -1);
  self->key_count = gr_client_json_int (object, "key_count", 0);
  self->created_at = gr_client_json_time (object, "created_at");
  self->updated_at = gr_client_json_time (object, "updated_at");
  return self;
}

/**
 * gr_organization_copy:
 *
 * Returns: (transfer full): a new object with the same values
 */
GrOrganization *
gr_organization_copy (GrOrganization *self)
{
  GrOrganization *copy;

  g_return_val_if_fail (GR_IS_ORGANIZATION (self), NULL);

  copy = gr_organization_new ();
  gr_item_copy_fields (G_OBJECT (copy), G_OBJECT (self), fields, N_PROPS);
  return copy;
}

#define STRING_GETTER(prop) \
  const char * gr_organization_get_##prop (GrOrganization *self) \
  { g_return_val_if_fail (GR_IS_ORGANIZATION (self), NULL); return self->prop; }
#define INT64_GETTER(prop) \
  gint64 gr_organization_get_##prop (GrOrganization *self) \
  { g_return_val_if_fail (GR_IS_ORGANIZATION (self), 0); return self->prop; }
#define STRING_SETTER(prop, PROP) \
  void gr_organization_set_##prop (GrOrganization *self, const char *value) \
  { g_return_if_fail (GR_IS_ORGANIZATION (self)); \
    gr_item_set_string (G_OBJECT (self), &self->prop, value, properties[PROP]); }
#define INT64_SETTER(prop, PROP) \
  void gr_organization_set_##prop (GrOrganization *self, gint64 value) \
  { g_return_if_fail (GR_IS_ORGANIZATION (self)); g_return_if_fail (value >= -1); \
    gr_item_set_int64 (G_OBJECT (self), &self->prop, value, properties[PROP]); }

STRING_GETTER (id)
STRING_GETTER (name)
STRING_GETTER (description)
STRING_GETTER (status)
INT64_GETTER (rpm)
INT64_GETTER (requests_per_day)
INT64_GETTER (tokens_per_day)
INT64_GETTER (monthly_budget_micros)
INT64_GETTER (key_count)
INT64_GETTER (created_at)
INT64_GETTER (updated_at)

STRING_SETTER (name, PROP_NAME)
STRING_SETTER (description, PROP_DESCRIPTION)
STRING_SETTER (status, PROP_STATUS)
INT64_SETTER (rpm, PROP_RPM)
INT64_SETTER (requests_per_day, PROP_REQUESTS_PER_DAY)
INT64_SETTER (tokens_per_day, PROP_TOKENS_PER_DAY)
INT64_SETTER (monthly_budget_micros, PROP_MONTHLY_BUDGET_MICROS)
