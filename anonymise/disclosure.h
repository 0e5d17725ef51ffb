/*
 * disclosure.h - statistical disclosure control for one counted table.
 *
 * Per period, independently (persons in different months do not add up,
 * so no published figure sums across periods):
 *   0. structural zeros: a cell the table's own definition makes
 *      impossible (count_table.structural) is published as [z], never
 *      hidden, and the attacker knows it is 0.
 *   1. primary: every cell (interior, margin or total) whose count is in
 *      [suppress_lo, suppress_hi] -- and zero cells when protect_zeros --
 *      is suppressed. A count equal to min_count is published (the rule is
 *      "n < min_count is unsafe", as in tau-ARGUS).
 *   2. secondary: the pattern of further hidden cells of least cost
 *      (suppression_cost: the hidden count, by default) after which the
 *      attacker -- linear programs for the least and largest value of a
 *      hidden cell given every published cell, every relation (a margin
 *      and its line, the total and a margin) and non-negativity -- leaves
 *      every primary cell a range at least protection_level wide (or,
 *      with protection_lower/upper, reaching x - lower and x + upper).
 *      Exact (a mixed-integer program) up to SECONDARY_EXACT_CELLS cells a
 *      period, a hypercube heuristic beyond (secondary.h); secondary cells
 *      the rest leaves unneeded are published again.
 *      What is published: with rounding > 1 each published cell is an
 *      interval -- the counts that round to its published value (nearest
 *      multiple, ties up: r - b/2 .. r - b/2 + b - 1) and that the rule
 *      would not have suppressed. With no rounding the attacker has the
 *      exact true counts.
 *   3. rounding: every published count is rounded to the nearest multiple
 *      of rounding (ties up), margins from their own true counts.
 * With perturbation = cellkey, ONS's method instead of 1-3: every count
 * gets the ptable's noise, then every cell whose perturbed count is below
 * min_count is hidden, empty cells included (min_count 1: none), and the
 * rest are rounded when rounding is set. There is no secondary
 * suppression: the noise every published cell carries, not a pattern,
 * keeps a hidden cell from being read off its margins (ONS's code does
 * the same), so disclosure_audit() has nothing to audit.
 * Deterministic: the same table always gets the same suppressions.
 */
#ifndef COHORT_DISCLOSURE_H
#define COHORT_DISCLOSURE_H

#include <stddef.h>
#include <stdint.h>

#include "../core/plan.h"
#include "../core/error.h"
#include "table.h"
#include "ptable.h"

struct disclosure_stats {
    uint64_t cells;
    uint64_t suppressed;
    uint64_t secondary;
    uint64_t rounded;
    uint64_t perturbed;
    uint64_t structural;     /* [z] cells */
    uint64_t exact_periods;  /* periods whose secondary pattern is optimal */
};

/*
 * Sets every cell's published value and status. Periods are protected by
 * up to `threads` threads (1: this thread only); the result does not depend
 * on the number. 0, CE_NOMEM (also when GLPK runs out of memory: its
 * errors are caught, never abort the process) or CE_INTERNAL (the LP
 * solver failed). On an error the cells' status is undefined.
 */
int disclosure_protect(struct count_table *t, const struct disclosure_plan *dp,
                       const struct ptable *pt, int threads,
                       struct disclosure_stats *st, struct diag *d);

/*
 * The attacker's bounds on cell index `cell` of period `period`, given
 * what dp publishes of every unsuppressed cell (its interval with rounding
 * alone, else its true count; 0 for a structural zero): 0 and lo, hi set
 * (hi is -1 when unbounded), CE_NOMEM or CE_INTERNAL. Exposed for tests
 * and the audit.
 */
int disclosure_attack(const struct count_table *t,
                      const struct disclosure_plan *dp, int period,
                      size_t cell, double *lo, double *hi);

/*
 * The audit of a protected table as dp publishes it: one attacker's program
 * per period, every primary-suppressed cell's range against the protection
 * level (or interval). 0 with *period = -1 when every one keeps it, else
 * *period and *cell name the first that does not; CE_NOMEM or
 * CE_INTERNAL. With perturbation = cellkey there is no suppression
 * pattern to audit: always 0 with *period = -1. The periods are audited
 * on up to `threads` threads (as disclosure_protect() protects them); the
 * answer is the first period's in order whatever the threads.
 */
int disclosure_audit(const struct count_table *t,
                     const struct disclosure_plan *dp, int threads,
                     int *period, size_t *cell);

/*
 * What may leave: the protected table as a published_table
 * (core/published.h) -- coordinates, labels, the published value, `[c]`
 * for every hidden cell whatever rule hid it, and `[z]` for a structural
 * zero. No true count, cell key or status crosses. out is initialised here; the caller releases it
 * with published_table_release(). 0 or CE_NOMEM.
 */
int disclosure_publish(const struct count_table *t,
                       struct published_table *out);

/*
 * A count of persons published outside a table (quality.csv, the
 * manifest, the report, PostgreSQL's runs and quality tables, the run
 * summary): the same rule as a table's cell, so a reader who sets it
 * beside a table learns nothing the table's own cell would not tell.
 * Withheld (COUNT_WITHHELD, core/table.h) when the rule suppresses n, else
 * rounded; with perturbation = cellkey, n plus the ptable's noise for ckey
 * (the sum of the persons' record keys mod 256, as a cell of the same
 * persons gets), withheld when that is below min_count, else rounded. pt may be NULL when the plan has no perturbation.
 */
uint64_t disclosure_publish_count(const struct disclosure_plan *dp,
                                  const struct ptable *pt, uint64_t n,
                                  uint32_t ckey);

#ifdef COHORT_TESTING
/* The largest period solved exactly (SECONDARY_EXACT_CELLS); tests set 0
 * to try the heuristic alone. */
extern size_t disclosure_exact_cells;
#endif

#endif
