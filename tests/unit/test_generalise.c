/* Unit tests for anonymise/generalise.c: postcode lookup and age bands. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

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
    assert_int_equal(geo_lookup_find(&gl, "LS20 8AD", &g), 1);
    assert_string_equal(gl.names.ward[g.ward], "Riverside, East");
    assert_string_equal(gl.names.lsoa[g.lsoa], "E01099002");
    assert_string_equal(gl.names.district[g.district], "LS20");
    assert_int_equal(geo_lookup_find(&gl, "LS21 1AA", &g), 1);
    assert_string_equal(gl.names.ward[g.ward], "Northgate");
    /* not in the lookup: district only */
    assert_int_equal(geo_lookup_find(&gl, "LS99 9ZZ", &g), 0);
    assert_int_equal(g.ward, GEO_UNKNOWN);
    assert_string_equal(gl.names.district[g.district], "LS99");
    assert_int_equal(geo_lookup_find(&gl, "", &g), 0);
    assert_int_equal(g.district, GEO_UNKNOWN);
    geo_lookup_release(&gl);
}

/* Districts found on reader threads, each into its own table, merged in
 * read order: the ids geo_lookup_find() gives when one reader reads all. */
static void
test_lookup_local(void **state)
{
    static const char *const pcs[] = {
        "LS99 9ZZ", "LS20 8AD", "", "LS98 1AA", "LS20 8AD",
        "LS97 2BB", "LS99 1AA", "LS21 1AA", "LS96 3CC", "LS98 1AA",
    };
    const size_t n = sizeof(pcs) / sizeof(pcs[0]);
    struct geo_lookup one, gl;
    struct geo_code want[10], g;
    struct diag d;
    size_t cut, i;

    (void)state;
    assert_int_equal(geo_lookup_load(&one, "tests/data/generalise/lookup.csv",
                                     &d), 0);
    for (i = 0; i < n; i++)
        assert_true(geo_lookup_find(&one, pcs[i], &want[i]) >= 0);
    for (cut = 0; cut <= n; cut++) {
        struct geo_districts t[2];
        uint32_t local[10], map[2][16];
        int part;

        assert_int_equal(geo_lookup_load(&gl,
                                         "tests/data/generalise/lookup.csv",
                                         &d), 0);
        /* two readers: rows [0, cut) and [cut, n), the second first */
        for (part = 1; part >= 0; part--) {
            assert_int_equal(geo_districts_init(&t[part]), 0);
            for (i = part ? cut : 0; i < (part ? n : cut); i++) {
                assert_int_equal(geo_lookup_find_local(&gl, &t[part], pcs[i],
                                                       &g),
                                 want[i].ward != GEO_UNKNOWN);
                assert_int_equal(g.ward, want[i].ward);
                assert_int_equal(g.lsoa, want[i].lsoa);
                local[i] = g.district;
            }
        }
        /* nothing reached the lookup's own table yet */
        assert_int_equal(gl.names.ndistrict, 1);
        for (part = 0; part < 2; part++) {
            assert_true(t[part].n <= 16);
            assert_int_equal(geo_districts_merge(&gl, &t[part], map[part]), 0);
        }
        for (i = 0; i < n; i++)
            assert_int_equal(map[i >= cut][local[i]], want[i].district);
        assert_int_equal(gl.names.ndistrict, one.names.ndistrict);
        for (i = 1; i < gl.names.ndistrict; i++)
            assert_string_equal(gl.names.district[i], one.names.district[i]);
        geo_districts_release(&t[0]);
        geo_districts_release(&t[1]);
        geo_lookup_release(&gl);
    }
    geo_lookup_release(&one);
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
        cmocka_unit_test(test_lookup_local),
        cmocka_unit_test(test_lookup_errors),
        cmocka_unit_test(test_ages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
