/* Unit tests for anonymise/disclosure.c: suppression that survives an
 * attacker doing arithmetic (linear programming) on the published table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../anonymise/disclosure.h"

static char *lab[6][8] = {
    {"a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7"},
    {"b0", "b1", "b2", "b3", "b4", "b5", "b6", "b7"},
    {"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"},
};

static void
plan_init(struct disclosure_plan *dp)
{
    memset(dp, 0, sizeof(*dp));
    dp->suppress_lo = 1;
    dp->suppress_hi = 9;
    dp->rounding = 5;
    dp->protection_level = 9;
}

static void
make(struct count_table *t, int nperiods, size_t nby, const uint32_t *dims)
{
    char *const *labels[3] = {lab[0], lab[1], lab[2]};

    assert_int_equal(table_init(t, nperiods, nby, dims, labels), 0);
}

/* Every suppressed cell: the attacker's range is wide enough, and no
 * published value is a true count that was supposed to be suppressed. */
static void
assert_safe(const struct count_table *t, const struct disclosure_plan *dp)
{
    int p;
    size_t i;

    for (p = 0; p < t->nperiods; p++) {
        const struct table_cell *c = t->cells + (size_t)p * t->ncells_per_period;

        for (i = 0; i < t->ncells_per_period; i++) {
            double lo, hi;

            if (c[i].count >= dp->suppress_lo && c[i].count <= dp->suppress_hi)
                assert_true(c[i].status == CELL_SUPPRESSED);
            if (c[i].status != CELL_SUPPRESSED)
                continue;
            assert_int_equal(disclosure_attack(t, p, i, &lo, &hi), 0);
            if (hi >= 0 && hi - lo < dp->protection_level - 1e-6)
                fail_msg("period %d cell %zu (count %lld): attacker range "
                         "[%g, %g]", p, i, (long long)c[i].count, lo, hi);
        }
    }
}

static void
test_two_by_two(void **state)
{
    static const uint32_t dims[2] = {2, 2};
    static const int64_t counts[4] = {3, 40, 50, 60};
    struct count_table t;
    struct disclosure_plan dp;
    struct disclosure_stats st;
    struct diag d;
    double lo, hi;
    size_t i;

    (void)state;
    make(&t, 1, 2, dims);
    for (i = 0; i < 4; i++)
        t.cells[i].count = counts[i];
    table_fill_margins(&t);
    /* before protection the attacker reads the cell exactly */
    t.cells[0].status = CELL_SUPPRESSED;
    assert_int_equal(disclosure_attack(&t, 0, 0, &lo, &hi), 0);
    assert_true(hi - lo < 1e-6);
    plan_init(&dp);
    assert_int_equal(disclosure_protect(&t, &dp, NULL, 1, &st, &d), 0);
    assert_int_equal(st.suppressed, 1);
    assert_true(st.secondary >= 3); /* a 2x2 needs all four interior cells */
    assert_safe(&t, &dp);
    /* margins are rounded from true counts; published never shows 3 */
    for (i = 0; i < t.ncells_per_period; i++)
        if (t.cells[i].status != CELL_SUPPRESSED &&
            t.cells[i].status != CELL_SECONDARY)
            assert_int_equal(t.cells[i].published % 5, 0);
    table_release(&t);
}

static void
test_one_dim_and_total(void **state)
{
    static const uint32_t dims[1] = {4};
    static const int64_t counts[4] = {12, 4, 30, 0};
    struct count_table t;
    struct disclosure_plan dp;
    struct disclosure_stats st;
    struct diag d;
    size_t i;

    (void)state;
    plan_init(&dp);
    make(&t, 2, 1, dims);
    for (i = 0; i < 4; i++) {
        t.cells[i].count = counts[i];
        t.cells[t.ncells_per_period + i].count = counts[3 - i] + 20;
    }
    table_fill_margins(&t);
    assert_int_equal(t.ncells_per_period, 5);
    assert_int_equal(t.cells[4].count, 46);
    assert_int_equal(disclosure_protect(&t, &dp, NULL, 1, &st, &d), 0);
    assert_int_equal(t.cells[1].status, CELL_SUPPRESSED);
    /* the 4 cannot be the only suppressed cell beside a published total */
    assert_true(st.secondary >= 1);
    assert_safe(&t, &dp);
    /* period 2 has nothing small: nothing suppressed, all rounded */
    for (i = 0; i < 5; i++)
        assert_true(t.cells[t.ncells_per_period + i].status == CELL_ROUNDED ||
                    t.cells[t.ncells_per_period + i].status == CELL_OK);
    /* rounding: nearest multiple of 5, ties up */
    assert_int_equal(t.cells[t.ncells_per_period + 0].published, 20);
    assert_int_equal(t.cells[t.ncells_per_period + 2].published, 25);
    table_release(&t);
}

static void
test_random_three_way(void **state)
{
    static const uint32_t dims[3] = {5, 3, 4};
    uint64_t s = 12345;
    int round;

    (void)state;
    for (round = 0; round < 20; round++) {
        struct count_table t;
        struct disclosure_plan dp;
        struct disclosure_stats st;
        struct diag d;
        size_t i;

        plan_init(&dp);
        make(&t, 1, 3, dims);
        for (i = 0; i < t.ninterior; i++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            /* many small and zero cells: the hard case */
            t.cells[i].count = (int64_t)((s >> 33) % (round % 2 ? 30 : 12));
        }
        table_fill_margins(&t);
        assert_int_equal(disclosure_protect(&t, &dp, NULL, 1, &st, &d), 0);
        assert_safe(&t, &dp);
        /* deterministic: the same table gets the same suppressions */
        {
            struct count_table t2;
            struct disclosure_stats st2;

            make(&t2, 1, 3, dims);
            for (i = 0; i < t.ninterior; i++)
                t2.cells[i].count = t.cells[i].count;
            table_fill_margins(&t2);
            assert_int_equal(disclosure_protect(&t2, &dp, NULL, 1, &st2, &d), 0);
            for (i = 0; i < t.ncells_per_period; i++)
                assert_int_equal(t.cells[i].status, t2.cells[i].status);
            table_release(&t2);
        }
        table_release(&t);
    }
}

