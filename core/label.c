#include "label.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Total or UNKNOWN in any case, and with spaces around it too: " Total"
 * would be a second margin row to anyone reading the table. */
static int
is_reserved(const char *s, size_t n)
{
    static const char *const reserved[] = {"Total", "UNKNOWN"};
    size_t i;

    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
        if (n == strlen(reserved[i]) && !strncasecmp(s, reserved[i], n))
            return 1;
    return 0;
}

enum label_fault
label_check(const char *s)
{
    size_t n = strlen(s);

    /* UTF-8 first: the other rules compare bytes, and a label PostgreSQL
     * cannot store is the fault that would stop every run */
    if (utf8_valid_prefix((const unsigned char *)s, n) != n)
        return LABEL_NOT_UTF8;
    if (is_reserved(s, n))
        return LABEL_RESERVED;
    if (label_starts_formula(s))
        return LABEL_FORMULA;
    if (label_reads_as_value(s))
        return LABEL_VALUE;
    return LABEL_OK;
}

const char *
label_fault_rule(enum label_fault f)
{
    switch (f) {
    case LABEL_RESERVED:
        return "reserved_label";
    case LABEL_NOT_UTF8:
        return "label_not_utf8";
    case LABEL_FORMULA:
        return "label_formula";
    case LABEL_VALUE:
        return "label_number_or_date";
    case LABEL_OK:
        break;
    }
    return NULL;
}

const char *
label_fault_text(enum label_fault f)
{
    switch (f) {
    case LABEL_RESERVED:
        return "is a reserved word (Total or UNKNOWN, in any case)";
    case LABEL_NOT_UTF8:
        return "is not valid UTF-8";
    case LABEL_FORMULA:
        return "starts with =, +, -, @, a tab or a carriage return";
    case LABEL_VALUE:
        return "would be read as a number or a date by a spreadsheet "
               "(give it a letter: a name, or a code like E05001234)";
    case LABEL_OK:
        break;
    }
    return "";
}

int
label_starts_formula(const char *s)
{
    return s[0] && strchr("=+-@\t\r", s[0]) != NULL;
}

/* A currency sign a spreadsheet strips before reading a number: $, or
 * the UTF-8 of £ or €. Returns its length at s, or 0. */
static size_t
currency_sign(const char *s)
{
    if (*s == '$')
        return 1;
    if (!strncmp(s, "\xc2\xa3", 2))
        return 2;
    if (!strncmp(s, "\xe2\x82\xac", 3))
        return 3;
    return 0;
}

/* 1 when s[0..n) is a number as a spreadsheet reads one: digits with
 * thousands commas and one decimal point, then an optional exponent and
 * %, after an optional currency sign; or such a number in parentheses
 * (an accountant's negative). */
static int
reads_as_number(const char *s, size_t n)
{
    size_t i = 0, digits = 0;
    int point = 0;

    if (n >= 2 && s[0] == '(' && s[n - 1] == ')')
        return reads_as_number(s + 1, n - 2);
    if (n && s[n - 1] == '%')
        n--;
    i = currency_sign(s);
    for (; i < n; i++) {
        if (isdigit((unsigned char)s[i]))
            digits++;
        else if (s[i] == '.' && !point)
            point = 1;
        else if (s[i] == ',' && digits)
            continue;
        else
            break;
    }
    if (!digits)
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t e = ++i;

        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++, e++;
        while (i < n && isdigit((unsigned char)s[i]))
            i++;
        if (i == e)
            return 0;
    }
    return i == n;
}

/* 1 when the word w[0..n) is an English month name or a prefix of one of
 * three letters or more (Mar, Sept), or am/pm. */
static int
month_word(const char *w, size_t n)
{
    static const char *const months[] = {
        "january", "february", "march",     "april",   "may",      "june",
        "july",    "august",   "september", "october", "november", "december"};
    size_t i;

    if (n == 2 && (!strncasecmp(w, "am", 2) || !strncasecmp(w, "pm", 2)))
        return 1;
    for (i = 0; i < sizeof(months) / sizeof(months[0]); i++)
        if (n >= 3 && n <= strlen(months[i]) && !strncasecmp(w, months[i], n))
            return 1;
    return 0;
}

/* 1 when s is two or more words of digits or month names, joined by
 * - / . : , or spaces, with at least one number: a date or a time. */
static int
reads_as_date(const char *s, size_t n)
{
    size_t i = 0, words = 0, numbers = 0;

    while (i < n) {
        size_t start = i;

        if (isdigit((unsigned char)s[i])) {
            while (i < n && isdigit((unsigned char)s[i]))
                i++;
            numbers++;
        } else if (isalpha((unsigned char)s[i])) {
            while (i < n && isalpha((unsigned char)s[i]))
                i++;
            if (!month_word(s + start, i - start))
                return 0;
        } else {
            return 0;
        }
        words++;
        while (i < n && strchr("-/.:, ", s[i]))
            i++;
    }
    return words >= 2 && numbers >= 1;
}

int
label_reads_as_value(const char *s)
{
    size_t n = strlen(s);

    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (!n)
        return 0;
    if ((n == 4 && !strncasecmp(s, "true", 4)) ||
        (n == 5 && !strncasecmp(s, "false", 5)))
        return 1;
    return reads_as_number(s, n) || reads_as_date(s, n);
}

void
age_band_label(int lo, int hi, char *buf, size_t n)
{
    if (hi < 0)
        snprintf(buf, n, "%d and over", lo);
    else
        snprintf(buf, n, "%d to %d", lo, hi);
}

size_t
utf8_valid_prefix(const unsigned char *p, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned c = p[i];
        size_t len, k;
        unsigned cp;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            len = 2, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF)
            len = 3, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            len = 4, cp = c & 0x07;
        else
            return i;
        if (n - i < len)
            return i;
        for (k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
            return i;
        i += len;
    }
    return i;
}
