/* gr-window.h — the main window: sidebar, pages, the gateway it manages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "gr-application.h"

G_BEGIN_DECLS

#define GR_TYPE_WINDOW (gr_window_get_type ())
G_DECLARE_FINAL_TYPE (GrWindow, gr_window, GR, WINDOW, AdwApplicationWindow)

GrWindow      *gr_window_new                   (GrApplication *application);
void           gr_window_add_toast             (GrWindow      *self,
                                                AdwToast      *toast);

/* Pages by name: dashboard, organizations, keys, statistics, providers,
 * models, logs. */
GtkWidget     *gr_window_get_page              (GrWindow      *self,
                                                const char    *name);
const char    *gr_window_get_visible_page_name (GrWindow      *self);
gboolean       gr_window_set_visible_page      (GrWindow      *self,
                                                const char    *name);

/* The client every page uses: the local gateway's or a remote one. */
GrAdminClient *gr_window_get_client            (GrWindow      *self);
gboolean       gr_window_is_remote             (GrWindow      *self);
/* Manages the gateway at url through client (from GrConnectDialog). */
void           gr_window_connect_remote        (GrWindow      *self,
                                                GrAdminClient *client,
                                                const char    *url);
/* Back to the embedded gateway. */
void           gr_window_connect_local         (GrWindow      *self);

G_END_DECLS
