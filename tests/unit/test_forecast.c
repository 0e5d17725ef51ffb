/*
 * Unit tests for forecast/: hidden cells filled from published margins
 * (impute.c), the stock-flow projection and its back-test on a simulated
 * cohort (projection.c), and rates per 10 000 against a population table
 * (denominators.c, rates.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../anonymise/disclosure.h"
#include "../../anonymise/table.h"
#include "../../core/calendar.h"
#include "../../forecast/denominators.h"
#include "../../forecast/impute.h"
#include "../../forecast/projection.h"
#include "../../forecast/rates.h"

/* A published table from a counted one whose every cell is shown, but
 * those with status set to CELL_SUPPRESSED beforehand. */
static void
publish_all(struct count_table *t, struct published_table *pub)
{
    size_t i, n = (size_t)t->nperiods * t->ncells_per_period;

    for (i = 0; i < n; i++) {
        t->cells[i].published = t->cells[i].count;
        if (t->cells[i].status != CELL_SUPPRESSED)
            t->cells[i].status = CELL_OK;
    }
    assert_int_equal(disclosure_publish(t, pub), 0);
}

/* Two hidden cells of a column whose rows' margins are shown come back
 * exactly; a hidden total leaves its hidden parts the guess to share. */
static void
test_impute(void **state)
{
    static char *rows[2] = {"a", "b"}, *cols[3] = {"x", "y", "z"};
    char *const *labels[2] = {rows, cols};
    const uint32_t dim_n[2] = {2, 3};
    static const int64_t v[6] = {10, 20, 30, 5, 15, 25};
    struct count_table t;
    struct published_table pub;
    double x[6];
    size_t i;

    (void)state;
    assert_int_equal(table_init(&t, 2, 2, dim_n, labels), 0);
    for (i = 0; i < 6; i++) {
        t.cells[i].count = v[i];
        t.cells[t.ncells_per_period + i].count = v[i] / 5;
    }
    table_fill_margins(&t);
    t.cells[0].status = t.cells[3].status = CELL_SUPPRESSED;
    /* period 1: everything hidden but one interior cell */
    for (i = 0; i < t.ncells_per_period; i++)
        t.cells[t.ncells_per_period + i].status =
            i == 1 ? CELL_OK : CELL_SUPPRESSED;
    publish_all(&t, &pub);
    assert_int_equal(impute_ninterior(&pub), 6);
    impute_period(&pub, 0, 5, NULL, x);
    assert_true(fabs(x[0] - 10) < 1e-6 && fabs(x[3] - 5) < 1e-6);
    assert_true(fabs(x[4] - 15) < 1e-6);
    assert_true(isnan(published_margin(&pub, 0, 1, 9)));
    assert_true(fabs(published_margin(&pub, 0, 0, 1) - 45) < 1e-6);
    assert_true(fabs(published_margin(&pub, 0, -1, 0) - 105) < 1e-6);
    impute_period(&pub, 1, 5, NULL, x);
    {
        double sum = 0;

        for (i = 0; i < 6; i++)
            sum += x[i];
        assert_true(fabs(x[1] - 4) < 1e-6);
        /* the shown cell, and the guess for all the rest together */
        assert_true(sum <= 4 + 5 + 1e-6);
    }
    published_table_release(&pub);
    table_release(&t);
}

/* A cohort simulated person-month by person-month: Poisson-like entries
 * of about `rate` a month, exits with a hazard by months in the cohort;
 * published by months-in-cohort band (stock, exits) and in total
 * (entries), exact. */
#define MONTHS 36
#define MAXDUR 40

static uint64_t rs = 88172645463325252ull;

static double
uniform(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (double)(rs >> 11) / 9007199254740992.0;
}

static int
band_of(int months)
{
    return months < 3 ? months : months < 6 ? 3 : months < 12 ? 4
                               : months < 24 ? 5 : 6;
}

