/* gr-server.c — one gateway event loop: SoupServer, curl multi, routes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/gr-error.h"
#include "http/gr-http.h"
#include "http/gr-server.h"
#include "api/gr-admin.h"
#include "api/gr-api-stats.h"

static void
not_found_cb (SoupServer        *soup,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  g_autofree char *request_id G_GNUC_UNUSED = gr_http_assign_request_id (msg);
  g_autofree char *message = g_strdup_printf ("Unknown route %s %s.",
                                              soup_server_message_get_method (msg), path);

  gr_http_send_error_new (msg, 404, "invalid_request_error", "unknown_route", NULL, message);
}

void
gr_server_add_handler (GrServer          *server,
                       const char        *path,
                       SoupServerCallback callback)
{
  soup_server_add_handler (server->soup, path, callback, server, NULL);
  g_ptr_array_add (server->routes, g_strdup (path));
}

GPtrArray *
gr_server_get_routes (GrServer *server)
{
  return server->routes;
}

gboolean
gr_http_body_too_large (GrServer          *server,
                        SoupServerMessage *msg,
                        GrApiError       **error)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  gsize limit = server->shared->config->max_body_bytes;

  if ((gsize) body->length <= limit)
    return FALSE;
  /* The client may be sending more; do not keep the connection. */
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Connection", "close");
  *error = gr_api_error_new (413, "invalid_request_error", "request_too_large", NULL,
                             "The request body (%" G_GOFFSET_FORMAT " bytes) is larger than the "
                             "limit of %" G_GSIZE_FORMAT " bytes.", body->length, limit);
  return TRUE;
}

/* Slow-loris defence: a request whose headers and body have not fully
 * arrived within the read timeout has its connection closed.  libsoup
 * itself never times a client out.
 *
 * The deadline lives on the connection (its GSocket, which outlives the
 * requests of a keep-alive connection), in a table of the loop's
 * connections, and one sweep timer per loop closes the connections past
 * their deadline and forgets the closed ones.  A GSource and a GWeakRef
 * per request cost a few allocations, a global lock and a hash insert and
 * remove each time; this costs a clock read and a hash lookup.  The sweep
 * runs every quarter of the timeout (at most every second), so a
 * connection is cut between 1 and 1.25 times the timeout (1 s more at
 * most) after its request started.  The table holds a reference on each
 * socket (dropped by the sweep once the socket is closed, or when the
 * server stops): libsoup keeps, and at exit leaks, some of its sockets,
 * so nothing of ours hangs on them. */
#define READ_TIMEOUT_S 30

typedef struct
{
  GSocket *sock;      /* owned */
  gint64   deadline;  /* monotonic µs; 0 while no request is being read */
} GrConnClock;

static void
conn_clock_free (gpointer data)
{
  GrConnClock *clock = data;

  g_object_unref (clock->sock);
  g_free (clock);
}

static GrConnClock *
conn_clock_get (GrServer          *server,
                SoupServerMessage *msg,
                gboolean           create)
{
  GSocket *sock = soup_server_message_get_socket (msg);
  GrConnClock *clock;

  if (sock == NULL)
    return NULL;
  clock = g_hash_table_lookup (server->conns, sock);
  if (clock == NULL && create)
    {
      clock = g_new0 (GrConnClock, 1);
      clock->sock = g_object_ref (sock);
      g_hash_table_insert (server->conns, sock, clock);
    }
  return clock;
}

static gboolean
read_sweep_cb (gpointer data)
{
  GrServer *server = data;
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  GrConnClock *clock;

  g_hash_table_iter_init (&iter, server->conns);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &clock))
    {
      if (g_socket_is_closed (clock->sock))
        g_hash_table_iter_remove (&iter);
      else if (clock->deadline != 0 && clock->deadline <= now)
        {
          clock->deadline = 0;
          g_socket_shutdown (clock->sock, TRUE, TRUE, NULL);
        }
    }
  return G_SOURCE_CONTINUE;
}

static void
start_read_sweep (GrServer *server)
{
  guint period_ms = CLAMP (server->read_timeout_s * 1000 / 4, 250, 1000);

  server->conns = g_hash_table_new_full (NULL, NULL, NULL, conn_clock_free);
  server->read_sweep = g_timeout_source_new (period_ms);
  g_source_set_callback (server->read_sweep, read_sweep_cb, server, NULL);
  g_source_attach (server->read_sweep, server->context);
}

static void
stop_read_sweep (GrServer *server)
{
  if (server->read_sweep != NULL)
    {
      g_source_destroy (server->read_sweep);
      g_clear_pointer (&server->read_sweep, g_source_unref);
    }
  g_clear_pointer (&server->conns, g_hash_table_unref);
}

static void
request_started_cb (SoupServer        *soup,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  GrServer *server = user_data;
  GrConnClock *clock = conn_clock_get (server, msg, TRUE);

  if (clock != NULL)
    clock->deadline = g_get_monotonic_time () + (gint64) server->read_timeout_s * G_USEC_PER_SEC;
}

