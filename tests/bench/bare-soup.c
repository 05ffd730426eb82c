/* bare-soup.c — the ceiling of a SoupServer on this machine (benchmark only)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: bare-soup PORT THREADS FIXTURE [UPSTREAM-URL]
 *
 * THREADS event loops share PORT (SO_REUSEPORT), like gaiarouterd's.
 * POST /v1/chat/completions answers the FIXTURE's bytes as
 * application/json, with no auth, routing, accounting or logging.  With
 * UPSTREAM-URL, each request is first forwarded there (the request body
 * as is) through the gateway's own curl loop (gr-curl-loop.c), with the
 * message paused meanwhile, and the upstream's answer is what the client
 * gets: libsoup plus libcurl and nothing else of the gateway.  How much
 * of gaiarouterd's cost per request is libsoup's own is the difference
 * between this and nginx proxy_pass; see docs/performance.md.
 */
#include "config.h"

#include <libsoup/soup.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "upstream/gr-curl-loop.h"

static GBytes     *fixture;
static const char *upstream_url;
static guint16     port;

typedef struct
{
  GrCurlLoop *curl;
} Loop;

typedef struct
{
  SoupServerMessage *msg;
  GByteArray        *answer;
  int                status;
} Call;

static void
on_response (GrTransfer *transfer,
             int         status,
             gpointer    user_data)
{
  Call *call = user_data;

  call->status = status;
}

static void
on_data (GrTransfer *transfer,
         const char *data,
         gsize       len,
         gpointer    user_data)
{
  Call *call = user_data;

  g_byte_array_append (call->answer, (const guint8 *) data, len);
}

static void
on_done (GrTransfer      *transfer,
         GrTransferResult result,
         const char      *message,
         gpointer         user_data)
{
  Call *call = user_data;
  gsize len = call->answer->len;

  if (result != GR_TRANSFER_OK)
    soup_server_message_set_status (call->msg, 502, NULL);
  else
    {
      soup_server_message_set_status (call->msg, call->status, NULL);
      soup_server_message_set_response (call->msg, "application/json", SOUP_MEMORY_TAKE,
                                        (char *) g_byte_array_free (call->answer, FALSE), len);
      call->answer = NULL;
    }
  soup_server_message_unpause (call->msg);
  g_object_unref (call->msg);
  if (call->answer != NULL)
    g_byte_array_unref (call->answer);
  g_free (call);
}

static const GrTransferCallbacks callbacks = { on_response, on_data, NULL, on_done };

static void
forward (Loop              *loop,
         SoupServerMessage *msg)
{
  g_autoptr(GrUpstreamRequest) request = gr_upstream_request_new ();
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  GrTransferOptions options = { 5000, 30000, 30000, 0, NULL, NULL, FALSE, NULL };
  Call *call = g_new0 (Call, 1);

  request->url = g_strdup (upstream_url);
  gr_upstream_request_add_header (request, "Content-Type", "application/json");
  request->body = soup_message_body_flatten (body);
  call->msg = g_object_ref (msg);
  call->answer = g_byte_array_sized_new (1024);
  soup_server_message_pause (msg);
  gr_curl_loop_start (loop->curl, request, &options, &callbacks, call);
}

static void
chat_cb (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  gsize len;
  const char *data;

  if (upstream_url != NULL)
    {
      forward (user_data, msg);
      return;
    }
  data = g_bytes_get_data (fixture, &len);
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, data, len);
}

static GSocket *
listen_socket (void)
{
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons (port),
                             .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int one = 1;

  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt (fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (bind (fd, (struct sockaddr *) &sin, sizeof sin) < 0 || listen (fd, 1024) < 0)
    g_error ("cannot listen on 127.0.0.1:%u", port);
  return g_socket_new_from_fd (fd, NULL);
}

static gpointer
run_loop (gpointer data)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GMainLoop) main_loop = g_main_loop_new (context, FALSE);
  g_autoptr(GSocket) sock = NULL;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GError) error = NULL;
  Loop loop = { NULL };

  g_main_context_push_thread_default (context);
  loop.curl = gr_curl_loop_new (context);
  server = soup_server_new ("server-header", "bare-soup", NULL);
  soup_server_add_handler (server, "/v1/chat/completions", chat_cb, &loop, NULL);
  sock = listen_socket ();
  if (!soup_server_listen_socket (server, sock, 0, &error))
    g_error ("%s", error->message);
  g_main_loop_run (main_loop);
  return NULL;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  char *contents;
  gsize len;
  guint threads;

  if (argc < 4)
    {
      g_printerr ("usage: %s PORT THREADS FIXTURE [UPSTREAM-URL]\n", argv[0]);
      return 2;
    }
  port = (guint16) atoi (argv[1]);
  threads = MAX (1, atoi (argv[2]));
  if (!g_file_get_contents (argv[3], &contents, &len, &error))
    g_error ("%s", error->message);
  fixture = g_bytes_new_take (contents, len);
  upstream_url = argc > 4 ? argv[4] : NULL;

  for (guint i = 1; i < threads; i++)
    g_thread_new ("bare-soup", run_loop, NULL);
  run_loop (NULL);
  return 0;
}
