/*
 * csv.c - the CSV connector: plain or gzip files (told apart by their magic
 * bytes), a glob of them read in sorted order as one stream, UTF-8 or
 * Windows-1252/Latin-1 transcoded to UTF-8, and a file that starts with a
 * UTF-16 byte-order mark decoded from UTF-16 whatever `encoding` says.
 * csv_input.c reads the files (regular files only: a FIFO or a device is
 * refused before a read could block on it) into decoded bytes; this file
 * tokenizes them into rows. A stop request (source.h) is seen between
 * blocks, so even a record that never ends is left within a block.
 *
 * The tokenizer is our own small state machine rather than libcsv's
 * csv_parse(): libcsv keeps a whole field in memory however long it is, and
 * an extract with a 1 GB field must be read in bounded memory. Here a field
 * past max_field_bytes stops growing (the row becomes a field_too_long
 * fault) while lines are still counted, so every later row keeps its true
 * line number. (libcsv still writes our CSV outputs.)
 *
 * Memory: one 1 MiB raw buffer, one 1 MiB decoded buffer, and the current
 * record (bounded by max_columns x max_field_bytes), all reused row after
 * row.
 *
 * Every diagnostic names a file as "source 'NAME' file N" (source.h): its
 * path may be a person's name and date of birth.
 */
#include "csv_state.h"

#include "../core/label.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static void
set_fault(struct csv_state *s, enum row_fault f, long col)
{
    if (s->fault == RF_NONE) {
        s->fault = f;
        s->fault_col = col;
    }
}


static int
arena_put(struct csv_state *s, char c)
{
    if (s->alen == s->acap) {
        size_t na = s->acap ? s->acap * 2 : 4096;
        char *p = realloc(s->arena, na);

        if (!p)
            return -1;
        s->arena = p;
        s->acap = na;
    }
    s->arena[s->alen++] = c;
    return 0;
}

static int
begin_field(struct source *src, struct csv_state *s)
{
    if (s->nf >= src->plan->max_columns) {
        set_fault(s, RF_TOO_MANY_COLUMNS, (long)s->nf + 1);
        s->nf++;
        s->field_bytes = 0;
        return 0;
    }
    if (s->nf == s->fcap) {
        size_t nc = s->fcap ? s->fcap * 2 : 64;
        struct field *p = realloc(s->fields, nc * sizeof(*p));

        if (!p)
            return -1;
        s->fields = p;
        s->fcap = nc;
    }
    s->fields[s->nf].start = s->alen;
    s->fields[s->nf].len = 0;
    s->nf++;
    s->field_bytes = 0;
    s->field_quoted = 0;
    return 0;
}

/* Appends a byte to the current field, within the limits. */
static int
field_byte(struct source *src, struct csv_state *s, unsigned char c)
{
    size_t idx = s->nf - 1;

    if (c == 0)
        set_fault(s, RF_NUL_BYTE, (long)s->nf);
    if (s->nf > src->plan->max_columns)
        return 0;
    if (++s->field_bytes > src->plan->max_field_bytes) {
        set_fault(s, RF_FIELD_TOO_LONG, (long)s->nf);
        return 0;
    }
    if (arena_put(s, (char)c) < 0)
        return -1;
    s->fields[idx].len++;
    return 0;
}

/* The stop tables of s for the source's delimiter and quote: outside
 * quotes a delimiter, CR, LF or NUL ends a run; inside, a quote, LF (a
 * line to count) or NUL. */
static void
stop_tables(struct csv_state *s, unsigned char delim, unsigned char quote)
{
    memset(s->stop, 0, sizeof(s->stop));
    s->stop[0][delim] = s->stop[0]['\n'] = s->stop[0]['\r'] = 1;
    s->stop[0][0] = 1;
    s->stop[1][quote] = s->stop[1]['\n'] = s->stop[1][0] = 1;
    s->stop_ready = 1;
}

/*
 * In a field (unquoted or quoted), the run of buffered bytes that no
 * state change can stop, taken at once: what field_byte() does byte by
 * byte -- kept up to max_field_bytes, a field_too_long fault past it,
 * nothing kept past max_columns -- with one copy instead of a call a
 * byte. 0 or -1 when out of memory.
 */
