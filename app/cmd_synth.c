/*
 * cmd_synth.c - `cohort synth DIR`: synthetic extracts for all four
 * departments (synth.h says what they hold).
 */
#include "../core/calendar.h"
#include "commands.h"
#include "../core/log.h"
#include "options.h"
#include "../core/strnum.h"
#include "synth.h"

#include <stdio.h>

static const char usage[] =
    "usage: cohort synth DIR [--people N] [--seed S] "
    "[--reference-date YYYY-MM-DD] [--lookup FILE] [--spells N]\n";

static const struct option_spec specs[] = {
    {"people", 'n', OPT_VALUE, "N", "people in the population (default 20000)"},
    {"seed", 's', OPT_VALUE, "S", "random seed (default 1)"},
    {"reference-date", 0, OPT_VALUE, "DATE",
     "spells end by this date (default 2026-10-31)"},
    {"lookup", 0, OPT_VALUE, "FILE",
     "postcode lookup to live in (default config/lookups/postcodes.csv)"},
    {"spells", 0, OPT_VALUE, "N",
     "up to N spells of history a service row (default 1)"},
    {"help", 'h', OPT_FLAG, NULL, "show this help"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct command_syntax syntax = {usage, specs, 1,
                                             "synth needs one directory"};

int
cmd_synth(int argc, char **argv)
{
    const char *vals[6] = {0}, *pos[1];
    struct synth_options o;
    struct synth_counts c;
    struct diag d;
    int64_t v;
    int rc;

    if ((rc = options_prologue(&syntax, argc, argv, vals, pos)) !=
        OPTIONS_CONTINUE)
        return rc;
    diag_clear(&d);
    o.dir = pos[0];
    o.lookup = vals[3] ? vals[3] : "config/lookups/postcodes.csv";
    o.people = 20000;
    o.seed = 1;
    o.reference = days_from_civil(2026, 10, 31);
    o.spells = 1;
    if (vals[0]) {
        if (parse_int64_str(vals[0], 1, 100000000, &v) < 0)
            return usage_error(usage, "--people must be 1 to 100000000");
        o.people = (long)v;
    }
    if (vals[1]) {
        if (parse_int64_str(vals[1], 0, INT64_MAX, &v) < 0)
            return usage_error(usage, "--seed must be a whole number");
        o.seed = (uint64_t)v;
    }
    if (vals[2] && parse_iso_date(vals[2], &o.reference) < 0)
        return usage_error(usage, "--reference-date must be YYYY-MM-DD");
    if (vals[4]) {
        if (parse_int64_str(vals[4], 1, 100, &v) < 0)
            return usage_error(usage, "--spells must be 1 to 100");
        o.spells = (int)v;
    }
    if ((rc = synth_write(&o, &c, &d)) < 0) {
        log_diag(&d);
        return cohort_exit_code(rc);
    }
    printf("synth: %ld people\n", c.people);
    printf("synth: %s/housing.csv: %ld rows\n", o.dir, c.rows[0]);
    printf("synth: %s/children_social_care.csv: %ld rows\n", o.dir, c.rows[1]);
    printf("synth: %s/adult_social_care.csv.gz: %ld rows\n", o.dir, c.rows[2]);
    printf("synth: %s/education.csv: %ld rows\n", o.dir, c.rows[3]);
    printf("synth: %s/ssda903_header.csv: %ld rows\n", o.dir, c.rows[4]);
    printf("synth: %s/ssda903_episodes.csv: %ld rows\n", o.dir, c.rows[5]);
    printf("synth: %s/housing_register.csv: %ld rows\n", o.dir, c.rows[6]);
    printf("synth: %s/benefits.csv, youth_justice.csv, early_help.csv, "
           "police_incidents.csv: %ld, %ld, %ld, %ld rows (the "
           "multiple-needs departments)\n",
           o.dir, c.needs_rows[0], c.needs_rows[1], c.needs_rows[2],
           c.needs_rows[3]);
    printf("synth: %s/truth_SYNTHETIC_IDENTIFIERS.csv: the true person of "
           "every row (synthetic identifiers)\n", o.dir);
    return finish_stdout(0);
}
