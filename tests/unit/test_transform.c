/* Table-driven tests for transform/normalise.c and transform/validate.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../core/calendar.h"
#include "../../transform/normalise.h"
#include "../../core/schema.h"
#include "../../transform/validate.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void
test_names(void **state)
{
    static const struct { const char *in, *out; } t[] = {
        {"  Smith ", "smith"},
        {"O'Brien", "o brien"},                        /* an elided particle */
        {"O\xE2\x80\x99" "Brien", "o brien"},         /* curly apostrophe */
        {"Sa'id", "said"},                             /* inside a word */
        {"Smith-Jones", "smith jones"},
        {"Zo\xC3\xAB", "zoe"},                         /* Zoë */
        {"Ni\xCC\x81" "amh", "niamh"},                 /* combining acute */
        {"N\xC3\xAD Bhriain", "ni bhriain"},           /* Ní Bhriain */
        {"Si\xC3\xA2n", "sian"},                       /* Siân */
        {"Llywelyn ap Gruffydd", "llywelyn ap gruffydd"},
        {"McDonald", "mcdonald"},
        {"MacDonald", "macdonald"},
        {"Mr John  SMITH", "john smith"},
        {"Dr. Jane Doe", "jane doe"},
        {"Mrs", "mrs"},                                /* a title alone stays */
        {"Stra\xC3\x9F" "e", "strasse"},               /* ß */
        {"\xC3\x86thelred", "aethelred"},              /* Æ */
        {"\xC5\x81ukasz", "lukasz"},                   /* Ł */
        {"J.R.R. Tolkien", "j r r tolkien"},
        {"Anne-Marie  O'Neill", "anne marie o neill"},
        {"  \xC3\x89milie ", "emilie"},
    };
    static const char *const bad[] = {"", "   ", "'-.", "\xC3", "\xFF" "abc",
                                      "\xED\xA0\x80" /* surrogate */};
    char out[96];
    size_t i;

    (void)state;
    for (i = 0; i < N(t); i++) {
        int n = normalise_name(t[i].in, strlen(t[i].in), out, sizeof(out));

        if (n < 0 || strcmp(out, t[i].out))
            fail_msg("name case %zu: got '%s' want '%s'", i, out, t[i].out);
        assert_int_equal(n, (int)strlen(t[i].out));
    }
    for (i = 0; i < N(bad); i++)
        assert_int_equal(normalise_name(bad[i], strlen(bad[i]), out,
                                        sizeof(out)), -1);
    assert_int_equal(normalise_name("abcdef", 6, out, 4), -1);
}

