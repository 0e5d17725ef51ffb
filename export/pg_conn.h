/*
 * pg_conn.h - one connection of the PostgreSQL publisher (export/
 * postgres.h, export/pg_schema.h): statements checked and cleared the
 * same way every time, identifiers quoted by libpq, and a failure turned
 * into a message that names the output, the step and the SQLSTATE --
 * and, when another object or session is what blocked the step, names
 * that too (pg_explain()), never a value of a row.
 *
 *     struct pg pg;
 *     if (pg_connect(&pg, out, d) < 0) -> CE_IO
 *     pg_step(&pg, "replacing a cohort table's rows", "adults");
 *     if (pg_exec(&pg, sql) < 0) { ROLLBACK; pg_explain(&pg); }
 *     pg_disconnect(&pg);
 */
#ifndef COHORT_PG_CONN_H
#define COHORT_PG_CONN_H

#include <libpq-fe.h>

#include "../core/error.h"
#include "../core/plan.h"
#include "../core/strbuf.h"

struct pg {
    PGconn *conn;
    const struct output_plan *out;
    struct diag *d;
    const char *what; /* the step, for messages: "replacing rows" */
    char table[64];   /* the table the step works on, or "" */
    char state[6];    /* SQLSTATE of the last failure, or "" */
};

/* Connects to out->conninfo, names the session `cohort` and sets
 * out->lock_timeout. 0, or CE_IO with d saying it cannot connect. */
int pg_connect(struct pg *pg, const struct output_plan *out, struct diag *d);

/* Closes the connection (a transaction still open is rolled back by the
 * server). */
void pg_disconnect(struct pg *pg);

/* Names the step that follows and the table it works on ("" for none),
 * for the messages of pg_fail() and pg_explain(). */
void pg_step(struct pg *pg, const char *what, const char *table);

/* Runs sql (one or more statements, no rows wanted). 0 or CE_IO. */
int pg_exec(struct pg *pg, const char *sql);

/*
 * Runs sql with text parameters and returns its rows; NULL with *rc set
 * (CE_IO) on failure. The caller PQclear()s the result.
 */
PGresult *pg_query(struct pg *pg, const char *sql, int nparams,
                   const char *const *params, int *rc);

/* Sets d to "[output O] WHAT failed (SQLSTATE S)" from res (cleared here;
 * NULL: the connection's state) and returns CE_IO. */
int pg_fail(struct pg *pg, PGresult *res);

/* Appends name quoted as an identifier; "schema"."table" with
 * pg_add_table (suffix "" or "__history"). */
void pg_add_ident(struct pg *pg, struct strbuf *sb, const char *name);
void pg_add_table(struct pg *pg, struct strbuf *sb, const char *table,
                  const char *suffix);

/* Appends s as a quoted SQL literal. */
void pg_add_literal(struct pg *pg, struct strbuf *sb, const char *s);

/* COPY schema.table (columns) FROM STDIN: begin with the whole COPY
 * statement, hand rows in COPY text format to pg_copy_put (sent when
 * more than 1 MB is waiting, or with flush), end. 0 or CE_IO. */
int pg_copy_begin(struct pg *pg, const char *copy_sql);
int pg_copy_put(struct pg *pg, struct strbuf *rows, int flush);
int pg_copy_end(struct pg *pg);

/* Appends s to a COPY row, backslash, tab and line breaks escaped. */
void pg_copy_text(struct strbuf *sb, const char *s);

/*
 * After a failure and its ROLLBACK: when the failing step's table was held
 * by another object or session, rewrites d to name it -- the views (or
 * other objects) that depend on the table or its history (SQLSTATE 2BP01,
 * 0A000), the sessions holding a lock on it (55P03: pid and application),
 * or the role grant_to names that does not exist (42704). Otherwise d
 * stays as pg_fail() set it.
 */
void pg_explain(struct pg *pg);

#endif
