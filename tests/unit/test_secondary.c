/*
 * Secondary suppression against the exact optimum: 200 random two- and
 * three-way tables (suppress 1-9, protection level 9), each at rounding 1
 * and 5, protected by disclosure_protect() -- the code `cohort protect`
 * and the nightly job run -- and solved again here by brute force: a
 * branch and bound over every set of further cells to hide (not empty
 * ones, which secondary.c does not use), cheapest first, looking for any
 * set cheaper than cohort's, whose feasibility test is an attacker
 * written here (GLPK, the relations rebuilt from the coordinates,
 * published values as the intervals the rule leaves), so it shares no
 * code with the one it checks. The hidden cells and hidden value (primary cells included) of
 * cohort's pattern must be within 1.05 times the optimum's on average and
 * 1.2 times at worst; the heuristic alone (the exact program off) is
 * measured too and printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glpk.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../anonymise/disclosure.h"
#include "../../anonymise/secondary.h"

#define MAXC 64

static char *lab[3][6] = {
    {"a0", "a1", "a2", "a3", "a4", "a5"},
    {"b0", "b1", "b2", "b3", "b4", "b5"},
    {"c0", "c1", "c2", "c3", "c4", "c5"},
};

/* ---- the independent attacker --------------------------------------- */

struct bf {
    size_t n;
    int64_t count[MAXC];
    int primary[MAXC];
    double cost[MAXC];
    int rounding;
    /* relations: rel[r][0] the total, the rest its parts */
    size_t nrel, relsize[3 * 8], rel[3 * 8][MAXC];
    long lps;
};

/* Relations from coordinates: a margin of dimension j is the sum of the
 * interior cells with its value; the total the sum of each dimension's
 * margins (with one dimension, of the interior). */
static void
bf_relations(struct bf *b, const struct count_table *t)
{
    size_t i, j, k, v;
    const struct table_cell *c = t->cells;

    b->nrel = 0;
    for (k = 0; k < t->ncells_per_period; k++) {
        size_t tot = 0;

        for (j = 0; j < t->nby; j++)
            tot += c[k].coord[j] == COORD_TOTAL;
        if (tot == 0)
            continue;
        if (tot == t->nby && t->nby > 1) {
            /* the grand total over each dimension's margins */
            for (j = 0; j < t->nby; j++) {
                size_t r = b->nrel++;

                b->rel[r][0] = k;
                b->relsize[r] = 1;
                for (i = 0; i < t->ncells_per_period; i++) {
                    size_t q, others = 0;

                    for (q = 0; q < t->nby; q++)
                        others += q != j && c[i].coord[q] == COORD_TOTAL;
                    if (c[i].coord[j] != COORD_TOTAL && others == t->nby - 1)
                        b->rel[r][b->relsize[r]++] = i;
                }
            }
            continue;
        }
        /* a one-way margin (or the total of one dimension) */
        {
            size_t r = b->nrel++;

            b->rel[r][0] = k;
            b->relsize[r] = 1;
            for (i = 0; i < t->ninterior; i++) {
                int in = 1;

                for (v = 0; v < t->nby; v++)
                    if (c[k].coord[v] != COORD_TOTAL &&
                        c[i].coord[v] != c[k].coord[v])
                        in = 0;
                if (in)
                    b->rel[r][b->relsize[r]++] = i;
            }
        }
    }
}

/* The counts a published cell of count v stands for under suppress 1-9
 * and rounding b (exact when the rule would split the interval). */
static void
bf_interval(int64_t v, int b, double *lo, double *hi)
{
    int64_t r, a, z;

    *lo = *hi = (double)v;
    if (b <= 1)
        return;
    r = (v + b / 2) / b * b;
    a = r - b / 2;
    z = a + b - 1;
    if (a < 0)
        a = 0;
    if (a >= 1 && a <= 9)
        a = 10;
    if (z >= 1 && z <= 9)
        z = 0;
    if (a > z || a > v || z < v || (a < 1 && z > 9))
        return;
    *lo = (double)a;
    *hi = (double)z;
}

