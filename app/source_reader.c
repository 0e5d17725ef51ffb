#include "source_reader.h"

#include <string.h>

void
source_reader_init(struct source_reader *r, const struct source_plan *sp)
{
    memset(r, 0, sizeof(*r));
    r->sp = sp;
    quarantine_init(&r->q, sp);
}

int
source_reader_open(struct source_reader *r, const struct job_plan *plan,
                   void (*report_missing)(void *ctx, int field,
                                          const char *column, int line),
                   void *ctx, struct diag *d)
{
    int rc = source_open(&r->src, r->sp, d);

    if (rc < 0)
        return rc;
    if (report_missing &&
        (r->missing = mapping_missing_columns(r->sp, &r->src, report_missing,
                                              ctx)) > 0)
        return CE_DATA;
    if ((rc = mapping_init(&r->m, plan, r->sp, &r->src, d)) < 0)
        return rc;
    r->have_map = 1;
    return 0;
}

int
source_reader_run(struct source_reader *r, uint64_t max_rows,
                  const volatile sig_atomic_t *stop, source_row_fn fn,
                  void *ctx, struct diag *d)
{
    struct raw_row row;
    struct record rec;
    int rc = 0, mapped;

    while ((!max_rows || r->rows < max_rows) &&
           (rc = source_next(&r->src, &row, d)) > 0) {
        if (stop && *stop) {
            diag_set(d, r->sp->name, row.line, 0, NULL, "interrupted");
            return CE_INTERRUPTED;
        }
        r->rows++;
        r->m.file_index = row.file_index;
        mapped = map_row(&r->m, &row, &rec, &r->q);
        rc = fn ? fn(ctx, r, &row, mapped, &rec, d) : 0;
        /* fn has passed it on: whatever it did, nothing of it stays */
        record_wipe_identifiers(&rec);
        if (rc < 0)
            return rc;
    }
    return rc < 0 ? rc : 0;
}

void
source_reader_release(struct source_reader *r)
{
    if (r->have_map)
        mapping_release(&r->m);
    r->have_map = 0;
    source_close(&r->src);
    quarantine_release(&r->q);
}
