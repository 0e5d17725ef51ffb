#include "where.h"
#include "where_private.h"

#include "../core/calendar.h"
#include "../core/strbuf.h"
#include "../core/strnum.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int
where_perr(struct where_parser *p, size_t col, const char *fmt, ...)
{
    va_list ap;

    if (p->err)
        return -1;
    va_start(ap, fmt);
    vsnprintf(p->d->msg, sizeof(p->d->msg), fmt, ap);
    va_end(ap);
    p->d->column = (long)col + 1;
    snprintf(p->d->rule, sizeof(p->d->rule), "where");
    p->err = 1;
    return -1;
}

void
where_next(struct where_parser *p)
{
    const char *s = p->text;
    size_t i = p->pos;

    while (s[i] && isspace((unsigned char)s[i]))
        i++;
    p->start = i;
    if (!s[i]) {
        p->kind = T_END;
        p->len = 0;
    } else if (isalpha((unsigned char)s[i]) || s[i] == '_') {
        while (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '.')
            i++;
        if (s[i] == '*' && s[i - 1] == '.')
            i++; /* need.* */
        p->kind = T_IDENT;
    } else if (s[i] == ',') {
        p->kind = T_COMMA;
        i++;
    } else if (isdigit((unsigned char)s[i])) {
        while (isdigit((unsigned char)s[i]))
            i++;
        p->kind = T_NUM;
    } else if (s[i] == '(' || s[i] == ')') {
        p->kind = s[i] == '(' ? T_LPAREN : T_RPAREN;
        i++;
    } else if (strchr("<>=!", s[i])) {
        i++;
        if (s[i] == '=')
            i++;
        p->kind = T_OP;
    } else {
        p->kind = T_BAD;
        i++;
    }
    p->len = i - p->start;
    p->pos = i;
}

int
where_is_word(const struct where_parser *p, const char *w)
{
    return p->kind == T_IDENT && strlen(w) == p->len &&
           !strncasecmp(p->text + p->start, w, p->len);
}

struct where_expr *
where_node(struct where_parser *p, enum node_kind k)
{
    struct where_expr *e = calloc(1, sizeof(*e));

    if (!e) {
        where_perr(p, p->start, "out of memory");
        p->nomem = 1;
    }
    else
        e->kind = k;
    return e;
}

int
where_op_of(const struct where_parser *p)
{
    static const char *const ops[] = {"<", "<=", ">", ">=", "=", "!="};
    size_t i;

    if (p->kind != T_OP)
        return -1;
    for (i = 0; i < 6; i++)
        if (strlen(ops[i]) == p->len && !strncmp(ops[i], p->text + p->start,
                                                 p->len))
            return (int)i;
    if (p->len == 2 && !strncmp(p->text + p->start, "==", 2))
        return OP_EQ;
    return -1;
}

/* 1 when a band starts at age a (so "below a" splits no band). */
static int
band_starts(const struct job_plan *plan, int a)
{
    size_t i;

    for (i = 0; i < plan->nage_bands; i++)
        if (plan->age_bands[i].lo == a)
            return 1;
    return 0;
}

static int
boundaries(const struct job_plan *plan, char *buf, size_t n)
{
    size_t i, o = 0;

    buf[0] = '\0';
    for (i = 1; i < plan->nage_bands && o < n; i++)
        o += (size_t)snprintf(buf + o, n - o, "%s%d", i > 1 ? ", " : "",
                              plan->age_bands[i].lo);
    return 0;
}

/* Bands with every age in [lo, hi] (hi -1: open). */
static uint64_t
bands_in(const struct job_plan *plan, int lo, int hi)
{
    uint64_t m = 0;
    size_t i;

    for (i = 0; i < plan->nage_bands; i++) {
        int blo = plan->age_bands[i].lo, bhi = plan->age_bands[i].hi;

        if (blo >= lo && (hi < 0 || (bhi >= 0 && bhi <= hi)))
            m |= (uint64_t)1 << i;
    }
    return m;
}

