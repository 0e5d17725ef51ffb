/*
 * where_needs.c - the where language's counting of needs: count(COND, ...)
 * OP N, the [need NAME] groups (need.NAME, and need.* inside count()) and
 * within(N, COND). The grammar's core is where.c; both share
 * where_private.h.
 *
 * Every condition keeps its own period: count() asks each listed
 * condition about the month being counted, within() asks its condition
 * about each of the last N months. Ages in a month before the first
 * published period are those of the first (as measure = new's month
 * before is, cohorts/count.c).
 */
#include "where_private.h"

#include "../core/calendar.h"
#include "../core/strnum.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Conditions one count() may list (need.* counts as its groups). */
#define COUNT_MAX_ITEMS 64
/* The longest window within() looks back over. */
#define WITHIN_MAX_MONTHS 120

static int
add_item(struct where_parser *p, struct where_expr *e, struct where_expr *item)
{
    struct where_expr **items;

    if (e->nitems >= COUNT_MAX_ITEMS) {
        where_free(item);
        return where_perr(p, p->start, "count() lists at most %d conditions",
                          COUNT_MAX_ITEMS);
    }
    items = realloc(e->items, (e->nitems + 1) * sizeof(*items));
    if (!items) {
        where_free(item);
        where_perr(p, p->start, "out of memory");
        p->nomem = 1;
        return -1;
    }
    e->items = items;
    e->items[e->nitems++] = item;
    return 0;
}

/* The W_NEED node of group index need: its [need]'s where, parsed on its
 * own (a group names no other group). */
static struct where_expr *
need_node(struct where_parser *p, int need, size_t col)
{
    const struct need_plan *np = &p->plan->needs[need];
    struct where_parser sub;
    struct diag inner;
    struct where_expr *e, *a;

    memset(&sub, 0, sizeof(sub));
    diag_clear(&inner);
    sub.text = np->where;
    sub.plan = p->plan;
    sub.d = &inner;
    sub.in_need = 1;
    where_next(&sub);
    a = where_parse_or(&sub);
    if (a && sub.kind != T_END) {
        where_perr(&sub, sub.start, "expected 'and', 'or' or the end");
        where_free(a);
        a = NULL;
    }
    if (!a) {
        p->nomem = sub.nomem;
        return where_perr(p, col, "need.%s: its where (line %d) does not "
                                  "parse: %s",
                          np->name, np->where_line, inner.msg),
               NULL;
    }
    if (!(e = where_node(p, W_NEED))) {
        where_free(a);
        return NULL;
    }
    e->need = need;
    e->a = a;
    return e;
}

struct where_expr *
where_parse_need(struct where_parser *p, const char *name, size_t len)
{
    const struct job_plan *plan = p->plan;
    struct where_expr *e;
    char known[512];
    size_t i, o = 0;
    int need;

    if (p->in_need)
        return where_perr(p, p->start, "a [need] group's where cannot name "
                                       "a need group"),
               NULL;
    if (len == 1 && name[0] == '*')
        return where_perr(p, p->start, "need.* stands for every need group "
                                       "and is only allowed as one of "
                                       "count()'s conditions"),
               NULL;
    need = job_plan_need_lookup(plan, name);
    if (need < 0) {
        known[0] = '\0';
        for (i = 0; i < plan->nneeds && o < sizeof(known); i++)
            o += (size_t)snprintf(known + o, sizeof(known) - o, "%s%s",
                                  i ? ", " : "", plan->needs[i].name);
        return where_perr(p, p->start + 5, "unknown need group '%s' "
                                           "(declared: %s)",
                          name, plan->nneeds ? known : "none"),
               NULL;
    }
    if (!(e = need_node(p, need, p->start)))
        return NULL;
    where_next(p);
    return e;
}

/* One condition of count(): need.* (every group) or a whole expression. */
static int
count_condition(struct where_parser *p, struct where_expr *e)
{
    size_t i;

    if (p->kind == T_IDENT && p->len == 6 &&
        !strncmp(p->text + p->start, "need.*", 6)) {
        if (!p->plan->nneeds)
            return where_perr(p, p->start, "need.* names no group: declare "
                                           "[need NAME] sections");
        if (p->in_need)
            return where_perr(p, p->start, "a [need] group's where cannot "
                                           "name a need group");
        for (i = 0; i < p->plan->nneeds; i++) {
            struct where_expr *item = need_node(p, (int)i, p->start);

            if (!item || add_item(p, e, item) < 0)
                return -1;
        }
        where_next(p);
        return 0;
    }
    {
        struct where_expr *item = where_parse_or(p);

        if (!item)
            return -1;
        return add_item(p, e, item);
    }
}

