#include "hypercube.h"

#include <glpk.h>
#include <math.h>
#include <string.h>

/* Hypercubes tried per primary cell, at most. */
#define PATTERNS_MAX 400000
/* Patterns cheaper than the cheapest that protects alone, tried with the
 * attacker's program before it. */
#define CANDIDATES 24
/* Stored extreme points of the release pass: primaries x hidden cells x 2
 * doubles, at most (else secondary cells are kept, which is safe). */
#define RELEASE_MAX_ENTRIES (4u << 20)

#define EPS 1e-6

/* ---- the hypercube heuristic ------------------------------------------ */

/* Where the cells of a period are. */
struct shape {
    size_t nby;
    uint32_t dim_n[TABLE_MAX_DIMS];
    size_t stride[TABLE_MAX_DIMS]; /* interior index step per dimension */
    size_t moff[TABLE_MAX_DIMS];   /* index of dimension j's margin 0 */
    size_t ninterior, n;
};

static void
shape_init(struct shape *sh, const struct count_table *t)
{
    size_t j, off = t->ninterior, st = 1;

    memset(sh, 0, sizeof(*sh));
    sh->nby = t->nby;
    sh->ninterior = t->ninterior;
    sh->n = t->ncells_per_period;
    for (j = t->nby; j-- > 0;) {
        sh->dim_n[j] = t->dim_n[j];
        sh->stride[j] = st;
        st *= t->dim_n[j];
    }
    for (j = 0; j < t->nby; j++) {
        sh->moff[j] = off;
        off += t->dim_n[j];
    }
}

static size_t
interior_index(const struct shape *sh, const uint32_t *coord)
{
    size_t j, i = 0;

    for (j = 0; j < sh->nby; j++)
        i += coord[j] * sh->stride[j];
    return i;
}

#define PAT_MAX (1 + (1u << TABLE_MAX_DIMS) + TABLE_MAX_DIMS + 2)

/* The best pattern found for one primary cell. */
struct search {
    const struct secondary_period *s;
    size_t p;
    size_t forbid;   /* a cell no pattern may hide (SIZE_MAX: none) */
    double need_dn, need_up, width;
    size_t tried;
    /* best protecting pattern */
    size_t best[PAT_MAX], nbest;
    double best_cost;
    size_t best_new;
    /* best pattern that does not protect alone, by its reach */
    size_t part[PAT_MAX], npart;
    double part_score;
    /* the cheapest patterns, cheapest first: with the rounding's slack
     * and the cells already hidden, one that does not protect alone may
     * (the attacker decides) */
    struct {
        size_t cell[PAT_MAX], k;
        double cost;
    } cand[CANDIDATES];
    size_t ncand;
};

/*
 * One candidate: cells cell[0..k-1] with signs sign[] (+1/-1), cell[0]
 * the primary's side. Moving the true counts by +t on the + cells and -t
 * on the - cells keeps every relation, so hidden, the pattern lets the
 * primary move down by the smallest + count and up by the smallest -
 * count.
 */
static void
consider(struct search *se, const size_t *cell, const int *sign, size_t k)
{
    const struct secondary_period *s = se->s;
    double down = HUGE_VAL, up = HUGE_VAL, cost = 0.0, score;
    size_t i, fresh = 0;
    int flip;

    se->tried++;
    for (i = 0; i < k && cell[i] != se->p; i++)
        ;
    if (i == k)
        return; /* not through the primary */
    flip = sign[i];
    for (i = 0; i < k; i++)
        if (cell[i] == se->forbid)
            return;
    for (i = 0; i < k; i++) {
        const struct table_cell *x = &s->c[cell[i]];
        double a = (double)x->count;

        if (x->status == CELL_STRUCTURAL ||
            (x->status == CELL_OK && !secondary_candidate(s, cell[i])))
            return;
        if (sign[i] * flip > 0) {
            if (a < down)
                down = a;
        } else if (a < up) {
            up = a;
        }
        if (x->status == CELL_OK) {
            cost += s->w[cell[i]];
            fresh++;
        }
    }
    if (fresh > 0 && (se->nbest == 0 || cost < se->best_cost - 1e-9) &&
        (se->ncand < CANDIDATES || cost < se->cand[se->ncand - 1].cost)) {
        size_t at = se->ncand < CANDIDATES ? se->ncand++ : CANDIDATES - 1;

        while (at > 0 && se->cand[at - 1].cost > cost) {
            se->cand[at] = se->cand[at - 1];
            at--;
        }
        memcpy(se->cand[at].cell, cell, k * sizeof(*cell));
        se->cand[at].k = k;
        se->cand[at].cost = cost;
    }
    if (se->width > 0 ? down + up >= se->width - EPS
                      : down >= se->need_dn - EPS && up >= se->need_up - EPS) {
        if (se->nbest == 0 || cost < se->best_cost - 1e-9 ||
            (cost <= se->best_cost + 1e-9 && fresh < se->best_new)) {
            memcpy(se->best, cell, k * sizeof(*cell));
            se->nbest = k;
            se->best_cost = cost;
            se->best_new = fresh;
        }
        return;
    }
    score = se->width > 0
                ? down + up
                : fmin(se->need_dn > 0 ? down / se->need_dn : HUGE_VAL,
                       se->need_up > 0 ? up / se->need_up : HUGE_VAL);
    if (se->npart == 0 || score > se->part_score + 1e-9) {
        memcpy(se->part, cell, k * sizeof(*cell));
        se->npart = k;
        se->part_score = score;
    }
}

