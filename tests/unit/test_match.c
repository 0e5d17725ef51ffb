/*
 * test_match.c - the probabilistic linker (anonymise/match.h) and the
 * comparison records it reads (anonymise/comparison.h): the level of every
 * field on examples (typos, nicknames, swapped names, transposed dates,
 * moves), twins kept apart, common names weighing less, EM recovering known
 * m and lambda, the strong-id and disagreement guards on clusters, the
 * block cap counted, groups and folding, the size bound, configuration
 * errors, and the same clusters from the same records.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "anonymise/comparison.h"
#include "anonymise/keys.h"
#include "anonymise/match.h"
#include "core/calendar.h"
#include "core/schema.h"

static struct comparison_encoder enc;

/* ---- records from plaintext ---- */

struct who {
    const char *fn, *sn, *root; /* root NULL: the forename's first word */
    const char *dob;            /* "YYYY-MM-DD" or NULL */
    const char *pc;
    uint8_t sex;
    uint64_t nhs;
    uint32_t group;
    const char *extra;
};

static int32_t
day_of(const char *iso)
{
    int y, m, d;

    if (!iso || sscanf(iso, "%d-%d-%d", &y, &m, &d) != 3)
        return DAY_NONE;
    return days_from_civil(y, m, d);
}

static void
encode(const struct who *w, struct match_record *r)
{
    struct comparison_plain p;

    memset(&p, 0, sizeof(p));
    p.forename = w->fn;
    p.surname = w->sn;
    p.forename_root = w->root;
    p.dob = day_of(w->dob);
    p.postcode = w->pc;
    p.sex = w->sex;
    p.nhs = w->nhs;
    p.group = w->group;
    p.extra[0] = w->extra;
    p.nextra = 1;
    comparison_encode(&enc, &p, r);
}

static long
add(struct matcher *m, const struct who *w)
{
    struct match_record r;

    encode(w, &r);
    return match_add(m, &r);
}

static struct matcher *
new_matcher(struct match_config *c)
{
    struct matcher *m;
    struct diag d;

    diag_clear(&d);
    assert_int_equal(match_init(&m, c, &d), 0);
    return m;
}

/* The levels of two people, compared by a matcher holding only them. */
static int
levels(const struct who *a, const struct who *b, unsigned *lv)
{
    struct match_config c;
    struct matcher *m;
    long i, j;
    int g;

    match_config_default(&c);
    c.nextra = 1;
    m = new_matcher(&c);
    i = add(m, a);
    j = add(m, b);
    assert_true(i >= 0 && j >= 0);
    g = match_compare(m, (size_t)i, (size_t)j, lv);
    match_release(m);
    return g;
}

#define W(fn, sn, dob, pc)                                                     \
    {                                                                          \
        fn, sn, NULL, dob, pc, SEX_M, 0, MATCH_NO_GROUP, NULL                  \
    }

/* ---- levels ---- */

static void
test_forename_levels(void **state)
{
    static const struct {
        const char *a, *b, *ra, *rb;
        unsigned level;
        int guard;
    } cases[] = {
        {"oliver", "oliver", NULL, NULL, ML_NAME_EXACT, 0},
        {"bill", "william", "william", "william", ML_NAME_ROOT, 0},
        {"jonathan", "jonathon", NULL, NULL, ML_NAME_DICE0, 0},
        /* two letters swapped: one band above its Dice's (match.h) */
        {"christopher", "christohper", NULL, NULL, ML_NAME_DICE0, 0},
        {"james robert", "robert", NULL, NULL, ML_NAME_PART, 0},
        {"mohammed", "muhammad", NULL, NULL, ML_NAME_DICE2, 0},
        {"j", "james", NULL, NULL, ML_NAME_INITIAL, 0},
        {"j", "oliver", NULL, NULL, ML_NAME_ELSE, 1},
        {"jack", "james", NULL, NULL, ML_NAME_INITIAL_FULL, 1},
        {"oliver", "harry", NULL, NULL, ML_NAME_ELSE, 1},
        {"oliver", "", NULL, NULL, ML_NULL, 0},
        {"", "", NULL, NULL, ML_NULL, 0},
    };
    unsigned lv[MF_MAX];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct who a = W(cases[i].a, "smithson", "1990-03-05", "LS1 1AB");
        struct who b = W(cases[i].b, "smithson", "1990-03-05", "LS1 1AB");
        int g;

        a.root = cases[i].ra;
        b.root = cases[i].rb;
        g = levels(&a, &b, lv);
        print_message("%s / %s: %s\n", cases[i].a, cases[i].b,
                      match_level_name(MF_FORENAME, lv[MF_FORENAME]));
        assert_int_equal(lv[MF_FORENAME], cases[i].level);
        assert_int_equal(lv[MF_SURNAME], ML_NAME_EXACT);
        assert_int_equal(g, cases[i].guard);
    }
}

static void
test_swapped_names(void **state)
{
    struct who a = W("oliver", "bennett", "1990-03-05", "LS1 1AB");
    struct who b = W("bennett", "oliver", "1990-03-05", "LS1 1AB");
    struct who c = W("benett", "oliver", "1990-03-05", "LS1 1AB");
    struct who d = W("bennett", "olivia", "1990-03-05", "LS1 1AB");
    unsigned lv[MF_MAX];

    (void)state;
    /* a swap is the forename's level; the surname's is the crossed
     * pair's, so that the order costs nothing (issue 26) */
    assert_int_equal(levels(&a, &b, lv), 0);
    assert_int_equal(lv[MF_FORENAME], ML_NAME_SWAP);
    assert_int_equal(lv[MF_SURNAME], ML_NAME_EXACT);
    /* swapped and mistyped: the mistyped pair by its Dice band */
    assert_int_equal(levels(&a, &c, lv), 0);
    assert_int_equal(lv[MF_FORENAME], ML_NAME_SWAP);
    assert_true(lv[MF_SURNAME] == ML_NAME_DICE0 ||
                lv[MF_SURNAME] == ML_NAME_DICE1);
    assert_int_equal(levels(&a, &d, lv), 0);
    assert_int_equal(lv[MF_FORENAME], ML_NAME_SWAP);
    assert_true(lv[MF_SURNAME] >= ML_NAME_DICE0 &&
                lv[MF_SURNAME] <= ML_NAME_DICE2);
}

