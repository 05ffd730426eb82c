/* gr-http.c — small helpers for SoupServer handlers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "auth/gr-keys.h"
#include "core/gr-json.h"
#include "http/gr-http.h"

void
gr_http_send_json (SoupServerMessage *msg,
                   guint              status,
                   const char        *json,
                   gssize             len)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    json, len < 0 ? strlen (json) : (gsize) len);
}

void
gr_http_send_json_node (SoupServerMessage *msg,
                        guint              status,
                        JsonNode          *node)
{
  g_autofree char *json = gr_json_to_string (node);
  gsize len = strlen (json);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&json), len);
}

void
gr_http_send_error (SoupServerMessage *msg,
                    const GrApiError  *error)
{
  g_autofree char *json = gr_api_error_to_json (error);

  if (error->retry_after > 0)
    {
      char value[32];

      g_snprintf (value, sizeof value, "%d", error->retry_after);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", value);
    }
  gr_http_send_json (msg, error->status, json, -1);
}

void
gr_http_send_error_new (SoupServerMessage *msg,
                        int                status,
                        const char        *type,
                        const char        *code,
                        const char        *param,
                        const char        *message)
{
  g_autoptr(GrApiError) error = gr_api_error_new (status, type, code, param, "%s", message);

  gr_http_send_error (msg, error);
}

const char *
gr_http_get_client_key (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *auth = soup_message_headers_get_one (headers, "Authorization");

  if (auth != NULL && g_ascii_strncasecmp (auth, "Bearer ", 7) == 0)
    {
      auth += 7;
      while (*auth == ' ')
        auth++;
      return auth;
    }
  /* Anthropic SDKs send the key in x-api-key. */
  return soup_message_headers_get_one (headers, "x-api-key");
}

gboolean
gr_http_is_loopback (SoupServerMessage *msg)
{
  GSocketAddress *addr = soup_server_message_get_remote_address (msg);
  GInetAddress *inet;
  const guint8 *bytes;

  if (addr == NULL || !G_IS_INET_SOCKET_ADDRESS (addr))
    return FALSE;
  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (addr));
  if (g_inet_address_get_is_loopback (inet))
    return TRUE;
  /* Listening on [::] also takes IPv4: 127.0.0.1 then arrives as
   * ::ffff:127.0.0.1, which GLib does not call loopback. */
  if (g_inet_address_get_family (inet) != G_SOCKET_FAMILY_IPV6)
    return FALSE;
  bytes = g_inet_address_to_bytes (inet);
  for (guint i = 0; i < 10; i++)
    if (bytes[i] != 0)
      return FALSE;
  return bytes[10] == 0xff && bytes[11] == 0xff && bytes[12] == 127;
}

/* Request ids are correlation ids, not secrets (docs/api.md): they must
 * be unique, not unpredictable.  Each thread draws a random 64-bit prefix
 * once and counts with 32 bits after it, drawing a new prefix when the
 * counter wraps: no getrandom() and no printf per request, and the same
 * req_<24 hex> shape as before.  Two threads (or two runs) share a prefix
 * with odds of about n²/2⁶⁵. */
typedef struct
{
  guint64  prefix;
  guint32  counter;
  gboolean seeded;
} RequestIdState;

static __thread RequestIdState request_ids;

static void
put_hex (char   *out,
         guint64 value,
         int     digits)
{
  static const char hex[] = "0123456789abcdef";

  for (int i = digits - 1; i >= 0; i--, value >>= 4)
    out[i] = hex[value & 0xf];
}

char *
gr_http_next_request_id (void)
{
  RequestIdState *st = &request_ids;
  char *id = g_malloc (4 + 24 + 1);

  if (!st->seeded || st->counter == G_MAXUINT32)
    {
      gr_random_bytes ((guint8 *) &st->prefix, sizeof st->prefix);
      st->counter = 0;
      st->seeded = TRUE;
    }
  st->counter++;
  memcpy (id, "req_", 4);
  put_hex (id + 4, st->prefix, 16);
  put_hex (id + 20, st->counter, 8);
  id[28] = '\0';
  return id;
}

