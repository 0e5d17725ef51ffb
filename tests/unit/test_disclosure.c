/* Unit tests for anonymise/disclosure.c: suppression that survives an
 * attacker doing arithmetic (linear programming) on the published table. */
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
#include "../../anonymise/secondary.h"

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
            assert_int_equal(disclosure_attack(t, dp, p, i, &lo, &hi), 0);
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
    plan_init(&dp);
    dp.rounding = 1;
    assert_int_equal(disclosure_attack(&t, &dp, 0, 0, &lo, &hi), 0);
    assert_true(hi - lo < 1e-6);
    plan_init(&dp);
    /* published exactly, a 2x2 needs all four interior cells */
    dp.rounding = 1;
    assert_int_equal(disclosure_protect(&t, &dp, NULL, 1, &st, &d), 0);
    assert_int_equal(st.suppressed, 1);
    assert_true(st.secondary >= 3);
    assert_safe(&t, &dp);
    /* rounded to 5, the 60 can be published: row 0 (43 -> 45: 43..47) and
     * column 1 (100: 98..102) give the 40 36..44, so the 3 is -1..11 */
    dp.rounding = 5;
    assert_int_equal(disclosure_protect(&t, &dp, NULL, 1, &st, &d), 0);
    assert_int_equal(st.secondary, 2);
    assert_int_equal(t.cells[1].status, CELL_SECONDARY);
    assert_int_equal(t.cells[2].status, CELL_SECONDARY);
    assert_int_equal(t.cells[3].status, CELL_OK);
    assert_int_equal(t.cells[3].published, 60);
    assert_int_equal(disclosure_attack(&t, &dp, 0, 0, &lo, &hi), 0);
    assert_true(fabs(lo - 0) < 1e-6 && fabs(hi - 11) < 1e-6);
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
    /* published exactly, the 4 cannot be the only suppressed cell beside
     * a published total */
    dp.rounding = 1;
    assert_int_equal(disclosure_protect(&t, &dp, NULL, 1, &st, &d), 0);
    assert_int_equal(t.cells[1].status, CELL_SUPPRESSED);
    assert_true(st.secondary >= 1);
    assert_safe(&t, &dp);
    /* rounded to 5 it can: 12 -> 10 says 10..12 (8 and 9 would have been
     * suppressed), 30 -> 28..32, 0 -> 0 (1 and 2 would have been
     * suppressed), 46 -> 45 says 43..47, so the 4 is 43-12-32-0 .. 47-10-28-0,
     * i.e. 0..9: as wide as the protection level */
    dp.rounding = 5;
    assert_int_equal(disclosure_protect(&t, &dp, NULL, 1, &st, &d), 0);
    assert_int_equal(t.cells[1].status, CELL_SUPPRESSED);
    assert_int_equal(st.secondary, 0);
    {
        double lo, hi;

        assert_int_equal(disclosure_attack(&t, &dp, 0, 1, &lo, &hi), 0);
        assert_true(fabs(lo - 0) < 1e-6 && fabs(hi - 9) < 1e-6);
    }
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
    memset(&pt, 0, sizeof(pt));
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

/* Rounded published values as intervals, worked by hand (suppress 1-9,
 * round to 5, protection level 9). */