static void
test_surname_levels(void **state)
{
    static const struct {
        const char *a, *b;
        unsigned level;
    } cases[] = {
        {"smith", "smith", ML_NAME_EXACT},
        {"fitzgerald", "fitzgerlad", ML_NAME_PHONETIC},
        {"kowalski", "cowalski", ML_NAME_DICE1}, /* Soundex keeps the k */
        {"montgomery", "montgomerie", ML_NAME_DICE0},
        {"smith", "smyth", ML_NAME_PHONETIC},
        {"smith", "nguyen", ML_NAME_ELSE},
        {"smith", "", ML_NULL},
    };
    unsigned lv[MF_MAX];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct who a = W("oliver", cases[i].a, "1990-03-05", "LS1 1AB");
        struct who b = W("oliver", cases[i].b, "1990-03-05", "LS1 1AB");

        assert_int_equal(levels(&a, &b, lv), 0);
        print_message("%s / %s: %s\n", cases[i].a, cases[i].b,
                      match_level_name(MF_SURNAME, lv[MF_SURNAME]));
        assert_int_equal(lv[MF_SURNAME], cases[i].level);
    }
}

static void
test_dob_levels(void **state)
{
    static const struct {
        const char *a, *b;
        unsigned level;
        int guard;
    } cases[] = {
        {"1990-03-05", "1990-03-05", ML_DOB_EXACT, 0},
        {"1990-03-05", "1990-05-03", ML_DOB_SWAP, 0}, /* transposed */
        {"1990-03-05", "1991-03-05", ML_DOB_YEAR1, 0},
        {"1990-03-05", "1990-03-06", ML_DOB_DAY, 0},
        {"1990-03-05", "1990-04-05", ML_DOB_MONTH, 0},
        {"1990-03-05", "1909-03-05", ML_DOB_YEAR, 0}, /* digits swapped */
        {"1990-03-05", "1990-07-21", ML_DOB_NEAR, 0},
        {"1990-03-05", "1962-07-21", ML_DOB_ELSE, 1}, /* parent and child */
        {"1990-03-05", NULL, ML_NULL, 0},
        {"1990-12-12", "1990-12-12", ML_DOB_EXACT, 0}, /* no swap of its own */
    };
    unsigned lv[MF_MAX];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct who a = W("oliver", "smith", cases[i].a, "LS1 1AB");
        struct who b = W("oliver", "smith", cases[i].b, "LS1 1AB");

        assert_int_equal(levels(&a, &b, lv), cases[i].guard);
        assert_int_equal(lv[MF_DOB], cases[i].level);
    }
}

static void
test_postcode_sex_extra_levels(void **state)
{
    static const struct {
        const char *a, *b;
        unsigned level;
    } cases[] = {
        {"LS1 1AB", "LS1 1AB", ML_PC_UNIT},
        {"LS1 1AB", "LS1 1XY", ML_PC_SECTOR},
        {"LS1 1AB", "LS1 2AB", ML_PC_DISTRICT},
        {"LS1 1AB", "BD5 1AB", ML_PC_ELSE},
        {"LS1 1AB", "", ML_NULL},
        {"75011", "75011", ML_PC_UNIT}, /* a token that is no UK postcode */
        {"75011", "75012", ML_PC_ELSE},
    };
    struct who a = W("oliver", "smith", "1990-03-05", "LS1 1AB");
    struct who b = a;
    unsigned lv[MF_MAX];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        a.pc = cases[i].a;
        b.pc = cases[i].b;
        levels(&a, &b, lv);
        assert_int_equal(lv[MF_POSTCODE], cases[i].level);
    }
    a.pc = b.pc = "LS1 1AB";
    b.sex = SEX_F;
    levels(&a, &b, lv);
    assert_int_equal(lv[MF_SEX], ML_SEX_DISAGREE);
    b.sex = SEX_U;
    levels(&a, &b, lv);
    assert_int_equal(lv[MF_SEX], ML_NULL);
    b.sex = SEX_M;
    levels(&a, &b, lv);
    assert_int_equal(lv[MF_SEX], ML_SEX_AGREE);
    assert_int_equal(lv[MF_EXTRA0], ML_NULL);
    a.extra = b.extra = "flat 2 12 high street";
    levels(&a, &b, lv);
    assert_int_equal(lv[MF_EXTRA0], ML_EXTRA_EXACT);
    b.extra = "14 low road";
    levels(&a, &b, lv);
    assert_int_equal(lv[MF_EXTRA0], ML_EXTRA_ELSE);
}

/* ---- a synthetic population ---- */

static uint64_t rng_state;

