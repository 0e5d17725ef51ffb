#include "normalise.h"
#include "../core/schema.h"

#include "../core/calendar.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* ASCII for the Latin-1 Supplement letters U+00C0..U+00FF. */
static const char *const latin1[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", " ", "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", " ", "o", "u", "u", "u", "u", "y", "th", "y"};

struct fold_range {
    unsigned lo, hi;
    const char *ascii;
};

/*
 * The Latin letters beyond Latin-1, in ranges of one base letter, as the
 * Unicode decomposition (NFKD) leaves them once the marks are dropped, and
 * for the letters it does not decompose (Ł, Đ, Ħ, ı, Ø above, the hooked
 * letters of Hausa, the horned o and u of Vietnamese) the letter they are
 * written as without the mark. Sorted; a letter in no range is kept as
 * written. Latin Extended-A (U+0100..U+017F), Extended-B (U+0180..U+024F),
 * the IPA letters used in African orthographies (ɓ ɗ ɛ ɔ ə) and Latin
 * Extended Additional (U+1E00..U+1EFF: Vietnamese, Welsh ẁ ẃ ẅ ỳ).
 */
static const struct fold_range latin_ext[] = {
    {0x100, 0x105, "a"}, {0x106, 0x10D, "c"}, {0x10E, 0x111, "d"},
    {0x112, 0x11B, "e"}, {0x11C, 0x123, "g"}, {0x124, 0x127, "h"},
    {0x128, 0x131, "i"}, {0x132, 0x133, "ij"}, {0x134, 0x135, "j"},
    {0x136, 0x138, "k"}, {0x139, 0x142, "l"}, {0x143, 0x14B, "n"},
    {0x14C, 0x151, "o"}, {0x152, 0x153, "oe"}, {0x154, 0x159, "r"},
    {0x15A, 0x161, "s"}, {0x162, 0x167, "t"}, {0x168, 0x173, "u"},
    {0x174, 0x175, "w"}, {0x176, 0x178, "y"}, {0x179, 0x17E, "z"},
    {0x17F, 0x17F, "s"},
    /* Latin Extended-B */
    {0x180, 0x183, "b"}, {0x186, 0x186, "o"}, {0x187, 0x188, "c"},
    {0x189, 0x18C, "d"}, {0x18E, 0x18E, "e"}, {0x18F, 0x18F, "a"},
    {0x190, 0x190, "e"}, {0x191, 0x192, "f"}, {0x193, 0x193, "g"},
    {0x196, 0x197, "i"}, {0x198, 0x199, "k"}, {0x19A, 0x19A, "l"},
    {0x19D, 0x19E, "n"}, {0x19F, 0x1A1, "o"}, {0x1A4, 0x1A5, "p"},
    {0x1AB, 0x1AE, "t"}, {0x1AF, 0x1B0, "u"}, {0x1B2, 0x1B2, "v"},
    {0x1B3, 0x1B4, "y"}, {0x1B5, 0x1B6, "z"}, {0x1C4, 0x1C6, "dz"},
    {0x1C7, 0x1C9, "lj"}, {0x1CA, 0x1CC, "nj"}, {0x1CD, 0x1CE, "a"},
    {0x1CF, 0x1D0, "i"}, {0x1D1, 0x1D2, "o"}, {0x1D3, 0x1DC, "u"},
    {0x1DD, 0x1DD, "e"}, {0x1DE, 0x1E1, "a"}, {0x1E2, 0x1E3, "ae"},
    {0x1E4, 0x1E7, "g"}, {0x1E8, 0x1E9, "k"}, {0x1EA, 0x1ED, "o"},
    {0x1F0, 0x1F0, "j"}, {0x1F1, 0x1F3, "dz"}, {0x1F4, 0x1F5, "g"},
    {0x1F8, 0x1F9, "n"}, {0x1FA, 0x1FB, "a"}, {0x1FC, 0x1FD, "ae"},
    {0x1FE, 0x1FF, "o"}, {0x200, 0x203, "a"}, {0x204, 0x207, "e"},
    {0x208, 0x20B, "i"}, {0x20C, 0x20F, "o"}, {0x210, 0x213, "r"},
    {0x214, 0x217, "u"}, {0x218, 0x219, "s"}, {0x21A, 0x21B, "t"},
    {0x21E, 0x21F, "h"}, {0x220, 0x220, "n"}, {0x221, 0x221, "d"},
    {0x224, 0x225, "z"}, {0x226, 0x227, "a"}, {0x228, 0x229, "e"},
    {0x22A, 0x231, "o"}, {0x232, 0x233, "y"}, {0x234, 0x234, "l"},
    {0x235, 0x235, "n"}, {0x236, 0x236, "t"}, {0x237, 0x237, "j"},
    {0x23A, 0x23A, "a"}, {0x23B, 0x23C, "c"}, {0x23D, 0x23D, "l"},
    {0x23E, 0x23E, "t"}, {0x23F, 0x23F, "s"}, {0x240, 0x240, "z"},
    {0x243, 0x243, "b"}, {0x244, 0x244, "u"}, {0x245, 0x245, "v"},
    {0x246, 0x247, "e"}, {0x248, 0x249, "j"}, {0x24A, 0x24B, "q"},
    {0x24C, 0x24D, "r"}, {0x24E, 0x24F, "y"},
    /* IPA letters of African and Azerbaijani orthographies */
    {0x253, 0x253, "b"}, {0x254, 0x254, "o"}, {0x256, 0x257, "d"},
    {0x259, 0x259, "a"}, {0x25B, 0x25B, "e"}, {0x260, 0x260, "g"},
    {0x268, 0x268, "i"}, {0x272, 0x272, "n"}, {0x289, 0x289, "u"},
    /* Latin Extended Additional */
    {0x1E00, 0x1E01, "a"}, {0x1E02, 0x1E07, "b"}, {0x1E08, 0x1E09, "c"},
    {0x1E0A, 0x1E13, "d"}, {0x1E14, 0x1E1D, "e"}, {0x1E1E, 0x1E1F, "f"},
    {0x1E20, 0x1E21, "g"}, {0x1E22, 0x1E2B, "h"}, {0x1E2C, 0x1E2F, "i"},
    {0x1E30, 0x1E35, "k"}, {0x1E36, 0x1E3D, "l"}, {0x1E3E, 0x1E43, "m"},
    {0x1E44, 0x1E4B, "n"}, {0x1E4C, 0x1E53, "o"}, {0x1E54, 0x1E57, "p"},
    {0x1E58, 0x1E5F, "r"}, {0x1E60, 0x1E69, "s"}, {0x1E6A, 0x1E71, "t"},
    {0x1E72, 0x1E7B, "u"}, {0x1E7C, 0x1E7F, "v"}, {0x1E80, 0x1E89, "w"},
    {0x1E8A, 0x1E8D, "x"}, {0x1E8E, 0x1E8F, "y"}, {0x1E90, 0x1E95, "z"},
    {0x1E96, 0x1E96, "h"}, {0x1E97, 0x1E97, "t"}, {0x1E98, 0x1E98, "w"},
    {0x1E99, 0x1E99, "y"}, {0x1E9A, 0x1E9A, "a"}, {0x1E9B, 0x1E9D, "s"},
    {0x1E9E, 0x1E9E, "ss"}, {0x1EA0, 0x1EB7, "a"}, {0x1EB8, 0x1EC7, "e"},
    {0x1EC8, 0x1ECB, "i"}, {0x1ECC, 0x1EE3, "o"}, {0x1EE4, 0x1EF1, "u"},
    {0x1EF2, 0x1EF9, "y"}, {0x1EFA, 0x1EFB, "ll"}, {0x1EFC, 0x1EFD, "v"},
    {0x1EFE, 0x1EFF, "y"},
    /* Latin ligatures: ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ */
    {0xFB00, 0xFB00, "ff"}, {0xFB01, 0xFB01, "fi"}, {0xFB02, 0xFB02, "fl"},
    {0xFB03, 0xFB03, "ffi"}, {0xFB04, 0xFB04, "ffl"}, {0xFB05, 0xFB06, "st"},
};

static const char *
fold_latin(unsigned cp)
{
    size_t lo = 0, hi = sizeof(latin_ext) / sizeof(latin_ext[0]);

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (cp < latin_ext[mid].lo)
            hi = mid;
        else if (cp > latin_ext[mid].hi)
            lo = mid + 1;
        else
            return latin_ext[mid].ascii;
    }
    return NULL;
}

