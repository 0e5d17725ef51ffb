#include "synth_housing.h"
#include "../core/calendar.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The register's own random stream (splitmix64), so adding it changed
 * nothing synth wrote before. */
static uint64_t
register_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static long
register_rnd(uint64_t *s, long n)
{
    return n > 0 ? (long)(register_next(s) % (uint64_t)n) : 0;
}

static int
register_chance(uint64_t *s, int per_mille)
{
    return register_rnd(s, 1000) < per_mille;
}

/* dd/mm/yyyy (style 0) or ISO (1); empty for DAY_OPEN. */
static void
register_date(int32_t day, int iso, char *buf, size_t n)
{
    int y, m, d;

    if (day == DAY_OPEN || day == DAY_NONE) {
        buf[0] = '\0';
        return;
    }
    civil_from_days(day, &y, &m, &d);
    if (iso)
        snprintf(buf, n, "%04d-%02d-%02d", y, m, d);
    else
        snprintf(buf, n, "%02d/%02d/%04d", d, m, y);
}

struct register_out {
    const struct synth_options *o;
    const struct synth_people *sp;
    FILE *reg;
    FILE *tru;
    long line;           /* the physical line the next row starts on */
    long rows;
    long cases;
    /* the H-CLIC-shaped return of the TA cases (synth_housing.h) */
    FILE *hpeople, *hmain, *hta, *htruth;
    long member[16];     /* the persons of the case being written, once */
    uint8_t member_lead[16];
    struct synth_resident member_res[16];
    int nmembers;
};

/* Remembers person pid as a member of the case being written, with the
 * lead flag of their first row. */
static void
hclic_member(struct register_out *w, long pid, const struct synth_resident *r,
             int lead)
{
    int k;

    for (k = 0; k < w->nmembers; k++)
        if (w->member[k] == pid)
            return;
    if (w->nmembers >= 16)
        return;
    w->member[w->nmembers] = pid;
    w->member_lead[w->nmembers] = (uint8_t)(lead != 0);
    w->member_res[w->nmembers++] = *r;
}

/* One duty or placement of H-CLIC case id: its row in hclic_main.csv or
 * hclic_ta.csv and its truth line. */
static void
hclic_spell(struct register_out *w, long id, int ta, const char *code,
            const char *service, int32_t start, int32_t end, int32_t applied)
{
    char s1[16], s2[16], ap[16];

    register_date(start, 1, s1, sizeof(s1));
    register_date(end, 1, s2, sizeof(s2));
    register_date(applied, 1, ap, sizeof(ap));
    if (ta)
        fprintf(w->hta, "HC%06ld,%s,%s,%s\n", id, code, s1, s2);
    else
        fprintf(w->hmain, "HC%06ld,%s,%s,%s,%s\n", id, ap, code, s1, s2);
    fprintf(w->htruth, "HC%06ld,%s,%s,%s,%s\n", id, ta ? "ta" : "main",
            service, s1, s2);
}

/* An end day past the reference date is still open on it. */
static int32_t
hclic_end(const struct register_out *w, int32_t end)
{
    return end == DAY_OPEN || end >= w->o->reference ? DAY_OPEN : end;
}

/*
 * The H-CLIC case of register case id, in TA from st to en (DAY_OPEN:
 * open): its members (the case's persons, each once), its duties -- a
 * prevention duty before the placement in 3 cases of 10, a relief duty
 * from its first day for up to 56 days, then a main duty -- and its
 * placements: a first one (B&B, hostel or nightly paid) of 2 to 10
 * weeks, then, when the stay is longer, one of a settled type to its
 * end. A stream of its own per case, so the register is as before.
 */
static void
hclic_case(struct register_out *w, long id, int32_t st, int32_t en)
{
    static const char *const first[][2] = {
        {"BB", "ta_bed_and_breakfast"}, {"HO", "ta_hostel"},
        {"NP", "ta_private_sector"}};
    static const char *const then[][2] = {
        {"PSL", "ta_private_sector"}, {"PL", "ta_private_sector"},
        {"LA", "ta_social_housing"},  {"HA", "ta_social_housing"},
        {"OT", "ta_other"}};
    uint64_t hs = w->o->seed * 0x9E3779B97F4A7C15ull + 0x48434C4943ull +
                  (uint64_t)id * 0x100000001B3ull;
    int32_t ref = w->o->reference, applied = st, pe, re;
    long k, t;

    for (k = 0; k < w->nmembers; k++) {
        const struct synth_resident *r = &w->member_res[k];
        char dob[16];

        register_date(r->dob, 1, dob, sizeof(dob));
        fprintf(w->hpeople, "HC%06ld,%s,%s,%s,%s,%s,%s,%s\n", id,
                w->member_lead[k] ? "Y" : "N", r->forename, r->surname, dob,
                r->sex == 0 ? "M" : r->sex == 1 ? "F" : "U", r->nhs,
                r->postcode);
    }
    if (register_chance(&hs, 300)) {
        int32_t ps = st - 10 - (int32_t)register_rnd(&hs, 50);

        applied = ps;
        hclic_spell(w, id, 0, "P", "prevention_duty", ps, st - 1, applied);
    }
    re = st + 55;
    if (en != DAY_OPEN && en < re)
        re = en;
    hclic_spell(w, id, 0, "R", "relief_duty", st, hclic_end(w, re), applied);
    if ((en == DAY_OPEN || en > st + 55) && st + 56 <= ref)
        hclic_spell(w, id, 0, "M", "main_duty", st + 56, hclic_end(w, en),
                    applied);
    t = register_rnd(&hs, 3);
    pe = st + 14 + (int32_t)register_rnd(&hs, 57);
    if ((en != DAY_OPEN && pe >= en) || pe >= ref) {
        hclic_spell(w, id, 1, first[t][0], first[t][1], st, hclic_end(w, en),
                    applied);
        return;
    }
    hclic_spell(w, id, 1, first[t][0], first[t][1], st, pe, applied);
    t = register_rnd(&hs, 5);
    hclic_spell(w, id, 1, then[t][0], then[t][1], pe + 1, hclic_end(w, en),
                applied);
}

