#include "source_reader.h"

#include "../core/log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
source_reader_init(struct source_reader *r, const struct source_plan *sp)
{
    memset(r, 0, sizeof(*r));
    r->sp = sp;
    quarantine_init(&r->q, sp);
}

/* The caller's report of a missing column, with a suggestion added. */
struct missing_report {
    const struct source *src;
    source_missing_fn fn;
    void *ctx;
    char name[65];      /* the suggestion for the first required column
                         * missing, the one mapping_init() names */
    int first_seen, found;
};

static void
missing_column(void *ctx, int field, const char *column, int line,
               int optional)
{
    struct missing_report *m = ctx;
    int i = source_column_suggest(m->src, column);
    char hint[65] = "";

    if (i >= 0)
        snprintf(hint, sizeof(hint), "%.*s", (int)m->src->columns[i].len,
                 m->src->columns[i].ptr);
    if (m->fn)
        m->fn(m->ctx, field, column, line, optional, i >= 0 ? hint : NULL);
    if (!optional && !m->first_seen) {
        m->first_seen = 1;
        m->found = i >= 0;
        snprintf(m->name, sizeof(m->name), "%s", hint);
    }
}

int
source_reader_open(struct source_reader *r, const struct job_plan *plan,
                   const volatile sig_atomic_t *stop,
                   source_missing_fn report_missing, void *ctx,
                   struct diag *d)
{
    struct missing_report mr;
    int rc = source_open_stoppable(&r->src, r->sp, stop, d);

    if (rc < 0)
        return rc;
    if ((rc = mapping_check_compared(plan, r->sp, r->src.columns,
                                     r->src.ncolumns, d)) < 0)
        return rc;
    memset(&mr, 0, sizeof(mr));
    mr.src = &r->src;
    mr.fn = report_missing;
    mr.ctx = ctx;
    r->missing = mapping_missing_columns(r->sp, r->src.columns,
                                         r->src.ncolumns, missing_column, &mr);
    if (report_missing && r->missing > 0)
        return CE_DATA;
    if ((rc = mapping_init(&r->m, plan, r->sp, r->src.columns,
                           r->src.ncolumns, d)) < 0) {
        /* the header's name that was probably meant: a plain name, which
         * may be printed (source.h) */
        if (rc == CE_DATA && mr.found) {
            size_t n = strlen(d->msg);

            snprintf(d->msg + n, sizeof(d->msg) - n,
                     " (did you mean '%s'?)", mr.name);
        }
        return rc;
    }
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

/* quarantine_each_unmapped() callback: one "field=code" line. */
static int
add_unmapped(void *ctx, const char *field, const char *what, uint64_t n)
{
    struct source_summary *ss = ctx;
    struct unmapped_count *u;
    size_t len;

    u = realloc(ss->unmapped, (ss->nunmapped + 1) * sizeof(*u));
    if (!u)
        return CE_NOMEM;
    ss->unmapped = u;
    len = strlen(field) + strlen(what) + 2;
    if (!(u[ss->nunmapped].label = malloc(len)))
        return CE_NOMEM;
    snprintf(u[ss->nunmapped].label, len, "%s=%s", field, what);
    u[ss->nunmapped++].n = n;
    return 0;
}

int
source_summary_set_unmapped(struct source_summary *ss,
                            const struct unmapped_codes *u,
                            uint64_t min_persons)
{
    size_t j;

    for (j = 0; j < ss->nunmapped; j++)
        free(ss->unmapped[j].label);
    free(ss->unmapped);
    ss->unmapped = NULL;
    ss->nunmapped = 0;
    return quarantine_each_unmapped(u, min_persons, add_unmapped, ss) < 0
               ? CE_NOMEM
               : 0;
}

int
source_reader_summarise(const struct source_reader *r,
                        struct source_summary *ss)
{
    const struct quarantine *q = &r->q;
    const struct source *src = &r->src;
    size_t i, n;

