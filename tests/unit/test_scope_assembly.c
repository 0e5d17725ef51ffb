/*
 * test_scope_assembly.c - person assembly inside an id scope
 * (anonymise/scope_assembly.h): an SSDA903 header (date of birth, sex,
 * UPN), its episodes (a postcode each) and the case system's row (names)
 * become records that each carry the id's names, date of birth and sex
 * with their own postcode; the order the rows came in does not change a
 * bit of any record; an id lends nothing to another id or to a record
 * outside any scope; a row's own value is never replaced; two NHS numbers
 * of one id lend neither.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "anonymise/comparison.h"
#include "anonymise/scope_assembly.h"

/* Keyed hashes stand in as small distinct numbers: the assembly reads
 * them only for presence, equality and order. */
enum {
    FN_AMIT = 101, SN_JOSHI = 102, ROOT_AMIT = 103, PH_JOSHI = 104,
    INIT_A = 105, DOB_A = 106, DOBSW_A = 107, DAY_A = 108,
    DOB_OTHER = 109, PC1 = 201, PC1S = 202, PC1D = 203, PC2 = 211,
    PC2S = 212, PC2D = 213, FN_BEA = 301, SN_BEA = 302, NHS_A = 401,
    NHS_B = 402, UPN_A = 403, EXTRA_PHONE = 501
};

/* The case system's row: names, a postcode. */
static struct match_record
case_row(void)
{
    struct match_record r;

    memset(&r, 0, sizeof(r));
    r.forename = FN_AMIT;
    r.forename_root = ROOT_AMIT;
    r.forename_initial = INIT_A;
    r.surname = SN_JOSHI;
    r.surname_phonetic = PH_JOSHI;
    r.forename_bloom.w[0] = 0xF0;
    r.surname_bloom.w[1] = 0x0F;
    r.postcode_unit = PC1;
    r.postcode_sector = PC1S;
    r.postcode_district = PC1D;
    return r;
}

/* The SSDA903 header: date of birth, sex, the UPN's anchor. */
static struct match_record
header_row(void)
{
    struct match_record r;

    memset(&r, 0, sizeof(r));
    r.dob = DOB_A;
    r.dob_swapped = DOBSW_A;
    r.dob_day = DAY_A;
    r.birth_year = 2012;
    r.birth_month = 11;
    r.sex = 1;
    r.upn = UPN_A;
    return r;
}

/* An episode: its home postcode and nothing else. */
static struct match_record
episode_row(uint32_t unit, uint32_t sector, uint32_t district)
{
    struct match_record r;

    memset(&r, 0, sizeof(r));
    r.postcode_unit = unit;
    r.postcode_sector = sector;
    r.postcode_district = district;
    return r;
}

/* Another child, in another id: names only. */
static struct match_record
other_child(void)
{
    struct match_record r;

    memset(&r, 0, sizeof(r));
    r.forename = FN_BEA;
    r.surname = SN_BEA;
    return r;
}

/* The records of l with scope s, after assembly, in a canonical order:
 * sorted by postcode unit (the only part that tells them apart). */
static size_t
records_of(const struct comparison_list *l, uint32_t s,
           struct match_record *out, size_t max)
{
    size_t i, n = 0, a, b;

    for (i = 0; i < l->n && n < max; i++)
        if (comparison_list_scope(l, i) == s)
            comparison_list_get(l, i, &out[n++]);
    for (a = 1; a < n; a++)
        for (b = a; b > 0 && out[b].postcode_unit < out[b - 1].postcode_unit;
             b--) {
            struct match_record t = out[b];

            out[b] = out[b - 1];
            out[b - 1] = t;
        }
    return n;
}

/* Adds the rows in the order `order` names (0 case row, 1 header, 2 and 3
 * the two episodes, 4 the other child, 5 an unscoped row). */
static void
add_rows(struct comparison_list *l, const int *order, size_t n)
{
    size_t k;

    for (k = 0; k < n; k++) {
        struct match_record r;
        long idx;

        switch (order[k]) {
        case 0: r = case_row(); break;
        case 1: r = header_row(); break;
        case 2: r = episode_row(PC1, PC1S, PC1D); break;
        case 3: r = episode_row(PC2, PC2S, PC2D); break;
        case 4: r = other_child(); break;
        default: r = episode_row(PC2, PC2S, PC2D); break;
        }
        if (order[k] == 5)
            idx = comparison_list_add(l, &r);
        else
            idx = comparison_list_add_scoped(l, &r, order[k] == 4 ? 9 : 3);
        assert_true(idx >= 0);
    }
}

