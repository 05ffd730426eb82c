/* gr-provider-openai.c — OpenAI, OpenRouter and OpenAI-compatible upstreams
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * These upstreams already speak the gateway's own format, so translation is
 * normalisation (wire-formats.md 11.3): the model name is rewritten both
 * ways, usage is always requested upstream and the extra usage chunk is
 * dropped when the client did not ask for it, and the various in-band error
 * shapes become the gateway's error event.
 */
#define _GNU_SOURCE  /* memmem */
#include "config.h"

#include <string.h>

#include "core/gr-json.h"
#include "providers/gr-json-scan.h"
#include "providers/gr-provider.h"

struct _GrStreamState
{
  const GrProviderInfo *provider;
  char       *client_model;
  gboolean    include_usage;
  gboolean    finished;
  gboolean    saw_tool_calls;
  GrUsage     usage;
  char       *finish_reason;
  GrApiError *error;
};

static void
set_model (JsonObject *obj,
           const char *model)
{
  if (model != NULL)
    json_object_set_string_member (obj, "model", model);
}

/* The HTTP request around a body (taken). */
static GrUpstreamRequest *
upstream_request_new (const GrProviderInfo     *provider,
                      const GrTranslateContext *ctx,
                      char                     *json,
                      gsize                     len)
{
  GrUpstreamRequest *up = gr_upstream_request_new ();

  up->url = g_strconcat (provider->base_url, "/chat/completions", NULL);
  up->body = g_bytes_new_take (json, len);
  gr_upstream_request_add_header (up, "Content-Type", "application/json");
  if (ctx->stream)
    gr_upstream_request_add_header (up, "Accept", "text/event-stream");
  if (provider->api_key != NULL && *provider->api_key != '\0')
    {
      g_autofree char *auth = g_strconcat ("Bearer ", provider->api_key, NULL);

      gr_upstream_request_add_header (up, "Authorization", auth);
    }
  if (provider->kind == GR_PROVIDER_KIND_OPENROUTER)
    {
      if (provider->http_referer != NULL)
        gr_upstream_request_add_header (up, "HTTP-Referer", provider->http_referer);
      if (provider->x_title != NULL)
        gr_upstream_request_add_header (up, "X-Title", provider->x_title);
    }
  return up;
}

static GrUpstreamRequest *
openai_build_request (const GrProviderInfo     *provider,
                      JsonObject               *request,
                      const GrTranslateContext *ctx,
                      GrApiError              **error)
{
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) body = json_object_new ();
  char *json;
  gsize len;
  GList *members;

  /* Copy every member: these upstreams accept the OpenAI fields, and
   * providers add fields faster than any list. */
  members = json_object_get_members (request);
  for (GList *l = members; l != NULL; l = l->next)
    json_object_set_member (body, l->data,
                            json_node_copy (json_object_get_member (request, l->data)));
  g_list_free (members);

  set_model (body, ctx->upstream_model);

  if (ctx->stream)
    {
      JsonObject *opts = json_object_new ();

      /* Always ask for usage: a stream without it cannot be accounted. */
      json_object_set_boolean_member (opts, "include_usage", TRUE);
      json_object_set_object_member (body, "stream_options", opts);
    }
  else
    json_object_remove_member (body, "stream_options");

  /* Local servers do not know the "developer" role. */
  if (provider->kind == GR_PROVIDER_KIND_OPENAI_COMPATIBLE)
    {
      JsonArray *messages = gr_json_get_array (body, "messages");

      for (guint i = 0; messages && i < json_array_get_length (messages); i++)
        {
          JsonNode *m = json_array_get_element (messages, i);

          if (JSON_NODE_HOLDS_OBJECT (m) &&
              g_strcmp0 (gr_json_get_string (json_node_get_object (m), "role"), "developer") == 0)
            json_object_set_string_member (json_node_get_object (m), "role", "system");
        }
    }

  json_node_set_object (root, body);
  json = gr_json_to_string (root);
  len = strlen (json);
  return upstream_request_new (provider, ctx, json, len);
}

