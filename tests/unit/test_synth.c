/* Unit tests for app/synth.c: valid identifiers, determinism, a truth line
 * for every data row that says what the row wrote, every community's
 * naming convention in proportion, and each fault and trait at about its
 * rate, doing what the truth says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../../core/calendar.h"
#include "../../app/synth.h"
#include "../../transform/validate.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void
test_identifiers(void **state)
{
    char nhs[11], upn[14], out[14];
    uint64_t n;

    (void)state;
    for (n = 0; n < 20000; n += 7) {
        synth_nhs_number(n, nhs);
        assert_int_equal(validate_nhs_number(nhs, 10, out), 0);
        assert_int_equal(memcmp(nhs, "999", 3), 0); /* the test range */
        synth_upn(999, (int)(n % 100), n, upn);
        assert_int_equal(validate_upn(upn, 13, out), 0);
    }
}

static long
count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    long n = 0;
    int c;

    assert_non_null(f);
    while ((c = fgetc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

static void
test_extracts(void **state)
{
    char a[] = "/tmp/cohort-synth-XXXXXX", b[] = "/tmp/cohort-synth-XXXXXX";
    char path[256], cmd[600], line[512], out[14];
    struct synth_options o;
    struct synth_counts c;
    struct diag d;
    long truth_rows, nhs_total = 0, nhs_bad = 0;
    FILE *f;

    (void)state;
    assert_non_null(mkdtemp(a));
    assert_non_null(mkdtemp(b));
    o.lookup = "config/lookups/postcodes.csv";
    o.people = 4000;
    o.seed = 5;
    o.reference = days_from_civil(2026, 10, 31);
    o.spells = 1;
    o.dir = a;
    assert_int_equal(synth_write(&o, &c, &d), 0);
    o.dir = b;
    assert_int_equal(synth_write(&o, &c, &d), 0);
    /* determinism: same seed, same bytes */
    snprintf(cmd, sizeof(cmd), "cmp -s %s/housing.csv %s/housing.csv && "
             "cmp -s %s/truth_SYNTHETIC_IDENTIFIERS.csv "
             "%s/truth_SYNTHETIC_IDENTIFIERS.csv && "
             "gzip -t %s/adult_social_care.csv.gz", a, b, a, b, a);
    assert_int_equal(system(cmd), 0);
    /* one truth line per data row */
    snprintf(path, sizeof(path), "%s/truth_SYNTHETIC_IDENTIFIERS.csv", a);
    truth_rows = count_lines(path) - 1;
    assert_int_equal(truth_rows, c.rows[0] + c.rows[1] + c.rows[2] + c.rows[3] +
                                     c.rows[4] + c.rows[5] + c.rows[6]);
    assert_true(c.rows[0] > 100 && c.rows[1] > 20 && c.rows[2] > 20 &&
                c.rows[3] > 50 && c.rows[4] > 5 && c.rows[5] > c.rows[4]);
    /* NHS numbers: nearly all valid, about 1 % deliberately not */
    f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f)) {
        char *p = line;
        int k;

        for (k = 0; k < 3 && p; k++)
            p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL;
        if (!p || *p == ',' || !strncmp(line, "source,", 7))
            continue;
        nhs_total++;
        if (validate_nhs_number(p, 10, out) != 0)
            nhs_bad++;
    }
    fclose(f);
    assert_true(nhs_total > 200);
    assert_true(nhs_bad * 1000 >= nhs_total * 2);   /* >= 0.2 % */
    assert_true(nhs_bad * 1000 <= nhs_total * 30);  /* <= 3 % */
    /* Windows-1252 in housing: a byte >= 0x80 that is not UTF-8 */
    snprintf(cmd, sizeof(cmd), "LC_ALL=C grep -q -P '[\\x80-\\xff]' %s/housing.csv "
             "&& ! iconv -f UTF-8 -t UTF-8 %s/housing.csv >/dev/null 2>&1", a, a);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof(cmd), "rm -rf %s %s", a, b);
    assert_int_equal(system(cmd), 0);
}

/* --spells: more rows of the same people, a truth line for each, the
 * SSDA903 header untouched, and the file still one the job reads. */