char *
gr_http_assign_request_id (SoupServerMessage *msg)
{
  char *id = gr_http_next_request_id ();

  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "x-request-id", id);
  return id;
}

gboolean
gr_http_check_json_type (SoupServerMessage *msg,
                         GrApiError       **error)
{
  const char *type = soup_message_headers_get_content_type (soup_server_message_get_request_headers (msg), NULL);

  /* Bodies are JSON.  A missing type, text/plain and curl's default
   * form type are read as JSON too (they are what hand-written calls
   * send); anything that is clearly something else is refused. */
  if (type != NULL && !g_str_equal (type, "application/json") &&
      !g_str_has_suffix (type, "+json") && !g_str_equal (type, "text/plain") &&
      !g_str_equal (type, "application/x-www-form-urlencoded"))
    {
      *error = gr_api_error_new (415, "invalid_request_error", "unsupported_media_type", NULL,
                                 "The body must be JSON (Content-Type: application/json), not %s.", type);
      return FALSE;
    }
  return TRUE;
}

JsonNode *
gr_http_parse_json_body (SoupServerMessage *msg,
                         GrApiError       **error)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = NULL;
  gsize len = 0;
  const char *data;

  if (!gr_http_check_json_type (msg, error))
    return NULL;
  bytes = soup_message_body_flatten (body);
  data = g_bytes_get_data (bytes, &len);
  return gr_http_parse_json_data (data, len, error);
}

/* Deeper than any real request.  json-glib parses recursively, so a body
 * of a few megabytes of '[' could exhaust the stack: refuse it first. */
#define MAX_JSON_DEPTH 128

static gboolean
json_depth_ok (const char *data,
               gsize       len)
{
  gboolean in_string = FALSE;
  int depth = 0;

  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if ((c == '{' || c == '[') && ++depth > MAX_JSON_DEPTH)
        return FALSE;
      else if (c == '}' || c == ']')
        depth--;
    }
  return TRUE;
}

JsonNode *
gr_http_parse_json_data (const char  *data,
                         gsize        len,
                         GrApiError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (len == 0)
    {
      *error = gr_api_error_new (400, "invalid_request_error", "invalid_json", NULL,
                                 "The request body is empty; expected a JSON object.");
      return NULL;
    }
  if (!g_utf8_validate_len (data, len, NULL))
    {
      *error = gr_api_error_new (400, "invalid_request_error", "invalid_json", NULL,
                                 "The request body is not valid UTF-8.");
      return NULL;
    }
  if (!json_depth_ok (data, len))
    {
      *error = gr_api_error_new (400, "invalid_request_error", "invalid_json", NULL,
                                 "The request body nests deeper than %d levels.", MAX_JSON_DEPTH);
      return NULL;
    }
  if (!gr_json_parser_load (parser, data, len, &local_error))
    {
      *error = gr_api_error_new (400, "invalid_request_error", "invalid_json", NULL,
                                 "The request body is not valid JSON: %s", local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      *error = gr_api_error_new (400, "invalid_request_error", "invalid_json", NULL,
                                 "The request body must be a JSON object.");
      return NULL;
    }
  return json_node_ref (root);
}

gboolean
gr_http_exact_path (SoupServerMessage *msg,
                    const char        *path,
                    const char        *expected)
{
  g_autofree char *message = NULL;

  if (g_str_equal (path, expected))
    return TRUE;
  message = g_strdup_printf ("Unknown route %s %s.", soup_server_message_get_method (msg), path);
  gr_http_send_error_new (msg, 404, "invalid_request_error", "unknown_route", NULL, message);
  return FALSE;
}

void
gr_http_send_no_content (SoupServerMessage *msg,
                         guint              status)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, NULL, SOUP_MEMORY_STATIC, NULL, 0);
  /* libsoup 3.2 closes the connection after any 204 (it drops the
   * Content-Length a 204 must not have, then takes the answer for one that
   * ends at EOF) without saying so: a client reusing the connection then
   * meets a reset.  Saying it lets clients open a new one instead. */
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
}
