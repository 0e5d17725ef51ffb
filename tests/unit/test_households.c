/* Unit tests for households: anonymise/household.c (formation from
 * records and linked persons), the member qualifiers (cohorts/where.c,
 * where_members.c) and household counting through every measure, at_end
 * included (cohorts/count.c, household_count.c), on hand-made data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "../../anonymise/household.h"
#include "../../anonymise/link.h"
#include "../../anonymise/pseudonym.h"
#include "../../anonymise/record.h"
#include "../../cohorts/count.h"
#include "../../cohorts/household_count.h"
#include "../../cohorts/where.h"
#include "../../core/calendar.h"
#include "../../core/hash.h"
#include "../../core/period.h"

static struct age_band bands[] = {{0, 4}, {5, 17}, {18, 64}, {65, -1}};
static struct service_def services[] = {
    {DEPT_HOUSING, "temporary_accommodation"},
    {DEPT_HOUSING, "social_tenancy"},
    {DEPT_CHILDREN_SOCIAL_CARE, "child_in_need"},
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
    plan.periods = 3; /* Aug, Sep, Oct 2026 */
    plan.reference_date = days_from_civil(2026, 10, 31);
}

static int32_t
day(int m, int d)
{
    return days_from_civil(2026, m, d);
}

/*
 * Four persons, two households, over Aug-Oct 2026:
 *   p0 adult, H1's lead from 1 Aug; leaves on 15 Sep
 *   p1 adult, in H1 from 1 Aug, its lead from 16 Sep (a lead change)
 *   p2 child, joins H1 on 10 Sep; known to children's social care from
 *      1 Oct (another system's record, linked by the key)
 *   p3 adult, in H1 in August only, then the lead of H2 from 1 Oct (a
 *      person in two households over time)
 * H1's records are TA, H2's a social tenancy.
 */
struct fixture {
    struct pseudonymous_record recs[7];
    struct linker l;
    struct hash_table households;
    struct pseudonymiser psd;
    struct cohort_key key;
    struct person_set ps;
    struct geo_names geo;
    struct period pr[3];
};

static const struct {
    int person, household, lead, service, m0, d0, m1, d1;
} rows[7] = {
    {0, 1, 1, 0, 8, 1, 9, 15},  {1, 1, 0, 0, 8, 1, 9, 15},
    {1, 1, 1, 0, 9, 16, 0, 0},  {2, 1, 0, 0, 9, 10, 0, 0},
    {3, 1, 0, 0, 8, 1, 8, 31},  {3, 2, 1, 1, 10, 1, 0, 0},
    {2, 0, 0, 2, 10, 1, 0, 0},
};

