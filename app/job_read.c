#include "job_read.h"
#include "source_reader.h"
#include "../core/calendar.h"
#include "../anonymise/compare_fields.h"
#include "../core/log.h"
#include "../core/strbuf.h"

#include <glob.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

double
job_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double
job_cpu_seconds(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) < 0)
        return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct pass_progress;

/* The read stage while it runs: what every reader shares. */
struct read_stage {
    const struct job_plan *plan;
    struct read_result *rr;
    struct record_context rctx;   /* what every source's records share */
    pthread_mutex_t scope_lock;   /* the readers share rr->scopes */
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
        secs = job_seconds() - pp->t0;
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
 * source_out, and merged into the read result in the order one reader reads
 * them (merge_source()), so record numbers, person numbers and every
 * output are those of --threads 1.
 */
struct source_out {
    struct record_list recs;
    struct record_list household_events; /* a household's own spells */
    struct unmapped_codes unmapped; /* witnesses are linker's probes */
    struct linker linker;
    int have_linker;
    struct comparison_list cmp;   /* its records' comparison records */
    uint64_t unknown_postcodes;
    struct link_trace *trace;
    size_t ntrace, trace_alloc;
    /* a source of yearly returns: per file, the latest day of its kept
     * rows (DAY_NONE: none yet), the return's collection year */
    int32_t *latest;
    size_t nlatest;
    struct strbuf log;            /* its log lines, when read on a thread */
    int rc;
    struct diag d;
};

static void
source_out_release(struct source_out *o)
{
    record_list_release(&o->recs);
    record_list_release(&o->household_events);
    unmapped_codes_release(&o->unmapped);
    if (o->have_linker)
        linker_release(&o->linker);
    comparison_list_release(&o->cmp);
    free(o->trace);
    free(o->latest);
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
    double secs = job_seconds() - t0, mb = (double)src->bytes_read / 1e6;
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
                (double)(total - src->bytes_read) /
                    ((double)src->bytes_read / secs));
    fprintf(stderr, last ? "          \n" : "          ");
    fflush(stderr);
}

/* One source being read: where its rows go. */
struct row_sink {
    struct read_stage *st;
    size_t si;
    const struct run_options *opts;
    struct source_out *out;
    struct record_builder b;
    double t0;
    uint64_t progress_bytes;    /* bytes already given to pass_progress */
};

/* The trace entry of a kept record (job_link_trace()). 0 or CE_NOMEM. */
static int
trace_push(struct source_out *out, size_t si, const struct raw_row *row,
           const struct pseudonymous_record *pr)
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
    out->trace[out->ntrace].ethnicity = pr->ethnicity;
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
    if (k->st->pass_progress && (rows & 0xFFF) == 0) {
        pass_progress_add(k->st->pass_progress, 0x1000,
                          r->src.bytes_read - k->progress_bytes);
        k->progress_bytes = r->src.bytes_read;
    }
}

/* A kept record of a yearly return: its file's position + 1 as its
 * return, and its dates into that file's latest day. 0, CE_NOMEM, or
 * CE_DATA past RETURNS_MAX files. */
static int
note_return(struct source_out *out, const struct raw_row *row,
            struct pseudonymous_record *pr)
{
    size_t f = row->file_index;
    int32_t day;

    if (f >= RETURNS_MAX)
        return CE_DATA;
    if (f >= out->nlatest) {
        size_t n = f + 1, i;
        int32_t *l = realloc(out->latest, n * sizeof(*l));

        if (!l)
            return CE_NOMEM;
        for (i = out->nlatest; i < n; i++)
            l[i] = DAY_NONE;
        out->latest = l;
        out->nlatest = n;
    }
    pr->ret = (uint8_t)(f + 1);
    /* a return's episodes start in or before its year (an end date may
     * run a day past it): the latest start says which year it is */
    day = pr->start;
    if (day > out->latest[f])
        out->latest[f] = day;
    return 0;
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
    if (rc == 2) {
        /* a household's own spell: no person, not the linker's */
        if ((rc = record_list_push(&k->out->household_events, &pr)) == 0)
            row_progress(k, r);
        if (rc < 0)
            diag_set(d, r->sp->name, row->line, 0, NULL, "out of memory");
        return rc;
    }
    if (rc > 0 && r->sp->return_year_end && pr.service != SERVICE_NONE) {
        int nr = note_return(k->out, row, &pr);

        if (nr == CE_DATA) {
            diag_set(d, r->sp->name, 0, 0, "return_year_end",
                     "more than %d files of yearly returns; read fewer "
                     "years together", RETURNS_MAX);
            return nr;
        }
        if (nr < 0)
            rc = nr;
    }
    if (rc > 0) {
        rc = record_list_push(&k->out->recs, &pr);
        if (rc == 0 && k->out->trace_alloc)
            rc = trace_push(k->out, k->si, row, &pr);
        if (rc == 0)
            row_progress(k, r);
    }
    if (rc < 0)
        diag_set(d, r->sp->name, row->line, 0, NULL, "out of memory");
    return rc < 0 ? rc : 0;
}

