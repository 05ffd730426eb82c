/* gr-fuzz.c — helpers shared by the libFuzzer targets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gprintf.h>

#include "core/gr-json.h"
#include "gr-fuzz.h"

/* A fatal GLib message ends in G_BREAKPOINT (SIGTRAP), which libFuzzer
 * does not catch; abort() it does, and it saves the input. */
static GLogWriterOutput
abort_writer (GLogLevelFlags   level,
              const GLogField *fields,
              gsize            n_fields,
              gpointer         user_data)
{
  GLogWriterOutput result = g_log_writer_standard_streams (level, fields, n_fields, user_data);

  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    abort ();
  return result;
}

void
gr_fuzz_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      g_log_set_writer_func (abort_writer, NULL, NULL);
      g_once_init_leave (&done, 1);
    }
  /* The same ids for the same input, whatever ran before it: a bounded
   * run (GR_FUZZ_RUNS) then goes the same way every time. */
  g_random_set_seed (0x67726675);
}

void
gr_fuzz_fail (const char *format,
              ...)
{
  va_list args;

  va_start (args, format);
  g_vfprintf (stderr, format, args);
  va_end (args);
  fputc ('\n', stderr);
  abort ();
}

char *
gr_fuzz_strndup (const guint8 *data,
                 gsize         size)
{
  char *copy = g_malloc (size + 1);

  if (size > 0)
    memcpy (copy, data, size);
  copy[size] = '\0';
  return copy;
}

JsonNode *
gr_fuzz_parse_upstream (const char *text,
                        gsize       len)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;

  if (!gr_json_parser_load (parser, text, len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL)
    return NULL;
  return json_node_ref (root);
}

static JsonNode *
parse_strict (const char *json,
              gssize      len,
              GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_data (parser, json, len, error))
    return NULL;
  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE, "empty document");
      return NULL;
    }
  return json_node_ref (json_parser_get_root (parser));
}

void
gr_fuzz_check_json (const char *json,
                    gssize      len,
                    const char *what)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = parse_strict (json, len, &error);

  if (node == NULL)
    gr_fuzz_fail ("%s is not JSON (%s): %.*s", what, error->message,
                  len < 0 ? (int) strlen (json) : (int) len, json);
}

static void
check_data_object (const char *payload,
                   gsize       len,
                   const char *what)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = parse_strict (payload, len, &error);

  if (node == NULL)
    gr_fuzz_fail ("%s: data is not JSON (%s): %.*s", what, error->message, (int) len, payload);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    gr_fuzz_fail ("%s: data is not a JSON object: %.*s", what, (int) len, payload);
}

gboolean
gr_fuzz_check_openai_sse (const char *text,
                          gsize       len)
{
  const char *p = text;
  const char *end = text + len;
  gboolean done = FALSE;

  while (p < end)
    {
      const char *sep = g_strstr_len (p, end - p, "\n\n");
      gsize event_len;

      if (sep == NULL)
        gr_fuzz_fail ("client stream: an event lacks its blank line: %.*s", (int) (end - p), p);
      if (done)
        gr_fuzz_fail ("client stream: an event after [DONE]: %.*s", (int) (end - p), p);
      event_len = sep - p;
      if (event_len < 6 || memcmp (p, "data: ", 6) != 0)
        gr_fuzz_fail ("client stream: not a data event: %.*s", (int) event_len, p);
      if (memchr (p, '\n', event_len) != NULL || memchr (p, '\r', event_len) != NULL)
        gr_fuzz_fail ("client stream: a line break inside one event: %.*s", (int) event_len, p);
      if (event_len == 12 && memcmp (p + 6, "[DONE]", 6) == 0)
        done = TRUE;
      else
        check_data_object (p + 6, event_len - 6, "client stream");
      p = sep + 2;
    }
  return done;
}

void
gr_fuzz_check_anthropic_sse (const char *text,
                             gsize       len)
{
  const char *p = text;
  const char *end = text + len;

  while (p < end)
    {
      const char *sep = g_strstr_len (p, end - p, "\n\n");
      const char *nl;
      g_autofree char *name = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GError) error = NULL;
      const char *type;

      if (sep == NULL)
        gr_fuzz_fail ("anthropic stream: an event lacks its blank line: %.*s", (int) (end - p), p);
      if (!g_str_has_prefix (p, "event: "))
        gr_fuzz_fail ("anthropic stream: an event without a name: %.*s", (int) (sep - p), p);
      nl = memchr (p, '\n', sep - p);
      if (nl == NULL || sep - nl < 7 || memcmp (nl + 1, "data: ", 6) != 0)
        gr_fuzz_fail ("anthropic stream: an event without data: %.*s", (int) (sep - p), p);
      if (memchr (nl + 1, '\n', sep - nl - 1) != NULL || memchr (p, '\r', sep - p) != NULL)
        gr_fuzz_fail ("anthropic stream: a line break inside data: %.*s", (int) (sep - p), p);
      name = g_strndup (p + 7, nl - p - 7);
      node = parse_strict (nl + 7, sep - nl - 7, &error);
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        gr_fuzz_fail ("anthropic stream: data is not a JSON object: %.*s", (int) (sep - nl - 7), nl + 7);
      type = json_object_get_string_member_with_default (json_node_get_object (node), "type", NULL);
      if (g_strcmp0 (type, name) != 0)
        gr_fuzz_fail ("anthropic stream: event %s carries type %s", name, type ? type : "(none)");
      p = sep + 2;
    }
}
