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

#include "../core/plan.h"
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
    QR_UNMAPPED_VALUE, /* a service, sex or ethnicity code nothing maps */
    QR_BAD_START_DATE,
    QR_BAD_END_DATE,
    QR_END_BEFORE_START,
    QR_NO_IDENTIFIER, /* no valid date of birth and no valid identifier */
    /* from the id scope (anonymise/scope.h): an events row whose local_id
     * no header of its scope lists */
    QR_ORPHAN_LOCAL_ID,
    /* a start date more than DATE_FUTURE_TOLERANCE_DAYS after the
     * reference date (transform/normalise.h): a typing slip, not an event */
    QR_FUTURE_START_DATE,
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

/*
 * Unmapped codes, counted per field and code so an analyst can fix the
 * mapping. A value is kept as a code only when map.c judged it a plain code
 * that no identifier shape fits (map_value_nameable(), and equal to none
 * of the row's identifier cells); every other value is counted as hidden,
 * never kept. A kept code is still not named until the caller has counted
 * the distinct persons who carry it: per code, the caller registers the
 * rows' record tokens (unmapped_codes_witness()), links them with the
 * records, and sets `persons`. Tokens and witness ids are keyed hashes and
 * numbers -- no identifier.
 *
 *     per unmapped row: quarantine_unmapped(&q, ...); c = q.unmapped.last;
 *         if c >= 0 and unmapped_codes_wants(&q.unmapped, c, token):
 *             unmapped_codes_witness(&q.unmapped, c, token, id)
 *     after linkage: q.unmapped.codes[i].persons = distinct persons of its
 *         witnesses
 *     quarantine_each_unmapped(&q.unmapped, min_persons, fn, ctx)
 */
#define UNMAPPED_CODE_MAX 24
#define UNMAPPED_CODES_MAX 256 /* distinct codes kept per source */
#define UNMAPPED_FIELD_CODES_MAX 64 /* more in one field: free text, none shown */
/* Distinct record tokens kept per code: a code needs its persons among
 * them. Rows of one person share a token and count once, so the cap is on
 * persons-ish, not rows; past it a code's person count can only be low. */
#define UNMAPPED_WITNESSES_MAX 128
/* min_persons for quarantine_each_unmapped() when no person was counted
 * (`cohort check`): no code is named. */
#define UNMAPPED_UNCOUNTED 0

struct unmapped_code {
    uint8_t field;                  /* enum value_field */
    char code[UNMAPPED_CODE_MAX + 1];
    uint64_t n;                     /* rows */
    uint64_t persons;               /* distinct persons, set by the caller */
    uint64_t *tokens;               /* distinct record tokens seen; owned */
    uint32_t *witness;              /* the caller's id for each token; owned */
    uint32_t nwitness;
    uint32_t witness_alloc;
};

/* The fields codes are counted for: the value fields (enum value_field),
 * then the source's coded columns (transform/coded.h), VF_COUNT + k for
 * coded column k, named `code.COLUMN`. */
#define UNMAPPED_FIELDS (VF_COUNT + SOURCE_CODED_MAX)

struct unmapped_codes {
    struct unmapped_code *codes; /* by first appearance */
    size_t ncodes;
    long last;                   /* the code the latest quarantine_unmapped()
                                    counted, -1 when its value was not kept */
    /* the codes kept from the latest accepted row's coded cells that are
     * not on their lists (quarantine_coded()), for their witnesses */
    long row_codes[SOURCE_CODED_MAX];
    size_t nrow_codes;
    const struct source_plan *source; /* names the coded columns */
    uint64_t empty[UNMAPPED_FIELDS];    /* the cell was empty */
    uint64_t hidden[UNMAPPED_FIELDS];   /* not a plain code: never kept */
    uint64_t overflow[UNMAPPED_FIELDS]; /* past UNMAPPED_CODES_MAX codes */
};

/* 1 when token is not yet among code c's witnesses and there is room. */
int unmapped_codes_wants(const struct unmapped_codes *u, size_t c,
                         uint64_t token);

/* Adds token, with the caller's id for it, to code c's witnesses (see
 * unmapped_codes_wants()). 0 or CE_NOMEM. */
int unmapped_codes_witness(struct unmapped_codes *u, size_t c, uint64_t token,
                           uint32_t id);

/* Frees the codes and their witnesses; u is empty after. */
void unmapped_codes_release(struct unmapped_codes *u);

/* Rejected rows kept per source for quality reports; the counts go on. */
#define QUARANTINE_MAX_LISTED 100000

