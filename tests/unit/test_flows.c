/*
 * Unit tests for the forecasting measures on hand-made spells:
 * cohorts/count.c (measure = persons, new, ended) and cohorts/flows.c
 * (entries, exits and months in the cohort; transitions; service
 * transitions; overlap). Three persons over July to October 2026:
 *
 *   p0  housing 10-20 Aug (enters and leaves in one month), then
 *       children's social care from 1 Sep, open; aged 0-4 throughout
 *   p1  children's social care from 1 Jun, open; 5-17 in Jul and Aug,
 *       18-64 from Sep (ages across a band)
 *   p2  EHCP in Jul, none in Aug, again from 1 Sep (a one-month gap);
 *       housing in Oct; age unknown
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../anonymise/flows_audit.h"
#include "../../cohorts/count.h"
#include "../../cohorts/flows.h"
#include "../../cohorts/linkgroup.h"
#include "../../cohorts/where.h"
#include "../../core/calendar.h"
#include "../../core/period.h"

static struct age_band bands[] = {{0, 4}, {5, 17}, {18, 64}, {65, -1}};
static struct service_def services[] = {
    {DEPT_HOUSING, "temporary_accommodation"},
    {DEPT_CHILDREN_SOCIAL_CARE, "child_in_need"},
    {DEPT_EDUCATION, "ehcp"},
};
static struct job_plan plan;
static struct spell spells[6];
static struct person_set ps;
static struct geo_names geo;
static struct period pr[4];

#define U AGE_BAND_UNKNOWN
#define D(y, m, d) days_from_civil(y, m, d)

static void
setup(void)
{
    static uint8_t age[12] = {0, 0, 0, 0, 1, 1, 2, 2, U, U, U, U};
    static uint8_t sex[3] = {SEX_F, SEX_M, SEX_F}, eth[3] = {0, 0, 0},
                   rk[3] = {10, 20, 30};
    static uint32_t ward[3] = {0, 0, 0}, first[4] = {0, 2, 3, 6};
    static char *names[1] = {"UNKNOWN"};
    const struct spell s[6] = {
        {D(2026, 8, 10), D(2026, 8, 20), 0, DEPT_HOUSING, 0, 0, {0}},
        {D(2026, 9, 1), DAY_OPEN, 1, DEPT_CHILDREN_SOCIAL_CARE, 0, 0, {0}},
        {D(2026, 6, 1), DAY_OPEN, 1, DEPT_CHILDREN_SOCIAL_CARE, 0, 0, {0}},
        {D(2026, 7, 1), D(2026, 7, 31), 2, DEPT_EDUCATION, 0, 0, {0}},
        {D(2026, 9, 1), DAY_OPEN, 2, DEPT_EDUCATION, 0, 0, {0}},
        {D(2026, 10, 1), D(2026, 10, 31), 0, DEPT_HOUSING, 0, 0, {0}},
    };

    memset(&plan, 0, sizeof(plan));
    plan.age_bands = bands;
    plan.nage_bands = 4;
    plan.services = services;
    plan.nservices = 3;
    plan.periods = 4;
    plan.reference_date = D(2026, 10, 31);
    memcpy(spells, s, sizeof(s));
    memset(&geo, 0, sizeof(geo));
    geo.ward = geo.lsoa = geo.district = names;
    geo.nward = geo.nlsoa = geo.ndistrict = 1;
    memset(&ps, 0, sizeof(ps));
    ps.npersons = 3;
    ps.nperiods = 4;
    ps.age_band = age;
    ps.sex = sex;
    ps.ethnicity = eth;
    ps.ward = ps.lsoa = ps.district = ward;
    ps.record_key = rk;
    ps.spell_first = first;
    ps.spells = spells;
    ps.nspells = 6;
    ps.geo = &geo;
    periods_compute(plan.reference_date, 4, pr);
}

static struct where_expr *
parse(const char *text)
{
    struct where_expr *e;
    struct diag d;

    if (where_parse(text, &plan, &e, &d) < 0)
        fail_msg("where '%s': %s", text, d.msg);
    return e;
}

/* The grand totals of a cohort table per month. */
static void
totals(const char *where, enum measure m, int64_t out[4])
{
    struct where_expr *e = parse(where);
    struct cohort_plan c;
    struct count_table t;
    int i;

    memset(&c, 0, sizeof(c));
    c.name = "x";
    c.measure = m;
    assert_int_equal(cohort_count(&plan, &c, e, &ps, pr, &t), 0);
    for (i = 0; i < 4; i++)
        out[i] = t.cells[(size_t)(i + 1) * t.ncells_per_period - 1].count;
    table_release(&t);
    where_free(e);
}

