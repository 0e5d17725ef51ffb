/*
 * comparison.h - a row's comparison record for the probabilistic linker
 * (match.h): its normalised identifiers turned into keyed 64-bit hashes,
 * small integers and keyed Bloom filters, so that nothing the linker holds
 * can be read back as a name, a date or a postcode.
 *
 * Hashes are SipHash-2-4 (crypto_shorthash) under 16-byte subkeys from
 * crypto_kdf with the context "cohortcr", one per kind of value (names,
 * nickname roots, Soundex codes, initials, dates, days, postcodes, each
 * extra identifier), so that they equal no match key (pseudonym.h, a
 * keyed BLAKE2b under "cohortmk") and no Bloom filter's positions
 * (bloom.h, "cohortbf"). SipHash rather than BLAKE2b: a dozen hashes a
 * row at ~20 ns each, against ~430 ns for one keyed BLAKE2b (README,
 * "Performance"); they are comparison tokens that live only inside the
 * process, compared for equality, and 64 bits keep accidental equality
 * below one in a billion pairs.
 *
 * The conventions match.h relies on: forename and surname share one key
 * (and one Bloom key), so that a swap is an equality; a date and its
 * day-month swap share the dob key; a forename of one letter is an initial
 * only. A hash that comes out 0 is made 1 (0 means absent).
 *
 *     struct comparison_encoder enc;
 *     comparison_encoder_init(&enc, &key);
 *     per row: fill a struct comparison_plain (borrowed strings),
 *              comparison_encode(&enc, &plain, &rec); wipe the plaintext;
 *     comparison_encoder_release(&enc);
 */
#ifndef COHORT_COMPARISON_H
#define COHORT_COMPARISON_H

#include <stdint.h>

#include "keys.h"
#include "match.h"

/* One row's normalised values, borrowed; NULL or "" when absent. */
struct comparison_plain {
    const char *forename;       /* normalise_name() */
    const char *surname;
    const char *forename_root;  /* forename_root() of pseudonym.h; NULL:
                                   the forename's first word */
    int32_t dob;                /* a day number; DAY_NONE when absent */
    const char *postcode;       /* "EC1V 9HX", or any token without a
                                   space (then the unit alone) */
    uint8_t sex;                /* enum sex_code; SEX_U is unknown */
    const char *extra[MATCH_MAX_EXTRA]; /* declared extra identifiers */
    unsigned nextra;
    uint64_t nhs;               /* link_anchors (pseudonym.h), 0: none */
    uint64_t upn;
    uint32_t group;             /* the deterministic person */
};

/* The subkeys, in sodium_malloc'd memory. */
struct comparison_encoder {
    unsigned char (*keys)[16];
    struct bloom_key *name_bloom;
};

/* 0 or CE_NOMEM. */
int comparison_encoder_init(struct comparison_encoder *e,
                            const struct cohort_key *k);

/* Fills out from p. The only copies it makes of the plaintext (a date as
 * text, the Soundex code, the day) are wiped before return; sector,
 * district and initial are hashed in place. */
void comparison_encode(const struct comparison_encoder *e,
                       const struct comparison_plain *p,
                       struct match_record *out);

/* Wipes and frees the subkeys. */
void comparison_encoder_release(struct comparison_encoder *e);

#endif
