/*
 * job_tables.h - the job's steps after its cohorts are counted: the
 * tables derived for demand forecasting (cohorts/flows.h: a forecast
 * cohort's entries, exits and months in the cohort; transitions; the
 * standard service_transitions and overlap tables), each through the
 * same disclosure control and release check as a cohort table; rates per
 * 10 000 on every table the denominators fit (forecast/rates.h); and the
 * projections (forecast/projection.h), computed from published tables
 * only.
 *
 *     n = job_table_count(plan);          (sizes run_summary.cohorts)
 *     per counted table: job_protect_table(&counted, &tj, name, cr, d)
 *     job_derived_tables(&tj, d);          (after every cohort's table)
 *     job_rates(plan, sum, d);
 *     job_projections(plan, sum, d);
 */
#ifndef COHORT_JOB_TABLES_H
#define COHORT_JOB_TABLES_H

#include "../anonymise/person.h"
#include "../anonymise/ptable.h"
#include "../anonymise/table.h"
#include "../core/error.h"
#include "../core/period.h"
#include "../core/plan.h"
#include "../core/run.h"

struct where_expr;

/* What the job lends the table steps. */
struct table_job {
    const struct job_plan *plan;
    const struct person_set *ps;
    const struct period *periods;
    struct where_expr *const *exprs;   /* per cohort */
    const struct ptable *pt;           /* NULL without perturbation */
    int threads;
    struct run_summary *sum;
};

/* Every count table the job publishes: its cohorts and the derived ones. */
size_t job_table_count(const struct job_plan *plan);

/*
 * Protects counted (disclosure_protect, then the release check) and makes
 * the published table of cr, with the counts of what each rule did; the
 * true counts end here (counted is released). name names the table in a
 * message. A derived table all of whose cells are hidden is published
 * (with a warning) rather than failing the run: it is safe, only empty.
 * 0, CE_DATA (the release check), CE_NOMEM or CE_INTERNAL.
 */
int job_protect_table(struct count_table *counted, const struct table_job *tj,
                      const char *name, int derived, struct cohort_result *cr,
                      struct diag *d);

/*
 * Refuses (CE_CONFIG, rule nested_tables) a job that derives tables --
 * forecast = yes, a [transition], standard_tables -- unless its disclosure
 * plan answers their subtraction from the cohort tables and each other
 * (cell-key perturbation, or rounding at least the protection level), as
 * job_check_nesting() does for nested cohorts. 0 otherwise.
 */
int job_check_derived(const struct job_plan *plan, struct diag *d);

/* Counts, protects and publishes every derived table into tj->sum (after
 * the cohorts' results), with its plan. 0 or as job_protect_table(). */
int job_derived_tables(const struct table_job *tj, struct diag *d);

/* Loads the plan's denominators (if any) and sets every table's rates
 * that they fit, and the summary's vintage. 0, CE_CONFIG (the file, d
 * says where) or CE_NOMEM. */
int job_rates(const struct job_plan *plan, struct run_summary *sum,
              struct diag *d);

/* The projection of every forecast cohort from its published tables. 0
 * or CE_NOMEM. */
int job_projections(const struct job_plan *plan, struct run_summary *sum,
                    struct diag *d);

#endif