static void
expect4(const int64_t got[4], int64_t a, int64_t b, int64_t c, int64_t d)
{
    if (got[0] != a || got[1] != b || got[2] != c || got[3] != d)
        fail_msg("got %lld %lld %lld %lld, want %lld %lld %lld %lld",
                 (long long)got[0], (long long)got[1], (long long)got[2],
                 (long long)got[3], (long long)a, (long long)b, (long long)c,
                 (long long)d);
}

/* persons - ended is the month-end stock: it moves by new - ended. */
static void
expect_identity(const int64_t p[4], const int64_t n[4], const int64_t e[4])
{
    int t;

    for (t = 1; t < 4; t++)
        if (p[t] - e[t] != p[t - 1] - e[t - 1] + n[t] - e[t])
            fail_msg("stock-flow identity broken in month %d", t);
}

/* Entering and leaving in one month: new and ended in that month. */
static void
test_same_month(void **state)
{
    int64_t p[4], n[4], e[4];

    (void)state;
    setup();
    totals("housing.any", MEASURE_PERSONS, p);
    totals("housing.any", MEASURE_NEW, n);
    totals("housing.any", MEASURE_ENDED, e);
    expect4(p, 0, 1, 0, 1);
    expect4(n, 0, 1, 0, 1);
    /* p2's October spell ends on the reference date: November is out */
    expect4(e, 0, 1, 0, 1);
    expect_identity(p, n, e);
}

/* A one-month gap: ended before it, new after it. Everyone known to a
 * department: the identity holds with a person in two spells. */
static void
test_gap(void **state)
{
    int64_t p[4], n[4], e[4];
    const char *any = "housing.any or children_social_care.any or "
                      "education.any";

    (void)state;
    setup();
    totals("education.any", MEASURE_PERSONS, p);
    totals("education.any", MEASURE_NEW, n);
    totals("education.any", MEASURE_ENDED, e);
    expect4(p, 1, 0, 1, 1);
    expect4(n, 1, 0, 1, 0);
    expect4(e, 1, 0, 0, 0);
    expect_identity(p, n, e);
    totals(any, MEASURE_PERSONS, p);
    totals(any, MEASURE_NEW, n);
    totals(any, MEASURE_ENDED, e);
    expect4(p, 2, 2, 3, 3);
    expect4(n, 1, 1, 1, 0); /* p1 was in in June: not new in July */
    expect4(e, 1, 0, 0, 0);
    expect_identity(p, n, e);
}

/* Ageing out of a cohort that tests age is an exit; within one that
 * does not, the person moves band and neither enters nor leaves. */