static void
test_dates(void **state)
{
    static const struct {
        const char *in, *fmt;
        enum date_fault f;
        int y, m, d;
    } t[] = {
        {"31/01/2020", "%d/%m/%Y", DATE_OK, 2020, 1, 31},
        {"1/2/2020", "%d/%m/%Y", DATE_OK, 2020, 2, 1},
        {"29/02/2020", "%d/%m/%Y", DATE_OK, 2020, 2, 29},
        {"29/02/2021", "%d/%m/%Y", DATE_IMPOSSIBLE, 0, 0, 0},
        {"31/02/2020", "%d/%m/%Y", DATE_IMPOSSIBLE, 0, 0, 0},
        {"01/13/2020", "%d/%m/%Y", DATE_IMPOSSIBLE, 0, 0, 0},
        {"2020-02-29", NULL, DATE_OK, 2020, 2, 29},
        {"2020-02-29", "%d/%m/%Y", DATE_OK, 2020, 2, 29}, /* ISO always */
        {"2020-02-29T10:00:00", NULL, DATE_OK, 2020, 2, 29},
        {"2020-02-29 10:00:00", NULL, DATE_OK, 2020, 2, 29},
        {"20200229", NULL, DATE_OK, 2020, 2, 29},
        {"03-Mar-2019", "%d-%b-%Y", DATE_OK, 2019, 3, 3},
        {"03-march-2019", "%d-%b-%Y", DATE_OK, 2019, 3, 3},
        {"05/06/30", "%d/%m/%y", DATE_OK, 1930, 6, 5},   /* pivot 2026 */
        {"05/06/26", "%d/%m/%y", DATE_OK, 2026, 6, 5},
        {"05/06/27", "%d/%m/%y", DATE_OK, 1927, 6, 5},
        {"12/31/1899", "%m/%d/%Y", DATE_BEFORE_1900, 0, 0, 0},
        {"", NULL, DATE_EMPTY, 0, 0, 0},
        {"  ", NULL, DATE_EMPTY, 0, 0, 0},
        {"yesterday", NULL, DATE_SYNTAX, 0, 0, 0},
        {"2020/02/29", NULL, DATE_SYNTAX, 0, 0, 0},
        {"31/01/2020 extra", "%d/%m/%Y", DATE_SYNTAX, 0, 0, 0},
        {"14/02/13", "%d/%m/%Y", DATE_SYNTAX, 0, 0, 0},
    };
    /* a spreadsheet's date and time cell: the date part's length */
    static const struct {
        const char *in;
        size_t date;
    } tt[] = {
        {"14/02/2013 00:00:00", 10}, {"14/02/2013 9:30", 10},
        {"14/02/2013 00:00:00.000", 10}, {"14/02/2013 00:00:00 ", 10},
        {"14-Feb-2013 23:59:60", 11}, {"14/02/2013", 10},
        {"14/02/2013 24:00:00", 19}, {"14/02/2013 00:00:", 17},
        {"14/02/2013  00:00:00", 20}, {"14 02 2013", 10}, {" 00:00", 6},
        {"14/02/2013 0:0", 14},
    };
    size_t i;
    int32_t day;

    (void)state;
    for (i = 0; i < N(t); i++) {
        enum date_fault f = parse_date(t[i].in, strlen(t[i].in), t[i].fmt,
                                       2026, &day);

        if (f != t[i].f)
            fail_msg("date case %zu: fault %d want %d", i, f, t[i].f);
        if (f == DATE_OK)
            assert_int_equal(day, days_from_civil(t[i].y, t[i].m, t[i].d));
    }
    for (i = 0; i < N(tt); i++)
        if (date_without_time_of_day(tt[i].in, strlen(tt[i].in)) != tt[i].date)
            fail_msg("time of day case %zu", i);
    assert_true(dob_is_future(days_from_civil(2027, 1, 1),
                              days_from_civil(2026, 10, 31)));
    assert_false(dob_is_future(days_from_civil(2026, 10, 31),
                               days_from_civil(2026, 10, 31)));
    assert_false(date_beyond_tolerance(days_from_civil(2026, 12, 1),
                                       days_from_civil(2026, 10, 31)));
    assert_true(date_beyond_tolerance(days_from_civil(2026, 12, 2),
                                      days_from_civil(2026, 10, 31)));
    assert_int_equal(excel_integer_length("566910.0", 8), 6);
    assert_int_equal(excel_integer_length("566910.000", 10), 6);
    assert_int_equal(excel_integer_length("566910.5", 8), 8);
    assert_int_equal(excel_integer_length("A566910.0", 9), 9);
    assert_int_equal(excel_integer_length(".0", 2), 2);
    assert_int_equal(excel_integer_length("566910.", 7), 6);
}

/* Formats tried in order: the first real date wins, a second reading
 * of another date marks it ambiguous, the most telling fault is kept. */
static void
test_date_lists(void **state)
{
    static const char *const two[] = {"%d/%m/%Y", "%m/%d/%Y"};
    static const char *const mixed[] = {"%d-%b-%Y", "%d/%m/%Y"};
    static const struct {
        const char *in;
        const char *const *fmts;
        size_t n;
        enum date_fault f;
        int y, m, d, ambiguous;
    } t[] = {
        {"03/04/2020", two, 2, DATE_OK, 2020, 4, 3, 1},
        {"25/04/2020", two, 2, DATE_OK, 2020, 4, 25, 0},
        {"04/25/2020", two, 2, DATE_OK, 2020, 4, 25, 0},
        {"05/05/2020", two, 2, DATE_OK, 2020, 5, 5, 0}, /* the same date */
        {"31/31/2020", two, 2, DATE_IMPOSSIBLE, 0, 0, 0, 0},
        {"03-Mar-1987", mixed, 2, DATE_OK, 1987, 3, 3, 0},
        {"03/03/1987", mixed, 2, DATE_OK, 1987, 3, 3, 0},
        {"1987-03-03", mixed, 2, DATE_OK, 1987, 3, 3, 0}, /* ISO after */
        {"3rd March", mixed, 2, DATE_SYNTAX, 0, 0, 0, 0},
        {"", mixed, 2, DATE_EMPTY, 0, 0, 0, 0},
    };
    const char *starts[DATE_FORMATS_MAX];
    size_t lens[DATE_FORMATS_MAX], i;
    int32_t day;
    int amb;

    (void)state;
    for (i = 0; i < N(t); i++) {
        enum date_fault f = parse_date_formats(t[i].in, strlen(t[i].in),
                                               t[i].fmts, t[i].n, 2026, &day,
                                               &amb);

        if (f != t[i].f || (f == DATE_OK && amb != t[i].ambiguous))
            fail_msg("date list case %zu: fault %d want %d, ambiguous %d",
                     i, f, t[i].f, amb);
        if (f == DATE_OK)
            assert_int_equal(day, days_from_civil(t[i].y, t[i].m, t[i].d));
    }
    assert_int_equal(date_format_split(" %d/%m/%Y ,%d-%b-%Y", starts, lens,
                                       DATE_FORMATS_MAX), 2);
    assert_int_equal(lens[0], 8);
    assert_memory_equal(starts[1], "%d-%b-%Y", 8);
    assert_int_equal(date_format_split("%d/%m/%Y,", starts, lens, 8), -1);
    assert_int_equal(date_format_split("a,b,c", starts, lens, 2), -1);
    assert_int_equal(date_format_valid("%d/%m/%Y", 8), 0);
    assert_int_equal(date_format_valid("%e %B %y %H:%M", 14), 0);
    assert_int_equal(date_format_valid("%d/%m", 5), -1);   /* no year */
    assert_int_equal(date_format_valid("%d/%q/%Y", 8), -1); /* unknown */
    assert_int_equal(date_format_valid("%d/%m/%Y%", 9), -1);
}

