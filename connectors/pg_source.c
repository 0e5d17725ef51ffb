/*
 * pg_source.c - the PostgreSQL connector: a department's reporting database
 * read with `COPY (query) TO STDOUT (FORMAT text, HEADER true)` through
 * libpq, one row per PQgetCopyData() call, so memory does not grow with
 * the table. Rows come out exactly like CSV rows (borrowed cells, a line
 * number: the header is line 1, the first row line 2), so mapping and the
 * quarantine cannot tell the difference.
 *
 * The COPY runs in a READ ONLY transaction with the source's
 * statement_timeout. A connection that dies mid-stream, a timeout, a missing
 * table or column, an unreachable server are source errors (CE_IO, exit 3)
 * naming the source and the row reached (and, for a server that cannot be
 * reached, libpq's reason); nothing is published. Rows are fetched
 * without blocking, so a stop request (source.h) cancels the query within
 * 200 ms however long the server takes. A server's notices go to the log
 * by severity and SQLSTATE only: their words may quote the data.
 */
#include "source.h"

#include "../core/log.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pg_state {
    PGconn *conn;
    char *line;        /* the current COPY row (libpq's buffer) */
    char *arena;       /* unescaped cells */
    size_t acap;
    struct cell *cells;
    size_t ccap;
    char *hdr;
    struct cell *hdr_cells;
    size_t nhdr;
    long row;
    int done;
};

static int
fail(struct source *src, struct pg_state *s, long line, const char *what,
     struct diag *d)
{
    PGresult *res = s->conn ? PQgetResult(s->conn) : NULL;
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

    diag_set(d, src->plan->name, line, 0, "postgres", "%s (%s)", what,
             state ? state
                   : (s->conn && PQstatus(s->conn) == CONNECTION_BAD
                          ? "connection lost"
                          : "no SQLSTATE"));
    if (res)
        PQclear(res);
    return CE_IO;
}

/*
 * Splits one COPY text row into cells, undoing its escapes. Returns the
 * number of cells, or -1 (out of memory). A field over max_field_bytes
 * marks the row.
 */
static long
split_row(struct source *src, struct pg_state *s, const char *p, size_t n,
          enum row_fault *fault, long *fault_col)
{
    size_t i, o = 0, nc = 0, start = 0;

    if (n + 1 > s->acap) {
        char *a = realloc(s->arena, n + 1);

        if (!a)
            return -1;
        s->arena = a;
        s->acap = n + 1;
    }
    for (i = 0; i <= n; i++) {
        char c = i < n ? p[i] : '\t';

        if (c == '\t' || c == '\n') {
            if (nc == s->ccap) {
                size_t cap = s->ccap ? s->ccap * 2 : 64;
                struct cell *cc = realloc(s->cells, cap * sizeof(*cc));

                if (!cc)
                    return -1;
                s->cells = cc;
                s->ccap = cap;
            }
            s->cells[nc].ptr = s->arena + start;
            s->cells[nc].len = o - start;
            if (o - start > src->plan->max_field_bytes && !*fault) {
                *fault = RF_FIELD_TOO_LONG;
                *fault_col = (long)nc + 1;
            }
            nc++;
            start = o;
            if (c == '\n')
                break;
            continue;
        }
        if (c == '\\' && i + 1 < n) {
            char e = p[++i];

            switch (e) {
            case 'N':
                continue; /* \N (NULL): an empty cell, as in CSV */
            case 't': c = '\t'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'v': c = '\v'; break;
            default: c = e; break;
            }
        }
        s->arena[o++] = c;
    }
    return (long)nc;
}

/* The COPY statement of the source's table (each part of schema.table
 * quoted on its own) or query into sql (size n): 0 or CE_CONFIG. */
static int
copy_statement(PGconn *conn, const struct source_plan *p, char *sql,
               size_t n, struct diag *d)
{
    int len;

    if (p->table) {
        const char *dot = strchr(p->table, '.');
        char *a = NULL, *b = NULL;

        if (dot) {
            a = PQescapeIdentifier(conn, p->table, (size_t)(dot - p->table));
            b = PQescapeIdentifier(conn, dot + 1, strlen(dot + 1));
        } else {
            b = PQescapeIdentifier(conn, p->table, strlen(p->table));
        }
        if (!b || (dot && !a)) {
            PQfreemem(a);
            PQfreemem(b);
            diag_set(d, p->name, 0, 0, "table", "bad table name");
            return CE_CONFIG;
        }
        len = snprintf(sql, n,
                       "COPY (SELECT * FROM %s%s%s) TO STDOUT (FORMAT text, "
                       "HEADER true)", a ? a : "", a ? "." : "", b);
        PQfreemem(a);
        PQfreemem(b);
    } else {
        len = snprintf(sql, n,
                       "COPY (%s) TO STDOUT (FORMAT text, HEADER true)",
                       p->query);
    }
    if (len < 0 || (size_t)len >= n) {
        diag_set(d, p->name, 0, 0, "query", "query too long");
        return CE_CONFIG;
    }
    return 0;
}

