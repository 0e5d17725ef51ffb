#include "bloom.h"

#include <sodium.h>
#include <string.h>

/* crypto_shorthash_siphashx24 gives 16 bytes: BLOOM_K one-byte positions
 * (BLOOM_BITS = 256) come from one call per bigram. */
#if BLOOM_BITS != 256 || BLOOM_K > crypto_shorthash_siphashx24_BYTES
#error "bloom positions are one byte of one SipHash-x24 output each"
#endif

void
bloom_key_derive(struct bloom_key *bk, const struct cohort_key *k,
                 enum bloom_field field)
{
    key_bloom_subkey(k, (uint64_t)field, bk->k);
}

void
bloom_key_wipe(struct bloom_key *bk)
{
    sodium_memzero(bk, sizeof(*bk));
}

void
bloom_encode(struct bloom *out, const struct bloom_key *bk, const char *name,
             size_t len)
{
    unsigned char pair[2], h[crypto_shorthash_siphashx24_BYTES];
    size_t i;
    int j;

    memset(out, 0, sizeof(*out));
    if (!len)
        return;
    /* bigrams of " " name " ": len + 1 of them */
    for (i = 0; i <= len; i++) {
        pair[0] = i ? (unsigned char)name[i - 1] : ' ';
        pair[1] = i < len ? (unsigned char)name[i] : ' ';
        crypto_shorthash_siphashx24(h, pair, sizeof(pair), bk->k);
        for (j = 0; j < BLOOM_K; j++)
            out->w[h[j] >> 6] |= (uint64_t)1 << (h[j] & 63);
    }
    sodium_memzero(pair, sizeof(pair));
    sodium_memzero(h, sizeof(h));
}

double
bloom_dice(const struct bloom *a, const struct bloom *b)
{
    unsigned ca = bloom_count(a), cb = bloom_count(b);

    if (!ca || !cb)
        return BLOOM_NO_EVIDENCE;
    return 2.0 * bloom_common(a, b) / (double)(ca + cb);
}

int
bloom_dice_at_least(const struct bloom *a, unsigned ca, const struct bloom *b,
                    unsigned cb, unsigned pct)
{
    if (!ca || !cb)
        return 0;
    return 200u * bloom_common(a, b) >= pct * (ca + cb);
}
