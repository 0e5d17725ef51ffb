#include "link.h"

#include "../core/error.h"

#include <stdlib.h>
#include <string.h>

struct link_entry {
    unsigned char hash[16];
    uint32_t record; /* a record's index, or LINK_PROBE | a probe's index */
};

/* Probes share the entries with records, marked by the top bit: they sort
 * after every record of their hash, so the records' unions are made in
 * the order and with the results they have without probes. */
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
    if (!l->entries || !l->nentries || !l->entry_alloc || !l->stats) {
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

long
linker_add(struct linker *l, const unsigned char (*hashes)[16],
           const uint8_t *present, const struct link_anchors *a)
{
    if (l->nrecords >= LINK_PROBE - 16)
        return CE_NOMEM;
    if (l->nrecords == l->alloc) {
        size_t na = l->alloc ? l->alloc * 2 : 65536;
        struct link_anchors *p = realloc(l->anchors, na * sizeof(*p));

        if (!p)
            return CE_NOMEM;
        l->anchors = p;
        l->alloc = na;
    }
    if (add_entries(l, hashes, present, (uint32_t)l->nrecords) < 0)
        return CE_NOMEM;
    if (a)
        l->anchors[l->nrecords] = *a;
    else
        memset(&l->anchors[l->nrecords], 0, sizeof(*a));
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

int
linker_append(struct linker *dst, struct linker *src)
{
    size_t k, i, off = dst->nrecords, n = src->nrecords;
    size_t poff = dst->nprobes;
    int rc = 0;

    if (dst->nkeys != src->nkeys || off + n >= LINK_PROBE - 16 ||
        poff + src->nprobes >= LINK_PROBE - 16) {
        rc = CE_NOMEM;
        goto out;
    }
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
    dst->nrecords = off + n;
    dst->nprobes = poff + src->nprobes;
out:
    linker_release(src);
    return rc;
}

static int
cmp_entry(const void *a, const void *b)
{
    const struct link_entry *x = a, *y = b;
    int c = memcmp(x->hash, y->hash, 16);

    if (c)
        return c;
    return x->record < y->record ? -1 : x->record > y->record;
}

/*
 * Sorts a key's entries by (hash, record): first by the hash's leading 16
 * bits into 65 536 buckets (one counting pass: the hashes are uniform, so
 * the buckets are even), then each bucket with qsort. The order is
 * cmp_entry's total order, the same as one qsort of the whole array, but
 * each element meets ~16 fewer comparison levels and the small buckets stay
 * in cache. Without memory for the bucket copy it falls back to one qsort.
 */
#define SORT_BUCKET_BITS 16
static void
sort_entries(struct link_entry *e, size_t n)
{
    const size_t nb = (size_t)1 << SORT_BUCKET_BITS;
    struct link_entry *tmp;
    size_t *start, i, b;

    if (n < 4 * nb) {
        qsort(e, n, sizeof(*e), cmp_entry);
        return;
    }
    start = calloc(nb + 1, sizeof(*start));
    tmp = malloc(n * sizeof(*tmp));
    if (!start || !tmp) {
        free(start);
        free(tmp);
        qsort(e, n, sizeof(*e), cmp_entry);
        return;
    }
    for (i = 0; i < n; i++)
        start[((size_t)e[i].hash[0] << 8 | e[i].hash[1]) + 1]++;
    for (b = 0; b < nb; b++)
        start[b + 1] += start[b];
    for (i = 0; i < n; i++) {
        b = (size_t)e[i].hash[0] << 8 | e[i].hash[1];
        tmp[start[b]++] = e[i];
    }
    /* start[b] is now the end of bucket b, the start of bucket b + 1 */
    for (b = 0; b < nb; b++) {
        size_t from = b ? start[b - 1] : 0;

        if (start[b] - from > 1)
            qsort(tmp + from, start[b] - from, sizeof(*tmp), cmp_entry);
    }
    memcpy(e, tmp, n * sizeof(*e));
    free(tmp);
    free(start);
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

/* A probe's or record's node in the probes' union-find: records first. */
static uint32_t
probe_node(const struct linker *l, uint32_t id)
{
    return id & LINK_PROBE ? (uint32_t)l->nrecords + (id & ~LINK_PROBE) : id;
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

int
linker_run(struct linker *l)
{
    size_t k, i, j;
    uint32_t *root_person, *shadow = NULL;

    /* Per-record anchors become per-root anchors as unions happen, so a
     * record's own anchors must be kept apart from its root's. The anchors
     * array is indexed by root; before any union each record is its own. */
    l->parent = malloc((l->nrecords + 1) * sizeof(uint32_t));
    l->rank = calloc(l->nrecords + 1, 1);
    l->person = malloc((l->nrecords + 1) * sizeof(uint32_t));
    root_person = malloc((l->nrecords + 1) * sizeof(uint32_t));
    if (l->nprobes) {
        /* records and probes, joined through every shared hash */
        shadow = malloc((l->nrecords + l->nprobes) * sizeof(uint32_t));
        l->probe_class = malloc(l->nprobes * sizeof(uint32_t));
    }
    if (!l->parent || !l->person || !root_person || !l->rank ||
        (l->nprobes && (!shadow || !l->probe_class))) {
        free(root_person);
        free(shadow);
        return CE_NOMEM;
    }
    for (i = 0; i < l->nrecords; i++)
        l->parent[i] = (uint32_t)i;
    for (i = 0; shadow && i < l->nrecords + l->nprobes; i++)
        shadow[i] = (uint32_t)i;
    for (k = 0; k < l->nkeys; k++) {
        struct link_entry *e = l->entries[k];
        size_t n = l->nentries[k];

        for (i = 0; i < n; i++)
            l->stats[k].records_with_key += !(e[i].record & LINK_PROBE);
        if (n > 1)
            sort_entries(e, n);
        for (i = 0; i < n; i = j) {
            for (j = i + 1; j < n && !memcmp(e[j].hash, e[i].hash, 16); j++) {
                int r;

                if (shadow)
                    probe_unite(shadow, probe_node(l, e[i].record),
                                probe_node(l, e[j].record));
                /* probes sort last: e[i] is a record unless all are probes */
                if ((e[i].record | e[j].record) & LINK_PROBE)
                    continue;
                r = unite(l, e[i].record, e[j].record);
                if (r > 0)
                    l->stats[k].links++;
                else if (r < 0)
                    l->stats[k].conflicts++;
            }
        }
        /* the hashes of this key are no longer needed */
        free(l->entries[k]);
        l->entries[k] = NULL;
        l->nentries[k] = l->entry_alloc[k] = 0;
    }
    free(l->rank);
    l->rank = NULL;
    for (i = 0; i < l->nrecords; i++)
        root_person[i] = UINT32_MAX;
    l->npersons = 0;
    for (i = 0; i < l->nrecords; i++) {
        uint32_t r = find(l->parent, (uint32_t)i);

        if (root_person[r] == UINT32_MAX)
            root_person[r] = (uint32_t)l->npersons++;
        l->person[i] = root_person[r];
    }
    free(root_person);
    for (i = 0; i < l->nprobes; i++)
        l->probe_class[i] = find(shadow, (uint32_t)(l->nrecords + i));
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
    for (i = 0; i < l->nrecords; i++) {
        uint32_t lab = label[l->person[i]];

        if (map[lab] == UINT32_MAX) {
            map[lab] = next++;
            if (first)
                first[map[lab]] = (uint32_t)i;
        }
        l->person[i] = map[lab];
        /* two records of one person: their probes' classes are one */
        if (first)
            probe_unite(l->shadow, (uint32_t)i, first[l->person[i]]);
    }
    l->npersons = next;
    for (i = 0; first && i < l->nprobes; i++)
        l->probe_class[i] = find(l->shadow, (uint32_t)(l->nrecords + i));
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
    return l->person[record];
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
    free(l->parent);
    free(l->rank);
    free(l->person);
    free(l->probe_class);
    free(l->shadow);
    free(l->stats);
    memset(l, 0, sizeof(*l));
}