/* OP N after count(...) into e; N must leave the test satisfiable. */
static int
count_bound(struct where_parser *p, struct where_expr *e)
{
    int64_t v;
    size_t col;
    int lo, hi;

    e->op = where_op_of(p);
    if (e->op < 0)
        return where_perr(p, p->start, "expected >=, >, =, <=, < or != "
                                       "after count(...)");
    where_next(p);
    col = p->start;
    if (p->kind != T_NUM ||
        parse_int64(p->text + p->start, p->len, 0, COUNT_MAX_ITEMS, &v) < 0)
        return where_perr(p, p->start, "expected how many conditions, a "
                                       "whole number");
    e->n1 = (int)v;
    /* the numbers of holding conditions the test accepts */
    lo = e->op == OP_GT ? e->n1 + 1 : e->op == OP_GE || e->op == OP_EQ ? e->n1
                                                                       : 0;
    hi = e->op == OP_LT ? e->n1 - 1 : e->op == OP_LE || e->op == OP_EQ
                                          ? e->n1
                                          : (int)e->nitems;
    if (lo > (int)e->nitems || hi < lo)
        return where_perr(p, col, "count() lists %zu conditions: this test "
                                  "matches nobody",
                          e->nitems);
    where_next(p);
    return 0;
}

struct where_expr *
where_parse_count(struct where_parser *p)
{
    size_t col = p->start;
    struct where_expr *e;

    if (++p->depth > 64)
        return where_perr(p, p->start, "count() nested too deeply"), NULL;
    if (!(e = where_node(p, W_COUNT)))
        return NULL;
    where_next(p); /* ( */
    where_next(p);
    p->in_count++;
    for (;;) {
        if (count_condition(p, e) < 0)
            goto fail;
        if (p->kind == T_COMMA) {
            where_next(p);
            continue;
        }
        if (p->kind == T_RPAREN)
            break;
        where_perr(p, p->kind == T_END ? col : p->start,
                   p->kind == T_END ? "unclosed 'count('"
                                    : "expected ',' or ')' in count(...)");
        goto fail;
    }
    p->in_count--;
    p->depth--;
    where_next(p);
    if (count_bound(p, e) < 0) {
        where_free(e);
        return NULL;
    }
    return e;
fail:
    where_free(e);
    return NULL;
}

struct where_expr *
where_parse_within(struct where_parser *p)
{
    size_t col = p->start;
    struct where_expr *e;
    int64_t v;

    if (++p->depth > 64)
        return where_perr(p, p->start, "within() nested too deeply"), NULL;
    where_next(p); /* ( */
    where_next(p);
    if (p->kind != T_NUM ||
        parse_int64(p->text + p->start, p->len, 1, WITHIN_MAX_MONTHS, &v) < 0)
        return where_perr(p, p->start, "expected a number of months from 1 "
                                       "to %d in within(MONTHS, CONDITION)",
                          WITHIN_MAX_MONTHS),
               NULL;
    where_next(p);
    if (p->kind != T_COMMA)
        return where_perr(p, p->start, "expected ',' after within(%d",
                          (int)v),
               NULL;
    where_next(p);
    if (!(e = where_node(p, W_WITHIN)))
        return NULL;
    e->months = (int)v;
    if (!(e->a = where_parse_or(p))) {
        where_free(e);
        return NULL;
    }
    if (p->kind != T_RPAREN) {
        where_free(e);
        return where_perr(p, p->kind == T_END ? col : p->start,
                          "expected ')' to close within("),
               NULL;
    }
    p->depth--;
    where_next(p);
    return e;
}

int
where_count_holding(const struct where_expr *e, const struct person_set *ps,
              const size_t *members, size_t nmembers, int period,
              int32_t start, int32_t end)
{
    size_t i, m;
    int k = 0;

    if (e->kind != W_COUNT)
        return -1;
    for (i = 0; i < e->nitems; i++)
        for (m = 0; m < nmembers; m++)
            if (where_eval(e->items[i], ps, members[m], period, start, end)) {
                k++;
                break;
            }
    return k;
}

static int
compare(int k, int op, int n)
{
    switch (op) {
    case OP_LT: return k < n;
    case OP_LE: return k <= n;
    case OP_GT: return k > n;
    case OP_GE: return k >= n;
    case OP_EQ: return k == n;
    default: return k != n;
    }
}

int
where_count_satisfied(const struct where_expr *e, int k)
{
    return compare(k, e->op, e->n1);
}

/* 1 when e->a holds for person in any of the e->months months ending
 * with [start, end]; the earlier ones are whole calendar months. */
static int
within_holds(const struct where_expr *e, const struct person_set *ps,
             size_t person, int period, int32_t start, int32_t end)
{
    int y, m, d, k;

    if (where_eval(e->a, ps, person, period, start, end))
        return 1;
    civil_from_days(start, &y, &m, &d);
    for (k = 1; k < e->months; k++) {
        int32_t ms, me;

        if (--m < 1) {
            m = 12;
            y--;
        }
        ms = days_from_civil(y, m, 1);
        me = days_from_civil(y, m, days_in_month(y, m));
        if (where_eval(e->a, ps, person, period - k < 0 ? 0 : period - k, ms,
                       me))
            return 1;
    }
    return 0;
}

int
where_eval_needs(const struct where_expr *e, const struct person_set *ps,
                 size_t person, int period, int32_t start, int32_t end)
{
    switch (e->kind) {
    case W_COUNT:
        return where_count_satisfied(
            e, where_count_holding(e, ps, &person, 1, period, start, end));
    case W_NEED:
        return where_eval(e->a, ps, person, period, start, end);
    case W_WITHIN:
        return within_holds(e, ps, person, period, start, end);
    default:
        return 0;
    }
}

