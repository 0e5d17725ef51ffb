#include "source.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int
source_open(struct source *src, const struct source_plan *plan,
            struct diag *d)
{
    return source_open_stoppable(src, plan, NULL, d);
}

int
source_open_stoppable(struct source *src, const struct source_plan *plan,
                      const volatile sig_atomic_t *stop, struct diag *d)
{
    memset(src, 0, sizeof(*src));
    src->plan = plan;
    src->stop = stop;
    switch (plan->format) {
    case SRC_CSV:
        src->ops = &csv_source_ops;
        break;
    case SRC_POSTGRES:
        src->ops = &postgres_source_ops;
        break;
    case SRC_XML:
        src->ops = &xml_source_ops;
        break;
    default:
        diag_set(d, plan->name, 0, 0, "format",
                 "source format not supported by this build");
        return CE_CONFIG;
    }
    return src->ops->open(src, d);
}

int
source_next(struct source *src, struct raw_row *row, struct diag *d)
{
    int rc = src->ops->next_row(src, row, d);

    if (rc > 0) {
        src->rows_read++;
        if (row->file_index < src->nfiles)
            src->files[row->file_index].rows++;
    }
    return rc;
}

void
source_close(struct source *src)
{
    if (src->ops && src->ops->close)
        src->ops->close(src);
    src->ops = NULL;
}

int
source_column_index(const struct source *src, const char *name)
{
    return row_header_index(src->columns, src->ncolumns, name);
}

void
source_file_label(const struct source *src, size_t i, char *buf, size_t n)
{
    snprintf(buf, n, "source '%s' file %zu", src->plan->name, i + 1);
}

int
source_column_name_plain(const struct cell *name)
{
    size_t i;

    if (name->len == 0 || name->len > 64)
        return 0;
    for (i = 0; i < name->len; i++) {
        unsigned char c = (unsigned char)name->ptr[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == ' ' || c == '_' || c == '-' ||
              c == '.'))
            return 0;
    }
    return 1;
}

/* A header name as compared: surrounding whitespace and U+FEFF (a BOM
 * left inside a file, or one that survived a concatenation) trimmed. */
static struct cell
header_name_key(const struct cell *c)
{
    static const char bom[] = "\xEF\xBB\xBF";
    struct cell k = *c;

    for (;;) {
        if (k.len && isspace((unsigned char)k.ptr[0])) {
            k.ptr++;
            k.len--;
        } else if (k.len >= 3 && !memcmp(k.ptr, bom, 3)) {
            k.ptr += 3;
            k.len -= 3;
        } else {
            break;
        }
    }
    for (;;) {
        if (k.len && isspace((unsigned char)k.ptr[k.len - 1])) {
            k.len--;
        } else if (k.len >= 3 && !memcmp(k.ptr + k.len - 3, bom, 3)) {
            k.len -= 3;
        } else {
            break;
        }
    }
    return k;
}

/* ASCII only, whatever the locale: a header's bytes, not its language. */
static int
ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

struct keyed_column {
    struct cell key;
    size_t column; /* 0-based */
};

/* qsort order: by name ignoring ASCII case, then by column. */
static int
keyed_column_cmp(const void *pa, const void *pb)
{
    const struct keyed_column *a = pa, *b = pb;
    size_t i, n = a->key.len < b->key.len ? a->key.len : b->key.len;

    for (i = 0; i < n; i++) {
        int x = ascii_lower((unsigned char)a->key.ptr[i]),
            y = ascii_lower((unsigned char)b->key.ptr[i]);

        if (x != y)
            return x < y ? -1 : 1;
    }
    if (a->key.len != b->key.len)
        return a->key.len < b->key.len ? -1 : 1;
    return a->column < b->column ? -1 : a->column > b->column;
}

