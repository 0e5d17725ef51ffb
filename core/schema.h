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
    /* identifiers for the probabilistic stage only (compared as keyed
     * hashes, never in a match key, never leave the process): last, so that
     * CF_CONTACT_FIRST .. CF_COUNT spans them */
    CF_ADDRESS,
    CF_EMAIL,
    CF_PHONE,
    CF_TOWN,
    CF_COUNT
};

/* The comparison-only fields, CF_ADDRESS .. CF_TOWN, in that order. */
#define CF_CONTACT_FIRST CF_ADDRESS
#define CF_CONTACT_COUNT (CF_COUNT - CF_ADDRESS)

/* Name of a common field as written in config ("nhs_number"). */
const char *common_field_name(enum common_field f);

/* Field for a name (exact, lower case), or -1. */
int common_field_lookup(const char *name);

/* 1 for the identifier fields (CF_NHS_NUMBER .. CF_UPRN and the
 * comparison-only CF_ADDRESS .. CF_TOWN); the household id is an identifier
 * too, but of a household: it never links persons and is never counted
 * as one here. */
int common_field_is_identifier(enum common_field f);

/*
 * Departments are plan data (job_plan.departments, core/plan.h): the four
 * below ship compiled in, in this order, so every job knows them without
 * declaring them; a job's own [department NAME] sections follow them.
 * These are the default set's indexes, for the built-in profiles.
 */
enum default_department {
    DEPT_HOUSING,
    DEPT_CHILDREN_SOCIAL_CARE,
    DEPT_ADULT_SOCIAL_CARE,
    DEPT_EDUCATION,
    DEPT_DEFAULT_COUNT
};

/* At most this many departments in a job, defaults included (a record's
 * department is a byte, and per-department tallies are fixed arrays). */
#define DEPT_MAX 32

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
#define CONTACT_MAX_BYTES 128

/*
 * Categories a spell carries from a coded column of its source (README
 * "Statutory code lists"), and that a cohort may be broken down by
 * (by = placement_type, legal_status, category_of_need): the group of the
 * column's code in its code list. 0 is UNKNOWN: no such column, an empty
 * cell or a code not on the list.
 */
enum spell_category {
    CAT_PLACEMENT_TYPE,
    CAT_LEGAL_STATUS,
    CAT_CATEGORY_OF_NEED,
    CAT_COUNT
};

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
    /* comparison-only, normalised (transform/contact.h): the address
     * lines, e-mail address, phone number and town, CF_ADDRESS order */
    char contact[CF_CONTACT_COUNT][CONTACT_MAX_BYTES];
    int32_t dob;
    /* quasi-identifiers */
    uint8_t sex;          /* enum sex_code; SEX_U when unknown */
    uint8_t ethnicity;    /* enum ethnic_group */
    /* the event */
    uint8_t department;   /* index into the plan's departments */
    uint16_t service;     /* index into the plan's service table; SERVICE_NONE
                             for a header row without a spell */
    int32_t start_date;
    int32_t end_date;
    /* the household: plaintext id (wiped with the identifiers) and the
     * lead flag, 1 lead, 0 not */
    char household_id[LOCAL_ID_MAX_BYTES];
    uint8_t lead;
    uint8_t period;       /* enum spell_period: what the source's
                             period_column says of the spell */
    uint8_t category[CAT_COUNT]; /* per enum spell_category: the group's
                             label index (job_plan.categories), 0 UNKNOWN */
};

/* Whether a spell starts a period (of care, of need) or continues one:
 * PERIOD_BY_DATES when the source does not say (a spell that starts while
 * another of its kind is open continues it), else what its
 * period_column says (SSDA903's RNE: S starts a period of care, every
 * other reason -- a placement or legal status change -- continues it). */
enum spell_period { PERIOD_BY_DATES, PERIOD_STARTS, PERIOD_CONTINUES };

/* Sets every field to absent. */
void record_clear(struct record *r);

/* Overwrites the identifier fields with zeros (sodium_memzero). */
void record_wipe_identifiers(struct record *r);

#endif
