#include "source.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *
row_fault_name(enum row_fault f)
{
    static const char *const names[RF_COUNT] = {
        "none",           "ragged_row", "field_too_long",
        "too_many_columns", "nul_byte", "invalid_encoding",
        "unterminated_quote"};

    return (unsigned)f < RF_COUNT ? names[f] : "unknown";
}

int
source_open(struct source *src, const struct source_plan *plan,
            struct diag *d)
{
    memset(src, 0, sizeof(*src));
    src->plan = plan;
    switch (plan->format) {
    case SRC_CSV:
        src->ops = &csv_source_ops;
        break;
    case SRC_POSTGRES:
        src->ops = &postgres_source_ops;
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
    size_t i, nlen;

    while (*name && isspace((unsigned char)*name))
        name++;
    nlen = strlen(name);
    while (nlen && isspace((unsigned char)name[nlen - 1]))
        nlen--;
    for (i = 0; i < src->ncolumns; i++) {
        const struct cell *c = &src->columns[i];

        if (c->len == nlen && !strncasecmp(c->ptr, name, nlen))
            return (int)i;
    }
    return -1;
}

void
source_file_label(const struct source *src, size_t i, char *buf, size_t n)
{
    snprintf(buf, n, "source '%s' file %zu", src->plan->name, i + 1);
}
