/* gr-connect-dialog.h — manage a gateway on another computer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "discovery/gr-discovery-browser.h"
#include "gr-window.h"

G_BEGIN_DECLS

#define GR_TYPE_CONNECT_DIALOG (gr_connect_dialog_get_type ())
G_DECLARE_FINAL_TYPE (GrConnectDialog, gr_connect_dialog, GR, CONNECT_DIALOG, AdwWindow)

GrConnectDialog *gr_connect_dialog_new         (GrWindow        *window);
void             gr_connect_dialog_set_url     (GrConnectDialog *self,
                                                const char      *url);
void             gr_connect_dialog_set_key     (GrConnectDialog *self,
                                                const char      *key);
/* Checks the URL and key (/health, then /v1/me); on success the window
 * manages that gateway, the URL joins "recent-gateways" and the key is
 * offered to the keyring.  Errors and keyring failures are shown in the
 * dialog; "connected" is emitted on success. */
void             gr_connect_dialog_connect     (GrConnectDialog *self);
gboolean         gr_connect_dialog_get_busy    (GrConnectDialog *self);
/* The message shown in the dialog, or NULL. */
const char      *gr_connect_dialog_get_message (GrConnectDialog *self);
/* What the URL field holds. */
const char      *gr_connect_dialog_get_url     (GrConnectDialog *self);
/* The LAN browser while the dialog is shown, or NULL. */
GrDiscoveryBrowser *gr_connect_dialog_get_browser (GrConnectDialog *self);
/* The list of gateways found on the network, or NULL while its group is
 * hidden (avahi-daemon out of reach). */
GtkListBox      *gr_connect_dialog_get_found_list (GrConnectDialog *self);
/* Normalizes what the user typed: adds http://, drops a trailing "/";
 * NULL when it is not an http(s) URL with a host. */
char            *gr_connect_dialog_normalize_url (const char    *text);

G_END_DECLS
