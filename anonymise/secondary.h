/*
 * secondary.h - secondary suppression of minimal cost for one period of a
 * table: which further cells to hide so that no primary cell can be
 * narrowed by the attacker of audit.h (used by disclosure.c; not a public
 * interface: disclosure.h is).
 *
 * Exact up to SECONDARY_EXACT_CELLS cells a period: a mixed-integer
 * program on GLPK (glp_intopt) over one binary "hide" variable per cell,
 * minimising the cost of the hidden cells, with the protection of every
 * primary cell enforced by cuts generated from the attacker's own linear
 * programs (Benders cuts in the manner of Fischetti and Salazar): for the
 * current pattern x the attacker's largest deviation of a primary cell in
 * each direction is an LP whose dual solution (pi, and reduced costs d)
 * bounds it for every pattern,
 *     max z_p <= sum_i max(d_i,0) hi_i(x) - min(d_i,0) lo_i(x),
 * linear in x, where lo_i(x), hi_i(x) are the deviations the attacker
 * allows cell i (its rounding interval when published, 0 .. cap when
 * hidden). A pattern that leaves some primary cell short gets the cut
 * "that bound reaches the protection", and the program is solved again
 * until none is short: the optimum of all patterns. First the LP
 * relaxation is cut this way, then the integer program. A cell's cost
 * (suppression_cost) is its count, 1, or log(1 + count), plus a tie-break
 * below one unit (fewer cells for value, less value for cells).
 *
 * Beyond that size, or when the branch and bound would pass its node
 * limit (the answer then still deterministic), a heuristic: every primary
 * cell the attacker still narrows gets the cheapest hypercube through it
 * that protects it on its own -- in a two-way table with margins the
 * rectangles over the rows and columns, margins included; with more by
 * columns the cubes over any two or more of them and the rectangles
 * through a one-way margin -- and then each secondary cell, dearest
 * first, is published again when every primary cell still keeps its
 * protection (the attacker re-solved only where its last extreme points
 * used that cell). A greedy pass is the last resort for a primary no
 * hypercube protects.
 *
 * Structural zeros (CELL_STRUCTURAL) are never hidden and are known to
 * the attacker as 0.
 */
#ifndef COHORT_SECONDARY_H
#define COHORT_SECONDARY_H

#include <stddef.h>
#include <stdint.h>

#include "audit.h"

/* The largest period (cells, margins included) solved exactly. */
#define SECONDARY_EXACT_CELLS 300

/*
 * Marks CELL_SECONDARY in one period's cells c, whose primary cells are
 * CELL_SUPPRESSED, structural zeros CELL_STRUCTURAL and the rest CELL_OK.
 * exact_max: the largest period solved exactly (SECONDARY_EXACT_CELLS; 0
 * for the heuristic alone). *exact is set to 1 when the result is the
 * proven optimum. Returns the number of secondary cells, or CE_INTERNAL;
 * only under audit_glpk_call() (its memory is GLPK's).
 */
int64_t secondary_suppress(const struct count_table *t,
                           const struct relations *r, struct table_cell *c,
                           const struct attacker *am,
                           enum suppression_cost cost, size_t exact_max,
                           int *exact);

/* The cost secondary_suppress() gives cell i of one period's cells c (n
 * of them), for tests that compare patterns. */
double secondary_cell_cost(const struct table_cell *c, size_t n, size_t i,
                           enum suppression_cost cost);

/*
 * One period's problem, shared by secondary.c and hypercube.c (the
 * heuristic): the cells, the attacker, and per cell its cost and the
 * deviations the attacker allows it when published. Arrays are GLPK's
 * memory, owned by secondary_suppress().
 */
struct secondary_period {
    const struct count_table *t;
    const struct relations *r;
    struct table_cell *c;
    const struct attacker *am;
    size_t n;
    double *w;         /* cost of hiding each cell */
    double *plo, *phi; /* deviations the attacker allows when published */
    double cap;        /* upper bound of a hidden cell for the exact program */
    size_t *prim;      /* primary cells */
    size_t np;
};

/*
 * 1 when cell i may be hidden to protect another: a published cell that is
 * not empty, or any published cell with protect_zeros (empty cells are
 * sensitive then anyway). An empty cell is hidden for another only by the
 * greedy last resort.
 */
int secondary_candidate(const struct secondary_period *s, size_t i);

#endif
