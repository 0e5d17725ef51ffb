/*
 * keys.h - the job's secret key and the per-purpose subkeys derived from it.
 *
 * A match key is a keyed hash: without the key, hashing every possible NHS
 * number (about a billion) would reverse a plain hash. The key file is
 * text, mode 0600, made by `cohort keygen`:
 *     cohort-key 1
 *     id 3f9a0c1d5e7b2a64      (names the key in manifests; reveals nothing)
 *     key <64 hex digits>
 * Subkeys come from crypto_kdf with the context "cohortmk", one per match
 * key, so a hash under one key says nothing about another. Record keys
 * for cell-key perturbation have their own context, "cohortrk"
 * (key_record_subkey), so no published or linkage hash is ever computed
 * under the key that makes them. The probabilistic linker's comparison
 * records have two purposes of their own: "cohortcr" for their SipHash
 * tokens of names, dates and postcodes (key_comparison_subkey), "cohortbf"
 * for the bit positions of their Bloom filters of names
 * (key_bloom_subkey). No match key, anchor or record key is made under
 * either, and neither is made under a match key's subkey.
 *
 * Every subkey is 16 bytes, a SipHash-2-4 key (crypto_kdf's output
 * length is part of its derivation: these equal no 32-byte subkey an
 * earlier version made). Every context and id in use:
 *     cohortmk  1..32     match keys (pseudonym.h, at most 32)
 *               1001      scoped local ids
 *               1002      household ids (pseudonymise_household())
 *               2000+kind each component kind's field encoding
 *                         (pseudonym.h; the NHS-number / UPN anchors and
 *                         the scope's dob anchor are taken from these)
 *     cohortrk  1         record keys for cell-key perturbation
 *     cohortcr  1..       comparison tokens, one id per kind of value
 *                         (comparison.c)
 *     cohortbf  1..       Bloom-filter positions, one id per field kind
 *                         (bloom.h)
 */
#ifndef COHORT_KEYS_H
#define COHORT_KEYS_H

#include <stdint.h>

#include "../core/error.h"

struct cohort_key {
    unsigned char master[32];
    char id[17];
};

/* Writes a new random key to path (O_EXCL, 0600, fsync'd). CE_IO when the
 * file exists or cannot be written. id receives the key id. */
int key_generate(const char *path, char id[17], struct diag *d);

/* Reads a key file. CE_CONFIG when missing, malformed, not a regular
 * file (a FIFO or a device), readable by group or others, owned by
 * another user than the running one or root, or in a directory its
 * group or everyone may write to. */
int key_load(struct cohort_key *k, const char *path, struct diag *d);

/* The 16-byte SipHash subkey for one pseudonym purpose under "cohortmk"
 * (a match key's number from 1, or an id above). The caller wipes out
 * with sodium_memzero when done. */
void key_pseudonym_subkey(const struct cohort_key *k, uint64_t purpose,
                          unsigned char out[16]);

/* The 16-byte SipHash subkey for persons' record keys (cell-key
 * perturbation). The caller wipes out with sodium_memzero when done. */
void key_record_subkey(const struct cohort_key *k, unsigned char out[16]);

/* The 16-byte SipHash subkey for one kind of comparison token (id from
 * 1; comparison.c numbers the kinds). The caller wipes out when done. */
void key_comparison_subkey(const struct cohort_key *k, uint64_t id,
                           unsigned char out[16]);

/* The 16-byte SipHash subkey for one Bloom-filter field kind (id from 1,
 * enum bloom_field). The caller wipes out when done. */
void key_bloom_subkey(const struct cohort_key *k, uint64_t id,
                      unsigned char out[16]);

/* Wipes the key. */
void key_release(struct cohort_key *k);

#endif
