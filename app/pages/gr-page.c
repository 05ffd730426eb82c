/* gr-page.c — what every page of the main window implements
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pages/gr-page.h"

G_DEFINE_INTERFACE (GrPage, gr_page, GTK_TYPE_WIDGET)

static void
gr_page_default_init (GrPageInterface *iface)
{
  g_object_interface_install_property (iface,
    g_param_spec_object ("client", NULL, NULL,
                         GR_TYPE_ADMIN_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
}

GrAdminClient *
gr_page_get_client (GrPage *self)
{
  GrAdminClient *client = NULL;

  g_return_val_if_fail (GR_IS_PAGE (self), NULL);

  g_object_get (self, "client", &client, NULL);
  /* The page keeps its own reference; hand back a borrowed pointer. */
  if (client != NULL)
    g_object_unref (client);
  return client;
}

void
gr_page_set_client (GrPage        *self,
                    GrAdminClient *client)
{
  g_return_if_fail (GR_IS_PAGE (self));
  g_object_set (self, "client", client, NULL);
}

void
gr_page_refresh (GrPage *self)
{
  g_return_if_fail (GR_IS_PAGE (self));
  if (GR_PAGE_GET_IFACE (self)->refresh != NULL)
    GR_PAGE_GET_IFACE (self)->refresh (self);
}

void
gr_page_create_item (GrPage *self)
{
  g_return_if_fail (GR_IS_PAGE (self));
  if (GR_PAGE_GET_IFACE (self)->create_item != NULL)
    GR_PAGE_GET_IFACE (self)->create_item (self);
}

void
gr_page_focus_search (GrPage *self)
{
  g_return_if_fail (GR_IS_PAGE (self));
  if (GR_PAGE_GET_IFACE (self)->focus_search != NULL)
    GR_PAGE_GET_IFACE (self)->focus_search (self);
}

void
gr_page_toast (GtkWidget  *widget,
               const char *message)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (message));
  else
    g_message ("%s", message);
}

void
gr_page_toast_error (GtkWidget    *widget,
                     const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_CANCELLED))
    return;
  gr_page_toast (widget, error->message);
}
