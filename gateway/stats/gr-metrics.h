/* gr-metrics.h — request counters and histograms for GET /metrics (Prometheus)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One GrMetrics is shared by every event loop of a gateway.  The request
 * path only touches it at three points (a request begins, a stream is
 * committed and sees its first byte, a request ends); everything else is
 * read when /metrics is scraped.  Series live in a small hash table under
 * one GMutex held for a few lookups; the in-flight gauges are atomics.
 *
 * Label cardinality is bounded: at most GR_METRICS_MAX_MODELS distinct
 * model labels and GR_METRICS_MAX_PROVIDERS provider labels, the rest
 * folded into "other".  A request that never reached a provider (refused
 * before routing) has provider="none"; one without a model, model="none".
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define GR_METRICS_MAX_MODELS    200
#define GR_METRICS_MAX_PROVIDERS 64

/* The Content-Type of the text exposition format. */
#define GR_METRICS_CONTENT_TYPE  "text/plain; version=0.0.4; charset=utf-8"

typedef struct _GrMetrics GrMetrics;

GrMetrics *gr_metrics_new            (void);
void       gr_metrics_free           (GrMetrics  *metrics);
/* Requests and streams being served right now. */
void       gr_metrics_get_in_flight  (GrMetrics  *metrics,
                                      gint       *requests,
                                      gint       *streams);

/* Every function below accepts metrics == NULL and then records nothing,
 * so a server built without the gateway's shared state still works. */

/* A request arrived (gaiarouter_in_flight_requests + 1). */
void       gr_metrics_request_begin  (GrMetrics  *metrics);
/* A 200 event stream was committed to the client
 * (gaiarouter_in_flight_streams + 1 until the request ends). */
void       gr_metrics_stream_begin   (GrMetrics  *metrics);
/* The first bytes of a streamed answer reached the client,
 * elapsed_us after the request arrived. */
void       gr_metrics_first_token    (GrMetrics  *metrics,
                                      const char *provider,
                                      gint64      elapsed_us);
/* The request ended, whatever its end.  provider and model may be NULL;
 * status is what the client got (499: it went away); stream_open says
 * whether gr_metrics_stream_begin() was called for it. */
void       gr_metrics_request_end    (GrMetrics  *metrics,
                                      const char *provider,
                                      const char *model,
                                      int         status,
                                      gboolean    stream_open,
                                      gint64      duration_us,
                                      gint64      prompt_tokens,
                                      gint64      completion_tokens,
                                      gint64      cost_micros);

/* Appends every family this object owns (requests, errors, tokens, cost,
 * histograms, in-flight gauges, process and build info) to out. */
void       gr_metrics_render         (GrMetrics  *metrics,
                                      GString    *out);

/* Text exposition format 0.0.4 helpers, for gauges computed elsewhere. */
void       gr_metrics_write_header   (GString    *out,
                                      const char *name,
                                      const char *type,
                                      const char *help);
/* One sample; the variadic part is label name, label value pairs ended
 * by NULL.  Values are escaped; numbers never depend on the locale. */
void       gr_metrics_write_sample   (GString    *out,
                                      const char *name,
                                      double      value,
                                      ...) G_GNUC_NULL_TERMINATED;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GrMetrics, gr_metrics_free)

G_END_DECLS
