/* gr-authn.c — who is calling: gateway keys and the app's internal token
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "auth/gr-keys.h"
#include "http/gr-authn.h"
#include "http/gr-http.h"

static GrKeyRecord *
internal_admin_record (void)
{
  GrKeyRecord *r = gr_key_record_new ();
  static const char *admin[] = { "admin", NULL };

  r->id = g_strdup ("internal");
  r->name = g_strdup ("Desktop app");
  r->permissions = g_strdupv ((char **) admin);
  r->allowed_models = g_new0 (char *, 1);
  r->status = g_strdup ("active");
  r->org_status = g_strdup ("active");
  return r;
}

static GrApiError *
unauthorized (const char *message)
{
  return gr_api_error_new (401, "authentication_error", "invalid_api_key", NULL, "%s", message);
}

GrKeyRecord *
gr_authn_check (GrServer          *server,
                SoupServerMessage *msg,
                const char        *scope,
                GrApiError       **error)
{
  const char *secret = gr_http_get_client_key (msg);
  const char *token = server->shared->config->internal_token;
  g_autoptr(GrKeyRecord) key = NULL;
  gint64 now_ms;

  if (secret == NULL || *secret == '\0')
    {
      *error = unauthorized ("Missing API key: send it as “Authorization: Bearer gr-…”.");
      return NULL;
    }

  /* The desktop app's own token works from this machine only. */
  if (token != NULL && gr_key_equal_constant_time (secret, token))
    {
      if (gr_http_is_loopback (msg))
        return internal_admin_record ();
      *error = unauthorized ("Invalid API key.");
      return NULL;
    }

  key = gr_key_cache_lookup (server->shared->keys, secret);
  if (key == NULL)
    {
      *error = unauthorized ("Invalid API key.");
      return NULL;
    }
  if (g_strcmp0 (key->status, "active") != 0)
    {
      *error = gr_api_error_new (401, "authentication_error", "key_inactive", NULL,
                                 "This API key is %s.", key->status);
      return NULL;
    }
  now_ms = g_get_real_time () / 1000;
  if (key->expires_at > 0 && key->expires_at <= now_ms)
    {
      *error = gr_api_error_new (401, "authentication_error", "key_expired", NULL,
                                 "This API key has expired.");
      return NULL;
    }
  if (g_strcmp0 (key->org_status, "active") != 0)
    {
      *error = gr_api_error_new (403, "permission_error", "organization_disabled", NULL,
                                 "The organization of this API key is %s.", key->org_status);
      return NULL;
    }
  if (scope != NULL && !gr_key_record_has_permission (key, scope))
    {
      *error = gr_api_error_new (403, "permission_error", "insufficient_permissions", NULL,
                                 "This API key lacks the “%s” permission.", scope);
      return NULL;
    }
  return g_steal_pointer (&key);
}

gboolean
gr_authn_model_allowed (const GrKeyRecord *key,
                        const char        *model)
{
  if (key->allowed_models == NULL || key->allowed_models[0] == NULL)
    return TRUE;
  for (guint i = 0; key->allowed_models[i] != NULL; i++)
    if (g_pattern_match_simple (key->allowed_models[i], model))
      return TRUE;
  return FALSE;
}
