/* Unit tests for anonymise/keys, pseudonym and link. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../anonymise/keys.h"
#include "../../anonymise/link.h"
#include "../../anonymise/pseudonym.h"
#include "../../core/calendar.h"

static void
test_keys(void **state)
{
    char dir[] = "/tmp/cohort-keys-XXXXXX", path[64], id[17], id2[17];
    struct cohort_key k;
    struct diag d;
    struct stat sb;
    unsigned char a[16], b[16];

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/job.key", dir);
    assert_int_equal(key_generate(path, id, &d), 0);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(key_generate(path, id2, &d), CE_IO); /* never overwrites */
    assert_non_null(strstr(d.msg, "already exists"));
    assert_int_equal(key_load(&k, path, &d), 0);
    assert_string_equal(k.id, id);
    key_pseudonym_subkey(&k, 1, a);
    key_pseudonym_subkey(&k, 2, b);
    assert_true(memcmp(a, b, 16) != 0);
    key_release(&k);
    chmod(path, 0644);
    assert_int_equal(key_load(&k, path, &d), CE_CONFIG);
    assert_non_null(strstr(d.msg, "readable by others"));
    unlink(path);
    assert_int_equal(key_load(&k, path, &d), CE_CONFIG);
    rmdir(dir);
}

static void
test_soundex(void **state)
{
    static const char *const t[][2] = {
        {"robert", "R163"}, {"rupert", "R163"}, {"ashcraft", "A261"},
        {"tymczak", "T522"}, {"pfister", "P236"}, {"honeyman", "H555"},
        {"lee", "L000"}, {"o brien", "O165"},
    };
    char out[5];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        assert_int_equal(soundex(t[i][0], out), 0);
        assert_string_equal(out, t[i][1]);
    }
    assert_int_equal(soundex("123", out), -1);
}

/* A plan with the given keys, loaded through a tiny in-memory setup. */
static struct match_key_plan keys[3];
static struct job_plan plan;
static struct cohort_key key;

static void
setup_plan(void)
{
    static uint8_t k0[] = {CF_NHS_NUMBER};
    static uint8_t k1[] = {CF_FORENAME, CF_SURNAME, CF_DOB};
    static uint8_t k2[] = {KC_FORENAME_ROOT, KC_SURNAME_PHONETIC,
                           KC_DOB_UNORDERED, KC_DISTRICT};

    memset(&plan, 0, sizeof(plan));
    memset(keys, 0, sizeof(keys));
    keys[0].ncomponents = 1;
    memcpy(keys[0].components, k0, sizeof(k0));
    keys[1].ncomponents = 3;
    memcpy(keys[1].components, k1, sizeof(k1));
    keys[2].ncomponents = 4;
    memcpy(keys[2].components, k2, sizeof(k2));
    plan.linkage.keys = keys;
    plan.linkage.nkeys = 3;
    memset(&key, 7, sizeof(key));
}

static void
make_record(struct record *r, const char *nhs, const char *fn, const char *sn,
            int y, int m, int d, const char *pc)
{
    record_clear(r);
    snprintf(r->nhs_number, sizeof(r->nhs_number), "%s", nhs);
    snprintf(r->forename, sizeof(r->forename), "%s", fn);
    snprintf(r->surname, sizeof(r->surname), "%s", sn);
    snprintf(r->postcode, sizeof(r->postcode), "%s", pc);
    r->dob = y ? days_from_civil(y, m, d) : DAY_NONE;
}

