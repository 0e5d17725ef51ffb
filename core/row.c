#include "row.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

const char *
row_fault_name(enum row_fault f)
{
    static const char *const names[RF_COUNT] = {
        "none",           "ragged_row", "field_too_long",
        "too_many_columns", "nul_byte", "invalid_encoding",
        "unterminated_quote"};

    return (unsigned)f < RF_COUNT ? names[f] : "unknown";
}

int
row_header_index(const struct cell *header, size_t n, const char *name)
{
    size_t i, nlen;

    while (*name && isspace((unsigned char)*name))
        name++;
    nlen = strlen(name);
    while (nlen && isspace((unsigned char)name[nlen - 1]))
        nlen--;
    for (i = 0; i < n; i++) {
        const struct cell *c = &header[i];

        if (c->len == nlen && !strncasecmp(c->ptr, name, nlen))
            return (int)i;
    }
    return -1;
}
