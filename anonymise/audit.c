#include "audit.h"
#include "disclosure.h"

#include <glpk.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

/*
 * GLPK does not return errors: on any error, and in particular when an
 * allocation inside it fails, it prints a message and calls abort(). Its
 * documented way out is glp_error_hook: the hook may longjmp back to the
 * application, which must then call glp_free_env() and not touch any GLPK
 * object it had (they are all freed with the environment). GLPK's
 * environment, hooks included, is per thread when the library is built
 * with thread-local storage (glp_config("TLS"); Debian's 5.0 is), so every
 * thread that calls GLPK goes through audit_glpk_call(). The attacker's
 * problem takes its work arrays from glp_alloc, so an error frees them
 * too.
 */
struct glpk_guard {
    jmp_buf jump;
    volatile int nomem; /* GLPK's message said it ran out of memory */
};

/* Swallows GLPK's terminal output (only an error turns it on); notes
 * whether an error was about memory, the one error that is not a bug. */
static int
glpk_term(void *info, const char *s)
{
    struct glpk_guard *g = info;

    if (strstr(s, "memory"))
        g->nomem = 1;
    return 1;
}

static void
glpk_error(void *info)
{
    longjmp(((struct glpk_guard *)info)->jump, 1);
}

/* Runs fn(arg) with GLPK's errors turned into CE_NOMEM (out of memory)
 * or CE_INTERNAL (anything else: a bug) instead of abort(). */
int
audit_glpk_call(int (*fn)(void *), void *arg)
{
    struct glpk_guard g;
    int rc;

    /* explicitly: on a first implicit use a failed start-up aborts */
    switch (glp_init_env()) {
    case 0:
    case 1:
        break;
    case 2:
        return CE_NOMEM;
    default:
        return CE_INTERNAL;
    }
    g.nomem = 0;
    glp_term_out(GLP_OFF);
    glp_term_hook(glpk_term, &g);
    if (setjmp(g.jump)) {
        rc = g.nomem ? CE_NOMEM : CE_INTERNAL;
        glp_free_env(); /* every problem and glp_alloc block of the thread */
        return rc;
    }
    glp_error_hook(glpk_error, &g);
    rc = fn(arg);
    glp_error_hook(NULL, NULL);
    glp_term_hook(NULL, NULL);
    return rc;
}


void
audit_relations_release(struct relations *r)
{
    free(r->first);
    free(r->members);
    memset(r, 0, sizeof(*r));
}

int
audit_relations_build(const struct count_table *t, struct relations *r)
{
    size_t nrel = 0, nmem = 0, j, v, i, k = 0, q;
    size_t total = t->ncells_per_period - 1;
    const struct table_cell *c = t->cells; /* coordinates of period 0 */
    size_t off[TABLE_MAX_DIMS];

    memset(r, 0, sizeof(*r));
    if (t->nby == 0)
        return 0;
    if (t->nby == 1) {
        nrel = 1;
        nmem = 1 + t->ninterior;
    } else {
        for (j = 0; j < t->nby; j++) {
            nrel += t->dim_n[j] + 1;
            nmem += t->dim_n[j] + t->ninterior + 1 + t->dim_n[j];
        }
    }
    r->first = malloc((nrel + 1) * sizeof(size_t));
    r->members = malloc((nmem + 1) * sizeof(size_t));
    if (!r->first || !r->members) {
        audit_relations_release(r);
        return CE_NOMEM;
    }
    if (t->nby == 1) {
        r->first[0] = 0;
        r->members[k++] = total;
        for (i = 0; i < t->ninterior; i++)
            r->members[k++] = i;
        r->n = 1;
        r->first[1] = k;
        return 0;
    }
    off[0] = t->ninterior;
    for (j = 1; j < t->nby; j++)
        off[j] = off[j - 1] + t->dim_n[j - 1];
    for (j = 0; j < t->nby; j++) {
        for (v = 0; v < t->dim_n[j]; v++) {
            r->first[r->n++] = k;
            r->members[k++] = off[j] + v;
            for (i = 0; i < t->ninterior; i++)
                if (c[i].coord[j] == v)
                    r->members[k++] = i;
        }
        r->first[r->n++] = k;
        r->members[k++] = total;
        for (q = 0; q < t->dim_n[j]; q++)
            r->members[k++] = off[j] + q;
    }
    r->first[r->n] = k;
    return 0;
}

