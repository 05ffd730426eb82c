/* gr-curl-loop.c — libcurl multi driven by a GMainContext
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * curl tells us which sockets to watch and when to wake it up; we turn
 * those wishes into GSources on the gateway thread's context, so upstream
 * I/O never needs a thread of its own and never blocks the loop.
 *
 * The sockets live in one epoll set watched by a single GSource: GLib's
 * main loop scans every source and polls every fd on each iteration, so
 * a source per upstream connection made each iteration cost grow with the
 * number of open streams.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>

#include <curl/curl.h>

#include "core/gr-log.h"
#include "upstream/gr-curl-loop.h"

/* Finished easy handles kept for the next transfers: curl_easy_reset()
 * is much cheaper than curl_easy_cleanup() + curl_easy_init(). */
#define EASY_POOL_MAX 64

/* After gr_transfer_cancel() the transfer may go on reading for this long
 * (and this much): a stream cancelled right after its last event usually
 * has only the chunked terminator left, and letting curl read it keeps the
 * upstream connection reusable instead of closing it. */
#define DRAIN_GRACE_MS   50
#define DRAIN_MAX_BYTES  (64 * 1024)

/* First-byte and idle timeouts are deadlines checked by one source per
 * loop, this often, while transfers run.  A GSource per transfer would be
 * scanned by every iteration of the main loop: with a thousand open
 * streams, that scan costs more than the requests themselves.  Timeouts
 * are seconds long, so firing up to a tick late does not matter. */
#define WATCHDOG_TICK_MS 100

/* Ready sockets handled per dispatch; more wait for the next iteration. */
#define EPOLL_BATCH 64

struct _GrCurlLoop
{
  GMainContext *context;
  CURLM        *multi;
  GSource      *timer;       /* curl's timeout, a DeadlineSource */
  GSource      *watchdog;    /* deadline checks of all transfers, see WATCHDOG_TICK_MS */
  GHashTable   *transfers;   /* GrTransfer* set, to free leftovers */
  GPtrArray    *easy_pool;   /* of CURL*, reset and ready for reuse */
  int           epfd;        /* epoll set of curl's sockets */
  GSource      *sockets;     /* watches epfd */
  GPtrArray    *to_flush;    /* of GrTransfer*: got data in this socket action */
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
  gint64              deadline_us;    /* first-byte / idle timeout (monotonic), 0 = none */
  GSource            *cancel_source;  /* pending finish of a cancelled transfer */
  gsize               drained;        /* bytes read after the cancel */
  char               *header_value;   /* last gr_transfer_get_header() answer */
  int                 first_byte_timeout_ms;
  int                 idle_timeout_ms;
  gsize               max_response_bytes;
  gsize               received;
  GString            *response_headers; /* header lines of the last response, raw */
  GrTransferResult    forced_result;  /* set when we abort the transfer ourselves */
  gboolean            got_response;
  gboolean            cancelled;
  gboolean            flush_queued;   /* in loop->to_flush */
  gboolean            log_bodies;
  char               *request_id;     /* the callbacks run in its log scope */
  char               *log_secret;
  char                errbuf[CURL_ERROR_SIZE];
};

typedef struct
{
  GSource     source;
  GrCurlLoop *loop;
} SocketsSource;

static void check_multi_info (GrCurlLoop *loop);
static gboolean watchdog_tick_cb (gpointer data);

/* Calls on_flush once for each transfer that received data during the
 * socket action that just ran. */
static void
flush_transfers (GrCurlLoop *loop)
{
  for (guint i = 0; i < loop->to_flush->len; i++)
    {
      GrTransfer *t = g_ptr_array_index (loop->to_flush, i);

      t->flush_queued = FALSE;
      if (!t->cancelled)
        t->callbacks.on_flush (t, t->user_data);
    }
  g_ptr_array_set_size (loop->to_flush, 0);
}

static void
socket_action (GrCurlLoop    *loop,
               curl_socket_t  fd,
               int            events)
{
  int running = 0;

  curl_multi_socket_action (loop->multi, fd, events, &running);
  flush_transfers (loop);
  check_multi_info (loop);
}

