/*
 * test_prob_link.c - the probabilistic stage in the job's place
 * (anonymise/prob_link.h): after the keys, the matcher's clusters become
 * the linker's persons, and person assembly (person.h) reads them.
 *
 * A population of synthetic people, two records each, the second with the
 * kind of fault the keys miss (a typo in the forename, names swapped, a
 * date of birth a day out, a move); one key (names + dob + postcode) and
 * one NHS number key, as the job would form them. Checked: the keys alone
 * split the faulty pairs, the stage joins them and assembles one person
 * of both records' spells; records the keys joined stay joined; two
 * different NHS numbers are never in one person, however alike the
 * records and through whatever third record; the probes' classes (the
 * unmapped codes' persons) merge with the persons; the result is the same
 * on a second run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "anonymise/comparison.h"
#include "anonymise/generalise.h"
#include "anonymise/link.h"
#include "anonymise/match.h"
#include "anonymise/person.h"
#include "anonymise/prob_link.h"
#include "anonymise/record.h"
#include "core/calendar.h"
#include "core/period.h"
#include "core/plan.h"
#include "core/schema.h"

#define PEOPLE 600
/* the last TRIPLES people are look-alikes with NHS numbers: see below */
#define TRIPLES 20

static const char *const forenames[] = {
    "oliver",   "george",   "harry",   "noah",     "jack",   "leo",
    "arthur",   "oscar",    "charlie", "jacob",    "thomas", "henry",
    "olivia",   "amelia",   "isla",    "ava",      "mia",    "ivy",
    "lily",     "isabella", "rosie",   "sophia",   "grace",  "freya",
    "jonathan", "priya",    "aisha",   "mohammed", "fatima", "kwame",
    "tomasz",   "zofia",    "siobhan", "ciaran",   "dafydd", "rhiannon"};
static const char *const surnames[] = {
    "smith",    "jones",  "williams", "taylor",   "brown",   "davies",
    "evans",    "wilson", "thomas",   "johnson",  "roberts", "robinson",
    "thompson", "wright", "walker",   "white",    "edwards", "hughes",
    "green",    "hall",   "lewis",    "harris",   "clarke",  "patel",
    "khan",     "begum",  "nguyen",   "kowalski", "osei",    "murphy"};
static const char *const sectors[] = {"ls20 1", "ls20 2", "ls21 3", "ls21 4",
                                      "ls22 5", "ls23 6", "ls24 7", "ls25 8"};

static uint64_t rng_state;

static unsigned
below(unsigned n)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (unsigned)((z ^ (z >> 31)) % n);
}

struct person {
    char fn[32], sn[32], pc[16];
    int32_t dob;
    uint8_t sex;
};

/* A test run: the records' keys in a linker, their comparison records,
 * their pseudonymous records. */
struct world {
    struct cohort_key key;
    struct comparison_encoder enc;
    struct comparison_list cl;
    struct linker l;
    struct pseudonymous_record *recs;
    uint64_t *nhs; /* per record: its NHS number's anchor, 0 without */
    size_t nrecs;
    int fault[PEOPLE];
};

/* A key's hash: a keyed-looking stand-in, equal for equal text. */
static void
key_hash(const char *text, unsigned char out[16])
{
    crypto_generichash(out, 16, (const unsigned char *)text, strlen(text), NULL,
                       0);
}

/* One record of person p into w: the linker's keys (slot 0 the NHS
 * number, slot 1 names + dob + postcode), its comparison record and a
 * pseudonymous record of department dept. */
