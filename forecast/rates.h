/*
 * rates.h - rate_per_10000: a published table's counts per 10 000 of the
 * population of their cells, from the protected count (a hidden cell has
 * no rate) and a population table (denominators.h), so a rate says
 * nothing its count does not.
 *
 * A cell's population is the sum of the denominators' rows whose
 * categories are the cell's (a `Total` takes every category of its
 * column that the table has; rows of a category the table does not have,
 * such as a ward outside the lookup, are left out), for the latest year
 * of the denominators not after the period's year (else their first
 * year). UNKNOWN, U and X have no population: their rates are empty.
 *
 *     double *rate = malloc(ncells * sizeof(double));
 *     rc = rates_compute(&pub, by_names, &dn, first_month, rate);
 *     rc == 1: the table has a by column the denominators do not have
 */
#ifndef COHORT_RATES_H
#define COHORT_RATES_H

#include <stdint.h>

#include "../core/published.h"
#include "denominators.h"

/*
 * Fills rate[nperiods * ncells_per_period] (table order) for t, whose by
 * columns are named by_names, whose period p starts `p` months after
 * first_month. NAN for a hidden cell, a [z] cell or one without
 * population. 0, 1 when t cannot have rates (rate untouched), or
 * CE_NOMEM.
 */
int rates_compute(const struct published_table *t,
                  const char *const *by_names, const struct denominators *dn,
                  int32_t first_month, double *rate);

#endif
