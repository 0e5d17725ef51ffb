/*
 * plan.h - the job plan: what a job file says, parsed and validated once
 * into plain data that nothing downstream re-reads or re-checks. This
 * header holds the data and nothing that parses it: each stage declares
 * the keys it owns in its own settings table (connectors/source_settings.h,
 * transform/map_settings.h, anonymise/link_settings.h,
 * anonymise/disclosure_settings.h, cohorts/cohort_settings.h,
 * export/output_settings.h, app/job_settings.h), and app/config.h reads
 * the file and composes the plan:
 *
 *     struct job_plan plan;
 *     struct diag d;
 *     if (job_plan_load(&plan, "job.conf", &d) < 0) -> CE_CONFIG, d says
 *         "job.conf", the line and the key;
 *     ... use (const struct job_plan *)&plan ...
 *     job_plan_release(&plan);
 *
 * Every string in the plan is owned by the plan and freed by
 * job_plan_release(). Relative paths are kept as written: they resolve
 * against the working directory of the command.
 */
#ifndef COHORT_PLAN_H
#define COHORT_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "schema.h"

enum source_format { SRC_CSV, SRC_POSTGRES, SRC_XML };

/*
 * One column of an XML source (connectors/xml_source.h): the column NAME
 * the mapping sees, read from the element at path -- or, with several
 * paths joined by '|', from the first of them a record has.
 */
struct xml_column_plan {
    char *name;
    char *path;              /* as written: "ChildIdentifiers/Sex|..." */
    int line;                /* its line in the job file; the section's
                              * when a profile set it */
};

/*
 * What a source's rows are within its id scope (`role`, README "Id scopes").
 * Without id_scope every source is ROLE_RECORDS: each row carries its own
 * identifiers and one spell. With id_scope, a table that maps a person
 * identifier (nhs_number, upn, uln, ni_number, forename, surname, dob) is
 * a header (it defines persons; its rows may or may not carry spells), and
 * one whose only identifier is local_id is an events table (its spells
 * join the person its scope's headers define, or are quarantined as
 * orphan_local_id).
 */
enum source_role { ROLE_RECORDS, ROLE_HEADER, ROLE_EVENTS };

enum text_encoding { ENC_UTF8, ENC_WINDOWS_1252, ENC_LATIN1 };

/* Code lists a source may map with value.<field>.<code> = <canonical>. */
enum value_field { VF_SEX, VF_ETHNICITY, VF_SERVICE, VF_COUNT };

/* Where a code's mapping came from: a later, more specific one replaces
 * an earlier one, so every key set in [source] overrides the profile's. */
enum value_origin {
    VALUE_FROM_PROFILE, /* the profile's code list */
    VALUE_FROM_LIST,    /* value_map.FIELD = FILE.csv or a shipped list */
    VALUE_FROM_KEY      /* value.FIELD.CODE = ... */
};

struct value_map_entry {
    char *code;      /* as it appears in the source, compared trimmed and case-insensitively */
    char *canonical; /* "M", "WHITE", "temporary_accommodation", ... */
    uint8_t origin;  /* enum value_origin */
};

struct value_map {
    struct value_map_entry *entries;
    size_t n;
    char *default_value; /* value.<field>.default; NULL: unmapped is a row fault */
    char *list;          /* value_map.FIELD as written, else the profile's
                          * shipped list's name; NULL: none */
};

#define SOURCE_CODED_MAX 16     /* coded columns per source */
#define CATEGORY_GROUPS_MAX 32  /* groups of one category, UNKNOWN included */

/* One code of a coded column's list: its group, an index into the
 * column's groups. */
struct coded_entry {
    char *code;
    uint8_t group;
};

/*
 * A coded column (code_list.COLUMN = LIST): every code the column holds
 * is checked against LIST; a code not on it is a dropped field, counted
 * per column and code (transform/coded.h). category >= 0: the code's
 * group is also carried by the row's spell as that category, through
 * label[group], the index of the group among the job's labels of the
 * category (job_plan.categories).
 */
