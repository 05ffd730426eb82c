/* gr-provider-item.c — an upstream provider as the admin API shows it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "gr-client-json-private.h"
#include "gr-item-private.h"
#include "gr-provider-item.h"

struct _GrProviderItem
{
  GObject parent_instance;

  char    *name;
  char    *kind;
  char    *base_url;
  gboolean has_api_key;
  char    *api_key_env;
  char    *proxy;
  char    *http_referer;
  char    *x_title;
  gint64   connect_timeout_ms;
  gint64   first_byte_timeout_ms;
  gint64   idle_timeout_ms;
  gboolean enabled;
  char    *state;
  gint64   cooldown_until;
  char    *source;
  char    *masked_api_key;
  gint64   recent_failures;
};

G_DEFINE_FINAL_TYPE (GrProviderItem, gr_provider_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_KIND,
  PROP_BASE_URL,
  PROP_HAS_API_KEY,
  PROP_API_KEY_ENV,
  PROP_PROXY,
  PROP_HTTP_REFERER,
  PROP_X_TITLE,
  PROP_CONNECT_TIMEOUT_MS,
  PROP_FIRST_BYTE_TIMEOUT_MS,
  PROP_IDLE_TIMEOUT_MS,
  PROP_ENABLED,
  PROP_STATE,
  PROP_COOLDOWN_UNTIL,
  PROP_SOURCE,
  PROP_MASKED_API_KEY,
  PROP_RECENT_FAILURES,
  N_PROPS
};

#define F(member) GR_ITEM_FIELD (GrProviderItem, member)

static const GrItemField fields[N_PROPS] = {
  [PROP_NAME] = { "name", GR_ITEM_STRING, F (name), TRUE },
  [PROP_KIND] = { "kind", GR_ITEM_STRING, F (kind), TRUE },
  [PROP_BASE_URL] = { "base-url", GR_ITEM_STRING, F (base_url), TRUE },
  [PROP_HAS_API_KEY] = { "has-api-key", GR_ITEM_BOOL, F (has_api_key), FALSE },
  [PROP_API_KEY_ENV] = { "api-key-env", GR_ITEM_STRING, F (api_key_env), TRUE },
  [PROP_PROXY] = { "proxy", GR_ITEM_STRING, F (proxy), TRUE },
  [PROP_HTTP_REFERER] = { "http-referer", GR_ITEM_STRING, F (http_referer), TRUE },
  [PROP_X_TITLE] = { "x-title", GR_ITEM_STRING, F (x_title), TRUE },
  [PROP_CONNECT_TIMEOUT_MS] = { "connect-timeout-ms", GR_ITEM_INT64, F (connect_timeout_ms), TRUE },
  [PROP_FIRST_BYTE_TIMEOUT_MS] = { "first-byte-timeout-ms", GR_ITEM_INT64, F (first_byte_timeout_ms), TRUE },
  [PROP_IDLE_TIMEOUT_MS] = { "idle-timeout-ms", GR_ITEM_INT64, F (idle_timeout_ms), TRUE },
  [PROP_ENABLED] = { "enabled", GR_ITEM_BOOL, F (enabled), TRUE, 0, TRUE },
  [PROP_STATE] = { "state", GR_ITEM_STRING, F (state), FALSE },
  [PROP_COOLDOWN_UNTIL] = { "cooldown-until", GR_ITEM_INT64, F (cooldown_until), FALSE },
  [PROP_SOURCE] = { "source", GR_ITEM_STRING, F (source), FALSE },
  [PROP_MASKED_API_KEY] = { "masked-api-key", GR_ITEM_STRING, F (masked_api_key), FALSE },
  [PROP_RECENT_FAILURES] = { "recent-failures", GR_ITEM_INT64, F (recent_failures), FALSE },
};

#undef F

static GParamSpec *properties[N_PROPS];

static void
gr_provider_item_finalize (GObject *object)
{
  gr_item_free_fields (object, fields, N_PROPS);
  G_OBJECT_CLASS (gr_provider_item_parent_class)->finalize (object);
}

static void
gr_provider_item_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  gr_item_get_property (object, fields, prop_id, value);
}

static void
gr_provider_item_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  gr_item_set_property (object, fields, prop_id, value, pspec);
}

static void
gr_provider_item_class_init (GrProviderItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gr_provider_item_finalize;
  object_class->get_property = gr_provider_item_get_property;
  object_class->set_property = gr_provider_item_set_property;
  gr_item_class_install (object_class, fields, N_PROPS, properties);
}

static void
gr_provider_item_init (GrProviderItem *self)
{
  gr_item_init_defaults (G_OBJECT (self), fields, N_PROPS);
  self->kind = g_strdup ("openai-compatible");
}

GrProviderItem *
gr_provider_item_new (void)
{
  return g_object_new (GR_TYPE_PROVIDER_ITEM, NULL);
}

/* The API gives timeouts in seconds; the items keep milliseconds. */
static gint64
read_timeout_ms (JsonObject *object,
                 const char *name)
{
  return MAX (gr_client_json_int (object, name, 0), 0) * 1000;
}

/**
 * gr_provider_item_new_from_json:
 * @object: a provider of /v1/providers
 *
 * Returns: (transfer full): a new #GrProviderItem
 */
