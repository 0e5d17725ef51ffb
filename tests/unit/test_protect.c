/* Unit tests for app/protect.c: an analyst's CSV through the CSV
 * connector and cohorts/tabulate into a counted table, then the engine's
 * own attacker (disclosure_attack) on every primary suppressed cell after
 * disclosure_protect, and the release check (anonymise/disclosure_check)
 * that `cohort protect` and the nightly job apply. Run from the repository
 * root (fixtures under tests/data/protect/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../anonymise/disclosure.h"
#include "../../anonymise/disclosure_check.h"
#include "../../app/protect.h"

static void
plan_init(struct disclosure_plan *dp, int lo, int hi, int rounding)
{
    memset(dp, 0, sizeof(*dp));
    dp->suppress_lo = lo;
    dp->suppress_hi = hi;
    dp->rounding = rounding;
    dp->protection_level = hi;
}

/* Every primary suppressed cell: the attacker's feasible range is at least
 * the protection level wide (or unbounded). Returns the primary count. */
static size_t
assert_attacker_fails(const struct count_table *t,
                      const struct disclosure_plan *dp)
{
    size_t i, nprimary = 0;
    int p;

    for (p = 0; p < t->nperiods; p++) {
        const struct table_cell *c =
            t->cells + (size_t)p * t->ncells_per_period;

        for (i = 0; i < t->ncells_per_period; i++) {
            double lo, hi;

            if (c[i].count >= dp->suppress_lo && c[i].count <= dp->suppress_hi)
                assert_int_equal(c[i].status, CELL_SUPPRESSED);
            if (c[i].status != CELL_SUPPRESSED)
                continue;
            nprimary++;
            assert_int_equal(disclosure_attack(t, dp, p, i, &lo, &hi), 0);
            assert_true(lo <= (double)c[i].count + 1e-6);
            assert_true(hi < 0 || hi >= (double)c[i].count - 1e-6);
            if (hi >= 0 && hi - lo < dp->protection_level - 1e-6)
                fail_msg("period %d cell %zu: attacker range [%g, %g] "
                         "narrower than %d", p, i, lo, hi,
                         dp->protection_level);
        }
    }
    return nprimary;
}

static const char *const area_sex[2] = {"area", "sex"};

/* The hand-worked table of tests/data/protect/README. */
static void
test_hand_worked(void **state)
{
    struct protect_spec spec = {"tests/data/protect/counts.csv", area_sex, 2,
                                "count", NULL, 0};
    struct protect_table pt;
    struct disclosure_plan dp;
    struct disclosure_stats st;
    struct diag d;
    uint32_t af[2] = {0, 0}; /* A, F */
    double lo, hi;

    (void)state;
    diag_clear(&d);
    assert_int_equal(protect_table_read(&pt, &spec, &d), 0);
    assert_int_equal(pt.table.nby, 2);
    assert_int_equal(pt.table.dim_n[0], 3);
    assert_int_equal(pt.table.dim_n[1], 2);
    assert_string_equal(pt.table.dim_labels[0][2], "C");
    assert_string_equal(pt.by_names[1], "sex");
    assert_int_equal(pt.rows, 6);
    /* grand total and the F margin from the interior */
    assert_int_equal(pt.table.cells[pt.table.ncells_per_period - 1].count, 105);
    assert_int_equal(pt.table.cells[6 + 3].count, 42);

    plan_init(&dp, 1, 9, 5);
    assert_int_equal(disclosure_protect(&pt.table, &dp, NULL, 1, &st, &d), 0);
    assert_int_equal(st.suppressed, 2);
    assert_int_equal(st.secondary, 2);
    assert_int_equal(assert_attacker_fails(&pt.table, &dp), 2);
    /* worked by hand: A,F (4) lies anywhere in [0, 14] (rounded values
     * as intervals: F <= 42, B,F >= 28) */
    assert_int_equal(disclosure_attack(&pt.table, &dp, 0,
                                       (size_t)(table_interior(&pt.table, 0, af) -
                                                pt.table.cells),
                                       &lo, &hi), 0);
    assert_true(lo > -1e-6 && lo < 1e-6);
    assert_true(hi > 14 - 1e-6 && hi < 14 + 1e-6);
    assert_int_equal(disclosure_check(&pt.table, &dp, 1, &d), 0);
    protect_table_release(&pt);
}

/* Tables with many small counts, several periods and three by columns:
 * whatever disclosure_protect suppresses, the attacker cannot narrow a
 * primary cell below the protection level. */