static void
build(struct fixture *fx)
{
    static uint8_t age[12] = {2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2};
    static uint8_t sex[4], eth[4], rk[4] = {1, 2, 3, 4};
    static uint32_t ward[4];
    static uint32_t first[5];
    static struct spell spells[7];
    static char *unknown[1] = {"UNKNOWN"};
    unsigned char h[1][16], id[16];
    uint8_t present[1] = {1};
    struct link_anchors a = {0, 0};
    struct diag d;
    size_t i, idx;
    struct record_list rl;
    uint32_t p, k;

    memset(fx, 0, sizeof(*fx));
    init_plan();
    assert_int_equal(linker_init(&fx->l, 1), 0);
    hash_table_init(&fx->households);
    for (i = 0; i < 2; i++) {
        memset(id, (int)(0x40 + i), sizeof(id));
        assert_int_equal(hash_table_intern(&fx->households, id, 16, &idx), 1);
    }
    for (i = 0; i < 7; i++) {
        struct pseudonymous_record *r = &fx->recs[i];

        memset(h, 0, sizeof(h));
        h[0][0] = (unsigned char)(rows[i].person + 1);
        assert_int_equal(linker_add(&fx->l, (const unsigned char(*)[16])h,
                                    present, &a),
                         (long)i);
        r->start = day(rows[i].m0, rows[i].d0);
        r->end = rows[i].m1 ? day(rows[i].m1, rows[i].d1) : DAY_OPEN;
        r->service = (uint16_t)rows[i].service;
        r->department = (uint8_t)services[rows[i].service].department;
        r->household = rows[i].household
                           ? (uint32_t)rows[i].household |
                                 (rows[i].lead ? RECORD_LEAD : 0)
                           : 0;
    }
    assert_int_equal(linker_run(&fx->l), 0);
    assert_int_equal(linker_npersons(&fx->l), 4);
    memset(&fx->key, 9, sizeof(fx->key));
    assert_int_equal(pseudonymiser_init(&fx->psd, &plan, &fx->key, &d), 0);

    /* the persons, by hand: ages, and each one's spells by start */
    for (p = 0, k = 0; p < 4; p++) {
        first[p] = k;
        for (i = 0; i < 7; i++)
            if ((uint32_t)rows[i].person == p) {
                spells[k].start = fx->recs[i].start;
                spells[k].end = fx->recs[i].end;
                spells[k].service = fx->recs[i].service;
                spells[k].department = fx->recs[i].department;
                k++;
            }
    }
    first[4] = k;
    fx->geo.ward = fx->geo.lsoa = fx->geo.district = unknown;
    fx->geo.nward = fx->geo.nlsoa = fx->geo.ndistrict = 1;
    fx->ps.npersons = 4;
    fx->ps.nperiods = 3;
    fx->ps.age_band = age;
    fx->ps.sex = sex;
    fx->ps.ethnicity = eth;
    fx->ps.ward = fx->ps.lsoa = fx->ps.district = ward;
    fx->ps.record_key = rk;
    fx->ps.spell_first = first;
    fx->ps.spells = spells;
    fx->ps.nspells = k;
    fx->ps.geo = &fx->geo;
    memset(&rl, 0, sizeof(rl));
    for (i = 0; i < 7; i++)
        assert_int_equal(record_list_push(&rl, &fx->recs[i]), 0);
    assert_int_equal(household_set_build(&fx->ps, &rl, &fx->l,
                                         &fx->households, &fx->psd),
                     0);
    record_list_release(&rl);
    periods_compute(plan.reference_date, 3, fx->pr);
}

static void
release(struct fixture *fx)
{
    free(fx->ps.member_first);
    free(fx->ps.members);
    free(fx->ps.household_key);
    linker_release(&fx->l);
    hash_table_release(&fx->households);
    pseudonymiser_release(&fx->psd);
}

/* Formation: H1 has p0..p3's five memberships by person and start, H2
 * p3's one; p2's social care record belongs to no household. */
