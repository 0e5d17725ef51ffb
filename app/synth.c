#include "synth.h"
#include "../core/calendar.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

/* splitmix64: small, fast, and the same everywhere (never rand()). */
static uint64_t
next_u64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static long
rnd(uint64_t *s, long n)
{
    return n > 0 ? (long)(next_u64(s) % (uint64_t)n) : 0;
}

/* 1 with probability per_mille / 1000. */
static int
chance(uint64_t *s, int per_mille)
{
    return rnd(s, 1000) < per_mille;
}

static const char *const female[] = {
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella",
    "Rosie", "Sophia", "Grace", "Freya", "Florence", "Willow", "Evie",
    "Elizabeth", "Margaret", "Katherine", "Susan", "Patricia", "Deborah",
    "Jennifer", "Victoria", "Eleanor", "Abigail", "Zoë", "Siân", "Niamh",
    "Aoife", "Chloé", "Aisha", "Fatima", "Priya", "Mei", "Amara", "Chiamaka",
    "Anne-Marie", "Joanne", "Louise", "Dorothy", "Valerie", "Amanda",
    "Jessica", "Alexandra", "Frances", "Ngozi", "Zainab", "Hannah", "Ruth",
    "Megan"};
static const char *const male[] = {
    "Oliver", "George", "Noah", "Arthur", "Muhammad", "Leo", "Oscar",
    "Harry", "Archie", "Jack", "William", "Robert", "James", "Thomas",
    "Daniel", "Samuel", "Michael", "Edward", "Richard", "Joseph", "Charles",
    "Christopher", "Andrew", "Nicholas", "Matthew", "Anthony", "Stephen",
    "Peter", "Kenneth", "Alexander", "Frederick", "Henry", "Gareth", "Dafydd",
    "Seán", "Ciarán", "Rhys", "Kwame", "Chinedu", "Arjun", "Ravi", "Wei",
    "Tomás", "Jean-Luc", "Albert", "Timothy", "Philip", "Raymond", "Joshua",
    "Ibrahim"};
static const char *const surnames[] = {
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans",
    "Wilson", "Thomas", "Johnson", "Roberts", "Robinson", "Thompson",
    "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall",
    "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner",
    "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee",
    "King", "Baker", "Harrison", "Morgan", "Allen", "James", "Scott",
    "Phillips", "Watson", "Davis", "Parker", "Price", "Bennett", "Young",
    "Griffiths", "Mitchell", "Kelly", "Cook", "Carter", "Richardson",
    "Bailey", "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox",
    "Richards", "Khan", "Marshall", "Anderson", "Simpson", "Ellis",
    "Adams", "Singh", "Begum", "Wilkinson", "Foster", "Chapman", "Powell",
    "Webb", "Rogers", "Gray", "Mason", "Ali", "Hunt", "Hussain", "Campbell",
    "Matthews", "Owen", "Palmer", "Holmes", "Mills", "Barnes", "Knight",
    "Lloyd", "Butler", "Russell", "Barker", "Fisher", "Stevens", "Jenkins",
    "Murray", "Dixon", "Harvey", "O'Brien", "O'Neill", "McDonald",
    "MacLeod", "Ní Bhriain", "Smith-Jones", "Okafor", "Adeyemi", "Nguyen",
    "Kowalski", "Müller", "Ahmed", "Chen", "Fernández", "Østergaard"};

