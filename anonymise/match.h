/*
 * match.h - probabilistic linkage in keyed space (issue 15, item 2): the
 * stage after the deterministic keys, which finds the same resident when
 * the details differ -- a typo in both names, names swapped, a date of
 * birth mistyped or missing, a move -- from comparison records that hold
 * only keyed hashes, small integers and keyed Bloom filters, never an
 * identifier (anonymise/comparison.h makes them from a normalised row).
 *
 * The method is Fellegi-Sunter, as Splink runs it:
 *   - blocking: several rules, each a key made of some of a record's
 *     hashes (MB_* below); records sharing a rule's key are a block, and
 *     every pair of a block is a candidate. A block larger than block_cap
 *     records is not compared under that rule: it is counted (blocks,
 *     records and pairs over the cap, per rule), never dropped silently.
 *     A pair two rules find is compared under the first only.
 *   - comparison levels per field, from the two records' encodings
 *     (enum match_level_*): names exact / swapped / nickname root / a
 *     surname's part or its particle dropped / Dice bands of the Bloom
 *     filters / phonetic / initial / else; date of birth
 *     exact / day and month swapped / year +-1 / only the day, only the
 *     month, only the year differs / the year alone agrees / else;
 *     postcode unit / sector /
 *     district / else; sex; each extra
 *     identifier exact / else. A field missing on either side is the level
 *     "null" and weighs nothing.
 *   - u (P(level | non-match)) from random pairs; m (P(level | match)) by
 *     expectation-maximisation over each rule's blocked pairs -- those of
 *     two records of one group too: they are the matches the deterministic
 *     stage found, and without them, after keys that found most matches,
 *     the pairs left are mostly households and EM's "match" class becomes
 *     one (a forename "else" at m 0.4) -- one rule at
 *     a time, never training a field on a rule that blocks on it (nor sex
 *     on a rule of the forename: blocks of one forename agree on sex far
 *     more than random pairs, which EM could only call matches), then
 *     averaged over the rules. A field no rule trained (EM did not converge,
 *     or converged to a class that agrees less than random pairs) keeps the
 *     documented defaults of match.c and is flagged in the statistics.
 *   - term frequencies: exact agreement on a forename or surname weighs
 *     log2(m / tf) with tf the value's share of the records (equal keyed
 *     hashes, equal frequencies), so "smith" counts for less than a rare
 *     name.
 *   - match weight = prior + sum of log2(m/u); the prior is the log-odds
 *     that two records drawn at random are one person, estimated from the
 *     candidate pairs. A pair is accepted when its match probability is at
 *     least threshold -- unless the disagreement guard refuses it: two
 *     records whose full forenames are both given and share at most the
 *     initial (levels INITIAL_FULL and ELSE), or whose dates of birth are
 *     both given and differ in the year and more (ELSE), are never joined
 *     here.
 *     Twins, and a parent and child of one name, share surname, address
 *     and often a date of birth; those fields are not independent given a
 *     non-match, so their sum of weights overstates the evidence.
 *     A pair without two dates of birth (one side has none) is refused
 *     too unless both names agree (a forename down to the lowest Dice
 *     band and a surname at any level but else; or swapped) and so does
 *     the postcode's unit or sector, or an
 *     extra identifier agrees: two rare names alone, at two addresses, are
 *     as often a grandparent and a grandchild named after them as one
 *     person (guard_no_dob). And a record without a date of birth whose
 *     accepted pairs reach two records whose dates the guard refuses (a
 *     parent and a child of one name at one address) is ambiguous: all
 *     those pairs are dropped and counted, rather than the first to be
 *     clustered winning.
 *   - clustering: union-find over accepted pairs, strongest first (ties by
 *     record numbers); a union is refused when the two clusters hold
 *     different NHS-number anchors, or different UPN anchors, or two
 *     records the guard would refuse on a field on which the pair making
 *     the union does not itself agree (so that a record without a forename
 *     cannot join twins through itself, while "muhammad usman" may join
 *     "muhammad" and "usman"), or when the cluster would hold more than
 *     max_cluster groups (see below) -- a refused pair is the weakest link
 *     of the cluster it would have made. Before that, a person of the
 *     keys whose two accepted pairs, within one bit of weight of each
 *     other, lead to two persons whose dates of birth the guard keeps
 *     apart is ambiguous and joins neither (a record without a date of birth that fits a
 *     grandmother and her granddaughter of one name and address equally).
 *     Every refusal is counted.
 *
 * Links of the deterministic stage come in as groups: every record carries
 * the number of the person the deterministic linker (link.h) gave it, the
 * same number for records it linked (by NHS number, UPN, a scoped id or any
 * match key). Records of one group start as one cluster, are never
 * scored against each other (their pairs only train EM), and are never
 * separated; the size bound counts groups. A record that belongs to no group is MATCH_NO_GROUP (a group of
 * its own). Identical records of one group are folded: match_add() returns
 * the index of the first, so a person's repeated rows cost one record.
 *
 * Calling sequence (from one thread; the result is a function of the
 * records in the order added, the configuration but its threads, and
 * nothing else: no clock, no address order, a fixed pseudo-random
 * sequence for the random pairs. With cfg.threads above 1 each rule's
 * scoring pass splits its blocks into runs of about equal pairs, one a
 * thread, whose counts and accepted pairs are merged in block order:
 * what one thread gives):
 *
 *     struct match_config cfg;
 *     struct matcher *m;
 *     match_config_default(&cfg);          -- then adjust
 *     match_init(&m, &cfg, &d);
 *     match_reserve(m, n);                 -- optional: room for n records
 *     per record: match_add(m, &rec) -> record index (folded: an earlier one)
 *     match_run(m, &d);
 *     per record: match_cluster(m, i) -> 0 .. match_nclusters(m)-1,
 *                 numbered in order of each cluster's first record
 *     match_stats(m) -> counts, m/u per level, EM per rule, histogram
 *     match_release(m);
 *
 * Memory: 128 bytes per record, 16 for the anchors, 24 for the names'
 * parts and sorted letters and 4 per extra identifier (8 more for the folding table while
 * records are added), and
 * during match_run 16 per record for the union-find, its rings and the
 * clusters, 16 for one rule's sorted block entries at a time and 12 per
 * accepted pair: 208 bytes per record at the peak in
 * tests/bench/bench_match.c (1 000 000 records, match_reserve'd); the
 * statistics say the peak of each run (bytes_peak). Blocking over 1 000 000
 * synthetic records compares 56 million pairs, about 3.7 s of one core.
 */
