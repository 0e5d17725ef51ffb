/*
 * test_record.c - anonymise/record.c and anonymise/person.c on hand-made
 * rows and records: one mapped row in, one pseudonymous record out and no
 * plaintext left anywhere (the row's record, the builder's scratch, the
 * record itself, the comparison records the probabilistic stage keeps);
 * orphans of an id scope quarantined; a row with an
 * unmapped code a witness, not a record; and a person's attributes chosen
 * by the rules person.h documents for IG reviewers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "anonymise/generalise.h"
#include "anonymise/link.h"
#include "anonymise/person.h"
#include "anonymise/pseudonym.h"
#include "anonymise/record.h"
#include "anonymise/scope.h"
#include "anonymise/scope_assembly.h"
#include "core/row.h"
#include "core/calendar.h"
#include "app/config.h"
#include "core/period.h"
#include "transform/map.h"
#include "transform/quarantine.h"

/* Two tables of one system joined by its own id (header, then events),
 * two match keys: the NHS number, and names + date of birth + postcode. */
static const char conf_fmt[] =
    "[job]\nname = t\nreference_date = 2026-10-31\nkey_file = k\n"
    "output_dir = o\nlookup = %s\nperiods = 2\n"
    "age_bands = 0-4, 5-10, 11-15, 16-17, 18-24, 25-64, 65+\n"
    "[source h]\ndepartment = children_social_care\npath = h.csv\n"
    "id_scope = csc\nrole = header\n"
    "date_format = %%d/%%m/%%Y\nfield.local_id = ID\nfield.nhs_number = NHS\n"
    "field.forename = FN\nfield.surname = SN\nfield.dob = DOB\n"
    "field.postcode = PC\nfield.sex = SEX\nfield.service = SVC\n"
    "field.start_date = START\nvalue.service.CIN = child_in_need\n"
    "[source e]\ndepartment = children_social_care\npath = e.csv\n"
    "id_scope = csc\nrole = events\n"
    "date_format = %%d/%%m/%%Y\nfield.local_id = ID\nfield.nhs_number = NHS\n"
    "field.forename = FN\nfield.surname = SN\nfield.dob = DOB\n"
    "field.postcode = PC\nfield.sex = SEX\nfield.service = SVC\n"
    "field.start_date = START\nvalue.service.CIN = child_in_need\n"
    "[linkage]\nkeys = nhs_number; forename+surname+dob+postcode\n"
    "[cohort c]\nwhere = children_social_care.any\n";

#define NCOLS 9
static const char *const header[NCOLS] = {"ID",  "NHS", "FN",  "SN",   "DOB",
                                          "PC",  "SEX", "SVC", "START"};

/* Everything one test needs, built by setup(). */
struct fixture {
    char dir[64];
    struct job_plan plan;
    struct cohort_key key;
    struct pseudonymiser ps;
    struct geo_lookup geo;
    struct scope_index scopes;
    struct record_context ctx;
    struct cell cols[NCOLS];
    struct source_mapping m[2];
    struct quarantine q[2];
    struct linker linker;
    struct comparison_encoder enc;
    struct comparison_list cmp; /* both sources' comparison records */
    struct record_builder b[2];
};

static struct fixture fx;

static void
setup(void)
{
    char path[128], conf[4096];
    struct diag d;
    FILE *f;
    int i;

    memset(&fx, 0, sizeof(fx));
    snprintf(fx.dir, sizeof(fx.dir), "/tmp/cohort-record-XXXXXX");
    assert_non_null(mkdtemp(fx.dir));
    snprintf(path, sizeof(path), "%s/lookup.csv", fx.dir);
    assert_non_null(f = fopen(path, "w"));
    fputs("postcode,ward,lsoa\nLS20 1BY,Northgate,E01099003\n"
          "LS21 2AB,Southgate,E01099004\n",
          f);
    fclose(f);
    snprintf(conf, sizeof(conf), conf_fmt, path);
    snprintf(path, sizeof(path), "%s/job.conf", fx.dir);
    assert_non_null(f = fopen(path, "w"));
    fputs(conf, f);
    fclose(f);
    if (job_plan_load(&fx.plan, path, &d) != 0)
        fail_msg("%ld: %s", d.line, d.msg);
    memset(&fx.key, 7, sizeof(fx.key));
    assert_int_equal(pseudonymiser_init(&fx.ps, &fx.plan, &fx.key, &d), 0);
    assert_int_equal(geo_lookup_load(&fx.geo, fx.plan.lookup, &d), 0);
    assert_int_equal(scope_index_init(&fx.scopes, fx.plan.nscopes), 0);
    assert_int_equal(linker_init(&fx.linker, fx.plan.linkage.nkeys + 1), 0);
    fx.ctx.plan = &fx.plan;
    fx.ctx.ps = &fx.ps;
    fx.ctx.geo = &fx.geo;
    fx.ctx.scopes = &fx.scopes;
    assert_int_equal(comparison_encoder_init(&fx.enc, &fx.key), 0);
    fx.ctx.enc = &fx.enc;
    comparison_list_init(&fx.cmp, 0);
    for (i = 0; i < NCOLS; i++) {
        fx.cols[i].ptr = header[i];
        fx.cols[i].len = strlen(header[i]);
    }
    for (i = 0; i < 2; i++) {
        assert_int_equal(mapping_init(&fx.m[i], &fx.plan, &fx.plan.sources[i],
                                      fx.cols, NCOLS, &d),
                         0);
        quarantine_init(&fx.q[i], &fx.plan.sources[i]);
        assert_int_equal(record_builder_init(&fx.b[i], &fx.ctx,
                                             &fx.plan.sources[i], &fx.linker,
                                             &fx.cmp),
                         0);
    }
}