/* TRUE when no message of the array at span has the role "developer"
 * (which local servers do not know) nor a role written with escapes (which
 * might spell it). */
static gboolean
roles_need_no_rewrite (const char       *data,
                       const GrJsonSpan *messages)
{
  static const char * const names[] = { "role", NULL };
  GrJsonIter iter;
  gssize start, end;

  if (messages->key_start < 0 || data[messages->value_start] != '[')
    return FALSE;
  gr_json_iter_init (&iter, messages);
  while (gr_json_iter_next (&iter, data, &start, &end))
    {
      GrJsonSpan role;
      const char *value;
      gsize len;

      if (data[start] != '{')
        continue;
      if (!gr_json_scan_object_strict (data + start, end - start, names, &role))
        return FALSE;
      if (role.key_start < 0)
        continue;
      value = data + start + role.value_start;
      len = role.value_end - role.value_start;
      if (memchr (value, '\\', len) != NULL ||
          (len == 11 && memcmp (value, "\"developer\"", 11) == 0))
        return FALSE;
    }
  return TRUE;
}

/* The fast path of build_request: the client's bytes with "model"
 * replaced and "stream_options" replaced, added or removed, exactly the
 * edits openai_build_request() makes, without a DOM.  NULL when the body
 * needs more (a "developer" role to rewrite for a local server) or when
 * the strict scan refuses it (escaped or repeated member names): the
 * caller then builds the DOM and uses build_request. */
static GrUpstreamRequest *
openai_build_request_raw (const GrProviderInfo     *provider,
                          const char               *data,
                          gsize                     len,
                          const GrTranslateContext *ctx)
{
  static const char * const names[] = { "model", "stream_options", "messages", NULL };
  static const char usage_opts[] = "{\"include_usage\":true}";
  GrJsonSpan spans[3];
  const GrJsonSpan *model = &spans[0], *opts = &spans[1];
  /* Two cuts, in any order: [from, to) replaced by text. */
  struct { gssize from, to; const char *text; } cuts[2];
  guint n_cuts = 0;
  GString *out;
  gssize pos = 0, close;

  if (ctx->upstream_model == NULL ||
      !gr_json_scan_object_strict (data, len, names, spans) ||
      model->key_start < 0 || data[model->value_start] != '"' ||
      (provider->kind == GR_PROVIDER_KIND_OPENAI_COMPATIBLE &&
       !roles_need_no_rewrite (data, &spans[2])))
    return NULL;

  cuts[n_cuts].from = model->value_start;
  cuts[n_cuts].to = model->value_end;
  cuts[n_cuts++].text = NULL;  /* the model string */
  if (opts->key_start >= 0)
    {
      if (ctx->stream)
        {
          cuts[n_cuts].from = opts->value_start;
          cuts[n_cuts].to = opts->value_end;
          cuts[n_cuts++].text = usage_opts;
        }
      else
        {
          /* The member and one comma next to it, as gr_json_append_without. */
          gssize from = opts->key_start, to = opts->value_end, i;

          for (i = from - 1; i >= 0 && g_ascii_isspace (data[i]); i--)
            ;
          if (data[i] == ',')
            from = i;
          else
            {
              for (i = to; i < (gssize) len && g_ascii_isspace (data[i]); i++)
                ;
              if (i < (gssize) len && data[i] == ',')
                to = i + 1;
            }
          cuts[n_cuts].from = from;
          cuts[n_cuts].to = to;
          cuts[n_cuts++].text = "";
        }
    }
  if (n_cuts == 2 && cuts[1].from < cuts[0].from)
    {
      __typeof__ (cuts[0]) tmp = cuts[0];

      cuts[0] = cuts[1];
      cuts[1] = tmp;
    }

  /* The object's closing brace, for a member added at the end. */
  for (close = len - 1; close > 0 && data[close] != '}'; close--)
    ;

  out = g_string_sized_new (len + strlen (ctx->upstream_model) + 48);
  for (guint c = 0; c < n_cuts; c++)
    {
      g_string_append_len (out, data + pos, cuts[c].from - pos);
      if (cuts[c].text != NULL)
        g_string_append (out, cuts[c].text);
      else
        gr_json_append_string (out, ctx->upstream_model);
      pos = cuts[c].to;
    }
  if (ctx->stream && opts->key_start < 0)
    {
      /* Always ask for usage: a stream without it cannot be accounted.
       * The object holds "model", so it has members: add with a comma. */
      g_string_append_len (out, data + pos, close - pos);
      g_string_append (out, ",\"stream_options\":");
      g_string_append (out, usage_opts);
      pos = close;
    }
  g_string_append_len (out, data + pos, len - pos);

  len = out->len;
  return upstream_request_new (provider, ctx, g_string_free (out, FALSE), len);
}

