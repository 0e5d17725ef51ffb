#include "drift.h"
#include "../core/atomic.h"
#include "../core/strbuf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
state_path(const struct job_plan *plan, char *buf, size_t n)
{
    int len = snprintf(buf, n, "%s/.cohort-state", plan->output_dir);

    return len < 0 || (size_t)len >= n ? -1 : 0;
}

/* The source's counts against the state's (rows, rej): 0 or CE_DATA. */
static int
compare(const struct source_plan *sp, unsigned long long rows,
        unsigned long long rej, uint64_t rows_in, uint64_t quarantined,
        struct diag *d)
{
    double change, old_rate, new_rate;

    if (!rows && rows_in) {
        /* from nothing, any number of rows is a change beyond a limit */
        diag_set(d, sp->name, 0, 0, "max_row_change",
                 "rows in moved from 0 to %llu since the last published "
                 "run, beyond max_row_change %.1f %%; check the extract, or "
                 "rerun with --accept-drift",
                 (unsigned long long)rows_in,
                 (double)sp->max_row_change_ppm / 1e4);
        return CE_DATA;
    }
    if (!rows)
        return 0;
    change = ((double)rows_in - (double)rows) / (double)rows;
    if ((change < 0 ? -change : change) * 1e6 >
        (double)sp->max_row_change_ppm) {
        diag_set(d, sp->name, 0, 0, "max_row_change",
                 "rows in moved from %llu to %llu (%+.1f %%) since "
                 "the last published run, beyond max_row_change "
                 "%.1f %%; check the extract, or rerun with "
                 "--accept-drift",
                 rows, (unsigned long long)rows_in, change * 100,
                 (double)sp->max_row_change_ppm / 1e4);
        return CE_DATA;
    }
    old_rate = (double)rej / (double)rows;
    new_rate = rows_in ? (double)quarantined / (double)rows_in : 0;
    if (new_rate > 2 * old_rate && new_rate - old_rate >= 0.01) {
        diag_set(d, sp->name, 0, 0, "max_row_change",
                 "the reject rate rose from %.2f %% to %.2f %% since "
                 "the last published run; check the extract, or "
                 "rerun with --accept-drift",
                 old_rate * 100, new_rate * 100);
        return CE_DATA;
    }
    return 0;
}

/*
 * Compares the sources of the state file with their counts now: for
 * source i of plan (only, when one >= 0), rows_in[i] and quarantined[i].
 */
static int
check_state(const struct job_plan *plan, long only, const uint64_t *rows_in,
            const uint64_t *quarantined, struct diag *d)
{
    char path[4096], name[128];
    unsigned long long rows, rej;
    FILE *f;
    size_t i;
    int rc = 0;

    if (state_path(plan, path, sizeof(path)) < 0)
        return 0;
    if (!(f = fopen(path, "r"))) {
        /* no state yet is the first run; any other failure would skip the
         * check silently */
        int e = errno;

        if (e == ENOENT)
            return 0;
        diag_set(d, path, 0, 0, NULL, "cannot read: %s", strerror(e));
        return e == ENOMEM ? CE_NOMEM : CE_IO;
    }
    while (rc == 0 && fscanf(f, "%127s %llu %llu", name, &rows, &rej) == 3)
        for (i = 0; rc == 0 && i < plan->nsources; i++)
            if ((only < 0 || (size_t)only == i) &&
                !strcmp(plan->sources[i].name, name))
                rc = compare(&plan->sources[i], rows, rej,
                             rows_in[only < 0 ? i : 0],
                             quarantined[only < 0 ? i : 0], d);
    if (rc == 0 && ferror(f)) {
        diag_set(d, path, 0, 0, NULL, "cannot read: %s", strerror(errno));
        rc = CE_IO;
    }
    fclose(f);
    return rc;
}

int
drift_check(const struct job_plan *plan, const struct run_summary *s,
            struct diag *d)
{
    size_t n = plan->nsources ? plan->nsources : 1;
    uint64_t *in = calloc(n, sizeof(*in));
    uint64_t *q = calloc(n, sizeof(*q));
    size_t i;
    int rc;

    if (!in || !q) {
        free(in);
        free(q);
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    for (i = 0; i < s->nsources && i < plan->nsources; i++) {
        in[i] = s->sources[i].rows_in;
        q[i] = s->sources[i].rows_quarantined;
    }
    rc = check_state(plan, -1, in, q, d);
    free(in);
    free(q);
    return rc;
}

int
drift_check_source(const struct job_plan *plan, const struct source_plan *sp,
                   uint64_t rows_in, uint64_t rows_quarantined,
                   struct diag *d)
{
    return check_state(plan, (long)(sp - plan->sources), &rows_in,
                       &rows_quarantined, d);
}

int
drift_record(const struct job_plan *plan, const struct run_summary *s,
             struct diag *d)
{
    char path[4096];
    struct strbuf sb = STRBUF_INIT;
    size_t i;
    int rc;

    if (state_path(plan, path, sizeof(path)) < 0)
        return CE_IO;
    for (i = 0; i < s->nsources; i++)
        strbuf_addf(&sb, "%s %llu %llu\n", plan->sources[i].name,
                    (unsigned long long)s->sources[i].rows_in,
                    (unsigned long long)s->sources[i].rows_quarantined);
    if (strbuf_failed(&sb)) {
        diag_set(d, path, 0, 0, NULL, "out of memory");
        rc = CE_NOMEM;
    } else {
        /* 0640 like the published files beside it, whatever the umask
         * of whoever runs the job: the output directory is the cohort
         * group's, never everyone's */
        rc = atomic_write_file(path, strbuf_str(&sb), sb.len, 0640, d);
    }
    strbuf_release(&sb);
    return rc;
}
