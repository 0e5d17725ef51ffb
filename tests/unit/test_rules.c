/* Unit tests for anonymise/rules_doc.c (one tree, three renderings) and
 * anonymise/rules*.c on the demo job's plan (the plan hash and its
 * canonical form, what the pack says when nothing was looked at). Run
 * from the repository root (scripts/run-tests does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "../../anonymise/rules.h"
#include "../../anonymise/rules_doc.h"
#include "../../app/config.h"
#include "../../core/strbuf.h"

static void
test_doc_renderings(void **state)
{
    struct rdoc doc;
    struct strbuf text = STRBUF_INIT, out = STRBUF_INIT;
    struct rnode *s, *r, *arr;

    (void)state;
    rdoc_init(&doc);
    rn_str(&doc, doc.root, "format", "x");
    s = rn_section(&doc, "key", "Key <file>");
    rn_str(&doc, s, "text", "about \"keys\"");
    strbuf_adds(&text, "0600 & owner");
    r = rn_rule(&doc, s, "file_mode", NULL, &text);
    rn_int(&doc, r, "mode", 384);
    rn_bool(&doc, r, "exists", 1);
    rn_null(&doc, r, "id");
    arr = rn_arr(&doc, s, "columns");
    strbuf_adds(&text, "discarded");
    rn_rule(&doc, arr, NULL, "column A", &text);
    assert_false(rdoc_failed(&doc));

    rdoc_json(&doc, &out);
    assert_string_equal(
        strbuf_str(&out),
        "{\n  \"format\": \"x\",\n  \"key\": {\n    \"title\": \"Key "
        "<file>\",\n"
        "    \"text\": \"about \\\"keys\\\"\",\n    \"file_mode\": {\n"
        "      \"text\": \"0600 & owner\",\n      \"mode\": 384,\n"
        "      \"exists\": true,\n      \"id\": null\n    },\n"
        "    \"columns\": [\n      {\n        \"name\": \"column A\",\n"
        "        \"text\": \"discarded\"\n      }\n    ]\n  }\n}\n");
    strbuf_reset(&out);
    rdoc_text(&doc, &out);
    assert_string_equal(
        strbuf_str(&out),
        "Key <file>\n  about \"keys\"\n  file mode: 0600 & owner\n"
        "  column A: discarded\n");
    strbuf_reset(&out);
    rdoc_html(&doc, &out);
    assert_non_null(
        strstr(strbuf_str(&out), "<h2 id=\"s0\">Key &lt;file&gt;</h2>"));
    assert_non_null(
        strstr(strbuf_str(&out), "<caption>Key &lt;file&gt;: rules</caption>"));
    assert_non_null(strstr(strbuf_str(&out),
                           "<tr><th scope=\"row\">file mode</th>"
                           "<td>0600 &amp; owner</td></tr>"));
    rdoc_release(&doc);
    strbuf_release(&text);
    strbuf_release(&out);
}

static void
test_demo_plan(void **state)
{
    struct job_plan plan;
    struct diag d;
    struct strbuf sb = STRBUF_INIT;
    struct rules_inputs in = {NULL, "9.9.9", NULL, NULL, NULL};
    unsigned char h[32];
    char hash[65], hex[65];

    (void)state;
    assert_true(sodium_init() >= 0);
    diag_clear(&d);
    assert_int_equal(job_plan_load(&plan, "config/demo.conf", &d), 0);
    assert_int_equal(rules_plan_hash(&plan, &in, hash, &d), 0);
    /* the hash is BLAKE2b-256 of the canonical form, nothing else */
    assert_int_equal(rules_render(&plan, &in, RULES_CANONICAL, &sb, &d), 0);
    crypto_generichash(h, sizeof(h), (const unsigned char *)strbuf_str(&sb),
                       sb.len, NULL, 0);
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    assert_string_equal(hex, hash);
    assert_non_null(strstr(strbuf_str(&sb), "\nprogram = 9.9.9\n"));
    assert_non_null(strstr(strbuf_str(&sb), "\nretain = 30\n"));
    /* another program version is another plan */
    in.version = "9.9.10";
    assert_int_equal(rules_plan_hash(&plan, &in, hex, &d), 0);
    assert_string_not_equal(hex, hash);
    /* nothing looked at beside the plan: the pack says so */
    strbuf_reset(&sb);
    assert_int_equal(rules_render(&plan, &in, RULES_TEXT, &sb, &d), 0);
    assert_non_null(
        strstr(strbuf_str(&sb), "key file: 'demo/demo.key' (not looked at)"));
    assert_non_null(strstr(strbuf_str(&sb), "no publication looked at"));
    assert_non_null(strstr(
        strbuf_str(&sb), "  header: not read (not looked at here: cohort rules reads it)"));
    /* a lookup that cannot be read: no document, the loader's words */
    free(plan.lookup);
    plan.lookup = strdup("no/such/lookup.csv");
    strbuf_reset(&sb);
    assert_int_equal(rules_render(&plan, &in, RULES_JSON, &sb, &d), CE_CONFIG);
    assert_string_equal(d.rule, "lookup");
    assert_non_null(strstr(d.msg, "cannot read the lookup table"));
    strbuf_release(&sb);
    job_plan_release(&plan);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doc_renderings),
        cmocka_unit_test(test_demo_plan),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
