/*
 * drift.h - the drift guard: an extract that arrives half-written, or from
 * the wrong system, must not become tonight's tables. After a successful
 * publication the job records each source's rows in and rows quarantined
 * in OUTPUT_DIR/.cohort-state; the next run compares with it before
 * publishing. A source whose row count moved by more than its
 * max_row_change (default 20 %), or whose reject rate more than doubled
 * (and rose by at least one percentage point), fails the run (exit 1)
 * unless `--accept-drift` is given. A source that had no rows last time
 * and has some now moved beyond any limit: it is checked too. The state
 * holds counts only, and is written 0640 like the runs beside it.
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

/*
 * The same check for one source read in full elsewhere (`cohort check`,
 * when the source fits its first rows): 0, CE_DATA naming the change, or
 * CE_IO / CE_NOMEM when the state cannot be read. A source the state
 * does not list passes.
 */
int drift_check_source(const struct job_plan *plan,
                       const struct source_plan *sp, uint64_t rows_in,
                       uint64_t rows_quarantined, struct diag *d);

/* Records this run's counts (core/atomic.h: temp file + rename). 0,
 * CE_IO or CE_NOMEM. */
int drift_record(const struct job_plan *plan, const struct run_summary *s,
                 struct diag *d);

#endif
