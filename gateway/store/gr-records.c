/* gr-records.c — plain rows the store reads and writes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "store/gr-records.h"

void
gr_limit_set_init_unlimited (GrLimitSet *limits)
{
  limits->rpm = -1;
  limits->requests_per_day = -1;
  limits->tokens_per_day = -1;
  limits->monthly_budget_micros = -1;
}

GrOrgRecord *
gr_org_record_new (void)
{
  GrOrgRecord *r = g_new0 (GrOrgRecord, 1);

  gr_limit_set_init_unlimited (&r->limits);
  return r;
}

void
gr_org_record_free (GrOrgRecord *r)
{
  if (r == NULL)
    return;
  g_free (r->id);
  g_free (r->name);
  g_free (r->description);
  g_free (r->status);
  g_free (r);
}

GrKeyRecord *
gr_key_record_new (void)
{
  GrKeyRecord *r = g_new0 (GrKeyRecord, 1);

  g_atomic_ref_count_init (&r->ref_count);
  gr_limit_set_init_unlimited (&r->limits);
  gr_limit_set_init_unlimited (&r->org_limits);
  return r;
}

GrKeyRecord *
gr_key_record_copy (const GrKeyRecord *r)
{
  GrKeyRecord *c = gr_key_record_new ();

  c->id = g_strdup (r->id);
  c->org_id = g_strdup (r->org_id);
  c->name = g_strdup (r->name);
  c->prefix = g_strdup (r->prefix);
  c->hash = g_strdup (r->hash);
  c->permissions = g_strdupv (r->permissions);
  c->allowed_models = g_strdupv (r->allowed_models);
  c->expires_at = r->expires_at;
  c->status = g_strdup (r->status);
  c->org_status = g_strdup (r->org_status);
  c->last_used_at = r->last_used_at;
  c->created_at = r->created_at;
  c->updated_at = r->updated_at;
  c->limits = r->limits;
  c->org_limits = r->org_limits;
  return c;
}

GrKeyRecord *
gr_key_record_ref (GrKeyRecord *r)
{
  g_atomic_ref_count_inc (&r->ref_count);
  return r;
}

void
gr_key_record_free (GrKeyRecord *r)
{
  if (r == NULL || !g_atomic_ref_count_dec (&r->ref_count))
    return;
  g_free (r->id);
  g_free (r->org_id);
  g_free (r->name);
  g_free (r->prefix);
  g_free (r->hash);
  g_strfreev (r->permissions);
  g_strfreev (r->allowed_models);
  g_free (r->status);
  g_free (r->org_status);
  g_free (r);
}

gboolean
gr_key_record_has_permission (const GrKeyRecord *r,
                              const char        *scope)
{
  if (r->permissions == NULL)
    return FALSE;
  return g_strv_contains ((const char * const *) r->permissions, "admin") ||
         g_strv_contains ((const char * const *) r->permissions, scope);
}

GrUsageEvent *
gr_usage_event_new (void)
{
  GrUsageEvent *e = g_new0 (GrUsageEvent, 1);

  e->ttfb_ms = -1;
  return e;
}

void
gr_usage_event_free (GrUsageEvent *e)
{
  if (e == NULL)
    return;
  g_free (e->request_id);
  g_free (e->key_id);
  g_free (e->org_id);
  g_free (e->provider);
  g_free (e->model);
  g_free (e->endpoint);
  g_free (e->error_code);
  g_free (e);
}
