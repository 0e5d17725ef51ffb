/*
 * Unit tests for anonymise/rules.c: the document an IG reviewer signs off,
 * drawn from config/demo.conf and variants of it. Its text, JSON and HTML
 * renderings carry the same sections and the same plan hash; JSON is
 * well-formed and HTML escapes what the job file says; the plan hash is
 * BLAKE2b-256 of the text rendering's body, the same for the same plan
 * and different when any rule changes. Run from the repository root (as
 * scripts/run-tests does).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../anonymise/rules.h"
#include "../../app/config.h"
#include "../../core/plan.h"
#include "../../core/strbuf.h"
#include "json_check.h"

#define DEMO "config/demo.conf"

static char *demo_text;

static int
setup(void **state)
{
    FILE *f = fopen(DEMO, "rb");
    long n;

    (void)state;
    if (!f || sodium_init() < 0)
        return -1;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    demo_text = malloc((size_t)n + 1);
    if (!demo_text || fread(demo_text, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        return -1;
    }
    demo_text[n] = '\0';
    fclose(f);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    free(demo_text);
    return 0;
}

/* The demo job with the first `from` replaced by `to` (from NULL: as it
 * is), loaded. Relative paths in it still resolve: the test runs from the
 * repository root. */
static void
load_variant(struct job_plan *plan, const char *from, const char *to)
{
    char path[] = "/tmp/cohort-rules-XXXXXX";
    const char *at = from ? strstr(demo_text, from) : NULL;
    struct diag d;
    FILE *f;
    int fd;

    if (from && !at)
        fail_msg("config/demo.conf no longer has '%s'", from);
    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    if (at) {
        fwrite(demo_text, 1, (size_t)(at - demo_text), f);
        fputs(to, f);
        fputs(at + strlen(from), f);
    } else {
        fputs(demo_text, f);
    }
    assert_int_equal(fclose(f), 0);
    if (job_plan_load(plan, path, &d) != 0)
        fail_msg("'%s' -> '%s': %s:%ld: %s", from ? from : "", to ? to : "",
                 d.source, d.line, d.msg);
    unlink(path);
}

static char *
render(const struct job_plan *plan, char *const *where_plain,
       enum rules_format format)
{
    struct strbuf sb = STRBUF_INIT;

    assert_int_equal(rules_render(plan, where_plain, format, &sb), 0);
    assert_false(strbuf_failed(&sb));
    return strbuf_detach(&sb);
}

static void
plan_hash(const struct job_plan *plan, char *const *where_plain,
          char hash[65])
{
    assert_int_equal(rules_plan_hash(plan, where_plain, hash), 0);
    assert_int_equal(strlen(hash), 64);
    assert_int_equal(strspn(hash, "0123456789abcdef"), 64);
}

/* Every section of the demo job, in order, as the text shows it. */
static const char *const demo_sections[] = {
    "Job",
    "Source housing (housing)",
    "Source children (children_social_care)",
    "Source lac_header (children_social_care)",
    "Source lac_episodes (children_social_care)",
    "Source adults (adult_social_care)",
    "Source pupils (education)",
    "Id scopes",
    "Linkage",
    "Generalisation",
    "Disclosure control",
    "Cohort children_in_ta_known_to_csc",
    "Cohort adults_long_term_support",
    "Cohort children_with_ehcp",
    "Outputs",
};
#define NSECTIONS (sizeof(demo_sections) / sizeof(demo_sections[0]))

/* Rules the demo job must state, each a whole line of the text. */
static const char *const demo_lines[] = {
    "  name: demo",
    "  reference date: 2026-10-31",
    "  periods: 24 monthly periods ending at the reference date",
    "  sex <- column GENDER: quasi-identifier: mapped to M, F, U or X; "
    "published only as a table dimension",
    "  service <- column TENURE: service code mapped to canonical services: "
    "'TA' -> temporary_accommodation, 'HP' -> homelessness_prevention, "
    "'SH' -> social_tenancy; any other code quarantines the row",
    "  service: every row is service looked_after",
    "  scope csc: children (header) joins on column CHILD_ID; lac_header "
    "(header, persons only) joins on column CHILD; lac_episodes (events) "
    "joins on column CHILD",
    "  match key 1: keyed BLAKE2b (own subkey) over nhs_number; absent when "
    "any part is missing or invalid",
    "  match key 6: keyed BLAKE2b (own subkey) over initial + "
    "surname_phonetic + dob_unordered + sector; absent when any part is "
    "missing or invalid",
    "  age bands: 0-4, 5-10, 11-15, 16-17, 18-24, 25-64, 65+",
    "  preset: ons",
    "  rounding: published counts rounded to the nearest 5",
    "  by: age_band, sex, ward",
    "  measure: distinct persons in the cohort in the period",
    "  published columns: period, age_band, sex, ethnicity, count ([c] when "
    "hidden)",
    "  files: files under 'demo/out': one table per cohort, quality, "
    "linkage, manifest and report",
};

