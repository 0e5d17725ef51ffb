/*
 * returns.h - stacked returns: a source whose files are one yearly return
 * each (SSDA903 episodes, the CIN census; `return_year_end` in its
 * [source], set by those profiles) is read as the council keeps them, one
 * file a year under one glob, and reconciled per person once persons
 * exist, so that two years read together count what the later year says
 * for the days it covers.
 *
 * A return covers the collection year ending on the first return_year_end
 * on or after the latest date its kept rows hold (a 2017-18 SSDA903 file,
 * whose last date is at most 31 March 2018, covers 1 April 2017 to 31
 * March 2018). Of two returns of one source, the later is the one whose
 * year ends later, or, for one year, the later file in the glob's order (a
 * resubmission). Per person, among the spells of one source's returns, in
 * this order:
 *
 *   duplicate     a spell equal to another (start, end, service) is kept
 *                 once (the later return's)
 *   replaced      a spell that starts on the day a spell of a later return
 *                 starts is that return's episode as first recorded: the
 *                 later one stands
 *   superseded    a spell of an earlier return that reaches into a later
 *                 return's year is cut to end the day before that year
 *                 begins, or dropped when it starts in it: the later
 *                 return lists every child looked after in its year, so a
 *                 child it leaves out was not
 *   closed        a spell left open that another spell of the source
 *                 follows (a later start) ends when that one starts; so
 *                 does a spell that runs past the start of a later
 *                 return's next spell
 *
 * liiatools (Social Finance, MIT licence) reconciles SSDA903 episodes in
 * its episodes_fix stage with rules of the same intent, named there RULE_3
 * (duplicate), RULE_3A (replaced in a later submission), RULE_1 and
 * RULE_1A (open, then the next episode starts), RULE_2 (open, and the
 * child ceases to be looked after: closed at the end of the return's
 * year), RULE_4 (overlaps the next, later-submitted episode) and RULE_5;
 * the rules here are written from that description, not copied, and work
 * on pseudonymous spells with no identifier and no plaintext id.
 *
 * Each rule's records are counted per source (quality.csv:
 * `returns:duplicate`, `returns:replaced`, `returns:superseded`,
 * `returns:closed`, with `returns:files`); records are not persons, and
 * the counts are exact, as other record counts are.
 *
 *     struct returns_table t;
 *     returns_table_init(&t, plan->nsources);
 *     per stacked source, after reading:
 *         returns_add_source(&t, si, year_end, latest, nfiles, &base, &d);
 *         each of its records' ret (file position + 1) += base
 *     person_set_build(...)            spells carry their record's ret
 *     returns_reconcile(&t, &persons)  rewrites the spells in place
 *     ... t.tally[si] ...
 *     returns_table_release(&t);
 */
#ifndef COHORT_RETURNS_H
#define COHORT_RETURNS_H

#include <stddef.h>
#include <stdint.h>

#include "../core/error.h"
#include "person.h"

/* Return ids are 1..RETURNS_MAX (0: a spell of no return), one byte of a
 * spell: 255 yearly files are more than two centuries of one return. */
#define RETURNS_MAX 255

struct return_file {
    int32_t first, last; /* the days its collection year covers */
    uint32_t source;     /* index into plan->sources */
    uint32_t position;   /* 1-based position in the source's glob */
};

/* Per source: records each rule touched, and its returns. */
struct returns_tally {
    uint64_t files;
    uint64_t duplicate;
    uint64_t replaced;
    uint64_t superseded;
    uint64_t closed;
};

struct returns_table {
    struct return_file file[RETURNS_MAX + 1]; /* [1..n]; [0] unused */
    size_t n;
    struct returns_tally *tally;              /* per source; owned */
    size_t nsources;
};

/* Empty table for nsources sources. 0 or CE_NOMEM. */
int returns_table_init(struct returns_table *t, size_t nsources);

/*
 * Adds source si's returns: latest[f] is the latest day of file f's kept
 * rows (DAY_NONE: no kept row, no return), f in [0, nfiles); year_end is
 * month * 100 + day. *base is what to add to each record's ret (file
 * position + 1) to make it the return's id here. 0, or CE_DATA with d
 * naming the source when the job's returns would pass RETURNS_MAX, or
 * CE_NOMEM.
 */
int returns_add_source(struct returns_table *t, uint32_t si,
                       const char *source_name, int year_end,
                       const int32_t *latest, size_t nfiles, uint32_t *base,
                       struct diag *d);

/* Applies the rules above to every person's spells of returns in ps (their
 * .ret), dropping and shortening spells in place, and tallies them. 0, or
 * CE_NOMEM (a person of more than 64 spells), when ps is not to be used. */
int returns_reconcile(struct returns_table *t, struct person_set *ps);

void returns_table_release(struct returns_table *t);

#endif
