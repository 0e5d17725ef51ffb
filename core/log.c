#include "log.h"
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum log_level log_min = LOG_INFO;
static int log_json;
static char log_run_id[64];

static const char *const level_names[] = {"error", "warning", "info", "debug"};

void
log_setup(enum log_level min, int json, const char *run_id)
{
    log_min = min;
    log_json = json;
    log_set_run_id(run_id);
}

void
log_set_run_id(const char *run_id)
{
    snprintf(log_run_id, sizeof(log_run_id), "%s", run_id ? run_id : "");
}

static void
json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    if (level > log_min)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (log_json) {
        char ts[32];
        time_t now = time(NULL);
        struct tm tm;

        gmtime_r(&now, &tm);
        strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
        fprintf(stderr, "{\"ts\":\"%s\",\"run\":", ts);
        json_string(stderr, log_run_id);
        fprintf(stderr, ",\"level\":\"%s\",\"msg\":", level_names[level]);
        json_string(stderr, msg);
        fputs("}\n", stderr);
    } else if (log_run_id[0]) {
        fprintf(stderr, "cohort: %s: %s (run %s)\n", level_names[level], msg,
                log_run_id);
    } else {
        fprintf(stderr, "cohort: %s: %s\n", level_names[level], msg);
    }
}

void
log_diag(const struct diag *d)
{
    char buf[1024];

    diag_format(d, buf, sizeof(buf));
    log_msg(LOG_ERROR, "%s", buf);
}