/* The cubes of interior cell q over the dimensions in mask (two or more):
 * every choice of another value in each, 2^|mask| cells with the sign of
 * the number of values changed. */
static void
cubes(struct search *se, const struct shape *sh, const uint32_t *q,
      unsigned mask)
{
    uint32_t alt[TABLE_MAX_DIMS], dims[TABLE_MAX_DIMS];
    size_t nd = 0, j, cell[PAT_MAX];
    int sign[PAT_MAX];

    for (j = 0; j < sh->nby; j++)
        if (mask & (1u << j)) {
            if (sh->dim_n[j] < 2)
                return;
            dims[nd++] = (uint32_t)j;
        }
    for (j = 0; j < nd; j++)
        alt[j] = q[dims[j]] == 0 ? 1 : 0;
    for (;;) {
        unsigned sub;

        if (se->tried >= PATTERNS_MAX)
            return;
        for (sub = 0; sub < (1u << nd); sub++) {
            uint32_t co[TABLE_MAX_DIMS];
            int odd = 0;

            memcpy(co, q, sizeof(co));
            for (j = 0; j < nd; j++)
                if (sub & (1u << j)) {
                    co[dims[j]] = alt[j];
                    odd ^= 1;
                }
            cell[sub] = interior_index(sh, co);
            sign[sub] = odd ? -1 : 1;
        }
        consider(se, cell, sign, (size_t)1 << nd);
        /* next combination of other values */
        for (j = 0; j < nd; j++) {
            do
                alt[j]++;
            while (alt[j] == q[dims[j]]);
            if (alt[j] < sh->dim_n[dims[j]])
                break;
            alt[j] = q[dims[j]] == 0 ? 1 : 0;
        }
        if (j == nd)
            return;
    }
}

/* Patterns through interior cell q that use margins: along one
 * dimension j with the two margins of the values swapped (q+, q'-,
 * M_j(q_j)+, M_j(v)-), for every j when only_dim is SIZE_MAX, for j =
 * only_dim else (none when only_dim >= nby); and q with every one of its
 * margins and the total (all +). With one by column: q with another cell
 * (q+, q'-) and q with the total (both +). */
static void
margin_patterns(struct search *se, const struct shape *sh, const uint32_t *q,
                size_t only_dim)
{
    size_t cell[PAT_MAX], j, k;
    int sign[PAT_MAX];
    uint32_t v;

    if (sh->nby == 1) {
        for (k = 0; k < sh->ninterior && only_dim == SIZE_MAX; k++) {
            if (k == q[0])
                continue;
            cell[0] = q[0];
            sign[0] = 1;
            cell[1] = k;
            sign[1] = -1;
            consider(se, cell, sign, 2);
        }
        cell[0] = q[0];
        sign[0] = 1;
        cell[1] = sh->n - 1;
        sign[1] = 1;
        consider(se, cell, sign, 2);
        return;
    }
    for (j = 0; j < sh->nby; j++) {
        uint32_t co[TABLE_MAX_DIMS];

        if (only_dim != SIZE_MAX && j != only_dim)
            continue;
        memcpy(co, q, sizeof(co));
        for (v = 0; v < sh->dim_n[j]; v++) {
            if (v == q[j])
                continue;
            co[j] = v;
            cell[0] = interior_index(sh, q);
            sign[0] = 1;
            cell[1] = interior_index(sh, co);
            sign[1] = -1;
            cell[2] = sh->moff[j] + q[j];
            sign[2] = 1;
            cell[3] = sh->moff[j] + v;
            sign[3] = -1;
            consider(se, cell, sign, 4);
        }
    }
    cell[0] = interior_index(sh, q);
    sign[0] = 1;
    for (j = 0; j < sh->nby; j++) {
        cell[1 + j] = sh->moff[j] + q[j];
        sign[1 + j] = 1;
    }
    cell[1 + sh->nby] = sh->n - 1;
    sign[1 + sh->nby] = 1;
    consider(se, cell, sign, sh->nby + 2);
}

