/*
 * validate.h - identifier checks (see the README's references): each takes
 * the trimmed raw value, writes the canonical form and returns 0, or -1
 * with out zeroed when the value is not a valid identifier. An invalid
 * identifier is dropped from its record and never forms a match key.
 */
#ifndef COHORT_VALIDATE_H
#define COHORT_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

/* 10 digits (spaces or hyphens between 3-3-4 groups allowed), mod 11 with
 * weights 10..2; a check value of 10 is invalid; one repeated digit is too. */
int validate_nhs_number(const char *s, size_t len, char out[11]);

/* 13 characters: check letter, then 11 digits and a digit or letter
 * (temporary UPN); sum of value x position over 2..13, mod 23, into
 * ABCDEFGHJKLMNPQRTUVWXYZ. */
int validate_upn(const char *s, size_t len, char out[14]);

/* How far after the reference date a start date may be (a case opened
 * with a date a few weeks ahead) before it is a typing slip (2030 for
 * 2023): such a row is quarantined as future_start_date. */
#define DATE_FUTURE_TOLERANCE_DAYS 31

/* 1 when day is more than DATE_FUTURE_TOLERANCE_DAYS after reference. */
int date_beyond_tolerance(int32_t day, int32_t reference);

/* The length of a date cell s without the time of day a spreadsheet
 * writes after it when it holds the cell as a date and time: a space and
 * "H:MM", "HH:MM:SS" or with a fraction ("14/02/2013 00:00:00" -> 10);
 * len when there is none. The time says nothing of the day. */
size_t date_without_time_of_day(const char *s, size_t len);

/* The length of s without the ".0" (or ".00...") a spreadsheet adds to a
 * whole number it holds as a number ("566910.0" -> 6); len when s is not
 * digits, a point and zeros only. */
size_t excel_integer_length(const char *s, size_t len);

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
