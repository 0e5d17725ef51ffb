#include "disclosure.h"

#include <glpk.h>
#include <limits.h>
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
 * thread that calls GLPK goes through glpk_call(). The attacker's problem
 * takes its work arrays from glp_alloc, so an error frees them too.
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
static int
glpk_call(int (*fn)(void *), void *arg)
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

/* The additive relations of a table, the same in every period: members[0]
 * is the total (coefficient +1), the rest its parts (coefficient -1). */
struct relations {
    size_t n;
    size_t *first;     /* n + 1 */
    size_t *members;
};

static void
relations_release(struct relations *r)
{
    free(r->first);
    free(r->members);
    memset(r, 0, sizeof(*r));
}

static int
relations_build(const struct count_table *t, struct relations *r)
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
        relations_release(r);
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

static int
is_suppressed(const struct table_cell *c)
{
    return c->status == CELL_SUPPRESSED || c->status == CELL_SECONDARY;
}

/*
 * What the attacker knows of a published cell. With rounding alone
 * (rounding > 1, no perturbation) a published r says the true count is
 * one whose nearest multiple (ties up) is r -- r - b/2 .. r - b/2 + b - 1
 * for b = rounding, b/2 rounded down -- and, as the rule is public, not a
 * count that would have been suppressed. Otherwise the attacker is given
 * the exact true count: with cell-key noise the published value need not
 * lie in the rounding interval of the true count, and exact values are
 * always the safe side (they only narrow the attacker's ranges).
 */
struct attacker {
    int rounding;            /* 1: published cells are known exactly */
    int suppress_lo, suppress_hi, protect_zeros;
    int level;
};

static void
attacker_init(struct attacker *m, const struct disclosure_plan *dp)
{
    m->rounding = dp->rounding > 1 && dp->perturbation == PERTURB_NONE
                      ? dp->rounding
                      : 1;
    m->suppress_lo = dp->suppress_lo;
    m->suppress_hi = dp->suppress_hi;
    m->protect_zeros = dp->protect_zeros;
    m->level = dp->protection_level;
}

static int64_t
round_to(int64_t v, int r)
{
    if (r <= 1)
        return v;
    return (v + r / 2) / r * r;
}

/* The rule's primary cells, which the attacker knows a published cell is
 * not. */
static int
primary(const struct attacker *m, int64_t v)
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
    r = round_to(v, m->rounding);
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

/* The best further cell to suppress in relation ri: the smallest non-zero
 * count among the parts, else among all members; lowest index on ties.
 * Returns the cell index or (size_t)-1. */
static size_t
pick(const struct relations *r, size_t ri, const struct table_cell *c)
{
    size_t best = (size_t)-1, m;
    int pass;

    for (pass = 0; pass < 3 && best == (size_t)-1; pass++)
        for (m = r->first[ri] + (pass < 2 ? 1 : 0); m < r->first[ri + 1];
             m++) {
            const struct table_cell *x = &c[r->members[m]];

            if (is_suppressed(x) || (pass == 0 && x->count == 0))
                continue;
            if (best == (size_t)-1 || x->count < c[best].count)
                best = r->members[m];
        }
    return best;
}

/* Closes every relation left with exactly one suppressed member. */
static uint64_t
close_relations(const struct relations *r, struct table_cell *c)
{
    uint64_t added = 0;
    int changed = 1;
    size_t ri, m;

    while (changed) {
        changed = 0;
        for (ri = 0; ri < r->n; ri++) {
            size_t ns = 0, cand;

            for (m = r->first[ri]; m < r->first[ri + 1]; m++)
                ns += is_suppressed(&c[r->members[m]]);
            if (ns != 1)
                continue;
            cand = pick(r, ri, c);
            if (cand == (size_t)-1)
                continue;
            c[cand].status = CELL_SECONDARY;
            added++;
            changed = 1;
        }
    }
    return added;
}

/* The attacker's LP over one period's suppressed cells. Built and used
 * only under glpk_call(): its memory is GLPK's. */
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

        if (is_suppressed(&c[i]))
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
        if (is_suppressed(&c[i])) {
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

    attacker_init(&am, dp);
    if ((rc = relations_build(t, &r)) < 0)
        return rc;
    ac.t = t;
    ac.r = &r;
    ac.am = &am;
    ac.period = period;
    ac.cell = cell;
    ac.lo = lo;
    ac.hi = hi;
    rc = glpk_call(attack_one, &ac);
    relations_release(&r);
    return rc;
}