static uint64_t
rng(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static unsigned
below(unsigned n)
{
    return (unsigned)(rng() % n);
}

static const char *const forenames[] = {
    "oliver", "amelia", "harry",  "isla",  "jack",     "olivia",
    "george", "ava",    "noah",   "mia",   "leo",      "ivy",
    "arthur", "freya",  "oscar",  "lily",  "muhammad", "grace",
    "thomas", "sophia", "henry",  "ella",  "william",  "evie",
    "james",  "poppy",  "joseph", "daisy", "samuel",   "alice"};
static const char *const surnames[] = {
    "smith",    "jones",    "taylor",  "brown",  "williams", "wilson",
    "johnson",  "davies",   "patel",   "khan",   "robinson", "wright",
    "thompson", "evans",    "walker",  "white",  "roberts",  "green",
    "hall",     "wood",     "jackson", "clarke", "singh",    "begum",
    "nguyen",   "kowalski", "okafor",  "murphy", "campbell", "stewart",
    "hughes",   "edwards",  "lewis",   "harris", "martin",   "cooper",
    "king",     "lee",      "baker",   "turner"};

/* Skewed towards the start of the list: common names. */
static const char *
pick(const char *const *list, unsigned n)
{
    unsigned a = below(n), b = below(n);

    return list[a * b / n];
}

static void
rare(char *out, size_t n)
{
    static const char *const syl[] = {"ka",  "ri",  "mo",  "an", "el", "to",
                                      "sha", "ni",  "da",  "lu", "ve", "zor",
                                      "qui", "bex", "fen", "tam"};
    size_t k = 2 + below(3), i, o = 0;

    for (i = 0; i < k; i++) {
        const char *s = syl[below(16)];
        size_t l = strlen(s);

        if (o + l + 1 >= n)
            break;
        memcpy(out + o, s, l);
        o += l;
    }
    out[o] = '\0';
}

static void
slip(char *s)
{
    size_t l = strlen(s), p;

    if (l < 3)
        return;
    p = 1 + below((unsigned)l - 1);
    s[p] = s[p] == 'x' ? 'z' : 'x';
}

struct population {
    size_t n;
    uint32_t *person;             /* truth per record index */
    uint64_t dob_exact, dob_both; /* record pairs of one person: exact dobs
                                     among those with both dobs */
};

/*
 * persons people, two records each (the second with errors at known
 * rates), added to m; with_groups: one in three persons' records share a
 * group (the deterministic stage linked them).
 */
static void
populate(struct matcher *m, struct population *pop, size_t persons,
         uint64_t seed, int with_groups)
{
    size_t p, start = match_nrecords(m);

    rng_state = seed;
    /* indices continue after the records already added */
    pop->person = calloc(start + persons * 2, sizeof(*pop->person));
    pop->n = 0;
    pop->dob_exact = pop->dob_both = 0;
    for (p = 0; p < persons; p++) {
        char fn[32], sn[32], fn2[32], sn2[32], pc[16], pc2[16], dob[16],
            dob2[16];
        int y = 1930 + (int)below(90), mo = 1 + (int)below(12),
            d = 1 + (int)below(28);
        struct who a, b;
        uint32_t group =
            with_groups && p % 3 == 0 ? (uint32_t)p : MATCH_NO_GROUP;
        long i, j;

        if (below(5) == 0)
            rare(fn, sizeof(fn));
        else
            snprintf(fn, sizeof(fn), "%s", pick(forenames, 30));
        if (below(5) == 0)
            rare(sn, sizeof(sn));
        else
            snprintf(sn, sizeof(sn), "%s", pick(surnames, 40));
        snprintf(pc, sizeof(pc), "LS%u %u%c%c", 1 + below(20), below(10),
                 'A' + below(20), 'A' + below(20));
        snprintf(dob, sizeof(dob), "%04d-%02d-%02d", y, mo, d);
        memcpy(fn2, fn, sizeof(fn));
        memcpy(sn2, sn, sizeof(sn));
        memcpy(pc2, pc, sizeof(pc));
        memcpy(dob2, dob, sizeof(dob));
        if (below(100) < 6)
            slip(fn2);
        if (below(100) < 4)
            slip(sn2);
        if (below(100) < 15)
            snprintf(pc2, sizeof(pc2), "LS%u %u%c%c", 1 + below(20), below(10),
                     'A' + below(20), 'A' + below(20));
        if (below(100) < 5)
            snprintf(dob2, sizeof(dob2), "%04d-%02d-%02d", y, mo,
                     d == 28 ? 27 : d + 1);
        a = (struct who){fn,  sn,    NULL,
                         dob, pc,    (uint8_t)(p & 1 ? SEX_F : SEX_M),
                         0,   group, NULL};
        b = (struct who){fn2, sn2, NULL, dob2, pc2, a.sex, 0, group, NULL};
        if (below(100) < 3)
            b.dob = NULL;
        pop->dob_both += b.dob != NULL;
        pop->dob_exact += b.dob && !strcmp(dob, dob2);
        i = add(m, &a);
        j = add(m, &b);
        assert_true(i >= 0 && j >= 0);
        /* folded: the same index; otherwise the next */
        pop->person[i] = (uint32_t)p;
        pop->person[j] = (uint32_t)p;
        pop->n = (size_t)(j > i ? j : i) + 1;
    }
}

/* A population around the records a test adds, so that u, m and the
 * prior are estimated from enough pairs. */
static void
background(struct matcher *m, size_t persons)
{
    struct population pop;

    populate(m, &pop, persons, 11, 0);
    free(pop.person);
}

/* Pairwise precision and recall of m's clusters against pop's truth. */
static void
accuracy(const struct matcher *m, const struct population *pop, double *prec,
         double *rec)
{
    double tp = 0, pp = 0, both = 0;
    size_t i, j;

    /* the population is small: every pair */
    for (i = 0; i < pop->n; i++)
        for (j = i + 1; j < pop->n; j++) {
            int t = pop->person[i] == pop->person[j];
            int p = match_cluster(m, i) == match_cluster(m, j);

            tp += t;
            pp += p;
            both += t && p;
        }
    *prec = pp > 0 ? both / pp : 1;
    *rec = tp > 0 ? both / tp : 1;
}

static void
test_population_links(void **state)
{
    struct match_config c;
    struct matcher *m;
    struct population pop;
    struct diag d;
    double prec, rec;
    const struct match_stats *st;
    unsigned r, f;

    (void)state;
    match_config_default(&c);
    m = new_matcher(&c);
    populate(m, &pop, 3000, 7, 1);
    assert_int_equal(match_run(m, &d), 0);
    accuracy(m, &pop, &prec, &rec);
    st = match_stats(m);
    print_message("3000 people: precision %.4f recall %.4f, %llu pairs "
                  "compared, prior %.2f\n",
                  prec, rec, (unsigned long long)st->pairs_compared, st->prior);
    assert_true(prec >= 0.99);
    assert_true(rec >= 0.95);
    for (r = 0; r < st->nrules; r++)
        assert_true(st->rule[r].em_converged);
    for (f = 0; f < MF_EXTRA0; f++)
        assert_false(st->field[f].defaulted);
    /* the population's dob error rate, recovered by EM within 3.5 points */
    print_message("m(dob exact) %.4f, truth %.4f\n",
                  st->field[MF_DOB].m[ML_DOB_EXACT],
                  (double)pop.dob_exact / (double)pop.dob_both);
    /* (within 3.5: the groups' pairs train too, and with them the EM's
     * match class takes a few more of the households' pairs) */
    assert_true(fabs(st->field[MF_DOB].m[ML_DOB_EXACT] -
                     (double)pop.dob_exact / (double)pop.dob_both) < 0.035);
    /* every level's u is a probability; the levels' u sum to 1 */
    for (f = 0; f < MF_EXTRA0; f++) {
        double su = 0, sm = 0;
        unsigned l;

        for (l = 1; l < st->field[f].nlevels; l++) {
            su += st->field[f].u[l];
            sm += st->field[f].m[l];
        }
        assert_true(fabs(su - 1) < 1e-6);
        assert_true(fabs(sm - 1) < 1e-6);
    }
    free(pop.person);
    match_release(m);
}

/* The population plus the given records, run; indices in out. */
static struct matcher *
run_with(const struct who *extra, size_t n, long *out)
{
    struct match_config c;
    struct matcher *m;
    struct population pop;
    struct diag d;
    size_t i;

    match_config_default(&c);
    c.nextra = 1;
    m = new_matcher(&c);
    populate(m, &pop, 2000, 11, 0);
    free(pop.person);
    for (i = 0; i < n; i++)
        assert_true((out[i] = add(m, &extra[i])) >= 0);
    assert_int_equal(match_run(m, &d), 0);
    return m;
}

static void
test_errors_link(void **state)
{
    /* one person each pair: typo, swap, transposed date, moved */
    const struct who w[] = {
        {"jonathan", "quartermaine", NULL, "1984-02-11", "BD7 1AA", SEX_M, 0,
         MATCH_NO_GROUP, NULL},
        {"jonathon", "quartermaine", NULL, "1984-02-11", "BD7 1AA", SEX_M, 0,
         MATCH_NO_GROUP, NULL},
        {"priyanka", "venkatraman", NULL, "1979-06-30", "BD8 2AB", SEX_F, 0,
         MATCH_NO_GROUP, NULL},
        {"venkatraman", "priyanka", NULL, "1979-06-30", "BD8 2AB", SEX_F, 0,
         MATCH_NO_GROUP, NULL},
        {"wolfgang", "oyelaran", NULL, "2001-04-09", "BD9 3CD", SEX_M, 0,
         MATCH_NO_GROUP, NULL},
        {"wolfgang", "oyelaran", NULL, "2001-09-04", "BD9 3CD", SEX_M, 0,
         MATCH_NO_GROUP, NULL},
        {"esmeralda", "thistlewood", NULL, "1966-10-17", "BD1 4EF", SEX_F, 0,
         MATCH_NO_GROUP, NULL},
        {"esmeralda", "thistlewood", NULL, "1966-10-17", "HX3 9ZZ", SEX_F, 0,
         MATCH_NO_GROUP, NULL},
    };
    long ix[8];
    struct matcher *m = run_with(w, 8, ix);
    size_t k;

    (void)state;
    for (k = 0; k < 8; k += 2) {
        print_message("%s: weight %.1f\n", w[k].fn,
                      match_pair_weight(m, (size_t)ix[k], (size_t)ix[k + 1]));
        assert_int_equal(match_cluster(m, (size_t)ix[k]),
                         match_cluster(m, (size_t)ix[k + 1]));
    }
    /* and the four people are four */
    assert_int_not_equal(match_cluster(m, (size_t)ix[0]),
                         match_cluster(m, (size_t)ix[2]));
    assert_int_not_equal(match_cluster(m, (size_t)ix[4]),
                         match_cluster(m, (size_t)ix[6]));
    match_release(m);
}

static void
test_twins_apart(void **state)
{
    /* twins: same dob, surname, address and sex, another forename; a
     * record of one of them without a forename must not join them */
    const struct who w[] = {
        {"oliver", "pemberton", NULL, "2015-07-01", "BD4 5GH", SEX_M, 0,
         MATCH_NO_GROUP, NULL},
        {"harry", "pemberton", NULL, "2015-07-01", "BD4 5GH", SEX_M, 0,
         MATCH_NO_GROUP, NULL},
        {"", "pemberton", NULL, "2015-07-01", "BD4 5GH", SEX_M, 0,
         MATCH_NO_GROUP, NULL},
        {"oliver", "pemberton", NULL, "2015-07-01", "BD4 5GH", SEX_M, 0,
         MATCH_NO_GROUP, "flat 1"},
        /* twins sharing an initial */
        {"jack", "fairweather", NULL, "2012-01-20", "BD6 1JK", SEX_M, 0,
         MATCH_NO_GROUP, NULL},
        {"james", "fairweather", NULL, "2012-01-20", "BD6 1JK", SEX_M, 0,
         MATCH_NO_GROUP, NULL},
    };
    long ix[6];
    struct matcher *m = run_with(w, 6, ix);
    unsigned lv[MF_MAX];

    (void)state;
    assert_int_equal(match_compare(m, (size_t)ix[0], (size_t)ix[1], lv), 1);
    assert_int_not_equal(match_cluster(m, (size_t)ix[0]),
                         match_cluster(m, (size_t)ix[1]));
    /* oliver's two records are one person */
    assert_int_equal(match_cluster(m, (size_t)ix[0]),
                     match_cluster(m, (size_t)ix[3]));
    assert_int_not_equal(match_cluster(m, (size_t)ix[4]),
                         match_cluster(m, (size_t)ix[5]));
    assert_true(match_stats(m)->refused_disagree > 0);
    match_release(m);
}

static void
test_common_names_weigh_less(void **state)
{
    /* the same agreement on a common and on a rare name */
    const struct who w[] = {
        {"oliver", "smith", NULL, "1950-01-01", "BD2 2AA", SEX_M, 0,
         MATCH_NO_GROUP, NULL},
        {"oliver", "smith", NULL, "1950-01-01", "HX1 1AA", SEX_M, 0,
         MATCH_NO_GROUP, NULL},
        {"zebedee", "quillfeather", NULL, "1950-01-02", "BD2 2AB", SEX_M, 0,
         MATCH_NO_GROUP, NULL},
        {"zebedee", "quillfeather", NULL, "1950-01-02", "HX1 1AB", SEX_M, 0,
         MATCH_NO_GROUP, NULL},
    };
    long ix[4];
    struct matcher *m = run_with(w, 4, ix);
    unsigned la[MF_MAX], lb[MF_MAX];
    double common, rare_w;

    (void)state;
    match_compare(m, (size_t)ix[0], (size_t)ix[1], la);
    match_compare(m, (size_t)ix[2], (size_t)ix[3], lb);
    assert_memory_equal(la, lb, sizeof(la));
    common = match_pair_weight(m, (size_t)ix[0], (size_t)ix[1]);
    rare_w = match_pair_weight(m, (size_t)ix[2], (size_t)ix[3]);
    print_message("oliver smith %.2f, zebedee quillfeather %.2f\n", common,
                  rare_w);
    assert_true(common + 4 < rare_w);
    match_release(m);
}

/* ---- EM on a histogram drawn from known m, u and lambda ---- */

static void
test_em_recovers(void **state)
{
    enum { NF = 4, NL = 4, NPAT = NL * NL * NL * NL };
    const unsigned nlevels[NF] = {NL, NL, NL, NL};
    /* level 0 is null: a field missing in a few pairs */
    const double mt[NF][MATCH_MAX_LEVELS] = {{0, 0.85, 0.10, 0.05},
                                             {0, 0.90, 0.06, 0.04},
                                             {0, 0.80, 0.15, 0.05},
                                             {0, 0.95, 0.03, 0.02}};
    const double ut[NF][MATCH_MAX_LEVELS] = {{0, 0.01, 0.09, 0.90},
                                             {0, 0.02, 0.08, 0.90},
                                             {0, 0.001, 0.05, 0.949},
                                             {0, 0.05, 0.15, 0.80}};
    double u[NF][MATCH_MAX_LEVELS], mm[NF][MATCH_MAX_LEVELS], count[NPAT],
        lambda = 0.3;
    uint8_t lv[NPAT * NF];
    int active[NF] = {1, 1, 1, 1}, it;
    unsigned f, l, g;
    size_t k;

    (void)state;
    memset(count, 0, sizeof(count));
    memcpy(u, ut, sizeof(u));
    for (g = 0; g < NPAT; g++)
        for (f = 0, k = g; f < NF; f++, k /= NL)
            lv[g * NF + f] = (uint8_t)(k % NL);
    /* 200 000 pairs, 10 % matches, each field null 2 % of the time */
    rng_state = 99;
    for (k = 0; k < 200000; k++) {
        int match = below(1000) < 100;
        unsigned idx = 0, mul = 1;

        for (f = 0; f < NF; f++, mul *= NL) {
            double x = (double)(rng() >> 11) / 9007199254740992.0, c = 0;
            const double *p = match ? mt[f] : ut[f];

            l = NL - 1;
            if (below(100) < 2) {
                l = 0;
            } else {
                for (l = 1; l < NL - 1; l++) {
                    c += p[l];
                    if (x < c)
                        break;
                }
            }
            idx += l * mul;
        }
        count[idx]++;
    }
    for (f = 0; f < NF; f++)
        for (l = 0; l < MATCH_MAX_LEVELS; l++)
            mm[f][l] = l == 1 ? 0.6 : l < NL ? 0.2 : 0;
    it = match_em(NPAT, lv, count, NF, nlevels, active, &u[0][0], &mm[0][0],
                  &lambda, 200, 1e-7);
    print_message("EM: %d iterations, lambda %.4f\n", it, lambda);
    assert_true(it > 0);
    assert_true(fabs(lambda - 0.10) < 0.01);
    for (f = 0; f < NF; f++)
        for (l = 1; l < NL; l++) {
            print_message("  field %u level %u: m %.4f (truth %.4f)\n", f, l,
                          mm[f][l], mt[f][l]);
            assert_true(fabs(mm[f][l] - mt[f][l]) < 0.02);
        }
    /* an inactive field is left alone; too few iterations: negative */
    active[3] = 0;
    mm[3][1] = 0.5;
    lambda = 0.3;
    it = match_em(NPAT, lv, count, NF, nlevels, active, &u[0][0], &mm[0][0],
                  &lambda, 2, 1e-12);
    assert_int_equal(it, -2);
    assert_true(mm[3][1] == 0.5);
}

/* ---- clustering guards ---- */

static void
test_no_dob_guard(void **state)
{
    /* records without a date of birth: a grandmother and a granddaughter
     * named after her at one address, and a record of one of them with
     * no date; two rare names alone at two addresses; the same names at
     * one address; the names and an e-mail address at two addresses */
    const struct who w[] = {
        {"marcia", "hendricksen", NULL, "1939-09-06", "BD4 5GH", SEX_F, 0,
         MATCH_NO_GROUP, NULL},
        {"marcia", "hendricksen", NULL, "2014-09-07", "BD4 5GH", SEX_F, 0,
         MATCH_NO_GROUP, NULL},
        {"marcia", "hendricksen", NULL, NULL, "BD4 5GH", SEX_F, 0,
         MATCH_NO_GROUP, NULL},
        {"taoqui", "chengfen", NULL, "1949-08-28", "HG5 8NL", SEX_M, 0,
         MATCH_NO_GROUP, NULL},
        {"taoqui", "chengfen", NULL, NULL, "LS18 7AD", SEX_M, 0,
         MATCH_NO_GROUP, NULL},
        {"zorqui", "bexfenda", NULL, "1990-01-01", "BD9 9ZZ", SEX_F, 0,
         MATCH_NO_GROUP, NULL},
        {"zorqui", "bexfenda", NULL, NULL, "BD9 9ZZ", SEX_F, 0,
         MATCH_NO_GROUP, NULL},
        {"lumoka", "venitam", NULL, "1985-03-03", "HG1 1AA", SEX_M, 0,
         MATCH_NO_GROUP, "lumoka@example.org"},
        {"lumoka", "venitam", NULL, NULL, "LS1 2BB", SEX_M, 0,
         MATCH_NO_GROUP, "lumoka@example.org"},
    };
    long ix[9];
    struct matcher *m = run_with(w, 9, ix);
    const struct match_stats *st = match_stats(m);
    unsigned lv[MF_MAX];

    (void)state;
#define SAME(a, b) (match_cluster(m, (size_t)ix[a]) == \
                    match_cluster(m, (size_t)ix[b]))
    /* two generations: the record without a date joins neither */
    assert_int_equal(match_compare(m, (size_t)ix[0], (size_t)ix[2], lv), 0);
    assert_int_equal(lv[MF_DOB], ML_NULL);
    assert_false(SAME(0, 1));
    assert_false(SAME(0, 2));
    assert_false(SAME(1, 2));
    assert_true(st->refused_generations >= 2);
    /* names alone at two addresses: refused by the rule */
    assert_int_equal(match_compare(m, (size_t)ix[3], (size_t)ix[4], lv), 2);
    assert_false(SAME(3, 4));
    /* the same names at one address: one person */
    assert_int_equal(match_compare(m, (size_t)ix[5], (size_t)ix[6], lv), 0);
    assert_true(SAME(5, 6));
    /* an extra identifier agreeing stands in for the address */
    assert_int_equal(match_compare(m, (size_t)ix[7], (size_t)ix[8], lv), 0);
    assert_true(SAME(7, 8));
#undef SAME
    match_release(m);
    /* with the rule off, the names at two addresses are not refused */
    {
        struct match_config c;
        struct matcher *m2;
        long i, j;

        match_config_default(&c);
        c.nextra = 1;
        c.guard_no_dob = 0;
        m2 = new_matcher(&c);
        i = add(m2, &w[3]);
        j = add(m2, &w[4]);
        assert_int_equal(match_compare(m2, (size_t)i, (size_t)j, lv), 0);
        match_release(m2);
    }
}

