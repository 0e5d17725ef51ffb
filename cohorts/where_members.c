/*
 * where_members.c - a household cohort's `where`: the member qualifiers
 * (`any member(...)`, `all members(...)`, `lead(...)`), parsed and
 * evaluated over one household's members in one month, and count(...)
 * over those members (where.h, README "Households").
 */
#include "where_private.h"

#include "../core/calendar.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* 1 when the text after the current token, spaces skipped, starts with
 * word w (not followed by more of a word), and then, when paren, '(';
 * *after is where it ends. */
static int
followed_by(const struct where_parser *p, const char *w, int paren,
            size_t *after)
{
    const char *s = p->text;
    size_t i = p->pos, n = strlen(w);

    while (isspace((unsigned char)s[i]))
        i++;
    if (n) {
        if (strncasecmp(s + i, w, n) ||
            isalnum((unsigned char)s[i + n]) || s[i + n] == '_' ||
            s[i + n] == '.')
            return 0;
        i += n;
        while (isspace((unsigned char)s[i]))
            i++;
    }
    if (paren && s[i] != '(')
        return 0;
    *after = i;
    return 1;
}

struct where_expr *
where_parse_member(struct where_parser *p)
{
    struct where_expr *e, *inner;
    enum node_kind k;
    size_t after, col = p->start;

    if (where_is_word(p, "any") && followed_by(p, "member", 1, &after))
        k = W_ANY_MEMBER;
    else if (where_is_word(p, "all") && followed_by(p, "members", 1, &after))
        k = W_ALL_MEMBERS;
    else if (where_is_word(p, "lead") && followed_by(p, "", 1, &after))
        k = W_LEAD;
    else
        return NULL;
    if (p->in_member)
        return where_perr(p, col, "a member qualifier inside another one: "
                                  "the inner expression is about one "
                                  "person"), NULL;
    if (p->in_need)
        return where_perr(p, col, "a member qualifier in a [need]'s where: "
                                  "a need group is about one person"), NULL;
    p->pos = after; /* at '(' */
    where_next(p);
    p->in_member = 1;
    inner = where_parse_paren(p);
    p->in_member = 0;
    if (!inner)
        return NULL;
    if (!(e = where_node(p, k))) {
        where_free(inner);
        return NULL;
    }
    e->a = inner;
    return e;
}

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

/* 1 when spell k of the household's own continues a period: an earlier
 * one of the term's service was open on its first day (as a person's,
 * where.c). */
static int
own_continues(const struct where_expr *e, const struct where_members *m,
              size_t k)
{
    const struct spell *s = &m->own[k];
    size_t j;

    if (s->period != PERIOD_BY_DATES)
        return s->period == PERIOD_CONTINUES;
    for (j = 0; j < k; j++) {
        const struct spell *t = &m->own[j];

        if (t->department == e->dept &&
            (e->kind == W_DEPT || t->service == e->service) &&
            t->start < s->start && (t->end == DAY_OPEN || t->end >= s->start))
            return 1;
    }
    return 0;
}

/* A service or department term over the household's own spells, with
 * the person's timing rules (active in, new in, ever by the month). */
static int
own_spells_hold(const struct where_expr *e, const struct where_members *m,
                int32_t start, int32_t end)
{
    size_t k;

    for (k = 0; k < m->nown; k++) {
        const struct spell *s = &m->own[k];

        if (s->start > end)
            break; /* by start */
        if (s->department != e->dept ||
            (e->kind == W_SERVICE && s->service != e->service))
            continue;
        if (e->timing == TIME_EVER ||
            (e->timing == TIME_NEW
                 ? s->start >= start && !own_continues(e, m, k)
                 : s->end == DAY_OPEN || s->end >= start))
            return 1;
    }
    return 0;
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
    case W_COUNT:
        /* the household's needs: a condition holds when it holds for any
         * member, and counts once however many it holds for */
        return m->n > 0 &&
               where_count_satisfied(e, where_count_holding(
                                            e, ps, m->person, m->n, period,
                                            start, end));
    case W_SERVICE:
    case W_DEPT:
        /* unqualified, a service is the household's: a member's spell
         * or the household's own (README "Households") */
        return m->n > 0 && (eval_members(e, e, ps, m, period, start, end) ||
                            own_spells_hold(e, m, start, end));
    default: /* a person's term unqualified: any member */
        return eval_members(e, e, ps, m, period, start, end);
    }
}

int
where_has_members(const struct where_expr *e)
{
    size_t i;

    if (!e)
        return 0;
    if (e->kind == W_ANY_MEMBER || e->kind == W_ALL_MEMBERS ||
        e->kind == W_LEAD)
        return 1;
    for (i = 0; i < e->nitems; i++)
        if (where_has_members(e->items[i]))
            return 1;
    /* a need group's expression never has one (where_parse_member) */
    return e->kind != W_NEED &&
           (where_has_members(e->a) || where_has_members(e->b));
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

/* Qualifiers compared by kind, then their insides (where_private.h). */
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

/* "any member of the household that month (aged under 18 ...)" */
void
where_plain_member(struct strbuf *sb, const struct where_expr *e,
                   const struct job_plan *plan,
                   void (*render)(struct strbuf *, const struct where_expr *,
                                  const struct job_plan *))
{
    strbuf_adds(sb, e->kind == W_ANY_MEMBER    ? "any member "
                    : e->kind == W_ALL_MEMBERS ? "every member "
                                               : "the lead ");
    strbuf_adds(sb, "of the household that month (");
    render(sb, e->a, plan);
    strbuf_adds(sb, ")");
}
