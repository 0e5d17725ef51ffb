/* Unit tests for connectors/csv.c: one fixture per fault, encodings, gzip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "../../connectors/source.h"
#include "../../connectors/text_decode.h"

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

/* Files are named by source and position, never by path (source.h). */
static void
test_file_naming(void **state)
{
    static const char a[] = "id,name\n1,Ann\n2,Bob\n";
    static const char b[] = "ID,Name\n3,Cy\n";
    struct source_plan p;
    struct source src;
    struct raw_row row;
    struct diag d;
    char path[128], text[512];
    unsigned char h[32];

    (void)state;
    write_file("n_Uma_Lake_1.csv", a, sizeof(a) - 1);
    write_file("n_Uma_Lake_2.csv", b, sizeof(b) - 1);
    init_plan(&p, "n_*.csv");
    assert_int_equal(source_open(&src, &p, &d), 0);
    assert_int_equal(source_next(&src, &row, &d), 1);
    assert_int_equal(row.file_index, 0);
    assert_int_equal(source_next(&src, &row, &d), 1);
    assert_int_equal(source_next(&src, &row, &d), 1);
    assert_int_equal(row.file_index, 1);
    assert_int_equal(source_next(&src, &row, &d), 0);
    assert_int_equal(src.nfiles, 2);
    assert_int_equal(src.files[0].rows, 2);
    assert_int_equal(src.files[1].rows, 1);
    /* the hash is of the whole file's bytes, taken while it streamed */
    crypto_generichash(h, sizeof(h), (const unsigned char *)b, sizeof(b) - 1,
                       NULL, 0);
    assert_true(src.files[1].hashed);
    assert_memory_equal(src.files[1].blake2b, h, sizeof(h));
    source_file_label(&src, 1, text, sizeof(text));
    assert_string_equal(text, "source 'test' file 2");
    source_close(&src);

    /* a listed file that cannot be opened: its position and the glob */
    snprintf(path, sizeof(path), "%s/n_Uma_Lake_3.csv", dir);
    assert_int_equal(symlink("gone", path), 0);
    assert_int_equal(source_open(&src, &p, &d), 0);
    while (source_next(&src, &row, &d) == 1)
        ;
    diag_format(&d, text, sizeof(text));
    assert_string_equal(d.source, "source 'test' file 3");
    assert_non_null(strstr(d.msg, "cannot open"));
    assert_non_null(strstr(d.msg, "file 3 of 3 matching"));
    assert_null(strstr(text, "Uma"));
    source_close(&src);
    /* a literal path names a file: not printed at all */
    init_plan(&p, "n_Uma_Lake_3.csv");
    assert_int_equal(source_open(&src, &p, &d), CE_IO);
    diag_format(&d, text, sizeof(text));
    assert_string_equal(d.source, "source 'test' file 1");
    assert_null(strstr(text, "Uma"));
    source_close(&src);
    unlink(path);

    /* a later file's header: named by positions */
    write_file("n_Uma_Lake_3.csv", "id,other\n4,x\n", 13);
    init_plan(&p, "n_*.csv");
    assert_int_equal(source_open(&src, &p, &d), 0);
    while (source_next(&src, &row, &d) == 1)
        ;
    diag_format(&d, text, sizeof(text));
    assert_string_equal(d.source, "source 'test' file 3");
    assert_non_null(strstr(d.msg, "differs from file 1"));
    assert_null(strstr(text, "Uma"));
    source_close(&src);
}