/* 1 when hiding the cells of mask protects every primary cell. */
static int
bf_safe(struct bf *b, const int *hidden)
{
    glp_prob *lp = glp_create_prob();
    glp_smcp parm;
    int ia[1 + 3 * 8 * MAXC], ja[1 + 3 * 8 * MAXC], nnz = 0, ok = 1;
    double ar[1 + 3 * 8 * MAXC];
    size_t i, r, m;

    glp_add_cols(lp, (int)b->n);
    for (i = 0; i < b->n; i++) {
        double lo, hi;

        if (hidden[i]) {
            glp_set_col_bnds(lp, (int)i + 1, GLP_LO, 0.0, 0.0);
            continue;
        }
        bf_interval(b->count[i], b->rounding, &lo, &hi);
        glp_set_col_bnds(lp, (int)i + 1, lo == hi ? GLP_FX : GLP_DB, lo, hi);
    }
    glp_add_rows(lp, (int)b->nrel);
    for (r = 0; r < b->nrel; r++) {
        glp_set_row_bnds(lp, (int)r + 1, GLP_FX, 0.0, 0.0);
        for (m = 0; m < b->relsize[r]; m++) {
            nnz++;
            ia[nnz] = (int)r + 1;
            ja[nnz] = (int)b->rel[r][m] + 1;
            ar[nnz] = m == 0 ? 1.0 : -1.0;
        }
    }
    glp_load_matrix(lp, nnz, ia, ja, ar);
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    for (i = 0; i < b->n && ok; i++) {
        double lo, hi;

        if (!b->primary[i])
            continue;
        glp_set_obj_coef(lp, (int)i + 1, 1.0);
        glp_set_obj_dir(lp, GLP_MIN);
        assert_int_equal(glp_simplex(lp, &parm), 0);
        lo = glp_get_obj_val(lp);
        glp_set_obj_dir(lp, GLP_MAX);
        assert_int_equal(glp_simplex(lp, &parm), 0);
        hi = glp_get_status(lp) == GLP_UNBND ? HUGE_VAL : glp_get_obj_val(lp);
        glp_set_obj_coef(lp, (int)i + 1, 0.0);
        b->lps += 2;
        ok = hi - lo >= 9.0 - 1e-6;
    }
    glp_delete_prob(lp);
    return ok;
}

/* Branch and bound: order[k..] undecided, cheapest first. */
static void
bf_search(struct bf *b, const size_t *order, size_t nfree, size_t k,
          int *hidden, double cost, double *best, int *best_set)
{
    int all[MAXC];
    size_t i;

    if (cost >= *best - 1e-9)
        return;
    if (bf_safe(b, hidden)) {
        *best = cost;
        memcpy(best_set, hidden, b->n * sizeof(int));
        return;
    }
    if (k == nfree)
        return;
    /* even hiding every undecided cell fails: no completion does */
    memcpy(all, hidden, b->n * sizeof(int));
    for (i = k; i < nfree; i++)
        all[order[i]] = 1;
    if (!bf_safe(b, all))
        return;
    hidden[order[k]] = 1;
    bf_search(b, order, nfree, k + 1, hidden, cost + b->cost[order[k]], best,
              best_set);
    hidden[order[k]] = 0;
    bf_search(b, order, nfree, k + 1, hidden, cost, best, best_set);
}

/* ---- the comparison --------------------------------------------------- */

struct tally {
    double sum_cells, sum_value, worst_cells, worst_value;
    int n;
};

static void
tally_add(struct tally *t, double cells, double value)
{
    t->sum_cells += cells;
    t->sum_value += value;
    if (cells > t->worst_cells)
        t->worst_cells = cells;
    if (value > t->worst_value)
        t->worst_value = value;
    t->n++;
}

static uint64_t rng = 20260518;

static uint64_t
next_rand(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return rng >> 33;
}