/* One row: person pid on case `ref` from start to end (DAY_OPEN: open),
 * as its lead or not; its truth lines. */
static void
register_row(struct register_out *w, long ref, long pid,
             const struct synth_resident *r, int lead, const char *tenure,
             int32_t start, int32_t end)
{
    char dob[16], s1[16], s2[16], i1[16], i2[16], idob[16];

    register_date(r->dob, 0, dob, sizeof(dob));
    register_date(start, 0, s1, sizeof(s1));
    register_date(end, 0, s2, sizeof(s2));
    register_date(start, 1, i1, sizeof(i1));
    register_date(end, 1, i2, sizeof(i2));
    register_date(r->dob, 1, idob, sizeof(idob));
    fprintf(w->reg, "HR%06ld,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", ref,
            lead ? "Y" : "N", r->forename, r->surname, dob,
            r->sex == 0 ? "M" : r->sex == 1 ? "F" : "U", r->nhs, r->postcode,
            tenure, s1, s2);
    fprintf(w->tru, "HR%06ld,%ld,%s,%s,%s,%s,%s\n", ref, pid,
            lead ? "Y" : "N", tenure, i1, i2, idob);
    w->sp->truth(w->sp->ctx, w->line, pid, r);
    hclic_member(w, pid, r, lead);
    w->line++;
    w->rows++;
}

/* A day strictly inside [from, to]; DAY_NONE when there is none. */
static int32_t
register_inside(uint64_t *rs, int32_t from, int32_t to)
{
    return to - from > 2 ? from + 1 + (int32_t)register_rnd(rs, to - from - 1)
                         : DAY_NONE;
}

/* The leaver's own case from the day after they left: a single adult,
 * its lead. */
static void
register_own_case(struct register_out *w, uint64_t *rs, long pid,
                  const struct synth_resident *r, int32_t left)
{
    int32_t ref = w->o->reference, st = left + 1, en;
    const char *tenure;
    long id;

    if (st > ref)
        return;
    en = register_chance(rs, 500) ? DAY_OPEN
                                  : st + 30 + (int32_t)register_rnd(rs, 400);
    if (en != DAY_OPEN && en >= ref)
        en = DAY_OPEN;
    tenure = register_chance(rs, 500) ? "TA" : "SH";
    id = w->cases++;
    w->nmembers = 0;
    register_row(w, id, pid, r, 1, tenure, st, en);
    if (!strcmp(tenure, "TA"))
        hclic_case(w, id, st, en);
}

/*
 * The case of the household of people first .. first + n - 1 (n <= 8),
 * when it has one: the rules of synth_housing.h.
 */
