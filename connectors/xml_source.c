/*
 * xml_source.c - the XML connector (xml_source.h): expat pushes elements
 * and text into a small state machine that tracks the current element
 * path, collects the layout's columns and, at the end of each record,
 * suspends the parser so that next_row() hands out exactly one row;
 * resuming continues in the same buffer. Nothing but the current record
 * and the ancestor columns it needs is kept.
 */
#include "xml_source.h"

#include <errno.h>
#include <expat.h>
#include <fcntl.h>
#include <glob.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define XML_CHUNK 65536
#define WHERE_LEN 128

/* One path a column may be read from, made absolute. */
struct xml_alt {
    char *path;
    size_t len;
};

struct xml_col {
    struct xml_alt *alts;
    size_t nalts;
    int in_record;       /* 1: under the record; 0: in an ancestor */
    size_t anchor_len;   /* ancestor: the length of the record path's
                          * prefix naming it (0: the document) */
    char *buf;
    size_t len, cap;
    int alt;             /* the alternative held, -1: none yet */
    int repeated, too_long;
    uint64_t anchor_records; /* records read when its ancestor began */
};

enum xml_phase { XP_FEED, XP_SUSPENDED };

struct xml_state {
    glob_t g;
    int have_glob;
    XML_Parser parser;
    size_t file;             /* the open file, or the next to open */
    int fd;                  /* -1: no file open */
    crypto_generichash_state hash;
    enum xml_phase phase;
    int last_chunk;          /* the buffer being parsed is the file's last */
    int utf16;               /* no NUL check: UTF-16 has them */
    long nl_lines;           /* newlines before the current chunk */
    long nl_col;             /* bytes since the last newline, at its start */
    uint64_t fed;            /* bytes of the file given to expat */

    char path[XML_MAX_PATH + 2];
    size_t path_len;
    size_t parent_len[XML_MAX_DEPTH + 1];
    int depth;

    char *record;            /* absolute record path */
    size_t record_len;
    int in_record;
    long rec_line;
    uint64_t records;        /* rows made, all files */
    int row_ready;

    struct xml_col *cols;
    size_t ncols;
    int cap_col, cap_depth;  /* the column whose text is being read */
    size_t max_field;

    struct cell *hdr, *cells;

    /* a handler's own error: the rule and message, where */
    const char *err_rule, *err_msg;
    long err_line, err_col;
};

/* 1 when a glob pattern has an unescaped wildcard. */
static int
xml_glob_has_wildcard(const char *p)
{
    for (; *p; p++) {
        if (*p == '\\' && p[1])
            p++;
        else if (*p == '*' || *p == '?' || *p == '[')
            return 1;
    }
    return 0;
}

/* What a layout path may hold of an element name: ASCII only, so a path
 * is printable config; non-ASCII names are XML's but no return's. */
static int
xml_name_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
           c == ':';
}

const char *
xml_path_check(const char *path, int record)
{
    const char *p = path;
    int steps = 0;

    if (!*p)
        return "an empty path";
    if (strlen(path) > XML_MAX_PATH / 2)
        return "a path over 2048 bytes";
    if (record && *p != '/')
        return "the record must be an absolute path (starting with '/')";
    for (;;) {
        const char *start;

        if (*p == '/')
            p++;
        start = p;
        while (xml_name_char((unsigned char)*p))
            p++;
        if (p == start)
            return "an element name is missing (two '/' or '|' together, "
                   "or a path ending in '/')";
        steps++;
        if (*p == '/')
            continue;
        if (*p == '|' && !record) {
            p++;
            if (*p == '|' || !*p)
                return "an empty alternative";
            continue;
        }
        if (*p == '|')
            return "the record has one path, not alternatives";
        if (*p)
            return "a character that is not in an element name (letters, "
                   "digits, '_', '-', '.', ':')";
        break;
    }
    return steps ? NULL : "an empty path";
}

/* The local name of an element: after a namespace prefix. */
static const char *
xml_local_name(const char *name)
{
    const char *c = strrchr(name, ':');

    return c ? c + 1 : name;
}

