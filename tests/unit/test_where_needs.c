/*
 * test_where_needs.c - cohorts/where_needs.c: count(...) OP N, need groups
 * and within(N, ...) on hand-made spells over the twelve months of 2026,
 * for a person and for a household's members (where_count_holding, and
 * count(need.*) in a unit = households cohort), with the parse errors,
 * the nesting rules and the plain English.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../cohorts/count.h"
#include "../../cohorts/where.h"
#include "../../core/calendar.h"
#include "../../core/period.h"

#define NPERIODS 12

static struct age_band bands[] = {{0, 17}, {18, 64}, {65, -1}};

/* the default four and a declared fifth */
static struct department_plan departments[] = {
    {"housing", "housing", NULL, 0, 0, 0},
    {"children_social_care", "children's social care", NULL, 0, 0, 0},
    {"adult_social_care", "adult social care", NULL, 0, 0, 0},
    {"education", "education", NULL, 0, 0, 0},
    {"youth_justice", "youth justice", NULL, 0, 0, 12},
};
enum { YJ = 4 };

enum { S_TA, S_ABSENCE, S_EXCLUSION, S_ORDER, S_CIN };
static struct service_def services[] = {
    [S_TA] = {DEPT_HOUSING, "temporary_accommodation"},
    [S_ABSENCE] = {DEPT_EDUCATION, "persistent_absence"},
    [S_EXCLUSION] = {DEPT_EDUCATION, "exclusion"},
    [S_ORDER] = {YJ, "order"},
    [S_CIN] = {DEPT_CHILDREN_SOCIAL_CARE, "child_in_need"},
};

static struct need_plan needs[] = {
    {"education", "Getting a good education",
     "education.persistent_absence or education.exclusion", 30, 29},
    {"housing", "Safe and secure housing", "housing.temporary_accommodation",
     33, 32},
    {"crime", "Crime prevention", "youth_justice.any", 36, 35},
    {"care", "Children's social care", "children_social_care.any", 39, 38},
};

static struct job_plan plan;

static void
init_plan(size_t nneeds)
{
    memset(&plan, 0, sizeof(plan));
    plan.age_bands = bands;
    plan.nage_bands = 3;
    plan.services = services;
    plan.nservices = sizeof(services) / sizeof(services[0]);
    plan.departments = departments;
    plan.ndepartments = sizeof(departments) / sizeof(departments[0]);
    plan.needs = needs;
    plan.nneeds = nneeds;
    plan.periods = NPERIODS;
    plan.reference_date = days_from_civil(2026, 12, 31);
}

static int32_t
day(int y, int m, int d)
{
    return days_from_civil(y, m, d);
}

/*
 * p0: TA Jan-Mar 2026, persistent absence Feb-Jun, a youth justice order
 *     in March: needs housing (Jan), +education (Feb), +crime (Mar), then
 *     education alone (Apr-Jun).
 * p1: an exclusion on 10 May only; a child in need from 1 Nov, open.
 * p2: TA Jan-Jun 2025 only: no need in 2026, housing within 12 months
 *     until May 2026.
 */
static struct spell spells[7];
static uint32_t first[4] = {0, 3, 5, 6};

