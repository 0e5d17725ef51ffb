#include "match.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/hash.h"
#include "../core/testable.h"

/*
 * A stored record: the 64-bit hashes of struct match_record folded to 32
 * bits (an accidental equality of two different values then has
 * probability 2^-32 per compared pair: a handful of wrong "exact" levels in
 * a billion comparisons, against 128 bytes a record instead of 192) and
 * the two filters. Two cache lines.
 */
struct mrec {
    uint32_t fn, sn, root, phon, init;
    uint32_t dob, dobsw, day;
    uint32_t unit, sector, district;
    uint32_t group;
    uint32_t fn_tf, sn_tf; /* records with the same value; match_run */
    uint16_t year;
    uint8_t month, sex;
    uint8_t fn_bits, sn_bits; /* popcounts, saturated at 255 */
    uint8_t pad[2];
    struct bloom fnb, snb;
};

/* two cache lines, the filters in the second */
_Static_assert(sizeof(struct mrec) == 128, "struct mrec is 128 bytes");

/* Pairs per comparison pattern: the patterns interned in the one hash
 * table (core/hash.h), in the order first seen; counts beside them. */
struct hist {
    struct hash_table t;
    double *count;
    size_t alloc;
};

struct accepted {
    float w;
    uint32_t a, b;
};

struct matcher {
    struct match_config cfg;
    struct mrec *rec;
    uint32_t *extra;  /* n x cfg.nextra */
    uint64_t *anchor; /* n x 2: nhs, upn */
    size_t n, alloc;
    uint32_t *fold; /* index + 1, open addressing */
    size_t fold_cap;
    uint32_t *cluster;
    size_t nclusters;
    int ran;
    unsigned nfields;
    unsigned nlevels[MF_MAX];
    double m[MF_MAX][MATCH_MAX_LEVELS];
    double u[MF_MAX][MATCH_MAX_LEVELS];
    double w[MF_MAX][MATCH_MAX_LEVELS];
    double log2m_exact[2]; /* forename, surname: for term frequencies */
    double log2n;
    double prior, thr;
    uint32_t *capped[MATCH_MAX_RULES]; /* over-cap block keys, sorted */
    size_t ncapped[MATCH_MAX_RULES];
    struct accepted *acc;
    size_t nacc, acc_alloc;
    struct match_stats st;
    size_t bytes;
};

/* ---- allocation with a running total (match_stats.bytes_peak) ---- */

static void *
mx_realloc(struct matcher *m, void *p, size_t old, size_t size)
{
    void *q = realloc(p, size ? size : 1);

    if (!q)
        return NULL;
    m->bytes = m->bytes - old + size;
    if (m->bytes > m->st.bytes_peak)
        m->st.bytes_peak = m->bytes;
    return q;
}

static void *
mx_calloc(struct matcher *m, size_t n, size_t size)
{
    void *q = calloc(n ? n : 1, size);

    if (!q)
        return NULL;
    m->bytes += n * size;
    if (m->bytes > m->st.bytes_peak)
        m->st.bytes_peak = m->bytes;
    return q;
}

static void
mx_free(struct matcher *m, void *p, size_t size)
{
    if (!p)
        return;
    free(p);
    m->bytes -= size;
}

/* ---- configuration ---- */

void
match_config_default(struct match_config *c)
{
    memset(c, 0, sizeof(*c));
    c->threshold = 0.99;
    c->dice[0] = 80;
    c->dice[1] = 65;
    c->dice[2] = 50;
    c->block_cap = 200;
    c->max_cluster = 20;
    c->nrules = 4;
    c->rules[0] = MB_DOB;
    c->rules[1] = MB_PHONETIC | MB_YEAR;
    c->rules[2] = MB_SECTOR | MB_INITIAL;
    c->rules[3] = MB_NAMES;
    c->u_pairs = 2000000;
    c->em_pairs = 2000000;
    c->em_max_iter = 100;
    c->em_tolerance = 1e-4;
    c->guard_forename = 1;
    c->guard_dob = 1;
}

/*
 * The documented defaults of m, used for a field no rule trained and as
 * EM's starting point: shares of true matches at each level, from the
 * error rates councils' extracts show (a mistyped or varied name in a few
 * percent of records, a date of birth wrong in a few, a third of people
 * moving between two extracts). Levels a field never produces are 0.
 */
static const double default_m[MF_EXTRA0 + 1][MATCH_MAX_LEVELS] = {
    /* forename: exact swap root dice0 phon dice1 dice2 init init_full else */
    {0, 0.82, 0.01, 0.04, 0.03, 0, 0.03, 0.02, 0.01, 0.01, 0.03},
    /* surname */
    {0, 0.88, 0, 0, 0.04, 0.02, 0.02, 0.01, 0, 0, 0.03},
    /* dob: exact swap year1 day month year near else */
    {0, 0.90, 0.02, 0.02, 0.02, 0.01, 0.01, 0.01, 0.01},
    /* postcode: unit sector district else */
    {0, 0.70, 0.05, 0.05, 0.20},
    /* sex: agree disagree */
    {0, 0.98, 0.02},
    /* each extra: exact else */
    {0, 0.80, 0.20},
};

/* Which levels a field can take (bit l: level l). */
static unsigned
levels_valid(unsigned f)
{
    switch (f) {
    case MF_FORENAME:
        return 0x7FEu & ~(1u << ML_NAME_PHONETIC);
    case MF_SURNAME:
        return (1u << ML_NAME_EXACT) | (1u << ML_NAME_DICE0) |
               (1u << ML_NAME_PHONETIC) | (1u << ML_NAME_DICE1) |
               (1u << ML_NAME_DICE2) | (1u << ML_NAME_ELSE);
    case MF_DOB:
        return 0x1FEu;
    case MF_POSTCODE:
        return 0x1Eu;
    case MF_SEX:
        return 0x6u;
    default:
        return 0x6u;
    }
}

static unsigned
field_nlevels(unsigned f)
{
    switch (f) {
    case MF_FORENAME:
    case MF_SURNAME:
        return ML_NAME_ELSE + 1;
    case MF_DOB:
        return ML_DOB_ELSE + 1;
    case MF_POSTCODE:
        return ML_PC_ELSE + 1;
    default:
        return 3;
    }
}

static const double *
field_default_m(unsigned f)
{
    return default_m[f < MF_EXTRA0 ? f : MF_EXTRA0];
}

/* The fields a rule's key is made of: EM does not train them on it. */
static unsigned
rule_fields(uint32_t rule)
{
    unsigned f = 0, i;

    if (rule & (MB_DOB | MB_YEAR))
        f |= 1u << MF_DOB;
    /* sex follows the forename: blocks of one forename agree on sex far
     * more than random pairs do, which EM, with u fixed, can only explain
     * as matches */
    if (rule & (MB_FORENAME | MB_ROOT | MB_INITIAL | MB_NAMES))
        f |= 1u << MF_FORENAME | 1u << MF_SEX;
    if (rule & (MB_SURNAME | MB_PHONETIC | MB_NAMES))
        f |= 1u << MF_SURNAME;
    if (rule & (MB_UNIT | MB_SECTOR | MB_DISTRICT))
        f |= 1u << MF_POSTCODE;
    if (rule & MB_SEX)
        f |= 1u << MF_SEX;
    for (i = 0; i < MATCH_MAX_EXTRA; i++)
        if (rule & (MB_EXTRA0 << i))
            f |= 1u << (MF_EXTRA0 + i);
    return f;
}

