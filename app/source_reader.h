/*
 * source_reader.h - one source read through its connector, its mapping
 * and its quarantine: the per-source read path that `cohort run` (app/job.c,
 * on any thread) and `cohort check` (the first rows only) share.
 *
 *     struct source_reader r;
 *     source_reader_init(&r, source_plan);
 *     rc = source_reader_open(&r, plan, stop, report_missing, ctx, &d);
 *         -- CE_IO / CE_DATA / CE_NOMEM; with report_missing, r.missing
 *            mapped columns were listed through it and d says nothing more
 *     rc = source_reader_run(&r, max_rows, &stop_flag, row_fn, ctx, &d);
 *         -- per row: map_row(), then row_fn with map_row()'s answer
 *     ... r.q (counts by reason), r.src (files, bytes), r.rows ...
 *     source_reader_summarise(&r, &summary);   -- `cohort run`
 *     source_reader_release(&r);
 *
 * What a row holds lives only inside the loop: row_fn gets map_row()'s
 * plaintext record and hands it to the stage that may read it
 * (anonymise/record.h, record_from_row()); the reader wipes its
 * identifiers again after row_fn returns, and nothing of it is kept.
 * Every row is either accepted or quarantined by r.q, with its reason.
 */
#ifndef COHORT_SOURCE_READER_H
#define COHORT_SOURCE_READER_H

#include <signal.h>
#include <stdint.h>

#include "../connectors/source.h"
#include "../core/plan.h"
#include "../core/error.h"
#include "../core/run.h"
#include "../core/schema.h"
#include "../transform/map.h"
#include "../transform/quarantine.h"

struct source_reader {
    const struct source_plan *sp;
    struct source src;
    struct source_mapping m;
    struct quarantine q;
    int have_map;
    size_t missing;     /* mapped columns not in the header (when listed) */
    uint64_t rows;      /* rows read, faulty ones included */
};

/*
 * Per row of source_reader_run(): mapped is map_row()'s return (0 when
 * rec holds an accepted record -- plaintext -- else 1 + the quarantine
 * reason, the row already counted in r->q). Returns 0 to read on, or a
 * negative error, with d set, to stop.
 */
typedef int (*source_row_fn)(void *ctx, struct source_reader *r,
                             const struct raw_row *row, int mapped,
                             struct record *rec, struct diag *d);

/* Empties r and readies its quarantine for source sp. Nothing to fail. */
void source_reader_init(struct source_reader *r, const struct source_plan *sp);

/*
 * What source_reader_open() reports per mapped column the header lacks:
 * the field, the column as the job file names it and that key's line,
 * optional (a profile's optional column: the field is not read, no
 * error), and suggestion: the header's most similar plain name
 * (source_column_suggest()), or NULL.
 */
typedef void (*source_missing_fn)(void *ctx, int field, const char *column,
                                  int line, int optional,
                                  const char *suggestion);

/*
 * Opens the source and maps its header (source_open_stoppable(),
 * mapping_init()); stop (or NULL) as for source_reader_run(). When
 * report_missing is not NULL, every mapped column the header lacks is
 * first reported through it: then r->missing is the number of required
 * ones, and when it is not 0 the return is CE_DATA with d untouched.
 * Otherwise 0 or the first error, d naming the source (a missing column
 * with the header's most similar name, when there is one).
 */
int source_reader_open(struct source_reader *r, const struct job_plan *plan,
                       const volatile sig_atomic_t *stop,
                       source_missing_fn report_missing, void *ctx,
                       struct diag *d);

/*
 * Reads up to max_rows rows (0: all), mapping each and calling fn (NULL:
 * the rows are only counted). Stops with CE_INTERRUPTED ("interrupted", d
 * naming the row) as soon as *stop (when given) is set. Returns 0 at the
 * end, the source's error (CE_IO, CE_DATA, d says where), or fn's.
 */
int source_reader_run(struct source_reader *r, uint64_t max_rows,
                      const volatile sig_atomic_t *stop, source_row_fn fn,
                      void *ctx, struct diag *d);

/*
 * Copies what r read into ss (source_summary_release() frees it): rows in,
 * accepted and quarantined, counts by reason and by note, the first
 * QUARANTINE_MAX_LISTED quarantined rows' places, the unmapped-code lines
 * with no code named yet (UNMAPPED_UNCOUNTED), the files (size, rows,
 * hash) and bytes read. Names, counts and places only. 0 or CE_NOMEM.
 */
int source_reader_summarise(const struct source_reader *r,
                            struct source_summary *ss);

/*
 * (Re)writes ss's unmapped-code lines from u ("service=TA2 12",
 * "sex=(empty) 3", ...): min_persons as for quarantine_each_unmapped() --
 * UNMAPPED_UNCOUNTED until linkage has counted the persons who carry each
 * code, so a run that stops before linking names none. 0 or CE_NOMEM.
 */
int source_summary_set_unmapped(struct source_summary *ss,
                                const struct unmapped_codes *u,
                                uint64_t min_persons);

/*
 * Logs (LOG_WARN) where the first 20 quarantined rows of r are, so that
 * an extract over its reject limit can be fixed: the file by its place,
 * never its path, then line, column and rule -- never what the row held.
 */
void source_reader_log_rejected(const struct source_reader *r);

/*
 * Logs (LOG_WARN) what read well but deserves a look: per date field,
 * the values more than one of its formats read as different dates; per
 * profile's optional column the header lacked, that its field was not
 * read (LOG_INFO). Counts and names from the job file only.
 */
void source_reader_log_notes(const struct source_reader *r);

/* Closes the source, releases the mapping and the quarantine. */
void source_reader_release(struct source_reader *r);

#endif
