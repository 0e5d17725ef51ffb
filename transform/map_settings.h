/*
 * map_settings.h - the [source NAME] keys that say how a source's rows map
 * onto the common schema: the department, the columns (field.FIELD), the
 * code lists (value.FIELD.CODE), the date format, a built-in profile
 * (transform/profiles.h), the id scope and role, and how many rejected
 * rows a run tolerates. The connector's keys of the same section are
 * connectors/source_settings.h's.
 *
 *     source_map_init(s);                  (no department or scope yet)
 *     settings_boot(source_map_settings, s, &ctx);     (defaults)
 *     ... app/config.c applies each key found in source_map_settings ...
 *     source_map_apply_profile(s, &ctx);   (after the whole file)
 *     source_map_finish(s, &ctx);
 */
#ifndef COHORT_MAP_SETTINGS_H
#define COHORT_MAP_SETTINGS_H

#include "../core/plan.h"
#include "../core/settings.h"

/* The mapping's keys of [source NAME], over struct source_plan. */
extern const struct setting source_map_settings[];

/* Readies a zeroed source: no department yet (a profile may give it), no
 * id scope. */
void source_map_init(struct source_plan *s);

/*
 * Fills what the source's profile provides and the source left unset, then
 * requires a department. 0, CE_CONFIG or CE_NOMEM through ctx.
 */
int source_map_apply_profile(struct source_plan *s, struct setting_ctx *ctx);

/*
 * Checks the mapping as a whole and infers what was not written: the role
 * within an id scope, whether rows carry spells, a service and an
 * identifier. 0 or CE_CONFIG with ctx naming the line.
 */
int source_map_finish(struct source_plan *s, struct setting_ctx *ctx);

/* "records", "header", "events". */
const char *source_role_name(enum source_role r);

#endif