int
where_same(const struct where_expr *a, const struct where_expr *b)
{
    size_t i;

    if (!a || !b)
        return a == b;
    if (a->kind != b->kind || a->dept != b->dept || a->service != b->service ||
        a->bands != b->bands || a->mask != b->mask || a->op != b->op ||
        a->n1 != b->n1 || a->n2 != b->n2 || a->value != b->value ||
        a->timing != b->timing || a->need != b->need ||
        a->months != b->months || a->nitems != b->nitems)
        return 0;
    for (i = 0; i < a->nitems; i++)
        if (!where_same(a->items[i], b->items[i]))
            return 0;
    return where_same(a->a, b->a) && where_same(a->b, b->b);
}

static int
is_needs_kind(const struct where_expr *e)
{
    return e->kind == W_COUNT || e->kind == W_NEED || e->kind == W_WITHIN;
}

/* The range [*lo, *hi] of holding conditions count e accepts; 0 when it
 * is not one range (!=). */
static int
count_range(const struct where_expr *e, int *lo, int *hi)
{
    *lo = 0;
    *hi = (int)e->nitems;
    switch (e->op) {
    case OP_LT: *hi = e->n1 - 1; return 1;
    case OP_LE: *hi = e->n1; return 1;
    case OP_GT: *lo = e->n1 + 1; return 1;
    case OP_GE: *lo = e->n1; return 1;
    case OP_EQ: *lo = *hi = e->n1; return 1;
    default: return 0;
    }
}

/* Two counts of the same conditions: i within o when i's range of
 * holding conditions lies inside o's. */
static int
count_within(const struct where_expr *i, const struct where_expr *o)
{
    int ilo, ihi, olo, ohi;
    size_t k;

    if (i->nitems != o->nitems)
        return 0;
    for (k = 0; k < i->nitems; k++)
        if (!where_same(i->items[k], o->items[k]))
            return 0;
    if (!count_range(i, &ilo, &ihi) || !count_range(o, &olo, &ohi))
        return 0;
    return ilo >= olo && ihi <= ohi;
}

int
where_within_needs(const struct where_expr *inner,
                   const struct where_expr *outer)
{
    if (!is_needs_kind(inner) && !is_needs_kind(outer))
        return -1;
    if (where_same(inner, outer))
        return 1;
    /* a group is its expression */
    if (inner->kind == W_NEED)
        return where_within(inner->a, outer);
    if (outer->kind == W_NEED)
        return where_within(inner, outer->a);
    if (outer->kind == W_WITHIN) {
        /* holding this month is holding within the window; a shorter
         * window of a narrower condition is inside a longer one */
        if (inner->kind == W_WITHIN)
            return inner->months <= outer->months &&
                   where_within(inner->a, outer->a);
        return where_within(inner, outer->a);
    }
    if (inner->kind == W_COUNT && outer->kind == W_COUNT)
        return count_within(inner, outer);
    if (outer->kind == W_COUNT) {
        /* count(...) >= 1 (or > 0) holds whenever one item does */
        int lo, hi;
        size_t k;

        if (!count_range(outer, &lo, &hi) || lo > 1 ||
            hi < (int)outer->nitems)
            return 0;
        for (k = 0; k < outer->nitems; k++)
            if (where_within(inner, outer->items[k]))
                return 1;
    }
    return 0;
}

static void
count_words(struct strbuf *sb, const struct where_expr *e)
{
    static const char *const words[] = {
        [OP_LT] = "fewer than", [OP_LE] = "at most", [OP_GT] = "more than",
        [OP_GE] = "at least",   [OP_EQ] = "exactly", [OP_NE] = "other than"};

    strbuf_addf(sb, "%s %d of these %zu conditions holding that month: ",
                words[e->op], e->n1, e->nitems);
}

void
where_plain_needs(struct strbuf *sb, const struct where_expr *e,
                  const struct job_plan *plan,
                  void (*render)(struct strbuf *, const struct where_expr *,
                                 const struct job_plan *))
{
    size_t i;

    switch (e->kind) {
    case W_COUNT:
        count_words(sb, e);
        /* a group by its title only: its definition is the rules' need
         * group section, and five of them would outgrow a table comment */
        for (i = 0; i < e->nitems; i++) {
            strbuf_addf(sb, "%s(%zu) ", i ? "; " : "", i + 1);
            if (e->items[i]->kind == W_NEED)
                strbuf_addf(sb, "the need '%s'",
                            plan->needs[e->items[i]->need].title);
            else
                render(sb, e->items[i], plan);
        }
        break;
    case W_NEED:
        strbuf_addf(sb, "the need '%s' (", plan->needs[e->need].title);
        render(sb, e->a, plan);
        strbuf_adds(sb, ")");
        break;
    case W_WITHIN:
        strbuf_addf(sb, "in at least one of the last %d months, this one "
                        "included: (",
                    e->months);
        render(sb, e->a, plan);
        strbuf_adds(sb, ")");
        break;
    default:
        break;
    }
}
