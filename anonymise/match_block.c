/*
 * match_block.c - blocking, scoring and clustering (match.h): sorted
 * (key, record) entries, the deterministic groups as the clusters' start,
 * one pass over a rule's blocks, and the guarded union-find over the
 * accepted pairs.
 */
#include "match_private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- sorting (record index, key) entries ---- */

/*
 * Sorts e[0..n) by the upper 32 bits, stably: entries made in record order
 * (key << 32 | record) come out ordered by key, then record. Two radix
 * passes of 16 bits.
 */
int
mx_sort_entries(struct matcher *m, uint64_t *e, size_t n)
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

static uint32_t
find_root(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

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
int
mx_prelink_groups(struct matcher *m, uint32_t *parent, uint32_t *members,
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
    if (mx_sort_entries(m, e, k) < 0) {
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

/* ---- blocking ---- */

static uint64_t
part(uint64_t h, uint32_t bit, uint32_t v)
{
    return mix64(h ^ ((uint64_t)bit << 32 | v));
}

/* Record i's key under rule r, 0 when it lacks a part. */
uint32_t
mx_block_key(const struct matcher *m, unsigned r, size_t i)
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

int
mx_is_capped(const struct matcher *m, unsigned r, uint32_t key)
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

/*
 * Rule r's block sizes from its sorted entries e[0..n): blocks, pairs
 * within the cap, and the blocks over it, whose keys are kept (sorted, as
 * the entries are) so that later rules know which pairs r never compares.
 * 0 or CE_NOMEM.
 */
static int
count_blocks(struct matcher *m, unsigned r, const uint64_t *e, size_t n)
{
    struct match_rule_stats *rs = &m->st.rule[r];
    size_t a, b;

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
        if (s <= m->cfg.block_cap) {
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
                return CE_NOMEM;
            m->capped[r] = p;
        }
        m->capped[r][m->ncapped[r]++] = (uint32_t)(e[a] >> 32);
    }
    return 0;
}

/*
 * Scores the pair (a, b) under rule rs: its weight into the histogram
 * and its band, and the pair into the accepted ones when it reaches the
 * threshold and the guard lets it. 0 or CE_NOMEM.
 */
/*
 * A scoring pass's share of one reader: the blocks of entries [from, to)
 * of rule r, and what scoring them counted and accepted, merged into the
 * matcher in the order of the shares (so in block order, as one reader
 * would have): the accepted pairs and the counts are those of one thread.
 * The matcher is only read meanwhile.
 */
struct scorer {
    const struct matcher *m;
    unsigned r;
    const uint64_t *e;
    size_t from, to;
    uint32_t *mem, *ek; /* block_cap and block_cap x r */
    uint64_t compared, hist[MATCH_HIST_BINS], band[MATCH_NBANDS];
    uint64_t no_dob, disagree;
    struct accepted *acc; /* malloc'd: counted into the matcher's bytes
                             when merged */
    size_t nacc, alloc;
    int rc;
};

static int
score_pair(struct scorer *sc, uint32_t a, uint32_t b)
{
    const struct matcher *m = sc->m;
    uint8_t lv[MF_MAX];
    unsigned k;
    double w;
    int bin, refused;

    refused = mx_levels_of(m, a, b, lv);
    w = mx_weight_of(m, a, b, lv);
    sc->compared++;
    bin = (int)floor(w) - MATCH_HIST_MIN;
    bin = bin < 0 ? 0 : bin >= MATCH_HIST_BINS ? MATCH_HIST_BINS - 1 : bin;
    sc->hist[bin]++;
    for (k = MATCH_NBANDS - 1; k > 0 && w < m->band_w[k]; k--)
        ;
    sc->band[k]++;
    if (w < m->thr)
        return 0;
    if (refused) {
        if (refused == 2)
            sc->no_dob++;
        else
            sc->disagree++;
        return 0;
    }
    if (sc->nacc == sc->alloc) {
        size_t na = sc->alloc ? sc->alloc * 2 : 4096;
        struct accepted *p = realloc(sc->acc, na * sizeof(*p));

        if (!p)
            return CE_NOMEM;
        sc->acc = p;
        sc->alloc = na;
    }
    sc->acc[sc->nacc].w = (float)w;
    sc->acc[sc->nacc].a = a;
    sc->acc[sc->nacc].b = b;
    sc->nacc++;
    return 0;
}

/* Fills mem[0..s) with a block's records and ek with their keys under
 * the earlier rules (0 where that rule compares nothing). */
static void
block_members(const struct matcher *m, unsigned r, const uint64_t *e,
              size_t s, uint32_t *mem, uint32_t *ek)
{
    size_t x;
    unsigned q;

    for (x = 0; x < s; x++) {
        mem[x] = (uint32_t)e[x];
        for (q = 0; q < r; q++) {
            uint32_t k = mx_block_key(m, q, mem[x]);

            ek[x * r + q] = k && !mx_is_capped(m, q, k) ? k : 0;
        }
    }
}

/* 1 when an earlier rule compares records x and y of a block. */
static int
covered_before(const uint32_t *ek, unsigned r, size_t x, size_t y)
{
    unsigned q;

    for (q = 0; q < r; q++)
        if (ek[x * r + q] && ek[x * r + q] == ek[y * r + q])
            return 1;
    return 0;
}

/* Scores sc's blocks: every pair no earlier rule compares and not of one
 * group. A thread's body, or called in place. */
static void *
score_blocks(void *arg)
{
    struct scorer *sc = arg;
    const struct matcher *m = sc->m;
    size_t a, b, x, y, cap = m->cfg.block_cap;

    for (a = sc->from; a < sc->to && sc->rc == 0; a = b) {
        size_t s;

        for (b = a + 1; b < sc->to && sc->e[b] >> 32 == sc->e[a] >> 32; b++)
            ;
        s = b - a;
        if (s < 2 || s > cap)
            continue;
        block_members(m, sc->r, sc->e + a, s, sc->mem, sc->ek);
        for (x = 0; x < s && sc->rc == 0; x++)
            for (y = x + 1; y < s; y++) {
                if (same_group(&m->rec[sc->mem[x]], &m->rec[sc->mem[y]]) ||
                    covered_before(sc->ek, sc->r, x, y))
                    continue;
                if (score_pair(sc, sc->mem[x], sc->mem[y]) < 0) {
                    sc->rc = CE_NOMEM;
                    break;
                }
            }
    }
    return NULL;
}

/* The pairs of the blocks within the cap among entries [from, to). */
static uint64_t
block_pairs(const uint64_t *e, size_t from, size_t to, size_t cap,
            size_t *next)
{
    size_t b = from + 1, s;

    while (b < to && e[b] >> 32 == e[from] >> 32)
        b++;
    *next = b;
    s = b - from;
    return s >= 2 && s <= cap ? (uint64_t)s * (s - 1) / 2 : 0;
}

/* Merges the shares' counts and accepted pairs, in share order. */
static int
merge_scorers(struct matcher *m, struct match_rule_stats *rs,
              struct scorer *sc, unsigned nsc)
{
    size_t need = m->nacc, held = 0, k;
    unsigned t;

    for (t = 0; t < nsc; t++) {
        need += sc[t].nacc;
        held += sc[t].alloc * sizeof(struct accepted);
    }
    /* the shares' lists were the matcher's too, until now */
    m->bytes += held;
    if (m->bytes > m->st.bytes_peak)
        m->st.bytes_peak = m->bytes;
    m->bytes -= held;
    if (need > m->acc_alloc) {
        size_t na = m->acc_alloc ? m->acc_alloc : 4096;
        struct accepted *p;

        while (na < need)
            na *= 2;
        p = mx_realloc(m, m->acc, m->acc_alloc * sizeof(*p), na * sizeof(*p));
        if (!p)
            return CE_NOMEM;
        m->acc = p;
        m->acc_alloc = na;
    }
    for (t = 0; t < nsc; t++) {
        if (sc[t].nacc)
            memcpy(m->acc + m->nacc, sc[t].acc,
                   sc[t].nacc * sizeof(*sc[t].acc));
        m->nacc += sc[t].nacc;
        rs->pairs_compared += sc[t].compared;
        for (k = 0; k < MATCH_HIST_BINS; k++)
            m->st.weight_hist[k] += sc[t].hist[k];
        for (k = 0; k < MATCH_NBANDS; k++)
            m->st.pairs_band[k] += sc[t].band[k];
        m->st.refused_no_dob += sc[t].no_dob;
        m->st.refused_disagree += sc[t].disagree;
    }
    return 0;
}

/* Scores rule r's sorted entries e[0..n) on up to cfg.threads threads,
 * each a run of whole blocks with about the same number of pairs. */
static int
score_rule(struct matcher *m, unsigned r, const uint64_t *e, size_t n)
{
    struct scorer sc[MATCH_MAX_THREADS];
    size_t cap = m->cfg.block_cap, a, next;
    uint64_t total = 0, acc = 0;
    unsigned nsc = m->cfg.threads, t;
    int rc = 0;

    if (nsc < 1)
        nsc = 1;
    if (nsc > MATCH_MAX_THREADS)
        nsc = MATCH_MAX_THREADS;
    for (a = 0; a < n; a = next)
        total += block_pairs(e, a, n, cap, &next);
    while (nsc > 1 && total < m->cfg.pairs_a_thread * nsc)
        nsc--; /* a thread would cost more than it saves */
    memset(sc, 0, sizeof(sc));
    for (t = 0; t < nsc; t++) {
        sc[t].m = m;
        sc[t].r = r;
        sc[t].e = e;
        sc[t].mem = mx_calloc(m, cap ? cap : 1, sizeof(uint32_t));
        sc[t].ek = mx_calloc(m, cap * (r ? r : 1), sizeof(uint32_t));
        if (!sc[t].mem || !sc[t].ek)
            rc = CE_NOMEM;
    }
    /* share t ends at the first block boundary past (t + 1) / nsc of the
     * pairs */
    for (a = 0, t = 0; t < nsc; t++) {
        sc[t].from = a;
        while (a < n && (t == nsc - 1 || acc * nsc < total * (t + 1))) {
            acc += block_pairs(e, a, n, cap, &next);
            a = next;
        }
        sc[t].to = a;
    }
    if (rc == 0)
        mx_on_threads(score_blocks, sc, sizeof(sc[0]), nsc);
    for (t = 0; t < nsc && rc == 0; t++)
        rc = sc[t].rc;
    if (rc == 0)
        rc = merge_scorers(m, &m->st.rule[r], sc, nsc);
    for (t = 0; t < nsc; t++) {
        free(sc[t].acc);
        mx_free(m, sc[t].mem, (cap ? cap : 1) * sizeof(uint32_t));
        mx_free(m, sc[t].ek, cap * (r ? r : 1) * sizeof(uint32_t));
    }
    return rc;
}

/*
 * One pass over rule r's blocks. Training (train != NULL): counts blocks
 * and the cap (first time), then adds the patterns of the sampled blocks'
 * pairs to train, and those no earlier rule compares to uni, weighted by
 * the inverse of the sampling share. Scoring (train == NULL): weighs every
 * pair no earlier rule compares and keeps those over the threshold.
 */
int
mx_rule_pass(struct matcher *m, unsigned r, struct hist *train,
             struct hist *uni)
{
    struct match_rule_stats *rs = &m->st.rule[r];
    uint64_t *e = NULL;
    uint32_t *mem = NULL, *ek = NULL;
    size_t cap = m->cfg.block_cap, n = 0, i, a, b, x, y;
    double frac = 1;
    uint8_t lv[MF_MAX];
    int rc = CE_NOMEM;

    e = mx_calloc(m, m->n, sizeof(*e));
    if (!e)
        goto out;
    for (i = 0; i < m->n; i++) {
        uint32_t k = mx_block_key(m, r, i);

        if (k)
            e[n++] = (uint64_t)k << 32 | i;
    }
    if (mx_sort_entries(m, e, n) < 0)
        goto out;
    if (!train) {
        rc = score_rule(m, r, e, n); /* with its own scratch per thread */
        goto out;
    }
    if (count_blocks(m, r, e, n) < 0)
        goto out;
    if (rs->pairs > m->cfg.em_pairs)
        frac = (double)m->cfg.em_pairs / (double)rs->pairs;
    mem = mx_calloc(m, cap, sizeof(*mem));
    ek = mx_calloc(m, cap * (r ? r : 1), sizeof(*ek));
    if (!mem || !ek)
        goto out;
    for (a = 0; a < n; a = b) {
        uint32_t key = (uint32_t)(e[a] >> 32);
        size_t s;

        for (b = a + 1; b < n && e[b] >> 32 == e[a] >> 32; b++)
            ;
        s = b - a;
        if (s < 2 || s > cap || !block_sampled(key, frac))
            continue;
        block_members(m, r, e + a, s, mem, ek);
        for (x = 0; x < s; x++)
            for (y = x + 1; y < s; y++) {
                const struct mrec *ra = &m->rec[mem[x]], *rb = &m->rec[mem[y]];
                /* a group's pairs train: they are the matches the keys
                 * found */
                int within = same_group(ra, rb);
                int covered = covered_before(ek, r, x, y);
                uint64_t pat;

                mx_levels_of(m, mem[x], mem[y], lv);
                pat = mx_pattern_of(m, lv);
                if (mx_hist_add(m, train, pat, 1) < 0 ||
                    (!covered && !within &&
                     mx_hist_add(m, uni, pat, 1 / frac) < 0))
                    goto out;
                rs->pairs_trained++;
            }
    }
    rc = 0;
out:
    mx_free(m, e, m->n * sizeof(*e));
    mx_free(m, mem, cap * sizeof(*mem));
    mx_free(m, ek, cap * (r ? r : 1) * sizeof(*ek));
    return rc;
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
            if (mx_guard_fields(m, x, y) & ~tolerate)
                return 1;
            y = ring[y];
        } while (y != rb);
        x = ring[x];
    } while (x != ra);
    return 0;
}

