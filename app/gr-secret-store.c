/* gr-secret-store.c — admin keys of remote gateways in the keyring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gaiarouter"

#include "config.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "gr-secret-store.h"

static const SecretSchema *
gr_secret_store_get_schema (void)
{
  static const SecretSchema schema = {
    "org.gaiarouter.GaiaRouter.Gateway", SECRET_SCHEMA_NONE,
    {
      { "url", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

static void
gr_secret_store_save_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (secret_password_store_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * gr_secret_store_save_async:
 * @url: the gateway's base URL, the item's attribute
 * @key: the admin key to keep
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Stores @key in the default collection of the Secret Service.
 */
void
gr_secret_store_save_async (const char          *url,
                            const char          *key,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (url != NULL);
  g_return_if_fail (key != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, gr_secret_store_save_async);

  /* Translators: the name of a keyring item; %s is a URL. */
  label = g_strdup_printf (_("GaiaRouter admin key for %s"), url);
  secret_password_store (gr_secret_store_get_schema (), SECRET_COLLECTION_DEFAULT,
                         label, key, cancellable,
                         gr_secret_store_save_cb, g_steal_pointer (&task),
                         "url", url,
                         NULL);
}

gboolean
gr_secret_store_save_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
gr_secret_store_lookup_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *key;

  key = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, key, (GDestroyNotify) secret_password_free);
}

/**
 * gr_secret_store_lookup_async:
 * @url: the gateway's base URL
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Looks up the admin key stored for @url.
 */
void
gr_secret_store_lookup_async (const char          *url,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (url != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, gr_secret_store_lookup_async);
  secret_password_lookup (gr_secret_store_get_schema (), cancellable,
                          gr_secret_store_lookup_cb, task,
                          "url", url,
                          NULL);
}

char *
gr_secret_store_lookup_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * gr_secret_store_free_key:
 * @key: (nullable): a key from gr_secret_store_lookup_finish()
 *
 * Frees @key after wiping it from memory.
 */
void
gr_secret_store_free_key (char *key)
{
  if (key != NULL)
    secret_password_free (key);
}
