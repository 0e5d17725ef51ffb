/*
 * disclosure_settings.h - the [disclosure] keys and the presets they start
 * from (ons: counts 1-9 suppressed, rounding to 5; nhs: 1-7 suppressed,
 * rounding to 5). The nightly job's [disclosure] section and the options
 * of `cohort protect` are the same keys, applied through this one table,
 * so an analyst's own table gets exactly the rules the job applies.
 *
 * The keys are kept as written, then resolved against the preset at the
 * end, whatever their order in the file:
 *
 *     struct disclosure_keys k = {0};
 *     struct disclosure_plan dp = {0};
 *     disclosure_keys_set(&k, "preset", "nhs", expect, sizeof(expect));
 *     disclosure_keys_set(&k, "rounding", "10", expect, sizeof(expect));
 *     disclosure_plan_finish(&dp, &k);
 *     disclosure_keys_release(&k);
 *     ... disclosure_protect(t, &dp, ...) ...
 *     disclosure_plan_release(&dp);
 */
#ifndef COHORT_DISCLOSURE_SETTINGS_H
#define COHORT_DISCLOSURE_SETTINGS_H

#include <stddef.h>

#include "../core/plan.h"
#include "../core/settings.h"

/* The [disclosure] keys as written (0 / NULL: not given). */
struct disclosure_keys {
    char *preset;            /* "ons" or "nhs" */
    int min_count;
    int suppress_lo;         /* from suppress = LO-HI (which sets min_count) */
    int rounding;
    int protect_zeros;
    int protection_level;
    /* tau-ARGUS's interval: N counts, or N percent when *_pct */
    int protection_lower, protection_lower_pct;
    int protection_upper, protection_upper_pct;
    enum suppression_cost suppression_cost;
    enum perturbation perturbation;
    char *ptable;
};

/* The [disclosure] keys, over struct disclosure_keys. */
extern const struct setting disclosure_settings[];

/*
 * Applies one key outside a job file (`cohort protect`). Returns 0;
 * CE_CONFIG with expect (of expect_size bytes) saying what the value
 * should be ("a whole number from 1 to 1000"), or with expect empty when
 * the key is unknown; or CE_NOMEM.
 */
int disclosure_keys_set(struct disclosure_keys *k, const char *key,
                        const char *value, char *expect, size_t expect_size);

/*
 * Resolves the preset (ons when none) and the keys given into dp's
 * numbers, and moves the preset and ptable strings from k into dp.
 * CE_CONFIG when perturbation = cellkey has no ptable.
 */
int disclosure_plan_finish(struct disclosure_plan *dp,
                           struct disclosure_keys *k);

/* Frees the strings k still owns and zeroes it. */
void disclosure_keys_release(struct disclosure_keys *k);

#endif
