/* gr-fuzz-replay.c — runs a fuzz target once over files, without libFuzzer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: fuzz-<target>-replay FILE-OR-DIRECTORY…
 * Feeds every file (directories: every file in them, sorted) to
 * LLVMFuzzerTestOneInput once.  A target reports failure by aborting, so
 * reaching the end means every input passed.
 */
#include "config.h"

#include <stdlib.h>

#include "gr-fuzz.h"

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(char **) a, *(char **) b);
}

static void
collect (const char *path,
         GPtrArray  *files)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (files, g_strdup (path));
      return;
    }
  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (files, g_build_filename (path, name, NULL));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  if (argc < 2)
    {
      g_printerr ("usage: %s FILE-OR-DIRECTORY…\n", argv[0]);
      return 2;
    }
  for (int i = 1; i < argc; i++)
    collect (argv[i], files);
  g_ptr_array_sort (files, compare_strings);
  if (files->len == 0)
    {
      g_printerr ("%s: no inputs\n", argv[0]);
      return 1;
    }

  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      g_autofree char *contents = NULL;
      g_autoptr(GError) error = NULL;
      gsize len = 0;

      if (!g_file_get_contents (path, &contents, &len, &error))
        {
          g_printerr ("%s: %s\n", argv[0], error->message);
          return 1;
        }
      g_print ("%s (%" G_GSIZE_FORMAT " bytes)\n", path, len);
      LLVMFuzzerTestOneInput ((const guint8 *) contents, len);
    }
  g_print ("%u inputs passed\n", files->len);
  return 0;
}
