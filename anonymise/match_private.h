/*
 * match_private.h - what the files of the matcher share (match.h is its
 * manual): the stored record, the matcher's state, and the steps of
 * match_run() each file implements. Nothing outside anonymise/match*.c
 * includes it.
 *
 *     match.c          configuration, adding and folding records,
 *                      match_run() in order, results, names
 *     match_compare.c  a pair's levels, the guard, the match weight
 *     match_model.c    pattern histograms, EM, u, term frequencies, the
 *                      prior, the weights
 *     match_block.c    sorted entries, groups, blocking rules and their
 *                      passes, clustering
 *
 * Every allocation of the matcher goes through mx_calloc / mx_realloc /
 * mx_free, which keep the running total behind match_stats.bytes_peak.
 */
#ifndef COHORT_MATCH_PRIVATE_H
#define COHORT_MATCH_PRIVATE_H

#include "match.h"

#include "../core/hash.h"

/*
 * A stored record: the 64-bit hashes of struct match_record folded to 32
 * bits (an accidental equality of two different values then has
 * probability 2^-32 per compared pair: a handful of wrong "exact" levels in
 * a billion comparisons, against 128 bytes a record instead of 192) and
 * the two filters. Two cache lines. The names' parts are beside it
 * (struct matcher.parts): they are read only for two different names.
 */
struct mrec {
    uint32_t fn, sn, root, phon, init;
    uint32_t dob, dobsw, day;
    uint32_t unit, sector, district;
    uint32_t group;
    uint32_t fn_tf, sn_tf; /* records with the same value; match_run */
    uint16_t year;
    uint8_t month, sex;
    uint8_t fn_bits, sn_bits; /* popcounts, saturated at 255 */
    uint8_t pad[2];
    struct bloom fnb, snb;
};

/* two cache lines, the filters in the second */
_Static_assert(sizeof(struct mrec) == 128, "struct mrec is 128 bytes");

/* Pairs per comparison pattern: the patterns interned in the one hash
 * table (core/hash.h), in the order first seen; counts beside them. */
struct hist {
    struct hash_table t;
    double *count;
    size_t alloc;
};

struct accepted {
    float w;
    uint32_t a, b;
};

struct matcher {
    struct match_config cfg;
    struct mrec *rec;
    uint32_t *extra;  /* n x cfg.nextra */
    uint32_t *parts;  /* n x MX_PARTS: match_record.surname_part,
                         forename_part, forename_sorted and
                         surname_sorted, folded */
    uint64_t *anchor; /* n x 2: nhs, upn */
    size_t n, alloc;
    uint32_t *fold; /* index + 1, open addressing */
    size_t fold_cap;
    uint32_t *cluster;
    size_t nclusters;
    int ran;
    unsigned nfields;
    unsigned nlevels[MF_MAX];
    double m[MF_MAX][MATCH_MAX_LEVELS];
    double u[MF_MAX][MATCH_MAX_LEVELS];
    double w[MF_MAX][MATCH_MAX_LEVELS];
    double log2m_exact[2]; /* forename, surname: for term frequencies */
    double log2n;
    double prior, thr;
    double band_w[MATCH_NBANDS];       /* weights at match_band_floor() */
    uint32_t *capped[MATCH_MAX_RULES]; /* over-cap block keys, sorted */
    size_t ncapped[MATCH_MAX_RULES];
    struct accepted *acc;
    size_t nacc, acc_alloc;
    struct match_stats st;
    size_t bytes;
};

/* The names' parts beside a record (struct matcher.parts): the surname's
 * two at 0, the forename's two at 2, then the sorted letters. */
#define MX_PARTS 6
#define MX_FN_SORTED 4
#define MX_SN_SORTED 5

/* The guard's fields (guard_fields(), agree_fields()). */
#define GUARD_FORENAME 1u
#define GUARD_DOB 2u

/* An anchor of a cluster that holds two different values. */
#define ANCHOR_MULTI UINT64_MAX

/* A 64-bit hash folded to the 32 bits a record stores (0 stays absent). */
static inline uint32_t
fold32(uint64_t h)
{
    uint32_t v = (uint32_t)(h ^ (h >> 32));

    return h && !v ? 1 : v;
}

/* splitmix64's finaliser. */
static inline uint64_t
mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 31;
    return x;
}