int
audit_hidden(const struct table_cell *c)
{
    return c->status == CELL_SUPPRESSED || c->status == CELL_SECONDARY;
}

void
audit_attacker_init(struct attacker *m, const struct disclosure_plan *dp)
{
    m->rounding = dp->rounding > 1 && dp->perturbation == PERTURB_NONE
                      ? dp->rounding
                      : 1;
    m->suppress_lo = dp->suppress_lo;
    m->suppress_hi = dp->suppress_hi;
    m->protect_zeros = dp->protect_zeros;
    m->level = dp->protection_level;
    m->lower = dp->protection_lower;
    m->upper = dp->protection_upper;
    m->lower_pct = dp->protection_lower_pct;
    m->upper_pct = dp->protection_upper_pct;
}

int64_t
audit_round(int64_t v, int r)
{
    if (r <= 1)
        return v;
    return (v + r / 2) / r * r;
}

/* The rule's primary cells, which the attacker knows a published cell is
 * not. */
int
audit_primary(const struct attacker *m, int64_t v)
{
    return (m->suppress_hi > 0 && v >= m->suppress_lo &&
            v <= m->suppress_hi) ||
           (m->protect_zeros && v == 0);
}

/* A protection level: n counts, or n percent of a rounded up. */
static double
level_of(int n, int pct, int64_t a)
{
    if (!pct)
        return (double)n;
    return (double)((a * n + 99) / 100);
}

void
audit_requirement(const struct attacker *m, int64_t a, double *down,
                  double *up, double *width)
{
    if (m->lower == 0 && m->upper == 0) {
        *down = *up = 0.0;
        *width = (double)m->level;
        return;
    }
    *width = 0.0;
    *down = level_of(m->lower, m->lower_pct, a);
    if (*down > (double)a)
        *down = (double)a; /* no count is below 0: x - lower is as low as 0 */
    *up = level_of(m->upper, m->upper_pct, a);
}

int
audit_range_safe(const struct attacker *m, int64_t a, double lo, double hi)
{
    double down, up, width;

    if (hi < 0)
        hi = HUGE_VAL;
    audit_requirement(m, a, &down, &up, &width);
    if (width > 0)
        return hi - lo >= width - 1e-6;
    return lo <= (double)a - down + 1e-6 && hi >= (double)a + up - 1e-6;
}

/* The true counts consistent with a published cell of true count v:
 * [*lo, *hi]. Where the counts the rule suppresses would split the
 * rounding interval in two, the exact count is given instead (a convex
 * hull would credit the attacker with less than it knows). */
static void
published_bounds(const struct attacker *m, int64_t v, int64_t *lo,
                 int64_t *hi)
{
    int64_t r, a, b;

    *lo = *hi = v;
    if (m->rounding <= 1)
        return;
    r = audit_round(v, m->rounding);
    a = r - m->rounding / 2;
    b = a + m->rounding - 1;
    if (a < 0)
        a = 0;
    /* trim the counts that would not have been published */
    if (m->protect_zeros && a == 0)
        a = 1;
    if (m->suppress_hi > 0 && a >= m->suppress_lo && a <= m->suppress_hi)
        a = m->suppress_hi + 1;
    if (m->suppress_hi > 0 && b >= m->suppress_lo && b <= m->suppress_hi)
        b = m->suppress_lo - 1;
    if (m->protect_zeros && b == 0)
        b = -1;
    if (a > b || a > v || b < v ||
        (m->suppress_hi > 0 && m->suppress_lo > a && m->suppress_hi < b))
        return;
    *lo = a;
    *hi = b;
}