static void
add_record(struct world *w, const struct person *p, const char *nhs,
           uint8_t dept)
{
    unsigned char h[2][16];
    uint8_t present[2];
    char text[160];
    struct link_anchors a = {0, 0};
    struct comparison_plain cp;
    struct match_record mr;
    struct pseudonymous_record *r = &w->recs[w->nrecs];
    long c;

    memset(h, 0, sizeof(h));
    present[0] = nhs != NULL;
    if (nhs) {
        key_hash(nhs, h[0]);
        memcpy(&a.nhs, h[0], 8);
    }
    snprintf(text, sizeof(text), "%s|%s|%ld|%s", p->fn, p->sn, (long)p->dob,
             p->pc);
    key_hash(text, h[1]);
    present[1] = 1;
    assert_int_equal(
        linker_add(&w->l, (const unsigned char(*)[16])h, present, &a),
        (long)w->nrecs);
    memset(&cp, 0, sizeof(cp));
    cp.forename = p->fn;
    cp.surname = p->sn;
    cp.dob = p->dob;
    cp.postcode = p->pc;
    cp.sex = p->sex;
    cp.nhs = a.nhs;
    cp.group = MATCH_NO_GROUP;
    comparison_encode(&w->enc, &cp, &mr);
    c = comparison_list_add(&w->cl, &mr);
    assert_true(c >= 0);
    w->nhs[w->nrecs] = a.nhs;
    memset(r, 0, sizeof(*r));
    r->comparison = (uint32_t)c;
    r->department = dept;
    r->sex = p->sex;
    r->service = 0;
    r->start = days_from_civil(2026, 1, 1) + (int32_t)w->nrecs % 200;
    r->end = DAY_OPEN;
    r->token_key = RECORD_TOKEN_NONE;
    w->nrecs++;
}

/* Person i's second record: one fault the key (names + dob + postcode)
 * misses, by i % 4. */
static void
fault(struct person *q, const struct person *p, int kind)
{
    char tmp[32];
    size_t n = strlen(p->fn);

    *q = *p;
    switch (kind) {
    case 0: /* a typo in the forename: a letter doubled */
        snprintf(q->fn, sizeof(q->fn), "%.*s%c%s", (int)(n / 2), p->fn,
                 p->fn[n / 2], p->fn + n / 2);
        break;
    case 1: /* forename and surname swapped */
        snprintf(tmp, sizeof(tmp), "%s", q->fn);
        snprintf(q->fn, sizeof(q->fn), "%s", q->sn);
        snprintf(q->sn, sizeof(q->sn), "%s", tmp);
        break;
    case 2: /* the date of birth a day out */
        q->dob = p->dob + 1;
        break;
    default: /* moved, and the surname mistyped */
        snprintf(q->pc, sizeof(q->pc), "ls29 9%c%c", 'a' + below(26),
                 'a' + below(26));
        q->sn[strlen(q->sn) - 1] = q->sn[strlen(q->sn) - 1] == 'x' ? 'y' : 'x';
        break;
    }
}

/*
 * The population into w: PEOPLE people of two records each (the second
 * faulty, departments 0 and 1), then TRIPLES look-alike triples: three
 * records of one name, date and address, the first and third carrying
 * two different NHS numbers (two people the data cannot tell apart, and a
 * record without a number between them). Then the keys are linked.
 */
static void
build(struct world *w, uint64_t seed)
{
    size_t i;

    memset(w, 0, sizeof(*w));
    rng_state = seed;
    memset(w->key.master, 9, sizeof(w->key.master));
    assert_int_equal(comparison_encoder_init(&w->enc, &w->key), 0);
    comparison_list_init(&w->cl, 0);
    assert_int_equal(linker_init(&w->l, 2), 0);
    w->recs = calloc(2 * PEOPLE + 3 * TRIPLES, sizeof(*w->recs));
    w->nhs = calloc(2 * PEOPLE + 3 * TRIPLES, sizeof(*w->nhs));
    assert_non_null(w->recs);
    assert_non_null(w->nhs);
    for (i = 0; i < PEOPLE; i++) {
        struct person p, q;
        char nhs[16];

        snprintf(p.fn, sizeof(p.fn), "%s",
                 forenames[below(sizeof(forenames) / sizeof(*forenames))]);
        snprintf(p.sn, sizeof(p.sn), "%s",
                 surnames[below(sizeof(surnames) / sizeof(*surnames))]);
        snprintf(p.pc, sizeof(p.pc), "%s%c%c",
                 sectors[below(sizeof(sectors) / sizeof(*sectors))],
                 'a' + below(26), 'a' + below(26));
        p.dob = days_from_civil(1950 + (int)below(70), 1 + (int)below(12),
                                1 + (int)below(28));
        p.sex = (uint8_t)(below(2) ? SEX_F : SEX_M);
        snprintf(nhs, sizeof(nhs), "999%07zu", i);
        w->fault[i] = (int)(i % 4);
        fault(&q, &p, w->fault[i]);
        add_record(w, &p, i % 3 == 0 ? nhs : NULL, 0);
        add_record(w, &q, NULL, 1);
    }
    for (i = 0; i < TRIPLES; i++) {
        struct person p;
        char nhs[16];

        snprintf(p.fn, sizeof(p.fn), "%s", forenames[i % 12]);
        snprintf(p.sn, sizeof(p.sn), "twinsby%c", (char)('a' + i));
        snprintf(p.pc, sizeof(p.pc), "ls26 1%c%c", 'a' + (char)i, 'b');
        p.dob = days_from_civil(2010, 5, 1 + (int)i);
        p.sex = SEX_F;
        snprintf(nhs, sizeof(nhs), "998%07zu", 2 * i);
        add_record(w, &p, nhs, 0);
        add_record(w, &p, NULL, 2);
        snprintf(nhs, sizeof(nhs), "998%07zu", 2 * i + 1);
        add_record(w, &p, nhs, 3);
    }
    assert_int_equal(linker_run(&w->l), 0);
}