/* Accepted pairs of one record without a date of birth that are
 * checked against each other for two generations; more are left as they
 * are (a record in that many accepted pairs is rare, and capped work). */
#define AMBIGUOUS_SPAN 32

/* Marks (w = -INFINITY) the accepted pairs of e[0..n), all of one record
 * without a date of birth, whose other records include two the guard
 * refuses on the date of birth. */
static void
mark_generations(struct matcher *m, const uint64_t *e, size_t n)
{
    size_t x, y;
    int hit = 0;

    if (n > AMBIGUOUS_SPAN)
        n = AMBIGUOUS_SPAN;
    for (x = 0; x < n && !hit; x++)
        for (y = x + 1; y < n && !hit; y++) {
            const struct accepted *p = &m->acc[(uint32_t)e[x]];
            const struct accepted *q = &m->acc[(uint32_t)e[y]];
            uint32_t self = (uint32_t)(e[x] >> 32);
            uint32_t o1 = p->a == self ? p->b : p->a;
            uint32_t o2 = q->a == self ? q->b : q->a;

            hit = (mx_guard_fields(m, o1, o2) & GUARD_DOB) != 0;
        }
    if (!hit)
        return;
    for (x = 0; x < n; x++) {
        struct accepted *p = &m->acc[(uint32_t)e[x]];

        if (p->w != -INFINITY) {
            p->w = -INFINITY;
            m->st.refused_generations++;
        }
    }
}

