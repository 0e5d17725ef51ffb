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

/* The three tables, in the order of their columns in the program. */
enum { FT_ENTRIES, FT_EXITS, FT_PERSONS, FT_COUNT };

struct flows {
    const struct count_table *t[FT_COUNT];
    struct relations r[FT_COUNT]; /* each table's own, every period */
    int base[FT_COUNT];           /* columns before the table's first cell */
    int ncols;
    int months;       /* periods */
    int nd;           /* months-in-cohort bands */
    int nf;           /* figures a month: 3 + 2 nd */
    struct attacker am;
};

/* The index in its period of the cell of t whose coordinates are all
 * Total but dimension dim at v (dim -1: the grand total); -1 when there
 * is none. */
static long
cell_at(const struct count_table *t, int dim, uint32_t v)
{
    const struct table_cell *c = t->cells; /* the same in every period */
    size_t i, j;

    if (t->nby == 0)
        return dim < 0 ? 0 : -1;
    for (i = 0; i < t->ncells_per_period; i++) {
        for (j = 0; j < t->nby; j++)
            if (c[i].coord[j] != ((int)j == dim ? v : COORD_TOTAL))
                break;
        if (j == t->nby)
            return (long)i;
    }
    return -1;
}

/* Column (1-based) of cell i of period per of table k. */
static int
cell_col(const struct flows *fl, int k, int per, size_t i)
{
    return fl->base[k] + per * (int)fl->t[k]->ncells_per_period + (int)i + 1;
}

/* Column of figure f of month per; 0 when the tables lack it. */
static int
figure_col(const struct flows *fl, int per, int f)
{
    int dd = (int)fl->t[FT_PERSONS]->nby - 1; /* months in the cohort */
    int k = FT_PERSONS, dim = -1;
    uint32_t v = 0;
    long i;

    switch (f) {
    case FIG_P:
        break;
    case FIG_N:
        k = FT_ENTRIES;
        break;
    case FIG_E:
        k = FT_EXITS;
        break;
    default:
        f -= FIG_D0;
        k = f < fl->nd ? FT_PERSONS : FT_EXITS;
        dim = dd;
        v = (uint32_t)(f < fl->nd ? f : f - fl->nd);
    }
    i = cell_at(fl->t[k], dim, v);
    return i < 0 ? 0 : cell_col(fl, k, per, (size_t)i);
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
        coef(ia, ja, ar, k, *row, figure_col(fl, per, band ? FIG_E : FIG_P),
             1.0);
        for (d = 0; d < fl->nd; d++)
            coef(ia, ja, ar, k, *row,
                 figure_col(fl, per, FIG_D0 + d + (band ? fl->nd : 0)), -1.0);
    }
    if (per == 0)
        return;
    /* P(t) - P(t-1) + E(t-1) - N(t) = 0 */
    glp_add_rows(lp, 1);
    glp_set_row_bnds(lp, ++*row, GLP_FX, 0.0, 0.0);
    coef(ia, ja, ar, k, *row, figure_col(fl, per, FIG_P), 1.0);
    coef(ia, ja, ar, k, *row, figure_col(fl, per - 1, FIG_P), -1.0);
    coef(ia, ja, ar, k, *row, figure_col(fl, per - 1, FIG_E), 1.0);
    coef(ia, ja, ar, k, *row, figure_col(fl, per, FIG_N), -1.0);
}

/* The bounds of column j, cell c as the attacker knows it: a [z] cell is
 * 0, a hidden one only >= 0, a published one its interval (audit.h). */
static void
cell_bounds(glp_prob *lp, const struct flows *fl, int j,
            const struct table_cell *c)
{
    int64_t lo, hi;

    if (c->status == CELL_STRUCTURAL) {
        glp_set_col_bnds(lp, j, GLP_FX, 0.0, 0.0);
    } else if (audit_hidden(c)) {
        glp_set_col_bnds(lp, j, GLP_LO, 0.0, 0.0);
    } else {
        audit_published_bounds(&fl->am, c->count, &lo, &hi);
        glp_set_col_bnds(lp, j, lo == hi ? GLP_FX : GLP_DB, (double)lo,
                         (double)hi);
    }
}