/* Nicknames the extracts use instead of the registered forename. */
static const char *const nick_of[][2] = {
    {"William", "Bill"}, {"Robert", "Bob"}, {"James", "Jim"},
    {"Thomas", "Tom"}, {"Daniel", "Dan"}, {"Samuel", "Sam"},
    {"Michael", "Mike"}, {"Edward", "Ted"}, {"Richard", "Dick"},
    {"Joseph", "Joe"}, {"Charles", "Charlie"}, {"Christopher", "Chris"},
    {"Andrew", "Andy"}, {"Nicholas", "Nick"}, {"Matthew", "Matt"},
    {"Anthony", "Tony"}, {"Stephen", "Steve"}, {"Peter", "Pete"},
    {"Elizabeth", "Liz"}, {"Margaret", "Maggie"}, {"Katherine", "Kate"},
    {"Susan", "Sue"}, {"Jennifer", "Jenny"}, {"Victoria", "Vicky"},
    {"Alexander", "Alex"}, {"Frederick", "Fred"}, {"Henry", "Harry"},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct person {
    const char *forename;
    const char *surname;
    int32_t dob;
    uint8_t sex;         /* 0 M, 1 F, 2 U */
    uint8_t eth;         /* 0..5 WHITE MIXED ASIAN BLACK OTHER UNKNOWN */
    char nhs[11];
    char upn[14];
    uint32_t postcode;   /* index into the lookup */
    uint32_t household;
};

/* The NHS number with body 999 000 000 + n (the test range, never issued;
 * past it, 400 000 000 + ...), or -1 when that body's check value is 10. */
static int
nhs_for(uint64_t n, char out[11])
{
    uint64_t body = 999000000ull + n;
    int sum = 0, i, check;

    if (body > 999999999ull)
        body = 400000000ull + (body - 1000000000ull);
    snprintf(out, 11, "%09u", (unsigned)(body % 1000000000ull));
    for (i = 0; i < 9; i++)
        sum += (out[i] - '0') * (10 - i);
    check = 11 - sum % 11;
    if (check == 11)
        check = 0;
    if (check == 10)
        return -1;
    out[9] = (char)('0' + check);
    out[10] = '\0';
    return 0;
}

void
synth_nhs_number(uint64_t n, char out[11])
{
    while (nhs_for(n, out) < 0)
        n++;
}

/* Hands out distinct valid NHS numbers in order. */
static void
next_nhs(uint64_t *counter, char out[11])
{
    while (nhs_for(*counter, out) < 0)
        (*counter)++;
    (*counter)++;
}

void
synth_upn(int la, int yy, uint64_t n, char out[14])
{
    static const char letters[] = "ABCDEFGHJKLMNPQRTUVWXYZ";
    char buf[32];
    int sum = 0, i;

    snprintf(buf, sizeof(buf), "?%03u%04u%02u%03u", (unsigned)la % 1000,
             (unsigned)(n / 1000 % 10000), (unsigned)yy % 100,
             (unsigned)(n % 1000));
    memcpy(out, buf, 14);
    for (i = 1; i < 13; i++)
        sum += (out[i] - '0') * (i + 1);
    out[0] = letters[sum % 23];
}

/* UTF-8 to Windows-1252 for the Latin-1 range our names use. */
static void
to_cp1252(const char *in, char *out, size_t n)
{
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)in;

    while (*p && o + 1 < n) {
        if (p[0] >= 0xC2 && p[0] <= 0xC3 && (p[1] & 0xC0) == 0x80) {
            out[o++] = (char)(((p[0] & 0x1F) << 6) | (p[1] & 0x3F));
            p += 2;
        } else {
            out[o++] = (char)*p++;
        }
    }
    out[o] = '\0';
}

struct out_file {
    const char *name;
    FILE *f;
    gzFile gz;
    long line;           /* the physical line the next row starts on */
    long rows;
    char buf[8192];
    size_t len;
};

static void
flush_row(struct out_file *o)
{
    size_t i;

    if (o->gz)
        gzwrite(o->gz, o->buf, (unsigned)o->len);
    else
        fwrite(o->buf, 1, o->len, o->f);
    for (i = 0; i < o->len; i++)
        o->line += o->buf[i] == '\n';
    o->len = 0;
}

static void
put(struct out_file *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct out_file *o, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(o->buf + o->len, sizeof(o->buf) - o->len, fmt, ap);
    va_end(ap);
    if (n > 0 && (size_t)n < sizeof(o->buf) - o->len)
        o->len += (size_t)n;
}

static void
fmt_date(int32_t day, int style, char *buf, size_t n)
{
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov",
                                      "Dec"};
    int y, m, d;

    if (day == DAY_NONE || day == DAY_OPEN) {
        buf[0] = '\0';
        return;
    }
    civil_from_days(day, &y, &m, &d);
    switch (style) {
    case 0:
        snprintf(buf, n, "%02d/%02d/%04d", d, m, y);
        break;
    case 1:
        snprintf(buf, n, "%04d-%02d-%02d", y, m, d);
        break;
    case 2:
        snprintf(buf, n, "%04d%02d%02d", y, m, d);
        break;
    default:
        snprintf(buf, n, "%02d-%s-%04d", d, mon[m - 1], y);
        break;
    }
}

/* The identifiers one row carries, dirt applied. */
struct written {
    char forename[64];
    char surname[64];
    int32_t dob;
    char nhs[11];
    char postcode[16];
};