static void
test_pseudonym(void **state)
{
    struct pseudonymiser ps;
    struct source_plan sp;
    struct record a, b;
    unsigned char ha[3][16], hb[3][16];
    uint8_t pa[3], pb[3];
    struct link_anchors an, bn;
    struct diag d;
    char root[32];

    (void)state;
    setup_plan();
    memset(&sp, 0, sizeof(sp));
    sp.name = "s";
    assert_int_equal(pseudonymiser_init(&ps, &plan, &key, &d), 0);
    forename_root(&ps, "bill smith", root, sizeof(root));
    assert_string_equal(root, "william");
    forename_root(&ps, "zoe", root, sizeof(root));
    assert_string_equal(root, "zoe");

    make_record(&a, "9434765919", "william", "smith", 2010, 3, 4, "LS20 8AB");
    make_record(&b, "", "bill", "smyth", 2010, 4, 3, "LS20 9ZZ");
    pseudonymise(&ps, &a, &sp, ha, pa, &an);
    pseudonymise(&ps, &b, &sp, hb, pb, &bn);
    assert_int_equal(pa[0], 1);
    assert_int_equal(pb[0], 0);           /* no NHS number: no key */
    assert_int_equal(pa[1], 1);
    assert_true(memcmp(ha[1], hb[1], 16) != 0);   /* names differ */
    assert_int_equal(memcmp(ha[2], hb[2], 16), 0); /* root+soundex+swap+district */
    assert_true(an.nhs != 0);
    assert_int_equal(bn.nhs, 0);
    /* anchors: an equal NHS number gives an equal anchor whatever else
     * differs, another number another one (the first 8 bytes of the
     * number's keyed encoding); the UPN too, with no key of its own */
    {
        struct record c;
        struct link_anchors cn;

        make_record(&c, "9434765919", "zoe", "jones", 1990, 1, 2, "LS20 1AA");
        snprintf(c.upn, sizeof(c.upn), "%s", "A950000178301");
        pseudonymise(&ps, &c, &sp, hb, pb, &cn);
        assert_true(cn.nhs == an.nhs);
        assert_true(cn.upn != 0);
        bn = cn;
        make_record(&c, "4010232137", "william", "smith", 2010, 3, 4, "LS20 8AB");
        snprintf(c.upn, sizeof(c.upn), "%s", "A950000178301");
        pseudonymise(&ps, &c, &sp, hb, pb, &cn);
        assert_true(cn.nhs != 0 && cn.nhs != an.nhs);
        assert_true(cn.upn == bn.upn);
    }
    /* the same record always gives the same hashes; keys differ per key */
    pseudonymise(&ps, &a, &sp, hb, pb, &bn);
    assert_int_equal(memcmp(ha, hb, sizeof(ha)), 0);
    /* length-prefixed components: "ab"+"c" and "a"+"bc" differ */
    make_record(&a, "", "ab", "c", 2010, 3, 4, "LS20 8AB");
    make_record(&b, "", "a", "bc", 2010, 3, 4, "LS20 8AB");
    pseudonymise(&ps, &a, &sp, ha, pa, NULL);
    pseudonymise(&ps, &b, &sp, hb, pb, NULL);
    assert_int_equal(pa[1], 1);
    assert_int_equal(pb[1], 1);
    assert_true(memcmp(ha[1], hb[1], 16) != 0);
    /* a missing component means no key */
    make_record(&b, "", "william", "smith", 0, 0, 0, "");
    pseudonymise(&ps, &b, &sp, hb, pb, NULL);
    assert_int_equal(pb[1], 0);
    assert_int_equal(pb[2], 0);
    /* anchors are the field's own encoding: the same with or without an
     * nhs_number key, and no key's hash */
    {
        struct pseudonymiser ps2;
        struct job_plan plan2 = plan;
        struct link_anchors a1, a2;
        unsigned char h2[2][16];
        uint8_t p2[2];
        uint64_t k0;

        plan2.linkage.keys = keys + 1;
        plan2.linkage.nkeys = 2;
        assert_int_equal(pseudonymiser_init(&ps2, &plan2, &key, &d), 0);
        make_record(&a, "9434765919", "william", "smith", 2010, 3, 4,
                    "LS20 8AB");
        pseudonymise(&ps, &a, &sp, ha, pa, &a1);
        pseudonymise(&ps2, &a, &sp, h2, p2, &a2);
        assert_true(a1.nhs != 0 && a1.nhs == a2.nhs);
        memcpy(&k0, ha[0], sizeof(k0));
        assert_true(k0 != a1.nhs);
        pseudonymiser_release(&ps2);
    }
    pseudonymiser_release(&ps);
}

static void
add(struct linker *l, int k0, int k1, int k2, uint64_t nhs)
{
    unsigned char h[3][16];
    uint8_t p[3] = {k0 != 0, k1 != 0, k2 != 0};
    struct link_anchors a = {nhs, 0};

    memset(h, 0, sizeof(h));
    h[0][0] = (unsigned char)k0;
    h[1][0] = (unsigned char)k1;
    h[2][0] = (unsigned char)k2;
    assert_true(linker_add(l, (const unsigned char(*)[16])h, p, &a) >= 0);
}

/*
 * A key with many entries (the linker's hash table grows far past its
 * first size): 400 000 records whose key-0 hashes pair record i with
 * record i + 200 000 and key-1 hashes chain every 4th pair to the next;
 * the hashes come from a keyed BLAKE2b, so they are uniform as real ones
 * are. Every pair, and only what the keys say, is linked.
 */
