/*
 * Unit tests for export/: a protected table as CSV (render_table_csv),
 * and a whole publication through publish_files() into a scratch
 * directory -- quality.csv, quarantine.csv and linkage.csv byte for byte,
 * manifest.json well-formed with hostile strings and hashing what it
 * lists, report.html escaping every text it shows, `latest` switched and
 * no staging left.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../app/config.h"
#include "../../core/plan.h"
#include "../../core/published.h"
#include "../../core/run.h"
#include "../../core/strbuf.h"
#include "../../export/files.h"
#include "../../export/publish.h"
#include "json_check.h"

/* ---- render_table_csv --------------------------------------------------- */

/* One cell as disclosure control lets it out: a value, or [c] -- whose
 * value field still holds a number, which must never be written. */
struct cell_case {
    uint8_t symbol;
    int64_t value;
};

struct table_case {
    const char *name;
    int nperiods;
    size_t nby;
    uint32_t dim_n[3];
    const char *labels[3][6];
    const char *by_names[3];
    const char *period_column;
    const char *period_labels[2];
    struct cell_case cells[16]; /* nperiods * ncells_per_period, in order */
    const char *expect;
};

static const struct table_case table_cases[] = {
    {"one by column, no period column", 1, 1, {2}, {{"F", "M"}}, {"sex"},
     NULL, {NULL},
     {{PUB_SHOWN, 10}, {PUB_SHOWN, 15}, {PUB_SHOWN, 25}},
     "sex,count,margin\n"
     "\"F\",10,no\n"
     "\"M\",15,no\n"
     "\"Total\",25,yes\n"},
    {"hidden cells are [c], whatever value their cell holds",
     1, 1, {2}, {{"F", "M"}}, {"sex"}, NULL, {NULL},
     {{PUB_CONFIDENTIAL, 5}, {PUB_CONFIDENTIAL, 20},
      {PUB_SHOWN, 24}},
     "sex,count,margin\n"
     "\"F\",[c],no\n"
     "\"M\",[c],no\n"
     "\"Total\",24,yes\n"},
    {"two by columns over two periods: interior, margins, grand total", 2, 2,
     {2, 1}, {{"a1", "a2"}, {"b1"}}, {"a", "b"}, "period",
     {"2026-02-01", "2026-03-01"},
     {{PUB_SHOWN, 0}, {PUB_SHOWN, 1}, {PUB_SHOWN, 2}, {PUB_SHOWN, 3},
      {PUB_SHOWN, 4}, {PUB_SHOWN, 5}, {PUB_SHOWN, 100},
      {PUB_CONFIDENTIAL, 1}, {PUB_SHOWN, 102}, {PUB_CONFIDENTIAL, 9},
      {PUB_SHOWN, 104}, {PUB_SHOWN, 105}},
     "period,a,b,count,margin\n"
     "2026-02-01,\"a1\",\"b1\",0,no\n"
     "2026-02-01,\"a2\",\"b1\",1,no\n"
     "2026-02-01,\"a1\",\"Total\",2,yes\n"
     "2026-02-01,\"a2\",\"Total\",3,yes\n"
     "2026-02-01,\"Total\",\"b1\",4,yes\n"
     "2026-02-01,\"Total\",\"Total\",5,yes\n"
     "2026-03-01,\"a1\",\"b1\",100,no\n"
     "2026-03-01,\"a2\",\"b1\",[c],no\n"
     "2026-03-01,\"a1\",\"Total\",102,yes\n"
     "2026-03-01,\"a2\",\"Total\",[c],yes\n"
     "2026-03-01,\"Total\",\"b1\",104,yes\n"
     "2026-03-01,\"Total\",\"Total\",105,yes\n"},
    {"labels, names and periods that start like a formula get a ', quotes "
     "are doubled",
     1, 1, {5}, {{"=1+1", "a,b", "say \"hi\"", "\tTab", ""}},
     {"=HYPERLINK(x)"}, "@p", {"-1"},
     {{PUB_SHOWN, 1}, {PUB_SHOWN, 2}, {PUB_SHOWN, 3}, {PUB_SHOWN, 4},
      {PUB_SHOWN, 5}, {PUB_SHOWN, 15}},
     "'@p,'=HYPERLINK(x),count,margin\n"
     "'-1,\"'=1+1\",1,no\n"
     "'-1,\"a,b\",2,no\n"
     "'-1,\"say \"\"hi\"\"\",3,no\n"
     "'-1,\"'\tTab\",4,no\n"
     "'-1,\"\",5,no\n"
     "'-1,\"Total\",15,yes\n"},
    {"a structural zero is [z], whatever value its cell holds; margin "
     "says which rows are totals",
     1, 1, {2}, {{"0-4", "18-64"}}, {"age_band"}, NULL, {NULL},
     {{PUB_STRUCTURAL, 7}, {PUB_SHOWN, 20}, {PUB_SHOWN, 20}},
     "age_band,count,margin\n"
     "\"0-4\",[z],no\n"
     "\"18-64\",20,no\n"
     "\"Total\",20,yes\n"},
    {"a table of totals only", 1, 0, {0}, {{NULL}}, {NULL}, "period",
     {"2026-03-01"}, {{PUB_SHOWN, 5}},
     "period,count,margin\n"
     "2026-03-01,5,no\n"},
};