/* A server notice, into the log without its text. */
static void
log_notice(void *arg, const PGresult *res)
{
    const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

    log_msg(LOG_WARN, "%s: the source database sent a %s (SQLSTATE %s; its "
                      "words are not logged, they may quote data)",
            (const char *)arg, sev ? sev : "notice", state ? state : "none");
}

/* libpq's reason for a failed connection, on one line, into buf. */
static void
connect_reason(PGconn *conn, char *buf, size_t n)
{
    const char *m = conn ? PQerrorMessage(conn) : "out of memory";
    size_t o = 0;

    for (; *m && o + 1 < n; m++)
        if (*m == '\n' || *m == '\t' || *m == '\r') {
            if (o && buf[o - 1] != ' ')
                buf[o++] = ' ';
        } else {
            buf[o++] = *m;
        }
    while (o && buf[o - 1] == ' ')
        o--;
    buf[o] = '\0';
}

/*
 * The next COPY row into s->line, as PQgetCopyData() returns: its length,
 * -1 at the end, -2 on a failure; or -3 when *src->stop was set while
 * waiting, the query then cancelled. Never blocks for longer than 200 ms
 * without looking at the stop request.
 */
static int
copy_row(struct source *src, struct pg_state *s)
{
    for (;;) {
        int n = PQgetCopyData(s->conn, &s->line, 1);
        struct pollfd pfd;

        if (n != 0)
            return n;
        if (src->stop && *src->stop) {
            PGcancel *c = PQgetCancel(s->conn);
            char err[256];

            if (c) {
                PQcancel(c, err, (int)sizeof(err));
                PQfreeCancel(c);
            }
            return -3;
        }
        pfd.fd = PQsocket(s->conn);
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (pfd.fd < 0 || (poll(&pfd, 1, 200) < 0 && errno != EINTR) ||
            !PQconsumeInput(s->conn))
            return -2;
    }
}

