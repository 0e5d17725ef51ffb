#include "strnum.h"

#include <strings.h>

int
parse_int64(const char *s, size_t len, int64_t min, int64_t max, int64_t *out)
{
    size_t i = 0;
    int neg = 0;
    uint64_t v = 0, limit;

    if (!s || len == 0)
        return -1;
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == len)
        return -1;
    limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < len; i++) {
        unsigned dgt;

        if (s[i] < '0' || s[i] > '9')
            return -1;
        dgt = (unsigned)(s[i] - '0');
        if (v > (limit - dgt) / 10)
            return -1;
        v = v * 10 + dgt;
    }
    {
        int64_t r;

        if (neg)
            r = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
        else
            r = (int64_t)v;
        if (r < min || r > max)
            return -1;
        *out = r;
    }
    return 0;
}

int
parse_int64_str(const char *s, int64_t min, int64_t max, int64_t *out)
{
    size_t n = 0;

    if (!s)
        return -1;
    while (s[n])
        n++;
    return parse_int64(s, n, min, max, out);
}

int
parse_rate_ppm(const char *s, uint32_t *out_ppm)
{
    /* Fixed point: integer part and up to 6 decimals, no floating point. */
    uint64_t ip = 0, frac = 0, scale = 1000000;
    int any = 0, percent = 0;
    const char *p = s;

    if (!s)
        return -1;
    while (*p >= '0' && *p <= '9') {
        ip = ip * 10 + (uint64_t)(*p - '0');
        if (ip > 1000000)
            return -1;
        p++;
        any = 1;
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            if (scale > 1) {
                scale /= 10;
                frac += (uint64_t)(*p - '0') * scale;
            }
            p++;
            any = 1;
        }
    }
    if (*p == '%') {
        percent = 1;
        p++;
    }
    if (!any || *p)
        return -1;
    {
        /* value = ip + frac/1e6; as ppm: value*1e6, or value*1e4 if percent */
        uint64_t ppm = percent ? ip * 10000 + frac / 100 : ip * 1000000 + frac;

        if (ppm > 1000000)
            return -1;
        *out_ppm = (uint32_t)ppm;
    }
    return 0;
}

int
parse_bool(const char *s, int *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    size_t i;

    if (!s)
        return -1;
    for (i = 0; i < 4; i++) {
        if (!strcasecmp(s, yes[i])) {
            *out = 1;
            return 0;
        }
        if (!strcasecmp(s, no[i])) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}
