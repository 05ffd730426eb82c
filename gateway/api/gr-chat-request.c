/* gr-chat-request.c — one inference request from admission to accounting
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "api/gr-chat-request.h"
#include "api/gr-request-log.h"
#include "api/gr-route.h"
#include "core/gr-json.h"
#include "http/gr-authn.h"
#include "http/gr-http.h"

#define MAX_EVENT_BYTES      (8 * 1024 * 1024)

static void request_free (GrChatRequest *req);
static void start_attempt (GrChatRequest *req);
static void fail_any (GrChatRequest *req, GrApiError *error);

/* Unpausing a message that is not paused is not allowed. */
static void
resume (GrChatRequest *req)
{
  if (req->paused)
    soup_server_message_unpause (req->msg);
}

/* Upstreams may quote the credential they were sent in an error message
 * ("Incorrect API key provided: …"); whatever we pass on to the client
 * must never contain it.  Returns the number of replacements. */
static guint
redact_credential (GrChatRequest *req,
                   GString       *text)
{
  const char *secret = req->info.api_key;
  gsize len = secret != NULL ? strlen (secret) : 0;

  /* Too short a key would match ordinary text; real keys are long. */
  if (len < 8 || text->len < len)
    return 0;
  return g_string_replace (text, secret, "[redacted]", 0);
}

static gint64
elapsed_ms (GrChatRequest *req,
            gint64         until_us)
{
  return (until_us - req->started_us) / 1000;
}

/* The one place where a request is accounted, whatever its end. */
static void
record_usage (GrChatRequest *req,
              gint64         cost_micros)
{
  GrUsageEvent *e = gr_usage_event_new ();
  gint64 now = g_get_monotonic_time ();

  e->request_id = g_strdup (req->request_id);
  e->ts = g_get_real_time () / 1000 - elapsed_ms (req, now);
  if (req->key != NULL)
    {
      e->key_id = g_strdup (req->key->id);
      e->org_id = g_strdup (req->key->org_id);
    }
  e->provider = req->target ? g_strdup (req->target->provider) : NULL;
  e->model = g_strdup (req->client_model);
  e->endpoint = g_strdup (req->endpoint);
  e->status = req->status;
  e->prompt_tokens = req->usage.prompt_tokens;
  e->completion_tokens = req->usage.completion_tokens;
  e->cached_tokens = req->usage.cached_tokens;
  e->reasoning_tokens = req->usage.reasoning_tokens;
  e->cost_micros = cost_micros;
  e->latency_ms = elapsed_ms (req, now);
  e->ttfb_ms = req->first_byte_us > 0 ? elapsed_ms (req, req->first_byte_us) : -1;
  e->stream = req->stream;
  e->partial = req->partial;
  e->error_code = g_strdup (req->error_code);
  gr_request_log_finished (req->server, e);
  gr_usage_writer_push (req->server->shared->usage, e);
}

static void
stop_keepalive (GrChatRequest *req)
{
  if (req->keepalive != NULL)
    {
      g_source_destroy (req->keepalive);
      g_clear_pointer (&req->keepalive, g_source_unref);
    }
}

/* Replaces the reservation made at admission with what was really used. */
static void
settle_limits (GrChatRequest *req,
               gint64         cost)
{
  gint64 tokens = req->usage.prompt_tokens + req->usage.completion_tokens;

  if (req->shared_reservation != NULL)
    gr_shared_limits_settle (req->server->shared->shared_limits,
                             g_steal_pointer (&req->shared_reservation), tokens, cost);
  if (req->reservation != NULL)
    gr_limits_settle (req->server->shared->limits, g_steal_pointer (&req->reservation),
                      tokens, cost);
}

/* The answer is complete (or abandoned): account and let go.  We do not
 * wait for the message's "finished" signal, which libsoup only emits for
 * a chunked answer when the next request arrives on the connection. */
