/*
 * job.c - the nightly job, stage after stage (ARCHITECTURE.md, "The data
 * path"): what happens in which order, on which threads, and how long it
 * took. What happens to a row or a person is a call into its stage:
 *
 *     read      per source, on threads: app/source_reader.h (connector,
 *               map, quarantine), each row through anonymise/record.h
 *               (the pseudonymous record; plaintext ends there)
 *     drift     app/drift.h
 *     link      anonymise/link.h; unmapped codes' persons (person.h)
 *     persons   anonymise/person.h (the attribute rules IG signs off)
 *     cohorts   cohorts/count.h, then anonymise/disclosure.h per table
 *     publish   export/postgres.h, export/files.h; drift recorded
 *
 * Memory: per accepted record we keep ~48 bytes of generalised attributes
 * (struct pseudonymous_record) plus the linker's per-record state; the
 * extracts themselves are streamed.
 */
#include "job.h"
#include "commands.h"
#include "drift.h"
#include "source_reader.h"
#include "../core/log.h"
#include "../core/period.h"
#include "../core/strbuf.h"

#include "../anonymise/keys.h"
#include "../anonymise/pseudonym.h"
#include "../anonymise/record.h"
#include "../anonymise/link.h"
#include "../anonymise/scope.h"
#include "../anonymise/generalise.h"
#include "../anonymise/person.h"
#include "../anonymise/disclosure.h"
#include "../anonymise/ptable.h"
#include "../anonymise/rules.h"
#include "../cohorts/where.h"
#include "../cohorts/count.h"
#include "../export/files.h"
#include "../export/postgres.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

volatile sig_atomic_t job_stop_requested;

int
job_compile_cohorts(const struct job_plan *plan, struct where_expr **exprs,
                    char **plain, struct diag *d)
{
    size_t i;
    int rc;

    for (i = 0; i < plan->ncohorts; i++) {
        const struct cohort_plan *c = &plan->cohorts[i];

        diag_clear(d);
        rc = where_parse(c->where, plan, &exprs[i], d);
        if (rc < 0) {
            struct diag inner = *d;

            diag_set(d, plan->config_path, c->where_line, inner.column,
                     "where", "[cohort %s] where: %s", c->name, inner.msg);
            return rc;
        }
        if (plain) {
            plain[i] = where_plain(exprs[i], plan);
            if (!plain[i]) {
                diag_set(d, plan->config_path, c->where_line, 0, NULL,
                         "out of memory");
                return CE_NOMEM;
            }
        }
    }
    return job_check_nesting(plan, exprs, d);
}

int
job_check_nesting(const struct job_plan *plan,
                  struct where_expr *const *exprs, struct diag *d)
{
    const struct disclosure_plan *dp = &plan->disclosure;
    size_t i, j;

    /* Noise that the same persons always get, or rounding as coarse as
     * the protection level, is what answers a subtraction; the audit of
     * each table alone does not. */
    if (dp->perturbation == PERTURB_CELLKEY ||
        dp->rounding >= dp->protection_level)
        return 0;
    for (j = 1; j < plan->ncohorts; j++)
        for (i = 0; i < j; i++) {
            const struct cohort_plan *a = &plan->cohorts[i];
            const struct cohort_plan *b = &plan->cohorts[j];
            int b_in_a = where_within(exprs[j], exprs[i]);
            int a_in_b = where_within(exprs[i], exprs[j]);

            if (!b_in_a && !a_in_b)
                continue;
            diag_set(d, plan->config_path, b->where_line, 0, "nested_cohorts",
                     "[cohort %s] and [cohort %s] count %s, so subtracting "
                     "one table from the other can reveal cells either "
                     "hides; publish one of them, or set perturbation = "
                     "cellkey (with a ptable) or rounding >= %d (the "
                     "protection level) in [disclosure]",
                     a->name, b->name,
                     b_in_a && a_in_b ? "the same persons"
                                      : "persons of which one is part of "
                                        "the other",
                     dp->protection_level);
            return CE_CONFIG;
        }
    return 0;
}

void
job_free_cohorts(const struct job_plan *plan, struct where_expr **exprs,
                 char **plain)
{
    size_t i;

    for (i = 0; i < plan->ncohorts; i++) {
        if (exprs && exprs[i])
            where_free(exprs[i]);
        if (plain)
            free(plain[i]);
    }
}

