/*
 * text_decode.c - byte-order marks, UTF-16 and the single-byte encodings
 * decoded to UTF-8 (text_decode.h).
 */
#include "text_decode.h"

#include <string.h>

enum text_bom
text_bom(const unsigned char *p, size_t n, size_t *skip)
{
    *skip = 0;
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        *skip = 3;
        return TEXT_UTF8;
    }
    if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE) {
        *skip = 2;
        return TEXT_UTF16LE;
    }
    if (n >= 2 && p[0] == 0xFE && p[1] == 0xFF) {
        *skip = 2;
        return TEXT_UTF16BE;
    }
    return TEXT_NO_BOM;
}

int
text_looks_utf16(const unsigned char *p, size_t n)
{
    return n >= 4 && ((p[1] == 0 && p[3] == 0 && p[0] && p[0] < 0x80) ||
                      (p[0] == 0 && p[2] == 0 && p[1] && p[1] < 0x80));
}

/* Appends code point cp as UTF-8; a lone surrogate becomes 0xFF. */
static size_t
put_utf8(unsigned char *out, unsigned cp)
{
    if (cp >= 0xD800 && cp <= 0xDFFF) {
        out[0] = 0xFF;
        return 1;
    }
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* One code unit (pairs joined across calls). */
static size_t
utf16_unit(struct utf16_decoder *u, unsigned unit, unsigned char *out)
{
    size_t o = 0;

    if (u->hi_surrogate) {
        unsigned hi = u->hi_surrogate;

        u->hi_surrogate = 0;
        if (unit >= 0xDC00 && unit <= 0xDFFF)
            return put_utf8(out, 0x10000 + ((hi - 0xD800) << 10) +
                                     (unit - 0xDC00));
        o = put_utf8(out, hi); /* a high half alone */
    }
    if (unit >= 0xD800 && unit <= 0xDBFF) {
        u->hi_surrogate = unit;
        return o;
    }
    return o + put_utf8(out + o, unit);
}

static unsigned
unit_of(const struct utf16_decoder *u, unsigned char a, unsigned char b)
{
    return u->order == TEXT_UTF16LE ? (unsigned)(a | b << 8)
                                    : (unsigned)(a << 8 | b);
}

size_t
utf16_decode_block(struct utf16_decoder *u, const unsigned char *in,
                   size_t n, int at_end, unsigned char *out)
{
    size_t i = 0, o = 0;

    if (u->has_odd && n) {
        o += utf16_unit(u, unit_of(u, u->odd, in[0]), out);
        u->has_odd = 0;
        i = 1;
    }
    for (; i + 1 < n; i += 2)
        o += utf16_unit(u, unit_of(u, in[i], in[i + 1]), out + o);
    if (i < n) {
        u->odd = in[i];
        u->has_odd = 1;
    }
    if (at_end && (u->has_odd || u->hi_surrogate)) {
        out[o++] = 0xFF;
        u->has_odd = 0;
        u->hi_surrogate = 0;
    }
    return o;
}

/* Windows-1252 0x80..0x9F as Unicode (0: undefined). */
static const unsigned short cp1252[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

size_t
text_single_byte_to_utf8(const unsigned char *in, size_t n,
                         enum text_encoding enc, char *out, int *bad)
{
    size_t k, o = 0;

    for (k = 0; k < n; k++) {
        unsigned cp = in[k];

        if (cp >= 0x80 && cp < 0xA0 && enc == ENC_WINDOWS_1252) {
            cp = cp1252[cp - 0x80];
            if (!cp) {
                *bad = 1;
                cp = 0xFFFD;
            }
        }
        o += put_utf8((unsigned char *)out + o, cp);
    }
    return o;
}
