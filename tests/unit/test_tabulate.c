/* Unit tests for cohorts/tabulate.c: rows of a given table into a counted
 * table. Every rule a row can break (line, column and rule, never the
 * value), counts and microdata, natural order independent of the rows'
 * order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../cohorts/tabulate.h"

/* A row as text: period (or NULL), two by values, count, record key (or
 * NULL). Columns: period 1, by 2 and 3, count 4, record key 5. */
struct text_row {
    const char *period, *a, *b, *count, *key;
};

static struct tabulate_cell
text_cell(const char *s, long column)
{
    struct tabulate_cell c = {s, s ? strlen(s) : 0, s ? column : 0};

    return c;
}

/* Adds rows[0 .. n-1] (lines 2, 3, ...); the first error's rc, else 0. */
static int
add_rows(struct tabulation *tb, const struct text_row *rows, size_t n,
         struct diag *d)
{
    size_t i;
    int rc;

    for (i = 0; i < n; i++) {
        struct tabulate_row r;

        memset(&r, 0, sizeof(r));
        r.line = (long)i + 2;
        r.period = text_cell(rows[i].period, 1);
        r.by[0] = text_cell(rows[i].a, 2);
        r.by[1] = text_cell(rows[i].b, 3);
        r.count = text_cell(rows[i].count, 4);
        r.record_key = text_cell(rows[i].key, 5);
        if ((rc = tabulation_add(tb, &r, d)) < 0)
            return rc;
    }
    return 0;
}

static void
test_row_rules(void **state)
{
    static const struct {
        const char *name;
        int has_period, counts;
        struct text_row rows[3];
        size_t nrows;
        const char *rule;     /* NULL: accepted */
        long line, column;
    } cases[] = {
        {"plain counts", 0, 1, {{NULL, "A", "F", "4", NULL}, {NULL, "A", "M", "5", NULL}}, 2, NULL, 0, 0},
        {"blank by", 0, 1, {{NULL, "A", "F", "4", NULL}, {NULL, " ", "M", "5", NULL}}, 2, "empty_category", 3, 2},
        {"blank period", 1, 1, {{"", "A", "F", "4", NULL}}, 1, "empty_category", 2, 1},
        {"a total row", 0, 1, {{NULL, "A", " Grand Total ", "4", NULL}}, 1, "total_row", 2, 3},
        {"'All' as a by value", 0, 1, {{NULL, "all", "F", "4", NULL}}, 1, "total_row", 2, 2},
        {"a period named Total is a period", 1, 1, {{"Total", "A", "F", "4", NULL}}, 1, NULL, 0, 0},
        {"negative count", 0, 1, {{NULL, "A", "F", "-3", NULL}}, 1, "negative_count", 2, 4},
        {"fractional count", 0, 1, {{NULL, "A", "F", "4.5", NULL}}, 1, "count_not_integer", 2, 4},
        {"empty count", 0, 1, {{NULL, "A", "F", "", NULL}}, 1, "count_not_integer", 2, 4},
        {"count too large", 0, 1, {{NULL, "A", "F", "1000000000001", NULL}}, 1, "count_too_large", 2, 4},
        {"largest count", 0, 1, {{NULL, "A", "F", " 1000000000000 ", NULL}}, 1, NULL, 0, 0},
        {"combination twice", 0, 1, {{NULL, "A", "F", "4", NULL}, {NULL, "B", "F", "4", NULL}, {NULL, " A", "F ", "1", NULL}}, 3, "duplicate_combination", 4, 2},
        {"microdata repeats", 0, 0, {{NULL, "A", "F", NULL, "1"}, {NULL, "A", "F", NULL, "2"}}, 2, NULL, 0, 0},
        {"record key 256", 0, 0, {{NULL, "A", "F", NULL, "256"}}, 1, "record_key_range", 2, 5},
        {"record key -1", 0, 0, {{NULL, "A", "F", NULL, "-1"}}, 1, "record_key_range", 2, 5},
        {"no record key", 0, 0, {{NULL, "A", "F", NULL, NULL}}, 1, NULL, 0, 0},
    };
    size_t k;

    (void)state;
    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct tabulate_spec spec = {"t.csv", 2, cases[k].has_period,
                                     cases[k].counts};
        struct tabulation tb;
        struct diag d;
        int rc;

        diag_clear(&d);
        tabulation_init(&tb, &spec);
        rc = add_rows(&tb, cases[k].rows, cases[k].nrows, &d);
        if (!cases[k].rule) {
            if (rc != 0)
                fail_msg("%s: rc %d (%s)", cases[k].name, rc, d.msg);
        } else {
            if (rc != CE_DATA || strcmp(d.rule, cases[k].rule) ||
                d.line != cases[k].line || d.column != cases[k].column ||
                strcmp(d.source, "t.csv"))
                fail_msg("%s: rc %d rule %s at %ld:%ld", cases[k].name, rc,
                         d.rule, d.line, d.column);
        }
        tabulation_release(&tb);
    }
}

