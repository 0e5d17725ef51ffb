/* Unit tests for core/hash.c: the one hash table. Keys in, dense indexes
 * out in first-seen order; growth, collisions (forced through the test
 * build's hash_test_mask) and many keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../core/hash.h"

/* One key (ptr, len) and the index it must get. */
struct key_case {
    const char *key;
    size_t len;
    size_t want;
    int added;
};

#define K(s, want, added) {s, sizeof(s) - 1, want, added}

static void
test_intern_table(void **state)
{
    static const struct key_case cases[] = {
        K("Northgate", 0, 1),
        K("Riverside", 1, 1),
        K("Northgate", 0, 0),           /* known: same index */
        K("", 2, 1),                    /* the empty key is a key */
        K("", 2, 0),
        K("a", 3, 1),
        K("ab", 4, 1),                  /* a prefix is another key */
        K("a\0b", 5, 1),                /* bytes, not C strings */
        K("a\0c", 6, 1),
        K("a\0b", 5, 0),
        K("northgate", 7, 1),           /* case matters */
        K("Riverside", 1, 0),
    };
    static const uint64_t masks[] = {UINT64_MAX, 0xF, 0};
    size_t m, i, idx, len;

    (void)state;
    for (m = 0; m < sizeof(masks) / sizeof(masks[0]); m++) {
        struct hash_table h;

        hash_test_mask = masks[m];
        hash_table_init(&h);
        assert_int_equal(hash_table_find(&h, "x", 1, &idx), 0);
        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            assert_int_equal(hash_table_intern(&h, cases[i].key, cases[i].len,
                                               &idx), cases[i].added);
            assert_int_equal(idx, cases[i].want);
        }
        assert_int_equal(h.n, 8);
        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            const char *k;

            assert_int_equal(hash_table_find(&h, cases[i].key, cases[i].len,
                                             &idx), 1);
            assert_int_equal(idx, cases[i].want);
            k = hash_table_key(&h, idx, &len);
            assert_int_equal(len, cases[i].len);
            assert_memory_equal(k, cases[i].key, len + 1); /* and its NUL */
        }
        assert_int_equal(hash_table_find(&h, "abc", 3, &idx), 0);
        assert_int_equal(hash_table_find(&h, "a\0", 2, &idx), 0);
        hash_table_release(&h);
        assert_int_equal(h.n, 0);
        assert_int_equal(hash_table_find(&h, "a", 1, &idx), 0);
        hash_table_release(&h); /* twice is safe */
    }
    hash_test_mask = UINT64_MAX;
}

/* Fixed-size binary keys, as a counted table's cells use them. */
struct cell_key {
    uint32_t coord[3];
};

static void
test_growth_many_keys(void **state)
{
    static const struct {
        uint64_t mask;
        size_t nkeys;
    } cases[] = {
        {UINT64_MAX, 200000},  /* many keys: the slots double 15 times */
        {0xFF, 3000},          /* 256 hash values: long runs of equal hashes */
        {0, 600},              /* every key collides with every other */
    };
    size_t c, i, idx;

    (void)state;
    for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        struct hash_table h;
        size_t n = cases[c].nkeys, nslots_seen = 0, grew = 0;

        hash_test_mask = cases[c].mask;
        hash_table_init(&h);
        for (i = 0; i < n; i++) {
            struct cell_key k = {{(uint32_t)(i % 97), (uint32_t)(i / 97),
                                  (uint32_t)i * 2654435761u}};

            assert_int_equal(hash_table_intern(&h, &k, sizeof(k), &idx), 1);
            assert_int_equal(idx, i);
            if (h.nslots != nslots_seen) {
                grew++;
                nslots_seen = h.nslots;
            }
            /* never more than half full */
            assert_true(h.n * 2 <= h.nslots);
        }
        assert_true(grew > 1);
        assert_int_equal(h.n, n);
        /* every key keeps its index across every growth; interning again
         * adds nothing */
        for (i = 0; i < n; i++) {
            struct cell_key k = {{(uint32_t)(i % 97), (uint32_t)(i / 97),
                                  (uint32_t)i * 2654435761u}};
            size_t len;

            assert_int_equal(hash_table_find(&h, &k, sizeof(k), &idx), 1);
            assert_int_equal(idx, i);
            assert_int_equal(hash_table_intern(&h, &k, sizeof(k), &idx), 0);
            assert_int_equal(idx, i);
            assert_memory_equal(hash_table_key(&h, i, &len), &k, sizeof(k));
            assert_int_equal(len, sizeof(k));
        }
        assert_int_equal(h.n, n);
        /* keys never added are not found */
        for (i = 0; i < 100; i++) {
            struct cell_key k = {{(uint32_t)(i % 97), (uint32_t)(i / 97),
                                  (uint32_t)i * 2654435761u + 1}};

            assert_int_equal(hash_table_find(&h, &k, sizeof(k), &idx), 0);
        }
        hash_table_release(&h);
    }
    hash_test_mask = UINT64_MAX;
}

/* String keys of every length come back as C strings in the order added. */
static void
test_string_keys_in_order(void **state)
{
    struct hash_table h;
    char buf[64];
    size_t i, idx, len;

    (void)state;
    hash_table_init(&h);
    for (i = 0; i < 5000; i++) {
        int n = snprintf(buf, sizeof(buf), "%zu%.*s", i, (int)(i % 40),
                         "----------------------------------------");

        assert_int_equal(hash_table_intern(&h, buf, (size_t)n, &idx), 1);
    }
    for (i = 0; i < 5000; i++) {
        int n = snprintf(buf, sizeof(buf), "%zu%.*s", i, (int)(i % 40),
                         "----------------------------------------");

        assert_string_equal(hash_table_key(&h, i, &len), buf);
        assert_int_equal(len, (size_t)n);
        assert_int_equal(hash_table_key(&h, i, NULL)[len], '\0');
    }
    hash_table_release(&h);
}

/* The hash itself: fixed values, so a table's probing is the same on
 * every machine. */
static void
test_hash_bytes(void **state)
{
    (void)state;
    assert_true(hash_bytes("", 0) != hash_bytes("\0", 1));
    assert_true(hash_bytes("ab", 2) != hash_bytes("ba", 2));
    assert_true(hash_bytes("Ward 1", 6) == 0xdd38e245699fbf0dULL);
    assert_true(hash_bytes("", 0) == 0xcbf29ce44fd0bfc1ULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intern_table),
        cmocka_unit_test(test_growth_many_keys),
        cmocka_unit_test(test_string_keys_in_order),
        cmocka_unit_test(test_hash_bytes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
