/*
 * source.h - every extract is read through this one small interface, so
 * nothing after the connector knows whether a row came from a CSV file, a
 * gzip file or a database.
 *
 * Calling sequence:
 *     struct source src;
 *     struct raw_row row;
 *     if (source_open(&src, plan_source, &d) < 0) -> error (d names the source)
 *     source_column_index(&src, "DOB") -> index or -1
 *     while ((rc = source_next(&src, &row, &d)) > 0) {
 *         if (row.fault) ... quarantine (row.file_index, row.line, row.fault_column)
 *         else ... row.cells[i] valid until the next source_next() call
 *     }
 *     if (rc < 0) -> source error (CE_IO or CE_DATA), d says where
 *     source_close(&src);
 *
 * Row faults (ragged row, over-long field, NUL byte, bad encoding, an
 * unterminated quote) are not errors: the row is returned with fault set so
 * the quarantine can count it. Source errors (cannot open, a truncated gzip,
 * a dead connection) end the read with a negative return.
 *
 * A file is named by its source and its position, never by its path: an
 * inbox may name its files after the person in them
 * (referral_<forename>_<surname>_<dob>.csv), so a path is data. Every
 * diagnostic about a file says "source 'NAME' file N" (source_file_label),
 * N being the file's place, 1-based, in the sorted order the source's glob
 * is read; outputs add the BLAKE2b hash of its bytes.
 */
#ifndef COHORT_SOURCE_H
#define COHORT_SOURCE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/plan.h"
#include "../core/error.h"
#include "../core/row.h"

/* The caps a source has unless its [source] says otherwise
 * (max_field_bytes, max_columns; connectors/source_settings.c). */
#define SOURCE_MAX_FIELD_BYTES_DEFAULT 1048576 /* 1 MiB */
#define SOURCE_MAX_COLUMNS_DEFAULT 512

struct source_ops;

/* One input file as read, for the manifest. */
struct source_file {
    char *path;                /* for open() only: never printed (see above) */
    uint64_t size;
    uint64_t rows;             /* data rows returned from it, faulty ones included */
    /* BLAKE2b-256 of the bytes as stored (the compressed bytes of a gzip
     * file), computed while the file is read: no second read */
    unsigned char blake2b[32];
    int hashed;                /* 1 once the whole file was read */
};

struct source {
    const struct source_ops *ops;
    void *state;                     /* the backend's own struct */
    const struct source_plan *plan;
    const struct cell *columns;      /* header cells, trimmed */
    size_t ncolumns;
    struct source_file *files;       /* files matched, in read order */
    size_t nfiles;
    uint64_t bytes_read;             /* input bytes consumed (uncompressed) */
    uint64_t rows_read;              /* data rows returned, faulty ones included */
    /* set by a signal handler: the backend stops between blocks of input
     * (CE_INTERRUPTED), even inside a record that never ends; or NULL */
    const volatile sig_atomic_t *stop;
};

struct source_ops {
    const char *name;
    int (*open)(struct source *src, struct diag *d);
    int (*next_row)(struct source *src, struct raw_row *row, struct diag *d);
    void (*close)(struct source *src);
};

/* Backends. */
extern const struct source_ops csv_source_ops;
extern const struct source_ops postgres_source_ops;
extern const struct source_ops xml_source_ops;   /* xml_source.h */

/*
 * Opens the source plan describes (the backend chosen by plan->format) and
 * reads its header. Returns 0 or a negative cohort_err (CE_IO when a file or
 * server cannot be reached, CE_DATA when the header is missing or
 * malformed), with d naming the source.
 */
int source_open(struct source *src, const struct source_plan *plan,
                struct diag *d);

/* source_open() that, opening and then reading, stops with
 * CE_INTERRUPTED ("interrupted") soon after *stop is set. */
int source_open_stoppable(struct source *src, const struct source_plan *plan,
                          const volatile sig_atomic_t *stop, struct diag *d);

/* 1: a row is in *row; 0: end of input; < 0: source error (d says where). */
int source_next(struct source *src, struct raw_row *row, struct diag *d);

/* Releases everything; safe on a source that failed to open. */
void source_close(struct source *src);

/*
 * Index of the header column named name (compared case-insensitively,
 * surrounding spaces ignored), or -1.
 */
int source_column_index(const struct source *src, const char *name);

/*
 * Writes "source 'NAME' file N" into buf (size n): how every message names
 * files[i] of src (N = i + 1). Never the path.
 */
void source_file_label(const struct source *src, size_t i, char *buf,
                       size_t n);

/*
 * The header column most like name, for "did you mean" when a mapped
 * column is missing: the same letters and digits once case, spaces, '_',
 * '-' and '.' are set aside, one name the start of the other
 * (TENURE, TENURE_CODE), or a few letters apart. Only plain names
 * (source_column_name_plain()) are offered. Its index, or -1.
 */
int source_column_suggest(const struct source *src, const char *name);

/*
 * 1 when a header name (already trimmed) may be printed: ASCII letters,
 * digits, space, '_', '-' and '.', 1 to 64 bytes. A header cell can hold
 * anything -- a misplaced data row, a person's name with its punctuation --
 * so any other name is referred to by its column number only.
 */
int source_column_name_plain(const struct cell *name);

/*
 * Checks that no two of the n header names cols match, compared
 * case-insensitively (ASCII) once surrounding whitespace and byte-order
 * marks are trimmed: with TENURE and tenure both present, which one a
 * mapping reads is an accident that changes published totals. Empty names
 * (trailing delimiters) are never duplicates: nothing can map them.
 * Returns 0; or CE_DATA with d naming where (where, line) and the pair
 * whose second column comes first, by 1-based column number, and by name
 * when the names are plain (rule "duplicate_column"); or CE_NOMEM.
 * Sorts a copy, so a 65 536-column header is checked in O(n log n).
 */
int source_check_duplicate_columns(const struct cell *cols, size_t n,
                                   const char *where, long line,
                                   struct diag *d);

#endif
