/* gr-api-chat.c — POST /v1/chat/completions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One GrChatRequest per call.  The handler authenticates, validates and
 * routes, then pauses the message and starts the upstream transfer on the
 * curl loop of this thread.  Upstream bytes are translated as they arrive
 * and written to the client at once (streams are never buffered).  The
 * message's "finished" signal is the single place where every request,
 * whatever its end, is accounted.
 */
#include "config.h"

#include "core/gr-log.h"
#include "api/gr-chat-request.h"
#include "http/gr-authn.h"
#include "http/gr-http.h"
#include "providers/gr-json-scan.h"

/* What the handler needs from a request body, read from its bytes. */
typedef struct
{
  char    *model;
  gboolean stream;
  gboolean include_usage;
} ChatScan;

/* TRUE when "messages" is a non-empty array of objects with a string
 * "role", as validate_body() requires. */
static gboolean
scan_messages (const char       *data,
               const GrJsonSpan *messages)
{
  static const char * const names[] = { "role", NULL };
  GrJsonIter iter;
  gssize start, end;
  guint n = 0;

  if (messages->key_start < 0 || data[messages->value_start] != '[')
    return FALSE;
  gr_json_iter_init (&iter, messages);
  while (gr_json_iter_next (&iter, data, &start, &end))
    {
      GrJsonSpan role;

      if (data[start] != '{' ||
          !gr_json_scan_object (data + start, end - start, names, &role) ||
          role.key_start < 0 || data[start + role.value_start] != '"')
        return FALSE;
      n++;
    }
  return n > 0;
}

/* The fast path: routes on the body's bytes, with no DOM.  FALSE whenever
 * the body is not a plain, valid request (malformed JSON, escaped or
 * repeated top-level names, a wrong type…): the handler then parses it,
 * which gives the client the precise error or handles the odd case.
 * Only top-level members count: a "model" inside a message is content. */
static gboolean
scan_body (const char *data,
           gsize       len,
           ChatScan   *scan)
{
  static const char * const names[] = { "model", "messages", "stream", "stream_options", NULL };
  static const char * const opt_names[] = { "include_usage", NULL };
  GrJsonSpan spans[4];
  const GrJsonSpan *model = &spans[0], *stream = &spans[2], *opts = &spans[3];
  const char *value;
  gsize value_len;

  if (!gr_json_scan_object_strict (data, len, names, spans) || model->key_start < 0)
    return FALSE;

  /* A non-empty string without escapes: its bytes are the model name. */
  value = data + model->value_start;
  value_len = model->value_end - model->value_start;
  if (*value != '"' || value_len < 3 || memchr (value, '\\', value_len) != NULL)
    return FALSE;
  if (!scan_messages (data, &spans[1]))
    return FALSE;

  scan->stream = FALSE;
  if (stream->key_start >= 0)
    {
      value = data + stream->value_start;
      if (*value == 't')
        scan->stream = TRUE;
      else if (*value != 'f' && *value != 'n')  /* false, null */
        return FALSE;
    }

  scan->include_usage = FALSE;
  if (opts->key_start >= 0 && data[opts->value_start] == '{')
    {
      GrJsonSpan include;

      if (!gr_json_scan_object_strict (data + opts->value_start, opts->value_end - opts->value_start,
                                       opt_names, &include))
        return FALSE;
      scan->include_usage = include.key_start >= 0 &&
                            data[opts->value_start + include.value_start] == 't';
    }
  scan->model = g_strndup (data + model->value_start + 1, value_len - 2);
  return TRUE;
}

