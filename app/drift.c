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

int
drift_check(const struct job_plan *plan, const struct run_summary *s,
            struct diag *d)
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
    while (rc == 0 && fscanf(f, "%127s %llu %llu", name, &rows, &rej) == 3) {
        for (i = 0; i < s->nsources; i++) {
            const struct source_summary *ss = &s->sources[i];
            const struct source_plan *sp = &plan->sources[i];
            double change, old_rate, new_rate;

            if (strcmp(sp->name, name) || !rows)
                continue;
            change = ((double)ss->rows_in - (double)rows) / (double)rows;
            if ((change < 0 ? -change : change) * 1e6 >
                (double)sp->max_row_change_ppm) {
                diag_set(d, sp->name, 0, 0, "max_row_change",
                         "rows in moved from %llu to %llu (%+.1f %%) since "
                         "the last published run, beyond max_row_change "
                         "%.1f %%; check the extract, or rerun with "
                         "--accept-drift",
                         rows, (unsigned long long)ss->rows_in, change * 100,
                         (double)sp->max_row_change_ppm / 1e4);
                rc = CE_DATA;
                break;
            }
            old_rate = (double)rej / (double)rows;
            new_rate = ss->rows_in ? (double)ss->rows_quarantined /
                                         (double)ss->rows_in
                                   : 0;
            if (new_rate > 2 * old_rate && new_rate - old_rate >= 0.01) {
                diag_set(d, sp->name, 0, 0, "max_row_change",
                         "the reject rate rose from %.2f %% to %.2f %% since "
                         "the last published run; check the extract, or "
                         "rerun with --accept-drift",
                         old_rate * 100, new_rate * 100);
                rc = CE_DATA;
                break;
            }
        }
    }
    if (rc == 0 && ferror(f)) {
        diag_set(d, path, 0, 0, NULL, "cannot read: %s", strerror(errno));
        rc = CE_IO;
    }
    fclose(f);
    return rc;
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
