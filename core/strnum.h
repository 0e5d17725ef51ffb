/*
 * strnum.h - the one checked number parser (atoi/atol/strtol are not used on
 * input anywhere else).
 */
#ifndef COHORT_STRNUM_H
#define COHORT_STRNUM_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parses exactly len bytes at s as an optionally signed decimal integer in
 * [min, max]. Leading/trailing spaces are not accepted; an empty string is
 * not a number. Returns 0 and sets *out, or -1 (out untouched).
 */
int parse_int64(const char *s, size_t len, int64_t min, int64_t max,
                int64_t *out);

/* As parse_int64 for a NUL-terminated string. */
int parse_int64_str(const char *s, int64_t min, int64_t max, int64_t *out);

/*
 * Parses a rate such as "5%", "0.5%" or "0.05" into parts per million
 * (5% -> 50000). Returns 0 or -1.
 */
int parse_rate_ppm(const char *s, uint32_t *out_ppm);

/* Parses yes/no/true/false/on/off/1/0 (case-insensitive). 0 or -1. */
int parse_bool(const char *s, int *out);

#endif
