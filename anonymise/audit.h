/*
 * audit.h - the attacker of a protected table, used by disclosure.c and
 * secondary.c (not a public interface: disclosure.h is). What a reader
 * knows of a published cell (an exact count, or with rounding alone the
 * interval of counts that round to it and that the rule would not have
 * suppressed; a structural zero is known to be 0), the table's additive
 * relations, GLPK's linear programs for the smallest and largest value of
 * a hidden cell, and what range a primary cell must keep. GLPK's abort()
 * on an error is trapped here (audit_glpk_call) and becomes CE_NOMEM or
 * CE_INTERNAL.
 *
 * The programs are written in deviations from the true counts: a column
 * z_i per cell that is not known exactly, bounded by what the attacker
 * knows (lo_i - count_i <= z_i <= hi_i - count_i), and a row per relation
 * with right-hand side 0 (the true counts satisfy every relation). The
 * attacker's range of a cell is count + [min z, max z]. The same program
 * gives secondary.c the duals its cuts are made of.
 */
#ifndef COHORT_AUDIT_H
#define COHORT_AUDIT_H

#include <glpk.h>
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
 * the exact true count (with cell-key noise there is no suppression
 * pattern to audit: disclosure.h). What a hidden primary cell's range
 * must keep: `level` wide, or, when lower or upper is set,
 * tau-ARGUS's interval (x - lower and x + upper reached).
 */
struct attacker {
    int rounding;            /* 1: published cells are known exactly */
    int suppress_lo, suppress_hi, protect_zeros;
    int level;
    int lower, upper;        /* 0 and 0: the width rule */
    int lower_pct, upper_pct;
};

/* Runs fn(arg) with GLPK's errors turned into CE_NOMEM (out of memory)
 * or CE_INTERNAL instead of abort(); every GLPK call goes through it. */
int audit_glpk_call(int (*fn)(void *), void *arg);

/*
 * Runs work(arg) on up to `threads` threads (at most 16 and at most
 * `tasks`), each freeing its GLPK environment when work returns, when
 * GLPK keeps its state per thread; else, or with one thread, once here.
 * work takes tasks from a queue in arg until none is left, so that once
 * or many times it does every task. Returns when every thread has.
 */
void audit_on_threads(int threads, int tasks, void (*work)(void *),
                      void *arg);

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
 * What a primary cell of count a needs: with the width rule *width is the
 * level and *down = *up = 0; with tau-ARGUS's interval *width = 0 and
 * *down, *up the distances below and above a the range must reach
 * (*down at most a).
 */
void audit_requirement(const struct attacker *m, int64_t a, double *down,
                       double *up, double *width);

/* 1 when the range [lo, hi] (hi < 0: unbounded above) of a primary cell of
 * count a keeps what audit_requirement() asks. */
int audit_range_safe(const struct attacker *m, int64_t a, double lo,
                     double hi);

/*
 * The deviations [*zlo, *zhi] the attacker allows a cell of count v with
 * status s: a structural zero 0; a hidden cell -v .. +infinity (HUGE_VAL);
 * a published one its interval less v (0 .. 0 when exact).
 */
void audit_cell_bounds(const struct attacker *m, int64_t v, int status,
                       double *zlo, double *zhi);

/*
 * One period's attacker's program. Built and used only under
 * audit_glpk_call(); its memory is GLPK's.
 *
 *     attack_lp_build(&a, r, n, zlo, zhi, all_columns);
 *     attack_lp_extreme(&a, r, cell, +1 or -1, &v, duals, solution);
 *     attack_lp_set(&a, r, cell, zlo, zhi);  -- a cell's bounds change
 *     attack_lp_release(&a);
 */
struct attack_lp {
    glp_prob *lp;
    int *col_of;     /* cell -> column (1-based), 0: fixed at 0, no column */
    int *row_of;     /* relation -> row (1-based), 0: no row */
    size_t ncells;
    int obj_col;     /* the column the objective is on */
};

/*
 * Builds the program for n cells with deviation bounds zlo[i] <= 0 <=
 * zhi[i] (zhi HUGE_VAL: unbounded). A cell with zlo = zhi = 0 gets no
 * column unless all_columns (then its bounds can change later), and a
 * relation no column touches no row. 0 or CE_INTERNAL.
 */
int attack_lp_build(struct attack_lp *a, const struct relations *r,
                    size_t n, const double *zlo, const double *zhi,
                    int all_columns);

/* Changes the bounds of a cell; a cell known exactly until now gets its
 * column (and rows for the relations it brings in). */
void attack_lp_set(struct attack_lp *a, const struct relations *r,
                   size_t cell, double zlo, double zhi);

/* The cell's deviation at the last optimum (0 without a column). */
double attack_lp_value(const struct attack_lp *a, size_t cell);

/*
 * The largest deviation of cell upwards (dir +1: max z) or downwards
 * (dir -1: max -z) into *v, HUGE_VAL when unbounded. When duals is given
 * (n entries) it receives the reduced cost d_i of every cell for the
 * problem max dir * z_cell (d = c - M'pi with the rows' duals pi), from
 * which *v = sum max(d,0) zhi - min(d,0) zlo for any bounds the optimum
 * holds for: the cuts of secondary.c. When solution is given it receives
 * every cell's deviation at the optimum. 0 or CE_INTERNAL.
 */
int attack_lp_extreme(struct attack_lp *a, const struct relations *r,
                      size_t cell, int dir, double *v, double *duals,
                      double *solution);

void attack_lp_release(struct attack_lp *a);

/*
 * The first primary cell of one period's cells c, at or after `from`,
 * whose attacker range does not keep the protection: *weak, or
 * (size_t)-1 when every one keeps it. 0 or a negative error; only under
 * audit_glpk_call(). Every optimum the attacker's program reaches is a
 * table the published cells allow, so each is kept, per primary cell, as
 * the lowest and highest deviation seen: a cell whose range over those
 * points already keeps its protection is not solved for (about four in
 * ten are not, in a large sparse table). The answer is the whole
 * program's either way.
 */
int audit_first_weak(const struct count_table *t, const struct relations *r,
                     const struct table_cell *c, const struct attacker *am,
                     size_t from, size_t *weak);

#endif
