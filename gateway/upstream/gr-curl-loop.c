/* gr-curl-loop.c — libcurl multi driven by a GMainContext
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * curl tells us which sockets to watch and when to wake it up; we turn
 * those wishes into GSources on the gateway thread's context, so upstream
 * I/O never needs a thread of its own and never blocks the loop.
 */
#include "config.h"

#include <curl/curl.h>

#include "upstream/gr-curl-loop.h"

struct _GrCurlLoop
{
  GMainContext *context;
  CURLM        *multi;
  GSource      *timer;
  GHashTable   *transfers;   /* GrTransfer* set, to free leftovers */
  gboolean      in_dispatch;
};

struct _GrTransfer
{
  GrCurlLoop         *loop;
  CURL               *easy;
  struct curl_slist  *headers;
  GBytes             *body;
  GrTransferCallbacks callbacks;
  gpointer            user_data;
  GSource            *watchdog;       /* first-byte / idle timeout */
  GSource            *cancel_source;  /* pending finish of a cancelled transfer */
  int                 first_byte_timeout_ms;
  int                 idle_timeout_ms;
  gsize               max_response_bytes;
  gsize               received;
  GHashTable         *response_headers;
  GrTransferResult    forced_result;  /* set when we abort the transfer ourselves */
  gboolean            got_response;
  gboolean            cancelled;
  char                errbuf[CURL_ERROR_SIZE];
};

typedef struct
{
  GSource     source;
  GrCurlLoop *loop;
  curl_socket_t fd;
  gpointer    tag;
} SocketSource;

static void check_multi_info (GrCurlLoop *loop);

static void
socket_action (GrCurlLoop    *loop,
               curl_socket_t  fd,
               int            events)
{
  int running = 0;

  curl_multi_socket_action (loop->multi, fd, events, &running);
  check_multi_info (loop);
}

