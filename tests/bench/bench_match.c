/*
 * bench_match.c - the probabilistic linker (anonymise/match.h) on
 * synthetic people with the errors of issue 15, generated here in C with
 * their truth: both names mistyped, swapped names, nicknames, initials,
 * missing dob or names, dob errors beyond a swap, movers, twins (same dob,
 * surname and address, another forename), households sharing a surname
 * and address, very common names, and records with no shared strong id.
 *
 * Records pass through comparison_encode() under a fresh random key, as
 * the job would make them; records of one person that share its NHS
 * number are one deterministic group (the deterministic stage's links),
 * the others are groups of their own.
 *
 * Prints pairwise precision, recall and F1 over the records, the pairs
 * compared, seconds (encode; match_add + match_run), bytes per record,
 * the linker's statistics, and record-level recall per error kind.
 *
 * Usage: bench_match [-n RECORDS] [-s SEED] [-t THRESHOLD] [-x SCALE]
 *                    [-r RULE,RULE...] [-q]
 * (-r: blocking rules as hexadecimal masks of enum match_block_part)
 * (-x multiplies every error rate: 3 is a harsher test than `cohort
 * synth`'s rates)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <sodium.h>

#include "../../anonymise/comparison.h"
#include "../../anonymise/match.h"
#include "../../core/calendar.h"
#include "../../core/schema.h"
#include "../../core/strnum.h"

/* ---- a small deterministic generator ---- */

static uint64_t rng_state;

