/*
 * projection.c - the stock-flow projection, its simulated intervals, the
 * seasonal-naive benchmark and the back-test (projection.h).
 */
#include "projection.h"
#include "impute.h"

#include "../core/calendar.h"
#include "../core/error.h"
#include "../core/hash.h"
#include "../core/label.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PATHS 2000
#define ENTRY_WINDOW 12   /* months the entry rate is the mean of */
#define HAZARD_WINDOW 12  /* months the hazards are estimated over */
#define H PROJECTION_HORIZON

/* The published history as the model reads it, hidden cells imputed. */
struct history {
    int n;               /* periods */
    size_t A, D;         /* age bands (1 without), months-in-cohort bands */
    double *S, *E;       /* persons and exits: n x A x D */
    double *N;           /* entries: n x A */
    double *age_months;  /* per band: its width in months; 0 open; -1 UNKNOWN */
    int collapsed;       /* the tables' age bands summed: the total only */
    double *dur_months;  /* per duration band: its width; 0 open */
};

/* The model fitted at one origin. */
struct params {
    double *h;           /* exit hazard, A x D */
    double *share;       /* each band's share of the entries */
    double *g;           /* monthly fraction ageing into the next band */
    double mu, sd, se;   /* entries per month: mean, spread, mean's error */
};

/* One origin's projection: per month k and series s (0 the total, 1 + a
 * band a), at [k * (A + 1) + s]. */
struct run_out {
    double *point, *lo80, *hi80, *lo95, *hi95;
};

/* splitmix64 and Box-Muller: a fixed, portable generator. */
struct rng {
    uint64_t s;
    int have;
    double spare;
};