/* The message of a repeated combination names the first line, not the
 * values. */
static void
test_duplicate_names_first_line(void **state)
{
    static const struct text_row rows[] = {
        {NULL, "Quillinghurst", "F", "4", NULL},
        {NULL, "B", "F", "4", NULL},
        {NULL, "Quillinghurst", "F", "4", NULL},
    };
    struct tabulate_spec spec = {"t.csv", 2, 0, 1};
    struct tabulation tb;
    struct diag d;

    (void)state;
    diag_clear(&d);
    tabulation_init(&tb, &spec);
    assert_int_equal(add_rows(&tb, rows, 3, &d), CE_DATA);
    assert_string_equal(d.msg, "this combination of by values was already "
                               "given on line 2");
    tabulation_release(&tb);
}

/* Builds the table of rows; asserts it succeeds. */
static void
tabulate(const struct text_row *rows, size_t n, int has_period, int counts,
         struct count_table *t, char ***period_labels)
{
    struct tabulate_spec spec = {"t.csv", 2, has_period, counts};
    struct tabulation tb;
    struct diag d;

    diag_clear(&d);
    tabulation_init(&tb, &spec);
    assert_int_equal(add_rows(&tb, rows, n, &d), 0);
    assert_int_equal(tabulation_finish(&tb, t, period_labels, &d), 0);
    tabulation_release(&tb);
}

static void
free_period_labels(char **labels, int n)
{
    int p;

    for (p = 0; labels && p < n; p++)
        free(labels[p]);
    free(labels);
}

/* The same rows in two orders: the same table, cell for cell; categories
 * in natural order; margins summed; spaces around values ignored. */
static void
test_order_independent(void **state)
{
    static const struct text_row fwd[] = {
        {"2026-02", "Ward 10", "F", "3", NULL},
        {"2026-01", "Ward 2", "M", "7", NULL},
        {"2026-01", "Ward 10", "F", "11", NULL},
        {"2026-02", " Ward 2 ", "F", "5", NULL},
        {"2026-01", "Ward 2", "F", "1", NULL},
    };
    struct text_row rev[5];
    struct count_table a, b;
    char **pa, **pb;
    uint32_t coord[2] = {0, 0};
    size_t i;

    (void)state;
    for (i = 0; i < 5; i++)
        rev[i] = fwd[4 - i];
    tabulate(fwd, 5, 1, 1, &a, &pa);
    tabulate(rev, 5, 1, 1, &b, &pb);
    assert_int_equal(a.nperiods, 2);
    assert_string_equal(pa[0], "2026-01");
    assert_string_equal(pa[1], "2026-02");
    assert_string_equal(a.dim_labels[0][0], "Ward 2");   /* 2 before 10 */
    assert_string_equal(a.dim_labels[0][1], "Ward 10");
    assert_string_equal(a.dim_labels[1][0], "F");
    assert_int_equal(a.ncells_per_period, b.ncells_per_period);
    for (i = 0; i < a.ncells_per_period * 2; i++)
        assert_int_equal(a.cells[i].count, b.cells[i].count);
    /* January: Ward 2 F 1, M 7; Ward 10 F 11; grand total 19 */
    assert_int_equal(table_interior(&a, 0, coord)->count, 1);
    assert_int_equal(a.cells[a.ncells_per_period - 1].count, 19);
    /* February: Ward 2 F 5 (from " Ward 2 "), Ward 10 F 3 */
    assert_int_equal(table_interior(&a, 1, coord)->count, 5);
    assert_int_equal(a.cells[2 * a.ncells_per_period - 1].count, 8);
    free_period_labels(pa, a.nperiods);
    free_period_labels(pb, b.nperiods);
    table_release(&a);
    table_release(&b);
}

