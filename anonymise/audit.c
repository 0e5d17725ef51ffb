#include "audit.h"
#include "disclosure.h"

#include <glpk.h>
#include <limits.h>
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
}

int64_t
audit_round(int64_t v, int r)
{
    if (r <= 1)
        return v;
    return (v + r / 2) / r * r;
}

/* The rule's audit_primary cells, which the attacker knows a published cell is
 * not. */
int
audit_primary(const struct attacker *m, int64_t v)
{
    return (m->suppress_hi > 0 && v >= m->suppress_lo &&
            v <= m->suppress_hi) ||
           (m->protect_zeros && v == 0);
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

/* The best further cell to suppress in relation ri: the smallest non-zero
 * count among the parts, else among all members; lowest index on ties.
 * Returns the cell index or (size_t)-1. */
struct attack {
    glp_prob *lp;
    int *col_of;     /* cell -> column (1-based), 0 when published */
    size_t ncells;
};

static void
attack_release(struct attack *a)
{
    if (a->lp)
        glp_delete_prob(a->lp);
    if (a->col_of)
        glp_free(a->col_of);
    memset(a, 0, sizeof(*a));
}

/* The attacker's program: a column per suppressed cell (>= 0) and, when
 * published values are intervals, per published cell (within its
 * interval); a row per relation that holds a column, the exactly known
 * members moved to the right-hand side. */
static int
attack_build(const struct count_table *t, const struct relations *r,
             const struct table_cell *c, const struct attacker *am,
             struct attack *a)
{
    size_t i, ri, m, nnz = 0, k = 0;
    int ncols = 0, nrows = 0, *ia = NULL, *ja = NULL;
    double *ar = NULL;

    memset(a, 0, sizeof(*a));
    a->ncells = t->ncells_per_period;
    for (ri = 0; ri < r->n; ri++)
        nnz += r->first[ri + 1] - r->first[ri];
    /* GLPK indexes with int; glp_alloc fails (through the guard) when
     * out of memory rather than returning NULL */
    if (a->ncells == 0 || a->ncells > INT_MAX || nnz >= INT_MAX)
        return CE_INTERNAL;
    a->col_of = glp_alloc((int)a->ncells, sizeof(int));
    memset(a->col_of, 0, a->ncells * sizeof(int));
    for (i = 0; i < a->ncells; i++) {
        int64_t lo, hi;

        if (audit_hidden(&c[i]))
            a->col_of[i] = ++ncols;
        else if (published_bounds(am, c[i].count, &lo, &hi), lo < hi)
            a->col_of[i] = ++ncols;
    }
    ia = glp_alloc((int)nnz + 1, sizeof(int));
    ja = glp_alloc((int)nnz + 1, sizeof(int));
    ar = glp_alloc((int)nnz + 1, sizeof(double));
    a->lp = glp_create_prob();
    glp_add_cols(a->lp, ncols > 0 ? ncols : 1);
    if (ncols == 0)
        glp_set_col_bnds(a->lp, 1, GLP_LO, 0.0, 0.0);
    for (i = 0; i < a->ncells; i++) {
        int64_t lo, hi;

        if (!a->col_of[i])
            continue;
        if (audit_hidden(&c[i])) {
            glp_set_col_bnds(a->lp, a->col_of[i], GLP_LO, 0.0, 0.0);
        } else {
            published_bounds(am, c[i].count, &lo, &hi);
            glp_set_col_bnds(a->lp, a->col_of[i], GLP_DB, (double)lo,
                             (double)hi);
        }
    }
    for (ri = 0; ri < r->n; ri++) {
        double rhs = 0;
        int any = 0;

        for (m = r->first[ri]; m < r->first[ri + 1]; m++)
            any |= a->col_of[r->members[m]] != 0;
        if (!any)
            continue;
        nrows++;
        glp_add_rows(a->lp, 1);
        for (m = r->first[ri]; m < r->first[ri + 1]; m++) {
            size_t cell = r->members[m];
            double coef = m == r->first[ri] ? 1.0 : -1.0;

            if (a->col_of[cell]) {
                k++;
                ia[k] = nrows;
                ja[k] = a->col_of[cell];
                ar[k] = coef;
            } else {
                rhs -= coef * (double)c[cell].count;
            }
        }
        glp_set_row_bnds(a->lp, nrows, GLP_FX, rhs, rhs);
    }
    glp_load_matrix(a->lp, (int)k, ia, ja, ar);
    glp_free(ia);
    glp_free(ja);
    glp_free(ar);
    return 0;
}

/* min (dir GLP_MIN) or max of one cell; -1 for an unbounded max. */
static int
attack_solve(struct attack *a, size_t cell, int dir, double *out)
{
    glp_smcp parm;
    int col = a->col_of[cell], i, ncols = glp_get_num_cols(a->lp), st;

    for (i = 1; i <= ncols; i++)
        glp_set_obj_coef(a->lp, i, i == col ? 1.0 : 0.0);
    glp_set_obj_dir(a->lp, dir);
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.presolve = GLP_OFF;
    if (glp_get_num_rows(a->lp) == 0) {
        /* nothing ties the cell to another: its own bounds */
        if (dir == GLP_MIN)
            *out = glp_get_col_lb(a->lp, col);
        else
            *out = glp_get_col_type(a->lp, col) == GLP_DB
                       ? glp_get_col_ub(a->lp, col)
                       : -1.0;
        return 0;
    }
    if (glp_simplex(a->lp, &parm) != 0) {
        glp_adv_basis(a->lp, 0);
        if (glp_simplex(a->lp, &parm) != 0)
            return CE_INTERNAL;
    }
    st = glp_get_status(a->lp);
    if (st == GLP_UNBND) {
        *out = -1.0;
        return 0;
    }
    if (st != GLP_OPT)
        return CE_INTERNAL;
    *out = glp_get_obj_val(a->lp);
    return 0;
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
    struct attack a;
    int rc;

    rc = attack_build(t, ac->r,
                      t->cells + (size_t)ac->period * t->ncells_per_period,
                      ac->am, &a);
    if (rc == 0 && !a.col_of[ac->cell]) {
        *ac->lo = *ac->hi =
            (double)t->cells[(size_t)ac->period * t->ncells_per_period +
                             ac->cell].count;
    } else if (rc == 0) {
        rc = attack_solve(&a, ac->cell, GLP_MIN, ac->lo);
        if (rc == 0)
            rc = attack_solve(&a, ac->cell, GLP_MAX, ac->hi);
    }
    attack_release(&a);
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

/* The first audit_primary cell at or after `from` whose attacker range is
 * narrower than the protection level: *weak, or (size_t)-1 when every one
 * keeps it. 0 or a negative error; under audit_glpk_call(). */
int
audit_first_weak(const struct count_table *t, const struct relations *r,
           const struct table_cell *c, const struct attacker *am, size_t from,
           size_t *weak)
{
    struct attack a;
    size_t i;
    int rc;

    *weak = (size_t)-1;
    if ((rc = attack_build(t, r, c, am, &a)) < 0)
        return rc;
    for (i = from; i < t->ncells_per_period && *weak == (size_t)-1; i++) {
        double lo, hi;

        if (c[i].status != CELL_SUPPRESSED)
            continue;
        if ((rc = attack_solve(&a, i, GLP_MIN, &lo)) < 0 ||
            (rc = attack_solve(&a, i, GLP_MAX, &hi)) < 0)
            break;
        if (hi >= 0 && hi - lo < (double)am->level - 1e-6)
            *weak = i;
    }
    attack_release(&a);
    return rc < 0 ? rc : 0;
}

struct audit_call {
    const struct count_table *t;
    const struct relations *r;
    const struct attacker *am;
    int *period;
    size_t *cell;
};

static int
audit_all(void *arg)
{
    const struct audit_call *ac = arg;
    int p, rc;

    for (p = 0; p < ac->t->nperiods; p++) {
        const struct table_cell *c =
            ac->t->cells + (size_t)p * ac->t->ncells_per_period;

        if ((rc = audit_first_weak(ac->t, ac->r, c, ac->am, 0, ac->cell)) < 0)
            return rc;
        if (*ac->cell != (size_t)-1) {
            *ac->period = p;
            return 0;
        }
    }
    *ac->period = -1;
    return 0;
}

int
disclosure_audit(const struct count_table *t,
                 const struct disclosure_plan *dp, int *period, size_t *cell)
{
    struct relations r;
    struct attacker am;
    struct audit_call ac;
    int rc;

    *period = -1;
    *cell = (size_t)-1;
    audit_attacker_init(&am, dp);
    if ((rc = audit_relations_build(t, &r)) < 0)
        return rc;
    ac.t = t;
    ac.r = &r;
    ac.am = &am;
    ac.period = period;
    ac.cell = cell;
    rc = audit_glpk_call(audit_all, &ac);
    audit_relations_release(&r);
    return rc;
}

/* Audits one period; suppresses more until every audit_primary cell's range is
 * at least protection_level wide. */
