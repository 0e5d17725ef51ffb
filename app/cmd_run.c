/*
 * cmd_run.c - `cohort run JOB.conf`: the nightly job. Takes the job's lock
 * (so two cron runs never overlap), runs every stage, publishes, and prints
 * what happened: rows in, accepted and quarantined per source (by reason),
 * links per key, cells protected per cohort. No value from any row is ever
 * printed. The log's last line is the run's summary with its exit code,
 * --quiet or not.
 *
 * SIGINT and SIGTERM ask the stages to stop (job_stop_requested: readers
 * stop between blocks of input, a database query is cancelled), and arm
 * a watchdog: whatever the run is doing or blocked on, 0.6 s later it
 * ends with exit 3 -- the same as the kill -9 a run always survives
 * (tests/cli/kill.sh): `latest` and the database keep the previous
 * publication, and the next run removes what this one staged. A second
 * signal ends it at once.
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
#include <sys/time.h>
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

/* The watchdog's last line, made before any signal can come (a handler
 * can only write(2) it). */
static char stop_line[512];
static size_t stop_len;

static void
make_stop_line(int json, const char *job)
{
    static const char what[] = "interrupted: stopped; nothing published, "
                               "the previous publication stays";
    int n;

    if (json)
        n = snprintf(stop_line, sizeof(stop_line),
                     "{\"job\":\"%s\",\"level\":\"summary\",\"exit\":%d,"
                     "\"msg\":\"%s\"}\n", job, EXIT_IO, what);
    else
        n = snprintf(stop_line, sizeof(stop_line),
                     "cohort: summary: exit %d: %s\n", EXIT_IO, what);
    stop_len = n > 0 && (size_t)n < sizeof(stop_line) ? (size_t)n : 0;
}

static void
stop_now(int sig)
{
    (void)sig;
    if (stop_len && write(STDERR_FILENO, stop_line, stop_len) < 0) {
        /* nowhere left to say it */
    }
    _exit(EXIT_IO);
}

static void
on_signal(int sig)
{
    /* 0.6 s for the stages to stop of themselves */
    struct itimerval it = {{0, 0}, {0, 600000}};

    if (job_stop_requested)
        stop_now(sig);
    job_stop_requested = 1;
    setitimer(ITIMER_REAL, &it, NULL);
}

/* The stop requests: SIGINT and SIGTERM, and the watchdog's SIGALRM. */
static void
install_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = stop_now;
    sigaction(SIGALRM, &sa, NULL);
}

/* The run has stopped of itself: no watchdog may end it now. */
static void
disarm_watchdog(void)
{
    struct itimerval off;
    struct sigaction sa;

    memset(&off, 0, sizeof(off));
    setitimer(ITIMER_REAL, &off, NULL);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_IGN;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
}

/* The log's last line: the exit code and what became of the run. */
static void
summary_line(const struct run_summary *s, int rc, int ret,
             const struct run_options *opts, const struct diag *d)
{
    uint64_t in = 0, q = 0;
    size_t i;

    for (i = 0; i < s->nsources; i++) {
        in += s->sources[i].rows_in;
        q += s->sources[i].rows_quarantined;
    }
    if (rc == 0 && !opts->no_publish)
        log_summary(ret, "published: %zu sources, %llu rows in, %llu "
                         "quarantined", s->nsources,
                    (unsigned long long)in, (unsigned long long)q);
    else if (rc == 0)
        log_summary(ret, "dry run: %zu sources, %llu rows in, %llu "
                         "quarantined; nothing published", s->nsources,
                    (unsigned long long)in, (unsigned long long)q);
    else if (s->publication != PUBLICATION_NONE)
        /* committed in part (export/publish.h): its own message says
         * what the next run finishes */
        log_summary(ret, "committed in part%s%s%s; the next run finishes "
                         "the publication", d->rule[0] ? " [" : "", d->rule,
                    d->rule[0] ? "]" : "");
    else
        log_summary(ret, "nothing published%s%s%s; the previous publication "
                         "stays", d->rule[0] ? " [" : "", d->rule,
                    d->rule[0] ? "]" : "");
}

/* Each projection's back-test: MASE of the model and the benchmark, and
 * how many of the published months each interval held. */
static void
print_projections(const struct run_summary *s)
{
    size_t i, j;

    for (i = 0; i < s->nprojections; i++) {
        const struct projection *p = &s->projections[i];

        if (p->note)
            printf("forecast %s: %s\n", p->cohort, p->note);
        for (j = 0; j < p->nseries; j++) {
            const struct projection_series *sr = &p->series[j];

            if (!sr->ntested)
                continue;
            printf("forecast %s %s: back-test MASE %.3f (seasonal naive "
                   "%.3f), 80%% interval held %d of %d months, 95%% held %d\n",
                   p->cohort, sr->label, sr->mase, sr->mase_naive,
                   sr->covered80, sr->ntested, sr->covered95);
        }
    }
}

