/*
 * tabulate.c - rows of a given table into a counted table (tabulate.h says
 * what is accepted). One hash table per column interns its categories;
 * one more, keyed by a row's category indexes, finds its cell.
 */
#include "tabulate.h"
#include "../core/strnum.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NKEY (TABLE_MAX_DIMS + 1) /* period, then the by columns */

void
tabulation_init(struct tabulation *tb, const struct tabulate_spec *spec)
{
    size_t j;

    memset(tb, 0, sizeof(*tb));
    tb->spec = *spec;
    for (j = 0; j < NKEY; j++)
        hash_table_init(&tb->labels[j]);
    hash_table_init(&tb->cells);
}

void
tabulation_release(struct tabulation *tb)
{
    size_t j;

    for (j = 0; j < NKEY; j++)
        hash_table_release(&tb->labels[j]);
    hash_table_release(&tb->cells);
    free(tb->count);
    free(tb->ckey);
    free(tb->line);
    memset(tb, 0, sizeof(*tb));
}

int
tabulate_label_cmp(const char *a, const char *b)
{
    const char *a0 = a, *b0 = b;

    while (*a && *b) {
        if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
            const char *ae, *be;

            while (*a == '0')
                a++;
            while (*b == '0')
                b++;
            for (ae = a; isdigit((unsigned char)*ae); ae++)
                ;
            for (be = b; isdigit((unsigned char)*be); be++)
                ;
            if (ae - a != be - b)
                return ae - a < be - b ? -1 : 1;
            if (memcmp(a, b, (size_t)(ae - a)))
                return memcmp(a, b, (size_t)(ae - a)) < 0 ? -1 : 1;
            a = ae;
            b = be;
            continue;
        }
        if (*a != *b)
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++;
        b++;
    }
    if (*a || *b)
        return *a ? 1 : -1;
    /* equal as numbers ("07" and "7"): byte order decides */
    return strcmp(a0, b0) < 0 ? -1 : strcmp(a0, b0) > 0;
}

static void
trim(struct tabulate_cell *c)
{
    while (c->len && isspace((unsigned char)c->ptr[0])) {
        c->ptr++;
        c->len--;
    }
    while (c->len && isspace((unsigned char)c->ptr[c->len - 1]))
        c->len--;
}

/* A by value that already names a total: the table's margins are ours. */
static int
is_total_label(const struct tabulate_cell *c)
{
    static const char *const words[] = {"total", "totals", "all",
                                        "grand total", "all persons",
                                        "subtotal", "sub-total", "sub total"};
    size_t i;

    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strlen(words[i]) == c->len &&
            !strncasecmp(words[i], c->ptr, c->len))
            return 1;
    return 0;
}

/* The row's category indexes into key[] (period first). */
static int
row_categories(struct tabulation *tb, const struct tabulate_row *row,
               uint32_t key[NKEY], struct diag *d)
{
    const char *name = tb->spec.name;
    size_t j, idx;
    int rc;

    memset(key, 0, NKEY * sizeof(*key));
    for (j = 0; j < NKEY; j++) {
        struct tabulate_cell c;

        if (j > tb->spec.nby || (j == 0 && !tb->spec.has_period))
            continue;
        c = j == 0 ? row->period : row->by[j - 1];
        trim(&c);
        if (!c.len) {
            diag_set(d, name, row->line, c.column, "empty_category",
                     "blank %s value", j == 0 ? "period" : "by column");
            return CE_DATA;
        }
        if (j > 0 && is_total_label(&c)) {
            diag_set(d, name, row->line, c.column, "total_row",
                     "the row is already a total: give only the "
                     "combinations, the margins are computed");
            return CE_DATA;
        }
        if ((rc = hash_table_intern(&tb->labels[j], c.ptr, c.len, &idx)) < 0) {
            diag_set(d, name, 0, 0, NULL, "out of memory");
            return CE_NOMEM;
        }
        if (rc == 1 && idx >= TABULATE_MAX_CATEGORIES) {
            diag_set(d, name, row->line, c.column, "too_many_categories",
                     "a column has more than %d distinct values",
                     TABULATE_MAX_CATEGORIES);
            return CE_DATA;
        }
        key[j] = (uint32_t)idx;
    }
    return 0;
}

