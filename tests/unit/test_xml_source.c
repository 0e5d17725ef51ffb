/* Unit tests for connectors/xml_source.c: the record-path layout (columns
 * inside the record and from its ancestors, alternatives, namespaces,
 * text, entities, CDATA), row faults, positions, several files, source
 * errors and the path syntax. Table-driven: each case is a document, a
 * layout and the rows (or the error) it must give. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../connectors/source.h"
#include "../../connectors/xml_source.h"

static char dir[64];

static void
write_file(const char *name, const char *data, size_t n)
{
    char path[128];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

#define MAX_COLS 4

struct layout {
    const char *record;
    const char *names[MAX_COLS];
    const char *paths[MAX_COLS];
};

static const struct layout cin = {
    "/M/C/Child/D",
    {"id", "sex", "start", NULL},
    {"/M/C/Child/Ids/Id", "/M/C/Child/Ids/Sex|/M/C/Child/Ids/Gender",
     "Start", NULL},
};

/* Reads every row of the files matching glob_name under layout l into
 * out: each row "cell|cell|...", a fault as "!fault@column", rows ';'
 * separated; an error as "ERROR rule line:column". */
static int
read_all(const struct layout *l, const char *glob_name, size_t max_field,
         char *out, size_t n)
{
    static char path[128];
    struct xml_column_plan cols[MAX_COLS];
    struct source_plan p;
    struct source src;
    struct raw_row row;
    struct diag d;
    size_t i, ncols = 0, len = 0;
    int rc;

    memset(&p, 0, sizeof(p));
    for (i = 0; i < MAX_COLS && l->names[i]; i++) {
        cols[i].name = (char *)l->names[i];
        cols[i].path = (char *)l->paths[i];
        cols[i].line = 0;
        ncols++;
    }
    snprintf(path, sizeof(path), "%s/%s", dir, glob_name);
    p.name = "t";
    p.format = SRC_XML;
    p.path = path;
    p.xml_record = (char *)l->record;
    p.xml_columns = cols;
    p.nxml_columns = ncols;
    p.max_field_bytes = max_field;
    diag_clear(&d);
    out[0] = '\0';
    if ((rc = source_open(&src, &p, &d)) == 0) {
        while ((rc = source_next(&src, &row, &d)) > 0) {
            assert_int_equal(row.ncells, ncols);
            for (i = 0; i < row.ncells; i++)
                len += (size_t)snprintf(out + len, n - len, "%s%.*s",
                                        i ? "|" : "", (int)row.cells[i].len,
                                        row.cells[i].ptr);
            if (row.fault)
                len += (size_t)snprintf(out + len, n - len, "!%s@%ld",
                                        row_fault_name(row.fault),
                                        row.fault_column);
            len += (size_t)snprintf(out + len, n - len, "@%u:%ld;",
                                    row.file_index, row.line);
        }
    }
    if (rc < 0)
        snprintf(out + len, n - len, "ERROR %s %ld:%ld", d.rule, d.line,
                 d.column);
    source_close(&src);
    return rc;
}

struct read_case {
    const char *doc;
    const char *want;
};

