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

struct linker {
    size_t nkeys;
    size_t nrecords;
    size_t alloc;
    struct link_entry **entries;   /* per key: (hash, record) */
    size_t *nentries;
    size_t *entry_alloc;
    struct link_anchors *anchors;  /* per record */
    uint32_t *parent;
    uint8_t *rank;                 /* union by rank, during linker_run */
    uint32_t *person;              /* after linker_run */
    size_t npersons;
    size_t nprobes;
    uint32_t *probe_class;         /* after linker_run, per probe */
    uint32_t *shadow;              /* with probes, after linker_run: the
                                      probes' union-find over records and
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