static void
test_rounded_intervals(void **state)
{
    static const uint32_t four[1] = {4}, two[1] = {2};
    struct count_table t;
    struct disclosure_plan dp;
    struct disclosure_stats st;
    struct diag d;
    struct ptable pt;
    struct ptable_row zero = {1, 0, 255, 0};
    double lo, hi;

    (void)state;
    plan_init(&dp);
    /* 3, 12, 14, 16, total 45: 12 -> 10 (10..12: 8 and 9 would have been
     * suppressed), 14 and 16 -> 15 (13..17), 45 -> 45 (43..47); the 3 is
     * 43-12-17-17 .. 47-10-13-13 = -3 .. 11, so 0..11: safe unaided */
    make(&t, 1, 1, four);
    t.cells[0].count = 3;
    t.cells[1].count = 12;
    t.cells[2].count = 14;
    t.cells[3].count = 16;
    table_fill_margins(&t);
    assert_int_equal(disclosure_protect(&t, &dp, NULL, 1, &st, &d), 0);
    assert_int_equal(st.suppressed, 1);
    assert_int_equal(st.secondary, 0);
    assert_int_equal(disclosure_attack(&t, &dp, 0, 0, &lo, &hi), 0);
    assert_true(fabs(lo - 0) < 1e-6 && fabs(hi - 11) < 1e-6);
    /* a published cell is its interval, narrowed by the relations */
    assert_int_equal(disclosure_attack(&t, &dp, 0, 1, &lo, &hi), 0);
    assert_true(fabs(lo - 10) < 1e-6 && fabs(hi - 12) < 1e-6);
    /* with cell-key noise, ONS's method: the perturbed 3 is below 10 and
     * hidden, and nothing else is (the noise, not a pattern, protects
     * it; there is no pattern to audit) */
    memset(&pt, 0, sizeof(pt));
    pt.rows = &zero;
    pt.n = 1;
    pt.max_pcv = 1;
    dp.perturbation = PERTURB_CELLKEY;
    assert_int_equal(disclosure_protect(&t, &dp, &pt, 1, &st, &d), 0);
    assert_int_equal(st.suppressed, 1);
    assert_int_equal(st.secondary, 0);
    assert_int_equal(t.cells[0].status, CELL_SUPPRESSED);
    {
        int p;
        size_t cell;

        assert_int_equal(disclosure_audit(&t, &dp, 1, &p, &cell), 0);
        assert_int_equal(p, -1);
    }
    table_release(&t);

    /* 3, 40, total 43: 45 (43..47) - 40 (38..42) leaves the 3 in 1..9,
     * 8 wide: rounding is not enough, the 40 goes too */
    plan_init(&dp);
    make(&t, 1, 1, two);
    t.cells[0].count = 3;
    t.cells[1].count = 40;
    table_fill_margins(&t);
    t.cells[0].status = CELL_SUPPRESSED;
    t.cells[1].status = CELL_OK;
    t.cells[2].status = CELL_OK;
    assert_int_equal(disclosure_attack(&t, &dp, 0, 0, &lo, &hi), 0);
    assert_true(fabs(lo - 1) < 1e-6 && fabs(hi - 9) < 1e-6);
    assert_int_equal(disclosure_protect(&t, &dp, NULL, 1, &st, &d), 0);
    assert_int_equal(t.cells[1].status, CELL_SECONDARY);
    assert_safe(&t, &dp);
    table_release(&t);
}

/* The release check's audit on threads: periods 2 and 5 of 8 leave a
 * primary cell narrowed (3 beside a published 40 and total 43: 1..9,
 * eight wide), the others hide both cells. Whatever the threads, the
 * answer is the first weak period in order and its cell; with only
 * period 5 weak, period 5. */
static void
test_audit_threads(void **state)
{
    static const uint32_t two[1] = {2};
    static const int threads[] = {1, 2, 4, 16};
    struct disclosure_plan dp;
    struct count_table t;
    int p, k, round;

    (void)state;
    plan_init(&dp);
    make(&t, 8, 1, two);
    for (p = 0; p < 8; p++) {
        struct table_cell *c = t.cells + (size_t)p * t.ncells_per_period;

        c[0].count = 3;
        c[1].count = 40;
    }
    table_fill_margins(&t);
    for (round = 0; round < 2; round++) {
        for (p = 0; p < 8; p++) {
            struct table_cell *c = t.cells + (size_t)p * t.ncells_per_period;
            int weak = p == 5 || (round == 0 && p == 2);

            c[0].status = CELL_SUPPRESSED;
            c[1].status = weak ? CELL_OK : CELL_SECONDARY;
            c[2].status = CELL_OK;
        }
        for (k = 0; k < 4; k++) {
            int period;
            size_t cell;

            assert_int_equal(
                disclosure_audit(&t, &dp, threads[k], &period, &cell), 0);
            assert_int_equal(period, round == 0 ? 2 : 5);
            assert_int_equal(cell, 0);
        }
    }
    /* none weak: -1 on any number of threads */
    for (p = 0; p < 8; p++)
        t.cells[(size_t)p * t.ncells_per_period + 1].status = CELL_SECONDARY;
    for (k = 0; k < 4; k++) {
        int period;
        size_t cell;

        assert_int_equal(disclosure_audit(&t, &dp, threads[k], &period, &cell),
                         0);
        assert_int_equal(period, -1);
    }
    table_release(&t);
}