/* Every pattern through primary cell p. */
static void
search_patterns(struct search *se, const struct shape *sh)
{
    const struct table_cell *c = se->s->c;
    size_t p = se->p, i, j;

    if (p < sh->ninterior) {
        unsigned mask;

        margin_patterns(se, sh, c[p].coord, SIZE_MAX);
        for (mask = 0; sh->nby >= 2 && mask < (1u << sh->nby); mask++) {
            unsigned bits = 0, m;

            for (m = mask; m; m &= m - 1)
                bits++;
            if (bits >= 2)
                cubes(se, sh, c[p].coord, mask);
        }
        return;
    }
    /* a margin or the total: the patterns through it of the interior
     * cells it sums */
    for (j = 0; j < sh->nby; j++)
        if (p >= sh->moff[j] && p < sh->moff[j] + sh->dim_n[j])
            break;
    for (i = 0; i < sh->ninterior && se->tried < PATTERNS_MAX; i++) {
        if (p == sh->n - 1 || sh->nby == 1)
            margin_patterns(se, sh, c[i].coord, sh->nby); /* no pairs */
        else if (j < sh->nby && c[i].coord[j] == p - sh->moff[j])
            margin_patterns(se, sh, c[i].coord, j);
    }
}

/* Hides the cells of a pattern; each newly hidden cell's bounds change in
 * the attacker's program, and goes to changed[] when given. */
static void
hide(struct secondary_period *s, struct attack_lp *lp, const size_t *cell, size_t k,
     int64_t *added, size_t *changed, size_t *nchanged)
{
    size_t i;

    for (i = 0; i < k; i++) {
        struct table_cell *x = &s->c[cell[i]];

        if (x->status != CELL_OK)
            continue;
        x->status = CELL_SECONDARY;
        (*added)++;
        attack_lp_set(lp, s->r, cell[i], -(double)x->count, HUGE_VAL);
        if (changed)
            changed[(*nchanged)++] = cell[i];
    }
}

/* Publishes again the cells hide() changed. */
static void
unhide(struct secondary_period *s, struct attack_lp *lp, const size_t *changed, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        s->c[changed[i]].status = CELL_OK;
        attack_lp_set(lp, s->r, changed[i], s->plo[changed[i]],
                      s->phi[changed[i]]);
    }
}

/* 1 when primary p keeps its protection in the program as it is. */
static int
keeps(struct secondary_period *s, struct attack_lp *lp, size_t p, int *rc)
{
    double up, dn;

    if ((*rc = attack_lp_extreme(lp, s->r, p, +1, &up, NULL, NULL)) < 0 ||
        (*rc = attack_lp_extreme(lp, s->r, p, -1, &dn, NULL, NULL)) < 0)
        return 0;
    return audit_range_safe(s->am, s->c[p].count,
                            (double)s->c[p].count - dn,
                            up >= HUGE_VAL ? -1.0
                                           : (double)s->c[p].count + up);
}

/* Cells by cost, dearest first, lowest index on ties (insertion sort: no
 * qsort context argument, and periods run in threads). */
static void
sort_dearest_first(const struct secondary_period *s, size_t *order, size_t n)
{
    size_t i;

    for (i = 1; i < n; i++) {
        size_t x = order[i], j = i;

        while (j > 0 && (s->w[order[j - 1]] < s->w[x] ||
                         (s->w[order[j - 1]] == s->w[x] && order[j - 1] > x))) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = x;
    }
}

/* The cells hidden since a point, to publish again if need be. */
struct undo {
    size_t *cell;     /* s->n entries: a cell is hidden once at most */
    size_t n;
};

