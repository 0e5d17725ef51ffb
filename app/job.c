/*
 * job.c - the nightly job, stage after stage (ARCHITECTURE.md, "The data
 * path"). This is the one file that includes every stage.
 *
 * Memory: per accepted record we keep ~48 bytes of generalised attributes
 * (no identifier: the plaintext fields are hashed and wiped while the row
 * is still current) plus the linker's per-record state; the extracts
 * themselves are streamed.
 */
#include "job.h"
#include "../core/calendar.h"
#include "commands.h"
#include "drift.h"
#include "../core/log.h"
#include "../core/period.h"
#include "../core/strbuf.h"

#include "../connectors/source.h"
#include "../transform/map.h"
#include "../transform/quarantine.h"
#include "../anonymise/keys.h"
#include "../anonymise/pseudonym.h"
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

#define TOKEN_NONE 0xFF

/* What survives of an accepted row: generalised, identifier-free. */
struct kept_record {
    int32_t start;
    int32_t end;
    uint32_t ward;
    uint32_t lsoa;
    uint32_t district;
    uint16_t service;
    uint8_t department;
    uint8_t sex;
    uint8_t ethnicity;
    uint64_t token;        /* first 8 bytes of its strictest key hash */
    uint8_t token_key;     /* that key's index; TOKEN_NONE without a key */
    struct birth birth;
};

struct records {
    struct kept_record *r;
    size_t n;
    size_t alloc;
};

static int
records_push(struct records *rs, const struct kept_record *k)
{
    if (rs->n == rs->alloc) {
        size_t na = rs->alloc ? rs->alloc * 2 : 65536;
        struct kept_record *p = realloc(rs->r, na * sizeof(*p));

        if (!p)
            return CE_NOMEM;
        rs->r = p;
        rs->alloc = na;
    }
    rs->r[rs->n++] = *k;
    return 0;
}

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
    struct records recs;
    /* per source: its unmapped codes, witnesses numbered as js->linker's
     * probes, until their persons are counted (count_unmapped_persons()) */
    struct unmapped_codes *unmapped;
    struct scope_index scopes;
    int have_scopes;
    pthread_mutex_t scope_lock;   /* the readers share scopes */
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
    struct records recs;
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
    free(o->recs.r);
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

/*
 * A record's token: the first 8 bytes of the strictest linkage key hash it
 * has, else of its scoped local id (ranked after every linkage key), so a
 * person known only by a department's own id still gets its own record
 * key rather than a shared zero. *key is TOKEN_NONE when it has neither.
 */
static void
record_token(const struct job_plan *plan, const unsigned char (*hashes)[16],
             const uint8_t *present, uint64_t *token, uint8_t *key)
{
    size_t kk;

    *token = 0;
    *key = TOKEN_NONE;
    for (kk = 0; kk <= plan->linkage.nkeys && kk < TOKEN_NONE; kk++) {
        size_t slot = kk < plan->linkage.nkeys ? kk + 1 : 0;

        if (present[slot]) {
            size_t b;

            for (b = 0; b < 8; b++)
                *token = *token << 8 | hashes[slot][b];
            *key = (uint8_t)kk;
            return;
        }
    }
}

/*
 * A row quarantined for an unmapped plain code (q->unmapped.last): its
 * keys join out's linker as a probe and its token becomes a witness of the
 * code, so that once linked the distinct persons who carry the code can be
 * counted. Rows of one person share a token and count once. A row with no
 * key is no witness: it could be anyone's, and ten of one person's such
 * rows must not count as ten persons. Plaintext lives only in this call.
 * 0 or CE_NOMEM.
 */
