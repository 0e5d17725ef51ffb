/*
 * hash.c - open addressing over dense entries (hash.h says why). An
 * allocation failure leaves the table as it was: every buffer is grown
 * before anything points into it.
 */
#include "hash.h"
#include "error.h"

#include <stdlib.h>
#include <string.h>

struct hash_entry {
    uint64_t hash;
    size_t off;          /* into keys */
    size_t len;
};

/* Slots hold index + 1 in 32 bits; one value is kept for "empty". */
#define HASH_MAX_KEYS ((size_t)UINT32_MAX - 1)

#ifdef COHORT_TESTING
uint64_t hash_test_mask = UINT64_MAX;
#define HASH_MASK hash_test_mask
#else
#define HASH_MASK UINT64_MAX
#endif

uint64_t
hash_bytes(const void *p, size_t len)
{
    const unsigned char *s = p;
    uint64_t h = 14695981039346656037ULL;
    size_t i;

    for (i = 0; i < len; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    /* FNV's low bits mix poorly for short keys that differ in their last
     * byte; the slots are picked by the low bits */
    h ^= h >> 32;
    return h & HASH_MASK;
}

void
hash_table_init(struct hash_table *h)
{
    memset(h, 0, sizeof(*h));
}

void
hash_table_release(struct hash_table *h)
{
    free(h->slots);
    free(h->entries);
    free(h->keys);
    hash_table_init(h);
}

/* The slot holding the key, or the empty slot where it belongs. */
static size_t
probe(const struct hash_table *h, uint64_t hv, const void *key, size_t len)
{
    size_t mask = h->nslots - 1, i = (size_t)hv & mask;

    for (;; i = (i + 1) & mask) {
        uint32_t k = h->slots[i];
        const struct hash_entry *e;

        if (!k)
            return i;
        e = &h->entries[k - 1];
        if (e->hash == hv && e->len == len &&
            (len == 0 || !memcmp(h->keys + e->off, key, len)))
            return i;
    }
}

static int
grow_slots(struct hash_table *h)
{
    size_t ns = h->nslots ? h->nslots * 2 : 16, i;
    uint32_t *slots;

    if (ns > SIZE_MAX / sizeof(*slots))
        return CE_NOMEM;
    slots = calloc(ns, sizeof(*slots));
    if (!slots)
        return CE_NOMEM;
    for (i = 0; i < h->n; i++) {
        size_t s = (size_t)h->entries[i].hash & (ns - 1);

        while (slots[s])
            s = (s + 1) & (ns - 1);
        slots[s] = (uint32_t)i + 1;
    }
    free(h->slots);
    h->slots = slots;
    h->nslots = ns;
    return 0;
}

/* Room for one more entry and len + 1 more key bytes. */
static int
reserve(struct hash_table *h, size_t len)
{
    if (h->n >= HASH_MAX_KEYS || len >= SIZE_MAX - h->keys_len - 1)
        return CE_NOMEM;
    if (h->n == h->alloc) {
        size_t na = h->alloc ? h->alloc * 2 : 16;
        struct hash_entry *e;

        if (na > SIZE_MAX / sizeof(*e))
            return CE_NOMEM;
        if (!(e = realloc(h->entries, na * sizeof(*e))))
            return CE_NOMEM;
        h->entries = e;
        h->alloc = na;
    }
    if (h->keys_len + len + 1 > h->keys_alloc) {
        size_t na = h->keys_alloc ? h->keys_alloc : 256;
        unsigned char *k;

        while (na < h->keys_len + len + 1)
            na = na > SIZE_MAX / 2 ? h->keys_len + len + 1 : na * 2;
        if (!(k = realloc(h->keys, na)))
            return CE_NOMEM;
        h->keys = k;
        h->keys_alloc = na;
    }
    if ((h->n + 1) * 2 > h->nslots)
        return grow_slots(h);
    return 0;
}

int
hash_table_intern(struct hash_table *h, const void *key, size_t len,
                  size_t *index)
{
    uint64_t hv = hash_bytes(key, len);
    struct hash_entry *e;
    size_t s;

    if (h->nslots) {
        s = probe(h, hv, key, len);
        if (h->slots[s]) {
            *index = h->slots[s] - 1;
            return 0;
        }
    }
    if (reserve(h, len) < 0)
        return CE_NOMEM;
    /* the slots may have grown: probe again */
    s = probe(h, hv, key, len);
    e = &h->entries[h->n];
    e->hash = hv;
    e->off = h->keys_len;
    e->len = len;
    if (len)
        memcpy(h->keys + h->keys_len, key, len);
    h->keys[h->keys_len + len] = '\0';
    h->keys_len += len + 1;
    h->slots[s] = (uint32_t)h->n + 1;
    *index = h->n++;
    return 1;
}

int
hash_table_find(const struct hash_table *h, const void *key, size_t len,
                size_t *index)
{
    size_t s;

    if (!h->nslots)
        return 0;
    s = probe(h, hash_bytes(key, len), key, len);
    if (!h->slots[s])
        return 0;
    *index = h->slots[s] - 1;
    return 1;
}

const char *
hash_table_key(const struct hash_table *h, size_t index, size_t *len)
{
    const struct hash_entry *e = &h->entries[index];

    if (len)
        *len = e->len;
    return (const char *)h->keys + e->off;
}
