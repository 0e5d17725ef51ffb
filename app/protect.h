/*
 * protect.h - `cohort protect`'s input: an analyst's own table (a CSV made
 * by hand for an FOI answer or a committee paper) read through the CSV
 * connector (connectors/source.h: quotes, BOM, CRLF) and counted by
 * cohorts/tabulate.h into the table the nightly job protects. This file is
 * only the wiring between the two: which header column feeds which part of
 * the tabulation.
 *
 * The shapes of input (counts or microdata, a `record_key` column for
 * cell keys), the order of categories and the rules a row can break are
 * tabulate.h's; here only the header's:
 *   missing_column, duplicate_column   the header
 *   ragged_row, ... (row_fault_name)   a malformed row
 *   empty_table                        a header and no rows
 *
 * Calling sequence:
 *     struct protect_table pt;
 *     if ((rc = protect_table_read(&pt, &spec, &d)) < 0) -> d names
 *         file:line:column and the rule, never a value;
 *     disclosure_protect(&pt.table, &dp, ...);
 *     if ((rc = disclosure_check(&pt.table, &dp, threads, &d)) < 0) -> do not
 *         publish;
 *     render_table_csv(&pt.table, pt.period_name, pt.period_labels,
 *                      pt.by_names, &sb);
 *     protect_table_release(&pt);
 *
 * Errors: CE_DATA for anything wrong in the file, CE_IO when it cannot be
 * read, CE_NOMEM.
 */
#ifndef COHORT_PROTECT_H
#define COHORT_PROTECT_H

#include <stddef.h>
#include <stdint.h>

#include "../core/plan.h"
#include "../core/error.h"
#include "../anonymise/table.h"

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

/* Frees everything pt owns and zeroes it. */
void protect_table_release(struct protect_table *pt);

#endif
