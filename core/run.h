/*
 * run.h - what one run produced, as export/ sees it: counts, statistics and
 * protected tables. Nothing here can hold an identifier: sources are named
 * by their config name, reasons by their rule name, tables by cohort name.
 *
 * app/job.c fills a struct run_summary while the job runs; export/
 * publishers read it (const) to write the tables, quality.csv,
 * linkage.csv, manifest.json and report.html. Strings and arrays are owned
 * by the summary; run_summary_release() frees them.
 */
#ifndef COHORT_RUN_H
#define COHORT_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "plan.h"
#include "projected.h"
#include "published.h"

struct reason_count {
    const char *reason;  /* a rule name, static storage: "ragged_row", "invalid_nhs_number" */
    uint64_t n;
};

struct unmapped_count {
    char *label;         /* "service=TA2" */
    uint64_t n;
};

/* One quarantined row: where it is and the rule -- never what it held. */
struct rejected_at {
    const char *reason;  /* static rule name */
    uint32_t file;       /* index into the source summary's files */
    long line;
    long column;         /* 0: the row as a whole */
};

/*
 * One input file of a source, named by its position (its index + 1 in the
 * source's files: its place in the sorted glob) and its hash -- no path,
 * which may be a person's name (connectors/source.h).
 */
struct input_file {
    uint64_t size;
    uint64_t rows;         /* data rows read from it */
    char blake2b_hex[65];  /* BLAKE2b-256 of its bytes as stored; "" if not read to the end */
};

struct source_summary {
    const struct source_plan *plan;
    uint64_t rows_in;
    uint64_t rows_accepted;
    uint64_t rows_quarantined;
    struct reason_count *quarantined; /* by reason; sum == rows_quarantined */
    size_t nquarantined;
    struct reason_count *notes;       /* kept rows with a dropped field: "invalid_nhs_number" ... */
    size_t nnotes;
    /* unmapped_value rows per field and code: "service=TA2" for a plain
     * code enough distinct persons carry, and "service=(rare)",
     * "sex=(empty)", "ethnicity=(not shown)" for plain codes carried by
     * too few persons, empty cells and values that were not plain codes
     * or had an identifier's shape; "(code)" for plain codes before
     * linkage counted their persons (transform/quarantine.h); owned */
    struct unmapped_count *unmapped;
    size_t nunmapped;
    /* the first QUARANTINE_MAX_LISTED quarantined rows, in read order */
    struct rejected_at *rejected;
    size_t nrejected;
    struct input_file *files;
    size_t nfiles;
    /* a source of yearly returns (return_year_end; anonymise/returns.h):
     * its returns, and the records each reconciling rule touched --
     * duplicate, replaced, superseded, closed; all 0 for an extract */
    uint64_t returns[5];
    uint64_t bytes;                   /* input bytes (uncompressed) */
    double seconds;
};

struct key_summary {
    const char *key_text;   /* borrowed from the plan */
    uint64_t records_with_key;
    uint64_t links;         /* unions made */
    uint64_t conflicts;     /* unions refused by the over-linkage guard */
};

/* One id scope (anonymise/scope.h): tables joined by a system's own id. */
struct scope_summary {
    const char *name;         /* borrowed from the plan */
    uint64_t ids;             /* distinct ids its headers list */
    uint64_t header_rows;
    uint64_t events_joined;   /* events rows that found their header */
    uint64_t events_orphaned; /* quarantined as orphan_local_id */
    uint64_t nhs_conflicts;   /* ids with two NHS numbers: kept apart */
    uint64_t dob_conflicts;   /* ids with two dates of birth: one person */
};

/*
 * The probabilistic stage of linkage (anonymise/prob_link.h), as the
 * outputs show it; all zero when the plan has none. Counts of pairs and
 * links are published through the tables' rule (published_counts.h), like
 * the keys' links; records and fields are exact.
 */
