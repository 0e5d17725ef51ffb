/*
 * linkeval.c - pairwise linkage accuracy from cluster sizes (linkeval.h).
 */
#include "linkeval.h"
#include "../core/error.h"

#include <stdlib.h>
#include <string.h>

uint64_t
linkeval_pairs(uint64_t n)
{
    /* halve the even factor first: no overflow below 2^32 records */
    if (n < 2)
        return 0;
    return n % 2 ? (n - 1) / 2 * n : n / 2 * (n - 1);
}

/* The records of one cluster as they are walked: their number, and their
 * count per label with the labels seen, so that a cluster costs its own
 * labels and never all of them. */
struct tally {
    enum linkeval_by by;
    uint32_t nlabels;
    uint64_t size;
    uint64_t *cnt;       /* per label; zero outside a cluster */
    uint32_t *touched;   /* labels whose cnt is not zero */
    size_t ntouched;
};

enum pair_field { PF_TRUTH, PF_LINKED, PF_BOTH };

static uint64_t *
field_of(struct pair_counts *c, enum pair_field f)
{
    return f == PF_TRUTH ? &c->truth : f == PF_LINKED ? &c->linked : &c->both;
}

static void
tally_add(struct tally *t, uint32_t label)
{
    t->size++;
    if (t->by != LINKEVAL_ALL && t->cnt[label]++ == 0)
        t->touched[t->ntouched++] = label;
}

/* Adds the cluster's pairs to field f of out and empties the tally. */
static void
tally_flush(struct tally *t, struct pair_counts *out, enum pair_field f)
{
    size_t i, j;

    switch (t->by) {
    case LINKEVAL_ALL:
        *field_of(out, f) += linkeval_pairs(t->size);
        break;
    case LINKEVAL_LABEL:
        for (i = 0; i < t->ntouched; i++) {
            uint32_t a = t->touched[i];

            *field_of(&out[a], f) += linkeval_pairs(t->size) -
                                     linkeval_pairs(t->size - t->cnt[a]);
        }
        break;
    case LINKEVAL_LABEL_PAIR:
        for (i = 0; i < t->ntouched; i++)
            for (j = i; j < t->ntouched; j++) {
                uint32_t a = t->touched[i], b = t->touched[j];
                uint32_t lo = a < b ? a : b, hi = a < b ? b : a;

                *field_of(&out[(size_t)lo * t->nlabels + hi], f) +=
                    i == j ? linkeval_pairs(t->cnt[a]) : t->cnt[a] * t->cnt[b];
            }
        break;
    }
    for (i = 0; i < t->ntouched; i++)
        t->cnt[t->touched[i]] = 0;
    t->ntouched = 0;
    t->size = 0;
}

static int
tally_init(struct tally *t, enum linkeval_by by, uint32_t nlabels)
{
    memset(t, 0, sizeof(*t));
    t->by = by;
    t->nlabels = nlabels;
    if (by == LINKEVAL_ALL)
        return 0;
    t->cnt = calloc(nlabels, sizeof(*t->cnt));
    t->touched = malloc(nlabels * sizeof(*t->touched));
    return t->cnt && t->touched ? 0 : CE_NOMEM;
}

static void
tally_release(struct tally *t)
{
    free(t->cnt);
    free(t->touched);
}

static int
cmp_linked_truth(const void *x, const void *y)
{
    const struct linkeval_record *a = x, *b = y;

    if (a->linked != b->linked)
        return a->linked < b->linked ? -1 : 1;
    return a->truth < b->truth ? -1 : a->truth > b->truth;
}

static int
cmp_truth_linked(const void *x, const void *y)
{
    const struct linkeval_record *a = x, *b = y;

    if (a->truth != b->truth)
        return a->truth < b->truth ? -1 : 1;
    return a->linked < b->linked ? -1 : a->linked > b->linked;
}

int
linkeval_count(struct linkeval_record *r, size_t n, uint32_t nlabels,
               enum linkeval_by by, struct pair_counts *out,
               struct person_counts *pc)
{
    struct tally outer, inner;
    struct person_counts tmp;
    size_t i, j, k, nout;
    int rc;

    /* released on every path below, some before tally_init ran */
    memset(&outer, 0, sizeof(outer));
    memset(&inner, 0, sizeof(inner));
    if (!nlabels)
        return CE_INTERNAL;
    nout = by == LINKEVAL_ALL ? 1
           : by == LINKEVAL_LABEL ? nlabels
                                  : (size_t)nlabels * nlabels;
    for (i = 0; by != LINKEVAL_ALL && i < n; i++)
        if (r[i].label >= nlabels)
            return CE_INTERNAL;
    memset(out, 0, nout * sizeof(*out));
    if (!pc)
        pc = &tmp;
    memset(pc, 0, sizeof(*pc));
    pc->records = n;
    if ((rc = tally_init(&outer, by, nlabels)) < 0 ||
        (rc = tally_init(&inner, by, nlabels)) < 0)
        goto out;

    /* linked persons, and inside each the cells (linked, true) */
    if (n > 1)
        qsort(r, n, sizeof(*r), cmp_linked_truth);
    for (i = 0; i < n; i = j) {
        uint64_t cells = 0;

        for (j = i; j < n && r[j].linked == r[i].linked; j = k) {
            for (k = j; k < n && r[k].linked == r[j].linked &&
                        r[k].truth == r[j].truth;
                 k++) {
                tally_add(&outer, r[k].label);
                tally_add(&inner, r[k].label);
            }
            tally_flush(&inner, out, PF_BOTH);
            cells++;
        }
        tally_flush(&outer, out, PF_LINKED);
        pc->linked++;
        pc->merged += cells > 1;
    }

    /* true persons, and how many linked persons each is spread over */
    if (n > 1)
        qsort(r, n, sizeof(*r), cmp_truth_linked);
    for (i = 0; i < n; i = j) {
        uint64_t parts = 0;

        for (j = i; j < n && r[j].truth == r[i].truth; j++) {
            tally_add(&outer, r[j].label);
            parts += j == i || r[j].linked != r[j - 1].linked;
        }
        tally_flush(&outer, out, PF_TRUTH);
        pc->truth++;
        pc->split += parts > 1;
    }
out:
    tally_release(&outer);
    tally_release(&inner);
    return rc;
}

double
pair_precision(const struct pair_counts *c)
{
    return c->linked ? (double)c->both / (double)c->linked : -1;
}

double
pair_recall(const struct pair_counts *c)
{
    return c->truth ? (double)c->both / (double)c->truth : -1;
}

double
pair_f1(const struct pair_counts *c)
{
    return c->linked + c->truth
               ? 2.0 * (double)c->both / (double)(c->linked + c->truth)
               : -1;
}

int
linkeval_size_histogram(const uint32_t *person, size_t n, size_t npersons,
                        const uint64_t *bounds, size_t nbounds, uint64_t *hist,
                        uint64_t *largest)
{
    uint64_t *size = calloc(npersons ? npersons : 1, sizeof(*size));
    size_t i, k;

    if (!size)
        return CE_NOMEM;
    for (i = 0; i < n; i++)
        if (person[i] < npersons)
            size[person[i]]++;
    memset(hist, 0, nbounds * sizeof(*hist));
    *largest = 0;
    for (i = 0; i < npersons; i++) {
        if (!size[i])
            continue;
        if (size[i] > *largest)
            *largest = size[i];
        for (k = nbounds; k-- > 0;)
            if (size[i] >= bounds[k]) {
                hist[k]++;
                break;
            }
    }
    free(size);
    return 0;
}
