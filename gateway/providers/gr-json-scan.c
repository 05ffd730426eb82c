/* gr-json-scan.c — a byte-level scanner for the members of a JSON object
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "providers/gr-json-scan.h"

typedef struct
{
  const char *p;
  const char *end;
  int         depth;
} Scanner;

static void
skip_ws (Scanner *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    s->p++;
}

/* Reads 4 hex digits after "\\u" (s->p on the 'u'); -1 when malformed. */
static int
read_hex4 (Scanner *s)
{
  int v = 0;

  for (int i = 0; i < 4; i++)
    {
      if (++s->p >= s->end || !g_ascii_isxdigit (*s->p))
        return -1;
      v = v * 16 + g_ascii_xdigit_value (*s->p);
    }
  return v;
}

static gboolean
scan_string (Scanner *s)
{
  if (s->p >= s->end || *s->p != '"')
    return FALSE;
  for (s->p++; s->p < s->end; s->p++)
    {
      unsigned char c = (unsigned char) *s->p;

      if (c == '"')
        {
          s->p++;
          return TRUE;
        }
      if (c < 0x20)
        return FALSE;
      if (c == '\\')
        {
          s->p++;
          if (s->p >= s->end)
            return FALSE;
          if (*s->p == 'u')
            {
              int unit = read_hex4 (s);

              /* A surrogate must come as a high/low pair: a lone one is
               * not a character, and clients' parsers refuse it. */
              if (unit < 0 || (unit >= 0xDC00 && unit <= 0xDFFF))
                return FALSE;
              if (unit >= 0xD800 && unit <= 0xDBFF)
                {
                  int low;

                  if (s->end - s->p < 3 || s->p[1] != '\\' || s->p[2] != 'u')
                    return FALSE;
                  s->p += 2;
                  low = read_hex4 (s);
                  if (low < 0xDC00 || low > 0xDFFF)
                    return FALSE;
                }
            }
          else if (strchr ("\"\\/bfnrt", *s->p) == NULL || *s->p == '\0')
            return FALSE;
        }
    }
  return FALSE;
}

static gboolean
scan_number (Scanner *s)
{
  /* RFC 8259: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? — the bytes
   * are forwarded as they are, so "01" or "1.2.3" must not pass. */
  if (s->p < s->end && *s->p == '-')
    s->p++;
  if (s->p >= s->end || !g_ascii_isdigit (*s->p))
    return FALSE;
  if (*s->p == '0')
    s->p++;
  else
    while (s->p < s->end && g_ascii_isdigit (*s->p))
      s->p++;
  if (s->p < s->end && *s->p == '.')
    {
      s->p++;
      if (s->p >= s->end || !g_ascii_isdigit (*s->p))
        return FALSE;
      while (s->p < s->end && g_ascii_isdigit (*s->p))
        s->p++;
    }
  if (s->p < s->end && (*s->p == 'e' || *s->p == 'E'))
    {
      s->p++;
      if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
        s->p++;
      if (s->p >= s->end || !g_ascii_isdigit (*s->p))
        return FALSE;
      while (s->p < s->end && g_ascii_isdigit (*s->p))
        s->p++;
    }
  return TRUE;
}

static gboolean
scan_literal (Scanner    *s,
              const char *word)
{
  gsize n = strlen (word);

  if ((gsize) (s->end - s->p) < n || memcmp (s->p, word, n) != 0)
    return FALSE;
  s->p += n;
  return TRUE;
}

static gboolean scan_value (Scanner *s);

