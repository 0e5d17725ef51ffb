/*
 * quarantine.h - the one policy for rows that cannot become records, and
 * for fields dropped from rows that are kept.
 *
 * Every per-row fault anywhere in read -> map -> validate ends here: a row
 * is either accepted or quarantined with exactly one reason, so
 * rows_in == rows_accepted + rows_quarantined always holds. What is kept
 * about a quarantined row is its file, line, column and reason -- never a
 * value.
 *
 *     struct quarantine q;
 *     quarantine_init(&q, source_plan);
 *     per row: quarantine_accept(&q) or quarantine_reject(&q, file, line, col, reason)
 *              (quarantine_withdraw() when a later stage refuses an accepted row)
 *              quarantine_note(&q, NOTE_INVALID_NHS_NUMBER) for dropped fields
 *     quarantine_check_policy(&q, &d) -> CE_DATA when over max_reject_rate
 *     quarantine_release(&q);
 */
#ifndef COHORT_QUARANTINE_H
#define COHORT_QUARANTINE_H

#include <stddef.h>
#include <stdint.h>

#include "../core/config.h"
#include "../core/error.h"

enum quarantine_reason {
    /* from the connector (enum row_fault order, RF_NONE excluded) */
    QR_RAGGED_ROW,
    QR_FIELD_TOO_LONG,
    QR_TOO_MANY_COLUMNS,
    QR_NUL_BYTE,
    QR_INVALID_ENCODING,
    QR_UNTERMINATED_QUOTE,
    /* from mapping and validation */
    QR_UNMAPPED_SERVICE,
    QR_UNMAPPED_SEX,
    QR_UNMAPPED_ETHNICITY,
    QR_BAD_START_DATE,
    QR_BAD_END_DATE,
    QR_END_BEFORE_START,
    QR_NO_IDENTIFIER, /* no valid date of birth and no valid identifier */
    /* from the id scope (anonymise/scope.h): an events row whose local_id
     * no header of its scope lists */
    QR_ORPHAN_LOCAL_ID,
    QR_COUNT
};

/* Fields dropped from kept rows. */
enum quarantine_note {
    NOTE_INVALID_NHS_NUMBER,
    NOTE_INVALID_UPN,
    NOTE_INVALID_ULN,
    NOTE_INVALID_NI_NUMBER,
    NOTE_INVALID_UPRN,
    NOTE_INVALID_POSTCODE,
    NOTE_INVALID_DOB,
    NOTE_FUTURE_DOB,
    NOTE_DOB_BEFORE_1900,
    NOTE_COUNT
};

/* Rule names as they appear in quality.csv: "ragged_row", ... */
const char *quarantine_reason_name(enum quarantine_reason r);
const char *quarantine_note_name(enum quarantine_note n);

/* One quarantined row: where it was and why, never what it held. */
struct rejected_row {
    uint32_t file;   /* index into the source's files */
    uint32_t reason; /* enum quarantine_reason */
    long line;
    long column;     /* 1-based field number, 0 when the row as a whole */
};

/* Rejected rows kept per source for quality reports; the counts go on. */
#define QUARANTINE_MAX_LISTED 100000

struct quarantine {
    const struct source_plan *plan;
    uint64_t rows_in;
    uint64_t rows_accepted;
    uint64_t rows_quarantined;
    uint64_t by_reason[QR_COUNT];
    uint64_t notes[NOTE_COUNT];
    struct rejected_row *rows; /* the first QUARANTINE_MAX_LISTED */
    size_t nrows;
    size_t alloc;
};

void quarantine_init(struct quarantine *q, const struct source_plan *plan);

/* Counts one accepted row. */
void quarantine_accept(struct quarantine *q);

/*
 * Counts one quarantined row. Returns 0, or CE_NOMEM when the listing
 * cannot grow (the count is still taken).
 */
int quarantine_reject(struct quarantine *q, uint32_t file, long line,
                      long column, enum quarantine_reason reason);

/*
 * Turns a row map_row() accepted into a quarantined one (an events row
 * found to be an orphan after mapping). Same return as quarantine_reject.
 */
int quarantine_withdraw(struct quarantine *q, uint32_t file, long line,
                        long column, enum quarantine_reason reason);

/* Counts a field dropped from a kept row. */
void quarantine_note(struct quarantine *q, enum quarantine_note n);

/*
 * The reject policy: CE_DATA when rows_quarantined / rows_in exceeds the
 * source's max_reject_rate, with d naming the source and both rates.
 */
int quarantine_check_policy(const struct quarantine *q, struct diag *d);

void quarantine_release(struct quarantine *q);

#endif
