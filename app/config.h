/*
 * config.h - the job file (INI) into the job plan (core/plan.h). The reader
 * knows sections, lines and the INI syntax; what a key means, its default
 * and its check are the settings table of the stage that owns it:
 *
 *     [job]         app/job_settings.h
 *     [source NAME] connectors/source_settings.h, transform/map_settings.h,
 *                   app/job_settings.h (max_row_change)
 *     [linkage]     anonymise/link_settings.h
 *     [disclosure]  anonymise/disclosure_settings.h
 *     [cohort NAME] cohorts/cohort_settings.h
 *     [output NAME] export/output_settings.h
 *
 * Calling sequence:
 *     struct job_plan plan;
 *     struct diag d;
 *     if (job_plan_load(&plan, "job.conf", &d) < 0) -> CE_CONFIG, d says
 *         "job.conf", the line and the key;
 *     ... use (const struct job_plan *)&plan ...
 *     job_plan_release(&plan);
 */
#ifndef COHORT_CONFIG_H
#define COHORT_CONFIG_H

#include "../core/error.h"
#include "../core/plan.h"
#include "../core/settings.h"

/*
 * Parses and validates the job file at path into plan. On error returns
 * CE_CONFIG (or CE_NOMEM) with d naming the file, the line and the key;
 * plan is then released. The caller releases a loaded plan with
 * job_plan_release().
 */
int job_plan_load(struct job_plan *plan, const char *path, struct diag *d);

/*
 * The settings tables of a section kind ("source"), a NULL-ended list, or
 * NULL for a kind the job file does not have: what the tests hold the
 * README's key tables against.
 */
const struct setting *const *config_section_tables(const char *kind);

#endif
