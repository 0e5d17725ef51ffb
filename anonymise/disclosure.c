#include "disclosure.h"
#include "audit.h"
#include "secondary.h"

#include <glpk.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#ifdef COHORT_TESTING
size_t disclosure_exact_cells = SECONDARY_EXACT_CELLS;
#else
static const size_t disclosure_exact_cells = SECONDARY_EXACT_CELLS;
#endif

/* 1 when the table's definition makes cell i of a period impossible and
 * its count agrees (a count there would be a bug in that reasoning: the
 * cell is then treated as any other). */
static int
structural(const struct count_table *t, const struct table_cell *c, size_t i)
{
    return t->structural && t->structural[i] && c[i].count == 0;
}

/*
 * ONS's cell-key method as its code applies it: the noise first, then
 * every cell whose perturbed count is below the threshold (min_count)
 * hidden, empty cells included; no secondary suppression (the noise, not
 * a pattern, protects what is hidden: disclosure.h). Rounding, when set,
 * after the noise.
 */
static void
protect_period_cellkey(struct count_table *t, const struct disclosure_plan *dp,
                       const struct ptable *pt, struct table_cell *c,
                       struct disclosure_stats *st)
{
    size_t i;

    for (i = 0; i < t->ncells_per_period; i++) {
        int64_t v = c[i].count;

        st->cells++;
        if (structural(t, c, i)) {
            c[i].status = CELL_STRUCTURAL;
            c[i].published = 0;
            st->structural++;
            continue;
        }
        c[i].status = CELL_OK;
        if (pt && v > 0) {
            v += ptable_noise(pt, v, c[i].ckey);
            if (v < 0)
                v = 0;
            c[i].status = CELL_PERTURBED;
        }
        if (dp->suppress_hi > 0 && v <= dp->suppress_hi) {
            c[i].status = CELL_SUPPRESSED;
            c[i].published = 0;
            st->suppressed++;
            continue;
        }
        st->perturbed += c[i].status == CELL_PERTURBED;
        c[i].published = audit_round(v, dp->rounding);
        if (c[i].status == CELL_OK && dp->rounding > 1 &&
            c[i].published != c[i].count) {
            c[i].status = CELL_ROUNDED;
            st->rounded++;
        }
    }
}

/* Protects one period; its counts go to *st. Under audit_glpk_call(). */
static int
protect_period(struct count_table *t, const struct relations *r,
               const struct disclosure_plan *dp, const struct ptable *pt,
               int p, struct disclosure_stats *st)
{
    struct table_cell *c = table_period_cells(t, p);
    struct attacker am;
    int64_t added;
    size_t i;
    int exact;

    memset(st, 0, sizeof(*st));
    if (dp->perturbation == PERTURB_CELLKEY) {
        protect_period_cellkey(t, dp, pt, c, st);
        return 0;
    }
    audit_attacker_init(&am, dp);
    for (i = 0; i < t->ncells_per_period; i++) {
        c[i].status = CELL_OK;
        if (structural(t, c, i)) {
            c[i].status = CELL_STRUCTURAL;
            st->structural++;
        } else if (audit_primary(&am, c[i].count)) {
            c[i].status = CELL_SUPPRESSED;
            st->suppressed++;
        }
    }
    added = secondary_suppress(t, r, c, &am, dp->suppression_cost,
                               disclosure_exact_cells, &exact);
    if (added < 0)
        return (int)added;
    st->secondary += (uint64_t)added;
    st->exact_periods += (uint64_t)exact;
    for (i = 0; i < t->ncells_per_period; i++) {
        st->cells++;
        if (audit_hidden(&c[i]) || c[i].status == CELL_STRUCTURAL) {
            c[i].published = 0;
            continue;
        }
        c[i].published = audit_round(c[i].count, dp->rounding);
        if (dp->rounding > 1 && c[i].published != c[i].count) {
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

static void
protect_periods(void *arg)
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
}

int
disclosure_protect(struct count_table *t, const struct disclosure_plan *dp,
                   const struct ptable *pt, int threads,
                   struct disclosure_stats *st, struct diag *d)
{
    struct relations r;
    struct protect_work w;
    int p, rc = 0;

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
    audit_on_threads(threads, t->nperiods, protect_periods, &w);
    /* added in period order, so the totals never depend on scheduling */
    for (p = 0; p < t->nperiods; p++) {
        if (w.rcs[p] < 0 && rc == 0)
            rc = w.rcs[p];
        st->cells += w.per_period[p].cells;
        st->suppressed += w.per_period[p].suppressed;
        st->secondary += w.per_period[p].secondary;
        st->rounded += w.per_period[p].rounded;
        st->perturbed += w.per_period[p].perturbed;
        st->structural += w.per_period[p].structural;
        st->exact_periods += w.per_period[p].exact_periods;
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
    if (dp->perturbation == PERTURB_CELLKEY) {
        /* as a cell: the noise first, then the threshold */
        if (pt && v > 0) {
            v += ptable_noise(pt, v, ckey & 0xFF);
            if (v < 0)
                v = 0;
        }
        if (dp->suppress_hi > 0 && v <= dp->suppress_hi)
            return COUNT_WITHHELD;
        return (uint64_t)audit_round(v, dp->rounding);
    }
    if (audit_primary(&am, v))
        return COUNT_WITHHELD;
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
        } else if (c->status == CELL_STRUCTURAL) {
            o->symbol = PUB_STRUCTURAL;
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
