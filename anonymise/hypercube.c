#include "hypercube.h"


#include <glpk.h>
#include <math.h>
#include <string.h>

/* Hypercubes tried per primary cell, at most. */
#define PATTERNS_MAX 400000
/* Patterns cheaper than the cheapest that protects alone, tried with the
 * attacker's program before it. */
#define CANDIDATES 24

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
    size_t forbid; /* a cell no pattern may hide (SIZE_MAX: none) */
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

/* ---- the attacker's certificates ------------------------------------ */

/*
 * The heuristic's state over one period: the attacker's program as the
 * cells stand, and per primary cell a certificate of each side -- the
 * furthest deviation upwards and downwards any point the attacker's
 * program gave so far reached, and the secondary cells that point needs
 * hidden (those whose deviation there their published value does not
 * allow). Every point is a table the published cells allow, so a
 * certificate whose two deviations keep the protection proves it. Hiding
 * more cells keeps every point feasible; publishing a secondary cell again
 * drops the certificates that need it (the true counts, deviation 0 and
 * needing nothing, are what is left), and the primary is solved again
 * when next asked. Every solve's point is offered to every primary, not
 * only to the one solved for: the point that takes one cell to its
 * extreme takes many others far, and most primaries are proved by points
 * found for others. So the attacker is solved less than once per primary,
 * not once per primary and candidate.
 */
struct cert {
    double v;     /* deviation reached, >= 0 (0: the true counts) */
    size_t *need; /* secondary cells the point needs hidden */
    size_t n, cap;
};

struct hc {
    struct secondary_period *s;
    struct attack_lp lp;
    struct shape sh;
    struct cert *up, *dn; /* per primary (index into s->prim) */
    size_t *pidx;         /* per cell: its index in s->prim */
    size_t *need;         /* the last point's secondary cells needed */
    size_t nneed;
    size_t *secs; /* the secondary cells, in the order hidden */
    size_t nsecs;
};

static int
hc_init(struct hc *h, struct secondary_period *s)
{
    double *zlo = glp_alloc((int)s->n, sizeof(double));
    double *zhi = glp_alloc((int)s->n, sizeof(double));
    size_t i;
    int rc;

    memset(h, 0, sizeof(*h));
    h->s = s;
    shape_init(&h->sh, s->t);
    for (i = 0; i < s->n; i++)
        audit_cell_bounds(s->am, s->c[i].count, s->c[i].status, &zlo[i],
                          &zhi[i]);
    rc = attack_lp_build(&h->lp, s->r, s->n, zlo, zhi, 0);
    glp_free(zlo);
    glp_free(zhi);
    if (rc < 0)
        return rc;
    h->up = glp_alloc((int)s->np + 1, sizeof(struct cert));
    h->dn = glp_alloc((int)s->np + 1, sizeof(struct cert));
    memset(h->up, 0, (s->np + 1) * sizeof(struct cert));
    memset(h->dn, 0, (s->np + 1) * sizeof(struct cert));
    h->pidx = glp_alloc((int)s->n, sizeof(size_t));
    h->need = glp_alloc((int)s->n, sizeof(size_t));
    h->secs = glp_alloc((int)s->n, sizeof(size_t));
    for (i = 0; i < s->np; i++)
        h->pidx[s->prim[i]] = i;
    for (i = 0; i < s->n; i++)
        if (s->c[i].status == CELL_SECONDARY)
            h->secs[h->nsecs++] = i;
    return 0;
}

/* glp_free() refuses NULL. */
static void
free_if(void *p)
{
    if (p)
        glp_free(p);
}

static void
hc_release(struct hc *h)
{
    size_t i;

    if (!h->s)
        return;
    attack_lp_release(&h->lp);
    for (i = 0; h->up && i < h->s->np; i++) {
        free_if(h->up[i].need);
        free_if(h->dn[i].need);
    }
    free_if(h->up);
    free_if(h->dn);
    free_if(h->pidx);
    free_if(h->need);
    free_if(h->secs);
    memset(h, 0, sizeof(*h));
}

/* 1 when the range count - down .. count + up keeps p's protection. */
static int
hc_enough(const struct hc *h, size_t p, double up, double down)
{
    int64_t a = h->s->c[p].count;

    return audit_range_safe(h->s->am, a, (double)a - down,
                            up >= HUGE_VAL ? -1.0 : (double)a + up);
}

/* 1 when primary p's certificates prove its protection. */
static int
hc_safe(const struct hc *h, size_t p)
{
    size_t k = h->pidx[p];

    return hc_enough(h, p, h->up[k].v, h->dn[k].v);
}

/* The point of the last solve's secondary cells it needs hidden. */
static void
hc_point_needs(struct hc *h)
{
    const struct secondary_period *s = h->s;
    size_t k;

    h->nneed = 0;
    for (k = 0; k < h->nsecs; k++) {
        size_t i = h->secs[k];
        double z = attack_lp_value(&h->lp, i);

        if (z < s->plo[i] - EPS || z > s->phi[i] + EPS)
            h->need[h->nneed++] = i;
    }
}

