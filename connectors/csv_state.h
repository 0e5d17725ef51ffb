/*
 * csv_state.h - the CSV connector's own state, shared by its two files
 * and by nothing else: csv_input.c turns the files a glob matches into
 * a stream of decoded bytes (plain or gzip, hashed as read, byte-order
 * marks, UTF-16), csv.c tokenizes that stream into rows
 * (connectors/source.h is the interface the rest of cohort sees).
 */
#ifndef COHORT_CSV_STATE_H
#define COHORT_CSV_STATE_H

#include "source.h"
#include "text_decode.h"

#include <glob.h>
#include <sodium.h>
#include <zlib.h>

#define CHUNK (1u << 20)

enum pstate { P_FIELD_START, P_UNQUOTED, P_QUOTED, P_QUOTE_IN_QUOTED };

struct field {
    size_t start;
    size_t len;
};

struct csv_state {
    glob_t g;
    int have_glob;
    size_t file;                 /* index of the open file */
    int fd;
    int gz;
    int zs_init;
    z_stream zs;
    crypto_generichash_state hash;
    unsigned char *raw;
    size_t chunk;                /* size of raw and buf */
    size_t raw_len;
    int raw_eof;
    unsigned char *buf;          /* decoded bytes */
    size_t bufcap;               /* its size: chunk, or more for UTF-16 */
    size_t len, pos;
    int stream_eof;              /* no more bytes in this file */
    int at_file_start;           /* a BOM may follow */
    int skip_lf;                 /* the last record ended at a CR */
    enum text_encoding enc;      /* this file's: UTF-8 once UTF-16 is decoded */

    /* UTF-16 (a file that starts with its byte-order mark) */
    int utf16;                   /* 1: this file is UTF-16 */
    int utf16_guess;             /* no mark, but NULs where UTF-16 has them */
    struct utf16_decoder u16d;
    unsigned char *u16;          /* the decoded block, swapped with buf */

    /* tokenizer */
    enum pstate st;
    long line;                   /* current physical line, 1-based */
    long rec_line;
    char *arena;
    size_t alen, acap;
    struct field *fields;
    size_t nf, fcap;
    size_t field_bytes;          /* bytes seen in the current field */
    int field_quoted;
    enum row_fault fault;
    long fault_col;
    int rec_started;
    /* the bytes that end a run of ordinary bytes (field_run()): [0]
     * outside quotes, [1] inside; built at the first record */
    unsigned char stop[2][256];
    int stop_ready;

    /* output */
    char *out;                   /* transcoded copy of the record */
    size_t ocap;
    struct cell *cells;
    size_t ccap;

    /* header */
    char *hdr;
    struct cell *hdr_cells;
    size_t nhdr;
};

/* Room for "source 'NAME' file N": a job's source names are at most 48
 * bytes (config.c); cohort protect renames its longer ones (protect.c). */
#define WHERE_MAX 128

/* The label of files[i] in where (WHERE_MAX bytes); returns where. */
const char *csv_file_where(const struct source *src, size_t i, char *where);

/* 1 when a glob pattern has an unescaped wildcard. */
int csv_has_wildcard(const char *pattern);

/* How an analyst finds files[i]: " (file 2 of 3 matching 'GLOB', in
 * sorted order)", or the path's own words when it has no wildcard. */
void csv_glob_hint(const struct source *src, size_t i, char *buf, size_t n);

/* Opens files[i] (a regular file only) and primes its stream. 0, CE_IO,
 * CE_NOMEM or CE_INTERNAL with d. */
int csv_open_file(struct source *src, struct csv_state *s, size_t i,
                  struct diag *d);

/* Closes the open file, if any. Returns 0. */
int csv_close_file(struct csv_state *s);

/* The next block of the open file's decoded bytes into buf[0 .. len);
 * stream_eof set at its end. 0, CE_IO or CE_DATA (gzip) with d. */
int csv_next_block(struct source *src, struct csv_state *s, struct diag *d);

/* The file's first block: byte-order marks (a UTF-16 one switches the
 * file to UTF-16). 0 or CE_NOMEM. */
int csv_file_start(struct csv_state *s);

/* Decodes buf[pos .. len) from UTF-16 in place of it (as UTF-8). */
void csv_utf16_decode(struct csv_state *s);

/* The open file's BLAKE2b, once it has been read to its end. */
void csv_finish_hash(struct source *src, struct csv_state *s);

#endif