static void
test_header_then_events(void **state)
{
    static const int orders[][6] = {
        {1, 0, 2, 3, 4, 5}, /* header, case row, episodes */
        {2, 3, 0, 1, 5, 4}, /* episodes first */
        {3, 4, 5, 2, 1, 0}, /* reversed */
    };
    struct match_record first[4], got[4];
    size_t nfirst = 0, o, k;

    (void)state;
    for (o = 0; o < sizeof(orders) / sizeof(orders[0]); o++) {
        struct comparison_list l;
        struct scope_assembly_stats st;
        size_t n;

        comparison_list_init(&l, 0);
        add_rows(&l, orders[o], 6);
        assert_int_equal(scope_assemble(&l, &st), 0);
        assert_int_equal(st.persons, 2);
        assert_int_equal(st.records, 5);
        n = records_of(&l, 4, got, 4);
        assert_int_equal(n, 4);
        /* every record of the child holds the names, the date of birth,
         * the sex and the UPN anchor: the episodes each with their own
         * postcode, the header with none of its own */
        for (k = 0; k < n; k++) {
            assert_int_equal(got[k].forename, FN_AMIT);
            assert_int_equal(got[k].forename_root, ROOT_AMIT);
            assert_int_equal(got[k].surname, SN_JOSHI);
            assert_int_equal(got[k].surname_phonetic, PH_JOSHI);
            assert_int_equal(got[k].forename_bloom.w[0], 0xF0);
            assert_int_equal(got[k].dob, DOB_A);
            assert_int_equal(got[k].dob_swapped, DOBSW_A);
            assert_int_equal(got[k].birth_year, 2012);
            assert_int_equal(got[k].birth_month, 11);
            assert_int_equal(got[k].sex, 1);
            assert_int_equal(got[k].upn, UPN_A);
            assert_true(comparison_useful(&got[k]));
        }
        assert_int_equal(got[0].postcode_unit, 0);   /* the header */
        assert_int_equal(got[1].postcode_unit, PC1); /* case row, episode */
        assert_int_equal(got[2].postcode_unit, PC1);
        assert_int_equal(got[3].postcode_unit, PC2);
        assert_int_equal(got[3].postcode_sector, PC2S);
        /* the same records, bit for bit, whatever the order */
        if (!o) {
            memcpy(first, got, sizeof(got));
            nfirst = n;
        } else {
            assert_int_equal(n, nfirst);
            assert_memory_equal(first, got, sizeof(got));
        }
        /* nothing crosses to another id or to a record of no scope */
        n = records_of(&l, 10, got, 4);
        assert_int_equal(n, 1);
        assert_int_equal(got[0].forename, FN_BEA);
        assert_int_equal(got[0].dob, 0);
        assert_int_equal(got[0].upn, 0);
        n = records_of(&l, 0, got, 4);
        assert_int_equal(n, 1);
        assert_int_equal(got[0].forename, 0);
        assert_false(comparison_useful(&got[0]));
        comparison_list_release(&l);
    }
}

static void
test_own_values_and_conflicts(void **state)
{
    struct comparison_list l;
    struct scope_assembly_stats st;
    struct match_record a = header_row(), b = case_row(), got[4];
    size_t n;

    (void)state;
    comparison_list_init(&l, 1);
    /* two rows of one id that disagree on the date of birth and carry
     * two NHS numbers: each keeps its own date; no NHS anchor is lent */
    a.nhs = NHS_A;
    b.dob = DOB_OTHER;
    b.nhs = NHS_B;
    b.extra[0] = EXTRA_PHONE;
    assert_true(comparison_list_add_scoped(&l, &a, 0) >= 0);
    assert_true(comparison_list_add_scoped(&l, &b, 0) >= 0);
    a = episode_row(PC2, PC2S, PC2D);
    assert_true(comparison_list_add_scoped(&l, &a, 0) >= 0);
    assert_int_equal(scope_assemble(&l, &st), 0);
    assert_int_equal(st.anchor_conflicts, 1);
    n = records_of(&l, 1, got, 4);
    assert_int_equal(n, 3);
    /* the header (no postcode): its own date, the case row's names and
     * extra identifier */
    assert_int_equal(got[0].dob, DOB_A);
    assert_int_equal(got[0].nhs, NHS_A);
    assert_int_equal(got[0].forename, FN_AMIT);
    assert_int_equal(got[0].extra[0], EXTRA_PHONE);
    /* the case row keeps its date and its NHS anchor */
    assert_int_equal(got[1].dob, DOB_OTHER);
    assert_int_equal(got[1].nhs, NHS_B);
    assert_int_equal(got[1].sex, 1);
    /* the episode: a date chosen by rank (the smaller keyed hash), no NHS
     * anchor */
    assert_int_equal(got[2].dob, DOB_A);
    assert_int_equal(got[2].nhs, 0);
    assert_int_equal(got[2].upn, UPN_A);
    comparison_list_release(&l);
}

static void
test_append_keeps_scopes(void **state)
{
    struct comparison_list all, one, two;
    struct match_record r = case_row(), h = header_row(), got[2];

    (void)state;
    /* a list without scopes appended before one with them, as the job
     * merges its sources' lists */
    comparison_list_init(&all, 0);
    comparison_list_init(&one, 0);
    comparison_list_init(&two, 0);
    assert_true(comparison_list_add(&one, &r) >= 0);
    assert_true(comparison_list_add_scoped(&two, &h, 5) >= 0);
    /* identical records of two ids are two records */
    assert_int_equal(comparison_list_add_scoped(&two, &h, 6), 1);
    assert_int_equal(comparison_list_add_scoped(&two, &h, 5), 0);
    assert_int_equal(comparison_list_append(&all, &one), 0);
    assert_int_equal(comparison_list_append(&all, &two), 1);
    assert_int_equal(all.n, 3);
    assert_int_equal(comparison_list_scope(&all, 0), 0);
    assert_int_equal(comparison_list_scope(&all, 1), 6);
    assert_int_equal(comparison_list_scope(&all, 2), 7);
    assert_int_equal(scope_assemble(&all, NULL), 0);
    assert_int_equal(records_of(&all, 0, got, 2), 1);
    assert_int_equal(got[0].dob, 0); /* nothing lent outside a scope */
    comparison_list_release(&all);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_then_events),
        cmocka_unit_test(test_own_values_and_conflicts),
        cmocka_unit_test(test_append_keeps_scopes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