/* The error object of any OpenAI-like error body: wrapped {"error":{…}},
 * vLLM's unwrapped {"object":"error",…}, or a bare string error. */
static JsonObject *
find_error_object (JsonObject *root)
{
  JsonObject *err = gr_json_get_object (root, "error");

  if (err != NULL)
    return err;
  if (g_strcmp0 (gr_json_get_string (root, "object"), "error") == 0)
    return root;
  return NULL;
}

static char *
error_message (JsonObject *err)
{
  const char *msg = gr_json_get_string (err, "message");
  JsonObject *metadata = gr_json_get_object (err, "metadata");
  const char *provider_name = gr_json_get_string (metadata, "provider_name");

  /* OpenRouter wraps the real provider's error in metadata.raw. */
  if (provider_name != NULL && gr_json_get_string (metadata, "raw") != NULL)
    return g_strdup_printf ("%s (%s: %s)", msg ? msg : "error", provider_name,
                            gr_json_get_string (metadata, "raw"));
  return g_strdup (msg);
}

static GrApiError *
error_from_object (const GrProviderInfo *provider,
                   int                   status,
                   JsonObject           *err)
{
  g_autofree char *msg = error_message (err);
  const char *code = gr_json_get_string (err, "code");
  const char *type = gr_json_get_string (err, "type");
  gboolean overloaded = FALSE;

  if (status == 0)
    {
      /* In-band errors carry the status as a numeric code, if at all. */
      gint64 c = gr_json_get_int (err, "code", 502);

      status = c >= 400 && c < 600 ? (int) c : 502;
    }
  if (type != NULL && strstr (type, "overloaded") != NULL)
    overloaded = TRUE;
  return gr_api_error_from_upstream (provider->name, status, msg, code, overloaded);
}

static GrApiError *
openai_map_error (const GrProviderInfo *provider,
                  int                   status,
                  const char           *body,
                  gsize                 body_len)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;
  JsonObject *err;

  if (body != NULL && body_len > 0 &&
      gr_json_parser_load (parser, body, body_len, NULL) &&
      (root = json_parser_get_root (parser)) != NULL &&
      JSON_NODE_HOLDS_OBJECT (root) &&
      (err = find_error_object (json_node_get_object (root))) != NULL)
    return error_from_object (provider, status, err);

  return gr_api_error_from_upstream (provider->name, status,
                                     status >= 500 ? "the upstream failed" : "the upstream refused the request",
                                     NULL, FALSE);
}

