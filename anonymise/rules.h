/*
 * rules.h - the rules an information-governance reviewer signs off, drawn
 * from the job plan in plain words: every mapped field's fate, the match
 * keys in order, generalisation, disclosure thresholds, cohort definitions
 * and outputs. The same document is rendered as text, JSON or HTML.
 *
 * The plan hash is BLAKE2b-256 over the text rendering (without the hash
 * line itself). `cohort rules` prints it and every run records it in its
 * manifest, so a reviewer can prove that what was approved is what ran.
 *
 *     struct strbuf sb = STRBUF_INIT;
 *     char hash[65];
 *     if (rules_plan_hash(plan, where_plain, hash) < 0 ||
 *         rules_render(plan, where_plain, RULES_TEXT, &sb) < 0)
 *         ... out of memory ...
 *
 * where_plain[i] is the plain-English rendering of cohort i's `where`
 * (from cohorts/where.h, which this stage may not include); it may be NULL.
 */
#ifndef COHORT_RULES_H
#define COHORT_RULES_H

#include "../core/plan.h"
#include "../core/strbuf.h"

enum rules_format { RULES_TEXT, RULES_JSON, RULES_HTML };

/* Appends the rules document to sb in the given format. 0, or CE_NOMEM
 * when any part of it could not be built (sb then holds no complete
 * document and must not be shown). */
int rules_render(const struct job_plan *plan, char *const *where_plain,
                  enum rules_format format, struct strbuf *sb);

/* Writes the 64-hex-digit plan hash and a NUL into hash. 0 or CE_NOMEM. */
int rules_plan_hash(const struct job_plan *plan, char *const *where_plain,
                    char hash[65]);

#endif
