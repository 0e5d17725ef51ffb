/*
 * Names from every naming convention `cohort synth` writes (issue 26):
 * folding (normalise_name), the run-together forms the match keys use
 * (normalise_name_compact, normalise_surname_joined) and the particle and
 * double-surname forms for comparisons (normalise_surname_parts). Each
 * table row names its convention; the examples are names as people of
 * that convention write them and as systems record them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../transform/normalise.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct fold_case {
    const char *convention, *in, *out;
};

/* One written form in, the folded form out. */
static void
test_fold_by_convention(void **state)
{
    static const struct fold_case t[] = {
        {"english", "Zo\xC3\xAB", "zoe"},
        {"english", "Chlo\xC3\xAB", "chloe"},
        {"english", "Anne-Marie", "anne marie"},
        {"welsh", "Si\xC3\xA2n", "sian"},                     /* Siân */
        {"welsh", "Ll\xC5\xB7r", "llyr"},                     /* Llŷr */
        {"welsh", "Gwenll\xC3\xAF" "an", "gwenllian"},        /* Gwenllïan */
        {"welsh", "Dafydd ap Gruffudd", "dafydd ap gruffudd"},
        {"scottish", "Catr\xC3\xAC" "ona", "catriona"},       /* Catrìona */
        {"scottish", "M\xC3\xA0iri", "mairi"},                /* Màiri */
        {"scottish", "Mc Donald", "mc donald"},
        {"irish", "Se\xC3\xA1n", "sean"},                     /* Seán */
        {"irish", "\xC3\x93 S\xC3\xBAilleabh\xC3\xA1in", "o suilleabhain"},
        {"irish", "O'Neill", "o neill"},
        {"irish", "N\xC3\xAD Bhriain", "ni bhriain"},
        {"east_european", "\xC5\x81ukasz", "lukasz"},         /* Łukasz */
        {"east_european", "Wi\xC5\x9Bniewska", "wisniewska"}, /* Wiśniewska */
        /* Romanian comma below (Ș U+0218, ț U+021B) and cedilla (Ş, ţ) */
        {"east_european", "\xC8\x98tef\xC4\x83nescu", "stefanescu"},
        {"east_european", "\xC5\x9E" "tefan", "stefan"},
        {"east_european", "Ionu\xC8\x9B", "ionut"},
        {"east_european", "\xC5\xA2urcanu", "turcanu"},
        {"east_european", "\xC5\xBDukauskien\xC4\x97", "zukauskiene"},
        {"east_european", "R\xC5\xAB" "ta", "ruta"},          /* Rūta */
        {"west_european", "S\xC3\xB8ren", "soren"},           /* Søren */
        {"west_european", "Wei\xC3\x9F", "weiss"},            /* Weiß */
        {"west_european", "WEI\xE1\xBA\x9E", "weiss"},        /* ẞ U+1E9E */
        {"west_european", "Jean-Luc", "jean luc"},
        {"west_european", "D'Angelo", "d angelo"},
        {"west_european", "van der Meer", "van der meer"},
        {"west_european", "Concei\xC3\xA7\xC3\xA3o", "conceicao"},
        {"west_european", "\xC3\x86" "ble", "aeble"},         /* Æ */
        {"south_asian_muslim", "Md. Rahim", "md rahim"},
        {"south_asian_muslim", "Inam Ul-Haq", "inam ul haq"},
        {"indian", "D'Souza", "d souza"},
        {"sikh", "Singh-Gill", "singh gill"},
        {"chinese", "Zhi-Hao", "zhi hao"},
        {"chinese", "L\xC7\x9A", "lu"},                       /* Lǚ U+01DA */
        {"chinese", "Xi\xC7\x8E" "o", "xiao"},                /* Xiǎo */
        {"chinese", "\xEF\xBC\xAC\xEF\xBC\xA9", "li"},        /* fullwidth ＬＩ */
        {"vietnamese", "Nguy\xE1\xBB\x85n", "nguyen"},        /* Nguyễn */
        {"vietnamese", "Tr\xC6\xB0\xC6\xA1ng", "truong"},     /* Trương */
        {"vietnamese", "\xC4\x90\xE1\xBA\xB7ng", "dang"},     /* Đặng */
        {"vietnamese", "Ph\xE1\xBA\xA1m Th\xE1\xBB\x8B", "pham thi"},
        /* decomposed: e, combining circumflex, combining tilde */
        {"vietnamese", "Nguye\xCC\x82\xCC\x83n", "nguyen"},
        {"west_african", "\xC6\x81" "ello", "bello"},         /* Ɓ U+0181 */
        {"west_african", "\xC6\x8A" "anjuma", "danjuma"},     /* Ɗ U+018A */
        {"west_african", "Kwab\xC9\x9Bna", "kwabena"},        /* ɛ U+025B */
        {"west_african", "Ad\xC3\xA9" "b\xC3\xA1y\xE1\xBB\x8D\xCC\x80",
         "adebayo"},                                          /* Adébáyọ̀ */
        {"caribbean", "Andr\xC3\xA9", "andre"},
        {"somali", "Cabdi", "cabdi"},
        {"arabic", "\xCA\xBF" "Abd al-Ra\xE1\xB8\xA5m\xC4\x81n",
         "abd al rahman"},                                    /* ʿAbd al-Raḥmān */
        {"arabic", "Al-Hassan", "al hassan"},
        {"arabic", "Sa'id", "said"},
        {"arabic", "A'isha", "a isha"},
        {"turkish", "Y\xC4\xB1lmaz", "yilmaz"},               /* Yılmaz */
        {"turkish", "\xC4\xB0" "brahim", "ibrahim"},          /* İbrahim */
        {"turkish", "\xC5\x9E" "ahin", "sahin"},
        {"turkish", "\xC3\x96zt\xC3\xBCrk", "ozturk"},
        {"turkish", "Do\xC4\x9F" "an", "dogan"},
        {"hispanic", "Mu\xC3\xB1oz", "munoz"},
        {"hispanic", "Garc\xC3\xAD" "a-L\xC3\xB3pez", "garcia lopez"},
        {"other", "\xC6\x8Fliyev", "aliyev"},                 /* Əliyev */
        {"other", "Jo\xC2\xAD" "anne", "joanne"},             /* soft hyphen */
        {"other", "Jo\xE2\x80\x8B" "anne", "joanne"},         /* zero width */
        {"other", "\xEF\xAC\x81" "ona", "fiona"},             /* ﬁ ligature */
        {"other", "O\xCA\xBC" "Neill", "o neill"},            /* ʼ U+02BC */
        {"other", "\xCE\x91\xCE\xBB\xCE\xAD\xCE\xBE\xCE\xB7\xCF\x82",
         "\xCE\x91\xCE\xBB\xCE\xAD\xCE\xBE\xCE\xB7\xCF\x82"}, /* Greek kept */
    };
    char out[NAME_MAX_BYTES];
    size_t i;

    (void)state;
    for (i = 0; i < N(t); i++) {
        int n = normalise_name(t[i].in, strlen(t[i].in), out, sizeof(out));

        if (n < 0 || strcmp(out, t[i].out))
            fail_msg("%s case %zu: got '%s' want '%s'", t[i].convention, i,
                     n < 0 ? "(none)" : out, t[i].out);
        assert_int_equal(n, (int)strlen(t[i].out));
    }
}

