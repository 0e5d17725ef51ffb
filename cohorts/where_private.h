/*
 * where_private.h - the where language's parse tree and parser, shared by
 * where.c (the grammar's core: and, or, not, services, age, sex,
 * ethnicity), where_needs.c (count(), need.NAME groups, within()) and
 * where_members.c (a household cohort's member qualifiers and its
 * evaluation over a household's members).
 * Nothing outside cohorts/where*.c includes it; everyone else has
 * where.h's opaque struct where_expr.
 */
#ifndef COHORT_WHERE_PRIVATE_H
#define COHORT_WHERE_PRIVATE_H

#include "where.h"
#include "../core/strbuf.h"

#include <stddef.h>
#include <stdint.h>

enum node_kind { W_ALL, W_AND, W_OR, W_NOT, W_SERVICE, W_DEPT, W_AGE, W_SEX,
                 W_ETHNICITY, W_COUNT, W_NEED, W_WITHIN, W_ANY_MEMBER,
                 W_ALL_MEMBERS, W_LEAD };

struct where_expr {
    enum node_kind kind;
    struct where_expr *a, *b; /* W_NEED: a is the group's expression;
                               * W_WITHIN: a is the condition */
    int dept;
    int service;
    uint64_t bands;      /* W_AGE: bands that satisfy */
    uint8_t mask;        /* W_SEX / W_ETHNICITY: values that satisfy */
    /* W_COUNT: the listed conditions, how many must hold (op, n1) */
    struct where_expr **items;
    size_t nitems;
    int need;            /* W_NEED: index into plan->needs */
    int months;          /* W_WITHIN: this month and the months-1 before */
    /* for the plain-English rendering */
    int op;
    int n1, n2;
    int value;
    int timing;          /* W_SERVICE, W_DEPT: TIME_ACTIVE, _NEW, _EVER */
};

enum { TIME_ACTIVE, TIME_NEW, TIME_EVER };

enum { OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE, OP_BETWEEN };

enum tok_kind { T_END, T_IDENT, T_NUM, T_OP, T_LPAREN, T_RPAREN, T_COMMA,
                T_BAD };

struct where_parser {
    const char *text;
    size_t pos;
    const struct job_plan *plan;
    struct diag *d;
    int depth;                  /* nesting, bounded: no input overflows
                                 * the stack */
    int in_need;                /* parsing a [need]'s where: no need.X in it */
    int in_count;               /* inside count(...): need.* is allowed */
    int in_member;              /* inside a member qualifier's parentheses */
    /* current token */
    enum tok_kind kind;
    size_t start, len;
    int err;
    int nomem;                  /* the error is out of memory, not the text */
};

/* Records the first error at column col (0-based) of the text; -1. */
int where_perr(struct where_parser *p, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reads the next token into p. An identifier may end in ".*" (need.*). */
void where_next(struct where_parser *p);

/* 1 when the token is the word w (any case). */
int where_is_word(const struct where_parser *p, const char *w);

/* A zeroed node of kind k (NULL, with the error set, out of memory). */
struct where_expr *where_node(struct where_parser *p, enum node_kind k);

/* The comparison operator of the token (OP_*), or -1. */
int where_op_of(const struct where_parser *p);

/* expr := or: a whole condition. */
struct where_expr *where_parse_or(struct where_parser *p);

/* "( EXPR )", the token being its '(': the expression, or NULL with the
 * error set (unclosed, or nested past 64). */
struct where_expr *where_parse_paren(struct where_parser *p);

/* DEPARTMENT.SERVICE / DEPARTMENT.any / need.NAME at the token. */
struct where_expr *where_parse_service(struct where_parser *p);

/* where_needs.c: count( COND, ... ) OP N and within( N, COND ), the
 * token being the word; NULL with the error set. */
struct where_expr *where_parse_count(struct where_parser *p);
struct where_expr *where_parse_within(struct where_parser *p);

/* where_needs.c: the need group called name (len bytes) at the token, its
 * expression parsed from the [need]'s where. */
struct where_expr *where_parse_need(struct where_parser *p, const char *name,
                                    size_t len);

/* where_needs.c: W_COUNT, W_NEED, W_WITHIN for person in the month
 * [start, end], which is period (clamped to the published ones for
 * ages). */
int where_eval_needs(const struct where_expr *e, const struct person_set *ps,
                     size_t person, int period, int32_t start, int32_t end);

/* where_needs.c: 1 when k conditions holding satisfies the W_COUNT e's
 * comparison (count(...) OP N). */
int where_count_satisfied(const struct where_expr *e, int k);

/* where_needs.c: 1 when two expressions have the same form. */
int where_same(const struct where_expr *a, const struct where_expr *b);

/* where_needs.c: where_within() for an inner or outer W_COUNT, W_NEED or
 * W_WITHIN; -1 when neither is one (the caller decides). */
int where_within_needs(const struct where_expr *inner,
                       const struct where_expr *outer);

/* where_needs.c: the plain English of W_COUNT, W_NEED, W_WITHIN, with
 * render() for the conditions inside them. */
void where_plain_needs(struct strbuf *sb, const struct where_expr *e,
                       const struct job_plan *plan,
                       void (*render)(struct strbuf *,
                                      const struct where_expr *,
                                      const struct job_plan *));

/* where_members.c: a member qualifier -- `any member(EXPR)`, `all
 * members(EXPR)` or `lead(EXPR)` -- at the token; NULL without an error
 * when the text is none of them, NULL with the error set when it is one
 * but broken (a qualifier inside another, in a [need]'s where). */
struct where_expr *where_parse_member(struct where_parser *p);

/* where_members.c: 1 for a member qualifier node (any member, all
 * members, lead). */
int where_node_is_member(const struct where_expr *e);

/*
 * where_members.c: where_within() for household cohorts, i or o a member
 * qualifier: 1 when every household i selects, o selects too, a person's
 * term outside a qualifier read as `any member` of it; the lead and every
 * member (of a household with one) are members, so lead(x) and all
 * members(x) are within any member(y) when x is within y. 0 for anything
 * else (a `not`, an `and` of a qualifier's inside, a count()) -- the
 * form-only reasoning of where_within(), which may say 0 for nested
 * tables.
 */
int where_member_within(const struct where_expr *i, const struct where_expr *o);

/* where_members.c: the plain English of a member qualifier, with render()
 * for the person's condition inside it. */
void where_plain_member(struct strbuf *sb, const struct where_expr *e,
                        const struct job_plan *plan,
                        void (*render)(struct strbuf *,
                                       const struct where_expr *,
                                       const struct job_plan *));

#endif
