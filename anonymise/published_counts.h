/*
 * published_counts.h - every count of persons a run publishes outside its
 * tables -- persons per department and in all, ids per id scope and their
 * conflicts, links made and refused per key and by the probabilistic
 * stage (with its pairs compared and accepted and its blocks over the
 * cap) -- goes through the tables' own rule (disclosure.h, disclosure_publish_count()), so quality.csv,
 * the manifest, the report and PostgreSQL never show an exact count
 * beside a table that rounds or hides the same persons.
 *
 * A department's persons, and all persons, get the cell key those persons
 * give any cell (the sum of their record keys, person.h); the linkage
 * counts have no one set of persons behind them, so they are suppressed
 * and rounded but never perturbed. The log (stderr, for the analyst)
 * keeps its exact warnings. Counts of rows and records stay exact: they
 * are not persons, and rows in = rows accepted + rows quarantined must
 * add up.
 */
#ifndef COHORT_PUBLISHED_COUNTS_H
#define COHORT_PUBLISHED_COUNTS_H

#include <stdint.h>

#include "../core/plan.h"
#include "../core/run.h"
#include "person.h"
#include "ptable.h"

/*
 * Replaces the person counts of sum (persons, departments[].persons,
 * scopes[] ids and conflicts, scope links and refusals, keys[] links and
 * conflicts, the probabilistic stage's pairs, links, refusals and blocks
 * over the cap) with what dp publishes of them. ps gives every person's
 * record key; dept_ckey[one per plan department] the cell key of each department's
 * persons (person.h, struct department_tally). pt may be NULL when dp
 * does not perturb.
 */
void published_counts_protect(const struct disclosure_plan *dp,
                              const struct ptable *pt,
                              const struct person_set *ps,
                              const uint32_t *dept_ckey,
                              struct run_summary *sum);

#endif