static gboolean
sockets_source_dispatch (GSource    *source,
                         GSourceFunc callback,
                         gpointer    user_data)
{
  GrCurlLoop *loop = ((SocketsSource *) source)->loop;
  struct epoll_event events[EPOLL_BATCH];
  int n;

  do
    n = epoll_wait (loop->epfd, events, EPOLL_BATCH, 0);
  while (n < 0 && errno == EINTR);

  /* Level-triggered: what is left over is reported again. */
  for (int i = 0; i < n; i++)
    {
      int what = 0;

      if (events[i].events & EPOLLIN)
        what |= CURL_CSELECT_IN;
      if (events[i].events & EPOLLOUT)
        what |= CURL_CSELECT_OUT;
      if (events[i].events & (EPOLLERR | EPOLLHUP))
        what |= CURL_CSELECT_ERR;
      socket_action (loop, events[i].data.fd, what);
    }
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs sockets_source_funcs = {
  .dispatch = sockets_source_dispatch,
};

static guint32
epoll_events_for (int what)
{
  guint32 events = 0;

  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
    events |= EPOLLIN;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
    events |= EPOLLOUT;
  return events;  /* EPOLLERR and EPOLLHUP are always reported */
}

static int
socket_cb (CURL          *easy,
           curl_socket_t  fd,
           int            what,
           void          *userp,
           void          *socketp)
{
  GrCurlLoop *loop = userp;
  struct epoll_event ev = { 0 };

  if (what == CURL_POLL_REMOVE)
    {
      /* curl says so before it closes the socket; the fd may already be
       * gone from the set if it was closed, which is fine. */
      if (socketp != NULL)
        {
          curl_multi_assign (loop->multi, fd, NULL);
          epoll_ctl (loop->epfd, EPOLL_CTL_DEL, fd, NULL);
        }
      return 0;
    }

  ev.events = epoll_events_for (what);
  ev.data.fd = fd;
  if (socketp == NULL)
    {
      if (epoll_ctl (loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 && errno == EEXIST)
        epoll_ctl (loop->epfd, EPOLL_CTL_MOD, fd, &ev);
      /* Any non-NULL pointer: it marks the socket as in the set. */
      curl_multi_assign (loop->multi, fd, loop);
    }
  else if (epoll_ctl (loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 && errno == ENOENT)
    epoll_ctl (loop->epfd, EPOLL_CTL_ADD, fd, &ev);

  return 0;
}

static gboolean
timer_fired_cb (gpointer data)
{
  GrCurlLoop *loop = data;

  socket_action (loop, CURL_SOCKET_TIMEOUT, 0);
  return G_SOURCE_CONTINUE;
}

/* A source that fires once its deadline has passed.  curl moves its
 * timeout several times per transfer; g_source_set_ready_time() would
 * write to the context's wakeup eventfd on every move (measured: ~70
 * write() calls per streamed request), while a deadline read in prepare()
 * costs nothing: it is only ever moved from the loop's own thread, which
 * reads it again before it next polls. */
typedef struct
{
  GSource source;
  gint64  deadline_us;  /* monotonic, -1 = disarmed */
} DeadlineSource;

static gboolean
deadline_prepare (GSource *source,
                  gint    *timeout)
{
  gint64 deadline = ((DeadlineSource *) source)->deadline_us;
  gint64 now;

  *timeout = -1;
  if (deadline < 0)
    return FALSE;
  now = g_source_get_time (source);
  if (now >= deadline)
    return TRUE;
  *timeout = (gint) MIN ((deadline - now + 999) / 1000, G_MAXINT);
  return FALSE;
}

static gboolean
deadline_check (GSource *source)
{
  gint64 deadline = ((DeadlineSource *) source)->deadline_us;

  return deadline >= 0 && g_source_get_time (source) >= deadline;
}

static gboolean
deadline_dispatch (GSource     *source,
                   GSourceFunc  callback,
                   gpointer     user_data)
{
  ((DeadlineSource *) source)->deadline_us = -1;
  return callback (user_data);
}

static GSourceFuncs deadline_source_funcs = {
  .prepare = deadline_prepare,
  .check = deadline_check,
  .dispatch = deadline_dispatch,
};

static GSource *
deadline_source_new (GMainContext *context,
                     const char   *name,
                     GSourceFunc   func,
                     gpointer      data)
{
  GSource *source = g_source_new (&deadline_source_funcs, sizeof (DeadlineSource));

  ((DeadlineSource *) source)->deadline_us = -1;
  g_source_set_callback (source, func, data, NULL);
  g_source_set_static_name (source, name);
  g_source_attach (source, context);
  return source;
}

static void
source_arm (GSource *source,
            gint64   ms)
{
  ((DeadlineSource *) source)->deadline_us = ms < 0 ? -1 : g_get_monotonic_time () + ms * 1000;
}

static gboolean
source_armed (GSource *source)
{
  return ((DeadlineSource *) source)->deadline_us >= 0;
}

static int
timer_cb (CURLM *multi,
          long   timeout_ms,
          void  *userp)
{
  GrCurlLoop *loop = userp;

  source_arm (loop->timer, timeout_ms);
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
  loop->easy_pool = g_ptr_array_new_with_free_func ((GDestroyNotify) curl_easy_cleanup);
  loop->to_flush = g_ptr_array_new ();
  loop->timer = deadline_source_new (context, "gr-curl-timer", timer_fired_cb, loop);
  loop->watchdog = deadline_source_new (context, "gr-curl-watchdog", watchdog_tick_cb, loop);
  loop->epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (loop->epfd < 0)
    g_error ("gr-curl-loop: epoll_create1: %s", g_strerror (errno));
  loop->sockets = g_source_new (&sockets_source_funcs, sizeof (SocketsSource));
  ((SocketsSource *) loop->sockets)->loop = loop;
  g_source_add_unix_fd (loop->sockets, loop->epfd, G_IO_IN);
  g_source_set_static_name (loop->sockets, "gr-curl-sockets");
  g_source_attach (loop->sockets, context);
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
  g_ptr_array_unref (loop->easy_pool);
  g_ptr_array_unref (loop->to_flush);

  curl_multi_cleanup (loop->multi);
  g_source_destroy (loop->timer);
  g_source_unref (loop->timer);
  g_source_destroy (loop->watchdog);
  g_source_unref (loop->watchdog);
  g_source_destroy (loop->sockets);
  g_source_unref (loop->sockets);
  close (loop->epfd);
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
  GPtrArray *pool = t->loop->easy_pool;

  if (t->flush_queued)
    g_ptr_array_remove_fast (t->loop->to_flush, t);
  curl_multi_remove_handle (t->loop->multi, t->easy);
  if (pool->len < EASY_POOL_MAX)
    {
      curl_easy_reset (t->easy);
      g_ptr_array_add (pool, t->easy);
    }
  else
    curl_easy_cleanup (t->easy);
  curl_slist_free_all (t->headers);
  g_clear_pointer (&t->body, g_bytes_unref);
  if (t->cancel_source != NULL)
    {
      g_source_destroy (t->cancel_source);
      g_source_unref (t->cancel_source);
    }
  g_string_free (t->response_headers, TRUE);
  g_free (t->header_value);
  g_free (t->request_id);
  if (t->log_secret != NULL)
    explicit_bzero (t->log_secret, strlen (t->log_secret));
  g_free (t->log_secret);
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
  if (!t->cancelled)
    {
      GR_LOG_REQUEST_SCOPE (t->request_id);

      if (result != GR_TRANSFER_OK)
        g_message ("upstream transfer failed: %s", message);
      if (t->callbacks.on_done != NULL)
        t->callbacks.on_done (t, result, message, t->user_data);
    }
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
      /* A cancelled transfer that completed while draining: its
       * connection goes back to the pool, and no callback runs. */
      if (t->cancelled)
        {
          transfer_finish (t, GR_TRANSFER_FAILED, "cancelled");
          continue;
        }

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
            {
              GR_LOG_REQUEST_SCOPE (t->request_id);

              t->callbacks.on_response (t, (int) status, t->user_data);
            }
        }
      transfer_finish (t, result, message);
    }
}

static void
arm_watchdog (GrTransfer *t,
              int         ms)
{
  t->deadline_us = ms > 0 ? g_get_monotonic_time () + (gint64) ms * 1000 : 0;
}

static gboolean
watchdog_tick_cb (gpointer data)
{
  GrCurlLoop *loop = data;
  g_autoptr(GPtrArray) expired = NULL;
  GHashTableIter iter;
  gpointer key;
  gint64 now = g_get_monotonic_time ();

  g_hash_table_iter_init (&iter, loop->transfers);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      GrTransfer *t = key;

      if (t->deadline_us > 0 && t->deadline_us <= now)
        {
          if (expired == NULL)
            expired = g_ptr_array_new ();
          g_ptr_array_add (expired, t);
        }
    }
  for (guint i = 0; expired != NULL && i < expired->len; i++)
    {
      GrTransfer *t = g_ptr_array_index (expired, i);

      t->deadline_us = 0;
      t->forced_result = GR_TRANSFER_TIMEOUT;
      g_strlcpy (t->errbuf, t->received == 0 ? "no answer from the upstream in time"
                                             : "the upstream went silent", sizeof t->errbuf);
      transfer_finish (t, GR_TRANSFER_TIMEOUT, t->errbuf);
    }
  source_arm (loop->watchdog, g_hash_table_size (loop->transfers) > 0 ? WATCHDOG_TICK_MS : -1);
  return G_SOURCE_CONTINUE;
}

