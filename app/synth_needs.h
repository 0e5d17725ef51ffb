/*
 * synth_needs.h - synthetic extracts of the departments a multiple-needs
 * job adds to the default four (config/needs.conf): revenues and
 * benefits, the youth offending team, early help and police incidents
 * shared under agreement, for the same made-up population synth.h makes,
 * with the truth a test needs to count needs without linking anything.
 *
 * Needs cluster in families: one household in ten carries most of them
 * (each department's chance of a spell is about ten times higher there),
 * early help works with a whole household at once, and incidents are
 * one-day events. The rows are clean (every row carries the person's
 * registered name spelling, date of birth and postcode of the day; every
 * row but a police one their NHS number), so the job links them exactly
 * with nhs_number and forename+surname+dob+postcode and a test can count
 * from the truth what the job must publish. The faults real extracts have
 * are synth.h's business; these files are for counting needs.
 *
 * Deterministic, from its own random stream: the same seed, people and
 * reference date give the same bytes, and the four default extracts are
 * the same bytes with or without these.
 *
 * The extracts (DIR/...), with config/needs.conf's [source] name:
 *   benefits.csv          benefits; CLAIM_REF, NHS_NUMBER, FORENAME,
 *                         SURNAME, DOB, POSTCODE, BENEFIT (HB housing
 *                         benefit, CTS council tax support, OOW out of work,
 *                         the DWP worklessness flag), AWARD_START,
 *                         AWARD_END (empty: current); adults only
 *   youth_justice.csv     youth_justice; YOT_ID, ..., INTERVENTION (YRO
 *                         youth rehabilitation order, YC youth caution,
 *                         OOCD out-of-court disposal), START, END; aged 10
 *                         to 17 when it starts
 *   early_help.csv        early_help; EH_ID (the household's case), ...,
 *                         SERVICE (EHA assessment, TAF team around the
 *                         family), START, END: one row per household member
 *   police_incidents.csv  police_incidents; INCIDENT_REF, FORENAME,
 *                         SURNAME, DOB, POSTCODE, TYPE (DA domestic abuse,
 *                         MISS missing episode, ASB antisocial behaviour),
 *                         INCIDENT_DATE, CLOSED_DATE (the same day); no NHS
 *                         number, as the police hold none
 *   needs_truth_SYNTHETIC_IDENTIFIERS.csv  source,line,person,nhs_number,
 *                         upn,forename,surname,dob,postcode: the true
 *                         person of every row (synth.h's person numbers)
 *                         and the identifiers it carries, as in
 *                         truth_SYNTHETIC_IDENTIFIERS.csv
 *   needs_spells.csv      person,department,service,start,end: every
 *                         spell as the job's departments and services name
 *                         it (end empty: open), no identifier; what a test
 *                         counts needs from
 */
#ifndef COHORT_SYNTH_NEEDS_H
#define COHORT_SYNTH_NEEDS_H

#include <stdint.h>

#include "synth.h"

/* What synth_needs_write() knows of a person of synth.c's population. */
struct synth_needs_person {
    char forename[96];      /* the registered spelling */
    char surname[96];
    const char *nhs;        /* a valid NHS number */
    const char *postcode;   /* the current one, from the lookup */
    int32_t dob;
    uint32_t household;
    uint8_t sex;            /* 0 M, 1 F, 2 U */
};

enum { SYNTH_NEEDS_EXTRACTS = 4 };

/*
 * Writes the four extracts, the truth and the spells into o->dir for
 * people[0..n), whose person numbers are their indexes. rows[i]: the data
 * rows of extract i, in the order above. 0 or CE_IO with d set.
 */
int synth_needs_write(const struct synth_options *o,
                      const struct synth_needs_person *people, long n,
                      long rows[SYNTH_NEEDS_EXTRACTS], struct diag *d);

#endif
