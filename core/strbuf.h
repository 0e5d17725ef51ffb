/*
 * strbuf.h - a growable, always NUL-terminated byte string (git's strbuf,
 * curl's dynbuf): for reports and rendered text, never for row data.
 *
 *     struct strbuf sb = STRBUF_INIT;
 *     strbuf_addf(&sb, "%d cells", n);
 *     ... sb.buf, sb.len ...
 *     strbuf_release(&sb);
 *
 * Growth is capped at STRBUF_MAX bytes; past it (or on allocation failure)
 * the buffer is marked failed, further additions are ignored and
 * strbuf_failed() says so.
 */
#ifndef COHORT_STRBUF_H
#define COHORT_STRBUF_H

#include <stddef.h>

#define STRBUF_MAX ((size_t)256 << 20)

struct strbuf {
    char *buf;
    size_t len;
    size_t alloc;
    int failed;
};

#define STRBUF_INIT {NULL, 0, 0, 0}

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends s with &, <, >, " and ' escaped for HTML. */
void strbuf_add_html(struct strbuf *sb, const char *s);
/*
 * Appends s as one CSV field: quoted (quotes doubled) when it holds a
 * comma, a quote or a line break, as is otherwise; and with a ' in front
 * when it starts with =, +, -, @, a tab or a carriage return, so that a
 * spreadsheet shows it as text instead of running it as a formula
 * (label_starts_formula() in label.h; OWASP's rule for CSV injection).
 * Every CSV cell that is published is written by this or the next.
 */
void strbuf_add_csv(struct strbuf *sb, const char *s);
/* The same, always quoted (the labels of the cohort tables). */
void strbuf_add_csv_quoted(struct strbuf *sb, const char *s);
/* Appends s as a JSON string literal, quotes included. */
void strbuf_add_json(struct strbuf *sb, const char *s);
/* The contents ("" when empty); never NULL. */
const char *strbuf_str(const struct strbuf *sb);
int strbuf_failed(const struct strbuf *sb);
/* Hands the string to the caller (who frees it) and resets sb. */
char *strbuf_detach(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);

#endif
