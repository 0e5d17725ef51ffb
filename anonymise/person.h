/*
 * person.h - the pseudonymous person set: what anonymise/ hands to cohorts/.
 *
 * After linkage and generalisation, a person is an internal number (its
 * index here) with generalised attributes and service spells. No
 * identifier, no date of birth, no postcode exists in this type: age is an
 * age-band index per period, geography is an index into the lookup's
 * ward/LSOA/district name tables.
 *
 * Layout is struct-of-arrays so memory stays ~ a few dozen bytes per person:
 *     age_band[p * nperiods + i]  band of person p at the end of period i
 *     spells[spell_first[p] .. spell_first[p+1]-1]  p's spells, by start
 * Owned by the person_set; person_set_release() frees everything.
 */
#ifndef COHORT_PERSON_H
#define COHORT_PERSON_H

#include <stddef.h>
#include <stdint.h>

#define AGE_BAND_UNKNOWN 0xFF
#define GEO_UNKNOWN 0 /* index 0 of every geography name table is "UNKNOWN" */

struct spell {
    int32_t start;       /* day number */
    int32_t end;         /* day number, DAY_OPEN when open */
    uint16_t service;    /* index into job_plan.services */
    uint8_t department;  /* enum department */
};

/* Names for the geography indexes; [0] is "UNKNOWN". Every name is the
 * lookup's, fixed when it is loaded (generalise.h). */
struct geo_names {
    char **ward;
    size_t nward;
    char **lsoa;
    size_t nlsoa;
    char **district;
    size_t ndistrict;
};

struct person_set {
    size_t npersons;
    int nperiods;
    uint8_t *age_band;      /* npersons * nperiods, index into plan age_bands */
    uint8_t *sex;           /* enum sex_code */
    uint8_t *ethnicity;     /* enum ethnic_group */
    uint32_t *ward;         /* index into geo->ward */
    uint32_t *lsoa;
    uint32_t *district;
    uint8_t *record_key;    /* 0..255, for cell-key perturbation; stable per person */
    uint32_t *spell_first;  /* npersons + 1 */
    struct spell *spells;
    size_t nspells;
    const struct geo_names *geo; /* borrowed from the lookup table */
    /* The sex and ethnicity codes the sources can give at all (bit k for
     * code k; transform/map.h map_codes_possible), the categories of a
     * table by sex or ethnicity; 0: every code. */
    uint32_t sex_possible;
    uint32_t ethnicity_possible;
};

/* Frees every array; geo is not owned. */
void person_set_release(struct person_set *ps);

#endif
