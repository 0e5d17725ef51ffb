#include "report_chart.h"

#include "../core/calendar.h"

#include <stdio.h>
#include <string.h>

/* The viewBox; the stylesheet scales the whole picture to the page. */
#define CHART_W 640
#define CHART_H 300
#define CHART_TOP 40    /* room for the unit above the y axis */
#define CHART_BOTTOM 64 /* month labels and the x axis title */
#define CHART_RIGHT 40
/* a y label's character at the largest text size the stylesheet sets
 * (24 units on a phone), in viewBox units */
#define CHART_CHAR_W 14

static const char *const months[12] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

const char *
month_name(int m)
{
    return m >= 1 && m <= 12 ? months[m - 1] : "";
}

void
month_label(int32_t day, int longform, char buf[24])
{
    int y, m, d;

    civil_from_days(day, &y, &m, &d);
    if (longform)
        snprintf(buf, 24, "%s %d", month_name(m), y);
    else
        snprintf(buf, 24, "%.3s %d", month_name(m), y);
}

const char *
count_commas(int64_t v, char buf[32])
{
    char digits[24];
    size_t n, i, o = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

    snprintf(digits, sizeof(digits), "%llu", (unsigned long long)u);
    n = strlen(digits);
    if (v < 0)
        buf[o++] = '-';
    for (i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

void
axis_ticks(int64_t max, int64_t *step, int64_t *top)
{
    static const int mult[3] = {1, 2, 5};
    int64_t p, s = 1;
    int i;

    if (max < 1)
        max = 1;
    for (p = 1; p <= INT64_MAX / 10; p *= 10) {
        for (i = 0; i < 3; i++) {
            s = mult[i] * p;
            if ((max + s - 1) / s <= 5)
                goto done;
        }
    }
done:
    *step = s;
    *top = (max + s - 1) / s * s;
}

/* Geometry of one chart: the plot area and the vertical scale. */
struct chart_frame {
    double x0, x1, y0, y1, band;
    int64_t step, top;
};

static double
frame_x(const struct chart_frame *f, size_t i)
{
    return f->x0 + f->band * ((double)i + 0.5);
}

static double
frame_y(const struct chart_frame *f, int64_t v)
{
    return f->y1 - (f->y1 - f->y0) * (double)v / (double)f->top;
}

static void
frame_init(struct chart_frame *f, const struct chart_series *cs)
{
    int64_t max = 0;
    size_t i;
    char buf[32];

    for (i = 0; i < cs->n; i++)
        if (!cs->points[i].symbol && cs->points[i].value > max)
            max = cs->points[i].value;
    axis_ticks(max, &f->step, &f->top);
    f->x0 = 20 + CHART_CHAR_W * (double)strlen(count_commas(f->top, buf));
    f->x1 = CHART_W - CHART_RIGHT;
    f->y0 = CHART_TOP;
    f->y1 = CHART_H - CHART_BOTTOM;
    f->band = (f->x1 - f->x0) / (double)(cs->n ? cs->n : 1);
}

/*
 * Months between labels: the fewest of 1, 2, 3, 6 or 12 that gives at
 * most 8 labels, so that labels fall on round months (quarters,
 * half-years, Januaries).
 */
static int
label_every(size_t n)
{
    static const int k[5] = {1, 2, 3, 6, 12};
    int i;

    for (i = 0; i < 4; i++)
        if ((n + (size_t)k[i] - 1) / (size_t)k[i] <= 8)
            return k[i];
    return k[4];
}

/* The grid, the y ticks, the axes, the x ticks and labels, the titles. */
static void
chart_axes(const struct chart_series *cs, const struct chart_frame *f,
           struct strbuf *sb)
{
    int every = label_every(cs->n);
    int64_t t;
    size_t i;
    char buf[32], label[24];

    for (t = 0; t <= f->top; t += f->step) {
        double y = frame_y(f, t);

        strbuf_addf(sb,
                    "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" "
                    "y1=\"%.1f\" y2=\"%.1f\"/><text class=\"ct\" "
                    "x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                    f->x0, f->x1, y, y, f->x0 - 8, y + 5, count_commas(t, buf));
    }
    strbuf_addf(sb,
                "<text class=\"cta\" x=\"4\" y=\"%d\">Number of %s</text>\n",
                CHART_TOP - 18, cs->unit);
    strbuf_addf(sb,
                "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
                "y2=\"%.1f\"/>\n",
                f->x0, f->x1, f->y1, f->y1);
    for (i = 0; i < cs->n; i++) {
        double x = frame_x(f, i);
        int y, m, d, labelled;

        civil_from_days(cs->month_start[i], &y, &m, &d);
        labelled =
            every < 3 ? (int)(i % (size_t)every) == 0 : (m - 1) % every == 0;
        strbuf_addf(sb,
                    "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" "
                    "y1=\"%.1f\" y2=\"%.1f\"/>\n",
                    x, x, f->y1, f->y1 + (labelled ? 8 : 4));
        if (!labelled)
            continue;
        month_label(cs->month_start[i], 0, label);
        /* on a narrow screen every other label is hidden (.alt) */
        strbuf_addf(sb,
                    "<text class=\"ct%s\" x=\"%.1f\" y=\"%.1f\" "
                    "text-anchor=\"middle\">%s</text>\n",
                    every < 12 && (every < 3 ? (i / (size_t)every) % 2
                                             : (m - 1) % (2 * every) != 0)
                        ? " alt"
                        : "",
                    x, f->y1 + 30, label);
    }
    strbuf_addf(sb,
                "<text class=\"cta\" x=\"%.1f\" y=\"%d\" "
                "text-anchor=\"middle\">Month</text>\n",
                (f->x0 + f->x1) / 2, CHART_H - 6);
}

/* Hidden months as bands behind the grid, each with a cross at its foot. */
static void
chart_hidden(const struct chart_series *cs, const struct chart_frame *f,
             struct strbuf *sb)
{
    size_t i;

    for (i = 0; i < cs->n; i++) {
        double x = frame_x(f, i), y = f->y1 - 12;

        if (!cs->points[i].symbol)
            continue;
        strbuf_addf(sb,
                    "<rect class=\"hid\" x=\"%.1f\" y=\"%.1f\" "
                    "width=\"%.1f\" height=\"%.1f\"/><path class=\"x\" "
                    "d=\"M%.1f %.1fL%.1f %.1fM%.1f %.1fL%.1f %.1f\"/>\n",
                    x - f->band / 2, f->y0, f->band, f->y1 - f->y0, x - 5,
                    y - 5, x + 5, y + 5, x - 5, y + 5, x + 5, y - 5);
    }
}

/* The line through consecutive published months, and a point on each. */
static void
chart_line(const struct chart_series *cs, const struct chart_frame *f,
           struct strbuf *sb)
{
    size_t i;
    int pen = 0, any = 0;

    for (i = 0; i < cs->n; i++) {
        if (cs->points[i].symbol) {
            pen = 0;
            continue;
        }
        if (!any)
            strbuf_adds(sb, "<path class=\"line\" d=\"");
        strbuf_addf(sb, "%c%.1f %.1f", pen ? 'L' : 'M', frame_x(f, i),
                    frame_y(f, cs->points[i].value));
        pen = any = 1;
    }
    if (any)
        strbuf_adds(sb, "\"/>\n");
    for (i = 0; i < cs->n; i++) {
        if (cs->points[i].symbol)
            continue;
        strbuf_addf(sb,
                    "<circle class=\"pt%s\" cx=\"%.1f\" cy=\"%.1f\" "
                    "r=\"4\"/>\n",
                    cs->last_incomplete && i + 1 == cs->n ? " open" : "",
                    frame_x(f, i), frame_y(f, cs->points[i].value));
    }
    if (!any)
        strbuf_addf(sb,
                    "<text class=\"ct\" x=\"%.1f\" y=\"%.1f\" "
                    "text-anchor=\"middle\">No month's number is "
                    "published</text>\n",
                    (f->x0 + f->x1) / 2, (f->y0 + f->y1) / 2);
}

/* Every month's number, in words, for the <desc>. */
static void
chart_desc(const struct chart_series *cs, struct strbuf *sb)
{
    size_t i;
    char buf[32], label[24];

    strbuf_addf(sb, "<desc id=\"%s-d\">Line chart, number of ", cs->id);
    strbuf_add_html(sb, cs->unit);
    strbuf_adds(sb, " per month. ");
    for (i = 0; i < cs->n; i++) {
        month_label(cs->month_start[i], 1, label);
        strbuf_addf(sb, "%s%s: ", i ? "; " : "", label);
        if (cs->points[i].symbol) {
            strbuf_add_html(sb, cs->points[i].symbol);
            strbuf_adds(sb, " (not published)");
        } else {
            strbuf_adds(sb, count_commas(cs->points[i].value, buf));
        }
        if (cs->last_incomplete && i + 1 == cs->n)
            strbuf_adds(sb, " (month not over)");
    }
    strbuf_adds(sb, ".</desc>\n");
}

void
chart_svg(const struct chart_series *cs, struct strbuf *sb)
{
    struct chart_frame f;

    frame_init(&f, cs);
    strbuf_addf(sb,
                "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" "
                "aria-labelledby=\"%s-t\" aria-describedby=\"%s-d\">\n"
                "<title id=\"%s-t\">",
                CHART_W, CHART_H, cs->id, cs->id, cs->id);
    strbuf_add_html(sb, cs->title);
    strbuf_adds(sb, "</title>\n");
    chart_desc(cs, sb);
    chart_hidden(cs, &f, sb);
    chart_axes(cs, &f, sb);
    chart_line(cs, &f, sb);
    strbuf_adds(sb, "</svg>\n");
}