static void
teardown(void)
{
    char cmd[128];
    int i;

    for (i = 0; i < 2; i++) {
        record_builder_release(&fx.b[i]);
        quarantine_release(&fx.q[i]);
        mapping_release(&fx.m[i]);
    }
    linker_release(&fx.linker);
    comparison_list_release(&fx.cmp);
    comparison_encoder_release(&fx.enc);
    scope_index_release(&fx.scopes);
    geo_lookup_release(&fx.geo);
    pseudonymiser_release(&fx.ps);
    job_plan_release(&fx.plan);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx.dir);
    assert_int_equal(system(cmd), 0);
}

/* One row of source si (0 header, 1 events) through map_row() and
 * record_from_row(); *rec is left as the call left it. */
static int
one_row(int si, const char *const vals[NCOLS], long line, struct record *rec,
        struct pseudonymous_record *out, int *mapped)
{
    struct cell cells[NCOLS];
    struct raw_row row;
    size_t i;

    for (i = 0; i < NCOLS; i++) {
        cells[i].ptr = vals[i];
        cells[i].len = strlen(vals[i]);
    }
    memset(&row, 0, sizeof(row));
    row.cells = cells;
    row.ncells = NCOLS;
    row.line = line;
    *mapped = map_row(&fx.m[si], &row, rec, &fx.q[si]);
    return record_from_row(&fx.b[si], &fx.m[si], &row, *mapped, rec,
                           &fx.q[si], out);
}

/* 1 when the n bytes of needle occur in hay (memmem is a GNU extension). */
static int
contains(const void *hay, size_t hn, const void *needle, size_t n)
{
    const unsigned char *h = hay;
    size_t i;

    for (i = 0; i + n <= hn; i++)
        if (!memcmp(h + i, needle, n))
            return 1;
    return 0;
}

static int
all_zero(const void *p, size_t n)
{
    const unsigned char *c = p;
    size_t i;

    for (i = 0; i < n; i++)
        if (c[i])
            return 0;
    return 1;
}

/* No identifier of the row is left in rec, in the scratch, or in out. */
static void
assert_no_plaintext(const struct record *rec,
                    const struct pseudonymous_record *out,
                    const char *const vals[NCOLS])
{
    size_t i;

    assert_true(all_zero(rec->nhs_number, sizeof(rec->nhs_number)));
    assert_true(all_zero(rec->local_id, sizeof(rec->local_id)));
    assert_true(all_zero(rec->forename, sizeof(rec->forename)));
    assert_true(all_zero(rec->surname, sizeof(rec->surname)));
    assert_true(all_zero(rec->postcode, sizeof(rec->postcode)));
    assert_int_equal(rec->dob, DAY_NONE);
    assert_true(all_zero(fx.b[0].hashes, fx.b[0].nslots * 16));
    assert_true(all_zero(fx.b[1].hashes, fx.b[1].nslots * 16));
    /* the record has no room for them, and holds none of their bytes */
    for (i = 0; i < 6; i++)
        if (strlen(vals[i]) >= 4)
            assert_false(contains(out, sizeof(*out), vals[i], 4));
}