static gboolean
scan_container (Scanner *s,
                char     close,
                gboolean members)
{
  if (++s->depth > GR_JSON_SCAN_MAX_DEPTH)
    return FALSE;
  s->p++;
  skip_ws (s);
  if (s->p < s->end && *s->p == close)
    {
      s->p++;
      s->depth--;
      return TRUE;
    }
  for (;;)
    {
      skip_ws (s);
      if (members)
        {
          if (!scan_string (s))
            return FALSE;
          skip_ws (s);
          if (s->p >= s->end || *s->p != ':')
            return FALSE;
          s->p++;
          skip_ws (s);
        }
      if (!scan_value (s))
        return FALSE;
      skip_ws (s);
      if (s->p >= s->end)
        return FALSE;
      if (*s->p == ',')
        {
          s->p++;
          continue;
        }
      if (*s->p != close)
        return FALSE;
      s->p++;
      s->depth--;
      return TRUE;
    }
}

static gboolean
scan_value (Scanner *s)
{
  if (s->p >= s->end)
    return FALSE;
  switch (*s->p)
    {
    case '{':
      return scan_container (s, '}', TRUE);
    case '[':
      return scan_container (s, ']', FALSE);
    case '"':
      return scan_string (s);
    case 't':
      return scan_literal (s, "true");
    case 'f':
      return scan_literal (s, "false");
    case 'n':
      return scan_literal (s, "null");
    default:
      return scan_number (s);
    }
}

static int
match_name (const char         *key,
            gsize               key_len,
            const char * const *names)
{
  for (int i = 0; names[i] != NULL; i++)
    if (strlen (names[i]) == key_len && memcmp (names[i], key, key_len) == 0)
      return i;
  return -1;
}

/* g_utf8_validate_len(), with a fast path for the usual all-ASCII body:
 * GLib 2.74 checks byte by byte; here eight bytes at a time are checked
 * for a high bit or a NUL (which g_utf8_validate_len() refuses too), and
 * GLib validates the rest from the first word that has either.  The bytes
 * before that word are ASCII, so it starts on a character boundary. */
static gboolean
utf8_valid (const char *data,
            gsize       len)
{
  const guint64 ones = G_GUINT64_CONSTANT (0x0101010101010101);
  const guint64 highs = G_GUINT64_CONSTANT (0x8080808080808080);
  gsize i = 0;

  for (; i + 8 <= len; i += 8)
    {
      guint64 w;

      memcpy (&w, data + i, 8);
      if ((w & highs) != 0 || ((w - ones) & ~w & highs) != 0)
        break;
    }
  return g_utf8_validate_len (data + i, len - i, NULL);
}

static gboolean
scan_object (const char         *data,
             gsize               len,
             const char * const *names,
             GrJsonSpan         *spans,
             gboolean            strict)
{
  Scanner s = { data, data + len, 1 };
  const char *keys[GR_JSON_SCAN_MAX_MEMBERS];
  gsize key_lens[GR_JSON_SCAN_MAX_MEMBERS];
  guint n_keys = 0;

  for (int i = 0; names[i] != NULL; i++)
    spans[i].key_start = spans[i].value_start = spans[i].value_end = -1;

  if (!utf8_valid (data, len))
    return FALSE;
  skip_ws (&s);
  if (s.p >= s.end || *s.p != '{')
    return FALSE;
  s.p++;
  skip_ws (&s);
  if (s.p < s.end && *s.p == '}')
    s.p++;
  else
    for (;;)
      {
        const char *key = s.p;
        const char *value;
        gsize key_len;
        int which;

        if (!scan_string (&s))
          return FALSE;
        key_len = s.p - key - 2;
        if (strict)
          {
            /* Compared raw: names without escapes are equal exactly when
             * their bytes are. */
            if (memchr (key + 1, '\\', key_len) != NULL || n_keys == GR_JSON_SCAN_MAX_MEMBERS)
              return FALSE;
            for (guint k = 0; k < n_keys; k++)
              if (key_lens[k] == key_len && memcmp (keys[k], key + 1, key_len) == 0)
                return FALSE;
            keys[n_keys] = key + 1;
            key_lens[n_keys++] = key_len;
          }
        which = match_name (key + 1, key_len, names);
        skip_ws (&s);
        if (s.p >= s.end || *s.p != ':')
          return FALSE;
        s.p++;
        skip_ws (&s);
        value = s.p;
        if (!scan_value (&s))
          return FALSE;
        if (which >= 0)
          {
            spans[which].key_start = key - data;
            spans[which].value_start = value - data;
            spans[which].value_end = s.p - data;
          }
        skip_ws (&s);
        if (s.p >= s.end)
          return FALSE;
        if (*s.p == '}')
          {
            s.p++;
            break;
          }
        if (*s.p != ',')
          return FALSE;
        s.p++;
        skip_ws (&s);
      }
  skip_ws (&s);
  return s.p == s.end;
}