/*
 * Protects primary p with the cheapest pattern the attacker accepts whose
 * new cells cost less than budget and do not include forbid: first the
 * cheapest patterns that need the rounding's slack or cells already
 * hidden (tried with the attacker's program), then the cheapest that
 * protects alone. The cells hidden go to u. 1 when p is protected; 0
 * when no pattern does it -- nothing hidden, or with partial the pattern
 * that reaches furthest; or a negative error.
 */
static int
protect_one(struct secondary_period *s, struct attack_lp *lp, const struct shape *sh,
            size_t p, double budget, size_t forbid, int partial,
            struct undo *u)
{
    struct search *se = glp_alloc(1, sizeof(*se));
    int64_t count = 0;
    size_t i, mark;
    int rc = 0, done = 0;

    memset(se, 0, sizeof(*se));
    se->s = s;
    se->p = p;
    se->forbid = forbid;
    audit_requirement(s->am, s->c[p].count, &se->need_dn, &se->need_up,
                      &se->width);
    search_patterns(se, sh);
    for (i = 0; i < se->ncand && !done; i++) {
        if (se->cand[i].cost >= budget ||
            (se->nbest && se->cand[i].cost >= se->best_cost - 1e-9))
            break;
        mark = u->n;
        hide(s, lp, se->cand[i].cell, se->cand[i].k, &count, u->cell, &u->n);
        done = keeps(s, lp, p, &rc);
        if (rc < 0)
            goto out;
        if (!done) {
            unhide(s, lp, u->cell + mark, u->n - mark);
            u->n = mark;
        }
    }
    if (!done && se->nbest && se->best_cost < budget) {
        hide(s, lp, se->best, se->nbest, &count, u->cell, &u->n);
        done = 1;
    } else if (!done && partial && se->npart) {
        hide(s, lp, se->part, se->npart, &count, u->cell, &u->n);
    }
out:
    glp_free(se);
    return rc < 0 ? rc : done;
}

/* The attacker's program of the period as its cells now stand. */
static int
period_lp(struct secondary_period *s, struct attack_lp *lp)
{
    double *zlo = glp_alloc((int)s->n, sizeof(double));
    double *zhi = glp_alloc((int)s->n, sizeof(double));
    size_t i;
    int rc;

    for (i = 0; i < s->n; i++)
        audit_cell_bounds(s->am, s->c[i].count, s->c[i].status, &zlo[i],
                          &zhi[i]);
    rc = attack_lp_build(lp, s->r, s->n, zlo, zhi, 0);
    glp_free(zlo);
    glp_free(zhi);
    return rc;
}

/* A pattern for every primary the attacker narrows; *open is set when
 * one had none that protects it (the greedy pass then finishes). */
int
hypercube_protect(struct secondary_period *s, int *open)
{
    struct attack_lp lp;
    struct shape sh;
    struct undo u;
    size_t k;
    int rc;

    shape_init(&sh, s->t);
    if ((rc = period_lp(s, &lp)) < 0)
        return rc;
    u.cell = glp_alloc((int)s->n, sizeof(size_t));
    u.n = 0;
    for (k = 0; k < s->np; k++) {
        size_t p = s->prim[k];

        if (keeps(s, &lp, p, &rc) || rc < 0) {
            if (rc < 0)
                break;
            continue;
        }
        rc = protect_one(s, &lp, &sh, p, HUGE_VAL, SIZE_MAX, 1, &u);
        if (rc < 0)
            break;
        if (rc == 0)
            *open = 1;
        rc = 0;
    }
    glp_free(u.cell);
    attack_lp_release(&lp);
    return rc < 0 ? rc : 0;
}

/*
 * Each secondary cell, dearest first, is published and the primaries it
 * leaves short are protected again without it; the exchange stands when
 * the new cells cost less than it, else it is undone.
 */