static int
witness_unmapped(struct job_state *js, const struct source_plan *sp,
                 const struct source_mapping *m, const struct raw_row *row,
                 struct quarantine *q, struct source_out *out,
                 unsigned char (*hashes)[16], uint8_t *present)
{
    size_t nslots = js->plan->linkage.nkeys + 1;
    size_t c = (size_t)q->unmapped.last;
    struct record rec;
    struct link_anchors anchors;
    uint64_t token, dob_anchor;
    uint8_t token_key;
    long probe;
    int rc = 0;

    if (q->unmapped.codes[c].nwitness >= UNMAPPED_WITNESSES_MAX ||
        !map_row_identity(m, row, &rec))
        return 0;
    pseudonymise(&js->ps, &rec, sp, hashes + 1, present + 1, &anchors);
    present[0] = sp->scope >= 0 &&
                 pseudonymise_scoped_id(&js->ps, &rec, sp, hashes[0],
                                        &dob_anchor) == 0;
    record_wipe_identifiers(&rec);
    record_token(js->plan, (const unsigned char(*)[16])hashes, present,
                 &token, &token_key);
    if (token_key != TOKEN_NONE) {
        /* one number per (key, hash); a collision only merges two
         * witnesses, which can only lower the count */
        token ^= (uint64_t)token_key << 56;
        if (unmapped_codes_wants(&q->unmapped, c, token)) {
            probe = linker_add_probe(&out->linker,
                                     (const unsigned char(*)[16])hashes,
                                     present);
            if (probe < 0 ||
                unmapped_codes_witness(&q->unmapped, c, token,
                                       (uint32_t)probe) < 0)
                rc = CE_NOMEM;
        }
    }
    sodium_memzero(hashes, nslots * 16);
    sodium_memzero(&anchors, sizeof(anchors));
    return rc;
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
    size_t nslots = js->plan->linkage.nkeys + 1;
    struct source src;
    struct source_mapping m;
    struct quarantine q;
    struct raw_row row;
    struct record rec;
    double t0 = now_seconds();
    uint64_t progress_bytes = 0; /* bytes already given to pass_progress */
    int rc, mrc, have_map = 0;
    /* per record: slot 0 the scoped local id, 1.. the plan's match keys */
    unsigned char(*hashes)[16] = calloc(nslots, 16);
    uint8_t *present = calloc(nslots, 1);

    quarantine_init(&q, sp);
    memset(&m, 0, sizeof(m));
    memset(&src, 0, sizeof(src));
    if (!hashes || !present) {
        rc = CE_NOMEM;
        diag_set(d, sp->name, 0, 0, NULL, "out of memory");
        goto out;
    }
    if ((rc = linker_init(&out->linker, nslots)) < 0) {
        diag_set(d, sp->name, 0, 0, NULL, "out of memory");
        goto out;
    }
    out->have_linker = 1;
    if (js->want_trace) {
        out->trace_alloc = 4096;
        if (!(out->trace = malloc(out->trace_alloc * sizeof(*out->trace)))) {
            rc = CE_NOMEM;
            diag_set(d, sp->name, 0, 0, NULL, "out of memory");
            goto out;
        }
    }
    rc = source_open(&src, sp, d);
    if (rc < 0)
        goto out;
    rc = mapping_init(&m, js->plan, sp, src.columns, src.ncolumns, d);
    if (rc < 0)
        goto out;
    have_map = 1;
    while ((rc = source_next(&src, &row, d)) > 0) {
        struct kept_record k;
        struct geo_code geo;
        struct link_anchors anchors;

        if (job_stop_requested) {
            rc = CE_INTERRUPTED;
            diag_set(d, sp->name, row.line, 0, NULL, "interrupted");
            break;
        }
        m.file_index = row.file_index;
        if ((mrc = map_row(&m, &row, &rec, &q)) != 0) {
            if (mrc == 1 + (int)QR_UNMAPPED_VALUE && q.unmapped.last >= 0 &&
                (rc = witness_unmapped(js, sp, &m, &row, &q, out, hashes,
                                       present)) < 0) {
                diag_set(d, sp->name, row.line, 0, NULL, "out of memory");
                break;
            }
            continue;
        }
        memset(&k, 0, sizeof(k));
        k.start = rec.start_date;
        k.end = rec.end_date;
        k.service = rec.service;
        k.department = rec.department;
        k.sex = rec.sex;
        k.ethnicity = rec.ethnicity;
        birth_from_dob(rec.dob, js->plan->reference_date, &k.birth);
        /* categories are the lookup's: an unknown postcode is UNKNOWN in
         * every geography, never a district of its own */
        if (!geo_lookup_find(&js->geo, rec.postcode, &geo) && rec.postcode[0])
            out->unknown_postcodes++;
        k.ward = geo.ward;
        k.lsoa = geo.lsoa;
        k.district = geo.district;
        pseudonymise(&js->ps, &rec, sp, hashes + 1, present + 1, &anchors);
        present[0] = 0;
        if (sp->scope >= 0) {
            uint64_t dob_anchor;

            if (pseudonymise_scoped_id(&js->ps, &rec, sp, hashes[0],
                                       &dob_anchor) == 0) {
                int joined = 1;

                present[0] = 1;
                pthread_mutex_lock(&js->scope_lock);
                if (sp->role == ROLE_EVENTS)
                    joined = scope_index_event(&js->scopes, sp->scope,
                                               hashes[0], anchors.nhs,
                                               dob_anchor);
                else
                    rc = scope_index_header(&js->scopes, sp->scope, hashes[0],
                                            anchors.nhs, dob_anchor);
                pthread_mutex_unlock(&js->scope_lock);
                if (sp->role == ROLE_EVENTS) {
                    if (!joined) {
                        /* no header of the scope lists this id */
                        record_wipe_identifiers(&rec);
                        sodium_memzero(hashes, nslots * 16);
                        if (quarantine_withdraw(
                                &q, m.file_index, row.line,
                                (long)m.column[CF_LOCAL_ID] + 1,
                                QR_ORPHAN_LOCAL_ID) < 0) {
                            rc = CE_NOMEM;
                            diag_set(d, sp->name, row.line, 0, NULL,
                                     "out of memory");
                            break;
                        }
                        continue;
                    }
                } else if (rc < 0) {
                    record_wipe_identifiers(&rec);
                    rc = CE_NOMEM;
                    diag_set(d, sp->name, row.line, 0, NULL, "out of memory");
                    break;
                }
            }
        }
        record_wipe_identifiers(&rec);
        record_token(js->plan, (const unsigned char(*)[16])hashes, present,
                     &k.token, &k.token_key);
        rc = (int)linker_add(&out->linker, (const unsigned char(*)[16])hashes,
                             present, &anchors);
        if (rc >= 0)
            rc = records_push(&out->recs, &k);
        if (rc >= 0 && out->trace_alloc) {
            if (out->ntrace == out->trace_alloc) {
                struct link_trace *t = realloc(out->trace, out->trace_alloc *
                                                               2 * sizeof(*t));

                if (!t)
                    rc = CE_NOMEM;
                else {
                    out->trace = t;
                    out->trace_alloc *= 2;
                }
            }
            if (rc >= 0) {
                out->trace[out->ntrace].source = (uint32_t)si;
                out->trace[out->ntrace].line = row.line;
                out->trace[out->ntrace].file = m.file_index;
                out->ntrace++;
            }
        }
        sodium_memzero(hashes, nslots * 16);
        if (rc < 0) {
            diag_set(d, sp->name, row.line, 0, NULL, "out of memory");
            break;
        }
        if (opts->progress && (q.rows_in & 0xFFFF) == 0)
            progress_line(sp, &src, q.rows_in, t0, 0);
        if (js->pass_progress && (q.rows_in & 0xFFF) == 0) {
            pass_progress_add(js->pass_progress, 0x1000,
                              src.bytes_read - progress_bytes);
            progress_bytes = src.bytes_read;
        }
    }
    if (rc > 0)
        rc = 0;
    if (opts->progress && q.rows_in >= 0x10000)
        progress_line(sp, &src, q.rows_in, t0, 1);
out:
    ss->plan = sp;
    if (summarise_source(ss, &q, &src) < 0 && rc == 0) {
        diag_set(d, sp->name, 0, 0, NULL, "out of memory");
        rc = CE_NOMEM;
    }
    /* the codes wait in out for linkage to count their persons */
    out->unmapped = q.unmapped;
    memset(&q.unmapped, 0, sizeof(q.unmapped));
    ss->seconds = now_seconds() - t0;
    if (rc == 0)
        rc = quarantine_check_policy(&q, d);
    if (rc == CE_DATA && q.nrows) {
        /* where the rejected rows are, so the extract can be fixed: file,
         * line, column and rule -- never what the row held */
        size_t i;
        char where[128];

        for (i = 0; i < q.nrows && i < 20; i++) {
            const struct rejected_row *r = &q.rows[i];

            /* the file by its position, never its path (source.h) */
            if (r->file < src.nfiles)
                source_file_label(&src, r->file, where, sizeof(where));
            else
                snprintf(where, sizeof(where), "%s", sp->name);
            log_msg(LOG_WARN, "%s:%ld:%ld: quarantined [%s]", where, r->line,
                    r->column,
                    quarantine_reason_name((enum quarantine_reason)r->reason));
        }
        if (q.nrows > 20)
            log_msg(LOG_WARN, "%s: %zu more quarantined rows (quality.csv of "
                              "a published run counts them by reason)",
                    sp->name, q.nrows - 20);
    }
    if (have_map)
        mapping_release(&m);
    source_close(&src);
    quarantine_release(&q);
    if (hashes)
        sodium_memzero(hashes, nslots * 16);
    free(hashes);
    free(present);
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
    size_t i, j, n = o->recs.n;
    int rc;

    js->unknown_postcodes += o->unknown_postcodes;
    if (!js->recs.n) {
        free(js->recs.r);
        js->recs = o->recs;
        memset(&o->recs, 0, sizeof(o->recs));
    } else if (n) {
        /* realloc, not one array for the total: each source's records are
         * freed as soon as they are copied, so the peak stays near one
         * copy of them all */
        if (js->recs.n + n > js->recs.alloc) {
            struct kept_record *r = realloc(js->recs.r,
                                            (js->recs.n + n) * sizeof(*r));

            if (!r)
                return CE_NOMEM;
            js->recs.r = r;
            js->recs.alloc = js->recs.n + n;
        }
        memcpy(js->recs.r + js->recs.n, o->recs.r, n * sizeof(*o->recs.r));
        js->recs.n += n;
        free(o->recs.r);
        memset(&o->recs, 0, sizeof(o->recs));
    }
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

/* Most frequent value of small codes among a person's records. */
static uint8_t
mode_u8(const uint8_t *vals, size_t n, uint8_t skip, uint8_t fallback)
{
    unsigned counts[256] = {0};
    size_t i;
    unsigned best = 0;
    uint8_t v = fallback;

    for (i = 0; i < n; i++)
        if (vals[i] != skip && ++counts[vals[i]] > best) {
            best = counts[vals[i]];
            v = vals[i];
        }
    return v;
}

static int
cmp_spell(const void *a, const void *b)
{
    const struct spell *x = a, *y = b;

    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    if (x->department != y->department)
        return x->department < y->department ? -1 : 1;
    return (int)x->service - (int)y->service;
}

static int
cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

/*
 * After linkage: per unmapped code of every source, the distinct persons
 * its witnesses belong to (classes of the linker's probes), and the
 * source's unmapped-code lines written again with them -- a code is named
 * only when at least suppress_hi + 1 distinct persons carry it, the count
 * below which a published cell is suppressed. 0 or CE_NOMEM.
 */
static int
count_unmapped_persons(struct job_state *js, struct run_summary *sum)
{
    const struct job_plan *plan = js->plan;
    uint64_t min_persons = (uint64_t)plan->disclosure.suppress_hi + 1;
    uint32_t cls[UNMAPPED_WITNESSES_MAX];
    size_t si, c, w;

    for (si = 0; si < plan->nsources; si++) {
        struct unmapped_codes *u = &js->unmapped[si];

        if (!sum->sources[si].plan)
            continue;
        for (c = 0; c < u->ncodes; c++) {
            struct unmapped_code *code = &u->codes[c];
            uint64_t persons = 0;

            for (w = 0; w < code->nwitness; w++)
                cls[w] = linker_probe_class(&js->linker, code->witness[w]);
            qsort(cls, code->nwitness, sizeof(cls[0]), cmp_u32);
            for (w = 0; w < code->nwitness; w++)
                persons += w == 0 || cls[w] != cls[w - 1];
            code->persons = persons;
        }
        if (summarise_unmapped(&sum->sources[si], u, min_persons) < 0)
            return CE_NOMEM;
    }
    return 0;
}

/* Builds the pseudonymous person set from the linked records. */
static int
build_persons(struct job_state *js, const struct period *periods,
              struct person_set *ps, struct run_summary *sum,
              uint32_t *dept_ckey)
{
    const struct job_plan *plan = js->plan;
    size_t n = js->recs.n, np = linker_npersons(&js->linker), i, p;
    size_t nspells = 0;
    uint32_t *order = NULL, *first = NULL, *fill = NULL;
    uint8_t *tmp = NULL;
    uint8_t *dept_seen = NULL;
    int rc = CE_NOMEM;

    memset(ps, 0, sizeof(*ps));
    ps->npersons = np;
    ps->nperiods = plan->periods;
    ps->geo = &js->geo.names;
    /* the categories of sex and ethnicity: what the config lets a source
     * give, never what this night's data happened to hold */
    ps->sex_possible = map_codes_possible(plan, VF_SEX);
    ps->ethnicity_possible = map_codes_possible(plan, VF_ETHNICITY);
    ps->age_band = malloc(np * (size_t)plan->periods + 1);
    ps->sex = malloc(np + 1);
    ps->ethnicity = malloc(np + 1);
    ps->ward = malloc((np + 1) * sizeof(uint32_t));
    ps->lsoa = malloc((np + 1) * sizeof(uint32_t));
    ps->district = malloc((np + 1) * sizeof(uint32_t));
    ps->record_key = malloc(np + 1);
    ps->spell_first = calloc(np + 1, sizeof(uint32_t));
    ps->spells = malloc((n + 1) * sizeof(struct spell));
    order = malloc((n + 1) * sizeof(uint32_t));
    first = calloc(np + 2, sizeof(uint32_t));
    fill = malloc((np + 1) * sizeof(uint32_t));
    tmp = malloc(n + 1);
    dept_seen = calloc(np + 1, 1);
    if (!ps->age_band || !ps->sex || !ps->ethnicity || !ps->ward ||
        !ps->lsoa || !ps->district || !ps->record_key || !ps->spell_first ||
        !ps->spells || !order || !first || !fill || !tmp || !dept_seen)
        goto out;

    /* Counting sort of records by person, stable in input order. */
    for (i = 0; i < n; i++)
        first[linker_person(&js->linker, i) + 1]++;
    for (p = 0; p < np; p++)
        first[p + 1] += first[p];
    memcpy(fill, first, np * sizeof(uint32_t));
    for (i = 0; i < n; i++)
        order[fill[linker_person(&js->linker, i)]++] = (uint32_t)i;

    for (p = 0; p < np; p++) {
        const uint32_t *ri = order + first[p];
        size_t cnt = first[p + 1] - first[p], j, best = 0;
        const struct kept_record *geo_rec = NULL;
        struct birth b;
        int period;
        const struct kept_record *tok = NULL;

        /* sex, ethnicity: the most frequent known value */
        for (j = 0; j < cnt; j++)
            tmp[j] = js->recs.r[ri[j]].sex;
        ps->sex[p] = mode_u8(tmp, cnt, SEX_U, SEX_U);
        for (j = 0; j < cnt; j++)
            tmp[j] = js->recs.r[ri[j]].ethnicity;
        ps->ethnicity[p] = mode_u8(tmp, cnt, ETH_UNKNOWN, ETH_UNKNOWN);

        /* birth: the most frequent known (year, month, flag) */
        memset(&b, 0, sizeof(b));
        for (j = 0; j < cnt; j++) {
            const struct birth *bj = &js->recs.r[ri[j]].birth;
            size_t k, same = 0;

            if (!bj->year)
                continue;
            for (k = 0; k < cnt; k++)
                same += !memcmp(&js->recs.r[ri[k]].birth, bj, sizeof(*bj));
            if (same > best) {
                best = same;
                b = *bj;
            }
        }
        for (period = 0; period < plan->periods; period++)
            ps->age_band[p * (size_t)plan->periods + (size_t)period] =
                age_band_of(plan, birth_age_at(&b, periods[period].end,
                                               plan->reference_date));

        /* geography: the latest record with a known ward, else district */
        for (j = 0; j < cnt; j++) {
            const struct kept_record *r = &js->recs.r[ri[j]];

            if (r->ward == GEO_UNKNOWN && r->district == GEO_UNKNOWN)
                continue;
            if (!geo_rec ||
                (r->ward != GEO_UNKNOWN && geo_rec->ward == GEO_UNKNOWN) ||
                ((r->ward != GEO_UNKNOWN) == (geo_rec->ward != GEO_UNKNOWN) &&
                 r->start >= geo_rec->start))
                geo_rec = r;
        }
        ps->ward[p] = geo_rec ? geo_rec->ward : GEO_UNKNOWN;
        ps->lsoa[p] = geo_rec ? geo_rec->lsoa : GEO_UNKNOWN;
        ps->district[p] = geo_rec ? geo_rec->district : GEO_UNKNOWN;

        /* record key: from the person's token, the smallest hash of the
         * strictest key its records have -- whatever order they came in */
        for (j = 0; j < cnt; j++) {
            const struct kept_record *r = &js->recs.r[ri[j]];

            if (r->token_key != TOKEN_NONE &&
                (!tok || r->token_key < tok->token_key ||
                 (r->token_key == tok->token_key && r->token < tok->token)))
                tok = r;
        }
        ps->record_key[p] = tok ? pseudonym_record_key(&js->ps, tok->token_key,
                                                       tok->token)
                                : 0;

        /* spells, by start (a header row without a spell adds none) */
        ps->spell_first[p] = (uint32_t)nspells;
        for (j = 0; j < cnt; j++) {
            const struct kept_record *r = &js->recs.r[ri[j]];

            sum->departments[r->department].records++;
            if (!(dept_seen[p] & (1u << r->department))) {
                dept_seen[p] |= (uint8_t)(1u << r->department);
                sum->departments[r->department].persons++;
                dept_ckey[r->department] += ps->record_key[p];
            }
            if (r->service != SERVICE_NONE) {
                struct spell *s = &ps->spells[nspells++];

                s->start = r->start;
                s->end = r->end;
                s->service = r->service;
                s->department = r->department;
            }
        }
        if (nspells - ps->spell_first[p] > 1)
            qsort(&ps->spells[ps->spell_first[p]],
                  nspells - ps->spell_first[p], sizeof(struct spell),
                  cmp_spell);
    }
    ps->spell_first[np] = (uint32_t)nspells;
    ps->nspells = nspells;
    rc = 0;
out:
    free(order);
    free(first);
    free(fill);
    free(tmp);
    free(dept_seen);
    if (rc < 0)
        person_set_release(ps); /* the caller releases only a built set */
    return rc;
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
    if (js->have_key)
        key_release(&js->key);
    free(js->recs.r);
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

int
job_run(const struct job_plan *plan, const struct run_options *opts,
        struct run_summary *sum, struct diag *d)
{
    struct job_state js;
    struct where_expr **exprs = NULL;
    char **plain = NULL;
    struct period *periods = NULL;
    struct person_set ps;
    struct ptable pt;
    uint32_t dept_ckey[DEPT_COUNT] = {0};
    int have_pt = 0, have_ps = 0, rc;
    size_t i;
    struct strbuf sb = STRBUF_INIT;
    double t0;

    memset(&js, 0, sizeof(js));
    memset(&ps, 0, sizeof(ps));
    memset(sum, 0, sizeof(*sum));
    js.plan = plan;
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
    exprs = calloc(plan->ncohorts, sizeof(*exprs));
    plain = calloc(plan->ncohorts, sizeof(*plain));
    periods = calloc((size_t)plan->periods, sizeof(*periods));
    if (!sum->sources || !sum->keys || !sum->cohorts || !exprs || !plain ||
        !periods) {
        sum->nsources = sum->nkeys = sum->ncohorts = 0;
        rc = CE_NOMEM;
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        goto out;
    }
    periods_compute(plan->reference_date, plan->periods, periods);

    /* The rules as reviewed, and their hash for the manifest. */
    if ((rc = job_compile_cohorts(plan, exprs, plain, d)) < 0)
        goto out;
    if (rules_render(plan, plain, RULES_TEXT, &sb) < 0 ||
        rules_plan_hash(plan, plain, sum->plan_hash) < 0) {
        rc = CE_NOMEM;
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        goto out;
    }
    sum->rules_text = strbuf_detach(&sb);

    if ((rc = key_load(&js.key, plan->key_file, d)) < 0)
        goto out;
    js.have_key = 1;
    memcpy(sum->key_id, js.key.id, sizeof(sum->key_id));
    if ((rc = geo_lookup_load(&js.geo, plan->lookup, d)) < 0)
        goto out;
    js.have_geo = 1;
    if (plan->disclosure.perturbation == PERTURB_CELLKEY) {
        if ((rc = ptable_load(&pt, plan->disclosure.ptable, d)) < 0)
            goto out;
        have_pt = 1;
    }
    if ((rc = pseudonymiser_init(&js.ps, plan, &js.key, d)) < 0)
        goto out;
    js.have_ps = 1;
    if ((rc = linker_init(&js.linker, plan->linkage.nkeys + 1)) < 0) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        goto out;
    }
    js.have_linker = 1;

    /* read -> map -> pseudonymise: plaintext lives only inside this loop */
    t0 = now_seconds();
    if ((rc = read_sources(&js, sum->sources, opts, d)) < 0)
        goto out;
    sum->unknown_postcodes = js.unknown_postcodes;
    if ((rc = summarise_scopes(&js, sum)) < 0) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        goto out;
    }

    /* an extract that moved too far since the last good run stops here */
    if (!opts->accept_drift && (rc = drift_check(plan, sum, d)) < 0)
        goto out;

    /* link */
    sum->seconds_read = now_seconds() - t0;
    t0 = now_seconds();
    if ((rc = linker_run(&js.linker)) < 0 ||
        (rc = count_unmapped_persons(&js, sum)) < 0) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        goto out;
    }
    for (i = 0; i < plan->linkage.nkeys; i++) {
        struct linker_key_stats st;

        linker_key_stats(&js.linker, i + 1, &st);
        if (i == 0) {
            struct linker_key_stats sc;

            linker_key_stats(&js.linker, 0, &sc);
            sum->scope_links = sc.links;
            sum->scope_refused = sc.conflicts;
        }
        sum->keys[i].key_text = plan->linkage.keys[i].text;
        sum->keys[i].records_with_key = st.records_with_key;
        sum->keys[i].links = st.links;
        sum->keys[i].conflicts = st.conflicts;
    }

    /* generalise into persons */
    sum->seconds_link = now_seconds() - t0;
    t0 = now_seconds();
    if ((rc = build_persons(&js, periods, &ps, sum, dept_ckey)) < 0) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        goto out;
    }
    have_ps = 1;
    sum->persons = ps.npersons;
    protect_summary_counts(plan, have_pt ? &pt : NULL, &ps, dept_ckey, sum);
    /* The records are no longer needed once persons exist. */
    free(js.recs.r);
    js.recs.r = NULL;
    js.recs.n = js.recs.alloc = 0;

    /* count and protect */
    sum->seconds_generalise = now_seconds() - t0;
    for (i = 0; i < plan->ncohorts; i++) {
        struct cohort_result *cr = &sum->cohorts[i];
        struct disclosure_stats st;
        struct count_table counted;

        t0 = now_seconds();
        cr->plan = &plan->cohorts[i];
        cr->where_text_plain = plain[i];
        plain[i] = NULL;
        memset(&counted, 0, sizeof(counted));
        rc = cohort_count(plan, &plan->cohorts[i], exprs[i], &ps, periods,
                          &counted);
        if (rc < 0) {
            table_release(&counted);
            diag_set(d, NULL, 0, 0, NULL, "out of memory");
            goto out;
        }
        memset(&st, 0, sizeof(st));
        sum->seconds_count += now_seconds() - t0;
        t0 = now_seconds();
        rc = disclosure_protect(&counted, &plan->disclosure,
                                have_pt ? &pt : NULL,
                                opts->threads > 0 ? opts->threads : 1, &st, d);
        /* only the published table goes on: true counts and cell keys
         * end here */
        if (rc == 0 && (rc = disclosure_publish(&counted, &cr->table)) < 0)
            diag_set(d, NULL, 0, 0, NULL, "out of memory");
        table_release(&counted);
        sum->seconds_protect += now_seconds() - t0;
        if (rc < 0)
            goto out;
        cr->cells = st.cells;
        cr->suppressed = st.suppressed;
        cr->secondary = st.secondary;
        cr->rounded = st.rounded;
        cr->perturbed = st.perturbed;
    }
    if (job_stop_requested) {
        rc = CE_INTERRUPTED;
        diag_set(d, NULL, 0, 0, NULL, "interrupted before publishing");
        goto out;
    }
    {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        sum->finished = (int64_t)ts.tv_sec;
    }
    if (!opts->no_publish) {
        t0 = now_seconds();
        rc = publish(plan, sum, d);
        sum->seconds_publish = now_seconds() - t0;
        if (rc == 0 && drift_record(plan, sum, d) < 0)
            log_msg(LOG_WARN, "published, but the drift state could not be "
                              "recorded");
    }
