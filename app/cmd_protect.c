/*
 * cmd_protect.c - `cohort protect TABLE.csv --by COL[,COL...] ...`: the
 * nightly job's disclosure control on an analyst's own table. The options
 * are the [disclosure] keys (applied through the job file's own settings
 * table, anonymise/disclosure_settings.c), the table is read by
 * app/protect.c (the CSV connector into cohorts/tabulate), protected by
 * anonymise/disclosure.c, checked by anonymise/disclosure_check.c as the
 * nightly tables are, and written in the published cohort-table layout
 * (export/files.c) through core/atomic.
 */
#include "commands.h"
#include "../core/atomic.h"
#include "../core/log.h"
#include "options.h"
#include "protect.h"
#include "../core/strbuf.h"

#include "../anonymise/disclosure.h"
#include "../anonymise/disclosure_check.h"
#include "../anonymise/disclosure_settings.h"
#include "../anonymise/ptable.h"
#include "../export/files.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char usage[] =
    "usage: cohort protect TABLE.csv --by COL[,COL...] [--count COL] "
    "[--period COL]\n"
    "                      [--rules nhs|ons] [--suppress LO-HI] "
    "[--rounding N] [--protect-zeros yes|no]\n"
    "                      [--protection-level N] [--protection-lower N[%]] "
    "[--protection-upper N[%]]\n"
    "                      [--suppression-cost value|cells|log_value] "
    "[--perturbation cellkey --ptable FILE] [-o OUT.csv]\n";

enum opt {
    O_BY, O_COUNT, O_PERIOD, O_RULES, O_SUPPRESS, O_ROUNDING, O_ZEROS,
    O_LEVEL, O_LOWER, O_UPPER, O_COST, O_PERTURBATION, O_PTABLE, O_OUTPUT,
    O_HELP, O_N
};

