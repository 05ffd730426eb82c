/* gr-sse-parser.h — incremental Server-Sent Events parser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Called once per complete event.  event is NULL when the event had no
 * "event:" field; data is the data lines joined with '\n', NUL-terminated.
 * Events without data lines (comments only, keep-alives) are not reported. */
typedef void (*GrSseEventFunc) (const char *event,
                                const char *data,
                                gsize       data_len,
                                gpointer    user_data);

typedef struct _GrSseParser GrSseParser;

GrSseParser *gr_sse_parser_new   (GrSseEventFunc  func,
                                  gpointer        user_data);
/* Bytes as they arrive; lines may end in \n, \r\n or \r and reads may split
 * anywhere, even inside a line ending or a UTF-8 sequence. */
void         gr_sse_parser_feed  (GrSseParser    *parser,
                                  const char     *bytes,
                                  gsize           len);
/* The body ended: dispatches a final event that lacked its blank line. */
void         gr_sse_parser_finish (GrSseParser   *parser);
/* Bytes buffered for the event in progress (for size caps). */
gsize        gr_sse_parser_get_pending (GrSseParser *parser);
void         gr_sse_parser_free  (GrSseParser    *parser);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GrSseParser, gr_sse_parser_free)

G_END_DECLS