static JsonNode *
openai_translate_response (const GrProviderInfo     *provider,
                           JsonNode                 *body,
                           const GrTranslateContext *ctx,
                           GrUsage                  *usage,
                           GrApiError              **error)
{
  JsonObject *obj;
  JsonObject *err;
  JsonArray *choices;

  if (!JSON_NODE_HOLDS_OBJECT (body))
    goto garbage;
  obj = json_node_get_object (body);
  if ((err = find_error_object (obj)) != NULL)
    {
      *error = error_from_object (provider, 0, err);
      return NULL;
    }
  choices = gr_json_get_array (obj, "choices");
  if (choices == NULL)
    goto garbage;

  gr_usage_from_openai (usage, gr_json_get_object (obj, "usage"));
  set_model (obj, ctx->client_model);

  /* Some servers say "stop" although the message holds tool calls. */
  for (guint i = 0; i < json_array_get_length (choices); i++)
    {
      JsonNode *c = json_array_get_element (choices, i);
      JsonObject *choice = JSON_NODE_HOLDS_OBJECT (c) ? json_node_get_object (c) : NULL;
      JsonObject *message = gr_json_get_object (choice, "message");

      if (gr_json_get_array (message, "tool_calls") != NULL &&
          json_array_get_length (gr_json_get_array (message, "tool_calls")) > 0 &&
          g_strcmp0 (gr_json_get_string (choice, "finish_reason"), "stop") == 0)
        json_object_set_string_member (choice, "finish_reason", "tool_calls");
    }

  return json_node_ref (body);

garbage:
  *error = gr_api_error_new (502, "upstream_error", "upstream_error", NULL,
                             "%s: the upstream answered with something that is not a chat completion",
                             provider->name);
  return NULL;
}

static gboolean
usage_from_span (GrUsage          *usage,
                 const char       *data,
                 const GrJsonSpan *span)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;

  if (gr_usage_from_openai_text (usage, data + span->value_start,
                                 span->value_end - span->value_start))
    return TRUE;
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data + span->value_start,
                                   span->value_end - span->value_start, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  gr_usage_from_openai (usage, json_node_get_object (root));
  return TRUE;
}

/* Answers with tool calls take the DOM path.  memmem, not g_strstr_len:
 * GLib's is a byte-by-byte loop, glibc's is vectorised. */
static gboolean
has_tool_calls (const char *data,
                gsize       len)
{
  static const char needle[] = "\"tool_calls\"";

  return memmem (data, len, needle, sizeof needle - 1) != NULL;
}

/* Forwards the upstream's bytes with only "model" rewritten, reading
 * "usage" on the way: no parse and re-serialisation of the whole answer.
 * Anything unusual (an error object, tool calls whose finish reason may
 * need fixing, a missing member) takes the full path instead. */
static gboolean
openai_translate_response_raw (const GrProviderInfo     *provider,
                               const char               *data,
                               gsize                     len,
                               const GrTranslateContext *ctx,
                               GrUsage                  *usage,
                               GString                  *out)
{
  static const char * const names[] = { "model", "usage", "choices", "error", NULL };
  GrJsonSpan spans[4];
  const GrJsonSpan *model = &spans[0], *use = &spans[1], *choices = &spans[2], *error = &spans[3];

  if (!gr_json_scan_object (data, len, names, spans) ||
      error->key_start >= 0 || choices->key_start < 0 || model->key_start < 0 ||
      data[model->value_start] != '"' || data[choices->value_start] != '[' ||
      has_tool_calls (data, len))
    return FALSE;
  if (use->key_start >= 0 && data[use->value_start] == '{' && !usage_from_span (usage, data, use))
    return FALSE;

  g_string_append_len (out, data, model->value_start);
  gr_json_append_string (out, ctx->client_model);
  g_string_append_len (out, data + model->value_end, len - model->value_end);
  return TRUE;
}

/* The finish reason of the first choice of a chunk, found by a substring
 * search (only called on chunks the scanner validated). */
static char *
chunk_finish_reason (const char *data,
                     gsize       len)
{
  static const char needle[] = "\"finish_reason\":\"";
  const char *p = memmem (data, len, needle, sizeof needle - 1);
  const char *end;

  if (p == NULL)
    return NULL;
  p += sizeof needle - 1;
  end = memchr (p, '"', len - (p - data));
  return end != NULL ? g_strndup (p, end - p) : NULL;
}

