/*
 * cmd_check.c - `cohort check JOB.conf`: is tonight's run going to work?
 * Validates the config and the where expressions, the key file, the lookup,
 * and every source: reachable, header present, every mapped column there,
 * and the first 1 000 rows' fault counts by reason (never their values), so
 * an analyst can fix a mapping before the first run. Writes nothing.
 */
#include "commands.h"
#include "config.h"
#include "job.h"
#include "../core/log.h"
#include "options.h"
#include "source_reader.h"

#include "../anonymise/generalise.h"
#include "../anonymise/keys.h"
#include "../cohorts/where.h"
#include "../transform/map.h"
#include "../transform/quarantine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_ROWS 1000

static const char usage[] = "usage: cohort check JOB.conf\n";

static const struct option_spec specs[] = {
    {"help", 'h', OPT_FLAG, NULL, "show this help"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct command_syntax syntax = {usage, specs, 1,
                                             "check needs one job file"};

struct missing_ctx {
    const struct job_plan *plan;
    const struct source_plan *sp;
};

static void
report_missing(void *ctx, int field, const char *column, int line)
{
    const struct missing_ctx *m = ctx;

    log_msg(LOG_ERROR, "%s:%d: [source %s] field.%s: column '%s' is not in "
                       "the header",
            m->plan->config_path, line, m->sp->name,
            common_field_name((enum common_field)field), column);
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

/* Returns 0 or the first error of this source: its first CHECK_ROWS
 * rows through the job's own read path (source_reader.h), counted only. */
static int
check_source(const struct job_plan *plan, const struct source_plan *sp)
{
    struct source_reader r;
    struct diag d;
    struct missing_ctx mc = {plan, sp};
    const struct quarantine *q = &r.q;
    size_t i;
    int rc, first;

    diag_clear(&d);
    source_reader_init(&r, sp);
    rc = source_reader_open(&r, plan, report_missing, &mc, &d);
    if (rc == 0)
        rc = source_reader_run(&r, CHECK_ROWS, NULL, NULL, NULL, &d);
    if (rc < 0) {
        if (!r.missing)
            log_diag(&d);
    } else {
        printf("source %s: ok, %zu file%s, %zu columns; first %llu rows: "
               "%llu accepted, %llu quarantined",
               sp->name, r.src.nfiles, r.src.nfiles == 1 ? "" : "s",
               r.src.ncolumns, (unsigned long long)r.rows,
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
        /* No value is named here: `cohort run` names a plain code only
         * when enough distinct persons carry it after linkage, and from
         * 1 000 rows of one source, unlinked, no count of persons can be
         * trusted not to exceed that -- a count of rows or local ids
         * would name what run hides. Plain codes are counted as (code). */
        first = 1;
        quarantine_each_unmapped(&q->unmapped, UNMAPPED_UNCOUNTED,
                                 print_unmapped, &first);
        if (!first)
            printf("\n");
    }
    source_reader_release(&r);
    return rc;
}

/* Keeps the most severe error: config beats data beats I/O. */
static int
worse(int a, int b)
{
    if (a == CE_CONFIG || b == CE_CONFIG)
        return CE_CONFIG;
    return a ? a : b;
}

int
cmd_check(int argc, char **argv)
{
    const char *vals[1] = {0}, *pos[1];
    struct diag d;
    struct job_plan plan;
    struct where_expr **exprs = NULL;
    struct cohort_key key;
    struct geo_lookup gl;
    int rc, result = 0;
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
    exprs = calloc(plan.ncohorts ? plan.ncohorts : 1, sizeof(*exprs));
    if (!exprs) {
        log_msg(LOG_ERROR, "out of memory");
        job_plan_release(&plan);
        return EXIT_INTERNAL;
    }
    if ((rc = job_compile_cohorts(&plan, exprs, NULL, &d)) < 0) {
        log_diag(&d);
        result = worse(result, rc);
    } else {
        printf("cohorts: ok (%zu where expressions)\n", plan.ncohorts);
    }
    job_free_cohorts(&plan, exprs, NULL);
    free(exprs);

    if ((rc = key_load(&key, plan.key_file, &d)) < 0) {
        log_diag(&d);
        result = worse(result, rc);
    } else {
        printf("key %s: ok (id %s)\n", plan.key_file, key.id);
        key_release(&key);
    }
    if ((rc = geo_lookup_load(&gl, plan.lookup, &d)) < 0) {
        log_diag(&d);
        result = worse(result, rc);
    } else {
        printf("lookup %s: ok (%zu postcodes, %zu wards)\n", plan.lookup,
               gl.nentries, gl.names.nward - 1);
        geo_lookup_release(&gl);
    }
    for (i = 0; i < plan.nsources; i++)
        result = worse(result, check_source(&plan, &plan.sources[i]));
    printf("check: %s\n", result ? "FAILED" : "ok");
    job_plan_release(&plan);
    return finish_stdout(cohort_exit_code(result));
}