static void
test_strong_id_guard(void **state)
{
    struct match_config c;
    struct matcher *m;
    struct diag d;
    struct who a = W("oliver", "pemberton", "1980-05-05", "BD4 5GH");
    struct who b = a, x = a;
    long ia, ib, ix, ic, id;

    (void)state;
    match_config_default(&c);
    m = new_matcher(&c);
    /* identical details, two NHS numbers: two people. A third record
     * without one may join either, never both. */
    a.nhs = 1001;
    b.nhs = 2002;
    ia = add(m, &a);
    ib = add(m, &b);
    ix = add(m, &x);
    /* a UPN conflict likewise */
    {
        struct who p = W("amelia", "quillfeather", "2010-02-02", "BD1 1AA");
        struct who q = p;
        struct match_record r;

        encode(&p, &r);
        r.upn = 77;
        ic = match_add(m, &r);
        encode(&q, &r);
        r.upn = 88;
        id = match_add(m, &r);
    }
    background(m, 2000);
    assert_int_equal(match_run(m, &d), 0);
    assert_int_not_equal(match_cluster(m, (size_t)ia),
                         match_cluster(m, (size_t)ib));
    assert_true(match_cluster(m, (size_t)ix) == match_cluster(m, (size_t)ia) ||
                match_cluster(m, (size_t)ix) == match_cluster(m, (size_t)ib));
    assert_int_not_equal(match_cluster(m, (size_t)ic),
                         match_cluster(m, (size_t)id));
    assert_true(match_stats(m)->refused_strong_id >= 2);
    match_release(m);
}