#ifndef COHORT_MATCH_H
#define COHORT_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "../core/error.h"
#include "bloom.h"

#define MATCH_MAX_EXTRA 8
#define MATCH_MAX_RULES 8
#define MATCH_MAX_LEVELS 12
#define MATCH_NO_GROUP UINT32_MAX
#define MATCH_HIST_MIN (-40)
#define MATCH_HIST_BINS 100 /* one bin per bit of weight from MATCH_HIST_MIN */
#define MATCH_NBANDS 6      /* bands of match probability, match_band_floor() */

/*
 * One comparison record. Every hash is a keyed 64-bit hash of a normalised
 * value (anonymise/comparison.h), 0 when the value is absent. Two
 * conventions matter and comparison_encode() keeps them:
 *   - forename and surname are hashed under ONE key, and their Bloom
 *     filters under one key, so that a forename can equal the other
 *     record's surname (swapped names);
 *   - dob_swapped is the hash, under dob's key, of the date with day and
 *     month exchanged (0 when that is no date or is the same date), so a
 *     swap shows as dob_swapped == the other's dob.
 * A forename that is only an initial has forename, forename_root and its
 * filter absent and forename_initial set.
 */
struct match_record {
    uint64_t forename;
    uint64_t surname;
    uint64_t forename_root;    /* the nickname root of the forename */
    uint64_t surname_phonetic; /* Soundex */
    uint64_t forename_initial;
    uint64_t surname_part[2];  /* the surname without its particles, or
                                  the first and last parts of a double
                                  one (comparison.h); 0: none */
    uint64_t forename_part[2]; /* the first and last words of a forename
                                  of two or more (comparison.h); 0: none */
    uint64_t forename_sorted;  /* the name's first letter, then all its
                                  letters in order (comparison.h): equal
                                  for two spellings one transposition of
                                  two letters apart (paul, pual); 0: none */
    uint64_t surname_sorted;
    uint64_t dob;
    uint64_t dob_swapped;
    uint64_t dob_day;          /* the day of the month alone */
    uint64_t postcode_unit;    /* a non-UK postcode: the unit alone */
    uint64_t postcode_sector;
    uint64_t postcode_district;
    uint64_t extra[MATCH_MAX_EXTRA]; /* as declared in match_config */
    uint64_t nhs;              /* link_anchors of a valid NHS number, UPN */
    uint64_t upn;
    uint32_t group;            /* deterministic person, or MATCH_NO_GROUP */
    uint16_t birth_year;       /* 0: absent */
    uint8_t birth_month;       /* 1..12; 0: absent */
    uint8_t sex;               /* 0: unknown; equal codes agree */
    struct bloom forename_bloom;
    struct bloom surname_bloom;
};

