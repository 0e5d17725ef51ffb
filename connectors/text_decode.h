/*
 * text_decode.h - the connector's character decoding, one block or one
 * field at a time, with no state but what is passed in: byte-order marks,
 * UTF-16 to UTF-8, and the single-byte encodings (Windows-1252, Latin-1)
 * to UTF-8. Rows leave a connector as UTF-8 whatever a file was written
 * in (connectors/csv.c).
 *
 *     size_t skip;
 *     switch (text_bom(p, n, &skip)) { ... }       (a file's first bytes)
 *     struct utf16_decoder u = {TEXT_UTF16LE};
 *     o = utf16_decode_block(&u, in, n, at_end, out);  (out: 3n/2 + 8 bytes)
 *     o = text_single_byte_to_utf8(in, n, ENC_WINDOWS_1252, out, &bad);
 */
#ifndef COHORT_TEXT_DECODE_H
#define COHORT_TEXT_DECODE_H

#include <stddef.h>

#include "../core/plan.h"

enum text_bom { TEXT_NO_BOM, TEXT_UTF8, TEXT_UTF16LE, TEXT_UTF16BE };

/* The byte-order mark p[0 .. n) starts with, its length into *skip. */
enum text_bom text_bom(const unsigned char *p, size_t n, size_t *skip);

/* 1 when a file without a mark starts the way UTF-16 text does: an ASCII
 * character with a NUL beside it, twice. */
int text_looks_utf16(const unsigned char *p, size_t n);

/* A UTF-16 stream being decoded: a byte or a surrogate half that a block
 * boundary split waits here for the next block. */
struct utf16_decoder {
    enum text_bom order;     /* TEXT_UTF16LE or TEXT_UTF16BE */
    unsigned char odd;       /* a code unit's first byte */
    int has_odd;
    unsigned hi_surrogate;   /* a high half waiting for its low half; 0: none */
};

/*
 * Decodes in[0 .. n) into out as UTF-8 and returns the bytes written (at
 * most 3n/2 + 8). A lone surrogate, or at_end a byte or half left over,
 * becomes the byte 0xFF, which UTF-8 never holds, so that its field is an
 * invalid_encoding fault with its column.
 */
size_t utf16_decode_block(struct utf16_decoder *u, const unsigned char *in,
                          size_t n, int at_end, unsigned char *out);

/*
 * in[0 .. n) in enc (ENC_WINDOWS_1252 or ENC_LATIN1) into out as UTF-8
 * (at most 3n bytes); returns the bytes written. A byte Windows-1252 does
 * not define becomes U+FFFD and sets *bad to 1.
 */
size_t text_single_byte_to_utf8(const unsigned char *in, size_t n,
                                enum text_encoding enc, char *out, int *bad);

#endif
