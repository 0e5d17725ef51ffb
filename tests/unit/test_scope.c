/*
 * test_scope.c - id scopes (anonymise/scope.h and the scoped id of
 * anonymise/pseudonym.h): ids never cross scopes, orphans are found,
 * conflicts are counted once per id, and the index survives growth.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "anonymise/keys.h"
#include "anonymise/pseudonym.h"
#include "anonymise/scope.h"
#include "core/calendar.h"

static void
id_of(unsigned char id[16], unsigned n)
{
    /* stands in for a keyed hash: spread the bits */
    crypto_generichash(id, 16, (const unsigned char *)&n, sizeof(n), NULL, 0);
}

static void
test_orphans_and_scopes(void **state)
{
    struct scope_index x;
    unsigned char a[16], b[16];

    (void)state;
    assert_int_equal(scope_index_init(&x, 2), 0);
    id_of(a, 1001);
    id_of(b, 1002);
    assert_int_equal(scope_index_header(&x, 0, a, 0, 0), 0);
    assert_int_equal(scope_index_event(&x, 0, a, 0, 0), 1);
    /* the same id bytes in another scope: not listed there */
    assert_int_equal(scope_index_event(&x, 1, a, 0, 0), 0);
    assert_int_equal(scope_index_event(&x, 0, b, 0, 0), 0);
    assert_int_equal(x.stats[0].ids, 1);
    assert_int_equal(x.stats[0].events_joined, 1);
    assert_int_equal(x.stats[0].events_orphaned, 1);
    assert_int_equal(x.stats[1].events_orphaned, 1);
    assert_int_equal(x.stats[1].ids, 0);
    /* a scope out of range is an orphan, never a crash */
    assert_int_equal(scope_index_event(&x, 5, a, 0, 0), 0);
    assert_int_equal(scope_index_header(&x, -1, a, 0, 0), CE_INTERNAL);
    scope_index_release(&x);
}

static void
test_conflicts(void **state)
{
    struct scope_index x;
    unsigned char a[16], b[16];

    (void)state;
    assert_int_equal(scope_index_init(&x, 1), 0);
    id_of(a, 7);
    id_of(b, 8);
    /* id a: one NHS number twice, a missing one, then two others */
    assert_int_equal(scope_index_header(&x, 0, a, 11, 100), 0);
    assert_int_equal(scope_index_header(&x, 0, a, 11, 100), 0);
    assert_int_equal(scope_index_header(&x, 0, a, 0, 0), 0);
    assert_int_equal(x.stats[0].nhs_conflicts, 0);
    assert_int_equal(scope_index_header(&x, 0, a, 12, 100), 0);
    assert_int_equal(scope_index_header(&x, 0, a, 13, 100), 0);
    assert_int_equal(x.stats[0].nhs_conflicts, 1); /* once per id */
    assert_int_equal(x.stats[0].dob_conflicts, 0);
    /* id b: the date of birth differs on an events row */
    assert_int_equal(scope_index_header(&x, 0, b, 0, 200), 0);
    assert_int_equal(scope_index_event(&x, 0, b, 0, 201), 1);
    assert_int_equal(x.stats[0].dob_conflicts, 1);
    assert_int_equal(x.stats[0].ids, 2);
    assert_int_equal(x.stats[0].header_rows, 6);
    scope_index_release(&x);
}

/*
 * Sources of one pass are read on threads that take turns at the index
 * (app/job_read.c): the counts must be the same whatever order the rows come
 * in. A set of header rows, with NHS and date-of-birth anchors that agree,
 * disagree and are missing, is fed in every rotation and in reverse;
 * every order must give the counts of the first.
 */
static void
test_order_independent(void **state)
{
    static const struct {
        unsigned id;
        uint64_t nhs, dob;
    } rows[] = {
        {1, 11, 100}, {1, 0, 100},  {1, 12, 0},   {2, 0, 0},    {2, 21, 200},
        {2, 21, 201}, {3, 31, 300}, {3, 31, 300}, {4, 0, 400},  {4, 41, 0},
        {4, 42, 401}, {4, 43, 402}, {5, 0, 0},    {5, 51, 500}, {1, 11, 101},
    };
    const size_t n = sizeof(rows) / sizeof(rows[0]);
    struct scope_stats first;
    size_t rot, i;
    int rev;

    (void)state;
    memset(&first, 0, sizeof(first));
    for (rev = 0; rev < 2; rev++)
        for (rot = 0; rot < n; rot++) {
            struct scope_index x;
            unsigned char id[16];

            assert_int_equal(scope_index_init(&x, 1), 0);
            for (i = 0; i < n; i++) {
                size_t j = (rot + (rev ? n - 1 - i : i)) % n;

                id_of(id, rows[j].id);
                assert_int_equal(scope_index_header(&x, 0, id, rows[j].nhs,
                                                    rows[j].dob), 0);
            }
            /* events after every header, as the job reads them */
            id_of(id, 2);
            assert_int_equal(scope_index_event(&x, 0, id, 22, 200), 1);
            id_of(id, 9);
            assert_int_equal(scope_index_event(&x, 0, id, 0, 0), 0);
            if (!rev && !rot) {
                first = x.stats[0];
                /* ids 1, 2 (by its event) and 4 carry two NHS numbers;
                 * 1, 2 and 4 two dates of birth */
                assert_int_equal(first.nhs_conflicts, 3);
                assert_int_equal(first.dob_conflicts, 3);
                assert_int_equal(first.ids, 5);
            }
            assert_memory_equal(&x.stats[0], &first, sizeof(first));
            scope_index_release(&x);
        }
}