int
hypercube_exchange(struct secondary_period *s)
{
    struct attack_lp lp;
    struct shape sh;
    struct undo u;
    size_t *order, ns = 0, i, k, q;
    int rc;

    shape_init(&sh, s->t);
    for (i = 0; i < s->n; i++)
        ns += s->c[i].status == CELL_SECONDARY;
    if (ns == 0)
        return 0;
    if ((rc = period_lp(s, &lp)) < 0)
        return rc;
    order = glp_alloc((int)ns, sizeof(size_t));
    u.cell = glp_alloc((int)s->n, sizeof(size_t));
    ns = 0;
    for (i = 0; i < s->n; i++)
        if (s->c[i].status == CELL_SECONDARY)
            order[ns++] = i;
    sort_dearest_first(s, order, ns);
    for (q = 0; q < ns && rc == 0; q++) {
        size_t cell = order[q];
        double spent = 0.0;
        int ok = 1;

        if (s->c[cell].status != CELL_SECONDARY)
            continue;
        s->c[cell].status = CELL_OK;
        attack_lp_set(&lp, s->r, cell, s->plo[cell], s->phi[cell]);
        u.n = 0;
        for (k = 0; k < s->np && ok; k++) {
            size_t p = s->prim[k];
            int kept = keeps(s, &lp, p, &rc);

            if (rc < 0)
                break;
            if (kept)
                continue;
            rc = protect_one(s, &lp, &sh, p, s->w[cell] - spent - 1e-9, cell,
                             0, &u);
            ok = rc > 0;
            for (spent = 0.0, i = 0; i < u.n; i++)
                spent += s->w[u.cell[i]];
        }
        if (rc < 0)
            break;
        rc = 0;
        if (ok && spent < s->w[cell] - 1e-9)
            continue;
        unhide(s, &lp, u.cell, u.n);
        s->c[cell].status = CELL_SECONDARY;
        attack_lp_set(&lp, s->r, cell, -(double)s->c[cell].count, HUGE_VAL);
    }
    glp_free(order);
    glp_free(u.cell);
    attack_lp_release(&lp);
    return rc;
}

/* ---- the greedy last resort ------------------------------------------- */

/* The best further cell to hide in relation ri: the smallest non-zero
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

            if (x->status != CELL_OK || (pass == 0 && x->count == 0))
                continue;
            if (best == (size_t)-1 || x->count < c[best].count)
                best = r->members[m];
        }
    return best;
}

/* Until the attacker narrows no primary: hide the best candidate of a
 * relation holding the weak cell (or of any relation that pins a hidden
 * cell). Hiding a cell only removes a constraint from the attacker's
 * program, so a cell found safe stays safe: each round resumes where the
 * last one found a weak cell. */
int
hypercube_greedy(struct secondary_period *s)
{
    size_t ri, m, rounds, from = 0;

    for (rounds = 0; rounds < s->n; rounds++) {
        size_t weak, best = (size_t)-1;
        int rc;

        if ((rc = audit_first_weak(s->t, s->r, s->c, s->am, from, &weak)) < 0)
            return rc;
        if (weak == (size_t)-1)
            return 0;
        from = weak;
        for (ri = 0; ri < s->r->n; ri++) {
            int holds = 0;
            size_t cand;

            for (m = s->r->first[ri]; m < s->r->first[ri + 1]; m++)
                holds |= s->r->members[m] == weak;
            if (!holds || (cand = pick(s->r, ri, s->c)) == (size_t)-1)
                continue;
            if (best == (size_t)-1 || s->c[cand].count < s->c[best].count)
                best = cand;
        }
        for (ri = 0; best == (size_t)-1 && ri < s->r->n; ri++) {
            int pins = 0;
            size_t cand;

            for (m = s->r->first[ri]; m < s->r->first[ri + 1]; m++)
                pins |= audit_hidden(&s->c[s->r->members[m]]);
            if (!pins || (cand = pick(s->r, ri, s->c)) == (size_t)-1)
                continue;
            best = cand;
        }
        if (best == (size_t)-1)
            return 0; /* everything is hidden: nothing is pinned */
        s->c[best].status = CELL_SECONDARY;
    }
    return 0;
}

/* ---- publishing unneeded secondary cells again ------------------------ */

/*
 * Each secondary cell, dearest first, is published again when every
 * primary still keeps its protection. The attacker's extreme points of
 * each primary are kept (over the hidden cells): when the released cell's
 * value in both lies within what its published value allows, they are
 * still feasible, so the primary's range is at least what they reach and
 * nothing is solved again.
 */
