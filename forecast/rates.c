/*
 * rates.c - counts per 10 000 of the population (rates.h).
 */
#include "rates.h"

#include "../core/calendar.h"
#include "../core/error.h"
#include "../core/label.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* An age band label's years: "5 to 10" -> 5, 10; "65 and over" -> 65,
 * 200; other labels (UNKNOWN) -> -1 (core/label.h band_label_parse()). */
static void
band_years(const char *label, int *lo, int *hi)
{
    if (band_label_parse(label, lo, hi) < 0)
        *lo = *hi = -1;
    else if (*hi < 0)
        *hi = 200;
}

/* Per dimension j, the table coordinate of each of dn's labels (-1: the
 * table has no such category), or for single years of age the band of
 * each age 0..150. NULL when out of memory. */
static long *
coord_map(const struct published_table *t, size_t j, int col,
          const struct denominators *dn)
{
    size_t n = col == DEN_AGE && dn->age_single ? 151 : dn->labels.n, i, idx;
    long *map = malloc((n ? n : 1) * sizeof(long));
    uint32_t v;
    int lo, hi;

    if (!map)
        return NULL;
    for (i = 0; i < n; i++)
        map[i] = -1;
    for (v = 0; v < t->dim_n[j]; v++) {
        const char *label = t->dim_labels[j][v];

        if (col == DEN_AGE && dn->age_single) {
            band_years(label, &lo, &hi);
            for (i = lo < 0 ? n : (size_t)lo; i < n && (int)i <= hi; i++)
                map[i] = v;
        } else if (hash_table_find(&dn->labels, label, strlen(label), &idx)) {
            map[idx] = v;
        }
    }
    return map;
}

/* The population of every interior cell per year of dn: pop[y * n + i]. */
static double *
interior_population(const struct published_table *t, const int *col,
                    const struct denominators *dn, size_t n)
{
    size_t years = (size_t)(dn->year_last - dn->year_first + 1), k, j;
    double *pop = calloc(years * n, sizeof(double));
    long *map[TABLE_MAX_DIMS] = {NULL};

    for (j = 0; pop && j < t->nby; j++)
        if (!(map[j] = coord_map(t, j, col[j], dn))) {
            free(pop);
            pop = NULL;
        }
    for (k = 0; pop && k < dn->nrows; k++) {
        const struct denominator_row *r = &dn->rows[k];
        size_t idx = 0;

        for (j = 0; j < t->nby; j++) {
            long v = col[j] == DEN_AGE && dn->age_single
                         ? (r->age >= 0 ? map[j][r->age] : -1)
                         : map[j][r->label[col[j]]];

            if (v < 0)
                break;
            idx = idx * t->dim_n[j] + (size_t)v;
        }
        if (j == t->nby)
            pop[(size_t)(r->year - dn->year_first) * n + idx] += r->population;
    }
    for (j = 0; j < t->nby; j++)
        free(map[j]);
    return pop;
}

/* The year index for a period starting on day `start`: the latest year
 * with rows not after its year, else the first. */
static size_t
year_for(const struct denominators *dn, const unsigned char *has_year,
         int32_t start)
{
    int y, m, d, k;

    civil_from_days(start, &y, &m, &d);
    for (k = y > dn->year_last ? dn->year_last : y; k >= dn->year_first; k--)
        if (has_year[k - dn->year_first])
            return (size_t)(k - dn->year_first);
    return 0;
}

/* The rates of one period's cells, given the interior populations of its
 * year (interior cells come first, in the same order); a margin's
 * population sums its interior line, the grand total all of them. */
static int
period_rates(const struct published_table *t, const struct published_cell *c,
             const double *pop, size_t n, double *rate)
{
    double *marg[TABLE_MAX_DIMS] = {NULL}, total = 0, v;
    size_t i, j, idx;
    int rc = 0;

    for (j = 0; j < t->nby; j++)
        if (!(marg[j] = calloc(t->dim_n[j], sizeof(double))))
            rc = CE_NOMEM;
    for (i = 0; i < n && rc == 0; i++) {
        size_t rem = i;

        for (j = t->nby; j-- > 0;) {
            marg[j][rem % t->dim_n[j]] += pop[i];
            rem /= t->dim_n[j];
        }
        total += pop[i];
    }
    for (i = 0; i < t->ncells_per_period && rc == 0; i++) {
        if (i < n && t->nby) {
            v = pop[i];
        } else {
            v = total;
            for (j = 0, idx = 0; j < t->nby; j++)
                if (c[i].coord[j] != COORD_TOTAL) {
                    v = marg[j][c[i].coord[j]];
                    idx++;
                }
            if (idx > 1)
                v = 0; /* not a cell of this layout */
        }
        /* a [z] cell has no rate either: it is not applicable, and a
         * 0.0 beside it would read as a measured rate */
        rate[i] = published_hidden(&c[i]) || published_structural(&c[i]) ||
                          v <= 0
                      ? NAN
                      : (double)c[i].value * 10000.0 / v;
    }
    for (j = 0; j < t->nby; j++)
        free(marg[j]);
    return rc;
}

int
rates_compute(const struct published_table *t, const char *const *by_names,
              const struct denominators *dn, int32_t first_month, double *rate)
{
    int col[TABLE_MAX_DIMS], p, y, m, d, rc = 0;
    size_t n = 1, j, i, years;
    unsigned char *has_year;
    double *pop;

    for (j = 0; j < t->nby; j++) {
        col[j] = denominator_column_of(by_names[j]);
        if (col[j] < 0 || !dn->has[col[j]])
            return 1;
        n *= t->dim_n[j];
    }
    years = (size_t)(dn->year_last - dn->year_first + 1);
    has_year = calloc(years, 1);
    pop = interior_population(t, col, dn, n);
    if (!has_year || !pop) {
        free(has_year);
        free(pop);
        return CE_NOMEM;
    }
    for (i = 0; i < dn->nrows; i++)
        has_year[dn->rows[i].year - dn->year_first] = 1;
    civil_from_days(first_month, &y, &m, &d);
    for (p = 0; p < t->nperiods && rc == 0; p++) {
        int32_t start = days_from_civil(y + (m - 1 + p) / 12,
                                        (m - 1 + p) % 12 + 1, 1);

        rc = period_rates(t, published_period_cells(t, p),
                          pop + year_for(dn, has_year, start) * n, n,
                          rate + (size_t)p * t->ncells_per_period);
    }
    free(has_year);
    free(pop);
    return rc;
}
