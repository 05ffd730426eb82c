/* gr-store-providers.h — providers made or changed through the admin API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The configuration file says which providers exist; the admin API may add
 * providers of its own ("api" providers, GrProviderConfig.from_store) and
 * override fields of the file's providers.  Both are kept in the store so
 * that they survive a restart, and applied on top of the file at start.
 *
 * Field names, as the admin API spells them: kind, base_url, api_key,
 * proxy, enabled, http_referer, x_title, connect_timeout_seconds,
 * first_byte_timeout_seconds, idle_timeout_seconds.
 */
#pragma once

#include "core/gr-config.h"
#include "store/gr-store.h"

G_BEGIN_DECLS

typedef struct
{
  GrProviderConfig *config;  /* the stored values; from_store for an API provider */
  char            **fields;  /* for an override of a file provider: what the API set */
} GrStoredProvider;

void              gr_stored_provider_free        (GrStoredProvider       *stored);

/* A deep copy (the credential included). */
GrProviderConfig *gr_provider_config_dup         (const GrProviderConfig *provider);
/* Copies the named fields of src into dst; fields NULL copies them all.
 * The name and from_store are never copied. */
void              gr_provider_config_copy_fields (GrProviderConfig       *dst,
                                                  const GrProviderConfig *src,
                                                  const char * const     *fields);
gboolean          gr_provider_field_is_known     (const char             *field);

/* Every stored provider and override (GrStoredProvider*), oldest first. */
GPtrArray        *gr_store_list_providers        (GrStore                *self,
                                                  GError                **error);
/* A new API provider; GR_ERROR_CONFLICT when the name is taken.  The
 * caller has checked that no file provider has the name, so a stored
 * override under it is a leftover and is replaced. */
gboolean          gr_store_create_provider       (GrStore                *self,
                                                  const GrProviderConfig *provider,
                                                  GError                **error);
/* Stores the named fields of values: for an API provider (values->from_store)
 * it must exist (GR_ERROR_NOT_FOUND); for a file provider the fields join
 * its override.  A file provider's credential is stored only when the API
 * set it, never the one the file or the environment gave. */
gboolean          gr_store_update_provider       (GrStore                *self,
                                                  const GrProviderConfig *values,
                                                  const char * const     *fields,
                                                  GError                **error);
/* GR_ERROR_NOT_FOUND when nothing is stored under the name. */
gboolean          gr_store_delete_provider       (GrStore                *self,
                                                  const char             *name,
                                                  GError                **error);
/* At start: drops the API providers config holds from an earlier run,
 * then adds the stored ones and applies the stored overrides.  Fails only
 * when the store cannot be read. */
/* The same on a list of GrProviderConfig (owned by the list). */
gboolean          gr_store_apply_providers_to_list (GrStore              *self,
                                                    GPtrArray            *providers,
                                                    GError              **error);
gboolean          gr_store_apply_providers       (GrStore                *self,
                                                  GrConfig               *config,
                                                  GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GrStoredProvider, gr_stored_provider_free)

G_END_DECLS