int
match_init(struct matcher **out, const struct match_config *c, struct diag *d)
{
    struct matcher *m;
    unsigned i, f;

    *out = NULL;
    if (!(c->threshold > 0 && c->threshold < 1)) {
        diag_set(d, NULL, 0, 0, "threshold",
                 "the match probability must be between 0 and 1");
        return CE_CONFIG;
    }
    if (!(c->dice[0] <= 100 && c->dice[0] > c->dice[1] &&
          c->dice[1] > c->dice[2] && c->dice[2] >= 1)) {
        diag_set(d, NULL, 0, 0, "dice",
                 "the Dice bands must descend within 1..100");
        return CE_CONFIG;
    }
    if (c->block_cap < 2 || c->block_cap > 100000) {
        diag_set(d, NULL, 0, 0, "block_cap",
                 "the block cap must be 2..100000 records");
        return CE_CONFIG;
    }
    if (c->nextra > MATCH_MAX_EXTRA) {
        diag_set(d, NULL, 0, 0, "extra", "at most %d extra identifiers",
                 MATCH_MAX_EXTRA);
        return CE_CONFIG;
    }
    if (c->nrules < 1 || c->nrules > MATCH_MAX_RULES) {
        diag_set(d, NULL, 0, 0, "blocking", "1 to %d blocking rules",
                 MATCH_MAX_RULES);
        return CE_CONFIG;
    }
    for (i = 0; i < c->nrules; i++) {
        uint32_t known = (MB_EXTRA0 << c->nextra) - 1;

        if (!c->rules[i] || (c->rules[i] & ~known)) {
            diag_set(d, NULL, 0, 0, "blocking",
                     "blocking rule %u is empty or names an undeclared "
                     "identifier",
                     i + 1);
            return CE_CONFIG;
        }
    }
    if (c->max_cluster < 2 || c->em_max_iter < 1 || !(c->em_tolerance > 0)) {
        diag_set(d, NULL, 0, 0, "linkage",
                 "max_cluster must be 2 or more, em_max_iter 1 or more and "
                 "em_tolerance positive");
        return CE_CONFIG;
    }
    m = calloc(1, sizeof(*m));
    if (!m) {
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
        return CE_NOMEM;
    }
    m->cfg = *c;
    m->nfields = MF_EXTRA0 + c->nextra;
    m->st.nfields = m->nfields;
    m->st.nrules = c->nrules;
    for (i = 0; i < c->nrules; i++)
        m->st.rule[i].rule = c->rules[i];
    for (f = 0; f < m->nfields; f++) {
        m->nlevels[f] = field_nlevels(f);
        m->st.field[f].nlevels = m->nlevels[f];
    }
    m->bytes = sizeof(*m);
    m->st.bytes_peak = m->bytes;
    *out = m;
    return 0;
}

/* ---- adding records ---- */

static uint32_t
fold32(uint64_t h)
{
    uint32_t v = (uint32_t)(h ^ (h >> 32));

    return h && !v ? 1 : v;
}

static uint64_t
mix64(uint64_t x)
{
    /* splitmix64's finaliser */
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 31;
    return x;
}

static uint64_t
content_hash(const struct matcher *m, size_t i)
{
    const unsigned char *p = (const unsigned char *)&m->rec[i];
    uint64_t h = 0x6A09E667F3BCC908ull, w;
    size_t k;

    for (k = 0; k + 8 <= sizeof(struct mrec); k += 8) {
        memcpy(&w, p + k, 8);
        h = mix64(h ^ w);
    }
    for (k = 0; k < m->cfg.nextra; k++)
        h = mix64(h ^ m->extra[i * m->cfg.nextra + k]);
    h = mix64(h ^ m->anchor[2 * i]);
    h = mix64(h ^ m->anchor[2 * i + 1]);
    return h;
}

static int
same_content(const struct matcher *m, size_t i, size_t j)
{
    return !memcmp(&m->rec[i], &m->rec[j], sizeof(struct mrec)) &&
           !memcmp(&m->anchor[2 * i], &m->anchor[2 * j],
                   2 * sizeof(uint64_t)) &&
           (!m->cfg.nextra ||
            !memcmp(&m->extra[i * m->cfg.nextra], &m->extra[j * m->cfg.nextra],
                    m->cfg.nextra * sizeof(uint32_t)));
}

/* The folding index is a table of its own, not core/hash.h's: that table
 * keeps a copy of every key, and a record's key here is its whole
 * content -- a second copy of every record. This one holds 4 bytes a
 * slot and compares against the records themselves. */
static int
fold_grow(struct matcher *m)
{
    size_t cap = m->fold_cap ? m->fold_cap * 2 : 1024, i;
    uint32_t *t = mx_calloc(m, cap, sizeof(*t));

    if (!t)
        return CE_NOMEM;
    for (i = 0; i < m->n; i++) {
        size_t s = (size_t)content_hash(m, i) & (cap - 1);

        while (t[s])
            s = (s + 1) & (cap - 1);
        t[s] = (uint32_t)i + 1;
    }
    mx_free(m, m->fold, m->fold_cap * sizeof(*m->fold));
    m->fold = t;
    m->fold_cap = cap;
    return 0;
}

/* Room for at least `want` records: what was asked, or half as many
 * again as there is. */
static int
grow_records(struct matcher *m, size_t want)
{
    size_t na = m->alloc + m->alloc / 2, ne = m->cfg.nextra;
    struct mrec *r;
    uint64_t *a;
    uint32_t *e;

    if (na < want)
        na = want;
    if (na < 1024)
        na = 1024;
    if (na > UINT32_MAX - 1)
        return CE_NOMEM;
    /* on cache-line boundaries: a record is two lines, not three */
    r = aligned_alloc(64, na * sizeof(*r));
    if (!r)
        return CE_NOMEM;
    if (m->n)
        memcpy(r, m->rec, m->n * sizeof(*r));
    free(m->rec);
    m->rec = r;
    m->bytes += (na - m->alloc) * sizeof(*r);
    if (m->bytes > m->st.bytes_peak)
        m->st.bytes_peak = m->bytes;
    a = mx_realloc(m, m->anchor, m->alloc * 2 * sizeof(*a),
                   na * 2 * sizeof(*a));
    if (!a)
        return CE_NOMEM;
    m->anchor = a;
    if (ne) {
        e = mx_realloc(m, m->extra, m->alloc * ne * sizeof(*e),
                       na * ne * sizeof(*e));
        if (!e)
            return CE_NOMEM;
        m->extra = e;
    }
    m->alloc = na;
    return 0;
}

int
match_reserve(struct matcher *m, size_t n)
{
    if (m->ran)
        return CE_INTERNAL;
    if (n > m->alloc && grow_records(m, n) < 0)
        return CE_NOMEM;
    while ((n + 1) * 2 > m->fold_cap)
        if (fold_grow(m) < 0)
            return CE_NOMEM;
    return 0;
}

