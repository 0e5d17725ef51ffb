#include "generalise.h"

#include "../core/calendar.h"
#include "../core/label.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Index of name in the table (names[0] is UNKNOWN), added when new; an
 * empty name is UNKNOWN. ix holds the names after UNKNOWN: name k of ix
 * is names[k + 1]. The loader has refused every name that label_check()
 * faults, so no name can merge with UNKNOWN or Total. */
static int
intern(struct hash_table *ix, char ***names, size_t *n, size_t *alloc,
       const char *name, uint32_t *out)
{
    size_t k;
    int rc;

    if (!*name) {
        *out = GEO_UNKNOWN;
        return 0;
    }
    /* room first: a new name's index and its place must agree */
    if (*n == *alloc) {
        size_t na = *alloc ? *alloc * 2 : 64;
        char **p = realloc(*names, na * sizeof(*p));

        if (!p)
            return CE_NOMEM;
        *names = p;
        *alloc = na;
    }
    if ((rc = hash_table_intern(ix, name, strlen(name), &k)) < 0)
        return CE_NOMEM;
    if (rc == 1 && !((*names)[(*n)++] = strdup(name))) {
        (*n)--;
        return CE_NOMEM;
    }
    *out = (uint32_t)k + 1;
    return 0;
}

static int
init_names(struct geo_lookup *gl)
{
    gl->names.ward = calloc(1, sizeof(char *));
    gl->names.lsoa = calloc(1, sizeof(char *));
    gl->names.district = calloc(1, sizeof(char *));
    if (!gl->names.ward || !gl->names.lsoa || !gl->names.district)
        return CE_NOMEM;
    gl->ward_alloc = gl->lsoa_alloc = gl->district_alloc = 1;
    if (!(gl->names.ward[0] = strdup("UNKNOWN")) ||
        !(gl->names.lsoa[0] = strdup("UNKNOWN")) ||
        !(gl->names.district[0] = strdup("UNKNOWN")))
        return CE_NOMEM;
    gl->names.nward = gl->names.nlsoa = gl->names.ndistrict = 1;
    return 0;
}

/* Normalises a lookup postcode in place into out ("EC1V 9HX"); 0 or -1. */
static int
norm_postcode(const char *s, char out[9])
{
    char buf[16];
    size_t n = 0, in;

    for (; *s; s++) {
        if (*s == ' ')
            continue;
        if (!isalnum((unsigned char)*s) || n >= 7)
            return -1;
        buf[n++] = (char)toupper((unsigned char)*s);
    }
    if (n < 5)
        return -1;
    in = n - 3;
    memcpy(out, buf, in);
    out[in] = ' ';
    memcpy(out + in + 1, buf + in, 3);
    out[n + 1] = '\0';
    return 0;
}

/* The geography of the lookup's postcode pc (normalised), the last row
 * naming it winning. */
static int
add_postcode(struct geo_lookup *gl, const char *pc, const struct geo_code *g)
{
    size_t i;

    if (gl->postcodes.n == gl->codes_alloc) {
        size_t na = gl->codes_alloc ? gl->codes_alloc * 2 : 4096;
        struct geo_code *c = realloc(gl->codes, na * sizeof(*c));

        if (!c)
            return CE_NOMEM;
        gl->codes = c;
        gl->codes_alloc = na;
    }
    if (hash_table_intern(&gl->postcodes, pc, strlen(pc), &i) < 0)
        return CE_NOMEM;
    gl->codes[i] = *g;
    gl->nentries = gl->postcodes.n;
    return 0;
}

/* Splits a simple CSV line (optional double quotes, no embedded newlines). */
static size_t
split_csv(char *line, char **fields, size_t max)
{
    size_t n = 0;
    char *p = line;

    while (n < max) {
        char *start, *w;

        while (*p == ' ')
            p++;
        if (*p == '"') {
            start = w = ++p;
            while (*p && !(*p == '"' && p[1] != '"')) {
                if (*p == '"')
                    p++;
                *w++ = *p++;
            }
            if (*p == '"')
                p++;
            while (*p && *p != ',')
                p++;
        } else {
            start = p;
            while (*p && *p != ',')
                p++;
            w = p;
        }
        while (w > start && (w[-1] == ' ' || w[-1] == '\r' || w[-1] == '\n'))
            w--;
        fields[n++] = start;
        if (!*p) {
            *w = '\0';
            break;
        }
        p++;
        *w = '\0';
    }
    return n;
}

