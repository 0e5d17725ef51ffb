#include "link.h"

#include "../core/error.h"

#include <stdlib.h>
#include <string.h>

struct link_entry {
    unsigned char hash[16];
    uint32_t record; /* a record's index, or LINK_PROBE | a probe's index */
};

/* Probes share the entries with records, marked by the top bit: a probe
 * stands for its hash only until a record has it (group_key()), so the
 * records' unions are made in the order and with the results they have
 * without probes. */
#define LINK_PROBE 0x80000000u

int
linker_init(struct linker *l, size_t nkeys)
{
    memset(l, 0, sizeof(*l));
    l->nkeys = nkeys;
    l->entries = calloc(nkeys ? nkeys : 1, sizeof(*l->entries));
    l->nentries = calloc(nkeys ? nkeys : 1, sizeof(size_t));
    l->entry_alloc = calloc(nkeys ? nkeys : 1, sizeof(size_t));
    l->stats = calloc(nkeys ? nkeys : 1, sizeof(*l->stats));
    l->last = calloc(nkeys ? nkeys : 1, sizeof(*l->last));
    if (!l->entries || !l->nentries || !l->entry_alloc || !l->stats ||
        !l->last) {
        linker_release(l);
        return CE_NOMEM;
    }
    return 0;
}

/* Adds id's entry to every key present. 0 or CE_NOMEM. */
static int
add_entries(struct linker *l, const unsigned char (*hashes)[16],
            const uint8_t *present, uint32_t id)
{
    size_t k;

    for (k = 0; k < l->nkeys; k++) {
        struct link_entry *e;

        if (!present[k])
            continue;
        if (l->nentries[k] == l->entry_alloc[k]) {
            size_t na = l->entry_alloc[k] ? l->entry_alloc[k] * 2 : 65536;

            e = realloc(l->entries[k], na * sizeof(*e));
            if (!e)
                return CE_NOMEM;
            l->entries[k] = e;
            l->entry_alloc[k] = na;
        }
        e = &l->entries[k][l->nentries[k]++];
        memcpy(e->hash, hashes[k], 16);
        e->record = id;
    }
    return 0;
}

/* 1 when the record (hashes, present, a) is the last one added again:
 * some key present, and every key, presence and anchor the same. */
static int
same_as_last(const struct linker *l, const unsigned char (*hashes)[16],
             const uint8_t *present, const struct link_anchors *a)
{
    size_t k, any = 0;

    if (!l->last_present || !l->nrecords)
        return 0;
    if (a ? memcmp(a, &l->last_anchors, sizeof(*a))
          : (l->last_anchors.nhs || l->last_anchors.upn))
        return 0;
    for (k = 0; k < l->nkeys; k++) {
        if (!present[k] != !l->last_present[k])
            return 0;
        if (present[k] && memcmp(hashes[k], l->last[k], 16))
            return 0;
        any |= present[k] != 0;
    }
    /* rows with no key are never one another: each could be anyone */
    return any != 0;
}

/* Remembers the record just added as the last one. 0 or CE_NOMEM. */
static int
keep_last(struct linker *l, const unsigned char (*hashes)[16],
          const uint8_t *present, const struct link_anchors *a)
{
    size_t k;

    if (!l->last_present && !(l->last_present = calloc(l->nkeys + 1, 1)))
        return CE_NOMEM;
    for (k = 0; k < l->nkeys; k++) {
        l->last_present[k] = present[k] != 0;
        if (present[k])
            memcpy(l->last[k], hashes[k], 16);
    }
    if (a)
        l->last_anchors = *a;
    else
        memset(&l->last_anchors, 0, sizeof(l->last_anchors));
    return 0;
}

long
linker_add(struct linker *l, const unsigned char (*hashes)[16],
           const uint8_t *present, const struct link_anchors *a)
{
    size_t k;
    int twin;

    if (l->nrecords >= LINK_PROBE - 16)
        return CE_NOMEM;
    if (l->nrecords == l->record_alloc) {
        size_t na = l->record_alloc ? l->record_alloc * 2 : 65536;
        uint32_t *p = realloc(l->node, na * sizeof(*p));

        if (!p)
            return CE_NOMEM;
        l->node = p;
        l->record_alloc = na;
    }
    twin = same_as_last(l, hashes, present, a);
    for (k = 0; k < l->nkeys; k++)
        l->stats[k].records_with_key += present[k] != 0;
    if (twin) {
        /* one link of its strictest key, as uniting it would have been */
        for (k = 0; k < l->nkeys && !present[k]; k++)
            ;
        l->stats[k].links++;
        l->node[l->nrecords] = l->node[l->nrecords - 1];
        return (long)l->nrecords++;
    }
    if (l->nnodes == l->alloc) {
        size_t na = l->alloc ? l->alloc * 2 : 65536;
        struct link_anchors *p = realloc(l->anchors, na * sizeof(*p));

        if (!p)
            return CE_NOMEM;
        l->anchors = p;
        l->alloc = na;
    }
    if (add_entries(l, hashes, present, (uint32_t)l->nnodes) < 0 ||
        keep_last(l, hashes, present, a) < 0)
        return CE_NOMEM;
    if (a)
        l->anchors[l->nnodes] = *a;
    else
        memset(&l->anchors[l->nnodes], 0, sizeof(*a));
    l->node[l->nrecords] = (uint32_t)l->nnodes++;
    return (long)l->nrecords++;
}