/* [gateway] cors_allowed_origins.  Off (the default), no CORS header is
 * ever sent, so browsers refuse cross-origin calls.  On, answers from a
 * listed origin name it in Access-Control-Allow-Origin, and preflights
 * (OPTIONS with Access-Control-Request-Method) are answered here, before
 * any route: 204 with the Access-Control-* headers for a listed origin,
 * 403 without them for another. */
#define CORS_METHODS "GET, POST, PUT, PATCH, DELETE, OPTIONS"
#define CORS_EXPOSE  "x-request-id, x-gaiarouter-provider, x-gaiarouter-model, retry-after"
#define CORS_DEFAULT_HEADERS "authorization, content-type, x-api-key, anthropic-version"

static void
apply_cors (GrServer          *server,
            SoupServerMessage *msg)
{
  SoupMessageHeaders *in = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *out = soup_server_message_get_response_headers (msg);
  const char *origin = soup_message_headers_get_one (in, "Origin");
  const char *method = soup_server_message_get_method (msg);
  gboolean preflight = g_str_equal (method, "OPTIONS") &&
                       soup_message_headers_get_one (in, "Access-Control-Request-Method") != NULL;
  gboolean allowed;

  if (origin == NULL)
    return;
  allowed = gr_config_cors_origin_allowed (server->shared->config, origin);
  if (allowed)
    {
      soup_message_headers_replace (out, "Access-Control-Allow-Origin", origin);
      soup_message_headers_append (out, "Vary", "Origin");
    }
  if (!preflight)
    {
      if (allowed)
        soup_message_headers_replace (out, "Access-Control-Expose-Headers", CORS_EXPOSE);
      return;
    }
  if (!allowed)
    {
      g_autofree char *request_id G_GNUC_UNUSED = gr_http_assign_request_id (msg);
      g_autofree char *message = g_strdup_printf ("The origin %s may not call this gateway "
                                                  "(not in cors_allowed_origins).", origin);

      gr_http_send_error_new (msg, 403, "permission_error", "cors_origin_not_allowed", NULL, message);
      return;
    }
  {
    const char *asked = soup_message_headers_get_one (in, "Access-Control-Request-Headers");

    /* The origin is trusted: allow the headers its client asks for (the
     * OpenAI and Anthropic SDKs send their own x-stainless-* headers). */
    soup_message_headers_replace (out, "Access-Control-Allow-Methods", CORS_METHODS);
    soup_message_headers_replace (out, "Access-Control-Allow-Headers",
                                  asked != NULL && *asked != '\0' ? asked : CORS_DEFAULT_HEADERS);
    soup_message_headers_replace (out, "Access-Control-Max-Age", "600");
    gr_http_send_no_content (msg, 204);
  }
}

static void
request_read_cb (SoupServer        *soup,
                 SoupServerMessage *msg,
                 gpointer           user_data)
{
  GrServer *server = user_data;
  GrConnClock *clock = conn_clock_get (server, msg, FALSE);

  if (clock != NULL)
    clock->deadline = 0;
  if (server->shared->config->cors_allowed_origins != NULL)
    apply_cors (server, msg);
}

static void
request_finished_cb (SoupServer        *soup,
                     SoupServerMessage *msg,
                     gpointer           user_data)
{
  GrServer *server = user_data;
  GrFinishWatch *watch;

  if (g_hash_table_size (server->finish_watches) == 0 ||
      !g_hash_table_steal_extended (server->finish_watches, msg, NULL, (gpointer *) &watch))
    return;
  watch->func (msg, watch->data);
}

void
gr_server_watch_finished (GrServer          *server,
                          SoupServerMessage *msg,
                          GrFinishWatch     *watch)
{
  g_hash_table_insert (server->finish_watches, msg, watch);
}

void
gr_server_unwatch_finished (GrServer          *server,
                            SoupServerMessage *msg)
{
  g_hash_table_remove (server->finish_watches, msg);
}

GrServer *
gr_server_new (GrShared *shared)
{
  GrServer *server = g_new0 (GrServer, 1);
  g_autofree char *header = g_strdup_printf ("GaiaRouter/%s", PACKAGE_VERSION);

  server->shared = shared;
  server->context = g_main_context_ref_thread_default ();
  server->soup = soup_server_new ("server-header", header, NULL);
  server->curl = gr_curl_loop_new (server->context);
  server->requests = g_hash_table_new (NULL, NULL);
  server->routes = g_ptr_array_new_with_free_func (g_free);
  server->finish_watches = g_hash_table_new (NULL, NULL);

  soup_server_add_handler (server->soup, NULL, not_found_cb, server, NULL);
  server->read_timeout_s = shared->config->read_timeout_seconds > 0
                           ? (guint) shared->config->read_timeout_seconds : READ_TIMEOUT_S;
  start_read_sweep (server);
  g_signal_connect (server->soup, "request-started", G_CALLBACK (request_started_cb), server);
  g_signal_connect (server->soup, "request-read", G_CALLBACK (request_read_cb), server);
  g_signal_connect (server->soup, "request-finished", G_CALLBACK (request_finished_cb), server);
  g_signal_connect (server->soup, "request-aborted", G_CALLBACK (request_finished_cb), server);
  gr_api_health_register (server);
  gr_api_models_register (server);
  gr_api_chat_register (server);
  gr_api_messages_register (server);
  gr_api_organizations_register (server);
  gr_api_keys_register (server);
  gr_api_stats_register (server);
  gr_api_providers_register (server);  /* ADMIN-API (providers and models) */
  gr_api_registry_register (server);
  gr_api_metrics_register (server);  /* METRICS */
  return server;
}