/* The common stream chunks — text deltas, and the final usage chunk —
 * forwarded with "model" rewritten, usage read from the bytes, and
 * "usage" dropped when the client did not ask for it.  FALSE sends the
 * chunk down the full path (nothing appended, nothing recorded). */
static gboolean
stream_event_fast (GrStreamState *st,
                   const char    *data,
                   gsize          len,
                   GString       *out)
{
  static const char * const names[] = { "model", "usage", "error", "choices", NULL };
  GrJsonSpan spans[4];
  const GrJsonSpan *model = &spans[0], *use = &spans[1], *error = &spans[2], *choices = &spans[3];
  g_autofree char *finish = NULL;
  gboolean has_usage;
  gsize mark;

  /* A line break would split the SSE event we write: the full path
   * re-serialises such data on one line. */
  if (memchr (data, '\n', len) != NULL || memchr (data, '\r', len) != NULL ||
      has_tool_calls (data, len) ||
      !gr_json_scan_object (data, len, names, spans) ||
      error->key_start >= 0 || model->key_start < 0 || choices->key_start < 0 ||
      data[model->value_start] != '"' || data[choices->value_start] != '[')
    return FALSE;
  has_usage = use->key_start >= 0 && data[use->value_start] == '{';
  if (use->key_start >= 0 && !has_usage && data[use->value_start] != 'n')
    return FALSE;
  if (has_usage && !gr_usage_from_openai_text (&st->usage, data + use->value_start,
                                               use->value_end - use->value_start))
    return FALSE;

  finish = chunk_finish_reason (data, len);
  if (finish != NULL)
    {
      g_free (st->finish_reason);
      st->finish_reason = g_steal_pointer (&finish);
    }

  /* The usage-only chunk exists because we asked for it; the client may
   * not have. */
  if (!st->include_usage && has_usage && gr_json_span_is_empty (data, choices))
    return TRUE;

  g_string_append_len (out, "data: ", 6);
  mark = out->len;
  g_string_append_len (out, data, model->value_start);
  gr_json_append_string (out, st->client_model);
  g_string_append_len (out, data + model->value_end, len - model->value_end);
  if (!st->include_usage && use->key_start >= 0)
    {
      /* Cut "usage" out of what was just written: its span, shifted by
       * the length change of "model" when it comes after it. */
      g_autofree char *rewritten = g_strndup (out->str + mark, out->len - mark);
      gsize rewritten_len = out->len - mark;
      GrJsonSpan shifted = *use;
      gssize delta = (gssize) rewritten_len - (gssize) len;

      if (use->key_start > model->key_start)
        {
          shifted.key_start += delta;
          shifted.value_start += delta;
          shifted.value_end += delta;
        }
      g_string_truncate (out, mark);
      gr_json_append_without (out, rewritten, rewritten_len, &shifted);
    }
  g_string_append_len (out, "\n\n", 2);
  return TRUE;
}

static GrStreamState *
openai_stream_new (const GrProviderInfo     *provider,
                   const GrTranslateContext *ctx)
{
  GrStreamState *st = g_new0 (GrStreamState, 1);

  st->provider = provider;
  st->client_model = g_strdup (ctx->client_model);
  st->include_usage = ctx->include_usage;
  gr_usage_init (&st->usage);
  return st;
}

static void
stream_fail (GrStreamState *st,
             GrApiError    *error,
             GString       *out)
{
  gr_sse_append_error (out, error);
  g_clear_pointer (&st->error, gr_api_error_free);
  st->error = error;
  st->finished = TRUE;
}

