/*
 * rules_linkage.c - the probabilistic stage in the rules document
 * (rules_parts.h): what its comparison records hold and under which
 * subkeys, the blocking rules, the comparison levels, the weights, the
 * threshold and the guard; and the words each identifier's fate adds for
 * its use there. The settings come from the plan ([linkage]); the rules
 * and levels from the matcher itself (match.h), so the document follows
 * the code.
 */
#include "rules_parts.h"

#include "../core/schema.h"
#include "match.h"

#include <stdio.h>

void
doc_prob_use(const struct job_plan *plan, int f, struct strbuf *sb)
{
    if (!plan->linkage.probabilistic)
        return;
    switch (f) {
    case CF_FORENAME:
    case CF_SURNAME:
        strbuf_adds(sb, " and in the probabilistic stage's comparison record "
                        "(keyed SipHash tokens of the name, its nickname root "
                        "or Soundex and initial, and a keyed Bloom filter of "
                        "its letter pairs)");
        break;
    case CF_DOB:
        strbuf_adds(sb, " and in the probabilistic stage's comparison record "
                        "(keyed SipHash tokens of the date, of the date with "
                        "day and month swapped and of the day; the year and "
                        "month as numbers)");
        break;
    case CF_POSTCODE:
        strbuf_adds(sb, " and in the probabilistic stage's comparison record "
                        "(keyed SipHash tokens of the unit, sector and "
                        "district)");
        break;
    case CF_NHS_NUMBER:
    case CF_UPN:
        strbuf_adds(sb, "; its keyed anchor also keeps the probabilistic "
                        "stage from joining two different valid values");
        break;
    default:
        break;
    }
}

/* What the comparison records hold, and the candidate pairs. */
static void
doc_prob_records(const struct linkage_plan *lp, struct rdoc *doc,
                 struct rnode *s, struct strbuf *sb)
{
    struct match_config mc;
    struct rnode *r, *arr;
    char rule[128];
    unsigned k;

    strbuf_adds(sb, "made from each kept row before its plaintext is wiped: "
                    "SipHash-2-4 tokens under subkeys of their own (context "
                    "cohortcr, one per kind, none a match key's) of the "
                    "normalised forename and surname (one key for both, so "
                    "that a swap shows; the words run together and the "
                    "surname's particles spelt one way), the forename's "
                    "nickname root, initial and first and last words, the "
                    "surname's Soundex code, its form without particles or "
                    "the first and last parts of a double surname, and its "
                    "root in the name variants, the date of birth, "
                    "the date with day and month swapped and the day of the "
                    "month, the postcode unit, sector and district; the birth "
                    "year and month and the sex code as numbers; keyed Bloom "
                    "filters of the forename's and surname's letter pairs "
                    "(256 bits, 4 per pair, positions from SipHash under "
                    "their own subkey, context cohortbf); the keyed anchors "
                    "of the NHS number and UPN. Held in memory only (144 "
                    "bytes per distinct record, hashes folded to 32 bits) "
                    "until linkage ends; never written, logged or published");
    r = rn_rule(doc, s, "comparison_records", NULL, sb);
    rn_str(doc, r, "token_kdf_context", "cohortcr");
    rn_str(doc, r, "bloom_kdf_context", "cohortbf");
    rn_int(doc, r, "bloom_bits", BLOOM_BITS);
    rn_int(doc, r, "bloom_bits_per_bigram", BLOOM_K);
    match_config_default(&mc);
    strbuf_adds(sb, "pairs of records that share a block under any of the "
                    "blocking rules");
    for (k = 0; k < mc.nrules; k++)
        strbuf_addf(sb, "%s%s", k ? "; " : " ",
                    match_rule_text(mc.rules[k], rule, sizeof(rule)));
    strbuf_addf(sb, " (dob_year: the year of birth; initial: the forename's; "
                    "surname_phonetic: Soundex) -- a block of more than %d "
                    "records (block_cap) is not compared under its rule, and "
                    "is counted; records the match keys joined are not "
                    "compared with each other",
                lp->block_cap);
    r = rn_rule(doc, s, "candidate_pairs", "candidate pairs", sb);
    arr = rn_arr(doc, r, "blocking_rules");
    for (k = 0; k < mc.nrules; k++)
        rn_str(doc, arr, NULL,
               match_rule_text(mc.rules[k], rule, sizeof(rule)));
    rn_int(doc, r, "block_cap", lp->block_cap);
}