/* One table's cells of every month, and its own relations, from *row on. */
static void
table_rows(glp_prob *lp, const struct flows *fl, int k, int *row, int *ia,
           int *ja, double *ar, int *nz)
{
    const struct count_table *t = fl->t[k];
    const struct relations *r = &fl->r[k];
    int per;
    size_t i, m;

    for (per = 0; per < fl->months; per++) {
        const struct table_cell *c = t->cells +
                                     (size_t)per * t->ncells_per_period;

        for (i = 0; i < t->ncells_per_period; i++)
            cell_bounds(lp, fl, cell_col(fl, k, per, i), &c[i]);
        for (i = 0; i < r->n; i++) {
            glp_add_rows(lp, 1);
            glp_set_row_bnds(lp, ++*row, GLP_FX, 0.0, 0.0);
            for (m = r->first[i]; m < r->first[i + 1]; m++)
                coef(ia, ja, ar, nz, *row,
                     cell_col(fl, k, per, r->members[m]),
                     m == r->first[i] ? 1.0 : -1.0);
        }
    }
}

/*
 * The attacker's program: every cell of the three tables in every month,
 * each table's own relations (what disclosure.c's audit has) and the
 * identities across them, so that a cell the joint program narrows is
 * found whichever table it is in: a detail cell protected in its own
 * table by a hidden margin that the identities give away is one.
 */
static glp_prob *
build(const struct flows *fl)
{
    int per, k, row = 0, nz = 0;
    size_t cap = (size_t)fl->months * (size_t)(2 * (fl->nd + 1) + 4) + 1;
    int *ia, *ja;
    double *ar;
    glp_prob *lp = glp_create_prob();

    for (k = 0; k < FT_COUNT; k++)
        if (fl->r[k].n) /* a table without by columns has no relation */
            cap += (size_t)fl->months * fl->r[k].first[fl->r[k].n];
    ia = glp_alloc((int)cap, sizeof(int));
    ja = glp_alloc((int)cap, sizeof(int));
    ar = glp_alloc((int)cap, sizeof(double));
    glp_add_cols(lp, fl->ncols);
    for (k = 0; k < FT_COUNT; k++)
        table_rows(lp, fl, k, &row, ia, ja, ar, &nz);
    for (per = 0; per < fl->months; per++)
        identities(lp, fl, per, &row, ia, ja, ar, &nz);
    glp_load_matrix(lp, nz, ia, ja, ar);
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

/* The table, period and cell of column index j - 1 = idx. */
static void
col_cell(const struct flows *fl, int idx, int *k, int *per, size_t *i)
{
    int ncpp;

    for (*k = FT_COUNT - 1; *k > 0 && idx < fl->base[*k]; (*k)--)
        ;
    ncpp = (int)fl->t[*k]->ncells_per_period;
    *per = (idx - fl->base[*k]) / ncpp;
    *i = (size_t)((idx - fl->base[*k]) % ncpp);
}

struct weak_call {
    const struct flows *fl;
    int from;       /* the column index (column - 1) to start at */
    int weak;       /* out: the first narrow primary's index, or -1 */
};

/* Under audit_glpk_call(): the first primary cell, of any of the three
 * tables, at or after `from` that the attacker narrows below what
 * disclosure.c asks of it (the width, or tau-ARGUS's interval). */
static int
first_weak(void *arg)
{
    struct weak_call *wc = arg;
    const struct flows *fl = wc->fl;
    glp_prob *lp;
    int idx, k, per, rc = 0;
    size_t i;

    lp = build(fl);
    wc->weak = -1;
    for (idx = wc->from; idx < fl->ncols && wc->weak < 0; idx++) {
        const struct table_cell *c;
        double lo, hi;

        col_cell(fl, idx, &k, &per, &i);
        c = &fl->t[k]->cells[(size_t)per * fl->t[k]->ncells_per_period + i];
        if (c->status != CELL_SUPPRESSED)
            continue;
        if ((rc = solve(lp, idx + 1, GLP_MIN, &lo)) < 0 ||
            (rc = solve(lp, idx + 1, GLP_MAX, &hi)) < 0)
            break;
        if (!audit_range_safe(&fl->am, c->count, lo, hi))
            wc->weak = idx;
    }
    glp_delete_prob(lp);
    return rc;
}

/* Hides every shown cell of month per of t but its structural zeros
 * (they stay [z], known to be 0 from the definition whatever is hidden);
 * returns how many it hid (0: the month was hidden already, or is not a
 * month of t). */
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
        if (!audit_hidden(&c[i]) && c[i].status != CELL_STRUCTURAL) {
            c[i].status = CELL_SECONDARY;
            n++;
        }
    return n;
}

