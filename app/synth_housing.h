/*
 * synth_housing.h - the synthetic housing register of whole households,
 * written beside the other extracts by `cohort synth` (synth.h), with the
 * truth of every household's membership.
 *
 * A council's housing register lists cases, one row per household
 * member: the case reference, whether the member is the lead applicant,
 * their identifiers, the case's tenure and the member's dates on it. Of
 * synth's households (people living together: two adults, then
 * children), about 15 in 100 have a case in the three years before the
 * reference date: temporary accommodation (TA, 40 %), homelessness
 * prevention (HP, 27 %) or a social tenancy (SH, 33 %), from a start day
 * to an end day (open in 4 of 10). Members are on the case over its
 * dates, except that
 *   - a child born during the case joins it at birth (and one born after
 *     it is not on it);
 *   - in 12 % of cases of two or more members the second adult leaves
 *     part-way (their row ends), and half of those start a case of their
 *     own, as its lead, the day after: a person in two households over
 *     time;
 *   - in 10 % of the others the lead leaves part-way and the second adult
 *     becomes the lead: their row as a member ends the day before, and a
 *     row as the lead starts that day (a lead change);
 *   - in 10 % of cases of three or more the last child joins part-way.
 * The register's own identifiers are the people's as registered (NHS
 * number -- none for the one person in fifty who has none anywhere but
 * education --, names, date of birth, current postcode): faults are what
 * housing.csv exercises, this file is the household structure.
 *
 * Files, in the synth directory:
 *   housing_register.csv   the demo job's [source register]: UTF-8, LF,
 *       Case Reference,Lead Applicant,Forename,Surname,Date of Birth,Sex,
 *       NHS Number,Postcode,Tenure,Start Date,End Date
 *       (dates dd/mm/yyyy; Lead Applicant Y or N; End Date empty: open)
 *   truth_households_SYNTHETIC_IDENTIFIERS.csv  one line per register
 *       row: case,person,lead,tenure,start,end,dob (ISO dates; end empty
 *       when open; person as the main truth file numbers them; dob the
 *       person's true date of birth, an identifier, so the file is named
 *       like the main truth). tests/cli/households.sh computes every
 *       household count from it.
 * Each register row also gets its line in the main truth file (source
 * `register`), so the suite's privacy scan looks for its identifiers.
 *
 * Every TA case (the leaver's own included) is also a case of the
 * H-CLIC-shaped return (README "H-CLIC"), reference HC + the register
 * case's number, read by the profiles hclic_people, hclic_main, hclic_ta
 * (UTF-8, LF, ISO dates, an end empty when open or past the reference
 * date), each case drawn from a random stream of its own so the register
 * is what it was:
 *   hclic_people.csv  CaseRef,LeadApplicant,Forename,Surname,DOB,Sex,
 *       NHSNumber,Postcode: each person of the case once, Y for the lead
 *       of their first row (the register's identifiers, which the main
 *       truth already lists);
 *   hclic_main.csv    CaseRef,AppDate,DutyType,DutyStart,DutyEnd: a
 *       prevention duty (P) before the placement in 3 cases of 10, a
 *       relief duty (R) from the TA start for up to 56 days, then a main
 *       duty (M) to the case's end;
 *   hclic_ta.csv      CaseRef,TAType,TAStart,TAEnd: a first placement
 *       (BB, HO or NP) of 2 to 10 weeks, then, for a longer stay, one of
 *       PSL, PL, LA, HA, OT to the case's end;
 *   truth_hclic.csv   case,table,service,start,end: every main and TA row
 *       with its canonical service (no identifier).
 * tests/cli/hclic.sh counts households in TA and owed relief from it.
 */
#ifndef COHORT_SYNTH_HOUSING_H
#define COHORT_SYNTH_HOUSING_H

#include <stdint.h>

#include "../core/error.h"
#include "synth.h"

/* One person as the register records them. */
struct synth_resident {
    uint32_t household;   /* synth's household: people living together */
    int32_t dob;          /* day number */
    uint8_t sex;          /* 0 M, 1 F, 2 U */
    char forename[96];
    char surname[96];
    char nhs[11];
    char postcode[16];
};

/* synth.c's people as the register sees them: resident() fills person
 * pid (0 .. n-1, households contiguous); truth() writes the main truth
 * file's line for a register row of person pid at physical line `line`. */
struct synth_people {
    long n;
    void *ctx;
    void (*resident)(void *ctx, long pid, struct synth_resident *r);
    void (*truth)(void *ctx, long line, long pid,
                  const struct synth_resident *r);
};

/* Writes the register and its household truth into o->dir; *rows the
 * register's data rows. 0 or CE_IO with d set. */
int synth_housing_write(const struct synth_options *o,
                        const struct synth_people *sp, long *rows,
                        struct diag *d);

#endif