static const struct option_spec specs[] = {
    [O_BY] = {"by", 0, OPT_VALUE, "COL[,COL...]",
              "breakdown columns (1 to 6)"},
    [O_COUNT] = {"count", 0, OPT_VALUE, "COL",
                 "the column holding each combination's count (without it: "
                 "one row per person)"},
    [O_PERIOD] = {"period", 0, OPT_VALUE, "COL",
                  "a period column: each period is protected on its own"},
    [O_RULES] = {"rules", 0, OPT_VALUE, "nhs|ons",
                 "the preset (default ons: suppress below 10, round to 5)"},
    [O_SUPPRESS] = {"suppress", 0, OPT_VALUE, "LO-HI",
                    "counts in this inclusive range are suppressed"},
    [O_ROUNDING] = {"rounding", 0, OPT_VALUE, "N",
                    "round published counts to a multiple of N (1: none)"},
    [O_ZEROS] = {"protect-zeros", 0, OPT_VALUE, "yes|no",
                 "treat zero cells as sensitive too (default no)"},
    [O_LEVEL] = {"protection-level", 0, OPT_VALUE, "N",
                 "the width an attacker's range for a suppressed cell must "
                 "keep"},
    [O_LOWER] = {"protection-lower", 0, OPT_VALUE, "N[%]",
                 "tau-ARGUS's lower protection: the attacker's range must "
                 "reach the count less N (or N%)"},
    [O_UPPER] = {"protection-upper", 0, OPT_VALUE, "N[%]",
                 "tau-ARGUS's upper protection: the range must reach the "
                 "count plus N (or N%)"},
    [O_COST] = {"suppression-cost", 0, OPT_VALUE, "value|cells|log_value",
                "what secondary suppression minimises (default value: the "
                "hidden count)"},
    [O_PERTURBATION] = {"perturbation", 0, OPT_VALUE, "none|cellkey",
                        "cell-key noise (needs microdata with record_key)"},
    [O_PTABLE] = {"ptable", 0, OPT_VALUE, "FILE",
                  "the perturbation table for cellkey"},
    [O_OUTPUT] = {"output", 'o', OPT_VALUE, "OUT.csv",
                  "write here, atomically (default: standard output)"},
    [O_HELP] = {"help", 'h', OPT_FLAG, NULL, "show this help"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct command_syntax syntax = {
    usage, specs, 1, "protect needs one table (a CSV file)"};

/* The options that are [disclosure] keys, by the key's name. */
static const struct {
    enum opt opt;
    const char *key;
} disclosure_opts[] = {
    {O_RULES, "preset"},         {O_SUPPRESS, "suppress"},
    {O_ROUNDING, "rounding"},    {O_ZEROS, "protect_zeros"},
    {O_LEVEL, "protection_level"}, {O_LOWER, "protection_lower"},
    {O_UPPER, "protection_upper"}, {O_COST, "suppression_cost"},
    {O_PERTURBATION, "perturbation"}, {O_PTABLE, "ptable"},
};

/* Splits "a, b,c" into trimmed names (pointers into buf). */
static int
split_by(char *buf, const char **names, size_t max, size_t *n)
{
    char *p = buf;

    *n = 0;
    for (;;) {
        char *end = strchr(p, ','), *e;

        if (end)
            *end = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        e = p + strlen(p);
        while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
            *--e = '\0';
        if (!*p || *n >= max)
            return -1;
        names[(*n)++] = p;
        if (!end)
            return 0;
        p = end + 1;
    }
}

/* SIGINT or SIGTERM while OUT.csv is written: the temp file beside it
 * goes, then the signal ends the process as it would have (SA_RESETHAND). */
static void
on_signal(int sig)
{
    atomic_remove_temps();
    raise(sig);
}

/* The [disclosure] options into dp: OPTIONS_CONTINUE, or the exit code. */
static int
protect_rules(const char *const *vals, struct disclosure_plan *dp,
              struct disclosure_keys *dk)
{
    char expect[96], msg[256];
    size_t i;
    int rc;

    for (i = 0; i < sizeof(disclosure_opts) / sizeof(disclosure_opts[0]); i++) {
        const char *v = vals[disclosure_opts[i].opt];

        if (!v)
            continue;
        rc = disclosure_keys_set(dk, disclosure_opts[i].key, v, expect,
                                 sizeof(expect));
        if (rc == CE_NOMEM) {
            fprintf(stderr, "cohort: error: out of memory\n");
            return EXIT_INTERNAL;
        }
        if (rc < 0) {
            snprintf(msg, sizeof(msg), "bad value for --%s: expected %s",
                     specs[disclosure_opts[i].opt].name, expect);
            return usage_error(usage, msg);
        }
    }
    if (disclosure_plan_finish(dp, dk) < 0)
        return usage_error(usage, "--perturbation cellkey needs --ptable FILE");
    if (dp->ptable && dp->perturbation != PERTURB_CELLKEY)
        return usage_error(usage, "--ptable is only used with --perturbation "
                                  "cellkey");
    if (dp->perturbation == PERTURB_CELLKEY && vals[O_COUNT])
        return usage_error(usage, "--perturbation cellkey needs microdata: one "
                                  "row per person with a record_key column "
                                  "(leave out --count)");
    return OPTIONS_CONTINUE;
}

/* The --by names (split into bybuf, which the caller frees), checked with
 * --period and --count: OPTIONS_CONTINUE, or the exit code. */
static int
protect_columns(const char *const *vals, char **bybuf, const char **by,
                size_t *nby)
{
    char msg[256];
    size_t i, j;

    if (!(*bybuf = strdup(vals[O_BY]))) {
        fprintf(stderr, "cohort: error: out of memory\n");
        return EXIT_INTERNAL;
    }
    if (split_by(*bybuf, by, TABLE_MAX_DIMS, nby) < 0) {
        snprintf(msg, sizeof(msg), "--by takes 1 to %d column names "
                                   "separated by commas", TABLE_MAX_DIMS);
        return usage_error(usage, msg);
    }
    /* every named column different; none named like the output's own */
    for (i = 0; i < *nby + 2; i++) {
        const char *a = i < *nby ? by[i] : i == *nby ? vals[O_PERIOD]
                                                     : vals[O_COUNT];

        if (!a)
            continue;
        if (i <= *nby &&
            (!strcasecmp(a, "count") || !strcasecmp(a, "margin"))) {
            snprintf(msg, sizeof(msg), "a --by or --period column named '%s' "
                     "would clash with the published table's own column", a);
            return usage_error(usage, msg);
        }
        for (j = i + 1; j < *nby + 2; j++) {
            const char *b = j < *nby ? by[j] : j == *nby ? vals[O_PERIOD]
                                                         : vals[O_COUNT];

            if (b && !strcasecmp(a, b)) {
                snprintf(msg, sizeof(msg), "column '%s' is named twice in "
                                           "--by, --period and --count", a);
                return usage_error(usage, msg);
            }
        }
    }
    return OPTIONS_CONTINUE;
}

/* Writes the rendered table to OUT.csv, atomically. */
static int
protect_write(const char *output, const struct strbuf *sb, struct diag *d)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    return atomic_write_file(output, sb->buf, sb->len, 0666, d);
}

/* Reads, protects and checks the table, rendered into sb: 0 or a
 * cohort_err with d set. */
static int
protect_table(const struct protect_spec *spec,
              const struct disclosure_plan *dp, struct strbuf *sb,
              struct disclosure_stats *st, struct diag *d)
{
    struct protect_table pt;
    struct published_table pub;
    struct ptable ptab;
    int rc, have_table = 0, have_ptable = 0;

    if (dp->perturbation == PERTURB_CELLKEY) {
        if ((rc = ptable_load(&ptab, dp->ptable, d)) < 0)
            goto out;
        have_ptable = 1;
    }
    if ((rc = protect_table_read(&pt, spec, d)) < 0)
        goto out;
    have_table = 1;
    if ((rc = disclosure_protect(&pt.table, dp, have_ptable ? &ptab : NULL,
                                 1, st, d)) < 0 ||
        (rc = disclosure_check(&pt.table, dp, 1, d)) < 0)
        goto out;
    /* only the published table is rendered: no true count or cell key */
    if ((rc = disclosure_publish(&pt.table, &pub)) < 0) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        goto out;
    }
    render_table_csv(&pub, pt.period_name,
                     (const char *const *)pt.period_labels,
                     (const char *const *)pt.by_names, sb);
    published_table_release(&pub);
    if (strbuf_failed(sb)) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        rc = CE_NOMEM;
    }