    ss->plan = r->sp;
    if (source_summary_set_unmapped(ss, &q->unmapped, UNMAPPED_UNCOUNTED) < 0)
        return CE_NOMEM;
    if (q->nrows) {
        ss->rejected = malloc(q->nrows * sizeof(*ss->rejected));
        if (!ss->rejected)
            return CE_NOMEM;
        for (i = 0; i < q->nrows; i++) {
            ss->rejected[i].reason = quarantine_reason_name(
                (enum quarantine_reason)q->rows[i].reason);
            ss->rejected[i].file = q->rows[i].file;
            ss->rejected[i].line = q->rows[i].line;
            ss->rejected[i].column = q->rows[i].column;
        }
        ss->nrejected = q->nrows;
    }

    ss->rows_in = q->rows_in;
    ss->rows_accepted = q->rows_accepted;
    ss->rows_quarantined = q->rows_quarantined;
    for (i = 0, n = 0; i < QR_COUNT; i++)
        n += q->by_reason[i] != 0;
    ss->quarantined = calloc(n ? n : 1, sizeof(*ss->quarantined));
    for (i = 0, n = 0; i < NOTE_COUNT; i++)
        n += q->notes[i] != 0;
    ss->notes = calloc(n ? n : 1, sizeof(*ss->notes));
    ss->files = calloc(src->nfiles ? src->nfiles : 1, sizeof(*ss->files));
    if (!ss->quarantined || !ss->notes || !ss->files)
        return CE_NOMEM;
    for (i = 0; i < QR_COUNT; i++)
        if (q->by_reason[i]) {
            ss->quarantined[ss->nquarantined].reason =
                quarantine_reason_name((enum quarantine_reason)i);
            ss->quarantined[ss->nquarantined++].n = q->by_reason[i];
        }
    for (i = 0; i < NOTE_COUNT; i++)
        if (q->notes[i]) {
            ss->notes[ss->nnotes].reason =
                quarantine_note_name((enum quarantine_note)i);
            ss->notes[ss->nnotes++].n = q->notes[i];
        }
    for (i = 0; i < src->nfiles; i++) {
        struct input_file *f = &ss->files[ss->nfiles];

        f->size = src->files[i].size;
        f->rows = src->files[i].rows;
        if (src->files[i].hashed)
            sodium_bin2hex(f->blake2b_hex, sizeof(f->blake2b_hex),
                           src->files[i].blake2b, 32);
        ss->nfiles++;
    }
    ss->bytes = src->bytes_read;
    return 0;
}

void
source_reader_log_rejected(const struct source_reader *r)
{
    const struct quarantine *q = &r->q;
    struct diag d;
    size_t i;
    char where[128];

    for (i = 0; i < q->nrows && i < 20; i++) {
        const struct rejected_row *rr = &q->rows[i];

        /* the file by its position, never its path (source.h) */
        if (rr->file < r->src.nfiles)
            source_file_label(&r->src, rr->file, where, sizeof(where));
        else
            snprintf(where, sizeof(where), "%s", r->sp->name);
        diag_set(&d, where, rr->line, rr->column,
                 quarantine_reason_name((enum quarantine_reason)rr->reason),
                 "quarantined");
        log_diag_level(LOG_WARN, &d);
    }
    if (q->nrows > 20)
        log_msg(LOG_WARN, "%s: %zu more quarantined rows (quality.csv of "
                          "a published run counts them by reason)",
                r->sp->name, q->nrows - 20);
}

void
source_reader_log_notes(const struct source_reader *r)
{
    int f;

    for (f = 0; f < CF_COUNT; f++) {
        if (r->q.ambiguous_date[f])
            log_msg(LOG_WARN, "%s: %llu %s values more than one date_format "
                              "reads as different dates; the first format's "
                              "date was used",
                    r->sp->name, (unsigned long long)r->q.ambiguous_date[f],
                    common_field_name((enum common_field)f));
        if (r->have_map && r->m.absent[f])
            log_msg(LOG_INFO, "%s: the profile's optional column '%s' "
                              "(field.%s) is not in the header: the field is "
                              "not read",
                    r->sp->name, r->sp->column[f],
                    common_field_name((enum common_field)f));
    }
}
