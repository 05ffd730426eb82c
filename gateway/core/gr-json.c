/* gr-json.c — reading and writing JSON text safely with json-glib
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "core/gr-json.h"

static gboolean
is_ws (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static gboolean
is_structural (char c)
{
  return c == '{' || c == '}' || c == '[' || c == ']' || c == ':' || c == ',' || c == '"';
}

/* The code unit of the "\\uXXXX" at p, or -1. */
static int
read_unit (const char *p,
           const char *end)
{
  int unit = 0;

  if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
    return -1;
  for (int i = 2; i < 6; i++)
    {
      int digit = g_ascii_xdigit_value (p[i]);

      if (digit < 0)
        return -1;
      unit = unit * 16 + digit;
    }
  return unit;
}

gboolean
gr_json_text_is_safe (const char *text,
                         gsize       len)
{
  const char *p = text;
  const char *end = text + len;
  gsize depth = 0;
  gboolean seen_value = FALSE;

  while (p < end)
    {
      char c = *p;

      if (is_ws (c))
        {
          p++;
          continue;
        }
      /* json-glib reads comments and single-quoted strings; JSON has
       * neither, and skipping them right would mean copying its scanner. */
      if (c == '/' || c == '\'')
        return FALSE;
      if (depth == 0)
        {
          /* A value starts at the top level: it must be the first. */
          if (seen_value || c == '}' || c == ']' || c == ':' || c == ',')
            return FALSE;
          seen_value = TRUE;
        }
      if (c == '"')
        {
          for (p++; p < end && *p != '"'; p++)
            {
              int unit;

              if (*p != '\\')
                continue;
              if (p + 1 == end)
                return FALSE;
              /* Only JSON's escapes: json-glib also reads GScanner's
               * octal ("\\333" becomes the lone byte 0xDB, invalid
               * UTF-8 that every later writer copies), "\\0" (cuts the
               * string short) and unknown ones ("\\q" becomes "q"). */
              if (p[1] != 'u')
                {
                  if (strchr ("\"\\/bfnrt", p[1]) == NULL || p[1] == '\0')
                    return FALSE;
                  p++;
                  continue;
                }
              /* Surrogates must pair: json-glib turns a lone one into
               * invalid UTF-8, and leaks on a high one followed by
               * another escape. */
              if ((unit = read_unit (p, end)) < 0 || (unit >= 0xDC00 && unit <= 0xDFFF))
                return FALSE;
              p += 5;
              if (unit >= 0xD800 && unit <= 0xDBFF)
                {
                  int low = read_unit (p + 1, end);

                  if (low < 0xDC00 || low > 0xDFFF)
                    return FALSE;
                  p += 6;
                }
            }
          if (p == end)
            return FALSE;
          p++;
          continue;
        }
      if (c == '{' || c == '[')
        depth++;
      else if (c == '}' || c == ']')
        depth--;
      else if (!is_structural (c))
        {
          const char *start = p;

          /* A number or a literal: one token. */
          while (p + 1 < end && !is_ws (p[1]) && !is_structural (p[1]) && p[1] != '/' && p[1] != '\'')
            p++;
          /* json-glib reads 1e400 as infinity and writes it back as "inf",
           * which is not JSON: a client's "temperature": 1e400 would reach
           * the upstream that way.  Only long numbers or exponents can
           * overflow a double. */
          if ((g_ascii_isdigit (c) || c == '-') &&
              (p - start > 300 || memchr (start, 'e', p - start + 1) || memchr (start, 'E', p - start + 1)))
            {
              g_autofree char *number = g_strndup (start, p - start + 1);

              if (isinf (g_ascii_strtod (number, NULL)))
                return FALSE;
            }
        }
      p++;
    }
  return TRUE;
}

gboolean
gr_json_parser_load (JsonParser  *parser,
                     const char  *text,
                     gsize        len,
                     GError     **error)
{
  if (!gr_json_text_is_safe (text, len))
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE,
                           "expected one JSON value");
      return FALSE;
    }
  return json_parser_load_from_data (parser, text, len, error);
}

