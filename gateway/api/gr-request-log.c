/* gr-request-log.c — the log lines of a request: access line, bodies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every line is emitted inside the request's log scope, so it carries
 * GR_REQUEST_ID whichever thread or callback emits it.  Bodies are never
 * logged unless log_bodies is on: they hold the users' conversations.
 */
#include "config.h"

#include "api/gr-request-log.h"
#include "core/gr-log.h"

void
gr_request_log_finished (GrServer           *server,
                         const GrUsageEvent *e)
{
  GR_LOG_REQUEST_SCOPE (e->request_id);

  if (!server->shared->config->access_log)
    return;
  g_message ("%s %d model=%s provider=%s tokens=%" G_GINT64_FORMAT "+%" G_GINT64_FORMAT
             " cost_micros=%" G_GINT64_FORMAT " latency_ms=%" G_GINT64_FORMAT
             " ttfb_ms=%" G_GINT64_FORMAT " stream=%s%s error=%s",
             e->endpoint != NULL ? e->endpoint : "-", e->status,
             e->model != NULL ? e->model : "-", e->provider != NULL ? e->provider : "-",
             e->prompt_tokens, e->completion_tokens, e->cost_micros, e->latency_ms,
             e->ttfb_ms, e->stream ? "true" : "false", e->partial ? " partial" : "",
             e->error_code != NULL ? e->error_code : "-");
}

void
gr_request_log_admin (GrServer          *server,
                      const char        *request_id,
                      SoupServerMessage *msg,
                      guint              status,
                      gint64             started_us)
{
  GR_LOG_REQUEST_SCOPE (request_id);

  if (!server->shared->config->access_log)
    return;
  g_message ("admin %s %s %u latency_ms=%" G_GINT64_FORMAT,
             soup_server_message_get_method (msg),
             g_uri_get_path (soup_server_message_get_uri (msg)), status,
             (g_get_monotonic_time () - started_us) / 1000);
}