static void
test_formation(void **state)
{
    struct fixture fx;
    const struct household_member *m;
    struct household_units hu;
    struct count_units cu;
    struct cohort_plan c;
    struct where_members wm;
    struct where_expr *e;
    struct diag d;

    (void)state;
    build(&fx);
    assert_int_equal(fx.ps.nhouseholds, 2);
    assert_int_equal(fx.ps.nmembers, 6);
    assert_int_equal(fx.ps.member_first[1] - fx.ps.member_first[0], 5);
    assert_int_equal(fx.ps.member_first[2] - fx.ps.member_first[1], 1);
    m = &fx.ps.members[0];
    assert_int_equal(m[0].person, 0);
    assert_true(m[0].lead);
    /* p1 twice: as a member, then as the lead */
    assert_int_equal(m[1].person, 1);
    assert_false(m[1].lead);
    assert_int_equal(m[2].person, 1);
    assert_true(m[2].lead);
    assert_int_equal(m[2].start, day(9, 16));
    assert_int_equal(m[3].person, 2);
    assert_int_equal(m[4].person, 3);
    assert_int_equal(m[4].end, day(8, 31));
    assert_int_equal(fx.ps.members[5].person, 3);
    assert_true(fx.ps.members[5].lead);
    /* the households' keys come from their keyed ids: equal ids, equal
     * keys, whatever the numbering */
    assert_int_equal(fx.ps.household_key[0],
                     pseudonym_record_key(&fx.psd, HOUSEHOLD_KEY_INDEX,
                                          0x4040404040404040ull));

    /* members by month: each person once, lead when a membership says so */
    memset(&c, 0, sizeof(c));
    assert_int_equal(where_parse("all", &plan, &e, &d), 0);
    assert_int_equal(household_units_init(&hu, &plan, &c, e, &fx.ps, &cu), 0);
    assert_int_equal(cu.n, 2);
    household_members(&hu, 0, fx.pr[0].start, fx.pr[0].end, &wm);
    assert_int_equal(wm.n, 3); /* Aug: p0 (lead), p1, p3 */
    assert_true(wm.lead[0]);
    assert_false(wm.lead[1]);
    household_members(&hu, 0, fx.pr[1].start, fx.pr[1].end, &wm);
    assert_int_equal(wm.n, 3); /* Sep: p0, p1 (lead from the 16th), p2 */
    assert_true(wm.lead[0] && wm.lead[1]);
    assert_int_equal(wm.person[2], 2);
    household_members(&hu, 0, fx.pr[2].start, fx.pr[2].end, &wm);
    assert_int_equal(wm.n, 2); /* Oct: p1 the lead, p2 */
    assert_int_equal(wm.person[0], 1);
    assert_true(wm.lead[0]);
    assert_int_equal(household_composition(&plan, &fx.ps, &wm,
                                           BY_HOUSEHOLD_TYPE, 2),
                     2); /* lone parent */
    household_members(&hu, 1, fx.pr[0].start, fx.pr[0].end, &wm);
    assert_int_equal(wm.n, 0); /* H2 before it began */
    household_members(&hu, 1, fx.pr[2].start, fx.pr[2].end, &wm);
    assert_int_equal(wm.n, 1);
    assert_int_equal(household_composition(&plan, &fx.ps, &wm,
                                           BY_HOUSEHOLD_TYPE, 2),
                     0); /* single adult */
    household_units_release(&hu);
    where_free(e);
    release(&fx);
}

/* The grand total of period i of cohort (where, measure, unit households). */
static void
totals(struct fixture *fx, const char *where, enum measure measure,
       int want0, int want1, int want2)
{
    struct cohort_plan c;
    struct where_expr *e;
    struct count_table t;
    struct diag d;
    size_t per;

    memset(&c, 0, sizeof(c));
    c.name = "h";
    c.unit = UNIT_HOUSEHOLDS;
    c.measure = measure;
    if (where_parse(where, &plan, &e, &d) != 0)
        fail_msg("%s: %s", where, d.msg);
    assert_int_equal(cohort_count(&plan, &c, e, &fx->ps, fx->pr, &t), 0);
    per = t.ncells_per_period;
    if ((int)t.cells[per - 1].count != want0 ||
        (int)t.cells[2 * per - 1].count != want1 ||
        (int)t.cells[3 * per - 1].count != want2)
        fail_msg("%s (measure %d): %d %d %d, want %d %d %d", where,
                 (int)measure, (int)t.cells[per - 1].count,
                 (int)t.cells[2 * per - 1].count,
                 (int)t.cells[3 * per - 1].count, want0, want1, want2);
    table_release(&t);
    where_free(e);
}

