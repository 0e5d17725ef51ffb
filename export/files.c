#include "files.h"
#include "projection_out.h"
#include "report.h"
#include "run_dir.h"
#include "run_tables.h"

#include "../core/atomic.h"
#include "../core/period.h"

#include <errno.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Files of a run besides one per cohort: quality, quarantine, linkage,
 * report and manifest. */
#define RUN_FILES 5

/* A category label: always quoted, as the tables have always been, and
 * guarded against formulas like every published cell. */
static void
add_field(struct strbuf *sb, const char *s)
{
    strbuf_add_csv_quoted(sb, s);
}

/* A header name or period label: as it is when it needs no quoting (the
 * nightly tables' names and dates), else quoted; guarded against formulas
 * too, since `cohort protect` takes both from an analyst's file. */
static void
add_name(struct strbuf *sb, const char *s)
{
    if (!*s)
        strbuf_add_csv_quoted(sb, s);
    else
        strbuf_add_csv(sb, s);
}

/* ",RATE" with one decimal, or "," when there is none. */
static void
add_rate(struct strbuf *sb, double rate)
{
    if (isnan(rate))
        strbuf_adds(sb, ",");
    else
        strbuf_addf(sb, ",%.1f", rate);
}

void
render_table_csv(const struct published_table *t, const char *period_column,
                 const char *const *period_labels,
                 const char *const *by_names, struct strbuf *sb)
{
    render_table_csv_ext(t, period_column, period_labels, by_names, NULL, sb);
}

void
render_table_csv_ext(const struct published_table *t,
                     const char *period_column,
                     const char *const *period_labels,
                     const char *const *by_names,
                     const struct table_csv_extras *x, struct strbuf *sb)
{
    size_t j, i;
    int p;

    if (period_column) {
        add_name(sb, period_column);
        strbuf_adds(sb, ",");
        if (x && x->complete)
            strbuf_adds(sb, "complete,");
    }
    for (j = 0; j < t->nby; j++) {
        add_name(sb, by_names[j]);
        strbuf_adds(sb, ",");
    }
    strbuf_adds(sb, x && x->rate ? "count,rate_per_10000,margin\n"
                                 : "count,margin\n");
    for (p = 0; p < t->nperiods; p++) {
        const struct published_cell *c =
            t->cells + (size_t)p * t->ncells_per_period;

        for (i = 0; i < t->ncells_per_period; i++) {
            if (period_column) {
                add_name(sb, period_labels[p]);
                strbuf_adds(sb, ",");
                if (x && x->complete)
                    strbuf_adds(sb, x->complete[p] ? "yes," : "no,");
            }
            for (j = 0; j < t->nby; j++) {
                add_field(sb, c[i].coord[j] == COORD_TOTAL
                                  ? "Total"
                                  : t->dim_labels[j][c[i].coord[j]]);
                strbuf_adds(sb, ",");
            }
            /* one symbol for every hidden cell ([z] is no secret: the
             * cohort's definition says it), and nothing that says whether
             * a shown value is exact: a reader who can tell a primary from
             * a secondary suppression, or an exact count from a rounded
             * one, narrows the hidden cells beyond what the audit
             * assumed */
            if (published_symbol_text(&c[i]))
                strbuf_adds(sb, published_symbol_text(&c[i]));
            else
                strbuf_addf(sb, "%lld", (long long)c[i].value);
            /* a rate is its published count over a public population:
             * it says nothing the count does not; empty when hidden */
            if (x && x->rate)
                add_rate(sb, x->rate[(size_t)p * t->ncells_per_period + i]);
            /* a reader sums the detail rows, margin = no, without
             * counting any total twice */
            strbuf_adds(sb, published_cell_is_margin(t, &c[i]) ? ",yes\n" : ",no\n");
        }
    }
}

void
render_cohort_csv(const struct run_summary *s, const struct cohort_result *cr,
                  struct strbuf *sb)
{
    const struct published_table *t = &cr->table;
    const char *by_names[TABLE_MAX_DIMS];
    const char **plabels;
    char (*labels)[11];
    struct period *periods;
    unsigned char *complete = NULL;
    struct table_csv_extras x;
    size_t j;
    int p;

