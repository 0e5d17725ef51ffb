#include "generalise.h"

#include "../core/calendar.h"
#include "../core/label.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct geo_entry {
    char postcode[9];    /* "" marks an empty slot */
    uint32_t ward;
    uint32_t lsoa;
    uint32_t district;
};

static uint64_t
hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;

    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ull;
    return h;
}

/* Index of name in the table (names[0] is UNKNOWN), added when new; an
 * empty name is UNKNOWN. The loader has refused every name that
 * label_check() faults, so no name can merge with UNKNOWN or Total. */
static int
intern(char ***names, size_t *n, size_t *alloc, const char *name,
       uint32_t *out)
{
    size_t i;

    if (!*name) {
        *out = GEO_UNKNOWN;
        return 0;
    }
    /* Name tables are small (wards, LSOAs, districts): a scan from the
     * end finds the common case, consecutive lookup rows, at once. */
    for (i = *n; i-- > 1;)
        if (!strcmp((*names)[i], name)) {
            *out = (uint32_t)i;
            return 0;
        }
    if (*n == *alloc) {
        size_t na = *alloc ? *alloc * 2 : 64;
        char **p = realloc(*names, na * sizeof(*p));

        if (!p)
            return CE_NOMEM;
        *names = p;
        *alloc = na;
    }
    if (!((*names)[*n] = strdup(name)))
        return CE_NOMEM;
    *out = (uint32_t)(*n)++;
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

static struct geo_entry *
slot_for(const struct geo_lookup *gl, const char *pc)
{
    size_t i = (size_t)hash_str(pc) & (gl->nslots - 1);

    while (gl->slots[i].postcode[0] && strcmp(gl->slots[i].postcode, pc))
        i = (i + 1) & (gl->nslots - 1);
    return &gl->slots[i];
}

static int
grow_slots(struct geo_lookup *gl)
{
    struct geo_entry *old = gl->slots;
    size_t oldn = gl->nslots, i;

    gl->nslots = oldn ? oldn * 2 : 4096;
    gl->slots = calloc(gl->nslots, sizeof(*gl->slots));
    if (!gl->slots) {
        gl->slots = old;
        gl->nslots = oldn;
        return CE_NOMEM;
    }
    for (i = 0; i < oldn; i++)
        if (old[i].postcode[0])
            *slot_for(gl, old[i].postcode) = old[i];
    free(old);
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

    memset(gl, 0, sizeof(*gl));
    if ((rc = init_names(gl)) < 0 || (rc = grow_slots(gl)) < 0) {
        diag_set(d, path, 0, 0, NULL, "out of memory");
        geo_lookup_release(gl);
        return rc;
    }
    f = fopen(path, "r");
    if (!f) {
        int e = errno;

        diag_set(d, path, 0, 0, "lookup", "cannot read the lookup table: %s",
                 strerror(e));
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
            struct geo_entry e, *slot;
            char district[sizeof(e.postcode)];

            memset(&e, 0, sizeof(e));
            if (norm_postcode(fields[col_pc], e.postcode) < 0) {
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
            memcpy(district, e.postcode, sizeof(district));
            district[strcspn(district, " ")] = '\0';
            if ((rc = intern(&gl->names.ward, &gl->names.nward,
                             &gl->ward_alloc, fields[col_ward], &e.ward)) < 0 ||
                (rc = intern(&gl->names.lsoa, &gl->names.nlsoa,
                             &gl->lsoa_alloc, fields[col_lsoa], &e.lsoa)) < 0 ||
                (rc = intern(&gl->names.district, &gl->names.ndistrict,
                             &gl->district_alloc, district, &e.district)) < 0)
                break;
            if ((gl->nentries + 1) * 2 > gl->nslots &&
                (rc = grow_slots(gl)) < 0)
                break;
            slot = slot_for(gl, e.postcode);
            if (!slot->postcode[0])
                gl->nentries++;
            *slot = e;
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
    if (rc < 0)
        geo_lookup_release(gl);
    return rc;
}

int
geo_lookup_find(const struct geo_lookup *gl, const char *postcode,
                struct geo_code *geo)
{
    const struct geo_entry *e;

    geo->ward = geo->lsoa = geo->district = GEO_UNKNOWN;
    if (!postcode || !postcode[0])
        return 0;
    e = slot_for(gl, postcode);
    if (!e->postcode[0])
        return 0;
    geo->ward = e->ward;
    geo->lsoa = e->lsoa;
    geo->district = e->district;
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
    free(gl->slots);
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
