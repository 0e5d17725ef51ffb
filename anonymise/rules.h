/*
 * rules.h - the pack an information-governance reviewer signs off, drawn
 * from the job plan in plain words, rendered as text, JSON or HTML from
 * one document (rules_doc.h), section by section:
 *   - the job, and the plan hash: what it covers, the files it hashes and
 *     how to recompute it;
 *   - the key file: id, path, owner, group, mode, creation time (never
 *     the key);
 *   - retention: what each output keeps and deletes, and when;
 *   - per source every column of its header in order with its fate
 *     (mapped to a field, and how; or parsed with the row and discarded),
 *     id scopes, the match keys in order, generalisation;
 *   - disclosure control: the rules, zero cells, the symbols, what a
 *     reader can and cannot learn, and the differencing risk that remains;
 *   - cohort definitions and outputs;
 *   - per table of the latest publication, the share of cells and of
 *     persons hidden (the information lost), or that there is none.
 * The JSON is the tree itself, every field typed; docs/rules.schema.json
 * documents it and tests/cli/rules.sh validates against it.
 *
 * The plan hash is BLAKE2b-256 (unkeyed, 32 bytes: `b2sum -l 256`) of the
 * canonical form (rules_canonical): every setting of the plan in a fixed
 * order, value maps included, each file the plan reads besides the
 * extracts (the postcode lookup, the nickname and name-variant tables,
 * the ptable) by its
 * BLAKE2b-256, and the program's version. What `cohort rules` finds
 * outside the plan -- the key file, the extracts' headers, the latest
 * publication -- is shown but not hashed: a run's manifest records the
 * key id and the extracts' hashes beside the plan hash.
 *
 *     struct rules_inputs in = {where_plain, COHORT_VERSION};
 *     in.key = &key_info; ...                    (optional, NULL: not shown)
 *     if (rules_render(plan, &in, RULES_TEXT, &sb, &d) < 0 ||
 *         rules_plan_hash(plan, &in, hash, &d) < 0)
 *         ... d says why (a lookup that cannot be read, out of memory) ...
 *
 * where_plain[i] is the plain-English rendering of cohort i's `where`
 * (from cohorts/where.h, which this stage may not include); it may be NULL.
 */
#ifndef COHORT_RULES_H
#define COHORT_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "../core/error.h"
#include "../core/plan.h"
#include "../core/strbuf.h"

enum rules_format { RULES_TEXT, RULES_JSON, RULES_HTML, RULES_CANONICAL };

/* The key file as the file system describes it (rules_inspect_key). */
struct rules_key_info {
    int exists;
    long uid, gid;
    char owner[64], group[64];   /* "" when the ids have no name */
    unsigned mode;               /* permission bits */
    int64_t created;             /* unix seconds */
    int created_is_birth;        /* 0: the file system keeps no birth
                                  * time; created is its last change */
    char id[17];                 /* "" when the key could not be read */
    char problem[512];           /* why it cannot be used, or "" */
};

/* One source's header as the connector read it (app/cmd_rules.c). */
struct rules_source_columns {
    int read;                    /* 0: not read, error says why */
    char **names;                /* ncolumns; NULL for a name not shown:
                                  * not plain (source_column_name_plain),
                                  * an identifier's shape, or any unmapped
                                  * name of a suspect header */
    int suspect;                 /* a mapped column is missing: the "header"
                                  * may be a data row */
    uint32_t *fields;            /* ncolumns; bit f: common field f is
                                  * mapped to this column */
    size_t ncolumns;
    char error[512];
};

/* One published table's cells, counted from its CSV. */
struct rules_table_stats {
    char *cohort;
    char *file;                  /* "NAME.csv" as published */
    int found;
    uint64_t cells, hidden;      /* every row, margins and totals included */
    uint64_t symbols_other;      /* cells with a symbol other than [c] */
    uint64_t interior, interior_hidden; /* rows with no Total */
    uint64_t months, months_total_hidden;
    uint64_t persons, persons_hidden; /* over months whose total is shown:
                                       * the total, and the total less the
                                       * shown interior cells (>= 0) */
};

/* The latest publication under the plan's output_dir (rules_read_publication). */
struct rules_publication {
    int found;                   /* a manifest was read */
    char where[512];             /* what was looked at: "demo/out/latest" */
    char run_id[40];
    char plan_hash[65];
    struct rules_table_stats *tables; /* plan->ncohorts */
    size_t ntables;
};

struct rules_inputs {
    char *const *where_plain;    /* per cohort, or NULL */
    const char *version;         /* the program's, hashed */
    const struct rules_key_info *key;           /* NULL: not looked at */
    const struct rules_source_columns *columns; /* plan->nsources, or NULL */
    const struct rules_publication *pub;        /* NULL: not looked at */
};

/* Appends the rules document to sb in the given format (RULES_CANONICAL:
 * the canonical form the plan hash is taken of). 0; CE_NOMEM; or
 * CE_CONFIG when a file the plan hash covers cannot be read (d says
 * which). On error sb holds no complete document and must not be shown. */
int rules_render(const struct job_plan *plan, const struct rules_inputs *in,
                 enum rules_format format, struct strbuf *sb, struct diag *d);

/* Writes the 64-hex-digit plan hash and a NUL into hash. 0, CE_NOMEM or
 * CE_CONFIG (as rules_render). */
int rules_plan_hash(const struct job_plan *plan, const struct rules_inputs *in,
                    char hash[65], struct diag *d);

/* Describes the key file at path without keeping the key: stat(2) for
 * owner, group, mode and times, and key_load() for its id (the key is
 * wiped at once). Never fails: what cannot be known is in k->problem. */
void rules_inspect_key(const char *path, struct rules_key_info *k);

/*
 * Reads the latest publication of the plan's files output, if any: its
 * manifest (run id, plan hash) and each cohort's table, counted. 0 with
 * pub->found 0 when there is none; CE_NOMEM. Free with
 * rules_publication_release().
 */
int rules_read_publication(const struct job_plan *plan,
                           struct rules_publication *pub);

void rules_publication_release(struct rules_publication *pub);

#endif
