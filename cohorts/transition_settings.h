/*
 * transition_settings.h - the [transition NAME] keys (a table of persons
 * moving from one cohort to another: cohorts/flows.h), and the check that
 * every table a job publishes has a name of its own.
 *
 *     ... app/config.c applies each key found in transition_settings ...
 *     transition_settings_finish(tp, plan, &ctx);   (once every cohort and
 *         every source's services are in the plan)
 *     published_tables_check(plan, &ctx);            (once, after them all)
 */
#ifndef COHORT_TRANSITION_SETTINGS_H
#define COHORT_TRANSITION_SETTINGS_H

#include "../core/plan.h"
#include "../core/settings.h"

/* The [job] key of the standard tables (standard_tables), over struct
 * job_plan. */
extern const struct setting tables_job_settings[];

/* The [transition NAME] keys, over struct transition_plan. */
extern const struct setting transition_settings[];

/*
 * Requires from and to, resolves them to cohorts of the plan, defaults
 * the title and resolves the `by` service flags. 0, CE_CONFIG with ctx
 * naming the line, or CE_NOMEM.
 */
int transition_settings_finish(struct transition_plan *tp,
                               const struct job_plan *plan,
                               struct setting_ctx *ctx);

/*
 * Refuses a job two of whose published tables would have one name (a
 * cohort, the flow tables and projection of a forecast cohort, a
 * transition, the standard tables), or one a published file already has
 * (runs, quality, ...). 0 or CE_CONFIG.
 */
int published_tables_check(const struct job_plan *plan,
                           struct setting_ctx *ctx);

#endif