    for (j = 0; j < t->nby; j++)
        by_names[j] = cohort_by_name(cr->plan, j);
    periods = calloc((size_t)t->nperiods, sizeof(*periods));
    labels = calloc((size_t)t->nperiods, sizeof(*labels));
    plabels = calloc((size_t)t->nperiods, sizeof(*plabels));
    if (!periods || !labels || !plabels) {
        sb->failed = 1;
        goto out;
    }
    periods_compute(job_plan_period_end(s->plan), t->nperiods, periods);
    for (p = 0; p < t->nperiods; p++) {
        period_label(&periods[p], labels[p]);
        plabels[p] = labels[p];
    }
    /* with include_partial, each row says whether its month is whole */
    x.rate = cr->rate_per_10000;
    x.complete = NULL;
    if (s->plan->include_partial &&
        (complete = malloc((size_t)t->nperiods)) != NULL) {
        for (p = 0; p < t->nperiods; p++)
            complete[p] = p < t->nperiods - 1 ||
                          !job_plan_last_period_partial(s->plan);
        x.complete = complete;
    } else if (s->plan->include_partial) {
        sb->failed = 1;
    }
    render_table_csv_ext(t, "period", plabels, by_names, &x, sb);
out:
    free(periods);
    free(labels);
    free(plabels);
    free(complete);
}

/*
 * A source's name as a CSV cell, into cell (reset first); returns the
 * cell's text. The config allows only lower-case names, but the cell goes
 * through the one CSV writer like every other published cell.
 */
static const char *
source_cell(const struct run_summary *s, size_t i, struct strbuf *cell)
{
    const struct source_summary *ss = &s->sources[i];

    strbuf_reset(cell);
    strbuf_add_csv(cell, ss->plan ? ss->plan->name : s->plan->sources[i].name);
    if (strbuf_failed(cell))
        return "";
    return strbuf_str(cell);
}

/* quality.csv: the rows PostgreSQL's quality table has too
 * (run_tables.h); person counts "[c]" or the rule's published value. */
static void
render_quality(const struct run_summary *s, struct strbuf *sb)
{
    struct quality_row *q;
    char nb[24];
    size_t n, i;

    if (quality_rows(s, &q, &n) < 0) {
        sb->failed = 1;
        return;
    }
    strbuf_adds(sb, "source,measure,value\n");
    for (i = 0; i < n; i++) {
        strbuf_add_csv(sb, q[i].source);
        strbuf_adds(sb, ",");
        strbuf_add_csv(sb, q[i].measure);
        strbuf_addf(sb, ",%s\n", count_text(q[i].value, nb));
    }
    free(q);
}

/*
 * Every listed quarantined row: source, file, line, column and rule. A file
 * is its position in the source's sorted glob and the BLAKE2b of its bytes
 * (the manifest lists both), never its path, which may be a person's name;
 * a database source's rows name the source, with no hash.
 */
static void
render_quarantine(const struct run_summary *s, struct strbuf *sb)
{
    struct strbuf cell = STRBUF_INIT;
    size_t i, j;

    strbuf_adds(sb, "source,file,file_blake2b,line,column,reason\n");
    for (i = 0; i < s->nsources; i++) {
        const struct source_summary *ss = &s->sources[i];
        const char *name = source_cell(s, i, &cell);

        for (j = 0; j < ss->nrejected; j++) {
            const struct rejected_at *r = &ss->rejected[j];

            strbuf_addf(sb, "%s,", name);
            if (r->file < ss->nfiles)
                strbuf_addf(sb, "%lu,%s,", (unsigned long)r->file + 1,
                            ss->files[r->file].blake2b_hex);
            else
                strbuf_addf(sb, "%s,,", name);
            strbuf_addf(sb, "%ld,%ld,%s\n", r->line, r->column, r->reason);
        }
    }
    if (strbuf_failed(&cell))
        sb->failed = 1;
    strbuf_release(&cell);
}

/* The columns of linkage.csv only the probabilistic stage's row fills:
 * its pairs, refusals and blocks over the cap (through the tables' rule),
 * and the fields on default m (exact). */
static void
render_linkage_prob(const struct prob_summary *p, struct strbuf *sb)
{
    char nb[6][24];

    strbuf_addf(sb, ",%s,%s,%s,%s,%s,%s,%u\n",
                count_text(p->pairs_compared, nb[0]),
                count_text(p->pairs_accepted, nb[1]),
                count_text(p->refused_guard, nb[2]),
                count_text(p->refused_other, nb[3]),
                count_text(p->blocks_over_cap, nb[4]),
                count_text(p->pairs_over_cap, nb[5]), p->em_defaulted);
}

