/*
 * atomic.h - files that a reader sees whole or not at all. A crash, a full
 * disk or a kill must never leave half a table, a half-written state file
 * or a temp file that looks like one of ours.
 *
 * Two ways to write, one code path under them:
 *   atomic_write_file   a single file: the bytes go to a new temp file
 *                       beside it (PATH.<pid>-<n>.tmp, created O_EXCL),
 *                       which is written whole, fsync'd, closed, then
 *                       rename(2)d over PATH; on any failure the temp is
 *                       removed and PATH is what it was (redis rdbSave).
 *   atomic_stage_file   a file inside a staging directory that is itself
 *                       renamed into place when all its files are written
 *                       (export/files.c): written whole, fsync'd, closed;
 *                       the rename is the directory's.
 *   atomic_sync_dir     fsync of a directory, so a rename in it survives a
 *                       power cut.
 *
 * Signals: while atomic_write_file runs, its temp file is registered;
 * atomic_remove_temps() removes every registered one and is
 * async-signal-safe, for a command's SIGINT/SIGTERM handler (zstd's
 * fileio.c does the same for the file it is writing).
 *
 * Errors are CE_IO (d names PATH and the system's reason, never the
 * bytes) or CE_NOMEM.
 */
#ifndef COHORT_ATOMIC_H
#define COHORT_ATOMIC_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/*
 * Replaces path with len bytes of data, atomically (above). mode is the
 * new file's permission before the umask (0666: as fopen makes files).
 * 0; CE_IO with d naming path ("cannot create a file next to it: REASON"
 * when the temp cannot be made, else "cannot write: REASON"); CE_NOMEM.
 */
int atomic_write_file(const char *path, const void *data, size_t len,
                      mode_t mode, struct diag *d);

/*
 * Creates (or truncates) path in a staging directory and writes len bytes
 * of data to it, fsync'd and closed; no temp, no rename. mode as above. 0
 * or CE_IO with d naming path ("cannot create: REASON", "cannot write:
 * REASON"). The caller removes the staging directory on failure.
 */
int atomic_stage_file(const char *path, const void *data, size_t len,
                      mode_t mode, struct diag *d);

/* fsync(2) of the directory dir: 0, or -1 with errno set. */
int atomic_sync_dir(const char *dir);

/*
 * Removes the temp file of every atomic_write_file() in progress. Only
 * calls unlink(2): safe in a signal handler. The interrupted write then
 * fails, which is what the handler's caller wants.
 */
void atomic_remove_temps(void);

#endif
