/*
 * contact.h - the comparison-only fields councils hold (issue 15, item 4):
 * the address lines, an e-mail address, a phone number and the town, each
 * put into one canonical form so that two systems' spellings of the same
 * value compare equal as keyed hashes (anonymise/comparison.h). They are
 * identifiers: they exist only inside the row being mapped, are never in a
 * match key, never written, and are wiped with the row
 * (record_wipe_identifiers()).
 *
 * Pure functions, no allocation, like normalise.h; each returns the length
 * written, or -1 when nothing usable is left or out is too small (out is
 * then ""). out is always NUL-terminated when outsz > 0.
 */
#ifndef COHORT_CONTACT_H
#define COHORT_CONTACT_H

#include <stddef.h>

/*
 * Address lines: folded as names are (normalise_name(): lower case, marks
 * dropped, punctuation to spaces, spaces collapsed), then each street word
 * in its short form (road -> rd, street -> st, avenue -> ave, lane -> ln,
 * drive -> dr, close -> cl, court -> ct, crescent -> cres, place -> pl,
 * terrace -> ter, gardens -> gdns, square -> sq, flat / apartment -> flat),
 * so "12, Acacia Road" and "12 ACACIA RD" are one value.
 */
int normalise_address(const char *in, size_t len, char *out, size_t outsz);

/*
 * E-mail: surrounding spaces and a "mailto:" dropped, lower case; needs
 * exactly one '@' with something before it and a dot in the domain after
 * it, and no space, control byte or quote inside.
 */
int normalise_email(const char *in, size_t len, char *out, size_t outsz);

/*
 * Phone: the digits, a UK number in its national form (+44 20 7946 0018,
 * 0044 20..., (020) 7946-0018 -> 02079460018), another country's as "+"
 * and its digits; an extension after the number (x12, ext 12) dropped.
 * Needs 7 to 15 digits.
 */
int normalise_phone(const char *in, size_t len, char *out, size_t outsz);

/*
 * A postcode that is not a UK one (postcode_country = any): its ASCII
 * letters (upper case) and digits run together, 2 to 8 of them ("75008",
 * "d02 x285" -> "D02X285", "10115"); no space, so that it is compared as
 * a unit alone and never meets a UK postcode ("EC1V 9HX" has one).
 */
int normalise_postcode_token(const char *in, size_t len, char *out,
                             size_t outsz);

/* Town: folded as names are (normalise_name()); "St Albans" and
 * "st. albans" are one value. */
int normalise_town(const char *in, size_t len, char *out, size_t outsz);

#endif