/* Decodes one UTF-8 sequence; returns its length, or 0 when invalid. */
static size_t
utf8_decode(const unsigned char *p, size_t n, unsigned *cp)
{
    unsigned c = p[0];
    size_t len, i;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        c &= 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        c &= 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        c &= 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3F);
    }
    if ((len == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) ||
        (len == 4 && (c < 0x10000 || c > 0x10FFFF)))
        return 0;
    *cp = c;
    return len;
}

static int
put(char *out, size_t outsz, size_t *o, const char *s, size_t n)
{
    if (*o + n >= outsz)
        return -1;
    memcpy(out + *o, s, n);
    *o += n;
    return 0;
}

static int
is_title(const char *w, size_t n)
{
    static const char *const titles[] = {"mr", "mrs", "miss", "ms", "mx",
                                         "dr", "mstr", "master"};
    size_t i;

    for (i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
        if (strlen(titles[i]) == n && !memcmp(titles[i], w, n))
            return 1;
    return 0;
}

enum fold {
    FOLD_LETTERS,    /* *text: the ASCII it is written as */
    FOLD_SEPARATOR,  /* a space, hyphen, dot or other punctuation */
    FOLD_APOSTROPHE, /* ' ’ ‘ ` ʼ ʻ ʿ and the other modifier letters */
    FOLD_VANISH,     /* combining marks, soft hyphen, zero-width characters */
    FOLD_KEEP,       /* a letter of another script: kept as written */
};

/*
 * How one code point folds. Fullwidth ASCII (U+FF01..U+FF5E) folds as the
 * ASCII it stands for; one[2] holds a lower-cased ASCII letter or digit.
 */
static enum fold
fold_codepoint(unsigned cp, const char **text, char one[2])
{
    if (cp >= 0xFF01 && cp <= 0xFF5E)
        cp -= 0xFEE0;
    if (cp < 0x80) {
        if (cp == '\'' || cp == '`')
            return FOLD_APOSTROPHE;
        if (!isalnum((int)cp))
            return FOLD_SEPARATOR;
        one[0] = (char)tolower((int)cp);
        one[1] = '\0';
        *text = one;
        return FOLD_LETTERS;
    }
    if ((cp >= 0x300 && cp <= 0x36F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
        (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
        (cp >= 0xFE20 && cp <= 0xFE2F) || cp == 0xAD ||
        (cp >= 0x200B && cp <= 0x200F) || cp == 0x2060 || cp == 0xFEFF)
        return FOLD_VANISH;
    if (cp == 0x2018 || cp == 0x2019 || cp == 0x201B || cp == 0x2032 ||
        cp == 0xB4 || (cp >= 0x2B0 && cp <= 0x2FF))
        return FOLD_APOSTROPHE;
    if (cp >= 0xC0 && cp <= 0xFF) {
        *text = latin1[cp - 0xC0];
        return (*text)[0] == ' ' ? FOLD_SEPARATOR : FOLD_LETTERS;
    }
    if (cp < 0xC0 || (cp >= 0x2000 && cp <= 0x206F) || cp == 0x2212 ||
        (cp >= 0x3000 && cp <= 0x3003))
        return FOLD_SEPARATOR; /* Latin-1 and general punctuation, minus,
                                  ideographic space and comma */
    *text = fold_latin(cp);
    return *text ? FOLD_LETTERS : FOLD_KEEP;
}

/* Drops a leading title (mr, mrs, dr ...) when a name follows it. */
static size_t
drop_title(char *out, size_t o)
{
    char *sp = strchr(out, ' ');

    if (sp && is_title(out, (size_t)(sp - out))) {
        size_t skip = (size_t)(sp - out) + 1;

        memmove(out, out + skip, o - skip + 1);
        o -= skip;
    }
    return o;
}

int
normalise_name(const char *in, size_t len, char *out, size_t outsz)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t i = 0, o = 0, word = 0; /* out[word..o) is the current word */
    int space = 1;                 /* drop leading spaces */

    if (!outsz)
        return -1;
    while (i < len) {
        unsigned cp;
        size_t n = utf8_decode(p + i, len - i, &cp);
        const char *text = NULL;
        char one[2];
        enum fold f;

        if (!n) {
            out[0] = '\0';
            return -1;
        }
        f = fold_codepoint(cp, &text, one);
        /* O'Brien, D'Souza, A'isha: an apostrophe after a one-letter word
         * parts an elided particle; inside a word (Sa'id) it vanishes */
        if (f == FOLD_APOSTROPHE)
            f = !space && o - word == 1 ? FOLD_SEPARATOR : FOLD_VANISH;
        if (f == FOLD_SEPARATOR) {
            if (!space && put(out, outsz, &o, " ", 1) < 0)
                goto too_long;
            space = 1;
        } else if (f != FOLD_VANISH) {
            if (space)
                word = o;
            if (f == FOLD_LETTERS ? put(out, outsz, &o, text, strlen(text))
                                  : put(out, outsz, &o, in + i, n))
                goto too_long;
            space = 0;
        }
        i += n;
    }
    while (o && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
    o = drop_title(out, o);
    return o ? (int)o : -1;
too_long:
    out[0] = '\0';
    return -1;
}

int
normalise_name_compact(const char *name, char *out, size_t outsz)
{
    size_t o = 0;

    if (!outsz)
        return -1;
    for (; *name; name++) {
        if (*name == ' ')
            continue;
        if (o + 1 >= outsz) {
            out[0] = '\0';
            return -1;
        }
        out[o++] = *name;
    }
    out[o] = '\0';
    return o ? (int)o : -1;
}

/*
 * Surname particles: articles, prepositions and patronymic words written
 * before a family name (Al-Hassan, El Sayed, Abu Bakr, bin Ali, ap Rhys,
 * Da Silva, de la Cruz, Van der Meer, von, Le Roux, D'Souza, O'Brien, Mc
 * Donald, Ní Bhriain), and `y` between the two Spanish surnames. gaelic:
 * the form the particle takes in `joined` ("o" for Ó/Ní/Uí, "mac" for
 * Mac/Mc/Nic/Mhic); lenites: the particle lenites the word after it (Ní
 * Bhriain is the daughter of Ó Briain; after Nic a c or g stays).
 */
static const struct particle {
    const char *word;
    const char *gaelic;
    unsigned char lenites; /* 1: any, 2: not c or g */
} particles[] = {
    {"ab", NULL, 0},   {"abu", NULL, 0},  {"al", NULL, 0},
    {"ap", NULL, 0},   {"ben", NULL, 0},  {"bin", NULL, 0},
    {"bint", NULL, 0}, {"binti", NULL, 0}, {"d", NULL, 0},
    {"da", NULL, 0},   {"das", NULL, 0},  {"de", NULL, 0},
    {"dei", NULL, 0},  {"del", NULL, 0},  {"della", NULL, 0},
    {"den", NULL, 0},  {"der", NULL, 0},  {"des", NULL, 0},
    {"di", NULL, 0},   {"do", NULL, 0},   {"dos", NULL, 0},
    {"du", NULL, 0},   {"el", NULL, 0},   {"ibn", NULL, 0},
    {"l", NULL, 0},    {"la", NULL, 0},   {"le", NULL, 0},
    {"lo", NULL, 0},   {"mac", "mac", 0}, {"mc", "mac", 0},
    {"mhic", "mac", 1}, {"ni", "o", 1},   {"nic", "mac", 2},
    {"o", "o", 0},     {"ten", NULL, 0},  {"ter", NULL, 0},
    {"ua", "o", 0},    {"ui", "o", 1},    {"ul", NULL, 0},
    {"van", NULL, 0},  {"von", NULL, 0},  {"y", NULL, 0},
};

static const struct particle *
particle_of(const char *w, size_t n)
{
    size_t i;

    for (i = 0; i < sizeof(particles) / sizeof(particles[0]); i++)
        if (strlen(particles[i].word) == n && !memcmp(particles[i].word, w, n))
            return &particles[i];
    return NULL;
}

#define SURNAME_WORDS_MAX (NAME_MAX_BYTES / 2)

/*
 * One word of a surname: its text s[0..n), written in `joined` as pre
 * followed by s[skip..n) -- Ní as "o", Mc as "mac", a lenited Bhriain as
 * "b" + "riain" -- and in `bare` as bpre followed by s[bskip..n) (an
 * attached Mc dropped: McDonald -> "donald").
 */
struct surname_word {
    const char *s;
    size_t n;
    const char *pre, *bpre;
    size_t pren, skip, bpren, bskip;
    int particle; /* listed, and not the last word */
};

/* Marks w's particles and spells w as joined and bare write it. */
static void
surname_forms(struct surname_word *w, int nw)
{
    int i, lenite = 0;

    for (i = 0; i < nw; i++) {
        const struct particle *pt =
            i + 1 < nw ? particle_of(w[i].s, w[i].n) : NULL;
        const char *s = w[i].s;

        w[i].pre = w[i].bpre = "";
        w[i].pren = w[i].skip = w[i].bpren = w[i].bskip = 0;
        w[i].particle = pt != NULL;
        if (pt && pt->gaelic) {
            w[i].pre = pt->gaelic;
            w[i].pren = strlen(pt->gaelic);
            w[i].skip = w[i].n;
        } else if (!pt && lenite && w[i].n > 2 && s[1] == 'h' &&
                   strchr("bcdfgmpst", s[0]) &&
                   !(lenite == 2 && (s[0] == 'c' || s[0] == 'g'))) {
            /* the radical form: the first letter, then after the h */
            w[i].pre = w[i].bpre = s;
            w[i].pren = w[i].bpren = 1;
            w[i].skip = w[i].bskip = 2;
        } else if (!pt && w[i].n > 2 && s[0] == 'm' && s[1] == 'c') {
            w[i].pre = "mac";
            w[i].pren = 3;
            w[i].skip = w[i].bskip = 2;
        }
        lenite = pt ? pt->lenites : 0;
    }
}

/* Splits name at its spaces into w; the number of words, or -1. */
static int
surname_words(const char *name, struct surname_word *w)
{
    int nw = 0;

    while (*name) {
        size_t n = strcspn(name, " ");

        if (n) {
            if (nw == SURNAME_WORDS_MAX)
                return -1;
            w[nw].s = name;
            w[nw].n = n;
            nw++;
        }
        name += n;
        while (*name == ' ')
            name++;
    }
    surname_forms(w, nw);
    return nw;
}

static int
put_form(char *out, size_t outsz, size_t *o, const char *pre, size_t pren,
         const struct surname_word *w, size_t skip)
{
    return put(out, outsz, o, pre, pren) < 0 ||
                   put(out, outsz, o, w->s + skip, w->n - skip) < 0
               ? -1
               : 0;
}

int
normalise_surname_joined(const char *name, char *out, size_t outsz)
{
    struct surname_word w[SURNAME_WORDS_MAX];
    size_t o = 0;
    int nw, i;

    if (!outsz)
        return -1;
    out[0] = '\0';
    if ((nw = surname_words(name, w)) <= 0)
        return -1;
    for (i = 0; i < nw; i++)
        if (put_form(out, outsz, &o, w[i].pre, w[i].pren, &w[i],
                     w[i].skip) < 0) {
            out[0] = '\0';
            return -1;
        }
    out[o] = '\0';
    return (int)o;
}

int
normalise_surname_parts(const char *name, struct surname_parts *out)
{
    struct surname_word w[SURNAME_WORDS_MAX];
    size_t o = 0;
    int nw, i, dropped = 0;
    unsigned groups = 0;

    memset(out, 0, sizeof(*out));
    if ((nw = surname_words(name, w)) <= 0 ||
        normalise_surname_joined(name, out->joined, sizeof(out->joined)) < 0)
        return -1;
    for (i = 0; i < nw; i++) {
        size_t po = 0;

        if (w[i].particle || (w[i].bskip == 2 && !w[i].bpren)) {
            dropped = 1;
            if (w[i].particle)
                continue;
        }
        if (put_form(out->bare, sizeof(out->bare), &o, w[i].bpre, w[i].bpren,
                     &w[i], w[i].bskip) < 0)
            goto fail;
        if (groups < SURNAME_PARTS_MAX &&
            put_form(out->part[groups], sizeof(out->part[groups]), &po,
                     w[i].bpre, w[i].bpren, &w[i], w[i].bskip) < 0)
            goto fail;
        groups++;
    }
    if (!dropped)
        o = 0;
    out->bare[o] = '\0';
    out->nparts = groups >= 2 && groups <= SURNAME_PARTS_MAX ? groups : 0;
    if (!out->nparts)
        memset(out->part, 0, sizeof(out->part));
    return 0;
fail:
    memset(out, 0, sizeof(*out));
    return -1;
}

static const char *const months[12] = {"jan", "feb", "mar", "apr", "may", "jun",
                                       "jul", "aug", "sep", "oct", "nov", "dec"};
static const char *const month_names[12] = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};

/* Reads 1..max digits. */
static int
read_num(const char *s, size_t len, size_t *i, int min_digits, int max_digits,
         int *out)
{
    int v = 0, n = 0;

    while (*i < len && n < max_digits && isdigit((unsigned char)s[*i])) {
        v = v * 10 + (s[*i] - '0');
        (*i)++;
        n++;
    }
    if (n < min_digits)
        return -1;
    *out = v;
    return 0;
}

static enum date_fault
finish_date(int y, int m, int d, int32_t *out)
{
    if (m < 1 || m > 12 || d < 1 || !date_is_valid(y, m, d))
        return DATE_IMPOSSIBLE;
    *out = days_from_civil(y, m, d); /* before 1900 too: for min_dob */
    return y < 1900 ? DATE_BEFORE_1900 : DATE_OK;
}

static enum date_fault
parse_with(const char *s, size_t len, const char *fmt, int pivot, int32_t *out)
{
    size_t i = 0;
    int y = -1, m = -1, d = -1, v, k;

    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            if (i >= len || s[i] != *fmt)
                return DATE_SYNTAX;
            i++;
            continue;
        }
        switch (*++fmt) {
        case 'd':
        case 'e':
            while (*fmt == 'e' && i < len && s[i] == ' ')
                i++;
            if (read_num(s, len, &i, 1, 2, &d) < 0)
                return DATE_SYNTAX;
            break;
        case 'm':
            if (read_num(s, len, &i, 1, 2, &m) < 0)
                return DATE_SYNTAX;
            break;
        case 'Y':
            if (read_num(s, len, &i, 4, 4, &y) < 0)
                return DATE_SYNTAX;
            break;
        case 'y':
            if (read_num(s, len, &i, 2, 2, &v) < 0)
                return DATE_SYNTAX;
            y = v > pivot % 100 ? 1900 + v : 2000 + v;
            break;
        case 'b':
        case 'B':
        case 'h':
            m = -1;
            for (k = 0; k < 12 && m < 0; k++) {
                size_t ln = strlen(month_names[k]);

                if (len - i >= ln && !strncasecmp(s + i, month_names[k], ln)) {
                    m = k + 1;
                    i += ln;
                } else if (len - i >= 3 && !strncasecmp(s + i, months[k], 3)) {
                    m = k + 1;
                    i += 3;
                }
            }
            if (m < 0)
                return DATE_SYNTAX;
            break;
        case 'H':
        case 'M':
        case 'S':
            if (read_num(s, len, &i, 1, 2, &v) < 0)
                return DATE_SYNTAX;
            break;
        case '%':
            if (i >= len || s[i] != '%')
                return DATE_SYNTAX;
            i++;
            break;
        default:
            return DATE_SYNTAX;
        }
    }
    if (i != len || y < 0 || m < 0 || d < 0)
        return DATE_SYNTAX;
    return finish_date(y, m, d, out);
}