long
match_add(struct matcher *m, const struct match_record *r)
{
    struct mrec *x;
    size_t i = m->n, s, k;
    unsigned c;

    if (m->ran)
        return CE_INTERNAL;
    if (m->n == m->alloc && grow_records(m, m->n + 1) < 0)
        return CE_NOMEM;
    if ((m->n + 1) * 2 > m->fold_cap && fold_grow(m) < 0)
        return CE_NOMEM;
    x = &m->rec[i];
    memset(x, 0, sizeof(*x));
    x->fn = fold32(r->forename);
    x->sn = fold32(r->surname);
    x->root = fold32(r->forename_root);
    x->phon = fold32(r->surname_phonetic);
    x->init = fold32(r->forename_initial);
    x->dob = fold32(r->dob);
    x->dobsw = x->dob ? fold32(r->dob_swapped) : 0;
    x->day = x->dob ? fold32(r->dob_day) : 0;
    x->unit = fold32(r->postcode_unit);
    x->sector = x->unit ? fold32(r->postcode_sector) : 0;
    x->district = x->unit ? fold32(r->postcode_district) : 0;
    x->group = r->group;
    x->year = x->dob ? r->birth_year : 0;
    x->month = x->dob ? r->birth_month : 0;
    x->sex = r->sex;
    if (x->fn) {
        x->fnb = r->forename_bloom;
        c = bloom_count(&x->fnb);
        x->fn_bits = (uint8_t)(c > 255 ? 255 : c);
    }
    if (x->sn) {
        x->snb = r->surname_bloom;
        c = bloom_count(&x->snb);
        x->sn_bits = (uint8_t)(c > 255 ? 255 : c);
    }
    for (k = 0; k < m->cfg.nextra; k++)
        m->extra[i * m->cfg.nextra + k] = fold32(r->extra[k]);
    m->anchor[2 * i] = r->nhs;
    m->anchor[2 * i + 1] = r->upn;
    /* an identical record of the same group is the same evidence */
    s = (size_t)content_hash(m, i) & (m->fold_cap - 1);
    while (m->fold[s]) {
        size_t j = m->fold[s] - 1;

        if (r->group != MATCH_NO_GROUP && same_content(m, i, j)) {
            m->st.folded++;
            return (long)j;
        }
        s = (s + 1) & (m->fold_cap - 1);
    }
    m->fold[s] = (uint32_t)i + 1;
    m->n++;
    return (long)i;
}

/* ---- comparison levels ---- */

/* Which Dice band two filters reach: 0..2, or 3 for none. */
static unsigned
dice_band(const struct matcher *m, const struct bloom *a, unsigned ca,
          const struct bloom *b, unsigned cb)
{
    unsigned common, k;

    if (!ca || !cb)
        return 3;
    common = bloom_common(a, b);
    for (k = 0; k < 3; k++)
        if (200u * common >= m->cfg.dice[k] * (ca + cb))
            return k;
    return 3;
}

static const unsigned dice_level[4] = {ML_NAME_DICE0, ML_NAME_DICE1,
                                       ML_NAME_DICE2, 0};

/* The forename's level; *swap set when the names are swapped. */
static unsigned
forename_level(const struct matcher *m, const struct mrec *a,
               const struct mrec *b, int *swap)
{
    unsigned band;

    *swap = 0;
    if (a->fn && b->fn) {
        if (a->fn == b->fn)
            return ML_NAME_EXACT;
        /* swapped: one name equals the other's other name, and the
         * second pair is equal too or similar (a typo on top) */
        if (a->sn && b->sn && a->sn != b->sn) {
            int x = a->fn == b->sn, y = a->sn == b->fn;

            if ((x && (y || dice_band(m, &a->snb, a->sn_bits, &b->fnb,
                                      b->fn_bits) < 3)) ||
                (y &&
                 dice_band(m, &a->fnb, a->fn_bits, &b->snb, b->sn_bits) < 3)) {
                *swap = 1;
                return ML_NAME_SWAP;
            }
        }
        if (a->root == b->root)
            return ML_NAME_ROOT;
        band = dice_band(m, &a->fnb, a->fn_bits, &b->fnb, b->fn_bits);
        if (band < 3)
            return dice_level[band];
        return a->init == b->init ? ML_NAME_INITIAL_FULL : ML_NAME_ELSE;
    }
    if (a->init && b->init)
        return a->init == b->init ? ML_NAME_INITIAL : ML_NAME_ELSE;
    return ML_NULL;
}

static unsigned
surname_level(const struct matcher *m, const struct mrec *a,
              const struct mrec *b)
{
    unsigned band;

    if (!a->sn || !b->sn)
        return ML_NULL;
    if (a->sn == b->sn)
        return ML_NAME_EXACT;
    band = dice_band(m, &a->snb, a->sn_bits, &b->snb, b->sn_bits);
    if (band == 0)
        return ML_NAME_DICE0;
    if (a->phon && a->phon == b->phon)
        return ML_NAME_PHONETIC;
    return band < 3 ? dice_level[band] : ML_NAME_ELSE;
}

static unsigned
dob_level(const struct mrec *a, const struct mrec *b)
{
    unsigned diff;
    int dy;

    if (!a->dob || !b->dob)
        return ML_NULL;
    if (a->dob == b->dob)
        return ML_DOB_EXACT;
    if (a->dobsw && a->dobsw == b->dob)
        return ML_DOB_SWAP;
    diff = (a->year != b->year) + (a->month != b->month) + (a->day != b->day);
    if (diff != 1)
        return a->year == b->year ? ML_DOB_NEAR : ML_DOB_ELSE;
    if (a->day != b->day)
        return ML_DOB_DAY;
    if (a->month != b->month)
        return ML_DOB_MONTH;
    dy = (int)a->year - (int)b->year;
    return dy == 1 || dy == -1 ? ML_DOB_YEAR1 : ML_DOB_YEAR;
}

static unsigned
postcode_level(const struct mrec *a, const struct mrec *b)
{
    if (!a->unit || !b->unit)
        return ML_NULL;
    if (a->unit == b->unit)
        return ML_PC_UNIT;
    if (a->sector && a->sector == b->sector)
        return ML_PC_SECTOR;
    if (a->district && a->district == b->district)
        return ML_PC_DISTRICT;
    return ML_PC_ELSE;
}

/* Every field's level for records i and j into lv; 1 when the
 * disagreement guard refuses the pair. */
static int
levels_of(const struct matcher *m, size_t i, size_t j, uint8_t *lv)
{
    const struct mrec *a = &m->rec[i], *b = &m->rec[j];
    unsigned k, ne = m->cfg.nextra;
    int swap;

    lv[MF_FORENAME] = (uint8_t)forename_level(m, a, b, &swap);
    lv[MF_SURNAME] = swap ? ML_NULL : (uint8_t)surname_level(m, a, b);
    lv[MF_DOB] = (uint8_t)dob_level(a, b);
    lv[MF_POSTCODE] = (uint8_t)postcode_level(a, b);
    lv[MF_SEX] = !a->sex || !b->sex ? ML_NULL
                 : a->sex == b->sex ? ML_SEX_AGREE
                                    : ML_SEX_DISAGREE;
    for (k = 0; k < ne; k++) {
        uint32_t x = m->extra[i * ne + k], y = m->extra[j * ne + k];

        lv[MF_EXTRA0 + k] = !x || !y ? ML_NULL
                            : x == y ? ML_EXTRA_EXACT
                                     : ML_EXTRA_ELSE;
    }
    return (m->cfg.guard_forename &&
            (lv[MF_FORENAME] == ML_NAME_ELSE ||
             lv[MF_FORENAME] == ML_NAME_INITIAL_FULL)) ||
           (m->cfg.guard_dob && lv[MF_DOB] == ML_DOB_ELSE);
}

#define GUARD_FORENAME 1u
#define GUARD_DOB 2u

/* The fields on which the guard refuses records i and j (GUARD_*), as
 * levels_of() decides, without the other fields. */
static unsigned
guard_fields(const struct matcher *m, size_t i, size_t j)
{
    const struct mrec *a = &m->rec[i], *b = &m->rec[j];
    unsigned g = 0;
    int swap;

    if (m->cfg.guard_dob && dob_level(a, b) == ML_DOB_ELSE)
        g |= GUARD_DOB;
    if (m->cfg.guard_forename) {
        unsigned f = forename_level(m, a, b, &swap);

        if (f == ML_NAME_ELSE || f == ML_NAME_INITIAL_FULL)
            g |= GUARD_FORENAME;
    }
    return g;
}

/* The fields on which records i and j positively agree (GUARD_*): a
 * forename from exact down to the lowest Dice band, any dob level but
 * null and else. */
