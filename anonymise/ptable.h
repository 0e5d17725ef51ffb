/*
 * ptable.h - the perturbation table for cell-key noise (ONS Census 2021
 * style). Three CSV layouts, told apart by the header:
 *
 * ONS's own, as its cell-key code (cell-key-perturbation) ships
 * ptable_10_5_rule.csv: one row per count and cell key,
 *     pcv,ckey,pvalue
 *     578,17,2
 * for a cell of count pcv whose key is ckey the noise is pvalue. Every
 * pcv from 1 to the largest must have every ckey 0..255 exactly once
 * (rows of pcv 0 are checked and ignored: empty cells are never
 * perturbed), and pcv + pvalue >= 0. Columns in any order, names
 * optionally quoted.
 *
 * The ptable package's (create_cnt_ptable), for tau-ARGUS and the cellKey
 * package:
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
 * A count n above the table's largest, M, takes the rows of a count in
 * the table's last block of B counts, cycling through it:
 *     M - B + 1 + ((n - (M - B + 1)) mod B)
 * which keeps n's remainder mod B, so a table that rounds (ONS's 10_5
 * makes every count a multiple of 5) rounds large counts too. In ONS's
 * layout the block is the last third of the table, as ONS's code reads
 * ptable_10_5 (M = 750, B = 250: row ((n - 1) mod 250) + 501); in the
 * other two B = 1, the largest count's rows, as the ptable and cellKey
 * packages read theirs. count + noise is never negative. Errors name the
 * file and line.
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
    int block;        /* counts above max_pcv cycle through the last block
                         counts (above); <= 1: max_pcv's rows */
    int *noise_of;    /* [(pcv - 1) * 256 + ckey], made by ptable_load; NULL:
                         rows are searched (a table built by hand) */
};

/* Loads and validates either layout; 0, CE_CONFIG (d names file and line)
 * or CE_NOMEM. The caller releases a loaded table with ptable_release(). */
int ptable_load(struct ptable *pt, const char *path, struct diag *d);

/* The noise for a cell (0 for an empty cell: empty cells are never
 * perturbed); counts above the table's largest cycle through its last
 * block. */
int ptable_noise(const struct ptable *pt, int64_t count, uint32_t ckey);

void ptable_release(struct ptable *pt);

#endif