static void
test_spells(void **state)
{
    char a[] = "/tmp/cohort-synth-XXXXXX", path[256];
    struct synth_options o;
    struct synth_counts one, many;
    struct diag d;
    long truth_rows;

    (void)state;
    assert_non_null(mkdtemp(a));
    o.lookup = "config/lookups/postcodes.csv";
    o.people = 3000;
    o.seed = 9;
    o.reference = days_from_civil(2026, 10, 31);
    o.dir = a;
    o.spells = 1;
    assert_int_equal(synth_write(&o, &one, &d), 0);
    o.spells = 8;
    assert_int_equal(synth_write(&o, &many, &d), 0);
    snprintf(path, sizeof(path), "%s/truth_SYNTHETIC_IDENTIFIERS.csv", a);
    truth_rows = count_lines(path) - 1;
    assert_int_equal(truth_rows, many.rows[0] + many.rows[1] + many.rows[2] +
                                     many.rows[3] + many.rows[4] +
                                     many.rows[5] + many.rows[6]);
    assert_true(many.rows[0] > 4 * one.rows[0]);  /* housing */
    assert_true(many.rows[1] > 2 * one.rows[1]);  /* children: from birth */
    assert_true(many.rows[2] > 4 * one.rows[2]);  /* adults */
    assert_true(many.rows[3] > 2 * one.rows[3]);  /* education: from 4 */
    assert_true(many.rows[0] < 8 * one.rows[0] && many.rows[3] < 8 * one.rows[3]);
    assert_int_equal(many.rows[4], one.rows[4]);  /* SSDA903 as it was */
    snprintf(path, sizeof(path), "rm -rf %s", a);
    assert_int_equal(system(path), 0);
}

/* ---- the truth file and the extracts, read back -------------------- */

enum truth_col {
    TC_SOURCE, TC_LINE, TC_PERSON, TC_NHS, TC_UPN, TC_FORENAME, TC_SURNAME,
    TC_DOB, TC_POSTCODE, TC_CONVENTION, TC_ETHNICITY, TC_SEX, TC_BAND,
    TC_TRAITS, TC_FAULTS, TC_COUNT
};

struct truth_row {
    char *f[TC_COUNT];
    long line, person;
};

struct truth {
    char *text;
    struct truth_row *rows;
    size_t n;
    long max_person;
};

