/*
 * household.h - households as a unit (README "Households"): the persons
 * of one household id, when each belonged to it and who was its lead.
 *
 * A source that maps field.household_id (a housing register's case
 * reference, an H-CLIC case id) says, per row, that the row's person
 * belonged to that household over the row's spell -- from its start date
 * to its end date, or over every period when the row has no dates (a
 * header of persons only) -- and, with field.lead, whether as the lead
 * (the applicant). The id itself never leaves record.c: it is a keyed
 * hash under its own subkey (pseudonymise_household()), scoped to the
 * source's id scope or, without one, to the source, numbered in the id
 * scope index (scope_index_household()). Here the numbers meet the
 * linker's persons:
 *
 *   - household h's memberships are every record of that household, each
 *     under its person's number after linkage (so one person's rows from
 *     two systems are one member), sorted by person and start;
 *   - a person may belong to several households over time (a move, a
 *     split) and to two at once when two sources say so: each household
 *     counts them;
 *   - a household's key for cell-key perturbation is a keyed hash of its
 *     keyed id under the record-key subkey (pseudonym_record_key() with
 *     its own key index, HOUSEHOLD_KEY_INDEX), so it is the same every
 *     night and independent of every person's key and every linkage hash.
 *
 * Who is a member in a month, and the household's composition, are the
 * counting stage's (cohorts/household_count.h).
 *
 *     person_set_build(&ps, ...);
 *     household_set_build(&ps, &recs, &linker, &scopes.households,
 *                         &pseudonymiser);      -- CE_NOMEM
 *     household_spells_build(&ps, &events);        -- CE_NOMEM
 *     ... ps.nhouseholds, ps.members, ps.hspells ...
 *     person_set_release(&ps);                  -- frees the households too
 */
#ifndef COHORT_HOUSEHOLD_H
#define COHORT_HOUSEHOLD_H

#include <stddef.h>

#include "../core/hash.h"
#include "person.h"

/* The key index households' record keys are made under: no match key
 * (at most 32) and not the scoped id's. */
#define HOUSEHOLD_KEY_INDEX 0xFE

struct linker;
struct pseudonymiser;
struct record_list;

/*
 * Adds to ps (built from the same records) one household per key of
 * households (scope_index.households: household number i + 1 is its key
 * i), with the memberships of the records of recs (record.h; record i is
 * the linker's record i) and the households' keys from psd. 0, or CE_NOMEM with ps's
 * households left empty.
 */
int household_set_build(struct person_set *ps,
                        const struct record_list *recs,
                        const struct linker *l,
                        const struct hash_table *households,
                        const struct pseudonymiser *psd);

/*
 * Adds to ps (its households built) the households' own spells: each row
 * of events (record.h's rc 2 rows: a household id, a service, dates,
 * no person) becomes a spell of its household, sorted by start, end,
 * department, service like a person's. A household term of a `where`
 * holds when a member's spell or one of these does (cohorts/where.h).
 * 0, or CE_NOMEM with no spells added.
 */
int household_spells_build(struct person_set *ps,
                           const struct record_list *events);

#endif