static void
render_linkage(const struct run_summary *s, struct strbuf *sb)
{
    struct linkage_row *r;
    char nb[2][24];
    size_t n, i;

    if (linkage_rows(s, &r, &n) < 0) {
        sb->failed = 1;
        return;
    }
    strbuf_adds(sb, "order,key,records_with_key,links,refused,pairs_compared,"
                    "pairs_accepted,refused_by_guard,refused_in_cluster,"
                    "blocks_over_cap,pairs_over_cap,fields_on_default_m\n");
    for (i = 0; i < n; i++) {
        strbuf_addf(sb, "%u,", r[i].order);
        strbuf_add_csv(sb, r[i].key);
        strbuf_adds(sb, ",");
        if (r[i].has_records)
            strbuf_addf(sb, "%llu", (unsigned long long)r[i].records_with_key);
        strbuf_addf(sb, ",%s,%s", count_text(r[i].links, nb[0]),
                    count_text(r[i].refused, nb[1]));
        /* the probabilistic stage's row carries its pairs too */
        if (r[i].probabilistic)
            render_linkage_prob(&s->prob, sb);
        else
            strbuf_adds(sb, ",,,,,,,\n");
    }
    free(r);
}

/* Writes data to dir/name (fsync'd) and records it for the manifest. */
static int
write_file(const char *dir, const char *name, const void *data, size_t n,
           struct published_file *pf, struct diag *d)
{
    char path[4096];
    unsigned char h[32];
    int rc;

    if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
        diag_set(d, dir, 0, 0, NULL, "path too long");
        return CE_IO;
    }
    /* the staging directory is what is renamed into place */
    if ((rc = atomic_stage_file(path, data, n, 0640, d)) < 0)
        return rc;
    if (pf) {
        snprintf(pf->name, sizeof(pf->name), "%s", name);
        pf->bytes = n;
        crypto_generichash(h, sizeof(h), data, n, NULL, 0);
        sodium_bin2hex(pf->blake2b_hex, sizeof(pf->blake2b_hex), h, sizeof(h));
    }
    return 0;
}

/* Writes a rendered text file, unless its rendering ran out of memory:
 * a truncated table or report must never be published. */
static int
write_rendered(const char *dir, const char *name, const struct strbuf *sb,
               struct published_file *pf, struct diag *d)
{
    if (strbuf_failed(sb)) {
        diag_set(d, name, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    return write_file(dir, name, strbuf_str(sb), sb->len, pf, d);
}

/* gzip with a fixed header (mtime 0): the same table, the same bytes. */
static int
gzip_buf(const char *in, size_t n, unsigned char **out, size_t *outn)
{
    z_stream zs;
    size_t cap = compressBound((uLong)n) + 64;
    int zr;

    memset(&zs, 0, sizeof(zs));
    *out = malloc(cap);
    if (!*out)
        return CE_NOMEM;
    if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
        free(*out);
        return CE_NOMEM;
    }
    zs.next_in = (unsigned char *)(uintptr_t)in;
    zs.avail_in = (uInt)n;
    zs.next_out = *out;
    zs.avail_out = (uInt)cap;
    zr = deflate(&zs, Z_FINISH);
    *outn = cap - zs.avail_out;
    deflateEnd(&zs);
    if (zr != Z_STREAM_END) {
        free(*out);
        return CE_INTERNAL;
    }
    return 0;
}


/* One cohort's table into the staging directory, gzipped if asked. */
static int
stage_cohort(const struct run_summary *s, const struct cohort_result *cr,
             const struct output_plan *out, const char *staging,
             struct strbuf *sb, struct published_file *pf, struct diag *d)
{
    char name[160];
    unsigned char *gz;
    size_t gzn;
    int rc;

