/*
 * disclosure_settings.c - the [disclosure] keys as a table, and the
 * presets they override.
 */
#include "disclosure_settings.h"
#include "../core/strnum.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(enum perturbation) == sizeof(int),
               "SETTING_ENUM stores an int");
_Static_assert(sizeof(enum suppression_cost) == sizeof(int),
               "SETTING_ENUM stores an int");

static int
check_preset(const struct setting *s, void *obj, const char *value,
             struct setting_ctx *ctx)
{
    (void)obj;
    if (!strcmp(value, "ons") || !strcmp(value, "nhs"))
        return 0;
    return setting_bad_value(ctx, NULL, s->expect);
}

/* suppress = LO-HI: an explicit inclusive range, the custom form of
 * min_count. */
static int
set_suppress(const struct setting *s, void *obj, const char *value,
             struct setting_ctx *ctx)
{
    struct disclosure_keys *k = obj;
    const char *dash = strchr(value, '-');
    int64_t lo, hi;

    if (!dash || parse_int64(value, (size_t)(dash - value), 0, 1000, &lo) < 0 ||
        parse_int64_str(dash + 1, lo, 1000, &hi) < 0 || lo < 1)
        return setting_bad_value(ctx, NULL, s->expect);
    k->suppress_lo = (int)lo;
    k->min_count = (int)hi + 1;
    return 0;
}

/* protection_lower, protection_upper = N or N%: tau-ARGUS's two forms. */
static int
parse_protection(const struct setting *s, const char *value, int *n,
                 int *pct, struct setting_ctx *ctx)
{
    size_t len = strlen(value);
    int64_t v;

    *pct = len > 1 && value[len - 1] == '%';
    if (parse_int64(value, len - (size_t)*pct, 0, *pct ? 100 : 1000, &v) < 0)
        return setting_bad_value(ctx, NULL, s->expect);
    *n = (int)v;
    return 0;
}

static int
set_lower(const struct setting *s, void *obj, const char *value,
          struct setting_ctx *ctx)
{
    struct disclosure_keys *k = obj;

    return parse_protection(s, value, &k->protection_lower,
                            &k->protection_lower_pct, ctx);
}

static int
set_upper(const struct setting *s, void *obj, const char *value,
          struct setting_ctx *ctx)
{
    struct disclosure_keys *k = obj;

    return parse_protection(s, value, &k->protection_upper,
                            &k->protection_upper_pct, ctx);
}

static const struct setting_choice costs[] = {{"value", COST_VALUE},
                                              {"cells", COST_CELLS},
                                              {"log_value", COST_LOG_VALUE},
                                              {NULL, 0}};

static const struct setting_choice perturbations[] = {
    {"none", PERTURB_NONE}, {"cellkey", PERTURB_CELLKEY}, {NULL, 0}};

#define AT(member) offsetof(struct disclosure_keys, member)