struct prob_summary {
    int ran;                   /* 1: the stage ran */
    double threshold;          /* the match probability a pair needed */
    char key_text[64];         /* its name in the linkage table:
                                  "probabilistic match probability >= T" */
    uint64_t records;          /* comparison records the matcher compared */
    uint64_t pairs_compared;
    uint64_t pairs_accepted;   /* over the threshold, and let by the guard */
    uint64_t refused_guard;    /* over the threshold, refused by the
                                  disagreement guard (names, dob) */
    uint64_t refused_strong_id; /* unions refused: two NHS numbers or UPNs */
    uint64_t refused_other;    /* unions refused: the cluster bound, or two
                                  records the guard refuses in one */
    uint64_t links;            /* unions made: persons of the keys joined */
    uint64_t blocks_over_cap;  /* blocks not compared, all rules */
    uint64_t pairs_over_cap;   /* their pairs */
    unsigned em_defaulted;     /* fields EM did not train: defaults used */
    /* person assembly inside id scopes (anonymise/scope_assembly.h): ids
     * with a comparison record, their records, the records that gained a
     * part from their id, and the ids that lent no anchor (two NHS
     * numbers or UPNs); the ids published as a scope's ids are
     * (published_counts.h), the records exact */
    uint64_t assembled_ids;
    uint64_t assembled_records;
    uint64_t assembled_completed;
    uint64_t assembled_conflicts;
};

struct department_summary {
    uint64_t records;
    uint64_t persons;
};

struct cohort_result {
    const struct cohort_plan *plan;
    struct published_table table; /* what disclosure control let out; owned */
    uint64_t cells;           /* published cells (all periods, margins included) */
    uint64_t suppressed;      /* primary */
    uint64_t secondary;
    uint64_t rounded;
    uint64_t perturbed;
    uint64_t structural;      /* [z]: impossible by the cohort's definition */
    char *where_text_plain;   /* plain-English description of where */
    /* per published cell (table order), the published count per 10 000
     * of the population of its coordinates (forecast/rates.h), NAN when
     * hidden or without a population; NULL when the table has no rates;
     * owned */
    double *rate_per_10000;
};

/* The population table rates were computed against (manifest). */
struct denominators_summary {
    int present;
    char blake2b_hex[65];     /* of the file's bytes */
    uint64_t rows;
    int year_first, year_last; /* the vintage: the years it covers */
};

/* How far a run's publication got (export/publish.h). */
enum publication_state {
    PUBLICATION_NONE,    /* nothing published; the previous one stays */
    PUBLICATION_DONE,    /* every output has the run */
    PUBLICATION_PENDING, /* committed (or maybe committed) to the database,
                          * the files not yet switched: the next run
                          * finishes or reverses them */
};

struct run_summary {
    char run_id[32];          /* "20261031T020000Z" style, unique per run */
    int64_t started;          /* unix seconds */
    int64_t finished;
    const char *version;
    char plan_hash[65];       /* hex BLAKE2b-256 of the canonical plan */
    char key_id[17];
    const struct job_plan *plan;

    struct source_summary *sources; /* plan->nsources */
    size_t nsources;

    struct key_summary *keys;       /* plan->linkage.nkeys */
    size_t nkeys;
    struct scope_summary *scopes;   /* plan->nscopes */
    size_t nscopes;
    uint64_t scope_links;           /* unions made by scoped ids, all scopes */
    uint64_t scope_refused;         /* of those, refused by the guard */
    struct prob_summary prob;       /* the probabilistic stage */
    struct department_summary departments[DEPT_MAX]; /* per plan department */
    uint64_t persons;
    uint64_t unknown_postcodes;

    /* every published count table: the plan's cohorts first, then the
     * tables derived for forecasting (flows.h), each with a plan */
    struct cohort_result *cohorts;
    size_t ncohorts;
    /* the plans of the derived tables, which the job plan does not hold
     * (their name, title, where in words, by columns); owned */
    struct cohort_plan *table_plans;
    size_t ntable_plans;
    struct projection *projections; /* one per forecast cohort; owned */
    size_t nprojections;
    struct denominators_summary denominators;

    char *rules_text;         /* the IG rules as `cohort rules` prints them */
    int publication;          /* enum publication_state */
    /* wall-clock seconds per stage: read+map+pseudonymise, link,
     * generalise, count, protect, publish */
    double seconds_read, seconds_link, seconds_generalise, seconds_count,
        seconds_protect, seconds_publish;
    /* the derived tables (counted and protected), rates and projections */
    double seconds_forecast;
    /* CPU seconds of the process (every thread) per stage: read, link,
     * generalise, the tables (count, protect, forecast), publish -- what
     * a benchmark on a shared machine can trust */
    double cpu_read, cpu_link, cpu_generalise, cpu_tables, cpu_publish;
};

/* Frees what one source's summary owns and zeroes it (a source the job
 * read but would not have reached: app/job_read.c). */
void source_summary_release(struct source_summary *src);

/* Frees what the summary owns (tables included) and zeroes it. */
void run_summary_release(struct run_summary *s);

#endif