static gboolean
socket_source_dispatch (GSource    *source,
                        GSourceFunc callback,
                        gpointer    user_data)
{
  SocketSource *ss = (SocketSource *) source;
  GIOCondition cond = g_source_query_unix_fd (source, ss->tag);
  int events = 0;

  if (cond & G_IO_IN)
    events |= CURL_CSELECT_IN;
  if (cond & G_IO_OUT)
    events |= CURL_CSELECT_OUT;
  if (cond & (G_IO_ERR | G_IO_HUP))
    events |= CURL_CSELECT_ERR;
  socket_action (ss->loop, ss->fd, events);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs socket_source_funcs = {
  .dispatch = socket_source_dispatch,
};

static GIOCondition
condition_for (int what)
{
  GIOCondition cond = G_IO_ERR | G_IO_HUP;

  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
    cond |= G_IO_IN;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
    cond |= G_IO_OUT;
  return cond;
}

static int
socket_cb (CURL          *easy,
           curl_socket_t  fd,
           int            what,
           void          *userp,
           void          *socketp)
{
  GrCurlLoop *loop = userp;
  SocketSource *ss = socketp;

  if (what == CURL_POLL_REMOVE)
    {
      if (ss != NULL)
        {
          curl_multi_assign (loop->multi, fd, NULL);
          g_source_destroy ((GSource *) ss);
          g_source_unref ((GSource *) ss);
        }
      return 0;
    }

  if (ss == NULL)
    {
      ss = (SocketSource *) g_source_new (&socket_source_funcs, sizeof *ss);
      ss->loop = loop;
      ss->fd = fd;
      ss->tag = g_source_add_unix_fd ((GSource *) ss, fd, condition_for (what));
      g_source_set_static_name ((GSource *) ss, "gr-curl-socket");
      g_source_attach ((GSource *) ss, loop->context);
      curl_multi_assign (loop->multi, fd, ss);
    }
  else
    g_source_modify_unix_fd ((GSource *) ss, ss->tag, condition_for (what));

  return 0;
}

static gboolean
timer_fired_cb (gpointer data)
{
  GrCurlLoop *loop = data;

  g_clear_pointer (&loop->timer, g_source_unref);
  socket_action (loop, CURL_SOCKET_TIMEOUT, 0);
  return G_SOURCE_REMOVE;
}

static int
timer_cb (CURLM *multi,
          long   timeout_ms,
          void  *userp)
{
  GrCurlLoop *loop = userp;

  if (loop->timer != NULL)
    {
      g_source_destroy (loop->timer);
      g_clear_pointer (&loop->timer, g_source_unref);
    }
  if (timeout_ms < 0)
    return 0;

  loop->timer = g_timeout_source_new ((guint) timeout_ms);
  g_source_set_callback (loop->timer, timer_fired_cb, loop, NULL);
  g_source_set_static_name (loop->timer, "gr-curl-timer");
  g_source_attach (loop->timer, loop->context);
  return 0;
}

GrCurlLoop *
gr_curl_loop_new (GMainContext *context)
{
  static gsize initialized = 0;
  GrCurlLoop *loop;

  if (g_once_init_enter (&initialized))
    {
      curl_global_init (CURL_GLOBAL_DEFAULT);
      g_once_init_leave (&initialized, 1);
    }

  loop = g_new0 (GrCurlLoop, 1);
  loop->context = g_main_context_ref (context);
  loop->multi = curl_multi_init ();
  loop->transfers = g_hash_table_new (NULL, NULL);
  curl_multi_setopt (loop->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
  curl_multi_setopt (loop->multi, CURLMOPT_SOCKETDATA, loop);
  curl_multi_setopt (loop->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
  curl_multi_setopt (loop->multi, CURLMOPT_TIMERDATA, loop);
  /* Several requests to one upstream share HTTP/2 connections. */
  curl_multi_setopt (loop->multi, CURLMOPT_PIPELINING, (long) CURLPIPE_MULTIPLEX);
  curl_multi_setopt (loop->multi, CURLMOPT_MAXCONNECTS, 256L);
  return loop;
}

static void transfer_free (GrTransfer *t);

void
gr_curl_loop_free (GrCurlLoop *loop)
{
  GHashTableIter iter;
  gpointer key;

  if (loop == NULL)
    return;

  g_hash_table_iter_init (&iter, loop->transfers);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      g_hash_table_iter_remove (&iter);
      transfer_free (key);
    }
  g_hash_table_unref (loop->transfers);

  curl_multi_cleanup (loop->multi);
  if (loop->timer != NULL)
    {
      g_source_destroy (loop->timer);
      g_source_unref (loop->timer);
    }
  g_main_context_unref (loop->context);
  g_free (loop);
}

guint
gr_curl_loop_get_active (GrCurlLoop *loop)
{
  return g_hash_table_size (loop->transfers);
}

static void
transfer_free (GrTransfer *t)
{
  curl_multi_remove_handle (t->loop->multi, t->easy);
  curl_easy_cleanup (t->easy);
  curl_slist_free_all (t->headers);
  g_clear_pointer (&t->body, g_bytes_unref);
  if (t->watchdog != NULL)
    {
      g_source_destroy (t->watchdog);
      g_source_unref (t->watchdog);
    }
  if (t->cancel_source != NULL)
    {
      g_source_destroy (t->cancel_source);
      g_source_unref (t->cancel_source);
    }
  g_clear_pointer (&t->response_headers, g_hash_table_unref);
  g_free (t);
}

static void
transfer_finish (GrTransfer      *t,
                 GrTransferResult result,
                 const char      *message)
{
  GrCurlLoop *loop = t->loop;

  g_hash_table_remove (loop->transfers, t);
  curl_multi_remove_handle (loop->multi, t->easy);
  if (!t->cancelled && t->callbacks.on_done != NULL)
    t->callbacks.on_done (t, result, message, t->user_data);
  transfer_free (t);
}

static GrTransferResult
result_for_code (CURLcode code)
{
  switch (code)
    {
    case CURLE_OK:
      return GR_TRANSFER_OK;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return GR_TRANSFER_CONNECT_FAILED;
    case CURLE_OPERATION_TIMEDOUT:
      return GR_TRANSFER_TIMEOUT;
    default:
      return GR_TRANSFER_FAILED;
    }
}

static void
check_multi_info (GrCurlLoop *loop)
{
  CURLMsg *msg;
  int left;

  while ((msg = curl_multi_info_read (loop->multi, &left)) != NULL)
    {
      GrTransfer *t = NULL;
      GrTransferResult result;
      const char *message;

      if (msg->msg != CURLMSG_DONE)
        continue;
      curl_easy_getinfo (msg->easy_handle, CURLINFO_PRIVATE, (char **) &t);
      /* A cancelled transfer is finished by its own idle source. */
      if (t->cancelled)
        continue;

      if (t->forced_result != GR_TRANSFER_OK)
        result = t->forced_result;
      else
        result = result_for_code (msg->data.result);
      message = t->errbuf[0] ? t->errbuf : curl_easy_strerror (msg->data.result);

      /* An empty body still has a status. */
      if (result == GR_TRANSFER_OK && !t->got_response && !t->cancelled)
        {
          long status = 0;

          curl_easy_getinfo (t->easy, CURLINFO_RESPONSE_CODE, &status);
          t->got_response = TRUE;
          if (t->callbacks.on_response != NULL)
            t->callbacks.on_response (t, (int) status, t->user_data);
        }
      transfer_finish (t, result, message);
    }
}

static gboolean
watchdog_cb (gpointer data)
{
  GrTransfer *t = data;

  g_clear_pointer (&t->watchdog, g_source_unref);
  t->forced_result = GR_TRANSFER_TIMEOUT;
  g_strlcpy (t->errbuf, t->received == 0 ? "no answer from the upstream in time"
                                         : "the upstream went silent", sizeof t->errbuf);
  transfer_finish (t, GR_TRANSFER_TIMEOUT, t->errbuf);
  return G_SOURCE_REMOVE;
}

static void
arm_watchdog (GrTransfer *t,
              int         ms)
{
  if (t->watchdog != NULL)
    {
      g_source_destroy (t->watchdog);
      g_clear_pointer (&t->watchdog, g_source_unref);
    }
  if (ms <= 0)
    return;
  t->watchdog = g_timeout_source_new ((guint) ms);
  g_source_set_callback (t->watchdog, watchdog_cb, t, NULL);
  g_source_set_static_name (t->watchdog, "gr-transfer-watchdog");
  g_source_attach (t->watchdog, t->loop->context);
}

static size_t
header_cb (char   *buffer,
           size_t  size,
           size_t  nitems,
           void   *userdata)
{
  GrTransfer *t = userdata;
  size_t len = size * nitems;
  const char *colon = memchr (buffer, ':', len);

  /* A new status line (after 100 Continue or a redirect) starts afresh. */
  if (len > 5 && memcmp (buffer, "HTTP/", 5) == 0)
    g_hash_table_remove_all (t->response_headers);
  else if (colon != NULL)
    {
      g_autofree char *name = g_ascii_strdown (buffer, colon - buffer);
      g_autofree char *value = g_strndup (colon + 1, len - (colon - buffer) - 1);

      g_hash_table_replace (t->response_headers, g_steal_pointer (&name),
                            g_strdup (g_strstrip (value)));
    }
  return len;
}

static size_t
write_cb (char   *ptr,
          size_t  size,
          size_t  nmemb,
          void   *userdata)
{
  GrTransfer *t = userdata;
  size_t len = size * nmemb;

  if (t->cancelled)
    return 0;

  if (!t->got_response)
    {
      long status = 0;

      curl_easy_getinfo (t->easy, CURLINFO_RESPONSE_CODE, &status);
      t->got_response = TRUE;
      if (t->callbacks.on_response != NULL)
        t->callbacks.on_response (t, (int) status, t->user_data);
      if (t->cancelled)
        return 0;
    }

  t->received += len;
  if (t->max_response_bytes > 0 && t->received > t->max_response_bytes)
    {
      t->forced_result = GR_TRANSFER_TOO_LARGE;
      g_strlcpy (t->errbuf, "the upstream response is larger than allowed", sizeof t->errbuf);
      return 0;
    }
  arm_watchdog (t, t->idle_timeout_ms);

  if (t->callbacks.on_data != NULL)
    t->callbacks.on_data (t, ptr, len, t->user_data);
  return t->cancelled ? 0 : len;
}

GrTransfer *
gr_curl_loop_start (GrCurlLoop                *loop,
                    const GrUpstreamRequest   *request,
                    const GrTransferOptions   *options,
                    const GrTransferCallbacks *callbacks,
                    gpointer                   user_data)
{
  GrTransfer *t = g_new0 (GrTransfer, 1);
  gsize body_len = 0;
  const char *body = NULL;

  t->loop = loop;
  t->easy = curl_easy_init ();
  t->callbacks = *callbacks;
  t->user_data = user_data;
  t->first_byte_timeout_ms = options->first_byte_timeout_ms;
  t->idle_timeout_ms = options->idle_timeout_ms;
  t->max_response_bytes = options->max_response_bytes;
  t->response_headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < request->headers->len; i++)
    t->headers = curl_slist_append (t->headers, g_ptr_array_index (request->headers, i));
  /* curl would otherwise send "Expect: 100-continue" for large bodies. */
  t->headers = curl_slist_append (t->headers, "Expect:");

  if (request->body != NULL)
    {
      t->body = g_bytes_ref (request->body);
      body = g_bytes_get_data (t->body, &body_len);
    }

  curl_easy_setopt (t->easy, CURLOPT_URL, request->url);
  curl_easy_setopt (t->easy, CURLOPT_HTTPHEADER, t->headers);
  if (body != NULL)
    {
      curl_easy_setopt (t->easy, CURLOPT_POSTFIELDS, body);
      curl_easy_setopt (t->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) body_len);
    }
  curl_easy_setopt (t->easy, CURLOPT_PRIVATE, t);
  curl_easy_setopt (t->easy, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt (t->easy, CURLOPT_WRITEDATA, t);
  curl_easy_setopt (t->easy, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt (t->easy, CURLOPT_HEADERDATA, t);
  curl_easy_setopt (t->easy, CURLOPT_ERRORBUFFER, t->errbuf);
  curl_easy_setopt (t->easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (t->easy, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt (t->easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt (t->easy, CURLOPT_CONNECTTIMEOUT_MS, (long) options->connect_timeout_ms);
  curl_easy_setopt (t->easy, CURLOPT_HTTP_VERSION, (long) CURL_HTTP_VERSION_2TLS);
  curl_easy_setopt (t->easy, CURLOPT_PROTOCOLS_STR, "http,https");
  if (options->proxy != NULL)
    curl_easy_setopt (t->easy, CURLOPT_PROXY, options->proxy);

  g_hash_table_add (loop->transfers, t);
  arm_watchdog (t, options->connect_timeout_ms + options->first_byte_timeout_ms);
  curl_multi_add_handle (loop->multi, t->easy);
  return t;
}

static gboolean
cancel_idle_cb (gpointer data)
{
  GrTransfer *t = data;

  g_clear_pointer (&t->cancel_source, g_source_unref);
  transfer_finish (t, GR_TRANSFER_FAILED, "cancelled");
  return G_SOURCE_REMOVE;
}

void
gr_transfer_cancel (GrTransfer *transfer)
{
  GSource *idle;

  g_return_if_fail (transfer != NULL);

  if (transfer->cancelled)
    return;
  transfer->cancelled = TRUE;
  if (transfer->watchdog != NULL)
    {
      g_source_destroy (transfer->watchdog);
      g_clear_pointer (&transfer->watchdog, g_source_unref);
    }
  /* We may be inside one of curl's callbacks for this very handle, where
   * removing it is not allowed: finish from the loop instead. */
  idle = g_idle_source_new ();
  g_source_set_priority (idle, G_PRIORITY_HIGH);
  g_source_set_callback (idle, cancel_idle_cb, transfer, NULL);
  g_source_attach (idle, transfer->loop->context);
  transfer->cancel_source = idle;
}

const char *
gr_transfer_get_header (GrTransfer *transfer,
                        const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  return g_hash_table_lookup (transfer->response_headers, lower);
}