struct coded_column {
    char *column;
    char *list;              /* as named: a shipped list or a .csv file */
    int line;                /* its line in the job file; 0: the profile's */
    int optional;            /* a profile's: a file may lack the column */
    int category;            /* enum spell_category, -1: none */
    int category_line;       /* where category.NAME named it; 0: profile */
    struct coded_entry *entries; /* sorted by code, ignoring ASCII case */
    size_t nentries;
    char **groups;           /* the list's values, first use first */
    size_t ngroups;
    uint8_t label[CATEGORY_GROUPS_MAX]; /* group -> job category label */
};

/* One category's labels, as published: [0] is UNKNOWN, then every group
 * of the sources' lists of it, first use first. */
struct category_labels {
    char *label[CATEGORY_GROUPS_MAX];
    size_t n;
};

/*
 * One [source NAME]. Its keys are three stages' settings: the connector's
 * (connectors/source_settings.h: format, path, encoding, ...), the
 * mapping's (transform/map_settings.h: department, field.*, value.*, ...)
 * and the drift guard's (app/job_settings.h: max_row_change).
 */
struct source_plan {
    char *name;              /* [source NAME] */
    int line;                /* line of the section header */
    int department;          /* index into job_plan.departments; -1 until
                              * department_name is resolved at the end */
    char *department_name;   /* `department` as written, or the profile's */
    int department_line;     /* its line; 0: the profile's */
    enum source_format format;
    char *profile;           /* built-in profile name or NULL */
    char *id_scope;          /* or NULL */
    int scope;               /* index into job_plan.scopes; -1 without id_scope */
    enum source_role role;
    int role_set;            /* line of 'role' in the job file; 0: inferred */
    int has_spells;          /* 0: a header of persons only (no service, no dates) */
    /* 1: the source maps field.household_id and no identifier (an
     * H-CLIC main or TA table): its rows are spells of the household
     * itself, never a person's (README "Households") */
    int household_events;

    /* csv */
    char *path;              /* a glob; matches read in sorted order */
    enum text_encoding encoding;
    char delimiter;          /* default ',' */
    char quote;              /* default '"' */
    int header;              /* 1 (required) by default */
    size_t max_field_bytes;
    size_t max_columns;

    /* postgres */
    char *conninfo;
    char *query;
    char *table;
    long statement_timeout_ms;

    /* xml (path above is the glob): the repeating element each row is
     * read from, and the columns read around it */
    char *xml_record;
    int xml_record_line;     /* 0: from the profile */
    struct xml_column_plan *xml_columns;
    size_t nxml_columns;

    /* mapping */
    /* date_format: one or more strptime-style formats, comma-separated,
     * tried in order (ISO and yyyymmdd after them); NULL: ISO and
     * yyyymmdd only. field_date_format[f]: date_format.FIELD for dob,
     * start_date and end_date, NULL: date_format. */
    char *date_format;
    int date_format_line;    /* its line in the job file; 0: not set there */
    char *field_date_format[CF_COUNT];
    /* Source column per common field, NULL if unmapped. column_line[f]:
     * where it was set (the section's line when the profile set it); a
     * line with a NULL column is `field.X =` in the job file: unmapped on
     * purpose, whatever the profile says. */
    char *column[CF_COUNT];
    int column_line[CF_COUNT];
    /* 1: a profile's optional column, which a file may lack (the field is
     * then not read; `cohort check` says so) */
    uint8_t column_optional[CF_COUNT];
    struct value_map values[VF_COUNT];
    /* A fixed service for sources that record one service only
     * (service = looked_after) instead of a column; NULL otherwise.
     * service_line: the line of `service` in the job file (0: not set
     * there; `service =` empty drops the profile's). */
    char *fixed_service;
    int service_line;

