/*
 * denominators.h - the population table a job's rates per 10 000 are
 * computed against (`denominators = FILE.csv` in [job]): public figures a
 * council already has, e.g. ONS mid-year estimates, never personal data.
 *
 * A CSV file with a header row (comma-separated, fields may be quoted),
 * one row per year and category:
 *   year         required: the estimate's year (mid-year)
 *   population   required: a number, not negative
 *   age          single years of age (a whole number; "90+" counts as 90),
 *     or age_band  the job's own band labels ("0-4", "65+")
 *   sex          M or F (also 1/2, male/female)
 *   ward, lsoa, district   names as the job's lookup writes them
 * Any other column is ignored. A table has rates when every one of its by
 * columns is among these (age_band needs age or age_band); columns the
 * table does not have are summed over.
 *
 *     struct denominators dn;
 *     denominators_load(&dn, path, &d)   -> 0, CE_CONFIG (d: file, line,
 *                                          column, rule; never a value),
 *                                          CE_NOMEM
 *     ... forecast/rates.h ...
 *     denominators_release(&dn);
 */
#ifndef COHORT_DENOMINATORS_H
#define COHORT_DENOMINATORS_H

#include <stddef.h>
#include <stdint.h>

#include "../core/error.h"
#include "../core/hash.h"

enum denominator_column { DEN_AGE, DEN_SEX, DEN_WARD, DEN_LSOA, DEN_DISTRICT,
                          DEN_NCOLS };

#define DENOMINATORS_MAX_ROWS 5000000

struct denominator_row {
    int16_t year;
    int16_t age;                  /* single year of age; -1 without */
    uint32_t label[DEN_NCOLS];    /* index into labels; age_band, sex, names */
    double population;
};

struct denominators {
    int has[DEN_NCOLS];           /* the column is in the file */
    int age_single;               /* DEN_AGE is `age` (years), not `age_band` */
    struct denominator_row *rows;
    size_t nrows;
    struct hash_table labels;     /* every label of every column */
    int year_first, year_last;    /* the vintage: the years it covers */
    char blake2b_hex[65];         /* of the file's bytes */
};

/* The column's name as a by column names it ("age_band", "sex", "ward",
 * ...), or -1 for any other by column. */
int denominator_column_of(const char *by_name);

int denominators_load(struct denominators *dn, const char *path,
                      struct diag *d);

void denominators_release(struct denominators *dn);

#endif