/*
 * Reads one source through map -> pseudonymise -> link into out, on any
 * thread: the plan, pseudonymiser and lookup are only read (hash states
 * are copied per call); the id scope index is shared, behind
 * st->scope_lock -- its counts do not depend on the order rows reach it
 * (scope.h).
 */
static int
read_source(struct read_stage *st, size_t si, struct source_summary *ss,
            const struct run_options *opts, struct source_out *out,
            struct diag *d)
{
    const struct source_plan *sp = &st->plan->sources[si];
    struct source_reader r;
    struct row_sink k;
    int rc;

    source_reader_init(&r, sp);
    memset(&k, 0, sizeof(k));
    k.st = st;
    k.si = si;
    k.opts = opts;
    k.out = out;
    k.t0 = job_seconds();
    if ((rc = linker_init(&out->linker, st->plan->linkage.nkeys + 1)) < 0) {
        diag_set(d, sp->name, 0, 0, NULL, "out of memory");
        goto out;
    }
    out->have_linker = 1;
    comparison_list_init(&out->cmp, compare_fields_count(st->plan));
    if ((rc = record_builder_init(&k.b, &st->rctx, sp, &out->linker,
                                  &out->cmp)) < 0) {
        diag_set(d, sp->name, 0, 0, NULL, "out of memory");
        goto out;
    }
    if (st->want_trace) {
        out->trace_alloc = 4096;
        if (!(out->trace = malloc(out->trace_alloc * sizeof(*out->trace)))) {
            rc = CE_NOMEM;
            diag_set(d, sp->name, 0, 0, NULL, "out of memory");
            goto out;
        }
    }
    if ((rc = source_reader_open(&r, st->plan, &job_stop_requested, NULL,
                                  NULL, d)) < 0)
        goto out;
    rc = source_reader_run(&r, 0, &job_stop_requested, keep_row, &k, d);
    if (opts->progress && r.q.rows_in >= 0x10000)
        progress_line(sp, &r.src, r.q.rows_in, k.t0, 1);
out:
    if (source_reader_summarise(&r, ss) < 0 && rc == 0) {
        diag_set(d, sp->name, 0, 0, NULL, "out of memory");
        rc = CE_NOMEM;
    }
    out->unknown_postcodes = k.b.unknown_postcodes;
    /* the codes wait in out for linkage to count their persons */
    out->unmapped = r.q.unmapped;
    memset(&r.q.unmapped, 0, sizeof(r.q.unmapped));
    ss->seconds = job_seconds() - k.t0;
    if (rc == 0)
        source_reader_log_notes(&r);
    if (rc == 0)
        rc = quarantine_check_policy(&r.q, d);
    if (rc == CE_DATA && r.q.nrows)
        source_reader_log_rejected(&r);
    record_builder_release(&k.b);
    source_reader_release(&r);
    return rc;
}

/*
 * One pass's sources handed out to readers largest first (so that two
 * readers finish together: the housing extract read last would leave the
 * other reader idle for seconds), and merged in read order whatever the
 * readers did. A source that fails stops the hand-out of every source
 * after it in read order; those before it are still read, so the first
 * failure in read order -- where one reader stops -- is known.
 */
struct reader_queue {
    struct read_stage *st;
    struct source_summary *ss;
    const struct run_options *opts;
    struct source_out *outs;
    const size_t *order;      /* the pass's source indexes, in read order */
    size_t *hand;             /* positions in order[], largest source first */
    size_t n;
    size_t next;              /* in hand[] */
    size_t failed;            /* first failed position in read order; n none */
    int capture;              /* keep each source's log lines for later */
    pthread_mutex_t lock;
};

/* What a source is expected to cost a reader: its files' bytes (a gzip
 * file counts four times its size); 0 for a database. */
