/* Unit tests for core/atomic.c: a file replaced whole or not at all, no
 * temp file left behind whatever fails, the umask applied, and staged
 * files written whole. Faults of write/fsync/rename themselves are
 * injected by tests/cli/faults.sh (LD_PRELOAD). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../core/atomic.h"

static char dir[] = "/tmp/test_atomic.XXXXXX";

static int
setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
    DIR *dh = opendir(dir);
    struct dirent *e;
    char p[512];

    (void)state;
    while (dh && (e = readdir(dh)))
        if (e->d_name[0] != '.' || (strcmp(e->d_name, ".") &&
                                    strcmp(e->d_name, ".."))) {
            snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
            if (unlink(p) < 0)
                rmdir(p);
        }
    if (dh)
        closedir(dh);
    return rmdir(dir);
}

/* Entries in dir, "." and ".." aside. */
static int
entries(void)
{
    DIR *dh = opendir(dir);
    struct dirent *e;
    int n = 0;

    assert_non_null(dh);
    while ((e = readdir(dh)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(dh);
    return n;
}

static void
assert_file(const char *path, const char *want)
{
    char buf[256];
    FILE *f = fopen(path, "r");
    size_t n;

    assert_non_null(f);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    assert_string_equal(buf, want);
}

static void
test_write_replace_fail(void **state)
{
    static const struct {
        const char *name;     /* under dir; "" is dir itself */
        const char *data;
        int rc;
        const char *msg;      /* start of d.msg on failure */
        int entries;          /* in dir afterwards */
    } cases[] = {
        {"table.csv", "a,b\n1,2\n", 0, NULL, 1},
        {"table.csv", "a,b\n3,4\n", 0, NULL, 1},      /* replaced */
        {"empty.csv", "", 0, NULL, 2},                /* zero bytes */
        {"sub", "x", 0, NULL, 3},
        {"no/such/dir.csv", "x", CE_IO, "cannot create a file next to it: ", 3},
        {"", "x", CE_IO, "cannot write: ", 3},        /* a directory */
    };
    size_t i;
    char path[512];

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct diag d;

        diag_clear(&d);
        snprintf(path, sizeof(path), "%s%s%s", dir, *cases[i].name ? "/" : "",
                 cases[i].name);
        assert_int_equal(atomic_write_file(path, cases[i].data,
                                           strlen(cases[i].data), 0666, &d),
                         cases[i].rc);
        if (cases[i].rc == 0) {
            assert_file(path, cases[i].data);
        } else {
            assert_string_equal(d.source, path);
            assert_memory_equal(d.msg, cases[i].msg, strlen(cases[i].msg));
        }
        /* never a temp file left */
        assert_int_equal(entries(), cases[i].entries);
    }
}

static void
test_umask_and_mode(void **state)
{
    char path[512];
    struct stat st;
    struct diag d;
    mode_t old = umask(027);

    (void)state;
    snprintf(path, sizeof(path), "%s/mode.csv", dir);
    assert_int_equal(atomic_write_file(path, "x", 1, 0666, &d), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    snprintf(path, sizeof(path), "%s/staged.csv", dir);
    assert_int_equal(atomic_stage_file(path, "yz", 2, 0600, &d), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_file(path, "yz");
    umask(old);
}

static void
test_stage_and_sync(void **state)
{
    char path[512];
    struct diag d;

    (void)state;
    snprintf(path, sizeof(path), "%s/missing/x.csv", dir);
    diag_clear(&d);
    assert_int_equal(atomic_stage_file(path, "x", 1, 0640, &d), CE_IO);
    assert_string_equal(d.source, path);
    assert_memory_equal(d.msg, "cannot create: ", 15);
    snprintf(path, sizeof(path), "%s/staged2.csv", dir);
    assert_int_equal(atomic_stage_file(path, "long enough", 11, 0640, &d), 0);
    assert_int_equal(atomic_stage_file(path, "short", 5, 0640, &d), 0);
    assert_file(path, "short"); /* truncated, not overlaid */
    assert_int_equal(atomic_sync_dir(dir), 0);
    snprintf(path, sizeof(path), "%s/missing", dir);
    assert_int_equal(atomic_sync_dir(path), -1);
    /* nothing registered: harmless */
    atomic_remove_temps();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_replace_fail),
        cmocka_unit_test(test_umask_and_mode),
        cmocka_unit_test(test_stage_and_sync),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
