/*
 * linktruth.h - a linkage truth file, matched to the records a job read.
 *
 * The file is CSV with a header. Its first three columns are
 *
 *     source,line,person
 *
 * source: the job's `[source NAME]`; line: the physical line of the row in
 * that source's file (the header is line 1); person: the true person, any
 * text of 1 to 255 bytes (only equality counts). For a source that reads
 * several files a column `file_number` gives the file's place (1-based)
 * in the sorted order the source's glob reads them. Further columns are
 * read when named (case-insensitively) ethnicity (or ethnic_group), sex,
 * age_band, convention (or naming_convention): a group per row, so that
 * accuracy can be shown per group; any other column is ignored.
 *
 * The first header `cohort synth` wrote, `file,line,person_id,...`, is
 * read too: a source is then named by the base name of its path (a path
 * without wildcards), as that truth file names the extracts.
 *
 * A malformed file is an error naming the file, the line, the column and
 * the rule, never a value: a wrong header (truth_header), a line number
 * that is not a whole number of 1 or more (bad_line_number), a row with
 * another number of cells than the header (ragged_row), a bad quote
 * (bad_quote), an empty or over-long person (bad_person), a file_number
 * that is missing or not a number for a source read from several files
 * (bad_file_number), two rows for one record (duplicate_row), a group
 * column with more than TRUTH_MAX_LABELS values (too_many_groups), a line
 * over 64 KiB (line_too_long). A file no row of which names an accepted
 * record is an error too (matches_nothing): a measure over no pair is no
 * measure.
 *
 *     struct link_truth t;
 *     if (link_truth_load(&t, path, plan, trace, ntrace, &d) < 0) ... CE_DATA
 *         (malformed), CE_IO (unreadable), CE_NOMEM
 *     t.person[i]: record i's true person, TRUTH_NONE without a row
 *     link_truth_release(&t);
 *
 * Group values are kept only as labels fit to print: 1 to 40 bytes of
 * letters, digits, space and ._+/:()&'- with no identifier shape
 * (transform/map.h); any other value is the label "(not shown)", an empty
 * one "(empty)". Person texts are numbered and forgotten.
 */
#ifndef COHORT_LINKTRUTH_H
#define COHORT_LINKTRUTH_H

#include <stddef.h>
#include <stdint.h>

#include "../core/plan.h"
#include "../core/error.h"
#include "job.h"

#define TRUTH_NONE UINT32_MAX
#define TRUTH_MAX_LABELS 64

enum truth_group { TG_ETHNICITY, TG_SEX, TG_AGE_BAND, TG_CONVENTION, TG_COUNT };

struct link_truth {
    size_t nrecords;            /* the trace's records */
    uint32_t *person;           /* per record: true person or TRUTH_NONE */
    int has_group[TG_COUNT];    /* the file has the group's column */
    uint8_t *group[TG_COUNT];   /* per record: label index, when has_group */
    char *labels[TG_COUNT][TRUTH_MAX_LABELS]; /* sorted; owned */
    size_t nlabels[TG_COUNT];
    uint64_t rows;              /* data rows of the file */
    uint64_t matched;           /* records with a row */
    uint64_t rows_unmatched;    /* rows naming no accepted record of the job
                                 * (a quarantined row, a source not in it) */
    int legacy_header;          /* file,line,person_id,... */
};

/*
 * Reads the truth file at path and gives each of the n records of trace
 * (job_link_trace()) its true person and groups. 0, or CE_DATA (see
 * above), CE_IO, CE_NOMEM with d naming the file (and line, column, rule).
 * t is released on failure.
 */
int link_truth_load(struct link_truth *t, const char *path,
                    const struct job_plan *plan,
                    const struct link_trace *trace, size_t n, struct diag *d);

/* "ethnicity", "sex", "age_band", "convention". */
const char *truth_group_name(enum truth_group g);

/* Frees what t owns and zeroes it. */
void link_truth_release(struct link_truth *t);

#endif
