#include "table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
cell_status_name(enum cell_status s)
{
    static const char *const names[] = {"ok",      "suppressed", "secondary",
                                        "rounded", "perturbed",  "structural"};

    return (unsigned)s <= CELL_STRUCTURAL ? names[s] : "unknown";
}

int
table_init(struct count_table *t, int nperiods, size_t nby,
           const uint32_t *dim_n, char *const *const *labels)
{
    size_t j, i, nmargin = 0, ninterior = 1;
    int p;

    memset(t, 0, sizeof(*t));
    if (nby > TABLE_MAX_DIMS || nperiods <= 0)
        return -1;
    t->nperiods = nperiods;
    t->nby = nby;
    for (j = 0; j < nby; j++) {
        t->dim_n[j] = dim_n[j];
        ninterior *= dim_n[j];
        nmargin += nby > 1 ? dim_n[j] : 0;
        t->dim_labels[j] = calloc(dim_n[j] ? dim_n[j] : 1, sizeof(char *));
        if (!t->dim_labels[j])
            goto fail;
        for (i = 0; i < dim_n[j]; i++)
            if (!(t->dim_labels[j][i] = strdup(labels[j][i])))
                goto fail;
    }
    /* With one by column its margins are the interior cells themselves. */
    t->ninterior = ninterior;
    t->ncells_per_period = ninterior + nmargin + (nby > 0 ? 1 : 0);
    if (nby == 0)
        t->ncells_per_period = 1;
    t->cells = calloc((size_t)nperiods * t->ncells_per_period,
                      sizeof(struct table_cell));
    if (!t->cells)
        goto fail;
    for (p = 0; p < nperiods; p++) {
        struct table_cell *c = table_period_cells(t, p);
        size_t k = 0;

        for (i = 0; i < ninterior; i++, k++) {
            size_t rem = i;

            for (j = nby; j-- > 0;) {
                c[k].coord[j] = (uint32_t)(rem % dim_n[j]);
                rem /= dim_n[j];
            }
            for (j = nby; j < TABLE_MAX_DIMS; j++)
                c[k].coord[j] = COORD_TOTAL;
        }
        if (nby > 1)
            for (j = 0; j < nby; j++)
                for (i = 0; i < dim_n[j]; i++, k++) {
                    size_t q;

                    for (q = 0; q < TABLE_MAX_DIMS; q++)
                        c[k].coord[q] = COORD_TOTAL;
                    c[k].coord[j] = (uint32_t)i;
                }
        if (nby > 0) {
            for (j = 0; j < TABLE_MAX_DIMS; j++)
                c[k].coord[j] = COORD_TOTAL;
            k++;
        } else {
            for (j = 0; j < TABLE_MAX_DIMS; j++)
                c[0].coord[j] = COORD_TOTAL;
        }
    }
    return 0;
fail:
    table_release(t);
    return -1;
}

struct table_cell *
table_period_cells(struct count_table *t, int period)
{
    return t->cells + (size_t)period * t->ncells_per_period;
}

struct table_cell *
table_interior(struct count_table *t, int period, const uint32_t *coord)
{
    size_t j, idx = 0;

    for (j = 0; j < t->nby; j++)
        idx = idx * t->dim_n[j] + coord[j];
    return table_period_cells(t, period) + idx;
}

int
table_cell_is_margin(const struct count_table *t, const struct table_cell *c)
{
    size_t j;

    for (j = 0; j < t->nby; j++)
        if (c->coord[j] == COORD_TOTAL)
            return 1;
    return t->nby == 0 ? 0 : 0;
}

void
table_fill_margins(struct count_table *t)
{
    int p;

    if (t->nby == 0)
        return;
    for (p = 0; p < t->nperiods; p++) {
        struct table_cell *c = table_period_cells(t, p);
        struct table_cell *total = &c[t->ncells_per_period - 1];
        size_t i, j, base = t->ninterior;

        for (i = t->ninterior; i < t->ncells_per_period; i++) {
            c[i].count = 0;
            c[i].ckey = 0;
        }
        for (i = 0; i < t->ninterior; i++) {
            size_t off = base;

            if (t->nby > 1)
                for (j = 0; j < t->nby; j++) {
                    struct table_cell *m = &c[off + c[i].coord[j]];

                    m->count += c[i].count;
                    m->ckey = (m->ckey + c[i].ckey) & 0xFF;
                    off += t->dim_n[j];
                }
            total->count += c[i].count;
            total->ckey = (total->ckey + c[i].ckey) & 0xFF;
        }
    }
}

int
table_mark_structural(struct count_table *t, const uint8_t *interior)
{
    size_t i, j, off, n = t->ncells_per_period, any = 0;
    size_t *possible;

    for (i = 0; i < t->ninterior; i++)
        any += interior[i] != 0;
    free(t->structural);
    t->structural = NULL;
    if (!any)
        return 0;
    t->structural = calloc(n, 1);
    possible = calloc(n, sizeof(*possible));
    if (!t->structural || !possible) {
        free(possible);
        free(t->structural);
        t->structural = NULL;
        return -1;
    }
    /* count each margin's possible parts; none left: structural too */
    for (i = 0; i < t->ninterior; i++) {
        t->structural[i] = interior[i] != 0;
        if (interior[i])
            continue;
        off = t->ninterior;
        if (t->nby > 1)
            for (j = 0; j < t->nby; j++) {
                possible[off + t->cells[i].coord[j]]++;
                off += t->dim_n[j];
            }
        possible[n - 1]++;
    }
    for (i = t->ninterior; i < n; i++)
        t->structural[i] = possible[i] == 0;
    free(possible);
    return 0;
}

void
table_release(struct count_table *t)
{
    size_t j, i;

    for (j = 0; j < TABLE_MAX_DIMS; j++) {
        if (!t->dim_labels[j])
            continue;
        for (i = 0; i < t->dim_n[j]; i++)
            free(t->dim_labels[j][i]);
        free(t->dim_labels[j]);
    }
    free(t->cells);
    free(t->structural);
    memset(t, 0, sizeof(*t));
}
