/*
 * match.c - the matcher's configuration, its records (added, folded,
 * stored in 128 bytes), match_run() step by step, and its results; the
 * steps live in match_compare.c, match_model.c and match_block.c
 * (match_private.h says which).
 */
#include "match_private.h"

#include <pthread.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- allocation with a running total (match_stats.bytes_peak) ---- */

void *
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

void *
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

void
mx_free(struct matcher *m, void *p, size_t size)
{
    if (!p)
        return;
    free(p);
    m->bytes -= size;
}

void
mx_on_threads(void *(*fn)(void *), void *items, size_t size, unsigned n)
{
    pthread_t tid[MATCH_MAX_THREADS];
    unsigned t, started = 0;
    char *at = items;

    for (t = 1; t < n && t < MATCH_MAX_THREADS; t++) {
        if (pthread_create(&tid[t], NULL, fn, at + t * size) != 0)
            break;
        started = t;
    }
    fn(at);
    for (t = started + 1; t < n; t++)
        fn(at + t * size); /* no thread to be had: here */
    for (t = 1; t <= started; t++)
        pthread_join(tid[t], NULL);
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
    c->guard_no_dob = 1;
    c->extra_strong = UINT32_MAX;
    c->threads = 1;
    c->pairs_a_thread = 100000;
}

/*
 * The documented defaults of m, used for a field no rule trained and as
 * EM's starting point: shares of true matches at each level, from the
 * error rates councils' extracts show (a mistyped or varied name in a few
 * percent of records, a date of birth wrong in a few, a third of people
 * moving between two extracts). Levels a field never produces are 0.
 */
static const double default_m[MF_EXTRA0 + 1][MATCH_MAX_LEVELS] = {
    /* forename: exact swap root dice0 part phon dice1 dice2 init init_full
     * else */
    {0, 0.81, 0.01, 0.04, 0.03, 0.01, 0, 0.03, 0.02, 0.01, 0.01, 0.03},
    /* surname */
    {0, 0.86, 0, 0, 0.04, 0.02, 0.02, 0.02, 0.01, 0, 0, 0.03},
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
unsigned
mx_levels_valid(unsigned f)
{
    switch (f) {
    case MF_FORENAME:
        return 0xFFEu & ~(1u << ML_NAME_PHONETIC);
    case MF_SURNAME:
        return (1u << ML_NAME_EXACT) | (1u << ML_NAME_PART) |
               (1u << ML_NAME_DICE0) |
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

unsigned
mx_field_nlevels(unsigned f)
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

const double *
mx_field_default_m(unsigned f)
{
    return default_m[f < MF_EXTRA0 ? f : MF_EXTRA0];
}

/* The fields a rule's key is made of: EM does not train them on it. */
unsigned
mx_rule_fields(uint32_t rule)
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
        m->nlevels[f] = mx_field_nlevels(f);
        m->st.field[f].nlevels = m->nlevels[f];
    }
    m->bytes = sizeof(*m);
    m->st.bytes_peak = m->bytes;
    *out = m;
    return 0;
}

/* ---- adding records ---- */

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
    for (k = 0; k < MX_PARTS; k++)
        h = mix64(h ^ m->parts[MX_PARTS * i + k]);
    return h;
}