static void
test_record_from_row(void **state)
{
    static const char *const ann[NCOLS] = {
        "A1", "943 476 5919", "Ann", "Smith", "12/03/2014", "LS20 1BY",
        "F",  "CIN",          "01/02/2026"};
    static const char *const bob[NCOLS] = {
        "A2", "", "Bob", "Jones", "30/11/2015", "ZE2 9AA", "M", "CIN",
        "01/03/2026"};
    static const char *const nobody[NCOLS] = {
        "", "", "", "Jones", "30/11/2015", "", "M", "CIN", "01/03/2026"};
    struct record rec;
    struct pseudonymous_record pr;
    int mapped;

    (void)state;
    setup();
    assert_int_equal(one_row(0, ann, 2, &rec, &pr, &mapped), 1);
    assert_int_equal(mapped, 0);
    assert_no_plaintext(&rec, &pr, ann);
    assert_int_equal(fx.linker.nrecords, 1);
    /* generalised: the lookup's ward, LSOA and district; birth month */
    assert_string_equal(fx.geo.names.ward[pr.ward], "Northgate");
    assert_string_equal(fx.geo.names.lsoa[pr.lsoa], "E01099003");
    assert_string_equal(fx.geo.names.district[pr.district], "LS20");
    assert_int_equal(pr.birth.year, 2014);
    assert_int_equal(pr.birth.month, 3);
    assert_int_equal(pr.sex, SEX_F);
    assert_int_equal(pr.department, DEPT_CHILDREN_SOCIAL_CARE);
    assert_int_equal(pr.start, days_from_civil(2026, 2, 1));
    /* the strictest key it has: the NHS number (key 0), whose hash's
     * first 8 bytes are the token */
    assert_int_equal(pr.token_key, 0);
    {
        struct record r2;
        unsigned char h[2][16];
        uint8_t present[2];
        uint64_t t = 0;
        int i;

        record_clear(&r2);
        snprintf(r2.nhs_number, sizeof(r2.nhs_number), "9434765919");
        pseudonymise(&fx.ps, &r2, &fx.plan.sources[0], h, present, NULL);
        assert_int_equal(present[0], 1);
        for (i = 0; i < 8; i++)
            t = t << 8 | h[0][i];
        assert_true(t == pr.token);
    }

    /* no NHS number: the next key; a postcode the lookup lacks is UNKNOWN
     * in every geography, its district too, and counted */
    assert_int_equal(fx.b[0].unknown_postcodes, 0);
    assert_int_equal(one_row(0, bob, 3, &rec, &pr, &mapped), 1);
    assert_no_plaintext(&rec, &pr, bob);
    assert_int_equal(pr.token_key, 1);
    assert_int_equal(pr.ward, GEO_UNKNOWN);
    assert_int_equal(pr.lsoa, GEO_UNKNOWN);
    assert_int_equal(pr.district, GEO_UNKNOWN);
    assert_int_equal(fx.b[0].unknown_postcodes, 1);

    /* no key and no local id: a record with no token */
    assert_int_equal(one_row(0, nobody, 4, &rec, &pr, &mapped), 1);
    assert_int_equal(pr.token_key, RECORD_TOKEN_NONE);
    assert_true(pr.token == 0);
    assert_int_equal(fx.linker.nrecords, 3);
    teardown();
}

/* No identifier of vals, in any form the normalisers give it, is in the
 * comparison records: names in their cases, the date in every order and
 * separator, the postcode with and without its space, the NHS number. */
static void
assert_no_plaintext_compared(const char *const vals[NCOLS])
{
    static const char *const forms[] = {"ann", "Ann", "smith", "Smith",
                                        "SMITH", "bob", "Bob", "jones",
                                        "Jones", "2014", "1203", "0312",
                                        "12/03", "03-12", "ls20", "LS20",
                                        "1by", "1BY", "ze2", "ZE2",
                                        "9434765919", "943 476", "2015",
                                        "30/11", "11-30"};
    const void *mem = fx.cmp.r;
    size_t n = fx.cmp.n * 128, i;

    for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
        if (contains(mem, n, forms[i], strlen(forms[i])))
            fail_msg("comparison records hold '%s'", forms[i]);
    for (i = 0; i < 6; i++)
        if (strlen(vals[i]) >= 3)
            assert_false(contains(mem, n, vals[i], 3));
}

