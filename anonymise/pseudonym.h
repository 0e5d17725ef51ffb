/*
 * pseudonym.h - match keys: each configured key (nhs_number;
 * forename+surname+dob+postcode; ...) becomes a 16-byte keyed hash of the
 * record's normalised components, under that key's own subkey.
 *
 * The pseudonym function is SipHash-2-4 with a 128-bit output
 * (libsodium's crypto_shorthash_siphashx24), a keyed PRF built for short
 * inputs: each component kind any key uses (forename, dob, postcode
 * district, ...) is encoded once a row -- SipHash of its normalised text
 * under the kind's own subkey -- and each key is the SipHash, under the
 * key's subkey, of its components' kinds and encodings (fixed length, so
 * "ab"+"c" and "a"+"bc" differ). The NHS number and UPN anchors and the
 * id scope's date-of-birth anchor are the first 8 bytes of those fields'
 * encodings. PSEUDONYM_FUNCTION names all this in `cohort rules` and the
 * plan's canonical form, so changing it changes the plan hash. The
 * plaintext exists only in stack buffers that are wiped before return.
 *
 *     struct pseudonymiser ps;
 *     pseudonymiser_init(&ps, plan, &key, &d);     -- loads the nicknames
 *                                                     and name variants
 *     per record: pseudonymise(&ps, &rec, source_plan, hashes, present, &anchors);
 *     pseudonymiser_release(&ps);
 */
#ifndef COHORT_PSEUDONYM_H
#define COHORT_PSEUDONYM_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/plan.h"
#include "../core/schema.h"
#include "keys.h"
#include "link.h"

/* One row of the nickname and name-variant tables, both sides as
 * forename_root() meets them (normalised, run together). */
struct nickname {
    char *name;
    char *root;         /* where the rows' chain ends (settled at init) */
    size_t order;       /* the row's place in reading: the last one wins */
};

/* What the rules and the canonical plan say the pseudonyms are. */
#define PSEUDONYM_FUNCTION                                                    \
    "siphashx24-128: keyed SipHash-2-4, 128-bit output; field encodings "    \
    "once a row, keys over encodings"

/* crypto_kdf ids under the match-key context (keys.h): a key's own are
 * 1..32, a component kind's encoding PSEUDONYM_FIELD_ID + its number. */
#define PSEUDONYM_FIELD_ID 2000
#define PSEUDONYM_SCOPE_ID 1001
#define PSEUDONYM_HOUSEHOLD_ID 1002

struct pseudonymiser {
    const struct job_plan *plan;
    /* SipHash subkeys in sodium_malloc memory: the match keys', then one
     * per component kind (KC_COUNT), the scoped ids', the record keys',
     * the household ids' */
    unsigned char (*subkeys)[16];
    uint8_t uses[KC_COUNT];             /* kinds some key uses */
    uint8_t components[KC_COUNT];       /* those kinds, in first use */
    size_t ncomponents;
    struct nickname *nicknames;         /* sorted by name */
    size_t nnicknames;
};

int pseudonymiser_init(struct pseudonymiser *ps, const struct job_plan *plan,
                       const struct cohort_key *k, struct diag *d);

/*
 * Writes hash i into out[i] and present[i] = 1 for every key whose
 * components are all present in rec; present[i] = 0 otherwise. a (may be
 * NULL) receives the keyed anchors of the NHS number and UPN for the
 * linker's over-linkage guard (the first 8 bytes of the field's keyed
 * encoding; equal values, equal anchors). local_id is scoped by the source's id_scope
 * (or its name), so two systems' "1234" never meet.
 */
void pseudonymise(const struct pseudonymiser *ps, const struct record *rec,
                  const struct source_plan *sp, unsigned char (*out)[16],
                  uint8_t *present, struct link_anchors *a);

/*
 * The keyed id of rec's local_id within sp's id scope, under a subkey of
 * its own (so it equals no match key's hash), into out[16]; in *dob a
 * keyed anchor of the date of birth (0 when absent; its encoding's first
 * 8 bytes), for the scope's
 * conflict check. Returns 0, or -1 (out zeroed) when the source has no id
 * scope or the row no local_id.
 */
int pseudonymise_scoped_id(const struct pseudonymiser *ps,
                           const struct record *rec,
                           const struct source_plan *sp, unsigned char out[16],
                           uint64_t *dob);

/*
 * The keyed id of rec's household_id: a SipHash-128 under a subkey of its
 * own (context cohortmk, id 1002: equal to no match key's, scoped id's or
 * anchor's hash), of the keyed hash of the source's id scope name (else
 * the source's own name), then the id as the source writes it; into
 * out[16]. So one system's tables that share an id scope share their
 * households (an H-CLIC case's main, people and placement tables), and
 * two sources' case 1001 never meet. Returns 0, or -1 (out zeroed) when
 * the row has no household id.
 */
int pseudonymise_household(const struct pseudonymiser *ps,
                           const struct record *rec,
                           const struct source_plan *sp,
                           unsigned char out[16]);

/*
 * A person's record key, 0..255, for cell-key perturbation: the first byte
 * of a keyed SipHash-128, under the record-key subkey, of the person's token --
 * the first 8 bytes of the smallest hash of the strictest match key (index
 * key_index) any of its records has. The same persons get the same keys
 * every run; the key is uniform and independent of every published or
 * linkage hash (choosing the token by its own hash value does not bias a
 * hash under another key).
 */
uint8_t pseudonym_record_key(const struct pseudonymiser *ps,
                             unsigned key_index, uint64_t token);

void pseudonymiser_release(struct pseudonymiser *ps);

/* American Soundex of a normalised name ("robert" -> "R163"); out[5]. 0 or
 * -1 when the name has no letter. */
int soundex(const char *name, char out[5]);

/*
 * The root of a normalised forename, written to out: the root the
 * nickname and name-variant tables give the whole forename run together
 * ("abdul rahman" -> abdulrahman), else the one they give its first word
 * (a one-letter first word joined to the next: "d arcy" -> darcy), else
 * that word itself. The tables are the built-in nicknames, the job's
 * `nicknames` file and its `name_variants` file, read in that order; a
 * name in more than one takes the last row read, and a root that is
 * itself a name takes that name's root (bill -> william; dafydd ->
 * david; seán -> sean). Chains and duplicates are settled once, at init.
 */
void forename_root(const struct pseudonymiser *ps, const char *forename,
                   char *out, size_t outsz);

/*
 * The root the same tables give a whole surname run together (Xasan ->
 * hassan, Yuusuf -> yusuf, Cismaan -> uthman: a Somali child's surname is
 * a father's given name, spelt as given names are), into out; "" when no
 * table lists it or the root is the name itself. Never a word of it: a
 * surname is not a nickname. For the comparisons' surname parts
 * (comparison.h); out is a plaintext identifier the caller wipes.
 */
void surname_root(const struct pseudonymiser *ps, const char *surname,
                  char *out, size_t outsz);

#endif