static void
test_attacker_on_generated_tables(void **state)
{
    static const struct {
        unsigned seed;
        int nperiods, na, nb, nc, maxcount, lo, hi;
    } cases[] = {
        {1, 1, 4, 3, 1, 30, 1, 9},
        {2, 3, 5, 2, 1, 20, 1, 7},
        {3, 2, 3, 3, 2, 25, 1, 9},
        {4, 1, 6, 4, 1, 12, 2, 6},
    };
    static const char *const by3[3] = {"a", "b", "c"};
    char path[] = "/tmp/test_protect.XXXXXX";
    size_t k;

    (void)state;
    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct protect_spec spec = {path, by3, 3, "n", "month", 0};
        struct protect_table pt;
        struct disclosure_plan dp;
        struct disclosure_stats st;
        struct diag d;
        unsigned x = cases[k].seed;
        int fd = mkstemp(path), p, a, b, c;
        FILE *f;

        assert_true(fd >= 0);
        f = fdopen(fd, "w");
        assert_non_null(f);
        fprintf(f, "month,a,b,c,n\n");
        for (p = 0; p < cases[k].nperiods; p++)
            for (a = 0; a < cases[k].na; a++)
                for (b = 0; b < cases[k].nb; b++)
                    for (c = 0; c < cases[k].nc; c++) {
                        x = x * 1103515245u + 12345u;
                        /* some combinations left out: they count 0 */
                        if ((x >> 16) % 9 == 0)
                            continue;
                        fprintf(f, "2026-%02d,a%d,b%d,c%d,%u\n", p + 1, a, b,
                                c, (x >> 8) % (unsigned)cases[k].maxcount);
                    }
        fclose(f);
        diag_clear(&d);
        assert_int_equal(protect_table_read(&pt, &spec, &d), 0);
        assert_int_equal(pt.table.nperiods, cases[k].nperiods);
        plan_init(&dp, cases[k].lo, cases[k].hi, 5);
        assert_int_equal(disclosure_protect(&pt.table, &dp, NULL, 1, &st, &d), 0);
        assert_true(assert_attacker_fails(&pt.table, &dp) > 0);
        assert_int_equal(disclosure_check(&pt.table, &dp, 1, &d), 0);
        protect_table_release(&pt);
        unlink(path);
        memcpy(path + strlen(path) - 6, "XXXXXX", 6);
    }
}

/* Microdata: a cell counts its rows; its key is the sum of their record
 * keys mod 256, margins included. */
static void
test_microdata_cell_keys(void **state)
{
    char path[] = "/tmp/test_protect.XXXXXX";
    int fd = mkstemp(path);
    FILE *f;
    struct protect_spec spec = {path, area_sex, 2, NULL, NULL, 1};
    struct protect_table pt;
    struct diag d;
    uint32_t coord[2];

    (void)state;
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    fprintf(f, "record_key,sex,area\n"
               "200,F,North\n100,F,North\n7,M,North\n"
               "255,F,South\n1,F,South\n3,M,South\n");
    fclose(f);
    diag_clear(&d);
    assert_int_equal(protect_table_read(&pt, &spec, &d), 0);
    coord[0] = 0; /* North */
    coord[1] = 0; /* F */
    assert_int_equal(table_interior(&pt.table, 0, coord)->count, 2);
    assert_int_equal(table_interior(&pt.table, 0, coord)->ckey, (200 + 100) % 256);
    coord[0] = 1; /* South */
    assert_int_equal(table_interior(&pt.table, 0, coord)->ckey, 0); /* 256 */
    coord[1] = 1; /* M */
    assert_int_equal(table_interior(&pt.table, 0, coord)->count, 1);
    assert_int_equal(pt.table.cells[pt.table.ncells_per_period - 1].count, 6);
    assert_int_equal(pt.table.cells[pt.table.ncells_per_period - 1].ckey,
                     (200 + 100 + 7 + 255 + 1 + 3) % 256);
    protect_table_release(&pt);
    unlink(path);
}

/* The check after protection refuses what must not be published. */
static void
test_check_refuses(void **state)
{
    static const uint32_t dims[2] = {2, 2};
    static char *la[2] = {"x", "y"}, *lb[2] = {"p", "q"};
    char *const *labels[2] = {la, lb};
    static const int64_t counts[4] = {3, 40, 50, 60};
    struct count_table t;
    struct disclosure_plan dp;
    struct disclosure_stats st;
    struct diag d;
    size_t i;

    (void)state;
    plan_init(&dp, 1, 9, 5);
    assert_int_equal(table_init(&t, 1, 2, dims, labels), 0);
    for (i = 0; i < 4; i++)
        t.cells[i].count = counts[i];
    table_fill_margins(&t);
    /* a primary cell left alone in its row: the attacker pins it */
    for (i = 0; i < t.ncells_per_period; i++)
        t.cells[i].status = CELL_OK;
    t.cells[0].status = CELL_SUPPRESSED;
    diag_clear(&d);
    assert_int_equal(disclosure_check(&t, &dp, 2, &d), CE_DATA);
    assert_string_equal(d.rule, "protection_level");
    /* the engine's own protection passes */
    assert_int_equal(disclosure_protect(&t, &dp, NULL, 1, &st, &d), 0);
    assert_int_equal(disclosure_check(&t, &dp, 2, &d), 0);
    /* a table whose every cell is suppressed has nothing to publish */
    for (i = 0; i < 4; i++)
        t.cells[i].count = 1;
    table_fill_margins(&t);
    dp.suppress_hi = 4;
    dp.protection_level = 4;
    assert_int_equal(disclosure_protect(&t, &dp, NULL, 1, &st, &d), 0);
    diag_clear(&d);
    assert_int_equal(disclosure_check(&t, &dp, 2, &d), CE_DATA);
    assert_string_equal(d.rule, "all_suppressed");
    table_release(&t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_worked),
        cmocka_unit_test(test_attacker_on_generated_tables),
        cmocka_unit_test(test_microdata_cell_keys),
        cmocka_unit_test(test_check_refuses),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