static double
now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
make_run_id(struct run_summary *sum)
{
    struct timespec ts;
    struct tm tm;

    clock_gettime(CLOCK_REALTIME, &ts);
    sum->started = (int64_t)ts.tv_sec;
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(sum->run_id, sizeof(sum->run_id),
             "%04u%02u%02uT%02u%02u%02u.%03uZ", (unsigned)tm.tm_year + 1900,
             (unsigned)tm.tm_mon % 12 + 1, (unsigned)tm.tm_mday % 32,
             (unsigned)tm.tm_hour % 24, (unsigned)tm.tm_min % 60,
             (unsigned)tm.tm_sec % 62, (unsigned)(ts.tv_nsec / 1000000) % 1000);
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

/*
 * (Re)writes the source's unmapped-code lines from u: min_persons as for
 * quarantine_each_unmapped() -- UNMAPPED_UNCOUNTED until linkage has
 * counted the persons who carry each code, so a run that stops before
 * linking names none.
 */
static int
summarise_unmapped(struct source_summary *ss, const struct unmapped_codes *u,
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

/* Copies the quarantine's counts into the run summary (names only). */
static int
summarise_source(struct source_summary *ss, const struct quarantine *q,
                 const struct source *src)
{
    size_t i, n;

    if (summarise_unmapped(ss, &q->unmapped, UNMAPPED_UNCOUNTED) < 0)
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

struct job_state {
    const struct job_plan *plan;
    struct cohort_key key;
    int have_key;
    struct pseudonymiser ps;
    int have_ps;
    struct linker linker;
    int have_linker;
    struct geo_lookup geo;
    int have_geo;
    struct ptable pt;             /* job_run() with cell-key perturbation */
    int have_pt;
    struct record_list recs;
    /* per source: its unmapped codes, witnesses numbered as js->linker's
     * probes, until their persons are counted (run_link()) */
    struct unmapped_codes *unmapped;
    struct scope_index scopes;
    int have_scopes;
    pthread_mutex_t scope_lock;   /* the readers share scopes */
    struct record_context rctx;   /* what every source's records share */
    uint64_t unknown_postcodes;
    struct link_trace *trace;     /* job_link_trace() only */
    size_t ntrace, trace_alloc;
    int want_trace;
    /* with several readers, one progress line for the pass (read_pass) */
    struct pass_progress *pass_progress;
};

/*
 * The progress line of a pass read on several threads: the readers add
 * their rows and bytes, and whichever crosses the next 65 536 rows redraws
 * one line for all of them (sources, rows, MB/s). Counts only.
 */
struct pass_progress {
    pthread_mutex_t lock;
    uint64_t rows, bytes;
    size_t nsources;
    double t0;
    int drawn;
};

static void
pass_progress_add(struct pass_progress *pp, uint64_t rows, uint64_t bytes)
{
    double secs;

    pthread_mutex_lock(&pp->lock);
    if ((pp->rows + rows) >> 16 != pp->rows >> 16) {
        secs = now_seconds() - pp->t0;
        if (secs <= 0)
            secs = 1e-6;
        fprintf(stderr, "\rreading %zu sources: %llu rows, %.1f MB/s          ",
                pp->nsources, (unsigned long long)(pp->rows + rows),
                (double)(pp->bytes + bytes) / 1e6 / secs);
        fflush(stderr);
        pp->drawn = 1;
    }
    pp->rows += rows;
    pp->bytes += bytes;
    pthread_mutex_unlock(&pp->lock);
}

/*
 * What reading one source leaves: its own records, linker, counter, trace
 * and log lines. Sources are read on threads, each into its own
 * source_out, and merged into the job_state in the order one reader reads
 * them (merge_source()), so record numbers, person numbers and every
 * output are those of --threads 1.
 */
struct source_out {
    struct record_list recs;
    struct unmapped_codes unmapped; /* witnesses are linker's probes */
    struct linker linker;
    int have_linker;
    uint64_t unknown_postcodes;
    struct link_trace *trace;
    size_t ntrace, trace_alloc;
    struct strbuf log;            /* its log lines, when read on a thread */
    int rc;
    struct diag d;
};

static void
source_out_release(struct source_out *o)
{
    record_list_release(&o->recs);
    unmapped_codes_release(&o->unmapped);
    if (o->have_linker)
        linker_release(&o->linker);
    free(o->trace);
    strbuf_release(&o->log);
    memset(o, 0, sizeof(*o));
}

/*
 * A progress line redrawn in place on a terminal (cmd_run only asks for it
 * when stderr is one): rows, MB/s, and for plain files an ETA from the bytes
 * left. Counts and names only.
 */
static void
progress_line(const struct source_plan *sp, const struct source *src,
              uint64_t rows, double t0, int last)
{
    double secs = now_seconds() - t0, mb = (double)src->bytes_read / 1e6;
    uint64_t total = 0;
    size_t i;
    int gz = 0;

    for (i = 0; i < src->nfiles; i++) {
        total += src->files[i].size;
        gz |= sp->path && strstr(sp->path, ".gz") != NULL;
    }
    if (secs <= 0)
        secs = 1e-6;
    fprintf(stderr, "\r%s: %llu rows, %.1f MB/s", sp->name,
            (unsigned long long)rows, mb / secs);
    if (!last && !gz && total > src->bytes_read && src->bytes_read > 0)
        fprintf(stderr, ", about %.0f s left",
                (double)(total - src->bytes_read) / ((double)src->bytes_read / secs));
    fprintf(stderr, last ? "          \n" : "          ");
    fflush(stderr);
}

/* One source being read: where its rows go. */
struct row_sink {
    struct job_state *js;
    size_t si;
    const struct run_options *opts;
    struct source_out *out;
    struct record_builder b;
    double t0;
    uint64_t progress_bytes;    /* bytes already given to pass_progress */
};

/* The trace entry of a kept record (job_link_trace()). 0 or CE_NOMEM. */
static int
trace_push(struct source_out *out, size_t si, const struct raw_row *row)
{
    if (out->ntrace == out->trace_alloc) {
        struct link_trace *t = realloc(out->trace, out->trace_alloc * 2 *
                                                       sizeof(*t));

        if (!t)
            return CE_NOMEM;
        out->trace = t;
        out->trace_alloc *= 2;
    }
    out->trace[out->ntrace].source = (uint32_t)si;
    out->trace[out->ntrace].line = row->line;
    out->trace[out->ntrace].file = row->file_index;
    out->ntrace++;
    return 0;
}

/* Redraws the progress lines after a kept record. */
static void
row_progress(struct row_sink *k, const struct source_reader *r)
{
    uint64_t rows = r->q.rows_in;

    if (k->opts->progress && (rows & 0xFFFF) == 0)
        progress_line(r->sp, &r->src, rows, k->t0, 0);
    if (k->js->pass_progress && (rows & 0xFFF) == 0) {
        pass_progress_add(k->js->pass_progress, 0x1000,
                          r->src.bytes_read - k->progress_bytes);
        k->progress_bytes = r->src.bytes_read;
    }
}

/* source_reader_run() callback: the row becomes a pseudonymous record
 * (anonymise/record.h), which the source's output keeps. */
static int
keep_row(void *ctx, struct source_reader *r, const struct raw_row *row,
         int mapped, struct record *rec, struct diag *d)
{
    struct row_sink *k = ctx;
    struct pseudonymous_record pr;
    int rc;

    rc = record_from_row(&k->b, &r->m, row, mapped, rec, &r->q, &pr);
    if (rc > 0) {
        rc = record_list_push(&k->out->recs, &pr);
        if (rc == 0 && k->out->trace_alloc)
            rc = trace_push(k->out, k->si, row);
        if (rc == 0)
            row_progress(k, r);
    }
    if (rc < 0)
        diag_set(d, r->sp->name, row->line, 0, NULL, "out of memory");
    return rc < 0 ? rc : 0;
}

/* Where the rejected rows of a source over its limit are, so the extract
 * can be fixed: file, line, column and rule -- never what the row held. */
static void
log_quarantined(const struct source_reader *r)
{
    const struct quarantine *q = &r->q;
    size_t i;
    char where[128];

    for (i = 0; i < q->nrows && i < 20; i++) {
        const struct rejected_row *rr = &q->rows[i];

        /* the file by its position, never its path (source.h) */
        if (rr->file < r->src.nfiles)
            source_file_label(&r->src, rr->file, where, sizeof(where));
        else
            snprintf(where, sizeof(where), "%s", r->sp->name);
        log_msg(LOG_WARN, "%s:%ld:%ld: quarantined [%s]", where, rr->line,
                rr->column,
                quarantine_reason_name((enum quarantine_reason)rr->reason));
    }
    if (q->nrows > 20)
        log_msg(LOG_WARN, "%s: %zu more quarantined rows (quality.csv of "
                          "a published run counts them by reason)",
                r->sp->name, q->nrows - 20);
}

/*
 * Reads one source through map -> pseudonymise -> link into out, on any
 * thread: the plan, pseudonymiser and lookup are only read (hash states
 * are copied per call); the id scope index is shared, behind
 * js->scope_lock -- its counts do not depend on the order rows reach it
 * (scope.h).
 */
static int
read_source(struct job_state *js, size_t si, struct source_summary *ss,
            const struct run_options *opts, struct source_out *out,
            struct diag *d)
{
    const struct source_plan *sp = &js->plan->sources[si];
    struct source_reader r;
    struct row_sink k;
    int rc;

    source_reader_init(&r, sp);
    memset(&k, 0, sizeof(k));
    k.js = js;
    k.si = si;
    k.opts = opts;
    k.out = out;
    k.t0 = now_seconds();
    if ((rc = linker_init(&out->linker, js->plan->linkage.nkeys + 1)) < 0) {
        diag_set(d, sp->name, 0, 0, NULL, "out of memory");
        goto out;
    }
    out->have_linker = 1;
    if ((rc = record_builder_init(&k.b, &js->rctx, sp, &out->linker)) < 0) {
        diag_set(d, sp->name, 0, 0, NULL, "out of memory");
        goto out;
    }
    if (js->want_trace) {
        out->trace_alloc = 4096;
        if (!(out->trace = malloc(out->trace_alloc * sizeof(*out->trace)))) {
            rc = CE_NOMEM;
            diag_set(d, sp->name, 0, 0, NULL, "out of memory");
            goto out;
        }
    }
    if ((rc = source_reader_open(&r, js->plan, NULL, NULL, d)) < 0)
        goto out;
    rc = source_reader_run(&r, 0, &job_stop_requested, keep_row, &k, d);
    if (opts->progress && r.q.rows_in >= 0x10000)
        progress_line(sp, &r.src, r.q.rows_in, k.t0, 1);
out:
    ss->plan = sp;
    if (summarise_source(ss, &r.q, &r.src) < 0 && rc == 0) {
        diag_set(d, sp->name, 0, 0, NULL, "out of memory");
        rc = CE_NOMEM;
    }
    out->unknown_postcodes = k.b.unknown_postcodes;
    /* the codes wait in out for linkage to count their persons */
    out->unmapped = r.q.unmapped;
    memset(&r.q.unmapped, 0, sizeof(r.q.unmapped));
    ss->seconds = now_seconds() - k.t0;
    if (rc == 0)
        rc = quarantine_check_policy(&r.q, d);
    if (rc == CE_DATA && r.q.nrows)
        log_quarantined(&r);
    record_builder_release(&k.b);
    source_reader_release(&r);
    return rc;
}

/* One pass's sources handed out to readers in read order. */
struct reader_queue {
    struct job_state *js;
    struct source_summary *ss;
    const struct run_options *opts;
    struct source_out *outs;
    const size_t *order;      /* the pass's source indexes, in read order */
    size_t n;
    size_t next;
    int failed;               /* a source failed: hand out no later one */
    int capture;              /* keep each source's log lines for later */
    pthread_mutex_t lock;
};

static void *
reader_worker(void *arg)
{
    struct reader_queue *w = arg;

    for (;;) {
        size_t si;
        struct source_out *o;

        pthread_mutex_lock(&w->lock);
        if (w->failed || w->next == w->n) {
            pthread_mutex_unlock(&w->lock);
            return NULL;
        }
        si = w->order[w->next++];
        pthread_mutex_unlock(&w->lock);
        o = &w->outs[si];
        if (w->capture)
            log_capture(&o->log);
        log_msg(LOG_DEBUG, "reading source %s", w->js->plan->sources[si].name);
        diag_clear(&o->d);
        o->rc = read_source(w->js, si, &w->ss[si], w->opts, o, &o->d);
        if (w->capture)
            log_capture(NULL);
        if (o->rc < 0) {
            /* sources are handed out in read order, so every one before
             * this has been started and runs to its end: the first to fail
             * in read order -- where one reader stops -- is among them */
            pthread_mutex_lock(&w->lock);
            w->failed = 1;
            pthread_mutex_unlock(&w->lock);
        }
    }
}

/* Moves source si's output into the job: records, linker entries (record
 * and probe numbers shifted), unmapped codes (their witnesses numbered as
 * the job's probes), counter, trace. */
static int
merge_source(struct job_state *js, size_t si, struct source_out *o)
{
    size_t i, j;
    int rc;

    js->unknown_postcodes += o->unknown_postcodes;
    if ((rc = record_list_append(&js->recs, &o->recs)) < 0)
        return rc;
    for (i = 0; i < o->unmapped.ncodes; i++)
        for (j = 0; j < o->unmapped.codes[i].nwitness; j++)
            o->unmapped.codes[i].witness[j] += (uint32_t)js->linker.nprobes;
    unmapped_codes_release(&js->unmapped[si]);
    js->unmapped[si] = o->unmapped;
    memset(&o->unmapped, 0, sizeof(o->unmapped));
    rc = linker_append(&js->linker, &o->linker);
    o->have_linker = 0;
    if (rc < 0)
        return rc;
    if (o->ntrace) {
        if (js->ntrace + o->ntrace > js->trace_alloc) {
            struct link_trace *t = realloc(js->trace, (js->ntrace + o->ntrace) *
                                                          sizeof(*t));

            if (!t)
                return CE_NOMEM;
            js->trace = t;
            js->trace_alloc = js->ntrace + o->ntrace;
        }
        memcpy(js->trace + js->ntrace, o->trace, o->ntrace * sizeof(*o->trace));
        js->ntrace += o->ntrace;
    }
    return 0;
}

/* Reads one pass's sources (order[0..n)) on up to `threads` threads. */
static void
read_pass(struct job_state *js, struct source_summary *ss,
          const struct run_options *opts, int threads,
          struct source_out *outs, const size_t *order, size_t n)
{
    struct reader_queue w;
    struct run_options pass_opts = *opts;
    pthread_t tid[16];
    size_t nt = (size_t)threads < n ? (size_t)threads : n, k, started = 0;

    if (nt > sizeof(tid) / sizeof(tid[0]))
        nt = sizeof(tid) / sizeof(tid[0]);
    memset(&w, 0, sizeof(w));
    w.js = js;
    w.ss = ss;
    w.opts = &pass_opts;
    w.outs = outs;
    w.order = order;
    w.n = n;
    pthread_mutex_init(&w.lock, NULL);
    if (nt <= 1) {
        reader_worker(&w);
    } else {
        /* one progress line for the pass, not one per reader */
        struct pass_progress pp;

        if (opts->progress) {
            memset(&pp, 0, sizeof(pp));
            pthread_mutex_init(&pp.lock, NULL);
            pp.nsources = n;
            pp.t0 = now_seconds();
            js->pass_progress = &pp;
        }
        pass_opts.progress = 0;
        w.capture = 1;
        for (k = 0; k < nt; k++) {
            if (pthread_create(&tid[k], NULL, reader_worker, &w) != 0)
                break;
            started++;
        }
        if (!started)
            reader_worker(&w);   /* no thread to be had: read here */
        for (k = 0; k < started; k++)
            pthread_join(tid[k], NULL);
        if (opts->progress) {
            if (pp.drawn)
                fputc('\n', stderr);
            js->pass_progress = NULL;
            pthread_mutex_destroy(&pp.lock);
        }
    }
    pthread_mutex_destroy(&w.lock);
}

/*
 * Reads every source: ordinary and header tables first, then the events
 * tables, so that an events row's header -- whichever table of the scope
 * lists it -- has been seen when the row is read. Within a pass the
 * sources are independent and are read on up to opts->threads threads,
 * each into its own source_out; the outputs, log lines and the first
 * failure are then taken in config order, the order one reader reads
 * them in, so the run is that of --threads 1.
 */
static int
read_sources(struct job_state *js, struct source_summary *ss,
             const struct run_options *opts, struct diag *d)
{
    const struct job_plan *plan = js->plan;
    size_t nalloc = plan->nsources ? plan->nsources : 1, i;
    struct source_out *outs = NULL;
    size_t *order = NULL;
    int pass, rc = 0, threads = opts->threads > 0 ? opts->threads : 1;

    if ((rc = scope_index_init(&js->scopes, plan->nscopes)) < 0) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return rc;
    }
    pthread_mutex_init(&js->scope_lock, NULL);
    js->have_scopes = 1;
    js->rctx.plan = plan;
    js->rctx.ps = &js->ps;
    js->rctx.geo = &js->geo;
    js->rctx.scopes = &js->scopes;
    js->rctx.scope_lock = &js->scope_lock;
    outs = calloc(nalloc, sizeof(*outs));
    order = calloc(nalloc, sizeof(*order));
    js->unmapped = calloc(nalloc, sizeof(*js->unmapped));
    if (!outs || !order || !js->unmapped) {
        rc = CE_NOMEM;
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        goto out;
    }
    for (pass = 0; pass < 2 && rc == 0; pass++) {
        size_t n = 0, k, stop;

        for (i = 0; i < plan->nsources; i++)
            if ((plan->sources[i].role == ROLE_EVENTS) == pass)
                order[n++] = i;
        read_pass(js, ss, opts, threads, outs, order, n);
        for (stop = 0; stop < n && outs[order[stop]].rc == 0; stop++)
            ;
        for (k = 0; k < n; k++) {
            struct source_out *o = &outs[order[k]];

            if (k <= stop && o->log.len)
                log_write(strbuf_str(&o->log));
            if (k > stop)
                source_summary_release(&ss[order[k]]);
        }
        if (stop < n) {
            rc = outs[order[stop]].rc;
            *d = outs[order[stop]].d;
            break;
        }
        for (k = 0; k < n; k++) {
            if ((rc = merge_source(js, order[k], &outs[order[k]])) < 0) {
                diag_set(d, NULL, 0, 0, NULL, "out of memory");
                break;
            }
            source_out_release(&outs[order[k]]);
        }
    }
out:
    if (outs)
        for (i = 0; i < plan->nsources; i++)
            source_out_release(&outs[i]);
    free(outs);
    free(order);
    return rc;
}

/* Copies the scopes' counts into the summary and logs what needs a look. */
static int
summarise_scopes(const struct job_state *js, struct run_summary *sum)
{
    const struct job_plan *plan = js->plan;
    size_t i;

    if (!plan->nscopes)
        return 0;
    sum->scopes = calloc(plan->nscopes, sizeof(*sum->scopes));
    if (!sum->scopes)
        return CE_NOMEM;
    sum->nscopes = plan->nscopes;
    for (i = 0; i < plan->nscopes; i++) {
        const struct scope_stats *st = &js->scopes.stats[i];
        struct scope_summary *sc = &sum->scopes[i];

        sc->name = plan->scopes[i];
        sc->ids = st->ids;
        sc->header_rows = st->header_rows;
        sc->events_joined = st->events_joined;
        sc->events_orphaned = st->events_orphaned;
        sc->nhs_conflicts = st->nhs_conflicts;
        sc->dob_conflicts = st->dob_conflicts;
        if (st->events_orphaned)
            log_msg(LOG_WARN, "id scope %s: %llu events rows name an id no "
                              "header lists (quarantined as orphan_local_id)",
                    sc->name, (unsigned long long)st->events_orphaned);
        if (st->nhs_conflicts)
            log_msg(LOG_WARN, "id scope %s: %llu ids carry two NHS numbers "
                              "across their rows (kept apart, not merged)",
                    sc->name, (unsigned long long)st->nhs_conflicts);
        if (st->dob_conflicts)
            log_msg(LOG_WARN, "id scope %s: %llu ids carry two dates of birth "
                              "across their rows (one person; the most "
                              "frequent date is used)",
                    sc->name, (unsigned long long)st->dob_conflicts);
    }
    return 0;
}

/*
 * Every count of persons the run publishes outside its tables -- persons
 * per department and in all, ids per id scope and their conflicts, links
 * made and refused per key -- goes through the tables' own rule
 * (anonymise/disclosure.h), so quality.csv, the manifest, the report and
 * PostgreSQL never show an exact count beside a table that rounds or hides
 * the same persons. A department's persons get the cell key those persons
 * give any cell; the linkage counts have no one set of persons behind
 * them, so they are suppressed and rounded but never perturbed. The log
 * (stderr, for the analyst) keeps its exact warnings. Counts of rows and
 * records stay exact: they are not persons, and rows in = rows accepted +
 * rows quarantined must add up.
 */
static void
protect_summary_counts(const struct job_plan *plan, const struct ptable *pt,
                       const struct person_set *ps, const uint32_t *dept_ckey,
                       struct run_summary *sum)
{
    const struct disclosure_plan *dp = &plan->disclosure;
    uint32_t all = 0;
    size_t i;

    for (i = 0; i < ps->npersons; i++)
        all += ps->record_key[i];
    sum->persons = disclosure_publish_count(dp, pt, sum->persons, all);
    for (i = 0; i < DEPT_COUNT; i++)
        sum->departments[i].persons = disclosure_publish_count(
            dp, pt, sum->departments[i].persons, dept_ckey[i]);
    for (i = 0; i < sum->nscopes; i++) {
        struct scope_summary *sc = &sum->scopes[i];

        sc->ids = disclosure_publish_count(dp, NULL, sc->ids, 0);
        sc->nhs_conflicts = disclosure_publish_count(dp, NULL,
                                                     sc->nhs_conflicts, 0);
        sc->dob_conflicts = disclosure_publish_count(dp, NULL,
                                                     sc->dob_conflicts, 0);
    }
    sum->scope_links = disclosure_publish_count(dp, NULL, sum->scope_links, 0);
    sum->scope_refused =
        disclosure_publish_count(dp, NULL, sum->scope_refused, 0);
    for (i = 0; i < sum->nkeys; i++) {
        sum->keys[i].links =
            disclosure_publish_count(dp, NULL, sum->keys[i].links, 0);
        sum->keys[i].conflicts =
            disclosure_publish_count(dp, NULL, sum->keys[i].conflicts, 0);
    }
}

static void
job_state_release(struct job_state *js)
{
    size_t i;

    for (i = 0; js->unmapped && i < js->plan->nsources; i++)
        unmapped_codes_release(&js->unmapped[i]);
    free(js->unmapped);
    free(js->trace);
    if (js->have_ps)
        pseudonymiser_release(&js->ps);
    if (js->have_linker)
        linker_release(&js->linker);
    if (js->have_scopes) {
        scope_index_release(&js->scopes);
        pthread_mutex_destroy(&js->scope_lock);
    }
    if (js->have_geo)
        geo_lookup_release(&js->geo);
    if (js->have_pt)
        ptable_release(&js->pt);
    if (js->have_key)
        key_release(&js->key);
    record_list_release(&js->recs);
}

/*
 * What reading needs, in this order: the key (its id into key_id, when
 * not NULL), the lookup, the perturbation table (with_ptable, when the
 * plan perturbs), the pseudonymiser and the linker.
 */
static int
job_state_load(struct job_state *js, int with_ptable, char *key_id,
               struct diag *d)
{
    const struct job_plan *plan = js->plan;
    int rc;

    if ((rc = key_load(&js->key, plan->key_file, d)) < 0)
        return rc;
    js->have_key = 1;
    if (key_id)
        memcpy(key_id, js->key.id, sizeof(js->key.id));
    if ((rc = geo_lookup_load(&js->geo, plan->lookup, d)) < 0)
        return rc;
    js->have_geo = 1;
    if (with_ptable && plan->disclosure.perturbation == PERTURB_CELLKEY) {
        if ((rc = ptable_load(&js->pt, plan->disclosure.ptable, d)) < 0)
            return rc;
        js->have_pt = 1;
    }
    if ((rc = pseudonymiser_init(&js->ps, plan, &js->key, d)) < 0)
        return rc;
    js->have_ps = 1;
    if ((rc = linker_init(&js->linker, plan->linkage.nkeys + 1)) < 0) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return rc;
    }
    js->have_linker = 1;
    return 0;
}

static int
publish(const struct job_plan *plan, const struct run_summary *sum,
        struct diag *d)
{
    size_t i;
    int rc;

    /* The database first: it is the one that can refuse (a lock, a dead
     * server), and its transaction leaves nothing behind when it does. */
    for (i = 0; i < plan->noutputs; i++)
        if (plan->outputs[i].type == OUT_POSTGRES &&
            (rc = publish_postgres(sum, &plan->outputs[i], d)) < 0)
            return rc;
    for (i = 0; i < plan->noutputs; i++)
        if (plan->outputs[i].type == OUT_CSV &&
            (rc = publish_files(sum, &plan->outputs[i], d)) < 0)
            return rc;
    return 0;
}

/* What job_run() carries from one step to the next. */
struct job_run {
    const struct job_plan *plan;
    const struct run_options *opts;
    struct run_summary *sum;
    struct job_state js;
    struct where_expr **exprs;    /* per cohort */
    char **plain;                 /* per cohort, until its result takes it */
    struct period *periods;
    struct person_set ps;
    int have_ps;
};

static void
set_finished(struct run_summary *sum)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    sum->finished = (int64_t)ts.tv_sec;
}