/* The row's count (counts) and record key (microdata, when given). */
static int
row_numbers(const struct tabulation *tb, const struct tabulate_row *row,
            int64_t *n, int64_t *rk, struct diag *d)
{
    const char *name = tb->spec.name;

    *n = 1;
    *rk = 0;
    if (tb->spec.counts) {
        struct tabulate_cell c = row->count;
        int64_t neg;

        trim(&c);
        if (parse_int64(c.ptr, c.len, 0, INT64_MAX, n) < 0) {
            int negative = parse_int64(c.ptr, c.len, INT64_MIN, -1,
                                       &neg) == 0;

            diag_set(d, name, row->line, c.column,
                     negative ? "negative_count" : "count_not_integer",
                     negative ? "a count cannot be negative"
                              : "a count must be a whole number");
            return CE_DATA;
        }
        if (*n > TABULATE_MAX_COUNT) {
            diag_set(d, name, row->line, c.column, "count_too_large",
                     "a count above %lld", (long long)TABULATE_MAX_COUNT);
            return CE_DATA;
        }
    }
    if (!tb->spec.counts && row->record_key.ptr) {
        struct tabulate_cell c = row->record_key;

        trim(&c);
        if (parse_int64(c.ptr, c.len, 0, 255, rk) < 0) {
            diag_set(d, name, row->line, c.column, "record_key_range",
                     "a record key must be a whole number from 0 to 255");
            return CE_DATA;
        }
    }
    return 0;
}

/* Room for one more cell's count, key and line. */
static int
cells_reserve(struct tabulation *tb)
{
    size_t na = tb->alloc ? tb->alloc * 2 : 256;
    int64_t *count;
    uint32_t *ckey;
    long *line;

    if (tb->cells.n < tb->alloc)
        return 0;
    if (!(count = realloc(tb->count, na * sizeof(*count))))
        return CE_NOMEM;
    tb->count = count;
    if (!(ckey = realloc(tb->ckey, na * sizeof(*ckey))))
        return CE_NOMEM;
    tb->ckey = ckey;
    if (!(line = realloc(tb->line, na * sizeof(*line))))
        return CE_NOMEM;
    tb->line = line;
    tb->alloc = na;
    return 0;
}

int
tabulation_add(struct tabulation *tb, const struct tabulate_row *row,
               struct diag *d)
{
    const char *name = tb->spec.name;
    uint32_t key[NKEY];
    int64_t n, rk;
    size_t i;
    int rc;

