/*
 * protect.h - an analyst's own table (a CSV made by hand for an FOI answer
 * or a committee paper) read into the counted table the nightly job
 * protects, so `cohort protect` gives it the same disclosure control:
 * anonymise/disclosure.h on a struct count_table, published by
 * export/files.h's render_table_csv().
 *
 * Two shapes of input, both CSV with a header (read by the CSV connector:
 * quotes, BOM, CRLF):
 *   counts     one row per combination of the by columns (and the period
 *              column, if any) with a whole number in the count column;
 *              a combination that is not there counts 0.
 *   microdata  no count column: one row per person; a cell counts its
 *              rows. A `record_key` column (0-255, e.g. a keyed hash of
 *              the person) gives each cell its key, the sum of its rows'
 *              record keys mod 256, for cell-key perturbation.
 *
 * Categories are ordered naturally (digits compared as numbers, then byte
 * order), so the table does not depend on the order of the rows.
 *
 * Calling sequence:
 *     struct protect_table pt;
 *     if ((rc = protect_table_read(&pt, &spec, &d)) < 0) -> d names
 *         file:line:column and the rule, never a value;
 *     disclosure_protect(&pt.table, &dp, ...);
 *     if ((rc = protect_table_check(&pt.table, &dp, &d)) < 0) -> do not
 *         publish;
 *     render_table_csv(&pt.table, pt.period_name, pt.period_labels,
 *                      pt.by_names, &sb);
 *     protect_table_release(&pt);
 *
 * Errors: CE_DATA for anything wrong in the file (rule names below), CE_IO
 * when it cannot be read, CE_NOMEM.
 *   missing_column, duplicate_column   the header
 *   ragged_row, ... (row_fault_name)   a malformed row
 *   empty_category                     a blank by or period value
 *   total_row                          a by value that is already a total
 *                                      (Total, All, Grand total, ...)
 *   duplicate_combination              counts: a combination given twice
 *   count_not_integer, negative_count, count_too_large
 *   record_key_range                   not a whole number from 0 to 255
 *   empty_table                        a header and no rows
 *   too_many_categories, table_too_large
 */
#ifndef COHORT_PROTECT_H
#define COHORT_PROTECT_H

#include <stddef.h>
#include <stdint.h>

#include "../core/config.h"
#include "../core/error.h"
#include "../anonymise/table.h"

#define PROTECT_MAX_CATEGORIES 10000  /* values per by or period column */
#define PROTECT_MAX_CELLS 200000      /* cells of all periods, margins too */
#define PROTECT_MAX_COUNT 1000000000000LL

struct protect_spec {
    const char *path;               /* the CSV, a plain path (no glob) */
    const char *const *by;          /* by column names, nby of them */
    size_t nby;                     /* 1 .. TABLE_MAX_DIMS */
    const char *count_column;       /* NULL: microdata */
    const char *period_column;      /* NULL: one period, no period column */
    int need_record_keys;           /* cellkey: microdata must carry record_key */
};

struct protect_table {
    struct count_table table;       /* interior counts, margins filled */
    char *by_names[TABLE_MAX_DIMS]; /* as spelled in the header */
    char *period_name;              /* NULL without a period column */
    char **period_labels;           /* table.nperiods; NULL without a period column */
    uint64_t rows;                  /* data rows read */
};

/*
 * Reads spec->path into pt: counts (or persons) per interior cell, cell
 * keys, margins and grand total per period. Returns 0, or a negative
 * cohort_err with d naming the file, line, column and rule (never a
 * value); pt is then released. The caller releases pt with
 * protect_table_release().
 */
int protect_table_read(struct protect_table *pt, const struct protect_spec *spec,
                       struct diag *d);

/*
 * After disclosure_protect(): refuses a table that is not safe to publish.
 * CE_DATA when the attacker (disclosure_audit) narrows some primary
 * suppressed cell to less than dp->protection_level, or when no cell at
 * all is left to publish; CE_NOMEM, or CE_INTERNAL when the solver fails;
 * else 0.
 */
int protect_table_check(const struct count_table *t,
                        const struct disclosure_plan *dp, struct diag *d);

/* Frees everything pt owns and zeroes it. */
void protect_table_release(struct protect_table *pt);

/*
 * The order categories are published in: digit runs compared as numbers
 * ("5-10" before "11-15"), other bytes as bytes; strings equal that way
 * ("07", "7") by byte order. <0, 0 or >0.
 */
int protect_label_cmp(const char *a, const char *b);

#endif
