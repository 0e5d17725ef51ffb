/*
 * link_settings.h - the [linkage] keys: the deterministic match keys,
 * strictest first, each a '+' of components (README "[linkage]"), and the
 * names those components are written with. anonymise/pseudonym.c forms
 * the keys, anonymise/rules.c shows them.
 *
 *     settings_boot(linkage_settings, &plan->linkage, &ctx);  (the default
 *         keys, replaced by a `keys =` of the job file)
 */
#ifndef COHORT_LINK_SETTINGS_H
#define COHORT_LINK_SETTINGS_H

#include "../core/plan.h"
#include "../core/settings.h"

/* The [linkage] keys, over struct linkage_plan. */
extern const struct setting linkage_settings[];

/* Name of a key component as written in config. */
const char *key_component_name(int kc);

#endif
