#include "secondary.h"
#include "hypercube.h"

#include <glpk.h>
#include <limits.h>
#include <math.h>
#include <string.h>

/* Branch-and-bound nodes and cut rounds before the exact program gives
 * way to the heuristic: bounds on work, not on time, so the answer never
 * depends on the machine. */
#define EXACT_MAX_NODES 20000
#define EXACT_LP_ROUNDS 60
#define EXACT_MIP_ROUNDS 200

#define EPS 1e-6

double
secondary_cell_cost(const struct table_cell *c, size_t n, size_t i,
                    enum suppression_cost cost)
{
    double total = 0.0, a = (double)c[i].count;
    size_t k;

    switch (cost) {
    case COST_CELLS:
        /* one a cell; less value first among patterns of as many cells */
        for (k = 0; k < n; k++)
            total += (double)c[k].count;
        return 1.0 + a / (total + 1.0);
    case COST_LOG_VALUE:
        return log1p(a) + 1.0 / ((double)n + 1.0);
    case COST_VALUE:
    default:
        /* fewer cells first among patterns of equal value */
        return a + 1.0 / ((double)n + 1.0);
    }
}

static int
is_struct(const struct secondary_period *s, size_t i)
{
    return s->c[i].status == CELL_STRUCTURAL;
}

/* An empty cell is free by value, but it can only move up, and a [c]
 * that the published figures pin to a few counts above 0 reads to anyone
 * like a small count narrowed: the doubt a hidden cell should leave is
 * not there. */
int
secondary_candidate(const struct secondary_period *s, size_t i)
{
    return s->c[i].status == CELL_OK &&
           (s->c[i].count > 0 || s->am->protect_zeros);
}

/* ---- the exact program ------------------------------------------------ */

struct exact {
    struct secondary_period *s;
    glp_prob *master;
    struct attack_lp sub;
    double *x;         /* the pattern being separated */
    double *dup, *ddn; /* reduced costs of the two directions */
    int *ind;          /* cut row, 1-based */
    double *val;
    int nodes_hit; /* the node limit stopped the search */
};

/* The attacker's bounds on cell i when it is hidden to the extent x. */
static void
exact_bounds(const struct secondary_period *s, size_t i, double x, double *lo,
             double *hi)
{
    double hlo = -(double)s->c[i].count, hhi = s->cap - (double)s->c[i].count;

    *lo = s->plo[i] + x * (hlo - s->plo[i]);
    *hi = s->phi[i] + x * (hhi - s->phi[i]);
}

/*
 * Adds to coef[] and *konst the terms of one direction's dual bound:
 * sum max(d,0) hi_i(x) - min(d,0) lo_i(x) = konst + sum coef_i x_i.
 */
static void
cut_terms(const struct secondary_period *s, const double *d, double *coef,
          double *konst)
{
    size_t i;

    for (i = 0; i < s->n; i++) {
        double al = d[i] > 0 ? d[i] : 0.0, be = d[i] < 0 ? -d[i] : 0.0;
        double hlo = -(double)s->c[i].count,
               hhi = s->cap - (double)s->c[i].count;

        if (is_struct(s, i) || (al == 0.0 && be == 0.0))
            continue;
        *konst += al * s->phi[i] - be * s->plo[i];
        coef[i] += al * (hhi - s->phi[i]) + be * (s->plo[i] - hlo);
    }
}

/* Adds the cut konst + sum coef_i x_i >= need to the master, primaries'
 * x fixed at 1; scaled to a right-hand side of 1 with coefficients at
 * most 1 (as the x are 0 or 1, a larger one says no more). */
static void
add_cut(struct exact *e, const double *coef, double konst, double need)
{
    struct secondary_period *s = e->s;
    double rhs = need - konst;
    size_t i;
    int k = 0, row;

    for (i = 0; i < s->n; i++)
        if (s->c[i].status == CELL_SUPPRESSED)
            rhs -= coef[i];
    if (rhs <= EPS)
        return;
    for (i = 0; i < s->n; i++) {
        double v;

        if (!secondary_candidate(s, i) || coef[i] <= 0.0)
            continue;
        v = coef[i] / rhs;
        if (v < 1e-9)
            continue;
        k++;
        e->ind[k] = (int)i + 1;
        e->val[k] = v > 1.0 ? 1.0 : v;
    }
    row = glp_add_rows(e->master, 1);
    glp_set_row_bnds(e->master, row, GLP_LO, 1.0, 0.0);
    glp_set_mat_row(e->master, row, k, e->ind, e->val);
}

/* Cuts for every primary cell the pattern e->x leaves short: the number
 * added, or a negative error. */
