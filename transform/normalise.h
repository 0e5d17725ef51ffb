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

/* Formats one date_format may list (date_format = %d/%m/%Y, %d-%b-%Y). */
#define DATE_FORMATS_MAX 8

/*
 * Like parse_date(), with the formats fmts[0 .. n) tried in order: the
 * first that reads the value as a real date gives it (then ISO and
 * yyyymmdd). When a later format reads it as another date too
 * ("03/04/2020" under %d/%m/%Y and %m/%d/%Y), *ambiguous (when not NULL)
 * is set to 1, else 0. With no format giving a date, the fault is the
 * most telling one: an impossible or pre-1900 date that a format could
 * read beats a syntax error.
 */
enum date_fault parse_date_formats(const char *s, size_t len,
                                   const char *const *fmts, size_t n,
                                   int pivot_year, int32_t *out,
                                   int *ambiguous);

/*
 * 0 when fmt (len bytes, not NUL-terminated) is a format parse_date()
 * reads: literal characters and the conversions above, with a day, a
 * month and a year among them; else -1.
 */
int date_format_valid(const char *fmt, size_t len);

/*
 * Splits a date_format value ("%d/%m/%Y, %d-%b-%Y") at its commas into
 * formats, each trimmed of spaces: starts[i] and lens[i] point into text.
 * Returns how many, or -1 when one is empty or there are more than max.
 */
int date_format_split(const char *text, const char **starts, size_t *lens,
                      size_t max);

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

#endif