/*
 * A published table laid out as core/published.h documents it: per period
 * the interior cells in row-major order over the by dimensions, then each
 * dimension's margins (with two or more), then the grand total. Labels
 * are copied, as published_table_release() frees them.
 */
static void
make_published(struct published_table *t, int nperiods, size_t nby,
               const uint32_t *dim_n, const char *const labels[][6])
{
    size_t j, i, q, k, ninterior = 1, nmargin = 0;
    int p;

    memset(t, 0, sizeof(*t));
    t->nperiods = nperiods;
    t->nby = nby;
    for (j = 0; j < nby; j++) {
        t->dim_n[j] = dim_n[j];
        ninterior *= dim_n[j];
        nmargin += nby > 1 ? dim_n[j] : 0;
        t->dim_labels[j] = calloc(dim_n[j] ? dim_n[j] : 1, sizeof(char *));
        assert_non_null(t->dim_labels[j]);
        for (i = 0; i < dim_n[j]; i++)
            assert_non_null(t->dim_labels[j][i] = strdup(labels[j][i]));
    }
    t->ncells_per_period = nby ? ninterior + nmargin + 1 : 1;
    t->cells = calloc((size_t)nperiods * t->ncells_per_period, sizeof(*t->cells));
    assert_non_null(t->cells);
    for (p = 0; p < nperiods; p++) {
        struct published_cell *c = t->cells + (size_t)p * t->ncells_per_period;

        k = 0;
        for (i = 0; nby && i < ninterior; i++, k++) {
            size_t rem = i;

            for (q = 0; q < TABLE_MAX_DIMS; q++)
                c[k].coord[q] = COORD_TOTAL;
            for (j = nby; j-- > 0;) {
                c[k].coord[j] = (uint32_t)(rem % dim_n[j]);
                rem /= dim_n[j];
            }
        }
        for (j = 0; nby > 1 && j < nby; j++)
            for (i = 0; i < dim_n[j]; i++, k++) {
                for (q = 0; q < TABLE_MAX_DIMS; q++)
                    c[k].coord[q] = COORD_TOTAL;
                c[k].coord[j] = (uint32_t)i;
            }
        for (q = 0; q < TABLE_MAX_DIMS; q++)
            c[k].coord[q] = COORD_TOTAL;
    }
}

static void
make_table(struct published_table *t, const struct table_case *tc)
{
    size_t i;

    make_published(t, tc->nperiods, tc->nby, tc->dim_n, tc->labels);
    for (i = 0; i < (size_t)tc->nperiods * t->ncells_per_period; i++) {
        t->cells[i].symbol = tc->cells[i].symbol;
        t->cells[i].value = tc->cells[i].value;
    }
}

static void
test_render_table_csv(void **state)
{
    size_t k;

    (void)state;
    for (k = 0; k < sizeof(table_cases) / sizeof(table_cases[0]); k++) {
        const struct table_case *tc = &table_cases[k];
        struct published_table t;
        struct strbuf sb = STRBUF_INIT;

        make_table(&t, tc);
        render_table_csv(&t, tc->period_column, tc->period_labels,
                         tc->by_names, &sb);
        assert_false(strbuf_failed(&sb));
        if (strcmp(strbuf_str(&sb), tc->expect))
            fail_msg("%s:\n--- got\n%s--- want\n%s", tc->name,
                     strbuf_str(&sb), tc->expect);
        strbuf_release(&sb);
        published_table_release(&t);
    }
}