static int
separate(struct exact *e, double *coef)
{
    struct secondary_period *s = e->s;
    size_t i, k;
    int added = 0, rc;

    for (i = 0; i < s->n; i++) {
        double lo, hi;

        if (is_struct(s, i))
            continue;
        exact_bounds(s, i, e->x[i], &lo, &hi);
        attack_lp_set(&e->sub, s->r, i, lo, hi);
    }
    for (k = 0; k < s->np; k++) {
        size_t p = s->prim[k];
        double up, dn, need_dn, need_up, width, konst;

        if ((rc = attack_lp_extreme(&e->sub, s->r, p, +1, &up, e->dup, NULL)) <
                0 ||
            (rc = attack_lp_extreme(&e->sub, s->r, p, -1, &dn, e->ddn, NULL)) <
                0)
            return rc;
        if (up >= HUGE_VAL || dn >= HUGE_VAL)
            return CE_INTERNAL; /* the cap bounds every deviation */
        audit_requirement(s->am, s->c[p].count, &need_dn, &need_up, &width);
        if (width > 0) {
            if (up + dn >= width - EPS)
                continue;
            memset(coef, 0, s->n * sizeof(*coef));
            konst = 0.0;
            cut_terms(s, e->dup, coef, &konst);
            cut_terms(s, e->ddn, coef, &konst);
            add_cut(e, coef, konst, width);
            added++;
            continue;
        }
        if (up < need_up - EPS) {
            memset(coef, 0, s->n * sizeof(*coef));
            konst = 0.0;
            cut_terms(s, e->dup, coef, &konst);
            add_cut(e, coef, konst, need_up);
            added++;
        }
        if (dn < need_dn - EPS) {
            memset(coef, 0, s->n * sizeof(*coef));
            konst = 0.0;
            cut_terms(s, e->ddn, coef, &konst);
            add_cut(e, coef, konst, need_dn);
            added++;
        }
    }
    return added;
}

static void
node_limit(glp_tree *tree, void *info)
{
    struct exact *e = info;
    int t_cnt;

    if (glp_ios_reason(tree) != GLP_ISELECT)
        return;
    glp_ios_tree_size(tree, NULL, NULL, &t_cnt);
    if (t_cnt > EXACT_MAX_NODES) {
        e->nodes_hit = 1;
        glp_ios_terminate(tree);
    }
}

/* The exact program; *solved = 1 with the optimum marked in s->c, or 0
 * when a work limit stopped it (nothing marked). */
static int
exact_solve(struct secondary_period *s, int *solved)
{
    struct exact e;
    double *zlo, *zhi, *coef;
    size_t i;
    int rc = 0, round, added;

    *solved = 0;
    memset(&e, 0, sizeof(e));
    e.s = s;
    zlo = glp_alloc((int)s->n, sizeof(double));
    zhi = glp_alloc((int)s->n, sizeof(double));
    coef = glp_alloc((int)s->n, sizeof(double));
    e.x = glp_alloc((int)s->n, sizeof(double));
    e.dup = glp_alloc((int)s->n, sizeof(double));
    e.ddn = glp_alloc((int)s->n, sizeof(double));
    e.ind = glp_alloc((int)s->n + 1, sizeof(int));
    e.val = glp_alloc((int)s->n + 1, sizeof(double));
    e.master = glp_create_prob();
    glp_set_obj_dir(e.master, GLP_MIN);
    glp_add_cols(e.master, (int)s->n);
    for (i = 0; i < s->n; i++) {
        int col = (int)i + 1;

        e.x[i] = s->c[i].status == CELL_SUPPRESSED ? 1.0 : 0.0;
        if (secondary_candidate(s, i)) {
            glp_set_col_bnds(e.master, col, GLP_DB, 0.0, 1.0);
            glp_set_obj_coef(e.master, col, s->w[i]);
        } else {
            glp_set_col_bnds(e.master, col, GLP_FX, e.x[i], e.x[i]);
        }
        if (is_struct(s, i))
            zlo[i] = zhi[i] = 0.0;
        else
            exact_bounds(s, i, e.x[i], &zlo[i], &zhi[i]);
    }
    if ((rc = attack_lp_build(&e.sub, s->r, s->n, zlo, zhi, 1)) < 0)
        goto out;

    /* the LP relaxation, cut until no fractional pattern is short */
    for (round = 0; round < EXACT_LP_ROUNDS; round++) {
        glp_smcp sp;

        if ((added = separate(&e, coef)) < 0) {
            rc = added;
            goto out;
        }
        if (added == 0)
            break;
        glp_init_smcp(&sp);
        sp.msg_lev = GLP_MSG_OFF;
        if (glp_simplex(e.master, &sp) != 0 ||
            glp_get_status(e.master) != GLP_OPT)
            goto out; /* not solved: the heuristic answers */
        for (i = 0; i < s->n; i++)
            e.x[i] = glp_get_col_prim(e.master, (int)i + 1);
    }

    /* then the integer program, cut until its optimum is short nowhere */
    for (i = 0; i < s->n; i++)
        if (secondary_candidate(s, i))
            glp_set_col_kind(e.master, (int)i + 1, GLP_BV);
    for (round = 0; round < EXACT_MIP_ROUNDS; round++) {
        glp_iocp ip;
        int ret;

        glp_init_iocp(&ip);
        ip.msg_lev = GLP_MSG_OFF;
        ip.presolve = GLP_ON;
        ip.cov_cuts = GLP_ON;
        ip.cb_func = node_limit;
        ip.cb_info = &e;
        ret = glp_intopt(e.master, &ip);
        if (e.nodes_hit || ret != 0 || glp_mip_status(e.master) != GLP_OPT)
            goto out; /* not solved: the heuristic answers */
        for (i = 0; i < s->n; i++)
            e.x[i] = glp_mip_col_val(e.master, (int)i + 1) > 0.5 ? 1.0 : 0.0;
        if ((added = separate(&e, coef)) < 0) {
            rc = added;
            goto out;
        }
        if (added == 0) {
            for (i = 0; i < s->n; i++)
                if (secondary_candidate(s, i) && e.x[i] > 0.5)
                    s->c[i].status = CELL_SECONDARY;
            *solved = 1;
            break;
        }
    }
out:
    attack_lp_release(&e.sub);
    glp_delete_prob(e.master);
    glp_free(zlo);
    glp_free(zhi);
    glp_free(coef);
    glp_free(e.x);
    glp_free(e.dup);
    glp_free(e.ddn);
    glp_free(e.ind);
    glp_free(e.val);
    return rc;
}

