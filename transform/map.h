/*
 * map.h - one source row -> one canonical record (or a quarantine reason).
 *
 * A struct source_mapping is built once per source from the plan and the
 * source's header: which column feeds which common field, and the source's
 * value maps. map_row() then turns each raw row into a struct record:
 * columns are read, normalised (transform/normalise.h) and validated
 * (transform/validate.h); invalid identifiers are dropped and noted, rows
 * that cannot become a record get a quarantine reason.
 *
 *     struct source_mapping m;
 *     if (mapping_init(&m, plan, source_plan, header, ncolumns, &d) < 0) -> a mapped
 *         column is missing (CE_DATA, d names the source and column)
 *     per row: rc = map_row(&m, &row, &rec, &q);
 *         rc == 0: rec holds the record (plaintext identifiers: pseudonymise
 *                  it and let it go)
 *         rc > 0:  the row was quarantined with reason rc - 1 (already
 *                  counted in q)
 *     mapping_release(&m);
 */
#ifndef COHORT_MAP_H
#define COHORT_MAP_H

#include "../core/row.h"
#include "../core/plan.h"
#include "coded.h"
#include "normalise.h"
#include "quarantine.h"
#include "../core/schema.h"

/* One code of a value map, for a binary search by code. */
struct value_code {
    const char *code;  /* borrowed from the plan's entry */
    size_t len;
    int canonical;     /* enum sex_code / ethnic_group / service index */
};

struct value_lookup {
    size_t n;
    struct value_code *codes; /* sorted by code, ignoring ASCII case; owned */
    int default_value; /* -1 when none */
};

/* The date fields a source may give formats of their own
 * (date_format.FIELD). */
enum map_date { MAP_DOB, MAP_START, MAP_END, MAP_DATES };

/* One date field's formats, tried in order (parse_date_formats()). */
struct date_formats {
    char *text;                        /* owned: the formats, NUL-separated */
    const char *fmt[DATE_FORMATS_MAX]; /* into text */
    size_t n;                          /* 0: ISO and yyyymmdd only */
};

struct source_mapping {
    const struct job_plan *plan;
    const struct source_plan *source;
    int column[CF_COUNT];            /* header index, -1 when unmapped */
    struct value_lookup values[VF_COUNT];
    int fixed_service;               /* service index, -1 when none */
    int pivot_year;                  /* two-digit years above it are 19xx */
    uint32_t file_index;             /* set by the caller as files change */
    struct date_formats dates[MAP_DATES];
    /* 1: a profile's optional column the header lacks; its field is not
     * read */
    uint8_t absent[CF_COUNT];
    /* the source's period_column, -1 when unmapped or absent (a file may
     * lack it: the dates then decide) */
    int period_column;
    /* where the source's coded columns are (transform/coded.h) */
    struct coded_mapping coded;
};

/*
 * Resolves every mapped column against the source's header (its column
 * names header[0 .. ncolumns-1], as the connector read them), splits the
 * date formats and compiles the value maps. A profile's optional column
 * the header lacks is left unread (m->absent). Returns 0, CE_DATA naming
 * the first missing column (rule "column"), CE_CONFIG for a compared
 * column it lacks (mapping_check_compared()), or CE_NOMEM. The mapping
 * borrows plan and source_plan; mapping_release() frees what it owns.
 */
int mapping_init(struct source_mapping *m, const struct job_plan *plan,
                 const struct source_plan *source, const struct cell *header,
                 size_t ncolumns, struct diag *d);

/*
 * A comparison-only field (address, email, phone, town: transform/
 * contact.h) mapped to a column the header lacks is a configuration
 * error, not a data fault: the job compares on a column the source does
 * not have. CE_CONFIG with d naming the job file and the line of the
 * field.X setting (rule "compared_column"), or 0.
 */
int mapping_check_compared(const struct job_plan *plan,
                           const struct source_plan *source,
                           const struct cell *header, size_t ncolumns,
                           struct diag *d);

/*
 * Calls report for every mapped column missing from the header, optional
 * ones (a profile's: not an error) with optional = 1; returns how many
 * required ones are missing. For `cohort check`.
 */
size_t mapping_missing_columns(const struct source_plan *source,
                               const struct cell *header, size_t ncolumns,
                               void (*report)(void *ctx, int field,
                                              const char *column, int line,
                                              int optional),
                               void *ctx);

/*
 * Maps one row. Returns 0 when *out holds an accepted record (counted in
 * q), or 1 + enum quarantine_reason when the row was quarantined (counted
 * in q). out is cleared either way; on quarantine it holds nothing.
 */
int map_row(const struct source_mapping *m, const struct raw_row *row,
            struct record *out, struct quarantine *q);

/*
 * For a row map_row() quarantined as unmapped_value: its identifiers, date
 * of birth and sex (when it maps) into out, so that the caller can
 * pseudonymise them and count the distinct persons who carry the unmapped
 * code (quarantine.h). Nothing is counted anywhere. Returns 1 when out
 * holds a valid identifier or date of birth -- plaintext: pseudonymise and
 * wipe it -- else 0 with out holding nothing.
 */
int map_row_identity(const struct source_mapping *m, const struct raw_row *row,
                     struct record *out);

/*
 * The rules for naming an unmapped value (README, "Unmapped codes"); p/n
 * is the trimmed cell, never kept.
 *
 * map_value_is_plain_code: 1 to 24 ASCII letters, digits and `._-`, at
 * least one letter or digit.
 *
 * map_value_has_identifier_shape: 1 when the value, spaces, punctuation and
 * case set aside, could be an identifier: an '@' (e-mail), a run of six
 * digits (NHS number, ULN, UPN, NI number, UPRN, phone number, a date
 * without separators, any long number), a full UK postcode, or a date
 * (date_format, ISO, or any day/month/year shape with numbers or an
 * English month name). pivot_year as for parse_date().
 *
 * map_value_nameable: a plain code with no identifier shape. Even then the
 * value is named only when enough distinct persons carry it.
 */
int map_value_is_plain_code(const char *p, size_t n);
int map_value_has_identifier_shape(const char *p, size_t n,
                                   const char *date_format, int pivot_year);
int map_value_nameable(const char *p, size_t n, const char *date_format,
                       int pivot_year);

/*
 * The codes of VF_SEX or VF_ETHNICITY some source of the plan can give a
 * record, bit k for enum value k, from the plan alone (never the data):
 * the unknown code always (a blank cell, an unmapped column); the others
 * only through a source that maps the field -- its value map's codes and
 * default, and every built-in code its value map does not take over (the
 * map is tried first). A code outside the result is no category of a
 * published table.
 */
uint32_t map_codes_possible(const struct job_plan *plan, enum value_field vf);

void mapping_release(struct source_mapping *m);

#endif
