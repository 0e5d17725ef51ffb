#include "calendar.h"
#include "strnum.h"

#include <string.h>
#include <time.h>

/* Howard Hinnant's days_from_civil / civil_from_days. */
int32_t
days_from_civil(int y, int m, int d)
{
    int era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + (int)doe - 719468);
}

void
civil_from_days(int32_t z0, int *y, int *m, int *d)
{
    long z = (long)z0 + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long yy = (long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned dd = doy - (153 * mp + 2) / 5 + 1;
    unsigned mm = mp < 10 ? mp + 3 : mp - 9;

    *y = (int)(yy + (mm <= 2));
    *m = (int)mm;
    *d = (int)dd;
}

int
is_leap_year(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (m < 1 || m > 12)
        return 0;
    return dim[m - 1] + (m == 2 && is_leap_year(y));
}

int
date_is_valid(int y, int m, int d)
{
    return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
           d <= days_in_month(y, m);
}

int32_t
today_days(void)
{
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    return days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

int
parse_iso_date(const char *s, int32_t *out)
{
    int64_t y, m, d;

    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    if (parse_int64(s, 4, 1, 9999, &y) || parse_int64(s + 5, 2, 1, 12, &m) ||
        parse_int64(s + 8, 2, 1, 31, &d))
        return -1;
    if (!date_is_valid((int)y, (int)m, (int)d))
        return -1;
    *out = days_from_civil((int)y, (int)m, (int)d);
    return 0;
}

void
format_iso_date(int32_t day, char buf[11])
{
    int y, m, d;

    civil_from_days(day, &y, &m, &d);
    if (y < 0 || y > 9999)
        y = 0;
    buf[0] = (char)('0' + y / 1000);
    buf[1] = (char)('0' + y / 100 % 10);
    buf[2] = (char)('0' + y / 10 % 10);
    buf[3] = (char)('0' + y % 10);
    buf[4] = '-';
    buf[5] = (char)('0' + m / 10);
    buf[6] = (char)('0' + m % 10);
    buf[7] = '-';
    buf[8] = (char)('0' + d / 10);
    buf[9] = (char)('0' + d % 10);
    buf[10] = '\0';
}