static void
release(struct world *w)
{
    linker_release(&w->l);
    comparison_list_release(&w->cl);
    comparison_encoder_release(&w->enc);
    free(w->recs);
    free(w->nhs);
}

static void
run_stage(struct world *w, struct match_stats *st)
{
    struct linkage_plan lp;
    struct match_config c;
    struct record_list rl;
    struct diag d;
    size_t i;

    memset(&lp, 0, sizeof(lp));
    lp.probabilistic = 1;
    lp.match_threshold = 0.99;
    lp.block_cap = 200;
    lp.max_cluster = 20;
    lp.dice[0] = 80;
    lp.dice[1] = 65;
    lp.dice[2] = 50;
    prob_link_config(&lp, &c);
    memset(&rl, 0, sizeof(rl));
    for (i = 0; i < w->nrecs; i++)
        assert_int_equal(record_list_push(&rl, &w->recs[i]), 0);
    assert_int_equal(prob_link_run(&w->l, &rl, &w->cl, &c, st, &d), 0);
    record_list_release(&rl);
    /* the comparison records are gone once the matcher holds them */
    assert_null(w->cl.r);
}

static void
test_clusters_become_persons(void **state)
{
    struct world w;
    struct match_stats st;
    size_t i, joined = 0, keys_joined = 0, np_keys;
    struct job_plan plan;
    struct period periods[1];
    struct person_set ps;
    struct record_list rl;
    struct department_tally dept[DEPT_MAX];
    struct geo_names geo;
    unsigned both = 0;

    (void)state;
    build(&w, 11);
    /* the keys alone: every faulty second record is a person of its own */
    for (i = 0; i < PEOPLE; i++)
        keys_joined +=
            linker_person(&w.l, 2 * i) == linker_person(&w.l, 2 * i + 1);
    assert_int_equal(keys_joined, 0);
    np_keys = linker_npersons(&w.l);
    run_stage(&w, &st);
    for (i = 0; i < PEOPLE; i++)
        joined += linker_person(&w.l, 2 * i) == linker_person(&w.l, 2 * i + 1);
    print_message("%zu of %d faulty pairs joined; %zu persons of the keys, "
                  "%zu after; %llu pairs compared\n",
                  joined, PEOPLE, np_keys, linker_npersons(&w.l),
                  (unsigned long long)st.pairs_compared);
    assert_true(joined >= PEOPLE * 95 / 100);
    assert_true(linker_npersons(&w.l) < np_keys);
    assert_true(st.links > 0 && st.records > 0);
    /* persons are numbered in order of first record, as the keys number
     * them */
    {
        uint32_t next = 0;

        for (i = 0; i < w.nrecs; i++) {
            assert_true(linker_person(&w.l, i) <= next);
            if (linker_person(&w.l, i) == next)
                next++;
        }
        assert_int_equal(next, linker_npersons(&w.l));
    }
    /* person assembly reads the merged persons: one person with both
     * departments' spells */
    memset(&plan, 0, sizeof(plan));
    plan.periods = 1;
    plan.reference_date = days_from_civil(2026, 10, 31);
    periods_compute(plan.reference_date, 1, periods);
    memset(&geo, 0, sizeof(geo));
    memset(dept, 0, sizeof(dept));
    memset(&rl, 0, sizeof(rl));
    for (i = 0; i < w.nrecs; i++)
        assert_int_equal(record_list_push(&rl, &w.recs[i]), 0);
    assert_int_equal(person_set_build(&ps, &plan, periods, &rl, &w.l, NULL,
                                      &geo, dept),
                     0);
    record_list_release(&rl);
    assert_int_equal(ps.npersons, linker_npersons(&w.l));
    for (i = 0; i < PEOPLE; i++) {
        uint32_t p = linker_person(&w.l, 2 * i);
        uint32_t s, k;
        unsigned seen = 0;

        for (s = ps.spell_first[p]; s < ps.spell_first[p + 1]; s++)
            seen |= 1u << ps.spells[s].department;
        k = seen == 3u;
        both += k;
    }
    assert_int_equal(both, joined);
    assert_int_equal(dept[0].records, PEOPLE + TRIPLES);
    assert_int_equal(dept[1].persons, PEOPLE);
    person_set_release(&ps);
    release(&w);
}