static void
dirty(uint64_t *rs, const struct person *p, const char *postcode,
      int missing_nhs_per_mille, struct written *w)
{
    size_t i;

    snprintf(w->forename, sizeof(w->forename), "%s", p->forename);
    snprintf(w->surname, sizeof(w->surname), "%s", p->surname);
    w->dob = p->dob;
    snprintf(w->nhs, sizeof(w->nhs), "%s", p->nhs);
    snprintf(w->postcode, sizeof(w->postcode), "%s", postcode);
    if (chance(rs, 60))
        for (i = 0; i < N(nick_of); i++)
            if (!strcmp(p->forename, nick_of[i][0]))
                snprintf(w->forename, sizeof(w->forename), "%s",
                         nick_of[i][1]);
    if (chance(rs, 10)) {
        /* a surname change (marriage, a double-barrelled name dropped):
         * the other system still has the old one */
        snprintf(w->surname, sizeof(w->surname), "%s",
                 surnames[rnd(rs, N(surnames))]);
    } else if (chance(rs, 30)) {
        /* a one-letter typo in the surname (ASCII positions only) */
        size_t len = strlen(w->surname), pos = 1 + (size_t)rnd(rs, 8);

        if (pos < len && w->surname[pos] >= 'a' && w->surname[pos] <= 'z')
            w->surname[pos] = (char)('a' + rnd(rs, 26));
    }
    if (chance(rs, 20)) {
        int y, m, d;

        civil_from_days(p->dob, &y, &m, &d);
        if (d <= 12 && d != m)
            w->dob = days_from_civil(y, d, m);
    }
    if (chance(rs, missing_nhs_per_mille))
        w->nhs[0] = '\0';
    else if (chance(rs, 10))
        w->nhs[9] = (char)('0' + (w->nhs[9] - '0' + 1) % 10); /* bad check */
    if (chance(rs, 100)) {
        /* spacing and case variants */
        char *sp = strchr(w->postcode, ' ');

        if (sp && chance(rs, 500))
            memmove(sp, sp + 1, strlen(sp));
        else
            for (i = 0; w->postcode[i]; i++)
                if (w->postcode[i] >= 'A' && w->postcode[i] <= 'Z')
                    w->postcode[i] = (char)(w->postcode[i] - 'A' + 'a');
    }
}

static void
truth(struct out_file *t, const struct out_file *o, long line, long pid,
      const struct written *w, const char *upn)
{
    char dob[16];

    fmt_date(w->dob, 1, dob, sizeof(dob));
    put(t, "%s,%ld,%ld,%s,%s,%s,%s,%s,%s\n", o->name, line, pid,
        w->nhs, upn ? upn : "", w->forename, w->surname, dob, w->postcode);
    flush_row(t);
}

static void spell(uint64_t *rs, int32_t reference, int32_t *start,
                  int32_t *end);

/* A spell in the 36 months before the reference date. */
static void
spell(uint64_t *rs, int32_t reference, int32_t *start, int32_t *end)
{
    *start = reference - (int32_t)rnd(rs, 36 * 30);
    if (chance(rs, 450)) {
        *end = DAY_OPEN;
    } else {
        *end = *start + 30 + (int32_t)rnd(rs, 700);
        if (*end > reference)
            *end = DAY_OPEN;
    }
}

/*
 * The stream a row's history draws from: its own, so that a history never
 * moves the main stream (spells 0/1 keep today's bytes), and a function of
 * seed, department and person (or household) only.
 */
static uint64_t
history_seed(const struct synth_options *o, int dept, long id)
{
    uint64_t s = o->seed * 0xD1342543DE82EF95ull ^ ((uint64_t)dept << 56) ^
                 (uint64_t)id;

    (void)next_u64(&s);
    return s;
}

/*
 * The spell before the one starting at *start: it ends gap_min to
 * gap_min+gap_rnd-1 days before it and lasts len_min to len_min+len_rnd-1
 * days. 0, or -1 (nothing changed) when it would start before floor: the
 * history stops there (a child's before birth, an adult service's before
 * 18).
 */
static int
earlier_spell(uint64_t *xs, int32_t *start, int32_t *end, int32_t floor,
              int gap_min, int gap_rnd, int len_min, int len_rnd)
{
    int32_t e = *start - gap_min - (int32_t)rnd(xs, gap_rnd);
    int32_t b = e - len_min - (int32_t)rnd(xs, len_rnd);

    if (b < floor)
        return -1;
    *start = b;
    *end = e;
    return 0;
}

static int
load_postcodes(const char *path, char ***out, size_t *n, struct diag *d)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t la = 0, cap = 0;
    long lineno = 0;

    *out = NULL;
    *n = 0;
    if (!f) {
        diag_set(d, path, 0, 0, "lookup", "cannot read the lookup: %s",
                 strerror(errno));
        return CE_CONFIG;
    }
    while (getline(&line, &la, f) >= 0) {
        char *comma = strchr(line, ',');

        if (++lineno == 1 || !comma)
            continue;
        *comma = '\0';
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 1024;
            char **p = realloc(*out, nc * sizeof(*p));

            if (!p)
                break;
            *out = p;
            cap = nc;
        }
        if (!((*out)[*n] = strdup(line)))
            break;
        (*n)++;
    }
    free(line);
    fclose(f);
    if (!*n) {
        diag_set(d, path, 1, 0, "lookup", "no postcodes in the lookup");
        return CE_CONFIG;
    }
    return 0;
}

