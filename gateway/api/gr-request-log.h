/* gr-request-log.h — the log lines of a request: access line, bodies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "http/gr-server.h"
#include "store/gr-records.h"

G_BEGIN_DECLS

/* [gateway] access_log: one line when an inference request is accounted. */
void gr_request_log_finished (GrServer           *server,
                              const GrUsageEvent *event);
/* [gateway] access_log: one line when an admin call is answered. */
void gr_request_log_admin    (GrServer          *server,
                              const char        *request_id,
                              SoupServerMessage *msg,
                              guint              status,
                              gint64             started_us);

G_END_DECLS
