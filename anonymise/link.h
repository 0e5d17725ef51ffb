/*
 * link.h - deterministic linkage: records that share any match key hash
 * become one person (union-find), keys applied strictest first, as ONS
 * links. An over-linkage guard refuses a union that would put two
 * different NHS numbers (or two different UPNs) in one person: a weak key
 * such as initial+surname+dob+district never overrules a strong
 * identifier.
 *
 *     struct linker l;
 *     linker_init(&l, nkeys);
 *     per record: linker_add(&l, hashes, present, &anchors) -> record index
 *     linker_run(&l);
 *     linker_person(&l, i) -> 0 .. linker_npersons(&l)-1, numbered in order
 *                             of each person's first record
 *     linker_release(&l);
 *
 * Probes are rows that are not records -- quarantined for an unmapped code
 * -- whose persons are still wanted, to count how many distinct persons
 * carry the code (transform/quarantine.h). A probe joins no two records
 * and changes no person: it only learns its class, through every key hash
 * it shares with records or other probes, with no over-linkage guard, so
 * that the classes can only be coarser than the persons (a count of them
 * can only be low):
 *
 *     per probe, before linker_run: linker_add_probe(&l, hashes, present)
 *     after linker_run: linker_probe_class(&l, p) -- equal for two probes
 *                       of one class
 *
 * Each key's records are grouped with a hash table, in the records'
 * order (no sort): a later record of a hash is united with the hash's
 * first record. A record that repeats the one before it (struct linker)
 * costs 4 bytes, not a node.
 *
 * Only hashes are held: the linker never sees an identifier.
 */
#ifndef COHORT_LINK_H
#define COHORT_LINK_H

#include <stddef.h>
#include <stdint.h>

/* Keyed hashes of a record's NHS number and UPN, for the guard only. */
struct link_anchors {
    uint64_t nhs;   /* 0: none */
    uint64_t upn;
};

struct link_entry;

struct linker_key_stats {
    uint64_t records_with_key;
    uint64_t links;      /* unions that joined two different persons */
    uint64_t conflicts;  /* unions refused by the guard */
};

/*
 * A record is a row; a node is what the union-find joins. A record with
 * the same key hashes, presence and anchors as the record added just
 * before it (a person's next spell in the same extract, as extracts list
 * them) is no new node: it takes that record's node, so the entries,
 * anchors and union-find grow with the distinct records, not the rows.
 * It counts among the records with each key, and as one link of its
 * strictest key -- what uniting it with its twin would have counted.
 */
struct linker {
    size_t nkeys;
    size_t nrecords;
    size_t record_alloc;
    uint32_t *node;                /* per record: its node */
    size_t nnodes;
    size_t alloc;                  /* of anchors */
    struct link_entry **entries;   /* per key: (hash, node) */
    size_t *nentries;
    size_t *entry_alloc;
    struct link_anchors *anchors;  /* per node */
    unsigned char (*last)[16];     /* the last record's hashes (nkeys) */
    uint8_t *last_present;         /* its keys present; NULL: none yet */
    struct link_anchors last_anchors;
    uint32_t *parent;              /* per node, during linker_run */
    uint8_t *rank;                 /* union by rank, during linker_run */
    uint32_t *person;              /* per node, after linker_run */
    size_t npersons;
    size_t nprobes;
    uint32_t *probe_class;         /* after linker_run, per probe */
    uint32_t *shadow;              /* with probes, after linker_run: the
                                      probes' union-find over nodes and
                                      probes, for linker_merge_persons() */
    struct linker_key_stats *stats;
};

/* 0 or CE_NOMEM. */
int linker_init(struct linker *l, size_t nkeys);

/* Adds one record: hashes[k] counts when present[k]. Returns the record's
 * index (>= 0) or CE_NOMEM. */
long linker_add(struct linker *l, const unsigned char (*hashes)[16],
                const uint8_t *present, const struct link_anchors *a);

/* Adds one probe (see above): hashes[k] counts when present[k]. Returns
 * the probe's index (>= 0) or CE_NOMEM. */
long linker_add_probe(struct linker *l, const unsigned char (*hashes)[16],
                      const uint8_t *present);

/* Appends src's records after dst's (src's record i becomes dst's record
 * dst->nrecords + i, its probe j dst's probe dst->nprobes + j) and
 * releases src, even on failure. Readers on
 * threads fill one linker each and append them in the order one reader
 * would have added the records: the result is that linker. Before
 * linker_run() only; 0 or CE_NOMEM. */
int linker_append(struct linker *dst, struct linker *src);

/* Links every record; 0 or CE_NOMEM. */
int linker_run(struct linker *l);

/*
 * After linker_run(): merges persons -- the probabilistic stage's
 * clusters (prob_link.h). label[p] (< nlabels) is person p's cluster;
 * persons with one label become one, numbered again in order of each
 * one's first record. The probes' classes are merged along (two records
 * of one person put their classes together), so that they stay coarser
 * than the persons. 0 or CE_NOMEM (nothing changed).
 */
int linker_merge_persons(struct linker *l, const uint32_t *label,
                         size_t nlabels);

size_t linker_npersons(const struct linker *l);
uint32_t linker_person(const struct linker *l, size_t record);
/* A probe's class after linker_run(): two probes of one class may be one
 * person; two of different classes are two persons by every key. */
uint32_t linker_probe_class(const struct linker *l, size_t probe);
void linker_key_stats(const struct linker *l, size_t key,
                      struct linker_key_stats *out);
void linker_release(struct linker *l);

#endif
