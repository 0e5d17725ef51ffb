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
 * A postcode's district is its outward code.
 *
 * Categories come from the lookup only: the ward, LSOA and district name
 * tables are complete once the lookup is loaded, and finding a postcode
 * never adds to them (they are only read, by any number of threads). A
 * postcode that is not in the lookup is UNKNOWN in every geography, its
 * district too: otherwise one resident from outside the area (ZE2 9AA)
 * would publish a category of their own (ZE2) with a count of one.
 *
 * Ward and LSOA names are checked as they are loaded (core/label.h): a
 * reserved word (Total, UNKNOWN), invalid UTF-8, or a name starting with
 * =, +, -, @, a tab or a carriage return is a config error naming the
 * file, line, column and rule, never the name. An empty name means the
 * lookup does not know that postcode's ward (or LSOA): UNKNOWN.
 */
#ifndef COHORT_GENERALISE_H
#define COHORT_GENERALISE_H

#include <stddef.h>
#include <stdint.h>

#include "../core/plan.h"
#include "../core/error.h"
#include "../core/hash.h"
#include "person.h"

struct geo_code {
    uint32_t ward;
    uint32_t lsoa;
    uint32_t district;
};

struct geo_lookup {
    struct hash_table postcodes; /* normalised postcode -> index into codes */
    struct geo_code *codes;
    size_t codes_alloc;
    size_t nentries;           /* postcodes in the lookup */
    struct geo_names names;    /* ward/lsoa/district names, [0] = UNKNOWN */
    size_t ward_alloc, lsoa_alloc, district_alloc;
};

/*
 * Reads the lookup at path into gl (initialised here). 0; CE_CONFIG for a
 * missing or unreadable file, a bad header, a row that is not a postcode
 * or too short, or a refused name (d then names path, line, column and
 * rule); CE_IO on a read error; CE_NOMEM. On error gl is released. The
 * caller releases gl with geo_lookup_release().
 */
int geo_lookup_load(struct geo_lookup *gl, const char *path, struct diag *d);

/*
 * Geography of a normalised postcode ("EC1V 9HX"; "" when absent): 1 when
 * the postcode is in the lookup (geo holds its ward, LSOA and district),
 * 0 when not (all three GEO_UNKNOWN). Only reads gl: safe on any thread.
 */
int geo_lookup_find(const struct geo_lookup *gl, const char *postcode,
                    struct geo_code *geo);

/* Frees everything gl owns and zeroes it. */
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
