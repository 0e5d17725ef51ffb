#include "scope.h"

#include "../core/error.h"

#include <stdlib.h>
#include <string.h>

#define CONFLICT_NHS 1u
#define CONFLICT_DOB 2u

struct scope_slot {
    unsigned char id[16];    /* keyed hash; all zero: an empty slot */
    uint64_t nhs;            /* first NHS anchor seen, 0: none yet */
    uint64_t dob;            /* first date-of-birth anchor seen */
    uint16_t scope;
    uint8_t used;
    uint8_t conflicts;       /* CONFLICT_* already counted for this id */
};

int
scope_index_init(struct scope_index *x, size_t nscopes)
{
    memset(x, 0, sizeof(*x));
    x->cap = 1024;
    x->slots = calloc(x->cap, sizeof(*x->slots));
    x->stats = calloc(nscopes ? nscopes : 1, sizeof(*x->stats));
    x->nscopes = nscopes;
    if (!x->slots || !x->stats) {
        scope_index_release(x);
        return CE_NOMEM;
    }
    return 0;
}

/* The slot for (scope, id): found, or the empty one where it belongs. */
static struct scope_slot *
probe(struct scope_slot *slots, size_t cap, int scope,
      const unsigned char id[16])
{
    uint64_t h;
    size_t i;

    /* id is a keyed hash already: its first bytes are uniform */
    memcpy(&h, id, sizeof(h));
    for (i = (size_t)h & (cap - 1);; i = (i + 1) & (cap - 1)) {
        struct scope_slot *s = &slots[i];

        if (!s->used || (s->scope == (uint16_t)scope && !memcmp(s->id, id, 16)))
            return s;
    }
}

static int
grow(struct scope_index *x)
{
    size_t cap = x->cap * 2, i;
    struct scope_slot *slots = calloc(cap, sizeof(*slots));

    if (!slots)
        return CE_NOMEM;
    for (i = 0; i < x->cap; i++)
        if (x->slots[i].used)
            *probe(slots, cap, x->slots[i].scope, x->slots[i].id) =
                x->slots[i];
    free(x->slots);
    x->slots = slots;
    x->cap = cap;
    return 0;
}

/* Compares a row's anchors with the id's first ones; counts each kind of
 * conflict once per id. */
static void
observe(struct scope_index *x, struct scope_slot *s, uint64_t nhs,
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
    struct scope_slot *s;

    if (scope < 0 || (size_t)scope >= x->nscopes)
        return CE_INTERNAL;
    if ((x->n + 1) * 2 > x->cap && grow(x) < 0)
        return CE_NOMEM;
    s = probe(x->slots, x->cap, scope, id);
    if (!s->used) {
        memcpy(s->id, id, 16);
        s->scope = (uint16_t)scope;
        s->used = 1;
        x->n++;
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
    struct scope_slot *s;

    if (scope < 0 || (size_t)scope >= x->nscopes)
        return 0;
    s = probe(x->slots, x->cap, scope, id);
    if (!s->used) {
        x->stats[scope].events_orphaned++;
        return 0;
    }
    x->stats[scope].events_joined++;
    observe(x, s, nhs, dob);
    return 1;
}

void
scope_index_release(struct scope_index *x)
{
    free(x->slots);
    free(x->stats);
    memset(x, 0, sizeof(*x));
}
