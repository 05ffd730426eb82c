/* gr-stats-page.h — requests, tokens and cost over a range
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "pages/gr-page.h"
#include "widgets/gr-chart.h"

G_BEGIN_DECLS

typedef enum
{
  GR_STATS_RANGE_LAST_24_HOURS,
  GR_STATS_RANGE_LAST_7_DAYS,
  GR_STATS_RANGE_LAST_30_DAYS,
  GR_STATS_RANGE_CUSTOM,
} GrStatsRange;

#define GR_TYPE_STATS_PAGE (gr_stats_page_get_type ())
G_DECLARE_FINAL_TYPE (GrStatsPage, gr_stats_page, GR, STATS_PAGE, AdwBin)

GtkWidget *gr_stats_page_new             (void);
/* Selects a range and loads it (also what the range drop-down does). */
void       gr_stats_page_set_range       (GrStatsPage        *self,
                                          GrStatsRange        range);
/* Custom dates, both inclusive local days. */
void       gr_stats_page_set_custom_days (GrStatsPage        *self,
                                          GDateTime          *first,
                                          GDateTime          *last);
/* What the last load asked the API for. */
void       gr_stats_page_get_request     (GrStatsPage        *self,
                                          GrStatsScope       *scope,
                                          const char        **id,
                                          gint64             *start_ms,
                                          gint64             *end_ms,
                                          GrStatsGranularity *granularity);
/* "requests", "tokens", "cost", "models", "providers". */
GrChart   *gr_stats_page_get_chart       (GrStatsPage        *self,
                                          const char         *name);
/* Bumped after each completed load, for tests. */
guint      gr_stats_page_get_loads       (GrStatsPage        *self);
/* The CSV "Export CSV" writes: table is "time", "model" or "provider". */
char      *gr_stats_page_dup_csv         (GrStatsPage        *self,
                                          const char         *table);

G_END_DECLS
