/* Unit tests for export/report_chart.c (round ticks, numbers, month names,
 * the chart's SVG) and export/report.c (headline month and change, tables
 * from the published margins) on a small summary made by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../core/calendar.h"
#include "../../core/strbuf.h"
#include "../../export/report.h"
#include "../../export/report_chart.h"

static void
test_axis_ticks(void **state)
{
    static const struct {
        int64_t max, step, top;
    } t[] = {
        {0, 1, 1},
        {1, 1, 1},
        {4, 1, 4},
        {5, 1, 5},
        {7, 2, 8},
        {10, 2, 10},
        {11, 5, 15},
        {26, 10, 30},
        {410, 100, 500},
        {1234, 500, 1500},
        {99999, 20000, 100000},
    };
    size_t i;
    int64_t step, top;

    (void)state;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        axis_ticks(t[i].max, &step, &top);
        assert_int_equal(step, t[i].step);
        assert_int_equal(top, t[i].top);
    }
}

static void
test_count_commas(void **state)
{
    char buf[32];

    (void)state;
    assert_string_equal(count_commas(0, buf), "0");
    assert_string_equal(count_commas(999, buf), "999");
    assert_string_equal(count_commas(1000, buf), "1,000");
    assert_string_equal(count_commas(1234567, buf), "1,234,567");
    assert_string_equal(count_commas(-1234, buf), "-1,234");
    assert_string_equal(count_commas(INT64_MAX, buf),
                        "9,223,372,036,854,775,807");
}

static void
test_month_label(void **state)
{
    char buf[24];

    (void)state;
    month_label(days_from_civil(2026, 10, 15), 1, buf);
    assert_string_equal(buf, "October 2026");
    month_label(days_from_civil(2025, 1, 1), 0, buf);
    assert_string_equal(buf, "Jan 2025");
}

static void
test_chart_svg(void **state)
{
    struct chart_point pts[3] = {{12, NULL}, {0, "[c]"}, {30, NULL}};
    int32_t starts[3];
    struct chart_series cs = {
        "c-x", "Figure 1 chart: a test", "people", 3, pts, starts, 1};
    struct strbuf sb = STRBUF_INIT;
    const char *svg;

    (void)state;
    starts[0] = days_from_civil(2026, 8, 1);
    starts[1] = days_from_civil(2026, 9, 1);
    starts[2] = days_from_civil(2026, 10, 1);
    chart_svg(&cs, &sb);
    svg = strbuf_str(&sb);
    assert_non_null(strstr(svg, "role=\"img\" aria-labelledby=\"c-x-t\" "
                                "aria-describedby=\"c-x-d\""));
    assert_non_null(
        strstr(svg, "<title id=\"c-x-t\">Figure 1 chart: a test</title>"));
    assert_non_null(strstr(svg,
                           "August 2026: 12; September 2026: [c] (not "
                           "published); October 2026: 30 (month not over)"));
    assert_non_null(strstr(svg, "class=\"hid\""));     /* the hidden month */
    assert_non_null(strstr(svg, "class=\"pt open\"")); /* the month not over */
    assert_non_null(strstr(svg, ">Number of people</text>"));
    assert_non_null(strstr(svg, ">Month</text>"));
    assert_non_null(strstr(svg, ">30</text>")); /* the top tick */
    /* the line breaks at the hidden month: two pieces, each one M */
    assert_non_null(strstr(svg, "class=\"line\" d=\"M"));
    assert_null(strstr(strstr(svg, "class=\"line\" d=\"M") + 20, "L"));
    assert_null(strstr(svg, "nan"));
    strbuf_release(&sb);
}

/* A job of one cohort by sex over 14 months to 15 October 2026. */
struct fixture {
    struct job_plan plan;
    struct cohort_plan cohort;
    struct run_summary sum;
    struct cohort_result cr;
    char *labels[2];
};