void
audit_published_bounds(const struct attacker *m, int64_t v, int64_t *lo,
                       int64_t *hi)
{
    published_bounds(m, v, lo, hi);
}

void
audit_cell_bounds(const struct attacker *m, int64_t v, int status,
                  double *zlo, double *zhi)
{
    int64_t lo, hi;

    if (status == CELL_STRUCTURAL) {
        *zlo = *zhi = 0.0;
    } else if (status == CELL_SUPPRESSED || status == CELL_SECONDARY) {
        *zlo = -(double)v;
        *zhi = HUGE_VAL;
    } else {
        published_bounds(m, v, &lo, &hi);
        *zlo = (double)(lo - v);
        *zhi = (double)(hi - v);
    }
}

void
attack_lp_release(struct attack_lp *a)
{
    if (a->lp)
        glp_delete_prob(a->lp);
    if (a->col_of)
        glp_free(a->col_of);
    if (a->row_of)
        glp_free(a->row_of);
    memset(a, 0, sizeof(*a));
}

/* Deviations are whole numbers, or fractions of them under a fractional
 * pattern in secondary.c; GLPK refuses a double bound whose ends meet, so
 * ends closer than this are one point. */
#define BOUND_EPS 1e-9

static void
set_col(glp_prob *lp, int col, double zlo, double zhi)
{
    if (zhi >= HUGE_VAL)
        glp_set_col_bnds(lp, col, GLP_LO, zlo, 0.0);
    else if (zhi - zlo < BOUND_EPS)
        glp_set_col_bnds(lp, col, GLP_FX, zlo, zlo);
    else
        glp_set_col_bnds(lp, col, GLP_DB, zlo, zhi);
}

int
attack_lp_build(struct attack_lp *a, const struct relations *r, size_t n,
                const double *zlo, const double *zhi, int all_columns)
{
    size_t i, ri, m, nnz = 0;
    int ncols = 0, nrows = 0, k = 0, *ia, *ja;
    double *ar;

    memset(a, 0, sizeof(*a));
    a->ncells = n;
    for (ri = 0; ri < r->n; ri++)
        nnz += r->first[ri + 1] - r->first[ri];
    /* GLPK indexes with int; glp_alloc fails (through the guard) when
     * out of memory rather than returning NULL */
    if (n == 0 || n >= INT_MAX || nnz >= INT_MAX || r->n >= INT_MAX)
        return CE_INTERNAL;
    a->col_of = glp_alloc((int)n, sizeof(int));
    a->row_of = glp_alloc((int)r->n + 1, sizeof(int));
    for (i = 0; i < n; i++)
        a->col_of[i] = all_columns || zhi[i] - zlo[i] >= BOUND_EPS ? ++ncols
                                                                    : 0;
    a->lp = glp_create_prob();
    glp_add_cols(a->lp, ncols > 0 ? ncols : 1);
    if (ncols == 0)
        glp_set_col_bnds(a->lp, 1, GLP_FX, 0.0, 0.0);
    for (i = 0; i < n; i++)
        if (a->col_of[i])
            set_col(a->lp, a->col_of[i], zlo[i], zhi[i]);
    ia = glp_alloc((int)nnz + 1, sizeof(int));
    ja = glp_alloc((int)nnz + 1, sizeof(int));
    ar = glp_alloc((int)nnz + 1, sizeof(double));
    for (ri = 0; ri < r->n; ri++) {
        int any = 0;

        a->row_of[ri] = 0;
        for (m = r->first[ri]; m < r->first[ri + 1]; m++)
            any |= a->col_of[r->members[m]] != 0;
        if (!any)
            continue;
        a->row_of[ri] = ++nrows;
        glp_add_rows(a->lp, 1);
        glp_set_row_bnds(a->lp, nrows, GLP_FX, 0.0, 0.0);
        for (m = r->first[ri]; m < r->first[ri + 1]; m++) {
            int col = a->col_of[r->members[m]];

            if (!col)
                continue;
            k++;
            ia[k] = nrows;
            ja[k] = col;
            ar[k] = m == r->first[ri] ? 1.0 : -1.0;
        }
    }
    glp_load_matrix(a->lp, k, ia, ja, ar);
    glp_free(ia);
    glp_free(ja);
    glp_free(ar);
    return 0;
}