static void
request_done (GrChatRequest *req)
{
  gint64 cost;

  /* Both "finished" and "disconnected" may come while the shared limits
   * are still deciding: account once, free when their answer is in. */
  if (req->accounted)
    return;
  req->accounted = TRUE;

  if (req->transfer != NULL)
    {
      gr_transfer_cancel (req->transfer);
      req->transfer = NULL;
    }
  if (req->stream_state != NULL)
    req->ops->stream_usage (req->stream_state, &req->usage);

  /* One price for the usage event, the metrics and the limits. */
  cost = gr_route_cost_micros (req->server, req->target, &req->usage);
  record_usage (req, cost);
  /* METRICS: req->committed is when gr_metrics_stream_begin() was called. */
  gr_metrics_request_end (req->server->shared->metrics,
                          req->target != NULL ? req->target->provider : NULL, req->client_model,
                          req->status, req->committed, g_get_monotonic_time () - req->started_us,
                          req->usage.prompt_tokens, req->usage.completion_tokens, cost);
  settle_limits (req, cost);
  if (!req->admitting)
    request_free (req);
}

static void
finished_cb (SoupServerMessage *msg,
             gpointer           user_data)
{
  GrChatRequest *req = user_data;

  /* Only reached when the client left before the answer was complete. */
  req->client_gone = TRUE;
  req->partial = TRUE;
  if (req->status == 0 || req->status == 200)
    {
      req->status = 499;
      g_free (req->error_code);
      req->error_code = g_strdup ("client_disconnected");
    }
  request_done (req);
}

static void
cancel_request (gpointer data)
{
  GrChatRequest *req = data;

  if (req->transfer != NULL)
    {
      gr_transfer_cancel (req->transfer);
      req->transfer = NULL;
    }
  if (!req->responded)
    {
      g_autoptr(GrApiError) error =
        gr_api_error_new (503, "server_error", "gateway_shutting_down", NULL,
                          "The gateway is shutting down.");

      fail_any (req, g_steal_pointer (&error));
    }
}

GrChatRequest *
gr_chat_request_new (GrServer          *server,
                     SoupServerMessage *msg,
                     const char        *endpoint)
{
  GrChatRequest *req = g_new0 (GrChatRequest, 1);

  req->server = server;
  req->msg = g_object_ref (msg);
  req->endpoint = endpoint;
  req->started_us = g_get_monotonic_time ();
  req->request_id = gr_http_assign_request_id (msg);
  /* Only streams write through it (sized for them in start()). */
  req->out = g_string_new (NULL);
  gr_usage_init (&req->usage);
  req->finished.func = finished_cb;
  req->finished.data = req;
  gr_server_watch_finished (server, msg, &req->finished);
  /* While paused, a vanished client only gets "disconnected". */
  req->disconnected_id = g_signal_connect (msg, "disconnected", G_CALLBACK (finished_cb), req);
  gr_server_track (server, req, cancel_request);
  gr_metrics_request_begin (server->shared->metrics);  /* METRICS */
  return req;
}

static void
request_free (GrChatRequest *req)
{
  gr_server_untrack (req->server, req);
  stop_keepalive (req);
  if (req->retry_timer != NULL)
    {
      g_source_destroy (req->retry_timer);
      g_clear_pointer (&req->retry_timer, g_source_unref);
    }
  gr_server_unwatch_finished (req->server, req->msg);
  g_signal_handler_disconnect (req->msg, req->disconnected_id);
  if (req->stream_state != NULL)
    req->ops->stream_free (req->stream_state);
  g_clear_pointer (&req->sse, gr_sse_parser_free);
  g_clear_pointer (&req->encoder, gr_anthropic_encoder_free);
  g_clear_pointer (&req->upstream_body, g_byte_array_unref);
  g_string_free (req->out, TRUE);
  g_clear_pointer (&req->targets, g_ptr_array_unref);
  g_clear_pointer (&req->body, json_node_unref);
  g_clear_pointer (&req->raw_body, g_bytes_unref);
  g_clear_pointer (&req->key, gr_key_record_free);
  g_free (req->client_model);
  g_free (req->request_id);
  g_free (req->error_code);
  g_object_unref (req->msg);
  g_free (req);
}

static void
set_outcome (GrChatRequest    *req,
             int               status,
             const char       *code)
{
  req->status = status;
  g_free (req->error_code);
  req->error_code = g_strdup (code);
}