JsonNode *
gr_json_from_string (const char  *text,
                     GError     **error)
{
  g_return_val_if_fail (text != NULL, NULL);

  if (!gr_json_text_is_safe (text, strlen (text)))
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE,
                           "expected one JSON value");
      return NULL;
    }
  return json_from_string (text, error);
}

/* ------------------------------------------------------------------------
 * Writing
 * ------------------------------------------------------------------------ */

/* What must be escaped in a JSON string: the quote, the backslash and the
 * control characters (json-glib also escaped DEL; so do we). */
static gboolean
needs_escape (guchar c)
{
  return c == '"' || c == '\\' || c < 0x20 || c == 0x7f;
}

static void
append_string (GString    *out,
               const char *text)
{
  static const char hex[] = "0123456789abcdef";
  const guchar *p = (const guchar *) text;

  g_string_append_c (out, '"');
  while (*p != '\0')
    {
      const guchar *run = p;

      /* Most strings need no escape at all: copy them in one go. */
      while (*p != '\0' && !needs_escape (*p))
        p++;
      g_string_append_len (out, (const char *) run, p - run);
      if (*p == '\0')
        break;
      switch (*p)
        {
        case '"':  g_string_append_len (out, "\\\"", 2); break;
        case '\\': g_string_append_len (out, "\\\\", 2); break;
        case '\b': g_string_append_len (out, "\\b", 2); break;
        case '\f': g_string_append_len (out, "\\f", 2); break;
        case '\n': g_string_append_len (out, "\\n", 2); break;
        case '\r': g_string_append_len (out, "\\r", 2); break;
        case '\t': g_string_append_len (out, "\\t", 2); break;
        default:
          g_string_append_len (out, "\\u00", 4);
          g_string_append_c (out, hex[*p >> 4]);
          g_string_append_c (out, hex[*p & 0xf]);
        }
      p++;
    }
  g_string_append_c (out, '"');
}

static void
append_double (GString *out,
               double   value)
{
  static const char *const formats[] = { "%.15g", "%.16g", "%.17g" };
  char text[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    {
      g_string_append_len (out, "null", 4);
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_ascii_formatd (text, sizeof text, formats[i], value);
      if (g_ascii_strtod (text, NULL) == value)
        break;
    }
  g_string_append (out, text);
  if (strpbrk (text, ".eE") == NULL)
    g_string_append_len (out, ".0", 2);
}

static void
append_value (GString  *out,
              JsonNode *node)
{
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
      break;
    case G_TYPE_DOUBLE:
      append_double (out, json_node_get_double (node));
      break;
    case G_TYPE_BOOLEAN:
      g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
      break;
    case G_TYPE_STRING:
      append_string (out, json_node_get_string (node));
      break;
    default:
      g_string_append_len (out, "null", 4);
    }
}

void
gr_json_append (GString  *out,
                JsonNode *node)
{
  switch (node != NULL ? JSON_NODE_TYPE (node) : JSON_NODE_NULL)
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;
        gboolean first = TRUE;

        g_string_append_c (out, '{');
        json_object_iter_init_ordered (&iter, json_node_get_object (node));
        while (json_object_iter_next_ordered (&iter, &name, &member))
          {
            if (!first)
              g_string_append_c (out, ',');
            first = FALSE;
            append_string (out, name);
            g_string_append_c (out, ':');
            gr_json_append (out, member);
          }
        g_string_append_c (out, '}');
      }
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            gr_json_append (out, json_array_get_element (array, i));
          }
        g_string_append_c (out, ']');
      }
      break;
    case JSON_NODE_VALUE:
      append_value (out, node);
      break;
    case JSON_NODE_NULL:
    default:
      g_string_append_len (out, "null", 4);
    }
}

char *
gr_json_to_string (JsonNode *node)
{
  GString *out = g_string_sized_new (256);

  gr_json_append (out, node);
  return g_string_free (out, FALSE);
}