static void
make_persons(struct person_set *ps)
{
    static uint8_t age[3 * NPERIODS];
    static uint8_t sex[3] = {SEX_F, SEX_M, SEX_F}, eth[3], rk[3];
    static uint32_t geo0[3];

    spells[0] = (struct spell){day(2026, 1, 1), day(2026, 3, 31), S_TA,
                               DEPT_HOUSING, 0, 0, {0}};
    spells[1] = (struct spell){day(2026, 2, 1), day(2026, 6, 30), S_ABSENCE,
                               DEPT_EDUCATION, 0, 0, {0}};
    spells[2] = (struct spell){day(2026, 3, 1), day(2026, 3, 31), S_ORDER, YJ, 0, 0, {0}};
    spells[3] = (struct spell){day(2026, 5, 10), day(2026, 5, 10),
                               S_EXCLUSION, DEPT_EDUCATION, 0, 0, {0}};
    spells[4] = (struct spell){day(2026, 11, 1), DAY_OPEN, S_CIN,
                               DEPT_CHILDREN_SOCIAL_CARE, 0, 0, {0}};
    spells[5] = (struct spell){day(2025, 1, 1), day(2025, 6, 30), S_TA,
                               DEPT_HOUSING, 0, 0, {0}};
    memset(age, 1, sizeof(age));
    memset(ps, 0, sizeof(*ps));
    ps->npersons = 3;
    ps->nperiods = NPERIODS;
    ps->age_band = age;
    ps->sex = sex;
    ps->ethnicity = eth;
    ps->ward = geo0;
    ps->lsoa = geo0;
    ps->district = geo0;
    ps->record_key = rk;
    ps->spell_first = first;
    ps->spells = spells;
    ps->nspells = 6;
}

/* Each expression's months per person, Jan..Dec 2026, as '1'/'0'. */
static const struct {
    const char *where;
    const char *months[3];
} cases[] = {
    {"count(need.*) >= 1",
     {"111111000000", "000010000011", "000000000000"}},
    {"count(need.*) >= 2",
     {"011000000000", "000000000000", "000000000000"}},
    {"count(need.*) > 2", {"001000000000", "000000000000", "000000000000"}},
    {"count(need.*) = 1", {"100111000000", "000010000011", "000000000000"}},
    {"count(need.*) <= 0",
     {"000000111111", "111101111100", "111111111111"}},
    {"count(need.*) < 1", {"000000111111", "111101111100", "111111111111"}},
    {"count(need.education, need.housing) >= 2",
     {"011000000000", "000000000000", "000000000000"}},
    /* a plain condition as an item, and a count inside and/not */
    {"count(housing.any, youth_justice.order, sex = M) >= 1",
     {"111000000000", "111111111111", "000000000000"}},
    {"not count(need.*) >= 1 and count(need.*) != 1",
     {"000000111111", "111101111100", "111111111111"}},
    {"within(3, youth_justice.any)",
     {"001110000000", "000000000000", "000000000000"}},
    {"within(1, need.care)", {"000000000000", "000000000011", "000000000000"}},
    {"within(12, housing.temporary_accommodation)",
     {"111111111111", "000000000000", "111110000000"}},
    /* conditions keep their own periods inside count() */
    {"count(within(12, need.housing), need.education) >= 2",
     {"011111000000", "000000000000", "000000000000"}},
    {"within(2, count(need.*) >= 2)",
     {"011100000000", "000000000000", "000000000000"}},
    {"need.education and not within(6, need.housing)",
     {"000000000000", "000010000000", "000000000000"}},
};

static void
test_person_months(void **state)
{
    struct period pr[NPERIODS];
    struct person_set ps;
    struct where_expr *e;
    struct diag d;
    size_t c, p;
    int i;

    (void)state;
    init_plan(4);
    make_persons(&ps);
    periods_compute(plan.reference_date, NPERIODS, pr);
    for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        diag_clear(&d);
        if (where_parse(cases[c].where, &plan, &e, &d) < 0)
            fail_msg("case %zu '%s': %s", c, cases[c].where, d.msg);
        for (p = 0; p < 3; p++) {
            char got[NPERIODS + 1];

            for (i = 0; i < NPERIODS; i++)
                got[i] = where_eval(e, &ps, p, i, pr[i].start, pr[i].end)
                             ? '1'
                             : '0';
            got[NPERIODS] = '\0';
            if (strcmp(got, cases[c].months[p]))
                fail_msg("case %zu '%s' person %zu: %s, expected %s", c,
                         cases[c].where, p, got, cases[c].months[p]);
        }
        where_free(e);
    }
}

