/* gr-secret-store.h — admin keys of remote gateways in the keyring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Keys are kept by the Secret Service (GNOME Keyring, KWallet…) through
 * libsecret, under the schema org.gaiarouter.GaiaRouter.Gateway with one
 * attribute, "url".  Where no Secret Service runs (a bare X session, CI
 * under Xvfb), every call fails with a GError and nothing is stored.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void      gr_secret_store_save_async    (const char           *url,
                                         const char           *key,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
gboolean  gr_secret_store_save_finish   (GAsyncResult         *result,
                                         GError              **error);

void      gr_secret_store_lookup_async  (const char           *url,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
/* The key (free it with gr_secret_store_free_key), or NULL with no error
 * when the keyring has none for url. */
char     *gr_secret_store_lookup_finish (GAsyncResult         *result,
                                         GError              **error);

void      gr_secret_store_free_key      (char                 *key);

G_END_DECLS
