#include "scope.h"

#include "../core/error.h"

#include <stdlib.h>
#include <string.h>

#define CONFLICT_NHS 1u
#define CONFLICT_DOB 2u

/* What the index keeps per id, besides the id itself (the key). */
struct scope_id {
    uint64_t nhs;            /* first NHS anchor seen, 0: none yet */
    uint64_t dob;            /* first date-of-birth anchor seen */
    uint16_t scope;
    uint8_t conflicts;       /* CONFLICT_* already counted for this id */
};

/* The hash key of (scope, id): ids of different scopes never meet. */
struct scope_key {
    unsigned char id[16];    /* keyed hash */
    uint16_t scope;
};

static struct scope_key
key_of(int scope, const unsigned char id[16])
{
    struct scope_key k;

    memset(&k, 0, sizeof(k));
    memcpy(k.id, id, 16);
    k.scope = (uint16_t)scope;
    return k;
}

int
scope_index_init(struct scope_index *x, size_t nscopes)
{
    memset(x, 0, sizeof(*x));
    hash_table_init(&x->ids);
    hash_table_init(&x->households);
    x->stats = calloc(nscopes ? nscopes : 1, sizeof(*x->stats));
    x->nscopes = nscopes;
    if (!x->stats) {
        scope_index_release(x);
        return CE_NOMEM;
    }
    return 0;
}

/* Compares a row's anchors with the id's first ones; counts each kind of
 * conflict once per id. */
static void
observe(struct scope_index *x, struct scope_id *s, uint64_t nhs,
        uint64_t dob)
{
    struct scope_stats *st = &x->stats[s->scope];

    if (nhs) {
        if (!s->nhs)
            s->nhs = nhs;
        else if (s->nhs != nhs && !(s->conflicts & CONFLICT_NHS)) {
            s->conflicts |= CONFLICT_NHS;
            st->nhs_conflicts++;
        }
    }
    if (dob) {
        if (!s->dob)
            s->dob = dob;
        else if (s->dob != dob && !(s->conflicts & CONFLICT_DOB)) {
            s->conflicts |= CONFLICT_DOB;
            st->dob_conflicts++;
        }
    }
}

int
scope_index_header(struct scope_index *x, int scope,
                   const unsigned char id[16], uint64_t nhs, uint64_t dob)
{
    struct scope_key k;
    struct scope_id *s;
    size_t i;
    int rc;

    if (scope < 0 || (size_t)scope >= x->nscopes)
        return CE_INTERNAL;
    if (x->ids.n == x->alloc) {
        size_t na = x->alloc ? x->alloc * 2 : 1024;
        struct scope_id *p = realloc(x->per_id, na * sizeof(*p));

        if (!p)
            return CE_NOMEM;
        x->per_id = p;
        x->alloc = na;
    }
    k = key_of(scope, id);
    if ((rc = hash_table_intern(&x->ids, &k, sizeof(k), &i)) < 0)
        return CE_NOMEM;
    s = &x->per_id[i];
    if (rc == 1) {
        memset(s, 0, sizeof(*s));
        s->scope = (uint16_t)scope;
        x->stats[scope].ids++;
    }
    x->stats[scope].header_rows++;
    observe(x, s, nhs, dob);
    return 0;
}

int
scope_index_event(struct scope_index *x, int scope, const unsigned char id[16],
                  uint64_t nhs, uint64_t dob)
{
    struct scope_key k;
    size_t i;

    if (scope < 0 || (size_t)scope >= x->nscopes)
        return 0;
    k = key_of(scope, id);
    if (!hash_table_find(&x->ids, &k, sizeof(k), &i)) {
        x->stats[scope].events_orphaned++;
        return 0;
    }
    x->stats[scope].events_joined++;
    observe(x, &x->per_id[i], nhs, dob);
    return 1;
}

int
scope_index_household(struct scope_index *x, const unsigned char id[16],
                      uint32_t *number)
{
    size_t i;

    if (hash_table_intern(&x->households, id, 16, &i) < 0 ||
        i >= UINT32_MAX / 2)
        return CE_NOMEM;
    *number = (uint32_t)i + 1;
    return 0;
}

long
scope_index_person(const struct scope_index *x, int scope,
                   const unsigned char id[16])
{
    struct scope_key k;
    size_t i;

    if (scope < 0 || (size_t)scope >= x->nscopes)
        return -1;
    k = key_of(scope, id);
    return hash_table_find(&x->ids, &k, sizeof(k), &i) ? (long)i : -1;
}

void
scope_index_release(struct scope_index *x)
{
    hash_table_release(&x->ids);
    hash_table_release(&x->households);
    free(x->per_id);
    free(x->stats);
    memset(x, 0, sizeof(*x));
}
