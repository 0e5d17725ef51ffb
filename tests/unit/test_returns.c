/*
 * Unit tests for anonymise/returns.c: each reconciling rule of stacked
 * yearly returns on hand-made spells of one person, two returns of one
 * source (2016-17 and 2017-18, years ending 31 March) and a third return
 * of another source that no rule may touch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../anonymise/returns.h"
#include "../../core/calendar.h"

#define D(y, m, d) days_from_civil(y, m, d)
#define CSC DEPT_CHILDREN_SOCIAL_CARE

static struct returns_table t;

/* Return 1: source 0's 2016-17 file; 2: its 2017-18 file; 3: source 1's
 * 2016-17 file. */
static void
table(void)
{
    int32_t latest0[2] = {D(2017, 3, 20), D(2018, 2, 1)};
    int32_t latest1[1] = {D(2017, 1, 5)};
    uint32_t base;
    struct diag d;

    assert_int_equal(returns_table_init(&t, 2), 0);
    assert_int_equal(returns_add_source(&t, 0, "episodes", 331, latest0, 2,
                                        &base, &d), 0);
    assert_int_equal(base, 0);
    assert_int_equal(returns_add_source(&t, 1, "plans", 331, latest1, 1,
                                        &base, &d), 0);
    assert_int_equal(base, 2);
    assert_int_equal(t.file[1].first, D(2016, 4, 1));
    assert_int_equal(t.file[1].last, D(2017, 3, 31));
    assert_int_equal(t.file[2].first, D(2017, 4, 1));
    assert_int_equal(t.file[2].last, D(2018, 3, 31));
    assert_int_equal(t.tally[0].files, 2);
}

/* Runs the rules on one person's spells s[0..n) (sorted by start); the
 * kept spells are left in s, their number returned. */
static size_t
reconcile(struct spell *s, size_t n)
{
    uint32_t first[2] = {0, (uint32_t)n};
    struct person_set ps;

    memset(&ps, 0, sizeof(ps));
    ps.npersons = 1;
    ps.spell_first = first;
    ps.spells = s;
    ps.nspells = n;
    assert_int_equal(returns_reconcile(&t, &ps), 0);
    return ps.nspells;
}

static void
test_years(void **state)
{
    (void)state;
    table();
    returns_table_release(&t);
}

/* The episode open at 31 March 2017 in the first return, and the same
 * episode with its end in the second: the second's stands (replaced);
 * an episode both list alike is kept once (duplicate). */
static void
test_replaced_and_duplicate(void **state)
{
    struct spell s[4] = {
        {D(2016, 5, 1), D(2016, 9, 1), 0, CSC, 0, 1, {0}},
        {D(2016, 5, 1), D(2016, 9, 1), 0, CSC, 0, 2, {0}},
        {D(2016, 9, 1), DAY_OPEN, 0, CSC, 0, 1, {0}},
        {D(2016, 9, 1), D(2017, 8, 1), 0, CSC, 0, 2, {0}},
    };

    (void)state;
    table();
    assert_int_equal(reconcile(s, 4), 2);
    assert_int_equal(s[0].ret, 2);
    assert_int_equal(s[1].ret, 2);
    assert_int_equal(s[1].end, D(2017, 8, 1));
    assert_int_equal(t.tally[0].duplicate, 1);
    assert_int_equal(t.tally[0].replaced, 1);
    returns_table_release(&t);
}

/* A first-return episode the second does not list: cut at the day before
 * the second's year when it reaches into it, dropped when it starts in it
 * (a later date the first return could not have known is a typing slip
 * the later return corrects). The other source's spell is untouched. */
static void
test_superseded(void **state)
{
    struct spell s[3] = {
        {D(2016, 6, 1), DAY_OPEN, 0, CSC, 0, 1, {0}},
        {D(2016, 6, 1), DAY_OPEN, 1, CSC, 0, 3, {0}},
        {D(2017, 3, 1), D(2017, 3, 10), 0, CSC, 0, 1, {0}},
    };
    struct spell late[1] = {{D(2017, 5, 1), D(2017, 6, 1), 0, CSC, 0, 1, {0}}};

    (void)state;
    table();
    assert_int_equal(reconcile(s, 3), 3);
    assert_int_equal(s[0].end, D(2017, 3, 31));
    assert_int_equal(s[1].end, DAY_OPEN);     /* another source's return */
    assert_int_equal(s[2].end, D(2017, 3, 10)); /* inside its own year */
    assert_int_equal(t.tally[0].superseded, 1);
    assert_int_equal(t.tally[1].superseded, 0);
    assert_int_equal(reconcile(late, 1), 0);
    assert_int_equal(t.tally[0].superseded, 2);
    returns_table_release(&t);
}

/* An episode left open with a next one after it ends when the next
 * starts; one that overlaps a later return's next episode too. */
static void
test_closed(void **state)
{
    struct spell s[3] = {
        {D(2017, 4, 10), DAY_OPEN, 0, CSC, 0, 2, {0}},
        {D(2017, 6, 1), D(2017, 9, 1), 1, CSC, 0, 2, {0}},
        {D(2017, 9, 1), DAY_OPEN, 0, CSC, 0, 2, {0}},
    };
    struct spell o[2] = {
        {D(2016, 4, 10), D(2016, 12, 1), 0, CSC, 0, 1, {0}},
        {D(2016, 10, 1), D(2017, 1, 1), 0, CSC, 0, 2, {0}},
    };

    (void)state;
    table();
    assert_int_equal(reconcile(s, 3), 3);
    assert_int_equal(s[0].end, D(2017, 6, 1));
    assert_int_equal(s[2].end, DAY_OPEN);
    assert_int_equal(t.tally[0].closed, 1);
    /* the first return's episode runs past the start of the second's
     * next one: the later return's dates stand */
    assert_int_equal(reconcile(o, 2), 2);
    assert_int_equal(o[0].end, D(2016, 10, 1));
    assert_int_equal(t.tally[0].closed, 2);
    returns_table_release(&t);
}

/* Spells of no return are never touched. */
static void
test_extracts_untouched(void **state)
{
    struct spell s[2] = {
        {D(2016, 5, 1), DAY_OPEN, 0, CSC, 0, 0, {0}},
        {D(2016, 5, 1), DAY_OPEN, 0, CSC, 0, 0, {0}},
    };

    (void)state;
    table();
    assert_int_equal(reconcile(s, 2), 2);
    assert_int_equal(s[0].end, DAY_OPEN);
    assert_int_equal(t.tally[0].duplicate, 0);
    returns_table_release(&t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_years),
        cmocka_unit_test(test_replaced_and_duplicate),
        cmocka_unit_test(test_superseded),
        cmocka_unit_test(test_closed),
        cmocka_unit_test(test_extracts_untouched),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