/* ISO yyyy-mm-dd (a time part after 'T' or ' ' ignored) or yyyymmdd;
 * DATE_SYNTAX when s (trimmed, not empty) is neither. */
static enum date_fault
parse_iso(const char *s, size_t len, int32_t *out)
{
    size_t i;
    int y, m, d;

    if (len >= 10 && s[4] == '-' && s[7] == '-' &&
        (len == 10 || s[10] == 'T' || s[10] == ' ')) {
        for (i = 0; i < 10; i++)
            if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
                return DATE_SYNTAX;
        y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
            (s[3] - '0');
        m = (s[5] - '0') * 10 + (s[6] - '0');
        d = (s[8] - '0') * 10 + (s[9] - '0');
        return finish_date(y, m, d, out);
    }
    if (len == 8) {
        for (i = 0; i < 8; i++)
            if (!isdigit((unsigned char)s[i]))
                return DATE_SYNTAX;
        y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
            (s[3] - '0');
        m = (s[4] - '0') * 10 + (s[5] - '0');
        d = (s[6] - '0') * 10 + (s[7] - '0');
        return finish_date(y, m, d, out);
    }
    return DATE_SYNTAX;
}

enum date_fault
parse_date_formats(const char *s, size_t len, const char *const *fmts,
                   size_t n, int pivot_year, int32_t *out, int *ambiguous)
{
    enum date_fault f = DATE_SYNTAX, g;
    int32_t day, other;
    size_t i;
    int found = 0;

    if (ambiguous)
        *ambiguous = 0;
    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (!len)
        return DATE_EMPTY;
    for (i = 0; i < n; i++) {
        g = parse_with(s, len, fmts[i], pivot_year, found ? &other : &day);
        if (g == DATE_OK && !found) {
            found = 1;
            if (!ambiguous)
                break;
        } else if (g == DATE_OK && other != day) {
            *ambiguous = 1;
            break;
        } else if (g != DATE_OK && g != DATE_SYNTAX && !found) {
            if ((f = g) == DATE_BEFORE_1900)
                *out = day; /* the date, for a min_dob before 1900 */
        }
    }
    if (found) {
        *out = day;
        return DATE_OK;
    }
    g = parse_iso(s, len, out);
    /* a format that read an impossible date says more than ISO's syntax
     * error; one that read nothing says less than ISO's verdict */
    return g == DATE_SYNTAX ? f : g;
}

