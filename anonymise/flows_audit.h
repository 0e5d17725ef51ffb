/*
 * flows_audit.h - a forecast cohort's three tables protected together
 * (cohorts/flows.h: its entries by age band; its exits and its persons by
 * age band and months in the cohort). disclosure.h protects each table on
 * its own, month by month; across the three, and across months, exact
 * identities hold that no single table's audit sees. With P the persons,
 * N the entries, E the exits and Dd, Ed the persons and exits of
 * months-in-cohort band d (all ages):
 *
 *   P(t) = P(t-1) - E(t-1) + N(t)          the stock moves by its flows
 *   P(t) = sum of Dd(t),  E(t) = sum of Ed(t)
 *
 * (Bands of months in the cohort are three months or more wide, so that
 * no band's persons are exactly another's of the month before less its
 * exits: cohorts/flows.c.)
 *
 * The attacker has every published cell of the three tables in every
 * month (each its interval with rounding alone, as in audit.h; a [z]
 * cell 0; a hidden one anything >= 0), each table's own relations (what
 * disclosure.c's audit has) and those identities, and solves one linear
 * program over all of it. So a detail cell that its own table protects
 * by a hidden margin is found too when the identities give that margin
 * away. While some primary hidden cell of any of the three can be
 * narrowed below what disclosure.c asks of it (the protection level, or
 * tau-ARGUS's interval), a whole month of the exits or entries table is
 * hidden too (every cell [c] but its [z] cells): the exits of that
 * month, then of the month before, then the entries of that month, then
 * of the month after -- the flows of the identities it is in. A hidden
 * month of flows leaves each identity it is in with an unknown that is
 * bounded only below.
 *
 * Each table's own pattern is disclosure.c's, of least cost
 * (secondary.h); this step across them is not: the identities have
 * coefficients of both signs across tables and months (P(t) + E(t-1) =
 * P(t-1) + N(t)), which secondary.c's relations, a total and its parts
 * within one period, cannot state, and a least-cost program over every
 * month of three tables at once would be one MIP per forecast cohort of
 * thousands of binaries. Whole months are the sound fallback: a hidden
 * month cannot be worked back from its own table's detail, and the
 * joint program above is the judge of the result, so the cost is only
 * over-suppression, counted in the manifest as the tables' secondary
 * cells.
 *
 * With cell-key perturbation the tables are not audited together: every
 * figure carries the noise of its own persons, so an identity's solution
 * carries the sum of three figures' noise (as job_check_nesting accepts
 * noise against differencing).
 *
 *     disclosure_protect() each table, then
 *     flows_protect(entries, exits, persons, dp, &hidden, &d)
 *     disclosure_check() and disclosure_publish() each table
 */
#ifndef COHORT_FLOWS_AUDIT_H
#define COHORT_FLOWS_AUDIT_H

#include <stdint.h>

#include "../core/error.h"
#include "../core/plan.h"
#include "table.h"

/*
 * entries: by [age band] (0 or 1 column); exits and persons: by [age
 * band,] months in the cohort. All protected by disclosure_protect(). Adds the cells it hid
 * (as secondary suppressions) of entries and exits to hidden[0] and
 * hidden[1]. 0; CE_DATA (rule protection_level) when a cell stays narrow
 * with nothing left to hide; CE_NOMEM or CE_INTERNAL (GLPK).
 */
int flows_protect(struct count_table *entries, struct count_table *exits,
                  const struct count_table *persons,
                  const struct disclosure_plan *dp, uint64_t hidden[2],
                  struct diag *d);

#endif
