/*
 * output_settings.h - the [output NAME] keys: where a run is published
 * (csv files under output_dir, or a PostgreSQL schema) and how.
 *
 *     ... app/config.c applies each key found in output_settings ...
 *     output_settings_finish(o, &ctx);     (after the whole file)
 *     output_settings_default(o, &ctx);    (a job without any [output])
 */
#ifndef COHORT_OUTPUT_SETTINGS_H
#define COHORT_OUTPUT_SETTINGS_H

#include "../core/plan.h"
#include "../core/settings.h"

/* The [output NAME] keys, over struct output_plan. */
extern const struct setting output_settings[];

/* A postgres output needs its conninfo and gets the schema "cohorts"
 * unless it names one. 0, CE_CONFIG with ctx naming the line, or
 * CE_NOMEM. */
int output_settings_finish(struct output_plan *o, struct setting_ctx *ctx);

/* Fills a zeroed o as the output of a job that names none: CSV files
 * under output_dir, called "files". 0 or CE_NOMEM. */
int output_settings_default(struct output_plan *o, struct setting_ctx *ctx);

#endif