static void
test_link_large(void **state)
{
    enum { HALF = 200000 };
    struct linker l;
    struct linker_key_stats st;
    unsigned char seed[crypto_generichash_KEYBYTES] = {7};
    uint32_t i;

    (void)state;
    assert_int_equal(linker_init(&l, 2), 0);
    for (i = 0; i < 2 * HALF; i++) {
        unsigned char h[2][16];
        uint8_t p[2] = {1, 0};
        struct link_anchors a = {0, 0};
        uint32_t pair = i % HALF, v[2];

        v[0] = 0;
        v[1] = pair;
        crypto_generichash(h[0], 16, (const unsigned char *)v, sizeof(v),
                           seed, sizeof(seed));
        /* key 1: pairs 4m and 4m + 1 share a hash, on their first record */
        if (i < HALF && pair % 4 < 2) {
            v[0] = 1;
            v[1] = pair / 4;
            crypto_generichash(h[1], 16, (const unsigned char *)v, sizeof(v),
                               seed, sizeof(seed));
            p[1] = 1;
        } else {
            memset(h[1], 0, 16);
        }
        assert_true(linker_add(&l, (const unsigned char(*)[16])h, p, &a) >= 0);
    }
    assert_int_equal(linker_run(&l), 0);
    /* HALF pairs, of which HALF / 2 are joined two by two */
    assert_int_equal(linker_npersons(&l), HALF - HALF / 4);
    for (i = 0; i < HALF; i++) {
        assert_int_equal(linker_person(&l, i), linker_person(&l, i + HALF));
        if (i % 4 == 0)
            assert_int_equal(linker_person(&l, i), linker_person(&l, i + 1));
        if (i % 4 == 1 && i + 1 < HALF)
            assert_true(linker_person(&l, i) != linker_person(&l, i + 1));
    }
    linker_key_stats(&l, 0, &st);
    assert_int_equal(st.records_with_key, 2 * HALF);
    assert_int_equal(st.links, HALF);
    linker_key_stats(&l, 1, &st);
    assert_int_equal(st.links, HALF / 4);
    linker_release(&l);
}

static void
test_link(void **state)
{
    struct linker l;
    struct linker_key_stats st;

    (void)state;
    assert_int_equal(linker_init(&l, 3), 0);
    add(&l, 1, 0, 0, 11);   /* r0 */
    add(&l, 1, 5, 0, 11);   /* r1: same NHS as r0, name key 5 */
    add(&l, 0, 5, 9, 0);    /* r2: joins r1 by name, no NHS */
    add(&l, 0, 0, 9, 0);    /* r3: joins r2 by the weak key */
    add(&l, 2, 0, 9, 22);   /* r4: weak key 9 but a different NHS: refused */
    add(&l, 0, 0, 0, 0);    /* r5: no key at all, alone */
    assert_int_equal(linker_run(&l), 0);
    assert_int_equal(linker_npersons(&l), 3);
    assert_int_equal(linker_person(&l, 0), 0);
    assert_int_equal(linker_person(&l, 1), 0);
    assert_int_equal(linker_person(&l, 2), 0);
    assert_int_equal(linker_person(&l, 3), 0);
    assert_int_equal(linker_person(&l, 4), 1);
    assert_int_equal(linker_person(&l, 5), 2);
    linker_key_stats(&l, 0, &st);
    assert_int_equal(st.records_with_key, 3);
    assert_int_equal(st.links, 1);
    linker_key_stats(&l, 2, &st);
    assert_int_equal(st.records_with_key, 3);
    assert_int_equal(st.links, 1);
    assert_int_equal(st.conflicts, 1);
    linker_release(&l);
}

/* A probe of the linker (a row quarantined for an unmapped code) with
 * hash bytes k0..k2 (0: the key is absent). */
static long
add_probe(struct linker *l, int k0, int k1, int k2)
{
    unsigned char h[3][16];
    uint8_t p[3] = {k0 != 0, k1 != 0, k2 != 0};

    memset(h, 0, sizeof(h));
    h[0][0] = (unsigned char)k0;
    h[1][0] = (unsigned char)k1;
    h[2][0] = (unsigned char)k2;
    return linker_add_probe(l, (const unsigned char(*)[16])h, p);
}

/*
 * Probes learn a class through every hash they share, with records or with
 * each other, and no guard -- but change no person and no statistic: the
 * records of test_link link exactly as they do without them, even where a
 * probe bridges two persons. Appended linkers number their probes on.
 */