static struct where_expr *
parse_age(struct where_parser *p)
{
    struct where_expr *e;
    const struct job_plan *plan = p->plan;
    int op, a = 0, b = 0, lo, hi;
    int64_t v;
    size_t col;
    char bl[256];

    where_next(p);
    col = p->start;
    if (where_is_word(p, "between")) {
        op = OP_BETWEEN;
        where_next(p);
        if (p->kind != T_NUM ||
            parse_int64(p->text + p->start, p->len, 0, 150, &v) < 0)
            return where_perr(p, p->start, "expected an age after "
                                           "'between'"),
                   NULL;
        a = (int)v;
        where_next(p);
        if (!where_is_word(p, "and"))
            return where_perr(p, p->start,
                              "expected 'and' in 'age between A and B'"),
                   NULL;
        where_next(p);
        if (p->kind != T_NUM ||
            parse_int64(p->text + p->start, p->len, 0, 150, &v) < 0)
            return where_perr(p, p->start, "expected an age after 'and'"), NULL;
        b = (int)v;
        if (b < a)
            return where_perr(p, p->start,
                              "'age between %d and %d' is empty", a, b),
                   NULL;
        lo = a;
        hi = b;
    } else {
        op = where_op_of(p);
        if (op < 0)
            return where_perr(p, p->start, "expected <, <=, >, >=, = or != "
                                           "after 'age'"),
                   NULL;
        where_next(p);
        col = p->start;
        if (p->kind != T_NUM ||
            parse_int64(p->text + p->start, p->len, 0, 150, &v) < 0)
            return where_perr(p, p->start, "expected an age in years"), NULL;
        a = (int)v;
        switch (op) {
        case OP_LT: lo = 0; hi = a - 1; break;
        case OP_LE: lo = 0; hi = a; break;
        case OP_GT: lo = a + 1; hi = -1; break;
        case OP_GE: lo = a; hi = -1; break;
        default: lo = a; hi = a; break;
        }
    }
    /* both ends must fall on band boundaries */
    if ((lo > 0 && !band_starts(plan, lo)) ||
        (hi >= 0 && !band_starts(plan, hi + 1))) {
        boundaries(plan, bl, sizeof(bl));
        return where_perr(p, col, "age %d splits an age band; ages must "
                                  "fall on the band boundaries (%s)",
                          lo > 0 && !band_starts(plan, lo) ? lo : hi + 1, bl),
               NULL;
    }
    if (hi >= 0 && hi < lo)
        return where_perr(p, col, "this age test matches nobody"), NULL;
    if (!(e = where_node(p, W_AGE)))
        return NULL;
    e->bands = bands_in(plan, lo, hi);
    if (op == OP_NE)
        e->bands = ~e->bands & (plan->nage_bands >= 64
                                    ? ~(uint64_t)0
                                    : (((uint64_t)1 << plan->nage_bands) - 1));
    e->op = op;
    e->n1 = a;
    e->n2 = b;
    where_next(p);
    return e;
}

static struct where_expr *
parse_code(struct where_parser *p, enum node_kind k)
{
    struct where_expr *e;
    int op, v = -1, i;
    int n = k == W_SEX ? SEX_COUNT : ETH_COUNT;

    where_next(p);
    op = where_op_of(p);
    if (op != OP_EQ && op != OP_NE)
        return where_perr(p, p->start, "expected = or != after '%s'",
                    k == W_SEX ? "sex" : "ethnicity"), NULL;
    where_next(p);
    for (i = 0; i < n && p->kind == T_IDENT; i++) {
        const char *name = k == W_SEX ? sex_name((enum sex_code)i)
                                      : ethnic_group_name((enum ethnic_group)i);

        if (strlen(name) == p->len &&
            !strncasecmp(name, p->text + p->start, p->len))
            v = i;
    }
    if (v < 0)
        return where_perr(p, p->start, k == W_SEX
                                     ? "expected M, F, U or X"
                                     : "expected WHITE, MIXED, ASIAN, BLACK, "
                                       "OTHER or UNKNOWN"), NULL;
    if (!(e = where_node(p, k)))
        return NULL;
    e->mask = (uint8_t)(1u << v);
    if (op == OP_NE)
        e->mask = (uint8_t)~e->mask;
    e->op = op;
    e->value = v;
    where_next(p);
    return e;
}