static void
add_route_headers (GrChatRequest *req)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (req->msg);

  if (req->target == NULL)
    return;
  soup_message_headers_replace (headers, "x-gaiarouter-provider", req->target->provider);
  soup_message_headers_replace (headers, "x-gaiarouter-model", req->target->upstream_model);
}

/* Error payload in the format the client speaks. */
static char *
error_json (GrChatRequest    *req,
            const GrApiError *error)
{
  if (req->anthropic_out)
    return gr_anthropic_inbound_error_to_json (error);
  return gr_api_error_to_json (error);
}

void
gr_chat_request_fail (GrChatRequest *req,
                      GrApiError    *error)
{
  g_autofree char *json = NULL;

  g_return_if_fail (!req->responded);

  set_outcome (req, error->status, error->code ? error->code : error->type);
  {
    g_autofree char *raw = error_json (req, error);
    GString *text = g_string_new (raw);

    redact_credential (req, text);
    json = g_string_free (text, FALSE);
  }
  add_route_headers (req);
  if (error->retry_after > 0)
    {
      char value[32];

      g_snprintf (value, sizeof value, "%d", error->retry_after);
      soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                    "Retry-After", value);
    }
  gr_http_send_json (req->msg,
                     req->anthropic_out ? gr_anthropic_inbound_error_status (error) : error->status,
                     json, -1);
  req->responded = TRUE;
  resume (req);
  gr_api_error_free (error);
  request_done (req);
}

/* Writes what the translators produced; the first write records the time
 * to first byte. */
static void
flush_out (GrChatRequest *req)
{
  SoupMessageBody *body;

  if (req->out->len == 0 || req->client_gone)
    {
      g_string_truncate (req->out, 0);
      return;
    }
  if (req->first_byte_us == 0)
    {
      req->first_byte_us = g_get_monotonic_time ();
      gr_metrics_first_token (req->server->shared->metrics, req->target ? req->target->provider : NULL,
                              req->first_byte_us - req->started_us);  /* METRICS */
    }

  redact_credential (req, req->out);
  body = soup_server_message_get_response_body (req->msg);
  if (req->encoder != NULL)
    {
      g_autoptr(GString) encoded = g_string_sized_new (req->out->len + 256);
      char **events = g_strsplit (req->out->str, "\n\n", -1);

      /* The translators speak OpenAI SSE; Anthropic clients get each
       * data event re-encoded. */
      for (guint i = 0; events[i] != NULL; i++)
        if (g_str_has_prefix (events[i], "data: "))
          gr_anthropic_encoder_feed (req->encoder, events[i] + 6, strlen (events[i] + 6), encoded);
      g_strfreev (events);
      soup_message_body_append (body, SOUP_MEMORY_COPY, encoded->str, encoded->len);
    }
  else
    soup_message_body_append (body, SOUP_MEMORY_COPY, req->out->str, req->out->len);
  g_string_truncate (req->out, 0);
  resume (req);
}

/* Commits to a 200 event stream: from here on, errors travel in band. */
static void
commit_stream (GrChatRequest *req)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (req->msg);

  if (req->committed)
    return;
  req->committed = TRUE;
  gr_metrics_stream_begin (req->server->shared->metrics);  /* METRICS */
  set_outcome (req, 200, NULL);
  soup_server_message_set_status (req->msg, 200, NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_headers_replace (headers, "Content-Type", "text/event-stream");
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_message_headers_replace (headers, "X-Accel-Buffering", "no");
  add_route_headers (req);
}

static void
complete_stream (GrChatRequest *req)
{
  flush_out (req);
  req->responded = TRUE;
  soup_message_body_complete (soup_server_message_get_response_body (req->msg));
  resume (req);
  request_done (req);
}

/* A failure once the stream is committed: an error event, then the end. */
static void
fail_stream (GrChatRequest *req,
             GrApiError    *error)
{
  set_outcome (req, error->status, error->code);
  req->partial = TRUE;
  gr_sse_append_error (req->out, error);
  gr_api_error_free (error);
  complete_stream (req);
}

static void
fail_any (GrChatRequest *req,
          GrApiError    *error)
{
  if (req->committed)
    fail_stream (req, error);
  else
    gr_chat_request_fail (req, error);
}

