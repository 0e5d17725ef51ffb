/*
 * where_node.h - the parsed form of a `where` expression, shared by the
 * parser and person evaluation (where.c) and the household evaluation
 * (where_members.c). Private to cohorts/: everyone else holds a
 * struct where_expr * and the calls of where.h.
 */
#ifndef COHORT_WHERE_NODE_H
#define COHORT_WHERE_NODE_H

#include <stdint.h>

enum node_kind { W_ALL, W_AND, W_OR, W_NOT, W_SERVICE, W_DEPT, W_AGE, W_SEX,
                 W_ETHNICITY, W_ANY_MEMBER, W_ALL_MEMBERS, W_LEAD };

struct where_expr {
    enum node_kind kind;
    struct where_expr *a, *b;
    int dept;
    int service;
    uint64_t bands;      /* W_AGE: bands that satisfy */
    uint8_t mask;        /* W_SEX / W_ETHNICITY: values that satisfy */
    /* for the plain-English rendering */
    int op;
    int n1, n2;
    int value;
    int timing;          /* W_SERVICE/W_DEPT: TIME_ACTIVE, TIME_NEW, TIME_EVER */
};

enum { TIME_ACTIVE, TIME_NEW, TIME_EVER };

/* 1 for a member qualifier node (any member, all members, lead). */
int where_node_is_member(const struct where_expr *e);

/*
 * where_within() for household cohorts, i or o a member qualifier: 1 when
 * every household i selects, o selects too, a person's term outside a
 * qualifier read as `any member` of it; the lead and every member (of a
 * household with one) are members, so lead(x) and all members(x) are
 * within any member(y) when x is within y. 0 for anything else (a `not`,
 * an `and` of a qualifier's inside) -- the form-only reasoning of
 * where_within(), which may say 0 for nested tables.
 */
int where_member_within(const struct where_expr *i, const struct where_expr *o);

#endif