static void
test_link_probes(void **state)
{
    struct linker l, part;
    struct linker_key_stats st;
    long pr[7];

    (void)state;
    assert_int_equal(linker_init(&l, 3), 0);
    add(&l, 1, 0, 0, 11);   /* r0 */
    add(&l, 1, 5, 0, 11);   /* r1 */
    pr[0] = add_probe(&l, 1, 0, 0);   /* r0's NHS number */
    add(&l, 0, 5, 9, 0);    /* r2 */
    add(&l, 0, 0, 9, 0);    /* r3 */
    add(&l, 2, 0, 9, 22);   /* r4: refused, another person */
    pr[1] = add_probe(&l, 0, 0, 9);   /* the weak key of r2, r3 and r4 */
    pr[2] = add_probe(&l, 0, 77, 0);  /* no record has it ... */
    pr[3] = add_probe(&l, 0, 77, 0);  /* ... but another probe does */
    add(&l, 0, 66, 0, 0);   /* r5 */
    add(&l, 0, 0, 55, 0);   /* r6 */
    pr[4] = add_probe(&l, 0, 66, 55); /* bridges r5 and r6 */
    assert_int_equal(linker_init(&part, 3), 0);
    add(&part, 0, 0, 44, 0);            /* r7 */
    pr[5] = add_probe(&part, 0, 0, 44); /* part's probe 0 */
    pr[6] = add_probe(&part, 3, 0, 0);  /* alone */
    assert_int_equal(pr[5], 0);
    assert_int_equal(linker_append(&l, &part), 0);
    assert_int_equal(l.nprobes, 7);
    assert_int_equal(linker_run(&l), 0);

    /* the records' persons are those of test_link, r5 and r6 apart */
    assert_int_equal(linker_npersons(&l), 5);
    assert_int_equal(linker_person(&l, 3), 0);
    assert_int_equal(linker_person(&l, 4), 1);
    assert_true(linker_person(&l, 5) != linker_person(&l, 6));
    linker_key_stats(&l, 0, &st);
    assert_int_equal(st.records_with_key, 3);
    assert_int_equal(st.links, 1);
    linker_key_stats(&l, 2, &st);
    assert_int_equal(st.records_with_key, 5);
    assert_int_equal(st.links, 1);
    assert_int_equal(st.conflicts, 1);

    /* classes: unguarded, so r0..r4 and their probes are one */
    assert_int_equal(linker_probe_class(&l, 0), linker_probe_class(&l, 1));
    assert_int_equal(linker_probe_class(&l, 2), linker_probe_class(&l, 3));
    assert_true(linker_probe_class(&l, 0) != linker_probe_class(&l, 2));
    assert_true(linker_probe_class(&l, 4) != linker_probe_class(&l, 0));
    assert_true(linker_probe_class(&l, 5) != linker_probe_class(&l, 4));
    assert_true(linker_probe_class(&l, 6) != linker_probe_class(&l, 5));
    assert_true(linker_probe_class(&l, 6) != linker_probe_class(&l, 0));
    linker_release(&l);
}

/*
 * The first record of a hash stands for it, whatever came before it and
 * whatever was refused: a probe met first gives way to the first record;
 * a record refused by the guard (another NHS number) does not take its
 * place, so a later record with no NHS number joins the first one; a
 * probe after them all joins their class.
 */
static void
test_link_first_record(void **state)
{
    struct linker l;
    struct linker_key_stats st;
    long p0, p1;

    (void)state;
    assert_int_equal(linker_init(&l, 3), 0);
    p0 = add_probe(&l, 1, 0, 0);      /* before any record of hash 1 */
    add(&l, 1, 0, 0, 11);   /* r0: stands for hash 1 */
    add(&l, 1, 0, 0, 22);   /* r1: another NHS number, refused */
    add(&l, 1, 0, 0, 0);    /* r2: joins r0 */
    add(&l, 1, 0, 0, 11);   /* r3: joins r0 */
    p1 = add_probe(&l, 1, 0, 0);
    assert_int_equal(linker_run(&l), 0);
    assert_int_equal(linker_npersons(&l), 2);
    assert_int_equal(linker_person(&l, 0), linker_person(&l, 2));
    assert_int_equal(linker_person(&l, 0), linker_person(&l, 3));
    assert_true(linker_person(&l, 0) != linker_person(&l, 1));
    linker_key_stats(&l, 0, &st);
    assert_int_equal(st.records_with_key, 4);
    assert_int_equal(st.links, 2);
    assert_int_equal(st.conflicts, 1);
    /* the shadow is unguarded: every entry of hash 1 is one class */
    assert_int_equal(linker_probe_class(&l, (size_t)p0),
                     linker_probe_class(&l, (size_t)p1));
    linker_release(&l);
}