static gboolean
keepalive_cb (gpointer data)
{
  GrChatRequest *req = data;

  /* Slow first tokens: tell the client we are alive so it does not drop
   * an idle connection. */
  commit_stream (req);
  soup_message_body_append (soup_server_message_get_response_body (req->msg),
                            SOUP_MEMORY_STATIC, ": keep-alive\n\n", 14);
  resume (req);
  return G_SOURCE_CONTINUE;
}

static void
sse_event_cb (const char *event,
              const char *data,
              gsize       data_len,
              gpointer    user_data)
{
  GrChatRequest *req = user_data;

  req->ops->stream_event (req->stream_state, event, data, data_len, req->out);
}

/* The whole answer is kept: size its buffer from Content-Length when the
 * upstream sends one (a 16 KiB guess was a large malloc, and a consolidation
 * of malloc's fast bins, for every sub-kilobyte answer).  The curl loop
 * enforces the size cap whatever this says. */
static guint
upstream_body_size (GrTransfer *transfer,
                    int         status)
{
  const char *length = gr_transfer_get_header (transfer, "content-length");
  guint64 n;

  if (length != NULL && g_ascii_string_to_unsigned (length, 10, 0, 1024 * 1024, &n, NULL))
    return (guint) n;
  return status >= 300 ? 1024 : 16 * 1024;
}

static void
on_response (GrTransfer *transfer,
             int         status,
             gpointer    user_data)
{
  GrChatRequest *req = user_data;

  req->upstream_status = status;
  if (status >= 200 && status < 300 && req->stream)
    {
      stop_keepalive (req);
      commit_stream (req);
      req->sse = gr_sse_parser_new (sse_event_cb, req);
      req->stream_state = req->ops->stream_new (&req->info, &req->tctx);
    }
  else
    req->upstream_body = g_byte_array_sized_new (upstream_body_size (transfer, status));
}

static void
on_data (GrTransfer *transfer,
         const char *data,
         gsize       len,
         gpointer    user_data)
{
  GrChatRequest *req = user_data;

  if (req->sse == NULL)
    {
      g_byte_array_append (req->upstream_body, (const guint8 *) data, len);
      return;
    }

  gr_sse_parser_feed (req->sse, data, len);
  if (gr_sse_parser_get_pending (req->sse) > MAX_EVENT_BYTES)
    {
      gr_transfer_cancel (req->transfer);
      req->transfer = NULL;
      flush_out (req);
      fail_stream (req, gr_api_error_new (502, "upstream_error", "upstream_error", NULL,
                                          "%s: a stream event is larger than allowed",
                                          req->target->provider));
      return;
    }
  if (req->ops->stream_finished (req->stream_state))
    {
      /* Terminated (done or in-band error): nothing more is needed. */
      gr_transfer_cancel (req->transfer);
      req->transfer = NULL;
      req->ops->stream_usage (req->stream_state, &req->usage);
      if (req->ops->stream_error (req->stream_state) != NULL)
        {
          const GrApiError *e = req->ops->stream_error (req->stream_state);

          set_outcome (req, e->status, e->code);
          req->partial = TRUE;
        }
      complete_stream (req);
      return;
    }
  /* Written in on_flush, once per upstream read. */
}

/* One socket read's worth of events goes to the client as one chunk:
 * libsoup writes every chunk with three send() calls, and curl calls
 * on_data once per upstream chunk (one per SSE event), so writing in
 * on_data cost 60+ syscalls per stream.  The first byte is not delayed:
 * this runs right after the read that delivered it. */
static void
on_flush (GrTransfer *transfer,
          gpointer    user_data)
{
  GrChatRequest *req = user_data;

  if (req->sse != NULL)
    flush_out (req);
}

/* [gateway] max_upstream_response_mib / max_upstream_stream_mib. */
static gsize
max_upstream_bytes (GrChatRequest *req)
{
  GrConfig *config = req->server->shared->config;

  return req->stream ? config->max_upstream_stream_bytes : config->max_upstream_response_bytes;
}

