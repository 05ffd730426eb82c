/* mock-upstream.h — a loopback upstream speaking the providers' real wire formats
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A SoupServer on its own thread and context.  It speaks four dialects,
 * one per path, and rejects what the real APIs reject (so a translation
 * slip fails a test rather than passing silently):
 *
 *   POST /v1/chat/completions          OpenAI (and OpenAI-compatible servers)
 *   POST /api/v1/chat/completions      OpenRouter (OpenAI plus its extras)
 *   POST /v1/messages                  Anthropic Messages
 *   POST /v1beta/models/{m}:generateContent,
 *        /v1beta/models/{m}:streamGenerateContent?alt=sse   Gemini
 *
 * What it answers is chosen by the model name of the request (for Gemini,
 * the model in the path).  The name is searched for these words, in this
 * order, so "claude-tool", "gemini-tool" and "tool" all mean the same:
 *
 *   flaky<N>      500 for the first N requests with this model name, then ok
 *   error500      500 with the dialect's error body
 *   error429      429 with Retry-After: 7 (Gemini: RetryInfo 17s in the body)
 *   error400      400 (OpenAI: context length exceeded)
 *   overloaded    Anthropic 529 overloaded_error; others 503
 *   stream-error  a stream that fails after some content (the dialect's
 *                 in-band error fixture; Gemini: the body just ends)
 *   truncated     the text stream without its last event
 *   slowstart     the normal stream, its first byte after 1.5 s
 *   slow          never answers
 *   garbage       200 with a body that is not JSON
 *   gated         a stream whose event N+1 is only sent after the test called
 *                 mock_upstream_release() for event N
 *   endless       a stream that never ends (an event every 20 ms)
 *   flood         OpenAI dialect: a stream that never ends, ~64 KiB every
 *                 20 ms; not streamed, a valid answer of MOCK_FLOOD_BYTES
 *   echo-key      400 whose message quotes the credential it received
 *   tool          the dialect's tool-call fixtures
 *   (anything else)  the dialect's text fixtures
 *
 * Fixture files are served byte for byte (Gemini streams keep CRLF).
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _MockUpstream MockUpstream;

#define MOCK_SLOWSTART_MS 1500
#define MOCK_FLOOD_BYTES  (3 * 1024 * 1024)

MockUpstream *mock_upstream_new            (void);
/* Listens on 127.0.0.1:port (0 = any free port); NULL and *error on failure. */
MockUpstream *mock_upstream_new_full       (guint16       port,
                                            GError      **error);
void          mock_upstream_free           (MockUpstream *mock);
guint16       mock_upstream_get_port       (MockUpstream *mock);
/* "http://127.0.0.1:PORT" */
char         *mock_upstream_dup_url        (MockUpstream *mock);
guint         mock_upstream_get_requests   (MockUpstream *mock);
/* Requests seen for one model name (as the upstream received it). */
guint         mock_upstream_get_model_requests (MockUpstream *mock,
                                                const char   *model);
/* Body, path (with "?query") and a header of the last request (copies). */
char         *mock_upstream_dup_last_body  (MockUpstream *mock);
char         *mock_upstream_dup_last_path  (MockUpstream *mock);
char         *mock_upstream_dup_last_header (MockUpstream *mock,
                                             const char   *name);
/* OpenRouter requests without HTTP-Referer and X-Title get a 400. */
void          mock_upstream_set_require_attribution (MockUpstream *mock,
                                                     gboolean      require);
/* Lets the gated stream send its next event. */
void          mock_upstream_release        (MockUpstream *mock);
/* Lets the gated stream send all the rest, as fast as it can. */
void          mock_upstream_open_gate      (MockUpstream *mock);
/* Waits up to timeout_ms for a stream to be closed by its client;
 * returns the milliseconds it took since the call, or -1. */
gint64        mock_upstream_wait_stream_closed (MockUpstream *mock,
                                                guint         timeout_ms);
/* Events the gated stream had to send without a release (should be 0). */
guint         mock_upstream_get_gate_timeouts (MockUpstream *mock);

/* Fixtures come from G_TEST_DIST/fixtures/wire in a GLib test, otherwise
 * from this directory (default: the source tree's tests/fixtures/wire). */
void          mock_set_fixture_dir         (const char   *dir);
char         *mock_read_fixture            (const char   *name,
                                            gsize        *len);

G_END_DECLS
