/*
 * synth_needs.c - the multiple-needs departments' synthetic extracts
 * (synth_needs.h).
 */
#include "synth_needs.h"
#include "../core/calendar.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* splitmix64, a stream of its own (synth.c's is left untouched). */
static uint64_t
needs_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static long
needs_rnd(uint64_t *s, long n)
{
    return n > 0 ? (long)(needs_next(s) % (uint64_t)n) : 0;
}

static int
needs_chance(uint64_t *s, int per_mille)
{
    return needs_rnd(s, 1000) < per_mille;
}

/* An open file and its physical line count (header = line 1). */
struct needs_file {
    FILE *f;
    const char *source;   /* the needs.conf [source] name */
    long line;            /* the line the next row is written on */
    long rows;
};

/* Everything a row writer needs. */
struct needs_ctx {
    const struct synth_options *o;
    struct needs_file file[SYNTH_NEEDS_EXTRACTS];
    FILE *truth;
    FILE *spells;
    long incidents;       /* police incident numbers */
};

enum { NF_BENEFITS, NF_YOUTH_JUSTICE, NF_EARLY_HELP, NF_POLICE };

static void
iso(int32_t day, char buf[11])
{
    if (day == DAY_OPEN || day == DAY_NONE)
        buf[0] = '\0';
    else
        format_iso_date(day, buf);
}

/* Whole years of age on day. */
static int
age_on(int32_t dob, int32_t day)
{
    int y1, m1, d1, y2, m2, d2, a;

    civil_from_days(dob, &y1, &m1, &d1);
    civil_from_days(day, &y2, &m2, &d2);
    a = y2 - y1;
    if (m2 < m1 || (m2 == m1 && d2 < d1))
        a--;
    return a;
}

/*
 * One row: the extract's own columns (ref, then the identifiers, then
 * code and dates), its truth line and its spell.
 */
static void
needs_row(struct needs_ctx *x, int which, const char *ref,
          const struct synth_needs_person *p, long pid, const char *code,
          const char *department, const char *service, int32_t start,
          int32_t end)
{
    struct needs_file *nf = &x->file[which];
    char dob[11], s1[11], s2[11];

    iso(p->dob, dob);
    iso(start, s1);
    iso(end, s2);
    if (which == NF_POLICE)
        fprintf(nf->f, "%s,%s,%s,%s,%s,%s,%s,%s\n", ref, p->forename,
                p->surname, dob, p->postcode, code, s1, s2);
    else
        fprintf(nf->f, "%s,%s,%s,%s,%s,%s,%s,%s,%s\n", ref, p->nhs,
                p->forename, p->surname, dob, p->postcode, code, s1, s2);
    fprintf(x->truth, "%s,%ld,%ld,%s,,%s,%s,%s,%s\n", nf->source, nf->line,
            pid, which == NF_POLICE ? "" : p->nhs, p->forename, p->surname,
            dob, p->postcode);
    fprintf(x->spells, "%ld,%s,%s,%s,%s\n", pid, department, service, s1, s2);
    nf->line++;
    nf->rows++;
}

/* A spell in the 36 months before the reference date: open (end
 * DAY_OPEN) open_pm times in a thousand or when it would end after it. */
static void
needs_spell(uint64_t *s, int32_t reference, int open_pm, int len_min,
            int len_rnd, int32_t *start, int32_t *end)
{
    *start = reference - (int32_t)needs_rnd(s, 36 * 30);
    *end = *start + len_min + (int32_t)needs_rnd(s, len_rnd);
    if (needs_chance(s, open_pm) || *end > reference)
        *end = DAY_OPEN;
}

/* Benefit awards of an adult: out of work (the worklessness flag), and
 * housing benefit or council tax support. */