static void
simulate_cohort(double rate, struct published_table pub[3])
{
    static char *bands[7] = {"0", "1", "2", "3 to 5", "6 to 11", "12 to 23",
                             "24 and over"};
    char *const *labels[1] = {bands};
    const uint32_t seven[1] = {7};
    struct count_table stock, exits, entries;
    long dur[MAXDUR + 1] = {0};
    int t, d, k, warm = 300;

    assert_int_equal(table_init(&stock, MONTHS, 1, seven, labels), 0);
    assert_int_equal(table_init(&exits, MONTHS, 1, seven, labels), 0);
    assert_int_equal(table_init(&entries, MONTHS, 0, NULL, NULL), 0);
    for (t = -warm; t < MONTHS; t++) {
        long next[MAXDUR + 1] = {0}, in = 0;

        /* entries: a sum of 2 * rate coin flips */
        for (k = 0; k < (int)(2 * rate); k++)
            in += uniform() < 0.5;
        dur[0] += in;
        for (d = 0; d <= MAXDUR; d++) {
            double h = d == 0 ? 0.25 : d < 12 ? 0.06 : 0.02;
            long stay = 0, i;

            for (i = 0; i < dur[d]; i++)
                stay += uniform() >= h;
            if (t >= 0) {
                uint32_t co[1] = {(uint32_t)band_of(d)};

                table_interior(&stock, t, co)->count += dur[d];
                table_interior(&exits, t, co)->count += dur[d] - stay;
            }
            next[d < MAXDUR ? d + 1 : MAXDUR] += stay;
        }
        if (t >= 0)
            entries.cells[t].count = in;
        memcpy(dur, next, sizeof(dur));
    }
    table_fill_margins(&stock);
    table_fill_margins(&exits);
    publish_all(&entries, &pub[0]);
    publish_all(&exits, &pub[1]);
    publish_all(&stock, &pub[2]);
    table_release(&stock);
    table_release(&exits);
    table_release(&entries);
}

static void
test_projection(void **state)
{
    struct published_table pub[3];
    struct forecast_inputs in;
    struct projection pr;
    const struct projection_series *s;
    size_t i;

    (void)state;
    simulate_cohort(100, pub);
    memset(&in, 0, sizeof(in));
    in.entries = &pub[0];
    in.exits = &pub[1];
    in.stock = &pub[2];
    in.first_month = days_from_civil(2023, 11, 1);
    in.complete = MONTHS;
    in.rounding = 1;
    in.guess = 5;
    assert_int_equal(projection_compute("sim", &in, &pr), 0);
    assert_string_equal(pr.name, "sim_forecast");
    assert_null(pr.note);
    assert_int_equal(pr.nseries, 1);
    s = &pr.series[0];
    assert_string_equal(s->label, "Total");
    assert_int_equal(s->nrows, 24);
    assert_int_equal(s->ntested, 12);
    for (i = 0; i < s->nrows; i++) {
        const struct projection_row *r = &s->rows[i];
        double last = published_margin(&pub[2], MONTHS - 1, -1, 0);

        assert_true(r->lo95 <= r->lo80 && r->lo80 <= r->point);
        assert_true(r->point <= r->hi80 && r->hi80 <= r->hi95);
        assert_int_equal(r->kind, i < 12 ? PROJ_BACKTEST : PROJ_FORECAST);
        /* the benchmark is the same month a year before */
        assert_true(fabs(r->naive - published_margin(&pub[2],
                                                     (int)i + 12, -1, 0)) <
                    1e-9);
        /* a cohort at its steady state stays near it */
        if (r->kind == PROJ_FORECAST)
            assert_true(fabs(r->point - last) < 0.1 * last);
    }
    assert_int_equal(s->rows[12].period_start, days_from_civil(2026, 11, 1));
    /* one realisation of a cohort that wanders slowly about its steady
     * state: the error is finite and its scale sane, the intervals hold
     * most of it */
    assert_true(isfinite(s->mase) && s->mase < 6);
    assert_true(isfinite(s->mase_naive));
    assert_true(s->covered95 >= 9);
    projection_release(&pr);
    /* fewer than 24 months: a projection without a back-test */
    in.complete = 20;
    assert_int_equal(projection_compute("sim", &in, &pr), 0);
    assert_non_null(pr.note);
    assert_int_equal(pr.series[0].nrows, 12);
    assert_int_equal(pr.series[0].ntested, 0);
    projection_release(&pr);
    for (i = 0; i < 3; i++)
        published_table_release(&pub[i]);
}

