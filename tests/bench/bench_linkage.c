/*
 * bench_linkage.c - linkage accuracy and speed on the benchmark's
 * synthetic extracts: precision and recall of the configured match keys
 * against the truth file (recall also by the true person's naming
 * convention), and records linked per second.
 * Usage: bench_linkage JOB.conf TRUTH.csv
 */
#include "../linkage_eval.h"

#include <sodium.h>
#include <time.h>

int
main(int argc, char **argv)
{
    struct job_plan plan;
    struct linkage_accuracy acc;
    struct diag d;
    struct timespec t0, t1;
    double secs;

    if (argc != 3) {
        fprintf(stderr, "usage: bench_linkage JOB.conf TRUTH.csv\n");
        return 2;
    }
    if (sodium_init() < 0 || job_plan_load(&plan, argv[1], &d) < 0) {
        fprintf(stderr, "bench_linkage: cannot load %s: %s\n", argv[1], d.msg);
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* recall by the true person's naming convention (truth column 9) */
    if (linkage_evaluate_by(&plan, argv[2], 9, &acc) < 0) {
        fprintf(stderr, "bench_linkage: evaluation failed\n");
        job_plan_release(&plan);
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("bench: linkage, %zu records of %zu true persons -> %zu linked "
           "persons\n", acc.records, acc.persons_true, acc.persons_linked);
    printf("bench:   precision %.4f, recall %.4f (pairwise), %.0f records/s "
           "read+map+hash+link\n", acc.precision, acc.recall,
           secs > 0 ? (double)acc.records / secs : 0);
    printf("bench:   between departments: recall %.4f (%.0f true pairs)\n",
           acc.recall_cross, acc.cross_true);
    for (size_t g = 0; g < acc.ngroups; g++)
        printf("bench:   %-18s recall %.4f (%.0f true pairs), between "
               "departments %.4f (%.0f)\n", acc.group[g],
               acc.group_true[g] > 0 ? acc.group_found[g] / acc.group_true[g]
                                     : 1.0,
               acc.group_true[g],
               acc.group_cross_true[g] > 0
                   ? acc.group_cross_found[g] / acc.group_cross_true[g]
                   : 1.0,
               acc.group_cross_true[g]);
    job_plan_release(&plan);
    return 0;
}
