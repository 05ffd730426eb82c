/* gr-log.h — log lines that name the request they belong to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Code that works for one request enters a request scope on the current
 * thread (GR_LOG_REQUEST_SCOPE); every g_message(), g_warning() … emitted
 * inside it gets the structured field GR_REQUEST_ID from gr_log_writer(),
 * shown in the text and JSON outputs and passed to journald as a field.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define GR_LOG_FIELD_REQUEST_ID "GR_REQUEST_ID"

/* Makes request_id (borrowed: it must outlive the scope) the current
 * thread's request; returns the previous one for gr_log_scope_leave(). */
const char *gr_log_scope_enter (const char *request_id);
void        gr_log_scope_leave (const char *previous);
/* The current thread's request id, or NULL. */
const char *gr_log_get_request_id (void);

typedef struct
{
  const char *previous;
} GrLogScope;

static inline void
gr_log_scope_clear (GrLogScope *scope)
{
  gr_log_scope_leave (scope->previous);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GrLogScope, gr_log_scope_clear)

/* A scope declared before the id is known:
 *   g_auto(GrLogScope) scope = GR_LOG_SCOPE_INIT;
 *   …
 *   gr_log_scope_enter (id);
 * restores the thread's request at the end of the block. */
#define GR_LOG_SCOPE_INIT { gr_log_get_request_id () }

/* Until the end of the enclosing block, logs carry request_id. */
#define GR_LOG_REQUEST_SCOPE(request_id) \
  g_auto(GrLogScope) G_PASTE (gr_log_scope_, __LINE__) G_GNUC_UNUSED = { gr_log_scope_enter (request_id) }

/* Logs a body ("client request", "upstream answer" …) in the current
 * scope, with secret (nullable: the provider credential, which upstream
 * errors may quote) replaced by "[redacted]"; only for [gateway] log_bodies, a debugging aid: bodies hold the
 * users' conversations and are never logged otherwise. */
void gr_log_body (const char *what,
                  const char *data,
                  gsize       len,
                  const char *secret);

/* One log line as text ("TIME LEVEL [REQUEST_ID] MESSAGE") or as a JSON
 * object (time, level, domain, request_id, message), without a newline.
 * The request id comes from the fields, else from the current scope. */
char *gr_log_format (GLogLevelFlags   level,
                     const GLogField *fields,
                     gsize            n_fields,
                     gboolean         json);

/* A GLogWriterFunc for programs (gaiarouterd): user_data is
 * GINT_TO_POINTER (json).  Debug and info lines follow G_MESSAGES_DEBUG
 * like GLib's default writer; under journald the fields go as they are. */
GLogWriterOutput gr_log_writer (GLogLevelFlags   level,
                                const GLogField *fields,
                                gsize            n_fields,
                                gpointer         user_data);

G_END_DECLS