static void
test_size_bound(void **state)
{
    struct match_config c;
    struct matcher *m;
    struct diag d;
    long ix[5];
    size_t k;

    (void)state;
    match_config_default(&c);
    c.max_cluster = 2;
    m = new_matcher(&c);
    for (k = 0; k < 5; k++) {
        struct who w = W("oliver", "pemberton", "1980-05-05", "BD4 5GH");

        w.group = (uint32_t)(100000 + k); /* five deterministic persons */
        ix[k] = add(m, &w);
    }
    background(m, 2000);
    assert_int_equal(match_run(m, &d), 0);
    /* no cluster of more than two groups */
    for (k = 0; k < 5; k++) {
        size_t j, same = 0;

        for (j = 0; j < 5; j++)
            same += match_cluster(m, (size_t)ix[j]) ==
                    match_cluster(m, (size_t)ix[k]);
        assert_true(same <= 2);
    }
    assert_true(match_stats(m)->refused_size > 0);
    match_release(m);
}

static void
test_cap_counted(void **state)
{
    struct match_config c;
    struct matcher *m;
    struct diag d;
    const struct match_rule_stats *rs;
    size_t k;

    (void)state;
    match_config_default(&c);
    c.block_cap = 5;
    c.nrules = 1;
    c.rules[0] = MB_DOB;
    m = new_matcher(&c);
    for (k = 0; k < 12; k++) {
        char fn[16];
        struct who w = W(fn, "pemberton", "1980-05-05", "BD4 5GH");

        snprintf(fn, sizeof(fn), "name%c", (char)('a' + k));
        assert_true(add(m, &w) >= 0);
    }
    for (k = 0; k < 3; k++) {
        struct who w = W("amelia", "quillfeather", "1999-09-09", "BD1 1AA");

        w.sex = (uint8_t)(k == 2 ? SEX_F : SEX_M);
        w.pc = k ? "BD1 1AB" : "BD1 1AA";
        assert_true(add(m, &w) >= 0);
    }
    assert_int_equal(match_run(m, &d), 0);
    rs = &match_stats(m)->rule[0];
    assert_int_equal(rs->blocks, 2);
    assert_int_equal(rs->blocks_over_cap, 1);
    assert_int_equal(rs->records_over_cap, 12);
    assert_int_equal(rs->pairs_over_cap, 66);
    assert_int_equal(rs->pairs, 3);
    assert_int_equal(rs->pairs_compared, 3);
    assert_int_equal(match_stats(m)->pairs_compared, 3);
    match_release(m);
}

