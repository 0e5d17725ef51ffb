/*
 * table.h - the counted table that cohorts/ fills and anonymise/disclosure
 * protects. It holds true counts and cell keys, so it never reaches
 * export/: disclosure_publish() turns it into a published_table
 * (core/published.h), which is all export/ sees. It has no field that
 * could hold an identifier: coordinates are indexes into label lists,
 * counts are numbers.
 *
 * A table has nby "by" dimensions (dimension j has dim_n[j] values, labels
 * in dim_labels[j]) and is repeated for every period. Per period it holds
 * the interior cells (every combination of by values) and the margins: the
 * total per single by column value (other coordinates TOTAL) and the grand
 * total (every coordinate TOTAL). Periods are protected independently:
 * persons in different months are not additive, so no published figure sums
 * across periods.
 *
 * Cells are stored period-major, and within a period in the order
 * table_build() creates them: interior cells in row-major order over the by
 * dimensions, then each dimension's margins, then the grand total.
 *
 *     table_init(&t, nperiods, nby, dim_n, labels)   -- cells zeroed
 *     table_cell(&t, period, coord) -> cell, ++count ... (interior only)
 *     table_fill_margins(&t)                         -- sums interior
 *     disclosure_protect(&t, ...)                     -- sets published/status
 *     disclosure_publish(&t, &pub)                    -- what may leave
 *     table_release(&t)
 */
#ifndef COHORT_TABLE_H
#define COHORT_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "../core/published.h" /* TABLE_MAX_DIMS, COORD_TOTAL */

enum cell_status {
    CELL_OK,          /* published as counted */
    CELL_SUPPRESSED,  /* primary suppression */
    CELL_SECONDARY,   /* suppressed to protect another cell */
    CELL_ROUNDED,     /* published rounded */
    CELL_PERTURBED,   /* published with cell-key noise */
    CELL_STRUCTURAL,  /* impossible by the table's own definition: [z] */
};

/* "ok", "suppressed", "secondary", "rounded", "perturbed", "structural":
 * for the per-table counts of what each rule did, never for a published
 * cell. */
const char *cell_status_name(enum cell_status s);

struct table_cell {
    uint32_t coord[TABLE_MAX_DIMS]; /* value index per dimension or COORD_TOTAL */
    int64_t count;     /* true count: never exported */
    uint32_t ckey;     /* sum of record keys mod 256: never exported */
    int64_t published; /* value to publish; meaningless when suppressed */
    uint8_t status;    /* enum cell_status */
};

struct count_table {
    int nperiods;
    size_t nby;
    uint32_t dim_n[TABLE_MAX_DIMS];
    char **dim_labels[TABLE_MAX_DIMS]; /* owned copies */
    size_t ninterior;          /* interior cells per period */
    size_t ncells_per_period;  /* interior + margins + grand total */
    struct table_cell *cells;  /* nperiods * ncells_per_period */
    /*
     * Per cell of a period (the same in every period), 1 when no person
     * can be counted there whatever the data: a structural zero that the
     * table's own definition makes impossible (an age band outside the
     * cohort's age condition), published as [z] and known to the
     * attacker as 0. NULL when there is none. table_mark_structural()
     * sets it.
     */
    uint8_t *structural;
};

/*
 * Allocates a table with every cell zeroed and coordinates set. labels[j]
 * has dim_n[j] strings, copied. Returns 0 or -1 (out of memory).
 */
int table_init(struct count_table *t, int nperiods, size_t nby,
               const uint32_t *dim_n, char *const *const *labels);

/* The cells of one period. */
struct table_cell *table_period_cells(struct count_table *t, int period);

/* Interior cell of period at coord (nby values, none TOTAL). */
struct table_cell *table_interior(struct count_table *t, int period,
                                  const uint32_t *coord);

/* Recomputes every margin and total (count and ckey) from the interior. */
void table_fill_margins(struct count_table *t);

/*
 * Marks structural zeros: interior[i] (ninterior entries, in interior
 * order) is 1 for an impossible interior cell; a margin or total is
 * structural when every interior cell it sums is. 0 or -1 (out of
 * memory).
 */
int table_mark_structural(struct count_table *t, const uint8_t *interior);

/* 1 when cell is a margin or total (some coordinate is COORD_TOTAL). */
int table_cell_is_margin(const struct count_table *t,
                         const struct table_cell *c);

void table_release(struct count_table *t);

#endif