/* A household's count: each condition once when any member holds it. */
static void
test_members(void **state)
{
    struct period pr[NPERIODS];
    struct person_set ps;
    struct where_expr *e;
    struct diag d;
    static const size_t both[2] = {0, 1};
    /* Jan..Dec: p0 and p1 together */
    static const int want[NPERIODS] = {1, 2, 3, 1, 1, 1, 0, 0, 0, 0, 1, 1};
    int i;

    (void)state;
    init_plan(4);
    make_persons(&ps);
    periods_compute(plan.reference_date, NPERIODS, pr);
    assert_int_equal(where_parse("count(need.*) >= 1", &plan, &e, &d), 0);
    for (i = 0; i < NPERIODS; i++)
        assert_int_equal(where_count_holding(e, &ps, both, 2, i, pr[i].start,
                                             pr[i].end),
                         want[i]);
    /* May: both have the education need; it counts once */
    assert_int_equal(where_count_holding(e, &ps, &both[1], 1, 4, pr[4].start,
                                         pr[4].end),
                     1);
    where_free(e);
    assert_int_equal(where_parse("need.crime", &plan, &e, &d), 0);
    assert_int_equal(where_count_holding(e, &ps, both, 2, 0, pr[0].start,
                                         pr[0].end),
                     -1);
    where_free(e);
}

/*
 * count(need.*) >= 2 in a household cohort (unit = households), through
 * cohort_count(): the persons above and p3, a youth justice order in May
 * 2026 only.
 *   H0: p0 (lead, all year) and p3 (from 1 May): 2 needs in Feb and Mar
 *       (p0's own), and in May: p0's education and p3's crime, two needs
 *       the household has though no member has two.
 *   H1: p1 (lead, all year) and p0 in May only: both have the education
 *       need in May, which counts once: one need, never two.
 */