static void
test_record_comparison(void **state)
{
    static const char *const ann[NCOLS] = {
        "A1", "943 476 5919", "Ann", "Smith", "12/03/2014", "LS20 1BY",
        "F",  "CIN",          "01/02/2026"};
    static const char *const ann2[NCOLS] = {
        "A1", "943 476 5919", "ANN", "SMITH", "12/03/2014", "ls20 1by",
        "F",  "CIN",          "01/06/2026"};
    static const char *const bob[NCOLS] = {
        "A2", "", "Bob", "Jones", "30/11/2015", "ZE2 9AA", "M", "CIN",
        "01/03/2026"};
    static const char *const ep[NCOLS] = {"A2", "", "", "", "", "",
                                          "",   "CIN", "05/05/2026"};
    struct pseudonymous_record pr;
    struct match_record mr;
    struct record rec;
    int mapped;

    (void)state;
    setup();
    /* each kept row gets a comparison record, in memory only and with no
     * identifier in it; the plaintext is wiped as before */
    assert_int_equal(one_row(0, ann, 2, &rec, &pr, &mapped), 1);
    assert_no_plaintext(&rec, &pr, ann);
    assert_int_equal(pr.comparison, 0);
    /* another spell of Ann, spelt as another system spells her: the same
     * normalised values, the same record -- kept once */
    assert_int_equal(one_row(0, ann2, 3, &rec, &pr, &mapped), 1);
    assert_int_equal(pr.comparison, 0);
    assert_int_equal(fx.cmp.n, 1);
    assert_int_equal(fx.cmp.folded, 1);
    /* ... and not encoded again: the row before had the same identifiers */
    assert_int_equal(fx.b[0].rows_reused, 1);
    assert_int_equal(one_row(0, bob, 4, &rec, &pr, &mapped), 1);
    assert_no_plaintext(&rec, &pr, bob);
    assert_int_equal(pr.comparison, 1);
    assert_int_equal(fx.b[0].rows_reused, 1);
    /* an events row has nothing of its own to compare on, but its id
     * has: its record is kept beside its id's number, and person assembly
     * completes it from Bob's header row */
    assert_int_equal(one_row(1, ep, 2, &rec, &pr, &mapped), 1);
    assert_int_equal(pr.comparison, 2);
    assert_int_equal(fx.cmp.n, 3);
    assert_true(comparison_list_scope(&fx.cmp, 2) != 0);
    assert_int_equal(comparison_list_scope(&fx.cmp, 2),
                     comparison_list_scope(&fx.cmp, 1));
    assert_int_not_equal(comparison_list_scope(&fx.cmp, 0),
                         comparison_list_scope(&fx.cmp, 1));
    comparison_list_get(&fx.cmp, 2, &mr);
    assert_false(comparison_useful(&mr));
    assert_int_equal(scope_assemble(&fx.cmp, NULL), 0);
    comparison_list_get(&fx.cmp, 2, &mr);
    assert_true(comparison_useful(&mr));
    {
        struct match_record hdr;

        comparison_list_get(&fx.cmp, 1, &hdr);
        assert_true(mr.forename == hdr.forename && mr.surname == hdr.surname &&
                    mr.dob == hdr.dob && mr.sex == hdr.sex);
        assert_true(mr.postcode_unit == 0); /* its own: none */
    }
    assert_no_plaintext_compared(ann);
    assert_no_plaintext_compared(bob);
    /* what is kept: keyed tokens, small integers, the NHS anchor */
    comparison_list_get(&fx.cmp, 0, &mr);
    assert_true(mr.forename != 0 && mr.surname != 0 && mr.dob != 0);
    assert_true(mr.postcode_unit != 0 && mr.postcode_sector != 0);
    assert_int_equal(mr.birth_year, 2014);
    assert_int_equal(mr.birth_month, 3);
    assert_true(mr.nhs != 0);
    assert_true(mr.group == MATCH_NO_GROUP);
    assert_true(bloom_count(&mr.forename_bloom) > 0);
    comparison_list_get(&fx.cmp, 1, &mr);
    assert_true(mr.nhs == 0);
    /* without an encoder (probabilistic = no) no record is made */
    fx.ctx.enc = NULL;
    assert_int_equal(one_row(0, bob, 5, &rec, &pr, &mapped), 1);
    assert_int_equal(pr.comparison, COMPARISON_NONE);
    assert_int_equal(fx.cmp.n, 3);
    teardown();
}

/* A row takes the last row's comparison record only when every
 * identifier is the same: one field apart (the date of birth, the
 * postcode) is a record of its own. */
