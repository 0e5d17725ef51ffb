/*
 * disclosure_check.h - the release check: the last gate between a table
 * that anonymise/disclosure.h protected and anyone who reads it. The
 * nightly job applies it to every cohort table before publishing, and
 * `cohort protect` to the analyst's table before writing it; a table
 * that fails it is not published (exit 1 in both).
 *
 * disclosure_protect() widens suppression until the attacker cannot
 * narrow a suppressed cell, but it gives up on a table it cannot fix (a
 * relation with nothing left to suppress), and a table of nothing but
 * hidden cells is no answer to anyone's question. This check says so
 * instead of publishing either.
 */
#ifndef COHORT_DISCLOSURE_CHECK_H
#define COHORT_DISCLOSURE_CHECK_H

#include "../core/plan.h"
#include "../core/error.h"
#include "table.h"

/*
 * After disclosure_protect(): refuses a table that is not safe, or not
 * worth, publishing. CE_DATA when the attacker (disclosure_audit) narrows
 * some primary suppressed cell to less than dp->protection_level (rule
 * "protection_level"), or when no cell at all is left to publish (rule
 * "all_suppressed"); CE_NOMEM, or CE_INTERNAL when the solver fails
 * (rule "disclosure"); else 0. d has no source: the caller names the
 * table. The audit runs on up to `threads` threads; its answer does not
 * depend on them.
 */
int disclosure_check(const struct count_table *t,
                     const struct disclosure_plan *dp, int threads,
                     struct diag *d);

#endif
