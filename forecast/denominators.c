/*
 * denominators.c - the population table read (denominators.h).
 */
#include "denominators.h"

#include "../core/strnum.h"

#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_FIELDS 64
#define MAX_LINE 65536

static const char *const column_names[DEN_NCOLS] = {"age", "sex", "ward",
                                                    "lsoa", "district"};

int
denominator_column_of(const char *by_name)
{
    int c;

    if (!strcmp(by_name, "age_band"))
        return DEN_AGE;
    for (c = DEN_SEX; c < DEN_NCOLS; c++)
        if (!strcmp(by_name, column_names[c]))
            return c;
    return -1;
}

void
denominators_release(struct denominators *dn)
{
    free(dn->rows);
    hash_table_release(&dn->labels);
    memset(dn, 0, sizeof(*dn));
}

/* Splits line (modified in place) into at most MAX_FIELDS fields: commas,
 * double quotes around a field, "" for a quote inside one, surrounding
 * spaces trimmed. Returns the number of fields. */
static int
split_fields(char *line, char **f)
{
    int n = 0;
    char *r = line, *w;

    while (n < MAX_FIELDS) {
        while (*r == ' ' || *r == '\t')
            r++;
        f[n++] = w = r;
        if (*r == '"') {
            for (r++; *r && !(*r == '"' && r[1] != '"'); r++)
                *w++ = *r == '"' ? *++r : *r;
            if (*r == '"')
                r++;
        }
        while (*r && *r != ',')
            *w++ = *r++;
        while (w > f[n - 1] && (w[-1] == ' ' || w[-1] == '\t'))
            w--;
        if (*r != ',') {
            *w = '\0';
            break;
        }
        *w = '\0';
        r++;
    }
    return n;
}

/* Which column of the file each of ours is in (-1: absent). */
struct layout {
    int year, population, col[DEN_NCOLS];
};

static int
read_header(struct denominators *dn, char *line, struct layout *lo,
            const char *path, struct diag *d)
{
    char *f[MAX_FIELDS];
    int n = split_fields(line, f), i, c;

    lo->year = lo->population = -1;
    for (c = 0; c < DEN_NCOLS; c++)
        lo->col[c] = -1;
    for (i = 0; i < n; i++) {
        int *slot = NULL;

        if (!strcasecmp(f[i], "year"))
            slot = &lo->year;
        else if (!strcasecmp(f[i], "population"))
            slot = &lo->population;
        else if (!strcasecmp(f[i], "age_band"))
            slot = &lo->col[DEN_AGE];
        for (c = 0; c < DEN_NCOLS && !slot; c++)
            if (!strcasecmp(f[i], column_names[c])) {
                slot = &lo->col[c];
                dn->age_single |= c == DEN_AGE;
            }
        if (!slot)
            continue;
        if (*slot >= 0) {
            diag_set(d, path, 1, i + 1, "duplicate_column",
                     "a column is named twice (or both age and age_band)");
            return CE_CONFIG;
        }
        *slot = i;
    }
    if (lo->year < 0 || lo->population < 0) {
        diag_set(d, path, 1, 0, "missing_column",
                 "the header needs the columns year and population");
        return CE_CONFIG;
    }
    for (c = 0; c < DEN_NCOLS; c++)
        dn->has[c] = lo->col[c] >= 0;
    return 0;
}

/* A population: digits with at most one '.', not negative. */
static int
parse_population(const char *s, double *out)
{
    const char *p = s;
    int digits = 0, dots = 0;

    for (; *p; p++) {
        if (isdigit((unsigned char)*p))
            digits++;
        else if (*p == '.' && !dots)
            dots++;
        else
            return -1;
    }
    if (!digits)
        return -1;
    *out = strtod(s, NULL);
    return 0;
}

/* "M"/"F" from the spellings population tables use; 0 otherwise. */
static char
sex_code(const char *s)
{
    if (!strcasecmp(s, "m") || !strcmp(s, "1") || !strcasecmp(s, "male"))
        return 'M';
    if (!strcasecmp(s, "f") || !strcmp(s, "2") || !strcasecmp(s, "female"))
        return 'F';
    return 0;
}

/* One label column of a row into r->label[c]. */
static int
row_label(struct denominators *dn, int c, const char *v,
          struct denominator_row *r, const char **rule)
{
    char code[2];
    size_t idx;
    int64_t age;

