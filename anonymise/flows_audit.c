/*
 * flows_audit.c - a forecast cohort's tables audited together across
 * their identities (flows_audit.h).
 */
#include "flows_audit.h"
#include "audit.h"

#include <glpk.h>
#include <stdlib.h>
#include <string.h>

/* The figures of one month, in this order: persons, entries, exits, then
 * persons and exits per months-in-cohort band. */
enum { FIG_P, FIG_N, FIG_E, FIG_D0 };

struct flows {
    struct count_table *n, *e;
    const struct count_table *p;
    int months;       /* periods */
    int nd;           /* months-in-cohort bands */
    int nf;           /* figures a month: 3 + 2 nd */
    struct attacker am;
};

/* The cell of period `per` whose coordinates are all Total but dimension
 * dim at v (dim -1: the grand total); NULL when there is none. */
static struct table_cell *
cell_at(const struct count_table *t, int per, int dim, uint32_t v)
{
    struct table_cell *c = t->cells + (size_t)per * t->ncells_per_period;
    size_t i, j;

    if (t->nby == 0)
        return dim < 0 ? c : NULL;
    for (i = 0; i < t->ncells_per_period; i++) {
        for (j = 0; j < t->nby; j++)
            if (c[i].coord[j] != ((int)j == dim ? v : COORD_TOTAL))
                break;
        if (j == t->nby)
            return &c[i];
    }
    return NULL;
}

/* Figure f of month per as a cell of its table. */
static const struct table_cell *
figure(const struct flows *fl, int per, int f)
{
    int dd = (int)fl->p->nby - 1; /* the months-in-cohort column */

    switch (f) {
    case FIG_P:
        return cell_at(fl->p, per, -1, 0);
    case FIG_N:
        return cell_at(fl->n, per, -1, 0);
    case FIG_E:
        return cell_at(fl->e, per, -1, 0);
    default:
        f -= FIG_D0;
        return f < fl->nd ? cell_at(fl->p, per, dd, (uint32_t)f)
                          : cell_at(fl->e, per, dd, (uint32_t)(f - fl->nd));
    }
}

/* Column (1-based) of figure f of month per. */
static int
col(const struct flows *fl, int per, int f)
{
    return per * fl->nf + f + 1;
}

/* Appends one coefficient of row `row`. */
static void
coef(int *ia, int *ja, double *ar, int *k, int row, int column, double v)
{
    (*k)++;
    ia[*k] = row;
    ja[*k] = column;
    ar[*k] = v;
}

/* The identities of month per (the one that looks back needs per >= 1)
 * as rows from *row on; returns the coefficients' count in *k. */
static void
identities(glp_prob *lp, const struct flows *fl, int per, int *row, int *ia,
           int *ja, double *ar, int *k)
{
    int d, band;

    /* P(t) = sum Dd(t); E(t) = sum Ed(t) */
    for (band = 0; band < 2; band++) {
        glp_add_rows(lp, 1);
        glp_set_row_bnds(lp, ++*row, GLP_FX, 0.0, 0.0);
        coef(ia, ja, ar, k, *row, col(fl, per, band ? FIG_E : FIG_P), 1.0);
        for (d = 0; d < fl->nd; d++)
            coef(ia, ja, ar, k, *row,
                 col(fl, per, FIG_D0 + d + (band ? fl->nd : 0)), -1.0);
    }
    if (per == 0)
        return;
    /* P(t) - P(t-1) + E(t-1) - N(t) = 0 */
    glp_add_rows(lp, 1);
    glp_set_row_bnds(lp, ++*row, GLP_FX, 0.0, 0.0);
    coef(ia, ja, ar, k, *row, col(fl, per, FIG_P), 1.0);
    coef(ia, ja, ar, k, *row, col(fl, per - 1, FIG_P), -1.0);
    coef(ia, ja, ar, k, *row, col(fl, per - 1, FIG_E), 1.0);
    coef(ia, ja, ar, k, *row, col(fl, per, FIG_N), -1.0);
}

/* The attacker's program over every figure of every month. */
static glp_prob *
build(const struct flows *fl)
{
    int ncols = fl->months * fl->nf, per, f, row = 0, k = 0;
    int cap = fl->months * (3 * (fl->nd + 2) + 16) + 1;
    int *ia = glp_alloc(cap, sizeof(int)), *ja = glp_alloc(cap, sizeof(int));
    double *ar = glp_alloc(cap, sizeof(double));
    glp_prob *lp = glp_create_prob();

    glp_add_cols(lp, ncols);
    for (per = 0; per < fl->months; per++) {
        for (f = 0; f < fl->nf; f++) {
            const struct table_cell *c = figure(fl, per, f);
            int64_t lo, hi;

            if (!c || audit_hidden(c)) {
                glp_set_col_bnds(lp, col(fl, per, f), GLP_LO, 0.0, 0.0);
                continue;
            }
            audit_published_bounds(&fl->am, c->count, &lo, &hi);
            glp_set_col_bnds(lp, col(fl, per, f), lo == hi ? GLP_FX : GLP_DB,
                             (double)lo, (double)hi);
        }
        identities(lp, fl, per, &row, ia, ja, ar, &k);
    }
    glp_load_matrix(lp, k, ia, ja, ar);
    glp_free(ia);
    glp_free(ja);
    glp_free(ar);
    return lp;
}