    uint32_t max_reject_ppm; /* max_reject_rate */
    uint32_t max_drop_ppm;   /* max_drop_rate: per field, of rows in */
    /* max_drop_rate.FIELD, where field_drop_set[f]: that field's own */
    uint32_t field_drop_ppm[CF_COUNT];
    uint8_t field_drop_set[CF_COUNT];
    /* return_year_end: each file of the glob is one return of a yearly
     * collection ending on this day, month * 100 + day (331: 31 March);
     * 0: the files are one extract (anonymise/returns.h).
     * return_year_end_line: where the job file set it (0: not set there,
     * the profile's applies) */
    int return_year_end;
    int return_year_end_line;
    /* period_column: the column saying whether a spell starts a period
     * (SSDA903's RNE), NULL: the dates decide; period_start_codes: its
     * codes that start one, comma-separated (S), every other continues.
     * *_line: where the job file set them (0: the profile's apply) */
    char *period_column;
    int period_column_line;
    char *period_start_codes;
    int period_start_codes_line;
    int may_be_empty;        /* 1: a header with no rows is a normal night */
    int postcode_any;        /* postcode_country = any: a postcode that is
                                not a UK one kept as a token for linkage */
    int32_t min_dob;         /* min_dob here (a day number), when */
    int min_dob_line;        /* not 0: else [linkage]'s */
    uint32_t max_row_change_ppm; /* drift guard against the last good run */
    /* coded columns: the profile's, then code_list.COLUMN keys */
    struct coded_column coded[SOURCE_CODED_MAX];
    size_t ncoded;
    /* category.NAME's line per enum spell_category (0: the profile's) */
    int category_line[CAT_COUNT];
};

/*
 * Components a match key is built from. The first CF_* values of
 * enum common_field are usable as they are; the derived ones follow.
 */
enum key_component {
    KC_FIELD_BASE = 0,                 /* KC_FIELD_BASE + enum common_field */
    KC_INITIAL = CF_COUNT,             /* first letter of the forename */
    KC_SECTOR,                         /* postcode sector "EC1V 9" */
    KC_DISTRICT,                       /* postcode district "EC1V" */
    KC_DOB_YEAR,
    KC_FORENAME_ROOT,                  /* nickname-normalised forename */
    KC_DOB_UNORDERED,                  /* dob with day and month sorted */
    KC_SURNAME_PHONETIC,               /* Soundex of the surname */
    KC_COUNT
};

#define MATCH_KEY_MAX_COMPONENTS 8

struct match_key_plan {
    char *text;              /* as written: "forename+surname+dob+postcode" */
    size_t ncomponents;
    uint8_t components[MATCH_KEY_MAX_COMPONENTS]; /* enum key_component */
};

struct linkage_plan {
    struct match_key_plan *keys; /* strictest first */
    size_t nkeys;
    int line;
    /* the probabilistic stage after the keys (anonymise/match.h) */
    int probabilistic;       /* probabilistic = yes|no */
    double match_threshold;  /* match probability to accept a pair */
    int block_cap;           /* records per block */
    int max_cluster;         /* deterministic persons per cluster */
    int dice[3];             /* Dice bands in percent, descending */
    int32_t min_dob;         /* the earliest date of birth kept (a day
                                number; min_dob = 1900-01-01) */
    int min_dob_set;         /* 0: a plan not read from a job file, whose
                                min_dob is 1900-01-01 */
};

struct age_band {
    int lo;                  /* inclusive, years */
    int hi;                  /* inclusive; -1 when open ("65+") */
};

enum perturbation { PERTURB_NONE, PERTURB_CELLKEY };

/* What secondary suppression minimises: the hidden cells' total count
 * (tau-ARGUS's default), their number, or the sum of log(1 + count). */
enum suppression_cost { COST_VALUE, COST_CELLS, COST_LOG_VALUE };

