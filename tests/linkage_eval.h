/*
 * linkage_eval.h - linkage accuracy against a synthetic truth file, shared
 * by tests/unit/test_linkage.c (which asserts floors) and
 * tests/bench/bench_linkage.c (which prints the figures).
 *
 * Pairwise measures over accepted records: a pair is predicted when both
 * records are linked to one person, true when the truth file gives both
 * the same person. precision = true predicted pairs / predicted pairs,
 * recall = true predicted pairs / true pairs.
 */
#ifndef COHORT_LINKAGE_EVAL_H
#define COHORT_LINKAGE_EVAL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/config.h"
#include "../app/job.h"

#define EVAL_GROUPS 32

struct linkage_accuracy {
    size_t records;
    size_t persons_true;
    size_t persons_linked;
    double pairs_true, pairs_pred, pairs_both;
    double precision, recall;
    /* the same over pairs of records of different departments only (a
     * person's repeated spells in one system are most of the pairs) */
    double cross_true, cross_found, recall_cross;
    /* recall by the true person's value of one truth column (e.g. synth's
     * convention or ethnicity), when linkage_evaluate_by is asked for one:
     * true pairs and the pairs of them linked */
    size_t ngroups;
    char group[EVAL_GROUPS][32];
    double group_true[EVAL_GROUPS], group_found[EVAL_GROUPS];
    double group_cross_true[EVAL_GROUPS], group_cross_found[EVAL_GROUPS];
};

struct eval_pair {
    uint32_t a, b;
    uint32_t dept;  /* the record's department (not sorted on) */
};

/* Pairs among the records [i, j) of v, and of them those of different
 * departments (*cross). */
static double
eval_run_pairs(const struct eval_pair *v, size_t i, size_t j, double *cross)
{
    double same = 0, n = (double)(j - i);
    size_t per[DEPT_COUNT + 1] = {0}, k;

    for (k = i; k < j; k++)
        per[v[k].dept < DEPT_COUNT ? v[k].dept : DEPT_COUNT]++;
    for (k = 0; k <= DEPT_COUNT; k++)
        same += (double)per[k] * ((double)per[k] - 1) / 2;
    *cross = n * (n - 1) / 2 - same;
    return n * (n - 1) / 2;
}

static int
eval_cmp(const void *x, const void *y)
{
    const struct eval_pair *p = x, *q = y;

    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    return p->b < q->b ? -1 : p->b > q->b;
}

/* Sum of n(n-1)/2 over runs of equal keys in sorted v. */
static double
eval_pairs(const struct eval_pair *v, size_t n, int both)
{
    double total = 0;
    size_t i = 0, j;

    while (i < n) {
        for (j = i + 1; j < n && v[j].a == v[i].a && (!both || v[j].b == v[i].b);
             j++)
            ;
        total += (double)(j - i) * (double)(j - i - 1) / 2;
        i = j;
    }
    return total;
}

/* The index of a group's name in acc, added when new (the last one
 * takes every name past EVAL_GROUPS). */
static int
eval_group(struct linkage_accuracy *acc, const char *name, size_t len)
{
    size_t g;

    if (len >= sizeof(acc->group[0]))
        len = sizeof(acc->group[0]) - 1;
    for (g = 0; g < acc->ngroups; g++)
        if (strlen(acc->group[g]) == len && !memcmp(acc->group[g], name, len))
            return (int)g;
    if (acc->ngroups == EVAL_GROUPS)
        return EVAL_GROUPS - 1;
    memcpy(acc->group[acc->ngroups], name, len);
    acc->group[acc->ngroups][len] = '\0';
    return (int)acc->ngroups++;
}

/*
 * truth_path: the synth truth file (source,line,person,...); the plan's
 * sources are read, and a truth row belongs to the source of its [source]
 * name (synth names the demo job's sources). column >= 3: also recall by
 * the value of that truth column (0-based) of each true person's rows.
 * 0 or -1.
 */