gboolean
gr_json_scan_object (const char         *data,
                     gsize               len,
                     const char * const *names,
                     GrJsonSpan         *spans)
{
  return scan_object (data, len, names, spans, FALSE);
}

gboolean
gr_json_scan_object_strict (const char         *data,
                            gsize               len,
                            const char * const *names,
                            GrJsonSpan         *spans)
{
  return scan_object (data, len, names, spans, TRUE);
}

void
gr_json_iter_init (GrJsonIter       *iter,
                   const GrJsonSpan *array)
{
  iter->p = array->value_start + 1;  /* past the '[' */
  iter->end = array->value_end - 1;  /* the ']' */
}

gboolean
gr_json_iter_next (GrJsonIter *iter,
                   const char *data,
                   gssize     *start,
                   gssize     *end)
{
  Scanner s = { data + iter->p, data + iter->end, 1 };

  skip_ws (&s);
  if (s.p < s.end && *s.p == ',')
    {
      s.p++;
      skip_ws (&s);
    }
  if (s.p >= s.end)
    return FALSE;
  *start = s.p - data;
  /* The array was validated by the scan that gave its span. */
  if (!scan_value (&s))
    return FALSE;
  *end = s.p - data;
  iter->p = *end;
  return TRUE;
}

gboolean
gr_json_span_get_count (const char       *data,
                        const GrJsonSpan *span,
                        gint64            cap,
                        gint64           *count)
{
  const char *p, *end;
  gboolean negative = FALSE;
  gint64 v = 0;

  *count = 0;
  if (span->key_start < 0)
    return TRUE;
  p = data + span->value_start;
  end = data + span->value_end;
  if (end - p == 4 && memcmp (p, "null", 4) == 0)
    return TRUE;
  if (p < end && *p == '-')
    {
      negative = TRUE;
      p++;
    }
  /* Up to 18 digits fits a gint64; longer literals are left to the DOM,
   * whose reading of them (a double, then out of range) decides. */
  if (p >= end || end - p > 18)
    return FALSE;
  for (; p < end; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      v = v * 10 + (*p - '0');
    }
  *count = negative ? 0 : MIN (v, cap);
  return TRUE;
}

gboolean
gr_json_span_is_empty (const char       *data,
                       const GrJsonSpan *span)
{
  for (gssize i = span->value_start + 1; i < span->value_end - 1; i++)
    if (!g_ascii_isspace (data[i]))
      return FALSE;
  return span->value_end - span->value_start >= 2;
}

void
gr_json_append_without (GString          *out,
                        const char       *data,
                        gsize             len,
                        const GrJsonSpan *span)
{
  gssize from = span->key_start;
  gssize to = span->value_end;
  gssize i;

  /* Take the comma before the member, or else the one after it. */
  for (i = from - 1; i >= 0 && g_ascii_isspace (data[i]); i--)
    ;
  if (i >= 0 && data[i] == ',')
    from = i;
  else
    {
      for (i = to; i < (gssize) len && g_ascii_isspace (data[i]); i++)
        ;
      if (i < (gssize) len && data[i] == ',')
        to = i + 1;
    }
  g_string_append_len (out, data, from);
  g_string_append_len (out, data + to, len - to);
}

void
gr_json_append_string (GString    *out,
                       const char *value)
{
  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) value; *p; p++)
    {
      switch (*p)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (*p < 0x20)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (char) *p);
        }
    }
  g_string_append_c (out, '"');
}
