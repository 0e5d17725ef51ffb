/*
 * row.h - the contract between connectors/ and transform/: a row as a
 * source returns it. Cells are borrowed views into the connector's buffer,
 * valid until the source's next row; a row with a fault is still returned
 * (the quarantine counts it), a source's failure is an error of the
 * source (connectors/source.h). transform/ reads rows through this header
 * alone, never through a connector.
 */
#ifndef COHORT_ROW_H
#define COHORT_ROW_H

#include <stddef.h>
#include <stdint.h>

/* A borrowed view into the connector's buffer. Not NUL-terminated. */
struct cell {
    const char *ptr;
    size_t len;
};

enum row_fault {
    RF_NONE,
    RF_RAGGED,             /* column count differs from the header */
    RF_FIELD_TOO_LONG,     /* over max_field_bytes */
    RF_TOO_MANY_COLUMNS,   /* over max_columns */
    RF_NUL_BYTE,
    RF_BAD_ENCODING,       /* invalid UTF-8 in a UTF-8 source */
    RF_UNTERMINATED_QUOTE, /* at end of file */
    RF_COUNT
};

/* "ragged_row", "field_too_long", ... (the quarantine reason). */
const char *row_fault_name(enum row_fault f);

struct raw_row {
    const struct cell *cells;
    size_t ncells;
    uint32_t file_index;   /* index into the source's files (0: a database) */
    long line;             /* physical line where the row starts, 1-based */
    enum row_fault fault;
    long fault_column;     /* 1-based column of the fault, 0 if n/a */
};

/*
 * Index of the header column named `name` (surrounding spaces ignored,
 * case-insensitive) among header[0 .. n-1], or -1.
 */
int row_header_index(const struct cell *header, size_t n, const char *name);

#endif
