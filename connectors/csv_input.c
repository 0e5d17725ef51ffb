/*
 * csv_input.c - the CSV connector's input: the files a glob matched, one
 * after the other, as a stream of decoded bytes -- plain or gzip (told
 * apart by their magic bytes), each hashed with BLAKE2b as it is read (no
 * second read), a byte-order mark skipped and UTF-16 decoded to UTF-8
 * (text_decode.h). Only regular files are opened: a FIFO or a device
 * could block a read forever.
 */
#include "csv_state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The label of files[i] in where (WHERE_MAX bytes); returns where. */
const char *
csv_file_where(const struct source *src, size_t i, char *where)
{
    source_file_label(src, i, where, WHERE_MAX);
    return where;
}

/* 1 when a glob pattern has an unescaped wildcard. */
int
csv_has_wildcard(const char *pattern)
{
    for (; *pattern; pattern++) {
        if (*pattern == '\\' && pattern[1])
            pattern++;
        else if (*pattern == '*' || *pattern == '?' || *pattern == '[')
            return 1;
    }
    return 0;
}

/*
 * How an analyst finds files[i] that cannot be opened or read: " (file 2
 * of 3 matching 'inbox/referral_*.csv', in sorted order)". The pattern is
 * config, not data, so it may be printed; a path without a wildcard is
 * itself a file name, and is not.
 */
void
csv_glob_hint(const struct source *src, size_t i, char *buf, size_t n)
{
    if (src->plan->path && csv_has_wildcard(src->plan->path))
        snprintf(buf, n, " (file %zu of %zu matching '%s', in sorted order)",
                 i + 1, src->nfiles, src->plan->path);
    else
        snprintf(buf, n, " (the file the source's path names)");
}

int
csv_close_file(struct csv_state *s)
{
    if (s->zs_init) {
        inflateEnd(&s->zs);
        s->zs_init = 0;
    }
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    return 0;
}

