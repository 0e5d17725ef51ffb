/*
 * settings.h - a stage's job-file keys declared as data, the way
 * PostgreSQL's guc_tables.c declares its variables: each key's name, its
 * type, where its value lives in the stage's own struct, the check the
 * value must pass, its default and one line of help. Each stage owns its
 * table (connectors/source_settings.c, transform/map_settings.c, ...);
 * the job file's reader (app/config.c) only finds the section, looks a key
 * up in that section's tables, applies it and reports the file and line
 * of a failure. `cohort protect` applies the [disclosure] table to its
 * options the same way.
 *
 * Calling sequence (what app/config.c does for one key):
 *     struct setting_ctx ctx;
 *     const struct setting *s = settings_find(table, key);
 *     if (!s) -> "unknown key";
 *     setting_ctx_init(&ctx, "source housing", key, line);
 *     rc = setting_apply(s, obj, value, &ctx);
 *     rc == CE_CONFIG: ctx.msg is the whole message (never the value),
 *         ctx.expect what the value should have been when it was a bad
 *         value; rc == CE_NOMEM: out of memory.
 *
 * An object starts zeroed; settings_boot() applies every default of a
 * table through the same parsers; settings_release() frees the strings
 * the table's SETTING_STRING keys own.
 */
#ifndef COHORT_SETTINGS_H
#define COHORT_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum setting_type {
    SETTING_STRING, /* char *, a copy of the value */
    SETTING_INT,    /* int in [min, max] */
    SETTING_SIZE,   /* size_t in [min, max] */
    SETTING_BOOL,   /* int, 1 or 0 from yes/no/true/false/on/off/1/0 */
    SETTING_CHAR,   /* char: one character, or "tab" */
    SETTING_RATE,   /* uint32_t parts per million from "5%" or "0.05" */
    SETTING_ENUM,   /* int (an enum of the stage): one of choices */
    SETTING_CUSTOM  /* check() parses the value and stores it */
};

/* One spelling of an enum value; several may share a value. */
struct setting_choice {
    const char *name;
    int value;
};

/* Flags of a setting. */
enum {
    /* the key may be given more than once in a section (value.*) */
    SETTING_REPEATABLE = 1u << 0,
    /* an ENUM's choices compare ignoring case */
    SETTING_NOCASE = 1u << 1,
    /* line_offset names an int that receives the key's line */
    SETTING_KEEP_LINE = 1u << 2
};

struct setting;
struct setting_ctx;

/*
 * A check: for SETTING_CUSTOM it parses value and stores it in obj; for
 * the other types it vets value before it is stored. Returns 0, or
 * CE_CONFIG through setting_bad_value()/setting_fail(), or CE_NOMEM.
 */
typedef int (*setting_check_fn)(const struct setting *s, void *obj,
                                const char *value, struct setting_ctx *ctx);

struct setting {
    const char *name;          /* the key; ending in '.' it is a prefix
                                * ("field.") and matches every key that
                                * starts with it; NULL ends a table */
    enum setting_type type;
    size_t offset;             /* of the value in the stage's struct */
    setting_check_fn check;    /* or NULL */
    const char *help;          /* one line, for humans */
    const char *boot;          /* the default as written, or NULL */
    int64_t min, max;          /* SETTING_INT, SETTING_SIZE */
    const struct setting_choice *choices; /* SETTING_ENUM, NULL-ended */
    const char *expect;        /* what a bad value should have been; NULL:
                                * worded from the type */
    const char *joiner;        /* an indented line continues the value,
                                * joined with this; NULL: it cannot */
    size_t line_offset;        /* with SETTING_KEEP_LINE */
    unsigned flags;
};

/* What a key is being applied for, and what went wrong. */
struct setting_ctx {
    const char *section;       /* "source housing", for messages */
    const char *key;           /* the key as written */
    int line;                  /* the key's (first) line in the job file */
    int err_line;              /* set by setting_fail_at(); 0: the line
                                * being read */
    char expect[128];          /* a bad value: what it should have been */
    char msg[512];             /* CE_CONFIG or CE_NOMEM: the message */
};

/* Resets ctx for key (written on line) in section. */
void setting_ctx_init(struct setting_ctx *ctx, const char *section,
                      const char *key, int line);

/* The entry of table for key, or NULL. */
const struct setting *settings_find(const struct setting *table,
                                    const char *key);

/* Parses value per s, runs its check and stores it into obj. */
int setting_apply(const struct setting *s, void *obj, const char *value,
                  struct setting_ctx *ctx);

/* Applies every default of table to obj (a fresh, zeroed object). */
int settings_boot(const struct setting *table, void *obj,
                  struct setting_ctx *ctx);

/* Frees the strings of table's SETTING_STRING keys in obj, NULLs them. */
void settings_release(const struct setting *table, void *obj);

/*
 * "bad value for 'KEY' in [SECTION]: expected EXPECT" into ctx->msg, and
 * expect into ctx->expect; key NULL is ctx->key. Returns CE_CONFIG.
 */
int setting_bad_value(struct setting_ctx *ctx, const char *key,
                      const char *expect);

/* A whole message, reported on the line being read. Returns CE_CONFIG. */
int setting_fail(struct setting_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A whole message, reported on line (0: none). Returns CE_CONFIG. */
int setting_fail_at(struct setting_ctx *ctx, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "out of memory" into ctx->msg. Returns CE_NOMEM. */
int setting_nomem(struct setting_ctx *ctx);

/* Replaces *dst with a copy of s. 0 or CE_NOMEM (through ctx). */
int setting_set_string(char **dst, const char *s, struct setting_ctx *ctx);

/* 1 when s is a name the job file accepts for sections, services, schemas
 * and scopes: 1 to 48 lower-case letters, digits and _, not starting with
 * a digit. */
int setting_name_ok(const char *s);

/* A check for SETTING_STRING keys that must be such a name; the entry's
 * expect says how to put it. */
int setting_check_name(const struct setting *s, void *obj, const char *value,
                       struct setting_ctx *ctx);

#endif
