/* test-sse-parser.c — the incremental SSE parser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "upstream/gr-sse-parser.h"

typedef struct
{
  GPtrArray *events;  /* "event|data" strings */
} Collector;

static void
collect_cb (const char *event,
            const char *data,
            gsize       len,
            gpointer    user_data)
{
  Collector *c = user_data;

  g_assert_cmpuint (strlen (data), ==, len);
  g_ptr_array_add (c->events, g_strdup_printf ("%s|%s", event ? event : "", data));
}

/* Feeds input in pieces of `step` bytes and returns the events joined by
 * "\n---\n". */
static char *
parse_in_steps (const char *input,
                gsize       len,
                gsize       step)
{
  Collector c = { g_ptr_array_new_with_free_func (g_free) };
  g_autoptr(GrSseParser) parser = gr_sse_parser_new (collect_cb, &c);
  g_autofree char *joined = NULL;

  for (gsize off = 0; off < len; off += step)
    gr_sse_parser_feed (parser, input + off, MIN (step, len - off));
  gr_sse_parser_finish (parser);
  g_ptr_array_add (c.events, NULL);
  joined = g_strjoinv ("\n---\n", (char **) c.events->pdata);
  g_ptr_array_unref (c.events);
  return g_steal_pointer (&joined);
}

/* Every split point and every chunk size gives the same events. */
static void
assert_all_splits (const char *input,
                   const char *expected)
{
  gsize len = strlen (input);

  for (gsize step = 1; step <= len; step++)
    {
      g_autofree char *got = parse_in_steps (input, len, step);

      g_assert_cmpstr (got, ==, expected);
    }
  /* Two pieces split at every possible offset. */
  for (gsize cut = 0; cut <= len; cut++)
    {
      Collector c = { g_ptr_array_new_with_free_func (g_free) };
      g_autoptr(GrSseParser) parser = gr_sse_parser_new (collect_cb, &c);
      g_autofree char *got = NULL;

      gr_sse_parser_feed (parser, input, cut);
      gr_sse_parser_feed (parser, input + cut, len - cut);
      gr_sse_parser_finish (parser);
      g_ptr_array_add (c.events, NULL);
      got = g_strjoinv ("\n---\n", (char **) c.events->pdata);
      g_ptr_array_unref (c.events);
      g_assert_cmpstr (got, ==, expected);
    }
}

static void
test_lf (void)
{
  assert_all_splits ("data: {\"a\":1}\n\ndata: [DONE]\n\n",
                     "|{\"a\":1}\n---\n|[DONE]");
}

static void
test_crlf (void)
{
  /* Gemini frames events with \r\n\r\n. */
  assert_all_splits ("data: {\"a\":1}\r\n\r\ndata: {\"b\":2}\r\n\r\n",
                     "|{\"a\":1}\n---\n|{\"b\":2}");
}

static void
test_cr_only (void)
{
  assert_all_splits ("data: x\r\rdata: y\r\r", "|x\n---\n|y");
}

static void
test_comments (void)
{
  /* OpenRouter keep-alives are comments, never events. */
  assert_all_splits (": OPENROUTER PROCESSING\n\ndata: 1\n\n: ping\n\ndata: 2\n\n",
                     "|1\n---\n|2");
}

static void
test_multiline_data (void)
{
  assert_all_splits ("data: line one\ndata: line two\ndata:three\n\n",
                     "|line one\nline two\nthree");
}

static void
test_event_names (void)
{
  assert_all_splits ("event: message_start\ndata: {}\n\nevent: ping\ndata: {\"type\":\"ping\"}\n\n",
                     "message_start|{}\n---\nping|{\"type\":\"ping\"}");
}

static void
test_utf8_split (void)
{
  /* "你好" split inside its UTF-8 bytes must come out whole. */
  assert_all_splits ("data: {\"t\":\"\xe4\xbd\xa0\xe5\xa5\xbd\"}\n\n",
                     "|{\"t\":\"\xe4\xbd\xa0\xe5\xa5\xbd\"}");
}

static void
test_unterminated_final_event (void)
{
  g_autofree char *got = parse_in_steps ("data: a\n\ndata: b", 16, 3);

  g_assert_cmpstr (got, ==, "|a\n---\n|b");
}

static void
test_ignored_fields (void)
{
  assert_all_splits ("id: 5\nretry: 100\ndata: x\nbogus\n\n", "|x");
}

static void
test_pending (void)
{
  Collector c = { g_ptr_array_new_with_free_func (g_free) };
  g_autoptr(GrSseParser) parser = gr_sse_parser_new (collect_cb, &c);

  gr_sse_parser_feed (parser, "data: 0123456789", 16);
  g_assert_cmpuint (gr_sse_parser_get_pending (parser), ==, 16);
  gr_sse_parser_feed (parser, "\n\n", 2);
  g_assert_cmpuint (gr_sse_parser_get_pending (parser), ==, 0);
  g_assert_cmpuint (c.events->len, ==, 1);
  g_ptr_array_unref (c.events);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gaiarouter/sse/lf", test_lf);
  g_test_add_func ("/gaiarouter/sse/crlf", test_crlf);
  g_test_add_func ("/gaiarouter/sse/cr-only", test_cr_only);
  g_test_add_func ("/gaiarouter/sse/comments", test_comments);
  g_test_add_func ("/gaiarouter/sse/multiline-data", test_multiline_data);
  g_test_add_func ("/gaiarouter/sse/event-names", test_event_names);
  g_test_add_func ("/gaiarouter/sse/utf8-split", test_utf8_split);
  g_test_add_func ("/gaiarouter/sse/unterminated-final-event", test_unterminated_final_event);
  g_test_add_func ("/gaiarouter/sse/ignored-fields", test_ignored_fields);
  g_test_add_func ("/gaiarouter/sse/pending", test_pending);

  return g_test_run ();
}
