/*
 * json_check.h - a strict JSON (RFC 8259) well-formedness check for the
 * unit tests of what cohort writes as JSON (manifest.json, `cohort rules
 * --format json`): one value, objects with string keys, strings with only
 * the escapes JSON has and no raw control character, numbers in JSON's
 * grammar. Header-only, static: include it in one test file.
 *
 *     size_t at;
 *     if (json_check(text, &at) < 0)
 *         fail_msg("not JSON at byte %zu", at);
 */
#ifndef COHORT_TEST_JSON_CHECK_H
#define COHORT_TEST_JSON_CHECK_H

#include <stddef.h>
#include <string.h>

#define JSON_CHECK_MAX_DEPTH 64

struct json_cursor {
    const char *s;
    size_t i;
};

static int json_value(struct json_cursor *c, int depth);

static void
json_ws(struct json_cursor *c)
{
    while (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\n' ||
           c->s[c->i] == '\r')
        c->i++;
}

static int
json_hex4(struct json_cursor *c)
{
    int k;

    for (k = 0; k < 4; k++, c->i++)
        if (!strchr("0123456789abcdefABCDEF", c->s[c->i]) || !c->s[c->i])
            return -1;
    return 0;
}

static int
json_string(struct json_cursor *c)
{
    if (c->s[c->i] != '"')
        return -1;
    c->i++;
    for (;;) {
        unsigned char ch = (unsigned char)c->s[c->i];

        if (ch == '"') {
            c->i++;
            return 0;
        }
        if (ch < 0x20) /* the end of the text too */
            return -1;
        if (ch == '\\') {
            c->i++;
            if (c->s[c->i] == 'u') {
                c->i++;
                if (json_hex4(c) < 0)
                    return -1;
                continue;
            }
            if (!c->s[c->i] || !strchr("\"\\/bfnrt", c->s[c->i]))
                return -1;
        }
        c->i++;
    }
}

static int
json_digits(struct json_cursor *c)
{
    size_t start = c->i;

    while (c->s[c->i] >= '0' && c->s[c->i] <= '9')
        c->i++;
    return c->i > start ? 0 : -1;
}

static int
json_number(struct json_cursor *c)
{
    if (c->s[c->i] == '-')
        c->i++;
    if (c->s[c->i] == '0')
        c->i++;
    else if (json_digits(c) < 0)
        return -1;
    if (c->s[c->i] == '.') {
        c->i++;
        if (json_digits(c) < 0)
            return -1;
    }
    if (c->s[c->i] == 'e' || c->s[c->i] == 'E') {
        c->i++;
        if (c->s[c->i] == '+' || c->s[c->i] == '-')
            c->i++;
        if (json_digits(c) < 0)
            return -1;
    }
    return 0;
}

static int
json_literal(struct json_cursor *c, const char *word)
{
    size_t n = strlen(word);

    if (strncmp(c->s + c->i, word, n))
        return -1;
    c->i += n;
    return 0;
}

/* An object or an array, after its opening bracket. */
static int
json_container(struct json_cursor *c, int depth, char close)
{
    json_ws(c);
    if (c->s[c->i] == close) {
        c->i++;
        return 0;
    }
    for (;;) {
        if (close == '}') {
            if (json_string(c) < 0)
                return -1;
            json_ws(c);
            if (c->s[c->i] != ':')
                return -1;
            c->i++;
        }
        if (json_value(c, depth + 1) < 0)
            return -1;
        json_ws(c);
        if (c->s[c->i] == close) {
            c->i++;
            return 0;
        }
        if (c->s[c->i] != ',')
            return -1;
        c->i++;
        json_ws(c);
    }
}

static int
json_value(struct json_cursor *c, int depth)
{
    if (depth > JSON_CHECK_MAX_DEPTH)
        return -1;
    json_ws(c);
    switch (c->s[c->i]) {
    case '{':
        c->i++;
        return json_container(c, depth, '}');
    case '[':
        c->i++;
        return json_container(c, depth, ']');
    case '"':
        return json_string(c);
    case 't':
        return json_literal(c, "true");
    case 'f':
        return json_literal(c, "false");
    case 'n':
        return json_literal(c, "null");
    default:
        return json_number(c);
    }
}

/* 0 when text is one well-formed JSON value (whitespace around it
 * allowed), else -1 with *at the byte where it stopped being one. */
static int
json_check(const char *text, size_t *at)
{
    struct json_cursor c = {text, 0};
    int rc = json_value(&c, 0);

    if (rc == 0) {
        json_ws(&c);
        if (c.s[c.i])
            rc = -1;
    }
    *at = c.i;
    return rc;
}

#endif