/* The first primary cell at or after `from` whose attacker range is
 * narrower than the protection level: *weak, or (size_t)-1 when every one
 * keeps it. 0 or a negative error; under glpk_call(). */
static int
first_weak(const struct count_table *t, const struct relations *r,
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
        if ((rc = first_weak(ac->t, ac->r,
                             ac->t->cells + (size_t)p * ac->t->ncells_per_period,
                             ac->am, 0, ac->cell)) < 0)
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
    attacker_init(&am, dp);
    if ((rc = relations_build(t, &r)) < 0)
        return rc;
    ac.t = t;
    ac.r = &r;
    ac.am = &am;
    ac.period = period;
    ac.cell = cell;
    rc = glpk_call(audit_all, &ac);
    relations_release(&r);
    return rc;
}

/* Audits one period; suppresses more until every primary cell's range is
 * at least protection_level wide. */
static int
audit_period(const struct count_table *t, const struct relations *r,
             struct table_cell *c, const struct attacker *am, uint64_t *added)
{
    size_t ri, m, rounds, from = 0;

    /* Suppressing one more cell only removes a constraint from the
     * attacker's program, so a cell found safe stays safe: each round
     * resumes where the last one found a weak cell. */
    for (rounds = 0; rounds < t->ncells_per_period; rounds++) {
        size_t weak;
        int rc;

        if ((rc = first_weak(t, r, c, am, from, &weak)) < 0)
            return rc;
        if (weak == (size_t)-1)
            return 0;
        from = weak;
        /* widen it: suppress the best candidate of a relation holding it */
        {
            size_t best = (size_t)-1;

            for (ri = 0; ri < r->n; ri++) {
                int holds = 0;
                size_t cand;

                for (m = r->first[ri]; m < r->first[ri + 1]; m++)
                    holds |= r->members[m] == weak;
                if (!holds || (cand = pick(r, ri, c)) == (size_t)-1)
                    continue;
                if (best == (size_t)-1 || c[cand].count < c[best].count)
                    best = cand;
            }
            if (best == (size_t)-1) {
                /* its own relations are all suppressed: widen through any
                 * relation that still pins a suppressed cell */
                for (ri = 0; ri < r->n; ri++) {
                    int pins = 0;
                    size_t cand;

                    for (m = r->first[ri]; m < r->first[ri + 1]; m++)
                        pins |= is_suppressed(&c[r->members[m]]);
                    if (!pins || (cand = pick(r, ri, c)) == (size_t)-1)
                        continue;
                    if (best == (size_t)-1 || c[cand].count < c[best].count)
                        best = cand;
                }
            }
            if (best == (size_t)-1)
                return 0; /* everything is suppressed: nothing is pinned */
            c[best].status = CELL_SECONDARY;
            (*added)++;
            *added += close_relations(r, c);
        }
    }
    return 0;
}

/* 1 when every primary cell's range is at least the protection level
 * wide, 0 when one is narrower, or a negative error. */
static int
all_protected(const struct count_table *t, const struct relations *r,
              struct table_cell *c, const struct attacker *am)
{
    size_t weak;
    int rc = first_weak(t, r, c, am, 0, &weak);

    return rc < 0 ? rc : weak == (size_t)-1;
}

/*
 * With rounded values as intervals the published cells hide more than
 * their exact counts would, so some secondary cells chosen against exact
 * values are not needed: each is published again, largest count first,
 * when every primary cell still keeps a range of the protection level.
 * Returns the number released or a negative error.
 */
static int64_t
release_period(const struct count_table *t, const struct relations *r,
               struct table_cell *c, const struct attacker *am)
{
    size_t *sec, n = 0, i;
    int64_t released = 0;
    int rc = 0;

