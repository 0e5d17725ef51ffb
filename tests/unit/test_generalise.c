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
        cmocka_unit_test(test_lookup_errors),
        cmocka_unit_test(test_ages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