/* Rates per 10 000 from a population of single years of age. */
static void
test_rates(void **state)
{
    static char *age[3] = {"0 to 4", "5 to 17", "UNKNOWN"},
                *sex[2] = {"M", "F"};
    char *const *labels[2] = {age, sex};
    const uint32_t dim_n[2] = {3, 2};
    char path[] = "/tmp/cohort-test-denom-XXXXXX";
    const char *names[2] = {"age_band", "sex"}, *bad[2] = {"age_band",
                                                           "ethnicity"};
    struct count_table t;
    struct published_table pub;
    struct denominators dn;
    struct diag d;
    double rate[12];
    FILE *f;
    int fd, a;

    (void)state;
    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    fprintf(f, "Year,age,sex,ward,population\n");
    for (a = 0; a <= 20; a++)
        fprintf(f, "2025,%d,1,\"North, gate\",10\n2025,%d,2,\"North, gate\","
                   "30\n",
                a, a);
    fprintf(f, "2024,90+,F,North,1\n");
    fclose(f);
    assert_int_equal(denominators_load(&dn, path, &d), 0);
    assert_int_equal(dn.nrows, 43);
    assert_int_equal(dn.year_first, 2024);
    assert_int_equal(dn.year_last, 2025);
    assert_int_equal(strlen(dn.blake2b_hex), 64);
    assert_int_equal(table_init(&t, 1, 2, dim_n, labels), 0);
    table_interior(&t, 0, (uint32_t[]){0, 1})->count = 30;
    table_interior(&t, 0, (uint32_t[]){2, 0})->count = 10;
    table_fill_margins(&t);
    publish_all(&t, &pub);
    assert_int_equal(rates_compute(&pub, bad, &dn, days_from_civil(2026, 1, 1),
                                   rate),
                     1);
    assert_int_equal(rates_compute(&pub, names, &dn,
                                   days_from_civil(2026, 1, 1), rate),
                     0);
    /* 0-4 F: 5 years x 30; no 2026 figures, so 2025's */
    assert_true(fabs(rate[1] - 30 * 10000.0 / 150) < 1e-6);
    assert_true(isnan(rate[4]));  /* UNKNOWN: no population */
    assert_true(fabs(rate[0]) < 1e-9); /* 0 of 50 */
    /* the total: 40 of everyone in a band the table has (0-17: 18 x 40) */
    assert_true(fabs(rate[11] - 40 * 10000.0 / 720) < 1e-6);
    published_table_release(&pub);
    table_release(&t);
    denominators_release(&dn);
    /* errors name the line, column and rule, never the value */
    f = fopen(path, "w");
    fprintf(f, "year,population,sex\n2025,12,M\n2025,lots,F\n");
    fclose(f);
    assert_int_equal(denominators_load(&dn, path, &d), CE_CONFIG);
    assert_int_equal(d.line, 3);
    assert_int_equal(d.column, 2);
    assert_string_equal(d.rule, "population_not_number");
    assert_null(strstr(d.msg, "lots"));
    f = fopen(path, "w");
    fprintf(f, "year,population,sex\n2025,12,persons\n");
    fclose(f);
    assert_int_equal(denominators_load(&dn, path, &d), CE_CONFIG);
    assert_string_equal(d.rule, "sex_unknown");
    f = fopen(path, "w");
    fprintf(f, "year,count\n");
    fclose(f);
    assert_int_equal(denominators_load(&dn, path, &d), CE_CONFIG);
    assert_string_equal(d.rule, "missing_column");
    unlink(path);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_impute),
        cmocka_unit_test(test_projection),
        cmocka_unit_test(test_rates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