/* A listening socket made by hand, with SO_REUSEPORT, so several event
 * loops can share one port (g_socket_bind() does not set it). */
static GSocket *
make_listen_socket (const char  *host,
                    guint16      port,
                    GError     **error)
{
  g_autoptr(GInetAddress) addr = g_inet_address_new_from_string (host);
  g_autoptr(GSocketAddress) saddr = NULL;
  struct sockaddr_storage ss;
  int fd, one = 1;
  GSocket *sock;

  if (addr == NULL)
    {
      g_set_error (error, GR_ERROR, GR_ERROR_CONFIG,
                   "“%s” is not an IP address", host);
      return NULL;
    }
  saddr = g_inet_socket_address_new (addr, port);
  if (!g_socket_address_to_native (saddr, &ss, sizeof ss, error))
    return NULL;

  fd = socket (ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "socket: %s", g_strerror (errno));
      return NULL;
    }
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt (fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (bind (fd, (struct sockaddr *) &ss, g_socket_address_get_native_size (saddr)) < 0 ||
      listen (fd, 1024) < 0)
    {
      int saved = errno;

      close (fd);
      if (saved == EADDRINUSE)
        g_set_error (error, GR_ERROR, GR_ERROR_ADDRESS_IN_USE,
                     "cannot listen on %s:%u: the address is already in use "
                     "(another gateway may be running; choose another port with --listen)",
                     host, port);
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                     "cannot listen on %s:%u: %s", host, port, g_strerror (saved));
      return NULL;
    }

  sock = g_socket_new_from_fd (fd, error);
  if (sock == NULL)
    close (fd);
  return sock;
}

/* HTTPS when the configuration names a certificate and its key. */
static gboolean
enable_tls (GrServer  *server,
            GError   **error)
{
  GrConfig *config = server->shared->config;
  g_autoptr(GTlsCertificate) cert = NULL;

  if (config->tls_certificate == NULL)
    return TRUE;
  cert = g_tls_certificate_new_from_files (config->tls_certificate, config->tls_key, error);
  if (cert == NULL)
    {
      g_prefix_error (error, "TLS certificate %s: ", config->tls_certificate);
      return FALSE;
    }
  soup_server_set_tls_certificate (server->soup, cert);
  return TRUE;
}

gboolean
gr_server_listen (GrServer    *server,
                  const char  *host,
                  guint16      port,
                  GError     **error)
{
  g_autoptr(GSocket) sock = make_listen_socket (host, port, error);
  g_autoptr(GSocketAddress) local = NULL;

  if (sock == NULL)
    return FALSE;
  if (!enable_tls (server, error) ||
      !soup_server_listen_socket (server->soup, sock,
                                  server->shared->config->tls_certificate ? SOUP_SERVER_LISTEN_HTTPS : 0,
                                  error))
    return FALSE;

  local = g_socket_get_local_address (sock, NULL);
  if (local != NULL)
    server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  return TRUE;
}

/* Draining keeps the listening socket (soup_server_disconnect() would also
 * cut the streams in flight): new requests are refused with 503 and
 * "Connection: close" while the ones in flight finish. */
void
gr_server_drain (GrServer *server)
{
  server->draining = TRUE;
}

gboolean
gr_server_refuse_if_draining (GrServer          *server,
                              SoupServerMessage *msg)
{
  if (!server->draining)
    return FALSE;
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
  gr_http_send_error_new (msg, 503, "server_error", "gateway_shutting_down", NULL,
                          "The gateway is shutting down; try again shortly.");
  return TRUE;
}

guint
gr_server_get_in_flight (GrServer *server)
{
  return g_hash_table_size (server->requests);
}

void
gr_server_track (GrServer    *server,
                 gpointer     request,
                 GrCancelFunc cancel)
{
  g_hash_table_insert (server->requests, request, cancel);
}

void
gr_server_untrack (GrServer *server,
                   gpointer  request)
{
  g_hash_table_remove (server->requests, request);
}

void
gr_server_cancel_all (GrServer *server)
{
  g_autoptr(GList) keys = g_hash_table_get_keys (server->requests);

  for (GList *l = keys; l != NULL; l = l->next)
    {
      GrCancelFunc cancel = g_hash_table_lookup (server->requests, l->data);

      if (cancel != NULL)
        cancel (l->data);
    }
}

void
gr_server_free (GrServer *server)
{
  if (server == NULL)
    return;
  gr_server_cancel_all (server);
  g_clear_object (&server->soup);
  stop_read_sweep (server);
  gr_curl_loop_free (server->curl);
  g_hash_table_unref (server->requests);
  g_hash_table_unref (server->finish_watches);
  g_ptr_array_unref (server->routes);
  g_main_context_unref (server->context);
  g_free (server);
}
