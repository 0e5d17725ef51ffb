/* Unit tests for cohorts/where.c and cohorts/count.c. */
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

static struct age_band bands[] = {{0, 4}, {5, 17}, {18, 64}, {65, -1}};
static struct service_def services[] = {
    {DEPT_HOUSING, "temporary_accommodation"},
    {DEPT_CHILDREN_SOCIAL_CARE, "child_in_need"},
    {DEPT_EDUCATION, "ehcp"},
};
static struct job_plan plan;

static void
init_plan(void)
{
    memset(&plan, 0, sizeof(plan));
    plan.age_bands = bands;
    plan.nage_bands = 4;
    plan.services = services;
    plan.nservices = 3;
    plan.periods = 3;
    plan.reference_date = days_from_civil(2026, 10, 31);
}

static void
test_parse_errors(void **state)
{
    static const struct { const char *text; long col; const char *msg; } bad[] = {
        {"housing.temporary_acommodation", 9, "unknown service"},
        {"parks.any", 1, "unknown department"},
        {"age < 16", 7, "splits an age band"},
        {"age between 5 and 16", 5, "splits an age band"},
        {"(housing.any", 1, "unclosed"},
        {"housing.any)", 12, "unmatched"},
        {"housing.any and", 16, "ends too early"},
        {"sex = Q", 7, "expected M, F, U or X"},
        {"housing.any xor education.any", 13, "expected 'and', 'or'"},
        {"age ~ 3", 5, "expected <, <="},
        {"", 1, "ends too early"},
    };
    struct where_expr *e;
    struct diag d;
    size_t i;

    (void)state;
    init_plan();
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        diag_clear(&d);
        if (where_parse(bad[i].text, &plan, &e, &d) != CE_CONFIG ||
            !strstr(d.msg, bad[i].msg) || d.column != bad[i].col)
            fail_msg("case %zu: col %ld msg '%s'", i, d.column, d.msg);
    }
    assert_int_equal(where_parse("age < 18 and (housing.any or not "
                                 "education.ehcp) and sex != F",
                                 &plan, &e, &d), 0);
    where_free(e);
}

static void
test_plain(void **state)
{
    struct where_expr *e;
    struct diag d;
    char *s;

    (void)state;
    init_plan();
    assert_int_equal(where_parse("age < 18 and housing.temporary_accommodation "
                                 "and (children_social_care.any or "
                                 "education.ehcp)", &plan, &e, &d), 0);
    s = where_plain(e, &plan);
    assert_string_equal(s, "aged under 18 at the end of the month and "
                           "receiving temporary accommodation (housing) that "
                           "month and (known to children's social care that "
                           "month or receiving ehcp (education) that month)");
    free(s);
    where_free(e);
}

/* Three persons over three months (Aug, Sep, Oct 2026). */
static struct spell spells[] = {
    /* p0: TA from 15 Aug, ends 31 Aug; CIN open from 1 Oct */
    {0, 0, 0, DEPT_HOUSING, 0, 0, {0}}, {0, 0, 1, DEPT_CHILDREN_SOCIAL_CARE, 0, 0, {0}},
    /* p1: TA open from 1 Sep */
    {0, 0, 0, DEPT_HOUSING, 0, 0, {0}},
    /* p2: EHCP ending 31 Jul (the day before the first period) */
    {0, 0, 2, DEPT_EDUCATION, 0, 0, {0}},
};

