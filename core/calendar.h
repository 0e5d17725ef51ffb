/*
 * calendar.h - proleptic Gregorian dates as day numbers (days since
 * 1970-01-01), so date arithmetic is integer arithmetic. Used by the date
 * normaliser, generalisation (age at a period's end) and cohort periods.
 */
#ifndef COHORT_CALENDAR_H
#define COHORT_CALENDAR_H

#include <stdint.h>

#define DAY_NONE INT32_MIN /* an unknown date */
#define DAY_OPEN INT32_MAX /* an open end date */

/* Day number of y-m-d; the date must be valid (see date_is_valid). */
int32_t days_from_civil(int y, int m, int d);

/* Inverse of days_from_civil. */
void civil_from_days(int32_t z, int *y, int *m, int *d);

/* 1 when y-m-d is a real calendar date (31/02 is not), else 0. */
int date_is_valid(int y, int m, int d);

/* Days in month m of year y. */
int days_in_month(int y, int m);

/* 1 for leap years. */
int is_leap_year(int y);

/* Today's date in UTC as a day number. */
int32_t today_days(void);

/* Parses exactly "YYYY-MM-DD" into a day number. 0 or -1. */
int parse_iso_date(const char *s, int32_t *out);

/* Writes "YYYY-MM-DD" and a NUL into buf (at least 11 bytes). */
void format_iso_date(int32_t day, char buf[11]);

#endif
