#include "period.h"
#include "calendar.h"

void
periods_compute(int32_t reference, int nperiods, struct period *out)
{
    int y, m, d, i;

    civil_from_days(reference, &y, &m, &d);
    for (i = nperiods - 1; i >= 0; i--) {
        out[i].start = days_from_civil(y, m, 1);
        out[i].end = i == nperiods - 1 ? reference
                                       : days_from_civil(y, m, days_in_month(y, m));
        if (--m == 0) {
            m = 12;
            y--;
        }
    }
}

void
period_label(const struct period *p, char buf[11])
{
    format_iso_date(p->start, buf);
}
