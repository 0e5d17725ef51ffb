/*
 * Unit tests for anonymise/ptable.c: both layouts of the perturbation
 * table load, give the noise they say for every count and cell key, and
 * every malformed table is refused naming the file, the line and (where
 * one is at fault) the column.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../anonymise/ptable.h"

static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* The ptable package's layout: keys map to [0,1) as ckey / 256. */
static void
test_ptable_standard_layout(void **state)
{
    char path[] = "/tmp/cohort-ptable-XXXXXX";
    struct ptable pt;
    struct diag d;
    int fd;

    (void)state;
    fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    /* pt_export(SDCtool = "SAS") style: ';', quoted names, no type; rows in
     * j order, so the intervals are not in file order for i = 2 */
    write_file(path, "\"i\";\"j\";\"p\";\"v\";\"p_int_lb\";\"p_int_ub\"\r\n"
                     "0;0;1;0;0;1\r\n"
                     "1;1;0.7;0;0;0.7\r\n"
                     "1;2;0.3;1;0.7;1\r\n"
                     "2;1;0.1;-1;0;0.1\r\n"
                     "2;3;0.1;1;0.9;1\r\n"
                     "2;2;0.8;0;0.1;0.9\r\n");
    if (ptable_load(&pt, path, &d) != 0)
        fail_msg("%s:%ld: %s", d.source, d.line, d.msg);
    assert_int_equal(pt.max_pcv, 2);
    /* 0.7 * 256 = 179.2: keys 0..179 stay, 180..255 get +1 */
    assert_int_equal(ptable_noise(&pt, 1, 179), 0);
    assert_int_equal(ptable_noise(&pt, 1, 180), 1);
    /* 0.1 * 256 = 25.6, 0.9 * 256 = 230.4 */
    assert_int_equal(ptable_noise(&pt, 2, 0), -1);
    assert_int_equal(ptable_noise(&pt, 2, 25), -1);
    assert_int_equal(ptable_noise(&pt, 2, 26), 0);
    assert_int_equal(ptable_noise(&pt, 2, 230), 0);
    assert_int_equal(ptable_noise(&pt, 2, 231), 1);
    assert_int_equal(ptable_noise(&pt, 2, 255), 1);
    /* counts above the largest i use its rows */
    assert_int_equal(ptable_noise(&pt, 40, 25), -1);
    assert_int_equal(ptable_noise(&pt, 40, 231), 1);
    assert_int_equal(ptable_noise(&pt, 0, 231), 0);
    ptable_release(&pt);
    unlink(path);
}

/* config/ptable_default.csv in the standard layout gives exactly the noise
 * of the table it replaced (the older pcv,ckey_lo,ckey_hi,noise layout,
 * still accepted). */
static void
test_ptable_default_unchanged(void **state)
{
    static const char legacy[] =
        "pcv,ckey_lo,ckey_hi,noise\n1,0,127,0\n1,128,191,1\n1,192,255,2\n"
        "2,0,101,0\n2,102,153,1\n2,154,205,-1\n2,206,255,2\n";
    char path[] = "/tmp/cohort-ptable-XXXXXX", text[4096];
    struct ptable std, old;
    struct diag d;
    size_t n;
    int fd, v, c;
    int64_t count;

    (void)state;
    if (ptable_load(&std, "config/ptable_default.csv", &d) != 0)
        fail_msg("%s:%ld: %s", d.source, d.line, d.msg);
    assert_int_equal(std.max_pcv, 10);
    /* the old table: 1 and 2 as above, 3..10 alike */
    n = (size_t)snprintf(text, sizeof(text), "%s", legacy);
    for (v = 3; v <= 10; v++)
        n += (size_t)snprintf(text + n, sizeof(text) - n,
                              "%d,0,101,0\n%d,102,153,1\n%d,154,205,-1\n"
                              "%d,206,230,2\n%d,231,255,-2\n",
                              v, v, v, v, v);
    fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    write_file(path, text);
    if (ptable_load(&old, path, &d) != 0)
        fail_msg("%s:%ld: %s", d.source, d.line, d.msg);
    for (count = 0; count <= 14; count++)
        for (c = 0; c < 256; c++)
            if (ptable_noise(&std, count, (uint32_t)c) !=
                ptable_noise(&old, count, (uint32_t)c))
                fail_msg("count %lld key %d: %d, was %d", (long long)count, c,
                         ptable_noise(&std, count, (uint32_t)c),
                         ptable_noise(&old, count, (uint32_t)c));
    ptable_release(&std);
    ptable_release(&old);
    unlink(path);
}

