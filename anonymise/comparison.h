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
 * day-month swap share the dob key; a forename of one-letter words only
 * ("j", "j r") is an initial only. A hash that comes out 0 is made 1 (0
 * means absent).
 *
 * The names are hashed and filtered in the forms that make the ways one
 * name is written equal (issue 26; transform/normalise.h): the forename's
 * words run together (Anne Marie, Annemarie; O'Connor recorded as the
 * forename, "o connor", is oconnor and no initial), the surname joined
 * (Al-Hassan, Al Hassan, Alhassan; Mc Donald, MacDonald), its Soundex of
 * the joined form; and beside it the surname's parts under the names' key
 * (match_record.surname_part): without its particles (Al-Hassan -> hassan,
 * van der Meer -> meer, O'Brien -> brien), or the first and the last part
 * of a double surname (Stevens-Robinson -> stevens, robinson), so that a
 * particle dropped or one part written alone agrees at the level PART;
 * likewise the forename's first and last words of two letters or more
 * (match_record.forename_part: Muhammad Usman -> muhammad, usman; Thi
 * Linh -> thi, linh), so that a forename written with or without its
 * second name agrees at PART. A surname the variant tables list
 * (surname_root() of pseudonym.h: Xasan, Yuusuf) has its root as a part
 * too, so that Xasan and Hassan agree at PART.
 *
 *     struct comparison_encoder enc;
 *     comparison_encoder_init(&enc, &key);
 *     per row: fill a struct comparison_plain (borrowed strings),
 *              comparison_encode(&enc, &plain, &rec); wipe the plaintext;
 *     comparison_encoder_release(&enc);
 */
#ifndef COHORT_COMPARISON_H
#define COHORT_COMPARISON_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"
#include "match.h"

/* One row's normalised values, borrowed; NULL or "" when absent. */
struct comparison_plain {
    const char *forename;       /* normalise_name() */
    const char *surname;
    const char *forename_root;  /* forename_root() of pseudonym.h; NULL:
                                   the forename's first word */
    const char *surname_root;   /* surname_root() of pseudonym.h; NULL or
                                   "": none */
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

/* Fills out from p. The only copies it makes of the plaintext (the names
 * run together and their parts, a date as text, the Soundex code, the
 * day) are wiped before return; sector, district, initial and the
 * forename's words are hashed in place. */
void comparison_encode(const struct comparison_encoder *e,
                       const struct comparison_plain *p,
                       struct match_record *out);

/* Wipes and frees the subkeys. */
void comparison_encoder_release(struct comparison_encoder *e);

/* Whether r is worth keeping: it holds a forename, a surname, a date of
 * birth or an extra identifier to compare on, or the anchor of an NHS
 * number or UPN, which the matcher's guard must see whatever else the
 * record lacks (a postcode or a sex alone is not worth keeping: no
 * blocking rule finds it, and it guards nothing). */
int comparison_useful(const struct match_record *r);

/*
 * The job's comparison records while the deterministic stage runs: what
 * anonymise/record.c keeps of each row for the matcher, until the
 * deterministic persons exist to become the matcher's groups
 * (anonymise/prob_link.h). A record is kept in 152 bytes: its hashes
 * folded to 32 bits (as the matcher stores them: match.h; equal values
 * stay equal, and two different values become equal with probability
 * 2^-32), its anchors and its two Bloom filters; extra identifiers
 * beside it. Identical records are kept once -- the rows of one person's
 * spells in one source say the same thing -- so a row holds only the
 * record's number (struct pseudonymous_record.comparison).
 *
 *     struct comparison_list l;
 *     comparison_list_init(&l, nextra);
 *     per row: i = comparison_list_add(&l, &rec)     -- folded: an earlier i
 *     comparison_list_append(&all, &l)  -> the offset of l's records in all
 *     comparison_list_get(&all, i, &rec)             -- group MATCH_NO_GROUP
 *     comparison_list_release(&all);
 */
#define COMPARISON_NONE UINT32_MAX

struct comparison_stored;

struct comparison_list {
    struct comparison_stored *r;
    uint32_t *extra;  /* n x nextra */
    uint32_t *scope;  /* per record its id scope's person + 1 (0: none);
                         NULL while no record has one */
    size_t n, alloc;
    unsigned nextra;
    uint32_t *fold;   /* index + 1, open addressing; NULL once appended */
    size_t fold_cap;
    uint64_t folded;  /* adds that found an identical record */
};

/* An empty list for records with nextra extra identifiers. */
void comparison_list_init(struct comparison_list *l, unsigned nextra);

/* Adds r (its group is not kept) and returns its index, an earlier
 * identical record's, or CE_NOMEM. */
long comparison_list_add(struct comparison_list *l,
                         const struct match_record *r);

/* As comparison_list_add(), for a row of an id scope: scope_person is
 * the id's number (scope_index_person()), kept beside the record for
 * person assembly (scope_assembly.h); records of two ids are never
 * folded into one. */
long comparison_list_add_scoped(struct comparison_list *l,
                                const struct match_record *r,
                                uint32_t scope_person);

/* Record i as the matcher takes it, group MATCH_NO_GROUP. */
void comparison_list_get(const struct comparison_list *l, size_t i,
                         struct match_record *out);

/* Record i's id-scope person + 1, or 0 when it has none. */
uint32_t comparison_list_scope(const struct comparison_list *l, size_t i);

/* Overwrites record i with r, folded as comparison_list_add() stores it
 * (person assembly completes records in place). Only on a list that was
 * appended to (no folding index), or after the last add. */
void comparison_list_set(struct comparison_list *l, size_t i,
                         const struct match_record *r);

/* Moves src's records after dst's (src is released, even on failure) and
 * frees dst's folding index: records of different lists are not folded.
 * Returns the index src's first record has in dst, or CE_NOMEM. */
long comparison_list_append(struct comparison_list *dst,
                            struct comparison_list *src);

/* Bytes the list holds now. */
size_t comparison_list_bytes(const struct comparison_list *l);

/* Wipes nothing (it holds keyed hashes only) and frees everything. */
void comparison_list_release(struct comparison_list *l);

#endif
