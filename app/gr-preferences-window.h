/* gr-preferences-window.h — settings of the app and its gateway
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "gr-application.h"

G_BEGIN_DECLS

#define GR_TYPE_PREFERENCES_WINDOW (gr_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (GrPreferencesWindow, gr_preferences_window, GR, PREFERENCES_WINDOW, AdwPreferencesWindow)

GrPreferencesWindow *gr_preferences_window_new (GrApplication *application);

G_END_DECLS