/* A handler's error: kept (the first one), and the parse aborted. */
static void
xml_fail(struct xml_state *s, const char *rule, const char *msg)
{
    if (s->err_rule)
        return;
    s->err_rule = rule;
    s->err_msg = msg;
    s->err_line = (long)XML_GetCurrentLineNumber(s->parser);
    s->err_col = (long)XML_GetCurrentColumnNumber(s->parser) + 1;
    XML_StopParser(s->parser, XML_FALSE);
}

/* 1 when the current element's path is the len bytes at p. */
static int
xml_path_is(const struct xml_state *s, const char *p, size_t len)
{
    return s->path_len == len && !memcmp(s->path, p, len);
}

/* A column's element starts: read its text unless the layout says not. */
static void
xml_col_begin(struct xml_state *s, struct xml_col *c, int k, int ci)
{
    if (!c->in_record && s->records > c->anchor_records) {
        xml_fail(s, "xml_order",
                 "an element a column reads from an ancestor of the record "
                 "comes after a record that needed it (see the layout in "
                 "the README)");
        return;
    }
    if (c->alt == k) {
        c->repeated = 1;
        return;
    }
    if (c->alt >= 0 && c->alt < k)
        return; /* an alternative listed earlier was found */
    c->alt = k;
    c->len = 0;
    c->too_long = 0;
    c->repeated = 0;
    s->cap_col = ci;
    s->cap_depth = s->depth;
}

/* A column's element begins anew: nothing of the last one's text stays. */
static void
xml_col_reset(struct xml_col *c, uint64_t records)
{
    c->alt = -1;
    c->len = 0;
    c->repeated = c->too_long = 0;
    c->anchor_records = records;
}

/* What starting the element at the current path means to the layout. */
static void
xml_layout_start(struct xml_state *s)
{
    size_t i, k;

    if (xml_path_is(s, s->record, s->record_len)) {
        s->in_record = 1;
        s->rec_line = (long)XML_GetCurrentLineNumber(s->parser);
        for (i = 0; i < s->ncols; i++)
            if (s->cols[i].in_record)
                xml_col_reset(&s->cols[i], s->records);
    }
    for (i = 0; i < s->ncols; i++) {
        struct xml_col *c = &s->cols[i];

        if (!c->in_record && c->anchor_len &&
            xml_path_is(s, s->record, c->anchor_len))
            xml_col_reset(c, s->records);
    }
    if (s->cap_col >= 0)
        return;
    for (i = 0; i < s->ncols; i++)
        for (k = 0; k < s->cols[i].nalts; k++)
            if (xml_path_is(s, s->cols[i].alts[k].path,
                            s->cols[i].alts[k].len)) {
                xml_col_begin(s, &s->cols[i], (int)k, (int)i);
                return;
            }
}

/* expat: an element starts. The path grows by its local name. */
static void XMLCALL
xml_on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct xml_state *s = ud;
    const char *local = xml_local_name(name);
    size_t n = strlen(local);

    (void)atts;
    if (s->err_rule)
        return;
    if (s->depth >= XML_MAX_DEPTH || s->path_len + 1 + n > XML_MAX_PATH) {
        xml_fail(s, "xml_depth", "elements nested deeper than 256, or an "
                                 "element path over 4096 bytes");
        return;
    }
    s->parent_len[s->depth++] = s->path_len;
    s->path[s->path_len++] = '/';
    memcpy(s->path + s->path_len, local, n);
    s->path_len += n;
    s->path[s->path_len] = '\0';
    if (s->depth == 1) {
        const char *end = strchr(s->record + 1, '/');
        size_t rn = end ? (size_t)(end - s->record) : s->record_len;

        if (!xml_path_is(s, s->record, rn)) {
            xml_fail(s, "xml_root", "the document's root element is not the "
                                    "first element of the source's "
                                    "xml_record path");
            return;
        }
    }
    xml_layout_start(s);
}

/* expat: an element ends; a record's end suspends the parse with its row
 * ready, so next_row() returns it before any later element changes it. */
