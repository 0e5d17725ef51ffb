/*
 * match_model.c - the Fellegi-Sunter model (match.h): histograms of
 * comparison patterns, EM, u from random pairs, term frequencies, the
 * prior and the weights.
 */
#include "match_private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/testable.h"

/* ---- histograms of comparison patterns ---- */

void
mx_hist_init(struct hist *h)
{
    hash_table_init(&h->t);
    h->count = NULL;
    h->alloc = 0;
}

int
mx_hist_add(struct matcher *m, struct hist *h, uint64_t pattern, double c)
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
        double *p =
            mx_realloc(m, h->count, h->alloc * sizeof(*p), na * sizeof(*p));

        if (!p)
            return CE_NOMEM;
        memset(p + h->alloc, 0, (na - h->alloc) * sizeof(*p));
        h->count = p;
        h->alloc = na;
    }
    h->count[i] += c;
    return 0;
}

void
mx_hist_release(struct matcher *m, struct hist *h)
{
    hash_table_release(&h->t);
    mx_free(m, h->count, h->alloc * sizeof(*h->count));
    mx_hist_init(h);
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

/* Each record's count of records with its forename, and its surname. */
int
mx_term_frequencies(struct matcher *m)
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
        if (mx_sort_entries(m, e, k) < 0) {
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

/* u's random pairs come from a counter: try k draws its two records from
 * the (2k+1)-th and (2k+2)-th values after the seed, so that any run of
 * tries can be drawn without those before it. */
#define U_SEED 0x5EEDC0FFEE123457ull
#define U_STEP 0x9E3779B97F4A7C15ull
/* Tries a thread draws at a time. */
#define U_BLOCK 65536

/* A run of tries [from, to): the level counts of the pairs it takes, at
 * most limit of them (whole numbers in doubles: sums of runs are exact,
 * in any order). */
struct u_run {
    const struct matcher *m;
    uint64_t from, to, limit;
    uint64_t taken;
    double cnt[MF_MAX][MATCH_MAX_LEVELS];
};

static void *
u_draw(void *arg)
{
    struct u_run *u = arg;
    const struct matcher *m = u->m;
    uint8_t lv[MF_MAX];
    uint64_t k;
    unsigned f;

    for (k = u->from; k < u->to && u->taken < u->limit; k++) {
        uint64_t state = U_SEED + (2 * k + 1) * U_STEP;
        size_t i = (size_t)(mix64(state) % m->n);
        size_t j = (size_t)(mix64(state + U_STEP) % m->n);

        if (i == j || same_group(&m->rec[i], &m->rec[j]))
            continue;
        mx_levels_of(m, i, j, lv);
        for (f = 0; f < m->nfields; f++)
            u->cnt[f][lv[f]]++;
        u->taken++;
    }
    return NULL;
}

/* Adds run u's counts to cnt. */
static void
u_add(double (*cnt)[MATCH_MAX_LEVELS], const struct u_run *u, unsigned nf)
{
    unsigned f, l;

    for (f = 0; f < nf; f++)
        for (l = 0; l < MATCH_MAX_LEVELS; l++)
            cnt[f][l] += u->cnt[f][l];
}

/*
 * The first u_pairs pairs of the random sequence (at most 4 u_pairs
 * tries) into cnt, drawn on cfg.threads threads a block of tries each and
 * added in block order; the block that passes u_pairs is drawn again, to
 * its u_pairs-th pair. The counts are those of one thread drawing in
 * order. Returns the pairs taken.
 */
static uint64_t
u_random_pairs(struct matcher *m, double (*cnt)[MATCH_MAX_LEVELS])
{
    struct u_run *u;
    uint64_t taken = 0, k = 0, max_tries = 4 * m->cfg.u_pairs;
    unsigned nt = m->cfg.threads ? m->cfg.threads : 1, t;

    if (nt > MATCH_MAX_THREADS)
        nt = MATCH_MAX_THREADS;
    u = calloc(nt, sizeof(*u));
    /* without room for nt runs: drawn here, one block at a time */
    while (taken < m->cfg.u_pairs && k < max_tries) {
        struct u_run one;
        struct u_run *blocks = u ? u : &one;
        unsigned nb = u ? nt : 1;

        for (t = 0; t < nb; t++) {
            memset(&blocks[t], 0, sizeof(blocks[t]));
            blocks[t].m = m;
            blocks[t].from = k + (uint64_t)t * U_BLOCK;
            blocks[t].to = blocks[t].from + U_BLOCK;
            if (blocks[t].from > max_tries)
                blocks[t].from = max_tries;
            if (blocks[t].to > max_tries)
                blocks[t].to = max_tries;
            blocks[t].limit = UINT64_MAX;
        }
        mx_on_threads(u_draw, blocks, sizeof(blocks[0]), nb);
        for (t = 0; t < nb && taken < m->cfg.u_pairs; t++) {
            if (taken + blocks[t].taken > m->cfg.u_pairs) {
                /* past u_pairs: this block again, to the u_pairs-th */
                uint64_t from = blocks[t].from, to = blocks[t].to;

                memset(&blocks[t], 0, sizeof(blocks[t]));
                blocks[t].m = m;
                blocks[t].from = from;
                blocks[t].to = to;
                blocks[t].limit = m->cfg.u_pairs - taken;
                u_draw(&blocks[t]);
            }
            u_add(cnt, &blocks[t], m->nfields);
            taken += blocks[t].taken;
            k = blocks[t].to;
        }
    }
    free(u);
    return taken;
}

/* u from random pairs (all pairs when there are no more than u_pairs),
 * with half a pair at each level so that no u is 0. */
void
mx_estimate_u(struct matcher *m)
{
    double cnt[MF_MAX][MATCH_MAX_LEVELS];
    uint8_t lv[MF_MAX];
    double all = (double)m->n * (double)(m->n - 1) / 2;
    uint64_t taken = 0;
    unsigned f, l;

    memset(cnt, 0, sizeof(cnt));
    if (all <= (double)m->cfg.u_pairs) {
        size_t i, j;

        for (i = 0; i < m->n; i++)
            for (j = i + 1; j < m->n; j++) {
                if (same_group(&m->rec[i], &m->rec[j]))
                    continue;
                mx_levels_of(m, i, j, lv);
                for (f = 0; f < m->nfields; f++)
                    cnt[f][lv[f]]++;
                taken++;
            }
    } else {
        taken = u_random_pairs(m, cnt);
    }
    m->st.u_pairs = taken;
    for (f = 0; f < m->nfields; f++) {
        unsigned valid = mx_levels_valid(f), nv = 0;
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

/* ---- the model ---- */

/*
 * EM on rule r's histogram, from the default m. The rule's model (its m,
 * lambda and the fields it trained) goes to its statistics; when it
 * converged to a class that agrees more than random pairs on every field
 * it trained, its m is added to msum for those fields.
 */
int
mx_train_rule(struct matcher *m, unsigned r, const struct hist *h,
              double (*msum)[MATCH_MAX_LEVELS], unsigned *ntrained)
{
    struct match_rule_stats *rs = &m->st.rule[r];
    double lambda = 0.1;
    int active[MF_MAX], observed[MF_MAX], it, sane = 1, any = 0;
    uint8_t *levels;
    double *count;
    unsigned f, l, blocked = mx_rule_fields(m->cfg.rules[r]);
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
        const double *dm = mx_field_default_m(f);

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
int
mx_estimate_prior(struct matcher *m, const struct hist *train,
                  const struct hist *uni, double within)
{
    double match = 0, pairs;
    unsigned r;

    for (r = 0; r < m->cfg.nrules; r++) {
        const struct match_rule_stats *rs = &m->st.rule[r];
        double lambda = rs->em_lambda, s;
        unsigned fields = rs->trained_fields;

        if (!rs->em_converged) {
            fields =
                ((1u << m->nfields) - 1) & ~mx_rule_fields(m->cfg.rules[r]);
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

void
mx_set_weights(struct matcher *m, double (*msum)[MATCH_MAX_LEVELS],
               const unsigned *ntrained)
{
    unsigned f, l;

    for (f = 0; f < m->nfields; f++) {
        const double *dm = mx_field_default_m(f);
        unsigned valid = mx_levels_valid(f);

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