/* mkdir -p */
static int
make_dirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path), i;

    if (!n || n >= sizeof(buf))
        return -1;
    memcpy(buf, path, n + 1);
    for (i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        buf[i] = '\0';
        if (mkdir(buf, 0750) < 0 && errno != EEXIST)
            return -1;
        buf[i] = path[i];
    }
    return 0;
}

static int
open_out(struct out_file *o, const char *dir, const char *name, int gz,
         struct diag *d)
{
    char path[4096];

    memset(o, 0, sizeof(*o));
    o->name = name;
    o->line = 1;
    if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
        diag_set(d, dir, 0, 0, NULL, "path too long");
        return CE_IO;
    }
    if (gz) {
        o->gz = gzopen(path, "wb1");
        if (!o->gz) {
            diag_set(d, path, 0, 0, NULL, "cannot create");
            return CE_IO;
        }
        gzbuffer(o->gz, 1 << 20);
    } else {
        o->f = fopen(path, "wb");
        if (!o->f) {
            diag_set(d, path, 0, 0, NULL, "cannot create: %s",
                     strerror(errno));
            return CE_IO;
        }
        setvbuf(o->f, NULL, _IOFBF, 1 << 20);
    }
    return 0;
}

static int
close_out(struct out_file *o)
{
    int rc = 0;

    if (o->gz)
        rc = gzclose(o->gz) == Z_OK ? 0 : -1;
    else if (o->f)
        rc = fclose(o->f) == 0 ? 0 : -1;
    o->gz = NULL;
    o->f = NULL;
    return rc;
}

static const char *const dfe_eth[6][3] = {
    {"WBRI", "WOTH", "WIRI"}, {"MWBC", "MWAS", "MOTH"},
    {"APKN", "AIND", "ABAN"}, {"BAFR", "BCRB", "BOTH"},
    {"OOTH", "OOTH", "OOTH"}, {"NOBT", "REFU", "NOBT"}};
static const char *const nhs_eth[6] = {"A", "D", "H", "N", "S", "Z"};

/* One row of the case management system's extract. */
static void
csc_row(uint64_t *rs, const struct synth_options *o, const struct person *p,
        long pid, const char *postcode, int svc, struct out_file *cs,
        struct out_file *tr)
{
    static const char *const codes[] = {"CIN", "CPP"};
    struct written w;
    char dob[16], s1[16], s2[16];
    int32_t st, en;
    long line = cs->line;

    spell(rs, o->reference, &st, &en);
    if (st < p->dob)
        st = p->dob;
    dirty(rs, p, postcode, 50, &w);
    fmt_date(w.dob, 1, dob, sizeof(dob));
    fmt_date(st, 1, s1, sizeof(s1));
    fmt_date(en, 1, s2, sizeof(s2));
    put(cs, "C%07ld,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", pid, w.forename,
        w.surname, dob, p->sex == 0 ? "1" : p->sex == 1 ? "2" : "9",
        dfe_eth[p->eth][rnd(rs, 3)], chance(rs, 100) ? "" : p->upn, w.nhs,
        w.postcode, codes[svc], s1, s2);
    flush_row(cs);
    cs->rows++;
    truth(tr, cs, line, pid, &w, p->upn);
    if (o->spells > 1) {
        /* earlier referrals, months apart, never before birth */
        uint64_t xs = history_seed(o, 1, pid);
        int k;

        for (k = 1; k < o->spells; k++) {
            if (earlier_spell(&xs, &st, &en, p->dob, 1, 200, 30, 400) < 0)
                break;
            line = cs->line;
            fmt_date(st, 1, s1, sizeof(s1));
            fmt_date(en, 1, s2, sizeof(s2));
            put(cs, "C%07ld,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", pid,
                w.forename, w.surname, dob,
                p->sex == 0 ? "1" : p->sex == 1 ? "2" : "9",
                dfe_eth[p->eth][rnd(&xs, 3)], p->upn, w.nhs, w.postcode,
                codes[chance(&xs, 200)], s1, s2);
            flush_row(cs);
            cs->rows++;
            truth(tr, cs, line, pid, &w, p->upn);
        }
    }
}