/* ---- the JSON check the manifest test relies on -------------------------- */

static void
test_json_check(void **state)
{
    static const struct {
        const char *text;
        int ok;
    } cases[] = {
        {"{}", 1},
        {" [1, -2.5e+3, \"a\\\"\\u00e9\", true, false, null, {\"k\": []}]\n", 1},
        {"{\"a\": 0}", 1},
        {"", 0},
        {"{\"a\": 1,}", 0},           /* trailing comma */
        {"{\"a\" 1}", 0},             /* no colon */
        {"{a: 1}", 0},                /* bare key */
        {"[\"tab\there\"]", 0},       /* raw control character */
        {"[\"\\x41\"]", 0},           /* no such escape */
        {"[\"\\u12\"]", 0},           /* a \u escape cut short */
        {"[01]", 0},                  /* leading zero */
        {"[1.]", 0},
        {"[\"open]", 0},
        {"{} {}", 0},                 /* two values */
        {"[tru]", 0},
    };
    size_t i, at;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if ((json_check(cases[i].text, &at) == 0) != cases[i].ok)
            fail_msg("case %zu (%s): want %s", i, cases[i].text,
                     cases[i].ok ? "JSON" : "not JSON");
}

/* ---- a publication through publish_files() ------------------------------ */

static char scratch[64];

static int
setup_scratch(void **state)
{
    (void)state;
    snprintf(scratch, sizeof(scratch), "/tmp/cohort-export-XXXXXX");
    if (!mkdtemp(scratch))
        return -1;
    return sodium_init() < 0 ? -1 : 0;
}

static int
teardown_scratch(void **state)
{
    char cmd[96];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
    return system(cmd) == 0 ? 0 : -1;
}