static void
test_ageing(void **state)
{
    int64_t p[4], n[4], e[4];
    struct where_expr *x = parse("age < 18 and children_social_care.any");
    struct cohort_plan c;
    struct count_table t[FLOW_COUNT];
    uint32_t co[2];
    int f;

    (void)state;
    setup();
    totals("age < 18 and children_social_care.any", MEASURE_PERSONS, p);
    totals("age < 18 and children_social_care.any", MEASURE_NEW, n);
    totals("age < 18 and children_social_care.any", MEASURE_ENDED, e);
    expect4(p, 1, 1, 1, 1); /* p1 in Jul, Aug; p0 (0-4) from Sep */
    expect4(n, 0, 0, 1, 0);
    expect4(e, 0, 1, 0, 0); /* p1's last month under 18 */
    expect_identity(p, n, e);
    /* by age band and months in the cohort: p1 ends in Aug, 5-17, after
     * June and July in it (band 0-2) */
    memset(&c, 0, sizeof(c));
    c.name = "y";
    c.nby = 1;
    c.by[0] = BY_AGE_BAND;
    assert_int_equal(flows_count(&plan, &c, x, &ps, pr, t), 0);
    assert_int_equal(t[FLOW_ENDED].nby, 2);
    assert_string_equal(t[FLOW_ENDED].dim_labels[1][0], "0 to 2");
    assert_string_equal(t[FLOW_ENDED].dim_labels[1][4], "24 and over");
    co[0] = 1;
    co[1] = 0;
    assert_int_equal(table_interior(&t[FLOW_ENDED], 1, co)->count, 1);
    assert_int_equal(table_interior(&t[FLOW_DURATION], 1, co)->count, 1);
    /* July: one month (June) before */
    assert_int_equal(table_interior(&t[FLOW_DURATION], 0, co)->count, 1);
    co[0] = 0; /* p0 enters in Sep at 0-4 */
    assert_int_equal(table_interior(&t[FLOW_NEW], 2, co)->count, 1);
    co[1] = 0;
    assert_int_equal(table_interior(&t[FLOW_DURATION], 2, co)->count, 1);
    for (f = 0; f < FLOW_COUNT; f++)
        table_release(&t[f]);
    where_free(x);
    /* without the age test p1 stays, and moves from 5-17 to 18-64 */
    totals("children_social_care.any", MEASURE_ENDED, e);
    expect4(e, 0, 0, 0, 0);
}

/* Months in the cohort, banded; the flow tables' totals are the
 * measures'. */
static void
test_duration(void **state)
{
    struct where_expr *x = parse("children_social_care.any or "
                                 "education.any");
    struct cohort_plan c;
    struct count_table t[FLOW_COUNT];
    int64_t p[4];
    int i, f;

    (void)state;
    setup();
    assert_int_equal(duration_band(0), 0);
    assert_int_equal(duration_band(2), 0);
    assert_int_equal(duration_band(3), 1);
    assert_int_equal(duration_band(5), 1);
    assert_int_equal(duration_band(11), 2);
    assert_int_equal(duration_band(23), 3);
    assert_int_equal(duration_band(40), 4);
    memset(&c, 0, sizeof(c));
    c.name = "z";
    assert_int_equal(flows_count(&plan, &c, x, &ps, pr, t), 0);
    assert_int_equal(t[FLOW_NEW].nby, 0);
    assert_int_equal(t[FLOW_DURATION].nby, 1);
    totals("children_social_care.any or education.any", MEASURE_PERSONS, p);
    for (i = 0; i < 4; i++) {
        uint32_t co[1];
        const struct table_cell *tot =
            &t[FLOW_DURATION].cells[(size_t)(i + 1) *
                                        t[FLOW_DURATION].ncells_per_period -
                                    1];

        assert_int_equal(tot->count, p[i]);
        /* p1 has been in since June: 1, 2, 3, 4 months before */
        co[0] = (uint32_t)duration_band(i + 1);
        assert_true(table_interior(&t[FLOW_DURATION], i, co)->count >= 1);
    }
    for (f = 0; f < FLOW_COUNT; f++)
        table_release(&t[f]);
    where_free(x);
}

/* [transition] housing -> children's social care: p0 in September. */
static void
test_transition(void **state)
{
    struct where_expr *h = parse("housing.any"),
                      *k = parse("children_social_care.any");
    struct transition_plan tp;
    struct count_table t;
    int i;

    (void)state;
    setup();
    memset(&tp, 0, sizeof(tp));
    tp.table.name = "h_to_k";
    tp.table.nby = 1;
    tp.table.by[0] = BY_SEX;
    assert_int_equal(transition_count(&plan, &tp, h, k, &ps, pr, &t), 0);
    for (i = 0; i < 4; i++)
        assert_int_equal(t.cells[(size_t)(i + 1) * t.ncells_per_period - 1]
                             .count,
                         i == 2);
    {
        uint32_t co[1] = {SEX_F};

        assert_int_equal(table_interior(&t, 2, co)->count, 1);
    }
    table_release(&t);
    where_free(h);
    where_free(k);
}