/* The LP's ranges against brute force: every 2x2 table of counts the
 * attacker cannot tell from the published one (same rounded values, same
 * suppression pattern, no published cell a count the rule suppresses),
 * enumerated, gives each primary cell the range the audit computed. */
static void
test_rounded_intervals_brute_force(void **state)
{
    static const uint32_t dims[2] = {2, 2};
    static const int64_t cases[][4] = {
        {3, 11, 6, 17}, {2, 14, 13, 12}, {4, 18, 21, 0}, {12, 3, 11, 14},
        {3, 12, 30, 31}, {0, 5, 11, 2},
    };
    size_t k, pass;

    (void)state;
    /* pass 0: only the primary cells suppressed, the model itself; pass 1:
     * the protected table */
    for (pass = 0; pass < 2; pass++)
    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct count_table t;
        struct disclosure_plan dp;
        struct disclosure_stats st;
        struct diag d;
        int64_t bmin[9], bmax[9], x[4];
        size_t i, nc;
        const int64_t n = 45;

        plan_init(&dp);
        make(&t, 1, 2, dims);
        for (i = 0; i < 4; i++)
            t.cells[i].count = cases[k][i];
        table_fill_margins(&t);
        nc = t.ncells_per_period;
        assert_int_equal(nc, 9);
        assert_int_equal(disclosure_protect(&t, &dp, NULL, 1, &st, &d), 0);
        if (pass == 0)
            for (i = 0; i < nc; i++) {
                int small = t.cells[i].count >= 1 && t.cells[i].count <= 9;

                t.cells[i].status = small ? CELL_SUPPRESSED : CELL_OK;
                t.cells[i].published = (t.cells[i].count + 2) / 5 * 5;
            }
        for (i = 0; i < nc; i++) {
            bmin[i] = INT64_MAX;
            bmax[i] = -1;
        }
        for (x[0] = 0; x[0] <= n; x[0]++)
            for (x[1] = 0; x[1] <= n; x[1]++)
                for (x[2] = 0; x[2] <= n; x[2]++)
                    for (x[3] = 0; x[3] <= n; x[3]++) {
                        int64_t v[9];
                        int ok = 1;

                        /* cells in table order: interior by coordinates,
                         * then each margin, then the total */
                        for (i = 0; i < nc; i++) {
                            const struct table_cell *c = &t.cells[i];
                            uint32_t a = c->coord[0], b = c->coord[1];

                            if (a != COORD_TOTAL && b != COORD_TOTAL)
                                v[i] = x[a * 2 + b];
                            else if (a != COORD_TOTAL)
                                v[i] = x[a * 2] + x[a * 2 + 1];
                            else if (b != COORD_TOTAL)
                                v[i] = x[b] + x[2 + b];
                            else
                                v[i] = x[0] + x[1] + x[2] + x[3];
                        }
                        for (i = 0; i < nc && ok; i++) {
                            const struct table_cell *c = &t.cells[i];

                            if (c->status == CELL_SUPPRESSED ||
                                c->status == CELL_SECONDARY)
                                continue;
                            ok = (v[i] + 2) / 5 * 5 == c->published &&
                                 !(v[i] >= 1 && v[i] <= 9);
                        }
                        if (!ok)
                            continue;
                        for (i = 0; i < nc; i++) {
                            if (v[i] < bmin[i])
                                bmin[i] = v[i];
                            if (v[i] > bmax[i])
                                bmax[i] = v[i];
                        }
                    }
        for (i = 0; i < nc; i++) {
            double lo, hi;

            if (t.cells[i].status != CELL_SUPPRESSED)
                continue;
            assert_int_equal(disclosure_attack(&t, &dp, 0, i, &lo, &hi), 0);
            /* unbounded above (hi -1): the enumeration reaches its cap */
            if (hi < 0 && bmax[i] >= n)
                hi = (double)bmax[i];
            else if (bmax[i] >= n)
                hi = -1;
            if (fabs(lo - (double)bmin[i]) > 1e-6 ||
                fabs(hi - (double)bmax[i]) > 1e-6 ||
                (pass == 1 && bmax[i] - bmin[i] < dp.protection_level))
                fail_msg("pass %zu case %zu cell %zu (count %lld): LP [%g, "
                         "%g], enumerated [%lld, %lld]", pass, k, i,
                         (long long)t.cells[i].count, lo, hi,
                         (long long)bmin[i], (long long)bmax[i]);
        }
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
    /* exact values: the 8 must go to protect the 7 */
    dp.rounding = 1;
    assert_int_equal(disclosure_protect(&t, &dp, NULL, 1, &st, &d), 0);
    assert_int_equal(t.cells[0].status, CELL_SUPPRESSED);
    assert_int_equal(t.cells[1].status, CELL_SECONDARY);
    assert_safe(&t, &dp);
    /* rounded to 5: 8 -> 10 (8..12), 40 -> 40 (38..42), 55 -> 55 (53..57)
     * leave the 7 anywhere in 0..11, wider than 7: the 8 is published */
    dp.rounding = 5;
    assert_int_equal(disclosure_protect(&t, &dp, NULL, 1, &st, &d), 0);
    assert_int_equal(t.cells[0].status, CELL_SUPPRESSED);
    assert_int_equal(t.cells[1].status, CELL_ROUNDED);
    assert_int_equal(t.cells[1].published, 10);
    assert_int_equal(t.cells[2].published, 40);
    assert_int_equal(t.cells[3].published, 55);
    assert_safe(&t, &dp);
    table_release(&t);
}