static void
test_layout(void **state)
{
    static const struct read_case cases[] = {
        /* a column from the ancestor, one inside the record, repeated
         * records, a child without a record, whitespace trimmed */
        {"<M><C><Child><Ids><Id> A1 </Id><Gender>1</Gender></Ids>"
         "<D><Start>2020-01-01</Start></D>\n<D><Start>2021-02-02</Start></D>"
         "</Child><Child><Ids><Id>B2</Id></Ids></Child>"
         "<Child><Ids><Id>C3</Id><Sex>F</Sex></Ids><D/></Child></C></M>",
         "A1|1|2020-01-01@0:1;A1|1|2021-02-02@0:2;C3|F|@0:2;"},
        /* the first alternative wins, in either order in the document */
        {"<M><C><Child><Ids><Gender>1</Gender><Sex>M</Sex><Id>X</Id></Ids>"
         "<D><Start>s</Start></D></Child></C></M>",
         "X|M|s@0:1;"},
        /* the ancestor's values do not leak into the next child */
        {"<M><C><Child><Ids><Id>P</Id><Sex>F</Sex></Ids></Child>"
         "<Child><D><Start>s</Start></D></Child></C></M>",
         "||s@0:1;"},
        /* namespaces, entities, CDATA, text split over lines */
        {"<x:M xmlns:x='urn:x'><x:C><x:Child><x:Ids><x:Id>a&amp;b</x:Id>"
         "</x:Ids><x:D><x:Start><![CDATA[c<d]]></x:Start></x:D></x:Child>"
         "</x:C></x:M>",
         "a&b||c<d@0:1;"},
        /* an element twice in a record: ragged_row at its column */
        {"<M><C><Child><Ids><Id>A</Id></Ids><D><Start>1</Start>"
         "<Start>2</Start></D><D><Start>3</Start></D></Child></C></M>",
         "A||1!ragged_row@3@0:1;A||3@0:1;"},
        /* ... and twice in the ancestor: every record of it */
        {"<M><C><Child><Ids><Id>A</Id><Id>B</Id></Ids><D/><D/></Child>"
         "</C></M>",
         "A||!ragged_row@1@0:1;A||!ragged_row@1@0:1;"},
        /* over max_field_bytes (10): field_too_long */
        {"<M><C><Child><Ids><Id>0123456789A</Id></Ids><D/></Child></C></M>",
         "||!field_too_long@1@0:1;"},
        /* other elements, comments, PIs and attributes are ignored */
        {"<?xml version='1.0' encoding='UTF-8'?><!-- c --><M a='1'><H>x</H>"
         "<C><Child><Ids><Id k='v'>I</Id></Ids><D><Other>o</Other>"
         "<?pi x?><Start>s</Start></D></Child></C></M>",
         "I||s@0:1;"},
        /* the errors: an identifier after its record, a DTD, the wrong
         * root, a NUL, truncation, a mismatched tag */
        {"<M><C><Child><D/><Ids><Id>A</Id></Ids></Child></C></M>",
         "||@0:1;ERROR xml_order 1:23"},
        {"<!DOCTYPE M [<!ENTITY e 'x'>]><M>&e;</M>",
         "ERROR xml_doctype 1:13"},
        {"<N><C/></N>", "ERROR xml_root 1:1"},
        {"<M>\n<C>\0</C></M>", "ERROR nul_byte 2:4"},
        {"<M><C><Child>", "ERROR xml_truncated 1:14"},
        {"<M><C></M>", "ERROR xml_syntax 1:9"},
        {"", "ERROR xml_truncated 0:0"},
    };
    char got[1024];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n = strlen(cases[i].doc);

        /* the NUL case holds one inside its literal */
        if (strstr(cases[i].want, "nul_byte"))
            n = 16;
        write_file("case.xml", cases[i].doc, n);
        read_all(&cin, "case.xml", 10, got, sizeof(got));
        if (strcmp(got, cases[i].want))
            fail_msg("case %zu: got '%s', want '%s'", i, got,
                     cases[i].want);
    }
}

/* Several files: rows name their file; each file starts afresh. */
static void
test_files(void **state)
{
    static const char a[] =
        "<M><C><Child><Ids><Id>A</Id></Ids>\n<D><Start>1</Start></D>"
        "</Child></C></M>";
    static const char b[] =
        "<M>\n\n<C><Child><D><Start>2</Start></D></Child></C></M>";
    char got[512];

    (void)state;
    write_file("f1.xml", a, sizeof(a) - 1);
    write_file("f2.xml", b, sizeof(b) - 1);
    assert_int_equal(read_all(&cin, "f*.xml", 64, got, sizeof(got)), 0);
    assert_string_equal(got, "A||1@0:2;||2@1:3;");
}

