/*
 * disclosure.h - statistical disclosure control for one counted table.
 *
 * Per period, independently (persons in different months do not add up,
 * so no published figure sums across periods):
 *   1. primary: every cell (interior, margin or total) whose count is in
 *      [suppress_lo, suppress_hi] -- and zero cells when protect_zeros --
 *      is suppressed. A count equal to min_count is published (the rule is
 *      "n < min_count is unsafe", as in tau-ARGUS).
 *   2. secondary: more cells are suppressed until no suppressed cell can be
 *      narrowed by arithmetic on the published ones. A fast pass first
 *      closes every additive relation (a margin and its interior line, the
 *      total and a margin) left with a single suppressed member that the
 *      published members pin; then an audit with GLPK solves, for every
 *      primary cell, the attacker's linear programs (min and max of the
 *      cell subject to what is published, every relation and
 *      non-negativity) and suppresses more while the feasible range is
 *      narrower than protection_level.
 *      What is published: with rounding > 1 and no perturbation, each
 *      published cell is an interval -- the counts that round to its
 *      published value (nearest multiple, ties up: r - b/2 .. r - b/2 + b - 1)
 *      and that the rule would not have suppressed -- and a relation whose
 *      published members' intervals together are at least
 *      protection_level wide is not closed by the fast pass. Otherwise
 *      (no rounding, or cell-key noise, whose published value need not
 *      lie in the true count's interval) the attacker is given the exact
 *      true counts, the safe side.
 *   3. rounding: every published count is rounded to the nearest multiple
 *      of rounding (ties up), margins from their own true counts. With
 *      perturbation = cellkey the ptable's noise is added first.
 * Deterministic: the same table always gets the same suppressions.
 */
#ifndef COHORT_DISCLOSURE_H
#define COHORT_DISCLOSURE_H

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
 * alone, else its true count): 0 and lo, hi set (hi is -1 when
 * unbounded), CE_NOMEM or CE_INTERNAL. Exposed for tests and the audit.
 */
int disclosure_attack(const struct count_table *t,
                      const struct disclosure_plan *dp, int period,
                      size_t cell, double *lo, double *hi);

/*
 * The audit of a protected table as dp publishes it: one attacker's program
 * per period, every primary-suppressed cell's range against the protection
 * level. 0 with *period = -1 when every one keeps it, else *period and
 * *cell name the first that does not; CE_NOMEM or CE_INTERNAL.
 */
int disclosure_audit(const struct count_table *t,
                     const struct disclosure_plan *dp, int *period,
                     size_t *cell);

/*
 * What may leave: the protected table as a published_table
 * (core/published.h) -- coordinates, labels, the published value, and
 * `[c]` for every hidden cell whatever rule hid it. No true count, cell
 * key or status crosses. out is initialised here; the caller releases it
 * with published_table_release(). 0 or CE_NOMEM.
 */
int disclosure_publish(const struct count_table *t,
                       struct published_table *out);

/*
 * A count of persons published outside a table (quality.csv, the
 * manifest, the report, PostgreSQL's runs and quality tables, the run
 * summary): the same rule as a table's cell, so a reader who sets it
 * beside a table learns nothing the table's own cell would not tell.
 * Withheld (COUNT_WITHHELD, core/table.h) when the rule suppresses n; else, with
 * perturbation = cellkey, n plus the ptable's noise for ckey (the sum of
 * the persons' record keys mod 256, as a cell of the same persons gets),
 * then rounded. pt may be NULL when the plan has no perturbation.
 */
uint64_t disclosure_publish_count(const struct disclosure_plan *dp,
                                  const struct ptable *pt, uint64_t n,
                                  uint32_t ckey);

#endif