static void XMLCALL
xml_on_end(void *ud, const XML_Char *name)
{
    struct xml_state *s = ud;

    (void)name;
    if (s->err_rule || s->depth == 0)
        return;
    if (s->cap_col >= 0 && s->depth == s->cap_depth)
        s->cap_col = -1;
    if (s->in_record && xml_path_is(s, s->record, s->record_len)) {
        s->in_record = 0;
        s->row_ready = 1;
        s->records++;
        XML_StopParser(s->parser, XML_TRUE);
    }
    s->path_len = s->parent_len[--s->depth];
    s->path[s->path_len] = '\0';
}

/* expat: text, in pieces; kept only for the column being read, and never
 * past max_field_bytes. */
static void XMLCALL
xml_on_text(void *ud, const XML_Char *text, int len)
{
    struct xml_state *s = ud;
    struct xml_col *c;
    size_t n = (size_t)len;

    if (s->err_rule || s->cap_col < 0 || len <= 0)
        return;
    c = &s->cols[s->cap_col];
    if (c->too_long)
        return;
    if (c->len + n > s->max_field) {
        c->too_long = 1;
        return;
    }
    if (c->len + n > c->cap) {
        size_t cap = c->cap ? c->cap : 64;
        char *b;

        while (cap < c->len + n)
            cap *= 2;
        if (cap > s->max_field)
            cap = s->max_field;
        if (!(b = realloc(c->buf, cap))) {
            xml_fail(s, "xml_memory", "out of memory");
            return;
        }
        c->buf = b;
        c->cap = cap;
    }
    memcpy(c->buf + c->len, text, n);
    c->len += n;
}

/* expat: a DOCTYPE. Refused before its internal subset is read, so no
 * entity is ever declared, let alone expanded or fetched. */
static void XMLCALL
xml_on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
               const XML_Char *pubid, int has_internal_subset)
{
    (void)name;
    (void)sysid;
    (void)pubid;
    (void)has_internal_subset;
    xml_fail(ud, "xml_doctype",
             "a document type declaration (DTD) is not read: entities are "
             "never expanded; remove the DOCTYPE");
}

/* The layout made absolute: "CINreferralDate" under the record, and
 * for an ancestor's column, where its values reset. */
static int
xml_compile_col(struct xml_state *s, struct xml_col *c,
                const struct xml_column_plan *cp, struct diag *d,
                const char *src_name)
{
    const char *p = cp->path;
    size_t k;

    c->nalts = 1;
    for (k = 0; p[k]; k++)
        c->nalts += p[k] == '|';
    if (!(c->alts = calloc(c->nalts, sizeof(*c->alts))))
        return CE_NOMEM;
    c->alt = -1;
    for (k = 0; k < c->nalts; k++) {
        size_t n = strcspn(p, "|"), rel = *p != '/', len, common = 0, i;
        struct xml_alt *a = &c->alts[k];
        int inside;

        len = rel ? s->record_len + 1 + n : n;
        if (!(a->path = malloc(len + 1)))
            return CE_NOMEM;
        snprintf(a->path, len + 1, "%s%s%.*s", rel ? s->record : "",
                 rel ? "/" : "", (int)n, p);
        a->len = len;
        p += n + (p[n] == '|');
        inside = len > s->record_len && a->path[s->record_len] == '/' &&
                 !memcmp(a->path, s->record, s->record_len);
        for (i = 0; i <= len && i <= s->record_len; i++) {
            int ends_a = i == len || a->path[i] == '/',
                ends_r = i == s->record_len || s->record[i] == '/';

            if (ends_a && ends_r)
                common = i;
            if (i == len || i == s->record_len || a->path[i] != s->record[i])
                break;
        }
        if (!inside && common == len) {
            diag_set(d, src_name, cp->line, 0, "xml_column",
                     "xml_column.%s: a column cannot read the record or "
                     "one of its ancestors", cp->name);
            return CE_CONFIG;
        }
        if (k && (inside != c->in_record ||
                  (!inside && common != c->anchor_len))) {
            diag_set(d, src_name, cp->line, 0, "xml_column",
                     "xml_column.%s: its alternatives must all be inside "
                     "the record, or all in the same ancestor", cp->name);
            return CE_CONFIG;
        }
        c->in_record = inside;
        c->anchor_len = inside ? s->record_len : common;
    }
    return 0;
}