static void
test_name_plain(void **state)
{
    static const struct {
        const char *name;
        int plain;
    } cases[] = {
        {"TENURE", 1},
        {"Date of birth", 1},
        {"field_2.sub-part", 1},
        {"", 0},
        {"Lake, Uma", 0},
        {"Pr\xC3\xA9nom", 0}, /* not ASCII: positions only */
        {"a\tb", 0},
        {"=cmd", 0},
        {"1234567890123456789012345678901234567890123456789012345678901234", 1},
        {"12345678901234567890123456789012345678901234567890123456789012345", 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cell c = {cases[i].name, strlen(cases[i].name)};

        if (source_column_name_plain(&c) != cases[i].plain)
            fail_msg("case %zu: '%s' plain %d", i, cases[i].name,
                     !cases[i].plain);
    }
}

static void
test_duplicate_columns(void **state)
{
    /* header cells separated by '|'; want: the message, or NULL for none */
    static const struct {
        const char *header;
        const char *want;
    } cases[] = {
        {"a|b|c", NULL},
        {"TENURE|x|tenure", "columns 1 'TENURE' and 3 'tenure' have"},
        {" TENURE |x|\tTenure ", "columns 1 'TENURE' and 3 'Tenure' have"},
        {"\xEF\xBB\xBFId|id", "columns 1 'Id' and 2 'id' have"},
        {"id|x|id\xEF\xBB\xBF", "columns 1 'id' and 3 'id' have"},
        /* the pair whose second column comes first */
        {"a|b|B|A", "columns 2 'b' and 3 'B' have"},
        {"a|b|A|B|a", "columns 1 'a' and 3 'A' have"},
        /* empty names (trailing delimiters) are never duplicates */
        {"a|||b|", NULL},
        {"a| |  |b", NULL},
        /* not plain: positions only */
        {"x|Lake, Uma|lake, uma", "columns 2 and 3 have the same name"},
        {"Pr\xC3\xA9nom|PR\xC3\xA9NOM", "columns 1 and 2 have the same name"},
        /* ASCII case only: these differ */
        {"Pr\xC3\xA9nom|Pr\xC3\x89nom", NULL},
        {"a1|a2|a3|a10|A2", "columns 2 'a2' and 5 'A2' have"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cell cols[16];
        size_t n = 0;
        const char *p = cases[i].header, *bar;
        struct diag d;
        int rc;

        for (;;) {
            bar = strchr(p, '|');
            cols[n].ptr = p;
            cols[n++].len = bar ? (size_t)(bar - p) : strlen(p);
            if (!bar)
                break;
            p = bar + 1;
        }
        diag_clear(&d);
        rc = source_check_duplicate_columns(cols, n, "here", 7, &d);
        if (!cases[i].want) {
            if (rc != 0)
                fail_msg("case %zu: rc %d (%s)", i, rc, d.msg);
            continue;
        }
        if (rc != CE_DATA || !strstr(d.msg, cases[i].want))
            fail_msg("case %zu: rc %d, message '%s'", i, rc, d.msg);
        assert_string_equal(d.rule, "duplicate_column");
        assert_string_equal(d.source, "here");
        assert_int_equal(d.line, 7);
        assert_null(strstr(d.msg, "Lake"));
        assert_null(strstr(d.msg, "\xC3"));
    }
}

/* The CSV connector refuses the header at open, naming file and line. */
static void
test_duplicate_header(void **state)
{
    static const char text[] = "\nTENURE,name,tenure\nTA,Ann,x\n";
    struct source_plan p;
    struct source src;
    struct diag d;

    (void)state;
    write_file("dup.csv", text, sizeof(text) - 1);
    init_plan(&p, "dup.csv");
    assert_int_equal(source_open(&src, &p, &d), CE_DATA);
    assert_string_equal(d.source, "source 'test' file 1");
    assert_int_equal(d.line, 2);
    assert_string_equal(d.rule, "duplicate_column");
    assert_non_null(strstr(d.msg, "columns 1 'TENURE' and 3 'tenure'"));
    source_close(&src);
}

/* UTF-16 with its byte-order mark, either order, is decoded to UTF-8
 * whatever `encoding` says; a lone surrogate is an invalid_encoding fault
 * at its column; without the mark the file is named as UTF-16. */
static void
test_utf16(void **state)
{
    /* "id,name\r\n1,\u00e9l\U0001F600\r\n2,<lone D800>\r\n" */
    static const unsigned short units[] = {
        'i', 'd', ',', 'n', 'a', 'm', 'e', '\r', '\n', '1', ',', 0xE9,
        'l', 0xD83D, 0xDE00, '\r', '\n', '2', ',', 0xD800, '\r', '\n'};
    static const struct expect_row e[] = {
        {2, RF_NONE, 0, 2, "\xC3\xA9l\xF0\x9F\x98\x80"},
        {3, RF_BAD_ENCODING, 2, 2, NULL},
    };
    unsigned char le[2 + 2 * sizeof(units) / sizeof(units[0])];
    unsigned char be[sizeof(le)];
    struct source_plan p;
    struct source src;
    struct diag d;
    size_t i;

    (void)state;
    le[0] = 0xFF, le[1] = 0xFE, be[0] = 0xFE, be[1] = 0xFF;
    for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        le[2 + 2 * i] = (unsigned char)(units[i] & 0xFF);
        le[3 + 2 * i] = (unsigned char)(units[i] >> 8);
        be[2 + 2 * i] = (unsigned char)(units[i] >> 8);
        be[3 + 2 * i] = (unsigned char)(units[i] & 0xFF);
    }
    write_file("le.csv", le, sizeof(le));
    init_plan(&p, "le.csv");
    p.encoding = ENC_WINDOWS_1252; /* the mark wins */
    read_expect(&p, e, 2);
    write_file("be.csv", be, sizeof(be));
    init_plan(&p, "be.csv");
    read_expect(&p, e, 2);
    write_file("nobom.csv", le + 2, sizeof(le) - 2);
    init_plan(&p, "nobom.csv");
    assert_int_equal(source_open(&src, &p, &d), CE_DATA);
    assert_string_equal(d.rule, "utf16_without_bom");
    source_close(&src);
}

/* A block boundary inside a code unit or a surrogate pair changes
 * nothing; a half left at the end is one invalid byte. */
static void
test_utf16_blocks(void **state)
{
    static const unsigned char in[] = {'a', 0, 0x3D, 0xD8, 0x00, 0xDE, 'b', 0};
    unsigned char out[64], whole[64];
    struct utf16_decoder u;
    size_t cut, n, o;

    (void)state;
    memset(&u, 0, sizeof(u));
    u.order = TEXT_UTF16LE;
    n = utf16_decode_block(&u, in, sizeof(in), 1, whole);
    assert_int_equal(n, 6);
    assert_memory_equal(whole, "a\xF0\x9F\x98\x80" "b", 6);
    for (cut = 0; cut <= sizeof(in); cut++) {
        memset(&u, 0, sizeof(u));
        u.order = TEXT_UTF16LE;
        o = utf16_decode_block(&u, in, cut, 0, out);
        o += utf16_decode_block(&u, in + cut, sizeof(in) - cut, 1, out + o);
        assert_int_equal(o, n);
        assert_memory_equal(out, whole, n);
    }
    memset(&u, 0, sizeof(u));
    u.order = TEXT_UTF16LE;
    assert_int_equal(utf16_decode_block(&u, in, 3, 1, out), 2);
    assert_int_equal(out[1], 0xFF);
}

/* A FIFO the glob matches is refused without waiting for a writer; a
 * stop request ends a read between blocks. */
static void
test_not_regular_and_stop(void **state)
{
    static volatile sig_atomic_t stop;
    char path[128], big[9000];
    struct source_plan p;
    struct source src;
    struct raw_row row;
    struct diag d;

    (void)state;
    snprintf(path, sizeof(path), "%s/fifo.csv", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    init_plan(&p, "fifo.csv");
    assert_int_equal(source_open(&src, &p, &d), CE_IO);
    assert_non_null(strstr(d.msg, "not a regular file"));
    source_close(&src);
    unlink(path);
    memset(big, 'x', sizeof(big));
    memcpy(big, "a,b\n1,", 6);
    write_file("big.csv", big, sizeof(big));
    init_plan(&p, "big.csv");
    p.max_field_bytes = sizeof(big);
    stop = 0;
    assert_int_equal(source_open_stoppable(&src, &p, &stop, &d), 0);
    stop = 1;
    assert_int_equal(source_next(&src, &row, &d), CE_INTERRUPTED);
    assert_string_equal(d.msg, "interrupted");
    source_close(&src);
}

/* "did you mean": the nearest plain header name, or none. */
static void
test_suggest(void **state)
{
    static const char text[] = "ID,TENURE_CODE,Date of Birth,Jo Bloggs (x),START\n";
    struct source_plan p;
    struct source src;
    struct diag d;

    (void)state;
    write_file("suggest.csv", text, sizeof(text) - 1);
    init_plan(&p, "suggest.csv");
    assert_int_equal(source_open(&src, &p, &d), 0);
    assert_int_equal(source_column_suggest(&src, "TENURE"), 1);
    assert_int_equal(source_column_suggest(&src, "date_of_birth"), 2);
    assert_int_equal(source_column_suggest(&src, "STRAT"), 4);
    assert_int_equal(source_column_suggest(&src, "Bloggs"), -1);
    assert_int_equal(source_column_suggest(&src, "postcode"), -1);
    source_close(&src);
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
        cmocka_unit_test(test_file_naming),
        cmocka_unit_test(test_name_plain),
        cmocka_unit_test(test_duplicate_columns),
        cmocka_unit_test(test_duplicate_header),
        cmocka_unit_test(test_utf16),
        cmocka_unit_test(test_utf16_blocks),
        cmocka_unit_test(test_not_regular_and_stop),
        cmocka_unit_test(test_suggest),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