/* The run's id and the summary's arrays; the periods. */
static int
run_begin(struct job_run *jr, struct diag *d)
{
    const struct job_plan *plan = jr->plan;
    struct run_summary *sum = jr->sum;

    make_run_id(sum);
    log_set_run_id(sum->run_id);
    sum->version = COHORT_VERSION;
    sum->plan = plan;
    sum->nsources = plan->nsources;
    sum->nkeys = plan->linkage.nkeys;
    sum->ncohorts = plan->ncohorts;
    sum->sources = calloc(plan->nsources, sizeof(*sum->sources));
    sum->keys = calloc(plan->linkage.nkeys, sizeof(*sum->keys));
    sum->cohorts = calloc(plan->ncohorts, sizeof(*sum->cohorts));
    jr->exprs = calloc(plan->ncohorts, sizeof(*jr->exprs));
    jr->plain = calloc(plan->ncohorts, sizeof(*jr->plain));
    jr->periods = calloc((size_t)plan->periods, sizeof(*jr->periods));
    if (!sum->sources || !sum->keys || !sum->cohorts || !jr->exprs ||
        !jr->plain || !jr->periods) {
        sum->nsources = sum->nkeys = sum->ncohorts = 0;
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    periods_compute(plan->reference_date, plan->periods, jr->periods);
    return 0;
}

/* The rules as reviewed, and their hash for the manifest. */
static int
run_rules(struct job_run *jr, struct diag *d)
{
    struct strbuf sb = STRBUF_INIT;
    int rc;

    if ((rc = job_compile_cohorts(jr->plan, jr->exprs, jr->plain, d)) < 0)
        return rc;
    if (rules_render(jr->plan, jr->plain, RULES_TEXT, &sb) < 0 ||
        rules_plan_hash(jr->plan, jr->plain, jr->sum->plan_hash) < 0) {
        strbuf_release(&sb);
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    jr->sum->rules_text = strbuf_detach(&sb);
    return 0;
}

/* read -> map -> pseudonymise: plaintext lives only inside this step. */
static int
run_read(struct job_run *jr, struct diag *d)
{
    int rc;

    if ((rc = read_sources(&jr->js, jr->sum->sources, jr->opts, d)) < 0)
        return rc;
    jr->sum->unknown_postcodes = jr->js.unknown_postcodes;
    if ((rc = summarise_scopes(&jr->js, jr->sum)) < 0) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return rc;
    }
    return 0;
}

/*
 * Links the records, then counts the distinct persons behind each
 * unmapped code and writes each source's unmapped-code lines again with
 * them (person.h); the links per key into the summary.
 */
static int
run_link(struct job_run *jr, struct diag *d)
{
    const struct job_plan *plan = jr->plan;
    struct job_state *js = &jr->js;
    struct run_summary *sum = jr->sum;
    size_t i;

    if (linker_run(&js->linker) < 0)
        goto nomem;
    for (i = 0; i < plan->nsources; i++) {
        if (!sum->sources[i].plan)
            continue;
        unmapped_count_persons(&js->unmapped[i], &js->linker);
        if (summarise_unmapped(&sum->sources[i], &js->unmapped[i],
                               unmapped_min_persons(plan)) < 0)
            goto nomem;
    }
    for (i = 0; i < plan->linkage.nkeys; i++) {
        struct linker_key_stats st;

        linker_key_stats(&js->linker, i + 1, &st);
        if (i == 0) {
            struct linker_key_stats sc;

            linker_key_stats(&js->linker, 0, &sc);
            sum->scope_links = sc.links;
            sum->scope_refused = sc.conflicts;
        }
        sum->keys[i].key_text = plan->linkage.keys[i].text;
        sum->keys[i].records_with_key = st.records_with_key;
        sum->keys[i].links = st.links;
        sum->keys[i].conflicts = st.conflicts;
    }
    return 0;
nomem:
    diag_set(d, NULL, 0, 0, NULL, "out of memory");
    return CE_NOMEM;
}

/* Assembles the persons (person.h); their counts pass the rule. */
static int
run_persons(struct job_run *jr, struct diag *d)
{
    struct job_state *js = &jr->js;
    struct run_summary *sum = jr->sum;
    struct department_tally dept[DEPT_COUNT];
    uint32_t dept_ckey[DEPT_COUNT];
    size_t i;
    int rc;

    memset(dept, 0, sizeof(dept));
    rc = person_set_build(&jr->ps, jr->plan, jr->periods, js->recs.r,
                          js->recs.n, &js->linker, &js->ps, &js->geo.names,
                          dept);
    if (rc < 0) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return rc;
    }
    jr->have_ps = 1;
    for (i = 0; i < DEPT_COUNT; i++) {
        sum->departments[i].records += dept[i].records;
        sum->departments[i].persons += dept[i].persons;
        dept_ckey[i] = dept[i].key_sum;
    }
    sum->persons = jr->ps.npersons;
    protect_summary_counts(jr->plan, js->have_pt ? &js->pt : NULL, &jr->ps,
                           dept_ckey, sum);
    /* The records are no longer needed once persons exist. */
    record_list_release(&js->recs);
    return 0;
}