struct same_case {
    const char *convention, *a, *b;
};

/* Two written forms of one name; compact or joined makes them equal. */
static void
assert_same(const struct same_case *t, size_t n, int surname)
{
    char na[NAME_MAX_BYTES], nb[NAME_MAX_BYTES];
    char ja[NAME_MAX_BYTES], jb[NAME_MAX_BYTES];
    size_t i;

    for (i = 0; i < n; i++) {
        assert_true(normalise_name(t[i].a, strlen(t[i].a), na, sizeof(na)) > 0);
        assert_true(normalise_name(t[i].b, strlen(t[i].b), nb, sizeof(nb)) > 0);
        if (surname) {
            assert_true(normalise_surname_joined(na, ja, sizeof(ja)) > 0);
            assert_true(normalise_surname_joined(nb, jb, sizeof(jb)) > 0);
        } else {
            assert_true(normalise_name_compact(na, ja, sizeof(ja)) > 0);
            assert_true(normalise_name_compact(nb, jb, sizeof(jb)) > 0);
        }
        if (strcmp(ja, jb))
            fail_msg("%s case %zu: '%s' and '%s' differ", t[i].convention, i,
                     ja, jb);
    }
}

static void
test_forenames_run_together(void **state)
{
    static const struct same_case t[] = {
        {"english", "Anne-Marie", "Annemarie"},
        {"english", "Anne Marie", "Anne-Marie"},
        {"west_european", "Jean-Luc", "Jeanluc"},
        {"chinese", "Zhi Hao", "Zhi-Hao"},
        {"chinese", "Zhihao", "Zhi Hao"},
        {"arabic", "Abdul-Rahman", "Abdulrahman"},
        {"hispanic", "Juan Carlos", "Juan-Carlos"},
        {"irish", "D'Arcy", "Darcy"},
        {"welsh", "Si\xC3\xA2n", "Sian"},
        {"vietnamese", "B\xE1\xBA\xA3o", "Bao"},
    };

    (void)state;
    assert_same(t, N(t), 0);
}