static GrApiError *
transfer_error (GrChatRequest   *req,
                GrTransferResult result,
                const char      *message)
{
  const char *name = req->target->provider;

  switch (result)
    {
    case GR_TRANSFER_TIMEOUT:
      return gr_api_error_new (504, "timeout_error", "upstream_timeout", NULL,
                               "%s: the upstream did not answer in time (%s)", name, message);
    case GR_TRANSFER_CONNECT_FAILED:
      return gr_api_error_new (502, "upstream_error", "upstream_unreachable", NULL,
                               "%s: cannot reach the upstream (%s)", name, message);
    case GR_TRANSFER_TOO_LARGE:
      return gr_api_error_new (502, "upstream_error", "upstream_response_too_large", NULL,
                               "%s: the upstream answer is larger than the gateway's limit of %"
                               G_GSIZE_FORMAT " MiB (max_upstream_%s_mib)", name,
                               max_upstream_bytes (req) / (1024 * 1024),
                               req->stream ? "stream" : "response");
    case GR_TRANSFER_FAILED:
    case GR_TRANSFER_OK:
    default:
      return gr_api_error_new (502, "upstream_error", "upstream_error", NULL,
                               "%s: the upstream connection failed (%s)", name, message);
    }
}

static void
finish_stream (GrChatRequest   *req,
               GrTransferResult result,
               const char      *message)
{
  /* An upstream that ends without the last blank line still ends its
   * last event; a transfer cut short (size cap, reset, timeout) leaves
   * half an event, which is no event: dispatching it would report the
   * cut as a malformed event instead of what happened. */
  if (result == GR_TRANSFER_OK)
    gr_sse_parser_finish (req->sse);
  if (result == GR_TRANSFER_OK || req->ops->stream_finished (req->stream_state))
    req->ops->stream_end (req->stream_state, req->out);
  else
    {
      /* Broken mid-stream: count what was delivered, tell the client. */
      req->ops->stream_usage (req->stream_state, &req->usage);
      fail_stream (req, transfer_error (req, result, message));
      return;
    }
  req->ops->stream_usage (req->stream_state, &req->usage);
  if (req->ops->stream_error (req->stream_state) != NULL)
    {
      const GrApiError *e = req->ops->stream_error (req->stream_state);

      set_outcome (req, e->status, e->code);
      req->partial = TRUE;
    }
  complete_stream (req);
}

static void
send_completion (GrChatRequest *req,
                 JsonNode      *completion)
{
  g_autoptr(JsonNode) anthropic = NULL;

  set_outcome (req, 200, NULL);
  add_route_headers (req);
  if (req->anthropic_out)
    {
      anthropic = gr_anthropic_inbound_response_from_openai (json_node_get_object (completion),
                                                             req->client_model);
      completion = anthropic;
    }
  gr_http_send_json_node (req->msg, 200, completion);
  req->first_byte_us = g_get_monotonic_time ();
  req->responded = TRUE;
  resume (req);
  request_done (req);
}

/* The provider's fast path: upstream bytes forwarded with minimal edits. */
static gboolean
finish_whole_raw (GrChatRequest *req)
{
  GString *out;
  gsize len;

  if (req->ops->translate_response_raw == NULL || req->anthropic_out)
    return FALSE;
  out = g_string_sized_new (req->upstream_body->len + 64);
  if (!req->ops->translate_response_raw (&req->info, (const char *) req->upstream_body->data,
                                         req->upstream_body->len, &req->tctx, &req->usage, out))
    {
      g_string_free (out, TRUE);
      return FALSE;
    }
  set_outcome (req, 200, NULL);
  add_route_headers (req);
  len = out->len;
  soup_server_message_set_status (req->msg, 200, NULL);
  soup_server_message_set_response (req->msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_string_free (out, FALSE), len);
  req->first_byte_us = g_get_monotonic_time ();
  req->responded = TRUE;
  resume (req);
  request_done (req);
  return TRUE;
}