static unsigned
agree_fields(const struct matcher *m, size_t i, size_t j)
{
    const struct mrec *a = &m->rec[i], *b = &m->rec[j];
    unsigned g = 0, f, dl = dob_level(a, b);
    int swap;

    if (dl != ML_NULL && dl != ML_DOB_ELSE)
        g |= GUARD_DOB;
    f = forename_level(m, a, b, &swap);
    if (f != ML_NULL && f <= ML_NAME_DICE2)
        g |= GUARD_FORENAME;
    return g;
}

static uint64_t
pattern_of(const struct matcher *m, const uint8_t *lv)
{
    uint64_t p = 0;
    unsigned f;

    for (f = 0; f < m->nfields; f++)
        p |= (uint64_t)lv[f] << (4 * f);
    return p;
}

/* The pair's match weight (prior included) from its levels. */
static double
weight_of(const struct matcher *m, size_t i, size_t j, const uint8_t *lv)
{
    double w = m->prior;
    unsigned f;

    for (f = 0; f < m->nfields; f++)
        w += m->w[f][lv[f]];
    /* term frequencies: log2(m / tf) in place of log2(m / u) */
    if (lv[MF_FORENAME] == ML_NAME_EXACT)
        w += m->log2m_exact[0] - m->w[MF_FORENAME][ML_NAME_EXACT] -
             (log2((double)m->rec[i].fn_tf) - m->log2n);
    if (lv[MF_SURNAME] == ML_NAME_EXACT)
        w += m->log2m_exact[1] - m->w[MF_SURNAME][ML_NAME_EXACT] -
             (log2((double)m->rec[i].sn_tf) - m->log2n);
    (void)j;
    return w;
}

#ifdef COHORT_TESTING
int
match_compare(const struct matcher *m, size_t a, size_t b, unsigned *levels)
{
    uint8_t lv[MF_MAX] = {0};
    unsigned f;
    int g = levels_of(m, a, b, lv);

    for (f = 0; f < MF_MAX; f++)
        levels[f] = lv[f];
    return g;
}

double
match_pair_weight(const struct matcher *m, size_t a, size_t b)
{
    uint8_t lv[MF_MAX] = {0};

    levels_of(m, a, b, lv);
    return weight_of(m, a, b, lv);
}

static uint32_t block_key(const struct matcher *m, unsigned r, size_t i);
static int is_capped(const struct matcher *m, unsigned r, uint32_t key);

int
match_pair_rule(const struct matcher *m, size_t a, size_t b)
{
    unsigned r;

    for (r = 0; r < m->cfg.nrules; r++) {
        uint32_t k = block_key(m, r, a);

        if (k && k == block_key(m, r, b) && !is_capped(m, r, k))
            return (int)r;
    }
    return -1;
}
#endif

/* ---- histograms of comparison patterns ---- */

static void
hist_init(struct hist *h)
{
    hash_table_init(&h->t);
    h->count = NULL;
    h->alloc = 0;
}

static int
hist_add(struct matcher *m, struct hist *h, uint64_t pattern, double c)
{
    unsigned char key[8];
    size_t i;
    int k;

    for (k = 0; k < 8; k++)
        key[k] = (unsigned char)(pattern >> (8 * k));
    if (hash_table_intern(&h->t, key, sizeof(key), &i) < 0)
        return CE_NOMEM;
    if (i >= h->alloc) {
        size_t na = h->alloc ? h->alloc * 2 : 256;
        double *p = mx_realloc(m, h->count, h->alloc * sizeof(*p),
                               na * sizeof(*p));

        if (!p)
            return CE_NOMEM;
        memset(p + h->alloc, 0, (na - h->alloc) * sizeof(*p));
        h->count = p;
        h->alloc = na;
    }
    h->count[i] += c;
    return 0;
}

static void
hist_release(struct matcher *m, struct hist *h)
{
    hash_table_release(&h->t);
    mx_free(m, h->count, h->alloc * sizeof(*h->count));
    hist_init(h);
}

/*
 * The histogram as EM's arrays, patterns in the order first seen (the
 * order of the pairs, so sums run in one order every run). *levels and
 * *count are the caller's to free (mx_free, sizes npat * nfields and npat
 * * sizeof(double)).
 */
static int
hist_arrays(struct matcher *m, const struct hist *h, uint8_t **levels,
            double **count)
{
    size_t i, n = h->t.n;
    unsigned f;

    *levels = mx_calloc(m, n ? n * m->nfields : 1, 1);
    *count = mx_calloc(m, n, sizeof(double));
    if (!*levels || !*count) {
        mx_free(m, *levels, n ? n * m->nfields : 1);
        mx_free(m, *count, n * sizeof(double));
        *levels = NULL;
        *count = NULL;
        return CE_NOMEM;
    }
    for (i = 0; i < n; i++) {
        const unsigned char *key =
            (const unsigned char *)hash_table_key(&h->t, i, NULL);
        uint64_t pattern = 0;
        int k;

        for (k = 0; k < 8; k++)
            pattern |= (uint64_t)key[k] << (8 * k);
        (*count)[i] = h->count[i];
        for (f = 0; f < m->nfields; f++)
            (*levels)[i * m->nfields + f] =
                (uint8_t)((pattern >> (4 * f)) & 0xF);
    }
    return 0;
}

/* ---- expectation-maximisation ---- */

TESTABLE int
match_em(size_t npat, const uint8_t *levels, const double *count,
         unsigned nfields, const unsigned *nlevels, const int *active,
         const double *u, double *m, double *lambda, unsigned max_iter,
         double tolerance)
{
    double num[MF_MAX][MATCH_MAX_LEVELS], den[MF_MAX];
    unsigned it, f, l;
    size_t g;

    for (it = 1; it <= max_iter; it++) {
        double sum_p = 0, sum_c = 0, delta, lam = *lambda;

        memset(num, 0, sizeof(num));
        memset(den, 0, sizeof(den));
        for (g = 0; g < npat; g++) {
            const uint8_t *lv = levels + g * nfields;
            double l1 = lam, l0 = 1 - lam, p, wgt;

            for (f = 0; f < nfields; f++)
                if (active[f] && lv[f]) {
                    l1 *= m[f * MATCH_MAX_LEVELS + lv[f]];
                    l0 *= u[f * MATCH_MAX_LEVELS + lv[f]];
                }
            p = l1 + l0 > 0 ? l1 / (l1 + l0) : 0;
            wgt = count[g] * p;
            sum_p += wgt;
            sum_c += count[g];
            for (f = 0; f < nfields; f++)
                if (active[f] && lv[f]) {
                    num[f][lv[f]] += wgt;
                    den[f] += wgt;
                }
        }
        if (!(sum_c > 0))
            return -(int)it;
        delta = fabs(sum_p / sum_c - lam);
        *lambda = sum_p / sum_c;
        for (f = 0; f < nfields; f++) {
            if (!active[f] || !(den[f] > 0))
                continue;
            for (l = 1; l < nlevels[f]; l++) {
                double v = num[f][l] / den[f];
                double *mv = &m[f * MATCH_MAX_LEVELS + l];

                if (fabs(v - *mv) > delta)
                    delta = fabs(v - *mv);
                *mv = v;
            }
        }
        if (delta < tolerance)
            return (int)it;
    }
    return -(int)max_iter;
}

/* ---- sorting (record index, key) entries ---- */

/*
 * Sorts e[0..n) by the upper 32 bits, stably: entries made in record order
 * (key << 32 | record) come out ordered by key, then record. Two radix
 * passes of 16 bits.
 */
