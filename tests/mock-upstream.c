/* mock-upstream.c — a loopback upstream speaking the providers' real wire formats
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "mock-upstream.h"

#define GATE_TIMEOUT_MS 5000

struct _MockUpstream
{
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *server;
  guint16       port;

  GMutex        lock;
  GCond         cond;
  gboolean      ready;
  guint         requests;
  char         *last_body;
  SoupMessageHeaders *last_headers;
  guint         releases;
  guint         gate_timeouts;
  gboolean      stream_closed;
};

typedef struct
{
  MockUpstream      *mock;
  SoupServerMessage *msg;
  char             **events;   /* "data: …" blocks to send */
  guint              next;
  gboolean           gated;
  gboolean           endless;
  gboolean           finished;
  GSource           *timer;
  gint64             gate_started;
} StreamJob;

char *
mock_read_fixture (const char *name,
                   gsize      *len)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "wire", name, NULL);
  char *data = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_file_get_contents (path, &data, len, &error))
    g_error ("fixture %s: %s", name, error->message);
  return data;
}

static void
send_fixture (SoupServerMessage *msg,
              guint              status,
              const char        *fixture)
{
  gsize len;
  char *data = mock_read_fixture (fixture, &len);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, data, len);
}

static void
stream_job_free (StreamJob *job)
{
  if (job->timer != NULL)
    {
      g_source_destroy (job->timer);
      g_source_unref (job->timer);
    }
  g_strfreev (job->events);
  g_object_unref (job->msg);
  g_free (job);
}

static void
stream_finished_cb (SoupServerMessage *msg,
                    gpointer           user_data)
{
  StreamJob *job = user_data;
  MockUpstream *mock = job->mock;

  g_mutex_lock (&mock->lock);
  mock->stream_closed = TRUE;
  g_cond_broadcast (&mock->cond);
  g_mutex_unlock (&mock->lock);
  job->finished = TRUE;
  g_signal_handlers_disconnect_by_data (msg, job);
  stream_job_free (job);
}

static gboolean
gate_open (StreamJob *job)
{
  MockUpstream *mock = job->mock;
  gboolean open;

  g_mutex_lock (&mock->lock);
  open = mock->releases >= job->next;
  if (!open && g_get_monotonic_time () - job->gate_started > GATE_TIMEOUT_MS * 1000)
    {
      mock->gate_timeouts++;
      open = TRUE;
    }
  g_mutex_unlock (&mock->lock);
  return open;
}

static gboolean
stream_tick_cb (gpointer data)
{
  StreamJob *job = data;
  SoupMessageBody *body = soup_server_message_get_response_body (job->msg);

  if (job->endless)
    {
      static const char event[] =
        "data: {\"id\":\"e\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
        "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"more \"},\"finish_reason\":null}]}\n\n";

      soup_message_body_append (body, SOUP_MEMORY_STATIC, event, sizeof event - 1);
      soup_server_message_unpause (job->msg);
      return G_SOURCE_CONTINUE;
    }

  /* The blank tail after the last event needs no gate. */
  if (job->events[job->next] != NULL && *job->events[job->next] == '\0')
    {
      job->next++;
      return G_SOURCE_CONTINUE;
    }
  if (job->gated && job->next > 0 && !gate_open (job))
    return G_SOURCE_CONTINUE;

  if (job->events[job->next] == NULL)
    {
      g_clear_pointer (&job->timer, g_source_unref);
      soup_message_body_complete (body);
      soup_server_message_unpause (job->msg);
      return G_SOURCE_REMOVE;
    }

  if (*job->events[job->next] != '\0')
    {
      g_autofree char *event = g_strconcat (job->events[job->next], "\n\n", NULL);

      soup_message_body_append (body, SOUP_MEMORY_COPY, event, strlen (event));
      soup_server_message_unpause (job->msg);
    }
  job->next++;
  job->gate_started = g_get_monotonic_time ();
  return G_SOURCE_CONTINUE;
}

