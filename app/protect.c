/*
 * protect.c - an analyst's CSV into a counted table (protect.h says what
 * is accepted). One pass: each row's categories are interned per column
 * and its count added to a hash of cells, so memory grows with the
 * categories and cells, not with the rows; the categories are sorted
 * after the last row, which makes the table independent of row order.
 */
#include "protect.h"
#include "../core/strnum.h"

#include "../anonymise/disclosure.h"
#include "../connectors/source.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define NKEY (TABLE_MAX_DIMS + 1) /* period, then the by columns */

/* The distinct values of one column, in first-seen order. */
struct label_set {
    char **labels;
    size_t n, cap;
    uint32_t *slots;     /* open addressing: label index + 1, 0 empty */
    size_t nslots;
};

/* One cell's running count, keyed by its category indexes. */
struct acc {
    uint32_t key[NKEY];
    int64_t count;
    uint32_t ckey;
    long line;           /* first row that named the cell */
    int used;
};

struct acc_map {
    struct acc *a;
    size_t n, nslots;
};

static uint64_t
hash_bytes(const void *p, size_t len, uint64_t h)
{
    const unsigned char *s = p;
    size_t i;

    for (i = 0; i < len; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static void
label_set_release(struct label_set *ls)
{
    size_t i;

    for (i = 0; i < ls->n; i++)
        free(ls->labels[i]);
    free(ls->labels);
    free(ls->slots);
    memset(ls, 0, sizeof(*ls));
}

static int
label_set_grow(struct label_set *ls)
{
    size_t ns = ls->nslots ? ls->nslots * 2 : 64, i;
    uint32_t *slots = calloc(ns, sizeof(*slots));

    if (!slots)
        return CE_NOMEM;
    for (i = 0; i < ls->n; i++) {
        const char *s = ls->labels[i];
        size_t h = (size_t)hash_bytes(s, strlen(s), 14695981039346656037ULL);

        while (slots[h & (ns - 1)])
            h++;
        slots[h & (ns - 1)] = (uint32_t)i + 1;
    }
    free(ls->slots);
    ls->slots = slots;
    ls->nslots = ns;
    return 0;
}

/* Index of the value (ptr, len) in ls, added when new; CE_NOMEM, or
 * CE_DATA when the column has too many values. */
static int64_t
label_set_intern(struct label_set *ls, const char *ptr, size_t len)
{
    size_t h;
    uint32_t k;
    char *copy;

    if ((ls->n + 1) * 2 > ls->nslots && label_set_grow(ls) < 0)
        return CE_NOMEM;
    h = (size_t)hash_bytes(ptr, len, 14695981039346656037ULL);
    while ((k = ls->slots[h & (ls->nslots - 1)]) != 0) {
        const char *s = ls->labels[k - 1];

        if (strlen(s) == len && !memcmp(s, ptr, len))
            return (int64_t)k - 1;
        h++;
    }
    if (ls->n >= PROTECT_MAX_CATEGORIES)
        return CE_DATA;
    if (ls->n == ls->cap) {
        size_t nc = ls->cap ? ls->cap * 2 : 16;
        char **nl = realloc(ls->labels, nc * sizeof(*nl));

        if (!nl)
            return CE_NOMEM;
        ls->labels = nl;
        ls->cap = nc;
    }
    if (!(copy = malloc(len + 1)))
        return CE_NOMEM;
    memcpy(copy, ptr, len);
    copy[len] = '\0';
    ls->labels[ls->n] = copy;
    ls->slots[h & (ls->nslots - 1)] = (uint32_t)ls->n + 1;
    return (int64_t)ls->n++;
}

static void
acc_map_release(struct acc_map *m)
{
    free(m->a);
    memset(m, 0, sizeof(*m));
}

static size_t
acc_hash(const uint32_t *key)
{
    return (size_t)hash_bytes(key, NKEY * sizeof(uint32_t),
                              14695981039346656037ULL);
}

static int
acc_map_grow(struct acc_map *m)
{
    size_t ns = m->nslots ? m->nslots * 2 : 256, i;
    struct acc *a = calloc(ns, sizeof(*a));

    if (!a)
        return CE_NOMEM;
    for (i = 0; i < m->nslots; i++) {
        size_t h;

        if (!m->a[i].used)
            continue;
        h = acc_hash(m->a[i].key);
        while (a[h & (ns - 1)].used)
            h++;
        a[h & (ns - 1)] = m->a[i];
    }
    free(m->a);
    m->a = a;
    m->nslots = ns;
    return 0;
}

/* The cell for key, created (count 0) when new; *fresh says which. */
static struct acc *
acc_map_get(struct acc_map *m, const uint32_t *key, int *fresh)
{
    size_t h;

    if ((m->n + 1) * 2 > m->nslots && acc_map_grow(m) < 0)
        return NULL;
    h = acc_hash(key);
    for (;; h++) {
        struct acc *x = &m->a[h & (m->nslots - 1)];

        if (!x->used) {
            memcpy(x->key, key, sizeof(x->key));
            x->used = 1;
            m->n++;
            *fresh = 1;
            return x;
        }
        if (!memcmp(x->key, key, sizeof(x->key))) {
            *fresh = 0;
            return x;
        }
    }
}

int
protect_label_cmp(const char *a, const char *b)
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

struct sort_item {
    const char *s;
    uint32_t old;
};

static int
sort_item_cmp(const void *x, const void *y)
{
    return protect_label_cmp(((const struct sort_item *)x)->s,
                             ((const struct sort_item *)y)->s);
}

/* Sorts ls->labels naturally; remap[old index] = new index. */
static int
label_set_sort(struct label_set *ls, uint32_t **remap)
{
    struct sort_item *it = calloc(ls->n ? ls->n : 1, sizeof(*it));
    char **sorted = calloc(ls->n ? ls->n : 1, sizeof(*sorted));
    size_t i;

    *remap = calloc(ls->n ? ls->n : 1, sizeof(**remap));
    if (!it || !sorted || !*remap) {
        free(it);
        free(sorted);
        free(*remap);
        *remap = NULL;
        return CE_NOMEM;
    }
    for (i = 0; i < ls->n; i++) {
        it[i].s = ls->labels[i];
        it[i].old = (uint32_t)i;
    }
    qsort(it, ls->n, sizeof(*it), sort_item_cmp);
    for (i = 0; i < ls->n; i++) {
        sorted[i] = ls->labels[it[i].old];
        (*remap)[it[i].old] = (uint32_t)i;
    }
    free(ls->labels);
    ls->labels = sorted;
    ls->cap = ls->n ? ls->n : 1;
    free(it);
    return 0;
}

static void
trim(struct cell *c)
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
is_total_label(const struct cell *c)
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

/* Index of a header column, CE_DATA (d set) when absent or ambiguous. */
static int
find_column(const struct source *src, const char *path, const char *name,
            const char *why, int *out, struct diag *d)
{
    int i = source_column_index(src, name);
    size_t j, nlen = strlen(name), n = 0;

    if (i < 0) {
        diag_set(d, path, 1, 0, "missing_column",
                 "no column '%s' in the header%s", name, why);
        return CE_DATA;
    }
    for (j = 0; j < src->ncolumns; j++)
        n += src->columns[j].len == nlen &&
             !strncasecmp(src->columns[j].ptr, name, nlen);
    if (n > 1) {
        diag_set(d, path, 1, 0, "duplicate_column",
                 "the header names column '%s' more than once", name);
        return CE_DATA;
    }
    *out = i;
    return 0;
}

/*
 * The connector names a file "source 'NAME' file N", since a job's file
 * names may be personal data (connectors/source.h); the table an analyst
 * gives protect on its command line is named by that path instead.
 */
static void
connector_diag_names_table(struct diag *d, const char *path)
{
    snprintf(d->source, sizeof(d->source), "%s", path);
}

static char *
dup_cell(const struct cell *c)
{
    char *p = malloc(c->len + 1);

    if (p) {
        memcpy(p, c->ptr, c->len);
        p[c->len] = '\0';
    }
    return p;
}

void
protect_table_release(struct protect_table *pt)
{
    size_t j;
    int p;

    if (pt->period_labels)
        for (p = 0; p < pt->table.nperiods; p++)
            free(pt->period_labels[p]);
    free(pt->period_labels);
    for (j = 0; j < TABLE_MAX_DIMS; j++)
        free(pt->by_names[j]);
    free(pt->period_name);
    table_release(&pt->table);
    memset(pt, 0, sizeof(*pt));
}

/* Escapes glob(3) metacharacters: the connector reads a glob, the analyst
 * names one file. */
static char *
glob_escape(const char *path)
{
    char *out = malloc(strlen(path) * 2 + 1), *q = out;

    if (!out)
        return NULL;
    for (; *path; path++) {
        if (strchr("*?[]\\", *path))
            *q++ = '\\';
        *q++ = *path;
    }
    *q = '\0';
    return out;
}

/* Builds pt->table from the accumulated cells. */
static int
build_table(struct protect_table *pt, const struct protect_spec *spec,
            struct label_set *sets, struct acc_map *cells, const char *path,
            struct diag *d)
{
    uint32_t *remap[NKEY] = {0};
    uint32_t dim_n[TABLE_MAX_DIMS];
    char *const *labels[TABLE_MAX_DIMS];
    uint64_t ninterior = 1, ncells = 1;
    size_t j, i;
    int rc = 0, nperiods;

    for (j = 0; j < NKEY; j++)
        if ((j == 0 || j <= spec->nby) && (rc = label_set_sort(&sets[j], &remap[j])) < 0)
            goto out;
    for (j = 0; j < spec->nby; j++) {
        dim_n[j] = (uint32_t)sets[j + 1].n;
        labels[j] = sets[j + 1].labels;
        ninterior *= dim_n[j];
        ncells += spec->nby > 1 ? dim_n[j] : 0;
        if (ninterior > PROTECT_MAX_CELLS)
            break;
    }
    nperiods = spec->period_column ? (int)sets[0].n : 1;
    ncells += ninterior;
    if (ninterior > PROTECT_MAX_CELLS ||
        ncells * (uint64_t)nperiods > PROTECT_MAX_CELLS) {
        diag_set(d, path, 0, 0, "table_too_large",
                 "the table would have more than %d cells (periods times "
                 "combinations of the by columns, margins included)",
                 PROTECT_MAX_CELLS);
        rc = CE_DATA;
        goto out;
    }
    if (table_init(&pt->table, nperiods, spec->nby, dim_n, labels) < 0) {
        rc = CE_NOMEM;
        goto out;
    }
    for (i = 0; i < cells->nslots; i++) {
        const struct acc *a = &cells->a[i];
        uint32_t coord[TABLE_MAX_DIMS];
        struct table_cell *c;

        if (!a->used)
            continue;
        for (j = 0; j < spec->nby; j++)
            coord[j] = remap[j + 1][a->key[j + 1]];
        c = table_interior(&pt->table,
                           spec->period_column ? (int)remap[0][a->key[0]] : 0,
                           coord);
        c->count = a->count;
        c->ckey = a->ckey;
    }
    table_fill_margins(&pt->table);
    if (spec->period_column) {
        /* the sorted labels move to pt */
        pt->period_labels = sets[0].labels;
        sets[0].labels = NULL;
        sets[0].n = 0;
    }
out:
    if (rc == CE_NOMEM)
        diag_set(d, path, 0, 0, NULL, "out of memory");
    for (j = 0; j < NKEY; j++)
        free(remap[j]);
    return rc;
}

int
protect_table_read(struct protect_table *pt, const struct protect_spec *spec,
                   struct diag *d)
{
    struct source_plan sp;
    struct source src;
    struct raw_row row;
    struct label_set sets[NKEY];
    struct acc_map cells;
    int col[NKEY], count_col = -1, key_col = -1, rc;
    size_t j;
    const char *path = spec->path;
    struct stat sb;

    memset(pt, 0, sizeof(*pt));
    memset(&sb, 0, sizeof(sb));
    errno = 0;
    memset(sets, 0, sizeof(sets));
    memset(&cells, 0, sizeof(cells));
    memset(&src, 0, sizeof(src));
    memset(&sp, 0, sizeof(sp));
    if (spec->nby < 1 || spec->nby > TABLE_MAX_DIMS) {
        diag_set(d, NULL, 0, 0, NULL, "between 1 and %d by columns",
                 TABLE_MAX_DIMS);
        return CE_CONFIG;
    }
    if (stat(path, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        int e = errno;

        diag_set(d, path, 0, 0, NULL, "cannot read the table: %s",
                 S_ISDIR(sb.st_mode) && e == 0 ? "a directory" : strerror(e));
        return CE_IO;
    }
    sp.name = (char *)path;
    sp.format = SRC_CSV;
    sp.encoding = ENC_UTF8;
    sp.delimiter = ',';
    sp.quote = '"';
    sp.header = 1;
    sp.max_field_bytes = 65536;
    sp.max_columns = SOURCE_MAX_COLUMNS_DEFAULT;
    if (!(sp.path = glob_escape(path))) {
        diag_set(d, path, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    if ((rc = source_open(&src, &sp, d)) < 0) {
        connector_diag_names_table(d, path);
        goto out;
    }

    col[0] = -1;
    if (spec->period_column &&
        (rc = find_column(&src, path, spec->period_column, "", &col[0], d)) < 0)
        goto out;
    for (j = 0; j < spec->nby; j++)
        if ((rc = find_column(&src, path, spec->by[j], "", &col[j + 1], d)) < 0)
            goto out;
    if (spec->count_column &&
        (rc = find_column(&src, path, spec->count_column, "", &count_col, d)) < 0)
        goto out;
    if (!spec->count_column && (spec->need_record_keys ||
                                source_column_index(&src, "record_key") >= 0) &&
        (rc = find_column(&src, path, "record_key",
                          " (cell-key perturbation needs one record key, "
                          "0-255, per row)", &key_col, d)) < 0)
        goto out;
    /* names as the header spells them */
    for (j = 0; j < spec->nby; j++)
        if (!(pt->by_names[j] = dup_cell(&src.columns[col[j + 1]]))) {
            rc = CE_NOMEM;
            goto out;
        }
    if (spec->period_column &&
        !(pt->period_name = dup_cell(&src.columns[col[0]]))) {
        rc = CE_NOMEM;
        goto out;
    }

    while ((rc = source_next(&src, &row, d)) > 0) {
        uint32_t key[NKEY];
        int64_t n = 1, rk = 0;
        struct acc *a;
        int fresh;

        pt->rows++;
        if (row.fault != RF_NONE) {
            diag_set(d, path, row.line, row.fault_column,
                     row_fault_name(row.fault), "malformed row");
            rc = CE_DATA;
            goto out;
        }
        memset(key, 0, sizeof(key));
        for (j = 0; j < NKEY; j++) {
            struct cell c;
            int64_t id;

            if (j > spec->nby || (j == 0 && !spec->period_column))
                continue;
            c = row.cells[col[j]];
            trim(&c);
            if (!c.len) {
                diag_set(d, path, row.line, col[j] + 1, "empty_category",
                         "blank %s value",
                         j == 0 ? "period" : "by column");
                rc = CE_DATA;
                goto out;
            }
            if (j > 0 && is_total_label(&c)) {
                diag_set(d, path, row.line, col[j] + 1, "total_row",
                         "the row is already a total: give only the "
                         "combinations, the margins are computed");
                rc = CE_DATA;
                goto out;
            }
            id = label_set_intern(&sets[j], c.ptr, c.len);
            if (id == CE_DATA) {
                diag_set(d, path, row.line, col[j] + 1,
                         "too_many_categories",
                         "a column has more than %d distinct values",
                         PROTECT_MAX_CATEGORIES);
                rc = CE_DATA;
                goto out;
            }
            if (id < 0) {
                rc = CE_NOMEM;
                goto out;
            }
            key[j] = (uint32_t)id;
        }
        if (count_col >= 0) {
            struct cell c = row.cells[count_col];
            int64_t neg;

            trim(&c);
            if (parse_int64(c.ptr, c.len, 0, INT64_MAX, &n) < 0) {
                int negative = parse_int64(c.ptr, c.len, INT64_MIN, -1,
                                           &neg) == 0;

                diag_set(d, path, row.line, count_col + 1,
                         negative ? "negative_count" : "count_not_integer",
                         negative ? "a count cannot be negative"
                                  : "a count must be a whole number");
                rc = CE_DATA;
                goto out;
            }
            if (n > PROTECT_MAX_COUNT) {
                diag_set(d, path, row.line, count_col + 1,
                         "count_too_large", "a count above %lld",
                         (long long)PROTECT_MAX_COUNT);
                rc = CE_DATA;
                goto out;
            }
        }
        if (key_col >= 0) {
            struct cell c = row.cells[key_col];

            trim(&c);
            if (parse_int64(c.ptr, c.len, 0, 255, &rk) < 0) {
                diag_set(d, path, row.line, key_col + 1,
                         "record_key_range",
                         "a record key must be a whole number from 0 to 255");
                rc = CE_DATA;
                goto out;
            }
        }
        if (cells.n >= PROTECT_MAX_CELLS) {
            diag_set(d, path, row.line, 0, "table_too_large",
                     "the table would have more than %d cells",
                     PROTECT_MAX_CELLS);
            rc = CE_DATA;
            goto out;
        }
        if (!(a = acc_map_get(&cells, key, &fresh))) {
            rc = CE_NOMEM;
            goto out;
        }
        if (fresh) {
            a->line = row.line;
        } else if (count_col >= 0) {
            diag_set(d, path, row.line, col[1] + 1,
                     "duplicate_combination",
                     "this combination of by values was already given on "
                     "line %ld", a->line);
            rc = CE_DATA;
            goto out;
        }
        a->count += n;
        a->ckey = (a->ckey + (uint32_t)rk) & 0xFF;
    }
    if (rc < 0) {
        connector_diag_names_table(d, path);
        goto out;
    }
    if (!pt->rows) {
        diag_set(d, path, 2, 0, "empty_table",
                 "a header and no rows: nothing to protect");
        rc = CE_DATA;
        goto out;
    }
    rc = build_table(pt, spec, sets, &cells, path, d);
out:
    if (rc == CE_NOMEM && !d->msg[0])
        diag_set(d, path, 0, 0, NULL, "out of memory");
    source_close(&src);
    free(sp.path);
    for (j = 0; j < NKEY; j++)
        label_set_release(&sets[j]);
    acc_map_release(&cells);
    if (rc < 0)
        protect_table_release(pt);
    return rc < 0 ? rc : 0;
}

int
protect_table_check(const struct count_table *t,
                    const struct disclosure_plan *dp, struct diag *d)
{
    uint64_t published = 0;
    size_t i, weak;
    int p, rc;

    for (i = 0; i < (size_t)t->nperiods * t->ncells_per_period; i++)
        published += t->cells[i].status != CELL_SUPPRESSED &&
                     t->cells[i].status != CELL_SECONDARY;
    if ((rc = disclosure_audit(t, dp, &p, &weak)) < 0) {
        diag_set(d, NULL, 0, 0, "disclosure",
                 rc == CE_NOMEM ? "out of memory"
                                : "the attacker's linear program failed");
        return rc == CE_NOMEM ? CE_NOMEM : CE_INTERNAL;
    }
    if (p >= 0) {
        diag_set(d, NULL, 0, 0, "protection_level",
                 "the table cannot be protected: a suppressed cell "
                 "(period %d) can still be narrowed to fewer than "
                 "%d values from the published ones", p + 1,
                 dp->protection_level);
        return CE_DATA;
    }
    if (!published) {
        diag_set(d, NULL, 0, 0, "all_suppressed",
                 "the table cannot be protected: every cell, the grand "
                 "total included, would be suppressed");
        return CE_DATA;
    }
    return 0;
}
