/*
 * bloom.h - keyed Bloom-filter encodings of names (the cryptographic
 * long-term key, CLK, of Schnell, Bachteler and Reiher, 2009), so that
 * the probabilistic linker can tell "Jonathan" from "Jonathon" from
 * "Priya" without the plaintext: two names that share most of their
 * letter pairs share most of their bits.
 *
 * A normalised name (transform/normalise.h: lower-case letters, digits
 * and single spaces) is padded with one space on each side and split into
 * its bigrams ("amy" -> " a", "am", "my", "y "). Each distinct bigram sets
 * BLOOM_K bits of a BLOOM_BITS-bit filter; the positions are the first
 * BLOOM_K bytes of SipHash-2-4 (128-bit output, crypto_shorthash_siphashx24)
 * of the bigram under a 16-byte subkey. Filters are compared by their Dice
 * coefficient 2|A and B| / (|A| + |B|), with popcounts.
 *
 * Sizes (l = BLOOM_BITS = 256, k = BLOOM_K = 4). The whole probabilistic
 * stage may cost at most ~200 bytes per person (issue 15), and a
 * comparison record holds two filters (forename, surname): 2 x 32 bytes is
 * what fits beside the hashes, 2 x 64 would not. The published settings
 * (l = 1000, k = 20-30) are chosen against frequency attacks on filters
 * that are handed to a third party; ours never leave the process, so k is
 * chosen for accuracy alone. Two unrelated bigrams share k*k/l bits on
 * average, so the Dice of unrelated names is inflated by about
 * (bigrams x k / l): with 8 bigrams, 0.125 at k = 4 against 0.25 at k = 8
 * -- and a small k keeps a one-typo pair's Dice close to its bigram Dice
 * (tests/unit/test_bloom.c measures both). A name of 60 bigrams still
 * leaves 40 % of the bits clear.
 *
 * Keys: one subkey per field kind, from crypto_kdf under the context
 * "cohortbf", so a filter under one kind says nothing about another and
 * none equals a match-key or linkage hash. Forenames and surnames share
 * the one kind BLOOM_FIELD_NAME on purpose: the linker compares a
 * forename with the other record's surname to find swapped names, which
 * needs the same bigram to set the same bits in both.
 *
 * An empty name sets no bit, and a filter with no bit is "no evidence":
 * bloom_dice() says so instead of returning 0.
 *
 *     struct bloom_key bk;
 *     bloom_key_derive(&bk, &key, BLOOM_FIELD_NAME);
 *     per name: bloom_encode(&f, &bk, name, strlen(name));
 *     bloom_dice(&f, &g) -> 0..1, or BLOOM_NO_EVIDENCE
 *     bloom_key_wipe(&bk);
 */
#ifndef COHORT_BLOOM_H
#define COHORT_BLOOM_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"

#define BLOOM_BITS 256
#define BLOOM_WORDS (BLOOM_BITS / 64)
#define BLOOM_K 4

/* What bloom_dice() returns when either filter is empty. */
#define BLOOM_NO_EVIDENCE (-1.0)

/* Field kinds, the crypto_kdf subkey id of each (never 0). */
enum bloom_field {
    BLOOM_FIELD_NAME = 1,    /* forename and surname alike, see above */
    BLOOM_FIELD_ADDRESS = 2, /* free-text address lines */
};

struct bloom {
    uint64_t w[BLOOM_WORDS];
};

/* A field kind's 16-byte SipHash key. Keep it in memory the caller wipes
 * (bloom_key_wipe). */
struct bloom_key {
    unsigned char k[16];
};

/* Derives field's subkey from the job's key. */
void bloom_key_derive(struct bloom_key *bk, const struct cohort_key *k,
                      enum bloom_field field);

/* Wipes a subkey. */
void bloom_key_wipe(struct bloom_key *bk);

/*
 * Encodes name[0..len) into out (every bit cleared first). A name of no
 * bytes sets no bit. The bigram buffer and the hash outputs are wiped
 * before return; name itself is the caller's to wipe.
 */
void bloom_encode(struct bloom *out, const struct bloom_key *bk,
                  const char *name, size_t len);

/* Bits set in one word (SWAR: __builtin_popcountll is a libgcc call
 * without -mpopcnt, which the portable build does not assume). Inline,
 * with the two below, because the linker calls them for every compared
 * pair. */
static inline unsigned
bloom_popcount64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

/* Bits set in b (0 .. BLOOM_BITS). */
static inline unsigned
bloom_count(const struct bloom *b)
{
    unsigned n = 0;
    int i;

    for (i = 0; i < BLOOM_WORDS; i++)
        n += bloom_popcount64(b->w[i]);
    return n;
}

/* Bits set in both a and b. */
static inline unsigned
bloom_common(const struct bloom *a, const struct bloom *b)
{
    unsigned n = 0;
    int i;

    for (i = 0; i < BLOOM_WORDS; i++)
        n += bloom_popcount64(a->w[i] & b->w[i]);
    return n;
}

/* The Dice coefficient of a and b, 0..1; BLOOM_NO_EVIDENCE when either is
 * empty (a missing name is no evidence either way, not a disagreement). */
double bloom_dice(const struct bloom *a, const struct bloom *b);

/*
 * Whether Dice(a, b) >= pct / 100, in integers (so a threshold never
 * depends on rounding), given the two popcounts ca = bloom_count(a) and
 * cb = bloom_count(b) the caller may have kept. 0 when either is empty.
 */
int bloom_dice_at_least(const struct bloom *a, unsigned ca,
                        const struct bloom *b, unsigned cb, unsigned pct);

#endif