/*
 * A looked-after child as SSDA903 has it: a header row (CHILD, SEX, DOB,
 * ETHNIC, UPN -- no name, no NHS number) and one to three consecutive
 * episodes carrying only CHILD, dates, codes and the home postcode. One
 * child in a hundred has a second header row from another year's return
 * with the date of birth keyed differently (a conflict the job reports).
 */
static void
lac_rows(uint64_t *rs, const struct synth_options *o, const struct person *p,
         long pid, const char *postcode, struct out_file *lh,
         struct out_file *le, struct out_file *tr)
{
    static const char *const place[] = {"U1", "U3", "U4", "U6", "K2", "R1"};
    static const char *const legal[] = {"C2", "V2", "E1", "J2"};
    struct written w, none;
    char dob[16], s1[16], s2[16];
    int32_t st, en, a, b;
    int headers = chance(rs, 10) ? 2 : 1, h, eps, e;

    memset(&none, 0, sizeof(none));
    for (h = 0; h < headers; h++) {
        long line = lh->line;
        int32_t written_dob = p->dob;

        if (h == 1) {
            int y, m, d;

            civil_from_days(p->dob, &y, &m, &d);
            written_dob = d <= 12 && d != m ? days_from_civil(y, d, m)
                                            : p->dob + 1;
        }
        memset(&w, 0, sizeof(w));
        w.dob = written_dob;
        fmt_date(written_dob, 0, dob, sizeof(dob));
        put(lh, "C%07ld,%s,%s,%s,%s\r\n", pid, p->sex == 1 ? "2" : "1", dob,
            dfe_eth[p->eth][0], p->upn[0] && !chance(rs, 50) ? p->upn : "UN1");
        flush_row(lh);
        lh->rows++;
        truth(tr, lh, line, pid, &w, p->upn[0] ? p->upn : NULL);
    }
    spell(rs, o->reference, &st, &en);
    if (st < p->dob) {
        /* looked after from birth: the spell starts then */
        st = p->dob;
        if (en != DAY_OPEN && en <= st)
            en = st + 30 > o->reference ? DAY_OPEN : st + 30;
    }
    eps = 1 + (int)rnd(rs, 3);
    for (e = 0, a = st; e < eps; e++, a = b) {
        long line = le->line;
        int last = e == eps - 1;

        b = last ? en : a + 20 + (int32_t)rnd(rs, 120);
        if (!last && en != DAY_OPEN && b >= en)
            b = en, last = 1;
        if (b != DAY_OPEN && b > o->reference)
            b = DAY_OPEN, last = 1;
        fmt_date(a, 0, s1, sizeof(s1));
        fmt_date(b, 0, s2, sizeof(s2));
        snprintf(none.postcode, sizeof(none.postcode), "%s", postcode);
        put(le, "C%07ld,%s,%s,%s,N%d,%s,PR%d,%s,%s,%s\r\n", pid, s1,
            e ? "P" : "S", legal[rnd(rs, 4)], 1 + (int)rnd(rs, 8),
            place[rnd(rs, 6)], 1 + (int)rnd(rs, 5), s2,
            b == DAY_OPEN ? "" : last ? "E11" : "X1", postcode);
        flush_row(le);
        le->rows++;
        truth(tr, le, line, pid, &none, NULL);
        if (last)
            break;
    }
}

int
synth_write(const struct synth_options *o, struct synth_counts *c,
            struct diag *d)
{
    struct out_file hs, cs, as, ed, tr, lh, le;
    struct person *people = NULL;
    char **pcs = NULL;
    size_t npcs = 0, i;
    uint64_t rs = o->seed * 0x2545F4914F6CDD1Dull + 1;
    long pid, hh = 0;
    uint64_t nhs_counter = o->seed % 1000;
    int rc;