static void
register_case(struct register_out *w, uint64_t *rs, long first, long n)
{
    struct synth_resident res[8];
    int32_t ref = w->o->reference, st, en, last, leave = DAY_NONE,
            change = DAY_NONE, join = DAY_NONE;
    long r = register_rnd(rs, 1000), k, id;
    const char *tenure;

    if (r >= 150)
        return;
    tenure = r < 60 ? "TA" : r < 100 ? "HP" : "SH";
    st = ref - (int32_t)register_rnd(rs, 36 * 30);
    en = register_chance(rs, 400) ? DAY_OPEN
                                  : st + 30 + (int32_t)register_rnd(rs, 700);
    if (en != DAY_OPEN && en >= ref)
        en = DAY_OPEN;
    last = en == DAY_OPEN ? ref : en;
    if (n >= 2 && register_chance(rs, 120))
        leave = register_inside(rs, st, last);
    else if (n >= 2 && register_chance(rs, 100))
        change = register_inside(rs, st, last);
    if (n >= 3 && register_chance(rs, 100))
        join = register_inside(rs, st, last);
    for (k = 0; k < n; k++)
        w->sp->resident(w->sp->ctx, first + k, &res[k]);
    id = w->cases++;
    w->nmembers = 0;
    for (k = 0; k < n; k++) {
        int32_t s = st > res[k].dob ? st : res[k].dob, e = en;

        if (s > last)
            continue; /* born after the case */
        if (k == 1 && leave != DAY_NONE)
            e = leave;
        if (k == n - 1 && k >= 2 && join != DAY_NONE && join > s)
            s = join;
        if (change != DAY_NONE && k <= 1) {
            /* the lead leaves the day before the second adult takes over */
            if (s <= change - 1)
                register_row(w, id, first + k, &res[k], k == 0, tenure, s,
                             change - 1);
            if (k == 1)
                register_row(w, id, first + k, &res[k], 1, tenure,
                             s > change ? s : change, e);
            continue;
        }
        if (e != DAY_OPEN && s > e)
            continue;
        register_row(w, id, first + k, &res[k], k == 0, tenure, s, e);
    }
    if (!strcmp(tenure, "TA") && w->nmembers)
        hclic_case(w, id, st, en);
    if (leave != DAY_NONE && register_chance(rs, 500))
        register_own_case(w, rs, first + 1, &res[1], leave);
}

int
synth_housing_write(const struct synth_options *o,
                    const struct synth_people *sp, long *rows,
                    struct diag *d)
{
    struct register_out w;
    struct synth_resident r;
    uint64_t rs = o->seed * 0x9E3779B97F4A7C15ull + 24;
    char path[4096];
    long pid, h1;
    int rc = 0;

    memset(&w, 0, sizeof(w));
    w.o = o;
    w.sp = sp;
    w.line = 2;
    snprintf(path, sizeof(path), "%s/housing_register.csv", o->dir);
    w.reg = fopen(path, "w");
    snprintf(path, sizeof(path), "%s/truth_households_SYNTHETIC_IDENTIFIERS.csv",
             o->dir);
    w.tru = fopen(path, "w");
    snprintf(path, sizeof(path), "%s/hclic_people.csv", o->dir);
    w.hpeople = fopen(path, "w");
    snprintf(path, sizeof(path), "%s/hclic_main.csv", o->dir);
    w.hmain = fopen(path, "w");
    snprintf(path, sizeof(path), "%s/hclic_ta.csv", o->dir);
    w.hta = fopen(path, "w");
    snprintf(path, sizeof(path), "%s/truth_hclic.csv", o->dir);
    w.htruth = fopen(path, "w");
    if (!w.reg || !w.tru || !w.hpeople || !w.hmain || !w.hta || !w.htruth) {
        diag_set(d, o->dir, 0, 0, NULL, "cannot write the housing register: "
                 "%s", strerror(errno));
        rc = CE_IO;
        goto out;
    }
    fputs("Case Reference,Lead Applicant,Forename,Surname,Date of Birth,Sex,"
          "NHS Number,Postcode,Tenure,Start Date,End Date\n", w.reg);
    fputs("case,person,lead,tenure,start,end,dob\n", w.tru);
    fputs("CaseRef,LeadApplicant,Forename,Surname,DOB,Sex,NHSNumber,"
          "Postcode\n", w.hpeople);
    fputs("CaseRef,AppDate,DutyType,DutyStart,DutyEnd\n", w.hmain);
    fputs("CaseRef,TAType,TAStart,TAEnd\n", w.hta);
    fputs("case,table,service,start,end\n", w.htruth);
    for (pid = 0; pid < sp->n; pid = h1) {
        sp->resident(sp->ctx, pid, &r);
        for (h1 = pid + 1; h1 < sp->n && h1 - pid < 8; h1++) {
            struct synth_resident next;

            sp->resident(sp->ctx, h1, &next);
            if (next.household != r.household)
                break;
        }
        register_case(&w, &rs, pid, h1 - pid);
    }
    *rows = w.rows;
out:
    if (w.reg && (ferror(w.reg) | fclose(w.reg)) && rc == 0)
        rc = CE_IO;
    if (w.tru && (ferror(w.tru) | fclose(w.tru)) && rc == 0)
        rc = CE_IO;
    if (w.hpeople && (ferror(w.hpeople) | fclose(w.hpeople)) && rc == 0)
        rc = CE_IO;
    if (w.hmain && (ferror(w.hmain) | fclose(w.hmain)) && rc == 0)
        rc = CE_IO;
    if (w.hta && (ferror(w.hta) | fclose(w.hta)) && rc == 0)
        rc = CE_IO;
    if (w.htruth && (ferror(w.htruth) | fclose(w.htruth)) && rc == 0)
        rc = CE_IO;
    if (rc == CE_IO && !d->msg[0])
        diag_set(d, o->dir, 0, 0, NULL, "cannot write the housing register");
    return rc;
}