long
linker_add_probe(struct linker *l, const unsigned char (*hashes)[16],
                 const uint8_t *present)
{
    if (l->nprobes >= LINK_PROBE - 16)
        return CE_NOMEM;
    if (add_entries(l, hashes, present, LINK_PROBE | (uint32_t)l->nprobes) < 0)
        return CE_NOMEM;
    return (long)l->nprobes++;
}

/* An entry's id moved past dst's records (off) or probes (poff). */
static uint32_t
shift_id(uint32_t id, size_t off, size_t poff)
{
    return id & LINK_PROBE ? id + (uint32_t)poff : id + (uint32_t)off;
}

/* Appends src's records' nodes after dst's, numbered past dst's nodes.
 * 0 or CE_NOMEM. */
static int
append_nodes(struct linker *dst, const struct linker *src)
{
    size_t i, r = dst->nrecords, n = src->nrecords;

    if (r + n > dst->record_alloc) {
        uint32_t *p = realloc(dst->node, (r + n + 1) * sizeof(*p));

        if (!p)
            return CE_NOMEM;
        dst->node = p;
        dst->record_alloc = r + n + 1;
    }
    for (i = 0; i < n; i++)
        dst->node[r + i] = src->node[i] + (uint32_t)dst->nnodes;
    return 0;
}

/* dst takes src's statistics (added) and its last record. */
static void
append_stats(struct linker *dst, struct linker *src)
{
    size_t k;

    for (k = 0; k < dst->nkeys; k++) {
        dst->stats[k].records_with_key += src->stats[k].records_with_key;
        dst->stats[k].links += src->stats[k].links;
        dst->stats[k].conflicts += src->stats[k].conflicts;
    }
    if (src->nrecords && src->last_present) {
        unsigned char (*t)[16] = dst->last;

        free(dst->last_present);
        dst->last_present = src->last_present;
        src->last_present = NULL;
        dst->last = src->last;
        src->last = t;
        dst->last_anchors = src->last_anchors;
    }
}

int
linker_append(struct linker *dst, struct linker *src)
{
    size_t k, i, off = dst->nnodes, n = src->nnodes;
    size_t poff = dst->nprobes;
    int rc = 0;

    if (dst->nkeys != src->nkeys ||
        dst->nrecords + src->nrecords >= LINK_PROBE - 16 ||
        poff + src->nprobes >= LINK_PROBE - 16) {
        rc = CE_NOMEM;
        goto out;
    }
    if ((rc = append_nodes(dst, src)) < 0)
        goto out;
    for (k = 0; k < dst->nkeys; k++) {
        size_t a = dst->nentries[k], b = src->nentries[k];
        struct link_entry *e;

        if (!b)
            continue;
        if (!a) {
            /* nothing to shift by when dst is empty: take the array */
            for (i = 0; (off || poff) && i < b; i++)
                src->entries[k][i].record =
                    shift_id(src->entries[k][i].record, off, poff);
            free(dst->entries[k]);
            dst->entries[k] = src->entries[k];
            dst->entry_alloc[k] = src->entry_alloc[k];
            dst->nentries[k] = b;
            src->entries[k] = NULL;
            continue;
        }
        if (a + b > dst->entry_alloc[k]) {
            e = realloc(dst->entries[k], (a + b) * sizeof(*e));
            if (!e) {
                rc = CE_NOMEM;
                goto out;
            }
            dst->entries[k] = e;
            dst->entry_alloc[k] = a + b;
        }
        e = dst->entries[k] + a;
        for (i = 0; i < b; i++) {
            e[i] = src->entries[k][i];
            e[i].record = shift_id(e[i].record, off, poff);
        }
        dst->nentries[k] = a + b;
        /* each key's array freed as soon as it is copied keeps the peak
         * near one copy of the whole */
        free(src->entries[k]);
        src->entries[k] = NULL;
    }
    if (!off) {
        free(dst->anchors);
        dst->anchors = src->anchors;
        dst->alloc = src->alloc;
        src->anchors = NULL;
    } else if (n) {
        if (off + n > dst->alloc) {
            struct link_anchors *p = realloc(dst->anchors,
                                             (off + n) * sizeof(*p));

            if (!p) {
                rc = CE_NOMEM;
                goto out;
            }
            dst->anchors = p;
            dst->alloc = off + n;
        }
        memcpy(dst->anchors + off, src->anchors, n * sizeof(*src->anchors));
    }
    dst->nrecords += src->nrecords;
    dst->nnodes = off + n;
    dst->nprobes = poff + src->nprobes;
    append_stats(dst, src);
out:
    linker_release(src);
    return rc;
}