struct disclosure_plan {
    char *preset;            /* "nhs", "ons" or NULL for custom */
    int suppress_lo;         /* counts in [lo, hi] are suppressed ... */
    int suppress_hi;
    int rounding;            /* published counts rounded to a multiple; 1 = none */
    int protect_zeros;       /* 1: zero cells are treated as sensitive too */
    int protection_level;    /* width an attacker's range must reach; default suppress_hi */
    /*
     * tau-ARGUS's protection interval instead of the width: a hidden
     * primary cell x needs an attacker range reaching x - lower and
     * x + upper. 0 for both: the width rule above. With *_pct the level
     * is that percentage of x (rounded up); lower never exceeds x.
     */
    int protection_lower, protection_upper;
    int protection_lower_pct, protection_upper_pct;
    enum suppression_cost suppression_cost;
    enum perturbation perturbation;
    char *ptable;            /* path, with perturbation = cellkey */
};

/* "csv", "postgres" or "xml": a source format as the job file spells it. */
const char *source_format_name(enum source_format f);

/*
 * The index of s's XML column called name (compared ignoring ASCII case,
 * as header names are), or -1.
 */
int source_plan_xml_column(const struct source_plan *s, const char *name);

/*
 * Sets s's XML column name to path (copies of both), read from line:
 * a column of that name already there is replaced, else one is added at
 * the end. 0 or CE_NOMEM (s unchanged).
 */
int source_plan_set_xml_column(struct source_plan *s, const char *name,
                               const char *path, int line);

/* Frees the strings dp owns and zeroes it. */
void disclosure_plan_release(struct disclosure_plan *dp);

/* What a cohort table may be broken down by. BY_SERVICE is a service
 * flag (`by = housing.temporary_accommodation`): a yes/no column saying
 * whether the person had a spell of that service overlapping the month,
 * exactly as the same term in `where`. */
enum by_column {
    BY_AGE_BAND,
    BY_SEX,
    BY_ETHNICITY,
    BY_WARD,
    BY_LSOA,
    BY_DISTRICT,
    BY_SERVICE,
    /* Columns of the tables the job derives for forecasting (app/
     * job_tables.h), never written in a `by`: a person's completed months
     * in the cohort, the service before and after a month's change, the
     * combination of departments that know them and how many do. */
    BY_MONTHS_IN_COHORT,
    BY_FROM_SERVICE,
    BY_TO_SERVICE,
    BY_DEPARTMENTS,
    BY_DEPARTMENTS_KNOWN,
    /* A household cohort's composition in the month (README
     * "Households"): members by size band, children (under 18) and
     * type (single adult, couple, lone parent, ...). */
    BY_HOUSEHOLD_SIZE,
    BY_CHILDREN,
    BY_HOUSEHOLD_TYPE,
    /* A spell category (enum spell_category, in its order): the group of
     * the person's latest spell of the month that carries one */
    BY_PLACEMENT_TYPE,
    BY_LEGAL_STATUS,
    BY_CATEGORY_OF_NEED,
    BY_LINKED, /* "linked_departments": 1, or 2 or more, ever */
    BY_COUNT
};

/* 1 when b is a household's composition column (household_size,
 * children, household_type), which only unit = households has. */
#define BY_IS_COMPOSITION(b)                                                 \
    ((b) >= BY_HOUSEHOLD_SIZE && (b) <= BY_HOUSEHOLD_TYPE)

/* Name of a fixed by column ("age_band"); "service" for BY_SERVICE, whose
 * published column name is the cohort's by_name (cohort_by_name()). */
const char *by_column_name(enum by_column b);

/* The spell category of by column b, or -1 when b is not one. */
int by_column_category(enum by_column b);

/* persons: in the cohort that month; new: and not the month before;
 * ended: and not the month after (their last month in it). Over any
 * series, persons(t) - ended(t) = persons(t-1) - ended(t-1) + new(t) -
 * ended(t): the month-end stock moves by the month's flows. at_end: in
 * the cohort on the period's last day (a snapshot, as the statutory
 * "looked after at 31 March" is); a spell ending on that day still
 * counts. */