    tb->rows++;
    if ((rc = row_categories(tb, row, key, d)) < 0 ||
        (rc = row_numbers(tb, row, &n, &rk, d)) < 0)
        return rc;
    if (tb->cells.n >= TABULATE_MAX_CELLS) {
        diag_set(d, name, row->line, 0, "table_too_large",
                 "the table would have more than %d cells",
                 TABULATE_MAX_CELLS);
        return CE_DATA;
    }
    if (cells_reserve(tb) < 0 ||
        (rc = hash_table_intern(&tb->cells, key, sizeof(key), &i)) < 0) {
        diag_set(d, name, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    if (rc == 1) {
        tb->count[i] = 0;
        tb->ckey[i] = 0;
        tb->line[i] = row->line;
    } else if (tb->spec.counts) {
        diag_set(d, name, row->line, row->by[0].column,
                 "duplicate_combination",
                 "this combination of by values was already given on "
                 "line %ld", tb->line[i]);
        return CE_DATA;
    }
    tb->count[i] += n;
    tb->ckey[i] = (tb->ckey[i] + (uint32_t)rk) & 0xFF;
    return 0;
}

struct sort_item {
    const char *s;
    uint32_t old;
};

static int
sort_item_cmp(const void *x, const void *y)
{
    return tabulate_label_cmp(((const struct sort_item *)x)->s,
                              ((const struct sort_item *)y)->s);
}

static void
free_labels(char **labels, size_t n)
{
    size_t i;

    if (labels)
        for (i = 0; i < n; i++)
            free(labels[i]);
    free(labels);
}

/* A column's values sorted naturally, as owned copies in *sorted;
 * remap[old index] = new index. 0 or CE_NOMEM (nothing allocated). */
static int
sort_labels(const struct hash_table *h, char ***sorted, uint32_t **remap)
{
    size_t n = h->n, i;
    struct sort_item *it = calloc(n ? n : 1, sizeof(*it));

    *sorted = calloc(n ? n : 1, sizeof(**sorted));
    *remap = calloc(n ? n : 1, sizeof(**remap));
    if (!it || !*sorted || !*remap)
        goto fail;
    for (i = 0; i < n; i++) {
        it[i].s = hash_table_key(h, i, NULL);
        it[i].old = (uint32_t)i;
    }
    qsort(it, n, sizeof(*it), sort_item_cmp);
    for (i = 0; i < n; i++) {
        if (!((*sorted)[i] = strdup(it[i].s)))
            goto fail;
        (*remap)[it[i].old] = (uint32_t)i;
    }
    free(it);
    return 0;
fail:
    free(it);
    free_labels(*sorted, n);
    free(*remap);
    *sorted = NULL;
    *remap = NULL;
    return CE_NOMEM;
}

/* The table's size, refused beyond TABULATE_MAX_CELLS. */
static int
table_dims(const struct tabulation *tb, uint32_t *dim_n, int *nperiods,
           struct diag *d)
{
    uint64_t ninterior = 1, ncells = 1;
    size_t j;

    for (j = 0; j < tb->spec.nby; j++) {
        dim_n[j] = (uint32_t)tb->labels[j + 1].n;
        ninterior *= dim_n[j];
        ncells += tb->spec.nby > 1 ? dim_n[j] : 0;
        if (ninterior > TABULATE_MAX_CELLS)
            break;
    }
    *nperiods = tb->spec.has_period ? (int)tb->labels[0].n : 1;
    ncells += ninterior;
    if (ninterior > TABULATE_MAX_CELLS ||
        ncells * (uint64_t)*nperiods > TABULATE_MAX_CELLS) {
        diag_set(d, tb->spec.name, 0, 0, "table_too_large",
                 "the table would have more than %d cells (periods times "
                 "combinations of the by columns, margins included)",
                 TABULATE_MAX_CELLS);
        return CE_DATA;
    }
    return 0;
}

/* Every cell's count and key into t, at its sorted coordinates. */
static void
fill_interior(const struct tabulation *tb, uint32_t *const *remap,
              struct count_table *t)
{
    size_t i, j;

    for (i = 0; i < tb->cells.n; i++) {
        uint32_t key[NKEY], coord[TABLE_MAX_DIMS];
        struct table_cell *c;

        memcpy(key, hash_table_key(&tb->cells, i, NULL), sizeof(key));
        for (j = 0; j < tb->spec.nby; j++)
            coord[j] = remap[j + 1][key[j + 1]];
        c = table_interior(t, tb->spec.has_period ? (int)remap[0][key[0]] : 0,
                           coord);
        c->count = tb->count[i];
        c->ckey = tb->ckey[i];
    }
}

int
tabulation_finish(struct tabulation *tb, struct count_table *t,
                  char ***period_labels, struct diag *d)
{
    char **sorted[NKEY] = {0};
    char *const *labels[TABLE_MAX_DIMS];
    uint32_t *remap[NKEY] = {0};
    uint32_t dim_n[TABLE_MAX_DIMS];
    size_t j;
    int rc = 0, nperiods = 1;

    memset(t, 0, sizeof(*t));
    *period_labels = NULL;
    if (!tb->rows) {
        diag_set(d, tb->spec.name, 0, 0, "empty_table", "no rows");
        return CE_DATA;
    }
    for (j = 0; j < NKEY && rc == 0; j++)
        if ((j == 0 && tb->spec.has_period) || (j > 0 && j <= tb->spec.nby))
            rc = sort_labels(&tb->labels[j], &sorted[j], &remap[j]);
    if (rc == 0)
        rc = table_dims(tb, dim_n, &nperiods, d);
    for (j = 0; j < tb->spec.nby; j++)
        labels[j] = sorted[j + 1];
    if (rc == 0 && table_init(t, nperiods, tb->spec.nby, dim_n, labels) < 0)
        rc = CE_NOMEM;
    if (rc == 0) {
        fill_interior(tb, remap, t);
        table_fill_margins(t);
        /* the sorted period labels go to the caller */
        *period_labels = sorted[0];
        sorted[0] = NULL;
    }
    if (rc == CE_NOMEM)
        diag_set(d, tb->spec.name, 0, 0, NULL, "out of memory");
    for (j = 0; j < NKEY; j++) {
        free_labels(sorted[j], tb->labels[j].n);
        free(remap[j]);
    }
    return rc;
}