/* Every from_service row of a month sums to that service's to_service
 * column of the month before. */
static void
test_service_transitions(void **state)
{
    struct count_table t;
    const struct table_cell *c;
    int i;

    (void)state;
    setup();
    assert_int_equal(service_transitions_wanted(&plan, DEPT_ADULT_SOCIAL_CARE),
                     0);
    assert_int_equal(service_transitions_count(&plan,
                                               DEPT_CHILDREN_SOCIAL_CARE, &ps,
                                               pr, &t),
                     0);
    assert_int_equal(t.dim_n[0], 2);
    assert_string_equal(t.dim_labels[0][0], "child_in_need");
    assert_string_equal(t.dim_labels[0][1], "none");
    for (i = 1; i < 4; i++) {
        /* margins: from (2 cells), to (2 cells), after the 4 interior */
        const struct table_cell *now = &t.cells[(size_t)i * t.ncells_per_period];
        const struct table_cell *before =
            &t.cells[(size_t)(i - 1) * t.ncells_per_period];

        assert_int_equal(now[4].count, before[6].count);
    }
    c = &t.cells[3 * t.ncells_per_period]; /* October */
    assert_int_equal(c[0].count, 2);       /* cin -> cin: p0, p1 */
    c = &t.cells[2 * t.ncells_per_period]; /* September */
    assert_int_equal(c[2].count, 1);       /* none -> cin: p0 */
    assert_int_equal(c[3].count, 0);       /* none -> none is left out */
    table_release(&t);
}

/* Departments per person: p2 is known to housing and education in Oct. */
static void
test_overlap(void **state)
{
    struct count_table comb, known;
    uint32_t co[2];

    (void)state;
    setup();
    assert_int_equal(overlap_count(&plan, &ps, pr, &comb, &known), 0);
    assert_int_equal(comb.dim_n[1], 15);
    assert_string_equal(comb.dim_labels[1][8], "housing+education");
    co[0] = 4; /* UNKNOWN age */
    co[1] = 8;
    assert_int_equal(table_interior(&comb, 3, co)->count, 1);
    co[1] = 1; /* known to two departments */
    assert_int_equal(table_interior(&known, 3, co)->count, 1);
    /* everyone known to a department, each month */
    assert_int_equal(comb.cells[4 * comb.ncells_per_period - 1].count, 3);
    assert_int_equal(known.cells[4 * known.ncells_per_period - 1].count, 3);
    assert_int_equal(comb.cells[comb.ncells_per_period - 1].count, 2);
    table_release(&comb);
    table_release(&known);
}

/* A partial last month: what ends after the reference date has not. */
static void
test_partial(void **state)
{
    struct period after, last = {D(2026, 10, 1), D(2026, 10, 15)};
    int64_t e[4];

    (void)state;
    period_after(&last, &after);
    assert_int_equal(after.start, D(2026, 10, 16));
    assert_int_equal(after.end, D(2026, 10, 31));
    last.end = D(2026, 10, 31);
    period_after(&last, &after);
    assert_int_equal(after.start, D(2026, 11, 1));
    assert_int_equal(after.end, D(2026, 11, 30));
    setup();
    plan.reference_date = D(2026, 10, 15);
    assert_int_equal(job_plan_period_end(&plan), D(2026, 9, 30));
    assert_int_equal(job_plan_last_period_partial(&plan), 0);
    plan.include_partial = 1;
    assert_int_equal(job_plan_period_end(&plan), D(2026, 10, 15));
    assert_int_equal(job_plan_last_period_partial(&plan), 1);
    periods_compute(job_plan_period_end(&plan), 4, pr);
    /* p2's housing spell ends 31 Oct, after the reference date */
    totals("housing.any", MEASURE_ENDED, e);
    expect4(e, 0, 1, 0, 0);
}

/* Structural zeros in the derived tables: an age band the cohort's where
 * excludes is [z] in its flow tables and in a [transition] into it, and
 * none to none in a service transitions table; the other cells are not. */