    if (am->rounding <= 1)
        return 0;
    /* GLPK's memory, as this runs under glpk_call(): an error inside the
     * solver frees it with the environment */
    if (t->ncells_per_period >= INT_MAX)
        return CE_INTERNAL;
    sec = glp_alloc((int)t->ncells_per_period + 1, sizeof(*sec));
    for (i = 0; i < t->ncells_per_period; i++)
        if (c[i].status == CELL_SECONDARY)
            sec[n++] = i;
    /* largest count first, lowest index on ties (insertion sort: qsort
     * has no context argument and periods run in threads) */
    for (i = 1; i < n; i++) {
        size_t k = sec[i], j = i;

        while (j > 0 && (c[sec[j - 1]].count < c[k].count ||
                         (c[sec[j - 1]].count == c[k].count &&
                          sec[j - 1] > k))) {
            sec[j] = sec[j - 1];
            j--;
        }
        sec[j] = k;
    }
    for (i = 0; i < n; i++) {
        c[sec[i]].status = CELL_OK;
        rc = all_protected(t, r, c, am);
        if (rc < 0)
            break;
        if (rc)
            released++;
        else
            c[sec[i]].status = CELL_SECONDARY;
        rc = 0;
    }
    glp_free(sec);
    return rc < 0 ? rc : released;
}

/* Protects one period; its counts go to *st. */
static int
protect_period(struct count_table *t, const struct relations *r,
               const struct disclosure_plan *dp, const struct ptable *pt,
               int p, struct disclosure_stats *st)
{
    struct table_cell *c = table_period_cells(t, p);
    uint64_t added = 0;
    struct attacker am;
    size_t i;
    int rc;

    memset(st, 0, sizeof(*st));
    attacker_init(&am, dp);
    for (i = 0; i < t->ncells_per_period; i++) {
        c[i].status = CELL_OK;
        if (primary(&am, c[i].count)) {
            c[i].status = CELL_SUPPRESSED;
            st->suppressed++;
        }
    }
    added += close_relations(r, c);
    rc = audit_period(t, r, c, &am, &added);
    if (rc < 0)
        return rc;
    {
        int64_t released = release_period(t, r, c, &am);

        if (released < 0)
            return (int)released;
        added -= (uint64_t)released;
    }
    st->secondary += added;
    for (i = 0; i < t->ncells_per_period; i++) {
        int64_t v = c[i].count;

        st->cells++;
        if (is_suppressed(&c[i])) {
            c[i].published = 0;
            continue;
        }
        if (pt && dp->perturbation == PERTURB_CELLKEY && v > 0) {
            int noise = ptable_noise(pt, v, c[i].ckey);

            v += noise;
            if (v < 0)
                v = 0;
            c[i].status = CELL_PERTURBED;
            st->perturbed++;
        }
        c[i].published = round_to(v, dp->rounding);
        if (c[i].status == CELL_OK && dp->rounding > 1 &&
            c[i].published != c[i].count) {
            c[i].status = CELL_ROUNDED;
            st->rounded++;
        }
    }
    return 0;
}

struct period_call {
    struct count_table *t;
    const struct relations *r;
    const struct disclosure_plan *dp;
    const struct ptable *pt;
    int p;
    struct disclosure_stats *st;
};

static int
protect_period_call(void *arg)
{
    const struct period_call *pc = arg;

    return protect_period(pc->t, pc->r, pc->dp, pc->pt, pc->p, pc->st);
}

/* protect_period() under glpk_call(). */
static int
protect_period_guarded(struct count_table *t, const struct relations *r,
                       const struct disclosure_plan *dp,
                       const struct ptable *pt, int p,
                       struct disclosure_stats *st)
{
    struct period_call pc;

    pc.t = t;
    pc.r = r;
    pc.dp = dp;
    pc.pt = pt;
    pc.p = p;
    pc.st = st;
    return glpk_call(protect_period_call, &pc);
}

/* Periods are independent: workers take the next one until none is left. */
struct protect_work {
    struct count_table *t;
    const struct relations *r;
    const struct disclosure_plan *dp;
    const struct ptable *pt;
    struct disclosure_stats *per_period;
    int *rcs;
    int next;                    /* taken under lock */
    pthread_mutex_t lock;
};

static void *
protect_worker(void *arg)
{
    struct protect_work *w = arg;

    for (;;) {
        int p;

        pthread_mutex_lock(&w->lock);
        p = w->next++;
        pthread_mutex_unlock(&w->lock);
        if (p >= w->t->nperiods)
            break;
        w->rcs[p] = protect_period_guarded(w->t, w->r, w->dp, w->pt, p,
                                           &w->per_period[p]);
    }
    glp_free_env(); /* this thread's GLPK environment */
    return NULL;
}