static int
sort_entries(struct matcher *m, uint64_t *e, size_t n)
{
    uint64_t *tmp, *src = e, *dst;
    size_t *cnt, i, sum;
    int shift;

    if (n < 2)
        return 0;
    tmp = mx_calloc(m, n, sizeof(*tmp));
    cnt = mx_calloc(m, 65536, sizeof(*cnt));
    if (!tmp || !cnt) {
        mx_free(m, tmp, n * sizeof(*tmp));
        mx_free(m, cnt, 65536 * sizeof(*cnt));
        return CE_NOMEM;
    }
    dst = tmp;
    for (shift = 32; shift <= 48; shift += 16) {
        uint64_t *t;

        memset(cnt, 0, 65536 * sizeof(*cnt));
        for (i = 0; i < n; i++)
            cnt[(src[i] >> shift) & 0xFFFF]++;
        for (i = 0, sum = 0; i < 65536; i++) {
            size_t c = cnt[i];

            cnt[i] = sum;
            sum += c;
        }
        for (i = 0; i < n; i++)
            dst[cnt[(src[i] >> shift) & 0xFFFF]++] = src[i];
        t = src;
        src = dst;
        dst = t;
    }
    /* two passes: the result is back in e */
    mx_free(m, tmp, n * sizeof(*tmp));
    mx_free(m, cnt, 65536 * sizeof(*cnt));
    return 0;
}

/* ---- groups, term frequencies, u ---- */

static int
same_group(const struct mrec *a, const struct mrec *b)
{
    return a->group != MATCH_NO_GROUP && a->group == b->group;
}