static void
test_structural(void **state)
{
    struct where_expr *adult = parse("age >= 18 and "
                                     "children_social_care.any"),
                      *h = parse("housing.any");
    struct cohort_plan c;
    struct transition_plan tp;
    struct count_table t[FLOW_COUNT], tr, st;
    size_t i;
    int f;

    (void)state;
    setup();
    memset(&c, 0, sizeof(c));
    c.name = "adults";
    c.nby = 1;
    c.by[0] = BY_AGE_BAND;
    assert_int_equal(flows_count(&plan, &c, adult, &ps, pr, t), 0);
    for (f = 0; f < FLOW_COUNT; f++) {
        assert_non_null(t[f].structural);
        for (i = 0; i < t[f].ninterior; i++) {
            uint32_t band = t[f].cells[i].coord[0];

            /* 0-4, 5-17 and UNKNOWN (an unknown age fails age >= 18) */
            assert_int_equal(t[f].structural[i], band != 2 && band != 3);
            if (t[f].structural[i])
                assert_int_equal(t[f].cells[i].count, 0);
        }
        /* the all-ages total is possible */
        assert_int_equal(t[f].structural[t[f].ncells_per_period - 1], 0);
        table_release(&t[f]);
    }
    memset(&tp, 0, sizeof(tp));
    tp.table.name = "h_to_adults";
    tp.table.nby = 1;
    tp.table.by[0] = BY_AGE_BAND;
    assert_int_equal(transition_count(&plan, &tp, h, adult, &ps, pr, &tr), 0);
    assert_non_null(tr.structural);
    for (i = 0; i < tr.ninterior; i++)
        assert_int_equal(tr.structural[i], tr.cells[i].coord[0] != 2 &&
                                               tr.cells[i].coord[0] != 3);
    table_release(&tr);
    assert_int_equal(service_transitions_count(&plan,
                                               DEPT_CHILDREN_SOCIAL_CARE, &ps,
                                               pr, &st),
                     0);
    assert_non_null(st.structural);
    for (i = 0; i < st.ninterior; i++) /* none -> none is cell 3 */
        assert_int_equal(st.structural[i], i == 3);
    table_release(&st);
    where_free(adult);
    where_free(h);
}

/* A table of the joint audit: two months, by [A, B] x [d0, d1] (nby 2)
 * or a total alone (nby 0); counts per month in interior order. */
static void
audit_table(struct count_table *t, size_t nby, const int64_t counts[2][4])
{
    static char *age[2] = {"A", "B"}, *dur[2] = {"d0", "d1"};
    char **labels[2] = {age, dur};
    uint32_t dim_n[2] = {2, 2};
    int per;
    size_t i;

    assert_int_equal(table_init(t, 2, nby, dim_n,
                                (char *const *const *)labels),
                     0);
    for (per = 0; per < 2; per++)
        for (i = 0; i < (nby ? 4u : 1u); i++)
            table_period_cells(t, per)[i].count = counts[per][i];
    table_fill_margins(t);
    for (i = 0; i < 2 * t->ncells_per_period; i++)
        t->cells[i].status = CELL_OK;
}

/* The cell of period per at (a, d), either COORD_TOTAL. */
static struct table_cell *
audit_cell(struct count_table *t, int per, uint32_t a, uint32_t d)
{
    struct table_cell *c = table_period_cells(t, per);
    size_t i;

    for (i = 0; i < t->ncells_per_period; i++)
        if (c[i].coord[0] == a && c[i].coord[1] == d)
            return &c[i];
    fail_msg("no cell (%u, %u)", a, d);
    return NULL;
}

/*
 * The joint audit of flows_audit.h sees a detail cell, not only the
 * figures of the identities. Persons of month 1 by age x months in the
 * cohort: (A, d0) = 2 is primary, protected in its own table by hiding
 * A's total, d0's total and the grand total (the attacker of that table
 * alone has (A, d0) unbounded). Across the tables, P(1) = P(0) - E(0) +
 * N(1) gives the grand total back, then d0's total and (A, d0) = 2: the
 * exits of month 1, then of month 0, are hidden until it is not narrow
 * -- every cell but the exits' [z] cell, which stays [z]. With the
 * interior rectangle hidden instead (the margins shown) nothing is.
 */
