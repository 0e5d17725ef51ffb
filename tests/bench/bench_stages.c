/*
 * bench_stages.c - throughput of the stages one at a time on the
 * benchmark's extracts: parse-only (the connector alone, plain and gzip
 * files as they are), then parse+map (connector + map/normalise/validate).
 * One thread, one source at a time; MB are the bytes as stored.
 * Usage: bench_stages JOB.conf
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../../connectors/source.h"
#include "../../app/config.h"
#include "../../transform/map.h"

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
    struct job_plan plan;
    struct diag d;
    size_t i;
    int pass;

    if (argc != 2 || sodium_init() < 0 || job_plan_load(&plan, argv[1], &d) < 0) {
        fprintf(stderr, "usage: bench_stages JOB.conf\n");
        return 2;
    }
    for (pass = 0; pass < 2; pass++) {
        uint64_t all_rows = 0, all_bytes = 0;
        double all_s = 0;

        for (i = 0; i < plan.nsources; i++) {
            struct source src;
            struct raw_row row;
            struct source_mapping m;
            struct quarantine q;
            struct record rec;
            uint64_t rows = 0;
            double t0 = now(), s;
            int rc;

            if (source_open(&src, &plan.sources[i], &d) < 0) {
                fprintf(stderr, "bench_stages: %s\n", d.msg);
                return 1;
            }
            quarantine_init(&q, &plan.sources[i]);
            if (pass == 1 && mapping_init(&m, &plan, &plan.sources[i], src.columns,
                                         src.ncolumns, &d) < 0)
                return 1;
            while ((rc = source_next(&src, &row, &d)) > 0) {
                rows++;
                if (pass == 1)
                    map_row(&m, &row, &rec, &q);
            }
            s = now() - t0;
            if (s <= 0)
                s = 1e-9;
            printf("bench: %-10s %-12s %9llu rows, %7.1f MB in %6.2f s: "
                   "%10.0f rows/s, %6.1f MB/s%s\n",
                   pass ? "parse+map" : "parse-only", plan.sources[i].name,
                   (unsigned long long)rows, (double)src.bytes_read / 1e6, s,
                   (double)rows / s, (double)src.bytes_read / 1e6 / s,
                   plan.sources[i].format == SRC_POSTGRES
                       ? " (postgres)"
                       : plan.sources[i].path && strstr(plan.sources[i].path, ".gz")
                             ? " (gzip)"
                             : "");
            all_rows += rows;
            all_bytes += src.bytes_read;
            all_s += s;
            if (pass == 1)
                mapping_release(&m);
            quarantine_release(&q);
            source_close(&src);
        }
        printf("bench: %-10s %-12s %9llu rows, %7.1f MB in %6.2f s: %10.0f "
               "rows/s, %6.1f MB/s (one thread)\n",
               pass ? "parse+map" : "parse-only", "all sources",
               (unsigned long long)all_rows, (double)all_bytes / 1e6, all_s,
               all_s > 0 ? (double)all_rows / all_s : 0,
               all_s > 0 ? (double)all_bytes / 1e6 / all_s : 0);
    }
    job_plan_release(&plan);
    return 0;
}
