/* Unit tests for connectors/csv.c: one fixture per fault, encodings, gzip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "../../connectors/source.h"

static char dir[64];

static void
write_file(const char *name, const void *data, size_t n)
{
    char path[128];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void
write_gz(const char *name, const char *data, size_t n)
{
    char path[128];
    gzFile g;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    g = gzopen(path, "wb");
    assert_non_null(g);
    assert_int_equal(gzwrite(g, data, (unsigned)n), (int)n);
    gzclose(g);
}

static void
init_plan(struct source_plan *p, const char *glob_name)
{
    static char path[128];

    memset(p, 0, sizeof(*p));
    snprintf(path, sizeof(path), "%s/%s", dir, glob_name);
    p->name = "test";
    p->format = SRC_CSV;
    p->path = path;
    p->encoding = ENC_UTF8;
    p->delimiter = ',';
    p->quote = '"';
    p->header = 1;
    p->max_field_bytes = 1024;
    p->max_columns = 16;
}

static int
setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/cohort-csv-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int
teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd);
}

struct expect_row {
    long line;
    enum row_fault fault;
    long col;
    size_t ncells;
    const char *cell1; /* second cell, NULL: not checked */
};

static void
read_expect(const struct source_plan *p, const struct expect_row *e, size_t n)
{
    struct source src;
    struct raw_row row;
    struct diag d;
    size_t i;
    int rc;

    assert_int_equal(source_open(&src, p, &d), 0);
    for (i = 0; i < n; i++) {
        rc = source_next(&src, &row, &d);
        if (rc != 1)
            fail_msg("row %zu: rc %d (%s)", i, rc, d.msg);
        if (row.line != e[i].line || row.fault != e[i].fault ||
            row.fault_column != e[i].col)
            fail_msg("row %zu: line %ld fault %d col %ld", i, row.line,
                     row.fault, row.fault_column);
        if (e[i].fault == RF_NONE)
            assert_int_equal(row.ncells, e[i].ncells);
        if (e[i].cell1) {
            assert_true(row.ncells > 1);
            if (row.cells[1].len != strlen(e[i].cell1) ||
                memcmp(row.cells[1].ptr, e[i].cell1, row.cells[1].len))
                fail_msg("row %zu: cell 2 is '%.*s'", i, (int)row.cells[1].len,
                         row.cells[1].ptr);
        }
    }
    assert_int_equal(source_next(&src, &row, &d), 0);
    assert_int_equal(src.rows_read, n);
    source_close(&src);
}

static void
test_plain(void **state)
{
    static const char text[] =
        "\xEF\xBB\xBFId , Name,Note\r\n"
        "1,Ann,\"a, b\"\r\n"
        "\r\n"
        "2,\"Bo\"\"b\",\"two\nlines\"\r\n"
        "3,Cy,x";
    static const struct expect_row e[] = {
        {2, RF_NONE, 0, 3, "Ann"},
        {4, RF_NONE, 0, 3, "Bo\"b"},
        {6, RF_NONE, 0, 3, "Cy"},
    };
    struct source_plan p;
    struct source src;
    struct diag d;

    (void)state;
    write_file("plain.csv", text, sizeof(text) - 1);
    init_plan(&p, "plain.csv");
    read_expect(&p, e, 3);
    assert_int_equal(source_open(&src, &p, &d), 0);
    assert_int_equal(src.ncolumns, 3);
    assert_int_equal(source_column_index(&src, "id"), 0);
    assert_int_equal(source_column_index(&src, " NAME "), 1);
    assert_int_equal(source_column_index(&src, "nope"), -1);
    source_close(&src);
}

static void
test_faults(void **state)
{
    char text[4096];
    size_t n;
    struct source_plan p;
    static const struct expect_row e[] = {
        {2, RF_RAGGED, 3, 0, NULL},            /* too few */
        {3, RF_RAGGED, 4, 0, NULL},            /* too many */
        {4, RF_NUL_BYTE, 2, 0, NULL},
        {5, RF_BAD_ENCODING, 3, 0, NULL},
        {6, RF_FIELD_TOO_LONG, 2, 0, NULL},
        {7, RF_NONE, 0, 3, "ok"},              /* the next row is fine */
        {8, RF_TOO_MANY_COLUMNS, 17, 0, NULL},
        {9, RF_UNTERMINATED_QUOTE, 2, 0, NULL},
    };

    (void)state;
    memcpy(text, "a,b,c\n1,2\n1,2,3,4\n1,x\0y,3\n1,2,\xC3\x28\n1,", 35);
    n = 35;
    memset(text + n, 'z', 2000);
    n += 2000;
    n += (size_t)snprintf(text + n, sizeof(text) - n,
                          ",3\n1,ok,3\n1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,"
                          "17,18\n1,\"open\nquote,3\n");
    write_file("faults.csv", text, n);
    init_plan(&p, "faults.csv");
    p.max_field_bytes = 100;
    read_expect(&p, e, sizeof(e) / sizeof(e[0]));
}

