/*
 * error.h - the project's one error type and the diagnostic that goes with it.
 *
 * Below core/cmd_*.c every fallible function returns 0 on success or a
 * negative enum cohort_err, and fills a caller-supplied struct diag that says
 * where and which rule failed (source, line, column, rule) -- never the value
 * that failed it. Only cmd_*.c turns an error into an exit code, through
 * cohort_exit_code().
 *
 * Calling sequence:
 *     struct diag d;
 *     diag_clear(&d);
 *     if ((err = something(..., &d)) < 0) { diag_print(&d); return err; }
 */
#ifndef COHORT_ERROR_H
#define COHORT_ERROR_H

#include <stddef.h>

enum cohort_err {
    CE_OK = 0,
    CE_CONFIG = -1,      /* usage or configuration error: exit 2 */
    CE_DATA = -2,        /* a source broke its reject/drift limit: exit 1 */
    CE_IO = -3,          /* file, network or database failure: exit 3 */
    CE_LOCKED = -4,      /* another run holds the lock: exit 4 */
    CE_NOMEM = -5,       /* out of memory: exit 70 */
    CE_INTERNAL = -6,    /* a bug: exit 70 */
    CE_INTERRUPTED = -7, /* SIGINT/SIGTERM: exit 3 */
};

/* Exit codes documented in the README. */
enum cohort_exit {
    EXIT_PUBLISHED = 0,
    EXIT_DATA = 1,
    EXIT_USAGE = 2,
    EXIT_IO = 3,
    EXIT_LOCKED = 4,
    EXIT_INTERNAL = 70,
};

/*
 * Where an error happened. Every field is optional: an empty source, a line
 * or column of 0 and an empty rule are left out when printed. msg says what
 * went wrong in words that never quote input data.
 */
struct diag {
    char source[256];
    long line;
    long column;
    char rule[64];
    char msg[512];
};

/* Resets d to "no error". */
void diag_clear(struct diag *d);

/*
 * Fills d. source may be NULL; line/column 0 mean unknown; rule may be NULL.
 * The message is formatted with vsnprintf and silently truncated.
 */
void diag_set(struct diag *d, const char *source, long line, long column,
              const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/*
 * Writes "source:line:column: msg" (parts that are unknown left out, the
 * rule in brackets at the end when set) into buf of size n.
 */
void diag_format(const struct diag *d, char *buf, size_t n);

/* Maps an enum cohort_err (0 or negative) to the exit code. */
int cohort_exit_code(int err);

#endif