/*
 * The guard's rule for a record without a date of birth (match.h): when
 * its accepted pairs reach two records of two generations, every such
 * pair of it is dropped. The dropped pairs are removed from the accepted
 * ones. 0 or CE_NOMEM.
 */
static int
drop_generations(struct matcher *m)
{
    uint64_t *e;
    size_t n = 0, k, i, j;

    if (!m->cfg.guard_no_dob || !m->cfg.guard_dob || m->nacc < 2)
        return 0;
    if (!(e = mx_calloc(m, 2 * m->nacc, sizeof(*e))))
        return CE_NOMEM;
    for (k = 0; k < m->nacc; k++) {
        if (!m->rec[m->acc[k].a].dob)
            e[n++] = (uint64_t)m->acc[k].a << 32 | k;
        if (!m->rec[m->acc[k].b].dob)
            e[n++] = (uint64_t)m->acc[k].b << 32 | k;
    }
    if (n > 1 && mx_sort_entries(m, e, n) < 0) {
        mx_free(m, e, 2 * m->nacc * sizeof(*e));
        return CE_NOMEM;
    }
    for (i = 0; i < n; i = j) {
        for (j = i + 1; j < n && e[j] >> 32 == e[i] >> 32; j++)
            ;
        if (j - i > 1)
            mark_generations(m, e + i, j - i);
    }
    mx_free(m, e, 2 * m->nacc * sizeof(*e));
    for (k = j = 0; k < m->nacc; k++)
        if (m->acc[k].w != -INFINITY)
            m->acc[j++] = m->acc[k];
    m->nacc = j;
    return 0;
}