    if (c == DEN_SEX) {
        if (!(code[0] = sex_code(v))) {
            *rule = "sex_unknown";
            return CE_CONFIG;
        }
        code[1] = '\0';
        v = code;
    } else if (c == DEN_AGE && dn->age_single) {
        size_t len = strlen(v);

        if (len && v[len - 1] == '+')
            len--;
        if (parse_int64(v, len, 0, 150, &age) < 0) {
            *rule = "age_not_whole_number";
            return CE_CONFIG;
        }
        r->age = (int16_t)age;
        return 0;
    }
    if (!*v) {
        *rule = "empty_label";
        return CE_CONFIG;
    }
    if (hash_table_intern(&dn->labels, v, strlen(v), &idx) < 0)
        return CE_NOMEM;
    r->label[c] = (uint32_t)idx;
    return 0;
}

/* One data row (line lineno) into dn. */
static int
read_row(struct denominators *dn, char *line, long lineno,
         const struct layout *lo, const char *path, struct diag *d)
{
    char *f[MAX_FIELDS];
    int n = split_fields(line, f), c, rc, col = 0;
    struct denominator_row r;
    const char *rule = NULL;
    int64_t year;

    memset(&r, 0, sizeof(r));
    r.age = -1;
    if (parse_int64_str(lo->year < n ? f[lo->year] : "", 1900, 2200, &year) < 0) {
        rule = "year_not_whole_number";
        col = lo->year + 1;
    } else if (parse_population(lo->population < n ? f[lo->population] : "",
                                &r.population) < 0) {
        rule = "population_not_number";
        col = lo->population + 1;
    }
    for (c = 0; c < DEN_NCOLS && !rule; c++)
        if (lo->col[c] >= 0 &&
            (rc = row_label(dn, c, lo->col[c] < n ? f[lo->col[c]] : "", &r,
                            &rule)) < 0) {
            if (rc == CE_NOMEM)
                return rc;
            col = lo->col[c] + 1;
        }
    if (rule) {
        diag_set(d, path, lineno, col, rule, "bad population row");
        return CE_CONFIG;
    }
    if (dn->nrows >= DENOMINATORS_MAX_ROWS) {
        diag_set(d, path, lineno, 0, "too_many_rows", "more than %d rows",
                 DENOMINATORS_MAX_ROWS);
        return CE_CONFIG;
    }
    if (!(dn->nrows & (dn->nrows + 1)) || !dn->rows) {
        void *p = realloc(dn->rows, (2 * dn->nrows + 2) * sizeof(r));

        if (!p)
            return CE_NOMEM;
        dn->rows = p;
    }
    r.year = (int16_t)year;
    dn->rows[dn->nrows++] = r;
    if (dn->nrows == 1 || year < dn->year_first)
        dn->year_first = (int)year;
    if (dn->nrows == 1 || year > dn->year_last)
        dn->year_last = (int)year;
    return 0;
}

int
denominators_load(struct denominators *dn, const char *path, struct diag *d)
{
    FILE *f = fopen(path, "r");
    crypto_generichash_state st;
    unsigned char h[32];
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    struct layout lo;
    int rc = 0;

    memset(dn, 0, sizeof(*dn));
    hash_table_init(&dn->labels);
    if (!f) {
        diag_set(d, path, 0, 0, NULL, "cannot read the denominators: %s",
                 strerror(errno));
        return CE_CONFIG;
    }
    crypto_generichash_init(&st, NULL, 0, sizeof(h));
    while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        crypto_generichash_update(&st, (const unsigned char *)line, (size_t)len);
        if (len > MAX_LINE) {
            diag_set(d, path, lineno, 0, "line_too_long", "line too long");
            rc = CE_CONFIG;
            break;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (lineno == 1)
            rc = read_header(dn, line, &lo, path, d);
        else if (len)
            rc = read_row(dn, line, lineno, &lo, path, d);
    }
    if (rc == 0 && ferror(f)) {
        diag_set(d, path, lineno, 0, NULL, "read error");
        rc = CE_CONFIG;
    }
    if (rc == 0 && !dn->nrows) {
        diag_set(d, path, lineno, 0, "empty_table", "no population rows");
        rc = CE_CONFIG;
    }
    if (rc == CE_NOMEM)
        diag_set(d, path, lineno, 0, NULL, "out of memory");
    crypto_generichash_final(&st, h, sizeof(h));
    sodium_bin2hex(dn->blake2b_hex, sizeof(dn->blake2b_hex), h, sizeof(h));
    free(line);
    fclose(f);
    if (rc < 0)
        denominators_release(dn);
    return rc;
}