struct where_expr *
where_parse_service(struct where_parser *p)
{
    const char *s = p->text + p->start;
    const char *dot = memchr(s, '.', p->len);
    char dept[64], svc[64];
    size_t dl, sl, i;
    int dep, idx;
    struct where_expr *e;

    if (!dot)
        return where_perr(p, p->start, "unknown word; expected "
                                       "DEPARTMENT.SERVICE, need.NAME, "
                                       "count(, within(, new(, ever(, age, "
                                       "sex, ethnicity, all, not or '('"),
               NULL;
    dl = (size_t)(dot - s);
    sl = p->len - dl - 1;
    if (dl >= sizeof(dept) || sl >= sizeof(svc) || !sl)
        return where_perr(p, p->start, "expected DEPARTMENT.SERVICE"), NULL;
    memcpy(dept, s, dl);
    dept[dl] = '\0';
    memcpy(svc, dot + 1, sl);
    svc[sl] = '\0';
    if (!strcmp(dept, "need"))
        return where_parse_need(p, svc, sl);
    dep = job_plan_department_lookup(p->plan, dept);
    if (dep < 0) {
        char known[512];

        job_plan_department_names(p->plan, known, sizeof(known));
        return where_perr(p, p->start, "unknown department '%s' (declared: %s)",
                    dept, known), NULL;
    }
    if (!strcmp(svc, "any")) {
        if (!(e = where_node(p, W_DEPT)))
            return NULL;
        e->dept = dep;
        where_next(p);
        return e;
    }
    idx = job_plan_service_index(p->plan, dep, svc);
    if (idx < 0) {
        struct strbuf sb = STRBUF_INIT;

        for (i = 0; i < p->plan->nservices; i++)
            if (p->plan->services[i].department == dep)
                strbuf_addf(&sb, "%s%s", sb.len ? ", " : "",
                            p->plan->services[i].name);
        where_perr(p, p->start + dl + 1,
                   "unknown service '%s' in %s (known: %s)",
             svc, dept, sb.len ? strbuf_str(&sb) : "none mapped");
        strbuf_release(&sb);
        return NULL;
    }
    if (!(e = where_node(p, W_SERVICE)))
        return NULL;
    e->dept = dep;
    e->service = idx;
    where_next(p);
    return e;
}

struct where_expr *
where_parse_paren(struct where_parser *p)
{
    struct where_expr *e;
    size_t col = p->start;

    if (++p->depth > 64)
        return where_perr(p, p->start, "parentheses nested too deeply "
                                       "(at most 64)"), NULL;
    where_next(p);
    e = where_parse_or(p);
    p->depth--;
    if (!e)
        return NULL;
    if (p->kind != T_RPAREN) {
        where_free(e);
        return where_perr(p, p->kind == T_END ? col : p->start,
                          p->kind == T_END ? "unclosed '('"
                                           : "expected 'and', 'or' or ')'"),
               NULL;
    }
    where_next(p);
    return e;
}

static struct where_expr *
parse_atom(struct where_parser *p)
{
    struct where_expr *e;

    if (p->kind == T_LPAREN)
        return where_parse_paren(p);
    if ((where_is_word(p, "new") || where_is_word(p, "ever")) &&
        p->text[p->pos + strspn(p->text + p->pos, " \t")] == '(') {
        int timing = where_is_word(p, "new") ? TIME_NEW : TIME_EVER;
        size_t col = p->start;

        where_next(p); /* ( */
        where_next(p);
        if (p->kind != T_IDENT || !memchr(p->text + p->start, '.', p->len))
            return where_perr(p, p->start, "expected DEPARTMENT.SERVICE inside "
                                     "%s(...)",
                        timing == TIME_NEW ? "new" : "ever"), NULL;
        e = where_parse_service(p);
        if (!e)
            return NULL;
        e->timing = timing;
        if (p->kind != T_RPAREN) {
            where_free(e);
            return where_perr(p, p->kind == T_END ? col : p->start,
                        "expected ')' to close %s(",
                        timing == TIME_NEW ? "new" : "ever"), NULL;
        }
        where_next(p);
        return e;
    }
    if ((e = where_parse_member(p)) != NULL || p->err)
        return e;
    if (where_is_word(p, "all")) {
        where_next(p);
        return where_node(p, W_ALL);
    }
    if (where_is_word(p, "count") &&
        p->text[p->pos + strspn(p->text + p->pos, " \t")] == '(')
        return where_parse_count(p);
    if (where_is_word(p, "within") &&
        p->text[p->pos + strspn(p->text + p->pos, " \t")] == '(')
        return where_parse_within(p);
    if (where_is_word(p, "age"))
        return parse_age(p);
    if (where_is_word(p, "sex"))
        return parse_code(p, W_SEX);
    if (where_is_word(p, "ethnicity"))
        return parse_code(p, W_ETHNICITY);
    if (p->kind == T_IDENT)
        return where_parse_service(p);
    if (p->kind == T_END)
        return where_perr(p, p->start, "expression ends too early"), NULL;
    return where_perr(p, p->start, "unexpected '%.*s'", (int)p->len,
                p->text + p->start), NULL;
}

