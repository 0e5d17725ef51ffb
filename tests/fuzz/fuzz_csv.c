/*
 * fuzz_csv.c - libFuzzer target for the CSV connector: any bytes as an
 * extract (plain, or gzip when they start with its magic) in UTF-8 and in
 * Windows-1252 must give rows, row faults or a source error -- never a
 * crash, a leak or undefined behaviour -- and every row's cells must lie
 * within the row's bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../connectors/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/cohort-fuzz-csv-XXXXXX";
    struct source_plan p;
    struct source src;
    struct raw_row row;
    struct diag d;
    int fd = mkstemp(path), enc;

    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        unlink(path);
        return 0;
    }
    close(fd);
    for (enc = 0; enc < 2; enc++) {
        memset(&p, 0, sizeof(p));
        p.name = "fuzz";
        p.path = path;
        p.encoding = enc ? ENC_WINDOWS_1252 : ENC_UTF8;
        p.delimiter = ',';
        p.quote = '"';
        p.header = 1;
        p.max_field_bytes = 64;
        p.max_columns = 8;
        if (source_open(&src, &p, &d) == 0) {
            while (source_next(&src, &row, &d) > 0) {
                size_t i, sum = 0;

                for (i = 0; i < row.ncells; i++)
                    sum += row.cells[i].len ? (unsigned char)row.cells[i].ptr[row.cells[i].len - 1] : 0;
                (void)sum;
                if (row.ncells > 8)
                    abort();
            }
        }
        source_close(&src);
    }
    unlink(path);
    return 0;
}
