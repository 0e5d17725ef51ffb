#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
diag_clear(struct diag *d)
{
    memset(d, 0, sizeof(*d));
}

void
diag_set(struct diag *d, const char *source, long line, long column,
         const char *rule, const char *fmt, ...)
{
    va_list ap;

    if (!d)
        return;
    diag_clear(d);
    if (source)
        snprintf(d->source, sizeof(d->source), "%s", source);
    if (rule)
        snprintf(d->rule, sizeof(d->rule), "%s", rule);
    d->line = line;
    d->column = column;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
    va_end(ap);
}

void
diag_format(const struct diag *d, char *buf, size_t n)
{
    size_t used = 0;
    int w;

    if (n == 0)
        return;
    buf[0] = '\0';
#define APPEND(...)                                                      \
    do {                                                                 \
        if (used < n) {                                                  \
            w = snprintf(buf + used, n - used, __VA_ARGS__);             \
            if (w > 0)                                                   \
                used += (size_t)w;                                       \
        }                                                                \
    } while (0)
    if (d->source[0]) {
        APPEND("%s:", d->source);
        if (d->line > 0)
            APPEND("%ld:", d->line);
        if (d->line > 0 && d->column > 0)
            APPEND("%ld:", d->column);
        APPEND(" ");
    }
    APPEND("%s", d->msg[0] ? d->msg : "unknown error");
    if (d->rule[0])
        APPEND(" [%s]", d->rule);
#undef APPEND
}

int
cohort_exit_code(int err)
{
    switch (err) {
    case CE_OK:
        return EXIT_PUBLISHED;
    case CE_CONFIG:
        return EXIT_USAGE;
    case CE_DATA:
        return EXIT_DATA;
    case CE_IO:
    case CE_INTERRUPTED:
        return EXIT_IO;
    case CE_LOCKED:
        return EXIT_LOCKED;
    default:
        return EXIT_INTERNAL;
    }
}
