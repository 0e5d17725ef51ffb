#include "ptable.h"

#include "../core/strnum.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
ptable_load(struct ptable *pt, const char *path, struct diag *d)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t la = 0, alloc = 0, i;
    long lineno = 0;
    int rc = 0;
    unsigned char *covered = NULL;

    memset(pt, 0, sizeof(*pt));
    if (!f) {
        int e = errno;

        diag_set(d, path, 0, 0, "ptable", "cannot read the ptable: %s",
                 strerror(e));
        return e == ENOMEM ? CE_NOMEM : CE_CONFIG;
    }
    while (getline(&line, &la, f) >= 0) {
        char *fld[4], *p = line;
        int64_t v[4];
        int k;

        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (lineno == 1) {
            if (strcmp(line, "pcv,ckey_lo,ckey_hi,noise")) {
                diag_set(d, path, 1, 0, "ptable",
                         "expected the header pcv,ckey_lo,ckey_hi,noise");
                rc = CE_CONFIG;
                break;
            }
            continue;
        }
        if (!*line)
            continue;
        for (k = 0; k < 4; k++) {
            fld[k] = p;
            p = strchr(p, ',');
            if (p)
                *p++ = '\0';
            else if (k < 3)
                break;
        }
        if (k < 4 || p || parse_int64_str(fld[0], 1, 100000, &v[0]) < 0 ||
            parse_int64_str(fld[1], 0, 255, &v[1]) < 0 ||
            parse_int64_str(fld[2], v[1], 255, &v[2]) < 0 ||
            parse_int64_str(fld[3], -v[0], 100000, &v[3]) < 0) {
            diag_set(d, path, lineno, 0, "ptable",
                     "expected pcv,ckey_lo,ckey_hi,noise with pcv >= 1, "
                     "0 <= ckey_lo <= ckey_hi <= 255, noise >= -pcv");
            rc = CE_CONFIG;
            break;
        }
        if (pt->n == alloc) {
            size_t na = alloc ? alloc * 2 : 256;
            struct ptable_row *r = realloc(pt->rows, na * sizeof(*r));

            if (!r) {
                rc = CE_NOMEM;
                break;
            }
            pt->rows = r;
            alloc = na;
        }
        pt->rows[pt->n].pcv = (int)v[0];
        pt->rows[pt->n].ckey_lo = (int)v[1];
        pt->rows[pt->n].ckey_hi = (int)v[2];
        pt->rows[pt->n].noise = (int)v[3];
        if (v[0] > pt->max_pcv)
            pt->max_pcv = (int)v[0];
        pt->n++;
    }
    /* getline's -1 is the end or an error (out of memory sets no error
     * flag): a ptable cut short must not pass for the whole one */
    if (!rc && !feof(f)) {
        rc = errno == ENOMEM ? CE_NOMEM : CE_IO;
        if (rc == CE_IO)
            diag_set(d, path, lineno + 1, 0, "ptable", "read error");
    }
    free(line);
    fclose(f);
    if (!rc && !pt->n) {
        diag_set(d, path, 1, 0, "ptable", "the ptable has no rows");
        rc = CE_CONFIG;
    }
    /* every pcv from 1 to max must cover each cell key exactly once */
    if (!rc) {
        covered = calloc((size_t)pt->max_pcv * 256, 1);
        if (!covered)
            rc = CE_NOMEM;
        for (i = 0; !rc && i < pt->n; i++) {
            int c;

            for (c = pt->rows[i].ckey_lo; c <= pt->rows[i].ckey_hi; c++)
                covered[(size_t)(pt->rows[i].pcv - 1) * 256 + (size_t)c]++;
        }
        for (i = 0; !rc && i < (size_t)pt->max_pcv * 256; i++)
            if (covered[i] != 1) {
                diag_set(d, path, 0, 0, "ptable",
                         "pcv %zu: cell key %zu is covered %d times (must be "
                         "once)", i / 256 + 1, i % 256, covered[i]);
                rc = CE_CONFIG;
            }
        free(covered);
    }
    if (rc == CE_NOMEM)
        diag_set(d, path, lineno, 0, NULL, "out of memory");
    if (rc)
        ptable_release(pt);
    return rc;
}

int
ptable_noise(const struct ptable *pt, int64_t count, uint32_t ckey)
{
    size_t i;
    int pcv;

    if (count <= 0)
        return 0;
    pcv = count > pt->max_pcv ? pt->max_pcv : (int)count;
    ckey &= 0xFF;
    for (i = 0; i < pt->n; i++)
        if (pt->rows[i].pcv == pcv && (int)ckey >= pt->rows[i].ckey_lo &&
            (int)ckey <= pt->rows[i].ckey_hi)
            return pt->rows[i].noise;
    return 0;
}

void
ptable_release(struct ptable *pt)
{
    free(pt->rows);
    memset(pt, 0, sizeof(*pt));
}
