/*
 * protect.c - the analyst's CSV, row by row from the CSV connector into
 * cohorts/tabulate (protect.h). Nothing here decides what a row means;
 * it only says which column is which.
 */
#include "protect.h"

#include "../cohorts/tabulate.h"
#include "../connectors/source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* The connector reading the file and where each part of a row is. */
struct protect_reader {
    struct source_plan sp;
    struct source src;
    int opened;
    int period_col;                 /* -1 without a period column */
    int by_col[TABLE_MAX_DIMS];
    int count_col;                  /* -1: microdata */
    int key_col;                    /* -1: no record keys */
};

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

/* Opens path with the CSV connector: UTF-8, comma, double quotes, a
 * header. */
static int
reader_open(struct protect_reader *r, const char *path, struct diag *d)
{
    struct stat sb;
    int rc;

    memset(&sb, 0, sizeof(sb));
    errno = 0;
    if (stat(path, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        int e = errno;

        diag_set(d, path, 0, 0, NULL, "cannot read the table: %s",
                 S_ISDIR(sb.st_mode) && e == 0 ? "a directory" : strerror(e));
        return CE_IO;
    }
    r->sp.name = (char *)path;
    r->sp.format = SRC_CSV;
    r->sp.encoding = ENC_UTF8;
    r->sp.delimiter = ',';
    r->sp.quote = '"';
    r->sp.header = 1;
    r->sp.max_field_bytes = 65536;
    r->sp.max_columns = SOURCE_MAX_COLUMNS_DEFAULT;
    if (!(r->sp.path = glob_escape(path))) {
        diag_set(d, path, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    r->opened = 1;
    if ((rc = source_open(&r->src, &r->sp, d)) < 0)
        connector_diag_names_table(d, path);
    return rc;
}

static void
reader_close(struct protect_reader *r)
{
    if (r->opened)
        source_close(&r->src);
    free(r->sp.path);
}

/* The spec's columns in the header; their names, as spelled there, to pt. */
static int
reader_columns(struct protect_reader *r, const struct protect_spec *spec,
               struct protect_table *pt, struct diag *d)
{
    const struct source *src = &r->src;
    const char *path = spec->path;
    size_t j;
    int rc;

    r->period_col = r->count_col = r->key_col = -1;
    if (spec->period_column &&
        (rc = find_column(src, path, spec->period_column, "", &r->period_col,
                          d)) < 0)
        return rc;
    for (j = 0; j < spec->nby; j++)
        if ((rc = find_column(src, path, spec->by[j], "", &r->by_col[j],
                              d)) < 0)
            return rc;
    if (spec->count_column &&
        (rc = find_column(src, path, spec->count_column, "", &r->count_col,
                          d)) < 0)
        return rc;
    if (!spec->count_column && (spec->need_record_keys ||
                                source_column_index(src, "record_key") >= 0) &&
        (rc = find_column(src, path, "record_key",
                          " (cell-key perturbation needs one record key, "
                          "0-255, per row)", &r->key_col, d)) < 0)
        return rc;
    for (j = 0; j < spec->nby; j++)
        if (!(pt->by_names[j] = dup_cell(&src->columns[r->by_col[j]])))
            return CE_NOMEM;
    if (spec->period_column &&
        !(pt->period_name = dup_cell(&src->columns[r->period_col])))
        return CE_NOMEM;
    return 0;
}

/* The cell at header column col (-1: none) as the tabulation reads it. */
static struct tabulate_cell
cell_at(const struct raw_row *row, int col)
{
    struct tabulate_cell c = {NULL, 0, 0};

    if (col >= 0) {
        c.ptr = row->cells[col].ptr;
        c.len = row->cells[col].len;
        c.column = col + 1;
    }
    return c;
}

/* Every row of the file into tb. */
static int
reader_rows(struct protect_reader *r, const struct protect_spec *spec,
            struct tabulation *tb, uint64_t *rows, struct diag *d)
{
    struct raw_row row;
    int rc;

    while ((rc = source_next(&r->src, &row, d)) > 0) {
        struct tabulate_row tr;
        size_t j;

        (*rows)++;
        if (row.fault != RF_NONE) {
            diag_set(d, spec->path, row.line, row.fault_column,
                     row_fault_name(row.fault), "malformed row");
            return CE_DATA;
        }
        tr.line = row.line;
        tr.period = cell_at(&row, r->period_col);
        for (j = 0; j < spec->nby; j++)
            tr.by[j] = cell_at(&row, r->by_col[j]);
        tr.count = cell_at(&row, r->count_col);
        tr.record_key = cell_at(&row, r->key_col);
        if ((rc = tabulation_add(tb, &tr, d)) < 0)
            return rc;
    }
    if (rc < 0)
        connector_diag_names_table(d, spec->path);
    return rc;
}

int
protect_table_read(struct protect_table *pt, const struct protect_spec *spec,
                   struct diag *d)
{
    struct protect_reader r;
    struct tabulate_spec ts;
    struct tabulation tb;
    int rc;

    memset(pt, 0, sizeof(*pt));
    memset(&r, 0, sizeof(r));
    if (spec->nby < 1 || spec->nby > TABLE_MAX_DIMS) {
        diag_set(d, NULL, 0, 0, NULL, "between 1 and %d by columns",
                 TABLE_MAX_DIMS);
        return CE_CONFIG;
    }
    ts.name = spec->path;
    ts.nby = spec->nby;
    ts.has_period = spec->period_column != NULL;
    ts.counts = spec->count_column != NULL;
    tabulation_init(&tb, &ts);
    if ((rc = reader_open(&r, spec->path, d)) < 0 ||
        (rc = reader_columns(&r, spec, pt, d)) < 0 ||
        (rc = reader_rows(&r, spec, &tb, &pt->rows, d)) < 0)
        goto out;
    if (!pt->rows) {
        diag_set(d, spec->path, 2, 0, "empty_table",
                 "a header and no rows: nothing to protect");
        rc = CE_DATA;
        goto out;
    }
    rc = tabulation_finish(&tb, &pt->table, &pt->period_labels, d);
out:
    if (rc == CE_NOMEM && !d->msg[0])
        diag_set(d, spec->path, 0, 0, NULL, "out of memory");
    reader_close(&r);
    tabulation_release(&tb);
    if (rc < 0)
        protect_table_release(pt);
    return rc < 0 ? rc : 0;
}
