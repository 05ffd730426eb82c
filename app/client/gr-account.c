/* gr-account.c — who the client is logged in as (/v1/me)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "gr-account.h"
#include "gr-client-json-private.h"
#include "gr-item-private.h"

struct _GrAccount
{
  GObject          parent_instance;

  GrApiKey        *key;
  gboolean         is_admin;
  gint64           org_rpm;
  gint64           org_requests_per_day;
  gint64           org_tokens_per_day;
  gint64           org_monthly_budget_micros;
  GrStatsOverview *usage;
  gint64           remaining_tokens_today;
  gint64           remaining_monthly_budget_micros;
};

G_DEFINE_FINAL_TYPE (GrAccount, gr_account, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KEY,
  PROP_IS_ADMIN,
  PROP_ORG_RPM,
  PROP_ORG_REQUESTS_PER_DAY,
  PROP_ORG_TOKENS_PER_DAY,
  PROP_ORG_MONTHLY_BUDGET_MICROS,
  PROP_USAGE,
  PROP_REMAINING_TOKENS_TODAY,
  PROP_REMAINING_MONTHLY_BUDGET_MICROS,
  N_PROPS
};

#define F(member) GR_ITEM_FIELD (GrAccount, member)

static const GrItemField fields[N_PROPS] = {
  [PROP_KEY] = { "key", GR_ITEM_OBJECT, F (key), FALSE, 0, 0, G_TYPE_OBJECT },
  [PROP_IS_ADMIN] = { "is-admin", GR_ITEM_BOOL, F (is_admin) },
  [PROP_ORG_RPM] = { "org-rpm", GR_ITEM_INT64, F (org_rpm), FALSE, -1, -1 },
  [PROP_ORG_REQUESTS_PER_DAY] = { "org-requests-per-day", GR_ITEM_INT64, F (org_requests_per_day), FALSE, -1, -1 },
  [PROP_ORG_TOKENS_PER_DAY] = { "org-tokens-per-day", GR_ITEM_INT64, F (org_tokens_per_day), FALSE, -1, -1 },
  [PROP_ORG_MONTHLY_BUDGET_MICROS] = { "org-monthly-budget-micros", GR_ITEM_INT64, F (org_monthly_budget_micros), FALSE, -1, -1 },
  [PROP_USAGE] = { "usage", GR_ITEM_OBJECT, F (usage), FALSE, 0, 0, G_TYPE_OBJECT },
  [PROP_REMAINING_TOKENS_TODAY] = { "remaining-tokens-today", GR_ITEM_INT64, F (remaining_tokens_today), FALSE, -1, -1 },
  [PROP_REMAINING_MONTHLY_BUDGET_MICROS] = { "remaining-monthly-budget-micros", GR_ITEM_INT64, F (remaining_monthly_budget_micros), FALSE, -1, -1 },
};

#undef F

static GParamSpec *properties[N_PROPS];

static void
gr_account_finalize (GObject *object)
{
  gr_item_free_fields (object, fields, N_PROPS);
  G_OBJECT_CLASS (gr_account_parent_class)->finalize (object);
}

static void
gr_account_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  gr_item_get_property (object, fields, prop_id, value);
}

static void
gr_account_class_init (GrAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GrItemField typed[N_PROPS];

  memcpy (typed, fields, sizeof typed);
  typed[PROP_KEY].object_type = GR_TYPE_API_KEY;
  typed[PROP_USAGE].object_type = GR_TYPE_STATS_OVERVIEW;

  object_class->finalize = gr_account_finalize;
  object_class->get_property = gr_account_get_property;
  gr_item_class_install (object_class, typed, N_PROPS, properties);
}

static void
gr_account_init (GrAccount *self)
{
  gr_item_init_defaults (G_OBJECT (self), fields, N_PROPS);
}

/**
 * gr_account_new_from_json:
 * @object: a /v1/me answer
 *
 * Returns: (transfer full): a new #GrAccount
 */
GrAccount *
gr_account_new_from_json (JsonObject *object)
{
  GrAccount *self;
  JsonObject *key;
  JsonObject *limits;
  JsonObject *usage;
  JsonObject *remaining;

  g_return_val_if_fail (object != NULL, NULL);

  self = g_object_new (GR_TYPE_ACCOUNT, NULL);
  key = gr_client_json_object (object, "key");
  limits = gr_client_json_object (object, "organization_limits");
  usage = gr_client_json_object (object, "usage");
  remaining = gr_client_json_object (object, "remaining");
  if (key != NULL)
    self->key = gr_api_key_new_from_json (key);
  /* The internal token of the desktop app has no row and is admin. */
  self->is_admin = self->key == NULL || gr_api_key_has_permission (self->key, "admin");
  self->org_rpm = gr_client_json_int (limits, "rpm", -1);
  self->org_requests_per_day = gr_client_json_int (limits, "requests_per_day", -1);
  self->org_tokens_per_day = gr_client_json_int (limits, "tokens_per_day", -1);
  self->org_monthly_budget_micros = gr_client_json_int (limits, "monthly_budget_micros", -1);
  if (usage != NULL)
    self->usage = gr_stats_overview_new_from_json (usage);
  self->remaining_tokens_today = gr_client_json_int (remaining, "tokens_today", -1);
  self->remaining_monthly_budget_micros = gr_client_json_int (remaining, "monthly_budget_micros", -1);
  return self;
}

/**
 * gr_account_get_key:
 *
 * Returns: (transfer none) (nullable): the key, NULL for the internal token
 */
GrApiKey *
gr_account_get_key (GrAccount *self)
{
  g_return_val_if_fail (GR_IS_ACCOUNT (self), NULL);

  return self->key;
}

/**
 * gr_account_get_usage:
 *
 * Returns: (transfer none) (nullable): the key's usage
 */
GrStatsOverview *
gr_account_get_usage (GrAccount *self)
{
  g_return_val_if_fail (GR_IS_ACCOUNT (self), NULL);

  return self->usage;
}

#define GETTER(type, prop, fallback) \
  type gr_account_get_##prop (GrAccount *self) \
  { g_return_val_if_fail (GR_IS_ACCOUNT (self), fallback); return self->prop; }

GETTER (gboolean, is_admin, FALSE)
GETTER (gint64, org_rpm, -1)
GETTER (gint64, org_requests_per_day, -1)
GETTER (gint64, org_tokens_per_day, -1)
GETTER (gint64, org_monthly_budget_micros, -1)
GETTER (gint64, remaining_tokens_today, -1)
GETTER (gint64, remaining_monthly_budget_micros, -1)