static void
print_summary(const struct run_summary *s, int published)
{
    char nb[7][24];
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
    if (s->prob.ran)
        printf("link probabilistic (match probability >= %.4f): %llu "
               "records, %s pairs compared, %s accepted, %s links, refused: "
               "%s by the guard, %s two NHS numbers or UPNs, %s other; %s "
               "blocks over the cap; %u fields on default m\n",
               s->prob.threshold, (unsigned long long)s->prob.records,
               count_text(s->prob.pairs_compared, nb[0]),
               count_text(s->prob.pairs_accepted, nb[1]),
               count_text(s->prob.links, nb[2]),
               count_text(s->prob.refused_guard, nb[3]),
               count_text(s->prob.refused_strong_id, nb[4]),
               count_text(s->prob.refused_other, nb[5]),
               count_text(s->prob.blocks_over_cap, nb[6]),
               s->prob.em_defaulted);
    if (s->persons)
        printf("persons: %s\n", count_text(s->persons, nb[0]));
    for (i = 0; i < s->ncohorts; i++)
        if (s->cohorts[i].plan)
            printf("cohort %s: %llu cells, %llu suppressed, %llu secondary\n",
                   s->cohorts[i].plan->name,
                   (unsigned long long)s->cohorts[i].cells,
                   (unsigned long long)s->cohorts[i].suppressed,
                   (unsigned long long)s->cohorts[i].secondary);
    print_projections(s);
    if (s->persons) {
        printf("seconds: read+map+hash %.2f, link %.2f, generalise %.2f, "
               "count %.2f, protect %.2f, publish %.2f",
               s->seconds_read, s->seconds_link, s->seconds_generalise,
               s->seconds_count, s->seconds_protect, s->seconds_publish);
        /* the derived tables, rates and projections, when there are any */
        if (s->ncohorts > s->plan->ncohorts || s->nprojections)
            printf(", forecast tables %.2f", s->seconds_forecast);
        printf("\n");
        printf("cpu seconds: read+map+hash %.2f, link %.2f, generalise %.2f, "
               "tables %.2f, publish %.2f\n",
               s->cpu_read, s->cpu_link, s->cpu_generalise, s->cpu_tables,
               s->cpu_publish);
    }
    if (published) {
        int first = 1;

        printf("published run %s", s->run_id);
        for (i = 0; i < s->plan->noutputs; i++) {
            const struct output_plan *o = &s->plan->outputs[i];

            if (o->type == OUT_CSV)
                printf(" %s %s/latest", first ? "to" : "and", o->dir);
            else
                printf(" %s schema %s", first ? "to" : "and", o->schema);
            first = 0;
        }
        printf("\n");
    }
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
    const char **names;
    size_t i;
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
        log_summary(cohort_exit_code(rc), "nothing published: the job file "
                                          "cannot be used");
        return cohort_exit_code(rc);
    }
    if (!(names = calloc(plan.nsources + 1, sizeof(*names)))) {
        log_msg(LOG_ERROR, "out of memory");
        job_plan_release(&plan);
        return EXIT_INTERNAL;
    }
    for (i = 0; i < plan.nsources; i++)
        names[i] = plan.sources[i].name;
    log_set_job(plan.name, names, plan.nsources);
    make_stop_line(vals[3] && !strcmp(vals[3], "json"), plan.name);
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
        log_summary(cohort_exit_code(rc), "nothing published%s",
                    rc == CE_LOCKED ? ": another run holds the lock" : "");
        log_set_job(NULL, NULL, 0);
        free(names);
        job_plan_release(&plan);
        return cohort_exit_code(rc);
    }
    install_signals();

    rc = job_run(&plan, &opts, &sum, &d);
    disarm_watchdog();
    if (!vals[2])
        print_summary(&sum, rc == 0 && !opts.no_publish);
    if (rc < 0) {
        log_diag(&d);
        /* a publication that committed in part says so in its own
         * message (export/publish.h) */
        if ((rc == CE_DATA || rc == CE_IO || rc == CE_INTERRUPTED) &&
            sum.publication == PUBLICATION_NONE)
            log_msg(LOG_ERROR, "nothing published; the previous publication "
                               "stays");
    }
    ret = finish_stdout(cohort_exit_code(rc));
    summary_line(&sum, rc, ret, &opts, &d);
    run_summary_release(&sum);
    job_lock_release(&lock);
    log_set_job(NULL, NULL, 0);
    free(names);
    job_plan_release(&plan);
    return ret;
}