/* ONS's noise for one count and key in the tests' own ptable: the 10-5
 * rule (below 10 to 0, else to the nearest multiple of 5, ties as ONS's
 * table has them) plus, for keys that are multiples of 7, another 5 up,
 * so the row used, not just its remainder, can be seen. */
static int
ons_noise(int pcv, int ckey)
{
    static const int to5[5] = {0, -1, -2, 2, 1};

    if (pcv < 10)
        return -pcv;
    return to5[pcv % 5] + (ckey % 7 == 0 && pcv > 500 ? 5 : 0);
}

/* Writes an ONS-layout ptable (pcv 1..750, every key; columns in the order
 * given) into path. */
static void
write_ons_ptable(const char *path, const char *header)
{
    FILE *f = fopen(path, "w");
    int pcv, k;

    assert_non_null(f);
    fprintf(f, "%s\r\n", header);
    for (pcv = 1; pcv <= 750; pcv++)
        for (k = 0; k < 256; k++) {
            if (!strcmp(header, "pcv,ckey,pvalue"))
                fprintf(f, "%d,%d,%d\r\n", pcv, k, ons_noise(pcv, k));
            else
                fprintf(f, "\"%d\",\"%d\",\"%d\"\r\n", k, ons_noise(pcv, k),
                        pcv);
        }
    assert_int_equal(fclose(f), 0);
}

/* ONS's layout read as it ships, and counts above 750 cycling through
 * rows 501-750: row ((n - 1) mod 250) + 501. */