/* Certificate c becomes the last point, at deviation v. */
static void
cert_take(struct hc *h, struct cert *c, double v)
{
    if (h->nneed > c->cap) {
        free_if(c->need);
        c->need = glp_alloc((int)h->nneed, sizeof(size_t));
        c->cap = h->nneed;
    }
    if (h->nneed > 0)
        memcpy(c->need, h->need, h->nneed * sizeof(size_t));
    c->n = h->nneed;
    c->v = v;
}

/* Offers the last solve's point to every primary's certificates. */
static void
hc_harvest(struct hc *h)
{
    const struct secondary_period *s = h->s;
    size_t k;

    hc_point_needs(h);
    for (k = 0; k < s->np; k++) {
        double z = attack_lp_value(&h->lp, s->prim[k]);

        if (z > h->up[k].v + EPS)
            cert_take(h, &h->up[k], z);
        else if (-z > h->dn[k].v + EPS)
            cert_take(h, &h->dn[k], -z);
    }
}

/* Solves the attacker for primary p (downwards first: from the last
 * point that is the shorter way), offering both points to every
 * certificate: 1 when p keeps its protection, 0 when not, or a negative
 * error. */
static int
hc_solve(struct hc *h, size_t p)
{
    double up, down = h->dn[h->pidx[p]].v;
    int rc;

    /* a hidden cell goes no lower than 0: a certificate that reaches it
     * already has the downward extreme */
    if (down < (double)h->s->c[p].count - EPS) {
        if ((rc = attack_lp_extreme(&h->lp, h->s->r, p, -1, &down, NULL,
                                    NULL)) < 0)
            return rc;
        if (down < HUGE_VAL)
            hc_harvest(h);
    }
    if ((rc = attack_lp_extreme(&h->lp, h->s->r, p, +1, &up, NULL, NULL)) < 0)
        return rc;
    if (up < HUGE_VAL)
        hc_harvest(h);
    return hc_enough(h, p, up, down);
}

/* 1 when p keeps its protection, by its certificates or by solving. */
static int
hc_keeps(struct hc *h, size_t p, int *rc)
{
    *rc = 0;
    if (hc_safe(h, p))
        return 1;
    *rc = hc_solve(h, p);
    if (*rc < 0)
        return 0;
    return *rc;
}

/* Hides cell i as a secondary. */
static void
hc_hide(struct hc *h, size_t i)
{
    struct table_cell *x = &h->s->c[i];

    x->status = CELL_SECONDARY;
    attack_lp_set(&h->lp, h->s->r, i, -(double)x->count, HUGE_VAL);
    h->secs[h->nsecs++] = i;
}

/* Drops certificate c when its point needs cell i hidden. */
static void
cert_drop_if(struct cert *c, size_t i)
{
    size_t k;

    for (k = 0; k < c->n; k++)
        if (c->need[k] == i) {
            c->v = 0.0;
            c->n = 0;
            return;
        }
}

/* Publishes secondary cell i again; drops every certificate whose point
 * needs it hidden. */
static void
hc_publish(struct hc *h, size_t i)
{
    struct secondary_period *s = h->s;
    size_t k;

    s->c[i].status = CELL_OK;
    attack_lp_set(&h->lp, s->r, i, s->plo[i], s->phi[i]);
    for (k = 0; k < h->nsecs && h->secs[k] != i; k++)
        ;
    if (k < h->nsecs) {
        memmove(&h->secs[k], &h->secs[k + 1],
                (h->nsecs - k - 1) * sizeof(size_t));
        h->nsecs--;
    }
    for (k = 0; k < s->np; k++) {
        cert_drop_if(&h->up[k], i);
        cert_drop_if(&h->dn[k], i);
    }
}

/* Hides the published cells of a pattern. */
static void
hc_hide_pattern(struct hc *h, const size_t *cell, size_t k)
{
    size_t i;

    for (i = 0; i < k; i++)
        if (h->s->c[cell[i]].status == CELL_OK)
            hc_hide(h, cell[i]);
}