static int
field_run(struct source *src, struct csv_state *s)
{
    const unsigned char *stop = s->stop[s->st == P_QUOTED];
    const unsigned char *b = s->buf;
    size_t i = s->pos, n, max = src->plan->max_field_bytes, room, take;

    while (i < s->len && !stop[b[i]])
        i++;
    n = i - s->pos;
    if (n && s->nf <= src->plan->max_columns) {
        room = s->field_bytes < max ? max - s->field_bytes : 0;
        take = n < room ? n : room;
        if (s->alen + take > s->acap) {
            size_t na = s->acap ? s->acap : 4096;
            char *p;

            while (na < s->alen + take)
                na *= 2;
            if (!(p = realloc(s->arena, na)))
                return -1;
            s->arena = p;
            s->acap = na;
        }
        memcpy(s->arena + s->alen, b + s->pos, take);
        s->alen += take;
        s->fields[s->nf - 1].len += take;
        if (n > room)
            set_fault(s, RF_FIELD_TOO_LONG, (long)s->nf);
        s->field_bytes += n;
    }
    s->pos = i;
    return 0;
}

/* What csv_refill() found at the end of the buffered bytes. */
enum refill {
    REFILL_BYTES,
    REFILL_AGAIN,
    REFILL_RECORD_ENDS,
    REFILL_FILES_END
};


/*
 * Reads the next block when the buffered bytes are used up (skipping a
 * byte-order mark at a file's start, decoding UTF-16), after checking for
 * a stop request. REFILL_BYTES: there are bytes to read;
 * REFILL_AGAIN: nothing yet, ask again; REFILL_RECORD_ENDS: the file ended
 * a record (an open quote is then a fault); REFILL_FILES_END: no record is
 * left. Or a negative error.
 */
static int
csv_refill(struct source *src, struct csv_state *s, struct diag *d)
{
    char where[WHERE_MAX];
    int rc;

    if (src->stop && *src->stop) {
        diag_set(d, csv_file_where(src, s->file, where), s->line, 0, NULL,
                 "interrupted");
        return CE_INTERRUPTED;
    }
    if (!s->stream_eof && (rc = csv_next_block(src, s, d)) < 0)
        return rc;
    if (s->at_file_start && csv_file_start(s) < 0) {
        diag_set(d, csv_file_where(src, s->file, where), 0, 0, NULL,
                 "out of memory");
        return CE_NOMEM;
    }
    if (s->utf16)
        csv_utf16_decode(s);
    if (s->pos == s->len && s->stream_eof) {
        /* end of this file */
        if (s->st == P_QUOTED) {
            set_fault(s, RF_UNTERMINATED_QUOTE, 0);
            s->fault = RF_UNTERMINATED_QUOTE;
            s->fault_col = (long)s->nf;
            s->st = P_FIELD_START;
            return REFILL_RECORD_ENDS;
        }
        return s->rec_started ? REFILL_RECORD_ENDS : REFILL_FILES_END;
    }
    return s->pos == s->len ? REFILL_AGAIN : REFILL_BYTES;
}

/* A line break (LF, or CR whose LF is then skipped) that ends a record. */
static int
end_record(struct csv_state *s, unsigned char c)
{
    s->line++;
    s->skip_lf = c == '\r';
    s->st = P_FIELD_START;
    return 1;
}

/*
 * One byte of a record through the quote state machine: 0 to go on, 1
 * when the byte ended the record, -1 when out of memory.
 */
static int
csv_step(struct source *src, struct csv_state *s, unsigned char c,
         unsigned char delim, unsigned char quote)
{
    switch (s->st) {
    case P_FIELD_START:
        if (c == quote) {
            s->st = P_QUOTED;
            if (s->nf <= src->plan->max_columns)
                s->fields[s->nf - 1].len = 0;
            return 0;
        }
        s->st = P_UNQUOTED;
        /* fall through */
    case P_UNQUOTED:
        if (c == delim) {
            if (begin_field(src, s) < 0)
                return -1;
            s->st = P_FIELD_START;
        } else if (c == '\n' || c == '\r') {
            /* CR or CRLF ends the record (the LF is skipped) */
            return end_record(s, c);
        } else if (field_byte(src, s, c) < 0) {
            return -1;
        }
        return 0;
    case P_QUOTED:
        if (c == quote) {
            s->st = P_QUOTE_IN_QUOTED;
            return 0;
        }
        if (c == '\n')
            s->line++;
        return field_byte(src, s, c) < 0 ? -1 : 0;
    case P_QUOTE_IN_QUOTED:
        if (c == quote) {
            if (field_byte(src, s, c) < 0) /* "" is one quote */
                return -1;
            s->st = P_QUOTED;
        } else if (c == delim) {
            if (begin_field(src, s) < 0)
                return -1;
            s->st = P_FIELD_START;
        } else if (c == '\n' || c == '\r') {
            return end_record(s, c);
        } else {
            /* text after a closing quote is kept, as spreadsheets do */
            if (field_byte(src, s, c) < 0)
                return -1;
            s->st = P_UNQUOTED;
        }
        return 0;
    }
    return 0;
}

