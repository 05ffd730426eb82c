/* gr-keys.h — gateway API keys: generation, hashing, comparison
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define GR_KEY_PREFIX "gr-"
/* "gr-" + 43 base64url characters of 32 random bytes. */
#define GR_KEY_LENGTH 46
/* Shown in lists so people can tell keys apart: "gr-AbCdEfGh". */
#define GR_KEY_DISPLAY_PREFIX_LENGTH 11

/* A new secret key from the OS random source (256 bits). */
char    *gr_key_generate         (void);
/* Display prefix of a key (first characters), never enough to use it. */
char    *gr_key_display_prefix   (const char   *key);
/* Lower-case hex HMAC-SHA-256 of the key under the installation secret. */
char    *gr_key_hash             (const char   *installation_secret,
                                  const char   *key);
/* Constant-time equality of two NUL-terminated strings of equal length. */
gboolean gr_key_equal_constant_time (const char *a,
                                     const char *b);
/* Fills buf with len bytes from the OS random source. */
void     gr_random_bytes         (guint8       *buf,
                                  gsize         len);
/* A random id such as "org_3f9a…" (prefix + 20 hex characters). */
char    *gr_random_id            (const char   *prefix);
/* A random hex string of 2*n_bytes characters. */
char    *gr_random_hex           (gsize         n_bytes);

G_END_DECLS
