/*
 * drift.h - the drift guard: an extract that arrives half-written, or from
 * the wrong system, must not become tonight's tables. After a successful
 * publication the job records each source's rows in and rows quarantined
 * in OUTPUT_DIR/.cohort-state; the next run compares with it before
 * publishing. A source whose row count moved by more than its
 * max_row_change (default 20 %), or whose reject rate more than doubled
 * (and rose by at least one percentage point), fails the run (exit 1)
 * unless `--accept-drift` is given. The state holds counts only.
 */
#ifndef COHORT_DRIFT_H
#define COHORT_DRIFT_H

#include "../core/plan.h"
#include "../core/error.h"
#include "../core/run.h"

/* 0, or CE_DATA with d naming the first source that moved and by how
 * much. No state file (a first run) passes. */
int drift_check(const struct job_plan *plan, const struct run_summary *s,
                struct diag *d);

/* Records this run's counts (core/atomic.h: temp file + rename). 0,
 * CE_IO or CE_NOMEM. */
int drift_record(const struct job_plan *plan, const struct run_summary *s,
                 struct diag *d);

#endif
