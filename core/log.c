#include "log.h"
#include "error.h"
#include "strbuf.h"

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

/* A line being formatted: a fixed buffer, so that "out of memory" can
 * still be logged when nothing can be allocated. */
struct line {
    char buf[8192];
    size_t len;
};

static void
line_add(struct line *l, const char *s)
{
    size_t n = strlen(s);

    if (n > sizeof(l->buf) - 1 - l->len)
        n = sizeof(l->buf) - 1 - l->len;
    memcpy(l->buf + l->len, s, n);
    l->len += n;
    l->buf[l->len] = '\0';
}

static void
line_add_json(struct line *l, const char *s)
{
    char esc[8];

    line_add(l, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            snprintf(esc, sizeof(esc), "\\%c", c);
        else if (c < 0x20)
            snprintf(esc, sizeof(esc), "\\u%04x", c);
        else
            snprintf(esc, sizeof(esc), "%c", c);
        line_add(l, esc);
    }
    line_add(l, "\"");
}

/* This thread's lines go here instead of stderr (log_capture()). */
static _Thread_local struct strbuf *log_captured;

void
log_capture(struct strbuf *sb)
{
    log_captured = sb;
}

void
log_write(const char *text)
{
    fputs(text, stderr);
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
    char msg[1024];
    struct line l;
    va_list ap;

    if (level > log_min)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    l.len = 0;
    l.buf[0] = '\0';
    if (log_json) {
        char ts[32];
        time_t now = time(NULL);
        struct tm tm;

        gmtime_r(&now, &tm);
        strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
        line_add(&l, "{\"ts\":\"");
        line_add(&l, ts);
        line_add(&l, "\",\"run\":");
        line_add_json(&l, log_run_id);
        line_add(&l, ",\"level\":\"");
        line_add(&l, level_names[level]);
        line_add(&l, "\",\"msg\":");
        line_add_json(&l, msg);
        line_add(&l, "}");
    } else {
        line_add(&l, "cohort: ");
        line_add(&l, level_names[level]);
        line_add(&l, ": ");
        line_add(&l, msg);
        if (log_run_id[0]) {
            line_add(&l, " (run ");
            line_add(&l, log_run_id);
            line_add(&l, ")");
        }
    }
    if (log_captured && !strbuf_failed(log_captured)) {
        strbuf_add(log_captured, l.buf, l.len);
        strbuf_add(log_captured, "\n", 1);
        if (!strbuf_failed(log_captured))
            return;
        /* no memory to keep it for later: better now than never */
    }
    /* one write per line: lines of threads never mix */
    l.buf[l.len++] = '\n';   /* line_add() leaves room for it */
    fwrite(l.buf, 1, l.len, stderr);
}

void
log_diag(const struct diag *d)
{
    char buf[1024];

    diag_format(d, buf, sizeof(buf));
    log_msg(LOG_ERROR, "%s", buf);
}
