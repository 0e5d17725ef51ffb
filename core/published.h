/*
 * published.h - what leaves disclosure control: the privacy boundary as a
 * type. A published table has coordinates, a published value and one
 * symbol per cell, and nothing else: no true count, no cell key, no rule
 * that hid a cell ([z] is no rule: the table's definition makes the cell
 * impossible, which anyone reading the definition knows). export/ renders only this (and the run's summary), so
 * it cannot write what it never receives.
 *
 * Layout: nby "by" dimensions (dimension j has dim_n[j] values, labels in
 * dim_labels[j]), repeated for every period; per period the interior
 * cells in row-major order over the by dimensions, then each dimension's
 * margins, then the grand total (a coordinate COORD_TOTAL is `Total`).
 *
 *     anonymise/disclosure: disclosure_publish(&counted, &pub)
 *     export/: render pub
 *     published_table_release(&pub)
 */
#ifndef COHORT_PUBLISHED_H
#define COHORT_PUBLISHED_H

#include <stddef.h>
#include <stdint.h>

#define TABLE_MAX_DIMS 6
#define COORD_TOTAL 0xFFFFFFFFu

/* A published cell's symbol, as government statistics write them. */
enum published_symbol {
    PUB_SHOWN,        /* value is the published count */
    PUB_CONFIDENTIAL, /* [c]: withheld, whichever rule withheld it */
    PUB_STRUCTURAL,   /* [z]: not applicable, the table's own definition
                         makes the cell impossible (known to be 0) */
};

struct published_cell {
    uint32_t coord[TABLE_MAX_DIMS]; /* value index per dimension or COORD_TOTAL */
    int64_t value;                  /* meaningful only when PUB_SHOWN */
    uint8_t symbol;                 /* enum published_symbol */
};

struct published_table {
    int nperiods;
    size_t nby;
    uint32_t dim_n[TABLE_MAX_DIMS];
    char **dim_labels[TABLE_MAX_DIMS]; /* owned copies */
    size_t ncells_per_period;          /* interior + margins + grand total */
    struct published_cell *cells;      /* nperiods * ncells_per_period */
};

/* The cells of one period. */
const struct published_cell *
published_period_cells(const struct published_table *t, int period);

/* 1 when the cell is withheld ([c]). */
int published_hidden(const struct published_cell *c);

/* 1 when the cell is a structural zero ([z]). */
int published_structural(const struct published_cell *c);

/* 1 when the cell is a margin or the total (some by coordinate is
 * COORD_TOTAL): the rows to leave out when summing the detail. */
int published_cell_is_margin(const struct published_table *t,
                     const struct published_cell *c);

/* The text of a cell that shows no count: "[c]" or "[z]"; NULL when the
 * cell shows its value. */
const char *published_symbol_text(const struct published_cell *c);

/* Frees what t owns and zeroes it. */
void published_table_release(struct published_table *t);

/*
 * A count published outside a table (a person count in quality.csv, the
 * manifest, the report) that the disclosure rule withholds: written `[c]`,
 * NULL in PostgreSQL, like a hidden cell. count_text() renders either.
 */
#define COUNT_WITHHELD UINT64_MAX

/* v as published: "[c]" when COUNT_WITHHELD, else its digits, in buf. */
const char *count_text(uint64_t v, char buf[24]);

#endif