static void
test_groups_and_folding(void **state)
{
    struct match_config c;
    struct matcher *m;
    struct diag d;
    struct who a = W("oliver", "pemberton", "1980-05-05", "BD4 5GH");
    struct who b = W("harry", "quillfeather", "1960-01-01", "HX1 1AA");
    struct who x = W("amelia", "smith", "1990-02-03", "LS2 2BB");
    long ia, ib, ia2, ix, ix2;

    (void)state;
    match_config_default(&c);
    m = new_matcher(&c);
    a.group = b.group = 100000;
    ia = add(m, &a);
    ib = add(m, &b);
    ia2 = add(m, &a); /* the same record of the same group: folded */
    ix = add(m, &x);
    ix2 = add(m, &x); /* no group: kept, and linked by its details */
    assert_int_equal(ia2, ia);
    assert_int_not_equal(ix2, ix);
    assert_int_equal(match_stats(m)->folded, 1);
    assert_int_equal(match_nrecords(m), 4);
    background(m, 2000);
    assert_int_equal(match_run(m, &d), 0);
    /* a group is one cluster however much its records disagree */
    assert_int_equal(match_cluster(m, (size_t)ia),
                     match_cluster(m, (size_t)ib));
    assert_int_equal(match_cluster(m, (size_t)ix),
                     match_cluster(m, (size_t)ix2));
    assert_int_not_equal(match_cluster(m, (size_t)ia),
                         match_cluster(m, (size_t)ix));
    /* clusters numbered in order of their first record */
    assert_int_equal(match_cluster(m, 0), 0);
    assert_int_equal(match_cluster(m, (size_t)ix), 1);
    assert_true(match_nclusters(m) < match_nrecords(m));
    /* once only */
    assert_int_equal(match_run(m, &d), CE_INTERNAL);
    match_release(m);
}