void
attack_lp_set(struct attack_lp *a, const struct relations *r, size_t cell,
              double zlo, double zhi)
{
    size_t ri, m;
    int col, k = 0, *ind;
    double *val;

    if (a->col_of[cell]) {
        set_col(a->lp, a->col_of[cell], zlo, zhi);
        return;
    }
    if (zhi - zlo < BOUND_EPS)
        return; /* still known exactly */
    /* a cell known exactly had no column: it gets one now, in every
     * relation that holds it (a relation with no column gets its row) */
    col = glp_add_cols(a->lp, 1);
    a->col_of[cell] = col;
    set_col(a->lp, col, zlo, zhi);
    ind = glp_alloc((int)r->n + 1, sizeof(int));
    val = glp_alloc((int)r->n + 1, sizeof(double));
    for (ri = 0; ri < r->n; ri++) {
        for (m = r->first[ri]; m < r->first[ri + 1]; m++)
            if (r->members[m] == cell)
                break;
        if (m == r->first[ri + 1])
            continue;
        if (!a->row_of[ri]) {
            a->row_of[ri] = glp_add_rows(a->lp, 1);
            glp_set_row_bnds(a->lp, a->row_of[ri], GLP_FX, 0.0, 0.0);
        }
        k++;
        ind[k] = a->row_of[ri];
        val[k] = m == r->first[ri] ? 1.0 : -1.0;
    }
    glp_set_mat_col(a->lp, col, k, ind, val);
    glp_free(ind);
    glp_free(val);
}

double
attack_lp_value(const struct attack_lp *a, size_t cell)
{
    return a->col_of[cell] ? glp_get_col_prim(a->lp, a->col_of[cell]) : 0.0;
}

int
attack_lp_extreme(struct attack_lp *a, const struct relations *r,
                  size_t cell, int dir, double *v, double *duals,
                  double *solution)
{
    glp_smcp parm;
    int col = a->col_of[cell], ncols = glp_get_num_cols(a->lp), st;
    size_t i, ri, m;

    if (!col) {
        /* known exactly: no deviation, nothing to explain it by */
        *v = 0.0;
        if (duals)
            for (i = 0; i < a->ncells; i++)
                duals[i] = i == cell ? (double)dir : 0.0;
        if (solution)
            for (i = 0; i < a->ncells; i++)
                solution[i] = 0.0;
        return 0;
    }
    /* only the objective's own column changes from one call to the next */
    if (a->obj_col > 0 && a->obj_col <= ncols)
        glp_set_obj_coef(a->lp, a->obj_col, 0.0);
    glp_set_obj_coef(a->lp, col, (double)dir);
    a->obj_col = col;
    glp_set_obj_dir(a->lp, GLP_MAX);
    if (glp_get_num_rows(a->lp) == 0) {
        /* nothing ties the cell to another: its own bounds */
        int type = glp_get_col_type(a->lp, col);

        if (dir > 0)
            *v = type == GLP_LO ? HUGE_VAL : glp_get_col_ub(a->lp, col);
        else
            *v = -glp_get_col_lb(a->lp, col);
        if (duals)
            for (i = 0; i < a->ncells; i++)
                duals[i] = i == cell ? (double)dir : 0.0;
        if (solution)
            for (i = 0; i < a->ncells; i++)
                solution[i] = i == cell && *v < HUGE_VAL ? dir * *v : 0.0;
        return 0;
    }
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.presolve = GLP_OFF;
    if (glp_simplex(a->lp, &parm) != 0) {
        glp_adv_basis(a->lp, 0);
        if (glp_simplex(a->lp, &parm) != 0)
            return CE_INTERNAL;
    }
    st = glp_get_status(a->lp);
    if (st == GLP_UNBND) {
        *v = HUGE_VAL;
        if (duals)
            for (i = 0; i < a->ncells; i++)
                duals[i] = 0.0;
        if (solution)
            for (i = 0; i < a->ncells; i++)
                solution[i] = 0.0;
        return 0;
    }
    if (st != GLP_OPT)
        return CE_INTERNAL;
    *v = glp_get_obj_val(a->lp);
    if (duals) {
        for (i = 0; i < a->ncells; i++)
            duals[i] = i == cell ? (double)dir : 0.0;
        for (ri = 0; ri < r->n; ri++) {
            double pi;

            if (!a->row_of[ri])
                continue;
            pi = glp_get_row_dual(a->lp, a->row_of[ri]);
            if (pi == 0.0)
                continue;
            for (m = r->first[ri]; m < r->first[ri + 1]; m++)
                duals[r->members[m]] -=
                    pi * (m == r->first[ri] ? 1.0 : -1.0);
        }
    }
    if (solution)
        for (i = 0; i < a->ncells; i++)
            solution[i] = a->col_of[i]
                              ? glp_get_col_prim(a->lp, a->col_of[i])
                              : 0.0;
    return 0;
}

