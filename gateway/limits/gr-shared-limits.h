/* gr-shared-limits.h — usage limits held across several gateways in one database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * When several gateways share one PostgreSQL database, a key's limits must
 * hold across all of them.  The counters of every key and organization
 * that has a limit then live in the database (tables limit_counters and
 * limit_admissions), and admission is one transaction there:
 *
 *   1. take a transaction-scoped advisory lock per scope (key, then
 *      organization, in a fixed order, so two gateways never deadlock);
 *   2. load the scope's counters into a GrLimits used as the calculator —
 *      the same rules, windows and messages as a single gateway (see
 *      gr-limits.h);
 *   3. admit or refuse there, write the counters back (the estimate now
 *      counts as reserved for every gateway) and commit.
 *
 * Settlement subtracts the estimate from what is reserved and adds the
 * real usage, in one UPDATE per scope and window.  A gateway killed between
 * admission and settlement leaves its estimates reserved until the day (or
 * month) ends: the limits err on the side of never overspending.
 *
 * All database work runs on one worker thread with its own connection:
 * the gateway threads never wait for the database.  Requests of keys and
 * organizations without any limit do not come here at all.
 */
#pragma once

#include "limits/gr-limits.h"

G_BEGIN_DECLS

typedef struct _GrSharedLimits      GrSharedLimits;
typedef struct _GrSharedReservation GrSharedReservation;

/* Called on the context given to gr_shared_limits_admit_async().
 * Exactly one of reservation (admitted; settle it), refusal (over a
 * limit) and error (the database could not be used) is set. */
typedef void (*GrSharedAdmitFunc) (GrSharedReservation  *reservation,
                                   const GrLimitRefusal *refusal,
                                   const GError         *error,
                                   gpointer              user_data);

/* Opens a connection of its own to db_target (as gr_db_open() takes it);
 * the tables come from the store's migrations.  calculator is the GrLimits
 * the counters are loaded into; the gateway passes its own, so GET /v1/me
 * reads what was last loaded (see gr_shared_limits_refresh()). */
GrSharedLimits *gr_shared_limits_new   (const char      *db_target,
                                        GrLimits        *calculator,
                                        GError         **error);
/* Writes every queued settlement, stops the thread and frees. */
void            gr_shared_limits_free  (GrSharedLimits  *self);

/* TRUE when the key's or the organization's limits need the database. */
gboolean        gr_shared_limits_applies (const GrLimitSet *key_limits,
                                          const GrLimitSet *org_limits);

void            gr_shared_limits_admit_async (GrSharedLimits    *self,
                                              const char        *key_id,
                                              const GrLimitSet  *key_limits,
                                              const char        *org_id,
                                              const GrLimitSet  *org_limits,
                                              gint64             estimated_tokens,
                                              gint64             estimated_cost_micros,
                                              GMainContext      *context,
                                              GrSharedAdmitFunc  func,
                                              gpointer           user_data);

/* Queues the settlement (retried while the database is busy) and frees
 * the reservation.  Negative amounts count as 0. */
void            gr_shared_limits_settle (GrSharedLimits      *self,
                                         GrSharedReservation *reservation,
                                         gint64               actual_tokens,
                                         gint64               actual_cost_micros);

/* Loads the counters of a key and its organization (either may be NULL)
 * into the calculator, waiting for the worker: for a worker thread (GET
 * /v1/me), never for a gateway thread. */
gboolean        gr_shared_limits_refresh (GrSharedLimits  *self,
                                          const char      *key_id,
                                          const char      *org_id,
                                          GError         **error);

G_END_DECLS
