/*
 * where_members.c - a household cohort's `where`: the member qualifiers
 * (`any member(...)`, `all members(...)`, `lead(...)`) over one
 * household's members in one month (where.h, README "Households").
 */
#include "where.h"
#include "where_node.h"

/* Qualifier q (a member qualifier node, or any other node read as
 * `any member(...)`) over the household's members in the month. */
static int
eval_members(const struct where_expr *q, const struct where_expr *e,
             const struct person_set *ps, const struct where_members *m,
             int period, int32_t start, int32_t end)
{
    size_t i;

    for (i = 0; i < m->n; i++) {
        int in;

        if (q->kind == W_LEAD && !m->lead[i])
            continue;
        in = where_eval(e, ps, m->person[i], period, start, end);
        if (q->kind == W_ALL_MEMBERS ? !in : in)
            return q->kind != W_ALL_MEMBERS;
    }
    return q->kind == W_ALL_MEMBERS && m->n > 0;
}

int
where_eval_household(const struct where_expr *e, const struct person_set *ps,
                     const struct where_members *m, int period,
                     int32_t start, int32_t end)
{
    switch (e->kind) {
    case W_ALL:
        return m->n > 0;
    case W_AND:
        return where_eval_household(e->a, ps, m, period, start, end) &&
               where_eval_household(e->b, ps, m, period, start, end);
    case W_OR:
        return where_eval_household(e->a, ps, m, period, start, end) ||
               where_eval_household(e->b, ps, m, period, start, end);
    case W_NOT:
        return m->n > 0 &&
               !where_eval_household(e->a, ps, m, period, start, end);
    case W_ANY_MEMBER:
    case W_ALL_MEMBERS:
    case W_LEAD:
        return eval_members(e, e->a, ps, m, period, start, end);
    default: /* a person's term unqualified: any member */
        return eval_members(e, e, ps, m, period, start, end);
    }
}

int
where_has_members(const struct where_expr *e)
{
    if (!e)
        return 0;
    return e->kind == W_ANY_MEMBER || e->kind == W_ALL_MEMBERS ||
           e->kind == W_LEAD || where_has_members(e->a) ||
           where_has_members(e->b);
}

int
where_node_is_member(const struct where_expr *e)
{
    return e->kind == W_ANY_MEMBER || e->kind == W_ALL_MEMBERS ||
           e->kind == W_LEAD;
}

/* A member qualifier, or a person's term (read as any member of it). */
static int
member_or_term(const struct where_expr *e)
{
    return where_node_is_member(e) || e->kind == W_SERVICE ||
           e->kind == W_DEPT || e->kind == W_AGE || e->kind == W_SEX ||
           e->kind == W_ETHNICITY;
}

/* Qualifiers compared by kind, then their insides (where_node.h). */
int
where_member_within(const struct where_expr *i, const struct where_expr *o)
{
    int ik = where_node_is_member(i) ? (int)i->kind : W_ANY_MEMBER;
    int ok = where_node_is_member(o) ? (int)o->kind : W_ANY_MEMBER;
    const struct where_expr *ia = where_node_is_member(i) ? i->a : i;
    const struct where_expr *oa = where_node_is_member(o) ? o->a : o;

    if (!member_or_term(i) || !member_or_term(o) ||
        (ik != ok && ok != W_ANY_MEMBER))
        return 0;
    return where_within(ia, oa);
}