/* Inspects the choices of one chunk: finish reason, tool calls. */
static void
stream_scan_choices (GrStreamState *st,
                     JsonArray     *choices)
{
  for (guint i = 0; i < json_array_get_length (choices); i++)
    {
      JsonNode *c = json_array_get_element (choices, i);
      JsonObject *choice = JSON_NODE_HOLDS_OBJECT (c) ? json_node_get_object (c) : NULL;
      JsonObject *delta = gr_json_get_object (choice, "delta");
      const char *finish = gr_json_get_string (choice, "finish_reason");

      if (gr_json_get_array (delta, "tool_calls") != NULL)
        st->saw_tool_calls = TRUE;
      if (finish != NULL)
        {
          if (st->saw_tool_calls && g_str_equal (finish, "stop"))
            {
              json_object_set_string_member (choice, "finish_reason", "tool_calls");
              finish = "tool_calls";
            }
          g_free (st->finish_reason);
          st->finish_reason = g_strdup (finish);
        }
    }
}

static void
openai_stream_event (GrStreamState *st,
                     const char    *event,
                     const char    *data,
                     gsize          data_len,
                     GString       *out)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  JsonObject *chunk;
  JsonObject *err;
  JsonArray *choices;

  if (st->finished)
    return;

  if (data_len == 6 && memcmp (data, "[DONE]", 6) == 0)
    {
      gr_sse_append_done (out);
      st->finished = TRUE;
      return;
    }
  if (!st->saw_tool_calls && stream_event_fast (st, data, data_len, out))
    return;

  parser = json_parser_new_immutable ();
  if (!gr_json_parser_load (parser, data, data_len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root))
    {
      stream_fail (st, gr_api_error_new (502, "upstream_error", "upstream_error", NULL,
                                         "%s: the upstream sent a malformed stream event",
                                         st->provider->name), out);
      return;
    }

  chunk = json_node_get_object (root);
  if ((err = find_error_object (chunk)) != NULL)
    {
      stream_fail (st, error_from_object (st->provider, 0, err), out);
      return;
    }

  choices = gr_json_get_array (chunk, "choices");
  if (gr_json_get_object (chunk, "usage") != NULL)
    gr_usage_from_openai (&st->usage, gr_json_get_object (chunk, "usage"));

  if (choices != NULL)
    stream_scan_choices (st, choices);

  /* The usage-only chunk exists because we asked for it; the client may
   * not have. */
  if (!st->include_usage)
    {
      if (choices != NULL && json_array_get_length (choices) == 0 &&
          gr_json_get_object (chunk, "usage") != NULL)
        return;
      json_object_remove_member (chunk, "usage");
    }

  set_model (chunk, st->client_model);
  gr_sse_append_json (out, root);
}

static void
openai_stream_end (GrStreamState *st,
                   GString       *out)
{
  if (st->finished)
    return;
  stream_fail (st, gr_api_error_new (502, "upstream_error", "upstream_error", NULL,
                                     "%s: the upstream stream ended before it was complete",
                                     st->provider->name), out);
}

static gboolean
openai_stream_finished (GrStreamState *st)
{
  return st->finished;
}

static void
openai_stream_usage (GrStreamState *st,
                     GrUsage       *usage)
{
  *usage = st->usage;
}

static const char *
openai_stream_finish_reason (GrStreamState *st)
{
  return st->finish_reason;
}

static const GrApiError *
openai_stream_error (GrStreamState *st)
{
  return st->error;
}

static void
openai_stream_free (GrStreamState *st)
{
  if (st == NULL)
    return;
  g_free (st->client_model);
  g_free (st->finish_reason);
  gr_api_error_free (st->error);
  g_free (st);
}

const GrProviderOps gr_provider_openai_ops = {
  .kind = GR_PROVIDER_KIND_OPENAI,
  .build_request = openai_build_request,
  .translate_response = openai_translate_response,
  .map_error = openai_map_error,
  .stream_new = openai_stream_new,
  .stream_event = openai_stream_event,
  .stream_end = openai_stream_end,
  .stream_finished = openai_stream_finished,
  .stream_usage = openai_stream_usage,
  .stream_finish_reason = openai_stream_finish_reason,
  .stream_error = openai_stream_error,
  .stream_free = openai_stream_free,
  .translate_response_raw = openai_translate_response_raw,
  .build_request_raw = openai_build_request_raw,
};
