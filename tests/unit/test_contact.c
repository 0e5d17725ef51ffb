/*
 * test_contact.c - the comparison-only fields (transform/contact.h): two
 * systems' spellings of one address, e-mail, phone number or town become
 * one value, anything else is dropped; and as comparison records
 * (anonymise/compare_fields.h, comparison.h) the same value is the same
 * keyed hash under its own subkey, different values differ, and a field
 * no source maps takes no slot.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "anonymise/compare_fields.h"
#include "anonymise/comparison.h"
#include "anonymise/keys.h"
#include "transform/contact.h"

struct norm_case {
    const char *in;
    const char *out; /* NULL: refused */
};

static void
run_cases(int (*fn)(const char *, size_t, char *, size_t),
          const struct norm_case *c, size_t n)
{
    char out[128];
    size_t i;

    for (i = 0; i < n; i++) {
        int r = fn(c[i].in, strlen(c[i].in), out, sizeof(out));

        if (!c[i].out) {
            if (r != -1)
                fail_msg("case %zu: '%s' should be refused", i, c[i].in);
            assert_string_equal(out, "");
        } else {
            if (r < 0 || strcmp(out, c[i].out))
                fail_msg("case %zu: '%s' -> '%s', want '%s'", i, c[i].in, out,
                         c[i].out);
            assert_int_equal(r, (int)strlen(c[i].out));
        }
    }
}

static void
test_address(void **state)
{
    static const struct norm_case c[] = {
        {"12, Acacia Road", "12 acacia rd"},
        {"12 ACACIA RD", "12 acacia rd"},
        {"Flat 3, 7 St. John's Street", "flat 3 7 st johns st"},
        {"Apt 3 7 St Johns St", "flat 3 7 st johns st"},
        {"  4 Heol-y-Bryn  ", "4 heol y bryn"},
        {"9 Rue de l'Église", "9 rue de l eglise"},
        {"", NULL},
        {" ,. ", NULL},
    };

    (void)state;
    run_cases(normalise_address, c, sizeof(c) / sizeof(c[0]));
}

static void
test_email(void **state)
{
    static const struct norm_case c[] = {
        {"Ann.Smith@Example.ORG", "ann.smith@example.org"},
        {"  mailto:ann.smith@example.org ", "ann.smith@example.org"},
        {"ann@localhost", NULL},
        {"ann smith@example.org", NULL},
        {"ann@@example.org", NULL},
        {"@example.org", NULL},
        {"ann@example.", NULL},
        {"ann@.org", NULL},
        {"not an email", NULL},
        {"", NULL},
    };

    (void)state;
    run_cases(normalise_email, c, sizeof(c) / sizeof(c[0]));
}

static void
test_phone(void **state)
{
    static const struct norm_case c[] = {
        {"020 7946 0018", "02079460018"},
        {"(020) 7946-0018", "02079460018"},
        {"+44 20 7946 0018", "02079460018"},
        {"+44 (0)20 7946 0018", "02079460018"},
        {"0044 20 7946 0018", "02079460018"},
        {"07700 900123 ext 12", "07700900123"},
        {"Tel: 07700 900123", "07700900123"},
        {"+353 1 234 5678", "+35312345678"},
        {"12345", NULL},
        {"n/a", NULL},
        {"1234567890123456789", NULL},
    };

    (void)state;
    run_cases(normalise_phone, c, sizeof(c) / sizeof(c[0]));
}

static void
test_postcode_token(void **state)
{
    static const struct norm_case c[] = {
        {"75008", "75008"},
        {"d02 x285", "D02X285"},
        {" 10115 ", "10115"},
        {"SW1A-1AA", "SW1A1AA"},
        {"1", NULL},
        {"123456789", NULL},
        {"", NULL},
    };

    (void)state;
    run_cases(normalise_postcode_token, c, sizeof(c) / sizeof(c[0]));
}