const struct setting disclosure_settings[] = {
    {.name = "preset", .type = SETTING_STRING, .offset = AT(preset),
     .check = check_preset,
     .expect = "ons (suppress below 10, round to 5) or nhs (suppress 1-7, "
               "round to 5)",
     .help = "the rules the other keys start from (default ons)"},
    {.name = "min_count", .type = SETTING_INT, .offset = AT(min_count),
     .min = 1, .max = 1000,
     .help = "counts from 1 to min_count - 1 are suppressed"},
    {.name = "suppress", .type = SETTING_CUSTOM, .offset = AT(suppress_lo),
     .check = set_suppress, .expect = "an inclusive range such as 1-9",
     .help = "the suppressed counts as an inclusive range, e.g. 1-9"},
    {.name = "rounding", .type = SETTING_INT, .offset = AT(rounding),
     .min = 1, .max = 1000,
     .help = "published counts are rounded to a multiple of this; 1 = none"},
    {.name = "protect_zeros", .type = SETTING_BOOL,
     .offset = AT(protect_zeros),
     .help = "treat zero cells as sensitive too"},
    {.name = "protection_level", .type = SETTING_INT,
     .offset = AT(protection_level), .min = 1, .max = 1000,
     .help = "the width an attacker's range for a hidden cell must keep"},
    {.name = "protection_lower", .type = SETTING_CUSTOM,
     .offset = AT(protection_lower), .check = set_lower,
     .expect = "a whole number from 0 to 1000, or a percentage such as 25%",
     .help = "tau-ARGUS's lower protection: a hidden count x keeps an "
             "attacker range reaching x less this (N or N%)"},
    {.name = "protection_upper", .type = SETTING_CUSTOM,
     .offset = AT(protection_upper), .check = set_upper,
     .expect = "a whole number from 0 to 1000, or a percentage such as 25%",
     .help = "tau-ARGUS's upper protection: the range reaches x plus this "
             "(N or N%)"},
    {.name = "suppression_cost", .type = SETTING_ENUM,
     .offset = AT(suppression_cost), .choices = costs,
     .expect = "value, cells or log_value",
     .help = "what secondary suppression minimises (default value: the "
             "hidden count)"},
    {.name = "perturbation", .type = SETTING_ENUM, .offset = AT(perturbation),
     .choices = perturbations, .expect = "none or cellkey",
     .help = "cellkey: consistent cell-key noise from ptable"},
    {.name = "ptable", .type = SETTING_STRING, .offset = AT(ptable),
     .help = "the perturbation table for cellkey"},
    {.name = NULL},
};

int
disclosure_keys_set(struct disclosure_keys *k, const char *key,
                    const char *value, char *expect, size_t expect_size)
{
    const struct setting *s = settings_find(disclosure_settings, key);
    struct setting_ctx ctx;
    int rc;

    if (expect_size)
        expect[0] = '\0';
    if (!s)
        return CE_CONFIG; /* unknown key: expect left empty */
    setting_ctx_init(&ctx, "disclosure", key, 0);
    rc = setting_apply(s, k, value, &ctx);
    if (rc == CE_CONFIG && expect_size)
        snprintf(expect, expect_size, "%s", ctx.expect);
    return rc;
}

int
disclosure_plan_finish(struct disclosure_plan *dp, struct disclosure_keys *k)
{
    free(dp->preset);
    dp->preset = k->preset;
    k->preset = NULL;
    free(dp->ptable);
    dp->ptable = k->ptable;
    k->ptable = NULL;
    dp->perturbation = k->perturbation;
    dp->suppression_cost = k->suppression_cost;
    dp->protection_lower = k->protection_lower;
    dp->protection_lower_pct = k->protection_lower_pct;
    dp->protection_upper = k->protection_upper;
    dp->protection_upper_pct = k->protection_upper_pct;
    /* preset first, explicit keys override it */
    dp->suppress_lo = 1;
    dp->suppress_hi = 9;
    dp->rounding = 5;
    if (dp->preset && !strcmp(dp->preset, "nhs"))
        dp->suppress_hi = 7;
    if (k->min_count)
        dp->suppress_hi = k->min_count - 1;
    if (k->suppress_lo)
        dp->suppress_lo = k->suppress_lo;
    if (k->rounding)
        dp->rounding = k->rounding;
    dp->protect_zeros = k->protect_zeros;
    dp->protection_level = k->protection_level ? k->protection_level
                                               : (dp->suppress_hi > 0
                                                      ? dp->suppress_hi
                                                      : 1);
    if (dp->suppress_hi < dp->suppress_lo && !dp->protect_zeros)
        dp->suppress_hi = 0; /* min_count = 1: nothing suppressed */
    if (dp->perturbation == PERTURB_CELLKEY && !dp->ptable)
        return CE_CONFIG;
    return 0;
}

void
disclosure_keys_release(struct disclosure_keys *k)
{
    settings_release(disclosure_settings, k);
    memset(k, 0, sizeof(*k));
}