static void
test_ptable_errors(void **state)
{
    static const struct {
        const char *text;
        long line;
        const char *msg;
    } bad[] = {
        {"i,v,p_int_lb,p_int_ub\n1,0,0,0.5\n1,1,0.6,1\n", 3,
         "leaves a gap after"},
        {"i,v,p_int_lb,p_int_ub\n1,0,0,0.5\n1,1,0.4,1\n", 3, "overlaps"},
        {"i,v,p_int_lb,p_int_ub\n1,0,0,0.5\n1,1,0.5,0.9\n", 3,
         "end at 0.9, not 1"},
        {"i,v,p_int_lb,p_int_ub\n1,0,0.1,1\n", 2, "gap"},
        {"i,v,p_int_lb,p_int_ub\n1,0,0,0.5\n1,-2,0.5,1\n", 3,
         "i + v must not be negative"},
        {"i,j,v,p_int_lb,p_int_ub\n1,1,0,0,0.5\n1,1,1,0.5,1\n", 3,
         "v must be j - i"},
        {"i,v,p,p_int_lb,p_int_ub\n1,0,0.4,0,0.5\n1,1,0.5,0.5,1\n", 2,
         "p must be p_int_ub - p_int_lb"},
        {"i,v,p_int_lb,p_int_ub\n1,0,0,1\n3,0,0,1\n", 3,
         "no rows for i = 2"},
        {"i,v,p_int_lb,p_int_ub,type\n1,0,0,1,odd\n", 2, "type must be all"},
        {"i,v,p_int_lb,p_int_ub\n1,0,0,1.5\n", 2, "p_int_ub must be a number"},
        {"i,v,p_int_lb,p_int_ub\n1,0,0\n", 2, "expected 4 fields"},
        {"i,p,p_int_lb,p_int_ub\n", 1, "expected the header"},
        {"i,v,v,p_int_lb,p_int_ub\n", 1, "names v twice"},
        {"pcv,ckey_lo,ckey_hi,noise\n1,0,255,-2\n", 2, "noise >= -pcv"},
        {"i,v,p_int_lb,p_int_ub\n0,0,0,1\n", 0, "no rows for i >= 1"},
    };
    char path[] = "/tmp/cohort-ptable-XXXXXX";
    struct ptable pt;
    struct diag d;
    size_t i;
    int fd;

    (void)state;
    fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        write_file(path, bad[i].text);
        diag_clear(&d);
        if (ptable_load(&pt, path, &d) != CE_CONFIG || d.line != bad[i].line ||
            !strstr(d.msg, bad[i].msg) || strcmp(d.source, path))
            fail_msg("case %zu: line %ld msg '%s'", i, d.line, d.msg);
        assert_null(pt.rows);
    }
    unlink(path);
}


/* A fresh temp file holding text; its name in path (of the template's
 * size). */
