/*
 * count.h - persons per cell: for every monthly period, each person for
 * whom the cohort's `where` holds is counted once, in the cell of their
 * generalised attributes (age band at the end of that month, sex,
 * ethnicity, ward, LSOA, district; a service flag is `yes` when a spell of
 * that service overlaps the month, else `no`), then margins and totals are
 * summed.
 * Categories never depend on the data: age bands are the plan's (and
 * UNKNOWN), sex and ethnicity the codes the sources can give
 * (person_set.sex_possible, .ethnicity_possible), geography the lookup's.
 * A cell the cohort's where makes impossible (an age band outside its age
 * condition, `no` for a service it requires) is marked a structural zero
 * (count_table.structural, published [z]).
 * The table then goes to anonymise/disclosure before anyone sees it.
 */
#ifndef COHORT_COUNT_H
#define COHORT_COUNT_H

#include "../anonymise/person.h"
#include "../core/plan.h"
#include "../core/period.h"
#include "../anonymise/table.h"
#include "where.h"

/*
 * Fills t (initialised here; the caller releases it) for cohort c over the
 * plan's periods pr[0 .. plan->periods-1]. Age labels are the plan's bands
 * plus "UNKNOWN". measure = new counts a person in a month only when the
 * where did not hold in the month before. 0 or CE_NOMEM.
 */
int cohort_count(const struct job_plan *plan, const struct cohort_plan *c,
                 const struct where_expr *e, const struct person_set *ps,
                 const struct period *pr, struct count_table *t);

/*
 * The most cells a cohort's table may have, all periods, margins and the
 * grand total included: disclosure control solves each period as one
 * problem and every cell is a row of CSV and of PostgreSQL, so a table
 * past this is a job to split, found when the job is read and never by
 * truncating what is published.
 */
#define COHORT_MAX_CELLS 1000000

/* The cells of cohort c's table (periods x each by column's values plus
 * its Total), given the lookup's names; COHORT_MAX_CELLS + 1 for any
 * size past the limit. */
uint64_t cohort_table_cells(const struct job_plan *plan,
                            const struct cohort_plan *c,
                            const struct geo_names *geo);

/* 0, or CE_CONFIG with d naming the job file, the cohort's `by` line and
 * the rule table_size when a cohort's table is past COHORT_MAX_CELLS.
 * Called once the lookup is loaded, before any source is read. */
int cohort_check_sizes(const struct job_plan *plan,
                       const struct geo_names *geo, struct diag *d);

#endif