static void
test_postcodes(void **state)
{
    static const struct { const char *in, *full, *sector, *district, *area; } t[] = {
        {"EC1V 9HX", "EC1V 9HX", "EC1V 9", "EC1V", "EC"},
        {"ec1v9hx", "EC1V 9HX", "EC1V 9", "EC1V", "EC"},
        {" SW1A  1AA ", "SW1A 1AA", "SW1A 1", "SW1A", "SW"},
        {"M1 1AE", "M1 1AE", "M1 1", "M1", "M"},
        {"B33 8TH", "B33 8TH", "B33 8", "B33", "B"},
        {"W1A 0AX", "W1A 0AX", "W1A 0", "W1A", "W"},
        {"CR2 6XH", "CR2 6XH", "CR2 6", "CR2", "CR"},
        {"DN55 1PT", "DN55 1PT", "DN55 1", "DN55", "DN"},
        {"LS20 8AB", "LS20 8AB", "LS20 8", "LS20", "LS"},
        {"gir 0aa", "GIR 0AA", "GIR 0", "GIR", "GI"},
    };
    static const char *const bad[] = {
        "", "EC1V", "EC1V 9HC" /* C inward */, "QC1V 9HX" /* Q first */,
        "EC1V-9HX", "E 9HX", "EC1VV 9HX", "1C1V 9HX", "AZ1 1AA" /* Z second */,
        "EC1V 99X", "EC1V9HXX"};
    struct postcode pc;
    size_t i;

    (void)state;
    for (i = 0; i < N(t); i++) {
        if (normalise_postcode(t[i].in, strlen(t[i].in), &pc) != 0)
            fail_msg("postcode case %zu rejected", i);
        assert_string_equal(pc.full, t[i].full);
        assert_string_equal(pc.sector, t[i].sector);
        assert_string_equal(pc.district, t[i].district);
        assert_string_equal(pc.area, t[i].area);
    }
    for (i = 0; i < N(bad); i++)
        if (normalise_postcode(bad[i], strlen(bad[i]), &pc) == 0)
            fail_msg("bad postcode case %zu accepted", i);
}

static void
test_codes(void **state)
{
    static const struct { const char *in; int v; } sex[] = {
        {"M", SEX_M}, {"male", SEX_M}, {"1", SEX_M}, {"F", SEX_F},
        {"Female", SEX_F}, {"2", SEX_F}, {"U", SEX_U}, {"9", SEX_U},
        {"0", SEX_U}, {"Not known", SEX_U}, {"X", SEX_X},
        {"Indeterminate", SEX_X}, {" f ", SEX_F}, {"3", -1}, {"Q", -1},
        {"", -1},
    };
    static const struct { const char *in; int v; } eth[] = {
        {"WBRI", ETH_WHITE}, {"wiri", ETH_WHITE}, {"MWBC", ETH_MIXED},
        {"APKN", ETH_ASIAN}, {"CHNE", ETH_ASIAN}, {"BAFR", ETH_BLACK},
        {"OOTH", ETH_OTHER}, {"REFU", ETH_UNKNOWN}, {"NOBT", ETH_UNKNOWN},
        {"A", ETH_WHITE}, {"D", ETH_MIXED}, {"H", ETH_ASIAN},
        {"N", ETH_BLACK}, {"S", ETH_OTHER}, {"Z", ETH_UNKNOWN},
        {"White: Irish", ETH_WHITE}, {"ASIAN", ETH_ASIAN}, {"XXXX", -1},
        {"I", -1},
    };
    size_t i;

    (void)state;
    for (i = 0; i < N(sex); i++)
        if (normalise_sex(sex[i].in, strlen(sex[i].in)) != sex[i].v)
            fail_msg("sex case %zu", i);
    for (i = 0; i < N(eth); i++)
        if (normalise_ethnicity(eth[i].in, strlen(eth[i].in)) != eth[i].v)
            fail_msg("ethnicity case %zu", i);
}

