#include "contact.h"

#include <string.h>

#include "normalise.h"

/* Street words and their short forms (both map to the short one). */
static const char *const street_words[][2] = {
    {"road", "rd"},      {"street", "st"},     {"avenue", "ave"},
    {"av", "ave"},       {"lane", "ln"},       {"drive", "dr"},
    {"close", "cl"},     {"court", "ct"},      {"crescent", "cres"},
    {"place", "pl"},     {"terrace", "ter"},   {"terr", "ter"},
    {"gardens", "gdns"}, {"square", "sq"},     {"apartment", "flat"},
    {"apt", "flat"},
};

static int
fail(char *out, size_t outsz)
{
    if (outsz)
        out[0] = '\0';
    return -1;
}

/* The short form of word w (n bytes), or NULL. */
static const char *
street_short(const char *w, size_t n)
{
    size_t i;

    for (i = 0; i < sizeof(street_words) / sizeof(street_words[0]); i++)
        if (strlen(street_words[i][0]) == n && !memcmp(w, street_words[i][0], n))
            return street_words[i][1];
    return NULL;
}

int
normalise_address(const char *in, size_t len, char *out, size_t outsz)
{
    char folded[256];
    size_t i = 0, o = 0;
    int n = normalise_name(in, len, folded, sizeof(folded));

    if (n < 0 || !outsz)
        return fail(out, outsz);
    while (folded[i]) {
        size_t w = strcspn(folded + i, " ");
        const char *s = street_short(folded + i, w);
        size_t sl = s ? strlen(s) : w;

        if (o + (o > 0) + sl >= outsz) {
            memset(folded, 0, sizeof(folded));
            return fail(out, outsz);
        }
        if (o)
            out[o++] = ' ';
        memcpy(out + o, s ? s : folded + i, sl);
        o += sl;
        i += w;
        while (folded[i] == ' ')
            i++;
    }
    memset(folded, 0, sizeof(folded));
    out[o] = '\0';
    return o ? (int)o : fail(out, outsz);
}

int
normalise_email(const char *in, size_t len, char *out, size_t outsz)
{
    size_t i, o = 0, at = 0, nat = 0, dot_after = 0;

    while (len && (in[0] == ' ' || in[0] == '\t')) {
        in++;
        len--;
    }
    while (len && (in[len - 1] == ' ' || in[len - 1] == '\t'))
        len--;
    if (len >= 7 && !strncmp(in, "mailto:", 7)) {
        in += 7;
        len -= 7;
    }
    if (!len || len >= outsz)
        return fail(out, outsz);
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];

        if (c <= ' ' || c == 0x7F || c == '"' || c == '\'' || c == ',' ||
            c == ';' || c == '<' || c == '>')
            return fail(out, outsz);
        if (c == '@') {
            at = o;
            nat++;
        } else if (c == '.' && nat == 1 && o > at + 1) {
            dot_after = 1;
        }
        out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    out[o] = '\0';
    if (nat != 1 || at == 0 || !dot_after || out[o - 1] == '.')
        return fail(out, outsz);
    return (int)o;
}

int
normalise_phone(const char *in, size_t len, char *out, size_t outsz)
{
    char d[32];
    size_t i, n = 0, o = 0, skip = 0;
    int plus = 0, intl = 0;

    for (i = 0; i < len; i++) {
        char c = in[i];

        if (c >= '0' && c <= '9') {
            if (n >= sizeof(d))
                return fail(out, outsz);
            d[n++] = c;
        } else if (c == '+' && !n) {
            plus = 1;
        } else if ((c | 32) >= 'a' && (c | 32) <= 'z' && n >= 7) {
            break; /* "x12", "ext 12" after the number: an extension */
        }
    }
    /* international prefixes: +CC or 00CC */
    if (plus)
        intl = 1;
    else if (n > 2 && d[0] == '0' && d[1] == '0') {
        intl = 1;
        skip = 2;
    }
    if (intl && n - skip > 2 && d[skip] == '4' && d[skip + 1] == '4') {
        /* the UK's own: its national form, 0 and the rest ((0) dropped) */
        skip += 2;
        if (skip < n && d[skip] == '0')
            skip++;
        intl = 0;
        if (outsz < 2)
            return fail(out, outsz);
        out[o++] = '0';
    } else if (intl) {
        if (outsz < 2)
            return fail(out, outsz);
        out[o++] = '+';
    }
    if (n - skip + o < 7 || n - skip + o > 16 || n - skip + o >= outsz) {
        memset(d, 0, sizeof(d));
        return fail(out, outsz);
    }
    memcpy(out + o, d + skip, n - skip);
    o += n - skip;
    out[o] = '\0';
    memset(d, 0, sizeof(d));
    return (int)o;
}

int
normalise_postcode_token(const char *in, size_t len, char *out, size_t outsz)
{
    size_t i, o = 0;

    for (i = 0; i < len; i++) {
        char c = in[i];

        if (c >= 'a' && c <= 'z')
            c = (char)(c - 32);
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            continue;
        if (o >= 8 || o + 1 >= outsz)
            return fail(out, outsz);
        out[o++] = c;
    }
    if (o < 2)
        return fail(out, outsz);
    out[o] = '\0';
    return (int)o;
}

int
normalise_town(const char *in, size_t len, char *out, size_t outsz)
{
    return normalise_name(in, len, out, outsz);
}
