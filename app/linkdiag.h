/*
 * linkdiag.h - the probabilistic stage's diagnostics as `cohort linkage`
 * prints them (after the keys' sections): what a user can read on real
 * data, without a truth file, to judge the matcher (anonymise/match.h).
 *
 *   probabilistic linkage   the threshold as a probability and a weight,
 *                           the prior; records, pairs compared and
 *                           accepted, every refusal, the links made
 *   blocking rules          per rule: records with a key, blocks, pairs
 *                           compared, blocks over block_cap (their records
 *                           and the pairs not compared) -- counted, never
 *                           dropped silently
 *   EM per blocking rule    iterations, converged or not, the share of
 *                           matches, the fields it trained
 *   m and u                 per field and level: m = P(level | match), u =
 *                           P(level | non-match), the weight log2(m/u); a
 *                           field EM did not estimate is marked, with its
 *                           documented defaults shown
 *   match weights           compared pairs per bit of weight
 *   match probability       compared pairs per band, the threshold's
 *                           band marked
 *
 * Nothing here holds an identifier: counts, probabilities, the job's
 * names. Counts of pairs and links describe real people, so without a
 * truth file (exact = 0) they go through the job's disclosure rule as
 * `cohort run` publishes them; counts of records stay exact.
 *
 *     linkdiag_print(plan, &stats, exact);     (nothing when the stage did
 *                                               not run: stats.nfields 0)
 */
#ifndef COHORT_LINKDIAG_H
#define COHORT_LINKDIAG_H

#include "../anonymise/match.h"
#include "../core/plan.h"

/* Prints the sections above to stdout. */
void linkdiag_print(const struct job_plan *plan, const struct match_stats *st,
                    int exact);

#endif
