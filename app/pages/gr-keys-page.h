/* gr-keys-page.h — the API Keys page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define GR_TYPE_KEYS_PAGE (gr_keys_page_get_type ())

G_DECLARE_FINAL_TYPE (GrKeysPage, gr_keys_page, GR, KEYS_PAGE, AdwBin)

/* A GrPage.  Its actions: "keys.new", "keys.edit" (s: id),
 * "keys.toggle-status" (s), "keys.rotate" (s), "keys.delete" (s),
 * "keys.details" (s), "keys.show-list", "keys.next-page",
 * "keys.previous-page". */
GtkWidget *gr_keys_page_new (void);

G_END_DECLS