/*
 * A record added right after its twin (same hashes, presence and anchors:
 * a person's next spell in one extract) shares its node: no new entries,
 * the same person, counted among the records with each key and as one
 * link of its strictest key. Rows with no key are never twins; another
 * anchor or another key makes a record of its own; a twin of a refused
 * record is refused with it, once.
 */
static void
test_link_twins(void **state)
{
    struct linker l;
    struct linker_key_stats st;

    (void)state;
    assert_int_equal(linker_init(&l, 3), 0);
    add(&l, 0, 5, 9, 11);   /* r0 */
    add(&l, 0, 5, 9, 11);   /* r1: r0's twin */
    add(&l, 0, 5, 9, 11);   /* r2: and again */
    add(&l, 0, 0, 0, 0);    /* r3: no key */
    add(&l, 0, 0, 0, 0);    /* r4: no key, not r3's twin */
    add(&l, 0, 0, 9, 22);   /* r5: r0's weak key, another NHS: refused */
    add(&l, 0, 0, 9, 22);   /* r6: r5's twin */
    add(&l, 0, 0, 9, 33);   /* r7: another anchor, a record of its own */
    assert_int_equal(l.nrecords, 8);
    assert_int_equal(l.nnodes, 5);
    assert_int_equal(l.nentries[1], 1);
    assert_int_equal(l.nentries[2], 3);
    assert_int_equal(linker_run(&l), 0);
    assert_int_equal(linker_npersons(&l), 5);
    assert_int_equal(linker_person(&l, 0), linker_person(&l, 1));
    assert_int_equal(linker_person(&l, 0), linker_person(&l, 2));
    assert_true(linker_person(&l, 3) != linker_person(&l, 4));
    assert_int_equal(linker_person(&l, 5), linker_person(&l, 6));
    assert_true(linker_person(&l, 5) != linker_person(&l, 0));
    assert_true(linker_person(&l, 7) != linker_person(&l, 5));
    linker_key_stats(&l, 1, &st);
    assert_int_equal(st.records_with_key, 3);
    assert_int_equal(st.links, 2);          /* r1 and r2, by key 1 */
    linker_key_stats(&l, 2, &st);
    assert_int_equal(st.records_with_key, 6);
    assert_int_equal(st.links, 1);          /* r6, its strictest key */
    assert_int_equal(st.conflicts, 2);      /* r5 once, r7 */
    linker_release(&l);
}

/* Readers on threads fill one linker per source and append them in read
 * order (app/job_read.c): whatever the split, the result must link exactly as
 * one linker fed every record would. */
static void
add_row(struct linker *l, int row)
{
    static const int row_keys[][4] = {
        {1, 0, 0, 11}, {1, 5, 0, 11}, {0, 5, 9, 0}, {0, 0, 9, 0},
        {2, 0, 9, 22}, {0, 0, 0, 0},  {3, 6, 0, 0}, {0, 6, 9, 0},
        {4, 0, 0, 33}, {4, 7, 8, 33}, {0, 7, 0, 0}, {0, 0, 8, 44},
    };

    add(l, row_keys[row][0], row_keys[row][1], row_keys[row][2],
        (uint64_t)row_keys[row][3]);
}

static void
test_link_append(void **state)
{
    /* splits of rows 0..11 into consecutive parts: part ends */
    static const int splits[][5] = {
        {12}, {6, 12}, {0, 12}, {12, 12}, {1, 2, 12}, {3, 3, 9, 12},
        {5, 7, 11, 12},
    };
    struct linker one;
    size_t si, k;

    (void)state;
    assert_int_equal(linker_init(&one, 3), 0);
    for (k = 0; k < 12; k++)
        add_row(&one, (int)k);
    assert_int_equal(linker_run(&one), 0);
    assert_true(linker_npersons(&one) > 3);
    for (si = 0; si < sizeof(splits) / sizeof(splits[0]); si++) {
        struct linker all;
        int row = 0, p;

        assert_int_equal(linker_init(&all, 3), 0);
        for (p = 0; row < 12; p++) {
            struct linker part;

            assert_int_equal(linker_init(&part, 3), 0);
            for (; row < splits[si][p]; row++)
                add_row(&part, row);
            assert_int_equal(linker_append(&all, &part), 0);
        }
        assert_int_equal(all.nrecords, 12);
        assert_int_equal(linker_run(&all), 0);
        assert_int_equal(linker_npersons(&all), linker_npersons(&one));
        for (k = 0; k < 12; k++)
            assert_int_equal(linker_person(&all, k), linker_person(&one, k));
        for (k = 0; k < 3; k++) {
            struct linker_key_stats a, b;

            linker_key_stats(&all, k, &a);
            linker_key_stats(&one, k, &b);
            assert_memory_equal(&a, &b, sizeof(a));
        }
        linker_release(&all);
    }
    linker_release(&one);
}

