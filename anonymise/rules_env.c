/*
 * rules_env.c - what `cohort rules` finds beside the plan (rules.h): the
 * key file as the file system describes it, and the latest publication's
 * manifest and tables, counted. Nothing here is in the plan hash.
 */
/* statx(2), for the key file's birth time, is a GNU extension */
#define _GNU_SOURCE

#include "rules.h"

#include "../core/strnum.h"
#include "keys.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* Owner and group names of the ids, "" when they have none. */
static void
id_names(struct rules_key_info *k)
{
    struct passwd pw, *pwp = NULL;
    struct group gr, *grp = NULL;
    char buf[4096];

    if (getpwuid_r((uid_t)k->uid, &pw, buf, sizeof(buf), &pwp) == 0 && pwp)
        snprintf(k->owner, sizeof(k->owner), "%s", pw.pw_name);
    if (getgrgid_r((gid_t)k->gid, &gr, buf, sizeof(buf), &grp) == 0 && grp)
        snprintf(k->group, sizeof(k->group), "%s", gr.gr_name);
}

/* The birth time when the file system keeps one; else the last change of
 * the file's contents (keygen writes a key once and never again). */
static void
created_time(const char *path, const struct stat *st, struct rules_key_info *k)
{
#ifdef STATX_BTIME
    struct statx sx;

    if (statx(AT_FDCWD, path, 0, STATX_BTIME, &sx) == 0 &&
        (sx.stx_mask & STATX_BTIME)) {
        k->created = (int64_t)sx.stx_btime.tv_sec;
        k->created_is_birth = 1;
        return;
    }
#else
    (void)path;
#endif
    k->created = (int64_t)st->st_mtime;
    k->created_is_birth = 0;
}

void
rules_inspect_key(const char *path, struct rules_key_info *k)
{
    struct cohort_key key;
    struct diag d;
    struct stat st;

    memset(k, 0, sizeof(*k));
    if (!path || stat(path, &st) < 0) {
        snprintf(k->problem, sizeof(k->problem), "%s",
                 path ? strerror(errno) : "no key_file");
        return;
    }
    k->exists = 1;
    k->uid = (long)st.st_uid;
    k->gid = (long)st.st_gid;
    k->mode = (unsigned)(st.st_mode & 07777);
    id_names(k);
    created_time(path, &st, k);
    diag_clear(&d);
    /* the id is a hash of the key: reading it needs the key, which is
     * wiped again at once and never leaves this function */
    if (key_load(&key, path, &d) == 0)
        memcpy(k->id, key.id, sizeof(k->id));
    else
        snprintf(k->problem, sizeof(k->problem), "%s", d.msg);
    key_release(&key);
}

/* ---- the latest publication ------------------------------------------ */

/* Reads up to cap bytes of path into a NUL-terminated buffer the caller
 * frees; NULL when it cannot be read. */
static char *
read_small(const char *path, size_t cap)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;

    if (!f)
        return NULL;
    buf = malloc(cap + 1);
    if (buf) {
        n = fread(buf, 1, cap, f);
        buf[n] = '\0';
    }
    fclose(f);
    return buf;
}

/* Copies the JSON string value of "key": "..." in text into out (of n),
 * keeping only characters in allowed; "" when absent. */
static void
json_field(const char *text, const char *key, const char *allowed, char *out,
           size_t n)
{
    char pat[64];
    const char *p;
    size_t len;

    out[0] = '\0';
    snprintf(pat, sizeof(pat), "\"%s\": \"", key);
    if (!(p = strstr(text, pat)))
        return;
    p += strlen(pat);
    len = strspn(p, allowed);
    if (p[len] != '"' || len >= n)
        return;
    memcpy(out, p, len);
    out[len] = '\0';
}

/* Splits one CSV line into at most max fields, in place: quotes removed,
 * doubled quotes undone. Returns the number of fields. */
static size_t
csv_split(char *line, char **fields, size_t max)
{
    size_t n = 0;
    char *r = line, *w;

    while (n < max) {
        fields[n++] = w = r;
        if (*r == '"') {
            r++;
            while (*r && !(*r == '"' && r[1] != '"')) {
                if (*r == '"')
                    r++;
                *w++ = *r++;
            }
            if (*r == '"')
                r++;
        } else {
            while (*r && *r != ',' && *r != '\n' && *r != '\r')
                *w++ = *r++;
        }
        if (*r != ',') {
            *w = '\0';
            break;
        }
        r++;
        *w = '\0';
    }
    return n;
}

/* Where the columns a count needs are in the header. */
struct table_layout {
    long period, count;
    long by[COHORT_MAX_BY];
    size_t nby;
};

static int
table_layout(const struct cohort_plan *cp, char **h, size_t nh,
             struct table_layout *lay)
{
    size_t i, j;

    lay->period = lay->count = -1;
    lay->nby = cp->nby;
    for (j = 0; j < cp->nby; j++)
        lay->by[j] = -1;
    for (i = 0; i < nh; i++) {
        if (!strcmp(h[i], "period"))
            lay->period = (long)i;
        else if (!strcmp(h[i], "count"))
            lay->count = (long)i;
        for (j = 0; j < cp->nby; j++)
            if (!strcmp(h[i], cohort_by_name(cp, j)))
                lay->by[j] = (long)i;
    }
    for (j = 0; j < cp->nby; j++)
        if (lay->by[j] < 0)
            return -1;
    return lay->period >= 0 && lay->count >= 0 ? 0 : -1;
}

/* Running sums of one month of a table. */
struct month_sums {
    char period[16];
    int total_seen, total_hidden;
    uint64_t total, interior_shown;
};