static uint64_t
source_weight(const struct source_plan *sp)
{
    glob_t g;
    uint64_t bytes = 0;
    size_t i;

    if (!sp->path || glob(sp->path, 0, NULL, &g) != 0)
        return 0;
    for (i = 0; i < g.gl_pathc; i++) {
        struct stat sb;
        size_t len = strlen(g.gl_pathv[i]);

        if (stat(g.gl_pathv[i], &sb) != 0)
            continue;
        bytes += (uint64_t)sb.st_size *
                 (len > 3 && !strcmp(g.gl_pathv[i] + len - 3, ".gz") ? 4 : 1);
    }
    globfree(&g);
    return bytes;
}

/* hand[0..n): the positions of order[] by weight, largest first, read
 * order on ties (insertion sort: a job has a handful of sources). */
static void
hand_out_order(const struct job_plan *plan, const size_t *order, size_t n,
               size_t *hand, uint64_t *weight)
{
    size_t k, j;

    for (k = 0; k < n; k++) {
        weight[k] = source_weight(&plan->sources[order[k]]);
        for (j = k; j > 0 && weight[hand[j - 1]] < weight[k]; j--)
            hand[j] = hand[j - 1];
        hand[j] = k;
    }
}

static void *
reader_worker(void *arg)
{
    struct reader_queue *w = arg;

    for (;;) {
        size_t si, pos;
        struct source_out *o;

        pthread_mutex_lock(&w->lock);
        while (w->next < w->n && w->hand[w->next] > w->failed)
            w->next++; /* after a failure in read order: not read */
        if (w->next == w->n) {
            pthread_mutex_unlock(&w->lock);
            return NULL;
        }
        pos = w->hand[w->next++];
        si = w->order[pos];
        pthread_mutex_unlock(&w->lock);
        o = &w->outs[si];
        if (w->capture)
            log_capture(&o->log);
        log_msg(LOG_DEBUG, "reading source %s", w->st->plan->sources[si].name);
        diag_clear(&o->d);
        o->rc = read_source(w->st, si, &w->ss[si], w->opts, o, &o->d);
        if (w->capture)
            log_capture(NULL);
        if (o->rc < 0) {
            /* the sources before this in read order are still read: the
             * first to fail among them is the one reported */
            pthread_mutex_lock(&w->lock);
            if (pos < w->failed)
                w->failed = pos;
            pthread_mutex_unlock(&w->lock);
        }
    }
}

/* Moves source si's output into the result: records, linker entries
 * (record and probe numbers shifted), unmapped codes (their witnesses
 * numbered as the result's probes), counter, trace. */
static int
merge_source(struct read_stage *st, size_t si, struct source_out *o,
             struct diag *d)
{
    struct read_result *rr = st->rr;
    size_t i, j;
    long off;
    int rc;

    rr->unknown_postcodes += o->unknown_postcodes;
    if (o->nlatest) {
        uint32_t base;

        if ((rc = returns_add_source(&rr->returns, (uint32_t)si,
                                     st->plan->sources[si].name,
                                     st->plan->sources[si].return_year_end,
                                     o->latest, o->nlatest, &base, d)) < 0)
            return rc;
        record_list_renumber(&o->recs, base, 0);
    }
    /* the rows' comparison records are numbered after the earlier
     * sources' */
    off = comparison_list_append(&rr->comparisons, &o->cmp);
    if (off < 0)
        return CE_NOMEM;
    record_list_renumber(&o->recs, 0, (uint32_t)off);
    if ((rc = record_list_append(&rr->recs, &o->recs)) < 0 ||
        (rc = record_list_append(&rr->household_events,
                                 &o->household_events)) < 0)
        return rc;
    for (i = 0; i < o->unmapped.ncodes; i++)
        for (j = 0; j < o->unmapped.codes[i].nwitness; j++)
            o->unmapped.codes[i].witness[j] += (uint32_t)rr->linker.nprobes;
    unmapped_codes_release(&rr->unmapped[si]);
    rr->unmapped[si] = o->unmapped;
    memset(&o->unmapped, 0, sizeof(o->unmapped));
    rc = linker_append(&rr->linker, &o->linker);
    o->have_linker = 0;
    if (rc < 0)
        return rc;
    if (o->ntrace) {
        if (rr->ntrace + o->ntrace > rr->trace_alloc) {
            struct link_trace *t = realloc(rr->trace, (rr->ntrace + o->ntrace) *
                                                          sizeof(*t));

            if (!t)
                return CE_NOMEM;
            rr->trace = t;
            rr->trace_alloc = rr->ntrace + o->ntrace;
        }
        memcpy(rr->trace + rr->ntrace, o->trace, o->ntrace * sizeof(*o->trace));
        rr->ntrace += o->ntrace;
    }
    return 0;
}

/* Reads one pass's sources (order[0..n)) on up to `threads` threads;
 * hand and weight are n entries of scratch. */