static void
make_persons(struct person_set *ps, struct geo_names *geo)
{
    static uint8_t age[9] = {1, 1, 1, 2, 2, 2, AGE_BAND_UNKNOWN,
                             AGE_BAND_UNKNOWN, AGE_BAND_UNKNOWN};
    static uint8_t sex[3] = {SEX_F, SEX_M, SEX_F}, eth[3] = {0, 0, 2},
                   rk[3] = {10, 20, 30};
    static uint32_t ward[3] = {1, 1, 0}, first[4] = {0, 2, 3, 4};
    static char *wards[2] = {"UNKNOWN", "Northgate"};

    spells[0].start = days_from_civil(2026, 8, 15);
    spells[0].end = days_from_civil(2026, 8, 31);
    spells[1].start = days_from_civil(2026, 10, 1);
    spells[1].end = DAY_OPEN;
    spells[2].start = days_from_civil(2026, 9, 1);
    spells[2].end = DAY_OPEN;
    spells[3].start = days_from_civil(2025, 1, 1);
    spells[3].end = days_from_civil(2026, 7, 31);
    memset(geo, 0, sizeof(*geo));
    geo->ward = wards;
    geo->nward = 2;
    geo->lsoa = wards;
    geo->nlsoa = 1;
    geo->district = wards;
    geo->ndistrict = 1;
    memset(ps, 0, sizeof(*ps));
    ps->npersons = 3;
    ps->nperiods = 3;
    ps->age_band = age;
    ps->sex = sex;
    ps->ethnicity = eth;
    ps->ward = ward;
    ps->lsoa = ward;
    ps->district = ward;
    ps->record_key = rk;
    ps->spell_first = first;
    ps->spells = spells;
    ps->nspells = 4;
    ps->geo = geo;
}

static void
test_eval_and_count(void **state)
{
    struct person_set ps;
    struct geo_names geo;
    struct period pr[3];
    struct where_expr *e;
    struct diag d;
    struct cohort_plan c;
    struct count_table t;
    const struct table_cell *total;

    (void)state;
    init_plan();
    make_persons(&ps, &geo);
    periods_compute(plan.reference_date, 3, pr);
    assert_int_equal(where_parse("housing.temporary_accommodation", &plan, &e,
                                 &d), 0);
    assert_int_equal(where_eval(e, &ps, 0, 0, pr[0].start, pr[0].end), 1);
    assert_int_equal(where_eval(e, &ps, 0, 1, pr[1].start, pr[1].end), 0);
    assert_int_equal(where_eval(e, &ps, 1, 0, pr[0].start, pr[0].end), 0);
    assert_int_equal(where_eval(e, &ps, 1, 2, pr[2].start, pr[2].end), 1);
    where_free(e);
    assert_int_equal(where_parse("education.any", &plan, &e, &d), 0);
    assert_int_equal(where_eval(e, &ps, 2, 0, pr[0].start, pr[0].end), 0);
    where_free(e);
    assert_int_equal(where_parse("age < 18", &plan, &e, &d), 0);
    assert_int_equal(where_eval(e, &ps, 0, 0, 0, 0), 1);
    assert_int_equal(where_eval(e, &ps, 1, 0, 0, 0), 0);
    assert_int_equal(where_eval(e, &ps, 2, 0, 0, 0), 0); /* unknown age */
    where_free(e);
    /* new(): a spell starting in the month; ever(): started by its end */
    assert_int_equal(where_parse("new(housing.temporary_accommodation)", &plan,
                                 &e, &d), 0);
    assert_int_equal(where_eval(e, &ps, 0, 0, pr[0].start, pr[0].end), 1);
    assert_int_equal(where_eval(e, &ps, 1, 1, pr[1].start, pr[1].end), 1);
    assert_int_equal(where_eval(e, &ps, 1, 2, pr[2].start, pr[2].end), 0);
    where_free(e);
    assert_int_equal(where_parse("ever(housing.any)", &plan, &e, &d), 0);
    assert_int_equal(where_eval(e, &ps, 0, 2, pr[2].start, pr[2].end), 1);
    assert_int_equal(where_eval(e, &ps, 1, 0, pr[0].start, pr[0].end), 0);
    assert_int_equal(where_eval(e, &ps, 2, 2, pr[2].start, pr[2].end), 0);
    where_free(e);
    assert_int_equal(where_parse("ever(education.ehcp)", &plan, &e, &d), 0);
    assert_int_equal(where_eval(e, &ps, 2, 0, pr[0].start, pr[0].end), 1);
    where_free(e);
    assert_int_equal(where_parse("new(housing)", &plan, &e, &d), CE_CONFIG);
    assert_int_equal(where_parse("ever(housing.any", &plan, &e, &d),
                     CE_CONFIG);

    /* count: housing.any or children_social_care.any by sex, ward */
    memset(&c, 0, sizeof(c));
    c.name = "x";
    c.nby = 2;
    c.by[0] = BY_SEX;
    c.by[1] = BY_WARD;
    assert_int_equal(where_parse("housing.any or children_social_care.any",
                                 &plan, &e, &d), 0);
    assert_int_equal(cohort_count(&plan, &c, e, &ps, pr, &t), 0);
    total = &t.cells[t.ncells_per_period - 1];
    assert_int_equal(total->count, 1);                       /* Aug: p0 */
    assert_int_equal(t.cells[2 * t.ncells_per_period - 1].count, 1); /* Sep: p1 */
    assert_int_equal(t.cells[3 * t.ncells_per_period - 1].count, 2); /* Oct */
    {
        uint32_t coord[2] = {SEX_F, 1};

        assert_int_equal(table_interior(&t, 2, coord)->count, 1);
        assert_int_equal(table_interior(&t, 2, coord)->ckey, 10);
    }
    table_release(&t);
    /* measure = new: p0 new in Aug and again in Oct, p1 new in Sep */
    c.measure = MEASURE_NEW;
    assert_int_equal(cohort_count(&plan, &c, e, &ps, pr, &t), 0);
    assert_int_equal(t.cells[t.ncells_per_period - 1].count, 1);
    assert_int_equal(t.cells[2 * t.ncells_per_period - 1].count, 1);
    assert_int_equal(t.cells[3 * t.ncells_per_period - 1].count, 1);
    table_release(&t);
    where_free(e);
}

