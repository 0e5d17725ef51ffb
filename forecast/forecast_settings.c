/*
 * forecast_settings.c - the forecasting stage's [job] key as a table.
 */
#include "forecast_settings.h"

#include <stddef.h>

const struct setting forecast_job_settings[] = {
    {.name = "denominators", .type = SETTING_STRING,
     .offset = offsetof(struct job_plan, denominators),
     .help = "population CSV (year, population, and age or age_band, sex, "
             "ward, lsoa or district) for rate_per_10000"},
    {.name = NULL},
};
