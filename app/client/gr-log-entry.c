/* gr-log-entry.c — one request of the request log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "gr-client-json-private.h"
#include "gr-item-private.h"
#include "gr-log-entry.h"

struct _GrLogEntry
{
  GObject parent_instance;

  char    *request_id;
  gint64   created_at;
  char    *key_id;
  char    *org_id;
  char    *provider;
  char    *model;
  char    *endpoint;
  int      status;
  gint64   prompt_tokens;
  gint64   completion_tokens;
  gint64   cached_tokens;
  gint64   total_tokens;
  gint64   cost_micros;
  gint64   latency_ms;
  gint64   ttfb_ms;
  gboolean stream;
  gboolean partial;
  char    *error_code;
};

G_DEFINE_FINAL_TYPE (GrLogEntry, gr_log_entry, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_REQUEST_ID,
  PROP_CREATED_AT,
  PROP_KEY_ID,
  PROP_ORG_ID,
  PROP_PROVIDER,
  PROP_MODEL,
  PROP_ENDPOINT,
  PROP_STATUS,
  PROP_PROMPT_TOKENS,
  PROP_COMPLETION_TOKENS,
  PROP_CACHED_TOKENS,
  PROP_TOTAL_TOKENS,
  PROP_COST_MICROS,
  PROP_LATENCY_MS,
  PROP_TTFB_MS,
  PROP_STREAM,
  PROP_PARTIAL,
  PROP_ERROR_CODE,
  N_PROPS
};

#define F(member) GR_ITEM_FIELD (GrLogEntry, member)

static const GrItemField fields[N_PROPS] = {
  [PROP_REQUEST_ID] = { "request-id", GR_ITEM_STRING, F (request_id) },
  [PROP_CREATED_AT] = { "created-at", GR_ITEM_INT64, F (created_at) },
  [PROP_KEY_ID] = { "key-id", GR_ITEM_STRING, F (key_id) },
  [PROP_ORG_ID] = { "org-id", GR_ITEM_STRING, F (org_id) },
  [PROP_PROVIDER] = { "provider", GR_ITEM_STRING, F (provider) },
  [PROP_MODEL] = { "model", GR_ITEM_STRING, F (model) },
  [PROP_ENDPOINT] = { "endpoint", GR_ITEM_STRING, F (endpoint) },
  [PROP_STATUS] = { "status", GR_ITEM_INT, F (status) },
  [PROP_PROMPT_TOKENS] = { "prompt-tokens", GR_ITEM_INT64, F (prompt_tokens) },
  [PROP_COMPLETION_TOKENS] = { "completion-tokens", GR_ITEM_INT64, F (completion_tokens) },
  [PROP_CACHED_TOKENS] = { "cached-tokens", GR_ITEM_INT64, F (cached_tokens) },
  [PROP_TOTAL_TOKENS] = { "total-tokens", GR_ITEM_INT64, F (total_tokens) },
  [PROP_COST_MICROS] = { "cost-micros", GR_ITEM_INT64, F (cost_micros) },
  [PROP_LATENCY_MS] = { "latency-ms", GR_ITEM_INT64, F (latency_ms) },
  [PROP_TTFB_MS] = { "ttfb-ms", GR_ITEM_INT64, F (ttfb_ms), FALSE, -1, -1 },
  [PROP_STREAM] = { "stream", GR_ITEM_BOOL, F (stream) },
  [PROP_PARTIAL] = { "partial", GR_ITEM_BOOL, F (partial) },
  [PROP_ERROR_CODE] = { "error-code", GR_ITEM_STRING, F (error_code) },
};

#undef F

static GParamSpec *properties[N_PROPS];

static void
gr_log_entry_finalize (GObject *object)
{
  gr_item_free_fields (object, fields, N_PROPS);
  G_OBJECT_CLASS (gr_log_entry_parent_class)->finalize (object);
}

static void
gr_log_entry_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  gr_item_get_property (object, fields, prop_id, value);
}

static void
gr_log_entry_class_init (GrLogEntryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gr_log_entry_finalize;
  object_class->get_property = gr_log_entry_get_property;
  gr_item_class_install (object_class, fields, N_PROPS, properties);
}

static void
gr_log_entry_init (GrLogEntry *self)
{
  gr_item_init_defaults (G_OBJECT (self), fields, N_PROPS);
}

/**
 * gr_log_entry_new_from_json:
 * @object: a row of /v1/logs
 *
 * Returns: (transfer full): a new #GrLogEntry
 */
GrLogEntry *
gr_log_entry_new_from_json (JsonObject *object)
{
  GrLogEntry *self;

  g_return_val_if_fail (object != NULL, NULL);

  self = g_object_new (GR_TYPE_LOG_ENTRY, NULL);
  self->request_id = g_strdup (gr_client_json_string (object, "request_id"));
  self->created_at = gr_client_json_time (object, "created_at");
  self->key_id = g_strdup (gr_client_json_string (object, "key_id"));
  self->org_id = g_strdup (gr_client_json_string (object, "org_id"));
  self->provider = g_strdup (gr_client_json_string (object, "provider"));
  self->model = g_strdup (gr_client_json_string (object, "model"));
  self->endpoint = g_strdup (gr_client_json_string (object, "endpoint"));
  self->status = (int) gr_client_json_int (object, "status", 0);
  self->prompt_tokens = gr_client_json_int (object, "prompt_tokens", 0);
  self->completion_tokens = gr_client_json_int (object, "completion_tokens", 0);
  self->cached_tokens = gr_client_json_int (object, "cached_tokens", 0);
  self->total_tokens = gr_client_json_int (object, "total_tokens",
                                           self->prompt_tokens + self->completion_tokens);
  self->cost_micros = gr_client_json_int (object, "cost_micros", 0);
  self->latency_ms = gr_client_json_int (object, "latency_ms", 0);
  self->ttfb_ms = gr_client_json_int (object, "ttfb_ms", -1);
  self->stream = gr_client_json_bool (object, "stream", FALSE);
  self->partial = gr_client_json_bool (object, "partial", FALSE);
  self->error_code = g_strdup (gr_client_json_string (object, "error_code"));
  return self;
}

#define GETTER(type, prop, fallback) \
  type gr_log_entry_get_##prop (GrLogEntry *self) \
  { g_return_val_if_fail (GR_IS_LOG_ENTRY (self), fallback); return self->prop; }

GETTER (const char *, request_id, NULL)
GETTER (gint64, created_at, 0)
GETTER (const char *, key_id, NULL)
GETTER (const char *, org_id, NULL)
GETTER (const char *, provider, NULL)
GETTER (const char *, model, NULL)
GETTER (const char *, endpoint, NULL)
GETTER (int, status, 0)
GETTER (gint64, prompt_tokens, 0)
GETTER (gint64, completion_tokens, 0)
GETTER (gint64, cached_tokens, 0)
GETTER (gint64, total_tokens, 0)
GETTER (gint64, cost_micros, 0)
GETTER (gint64, latency_ms, 0)
GETTER (gint64, ttfb_ms, -1)
GETTER (gboolean, stream, FALSE)
GETTER (gboolean, partial, FALSE)
GETTER (const char *, error_code, NULL)
