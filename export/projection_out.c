/*
 * projection_out.c - a projection as CSV, SVG, report section and
 * manifest members (projection_out.h).
 */
#include "projection_out.h"

#include "../core/calendar.h"

#include <math.h>
#include <stdio.h>

/* ",V" with `decimals` decimals, or "," when V is not a number. */
static void
add_number(struct strbuf *sb, double v, int decimals)
{
    if (isnan(v) || isinf(v))
        strbuf_adds(sb, ",");
    else
        strbuf_addf(sb, ",%.*f", decimals, v);
}

void
render_projection_csv(const struct projection *p, struct strbuf *sb)
{
    size_t s, i;
    char date[11];

    strbuf_adds(sb, "age_band,kind,period,persons,lower_80,upper_80,"
                    "lower_95,upper_95,seasonal_naive,published,mase,"
                    "mase_seasonal_naive\n");
    for (s = 0; s < p->nseries; s++) {
        const struct projection_series *sr = &p->series[s];

        for (i = 0; i < sr->nrows; i++) {
            const struct projection_row *r = &sr->rows[i];
            int bt = r->kind == PROJ_BACKTEST;

            /* labels are "Total" and age bands printed from numbers */
            strbuf_add_csv_quoted(sb, sr->label);
            format_iso_date(r->period_start, date);
            strbuf_addf(sb, ",%s,%s", bt ? "backtest" : "projection", date);
            add_number(sb, r->point, 1);
            add_number(sb, r->lo80, 1);
            add_number(sb, r->hi80, 1);
            add_number(sb, r->lo95, 1);
            add_number(sb, r->hi95, 1);
            add_number(sb, r->naive, 1);
            add_number(sb, bt ? r->actual : NAN, 1);
            add_number(sb, bt ? sr->mase : NAN, 3);
            add_number(sb, bt ? sr->mase_naive : NAN, 3);
            strbuf_adds(sb, "\n");
        }
    }
}

/* The chart's scale: x of row i of n, y of value v below max. */
struct frame {
    int w, h, pad;
    size_t n;
    double max;
};

static int
fx(const struct frame *f, size_t i)
{
    return f->pad + (int)((double)(f->w - 2 * f->pad) * (double)i /
                          (double)(f->n > 1 ? f->n - 1 : 1));
}

static int
fy(const struct frame *f, double v)
{
    return f->h - f->pad - (int)((double)(f->h - 2 * f->pad) * v / f->max);
}

/* A band between lo and hi over the rows from first on, as a polygon. */
static void
band(struct strbuf *sb, const struct frame *f,
     const struct projection_series *sr, int which, const char *fill)
{
    size_t i;

    strbuf_addf(sb, "<polygon fill=\"%s\" points=\"", fill);
    for (i = 0; i < sr->nrows; i++)
        strbuf_addf(sb, "%d,%d ", fx(f, i),
                    fy(f, which ? sr->rows[i].hi95 : sr->rows[i].hi80));
    for (i = sr->nrows; i-- > 0;)
        strbuf_addf(sb, "%d,%d ", fx(f, i),
                    fy(f, which ? sr->rows[i].lo95 : sr->rows[i].lo80));
    strbuf_adds(sb, "\"/>\n");
}

/* A line through the rows' values (what: 0 point, 1 naive, 2 actual);
 * missing values lift the pen. */
static void
line(struct strbuf *sb, const struct frame *f,
     const struct projection_series *sr, int what, const char *style)
{
    size_t i;
    int pen = 0;

    strbuf_addf(sb, "<path fill=\"none\" %s d=\"", style);
    for (i = 0; i < sr->nrows; i++) {
        const struct projection_row *r = &sr->rows[i];
        double v = what == 0 ? r->point : what == 1 ? r->naive : r->actual;

        if (isnan(v)) {
            pen = 0;
            continue;
        }
        strbuf_addf(sb, "%c%d %d ", pen ? 'L' : 'M', fx(f, i), fy(f, v));
        pen = 1;
    }
    strbuf_adds(sb, "\"/>\n");
}

void
render_projection_svg(const struct projection *p, struct strbuf *sb)
{
    const struct projection_series *sr;
    struct frame f = {640, 220, 30, 0, 1};
    char a[11], b[11];
    size_t i;

    if (!p->nseries || !p->series[0].nrows)
        return;
    sr = &p->series[0];
    f.n = sr->nrows;
    for (i = 0; i < sr->nrows; i++) {
        const struct projection_row *r = &sr->rows[i];

        if (r->hi95 > f.max)
            f.max = r->hi95;
        if (!isnan(r->actual) && r->actual > f.max)
            f.max = r->actual;
        if (!isnan(r->naive) && r->naive > f.max)
            f.max = r->naive;
    }
    f.max *= 1.05;
    strbuf_addf(sb, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
                    "height=\"%d\" role=\"img\" aria-label=\"projection\">\n",
                f.w, f.h);
    band(sb, &f, sr, 1, "#dbe8f4");
    band(sb, &f, sr, 0, "#a9c7e4");
    line(sb, &f, sr, 1, "stroke=\"#6f777b\" stroke-dasharray=\"4 3\"");
    line(sb, &f, sr, 0, "stroke=\"#1d70b8\" stroke-width=\"2\"");
    line(sb, &f, sr, 2, "stroke=\"#0b0c0c\" stroke-width=\"2\"");
    format_iso_date(sr->rows[0].period_start, a);
    format_iso_date(sr->rows[sr->nrows - 1].period_start, b);
    strbuf_addf(sb, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>\n"
                    "<text x=\"%d\" y=\"%d\" font-size=\"11\" "
                    "text-anchor=\"end\">%s</text>\n</svg>\n",
                f.pad, f.h - f.pad + 16, a, f.w - 10, f.h - f.pad + 16, b);
}