/* The plan's layout made absolute into s, with the header cells. */
static int
xml_compile(const struct source_plan *p, struct xml_state *s, struct diag *d)
{
    size_t i;
    int rc;

    if (!p->xml_record || !p->nxml_columns) {
        diag_set(d, p->name, p->line, 0, "xml_record",
                 "an XML source needs xml_record and at least one "
                 "xml_column.NAME (or a profile that has them)");
        return CE_CONFIG;
    }
    s->record_len = strlen(p->xml_record);
    while (s->record_len > 1 && p->xml_record[s->record_len - 1] == '/')
        s->record_len--;
    if (!(s->record = strndup(p->xml_record, s->record_len)))
        return CE_NOMEM;
    s->ncols = p->nxml_columns;
    s->cols = calloc(s->ncols, sizeof(*s->cols));
    s->hdr = calloc(s->ncols, sizeof(*s->hdr));
    s->cells = calloc(s->ncols, sizeof(*s->cells));
    if (!s->cols || !s->hdr || !s->cells)
        return CE_NOMEM;
    for (i = 0; i < s->ncols; i++) {
        if ((rc = xml_compile_col(s, &s->cols[i], &p->xml_columns[i], d,
                                  p->name)) < 0)
            return rc;
        s->hdr[i].ptr = p->xml_columns[i].name;
        s->hdr[i].len = strlen(p->xml_columns[i].name);
    }
    return 0;
}

/* src's files: its path's glob, sorted (as the CSV connector reads). */
static int
xml_glob(struct source *src, struct xml_state *s, struct diag *d)
{
    const struct source_plan *p = src->plan;
    int rc = glob(p->path, GLOB_ERR, NULL, &s->g);
    size_t i;

    if (rc == GLOB_NOMATCH) {
        /* the pattern is config; a path without a wildcard is a file
         * name, which may be data (source.h) */
        if (xml_glob_has_wildcard(p->path))
            diag_set(d, p->name, 0, 0, "path",
                     "no file matches the source's path '%s' (relative to "
                     "the directory cohort runs in)", p->path);
        else
            diag_set(d, p->name, 0, 0, "path",
                     "no file matches the source's path (a path without a "
                     "wildcard, so not shown: see the job file's 'path')");
        return CE_IO;
    }
    if (rc != 0) {
        diag_set(d, p->name, 0, 0, "path", "cannot list the source's path");
        return rc == GLOB_NOSPACE ? CE_NOMEM : CE_IO;
    }
    s->have_glob = 1;
    if (!(src->files = calloc(s->g.gl_pathc, sizeof(*src->files))))
        return CE_NOMEM;
    for (i = 0; i < s->g.gl_pathc; i++)
        src->files[i].path = s->g.gl_pathv[i];
    src->nfiles = s->g.gl_pathc;
    return 0;
}

/* source_ops.open: the layout, the files and one parser for them all;
 * no file is opened before the first row is asked for. */