static void
test_ptable_ons_layout_and_cycle(void **state)
{
    char path[] = "/tmp/cohort-ptable-XXXXXX";
    struct ptable pt;
    struct diag d;
    int fd, k, order;
    int64_t n;

    (void)state;
    fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    for (order = 0; order < 2; order++) {
        write_ons_ptable(path, order ? "\"ckey\",\"pvalue\",\"pcv\""
                                     : "pcv,ckey,pvalue");
        if (ptable_load(&pt, path, &d) != 0)
            fail_msg("%s:%ld: %s", d.source, d.line, d.msg);
        assert_int_equal(pt.max_pcv, 750);
        assert_int_equal(pt.block, 250);
        /* inside the table: its own row */
        for (n = 1; n <= 750; n += 37)
            for (k = 0; k < 256; k += 5)
                assert_int_equal(ptable_noise(&pt, n, (uint32_t)k),
                                 ons_noise((int)n, k));
        /* above it: ONS's rule, and every count still a multiple of 5 */
        for (n = 751; n <= 5000; n++)
            for (k = 0; k < 256; k += 3) {
                int want = ons_noise((int)((n - 1) % 250) + 501, k);

                if (ptable_noise(&pt, n, (uint32_t)k) != want)
                    fail_msg("count %lld key %d: %d, ONS %d", (long long)n, k,
                             ptable_noise(&pt, n, (uint32_t)k), want);
                assert_int_equal((n + want) % 5, 0);
            }
        /* the case: 1078 is published as 1080, not 1078 */
        assert_int_equal(1078 + ptable_noise(&pt, 1078, 1), 1080);
        assert_int_equal(ptable_noise(&pt, 0, 3), 0);
        ptable_release(&pt);
    }
    /* a count with a key missing, or noise below zero, is refused */
    {
        FILE *f = fopen(path, "w");

        assert_non_null(f);
        fputs("pcv,ckey,pvalue\n1,0,0\n", f);
        assert_int_equal(fclose(f), 0);
        assert_int_equal(ptable_load(&pt, path, &d), CE_CONFIG);
        assert_non_null(strstr(d.msg, "covered 0 times"));
        f = fopen(path, "w");
        assert_non_null(f);
        fputs("pcv,ckey,pvalue\n2,0,-3\n", f);
        assert_int_equal(fclose(f), 0);
        assert_int_equal(ptable_load(&pt, path, &d), CE_CONFIG);
        assert_int_equal(d.line, 2);
        assert_non_null(strstr(d.msg, "pcv + pvalue >= 0"));
    }
    unlink(path);
}

/* The cycle keeps a count's remainder for any table and block; the other
 * layouts read their largest count's rows (block 1). */
static void
test_ptable_cycle_rule(void **state)
{
    struct ptable pt;
    struct ptable_row rows[30 * 1];
    int v;

    (void)state;
    memset(&pt, 0, sizeof(pt));
    for (v = 1; v <= 30; v++) {
        rows[v - 1].pcv = v;
        rows[v - 1].ckey_lo = 0;
        rows[v - 1].ckey_hi = 255;
        rows[v - 1].noise = v; /* the noise names the row */
    }
    pt.rows = rows;
    pt.n = 30;
    pt.max_pcv = 30;
    pt.block = 10; /* rows 21..30 */
    assert_int_equal(ptable_noise(&pt, 31, 0), 21);
    assert_int_equal(ptable_noise(&pt, 40, 0), 30);
    assert_int_equal(ptable_noise(&pt, 41, 0), 21);
    assert_int_equal(ptable_noise(&pt, 1078, 0), 28);
    pt.block = 1;
    assert_int_equal(ptable_noise(&pt, 1078, 0), 30);
    pt.block = 0; /* a hand-made table: the largest row */
    assert_int_equal(ptable_noise(&pt, 31, 0), 30);
}

/* Cell-key as ONS applies it: the noise first, then every perturbed count
 * below min_count hidden, empty cells included; a count outside the
 * tables goes the same way. */
