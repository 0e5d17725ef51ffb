/*
 * test_bloom.c - keyed Bloom-filter encodings of names (anonymise/bloom.h):
 * identical names agree fully, a typo keeps most bits, unrelated names
 * share few, an empty name is no evidence, and another key gives another
 * filter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "anonymise/bloom.h"
#include "anonymise/keys.h"

static struct bloom_key bk;

static void
enc(struct bloom *f, const char *name)
{
    bloom_encode(f, &bk, name, strlen(name));
}

static double
dice_of(const char *a, const char *b)
{
    struct bloom x, y;

    enc(&x, a);
    enc(&y, b);
    return bloom_dice(&x, &y);
}

static void
test_identical(void **state)
{
    static const char *const names[] = {
        "oliver", "amelia", "smith", "mary ann", "al", "o", "fitzgerald"};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        assert_true(dice_of(names[i], names[i]) == 1.0);
}

static void
test_typo_high(void **state)
{
    /* one slip each: substitution, deletion, insertion, transposition */
    static const char *const pairs[][2] = {
        {"jonathan", "jonathon"},    {"christopher", "christoper"},
        {"elizabeth", "elizabeeth"}, {"christopher", "christohper"},
        {"catherine", "katherine"},  {"macdonald", "mcdonald"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        double d = dice_of(pairs[i][0], pairs[i][1]);

        print_message("%s / %s: %.3f\n", pairs[i][0], pairs[i][1], d);
        assert_true(d > 0.7);
        assert_true(d < 1.0);
    }
}

static void
test_unrelated_low(void **state)
{
    static const char *const names[] = {
        "oliver",   "amelia", "harry",  "priya",    "mohammed", "siobhan",
        "kowalski", "nguyen", "okafor", "thompson", "begum",    "fitzgerald"};
    size_t i, j, n = sizeof(names) / sizeof(names[0]);
    double worst = 0;

    (void)state;
    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++) {
            double d = dice_of(names[i], names[j]);

            if (d > worst)
                worst = d;
            assert_true(d < 0.5);
        }
    print_message("unrelated names: Dice at most %.3f\n", worst);
}

static void
test_empty_no_evidence(void **state)
{
    struct bloom e, x;

    (void)state;
    enc(&e, "");
    enc(&x, "oliver");
    assert_int_equal(bloom_count(&e), 0);
    assert_true(bloom_count(&x) > 0);
    assert_true(bloom_dice(&e, &x) == BLOOM_NO_EVIDENCE);
    assert_true(bloom_dice(&x, &e) == BLOOM_NO_EVIDENCE);
    assert_true(bloom_dice(&e, &e) == BLOOM_NO_EVIDENCE);
    assert_false(bloom_dice_at_least(&e, 0, &x, bloom_count(&x), 1));
}

static void
test_keys(void **state)
{
    struct cohort_key k1, k2;
    struct bloom_key a, b, c;
    struct bloom x, y, z;

    (void)state;
    memset(&k1, 1, sizeof(k1));
    memset(&k2, 2, sizeof(k2));
    bloom_key_derive(&a, &k1, BLOOM_FIELD_NAME);
    bloom_key_derive(&b, &k2, BLOOM_FIELD_NAME);
    bloom_key_derive(&c, &k1, BLOOM_FIELD_ADDRESS);
    bloom_encode(&x, &a, "oliver", 6);
    bloom_encode(&y, &b, "oliver", 6);
    bloom_encode(&z, &c, "oliver", 6);
    /* another job key, or another field kind: unrelated bits */
    assert_true(bloom_dice(&x, &y) < 0.5);
    assert_true(bloom_dice(&x, &z) < 0.5);
    /* the same key again: the same filter */
    bloom_key_derive(&b, &k1, BLOOM_FIELD_NAME);
    bloom_encode(&y, &b, "oliver", 6);
    assert_memory_equal(&x, &y, sizeof(x));
    bloom_key_wipe(&a);
    bloom_key_wipe(&b);
    bloom_key_wipe(&c);
    sodium_memzero(&k1, sizeof(k1));
    sodium_memzero(&k2, sizeof(k2));
}

static void
test_dice_at_least(void **state)
{
    struct bloom x, y;
    unsigned cx, cy, c;
    double d;

    (void)state;
    enc(&x, "jonathan");
    enc(&y, "jonathon");
    cx = bloom_count(&x);
    cy = bloom_count(&y);
    c = bloom_common(&x, &y);
    d = bloom_dice(&x, &y);
    assert_true(d == 2.0 * c / (double)(cx + cy));
    /* the integer test agrees with the double at every percent */
    for (c = 1; c <= 100; c++)
        assert_int_equal(bloom_dice_at_least(&x, cx, &y, cy, c),
                         200.0 * bloom_common(&x, &y) >= c * (double)(cx + cy));
    assert_true(bloom_dice_at_least(&x, cx, &x, cx, 100));
}

static void
test_bits(void **state)
{
    struct bloom x;

    (void)state;
    /* "amy": 4 bigrams, BLOOM_K bits each, a few may coincide */
    enc(&x, "amy");
    assert_true(bloom_count(&x) <= 4 * BLOOM_K);
    assert_true(bloom_count(&x) >= 4 * BLOOM_K - 4);
    /* a long name leaves most bits clear */
    enc(&x, "bartholomew alexander fitzgerald-smythe");
    assert_true(bloom_count(&x) < BLOOM_BITS / 2);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical),
        cmocka_unit_test(test_typo_high),
        cmocka_unit_test(test_unrelated_low),
        cmocka_unit_test(test_empty_no_evidence),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_dice_at_least),
        cmocka_unit_test(test_bits),
    };
    struct cohort_key k;
    int rc, i;

    if (sodium_init() < 0)
        return 1;
    /* a fixed key: the same bits every run */
    for (i = 0; i < 32; i++)
        k.master[i] = (unsigned char)i;
    bloom_key_derive(&bk, &k, BLOOM_FIELD_NAME);
    sodium_memzero(&k, sizeof(k));
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    bloom_key_wipe(&bk);
    return rc;
}
