/* gr-curl-loop.h — libcurl multi driven by a GMainContext
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "providers/gr-provider.h"

G_BEGIN_DECLS

typedef struct _GrCurlLoop GrCurlLoop;
typedef struct _GrTransfer GrTransfer;

typedef enum
{
  GR_TRANSFER_OK,
  GR_TRANSFER_CONNECT_FAILED,   /* refused, DNS, TLS */
  GR_TRANSFER_TIMEOUT,          /* connect, first byte or idle timeout */
  GR_TRANSFER_FAILED,           /* reset, truncated, protocol error */
  GR_TRANSFER_TOO_LARGE,        /* response over the size cap */
} GrTransferResult;

typedef struct
{
  /* The status line and headers have arrived (before any body data). */
  void (*on_response) (GrTransfer *transfer,
                       int         status,
                       gpointer    user_data);
  void (*on_data)     (GrTransfer *transfer,
                       const char *data,
                       gsize       len,
                       gpointer    user_data);
  /* Optional: everything one socket read delivered has gone through
   * on_data (curl calls on_data once per upstream chunk, and one read
   * often holds many).  Lets the caller write to its client once per
   * read instead of once per chunk. */
  void (*on_flush)    (GrTransfer *transfer,
                       gpointer    user_data);
  /* Last call; the transfer is freed right after it returns. */
  void (*on_done)     (GrTransfer      *transfer,
                       GrTransferResult result,
                       const char      *message,
                       gpointer         user_data);
} GrTransferCallbacks;

typedef struct
{
  int         connect_timeout_ms;
  int         first_byte_timeout_ms;
  int         idle_timeout_ms;
  gsize       max_response_bytes;  /* 0 = no cap */
  const char *proxy;               /* nullable */
  const char *request_id;          /* for log lines (copied), nullable */
  gboolean    log_bodies;          /* log the request and answer bodies */
  const char *log_secret;          /* redacted from logged bodies (copied) */
} GrTransferOptions;

/* Must be called on the thread that runs context (it becomes the only
 * thread allowed to use the loop). */
GrCurlLoop *gr_curl_loop_new    (GMainContext *context);
void        gr_curl_loop_free   (GrCurlLoop   *loop);
guint       gr_curl_loop_get_active (GrCurlLoop *loop);

GrTransfer *gr_curl_loop_start  (GrCurlLoop                *loop,
                                 const GrUpstreamRequest   *request,
                                 const GrTransferOptions   *options,
                                 const GrTransferCallbacks *callbacks,
                                 gpointer                   user_data);
/* Stops the transfer; no callback runs afterwards.  Safe from inside the
 * transfer's own on_response/on_data callbacks. */
void        gr_transfer_cancel  (GrTransfer   *transfer);
/* Value of a response header (case-insensitive), or NULL; valid until the
 * next call (headers are parsed only when asked for). */
const char *gr_transfer_get_header (GrTransfer *transfer,
                                    const char *name);

G_END_DECLS