static void
benefit_rows(struct needs_ctx *x, uint64_t *s, const struct synth_needs_person *p,
             long pid, int high)
{
    int32_t st, en;
    char ref[24];

    if (age_on(p->dob, x->o->reference) < 18)
        return;
    if (needs_chance(s, high ? 450 : 40)) {
        needs_spell(s, x->o->reference, 400, 60, 600, &st, &en);
        snprintf(ref, sizeof(ref), "B%07ld1", pid);
        needs_row(x, NF_BENEFITS, ref, p, pid, "OOW", "benefits",
                  "out_of_work", st, en);
    }
    if (needs_chance(s, high ? 400 : 60)) {
        int hb = needs_chance(s, 550);

        needs_spell(s, x->o->reference, 500, 90, 700, &st, &en);
        snprintf(ref, sizeof(ref), "B%07ld2", pid);
        needs_row(x, NF_BENEFITS, ref, p, pid, hb ? "HB" : "CTS", "benefits",
                  hb ? "housing_benefit" : "council_tax_support", st, en);
    }
}

/* A youth justice intervention starting between 10 and 17. */
static void
youth_rows(struct needs_ctx *x, uint64_t *s, const struct synth_needs_person *p,
           long pid, int high)
{
    static const char *const codes[3] = {"YRO", "YC", "OOCD"};
    static const char *const services[3] = {"order", "caution",
                                            "out_of_court_disposal"};
    int32_t st, en;
    int a, k;
    char ref[24];

    a = age_on(p->dob, x->o->reference);
    if (a < 10 || a > 20 || !needs_chance(s, high ? 160 : 12))
        return;
    k = (int)needs_rnd(s, 3);
    if (k == 0)
        needs_spell(s, x->o->reference, 0, 180, 185, &st, &en);
    else {
        needs_spell(s, x->o->reference, 0, 0, 1, &st, &en);
        en = st;
    }
    a = age_on(p->dob, st);
    if (a < 10 || a > 17)
        return;
    snprintf(ref, sizeof(ref), "Y%07ld", pid);
    needs_row(x, NF_YOUTH_JUSTICE, ref, p, pid, codes[k], "youth_justice",
              services[k], st, en);
}

/* Police incidents: domestic abuse (adults), missing episodes (10 to 17)
 * and antisocial behaviour (10 and over), each on one day. */
static void
police_rows(struct needs_ctx *x, uint64_t *s, const struct synth_needs_person *p,
            long pid, int high)
{
    static const struct {
        const char *code, *service;
        int lo, hi, pm, high_pm;
    } kinds[3] = {
        {"DA", "domestic_abuse", 18, 200, 15, 250},
        {"MISS", "missing_episode", 10, 17, 8, 150},
        {"ASB", "antisocial_behaviour", 10, 200, 10, 150},
    };
    int k, n;

    for (k = 0; k < 3; k++)
        for (n = 0; n < 2; n++) {
            int32_t day;
            int a;
            char ref[24];

            if (!needs_chance(s, high ? kinds[k].high_pm : kinds[k].pm))
                break;
            day = x->o->reference - (int32_t)needs_rnd(s, 36 * 30);
            a = age_on(p->dob, day);
            if (a < kinds[k].lo || a > kinds[k].hi)
                continue;
            snprintf(ref, sizeof(ref), "INC%08ld", ++x->incidents);
            needs_row(x, NF_POLICE, ref, p, pid, kinds[k].code,
                      "police_incidents", kinds[k].service, day, day);
        }
}

/* Early help works with the household: one case, a row per member. */
static void
early_help_rows(struct needs_ctx *x, uint64_t *s,
                const struct synth_needs_person *people, long first,
                long end, int high)
{
    int32_t st, en;
    int taf;
    long pid;
    char ref[24];

    if (!needs_chance(s, high ? 300 : 15))
        return;
    needs_spell(s, x->o->reference, 300, 60, 300, &st, &en);
    taf = needs_chance(s, 400);
    snprintf(ref, sizeof(ref), "EH%06lu", (unsigned long)people[first].household);
    for (pid = first; pid < end; pid++)
        if (people[pid].dob < st)
            needs_row(x, NF_EARLY_HELP, ref, &people[pid], pid,
                      taf ? "TAF" : "EHA", "early_help",
                      taf ? "team_around_the_family" : "assessment", st, en);
}

