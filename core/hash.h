/*
 * hash.h - the one hash table: byte-string keys (a label, a postcode, a
 * tuple of category indexes, a keyed id) interned to dense indexes 0, 1,
 * 2, ... in the order they were first added. Whatever a caller keeps per
 * key (a count, a cell key, a ward) lives in its own arrays, indexed the
 * same way, so the table never needs to know a value's type.
 *
 * Open addressing with linear probing over a power-of-two array of slots,
 * at most half full; each entry keeps its full 64-bit hash, so growing
 * rehashes nothing and a probe compares keys only when the hashes match.
 * The keys are copied, back to back, into one buffer owned by the table
 * (each followed by a NUL, so a string key reads back as a C string).
 * Memory grows with the distinct keys, never with the calls.
 *
 * Calling sequence:
 *     struct hash_table h;
 *     hash_table_init(&h);
 *     rc = hash_table_intern(&h, key, len, &i);  -> 1 new, 0 known, CE_NOMEM
 *     if (hash_table_find(&h, key, len, &i)) ... i is the key's index
 *     for (i = 0; i < h.n; i++) hash_table_key(&h, i, &len) ...
 *     hash_table_release(&h);
 *
 * Lookups (hash_table_find, hash_table_key) only read the table: any
 * number of threads may look up at once while no one adds.
 *
 * The hash is FNV-1a, unkeyed: a table fed keys an adversary chose could
 * be made to probe long. Every table of ours is keyed by configuration, a
 * lookup file, an analyst's own table or keyed hashes.
 */
#ifndef COHORT_HASH_H
#define COHORT_HASH_H

#include <stddef.h>
#include <stdint.h>

struct hash_entry;

struct hash_table {
    uint32_t *slots;              /* entry index + 1; 0 is an empty slot */
    size_t nslots;                /* 0 or a power of two */
    struct hash_entry *entries;   /* per index, in the order added */
    size_t n;                     /* keys held: indexes 0 .. n - 1 */
    size_t alloc;                 /* entries allocated */
    unsigned char *keys;          /* every key's bytes and a NUL */
    size_t keys_len, keys_alloc;
};

/* An empty table; allocates nothing until the first key. */
void hash_table_init(struct hash_table *h);

/*
 * Sets *index to key's index (len bytes at key; len may be 0), adding the
 * key when it is new. Returns 1 when added, 0 when it was there, CE_NOMEM
 * (the table unchanged) when memory or the 2^32 - 2 keys ran out.
 */
int hash_table_intern(struct hash_table *h, const void *key, size_t len,
                      size_t *index);

/* 1 with *index set when key is in the table, else 0. Reads h only. */
int hash_table_find(const struct hash_table *h, const void *key, size_t len,
                    size_t *index);

/*
 * The key of index (< h->n), NUL-terminated, its length in *len when len
 * is not NULL. Owned by the table: valid until the next intern or the
 * release.
 */
const char *hash_table_key(const struct hash_table *h, size_t index,
                           size_t *len);

/* Frees everything the table holds and leaves it empty (initialised). */
void hash_table_release(struct hash_table *h);

/* The 64-bit FNV-1a hash of len bytes at p. */
uint64_t hash_bytes(const void *p, size_t len);

#ifdef COHORT_TESTING
/* Test builds: hash_bytes() is ANDed with this (all ones by default), so
 * a test can make every key collide (0) or most of them (a few bits). */
extern uint64_t hash_test_mask;
#endif

#endif
