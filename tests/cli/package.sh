# The Debian package, built from a clean copy of the tree with the standard
# tools (dpkg-buildpackage -us -uc -b, debhelper), checked by lintian,
# installed with dpkg -i on this machine, the example job run as the
# cohort user, every directory and file it made checked for owner and
# mode, then purged. It installs system-wide, so it runs as root and only
# in the long checks (CI=true, or COHORT_SOAK=1); otherwise it is skipped.
. "$COHORT_TOP/tests/cli/lib.sh"

if [ "${CI:-}" != true ] && [ "${COHORT_SOAK:-}" != 1 ]; then
    ok "the Debian package # SKIP long check: CI=true or COHORT_SOAK=1 runs it"
    finish; exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v dpkg-buildpackage >/dev/null 2>&1; then
    ok "the Debian package # SKIP needs root and dpkg-dev"
    finish; exit 0
fi
if dpkg-query -W -f='${Status}' cohort 2>/dev/null | grep -q installed; then
    not_ok "a cohort package is already installed on this machine: not touching it"
    finish; exit 1
fi
"$COHORT_TOP/scripts/bootstrap" package >/dev/null 2>&1 || true

src=$scratch/src/cohort
mkdir -p "$src"
if [ -d "$COHORT_TOP/.git" ]; then
    (cd "$COHORT_TOP" && { git ls-files; git ls-files --others --exclude-standard; } |
        grep -v '^build/\|^demo/' | tar -cf - -T - 2>/dev/null) | tar -xf - -C "$src"
else
    (cd "$COHORT_TOP" && tar --exclude=./build --exclude=./demo -cf - .) | tar -xf - -C "$src"
fi
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$scratch/build.log" 2>&1
rc=$?
expect_rc 0 "dpkg-buildpackage -us -uc -b builds the package from a clean copy"
deb=$(ls "$scratch"/src/cohort_*_*.deb 2>/dev/null | head -n 1)
check '[ -f "$deb" ]' "a .deb is made"
lintian --fail-on error "$deb" >"$scratch/lintian.log" 2>&1
rc=$?
sed 's/^/# lintian: /' "$scratch/lintian.log" | grep -v 'root privileges' | head -n 20
expect_rc 0 "lintian reports no error"
check '! dpkg-deb -I "$deb" | grep "Depends:" | grep -q -- "-dev\|postgresql,\|chromium"' \
    "it depends on runtime libraries only"

# always purge, even when a check below fails
trap 'dpkg --purge cohort >/dev/null 2>&1; rm -rf "$scratch"' EXIT INT TERM
dpkg -i "$deb" >"$scratch/install.log" 2>&1
rc=$?
expect_rc 0 "dpkg -i installs it"
perm() { stat -c '%U:%G %a' "$1" 2>/dev/null; }
check 'getent passwd cohort | grep -q ":/var/lib/cohort:/usr/sbin/nologin$"' "a cohort system user with no login, home /var/lib/cohort"
check '[ "$(perm /etc/cohort)" = "root:cohort 750" ]' "/etc/cohort is root:cohort 0750"
check '[ "$(perm /var/lib/cohort)" = "cohort:cohort 750" ]' "/var/lib/cohort is cohort:cohort 0750"
check '[ "$(perm /usr/bin/cohort)" = "root:root 755" ] && [ -f /usr/share/man/man1/cohort.1.gz ] && [ -f /usr/share/man/man5/cohort.conf.5.gz ]' \
    "the binary and both manual pages are installed"
check '[ -f /lib/systemd/system/cohort.service ] && [ -f /lib/systemd/system/cohort.timer ] && [ ! -e /etc/systemd/system/timers.target.wants/cohort.timer ]' \
    "the unit and timer are installed and not enabled"
if command -v systemd-analyze >/dev/null 2>&1; then
    systemd-analyze verify /lib/systemd/system/cohort.service /lib/systemd/system/cohort.timer >"$scratch/verify.log" 2>&1
    sed 's/^/# verify: /' "$scratch/verify.log" | head -n 10
    check '[ ! -s "$scratch/verify.log" ]' "systemd-analyze verify is silent on the installed unit and timer"
fi

# the example job, as the cohort user
cp /usr/share/cohort/examples/job.conf /etc/cohort/job.conf
chown root:cohort /etc/cohort/job.conf; chmod 0640 /etc/cohort/job.conf
/usr/bin/cohort keygen /etc/cohort/job.key >/dev/null 2>&1
chown cohort:cohort /etc/cohort/job.key
check '[ "$(perm /etc/cohort/job.key)" = "cohort:cohort 600" ]' "the key is the cohort user's, 0600"
(cd /var/lib/cohort && runuser -u cohort -- /usr/bin/cohort synth /var/lib/cohort/extracts --people 2000 --lookup /usr/share/cohort/lookups/postcodes.csv) >"$out" 2>"$err"
rc=$?; suite_log "$out" "$err"
suite_identifiers /var/lib/cohort/extracts
expect_rc 0 "cohort synth runs as the cohort user"
(cd /var/lib/cohort && runuser -u cohort -- /usr/bin/cohort run /etc/cohort/job.conf) >"$out" 2>"$err"
rc=$?; suite_log "$out" "$err"
expect_rc 0 "the example job runs as the cohort user and publishes"
check '[ -L /var/lib/cohort/out/latest ] && [ -f /var/lib/cohort/out/latest/manifest.json ]' "it published to /var/lib/cohort/out/latest"
bad=$(find /var/lib/cohort/out \( -type d ! -perm 0750 \) -o \( -type f ! -perm 0640 \) -o ! -user cohort | head -n 5)
[ -n "$bad" ] && echo "$bad" | sed 's/^/# wrong owner or mode: /'
check '[ -z "$bad" ]' "every directory it made is cohort 0750 and every file cohort 0640"
check '! find /var/lib/cohort/out -perm -o+r ! -type l | grep -q .' "nothing the run made is readable by others"

# remove keeps keys and outputs; purge removes them and says so
dpkg -r cohort >/dev/null 2>&1
check '[ -f /etc/cohort/job.key ] && [ -d /var/lib/cohort/out ] && [ ! -e /usr/bin/cohort ]' "dpkg -r removes the program and keeps the key and the outputs"
dpkg --purge cohort >"$out" 2>&1
rc=$?
expect_rc 0 "dpkg --purge"
check 'grep -q "purge removes /etc/cohort" "$out" && grep -q "purge removes /var/lib/cohort" "$out"' "purge says what it removes"
check '[ ! -e /etc/cohort ] && [ ! -e /var/lib/cohort ] && ! getent passwd cohort >/dev/null' "purge removes the directories and the user"
finish