/* Sets up fl over the three tables: their relations and columns. 0,
 * CE_NOMEM, or CE_INTERNAL when a figure is not where flows.h puts it. */
static int
flows_init(struct flows *fl, const struct count_table *entries,
           const struct count_table *exits, const struct count_table *persons,
           const struct disclosure_plan *dp)
{
    int k, f, rc;

    memset(fl, 0, sizeof(*fl));
    fl->t[FT_ENTRIES] = entries;
    fl->t[FT_EXITS] = exits;
    fl->t[FT_PERSONS] = persons;
    fl->months = persons->nperiods;
    fl->nd = (int)persons->dim_n[persons->nby - 1];
    fl->nf = FIG_D0 + 2 * fl->nd;
    audit_attacker_init(&fl->am, dp);
    for (k = 0; k < FT_COUNT; k++) {
        if ((rc = audit_relations_build(fl->t[k], &fl->r[k])) < 0)
            return rc;
        fl->base[k] = fl->ncols;
        fl->ncols += fl->months * (int)fl->t[k]->ncells_per_period;
    }
    for (f = 0; f < fl->nf; f++)
        if (!figure_col(fl, 0, f))
            return CE_INTERNAL;
    return 0;
}

static void
flows_release(struct flows *fl)
{
    int k;

    for (k = 0; k < FT_COUNT; k++)
        audit_relations_release(&fl->r[k]);
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
    if ((rc = flows_init(&fl, entries, exits, persons, dp)) < 0) {
        flows_release(&fl);
        diag_set(d, NULL, 0, 0, NULL, rc == CE_NOMEM
                                          ? "out of memory"
                                          : "the forecast tables are not "
                                            "laid out as flows.h says");
        return rc;
    }
    wc.fl = &fl;
    wc.from = 0;
    for (;;) {
        int k, per;
        size_t i;
        uint64_t n;

        if ((rc = audit_glpk_call(first_weak, &wc)) < 0 || wc.weak < 0)
            break;
        /* hiding only widens ranges: the cells before stay safe */
        wc.from = wc.weak;
        col_cell(&fl, wc.weak, &k, &per, &i);
        if ((n = hide_month(exits, per)) || (n = hide_month(exits, per - 1)))
            hidden[1] += n;
        else if ((n = hide_month(entries, per)) ||
                 (n = hide_month(entries, per + 1)))
            hidden[0] += n;
        else {
            rc = CE_DATA;
            diag_set(d, NULL, 0, 0, "protection_level",
                     "a hidden count of its persons, entries or exits can "
                     "be narrowed below the protection level through their "
                     "identities, and nothing more can be hidden");
            break;
        }
    }
    if (rc < 0 && rc != CE_DATA)
        diag_set(d, NULL, 0, 0, NULL, rc == CE_NOMEM
                                          ? "out of memory"
                                          : "the attacker's linear program "
                                            "failed (GLPK)");
    flows_release(&fl);
    return rc;
}
