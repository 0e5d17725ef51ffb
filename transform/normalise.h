/*
 * normalise.h - pure functions that put one source value into canonical
 * form: names, dates, postcodes, sex and ethnicity codes. No allocation, no
 * globals; each is covered by a table-driven test (tests/unit/test_normalise.c).
 */
#ifndef COHORT_NORMALISE_H
#define COHORT_NORMALISE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Name: UTF-8 in; lower-case ASCII out with accents stripped (é -> e,
 * ß -> ss, æ -> ae), apostrophes dropped (O'Brien -> obrien), hyphens, dots
 * and other punctuation turned into spaces, runs of spaces collapsed,
 * leading titles (mr mrs miss ms mx dr) dropped; word order kept. Returns
 * the length written, or -1 when nothing is left, out is too small or the
 * input is not valid UTF-8. out is NUL-terminated.
 */
int normalise_name(const char *in, size_t len, char *out, size_t outsz);

enum date_fault {
    DATE_OK,
    DATE_EMPTY,
    DATE_SYNTAX,
    DATE_IMPOSSIBLE,     /* 31/02, month 13 */
    DATE_BEFORE_1900
};

/*
 * Parses a date with fmt (a strptime-style subset without locale: %d %m %Y
 * %y %b %B %e, %H %M %S skipped, literal characters; NULL for none), and
 * failing that ISO yyyy-mm-dd (a time part after 'T' or ' ' ignored) or
 * yyyymmdd. A two-digit year above pivot_year % 100 is 19xx, else 20xx.
 * *out receives the day number (core/calendar.h).
 */
enum date_fault parse_date(const char *s, size_t len, const char *fmt,
                           int pivot_year, int32_t *out);

/* 1 when dob is after reference (both day numbers). */
int dob_is_future(int32_t dob, int32_t reference);

struct postcode {
    char full[9];      /* "EC1V 9HX" */
    char sector[7];    /* "EC1V 9" */
    char district[5];  /* "EC1V" */
    char area[3];      /* "EC" */
};

/*
 * Upper-cases, drops spaces, checks the full UK format (A9 9AA, A99 9AA,
 * A9A 9AA, AA9 9AA, AA99 9AA, AA9A 9AA, and GIR 0AA) and fills out.
 * 0, or -1 when the format is wrong.
 */
int normalise_postcode(const char *s, size_t len, struct postcode *out);

/* Built-in sex codes (M/Male/1, F/Female/2, U/Unknown/0/9, X/I/
 * Indeterminate); enum sex_code or -1. */
int normalise_sex(const char *s, size_t len);

/* Built-in ethnicity codes: group names, DfE codes, NHS letters, census
 * category names; enum ethnic_group or -1. */
int normalise_ethnicity(const char *s, size_t len);

/* The i-th built-in code of normalise_sex (ethnicity 0) or of
 * normalise_ethnicity (1): its text into *text and its value returned, or
 * -1 past the last. For working out which codes a source can give. */
int normalise_builtin_code(int ethnicity, size_t i, const char **text);

#endif
