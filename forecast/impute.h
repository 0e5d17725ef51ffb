/*
 * impute.h - a published table's hidden cells given values a projection
 * can start from, using nothing but what is published: its shown cells,
 * its margins and totals, and the rule's public suppression range. The
 * values are the forecaster's guesses, never published themselves, and
 * every one of them follows from published numbers alone, so nothing
 * computed from them says more than the tables do.
 *
 *     double interior[...];   (the table's interior cells of one period)
 *     impute_period(&pub, period, guess, prior, interior);
 */
#ifndef COHORT_IMPUTE_H
#define COHORT_IMPUTE_H

#include "../core/published.h"

/* The number of interior cells of t per period (1 for a table without by
 * columns). */
size_t impute_ninterior(const struct published_table *t);

/*
 * Fills interior[0 .. impute_ninterior(t)) with period's interior cells in
 * table order: a shown cell's published value; a hidden one's share of
 * what its shown margins leave (a hidden margin's share of what the shown
 * grand total leaves), spread by iterative proportional fitting over the
 * rows and columns of a two-column table; `guess` (e.g. the middle of the
 * suppression range) where nothing published says more. Tables of 0, 1 or
 * 2 by columns; more are filled with shown values and guesses only.
 */
void impute_period(const struct published_table *t, int period, double guess,
                   const double *prior, double *interior);

/*
 * The margins of dimension dim of period (out[0 .. dim_n[dim]), the cells
 * whose every other coordinate is Total): shown ones as published, the
 * hidden ones sharing what the grand total (or `guess` when it is hidden
 * too) leaves, in proportion to prior (NULL: equally).
 */
void impute_margins(const struct published_table *t, int period, int dim,
                    double guess, const double *prior, double *out);

/* The published value of the cell of period whose coordinates are all
 * COORD_TOTAL but (when dim >= 0) dimension dim at value v; NAN when it is
 * hidden or there is no such cell. */
double published_margin(const struct published_table *t, int period, int dim,
                        uint32_t v);

#endif
