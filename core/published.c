#include "published.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct published_cell *
published_period_cells(const struct published_table *t, int period)
{
    return t->cells + (size_t)period * t->ncells_per_period;
}

int
published_hidden(const struct published_cell *c)
{
    return c->symbol == PUB_CONFIDENTIAL;
}

int
published_structural(const struct published_cell *c)
{
    return c->symbol == PUB_STRUCTURAL;
}

int
published_cell_is_margin(const struct published_table *t,
                 const struct published_cell *c)
{
    size_t j;

    for (j = 0; j < t->nby; j++)
        if (c->coord[j] == COORD_TOTAL)
            return 1;
    return 0;
}

const char *
published_symbol_text(const struct published_cell *c)
{
    switch (c->symbol) {
    case PUB_CONFIDENTIAL:
        return "[c]";
    case PUB_STRUCTURAL:
        return "[z]";
    default:
        return NULL;
    }
}

void
published_table_release(struct published_table *t)
{
    size_t j, i;

    for (j = 0; j < t->nby && j < TABLE_MAX_DIMS; j++) {
        if (!t->dim_labels[j])
            continue;
        for (i = 0; i < t->dim_n[j]; i++)
            free(t->dim_labels[j][i]);
        free(t->dim_labels[j]);
    }
    free(t->cells);
    memset(t, 0, sizeof(*t));
}

const char *
count_text(uint64_t v, char buf[24])
{
    if (v == COUNT_WITHHELD)
        return "[c]";
    snprintf(buf, 24, "%llu", (unsigned long long)v);
    return buf;
}
