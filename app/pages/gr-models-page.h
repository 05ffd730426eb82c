/* gr-models-page.h — the model registry: models with prices, and aliases
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "pages/gr-page.h"

G_BEGIN_DECLS

#define GR_TYPE_MODELS_PAGE (gr_models_page_get_type ())
G_DECLARE_FINAL_TYPE (GrModelsPage, gr_models_page, GR, MODELS_PAGE, AdwBin)

GtkWidget *gr_models_page_new (void);

G_END_DECLS