/* Every measure and qualifier on the two households. */
static void
test_measures(void **state)
{
    struct fixture fx;

    (void)state;
    build(&fx);
    /* households with a member: H1 Aug-Oct, H2 from Oct */
    totals(&fx, "all", MEASURE_PERSONS, 1, 1, 2);
    totals(&fx, "all", MEASURE_NEW, 1, 0, 1);
    /* H1 and H2 go on into November: nothing ended */
    totals(&fx, "all", MEASURE_ENDED, 0, 0, 0);
    /* in TA: any member's TA spell; H2's lead p3 left TA on 31 Aug */
    totals(&fx, "housing.temporary_accommodation", MEASURE_PERSONS, 1, 1, 1);
    totals(&fx, "housing.social_tenancy", MEASURE_NEW, 0, 0, 1);
    /* all members adults: H1 in Aug only (p2 joins in Sep), H2 in Oct */
    totals(&fx, "all members(age >= 18)", MEASURE_PERSONS, 1, 0, 1);
    totals(&fx, "all members(age >= 18)", MEASURE_ENDED, 1, 0, 0);
    totals(&fx, "any member(age < 18)", MEASURE_PERSONS, 0, 1, 1);
    /* a household with a member known to children's social care, whose
     * lead is an adult: H1 in Oct */
    totals(&fx, "lead(age >= 18) and any member(children_social_care.any)",
           MEASURE_PERSONS, 0, 0, 1);
    /* an unqualified term reads as any member(...) */
    totals(&fx, "children_social_care.any", MEASURE_PERSONS, 0, 0, 1);
    /* not: over the households with a member */
    totals(&fx, "not housing.temporary_accommodation", MEASURE_PERSONS, 0, 0,
           1);
    /* lead: a member flagged lead that month; H2's lead is p3 */
    totals(&fx, "lead(housing.social_tenancy)", MEASURE_PERSONS, 0, 0, 1);
    release(&fx);
}

/* measure = at_end: a household on the last day of each month, as it is
 * that day. */
static void
test_at_end(void **state)
{
    struct fixture fx;
    struct cohort_plan c;
    struct where_expr *e;
    struct count_table t;
    struct diag d;
    uint32_t coord[2];

    (void)state;
    build(&fx);
    /* 31 Aug: H1 (p0, p1, p3 to the 31st); 30 Sep: H1; 31 Oct: H1, H2 */
    totals(&fx, "all", MEASURE_AT_END, 1, 1, 2);
    /* H1's lead on the last day is in TA (p0 on 31 Aug, p1 after); H2's
     * lead p3 has a social tenancy */
    totals(&fx, "lead(housing.temporary_accommodation)", MEASURE_AT_END, 1, 1,
           1);
    totals(&fx, "housing.social_tenancy", MEASURE_AT_END, 0, 0, 1);
    /* a spell starting on the last day only: none does */
    totals(&fx, "new(housing.temporary_accommodation)", MEASURE_AT_END, 0, 0,
           0);
    /* the whole month's measure saw p2's TA start in September */
    totals(&fx, "new(housing.temporary_accommodation)", MEASURE_PERSONS, 1, 1,
           0);

    /* composition: that day's members. On 30 Sep H1 is p1 (the lead) and
     * p2, p0 having left on the 15th: 2 persons, 1 child, a lone parent,
     * where the month's measure sees 3 persons and two leads (other). */
    memset(&c, 0, sizeof(c));
    c.name = "h";
    c.unit = UNIT_HOUSEHOLDS;
    c.measure = MEASURE_AT_END;
    c.nby = 2;
    c.by[0] = BY_HOUSEHOLD_SIZE;
    c.by[1] = BY_CHILDREN;
    assert_int_equal(where_parse("housing.temporary_accommodation", &plan, &e,
                                 &d), 0);
    assert_int_equal(cohort_count(&plan, &c, e, &fx.ps, fx.pr, &t), 0);
    coord[0] = 2; /* 31 Aug: 3 persons (p3's last day), no children */
    coord[1] = 0;
    assert_int_equal(table_interior(&t, 0, coord)->count, 1);
    coord[0] = 1; /* 30 Sep: 2 persons, 1 child */
    coord[1] = 1;
    assert_int_equal(table_interior(&t, 1, coord)->count, 1);
    coord[0] = 2;
    assert_int_equal(table_interior(&t, 1, coord)->count, 0);
    coord[0] = 1; /* 31 Oct: the same two */
    assert_int_equal(table_interior(&t, 2, coord)->count, 1);
    assert_int_equal(table_interior(&t, 2, coord)->ckey,
                     fx.ps.household_key[0]);
    table_release(&t);
    c.nby = 1;
    c.by[0] = BY_HOUSEHOLD_TYPE;
    assert_int_equal(cohort_count(&plan, &c, e, &fx.ps, fx.pr, &t), 0);
    coord[0] = 2; /* lone parent */
    assert_int_equal(table_interior(&t, 1, coord)->count, 1);
    coord[0] = 4; /* other: 31 Aug, three adults */
    assert_int_equal(table_interior(&t, 0, coord)->count, 1);
    assert_int_equal(table_interior(&t, 1, coord)->count, 0);
    table_release(&t);
    c.measure = MEASURE_PERSONS;
    assert_int_equal(cohort_count(&plan, &c, e, &fx.ps, fx.pr, &t), 0);
    assert_int_equal(table_interior(&t, 1, coord)->count, 1); /* other */
    table_release(&t);
    where_free(e);
    release(&fx);
}

