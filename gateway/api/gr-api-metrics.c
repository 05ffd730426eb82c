/* gr-api-metrics.c — GET /metrics: Prometheus text exposition
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Allowed for keys with the "admin" scope, and without a key for a
 * scraper on this machine.  A request that carries a proxy's forwarding
 * header is not treated as local even from 127.0.0.1: a reverse proxy on
 * the same host would otherwise open /metrics to the world.
 *
 * The request counters and histograms come from GrMetrics; the gauges
 * that describe the shared state (usage writer queue, provider health)
 * are read here at scrape time.
 */
#include "config.h"

#include "api/gr-admin.h"
#include "http/gr-authn.h"
#include "http/gr-http.h"
#include "http/gr-server.h"
#include "stats/gr-metrics.h"

static gboolean
is_proxied (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  return soup_message_headers_get_one (headers, "Forwarded") != NULL ||
         soup_message_headers_get_one (headers, "X-Forwarded-For") != NULL ||
         soup_message_headers_get_one (headers, "X-Real-IP") != NULL;
}

/* TRUE when the caller may read the metrics; otherwise answers 401/403. */
static gboolean
check_access (GrServer          *server,
              SoupServerMessage *msg)
{
  const char *secret = gr_http_get_client_key (msg);
  g_autoptr(GrApiError) error = NULL;
  g_autoptr(GrKeyRecord) key = NULL;

  if (!gr_admin_peer_allowed (server, msg, "/metrics", &error))
    {
      gr_http_send_error (msg, error);
      return FALSE;
    }
  if ((secret == NULL || *secret == '\0') && gr_http_is_loopback (msg) && !is_proxied (msg))
    return TRUE;
  /* A key, when given, must be valid and hold "admin", even locally. */
  key = gr_authn_check (server, msg, "admin", &error);
  if (key == NULL)
    {
      gr_http_send_error (msg, error);
      return FALSE;
    }
  return TRUE;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Provider health for every enabled provider (0 when it never failed) and
 * for every provider the router remembers a failure of. */
static void
render_upstreams (GrShared *shared,
                  GString  *out)
{
  g_autoptr(GPtrArray) health = NULL;
  g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  char **enabled = g_atomic_pointer_get (&shared->provider_names);

  if (shared->router != NULL)
    health = gr_router_get_cooldowns (shared->router);
  for (guint i = 0; health != NULL && i < health->len; i++)
    {
      GrProviderHealth *h = g_ptr_array_index (health, i);

      if (g_hash_table_insert (by_name, h->provider, h))
        g_ptr_array_add (names, h->provider);
    }
  for (guint i = 0; enabled != NULL && enabled[i] != NULL; i++)
    if (!g_hash_table_contains (by_name, enabled[i]))
      {
        g_hash_table_insert (by_name, (gpointer) enabled[i], NULL);
        g_ptr_array_add (names, (gpointer) enabled[i]);
      }
  g_ptr_array_sort (names, compare_names);

  gr_metrics_write_header (out, "gaiarouter_upstream_cooldown", "gauge",
                           "1 while the provider is cooling down after repeated failures "
                           "(tried last), else 0.");
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      GrProviderHealth *h = g_hash_table_lookup (by_name, name);

      gr_metrics_write_sample (out, "gaiarouter_upstream_cooldown",
                               h != NULL && h->cooling_down ? 1 : 0, "provider", name, NULL);
    }
  gr_metrics_write_header (out, "gaiarouter_upstream_failures", "gauge",
                           "Failures of the provider (429, 5xx, timeouts, connection errors) "
                           "within the router's failure window; a cooldown starts afresh at 0.");
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      GrProviderHealth *h = g_hash_table_lookup (by_name, name);

      gr_metrics_write_sample (out, "gaiarouter_upstream_failures",
                               h != NULL ? h->recent_failures : 0, "provider", name, NULL);
    }
  gr_metrics_write_header (out, "gaiarouter_upstream_cooldowns_total", "counter",
                           "Times the provider was put in cooldown since the gateway started.");
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      GrProviderHealth *h = g_hash_table_lookup (by_name, name);

      gr_metrics_write_sample (out, "gaiarouter_upstream_cooldowns_total",
                               h != NULL ? h->cooldowns_total : 0, "provider", name, NULL);
    }
}

static void
metrics_cb (SoupServer        *soup,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  GrServer *server = user_data;
  GrShared *shared = server->shared;
  g_autofree char *request_id = gr_http_assign_request_id (msg);
  const char *method = soup_server_message_get_method (msg);
  GString *out;
  gsize len;

  if (!gr_http_exact_path (msg, path, "/metrics"))
    return;
  if (g_strcmp0 (method, "GET") != 0 && g_strcmp0 (method, "HEAD") != 0)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", "GET, HEAD");
      gr_http_send_error_new (msg, 405, "invalid_request_error", "method_not_allowed", NULL,
                              "Use GET for /metrics.");
      return;
    }
  if (!check_access (server, msg))
    return;
  if (shared->metrics == NULL)
    {
      gr_http_send_error_new (msg, 503, "server_error", "metrics_unavailable", NULL,
                              "This gateway keeps no metrics.");
      return;
    }

  out = g_string_sized_new (16 * 1024);
  gr_metrics_render (shared->metrics, out);
  gr_metrics_write_header (out, "gaiarouter_usage_writer_queue_depth", "gauge",
                           "Usage events queued and not yet written to the database.");
  gr_metrics_write_sample (out, "gaiarouter_usage_writer_queue_depth",
                           shared->usage != NULL ? gr_usage_writer_pending (shared->usage) : 0, NULL);
  render_upstreams (shared, out);

  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");
  len = out->len;
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, GR_METRICS_CONTENT_TYPE, SOUP_MEMORY_TAKE,
                                    g_string_free (out, FALSE), len);
}

void
gr_api_metrics_register (GrServer *server)
{
  gr_server_add_handler (server, "/metrics", metrics_cb);
}