    strbuf_reset(sb);
    render_cohort_csv(s, cr, sb);
    if (strbuf_failed(sb)) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    snprintf(name, sizeof(name), "%s.csv%s", cr->plan->name,
             out->gzip ? ".gz" : "");
    if (!out->gzip)
        return write_file(staging, name, strbuf_str(sb), sb->len, pf, d);
    if ((rc = gzip_buf(sb->buf, sb->len, &gz, &gzn)) < 0) {
        diag_set(d, name, 0, 0, NULL, "cannot compress");
        return rc;
    }
    rc = write_file(staging, name, gz, gzn, pf, d);
    free(gz);
    return rc;
}

/* A forecast cohort's projection (export/projection_out.h) into the
 * staging directory, gzipped if asked. */
static int
stage_projection(const struct projection *pj, const struct output_plan *out,
                 const char *staging, struct strbuf *sb,
                 struct published_file *pf, struct diag *d)
{
    char name[160];
    unsigned char *gz;
    size_t gzn;
    int rc;

    strbuf_reset(sb);
    render_projection_csv(pj, sb);
    if (strbuf_failed(sb)) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    snprintf(name, sizeof(name), "%s.csv%s", pj->name, out->gzip ? ".gz" : "");
    if (!out->gzip)
        return write_file(staging, name, strbuf_str(sb), sb->len, pf, d);
    if ((rc = gzip_buf(sb->buf, sb->len, &gz, &gzn)) < 0) {
        diag_set(d, name, 0, 0, NULL, "cannot compress");
        return rc;
    }
    rc = write_file(staging, name, gz, gzn, pf, d);
    free(gz);
    return rc;
}

/* The run's own files after the tables, the manifest (which lists the
 * others with their hashes) last. */
static int
stage_run_files(const struct run_summary *s, const char *staging,
                struct strbuf *sb, struct published_file *files,
                size_t nfiles, struct diag *d)
{
    static const struct {
        const char *name;
        void (*render)(const struct run_summary *, struct strbuf *);
    } own[] = {{"quality.csv", render_quality},
               {"quarantine.csv", render_quarantine},
               {"linkage.csv", render_linkage},
               {"report.html", render_report_html}};
    size_t i;
    int rc;

    for (i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
        strbuf_reset(sb);
        own[i].render(s, sb);
        if ((rc = write_rendered(staging, own[i].name, sb, &files[nfiles++],
                                 d)) < 0)
            return rc;
    }
    strbuf_reset(sb);
    render_manifest(s, files, nfiles, sb);
    if (strbuf_failed(sb)) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    return write_file(staging, "manifest.json", strbuf_str(sb), sb->len, NULL,
                      d);
}

int
files_stage(const struct run_summary *s, const struct output_plan *out,
            struct diag *d)
{
    char staging[4096];
    struct published_file *files;
    struct strbuf sb = STRBUF_INIT;
    size_t i;
    int rc;

    if ((rc = run_dir_prepare(out->dir, s->run_id, staging, d)) < 0)
        return rc;
    /* one entry per file, however many cohorts: a publication is never
     * cut short (output_settings.h bounds the cohorts when the job is
     * read) */
    files = calloc(s->ncohorts + s->nprojections + RUN_FILES, sizeof(*files));
    if (!files) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        rc = CE_NOMEM;
        goto out;
    }
    for (i = 0; i < s->ncohorts; i++)
        if ((rc = stage_cohort(s, &s->cohorts[i], out, staging, &sb,
                               &files[i], d)) < 0)
            goto out;
    /* each forecast cohort's projection, from its published tables */
    for (i = 0; i < s->nprojections; i++)
        if ((rc = stage_projection(&s->projections[i], out, staging, &sb,
                                   &files[s->ncohorts + i], d)) < 0)
            goto out;
    rc = stage_run_files(s, staging, &sb, files,
                         s->ncohorts + s->nprojections, d);
    if (rc == 0 && atomic_sync_dir(staging) < 0) {
        diag_set(d, staging, 0, 0, NULL, "cannot sync: %s", strerror(errno));
        rc = CE_IO;
    }
out:
    if (rc < 0)
        run_dir_remove(staging);
    strbuf_release(&sb);
    free(files);
    return rc;
}

void
files_unstage(const struct run_summary *s, const struct output_plan *out)
{
    char staging[4096];

    if (strlen(out->dir) <= RUN_DIR_MAX &&
        snprintf(staging, sizeof(staging), "%s/runs/.tmp-%s", out->dir,
                 s->run_id) < (int)sizeof(staging))
        run_dir_remove(staging);
}
