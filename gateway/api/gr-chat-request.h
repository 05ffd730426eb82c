/* gr-chat-request.h — one inference request from admission to accounting
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "http/gr-server.h"
#include "providers/gr-anthropic-inbound.h"
#include "providers/gr-provider.h"
#include "router/gr-router.h"
#include "upstream/gr-sse-parser.h"

G_BEGIN_DECLS

typedef struct
{
  GrServer           *server;
  SoupServerMessage  *msg;
  char               *request_id;
  const char         *endpoint;      /* "chat" or "messages" */
  GrKeyRecord        *key;
  JsonNode           *body;          /* the OpenAI request, parsed when needed */
  GBytes             *raw_body;      /* the client's bytes (fast path), or NULL */
  char               *client_model;
  gboolean            stream;
  gboolean            include_usage;
  gboolean            anthropic_out; /* answer in Anthropic format (/v1/messages) */
  GrAnthropicEncoder *encoder;

  GPtrArray          *targets;       /* of GrRouteTarget, in order */
  guint               attempt;       /* index into targets */
  GrRouteTarget      *target;
  GrProviderConfig   *provider;      /* the target's, owned by the config */
  const GrProviderOps *ops;
  GrProviderInfo      info;
  GrTranslateContext  tctx;

  GrTransfer         *transfer;
  int                 upstream_status;
  GByteArray         *upstream_body; /* non-stream or error answers */
  GrSseParser        *sse;
  GrStreamState      *stream_state;
  GString            *out;           /* translated bytes not yet written */
  GSource            *keepalive;
  GSource            *retry_timer;   /* waiting to retry the same provider */

  gboolean            paused;
  gboolean            committed;     /* status and headers are on their way */
  gboolean            responded;     /* the answer is complete */
  gboolean            client_gone;
  gint64              started_us;
  gint64              first_byte_us;
  int                 status;        /* what the client got */
  char               *error_code;
  GrUsage             usage;
  GrLimitReservation *reservation;   /* admitted against the key's and org's limits */
  GrSharedReservation *shared_reservation; /* the same, in a shared database */
  gboolean            admitting;     /* waiting for the shared limits */
  gboolean            accounted;     /* request_done ran; free once admitted */
  gboolean            partial;
  GrFinishWatch       finished;
  gulong              disconnected_id;
} GrChatRequest;

/* Creates the request, assigns its id and hooks up accounting. */
GrChatRequest *gr_chat_request_new   (GrServer          *server,
                                      SoupServerMessage *msg,
                                      const char        *endpoint);
/* Answers with an error now (takes ownership of error). */
void           gr_chat_request_fail  (GrChatRequest     *req,
                                      GrApiError        *error);
/* Routes and starts the upstream call for an OpenAI-format body. */
void           gr_chat_request_start (GrChatRequest     *req,
                                      JsonObject        *body,
                                      const char        *model,
                                      gboolean           stream,
                                      gboolean           include_usage);

/* The same from the client's bytes, already checked by the caller (a
 * strict scan: valid JSON, a "model" string, non-empty "messages" of
 * objects with a "role"): nothing is parsed into a DOM unless a target,
 * or the key's limits, need it. */
void           gr_chat_request_start_raw (GrChatRequest *req,
                                          GBytes        *body,
                                          const char    *model,
                                          gboolean       stream,
                                          gboolean       include_usage);

G_END_DECLS
