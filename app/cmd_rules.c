/*
 * cmd_rules.c - `cohort rules JOB.conf [--format text|json|html|canonical]`:
 * the anonymisation rules for an information-governance reviewer, with
 * what this machine shows beside the plan: the key file (never the key),
 * each source's header, and the latest publication's tables, counted
 * (anonymise/rules.h). `--format canonical` prints the text the plan
 * hash is taken of and reads nothing but the plan and its lookups.
 */
#include "commands.h"
#include "config.h"
#include "job.h"
#include "../core/log.h"
#include "options.h"
#include "../core/strbuf.h"

#include "../anonymise/rules.h"
#include "../cohorts/where.h"
#include "../connectors/source.h"
#include "../core/calendar.h"
#include "../transform/map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: cohort rules JOB.conf [--format text|json|html|canonical]\n";

static const struct option_spec specs[] = {
    {"format", 'f', OPT_VALUE, "FORMAT",
     "text (default), json, html, or canonical (what the plan hash is of)"},
    {"help", 'h', OPT_FLAG, NULL, "show this help"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct command_syntax syntax = {usage, specs, 1,
                                             "rules needs one job file"};

/* Frees the header copies of n sources. */
static void
columns_release(struct rules_source_columns *cols, size_t n)
{
    size_t i, j;

    for (i = 0; cols && i < n; i++) {
        for (j = 0; j < cols[i].ncolumns; j++)
            free(cols[i].names[j]);
        free(cols[i].names);
        free(cols[i].fields);
    }
    free(cols);
}

/*
 * Whether the pack may print a header name: a header cell can hold
 * anything -- a misplaced data row, a person's name -- so only a plain
 * name (source.h) without an identifier's shape (transform/map.h: six
 * digits, a postcode, a date, an e-mail), and none at all from a header
 * that lacks a mapped column, which may be a row of data.
 */
static int
column_name_shown(const struct cell *name, int suspect, const char *date_format,
                  int pivot_year)
{
    return !suspect && source_column_name_plain(name) &&
           !map_value_has_identifier_shape(name->ptr, name->len, date_format,
                                           pivot_year);
}

/*
 * Reads one source's header through its connector: each column's name
 * when it may be shown (above), and which mapped fields read it, matched
 * as the job matches them. A source that
 * cannot be opened is described, not fatal. CE_NOMEM.
 */
static int
read_header(const struct source_plan *sp, int pivot_year,
            struct rules_source_columns *c)
{
    struct source src;
    struct diag d;
    size_t i;
    int f, rc = 0;

    diag_clear(&d);
    if (source_open(&src, sp, &d) < 0) {
        snprintf(c->error, sizeof(c->error), "%s", d.msg);
        source_close(&src);
        return 0;
    }
    c->names = calloc(src.ncolumns ? src.ncolumns : 1, sizeof(*c->names));
    c->fields = calloc(src.ncolumns ? src.ncolumns : 1, sizeof(*c->fields));
    if (!c->names || !c->fields) {
        rc = CE_NOMEM;
        goto out;
    }
    c->ncolumns = src.ncolumns;
    for (f = 0; f < CF_COUNT; f++) {
        int ix;

        if (!sp->column[f])
            continue;
        if ((ix = source_column_index(&src, sp->column[f])) >= 0)
            c->fields[ix] |= 1u << f;
        else
            c->suspect = 1;
    }
    for (i = 0; i < src.ncolumns; i++) {
        const struct cell *name = &src.columns[i];

        if (!column_name_shown(name, c->suspect, sp->date_format, pivot_year))
            continue;
        if (!(c->names[i] = strndup(name->ptr, name->len))) {
            rc = CE_NOMEM;
            goto out;
        }
    }
    c->read = 1;
out:
    source_close(&src);
    return rc;
}

/* What the document shows beside the plan. */
static int
gather(const struct job_plan *plan, struct rules_key_info *key,
       struct rules_source_columns **cols, struct rules_publication *pub)
{
    size_t i;
    int rc, y, m, day;

    rules_inspect_key(plan->key_file, key);
    *cols = calloc(plan->nsources ? plan->nsources : 1, sizeof(**cols));
    if (!*cols)
        return CE_NOMEM;
    /* two-digit years pivot as the job's mapping pivots them */
    civil_from_days(plan->reference_date, &y, &m, &day);
    for (i = 0; i < plan->nsources; i++)
        if ((rc = read_header(&plan->sources[i], y, &(*cols)[i])) < 0)
            return rc;
    return rules_read_publication(plan, pub);
}

static int
parse_format(const char *s, enum rules_format *fmt)
{
    static const struct {
        const char *name;
        enum rules_format fmt;
    } formats[] = {{"text", RULES_TEXT},
                   {"json", RULES_JSON},
                   {"html", RULES_HTML},
                   {"canonical", RULES_CANONICAL}};
    size_t i;

    for (i = 0; s && i < sizeof(formats) / sizeof(formats[0]); i++)
        if (!strcmp(s, formats[i].name)) {
            *fmt = formats[i].fmt;
            return 0;
        }
    return s ? -1 : 0;
}

int
cmd_rules(int argc, char **argv)
{
    const char *vals[2] = {0}, *pos[1];
    struct diag d;
    struct job_plan plan;
    struct where_expr **exprs = NULL;
    char **plain = NULL;
    struct strbuf sb = STRBUF_INIT;
    enum rules_format fmt = RULES_TEXT;
    struct rules_key_info key;
    struct rules_source_columns *cols = NULL;
    struct rules_publication pub;
    struct rules_inputs in;
    int rc, ret = EXIT_PUBLISHED;

    if ((rc = options_prologue(&syntax, argc, argv, vals, pos)) !=
        OPTIONS_CONTINUE)
        return rc;
    diag_clear(&d);
    if (parse_format(vals[0], &fmt) < 0)
        return usage_error(usage, "--format must be text, json, html or "
                                  "canonical");
    if ((rc = job_plan_load(&plan, pos[0], &d)) < 0) {
        log_diag(&d);
        return cohort_exit_code(rc);
    }
    memset(&pub, 0, sizeof(pub));
    exprs = calloc(plan.ncohorts ? plan.ncohorts : 1, sizeof(*exprs));
    plain = calloc(plan.ncohorts ? plan.ncohorts : 1, sizeof(*plain));
    if (!exprs || !plain) {
        rc = CE_NOMEM;
        goto fail;
    }
    if ((rc = job_compile_cohorts(&plan, exprs, plain, &d)) < 0)
        goto fail;
    in = (struct rules_inputs){plain, COHORT_VERSION, NULL, NULL, NULL};
    if (fmt != RULES_CANONICAL) {
        if ((rc = gather(&plan, &key, &cols, &pub)) < 0)
            goto fail;
        in.key = &key;
        in.columns = cols;
        in.pub = &pub;
    }
    if ((rc = rules_render(&plan, &in, fmt, &sb, &d)) < 0)
        goto fail;
    fwrite(strbuf_str(&sb), 1, sb.len, stdout);
    ret = finish_stdout(0);
    goto out;
fail:
    if (rc == CE_NOMEM)
        diag_set(&d, NULL, 0, 0, NULL, "out of memory");
    log_diag(&d);
    ret = cohort_exit_code(rc);
out:
    if (exprs)
        job_free_cohorts(&plan, exprs, plain);
    free(exprs);
    free(plain);
    columns_release(cols, plan.nsources);
    rules_publication_release(&pub);
    strbuf_release(&sb);
    job_plan_release(&plan);
    return ret;
}
