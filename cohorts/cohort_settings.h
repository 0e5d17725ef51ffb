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
 * Requires a where (and measure = persons with forecast), refuses a name
 * a published file or table already has or one with __ (the publisher's
 * derived names), defaults the title to the name and resolves each `by`
 * service flag against plan's services (turning the term into its column
 * name). Names are checked with every other table's too
 * (transition_settings.h).
 * 0, CE_CONFIG with ctx naming the line, or CE_NOMEM.
 */
int cohort_settings_finish(struct cohort_plan *k, const struct job_plan *plan,
                           struct setting_ctx *ctx);

/* The `title` key's check (UTF-8 text), shared with [transition]. */
int cohort_settings_check_title(const struct setting *s, void *obj,
                                const char *value, struct setting_ctx *ctx);

/* The `by` key's check, shared with [transition] (whose table is a
 * cohort_plan): parses the list into obj, a struct cohort_plan. */
int cohort_settings_set_by(const struct setting *s, void *obj,
                           const char *value, struct setting_ctx *ctx);

/* Resolves k's `by` service flags against plan's services; kind names the
 * section in a message ("cohort", "transition"). 0 or CE_CONFIG. */
int cohort_settings_finish_by(struct cohort_plan *k, const struct job_plan *plan,
                              const char *kind, struct setting_ctx *ctx);

#endif