static void
test_cellkey(void **state)
{
    static const uint32_t dims[1] = {3};
    struct count_table t;
    struct disclosure_plan dp;
    struct disclosure_stats st;
    struct diag d;
    struct ptable pt;
    struct ptable_row rows[512];
    int k, v;

    (void)state;
    /* a ptable where noise is +1 for odd cell keys, 0 for even, pcv 1..2 */
    for (v = 1; v <= 2; v++)
        for (k = 0; k < 256; k++) {
            rows[(v - 1) * 256 + k].pcv = v;
            rows[(v - 1) * 256 + k].ckey_lo = k;
            rows[(v - 1) * 256 + k].ckey_hi = k;
            rows[(v - 1) * 256 + k].noise = k % 2;
        }
    pt.rows = rows;
    pt.n = 512;
    pt.max_pcv = 2;
    plan_init(&dp);
    dp.suppress_hi = 0; /* min_count 1: nothing suppressed */
    dp.rounding = 1;
    dp.perturbation = PERTURB_CELLKEY;
    make(&t, 1, 1, dims);
    t.cells[0].count = 50;
    t.cells[0].ckey = 7;
    t.cells[1].count = 50;
    t.cells[1].ckey = 8;
    t.cells[2].count = 0;
    t.cells[2].ckey = 9;
    table_fill_margins(&t);
    assert_int_equal(disclosure_protect(&t, &dp, NULL, 1, &st, &d), 0);
    assert_int_equal(t.cells[0].published, 50); /* no ptable given */
    assert_int_equal(disclosure_protect(&t, &dp, &pt, 1, &st, &d), 0);
    assert_int_equal(t.cells[0].published, 51);
    assert_int_equal(t.cells[1].published, 50);
    assert_int_equal(t.cells[2].published, 0); /* empty cells never move */
    assert_int_equal(t.cells[0].status, CELL_PERTURBED);
    assert_int_equal(st.perturbed, 3); /* 2 cells + total */
    table_release(&t);
}

/* 1 000 random small tables (2 or 3 dimensions of 2-3 values), many
 * small counts: after protection no primary cell is narrowed below the
 * protection level, margins equal the sums of the true interior counts,
 * and published values are multiples of the rounding base. */
static void
test_property_small_tables(void **state)
{
    uint64_t s = 99;
    int round;

    (void)state;
    for (round = 0; round < 1000; round++) {
        uint32_t dims[3];
        size_t nby = 2 + (size_t)(round % 2), i, j;
        struct count_table t;
        struct disclosure_plan dp;
        struct disclosure_stats st;
        struct diag d;

        for (j = 0; j < nby; j++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            dims[j] = 2 + (uint32_t)((s >> 40) % 2);
        }
        plan_init(&dp);
        make(&t, 1, nby, dims);
        for (i = 0; i < t.ninterior; i++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            t.cells[i].count = (int64_t)((s >> 33) % 25);
        }
        table_fill_margins(&t);
        {
            int64_t sum = 0;

            for (i = 0; i < t.ninterior; i++)
                sum += t.cells[i].count;
            assert_int_equal(t.cells[t.ncells_per_period - 1].count, sum);
        }
        assert_int_equal(disclosure_protect(&t, &dp, NULL, 1, &st, &d), 0);
        assert_safe(&t, &dp);
        for (i = 0; i < t.ncells_per_period; i++)
            if (t.cells[i].status != CELL_SUPPRESSED &&
                t.cells[i].status != CELL_SECONDARY)
                assert_int_equal(t.cells[i].published % 5, 0);
        table_release(&t);
    }
}

/* The NHS England preset: 1-7 suppressed, 8 published (rounded to 10). */
static void
test_nhs_preset(void **state)
{
    static const uint32_t dims[1] = {3};
    struct count_table t;
    struct disclosure_plan dp;
    struct disclosure_stats st;
    struct diag d;

    (void)state;
    plan_init(&dp);
    dp.suppress_hi = 7;
    dp.protection_level = 7;
    make(&t, 1, 1, dims);
    t.cells[0].count = 7;
    t.cells[1].count = 8;
    t.cells[2].count = 40;
    table_fill_margins(&t);
    assert_int_equal(disclosure_protect(&t, &dp, NULL, 1, &st, &d), 0);
    assert_int_equal(t.cells[0].status, CELL_SUPPRESSED);
    assert_int_equal(t.cells[1].status, CELL_SECONDARY); /* protects the 7 */
    assert_int_equal(t.cells[2].published, 40);
    assert_int_equal(t.cells[3].published, 55);
    assert_safe(&t, &dp);
    table_release(&t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_by_two),
        cmocka_unit_test(test_one_dim_and_total),
        cmocka_unit_test(test_random_three_way),
        cmocka_unit_test(test_cellkey),
        cmocka_unit_test(test_property_small_tables),
        cmocka_unit_test(test_nhs_preset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
