/*
 * fuzz_normalise.c - libFuzzer target for the normalisers and validators:
 * names, dates (with a format, and a list of two, taken from the input;
 * the list split as date_format values are), postcodes, sex,
 * ethnicity, NHS number, UPN, ULN, NI number, UPRN. Outputs must be
 * NUL-terminated within their buffers and valid dates real.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/calendar.h"
#include "../../transform/normalise.h"
#include "../../transform/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    char name[96], fmt[16], id[16];
    struct postcode pc;
    int32_t day;
    size_t flen = size < 8 ? size : 8;
    int y, m, d;

    if (normalise_name(s, size, name, sizeof(name)) >= 0 &&
        strlen(name) >= sizeof(name))
        abort();
    memcpy(fmt, s, flen);
    fmt[flen] = '\0';
    if (parse_date(s + flen, size - flen, memchr(fmt, '%', flen) ? fmt : NULL,
                   2026, &day) == DATE_OK) {
        civil_from_days(day, &y, &m, &d);
        if (!date_is_valid(y, m, d) || y < 1900)
            abort();
    }
    {
        /* the first 16 bytes as a date_format list, split as the job
         * file's value is: each format it yields is tried in order */
        char list[17], fmts_buf[17];
        const char *starts[DATE_FORMATS_MAX], *fmts[DATE_FORMATS_MAX];
        size_t lens[DATE_FORMATS_MAX], llen = size < 16 ? size : 16, o = 0;
        int n, i, amb;

        memcpy(list, s, llen);
        list[llen] = '\0';
        n = date_format_split(list, starts, lens, DATE_FORMATS_MAX);
        for (i = 0; i < n; i++) {
            if (date_format_valid(starts[i], lens[i]) == 0)
                amb = 0;
            memcpy(fmts_buf + o, starts[i], lens[i]);
            fmts_buf[o + lens[i]] = '\0';
            fmts[i] = fmts_buf + o;
            o += lens[i] + 1;
        }
        if (n > 0 && parse_date_formats(s + llen, size - llen, fmts,
                                        (size_t)n, 2026, &day, &amb) ==
                         DATE_OK) {
            civil_from_days(day, &y, &m, &d);
            if (!date_is_valid(y, m, d) || y < 1900 || (amb != 0 && amb != 1))
                abort();
        }
    }
    if (normalise_postcode(s, size, &pc) == 0 && strlen(pc.full) > 8)
        abort();
    normalise_sex(s, size);
    normalise_ethnicity(s, size);
    validate_nhs_number(s, size, id);
    validate_upn(s, size, id);
    validate_uln(s, size, id);
    validate_ni_number(s, size, id);
    validate_uprn(s, size, id);
    return 0;
}