static char *
slurp(const char *dir, const char *name)
{
    char path[PATH_MAX];
    FILE *f;
    char *buf;
    long n;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot read %s: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void
expect_file(const char *dir, const char *name, const char *want)
{
    char *got = slurp(dir, name);

    if (strcmp(got, want))
        fail_msg("%s:\n--- got\n%s--- want\n%s", name, got, want);
    free(got);
}

/* The config path holds a quote and a backslash: the manifest quotes it. */
static const char job_text[] =
    "[job]\n"
    "name = export_test\n"
    "reference_date = 2026-03-31\n"
    "periods = 2\n"
    "key_file = k.key\n"
    "output_dir = %s/out\n"
    "lookup = pc.csv\n"
    "\n"
    "[source housing]\n"
    "department = housing\n"
    "path = h*.csv\n"
    "field.forename = FIRST\n"
    "field.surname = LAST\n"
    "field.dob = DOB\n"
    "field.nhs_number = NHS\n"
    "field.service = TENURE\n"
    "field.start_date = START\n"
    "value.service.TA = temporary_accommodation\n"
    "\n"
    "[source adults]\n"
    "department = adult_social_care\n"
    "path = a.csv\n"
    "field.nhs_number = NHS\n"
    "field.service = SERVICE\n"
    "field.start_date = START\n"
    "value.service.LTS = long_term_support\n"
    "\n"
    "[linkage]\n"
    "keys = nhs_number; forename+surname+dob\n"
    "\n"
    "[cohort ta]\n"
    "title = Children <b>&\"'</b> in TA\n"
    "where = housing.temporary_accommodation\n"
    "by = sex\n"
    "\n"
    "[output files]\n"
    "type = csv\n";

static void
load_plan(struct job_plan *plan, char *conf, size_t conf_size)
{
    struct diag d;
    FILE *f;

    snprintf(conf, conf_size, "%s/q\"b\\s.conf", scratch);
    f = fopen(conf, "w");
    assert_non_null(f);
    fprintf(f, job_text, scratch);
    assert_int_equal(fclose(f), 0);
    if (job_plan_load(plan, conf, &d) != 0)
        fail_msg("%s:%ld: %s", d.source, d.line, d.msg);
}

/*
 * A run summary as the job leaves it: two sources (one whose quarantined
 * row names a file the source does not list, as a database source's do),
 * a scope, two link keys with texts a CSV and a JSON writer must escape,
 * counts withheld, one cohort of two periods.
 */
static struct reason_count housing_quarantined[] = {{"ragged_row", 2},
                                                   {"unmapped_value", 1}};
static struct reason_count housing_notes[] = {{"invalid_nhs_number", 4}};
static struct rejected_at housing_rejected[] = {{"ragged_row", 0, 4, 0},
                                               {"unmapped_value", 1, 7, 3}};
static struct rejected_at adults_rejected[] = {{"orphan_local_id", 5, 9, 0}};
static struct input_file housing_files[] = {
    {100, 6, "1111111111111111111111111111111111111111111111111111111111111111"},
    {50, 4, "2222222222222222222222222222222222222222222222222222222222222222"}};

static void
make_summary(struct run_summary *s, const struct job_plan *plan)
{
    static const uint32_t dims[1] = {2};
    static const char *const labels[1][6] = {{"F", "M"}};
    static struct unmapped_count unmapped[1];
    static char unmapped_label[] = "service=<i>";
    static struct key_summary keys[2];
    static struct scope_summary scopes[1];
    static struct cohort_result cohorts[1];
    static struct source_summary sources[2];
    static char where_plain[] = "persons aged <18 & \"in TA\"";
    static char rules_text[] = "rules <script>alert(1)</script>\n";
    struct published_table *t = &cohorts[0].table;
    size_t i;

    memset(s, 0, sizeof(*s));
    memset(sources, 0, sizeof(sources));
    snprintf(s->run_id, sizeof(s->run_id), "20260331T020000.000Z");
    s->started = 1774922400; /* 2026-03-31T02:00:00Z */
    s->finished = 1774922405;
    s->version = "0.9 \"beta\"\\\t\x01";
    memset(s->plan_hash, 'a', 64);
    memset(s->key_id, 'b', 16);
    s->plan = plan;

    sources[0].plan = &plan->sources[0];
    sources[0].rows_in = 10;
    sources[0].rows_accepted = 7;
    sources[0].rows_quarantined = 3;
    sources[0].quarantined = housing_quarantined;
    sources[0].nquarantined = 2;
    sources[0].notes = housing_notes;
    sources[0].nnotes = 1;
    unmapped[0].label = unmapped_label;
    unmapped[0].n = 12;
    sources[0].unmapped = unmapped;
    sources[0].nunmapped = 1;
    sources[0].rejected = housing_rejected;
    sources[0].nrejected = 2;
    sources[0].files = housing_files;
    sources[0].nfiles = 2;
    sources[1].plan = &plan->sources[1];
    sources[1].rows_in = 5;
    sources[1].rows_accepted = 4;
    sources[1].rows_quarantined = 1;
    sources[1].rejected = adults_rejected;
    sources[1].nrejected = 1;
    s->sources = sources;
    s->nsources = 2;

    keys[0].key_text = "=cmd|' /C calc'!A0";
    keys[0].records_with_key = 100;
    keys[0].links = COUNT_WITHHELD;
    keys[0].conflicts = 0;
    keys[1].key_text = "a\"b\\c\nd";
    keys[1].records_with_key = 50;
    keys[1].links = 10;
    keys[1].conflicts = 5;
    s->keys = keys;
    s->nkeys = 2;

    scopes[0].name = "csc";
    scopes[0].ids = COUNT_WITHHELD;
    scopes[0].header_rows = 30;
    scopes[0].events_joined = 20;
    scopes[0].events_orphaned = 1;
    scopes[0].nhs_conflicts = 0;
    scopes[0].dob_conflicts = COUNT_WITHHELD;
    s->scopes = scopes;
    s->nscopes = 1;
    s->scope_links = 25;
    s->scope_refused = COUNT_WITHHELD;

    s->departments[DEPT_HOUSING].records = 7;
    s->departments[DEPT_HOUSING].persons = COUNT_WITHHELD;
    s->departments[DEPT_ADULT_SOCIAL_CARE].records = 4;
    s->departments[DEPT_ADULT_SOCIAL_CARE].persons = 5;
    s->persons = 15;
    s->unknown_postcodes = 2;

    memset(cohorts, 0, sizeof(cohorts));
    cohorts[0].plan = &plan->cohorts[0];
    make_published(t, 2, 1, dims, labels);
    for (i = 0; i < 2 * t->ncells_per_period; i++) {
        t->cells[i].value = 30 + (int64_t)i;
        t->cells[i].symbol = PUB_SHOWN;
    }
    t->cells[0].symbol = PUB_CONFIDENTIAL; /* 2026-02, F */
    cohorts[0].cells = 6;
    cohorts[0].suppressed = 1;
    cohorts[0].where_text_plain = where_plain;
    s->cohorts = cohorts;
    s->ncohorts = 1;
    s->rules_text = rules_text;
}

static void
test_publish_files(void **state)
{
    struct job_plan plan;
    struct run_summary s;
    struct diag d;
    char conf[PATH_MAX], run_dir[PATH_MAX], link[PATH_MAX], path[PATH_MAX];
    char *manifest, *report, *quality;
    const char *p;
    unsigned char h[32];
    char hex[65];
    size_t at;
    ssize_t n;
    struct stat st;

    (void)state;
    load_plan(&plan, conf, sizeof(conf));
    make_summary(&s, &plan);
    if (publish_run(&s, &d) != 0)
        fail_msg("publish_run: %s: %s", d.source, d.msg);

    /* latest is switched to the run, and no staging is left */
    snprintf(path, sizeof(path), "%s/out/latest", scratch);
    n = readlink(path, link, sizeof(link) - 1);
    assert_true(n > 0);
    link[n] = '\0';
    assert_string_equal(link, "runs/20260331T020000.000Z");
    snprintf(run_dir, sizeof(run_dir), "%s/out/runs/20260331T020000.000Z",
             scratch);
    snprintf(path, sizeof(path), "%s/out/runs/.tmp-20260331T020000.000Z",
             scratch);
    assert_int_equal(stat(path, &st), -1);

    expect_file(run_dir, "ta.csv",
                "period,sex,count,margin\n"
                "2026-02-01,\"F\",[c],no\n"
                "2026-02-01,\"M\",31,no\n"
                "2026-02-01,\"Total\",32,yes\n"
                "2026-03-01,\"F\",33,no\n"
                "2026-03-01,\"M\",34,no\n"
                "2026-03-01,\"Total\",35,yes\n");
    expect_file(run_dir, "quality.csv",
                "source,measure,value\n"
                "housing,rows_in,10\n"
                "housing,rows_accepted,7\n"
                "housing,rows_quarantined,3\n"
                "housing,quarantined:ragged_row,2\n"
                "housing,quarantined:unmapped_value,1\n"
                "housing,dropped:invalid_nhs_number,4\n"
                "housing,unmapped:service=<i>,12\n"
                "adults,rows_in,5\n"
                "adults,rows_accepted,4\n"
                "adults,rows_quarantined,1\n"
                "housing,records,7\n"
                "housing,persons,[c]\n"
                "children_social_care,records,0\n"
                "children_social_care,persons,0\n"
                "adult_social_care,records,4\n"
                "adult_social_care,persons,5\n"
                "education,records,0\n"
                "education,persons,0\n"
                "id_scope:csc,ids,[c]\n"
                "id_scope:csc,header_rows,30\n"
                "id_scope:csc,events_joined,20\n"
                "id_scope:csc,orphan_local_id,1\n"
                "id_scope:csc,nhs_number_conflicts,0\n"
                "id_scope:csc,dob_conflicts,[c]\n"
                "all,persons,15\n"
                "all,postcodes_not_in_lookup,2\n");
    /* a file by position and hash; a row of a file the source does not
     * list (a database source's) names the source instead */
    expect_file(run_dir, "quarantine.csv",
                "source,file,file_blake2b,line,column,reason\n"
                "housing,1,1111111111111111111111111111111111111111111111111111111111111111,4,0,ragged_row\n"
                "housing,2,2222222222222222222222222222222222222222222222222222222222222222,7,3,unmapped_value\n"
                "adults,adults,,9,0,orphan_local_id\n");
    expect_file(run_dir, "linkage.csv",
                "order,key,records_with_key,links,refused,pairs_compared,"
                "pairs_accepted,refused_by_guard,refused_in_cluster,"
                "blocks_over_cap,pairs_over_cap,fields_on_default_m\n"
                "0,id_scope local_id,,25,[c],,,,,,,\n"
                "1,'=cmd|' /C calc'!A0,100,[c],0,,,,,,,\n"
                "2,\"a\"\"b\\c\nd\",50,10,5,,,,,,,\n");

    /* manifest.json: one JSON value despite the quotes, backslashes and
     * control characters of the version, the config path and a key */
    manifest = slurp(run_dir, "manifest.json");
    if (json_check(manifest, &at) < 0)
        fail_msg("manifest.json is not JSON at byte %zu:\n%s", at, manifest);
    assert_non_null(strstr(manifest, "\"version\": \"0.9 \\\"beta\\\"\\\\\\t\\u0001\""));
    assert_non_null(strstr(manifest, "q\\\"b\\\\s.conf\""));
    assert_non_null(strstr(manifest, "\"key\": \"a\\\"b\\\\c\\nd\""));
    assert_non_null(strstr(manifest, "\"persons\": 15,"));
    assert_non_null(strstr(manifest, "\"links\": \"[c]\""));
    assert_non_null(strstr(manifest, "\"run_id\": \"20260331T020000.000Z\""));
    assert_non_null(strstr(manifest, "\"started\": \"2026-03-31T02:00:00Z\""));
    assert_non_null(strstr(manifest, "{\"position\": 2, \"bytes\": 50, \"blake2b\": \"2222"));
    /* it lists every other file with the BLAKE2b of its bytes */
    quality = slurp(run_dir, "quality.csv");
    crypto_generichash(h, sizeof(h), (const unsigned char *)quality,
                       strlen(quality), NULL, 0);
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    p = strstr(manifest, "{\"name\": \"quality.csv\", \"bytes\": ");
    assert_non_null(p);
    assert_non_null(strstr(p, hex));
    assert_true(strstr(p, hex) - p < 80);
    assert_null(strstr(manifest, "\"name\": \"manifest.json\""));
    free(quality);
    free(manifest);

    /* report.html: every text from the config or the run escaped */
    report = slurp(run_dir, "report.html");
    assert_non_null(strstr(report, "Children &lt;b&gt;&amp;&quot;&#39;&lt;/b&gt; in TA"));
    assert_non_null(strstr(report, "persons aged &lt;18 &amp; &quot;in TA&quot;"));
    assert_non_null(strstr(report, "rules &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(report, "service=&lt;i&gt; 12"));
    assert_non_null(strstr(report, "=cmd|&#39; /C calc&#39;!A0"));
    assert_null(strstr(report, "<b>"));
    assert_null(strstr(report, "<script"));
    assert_null(strstr(report, "<i>"));
    /* the published counts, and the hidden cell as [c] (the report's
     * layout is tests/cli/report.sh's and pagecheck's to check) */
    assert_non_null(strstr(report, ">33<"));
    assert_non_null(strstr(report, ">35<"));
    assert_non_null(strstr(report, "[c]"));
    assert_true(strlen(report) > 7 &&
                !strcmp(report + strlen(report) - 8, "</html>\n"));
    free(report);

    published_table_release(&s.cohorts[0].table);
    job_plan_release(&plan);
}

/* A second publication keeps the first until `latest` moves; retention
 * removes the oldest run beyond `retain`. */
static void
test_publish_twice_and_retain(void **state)
{
    struct job_plan plan;
    struct run_summary s;
    struct diag d;
    char conf[PATH_MAX], path[PATH_MAX];
    struct stat st;
    int k;

    (void)state;
    load_plan(&plan, conf, sizeof(conf));
    make_summary(&s, &plan);
    plan.outputs[0].retain = 2;
    for (k = 1; k <= 3; k++) {
        snprintf(s.run_id, sizeof(s.run_id), "20260331T02000%d.000Z", k);
        if (publish_run(&s, &d) != 0)
            fail_msg("run %d: %s: %s", k, d.source, d.msg);
    }
    snprintf(path, sizeof(path), "%s/out/runs/20260331T020001.000Z", scratch);
    assert_int_equal(stat(path, &st), -1); /* beyond retain = 2 */
    snprintf(path, sizeof(path), "%s/out/runs/20260331T020002.000Z/ta.csv",
             scratch);
    assert_int_equal(stat(path, &st), 0);
    snprintf(path, sizeof(path), "%s/out/latest/manifest.json", scratch);
    assert_int_equal(stat(path, &st), 0);
    published_table_release(&s.cohorts[0].table);
    job_plan_release(&plan);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_table_csv),
        cmocka_unit_test(test_json_check),
        cmocka_unit_test_setup_teardown(test_publish_files, setup_scratch,
                                        teardown_scratch),
        cmocka_unit_test_setup_teardown(test_publish_twice_and_retain,
                                        setup_scratch, teardown_scratch),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
