/*
 * validate.h - identifier checks (see the README's references): each takes
 * the trimmed raw value, writes the canonical form and returns 0, or -1
 * with out zeroed when the value is not a valid identifier. An invalid
 * identifier is dropped from its record and never forms a match key.
 */
#ifndef COHORT_VALIDATE_H
#define COHORT_VALIDATE_H

#include <stddef.h>

/* 10 digits (spaces or hyphens between 3-3-4 groups allowed), mod 11 with
 * weights 10..2; a check value of 10 is invalid; one repeated digit is too. */
int validate_nhs_number(const char *s, size_t len, char out[11]);

/* 13 characters: check letter, then 11 digits and a digit or letter
 * (temporary UPN); sum of value x position over 2..13, mod 23, into
 * ABCDEFGHJKLMNPQRTUVWXYZ. */
int validate_upn(const char *s, size_t len, char out[14]);

/* 1 when s is one of the DfE returns' codes for a UPN not known (UN1 to
 * UN10: SSDA903, CIN census), which says "no UPN" as a blank would: not
 * a UPN, and not a UPN lost. */
int upn_unknown_code(const char *s, size_t len);

/* 10 digits: (sum of d_i x (11 - i), i = 1..9) mod 11 = r, r != 0,
 * check digit 10 - r. */
int validate_uln(const char *s, size_t len, char out[11]);

/* Two letters, six digits, suffix A-D (spaces allowed); D F I Q U V never
 * in the prefix, O never second, BG GB KN NK NT TN ZZ not allocated. */
int validate_ni_number(const char *s, size_t len, char out[10]);

/* 1 to 12 digits, not all zero; leading zeros dropped. */
int validate_uprn(const char *s, size_t len, char out[13]);

#endif