static void
test_town(void **state)
{
    static const struct norm_case c[] = {
        {"St. Albans", "st albans"},
        {"ST ALBANS", "st albans"},
        {"Ystradgynlais", "ystradgynlais"},
        {"Llanfair-ym-Muallt", "llanfair ym muallt"},
        {"", NULL},
    };

    (void)state;
    run_cases(normalise_town, c, sizeof(c) / sizeof(c[0]));
}

/* A plan with two sources: the first maps address and phone, the second
 * phone only; email and town are mapped by none. */
static void
test_compare_fields(void **state)
{
    struct source_plan sp[2];
    struct job_plan plan;
    struct record rec;
    struct comparison_plain p;
    struct comparison_encoder enc;
    struct cohort_key key;
    struct match_record a, b;
    char col_a[] = "ADDRESS", col_p[] = "PHONE", col_p2[] = "TEL";

    (void)state;
    memset(sp, 0, sizeof(sp));
    memset(&plan, 0, sizeof(plan));
    sp[0].column[CF_ADDRESS] = col_a;
    sp[0].column[CF_PHONE] = col_p;
    sp[1].column[CF_PHONE] = col_p2;
    plan.sources = sp;
    plan.nsources = 2;
    assert_int_equal(compare_fields_count(&plan), 2);
    assert_int_equal(compare_fields_field(&plan, 0), CF_ADDRESS);
    assert_int_equal(compare_fields_field(&plan, 1), CF_PHONE);
    assert_int_equal(compare_fields_field(&plan, 2), -1);
    assert_string_equal(compare_fields_name(&plan, MF_EXTRA0 + 1), "phone");
    assert_string_equal(compare_fields_name(&plan, MF_DOB), "dob");
    assert_int_equal(compare_fields_strong(&plan), 3u);
    sp[0].column[CF_TOWN] = col_a;
    assert_int_equal(compare_fields_count(&plan), 3);
    assert_int_equal(compare_fields_strong(&plan), 3u); /* not the town */
    sp[0].column[CF_TOWN] = NULL;

    /* the same phone number written two ways: one keyed hash; another
     * number: another; the address under its own subkey */
    memset(&key, 0, sizeof(key));
    randombytes_buf(key.master, sizeof(key.master));
    assert_int_equal(comparison_encoder_init(&enc, &key), 0);
    record_clear(&rec);
    assert_true(normalise_phone("+44 20 7946 0018", 16, rec.contact[2],
                                sizeof(rec.contact[2])) > 0);
    assert_true(normalise_address("12 Acacia Road", 14, rec.contact[0],
                                  sizeof(rec.contact[0])) > 0);
    memset(&p, 0, sizeof(p));
    compare_fields_plain(&plan, &rec, &p);
    assert_int_equal(p.nextra, 2);
    comparison_encode(&enc, &p, &a);
    record_wipe_identifiers(&rec);
    assert_string_equal(rec.contact[2], "");
    assert_true(normalise_phone("(020) 7946-0018", 15, rec.contact[2],
                                sizeof(rec.contact[2])) > 0);
    memset(&p, 0, sizeof(p));
    compare_fields_plain(&plan, &rec, &p);
    comparison_encode(&enc, &p, &b);
    assert_true(a.extra[1] != 0 && a.extra[1] == b.extra[1]);
    assert_true(a.extra[0] != 0 && b.extra[0] == 0); /* no address: absent */
    assert_true(a.extra[0] != a.extra[1]);
    assert_true(normalise_phone("020 7946 0019", 13, rec.contact[2],
                                sizeof(rec.contact[2])) > 0);
    memset(&p, 0, sizeof(p));
    compare_fields_plain(&plan, &rec, &p);
    comparison_encode(&enc, &p, &b);
    assert_true(b.extra[1] != 0 && b.extra[1] != a.extra[1]);
    record_wipe_identifiers(&rec);
    comparison_encoder_release(&enc);
    sodium_memzero(&key, sizeof(key));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_address),
        cmocka_unit_test(test_email),
        cmocka_unit_test(test_phone),
        cmocka_unit_test(test_postcode_token),
        cmocka_unit_test(test_town),
        cmocka_unit_test(test_compare_fields),
    };

    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