static size_t
header_cb (char   *buffer,
           size_t  size,
           size_t  nitems,
           void   *userdata)
{
  GrTransfer *t = userdata;
  size_t len = size * nitems;

  /* Kept raw and parsed only when asked for (rarely: error answers):
   * most answers never need a header. A new status line (after 100
   * Continue or a redirect) starts afresh. */
  if (len > 5 && memcmp (buffer, "HTTP/", 5) == 0)
    g_string_truncate (t->response_headers, 0);
  else
    g_string_append_len (t->response_headers, buffer, len);
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
  GR_LOG_REQUEST_SCOPE (t->request_id);

  if (t->cancelled)
    {
      /* Draining (see DRAIN_GRACE_MS): read and drop. */
      t->drained += len;
      return t->drained <= DRAIN_MAX_BYTES ? len : 0;
    }

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

  if (t->log_bodies)
    gr_log_body ("upstream answer", ptr, len, t->log_secret);
  if (t->callbacks.on_data != NULL)
    t->callbacks.on_data (t, ptr, len, t->user_data);
  if (t->callbacks.on_flush != NULL && !t->flush_queued && !t->cancelled)
    {
      t->flush_queued = TRUE;
      g_ptr_array_add (t->loop->to_flush, t);
    }
  /* Even when on_data cancelled the transfer: the rest drains. */
  return len;
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
  if (loop->easy_pool->len > 0)
    t->easy = g_ptr_array_steal_index_fast (loop->easy_pool, loop->easy_pool->len - 1);
  else
    t->easy = curl_easy_init ();
  t->callbacks = *callbacks;
  t->user_data = user_data;
  t->first_byte_timeout_ms = options->first_byte_timeout_ms;
  t->idle_timeout_ms = options->idle_timeout_ms;
  t->max_response_bytes = options->max_response_bytes;
  t->request_id = g_strdup (options->request_id);
  t->log_bodies = options->log_bodies;
  if (t->log_bodies)
    t->log_secret = g_strdup (options->log_secret);
  t->response_headers = g_string_sized_new (256);

  for (guint i = 0; i < request->headers->len; i++)
    t->headers = curl_slist_append (t->headers, g_ptr_array_index (request->headers, i));
  /* curl would otherwise send "Expect: 100-continue" for large bodies. */
  t->headers = curl_slist_append (t->headers, "Expect:");

  if (request->body != NULL)
    {
      t->body = g_bytes_ref (request->body);
      body = g_bytes_get_data (t->body, &body_len);
      if (t->log_bodies)
        {
          GR_LOG_REQUEST_SCOPE (t->request_id);

          gr_log_body ("upstream request", body, body_len, t->log_secret);
        }
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
  if (!source_armed (loop->watchdog))
    source_arm (loop->watchdog, WATCHDOG_TICK_MS);
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
  GSource *timeout;

  g_return_if_fail (transfer != NULL);

  if (transfer->cancelled)
    return;
  transfer->cancelled = TRUE;
  arm_watchdog (transfer, -1);
  /* We may be inside one of curl's callbacks for this very handle, where
   * removing it is not allowed: curl finishes it (check_multi_info) if the
   * rest arrives within the grace time, else this source does. */
  timeout = g_timeout_source_new (DRAIN_GRACE_MS);
  g_source_set_callback (timeout, cancel_idle_cb, transfer, NULL);
  g_source_set_static_name (timeout, "gr-transfer-drain");
  g_source_attach (timeout, transfer->loop->context);
  transfer->cancel_source = timeout;
}

/* The value stays valid until the next call for this transfer. */
const char *
gr_transfer_get_header (GrTransfer *transfer,
                        const char *name)
{
  const char *p, *end, *value = NULL, *value_end = NULL;
  gsize name_len;

  g_return_val_if_fail (transfer != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  name_len = strlen (name);
  p = transfer->response_headers->str;
  end = p + transfer->response_headers->len;
  while (p < end)
    {
      const char *eol = memchr (p, '\n', end - p);
      const char *next = eol != NULL ? eol + 1 : end;

      /* The last header of that name wins, as it always did. */
      if ((gsize) (next - p) > name_len && p[name_len] == ':' &&
          g_ascii_strncasecmp (p, name, name_len) == 0)
        {
          value = p + name_len + 1;
          value_end = next;
          while (value < value_end && (*value == ' ' || *value == '\t'))
            value++;
          while (value_end > value && g_ascii_isspace (value_end[-1]))
            value_end--;
        }
      p = next;
    }
  if (value == NULL)
    return NULL;
  g_free (transfer->header_value);
  transfer->header_value = g_strndup (value, value_end - value);
  return transfer->header_value;
}
