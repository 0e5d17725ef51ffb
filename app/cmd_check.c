/*
 * cmd_check.c - `cohort check JOB.conf`: is tonight's run going to work?
 * Everything `cohort run` would refuse that can be seen without running
 * it: the config and the where expressions, the key file, the lookup, the
 * nickname table, the ptable and the population table (denominators),
 * every output (a PostgreSQL output is
 * connected to, and libpq's reason shown when it cannot be; a CSV output
 * directory must be writable), and every source: reachable, header
 * present, every mapped column there (or its nearest name suggested), and
 * the first 1 000 rows through the run's own read path -- fault counts by
 * reason and column (never a value), the reject limit, an empty extract,
 * and the drift guard when the source fits in those rows. Writes nothing.
 * Exits with the code the run would: 1 for data, 2 for config (the
 * lookup's labels included), 3 for what cannot be reached.
 */
#include "commands.h"
#include "config.h"
#include "drift.h"
#include "job.h"
#include "../core/log.h"
#include "../forecast/denominators.h"
#include "options.h"
#include "source_reader.h"

#include "../anonymise/generalise.h"
#include "../anonymise/keys.h"
#include "../anonymise/pseudonym.h"
#include "../anonymise/ptable.h"
#include "../cohorts/count.h"
#include "../cohorts/where.h"
#include "../transform/map.h"
#include "../transform/quarantine.h"
#include "../core/strbuf.h"

#include <errno.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHECK_ROWS 1000

static const char usage[] = "usage: cohort check JOB.conf\n";

