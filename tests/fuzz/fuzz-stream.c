/* fuzz-stream.c — upstream event stream → OpenAI client stream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is the raw body of a 2xx streaming answer.  As in
 * gr-chat-request.c, it goes through the real SSE parser into
 * stream_event(), in reads of varying size, stopping once the translator
 * says the stream finished, and ends with stream_end().  What the client
 * gets must be well-formed SSE: JSON object events closed by exactly one
 * [DONE].  The client stream is then re-encoded for Anthropic clients, as
 * /v1/messages does, and that must be well-formed too.
 */
#include "config.h"

#include <string.h>

#include "gr-fuzz.h"
#include "gr-fuzz-provider.h"
#include "providers/gr-anthropic-inbound.h"
#include "upstream/gr-sse-parser.h"

typedef struct
{
  const GrProviderOps *ops;
  GrStreamState       *state;
  GString             *out;
} Stream;

static void
event_cb (const char *event,
          const char *data,
          gsize       data_len,
          gpointer    user_data)
{
  Stream *s = user_data;

  s->ops->stream_event (s->state, event, data, data_len, s->out);
}

/* Splits the OpenAI client stream into events as flush_out() does. */
static void
encode_for_anthropic (const char *text)
{
  g_autoptr(GrAnthropicEncoder) encoder = gr_anthropic_encoder_new ("fuzz/client-model");
  g_autoptr(GString) encoded = g_string_new (NULL);
  g_auto(GStrv) events = g_strsplit (text, "\n\n", -1);

  for (guint i = 0; events[i] != NULL; i++)
    if (g_str_has_prefix (events[i], "data: "))
      gr_anthropic_encoder_feed (encoder, events[i] + 6, strlen (events[i] + 6), encoded);
  gr_fuzz_check_anthropic_sse (encoded->str, encoded->len);
  if (!gr_anthropic_encoder_finished (encoder))
    gr_fuzz_fail ("anthropic encoder: a stream closed by [DONE] did not finish");
}

static void
run (GrProviderKind kind,
     const guint8  *data,
     gsize          size,
     gboolean       include_usage)
{
  GrProviderInfo info = gr_fuzz_provider (kind);
  GrTranslateContext ctx = {
    .client_model = "fuzz/client-model",
    .upstream_model = "upstream-model",
    .stream = TRUE,
    .include_usage = include_usage,
  };
  Stream s = { gr_provider_ops_for_kind (kind), NULL, g_string_new (NULL) };
  g_autoptr(GrSseParser) parser = gr_sse_parser_new (event_cb, &s);
  gsize off = 0;
  gsize step = 1;
  GrUsage usage;
  gboolean finished = FALSE;

  s.state = s.ops->stream_new (&info, &ctx);
  /* Reads of 1, 2, 4 … 4096 bytes, then again: network splits anywhere. */
  while (off < size)
    {
      gsize n = MIN (step, size - off);
      g_autofree char *chunk = g_memdup2 (data + off, n);

      gr_sse_parser_feed (parser, chunk, n);
      off += n;
      step = step >= 4096 ? 1 : step * 2;
      if (s.ops->stream_finished (s.state))
        {
          finished = TRUE;
          break;
        }
    }
  if (!finished)
    {
      gr_sse_parser_finish (parser);
      s.ops->stream_end (s.state, s.out);
    }
  if (!s.ops->stream_finished (s.state))
    gr_fuzz_fail ("the stream is not finished after stream_end");

  gr_usage_init (&usage);
  s.ops->stream_usage (s.state, &usage);
  if (usage.prompt_tokens < 0 || usage.completion_tokens < 0)
    gr_fuzz_fail ("the stream reported negative usage");
  (void) s.ops->stream_finish_reason (s.state);
  if (s.ops->stream_error (s.state) != NULL &&
      (s.ops->stream_error (s.state)->status < 400 || s.ops->stream_error (s.state)->status > 599))
    gr_fuzz_fail ("the stream error has status %d", s.ops->stream_error (s.state)->status);

  if (!gr_fuzz_check_openai_sse (s.out->str, s.out->len))
    gr_fuzz_fail ("the client stream does not end with [DONE]");
  encode_for_anthropic (s.out->str);

  s.ops->stream_free (s.state);
  g_string_free (s.out, TRUE);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  gr_fuzz_init ();
  for (guint i = 0; i < G_N_ELEMENTS (gr_fuzz_kinds); i++)
    {
      run (gr_fuzz_kinds[i], data, size, TRUE);
      run (gr_fuzz_kinds[i], data, size, FALSE);
    }
  return 0;
}