static void
test_record_comparison_reuse(void **state)
{
    static const char *const ann[NCOLS] = {
        "A1", "943 476 5919", "Ann", "Smith", "12/03/2014", "LS20 1BY",
        "F",  "CIN",          "01/02/2026"};
    static const char *const ann_dob[NCOLS] = {
        "A1", "943 476 5919", "Ann", "Smith", "13/03/2014", "LS20 1BY",
        "F",  "CIN",          "01/03/2026"};
    static const char *const ann_pc[NCOLS] = {
        "A1", "943 476 5919", "Ann", "Smith", "12/03/2014", "LS20 1BZ",
        "F",  "CIN",          "01/04/2026"};
    static const long want[6] = {0, 1, 0, 2, 2, 0};
    const char *const *rows[6] = {ann, ann_dob, ann, ann_pc, ann_pc, ann};
    struct pseudonymous_record pr;
    struct record rec;
    int mapped, i;

    (void)state;
    setup();
    for (i = 0; i < 6; i++) {
        assert_int_equal(one_row(0, rows[i], 2 + i, &rec, &pr, &mapped), 1);
        assert_int_equal(pr.comparison, want[i]);
        assert_no_plaintext(&rec, &pr, rows[i]);
    }
    assert_int_equal(fx.cmp.n, 3);
    assert_int_equal(fx.b[0].rows_reused, 1); /* the fifth row */
    assert_no_plaintext_compared(ann);
    teardown();
}

static void
test_record_scope(void **state)
{
    static const char *const head[NCOLS] = {
        "C7", "", "Cat", "Green", "01/01/2012", "LS20 1BY", "F", "CIN",
        "01/01/2026"};
    static const char *const ep[NCOLS] = {"C7", "", "", "", "", "",
                                          "",   "CIN", "05/05/2026"};
    static const char *const orphan[NCOLS] = {"X9", "", "", "", "", "",
                                              "",   "CIN", "05/05/2026"};
    struct record rec;
    struct pseudonymous_record pr;
    int mapped;

    (void)state;
    setup();
    /* a header row: its strictest key is names + dob + postcode (key 1) */
    assert_int_equal(one_row(0, head, 2, &rec, &pr, &mapped), 1);
    assert_int_equal(pr.token_key, 1);
    assert_int_equal(fx.scopes.stats[0].header_rows, 1);
    /* an events row joins its header's id: a record whose only key is the
     * scoped id (token ranked after both linkage keys) */
    assert_int_equal(one_row(1, ep, 2, &rec, &pr, &mapped), 1);
    assert_no_plaintext(&rec, &pr, ep);
    assert_int_equal(pr.token_key, fx.plan.linkage.nkeys);
    assert_int_equal(fx.scopes.stats[0].events_joined, 1);
    /* an events row no header lists: no record, quarantined where the id
     * is, and the row counts as quarantined, not accepted */
    assert_int_equal(one_row(1, orphan, 3, &rec, &pr, &mapped), 0);
    assert_int_equal(mapped, 0);
    assert_no_plaintext(&rec, &pr, orphan);
    assert_int_equal(fx.scopes.stats[0].events_orphaned, 1);
    assert_int_equal(fx.q[1].by_reason[QR_ORPHAN_LOCAL_ID], 1);
    assert_int_equal(fx.q[1].rows_in, 2);
    assert_int_equal(fx.q[1].rows_accepted, 1);
    assert_int_equal(fx.q[1].rows_quarantined, 1);
    assert_int_equal(fx.q[1].rows[0].line, 3);
    assert_int_equal(fx.q[1].rows[0].column, 1); /* ID, the first column */
    assert_int_equal(fx.linker.nrecords, 2);
    teardown();
}

static void
test_record_witness(void **state)
{
    static const char *const dan[NCOLS] = {
        "D4", "", "Dan", "Hill", "02/02/2010", "LS20 1BY", "M", "CIN2",
        "01/02/2026"};
    static const char *const nokey[NCOLS] = {
        "", "", "", "", "02/02/2010", "", "M", "CIN2", "01/02/2026"};
    struct record rec;
    struct pseudonymous_record pr;
    int mapped;

    (void)state;
    setup();
    /* an unmapped plain code: no record, but the row's keys join the
     * linker as a probe and its token witnesses the code -- once per
     * person, however many of their rows carry it */
    assert_int_equal(one_row(0, dan, 2, &rec, &pr, &mapped), 0);
    assert_int_equal(mapped, 1 + QR_UNMAPPED_VALUE);
    assert_no_plaintext(&rec, &pr, dan);
    assert_int_equal(one_row(0, dan, 3, &rec, &pr, &mapped), 0);
    assert_int_equal(fx.q[0].unmapped.ncodes, 1);
    assert_string_equal(fx.q[0].unmapped.codes[0].code, "CIN2");
    assert_int_equal(fx.q[0].unmapped.codes[0].n, 2);
    assert_int_equal(fx.q[0].unmapped.codes[0].nwitness, 1);
    assert_int_equal(fx.linker.nprobes, 1);
    assert_int_equal(fx.linker.nrecords, 0);
    /* a row with no key at all could be anyone's: no witness */
    assert_int_equal(one_row(0, nokey, 4, &rec, &pr, &mapped), 0);
    assert_int_equal(fx.q[0].unmapped.codes[0].nwitness, 1);
    assert_int_equal(fx.linker.nprobes, 1);

    /* after linkage, its persons are the distinct classes of its
     * witnesses; a code is named from suppress_hi + 1 persons */
    assert_int_equal(linker_run(&fx.linker), 0);
    unmapped_count_persons(&fx.q[0].unmapped, &fx.linker);
    assert_int_equal(fx.q[0].unmapped.codes[0].persons, 1);
    assert_int_equal(unmapped_min_persons(&fx.plan),
                     (uint64_t)fx.plan.disclosure.suppress_hi + 1);
    teardown();
}

