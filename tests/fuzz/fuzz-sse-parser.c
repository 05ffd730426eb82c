/* fuzz-sse-parser.c — the incremental SSE parser on its own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is fed whole, byte by byte, and in reads whose sizes come from
 * the input itself; all three must report the same events (the parser
 * promises that reads may split anywhere), each event's data must be
 * NUL-terminated at data_len, and the pending count must never exceed what
 * was fed.
 */
#include "config.h"

#include <string.h>

#include "gr-fuzz.h"
#include "upstream/gr-sse-parser.h"

static void
collect_cb (const char *event,
            const char *data,
            gsize       data_len,
            gpointer    user_data)
{
  GString *log = user_data;

  if (data[data_len] != '\0')
    gr_fuzz_fail ("event data is not NUL-terminated at data_len");
  if (event != NULL && (strchr (event, '\n') != NULL || strchr (event, '\r') != NULL))
    gr_fuzz_fail ("an event name holds a line break");
  if (memchr (data, '\r', data_len) != NULL)
    gr_fuzz_fail ("event data holds a carriage return");
  g_string_append_printf (log, "%s|%" G_GSIZE_FORMAT "|", event ? event : "(null)", data_len);
  g_string_append_len (log, data, data_len);
  g_string_append_c (log, '\036');
}

/* step 0: sizes from the input bytes. */
static GString *
parse (const guint8 *data,
       gsize         size,
       gsize         step)
{
  GString *log = g_string_new (NULL);
  g_autoptr(GrSseParser) parser = gr_sse_parser_new (collect_cb, log);
  gsize off = 0;
  gsize i = 0;

  while (off < size)
    {
      gsize n = step ? step : (gsize) (data[i++ % size] % 17) + 1;
      g_autofree char *chunk = NULL;

      n = MIN (n, size - off);
      chunk = g_memdup2 (data + off, n);
      gr_sse_parser_feed (parser, chunk, n);
      off += n;
      if (gr_sse_parser_get_pending (parser) > off)
        gr_fuzz_fail ("more bytes pending (%" G_GSIZE_FORMAT ") than fed (%" G_GSIZE_FORMAT ")",
                      gr_sse_parser_get_pending (parser), off);
    }
  gr_sse_parser_finish (parser);
  return log;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GString) whole = NULL;
  g_autoptr(GString) bytes = NULL;
  g_autoptr(GString) mixed = NULL;

  gr_fuzz_init ();
  whole = parse (data, size, MAX (size, 1));
  bytes = parse (data, size, 1);
  mixed = parse (data, size, 0);
  if (!g_string_equal (whole, bytes) || !g_string_equal (whole, mixed))
    gr_fuzz_fail ("split reads changed the events:\n%s\n---\n%s\n---\n%s",
                  whole->str, bytes->str, mixed->str);
  return 0;
}
