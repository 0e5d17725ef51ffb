/*
 * cohort_settings.h - the [cohort NAME] keys: its title, who is in it
 * (`where`, parsed later by cohorts/where.h against the whole plan), what
 * it is broken down by and what it counts.
 *
 *     ... app/config.c applies each key found in cohort_settings ...
 *     cohort_settings_finish(k, plan, &ctx);  (once every source's services
 *         are in the plan: a `by` service flag names one of them)
 */
#ifndef COHORT_COHORT_SETTINGS_H
#define COHORT_COHORT_SETTINGS_H

#include "../core/plan.h"
#include "../core/settings.h"

/* The [cohort NAME] keys, over struct cohort_plan. */
extern const struct setting cohort_settings[];

/*
 * Requires a where, refuses a name a published file or table already has
 * or one with __ (the publisher's derived names),
 * defaults the title to the name and resolves each `by` service flag
 * against plan's services (turning the term into its column name).
 * 0, CE_CONFIG with ctx naming the line, or CE_NOMEM.
 */
int cohort_settings_finish(struct cohort_plan *k, const struct job_plan *plan,
                           struct setting_ctx *ctx);

#endif