static void
month_close(struct month_sums *m, struct rules_table_stats *ts)
{
    if (!m->period[0])
        return;
    ts->months++;
    if (m->total_hidden || !m->total_seen) {
        ts->months_total_hidden += m->total_hidden;
    } else {
        ts->persons += m->total;
        ts->persons_hidden +=
            m->total > m->interior_shown ? m->total - m->interior_shown : 0;
    }
    memset(m, 0, sizeof(*m));
}

/* One data row of a table into ts and the month's sums. */
static void
count_row(const struct table_layout *lay, char **f, size_t nf,
          struct month_sums *m, struct rules_table_stats *ts)
{
    size_t j, totals = 0;
    const char *count;
    int64_t v = 0;
    int hidden, symbol;

    if ((size_t)lay->count >= nf || (size_t)lay->period >= nf)
        return;
    if (strncmp(m->period, f[lay->period], sizeof(m->period) - 1)) {
        month_close(m, ts);
        snprintf(m->period, sizeof(m->period), "%s", f[lay->period]);
    }
    for (j = 0; j < lay->nby; j++)
        totals += (size_t)lay->by[j] < nf && !strcmp(f[lay->by[j]], "Total");
    count = f[lay->count];
    hidden = !strcmp(count, "[c]");
    symbol = count[0] == '[';
    if (!symbol && parse_int64_str(count, 0, INT64_MAX, &v) < 0)
        symbol = 1;
    ts->cells++;
    ts->hidden += hidden;
    ts->symbols_other += symbol && !hidden;
    if (totals == lay->nby) {
        m->total_seen = 1;
        m->total_hidden = symbol;
        m->total = symbol ? 0 : (uint64_t)v;
    }
    if (totals == 0 && lay->nby) {
        ts->interior++;
        ts->interior_hidden += hidden;
        if (!symbol)
            m->interior_shown += (uint64_t)v;
    }
}

/* Counts one published table; ts->found 0 when it is missing or not laid
 * out as the cohort's. CE_NOMEM. */
static int
count_table(const char *dir, const struct cohort_plan *cp,
            struct rules_table_stats *ts)
{
    char path[4096], line[65536], *f[COHORT_MAX_BY + 8];
    struct table_layout lay;
    struct month_sums m;
    gzFile gz = NULL;
    size_t nf;
    int first = 1, ext;

    /* a files output writes NAME.csv, or NAME.csv.gz with gzip = yes */
    for (ext = 0; ext < 2 && !gz; ext++) {
        snprintf(path, sizeof(path), "%s/%s.csv%s", dir, cp->name,
                 ext ? ".gz" : "");
        gz = gzopen(path, "rb");
    }
    if (!gz)
        snprintf(path, sizeof(path), "%s/%s.csv", dir, cp->name);
    if (!(ts->cohort = strdup(cp->name)) ||
        !(ts->file = strdup(strrchr(path, '/') + 1))) {
        if (gz)
            gzclose(gz);
        return CE_NOMEM;
    }
    if (!gz)
        return 0;
    memset(&m, 0, sizeof(m));
    while (gzgets(gz, line, sizeof(line))) {
        nf = csv_split(line, f, sizeof(f) / sizeof(f[0]));
        if (first) {
            first = 0;
            if (table_layout(cp, f, nf, &lay) < 0)
                break;
            ts->found = 1;
            continue;
        }
        count_row(&lay, f, nf, &m, ts);
    }
    month_close(&m, ts);
    gzclose(gz);
    return 0;
}

/* The directory of the latest files publication, or -1 when the job
 * publishes no files. */
static int
latest_dir(const struct job_plan *plan, char *buf, size_t n)
{
    size_t i;
    int files = plan->noutputs == 0;

    for (i = 0; i < plan->noutputs; i++)
        files |= plan->outputs[i].type == OUT_CSV;
    if (!files)
        return -1;
    snprintf(buf, n, "%s/latest", plan->output_dir);
    return 0;
}

int
rules_read_publication(const struct job_plan *plan,
                       struct rules_publication *pub)
{
    char path[4096], *manifest;
    size_t i;
    int rc;

    memset(pub, 0, sizeof(*pub));
    if (latest_dir(plan, pub->where, sizeof(pub->where)) < 0) {
        snprintf(pub->where, sizeof(pub->where), "(no files output)");
        return 0;
    }
    snprintf(path, sizeof(path), "%s/manifest.json", pub->where);
    if (!(manifest = read_small(path, (size_t)16 << 20)))
        return errno == ENOMEM ? CE_NOMEM : 0;
    json_field(manifest, "run_id", "0123456789TZ.-:", pub->run_id,
               sizeof(pub->run_id));
    json_field(manifest, "plan_hash", "0123456789abcdef", pub->plan_hash,
               sizeof(pub->plan_hash));
    free(manifest);
    pub->found = 1;
    pub->tables =
        calloc(plan->ncohorts ? plan->ncohorts : 1, sizeof(*pub->tables));
    if (!pub->tables)
        return CE_NOMEM;
    pub->ntables = plan->ncohorts;
    for (i = 0; i < plan->ncohorts; i++)
        if ((rc = count_table(pub->where, &plan->cohorts[i], &pub->tables[i])) <
            0)
            return rc;
    return 0;
}

void
rules_publication_release(struct rules_publication *pub)
{
    size_t i;

    for (i = 0; i < pub->ntables; i++) {
        free(pub->tables[i].cohort);
        free(pub->tables[i].file);
    }
    free(pub->tables);
    memset(pub, 0, sizeof(*pub));
}