/* The comparison fields; extras follow MF_SEX. */
enum match_field {
    MF_FORENAME,
    MF_SURNAME,
    MF_DOB,
    MF_POSTCODE,
    MF_SEX,
    MF_EXTRA0,
    MF_MAX = MF_EXTRA0 + MATCH_MAX_EXTRA
};

/* Levels of the two name fields (a forename uses every one but
 * PHONETIC; a surname every one but SWAP, ROOT, INITIAL and
 * INITIAL_FULL). Names swapped are the forename's level SWAP and the
 * surname's level of the crossed pair (the surname of one record against
 * the forename of the other: EXACT, a Dice band or ELSE), so that a name
 * recorded family name first weighs as much as one recorded in order
 * (issue 26). Strongest first. */
enum match_level_name {
    ML_NULL = 0,          /* every field: missing on either side */
    ML_NAME_EXACT = 1,
    ML_NAME_SWAP,         /* forename = other's surname and the reverse:
                             each exactly or by Dice, one of them at least
                             dice[0], the other at least dice[2] */
    ML_NAME_ROOT,         /* nickname roots agree (bill, william) */
    ML_NAME_DICE0,        /* Dice >= dice[0]; two names one swap of two
                             letters apart (match_record.forename_sorted
                             equal, and each filter's bits outside the
                             other's at most three letter pairs' worth:
                             a swap of two adjacent letters changes three
                             pairs, other orders of the same letters more,
                             Mary and Myra four) take the
                             band above their Dice's: the swap is one slip,
                             as a substitution is, but keeps one letter
                             pair fewer (Paul, Pual: 2 of 5 pairs, under
                             the lowest band, were two forenames sharing
                             the initial, refused as twins; now DICE2) */
    ML_NAME_PART,         /* surnames agree once a particle is dropped
                             (Al-Hassan, Hassan; O'Connor, Connor) or on
                             one part of a double surname (Stevens-Robinson,
                             Robinson; Garcia Lopez, Garcia); a forename of
                             one word is the first or last word of the
                             other (Muhammad Usman, Usman; Thi Linh, Linh);
                             after DICE0, which a double surname in the
                             other order reaches */
    ML_NAME_PHONETIC,     /* Soundex agrees */
    ML_NAME_DICE1,        /* Dice >= dice[1] */
    ML_NAME_DICE2,        /* Dice >= dice[2] */
    ML_NAME_INITIAL,      /* one forename is only an initial, and agrees */
    ML_NAME_INITIAL_FULL, /* two full forenames that share only the initial */
    ML_NAME_ELSE
};

enum match_level_dob {
    ML_DOB_EXACT = 1,
    ML_DOB_SWAP,          /* day and month exchanged */
    ML_DOB_YEAR1,         /* year +-1, same day and month */
    ML_DOB_DAY,           /* only the day differs */
    ML_DOB_MONTH,         /* only the month differs */
    ML_DOB_YEAR,          /* only the year differs, by more than 1 */
    ML_DOB_NEAR,          /* the year agrees, day and month do not */
    ML_DOB_ELSE
};

enum match_level_postcode {
    ML_PC_UNIT = 1,
    ML_PC_SECTOR,
    ML_PC_DISTRICT,
    ML_PC_ELSE
};

enum match_level_sex { ML_SEX_AGREE = 1, ML_SEX_DISAGREE };
enum match_level_extra { ML_EXTRA_EXACT = 1, ML_EXTRA_ELSE };

/* Parts of a blocking rule's key (a rule is their OR). A record with any
 * part of a rule absent has no key under that rule. */
enum match_block_part {
    MB_DOB = 1u << 0,
    MB_YEAR = 1u << 1,
    MB_FORENAME = 1u << 2,
    MB_SURNAME = 1u << 3,
    MB_NAMES = 1u << 4,    /* forename and surname in either order */
    MB_ROOT = 1u << 5,
    MB_PHONETIC = 1u << 6, /* surname's */
    MB_INITIAL = 1u << 7,
    MB_UNIT = 1u << 8,
    MB_SECTOR = 1u << 9,
    MB_DISTRICT = 1u << 10,
    MB_SEX = 1u << 11,
    MB_EXTRA0 = 1u << 16   /* MB_EXTRA0 << i: extra identifier i */
};

