/*
 * person.h - the pseudonymous person set: what anonymise/ hands to cohorts/,
 * and the rules that assemble it from linked records.
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
 *
 * Assembly (person_set_build()), for the IG review. A person is the set of
 * pseudonymous records (record.h) the linker put together, read in input
 * order: sources in config order, rows in file order (the same whatever
 * --threads says). Each attribute is chosen from those records alone:
 *
 *   sex        the most frequent known value (U is not counted); U when
 *              none is known. A tie goes to the value that reached the
 *              top count first in input order.
 *   ethnicity  the most frequent known top-level group, as sex (UNKNOWN
 *              is not counted).
 *   birth      the most frequent known birth year, month and "birthday by
 *              the reference date's day" flag -- never the day itself; a
 *              tie goes to the first in input order. The age band at the
 *              end of every period follows from it; unknown birth, unknown
 *              band.
 *   geography  ward, LSOA and district all from one record: the latest
 *              (by service start; a later row wins a tie) among records
 *              with a known ward, else among records with a known
 *              district only; UNKNOWN when no record has either. So a
 *              person is counted once, where they were last known to be.
 *   record key the person's key for cell-key perturbation, 0..255: a keyed
 *              hash (pseudonym.h, pseudonym_record_key()) of the token of
 *              the strictest linkage key any of its records has (keys in
 *              config order, the scoped local id after them all), the
 *              smallest such token -- whatever order the records came in,
 *              so the same persons get the same key every night. 0 when
 *              no record has a key.
 *   spells     one per record with a service (a header row without a spell
 *              adds none), sorted by start, end, department, service.
 *
 * Department tallies (struct department_tally) count records, the
 * persons with at least one record of the department, and the sum of
 * those persons' record keys (the cell key of that count).
 *
 * Unmapped codes (transform/quarantine.h): after linkage,
 * unmapped_count_persons() sets each code's persons to the distinct
 * linker classes of its witnesses; a code is named only when at least
 * unmapped_min_persons() persons carry it.
 */
#ifndef COHORT_PERSON_H
#define COHORT_PERSON_H

#include <stddef.h>
#include <stdint.h>

#include "../core/schema.h"

#define AGE_BAND_UNKNOWN 0xFF
#define GEO_UNKNOWN 0 /* index 0 of every geography name table is "UNKNOWN" */

struct job_plan;
struct period;
struct linker;
struct pseudonymiser;
struct record_list;
struct unmapped_codes;

struct spell {
    int32_t start;       /* day number */
    int32_t end;         /* day number, DAY_OPEN when open */
    uint16_t service;    /* index into job_plan.services */
    uint8_t department : 6; /* index into job_plan.departments (DEPT_MAX 32) */
    uint8_t period : 2;  /* enum spell_period */
    uint8_t ret;         /* the yearly return it came from (returns.h), 0:
                          * an extract's */
    /* per enum spell_category: its group's label index (0 UNKNOWN), from
     * the row's coded columns (transform/coded.h), for the by columns
     * placement_type, legal_status and category_of_need */
    uint8_t category[CAT_COUNT];
};

/* 16 bytes since the spell categories (issue 23): 12 before */
_Static_assert(sizeof(struct spell) == 16, "a spell is 16 bytes");

/* One membership: person p belonged to the household from start to end
 * (the days of the record that said so; DAY_NONE, DAY_OPEN: a record
 * without dates belongs to it over every period), as its lead or not. */
struct household_member {
    uint32_t person;
    int32_t start;
    int32_t end;
    uint8_t lead;
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
    /* households (household.h): members[member_first[h] ..
     * member_first[h+1]-1] are household h's memberships, by person and
     * start; household_key[h] its key for cell-key perturbation. All
     * NULL and 0 until household_set_build(). */
    size_t nhouseholds;
    uint32_t *member_first;
    struct household_member *members;
    size_t nmembers;
    uint8_t *household_key;
    /* the households' own spells (household.h, household_spells_build()):
     * hspells[hspell_first[h] .. hspell_first[h+1]-1], by start; NULL
     * when no source gives any */
    uint32_t *hspell_first;
    struct spell *hspells;
    size_t nhspells;
};

/* Per department: what the run summary reports, before disclosure control. */
struct department_tally {
    uint64_t records;
    uint64_t persons;    /* persons with at least one record of it */
    uint32_t key_sum;    /* sum of those persons' record keys (mod 2^32) */
};

/*
 * Builds ps from the linked records of recs (record.h) -- record i is
 * the linker's record i, after linker_run() -- by the rules above: one
 * person per linker person, in the linker's numbering. Ages at the end of
 * each of plan->periods periods; record keys from pseudonymiser psd;
 * ps->geo borrows geo. Adds each department's tally into dept[one per
 * plan department, at most DEPT_MAX]. 0, or CE_NOMEM with ps released;
 * the caller releases a built ps.
 */
int person_set_build(struct person_set *ps, const struct job_plan *plan,
                     const struct period *periods,
                     const struct record_list *recs,
                     const struct linker *l, const struct pseudonymiser *psd,
                     const struct geo_names *geo,
                     struct department_tally *dept);

/* Frees every array, the households' too; geo is not owned. */
void person_set_release(struct person_set *ps);

/* qsort order of spells: by start, end, department, service, return --
 * a person's spells, and a household's own (household.h). */
int spell_compare(const void *a, const void *b);

/*
 * After linker_run(): sets each code's persons in u to the number of
 * distinct classes (linker_probe_class()) among its witnesses, which are
 * l's probe numbers. Two witnesses of one class may be one person, so the
 * count can only be low.
 */
void unmapped_count_persons(struct unmapped_codes *u, const struct linker *l);

/* The fewest distinct persons who must carry an unmapped code before it
 * is named: suppress_hi + 1, the count below which a published cell is
 * suppressed. */
uint64_t unmapped_min_persons(const struct job_plan *plan);

#endif