GrProviderItem *
gr_provider_item_new_from_json (JsonObject *object)
{
  GrProviderItem *self;
  JsonObject *health;
  gboolean cooling;
  gint64 remaining_ms;

  g_return_val_if_fail (object != NULL, NULL);

  self = gr_provider_item_new ();
  self->name = g_strdup (gr_client_json_string (object, "name"));
  gr_client_set_string (&self->kind, gr_client_json_string (object, "kind"));
  self->base_url = g_strdup (gr_client_json_string (object, "base_url"));
  self->has_api_key = gr_client_json_bool (object, "has_api_key", FALSE);
  self->api_key_env = g_strdup (gr_client_json_string (object, "api_key_env"));
  self->proxy = g_strdup (gr_client_json_string (object, "proxy"));
  self->http_referer = g_strdup (gr_client_json_string (object, "http_referer"));
  self->x_title = g_strdup (gr_client_json_string (object, "x_title"));
  self->connect_timeout_ms = read_timeout_ms (object, "connect_timeout_seconds");
  self->first_byte_timeout_ms = read_timeout_ms (object, "first_byte_timeout_seconds");
  self->idle_timeout_ms = read_timeout_ms (object, "idle_timeout_seconds");
  self->enabled = gr_client_json_bool (object, "enabled", TRUE);
  health = gr_client_json_object (object, "health");
  cooling = gr_client_json_bool (health, "cooling_down", FALSE);
  self->state = g_strdup (cooling ? "cooling-down" : "ok");
  remaining_ms = gr_client_json_int (health, "cooldown_remaining_ms", 0);
  if (cooling && remaining_ms > 0)
    self->cooldown_until = g_get_real_time () / 1000 + remaining_ms;
  self->recent_failures = gr_client_json_int (health, "recent_failures", 0);
  self->source = g_strdup (gr_client_json_string (object, "source"));
  self->masked_api_key = g_strdup (gr_client_json_string (object, "api_key"));
  return self;
}

/**
 * gr_provider_item_copy:
 *
 * Returns: (transfer full): a new object with the same values
 */
GrProviderItem *
gr_provider_item_copy (GrProviderItem *self)
{
  GrProviderItem *copy;

  g_return_val_if_fail (GR_IS_PROVIDER_ITEM (self), NULL);

  copy = gr_provider_item_new ();
  gr_item_copy_fields (G_OBJECT (copy), G_OBJECT (self), fields, N_PROPS);
  return copy;
}

#define GETTER(type, prop, fallback) \
  type gr_provider_item_get_##prop (GrProviderItem *self) \
  { g_return_val_if_fail (GR_IS_PROVIDER_ITEM (self), fallback); return self->prop; }
#define STRING_SETTER(prop, PROP) \
  void gr_provider_item_set_##prop (GrProviderItem *self, const char *value) \
  { g_return_if_fail (GR_IS_PROVIDER_ITEM (self)); \
    gr_item_set_string (G_OBJECT (self), &self->prop, value, properties[PROP]); }
#define INT64_SETTER(prop, PROP) \
  void gr_provider_item_set_##prop (GrProviderItem *self, gint64 value) \
  { g_return_if_fail (GR_IS_PROVIDER_ITEM (self)); g_return_if_fail (value >= 0); \
    gr_item_set_int64 (G_OBJECT (self), &self->prop, value, properties[PROP]); }

GETTER (const char *, name, NULL)
GETTER (const char *, kind, NULL)
GETTER (const char *, base_url, NULL)
GETTER (gboolean, has_api_key, FALSE)
GETTER (const char *, api_key_env, NULL)
GETTER (const char *, proxy, NULL)
GETTER (const char *, http_referer, NULL)
GETTER (const char *, x_title, NULL)
GETTER (gint64, connect_timeout_ms, 0)
GETTER (gint64, first_byte_timeout_ms, 0)
GETTER (gint64, idle_timeout_ms, 0)
GETTER (gboolean, enabled, FALSE)
GETTER (const char *, state, NULL)
GETTER (gint64, cooldown_until, 0)
GETTER (const char *, source, NULL)
GETTER (const char *, masked_api_key, NULL)
GETTER (gint64, recent_failures, 0)

STRING_SETTER (name, PROP_NAME)
STRING_SETTER (kind, PROP_KIND)
STRING_SETTER (base_url, PROP_BASE_URL)
STRING_SETTER (api_key_env, PROP_API_KEY_ENV)
STRING_SETTER (proxy, PROP_PROXY)
STRING_SETTER (http_referer, PROP_HTTP_REFERER)
STRING_SETTER (x_title, PROP_X_TITLE)
INT64_SETTER (connect_timeout_ms, PROP_CONNECT_TIMEOUT_MS)
INT64_SETTER (first_byte_timeout_ms, PROP_FIRST_BYTE_TIMEOUT_MS)
INT64_SETTER (idle_timeout_ms, PROP_IDLE_TIMEOUT_MS)

void
gr_provider_item_set_enabled (GrProviderItem *self,
                              gboolean        enabled)
{
  g_return_if_fail (GR_IS_PROVIDER_ITEM (self));

  gr_item_set_bool (G_OBJECT (self), &self->enabled, enabled, properties[PROP_ENABLED]);
}