static struct where_expr *
parse_not(struct where_parser *p)
{
    struct where_expr *e, *inner;

    if (!where_is_word(p, "not"))
        return parse_atom(p);
    if (++p->depth > 64)
        return where_perr(p, p->start, "'not' nested too deeply (at most "
                                       "64)"),
               NULL;
    where_next(p);
    inner = parse_not(p);
    p->depth--;
    if (!inner)
        return NULL;
    if (!(e = where_node(p, W_NOT))) {
        where_free(inner);
        return NULL;
    }
    e->a = inner;
    return e;
}

static struct where_expr *
parse_binary(struct where_parser *p, const char *word, enum node_kind k,
             struct where_expr *(*sub)(struct where_parser *))
{
    struct where_expr *left = sub(p), *right, *e;

    while (left && where_is_word(p, word)) {
        where_next(p);
        right = sub(p);
        if (!right || !(e = where_node(p, k))) {
            where_free(left);
            where_free(right);
            return NULL;
        }
        e->a = left;
        e->b = right;
        left = e;
    }
    return left;
}

static struct where_expr *
parse_and(struct where_parser *p)
{
    return parse_binary(p, "and", W_AND, parse_not);
}

struct where_expr *
where_parse_or(struct where_parser *p)
{
    return parse_binary(p, "or", W_OR, parse_and);
}

static int
parse_text(const char *text, const struct job_plan *plan, int in_need,
           struct where_expr **out, struct diag *d)
{
    struct where_parser p;
    struct where_expr *e;

    memset(&p, 0, sizeof(p));
    p.in_need = in_need;
    p.text = text;
    p.plan = plan;
    p.d = d;
    *out = NULL;
    where_next(&p);
    e = where_parse_or(&p);
    if (e && p.kind != T_END) {
        where_perr(&p, p.start, p.kind == T_RPAREN ? "unmatched ')'"
                                             : "expected 'and', 'or' or the "
                                               "end");
        where_free(e);
        e = NULL;
    }
    if (!e) {
        if (!p.err)
            where_perr(&p, p.start, "cannot parse");
        return p.nomem ? CE_NOMEM : CE_CONFIG;
    }
    *out = e;
    return 0;
}

int
where_parse(const char *text, const struct job_plan *plan,
            struct where_expr **out, struct diag *d)
{
    return parse_text(text, plan, 0, out, d);
}

int
where_parse_group(const char *text, const struct job_plan *plan,
                  struct where_expr **out, struct diag *d)
{
    return parse_text(text, plan, 1, out, d);
}

static int
overlaps(const struct spell *s, int32_t start, int32_t end)
{
    return s->start <= end && (s->end == DAY_OPEN || s->end >= start);
}

int
where_service_active(const struct person_set *ps, size_t person, int dept,
                     int service, int32_t start, int32_t end)
{
    uint32_t i;

    for (i = ps->spell_first[person]; i < ps->spell_first[person + 1]; i++) {
        const struct spell *s = &ps->spells[i];

        if (s->start > end)
            break; /* spells are sorted by start */
        if (s->department == dept && s->service == service &&
            overlaps(s, start, end))
            return 1;
    }
    return 0;
}