void
render_projections_html(const struct run_summary *s, struct strbuf *sb)
{
    size_t i;

    for (i = 0; i < s->nprojections; i++) {
        const struct projection *p = &s->projections[i];
        const struct projection_series *t = p->nseries ? &p->series[0] : NULL;

        strbuf_adds(sb, "<h2>Projection: ");
        strbuf_add_html(sb, p->cohort);
        strbuf_adds(sb, "</h2>\n<p>Persons in the cohort: the published "
                        "values (black), a stock-flow projection from the "
                        "published entries, exits and months in the cohort "
                        "(blue, with its 80 % and 95 % intervals shaded), "
                        "and the seasonal-naive benchmark (dashed). The "
                        "first twelve months are the back-test, projected "
                        "from the month before them.</p>\n");
        render_projection_svg(p, sb);
        if (p->note) {
            strbuf_adds(sb, "<p>");
            strbuf_add_html(sb, p->note);
            strbuf_adds(sb, ".</p>\n");
        }
        if (t && t->ntested)
            strbuf_addf(sb, "<p>Back-test over %d months: MASE %.3f (seasonal "
                            "naive %.3f); the 80 %% interval held %d and the "
                            "95 %% interval %d of the published values. "
                            "Table <code>%s</code>.</p>\n",
                        t->ntested, t->mase, t->mase_naive, t->covered80,
                        t->covered95, p->name);
    }
}

/* A JSON number, or null. */
static void
json_number(struct strbuf *sb, double v)
{
    if (isnan(v) || isinf(v))
        strbuf_adds(sb, "null");
    else
        strbuf_addf(sb, "%.3f", v);
}

void
render_manifest_forecast(const struct run_summary *s, struct strbuf *sb)
{
    size_t i, j;

    if (s->nprojections) {
        strbuf_adds(sb, "\"forecasts\": [");
        for (i = 0; i < s->nprojections; i++) {
            const struct projection *p = &s->projections[i];

            strbuf_adds(sb, i ? ",\n    {\"table\": " : "\n    {\"table\": ");
            strbuf_add_json(sb, p->name);
            strbuf_adds(sb, ", \"series\": [");
            for (j = 0; j < p->nseries; j++) {
                const struct projection_series *sr = &p->series[j];

                strbuf_adds(sb, j ? ", {\"age_band\": " : "{\"age_band\": ");
                strbuf_add_json(sb, sr->label);
                strbuf_adds(sb, ", \"mase\": ");
                json_number(sb, sr->mase);
                strbuf_adds(sb, ", \"mase_seasonal_naive\": ");
                json_number(sb, sr->mase_naive);
                strbuf_addf(sb, ", \"months_tested\": %d, \"covered_80\": %d, "
                                "\"covered_95\": %d}",
                            sr->ntested, sr->covered80, sr->covered95);
            }
            strbuf_adds(sb, "]}");
        }
        strbuf_adds(sb, "\n  ],\n  ");
    }
    if (s->denominators.present)
        strbuf_addf(sb, "\"denominators\": {\"blake2b\": \"%s\", \"rows\": "
                        "%llu, \"vintage\": \"%d-%d\"},\n  ",
                    s->denominators.blake2b_hex,
                    (unsigned long long)s->denominators.rows,
                    s->denominators.year_first, s->denominators.year_last);
}

/* "\tV" with `decimals` decimals, or "\t\N". */
static void
copy_number(struct strbuf *sb, double v, int decimals)
{
    if (isnan(v) || isinf(v))
        strbuf_adds(sb, "\t\\N");
    else
        strbuf_addf(sb, "\t%.*f", decimals, v);
}

void
render_projection_copy(const struct projection *p, const char *run_id,
                       struct strbuf *sb)
{
    size_t s, i;
    char date[11];

    for (s = 0; s < p->nseries; s++) {
        const struct projection_series *sr = &p->series[s];

        for (i = 0; i < sr->nrows; i++) {
            const struct projection_row *r = &sr->rows[i];
            int bt = r->kind == PROJ_BACKTEST;

            /* labels are "Total" and age bands printed from numbers:
             * nothing to escape */
            format_iso_date(r->period_start, date);
            strbuf_addf(sb, "%s\t%s\t%s\t%s", run_id, sr->label,
                        bt ? "backtest" : "projection", date);
            copy_number(sb, r->point, 1);
            copy_number(sb, r->lo80, 1);
            copy_number(sb, r->hi80, 1);
            copy_number(sb, r->lo95, 1);
            copy_number(sb, r->hi95, 1);
            copy_number(sb, r->naive, 1);
            copy_number(sb, bt ? r->actual : NAN, 1);
            copy_number(sb, bt ? sr->mase : NAN, 3);
            copy_number(sb, bt ? sr->mase_naive : NAN, 3);
            strbuf_adds(sb, "\n");
        }
    }
}