static void
finish_whole (GrChatRequest *req)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonNode) completion = NULL;
  GrApiError *error = NULL;
  JsonNode *root;

  if (finish_whole_raw (req))
    return;
  parser = json_parser_new_immutable ();

  if (!gr_json_parser_load (parser, (const char *) req->upstream_body->data,
                                   req->upstream_body->len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL)
    {
      fail_any (req, gr_api_error_new (502, "upstream_error", "upstream_error", NULL,
                                       "%s: the upstream answered with something that is not JSON",
                                       req->target->provider));
      return;
    }
  completion = req->ops->translate_response (&req->info, root, &req->tctx, &req->usage, &error);
  if (completion == NULL)
    {
      fail_any (req, error);
      return;
    }
  send_completion (req, completion);
}

/* Tries the next target when nothing reached the client yet. */
static gboolean
retry_timer_cb (gpointer data)
{
  GrChatRequest *req = data;

  g_clear_pointer (&req->retry_timer, g_source_unref);
  start_attempt (req);
  return G_SOURCE_REMOVE;
}

/* Tries the next target when nothing reached the client yet.  Each
 * target is tried once (so retries are bounded by the route); going back
 * to the same provider waits an exponential backoff, or the upstream's
 * Retry-After when it is short (GR_ROUTER_RETRY_AFTER_MAX_MS). */
static gboolean
try_fallback (GrChatRequest *req,
              int            status,
              GrTransferResult result,
              int              retry_after_s)
{
  GrRouteTarget *failed = req->target;
  GrRouteTarget *next;
  gint64 delay_ms = 0;

  if (req->committed || req->attempt + 1 >= req->targets->len ||
      !gr_route_should_fallback (status, result))
    return FALSE;
  req->attempt++;
  req->upstream_status = 0;
  g_clear_pointer (&req->upstream_body, g_byte_array_unref);

  next = g_ptr_array_index (req->targets, req->attempt);
  if (g_strcmp0 (next->provider, failed->provider) == 0)
    delay_ms = gr_router_backoff_ms (req->attempt, retry_after_s);
  if (delay_ms <= 0)
    {
      start_attempt (req);
      return TRUE;
    }
  req->retry_timer = g_timeout_source_new ((guint) delay_ms);
  g_source_set_callback (req->retry_timer, retry_timer_cb, req, NULL);
  g_source_attach (req->retry_timer, req->server->context);
  return TRUE;
}

static int
retry_after_seconds (GrTransfer *transfer)
{
  const char *value = gr_transfer_get_header (transfer, "retry-after");

  return value != NULL ? (int) CLAMP (g_ascii_strtoll (value, NULL, 10), 0, 86400) : 0;
}

static void
on_done (GrTransfer      *transfer,
         GrTransferResult result,
         const char      *message,
         gpointer         user_data)
{
  GrChatRequest *req = user_data;
  gboolean upstream_ok = result == GR_TRANSFER_OK &&
                         req->upstream_status >= 200 && req->upstream_status < 300;

  req->transfer = NULL;
  gr_route_report (req->server, req->target, result, req->upstream_status);

  if (req->sse != NULL)
    {
      finish_stream (req, result, message);
      return;
    }
  if (upstream_ok)
    {
      finish_whole (req);
      return;
    }
  if (try_fallback (req, result == GR_TRANSFER_OK ? req->upstream_status : 0, result,
                    retry_after_seconds (transfer)))
    return;

  stop_keepalive (req);
  if (result != GR_TRANSFER_OK)
    fail_any (req, transfer_error (req, result, message));
  else
    {
      GrApiError *error = req->ops->map_error (&req->info, req->upstream_status,
                                               (const char *) req->upstream_body->data,
                                               req->upstream_body->len);
      if (error->retry_after == 0)
        error->retry_after = retry_after_seconds (transfer);
      fail_any (req, error);
    }
}

static const GrTransferCallbacks transfer_callbacks = {
  .on_response = on_response,
  .on_data = on_data,
  .on_flush = on_flush,
  .on_done = on_done,
};

/* The request as a DOM: parsed from the client's bytes the first time a
 * path needs it. */
static JsonObject *
request_body (GrChatRequest *req,
              GrApiError   **error)
{
  if (req->body == NULL)
    {
      gsize len;
      const char *data = g_bytes_get_data (req->raw_body, &len);

      req->body = gr_http_parse_json_data (data, len, error);
      if (req->body == NULL)
        return NULL;
    }
  return json_node_get_object (req->body);
}