/* Composition columns, and a service flag of any member. */
static void
test_composition(void **state)
{
    struct fixture fx;
    struct cohort_plan c;
    struct where_expr *e;
    struct count_table t;
    struct diag d;
    uint32_t coord[2];

    (void)state;
    build(&fx);
    memset(&c, 0, sizeof(c));
    c.name = "h";
    c.unit = UNIT_HOUSEHOLDS;
    c.nby = 2;
    c.by[0] = BY_HOUSEHOLD_SIZE;
    c.by[1] = BY_CHILDREN;
    assert_int_equal(where_parse("all", &plan, &e, &d), 0);
    assert_int_equal(cohort_count(&plan, &c, e, &fx.ps, fx.pr, &t), 0);
    coord[0] = 2; /* 3 persons */
    coord[1] = 0; /* no children */
    assert_int_equal(table_interior(&t, 0, coord)->count, 1);
    coord[1] = 1; /* 1 child */
    assert_int_equal(table_interior(&t, 1, coord)->count, 1);
    coord[0] = 1; /* Oct: H1 2 persons, 1 child */
    assert_int_equal(table_interior(&t, 2, coord)->count, 1);
    coord[0] = 0; /* H2 1 person, no children */
    coord[1] = 0;
    assert_int_equal(table_interior(&t, 2, coord)->count, 1);
    assert_int_equal(table_interior(&t, 2, coord)->ckey,
                     fx.ps.household_key[1]);
    table_release(&t);
    /* type: Aug three adults (other), Sep two leads (other) */
    c.nby = 1;
    c.by[0] = BY_HOUSEHOLD_TYPE;
    assert_int_equal(cohort_count(&plan, &c, e, &fx.ps, fx.pr, &t), 0);
    coord[0] = 4; /* other */
    assert_int_equal(table_interior(&t, 0, coord)->count, 1);
    assert_int_equal(table_interior(&t, 1, coord)->count, 1);
    assert_int_equal(table_interior(&t, 2, coord)->count, 0);
    table_release(&t);
    /* by housing.social_tenancy: yes for H2 in Oct only */
    c.by[0] = BY_SERVICE;
    c.by_service[0] = 1;
    assert_int_equal(cohort_count(&plan, &c, e, &fx.ps, fx.pr, &t), 0);
    coord[0] = 0; /* yes */
    assert_int_equal(table_interior(&t, 2, coord)->count, 1);
    assert_int_equal(table_interior(&t, 0, coord)->count, 0);
    table_release(&t);
    where_free(e);
    release(&fx);
}

/*
 * A household's own spells (an H-CLIC main or TA row: a household id and
 * a spell, no person): H1 a social tenancy spell in September only; H2 a
 * TA spell in August, when it has no member yet, and another from 15
 * October. An unqualified service holds on a member's spell or the
 * household's own; a qualifier asks the members alone.
 */