static gboolean
validate_body (JsonObject  *body,
               GrApiError **error)
{
  JsonNode *node;
  JsonArray *messages;

  node = json_object_get_member (body, "model");
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      *error = gr_api_error_new (400, "invalid_request_error", "missing_field", "model",
                                 "The request needs a “model”, e.g. “openai/gpt-4o”.");
      return FALSE;
    }
  if (gr_json_get_string (body, "model") == NULL || *gr_json_get_string (body, "model") == '\0')
    {
      *error = gr_api_error_new (400, "invalid_request_error", "invalid_value", "model",
                                 "“model” must be a non-empty string.");
      return FALSE;
    }
  node = json_object_get_member (body, "messages");
  if (node == NULL)
    {
      *error = gr_api_error_new (400, "invalid_request_error", "missing_field", "messages",
                                 "The request needs “messages”.");
      return FALSE;
    }
  messages = gr_json_get_array (body, "messages");
  if (messages == NULL || json_array_get_length (messages) == 0)
    {
      *error = gr_api_error_new (400, "invalid_request_error", "invalid_value", "messages",
                                 "“messages” must be a non-empty array.");
      return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonNode *m = json_array_get_element (messages, i);

      if (!JSON_NODE_HOLDS_OBJECT (m) || gr_json_get_string (json_node_get_object (m), "role") == NULL)
        {
          g_autofree char *param = g_strdup_printf ("messages[%u]", i);

          *error = gr_api_error_new (400, "invalid_request_error", "invalid_value", param,
                                     "Each message must be an object with a “role”.");
          return FALSE;
        }
    }
  node = json_object_get_member (body, "stream");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node) &&
      (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN))
    {
      *error = gr_api_error_new (400, "invalid_request_error", "invalid_value", "stream",
                                 "“stream” must be true or false.");
      return FALSE;
    }
  return TRUE;
}

static gboolean
client_wants_usage (JsonObject *body)
{
  return gr_json_get_true (gr_json_get_object (body, "stream_options"), "include_usage");
}

static gboolean
body_stream_flag (JsonObject *body)
{
  return gr_json_get_true (body, "stream");
}

static void
chat_cb (SoupServer        *soup,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  GrServer *server = user_data;
  GrChatRequest *req;
  g_auto(GrLogScope) log_scope G_GNUC_UNUSED = GR_LOG_SCOPE_INIT;
  g_autoptr(GrApiError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *body;

  if (!gr_http_exact_path (msg, path, "/v1/chat/completions"))
    return;
  if (gr_server_refuse_if_draining (server, msg))
    return;
  req = gr_chat_request_new (server, msg, "chat");
  gr_log_scope_enter (req->request_id);

  if (gr_http_body_too_large (server, msg, &error))
    {
      gr_chat_request_fail (req, g_steal_pointer (&error));
      return;
    }

  if (g_strcmp0 (soup_server_message_get_method (msg), "POST") != 0)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", "POST");
      gr_chat_request_fail (req, gr_api_error_new (405, "invalid_request_error", "method_not_allowed",
                                                   NULL, "Use POST for %s.", path));
      return;
    }

  req->key = gr_authn_check (server, msg, "chat", &error);
  if (req->key == NULL)
    {
      gr_chat_request_fail (req, g_steal_pointer (&error));
      return;
    }

  if (server->shared->config->log_bodies)
    {
      SoupMessageBody *raw = soup_server_message_get_request_body (msg);

      gr_log_body ("client request", raw->data != NULL ? raw->data : "", (gsize) raw->length, NULL);
    }

  if (gr_http_check_json_type (msg, &error))
    {
      g_autoptr(GBytes) bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
      gsize len;
      const char *data = g_bytes_get_data (bytes, &len);
      ChatScan scan = { 0 };

      if (scan_body (data, len, &scan))
        {
          g_autofree char *model = scan.model;

          gr_chat_request_start_raw (req, bytes, model, scan.stream, scan.include_usage);
          return;
        }
    }
  g_clear_pointer (&error, gr_api_error_free);

  root = gr_http_parse_json_body (msg, &error);
  if (root == NULL)
    {
      gr_chat_request_fail (req, g_steal_pointer (&error));
      return;
    }
  body = json_node_get_object (root);
  if (!validate_body (body, &error))
    {
      gr_chat_request_fail (req, g_steal_pointer (&error));
      return;
    }

  gr_chat_request_start (req, body, gr_json_get_string (body, "model"),
                         body_stream_flag (body), client_wants_usage (body));
}

void
gr_api_chat_register (GrServer *server)
{
  gr_server_add_handler (server, "/v1/chat/completions", chat_cb);
}
