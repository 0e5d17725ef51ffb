/*
 * audit.h - the attacker of a protected table, used by disclosure.c (not a
 * public interface: disclosure.h is). What a reader knows of a published
 * cell (an exact count, or with rounding alone the interval of counts that
 * round to it and that the rule would not have suppressed), the table's
 * additive relations, and GLPK's linear programs for the smallest and
 * largest value of a hidden cell. GLPK's abort() on an error is trapped
 * here (audit_glpk_call) and becomes CE_NOMEM or CE_INTERNAL.
 */
#ifndef COHORT_AUDIT_H
#define COHORT_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "../core/plan.h"
#include "table.h"

/* The additive relations of a table, the same in every period: members[0]
 * is the total (coefficient +1), the rest its parts (coefficient -1). */
struct relations {
    size_t n;
    size_t *first;     /* n + 1 */
    size_t *members;
};

/*
 * What the attacker knows of a published cell. With rounding alone
 * (rounding > 1, no perturbation) a published r says the true count is
 * one whose nearest multiple (ties up) is r -- r - b/2 .. r - b/2 + b - 1
 * for b = rounding, b/2 rounded down -- and, as the rule is public, not a
 * count that would have been suppressed. Otherwise the attacker is given
 * the exact true count: with cell-key noise the published value need not
 * lie in the rounding interval of the true count, and exact values are
 * always the safe side (they only narrow the attacker's ranges).
 */
struct attacker {
    int rounding;            /* 1: published cells are known exactly */
    int suppress_lo, suppress_hi, protect_zeros;
    int level;
};

/* Runs fn(arg) with GLPK's errors turned into CE_NOMEM (out of memory)
 * or CE_INTERNAL instead of abort(); every GLPK call goes through it. */
int audit_glpk_call(int (*fn)(void *), void *arg);

/* The table's additive relations (the same in every period): 0 or
 * CE_NOMEM; release with audit_relations_release(). */
int audit_relations_build(const struct count_table *t, struct relations *r);
void audit_relations_release(struct relations *r);

/* 1 when the cell is hidden (primary or secondary). */
int audit_hidden(const struct table_cell *c);

/* The attacker's knowledge under dp's rule. */
void audit_attacker_init(struct attacker *m, const struct disclosure_plan *dp);

/* v rounded to the nearest multiple of r (ties up); v when r <= 1. */
int64_t audit_round(int64_t v, int r);

/* The true counts a reader takes a shown cell of true count v to hold:
 * [*lo, *hi] (lo == hi when it is known exactly), as above; for audits
 * across tables (flows_audit.h). */
void audit_published_bounds(const struct attacker *m, int64_t v, int64_t *lo,
                            int64_t *hi);

/* 1 when the rule suppresses a count of v (a primary cell). */
int audit_primary(const struct attacker *m, int64_t v);

/*
 * The first primary cell of one period's cells c, at or after `from`,
 * whose attacker range is narrower than the protection level: *weak, or
 * (size_t)-1 when every one keeps it. 0 or a negative error; only under
 * audit_glpk_call().
 */
int audit_first_weak(const struct count_table *t, const struct relations *r,
                     const struct table_cell *c, const struct attacker *am,
                     size_t from, size_t *weak);

#endif
