/*
 * link_settings.c - `keys = nhs_number; upn; forename+surname+dob+postcode`
 * into match key plans, and the names of the components they are built
 * from.
 */
#include "link_settings.h"

#include "../core/calendar.h"
#include "../core/strnum.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const component_names[KC_COUNT - CF_COUNT] = {
    "initial", "sector", "district", "dob_year",
    "forename_root", "dob_unordered", "surname_phonetic"};

const char *
key_component_name(int kc)
{
    if (kc >= 0 && kc < CF_COUNT)
        return common_field_name((enum common_field)kc);
    if (kc >= CF_COUNT && kc < KC_COUNT)
        return component_names[kc - CF_COUNT];
    return "unknown";
}

static int
component_lookup(const char *name, size_t len)
{
    int k;

    for (k = 0; k < KC_COUNT; k++) {
        const char *n = key_component_name(k);

        if (strlen(n) == len && !strncmp(n, name, len))
            return k;
    }
    return -1;
}

/* Adds the components of one key, p[0..len), to mk (key number nkey). */
static int
parse_match_key(struct match_key_plan *mk, size_t nkey, const char *p,
                size_t len, struct setting_ctx *ctx)
{
    const char *q = p, *stop = p + len;
    char text[256];
    size_t tl = 0;

    while (q < stop) {
        const char *plus = memchr(q, '+', (size_t)(stop - q));
        const char *ce = plus ? plus : stop;
        const char *cs = q;
        int k;
        size_t i;

        while (cs < ce && isspace((unsigned char)*cs))
            cs++;
        while (ce > cs && isspace((unsigned char)ce[-1]))
            ce--;
        k = component_lookup(cs, (size_t)(ce - cs));
        if (k < 0 || (k < CF_COUNT && k > CF_SEX))
            return setting_fail(ctx, "unknown match key component in key %zu "
                                     "(use identifier fields, sex, initial, "
                                     "sector, district, dob_year, "
                                     "forename_root, dob_unordered, "
                                     "surname_phonetic)", nkey);
        for (i = 0; i < mk->ncomponents; i++)
            if (mk->components[i] == k)
                return setting_fail(ctx, "match key %zu names '%s' twice",
                                    nkey, key_component_name(k));
        if (mk->ncomponents >= MATCH_KEY_MAX_COMPONENTS)
            return setting_fail(ctx, "match key %zu has more than %d "
                                     "components", nkey,
                                MATCH_KEY_MAX_COMPONENTS);
        mk->components[mk->ncomponents++] = (uint8_t)k;
        tl += (size_t)snprintf(text + tl, sizeof(text) - tl, "%s%s",
                               tl ? "+" : "", key_component_name(k));
        if (tl >= sizeof(text))
            tl = sizeof(text) - 1;
        q = plus ? plus + 1 : stop;
    }
    if (!(mk->text = strdup(text)))
        return setting_nomem(ctx);
    return 0;
}

static void
clear_keys(struct linkage_plan *lp)
{
    size_t i;

    for (i = 0; i < lp->nkeys; i++)
        free(lp->keys[i].text);
    free(lp->keys);
    lp->keys = NULL;
    lp->nkeys = 0;
}

/* keys = KEY; KEY; ... (an indented line continues the list) */
static int
set_keys(const struct setting *s, void *obj, const char *value,
         struct setting_ctx *ctx)
{
    struct linkage_plan *lp = obj;
    const char *p = value;
    int rc;

    clear_keys(lp);
    while (*p) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        struct match_key_plan *mk;

        while (len && isspace((unsigned char)*p)) {
            p++;
            len--;
        }
        while (len && isspace((unsigned char)p[len - 1]))
            len--;
        if (len) {
            mk = realloc(lp->keys, (lp->nkeys + 1) * sizeof(*mk));
            if (!mk)
                return setting_nomem(ctx);
            lp->keys = mk;
            mk = &lp->keys[lp->nkeys++];
            memset(mk, 0, sizeof(*mk));
            if ((rc = parse_match_key(mk, lp->nkeys, p, len, ctx)) < 0)
                return rc;
            if (lp->nkeys > 32)
                return setting_fail(ctx, "at most 32 match keys");
        }
        p = end ? end + 1 : p + strlen(p);
    }
    if (!lp->nkeys)
        return setting_bad_value(ctx, NULL, s->expect);
    return 0;
}