static void
test_cp1252(void **state)
{
    static const char text[] = "id,name\n1,Ren\xE9\n2,\x80uro\n3,bad\x81\n";
    struct source_plan p;
    struct expect_row e[] = {
        {2, RF_NONE, 0, 2, "Ren\xC3\xA9"},
        {3, RF_NONE, 0, 2, "\xE2\x82\xACuro"},
        {4, RF_BAD_ENCODING, 2, 0, NULL},
    };

    (void)state;
    write_file("w.csv", text, sizeof(text) - 1);
    init_plan(&p, "w.csv");
    p.encoding = ENC_WINDOWS_1252;
    read_expect(&p, e, 3);
    /* the same bytes as UTF-8 are faults */
    p.encoding = ENC_UTF8;
    e[0].fault = RF_BAD_ENCODING;
    e[0].col = 2;
    e[0].cell1 = NULL;
    e[1].fault = RF_BAD_ENCODING;
    e[1].col = 2;
    e[1].cell1 = NULL;
    read_expect(&p, e, 3);
    /* Latin-1 maps 0x80 to U+0080, never a fault */
    p.encoding = ENC_LATIN1;
    e[0] = (struct expect_row){2, RF_NONE, 0, 2, "Ren\xC3\xA9"};
    e[1] = (struct expect_row){3, RF_NONE, 0, 2, "\xC2\x80uro"};
    e[2] = (struct expect_row){4, RF_NONE, 0, 2, NULL};
    read_expect(&p, e, 3);
}

static void
test_gzip_and_glob(void **state)
{
    static const char a[] = "id,name\n1,Ann\n2,Bob\n";
    static const char b[] = "ID,Name\n3,Cy\n";
    static const struct expect_row e[] = {
        {2, RF_NONE, 0, 2, "Ann"},
        {3, RF_NONE, 0, 2, "Bob"},
        {2, RF_NONE, 0, 2, "Cy"},
    };
    struct source_plan p;
    struct source src;
    struct raw_row row;
    struct diag d;
    char big[200000];
    size_t i, n = 0;

    (void)state;
    write_gz("g_1.csv.gz", a, sizeof(a) - 1);
    write_file("g_2.dat", b, sizeof(b) - 1); /* told by content, not name */
    init_plan(&p, "g_*");
    read_expect(&p, e, 3);

    /* a truncated gzip is a source error, never silent truncation */
    n = (size_t)snprintf(big, sizeof(big), "id,name\n");
    for (i = 0; n < sizeof(big) - 32; i++)
        n += (size_t)snprintf(big + n, sizeof(big) - n, "%zu,%zx\n", i,
                              i * 2654435761u);
    write_gz("t.csv.gz", big, n);
    {
        char path[128];
        FILE *f;
        long size;

        snprintf(path, sizeof(path), "%s/t.csv.gz", dir);
        f = fopen(path, "rb+");
        fseek(f, 0, SEEK_END);
        size = ftell(f);
        fclose(f);
        assert_int_equal(truncate(path, size / 2), 0);
    }
    init_plan(&p, "t.csv.gz");
    assert_int_equal(source_open(&src, &p, &d), 0);
    while ((i = (size_t)source_next(&src, &row, &d)) == 1)
        ;
    assert_int_equal((int)i, CE_DATA);
    assert_non_null(strstr(d.msg, "truncated gzip"));
    assert_true(d.line > 1);
    source_close(&src);
}

static void
test_source_errors(void **state)
{
    struct source_plan p;
    struct source src;
    struct diag d;

    (void)state;
    init_plan(&p, "none-*.csv");
    assert_int_equal(source_open(&src, &p, &d), CE_IO);
    source_close(&src);
    write_file("empty.csv", "", 0);
    init_plan(&p, "empty.csv");
    assert_int_equal(source_open(&src, &p, &d), CE_DATA);
    assert_non_null(strstr(d.msg, "empty file"));
    assert_int_equal(d.line, 1);
    source_close(&src);
    write_file("h_1.csv", "a,b\n1,2\n", 8);
    write_file("h_2.csv", "a,c\n1,2\n", 8);
    init_plan(&p, "h_*.csv");
    {
        struct raw_row row;

        assert_int_equal(source_open(&src, &p, &d), 0);
        assert_int_equal(source_next(&src, &row, &d), 1);
        assert_int_equal(source_next(&src, &row, &d), CE_DATA);
        assert_non_null(strstr(d.msg, "header differs"));
        source_close(&src);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_faults),
        cmocka_unit_test(test_cp1252),
        cmocka_unit_test(test_gzip_and_glob),
        cmocka_unit_test(test_source_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