/* The levels, the weights, the threshold and the guard. */
static void
doc_prob_scoring(const struct linkage_plan *lp, struct rdoc *doc,
                 struct rnode *s, struct strbuf *sb)
{
    struct rnode *r, *arr;
    int k;

    strbuf_addf(sb, "forename: exact, swapped with the surname (the "
                    "surname then compared with the other's forename, so "
                    "that a family name written first weighs as much as in "
                    "order), nickname root, Bloom-filter Dice >= %d%%, one "
                    "forename a word of the other's, "
                    "Dice >= %d%%, >= %d%%, initial (one is an initial), "
                    "sharing only the initial, else; surname: exact, Dice >= "
                    "%d%%, a part (a particle dropped, one part of a double "
                    "surname, a spelling the name variants list), Soundex, "
                    "Dice >= %d%%, >= %d%%, else; date of birth: exact, day and "
                    "month swapped, year +-1, only the day, only the month, "
                    "only the year differs, only the year agrees, else; "
                    "postcode: unit, sector, district, else; sex: agrees, "
                    "differs; a name whose letters are another's with two "
                    "neighbours swapped (a keyed hash of its first letter "
                    "and its letters sorted, and Bloom filters apart by no "
                    "more than the swap) goes one Dice band up; a field "
                    "missing on either side is no evidence",
                lp->dice[0], lp->dice[1], lp->dice[2], lp->dice[0],
                lp->dice[1], lp->dice[2]);
    r = rn_rule(doc, s, "comparison_levels", "comparison levels", sb);
    arr = rn_arr(doc, r, "dice_bands_percent");
    for (k = 0; k < 3; k++)
        rn_int(doc, arr, NULL, lp->dice[k]);
    strbuf_adds(sb, "Fellegi-Sunter: m per level estimated by EM over each "
                    "blocking rule's pairs (the pairs inside the keys' "
                    "persons too; never a field on the rule that blocks on "
                    "it; where EM does not converge the documented defaults "
                    "are used, with a warning, counted in linkage.csv), u "
                    "from random pairs, term frequencies for exact names (a "
                    "common name weighs less), the prior from the "
                    "candidates");
    rn_rule(doc, s, "weights", NULL, sb);
    strbuf_addf(sb, "a pair is linked when its match probability is at "
                    "least %.4f (match_threshold)",
                lp->match_threshold);
    r = rn_rule(doc, s, "threshold", NULL, sb);
    rn_real(doc, r, "match_threshold", lp->match_threshold);
    strbuf_addf(sb, "never linked, whatever the score: two forenames both "
                    "given that share at most the initial, or two dates of "
                    "birth both given that differ in the year and more "
                    "(twins, a parent and child of one name); a pair with "
                    "a date of birth missing on one side unless the names "
                    "and the postcode's unit or sector agree, or an "
                    "address, e-mail or phone does (two rare names alone "
                    "are as often a grandparent and a grandchild named "
                    "after them); a record without a date of birth whose "
                    "links reach two generations (all of them dropped); "
                    "a person holding two different valid NHS numbers or "
                    "UPNs (as for "
                    "the keys: absolute); a person joining more than %d "
                    "persons of the keys (max_cluster); a person of the keys "
                    "with two pairs within one bit of weight of each other "
                    "to two persons holding dates of birth the first of "
                    "these rules keeps apart (ambiguous: it joins neither). "
                    "Every refusal is counted",
                lp->max_cluster);
    r = rn_rule(doc, s, "guard", NULL, sb);
    rn_int(doc, r, "max_cluster", lp->max_cluster);
}