static void
test_household_needs(void **state)
{
    static struct spell sp[8];
    static uint32_t sfirst[5] = {0, 3, 5, 6, 7};
    static uint8_t age[4 * NPERIODS], sex[4], eth[4], rk[4];
    static uint32_t geo0[4];
    static uint32_t member_first[3] = {0, 2, 4};
    static struct household_member members[4];
    static uint8_t hkey[2] = {5, 7};
    static const int want_h0[NPERIODS] = {0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0};
    static const size_t h0_may[2] = {0, 3};
    struct period pr[NPERIODS];
    struct person_set ps, tmp;
    struct cohort_plan c;
    struct count_table t;
    struct where_expr *e;
    struct diag d;
    size_t per;
    int i;

    (void)state;
    init_plan(4);
    make_persons(&tmp);
    memcpy(sp, spells, 6 * sizeof(sp[0]));
    sp[6] = (struct spell){day(2026, 5, 1), day(2026, 5, 31), S_ORDER, YJ, 0,
                           0, {0}};
    memset(age, 1, sizeof(age));
    memset(&ps, 0, sizeof(ps));
    ps.npersons = 4;
    ps.nperiods = NPERIODS;
    ps.age_band = age;
    ps.sex = sex;
    ps.ethnicity = eth;
    ps.ward = ps.lsoa = ps.district = geo0;
    ps.record_key = rk;
    ps.spell_first = sfirst;
    ps.spells = sp;
    ps.nspells = 7;
    members[0] = (struct household_member){0, day(2026, 1, 1), DAY_OPEN, 1};
    members[1] = (struct household_member){3, day(2026, 5, 1), DAY_OPEN, 0};
    members[2] = (struct household_member){0, day(2026, 5, 1),
                                           day(2026, 5, 31), 0};
    members[3] = (struct household_member){1, day(2026, 1, 1), DAY_OPEN, 1};
    ps.nhouseholds = 2;
    ps.member_first = member_first;
    ps.members = members;
    ps.nmembers = 4;
    ps.household_key = hkey;
    periods_compute(plan.reference_date, NPERIODS, pr);

    assert_int_equal(where_parse("count(need.*) >= 2", &plan, &e, &d), 0);
    /* no member of H0 has two needs in May; the household has */
    assert_false(where_eval(e, &ps, 0, 4, pr[4].start, pr[4].end));
    assert_false(where_eval(e, &ps, 3, 4, pr[4].start, pr[4].end));
    assert_int_equal(where_count_holding(e, &ps, h0_may, 2, 4, pr[4].start,
                                         pr[4].end),
                     2);

    memset(&c, 0, sizeof(c));
    c.name = "families";
    c.unit = UNIT_HOUSEHOLDS;
    c.measure = MEASURE_PERSONS;
    assert_int_equal(cohort_count(&plan, &c, e, &ps, pr, &t), 0);
    per = t.ncells_per_period;
    for (i = 0; i < NPERIODS; i++)
        if ((int)t.cells[(size_t)(i + 1) * per - 1].count != want_h0[i])
            fail_msg("month %d: %d households, want %d", i + 1,
                     (int)t.cells[(size_t)(i + 1) * per - 1].count,
                     want_h0[i]);
    assert_int_equal(t.cells[5 * per - 1].ckey, hkey[0]);
    table_release(&t);
    where_free(e);

    /* with one need or more: H0 Jan-Jun, H1 in May (education, once) and
     * from November (p1's child in need) */
    assert_int_equal(where_parse("count(need.*) >= 1", &plan, &e, &d), 0);
    assert_int_equal(cohort_count(&plan, &c, e, &ps, pr, &t), 0);
    per = t.ncells_per_period;
    {
        static const int want[NPERIODS] = {1, 1, 1, 1, 2, 1, 0, 0, 0, 0, 1, 1};

        for (i = 0; i < NPERIODS; i++)
            if ((int)t.cells[(size_t)(i + 1) * per - 1].count != want[i])
                fail_msg("month %d: %d households with a need, want %d",
                         i + 1,
                         (int)t.cells[(size_t)(i + 1) * per - 1].count,
                         want[i]);
    }
    table_release(&t);
    where_free(e);

    /* exactly one need: H1 in May has one (education, from both members) */
    assert_int_equal(where_parse("count(need.*) = 1", &plan, &e, &d), 0);
    assert_int_equal(cohort_count(&plan, &c, e, &ps, pr, &t), 0);
    per = t.ncells_per_period;
    assert_int_equal(t.cells[5 * per - 1].count, 1); /* H1, not H0 */
    assert_int_equal(t.cells[5 * per - 1].ckey, hkey[1]);
    table_release(&t);
    where_free(e);

    /* a need group is about one person: no member qualifier in one */
    {
        static struct need_plan bad[] = {
            {"family", "Family", "any member(children_social_care.any)", 3,
             2},
        };

        plan.needs = bad;
        plan.nneeds = 1;
        assert_int_equal(where_parse("need.family", &plan, &e, &d), CE_CONFIG);
        assert_non_null(strstr(d.msg, "[need]"));
        plan.needs = needs;
        plan.nneeds = 4;
    }
}

static void
test_errors(void **state)
{
    static const struct {
        const char *text;
        long col;
        const char *msg;
    } bad[] = {
        {"count(need.*) >= 5", 18, "count() lists 4 conditions: this test "
                                   "matches nobody"},
        {"count(need.*) < 0", 17, "matches nobody"},
        {"need.*", 1, "only allowed as one of count()'s conditions"},
        {"need.school", 6, "unknown need group 'school' (declared: "
                           "education, housing, crime, care)"},
        {"count(housing.any education.any) >= 1", 19,
         "expected ',' or ')' in count(...)"},
        {"count(housing.any, education.any", 1, "unclosed 'count('"},
        {"count(housing.any) 1", 20, "expected >=, >, =, <=, < or !="},
        {"count(housing.any) >= many", 23, "expected how many conditions"},
        {"within(0, housing.any)", 8, "expected a number of months from 1 "
                                      "to 120"},
        {"within(121, housing.any)", 8, "from 1 to 120"},
        {"within(12 housing.any)", 11, "expected ',' after within(12"},
        {"within(12, housing.any", 1, "expected ')' to close within("},
        {"count(parks.any) >= 1", 7, "unknown department 'parks' (declared: "
                                     "housing, children_social_care, "
                                     "adult_social_care, education, "
                                     "youth_justice)"},
    };
    struct where_expr *e;
    struct diag d;
    size_t i;

    (void)state;
    init_plan(4);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        diag_clear(&d);
        if (where_parse(bad[i].text, &plan, &e, &d) != CE_CONFIG ||
            !strstr(d.msg, bad[i].msg) || d.column != bad[i].col)
            fail_msg("case %zu: col %ld msg '%s'", i, d.column, d.msg);
    }
    /* a group names no group */
    diag_clear(&d);
    assert_int_equal(where_parse_group("need.housing or education.any",
                                       &plan, &e, &d),
                     CE_CONFIG);
    assert_non_null(strstr(d.msg, "cannot name a need group"));
    assert_int_equal(where_parse_group("count(need.*) >= 1", &plan, &e, &d),
                     CE_CONFIG);
    /* need.* without groups */
    init_plan(0);
    assert_int_equal(where_parse("count(need.*) >= 1", &plan, &e, &d),
                     CE_CONFIG);
    assert_non_null(strstr(d.msg, "declare [need NAME] sections"));
}