/* Publishes again the secondary cells hidden since mark (secs order). */
static void
hc_undo(struct hc *h, size_t mark)
{
    while (h->nsecs > mark)
        hc_publish(h, h->secs[h->nsecs - 1]);
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

/* ---- the three passes ------------------------------------------------- */

/*
 * Protects primary p with the cheapest pattern the attacker accepts whose
 * new cells cost less than budget and do not include forbid: first the
 * cheapest patterns that need the rounding's slack or cells already
 * hidden (tried with the attacker's program), then the cheapest that
 * protects alone. 1 when p is protected; 0 when no pattern does it --
 * nothing hidden, or with partial the pattern that reaches furthest; or a
 * negative error.
 */
static int
protect_one(struct hc *h, size_t p, double budget, size_t forbid, int partial)
{
    struct secondary_period *s = h->s;
    struct search *se = glp_alloc(1, sizeof(*se));
    size_t i, mark;
    int rc = 0, done = 0;

    memset(se, 0, sizeof(*se));
    se->s = s;
    se->p = p;
    se->forbid = forbid;
    audit_requirement(s->am, s->c[p].count, &se->need_dn, &se->need_up,
                      &se->width);
    search_patterns(se, &h->sh);
    for (i = 0; i < se->ncand && !done; i++) {
        if (se->cand[i].cost >= budget ||
            (se->nbest && se->cand[i].cost >= se->best_cost - 1e-9))
            break;
        mark = h->nsecs;
        hc_hide_pattern(h, se->cand[i].cell, se->cand[i].k);
        rc = hc_solve(h, p);
        if (rc < 0)
            goto out;
        done = rc;
        rc = 0;
        if (!done)
            hc_undo(h, mark);
    }
    if (!done && se->nbest && se->best_cost < budget) {
        hc_hide_pattern(h, se->best, se->nbest);
        done = 1;
    } else if (!done && partial && se->npart) {
        hc_hide_pattern(h, se->part, se->npart);
    }
out:
    glp_free(se);
    return rc < 0 ? rc : done;
}

/* A pattern for every primary the attacker narrows; *open is set when
 * one had none that protects it. */
static int
pass_protect(struct hc *h, int *open)
{
    size_t k;
    int rc = 0;

    for (k = 0; k < h->s->np; k++) {
        size_t p = h->s->prim[k];

        if (hc_keeps(h, p, &rc) || rc < 0) {
            if (rc < 0)
                break;
            continue;
        }
        rc = protect_one(h, p, HUGE_VAL, SIZE_MAX, 1);
        if (rc < 0)
            break;
        if (rc == 0)
            *open = 1;
        rc = 0;
    }
    return rc < 0 ? rc : 0;
}

/* Each secondary cell, dearest first, is published again when every
 * primary still keeps its protection (by its certificate, or solved). */
static int
pass_release(struct hc *h)
{
    struct secondary_period *s = h->s;
    size_t *order, n = h->nsecs, q, k;
    int rc = 0;

    if (n == 0)
        return 0;
    order = glp_alloc((int)n, sizeof(size_t));
    memcpy(order, h->secs, n * sizeof(size_t));
    sort_dearest_first(s, order, n);
    for (q = 0; q < n && rc == 0; q++) {
        size_t cell = order[q];
        int ok = 1;

        if (s->c[cell].status != CELL_SECONDARY)
            continue;
        hc_publish(h, cell);
        for (k = 0; k < s->np && ok; k++) {
            ok = hc_keeps(h, s->prim[k], &rc);
            if (rc < 0)
                break;
        }
        if (rc >= 0 && !ok)
            hc_hide(h, cell); /* needed: hidden again */
    }
    glp_free(order);
    return rc < 0 ? rc : 0;
}

/*
 * Each secondary cell, dearest first, is published and the primaries it
 * leaves short protected again without it; the exchange stands when the
 * new cells cost less than it, else it is undone.
 */
static int
pass_exchange(struct hc *h)
{
    struct secondary_period *s = h->s;
    size_t *order, n = h->nsecs, q, k, i;
    int rc = 0;

    if (n == 0)
        return 0;
    order = glp_alloc((int)n, sizeof(size_t));
    memcpy(order, h->secs, n * sizeof(size_t));
    sort_dearest_first(s, order, n);
    for (q = 0; q < n && rc == 0; q++) {
        size_t cell = order[q], mark;
        double spent = 0.0;
        int ok = 1;

        if (s->c[cell].status != CELL_SECONDARY)
            continue;
        hc_publish(h, cell);
        mark = h->nsecs;
        for (k = 0; k < s->np && ok; k++) {
            size_t p = s->prim[k];

            if (hc_keeps(h, p, &rc) || rc < 0)
                continue;
            rc = protect_one(h, p, s->w[cell] - spent - 1e-9, cell, 0);
            ok = rc > 0;
            for (spent = 0.0, i = mark; i < h->nsecs; i++)
                spent += s->w[h->secs[i]];
        }
        if (rc < 0)
            break;
        rc = 0;
        if (ok && spent < s->w[cell] - 1e-9)
            continue;
        hc_undo(h, mark);
        hc_hide(h, cell);
    }
    glp_free(order);
    return rc < 0 ? rc : 0;
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
        for (m = r->first[ri] + (pass < 2 ? 1 : 0); m < r->first[ri + 1]; m++) {
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
static int
greedy(struct secondary_period *s)
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

int
hypercube_suppress(struct secondary_period *s)
{
    struct hc h;
    int rc, open = 0;

    if ((rc = hc_init(&h, s)) < 0 || (rc = pass_protect(&h, &open)) < 0)
        goto out;
    if (open) {
        /* the greedy pass works on the cells' statuses: the attacker's
         * program and the certificates start again after it */
        hc_release(&h);
        if ((rc = greedy(s)) < 0 || (rc = hc_init(&h, s)) < 0)
            goto out;
    }
    if ((rc = pass_release(&h)) < 0 || (rc = pass_exchange(&h)) < 0 ||
        (rc = pass_release(&h)) < 0)
        goto out;
out:
    hc_release(&h);
    return rc;
}