/* One end of an accepted pair, for drop_ambiguous(). */
struct pair_end {
    uint32_t root, other; /* the keys' persons at the two ends */
    float w;
    uint32_t k;           /* the pair in m->acc */
};

static int
cmp_pair_end(const void *x, const void *y)
{
    const struct pair_end *p = x, *q = y;

    if (p->root != q->root)
        return p->root < q->root ? -1 : 1;
    if (p->w != q->w)
        return p->w > q->w ? -1 : 1;
    return p->k < q->k ? -1 : p->k > q->k;
}

/*
 * Marks (drop[k] = 1) the accepted pairs that make a person of the keys
 * ambiguous: two of its pairs, within AMBIGUOUS_BITS of weight of each
 * other, to two persons whose dates of birth the guard keeps apart (a
 * record without a date of birth that agrees as well with a grandmother
 * as with her granddaughter of one name and address). Clustering
 * strongest first would give it to whichever pair came first; nothing in
 * the records says which is right, so it joins neither. Forenames that
 * the guard keeps apart do not count here: a first-letter typo makes one
 * person's two records look so (bench_match: 0.6 points of recall at
 * three times the error rates), and twins are kept apart by clustering's
 * own check.
 * 0 or CE_NOMEM (nothing marked).
 */
#define AMBIGUOUS_BITS 1.0f