static int
has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    const char *p = text;

    while ((p = strstr(p, line))) {
        if ((p == text || p[-1] == '\n') && (p[n] == '\n'))
            return 1;
        p++;
    }
    return 0;
}

static void
test_rules_text(void **state)
{
    static char meaning[] = "aged under 18, in temporary accommodation and "
                            "known to children's social care";
    char *plain[3] = {meaning, NULL, NULL};
    struct job_plan plan;
    char *text, *with_meaning, hash[65], head[128];
    const char *p;
    size_t i;

    (void)state;
    load_variant(&plan, NULL, NULL);
    text = render(&plan, NULL, RULES_TEXT);
    plan_hash(&plan, NULL, hash);
    snprintf(head, sizeof(head),
             "Anonymisation rules for job demo\nplan hash: %s\n\nJob\n", hash);
    if (strncmp(text, head, strlen(head)))
        fail_msg("the text starts\n%.200s", text);
    /* every section, in order, each after a blank line */
    p = text;
    for (i = 0; i < NSECTIONS; i++) {
        char want[128];

        snprintf(want, sizeof(want), "\n%s\n", demo_sections[i]);
        if (!(p = strstr(p, want)))
            fail_msg("section '%s' missing or out of order", demo_sections[i]);
    }
    for (i = 0; i < sizeof(demo_lines) / sizeof(demo_lines[0]); i++)
        if (!has_line(text, demo_lines[i]))
            fail_msg("the rules lack the line\n%s", demo_lines[i]);
    /* identifiers are wiped, never written; nothing else is published */
    assert_true(has_line(text, "  unlisted columns: every column of every "
                               "source that is not listed below is never "
                               "read"));
    assert_null(strstr(text, "meaning:"));
    /* a cohort's plain-English where is part of the document */
    with_meaning = render(&plan, plain, RULES_TEXT);
    snprintf(head, sizeof(head), "  meaning: %s\n", meaning);
    assert_non_null(strstr(with_meaning, head));
    free(with_meaning);
    free(text);
    job_plan_release(&plan);
}

/* The plan hash is BLAKE2b-256 of the text rendering after its three
 * header lines (title, hash, blank): what the reviewer reads. */
static void
test_plan_hash_is_the_text(void **state)
{
    struct job_plan plan;
    char *text, hash[65], hex[65];
    const char *body;
    unsigned char h[32];

    (void)state;
    load_variant(&plan, NULL, NULL);
    text = render(&plan, NULL, RULES_TEXT);
    plan_hash(&plan, NULL, hash);
    body = strstr(text, "\n\n");
    assert_non_null(body);
    body += 2;
    crypto_generichash(h, sizeof(h), (const unsigned char *)body,
                       strlen(body), NULL, 0);
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    assert_string_equal(hash, hex);
    free(text);
    job_plan_release(&plan);
}

/* JSON and HTML: the same sections and hash as the text; JSON parses;
 * HTML escapes the title, where and names the job file gave. */
static void
test_rules_json_and_html(void **state)
{
    static char meaning[] = "persons with \"a\" <plan> & \\ more";
    char *plain[3] = {NULL, NULL, meaning};
    struct job_plan plan;
    char *json, *html, hash[65], want[160];
    size_t i, at;

    (void)state;
    load_variant(&plan, "title = Children and young people with an EHC plan",
                 "title = Children <script>alert(\"x\")</script> & 'EHC' \\ plans");
    plan_hash(&plan, plain, hash);

    json = render(&plan, plain, RULES_JSON);
    if (json_check(json, &at) < 0)
        fail_msg("rules JSON is not JSON at byte %zu: %.80s", at, json + at);
    snprintf(want, sizeof(want), "{\"job\":\"demo\",\"plan_hash\":\"%s\",", hash);
    assert_true(!strncmp(json, want, strlen(want)));
    for (i = 0; i < NSECTIONS; i++) {
        snprintf(want, sizeof(want), "{\"title\":\"%s\",\"rules\":[",
                 demo_sections[i]);
        if (!strstr(json, want))
            fail_msg("JSON lacks section %s", demo_sections[i]);
    }
    assert_non_null(strstr(json, "{\"name\":\"title\",\"rule\":\"Children "
                                 "<script>alert(\\\"x\\\")</script> & 'EHC' "
                                 "\\\\ plans\"}"));
    assert_non_null(strstr(json, "\"persons with \\\"a\\\" <plan> & \\\\ more\""));

    html = render(&plan, plain, RULES_HTML);
    assert_true(!strncmp(html, "<!DOCTYPE html>\n<html", 21));
    snprintf(want, sizeof(want), "<code>%s</code>", hash);
    assert_non_null(strstr(html, want));
    for (i = 0; i < NSECTIONS; i++) {
        snprintf(want, sizeof(want), "<h2>%s</h2>", demo_sections[i]);
        if (!strstr(html, want))
            fail_msg("HTML lacks section %s", demo_sections[i]);
    }
    assert_non_null(strstr(html, "<td>Children &lt;script&gt;alert(&quot;x&quot;)"
                                 "&lt;/script&gt; &amp; &#39;EHC&#39; \\ plans</td>"));
    assert_non_null(strstr(html, "persons with &quot;a&quot; &lt;plan&gt; &amp; \\ more"));
    assert_non_null(strstr(html, "<th>match key 1</th>"));
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "<plan>"));
    assert_true(!strcmp(html + strlen(html) - 15, "</body></html>\n"));
    free(json);
    free(html);
    job_plan_release(&plan);
}