/* by = sex, housing.temporary_accommodation: the flag is yes exactly when
 * the where term housing.temporary_accommodation holds that month. */
static void
test_count_by_service_flag(void **state)
{
    struct person_set ps;
    struct geo_names geo;
    struct period pr[3];
    struct where_expr *all, *ta;
    struct diag d;
    struct cohort_plan c;
    struct count_table t;
    size_t p;
    int i;
    /* persons with TA (yes) / without (no) per month: p0 in Aug, p1 from
     * Sep; p0 is F, p1 M, p2 F */
    static const int64_t yes_f[3] = {1, 0, 0}, yes_m[3] = {0, 1, 1},
                         no_f[3] = {1, 2, 2}, no_m[3] = {1, 0, 0};

    (void)state;
    init_plan();
    make_persons(&ps, &geo);
    periods_compute(plan.reference_date, 3, pr);
    memset(&c, 0, sizeof(c));
    c.name = "x";
    c.nby = 2;
    c.by[0] = BY_SEX;
    c.by[1] = BY_SERVICE;
    c.by_service[1] = job_plan_service_index(&plan, DEPT_HOUSING,
                                             "temporary_accommodation");
    assert_int_equal(where_parse("all", &plan, &all, &d), 0);
    assert_int_equal(where_parse("housing.temporary_accommodation", &plan, &ta,
                                 &d), 0);
    assert_int_equal(cohort_count(&plan, &c, all, &ps, pr, &t), 0);
    assert_int_equal(t.dim_n[1], 2);
    assert_string_equal(t.dim_labels[1][0], "yes");
    assert_string_equal(t.dim_labels[1][1], "no");
    for (i = 0; i < 3; i++) {
        uint32_t fy[2] = {SEX_F, 0}, my[2] = {SEX_M, 0}, fn[2] = {SEX_F, 1},
                 mn[2] = {SEX_M, 1};

        assert_int_equal(table_interior(&t, i, fy)->count, yes_f[i]);
        assert_int_equal(table_interior(&t, i, my)->count, yes_m[i]);
        assert_int_equal(table_interior(&t, i, fn)->count, no_f[i]);
        assert_int_equal(table_interior(&t, i, mn)->count, no_m[i]);
        /* the same semantics as the where term */
        for (p = 0; p < ps.npersons; p++)
            assert_int_equal(where_service_active(&ps, p, DEPT_HOUSING,
                                                  c.by_service[1], pr[i].start,
                                                  pr[i].end),
                             where_eval(ta, &ps, p, i, pr[i].start, pr[i].end));
    }
    table_release(&t);
    where_free(all);
    where_free(ta);
}

