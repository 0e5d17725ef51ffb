#include "files.h"
#include "report.h"

#include "../core/atomic.h"
#include "../core/log.h"
#include "../core/period.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define MAX_FILES 256

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

void
render_table_csv(const struct published_table *t, const char *period_column,
                 const char *const *period_labels,
                 const char *const *by_names, struct strbuf *sb)
{
    size_t j, i;
    int p;

    if (period_column) {
        add_name(sb, period_column);
        strbuf_adds(sb, ",");
    }
    for (j = 0; j < t->nby; j++) {
        add_name(sb, by_names[j]);
        strbuf_adds(sb, ",");
    }
    strbuf_adds(sb, "count,margin\n");
    for (p = 0; p < t->nperiods; p++) {
        const struct published_cell *c =
            t->cells + (size_t)p * t->ncells_per_period;

        for (i = 0; i < t->ncells_per_period; i++) {
            if (period_column) {
                add_name(sb, period_labels[p]);
                strbuf_adds(sb, ",");
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
            /* a reader sums the detail rows, margin = no, without
             * counting any total twice */
            strbuf_adds(sb, published_margin(t, &c[i]) ? ",yes\n" : ",no\n");
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
    periods_compute(s->plan->reference_date, t->nperiods, periods);
    for (p = 0; p < t->nperiods; p++) {
        period_label(&periods[p], labels[p]);
        plabels[p] = labels[p];
    }
    render_table_csv(t, "period", plabels, by_names, sb);
out:
    free(periods);
    free(labels);
    free(plabels);
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

/* The other cells of quality.csv are the code's own words (measure names,
 * rule names, department names, `unmapped:` and `id_scope:` before a
 * config or code value) and counts: none can start like a formula. */
static void
render_quality(const struct run_summary *s, struct strbuf *sb)
{
    struct strbuf cell = STRBUF_INIT;
    char nb[1][24];
    size_t i, j;

    strbuf_adds(sb, "source,measure,value\n");
    for (i = 0; i < s->nsources; i++) {
        const struct source_summary *ss = &s->sources[i];
        const char *name = source_cell(s, i, &cell);

        strbuf_addf(sb, "%s,rows_in,%llu\n", name,
                    (unsigned long long)ss->rows_in);
        strbuf_addf(sb, "%s,rows_accepted,%llu\n", name,
                    (unsigned long long)ss->rows_accepted);
        strbuf_addf(sb, "%s,rows_quarantined,%llu\n", name,
                    (unsigned long long)ss->rows_quarantined);
        for (j = 0; j < ss->nquarantined; j++)
            strbuf_addf(sb, "%s,quarantined:%s,%llu\n", name,
                        ss->quarantined[j].reason,
                        (unsigned long long)ss->quarantined[j].n);
        for (j = 0; j < ss->nnotes; j++)
            strbuf_addf(sb, "%s,dropped:%s,%llu\n", name, ss->notes[j].reason,
                        (unsigned long long)ss->notes[j].n);
        /* codes are code-like: no comma or quote (transform/map.c) */
        for (j = 0; j < ss->nunmapped; j++)
            strbuf_addf(sb, "%s,unmapped:%s,%llu\n", name,
                        ss->unmapped[j].label,
                        (unsigned long long)ss->unmapped[j].n);
    }
    /* person counts come protected from the job
     * (anonymise/published_counts.h): "[c]" or the rule's published value */
    for (i = 0; i < DEPT_COUNT; i++) {
        strbuf_addf(sb, "%s,records,%llu\n",
                    department_name((enum department)i),
                    (unsigned long long)s->departments[i].records);
        strbuf_addf(sb, "%s,persons,%s\n",
                    department_name((enum department)i),
                    count_text(s->departments[i].persons, nb[0]));
    }
    for (i = 0; i < s->nscopes; i++) {
        const struct scope_summary *sc = &s->scopes[i];

        strbuf_addf(sb, "id_scope:%s,ids,%s\n", sc->name,
                    count_text(sc->ids, nb[0]));
        strbuf_addf(sb, "id_scope:%s,header_rows,%llu\n", sc->name,
                    (unsigned long long)sc->header_rows);
        strbuf_addf(sb, "id_scope:%s,events_joined,%llu\n", sc->name,
                    (unsigned long long)sc->events_joined);
        strbuf_addf(sb, "id_scope:%s,orphan_local_id,%llu\n", sc->name,
                    (unsigned long long)sc->events_orphaned);
        strbuf_addf(sb, "id_scope:%s,nhs_number_conflicts,%s\n", sc->name,
                    count_text(sc->nhs_conflicts, nb[0]));
        strbuf_addf(sb, "id_scope:%s,dob_conflicts,%s\n", sc->name,
                    count_text(sc->dob_conflicts, nb[0]));
    }
    strbuf_addf(sb, "all,persons,%s\n", count_text(s->persons, nb[0]));
    strbuf_addf(sb, "all,postcodes_not_in_lookup,%llu\n",
                (unsigned long long)s->unknown_postcodes);
    if (strbuf_failed(&cell))
        sb->failed = 1;
    strbuf_release(&cell);
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

static void
render_linkage(const struct run_summary *s, struct strbuf *sb)
{
    char nb[2][24];
    size_t i;

    strbuf_adds(sb, "order,key,records_with_key,links,refused\n");
    /* order 0: the id scopes' own ids, joined before any match key */
    if (s->nscopes)
        strbuf_addf(sb, "0,id_scope local_id,,%s,%s\n",
                    count_text(s->scope_links, nb[0]),
                    count_text(s->scope_refused, nb[1]));
    for (i = 0; i < s->nkeys; i++) {
        strbuf_addf(sb, "%zu,", i + 1);
        strbuf_add_csv(sb, s->keys[i].key_text ? s->keys[i].key_text : "");
        strbuf_addf(sb, ",%llu,%s,%s\n",
                    (unsigned long long)s->keys[i].records_with_key,
                    count_text(s->keys[i].links, nb[0]),
                    count_text(s->keys[i].conflicts, nb[1]));
    }
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

static void
remove_tree(const char *dir)
{
    DIR *dh = opendir(dir);
    struct dirent *e;
    char path[4096];

    if (!dh)
        return;
    while ((e = readdir(dh))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) <
            (int)sizeof(path))
            unlink(path);
    }
    closedir(dh);
    rmdir(dir);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Keeps the newest `retain` runs (run ids sort by time), never the one latest points to. */
static void
apply_retention(const char *outdir, const char *runs, int retain,
                const char *current_id)
{
    DIR *dh = opendir(runs);
    struct dirent *e;
    char **names = NULL, path[4096];
    size_t n = 0, cap = 0, i;

    (void)outdir;
    if (!dh || retain <= 0) {
        if (dh)
            closedir(dh);
        return;
    }
    while ((e = readdir(dh))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            char **p = realloc(names, nc * sizeof(*p));

            if (!p)
                break;
            names = p;
            cap = nc;
        }
        if (!(names[n] = strdup(e->d_name)))
            break;
        n++;
    }
    closedir(dh);
    if (n > 1)
        qsort(names, n, sizeof(*names), cmp_str);
    for (i = 0; i + (size_t)retain < n; i++) {
        if (strcmp(names[i], current_id)) {
            if (snprintf(path, sizeof(path), "%s/%s", runs, names[i]) <
                (int)sizeof(path))
                remove_tree(path);
        }
    }
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Where a run is staged, published and switched to. */
struct publish_paths {
    char runs[4096], staging[4096], final[4096], link_tmp[4096],
        current[4096], target[256];
};

static int
publish_paths_init(struct publish_paths *pp, const char *outdir,
                   const char *run_id)
{
    if (snprintf(pp->runs, sizeof(pp->runs), "%s/runs", outdir) < 0 ||
        snprintf(pp->staging, sizeof(pp->staging), "%s/.tmp-%s", pp->runs,
                 run_id) < 0 ||
        snprintf(pp->final, sizeof(pp->final), "%s/%s", pp->runs, run_id) < 0 ||
        snprintf(pp->link_tmp, sizeof(pp->link_tmp), "%s/.latest.tmp",
                 outdir) < 0 ||
        snprintf(pp->current, sizeof(pp->current), "%s/latest", outdir) < 0 ||
        snprintf(pp->target, sizeof(pp->target), "runs/%s", run_id) < 0)
        return CE_INTERNAL;
    return 0;
}

/* Removes staging left by a killed run (we hold the job lock: nobody
 * else is publishing). */
static void
remove_stale_staging(const char *runs)
{
    DIR *dh = opendir(runs);
    struct dirent *e;
    char old[4096];

    while (dh && (e = readdir(dh)))
        if (!strncmp(e->d_name, ".tmp-", 5) &&
            snprintf(old, sizeof(old), "%s/%s", runs, e->d_name) <
                (int)sizeof(old))
            remove_tree(old);
    if (dh)
        closedir(dh);
}

/* Points `latest` at the run just renamed into place, with one rename(2)
 * of a fresh symlink; on failure the run is removed again. 0 or CE_IO. */
static int
switch_latest(const struct publish_paths *pp, struct diag *d)
{
    unlink(pp->link_tmp);
    if (atomic_sync_dir(pp->runs) < 0 || symlink(pp->target, pp->link_tmp) < 0 ||
        rename(pp->link_tmp, pp->current) < 0) {
        diag_set(d, pp->current, 0, 0, NULL, "cannot switch latest: %s",
                 strerror(errno));
        unlink(pp->link_tmp);
        remove_tree(pp->final);
        return CE_IO;
    }
    return 0;
}

int
publish_files(const struct run_summary *s, const struct output_plan *out,
              struct diag *d)
{
    const struct job_plan *plan = s->plan;
    struct publish_paths pp;
    const char *runs = pp.runs, *staging = pp.staging, *final = pp.final;
    char name[160];
    struct published_file *files = NULL;
    size_t nfiles = 0, i;
    struct strbuf sb = STRBUF_INIT;
    int rc = 0;

    if (strlen(plan->output_dir) > 3000) {
        diag_set(d, plan->output_dir, 0, 0, NULL, "output_dir is too long");
        return CE_CONFIG;
    }
    if (publish_paths_init(&pp, plan->output_dir, s->run_id) < 0)
        return CE_INTERNAL;
    if ((mkdir(plan->output_dir, 0750) < 0 && errno != EEXIST) ||
        (mkdir(runs, 0750) < 0 && errno != EEXIST)) {
        diag_set(d, runs, 0, 0, NULL, "cannot create: %s", strerror(errno));
        return CE_IO;
    }
    remove_stale_staging(runs);
    if (mkdir(staging, 0750) < 0) {
        diag_set(d, staging, 0, 0, NULL, "cannot create: %s",
                 strerror(errno));
        return CE_IO;
    }
    files = calloc(MAX_FILES, sizeof(*files));
    if (!files) {
        rc = CE_NOMEM;
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        goto fail;
    }
    for (i = 0; i < s->ncohorts && nfiles + 5 < MAX_FILES; i++) {
        const struct cohort_result *cr = &s->cohorts[i];

        strbuf_reset(&sb);
        render_cohort_csv(s, cr, &sb);
        if (strbuf_failed(&sb)) {
            rc = CE_NOMEM;
            diag_set(d, NULL, 0, 0, NULL, "out of memory");
            goto fail;
        }
        snprintf(name, sizeof(name), "%s.csv%s", cr->plan->name,
                 out->gzip ? ".gz" : "");
        if (out->gzip) {
            unsigned char *gz;
            size_t gzn;

            if ((rc = gzip_buf(sb.buf, sb.len, &gz, &gzn)) < 0) {
                diag_set(d, name, 0, 0, NULL, "cannot compress");
                goto fail;
            }
            rc = write_file(staging, name, gz, gzn, &files[nfiles++], d);
            free(gz);
        } else {
            rc = write_file(staging, name, strbuf_str(&sb), sb.len,
                            &files[nfiles++], d);
        }
        if (rc < 0)
            goto fail;
    }
    strbuf_reset(&sb);
    render_quality(s, &sb);
    if ((rc = write_rendered(staging, "quality.csv", &sb, &files[nfiles++],
                             d)) < 0)
        goto fail;
    strbuf_reset(&sb);
    render_quarantine(s, &sb);
    if ((rc = write_rendered(staging, "quarantine.csv", &sb,
                             &files[nfiles++], d)) < 0)
        goto fail;
    strbuf_reset(&sb);
    render_linkage(s, &sb);
    if ((rc = write_rendered(staging, "linkage.csv", &sb, &files[nfiles++],
                             d)) < 0)
        goto fail;
    strbuf_reset(&sb);
    render_report_html(s, &sb);
    if ((rc = write_rendered(staging, "report.html", &sb, &files[nfiles++],
                             d)) < 0)
        goto fail;
    strbuf_reset(&sb);
    render_manifest(s, files, nfiles, &sb);
    if (strbuf_failed(&sb)) {
        rc = CE_NOMEM;
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        goto fail;
    }
    if ((rc = write_file(staging, "manifest.json", strbuf_str(&sb), sb.len,
                         NULL, d)) < 0)
        goto fail;
    if (atomic_sync_dir(staging) < 0 || rename(staging, final) < 0) {
        diag_set(d, final, 0, 0, NULL, "cannot publish the run: %s",
                 strerror(errno));
        rc = CE_IO;
        goto fail;
    }
    if ((rc = switch_latest(&pp, d)) < 0)
        goto out;
    /* The switch is done and complete; a failed sync of the directory
     * entry only weakens durability across a power cut. */
    if (atomic_sync_dir(plan->output_dir) < 0)
        log_msg(LOG_WARN, "%s: published, but the directory could not be "
                          "synced: %s", plan->output_dir, strerror(errno));
    apply_retention(plan->output_dir, runs, out->retain, s->run_id);
    goto out;
fail:
    remove_tree(staging);
out:
    strbuf_release(&sb);
    free(files);
    return rc;
}
