/* gr-provider.h — provider translators: pure functions over JSON, no I/O
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every provider kind turns an OpenAI chat request into the upstream HTTP
 * request, and the upstream answer (whole, or SSE event by SSE event) back
 * into OpenAI format.  The gateway does the I/O; these functions only look
 * at JSON, which is what makes them testable from fixtures.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "core/gr-error.h"
#include "core/gr-json.h"
#include "providers/gr-usage.h"

G_BEGIN_DECLS

typedef enum
{
  GR_PROVIDER_KIND_OPENAI,
  GR_PROVIDER_KIND_OPENROUTER,
  GR_PROVIDER_KIND_OPENAI_COMPATIBLE,
  GR_PROVIDER_KIND_ANTHROPIC,
  GR_PROVIDER_KIND_GEMINI,
} GrProviderKind;

const char *gr_provider_kind_to_string   (GrProviderKind kind);
gboolean    gr_provider_kind_from_string (const char     *str,
                                          GrProviderKind *kind);

/* What translators need to know about a provider (no secrets beyond the
 * credential they must put in a header). */
typedef struct
{
  char          *name;      /* route prefix: "openai", "anthropic", "ollama" */
  GrProviderKind kind;
  char          *base_url;  /* as the provider's SDK takes it, no trailing '/' */
  char          *api_key;   /* nullable */
  char          *http_referer; /* OpenRouter attribution, nullable */
  char          *x_title;      /* OpenRouter attribution, nullable */
} GrProviderInfo;

/* What goes on the wire to the upstream. */
typedef struct
{
  char      *url;
  GPtrArray *headers;  /* of "Name: value" strings */
  GBytes    *body;
} GrUpstreamRequest;

GrUpstreamRequest *gr_upstream_request_new  (void);
void               gr_upstream_request_free (GrUpstreamRequest *request);
void               gr_upstream_request_add_header (GrUpstreamRequest *request,
                                                   const char        *name,
                                                   const char        *value);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GrUpstreamRequest, gr_upstream_request_free)

/* Per-request facts the translators use. */
typedef struct
{
  const char *client_model;       /* model string the client sent, echoed back */
  const char *upstream_model;     /* model name for the upstream (prefix stripped) */
  gboolean    stream;
  gboolean    include_usage;      /* the client asked for the final usage chunk */
  gint64      default_max_tokens; /* registry max output tokens, 0 = unknown */
} GrTranslateContext;

/* Stream translation state of one request (opaque, per kind). */
typedef struct _GrStreamState GrStreamState;

typedef struct
{
  GrProviderKind kind;

  /* OpenAI chat request → upstream request.  On a request the upstream
   * cannot honour, returns NULL and sets *error (status 400). */
  GrUpstreamRequest *(*build_request) (const GrProviderInfo     *provider,
                                       JsonObject               *request,
                                       const GrTranslateContext *ctx,
                                       GrApiError              **error);

  /* Upstream 2xx body → OpenAI chat.completion JSON.  Fills usage.  On a
   * body that is not a valid answer, returns NULL and sets *error (502). */
  JsonNode *(*translate_response) (const GrProviderInfo     *provider,
                                   JsonNode                 *body,
                                   const GrTranslateContext *ctx,
                                   GrUsage                  *usage,
                                   GrApiError              **error);

  /* Upstream non-2xx answer → gateway error (wire-formats 7.6). */
  GrApiError *(*map_error) (const GrProviderInfo *provider,
                            int                   status,
                            const char           *body,
                            gsize                 body_len);

  /* Streaming: one state per request. */
  GrStreamState *(*stream_new) (const GrProviderInfo     *provider,
                                const GrTranslateContext *ctx);
  /* One complete upstream SSE event (event name may be NULL; data is the
   * joined data lines, NUL-terminated).  Appends the client's SSE text
   * ("data: {...}\n\n" …, including "data: [DONE]\n\n" at the end) to out. */
  void (*stream_event) (GrStreamState *state,
                        const char    *event,
                        const char    *data,
                        gsize          data_len,
                        GString       *out);
  /* The upstream body ended.  If the stream had not terminated properly,
   * appends an error event and [DONE]. */
  void (*stream_end) (GrStreamState *state,
                      GString       *out);
  /* TRUE once the stream has terminated (normally or with an error event). */
  gboolean (*stream_finished) (GrStreamState *state);
  /* Usage seen so far (complete after the final event). */
  void (*stream_usage) (GrStreamState *state,
                        GrUsage       *usage);
  /* The finish reason sent to the client, or NULL; and the mid-stream
   * error, or NULL.  Both owned by the state. */
  const char       *(*stream_finish_reason) (GrStreamState *state);
  const GrApiError *(*stream_error)         (GrStreamState *state);
  void (*stream_free) (GrStreamState *state);

  /* Optional fast path for a whole 2xx answer: writes the client's JSON
   * body to out straight from the upstream's bytes and fills usage.
   * Returns FALSE (out untouched) when it cannot handle this body; the
   * caller then parses it and uses translate_response. */
  gboolean (*translate_response_raw) (const GrProviderInfo     *provider,
                                      const char               *data,
                                      gsize                     len,
                                      const GrTranslateContext *ctx,
                                      GrUsage                  *usage,
                                      GString                  *out);

  /* Optional fast path of build_request, from the client's body as bytes
   * (a JSON object the caller has validated).  Returns NULL when it cannot
   * build this request exactly as build_request would; the caller then
   * parses the body and uses build_request. */
  GrUpstreamRequest *(*build_request_raw) (const GrProviderInfo     *provider,
                                           const char               *data,
                                           gsize                     len,
                                           const GrTranslateContext *ctx);
} GrProviderOps;

const GrProviderOps *gr_provider_ops_for_kind (GrProviderKind kind);

/* One implementation per file in providers/. */
extern const GrProviderOps gr_provider_openai_ops;     /* openai, openrouter, openai-compatible */
extern const GrProviderOps gr_provider_anthropic_ops;
extern const GrProviderOps gr_provider_gemini_ops;

/* Helpers shared by translators. */
void  gr_sse_append_data  (GString *out, const char *json, gssize len);
void  gr_sse_append_json  (GString *out, JsonNode *node);
void  gr_sse_append_done  (GString *out);
/* Appends a stream error event ({"error":{…}}) and [DONE]. */
void  gr_sse_append_error (GString *out, const GrApiError *error);
/* Convenience getters that tolerate missing members and wrong types. */
const char *gr_json_get_string (JsonObject *obj, const char *member);
gint64      gr_json_get_int    (JsonObject *obj, const char *member, gint64 fallback);
JsonObject *gr_json_get_object (JsonObject *obj, const char *member);
/* A token count from an upstream: missing, wrong or negative values are 0,
 * absurd ones are capped (GR_TOKEN_COUNT_MAX), so a hostile upstream can
 * never make usage — and so cost and budgets — go negative. */
#define GR_TOKEN_COUNT_MAX G_GINT64_CONSTANT (1000000000000)
gint64      gr_json_get_count  (JsonObject *obj, const char *member);
JsonArray  *gr_json_get_array  (JsonObject *obj, const char *member);
/* TRUE only when the member is the JSON value true (json-glib's own
 * boolean getters log a critical for an object or array). */
gboolean    gr_json_get_true   (JsonObject *obj, const char *member);

G_END_DECLS
