/*
 * hypercube.h - secondary suppression where the exact program of
 * secondary.c does not answer (a period above SECONDARY_EXACT_CELLS cells,
 * or its node limit reached): used by secondary.c only, under
 * audit_glpk_call(), on a struct secondary_period whose primary cells are
 * CELL_SUPPRESSED. Three passes:
 *
 *   protect   for each primary cell the attacker narrows, in cell order,
 *             the cheapest pattern through it that protects it: first the
 *             cheapest that do not protect alone, tried with the attacker's
 *             program (the rounding's slack and the cells already hidden
 *             may be enough), then the cheapest that protects alone; a
 *             primary with none gets the one reaching furthest and a
 *             greedy pass finishes (the smallest cell of a relation
 *             holding a weak cell, empty cells last);
 *   release   each secondary cell, dearest first, published again when
 *             every primary still keeps its protection;
 *   exchange  each secondary cell, dearest first, published and the
 *             primaries it leaves short protected without it, kept when
 *             the new cells cost less; then release once more.
 *
 * The attacker is solved less than once per primary: every point its
 * program reaches is offered to every primary as a certificate (the
 * furthest deviation up and down seen, and the secondary cells that point
 * needs hidden). A certificate stays valid while cells are hidden, and
 * while no cell it needs is published again; most primaries are proved by
 * points found for others. Each primary is solved downwards first, the
 * shorter way from the last point (a tenth of the simplex iterations).
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
 * Marks CELL_SECONDARY in s->c until no primary cell is narrowed: the
 * three passes above (and the greedy one when a primary had no pattern).
 * 0 or a negative error.
 */
int hypercube_suppress(struct secondary_period *s);

#endif