/*
 * Refuses a ward or LSOA name that must not become a published category
 * (label.h): the diagnostic names the file, line, column and rule, never
 * the name. 0 or CE_CONFIG.
 */
static int
check_label(const char *path, long lineno, int col, const char *what,
            const char *label, struct diag *d)
{
    enum label_fault f = label_check(label);

    if (f == LABEL_OK)
        return 0;
    diag_set(d, path, lineno, (long)col + 1, label_fault_rule(f),
             "%s name %s", what, label_fault_text(f));
    return CE_CONFIG;
}

int
geo_lookup_load(struct geo_lookup *gl, const char *path, struct diag *d)
{
    FILE *f;
    char *line = NULL, *fields[32];
    size_t alloc = 0, nf, i;
    ssize_t len;
    long lineno = 0;
    int col_pc = -1, col_ward = -1, col_lsoa = -1, rc = 0;
    /* the ward, LSOA and district names while the lookup is read */
    struct hash_table names_ix[3];

    memset(gl, 0, sizeof(*gl));
    hash_table_init(&gl->postcodes);
    for (i = 0; i < 3; i++)
        hash_table_init(&names_ix[i]);
    if ((rc = init_names(gl)) < 0) {
        diag_set(d, path, 0, 0, NULL, "out of memory");
        geo_lookup_release(gl);
        return rc;
    }
    f = fopen(path, "r");
    if (!f) {
        int e = errno;

        diag_set(d, path, 0, 0, "lookup", "cannot read the lookup table: %s",
                 strerror(e));
        for (i = 0; i < 3; i++)
            hash_table_release(&names_ix[i]);
        geo_lookup_release(gl);
        return e == ENOMEM ? CE_NOMEM : CE_CONFIG;
    }
    while ((len = getline(&line, &alloc, f)) >= 0) {
        lineno++;
        if (lineno == 1 && len >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3))
            memmove(line, line + 3, (size_t)len - 2);
        nf = split_csv(line, fields, 32);
        if (lineno == 1) {
            for (i = 0; i < nf; i++) {
                if (!strcasecmp(fields[i], "postcode") ||
                    !strcasecmp(fields[i], "pcds"))
                    col_pc = (int)i;
                else if (!strcasecmp(fields[i], "ward"))
                    col_ward = (int)i;
                else if (!strcasecmp(fields[i], "lsoa"))
                    col_lsoa = (int)i;
            }
            if (col_pc < 0 || col_ward < 0 || col_lsoa < 0) {
                diag_set(d, path, 1, 0, "lookup",
                         "the lookup header needs the columns postcode, "
                         "ward and lsoa");
                rc = CE_CONFIG;
                break;
            }
            continue;
        }
        if (nf == 1 && !*fields[0])
            continue; /* blank line */
        if ((int)nf <= col_pc || (int)nf <= col_ward || (int)nf <= col_lsoa) {
            diag_set(d, path, lineno, 0, "lookup", "too few columns");
            rc = CE_CONFIG;
            break;
        }
        {
            struct geo_code e;
            char postcode[9], district[9];

            memset(&e, 0, sizeof(e));
            if (norm_postcode(fields[col_pc], postcode) < 0) {
                diag_set(d, path, lineno, (long)col_pc + 1, "lookup",
                         "not a postcode");
                rc = CE_CONFIG;
                break;
            }
            if ((rc = check_label(path, lineno, col_ward, "ward",
                                  fields[col_ward], d)) < 0 ||
                (rc = check_label(path, lineno, col_lsoa, "LSOA",
                                  fields[col_lsoa], d)) < 0)
                break;
            /* the district is the outward code of a postcode of the
             * lookup, so districts too are the lookup's and no one's own */
            memcpy(district, postcode, sizeof(district));
            district[strcspn(district, " ")] = '\0';
            if ((rc = intern(&names_ix[0], &gl->names.ward, &gl->names.nward,
                             &gl->ward_alloc, fields[col_ward], &e.ward)) < 0 ||
                (rc = intern(&names_ix[1], &gl->names.lsoa, &gl->names.nlsoa,
                             &gl->lsoa_alloc, fields[col_lsoa], &e.lsoa)) < 0 ||
                (rc = intern(&names_ix[2], &gl->names.district,
                             &gl->names.ndistrict, &gl->district_alloc,
                             district, &e.district)) < 0 ||
                (rc = add_postcode(gl, postcode, &e)) < 0)
                break;
        }
    }
    /* getline's -1 is the end or an error; out of memory sets no error
     * flag, and a table cut short must not pass for a complete one */
    if (!rc && !feof(f)) {
        rc = errno == ENOMEM ? CE_NOMEM : CE_IO;
        if (rc == CE_IO)
            diag_set(d, path, lineno, 0, "lookup", "read error");
    }
    if (!rc && lineno == 0) {
        diag_set(d, path, 1, 0, "lookup", "the lookup table is empty");
        rc = CE_CONFIG;
    }
    if (rc == CE_NOMEM)
        diag_set(d, path, lineno, 0, NULL, "out of memory");
    free(line);
    fclose(f);
    for (i = 0; i < 3; i++)
        hash_table_release(&names_ix[i]);
    if (rc < 0)
        geo_lookup_release(gl);
    return rc;
}

