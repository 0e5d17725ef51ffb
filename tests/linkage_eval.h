/*
 * linkage_eval.h - linkage accuracy against a synthetic truth file, shared
 * by tests/unit/test_linkage.c (which asserts floors) and
 * tests/bench/bench_linkage.c (which prints the figures).
 *
 * The same measure as `cohort linkage --truth` (app/linktruth.h reads and
 * matches the truth file, app/linkeval.h counts pairs from cluster
 * sizes): a pair is predicted when both records are linked to one person,
 * true when the truth file gives both the same person. precision = true
 * predicted pairs / predicted pairs, recall = true predicted pairs / true
 * pairs. A truth file that matches no record, or a malformed one, is a
 * failure (-1, the reason on stderr), never 1.0; so is a measure with no
 * pair under it.
 */
#ifndef COHORT_LINKAGE_EVAL_H
#define COHORT_LINKAGE_EVAL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../app/job.h"
#include "../app/linkeval.h"
#include "../app/linktruth.h"
#include "../app/config.h"

struct linkage_accuracy {
    size_t records;         /* accepted records with a truth row */
    size_t persons_true;
    size_t persons_linked;
    double pairs_true, pairs_pred, pairs_both;
    double precision, recall;
};

/*
 * truth_path: a truth file (linktruth.h; synth names each row by the demo
 * job's [source] name). 0 or -1.
 */
static int
linkage_evaluate(const struct job_plan *plan, const char *truth_path,
                 struct linkage_accuracy *acc)
{
    struct link_trace *tr = NULL;
    struct linkeval_record *r = NULL;
    struct link_truth truth;
    struct pair_counts all;
    struct person_counts pc;
    struct diag d;
    char msg[1024];
    size_t ntr = 0, i, k = 0;
    int rc = -1;

    memset(acc, 0, sizeof(*acc));
    diag_clear(&d);
    if (job_link_trace(plan, 1, &tr, &ntr, NULL, NULL, &d) < 0 ||
        link_truth_load(&truth, truth_path, plan, tr, ntr, &d) < 0) {
        diag_format(&d, msg, sizeof(msg));
        fprintf(stderr, "linkage_evaluate: %s\n", msg);
        free(tr);
        return -1;
    }
    if (!(r = malloc((truth.matched + 1) * sizeof(*r))))
        goto out;
    for (i = 0; i < ntr; i++)
        if (truth.person[i] != TRUTH_NONE) {
            r[k].linked = tr[i].person;
            r[k].truth = truth.person[i];
            r[k].label = 0;
            k++;
        }
    if (linkeval_count(r, k, 1, LINKEVAL_ALL, &all, &pc) < 0)
        goto out;
    acc->records = k;
    acc->persons_true = pc.truth;
    acc->persons_linked = pc.linked;
    acc->pairs_true = (double)all.truth;
    acc->pairs_pred = (double)all.linked;
    acc->pairs_both = (double)all.both;
    acc->precision = pair_precision(&all);
    acc->recall = pair_recall(&all);
    if (acc->precision < 0 || acc->recall < 0) {
        fprintf(stderr, "linkage_evaluate: no %s pair: no measure\n",
                acc->precision < 0 ? "linked" : "true");
        goto out;
    }
    rc = 0;
out:
    link_truth_release(&truth);
    free(r);
    free(tr);
    return rc;
}

#endif
