/*
 * tabulate.h - a given table counted into a struct count_table: the rows
 * of a table someone else made (an analyst's CSV for `cohort protect`),
 * each naming its categories and a count, or one row per person. The
 * counted table is the one the nightly job's cohorts fill (count.h), so
 * anonymise/disclosure protects it and export/ publishes it the same way.
 *
 * Two shapes of input:
 *   counts     one row per combination of the by values (and the period,
 *              if any) with a whole number as its count; a combination
 *              that is not there counts 0.
 *   microdata  one row per person; a cell counts its rows. A row's record
 *              key (0-255, e.g. a keyed hash of the person) adds to its
 *              cell's key, mod 256, for cell-key perturbation.
 *
 * Categories are interned per column (core/hash.h) and counts accumulate
 * per cell as rows arrive, so memory grows with the categories and cells,
 * never with the rows; they are ordered naturally (tabulate_label_cmp)
 * after the last row, so the table does not depend on the row order.
 *
 * Calling sequence:
 *     struct tabulation tb;
 *     tabulation_init(&tb, &spec);
 *     per row: if ((rc = tabulation_add(&tb, &row, &d)) < 0) -> stop;
 *     rc = tabulation_finish(&tb, &table, &period_labels, &d);
 *     tabulation_release(&tb);
 *
 * Errors are CE_DATA, with d naming spec->name, the row's line and the
 * cell's column and the rule -- never the value -- or CE_NOMEM:
 *   empty_category                     a blank by or period value
 *   total_row                          a by value that is already a total
 *                                      (Total, All, Grand total, ...)
 *   duplicate_combination              counts: a combination given twice
 *   count_not_integer, negative_count, count_too_large
 *   record_key_range                   not a whole number from 0 to 255
 *   empty_table                        no rows at all
 *   too_many_categories, table_too_large
 */
#ifndef COHORT_TABULATE_H
#define COHORT_TABULATE_H

#include <stddef.h>
#include <stdint.h>

#include "../core/error.h"
#include "../core/hash.h"
#include "../anonymise/table.h"

#define TABULATE_MAX_CATEGORIES 10000  /* values per by or period column */
#define TABULATE_MAX_CELLS 200000      /* cells of all periods, margins too */
#define TABULATE_MAX_COUNT 1000000000000LL

struct tabulate_spec {
    const char *name;       /* names the input in diagnostics */
    size_t nby;             /* by columns, 1 .. TABLE_MAX_DIMS */
    int has_period;         /* rows name a period; else there is one */
    int counts;             /* rows give counts; else each row is a person */
};

/* One cell of a row, borrowed for the call; column is 1-based. */
struct tabulate_cell {
    const char *ptr;
    size_t len;
    long column;
};

/* One row. Cells the spec does not use are ignored; record_key.ptr NULL
 * means none (0). */
struct tabulate_row {
    long line;
    struct tabulate_cell period;
    struct tabulate_cell by[TABLE_MAX_DIMS];
    struct tabulate_cell count;
    struct tabulate_cell record_key;
};

struct tabulation {
    struct tabulate_spec spec;
    /* the values of the period column ([0]) and each by column */
    struct hash_table labels[TABLE_MAX_DIMS + 1];
    /* cells by their category indexes; per cell index: */
    struct hash_table cells;
    int64_t *count;
    uint32_t *ckey;
    long *line;             /* the row that first named the cell */
    size_t alloc;
    uint64_t rows;          /* rows added */
};

/* Starts an empty tabulation; allocates nothing yet. spec is copied (its
 * name is borrowed until the release). */
void tabulation_init(struct tabulation *tb, const struct tabulate_spec *spec);

/*
 * Counts one row: its categories (trimmed of surrounding spaces) into
 * their cell, plus its count (counts) or 1 and its record key
 * (microdata). 0, CE_DATA (the rules above) or CE_NOMEM.
 */
int tabulation_add(struct tabulation *tb, const struct tabulate_row *row,
                   struct diag *d);

/*
 * Builds t (initialised here; the caller releases it with table_release)
 * from the rows added: categories in tabulate_label_cmp order, interior
 * counts and cell keys, margins and grand total per period. With a period
 * column *period_labels gets t->nperiods labels in table order (the caller
 * frees each and the array), else NULL. 0, CE_DATA (empty_table,
 * table_too_large) or CE_NOMEM; on error t holds nothing.
 */
int tabulation_finish(struct tabulation *tb, struct count_table *t,
                      char ***period_labels, struct diag *d);

/* Frees what tb holds. */
void tabulation_release(struct tabulation *tb);

/*
 * The order categories are published in: digit runs compared as numbers
 * ("5-10" before "11-15"), other bytes as bytes; strings equal that way
 * ("07", "7") by byte order. <0, 0 or >0.
 */
int tabulate_label_cmp(const char *a, const char *b);

#endif