/* A linker of two slots where record i carries hash group[i] (0: none)
 * in slot 1. */
static void
link_groups(struct linker *l, const int *group, size_t n)
{
    size_t i;

    assert_int_equal(linker_init(l, 2), 0);
    for (i = 0; i < n; i++) {
        unsigned char h[2][16];
        uint8_t present[2] = {0, group[i] != 0};
        struct link_anchors a = {0, 0};

        memset(h, 0, sizeof(h));
        h[1][0] = (unsigned char)group[i];
        assert_int_equal(linker_add(l, (const unsigned char(*)[16])h, present,
                                    &a),
                         (long)i);
    }
    assert_int_equal(linker_run(l), 0);
}

/* recs[0..n) pushed into a new list l. */
static void
list_of(const struct pseudonymous_record *recs, size_t n,
        struct record_list *l)
{
    size_t i;

    memset(l, 0, sizeof(*l));
    for (i = 0; i < n; i++)
        assert_int_equal(record_list_push(l, &recs[i]), 0);
}

static struct pseudonymous_record
rec_of(uint8_t sex, uint8_t eth, int16_t year, uint8_t month, uint32_t ward,
       uint32_t district, int32_t start, uint16_t service, uint8_t dept,
       uint8_t token_key, uint64_t token)
{
    struct pseudonymous_record r;

    memset(&r, 0, sizeof(r));
    r.sex = sex;
    r.ethnicity = eth;
    r.birth.year = year;
    r.birth.month = month;
    r.birth.by_ref_day = 1;
    r.ward = ward;
    r.lsoa = ward;
    r.district = district;
    r.start = start;
    r.end = DAY_OPEN;
    r.service = service;
    r.department = dept;
    r.token_key = token_key;
    r.token = token;
    return r;
}

