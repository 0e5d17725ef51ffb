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
 * The units a table counts -- persons, or households (household_count.h)
 * -- as the one loop of the measures sees them: n units; in() is 1 when
 * unit u is in the cohort over [start, end] with the ages of period i;
 * coord() its coordinate in by column j in period i (pr that period);
 * key() its key for cell-key perturbation.
 */
struct count_units {
    size_t n;
    int (*in)(void *ctx, size_t u, int i, int32_t start, int32_t end);
    uint32_t (*coord)(void *ctx, size_t u, size_t j, int i,
                      const struct period *pr);
    uint8_t (*key)(void *ctx, size_t u);
    void *ctx;
};

/*
 * Fills t (initialised here; the caller releases it) for cohort c over the
 * plan's periods pr[0 .. plan->periods-1]. Age labels are the plan's bands
 * plus "UNKNOWN". measure = new counts a person in a month only when the
 * where did not hold in the month before; measure = ended only when it
 * does not hold in the month after (for the last period, the month after
 * it, or the rest of its month when it ends before its month does, with
 * that period's ages: a spell still open there has not ended). So for
 * every cell whose coordinates do not change with time, and for the total,
 * persons(t) - ended(t) = persons(t-1) - ended(t-1) + new(t) - ended(t).
 * With c->unit = UNIT_HOUSEHOLDS the units are ps's households
 * (household_count.h), through the same measures. 0 or CE_NOMEM.
 */
int cohort_count(const struct job_plan *plan, const struct cohort_plan *c,
                 const struct where_expr *e, const struct person_set *ps,
                 const struct period *pr, struct count_table *t);

/* The sex or ethnicity codes of a by column's coordinates (code[coord])
 * and the way back (coord[code]; BY_NO_COORD for a code no source can
 * give, which no cell holds). */
#define BY_CODES_MAX ((int)ETH_COUNT > (int)SEX_COUNT ? (int)ETH_COUNT \
                                                       : (int)SEX_COUNT)
#define BY_NO_COORD 0xFF
struct by_codes {
    uint8_t code[BY_CODES_MAX];
    uint8_t coord[BY_CODES_MAX];
};

/*
 * The labels of by column `by` (enum by_column; not the derived ones) and
 * their number into *n: the plan's age bands and UNKNOWN, the sex and
 * ethnicity codes the sources can give (ps->sex_possible,
 * ->ethnicity_possible; *codes filled for these two, and only read for
 * them, so NULL will do for the others), the lookup's names, yes/no.
 * *owned says whether the array is the caller's to free with
 * cohort_by_labels_free(). NULL when out of memory.
 */
char **cohort_by_labels(const struct job_plan *plan,
                        const struct person_set *ps, int by, uint32_t *n,
                        int *owned, struct by_codes *codes);

/* Frees labels from cohort_by_labels() when owned. */
void cohort_by_labels_free(char **labels, uint32_t n, int owned);

/* Person p's coordinate in by column j of c in period `period` (pr is that
 * period); codes is what cohort_by_labels() gave for that column (a sex
 * or ethnicity no source gives is BY_NO_COORD). */
uint32_t cohort_by_coord(const struct job_plan *plan,
                         const struct cohort_plan *c, size_t j,
                         const struct person_set *ps, size_t p, int period,
                         const struct period *pr,
                         const struct by_codes *codes);

/* Marks as structural zeros (table_mark_structural()) the interior cells
 * of t, a table by c's by columns, that no person can be in whatever the
 * data because e rules them out (where_possible()); codes as
 * cohort_by_labels() gave per column. 0 or CE_NOMEM. */
int cohort_mark_structural(const struct job_plan *plan,
                           const struct cohort_plan *c,
                           const struct where_expr *e, struct count_table *t,
                           const struct by_codes *codes);

/* The calendar month before first, and the days after last to the end of
 * the month holding last->end + 1 (the next month when last is whole). */
void period_before(const struct period *first, struct period *out);
void period_after(const struct period *last, struct period *out);

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
