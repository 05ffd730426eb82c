/* mock-upstream.h — a loopback upstream speaking the providers' real wire formats
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A SoupServer on its own thread and context.  What it answers is chosen
 * by the model name of the request, so one mock serves every test case:
 *
 *   ok        the fixture answer (openai-response.json / openai-stream-text.sse)
 *   tool      the tool-call fixtures
 *   gated     a stream whose event N+1 is only sent after the test called
 *             mock_upstream_release() for event N
 *   endless   a stream that never ends (an event every 20 ms)
 *   error500  500 with an OpenAI-shaped error
 *   error429  429 with Retry-After: 7
 *   slow      never answers
 *   garbage   200 with a body that is not JSON
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _MockUpstream MockUpstream;

MockUpstream *mock_upstream_new            (void);
void          mock_upstream_free           (MockUpstream *mock);
guint16       mock_upstream_get_port       (MockUpstream *mock);
/* "http://127.0.0.1:PORT" */
char         *mock_upstream_dup_url        (MockUpstream *mock);
guint         mock_upstream_get_requests   (MockUpstream *mock);
/* Body and a header of the last request (copies). */
char         *mock_upstream_dup_last_body  (MockUpstream *mock);
char         *mock_upstream_dup_last_header (MockUpstream *mock,
                                             const char   *name);
/* Lets the gated stream send its next event. */
void          mock_upstream_release        (MockUpstream *mock);
/* Waits up to timeout_ms for a stream to be closed by its client;
 * returns the milliseconds it took since the call, or -1. */
gint64        mock_upstream_wait_stream_closed (MockUpstream *mock,
                                                guint         timeout_ms);
/* Events the gated stream had to send without a release (should be 0). */
guint         mock_upstream_get_gate_timeouts (MockUpstream *mock);

char         *mock_read_fixture            (const char   *name,
                                            gsize        *len);

G_END_DECLS