static void
test_cellkey_perturb_then_threshold(void **state)
{
    static const uint32_t dims[1] = {4};
    struct count_table t;
    struct disclosure_plan dp;
    struct disclosure_stats st;
    struct diag d;
    struct ptable pt;
    static struct ptable_row rows[40 * 256];
    int v, k;

    (void)state;
    /* noise: key 1 takes 3 away, key 2 adds 3, the rest none */
    memset(&pt, 0, sizeof(pt));
    for (v = 1; v <= 40; v++)
        for (k = 0; k < 256; k++) {
            struct ptable_row *r = &rows[(v - 1) * 256 + k];

            r->pcv = v;
            r->ckey_lo = r->ckey_hi = k;
            r->noise = k == 1 ? (v >= 3 ? -3 : -v) : k == 2 ? 3 : 0;
        }
    pt.rows = rows;
    pt.n = 40 * 256;
    pt.max_pcv = 40;
    plan_init(&dp);
    dp.rounding = 1;
    dp.perturbation = PERTURB_CELLKEY;
    make(&t, 1, 1, dims);
    t.cells[0].count = 11; /* 11 - 3 = 8: hidden, though 11 is safe */
    t.cells[0].ckey = 1;
    t.cells[1].count = 8; /* 8 + 3 = 11: published as 11 */
    t.cells[1].ckey = 2;
    t.cells[2].count = 0; /* empty: never perturbed, below 10: hidden */
    t.cells[2].ckey = 0;
    t.cells[3].count = 30;
    t.cells[3].ckey = 5;
    table_fill_margins(&t);
    t.cells[4].ckey = 9; /* the total, 49, no noise */
    assert_int_equal(disclosure_protect(&t, &dp, &pt, 1, &st, &d), 0);
    assert_int_equal(t.cells[0].status, CELL_SUPPRESSED);
    assert_int_equal(t.cells[1].status, CELL_PERTURBED);
    assert_int_equal(t.cells[1].published, 11);
    assert_int_equal(t.cells[2].status, CELL_SUPPRESSED);
    assert_int_equal(t.cells[3].published, 30);
    assert_int_equal(t.cells[4].published, 49);
    assert_int_equal(st.suppressed, 2);
    assert_int_equal(st.secondary, 0); /* the noise protects, as ONS's */
    /* outside a table: the same order */
    assert_int_equal(disclosure_publish_count(&dp, &pt, 11, 1), COUNT_WITHHELD);
    assert_int_equal(disclosure_publish_count(&dp, &pt, 8, 2), 11);
    assert_int_equal(disclosure_publish_count(&dp, &pt, 0, 0), COUNT_WITHHELD);
    /* min_count 1: nothing hidden, zeros published as 0 */
    dp.suppress_hi = 0;
    assert_int_equal(disclosure_protect(&t, &dp, &pt, 1, &st, &d), 0);
    assert_int_equal(t.cells[0].published, 8);
    assert_int_equal(t.cells[2].published, 0);
    assert_int_equal(st.suppressed, 0);
    table_release(&t);
}

/* Structural zeros: [z], never hidden or counted as primary, known to the
 * attacker as 0 -- so a cell beside them needs its protection from the
 * rest, and a margin of nothing but [z] is [z] too. */
static void
test_structural_zeros(void **state)
{
    static const uint32_t dims[2] = {3, 2};
    static const uint8_t impossible[6] = {0, 0, 0, 0, 1, 1};
    struct count_table t;
    struct disclosure_plan dp;
    struct disclosure_stats st;
    struct published_table pub;
    struct diag d;
    size_t i;

    (void)state;
    make(&t, 1, 2, dims);
    /* rows a0, a1 possible; a2 impossible (both its cells) */
    t.cells[0].count = 3;
    t.cells[1].count = 40;
    t.cells[2].count = 25;
    t.cells[3].count = 31;
    table_fill_margins(&t);
    assert_int_equal(table_mark_structural(&t, impossible), 0);
    /* the a2 margin (cell 6 + 2 = 8) is structural, the b margins not */
    assert_int_equal(t.structural[4], 1);
    assert_int_equal(t.structural[5], 1);
    assert_int_equal(t.structural[8], 1);
    assert_int_equal(t.structural[9], 0);
    plan_init(&dp);
    dp.rounding = 1;
    dp.protect_zeros = 1; /* a [z] is no zero to protect */
    assert_int_equal(disclosure_protect(&t, &dp, NULL, 1, &st, &d), 0);
    assert_int_equal(st.structural, 3);
    for (i = 4; i <= 5; i++)
        assert_int_equal(t.cells[i].status, CELL_STRUCTURAL);
    assert_int_equal(t.cells[8].status, CELL_STRUCTURAL);
    /* with a2 known to be 0, the 3 needs a full rectangle in a0, a1 */
    assert_int_equal(t.cells[0].status, CELL_SUPPRESSED);
    assert_safe(&t, &dp);
    {
        double lo, hi;

        assert_int_equal(disclosure_attack(&t, &dp, 0, 4, &lo, &hi), 0);
        assert_true(lo == 0 && hi == 0);
    }
    assert_int_equal(disclosure_publish(&t, &pub), 0);
    assert_int_equal(pub.cells[4].symbol, PUB_STRUCTURAL);
    assert_string_equal(published_symbol_text(&pub.cells[4]), "[z]");
    assert_false(published_hidden(&pub.cells[4]));
    assert_int_equal(pub.cells[0].symbol, PUB_CONFIDENTIAL);
    assert_false(published_cell_is_margin(&pub, &pub.cells[3]));
    assert_true(published_cell_is_margin(&pub, &pub.cells[6]));
    assert_true(published_cell_is_margin(&pub, &pub.cells[10]));
    published_table_release(&pub);
    table_release(&t);
}