static GrUpstreamRequest *
build_upstream (GrChatRequest *req,
                GrApiError   **error)
{
  JsonObject *body;

  if (req->body == NULL && req->ops->build_request_raw != NULL)
    {
      gsize len;
      const char *data = g_bytes_get_data (req->raw_body, &len);
      GrUpstreamRequest *up = req->ops->build_request_raw (&req->info, data, len, &req->tctx);

      if (up != NULL)
        return up;
    }
  body = request_body (req, error);
  if (body == NULL)
    return NULL;
  return req->ops->build_request (&req->info, body, &req->tctx, error);
}

static void
start_attempt (GrChatRequest *req)
{
  g_autoptr(GrUpstreamRequest) upstream = NULL;
  GrApiError *error = NULL;
  GrTransferOptions options = { 0 };
  GrProviderConfig *p;

  req->target = g_ptr_array_index (req->targets, req->attempt);
  p = req->provider = gr_route_get_provider (req->server, req->target);
  if (p == NULL)
    {
      fail_any (req, gr_api_error_new (500, "server_error", "internal_error", NULL,
                                       "The provider “%s” is not configured.", req->target->provider));
      return;
    }
  req->ops = gr_provider_ops_for_kind (p->kind);
  req->info.name = p->name;
  req->info.kind = p->kind;
  req->info.base_url = p->base_url;
  req->info.api_key = p->api_key;
  req->info.http_referer = p->http_referer;
  req->info.x_title = p->x_title;
  req->tctx.client_model = req->client_model;
  req->tctx.upstream_model = req->target->upstream_model;
  req->tctx.stream = req->stream;
  req->tctx.include_usage = req->include_usage;
  req->tctx.default_max_tokens = gr_route_default_max_tokens (req->server, req->target);

  upstream = build_upstream (req, &error);
  if (upstream == NULL)
    {
      fail_any (req, error);
      return;
    }

  options.connect_timeout_ms = p->connect_timeout_ms;
  options.first_byte_timeout_ms = p->first_byte_timeout_ms;
  options.idle_timeout_ms = p->idle_timeout_ms;
  options.max_response_bytes = max_upstream_bytes (req);
  options.proxy = p->proxy;
  options.request_id = req->request_id;
  options.log_bodies = req->server->shared->config->log_bodies;
  options.log_secret = p->api_key;
  req->transfer = gr_curl_loop_start (req->server->curl, upstream, &options,
                                      &transfer_callbacks, req);
}

static void go_upstream (GrChatRequest *req);

static void
shared_admitted_cb (GrSharedReservation  *reservation,
                    const GrLimitRefusal *refusal,
                    const GError         *error,
                    gpointer              user_data)
{
  GrChatRequest *req = user_data;

  req->admitting = FALSE;
  if (req->accounted)
    {
      /* The client left (or the gateway stopped) meanwhile. */
      if (reservation != NULL)
        gr_shared_limits_settle (req->server->shared->shared_limits, reservation, 0, 0);
      request_free (req);
      return;
    }
  if (refusal != NULL)
    gr_chat_request_fail (req, gr_limit_refusal_to_api_error (refusal));
  else if (error != NULL)
    gr_chat_request_fail (req, gr_api_error_new (503, "server_error", "limits_unavailable", NULL,
                                                 "The usage limits cannot be checked right now; "
                                                 "try again shortly."));
  else
    {
      req->shared_reservation = reservation;
      go_upstream (req);
    }
}

/* Reserves the request's estimated tokens and cost against every limit
 * of its key and organization, so parallel requests cannot overspend
 * together.  Every estimated token is priced at the model's output price:
 * an upper bound, settled with the real usage at the end.  With several
 * gateways on one database and a limit to hold, the database decides:
 * FALSE with req->admitting set, and the request goes on (or fails) in
 * shared_admitted_cb(). */
static gboolean
limits_use_estimate (const GrKeyRecord *key)
{
  return key->limits.tokens_per_day >= 0 ||
         key->limits.monthly_budget_micros >= 0 ||
         key->org_limits.tokens_per_day >= 0 ||
         key->org_limits.monthly_budget_micros >= 0;
}