static uint32_t
find_root(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

#define ANCHOR_MULTI UINT64_MAX

static uint64_t
anchor_merge(uint64_t a, uint64_t b)
{
    if (!a)
        return b;
    if (!b || a == b)
        return a;
    return ANCHOR_MULTI;
}

static int
anchor_conflict(uint64_t a, uint64_t b)
{
    return a && b && (a != b || a == ANCHOR_MULTI);
}

/*
 * Starts the union-find with the deterministic groups: every record of a
 * group under the group's first record, which holds the group's anchors
 * and counts one group; ring links each cluster's records in a circle.
 * *within receives the pairs inside groups.
 */
static int
prelink_groups(struct matcher *m, uint32_t *parent, uint32_t *members,
               uint32_t *ring, double *within)
{
    uint64_t *e;
    size_t i, k = 0, a, b;

    *within = 0;
    for (i = 0; i < m->n; i++) {
        parent[i] = (uint32_t)i;
        ring[i] = (uint32_t)i;
        members[i] = m->rec[i].group == MATCH_NO_GROUP;
    }
    e = mx_calloc(m, m->n, sizeof(*e));
    if (!e)
        return CE_NOMEM;
    for (i = 0; i < m->n; i++)
        if (m->rec[i].group != MATCH_NO_GROUP)
            e[k++] = (uint64_t)m->rec[i].group << 32 | i;
    if (sort_entries(m, e, k) < 0) {
        mx_free(m, e, m->n * sizeof(*e));
        return CE_NOMEM;
    }
    for (a = 0; a < k; a = b) {
        uint32_t first = (uint32_t)e[a];

        members[first] = 1;
        for (b = a + 1; b < k && e[b] >> 32 == e[a] >> 32; b++) {
            uint32_t x = (uint32_t)e[b];

            uint32_t t;

            parent[x] = first;
            t = ring[first];
            ring[first] = ring[x];
            ring[x] = t;
            m->anchor[2 * first] =
                anchor_merge(m->anchor[2 * first], m->anchor[2 * x]);
            m->anchor[2 * first + 1] =
                anchor_merge(m->anchor[2 * first + 1], m->anchor[2 * x + 1]);
        }
        *within += (double)(b - a) * (double)(b - a - 1) / 2;
    }
    for (i = 0; i < m->n; i++)
        m->st.groups += parent[i] == i;
    mx_free(m, e, m->n * sizeof(*e));
    return 0;
}

/* Each record's count of records with its forename, and its surname. */
static int
term_frequencies(struct matcher *m)
{
    uint64_t *e;
    size_t i, k, a, b;
    int pass;

    e = mx_calloc(m, m->n, sizeof(*e));
    if (!e)
        return CE_NOMEM;
    for (pass = 0; pass < 2; pass++) {
        for (i = 0, k = 0; i < m->n; i++) {
            uint32_t v = pass ? m->rec[i].sn : m->rec[i].fn;

            if (v)
                e[k++] = (uint64_t)v << 32 | i;
        }
        if (sort_entries(m, e, k) < 0) {
            mx_free(m, e, m->n * sizeof(*e));
            return CE_NOMEM;
        }
        for (a = 0; a < k; a = b) {
            for (b = a + 1; b < k && e[b] >> 32 == e[a] >> 32; b++)
                ;
            for (i = a; i < b; i++) {
                if (pass)
                    m->rec[(uint32_t)e[i]].sn_tf = (uint32_t)(b - a);
                else
                    m->rec[(uint32_t)e[i]].fn_tf = (uint32_t)(b - a);
            }
        }
    }
    mx_free(m, e, m->n * sizeof(*e));
    return 0;
}

/* u from random pairs (all pairs when there are no more than u_pairs),
 * with half a pair at each level so that no u is 0. */
static void
estimate_u(struct matcher *m)
{
    double cnt[MF_MAX][MATCH_MAX_LEVELS];
    uint8_t lv[MF_MAX];
    double all = (double)m->n * (double)(m->n - 1) / 2;
    uint64_t taken = 0, tries = 0, state = 0x5EEDC0FFEE123457ull;
    unsigned f, l;

    memset(cnt, 0, sizeof(cnt));
    if (all <= (double)m->cfg.u_pairs) {
        size_t i, j;

        for (i = 0; i < m->n; i++)
            for (j = i + 1; j < m->n; j++) {
                if (same_group(&m->rec[i], &m->rec[j]))
                    continue;
                levels_of(m, i, j, lv);
                for (f = 0; f < m->nfields; f++)
                    cnt[f][lv[f]]++;
                taken++;
            }
    } else {
        while (taken < m->cfg.u_pairs && tries < 4 * m->cfg.u_pairs) {
            size_t i, j;

            tries++;
            state += 0x9E3779B97F4A7C15ull;
            i = (size_t)(mix64(state) % m->n);
            state += 0x9E3779B97F4A7C15ull;
            j = (size_t)(mix64(state) % m->n);
            if (i == j || same_group(&m->rec[i], &m->rec[j]))
                continue;
            levels_of(m, i, j, lv);
            for (f = 0; f < m->nfields; f++)
                cnt[f][lv[f]]++;
            taken++;
        }
    }
    m->st.u_pairs = taken;
    for (f = 0; f < m->nfields; f++) {
        unsigned valid = levels_valid(f), nv = 0;
        double tot = 0;

        for (l = 1; l < m->nlevels[f]; l++)
            if (valid & (1u << l)) {
                tot += cnt[f][l];
                nv++;
            }
        for (l = 1; l < m->nlevels[f]; l++)
            m->u[f][l] =
                valid & (1u << l) ? (cnt[f][l] + 0.5) / (tot + 0.5 * nv) : 0;
    }
}

/* ---- blocking ---- */

static uint64_t
part(uint64_t h, uint32_t bit, uint32_t v)
{
    return mix64(h ^ ((uint64_t)bit << 32 | v));
}

/* Record i's key under rule r, 0 when it lacks a part. */
static uint32_t
block_key(const struct matcher *m, unsigned r, size_t i)
{
    const struct mrec *x = &m->rec[i];
    uint32_t rule = m->cfg.rules[r], v;
    uint64_t h = mix64(0x243F6A8885A308D3ull + r);
    unsigned k;

#define PART(bit, val)                                                         \
    do {                                                                       \
        if (rule & (bit)) {                                                    \
            if (!(val))                                                        \
                return 0;                                                      \
            h = part(h, (bit), (val));                                         \
        }                                                                      \
    } while (0)
    PART(MB_DOB, x->dob);
    PART(MB_YEAR, x->year);
    PART(MB_FORENAME, x->fn);
    PART(MB_SURNAME, x->sn);
    if (rule & MB_NAMES) {
        if (!x->fn || !x->sn)
            return 0;
        h = part(h, MB_NAMES, x->fn < x->sn ? x->fn : x->sn);
        h = part(h, MB_NAMES, x->fn < x->sn ? x->sn : x->fn);
    }
    PART(MB_ROOT, x->root);
    PART(MB_PHONETIC, x->phon);
    PART(MB_INITIAL, x->init);
    PART(MB_UNIT, x->unit);
    PART(MB_SECTOR, x->sector);
    PART(MB_DISTRICT, x->district);
    PART(MB_SEX, x->sex);
    for (k = 0; k < m->cfg.nextra; k++)
        PART(MB_EXTRA0 << k, m->extra[i * m->cfg.nextra + k]);
#undef PART
    v = (uint32_t)(h >> 32);
    return v ? v : 1;
}

static int
is_capped(const struct matcher *m, unsigned r, uint32_t key)
{
    size_t lo = 0, hi = m->ncapped[r];

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (m->capped[r][mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m->ncapped[r] && m->capped[r][lo] == key;
}

/* Whether a whole block joins the EM sample (frac of the pairs, in
 * expectation, chosen by the block's key). */
static int
block_sampled(uint32_t key, double frac)
{
    return frac >= 1 || (double)(mix64((uint64_t)key ^ 0xA5A5A5A5ull) >> 11) <
                            frac * 9007199254740992.0;
}

static int
push_accepted(struct matcher *m, double w, uint32_t a, uint32_t b)
{
    if (m->nacc == m->acc_alloc) {
        size_t na = m->acc_alloc ? m->acc_alloc * 2 : 4096;
        struct accepted *p =
            mx_realloc(m, m->acc, m->acc_alloc * sizeof(*p), na * sizeof(*p));

        if (!p)
            return CE_NOMEM;
        m->acc = p;
        m->acc_alloc = na;
    }
    m->acc[m->nacc].w = (float)w;
    m->acc[m->nacc].a = a;
    m->acc[m->nacc].b = b;
    m->nacc++;
    return 0;
}

/*
 * One pass over rule r's blocks. Training (train != NULL): counts blocks
 * and the cap (first time), then adds the patterns of the sampled blocks'
 * pairs to train, and those no earlier rule compares to uni, weighted by
 * the inverse of the sampling share. Scoring (train == NULL): weighs every
 * pair no earlier rule compares and keeps those over the threshold.
 */
static int
rule_pass(struct matcher *m, unsigned r, struct hist *train, struct hist *uni)
{
    struct match_rule_stats *rs = &m->st.rule[r];
    uint64_t *e = NULL;
    uint32_t *mem = NULL, *ek = NULL;
    size_t cap = m->cfg.block_cap, n = 0, i, a, b, x, y;
    double frac = 1;
    uint8_t lv[MF_MAX];
    unsigned q;
    int rc = CE_NOMEM;

    e = mx_calloc(m, m->n, sizeof(*e));
    mem = mx_calloc(m, cap, sizeof(*mem));
    ek = mx_calloc(m, cap * (r ? r : 1), sizeof(*ek));
    if (!e || !mem || !ek)
        goto out;
    for (i = 0; i < m->n; i++) {
        uint32_t k = block_key(m, r, i);

        if (k)
            e[n++] = (uint64_t)k << 32 | i;
    }
    if (sort_entries(m, e, n) < 0)
        goto out;
    if (train) {
        /* sizes: the cap, the over-cap keys, the pairs */
        rs->records = n;
        for (a = 0; a < n; a = b) {
            uint64_t s, pairs;

            for (b = a + 1; b < n && e[b] >> 32 == e[a] >> 32; b++)
                ;
            s = b - a;
            if (s < 2)
                continue;
            pairs = s * (s - 1) / 2;
            rs->blocks++;
            if (s <= cap) {
                rs->pairs += pairs;
                continue;
            }
            rs->blocks_over_cap++;
            rs->records_over_cap += s;
            rs->pairs_over_cap += pairs;
            if (m->ncapped[r] % 64 == 0) {
                uint32_t *p =
                    mx_realloc(m, m->capped[r], m->ncapped[r] * sizeof(*p),
                               (m->ncapped[r] + 64) * sizeof(*p));

                if (!p)
                    goto out;
                m->capped[r] = p;
            }
            m->capped[r][m->ncapped[r]++] = (uint32_t)(e[a] >> 32);
        }
        if (rs->pairs > m->cfg.em_pairs)
            frac = (double)m->cfg.em_pairs / (double)rs->pairs;
    }
    for (a = 0; a < n; a = b) {
        uint32_t key = (uint32_t)(e[a] >> 32);
        size_t s;

        for (b = a + 1; b < n && e[b] >> 32 == e[a] >> 32; b++)
            ;
        s = b - a;
        if (s < 2 || s > cap || (train && !block_sampled(key, frac)))
            continue;
        for (x = 0; x < s; x++) {
            mem[x] = (uint32_t)e[a + x];
            /* keys of earlier rules; 0 where that rule compares nothing */
            for (q = 0; q < r; q++) {
                uint32_t k = block_key(m, q, mem[x]);

                ek[x * r + q] = k && !is_capped(m, q, k) ? k : 0;
            }
        }
        for (x = 0; x < s; x++)
            for (y = x + 1; y < s; y++) {
                const struct mrec *ra = &m->rec[mem[x]], *rb = &m->rec[mem[y]];
                int covered = 0, refused;

                if (same_group(ra, rb))
                    continue;
                for (q = 0; q < r && !covered; q++)
                    covered = ek[x * r + q] && ek[x * r + q] == ek[y * r + q];
                if (train) {
                    uint64_t pat;

                    levels_of(m, mem[x], mem[y], lv);
                    pat = pattern_of(m, lv);
                    if (hist_add(m, train, pat, 1) < 0 ||
                        (!covered && hist_add(m, uni, pat, 1 / frac) < 0))
                        goto out;
                    rs->pairs_trained++;
                } else {
                    double w;
                    int bin;

                    if (covered)
                        continue;
                    refused = levels_of(m, mem[x], mem[y], lv);
                    w = weight_of(m, mem[x], mem[y], lv);
                    rs->pairs_compared++;
                    bin = (int)floor(w) - MATCH_HIST_MIN;
                    bin = bin < 0                  ? 0
                          : bin >= MATCH_HIST_BINS ? MATCH_HIST_BINS - 1
                                                   : bin;
                    m->st.weight_hist[bin]++;
                    if (w < m->thr)
                        continue;
                    if (refused) {
                        m->st.refused_disagree++;
                        continue;
                    }
                    if (push_accepted(m, w, mem[x], mem[y]) < 0)
                        goto out;
                }
            }
    }
    rc = 0;
out:
    mx_free(m, e, m->n * sizeof(*e));
    mx_free(m, mem, cap * sizeof(*mem));
    mx_free(m, ek, cap * (r ? r : 1) * sizeof(*ek));
    return rc;
}

/* ---- the model ---- */

/*
 * EM on rule r's histogram, from the default m. The rule's model (its m,
 * lambda and the fields it trained) goes to its statistics; when it
 * converged to a class that agrees more than random pairs on every field
 * it trained, its m is added to msum for those fields.
 */
static int
train_rule(struct matcher *m, unsigned r, const struct hist *h,
           double (*msum)[MATCH_MAX_LEVELS], unsigned *ntrained)
{
    struct match_rule_stats *rs = &m->st.rule[r];
    double lambda = 0.1;
    int active[MF_MAX], observed[MF_MAX], it, sane = 1, any = 0;
    uint8_t *levels;
    double *count;
    unsigned f, l, blocked = rule_fields(m->cfg.rules[r]);
    size_t g, npat = h->t.n;

    if (hist_arrays(m, h, &levels, &count) < 0)
        return CE_NOMEM;
    memset(observed, 0, sizeof(observed));
    for (g = 0; g < npat; g++)
        for (f = 0; f < m->nfields; f++)
            if (levels[g * m->nfields + f])
                observed[f] = 1;
    rs->trained_fields = 0;
    for (f = 0; f < m->nfields; f++) {
        const double *dm = field_default_m(f);

        active[f] = observed[f] && !(blocked & (1u << f));
        any |= active[f];
        if (active[f])
            rs->trained_fields |= 1u << f;
        for (l = 0; l < MATCH_MAX_LEVELS; l++)
            rs->m[f][l] = l < m->nlevels[f] ? dm[l] : 0;
    }
    it = any && npat ? match_em(npat, levels, count, m->nfields, m->nlevels,
                                active, &m->u[0][0], &rs->m[0][0], &lambda,
                                m->cfg.em_max_iter, m->cfg.em_tolerance)
                     : 0;
    rs->em_iterations = (unsigned)(it < 0 ? -it : it);
    rs->em_lambda = lambda;
    /* the "match" class must agree more than random pairs do */
    for (f = 0; f < m->nfields; f++)
        if (active[f] && !(rs->m[f][1] > m->u[f][1]))
            sane = 0;
    rs->em_converged = it > 0 && sane && lambda > 0 && lambda < 1;
    if (rs->em_converged)
        for (f = 0; f < m->nfields; f++)
            if (active[f]) {
                for (l = 1; l < m->nlevels[f]; l++)
                    msum[f][l] += rs->m[f][l];
                ntrained[f]++;
            }
    mx_free(m, levels, (npat ? npat * m->nfields : 1));
    mx_free(m, count, npat * sizeof(double));
    return 0;
}

/*
 * Sum over h's pairs of P(match | pattern) under the model (mm, *lambda),
 * the fields of `fields` only; with fit, *lambda is first fitted to h
 * (m and u fixed).
 */
static int
posterior_sum(struct matcher *m, const struct hist *h,
              const double (*mm)[MATCH_MAX_LEVELS], unsigned fields,
              double *lambda, int fit, double *out)
{
    uint8_t *levels;
    double *count, total = 0, sum_p = 0;
    size_t g, npat = h->t.n;
    unsigned it, f;

    *out = 0;
    if (!npat)
        return 0;
    if (hist_arrays(m, h, &levels, &count) < 0)
        return CE_NOMEM;
    for (g = 0; g < npat; g++)
        total += count[g];
    for (it = 0; it < 1000; it++) {
        sum_p = 0;
        for (g = 0; g < npat; g++) {
            const uint8_t *lv = levels + g * m->nfields;
            double l1 = *lambda, l0 = 1 - *lambda;

            for (f = 0; f < m->nfields; f++)
                if (lv[f] && (fields & (1u << f))) {
                    l1 *= mm[f][lv[f]];
                    l0 *= m->u[f][lv[f]];
                }
            sum_p += count[g] * (l1 + l0 > 0 ? l1 / (l1 + l0) : 0);
        }
        if (!fit || fabs(sum_p / total - *lambda) < 1e-9)
            break;
        *lambda = sum_p / total;
    }
    *out = sum_p;
    mx_free(m, levels, (npat ? npat * m->nfields : 1));
    mx_free(m, count, npat * sizeof(double));
    return 0;
}

/*
 * The prior: the expected number of matching pairs among the candidates
 * over the number of pairs. Each rule's candidates that no earlier rule
 * compares (uni[r]) are weighed by that rule's own model -- the one EM fitted
 * to its blocks, with its blocked fields left out -- so that agreement on
 * the blocking key, which every pair of a block shares, is not counted as
 * evidence: a model of all fields fitted to all candidates at once takes
 * the mass of non-matching pairs that agree only on a date of birth
 * (likelihood ratio about 1) for half matches. A rule whose EM failed uses
 * the combined m with its lambda fitted to its own pairs.
 */
static int
estimate_prior(struct matcher *m, const struct hist *train,
               const struct hist *uni, double within)
{
    double match = 0, pairs;
    unsigned r;

    for (r = 0; r < m->cfg.nrules; r++) {
        const struct match_rule_stats *rs = &m->st.rule[r];
        double lambda = rs->em_lambda, s;
        unsigned fields = rs->trained_fields;

        if (!rs->em_converged) {
            fields = ((1u << m->nfields) - 1) & ~rule_fields(m->cfg.rules[r]);
            lambda = 0.1;
            if (posterior_sum(m, &train[r],
                              (const double(*)[MATCH_MAX_LEVELS])m->m, fields,
                              &lambda, 1, &s) < 0)
                return CE_NOMEM;
        }
        if (posterior_sum(m, &uni[r],
                          rs->em_converged
                              ? (const double(*)[MATCH_MAX_LEVELS])rs->m
                              : (const double(*)[MATCH_MAX_LEVELS])m->m,
                          fields, &lambda, 0, &s) < 0)
            return CE_NOMEM;
        match += s;
    }
    if (match < 1)
        match = 1;
    pairs = (double)m->n * (double)(m->n - 1) / 2 - within;
    if (pairs < 2 * match)
        pairs = 2 * match;
    m->st.candidates_matching = match;
    m->prior = log2(match / (pairs - match));
    m->st.prior = m->prior;
    return 0;
}

static void
set_weights(struct matcher *m, double (*msum)[MATCH_MAX_LEVELS],
            const unsigned *ntrained)
{
    unsigned f, l;

    for (f = 0; f < m->nfields; f++) {
        const double *dm = field_default_m(f);
        unsigned valid = levels_valid(f);

        m->st.field[f].trained = ntrained[f];
        m->st.field[f].defaulted = !ntrained[f];
        for (l = 0; l < MATCH_MAX_LEVELS; l++) {
            double mv = 0;

            if (l >= 1 && l < m->nlevels[f] && (valid & (1u << l)))
                mv = ntrained[f] ? msum[f][l] / ntrained[f] : dm[l];
            m->m[f][l] = mv;
            m->st.field[f].m[l] = mv;
            m->st.field[f].u[l] = m->u[f][l];
            m->w[f][l] = mv > 0 && m->u[f][l] > 0
                             ? log2((mv > 1e-9 ? mv : 1e-9) / m->u[f][l])
                             : 0;
        }
    }
    m->log2m_exact[0] = log2(m->m[MF_FORENAME][ML_NAME_EXACT] > 1e-9
                                 ? m->m[MF_FORENAME][ML_NAME_EXACT]
                                 : 1e-9);
    m->log2m_exact[1] = log2(m->m[MF_SURNAME][ML_NAME_EXACT] > 1e-9
                                 ? m->m[MF_SURNAME][ML_NAME_EXACT]
                                 : 1e-9);
    m->log2n = log2((double)(m->n ? m->n : 1));
}

/* ---- clustering ---- */

static int
cmp_accepted(const void *x, const void *y)
{
    const struct accepted *p = x, *q = y;

    if (p->w != q->w)
        return p->w > q->w ? -1 : 1;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    return p->b < q->b ? -1 : p->b > q->b;
}

/* Whether the clusters of roots ra and rb hold two records the guard
 * refuses on a field outside `tolerate` (GUARD_*). */
static int
clusters_conflict(const struct matcher *m, const uint32_t *ring, uint32_t ra,
                  uint32_t rb, unsigned tolerate)
{
    uint32_t x = ra, y;

    if ((!m->cfg.guard_forename || (tolerate & GUARD_FORENAME)) &&
        (!m->cfg.guard_dob || (tolerate & GUARD_DOB)))
        return 0;
    do {
        y = rb;
        do {
            if (guard_fields(m, x, y) & ~tolerate)
                return 1;
            y = ring[y];
        } while (y != rb);
        x = ring[x];
    } while (x != ra);
    return 0;
}

static void
cluster(struct matcher *m, uint32_t *parent, uint32_t *members, uint32_t *ring)
{
    size_t k, i;
    uint32_t next = 0;

    if (m->nacc > 1)
        qsort(m->acc, m->nacc, sizeof(*m->acc), cmp_accepted);
    for (k = 0; k < m->nacc; k++) {
        uint32_t ra = find_root(parent, m->acc[k].a);
        uint32_t rb = find_root(parent, m->acc[k].b), lo, hi;

        if (ra == rb)
            continue;
        if (anchor_conflict(m->anchor[2 * ra], m->anchor[2 * rb]) ||
            anchor_conflict(m->anchor[2 * ra + 1], m->anchor[2 * rb + 1])) {
            m->st.refused_strong_id++;
            continue;
        }
        if (members[ra] + members[rb] > m->cfg.max_cluster) {
            m->st.refused_size++;
            continue;
        }
        if (clusters_conflict(m, ring, ra, rb,
                              agree_fields(m, m->acc[k].a, m->acc[k].b))) {
            m->st.refused_conflict++;
            continue;
        }
        lo = ra < rb ? ra : rb;
        hi = ra < rb ? rb : ra;
        parent[hi] = lo;
        {
            uint32_t t = ring[lo];

            ring[lo] = ring[hi];
            ring[hi] = t;
        }
        members[lo] += members[hi];
        m->anchor[2 * lo] = anchor_merge(m->anchor[2 * lo], m->anchor[2 * hi]);
        m->anchor[2 * lo + 1] =
            anchor_merge(m->anchor[2 * lo + 1], m->anchor[2 * hi + 1]);
        m->st.links++;
    }
    /* numbered in order of each cluster's first record: members becomes
     * the root -> number map */
    for (i = 0; i < m->n; i++)
        members[i] = UINT32_MAX;
    for (i = 0; i < m->n; i++) {
        uint32_t r = find_root(parent, (uint32_t)i);

        if (members[r] == UINT32_MAX)
            members[r] = next++;
        m->cluster[i] = members[r];
    }
    m->nclusters = next;
    m->st.clusters = next;
}

int
match_run(struct matcher *m, struct diag *d)
{
    struct hist train[MATCH_MAX_RULES], uni[MATCH_MAX_RULES];
    double msum[MF_MAX][MATCH_MAX_LEVELS], within = 0;
    unsigned ntrained[MF_MAX], r;
    uint32_t *parent = NULL, *members = NULL, *ring = NULL;
    int rc = CE_NOMEM;

    if (m->ran) {
        diag_set(d, NULL, 0, 0, NULL, "the matcher has already run");
        return CE_INTERNAL;
    }
    m->ran = 1;
    for (r = 0; r < MATCH_MAX_RULES; r++) {
        hist_init(&train[r]);
        hist_init(&uni[r]);
    }
    memset(msum, 0, sizeof(msum));
    memset(ntrained, 0, sizeof(ntrained));
    mx_free(m, m->fold, m->fold_cap * sizeof(*m->fold));
    m->fold = NULL;
    m->fold_cap = 0;
    m->st.records = m->n;
    parent = mx_calloc(m, m->n, sizeof(*parent));
    members = mx_calloc(m, m->n, sizeof(*members));
    ring = mx_calloc(m, m->n, sizeof(*ring));
    m->cluster = mx_calloc(m, m->n, sizeof(*m->cluster));
    if (!parent || !members || !ring || !m->cluster)
        goto out;
    if (prelink_groups(m, parent, members, ring, &within) < 0 ||
        term_frequencies(m) < 0)
        goto out;
    if (m->n >= 2) {
        estimate_u(m);
        for (r = 0; r < m->cfg.nrules; r++)
            if (rule_pass(m, r, &train[r], &uni[r]) < 0 ||
                train_rule(m, r, &train[r], msum, ntrained) < 0)
                goto out;
    }
    set_weights(m, msum, ntrained);
    if (estimate_prior(m, train, uni, within) < 0)
        goto out;
    m->thr = log2(m->cfg.threshold / (1 - m->cfg.threshold));
    m->st.threshold_weight = m->thr;
    for (r = 0; r < m->cfg.nrules && m->n >= 2; r++) {
        hist_release(m, &train[r]);
        hist_release(m, &uni[r]);
        if (rule_pass(m, r, NULL, NULL) < 0)
            goto out;
        m->st.pairs_compared += m->st.rule[r].pairs_compared;
    }
    m->st.pairs_accepted = m->nacc;
    cluster(m, parent, members, ring);
    rc = 0;
out:
    for (r = 0; r < MATCH_MAX_RULES; r++) {
        hist_release(m, &train[r]);
        hist_release(m, &uni[r]);
    }
    mx_free(m, parent, m->n * sizeof(*parent));
    mx_free(m, members, m->n * sizeof(*members));
    mx_free(m, ring, m->n * sizeof(*ring));
    mx_free(m, m->acc, m->acc_alloc * sizeof(*m->acc));
    m->acc = NULL;
    m->nacc = m->acc_alloc = 0;
    if (rc < 0)
        diag_set(d, NULL, 0, 0, NULL, "out of memory");
    return rc;
}

/* ---- results ---- */

uint32_t
match_cluster(const struct matcher *m, size_t record)
{
    return m->cluster && record < m->n ? m->cluster[record] : UINT32_MAX;
}

size_t
match_nclusters(const struct matcher *m)
{
    return m->nclusters;
}

size_t
match_nrecords(const struct matcher *m)
{
    return m->n;
}

const struct match_stats *
match_stats(const struct matcher *m)
{
    return &m->st;
}

const char *
match_field_name(enum match_field f)
{
    static const char *const names[] = {
        "forename", "surname", "dob",    "postcode", "sex",
        "extra1",   "extra2",  "extra3", "extra4",   "extra5",
        "extra6",   "extra7",  "extra8"};

    return (unsigned)f < sizeof(names) / sizeof(names[0]) ? names[f] : "?";
}

const char *
match_level_name(enum match_field f, unsigned level)
{
    static const char *const name[] = {
        "null",  "exact", "swapped", "root",         "dice0", "phonetic",
        "dice1", "dice2", "initial", "initial_full", "else"};
    static const char *const dob[] = {
        "null",         "exact",       "day_month_swapped",
        "year_1",       "day_differs", "month_differs",
        "year_differs", "year_only",   "else"};
    static const char *const pc[] = {"null", "unit", "sector", "district",
                                     "else"};
    static const char *const sex[] = {"null", "agree", "disagree"};
    static const char *const extra[] = {"null", "exact", "else"};

    switch (f) {
    case MF_FORENAME:
    case MF_SURNAME:
        return level <= ML_NAME_ELSE ? name[level] : "?";
    case MF_DOB:
        return level <= ML_DOB_ELSE ? dob[level] : "?";
    case MF_POSTCODE:
        return level <= ML_PC_ELSE ? pc[level] : "?";
    case MF_SEX:
        return level <= ML_SEX_DISAGREE ? sex[level] : "?";
    default:
        return level <= ML_EXTRA_ELSE ? extra[level] : "?";
    }
}

void
match_release(struct matcher *m)
{
    unsigned r;

    if (!m)
        return;
    free(m->rec);
    free(m->extra);
    free(m->anchor);
    free(m->fold);
    free(m->cluster);
    free(m->acc);
    for (r = 0; r < MATCH_MAX_RULES; r++)
        free(m->capped[r]);
    free(m);
}