/* match_threshold = 0.99: a match probability from 0.5 up to, not
 * including, 1 */
static int
set_threshold(const struct setting *s, void *obj, const char *value,
              struct setting_ctx *ctx)
{
    struct linkage_plan *lp = obj;
    char *end;
    double v;

    errno = 0;
    v = strtod(value, &end);
    if (end == value || *end || errno || !(v >= 0.5 && v < 1))
        return setting_bad_value(ctx, NULL, s->expect);
    lp->match_threshold = v;
    return 0;
}

/* dice_bands = 80, 65, 50: three whole percentages, descending */
static int
set_dice(const struct setting *s, void *obj, const char *value,
         struct setting_ctx *ctx)
{
    struct linkage_plan *lp = obj;
    const char *p = value;
    int64_t v[3];
    int k;

    for (k = 0; k < 3; k++) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);

        while (len && isspace((unsigned char)*p)) {
            p++;
            len--;
        }
        while (len && isspace((unsigned char)p[len - 1]))
            len--;
        if (parse_int64(p, len, 1, 100, &v[k]) < 0 || (k && v[k] >= v[k - 1]) ||
            (k < 2 && !comma) || (k == 2 && comma))
            return setting_bad_value(ctx, NULL, s->expect);
        p = comma ? comma + 1 : p + len;
    }
    for (k = 0; k < 3; k++)
        lp->dice[k] = (int)v[k];
    return 0;
}

/* min_dob = 1900-01-01: an ISO date */
static int
set_min_dob(const struct setting *s, void *obj, const char *value,
            struct setting_ctx *ctx)
{
    struct linkage_plan *lp = obj;

    if (parse_iso_date(value, &lp->min_dob) < 0)
        return setting_bad_value(ctx, NULL, s->expect);
    lp->min_dob_set = 1;
    return 0;
}

#define AT(f) offsetof(struct linkage_plan, f)

const struct setting linkage_settings[] = {
    {.name = "keys", .type = SETTING_CUSTOM,
     .offset = offsetof(struct linkage_plan, keys), .check = set_keys,
     .joiner = ";", .expect = "match keys separated by ';'",
     .boot = "nhs_number; upn; forename+surname+dob+postcode; "
             "initial+surname+dob+district",
     .help = "match keys, strictest first; components joined by '+'"},
    {.name = "probabilistic", .type = SETTING_BOOL, .offset = AT(probabilistic),
     .boot = "yes",
     .help = "after the keys, link what they miss by Fellegi-Sunter scoring "
             "of keyed comparison records"},
    {.name = "match_threshold", .type = SETTING_CUSTOM,
     .offset = AT(match_threshold), .check = set_threshold, .boot = "0.99",
     .expect = "a match probability from 0.5 up to 1 (not 1), e.g. 0.99",
     .help = "the match probability a pair needs to be linked"},
    {.name = "block_cap", .type = SETTING_INT, .offset = AT(block_cap),
     .boot = "200", .min = 2, .max = 100000,
     .help = "records per block; a larger block is not compared under "
             "that rule, and counted"},
    {.name = "max_cluster", .type = SETTING_INT, .offset = AT(max_cluster),
     .boot = "20", .min = 2, .max = 1000,
     .help = "persons of the keys one probabilistic person may join"},
    {.name = "dice_bands", .type = SETTING_CUSTOM, .offset = AT(dice),
     .check = set_dice, .boot = "80, 65, 50",
     .expect = "three whole percentages from 1 to 100, descending, "
               "e.g. 80, 65, 50",
     .help = "Dice coefficients of the name Bloom filters that make the "
             "similarity levels"},
    {.name = "min_dob", .type = SETTING_CUSTOM, .offset = AT(min_dob),
     .check = set_min_dob, .boot = "1900-01-01",
     .expect = "a date as YYYY-MM-DD, e.g. 1850-01-01",
     .help = "the earliest date of birth kept; an earlier one is dropped "
             "and noted (a source's own min_dob overrides it)"},
    {.name = NULL},
};
