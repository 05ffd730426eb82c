/* fuzz-anthropic-encoder.c — OpenAI client stream → Anthropic event stream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is an OpenAI client stream ("data: …\n\n" events).  It is split
 * into events as gr-chat-request.c does and fed to the encoder; the
 * Anthropic stream must be well-formed whatever the chunks hold, and a
 * stream closed by [DONE] must finish the message.
 */
#include "config.h"

#include <string.h>

#include "gr-fuzz.h"
#include "providers/gr-anthropic-inbound.h"

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GrAnthropicEncoder) encoder = NULL;
  g_autoptr(GString) encoded = g_string_new (NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) events = NULL;
  gboolean done = FALSE;

  gr_fuzz_init ();
  text = gr_fuzz_strndup (data, size);
  encoder = gr_anthropic_encoder_new ("fuzz/client-model");
  events = g_strsplit (text, "\n\n", -1);
  for (guint i = 0; events[i] != NULL; i++)
    if (g_str_has_prefix (events[i], "data: "))
      {
        const char *payload = events[i] + 6;
        g_autofree char *trimmed = g_strstrip (g_strdup (payload));

        if (g_str_equal (trimmed, "[DONE]"))
          done = TRUE;
        gr_anthropic_encoder_feed (encoder, payload, strlen (payload), encoded);
      }
  gr_fuzz_check_anthropic_sse (encoded->str, encoded->len);
  if (done && !gr_anthropic_encoder_finished (encoder))
    gr_fuzz_fail ("anthropic encoder: [DONE] did not finish the message");
  return 0;
}