out:
    if (have_table)
        protect_table_release(&pt);
    if (have_ptable)
        ptable_release(&ptab);
    return rc;
}

int
cmd_protect(int argc, char **argv)
{
    const char *vals[O_N] = {0}, *pos[1], *by[TABLE_MAX_DIMS];
    struct disclosure_plan dp;
    struct disclosure_keys dk;
    struct disclosure_stats st;
    struct protect_spec spec;
    struct strbuf sb = STRBUF_INIT;
    struct diag d;
    char *bybuf = NULL;
    int rc;
    size_t nby = 0;

    if ((rc = options_prologue(&syntax, argc, argv, vals, pos)) !=
        OPTIONS_CONTINUE)
        return rc;
    if (!vals[O_BY])
        return usage_error(usage, "--by is required: the breakdown columns");
    diag_clear(&d);
    memset(&dp, 0, sizeof(dp));
    memset(&dk, 0, sizeof(dk));
    memset(&st, 0, sizeof(st));
    memset(&spec, 0, sizeof(spec));
    if ((rc = protect_rules(vals, &dp, &dk)) != OPTIONS_CONTINUE ||
        (rc = protect_columns(vals, &bybuf, by, &nby)) != OPTIONS_CONTINUE)
        goto out;
    spec.path = pos[0];
    spec.by = by;
    spec.nby = nby;
    spec.count_column = vals[O_COUNT];
    spec.period_column = vals[O_PERIOD];
    spec.need_record_keys = dp.perturbation == PERTURB_CELLKEY;
    rc = protect_table(&spec, &dp, &sb, &st, &d);
    if (rc == 0 && vals[O_OUTPUT]) {
        rc = protect_write(vals[O_OUTPUT], &sb, &d);
    } else if (rc == 0 && fwrite(sb.buf, 1, sb.len, stdout) != sb.len) {
        rc = finish_stdout(EXIT_IO);
        goto out;
    }
    if (rc < 0) {
        log_diag(&d);
        rc = cohort_exit_code(rc);
        goto out;
    }
    fprintf(stderr,
            "protect: %llu cells, %llu suppressed, %llu secondary, %llu "
            "rounded, %llu perturbed\n",
            (unsigned long long)st.cells, (unsigned long long)st.suppressed,
            (unsigned long long)st.secondary, (unsigned long long)st.rounded,
            (unsigned long long)st.perturbed);
    rc = finish_stdout(0);
out:
    strbuf_release(&sb);
    disclosure_keys_release(&dk);
    disclosure_plan_release(&dp);
    free(bybuf);
    return rc;
}