enum measure { MEASURE_PERSONS, MEASURE_NEW, MEASURE_ENDED, MEASURE_AT_END };

/* "persons", "new", "ended", "at_end": the job file's word for m. */
const char *measure_name(enum measure m);

/* What a cohort counts: persons, or households whose members satisfy
 * its where (README "Households"). */
enum cohort_unit { UNIT_PERSONS, UNIT_HOUSEHOLDS };

#define COHORT_MAX_BY 6

struct cohort_plan {
    char *name;
    char *title;
    char *where;             /* the expression text */
    int where_line;
    size_t nby;
    uint8_t by[COHORT_MAX_BY]; /* enum by_column */
    /* BY_SERVICE entries only (-1 / NULL otherwise): the index into
     * plan->services, and the published column name, the term with its
     * dot made '_' ("housing_temporary_accommodation") so it is a plain
     * SQL name. */
    int by_service[COHORT_MAX_BY];
    char *by_name[COHORT_MAX_BY];
    int by_line;
    enum measure measure;
    enum cohort_unit unit;
    int forecast;            /* publish flows, durations and a projection */
    int line;
};

/* The published name of by column j of cohort k. */
const char *cohort_by_name(const struct cohort_plan *k, size_t j);

enum output_type { OUT_CSV, OUT_POSTGRES };

struct output_plan {
    char *name;
    enum output_type type;
    int gzip;
    int retain;              /* keep the last N runs; 0 = keep all */
    char *dir;               /* csv: where runs/ and latest are; default output_dir */
    char *conninfo;
    char *schema;
    char *grant_to;
    int lock_timeout;        /* postgres: seconds to wait for a lock; 0 = forever */
    int line;
};

/*
 * One [transition NAME]: persons in cohort `from` in month t-1 and in
 * cohort `to` in month t, by the table's own `by`. The table's name,
 * title and by columns are a cohort_plan's (so it is published as a
 * cohort table is); its where and measure are unused.
 */
struct transition_plan {
    struct cohort_plan table; /* first: the [transition] keys title and by
                               * are applied to it */
    char *from;               /* cohort names as written */
    char *to;
    int from_line, to_line;
    int from_cohort;          /* index into job_plan.cohorts */
    int to_cohort;
};

/* The standard tables a job may publish (`standard_tables` in [job]). */
enum standard_table {
    STD_SERVICE_TRANSITIONS = 1u << 0, /* service_transitions_DEPARTMENT */
    STD_OVERLAP = 1u << 1,             /* overlap and overlap_count */
    STD_LINKAGE = 1u << 2              /* linkage_by_ethnicity, _sex,
                                        * _age_band (cohorts/linkgroup.h) */
};

/* A canonical service of a department, collected from every source's map
 * (and, for a department that declares its services, from that list). */
struct service_def {
    uint8_t department;      /* index into job_plan.departments */
    char *name;              /* "temporary_accommodation" */
};

/* A service a [department] section declares: `services = a, b` names it,
 * `service.NAME = TEXT` describes it for the report and `cohort rules`. */
struct department_service {
    char *name;
    char *description;       /* or NULL */
    int line;                /* of its service.NAME key; 0: none */
    int listed;              /* 1: `services` names it */
};

/*
 * One department: one of the compiled-in default set (housing,
 * children_social_care, adult_social_care, education; line 0 unless the
 * job redeclares it) or a job's [department NAME]. A department that
 * declares `services` carries those only: a source, value map, where or
 * by naming another is a config error. One that does not (the defaults)
 * carries whatever its sources map.
 */
struct department_plan {
    char *name;              /* "youth_justice" */
    char *title;             /* "youth justice": the report's and rules' words */
    struct department_service *services;
    size_t nservices;
    int services_line;       /* line of `services`; 0: open */
    int line;                /* [department NAME]; 0: a default */
};