void
doc_probabilistic(const struct job_plan *plan, struct rdoc *doc,
                  struct rnode *s, struct strbuf *sb)
{
    const struct linkage_plan *lp = &plan->linkage;
    struct rnode *r;

    if (!lp->probabilistic) {
        strbuf_adds(sb, "off (probabilistic = no): the match keys alone make "
                        "the persons");
        r = rn_rule(doc, s, "probabilistic_stage", "probabilistic stage", sb);
        rn_bool(doc, r, "on", 0);
        return;
    }
    strbuf_adds(sb, "on: after the match keys, pairs of records they did not "
                    "link are compared field by field from keyed encodings "
                    "and linked by Fellegi-Sunter scoring; the records of "
                    "one id of an id scope are first completed from each "
                    "other (an episode's postcode with its header's date of "
                    "birth and the case system's names)");
    r = rn_rule(doc, s, "probabilistic_stage", "probabilistic stage", sb);
    rn_bool(doc, r, "on", 1);
    doc_prob_records(lp, doc, s, sb);
    doc_prob_scoring(lp, doc, s, sb);
}

void
doc_linkage_fairness(const struct job_plan *plan, struct rdoc *doc,
                     struct rnode *s, struct strbuf *sb)
{
    const struct disclosure_plan *dp = &plan->disclosure;
    int on = (plan->standard_tables & STD_LINKAGE) != 0;
    struct rnode *r;

    strbuf_adds(sb, "measured on synthetic people, never from a run: cohort "
                    "linkage JOB --truth FILE on cohort synth's extracts "
                    "prints precision and recall by ethnic group, sex, age "
                    "band, naming convention and department pair, with the "
                    "true pairs behind each figure. Targets: every ethnic "
                    "group's recall within 1 percentage point of the overall "
                    "recall, every group's precision at least 0.995; "
                    "tests/cli/fairness.sh fails the build when a group "
                    "misses them by more than chance explains. A run "
                    "publishes no truth-based figure: a truth file holds "
                    "synthetic identifiers and only cohort linkage reads "
                    "one");
    r = rn_rule(doc, s, "fairness_targets", "fairness targets", sb);
    rn_str(doc, r, "recall_gap_max_points", "1");
    rn_str(doc, r, "precision_min", "0.995");
    if (!on) {
        strbuf_adds(sb, "not published (standard_tables has no "
                        "linkage_by_group); cohort linkage shows the "
                        "analyst the share of each ethnic group's records "
                        "linked to another department, unprotected and "
                        "unpublished");
        r = rn_rule(doc, s, "linkage_by_group", "linkage by group", sb);
        rn_bool(doc, r, "published", 0);
        return;
    }
    strbuf_addf(sb,
                "published as linkage_by_ethnicity, linkage_by_sex and "
                "linkage_by_age_band: each month, the persons known to a "
                "department by group and by linked_departments (\"1 "
                "department\" when all their records are of one department, "
                "\"2 or more departments\" when the linker joined records of "
                "two or more, whatever their dates), computed without any "
                "truth. The share linked is a proxy of recall: a group whose "
                "share is well below the others' may be one whose records "
                "the linker misses, or one that truly uses fewer "
                "departments; only a truth run tells which. Each table goes "
                "through the same suppression (%d-%d hidden as [c]), "
                "secondary suppression, audit and %s as a cohort table; the "
                "three share their linked_departments margins and grand "
                "total (the same persons), and one hidden in any table is "
                "hidden in all three. They count persons the cohort and "
                "overlap tables also count (linkage_by_age_band's margins "
                "are overlap_count's), so as for every derived table the "
                "job is refused unless perturbation = cellkey or rounding "
                "is at least the protection level (%d)",
                dp->suppress_lo, dp->suppress_hi,
                dp->perturbation == PERTURB_CELLKEY ? "cell-key noise"
                                                    : "rounding",
                dp->protection_level);
    r = rn_rule(doc, s, "linkage_by_group", "linkage by group", sb);
    rn_bool(doc, r, "published", 1);
}
