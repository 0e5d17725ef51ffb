/*
 * postgres.h - the PostgreSQL publisher. In ONE transaction: for each
 * cohort, a staging table is filled with COPY, the old table dropped and
 * the staging table renamed into its place, with COMMENT ON the table and
 * every column (title, the where in plain English, the disclosure rule,
 * run id, plan hash); SCHEMA.runs gets one row per run and
 * SCHEMA.quality is replaced. Any failure rolls everything back:
 * policy teams keep seeing the previous night's tables.
 *
 * Columns of SCHEMA.COHORT: period date, one text column per by column,
 * count integer (NULL when suppressed), status text.
 */
#ifndef COHORT_EXPORT_POSTGRES_H
#define COHORT_EXPORT_POSTGRES_H

#include "../core/plan.h"
#include "../core/error.h"
#include "../core/run.h"

/* 0, or CE_IO with d naming the output and the SQLSTATE (never a value). */
int publish_postgres(const struct run_summary *s,
                     const struct output_plan *out, struct diag *d);

#endif
