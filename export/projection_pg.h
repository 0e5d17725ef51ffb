/*
 * projection_pg.h - a forecast cohort's projection as the PostgreSQL table
 * SCHEMA.COHORT_forecast, inside the publisher's transaction
 * (export/postgres.h): a staging table filled by COPY, the old table
 * dropped and the new one renamed into its place, COMMENT ON it and its
 * columns, SELECT granted as the output says. The columns are
 * COHORT_forecast.csv's (export/projection_out.h) with run_id first.
 */
#ifndef COHORT_PROJECTION_PG_H
#define COHORT_PROJECTION_PG_H

#include <libpq-fe.h>

#include "../core/error.h"
#include "../core/plan.h"
#include "../core/projected.h"

/* 0, or CE_IO (d names the output and the SQLSTATE) or CE_NOMEM. */
int publish_projection_pg(PGconn *conn, const struct output_plan *out,
                          const struct projection *p, const char *run_id,
                          struct diag *d);

#endif
