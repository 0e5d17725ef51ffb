/*
 * log.h - one line per event on stderr. Messages never contain input
 * values: callers pass rule names and positions only.
 *
 *     log_setup(LOG_INFO, 0, run_id);
 *     log_msg(LOG_ERROR, "cannot open '%s': %s", path, strerror(e));
 *
 * Text lines look like git's: "cohort: error: cannot open 'x': No such file".
 * With json set each line is {"ts":..,"run":..,"level":..,"msg":..}.
 */
#ifndef COHORT_LOG_H
#define COHORT_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* min: the least severe level printed; run_id may be NULL (copied). */
void log_setup(enum log_level min, int json, const char *run_id);

/* Sets only the run id (copied; NULL clears). */
void log_set_run_id(const char *run_id);

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

#endif