static int
xml_open(struct source *src, struct diag *d)
{
    const struct source_plan *p = src->plan;
    struct xml_state *s = calloc(1, sizeof(*s));
    int rc;

    if (!s) {
        diag_set(d, p->name, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    s->fd = -1;
    s->cap_col = -1;
    s->max_field = p->max_field_bytes ? p->max_field_bytes
                                      : SOURCE_MAX_FIELD_BYTES_DEFAULT;
    src->state = s;
    if ((rc = xml_compile(p, s, d)) < 0 || (rc = xml_glob(src, s, d)) < 0) {
        if (rc == CE_NOMEM)
            diag_set(d, p->name, 0, 0, NULL, "out of memory");
        return rc;
    }
    src->columns = s->hdr;
    src->ncolumns = s->ncols;
    if (!(s->parser = XML_ParserCreate(NULL))) {
        diag_set(d, p->name, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    return 0;
}

/* A fresh parser state for files[i], opened. */
static int
xml_open_file(struct source *src, struct xml_state *s, struct diag *d)
{
    struct source_file *f = &src->files[s->file];
    char where[WHERE_LEN];
    struct stat sb;
    size_t i;

    source_file_label(src, s->file, where, sizeof(where));
    s->fd = open(f->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (s->fd < 0) {
        diag_set(d, where, 0, 0, NULL, "cannot open: %s", strerror(errno));
        return CE_IO;
    }
    if (fstat(s->fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        diag_set(d, where, 0, 0, "path", "not a regular file (a FIFO, a "
                                         "device or a directory): a source "
                                         "reads files only");
        return CE_IO;
    }
    f->size = (uint64_t)sb.st_size;
    crypto_generichash_init(&s->hash, NULL, 0, 32);
    if (!XML_ParserReset(s->parser, NULL)) {
        diag_set(d, where, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    XML_SetUserData(s->parser, s);
    XML_SetElementHandler(s->parser, xml_on_start, xml_on_end);
    XML_SetCharacterDataHandler(s->parser, xml_on_text);
    XML_SetStartDoctypeDeclHandler(s->parser, xml_on_doctype);
    XML_SetParamEntityParsing(s->parser, XML_PARAM_ENTITY_PARSING_NEVER);
    s->phase = XP_FEED;
    s->last_chunk = 0;
    s->utf16 = 0;
    s->nl_lines = s->nl_col = 0;
    s->fed = 0;
    s->path_len = 0;
    s->path[0] = '\0';
    s->depth = 0;
    s->in_record = 0;
    s->cap_col = -1;
    s->err_rule = NULL;
    for (i = 0; i < s->ncols; i++)
        xml_col_reset(&s->cols[i], s->records);
    return 0;
}

static void
xml_close_file(struct xml_state *s)
{
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
}

/* The position of the first NUL in buf: its line and 1-based column. */
static void
xml_nul_position(const struct xml_state *s, const char *buf, size_t at,
                 long *line, long *col)
{
    long l = s->nl_lines, c = s->nl_col;
    size_t i;

    for (i = 0; i < at; i++) {
        if (buf[i] == '\n') {
            l++;
            c = 0;
        } else {
            c++;
        }
    }
    *line = l + 1;
    *col = c + 1;
}

static void
xml_count_lines(struct xml_state *s, const char *buf, size_t n)
{
    const char *p = buf, *end = buf + n, *nl;

    while ((nl = memchr(p, '\n', (size_t)(end - p)))) {
        s->nl_lines++;
        s->nl_col = 0;
        p = nl + 1;
    }
    s->nl_col += (long)(end - p);
}

/* expat's error, or a handler's, as a diagnostic. */
static int
xml_error(struct source *src, struct xml_state *s, struct diag *d)
{
    enum XML_Error e = XML_GetErrorCode(s->parser);
    long line = (long)XML_GetCurrentLineNumber(s->parser),
         col = (long)XML_GetCurrentColumnNumber(s->parser) + 1;
    char where[WHERE_LEN];
    int off = 0, size = 0;
    const char *ctx;

    source_file_label(src, s->file, where, sizeof(where));
    if (s->err_rule) {
        diag_set(d, where, s->err_line, s->err_col, s->err_rule, "%s",
                 s->err_msg);
        return !strcmp(s->err_rule, "xml_memory") ? CE_NOMEM : CE_DATA;
    }
    if (e == XML_ERROR_NO_MEMORY) {
        diag_set(d, where, line, col, NULL, "out of memory");
        return CE_NOMEM;
    }
    if (e == XML_ERROR_UNKNOWN_ENCODING || e == XML_ERROR_INCORRECT_ENCODING) {
        diag_set(d, where, line, col, "xml_encoding",
                 "the document's encoding is not one that is read (UTF-8, "
                 "UTF-16, ISO-8859-1 or US-ASCII): %s", XML_ErrorString(e));
        return CE_DATA;
    }
    if (s->last_chunk && s->fed == 0) {
        diag_set(d, where, 0, 0, "xml_truncated",
                 "an empty file: no XML element");
        return CE_DATA;
    }
    if (s->last_chunk &&
        (e == XML_ERROR_NO_ELEMENTS || e == XML_ERROR_UNCLOSED_TOKEN ||
         e == XML_ERROR_UNCLOSED_CDATA_SECTION ||
         e == XML_ERROR_PARTIAL_CHAR)) {
        diag_set(d, where, line, col, "xml_truncated",
                 "the file ends inside an element (a truncated file?): %s",
                 XML_ErrorString(e));
        return CE_DATA;
    }
    ctx = XML_GetInputContext(s->parser, &off, &size);
    if (e == XML_ERROR_INVALID_TOKEN && ctx && off >= 0 && off < size &&
        (unsigned char)ctx[off] >= 0x80) {
        diag_set(d, where, line, col, "invalid_encoding",
                 "bytes that are not the document's encoding (UTF-8 unless "
                 "its declaration says otherwise)");
        return CE_DATA;
    }
    diag_set(d, where, line, col, "xml_syntax", "not well-formed XML: %s",
             XML_ErrorString(e));
    return CE_DATA;
}

/*
 * expat hands text over as it comes, but holds a tag (with its
 * attributes), a comment or a processing instruction whole until it
 * ends: one that never ends would pull the file into memory. Past
 * max_field_bytes and a chunk with no event, the read stops.
 */
static int
xml_check_token(struct source *src, struct xml_state *s, struct diag *d)
{
    XML_Index at = XML_GetCurrentByteIndex(s->parser);
    char where[WHERE_LEN];

    if (s->phase == XP_SUSPENDED || at < 0 ||
        s->fed - (uint64_t)at <= s->max_field + XML_CHUNK)
        return 0;
    source_file_label(src, s->file, where, sizeof(where));
    diag_set(d, where, (long)XML_GetCurrentLineNumber(s->parser),
             (long)XML_GetCurrentColumnNumber(s->parser) + 1, "xml_token",
             "a tag, comment or processing instruction longer than "
             "max_field_bytes (%zu bytes)", s->max_field);
    return CE_DATA;
}

/* Gives expat the file's next chunk; the last one (0 bytes) ends it. */
static int
xml_feed(struct source *src, struct xml_state *s, struct diag *d)
{
    char where[WHERE_LEN], *buf = XML_GetBuffer(s->parser, XML_CHUNK);
    ssize_t n;
    const char *nul;

    source_file_label(src, s->file, where, sizeof(where));
    if (!buf) {
        diag_set(d, where, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    n = read(s->fd, buf, XML_CHUNK);
    if (n < 0) {
        diag_set(d, where, s->nl_lines + 1, 0, NULL, "read error: %s",
                 strerror(errno));
        return CE_IO;
    }
    crypto_generichash_update(&s->hash, (unsigned char *)buf, (size_t)n);
    src->bytes_read += (uint64_t)n;
    if (s->fed == 0 && n >= 2) {
        unsigned char a = (unsigned char)buf[0], b = (unsigned char)buf[1];

        if (a == 0x1f && b == 0x8b) {
            diag_set(d, where, 0, 0, "xml_gzip",
                     "a gzip file: XML sources are read uncompressed");
            return CE_DATA;
        }
        s->utf16 = (a == 0xfe && b == 0xff) || (a == 0xff && b == 0xfe) ||
                   (a == 0 && b == '<') || (a == '<' && b == 0);
    }
    if (!s->utf16 && (nul = memchr(buf, 0, (size_t)n))) {
        long line, col;

        xml_nul_position(s, buf, (size_t)(nul - buf), &line, &col);
        diag_set(d, where, line, col, "nul_byte",
                 "a NUL byte, which XML does not allow");
        return CE_DATA;
    }
    xml_count_lines(s, buf, (size_t)n);
    s->last_chunk = n == 0;
    switch (XML_ParseBuffer(s->parser, (int)n, s->last_chunk)) {
    case XML_STATUS_ERROR:
        return xml_error(src, s, d);
    case XML_STATUS_SUSPENDED:
        s->phase = XP_SUSPENDED;
        break;
    default:
        break;
    }
    s->fed += (uint64_t)n;
    return xml_check_token(src, s, d);
}

/* After a buffer was parsed to its end: the next file, when it was the
 * last chunk. */
static void
xml_after_buffer(struct source *src, struct xml_state *s)
{
    struct source_file *f = &src->files[s->file];

    if (!s->last_chunk)
        return;
    crypto_generichash_final(&s->hash, f->blake2b, sizeof(f->blake2b));
    f->hashed = 1;
    xml_close_file(s);
    s->file++;
}

/* The row of the record that just ended: cells borrowed from the
 * columns' buffers, valid until the parse resumes. */
static void
xml_make_row(struct xml_state *s, size_t file, struct raw_row *row)
{
    size_t i;

    memset(row, 0, sizeof(*row));
    for (i = 0; i < s->ncols; i++) {
        const struct xml_col *c = &s->cols[i];
        const char *p = c->buf ? c->buf : "";
        size_t n = c->alt >= 0 ? c->len : 0;

        /* XML's whitespace around the text, not the text's own */
        while (n && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
            p++;
            n--;
        }
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' ||
                     p[n - 1] == '\n' || p[n - 1] == '\r'))
            n--;
        s->cells[i].ptr = p;
        s->cells[i].len = n;
        if (row->fault == RF_NONE && c->too_long) {
            row->fault = RF_FIELD_TOO_LONG;
            row->fault_column = (long)i + 1;
        } else if (row->fault == RF_NONE && c->repeated) {
            row->fault = RF_RAGGED;
            row->fault_column = (long)i + 1;
        }
    }
    row->cells = s->cells;
    row->ncells = s->ncols;
    row->file_index = (uint32_t)file;
    row->line = s->rec_line;
}

/* source_ops.next_row: resume or feed expat until a record ends, the
 * last file ends (0) or an error (< 0). */
static int
xml_next_row(struct source *src, struct raw_row *row, struct diag *d)
{
    struct xml_state *s = src->state;
    int rc;

    for (;;) {
        if (s->row_ready) {
            s->row_ready = 0;
            xml_make_row(s, s->file, row);
            return 1;
        }
        if (src->stop && *src->stop) {
            diag_set(d, src->plan->name, 0, 0, NULL, "interrupted");
            return CE_INTERRUPTED;
        }
        if (s->phase == XP_SUSPENDED) {
            s->phase = XP_FEED;
            switch (XML_ResumeParser(s->parser)) {
            case XML_STATUS_ERROR:
                return xml_error(src, s, d);
            case XML_STATUS_SUSPENDED:
                s->phase = XP_SUSPENDED;
                continue;
            default:
                xml_after_buffer(src, s);
                continue;
            }
        }
        if (s->fd < 0) {
            if (s->file >= src->nfiles)
                return 0;
            if ((rc = xml_open_file(src, s, d)) < 0)
                return rc;
        }
        if ((rc = xml_feed(src, s, d)) < 0)
            return rc;
        if (s->phase == XP_FEED)
            xml_after_buffer(src, s);
    }
}

static void
xml_close(struct source *src)
{
    struct xml_state *s = src->state;
    size_t i, k;

    if (!s)
        return;
    xml_close_file(s);
    if (s->parser)
        XML_ParserFree(s->parser);
    for (i = 0; s->cols && i < s->ncols; i++) {
        for (k = 0; s->cols[i].alts && k < s->cols[i].nalts; k++)
            free(s->cols[i].alts[k].path);
        free(s->cols[i].alts);
        free(s->cols[i].buf);
    }
    free(s->cols);
    free(s->hdr);
    free(s->cells);
    free(s->record);
    free(src->files);
    src->files = NULL;
    src->nfiles = 0;
    if (s->have_glob)
        globfree(&s->g);
    free(s);
    src->state = NULL;
}

int
xml_layout_check(const struct source_plan *p, struct diag *d)
{
    struct source tmp;
    struct xml_state *s = calloc(1, sizeof(*s));
    int rc;

    if (!s) {
        diag_set(d, p->name, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    memset(&tmp, 0, sizeof(tmp));
    tmp.plan = p;
    tmp.state = s;
    s->fd = -1;
    if ((rc = xml_compile(p, s, d)) == CE_NOMEM)
        diag_set(d, p->name, 0, 0, NULL, "out of memory");
    xml_close(&tmp);
    return rc;
}

const struct source_ops xml_source_ops = {
    "xml", xml_open, xml_next_row, xml_close,
};
