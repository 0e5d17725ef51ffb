/*
 * synth.h - synthetic extracts: a made-up population living at postcodes
 * from the job's lookup, with service spells in all four departments,
 * written as four extracts in four different systems' styles, with the
 * faults real extracts have, and a truth file naming the true person of
 * every row. Councils cannot give real data to a demo, a test or a
 * benchmark; this is what they get instead.
 *
 * Deterministic: the same seed, size, reference date, lookup and spells
 * give the same bytes.
 *
 * History (spells > 1): each service row gets up to spells-1 earlier rows
 * of the same person in the same system, with the same identifiers as
 * that system holds them (one person record, many spells) and earlier
 * dates, walking back in time as each department's records do: housing
 * cases of the household a year or so apart, children's social care
 * referrals months apart (never before birth), adult social care packages
 * reviewed back to back (never before 18), education provision termly
 * (never before 4). SSDA903 rows are not repeated. The extra randomness
 * comes from its own stream, so spells 0/1 leave today's bytes unchanged.
 *
 * The extracts (DIR/...):
 *   housing.csv               Windows-1252, CRLF, dd/mm/yyyy, tenure codes
 *                             TA/HP/SH, a quoted multi-line address
 *   children_social_care.csv  UTF-8, ISO dates, CIN/CPP, sex 1/2/9,
 *                             DfE ethnicity codes, the child id CHILD_ID
 *   adult_social_care.csv.gz  gzip, yyyymmdd, LTS/STS, Male/Female, NHS
 *                             ethnicity letters
 *   education.csv             dd-Mon-yyyy, UPNs, K/E/FSM
 *   ssda903_header.csv        the looked-after children as SSDA903 lists
 *                             them: CHILD (the same id as CHILD_ID), SEX,
 *                             DOB, ETHNIC, UPN; CRLF, dd/mm/yyyy; 1 % of
 *                             children twice with differing dates of birth
 *   ssda903_episodes.csv      their episodes: CHILD, DECOM, ..., DEC,
 *                             HOME_POST and no other identifier; about 2 %
 *                             more are episodes whose CHILD no header lists
 *   truth_SYNTHETIC_IDENTIFIERS.csv
 *       file,line,person_id,nhs_number,upn,forename,surname,dob,postcode
 *       one line per data row: the identifiers as written in that row and
 *       the true person. The only output holding identifiers (made-up
 *       ones), for linkage accuracy tests and the privacy scan.
 */
#ifndef COHORT_SYNTH_H
#define COHORT_SYNTH_H

#include <stdint.h>
#include <stdio.h>

#include "../core/error.h"

struct synth_options {
    const char *dir;
    const char *lookup;   /* postcode,ward,lsoa */
    long people;
    uint64_t seed;
    int32_t reference;    /* day number */
    int spells;           /* 0 or 1: one spell a service row, as always;
                           * N > 1: up to N-1 earlier spells of the same
                           * person in the same system (see below) */
};

struct synth_counts {
    long people;
    long rows[6];         /* per extract, in the order above */
    long faulty_rows;     /* rows written malformed on purpose */
};

/* Writes the extracts; 0, CE_IO or CE_CONFIG (lookup unusable). */
int synth_write(const struct synth_options *o, struct synth_counts *c,
                struct diag *d);

/* NHS number in the test range 999 000 0000 - 999 999 9999 with a valid
 * check digit, derived from n; out[11]. */
void synth_nhs_number(uint64_t n, char out[11]);

/* A valid UPN for LA la, year yy, serial n; out[14]. */
void synth_upn(int la, int yy, uint64_t n, char out[14]);

#endif