static void
test_em_defaults(void **state)
{
    struct match_config c;
    struct matcher *m;
    struct population pop;
    struct diag d;
    const struct match_stats *st;
    unsigned r, f;

    (void)state;
    /* one iteration cannot converge: every rule says so, and every field
     * keeps the documented defaults */
    match_config_default(&c);
    c.em_max_iter = 1;
    m = new_matcher(&c);
    populate(m, &pop, 500, 3, 0);
    free(pop.person);
    assert_int_equal(match_run(m, &d), 0);
    st = match_stats(m);
    for (r = 0; r < st->nrules; r++) {
        assert_false(st->rule[r].em_converged);
        assert_int_equal(st->rule[r].em_iterations, 1);
    }
    for (f = 0; f < MF_EXTRA0; f++) {
        assert_true(st->field[f].defaulted);
        assert_int_equal(st->field[f].trained, 0);
    }
    assert_true(st->field[MF_DOB].m[ML_DOB_EXACT] == 0.90);
    match_release(m);
}

static void
test_deterministic(void **state)
{
    struct match_config c;
    struct matcher *m1, *m2;
    struct population p1, p2;
    struct diag d;
    const struct match_stats *s1, *s2;
    size_t i;
    unsigned f;

    (void)state;
    match_config_default(&c);
    c.u_pairs = 50000; /* sampled, not every pair */
    c.em_pairs = 500;  /* EM on a sample of blocks (rule 1 has ~1100
                          pairs, those within groups included) */
    m1 = new_matcher(&c);
    m2 = new_matcher(&c);
    populate(m1, &p1, 1500, 5, 1);
    populate(m2, &p2, 1500, 5, 1);
    assert_int_equal(match_run(m1, &d), 0);
    assert_int_equal(match_run(m2, &d), 0);
    assert_int_equal(match_nrecords(m1), match_nrecords(m2));
    for (i = 0; i < match_nrecords(m1); i++)
        assert_int_equal(match_cluster(m1, i), match_cluster(m2, i));
    s1 = match_stats(m1);
    s2 = match_stats(m2);
    assert_true(s1->prior == s2->prior);
    assert_memory_equal(s1->weight_hist, s2->weight_hist,
                        sizeof(s1->weight_hist));
    for (f = 0; f < s1->nfields; f++) {
        assert_memory_equal(s1->field[f].m, s2->field[f].m,
                            sizeof(s1->field[f].m));
        assert_memory_equal(s1->field[f].u, s2->field[f].u,
                            sizeof(s1->field[f].u));
    }
    assert_int_equal(s1->links, s2->links);
    assert_true(s1->rule[0].pairs_trained < s1->rule[0].pairs);
    free(p1.person);
    free(p2.person);
    match_release(m1);
    match_release(m2);
}