static void
test_growth(void **state)
{
    struct scope_index x;
    unsigned char id[16];
    unsigned i;

    (void)state;
    assert_int_equal(scope_index_init(&x, 3), 0);
    for (i = 0; i < 20000; i++) {
        id_of(id, i);
        assert_int_equal(scope_index_header(&x, (int)(i % 3), id, 0, 0), 0);
    }
    assert_int_equal(x.stats[0].ids + x.stats[1].ids + x.stats[2].ids, 20000);
    for (i = 0; i < 20000; i++) {
        id_of(id, i);
        assert_int_equal(scope_index_event(&x, (int)(i % 3), id, 0, 0), 1);
        assert_int_equal(scope_index_event(&x, (int)((i + 1) % 3), id, 0, 0), 0);
    }
    assert_int_equal(x.stats[0].events_orphaned + x.stats[1].events_orphaned +
                         x.stats[2].events_orphaned,
                     20000);
    scope_index_release(&x);
}

static void
test_scoped_id(void **state)
{
    struct job_plan plan;
    struct cohort_key key, key2;
    struct pseudonymiser ps, ps2;
    struct source_plan sa, sb, sn;
    struct record r;
    struct diag d;
    unsigned char h1[16], h2[16], h3[16], zero[16] = {0};
    uint64_t dob1, dob2;

    (void)state;
    memset(&plan, 0, sizeof(plan));
    memset(&key, 7, sizeof(key));
    memset(&key2, 8, sizeof(key2));
    memset(&sa, 0, sizeof(sa));
    memset(&sb, 0, sizeof(sb));
    memset(&sn, 0, sizeof(sn));
    sa.name = "header";
    sa.id_scope = "csc";
    sb.name = "episodes";
    sb.id_scope = "csc";
    sn.name = "adults";
    sn.id_scope = "asc";
    assert_int_equal(pseudonymiser_init(&ps, &plan, &key, &d), 0);
    assert_int_equal(pseudonymiser_init(&ps2, &plan, &key2, &d), 0);
    record_clear(&r);
    snprintf(r.local_id, sizeof(r.local_id), "1001");
    r.dob = days_from_civil(2015, 3, 4);
    assert_int_equal(pseudonymise_scoped_id(&ps, &r, &sa, h1, &dob1), 0);
    assert_true(dob1 != 0);
    r.dob = DAY_NONE;
    /* same scope, another table: the same id */
    assert_int_equal(pseudonymise_scoped_id(&ps, &r, &sb, h2, &dob2), 0);
    assert_int_equal(memcmp(h1, h2, 16), 0);
    assert_int_equal(dob2, 0);
    /* another scope: a different id */
    assert_int_equal(pseudonymise_scoped_id(&ps, &r, &sn, h3, &dob2), 0);
    assert_true(memcmp(h1, h3, 16) != 0);
    /* another key: a different id */
    assert_int_equal(pseudonymise_scoped_id(&ps2, &r, &sa, h3, &dob2), 0);
    assert_true(memcmp(h1, h3, 16) != 0);
    /* "cs"+"c1001" is not "csc"+"1001" */
    sn.id_scope = "cs";
    snprintf(r.local_id, sizeof(r.local_id), "c1001");
    assert_int_equal(pseudonymise_scoped_id(&ps, &r, &sn, h3, &dob2), 0);
    assert_true(memcmp(h1, h3, 16) != 0);
    /* no scope, or no id: nothing */
    sn.id_scope = NULL;
    assert_int_equal(pseudonymise_scoped_id(&ps, &r, &sn, h3, &dob2), -1);
    assert_int_equal(memcmp(h3, zero, 16), 0);
    r.local_id[0] = '\0';
    assert_int_equal(pseudonymise_scoped_id(&ps, &r, &sa, h3, &dob2), -1);
    pseudonymiser_release(&ps);
    pseudonymiser_release(&ps2);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_orphans_and_scopes),
        cmocka_unit_test(test_conflicts),
        cmocka_unit_test(test_order_independent),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_scoped_id),
    };

    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
