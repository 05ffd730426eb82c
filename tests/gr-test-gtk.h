/* gr-test-gtk.h — logging for the app tests under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Call after g_test_init().  Every warning stays fatal (G_DEBUG has
 * fatal-warnings) but one: GTK 4.8 warns "did not receive a focus-out
 * event" when a focused GtkText goes away, which happens under Xvfb (no
 * window manager hands focus around) whenever a dialog closes; it says
 * nothing about our code.  GTK logs it through the structured API, whose
 * default writer decides what is fatal, so this installs a writer (a
 * g_test_log_set_fatal_handler() alone only covers the old API). */
void gr_test_gtk_init_logging (void);

G_END_DECLS