/*
 * One [need NAME]: a named condition group, `need.NAME` in a where and
 * `need.*` (every group, in file order) inside count().
 */
struct need_plan {
    char *name;
    char *title;             /* default: the name */
    char *where;             /* the condition, in the where language */
    int where_line;
    int line;
};

struct job_plan {
    char *config_path;
    char *name;
    int32_t reference_date;  /* day number; "today" resolved at load */
    int reference_is_today;
    int periods;             /* monthly periods ending at reference_date */
    /* 1: the month holding reference_date is published (flagged
     * complete = no when reference_date is not its last day); 0: the
     * periods end with the last complete month (job_plan_period_end()) */
    int include_partial;
    unsigned standard_tables; /* enum standard_table bits */
    char *denominators;      /* population CSV for rate_per_10000, or NULL */
    char *key_file;
    char *output_dir;
    char *lookup;            /* postcode -> ward, lsoa, district CSV */
    char *nicknames;         /* nickname table for forename_root, or NULL: built-in */
    char *name_variants;     /* spelling and language variants for forename_root, or NULL */

    struct age_band *age_bands;
    size_t nage_bands;

    struct source_plan *sources;
    size_t nsources;

    struct service_def *services; /* every canonical service, index = record.service */
    size_t nservices;

    /* the default set first, then the job's own; at most DEPT_MAX. A
     * plan built by hand with none has the default set (the accessors
     * below say so) */
    struct department_plan *departments;
    size_t ndepartments;

    struct need_plan *needs;
    size_t nneeds;

    char **scopes;           /* every id_scope named by a source, first use first */
    size_t nscopes;

    struct linkage_plan linkage;
    struct disclosure_plan disclosure;

    struct cohort_plan *cohorts;
    size_t ncohorts;

    struct transition_plan *transitions;
    size_t ntransitions;

    struct output_plan *outputs;
    size_t noutputs;

    /* the labels of each spell category (struct category_labels) */
    struct category_labels categories[CAT_COUNT];
};

/* Frees everything the plan owns and zeroes it. */
void job_plan_release(struct job_plan *plan);

/*
 * The last day of the last published period: reference_date with
 * include_partial, or when it is the last day of its month; else the last
 * day of the month before (the month holding reference_date is not
 * complete, so it is left out).
 */
int32_t job_plan_period_end(const struct job_plan *plan);

/* 1 when the last published period is a month not yet complete: it ends
 * on a reference_date that is not the last day of its month. */
int job_plan_last_period_partial(const struct job_plan *plan);

/* Index of service name in department, or -1. */
int job_plan_service_index(const struct job_plan *plan, int department,
                           const char *name);

/* The number of departments: plan->ndepartments, or the default set's
 * when the plan has none. */
size_t job_plan_ndepartments(const struct job_plan *plan);

/* Department d's name ("children_social_care"), or "?" out of range. */
const char *job_plan_department_name(const struct job_plan *plan, int d);

/* Department d's title ("children's social care"), or "?". */
const char *job_plan_department_title(const struct job_plan *plan, int d);

/* Index of the department called name, or -1. */
int job_plan_department_lookup(const struct job_plan *plan, const char *name);

/* The declared names, comma-separated, into buf (for messages). */
void job_plan_department_names(const struct job_plan *plan, char *buf,
                               size_t n);

/* The description a department declares for service (an index into
 * plan->services), or NULL. */
const char *job_plan_service_description(const struct job_plan *plan,
                                         int service);

/* Index of need group name, or -1. */
int job_plan_need_lookup(const struct job_plan *plan, const char *name);

/*
 * Appends the default departments to plan (which has none yet). 0, or
 * CE_NOMEM. Their strings are the plan's, freed by job_plan_release().
 */
int job_plan_add_default_departments(struct job_plan *plan);


#endif
