/*
 * settings.c - the parsers and stores behind every stage's settings table.
 * A stage's table says what a key is; this file is the one place that
 * turns a value into an int, a size, a rate or an enum, so every key of
 * a type is parsed, bounded and refused in the same words.
 */
#include "settings.h"
#include "strnum.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
setting_ctx_init(struct setting_ctx *ctx, const char *section,
                 const char *key, int line)
{
    ctx->section = section;
    ctx->key = key;
    ctx->line = line;
    ctx->err_line = 0;
    ctx->expect[0] = '\0';
    ctx->msg[0] = '\0';
}

const struct setting *
settings_find(const struct setting *table, const char *key)
{
    for (; table->name; table++) {
        size_t n = strlen(table->name);

        if (n && table->name[n - 1] == '.' ? !strncmp(key, table->name, n)
                                           : !strcmp(key, table->name))
            return table;
    }
    return NULL;
}

int
setting_bad_value(struct setting_ctx *ctx, const char *key,
                  const char *expect)
{
    snprintf(ctx->expect, sizeof(ctx->expect), "%s", expect);
    /* the section as the reader's 128-byte label always showed it */
    snprintf(ctx->msg, sizeof(ctx->msg),
             "bad value for '%s' in [%.127s]: expected %s",
             key ? key : ctx->key, ctx->section ? ctx->section : "", expect);
    return CE_CONFIG;
}

static int
vfail(struct setting_ctx *ctx, int line, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static int
vfail(struct setting_ctx *ctx, int line, const char *fmt, va_list ap)
{
    vsnprintf(ctx->msg, sizeof(ctx->msg), fmt, ap);
    ctx->err_line = line;
    return CE_CONFIG;
}

int
setting_fail(struct setting_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = vfail(ctx, 0, fmt, ap);
    va_end(ap);
    return rc;
}

int
setting_fail_at(struct setting_ctx *ctx, int line, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = vfail(ctx, line, fmt, ap);
    va_end(ap);
    return rc;
}

int
setting_nomem(struct setting_ctx *ctx)
{
    snprintf(ctx->msg, sizeof(ctx->msg), "out of memory");
    return CE_NOMEM;
}

int
setting_set_string(char **dst, const char *s, struct setting_ctx *ctx)
{
    char *p = strdup(s);

    if (!p)
        return setting_nomem(ctx);
    free(*dst);
    *dst = p;
    return 0;
}

int
setting_name_ok(const char *s)
{
    if (!*s || strlen(s) > 48 || !(islower((unsigned char)*s) || *s == '_'))
        return 0;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) ||
              *s == '_'))
            return 0;
    return 1;
}

int
setting_check_name(const struct setting *s, void *obj, const char *value,
                   struct setting_ctx *ctx)
{
    (void)obj;
    if (setting_name_ok(value))
        return 0;
    return setting_bad_value(ctx, NULL,
                             s->expect ? s->expect
                                       : "lower-case letters, digits and _");
}

/* The value of an enum key, or -1 when no choice is spelt so. */
static int
enum_value(const struct setting *s, const char *value)
{
    const struct setting_choice *c;

    for (c = s->choices; c && c->name; c++)
        if ((s->flags & SETTING_NOCASE) ? !strcasecmp(value, c->name)
                                        : !strcmp(value, c->name))
            return c->value;
    return -1;
}

/* A parsed value on its way into the object. */
union parsed {
    int64_t i;
    int b;
    char ch;
    uint32_t ppm;
};

/* Parses value per s's type into *out; CE_CONFIG with the message. */
static int
parse_value(const struct setting *s, const char *value, union parsed *out,
            struct setting_ctx *ctx)
{
    char expect[96];

    switch (s->type) {
    case SETTING_INT:
    case SETTING_SIZE:
        if (parse_int64_str(value, s->min, s->max, &out->i) == 0)
            return 0;
        if (s->expect)
            return setting_bad_value(ctx, NULL, s->expect);
        snprintf(expect, sizeof(expect), "a whole number from %lld to %lld",
                 (long long)s->min, (long long)s->max);
        return setting_bad_value(ctx, NULL, expect);
    case SETTING_BOOL:
        if (parse_bool(value, &out->b) == 0)
            return 0;
        return setting_bad_value(ctx, NULL, "yes or no");
    case SETTING_CHAR:
        if (!strcmp(value, "tab") || !strcmp(value, "\\t"))
            out->ch = '\t';
        else if (strlen(value) == 1 && value[0] != '\n')
            out->ch = value[0];
        else
            return setting_bad_value(ctx, NULL, "one character, or tab");
        return 0;
    case SETTING_RATE:
        if (parse_rate_ppm(value, &out->ppm) == 0)
            return 0;
        return setting_bad_value(ctx, NULL, s->expect ? s->expect
                                                      : "a rate such as 5%");
    case SETTING_ENUM:
        if ((out->i = enum_value(s, value)) >= 0)
            return 0;
        return setting_bad_value(ctx, NULL, s->expect ? s->expect : "?");
    default:
        return 0;
    }
}

int
setting_apply(const struct setting *s, void *obj, const char *value,
              struct setting_ctx *ctx)
{
    char *at = (char *)obj + s->offset;
    union parsed v;
    int rc;

    if (s->type == SETTING_CUSTOM)
        return s->check(s, obj, value, ctx);
    if ((rc = parse_value(s, value, &v, ctx)) < 0)
        return rc;
    if (s->check && (rc = s->check(s, obj, value, ctx)) < 0)
        return rc;
    if (s->flags & SETTING_KEEP_LINE)
        *(int *)(void *)((char *)obj + s->line_offset) = ctx->line;
    switch (s->type) {
    case SETTING_STRING:
        return setting_set_string((char **)(void *)at, value, ctx);
    case SETTING_INT:
    case SETTING_ENUM:
        *(int *)(void *)at = (int)v.i;
        break;
    case SETTING_SIZE:
        *(size_t *)(void *)at = (size_t)v.i;
        break;
    case SETTING_BOOL:
        *(int *)(void *)at = v.b;
        break;
    case SETTING_CHAR:
        *at = v.ch;
        break;
    case SETTING_RATE:
        *(uint32_t *)(void *)at = v.ppm;
        break;
    default:
        break;
    }
    return 0;
}

int
settings_boot(const struct setting *table, void *obj, struct setting_ctx *ctx)
{
    int rc;

    for (; table->name; table++) {
        if (!table->boot)
            continue;
        ctx->key = table->name;
        if ((rc = setting_apply(table, obj, table->boot, ctx)) < 0)
            return rc;
    }
    return 0;
}

void
settings_release(const struct setting *table, void *obj)
{
    for (; table->name; table++)
        if (table->type == SETTING_STRING) {
            char **p = (char **)(void *)((char *)obj + table->offset);

            free(*p);
            *p = NULL;
        }
}