/* tau-ARGUS's protection interval (protection_lower/upper, counts or a
 * percentage): on random small tables every primary cell's attacker range
 * reaches x - lower and x + upper, with the exact program and with the
 * heuristic, and the audit agrees. */
static void
test_protection_interval(void **state)
{
    uint64_t s = 4242;
    int round;

    (void)state;
    for (round = 0; round < 120; round++) {
        uint32_t dims[3] = {2 + (uint32_t)(round % 3), 3, 2};
        size_t nby = 2 + (size_t)(round % 2), i;
        struct count_table t;
        struct disclosure_plan dp;
        struct disclosure_stats st;
        struct diag d;
        int p;
        size_t weak;

        plan_init(&dp);
        dp.rounding = round % 4 ? 1 : 5;
        dp.protection_lower = round % 3 ? 3 : 50;
        dp.protection_lower_pct = round % 3 == 0;
        dp.protection_upper = round % 5 ? 6 : 100;
        dp.protection_upper_pct = round % 5 == 0;
        make(&t, 1, nby, dims);
        for (i = 0; i < t.ninterior; i++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            t.cells[i].count = (int64_t)((s >> 33) % 40);
        }
        table_fill_margins(&t);
        disclosure_exact_cells = round % 2 ? SECONDARY_EXACT_CELLS : 0;
        assert_int_equal(disclosure_protect(&t, &dp, NULL, 1, &st, &d), 0);
        for (i = 0; i < t.ncells_per_period; i++) {
            double lo, hi, x = (double)t.cells[i].count, down, up;

            if (t.cells[i].status != CELL_SUPPRESSED)
                continue;
            down = dp.protection_lower_pct
                       ? ceil(x * dp.protection_lower / 100.0 - 1e-9)
                       : dp.protection_lower;
            if (down > x)
                down = x;
            up = dp.protection_upper_pct
                     ? ceil(x * dp.protection_upper / 100.0 - 1e-9)
                     : dp.protection_upper;
            assert_int_equal(disclosure_attack(&t, &dp, 0, i, &lo, &hi), 0);
            if (lo > x - down + 1e-6 || (hi >= 0 && hi < x + up - 1e-6))
                fail_msg("round %d cell %zu (count %g): range [%g, %g], "
                         "needs %g and %g", round, i, x, lo, hi, x - down,
                         x + up);
        }
        assert_int_equal(disclosure_audit(&t, &dp, 2, &p, &weak), 0);
        assert_int_equal(p, -1);
        table_release(&t);
    }
    disclosure_exact_cells = SECONDARY_EXACT_CELLS;
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
        cmocka_unit_test(test_rounded_intervals),
        cmocka_unit_test(test_rounded_intervals_brute_force),
        cmocka_unit_test(test_audit_threads),
        cmocka_unit_test(test_nhs_preset),
        cmocka_unit_test(test_ptable_ons_layout_and_cycle),
        cmocka_unit_test(test_ptable_cycle_rule),
        cmocka_unit_test(test_cellkey_perturb_then_threshold),
        cmocka_unit_test(test_structural_zeros),
        cmocka_unit_test(test_protection_interval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
