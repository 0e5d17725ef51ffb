/*
 * cmd_run.c - `cohort run JOB.conf`: the nightly job. Takes the job's lock
 * (so two cron runs never overlap), runs every stage, publishes, and prints
 * what happened: rows in, accepted and quarantined per source (by reason),
 * links per key, cells protected per cohort. No value from any row is ever
 * printed.
 */
#include "commands.h"
#include "config.h"
#include "job.h"
#include "lock.h"
#include "../core/log.h"
#include "options.h"
#include "../core/strnum.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: cohort run JOB.conf [--dry-run] [--accept-drift] [--quiet] "
    "[--log-format text|json] [--threads N]\n";

static const struct option_spec specs[] = {
    {"dry-run", 'n', OPT_FLAG, NULL,
     "read, link, count and protect, but publish nothing"},
    {"accept-drift", 0, OPT_FLAG, NULL,
     "publish even when an extract drifted past its alarm"},
    {"quiet", 'q', OPT_FLAG, NULL, "print errors only"},
    {"log-format", 0, OPT_VALUE, "FORMAT",
     "text (default) or json: one JSON object per log line"},
    {"threads", 'j', OPT_VALUE, "N",
     "threads for reading sources and for disclosure control (default: the\n"
     "CPUs, at most 8)"},
    {"help", 'h', OPT_FLAG, NULL, "show this help"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct command_syntax syntax = {usage, specs, 1,
                                             "run needs one job file"};

static void
on_signal(int sig)
{
    (void)sig;
    job_stop_requested = 1;
}

static void
print_summary(const struct run_summary *s, int published)
{
    char nb[3][24];
    size_t i, j;

    for (i = 0; i < s->nsources; i++) {
        const struct source_summary *ss = &s->sources[i];

        if (!ss->plan)
            continue;
        printf("source %s: %llu rows in, %llu accepted, %llu quarantined",
               ss->plan->name, (unsigned long long)ss->rows_in,
               (unsigned long long)ss->rows_accepted,
               (unsigned long long)ss->rows_quarantined);
        for (j = 0; j < ss->nquarantined; j++)
            printf("%s%s %llu", j ? ", " : " (", ss->quarantined[j].reason,
                   (unsigned long long)ss->quarantined[j].n);
        printf("%s\n", ss->nquarantined ? ")" : "");
        for (j = 0; j < ss->nunmapped; j++)
            printf("%s%s %llu%s", j ? ", " : "  unmapped codes: ",
                   ss->unmapped[j].label,
                   (unsigned long long)ss->unmapped[j].n,
                   j + 1 == ss->nunmapped ? "\n" : "");
    }
    /* person counts as published (anonymise/published_counts.h protects them): "[c]" or
     * the rule's value, never the exact count beside a rounded table */
    for (i = 0; i < s->nscopes; i++)
        printf("id scope %s: %s ids, %llu header rows, %llu events joined, "
               "%llu orphans, %s NHS number conflicts, %s date of birth "
               "conflicts\n", s->scopes[i].name,
               count_text(s->scopes[i].ids, nb[0]),
               (unsigned long long)s->scopes[i].header_rows,
               (unsigned long long)s->scopes[i].events_joined,
               (unsigned long long)s->scopes[i].events_orphaned,
               count_text(s->scopes[i].nhs_conflicts, nb[1]),
               count_text(s->scopes[i].dob_conflicts, nb[2]));
    if (s->nscopes)
        printf("link id scopes: %s links, %s refused\n",
               count_text(s->scope_links, nb[0]),
               count_text(s->scope_refused, nb[1]));
    for (i = 0; i < s->nkeys; i++)
        if (s->keys[i].key_text)
            printf("link key %zu %s: %llu records, %s links, %s "
                   "refused\n", i + 1, s->keys[i].key_text,
                   (unsigned long long)s->keys[i].records_with_key,
                   count_text(s->keys[i].links, nb[0]),
                   count_text(s->keys[i].conflicts, nb[1]));
    if (s->persons)
        printf("persons: %s\n", count_text(s->persons, nb[0]));
    for (i = 0; i < s->ncohorts; i++)
        if (s->cohorts[i].plan)
            printf("cohort %s: %llu cells, %llu suppressed, %llu secondary\n",
                   s->cohorts[i].plan->name,
                   (unsigned long long)s->cohorts[i].cells,
                   (unsigned long long)s->cohorts[i].suppressed,
                   (unsigned long long)s->cohorts[i].secondary);
    if (s->persons)
        printf("seconds: read+map+hash %.2f, link %.2f, generalise %.2f, "
               "count %.2f, protect %.2f, publish %.2f\n",
               s->seconds_read, s->seconds_link, s->seconds_generalise,
               s->seconds_count, s->seconds_protect, s->seconds_publish);
    if (published)
        printf("published run %s to %s/latest\n", s->run_id,
               s->plan->output_dir);
}

int
cmd_run(int argc, char **argv)
{
    const char *vals[6] = {0}, *pos[1];
    struct diag d;
    struct job_plan plan;
    struct run_summary sum;
    struct run_options opts;
    struct job_lock lock;
    struct sigaction sa;
    int rc, ret, threads_opt = 0;

    if ((rc = options_prologue(&syntax, argc, argv, vals, pos)) !=
        OPTIONS_CONTINUE)
        return rc;
    diag_clear(&d);
    if (vals[4]) {
        int64_t t;

        if (parse_int64_str(vals[4], 1, 16, &t) < 0)
            return usage_error(usage, "--threads must be 1 to 16");
        threads_opt = (int)t;
    }
    if (vals[3] && strcmp(vals[3], "text") && strcmp(vals[3], "json"))
        return usage_error(usage, "--log-format must be text or json");
    log_setup(vals[2] ? LOG_ERROR : LOG_INFO,
              vals[3] && !strcmp(vals[3], "json"), NULL);
    if ((rc = job_plan_load(&plan, pos[0], &d)) < 0) {
        log_diag(&d);
        return cohort_exit_code(rc);
    }
    memset(&opts, 0, sizeof(opts));
    opts.no_publish = vals[0] != NULL;
    opts.accept_drift = vals[1] != NULL;
    opts.progress = !vals[2] && isatty(STDERR_FILENO);
    {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);

        opts.threads = cpus > 0 ? (cpus > 8 ? 8 : (int)cpus) : 1;
        if (threads_opt)
            opts.threads = threads_opt;
    }

    if ((rc = job_lock_take(&lock, plan.output_dir, &d)) < 0) {
        log_diag(&d);
        job_plan_release(&plan);
        return cohort_exit_code(rc);
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    rc = job_run(&plan, &opts, &sum, &d);
    if (!vals[2])
        print_summary(&sum, rc == 0 && !opts.no_publish);
    if (rc < 0) {
        log_diag(&d);
        if (rc == CE_DATA || rc == CE_IO || rc == CE_INTERRUPTED)
            log_msg(LOG_ERROR, "nothing published; the previous publication "
                               "stays");
    }
    ret = cohort_exit_code(rc);
    run_summary_release(&sum);
    job_lock_release(&lock);
    job_plan_release(&plan);
    return finish_stdout(ret);
}
