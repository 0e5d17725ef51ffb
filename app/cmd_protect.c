/*
 * cmd_protect.c - `cohort protect TABLE.csv --by COL[,COL...] ...`: the
 * nightly job's disclosure control on an analyst's own table. The options
 * are the [disclosure] keys (parsed by the same config.c functions), the
 * table is read by core/protect.c, protected by anonymise/disclosure.c and
 * written in the published cohort-table layout (export/files.c).
 */
#include "commands.h"
#include "../core/log.h"
#include "options.h"
#include "protect.h"
#include "../core/strbuf.h"

#include "../anonymise/disclosure.h"
#include "../anonymise/ptable.h"
#include "../export/files.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Writes data to path through a temp file in the same directory: a reader
 * sees the old file or the whole new one. */
static int
write_atomic(const char *path, const char *data, size_t len, struct diag *d)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 8);
    mode_t mask;
    FILE *f = NULL;
    int fd, e;

    if (!tmp) {
        diag_set(d, path, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".XXXXXX", 8);
    if ((fd = mkstemp(tmp)) < 0) {
        e = errno;
        diag_set(d, path, 0, 0, NULL, "cannot create a file next to it: %s",
                 strerror(e));
        free(tmp);
        return CE_IO;
    }
    mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) < 0 || !(f = fdopen(fd, "w")) ||
        fwrite(data, 1, len, f) != len || fflush(f) != 0 ||
        fsync(fileno(f)) < 0) {
        e = errno;
        if (f)
            fclose(f);
        else
            close(fd);
        unlink(tmp);
        diag_set(d, path, 0, 0, NULL, "cannot write: %s", strerror(e));
        free(tmp);
        return CE_IO;
    }
    if (fclose(f) != 0 || rename(tmp, path) < 0) {
        e = errno;
        unlink(tmp);
        diag_set(d, path, 0, 0, NULL, "cannot write: %s", strerror(e));
        free(tmp);
        return CE_IO;
    }
    free(tmp);
    return 0;
}