static uint32_t
find(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

/* Joins the persons of a and b unless their anchors disagree: -1 refused,
 * 0 already one person, 1 joined. The root keeps both anchors. */
static int
unite(struct linker *l, uint32_t a, uint32_t b)
{
    uint32_t ra = find(l->parent, a), rb = find(l->parent, b);
    struct link_anchors *x, *y;

    if (ra == rb)
        return 0;
    x = &l->anchors[ra];
    y = &l->anchors[rb];
    if ((x->nhs && y->nhs && x->nhs != y->nhs) ||
        (x->upn && y->upn && x->upn != y->upn))
        return -1;
    /* union by rank; ties go to the smaller index, so it is deterministic */
    if (l->rank[rb] > l->rank[ra] ||
        (l->rank[rb] == l->rank[ra] && rb < ra)) {
        uint32_t t = ra;

        ra = rb;
        rb = t;
        x = &l->anchors[ra];
        y = &l->anchors[rb];
    }
    if (l->rank[ra] == l->rank[rb])
        l->rank[ra]++;
    if (!x->nhs)
        x->nhs = y->nhs;
    if (!x->upn)
        x->upn = y->upn;
    l->parent[rb] = ra;
    return 1;
}

/* A probe's or node's place in the probes' union-find: nodes first. */
static uint32_t
probe_node(const struct linker *l, uint32_t id)
{
    return id & LINK_PROBE ? (uint32_t)l->nnodes + (id & ~LINK_PROBE) : id;
}

/* Joins two nodes of the probes' union-find, no guard: the smaller root
 * index stays the root, so classes do not depend on timing. */
static void
probe_unite(uint32_t *shadow, uint32_t a, uint32_t b)
{
    uint32_t ra = find(shadow, a), rb = find(shadow, b);

    if (ra < rb)
        shadow[rb] = ra;
    else if (rb < ra)
        shadow[ra] = rb;
}

/* The slot of a hash in a table of mask + 1 slots: its first 8 bytes
 * (a keyed hash: uniform) say where to start looking. */
static size_t
slot_of(const unsigned char hash[16], size_t mask)
{
    uint64_t h;

    memcpy(&h, hash, sizeof(h));
    return (size_t)h & mask;
}

/*
 * Joins the records of key k that share a hash, without sorting: the
 * entries are met in the order they were added (the records' order), and
 * an open-addressing table keeps, per hash, the entry that stands for it --
 * its first record, or its first probe until a record comes. Each later
 * record of the hash is united with that first record, as it was when the
 * entries were sorted by (hash, record); probes are only joined in the
 * shadow (its classes do not depend on the order of its unions). The
 * table is 4 bytes a slot at most two thirds full. 0 or CE_NOMEM.
 */
static int
group_key(struct linker *l, size_t k, uint32_t *shadow)
{
    const struct link_entry *e = l->entries[k];
    size_t n = l->nentries[k], cap = 16, mask, i, at;
    uint32_t *table;

    while (cap * 2 < n * 3)
        cap *= 2;
    if (!(table = malloc(cap * sizeof(*table))))
        return CE_NOMEM;
    memset(table, 0xFF, cap * sizeof(*table));
    mask = cap - 1;
    for (i = 0; i < n; i++) {
        uint32_t rep, rec = e[i].record;
        int r;

        for (at = slot_of(e[i].hash, mask);
             table[at] != UINT32_MAX && memcmp(e[table[at]].hash, e[i].hash, 16);
             at = (at + 1) & mask)
            ;
        if (table[at] == UINT32_MAX) {
            table[at] = (uint32_t)i;
            continue;
        }
        rep = e[table[at]].record;
        if (shadow)
            probe_unite(shadow, probe_node(l, rep), probe_node(l, rec));
        if (rec & LINK_PROBE)
            continue;
        if (rep & LINK_PROBE) {
            table[at] = (uint32_t)i; /* the hash's first record */
            continue;
        }
        r = unite(l, rep, rec);
        if (r > 0)
            l->stats[k].links++;
        else if (r < 0)
            l->stats[k].conflicts++;
    }
    free(table);
    return 0;
}

int
linker_run(struct linker *l)
{
    size_t k, i;
    uint32_t *root_person, *shadow = NULL;

    /* Per-record anchors become per-root anchors as unions happen, so a
     * record's own anchors must be kept apart from its root's. The anchors
     * array is indexed by root; before any union each record is its own. */
    l->parent = malloc((l->nnodes + 1) * sizeof(uint32_t));
    l->rank = calloc(l->nnodes + 1, 1);
    l->person = malloc((l->nnodes + 1) * sizeof(uint32_t));
    root_person = malloc((l->nnodes + 1) * sizeof(uint32_t));
    if (l->nprobes) {
        /* records and probes, joined through every shared hash */
        shadow = malloc((l->nnodes + l->nprobes) * sizeof(uint32_t));
        l->probe_class = malloc(l->nprobes * sizeof(uint32_t));
    }
    if (!l->parent || !l->person || !root_person || !l->rank ||
        (l->nprobes && (!shadow || !l->probe_class))) {
        free(root_person);
        free(shadow);
        return CE_NOMEM;
    }
    for (i = 0; i < l->nnodes; i++)
        l->parent[i] = (uint32_t)i;
    for (i = 0; shadow && i < l->nnodes + l->nprobes; i++)
        shadow[i] = (uint32_t)i;
    for (k = 0; k < l->nkeys; k++) {
        if (l->nentries[k] && group_key(l, k, shadow) < 0) {
            free(root_person);
            free(shadow);
            return CE_NOMEM;
        }
        /* the hashes of this key are no longer needed */
        free(l->entries[k]);
        l->entries[k] = NULL;
        l->nentries[k] = l->entry_alloc[k] = 0;
    }
    free(l->rank);
    l->rank = NULL;
    for (i = 0; i < l->nnodes; i++)
        root_person[i] = UINT32_MAX;
    l->npersons = 0;
    for (i = 0; i < l->nnodes; i++) {
        uint32_t r = find(l->parent, (uint32_t)i);

        if (root_person[r] == UINT32_MAX)
            root_person[r] = (uint32_t)l->npersons++;
        l->person[i] = root_person[r];
    }
    free(root_person);
    /* the union-find and the guard's anchors are done with: freed before
     * the probabilistic stage, whose allocations are the run's peak */
    free(l->parent);
    l->parent = NULL;
    free(l->anchors);
    l->anchors = NULL;
    l->alloc = 0;
    for (i = 0; i < l->nprobes; i++)
        l->probe_class[i] = find(shadow, (uint32_t)(l->nnodes + i));
    /* kept for linker_merge_persons(), which merges the classes too */
    l->shadow = shadow;
    return 0;
}

int
linker_merge_persons(struct linker *l, const uint32_t *label, size_t nlabels)
{
    uint32_t *map = malloc((nlabels + 1) * sizeof(*map));
    uint32_t *first = NULL, next = 0;
    size_t i;

    if (!map)
        return CE_NOMEM;
    if (l->shadow && !(first = malloc((nlabels + 1) * sizeof(*first)))) {
        free(map);
        return CE_NOMEM;
    }
    for (i = 0; i < nlabels; i++)
        map[i] = UINT32_MAX;
    /* nodes are numbered in order of their first record */
    for (i = 0; i < l->nnodes; i++) {
        uint32_t lab = label[l->person[i]];

        if (map[lab] == UINT32_MAX) {
            map[lab] = next++;
            if (first)
                first[map[lab]] = (uint32_t)i;
        }
        l->person[i] = map[lab];
        /* two nodes of one person: their probes' classes are one */
        if (first)
            probe_unite(l->shadow, (uint32_t)i, first[l->person[i]]);
    }
    l->npersons = next;
    for (i = 0; first && i < l->nprobes; i++)
        l->probe_class[i] = find(l->shadow, (uint32_t)(l->nnodes + i));
    free(map);
    free(first);
    return 0;
}

size_t
linker_npersons(const struct linker *l)
{
    return l->npersons;
}

uint32_t
linker_person(const struct linker *l, size_t record)
{
    return l->person[l->node[record]];
}

uint32_t
linker_probe_class(const struct linker *l, size_t probe)
{
    return l->probe_class[probe];
}

void
linker_key_stats(const struct linker *l, size_t key,
                 struct linker_key_stats *out)
{
    *out = l->stats[key];
}

void
linker_release(struct linker *l)
{
    size_t k;

    if (l->entries)
        for (k = 0; k < l->nkeys; k++)
            free(l->entries[k]);
    free(l->entries);
    free(l->nentries);
    free(l->entry_alloc);
    free(l->anchors);
    free(l->node);
    free(l->last);
    free(l->last_present);
    free(l->parent);
    free(l->rank);
    free(l->person);
    free(l->probe_class);
    free(l->shadow);
    free(l->stats);
    memset(l, 0, sizeof(*l));
}