static const struct option_spec specs[] = {
    {"help", 'h', OPT_FLAG, NULL, "show this help"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct command_syntax syntax = {usage, specs, 1,
                                             "check needs one job file"};

/* Keeps the most severe error: config beats data beats I/O. */
static int
worse(int a, int b)
{
    if (a == CE_CONFIG || b == CE_CONFIG)
        return CE_CONFIG;
    return a ? a : b;
}

struct missing_ctx {
    const struct job_plan *plan;
    const struct source_plan *sp;
    struct strbuf notes;   /* optional columns absent, for stdout */
};

/* source_reader_open() callback: a required column missing is an error
 * on stderr, an optional one a note under the source's line. */
static void
report_missing(void *ctx, int field, const char *column, int line,
               int optional, const char *suggestion)
{
    struct missing_ctx *m = ctx;
    char hint[96] = "";

    if (suggestion)
        snprintf(hint, sizeof(hint), " (did you mean '%s'?)", suggestion);
    if (optional) {
        strbuf_addf(&m->notes, "  field.%s: the profile's optional column "
                               "'%s' is not in the header: the field is not "
                               "read%s\n",
                    common_field_name((enum common_field)field), column, hint);
        return;
    }
    log_msg(LOG_ERROR, "%s:%d: [source %s] field.%s: column '%s' is not in "
                       "the header%s",
            m->plan->config_path, line, m->sp->name,
            common_field_name((enum common_field)field), column, hint);
}

/* quarantine_each_unmapped() callback:
 * "  unmapped codes: service=(code) 12". */
static int
print_unmapped(void *ctx, const char *field, const char *what, uint64_t n)
{
    int *first = ctx;

    printf("%s%s=%s %llu", *first ? "  unmapped codes: " : ", ", field, what,
           (unsigned long long)n);
    *first = 0;
    return 0;
}

/* Header column c (1-based) as a message names it: its number, and its
 * name when the name is plain (connectors/source.h). */
static void
add_column(struct strbuf *sb, const struct source *src, long c)
{
    if (c <= 0) {
        strbuf_adds(sb, "the row");
        return;
    }
    strbuf_addf(sb, "column %ld", c);
    if ((size_t)c <= src->ncolumns &&
        source_column_name_plain(&src->columns[c - 1]))
        strbuf_addf(sb, " '%.*s'", (int)src->columns[c - 1].len,
                    src->columns[c - 1].ptr);
}

/* "bad_start_date 1000 (column 6 'START'), ...": each reason of the rows
 * read, with the columns (up to 3) its listed rows were found in. */
static void
describe_reasons(const struct source_reader *r, struct strbuf *sb)
{
    const struct quarantine *q = &r->q;
    size_t i, k, j;

    for (i = 0; i < QR_COUNT; i++) {
        long cols[3];
        size_t ncols = 0, more = 0;

        if (!q->by_reason[i])
            continue;
        for (k = 0; k < q->nrows; k++) {
            if (q->rows[k].reason != i)
                continue;
            for (j = 0; j < ncols && cols[j] != q->rows[k].column; j++)
                ;
            if (j < ncols)
                continue;
            if (ncols < 3)
                cols[ncols++] = q->rows[k].column;
            else
                more = 1;
        }
        strbuf_addf(sb, "%s%s %llu", sb->len ? ", " : "",
                    quarantine_reason_name((enum quarantine_reason)i),
                    (unsigned long long)q->by_reason[i]);
        for (j = 0; j < ncols; j++) {
            strbuf_adds(sb, j ? ", " : " (");
            add_column(sb, &r->src, cols[j]);
        }
        if (ncols)
            strbuf_adds(sb, more ? ", and others)" : ")");
    }
}

/* The source's first line on stdout, and the notes under it. */
static void
print_source(const struct source_reader *r, const char *verdict,
             const struct missing_ctx *mc)
{
    const struct quarantine *q = &r->q;
    size_t i;
    int first = 1;

    printf("source %s: %s, %zu file%s, %zu columns; first %llu rows: %llu "
           "accepted, %llu quarantined",
           r->sp->name, verdict, r->src.nfiles, r->src.nfiles == 1 ? "" : "s",
           r->src.ncolumns, (unsigned long long)r->rows,
           (unsigned long long)q->rows_accepted,
           (unsigned long long)q->rows_quarantined);
    for (i = 0; i < QR_COUNT; i++)
        if (q->by_reason[i])
            printf(", %s %llu",
                   quarantine_reason_name((enum quarantine_reason)i),
                   (unsigned long long)q->by_reason[i]);
    for (i = 0; i < NOTE_COUNT; i++)
        if (q->notes[i])
            printf(", %s %llu (field dropped)",
                   quarantine_note_name((enum quarantine_note)i),
                   (unsigned long long)q->notes[i]);
    printf("\n");
    fputs(strbuf_str(&mc->notes), stdout);
    for (i = 0; i < CF_COUNT; i++)
        if (q->ambiguous_date[i])
            printf("  %s: %llu dates more than one date_format reads as "
                   "different dates (the first format's was used)\n",
                   common_field_name((enum common_field)i),
                   (unsigned long long)q->ambiguous_date[i]);
    /* No value is named here: `cohort run` names a plain code only when
     * enough distinct persons carry it after linkage, and from 1 000 rows
     * of one source, unlinked, no count of persons can be trusted not to
     * exceed that -- a count of rows or local ids would name what run
     * hides. Plain codes are counted as (code). */
    quarantine_each_unmapped(&q->unmapped, UNMAPPED_UNCOUNTED, print_unmapped,
                             &first);
    if (!first)
        printf("\n");
}

/*
 * What the run's policy would say of the rows read: an empty extract, a
 * reject rate over the limit (the reasons and their columns named), and,
 * when the whole source was read, the drift guard. 0 or CE_DATA (or the
 * drift state's CE_IO) with d set.
 */
static int
source_policy(const struct job_plan *plan, const struct source_reader *r,
              int whole, struct diag *d)
{
    const struct quarantine *q = &r->q;
    struct strbuf sb = STRBUF_INIT;
    int rc;

    if (q->rows_in == 0)
        return quarantine_check_policy(q, d);
    if (quarantine_over_limit(q)) {
        describe_reasons(r, &sb);
        diag_set(d, r->sp->name, 0, 0, "max_reject_rate",
                 "%llu of the first %llu rows are quarantined (%.2f%%), over "
                 "max_reject_rate %.2f%%: %s",
                 (unsigned long long)q->rows_quarantined,
                 (unsigned long long)q->rows_in,
                 100.0 * (double)q->rows_quarantined / (double)q->rows_in,
                 (double)r->sp->max_reject_ppm / 10000.0, strbuf_str(&sb));
        strbuf_release(&sb);
        return CE_DATA;
    }
    if ((rc = quarantine_check_drops(q, d, "the first ")) < 0)
        return rc;
    if (whole && (rc = drift_check_source(plan, r->sp, q->rows_in,
                                          q->rows_quarantined, d)) < 0)
        return rc;
    return 0;
}

/* Returns 0 or the first error of this source: its first CHECK_ROWS
 * rows through the job's own read path (source_reader.h), counted only. */
static int
check_source(const struct job_plan *plan, const struct source_plan *sp)
{
    struct source_reader r;
    struct diag d;
    struct missing_ctx mc = {plan, sp, STRBUF_INIT};
    struct raw_row probe;
    int rc, whole = 0;

    diag_clear(&d);
    source_reader_init(&r, sp);
    rc = source_reader_open(&r, plan, NULL, report_missing, &mc, &d);
    if (rc == 0)
        rc = source_reader_run(&r, CHECK_ROWS, NULL, NULL, NULL, &d);
    /* the whole source read: the drift guard can be asked too */
    if (rc == 0 && r.rows < CHECK_ROWS)
        whole = 1;
    else if (rc == 0 && (rc = source_next(&r.src, &probe, &d)) >= 0) {
        whole = rc == 0;
        rc = 0;
    }
    if (rc == 0)
        rc = source_policy(plan, &r, whole, &d);
    if (rc < 0 && r.missing && !d.msg[0]) {
        /* each missing column has been reported */
    } else if (rc < 0 && !r.have_map) {
        log_diag(&d);
    } else {
        print_source(&r, rc < 0 ? "FAILED" : "ok", &mc);
        if (rc < 0)
            log_diag(&d);
    }
    strbuf_release(&mc.notes);
    source_reader_release(&r);
    return rc;
}

/* libpq's error as one line: its newlines and tabs made spaces. */
static void
one_line(const char *in, char *out, size_t n)
{
    size_t i, o = 0;

    for (i = 0; in[i] && o + 1 < n; i++)
        if (in[i] == '\n' || in[i] == '\t' || in[i] == '\r') {
            if (o && out[o - 1] != ' ')
                out[o++] = ' ';
        } else {
            out[o++] = in[i];
        }
    while (o && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
}

/* The nearest existing directory at or above path (path itself when it
 * exists) into dir; 0, or -1 when none is found. */
static int
existing_dir(const char *path, char *dir, size_t n)
{
    struct stat sb;
    char *slash;

    if ((size_t)snprintf(dir, n, "%s", path) >= n)
        return -1;
    for (;;) {
        if (stat(dir, &sb) == 0)
            return S_ISDIR(sb.st_mode) ? 0 : -1;
        if (!(slash = strrchr(dir, '/'))) {
            snprintf(dir, n, ".");
            return 0;
        }
        if (slash == dir) {
            dir[1] = '\0';
            return 0;
        }
        *slash = '\0';
    }
}

/* An output: a CSV directory the run can create and write, a database it
 * can connect to. 0 or CE_IO (logged, with libpq's reason). */
static int
check_output(const struct job_plan *plan, const struct output_plan *o)
{
    char dir[4096], why[512];
    PGconn *conn;

    if (o->type == OUT_CSV) {
        if (existing_dir(plan->output_dir, dir, sizeof(dir)) < 0) {
            log_msg(LOG_ERROR, "[output %s] output_dir '%s' is not a "
                               "directory", o->name, plan->output_dir);
            return CE_IO;
        }
        if (access(dir, W_OK | X_OK) < 0) {
            log_msg(LOG_ERROR, "[output %s] output_dir '%s': cannot write "
                               "in '%s': %s", o->name, plan->output_dir, dir,
                    strerror(errno));
            return CE_IO;
        }
        printf("output %s: ok (files under %s)\n", o->name, plan->output_dir);
        return 0;
    }
    conn = PQconnectdb(o->conninfo);
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
        one_line(conn ? PQerrorMessage(conn) : "out of memory", why,
                 sizeof(why));
        log_msg(LOG_ERROR, "[output %s] cannot connect to the database: %s",
                o->name, why);
        PQfinish(conn);
        return CE_IO;
    }
    printf("output %s: ok (PostgreSQL %d, schema %s)\n", o->name,
           PQserverVersion(conn), o->schema);
    PQfinish(conn);
    return 0;
}

/* The population table rates are computed against, read as the run reads
 * it (forecast/denominators.h). */
static int
check_denominators(const struct job_plan *plan)
{
    struct denominators dn;
    struct diag d;
    int rc;

    if (!plan->denominators)
        return 0;
    diag_clear(&d);
    if ((rc = denominators_load(&dn, plan->denominators, &d)) < 0) {
        log_diag(&d);
        return rc;
    }
    printf("denominators %s: ok (%zu rows, years %d-%d)\n", plan->denominators,
           dn.nrows, dn.year_first, dn.year_last);
    denominators_release(&dn);
    return 0;
}

/* The key, then what is loaded with it (the nickname table), the lookup
 * and the ptable: each as the run loads it; then the population table. */
static int
check_files(const struct job_plan *plan)
{
    struct cohort_key key;
    struct geo_lookup gl;
    struct pseudonymiser ps;
    struct ptable pt;
    struct diag d;
    int rc, result = 0;

    diag_clear(&d);
    if ((rc = key_load(&key, plan->key_file, &d)) < 0) {
        log_diag(&d);
        result = worse(result, rc);
    } else {
        printf("key %s: ok (id %s)\n", plan->key_file, key.id);
        if ((rc = pseudonymiser_init(&ps, plan, &key, &d)) < 0) {
            log_diag(&d);
            result = worse(result, rc);
        } else {
            if (plan->nicknames)
                printf("nicknames %s: ok\n", plan->nicknames);
            pseudonymiser_release(&ps);
        }
        key_release(&key);
    }
    if ((rc = geo_lookup_load(&gl, plan->lookup, &d)) < 0) {
        log_diag(&d);
        result = worse(result, rc);
    } else {
        printf("lookup %s: ok (%zu postcodes, %zu wards)\n", plan->lookup,
               gl.nentries, gl.names.nward - 1);
        /* the tables' sizes need the lookup's names */
        if ((rc = cohort_check_sizes(plan, &gl.names, &d)) < 0) {
            log_diag(&d);
            result = worse(result, rc);
        }
        geo_lookup_release(&gl);
    }
    if (plan->disclosure.perturbation == PERTURB_CELLKEY) {
        if ((rc = ptable_load(&pt, plan->disclosure.ptable, &d)) < 0) {
            log_diag(&d);
            result = worse(result, rc);
        } else {
            printf("ptable %s: ok\n", plan->disclosure.ptable);
            ptable_release(&pt);
        }
    }
    return worse(result, check_denominators(plan));
}

/* The where expressions, compiled as the run compiles them. */
static int
check_cohorts(const struct job_plan *plan)
{
    struct where_expr **exprs = calloc(plan->ncohorts ? plan->ncohorts : 1,
                                       sizeof(*exprs));
    struct diag d;
    int rc;

    if (!exprs) {
        log_msg(LOG_ERROR, "out of memory");
        return CE_NOMEM;
    }
    diag_clear(&d);
    if ((rc = job_compile_cohorts(plan, exprs, NULL, &d)) < 0)
        log_diag(&d);
    else
        printf("cohorts: ok (%zu where expressions)\n", plan->ncohorts);
    job_free_cohorts(plan, exprs, NULL);
    free(exprs);
    return rc;
}

/* A department the job file declares that no source belongs to: its
 * terms in where and by count no one, which is likely a mistake but not
 * one the run refuses (a source may be added later). The default four
 * are the program's catalogue, not a declaration, and are not named. */
static void
check_departments(const struct job_plan *plan)
{
    size_t d, i;

    for (d = 0; d < plan->ndepartments; d++) {
        const struct department_plan *dp = &plan->departments[d];

        if (!dp->line)
            continue;
        for (i = 0; i < plan->nsources; i++)
            if (plan->sources[i].department == (int)d)
                break;
        if (i == plan->nsources)
            log_msg(LOG_WARN, "%s:%d: [department %s]: no source of this "
                              "job belongs to it; its services count no one",
                    plan->config_path, dp->line, dp->name);
    }
}

int
cmd_check(int argc, char **argv)
{
    const char *vals[1] = {0}, *pos[1];
    struct diag d;
    struct job_plan plan;
    int rc, result;
    size_t i;

    if ((rc = options_prologue(&syntax, argc, argv, vals, pos)) !=
        OPTIONS_CONTINUE)
        return rc;
    diag_clear(&d);
    if ((rc = job_plan_load(&plan, pos[0], &d)) < 0) {
        log_diag(&d);
        return cohort_exit_code(rc);
    }
    printf("config %s: ok (%zu sources, %zu cohorts, %zu outputs)\n", pos[0],
           plan.nsources, plan.ncohorts, plan.noutputs);
    check_departments(&plan);
    result = check_cohorts(&plan);
    result = worse(result, check_files(&plan));
    for (i = 0; i < plan.noutputs; i++)
        result = worse(result, check_output(&plan, &plan.outputs[i]));
    for (i = 0; i < plan.nsources; i++)
        result = worse(result, check_source(&plan, &plan.sources[i]));
    printf("check: %s\n", result ? "FAILED" : "ok");
    job_plan_release(&plan);
    return finish_stdout(cohort_exit_code(result));
}
