#include "validate.h"

#include <ctype.h>
#include <string.h>

/* Copies the characters of s that are not spaces or hyphens into buf
 * (at most max); returns the count, or max + 1 when there are more. */
static size_t
compact(const char *s, size_t len, char *buf, size_t max)
{
    size_t i, n = 0;

    for (i = 0; i < len; i++) {
        if (s[i] == ' ' || s[i] == '-')
            continue;
        if (n == max)
            return max + 1;
        buf[n++] = s[i];
    }
    buf[n] = '\0';
    return n;
}

static int
all_digits(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

static int
invalid(char *out, size_t n)
{
    memset(out, 0, n);
    return -1;
}

int
validate_nhs_number(const char *s, size_t len, char out[11])
{
    char b[11];
    int sum = 0, i, check, same = 1;

    if (compact(s, len, b, 10) != 10 || !all_digits(b, 10))
        return invalid(out, 11);
    for (i = 0; i < 9; i++) {
        sum += (b[i] - '0') * (10 - i);
        same &= b[i] == b[0];
    }
    check = 11 - sum % 11;
    if (check == 11)
        check = 0;
    if (check == 10 || check != b[9] - '0' || (same && b[9] == b[0]))
        return invalid(out, 11);
    memcpy(out, b, 11);
    return 0;
}

static const char upn_letters[] = "ABCDEFGHJKLMNPQRTUVWXYZ";

int
date_beyond_tolerance(int32_t day, int32_t reference)
{
    return day > reference + DATE_FUTURE_TOLERANCE_DAYS;
}

/* Digits at s[*i], between min and max of them, into *v. 0 or -1. */
static int
time_part(const char *s, size_t len, size_t *i, size_t min, size_t max,
          int *v)
{
    size_t n = 0;

    *v = 0;
    while (*i < len && n < max && isdigit((unsigned char)s[*i])) {
        *v = *v * 10 + (s[(*i)++] - '0');
        n++;
    }
    return n >= min ? 0 : -1;
}

size_t
date_without_time_of_day(const char *s, size_t len)
{
    size_t sp, i;
    int h, mi, sec = 0, frac;

    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    for (sp = len; sp > 0 && s[sp - 1] != ' '; sp--)
        ;
    if (sp < 2 || s[sp - 2] == ' ')
        return len;
    i = sp;
    if (time_part(s, len, &i, 1, 2, &h) < 0 || i >= len || s[i++] != ':' ||
        time_part(s, len, &i, 2, 2, &mi) < 0 ||
        (i < len && s[i] == ':' &&
         (++i, time_part(s, len, &i, 2, 2, &sec) < 0)) ||
        (i < len && s[i] == '.' &&
         (++i, time_part(s, len, &i, 1, 9, &frac) < 0)))
        return len;
    return i == len && h < 24 && mi < 60 && sec <= 60 ? sp - 1 : len;
}

size_t
excel_integer_length(const char *s, size_t len)
{
    size_t i = 0, dot;

    while (i < len && isdigit((unsigned char)s[i]))
        i++;
    if (i == 0 || i == len || s[i] != '.')
        return len;
    for (dot = i++; i < len; i++)
        if (s[i] != '0')
            return len;
    return dot;
}

int
upn_unknown_code(const char *s, size_t len)
{
    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (len < 3 || len > 4 || toupper((unsigned char)s[0]) != 'U' ||
        toupper((unsigned char)s[1]) != 'N')
        return 0;
    if (len == 3)
        return s[2] >= '1' && s[2] <= '9';
    return s[2] == '1' && s[3] == '0';
}

int
validate_upn(const char *s, size_t len, char out[14])
{
    char b[14];
    int sum = 0, i;
    const char *p;

    if (compact(s, len, b, 13) != 13)
        return invalid(out, 14);
    for (i = 0; i < 13; i++)
        b[i] = (char)toupper((unsigned char)b[i]);
    if (!all_digits(b + 1, 11))
        return invalid(out, 14);
    for (i = 1; i < 12; i++)
        sum += (b[i] - '0') * (i + 1);
    if (isdigit((unsigned char)b[12])) {
        sum += (b[12] - '0') * 13;
    } else {
        /* a temporary UPN ends in a letter: it counts by its table index */
        p = strchr(upn_letters, b[12]);
        if (!p || !b[12])
            return invalid(out, 14);
        sum += (int)(p - upn_letters) * 13;
    }
    if (b[0] != upn_letters[sum % 23])
        return invalid(out, 14);
    memcpy(out, b, 14);
    return 0;
}

int
validate_uln(const char *s, size_t len, char out[11])
{
    char b[11];
    int sum = 0, i, r;

    if (compact(s, len, b, 10) != 10 || !all_digits(b, 10))
        return invalid(out, 11);
    if (!strcmp(b, "9999999999"))
        return invalid(out, 11); /* the temporary ULN names nobody */
    for (i = 0; i < 9; i++)
        sum += (b[i] - '0') * (10 - i);
    r = sum % 11;
    if (r == 0 || 10 - r != b[9] - '0')
        return invalid(out, 11);
    memcpy(out, b, 11);
    return 0;
}

int
validate_ni_number(const char *s, size_t len, char out[10])
{
    static const char *const unallocated[] = {"BG", "GB", "KN", "NK",
                                              "NT", "TN", "ZZ"};
    char b[10];
    size_t i;

    if (compact(s, len, b, 9) != 9)
        return invalid(out, 10);
    for (i = 0; i < 9; i++)
        b[i] = (char)toupper((unsigned char)b[i]);
    if (!isalpha((unsigned char)b[0]) || !isalpha((unsigned char)b[1]) ||
        !all_digits(b + 2, 6) || !strchr("ABCD", b[8]) || !b[8])
        return invalid(out, 10);
    if (strchr("DFIQUV", b[0]) || strchr("DFIQUVO", b[1]))
        return invalid(out, 10);
    for (i = 0; i < sizeof(unallocated) / sizeof(unallocated[0]); i++)
        if (!memcmp(b, unallocated[i], 2))
            return invalid(out, 10);
    memcpy(out, b, 10);
    return 0;
}

int
validate_uprn(const char *s, size_t len, char out[13])
{
    size_t i = 0;

    while (i < len && s[i] == '0')
        i++;
    if (len == 0 || len - i == 0 || len - i > 12 || len > 20 ||
        !all_digits(s, len))
        return invalid(out, 13);
    memcpy(out, s + i, len - i);
    out[len - i] = '\0';
    return 0;
}
