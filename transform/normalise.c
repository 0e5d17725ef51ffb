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

/* Latin Extended-A (U+0100..U+017F) in ranges of one base letter. */
static const struct {
    unsigned lo, hi;
    const char *ascii;
} latin_ext[] = {
    {0x100, 0x105, "a"}, {0x106, 0x10D, "c"}, {0x10E, 0x111, "d"},
    {0x112, 0x11B, "e"}, {0x11C, 0x123, "g"}, {0x124, 0x127, "h"},
    {0x128, 0x131, "i"}, {0x132, 0x133, "ij"}, {0x134, 0x135, "j"},
    {0x136, 0x138, "k"}, {0x139, 0x142, "l"}, {0x143, 0x14B, "n"},
    {0x14C, 0x151, "o"}, {0x152, 0x153, "oe"}, {0x154, 0x159, "r"},
    {0x15A, 0x161, "s"}, {0x162, 0x167, "t"}, {0x168, 0x173, "u"},
    {0x174, 0x175, "w"}, {0x176, 0x178, "y"}, {0x179, 0x17E, "z"},
    {0x17F, 0x17F, "s"},
};

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

int
normalise_name(const char *in, size_t len, char *out, size_t outsz)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t i = 0, o = 0, k;
    int space = 1; /* drop leading spaces */

    if (!outsz)
        return -1;
    while (i < len) {
        unsigned cp;
        size_t n = utf8_decode(p + i, len - i, &cp);
        const char *rep = NULL;
        char one;

        if (!n) {
            out[0] = '\0';
            return -1;
        }
        if (cp == '\'' || cp == '`' || cp == 0x2019 || cp == 0x2018 ||
            (cp >= 0x300 && cp <= 0x36F)) {
            i += n; /* apostrophes and combining accents vanish */
            continue;
        }
        if (cp < 0x80) {
            if (isalnum((int)cp)) {
                one = (char)tolower((int)cp);
                rep = &one;
                if (put(out, outsz, &o, rep, 1) < 0)
                    goto too_long;
                space = 0;
                i += n;
                continue;
            }
            rep = " ";
        } else if (cp >= 0xC0 && cp <= 0xFF) {
            rep = latin1[cp - 0xC0];
        } else if (cp >= 0x100 && cp <= 0x17F) {
            for (k = 0; k < sizeof(latin_ext) / sizeof(latin_ext[0]); k++)
                if (cp >= latin_ext[k].lo && cp <= latin_ext[k].hi)
                    rep = latin_ext[k].ascii;
        } else if (cp < 0xC0 || (cp >= 0x2000 && cp <= 0x206F)) {
            rep = " "; /* Latin-1 punctuation, general punctuation */
        }
        if (rep && rep[0] == ' ') {
            if (!space && put(out, outsz, &o, " ", 1) < 0)
                goto too_long;
            space = 1;
        } else if (rep) {
            if (put(out, outsz, &o, rep, strlen(rep)) < 0)
                goto too_long;
            space = 0;
        } else {
            /* another script: kept as written */
            if (put(out, outsz, &o, in + i, n) < 0)
                goto too_long;
            space = 0;
        }
        i += n;
    }
    while (o && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
    /* a leading title goes when a name follows it */
    {
        char *sp = strchr(out, ' ');

        if (sp && is_title(out, (size_t)(sp - out))) {
            size_t skip = (size_t)(sp - out) + 1;

            memmove(out, out + skip, o - skip + 1);
            o -= skip;
        }
    }
    return o ? (int)o : -1;
too_long:
    out[0] = '\0';
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
    if (y < 1900)
        return DATE_BEFORE_1900;
    *out = days_from_civil(y, m, d);
    return DATE_OK;
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

enum date_fault
parse_date(const char *s, size_t len, const char *fmt, int pivot_year,
           int32_t *out)
{
    enum date_fault f = DATE_SYNTAX;
    size_t i;
    int y, m, d;

    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (!len)
        return DATE_EMPTY;
    if (fmt) {
        f = parse_with(s, len, fmt, pivot_year, out);
        if (f != DATE_SYNTAX)
            return f;
    }
    /* ISO yyyy-mm-dd, optionally with a time part */
    if (len >= 10 && s[4] == '-' && s[7] == '-' &&
        (len == 10 || s[10] == 'T' || s[10] == ' ')) {
        for (i = 0; i < 10; i++)
            if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
                return f;
        y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
            (s[3] - '0');
        m = (s[5] - '0') * 10 + (s[6] - '0');
        d = (s[8] - '0') * 10 + (s[9] - '0');
        return finish_date(y, m, d, out);
    }
    if (len == 8) {
        for (i = 0; i < 8; i++)
            if (!isdigit((unsigned char)s[i]))
                return f;
        y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
            (s[3] - '0');
        m = (s[4] - '0') * 10 + (s[5] - '0');
        d = (s[6] - '0') * 10 + (s[7] - '0');
        return finish_date(y, m, d, out);
    }
    return f;
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

struct code {
    const char *code;
    int value;
};

static int
lookup_code(const struct code *t, size_t n, const char *s, size_t len)
{
    size_t i;

    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    for (i = 0; i < n; i++)
        if (strlen(t[i].code) == len && !strncasecmp(t[i].code, s, len))
            return t[i].value;
    return -1;
}

static const struct code sex_codes[] = {
    {"M", SEX_M}, {"Male", SEX_M}, {"1", SEX_M}, {"Man", SEX_M},
    {"F", SEX_F}, {"Female", SEX_F}, {"2", SEX_F}, {"Woman", SEX_F},
    {"U", SEX_U}, {"Unknown", SEX_U}, {"0", SEX_U}, {"9", SEX_U},
    {"Not known", SEX_U}, {"Not stated", SEX_U},
    {"X", SEX_X}, {"I", SEX_X}, {"Indeterminate", SEX_X},
    {"Not specified", SEX_X}, {"Other", SEX_X},
};

static const struct code ethnicity_codes[] = {
    /* top-level groups */
    {"WHITE", ETH_WHITE}, {"MIXED", ETH_MIXED}, {"ASIAN", ETH_ASIAN},
    {"BLACK", ETH_BLACK}, {"OTHER", ETH_OTHER}, {"UNKNOWN", ETH_UNKNOWN},
    /* DfE codes used by CIN, SSDA903 and the school census */
    {"WBRI", ETH_WHITE}, {"WIRI", ETH_WHITE}, {"WIRT", ETH_WHITE},
    {"WOTH", ETH_WHITE}, {"WROM", ETH_WHITE}, {"MWBC", ETH_MIXED},
    {"MWBA", ETH_MIXED}, {"MWAS", ETH_MIXED}, {"MOTH", ETH_MIXED},
    {"AIND", ETH_ASIAN}, {"APKN", ETH_ASIAN}, {"ABAN", ETH_ASIAN},
    {"AOTH", ETH_ASIAN}, {"CHNE", ETH_ASIAN}, {"BCRB", ETH_BLACK},
    {"BAFR", ETH_BLACK}, {"BOTH", ETH_BLACK}, {"OOTH", ETH_OTHER},
    {"OARB", ETH_OTHER}, {"REFU", ETH_UNKNOWN}, {"NOBT", ETH_UNKNOWN},
    /* NHS data dictionary ethnic category letters */
    {"A", ETH_WHITE}, {"B", ETH_WHITE}, {"C", ETH_WHITE},
    {"D", ETH_MIXED}, {"E", ETH_MIXED}, {"F", ETH_MIXED},
    {"G", ETH_MIXED}, {"H", ETH_ASIAN}, {"J", ETH_ASIAN},
    {"K", ETH_ASIAN}, {"L", ETH_ASIAN}, {"M", ETH_BLACK},
    {"N", ETH_BLACK}, {"P", ETH_BLACK}, {"R", ETH_ASIAN},
    {"S", ETH_OTHER}, {"Z", ETH_UNKNOWN}, {"99", ETH_UNKNOWN},
    /* 2021 census categories */
    {"White: English, Welsh, Scottish, Northern Irish or British",
     ETH_WHITE},
    {"White: Irish", ETH_WHITE},
    {"White: Gypsy or Irish Traveller", ETH_WHITE},
    {"White: Roma", ETH_WHITE},
    {"White: Other White", ETH_WHITE},
    {"Mixed or Multiple ethnic groups: White and Black Caribbean",
     ETH_MIXED},
    {"Mixed or Multiple ethnic groups: White and Black African",
     ETH_MIXED},
    {"Mixed or Multiple ethnic groups: White and Asian", ETH_MIXED},
    {"Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic "
     "groups", ETH_MIXED},
    {"Asian, Asian British or Asian Welsh: Indian", ETH_ASIAN},
    {"Asian, Asian British or Asian Welsh: Pakistani", ETH_ASIAN},
    {"Asian, Asian British or Asian Welsh: Bangladeshi", ETH_ASIAN},
    {"Asian, Asian British or Asian Welsh: Chinese", ETH_ASIAN},
    {"Asian, Asian British or Asian Welsh: Other Asian", ETH_ASIAN},
    {"Black, Black British, Black Welsh, Caribbean or African: African",
     ETH_BLACK},
    {"Black, Black British, Black Welsh, Caribbean or African: Caribbean",
     ETH_BLACK},
    {"Black, Black British, Black Welsh, Caribbean or African: Other "
     "Black", ETH_BLACK},
    {"Other ethnic group: Arab", ETH_OTHER},
    {"Other ethnic group: Any other ethnic group", ETH_OTHER},
    {"Not stated", ETH_UNKNOWN}, {"Refused", ETH_UNKNOWN},
};

int
normalise_sex(const char *s, size_t len)
{
    return lookup_code(sex_codes, sizeof(sex_codes) / sizeof(sex_codes[0]),
                       s, len);
}

int
normalise_ethnicity(const char *s, size_t len)
{
    return lookup_code(ethnicity_codes,
                       sizeof(ethnicity_codes) / sizeof(ethnicity_codes[0]),
                       s, len);
}

int
normalise_builtin_code(int ethnicity, size_t i, const char **text)
{
    const struct code *t = ethnicity ? ethnicity_codes : sex_codes;
    size_t n = ethnicity ? sizeof(ethnicity_codes) / sizeof(ethnicity_codes[0])
                         : sizeof(sex_codes) / sizeof(sex_codes[0]);

    if (i >= n)
        return -1;
    *text = t[i].code;
    return t[i].value;
}