static void
test_joint_audit(void **state)
{
    static const int64_t pc[2][4] = {{40, 10, 20, 20}, {2, 30, 30, 30}};
    static const int64_t ec[2][4] = {{5, 5, 5, 0}, {5, 5, 5, 0}};
    static const int64_t nc[2][4] = {{15}, {17}};
    struct count_table n, e, p;
    struct disclosure_plan dp;
    struct diag d;
    uint64_t hidden[2] = {0, 0};
    uint32_t T = COORD_TOTAL;
    int per, round;

    (void)state;
    memset(&dp, 0, sizeof(dp));
    dp.suppress_lo = 1;
    dp.suppress_hi = 4;
    dp.rounding = 1;
    dp.protection_level = 5;
    for (round = 0; round < 2; round++) {
        audit_table(&n, 0, nc);
        audit_table(&e, 2, ec);
        audit_table(&p, 2, pc);
        for (per = 0; per < 2; per++)
            audit_cell(&e, per, 1, 1)->status = CELL_STRUCTURAL;
        audit_cell(&p, 1, 0, 0)->status = CELL_SUPPRESSED;
        if (round == 0) {
            audit_cell(&p, 1, 0, T)->status = CELL_SECONDARY;
            audit_cell(&p, 1, T, 0)->status = CELL_SECONDARY;
            audit_cell(&p, 1, T, T)->status = CELL_SECONDARY;
        } else {
            audit_cell(&p, 1, 0, 1)->status = CELL_SECONDARY;
            audit_cell(&p, 1, 1, 0)->status = CELL_SECONDARY;
            audit_cell(&p, 1, 1, 1)->status = CELL_SECONDARY;
        }
        hidden[0] = hidden[1] = 0;
        diag_clear(&d);
        assert_int_equal(flows_protect(&n, &e, &p, &dp, hidden, &d), 0);
        assert_int_equal(hidden[0], 0);
        assert_int_equal(hidden[1], round == 0 ? 16 : 0);
        for (per = 0; per < 2; per++) {
            assert_int_equal(audit_cell(&e, per, 1, 1)->status,
                             CELL_STRUCTURAL);
            assert_int_equal(audit_cell(&e, per, T, T)->status,
                             round == 0 ? CELL_SECONDARY : CELL_OK);
        }
        assert_int_equal(audit_cell(&p, 1, 0, 0)->status, CELL_SUPPRESSED);
        table_release(&n);
        table_release(&e);
        table_release(&p);
    }
}

/* measure = at_end: in the cohort on the month's last day. p0's housing
 * spell of 10-20 Aug is not open on 31 Aug; p2's Oct spell is on 31 Oct.
 * Children's social care (open spells) counts at every month's end. p2's
 * EHCP ends on 31 Jul: in at July's end, though July is their last month
 * (so at_end is not persons - ended). */
static void
test_at_end(void **state)
{
    int64_t a[4];

    (void)state;
    setup();
    totals("housing.any", MEASURE_AT_END, a);
    expect4(a, 0, 0, 0, 1);
    totals("children_social_care.any", MEASURE_AT_END, a);
    expect4(a, 1, 1, 2, 2);
    totals("children_social_care.any or education.any", MEASURE_AT_END, a);
    expect4(a, 2, 1, 3, 3);
}

/* new(x) counts periods: a spell that starts on the day an earlier one
 * of the same term is still open continues its period (an SSDA903
 * placement move), while one that starts the day after the earlier one
 * ended is a new entry. */
static void
test_periods_chain(void **state)
{
    int64_t n[4];

    (void)state;
    setup();
    totals("new(education.ehcp)", MEASURE_PERSONS, n);
    expect4(n, 1, 0, 1, 0);
    spells[3].end = D(2026, 9, 1); /* p2's July spell runs into September's */
    totals("new(education.ehcp)", MEASURE_PERSONS, n);
    expect4(n, 1, 0, 0, 0);
    totals("new(education.any)", MEASURE_PERSONS, n);
    expect4(n, 1, 0, 0, 0);
    spells[3].end = D(2026, 8, 31); /* ceased the day before: a new period */
    totals("new(education.ehcp)", MEASURE_PERSONS, n);
    expect4(n, 1, 0, 1, 0);
}