static void
test_surnames_joined(void **state)
{
    static const struct same_case t[] = {
        {"arabic", "Al-Hassan", "Alhassan"},
        {"arabic", "Al Hassan", "Al-Hassan"},
        {"arabic", "El-Sayed", "Elsayed"},
        {"arabic", "Abu Bakr", "Abubakr"},
        {"irish", "O'Brien", "OBrien"},
        {"irish", "O Brien", "O'Brien"},
        {"irish", "\xC3\x93 Briain", "N\xC3\xAD Bhriain"},        /* Ó / Ní */
        {"irish", "\xC3\x93 S\xC3\xBAilleabh\xC3\xA1in",
         "N\xC3\xAD Sh\xC3\xBAilleabh\xC3\xA1in"},
        {"irish", "\xC3\x93 D\xC3\xB3naill", "N\xC3\xAD Dh\xC3\xB3naill"},
        {"irish", "Mac Lochlainn", "Nic Lochlainn"},
        {"irish", "\xC3\x93 N\xC3\xA9ill", "N\xC3\xAD N\xC3\xA9ill"}, /* no lenition of n */
        {"scottish", "MacDonald", "McDonald"},
        {"scottish", "Mc Donald", "MacDonald"},
        {"scottish", "Mac Donald", "Mcdonald"},
        {"west_european", "Van der Meer", "Vandermeer"},
        {"west_european", "De Jong", "DeJong"},
        {"west_european", "Da Silva", "DaSilva"},
        {"west_european", "D'Angelo", "DAngelo"},
        {"indian", "D'Souza", "D Souza"},
        {"english", "Smith-Jones", "Smith Jones"},
        {"sikh", "Singh-Mann", "Singh Mann"},
        {"hispanic", "Garc\xC3\xAD" "a-L\xC3\xB3pez", "Garcia Lopez"},
        {"east_european", "Wi\xC5\x9Bniewski", "Wisniewski"},
        {"vietnamese", "Nguy\xE1\xBB\x85n", "Nguyen"},
        {"turkish", "Y\xC4\xB1lmaz", "Yilmaz"},
    };
    char out[NAME_MAX_BYTES];

    (void)state;
    assert_same(t, N(t), 1);
    /* after Nic a c or g stays as written: no lenition to undo */
    assert_true(normalise_surname_joined("nic ghille", out, sizeof(out)) > 0);
    assert_string_equal(out, "macghille");
    assert_true(normalise_surname_joined("ni ghille", out, sizeof(out)) > 0);
    assert_string_equal(out, "ogille");
    /* an attached Mac is the name: Mackie is not Mac + kie */
    assert_true(normalise_surname_joined("mackie", out, sizeof(out)) > 0);
    assert_string_equal(out, "mackie");
    assert_int_equal(normalise_surname_joined("", out, sizeof(out)), -1);
    assert_string_equal(out, "");
    assert_int_equal(normalise_surname_joined("mc donald", out, 8), -1);
}

struct parts_case {
    const char *convention, *in, *joined, *bare;
    unsigned nparts;
    const char *part[SURNAME_PARTS_MAX];
};

