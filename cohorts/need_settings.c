/*
 * need_settings.c - the [need NAME] keys as a table.
 */
#include "need_settings.h"
#include "cohort_settings.h"

#include <stddef.h>

#define AT(member) offsetof(struct need_plan, member)

const struct setting need_settings[] = {
    {.name = "title", .type = SETTING_STRING, .offset = AT(title),
     .check = cohort_settings_check_title, .expect = "UTF-8 text",
     .joiner = " ",
     .help = "the need area's name in rules and the report (default: the "
             "name)"},
    {.name = "where", .type = SETTING_STRING, .offset = AT(where),
     .flags = SETTING_KEEP_LINE, .line_offset = AT(where_line),
     .joiner = " ",
     .help = "when a person has the need in a month, in the where language"},
    {.name = NULL},
};

int
need_settings_finish(struct need_plan *n, struct setting_ctx *ctx)
{
    if (!n->where)
        return setting_fail_at(ctx, n->line, "missing key 'where' in "
                                             "[need %s]", n->name);
    if (!n->title)
        return setting_set_string(&n->title, n->name, ctx);
    return 0;
}