static void
test_household_events(void **state)
{
    struct pseudonymous_record ev[3];
    struct record_list evl;
    struct fixture fx;
    size_t i;

    (void)state;
    build(&fx);
    memset(ev, 0, sizeof(ev));
    memset(&evl, 0, sizeof(evl));
    ev[0].household = 2;
    ev[0].service = 0;
    ev[0].start = day(10, 15);
    ev[0].end = DAY_OPEN;
    ev[1].household = 1;
    ev[1].service = 1;
    ev[1].start = day(9, 1);
    ev[1].end = day(9, 30);
    ev[2].household = 2;
    ev[2].service = 0;
    ev[2].start = day(8, 5);
    ev[2].end = day(8, 20);
    for (i = 0; i < 3; i++)
        assert_int_equal(record_list_push(&evl, &ev[i]), 0);
    assert_int_equal(household_spells_build(&fx.ps, &evl), 0);
    record_list_release(&evl);
    assert_int_equal(fx.ps.nhspells, 3);
    assert_int_equal(fx.ps.hspell_first[1], 1);
    /* H2's by start: August's first */
    assert_int_equal(fx.ps.hspells[1].start, day(8, 5));
    totals(&fx, "housing.social_tenancy", MEASURE_PERSONS, 0, 1, 1);
    totals(&fx, "housing.temporary_accommodation", MEASURE_PERSONS, 1, 1, 2);
    totals(&fx, "any member(housing.social_tenancy)", MEASURE_PERSONS, 0, 0,
           1);
    totals(&fx, "housing.any", MEASURE_PERSONS, 1, 1, 2);
    /* H2's TA is new in October (its August spell had ended); on 30
     * September H1's own social tenancy holds, on 31 October H2's
     * member's */
    totals(&fx, "housing.temporary_accommodation", MEASURE_NEW, 1, 0, 1);
    totals(&fx, "housing.social_tenancy", MEASURE_AT_END, 0, 1, 1);
    totals(&fx, "housing.temporary_accommodation", MEASURE_AT_END, 1, 1, 2);
    free(fx.ps.hspell_first);
    free(fx.ps.hspells);
    release(&fx);
}

/* Labels, sizes, children and type rules on their own. */
static void
test_composition_rules(void **state)
{
    static const uint8_t ages[6] = {2, 2, 2, 1, 0, AGE_BAND_UNKNOWN};
    size_t person[6] = {0, 1, 2, 3, 4, 5};
    uint8_t lead[6] = {1, 0, 0, 0, 0, 0};
    struct person_set ps;
    struct where_members m = {person, lead, 0, NULL, 0};
    uint32_t n;
    char **l;

    (void)state;
    init_plan();
    memset(&ps, 0, sizeof(ps));
    ps.nperiods = 1;
    ps.age_band = (uint8_t *)ages;
    l = household_by_labels(BY_HOUSEHOLD_SIZE, &n);
    assert_int_equal(n, 5);
    assert_string_equal(l[4], "5 or more persons");
    l = household_by_labels(BY_CHILDREN, &n);
    assert_string_equal(l[4], "UNKNOWN");
    l = household_by_labels(BY_HOUSEHOLD_TYPE, &n);
    assert_string_equal(l[3], "couple with children");
    /* lead alone; lead + adult; lead + adult + child; three adults */
    m.n = 1;
    assert_int_equal(household_composition(&plan, &ps, &m, BY_HOUSEHOLD_TYPE, 0), 0);
    m.n = 2;
    assert_int_equal(household_composition(&plan, &ps, &m, BY_HOUSEHOLD_TYPE, 0), 1);
    person[2] = 3; /* a child in third place */
    m.n = 3;
    assert_int_equal(household_composition(&plan, &ps, &m, BY_HOUSEHOLD_TYPE, 0), 3);
    assert_int_equal(household_composition(&plan, &ps, &m, BY_CHILDREN, 0), 1);
    person[2] = 2;
    assert_int_equal(household_composition(&plan, &ps, &m, BY_HOUSEHOLD_TYPE, 0), 4);
    /* no lead: other; an unknown age: UNKNOWN children and type */
    lead[0] = 0;
    assert_int_equal(household_composition(&plan, &ps, &m, BY_HOUSEHOLD_TYPE, 0), 4);
    lead[0] = 1;
    m.n = 6;
    assert_int_equal(household_composition(&plan, &ps, &m, BY_HOUSEHOLD_SIZE, 0), 4);
    assert_int_equal(household_composition(&plan, &ps, &m, BY_CHILDREN, 0), 4);
    assert_int_equal(household_composition(&plan, &ps, &m, BY_HOUSEHOLD_TYPE, 0), 5);
}