/* Structural zeros: the cells a cohort's where makes impossible are
 * marked, whatever the data; a margin of nothing else is too; and a sex
 * no source can give is no category. */
static void
test_structural_zeros(void **state)
{
    struct person_set ps;
    struct geo_names geo;
    struct period pr[3];
    struct where_expr *e;
    struct diag d;
    struct cohort_plan c;
    struct count_table t;
    size_t i, j;

    (void)state;
    init_plan();
    make_persons(&ps, &geo);
    periods_compute(plan.reference_date, 3, pr);
    /* the sources give M, F and U, never X */
    ps.sex_possible = (1u << SEX_M) | (1u << SEX_F) | (1u << SEX_U);
    memset(&c, 0, sizeof(c));
    c.name = "x";
    c.nby = 2;
    c.by[0] = BY_AGE_BAND;
    c.by[1] = BY_SEX;
    assert_int_equal(where_parse("age >= 18 and not sex = M", &plan, &e, &d),
                     0);
    assert_int_equal(cohort_count(&plan, &c, e, &ps, pr, &t), 0);
    assert_int_equal(t.dim_n[1], 3);
    assert_string_equal(t.dim_labels[1][0], "M");
    assert_string_equal(t.dim_labels[1][1], "F");
    assert_string_equal(t.dim_labels[1][2], "U");
    assert_non_null(t.structural);
    /* bands 0-4, 5-17, 18-64, 65+, UNKNOWN by M, F, U */
    for (i = 0; i < 5; i++)
        for (j = 0; j < 3; j++) {
            uint32_t co[2] = {(uint32_t)i, (uint32_t)j};
            size_t idx = (size_t)(table_interior(&t, 0, co) - t.cells);
            int want = i < 2 || i == 4 || j == 0;

            if (t.structural[idx] != want)
                fail_msg("band %zu sex %zu: structural %d", i, j,
                         t.structural[idx]);
        }
    /* margins: bands 0-4, 5-17, UNKNOWN and sex M are [z]; 18-64 is not;
     * nor is the total */
    assert_int_equal(t.structural[t.ninterior + 0], 1);
    assert_int_equal(t.structural[t.ninterior + 2], 0);
    assert_int_equal(t.structural[t.ninterior + 4], 1);
    assert_int_equal(t.structural[t.ninterior + 5 + 0], 1);
    assert_int_equal(t.structural[t.ninterior + 5 + 1], 0);
    assert_int_equal(t.structural[t.ncells_per_period - 1], 0);
    /* the impossible cells are empty, as they must be */
    for (i = 0; i < t.ncells_per_period; i++)
        if (t.structural[i])
            assert_int_equal(t.cells[i].count, 0);
    table_release(&t);
    where_free(e);

    /* a service flag the where requires: its no column is impossible */
    c.nby = 1;
    c.by[0] = BY_SERVICE;
    c.by_service[0] = job_plan_service_index(&plan, DEPT_HOUSING,
                                             "temporary_accommodation");
    assert_int_equal(where_parse("housing.temporary_accommodation", &plan, &e,
                                 &d), 0);
    assert_int_equal(cohort_count(&plan, &c, e, &ps, pr, &t), 0);
    assert_non_null(t.structural);
    assert_int_equal(t.structural[0], 0); /* yes */
    assert_int_equal(t.structural[1], 1); /* no */
    table_release(&t);
    where_free(e);
    /* ever() leaves no open: someone may have had it before the month */
    assert_int_equal(where_parse("ever(housing.temporary_accommodation)",
                                 &plan, &e, &d), 0);
    assert_int_equal(cohort_count(&plan, &c, e, &ps, pr, &t), 0);
    assert_null(t.structural);
    table_release(&t);
    where_free(e);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_eval_and_count),
        cmocka_unit_test(test_count_by_service_flag),
        cmocka_unit_test(test_structural_zeros),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
