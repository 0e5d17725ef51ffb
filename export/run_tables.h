/*
 * run_tables.h - the run's own tables as rows: quality (what each source
 * gave, what each department and id scope came to) and linkage (what each
 * match key did). The CSV files (export/files.h) and PostgreSQL
 * (export/postgres.h) both publish these rows, so the two outputs can
 * never disagree on a measure's name or a count.
 *
 *     struct quality_row *q; size_t n;
 *     if (quality_rows(s, &q, &n) < 0) -> CE_NOMEM
 *     ... q[0 .. n) ...
 *     free(q);
 *
 * A value that is a count of persons comes protected from the job
 * (anonymise/published_counts.h): the rule's published value, or
 * COUNT_WITHHELD, written `[c]` in CSV and NULL in PostgreSQL. Counts of
 * rows and records are exact.
 */
#ifndef COHORT_RUN_TABLES_H
#define COHORT_RUN_TABLES_H

#include <stddef.h>
#include <stdint.h>

#include "../core/run.h"

/* One row of quality: (source, measure) is unique within a run. */
struct quality_row {
    char source[80];   /* a source, a department, "id_scope:NAME" or "all" */
    char measure[160]; /* "rows_in", "quarantined:ragged_row", ... */
    uint64_t value;    /* or COUNT_WITHHELD */
};

/* One row of linkage: order 0 is the id scopes' own ids (only with id
 * scopes), then each match key in the job's order, then the
 * probabilistic stage when it ran (its further counts are in the
 * summary's prob: linkage.csv adds them as columns). */
struct linkage_row {
    unsigned order;
    int probabilistic;         /* 1: the probabilistic stage's row */
    const char *key;           /* borrowed from the summary; "" if none */
    int has_records;           /* 0: records_with_key is not a number here */
    uint64_t records_with_key; /* exact */
    uint64_t links;            /* or COUNT_WITHHELD */
    uint64_t refused;          /* or COUNT_WITHHELD */
};

/* The quality rows of s in published order into *rows (the caller frees
 * it), their number in *n. 0 or CE_NOMEM. */
int quality_rows(const struct run_summary *s, struct quality_row **rows,
                 size_t *n);

/* The linkage rows of s, as quality_rows(). 0 or CE_NOMEM. */
int linkage_rows(const struct run_summary *s, struct linkage_row **rows,
                 size_t *n);

#endif