static FILE *
needs_open(const char *dir, const char *name, const char *header,
           struct diag *d)
{
    char path[4096];
    FILE *f;

    if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
        diag_set(d, dir, 0, 0, NULL, "path too long");
        return NULL;
    }
    if (!(f = fopen(path, "wb"))) {
        diag_set(d, path, 0, 0, NULL, "cannot create: %s", strerror(errno));
        return NULL;
    }
    fputs(header, f);
    return f;
}

static int
needs_open_all(struct needs_ctx *x, const char *dir, struct diag *d)
{
    static const struct {
        const char *name, *source, *header;
    } files[SYNTH_NEEDS_EXTRACTS] = {
        {"benefits.csv", "benefits",
         "CLAIM_REF,NHS_NUMBER,FORENAME,SURNAME,DOB,POSTCODE,BENEFIT,"
         "AWARD_START,AWARD_END\n"},
        {"youth_justice.csv", "youth_justice",
         "YOT_ID,NHS_NUMBER,FORENAME,SURNAME,DOB,POSTCODE,INTERVENTION,"
         "START,END\n"},
        {"early_help.csv", "early_help",
         "EH_ID,NHS_NUMBER,FORENAME,SURNAME,DOB,POSTCODE,SERVICE,START,"
         "END\n"},
        {"police_incidents.csv", "police_incidents",
         "INCIDENT_REF,FORENAME,SURNAME,DOB,POSTCODE,TYPE,INCIDENT_DATE,"
         "CLOSED_DATE\n"},
    };
    int i;

    for (i = 0; i < SYNTH_NEEDS_EXTRACTS; i++) {
        x->file[i].source = files[i].source;
        x->file[i].line = 2;
        if (!(x->file[i].f = needs_open(dir, files[i].name, files[i].header,
                                        d)))
            return CE_IO;
    }
    if (!(x->truth = needs_open(dir, "needs_truth_SYNTHETIC_IDENTIFIERS.csv",
                                "source,line,person,nhs_number,upn,forename,"
                                "surname,dob,postcode\n",
                                d)) ||
        !(x->spells = needs_open(dir, "needs_spells.csv",
                                 "person,department,service,start,end\n", d)))
        return CE_IO;
    return 0;
}

static int
needs_close(FILE *f)
{
    int bad;

    if (!f)
        return 0;
    bad = ferror(f);
    return (fclose(f) != 0 || bad) ? -1 : 0;
}

int
synth_needs_write(const struct synth_options *o,
                  const struct synth_needs_person *people, long n,
                  long rows[SYNTH_NEEDS_EXTRACTS], struct diag *d)
{
    struct needs_ctx x;
    uint64_t s = o->seed * 0x9FB21C651E98DF25ull + 27;
    long first, end, pid;
    int i, bad = 0, rc;

    memset(&x, 0, sizeof(x));
    x.o = o;
    if ((rc = needs_open_all(&x, o->dir, d)) == 0) {
        /* households are contiguous in synth.c's numbering */
        for (first = 0; first < n; first = end) {
            int high = needs_chance(&s, 100);

            for (end = first + 1;
                 end < n && people[end].household == people[first].household;
                 end++)
                ;
            for (pid = first; pid < end; pid++) {
                benefit_rows(&x, &s, &people[pid], pid, high);
                youth_rows(&x, &s, &people[pid], pid, high);
                police_rows(&x, &s, &people[pid], pid, high);
            }
            early_help_rows(&x, &s, people, first, end, high);
        }
    }
    for (i = 0; i < SYNTH_NEEDS_EXTRACTS; i++) {
        rows[i] = x.file[i].rows;
        bad |= needs_close(x.file[i].f);
    }
    bad |= needs_close(x.truth) | needs_close(x.spells);
    if (bad && rc == 0) {
        diag_set(d, o->dir, 0, 0, NULL, "cannot write the needs extracts");
        rc = CE_IO;
    }
    return rc;
}