/* The same plan, the same hash: twice over one plan, over the file loaded
 * again, and over a file that differs only in comments, blank lines and
 * spacing. */
static void
test_plan_hash_stable(void **state)
{
    static const struct {
        const char *from;
        const char *to;
    } same[] = {
        {"[linkage]\n", "; reviewed by IG on 1 April\n\n[linkage]\n"},
        {"min_count = 10", "min_count =   10   ; the rule"},
        {"\n[cohort children_with_ehcp]\n", "\n\n\n[cohort children_with_ehcp]\n"},
    };
    struct job_plan a, b;
    char ha[65], ha2[65], hb[65];
    size_t i;

    (void)state;
    load_variant(&a, NULL, NULL);
    plan_hash(&a, NULL, ha);
    plan_hash(&a, NULL, ha2);
    assert_string_equal(ha, ha2);
    load_variant(&b, NULL, NULL);
    plan_hash(&b, NULL, hb);
    assert_string_equal(ha, hb);
    job_plan_release(&b);
    for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        load_variant(&b, same[i].from, same[i].to);
        plan_hash(&b, NULL, hb);
        if (strcmp(ha, hb))
            fail_msg("'%s' -> '%s' changed the plan hash", same[i].from,
                     same[i].to);
        job_plan_release(&b);
    }
    job_plan_release(&a);
}

/* Any change to a rule the reviewer signs off changes the hash. */
static void
test_plan_hash_changes(void **state)
{
    static const struct {
        const char *what;
        const char *from;
        const char *to;
    } changes[] = {
        {"a threshold", "min_count = 10", "min_count = 5"},
        {"the rounding", "rounding  = 5", "rounding  = 10"},
        {"the preset", "preset    = ons", "preset    = nhs"},
        {"cell-key perturbation",
         "rounding  = 5", "rounding  = 5\nperturbation = cellkey\n"
                          "ptable = config/ptable_default.csv"},
        {"an age band", "18-24, 25-64", "18-29, 30-64"},
        {"the reference date", "reference_date = 2026-10-31",
         "reference_date = 2026-09-30"},
        {"the number of periods", "periods        = 24", "periods        = 12"},
        {"the order of the link keys", "keys = nhs_number; upn;",
         "keys = upn; nhs_number;"},
        {"a link key dropped", "       surname_phonetic+dob+sex+sector\n",
         "       initial+surname+dob\n"},
        {"a mapped column", "field.sex       = GENDER", "field.sex       = SEX_CODE"},
        {"a code of a value map", "value.service.TA = temporary_accommodation",
         "value.service.TA1 = temporary_accommodation"},
        {"a field no longer read", "field.end_date  = END_DATE\n", ""},
        {"the reject limit", "max_reject_rate = 5%", "max_reject_rate = 6%"},
        {"a cohort's where", "where = education.ehcp",
         "where = education.ehcp and age < 18"},
        {"a cohort's by", "by    = age_band, sex, ethnicity",
         "by    = age_band, sex"},
        {"a cohort's title", "title = Adults receiving long-term support",
         "title = Adults receiving long term support"},
        {"the lookup", "lookup         = config/lookups/postcodes.csv",
         "lookup         = config/lookups/./postcodes.csv"},
        {"gzip on the files", "type   = csv\n", "type   = csv\ngzip   = yes\n"},
    };
    static char meaning[] = "persons with an EHC plan";
    char *plain[3] = {NULL, NULL, meaning};
    struct job_plan a, b;
    char ha[65], hb[65];
    size_t i;

    (void)state;
    load_variant(&a, NULL, NULL);
    plan_hash(&a, NULL, ha);
    for (i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
        load_variant(&b, changes[i].from, changes[i].to);
        plan_hash(&b, NULL, hb);
        if (!strcmp(ha, hb))
            fail_msg("changing %s left the plan hash as it was",
                     changes[i].what);
        job_plan_release(&b);
    }
    /* the plain-English where is part of what the reviewer reads */
    plan_hash(&a, plain, hb);
    assert_string_not_equal(ha, hb);
    job_plan_release(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules_text),
        cmocka_unit_test(test_plan_hash_is_the_text),
        cmocka_unit_test(test_rules_json_and_html),
        cmocka_unit_test(test_plan_hash_stable),
        cmocka_unit_test(test_plan_hash_changes),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