static int
same_content(const struct matcher *m, size_t i, size_t j)
{
    return !memcmp(&m->rec[i], &m->rec[j], sizeof(struct mrec)) &&
           !memcmp(&m->anchor[2 * i], &m->anchor[2 * j],
                   2 * sizeof(uint64_t)) &&
           !memcmp(&m->parts[MX_PARTS * i], &m->parts[MX_PARTS * j],
                   MX_PARTS * sizeof(uint32_t)) &&
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
    e = mx_realloc(m, m->parts, m->alloc * MX_PARTS * sizeof(*e),
                   na * MX_PARTS * sizeof(*e));
    if (!e)
        return CE_NOMEM;
    m->parts = e;
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
    m->parts[MX_PARTS * i] = x->sn ? fold32(r->surname_part[0]) : 0;
    m->parts[MX_PARTS * i + 1] = x->sn ? fold32(r->surname_part[1]) : 0;
    m->parts[MX_PARTS * i + 2] = x->fn ? fold32(r->forename_part[0]) : 0;
    m->parts[MX_PARTS * i + 3] = x->fn ? fold32(r->forename_part[1]) : 0;
    m->parts[MX_PARTS * i + MX_FN_SORTED] =
        x->fn ? fold32(r->forename_sorted) : 0;
    m->parts[MX_PARTS * i + MX_SN_SORTED] =
        x->sn ? fold32(r->surname_sorted) : 0;
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
        mx_hist_init(&train[r]);
        mx_hist_init(&uni[r]);
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
    if (mx_prelink_groups(m, parent, members, ring, &within) < 0 ||
        mx_term_frequencies(m) < 0)
        goto out;
    if (m->n >= 2) {
        mx_estimate_u(m);
        for (r = 0; r < m->cfg.nrules; r++)
            if (mx_rule_pass(m, r, &train[r], &uni[r]) < 0 ||
                mx_train_rule(m, r, &train[r], msum, ntrained) < 0)
                goto out;
    }
    mx_set_weights(m, msum, ntrained);
    if (mx_estimate_prior(m, train, uni, within) < 0)
        goto out;
    m->thr = log2(m->cfg.threshold / (1 - m->cfg.threshold));
    m->st.threshold_weight = m->thr;
    for (r = 1; r < MATCH_NBANDS; r++)
        m->band_w[r] = log2(match_band_floor(r) / (1 - match_band_floor(r)));
    for (r = 0; r < m->cfg.nrules && m->n >= 2; r++) {
        mx_hist_release(m, &train[r]);
        mx_hist_release(m, &uni[r]);
        if (mx_rule_pass(m, r, NULL, NULL) < 0)
            goto out;
        m->st.pairs_compared += m->st.rule[r].pairs_compared;
    }
    m->st.pairs_accepted = m->nacc;
    if (mx_cluster(m, parent, members, ring) < 0)
        goto out;
    rc = 0;
out:
    for (r = 0; r < MATCH_MAX_RULES; r++) {
        mx_hist_release(m, &train[r]);
        mx_hist_release(m, &uni[r]);
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

double
match_band_floor(unsigned band)
{
    static const double floor_p[MATCH_NBANDS] = {0,    0.5,   0.9,
                                                 0.99, 0.999, 0.9999};

    return band < MATCH_NBANDS ? floor_p[band] : 1;
}

const char *
match_rule_text(uint32_t rule, char *buf, size_t n)
{
    static const char *const part[] = {
        "dob",           "dob_year",
        "forename",      "surname",
        "forename+surname either order", "forename_root",
        "surname_phonetic", "initial",
        "postcode",      "sector",
        "district",      "sex"};
    size_t len = 0;
    unsigned b;

    if (!n)
        return buf;
    buf[0] = '\0';
    for (b = 0; b < 16 + MATCH_MAX_EXTRA; b++) {
        char extra[16];
        const char *name = NULL;

        if (!(rule & (1u << b)))
            continue;
        if (b < sizeof(part) / sizeof(part[0])) {
            name = part[b];
        } else if (b >= 16) {
            snprintf(extra, sizeof(extra), "extra%u", b - 15);
            name = extra;
        }
        if (name && len < n)
            len += (size_t)snprintf(buf + len, n - len, "%s%s",
                                    len ? "+" : "", name);
    }
    return buf;
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
        "null",     "exact", "swapped", "root",    "dice0",        "part",
        "phonetic", "dice1", "dice2",   "initial", "initial_full", "else"};
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
    free(m->parts);
    free(m->fold);
    free(m->cluster);
    free(m->acc);
    for (r = 0; r < MATCH_MAX_RULES; r++)
        free(m->capped[r]);
    free(m);
}
