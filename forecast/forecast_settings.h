/*
 * forecast_settings.h - the [job] key the forecasting stage owns:
 * denominators, the population table that rates per 10 000 are computed
 * against (forecast/denominators.h reads it).
 *
 *     settings_boot(forecast_job_settings, plan, &ctx);
 *     ... app/config.c applies the key when [job] has it ...
 */
#ifndef COHORT_FORECAST_SETTINGS_H
#define COHORT_FORECAST_SETTINGS_H

#include "../core/plan.h"
#include "../core/settings.h"

/* The [job] key denominators, over struct job_plan. */
extern const struct setting forecast_job_settings[];

#endif
