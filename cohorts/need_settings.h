/*
 * need_settings.h - the [need NAME] keys: a named condition group of the
 * where language (cohorts/where.h), referred to as need.NAME in a where
 * and, all groups together in file order, as need.* inside count().
 *
 *     ... app/config.c appends a struct need_plan per section and applies
 *         each key found in need_settings ...
 *     need_settings_finish(n, plan, &ctx);  (a where is required; the
 *         expression itself is parsed with the cohorts' by
 *         app/job.c, which reports its errors at the need's where line)
 */
#ifndef COHORT_NEED_SETTINGS_H
#define COHORT_NEED_SETTINGS_H

#include "../core/plan.h"
#include "../core/settings.h"

/* The [need NAME] keys, over struct need_plan. */
extern const struct setting need_settings[];

/* Requires a where and defaults the title to the name. 0, CE_CONFIG with
 * ctx naming the line, or CE_NOMEM. */
int need_settings_finish(struct need_plan *n, struct setting_ctx *ctx);

#endif