/* A file larger than expat's buffer, one record per line, read whole. */
static void
test_large(void **state)
{
    size_t i, cap = 1u << 20, len = 0;
    char *doc = malloc(cap), *got = malloc(1u << 20);

    (void)state;
    assert_non_null(doc);
    assert_non_null(got);
    len += (size_t)snprintf(doc + len, cap - len, "<M><C><Child><Ids><Id>L"
                                                  "</Id></Ids>\n");
    for (i = 0; i < 5000; i++)
        len += (size_t)snprintf(doc + len, cap - len,
                                "<D><Start>%05zu</Start></D>\n", i);
    len += (size_t)snprintf(doc + len, cap - len, "</Child></C></M>\n");
    write_file("large.xml", doc, len);
    assert_int_equal(read_all(&cin, "large.xml", 64, got, 1u << 20), 0);
    assert_non_null(strstr(got, "L||00000@0:2;L||00001@0:3;"));
    assert_non_null(strstr(got, "L||04999@0:5001;"));
    assert_null(strstr(got, "ERROR"));

    /* text far over max_field_bytes outside any column is read past; a
     * tag that long is refused before expat holds it whole */
    len = (size_t)snprintf(doc, cap, "<M><C><Child><Ids><Id>L</Id></Ids>"
                                     "<Note>");
    memset(doc + len, 'x', 600000);
    len += 600000;
    len += (size_t)snprintf(doc + len, cap - len, "</Note><D/></Child>"
                                                  "</C></M>");
    write_file("long.xml", doc, len);
    assert_int_equal(read_all(&cin, "long.xml", 64, got, 1u << 20), 0);
    assert_string_equal(got, "L||@0:1;");
    len = (size_t)snprintf(doc, cap, "<M><C x='");
    memset(doc + len, 'x', 600000);
    len += 600000;
    len += (size_t)snprintf(doc + len, cap - len, "'/></M>");
    write_file("long.xml", doc, len);
    assert_int_equal(read_all(&cin, "long.xml", 64, got, 1u << 20), CE_DATA);
    assert_string_equal(got, "ERROR xml_token 1:4");
    free(doc);
    free(got);
}

/* Layouts a configuration can hold but a reader cannot use. */
static void
test_bad_layout(void **state)
{
    static const struct layout ancestor = {
        "/M/C/Child/D", {"x", NULL, NULL, NULL}, {"/M/C/Child", NULL, NULL,
                                                  NULL}};
    static const struct layout mixed = {
        "/M/C/Child/D", {"x", NULL, NULL, NULL},
        {"Start|/M/C/Child/Ids/Id", NULL, NULL, NULL}};
    char got[256];

    (void)state;
    write_file("ok.xml", "<M/>", 4);
    assert_int_equal(read_all(&ancestor, "ok.xml", 64, got, sizeof(got)),
                     CE_CONFIG);
    assert_int_equal(read_all(&mixed, "ok.xml", 64, got, sizeof(got)),
                     CE_CONFIG);
    assert_int_equal(read_all(&cin, "none*.xml", 64, got, sizeof(got)),
                     CE_IO);
}

static void
test_path_check(void **state)
{
    static const struct {
        const char *path;
        int record, ok;
    } cases[] = {
        {"/Message/Children/Child/CINdetails", 1, 1},
        {"Message/Children", 1, 0},          /* a record is absolute */
        {"/a/b|/a/c", 1, 0},                 /* one record path */
        {"CINreferralDate", 0, 1},
        {"Section47/S47ActualStartDate", 0, 1},
        {"/M/Ids/Sex|/M/Ids/GenderCurrent", 0, 1},
        {"x:Child/y.z-1_2", 0, 1},
        {"", 0, 0},
        {"a//b", 0, 0},
        {"a/", 0, 0},
        {"a||b", 0, 0},
        {"a|", 0, 0},
        {"a b", 0, 0},
        {"a/@attr", 0, 0},
        {"a[1]", 0, 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if ((xml_path_check(cases[i].path, cases[i].record) == NULL) !=
            cases[i].ok)
            fail_msg("'%s' (record %d): want %s", cases[i].path,
                     cases[i].record, cases[i].ok ? "ok" : "refused");
}

static int
setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/cohort-xml-test-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_large),
        cmocka_unit_test(test_bad_layout),
        cmocka_unit_test(test_path_check),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
