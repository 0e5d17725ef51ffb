/*
 * job_read.h - the job's read stage: every source through its read path
 * (source_reader.h), every row into a pseudonymous record
 * (anonymise/record.h), on up to --threads threads, merged so that the
 * result is the same whatever the thread count.
 *
 * Ordinary and header tables are read first, then the events tables, so
 * that an events row's header -- whichever table of the scope lists it --
 * has been seen when the row is read. Within a pass the sources are
 * independent: each is read on a thread into its own output and the
 * outputs, log lines and the first failure are then taken in config
 * order, the order one reader reads them in. So record numbers, person
 * numbers and every output are those of --threads 1.
 *
 *     struct read_result rr;
 *     rc = read_sources(&rr, plan, &ps, &geo, &enc, opts, want_trace,
 *                       sum->sources, &d);
 *     ... rr.recs, rr.comparisons, rr.linker (to be run), rr.unmapped[si],
 *         rr.scopes ...
 *     read_result_release(&rr);
 *
 * Progress lines (opts->progress) and stop requests (job_stop_requested)
 * are honoured row by row.
 */
#ifndef COHORT_JOB_READ_H
#define COHORT_JOB_READ_H

#include "job.h"

#include "../anonymise/generalise.h"
#include "../anonymise/link.h"
#include "../anonymise/pseudonym.h"
#include "../anonymise/record.h"
#include "../anonymise/returns.h"
#include "../anonymise/scope.h"
#include "../transform/quarantine.h"

/* What reading every source leaves for linkage. Owned; released with
 * read_result_release(). */
struct read_result {
    struct record_list recs;          /* every kept record, in read order */
    struct record_list household_events; /* the households' own spells
                                       (record.h, rc 2), not the linker's */
    struct comparison_list comparisons; /* their comparison records (each
                                       record's .comparison), when the
                                       plan has a probabilistic stage */
    struct linker linker;             /* their keys and the witnesses' probes */
    int have_linker;
    /* per source: its unmapped codes, witnesses numbered as linker's
     * probes, until their persons are counted (person.h) */
    struct unmapped_codes *unmapped;
    size_t nsources;
    struct scope_index scopes;        /* counts per id scope */
    int have_scopes;
    struct returns_table returns;     /* the yearly returns read, for
                                       returns_reconcile() */
    int have_returns;
    uint64_t unknown_postcodes;       /* kept rows the lookup did not know */
    struct link_trace *trace;         /* want_trace: one per record */
    size_t ntrace, trace_alloc;
};

/*
 * Reads every source of plan into rr (initialised here), pseudonymising
 * with ps, placing postcodes with geo and making comparison records with
 * enc (NULL: none; all three only read, from every thread). ss[i] (plan->nsources, zeroed) receives source i's summary;
 * the summaries of sources a single reader would not have reached are
 * released. Returns 0, or the first error in config order: CE_DATA (a
 * source over its reject limit, its quarantined rows logged), CE_IO,
 * CE_INTERRUPTED, CE_NOMEM, with d set. rr is released by the caller
 * either way.
 */
int read_sources(struct read_result *rr, const struct job_plan *plan,
                 const struct pseudonymiser *ps, const struct geo_lookup *geo,
                 const struct comparison_encoder *enc,
                 const struct run_options *opts, int want_trace,
                 struct source_summary *ss, struct diag *d);

/* Frees everything rr owns and zeroes it. */
void read_result_release(struct read_result *rr);

/* Monotonic seconds, for the stages' timings. */
double job_seconds(void);

/* CPU seconds the process has used so far, all its threads. */
double job_cpu_seconds(void);

#endif
