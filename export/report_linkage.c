/*
 * report_linkage.c - the report's "Linkage by group" part (report_parts.h
 * report_linkage_groups()): for the latest complete month, each group's
 * persons, those whose records were linked across departments, and the
 * share, read from the published linkage_by_* tables only. A share is
 * the ratio of two published numbers, so it tells a reader nothing the
 * tables do not; where either is hidden there is no share.
 */
#include "report_parts.h"
#include "report_chart.h"

#include <stdio.h>
#include <string.h>

/* The table named name in s, or NULL. */
static const struct cohort_result *
find_result(const struct run_summary *s, const char *name)
{
    size_t i;

    for (i = 0; i < s->ncohorts; i++)
        if (s->cohorts[i].plan && !strcmp(s->cohorts[i].plan->name, name))
            return &s->cohorts[i];
    return NULL;
}

/* Period p's cell at (group, linked), either may be COORD_TOTAL. */
static const struct published_cell *
cell_at(const struct published_table *t, int p, uint32_t group,
        uint32_t linked)
{
    const struct published_cell *c = published_period_cells(t, p);
    size_t i;

    for (i = 0; i < t->ncells_per_period; i++)
        if (c[i].coord[0] == group && c[i].coord[1] == linked)
            return &c[i];
    return NULL;
}

/* One row: the group's persons, linked persons and the share. */
static void
group_row(const struct published_table *t, int p, uint32_t g,
          struct strbuf *sb)
{
    /* linked_departments: 1 is "2 or more departments" (linkgroup.h) */
    const struct published_cell *all = cell_at(t, p, g, COORD_TOTAL);
    const struct published_cell *linked = cell_at(t, p, g, 1);
    char nb[2][32];

    if (!all || !linked)
        return;
    strbuf_adds(sb, "<tr><th scope=\"row\">");
    strbuf_add_html(sb, g == COORD_TOTAL ? "All persons"
                                         : t->dim_labels[0][g]);
    strbuf_addf(sb, "</th><td class=\"n\">%s</td><td class=\"n\">%s</td>",
                report_cell_text(all, nb[0]),
                report_cell_text(linked, nb[1]));
    if (!report_symbol(all) && !report_symbol(linked) && all->value > 0)
        strbuf_addf(sb, "<td class=\"n\">%.1f%%</td></tr>\n",
                    100.0 * (double)linked->value / (double)all->value);
    else
        strbuf_adds(sb, "<td class=\"n\">&ndash;</td></tr>\n");
}

/* The table of one group column, for month p. */
static void
group_table(const struct report_ctx *rc, const struct cohort_result *cr,
            int p, struct strbuf *sb)
{
    const struct published_table *t = &cr->table;
    char id[96], month[24];
    uint32_t g;

    snprintf(id, sizeof(id), "t-%s", cr->plan->name);
    month_label(rc->periods[p].start, 1, month);
    strbuf_addf(sb,
                "<div class=\"wide\" role=\"region\" tabindex=\"0\" "
                "aria-labelledby=\"%s\">\n<table>\n<caption id=\"%s\">"
                "People linked across departments by ",
                id, id);
    report_by_heading(rc->s->plan, cr->plan, 0, 1, sb);
    strbuf_adds(sb, ", ");
    strbuf_add_html(sb, month);
    strbuf_adds(sb, "</caption>\n<thead><tr><th scope=\"col\">");
    report_by_heading(rc->s->plan, cr->plan, 0, 0, sb);
    strbuf_adds(sb, "</th><th scope=\"col\" class=\"n\">People known to a "
                    "department</th><th scope=\"col\" class=\"n\">Records "
                    "in 2 or more departments</th><th scope=\"col\" "
                    "class=\"n\">Share linked</th></tr></thead>\n<tbody>\n");
    for (g = 0; g < t->dim_n[0]; g++)
        group_row(t, p, g, sb);
    group_row(t, p, COORD_TOTAL, sb);
    strbuf_adds(sb, "</tbody>\n</table>\n</div>\n");
}

void
report_linkage_groups(const struct report_ctx *rc, struct strbuf *sb)
{
    static const char *const names[] = {"linkage_by_ethnicity",
                                        "linkage_by_sex",
                                        "linkage_by_age_band"};
    const struct cohort_result *cr[3];
    size_t i, n = 0;

    for (i = 0; i < 3; i++)
        if ((cr[n] = find_result(rc->s, names[i])) != NULL)
            n++;
    if (!n || rc->latest < 0)
        return;
    strbuf_adds(
        sb,
        "<h3 id=\"linkage-groups\">Linkage by group</h3>\n<p>How many of each "
        "group's people had records in two or more departments that the "
        "linkage joined, for the latest complete month. This is a proxy "
        "for how well linkage works for each group, not a measure of it: "
        "no true links are known in a run. A group whose share is well "
        "below the others' may be one whose records linkage misses (names "
        "the matching handles less well, so one person counts as two and "
        "drops out of cohorts that need both departments), or one that "
        "really does use fewer departments; only a test against known "
        "links (<code>cohort linkage --truth</code> on synthetic people) "
        "tells which. Linkage is tested to keep every ethnic group's "
        "recall within 1 percentage point of the overall. The counts pass "
        "the same protection as the tables; a share is shown only where "
        "both of its counts are, and a small group's share is rough: "
        "rounding or noise alone can move it by several points.</p>\n");
    for (i = 0; i < n; i++)
        group_table(rc, cr[i], rc->latest, sb);
}