int
disclosure_protect(struct count_table *t, const struct disclosure_plan *dp,
                   const struct ptable *pt, int threads,
                   struct disclosure_stats *st, struct diag *d)
{
    struct relations r;
    struct protect_work w;
    pthread_t tid[16];
    int p, rc = 0, n = 0, k;

    memset(st, 0, sizeof(*st));
    if ((rc = relations_build(t, &r)) < 0) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return rc;
    }
    memset(&w, 0, sizeof(w));
    w.t = t;
    w.r = &r;
    w.dp = dp;
    w.pt = pt;
    w.per_period = calloc((size_t)t->nperiods, sizeof(*w.per_period));
    w.rcs = calloc((size_t)t->nperiods, sizeof(int));
    if (!w.per_period || !w.rcs) {
        free(w.per_period);
        free(w.rcs);
        relations_release(&r);
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    pthread_mutex_init(&w.lock, NULL);
    /* GLPK keeps its state per thread only when built reentrant */
    if (threads > 16)
        threads = 16;
    if (threads > t->nperiods)
        threads = t->nperiods;
    if (threads > 1 && glp_config("TLS") != NULL)
        for (n = 0; n < threads; n++)
            if (pthread_create(&tid[n], NULL, protect_worker, &w) != 0)
                break;
    if (n == 0)
        for (p = 0; p < t->nperiods; p++)
            w.rcs[p] = protect_period_guarded(t, &r, dp, pt, p,
                                              &w.per_period[p]);
    for (k = 0; k < n; k++)
        pthread_join(tid[k], NULL);
    /* added in period order, so the totals never depend on scheduling */
    for (p = 0; p < t->nperiods; p++) {
        if (w.rcs[p] < 0 && rc == 0)
            rc = w.rcs[p];
        st->cells += w.per_period[p].cells;
        st->suppressed += w.per_period[p].suppressed;
        st->secondary += w.per_period[p].secondary;
        st->rounded += w.per_period[p].rounded;
        st->perturbed += w.per_period[p].perturbed;
    }
    if (rc < 0)
        diag_set(d, NULL, 0, 0, "disclosure",
                 rc == CE_NOMEM ? "out of memory"
                                : "the suppression audit's linear program "
                                  "failed");
    pthread_mutex_destroy(&w.lock);
    free(w.per_period);
    free(w.rcs);
    relations_release(&r);
    return rc;
}

uint64_t
disclosure_publish_count(const struct disclosure_plan *dp,
                         const struct ptable *pt, uint64_t n, uint32_t ckey)
{
    struct attacker am;
    int64_t v;

    attacker_init(&am, dp);
    if (n > (uint64_t)INT64_MAX / 2)
        return COUNT_WITHHELD;
    v = (int64_t)n;
    if (primary(&am, v))
        return COUNT_WITHHELD;
    if (pt && dp->perturbation == PERTURB_CELLKEY && v > 0) {
        v += ptable_noise(pt, v, ckey & 0xFF);
        if (v < 0)
            v = 0;
    }
    return (uint64_t)round_to(v, dp->rounding);
}

int
disclosure_publish(const struct count_table *t, struct published_table *out)
{
    size_t j, i, n = (size_t)t->nperiods * t->ncells_per_period;

    memset(out, 0, sizeof(*out));
    out->nperiods = t->nperiods;
    out->nby = t->nby;
    out->ncells_per_period = t->ncells_per_period;
    for (j = 0; j < t->nby; j++) {
        out->dim_n[j] = t->dim_n[j];
        out->dim_labels[j] = calloc(t->dim_n[j] ? t->dim_n[j] : 1,
                                    sizeof(char *));
        if (!out->dim_labels[j])
            goto nomem;
        for (i = 0; i < t->dim_n[j]; i++)
            if (!(out->dim_labels[j][i] = strdup(t->dim_labels[j][i])))
                goto nomem;
    }
    out->cells = calloc(n ? n : 1, sizeof(*out->cells));
    if (!out->cells)
        goto nomem;
    for (i = 0; i < n; i++) {
        const struct table_cell *c = &t->cells[i];
        struct published_cell *o = &out->cells[i];

        memcpy(o->coord, c->coord, sizeof(o->coord));
        if (is_suppressed(c)) {
            o->symbol = PUB_CONFIDENTIAL;
            o->value = 0;
        } else {
            o->symbol = PUB_SHOWN;
            o->value = c->published;
        }
    }
    return 0;
nomem:
    published_table_release(out);
    return CE_NOMEM;
}