static void
fixture_init(struct fixture *f)
{
    struct published_table *t = &f->cr.table;
    int p;

    memset(f, 0, sizeof(*f));
    f->plan.name = "t";
    f->plan.reference_date = days_from_civil(2026, 10, 15);
    f->plan.periods = 14;
    f->plan.disclosure.suppress_lo = 1;
    f->plan.disclosure.suppress_hi = 9;
    f->plan.disclosure.rounding = 5;
    f->cohort.name = "t1";
    f->cohort.title = "Test group";
    f->cohort.where = "age >= 18";
    f->cohort.nby = 1;
    f->cohort.by[0] = BY_SEX;
    f->cohort.by_service[0] = -1;
    f->plan.cohorts = &f->cohort;
    f->plan.ncohorts = 1;
    f->labels[0] = "M";
    f->labels[1] = "F";
    t->nperiods = 14;
    t->nby = 1;
    t->dim_n[0] = 2;
    t->dim_labels[0] = f->labels;
    t->ncells_per_period = 3;
    t->cells = calloc(14 * 3, sizeof(*t->cells));
    assert_non_null(t->cells);
    for (p = 0; p < 14; p++) {
        struct published_cell *c = t->cells + p * 3;

        c[0].coord[0] = 0;
        c[0].value = 20;
        c[1].coord[0] = 1;
        c[1].value = 10;
        c[2].coord[0] = COORD_TOTAL;
        c[2].value = 30;
    }
    /* September 2026, the latest complete month: 40, its F hidden */
    t->cells[12 * 3 + 1].symbol = PUB_CONFIDENTIAL;
    t->cells[12 * 3 + 2].value = 40;
    f->cr.plan = &f->cohort;
    f->cr.where_text_plain = "aged 18 or over";
    f->sum.plan = &f->plan;
    f->sum.cohorts = &f->cr;
    f->sum.ncohorts = 1;
    memcpy(f->sum.run_id, "20261016T020000Z", 17);
}

static void
test_report_headline(void **state)
{
    struct fixture f;
    struct strbuf sb = STRBUF_INIT;
    const char *html;

    (void)state;
    fixture_init(&f);
    render_report_html(&f.sum, &sb);
    assert_false(strbuf_failed(&sb));
    html = strbuf_str(&sb);
    assert_non_null(strstr(html, "October 2026 is not over: the records run to "
                                 "15 October 2026, so the headlines are for "
                                 "September 2026"));
    assert_non_null(strstr(html, "<p class=\"big\">40</p>"));
    assert_non_null(
        strstr(html, "Up 10 on September 2025 (30), a rise of 33%."));
    assert_non_null(strstr(html, "Who: aged 18 or over."));
    /* the by-sex table of September 2026 and 2025, from the margins */
    assert_non_null(strstr(html, "<caption>Table 1.1: Test group, by sex, "
                                 "September 2026</caption>"));
    assert_non_null(strstr(html, "<th scope=\"row\">M: male</th><td "
                                 "class=\"n\">20</td><td class=\"n\">20</td>"));
    assert_non_null(strstr(html,
                           "<th scope=\"row\">F: female</th><td "
                           "class=\"n\">[c]</td><td class=\"n\">10</td>"));
    assert_non_null(strstr(html, "<a href=\"t1.csv\">t1.csv</a>"));
    /* the headlines come before the data's quality */
    assert_true(strstr(html, "id=\"headlines\"") < strstr(html, "id=\"data\""));
    assert_null(strstr(html, "<script"));
    strbuf_release(&sb);
    free(f.cr.table.cells);
}

static void
test_report_latest_hidden(void **state)
{
    struct fixture f;
    struct strbuf sb = STRBUF_INIT;
    const char *html;

    (void)state;
    fixture_init(&f);
    f.plan.reference_date =
        days_from_civil(2026, 9, 30); /* September is over */
    f.cr.table.cells[13 * 3 + 2].symbol = PUB_CONFIDENTIAL;
    f.cr.table.cells[1 * 3 + 2].symbol = PUB_CONFIDENTIAL;
    render_report_html(&f.sum, &sb);
    html = strbuf_str(&sb);
    /* the last month is complete; its total is hidden, and so is a year
     * before's: no number and no change is made up */
    assert_non_null(strstr(html, "Each group of people in September 2026, the "
                                 "latest month"));
    assert_non_null(strstr(html, "<p class=\"big\">[c]</p>"));
    assert_non_null(strstr(html, "The number for September 2025 is not "
                                 "published ([c]), so there is no change"));
    strbuf_release(&sb);
    free(f.cr.table.cells);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_axis_ticks),
        cmocka_unit_test(test_count_commas),
        cmocka_unit_test(test_month_label),
        cmocka_unit_test(test_chart_svg),
        cmocka_unit_test(test_report_headline),
        cmocka_unit_test(test_report_latest_hidden),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