/* The attacker's range [*lo, *hi] (hi -1: unbounded) of one cell. */
static int
cell_range(struct attack_lp *a, const struct relations *r, size_t cell,
           int64_t count, double *lo, double *hi)
{
    double up, down;
    int rc;

    if ((rc = attack_lp_extreme(a, r, cell, -1, &down, NULL, NULL)) < 0 ||
        (rc = attack_lp_extreme(a, r, cell, +1, &up, NULL, NULL)) < 0)
        return rc;
    *lo = (double)count - down;
    *hi = up >= HUGE_VAL ? -1.0 : (double)count + up;
    return 0;
}

/* The bounds of every cell of one period as the attacker sees them; in
 * GLPK's memory. */
static void
period_bounds(const struct attacker *am, const struct table_cell *c,
              size_t n, double **zlo, double **zhi)
{
    size_t i;

    *zlo = glp_alloc((int)n, sizeof(double));
    *zhi = glp_alloc((int)n, sizeof(double));
    for (i = 0; i < n; i++)
        audit_cell_bounds(am, c[i].count, c[i].status, &(*zlo)[i],
                          &(*zhi)[i]);
}

struct attack_call {
    const struct count_table *t;
    const struct relations *r;
    const struct attacker *am;
    int period;
    size_t cell;
    double *lo, *hi;
};

static int
attack_one(void *arg)
{
    const struct attack_call *ac = arg;
    const struct count_table *t = ac->t;
    const struct table_cell *c =
        t->cells + (size_t)ac->period * t->ncells_per_period;
    struct attack_lp a;
    double *zlo, *zhi;
    int rc;

    if (t->ncells_per_period >= INT_MAX)
        return CE_INTERNAL;
    period_bounds(ac->am, c, t->ncells_per_period, &zlo, &zhi);
    rc = attack_lp_build(&a, ac->r, t->ncells_per_period, zlo, zhi, 0);
    if (rc == 0)
        rc = cell_range(&a, ac->r, ac->cell, c[ac->cell].count, ac->lo,
                        ac->hi);
    attack_lp_release(&a);
    glp_free(zlo);
    glp_free(zhi);
    return rc;
}