struct id_case {
    const char *in;
    const char *out; /* NULL: invalid */
};

static void
run_ids(int (*fn)(const char *, size_t, char *), const struct id_case *t,
        size_t n, const char *what)
{
    char out[16];
    size_t i;

    for (i = 0; i < n; i++) {
        int rc = fn(t[i].in, strlen(t[i].in), out);

        if (t[i].out ? (rc != 0 || strcmp(out, t[i].out)) : rc != -1)
            fail_msg("%s case %zu ('%s'): rc %d", what, i, t[i].in, rc);
        if (!t[i].out)
            assert_int_equal(out[0], 0);
    }
}

static int nhs(const char *s, size_t n, char *o) { return validate_nhs_number(s, n, o); }
static int upn(const char *s, size_t n, char *o) { return validate_upn(s, n, o); }
static int uln(const char *s, size_t n, char *o) { return validate_uln(s, n, o); }
static int nino(const char *s, size_t n, char *o) { return validate_ni_number(s, n, o); }
static int uprn(const char *s, size_t n, char *o) { return validate_uprn(s, n, o); }

static void
test_identifiers(void **state)
{
    static const struct id_case nhs_t[] = {
        {"9434765919", "9434765919"}, {"943 476 5919", "9434765919"},
        {"943-476-5919", "9434765919"}, {"9000000009", "9000000009"},
        {"6716689966", "6716689966"}, {"9991234560", NULL},
        {"9876544321", NULL}, {"1234567890", NULL},
        {"0000000000", NULL}, {"1111111111", NULL}, {"943476591", NULL},
        {"94347659190", NULL}, {"943476591X", NULL},
        {"1000000010", NULL}, /* sum 10, check 11-10 = 1 != 0 */
        {"0000000060", NULL}, /* check value 10: invalid */
    };
    static const struct id_case upn_t[] = {
        {"A950000178301", "A950000178301"}, {"H243278544154", "H243278544154"},
        {"X845212818005", "X845212818005"}, {"B801200005001", "B801200005001"},
        {"a950000178301", "A950000178301"}, {"R247962919251", NULL},
        {"X428558133462", NULL}, {"A801200005001", NULL},
        {"A95000017830", NULL}, {"A9500001783011", NULL},
        {"A95000017830I", NULL},
    };
    static const struct id_case uln_t[] = {
        {"1000000000", "1000000000"}, {"1234567899", "1234567899"},
        {"5555555554", "5555555554"}, {"9999999999", NULL},
        {"1234567890", NULL}, {"123456789", NULL},
    };
    static const struct id_case ni_t[] = {
        {"AB123456C", "AB123456C"}, {"ab 12 34 56 c", "AB123456C"},
        {"JG103759A", "JG103759A"}, {"AB123456E", NULL},
        {"DA123456A", NULL}, {"AO123456A", NULL}, {"BG123456A", NULL},
        {"GB123456A", NULL}, {"ZZ123456A", NULL}, {"A1234567A", NULL},
        {"QQ123456C", NULL},
    };
    static const struct id_case uprn_t[] = {
        {"100023336956", "100023336956"}, {"0010001", "10001"},
        {"1", "1"}, {"0", NULL}, {"1000233369561", NULL}, {"12a", NULL},
        {"", NULL},
    };

    (void)state;
    run_ids(nhs, nhs_t, N(nhs_t), "nhs");
    run_ids(upn, upn_t, N(upn_t), "upn");
    run_ids(uln, uln_t, N(uln_t), "uln");
    run_ids(nino, ni_t, N(ni_t), "ni");
    run_ids(uprn, uprn_t, N(uprn_t), "uprn");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),    cmocka_unit_test(test_dates),
        cmocka_unit_test(test_date_lists),
        cmocka_unit_test(test_postcodes), cmocka_unit_test(test_codes),
        cmocka_unit_test(test_identifiers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
