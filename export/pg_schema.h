/*
 * pg_schema.h - the tables the PostgreSQL publisher owns, declared as
 * data, and the one way they are brought to that shape: in place, never
 * by dropping a table, so the views, grants and comments analysts build
 * on them outlive every run.
 *
 * Every table is published twice: SCHEMA.NAME holds the current run
 * (primary key: NAME's key columns), SCHEMA.NAME__history every retained
 * run (primary key: run_id, then the same). runs is the one table without
 * a history: it is one. A cohort's name cannot contain __
 * (cohorts/cohort_settings.h), so no derived name is ever a cohort's.
 *
 *     struct pg_table t;
 *     pg_table_cohort(&t, s, cr);            (or _quality, _linkage, _runs)
 *     pg_table_ensure(pg, &t, "", 1);        plain table, rows removed
 *     ... COPY the run's rows into it ...
 *     pg_table_ensure(pg, &t, "__history", 0);
 *     ... INSERT INTO NAME__history SELECT ... FROM NAME ...
 *     pg_table_comment(pg, &t, sql);         every table and column
 *
 * A table that exists with other columns (a cohort's `by` changed, or a
 * table of an older release) is altered: a missing column is added (old
 * history rows get its `fill`: `Total` for a by column, which is what a
 * table without that breakdown counted), a column no longer published is
 * dropped (history rows broken down by it are deleted first, leaving its
 * Total rows: the table without that breakdown), a changed type is cast,
 * and the primary key is rebuilt. A view over a column that must go
 * stops the run with a message naming the view (pg_conn.h pg_explain()).
 */
#ifndef COHORT_PG_SCHEMA_H
#define COHORT_PG_SCHEMA_H

#include "pg_conn.h"

#include "../core/run.h"

#define PG_MAX_COLUMNS (TABLE_MAX_DIMS + 10)

struct pg_column {
    const char *name;
    const char *type; /* as format_type() prints it: "text", "date",
                       * "integer", "bigint", "text[]",
                       * "timestamp with time zone" */
    int key;          /* part of the primary key */
    int not_null;
    const char *fill; /* SQL literal for rows there before the column
                       * was (NOT NULL columns); NULL: NULL */
    const char *comment;
};

struct pg_table {
    char name[64];
    struct pg_column cols[PG_MAX_COLUMNS];
    size_t ncols;
    int history;                          /* also NAME__history */
    char comment[1024];                   /* of NAME */
    char history_comment[512];            /* of NAME__history */
    char by_comment[TABLE_MAX_DIMS][256]; /* storage for cols[].comment */
};

/* A cohort's table: run_id, period (complete, with include_partial), one
 * text column per by column, count (NULL when withheld or [z]), symbol
 * ([c], [z] or NULL), rate_per_10000 (when the table has rates), margin
 * (true on a margin or total row). */
void pg_table_cohort(struct pg_table *t, const struct run_summary *s,
                     const struct cohort_result *cr);

/* A forecast cohort's projection (export/projection_out.h): run_id,
 * age_band, kind, period (the key), then its numbers. */
void pg_table_projection(struct pg_table *t, const struct projection *p);

/* quality: run_id, source, measure, value (run_tables.h). */
void pg_table_quality(struct pg_table *t);

/* linkage: run_id, key_order, key, records_with_key, links, refused. */
void pg_table_linkage(struct pg_table *t);

/* runs: one row per run; no history. */
void pg_table_runs(struct pg_table *t);

/*
 * Brings SCHEMA.NAME<suffix> to t's shape (suffix "__history": run_id
 * leads its key), creating it when missing; with clear, its rows are
 * deleted first (the plain table, about to get the run's rows). Runs
 * inside the caller's transaction. 0, or CE_IO with pg's diag naming
 * the step (and the table, for pg_explain()); CE_NOMEM.
 */
int pg_table_ensure(struct pg *pg, const struct pg_table *t, const char *suffix,
                    int clear);

/* Appends to sql the COMMENT statements ("...; ") on the table, its
 * history and every column of both. */
void pg_table_comment(struct pg *pg, const struct pg_table *t,
                      struct strbuf *sql);

/* Appends "col, col, ..." in t's order. */
void pg_table_columns(const struct pg_table *t, struct strbuf *sb);

#endif
