/*
 * fuzz_xml.c - libFuzzer target for the XML connector: any bytes as an XML
 * return, read with the CIN census layout (a record, columns inside it,
 * columns from an ancestor, alternatives) and with a field cap small
 * enough to be hit, must give rows, row faults or a source error -- never
 * a crash, a leak, undefined behaviour or an entity expanded -- and every
 * row must have exactly the layout's columns.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../connectors/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct xml_column_plan columns[] = {
    {"LAchildID", "/Message/Children/Child/ChildIdentifiers/LAchildID", 0},
    {"GenderCurrent",
     "/Message/Children/Child/ChildIdentifiers/Sex|"
     "/Message/Children/Child/ChildIdentifiers/GenderCurrent", 0},
    {"Year", "/Message/Header/CollectionDetails/Year", 0},
    {"CINreferralDate", "CINreferralDate", 0},
    {"S47", "Section47/S47ActualStartDate", 0},
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/cohort-fuzz-xml-XXXXXX";
    struct source_plan p;
    struct source src;
    struct raw_row row;
    struct diag d;
    int fd = mkstemp(path);
    const size_t ncols = sizeof(columns) / sizeof(columns[0]);

    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        unlink(path);
        return 0;
    }
    close(fd);
    memset(&p, 0, sizeof(p));
    p.name = "fuzz";
    p.format = SRC_XML;
    p.path = path;
    p.xml_record = "/Message/Children/Child/CINdetails";
    p.xml_columns = columns;
    p.nxml_columns = ncols;
    p.max_field_bytes = 32;
    if (source_open(&src, &p, &d) == 0) {
        while (source_next(&src, &row, &d) > 0) {
            size_t i, sum = 0;

            if (row.ncells != ncols)
                abort();
            for (i = 0; i < row.ncells; i++) {
                if (row.cells[i].len > 32)
                    abort();
                sum += row.cells[i].len
                           ? (unsigned char)row.cells[i].ptr[row.cells[i].len - 1]
                           : 0;
            }
            (void)sum;
        }
    }
    source_close(&src);
    unlink(path);
    return 0;
}