int
disclosure_attack(const struct count_table *t,
                  const struct disclosure_plan *dp, int period, size_t cell,
                  double *lo, double *hi)
{
    struct relations r;
    struct attack_call ac;
    struct attacker am;
    int rc;

    audit_attacker_init(&am, dp);
    if ((rc = audit_relations_build(t, &r)) < 0)
        return rc;
    ac.t = t;
    ac.r = &r;
    ac.am = &am;
    ac.period = period;
    ac.cell = cell;
    ac.lo = lo;
    ac.hi = hi;
    rc = audit_glpk_call(attack_one, &ac);
    audit_relations_release(&r);
    return rc;
}

/* The pool of the attacker's points: per cell the lowest and highest
 * deviation any point found so far gave it (0 at the true counts, a
 * point too). Every point is a table the published cells allow, so a
 * primary whose pooled range keeps its protection keeps it. */
static void
pool_take(const struct attack_lp *a, const size_t *prim, size_t np,
          double *plo, double *phi)
{
    size_t k;

    for (k = 0; k < np; k++) {
        double z = attack_lp_value(a, prim[k]);

        if (z < plo[k])
            plo[k] = z;
        if (z > phi[k])
            phi[k] = z;
    }
}

int
audit_first_weak(const struct count_table *t, const struct relations *r,
                 const struct table_cell *c, const struct attacker *am,
                 size_t from, size_t *weak)
{
    struct attack_lp a;
    double *zlo, *zhi, *plo, *phi;
    size_t i, k, np = 0, *prim;
    size_t n = t->ncells_per_period;
    int rc = 0;

    *weak = (size_t)-1;
    if (n >= INT_MAX)
        return CE_INTERNAL;
    prim = glp_alloc((int)n, sizeof(size_t));
    for (i = from; i < n; i++)
        if (c[i].status == CELL_SUPPRESSED)
            prim[np++] = i;
    if (np == 0) {
        glp_free(prim);
        return 0;
    }
    plo = glp_alloc((int)np, sizeof(double));
    phi = glp_alloc((int)np, sizeof(double));
    for (k = 0; k < np; k++)
        plo[k] = phi[k] = 0.0;
    period_bounds(am, c, n, &zlo, &zhi);
    rc = attack_lp_build(&a, r, n, zlo, zhi, 0);
    for (k = 0; rc == 0 && k < np && *weak == (size_t)-1; k++) {
        double up, down;
        int64_t v = c[prim[k]].count;

        if (audit_range_safe(am, v, (double)v + plo[k], (double)v + phi[k]))
            continue; /* proved by points found for other cells */
        /* a hidden cell goes no lower than 0: a point that took it there
         * is the downward extreme */
        down = -plo[k];
        if (down < (double)v - 1e-6) {
            if ((rc = attack_lp_extreme(&a, r, prim[k], -1, &down, NULL,
                                        NULL)) < 0)
                break;
            if (down < HUGE_VAL)
                pool_take(&a, prim, np, plo, phi);
        }
        if ((rc = attack_lp_extreme(&a, r, prim[k], +1, &up, NULL, NULL)) < 0)
            break;
        if (up < HUGE_VAL)
            pool_take(&a, prim, np, plo, phi);
        if (!audit_range_safe(am, v, (double)v - down,
                              up >= HUGE_VAL ? -1.0 : (double)v + up))
            *weak = prim[k];
    }
    attack_lp_release(&a);
    glp_free(zlo);
    glp_free(zhi);
    glp_free(plo);
    glp_free(phi);
    glp_free(prim);
    return rc < 0 ? rc : 0;
}

/* The audit's periods, taken in turn by its threads (as
 * disclosure_protect()'s are): per period the first weak cell. */
struct audit_work {
    const struct count_table *t;
    const struct relations *r;
    const struct attacker *am;
    size_t *weak; /* per period */
    int *rcs;     /* per period */
    int next;     /* taken under lock */
    int first;    /* the first period found weak so far: later ones wait */
    pthread_mutex_t lock;
};

struct audit_call {
    struct audit_work *w;
    int period;
};

static int
audit_period(void *arg)
{
    const struct audit_call *ac = arg;
    const struct count_table *t = ac->w->t;

    return audit_first_weak(t, ac->w->r,
                            t->cells + (size_t)ac->period *
                                           t->ncells_per_period,
                            ac->w->am, 0, &ac->w->weak[ac->period]);
}

