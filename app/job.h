/*
 * job.h - the one place that wires the stages together (ARCHITECTURE.md,
 * "The data path"): sources -> map -> pseudonymise -> link -> cohorts ->
 * disclosure -> publish.
 *
 *     struct run_summary sum;
 *     rc = job_run(plan, &opts, &sum, &d);   -- 0: published
 *     ... sum describes the run even when it failed part-way ...
 *     run_summary_release(&sum);
 */
#ifndef COHORT_JOB_H
#define COHORT_JOB_H

#include "../core/plan.h"
#include "../core/error.h"
#include "../core/run.h"

#include <signal.h>

/* Set by a SIGINT/SIGTERM handler; the job stops at the next row and
 * publishes nothing. */
extern volatile sig_atomic_t job_stop_requested;

struct where_expr;
struct match_stats;

struct run_options {
    int accept_drift;   /* --accept-drift */
    int progress;       /* redraw a progress line on stderr (a terminal) */
    int no_publish;     /* compute everything, publish nothing (tests, check) */
    int threads;        /* threads reading sources and protecting periods (>= 1) */
};

/*
 * Parses every cohort's where into exprs[i] (caller frees with where_free)
 * and, when plain is not NULL, its plain-English rendering into plain[i]
 * (caller frees). On error returns CE_CONFIG with d naming the config file,
 * the where line and the column. Then job_check_nesting().
 */
int job_compile_cohorts(const struct job_plan *plan, struct where_expr **exprs,
                        char **plain, struct diag *d);

/*
 * Refuses (CE_CONFIG, rule nested_cohorts, d naming both cohorts and the
 * fix) a job with two cohorts whose populations nest as their where
 * expressions show (cohorts/where.h where_within(): A, and A with one more
 * `and`; the same where twice), unless the disclosure plan answers a
 * subtraction of one table from the other: cell-key perturbation, or
 * rounding at least the protection level. Each table's own audit cannot
 * see the other table. 0 when no pair nests.
 */
int job_check_nesting(const struct job_plan *plan,
                      struct where_expr *const *exprs, struct diag *d);

/* Frees what job_compile_cohorts() made (NULL entries are skipped). */
void job_free_cohorts(const struct job_plan *plan, struct where_expr **exprs,
                      char **plain);

/*
 * Runs the job and publishes to every output. Fills sum as far as the run
 * got. Returns 0, or CE_DATA (a source broke its limits; nothing
 * published), CE_IO (a source or output failed; the previous publication
 * stays), CE_CONFIG (key or lookup unusable), CE_INTERRUPTED, CE_NOMEM.
 */
int job_run(const struct job_plan *plan, const struct run_options *opts,
            struct run_summary *sum, struct diag *d);

/* Where each accepted record went: for linkage accuracy measurement on
 * synthetic data with known truth (the benchmark and the tests). Holds
 * positions and person numbers only. */
struct link_trace {
    uint32_t source;   /* index into plan->sources */
    uint32_t file;     /* index into that source's files */
    long line;         /* physical line of the row */
    uint32_t person;   /* linked person number */
    uint8_t ethnicity; /* enum ethnic_group as mapped (ETH_UNKNOWN when the
                        * source maps none): `cohort linkage` shows links
                        * across departments per group */
};

/* Reads (on `threads` threads, as job_run()), maps, pseudonymises and
 * links every source -- the keys, then the probabilistic stage when the
 * plan has it; *out (caller frees) gets one entry per accepted record, in
 * input order -- the same whatever the thread count. keys, when not NULL,
 * has plan->linkage.nkeys + 1 entries and gets what the linker did per
 * slot: [0] the scoped local ids (key_text NULL), [k] the plan's match key
 * k - 1 -- the exact counts `cohort run` prints through the disclosure
 * rule. *mst (when not NULL) gets the probabilistic stage's statistics
 * (all zero, nfields 0, without one); its warnings are logged as `cohort
 * run` logs them. */
int job_link_trace(const struct job_plan *plan, int threads,
                   struct link_trace **out, size_t *n, struct key_summary *keys,
                   struct match_stats *mst, struct diag *d);

#endif