/* Counts every cohort's table and protects it. */
static int
run_cohorts(struct job_run *jr, struct diag *d)
{
    const struct job_plan *plan = jr->plan;
    struct run_summary *sum = jr->sum;
    const struct ptable *pt = jr->js.have_pt ? &jr->js.pt : NULL;
    size_t i;
    double t0;
    int rc;

    for (i = 0; i < plan->ncohorts; i++) {
        struct cohort_result *cr = &sum->cohorts[i];
        struct disclosure_stats st;

        t0 = now_seconds();
        cr->plan = &plan->cohorts[i];
        cr->where_text_plain = jr->plain[i];
        jr->plain[i] = NULL;
        rc = cohort_count(plan, &plan->cohorts[i], jr->exprs[i], &jr->ps,
                          jr->periods, &cr->table);
        if (rc < 0) {
            diag_set(d, NULL, 0, 0, NULL, "out of memory");
            return rc;
        }
        memset(&st, 0, sizeof(st));
        sum->seconds_count += now_seconds() - t0;
        t0 = now_seconds();
        rc = disclosure_protect(&cr->table, &plan->disclosure, pt,
                                jr->opts->threads > 0 ? jr->opts->threads : 1,
                                &st, d);
        sum->seconds_protect += now_seconds() - t0;
        if (rc < 0)
            return rc;
        cr->cells = st.cells;
        cr->suppressed = st.suppressed;
        cr->secondary = st.secondary;
        cr->rounded = st.rounded;
        cr->perturbed = st.perturbed;
    }
    return 0;
}

