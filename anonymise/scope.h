/*
 * scope.h - id scopes: the tables of one system joined by that system's
 * own person id (README "Id scopes"; SSDA903 header + episodes, the CIN
 * census child + its plans, the school census pupil + its FSM periods).
 *
 * Rows of all sources in one id_scope that share local_id are one person,
 * before and independent of cross-department linkage: the job gives every
 * such row the linker's scope key (pseudonymise_scoped_id(): a keyed hash
 * of scope name + id, so one scope's 1001 never meets another's). This
 * index answers the two questions the linker cannot:
 *   - does an events row's id have a header in its scope? If not, the row
 *     is an orphan and is quarantined (orphan_local_id);
 *   - do a scope's rows for one id disagree on the NHS number or the date
 *     of birth? Such ids are counted as conflicts and reported. An NHS
 *     conflict is also refused by the linker's over-linkage guard, so the
 *     rows stay apart; a date-of-birth conflict is kept as one person (the
 *     system says it is one child) and the most frequent date wins.
 * It holds only keyed hashes: never an id or a date.
 *
 * Headers must be seen before events (app/job_read.c reads every header and
 * ordinary source first, then the events tables). Within each of those
 * two passes the order of rows does not matter, so sources may be read on
 * threads that take turns at the index (it has no lock of its own: the
 * caller serialises calls): every count is a function of the set of rows,
 * not of their order -- ids and header rows are counted as they come; an
 * events row joins when any header listed its id, all of which came in
 * the pass before; and an id has an NHS (date-of-birth) conflict exactly
 * when its rows carry two different non-zero anchors, which the first
 * anchor kept is bound to differ from, whichever row brought it
 * (test_scope.c feeds the same rows in many orders).
 *
 *     struct scope_index x;
 *     scope_index_init(&x, plan->nscopes);
 *     header row: scope_index_header(&x, scope, id, nhs_anchor, dob_anchor)
 *     events row: scope_index_event(&x, scope, id, nhs_anchor, dob_anchor)
 *                 -> 1 joined, 0 orphan
 *     household row: scope_index_household(&x, household_id, &number)
 *     scope_index_person(&x, scope, id) -> the id's number, or -1
 *     x.stats[scope] ...
 *     scope_index_release(&x);
 */
#ifndef COHORT_SCOPE_H
#define COHORT_SCOPE_H

#include <stddef.h>
#include <stdint.h>

#include "../core/hash.h"

struct scope_stats {
    uint64_t ids;            /* distinct ids listed by the scope's headers */
    uint64_t header_rows;
    uint64_t events_joined;  /* events rows whose id has a header */
    uint64_t events_orphaned;
    uint64_t nhs_conflicts;  /* ids whose rows carry two NHS numbers */
    uint64_t dob_conflicts;  /* ids whose rows carry two dates of birth */
};

struct scope_id;

struct scope_index {
    struct hash_table ids;     /* (scope, keyed id) -> index into per_id */
    struct scope_id *per_id;   /* first anchors and conflicts per id */
    size_t alloc;
    struct scope_stats *stats; /* per scope */
    size_t nscopes;
    /* keyed household ids (pseudonymise_household()) -> household
     * numbers: index + 1, in the order rows brought them. Numbers depend
     * on that order; nothing published does (household.h). */
    struct hash_table households;
};

/* 0 or CE_NOMEM. */
int scope_index_init(struct scope_index *x, size_t nscopes);

/* Records a header row of scope with keyed id `id` and the keyed anchors
 * of its NHS number and date of birth (0: none). 0 or CE_NOMEM. */
int scope_index_header(struct scope_index *x, int scope,
                       const unsigned char id[16], uint64_t nhs,
                       uint64_t dob);

/* An events row: 1 when a header of the same scope listed id (the row is
 * checked for conflicts like a header row), 0 when it is an orphan. */
int scope_index_event(struct scope_index *x, int scope,
                      const unsigned char id[16], uint64_t nhs, uint64_t dob);

/* The number (from 1) of the household with keyed id `id` into *number,
 * adding it when new. Serialised by the caller like every other call.
 * 0 or CE_NOMEM. */
int scope_index_household(struct scope_index *x, const unsigned char id[16],
                          uint32_t *number);

/* The number of the id a header of scope listed: 0 .. (ids of every
 * scope) - 1, the same for every row of the id and different for every
 * other id -- or -1 when no header listed it. Which number an id gets
 * depends on the order headers came in: person assembly
 * (scope_assembly.h) only gathers an id's rows by it. Reads only. */
long scope_index_person(const struct scope_index *x, int scope,
                        const unsigned char id[16]);

void scope_index_release(struct scope_index *x);

#endif
