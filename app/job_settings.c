/*
 * job_settings.c - the [job] keys as a table, and the drift guard's
 * [source] key.
 */
#include "job_settings.h"
#include "../core/calendar.h"
#include "../core/strnum.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static int
set_reference_date(const struct setting *s, void *obj, const char *value,
                   struct setting_ctx *ctx)
{
    struct job_plan *pl = obj;

    if (!strcmp(value, "today")) {
        pl->reference_is_today = 1;
        pl->reference_date = today_days();
        return 0;
    }
    pl->reference_is_today = 0;
    if (parse_iso_date(value, &pl->reference_date) < 0)
        return setting_bad_value(ctx, NULL, s->expect);
    return 0;
}

/* Appends the band lo..hi (hi -1: open) to the plan's bands. */
static int
add_band(struct job_plan *pl, int64_t lo, int64_t hi, int *expect_lo,
         struct setting_ctx *ctx)
{
    struct age_band *b;

    if (lo != *expect_lo)
        return setting_fail(ctx, "age_bands must start at 0 and leave no gap "
                                 "or overlap (a band should start at %d)",
                            *expect_lo);
    if (pl->nage_bands && pl->age_bands[pl->nage_bands - 1].hi < 0)
        return setting_fail(ctx, "age_bands: only the last band may be open "
                                 "(65+)");
    if (pl->nage_bands >= 64)
        return setting_fail(ctx, "age_bands: at most 64 bands");
    b = realloc(pl->age_bands, (pl->nage_bands + 1) * sizeof(*b));
    if (!b)
        return setting_nomem(ctx);
    pl->age_bands = b;
    b[pl->nage_bands].lo = (int)lo;
    b[pl->nage_bands].hi = (int)hi;
    pl->nage_bands++;
    *expect_lo = (int)hi + 1;
    return 0;
}

/* age_bands = 0-4, 5-10, 65+ */
static int
set_age_bands(const struct setting *s, void *obj, const char *value,
              struct setting_ctx *ctx)
{
    struct job_plan *pl = obj;
    const char *p = value;
    int expect_lo = 0, rc;

    free(pl->age_bands);
    pl->age_bands = NULL;
    pl->nage_bands = 0;
    while (*p) {
        int64_t lo, hi = -1;
        const char *q, *r;

        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        q = p;
        while (isdigit((unsigned char)*q))
            q++;
        if (q == p || parse_int64(p, (size_t)(q - p), 0, 150, &lo) < 0)
            return setting_bad_value(ctx, NULL, s->expect);
        if (*q == '+') {
            q++;
        } else if (*q == '-') {
            r = ++q;
            while (isdigit((unsigned char)*q))
                q++;
            if (q == r || parse_int64(r, (size_t)(q - r), 0, 150, &hi) < 0 ||
                hi < lo)
                return setting_bad_value(ctx, NULL, s->expect);
        } else {
            return setting_bad_value(ctx, NULL, s->expect);
        }
        while (*q == ' ')
            q++;
        if (*q && *q != ',')
            return setting_bad_value(ctx, NULL, s->expect);
        if ((rc = add_band(pl, lo, hi, &expect_lo, ctx)) < 0)
            return rc;
        p = q;
    }
    if (!pl->nage_bands)
        return setting_bad_value(ctx, NULL, s->expect);
    if (pl->age_bands[pl->nage_bands - 1].hi >= 0)
        return setting_fail(ctx, "age_bands: the last band must be open (for "
                                 "example 65+) so every age has a band");
    return 0;
}

#define AT(member) offsetof(struct job_plan, member)

const struct setting job_settings[] = {
    {.name = "name", .type = SETTING_STRING, .offset = AT(name),
     .check = setting_check_name, .expect = "lower-case letters, digits and _",
     .help = "the job's name"},
    {.name = "reference_date", .type = SETTING_CUSTOM,
     .offset = AT(reference_date), .check = set_reference_date,
     .expect = "today or a date YYYY-MM-DD", .boot = "today",
     .help = "the last period ends on it"},
    {.name = "periods", .type = SETTING_INT, .offset = AT(periods), .min = 1,
     .max = 120, .boot = "24",
     .help = "monthly periods ending at reference_date"},
    {.name = "key_file", .type = SETTING_STRING, .offset = AT(key_file),
     .help = "the key from cohort keygen (mode 0600)"},
    {.name = "output_dir", .type = SETTING_STRING, .offset = AT(output_dir),
     .help = "where runs are published"},
    {.name = "lookup", .type = SETTING_STRING, .offset = AT(lookup),
     .help = "CSV postcode -> ward, lsoa: the only source of geography"},
    {.name = "nicknames", .type = SETTING_STRING, .offset = AT(nicknames),
     .help = "CSV name,root for the forename_root component"},
    {.name = "name_variants", .type = SETTING_STRING,
     .offset = AT(name_variants),
     .help = "CSV name,root of spellings and language forms of one name, "
             "after nicknames"},
    {.name = "age_bands", .type = SETTING_CUSTOM, .offset = AT(age_bands),
     .check = set_age_bands, .expect = "bands like 0-4, 5-10, 65+",
     .boot = "0-4, 5-10, 11-15, 16-17, 18-24, 25-64, 65+",
     .help = "contiguous from 0, the last one open"},
    {.name = NULL},
};

const struct setting source_drift_settings[] = {
    {.name = "max_row_change", .type = SETTING_RATE,
     .offset = offsetof(struct source_plan, max_row_change_ppm),
     .boot = "20%", .expect = "a rate such as 20% or 0.2",
     .help = "rows in moving by more than this since the last published "
             "run fails the run"},
    {.name = NULL},
};

int
job_settings_finish(const struct job_plan *pl, int line,
                    struct setting_ctx *ctx)
{
    if (!pl->name)
        return setting_fail_at(ctx, line, "missing key 'name' in [job]");
    if (!pl->key_file)
        return setting_fail_at(ctx, line, "missing key 'key_file' in [job]");
    if (!pl->output_dir)
        return setting_fail_at(ctx, line, "missing key 'output_dir' in [job]");
    if (!pl->lookup)
        return setting_fail_at(ctx, line, "missing key 'lookup' in [job] "
                                          "(postcode to ward and LSOA table)");
    return 0;
}