int
hypercube_release(struct secondary_period *s)
{
    struct attack_lp lp;
    size_t *hid, *pos, *order, nh = 0, ns = 0, i, k, q;
    double *zlo, *zhi, *xup, *xdn, *vup, *vdn;
    int rc = 0;

    for (i = 0; i < s->n; i++) {
        nh += audit_hidden(&s->c[i]);
        ns += s->c[i].status == CELL_SECONDARY;
    }
    if (ns == 0 || (double)s->np * (double)nh * 2.0 > RELEASE_MAX_ENTRIES)
        return 0;
    hid = glp_alloc((int)nh, sizeof(size_t));
    order = glp_alloc((int)ns, sizeof(size_t));
    pos = glp_alloc((int)s->n, sizeof(size_t));
    nh = ns = 0;
    for (i = 0; i < s->n; i++) {
        pos[i] = (size_t)-1;
        if (audit_hidden(&s->c[i])) {
            pos[i] = nh;
            hid[nh++] = i;
        }
        if (s->c[i].status == CELL_SECONDARY)
            order[ns++] = i;
    }
    sort_dearest_first(s, order, ns);
    zlo = glp_alloc((int)s->n, sizeof(double));
    zhi = glp_alloc((int)s->n, sizeof(double));
    xup = glp_alloc((int)(s->np * nh) + 1, sizeof(double));
    xdn = glp_alloc((int)(s->np * nh) + 1, sizeof(double));
    vup = glp_alloc((int)s->np + 1, sizeof(double));
    vdn = glp_alloc((int)s->np + 1, sizeof(double));
    for (i = 0; i < s->n; i++)
        audit_cell_bounds(s->am, s->c[i].count, s->c[i].status, &zlo[i],
                          &zhi[i]);
    if ((rc = attack_lp_build(&lp, s->r, s->n, zlo, zhi, 0)) < 0)
        goto out;

#define SOLVE(k_)                                                            \
    do {                                                                     \
        size_t p_ = s->prim[k_], h_;                                         \
        if ((rc = attack_lp_extreme(&lp, s->r, p_, +1, &vup[k_], NULL,       \
                                    NULL)) < 0)                              \
            goto out;                                                        \
        for (h_ = 0; h_ < nh; h_++)                                          \
            xup[(k_) * nh + h_] = attack_lp_value(&lp, hid[h_]);             \
        if ((rc = attack_lp_extreme(&lp, s->r, p_, -1, &vdn[k_], NULL,       \
                                    NULL)) < 0)                              \
            goto out;                                                        \
        for (h_ = 0; h_ < nh; h_++)                                          \
            xdn[(k_) * nh + h_] = attack_lp_value(&lp, hid[h_]);             \
    } while (0)

    for (k = 0; k < s->np; k++)
        SOLVE(k);
    for (q = 0; q < ns; q++) {
        size_t cell = order[q], h = pos[cell], failed = (size_t)-1;
        double plo = s->plo[cell], phi = s->phi[cell];

        attack_lp_set(&lp, s->r, cell, plo, phi);
        s->c[cell].status = CELL_OK;
        for (k = 0; k < s->np; k++) {
            size_t p = s->prim[k];
            int64_t a = s->c[p].count;
            int fits = vup[k] < HUGE_VAL && vdn[k] < HUGE_VAL &&
                       xup[k * nh + h] >= plo - EPS &&
                       xup[k * nh + h] <= phi + EPS &&
                       xdn[k * nh + h] >= plo - EPS &&
                       xdn[k * nh + h] <= phi + EPS;

            if (fits && audit_range_safe(s->am, a, (double)a - vdn[k],
                                         (double)a + vup[k]))
                continue;
            SOLVE(k);
            if (!audit_range_safe(s->am, a, (double)a - vdn[k],
                                  vup[k] >= HUGE_VAL ? -1.0
                                                     : (double)a + vup[k])) {
                failed = k;
                break;
            }
        }
        if (failed == (size_t)-1) {
            continue;
        }
        /* keep it hidden; the failed primary's points were found with the
         * cell published: find them again as it is */
        s->c[cell].status = CELL_SECONDARY;
        attack_lp_set(&lp, s->r, cell, -(double)s->c[cell].count, HUGE_VAL);
        SOLVE(failed);
    }
#undef SOLVE
out:
    attack_lp_release(&lp);
    glp_free(hid);
    glp_free(order);
    glp_free(pos);
    glp_free(zlo);
    glp_free(zhi);
    glp_free(xup);
    glp_free(xdn);
    glp_free(vup);
    glp_free(vdn);
    return rc;
}