/* Record keys: from their own subkey, stable, uniform, and unrelated to
 * the token's own bytes (the old scheme published the first byte of the
 * strictest match-key hash, a byte of a linkage hash). */
static void
test_record_key(void **state)
{
    struct pseudonymiser ps, ps2;
    struct cohort_key other;
    struct diag d;
    unsigned char rk[16], sub[16];
    uint64_t t, hist[256] = {0};
    unsigned same_other = 0, same_index = 0, same_byte = 0, i;
    double chi2 = 0;

    (void)state;
    setup_plan();
    key_record_subkey(&key, rk);
    for (i = 1; i <= 1000; i++) {
        key_pseudonym_subkey(&key, i, sub);
        assert_true(memcmp(rk, sub, 16) != 0);
    }
    assert_int_equal(pseudonymiser_init(&ps, &plan, &key, &d), 0);
    assert_int_equal(pseudonymiser_init(&ps2, &plan, &key, &d), 0);
    /* the same person (token) always gets the same key */
    for (t = 0; t < 256; t++)
        assert_int_equal(pseudonym_record_key(&ps, 0, t * 0x9E3779B97F4A7C15u),
                         pseudonym_record_key(&ps2, 0, t * 0x9E3779B97F4A7C15u));
    pseudonymiser_release(&ps2);
    memcpy(&other, &key, sizeof(other));
    other.master[0] ^= 1;
    assert_int_equal(pseudonymiser_init(&ps2, &plan, &other, &d), 0);
    for (t = 0; t < 65536; t++) {
        uint64_t tok = t * 0x9E3779B97F4A7C15u;
        uint8_t r = pseudonym_record_key(&ps, 0, tok);

        hist[r]++;
        same_byte += r == (uint8_t)(tok >> 56);
        if (t < 4096) {
            same_other += r == pseudonym_record_key(&ps2, 0, tok);
            same_index += r == pseudonym_record_key(&ps, 1, tok);
        }
    }
    /* about 1 in 256 by chance: 16 of 4096, 256 of 65536 */
    assert_in_range(same_other, 0, 48);
    assert_in_range(same_index, 0, 48);
    assert_in_range(same_byte, 0, 400);
    /* uniform over 0..255: chi-square with 255 degrees of freedom (mean
     * 255, sd 22.6); 400 is beyond 6 sd */
    for (i = 0; i < 256; i++)
        chi2 += ((double)hist[i] - 256.0) * ((double)hist[i] - 256.0) / 256.0;
    if (chi2 > 400)
        fail_msg("record keys are not uniform: chi-square %.1f", chi2);
    pseudonymiser_release(&ps);
    pseudonymiser_release(&ps2);
}

/* Writes text to dir/name; the path into path[64]. */
static void
write_file(const char *dir, const char *name, const char *text, char *path)
{
    FILE *f;

    snprintf(path, 64, "%s/%s", dir, name);
    assert_non_null(f = fopen(path, "w"));
    fputs(text, f);
    fclose(f);
}

struct root_case {
    const char *forename, *root;
};

static void
check_roots(const struct pseudonymiser *ps, const struct root_case *t,
            size_t n)
{
    char root[NAME_MAX_BYTES];
    size_t i;

    for (i = 0; i < n; i++) {
        forename_root(ps, t[i].forename, root, sizeof(root));
        if (strcmp(root, t[i].root))
            fail_msg("forename_root('%s') = '%s', want '%s'", t[i].forename,
                     root, t[i].root);
    }
}

/*
 * The nicknames and name_variants tables: both read by one loader, rows
 * folded as records are, comments skipped, the last row of a name
 * winning, roots followed through chains (a cycle ends at its smallest
 * name), and a row with no letter refused with its line.
 */