/* Opens files[i] and primes its stream. */
int
csv_open_file(struct source *src, struct csv_state *s, size_t i, struct diag *d)
{
    struct source_file *f = &src->files[i];
    struct stat sb;
    ssize_t n;
    char where[WHERE_MAX], hint[512];

    s->file = i;
    /* O_NONBLOCK: opening a FIFO must not wait for a writer; a regular
     * file ignores it */
    s->fd = open(f->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (s->fd < 0) {
        int e = errno;

        csv_glob_hint(src, i, hint, sizeof(hint));
        diag_set(d, csv_file_where(src, i, where), 0, 0, NULL,
                 "cannot open: %s%s", strerror(e), hint);
        return CE_IO;
    }
    if (fstat(s->fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        csv_glob_hint(src, i, hint, sizeof(hint));
        diag_set(d, csv_file_where(src, i, where), 0, 0, "path",
                 "not a regular file (a FIFO, a device or a directory): a "
                 "source reads files only%s", hint);
        return CE_IO;
    }
    f->size = (uint64_t)sb.st_size;
    s->enc = src->plan->encoding;
    s->utf16 = s->utf16_guess = 0;
    crypto_generichash_init(&s->hash, NULL, 0, 32);
    s->raw_len = 0;
    s->raw_eof = 0;
    s->len = s->pos = 0;
    s->stream_eof = 0;
    s->at_file_start = 1;
    s->skip_lf = 0;
    s->line = 1;
    s->st = P_FIELD_START;
    /* gzip is told by its magic bytes, not by the file name */
    n = read(s->fd, s->raw, s->chunk);
    if (n < 0) {
        int e = errno;

        csv_glob_hint(src, i, hint, sizeof(hint));
        diag_set(d, csv_file_where(src, i, where), 0, 0, NULL, "read error: %s%s",
                 strerror(e), hint);
        return CE_IO;
    }
    s->raw_len = (size_t)n;
    if (n == 0)
        s->raw_eof = 1;
    crypto_generichash_update(&s->hash, s->raw, (size_t)n);
    s->gz = n >= 2 && s->raw[0] == 0x1f && s->raw[1] == 0x8b;
    if (s->gz) {
        memset(&s->zs, 0, sizeof(s->zs));
        int zrc = inflateInit2(&s->zs, 16 + MAX_WBITS);

        if (zrc != Z_OK) {
            diag_set(d, csv_file_where(src, i, where), 0, 0, NULL,
                     "cannot start gzip%s",
                     zrc == Z_MEM_ERROR ? ": out of memory" : "");
            return zrc == Z_MEM_ERROR ? CE_NOMEM : CE_INTERNAL;
        }
        s->zs_init = 1;
        s->zs.next_in = s->raw;
        s->zs.avail_in = (uInt)n;
    }
    return 0;
}

static int
read_raw(struct source *src, struct csv_state *s, struct diag *d)
{
    ssize_t n = read(s->fd, s->raw, s->chunk);
    char where[WHERE_MAX];

    if (n < 0) {
        int e = errno;

        diag_set(d, csv_file_where(src, s->file, where), s->line, 0, NULL,
                 "read error: %s", strerror(e));
        return CE_IO;
    }
    s->raw_len = (size_t)n;
    if (n == 0)
        s->raw_eof = 1;
    else
        crypto_generichash_update(&s->hash, s->raw, (size_t)n);
    return 0;
}

/* Refills s->buf with decoded bytes; sets stream_eof at the end. */
static int
fill(struct source *src, struct csv_state *s, struct diag *d)
{
    char where[WHERE_MAX];
    int rc;

    s->pos = s->len = 0;
    if (!s->gz) {
        if (s->raw_len) {
            memcpy(s->buf, s->raw, s->raw_len);
            s->len = s->raw_len;
            s->raw_len = 0;
        } else if (!s->raw_eof) {
            if ((rc = read_raw(src, s, d)) < 0)
                return rc;
            memcpy(s->buf, s->raw, s->raw_len);
            s->len = s->raw_len;
            s->raw_len = 0;
        }
        if (!s->len)
            s->stream_eof = 1;
        src->bytes_read += s->len;
        return 0;
    }
    while (s->len == 0) {
        int zr;

        if (s->zs.avail_in == 0) {
            if (s->raw_eof) {
                diag_set(d, csv_file_where(src, s->file, where), s->line, 0,
                         "gzip",
                         "truncated gzip: the file ends inside compressed "
                         "data");
                return CE_DATA;
            }
            if ((rc = read_raw(src, s, d)) < 0)
                return rc;
            s->zs.next_in = s->raw;
            s->zs.avail_in = (uInt)s->raw_len;
            if (s->raw_eof) {
                diag_set(d, csv_file_where(src, s->file, where), s->line, 0,
                         "gzip",
                         "truncated gzip: the file ends inside compressed "
                         "data");
                return CE_DATA;
            }
        }
        s->zs.next_out = s->buf;
        s->zs.avail_out = (uInt)s->chunk;
        zr = inflate(&s->zs, Z_NO_FLUSH);
        s->len = s->chunk - s->zs.avail_out;
        if (zr == Z_STREAM_END) {
            /* concatenated members follow, or the file ends */
            if (s->zs.avail_in == 0 && !s->raw_eof) {
                if ((rc = read_raw(src, s, d)) < 0)
                    return rc;
                s->zs.next_in = s->raw;
                s->zs.avail_in = (uInt)s->raw_len;
            }
            if (s->zs.avail_in == 0) {
                if (!s->len)
                    s->stream_eof = 1;
                s->gz = 2; /* finished: next fill reports eof */
                break;
            }
            inflateReset(&s->zs);
        } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
            diag_set(d, csv_file_where(src, s->file, where), s->line, 0, "gzip",
                     "corrupt gzip data");
            return CE_DATA;
        }
    }
    src->bytes_read += s->len;
    return 0;
}

int
csv_next_block(struct source *src, struct csv_state *s, struct diag *d)
{
    if (s->gz == 2) {
        s->stream_eof = 1;
        s->len = s->pos = 0;
        return 0;
    }
    return fill(src, s, d);
}

/* Decodes buf[pos .. len) from UTF-16 into s->u16 and swaps the two
 * buffers, so the tokenizer reads UTF-8 (text_decode.h). */
void
csv_utf16_decode(struct csv_state *s)
{
    unsigned char *tmp;

    s->len = utf16_decode_block(&s->u16d, s->buf + s->pos, s->len - s->pos,
                                s->stream_eof, s->u16);
    s->pos = 0;
    tmp = s->buf;
    s->buf = s->u16;
    s->u16 = tmp;
}

/*
 * A file's first bytes: a UTF-8 byte-order mark is skipped; a UTF-16 one
 * makes the file UTF-16, read as UTF-8 once decoded, whatever `encoding`
 * says. Without a mark, NULs where UTF-16 has them are noted for the
 * header's message. 0 or CE_NOMEM.
 */
int
csv_file_start(struct csv_state *s)
{
    size_t big = s->chunk + s->chunk / 2 + 8, skip;
    enum text_bom bom = text_bom(s->buf, s->len, &skip);

    s->at_file_start = 0;
    s->pos = skip;
    if (bom == TEXT_NO_BOM)
        s->utf16_guess = text_looks_utf16(s->buf, s->len);
    if (bom != TEXT_UTF16LE && bom != TEXT_UTF16BE)
        return 0;
    memset(&s->u16d, 0, sizeof(s->u16d));
    s->u16d.order = bom;
    s->utf16 = 1;
    s->enc = ENC_UTF8;
    /* a block of n bytes decodes to at most 3n/2 */
    if (s->bufcap < big) {
        unsigned char *nb = realloc(s->buf, big), *nu;

        if (!nb)
            return CE_NOMEM;
        s->buf = nb;
        if (!(nu = realloc(s->u16, big)))
            return CE_NOMEM;
        s->u16 = nu;
        s->bufcap = big;
    }
    return 0;
}

void
csv_finish_hash(struct source *src, struct csv_state *s)
{
    crypto_generichash_final(&s->hash, src->files[s->file].blake2b, 32);
    src->files[s->file].hashed = 1;
}