/* Two records of one deterministic group (never compared). */
static inline int
same_group(const struct mrec *a, const struct mrec *b)
{
    return a->group != MATCH_NO_GROUP && a->group == b->group;
}

/* ---- match.c ---- */

/* realloc / calloc / free with the running total; NULL on failure. */
void *mx_realloc(struct matcher *m, void *p, size_t old, size_t size);
void *mx_calloc(struct matcher *m, size_t n, size_t size);
void mx_free(struct matcher *m, void *p, size_t size);
/* Runs fn on each of the n (at most MATCH_MAX_THREADS) elements of items,
 * each `size` bytes: the first here, the others on threads of their own
 * (here too when a thread cannot be had). Returns when all have run. */
void mx_on_threads(void *(*fn)(void *), void *items, size_t size,
                   unsigned n);
/* The levels field f can take (bit l: level l), how many, its default m. */
unsigned mx_levels_valid(unsigned f);
unsigned mx_field_nlevels(unsigned f);
const double *mx_field_default_m(unsigned f);
/* The fields a rule's key is made of (bit f): EM does not train them on
 * it. */
unsigned mx_rule_fields(uint32_t rule);

/* ---- match_compare.c ---- */

/* Every field's level for records i and j into lv; 1 when the
 * disagreement guard refuses the pair, 2 when only its no-date-of-birth
 * rule does. */
int mx_levels_of(const struct matcher *m, size_t i, size_t j, uint8_t *lv);
/* The fields on which the guard refuses records i and j (GUARD_*). */
unsigned mx_guard_fields(const struct matcher *m, size_t i, size_t j);
/* The fields on which records i and j positively agree (GUARD_*). */
unsigned mx_agree_fields(const struct matcher *m, size_t i, size_t j);
/* The levels as one pattern, 4 bits a field. */
uint64_t mx_pattern_of(const struct matcher *m, const uint8_t *lv);
/* The pair's match weight (prior included) from its levels. */
double mx_weight_of(const struct matcher *m, size_t i, size_t j,
                    const uint8_t *lv);

/* ---- match_model.c ---- */

void mx_hist_init(struct hist *h);
/* Adds c pairs of pattern to h. 0 or CE_NOMEM. */
int mx_hist_add(struct matcher *m, struct hist *h, uint64_t pattern, double c);
void mx_hist_release(struct matcher *m, struct hist *h);
/* Each record's count of records with its forename, and its surname. */
int mx_term_frequencies(struct matcher *m);
/* u from random pairs. */
void mx_estimate_u(struct matcher *m);
/* EM on rule r's histogram h; its m into msum when it converged. */
int mx_train_rule(struct matcher *m, unsigned r, const struct hist *h,
                  double (*msum)[MATCH_MAX_LEVELS], unsigned *ntrained);
/* m, u and the weights from the rules' estimates (or the defaults). */
void mx_set_weights(struct matcher *m, double (*msum)[MATCH_MAX_LEVELS],
                    const unsigned *ntrained);
/* The prior log-odds from each rule's candidates. */
int mx_estimate_prior(struct matcher *m, const struct hist *train,
                      const struct hist *uni, double within);

/* ---- match_block.c ---- */

/* Sorts (key << 32 | record) entries by key, stably. 0 or CE_NOMEM. */
int mx_sort_entries(struct matcher *m, uint64_t *e, size_t n);
/* The union-find started with the deterministic groups; *within the
 * pairs inside groups. 0 or CE_NOMEM. */
int mx_prelink_groups(struct matcher *m, uint32_t *parent, uint32_t *members,
                      uint32_t *ring, double *within);
/* Record i's key under rule r, 0 when it lacks a part. */
uint32_t mx_block_key(const struct matcher *m, unsigned r, size_t i);
/* Whether rule r's block of key is over the cap. */
int mx_is_capped(const struct matcher *m, unsigned r, uint32_t key);
/* One pass over rule r's blocks: training (train != NULL) or scoring. */
int mx_rule_pass(struct matcher *m, unsigned r, struct hist *train,
                 struct hist *uni);
/* Clusters the accepted pairs, strongest first, under the guards (the
 * ambiguous pairs of records without a date of birth dropped first). 0 or
 * CE_NOMEM. */
int mx_cluster(struct matcher *m, uint32_t *parent, uint32_t *members,
                uint32_t *ring);

#endif