out:
    if (!sum->finished) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        sum->finished = (int64_t)ts.tv_sec;
    }
    if (have_ps)
        person_set_release(&ps);
    if (have_pt)
        ptable_release(&pt);
    if (exprs)
        job_free_cohorts(plan, exprs, plain);
    free(exprs);
    free(plain);
    free(periods);
    strbuf_release(&sb);
    job_state_release(&js);
    return rc;
}

int
job_link_trace(const struct job_plan *plan, int threads,
               struct link_trace **out, size_t *n, struct diag *d)
{
    struct job_state js;
    struct source_summary *ss = NULL;
    struct run_options opts;
    size_t i;
    int rc;

    memset(&js, 0, sizeof(js));
    memset(&opts, 0, sizeof(opts));
    opts.threads = threads;
    *out = NULL;
    *n = 0;
    js.plan = plan;
    js.want_trace = 1;
    ss = calloc(plan->nsources, sizeof(*ss));
    if (!ss) {
        rc = CE_NOMEM;
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        goto out;
    }
    if ((rc = key_load(&js.key, plan->key_file, d)) < 0)
        goto out;
    js.have_key = 1;
    if ((rc = geo_lookup_load(&js.geo, plan->lookup, d)) < 0)
        goto out;
    js.have_geo = 1;
    if ((rc = pseudonymiser_init(&js.ps, plan, &js.key, d)) < 0)
        goto out;
    js.have_ps = 1;
    if ((rc = linker_init(&js.linker, plan->linkage.nkeys + 1)) < 0)
        goto out;
    js.have_linker = 1;
    if ((rc = read_sources(&js, ss, &opts, d)) < 0)
        goto out;
    if ((rc = linker_run(&js.linker)) < 0)
        goto out;
    for (i = 0; i < js.ntrace; i++)
        js.trace[i].person = linker_person(&js.linker, i);
    *out = js.trace;
    *n = js.ntrace;
    js.trace = NULL;
out:
    if (ss) {
        struct run_summary tmp;

        memset(&tmp, 0, sizeof(tmp));
        tmp.sources = ss;
        tmp.nsources = plan->nsources;
        run_summary_release(&tmp);
    }
    job_state_release(&js);
    return rc;
}
