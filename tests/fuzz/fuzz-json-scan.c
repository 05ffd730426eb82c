/* fuzz-json-scan.c — the byte-level JSON object scanner of the fast paths
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * gr_json_scan_object() decides which upstream bytes reach clients without
 * a full parse, so whatever it accepts must be one well-formed JSON object
 * (json-glib, strictly, agrees), the spans it reports must lie inside the
 * text and hold JSON values, and removing a member must leave an object.
 */
#include "config.h"

#include <string.h>

#include "core/gr-json.h"
#include "gr-fuzz.h"
#include "providers/gr-json-scan.h"

static const char * const names[] = { "model", "usage", "choices", "error", "id", NULL };

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = NULL;
  GrJsonSpan spans[G_N_ELEMENTS (names)];

  gr_fuzz_init ();
  /* Not NUL-terminated: the scanner gets a length. */
  text = g_malloc (MAX (size, 1));
  if (size > 0)
    memcpy (text, data, size);
  if (!gr_json_scan_object (text, size, names, spans))
    return 0;

  if (!g_utf8_validate_len (text, size, NULL))
    gr_fuzz_fail ("the scanner accepted text that is not UTF-8");
  /* json-glib, the reference below, fails on lone surrogate escapes
   * ("\ud800"), which are valid JSON syntax: compare only where it is
   * reliable. */
  if (!gr_json_text_is_safe (text, size))
    return 0;
  {
    g_autofree char *copy = gr_fuzz_strndup (data, size);
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autoptr(GError) error = NULL;

    if (!json_parser_load_from_data (parser, copy, size, &error) ||
        json_parser_get_root (parser) == NULL ||
        !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
      gr_fuzz_fail ("the scanner accepted what json-glib refuses (%s): %s",
                    error ? error->message : "not an object", copy);
  }

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(GString) without = NULL;
      g_autofree char *value = NULL;

      if (spans[i].key_start < 0)
        continue;
      if (spans[i].key_start >= spans[i].value_start || spans[i].value_start >= spans[i].value_end ||
          (gsize) spans[i].value_end > size)
        gr_fuzz_fail ("span of %s out of order or bounds", names[i]);
      value = g_strndup (text + spans[i].value_start, spans[i].value_end - spans[i].value_start);
      gr_fuzz_check_json (value, -1, "a member's value span");
      without = g_string_new (NULL);
      gr_json_append_without (without, text, size, &spans[i]);
      gr_fuzz_check_json (without->str, without->len, "the object without a member");
    }
  return 0;
}