/* Several threads: every cluster, count, histogram and u as on one (the
 * blocks of each scoring pass split into runs on 2, 3 and 8 threads,
 * with a thread's share of pairs set to 1 so that every rule splits; u's
 * 200 000 random pairs drawn in blocks of tries, one a thread, the last
 * block drawn again to its pair). */
static void
test_threads_same(void **state)
{
    static const unsigned threads[] = {2, 3, 8};
    struct match_config c;
    struct matcher *m1, *m2;
    struct population p1, p2;
    struct diag d;
    const struct match_stats *s1, *s2;
    size_t i, k;
    unsigned r, f;

    (void)state;
    match_config_default(&c);
    c.u_pairs = 200000; /* of 1.1 M pairs: random pairs, 4 blocks */
    c.em_pairs = 500;
    m1 = new_matcher(&c);
    populate(m1, &p1, 1500, 5, 1);
    assert_int_equal(match_run(m1, &d), 0);
    s1 = match_stats(m1);
    for (k = 0; k < sizeof(threads) / sizeof(threads[0]); k++) {
        c.threads = threads[k];
        c.pairs_a_thread = 1;
        m2 = new_matcher(&c);
        populate(m2, &p2, 1500, 5, 1);
        assert_int_equal(match_run(m2, &d), 0);
        s2 = match_stats(m2);
        assert_int_equal(match_nrecords(m1), match_nrecords(m2));
        for (i = 0; i < match_nrecords(m1); i++)
            assert_int_equal(match_cluster(m1, i), match_cluster(m2, i));
        assert_memory_equal(s1->weight_hist, s2->weight_hist,
                            sizeof(s1->weight_hist));
        assert_memory_equal(s1->pairs_band, s2->pairs_band,
                            sizeof(s1->pairs_band));
        for (r = 0; r < c.nrules; r++)
            assert_int_equal(s1->rule[r].pairs_compared,
                             s2->rule[r].pairs_compared);
        assert_true(s1->rule[0].pairs_compared > 0);
        assert_int_equal(s1->pairs_compared, s2->pairs_compared);
        assert_int_equal(s1->pairs_accepted, s2->pairs_accepted);
        assert_int_equal(s1->refused_disagree, s2->refused_disagree);
        assert_int_equal(s1->refused_no_dob, s2->refused_no_dob);
        assert_int_equal(s1->links, s2->links);
        assert_int_equal(s1->u_pairs, s2->u_pairs);
        assert_int_equal(s1->u_pairs, 200000);
        for (f = 0; f < s1->nfields; f++)
            assert_memory_equal(s1->field[f].u, s2->field[f].u,
                                sizeof(s1->field[f].u));
        free(p2.person);
        match_release(m2);
    }
    free(p1.person);
    match_release(m1);
}

static void
test_config_errors(void **state)
{
    struct match_config c;
    struct matcher *m;
    struct diag d;

    (void)state;
    match_config_default(&c);
    c.threshold = 1.0;
    assert_int_equal(match_init(&m, &c, &d), CE_CONFIG);
    assert_null(m);
    assert_string_equal(d.rule, "threshold");
    match_config_default(&c);
    c.dice[1] = 90;
    assert_int_equal(match_init(&m, &c, &d), CE_CONFIG);
    match_config_default(&c);
    c.nrules = 0;
    assert_int_equal(match_init(&m, &c, &d), CE_CONFIG);
    match_config_default(&c);
    c.rules[1] = MB_EXTRA0 << 2; /* no extra declared */
    assert_int_equal(match_init(&m, &c, &d), CE_CONFIG);
    c.nextra = 3;
    assert_int_equal(match_init(&m, &c, &d), 0);
    match_release(m);
    match_config_default(&c);
    c.block_cap = 1;
    assert_int_equal(match_init(&m, &c, &d), CE_CONFIG);
    /* nothing to link is no error */
    match_config_default(&c);
    assert_int_equal(match_init(&m, &c, &d), 0);
    assert_int_equal(match_run(m, &d), 0);
    assert_int_equal(match_nclusters(m), 0);
    match_release(m);
    match_release(NULL);
}

static void
test_names(void **state)
{
    (void)state;
    assert_string_equal(match_field_name(MF_DOB), "dob");
    assert_string_equal(match_field_name(MF_EXTRA0 + 1), "extra2");
    assert_string_equal(match_level_name(MF_FORENAME, ML_NAME_SWAP), "swapped");
    assert_string_equal(match_level_name(MF_DOB, ML_DOB_SWAP),
                        "day_month_swapped");
    assert_string_equal(match_level_name(MF_POSTCODE, ML_PC_SECTOR), "sector");
    assert_string_equal(match_level_name(MF_SEX, 9), "?");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forename_levels),
        cmocka_unit_test(test_swapped_names),
        cmocka_unit_test(test_surname_levels),
        cmocka_unit_test(test_dob_levels),
        cmocka_unit_test(test_postcode_sex_extra_levels),
        cmocka_unit_test(test_population_links),
        cmocka_unit_test(test_errors_link),
        cmocka_unit_test(test_twins_apart),
        cmocka_unit_test(test_common_names_weigh_less),
        cmocka_unit_test(test_em_recovers),
        cmocka_unit_test(test_no_dob_guard),
        cmocka_unit_test(test_strong_id_guard),
        cmocka_unit_test(test_size_bound),
        cmocka_unit_test(test_cap_counted),
        cmocka_unit_test(test_groups_and_folding),
        cmocka_unit_test(test_em_defaults),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_threads_same),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_names),
    };
    struct cohort_key k;
    int rc, i;

    if (sodium_init() < 0)
        return 1;
    for (i = 0; i < 32; i++)
        k.master[i] = (unsigned char)(7 * i + 1);
    if (comparison_encoder_init(&enc, &k) < 0)
        return 1;
    sodium_memzero(&k, sizeof(k));
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    comparison_encoder_release(&enc);
    return rc;
}