static int
linkage_evaluate_by(const struct job_plan *plan, const char *truth_path,
                    int column, struct linkage_accuracy *acc)
{
    struct link_trace *tr = NULL;
    size_t ntr = 0, i, k, maxline = 0;
    struct diag d;
    FILE *f = fopen(truth_path, "r");
    char line[1024];
    long **truth = NULL;   /* per source: line -> true person */
    size_t *tlen = NULL;
    struct eval_pair *v = NULL;
    uint32_t *ids = NULL;
    signed char *pgroup = NULL; /* true person -> group, -1 none */
    size_t npgroup = 0;

    memset(acc, 0, sizeof(*acc));
    if (!f)
        return -1;
    if (job_link_trace(plan, 1, &tr, &ntr, &d) < 0) {
        fprintf(stderr, "linkage_evaluate: %s\n", d.msg);
        fclose(f);
        return -1;
    }
    truth = calloc(plan->nsources, sizeof(*truth));
    tlen = calloc(plan->nsources, sizeof(*tlen));
    for (i = 0; i < ntr; i++)
        if ((size_t)tr[i].line > maxline)
            maxline = (size_t)tr[i].line;
    for (k = 0; k < plan->nsources; k++) {
        truth[k] = malloc((maxline + 1) * sizeof(long));
        for (i = 0; i <= maxline; i++)
            truth[k][i] = -1;
        tlen[k] = maxline + 1;
    }
    while (fgets(line, sizeof(line), f)) {
        char *c1 = strchr(line, ','), *c2, *c3;
        long ln, pid;

        if (!c1 || !(c2 = strchr(c1 + 1, ',')) || !(c3 = strchr(c2 + 1, ',')))
            continue;
        *c1 = *c2 = *c3 = '\0';
        ln = strtol(c1 + 1, NULL, 10);
        pid = strtol(c2 + 1, NULL, 10);
        if (column >= 3 && pid >= 0 && strcmp(line, "source")) {
            char *fld = c3 + 1, *end;
            int col;

            for (col = 3; col < column && fld; col++)
                fld = strchr(fld, ',') ? strchr(fld, ',') + 1 : NULL;
            if (fld && (end = strpbrk(fld, ",\n")) != NULL && end > fld) {
                if ((size_t)pid >= npgroup) {
                    size_t n = ((size_t)pid + 1) * 2;
                    signed char *g = realloc(pgroup, n);

                    if (!g)
                        continue;
                    memset(g + npgroup, -1, n - npgroup);
                    pgroup = g;
                    npgroup = n;
                }
                pgroup[pid] = (signed char)eval_group(acc, fld,
                                                      (size_t)(end - fld));
            }
        }
        for (k = 0; k < plan->nsources; k++)
            if (!strcmp(plan->sources[k].name, line) && ln > 0 &&
                (size_t)ln < tlen[k])
                truth[k][ln] = pid;
    }
    fclose(f);
    v = malloc((ntr + 1) * sizeof(*v));
    ids = malloc((ntr + 1) * sizeof(*ids));
    for (i = 0, k = 0; i < ntr; i++) {
        long t = truth[tr[i].source][tr[i].line];

        if (t < 0)
            continue;
        v[k].a = tr[i].person;
        v[k].b = (uint32_t)t;
        v[k].dept = (uint32_t)plan->sources[tr[i].source].department;
        k++;
    }
    acc->records = k;
    qsort(v, k, sizeof(*v), eval_cmp);
    acc->pairs_pred = eval_pairs(v, k, 0);
    acc->pairs_both = eval_pairs(v, k, 1);
    for (i = 0; i < k; i++) {
        uint32_t t = v[i].a;

        v[i].a = v[i].b;
        v[i].b = t;
    }
    qsort(v, k, sizeof(*v), eval_cmp);
    acc->pairs_true = eval_pairs(v, k, 0);
    for (i = 0; i < k;) {
        size_t j = i, r;
        double found = 0, cross_found = 0, all, cross, c;

        while (j < k && v[j].a == v[i].a)
            j++;
        all = eval_run_pairs(v, i, j, &cross);
        for (r = i; r < j;) {
            size_t q = r;

            while (q < j && v[q].b == v[r].b)
                q++;
            found += eval_run_pairs(v, r, q, &c);
            cross_found += c;
            r = q;
        }
        acc->cross_true += cross;
        acc->cross_found += cross_found;
        if (v[i].a < npgroup && pgroup[v[i].a] >= 0) {
            int g = pgroup[v[i].a];

            acc->group_true[g] += all;
            acc->group_found[g] += found;
            acc->group_cross_true[g] += cross;
            acc->group_cross_found[g] += cross_found;
        }
        i = j;
    }
    for (i = 0; i < k; i++)
        acc->persons_true += i == 0 || v[i].a != v[i - 1].a;
    for (i = 0; i < k; i++)
        ids[i] = v[i].b;
    {
        struct eval_pair *w = v;

        for (i = 0; i < k; i++) {
            w[i].a = ids[i];
            w[i].b = 0;
        }
        qsort(w, k, sizeof(*w), eval_cmp);
        for (i = 0; i < k; i++)
            acc->persons_linked += i == 0 || w[i].a != w[i - 1].a;
    }
    acc->precision = acc->pairs_pred > 0 ? acc->pairs_both / acc->pairs_pred : 1;
    acc->recall = acc->pairs_true > 0 ? acc->pairs_both / acc->pairs_true : 1;
    acc->recall_cross =
        acc->cross_true > 0 ? acc->cross_found / acc->cross_true : 1;
    for (k = 0; k < plan->nsources; k++)
        free(truth[k]);
    free(truth);
    free(tlen);
    free(v);
    free(ids);
    free(tr);
    free(pgroup);
    return 0;
}

/* linkage_evaluate_by without groups. */
static inline int
linkage_evaluate(const struct job_plan *plan, const char *truth_path,
                 struct linkage_accuracy *acc)
{
    return linkage_evaluate_by(plan, truth_path, -1, acc);
}

#endif
