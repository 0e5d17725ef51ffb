/*
 * job_settings.h - the [job] keys (the job's name, its reference date and
 * periods, where its key, outputs, lookup and nicknames are, the age
 * bands) and the one [source] key the roof owns: max_row_change, the
 * drift guard app/drift.c applies against the last published run.
 *
 *     settings_boot(job_settings, plan, &ctx);     (defaults)
 *     ... app/config.c applies each key found in the tables ...
 *     job_settings_finish(plan, job_line, &ctx);   (required keys)
 */
#ifndef COHORT_JOB_SETTINGS_H
#define COHORT_JOB_SETTINGS_H

#include "../core/plan.h"
#include "../core/settings.h"

/* The [job] keys, over struct job_plan. */
extern const struct setting job_settings[];

/* The drift guard's key of [source NAME], over struct source_plan. */
extern const struct setting source_drift_settings[];

/* Requires the keys [job] must have; line is the [job] header's.
 * 0 or CE_CONFIG with ctx naming the line. */
int job_settings_finish(const struct job_plan *plan, int line,
                        struct setting_ctx *ctx);

#endif