enum date_fault
parse_date(const char *s, size_t len, const char *fmt, int pivot_year,
           int32_t *out)
{
    return parse_date_formats(s, len, &fmt, fmt ? 1 : 0, pivot_year, out,
                              NULL);
}

int
date_format_valid(const char *fmt, size_t len)
{
    size_t i;
    int d = 0, m = 0, y = 0;

    for (i = 0; i < len; i++) {
        if (fmt[i] != '%')
            continue;
        if (++i == len)
            return -1;
        switch (fmt[i]) {
        case 'd':
        case 'e':
            d = 1;
            break;
        case 'm':
        case 'b':
        case 'B':
        case 'h':
            m = 1;
            break;
        case 'Y':
        case 'y':
            y = 1;
            break;
        case 'H':
        case 'M':
        case 'S':
        case '%':
            break;
        default:
            return -1;
        }
    }
    return d && m && y ? 0 : -1;
}

int
date_format_split(const char *text, const char **starts, size_t *lens,
                  size_t max)
{
    size_t n = 0;

    for (;;) {
        const char *end = strchr(text, ',');
        size_t len = end ? (size_t)(end - text) : strlen(text);

        while (len && isspace((unsigned char)*text)) {
            text++;
            len--;
        }
        while (len && isspace((unsigned char)text[len - 1]))
            len--;
        if (!len || n == max)
            return -1;
        starts[n] = text;
        lens[n++] = len;
        if (!end)
            return (int)n;
        text = end + 1;
    }
}