    memset(c, 0, sizeof(*c));
    memset(&hs, 0, sizeof(hs));
    memset(&cs, 0, sizeof(cs));
    memset(&lh, 0, sizeof(lh));
    memset(&le, 0, sizeof(le));
    memset(&as, 0, sizeof(as));
    memset(&ed, 0, sizeof(ed));
    memset(&tr, 0, sizeof(tr));
    if ((rc = load_postcodes(o->lookup, &pcs, &npcs, d)) < 0)
        goto out;
    if (make_dirs(o->dir) < 0) {
        diag_set(d, o->dir, 0, 0, NULL, "cannot create: %s", strerror(errno));
        rc = CE_IO;
        goto out;
    }
    people = calloc((size_t)o->people + 1, sizeof(*people));
    if (!people) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        rc = CE_NOMEM;
        goto out;
    }
    /* households of 1-5 sharing a postcode and mostly a surname */
    for (pid = 0; pid < o->people;) {
        long size = 1 + rnd(&rs, 4) + (chance(&rs, 200) ? 1 : 0), k;
        uint32_t pc = (uint32_t)rnd(&rs, (long)npcs);
        const char *sn = surnames[rnd(&rs, N(surnames))];

        for (k = 0; k < size && pid < o->people; k++, pid++) {
            struct person *p = &people[pid];
            int age;

            p->sex = chance(&rs, 5) ? 2 : (uint8_t)rnd(&rs, 2);
            p->forename = p->sex == 1 ? female[rnd(&rs, N(female))]
                                      : male[rnd(&rs, N(male))];
            p->surname = chance(&rs, 850) ? sn : surnames[rnd(&rs, N(surnames))];
            /* the first two of a household are adults, the rest children */
            age = k < 2 ? 18 + (int)rnd(&rs, 78) : (int)rnd(&rs, 18);
            p->dob = o->reference - age * 365 - (int32_t)rnd(&rs, 365);
            {
                long e = rnd(&rs, 100);

                p->eth = e < 75 ? 0 : e < 80 ? 1 : e < 89 ? 2 : e < 94 ? 3
                         : e < 97 ? 4 : 5;
            }
            next_nhs(&nhs_counter, p->nhs);
            p->upn[0] = '\0';
            if (age >= 4 && age <= 18)
                synth_upn(999, 26 - age % 10, (uint64_t)pid, p->upn);
            p->postcode = pc;
            p->household = (uint32_t)hh;
        }
        hh++;
    }
    c->people = o->people;
    if ((rc = open_out(&hs, o->dir, "housing.csv", 0, d)) < 0 ||
        (rc = open_out(&cs, o->dir, "children_social_care.csv", 0, d)) < 0 ||
        (rc = open_out(&as, o->dir, "adult_social_care.csv.gz", 1, d)) < 0 ||
        (rc = open_out(&ed, o->dir, "education.csv", 0, d)) < 0 ||
        (rc = open_out(&lh, o->dir, "ssda903_header.csv", 0, d)) < 0 ||
        (rc = open_out(&le, o->dir, "ssda903_episodes.csv", 0, d)) < 0 ||
        (rc = open_out(&tr, o->dir, "truth_SYNTHETIC_IDENTIFIERS.csv", 0, d)) <
            0)
        goto out;
    put(&tr, "file,line,person_id,nhs_number,upn,forename,surname,dob,"
             "postcode\n");
    flush_row(&tr);
    put(&hs, "CASE_REF,FIRST_NAME,LAST_NAME,DATE_OF_BIRTH,GENDER,NHS_NO,"
             "ADDRESS,POSTCODE,TENURE,START_DATE,END_DATE\r\n");
    flush_row(&hs);
    put(&cs, "CHILD_ID,FORENAME,SURNAME,DOB,SEX,ETHNICITY,UPN,NHS_NUMBER,"
             "POSTCODE,SERVICE,START,END\n");
    flush_row(&cs);
    put(&as, "PERSON_ID,NHS_NUMBER,GIVEN_NAME,FAMILY_NAME,BIRTH_DATE,GENDER,"
             "ETHNIC_CATEGORY,POSTCODE,SERVICE_TYPE,EVENT_START,EVENT_END\n");
    flush_row(&as);
    put(&ed, "upn,forename,surname,dob,sex,ethnicity,postcode,provision,"
             "start,end\n");
    flush_row(&ed);
    put(&lh, "CHILD,SEX,DOB,ETHNIC,UPN\r\n");
    flush_row(&lh);
    put(&le, "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,HOME_POST\r\n");
    flush_row(&le);

    /* Housing events are per household: every member is on the case. */
    {
        long h0 = 0;

        for (pid = 0; pid < o->people; pid = h0) {
            long h1 = pid, k;
            int tenure = -1;
            int32_t st, en;
            long r = rnd(&rs, 1000);

            while (h1 < o->people && people[h1].household == people[pid].household)
                h1++;
            h0 = h1;
            if (r < 30)
                tenure = 0; /* TA */
            else if (r < 60)
                tenure = 1; /* HP */
            else if (r < 140)
                tenure = 2; /* SH */
            if (tenure < 0)
                continue;
            spell(&rs, o->reference, &st, &en);
            for (k = pid; k < h1; k++) {
                const struct person *p = &people[k];
                struct written w;
                char fn[64], sn[64], dob[16], s1[16], s2[16];
                long line = hs.line;
                int copies = chance(&rs, 20) ? 2 : 1;

                while (copies--) {
                    line = hs.line;
                    dirty(&rs, p, pcs[p->postcode], 300, &w);
                    to_cp1252(w.forename, fn, sizeof(fn));
                    to_cp1252(w.surname, sn, sizeof(sn));
                    fmt_date(w.dob, 0, dob, sizeof(dob));
                    fmt_date(st, 0, s1, sizeof(s1));
                    fmt_date(en, 0, s2, sizeof(s2));
                    if (chance(&rs, 3)) {
                        dob[0] = '3';
                        dob[1] = '1';
                        dob[3] = '0';
                        dob[4] = '2'; /* 31/02: an impossible date */
                    }
                    put(&hs, "H%06ld,%s,%s,%s,%s,%s,\"%ld %s Road,%s%s\",%s,%s,%s,%s",
                        (long)p->household, fn, sn, dob,
                        p->sex == 0 ? "M" : p->sex == 1 ? "F" : "U", w.nhs,
                        1 + rnd(&rs, 200), sn,
                        chance(&rs, 100) ? "\r\n" : " ", "Town", w.postcode,
                        chance(&rs, 3) ? "XX" : tenure == 0 ? "TA" : tenure == 1 ? "HP" : "SH",
                        s1, s2);
                    if (chance(&rs, 2)) {
                        put(&hs, ",EXTRA"); /* a ragged row */
                        c->faulty_rows++;
                    }
                    put(&hs, "\r\n");
                    flush_row(&hs);
                    hs.rows++;
                    truth(&tr, &hs, line, k, &w, NULL);
                }
                if (o->spells > 1) {
                    /* the household's earlier cases, a year or so apart,
                     * the same for every member (one stream per
                     * household); a child is on those since birth */
                    uint64_t xs = history_seed(o, 0, (long)p->household);
                    long num = 1 + rnd(&xs, 200);
                    int32_t hst = st, hen;
                    int e;

                    for (e = 1; e < o->spells; e++) {
                        if (earlier_spell(&xs, &hst, &hen, p->dob, 30, 400,
                                          30, 700) < 0)
                            break;
                        line = hs.line;
                        fmt_date(hst, 0, s1, sizeof(s1));
                        fmt_date(hen, 0, s2, sizeof(s2));
                        put(&hs, "H%06ld,%s,%s,%s,%s,%s,\"%ld %s Road, Town\","
                                 "%s,%s,%s,%s\r\n",
                            (long)p->household, fn, sn, dob,
                            p->sex == 0 ? "M" : p->sex == 1 ? "F" : "U", w.nhs,
                            num, sn, w.postcode,
                            tenure == 0 ? "TA" : tenure == 1 ? "HP" : "SH", s1,
                            s2);
                        flush_row(&hs);
                        hs.rows++;
                        truth(&tr, &hs, line, k, &w, NULL);
                    }
                }
            }
        }
    }

    /* Children's social care, more likely where the household is in TA. */
    for (pid = 0; pid < o->people; pid++) {
        const struct person *p = &people[pid];
        int age = (int)((o->reference - p->dob) / 365);
        long r;
        int svc;

        if (age >= 18)
            continue;
        r = rnd(&rs, 1000);
        svc = r < 60 ? 0 : r < 75 ? 1 : r < 85 ? 2 : -1;
        if (svc < 0)
            continue;
        if (svc == 2) {
            /* looked after: the SSDA903 pair, and the case management
             * system's record (a child in need first) under the same id */
            csc_row(&rs, o, p, pid, pcs[p->postcode], 0, &cs, &tr);
            lac_rows(&rs, o, p, pid, pcs[p->postcode], &lh, &le, &tr);
        } else {
            csc_row(&rs, o, p, pid, pcs[p->postcode], svc, &cs, &tr);
        }
    }
    /* Episodes of children the header does not list (a header filtered to
     * the year, a typo in CHILD): the job quarantines them as orphans. */
    for (i = 0; i < (size_t)(le.rows / 50); i++) {
        char s1[16];
        long line = le.line;
        struct written w;

        memset(&w, 0, sizeof(w));
        fmt_date(o->reference - (int32_t)rnd(&rs, 600), 0, s1, sizeof(s1));
        put(&le, "X%07zu,%s,S,C2,N1,U1,PR1,,,\r\n", i, s1);
        flush_row(&le);
        le.rows++;
        truth(&tr, &le, line, o->people + (long)i, &w, NULL);
    }

    /* Adult social care, mostly the over-65s. */
    for (pid = 0; pid < o->people; pid++) {
        const struct person *p = &people[pid];
        int age = (int)((o->reference - p->dob) / 365);
        int lts_pm = age >= 65 ? 100 : 15;
        long r;

        if (age < 18)
            continue;
        r = rnd(&rs, 1000);
        if (r >= lts_pm + 20)
            continue;
        {
            struct written w;
            char dob[16], s1[16], s2[16];
            int32_t st, en;
            long line = as.line;

            spell(&rs, o->reference, &st, &en);
            dirty(&rs, p, pcs[p->postcode], 20, &w);
            fmt_date(w.dob, 2, dob, sizeof(dob));
            fmt_date(st, 2, s1, sizeof(s1));
            fmt_date(en, 2, s2, sizeof(s2));
            put(&as, "A%07ld,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", pid, w.nhs,
                w.forename, w.surname, dob,
                p->sex == 0 ? "Male" : p->sex == 1 ? "Female" : "Unknown",
                nhs_eth[p->eth], w.postcode, r < lts_pm ? "LTS" : "STS", s1,
                s2);
            flush_row(&as);
            as.rows++;
            truth(&tr, &as, line, pid, &w, NULL);
            if (o->spells > 1) {
                /* earlier care packages, reviewed back to back, from 18 */
                uint64_t xs = history_seed(o, 2, pid);
                int k, lts = r < lts_pm;

                for (k = 1; k < o->spells; k++) {
                    if (earlier_spell(&xs, &st, &en, p->dob + 18 * 365, 1, 1,
                                      60, 300) < 0)
                        break;
                    if (chance(&xs, 200))
                        lts = !lts;
                    line = as.line;
                    fmt_date(st, 2, s1, sizeof(s1));
                    fmt_date(en, 2, s2, sizeof(s2));
                    put(&as, "A%07ld,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", pid,
                        w.nhs, w.forename, w.surname, dob,
                        p->sex == 0   ? "Male"
                        : p->sex == 1 ? "Female"
                                      : "Unknown",
                        nhs_eth[p->eth], w.postcode, lts ? "LTS" : "STS", s1,
                        s2);
                    flush_row(&as);
                    as.rows++;
                    truth(&tr, &as, line, pid, &w, NULL);
                }
            }
        }
    }

    /* Education: SEN support, EHC plans, free school meals. */
    for (pid = 0; pid < o->people; pid++) {
        const struct person *p = &people[pid];
        long r;
        const char *prov;

        if (!p->upn[0])
            continue;
        r = rnd(&rs, 1000);
        prov = r < 120 ? "K" : r < 150 ? "E" : r < 330 ? "FSM" : NULL;
        if (!prov)
            continue;
        {
            struct written w;
            char dob[16], s1[16], s2[16];
            int32_t st, en;
            long line = ed.line;

            spell(&rs, o->reference, &st, &en);
            dirty(&rs, p, pcs[p->postcode], 1000, &w);
            fmt_date(w.dob, 3, dob, sizeof(dob));
            fmt_date(st, 3, s1, sizeof(s1));
            fmt_date(en, 3, s2, sizeof(s2));
            put(&ed, "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", p->upn, w.forename,
                w.surname, dob, p->sex == 1 ? "F" : "M",
                dfe_eth[p->eth][0], w.postcode, prov, s1, s2);
            flush_row(&ed);
            ed.rows++;
            w.nhs[0] = '\0';
            truth(&tr, &ed, line, pid, &w, p->upn);
            if (o->spells > 1) {
                /* the same provision in earlier terms, from age 4 */
                uint64_t xs = history_seed(o, 3, pid);
                int k;

                for (k = 1; k < o->spells; k++) {
                    if (earlier_spell(&xs, &st, &en, p->dob + 4 * 365, 1, 1,
                                      90, 60) < 0)
                        break;
                    line = ed.line;
                    fmt_date(st, 3, s1, sizeof(s1));
                    fmt_date(en, 3, s2, sizeof(s2));
                    put(&ed, "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", p->upn,
                        w.forename, w.surname, dob, p->sex == 1 ? "F" : "M",
                        dfe_eth[p->eth][0], w.postcode, prov, s1, s2);
                    flush_row(&ed);
                    ed.rows++;
                    truth(&tr, &ed, line, pid, &w, p->upn);
                }
            }
        }
    }
    c->rows[0] = hs.rows;
    c->rows[1] = cs.rows;
    c->rows[2] = as.rows;
    c->rows[3] = ed.rows;
    c->rows[4] = lh.rows;
    c->rows[5] = le.rows;
out:
    if ((close_out(&hs) | close_out(&cs) | close_out(&as) | close_out(&ed) |
         close_out(&lh) | close_out(&le) |
         close_out(&tr)) != 0 &&
        rc == 0) {
        diag_set(d, o->dir, 0, 0, NULL, "cannot write the extracts");
        rc = CE_IO;
    }
    for (i = 0; i < npcs; i++)
        free(pcs[i]);
    free(pcs);
    free(people);
    return rc;
}