static void
test_against_brute_force(void **state)
{
    struct tally cohort = {0}, heur = {0};
    long lps = 0;
    int table, exact_periods = 0;

    (void)state;
    glp_term_out(GLP_OFF);
    for (table = 0; table < 200; table++) {
        uint32_t dims[3];
        size_t nby = table % 2 ? 3 : 2, i, j;
        char *const *labels[3] = {lab[0], lab[1], lab[2]};
        struct count_table t;
        int r;

        /* 2 x 2 to 4 x 3 and 2 x 2 x 2 to 3 x 2 x 2: at most 20 cells
         * with the margins, so the brute force stays quick */
        for (j = 0; j < nby; j++)
            dims[j] = nby == 2 ? 2 + (uint32_t)(next_rand() % 3)
                               : 2 + (uint32_t)(next_rand() % 2);
        if (nby == 2 && dims[0] == 4 && dims[1] == 4)
            dims[1] = 3;
        if (nby == 3 && dims[0] + dims[1] + dims[2] > 7)
            dims[2] = dims[1] = 2;
        assert_int_equal(table_init(&t, 1, nby, dims, labels), 0);
        assert_true(t.ncells_per_period <= MAXC);
        for (i = 0; i < t.ninterior; i++) {
            uint64_t u = next_rand() % 100, spread, v;

            /* one call a statement: the order of two calls in one
             * expression is the compiler's, and the tables would differ
             * from one build to another */
            if (u < 15) {
                t.cells[i].count = 0;
            } else if (u < 45) {
                t.cells[i].count = 1 + (int64_t)(next_rand() % 9);
            } else {
                spread = next_rand() % 2 ? 30 : 300;
                v = next_rand();
                t.cells[i].count = 10 + (int64_t)(v % spread);
            }
        }
        table_fill_margins(&t);
        for (r = 1; r <= 5; r += 4) {
            struct disclosure_plan dp;
            struct disclosure_stats st;
            struct diag d;
            struct bf b;
            size_t order[MAXC], nfree = 0;
            int hidden[MAXC] = {0}, best_set[MAXC] = {0}, pass;
            double best = HUGE_VAL, opt_cells = 0, opt_value = 0;

            memset(&dp, 0, sizeof(dp));
            dp.suppress_lo = 1;
            dp.suppress_hi = 9;
            dp.rounding = r;
            dp.protection_level = 9;
            memset(&b, 0, sizeof(b));
            b.n = t.ncells_per_period;
            b.rounding = r;
            bf_relations(&b, &t);
            for (i = 0; i < b.n; i++) {
                b.count[i] = t.cells[i].count;
                b.primary[i] = b.count[i] >= 1 && b.count[i] <= 9;
                b.cost[i] = secondary_cell_cost(t.cells, b.n, i, COST_VALUE);
                hidden[i] = b.primary[i];
                /* empty cells protect no other (secondary.c) */
                if (!b.primary[i] && b.count[i] > 0)
                    order[nfree++] = i;
            }
            /* cheapest first (insertion sort) */
            for (i = 1; i < nfree; i++) {
                size_t x = order[i], k = i;

                while (k > 0 && b.cost[order[k - 1]] > b.cost[x]) {
                    order[k] = order[k - 1];
                    k--;
                }
                order[k] = x;
            }
            for (pass = 0; pass < 2; pass++) {
                double cells = 0, value = 0, cost = 0;

                disclosure_exact_cells = pass == 0 ? SECONDARY_EXACT_CELLS : 0;
                if (disclosure_protect(&t, &dp, NULL, 1, &st, &d) != 0)
                    fail_msg("table %d rounding %d pass %d: %s", table, r, pass,
                             d.msg);
                for (i = 0; i < b.n; i++) {
                    int h = t.cells[i].status == CELL_SUPPRESSED ||
                            t.cells[i].status == CELL_SECONDARY;

                    hidden[i] = h;
                    if (!h)
                        continue;
                    cells += 1;
                    value += (double)b.count[i];
                    if (!b.primary[i])
                        cost += b.cost[i];
                }
                /* whatever cohort hid, the attacker here cannot narrow it */
                if (!bf_safe(&b, hidden))
                    fail_msg("table %d rounding %d pass %d: the pattern is "
                             "not safe",
                             table, r, pass);
                if (pass == 0) {
                    /* the optimum: cohort's pattern, unless the search
                     * finds a cheaper one */
                    best = cost + 1e-9;
                    memcpy(best_set, hidden, sizeof(best_set));
                    for (i = 0; i < b.n; i++)
                        hidden[i] = b.primary[i];
                    bf_search(&b, order, nfree, 0, hidden, 0.0, &best,
                              best_set);
                    lps += b.lps;
                    for (i = 0; i < b.n; i++)
                        if (best_set[i]) {
                            opt_cells += 1;
                            opt_value += (double)b.count[i];
                        }
                    best -= 1e-9;
                }
                if (cost < best - 1e-6)
                    fail_msg("table %d rounding %d pass %d: cost %g below "
                             "the optimum %g",
                             table, r, pass, cost, best);
                if (pass == 0)
                    exact_periods += (int)st.exact_periods;
                tally_add(pass == 0 ? &cohort : &heur,
                          opt_cells > 0 ? cells / opt_cells : 1.0,
                          opt_value > 0 ? value / opt_value : 1.0);
            }
        }
        table_release(&t);
    }
    disclosure_exact_cells = SECONDARY_EXACT_CELLS;
    print_message("brute force: %d comparisons, %ld attacker programs\n",
                  cohort.n, lps);
    print_message("cohort protect: hidden cells %.3fx the optimum on average "
                  "(worst %.3fx), hidden value %.3fx (worst %.3fx); %d of %d "
                  "proven optimal\n",
                  cohort.sum_cells / cohort.n, cohort.worst_cells,
                  cohort.sum_value / cohort.n, cohort.worst_value,
                  exact_periods, cohort.n);
    print_message("heuristic alone: hidden cells %.3fx (worst %.3fx), hidden "
                  "value %.3fx (worst %.3fx)\n",
                  heur.sum_cells / heur.n, heur.worst_cells,
                  heur.sum_value / heur.n, heur.worst_value);
    assert_int_equal(cohort.n, 400);
    assert_true(cohort.sum_cells / cohort.n <= 1.05);
    assert_true(cohort.sum_value / cohort.n <= 1.05);
    assert_true(cohort.worst_cells <= 1.2);
    assert_true(cohort.worst_value <= 1.2);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_brute_force),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
