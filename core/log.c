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
static char log_job[64];
static const char *const *log_sources;
static size_t log_nsources;

static const char *const level_names[] = {"error", "warning", "info", "debug"};

/* Where a line is about (JSON fields; each left out when empty or 0). */
struct log_fields {
    const char *source;
    long file;
    long line;
    long column;
    const char *rule;
    const char *where;
    const char *level;  /* overrides the level's name ("summary") */
    int has_exit;
    int exit_code;
};

void
log_set_job(const char *job, const char *const *sources, size_t n)
{
    snprintf(log_job, sizeof(log_job), "%s", job ? job : "");
    log_sources = sources;
    log_nsources = sources ? n : 0;
}

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

static void
add_field_str(struct line *l, const char *key, const char *value)
{
    if (!value || !*value)
        return;
    line_add(l, ",\"");
    line_add(l, key);
    line_add(l, "\":");
    line_add_json(l, value);
}

static void
add_field_num(struct line *l, const char *key, long value, int always)
{
    char num[32];

    if (!value && !always)
        return;
    snprintf(num, sizeof(num), ",\"%s\":%ld", key, value);
    line_add(l, num);
}

/* Formats one line of level (its fields f, or none) and writes it. */
static void
emit(enum log_level level, const struct log_fields *f, const char *msg)
{
    const char *name = f && f->level ? f->level : level_names[level];
    struct line l;

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
        add_field_str(&l, "job", log_job);
        line_add(&l, ",\"level\":\"");
        line_add(&l, name);
        line_add(&l, "\"");
        if (f) {
            add_field_str(&l, "source", f->source);
            add_field_num(&l, "file", f->file, 0);
            add_field_num(&l, "line", f->line, 0);
            add_field_num(&l, "column", f->column, 0);
            add_field_str(&l, "rule", f->rule);
            add_field_str(&l, "where", f->where);
            if (f->has_exit)
                add_field_num(&l, "exit", f->exit_code, 1);
        }
        line_add(&l, ",\"msg\":");
        line_add_json(&l, msg);
        line_add(&l, "}");
    } else {
        line_add(&l, "cohort: ");
        line_add(&l, name);
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
log_msg(enum log_level level, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    if (level > log_min)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    emit(level, NULL, msg);
}

void
log_summary(int exit_code, const char *fmt, ...)
{
    struct log_fields f;
    char msg[1024], text[1100];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    memset(&f, 0, sizeof(f));
    f.level = "summary";
    f.has_exit = 1;
    f.exit_code = exit_code;
    if (log_json) {
        emit(LOG_INFO, &f, msg);
        return;
    }
    snprintf(text, sizeof(text), "exit %d: %s", exit_code, msg);
    emit(LOG_INFO, &f, text);
}

/*
 * The place of d as fields: "source 'NAME' file N" (connectors/source.h,
 * source_file_label()) is a source and a file position; a source's name
 * is a source; anything else is a place of its own ("where").
 */
static void
diag_fields(const struct diag *d, struct log_fields *f, char name[128])
{
    size_t i;

    memset(f, 0, sizeof(f[0]));
    f->line = d->line;
    f->column = d->column;
    f->rule = d->rule;
    if (sscanf(d->source, "source '%127[^']' file %ld", name, &f->file) ==
        2) {
        f->source = name;
        return;
    }
    f->file = 0;
    for (i = 0; i < log_nsources; i++)
        if (log_sources[i] && !strcmp(log_sources[i], d->source)) {
            f->source = d->source;
            return;
        }
    f->where = d->source;
}

void
log_diag_level(enum log_level level, const struct diag *d)
{
    struct log_fields f;
    char buf[1024], name[128];

    if (level > log_min)
        return;
    diag_format(d, buf, sizeof(buf));
    diag_fields(d, &f, name);
    emit(level, &f, buf);
}

void
log_diag(const struct diag *d)
{
    log_diag_level(LOG_ERROR, d);
}