int
dob_is_future(int32_t dob, int32_t reference)
{
    return dob > reference;
}

int
normalise_postcode(const char *s, size_t len, struct postcode *out)
{
    char c[8];
    size_t n = 0, i, out_len;
    int letters = 0;

    memset(out, 0, sizeof(*out));
    for (i = 0; i < len; i++) {
        if (s[i] == ' ' || s[i] == '\t')
            continue;
        if (!isalnum((unsigned char)s[i]) || n >= 7)
            return -1;
        c[n++] = (char)toupper((unsigned char)s[i]);
    }
    c[n] = '\0';
    if (!strcmp(c, "GIR0AA")) {
        memcpy(out->full, "GIR 0AA", 8);
        memcpy(out->sector, "GIR 0", 6);
        memcpy(out->district, "GIR", 4);
        memcpy(out->area, "GI", 3);
        return 0;
    }
    if (n < 5)
        return -1;
    /* inward: digit + two letters, never C I K M O V */
    out_len = n - 3;
    if (!isdigit((unsigned char)c[out_len]))
        return -1;
    for (i = out_len + 1; i < n; i++)
        if (!isalpha((unsigned char)c[i]) || strchr("CIKMOV", c[i]))
            return -1;
    /* outward: A9 A99 A9A AA9 AA99 AA9A */
    if (!isalpha((unsigned char)c[0]) || strchr("QVX", c[0]))
        return -1;
    letters = isalpha((unsigned char)c[1]) ? 2 : 1;
    if (letters == 2 && strchr("IJZ", c[1]))
        return -1;
    if ((size_t)letters >= out_len || !isdigit((unsigned char)c[letters]))
        return -1;
    switch (out_len - (size_t)letters) {
    case 1:
        break;
    case 2:
        if (isdigit((unsigned char)c[letters + 1]))
            break;
        if (letters == 1 && strchr("ABCDEFGHJKPSTUW", c[2]))
            break;
        if (letters == 2 && strchr("ABEHMNPRVWXY", c[3]))
            break;
        return -1;
    default:
        return -1;
    }
    memcpy(out->full, c, out_len);
    out->full[out_len] = ' ';
    memcpy(out->full + out_len + 1, c + out_len, 3);
    memcpy(out->sector, out->full, out_len + 2);
    memcpy(out->district, c, out_len);
    memcpy(out->area, c, (size_t)letters);
    return 0;
}
