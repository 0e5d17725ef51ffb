/*
 * lock.h - one run at a time per output directory. cron can start a night's
 * run while yesterday's is still going; the second one must stop at once
 * with exit 4 rather than race the first to publish.
 *
 * The lock is flock(2) on OUTPUT_DIR/.cohort.lock, so it dies with its
 * process: a crashed run never leaves a stale lock behind.
 *
 *     struct job_lock l;
 *     if (job_lock_take(&l, plan->output_dir, &d) < 0) -> CE_LOCKED / CE_IO
 *     ...
 *     job_lock_release(&l);
 */
#ifndef COHORT_LOCK_H
#define COHORT_LOCK_H

#include "../core/error.h"

struct job_lock {
    int fd;
};

/* Creates output_dir (0750) when missing, then takes the lock without
 * waiting. CE_LOCKED when another run holds it. */
int job_lock_take(struct job_lock *l, const char *output_dir, struct diag *d);

void job_lock_release(struct job_lock *l);

#endif
