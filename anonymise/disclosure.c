#include "disclosure.h"
#include "audit.h"

#include <glpk.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

static size_t
pick(const struct relations *r, size_t ri, const struct table_cell *c)
{
    size_t best = (size_t)-1, m;
    int pass;

    /* an interior cell with a count first, then the margin, a zero cell
     * last: a hidden zero protects little and is itself pinned near 0 */
    for (pass = 0; pass < 3 && best == (size_t)-1; pass++)
        for (m = r->first[ri] + (pass == 0 ? 1 : 0);
             m < (pass == 1 ? r->first[ri] + 1 : r->first[ri + 1]); m++) {
            const struct table_cell *x = &c[r->members[m]];

            if (audit_hidden(x) || (pass < 2 && x->count == 0))
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
                ns += audit_hidden(&c[r->members[m]]);
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
 * only under audit_glpk_call(): its memory is GLPK's. */
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

        if ((rc = audit_first_weak(t, r, c, am, from, &weak)) < 0)
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
                        pins |= audit_hidden(&c[r->members[m]]);
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

/* 1 when every audit_primary cell's range is at least the protection level
 * wide, 0 when one is narrower, or a negative error. */
static int
all_protected(const struct count_table *t, const struct relations *r,
              struct table_cell *c, const struct attacker *am)
{
    size_t weak;
    int rc = audit_first_weak(t, r, c, am, 0, &weak);

    return rc < 0 ? rc : weak == (size_t)-1;
}

/*
 * With rounded values as intervals the published cells hide more than
 * their exact counts would, so some secondary cells chosen against exact
 * values are not needed: each is published again, largest count first,
 * when every audit_primary cell still keeps a range of the protection level.
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
    /* GLPK's memory, as this runs under audit_glpk_call(): an error inside the
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
    audit_attacker_init(&am, dp);
    for (i = 0; i < t->ncells_per_period; i++) {
        c[i].status = CELL_OK;
        if (audit_primary(&am, c[i].count)) {
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
        if (audit_hidden(&c[i])) {
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
        c[i].published = audit_round(v, dp->rounding);
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

/* protect_period() under audit_glpk_call(). */
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
    return audit_glpk_call(protect_period_call, &pc);
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
    if ((rc = audit_relations_build(t, &r)) < 0) {
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
        audit_relations_release(&r);
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
    audit_relations_release(&r);
    return rc;
}

uint64_t
disclosure_publish_count(const struct disclosure_plan *dp,
                         const struct ptable *pt, uint64_t n, uint32_t ckey)
{
    struct attacker am;
    int64_t v;

    audit_attacker_init(&am, dp);
    if (n > (uint64_t)INT64_MAX / 2)
        return COUNT_WITHHELD;
    v = (int64_t)n;
    if (audit_primary(&am, v))
        return COUNT_WITHHELD;
    if (pt && dp->perturbation == PERTURB_CELLKEY && v > 0) {
        v += ptable_noise(pt, v, ckey & 0xFF);
        if (v < 0)
            v = 0;
    }
    return (uint64_t)audit_round(v, dp->rounding);
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
        if (audit_hidden(c)) {
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