/*
 * Runs the tokenizer until one record is complete. Returns 1 with a record
 * in fields/arena, 0 at end of all files, < 0 on error.
 */
static int
read_record(struct source *src, struct csv_state *s, struct diag *d)
{
    const struct source_plan *p = src->plan;
    const unsigned char delim = (unsigned char)p->delimiter;
    const unsigned char quote = (unsigned char)p->quote;
    char where[WHERE_MAX];
    int rc;

    s->alen = 0;
    s->nf = 0;
    s->fault = RF_NONE;
    s->fault_col = 0;
    s->rec_started = 0;
    s->st = P_FIELD_START;
    if (!s->stop_ready)
        stop_tables(s, delim, quote);
    for (;;) {
        unsigned char c;

        if (s->pos == s->len) {
            if ((rc = csv_refill(src, s, d)) < 0)
                return rc;
            if (rc == REFILL_RECORD_ENDS)
                return 1;
            if (rc == REFILL_FILES_END)
                return 0;
            if (rc == REFILL_AGAIN)
                continue;
        }
        c = s->buf[s->pos++];
        if (s->skip_lf) {
            /* the LF of a CRLF whose CR already ended the record */
            s->skip_lf = 0;
            if (c == '\n')
                continue;
        }
        if (!s->rec_started) {
            s->rec_started = 1;
            s->rec_line = s->line;
            if (begin_field(src, s) < 0)
                goto nomem;
        }
        if ((rc = csv_step(src, s, c, delim, quote)) < 0)
            goto nomem;
        if (rc == 1)
            return 1;
        if ((s->st == P_UNQUOTED || s->st == P_QUOTED) &&
            field_run(src, s) < 0)
            goto nomem;
    }
nomem:
    diag_set(d, csv_file_where(src, s->file, where), s->line, 0, NULL,
             "out of memory");
    return CE_NOMEM;
}

/* Builds s->cells from the record, transcoding when the source needs it. */
static int
make_cells(struct csv_state *s, size_t n)
{
    size_t i, need = 0, o = 0;
    enum text_encoding enc = s->enc;

    if (n > s->ccap) {
        struct cell *c = realloc(s->cells, n * sizeof(*c));

        if (!c)
            return -1;
        s->cells = c;
        s->ccap = n;
    }
    if (enc == ENC_UTF8) {
        for (i = 0; i < n; i++) {
            const unsigned char *p =
                (const unsigned char *)s->arena + s->fields[i].start;

            s->cells[i].ptr = (const char *)p;
            s->cells[i].len = s->fields[i].len;
            if (utf8_valid_prefix(p, s->fields[i].len) != s->fields[i].len)
                set_fault(s, RF_BAD_ENCODING, (long)i + 1);
        }
        return 0;
    }
    for (i = 0; i < n; i++)
        need += s->fields[i].len * 3;
    if (need + 1 > s->ocap) {
        char *p = realloc(s->out, need + 1);

        if (!p)
            return -1;
        s->out = p;
        s->ocap = need + 1;
    }
    for (i = 0; i < n; i++) {
        int bad = 0;

        s->cells[i].ptr = s->out + o;
        s->cells[i].len = text_single_byte_to_utf8(
            (const unsigned char *)s->arena + s->fields[i].start,
            s->fields[i].len, enc, s->out + o, &bad);
        o += s->cells[i].len;
        if (bad)
            set_fault(s, RF_BAD_ENCODING, (long)i + 1);
    }
    return 0;
}

