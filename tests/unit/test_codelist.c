/*
 * test_codelist.c - transform/codelist.c: code list files and the shipped
 * lists read through one parser (quotes, commas, colons, a BOM, CRLF,
 * blank lines), its refusals with their line, and the shipped lists
 * mapping the official labels the profiles rely on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../transform/codelist.h"

struct got {
    char code[8][128];
    char value[8][64];
    long line[8];
    int n;
};

static int
collect(void *ctx, const char *code, const char *value, long line)
{
    struct got *g = ctx;

    if (g->n == 8)
        return 0;
    snprintf(g->code[g->n], sizeof(g->code[0]), "%s", code);
    snprintf(g->value[g->n], sizeof(g->value[0]), "%s", value);
    g->line[g->n++] = line;
    return 0;
}

/* Writes text to a fresh temp file named *.csv; path receives its name. */
static void
temp_list(char *path, size_t n, const char *text)
{
    FILE *f;
    int fd;

    snprintf(path, n, "/tmp/cohort-codelist-XXXXXX.csv");
    fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void
test_file(void **state)
{
    struct codelist_error e;
    struct got g;
    char path[64];

    (void)state;
    memset(&g, 0, sizeof(g));
    temp_list(path, sizeof(path),
              "\xEF\xBB\xBF" "Code , Value\r\n"
              "\"Black, Black British, Caribbean or African - African\",BLACK\r\n"
              "\r\n"
              "  Asian or Asian British: Pakistani  ,  ASIAN \r\n"
              "\"say \"\"hi\"\"\",OTHER");
    assert_int_equal(codelist_read(path, collect, &g, &e), 0);
    unlink(path);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.code[0],
                        "Black, Black British, Caribbean or African - African");
    assert_string_equal(g.value[0], "BLACK");
    assert_string_equal(g.code[1], "Asian or Asian British: Pakistani");
    assert_string_equal(g.value[1], "ASIAN");
    assert_int_equal(g.line[1], 4);
    assert_string_equal(g.code[2], "say \"hi\"");
}

static void
test_refusals(void **state)
{
    static const struct {
        const char *text;
        long line;
        const char *msg;
    } t[] = {
        {"id,group\nA,WHITE\n", 1, "the header must be code,value"},
        {"code,value\nA,WHITE,extra\n", 2, "expected two columns, code and value"},
        {"code,value\n\"A,WHITE\n", 2, "a quote does not close on its line"},
        {"code,value\n,WHITE\n", 2, "empty code"},
        {"", 0, "empty file: no header"},
        {"code,value\nA\xFF,WHITE\n", 0, "not valid UTF-8 (save the list as UTF-8)"},
    };
    struct codelist_error e;
    struct got g;
    char path[64];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        memset(&g, 0, sizeof(g));
        temp_list(path, sizeof(path), t[i].text);
        assert_int_equal(codelist_read(path, collect, &g, &e), CE_CONFIG);
        unlink(path);
        if (e.line != t[i].line || strcmp(e.msg, t[i].msg))
            fail_msg("case %zu: line %ld '%s'", i, e.line, e.msg);
    }
    assert_int_equal(codelist_read("/nonexistent/x.csv", collect, &g, &e),
                     CE_CONFIG);
    assert_non_null(strstr(e.msg, "cannot open"));
    assert_int_equal(codelist_read("no_such_list", collect, &g, &e),
                     CE_CONFIG);
    assert_non_null(strstr(e.msg, "dfe_ethnicity"));
    assert_int_equal(codelist_read("/dev/null.csv", collect, &g, &e),
                     CE_CONFIG);
}

/* The value of code in the shipped list name, into value; 1 if found. */
struct find {
    const char *code;
    char value[64];
    int found;
};

static int
find_code(void *ctx, const char *code, const char *value, long line)
{
    struct find *f = ctx;

    (void)line;
    if (!strcmp(code, f->code)) {
        snprintf(f->value, sizeof(f->value), "%s", value);
        f->found = 1;
    }
    return 0;
}

static void
test_shipped(void **state)
{
    static const struct {
        const char *list, *code, *value;
    } t[] = {
        {"cld_ethnicity", "Asian or Asian British: Pakistani", "ASIAN"},
        {"cld_ethnicity", "Asian or Asian British - Pakistani", "ASIAN"},
        {"cld_ethnicity",
         "Black, Black British, Caribbean or African: Any other Black, Black "
         "British or Caribbean background", "BLACK"},
        {"cld_ethnicity", "No data - Undeclared or Not known", "UNKNOWN"},
        {"cld_service_type", "Long Term Support: Nursing Care",
         "long_term_support"},
        {"cld_service_type", "Carer Support: Direct to Carer", "carer_support"},
        {"dfe_ethnicity", "WBRI", "WHITE"},
        {"dfe_ethnicity", "AMPK", "ASIAN"},
        {"dfe_ethnicity", "CHNE", "ASIAN"},
        {"dfe_ethnicity", "BNGN", "BLACK"},
        {"dfe_ethnicity", "MWAP", "MIXED"},
        {"dfe_ethnicity", "OARB", "OTHER"},
        {"dfe_ethnicity", "NOBT", "UNKNOWN"},
        {"school_census_sen_provision", "E", "ehcp"},
        {"ssda903_legal_status", "C2", "looked_after"},
        {"ssda903_legal_status", "V2", "looked_after"},
        {"ssda903_legal_status", "V4", "short_breaks"},
        {"ssda903_legal_status_group", "L2", "child_protection_detention"},
        {"ssda903_placement_type", "K3", "independent_or_supported"},
        {"ssda903_placement_type", "Z12", "other"},
        {"ssda903_rne", "S", "start"},
        {"ssda903_reason_episode_ceased", "E4A", "E4A"},
        {"cin_primary_need", "N0", "not_stated"},
        {"cin_referral_source", "10", "10"},
        {"cin_category_of_abuse", "MUL", "multiple"},
    };
    struct codelist_error e;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct find f = {t[i].code, "", 0};

        assert_int_equal(codelist_read(t[i].list, find_code, &f, &e), 0);
        if (!f.found || strcmp(f.value, t[i].value))
            fail_msg("%s: '%s' -> '%s'", t[i].list, t[i].code, f.value);
    }
    assert_non_null(codelist_find("cld_ethnicity"));
    assert_null(codelist_find("cld_ethnicity.csv"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_shipped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