/* 1 when spell i of person continues a period: its source says so (the
 * SSDA903 episode's reason for a new episode is not S), or, when its
 * source does not say, an earlier spell the term matches started before
 * it and was still open on its first day (an SSDA903 episode begins on
 * the day the one before it ceased). A chain of such spells is one period
 * (of care, of need, of a plan), so a placement move or a change of legal
 * status is no new entry. */
static int
spell_continues(const struct where_expr *e, const struct person_set *ps,
                size_t person, uint32_t i)
{
    const struct spell *s = &ps->spells[i];
    uint32_t k;

    if (s->period != PERIOD_BY_DATES)
        return s->period == PERIOD_CONTINUES;
    for (k = ps->spell_first[person]; k < i; k++) {
        const struct spell *t = &ps->spells[k];

        if (t->department == e->dept &&
            (e->kind == W_DEPT || t->service == e->service) &&
            t->start < s->start && (t->end == DAY_OPEN || t->end >= s->start))
            return 1;
    }
    return 0;
}

int
where_eval(const struct where_expr *e, const struct person_set *ps,
           size_t person, int period, int32_t start, int32_t end)
{
    uint32_t i;
    uint8_t band;

    switch (e->kind) {
    case W_ALL:
        return 1;
    case W_AND:
        return where_eval(e->a, ps, person, period, start, end) &&
               where_eval(e->b, ps, person, period, start, end);
    case W_OR:
        return where_eval(e->a, ps, person, period, start, end) ||
               where_eval(e->b, ps, person, period, start, end);
    case W_NOT:
        return !where_eval(e->a, ps, person, period, start, end);
    case W_SERVICE:
    case W_DEPT:
        if (e->kind == W_SERVICE && e->timing == TIME_ACTIVE)
            return where_service_active(ps, person, e->dept, e->service, start,
                                        end);
        for (i = ps->spell_first[person]; i < ps->spell_first[person + 1]; i++) {
            const struct spell *s = &ps->spells[i];

            if (s->start > end)
                break; /* spells are sorted by start */
            if (s->department == e->dept &&
                (e->kind == W_DEPT || s->service == e->service) &&
                (e->timing == TIME_EVER ||
                 (e->timing == TIME_NEW
                      ? s->start >= start &&
                            !spell_continues(e, ps, person, i)
                      : overlaps(s, start, end))))
                return 1;
        }
        return 0;
    case W_AGE:
        band = ps->age_band[person * (size_t)ps->nperiods + (size_t)period];
        return band != AGE_BAND_UNKNOWN && band < 64 &&
               ((e->bands >> band) & 1);
    case W_SEX:
        return (e->mask >> ps->sex[person]) & 1;
    case W_ETHNICITY:
        return (e->mask >> ps->ethnicity[person]) & 1;
    case W_COUNT:
    case W_NEED:
    case W_WITHIN:
        return where_eval_needs(e, ps, person, period, start, end);
    case W_ANY_MEMBER:
    case W_ALL_MEMBERS:
    case W_LEAD:
        /* a household's qualifiers: never in a person cohort's where
         * (job.c refuses it); one person is all of their own members */
        return where_eval(e->a, ps, person, period, start, end);
    }
    return 0;
}

enum { W3_FALSE, W3_TRUE, W3_MAYBE };