static void
temp_file(char *path, const char *text)
{
    int fd;

    strcpy(path, "/tmp/cohort-ptable-XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    write_file(path, text);
}

/* The older layout: pcv,ckey_lo,ckey_hi,noise, rows in any order; counts
 * above the largest pcv take its rows, a key is taken mod 256, empty and
 * negative counts get no noise. */
static void
test_ptable_legacy_layout(void **state)
{
    static const struct {
        int64_t count;
        uint32_t ckey;
        int noise;
    } want[] = {
        {1, 0, 0},   {1, 99, 0},   {1, 100, 1}, {1, 255, 1},
        {2, 0, -1},  {2, 255, -1}, {3, 7, -1},  {1000000, 200, -1},
        {0, 100, 0}, {-4, 100, 0}, {1, 356, 1}, {1, 256, 0},
    };
    char path[32];
    struct ptable pt;
    struct diag d;
    size_t i;

    (void)state;
    temp_file(path, "pcv,ckey_lo,ckey_hi,noise\n"
                    "2,0,255,-1\n"
                    "1,100,255,1\n"
                    "\n"
                    "1,0,99,0\n");
    if (ptable_load(&pt, path, &d) != 0)
        fail_msg("%s:%ld: %s", d.source, d.line, d.msg);
    assert_int_equal(pt.max_pcv, 2);
    assert_int_equal(pt.n, 3);
    for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (ptable_noise(&pt, want[i].count, want[i].ckey) != want[i].noise)
            fail_msg("count %lld key %u: noise %d, want %d",
                     (long long)want[i].count, want[i].ckey,
                     ptable_noise(&pt, want[i].count, want[i].ckey),
                     want[i].noise);
    ptable_release(&pt);
    assert_null(pt.rows);
    assert_int_equal(pt.n, 0);
    unlink(path);
}

/* The standard layout as the tools write it, in every variation the
 * header documents, gives the same noise as the plain form: keys 0..191
 * (below 0.75 * 256) keep the count, 192..255 add 1. */
static void
test_ptable_standard_variants(void **state)
{
    static const struct {
        const char *name;
        const char *text;
    } cases[] = {
        {"plain", "i,j,p,v,p_int_lb,p_int_ub,type\n"
                  "1,1,0.75,0,0,0.75,all\n"
                  "1,2,0.25,1,0.75,1,all\n"},
        {"columns in another order", "p_int_ub,v,i,p_int_lb\n"
                                     "0.75,0,1,0\n"
                                     "1,1,1,0.75\n"},
        {"j instead of v", "i,j,p_int_lb,p_int_ub\n"
                           "1,1,0,0.75\n"
                           "1,2,0.75,1\n"},
        {"a byte-order mark, CRLF, blank lines, another column",
         "\xEF\xBB\xBFi,v,p_int_lb,p_int_ub,note\r\n"
         "\r\n"
         "1,0,0,0.75,kept\r\n"
         "1,1,0.75,1,moved\r\n"},
        {"';' and quotes (pt_export)", "\"i\";\"v\";\"p_int_lb\";\"p_int_ub\"\n"
                                       "\"1\";\"0\";\"0\";\"0.75\"\n"
                                       "\"1\";\"1\";\"0.75\";\"1\"\n"},
        {"blanks around fields", "i , v , p_int_lb , p_int_ub\n"
                                 " 1 , 0 , 0 , 0.75 \n"
                                 "\t1\t, 1 ,0.75, 1\n"},
        {"rows for i = 0 (checked, never drawn)", "i,v,p_int_lb,p_int_ub\n"
                                                 "0,0,0,1\n"
                                                 "1,0,0,0.75\n"
                                                 "1,1,0.75,1\n"},
        {"a lower bound a printing digit off the upper bound before it",
         "i,v,p_int_lb,p_int_ub\n"
         "1,0,0,0.75\n"
         "1,1,0.7500001,1\n"},
    };
    char path[32];
    struct ptable pt;
    struct diag d;
    size_t i;
    uint32_t k;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        temp_file(path, cases[i].text);
        diag_clear(&d);
        if (ptable_load(&pt, path, &d) != 0)
            fail_msg("%s: %s:%ld: %s", cases[i].name, d.source, d.line, d.msg);
        assert_int_equal(pt.max_pcv, 1);
        for (k = 0; k < 256; k++)
            if (ptable_noise(&pt, 1, k) != (k < 192 ? 0 : 1) ||
                ptable_noise(&pt, 9, k) != (k < 192 ? 0 : 1))
                fail_msg("%s: key %u gives noise %d", cases[i].name, k,
                         ptable_noise(&pt, 1, k));
        ptable_release(&pt);
        unlink(path);
    }
}

/* With 256 keys a row whose interval holds no key point (c / 256) is
 * never drawn, and each key is drawn by exactly one row. */
static void
test_ptable_key_resolution(void **state)
{
    char path[32];
    struct ptable pt;
    struct diag d;
    uint32_t k;

    (void)state;
    /* [0.501, 0.502) lies between 128/256 and 129/256 */
    temp_file(path, "i,v,p_int_lb,p_int_ub\n"
                    "1,0,0,0.501\n"
                    "1,5,0.501,0.502\n"
                    "1,1,0.502,1\n");
    if (ptable_load(&pt, path, &d) != 0)
        fail_msg("%s:%ld: %s", d.source, d.line, d.msg);
    for (k = 0; k < 256; k++) {
        int v = ptable_noise(&pt, 1, k);

        if (v != (k <= 128 ? 0 : 1))
            fail_msg("key %u: noise %d", k, v);
    }
    ptable_release(&pt);
    unlink(path);
}