struct quarantine {
    const struct source_plan *plan;
    uint64_t rows_in;
    uint64_t rows_accepted;
    uint64_t rows_quarantined;
    uint64_t by_reason[QR_COUNT];
    uint64_t notes[NOTE_COUNT];
    /* per date field (enum common_field): values two of the field's
     * formats read as different dates; the first format's was used */
    uint64_t ambiguous_date[CF_COUNT];
    /* per coded column: rows kept without it, its code not on its list */
    uint64_t coded_dropped[SOURCE_CODED_MAX];
    /* the coded columns the latest kept row lost, so that a withdrawn
     * row (an orphan) is not counted as a drop too */
    uint8_t row_dropped[SOURCE_CODED_MAX];
    size_t nrow_dropped;
    struct rejected_row *rows; /* the first QUARANTINE_MAX_LISTED */
    size_t nrows;
    size_t alloc;
    struct unmapped_codes unmapped; /* the caller may move it out */
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
 * Quarantines a row for an unmapped code of field vf (unmapped_value) and
 * counts the code: p/n is the trimmed cell, code_like says whether map.c
 * found it safe to keep (see above). Sets q->unmapped.last to the code's
 * index, or -1 when the value was not kept. Same return as
 * quarantine_reject.
 */
int quarantine_unmapped(struct quarantine *q, uint32_t file, long line,
                        long column, enum value_field vf, const char *p,
                        size_t n, int code_like);

/*
 * A kept row's coded column k (transform/coded.h) holds p/n, a code not
 * on its list: the field is dropped from the row (counted towards
 * max_drop_rate) and the code counted as an unmapped one of field
 * VF_COUNT + k, kept for naming when code_like; the kept code's index is
 * added to q->unmapped.row_codes for the row's witness. The row is not
 * quarantined.
 */
void quarantine_coded(struct quarantine *q, size_t k, const char *p, size_t n,
                      int code_like);

/*
 * The unmapped-code report, one call of fn per line, by field: each code
 * carried by at least min_persons distinct persons (what = the code), then
 * "(rare)" for the rows of plain codes carried by fewer and of the codes
 * past UNMAPPED_CODES_MAX, "(empty)" for empty cells and "(not shown)" for
 * values that were not plain codes. With min_persons UNMAPPED_UNCOUNTED no
 * person was counted: no code is named, and the rows of every plain code
 * are "(code)". A field with more than UNMAPPED_FIELD_CODES_MAX distinct
 * unmapped codes, or whose codes did not all fit, is free text: all its
 * values count as "(not shown)". Lines with no rows are skipped. Returns 0
 * or fn's first negative return.
 */
int quarantine_each_unmapped(const struct unmapped_codes *u,
                             uint64_t min_persons,
                             int (*fn)(void *ctx, const char *field,
                                       const char *what, uint64_t n),
                             void *ctx);

/*
 * Turns a row map_row() accepted into a quarantined one (an events row
 * found to be an orphan after mapping); the coded columns it lost are no
 * longer counted as dropped. Same return as quarantine_reject.
 */
int quarantine_withdraw(struct quarantine *q, uint32_t file, long line,
                        long column, enum quarantine_reason reason);

/* Counts a field dropped from a kept row. */
void quarantine_note(struct quarantine *q, enum quarantine_note n);

/* Counts an ambiguous date of field (enum common_field) -- the row is
 * not faulty for it: the first format that read it was used. */
void quarantine_ambiguous_date(struct quarantine *q, int field);

/*
 * The field-drop limit: 1 when the rows of q that lost one field (dob,
 * postcode, an identifier: a value there that did not validate, any of
 * its notes) exceed the source's max_drop_rate of rows_in, with *field
 * the first such field (enum common_field) and *dropped its rows; else 0.
 * A blank cell is not a drop: the field was never there.
 */
int quarantine_drop_over_limit(const struct quarantine *q, int *field,
                               uint64_t *dropped);

/* Field f's field-drop limit in ppm: its max_drop_rate.FIELD, else the
 * source's max_drop_rate. */
uint32_t quarantine_drop_limit(const struct source_plan *sp, int f);

/* The notes (enum quarantine_note) that drop field f, ", "-separated with
 * their counts, into buf: "invalid_dob 2100, future_dob 3". */
void quarantine_drop_reasons(const struct quarantine *q, int f, char *buf,
                             size_t n);

/* The field-drop limit alone: 0, or CE_DATA with d naming the source, the
 * field, its rows and reasons (rule max_drop_rate); of_the_first is put
 * before the row count ("the first " when only some rows were read). */
int quarantine_check_drops(const struct quarantine *q, struct diag *d,
                           const char *of_the_first);

/* 1 when rows_quarantined / rows_in exceeds the source's max_reject_rate. */
int quarantine_over_limit(const struct quarantine *q);

/*
 * The source's data policy, once it has been read: CE_DATA when it had a
 * header but no row and may_be_empty is not set (rule "empty_extract"),
 * or when rows_quarantined / rows_in exceeds max_reject_rate (rule
 * "max_reject_rate"), or a field is dropped from more rows than
 * max_drop_rate (rule "max_drop_rate", naming the field and its reasons),
 * with d naming the source and the numbers.
 */
int quarantine_check_policy(const struct quarantine *q, struct diag *d);

void quarantine_release(struct quarantine *q);

#endif