/* e under the facts: true, false, or depends on what they leave open. */
static int
eval3(const struct where_expr *e, const struct where_facts *f)
{
    int a, b;
    size_t k;

    switch (e->kind) {
    case W_ALL:
        return W3_TRUE;
    case W_AND:
    case W_OR:
        a = eval3(e->a, f);
        b = eval3(e->b, f);
        if (e->kind == W_AND) {
            if (a == W3_FALSE || b == W3_FALSE)
                return W3_FALSE;
            return a == W3_TRUE && b == W3_TRUE ? W3_TRUE : W3_MAYBE;
        }
        if (a == W3_TRUE || b == W3_TRUE)
            return W3_TRUE;
        return a == W3_FALSE && b == W3_FALSE ? W3_FALSE : W3_MAYBE;
    case W_NOT:
        a = eval3(e->a, f);
        return a == W3_MAYBE ? W3_MAYBE : a == W3_TRUE ? W3_FALSE : W3_TRUE;
    case W_AGE:
        if (f->age_band < 0)
            return W3_MAYBE;
        if (f->age_band == AGE_BAND_UNKNOWN || f->age_band >= 64)
            return W3_FALSE; /* an unknown age fails every age test */
        return (e->bands >> f->age_band) & 1 ? W3_TRUE : W3_FALSE;
    case W_SEX:
        if (f->sex < 0)
            return W3_MAYBE;
        return (e->mask >> f->sex) & 1 ? W3_TRUE : W3_FALSE;
    case W_ETHNICITY:
        if (f->ethnicity < 0)
            return W3_MAYBE;
        return (e->mask >> f->ethnicity) & 1 ? W3_TRUE : W3_FALSE;
    case W_SERVICE:
    case W_DEPT:
        /* a flag is the service's spell overlapping the month: a spell
         * that starts in the month overlaps it, and one that overlaps it
         * has started by its end */
        for (k = 0; k < f->nflags; k++) {
            if (f->flag_dept[k] != e->dept ||
                (e->kind == W_SERVICE && f->flag_service[k] != e->service))
                continue;
            if (f->flag_yes[k] && e->timing != TIME_NEW)
                return W3_TRUE;
            if (!f->flag_yes[k] && e->kind == W_SERVICE &&
                e->timing != TIME_EVER)
                return W3_FALSE;
        }
        return W3_MAYBE;
    case W_COUNT:
    case W_NEED:
    case W_WITHIN:
    case W_ANY_MEMBER:
    case W_ALL_MEMBERS:
    case W_LEAD:
        /* a count of needs, a need group, a condition over months
         * before, or a household's members: left open (no cell is [z]
         * for them), the side that never calls a possible cell
         * impossible */
        return W3_MAYBE;
    }
    return W3_MAYBE;
}

int
where_possible(const struct where_expr *e, const struct where_facts *f)
{
    return eval3(e, f) != W3_FALSE;
}

/* A spell timing's rank: a spell that starts in the month overlaps it,
 * and one that overlaps it has started by its end (new <= active <= ever). */
static int
timing_rank(int timing)
{
    return timing == TIME_NEW ? 0 : timing == TIME_ACTIVE ? 1 : 2;
}

/* 1 when every person atom i selects in a month, atom o selects too. */
static int
atom_within(const struct where_expr *i, const struct where_expr *o)
{
    int r = where_within_needs(i, o);

    if (r >= 0)
        return r;
    if (where_node_is_member(i) || where_node_is_member(o))
        return where_member_within(i, o);
    switch (o->kind) {
    case W_ALL:
        return 1;
    case W_AGE:
        return i->kind == W_AGE && (i->bands & ~o->bands) == 0;
    case W_SEX:
    case W_ETHNICITY:
        return i->kind == o->kind && (i->mask & ~o->mask) == 0;
    case W_SERVICE:
        return i->kind == W_SERVICE && i->dept == o->dept &&
               i->service == o->service &&
               timing_rank(i->timing) <= timing_rank(o->timing);
    case W_DEPT:
        return (i->kind == W_SERVICE || i->kind == W_DEPT) &&
               i->dept == o->dept &&
               timing_rank(i->timing) <= timing_rank(o->timing);
    default:
        return 0;
    }
}

int
where_within(const struct where_expr *inner, const struct where_expr *outer)
{
    /* the outer side first: o = x and y holds i when both hold it,
     * o = x or y when either does */
    if (outer->kind == W_AND)
        return where_within(inner, outer->a) && where_within(inner, outer->b);
    if (outer->kind == W_OR &&
        (where_within(inner, outer->a) || where_within(inner, outer->b)))
        return 1;
    if (outer->kind == W_ALL)
        return 1;
    switch (inner->kind) {
    case W_AND: /* i = x and y is within o when x or y is */
        return where_within(inner->a, outer) || where_within(inner->b, outer);
    case W_OR:
        return where_within(inner->a, outer) && where_within(inner->b, outer);
    case W_NOT: /* not x within not y when y within x */
        return outer->kind == W_NOT && where_within(outer->a, inner->a);
    default:
        return atom_within(inner, outer);
    }
}


