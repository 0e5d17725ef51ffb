/*
 * publish.h - a run's outputs, committed together or not at all
 * (ARCHITECTURE.md, invariant 3). app/job.c calls these two:
 *
 *     publish_recover(plan, &d);        first: a publication a crash or a
 *                                       failed switch left half done is
 *                                       finished or reversed
 *     ... the run ...
 *     publish_run(&sum, &d);            sum.publication says how far it got
 *
 * The order, and the one moment that decides:
 *   1. every csv output stages the whole run, fsync'd (files.h);
 *   2. every postgres output writes the run in its open transaction;
 *   3. with more than one output, each csv output is marked: its
 *      directory names the run pending (run_dir.h);
 *   4. the commit point: the postgres COMMIT (the first, with several;
 *      without postgres, the last mark written, or with one csv output
 *      alone, the switch of `latest` itself);
 *   5. each csv output switches `latest` to the run, and unmarks.
 * A failure before 4 rolls every output back: nothing is published and
 * every output keeps the previous run. A failure after 4 (the files'
 * switch fails, a second database's COMMIT fails) leaves the run
 * committed where it committed and the files marked: the run ends with
 * exit 3 saying so, and the next run finishes the switch first. A crash
 * anywhere is the same: the next run's publish_recover() asks the
 * database whether the marked run committed (runs has its row) and
 * finishes the files if so, removes them if not.
 */
#ifndef COHORT_PUBLISH_H
#define COHORT_PUBLISH_H

#include "../core/error.h"
#include "../core/plan.h"
#include "../core/run.h"

/*
 * Publishes s to every output of s->plan, in the order above, and sets
 * s->publication (enum publication_state). 0 when every output has the
 * run; CE_IO, CE_NOMEM or CE_CONFIG with d saying what failed and what
 * state the outputs are in.
 */
int publish_run(struct run_summary *s, struct diag *d);

/*
 * Finishes or reverses what a previous run left marked in plan's csv
 * outputs (above), and removes staging no mark names. 0, or CE_IO with d
 * set when a marked run's fate cannot be learnt (its database cannot be
 * reached) or its files cannot be switched: then nothing new is
 * published either.
 */
int publish_recover(const struct job_plan *plan, struct diag *d);

#endif
