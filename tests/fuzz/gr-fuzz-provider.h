/* gr-fuzz-provider.h — the provider a translator target talks to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The translator targets are built once per provider kind with
 * -DGR_FUZZ_KIND=GR_PROVIDER_KIND_…; the OpenAI build covers the three
 * kinds that share the OpenAI translator.
 */
#pragma once

#include "providers/gr-provider.h"

#ifndef GR_FUZZ_KIND
#error "build with -DGR_FUZZ_KIND=GR_PROVIDER_KIND_…"
#endif

static const GrProviderKind gr_fuzz_kinds[] = {
  GR_FUZZ_KIND,
#if GR_FUZZ_KIND == GR_PROVIDER_KIND_OPENAI
  GR_PROVIDER_KIND_OPENROUTER,
  GR_PROVIDER_KIND_OPENAI_COMPATIBLE,
#endif
};

static inline GrProviderInfo
gr_fuzz_provider (GrProviderKind kind)
{
  GrProviderInfo info = {
    .name = (char *) gr_provider_kind_to_string (kind),
    .kind = kind,
    .base_url = (char *) "https://upstream.invalid/v1",
    .api_key = (char *) "sk-fuzz-key",
    .http_referer = (char *) "https://gaiarouter.invalid",
    .x_title = (char *) "GaiaRouter fuzz",
  };

  return info;
}
