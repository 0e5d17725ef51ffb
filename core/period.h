/*
 * period.h - monthly reporting periods. Period 0 is the oldest; period
 * nperiods-1 is the calendar month holding the reference date and ends on
 * the reference date itself. Every other period is a whole calendar month.
 */
#ifndef COHORT_PERIOD_H
#define COHORT_PERIOD_H

#include <stdint.h>

struct period {
    int32_t start; /* first day (day number) */
    int32_t end;   /* last day, inclusive */
};

/*
 * Fills out[0..nperiods-1] for nperiods months ending at reference (a day
 * number). out must hold nperiods entries.
 */
void periods_compute(int32_t reference, int nperiods, struct period *out);

/* Writes the period's label "YYYY-MM-01" (its first day) into buf. */
void period_label(const struct period *p, char buf[11]);

#endif
