#include "strbuf.h"
#include "label.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
strbuf_grow(struct strbuf *sb, size_t extra)
{
    size_t want, n;
    char *p;

    if (sb->failed)
        return -1;
    if (extra > STRBUF_MAX - sb->len - 1) {
        sb->failed = 1;
        return -1;
    }
    want = sb->len + extra + 1;
    if (want <= sb->alloc)
        return 0;
    n = sb->alloc ? sb->alloc : 256;
    while (n < want)
        n *= 2;
    p = realloc(sb->buf, n);
    if (!p) {
        sb->failed = 1;
        return -1;
    }
    sb->buf = p;
    sb->alloc = n;
    return 0;
}

void
strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
    if (strbuf_grow(sb, len))
        return;
    memcpy(sb->buf + sb->len, data, len);
    sb->len += len;
    sb->buf[sb->len] = '\0';
}

void
strbuf_adds(struct strbuf *sb, const char *s)
{
    strbuf_add(sb, s, strlen(s));
}

void
strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || strbuf_grow(sb, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

void
strbuf_add_html(struct strbuf *sb, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': strbuf_adds(sb, "&amp;"); break;
        case '<': strbuf_adds(sb, "&lt;"); break;
        case '>': strbuf_adds(sb, "&gt;"); break;
        case '"': strbuf_adds(sb, "&quot;"); break;
        case '\'': strbuf_adds(sb, "&#39;"); break;
        default: strbuf_add(sb, s, 1);
        }
    }
}

/*
 * The one writer of a CSV cell: every published CSV (cohort tables,
 * `cohort protect`'s output, quality, quarantine, linkage) goes through
 * here, so the formula guard cannot be forgotten by one of them. A cell a
 * spreadsheet would read as a formula gets a leading ' (OWASP's rule for
 * CSV injection); the ' goes inside the quotes, where a spreadsheet still
 * takes it as "this is text".
 */
static void
add_csv_cell(struct strbuf *sb, const char *s, int always_quote)
{
    int quote = always_quote || s[strcspn(s, ",\"\r\n")];

    if (quote)
        strbuf_add(sb, "\"", 1);
    if (label_starts_formula(s))
        strbuf_add(sb, "'", 1);
    if (!quote) {
        strbuf_adds(sb, s);
        return;
    }
    for (; *s; s++) {
        if (*s == '"')
            strbuf_add(sb, "\"", 1);
        strbuf_add(sb, s, 1);
    }
    strbuf_add(sb, "\"", 1);
}

void
strbuf_add_csv(struct strbuf *sb, const char *s)
{
    add_csv_cell(sb, s, 0);
}

void
strbuf_add_csv_quoted(struct strbuf *sb, const char *s)
{
    add_csv_cell(sb, s, 1);
}

void
strbuf_add_json(struct strbuf *sb, const char *s)
{
    strbuf_add(sb, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            strbuf_add(sb, e, 2);
        } else if (c == '\n') {
            strbuf_adds(sb, "\\n");
        } else if (c == '\t') {
            strbuf_adds(sb, "\\t");
        } else if (c < 0x20) {
            strbuf_addf(sb, "\\u%04x", c);
        } else {
            strbuf_add(sb, s, 1);
        }
    }
    strbuf_add(sb, "\"", 1);
}

const char *
strbuf_str(const struct strbuf *sb)
{
    return sb->buf ? sb->buf : "";
}

int
strbuf_failed(const struct strbuf *sb)
{
    return sb->failed;
}

char *
strbuf_detach(struct strbuf *sb)
{
    char *p = sb->buf;

    if (!p)
        p = calloc(1, 1);
    sb->buf = NULL;
    sb->len = sb->alloc = 0;
    sb->failed = 0;
    return p;
}

void
strbuf_reset(struct strbuf *sb)
{
    sb->len = 0;
    sb->failed = 0;
    if (sb->buf)
        sb->buf[0] = '\0';
}

void
strbuf_release(struct strbuf *sb)
{
    free(sb->buf);
    sb->buf = NULL;
    sb->len = sb->alloc = 0;
    sb->failed = 0;
}
