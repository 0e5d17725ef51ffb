/*
 * normalise.h - pure functions that put one source value into canonical
 * form: names, dates, postcodes, sex and ethnicity codes. No allocation, no
 * globals; each is covered by a table-driven test (tests/unit/test_transform.c,
 * and tests/unit/test_names.c for the naming conventions).
 */
#ifndef COHORT_NORMALISE_H
#define COHORT_NORMALISE_H

#include <stddef.h>
#include <stdint.h>

#include "../core/schema.h"

/*
 * Name: UTF-8 in; lower-case ASCII out, folded the same way for every
 * name, whatever its convention: the marks of Latin letters dropped as
 * Unicode decomposition (NFKD) drops them (é -> e, Siân -> sian, Zoë -> zoe,
 * Nguyễn -> nguyen, ș/ş -> s, ț/ţ -> t, Ǎ -> a), the letters it does not
 * decompose written as they are without the mark (Ł -> l, Đ -> d, ı -> i,
 * Ø -> o, ơ -> o, ư -> u, ɓ -> b, ə -> a), ß and ẞ -> ss, æ -> ae, œ -> oe,
 * ligatures and fullwidth letters as their ASCII; hyphens, dots and other
 * punctuation turned into spaces; an apostrophe (' ’ ‘ ` ʼ ʻ ʿ ´) a space
 * after a one-letter word, so that an elided particle stands apart
 * (O'Brien -> o brien, D'Souza -> d souza, A'isha -> a isha), and nothing
 * inside a word (Sa'id -> said); combining marks, soft hyphens and
 * zero-width characters dropped; runs of spaces collapsed, leading
 * titles (mr mrs miss ms mx dr) dropped; word order kept. A letter of
 * another script (Greek, Cyrillic, Arabic, Han ...) is kept as written.
 * Returns the length written, or -1 when nothing is left, out is too
 * small or the input is not valid UTF-8. out is NUL-terminated.
 */
int normalise_name(const char *in, size_t len, char *out, size_t outsz);

/*
 * A normalised name's words run together: "anne marie" -> "annemarie",
 * "o brien" -> "obrien", so that a name written with a space, a hyphen or
 * an apostrophe, or without, compares equal. The match keys' forename
 * component (anonymise/pseudonym.c). Returns the length, or -1 when
 * nothing is left or out is too small (out is then "").
 */
int normalise_name_compact(const char *name, char *out, size_t outsz);

/*
 * A normalised surname run together, with the Gaelic particles in one
 * spelling: Mc, Mac, Nic and Mhic as "mac", Ó, Ní, Uí and Ua as "o", and
 * the lenition Ní, Uí and Mhic (and Nic, but not of c or g) cause undone
 * ("ni bhriain" -> "obriain", as "o briain"; "mc donald" and "mcdonald"
 * -> "macdonald"); every other word as written ("al hassan" ->
 * "alhassan"). The match keys' surname and Soundex components. Returns
 * the length, or -1 (out "") when nothing is left or out is too small.
 */
int normalise_surname_joined(const char *name, char *out, size_t outsz);

#define SURNAME_PARTS_MAX 4

/*
 * The extra forms of one surname that comparisons may hash, so that a
 * particle dropped or one part of a double surname written alone can
 * agree. Every string is a normalised, run-together form; "" when the
 * surname has no such form.
 */
struct surname_parts {
    /* normalise_surname_joined(): Al-Hassan, Al Hassan and Alhassan all
     * "alhassan"; Mc Donald and MacDonald "macdonald" */
    char joined[NAME_MAX_BYTES];
    /* without its particles: Al-Hassan -> "hassan", van der Meer ->
     * "meer", O'Brien -> "brien", Ní Bhriain -> "briain", McDonald ->
     * "donald", da Silva Santos -> "silvasantos"; "" when it has none */
    char bare[NAME_MAX_BYTES];
    /* a double (or triple, quadruple) surname's parts, particles dropped,
     * in the order written: Garcia Lopez and Smith-Jones -> 2 parts,
     * da Silva Santos -> "silva", "santos"; nparts is 0 for a surname of
     * one part (with its particles) or of more than SURNAME_PARTS_MAX */
    unsigned nparts;
    char part[SURNAME_PARTS_MAX][NAME_MAX_BYTES];
};

/*
 * Fills out from name, a normalise_name() result. A particle is a listed
 * word before another word -- al el abu bin bint binti ibn ben ul (Arabic),
 * ap ab (Welsh), mac mc o ni nic ui ua mhic (Gaelic), da das de del della
 * dei der den des di do dos du la le lo van von ten ter y, and the d and
 * l and o an apostrophe parted (D'Souza, L'Estrange, O'Neill) -- so a
 * surname that is only "Le" or "Van" keeps it. An attached Mac is never
 * taken for a particle (Mackie, Macey), an attached Mc always is. The
 * copies in out are plaintext identifiers: the caller wipes out
 * (sodium_memzero) once it has hashed them, as it wipes the record.
 * 0, or -1 (out zeroed) when nothing is left or a form does not fit.
 *
 * Not yet used by the linker: the comparison levels that agree on bare,
 * joined or a part (anonymise/comparison.c, match.c) are a later change;
 * the match keys use normalise_surname_joined() today.
 */
int normalise_surname_parts(const char *name, struct surname_parts *out);

enum date_fault {
    DATE_OK,
    DATE_EMPTY,
    DATE_SYNTAX,
    DATE_IMPOSSIBLE,     /* 31/02, month 13 */
    DATE_BEFORE_1900     /* a valid date before 1900: *out holds it (a
                            job's min_dob may reach further back) */
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

/* The i-th built-in code of normalise_sex (ethnicity 0) or of
 * normalise_ethnicity (1): its text into *text and its value returned, or
 * -1 past the last. For working out which codes a source can give. */
int normalise_builtin_code(int ethnicity, size_t i, const char **text);

#endif
