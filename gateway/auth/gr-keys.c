/* gr-keys.c — gateway API keys: generation, hashing, comparison
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "auth/gr-keys.h"

void
gr_random_bytes (guint8 *buf,
                 gsize   len)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = getrandom (buf + done, len - done, 0);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          g_error ("getrandom failed: %s", g_strerror (errno));
        }
      done += (gsize) n;
    }
}

static char *
base64url (const guint8 *data,
           gsize         len)
{
  char *s = g_base64_encode (data, len);

  for (char *p = s; *p; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        {
          *p = '\0';
          break;
        }
    }
  return s;
}

char *
gr_key_generate (void)
{
  guint8 raw[32];
  g_autofree char *b64 = NULL;
  char *key;

  gr_random_bytes (raw, sizeof raw);
  b64 = base64url (raw, sizeof raw);
  explicit_bzero (raw, sizeof raw);
  key = g_strconcat (GR_KEY_PREFIX, b64, NULL);
  explicit_bzero (b64, strlen (b64));
  return key;
}

char *
gr_key_display_prefix (const char *key)
{
  g_return_val_if_fail (key != NULL, NULL);
  return g_strndup (key, GR_KEY_DISPLAY_PREFIX_LENGTH);
}

char *
gr_key_hash (const char *installation_secret,
             const char *key)
{
  g_return_val_if_fail (installation_secret != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  return g_compute_hmac_for_string (G_CHECKSUM_SHA256,
                                    (const guchar *) installation_secret,
                                    strlen (installation_secret),
                                    key, -1);
}

gboolean
gr_key_equal_constant_time (const char *a,
                            const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  guint8 diff = la != lb;

  /* Compare the whole length whatever the content, so timing says nothing
   * about where the first difference is. */
  for (gsize i = 0; i < la && i < lb; i++)
    diff |= (guint8) (a[i] ^ b[i]);
  return diff == 0;
}

char *
gr_random_hex (gsize n_bytes)
{
  g_autofree guint8 *raw = g_malloc (n_bytes);
  GString *s = g_string_sized_new (n_bytes * 2);

  gr_random_bytes (raw, n_bytes);
  for (gsize i = 0; i < n_bytes; i++)
    g_string_append_printf (s, "%02x", raw[i]);
  return g_string_free (s, FALSE);
}

char *
gr_random_id (const char *prefix)
{
  g_autofree char *hex = gr_random_hex (10);

  return g_strconcat (prefix, "_", hex, NULL);
}
