/* gr-api-health.c — GET /health
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "http/gr-http.h"
#include "http/gr-server.h"

static void
health_cb (SoupServer        *soup,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  GrServer *server = user_data;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  gint64 uptime_s = (g_get_monotonic_time () - server->shared->started_at_us) / G_USEC_PER_SEC;
  g_autofree char *request_id = gr_http_assign_request_id (msg);

  if (!gr_http_exact_path (msg, path, "/health"))
    return;
  if (g_strcmp0 (soup_server_message_get_method (msg), "GET") != 0 &&
      g_strcmp0 (soup_server_message_get_method (msg), "HEAD") != 0)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", "GET, HEAD");
      gr_http_send_error_new (msg, 405, "invalid_request_error", "method_not_allowed", NULL,
                              "Use GET for /health.");
      return;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, server->draining ? "draining" : "ok");
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, PACKAGE_VERSION);
  json_builder_set_member_name (b, "uptime_seconds");
  json_builder_add_int_value (b, uptime_s);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  gr_http_send_json_node (msg, server->draining ? 503 : 200, root);
}

void
gr_api_health_register (GrServer *server)
{
  gr_server_add_handler (server, "/health", health_cb);
}
