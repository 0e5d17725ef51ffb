/*
 * where.h - the `where` language: who is in a cohort in a given month.
 *
 *   expr  := or ;  or := and ("or" and)* ;  and := not ("and" not)*
 *   not   := "not" not | atom
 *   atom  := "(" expr ")" | "all"
 *          | DEPARTMENT "." SERVICE      a spell of it overlaps the month
 *          | DEPARTMENT ".any"           any spell of the department does
 *          | "new(" DEPARTMENT "." SERVICE|any ")"   a period starts in the month:
 *                                        a spell starts and no earlier
 *                                        spell of the term is open that day
 *                                        (contiguous spells are one period)
 *          | "ever(" DEPARTMENT "." SERVICE|any ")"  a spell started by its end
 *          | "age" (< <= > >= = !=) N   | "age between" A "and" B
 *          | "sex" (= !=) M|F|U|X       | "ethnicity" (= !=) GROUP
 *          | "any member(" expr ")" | "all members(" expr ")"
 *          | "lead(" expr ")"        member qualifiers, households only
 *          | "need." NAME                a [need NAME] group's where holds
 *          | "count(" item ("," item)* ")" (>= > = <= < !=) N
 *                how many of the items hold that month
 *                (item := expr | "need.*", every group in file order)
 *          | "within(" MONTHS "," expr ")"
 *                expr held in one of the last MONTHS months, this one
 *                included (1 to 120)
 *
 * Each condition keeps its own period: count() asks each item about the
 * month counted, within() asks its expression about each month of its
 * window (an age before the first published period is the first's). A
 * [need] group's where may use everything but need.NAME and need.*.
 *
 * A household cohort (`unit = households`) evaluates the expression per
 * household and month over the members of that month
 * (cohorts/household_count.h): `any member(E)` holds when E holds for at
 * least one member, `all members(E)` when it holds for every member (and
 * there is one), `lead(E)` when it holds for a member flagged lead that
 * month (none: it fails). A term outside every qualifier reads as
 * `any member(term)`; `all` holds for every household with a member that
 * month; `not` is taken over the households with a member. E is about
 * one person: a qualifier inside another, or in a [need]'s where, is an
 * error. count(...) unqualified counts the household's conditions: each
 * holds when it holds for any member that month (where_count_holding()
 * over the members), so a family has a need when any member has it;
 * need.NAME and within() unqualified read as any member of them.
 *
 * Ages compare whole age bands: `age < 18` needs a band starting at 18 so
 * every band is wholly in or out (a published table must never split a
 * band it does not show). A person whose age is unknown fails every age
 * test.
 *
 *     struct where_expr *e;
 *     where_parse(text, plan, &e, &d)  -- CE_CONFIG (or CE_NOMEM):
 *                                         d->column, d->msg
 *     where_eval(e, persons, p, period, start, end) -> 0/1
 *     where_eval_household(e, persons, &members, period, start, end) -> 0/1
 *     where_plain(e, plan) -> malloc'd plain English for IG reviewers
 *     where_free(e);
 */
#ifndef COHORT_WHERE_H
#define COHORT_WHERE_H

#include <stdint.h>

#include "../anonymise/person.h"
#include "../core/plan.h"
#include "../core/error.h"

struct where_expr;

int where_parse(const char *text, const struct job_plan *plan,
                struct where_expr **out, struct diag *d);

/* where_parse() for a [need NAME] group's where: the same language less
 * need.NAME and need.* (a group names no group). */
int where_parse_group(const char *text, const struct job_plan *plan,
                      struct where_expr **out, struct diag *d);

int where_eval(const struct where_expr *e, const struct person_set *ps,
               size_t person, int period, int32_t period_start,
               int32_t period_end);

/*
 * How many of the conditions of e, a count(...) expression, hold in the
 * month [start, end] (period) for any of members[0..nmembers), persons of
 * ps: each condition counts once however many members it holds for. A
 * person's count() is this with the one member; a household unit passes
 * its members, so a family has a need when any member has it. -1 when e
 * is not a count(...).
 */
int where_count_holding(const struct where_expr *e,
                        const struct person_set *ps, const size_t *members,
                        size_t nmembers, int period, int32_t start,
                        int32_t end);

/*
 * 1 when person has a spell of service (an index into plan->services) of
 * department dept overlapping [start, end]: the `DEPT.SERVICE` term, also
 * used for service flags in `by`.
 */
int where_service_active(const struct person_set *ps, size_t person, int dept,
                         int service, int32_t start, int32_t end);

/* What a table cell fixes about the persons it counts; -1: not fixed. */
struct where_facts {
    int age_band;           /* a band index, AGE_BAND_UNKNOWN, or -1 */
    int sex;                /* enum sex_code or -1 */
    int ethnicity;          /* enum ethnic_group or -1 */
    size_t nflags;          /* service flags of the by columns */
    int flag_service[COHORT_MAX_BY]; /* index into plan->services */
    int flag_dept[COHORT_MAX_BY];
    int flag_yes[COHORT_MAX_BY];     /* 1: yes, 0: no */
};

/*
 * 0 when no person with these facts can satisfy e in any month, whatever
 * the data: the cell is a structural zero (an age band outside an age
 * condition, a sex the condition excludes, `no` for a service the
 * condition requires). 1 when someone might. Reasoned on the form of e
 * with the atoms the facts decide and the rest unknown (an unknown age
 * fails every age test, as where_eval has it).
 */
int where_possible(const struct where_expr *e, const struct where_facts *f);
/* The members of one household in one month: persons (indexes into the
 * person set, as where_count_holding() takes them), and whether each is
 * flagged lead. */
struct where_members {
    const size_t *person;
    const uint8_t *lead;
    size_t n;
    /* the household's own spells (a source of household events: an
     * H-CLIC main or TA row), by start; none when nown is 0 */
    const struct spell *own;
    size_t nown;
};

/* The household whose members in the month are m: 0/1, by the rules
 * above (where_members.c). */
int where_eval_household(const struct where_expr *e,
                         const struct person_set *ps,
                         const struct where_members *m, int period,
                         int32_t period_start, int32_t period_end);

/* 1 when e has a member qualifier (so it is a household cohort's). */
int where_has_members(const struct where_expr *e);

char *where_plain(const struct where_expr *e, const struct job_plan *plan);

/*
 * 1 when, as far as the expressions' form shows, every person `inner`
 * selects in a month `outer` selects too (`a and b` within `a`; `a` within
 * `a or b`; `age >= 65` within `age >= 18`; `new(x)` within `x` within
 * `ever(x)`; equal expressions within each other), else 0. It reasons on
 * the form only: two expressions that select the same persons by
 * different means may say 0 (`cohort rules` states that risk). Used to
 * find cohorts of one job whose tables a reader could subtract.
 */
int where_within(const struct where_expr *inner,
                 const struct where_expr *outer);

void where_free(struct where_expr *e);

#endif
