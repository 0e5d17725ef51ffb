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
 * The people live in households of one to five (two adults, then
 * children) sharing a postcode, an ethnic group and a naming convention.
 * The groups keep the mix synth always had (WHITE 75 %, MIXED 5 %, ASIAN
 * 9 %, BLACK 5 %, OTHER 3 %, UNKNOWN 3 % as recorded); within each, the
 * conventions of the UK's main communities in census proportion: English,
 * Welsh, Scottish, Irish, Eastern and Western European, Pakistani and
 * Bangladeshi, Indian, Sikh, Chinese, Vietnamese, West African,
 * Caribbean, Somali, Arabic, Turkish, Hispanic (MIXED households: one
 * parent's, with English names and double surnames mixed in). Each
 * convention brings its names, most common first, and the ways they are
 * written: transliterations (Muhammad / Mohammed), particles (Al-, El-,
 * Mc / Mac, O' / Ó, Da, Van der) written apart, together or dropped,
 * double surnames (hyphenated or not, one part only, either order),
 * family name first, Singh / Kaur / Begum beside or instead of a family
 * name, a Somali child's father's given name as surname, women's forms of
 * Polish, Lithuanian and Irish surnames, accents (written, or dropped by
 * a system), Welsh and Irish forms and their English ones (Dafydd /
 * David), middle names used with or for the forename.
 *
 * Faults, each row independently, as real extracts have them: another
 * spelling, a nickname, the middle name; one name mistyped or both;
 * forename and surname swapped (and family name first); a missing
 * forename, surname or date of birth; day and month swapped, a day off by
 * one or another day, the month off by one, the year off by one or its
 * digits swapped; a surname changed; one household in eight moved within
 * the three years (rows of a time before the move, and a few after it,
 * carry the old postcode); twins (same birthday, surname and address,
 * another forename); very common names; one person in twenty with no NHS
 * number or UPN anywhere but education, so nothing strong is shared
 * across departments; NHS numbers missing (30 % of housing rows) or with
 * a wrong check digit (1 %), postcode spacing and case.
 *
 * History (spells > 1): each service row gets up to spells-1 earlier rows
 * of the same person in the same system, with the same identifiers as
 * that system holds them (one person record, many spells) but the
 * postcode of the time, and earlier dates, walking back in time as each
 * department's records do: housing cases of the household a year or so
 * apart, children's social care referrals months apart (never before
 * birth), adult social care packages reviewed back to back (never before
 * 18), education provision termly (never before 4). SSDA903 rows are not
 * repeated. The extra randomness comes from its own stream, so the first
 * spells are the same at any --spells.
 *
 * The extracts (DIR/...), with the demo job's [source] name:
 *   housing.csv               housing; Windows-1252 (a name the encoding
 *                             cannot hold is written as such a system
 *                             holds it: Lukasz for Łukasz), CRLF,
 *                             dd/mm/yyyy, tenure codes TA/HP/SH, a quoted
 *                             multi-line address
 *   children_social_care.csv  children; UTF-8, ISO dates, CIN/CPP, sex
 *                             1/2/9, DfE ethnicity codes, the child id
 *                             CHILD_ID
 *   adult_social_care.csv.gz  adults; gzip, UTF-8, yyyymmdd, LTS/STS,
 *                             Male/Female, NHS ethnicity letters
 *   education.csv             pupils; UTF-8, dd-Mon-yyyy, UPNs, K/E/FSM
 *   ssda903_header.csv        lac_header; the looked-after children as
 *                             SSDA903 lists them: CHILD (the same id as
 *                             CHILD_ID), SEX, DOB, ETHNIC, UPN; CRLF,
 *                             dd/mm/yyyy; 1 % of children twice with
 *                             differing dates of birth
 *   ssda903_episodes.csv      lac_episodes; their episodes: CHILD, DECOM,
 *                             ..., DEC, REC, HOME_POST and no other
 *                             identifier; about 2 % more are episodes
 *                             whose CHILD no header lists
 *   housing_register.csv      register; whole households on housing
 *                             cases, with the lead applicant, and its
 *                             household truth (synth_housing.h)
 *   truth_SYNTHETIC_IDENTIFIERS.csv  UTF-8, one line per data row:
 *       source,line,person    the [source] name, the row's physical line
 *                             (header = line 1), the true person
 *       nhs_number,upn,forename,surname,dob,postcode
 *                             the identifiers as written in that row
 *                             (dob ISO; empty when the row has none)
 *       convention,ethnicity,sex,age_band
 *                             the person's naming convention, ethnic
 *                             group (WHITE ... UNKNOWN), M/F/U, and age
 *                             band at the reference date (the demo job's
 *                             bands); empty for an orphan episode
 *       traits                the person's, space-separated: twin
 *                             common_name double_surname particle
 *                             religious_surname family_name_first
 *                             diacritics no_strong_id mover patronymic
 *       faults                the row's, space-separated: nickname
 *                             fn_variant fn_middle sn_variant sn_part
 *                             sn_order sn_other sn_change accents
 *                             family_first swap fn_typo sn_typo no_fn
 *                             no_sn no_dob dob_swap dob_day dob_month
 *                             dob_year moved
 *       The only output holding identifiers (made-up ones), for linkage
 *       accuracy tests and the privacy scan.
 *
 * Then the multiple-needs departments' extracts for the same people,
 * with their own truth (synth_needs.h).
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
    int spells;           /* 0 or 1: one spell a service row;
                           * N > 1: up to N-1 earlier spells of the same
                           * person in the same system (see above) */
};

struct synth_counts {
    long people;
    long rows[7];         /* per extract, in the order above, then the
                           * housing register (synth_housing.h) */
    long needs_rows[4];   /* the multiple-needs extracts (synth_needs.h) */
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