static void
trim_cell(struct cell *c)
{
    while (c->len && (c->ptr[0] == ' ' || c->ptr[0] == '\t')) {
        c->ptr++;
        c->len--;
    }
    while (c->len && (c->ptr[c->len - 1] == ' ' || c->ptr[c->len - 1] == '\t'))
        c->len--;
}

/* A record that is one empty, unquoted field: a blank line. */
static int
blank_record(const struct csv_state *s)
{
    return s->nf == 1 && s->fields[0].len == 0 && s->fault == RF_NONE &&
           s->alen == 0;
}

/* Reads the header of the current file; for later files, compares it. */
static int
read_header(struct source *src, struct csv_state *s, struct diag *d)
{
    char where[WHERE_MAX];
    size_t i, total = 0;
    int rc;

    csv_file_where(src, s->file, where);
    do {
        rc = read_record(src, s, d);
    } while (rc == 1 && blank_record(s));
    if (rc < 0)
        return rc;
    if (rc == 0) {
        diag_set(d, where, 1, 0, "header", "empty file: no header row");
        return CE_DATA;
    }
    if (s->fault == RF_NUL_BYTE && s->utf16_guess) {
        diag_set(d, where, s->rec_line, s->fault_col, "utf16_without_bom",
                 "the file looks like UTF-16 without a byte-order mark; "
                 "save it as UTF-8 (or as UTF-16 with its byte-order mark)");
        return CE_DATA;
    }
    if (s->fault != RF_NONE) {
        diag_set(d, where, s->rec_line, s->fault_col, "header",
                 "malformed header row (%s)", row_fault_name(s->fault));
        return CE_DATA;
    }
    if (make_cells(s, s->nf) < 0) {
        diag_set(d, where, s->rec_line, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    if (s->fault != RF_NONE) {
        diag_set(d, where, s->rec_line, s->fault_col, "header",
                 "header row is not valid text in the source's encoding");
        return CE_DATA;
    }
    if (s->hdr) {
        int same = s->nf == s->nhdr;

        for (i = 0; same && i < s->nf; i++) {
            struct cell c = s->cells[i];

            trim_cell(&c);
            same = c.len == s->hdr_cells[i].len &&
                   !strncasecmp(c.ptr, s->hdr_cells[i].ptr, c.len);
        }
        if (!same) {
            diag_set(d, where, s->rec_line, 0, "header",
                     "header differs from file 1's");
            return CE_DATA;
        }
        return 0;
    }
    /* later files' headers equal this one, so this one check covers them */
    if ((rc = source_check_duplicate_columns(s->cells, s->nf, where,
                                             s->rec_line, d)) < 0)
        return rc;
    for (i = 0; i < s->nf; i++)
        total += s->cells[i].len + 1;
    s->hdr = malloc(total + 1);
    s->hdr_cells = calloc(s->nf ? s->nf : 1, sizeof(*s->hdr_cells));
    if (!s->hdr || !s->hdr_cells) {
        diag_set(d, where, s->rec_line, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    total = 0;
    for (i = 0; i < s->nf; i++) {
        struct cell c = s->cells[i];

        trim_cell(&c);
        memcpy(s->hdr + total, c.ptr, c.len);
        s->hdr[total + c.len] = '\0';
        s->hdr_cells[i].ptr = s->hdr + total;
        s->hdr_cells[i].len = c.len;
        total += c.len + 1;
    }
    s->nhdr = s->nf;
    src->columns = s->hdr_cells;
    src->ncolumns = s->nhdr;
    return 0;
}


static void csv_close(struct source *src);

static int
csv_open(struct source *src, struct diag *d)
{
    const struct source_plan *p = src->plan;
    struct csv_state *s = calloc(1, sizeof(*s));
    size_t i;
    int rc;

    if (!s) {
        diag_set(d, p->name, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    s->fd = -1;
    src->state = s;
    rc = glob(p->path, GLOB_ERR, NULL, &s->g);
    if (rc == GLOB_NOMATCH) {
        /* the pattern is config and may be shown; a path without a
         * wildcard is itself a file name, which is not (csv_glob_hint()) */
        if (csv_has_wildcard(p->path))
            diag_set(d, p->name, 0, 0, "path",
                     "no file matches the source's path '%s' (relative to "
                     "the directory cohort runs in)", p->path);
        else
            diag_set(d, p->name, 0, 0, "path",
                     "no file matches the source's path (a path without a "
                     "wildcard, so not shown: see the job file's 'path')");
        return CE_IO;
    }
    if (rc == GLOB_NOSPACE) {
        diag_set(d, p->name, 0, 0, "path",
                 "out of memory listing the source's path");
        return CE_NOMEM;
    }
    if (rc != 0) {
        diag_set(d, p->name, 0, 0, "path", "cannot list the source's path");
        return CE_IO;
    }
    s->have_glob = 1;
    src->files = calloc(s->g.gl_pathc, sizeof(*src->files));
    /* 1 MiB buffers, or less for small files (tests, fuzzing) */
    s->chunk = 4096;
    for (i = 0; i < s->g.gl_pathc; i++) {
        struct stat sb;

        if (stat(s->g.gl_pathv[i], &sb) == 0 && (uint64_t)sb.st_size >= s->chunk)
            s->chunk = (uint64_t)sb.st_size >= CHUNK ? CHUNK
                                                     : (size_t)sb.st_size + 1;
    }
    s->raw = malloc(s->chunk);
    s->buf = malloc(s->chunk);
    s->bufcap = s->chunk;
    /* never NULL: cells of an empty record point into it */
    s->acap = 4096;
    s->arena = malloc(s->acap);
    if (!src->files || !s->raw || !s->buf || !s->arena) {
        diag_set(d, p->name, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    for (i = 0; i < s->g.gl_pathc; i++) {
        src->files[i].path = s->g.gl_pathv[i];
        src->nfiles++;
    }
    if ((rc = csv_open_file(src, s, 0, d)) < 0)
        return rc;
    return read_header(src, s, d);
}

static int
csv_next(struct source *src, struct raw_row *row, struct diag *d)
{
    struct csv_state *s = src->state;
    int rc;

    for (;;) {
        rc = read_record(src, s, d);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            /* this file is done: on to the next, whose header must match */
            csv_finish_hash(src, s);
            csv_close_file(s);
            if (s->file + 1 >= src->nfiles)
                return 0;
            if ((rc = csv_open_file(src, s, s->file + 1, d)) < 0)
                return rc;
            if ((rc = read_header(src, s, d)) < 0)
                return rc;
            continue;
        }
        if (blank_record(s))
            continue;
        break;
    }
    if (make_cells(s, s->nf < src->plan->max_columns
                               ? s->nf
                               : src->plan->max_columns) < 0) {
        char where[WHERE_MAX];

        diag_set(d, csv_file_where(src, s->file, where), s->rec_line, 0, NULL,
                 "out of memory");
        return CE_NOMEM;
    }
    if (s->fault == RF_NONE && s->nf != s->nhdr)
        set_fault(s, RF_RAGGED,
                  (long)(s->nf < s->nhdr ? s->nf : s->nhdr) + 1);
    row->cells = s->cells;
    row->ncells = s->nf < src->plan->max_columns ? s->nf
                                                 : src->plan->max_columns;
    row->file_index = (uint32_t)s->file;
    row->line = s->rec_line;
    row->fault = s->fault;
    row->fault_column = s->fault_col;
    return 1;
}

static void
csv_close(struct source *src)
{
    struct csv_state *s = src->state;

    if (!s)
        return;
    csv_close_file(s);
    /* file paths point into the glob; they go with it */
    free(src->files);
    src->files = NULL;
    src->nfiles = 0;
    if (s->have_glob)
        globfree(&s->g);
    /* acap is set before its allocation, which may have failed */
    sodium_memzero(s->arena, s->arena ? s->acap : 0);
    sodium_memzero(s->out, s->ocap);
    sodium_memzero(s->buf, s->buf ? s->bufcap : 0);
    sodium_memzero(s->u16, s->u16 ? s->bufcap : 0);
    free(s->u16);
    sodium_memzero(s->raw, s->raw ? s->chunk : 0);
    free(s->raw);
    free(s->buf);
    free(s->arena);
    free(s->fields);
    free(s->out);
    free(s->cells);
    free(s->hdr);
    free(s->hdr_cells);
    free(s);
    src->state = NULL;
    src->columns = NULL;
    src->ncolumns = 0;
}

const struct source_ops csv_source_ops = {"csv", csv_open, csv_next,
                                          csv_close};