/* Microdata: a cell counts its rows and sums their record keys mod 256. */
static void
test_microdata_keys(void **state)
{
    static const struct text_row rows[] = {
        {NULL, "North", "F", NULL, "200"},
        {NULL, "North", "F", NULL, "100"},
        {NULL, "South", "M", NULL, "7"},
    };
    struct count_table t;
    char **pl;
    uint32_t coord[2] = {0, 0};

    (void)state;
    tabulate(rows, 3, 0, 0, &t, &pl);
    assert_null(pl);
    assert_int_equal(table_interior(&t, 0, coord)->count, 2);
    assert_int_equal(table_interior(&t, 0, coord)->ckey, 300 % 256);
    assert_int_equal(t.cells[t.ncells_per_period - 1].ckey, 307 % 256);
    table_release(&t);
}

/* The limits: distinct values per column, cells of the whole table, and
 * a table with no rows. */
static void
test_limits(void **state)
{
    struct tabulate_spec spec = {"t.csv", 2, 0, 1};
    struct tabulation tb;
    struct count_table t;
    char **pl;
    struct diag d;
    char a[32], b[32];
    int i, rc = 0;

    (void)state;
    /* one more value than a column may have */
    tabulation_init(&tb, &spec);
    for (i = 0; i <= TABULATE_MAX_CATEGORIES && rc == 0; i++) {
        struct text_row r = {NULL, a, "F", "1", NULL};

        snprintf(a, sizeof(a), "a%d", i);
        diag_clear(&d);
        rc = add_rows(&tb, &r, 1, &d);
    }
    assert_int_equal(rc, CE_DATA);
    assert_int_equal(i, TABULATE_MAX_CATEGORIES + 1);
    assert_string_equal(d.rule, "too_many_categories");
    tabulation_release(&tb);

    /* 500 x 450 combinations: more than TABULATE_MAX_CELLS */
    tabulation_init(&tb, &spec);
    for (i = 0; i < 500; i++) {
        struct text_row r = {NULL, a, "b0", "1", NULL};

        snprintf(a, sizeof(a), "a%d", i);
        assert_int_equal(add_rows(&tb, &r, 1, &d), 0);
    }
    for (i = 1; i < 450; i++) {
        struct text_row r = {NULL, "a0", b, "1", NULL};

        snprintf(b, sizeof(b), "b%d", i);
        assert_int_equal(add_rows(&tb, &r, 1, &d), 0);
    }
    diag_clear(&d);
    assert_int_equal(tabulation_finish(&tb, &t, &pl, &d), CE_DATA);
    assert_string_equal(d.rule, "table_too_large");
    assert_null(t.cells);
    tabulation_release(&tb);

    tabulation_init(&tb, &spec);
    diag_clear(&d);
    assert_int_equal(tabulation_finish(&tb, &t, &pl, &d), CE_DATA);
    assert_string_equal(d.rule, "empty_table");
    tabulation_release(&tb);
}

static void
test_label_order(void **state)
{
    static const char *const sorted[] = {"0-4", "5-10", "11-15", "16-17",
                                         "65+", "Ward 2", "Ward 10", "ward 1"};
    size_t i;

    (void)state;
    for (i = 0; i + 1 < sizeof(sorted) / sizeof(sorted[0]); i++) {
        assert_true(tabulate_label_cmp(sorted[i], sorted[i + 1]) < 0);
        assert_true(tabulate_label_cmp(sorted[i + 1], sorted[i]) > 0);
    }
    assert_int_equal(tabulate_label_cmp("Ward 2", "Ward 2"), 0);
    assert_true(tabulate_label_cmp("07", "7") < 0); /* byte order decides */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_row_rules),
        cmocka_unit_test(test_duplicate_names_first_line),
        cmocka_unit_test(test_order_independent),
        cmocka_unit_test(test_microdata_keys),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_label_order),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
