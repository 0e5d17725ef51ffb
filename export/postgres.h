/*
 * postgres.h - the PostgreSQL publisher. A run goes into one output's
 * schema inside ONE transaction, which export/publish.h commits only once
 * every other output is staged:
 *
 *     struct pg_publication *p;
 *     if (pg_publication_open(s, out, &p, d) < 0) -> CE_IO, nothing written
 *     ... stage the other outputs ...
 *     rc = pg_publication_commit(p, d);    (or don't: close rolls back)
 *     pg_publication_close(p);
 *
 * What the transaction does (pg_schema.h has the tables):
 *   - runs gets the run's row, with the cohorts it publishes and the
 *     cohorts no longer in the job whose tables it drops (dropped);
 *   - each cohort's table SCHEMA.COHORT has its rows replaced (DELETE,
 *     then COPY: the table, its grants, comments and the views over it
 *     stay), and the same rows are added to SCHEMA.COHORT__history,
 *     which keeps the newest `retain` runs; quality and linkage the same;
 *   - every row carries run_id; every table has a primary key and a
 *     COMMENT on it and on every column;
 *   - with grant_to: USAGE on the schema and SELECT on every table above.
 * A reader sees the previous run or this one, never a mix. Any failure
 * rolls everything back; when a view over a table that must change, or a
 * session's lock, is what failed it, the message names them
 * (pg_conn.h pg_explain()). Nothing is ever written that does not come
 * from the published tables and the run summary.
 */
#ifndef COHORT_EXPORT_POSTGRES_H
#define COHORT_EXPORT_POSTGRES_H

#include "../core/error.h"
#include "../core/plan.h"
#include "../core/run.h"

struct pg_publication;

/*
 * Connects, begins the transaction and writes the whole run into out's
 * schema, leaving it uncommitted. 0 with *p set (the caller closes it);
 * CE_IO or CE_NOMEM with d naming the output, the step, the SQLSTATE and
 * what blocked it (never a value), and nothing written.
 */
int pg_publication_open(const struct run_summary *s,
                        const struct output_plan *out,
                        struct pg_publication **p, struct diag *d);

/*
 * COMMIT. 0 when the server committed; CE_IO with d set when it did not,
 * and *unknown set when the connection was lost during the COMMIT, so
 * that whether it committed can only be read from runs later
 * (pg_run_recorded()).
 */
int pg_publication_commit(struct pg_publication *p, int *unknown,
                          struct diag *d);

/* Rolls back what was not committed, disconnects and frees p (NULL is
 * allowed). */
void pg_publication_close(struct pg_publication *p);

/* Whether out's runs table has run_id: *yes 1 or 0. 0, or CE_IO with d
 * set when the database cannot be asked. */
int pg_run_recorded(const struct output_plan *out, const char *run_id, int *yes,
                    struct diag *d);

#endif
