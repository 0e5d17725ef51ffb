/*
 * hypercube.h - secondary suppression where the exact program of
 * secondary.c does not answer (a period above SECONDARY_EXACT_CELLS cells,
 * or its node limit reached): used by secondary.c only, in this order,
 * each under audit_glpk_call() on a struct secondary_period whose primary
 * cells are CELL_SUPPRESSED:
 *
 *     hypercube_protect(s, &open)  -- a hypercube per weak primary
 *     if (open) hypercube_greedy(s)
 *     hypercube_release(s)         -- unneeded secondary cells published
 *     hypercube_exchange(s)        -- dear secondary cells swapped for cheap
 *     hypercube_release(s)
 *
 * A pattern is a set of cells with signs such that adding t to the +
 * cells and taking t from the - cells keeps every relation: with two by
 * columns the rectangles of the table with its margins (rows and columns
 * over values and Total), with more the cubes over any two or more by
 * columns inside the table and the rectangles through a one-way margin,
 * and a cell with all its margins and the total; with one, two cells, or a
 * cell and the total. Hidden, a pattern lets its primary move down by its
 * smallest + count and up by its smallest - count, whatever else is
 * published. Every function returns 0 or a negative error (CE_INTERNAL).
 */
#ifndef COHORT_HYPERCUBE_H
#define COHORT_HYPERCUBE_H

#include "secondary.h"

/*
 * For each primary cell the attacker narrows, in cell order, the cheapest
 * pattern through it that protects it: first the cheapest patterns that
 * do not protect alone, tried with the attacker's program (the rounding's
 * slack and the cells already hidden may be enough), then the cheapest
 * that protects alone. *open is set when a primary had none (the pattern
 * reaching furthest is hidden then).
 */
int hypercube_protect(struct secondary_period *s, int *open);

/* Until the attacker narrows no primary: hide the smallest cell of a
 * relation holding the weak cell (empty cells last). The last resort. */
int hypercube_greedy(struct secondary_period *s);

/*
 * Each secondary cell, dearest first, is published again when every
 * primary still keeps its protection; the attacker is solved again only
 * for the primaries whose last extreme points used that cell.
 */
int hypercube_release(struct secondary_period *s);

/*
 * Each secondary cell, dearest first, is published and the primaries it
 * leaves short protected again without it; the exchange stands when the
 * new cells cost less than it.
 */
int hypercube_exchange(struct secondary_period *s);

#endif