int64_t
secondary_suppress(const struct count_table *t, const struct relations *r,
                   struct table_cell *c, const struct attacker *am,
                   enum suppression_cost cost, size_t exact_max, int *exact)
{
    struct secondary_period s;
    size_t i;
    int64_t added = 0;
    int rc = 0, solved = 0;
    double total = 0.0;

    *exact = 0;
    memset(&s, 0, sizeof(s));
    s.t = t;
    s.r = r;
    s.c = c;
    s.am = am;
    s.n = t->ncells_per_period;
    if (s.n == 0 || s.n >= INT_MAX / 2)
        return CE_INTERNAL;
    s.prim = glp_alloc((int)s.n, sizeof(size_t));
    for (i = 0; i < s.n; i++) {
        if (c[i].status == CELL_SUPPRESSED)
            s.prim[s.np++] = i;
        if (c[i].count > 0)
            total += (double)c[i].count;
    }
    if (s.np == 0 || r->n == 0) {
        glp_free(s.prim);
        *exact = 1;
        return 0;
    }
    s.w = glp_alloc((int)s.n, sizeof(double));
    s.plo = glp_alloc((int)s.n, sizeof(double));
    s.phi = glp_alloc((int)s.n, sizeof(double));
    for (i = 0; i < s.n; i++) {
        s.w[i] = secondary_cell_cost(c, s.n, i, cost);
        audit_cell_bounds(am, c[i].count, CELL_OK, &s.plo[i], &s.phi[i]);
    }
    /* no cell exceeds the grand total, so a bound above every count
     * anyone could publish tells the attacker nothing while the total
     * is published, and only more when it is hidden (the safe side) */
    s.cap = 2.0 * total + 2.0 * (am->level + am->upper + am->rounding) + 10.0;

    if (s.n <= exact_max) {
        if ((rc = exact_solve(&s, &solved)) < 0)
            goto out;
        if (solved) {
            size_t weak;

            /* the optimum against the attacker without the cap */
            if ((rc = audit_first_weak(t, r, c, am, 0, &weak)) < 0)
                goto out;
            if (weak == (size_t)-1) {
                *exact = 1;
                goto count;
            }
        }
    }
    if ((rc = hypercube_suppress(&s)) < 0)
        goto out;
count:
    added = 0;
    for (i = 0; i < s.n; i++)
        added += c[i].status == CELL_SECONDARY;
out:
    glp_free(s.prim);
    glp_free(s.w);
    glp_free(s.plo);
    glp_free(s.phi);
    return rc < 0 ? rc : added;
}