int
cmd_protect(int argc, char **argv)
{
    const char *vals[O_N] = {0}, *pos[1], *by[TABLE_MAX_DIMS];
    struct disclosure_plan dp;
    struct disclosure_keys dk;
    struct disclosure_stats st;
    struct protect_spec spec;
    struct protect_table pt;
    struct published_table pub;
    struct ptable ptab;
    struct strbuf sb = STRBUF_INIT;
    struct diag d;
    char *bybuf = NULL, expect[96], msg[256];
    int n, rc = 0, have_table = 0, have_ptable = 0;
    size_t i, j, nby = 0;

    diag_clear(&d);
    memset(&dp, 0, sizeof(dp));
    memset(&dk, 0, sizeof(dk));
    memset(&ptab, 0, sizeof(ptab));
    memset(&spec, 0, sizeof(spec));
    n = options_parse(argc, argv, specs, vals, pos, 1, &d);
    if (n < 0)
        return usage_error(usage, d.msg);
    if (vals[O_HELP]) {
        fputs(usage, stdout);
        options_print_help(stdout, specs);
        return finish_stdout(0);
    }
    if (n != 1)
        return usage_error(usage, "protect needs one table (a CSV file)");
    if (!vals[O_BY])
        return usage_error(usage, "--by is required: the breakdown columns");

    for (i = 0; i < sizeof(disclosure_opts) / sizeof(disclosure_opts[0]); i++) {
        const char *v = vals[disclosure_opts[i].opt];

        if (!v)
            continue;
        rc = disclosure_plan_set(&dp, &dk, disclosure_opts[i].key, v, expect,
                                 sizeof(expect));
        if (rc == CE_NOMEM) {
            fprintf(stderr, "cohort: error: out of memory\n");
            rc = EXIT_INTERNAL;
            goto out;
        }
        if (rc < 0) {
            snprintf(msg, sizeof(msg), "bad value for --%s: expected %s",
                     specs[disclosure_opts[i].opt].name, expect);
            rc = usage_error(usage, msg);
            goto out;
        }
    }
    if (disclosure_plan_finish(&dp, &dk) < 0) {
        rc = usage_error(usage, "--perturbation cellkey needs --ptable FILE");
        goto out;
    }
    if (dp.ptable && dp.perturbation != PERTURB_CELLKEY) {
        rc = usage_error(usage, "--ptable is only used with --perturbation "
                                "cellkey");
        goto out;
    }
    if (dp.perturbation == PERTURB_CELLKEY && vals[O_COUNT]) {
        rc = usage_error(usage, "--perturbation cellkey needs microdata: one "
                                "row per person with a record_key column "
                                "(leave out --count)");
        goto out;
    }

    if (!(bybuf = strdup(vals[O_BY]))) {
        fprintf(stderr, "cohort: error: out of memory\n");
        rc = EXIT_INTERNAL;
        goto out;
    }
    if (split_by(bybuf, by, TABLE_MAX_DIMS, &nby) < 0) {
        snprintf(msg, sizeof(msg), "--by takes 1 to %d column names "
                                   "separated by commas", TABLE_MAX_DIMS);
        rc = usage_error(usage, msg);
        goto out;
    }
    /* every named column different; none named like the output's own */
    for (i = 0; i < nby + 2; i++) {
        const char *a = i < nby ? by[i] : i == nby ? vals[O_PERIOD]
                                                   : vals[O_COUNT];

        if (!a)
            continue;
        if (i <= nby &&
            (!strcasecmp(a, "count") || !strcasecmp(a, "margin"))) {
            snprintf(msg, sizeof(msg), "a --by or --period column named '%s' "
                     "would clash with the published table's own column", a);
            rc = usage_error(usage, msg);
            goto out;
        }
        for (j = i + 1; j < nby + 2; j++) {
            const char *b = j < nby ? by[j] : j == nby ? vals[O_PERIOD]
                                                       : vals[O_COUNT];

            if (b && !strcasecmp(a, b)) {
                snprintf(msg, sizeof(msg), "column '%s' is named twice in "
                                           "--by, --period and --count", a);
                rc = usage_error(usage, msg);
                goto out;
            }
        }
    }

    spec.path = pos[0];
    spec.by = by;
    spec.nby = nby;
    spec.count_column = vals[O_COUNT];
    spec.period_column = vals[O_PERIOD];
    spec.need_record_keys = dp.perturbation == PERTURB_CELLKEY;
    if (dp.perturbation == PERTURB_CELLKEY) {
        if ((rc = ptable_load(&ptab, dp.ptable, &d)) < 0)
            goto fail;
        have_ptable = 1;
    }
    if ((rc = protect_table_read(&pt, &spec, &d)) < 0)
        goto fail;
    have_table = 1;
    if ((rc = disclosure_protect(&pt.table, &dp, have_ptable ? &ptab : NULL,
                                 1, &st, &d)) < 0)
        goto fail;
    if ((rc = protect_table_check(&pt.table, &dp, &d)) < 0)
        goto fail;
    if ((rc = disclosure_publish(&pt.table, &pub)) < 0) {
        diag_set(&d, NULL, 0, 0, NULL, "out of memory");
        goto fail;
    }
    render_table_csv(&pub, pt.period_name,
                     (const char *const *)pt.period_labels,
                     (const char *const *)pt.by_names, &sb);
    published_table_release(&pub);
    if (strbuf_failed(&sb)) {
        diag_set(&d, NULL, 0, 0, NULL, "out of memory");
        rc = CE_NOMEM;
        goto fail;
    }
    if (vals[O_OUTPUT]) {
        if ((rc = write_atomic(vals[O_OUTPUT], sb.buf, sb.len, &d)) < 0)
            goto fail;
    } else if (fwrite(sb.buf, 1, sb.len, stdout) != sb.len) {
        rc = finish_stdout(EXIT_IO);
        goto out;
    }
    fprintf(stderr,
            "protect: %llu cells, %llu suppressed, %llu secondary, %llu "
            "rounded, %llu perturbed\n",
            (unsigned long long)st.cells, (unsigned long long)st.suppressed,
            (unsigned long long)st.secondary, (unsigned long long)st.rounded,
            (unsigned long long)st.perturbed);
    rc = finish_stdout(0);
    goto out;
fail:
    log_diag(&d);
    rc = cohort_exit_code(rc);
out:
    if (have_table)
        protect_table_release(&pt);
    if (have_ptable)
        ptable_release(&ptab);
    strbuf_release(&sb);
    disclosure_plan_release(&dp);
    free(bybuf);
    return rc;
}
