/*
 * ptable.h - the perturbation table for cell-key noise (ONS Census 2021
 * style). CSV with the header `pcv,ckey_lo,ckey_hi,noise`: for a cell whose
 * count is pcv and whose cell key (sum of its records' keys mod 256) lies in
 * [ckey_lo, ckey_hi], the published count is count + noise. Counts above the
 * largest pcv use the rows of the largest pcv. count + noise must never be
 * negative; every pcv must cover cell keys 0..255 exactly once.
 */
#ifndef COHORT_PTABLE_H
#define COHORT_PTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "../core/error.h"

struct ptable_row {
    int pcv;
    int ckey_lo;
    int ckey_hi;
    int noise;
};

struct ptable {
    struct ptable_row *rows;
    size_t n;
    int max_pcv;
};

int ptable_load(struct ptable *pt, const char *path, struct diag *d);

/* The noise for a cell (0 for an empty cell: empty cells are never
 * perturbed). */
int ptable_noise(const struct ptable *pt, int64_t count, uint32_t ckey);

void ptable_release(struct ptable *pt);

#endif