/* Publishes to every output, then records the drift state. */
static int
run_publish(struct job_run *jr, struct diag *d)
{
    double t0 = now_seconds();
    int rc;

    rc = publish(jr->plan, jr->sum, d);
    jr->sum->seconds_publish = now_seconds() - t0;
    if (rc == 0 && drift_record(jr->plan, jr->sum, d) < 0)
        log_msg(LOG_WARN, "published, but the drift state could not be "
                          "recorded");
    return rc;
}

static void
job_run_release(struct job_run *jr)
{
    if (!jr->sum->finished)
        set_finished(jr->sum);
    if (jr->have_ps)
        person_set_release(&jr->ps);
    if (jr->exprs)
        job_free_cohorts(jr->plan, jr->exprs, jr->plain);
    free(jr->exprs);
    free(jr->plain);
    free(jr->periods);
    job_state_release(&jr->js);
}

int
job_run(const struct job_plan *plan, const struct run_options *opts,
        struct run_summary *sum, struct diag *d)
{
    struct job_run jr;
    double t0;
    int rc;

    memset(&jr, 0, sizeof(jr));
    memset(sum, 0, sizeof(*sum));
    jr.plan = plan;
    jr.opts = opts;
    jr.sum = sum;
    jr.js.plan = plan;
    if ((rc = run_begin(&jr, d)) < 0 || (rc = run_rules(&jr, d)) < 0 ||
        (rc = job_state_load(&jr.js, 1, sum->key_id, d)) < 0)
        goto out;