static int
drop_ambiguous(struct matcher *m, uint32_t *parent, const uint32_t *ring,
               uint8_t *drop)
{
    struct pair_end *e = mx_calloc(m, 2 * m->nacc, sizeof(*e));
    size_t k, n = 0, a, b;

    if (!e)
        return CE_NOMEM;
    for (k = 0; k < m->nacc; k++) {
        uint32_t ra = find_root(parent, m->acc[k].a);
        uint32_t rb = find_root(parent, m->acc[k].b);

        if (ra == rb)
            continue;
        e[n++] = (struct pair_end){ra, rb, m->acc[k].w, (uint32_t)k};
        e[n++] = (struct pair_end){rb, ra, m->acc[k].w, (uint32_t)k};
    }
    if (n > 1)
        qsort(e, n, sizeof(*e), cmp_pair_end);
    for (a = 0; a < n; a++)
        for (b = a + 1; b < n && e[b].root == e[a].root &&
                        e[a].w - e[b].w <= AMBIGUOUS_BITS;
             b++)
            if (e[b].other != e[a].other &&
                clusters_conflict(m, ring, e[a].other, e[b].other,
                                  GUARD_FORENAME))
                drop[e[a].k] = drop[e[b].k] = 1;
    mx_free(m, e, 2 * m->nacc * sizeof(*e));
    return 0;
}

int
mx_cluster(struct matcher *m, uint32_t *parent, uint32_t *members,
           uint32_t *ring)
{
    size_t k, i;
    uint32_t next = 0;
    uint8_t *drop;

    /* first the dateless records' pairs to two generations go (they
     * shrink m->nacc), then the ambiguous ones are marked among the rest */
    if (drop_generations(m) < 0)
        return CE_NOMEM;
    drop = mx_calloc(m, m->nacc ? m->nacc : 1, 1);
    if (m->nacc > 1)
        qsort(m->acc, m->nacc, sizeof(*m->acc), cmp_accepted);
    /* without the memory to look, every pair stays (as before the check) */
    if (drop && drop_ambiguous(m, parent, ring, drop) < 0)
        memset(drop, 0, m->nacc);
    for (k = 0; k < m->nacc; k++) {
        uint32_t ra = find_root(parent, m->acc[k].a);
        uint32_t rb = find_root(parent, m->acc[k].b), lo, hi;

        if (ra == rb)
            continue;
        if (drop && drop[k]) {
            m->st.refused_ambiguous++;
            continue;
        }
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
                              mx_agree_fields(m, m->acc[k].a, m->acc[k].b))) {
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
    mx_free(m, drop, m->nacc ? m->nacc : 1);
    return 0;
}
