#include "label.h"

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
