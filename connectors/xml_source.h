/*
 * xml_source.h - the XML connector: a generic record-path reader that
 * turns an XML submission (a CIN census return, and later an H-CLIC one)
 * into the rows the rest of cohort reads through connectors/source.h, one
 * row per repeating element, streamed with expat so that a return of any
 * size is read in memory bounded by one record.
 *
 * A layout says what a row is (struct source_plan, core/plan.h):
 *
 *   xml_record      the repeating element, as an absolute path of element
 *                   names from the root:  /Message/Children/Child/CINdetails
 *   xml_column.NAME where column NAME (what field.X = NAME maps) is read:
 *                   a path relative to the record (CINreferralDate,
 *                   Section47/S47ActualStartDate), or an absolute path
 *                   into one of the record's ancestors
 *                   (/Message/Children/Child/ChildIdentifiers/LAchildID,
 *                   /Message/Header/CollectionDetails/Year). Several
 *                   paths joined by '|' are alternatives: the first of
 *                   them the record (or its ancestor) has is read -- how
 *                   one layout reads both the 2024 CIN census's <Sex> and
 *                   the earlier <GenderCurrent>.
 *
 * A built-in profile (transform/profiles.c: cin_census, cin_census_plans)
 * supplies a layout; xml_record and xml_column.NAME in the [source]
 * override it. To read another return (H-CLIC, say), write its layout in
 * the job file, or add it to a profile, and map its columns as for CSV;
 * this file needs no change.
 *
 * What a row holds: a column's cell is the text of its element (the text
 * of its descendants included, surrounding XML whitespace trimmed),
 * empty when the record or its ancestor has no such element. Element
 * names are compared by local name (a namespace prefix or URI is set
 * aside); attributes are not read. A column read from an ancestor must
 * come before the records that use it in the document (the CIN
 * census's ChildIdentifiers and ChildCharacteristics come before its
 * CINdetails, as its schema says); one that comes after a record of the
 * same ancestor was read is a source error (rule "xml_order"), never a
 * silently empty cell. An element a column reads that appears twice in
 * one record (or ancestor) makes the row a ragged_row fault at that
 * column; a cell over max_field_bytes a field_too_long fault. An element
 * with no record inside it (a Child without CINdetails) gives no row.
 *
 * Source errors (CE_DATA, the file named by its position, the line and
 * 1-based byte column expat reports, never a value): malformed XML
 * (rule xml_syntax), a file that ends inside an element (xml_truncated),
 * bytes that are not the document's encoding (invalid_encoding), a NUL
 * byte (nul_byte), an encoding expat does not know (xml_encoding: UTF-8,
 * UTF-16, ISO-8859-1 and US-ASCII are read), any document type
 * declaration (xml_doctype: entities are never expanded, so no entity
 * bomb or external entity is ever read), a root element other than the
 * record path's first (xml_root), nesting deeper than 256 elements or a
 * path over 4096 bytes (xml_depth), a tag, comment or processing
 * instruction longer than max_field_bytes (xml_token: expat holds one
 * whole, so an endless one would pull the file into memory; text is
 * handed over as it comes and never is), and a gzip file (xml_gzip: XML
 * sources are read uncompressed). The encoding key is the CSV
 * connector's: an XML document says its own.
 *
 * Calling sequence: through source.h (format = xml). Configuration checks
 * use xml_path_check().
 */
#ifndef COHORT_XML_SOURCE_H
#define COHORT_XML_SOURCE_H

#include "source.h"

/* Deepest nesting, and longest element path, an XML source reads. */
#define XML_MAX_DEPTH 256
#define XML_MAX_PATH 4096

/*
 * Checks the syntax of a layout path: for the record (record = 1) one
 * absolute path; for a column one or more paths joined by '|', each
 * absolute or relative, of element names (letters, digits, '_', '-',
 * '.', a ':' prefix) separated by single '/'. Returns NULL when it is
 * well formed, else what is wrong (a static string that quotes nothing).
 */
const char *xml_path_check(const char *path, int record);

/*
 * Checks what a path's syntax cannot show: that p's record and columns
 * make a layout (no column reads the record or one of its ancestors; a
 * column's alternatives are all inside the record, or all in the same
 * ancestor). 0, or CE_CONFIG with d naming the column and its line in
 * the job file (d->source: the source's name), or CE_NOMEM.
 */
int xml_layout_check(const struct source_plan *p, struct diag *d);

#endif
