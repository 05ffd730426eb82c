/* gr-page.h — what every page of the main window implements
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A page shows one part of a gateway (organizations, keys, statistics…)
 * through a GrAdminClient.  The window sets the "client" property when it
 * connects (to the embedded gateway or a remote one) and calls the
 * interface's actions for Ctrl+R, Ctrl+N and Ctrl+F.
 */
#pragma once

#include <adwaita.h>

#include "client/gr-admin-client.h"

G_BEGIN_DECLS

#define GR_TYPE_PAGE (gr_page_get_type ())
G_DECLARE_INTERFACE (GrPage, gr_page, GR, PAGE, GtkWidget)

struct _GrPageInterface
{
  GTypeInterface parent_iface;

  /* Reload from the gateway (Ctrl+R). */
  void     (*refresh)      (GrPage *self);
  /* Open the "new item" form, if the page has one (Ctrl+N). */
  void     (*create_item)  (GrPage *self);
  /* Focus the search entry, if the page has one (Ctrl+F). */
  void     (*focus_search) (GrPage *self);
};

/* Pages implement the "client" property (GrAdminClient*, nullable,
 * G_PARAM_READWRITE): when it changes they drop what they show and load
 * again, cancelling calls in flight. */
GrAdminClient *gr_page_get_client   (GrPage     *self);
void           gr_page_set_client   (GrPage     *self,
                                     GrAdminClient *client);
void           gr_page_refresh      (GrPage     *self);
void           gr_page_create_item  (GrPage     *self);
void           gr_page_focus_search (GrPage     *self);

/* Shows a toast in the window's AdwToastOverlay (the nearest ancestor). */
void           gr_page_toast        (GtkWidget  *widget,
                                     const char *message);
/* Shows an error of a GrAdminClient call as a toast, unless it is a
 * cancellation (which is silent). */
void           gr_page_toast_error  (GtkWidget    *widget,
                                     const GError *error);

G_END_DECLS