/* Audits periods until none is left, or every one left is after a
 * period already found weak (the answer is the first). */
static void
audit_periods(void *arg)
{
    struct audit_work *w = arg;

    for (;;) {
        struct audit_call ac;

        pthread_mutex_lock(&w->lock);
        ac.period = w->next++;
        if (ac.period > w->first)
            ac.period = w->t->nperiods;
        pthread_mutex_unlock(&w->lock);
        if (ac.period >= w->t->nperiods)
            return;
        ac.w = w;
        w->rcs[ac.period] = audit_glpk_call(audit_period, &ac);
        if (w->rcs[ac.period] < 0 || w->weak[ac.period] != (size_t)-1) {
            pthread_mutex_lock(&w->lock);
            if (ac.period < w->first)
                w->first = ac.period;
            pthread_mutex_unlock(&w->lock);
        }
    }
}

/* What each thread of audit_on_threads() runs. */
struct thread_work {
    void (*work)(void *);
    void *arg;
};

static void *
thread_main(void *arg)
{
    const struct thread_work *tw = arg;

    tw->work(tw->arg);
    glp_free_env(); /* this thread's GLPK environment */
    return NULL;
}

void
audit_on_threads(int threads, int tasks, void (*work)(void *), void *arg)
{
    struct thread_work tw;
    pthread_t tid[16];
    int n = 0, k;

    tw.work = work;
    tw.arg = arg;
    if (threads > 16)
        threads = 16;
    if (threads > tasks)
        threads = tasks;
    /* GLPK keeps its state per thread only when built reentrant */
    if (threads > 1 && glp_config("TLS") != NULL)
        for (n = 0; n < threads; n++)
            if (pthread_create(&tid[n], NULL, thread_main, &tw) != 0)
                break;
    if (n == 0)
        work(arg);
    for (k = 0; k < n; k++)
        pthread_join(tid[k], NULL);
}

int
disclosure_audit(const struct count_table *t,
                 const struct disclosure_plan *dp, int threads, int *period,
                 size_t *cell)
{
    struct relations r;
    struct attacker am;
    struct audit_work w;
    int p, rc = 0;

    *period = -1;
    *cell = (size_t)-1;
    /* cell-key noise, not a suppression pattern, protects the cells it
     * hides (ONS's method): there is no pattern to audit */
    if (dp->perturbation == PERTURB_CELLKEY || t->nperiods <= 0)
        return 0;
    audit_attacker_init(&am, dp);
    if ((rc = audit_relations_build(t, &r)) < 0)
        return rc;
    memset(&w, 0, sizeof(w));
    w.t = t;
    w.r = &r;
    w.am = &am;
    w.first = t->nperiods;
    w.weak = calloc((size_t)t->nperiods, sizeof(*w.weak));
    w.rcs = calloc((size_t)t->nperiods, sizeof(*w.rcs));
    if (!w.weak || !w.rcs) {
        free(w.weak);
        free(w.rcs);
        audit_relations_release(&r);
        return CE_NOMEM;
    }
    for (p = 0; p < t->nperiods; p++)
        w.weak[p] = (size_t)-1;
    pthread_mutex_init(&w.lock, NULL);
    audit_on_threads(threads, t->nperiods, audit_periods, &w);
    /* the first period in order that failed or is weak, whichever thread
     * found it: the answer of one thread */
    for (p = 0; p < t->nperiods && rc == 0; p++) {
        if (w.rcs[p] < 0) {
            rc = w.rcs[p];
        } else if (w.weak[p] != (size_t)-1) {
            *period = p;
            *cell = w.weak[p];
            break;
        }
    }
    pthread_mutex_destroy(&w.lock);
    free(w.weak);
    free(w.rcs);
    audit_relations_release(&r);
    return rc;
}
