/*
 * schema.h - the common schema every source is mapped onto
 * (ARCHITECTURE.md, "The common schema").
 *
 * A struct record is one canonical row: identifiers (plaintext, normalised,
 * alive only while that row is processed; anonymise/pseudonym wipes them),
 * quasi-identifiers and one service event.
 */
#ifndef COHORT_SCHEMA_H
#define COHORT_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

enum common_field {
    /* identifiers: linkage only, never leave the process */
    CF_NHS_NUMBER,
    CF_UPN,
    CF_ULN,
    CF_NI_NUMBER,
    CF_LOCAL_ID,
    CF_FORENAME,
    CF_SURNAME,
    CF_DOB,
    CF_POSTCODE,
    CF_UPRN,
    /* quasi-identifiers: published only generalised */
    CF_SEX,
    CF_ETHNICITY,
    /* the service event */
    CF_SERVICE,
    CF_START_DATE,
    CF_END_DATE,
    /* the household (README "Households"): the source's own household or
     * case id, kept like local_id only as a keyed hash, and whether the
     * row's person is the household's lead (applicant) */
    CF_HOUSEHOLD_ID,
    CF_LEAD,
    CF_COUNT
};

/* Name of a common field as written in config ("nhs_number"). */
const char *common_field_name(enum common_field f);

/* Field for a name (exact, lower case), or -1. */
int common_field_lookup(const char *name);

/* 1 for the person identifier fields (CF_NHS_NUMBER .. CF_UPRN); the
 * household id is an identifier too, but of a household: it never links
 * persons and is never counted as one here. */
int common_field_is_identifier(enum common_field f);

enum department {
    DEPT_HOUSING,
    DEPT_CHILDREN_SOCIAL_CARE,
    DEPT_ADULT_SOCIAL_CARE,
    DEPT_EDUCATION,
    DEPT_COUNT
};

/* "housing", "children_social_care", "adult_social_care", "education". */
const char *department_name(enum department d);

/* Department for a name, or -1. */
int department_lookup(const char *name);

enum sex_code { SEX_M, SEX_F, SEX_U, SEX_X, SEX_COUNT };

/* "M", "F", "U", "X". */
const char *sex_name(enum sex_code s);

enum ethnic_group {
    ETH_WHITE,
    ETH_MIXED,
    ETH_ASIAN,
    ETH_BLACK,
    ETH_OTHER,
    ETH_UNKNOWN,
    ETH_COUNT
};

/* "WHITE", "MIXED", "ASIAN", "BLACK", "OTHER", "UNKNOWN". */
const char *ethnic_group_name(enum ethnic_group e);

/* record.service of a header row that carries no spell. */
#define SERVICE_NONE 0xFFFFu

/* Sizes of the normalised identifier buffers, NUL included. */
#define NAME_MAX_BYTES 96
#define LOCAL_ID_MAX_BYTES 64

/*
 * One canonical record. Strings are NUL-terminated and empty when absent or
 * invalid (an invalid identifier is dropped, never kept). Dates are day
 * numbers from core/calendar.h; DAY_NONE when absent, end_date DAY_OPEN
 * when the spell is open.
 */
struct record {
    /* identifiers */
    char nhs_number[11];
    char upn[14];
    char uln[11];
    char ni_number[10];
    char local_id[LOCAL_ID_MAX_BYTES];
    char forename[NAME_MAX_BYTES];
    char surname[NAME_MAX_BYTES];
    char postcode[9];     /* "EC1V 9HX" */
    char uprn[13];
    int32_t dob;
    /* quasi-identifiers */
    uint8_t sex;          /* enum sex_code; SEX_U when unknown */
    uint8_t ethnicity;    /* enum ethnic_group */
    /* the event */
    uint8_t department;   /* enum department */
    uint16_t service;     /* index into the plan's service table; SERVICE_NONE
                             for a header row without a spell */
    int32_t start_date;
    int32_t end_date;
    /* the household: plaintext id (wiped with the identifiers) and the
     * lead flag, 1 lead, 0 not */
    char household_id[LOCAL_ID_MAX_BYTES];
    uint8_t lead;
};

/* Sets every field to absent. */
void record_clear(struct record *r);

/* Overwrites the identifier fields with zeros (sodium_memzero). */
void record_wipe_identifiers(struct record *r);

#endif
