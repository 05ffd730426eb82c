/* gr-sse-parser.c — incremental Server-Sent Events parser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Follows the SSE specification rather than any provider's habits: Gemini
 * ends lines with \r\n, OpenRouter sends comment lines, and TCP splits
 * events anywhere (wire-formats.md section 1).
 */
#include "config.h"

#include <string.h>

#include "upstream/gr-sse-parser.h"

struct _GrSseParser
{
  GrSseEventFunc func;
  gpointer       user_data;
  GString       *line;      /* the line in progress */
  GString       *data;      /* data lines of the event in progress */
  char          *event;     /* event name of the event in progress */
  gboolean       has_data;
  gboolean       skip_lf;   /* the last byte was '\r': a following '\n' belongs to it */
};

GrSseParser *
gr_sse_parser_new (GrSseEventFunc func,
                   gpointer       user_data)
{
  GrSseParser *parser = g_new0 (GrSseParser, 1);

  parser->func = func;
  parser->user_data = user_data;
  parser->line = g_string_sized_new (256);
  parser->data = g_string_sized_new (1024);
  return parser;
}

void
gr_sse_parser_free (GrSseParser *parser)
{
  if (parser == NULL)
    return;
  g_string_free (parser->line, TRUE);
  g_string_free (parser->data, TRUE);
  g_free (parser->event);
  g_free (parser);
}

static void
dispatch (GrSseParser *parser)
{
  if (parser->has_data)
    parser->func (parser->event, parser->data->str, parser->data->len, parser->user_data);

  g_string_truncate (parser->data, 0);
  g_clear_pointer (&parser->event, g_free);
  parser->has_data = FALSE;
}

static void
process_line (GrSseParser *parser,
              const char  *line,
              gsize        len)
{
  const char *colon;
  gsize name_len;
  const char *value;
  gsize value_len;

  if (len == 0)
    {
      dispatch (parser);
      return;
    }
  if (line[0] == ':')
    return; /* a comment, e.g. ": OPENROUTER PROCESSING" */

  colon = memchr (line, ':', len);
  name_len = colon ? (gsize) (colon - line) : len;
  value = colon ? colon + 1 : line + len;
  value_len = colon ? len - name_len - 1 : 0;
  if (value_len > 0 && value[0] == ' ')
    {
      value++;
      value_len--;
    }

  if (name_len == 4 && memcmp (line, "data", 4) == 0)
    {
      if (parser->has_data)
        g_string_append_c (parser->data, '\n');
      g_string_append_len (parser->data, value, value_len);
      parser->has_data = TRUE;
    }
  else if (name_len == 5 && memcmp (line, "event", 5) == 0)
    {
      g_free (parser->event);
      parser->event = g_strndup (value, value_len);
    }
  /* "id" and "retry" are unused by the upstreams we speak to. */
}

void
gr_sse_parser_feed (GrSseParser *parser,
                    const char  *bytes,
                    gsize        len)
{
  const char *p = bytes;
  const char *end = bytes + len;

  while (p < end)
    {
      const char *eol;

      if (parser->skip_lf)
        {
          parser->skip_lf = FALSE;
          if (*p == '\n')
            {
              p++;
              continue;
            }
        }

      /* Find the next '\r' or '\n'. */
      for (eol = p; eol < end && *eol != '\n' && *eol != '\r'; eol++)
        ;
      if (eol == end)
        {
          g_string_append_len (parser->line, p, end - p);
          break;
        }

      if (parser->line->len > 0)
        {
          g_string_append_len (parser->line, p, eol - p);
          process_line (parser, parser->line->str, parser->line->len);
          g_string_truncate (parser->line, 0);
        }
      else
        process_line (parser, p, eol - p);

      parser->skip_lf = (*eol == '\r');
      p = eol + 1;
    }
}

void
gr_sse_parser_finish (GrSseParser *parser)
{
  if (parser->line->len > 0)
    {
      process_line (parser, parser->line->str, parser->line->len);
      g_string_truncate (parser->line, 0);
    }
  dispatch (parser);
}

gsize
gr_sse_parser_get_pending (GrSseParser *parser)
{
  return parser->line->len + parser->data->len;
}
