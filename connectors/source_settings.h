/*
 * source_settings.h - the [source NAME] keys a connector reads: which
 * backend (format), where its rows are (path; conninfo with query or
 * table) and how a file is spelt (encoding, delimiter, quote, header,
 * the caps on a field and a row). The mapping keys of the same section
 * are transform/map_settings.h's.
 *
 *     settings_boot(source_connector_settings, s, &ctx);   (defaults)
 *     ... app/config.c applies each key found in the table ...
 *     source_connector_finish(s, &ctx);  (after the whole file)
 */
#ifndef COHORT_SOURCE_SETTINGS_H
#define COHORT_SOURCE_SETTINGS_H

#include "../core/plan.h"
#include "../core/settings.h"

/* The connector's keys of [source NAME], over struct source_plan. */
extern const struct setting source_connector_settings[];

/*
 * Checks what one key cannot: a csv source has a path, a postgres one a
 * conninfo and exactly one of query and table, an xml one a path and a
 * layout its reader can use (connectors/xml_source.h), and no other has
 * an XML layout. 0 or CE_CONFIG with ctx
 * naming the section's line.
 */
int source_connector_finish(const struct source_plan *s,
                            struct setting_ctx *ctx);

#endif