/* The qualifiers' syntax, meaning in words and errors. */
static void
test_qualifiers_parse(void **state)
{
    struct where_expr *e, *f;
    struct diag d;
    char *s;

    (void)state;
    init_plan();
    assert_int_equal(where_parse("housing.temporary_accommodation and any "
                                 "member (age < 18)", &plan, &e, &d), 0);
    assert_true(where_has_members(e));
    s = where_plain(e, &plan);
    assert_string_equal(s, "receiving temporary accommodation (housing) that "
                           "month and any member of the household that month "
                           "(aged under 18 at the end of the month)");
    free(s);
    assert_int_equal(where_parse("any member(age < 18 and housing.any)", &plan,
                                 &f, &d), 0);
    assert_true(where_within(f, f));
    /* nested household cohorts, as the nesting check sees them */
    assert_true(where_within(f, e) == 0);
    {
        static const struct { const char *in, *out; int within; } nest[] = {
            {"any member(age < 18 and housing.any)", "any member(age < 18)", 1},
            {"housing.any and any member(age < 18)", "housing.any", 1},
            {"lead(age < 18)", "any member(age < 18)", 1},
            {"all members(age < 18)", "age < 18", 1},
            {"any member(age < 18)", "lead(age < 18)", 0},
            {"any member(age < 18)", "all members(age < 18)", 0},
            {"housing.any", "any member(housing.any)", 1},
            {"not housing.any", "any member(age < 18)", 0},
        };
        struct where_expr *a, *b;
        size_t i;

        for (i = 0; i < sizeof(nest) / sizeof(nest[0]); i++) {
            assert_int_equal(where_parse(nest[i].in, &plan, &a, &d), 0);
            assert_int_equal(where_parse(nest[i].out, &plan, &b, &d), 0);
            if (where_within(a, b) != nest[i].within)
                fail_msg("%s within %s: want %d", nest[i].in, nest[i].out,
                         nest[i].within);
            where_free(a);
            where_free(b);
        }
    }
    where_free(f);
    where_free(e);
    assert_int_equal(where_parse("all and lead(sex = F)", &plan, &e, &d), 0);
    assert_true(where_has_members(e));
    where_free(e);
    assert_int_equal(where_parse("all members(age >= 18)", &plan, &e, &d), 0);
    where_free(e);
    /* "all" alone, and words that only start like a qualifier */
    assert_int_equal(where_parse("all", &plan, &e, &d), 0);
    assert_false(where_has_members(e));
    where_free(e);
    assert_int_equal(where_parse("any member(lead(age < 18))", &plan, &e, &d),
                     CE_CONFIG);
    assert_non_null(strstr(d.msg, "inside another"));
    assert_int_equal(where_parse("any member(age < 18", &plan, &e, &d),
                     CE_CONFIG);
    assert_int_equal(where_parse("any members(age < 18)", &plan, &e, &d),
                     CE_CONFIG);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_formation),
        cmocka_unit_test(test_measures),
        cmocka_unit_test(test_at_end),
        cmocka_unit_test(test_composition),
        cmocka_unit_test(test_composition_rules),
        cmocka_unit_test(test_household_events),
        cmocka_unit_test(test_qualifiers_parse),
    };

    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
