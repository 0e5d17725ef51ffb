/*
 * generalise.h - quasi-identifiers made coarse before anything is kept:
 * a postcode becomes ward, LSOA and district indexes through the job's
 * lookup table, and a date of birth becomes a birth month plus one flag,
 * from which the age band at the end of every period follows.
 *
 *     struct geo_lookup gl;
 *     geo_lookup_load(&gl, plan->lookup, &d)     -- CE_CONFIG / CE_IO
 *     geo_lookup_find(&gl, rec.postcode, &geo)   -- while the row lives
 *     ... gl.names is what person_set.geo points to ...
 *     geo_lookup_release(&gl);
 *
 * The lookup CSV has a header with (at least) the columns postcode, ward
 * and lsoa, in any order; postcodes are normalised like source postcodes.
 * A postcode missing from the lookup still yields its district (the
 * outward code); ward and LSOA are then UNKNOWN.
 */
#ifndef COHORT_GENERALISE_H
#define COHORT_GENERALISE_H

#include <stddef.h>
#include <stdint.h>

#include "../core/config.h"
#include "../core/error.h"
#include "person.h"

struct geo_entry;

struct geo_lookup {
    struct geo_entry *slots;   /* open addressing by postcode */
    size_t nslots;
    size_t nentries;
    struct geo_names names;    /* ward/lsoa/district names, [0] = UNKNOWN */
    size_t ward_alloc, lsoa_alloc, district_alloc;
};

struct geo_code {
    uint32_t ward;
    uint32_t lsoa;
    uint32_t district;
};

int geo_lookup_load(struct geo_lookup *gl, const char *path, struct diag *d);

/*
 * Geography of a normalised postcode ("EC1V 9HX"; "" when absent). Adds
 * the district to the name table when new. Returns 1 when the postcode was
 * in the lookup, 0 when not (geo still holds what is known), CE_NOMEM.
 */
int geo_lookup_find(struct geo_lookup *gl, const char *postcode,
                    struct geo_code *geo);

/*
 * The same on reader threads: the lookup is only read, and a district goes
 * into the caller's own table t (ids local to t; [0] is UNKNOWN). Later,
 * geo_districts_merge() interns t's names into the lookup's in t's order
 * and fills map[local id] = the lookup's id (map has t->n entries).
 * Merging the tables of several readers in the order they would have read
 * one after another gives the ids geo_lookup_find() would have given.
 */
struct geo_districts {
    char **name;
    size_t n;
    size_t alloc;
};

int geo_districts_init(struct geo_districts *t);   /* 0 or CE_NOMEM */
int geo_lookup_find_local(const struct geo_lookup *gl, struct geo_districts *t,
                          const char *postcode, struct geo_code *geo);
int geo_districts_merge(struct geo_lookup *gl, const struct geo_districts *t,
                        uint32_t *map);            /* 0 or CE_NOMEM */
void geo_districts_release(struct geo_districts *t);

void geo_lookup_release(struct geo_lookup *gl);

/*
 * A date of birth reduced to what age bands need: the birth year and month
 * and whether the birthday's day of month is on or before ref_day (the
 * reference date's day; every other period ends on a month's last day).
 */
struct birth {
    int16_t year;    /* 0: unknown */
    uint8_t month;
    uint8_t by_ref_day;
};

void birth_from_dob(int32_t dob, int32_t reference, struct birth *b);

/* Age in whole years at period_end; -1 when unknown. */
int birth_age_at(const struct birth *b, int32_t period_end,
                 int32_t reference);

/* Index of the plan's age band holding age; AGE_BAND_UNKNOWN for -1. */
uint8_t age_band_of(const struct job_plan *plan, int age);

#endif