static void
test_name_tables(void **state)
{
    char dir[] = "/tmp/cohort-names-XXXXXX", nick[64], var[64], bad[64];
    static const struct root_case t[] = {
        {"bill", "william"},              /* built in */
        {"bert", "albert"},               /* the nicknames file */
        {"sandy", "sandra"},              /* the file over the built-in row */
        {"sean", "shaun"},                /* Seán folded; variants win */
        {"shawn", "shaun"},
        {"abdul rahman", "abdulrahman"},  /* the whole forename, run together */
        {"abdulrahman", "abdulrahman"},
        {"harri", "henry"},               /* harri -> harry -> henry */
        {"aa", "aa"},                     /* the cycle aa -> bb -> aa */
        {"bb", "aa"},
        {"d arcy", "darcy"},              /* D'Arcy: one letter joined */
        {"john paul", "john"},            /* else the first word */
        {"bill smith", "william"},
    };
    struct pseudonymiser ps;
    struct diag d;

    (void)state;
    assert_non_null(mkdtemp(dir));
    write_file(dir, "nick.csv",
               "name,root\n# a comment\nbert,albert\nsandy,sandra\n\n"
               "Se\xC3\xA1n,John\n",
               nick);
    write_file(dir, "var.csv",
               "name,root\r\nsean,shaun\r\nshawn,Shaun\r\n"
               "Abdul-Rahman,abdulrahman\r\nharri,harry\r\naa,bb\r\nbb,aa\r\n",
               var);
    write_file(dir, "bad.csv", "name,root\nok,fine\n'-',x\n", bad);
    setup_plan();
    plan.nicknames = nick;
    plan.name_variants = var;
    assert_int_equal(pseudonymiser_init(&ps, &plan, &key, &d), 0);
    check_roots(&ps, t, sizeof(t) / sizeof(t[0]));
    pseudonymiser_release(&ps);

    plan.name_variants = bad;
    assert_int_equal(pseudonymiser_init(&ps, &plan, &key, &d), CE_CONFIG);
    assert_int_equal(d.line, 3);
    assert_null(strstr(d.msg, "'-'"));
    plan.nicknames = plan.name_variants = NULL;
    unlink(nick);
    unlink(var);
    unlink(bad);
    rmdir(dir);
}

/* The shipped table: loads whole, and joins the forms of each convention
 * it covers; names it leaves out stay themselves. */
static void
test_shipped_variants(void **state)
{
    static const struct root_case t[] = {
        {"mohammed", "muhammad"}, {"mohamed", "muhammad"},
        {"md rahim", "muhammad"}, {"mohd", "muhammad"},
        {"maxamed", "muhammad"},  {"ahmed", "ahmad"},
        {"ayesha", "aisha"},      {"aysha", "aisha"},
        {"fatimah", "fatima"},    {"fadumo", "fatima"},
        {"hussain", "hussein"},   {"usman", "uthman"},
        {"youssef", "yusuf"},     {"zainab", "zaynab"},
        {"omar", "umar"},         {"abdul rahman", "abdulrahman"},
        {"cali", "ali"},          {"xasan", "hassan"},
        {"dafydd", "david"},      {"dai", "david"},
        {"dave", "david"},        {"ieuan", "evan"},
        {"iwan", "evan"},         {"sion", "john"},
        {"owain", "owen"},        {"huw", "hugh"},
        {"reece", "rhys"},        {"gruffydd", "griffith"},
        {"harri", "henry"},       {"jac", "john"},
        {"padraig", "patrick"},   {"seamus", "james"},
        {"shaun", "sean"},        {"sean", "sean"},
        {"iain", "ian"},          {"mhairi", "mary"},
        {"catriona", "catherine"}, {"mehmet", "mehmet"},
        {"hamish", "hamish"},     {"siobhan", "siobhan"},
    };
    const char *top = getenv("COHORT_TOP");
    char nick[512], var[512];
    struct pseudonymiser ps;
    struct diag d;

    (void)state;
    snprintf(nick, sizeof(nick), "%s/config/lookups/nicknames.csv",
             top ? top : ".");
    snprintf(var, sizeof(var), "%s/config/lookups/name_variants.csv",
             top ? top : ".");
    setup_plan();
    plan.nicknames = nick;
    plan.name_variants = var;
    assert_int_equal(pseudonymiser_init(&ps, &plan, &key, &d), 0);
    check_roots(&ps, t, sizeof(t) / sizeof(t[0]));
    pseudonymiser_release(&ps);
    plan.nicknames = plan.name_variants = NULL;
}