/* The attacker's min (GLP_MIN) or max of column j; -1 for no bound. */
static int
solve(glp_prob *lp, int j, int dir, double *out)
{
    glp_smcp parm;
    int i, n = glp_get_num_cols(lp);

    for (i = 1; i <= n; i++)
        glp_set_obj_coef(lp, i, i == j ? 1.0 : 0.0);
    glp_set_obj_dir(lp, dir);
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    if (glp_simplex(lp, &parm) != 0) {
        glp_adv_basis(lp, 0);
        if (glp_simplex(lp, &parm) != 0)
            return CE_INTERNAL;
    }
    if (glp_get_status(lp) == GLP_UNBND) {
        *out = -1;
        return 0;
    }
    if (glp_get_status(lp) != GLP_OPT)
        return CE_INTERNAL;
    *out = glp_get_obj_val(lp);
    return 0;
}

struct weak_call {
    const struct flows *fl;
    int from;       /* the figure index (month x nf + f) to start at */
    int weak;       /* out: the first narrow primary figure, or -1 */
};

/* Under audit_glpk_call(): the first primary figure at or after `from`
 * that the attacker narrows below the protection level. */
static int
first_weak(void *arg)
{
    struct weak_call *wc = arg;
    const struct flows *fl = wc->fl;
    glp_prob *lp = build(fl);
    int i, rc = 0;

    wc->weak = -1;
    for (i = wc->from; i < fl->months * fl->nf && wc->weak < 0; i++) {
        const struct table_cell *c = figure(fl, i / fl->nf, i % fl->nf);
        double lo, hi;

        if (!c || c->status != CELL_SUPPRESSED)
            continue;
        if ((rc = solve(lp, i + 1, GLP_MIN, &lo)) < 0 ||
            (rc = solve(lp, i + 1, GLP_MAX, &hi)) < 0)
            break;
        if (hi >= 0 && hi - lo < (double)fl->am.level - 1e-6)
            wc->weak = i;
    }
    glp_delete_prob(lp);
    return rc;
}

/* Hides every shown cell of month per of t; returns how many it hid
 * (0: the month was hidden already, or is not a month of t). */
static uint64_t
hide_month(struct count_table *t, int per)
{
    struct table_cell *c;
    uint64_t n = 0;
    size_t i;

    if (per < 0 || per >= t->nperiods)
        return 0;
    c = t->cells + (size_t)per * t->ncells_per_period;
    for (i = 0; i < t->ncells_per_period; i++)
        if (!audit_hidden(&c[i])) {
            c[i].status = CELL_SECONDARY;
            n++;
        }
    return n;
}

int
flows_protect(struct count_table *entries, struct count_table *exits,
              const struct count_table *persons,
              const struct disclosure_plan *dp, uint64_t hidden[2],
              struct diag *d)
{
    struct flows fl;
    struct weak_call wc;
    int rc;

    if (dp->perturbation == PERTURB_CELLKEY || persons->nby == 0)
        return 0;
    memset(&fl, 0, sizeof(fl));
    fl.n = entries;
    fl.e = exits;
    fl.p = persons;
    fl.months = persons->nperiods;
    fl.nd = (int)persons->dim_n[persons->nby - 1];
    fl.nf = FIG_D0 + 2 * fl.nd;
    audit_attacker_init(&fl.am, dp);
    wc.fl = &fl;
    wc.from = 0;
    for (;;) {
        int per;
        uint64_t n;

        if ((rc = audit_glpk_call(first_weak, &wc)) < 0)
            return rc;
        if (wc.weak < 0)
            return 0;
        /* hiding only widens ranges: the figures before stay safe */
        wc.from = wc.weak;
        per = wc.weak / fl.nf;
        if ((n = hide_month(exits, per)) || (n = hide_month(exits, per - 1)))
            hidden[1] += n;
        else if ((n = hide_month(entries, per)) ||
                 (n = hide_month(entries, per + 1)))
            hidden[0] += n;
        else
            break;
    }
    diag_set(d, NULL, 0, 0, "protection_level",
             "a hidden count of its persons, entries or exits can be "
             "narrowed below the protection level through their identities, "
             "and nothing more can be hidden");
    return CE_DATA;
}
