/*
 * label.h - what a category label may be before it is published, and the
 * one rule that keeps a published CSV cell from being read as a formula.
 *
 * Category labels that a config file brings in (the lookup's ward and LSOA
 * names) become cells of every cohort table, rows of the report and values
 * in PostgreSQL. So they are checked once, where the file is loaded:
 *
 *     enum label_fault f = label_check(name);
 *     if (f != LABEL_OK)
 *         diag_set(d, path, line, column, label_fault_rule(f),
 *                  "... %s", label_fault_text(f));   -- never the name
 *
 * A label is refused when it is
 *   reserved   Total (the margins' label) or UNKNOWN (what every unmatched
 *              or missing value is counted under), in any case and with
 *              spaces around it too: either would merge with, or pass
 *              for, the rows that already carry that name;
 *   not UTF-8  PostgreSQL refuses it (SQLSTATE 22021) on every run after;
 *   a formula  it starts with =, +, -, @, tab or carriage return, which a
 *              spreadsheet opening the CSV may run (OWASP CSV injection);
 *   a value    a spreadsheet opening the CSV would turn it into a number
 *              or a date (`007` loses its zeros, `5-10` becomes 10 May):
 *              label_reads_as_value().
 * The empty label is not a fault: it means "not known" and is counted as
 * UNKNOWN by the loader.
 *
 * Cells that are not checked this way (an analyst's own labels in
 * `cohort protect`) are still written safely: strbuf_add_csv() and
 * strbuf_add_csv_quoted() (strbuf.h) put a ' before any cell for which
 * label_starts_formula() holds.
 */
#ifndef COHORT_LABEL_H
#define COHORT_LABEL_H

#include <stddef.h>

enum label_fault {
    LABEL_OK = 0,
    LABEL_RESERVED,     /* Total or UNKNOWN, case-insensitively */
    LABEL_NOT_UTF8,     /* an invalid UTF-8 sequence */
    LABEL_FORMULA,      /* starts with = + - @ tab or CR */
    LABEL_VALUE,        /* a spreadsheet reads it as a number or a date */
};

/* The first fault of s (a NUL-terminated label), or LABEL_OK. */
enum label_fault label_check(const char *s);

/*
 * The fault's rule name for a diagnostic ("reserved_label",
 * "label_not_utf8", "label_formula", "label_number_or_date"); NULL for
 * LABEL_OK. Static storage.
 */
const char *label_fault_rule(enum label_fault f);

/*
 * The fault in words, for a diagnostic's message ("a reserved word
 * (Total or UNKNOWN)", ...); "" for LABEL_OK. Never quotes a label.
 */
const char *label_fault_text(enum label_fault f);

/*
 * 1 when s starts with a character a spreadsheet takes as the start of a
 * formula (=, +, -, @) or strips before looking for one (tab, carriage
 * return), else 0. The CSV writers' escaping and label_check() both ask
 * this, so the two can never disagree.
 */
int label_starts_formula(const char *s);

/*
 * 1 when a spreadsheet opening a CSV would store s as a value instead of
 * the text: a number (digits with a decimal point, thousands commas, an
 * exponent, a trailing %, a currency sign, or in parentheses: `007`,
 * `1E5`, `(3)`), TRUE or FALSE, or a date or time (numbers and English
 * month names joined by - / . : , or spaces: `5-10`, `2026-10`, `1/2`,
 * `10:30`, `Mar-20`, `1 May`). Quoting the cell does not stop it (Excel
 * converts quoted cells too), so such a label is refused where a job
 * brings it in, and the labels cohort makes never have this shape
 * (age_band_label()).
 */
int label_reads_as_value(const char *s);

/*
 * The published label of the age band lo..hi (hi < 0: open) into buf:
 * "0 to 4", "5 to 10", "65 and over" -- ONS's wording, which no
 * spreadsheet turns into a date, where "5-10" becomes 10 May. One
 * function, so that the CSV files, PostgreSQL and the report (which all
 * take the table's labels) say the same.
 */
void age_band_label(int lo, int hi, char *buf, size_t n);

/*
 * The length of the longest prefix of p[0 .. n) that is valid UTF-8 (no
 * overlong forms, surrogates or code points past U+10FFFF); n when all of
 * it is.
 */
size_t utf8_valid_prefix(const unsigned char *p, size_t n);

#endif