static int
pg_open(struct source *src, struct diag *d)
{
    const struct source_plan *p = src->plan;
    struct pg_state *s = calloc(1, sizeof(*s));
    char sql[8192];
    PGresult *res;
    long n;
    size_t i, total = 0;
    enum row_fault fault = RF_NONE;
    long col = 0;
    int rc;

    if (!s) {
        diag_set(d, p->name, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    src->state = s;
    s->conn = PQconnectdb(p->conninfo);
    if (!s->conn || PQstatus(s->conn) != CONNECTION_OK) {
        char why[300];

        connect_reason(s->conn, why, sizeof(why));
        diag_set(d, p->name, 0, 0, "postgres",
                 "cannot connect to the source database: %s", why);
        return CE_IO;
    }
    PQsetNoticeReceiver(s->conn, log_notice, (void *)p->name);
    PQsetClientEncoding(s->conn, "UTF8");
    res = PQexec(s->conn, "SET application_name = 'cohort'");
    PQclear(res);
    /* read-only: the connector can never change the department's data */
    res = PQexec(s->conn, "BEGIN TRANSACTION READ ONLY");
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        PQclear(res);
        diag_set(d, p->name, 0, 0, "postgres",
                 "cannot start a read-only transaction (%s)",
                 PQstatus(s->conn) == CONNECTION_BAD ? "connection lost"
                                                     : "refused");
        return CE_IO;
    }
    PQclear(res);
    if (p->statement_timeout_ms > 0) {
        snprintf(sql, sizeof(sql), "SET LOCAL statement_timeout = %ld",
                 p->statement_timeout_ms);
        PQclear(PQexec(s->conn, sql));
    }
    if ((rc = copy_statement(s->conn, p, sql, sizeof(sql), d)) < 0)
        return rc;
    res = PQexec(s->conn, sql);
    if (PQresultStatus(res) != PGRES_COPY_OUT) {
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

        diag_set(d, p->name, 0, 0, "postgres",
                 "the source query failed (%s)",
                 state ? state
                       : PQstatus(s->conn) == CONNECTION_BAD ? "connection lost"
                                                             : "no SQLSTATE");
        PQclear(res);
        return CE_IO;
    }
    PQclear(res);
    /* the header row */
    n = copy_row(src, s);
    if (n == -3) {
        diag_set(d, p->name, 1, 0, NULL, "interrupted");
        return CE_INTERRUPTED;
    }
    if (n < 0)
        return fail(src, s, 1, n == -1 ? "the query returned no header"
                                       : "reading the header failed", d);
    n = split_row(src, s, s->line, (size_t)n, &fault, &col);
    PQfreemem(s->line);
    s->line = NULL;
    if (n < 0) {
        diag_set(d, p->name, 1, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    for (i = 0; i < (size_t)n; i++)
        total += s->cells[i].len + 1;
    s->hdr = malloc(total + 1);
    s->hdr_cells = calloc((size_t)n + 1, sizeof(*s->hdr_cells));
    if (!s->hdr || !s->hdr_cells) {
        diag_set(d, p->name, 1, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    total = 0;
    for (i = 0; i < (size_t)n; i++) {
        memcpy(s->hdr + total, s->cells[i].ptr, s->cells[i].len);
        s->hdr[total + s->cells[i].len] = '\0';
        s->hdr_cells[i].ptr = s->hdr + total;
        s->hdr_cells[i].len = s->cells[i].len;
        total += s->cells[i].len + 1;
    }
    /* the same rule as a CSV header: "TENURE" and tenure are two columns
     * to PostgreSQL, but one name to a mapping */
    if ((rc = source_check_duplicate_columns(s->hdr_cells, (size_t)n,
                                             p->name, 1, d)) < 0)
        return rc;
    s->nhdr = (size_t)n;
    s->row = 1;
    src->columns = s->hdr_cells;
    src->ncolumns = s->nhdr;
    return 0;
}

static int
pg_next(struct source *src, struct raw_row *row, struct diag *d)
{
    struct pg_state *s = src->state;
    enum row_fault fault = RF_NONE;
    long col = 0, nc;
    int n;

    if (s->done)
        return 0;
    if (s->line) {
        PQfreemem(s->line);
        s->line = NULL;
    }
    n = copy_row(src, s);
    if (n == -3) {
        s->done = 1;
        diag_set(d, src->plan->name, s->row + 1, 0, NULL, "interrupted");
        return CE_INTERRUPTED;
    }
    if (n == -1) {
        PGresult *res = PQgetResult(s->conn);

        s->done = 1;
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

            diag_set(d, src->plan->name, s->row + 1, 0, "postgres",
                     "%s after row %ld (%s)",
                     state && !strcmp(state, "57014")
                         ? "the source query ran past statement_timeout"
                         : "the source query failed",
                     s->row, state ? state : "connection lost");
            PQclear(res);
            return CE_IO;
        }
        PQclear(res);
        return 0;
    }
    if (n < 0) {
        s->done = 1;
        diag_set(d, src->plan->name, s->row + 1, 0, "postgres",
                 "the connection failed after row %ld (connection lost)",
                 s->row);
        return CE_IO;
    }
    s->row++;
    src->bytes_read += (uint64_t)n;
    nc = split_row(src, s, s->line, (size_t)n, &fault, &col);
    if (nc < 0) {
        diag_set(d, src->plan->name, s->row, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    if (!fault && (size_t)nc != s->nhdr) {
        fault = RF_RAGGED;
        col = (long)((size_t)nc < s->nhdr ? (size_t)nc : s->nhdr) + 1;
    }
    row->cells = s->cells;
    row->ncells = (size_t)nc;
    row->file_index = 0; /* a database has no files: named by its source */
    row->line = s->row;
    row->fault = fault;
    row->fault_column = col;
    return 1;
}

static void
pg_close(struct source *src)
{
    struct pg_state *s = src->state;

    if (!s)
        return;
    if (s->line)
        PQfreemem(s->line);
    if (s->conn)
        PQfinish(s->conn);
    if (s->arena)
        memset(s->arena, 0, s->acap);
    free(s->arena);
    free(s->cells);
    free(s->hdr);
    free(s->hdr_cells);
    free(s);
    src->state = NULL;
    src->columns = NULL;
    src->ncolumns = 0;
}

const struct source_ops postgres_source_ops = {"postgres", pg_open, pg_next,
                                               pg_close};
