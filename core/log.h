/*
 * log.h - one line per event on stderr. Messages never contain input
 * values: callers pass rule names and positions only.
 *
 *     log_setup(LOG_INFO, 0, run_id);
 *     log_msg(LOG_ERROR, "cannot open '%s': %s", path, strerror(e));
 *
 * Text lines look like git's: "cohort: error: cannot open 'x': No such file".
 * With json set each line is one JSON object:
 *     {"ts":..,"run":..,"job":..,"level":..,"source":..,"file":N,
 *      "line":N,"column":N,"rule":..,"where":..,"msg":..}
 * "job" once log_set_job() named it; the place of a diagnostic
 * (log_diag()) split into "source" (a source of the job), "file" (the
 * file's 1-based position in the source's glob: "source 'NAME' file N"),
 * "line", "column", "rule", and "where" for any other place (the job
 * file, a lookup, an output) -- each only when it applies. The last line
 * of a run is its summary (log_summary()), level "summary", with "exit".
 */
#ifndef COHORT_LOG_H
#define COHORT_LOG_H

#include <stddef.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* min: the least severe level printed; run_id may be NULL (copied). */
void log_setup(enum log_level min, int json, const char *run_id);

/* Sets only the run id (copied; NULL clears). */
void log_set_run_id(const char *run_id);

/*
 * Names the job every line carries (copied; NULL clears), and its
 * sources (borrowed until the next call: a diagnostic whose place is one
 * of them is logged with "source"). n may be 0.
 */
void log_set_job(const char *job, const char *const *sources, size_t n);

void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * From now on this thread's lines are appended to sb instead (NULL: to
 * stderr again), formatted as they would have been written; a line sb
 * has no room for goes to stderr at once. The job reads sources on
 * threads and writes each source's lines with log_write() afterwards, in
 * the order one reader would have logged them. sb stays the caller's.
 */
struct strbuf;
void log_capture(struct strbuf *sb);

/* Writes lines kept by log_capture() to stderr as they are. */
void log_write(const char *text);

struct diag;
/* Logs d at LOG_ERROR as "cohort: error: <diag_format>". */
void log_diag(const struct diag *d);

/* Logs d at level (JSON: its place split into fields, above). */
void log_diag_level(enum log_level level, const struct diag *d);

/*
 * The run's last line, written whatever the level (a --quiet run that
 * succeeds still leaves one line): "cohort: summary: exit N: <msg>", or
 * the JSON object with level "summary" and "exit". Counts and names only.
 */
void log_summary(int exit_code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