static void
start_stream (MockUpstream      *mock,
              SoupServerMessage *msg,
              const char        *fixture,
              gboolean           gated,
              gboolean           endless)
{
  StreamJob *job = g_new0 (StreamJob, 1);
  gsize len = 0;
  g_autofree char *data = fixture ? mock_read_fixture (fixture, &len) : g_strdup ("");
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  job->mock = mock;
  job->msg = g_object_ref (msg);
  job->events = g_strsplit (data, "\n\n", -1);
  job->gated = gated;
  job->endless = endless;
  job->gate_started = g_get_monotonic_time ();

  soup_server_message_set_status (msg, 200, NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_headers_set_content_type (headers, "text/event-stream", NULL);
  soup_server_message_pause (msg);
  g_signal_connect (msg, "finished", G_CALLBACK (stream_finished_cb), job);

  job->timer = g_timeout_source_new (gated ? 5 : 20);
  g_source_set_callback (job->timer, stream_tick_cb, job, NULL);
  g_source_attach (job->timer, mock->context);
}

static void
chat_cb (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  MockUpstream *mock = user_data;
  g_autoptr(GBytes) bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *model = "";
  gboolean stream = FALSE;

  g_mutex_lock (&mock->lock);
  mock->requests++;
  g_free (mock->last_body);
  mock->last_body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_clear_pointer (&mock->last_headers, soup_message_headers_unref);
  mock->last_headers = soup_message_headers_ref (soup_server_message_get_request_headers (msg));
  g_mutex_unlock (&mock->lock);

  if (json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      JsonObject *obj = json_node_get_object (json_parser_get_root (parser));

      model = json_object_get_string_member_with_default (obj, "model", "");
      stream = json_object_get_boolean_member_with_default (obj, "stream", FALSE);
    }

  if (g_str_equal (model, "error500"))
    soup_server_message_set_status (msg, 500, NULL),
    soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                      "{\"error\":{\"message\":\"kaboom\",\"type\":\"server_error\"}}", 52);
  else if (g_str_equal (model, "error429"))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "7");
      send_fixture (msg, 429, "openai-error-429.json");
    }
  else if (g_str_equal (model, "slow"))
    soup_server_message_pause (msg); /* never answered */
  else if (g_str_equal (model, "garbage"))
    soup_server_message_set_status (msg, 200, NULL),
    soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "<html>", 6);
  else if (stream && g_str_equal (model, "gated"))
    start_stream (mock, msg, "openai-stream-text.sse", TRUE, FALSE);
  else if (stream && g_str_equal (model, "endless"))
    start_stream (mock, msg, NULL, FALSE, TRUE);
  else if (stream && g_str_equal (model, "tool"))
    start_stream (mock, msg, "openai-stream-tool.sse", FALSE, FALSE);
  else if (stream)
    start_stream (mock, msg, "openai-stream-text.sse", FALSE, FALSE);
  else if (g_str_equal (model, "tool"))
    send_fixture (msg, 200, "openai-response-tool.json");
  else
    send_fixture (msg, 200, "openai-response.json");
}

static gpointer
mock_thread (gpointer data)
{
  MockUpstream *mock = data;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (mock->context);
  mock->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (mock->server, "/v1/chat/completions", chat_cb, mock, NULL);
  if (!soup_server_listen_local (mock->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    g_error ("mock upstream: %s", error->message);
  uris = soup_server_get_uris (mock->server);
  mock->port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_mutex_lock (&mock->lock);
  mock->ready = TRUE;
  g_cond_signal (&mock->cond);
  g_mutex_unlock (&mock->lock);

  g_main_loop_run (mock->loop);

  g_clear_object (&mock->server);
  while (g_main_context_iteration (mock->context, FALSE))
    ;
  g_main_context_pop_thread_default (mock->context);
  return NULL;
}

MockUpstream *
mock_upstream_new (void)
{
  MockUpstream *mock = g_new0 (MockUpstream, 1);

  g_mutex_init (&mock->lock);
  g_cond_init (&mock->cond);
  mock->context = g_main_context_new ();
  mock->loop = g_main_loop_new (mock->context, FALSE);
  mock->thread = g_thread_new ("mock-upstream", mock_thread, mock);

  g_mutex_lock (&mock->lock);
  while (!mock->ready)
    g_cond_wait (&mock->cond, &mock->lock);
  g_mutex_unlock (&mock->lock);
  return mock;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
mock_upstream_free (MockUpstream *mock)
{
  g_main_context_invoke (mock->context, quit_cb, mock->loop);
  g_thread_join (mock->thread);
  g_main_loop_unref (mock->loop);
  g_main_context_unref (mock->context);
  g_free (mock->last_body);
  g_clear_pointer (&mock->last_headers, soup_message_headers_unref);
  g_mutex_clear (&mock->lock);
  g_cond_clear (&mock->cond);
  g_free (mock);
}

guint16
mock_upstream_get_port (MockUpstream *mock)
{
  return mock->port;
}

char *
mock_upstream_dup_url (MockUpstream *mock)
{
  return g_strdup_printf ("http://127.0.0.1:%u", mock->port);
}

guint
mock_upstream_get_requests (MockUpstream *mock)
{
  guint n;

  g_mutex_lock (&mock->lock);
  n = mock->requests;
  g_mutex_unlock (&mock->lock);
  return n;
}

char *
mock_upstream_dup_last_body (MockUpstream *mock)
{
  char *body;

  g_mutex_lock (&mock->lock);
  body = g_strdup (mock->last_body);
  g_mutex_unlock (&mock->lock);
  return body;
}

char *
mock_upstream_dup_last_header (MockUpstream *mock,
                               const char   *name)
{
  char *value = NULL;

  g_mutex_lock (&mock->lock);
  if (mock->last_headers != NULL)
    value = g_strdup (soup_message_headers_get_one (mock->last_headers, name));
  g_mutex_unlock (&mock->lock);
  return value;
}

void
mock_upstream_release (MockUpstream *mock)
{
  g_mutex_lock (&mock->lock);
  mock->releases++;
  g_mutex_unlock (&mock->lock);
}

guint
mock_upstream_get_gate_timeouts (MockUpstream *mock)
{
  guint n;

  g_mutex_lock (&mock->lock);
  n = mock->gate_timeouts;
  g_mutex_unlock (&mock->lock);
  return n;
}

gint64
mock_upstream_wait_stream_closed (MockUpstream *mock,
                                  guint         timeout_ms)
{
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = start + (gint64) timeout_ms * 1000;
  gboolean closed;

  g_mutex_lock (&mock->lock);
  while (!mock->stream_closed && g_cond_wait_until (&mock->cond, &mock->lock, deadline))
    ;
  closed = mock->stream_closed;
  mock->stream_closed = FALSE;
  g_mutex_unlock (&mock->lock);
  return closed ? (g_get_monotonic_time () - start) / 1000 : -1;
}