/* The whole of a (possibly gzipped) file, NUL-terminated; free(). */
static char *
slurp(const char *path, size_t *len)
{
    gzFile g = gzopen(path, "rb");
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    int r;

    assert_non_null(g);
    assert_non_null(buf);
    while ((r = gzread(g, buf + n, (unsigned)(cap - n - 1))) > 0) {
        n += (size_t)r;
        if (cap - n < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    gzclose(g);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static void
truth_load(const char *dir, struct truth *t)
{
    char path[512], *p, *nl;
    size_t cap = 1024;

    snprintf(path, sizeof(path), "%s/truth_SYNTHETIC_IDENTIFIERS.csv", dir);
    memset(t, 0, sizeof(*t));
    t->text = slurp(path, NULL);
    t->rows = malloc(cap * sizeof(*t->rows));
    p = strchr(t->text, '\n');
    assert_non_null(p);
    *p = '\0';
    /* the first three columns are what cohort linkage --truth reads */
    assert_string_equal(t->text,
                        "source,line,person,nhs_number,upn,forename,surname,"
                        "dob,postcode,convention,ethnicity,sex,age_band,"
                        "traits,faults");
    for (p++; *p; p = nl + 1) {
        struct truth_row *r;
        int k;

        nl = strchr(p, '\n');
        assert_non_null(nl);
        *nl = '\0';
        if (t->n == cap) {
            cap *= 2;
            t->rows = realloc(t->rows, cap * sizeof(*t->rows));
            assert_non_null(t->rows);
        }
        r = &t->rows[t->n++];
        for (k = 0; k < TC_COUNT; k++) {
            char *c = strchr(p, ',');

            r->f[k] = p;
            if (k < TC_COUNT - 1) {
                assert_non_null(c);
                *c = '\0';
                p = c + 1;
            }
        }
        assert_null(strchr(r->f[TC_FAULTS], ','));
        r->line = strtol(r->f[TC_LINE], NULL, 10);
        r->person = strtol(r->f[TC_PERSON], NULL, 10);
        if (r->person > t->max_person)
            t->max_person = r->person;
    }
}

static void
truth_free(struct truth *t)
{
    free(t->text);
    free(t->rows);
}

static int
non_ascii_text(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 1;
    return 0;
}

/* 1 when the space-separated list holds the word. */
static int
has(const char *list, const char *word)
{
    size_t n = strlen(word);
    const char *p = list;

    while ((p = strstr(p, word)) != NULL) {
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return 1;
        p += n;
    }
    return 0;
}

static int
named_source(const struct truth_row *r)
{
    return !strcmp(r->f[TC_SOURCE], "housing") ||
           !strcmp(r->f[TC_SOURCE], "children") ||
           !strcmp(r->f[TC_SOURCE], "adults") ||
           !strcmp(r->f[TC_SOURCE], "pupils");
}

/* A file's physical lines: line[i] is line i + 1, CR LF cut. */
struct lines {
    char *text;
    char **line;
    size_t n;
};

static void
lines_load(const char *dir, const char *name, struct lines *l)
{
    char path[512], *p;
    size_t len, cap = 1024;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    l->text = slurp(path, &len);
    l->line = malloc(cap * sizeof(*l->line));
    l->n = 0;
    for (p = l->text; *p;) {
        char *nl = strchr(p, '\n');

        if (l->n == cap) {
            cap *= 2;
            l->line = realloc(l->line, cap * sizeof(*l->line));
        }
        l->line[l->n++] = p;
        if (!nl)
            break;
        *nl = '\0';
        if (nl > p && nl[-1] == '\r')
            nl[-1] = '\0';
        p = nl + 1;
    }
}

static void
lines_free(struct lines *l)
{
    free(l->text);
    free(l->line);
}

/* Splits a CSV record (our extracts: quotes only around a whole field)
 * into at most max fields, in place; the count. */
static int
split_csv(char *s, char **f, int max)
{
    int n = 0;

    while (n < max) {
        char *c;

        if (*s == '"') {
            char *q = strchr(s + 1, '"');

            assert_non_null(q);
            *q = '\0';
            f[n++] = s + 1;
            c = q + 1;
            if (*c != ',')
                break;
            s = c + 1;
            continue;
        }
        f[n++] = s;
        c = strchr(s, ',');
        if (!c)
            break;
        *c = '\0';
        s = c + 1;
    }
    return n;
}

/* Windows-1252 text to UTF-8 (glibc iconv). */
static void
cp1252_to_utf8(const char *in, char *out, size_t n)
{
    iconv_t cd = iconv_open("UTF-8", "WINDOWS-1252");
    char *ip = (char *)in, *op = out;
    size_t il = strlen(in), ol = n - 1;

    assert_true(cd != (iconv_t)-1);
    assert_true(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
    *op = '\0';
    iconv_close(cd);
}

/* 1 when Windows-1252 holds every letter of the UTF-8 text. */
static int
fits_cp1252(const char *s)
{
    iconv_t cd = iconv_open("WINDOWS-1252", "UTF-8");
    char buf[256], *ip = (char *)s, *op = buf;
    size_t il = strlen(s), ol = sizeof(buf);
    int ok;

    assert_true(cd != (iconv_t)-1);
    ok = iconv(cd, &ip, &il, &op, &ol) != (size_t)-1;
    iconv_close(cd);
    return ok;
}

/* A date as the extract wrote it, back to ISO ("" stays ""). */
static void
to_iso(const char *s, const char *source, char out[11])
{
    static const char mon[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int y = 0, m = 0, d = 0;
    char mo[4] = {0};

    out[0] = '\0';
    if (!*s)
        return;
    if (!strcmp(source, "housing") || !strcmp(source, "lac_header") ||
        !strcmp(source, "register")) {
        assert_int_equal(sscanf(s, "%2d/%2d/%4d", &d, &m, &y), 3);
    } else if (!strcmp(source, "adults")) {
        assert_int_equal(sscanf(s, "%4d%2d%2d", &y, &m, &d), 3);
    } else if (!strcmp(source, "pupils")) {
        assert_int_equal(sscanf(s, "%2d-%3c-%4d", &d, mo, &y), 3);
        m = (int)((strstr(mon, mo) - mon) / 3) + 1;
    } else {
        assert_int_equal(sscanf(s, "%4d-%2d-%2d", &y, &m, &d), 3);
    }
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

static void
synth_into(char *dir, long people, uint64_t seed, struct synth_counts *c)
{
    struct synth_options o;
    struct diag d;

    assert_non_null(mkdtemp(dir));
    o.dir = dir;
    o.lookup = "config/lookups/postcodes.csv";
    o.people = people;
    o.seed = seed;
    o.reference = days_from_civil(2026, 10, 31);
    o.spells = 1;
    assert_int_equal(synth_write(&o, c, &d), 0);
}

static void
remove_dir(const char *dir)
{
    char cmd[300];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/*
 * The truth says what every row wrote: each truth row's identifiers are
 * the ones at that physical line of that source's file (housing decoded
 * from Windows-1252), and every row has one truth row.
 */
static void
test_truth_is_what_rows_say(void **state)
{
    static const struct {
        const char *source, *file;
        int ncol, fn, sn, dob, nhs, upn, pc;
    } src[] = {
        {"housing", "housing.csv", 11, 1, 2, 3, 5, -1, 7},
        {"children", "children_social_care.csv", 12, 1, 2, 3, 7, 6, 8},
        {"adults", "adult_social_care.csv.gz", 11, 2, 3, 4, 1, -1, 7},
        {"pupils", "education.csv", 10, 1, 2, 3, -1, 0, 6},
        {"lac_header", "ssda903_header.csv", 5, -1, -1, 2, -1, 4, -1},
        {"lac_episodes", "ssda903_episodes.csv", 10, -1, -1, -1, -1, -1, 9},
        {"register", "housing_register.csv", 11, 2, 3, 4, 6, -1, 7},
    };
    char dir[] = "/tmp/cohort-synth-XXXXXX";
    struct synth_counts c;
    struct truth t;
    size_t s, i, checked = 0, cp1252_names = 0, wide_names = 0;

    (void)state;
    synth_into(dir, 6000, 21, &c);
    truth_load(dir, &t);
    for (s = 0; s < N(src); s++) {
        struct lines l;
        long rows = 0;

        lines_load(dir, src[s].file, &l);
        for (i = 0; i < t.n; i++) {
            struct truth_row *r = &t.rows[i];
            char rec[1024], utf[1024], *f[16], iso[11];
            int n;

            if (strcmp(r->f[TC_SOURCE], src[s].source))
                continue;
            rows++;
            assert_true(r->line >= 2 && (size_t)r->line <= l.n);
            /* a quoted address may run onto the next line */
            snprintf(rec, sizeof(rec), "%s", l.line[r->line - 1]);
            {
                size_t q = 0, k;

                for (k = 0; rec[k]; k++)
                    q += rec[k] == '"';
                if (q % 2 && (size_t)r->line < l.n)
                    snprintf(rec + strlen(rec), sizeof(rec) - strlen(rec),
                             "\n%s", l.line[r->line]);
            }
            if (!strcmp(src[s].source, "housing")) {
                cp1252_to_utf8(rec, utf, sizeof(utf));
                memcpy(rec, utf, sizeof(rec));
            }
            n = split_csv(rec, f, 16);
            assert_true(n >= src[s].ncol);
            if (src[s].fn >= 0) {
                assert_string_equal(f[src[s].fn], r->f[TC_FORENAME]);
                assert_string_equal(f[src[s].sn], r->f[TC_SURNAME]);
                if (!strcmp(src[s].source, "housing")) {
                    /* the Windows-1252 system holds what it can */
                    assert_true(fits_cp1252(r->f[TC_FORENAME]));
                    assert_true(fits_cp1252(r->f[TC_SURNAME]));
                    cp1252_names += non_ascii_text(r->f[TC_SURNAME]);
                } else {
                    wide_names += !fits_cp1252(r->f[TC_FORENAME]) ||
                                  !fits_cp1252(r->f[TC_SURNAME]);
                }
            }
            if (src[s].dob >= 0 && strncmp(f[src[s].dob], "31/02", 5)) {
                to_iso(f[src[s].dob], src[s].source, iso);
                assert_string_equal(iso, r->f[TC_DOB]);
            }
            if (src[s].nhs >= 0)
                assert_string_equal(f[src[s].nhs], r->f[TC_NHS]);
            if (src[s].upn >= 0 && strcmp(f[src[s].upn], "UN1"))
                assert_string_equal(f[src[s].upn], r->f[TC_UPN]);
            if (src[s].pc >= 0)
                assert_string_equal(f[src[s].pc], r->f[TC_POSTCODE]);
            checked++;
        }
        assert_int_equal(rows, c.rows[s]);
        lines_free(&l);
    }
    assert_int_equal(checked, t.n);
    /* accents in housing where Windows-1252 has them (Siân, Zoë), and in
     * the UTF-8 extracts letters it has not (Łukasz, Yılmaz, Nguyễn) */
    assert_true(cp1252_names > 0);
    assert_true(wide_names > 0);
    truth_free(&t);
    remove_dir(dir);
}

/* The people behind the truth rows: the first row of each. */
static struct truth_row **
persons_of(const struct truth *t)
{
    struct truth_row **by = calloc((size_t)t->max_person + 1, sizeof(*by));
    size_t i;

    assert_non_null(by);
    for (i = 0; i < t->n; i++)
        if (t->rows[i].f[TC_CONVENTION][0] && !by[t->rows[i].person])
            by[t->rows[i].person] = &t->rows[i];
    return by;
}

/*
 * Every community's naming convention, in proportion to the ethnic mix
 * synth always used: the groups as before, and within each group its
 * conventions as app/synth.c's conv_mix gives them.
 */
static void
test_conventions(void **state)
{
    static const struct {
        const char *eth, *conv;
        double lo, hi;
    } want[] = {
        {"WHITE", "english", 0.66, 0.82},  {"WHITE", "welsh", 0.03, 0.10},
        {"WHITE", "scottish", 0.03, 0.10}, {"WHITE", "irish", 0.02, 0.09},
        {"WHITE", "east_european", 0.03, 0.10},
        {"WHITE", "west_european", 0.01, 0.06},
        {"MIXED", "caribbean", 0.15, 0.45}, {"MIXED", "english", 0.15, 0.45},
        {"ASIAN", "south_asian_muslim", 0.28, 0.52},
        {"ASIAN", "indian", 0.18, 0.42},   {"ASIAN", "sikh", 0.04, 0.20},
        {"ASIAN", "chinese", 0.05, 0.22},  {"ASIAN", "vietnamese", 0.01, 0.12},
        {"BLACK", "west_african", 0.30, 0.60},
        {"BLACK", "caribbean", 0.20, 0.50}, {"BLACK", "somali", 0.08, 0.32},
        {"OTHER", "arabic", 0.30, 0.60},   {"OTHER", "turkish", 0.12, 0.40},
        {"OTHER", "hispanic", 0.15, 0.45},
    };
    static const struct {
        const char *eth;
        double lo, hi;
    } groups[] = {{"WHITE", 0.70, 0.80}, {"MIXED", 0.03, 0.07},
                  {"ASIAN", 0.065, 0.12}, {"BLACK", 0.03, 0.07},
                  {"OTHER", 0.015, 0.045}, {"UNKNOWN", 0.015, 0.045}};
    static const char *const all[] = {
        "english", "welsh", "scottish", "irish", "east_european",
        "west_european", "south_asian_muslim", "indian", "sikh", "chinese",
        "vietnamese", "west_african", "caribbean", "somali", "arabic",
        "turkish", "hispanic"};
    char dir[] = "/tmp/cohort-synth-XXXXXX";
    struct synth_counts c;
    struct truth t;
    struct truth_row **by;
    long p, persons = 0;
    size_t i;

    (void)state;
    synth_into(dir, 40000, 17, &c);
    truth_load(dir, &t);
    by = persons_of(&t);
    for (p = 0; p <= t.max_person; p++)
        persons += by[p] != NULL;
    assert_true(persons > 8000);
    for (i = 0; i < N(groups); i++) {
        long n = 0;

        for (p = 0; p <= t.max_person; p++)
            n += by[p] && !strcmp(by[p]->f[TC_ETHNICITY], groups[i].eth);
        print_message("synth: %-7s %5.3f of persons\n", groups[i].eth,
                      (double)n / (double)persons);
        assert_true((double)n >= groups[i].lo * (double)persons);
        assert_true((double)n <= groups[i].hi * (double)persons);
    }
    for (i = 0; i < N(want); i++) {
        long n = 0, of = 0;

        for (p = 0; p <= t.max_person; p++) {
            if (!by[p] || strcmp(by[p]->f[TC_ETHNICITY], want[i].eth))
                continue;
            of++;
            n += !strcmp(by[p]->f[TC_CONVENTION], want[i].conv);
        }
        print_message("synth: %-5s %-18s %5.3f\n", want[i].eth, want[i].conv,
                      (double)n / (double)of);
        assert_true((double)n >= want[i].lo * (double)of);
        assert_true((double)n <= want[i].hi * (double)of);
    }
    for (i = 0; i < N(all); i++) {
        long n = 0;

        for (p = 0; p <= t.max_person; p++)
            n += by[p] && !strcmp(by[p]->f[TC_CONVENTION], all[i]);
        assert_true(n >= 10);
    }
    /* every person row says its sex and age band */
    for (i = 0; i < t.n; i++) {
        if (!t.rows[i].f[TC_CONVENTION][0])
            continue;
        assert_true(strlen(t.rows[i].f[TC_SEX]) == 1 &&
                    strchr("MFU", t.rows[i].f[TC_SEX][0]));
        assert_true(t.rows[i].f[TC_BAND][0] != '\0');
    }
    free(by);
    truth_free(&t);
    remove_dir(dir);
}

/* The forename or surname of a row counts as registered when no fault
 * touched it. */
#define FN_FAULTS                                                          \
    {"nickname", "fn_variant", "fn_middle", "accents", "family_first",     \
     "swap", "fn_typo", "no_fn"}
#define SN_FAULTS                                                          \
    {"sn_variant", "sn_part", "sn_order", "sn_other", "sn_change",         \
     "accents", "family_first", "swap", "sn_typo", "no_sn"}
#define DOB_FAULTS {"no_dob", "dob_swap", "dob_day", "dob_month", "dob_year"}

static int
any(const char *faults, const char *const *names, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (has(faults, names[i]))
            return 1;
    return 0;
}

/* A postcode without spaces, in capitals. */
static void
postcode_key(const char *in, char out[16])
{
    size_t o = 0;

    for (; *in && o < 15; in++)
        if (*in != ' ')
            out[o++] = (char)(*in >= 'a' && *in <= 'z' ? *in - 32 : *in);
    out[o] = '\0';
}

/* A person as the rows without faults show them. */
struct clean {
    const char *fn, *sn, *dob;
    char pc[16], old_pc[16];
};

static struct clean *
clean_persons(const struct truth *t)
{
    static const char *const fnf[] = FN_FAULTS, *const snf[] = SN_FAULTS,
                             *const dobf[] = DOB_FAULTS;
    struct clean *cl = calloc((size_t)t->max_person + 1, sizeof(*cl));
    size_t i;

    assert_non_null(cl);
    for (i = 0; i < t->n; i++) {
        const struct truth_row *r = &t->rows[i];
        struct clean *c = &cl[r->person];
        const char *fl = r->f[TC_FAULTS];
        char pc[16];

        /* every row no fault touched agrees with every other */
        if (named_source(r) && !any(fl, fnf, N(fnf))) {
            if (c->fn)
                assert_string_equal(c->fn, r->f[TC_FORENAME]);
            c->fn = r->f[TC_FORENAME];
        }
        if (named_source(r) && !any(fl, snf, N(snf))) {
            if (c->sn)
                assert_string_equal(c->sn, r->f[TC_SURNAME]);
            c->sn = r->f[TC_SURNAME];
        }
        if (r->f[TC_DOB][0] && !any(fl, dobf, N(dobf))) {
            if (c->dob)
                assert_string_equal(c->dob, r->f[TC_DOB]);
            c->dob = r->f[TC_DOB];
        }
        if (!r->f[TC_POSTCODE][0])
            continue;
        postcode_key(r->f[TC_POSTCODE], pc);
        if (has(fl, "moved")) {
            assert_true(has(r->f[TC_TRAITS], "mover"));
            if (c->old_pc[0])
                assert_string_equal(c->old_pc, pc);
            memcpy(c->old_pc, pc, sizeof(pc));
        } else {
            if (c->pc[0])
                assert_string_equal(c->pc, pc);
            memcpy(c->pc, pc, sizeof(pc));
        }
    }
    return cl;
}

static long
days_of(const char *iso)
{
    int y, m, d;

    assert_int_equal(sscanf(iso, "%4d-%2d-%2d", &y, &m, &d), 3);
    return (long)days_from_civil(y, m, d);
}

/*
 * Each fault and trait is there, at about its rate, and does what the
 * truth says: rows no fault touched agree (clean_persons), a swapped row
 * has the names the other way round, a date of birth error is the error
 * its name says, twins share birthday, surname and address and not the
 * forename, a mover's rows have two postcodes, a person with no strong id
 * has no NHS number anywhere and a UPN only in education.
 */
static void
test_faults(void **state)
{
    static const struct {
        const char *name;
        int lo, hi; /* per mille of the rows with names */
    } faults[] = {
        {"nickname", 3, 30},   {"fn_variant", 10, 60}, {"fn_middle", 5, 40},
        {"sn_variant", 8, 50}, {"sn_part", 2, 20},     {"sn_order", 0, 8},
        {"sn_other", 1, 15},   {"sn_change", 5, 18},   {"accents", 8, 50},
        {"family_first", 1, 15}, {"swap", 5, 16},      {"fn_typo", 18, 45},
        {"sn_typo", 25, 55},   {"no_fn", 2, 9},        {"no_sn", 1, 6},
        {"no_dob", 6, 15},     {"dob_swap", 4, 14},    {"dob_day", 5, 14},
        {"dob_month", 2, 7},   {"dob_year", 4, 11},    {"moved", 20, 120},
    };
    static const struct {
        const char *name;
        int lo, hi; /* per mille of the persons */
    } traits[] = {
        {"twin", 2, 30},          {"common_name", 5, 40},
        {"double_surname", 15, 90}, {"particle", 20, 90},
        {"religious_surname", 4, 30}, {"family_name_first", 10, 50},
        {"diacritics", 30, 130},  {"no_strong_id", 35, 65},
        {"mover", 80, 170},       {"patronymic", 3, 25},
    };
    char dir[] = "/tmp/cohort-synth-XXXXXX";
    struct synth_counts c;
    struct truth t;
    struct truth_row **by;
    struct clean *cl;
    long named = 0, persons = 0, both_typos = 0, swaps = 0, twins = 0,
         moves = 0, p;
    size_t i, k;

    (void)state;
    synth_into(dir, 40000, 23, &c);
    truth_load(dir, &t);
    by = persons_of(&t);
    cl = clean_persons(&t);
    for (i = 0; i < t.n; i++)
        named += named_source(&t.rows[i]);
    for (p = 0; p <= t.max_person; p++)
        persons += by[p] != NULL;
    for (k = 0; k < N(faults); k++) {
        long n = 0;

        for (i = 0; i < t.n; i++)
            n += named_source(&t.rows[i]) &&
                 has(t.rows[i].f[TC_FAULTS], faults[k].name);
        print_message("synth: fault %-13s %5.1f per mille of %ld rows\n",
                      faults[k].name, 1000.0 * (double)n / (double)named,
                      named);
        assert_true(n > 0);
        assert_true(n * 1000 >= faults[k].lo * named);
        assert_true(n * 1000 <= faults[k].hi * named);
    }
    for (k = 0; k < N(traits); k++) {
        long n = 0;

        for (p = 0; p <= t.max_person; p++)
            n += by[p] && has(by[p]->f[TC_TRAITS], traits[k].name);
        print_message("synth: trait %-17s %5.1f per mille of %ld persons\n",
                      traits[k].name, 1000.0 * (double)n / (double)persons,
                      persons);
        assert_true(n > 0);
        assert_true(n * 1000 >= traits[k].lo * persons);
        assert_true(n * 1000 <= traits[k].hi * persons);
    }
    for (i = 0; i < t.n; i++) {
        const struct truth_row *r = &t.rows[i];
        const struct clean *pc = &cl[r->person];
        const char *fl = r->f[TC_FAULTS];

        if (has(fl, "fn_typo") && has(fl, "sn_typo"))
            both_typos++;
        if (!strcmp(fl, "swap") && pc->fn && pc->sn) {
            assert_string_equal(r->f[TC_FORENAME], pc->sn);
            assert_string_equal(r->f[TC_SURNAME], pc->fn);
            swaps++;
        }
        if (has(fl, "no_dob"))
            assert_string_equal(r->f[TC_DOB], "");
        if (has(fl, "no_fn"))
            assert_string_equal(r->f[TC_FORENAME], "");
        if (has(fl, "no_sn"))
            assert_string_equal(r->f[TC_SURNAME], "");
        if (pc->dob && r->f[TC_DOB][0] && strcmp(pc->dob, r->f[TC_DOB])) {
            int y, m, d, y2, m2, d2;

            assert_int_equal(sscanf(pc->dob, "%4d-%2d-%2d", &y, &m, &d), 3);
            assert_int_equal(
                sscanf(r->f[TC_DOB], "%4d-%2d-%2d", &y2, &m2, &d2), 3);
            if (has(fl, "dob_swap"))
                assert_true(y2 == y && m2 == d && d2 == m);
            else if (has(fl, "dob_month"))
                assert_true(y2 == y && (m2 == m + 1 || m2 == m - 1));
            else if (has(fl, "dob_year"))
                assert_true(m2 == m && y2 != y);
            else if (has(fl, "dob_day"))
                assert_true((y2 == y && m2 == m) ||
                            labs(days_of(r->f[TC_DOB]) - days_of(pc->dob)) == 1);
            else
                fail_msg("a date of birth changed without a fault");
        }
        if (has(r->f[TC_TRAITS], "no_strong_id")) {
            assert_string_equal(r->f[TC_NHS], "");
            if (strcmp(r->f[TC_SOURCE], "pupils"))
                assert_string_equal(r->f[TC_UPN], "");
        }
    }
    assert_true(both_typos * 1000 >= 3 * named && both_typos * 1000 <= 15 * named);
    assert_true(swaps > 0);
    for (p = 0; p <= t.max_person; p++) {
        long q;

        if (by[p] && has(by[p]->f[TC_TRAITS], "mover") && cl[p].pc[0] &&
            cl[p].old_pc[0]) {
            assert_string_not_equal(cl[p].pc, cl[p].old_pc);
            moves++;
        }
        if (!by[p] || !has(by[p]->f[TC_TRAITS], "twin") || !cl[p].dob ||
            !cl[p].fn || !cl[p].sn || !cl[p].pc[0])
            continue;
        /* the other twin, when it has rows: the person before or after */
        for (q = p - 1; q <= p + 1; q += 2) {
            if (q < 0 || q > t.max_person || !by[q] ||
                !has(by[q]->f[TC_TRAITS], "twin") || !cl[q].dob ||
                !cl[q].fn || !cl[q].sn || strcmp(cl[q].dob, cl[p].dob) ||
                strcmp(cl[q].pc, cl[p].pc))
                continue;
            assert_string_equal(cl[q].sn, cl[p].sn);
            assert_string_not_equal(cl[q].fn, cl[p].fn);
            twins++;
        }
    }
    print_message("synth: %ld twins seen with their twin, %ld movers with "
                  "both postcodes, %ld rows swapped\n", twins, moves, swaps);
    assert_true(twins >= 2);
    assert_true(moves >= 20);
    free(cl);
    free(by);
    truth_free(&t);
    remove_dir(dir);
}

/* Two rows of one person spell a name two ways from the list. */
static int
person_with_two(const struct truth *t, int col, const char *const *forms,
                size_t nforms)
{
    size_t i, j, a, b;

    for (i = 0; i < t->n; i++) {
        for (a = 0; a < nforms; a++)
            if (!strcmp(t->rows[i].f[col], forms[a]))
                break;
        if (a == nforms)
            continue;
        for (j = i + 1; j < t->n && j < i + 200000; j++) {
            if (t->rows[j].person != t->rows[i].person)
                continue;
            for (b = 0; b < nforms; b++)
                if (b != a && !strcmp(t->rows[j].f[col], forms[b]))
                    return 1;
        }
    }
    return 0;
}

static long
rows_where(const struct truth *t, int col, const char *prefix,
           const char *convention)
{
    size_t i;
    long n = 0;

    for (i = 0; i < t->n; i++)
        n += !strncmp(t->rows[i].f[col], prefix, strlen(prefix)) &&
             (!convention || !strcmp(t->rows[i].f[TC_CONVENTION], convention));
    return n;
}

/*
 * The ways each community's names are written and mistyped: one person
 * recorded under transliterations (Muhammad / Mohammed), a Welsh or
 * Irish form and its English one (Dafydd / David, Seán / Sean), with and
 * without accents; particles and prefixes; double surnames whole, in
 * part and the other way round; family name first; Singh, Kaur, Begum.
 */
static void
test_name_forms(void **state)
{
    static const char *const muhammad[] = {"Muhammad", "Mohammed",
                                           "Mohammad", "Mohamed",
                                           "Muhammed", "Mohammod"};
    static const char *const prefixes[] = {"Al-", "Al ", "El-", "Mc",
                                           "Mac", "O'", "Ó ", "Da ",
                                           "Van der ", "D'"};
    char dir[] = "/tmp/cohort-synth-XXXXXX";
    struct synth_counts c;
    struct truth t;
    struct truth_row **by;
    struct clean *cl;
    size_t i;
    long sikh = 0, singh_kaur = 0, family_first = 0, accents = 0,
         order = 0, p;

    (void)state;
    synth_into(dir, 40000, 29, &c);
    truth_load(dir, &t);
    by = persons_of(&t);
    cl = clean_persons(&t);
    assert_true(person_with_two(&t, TC_FORENAME, muhammad, N(muhammad)));
    assert_true(rows_where(&t, TC_FORENAME, "Ayesha", NULL) +
                rows_where(&t, TC_FORENAME, "Aysha", NULL) > 0 &&
                rows_where(&t, TC_FORENAME, "Aisha", NULL) > 0);
    /* Welsh and Irish forms: both written, and rows writing the other
     * form of the person's registered one */
    {
        long forms = 0;

        for (i = 0; i < t.n; i++)
            forms += (!strcmp(t.rows[i].f[TC_CONVENTION], "welsh") ||
                      !strcmp(t.rows[i].f[TC_CONVENTION], "irish")) &&
                     has(t.rows[i].f[TC_FAULTS], "fn_variant");
        print_message("synth: %ld Welsh or Irish rows in another form\n",
                      forms);
        assert_true(forms >= 10);
    }
    assert_true(rows_where(&t, TC_FORENAME, "Dafydd", "welsh") > 0 &&
                rows_where(&t, TC_FORENAME, "David", "welsh") > 0);
    assert_true(rows_where(&t, TC_FORENAME, "Seán", "irish") > 0 &&
                rows_where(&t, TC_FORENAME, "Sean", "irish") > 0);
    for (i = 0; i < N(prefixes); i++) {
        print_message("synth: surnames beginning '%s': %ld rows\n",
                      prefixes[i], rows_where(&t, TC_SURNAME, prefixes[i],
                                              NULL));
        assert_true(rows_where(&t, TC_SURNAME, prefixes[i], NULL) > 0);
    }
    for (i = 0; i < t.n; i++) {
        const struct truth_row *r = &t.rows[i];
        const struct clean *pc = &cl[r->person];

        if (!strcmp(r->f[TC_CONVENTION], "sikh") && named_source(r)) {
            sikh++;
            singh_kaur += strstr(r->f[TC_SURNAME], "Singh") ||
                          strstr(r->f[TC_SURNAME], "Kaur");
        }
        if (!strcmp(r->f[TC_FAULTS], "family_first") && pc->fn && pc->sn) {
            assert_string_equal(r->f[TC_FORENAME], pc->sn);
            family_first++;
        }
        if (!strcmp(r->f[TC_FAULTS], "accents") && pc->fn && pc->sn &&
            (strcmp(pc->fn, r->f[TC_FORENAME]) ||
             strcmp(pc->sn, r->f[TC_SURNAME])))
            accents++; /* Sian beside Siân */
        if (!strcmp(r->f[TC_FAULTS], "sn_order") && pc->sn) {
            /* A-B written B-A */
            const char *dash = strpbrk(pc->sn, "- ");
            char want[200];

            assert_non_null(dash);
            snprintf(want, sizeof(want), "%s%c%.*s", dash + 1, *dash,
                     (int)(dash - pc->sn), pc->sn);
            if (!strcmp(want, r->f[TC_SURNAME]))
                order++;
        }
        if (has(r->f[TC_FAULTS], "sn_part"))
            assert_true(has(r->f[TC_TRAITS], "double_surname"));
        if (has(r->f[TC_FAULTS], "family_first"))
            assert_true(has(r->f[TC_TRAITS], "family_name_first"));
    }
    print_message("synth: Singh or Kaur in %ld of %ld Sikh rows; %ld rows "
                  "family name first, %ld without accents, %ld double "
                  "surnames the other way round\n", singh_kaur, sikh,
                  family_first, accents, order);
    assert_true(sikh > 50 && singh_kaur * 10 >= sikh * 5);
    assert_true(rows_where(&t, TC_SURNAME, "Begum", NULL) > 0);
    assert_true(family_first > 0 && accents > 0 && order > 0);
    /* shared religious surnames carry little: many people, one name */
    {
        long kaur_people = 0;

        for (p = 0; p <= t.max_person; p++)
            kaur_people += cl[p].sn && !strcmp(cl[p].sn, "Kaur");
        assert_true(kaur_people >= 10);
    }
    free(cl);
    free(by);
    truth_free(&t);
    remove_dir(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identifiers),
        cmocka_unit_test(test_extracts),
        cmocka_unit_test(test_spells),
        cmocka_unit_test(test_truth_is_what_rows_say),
        cmocka_unit_test(test_conventions),
        cmocka_unit_test(test_faults),
        cmocka_unit_test(test_name_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