int
source_check_duplicate_columns(const struct cell *cols, size_t n,
                               const char *where, long line, struct diag *d)
{
    struct keyed_column *k;
    size_t i, m = 0, g = 0, first = 0, second = 0;

    if (n < 2)
        return 0;
    if (!(k = malloc(n * sizeof(*k)))) {
        diag_set(d, where, line, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    for (i = 0; i < n; i++) {
        k[m].key = header_name_key(&cols[i]);
        k[m].column = i;
        m += k[m].key.len > 0;
    }
    qsort(k, m, sizeof(*k), keyed_column_cmp);
    /* in each run of equal names, its first two columns; of those pairs,
     * the one whose second column comes first in the header */
    for (i = 1; i < m; i++) {
        struct keyed_column a = k[g], b = k[i];

        a.column = b.column = 0;
        if (keyed_column_cmp(&a, &b) != 0) {
            g = i;
            continue;
        }
        if (i == g + 1 && (!second || k[i].column + 1 < second)) {
            first = k[g].column + 1;
            second = k[i].column + 1;
        }
    }
    if (second) {
        const struct cell a = header_name_key(&cols[first - 1]),
                          b = header_name_key(&cols[second - 1]);

        if (source_column_name_plain(&a) && source_column_name_plain(&b))
            diag_set(d, where, line, 0, "duplicate_column",
                     "columns %zu '%.*s' and %zu '%.*s' have the same name "
                     "(ignoring case and surrounding spaces); rename or "
                     "remove one",
                     first, (int)a.len, a.ptr, second, (int)b.len, b.ptr);
        else
            diag_set(d, where, line, 0, "duplicate_column",
                     "columns %zu and %zu have the same name (ignoring case "
                     "and surrounding spaces; not printed, as they are not "
                     "plain names); rename or remove one",
                     first, second);
    }
    free(k);
    return second ? CE_DATA : 0;
}

/* name's letters and digits, lower-cased, into out (NUL-terminated, at
 * most n - 1 of them): how two column names are compared for a
 * suggestion. */
static size_t
name_key(const char *p, size_t len, char *out, size_t n)
{
    size_t i, o = 0;

    for (i = 0; i < len && o + 1 < n; i++) {
        unsigned char c = (unsigned char)p[i];

        if (c >= 'A' && c <= 'Z')
            out[o++] = (char)(c - 'A' + 'a');
        else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            out[o++] = (char)c;
    }
    out[o] = '\0';
    return o;
}

/* Edit distance of a and b (at most 64 bytes each): insertions,
 * deletions, substitutions and swaps of two neighbours (STRAT, START)
 * cost one each. */
static size_t
edit_distance(const char *a, size_t an, const char *b, size_t bn)
{
    size_t rows[3][65], i, j;
    size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2], *t;

    for (j = 0; j <= bn; j++)
        prev[j] = j;
    for (i = 1; i <= an; i++) {
        cur[0] = i;
        for (j = 1; j <= bn; j++) {
            size_t best = prev[j - 1] + (a[i - 1] != b[j - 1]);

            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
                a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1;
            cur[j] = best;
        }
        t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[bn];
}

int
source_column_suggest(const struct source *src, const char *name)
{
    char want[65], have[65];
    size_t wn = name_key(name, strlen(name), want, sizeof(want)), i;
    size_t best_cost = (size_t)-1;
    int best = -1;

    if (!wn)
        return -1;
    for (i = 0; i < src->ncolumns; i++) {
        const struct cell *c = &src->columns[i];
        size_t hn, cost;

        if (!source_column_name_plain(c))
            continue;
        hn = name_key(c->ptr, c->len, have, sizeof(have));
        if (!hn)
            continue;
        if (!strcmp(want, have))
            cost = 0;
        else if (!strncmp(want, have, wn < hn ? wn : hn) &&
                 (wn < hn ? wn : hn) >= 3)
            cost = 1; /* TENURE -> TENURE_CODE, DATE_OF_BIRTH -> DATE */
        else
            cost = 1 + edit_distance(want, wn, have, hn);
        /* a guess further off than a third of the name is no help */
        if (cost > 1 + (wn > hn ? wn : hn) / 3 || cost >= best_cost)
            continue;
        best_cost = cost;
        best = (int)i;
    }
    return best;
}
