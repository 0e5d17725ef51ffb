/*
 * ptable.h - the perturbation table for cell-key noise (ONS Census 2021
 * style). Two CSV layouts, told apart by the header:
 *
 * The standard one, as the R package ptable (create_cnt_ptable) makes it
 * for tau-ARGUS and the cellKey package, the layout ONS used:
 *     i,j,p,v,p_int_lb,p_int_ub,type
 *     2,1,0.203125,-1,0.6015625,0.8046875,all
 * i is the true count, j the published one, v = j - i, p the transition
 * probability and [p_int_lb, p_int_ub) the row's share of [0, 1). A
 * cell's key (0..255) is mapped to [0, 1) as ckey / 256 and the row of
 * its count whose interval holds it gives the noise v. Columns may come
 * in any order, separated by ',' or ';' (pt_export), names and values
 * optionally in double quotes; i, p_int_lb, p_int_ub and v or j are
 * required, j, p and type (only "all": count tables) optional, others
 * ignored. Per i the intervals must cover [0, 1) without gaps or
 * overlaps, every i from 1 to the largest must be there, and i + v >= 0.
 * With 256 cell keys the probabilities take effect at a resolution of
 * 1/256: a row whose interval holds no key point is never drawn.
 *
 * The older one, `pcv,ckey_lo,ckey_hi,noise`: for a cell whose count is
 * pcv and whose key lies in [ckey_lo, ckey_hi], noise is added; every pcv
 * from 1 to the largest must cover keys 0..255 exactly once.
 *
 * In both, counts above the largest one in the table use its rows, and
 * count + noise is never negative. Errors name the file and line.
 */
#ifndef COHORT_PTABLE_H
#define COHORT_PTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "../core/error.h"

/* One range of cell keys of one count, whichever layout it came from. */
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

/* Loads and validates either layout; 0, CE_CONFIG (d names file and line)
 * or CE_NOMEM. The caller releases a loaded table with ptable_release(). */
int ptable_load(struct ptable *pt, const char *path, struct diag *d);

/* The noise for a cell (0 for an empty cell: empty cells are never
 * perturbed). */
int ptable_noise(const struct ptable *pt, int64_t count, uint32_t ckey);

void ptable_release(struct ptable *pt);

#endif
