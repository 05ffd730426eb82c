/* gr-api-models.c — GET /v1/models
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "api/gr-route.h"
#include "http/gr-authn.h"
#include "http/gr-http.h"

static void
models_cb (SoupServer        *soup,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  GrServer *server = user_data;
  g_autofree char *request_id = gr_http_assign_request_id (msg);
  g_autoptr(GrApiError) error = NULL;
  g_autoptr(GrKeyRecord) key = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (g_strcmp0 (soup_server_message_get_method (msg), "GET") != 0)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", "GET");
      gr_http_send_error_new (msg, 405, "invalid_request_error", "method_not_allowed", NULL,
                              "Use GET for /v1/models.");
      return;
    }
  /* Listing models is what a chat key does first, so "chat" suffices. */
  key = gr_authn_check (server, msg, NULL, &error);
  if (key == NULL)
    {
      gr_http_send_error (msg, error);
      return;
    }
  if (!gr_key_record_has_permission (key, "models:read") &&
      !gr_key_record_has_permission (key, "chat"))
    {
      gr_http_send_error_new (msg, 403, "permission_error", "insufficient_permissions", NULL,
                              "This API key lacks the “models:read” permission.");
      return;
    }

  /* GET /v1/models/{model}: one model, as OpenAI's API has it. */
  if (g_str_has_prefix (path, "/v1/models/"))
    {
      const char *id = path + strlen ("/v1/models/");
      g_autoptr(JsonNode) model = gr_route_describe_model (server, key, id);

      if (model == NULL)
        {
          g_autofree char *message = g_strdup_printf ("The model `%s` does not exist or you do not have access to it.", id);

          gr_http_send_error_new (msg, 404, "invalid_request_error", "model_not_found", "model", message);
          return;
        }
      gr_http_send_json_node (msg, 200, model);
      return;
    }
  if (!gr_http_exact_path (msg, path, "/v1/models"))
    return;

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "object");
  json_builder_add_string_value (b, "list");
  json_builder_set_member_name (b, "data");
  json_builder_begin_array (b);
  gr_route_list_models (server, key, b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  gr_http_send_json_node (msg, 200, root);
}

void
gr_api_models_register (GrServer *server)
{
  gr_server_add_handler (server, "/v1/models", models_cb);
}