static void
test_guard_two_nhs_numbers(void **state)
{
    struct world w;
    struct match_stats st;
    size_t i, base = 2 * PEOPLE;

    (void)state;
    build(&w, 12);
    run_stage(&w, &st);
    /* each triple: the first and third carry two NHS numbers and are never
     * one person, though all three records agree on everything else; the
     * middle one, with no number, may join either but not both */
    for (i = 0; i < TRIPLES; i++) {
        uint32_t a = linker_person(&w.l, base + 3 * i);
        uint32_t b = linker_person(&w.l, base + 3 * i + 1);
        uint32_t c = linker_person(&w.l, base + 3 * i + 2);

        (void)b;
        assert_true(a != c);
    }
    assert_true(st.refused_strong_id > 0);
    /* and no person anywhere holds two of the population's NHS numbers */
    {
        size_t np = linker_npersons(&w.l);
        uint64_t *held = calloc(np, sizeof(*held));

        assert_non_null(held);
        for (i = 0; i < w.nrecs; i++) {
            uint32_t p = linker_person(&w.l, i);

            if (!w.nhs[i])
                continue;
            assert_true(!held[p] || held[p] == w.nhs[i]);
            held[p] = w.nhs[i];
        }
        free(held);
    }
    release(&w);
}

static void
test_deterministic(void **state)
{
    struct world w1, w2;
    struct match_stats s1, s2;
    size_t i;

    (void)state;
    build(&w1, 13);
    build(&w2, 13);
    run_stage(&w1, &s1);
    run_stage(&w2, &s2);
    assert_int_equal(linker_npersons(&w1.l), linker_npersons(&w2.l));
    for (i = 0; i < w1.nrecs; i++)
        assert_int_equal(linker_person(&w1.l, i), linker_person(&w2.l, i));
    assert_true(s1.pairs_compared == s2.pairs_compared);
    release(&w1);
    release(&w2);
}

/* linker_merge_persons: persons merge along the labels, and the probes'
 * classes with them, so that a code's persons can only be counted low. */
static void
test_merge_persons_probes(void **state)
{
    struct linker l;
    unsigned char h[2][16];
    uint8_t present[2] = {1, 0};
    struct link_anchors a = {0, 0};
    uint32_t label[3];
    int i;

    (void)state;
    assert_int_equal(linker_init(&l, 2), 0);
    for (i = 0; i < 3; i++) {
        memset(h, 0, sizeof(h));
        h[0][0] = (unsigned char)(i + 1);
        assert_int_equal(
            linker_add(&l, (const unsigned char(*)[16])h, present, &a), i);
        /* a probe beside each record, sharing its key */
        assert_int_equal(
            linker_add_probe(&l, (const unsigned char(*)[16])h, present), i);
    }
    assert_int_equal(linker_run(&l), 0);
    assert_int_equal(linker_npersons(&l), 3);
    assert_true(linker_probe_class(&l, 0) != linker_probe_class(&l, 2));
    /* persons 0 and 2 are one cluster, person 1 another */
    label[0] = 5;
    label[1] = 1;
    label[2] = 5;
    assert_int_equal(linker_merge_persons(&l, label, 6), 0);
    assert_int_equal(linker_npersons(&l), 2);
    assert_int_equal(linker_person(&l, 0), 0);
    assert_int_equal(linker_person(&l, 1), 1);
    assert_int_equal(linker_person(&l, 2), 0);
    assert_int_equal(linker_probe_class(&l, 0), linker_probe_class(&l, 2));
    assert_true(linker_probe_class(&l, 0) != linker_probe_class(&l, 1));
    linker_release(&l);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clusters_become_persons),
        cmocka_unit_test(test_guard_two_nhs_numbers),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_merge_persons_probes),
    };

    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