static double
rng_uniform(struct rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

static double
rng_normal(struct rng *r)
{
    double u, v;

    if (r->have) {
        r->have = 0;
        return r->spare;
    }
    u = rng_uniform(r);
    v = rng_uniform(r);
    r->spare = sqrt(-2 * log(u)) * sin(2 * M_PI * v);
    r->have = 1;
    return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* A band label's width ("5 to 10" -> 6 units, "65 and over" -> 0,
 * anything else -- UNKNOWN -- -1): core/label.h band_label_parse(). */
static double
label_width(const char *label, double unit)
{
    int lo, hi;

    if (band_label_parse(label, &lo, &hi) < 0)
        return -1;
    return hi < 0 ? 0 : (double)(hi - lo + 1) * unit;
}

static void
history_release(struct history *hs)
{
    free(hs->S);
    free(hs->E);
    free(hs->N);
    free(hs->age_months);
    free(hs->dur_months);
    memset(hs, 0, sizeof(*hs));
}

/* Month t of hs from the tables' all-ages margins: persons and exits by
 * months in the cohort, the entries' total. */
static void
load_collapsed(const struct forecast_inputs *in, struct history *hs, int t,
               double *entries)
{
    const struct published_table *st = in->stock;
    double *s = hs->S + (size_t)t * hs->D, sum = 0;
    size_t a;

    impute_margins(st, t, (int)st->nby - 1, in->guess, NULL, s);
    impute_margins(in->exits, t, (int)in->exits->nby - 1, in->guess, s,
                   hs->E + (size_t)t * hs->D);
    impute_period(in->entries, t, in->guess, NULL, entries);
    for (a = 0; a < impute_ninterior(in->entries); a++)
        sum += entries[a];
    hs->N[t] = sum;
}

/* Month t of hs from the tables' interior cells. Hidden exits in
 * proportion to the persons of their cell (one hazard, when nothing
 * published says otherwise), hidden entries to the persons of their age
 * band new to the cohort. */
static void
load_cells(const struct forecast_inputs *in, struct history *hs, int t,
           double *prior)
{
    size_t cells = hs->A * hs->D, a;
    double *s = hs->S + (size_t)t * cells;

    impute_period(in->stock, t, in->guess, NULL, s);
    impute_period(in->exits, t, in->guess, s, hs->E + (size_t)t * cells);
    for (a = 0; a < hs->A; a++)
        prior[a] = s[a * hs->D];
    impute_period(in->entries, t, in->guess, prior, hs->N + (size_t)t * hs->A);
}

/*
 * The history the model reads: by age band, or (collapsed, or when the
 * tables have none) the all-ages margins only. The total is projected
 * from the margins: a small cohort's cells by age band are mostly hidden,
 * and guesses spread over bands it has no one in would age and leave as
 * persons it does not have.
 */
static int
history_load(const struct forecast_inputs *in, int collapsed,
             struct history *hs)
{
    const struct published_table *st = in->stock;
    size_t a, d, cells;
    double *work;
    int t;

    memset(hs, 0, sizeof(*hs));
    hs->n = st->nperiods;
    hs->collapsed = collapsed || !in->with_age;
    hs->A = hs->collapsed ? 1 : st->dim_n[0];
    hs->D = st->dim_n[st->nby - 1];
    cells = hs->A * hs->D;
    if (impute_ninterior(in->exits) != impute_ninterior(st) ||
        in->exits->nperiods != hs->n || in->entries->nperiods != hs->n)
        return CE_INTERNAL;
    hs->S = calloc((size_t)hs->n * cells, sizeof(double));
    hs->E = calloc((size_t)hs->n * cells, sizeof(double));
    hs->N = calloc((size_t)hs->n * hs->A, sizeof(double));
    hs->age_months = calloc(hs->A, sizeof(double));
    hs->dur_months = calloc(hs->D, sizeof(double));
    work = calloc(impute_ninterior(in->entries) + hs->A, sizeof(double));
    if (!hs->S || !hs->E || !hs->N || !hs->age_months || !hs->dur_months ||
        !work) {
        free(work);
        history_release(hs);
        return CE_NOMEM;
    }
    for (a = 0; a < hs->A && !hs->collapsed; a++)
        hs->age_months[a] = label_width(st->dim_labels[0][a], 12);
    for (d = 0; d < hs->D; d++) {
        hs->dur_months[d] = label_width(st->dim_labels[st->nby - 1][d], 1);
        if (hs->dur_months[d] < 0)
            hs->dur_months[d] = 0;
    }
    for (t = 0; t < hs->n; t++) {
        if (hs->collapsed)
            load_collapsed(in, hs, t, work);
        else
            load_cells(in, hs, t, work);
    }
    free(work);
    return 0;
}

static void
params_release(struct params *p)
{
    free(p->h);
    free(p->share);
    free(p->g);
}

/* Exit hazards from the months before T0 (an exit of month t is known
 * only at t + 1): h(a,d) = h(a) h(d) / h, clamped to [0, 1]. */
static void
fit_hazards(const struct history *hs, int T0, struct params *p)
{
    size_t A = hs->A, D = hs->D, a, d;
    double *ea = calloc(A + D, sizeof(double)), *sa = calloc(A + D, sizeof(double));
    double et = 0, stot = 0, hbar;
    int t, lo = T0 - HAZARD_WINDOW < 0 ? 0 : T0 - HAZARD_WINDOW;

    if (!ea || !sa)
        goto out;
    for (t = lo; t < T0; t++)
        for (a = 0; a < A; a++)
            for (d = 0; d < D; d++) {
                size_t i = ((size_t)t * A + a) * D + d;

                ea[a] += hs->E[i];
                sa[a] += hs->S[i];
                ea[A + d] += hs->E[i];
                sa[A + d] += hs->S[i];
                et += hs->E[i];
                stot += hs->S[i];
            }
    hbar = stot > 0 ? et / stot : 0;
    for (a = 0; a < A; a++)
        for (d = 0; d < D; d++) {
            double ha = sa[a] > 0 ? ea[a] / sa[a] : hbar;
            double hd = sa[A + d] > 0 ? ea[A + d] / sa[A + d] : hbar;
            double h = hbar > 0 ? ha * hd / hbar : 0;

            p->h[a * D + d] = h < 0 ? 0 : h > 1 ? 1 : h;
        }
out:
    free(ea);
    free(sa);
}

/* The model at origin T0, from months up to T0 only. */
static int
fit(const struct history *hs, int T0, struct params *p)
{
    size_t A = hs->A, a, d;
    int t, lo = T0 - ENTRY_WINDOW + 1 < 0 ? 0 : T0 - ENTRY_WINDOW + 1;
    double sum = 0, sumsq = 0, m = T0 - lo + 1, var;

    memset(p, 0, sizeof(*p));
    p->h = calloc(A * hs->D, sizeof(double));
    p->share = calloc(A, sizeof(double));
    p->g = calloc(A, sizeof(double));
    if (!p->h || !p->share || !p->g) {
        params_release(p);
        return CE_NOMEM;
    }
    for (t = lo; t <= T0; t++) {
        double tot = 0;

        for (a = 0; a < A; a++) {
            tot += hs->N[(size_t)t * A + a];
            p->share[a] += hs->N[(size_t)t * A + a];
        }
        sum += tot;
        sumsq += tot * tot;
    }
    for (a = 0; a < A; a++)
        p->share[a] = sum > 0 ? p->share[a] / sum : 0;
    p->mu = sum / m;
    var = m > 1 ? (sumsq - m * p->mu * p->mu) / (m - 1) : p->mu;
    p->sd = sqrt(var > p->mu ? var : p->mu); /* at least Poisson's */
    p->se = p->sd / sqrt(m);
    fit_hazards(hs, T0, p);
    /* ageing into a band the cohort has had persons in */
    for (a = 0; a + 1 < A; a++) {
        double next = 0;

        if (hs->age_months[a] <= 0 || hs->age_months[a + 1] < 0)
            continue;
        for (t = 0; t <= T0; t++)
            for (d = 0; d < hs->D; d++)
                next += hs->S[((size_t)t * A + a + 1) * hs->D + d];
        p->g[a] = next > 0 ? 1 / hs->age_months[a] : 0;
    }
    return 0;
}

/* The share of a months-in-cohort band's persons in its last month, who
 * move to the next band if they stay: with a steady inflow and hazard h,
 * (1-h)^(w-1) h / (1 - (1-h)^w) for a band w months wide (1/w when no one
 * leaves); 0 for the open band. */
static double
band_exit_share(double w, double h)
{
    double q = 1 - h, qw;

    if (w <= 0)
        return 0;
    if (h <= 1e-9)
        return 1 / w;
    if (h >= 1)
        return 1;
    qw = pow(q, w);
    return pow(q, w - 1) * h / (1 - qw);
}

/* Exits of v persons at hazard h, drawn: binomial for a few persons (v
 * rounded at random, so its mean stays v), Poisson for few exits, else
 * normal; never below 0 or above v. */
static double
draw_exits(struct rng *r, double v, double h)
{
    double m = v * h, x;

    if (m <= 0)
        return 0;
    if (v < 30) {
        int n = (int)v + (rng_uniform(r) < v - floor(v)), k, c = 0;

        for (k = 0; k < n; k++)
            c += rng_uniform(r) < h;
        return c;
    }
    if (m < 15) {
        double lim = exp(-m), p = 1;
        int k = -1;

        do {
            k++;
            p *= rng_uniform(r);
        } while (p > lim);
        x = k;
    } else {
        x = m + sqrt(m * (1 - h)) * rng_normal(r);
    }
    return x < 0 ? 0 : x > v ? v : x;
}

/* One month: exits (random when r), ageing, duration, entries. */
static void
step(const struct history *hs, const struct params *p, const double *x,
     double entries, struct rng *r, double *out)
{
    size_t A = hs->A, D = hs->D, a, d;

    memset(out, 0, A * D * sizeof(double));
    for (a = 0; a < A; a++)
        for (d = 0; d < D; d++) {
            double v = x[a * D + d], h = p->h[a * D + d], ex, y, ga, fd;

            if (v <= 0)
                continue;
            ex = r ? draw_exits(r, v, h) : v * h;
            y = v - ex;
            ga = p->g[a];
            fd = band_exit_share(hs->dur_months[d], h);
            out[a * D + d] += y * (1 - ga) * (1 - fd);
            if (fd > 0)
                out[a * D + d + 1] += y * (1 - ga) * fd;
            if (ga > 0) {
                out[(a + 1) * D + d] += y * ga * (1 - fd);
                if (fd > 0)
                    out[(a + 1) * D + d + 1] += y * ga * fd;
            }
        }
    for (a = 0; a < A; a++)
        out[a * D] += entries * p->share[a];
}

/* Adds state x's total and band sums to row k of vals (A + 1 wide). */
static void
record(const struct history *hs, const double *x, double *vals)
{
    size_t a, d;

    vals[0] = 0;
    for (a = 0; a < hs->A; a++) {
        vals[1 + a] = 0;
        for (d = 0; d < hs->D; d++)
            vals[1 + a] += x[a * hs->D + d];
        vals[0] += vals[1 + a];
    }
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* The q-quantile of n sorted values (linear between order statistics). */
static double
quantile(const double *v, size_t n, double q)
{
    double pos = q * (double)(n - 1);
    size_t i = (size_t)pos;

    return i + 1 < n ? v[i] + (pos - (double)i) * (v[i + 1] - v[i]) : v[n - 1];
}

/* Simulated paths from origin T0; quantiles into ro. */
static int
simulate(const struct history *hs, const struct params *p, int T0,
         int rounding, uint64_t seed, struct run_out *ro)
{
    size_t W = hs->A + 1, cells = hs->A * hs->D, k, s, i;
    double *paths = malloc((size_t)PATHS * H * W * sizeof(double));
    double *x = malloc(cells * sizeof(double)), *y = malloc(cells * sizeof(double));
    double *col = malloc(PATHS * sizeof(double));
    struct rng r = {seed, 0, 0};
    int rc = 0;

    if (!paths || !x || !y || !col) {
        rc = CE_NOMEM;
        goto out;
    }
    for (i = 0; i < PATHS; i++) {
        double mu = p->mu + p->se * rng_normal(&r);

        memcpy(x, hs->S + (size_t)T0 * cells, cells * sizeof(double));
        for (k = 0; k < H; k++) {
            double e = mu + p->sd * rng_normal(&r);

            step(hs, p, x, e < 0 ? 0 : e, &r, y);
            memcpy(x, y, cells * sizeof(double));
            record(hs, x, paths + (i * H + k) * W);
            /* the published value carries the rounding */
            for (s = 0; s < W && rounding > 1; s++)
                paths[(i * H + k) * W + s] +=
                    (rng_uniform(&r) - 0.5) * rounding;
        }
    }
    for (k = 0; k < H; k++)
        for (s = 0; s < W; s++) {
            for (i = 0; i < PATHS; i++)
                col[i] = paths[(i * H + k) * W + s];
            qsort(col, PATHS, sizeof(double), cmp_double);
            ro->lo80[k * W + s] = quantile(col, PATHS, 0.10);
            ro->hi80[k * W + s] = quantile(col, PATHS, 0.90);
            ro->lo95[k * W + s] = quantile(col, PATHS, 0.025);
            ro->hi95[k * W + s] = quantile(col, PATHS, 0.975);
        }
out:
    free(paths);
    free(x);
    free(y);
    free(col);
    return rc;
}

static void
run_out_release(struct run_out *ro)
{
    free(ro->point);
    free(ro->lo80);
    free(ro->hi80);
    free(ro->lo95);
    free(ro->hi95);
    memset(ro, 0, sizeof(*ro));
}

/* The model's mean path from T0 (fitted there) into pts[k * W + s]. */
static int
mean_path(const struct history *hs, int T0, double *pts)
{
    size_t W = hs->A + 1, cells = hs->A * hs->D, k;
    double *x = malloc(cells * sizeof(double)), *y = malloc(cells * sizeof(double));
    struct params p;
    int rc = CE_NOMEM;

    if (x && y && (rc = fit(hs, T0, &p)) == 0) {
        memcpy(x, hs->S + (size_t)T0 * cells, cells * sizeof(double));
        for (k = 0; k < H; k++) {
            step(hs, &p, x, p.mu, NULL, y);
            memcpy(x, y, cells * sizeof(double));
            record(hs, x, pts + k * W);
        }
        params_release(&p);
    }
    free(x);
    free(y);
    return rc;
}

/* The published value of series s in month t (NAN when hidden, or past
 * the table). */
static double
observed(const struct forecast_inputs *in, size_t s, int t)
{
    if (t < 0 || t >= in->stock->nperiods)
        return NAN;
    return s == 0 ? published_margin(in->stock, t, -1, 0)
                  : published_margin(in->stock, t, 0, (uint32_t)(s - 1));
}

/*
 * What the model's own errors say: the root mean square, per horizon and
 * series, of the errors of its mean paths from every origin from 6 to
 * T0 - 1 against the published values up to T0 (rmse[k * W + s]), and
 * how many errors (n[k * W + s]). Horizons fewer than three origins
 * reach grow from the longest one that three reach as the square root of
 * the horizon (a random walk's), with its n.
 */
static int
empirical_spread(const struct forecast_inputs *in, const struct history *hs,
                 int T0, double *rmse, int *n)
{
    size_t W = hs->A + 1, k, s;
    double *pts = malloc(H * W * sizeof(double));
    int o, rc = 0;

    if (!pts)
        return CE_NOMEM;
    memset(rmse, 0, H * W * sizeof(double));
    memset(n, 0, H * W * sizeof(int));
    for (o = 6; o < T0 && rc == 0; o++) {
        if ((rc = mean_path(hs, o, pts)) < 0)
            break;
        for (k = 0; k < H && o + 1 + (int)k <= T0; k++)
            for (s = 0; s < (hs->collapsed ? 1 : W); s++) {
                double y = observed(in, s, o + 1 + (int)k);

                if (isnan(y))
                    continue;
                rmse[k * W + s] += (y - pts[k * W + s]) * (y - pts[k * W + s]);
                n[k * W + s]++;
            }
    }
    for (s = 0; s < W && rc == 0; s++) {
        size_t last = H;

        for (k = 0; k < H; k++)
            if (n[k * W + s] >= 3) {
                rmse[k * W + s] = sqrt(rmse[k * W + s] / n[k * W + s]);
                last = k;
            } else if (last < H) {
                rmse[k * W + s] = rmse[last * W + s] *
                                  sqrt((double)(k + 1) / (double)(last + 1));
                n[k * W + s] = n[last * W + s];
            } else {
                rmse[k * W + s] = 0;
                n[k * W + s] = 0;
            }
    }
    free(pts);
    return rc;
}

/* Student's t quantile for a two-sided interval of 80 % (wide = 0) or
 * 95 % (wide = 1) from a spread estimated with n errors (n - 1 degrees
 * of freedom): a few past errors say less than their spread suggests. */
static double
t_quantile(int n, int wide)
{
    static const double q[2][11] = {
        {3.078, 1.886, 1.638, 1.533, 1.476, 1.440, 1.415, 1.397, 1.383,
         1.372, 1.2816},
        {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262,
         2.228, 1.960}};
    int df = n - 1;

    if (df < 1)
        return q[wide][0];
    if (df <= 10)
        return q[wide][df - 1];
    /* between 10 and infinity, near enough in 1/df */
    return q[wide][10] + (q[wide][9] - q[wide][10]) * 10.0 / df;
}

/* The model fitted at T0 and projected twelve months: the mean path, and
 * intervals about it whose half-width joins, in quadrature, the simulated
 * interval's and the model's own past errors' (Student's t quantiles of
 * their root mean square): the simulation knows the noise of entries and
 * exits, the past errors how far the model drifts from what happened. */
static int
project(const struct forecast_inputs *in, const struct history *hs, int T0,
        uint64_t seed, struct run_out *ro)
{
    size_t W = hs->A + 1, i;
    struct params p;
    double *rmse = NULL;
    int *n = NULL, rc;

    memset(ro, 0, sizeof(*ro));
    if ((rc = fit(hs, T0, &p)) < 0)
        return rc;
    ro->point = calloc(H * W, sizeof(double));
    ro->lo80 = calloc(H * W, sizeof(double));
    ro->hi80 = calloc(H * W, sizeof(double));
    ro->lo95 = calloc(H * W, sizeof(double));
    ro->hi95 = calloc(H * W, sizeof(double));
    rmse = malloc(H * W * sizeof(double));
    n = malloc(H * W * sizeof(int));
    if (!ro->point || !ro->lo80 || !ro->hi80 || !ro->lo95 || !ro->hi95 ||
        !rmse || !n) {
        rc = CE_NOMEM;
        goto out;
    }
    if ((rc = mean_path(hs, T0, ro->point)) < 0 ||
        (rc = simulate(hs, &p, T0, in->rounding, seed, ro)) < 0 ||
        (rc = empirical_spread(in, hs, T0, rmse, n)) < 0)
        goto out;

    for (i = 0; i < H * W; i++) {
        double pt = ro->point[i], e80 = t_quantile(n[i], 0) * rmse[i],
               e95 = t_quantile(n[i], 1) * rmse[i];
        double s80 = (ro->hi80[i] - ro->lo80[i]) / 2,
               s95 = (ro->hi95[i] - ro->lo95[i]) / 2;

        /* the simulated spread and the model's own past errors, as
         * independent parts of the error: half-widths in quadrature */
        e80 = sqrt(e80 * e80 + s80 * s80);
        e95 = sqrt(e95 * e95 + s95 * s95);
        ro->lo80[i] = pt - e80;
        ro->hi80[i] = pt + e80;
        ro->lo95[i] = pt - e95;
        ro->hi95[i] = pt + e95;
        if (ro->lo80[i] < 0)
            ro->lo80[i] = 0;
        if (ro->lo95[i] < 0)
            ro->lo95[i] = 0;
    }
out:
    if (rc < 0)
        run_out_release(ro);
    free(rmse);
    free(n);
    params_release(&p);
    return rc;
}

/* The first day of the month `months` after first. */
static int32_t
month_start(int32_t first, int months)
{
    int y, m, d;

    civil_from_days(first, &y, &m, &d);
    m += months;
    y += (m - 1) / 12;
    m = (m - 1) % 12 + 1;
    return days_from_civil(y, m, 1);
}

/* Appends the twelve months after T0 of series s to sr. */
static void
add_rows(const struct forecast_inputs *in, const struct run_out *ro, size_t W,
         size_t s, int T0, int kind, struct projection_series *sr)
{
    int k;

    for (k = 0; k < H; k++) {
        struct projection_row *row = &sr->rows[sr->nrows++];
        size_t i = (size_t)k * W + s;
        int t = T0 + 1 + k;

        row->period_start = month_start(in->first_month, t);
        row->kind = (uint8_t)kind;
        row->point = ro->point[i];
        row->lo80 = ro->lo80[i];
        row->hi80 = ro->hi80[i];
        row->lo95 = ro->lo95[i];
        row->hi95 = ro->hi95[i];
        row->naive = observed(in, s, t - 12);
        row->actual = kind == PROJ_BACKTEST ? observed(in, s, t) : NAN;
    }
}

/* MASE of the back-test rows of sr, model and benchmark, with the
 * in-sample one-month naive error up to B as the scale; coverage. */
static void
score(const struct forecast_inputs *in, size_t s, int B,
      struct projection_series *sr)
{
    double scale = 0, em = 0, en = 0;
    int t, n = 0, nn = 0, pairs = 0;
    size_t i;

    for (t = 1; t <= B; t++) {
        double a = observed(in, s, t - 1), b = observed(in, s, t);

        if (!isnan(a) && !isnan(b)) {
            scale += fabs(b - a);
            pairs++;
        }
    }
    for (i = 0; i < sr->nrows; i++) {
        const struct projection_row *r = &sr->rows[i];

        if (r->kind != PROJ_BACKTEST || isnan(r->actual))
            continue;
        n++;
        em += fabs(r->actual - r->point);
        if (!isnan(r->naive)) {
            en += fabs(r->actual - r->naive);
            nn++;
        }
        sr->covered80 += r->actual >= r->lo80 && r->actual <= r->hi80;
        sr->covered95 += r->actual >= r->lo95 && r->actual <= r->hi95;
    }
    sr->ntested = n;
    scale = pairs ? scale / pairs : 0;
    sr->mase = n && scale > 0 ? em / n / scale : NAN;
    sr->mase_naive = nn && scale > 0 ? en / nn / scale : NAN;
}

/* 1 when series s has enough history: published in every complete month
 * and, for an age band, never 0 in the twelve months up to the origin of
 * the back-test (or of the projection, without one) -- a band the cohort
 * has just reached has no history to project, and a flat zero gives MASE
 * no scale. */
static int
series_wanted(const struct forecast_inputs *in, const struct history *hs,
              size_t s)
{
    int t, origin = in->complete - 1 - (in->complete >= PROJECTION_MIN_BACKTEST
                                            ? H
                                            : 0);
    double v;

    if (s > 0 && (hs->collapsed || hs->age_months[s - 1] < 0))
        return 0; /* no age bands, or UNKNOWN */
    for (t = 0; t < in->complete; t++) {
        if (isnan(v = observed(in, s, t)))
            return 0;
        if (s > 0 && v <= 0 && t <= origin && t > origin - H)
            return 0;
    }
    return 1;
}

/* One model's history and projections, at Tc and (bt) at B. */
struct model_run {
    struct history hs;
    struct run_out fc, bt;
};

static void
model_run_release(struct model_run *m)
{
    run_out_release(&m->fc);
    run_out_release(&m->bt);
    history_release(&m->hs);
}

/* The model of hs (collapsed or by age band) fitted and projected at Tc
 * and, when B >= 0, at B. */
static int
model_run(const struct forecast_inputs *in, int collapsed, int Tc, int B,
          uint64_t seed, struct model_run *m)
{
    int rc;

    memset(m, 0, sizeof(*m));
    if ((rc = history_load(in, collapsed, &m->hs)) < 0 ||
        (rc = project(in, &m->hs, Tc, seed, &m->fc)) < 0 ||
        (B >= 0 &&
         (rc = project(in, &m->hs, B, seed ^ 0x5DEECE66Dull, &m->bt)) < 0))
        model_run_release(m);
    return rc;
}

/* Fills out's series: the total from the collapsed model, each age band
 * from the model by age band (bands NULL: the total only). */
static int
fill_series(const struct forecast_inputs *in, const struct model_run *total,
            const struct model_run *bands, int Tc, int B,
            struct projection *out)
{
    size_t W = bands ? bands->hs.A + 1 : 1, s;

    out->series = calloc(W, sizeof(*out->series));
    if (!out->series)
        return CE_NOMEM;
    for (s = 0; s < W; s++) {
        struct projection_series *sr = &out->series[out->nseries];
        const struct model_run *m = s ? bands : total;

        if (!series_wanted(in, &m->hs, s))
            continue;
        out->nseries++;
        sr->label = strdup(s ? in->stock->dim_labels[0][s - 1] : "Total");
        sr->rows = calloc(2 * H, sizeof(*sr->rows));
        if (!sr->label || !sr->rows)
            return CE_NOMEM;
        sr->mase = sr->mase_naive = NAN;
        if (B >= 0) {
            add_rows(in, &m->bt, m->hs.A + 1, s, B, PROJ_BACKTEST, sr);
            score(in, s, B, sr);
        }
        add_rows(in, &m->fc, m->hs.A + 1, s, Tc, PROJ_FORECAST, sr);
    }
    return 0;
}

int
projection_compute(const char *cohort, const struct forecast_inputs *in,
                   struct projection *out)
{
    struct model_run total, bands;
    uint64_t seed = hash_bytes(cohort, strlen(cohort));
    int Tc = in->complete - 1, B = Tc - H, rc;

    memset(out, 0, sizeof(*out));
    out->cohort = strdup(cohort);
    out->name = malloc(strlen(cohort) + sizeof("_forecast"));
    if (!out->cohort || !out->name) {
        projection_release(out);
        return CE_NOMEM;
    }
    memcpy(out->name, cohort, strlen(cohort));
    memcpy(out->name + strlen(cohort), "_forecast", sizeof("_forecast"));
    if (Tc < 1) {
        out->note = "fewer than two complete months: no projection";
        return 0;
    }
    if (in->complete < PROJECTION_MIN_BACKTEST) {
        out->note = "fewer than 24 complete months: no back-test";
        B = -1;
    }
    if ((rc = model_run(in, 1, Tc, B, seed, &total)) < 0) {
        projection_release(out);
        return rc;
    }
    rc = in->with_age ? model_run(in, 0, Tc, B, seed ^ 0xA5A5A5A5ull, &bands)
                      : 0;
    if (rc == 0)
        rc = fill_series(in, &total, in->with_age ? &bands : NULL, Tc, B,
                         out);
    model_run_release(&total);
    if (in->with_age)
        model_run_release(&bands);
    if (rc < 0)
        projection_release(out);
    return rc;
}
