/* gr-anthropic-inbound.h — Anthropic Messages clients over any upstream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * POST /v1/messages takes an Anthropic request, turns it into an OpenAI
 * chat request (which the normal route and translators then serve), and
 * turns the OpenAI answer, whole or chunk by chunk, back into Anthropic
 * format (wire-formats.md section 12).  Pure functions, no I/O.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "core/gr-error.h"
#include "providers/gr-usage.h"

G_BEGIN_DECLS

/* Anthropic Messages request → OpenAI chat request (model kept as given).
 * NULL and *error (400, Anthropic wording kept in message) when invalid. */
JsonObject *gr_anthropic_inbound_request_to_openai (JsonObject  *request,
                                                    GrApiError **error);

/* OpenAI chat.completion → Anthropic message. */
JsonNode   *gr_anthropic_inbound_response_from_openai (JsonObject *completion,
                                                       const char *client_model);

/* An error as Anthropic clients expect it:
 * {"type":"error","error":{"type":"invalid_request_error","message":…}}. */
char       *gr_anthropic_inbound_error_to_json (const GrApiError *error);
/* The HTTP status to answer with on this path: as error->status, except
 * overload, which Anthropic clients know as 529. */
int         gr_anthropic_inbound_error_status  (const GrApiError *error);

/* OpenAI chat.completion.chunk stream → Anthropic SSE event sequence. */
typedef struct _GrAnthropicEncoder GrAnthropicEncoder;

GrAnthropicEncoder *gr_anthropic_encoder_new   (const char *client_model);
/* data is the payload of one OpenAI "data:" event (a chunk, an error
 * object, or "[DONE]").  Appends "event: …\ndata: …\n\n" text to out. */
void                gr_anthropic_encoder_feed  (GrAnthropicEncoder *encoder,
                                                const char         *data,
                                                gsize               len,
                                                GString            *out);
/* TRUE once message_stop or an error event went out; a route whose
 * upstream ended before that should send an error event itself. */
gboolean            gr_anthropic_encoder_finished (GrAnthropicEncoder *encoder);
void                gr_anthropic_encoder_free  (GrAnthropicEncoder *encoder);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GrAnthropicEncoder, gr_anthropic_encoder_free)

G_END_DECLS
