/*
 * run_dir.h - a csv output's directory: the runs in it, the one being
 * staged, the `latest` link, the mark of a publication that is committed
 * elsewhere but not yet switched here, and retention.
 *
 *     DIR/runs/RUN_ID/        a published run (export/files.h lists its files)
 *     DIR/runs/.tmp-RUN_ID/   a run being staged: every file written and
 *                             fsync'd before anything else happens
 *     DIR/latest -> runs/RUN_ID
 *     DIR/.pending-run        "RUN_ID\n": the run staged here belongs to a
 *                             publication with more than one output; it is
 *                             switched in once the publication commits
 *                             (export/publish.h decides), and the next run
 *                             finishes or reverses it after a crash
 *
 * Switching is two renames: the staging directory to runs/RUN_ID, then a
 * fresh symlink over `latest` (one rename(2)), so a reader sees the old
 * run or the new one, never a mix. The caller holds the job lock: nobody
 * else writes DIR.
 */
#ifndef COHORT_RUN_DIR_H
#define COHORT_RUN_DIR_H

#include "../core/error.h"

/* Longest directory a csv output may name (runs/.tmp-RUN_ID/FILE must
 * fit in a path). */
#define RUN_DIR_MAX 3000

/*
 * Creates dir and dir/runs when missing and a fresh, empty staging
 * directory for run_id, whose path goes to staging (4096 bytes). 0,
 * CE_CONFIG when dir is longer than RUN_DIR_MAX, or CE_IO with d naming
 * the directory.
 */
int run_dir_prepare(const char *dir, const char *run_id, char *staging,
                    struct diag *d);

/* Removes path and the files in it (a staging or run directory). */
void run_dir_remove(const char *path);

/* Writes dir/.pending-run naming run_id, atomically and synced. 0 or
 * CE_IO. */
int run_dir_mark(const char *dir, const char *run_id, struct diag *d);

/*
 * Publishes the staged run_id: renames the staging directory into runs/,
 * points `latest` at it, syncs, removes the mark and keeps the newest
 * `retain` runs (0: all). 0, or CE_IO with d naming what failed. With
 * undo set (a publication of this output alone), a failure leaves dir as
 * it was before the run: the staging or the renamed run is removed. Without
 * it (the publication committed elsewhere) what is done stays done, and
 * the mark stays for run_dir_finish() to complete.
 */
int run_dir_switch(const char *dir, const char *run_id, int retain, int undo,
                   struct diag *d);

/* 1 with the run id in run_id (32 bytes) when dir has a mark, 0 when it
 * has none, CE_IO when it cannot be read. */
int run_dir_pending(const char *dir, char *run_id, struct diag *d);

/* The run `latest` points at into run_id (32 bytes), "" when none. */
void run_dir_latest(const char *dir, char *run_id);

/*
 * Completes a marked run that committed: its staging renamed into runs/
 * (if it still is staged), `latest` pointed at it unless it already points
 * at a newer run, the mark removed. 0 or CE_IO.
 */
int run_dir_finish(const char *dir, const char *run_id, int retain,
                   struct diag *d);

/* Reverses a marked run that never committed: its staging and the mark
 * removed. */
void run_dir_reverse(const char *dir, const char *run_id);

/* Removes every staging directory no mark names: what a run killed
 * before its publication committed left. */
void run_dir_remove_stale(const char *dir);

#endif
