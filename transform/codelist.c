/*
 * codelist.c - reading a code list, from a file or from the lists shipped
 * in the binary, through one line parser: a shipped list is read exactly
 * as the same CSV file would be.
 */
#include "codelist.h"

#include "../core/label.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static int
fail(struct codelist_error *e, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct codelist_error *e, long line, const char *fmt, ...)
{
    va_list ap;

    e->line = line;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    return CE_CONFIG;
}

const struct codelist_builtin *
codelist_find(const char *name)
{
    const struct codelist_builtin *b;

    for (b = codelist_builtins; name && b->name; b++)
        if (!strcmp(b->name, name))
            return b;
    return NULL;
}

const char *
codelist_names(void)
{
    static char names[512];
    const struct codelist_builtin *b;
    size_t o = 0;

    if (names[0])
        return names;
    for (b = codelist_builtins; b->name; b++) {
        int n = snprintf(names + o, sizeof(names) - o, "%s%s",
                         b == codelist_builtins ? "" : ", ", b->name);

        if (n < 0 || (size_t)n >= sizeof(names) - o)
            break;
        o += (size_t)n;
    }
    return names;
}

/* Trims spaces and tabs off s in place; returns s. */
static char *
trim(char *s)
{
    size_t n = strlen(s);

    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/*
 * One CSV line (no line break) into its fields, unquoted ("" is one
 * quote), NUL-terminated in buf (at least n + 1 bytes): up to 2 fields
 * into f. Returns the number of fields (more than 2 counts on), or -1
 * for a quote that does not close.
 */
static int
split_line(const char *p, size_t n, char *buf, char *f[2])
{
    size_t i = 0, o = 0;
    int nf = 0;

    for (;;) {
        char *start = buf + o;

        while (i < n && (p[i] == ' ' || p[i] == '\t'))
            i++;
        if (i < n && p[i] == '"') {
            for (i++;; i++) {
                if (i == n)
                    return -1;
                if (p[i] == '"' && i + 1 < n && p[i + 1] == '"')
                    buf[o++] = p[i++];
                else if (p[i] == '"')
                    break;
                else
                    buf[o++] = p[i];
            }
            i++;
            while (i < n && p[i] != ',')
                buf[o++] = p[i++];
        } else {
            while (i < n && p[i] != ',')
                buf[o++] = p[i++];
        }
        buf[o++] = '\0';
        if (nf < 2)
            f[nf] = start;
        nf++;
        if (i == n)
            return nf;
        i++; /* the comma */
    }
}

/* What reading one list carries from line to line. */
struct reading {
    codelist_fn fn;
    void *ctx;
    struct codelist_error *e;
    char *buf;
    size_t cap;
    long entries;
};

/* One line of a list (the header when line is 1). 0, or an error. */
static int
read_line(struct reading *r, const char *p, size_t n, long line)
{
    char *f[2], *code, *value;
    int nf;

    if (n && p[n - 1] == '\r')
        n--;
    if (line == 1 && n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) {
        p += 3;
        n -= 3;
    }
    if (n + 1 > r->cap) {
        char *b = realloc(r->buf, n + 1);

        if (!b)
            return CE_NOMEM;
        r->buf = b;
        r->cap = n + 1;
    }
    for (nf = 0; (size_t)nf < n && (p[nf] == ' ' || p[nf] == '\t'); nf++)
        ;
    if (line > 1 && (size_t)nf == n)
        return 0; /* a blank line */
    nf = split_line(p, n, r->buf, f);
    if (nf < 0)
        return fail(r->e, line, "a quote does not close on its line");
    if (nf != 2)
        return fail(r->e, line, "expected two columns, code and value");
    code = trim(f[0]);
    value = trim(f[1]);
    if (line == 1) {
        if (strcasecmp(code, "code") || strcasecmp(value, "value"))
            return fail(r->e, 1, "the header must be code,value");
        return 0;
    }
    if (!*code)
        return fail(r->e, line, "empty code");
    if (strlen(code) > CODELIST_MAX_CODE)
        return fail(r->e, line, "code longer than %d bytes",
                    CODELIST_MAX_CODE);
    if (++r->entries > CODELIST_MAX_ENTRIES)
        return fail(r->e, line, "more than %d codes", CODELIST_MAX_ENTRIES);
    return r->fn(r->ctx, code, value, line);
}

/* The whole text of a file, read through its lines. */
static int
read_text(struct reading *r, const char *text, size_t len)
{
    size_t at = 0;
    long line = 0;
    int rc;

    if (utf8_valid_prefix((const unsigned char *)text, len) != len)
        return fail(r->e, 0, "not valid UTF-8 (save the list as UTF-8)");
    if (memchr(text, '\0', len))
        return fail(r->e, 0, "a NUL byte: not a text file");
    while (at < len) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t n = nl ? (size_t)(nl - (text + at)) : len - at;

        if ((rc = read_line(r, text + at, n, ++line)) < 0)
            return rc;
        at += n + 1;
    }
    return line ? 0 : fail(r->e, 0, "empty file: no header");
}

/* A file's bytes (a regular file only, CODELIST_MAX_BYTES at most) into
 * *out, which the caller frees. */
static int
slurp(const char *path, char **out, size_t *len, struct codelist_error *e)
{
    struct stat sb;
    size_t got = 0;
    char *buf;
    int fd;

    /* O_NONBLOCK: a FIFO named by mistake must not hang the job here */
    fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return fail(e, 0, "cannot open: %s", strerror(errno));
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return fail(e, 0, "not a regular file");
    }
    if ((uint64_t)sb.st_size > CODELIST_MAX_BYTES) {
        close(fd);
        return fail(e, 0, "larger than %u bytes", CODELIST_MAX_BYTES);
    }
    if (!(buf = malloc((size_t)sb.st_size + 1))) {
        close(fd);
        return CE_NOMEM;
    }
    while (got < (size_t)sb.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)sb.st_size - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int err = n < 0 ? errno : 0;

            free(buf);
            close(fd);
            return fail(e, 0, "cannot read: %s",
                        err ? strerror(err) : "the file shrank");
        }
        got += (size_t)n;
    }
    close(fd);
    *out = buf;
    *len = got;
    return 0;
}

int
codelist_read(const char *name_or_path, codelist_fn fn, void *ctx,
              struct codelist_error *e)
{
    struct reading r = {fn, ctx, e, NULL, 0, 0};
    size_t n = strlen(name_or_path), len = 0;
    char *text = NULL;
    int rc;

    e->line = 0;
    e->msg[0] = '\0';
    if (n > 4 && !strcasecmp(name_or_path + n - 4, ".csv")) {
        if ((rc = slurp(name_or_path, &text, &len, e)) == 0)
            rc = read_text(&r, text, len);
        free(text);
    } else {
        const struct codelist_builtin *b = codelist_find(name_or_path);
        long line;

        if (!b)
            return fail(e, 0, "neither a .csv file nor a shipped code list "
                              "(%s)", codelist_names());
        for (rc = 0, line = 0; rc == 0 && b->lines[line]; line++)
            rc = read_line(&r, b->lines[line], strlen(b->lines[line]),
                           line + 1);
    }
    free(r.buf);
    return rc;
}