static gboolean
admit (GrChatRequest *req)
{
  GrRouteTarget *first = g_ptr_array_index (req->targets, 0);
  g_auto(GrLimitRefusal) refusal = { 0 };
  GrUsage estimate;
  gint64 tokens = 0;
  gint64 cost = 0;

  /* The desktop app's internal token belongs to no organization. */
  if (req->key == NULL || req->key->org_id == NULL)
    return TRUE;
  /* The estimate (which needs the request as a DOM) only decides
   * anything under a token or budget limit; without one, the request is
   * admitted on its request counts and settled with its real usage. */
  if (limits_use_estimate (req->key))
    {
      GrApiError *error = NULL;
      JsonObject *body = request_body (req, &error);

      if (body == NULL)
        {
          gr_chat_request_fail (req, error);
          return FALSE;
        }
      tokens = gr_limits_estimate_tokens (body, gr_route_default_max_tokens (req->server, first));
      gr_usage_init (&estimate);
      estimate.completion_tokens = tokens;
      cost = gr_route_cost_micros (req->server, first, &estimate);
    }
  if (req->server->shared->shared_limits != NULL &&
      gr_shared_limits_applies (&req->key->limits, &req->key->org_limits))
    {
      req->admitting = TRUE;
      soup_server_message_pause (req->msg);
      req->paused = TRUE;
      gr_shared_limits_admit_async (req->server->shared->shared_limits,
                                    req->key->id, &req->key->limits,
                                    req->key->org_id, &req->key->org_limits,
                                    tokens, cost, req->server->context,
                                    shared_admitted_cb, req);
      return FALSE;
    }
  req->reservation = gr_limits_admit (req->server->shared->limits,
                                      req->key->id, &req->key->limits,
                                      req->key->org_id, &req->key->org_limits,
                                      tokens, cost, &refusal);
  if (req->reservation == NULL)
    {
      gr_chat_request_fail (req, gr_limit_refusal_to_api_error (&refusal));
      return FALSE;
    }
  return TRUE;
}

static void
start (GrChatRequest *req,
       const char    *model,
       gboolean       stream,
       gboolean       include_usage)
{
  GrApiError *error = NULL;

  req->client_model = g_strdup (model);
  req->stream = stream;
  if (stream)
    {
      /* Room for what one upstream read usually brings. */
      g_string_free (req->out, TRUE);
      req->out = g_string_sized_new (4096);
    }
  req->include_usage = include_usage;
  if (req->anthropic_out && stream)
    req->encoder = gr_anthropic_encoder_new (model);

  if (!gr_authn_model_allowed (req->key, model))
    {
      gr_chat_request_fail (req, gr_api_error_new (403, "permission_error", "model_not_allowed", "model",
                                                   "This API key may not use the model “%s”.", model));
      return;
    }
  req->targets = gr_route_resolve (req->server, model, &error);
  if (req->targets == NULL)
    {
      gr_chat_request_fail (req, error);
      return;
    }
  if (!admit (req))
    return;
  soup_server_message_pause (req->msg);
  req->paused = TRUE;
  go_upstream (req);
}

/* Admitted: keep-alives for a stream, then the first attempt. */
static void
go_upstream (GrChatRequest *req)
{
  if (req->stream && req->server->shared->config->keepalive_interval_ms > 0)
    {
      req->keepalive = g_timeout_source_new (req->server->shared->config->keepalive_interval_ms);
      g_source_set_callback (req->keepalive, keepalive_cb, req, NULL);
      g_source_attach (req->keepalive, req->server->context);
    }
  start_attempt (req);
}

void
gr_chat_request_start (GrChatRequest *req,
                       JsonObject    *body,
                       const char    *model,
                       gboolean       stream,
                       gboolean       include_usage)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, body);
  req->body = node;
  start (req, model, stream, include_usage);
}

void
gr_chat_request_start_raw (GrChatRequest *req,
                           GBytes        *body,
                           const char    *model,
                           gboolean       stream,
                           gboolean       include_usage)
{
  req->raw_body = g_bytes_ref (body);
  start (req, model, stream, include_usage);
}
