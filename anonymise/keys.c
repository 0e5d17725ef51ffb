#include "keys.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void
key_id(const unsigned char master[32], char id[17])
{
    unsigned char h[8];

    crypto_generichash(h, sizeof(h), (const unsigned char *)"cohort key id",
                       13, master, 32);
    sodium_bin2hex(id, 17, h, sizeof(h));
}

int
key_generate(const char *path, char id[17], struct diag *d)
{
    unsigned char master[32];
    char hex[65], text[128];
    int fd, n;
    ssize_t w;

    randombytes_buf(master, sizeof(master));
    key_id(master, id);
    sodium_bin2hex(hex, sizeof(hex), master, sizeof(master));
    n = snprintf(text, sizeof(text), "cohort-key 1\nid %s\nkey %s\n", id, hex);
    sodium_memzero(master, sizeof(master));
    sodium_memzero(hex, sizeof(hex));
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        int e = errno;

        sodium_memzero(text, sizeof(text));
        diag_set(d, path, 0, 0, NULL, "%s",
                 e == EEXIST ? "already exists; a key is never overwritten"
                             : strerror(e));
        return CE_IO;
    }
    w = write(fd, text, (size_t)n);
    sodium_memzero(text, sizeof(text));
    if (w != n || fsync(fd) < 0) {
        int e = errno;

        close(fd);
        unlink(path);
        diag_set(d, path, 0, 0, NULL, "cannot write the key: %s", strerror(e));
        return CE_IO;
    }
    if (close(fd) < 0) {
        unlink(path);
        diag_set(d, path, 0, 0, NULL, "cannot write the key");
        return CE_IO;
    }
    return 0;
}

/*
 * Who may have put the key file there: its directory must not be writable
 * by its group or by everyone (anyone who can write there can swap the
 * key, and with it every pseudonym). 0, or CE_CONFIG with d.
 */
static int
check_key_dir(const char *path, struct diag *d)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    struct stat sb;

    if (!slash)
        snprintf(dir, sizeof(dir), ".");
    else if (slash == path)
        snprintf(dir, sizeof(dir), "/");
    else if ((size_t)(slash - path) < sizeof(dir))
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    else
        snprintf(dir, sizeof(dir), ".");
    if (stat(dir, &sb) < 0) {
        diag_set(d, path, 0, 0, "key_file", "cannot look at the key file's "
                                            "directory: %s", strerror(errno));
        return CE_CONFIG;
    }
    if (sb.st_mode & (S_IWGRP | S_IWOTH)) {
        diag_set(d, path, 0, 0, "key_file",
                 "the key file is in a directory its group or everyone may "
                 "write to ('%s'), who could replace the key; chmod go-w "
                 "the directory or move the key", dir);
        return CE_CONFIG;
    }
    return 0;
}

/* Opens the key file: a regular file (a FIFO must not hang the job, a
 * device is not a key), the running user's or root's, mode 0600, in a
 * directory only its owner writes. The descriptor, or -1 with d set. */
static int
open_key(const char *path, struct diag *d)
{
    struct stat sb;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

    if (fd < 0) {
        diag_set(d, path, 0, 0, "key_file", "cannot read the key file: %s",
                 strerror(errno));
        return -1;
    }
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        diag_set(d, path, 0, 0, "key_file",
                 "the key file is not a regular file (a FIFO, a device or a "
                 "directory)");
        return -1;
    }
    if (sb.st_uid != geteuid() && sb.st_uid != 0) {
        close(fd);
        diag_set(d, path, 0, 0, "key_file",
                 "the key file belongs to another user (uid %lu); it must "
                 "be the running user's or root's",
                 (unsigned long)sb.st_uid);
        return -1;
    }
    if (sb.st_mode & 077) {
        close(fd);
        diag_set(d, path, 0, 0, "key_file",
                 "the key file is readable by others; chmod 600 it");
        return -1;
    }
    if (check_key_dir(path, d) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int
key_load(struct cohort_key *k, const char *path, struct diag *d)
{
    char text[256], id[17];
    ssize_t n;
    size_t bin_len;
    const char *hex_end;
    char *p;
    int fd;

    memset(k, 0, sizeof(*k));
    if ((fd = open_key(path, d)) < 0)
        return CE_CONFIG;
    n = read(fd, text, sizeof(text) - 1);
    close(fd);
    if (n < 0) {
        diag_set(d, path, 0, 0, "key_file", "cannot read the key file");
        return CE_CONFIG;
    }
    text[n] = '\0';
    if (strncmp(text, "cohort-key 1\nid ", 16) || !(p = strstr(text, "\nkey ")) ||
        sodium_hex2bin(k->master, 32, p + 5, 64, NULL, &bin_len, &hex_end) != 0 ||
        bin_len != 32 || (*hex_end != '\n' && *hex_end != '\0')) {
        sodium_memzero(text, sizeof(text));
        sodium_memzero(k, sizeof(*k));
        diag_set(d, path, 0, 0, "key_file",
                 "not a cohort key file (make one with cohort keygen)");
        return CE_CONFIG;
    }
    key_id(k->master, id);
    if (strncmp(text + 16, id, 16)) {
        sodium_memzero(text, sizeof(text));
        sodium_memzero(k, sizeof(*k));
        diag_set(d, path, 2, 0, "key_file",
                 "the key id does not match the key: the file is damaged");
        return CE_CONFIG;
    }
    sodium_memzero(text, sizeof(text));
    memcpy(k->id, id, sizeof(k->id));
    /* kept out of swap and core dumps while the job runs (best effort:
     * RLIMIT_MEMLOCK may refuse, which is not worth failing a run for) */
    sodium_mlock(k, sizeof(*k));
    return 0;
}

void
key_pseudonym_subkey(const struct cohort_key *k, uint64_t purpose,
                     unsigned char out[16])
{
    crypto_kdf_derive_from_key(out, 16, purpose, "cohortmk", k->master);
}

void
key_record_subkey(const struct cohort_key *k, unsigned char out[16])
{
    crypto_kdf_derive_from_key(out, 16, 1, "cohortrk", k->master);
}

void
key_comparison_subkey(const struct cohort_key *k, uint64_t id,
                      unsigned char out[16])
{
    crypto_kdf_derive_from_key(out, 16, id, "cohortcr", k->master);
}

void
key_bloom_subkey(const struct cohort_key *k, uint64_t id,
                 unsigned char out[16])
{
    crypto_kdf_derive_from_key(out, 16, id, "cohortbf", k->master);
}

void
key_release(struct cohort_key *k)
{
    sodium_munlock(k, sizeof(*k)); /* zeroes it, locked or not */
    sodium_memzero(k, sizeof(*k));
}