static void
read_pass(struct read_stage *st, struct source_summary *ss,
          const struct run_options *opts, int threads,
          struct source_out *outs, const size_t *order, size_t n,
          size_t *hand, uint64_t *weight)
{
    struct reader_queue w;
    struct run_options pass_opts = *opts;
    pthread_t tid[16];
    size_t nt = (size_t)threads < n ? (size_t)threads : n, k, started = 0;

    if (nt > sizeof(tid) / sizeof(tid[0]))
        nt = sizeof(tid) / sizeof(tid[0]);
    memset(&w, 0, sizeof(w));
    w.st = st;
    w.ss = ss;
    w.opts = &pass_opts;
    w.outs = outs;
    w.order = order;
    w.n = n;
    w.failed = n;
    w.hand = hand;
    if (nt <= 1)
        for (k = 0; k < n; k++)
            hand[k] = k; /* one reader: read order */
    else
        hand_out_order(st->plan, order, n, hand, weight);
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
            pp.t0 = job_seconds();
            st->pass_progress = &pp;
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
            st->pass_progress = NULL;
            pthread_mutex_destroy(&pp.lock);
        }
    }
    pthread_mutex_destroy(&w.lock);
}

int
read_sources(struct read_result *rr, const struct job_plan *plan,
             const struct pseudonymiser *ps, const struct geo_lookup *geo,
             const struct comparison_encoder *enc,
             const struct run_options *opts, int want_trace,
             struct source_summary *ss, struct diag *d)
{
    struct read_stage stage, *st = &stage;
    size_t nalloc = plan->nsources ? plan->nsources : 1, i;
    struct source_out *outs = NULL;
    size_t *order = NULL, *hand = NULL;
    uint64_t *weight = NULL;
    int pass, rc = 0, threads = opts->threads > 0 ? opts->threads : 1;

    memset(rr, 0, sizeof(*rr));
    memset(st, 0, sizeof(*st));
    st->plan = plan;
    st->rr = rr;
    st->want_trace = want_trace;
    if ((rc = linker_init(&rr->linker, plan->linkage.nkeys + 1)) < 0) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return rc;
    }
    rr->have_linker = 1;
    if ((rc = scope_index_init(&rr->scopes, plan->nscopes)) < 0) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return rc;
    }
    rr->have_scopes = 1;
    if ((rc = returns_table_init(&rr->returns, plan->nsources)) < 0) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return rc;
    }
    rr->have_returns = 1;
    pthread_mutex_init(&st->scope_lock, NULL);
    st->rctx.plan = plan;
    st->rctx.ps = ps;
    st->rctx.geo = geo;
    st->rctx.scopes = &rr->scopes;
    st->rctx.scope_lock = &st->scope_lock;
    st->rctx.enc = enc;
    comparison_list_init(&rr->comparisons, compare_fields_count(plan));
    outs = calloc(nalloc, sizeof(*outs));
    order = calloc(nalloc, sizeof(*order));
    hand = calloc(nalloc, sizeof(*hand));
    weight = calloc(nalloc, sizeof(*weight));
    rr->unmapped = calloc(nalloc, sizeof(*rr->unmapped));
    rr->nsources = rr->unmapped ? plan->nsources : 0;
    if (!outs || !order || !hand || !weight || !rr->unmapped) {
        rc = CE_NOMEM;
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        goto out;
    }
    for (pass = 0; pass < 2 && rc == 0; pass++) {
        size_t n = 0, k, stop;

        for (i = 0; i < plan->nsources; i++)
            if ((plan->sources[i].role == ROLE_EVENTS) == pass)
                order[n++] = i;
        read_pass(st, ss, opts, threads, outs, order, n, hand, weight);
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
            if ((rc = merge_source(st, order[k], &outs[order[k]], d)) < 0) {
                if (rc == CE_NOMEM)
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
    free(hand);
    free(weight);
    pthread_mutex_destroy(&st->scope_lock);
    return rc;
}

void
read_result_release(struct read_result *rr)
{
    size_t i;

    record_list_release(&rr->recs);
    record_list_release(&rr->household_events);
    comparison_list_release(&rr->comparisons);
    if (rr->have_linker)
        linker_release(&rr->linker);
    for (i = 0; rr->unmapped && i < rr->nsources; i++)
        unmapped_codes_release(&rr->unmapped[i]);
    free(rr->unmapped);
    if (rr->have_scopes)
        scope_index_release(&rr->scopes);
    if (rr->have_returns)
        returns_table_release(&rr->returns);
    free(rr->trace);
    memset(rr, 0, sizeof(*rr));
}
