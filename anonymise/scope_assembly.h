/*
 * scope_assembly.h - person assembly inside an id scope (issue 15, item 1):
 * the rows of one system's person -- an SSDA903 header with the date of
 * birth, sex and UPN, its episodes with a postcode each, the case
 * system's row with the names -- completed into comparison records that
 * each carry everything the person has, so that every comparison the
 * person could form, forms.
 *
 * Before it, the matcher (match.h) saw an episode as a postcode alone (not
 * worth a record: no blocking rule finds it) and the header as a date of
 * birth without a name or a place; after it, each record of the id holds
 * the id's names, date of birth, sex, NHS-number and UPN anchors and extra
 * identifiers wherever the row itself had none, and keeps its own
 * postcode: a child who moved between episodes is compared at each
 * address. A value the row has is never replaced.
 *
 * The id's values: for each part (the forename with its root, initial and
 * Bloom filter; the surname with its Soundex code and filter; the date of
 * birth with its swapped form, day, year and month; the sex; each extra
 * identifier), the one with the smallest keyed hash among the id's rows
 * that have the part -- a rule that gives the same record whatever order
 * the rows came in (header then events, events then header, any
 * --threads). An id whose rows carry two different NHS-number anchors (or
 * UPN anchors) lends none of them: the over-linkage guard must see the
 * rows as they are.
 *
 * It works on keyed hashes only (comparison.h): no identifier is read,
 * kept or written.
 *
 *     per row of a scoped source: comparison_list_add_scoped(&l, &rec,
 *                                       scope_index_person(...))
 *     ... the sources' lists appended into one ...
 *     scope_assemble(&l, &st);   -- before the matcher takes the records
 */
#ifndef COHORT_SCOPE_ASSEMBLY_H
#define COHORT_SCOPE_ASSEMBLY_H

#include <stdint.h>

#include "comparison.h"

struct scope_assembly_stats {
    uint64_t persons;    /* ids with a comparison record */
    uint64_t records;    /* records of an id */
    uint64_t completed;  /* records that gained a part from the id */
    uint64_t anchor_conflicts; /* ids whose rows carry two NHS numbers or
                                  two UPNs: no anchor lent */
};

/* Completes every scoped record of l in place from its id's values (see
 * above). *st (may be NULL) receives the counts. 0 or CE_NOMEM (l as it
 * was). */
int scope_assemble(struct comparison_list *l, struct scope_assembly_stats *st);

#endif