/* Refused: CE_CONFIG naming the file, line and column; the table is
 * left empty. */
static void
test_ptable_more_errors(void **state)
{
    static const struct {
        const char *text;
        long line;
        long column;
        const char *msg;
    } bad[] = {
        {"", 1, 0, "the ptable is empty"},
        {"pcv,ckey_lo,ckey_hi,noise\n", 1, 0, "has no rows"},
        {"i,v,p_int_lb,p_int_ub\n", 0, 0, "no rows for i >= 1"},
        {"pcv,ckey_lo,ckey_hi,noise\n1,0,255\n", 2, 0, "expected pcv,ckey_lo"},
        {"pcv,ckey_lo,ckey_hi,noise\n1,10,5,0\n", 2, 0, "ckey_lo <= ckey_hi"},
        {"pcv,ckey_lo,ckey_hi,noise\n0,0,255,0\n", 2, 0, "pcv >= 1"},
        {"pcv,ckey_lo,ckey_hi,noise\n1,0,256,0\n", 2, 0, "<= 255"},
        {"pcv,ckey_lo,ckey_hi,noise\n1,0,10,0\n1,10,255,1\n", 0, 0,
         "pcv 1: cell key 10 is covered 2 times"},
        {"pcv,ckey_lo,ckey_hi,noise\n1,0,10,0\n1,12,255,1\n", 0, 0,
         "pcv 1: cell key 11 is covered 0 times"},
        {"pcv,ckey_lo,ckey_hi,noise\n1,0,255,0\n3,0,255,0\n", 0, 0,
         "pcv 2: cell key 0 is covered 0 times"},
        {"i,v,p_int_lb,p_int_ub\nx,0,0,1\n", 2, 1, "i must be a whole number"},
        {"i,v,p_int_lb,p_int_ub\n-1,0,0,1\n", 2, 1, "i must be a whole number"},
        {"i,v,p_int_lb,p_int_ub\n1,0.5,0,1\n", 2, 2, "v must be a whole number"},
        {"i,j,p_int_lb,p_int_ub\n1,-1,0,1\n", 2, 2, "j must be a whole number"},
        {"i,v,p_int_lb,p_int_ub\n1,0,-0.1,1\n", 2, 3, "p_int_lb must be a number in [0,1]"},
        {"i,v,p_int_lb,p_int_ub\n1,0,0,\n", 2, 4, "p_int_ub must be a number"},
        {"i,v,p_int_lb,p_int_ub\n1,0,0.6,0.4\n", 2, 0, "p_int_ub must not be below"},
        {"i,v,p_int_lb,p_int_ub\n1,0,0,1,9\n", 2, 0, "expected 4 fields"},
        {"i;v;p_int_lb\n", 1, 0, "expected the header"},
        {"x,y,z\n1,2,3\n", 1, 0, "expected the header"},
        {"i,v,p_int_lb,p_int_lb,p_int_ub\n", 1, 4, "names p_int_lb twice"},
    };
    char path[32];
    struct ptable pt;
    struct diag d;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        temp_file(path, bad[i].text);
        diag_clear(&d);
        if (ptable_load(&pt, path, &d) != CE_CONFIG || d.line != bad[i].line ||
            d.column != bad[i].column || !strstr(d.msg, bad[i].msg) ||
            strcmp(d.source, path))
            fail_msg("case %zu: line %ld column %ld msg '%s'", i, d.line,
                     d.column, d.msg);
        assert_null(pt.rows);
        assert_int_equal(pt.n, 0);
        unlink(path);
    }
    /* a file that is not there */
    diag_clear(&d);
    assert_int_equal(ptable_load(&pt, "/nonexistent/ptable.csv", &d), CE_CONFIG);
    assert_non_null(strstr(d.msg, "cannot read the ptable"));
    assert_string_equal(d.source, "/nonexistent/ptable.csv");
    assert_null(pt.rows);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ptable_standard_layout),
        cmocka_unit_test(test_ptable_default_unchanged),
        cmocka_unit_test(test_ptable_errors),
        cmocka_unit_test(test_ptable_legacy_layout),
        cmocka_unit_test(test_ptable_standard_variants),
        cmocka_unit_test(test_ptable_key_resolution),
        cmocka_unit_test(test_ptable_more_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