struct match_config {
    double threshold;      /* match probability to accept a pair (0.99) */
    unsigned dice[3];      /* Dice bands in percent, descending (80 65 50) */
    unsigned block_cap;    /* records per block (200) */
    unsigned max_cluster;  /* groups per cluster (20) */
    unsigned nrules;
    uint32_t rules[MATCH_MAX_RULES]; /* MB_* masks */
    unsigned nextra;       /* extra identifiers in use, 0..MATCH_MAX_EXTRA */
    uint64_t u_pairs;      /* random pairs for u (4 000 000; all pairs when
                              there are fewer) */
    uint64_t em_pairs;     /* pairs per rule for EM, whole blocks sampled
                              (2 000 000) */
    unsigned em_max_iter;  /* 100 */
    double em_tolerance;   /* largest change of an m or lambda (1e-5) */
    int guard_forename;    /* the disagreement guard on forenames (1) */
    int guard_dob;         /* and on dates of birth (1) */
    int guard_no_dob;      /* a pair without two dates of birth needs its
                              names and place to agree, or an extra
                              identifier; a record without one links to
                              no two generations (1) */
    uint32_t extra_strong; /* bit i: extra identifier i agreeing may stand
                              in for the place in that rule (all: a town
                              is not one, a phone number is) */
    unsigned threads;      /* threads for scoring a rule's blocks (1; at
                              most MATCH_MAX_THREADS): the result is the
                              same on any number */
    uint64_t pairs_a_thread; /* a rule with fewer pairs than this per
                                thread is scored on fewer threads (100 000:
                                a thread costs more than it saves) */
};

/* Threads a scoring pass uses at most. */
#define MATCH_MAX_THREADS 8

struct match_rule_stats {
    uint32_t rule;             /* the MB_* mask */
    uint64_t records;          /* records with a key under the rule */
    uint64_t blocks;           /* blocks of two or more records */
    uint64_t blocks_over_cap;
    uint64_t records_over_cap;
    uint64_t pairs_over_cap;   /* pairs not compared under this rule */
    uint64_t pairs;            /* candidate pairs within the cap, before
                                  removing those of earlier rules */
    uint64_t pairs_compared;   /* compared and scored under this rule */
    uint64_t pairs_trained;    /* in the EM sample */
    unsigned em_iterations;
    int em_converged;          /* 1, or 0: this rule trained nothing */
    double em_lambda;          /* share of matches among its pairs */
    uint32_t trained_fields;   /* bit f: EM estimated field f's m here */
    double m[MF_MAX][MATCH_MAX_LEVELS]; /* this rule's estimate */
};

struct match_field_stats {
    unsigned nlevels;          /* levels 1 .. nlevels-1 (0 is null) */
    double m[MATCH_MAX_LEVELS];
    double u[MATCH_MAX_LEVELS];
    unsigned trained;          /* rules whose EM gave this field's m */
    int defaulted;             /* 1: no rule did; documented defaults */
};

struct match_stats {
    uint64_t records;          /* stored (after folding) */
    uint64_t folded;           /* match_add calls folded into an earlier one */
    uint64_t groups;           /* distinct groups among the records */
    uint64_t u_pairs;          /* random pairs compared for u */
    unsigned nrules;
    struct match_rule_stats rule[MATCH_MAX_RULES];
    unsigned nfields;          /* MF_EXTRA0 + nextra */
    struct match_field_stats field[MF_MAX];
    double prior;              /* log2 odds of a random pair matching */
    double threshold_weight;   /* the weight the threshold means */
    double candidates_matching; /* estimated matches among the candidates */
    uint64_t weight_hist[MATCH_HIST_BINS]; /* compared pairs per 1-bit bin,
                                   the ends open */
    uint64_t pairs_band[MATCH_NBANDS]; /* compared pairs per band of match
                                   probability (match_band_floor()) */
    uint64_t pairs_compared;
    uint64_t pairs_accepted;
    uint64_t refused_disagree; /* over the threshold, refused by the guard */
    uint64_t refused_strong_id; /* unions refused: two NHS numbers or UPNs */
    uint64_t refused_conflict; /* unions refused: two records the guard
                                  refuses would be in one cluster */
    uint64_t refused_size;     /* unions refused: cluster over max_cluster */
    uint64_t refused_no_dob;   /* over the threshold, refused: no date of
                                  birth on one side and too little else */
    uint64_t refused_generations; /* accepted pairs dropped: a record without
                                  a date of birth accepted with records of
                                  two generations */
    uint64_t refused_ambiguous; /* accepted pairs not joined: one person of
                                  the keys agrees about as well (within a
                                  bit) with two whose dates of birth the
                                  guard keeps apart */
    uint64_t links;            /* unions made */
    uint64_t clusters;
    /* person assembly inside id scopes before the matcher took the
     * records (scope_assembly.h): filled by prob_link_run(), 0 from
     * match_run() */
    uint64_t assembled_ids;     /* ids of a scope with a comparison record */
    uint64_t assembled_records; /* their records */
    uint64_t assembled_completed; /* records that gained a part from the id */
    uint64_t assembled_conflicts; /* ids whose rows carry two NHS numbers or
                                  UPNs: no anchor lent */
    size_t bytes_peak;         /* the matcher's own allocations at most */
};

