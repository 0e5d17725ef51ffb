/*
 * linkeval.h - pairwise linkage accuracy, counted from cluster sizes.
 *
 * Each record has the person the linker gave it, its true person and a
 * label (its department, its ethnic group in the truth ...). A pair of
 * records is *linked* when both have one linked person, *true* when both
 * have one true person, and *both* when both hold. Pairs are never
 * enumerated: a cluster of n records holds n(n-1)/2 pairs, so
 *
 *     linked pairs = sum over linked persons p of C(n_p, 2)
 *     true pairs   = sum over true persons t   of C(n_t, 2)
 *     both         = sum over the contingency cells (p, t) of C(n_pt, 2)
 *
 * and the same sums with label counts inside each cluster give the pairs
 * of each label pair (C(n_a, 2) within label a, n_a * n_b across a and b)
 * and the pairs touching each label (C(n, 2) - C(n - n_a, 2)). Two sorts
 * of the records, O(n log n) whatever the size of the clusters. Nothing
 * here sees an identifier: person numbers and labels only.
 *
 *     struct linkeval_record r[n] = {{linked, truth, label}, ...};
 *     struct pair_counts all, by_pair[nl * nl];
 *     struct person_counts pc;
 *     linkeval_count(r, n, 1, LINKEVAL_ALL, &all, &pc);    (labels ignored)
 *     linkeval_count(r, n, nl, LINKEVAL_LABEL_PAIR, by_pair, NULL);
 *     pair_precision(&all), pair_recall(&all), pair_f1(&all)
 */
#ifndef COHORT_LINKEVAL_H
#define COHORT_LINKEVAL_H

#include <stddef.h>
#include <stdint.h>

struct linkeval_record {
    uint32_t linked;   /* the linker's person number */
    uint32_t truth;    /* the true person's number */
    uint32_t label;    /* a class of the record, < nlabels */
};

struct pair_counts {
    uint64_t truth;    /* pairs of records of one true person */
    uint64_t linked;   /* pairs of records linked into one person */
    uint64_t both;     /* pairs that are both */
};

struct person_counts {
    uint64_t records;
    uint64_t truth;    /* distinct true persons */
    uint64_t linked;   /* distinct linked persons */
    uint64_t split;    /* true persons whose records are in more than one
                        * linked person */
    uint64_t merged;   /* linked persons holding records of more than one
                        * true person */
};

enum linkeval_by {
    LINKEVAL_ALL,        /* out[0]: every pair; labels ignored */
    LINKEVAL_LABEL_PAIR, /* out[a * nlabels + b], a <= b: pairs of one
                          * record labelled a and one labelled b (both a
                          * when a == b); entries with a > b are zero */
    LINKEVAL_LABEL,      /* out[a]: pairs with at least one record
                          * labelled a */
};

/* n(n-1)/2: the pairs among n records. */
uint64_t linkeval_pairs(uint64_t n);

/*
 * Counts the pairs of the n records r into out (nlabels entries for
 * LINKEVAL_LABEL, nlabels * nlabels for LINKEVAL_LABEL_PAIR, one for
 * LINKEVAL_ALL), and the persons into *pc when pc is not NULL. Reorders r.
 * Returns 0, CE_NOMEM, or CE_INTERNAL when a label is >= nlabels (for
 * the label modes) or nlabels is 0.
 */
int linkeval_count(struct linkeval_record *r, size_t n, uint32_t nlabels,
                   enum linkeval_by by, struct pair_counts *out,
                   struct person_counts *pc);

/* both / linked; -1 when no pair was linked (precision undefined). */
double pair_precision(const struct pair_counts *c);

/* both / truth; -1 when there is no true pair (recall undefined). */
double pair_recall(const struct pair_counts *c);

/* 2 both / (linked + truth), the harmonic mean of the two; -1 when there
 * is neither a linked nor a true pair. */
double pair_f1(const struct pair_counts *c);

/*
 * Histogram of records per person: person[i] is record i's person number
 * (< npersons). hist[k] gets the number of persons with a size in
 * [bounds[k], bounds[k + 1]) for k < nbounds - 1, and hist[nbounds - 1]
 * those of bounds[nbounds - 1] records or more; bounds ascend from 1.
 * *largest gets the size of the largest person. 0 or CE_NOMEM.
 */
int linkeval_size_histogram(const uint32_t *person, size_t n, size_t npersons,
                            const uint64_t *bounds, size_t nbounds,
                            uint64_t *hist, uint64_t *largest);

#endif
