/*
 * cmd_rules.c - `cohort rules JOB.conf [--format text|json|html]`: the
 * anonymisation rules for an information-governance reviewer.
 */
#include "commands.h"
#include "config.h"
#include "job.h"
#include "../core/log.h"
#include "options.h"
#include "../core/strbuf.h"

#include "../anonymise/rules.h"
#include "../cohorts/where.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: cohort rules JOB.conf [--format text|json|html]\n";

static const struct option_spec specs[] = {
    {"format", 'f', OPT_VALUE, "FORMAT", "text (default), json or html"},
    {"help", 'h', OPT_FLAG, NULL, "show this help"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct command_syntax syntax = {usage, specs, 1,
                                             "rules needs one job file"};

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
    int rc, ret = EXIT_PUBLISHED;

    if ((rc = options_prologue(&syntax, argc, argv, vals, pos)) !=
        OPTIONS_CONTINUE)
        return rc;
    diag_clear(&d);
    if (vals[0]) {
        if (!strcmp(vals[0], "text"))
            fmt = RULES_TEXT;
        else if (!strcmp(vals[0], "json"))
            fmt = RULES_JSON;
        else if (!strcmp(vals[0], "html"))
            fmt = RULES_HTML;
        else
            return usage_error(usage, "--format must be text, json or html");
    }
    if ((rc = job_plan_load(&plan, pos[0], &d)) < 0) {
        log_diag(&d);
        return cohort_exit_code(rc);
    }
    exprs = calloc(plan.ncohorts ? plan.ncohorts : 1, sizeof(*exprs));
    plain = calloc(plan.ncohorts ? plan.ncohorts : 1, sizeof(*plain));
    if (!exprs || !plain) {
        log_msg(LOG_ERROR, "out of memory");
        ret = EXIT_INTERNAL;
        goto out;
    }
    if ((rc = job_compile_cohorts(&plan, exprs, plain, &d)) < 0) {
        log_diag(&d);
        ret = cohort_exit_code(rc);
        goto out;
    }
    if (rules_render(&plan, plain, fmt, &sb) < 0) {
        log_msg(LOG_ERROR, "out of memory");
        ret = EXIT_INTERNAL;
        goto out;
    }
    fwrite(strbuf_str(&sb), 1, sb.len, stdout);
    ret = finish_stdout(0);
out:
    if (exprs)
        job_free_cohorts(&plan, exprs, plain);
    free(exprs);
    free(plain);
    strbuf_release(&sb);
    job_plan_release(&plan);
    return ret;
}