    t0 = now_seconds();
    if ((rc = run_read(&jr, d)) < 0)
        goto out;
    /* an extract that moved too far since the last good run stops here */
    if (!opts->accept_drift && (rc = drift_check(plan, sum, d)) < 0)
        goto out;
    sum->seconds_read = now_seconds() - t0;

    t0 = now_seconds();
    if ((rc = run_link(&jr, d)) < 0)
        goto out;
    sum->seconds_link = now_seconds() - t0;

    t0 = now_seconds();
    if ((rc = run_persons(&jr, d)) < 0)
        goto out;
    sum->seconds_generalise = now_seconds() - t0;

    if ((rc = run_cohorts(&jr, d)) < 0)
        goto out;
    if (job_stop_requested) {
        rc = CE_INTERRUPTED;
        diag_set(d, NULL, 0, 0, NULL, "interrupted before publishing");
        goto out;
    }
    set_finished(sum);
    if (!opts->no_publish)
        rc = run_publish(&jr, d);
out:
    job_run_release(&jr);
    return rc;
}

int
job_link_trace(const struct job_plan *plan, int threads,
               struct link_trace **out, size_t *n, struct diag *d)
{
    struct job_state js;
    struct run_summary tmp;
    struct run_options opts;
    size_t i;
    int rc;

    memset(&js, 0, sizeof(js));
    memset(&tmp, 0, sizeof(tmp));
    memset(&opts, 0, sizeof(opts));
    opts.threads = threads;
    *out = NULL;
    *n = 0;
    js.plan = plan;
    js.want_trace = 1;
    tmp.sources = calloc(plan->nsources, sizeof(*tmp.sources));
    if (!tmp.sources) {
        rc = CE_NOMEM;
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        goto out;
    }
    tmp.nsources = plan->nsources;
    if ((rc = job_state_load(&js, 0, NULL, d)) < 0 ||
        (rc = read_sources(&js, tmp.sources, &opts, d)) < 0 ||
        (rc = linker_run(&js.linker)) < 0)
        goto out;
    for (i = 0; i < js.ntrace; i++)
        js.trace[i].person = linker_person(&js.linker, i);
    *out = js.trace;
    *n = js.ntrace;
    js.trace = NULL;
out:
    run_summary_release(&tmp);
    job_state_release(&js);
    return rc;
}