static int
within_of(const char *inner, const char *outer)
{
    struct where_expr *i, *o;
    struct diag d;
    int r;

    assert_int_equal(where_parse(inner, &plan, &i, &d), 0);
    assert_int_equal(where_parse(outer, &plan, &o, &d), 0);
    r = where_within(i, o);
    where_free(i);
    where_free(o);
    return r;
}

/* Nesting: the disclosure check's view of which tables a reader could
 * subtract. */
static void
test_within_rules(void **state)
{
    (void)state;
    init_plan(4);
    assert_true(within_of("count(need.*) >= 3", "count(need.*) >= 2"));
    assert_false(within_of("count(need.*) >= 2", "count(need.*) >= 3"));
    assert_true(within_of("count(need.*) = 2", "count(need.*) >= 1"));
    assert_true(within_of("count(need.*) <= 1", "count(need.*) < 3"));
    assert_false(within_of("count(need.*) >= 3",
                           "count(need.education, need.housing) >= 1"));
    assert_true(within_of("housing.temporary_accommodation",
                          "within(12, housing.temporary_accommodation)"));
    assert_true(within_of("within(3, housing.any)", "within(12, housing.any)"));
    assert_false(within_of("within(12, housing.any)", "within(3, housing.any)"));
    assert_true(within_of("need.housing", "housing.any"));
    assert_true(within_of("housing.temporary_accommodation and age >= 18",
                          "need.housing"));
    assert_true(within_of("count(need.*) >= 2 and need.crime",
                          "count(need.*) >= 2"));
    /* one item holding is enough for >= 1, not for >= 2 */
    assert_true(within_of("need.crime", "count(need.*) >= 1"));
    assert_true(within_of("youth_justice.order", "count(need.*) > 0"));
    assert_false(within_of("need.crime", "count(need.*) >= 2"));
    assert_false(within_of("need.crime", "count(need.*) = 1"));
}

static void
test_plain_words(void **state)
{
    struct where_expr *e;
    struct diag d;
    char *s;

    (void)state;
    init_plan(4);
    assert_int_equal(where_parse("count(need.crime, within(12, "
                                 "youth_justice.order)) >= 2",
                                 &plan, &e, &d),
                     0);
    s = where_plain(e, &plan);
    assert_string_equal(s, "at least 2 of these 2 conditions holding that "
                           "month: (1) the need 'Crime prevention'; (2) in "
                           "at least one of the last 12 months, this one "
                           "included: (receiving order (youth justice) that "
                           "month)");
    free(s);
    where_free(e);
    /* alone, a group is spelt out */
    assert_int_equal(where_parse("need.crime", &plan, &e, &d), 0);
    s = where_plain(e, &plan);
    assert_string_equal(s, "the need 'Crime prevention' (known to youth "
                           "justice that month)");
    free(s);
    where_free(e);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_person_months),
        cmocka_unit_test(test_members),
        cmocka_unit_test(test_household_needs),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_within_rules),
        cmocka_unit_test(test_plain_words),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
