/*
 * report_chart.h - the pieces of report.html that are about reading numbers:
 * a month's name, a count with thousands separators, axis ticks at round
 * numbers, and one line chart of a monthly series as inline SVG.
 *
 * The chart is drawn for people who read it and for people who cannot see
 * it: it is an <svg role="img"> named by its <title> and described by a
 * <desc> holding every month's number (or the symbol that replaced it), so
 * a screen reader gets what the picture shows. Axes are labelled (the
 * unit above the y axis, "Month" below the x axis), y ticks fall on round
 * numbers from 0, x ticks on every month with labels on round months
 * (every quarter or half-year when there are many), and a month whose
 * value is not published (a symbol such as [c]) is a grey band with a
 * cross at the foot of the chart -- never a point at 0 and never a line
 * drawn across it. A month that is not over yet is a hollow point.
 *
 *     struct chart_series cs = {...};
 *     chart_svg(&cs, &sb);        appends <svg>...</svg>
 *
 * The SVG takes its sizes from its viewBox and its text sizes from the
 * page's stylesheet (classes .ct, .ctl, .cta; report.c): on a narrow
 * screen the page enlarges the text and hides every other month label
 * (class .alt), so labels stay readable when the chart shrinks.
 */
#ifndef COHORT_REPORT_CHART_H
#define COHORT_REPORT_CHART_H

#include <stddef.h>
#include <stdint.h>

#include "../core/strbuf.h"

/* "January" .. "December" for m in 1..12 (static). */
const char *month_name(int m);

/* "October 2026" (long) or "Oct 2026" (short) for the month holding day
 * into buf. */
void month_label(int32_t day, int longform, char buf[24]);

/* v with a comma every three digits ("12,345") into buf. */
const char *count_commas(int64_t v, char buf[32]);

/*
 * Round-number ticks for an axis from 0 covering max (>= 0): the step is
 * 1, 2 or 5 times a power of ten, at most 5 steps; *top is the last tick
 * (a multiple of the step, >= max, >= 1).
 */
void axis_ticks(int64_t max, int64_t *step, int64_t *top);

/* One month of a series: the published value, or the symbol that stands in
 * its place ("[c]"; NULL when the value is published). */
struct chart_point {
    int64_t value;
    const char *symbol;
};

struct chart_series {
    const char *id;    /* unique in the page: element ids start with it */
    const char *title; /* the chart's accessible name */
    const char *unit;  /* what is counted, plural: "people" */
    size_t n;          /* months, oldest first */
    const struct chart_point *points;
    const int32_t *month_start; /* first day of each month (day numbers) */
    int last_incomplete;        /* the last month is not over yet */
};

/* Appends the chart as inline SVG (strbuf failure marks sb). */
void chart_svg(const struct chart_series *cs, struct strbuf *sb);

#endif
