#include "report.h"
#include "projection_out.h"

#include "../core/calendar.h"
#include "../core/period.h"
#include "report_chart.h"
#include "report_parts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A department's title in HTML text or a double-quoted attribute: & < > "
 * escaped, and the apostrophe of the default titles ("children's social
 * care") kept as the report has always written it. */
static void
add_text(struct strbuf *sb, const char *t)
{
    for (; *t; t++)
        strbuf_adds(sb, *t == '&'   ? "&amp;"
                        : *t == '<' ? "&lt;"
                        : *t == '>' ? "&gt;"
                        : *t == '"' ? "&quot;"
                                    : (char[2]){*t, '\0'});
}

static void
iso_time(int64_t t, char buf[32])
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A published count as a JSON value: a number, or "[c]" when withheld. */
static const char *
count_json(uint64_t v, char buf[24])
{
    if (v == COUNT_WITHHELD)
        return "\"[c]\"";
    return count_text(v, buf);
}

/*
 * Every symbol a published cell may carry instead of a value, as the
 * tables write it and as the glossary explains it. A new PUB_* symbol
 * needs its row here; until it has one it shows as "[?]".
 */
static const struct {
    uint8_t symbol;
    const char *text;
    const char *meaning;
} symbols[] = {
    {PUB_CONFIDENTIAL, "[c]",
     "confidential: the number is hidden so that nobody can be identified. "
     "It may be small, or it may be hidden so that another hidden number "
     "cannot be worked out from the totals; the tables do not say which"},
    {PUB_STRUCTURAL, "[z]",
     "not applicable: the cohort's own definition rules the cell out (an "
     "age band outside its age condition, for example), so nobody can be "
     "in it; it is not a count of 0 people who happened not to be there"},
};

const char *
report_symbol(const struct published_cell *c)
{
    size_t i;

    if (c->symbol == PUB_SHOWN)
        return NULL;
    for (i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++)
        if (symbols[i].symbol == c->symbol)
            return symbols[i].text;
    return "[?]";
}

const char *
report_symbol_meaning(uint8_t symbol)
{
    size_t i;

    for (i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++)
        if (symbols[i].symbol == symbol)
            return symbols[i].meaning;
    return symbol == PUB_SHOWN ? NULL : "a symbol this report does not know";
}

const char *
report_cell_text(const struct published_cell *c, char buf[32])
{
    const char *sym = report_symbol(c);

    return sym ? sym : count_commas(c->value, buf);
}

void
report_cohort_anchor(const struct cohort_result *cr, char buf[80])
{
    snprintf(buf, 80, "c-%s", cr->plan->name);
}

const char *
report_unit(const struct cohort_result *cr)
{
    int households = cr->plan->unit == UNIT_HOUSEHOLDS;

    switch (cr->plan->measure) {
    case MEASURE_NEW:
        return households ? "households joining" : "people joining";
    case MEASURE_AT_END:
        return households ? "households at the month's end"
                          : "people at the month's end";
    default:
        return households ? "households" : "people";
    }
}

void
report_by_heading(const struct job_plan *plan, const struct cohort_plan *k,
                  size_t j, int lower, struct strbuf *sb)
{
    static const char *const names[BY_COUNT] = {
        [BY_AGE_BAND] = "Age band",      [BY_SEX] = "Sex",
        [BY_ETHNICITY] = "Ethnic group", [BY_WARD] = "Ward",
        [BY_LSOA] = "Small area (LSOA)", [BY_DISTRICT] = "Postcode district",
        [BY_HOUSEHOLD_SIZE] = "Household size", [BY_CHILDREN] = "Children",
        [BY_HOUSEHOLD_TYPE] = "Household type",
        [BY_PLACEMENT_TYPE] = "Placement type",
        [BY_LEGAL_STATUS] = "Legal status",
        [BY_CATEGORY_OF_NEED] = "Category of need",
    };
    const char *p;

    if (k->by[j] == BY_SERVICE && k->by_service[j] >= 0 &&
        (size_t)k->by_service[j] < plan->nservices) {
        const struct service_def *sd = &plan->services[k->by_service[j]];

        /* "Temporary accommodation (housing) that month" */
        for (p = sd->name; *p; p++) {
            char ch = *p == '_' ? ' ' : *p;

            if (p == sd->name && !lower && ch >= 'a' && ch <= 'z')
                ch = (char)(ch - 'a' + 'A');
            strbuf_add(sb, &ch, 1);
        }
        strbuf_adds(sb, " (");
        add_text(sb, job_plan_department_title(plan, sd->department));
        strbuf_adds(sb, ") that month");
        return;
    }
    if (k->by[j] >= BY_COUNT || !names[k->by[j]]) {
        strbuf_add_html(sb, cohort_by_name(k, j));
        return;
    }
    p = names[k->by[j]];
    if (lower && *p >= 'A' && *p <= 'Z') {
        char ch = (char)(*p - 'A' + 'a');

        strbuf_add(sb, &ch, 1);
        p++;
    }
    strbuf_add_html(sb, p);
}

/* The cell of period p whose by columns are all Total but j, which is v
 * (v == COORD_TOTAL: the grand total); NULL when the table has none. */
static const struct published_cell *
margin_cell(const struct published_table *t, int p, size_t j, uint32_t v)
{
    const struct published_cell *c = published_period_cells(t, p);
    size_t i, k;

    /* the grand total is the period's last cell (published.h) */
    for (i = t->ncells_per_period; i-- > 0;) {
        int match = 1;

        for (k = 0; k < t->nby && match; k++)
            match = c[i].coord[k] == (k == j ? v : COORD_TOTAL);
        if (match)
            return &c[i];
    }
    return NULL;
}

static const struct published_cell *
grand_total(const struct published_table *t, int p)
{
    return margin_cell(t, p, 0, COORD_TOTAL);
}

/* "Up 120 on October 2025 (1,114), a rise of 11%." and its kin. */
static void
headline_change(const struct report_ctx *rc, const struct cohort_result *cr,
                const struct published_cell *now, struct strbuf *sb)
{
    const struct published_table *t = &cr->table;
    const struct published_cell *before;
    char month[24], a[32], b[32];
    int64_t diff;

    if (rc->latest < 12) {
        strbuf_addf(sb,
                    "No month a year before is in this report (it covers "
                    "%d months).",
                    rc->nperiods);
        return;
    }
    month_label(rc->periods[rc->latest - 12].start, 1, month);
    before = grand_total(t, rc->latest - 12);
    if (!before || report_symbol(before)) {
        strbuf_addf(sb,
                    "The number for %s is not published (%s), so there "
                    "is no change on a year before to show.",
                    month, before ? report_symbol(before) : "none");
        return;
    }
    count_commas(before->value, b);
    if (report_symbol(now)) {
        strbuf_addf(sb, "A year before, in %s: %s.", month, b);
        return;
    }
    diff = now->value - before->value;
    if (diff == 0) {
        strbuf_addf(sb, "The same as in %s (%s).", month, b);
        return;
    }
    strbuf_addf(sb, "%s %s on %s (%s)", diff > 0 ? "Up" : "Down",
                count_commas(diff > 0 ? diff : -diff, a), month, b);
    if (before->value > 0)
        strbuf_addf(
            sb, ", a %s of %lld%%", diff > 0 ? "rise" : "fall",
            (long long)(((diff > 0 ? diff : -diff) * 200 / before->value + 1) /
                        2));
    strbuf_adds(sb, ".");
}

/* One cohort's headline: its latest complete month, the change on a year
 * before and who is counted. */
static void
headline(const struct report_ctx *rc, const struct cohort_result *cr,
         struct strbuf *sb)
{
    const struct published_cell *now;
    char anchor[80], month[24], num[32];

    report_cohort_anchor(cr, anchor);
    strbuf_addf(sb, "<li>\n<h3><a href=\"#%s-h\">", anchor);
    strbuf_add_html(sb, cr->plan->title);
    strbuf_adds(sb, "</a></h3>\n");
    if (rc->latest < 0 || !(now = grand_total(&cr->table, rc->latest))) {
        strbuf_adds(sb, "<p>No complete month yet.</p>\n</li>\n");
        return;
    }
    month_label(rc->periods[rc->latest].start, 1, month);
    if (report_symbol(now))
        strbuf_addf(sb,
                    "<p class=\"big\">%s</p>\n<p class=\"u\">%s in %s: "
                    "%s</p>\n",
                    report_symbol(now), report_unit(cr), month,
                    published_hidden(now)
                        ? "not published, to protect privacy"
                        : "not a count (see Codes and symbols)");
    else
        strbuf_addf(sb,
                    "<p class=\"big\">%s</p>\n<p class=\"u\">%s in "
                    "%s</p>\n",
                    count_commas(now->value, num), report_unit(cr), month);
    strbuf_adds(sb, "<p>");
    headline_change(rc, cr, now, sb);
    strbuf_adds(sb, "</p>\n<p class=\"who\">Who: ");
    strbuf_add_html(sb, cr->where_text_plain ? cr->where_text_plain
                                             : cr->plan->where);
    strbuf_adds(sb, ".</p>\n</li>\n");
}

static void
report_headlines(const struct report_ctx *rc, struct strbuf *sb)
{
    const struct run_summary *s = rc->s;
    char last[24], latest[24], refday[11];
    int y, m, d;
    size_t i;

    strbuf_adds(sb, "<section aria-labelledby=\"headlines\">\n<h2 "
                    "id=\"headlines\">Headlines</h2>\n<p>");
    month_label(rc->periods[rc->nperiods - 1].start, 1, last);
    if (rc->latest >= 0)
        month_label(rc->periods[rc->latest].start, 1, latest);
    if (rc->last_incomplete) {
        civil_from_days(rc->periods[rc->nperiods - 1].end, &y, &m, &d);
        snprintf(refday, sizeof(refday), "%d", d);
        strbuf_addf(sb,
                    "%s is not over: the records run to %s %s, so the "
                    "headlines are for %s, the latest complete month, "
                    "each compared with the same month a year before.",
                    last, refday, last, rc->latest >= 0 ? latest : "none");
    } else {
        strbuf_addf(sb,
                    "Each group of people in %s, the latest month, "
                    "compared with the same month a year before.",
                    last);
    }
    strbuf_adds(sb, "</p>\n<ul class=\"headlines\">\n");
    for (i = 0; i < s->ncohorts; i++)
        if (s->cohorts[i].plan)
            headline(rc, &s->cohorts[i], sb);
    strbuf_adds(sb, "</ul>\n</section>\n");
}

/* The chart's key: only the marks the chart uses. */
static void
chart_key(const struct chart_series *cs, struct strbuf *sb)
{
    size_t i, hidden = 0;

    for (i = 0; i < cs->n; i++)
        hidden += cs->points[i].symbol != NULL;
    strbuf_adds(sb,
                "<ul class=\"key\">\n<li><svg width=\"28\" height=\"12\" "
                "aria-hidden=\"true\"><path d=\"M2 6H26\" stroke=\"#1d70b8\" "
                "stroke-width=\"3\"/><circle cx=\"14\" cy=\"6\" r=\"4\" "
                "fill=\"#1d70b8\"/></svg>published number</li>\n");
    if (hidden)
        strbuf_adds(sb,
                    "<li><svg width=\"16\" height=\"16\" "
                    "aria-hidden=\"true\"><rect width=\"16\" height=\"16\" "
                    "fill=\"#f3f2f1\"/><path d=\"M3 3L13 13M3 13L13 3\" "
                    "stroke=\"#505a5f\" stroke-width=\"2.5\"/></svg>month "
                    "not published ([c]: hidden to protect privacy)</li>\n");
    if (cs->last_incomplete)
        strbuf_adds(sb,
                    "<li><svg width=\"12\" height=\"12\" "
                    "aria-hidden=\"true\"><circle cx=\"6\" cy=\"6\" r=\"4\" "
                    "fill=\"#fff\" stroke=\"#1d70b8\" stroke-width=\"2\"/>"
                    "</svg>month not over yet</li>\n");
    strbuf_adds(sb, "</ul>\n");
}

/* The chart, its key and caption, and its numbers as a folded table. */
static void
cohort_figure(const struct report_ctx *rc, const struct cohort_result *cr,
              int fig, const struct chart_series *cs, struct strbuf *sb)
{
    char first[24], last[24], num[32];
    size_t i;

    month_label(cs->month_start[0], 1, first);
    month_label(cs->month_start[cs->n - 1], 1, last);
    strbuf_addf(sb, "<figure aria-labelledby=\"%s-c\">\n", cs->id);
    chart_svg(cs, sb);
    chart_key(cs, sb);
    strbuf_addf(sb, "<figcaption id=\"%s-c\">Figure %d: ", cs->id, fig);
    strbuf_add_html(sb, cr->plan->title);
    strbuf_addf(sb,
                ". Number of %s in each month, %s to %s.</figcaption>\n"
                "</figure>\n<details>\n<summary>Figure %d as a table"
                "</summary>\n<table>\n<caption>Figure %d: ",
                report_unit(cr), first, last, fig, fig);
    strbuf_add_html(sb, cr->plan->title);
    strbuf_addf(sb,
                ", number of %s per month</caption>\n<thead><tr><th "
                "scope=\"col\">Month</th><th scope=\"col\" class=\"n\">"
                "Number of %s</th></tr></thead>\n<tbody>\n",
                report_unit(cr), report_unit(cr));
    for (i = 0; i < cs->n; i++) {
        month_label(cs->month_start[i], 1, first);
        strbuf_addf(sb, "<tr><th scope=\"row\">%s%s</th><td class=\"n\">",
                    first,
                    rc->last_incomplete && i + 1 == cs->n ? " (not over)" : "");
        strbuf_adds(sb, cs->points[i].symbol
                            ? cs->points[i].symbol
                            : count_commas(cs->points[i].value, num));
        strbuf_adds(sb, "</td></tr>\n");
    }
    strbuf_adds(sb, "</tbody>\n</table>\n</details>\n");
}

/* What a sex code means, after the code in a table's row ("M: male"). */
static const char *
sex_gloss(const char *label)
{
    static const char *const gloss[][2] = {
        {"M", ": male"},
        {"F", ": female"},
        {"U", ": not known"},
        {"X", ": indeterminate or other"},
    };
    size_t i;

    for (i = 0; i < sizeof(gloss) / sizeof(gloss[0]); i++)
        if (!strcmp(label, gloss[i][0]))
            return gloss[i][1];
    return "";
}

/* One table per by column for the latest complete month (and a year
 * before), each read from the published margins. */
static void
cohort_margins(const struct report_ctx *rc, const struct cohort_result *cr,
               int fig, struct strbuf *sb)
{
    const struct published_table *t = &cr->table;
    int p = rc->latest, q = rc->latest - 12;
    char now[24], before[24], num[32];
    size_t j;
    uint32_t v;

    if (p < 0 || !t->nby)
        return;
    month_label(rc->periods[p].start, 1, now);
    if (q >= 0)
        month_label(rc->periods[q].start, 1, before);
    for (j = 0; j < t->nby; j++) {
        const struct published_cell *c;

        strbuf_addf(sb, "<table>\n<caption>Table %d.%zu: ", fig, j + 1);
        strbuf_add_html(sb, cr->plan->title);
        strbuf_adds(sb, ", by ");
        report_by_heading(rc->s->plan, cr->plan, j, 1, sb);
        strbuf_addf(sb, ", %s</caption>\n<thead><tr><th scope=\"col\">", now);
        report_by_heading(rc->s->plan, cr->plan, j, 0, sb);
        strbuf_addf(sb, "</th><th scope=\"col\" class=\"n\">%s</th>", now);
        if (q >= 0)
            strbuf_addf(sb, "<th scope=\"col\" class=\"n\">%s</th>", before);
        strbuf_adds(sb, "</tr></thead>\n<tbody>\n");
        for (v = 0; v <= t->dim_n[j]; v++) {
            uint32_t coord = v < t->dim_n[j] ? v : COORD_TOTAL;

            if (coord == COORD_TOTAL)
                strbuf_adds(sb, "</tbody>\n<tfoot>\n");
            strbuf_adds(sb, "<tr><th scope=\"row\">");
            strbuf_add_html(sb, coord == COORD_TOTAL ? "Total"
                                                     : t->dim_labels[j][v]);
            if (coord != COORD_TOTAL && cr->plan->by[j] == BY_SEX)
                strbuf_adds(sb, sex_gloss(t->dim_labels[j][v]));
            c = margin_cell(t, p, j, coord);
            strbuf_addf(sb, "</th><td class=\"n\">%s</td>",
                        c ? report_cell_text(c, num) : "");
            if (q >= 0) {
                c = margin_cell(t, q, j, coord);
                strbuf_addf(sb, "<td class=\"n\">%s</td>",
                            c ? report_cell_text(c, num) : "");
            }
            strbuf_adds(sb, "</tr>\n");
        }
        strbuf_adds(sb, "</tfoot>\n</table>\n");
    }
}

/* The published file of a cohort's table: the first files output's
 * naming (export/files.c), NAME.csv or NAME.csv.gz. */
static void
cohort_csv_link(const struct report_ctx *rc, const struct cohort_result *cr,
                struct strbuf *sb)
{
    const struct job_plan *plan = rc->s->plan;
    const char *ext = ".csv";
    size_t i;

    for (i = 0; i < plan->noutputs; i++)
        if (plan->outputs[i].type == OUT_CSV) {
            ext = plan->outputs[i].gzip ? ".csv.gz" : ".csv";
            break;
        }
    strbuf_addf(sb, "<p>Every month, with every combination of ");
    for (i = 0; i < cr->table.nby; i++) {
        if (i)
            strbuf_adds(sb, i + 1 == cr->table.nby ? " and " : ", ");
        report_by_heading(plan, cr->plan, i, 1, sb);
    }
    if (!cr->table.nby)
        strbuf_adds(sb, "nothing (totals only)");
    strbuf_addf(sb,
                ": <a href=\"%s%s\">%s%s</a> (CSV; a hidden number is "
                "written [c]).</p>\n",
                cr->plan->name, ext, cr->plan->name, ext);
}

/* One cohort: who, the chart over time, the latest month by each column. */
static void
report_cohort(const struct report_ctx *rc, const struct cohort_result *cr,
              int fig, struct strbuf *sb)
{
    const struct published_table *t = &cr->table;
    struct chart_point *pts;
    int32_t *starts;
    struct chart_series cs;
    char anchor[80], title[512], first[24], last[24];
    int n = t->nperiods < rc->nperiods ? t->nperiods : rc->nperiods, p;

    pts = calloc((size_t)(n > 0 ? n : 1), sizeof(*pts));
    starts = calloc((size_t)(n > 0 ? n : 1), sizeof(*starts));
    if (!pts || !starts || n <= 0) {
        sb->failed |= !pts || !starts;
        goto out;
    }
    for (p = 0; p < n; p++) {
        const struct published_cell *c = grand_total(t, p);

        pts[p].value = c ? c->value : 0;
        pts[p].symbol = c ? report_symbol(c) : "[?]";
        starts[p] = rc->periods[p].start;
    }
    report_cohort_anchor(cr, anchor);
    month_label(starts[0], 1, first);
    month_label(starts[n - 1], 1, last);
    snprintf(title, sizeof(title),
             "Figure %d chart: %s, number of %s per "
             "month, %s to %s",
             fig, cr->plan->title, report_unit(cr), first, last);
    cs.id = anchor;
    cs.title = title;
    cs.unit = report_unit(cr);
    cs.n = (size_t)n;
    cs.points = pts;
    cs.month_start = starts;
    cs.last_incomplete = rc->last_incomplete;
    strbuf_addf(sb, "<section aria-labelledby=\"%s-h\">\n<h2 id=\"%s-h\">",
                anchor, anchor);
    strbuf_add_html(sb, cr->plan->title);
    strbuf_adds(sb, "</h2>\n<p class=\"who\">Who is counted: ");
    strbuf_add_html(sb, cr->where_text_plain ? cr->where_text_plain
                                             : cr->plan->where);
    strbuf_adds(sb, ". Each person is counted once in a month however many "
                    "records they have.</p>\n");
    cohort_figure(rc, cr, fig, &cs, sb);
    cohort_margins(rc, cr, fig, sb);
    cohort_csv_link(rc, cr, sb);
    strbuf_adds(sb, "</section>\n");
out:
    free(pts);
    free(starts);
}

static const char report_css[] =
    "body{font-family:Arial,Helvetica,sans-serif;font-size:1.0625rem;"
    "line-height:1.5;max-width:60rem;margin:0 auto;padding:1rem 1.25rem;"
    "color:#0b0c0c;background:#fff}\n"
    "h1{font-size:2rem;line-height:1.2;margin:.5rem 0}\n"
    "h2{font-size:1.5rem;line-height:1.25;margin:2.5rem 0 .5rem;"
    "padding-top:.75rem;border-top:2px solid #0b0c0c}\n"
    "h3{font-size:1.1875rem;margin:1.25rem 0 .25rem}\n"
    "a{color:#1d70b8}a:visited{color:#4c2c92}\n"
    "a:focus,summary:focus{outline:3px solid #ffdd00;background:#ffdd00;"
    "color:#0b0c0c}\n"
    ".lede{font-size:1.1875rem}\n"
    ".headlines{list-style:none;padding:0;display:grid;gap:1rem;"
    "grid-template-columns:repeat(auto-fit,minmax(17rem,1fr))}\n"
    ".headlines li{border-left:5px solid #1d70b8;background:#f3f2f1;"
    "padding:.25rem 1rem}\n"
    ".headlines h3{margin-top:.5rem}\n"
    ".big{font-size:2.5rem;font-weight:bold;line-height:1.1;margin:.5rem 0 0}\n"
    ".u{margin-top:0;font-weight:bold}\n"
    ".who{color:#0b0c0c}\n"
    "table{border-collapse:collapse;margin:.75rem 0 1.5rem;"
    "font-variant-numeric:tabular-nums}\n"
    "caption{text-align:left;font-weight:bold;padding:0 0 .25rem}\n"
    "th,td{border-bottom:1px solid #b1b4b6;padding:.35rem 1rem .35rem 0;"
    "text-align:left;vertical-align:top}\n"
    "td{overflow-wrap:anywhere}\n"
    "thead th{border-bottom:2px solid #0b0c0c}\n"
    "tfoot th,tfoot td{font-weight:bold}\n"
    ".n{text-align:right}\n"
    ".wide{overflow-x:auto;max-width:100%}\n"
    ".wide:focus{outline:3px solid #ffdd00}\n"
    "figure{margin:1rem 0 .5rem}\n"
    "figcaption{font-weight:bold}\n"
    ".chart{display:block;width:100%;height:auto;max-width:46rem}\n"
    ".chart .ct{font-size:13px;fill:#0b0c0c}\n"
    ".chart .cta{font-size:13px;font-weight:bold;fill:#0b0c0c}\n"
    ".chart .grid{stroke:#b1b4b6;stroke-width:1}\n"
    ".chart .axis{stroke:#0b0c0c;stroke-width:1}\n"
    ".chart .line{fill:none;stroke:#1d70b8;stroke-width:3}\n"
    ".chart .pt{fill:#1d70b8}\n"
    ".chart .open{fill:#fff;stroke:#1d70b8;stroke-width:2}\n"
    ".chart .hid{fill:#f3f2f1}\n"
    ".chart .x{stroke:#505a5f;stroke-width:2.5}\n"
    ".key{list-style:none;padding:0;margin:.25rem 0;display:flex;"
    "flex-wrap:wrap;gap:.25rem 1.5rem}\n"
    ".key svg{vertical-align:middle;margin-right:.4rem}\n"
    "dt{font-weight:bold;margin-top:.75rem}dd{margin:0}\n"
    "details{margin:.5rem 0 1rem}\n"
    "summary{cursor:pointer;color:#1d70b8;text-decoration:underline}\n"
    "pre{white-space:pre-wrap;font-size:.875rem}\n"
    "code{overflow-wrap:anywhere}\n"
    "@media (max-width:40em){body{font-size:1rem;padding:.75rem}"
    "h1{font-size:1.625rem}.big{font-size:1.75rem}"
    ".chart .ct,.chart .cta{font-size:24px}.chart .alt{display:none}"
    "th,td{padding-right:.6rem}}\n"
    "@media print{body{max-width:none;padding:0;font-size:10.5pt;color:#000}"
    "nav{display:none}a{color:#000}"
    "h2{break-after:avoid}h3{break-after:avoid}"
    "figure,table,.headlines li{break-inside:avoid}"
    ".headlines{display:block}.headlines li{background:none;"
    "border-left:3pt solid #000;margin:0 0 .5rem}"
    "summary{color:#000;text-decoration:none;font-weight:bold}"
    "details::details-content{content-visibility:visible;display:block}"
    ".chart{max-width:17cm}@page{margin:15mm}}\n";

/* "One" to "Nine", then digits, to open a sentence. */
static const char *
number_word(size_t n, char buf[24])
{
    static const char *const words[10] = {"No",    "One",  "Two", "Three",
                                          "Four",  "Five", "Six", "Seven",
                                          "Eight", "Nine"};

    if (n < 10)
        return words[n];
    snprintf(buf, 24, "%zu", n);
    return buf;
}

/* Which departments the job reads, in their titles, for the opening
 * line. */
static void
departments_read(const struct job_plan *plan, struct strbuf *sb)
{
    int seen[DEPT_MAX] = {0}, d, n = 0, k = 0;
    int nd = (int)job_plan_ndepartments(plan);
    size_t i;

    for (i = 0; i < plan->nsources; i++)
        if (plan->sources[i].department >= 0 &&
            plan->sources[i].department < nd &&
            !seen[plan->sources[i].department]++)
            n++;
    for (d = 0; d < nd; d++) {
        if (!seen[d])
            continue;
        strbuf_adds(sb, k == 0 ? "" : k + 1 == n ? " and " : ", ");
        add_text(sb, job_plan_department_title(plan, d));
        k++;
    }
}

/* The page's head, title and opening lines, and its contents. */
static void
report_open(const struct report_ctx *rc, struct strbuf *sb)
{
    const struct run_summary *s = rc->s;
    const struct disclosure_plan *dp = &s->plan->disclosure;
    char last[24], refdate[11], nword[24];

    month_label(
        rc->periods[rc->latest >= 0 ? rc->latest : rc->nperiods - 1].start, 1,
        last);
    strbuf_adds(sb,
                "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n"
                "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
                "content=\"width=device-width, initial-scale=1\">\n<title>");
    strbuf_add_html(sb, s->plan->name);
    strbuf_addf(sb, ": people in council services, to %s</title>\n<style>\n",
                last);
    strbuf_adds(sb, report_css);
    strbuf_adds(sb, "</style>\n</head>\n<body>\n<header>\n<h1>People in "
                    "council services, month by month, to ");
    strbuf_addf(sb,
                "%s</h1>\n<p class=\"lede\">%s group%s of people "
                "counted each month from ",
                last, number_word(s->ncohorts, nword),
                s->ncohorts == 1 ? "" : "s");
    departments_read(s->plan, sb);
    strbuf_adds(sb, " records, linked so that each person is counted once. "
                    "Small numbers are hidden ([c]) so that nobody can be "
                    "identified");
    if (dp->perturbation == PERTURB_CELLKEY)
        strbuf_adds(sb, ", and every number has a little noise added");
    else if (dp->rounding > 1)
        strbuf_addf(sb, ", and every number is rounded to the nearest %d",
                    dp->rounding);
    format_iso_date(s->plan->reference_date, refdate);
    strbuf_adds(sb, ".</p>\n<p>Job <code>");
    strbuf_add_html(sb, s->plan->name);
    strbuf_addf(sb,
                "</code>: records to %s, the reference date.</p>\n"
                "</header>\n",
                refdate);
}

/* The page's contents, after the headlines. */
static void
report_contents(const struct run_summary *s, struct strbuf *sb)
{
    size_t i;

    strbuf_adds(sb, "<nav aria-labelledby=\"contents\">\n<h2 "
                    "id=\"contents\">Contents</h2>\n<ol>\n");
    for (i = 0; i < s->ncohorts; i++) {
        char anchor[80];

        if (!s->cohorts[i].plan)
            continue;
        report_cohort_anchor(&s->cohorts[i], anchor);
        strbuf_addf(sb, "<li><a href=\"#%s-h\">", anchor);
        strbuf_add_html(sb, s->cohorts[i].plan->title);
        strbuf_adds(sb, "</a></li>\n");
    }
    strbuf_adds(sb, "<li><a href=\"#glossary\">Codes and symbols</a></li>\n"
                    "<li><a href=\"#data\">About the data</a></li>\n"
                    "<li><a href=\"#protection\">How the numbers are "
                    "protected</a></li>\n<li><a href=\"#run\">About this "
                    "run</a></li>\n</ol>\n</nav>\n");
}

/* The latest complete month: the last one when the reference date is its
 * last day, else the one before it. */
static void
report_ctx_init(struct report_ctx *rc, const struct run_summary *s,
                const struct period *periods, int n)
{
    int y, m, d;

    memset(rc, 0, sizeof(*rc));
    rc->s = s;
    rc->periods = periods;
    rc->nperiods = n;
    civil_from_days(periods[n - 1].end + 1, &y, &m, &d);
    rc->last_incomplete = d != 1;
    rc->latest = n - 1 - rc->last_incomplete;
}

void
render_report_html(const struct run_summary *s, struct strbuf *sb)
{
    const struct job_plan *plan = s->plan;
    struct period *periods;
    struct report_ctx rc;
    size_t i;
    int fig = 0;

    if (plan->periods < 1 ||
        !(periods = calloc((size_t)plan->periods, sizeof(*periods)))) {
        sb->failed = 1;
        return;
    }
    periods_compute(job_plan_period_end(plan), plan->periods, periods);
    report_ctx_init(&rc, s, periods, plan->periods);
    report_open(&rc, sb);
    strbuf_adds(sb, "<main>\n");
    report_headlines(&rc, sb);
    report_contents(s, sb);
    for (i = 0; i < s->ncohorts; i++)
        if (s->cohorts[i].plan)
            report_cohort(&rc, &s->cohorts[i], ++fig, sb);
    render_projections_html(s, sb); /* export/projection_out.h */
    report_glossary(&rc, sb);
    report_about_data(&rc, sb);
    report_protection(&rc, sb);
    report_run(&rc, sb);
    strbuf_adds(sb, "</main>\n</body>\n</html>\n");
    free(periods);
}

/* The probabilistic stage's entry of the manifest's linkage list, after
 * the keys': its counts through the tables' rule, as linkage.csv. */
static void
manifest_prob(const struct run_summary *s, struct strbuf *sb)
{
    const struct prob_summary *p = &s->prob;
    char nb[5][24];

    if (!p->ran)
        return;
    strbuf_addf(sb,
                "%s{\"key\": \"probabilistic\", \"threshold\": %.4f, "
                "\"records\": %llu, \"links\": %s, \"refused\": %s, "
                "\"pairs_compared\": %s, \"pairs_accepted\": %s, "
                "\"refused_by_guard\": %s, \"fields_on_default_m\": %u}",
                s->nkeys ? ",\n    " : "\n    ", p->threshold,
                (unsigned long long)p->records, count_json(p->links, nb[0]),
                count_json(p->refused_strong_id, nb[1]),
                count_json(p->pairs_compared, nb[2]),
                count_json(p->pairs_accepted, nb[3]),
                count_json(p->refused_guard, nb[4]), p->em_defaulted);
}

void
render_manifest(const struct run_summary *s, const struct published_file *files,
                size_t nfiles, struct strbuf *sb)
{
    char started[32], finished[32], nb[2][24];
    size_t i, j;

    iso_time(s->started, started);
    iso_time(s->finished, finished);
    strbuf_adds(sb, "{\n  \"run_id\": ");
    strbuf_add_json(sb, s->run_id);
    strbuf_adds(sb, ",\n  \"version\": ");
    strbuf_add_json(sb, s->version ? s->version : "");
    strbuf_addf(sb,
                ",\n  \"started\": \"%s\",\n  \"finished\": \"%s\",\n"
                "  \"job\": ",
                started, finished);
    strbuf_add_json(sb, s->plan->name);
    strbuf_adds(sb, ",\n  \"config\": ");
    strbuf_add_json(sb, s->plan->config_path ? s->plan->config_path : "");
    strbuf_addf(sb,
                ",\n  \"plan_hash\": \"%s\",\n  \"key_id\": \"%s\",\n"
                "  \"persons\": %s,\n  \"sources\": [",
                s->plan_hash, s->key_id, count_json(s->persons, nb[0]));
    for (i = 0; i < s->nsources; i++) {
        const struct source_summary *ss = &s->sources[i];

        strbuf_adds(sb, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
        strbuf_add_json(sb, s->plan->sources[i].name);
        strbuf_addf(sb,
                    ", \"rows_in\": %llu, \"rows_accepted\": %llu, "
                    "\"rows_quarantined\": %llu, \"quarantined\": {",
                    (unsigned long long)ss->rows_in,
                    (unsigned long long)ss->rows_accepted,
                    (unsigned long long)ss->rows_quarantined);
        for (j = 0; j < ss->nquarantined; j++)
            strbuf_addf(sb, "%s\"%s\": %llu", j ? ", " : "",
                        ss->quarantined[j].reason,
                        (unsigned long long)ss->quarantined[j].n);
        strbuf_adds(sb, "}, \"dropped\": {");
        for (j = 0; j < ss->nnotes; j++)
            strbuf_addf(sb, "%s\"%s\": %llu", j ? ", " : "",
                        ss->notes[j].reason,
                        (unsigned long long)ss->notes[j].n);
        /* each file by its place in the sorted glob and its hash: a
         * path may be a person's name (connectors/source.h) */
        strbuf_adds(sb, "}, \"files\": [");
        for (j = 0; j < ss->nfiles; j++)
            strbuf_addf(sb,
                        "%s{\"position\": %zu, \"bytes\": %llu, "
                        "\"blake2b\": \"%s\", \"rows\": %llu}",
                        j ? ", " : "", j + 1,
                        (unsigned long long)ss->files[j].size,
                        ss->files[j].blake2b_hex,
                        (unsigned long long)ss->files[j].rows);
        strbuf_adds(sb, "]}");
    }
    strbuf_adds(sb, "\n  ],\n  \"linkage\": [");
    for (i = 0; i < s->nkeys; i++) {
        strbuf_adds(sb, i ? ",\n    {\"key\": " : "\n    {\"key\": ");
        strbuf_add_json(sb, s->keys[i].key_text ? s->keys[i].key_text : "");
        strbuf_addf(sb,
                    ", \"records_with_key\": %llu, \"links\": %s, "
                    "\"refused\": %s}",
                    (unsigned long long)s->keys[i].records_with_key,
                    count_json(s->keys[i].links, nb[0]),
                    count_json(s->keys[i].conflicts, nb[1]));
    }
    manifest_prob(s, sb);
    strbuf_adds(sb, "\n  ],\n  \"cohorts\": [");
    for (i = 0; i < s->ncohorts; i++) {
        const struct cohort_result *cr = &s->cohorts[i];

        strbuf_adds(sb, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
        strbuf_add_json(sb, cr->plan ? cr->plan->name : "");
        strbuf_addf(sb, ", \"cells\": %llu, \"suppressed\": %llu, "
                        "\"secondary\": %llu, \"rounded\": %llu, "
                        "\"perturbed\": %llu, \"structural\": %llu}",
                    (unsigned long long)cr->cells,
                    (unsigned long long)cr->suppressed,
                    (unsigned long long)cr->secondary,
                    (unsigned long long)cr->rounded,
                    (unsigned long long)cr->perturbed,
                    (unsigned long long)cr->structural);
    }
    strbuf_adds(sb, "\n  ],\n  ");
    render_manifest_forecast(s, sb); /* export/projection_out.h */
    strbuf_addf(sb, "\"disclosure\": {\"suppress\": \"%d-%d\", "
                    "\"protect_zeros\": %s, \"rounding\": %d, "
                    "\"protection_level\": %d, \"suppression_cost\": \"%s\", "
                    "\"perturbation\": \"%s\"},\n"
                    "  \"outputs\": [",
                s->plan->disclosure.suppress_lo,
                s->plan->disclosure.suppress_hi,
                s->plan->disclosure.protect_zeros ? "true" : "false",
                s->plan->disclosure.rounding,
                s->plan->disclosure.protection_level,
                s->plan->disclosure.suppression_cost == COST_CELLS ? "cells"
                : s->plan->disclosure.suppression_cost == COST_LOG_VALUE
                    ? "log_value"
                    : "value",
                s->plan->disclosure.perturbation == PERTURB_CELLKEY
                    ? "cellkey"
                    : "none");
    for (i = 0; i < nfiles; i++) {
        strbuf_adds(sb, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
        strbuf_add_json(sb, files[i].name);
        strbuf_addf(sb, ", \"bytes\": %llu, \"blake2b\": \"%s\"}",
                    (unsigned long long)files[i].bytes, files[i].blake2b_hex);
    }
    strbuf_adds(sb, "\n  ]\n}\n");
}