static void
test_person_assembly(void **state)
{
    /* person 0: records 0, 1, 2 and 4 (one hash); person 1: record 3 */
    static const int group[5] = {1, 1, 1, 0, 1};
    struct pseudonymous_record recs[5];
    struct record_list rl;
    struct linker l;
    struct person_set ps;
    struct period periods[2];
    struct department_tally dept[DEPT_MAX];
    const struct spell *sp;
    int p;

    (void)state;
    setup();
    recs[0] = rec_of(SEX_M, ETH_UNKNOWN, 2010, 5, GEO_UNKNOWN, GEO_UNKNOWN,
                     100, 0, DEPT_HOUSING, 1, 50);
    recs[1] = rec_of(SEX_F, ETH_WHITE, 2010, 5, 2, 1, 300, 0,
                     DEPT_CHILDREN_SOCIAL_CARE, 0, 900);
    recs[2] = rec_of(SEX_U, ETH_ASIAN, 2011, 1, GEO_UNKNOWN, 3, 400,
                     SERVICE_NONE, DEPT_CHILDREN_SOCIAL_CARE, 0, 700);
    recs[3] = rec_of(SEX_U, ETH_UNKNOWN, 0, 0, GEO_UNKNOWN, GEO_UNKNOWN, 50,
                     0, DEPT_EDUCATION, RECORD_TOKEN_NONE, 0);
    recs[4] = rec_of(SEX_F, ETH_UNKNOWN, 2010, 5, 4, 2, 200, 0,
                     DEPT_HOUSING, 1, 10);
    link_groups(&l, group, 5);
    assert_int_equal(linker_npersons(&l), 2);
    periods_compute(fx.plan.reference_date, fx.plan.periods, periods);
    memset(dept, 0, sizeof(dept));
    list_of(recs, 5, &rl);
    assert_int_equal(person_set_build(&ps, &fx.plan, periods, &rl, &l,
                                      &fx.ps, &fx.geo.names, dept),
                     0);
    record_list_release(&rl);
    assert_int_equal(ps.npersons, 2);
    assert_ptr_equal(ps.geo, &fx.geo.names);

    /* sex: the most frequent known value (F twice, M once; U not counted) */
    assert_int_equal(ps.sex[0], SEX_F);
    /* ethnicity: WHITE and ASIAN once each; the first to reach the top
     * count wins (input order), UNKNOWN not counted */
    assert_int_equal(ps.ethnicity[0], ETH_WHITE);
    /* birth 2010-05 (three records against one): 16 at the end of both
     * periods (2026-09-30, 2026-10-31) -> band 16-17, the fourth */
    for (p = 0; p < 2; p++)
        assert_int_equal(ps.age_band[0 * 2 + (size_t)p], 3);
    /* geography: the latest record with a known ward (start 300, ward 2),
     * not the later one with a district only (start 400); all three
     * geographies from that one record */
    assert_int_equal(ps.ward[0], 2);
    assert_int_equal(ps.lsoa[0], 2);
    assert_int_equal(ps.district[0], 1);
    /* record key: from the strictest key (0) and, within it, the smallest
     * token (700, not 900), whatever the order */
    assert_int_equal(ps.record_key[0], pseudonym_record_key(&fx.ps, 0, 700));
    /* spells: one per record with a service, by start */
    assert_int_equal(ps.spell_first[0], 0);
    assert_int_equal(ps.spell_first[1], 3);
    sp = &ps.spells[0];
    assert_int_equal(sp[0].start, 100);
    assert_int_equal(sp[1].start, 200);
    assert_int_equal(sp[2].start, 300);
    assert_int_equal(sp[2].department, DEPT_CHILDREN_SOCIAL_CARE);

    /* person 1 knows nothing: every attribute unknown, record key 0 */
    assert_int_equal(ps.sex[1], SEX_U);
    assert_int_equal(ps.ethnicity[1], ETH_UNKNOWN);
    assert_int_equal(ps.age_band[1 * 2], AGE_BAND_UNKNOWN);
    assert_int_equal(ps.ward[1], GEO_UNKNOWN);
    assert_int_equal(ps.district[1], GEO_UNKNOWN);
    assert_int_equal(ps.record_key[1], 0);
    assert_int_equal(ps.spell_first[2], 4);
    assert_int_equal(ps.nspells, 4);

    /* tallies: records, persons per department, their record keys */
    assert_int_equal(dept[DEPT_HOUSING].records, 2);
    assert_int_equal(dept[DEPT_HOUSING].persons, 1);
    assert_int_equal(dept[DEPT_HOUSING].key_sum, ps.record_key[0]);
    assert_int_equal(dept[DEPT_CHILDREN_SOCIAL_CARE].records, 2);
    assert_int_equal(dept[DEPT_CHILDREN_SOCIAL_CARE].persons, 1);
    assert_int_equal(dept[DEPT_EDUCATION].records, 1);
    assert_int_equal(dept[DEPT_EDUCATION].persons, 1);
    assert_int_equal(dept[DEPT_EDUCATION].key_sum, 0);
    assert_int_equal(dept[DEPT_ADULT_SOCIAL_CARE].records, 0);
    person_set_release(&ps);
    linker_release(&l);
    teardown();
}

/* Ties and order: sex and ethnicity go to the first value to reach the
 * top count, a birth to the first record's; geography to the later of
 * two records with the same start; the record key does not depend on the
 * order the records came in. */