struct matcher;

/* Fills c with the defaults above (four rules: dob; surname phonetic +
 * birth year; postcode sector + initial; the two names in either order). */
void match_config_default(struct match_config *c);

/* A new matcher in *out (freed by match_release). CE_CONFIG (with a diag
 * naming the setting) for a threshold outside (0,1), Dice bands not
 * descending in 1..100, no rule, an empty rule or one naming an
 * undeclared extra, a cap below 2; CE_NOMEM. */
int match_init(struct matcher **out, const struct match_config *c,
               struct diag *d);

/* Makes room for n records in all, so that no array grows (and none is
 * left half empty) while they are added: for a caller that knows how many
 * records, or an upper bound, it will add. Optional; 0 or CE_NOMEM. */
int match_reserve(struct matcher *m, size_t n);

/* Adds one record (copied; r may be wiped after). Returns its index, an
 * earlier record's when folded, or CE_NOMEM. Before match_run only. */
long match_add(struct matcher *m, const struct match_record *r);

/* Estimates the parameters, scores the candidate pairs and clusters; 0 or
 * CE_NOMEM. Once. */
int match_run(struct matcher *m, struct diag *d);

/* After match_run: the record's cluster. */
uint32_t match_cluster(const struct matcher *m, size_t record);
size_t match_nclusters(const struct matcher *m);
size_t match_nrecords(const struct matcher *m);

/* The statistics; valid until match_release. */
const struct match_stats *match_stats(const struct matcher *m);

/* The lowest match probability of band k of match_stats.pairs_band: 0,
 * 0.5, 0.9, 0.99, 0.999, 0.9999 (each band runs to the next floor; the
 * last to 1). */
double match_band_floor(unsigned band);

/* A blocking rule (MB_* mask) in words, into buf: its parts joined by
 * '+' ("surname_phonetic+dob_year", "forename+surname either order").
 * Returns buf. */
const char *match_rule_text(uint32_t rule, char *buf, size_t n);

/* "forename", "surname", "dob", "postcode", "sex", "extra1" .. */
const char *match_field_name(enum match_field f);

/* A level's name for reports ("exact", "dice0", "else", ...). */
const char *match_level_name(enum match_field f, unsigned level);

/* Frees everything; m may be NULL. */
void match_release(struct matcher *m);

#ifdef COHORT_TESTING
/* The level of every field for records a and b (levels[MF_MAX]), as the
 * scoring pass sees them; the guard's verdict in the return value (1:
 * refused). */
int match_compare(const struct matcher *m, size_t a, size_t b,
                  unsigned *levels);
/* The weight of the pair after match_run (prior included). */
double match_pair_weight(const struct matcher *m, size_t a, size_t b);
/* The first rule that compares records a and b (0-based), or -1 when
 * none does (no shared key, or only in blocks over the cap). */
int match_pair_rule(const struct matcher *m, size_t a, size_t b);

/*
 * EM over a histogram of comparison patterns: npat patterns, levels[p *
 * nfields + f] the level of field f (0: null), count[p] its pairs;
 * active[f] says which fields train. u fixed; m (nfields x
 * MATCH_MAX_LEVELS, in: the start, out: the estimate) and *lambda (in and
 * out). Returns the iterations made, negated when it did not converge
 * within max_iter.
 */
int match_em(size_t npat, const uint8_t *levels, const double *count,
             unsigned nfields, const unsigned *nlevels, const int *active,
             const double *u, double *m, double *lambda, unsigned max_iter,
             double tolerance);
#endif

#endif
