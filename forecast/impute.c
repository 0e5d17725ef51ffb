/*
 * impute.c - hidden cells filled from what is published (impute.h).
 */
#include "impute.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Rounds of proportional fitting: a published table's rows and columns
 * agree to within the rounding long before. */
#define IPF_ROUNDS 30

size_t
impute_ninterior(const struct published_table *t)
{
    size_t n = 1, j;

    for (j = 0; j < t->nby; j++)
        n *= t->dim_n[j];
    return n;
}

double
published_margin(const struct published_table *t, int period, int dim,
                 uint32_t v)
{
    const struct published_cell *c = published_period_cells(t, period);
    size_t i, j;

    for (i = 0; i < t->ncells_per_period; i++) {
        for (j = 0; j < t->nby; j++)
            if (c[i].coord[j] != ((int)j == dim ? v : COORD_TOTAL))
                break;
        if (j == t->nby)
            return published_hidden(&c[i]) ? NAN : (double)c[i].value;
    }
    return NAN;
}

/* What a line's hidden members share: its published total less its shown
 * members, spread over the hidden ones in proportion to weight (equally
 * when the weights are all zero). x and hidden are strided by step. */
static void
share_line(double *x, const unsigned char *hidden, size_t n, size_t step,
           double total)
{
    double shown = 0, weight = 0;
    size_t i, nh = 0;

    for (i = 0; i < n; i++) {
        if (hidden[i * step]) {
            weight += x[i * step];
            nh++;
        } else {
            shown += x[i * step];
        }
    }
    if (!nh || isnan(total))
        return;
    total = total > shown ? total - shown : 0;
    for (i = 0; i < n; i++)
        if (hidden[i * step])
            x[i * step] = weight > 0 ? x[i * step] * total / weight
                                     : total / (double)nh;
}

/* A line's total: its published margin, or its share of what the grand
 * total leaves the hidden margins of its dimension (in proportion to
 * weight[v] when given, else equal), or NAN. */
static void
line_totals(const struct published_table *t, int period, int dim,
            double grand, const double *weight, double *tot)
{
    uint32_t v, n = t->dim_n[dim], nh = 0;
    double shown = 0, w = 0;

    for (v = 0; v < n; v++) {
        tot[v] = published_margin(t, period, dim, v);
        if (isnan(tot[v])) {
            nh++;
            w += weight ? weight[v] : 0;
        } else {
            shown += tot[v];
        }
    }
    for (v = 0; v < n && nh; v++)
        if (isnan(tot[v]))
            tot[v] = isnan(grand) ? NAN
                                  : (grand > shown ? grand - shown : 0) *
                                        (w > 0 ? weight[v] / w : 1.0 / nh);
}

/* Two by columns: hidden interior cells fitted to the line totals, the
 * hidden lines' totals shared as the weights' (the interior as it
 * starts: the prior) lines are. */
static void
impute_two(const struct published_table *t, int period, double grand,
           double *x, unsigned char *hidden)
{
    uint32_t nr = t->dim_n[0], nc = t->dim_n[1], r, c;
    double *rt = malloc(nr * sizeof(double)), *ct = malloc(nc * sizeof(double));
    double *rw = calloc(nr, sizeof(double)), *cw = calloc(nc, sizeof(double));
    int round;

    if (!rt || !ct || !rw || !cw)
        goto out;
    for (r = 0; r < nr; r++)
        for (c = 0; c < nc; c++) {
            rw[r] += x[(size_t)r * nc + c];
            cw[c] += x[(size_t)r * nc + c];
        }
    line_totals(t, period, 0, grand, rw, rt);
    line_totals(t, period, 1, grand, cw, ct);
    for (round = 0; round < IPF_ROUNDS; round++) {
        for (r = 0; r < nr; r++)
            share_line(x + (size_t)r * nc, hidden + (size_t)r * nc, nc, 1,
                       rt[r]);
        for (c = 0; c < nc; c++)
            share_line(x + c, hidden + c, nr, nc, ct[c]);
    }
out:
    free(rt);
    free(ct);
    free(rw);
    free(cw);
}

void
impute_period(const struct published_table *t, int period, double guess,
              const double *prior, double *interior)
{
    const struct published_cell *cells = published_period_cells(t, period);
    size_t n = impute_ninterior(t), i;
    unsigned char *hidden = calloc(n ? n : 1, 1);
    double grand = published_margin(t, period, -1, 0);

    for (i = 0; i < n; i++) {
        const struct published_cell *c = &cells[t->nby ? i : 0];

        if (published_hidden(c)) {
            /* a weight to share by; a small floor, so that a cell the
             * prior calls empty can still take a share when nothing
             * else can */
            interior[i] = prior ? prior[i] + 1e-3 : guess;
            if (hidden)
                hidden[i] = 1;
        } else {
            interior[i] = (double)c->value;
        }
    }
    if (!hidden)
        return; /* out of memory: the guesses stand */
    if (isnan(grand)) {
        /* a hidden total is one the rule suppresses, as far as anyone
         * can tell: its parts share the guess, not a guess each */
        double shown = 0;

        for (i = 0; i < n; i++)
            shown += hidden[i] ? 0 : interior[i];
        grand = shown > guess ? shown : guess;
    }
    if (t->nby <= 1)
        share_line(interior, hidden, n, 1, grand);
    else if (t->nby == 2)
        impute_two(t, period, grand, interior, hidden);
    free(hidden);
}

void
impute_margins(const struct published_table *t, int period, int dim,
               double guess, const double *prior, double *out)
{
    uint32_t v, n = t->dim_n[dim];
    unsigned char *hidden = calloc(n ? n : 1, 1);
    double grand = published_margin(t, period, -1, 0), shown = 0;

    for (v = 0; v < n; v++) {
        out[v] = published_margin(t, period, dim, v);
        if (isnan(out[v])) {
            out[v] = prior ? prior[v] + 1e-3 : 1;
            if (hidden)
                hidden[v] = 1;
        } else {
            shown += out[v];
        }
    }
    if (!hidden)
        return;
    if (isnan(grand))
        grand = shown > guess ? shown : guess;
    share_line(out, hidden, n, 1, grand);
    free(hidden);
}
