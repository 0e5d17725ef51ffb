/*
 * output_settings.h - the [output NAME] keys: where a run is published
 * (csv files under a directory, or a PostgreSQL schema) and how.
 *
 *     ... app/config.c applies each key found in output_settings ...
 *     output_settings_finish(o, &ctx);        (each output, after the file)
 *     output_settings_default(o, &ctx);       (a job without any [output])
 *     output_settings_check_plan(plan, &ctx); (once, after every section)
 */
#ifndef COHORT_OUTPUT_SETTINGS_H
#define COHORT_OUTPUT_SETTINGS_H

#include "../core/plan.h"
#include "../core/settings.h"

/*
 * The most cohorts one job publishes. Each is a file in every csv output
 * and two tables (COHORT, COHORT__history) in every postgres output's one
 * transaction, where each table and its key hold locks until the commit:
 * 256 cohorts stay well inside PostgreSQL's default lock table
 * (max_locks_per_transaction 64 x max_connections 100).
 */
#define PUBLISH_MAX_COHORTS 256

/* The [output NAME] keys, over struct output_plan. */
extern const struct setting output_settings[];

/* A postgres output needs its conninfo and gets the schema "cohorts"
 * unless it names one; keys of the other type are refused. 0, CE_CONFIG
 * with ctx naming the line, or CE_NOMEM. */
int output_settings_finish(struct output_plan *o, struct setting_ctx *ctx);

/* Fills a zeroed o as the output of a job that names none: CSV files
 * under output_dir, called "files". 0 or CE_NOMEM. */
int output_settings_default(struct output_plan *o, struct setting_ctx *ctx);

/*
 * The checks over the whole plan: at most PUBLISH_MAX_COHORTS cohorts;
 * each csv output's dir (output_dir unless it names one, set here); no
 * two csv outputs in one directory (as spelt, or the same directory
 * through a link) and no two postgres outputs in one schema of one
 * conninfo. 0, CE_CONFIG with ctx naming the line, or CE_NOMEM.
 */
int output_settings_check_plan(struct job_plan *plan, struct setting_ctx *ctx);

#endif