static uint64_t
rng(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double
unif(void)
{
    return (double)(rng() >> 11) / 9007199254740992.0;
}

static unsigned
below(unsigned n)
{
    return (unsigned)(rng() % n);
}

/* ---- names ---- */

static const char *const male[] = {
    "oliver",    "george",   "harry",    "noah",        "jack",     "leo",
    "arthur",    "muhammad", "oscar",    "charlie",     "jacob",    "thomas",
    "henry",     "william",  "alfie",    "joshua",      "freddie",  "archie",
    "james",     "theo",     "isaac",    "ethan",       "lucas",    "mohammed",
    "alexander", "daniel",   "samuel",   "joseph",      "adam",     "max",
    "logan",     "edward",   "benjamin", "sebastian",   "dylan",    "finley",
    "ryan",      "jayden",   "aiden",    "reggie",      "robert",   "michael",
    "david",     "john",     "richard",  "christopher", "matthew",  "anthony",
    "mark",      "paul",     "steven",   "andrew",      "kenneth",  "peter",
    "stephen",   "ian",      "gary",     "kevin",       "jonathan", "nathan",
    "patrick",   "dominic",  "tyler",    "ali",         "omar",     "ibrahim",
    "yusuf",     "hamza",    "arjun",    "rohan",       "aarav",    "kwame",
    "kofi",      "emeka",    "chidi",    "tomasz",      "piotr",    "jakub",
    "mateusz",   "wei",      "jun",      "minh",        "dafydd",   "rhys",
    "sean",      "ciaran",   "declan",   "liam",        "connor",   "callum",
    "kieran",    "bradley",  "jordan",   "lewis",       "stanley",  "ronald",
    "frederick", "albert",   "walter"};
static const char *const female[] = {
    "olivia",    "amelia",   "isla",     "ava",       "ivy",
    "freya",     "lily",     "florence", "mia",       "willow",
    "rosie",     "sophia",   "isabella", "grace",     "daisy",
    "sienna",    "poppy",    "elsie",    "emily",     "ella",
    "evelyn",    "phoebe",   "sofia",    "evie",      "charlotte",
    "harper",    "millie",   "matilda",  "maisie",    "ruby",
    "alice",     "chloe",    "jessica",  "sophie",    "lucy",
    "hannah",    "emma",     "sarah",    "laura",     "rebecca",
    "rachel",    "amy",      "zoe",      "katherine", "elizabeth",
    "margaret",  "susan",    "patricia", "deborah",   "jennifer",
    "victoria",  "abigail",  "eleanor",  "alexandra", "jacqueline",
    "samantha",  "aisha",    "fatima",   "maryam",    "zainab",
    "amira",     "priya",    "ananya",   "divya",     "simran",
    "amara",     "chioma",   "ngozi",    "abena",     "agnieszka",
    "katarzyna", "zofia",    "mei",      "lan",       "linh",
    "sian",      "cerys",    "niamh",    "aoife",     "siobhan",
    "megan",     "bethany",  "chelsea",  "jade",      "leanne",
    "kayleigh",  "danielle", "natalie",  "nicola",    "joanne",
    "helen",     "karen",    "julie",    "tracey",    "dorothy",
    "doris",     "joan",     "irene"};
static const char *const surnames[] = {
    "smith",      "jones",      "williams",  "taylor",    "brown",
    "davies",     "evans",      "wilson",    "thomas",    "johnson",
    "roberts",    "robinson",   "thompson",  "wright",    "walker",
    "white",      "edwards",    "hughes",    "green",     "hall",
    "lewis",      "harris",     "clarke",    "patel",     "jackson",
    "wood",       "turner",     "martin",    "cooper",    "hill",
    "ward",       "morris",     "moore",     "clark",     "lee",
    "king",       "baker",      "harrison",  "morgan",    "allen",
    "james",      "scott",      "phillips",  "watson",    "davis",
    "parker",     "price",      "bennett",   "young",     "griffiths",
    "mitchell",   "kelly",      "cook",      "carter",    "richardson",
    "bailey",     "collins",    "bell",      "shaw",      "murphy",
    "miller",     "cox",        "richards",  "khan",      "marshall",
    "anderson",   "simpson",    "ellis",     "adams",     "singh",
    "begum",      "wilkinson",  "foster",    "chapman",   "powell",
    "webb",       "rogers",     "gray",      "mason",     "ali",
    "hussain",    "ahmed",      "rahman",    "kaur",      "shah",
    "sharma",     "mahmood",    "akhtar",    "iqbal",     "okafor",
    "mensah",     "adeyemi",    "owusu",     "nowak",     "kowalski",
    "wisniewski", "nguyen",     "tran",      "chen",      "wang",
    "li",         "zhang",      "obrien",    "murray",    "mcdonald",
    "macleod",    "fitzgerald", "doherty",   "gallagher", "vanderberg",
    "dasilva",    "santos",     "oliveira",  "ferreira",  "abdullah",
    "osei",       "boateng",    "campbell",  "stewart",   "reid",
    "fraser",     "hamilton",   "graham",    "kennedy",   "gordon",
    "sutherland", "ross",       "hunter",    "gibson",    "wallace",
    "robertson",  "henderson",  "johnston",  "lawrence",  "palmer",
    "holmes",     "mills",      "knight",    "lloyd",     "butler",
    "russell",    "barker",     "fisher",    "stevens",   "jenkins",
    "dixon",      "fletcher",   "harvey",    "spencer",   "pearson",
    "howard",     "gill",       "hayes",     "matthews",  "sanders",
    "burton",     "barnes",     "armstrong", "wells",     "atkinson",
    "holland",    "hart",       "lane",      "dean",      "hudson",
    "ryan"};

/* nickname -> root (pseudonym.c's builtin table holds these and more) */
static const char *const nicknames[][2] = {
    {"bill", "william"},      {"will", "william"},      {"billy", "william"},
    {"bob", "robert"},        {"rob", "robert"},        {"bobby", "robert"},
    {"jim", "james"},         {"jimmy", "james"},       {"tom", "thomas"},
    {"tommy", "thomas"},      {"dave", "david"},        {"mike", "michael"},
    {"mick", "michael"},      {"chris", "christopher"}, {"matt", "matthew"},
    {"tony", "anthony"},      {"steve", "stephen"},     {"ken", "kenneth"},
    {"pete", "peter"},        {"dan", "daniel"},        {"danny", "daniel"},
    {"sam", "samuel"},        {"joe", "joseph"},        {"alex", "alexander"},
    {"ed", "edward"},         {"eddie", "edward"},      {"fred", "frederick"},
    {"freddie", "frederick"}, {"harry", "henry"},       {"jack", "john"},
    {"johnny", "john"},       {"beth", "elizabeth"},    {"liz", "elizabeth"},
    {"lizzie", "elizabeth"},  {"kate", "katherine"},    {"katie", "katherine"},
    {"maggie", "margaret"},   {"meg", "margaret"},      {"sue", "susan"},
    {"pat", "patricia"},      {"debbie", "deborah"},    {"jenny", "jennifer"},
    {"vicky", "victoria"},    {"abby", "abigail"},      {"ellie", "eleanor"},
    {"sandy", "alexandra"},   {"jess", "jessica"}};
#define NNICK (sizeof(nicknames) / sizeof(nicknames[0]))

static const char *
root_of(const char *name)
{
    size_t i;

    for (i = 0; i < NNICK; i++)
        if (!strcmp(nicknames[i][0], name))
            return nicknames[i][1];
    return name;
}

/* A nickname of root, or NULL. */
static const char *
nickname_of(const char *root)
{
    const char *hit[8];
    size_t i, n = 0;

    for (i = 0; i < NNICK && n < 8; i++)
        if (!strcmp(nicknames[i][1], root))
            hit[n++] = nicknames[i][0];
    return n ? hit[below((unsigned)n)] : NULL;
}

/* Zipf-ish choice among n (rank r with weight 1 / (r + 1)^s). */
struct zipf {
    double *cum;
    size_t n;
};

static void
zipf_init(struct zipf *z, size_t n, double s)
{
    size_t i;
    double t = 0;

    z->n = n;
    z->cum = malloc(n * sizeof(double));
    for (i = 0; i < n; i++) {
        t += 1 / pow((double)(i + 1), s);
        z->cum[i] = t;
    }
    for (i = 0; i < n; i++)
        z->cum[i] /= t;
}

static size_t
zipf_draw(const struct zipf *z)
{
    double x = unif();
    size_t lo = 0, hi = z->n - 1;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;

        if (z->cum[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* A made-up name of 2-4 syllables: the long tail of rare names. */
static void
rare_name(char *out, size_t n)
{
    static const char *const syl[] = {
        "ka",  "ri",  "mo",  "an",  "el",  "to",  "sha", "ni",  "da",  "lu",
        "ve",  "ro",  "ba",  "zi",  "qu",  "or",  "fen", "lin", "dor", "ash",
        "mer", "tha", "gow", "bri", "sel", "wyn", "hal", "tre", "pen", "cas"};
    size_t k = 2 + below(3), i, o = 0;

    out[0] = '\0';
    for (i = 0; i < k; i++) {
        const char *s = syl[below(sizeof(syl) / sizeof(syl[0]))];
        size_t l = strlen(s);

        if (o + l + 1 >= n)
            break;
        memcpy(out + o, s, l);
        o += l;
    }
    out[o] = '\0';
}

/* One keyboard slip: substitution, deletion, insertion or transposition. */
static void
typo(char *s, size_t n)
{
    size_t l = strlen(s), p;
    unsigned kind = below(4);

    if (l < 2)
        return;
    p = below((unsigned)l);
    switch (kind) {
    case 0: {
        char c;

        do
            c = (char)('a' + below(26));
        while (c == s[p]);
        s[p] = c;
        break;
    }
    case 1:
        memmove(s + p, s + p + 1, l - p);
        break;
    case 2:
        if (l + 2 < n) {
            memmove(s + p + 1, s + p, l - p + 1);
            s[p] = (char)('a' + below(26));
        }
        break;
    default:
        if (p + 1 < l && s[p] != s[p + 1]) {
            char t = s[p];

            s[p] = s[p + 1];
            s[p + 1] = t;
        } else {
            s[p] = s[p] == 'a' ? 'e' : 'a';
        }
    }
}

/* ---- people, households, records ---- */

struct person {
    char forename[32], middle[32], surname[32];
    int32_t dob;
    uint32_t postcode;     /* index into the geography */
    uint32_t old_postcode; /* before a move; == postcode when none */
    uint8_t sex;           /* SEX_M / SEX_F */
    uint8_t twin;          /* has a twin */
    uint32_t household;
    uint64_t nhs; /* 0: none */
};

/* error kinds, a bit each, for recall per kind */
enum err {
    E_FN_TYPO,
    E_SN_TYPO,
    E_BOTH_TYPO,
    E_NICK,
    E_MIDDLE,
    E_INITIAL,
    E_SWAP,
    E_FN_MISSING,
    E_SN_MISSING,
    E_SN_CHANGE,
    E_DOB_MISSING,
    E_DOB_SWAP,
    E_DOB_ONE,
    E_DOB_YEAR1,
    E_DOB_OTHER,
    E_MOVED,
    E_PC_MISSING,
    E_SEX,
    E_NO_NHS,
    E_TWIN,
    E_COMMON,
    E_COUNT
};
static const char *const err_name[E_COUNT] = {"forename typo",
                                              "surname typo",
                                              "both names typo",
                                              "nickname",
                                              "middle name with or for",
                                              "forename initial only",
                                              "names swapped",
                                              "forename missing",
                                              "surname missing",
                                              "surname changed",
                                              "dob missing",
                                              "dob day/month swap",
                                              "dob day or month off",
                                              "dob year +-1",
                                              "dob year digits, other",
                                              "moved (old address)",
                                              "postcode missing",
                                              "sex missing or wrong",
                                              "no shared NHS number",
                                              "has a twin",
                                              "very common name"};

/*
 * Per-record error rates in per mille, about those of `cohort synth`
 * (app/synth.c): each error independent, all scaled by -x.
 */
static double err_scale = 1;

static int
chance_pm(double pm)
{
    return unif() * 1000 < pm * err_scale;
}

struct generated {
    struct match_record *rec;
    uint32_t *person;
    uint32_t *household;
    uint32_t *errs;
    size_t n;
};

/* The geography: 10 areas x 20 districts x 10 sectors x 100 units. */
static void
postcode_text(uint32_t pc, char *out, size_t n)
{
    static const char *const area[] = {"LS", "BD", "HX", "WF", "HD",
                                       "YO", "HG", "DN", "BB", "OL"};
    static const char letters[] = "ABDEFGHJLNPQRSTUWXYZ";
    unsigned u = pc % 100, s = pc / 100 % 10, d = pc / 1000 % 20,
             a = pc / 20000 % 10;

    snprintf(out, n, "%s%u %u%c%c", area[a], d + 1, s, letters[u / 5],
             letters[u % 20]);
}

#define NPOSTCODES 200000u

static int32_t
random_dob(void)
{
    int32_t lo = days_from_civil(1930, 1, 1),
            hi = days_from_civil(2025, 12, 31);

    return lo + (int32_t)below((unsigned)(hi - lo));
}

static void
make_people(struct person *p, size_t np)
{
    struct zipf zm, zf, zs;
    size_t i = 0;
    uint32_t hh = 0;

    zipf_init(&zm, sizeof(male) / sizeof(male[0]), 0.6);
    zipf_init(&zf, sizeof(female) / sizeof(female[0]), 0.6);
    zipf_init(&zs, sizeof(surnames) / sizeof(surnames[0]), 0.5);
    while (i < np) {
        /* a household: 1-5 people at one postcode, mostly one surname */
        unsigned size = 1 + (unsigned)(unif() < 0.45) +
                        (unsigned)(unif() < 0.3) + (unsigned)(unif() < 0.2) +
                        (unsigned)(unif() < 0.1);
        uint32_t pc = below(NPOSTCODES), old = pc;
        char sn[32];
        size_t k;

        /* one household in eight moved within the period: mostly within
         * the district */
        if (unif() < 0.125 * (err_scale < 4 ? err_scale : 4))
            old = unif() < 0.6 ? pc / 1000 * 1000 + below(1000)
                               : below(NPOSTCODES);

        if (unif() < 0.12)
            rare_name(sn, sizeof(sn));
        else
            snprintf(sn, sizeof(sn), "%s", surnames[zipf_draw(&zs)]);
        for (k = 0; k < size && i < np; k++, i++) {
            struct person *x = &p[i];
            int twin = k > 0 && unif() < 0.04;

            memset(x, 0, sizeof(*x));
            x->household = hh;
            x->postcode = pc;
            x->old_postcode = old;
            x->sex = unif() < 0.5 ? SEX_M : SEX_F;
            if (k > 0 && unif() < 0.15)
                rare_name(x->surname, sizeof(x->surname)); /* another name */
            else
                snprintf(x->surname, sizeof(x->surname), "%s", sn);
            do {
                if (unif() < 0.1)
                    rare_name(x->forename, sizeof(x->forename));
                else
                    snprintf(x->forename, sizeof(x->forename), "%s",
                             x->sex == SEX_M ? male[zipf_draw(&zm)]
                                             : female[zipf_draw(&zf)]);
            } while (twin && !strcmp(x->forename, p[i - 1].forename));
            if (unif() < 0.4)
                snprintf(x->middle, sizeof(x->middle), "%s",
                         x->sex == SEX_M ? male[zipf_draw(&zm)]
                                         : female[zipf_draw(&zf)]);
            x->dob = random_dob();
            if (twin) {
                /* same dob, surname and address; another forename */
                x->dob = p[i - 1].dob;
                snprintf(x->surname, sizeof(x->surname), "%s",
                         p[i - 1].surname);
                x->twin = 1;
                p[i - 1].twin = 1;
            }
            x->nhs = unif() < 0.6 ? rng() | 1 : 0;
        }
        hh++;
    }
    free(zm.cum);
    free(zf.cum);
    free(zs.cum);
}

static int
is_common(const char *s)
{
    static const char *const common[] = {
        "smith",  "jones",  "williams", "taylor", "oliver", "olivia",
        "george", "amelia", "khan",     "singh",  "begum",  "patel"};
    size_t i;

    for (i = 0; i < sizeof(common) / sizeof(common[0]); i++)
        if (!strcmp(s, common[i]))
            return 1;
    return 0;
}

/* One record of person x with its errors; *errs gets their kinds. */
static void
make_record(const struct comparison_encoder *enc, const struct person *x,
            uint32_t group, struct match_record *out, uint32_t *errs)
{
    char fn[80], sn[80], pc[16], fn_root[40];
    struct comparison_plain p;
    int32_t dob = x->dob;
    uint32_t e = 0;
    int y, mo, d;

    snprintf(fn, sizeof(fn), "%s", x->forename);
    snprintf(sn, sizeof(sn), "%s", x->surname);
    if (is_common(fn) || is_common(sn))
        e |= 1u << E_COMMON;
    if (x->twin)
        e |= 1u << E_TWIN;
    /* names */
    if (chance_pm(30)) {
        const char *nick = nickname_of(fn);

        if (nick) {
            snprintf(fn, sizeof(fn), "%s", nick);
            e |= 1u << E_NICK;
        }
    }
    if (x->middle[0] && chance_pm(30)) {
        if (unif() < 0.3)
            snprintf(fn, sizeof(fn), "%s", x->middle);
        else
            snprintf(fn, sizeof(fn), "%s %s", x->forename, x->middle);
        e |= 1u << E_MIDDLE;
    }
    if (chance_pm(10) && x->sex == SEX_F) {
        rare_name(sn, sizeof(sn)); /* married, or changed */
        e |= 1u << E_SN_CHANGE;
    }
    if (chance_pm(10)) {
        char t[80];

        snprintf(t, sizeof(t), "%s", fn);
        snprintf(fn, sizeof(fn), "%s", sn);
        snprintf(sn, sizeof(sn), "%s", t);
        e |= 1u << E_SWAP;
    }
    if (chance_pm(8)) {
        typo(fn, sizeof(fn));
        typo(sn, sizeof(sn));
        e |= 1u << E_BOTH_TYPO;
    } else if (chance_pm(20)) {
        typo(fn, sizeof(fn));
        e |= 1u << E_FN_TYPO;
    } else if (chance_pm(30)) {
        typo(sn, sizeof(sn));
        e |= 1u << E_SN_TYPO;
    }
    if (chance_pm(5) && fn[0]) {
        fn[1] = '\0';
        e |= 1u << E_INITIAL;
    }
    if (chance_pm(5)) {
        fn[0] = '\0';
        e |= 1u << E_FN_MISSING;
    }
    if (chance_pm(3)) {
        sn[0] = '\0';
        e |= 1u << E_SN_MISSING;
    }
    /* date of birth */
    civil_from_days(dob, &y, &mo, &d);
    if (chance_pm(10)) {
        dob = DAY_NONE;
        e |= 1u << E_DOB_MISSING;
    } else if (chance_pm(20) && d <= 12 && d != mo) {
        dob = days_from_civil(y, d, mo);
        e |= 1u << E_DOB_SWAP;
    } else if (chance_pm(13)) {
        if (unif() < 0.7)
            d = d >= 28 ? d - 1 : d + 1;
        else
            mo = mo == 12 ? 11 : mo + 1;
        dob = days_from_civil(y, mo, d);
        e |= 1u << E_DOB_ONE;
    } else if (chance_pm(5)) {
        dob = days_from_civil(y + (unif() < 0.5 ? 1 : -1), mo,
                              mo == 2 && d == 29 ? 28 : d);
        e |= 1u << E_DOB_YEAR1;
    } else if (chance_pm(3)) {
        /* 1978 for 1987, or another date altogether */
        int ny = y / 100 * 100 + (y % 10) * 10 + y / 10 % 10;

        dob = unif() < 0.7 && ny != y
                  ? days_from_civil(ny, mo, mo == 2 && d == 29 ? 28 : d)
                  : random_dob();
        e |= 1u << E_DOB_OTHER;
    }
    /* postcode: a moved household's older records, the old one */
    if (chance_pm(10)) {
        pc[0] = '\0';
        e |= 1u << E_PC_MISSING;
    } else if (x->old_postcode != x->postcode && unif() < 0.5) {
        postcode_text(x->old_postcode, pc, sizeof(pc));
        e |= 1u << E_MOVED;
    } else {
        postcode_text(x->postcode, pc, sizeof(pc));
    }
    memset(&p, 0, sizeof(p));
    {
        size_t w = strcspn(fn, " ");

        snprintf(fn_root, sizeof(fn_root), "%.*s", (int)w, fn);
        snprintf(fn_root, sizeof(fn_root), "%s", root_of(fn_root));
    }
    p.forename = fn;
    p.surname = sn;
    p.forename_root = fn[0] ? fn_root : NULL;
    p.dob = dob;
    p.postcode = pc;
    p.sex = x->sex;
    if (chance_pm(20)) {
        p.sex = SEX_U;
        e |= 1u << E_SEX;
    } else if (chance_pm(3)) {
        p.sex = x->sex == SEX_M ? SEX_F : SEX_M;
        e |= 1u << E_SEX;
    }
    p.group = group;
    if (group == MATCH_NO_GROUP)
        e |= 1u << E_NO_NHS;
    else
        p.nhs = x->nhs;
    comparison_encode(enc, &p, out);
    sodium_memzero(fn, sizeof(fn));
    sodium_memzero(sn, sizeof(sn));
    *errs = e;
}

static void
generate(const struct comparison_encoder *enc, size_t nrec, struct generated *g)
{
    size_t np = nrec * 10 / 22 + 1, i, k = 0;
    struct person *people = malloc(np * sizeof(*people));

    g->rec = malloc(nrec * sizeof(*g->rec));
    g->person = malloc(nrec * sizeof(*g->person));
    g->household = malloc(nrec * sizeof(*g->household));
    g->errs = malloc(nrec * sizeof(*g->errs));
    make_people(people, np);
    for (i = 0; i < np && k < nrec; i++) {
        /* 1-5 records a person (mean 2.2), e.g. one a department */
        double r = unif();
        unsigned nr = r < 0.35   ? 1
                      : r < 0.65 ? 2
                      : r < 0.85 ? 3
                      : r < 0.95 ? 4
                                 : 5;
        unsigned j;

        for (j = 0; j < nr && k < nrec; j++, k++) {
            /* a record shares the person's NHS number 60 % of the time:
             * those are one deterministic group */
            uint32_t group =
                people[i].nhs && unif() < 0.6 ? (uint32_t)i : MATCH_NO_GROUP;

            make_record(enc, &people[i], group, &g->rec[k], &g->errs[k]);
            g->person[k] = (uint32_t)i;
            g->household[k] = people[i].household;
        }
    }
    g->n = k;
    free(people);
}

/* ---- pairwise accuracy ---- */

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static double
pairs_in_runs(uint64_t *v, size_t n)
{
    size_t a, b;
    double p = 0;

    qsort(v, n, sizeof(*v), cmp_u64);
    for (a = 0; a < n; a = b) {
        for (b = a + 1; b < n && v[b] == v[a]; b++)
            ;
        p += (double)(b - a) * (double)(b - a - 1) / 2;
    }
    return p;
}

static double
now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU seconds of this process: comparable on a machine others share */
static double
cpu(void)
{
    struct timespec t;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void
print_stats(const struct match_stats *st)
{
    unsigned r, f, l;
    int b, lo = -1, hi = -1;

    for (r = 0; r < st->nrules; r++) {
        const struct match_rule_stats *rs = &st->rule[r];

        printf("rule %u (0x%x): records %llu blocks %llu pairs %llu "
               "compared %llu trained %llu; over cap: blocks %llu records "
               "%llu pairs %llu; EM %s in %u, lambda %.4f\n",
               r + 1, rs->rule, (unsigned long long)rs->records,
               (unsigned long long)rs->blocks, (unsigned long long)rs->pairs,
               (unsigned long long)rs->pairs_compared,
               (unsigned long long)rs->pairs_trained,
               (unsigned long long)rs->blocks_over_cap,
               (unsigned long long)rs->records_over_cap,
               (unsigned long long)rs->pairs_over_cap,
               rs->em_converged ? "converged" : "DID NOT CONVERGE",
               rs->em_iterations, rs->em_lambda);
    }
    for (f = 0; f < st->nfields; f++) {
        const struct match_field_stats *fs = &st->field[f];

        printf("%-9s trained on %u rule(s)%s:", match_field_name(f),
               fs->trained, fs->defaulted ? " (DEFAULTS)" : "");
        for (l = 1; l < fs->nlevels; l++)
            if (fs->m[l] > 0 || fs->u[l] > 0)
                printf(" %s m=%.4f u=%.2g w=%+.1f;", match_level_name(f, l),
                       fs->m[l], fs->u[l],
                       fs->m[l] > 0 && fs->u[l] > 0 ? log2(fs->m[l] / fs->u[l])
                                                    : 0.0);
        printf("\n");
    }
    printf("prior %.2f bits (%.0f matching candidate pairs), threshold "
           "weight %.2f; u from %llu random pairs\n",
           st->prior, st->candidates_matching, st->threshold_weight,
           (unsigned long long)st->u_pairs);
    for (b = 0; b < MATCH_HIST_BINS; b++)
        if (st->weight_hist[b]) {
            if (lo < 0)
                lo = b;
            hi = b;
        }
    printf("weights:");
    for (b = lo; b >= 0 && b <= hi; b++)
        printf(" %d:%llu", b + MATCH_HIST_MIN,
               (unsigned long long)st->weight_hist[b]);
    printf("\naccepted %llu, refused: disagreement %llu, strong id %llu, "
           "conflict %llu, size %llu; links %llu, clusters %llu, groups %llu, "
           "folded %llu\n",
           (unsigned long long)st->pairs_accepted,
           (unsigned long long)st->refused_disagree,
           (unsigned long long)st->refused_strong_id,
           (unsigned long long)st->refused_conflict,
           (unsigned long long)st->refused_size, (unsigned long long)st->links,
           (unsigned long long)st->clusters, (unsigned long long)st->groups,
           (unsigned long long)st->folded);
}

#ifdef COHORT_TESTING
/* ---- why pairs were missed or made (a COHORT_TESTING build only) ---- */

struct tally {
    uint64_t pattern;
    double w;
    unsigned n;
};

static void
tally_add(struct tally *t, size_t *nt, size_t cap, uint64_t pattern, double w)
{
    size_t i;

    for (i = 0; i < *nt; i++)
        if (t[i].pattern == pattern) {
            t[i].n++;
            return;
        }
    if (*nt < cap) {
        t[*nt].pattern = pattern;
        t[*nt].w = w;
        t[*nt].n = 1;
        (*nt)++;
    }
}

static int
cmp_tally(const void *a, const void *b)
{
    const struct tally *x = a, *y = b;

    return x->n > y->n ? -1 : x->n < y->n;
}

static void
print_tally(const char *what, struct tally *t, size_t nt)
{
    size_t i;
    unsigned f;

    qsort(t, nt, sizeof(*t), cmp_tally);
    printf("%s, most frequent patterns:\n", what);
    for (i = 0; i < nt && i < 15; i++) {
        printf("  %6u  w=%+6.1f ", t[i].n, t[i].w);
        for (f = 0; f < MF_EXTRA0; f++)
            printf(
                " %s=%s", match_field_name(f),
                match_level_name(f, (unsigned)(t[i].pattern >> (4 * f)) & 15));
        printf("\n");
    }
}

static void
diagnose(const struct matcher *m, const struct generated *g, const long *idx)
{
    enum { CAP = 20000 };
    struct tally *below = calloc(CAP, sizeof(*below));
    struct tally *wrong = calloc(CAP, sizeof(*wrong));
    struct tally *nocand = calloc(CAP, sizeof(*nocand));
    struct tally *guarded = calloc(CAP, sizeof(*guarded));
    size_t nbelow = 0, nwrong = 0, nnocand = 0, nguarded = 0, i, j, a, b;
    double missed_nocand = 0, missed_guard = 0, missed_below = 0,
           missed_cluster = 0, false_twin = 0, false_house = 0, false_other = 0;
    uint64_t *v = malloc(g->n * sizeof(*v));
    unsigned lv[MF_MAX], f;

    /* missed: records of one person in two clusters */
    for (i = 0; i < g->n; i++)
        v[i] = (uint64_t)g->person[i] << 32 | i;
    qsort(v, g->n, sizeof(*v), cmp_u64);
    for (a = 0; a < g->n; a = b) {
        for (b = a + 1; b < g->n && v[b] >> 32 == v[a] >> 32; b++)
            ;
        for (i = a; i < b; i++)
            for (j = i + 1; j < b; j++) {
                size_t x = (size_t)idx[(uint32_t)v[i]],
                       y = (size_t)idx[(uint32_t)v[j]];
                uint64_t pat = 0;
                int guard;

                if (match_cluster(m, x) == match_cluster(m, y))
                    continue;
                guard = match_compare(m, x, y, lv);
                for (f = 0; f < MF_EXTRA0; f++)
                    pat |= (uint64_t)lv[f] << (4 * f);
                if (match_pair_rule(m, x, y) < 0) {
                    missed_nocand++;
                    tally_add(nocand, &nnocand, CAP, pat,
                              match_pair_weight(m, x, y));
                } else if (guard) {
                    missed_guard++;
                    tally_add(guarded, &nguarded, CAP, pat,
                              match_pair_weight(m, x, y));
                } else if (match_pair_weight(m, x, y) <
                           match_stats(m)->threshold_weight) {
                    missed_below++;
                    tally_add(below, &nbelow, CAP, pat,
                              match_pair_weight(m, x, y));
                } else
                    missed_cluster++;
            }
    }
    /* made wrongly: records of two persons in one cluster */
    for (i = 0; i < g->n; i++)
        v[i] = (uint64_t)match_cluster(m, (size_t)idx[i]) << 32 | i;
    qsort(v, g->n, sizeof(*v), cmp_u64);
    for (a = 0; a < g->n; a = b) {
        for (b = a + 1; b < g->n && v[b] >> 32 == v[a] >> 32; b++)
            ;
        for (i = a; i < b; i++)
            for (j = i + 1; j < b; j++) {
                uint32_t p = (uint32_t)v[i], q = (uint32_t)v[j];
                size_t x = (size_t)idx[p], y = (size_t)idx[q];
                uint64_t pat = 0;

                if (g->person[p] == g->person[q])
                    continue;
                if (g->household[p] != g->household[q]) {
                    false_other++;
                } else if ((g->errs[p] & (1u << E_TWIN)) &&
                           (g->errs[q] & (1u << E_TWIN))) {
                    false_twin++;
                } else {
                    false_house++;
                }
                match_compare(m, x, y, lv);
                for (f = 0; f < MF_EXTRA0; f++)
                    pat |= (uint64_t)lv[f] << (4 * f);
                tally_add(wrong, &nwrong, CAP, pat, match_pair_weight(m, x, y));
            }
    }
    printf("missed true pairs: %.0f not candidates, %.0f refused by the "
           "guard, %.0f below the threshold, %.0f over the threshold but not "
           "joined\n",
           missed_nocand, missed_guard, missed_below, missed_cluster);
    print_tally("missed below the threshold", below, nbelow);
    print_tally("missed, not candidates", nocand, nnocand);
    print_tally("missed, refused by the guard", guarded, nguarded);
    printf("false pairs: %.0f twins, %.0f same household, %.0f others\n",
           false_twin, false_house, false_other);
    print_tally("false pairs (direct comparison)", wrong, nwrong);
    free(below);
    free(wrong);
    free(nocand);
    free(guarded);
    free(v);
}
#endif

int
main(int argc, char **argv)
{
    struct cohort_key key;
    struct comparison_encoder enc;
    struct match_config cfg;
    struct matcher *m;
    struct generated g;
    struct diag d;
    struct rusage ru;
    size_t nrec = 100000, i;
    uint64_t seed = 1, *v;
    long *idx;
    double t0, t1, t2, t3, c1, c2, tp, pp, both, prec, rec;
    int quiet = 0, a;
    double kind_total[E_COUNT] = {0}, kind_linked[E_COUNT] = {0};

    match_config_default(&cfg);
    for (a = 1; a < argc; a++) {
        int64_t n;

        if (!strcmp(argv[a], "-n") && a + 1 < argc &&
            parse_int64_str(argv[a + 1], 2, 100000000, &n) == 0) {
            nrec = (size_t)n;
            a++;
        } else if (!strcmp(argv[a], "-s") && a + 1 < argc &&
                   parse_int64_str(argv[a + 1], 0, INT64_MAX, &n) == 0) {
            seed = (uint64_t)n;
            a++;
        } else if (!strcmp(argv[a], "-t") && a + 1 < argc) {
            cfg.threshold = strtod(argv[++a], NULL);
        } else if (!strcmp(argv[a], "-r") && a + 1 < argc) {
            /* blocking rules as hexadecimal MB_* masks, comma-separated */
            char *p = argv[++a], *end;

            cfg.nrules = 0;
            while (*p && cfg.nrules < MATCH_MAX_RULES) {
                cfg.rules[cfg.nrules++] = (uint32_t)strtoul(p, &end, 16);
                p = *end == ',' ? end + 1 : end;
                if (end == p && *p)
                    break;
            }
        } else if (!strcmp(argv[a], "-x") && a + 1 < argc) {
            err_scale = strtod(argv[++a], NULL);
        } else if (!strcmp(argv[a], "-q")) {
            quiet = 1;
        } else {
            fprintf(stderr, "usage: bench_match [-n RECORDS] [-s SEED] "
                            "[-t THRESHOLD] [-x SCALE] [-r RULES] [-q]\n");
            return 2;
        }
    }
    if (sodium_init() < 0)
        return 70;
    rng_state = seed;
    randombytes_buf(key.master, sizeof(key.master));
    if (comparison_encoder_init(&enc, &key) < 0)
        return 70;
    t0 = now();
    generate(&enc, nrec, &g);
    t1 = now();
    c1 = cpu();
    if (match_init(&m, &cfg, &d) < 0) {
        fprintf(stderr, "bench_match: %s\n", d.msg);
        return 2;
    }
    if (match_reserve(m, g.n) < 0)
        return 70;
    idx = malloc(g.n * sizeof(*idx));
    for (i = 0; i < g.n; i++)
        if ((idx[i] = match_add(m, &g.rec[i])) < 0)
            return 70;
    if (match_run(m, &d) < 0) {
        fprintf(stderr, "bench_match: %s\n", d.msg);
        return 70;
    }
    t2 = now();
    c2 = cpu();
    /* pairwise: true, predicted, both, over the generated records */
    v = malloc(g.n * sizeof(*v));
    for (i = 0; i < g.n; i++)
        v[i] = g.person[i];
    tp = pairs_in_runs(v, g.n);
    for (i = 0; i < g.n; i++)
        v[i] = match_cluster(m, (size_t)idx[i]);
    pp = pairs_in_runs(v, g.n);
    for (i = 0; i < g.n; i++)
        v[i] = (uint64_t)match_cluster(m, (size_t)idx[i]) << 32 | g.person[i];
    both = pairs_in_runs(v, g.n);
    prec = pp > 0 ? both / pp : 1;
    rec = tp > 0 ? both / tp : 1;
    t3 = now();
    /* record-level recall per error kind: linked to one other record of
     * its person, among records whose person has another record */
    {
        uint64_t *pk = malloc(g.n * sizeof(*pk)),
                 *ck = malloc(g.n * sizeof(*ck));
        size_t *order = malloc(g.n * sizeof(*order));

        for (i = 0; i < g.n; i++) {
            pk[i] = (uint64_t)g.person[i] << 32 | i;
            ck[i] =
                (uint64_t)g.person[i] << 32 | match_cluster(m, (size_t)idx[i]);
        }
        qsort(pk, g.n, sizeof(*pk), cmp_u64);
        qsort(ck, g.n, sizeof(*ck), cmp_u64);
        /* for each record: its person has >1 record; >1 record of the
         * person in its cluster */
        {
            size_t p0 = 0, q;

            while (p0 < g.n) {
                size_t p1 = p0;
                uint64_t person = pk[p0] >> 32;

                while (p1 < g.n && pk[p1] >> 32 == person)
                    p1++;
                if (p1 - p0 > 1)
                    for (q = p0; q < p1; q++) {
                        size_t r = (uint32_t)pk[q];
                        uint64_t want =
                            person << 32 | match_cluster(m, (size_t)idx[r]);
                        size_t lo = 0, hi = g.n, cnt;
                        int k;

                        while (lo < hi) {
                            size_t mid = (lo + hi) / 2;

                            if (ck[mid] < want)
                                lo = mid + 1;
                            else
                                hi = mid;
                        }
                        for (cnt = 0; lo + cnt < g.n && ck[lo + cnt] == want;
                             cnt++)
                            ;
                        for (k = 0; k < E_COUNT; k++)
                            if (g.errs[r] & (1u << k)) {
                                kind_total[k]++;
                                kind_linked[k] += cnt > 1;
                            }
                    }
                p0 = p1;
            }
        }
        free(pk);
        free(ck);
        free(order);
    }
    getrusage(RUSAGE_SELF, &ru);
    printf("bench: match, %zu records (%zu people), seed %llu, threshold "
           "%.4f, error rates x%.1f\n",
           g.n, (size_t)(nrec * 10 / 22 + 1), (unsigned long long)seed,
           cfg.threshold, err_scale);
    printf("bench:   precision %.4f recall %.4f f1 %.4f (pairwise: %.0f true, "
           "%.0f predicted)\n",
           prec, rec, prec + rec > 0 ? 2 * prec * rec / (prec + rec) : 0, tp,
           pp);
    printf("bench:   pairs compared %llu, generate + encode %.2f s, "
           "match_add + match_run %.2f s (%.2f s CPU), %.0f bytes per record "
           "(peak of the matcher's allocations), max RSS %ld MB\n",
           (unsigned long long)match_stats(m)->pairs_compared, t1 - t0, t2 - t1,
           c2 - c1, (double)match_stats(m)->bytes_peak / (double)g.n,
           ru.ru_maxrss / 1024);
    (void)t3;
    if (!quiet) {
        int k;

        print_stats(match_stats(m));
        printf("record-level recall by error kind (linked to another record "
               "of the person):\n");
        for (k = 0; k < E_COUNT; k++)
            if (kind_total[k] > 0)
                printf("  %-24s %8.0f records  %.4f\n", err_name[k],
                       kind_total[k], kind_linked[k] / kind_total[k]);
    }
#ifdef COHORT_TESTING
    if (!quiet)
        diagnose(m, &g, idx);
#endif
    match_release(m);
    comparison_encoder_release(&enc);
    sodium_memzero(&key, sizeof(key));
    free(g.rec);
    free(g.person);
    free(g.household);
    free(g.errs);
    free(idx);
    free(v);
    return 0;
}