int
geo_lookup_find(const struct geo_lookup *gl, const char *postcode,
                struct geo_code *geo)
{
    size_t i;

    geo->ward = geo->lsoa = geo->district = GEO_UNKNOWN;
    if (!postcode || !postcode[0] ||
        !hash_table_find(&gl->postcodes, postcode, strlen(postcode), &i))
        return 0;
    *geo = gl->codes[i];
    return 1;
}

static void
free_names(char **names, size_t n)
{
    size_t i;

    if (!names)
        return;
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

void
geo_lookup_release(struct geo_lookup *gl)
{
    hash_table_release(&gl->postcodes);
    free(gl->codes);
    free_names(gl->names.ward, gl->names.nward);
    free_names(gl->names.lsoa, gl->names.nlsoa);
    free_names(gl->names.district, gl->names.ndistrict);
    memset(gl, 0, sizeof(*gl));
}

void
birth_from_dob(int32_t dob, int32_t reference, struct birth *b)
{
    int y, m, d, ry, rm, rd;

    memset(b, 0, sizeof(*b));
    if (dob == DAY_NONE)
        return;
    civil_from_days(dob, &y, &m, &d);
    civil_from_days(reference, &ry, &rm, &rd);
    b->year = (int16_t)y;
    b->month = (uint8_t)m;
    b->by_ref_day = d <= rd;
}

int
birth_age_at(const struct birth *b, int32_t period_end, int32_t reference)
{
    int y, m, d, age;

    if (!b->year)
        return -1;
    civil_from_days(period_end, &y, &m, &d);
    age = y - b->year;
    if (m < b->month)
        age--;
    else if (m == b->month && period_end == reference &&
             d != days_in_month(y, m) && !b->by_ref_day)
        age--; /* the reference month, birthday still to come */
    return age < 0 ? -1 : age;
}

uint8_t
age_band_of(const struct job_plan *plan, int age)
{
    size_t i;

    if (age < 0)
        return AGE_BAND_UNKNOWN;
    for (i = 0; i < plan->nage_bands; i++)
        if (age >= plan->age_bands[i].lo &&
            (plan->age_bands[i].hi < 0 || age <= plan->age_bands[i].hi))
            return (uint8_t)i;
    return AGE_BAND_UNKNOWN;
}