static void
test_person_ties(void **state)
{
    static const int group[4] = {1, 1, 1, 1};
    struct pseudonymous_record recs[4], rev[4];
    struct record_list rl;
    struct linker l;
    struct person_set a, b;
    struct period periods[2];
    struct department_tally dept[DEPT_MAX];
    int i;

    (void)state;
    setup();
    /* F comes first, but M reaches two first (records 1, 2); births
     * 2001-01 and 2010-02 twice each */
    recs[0] = rec_of(SEX_F, ETH_MIXED, 2001, 1, 1, 1, 10, 0, DEPT_HOUSING, 1,
                     5);
    recs[1] = rec_of(SEX_M, ETH_BLACK, 2010, 2, 2, 1, 10, 0, DEPT_HOUSING, 1,
                     3);
    recs[2] = rec_of(SEX_M, ETH_BLACK, 2010, 2, 3, 1, 10, 0, DEPT_HOUSING, 1,
                     9);
    recs[3] = rec_of(SEX_F, ETH_MIXED, 2001, 1, GEO_UNKNOWN, 2, 99, 0,
                     DEPT_HOUSING, 1, 4);
    for (i = 0; i < 4; i++)
        rev[i] = recs[3 - i];
    periods_compute(fx.plan.reference_date, fx.plan.periods, periods);
    link_groups(&l, group, 4);
    memset(dept, 0, sizeof(dept));
    list_of(recs, 4, &rl);
    assert_int_equal(person_set_build(&a, &fx.plan, periods, &rl, &l,
                                      &fx.ps, &fx.geo.names, dept),
                     0);
    record_list_release(&rl);
    list_of(rev, 4, &rl);
    assert_int_equal(person_set_build(&b, &fx.plan, periods, &rl, &l,
                                      &fx.ps, &fx.geo.names, dept),
                     0);
    record_list_release(&rl);
    assert_int_equal(a.sex[0], SEX_M);
    assert_int_equal(a.ethnicity[0], ETH_BLACK);
    /* 2001-01, the first record's: 25 (25-64, the sixth band), not 16 */
    assert_int_equal(a.age_band[1], 5);
    /* equal starts among known wards: the later record wins the tie; a
     * later record with a district only does not count against a ward */
    assert_int_equal(a.ward[0], 3);
    assert_int_equal(b.ward[0], 1);
    /* the smallest token of the strictest key (key 1: 3), in either order */
    assert_int_equal(a.record_key[0], pseudonym_record_key(&fx.ps, 1, 3));
    assert_int_equal(b.record_key[0], a.record_key[0]);
    person_set_release(&a);
    person_set_release(&b);
    linker_release(&l);
    teardown();
}

/* A record list keeps a run of rows with the same attributes as one
 * attributes entry and gives every record back as it was pushed; append
 * and renumber keep each row with its own attributes. */
static void
test_record_list(void **state)
{
    struct pseudonymous_record r[5], got;
    struct record_list a, b;
    size_t i;

    (void)state;
    r[0] = rec_of(SEX_F, ETH_WHITE, 2010, 5, 2, 1, 100, 3, DEPT_HOUSING, 1, 7);
    r[1] = r[0];
    r[1].start = 200;
    r[1].end = 300;
    r[1].service = 4;
    r[1].ret = 2;
    r[1].period = 1;
    r[2] = r[1];
    r[2].ward = 5;                       /* moved: new attributes */
    r[3] = rec_of(SEX_M, ETH_ASIAN, 1990, 1, 3, 2, 50, SERVICE_NONE,
                  DEPT_EDUCATION, RECORD_TOKEN_NONE, 0);
    r[3].comparison = 9;
    r[4] = r[3];                         /* a repeat across the append */
    for (i = 0; i < 5; i++)
        if (i != 3)
            r[i].comparison = i == 4 ? 9 : COMPARISON_NONE;
    list_of(r, 3, &a);
    assert_int_equal(a.n, 3);
    assert_int_equal(a.nattrs, 2);
    assert_int_equal(a.rows[0].attrs, a.rows[1].attrs);
    list_of(r + 3, 2, &b);
    assert_int_equal(b.nattrs, 1);
    record_list_renumber(&b, 10, 100);
    r[3].comparison = r[4].comparison = 109;
    assert_int_equal(record_list_append(&a, &b), 0);
    assert_int_equal(b.n, 0);
    assert_null(b.rows);
    assert_int_equal(a.n, 5);
    assert_int_equal(a.nattrs, 3);
    for (i = 0; i < 5; i++) {
        record_list_get(&a, i, &got);
        if (i == 1 || i == 2)
            assert_int_equal(got.ret, 2);
        assert_memory_equal(&got, &r[i], sizeof(got));
    }
    /* renumbering leaves no return at 0 and no COMPARISON_NONE */
    record_list_renumber(&a, 1, 1);
    record_list_get(&a, 0, &got);
    assert_int_equal(got.ret, 0);
    assert_int_equal(got.comparison, COMPARISON_NONE);
    record_list_get(&a, 1, &got);
    assert_int_equal(got.ret, 3);
    record_list_get(&a, 4, &got);
    assert_int_equal(got.comparison, 110);
    record_list_release(&a);
    record_list_release(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_from_row),
        cmocka_unit_test(test_record_comparison),
        cmocka_unit_test(test_record_comparison_reuse),
        cmocka_unit_test(test_record_scope),
        cmocka_unit_test(test_record_witness),
        cmocka_unit_test(test_person_assembly),
        cmocka_unit_test(test_person_ties),
        cmocka_unit_test(test_record_list),
    };

    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
