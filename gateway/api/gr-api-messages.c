/* gr-api-messages.c — POST /v1/messages (Anthropic clients over any upstream)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Anthropic request becomes an OpenAI one, takes the normal route
 * (translators, fallbacks, accounting), and the answer goes back in
 * Anthropic's format (wire-formats.md section 12).
 */
#include "config.h"

#include "core/gr-log.h"
#include "api/gr-chat-request.h"
#include "http/gr-authn.h"
#include "http/gr-http.h"

static void
messages_cb (SoupServer        *soup,
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
  g_autoptr(JsonObject) openai = NULL;
  JsonObject *body;

  /* Sub-routes such as count_tokens are not served (and never billed). */
  if (!gr_http_exact_path (msg, path, "/v1/messages"))
    return;
  if (gr_server_refuse_if_draining (server, msg))
    return;
  req = gr_chat_request_new (server, msg, "messages");
  gr_log_scope_enter (req->request_id);
  req->anthropic_out = TRUE;

  if (g_strcmp0 (soup_server_message_get_method (msg), "POST") != 0)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", "POST");
      gr_chat_request_fail (req, gr_api_error_new (405, "invalid_request_error", "method_not_allowed",
                                                   NULL, "Use POST for %s.", path));
      return;
    }
  if (gr_http_body_too_large (server, msg, &error))
    {
      gr_chat_request_fail (req, g_steal_pointer (&error));
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
  root = gr_http_parse_json_body (msg, &error);
  if (root == NULL)
    {
      gr_chat_request_fail (req, g_steal_pointer (&error));
      return;
    }
  body = json_node_get_object (root);
  openai = gr_anthropic_inbound_request_to_openai (body, &error);
  if (openai == NULL)
    {
      gr_chat_request_fail (req, g_steal_pointer (&error));
      return;
    }

  gr_chat_request_start (req, openai, gr_json_get_string (openai, "model"),
                         json_object_get_boolean_member_with_default (openai, "stream", FALSE),
                         TRUE);
}

void
gr_api_messages_register (GrServer *server)
{
  gr_server_add_handler (server, "/v1/messages", messages_cb);
}