/* Match keys use the run-together names: O'Brien, OBrien and O Brien,
 * McDonald and Mac Donald, Ní Bhriain and Ó Briain form one key (and one
 * Soundex). forename_root stays the first word's: Anne Marie is anne,
 * Annemarie annemarie, so that John Paul and John still agree on it. */
static void
test_keys_run_together(void **state)
{
    static const char *const same[][2][2] = {
        {{"anne marie", "o brien"}, {"annemarie", "obrien"}},
        {{"anne marie", "mcdonald"}, {"anne marie", "mac donald"}},
        {{"niamh", "ni bhriain"}, {"niamh", "o briain"}},
        {{"hassan", "al hassan"}, {"hassan", "alhassan"}},
    };
    struct pseudonymiser ps;
    struct source_plan sp;
    struct record a, b;
    unsigned char ha[3][16], hb[3][16];
    uint8_t pa[3], pb[3];
    struct diag d;
    size_t i;

    (void)state;
    setup_plan();
    memset(&sp, 0, sizeof(sp));
    sp.name = "s";
    assert_int_equal(pseudonymiser_init(&ps, &plan, &key, &d), 0);
    for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        make_record(&a, "", same[i][0][0], same[i][0][1], 2010, 3, 4,
                    "LS20 8AB");
        make_record(&b, "", same[i][1][0], same[i][1][1], 2010, 3, 4,
                    "LS20 8AB");
        pseudonymise(&ps, &a, &sp, ha, pa, NULL);
        pseudonymise(&ps, &b, &sp, hb, pb, NULL);
        assert_int_equal(pa[1] && pb[1] && pa[2] && pb[2], 1);
        if (memcmp(ha[1], hb[1], 16) || (i > 0 && memcmp(ha[2], hb[2], 16)))
            fail_msg("case %zu: the keys differ", i);
    }
    make_record(&a, "", "john", "mcdonald", 2010, 3, 4, "LS20 8AB");
    make_record(&b, "", "john", "donald", 2010, 3, 4, "LS20 8AB");
    pseudonymise(&ps, &a, &sp, ha, pa, NULL);
    pseudonymise(&ps, &b, &sp, hb, pb, NULL);
    assert_true(memcmp(ha[1], hb[1], 16) != 0); /* a dropped Mc is no key */
    pseudonymiser_release(&ps);
}

/* surname_root: a surname the shipped variant tables list (a Somali
 * child's surname is a father's given name, in Somali or English
 * spelling) has the root; any other, and a root itself, has none. */
static void
test_surname_root(void **state)
{
    static const char *const t[][2] = {
        {"xasan", "hassan"}, {"yuusuf", "yusuf"},  {"cismaan", "uthman"},
        {"osman", "uthman"}, {"xuseen", "hussein"}, {"hussain", "hussein"},
        {"faarax", "farah"}, {"hassan", ""},        {"smith", ""},
        {"warsame", ""},     {"o brien", ""},
    };
    const char *top = getenv("COHORT_TOP");
    char var[512], out[NAME_MAX_BYTES];
    struct pseudonymiser ps;
    struct diag d;
    size_t i;

    (void)state;
    snprintf(var, sizeof(var), "%s/config/lookups/name_variants.csv",
             top ? top : ".");
    setup_plan();
    plan.name_variants = var;
    assert_int_equal(pseudonymiser_init(&ps, &plan, &key, &d), 0);
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        surname_root(&ps, t[i][0], out, sizeof(out));
        if (strcmp(out, t[i][1]) != 0)
            fail_msg("surname_root(%s) is '%s', not '%s'", t[i][0], out,
                     t[i][1]);
    }
    pseudonymiser_release(&ps);
    plan.name_variants = NULL;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_soundex),
        cmocka_unit_test(test_pseudonym),
        cmocka_unit_test(test_name_tables),
        cmocka_unit_test(test_shipped_variants),
        cmocka_unit_test(test_keys_run_together),
        cmocka_unit_test(test_surname_root),
        cmocka_unit_test(test_record_key),
        cmocka_unit_test(test_link),
        cmocka_unit_test(test_link_large),
        cmocka_unit_test(test_link_append),
        cmocka_unit_test(test_link_probes),
        cmocka_unit_test(test_link_first_record),
        cmocka_unit_test(test_link_twins),
    };

    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