static void plain(struct strbuf *sb, const struct where_expr *e,
                  const struct job_plan *plan, enum node_kind parent);

/* A condition inside count() or within(), in words as a whole. */
static void
plain_whole(struct strbuf *sb, const struct where_expr *e,
            const struct job_plan *plan)
{
    plain(sb, e, plan, W_ALL);
}

static void
plain(struct strbuf *sb, const struct where_expr *e,
      const struct job_plan *plan, enum node_kind parent)
{
    const char *name;
    size_t i;

    switch (e->kind) {
    case W_ALL:
        strbuf_adds(sb, "every resident");
        break;
    case W_AND:
    case W_OR:
        if (parent != e->kind && (parent == W_AND || parent == W_OR ||
                                  parent == W_NOT))
            strbuf_adds(sb, "(");
        plain(sb, e->a, plan, e->kind);
        strbuf_adds(sb, e->kind == W_AND ? " and " : " or ");
        plain(sb, e->b, plan, e->kind);
        if (parent != e->kind && (parent == W_AND || parent == W_OR ||
                                  parent == W_NOT))
            strbuf_adds(sb, ")");
        break;
    case W_NOT:
        strbuf_adds(sb, "not ");
        plain(sb, e->a, plan, W_NOT);
        break;
    case W_SERVICE:
        strbuf_adds(sb, e->timing == TIME_NEW    ? "starting "
                        : e->timing == TIME_EVER ? "ever having received "
                                                 : "receiving ");
        name = plan->services[e->service].name;
        for (i = 0; name[i]; i++)
            strbuf_add(sb, name[i] == '_' ? " " : &name[i], 1);
        strbuf_addf(sb, " (%s)%s", job_plan_department_title(plan, e->dept),
                    e->timing == TIME_EVER ? " by the end of the month"
                                           : " that month");
        break;
    case W_DEPT:
        strbuf_addf(sb, "%s %s%s",
                    e->timing == TIME_NEW    ? "newly known to"
                    : e->timing == TIME_EVER ? "ever known to"
                                             : "known to",
                    job_plan_department_title(plan, e->dept),
                    e->timing == TIME_EVER ? " by the end of the month"
                                           : " that month");
        break;
    case W_AGE:
        switch (e->op) {
        case OP_LT: strbuf_addf(sb, "aged under %d", e->n1); break;
        case OP_LE: strbuf_addf(sb, "aged %d or under", e->n1); break;
        case OP_GT: strbuf_addf(sb, "aged over %d", e->n1); break;
        case OP_GE: strbuf_addf(sb, "aged %d or over", e->n1); break;
        case OP_EQ: strbuf_addf(sb, "aged %d", e->n1); break;
        case OP_NE: strbuf_addf(sb, "not aged %d", e->n1); break;
        default: strbuf_addf(sb, "aged %d to %d", e->n1, e->n2); break;
        }
        strbuf_adds(sb, " at the end of the month");
        break;
    case W_SEX:
        strbuf_addf(sb, "recorded sex %s%s", e->op == OP_NE ? "not " : "",
                    sex_name((enum sex_code)e->value));
        break;
    case W_ETHNICITY:
        strbuf_addf(sb, "ethnic group %s%s", e->op == OP_NE ? "not " : "",
                    ethnic_group_name((enum ethnic_group)e->value));
        break;
    case W_COUNT:
    case W_NEED:
    case W_WITHIN:
        where_plain_needs(sb, e, plan, plain_whole);
        break;
    case W_ANY_MEMBER:
    case W_ALL_MEMBERS:
    case W_LEAD:
        where_plain_member(sb, e, plan, plain_whole);
        break;
    }
}

char *
where_plain(const struct where_expr *e, const struct job_plan *plan)
{
    struct strbuf sb = STRBUF_INIT;

    plain(&sb, e, plan, W_ALL);
    if (strbuf_failed(&sb)) {
        strbuf_release(&sb);
        return NULL;
    }
    return strbuf_detach(&sb);
}

void
where_free(struct where_expr *e)
{
    size_t i;

    if (!e)
        return;
    where_free(e->a);
    where_free(e->b);
    for (i = 0; i < e->nitems; i++)
        where_free(e->items[i]);
    free(e->items);
    free(e);
}