static void
test_surname_parts(void **state)
{
    static const struct parts_case t[] = {
        {"arabic", "al hassan", "alhassan", "hassan", 0, {NULL}},
        {"arabic", "el sayed", "elsayed", "sayed", 0, {NULL}},
        {"arabic", "abu bakr", "abubakr", "bakr", 0, {NULL}},
        {"arabic", "bin ali", "binali", "ali", 0, {NULL}},
        {"south_asian_muslim", "ul haq", "ulhaq", "haq", 0, {NULL}},
        {"welsh", "ap rhys", "aprhys", "rhys", 0, {NULL}},
        {"irish", "o brien", "obrien", "brien", 0, {NULL}},
        {"irish", "ni bhriain", "obriain", "briain", 0, {NULL}},
        {"irish", "o briain", "obriain", "briain", 0, {NULL}},
        {"scottish", "mcdonald", "macdonald", "donald", 0, {NULL}},
        {"scottish", "mc donald", "macdonald", "donald", 0, {NULL}},
        {"scottish", "macdonald", "macdonald", "", 0, {NULL}},
        {"west_european", "van der meer", "vandermeer", "meer", 0, {NULL}},
        {"west_european", "de la cruz", "delacruz", "cruz", 0, {NULL}},
        {"west_european", "d angelo", "dangelo", "angelo", 0, {NULL}},
        {"english", "smith jones", "smithjones", "", 2, {"smith", "jones"}},
        {"english", "smith", "smith", "", 0, {NULL}},
        {"hispanic", "garcia lopez", "garcialopez", "", 2,
         {"garcia", "lopez"}},
        {"hispanic", "garcia y lopez", "garciaylopez", "garcialopez", 2,
         {"garcia", "lopez"}},
        {"west_european", "da silva santos", "dasilvasantos", "silvasantos",
         2, {"silva", "santos"}},
        {"caribbean", "jackson spence", "jacksonspence", "", 2,
         {"jackson", "spence"}},
        {"indian", "mistri thompson", "mistrithompson", "", 2,
         {"mistri", "thompson"}},
        {"sikh", "kaur dhillon", "kaurdhillon", "", 2, {"kaur", "dhillon"}},
        {"somali", "nur mohamed", "nurmohamed", "", 2, {"nur", "mohamed"}},
        {"arabic", "abdallah mcdonald", "abdallahmacdonald", "abdallahdonald",
         2, {"abdallah", "donald"}},
        /* a particle is a word before another word: Le, Do, Van alone
         * are names (Vietnamese Lê, Đỗ) */
        {"vietnamese", "le", "le", "", 0, {NULL}},
        {"vietnamese", "do", "do", "", 0, {NULL}},
        {"west_european", "van", "van", "", 0, {NULL}},
        /* more parts than SURNAME_PARTS_MAX: not a double surname */
        {"other", "ka kb kc kd ke", "kakbkckdke", "", 0, {NULL}},
    };
    struct surname_parts p;
    size_t i, k;

    (void)state;
    for (i = 0; i < N(t); i++) {
        if (normalise_surname_parts(t[i].in, &p) < 0)
            fail_msg("%s case %zu: no parts", t[i].convention, i);
        if (strcmp(p.joined, t[i].joined) || strcmp(p.bare, t[i].bare) ||
            p.nparts != t[i].nparts)
            fail_msg("%s case %zu: joined '%s' bare '%s' nparts %u", t[i].convention,
                     i, p.joined, p.bare, p.nparts);
        for (k = 0; k < t[i].nparts; k++)
            if (strcmp(p.part[k], t[i].part[k]))
                fail_msg("%s case %zu: part %zu '%s'", t[i].convention, i, k,
                         p.part[k]);
        for (; k < SURNAME_PARTS_MAX; k++)
            assert_string_equal(p.part[k], "");
    }
    /* a form that does not fit its buffer zeroes out (a normalised name
     * always fits: run together it only gets shorter, Mc + space = Mac) */
    {
        char big[2 * NAME_MAX_BYTES];
        size_t o = 0;

        while (o + 4 < sizeof(big)) {
            memcpy(big + o, "mc ", 3);
            o += 3;
        }
        memcpy(big + o, "x", 2);
        assert_int_equal(normalise_surname_parts(big, &p), -1);
        assert_string_equal(p.joined, "");
        assert_int_equal(p.nparts, 0);
    }
    assert_int_equal(normalise_surname_parts("", &p), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold_by_convention),
        cmocka_unit_test(test_forenames_run_together),
        cmocka_unit_test(test_surnames_joined),
        cmocka_unit_test(test_surname_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