/* The label index of text in dimension j of t (fails when absent). */
static uint32_t
label_index(const struct count_table *t, size_t j, const char *text)
{
    uint32_t i;

    for (i = 0; i < t->dim_n[j]; i++)
        if (!strcmp(t->dim_labels[j][i], text))
            return i;
    fail_msg("no label '%s'", text);
    return 0;
}

/* Linkage by group on the hand-made persons: p0 (F) has housing and
 * children's social care records, p1 (M) children's social care only,
 * p2 (F, age unknown) education and housing. A person is linked across
 * departments whatever the month counts them; a month counts those a
 * spell of which overlaps it. */
static void
test_linkage_by_group(void **state)
{
    struct count_table t;
    struct department_plan one = {"housing", "housing", NULL, 0, 0, 0};
    uint32_t co[2];
    uint32_t f, m;

    (void)state;
    setup();
    assert_int_equal(linkgroup_linked(&ps, 0), 1);
    assert_int_equal(linkgroup_linked(&ps, 1), 0);
    assert_int_equal(linkgroup_linked(&ps, 2), 1);
    assert_int_equal(linkgroup_count(&plan, &ps, pr, BY_SEX, &t), 0);
    assert_int_equal(t.nby, 2);
    assert_int_equal(t.dim_n[1], 2);
    assert_string_equal(t.dim_labels[1][0], "1 department");
    assert_string_equal(t.dim_labels[1][1], "2 or more departments");
    f = label_index(&t, 0, "F");
    m = label_index(&t, 0, "M");
    /* October: all three known; p0 and p2 (F) linked, p1 (M) not */
    co[0] = f;
    co[1] = 1;
    assert_int_equal(table_interior(&t, 3, co)->count, 2);
    co[1] = 0;
    assert_int_equal(table_interior(&t, 3, co)->count, 0);
    co[0] = m;
    assert_int_equal(table_interior(&t, 3, co)->count, 1);
    co[1] = 1;
    assert_int_equal(table_interior(&t, 3, co)->count, 0);
    /* July: p0's first spell is in August, so only p1 and p2 */
    co[0] = f;
    assert_int_equal(table_interior(&t, 0, co)->count, 1);
    assert_int_equal(t.cells[t.ncells_per_period - 1].count, 2);
    assert_int_equal(t.cells[4 * t.ncells_per_period - 1].count, 3);
    /* the cell key sums the persons' record keys: p0 (10) + p2 (30) */
    co[1] = 1;
    assert_int_equal(table_interior(&t, 3, co)->ckey, 40);
    table_release(&t);

    /* by age band: p2's unknown age is a row of its own */
    assert_int_equal(linkgroup_count(&plan, &ps, pr, BY_AGE_BAND, &t), 0);
    co[0] = label_index(&t, 0, "UNKNOWN");
    co[1] = 1;
    assert_int_equal(table_interior(&t, 3, co)->count, 1);
    assert_null(t.structural);
    table_release(&t);

    /* a job of one department: nobody can be linked to another, so the
     * column is a structural zero in every row and margin */
    plan.departments = &one;
    plan.ndepartments = 1;
    assert_int_equal(linkgroup_count(&plan, &ps, pr, BY_ETHNICITY, &t), 0);
    assert_non_null(t.structural);
    assert_int_equal(t.structural[0], 0);
    assert_int_equal(t.structural[1], 1);
    table_release(&t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_month),
        cmocka_unit_test(test_gap),
        cmocka_unit_test(test_ageing),
        cmocka_unit_test(test_duration),
        cmocka_unit_test(test_transition),
        cmocka_unit_test(test_service_transitions),
        cmocka_unit_test(test_overlap),
        cmocka_unit_test(test_partial),
        cmocka_unit_test(test_structural),
        cmocka_unit_test(test_joint_audit),
        cmocka_unit_test(test_at_end),
        cmocka_unit_test(test_periods_chain),
        cmocka_unit_test(test_linkage_by_group),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
