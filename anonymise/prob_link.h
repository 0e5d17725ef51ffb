/*
 * prob_link.h - the probabilistic stage of the job's linkage (issue 15):
 * after the deterministic keys (link.h) have made their persons, the
 * matcher (match.h) compares the rows' comparison records (comparison.h)
 * and joins the persons the keys missed -- both names mistyped, names
 * swapped, a date of birth mistyped or missing, a move. The matcher's
 * clusters become the job's persons.
 *
 * What it takes and what it gives back:
 *   - every kept record with a comparison record is a matcher record whose
 *     group is the record's deterministic person, so the keys' links are
 *     never undone and records of one person are never compared with each
 *     other; identical comparison records of one person are one matcher
 *     record (match.h folds them);
 *   - the matcher's NHS-number / UPN guard is the linker's: a cluster
 *     never holds two different valid NHS numbers or UPNs, whatever the
 *     scores say (the anchors are the ones link.h guards with);
 *   - the linker's persons are then merged along the clusters
 *     (linker_merge_persons()), so everything after linkage -- person
 *     assembly (person.h), the unmapped codes' persons, the trace of
 *     `cohort linkage` -- reads the final persons through linker_person(),
 *     numbered in order of first record as before.
 *   - before the matcher takes them, the comparison records of each id of
 *     an id scope are completed from that id's other rows
 *     (scope_assembly.h): an SSDA903 episode's postcode is compared with
 *     its header's date of birth and the case system's names.
 * A person whose records have no comparison record (a row with no name,
 * no date of birth and no id scope) stays as the keys made it.
 *
 * Deterministic: the records are added in input order (sources in config
 * order, rows in file order: the same at any --threads), and the matcher
 * is a function of its records and configuration.
 *
 *     struct match_config cfg;
 *     struct match_stats st;
 *     prob_link_config(&plan->linkage, &cfg);
 *     linker_run(&l);
 *     prob_link_run(&l, &recs, &comparisons, &cfg, &st, &d);
 *         -- comparisons is released as soon as the matcher holds them;
 *            st holds person assembly's counts too (assembled_*)
 */
#ifndef COHORT_PROB_LINK_H
#define COHORT_PROB_LINK_H

#include <stddef.h>

#include "../core/error.h"
#include "../core/plan.h"
#include "../core/run.h"
#include "comparison.h"
#include "link.h"
#include "match.h"
#include "record.h"

/* The matcher's configuration from the [linkage] settings: its defaults
 * (match_config_default()) with the threshold, the Dice bands, the block
 * cap and the cluster bound of lp. */
void prob_link_config(const struct linkage_plan *lp, struct match_config *c);

/*
 * Runs the stage over l (after linker_run()): recs's records are l's
 * records, their attributes' comparison numbers their comparison records
 * in cl (record.h, struct record_list). cl is
 * released once the matcher holds the records (before it runs), to keep
 * the peak low. *st receives the matcher's statistics. 0, CE_CONFIG (a
 * configuration the matcher refuses; d names the setting) or CE_NOMEM;
 * on failure l's persons are those of the keys.
 */
int prob_link_run(struct linker *l, const struct record_list *recs,
                  struct comparison_list *cl,
                  const struct match_config *c, struct match_stats *st,
                  struct diag *d);

/* Copies the person-assembly counts of st (match_stats.assembled_*) into
 * the run's summary of the stage. */
void prob_link_summarise_assembly(const struct match_stats *st,
                                  struct prob_summary *ps);

#endif
