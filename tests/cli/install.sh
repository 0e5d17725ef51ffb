# Installed the way a council's IT installs software: the manual pages say
# every option each command takes and every key of the job file (checked
# both ways against `cohort CMD --help` and the README), `make install`
# puts each file where the README says under DESTDIR/PREFIX and `make
# uninstall` removes exactly those, and the systemd unit passes
# `systemd-analyze verify` and scores OK on `systemd-analyze security`.
# The Debian package itself is built and installed by package.sh.
. "$COHORT_TOP/tests/cli/lib.sh"

man1=$COHORT_TOP/man/cohort.1
man5=$COHORT_TOP/man/cohort.conf.5
check '[ -z "$(groff -man -ww -z "$man1" 2>&1)" ] && [ -z "$(groff -man -ww -z "$man5" 2>&1)" ]' \
    "both manual pages format without a groff warning"

# Every option a command accepts (its --help) is on cohort(1), in that
# command's part of the page, and every option the page gives a command is
# one it accepts.
page_opts() { # page_opts CMD: the long options of CMD's part of cohort(1)
    awk -v c="$1" '/^\.SH COMMANDS/ { on = 1 } /^\.SH EXIT/ { on = 0 }
        on && /^\.BI? "?[a-z]+ / { cur = $2; gsub(/"/, "", cur) }
        on && cur == c' "$man1" | grep -o '\\-\\-[a-z][a-z\\-]*' | sed 's/\\-/-/g' | sort -u
}
bad=0
for c in run check rules keygen synth linkage protect; do
    "$COHORT" "$c" --help > "$scratch/help.$c" 2>&1
    grep -o -- '--[a-z][a-z-]*' "$scratch/help.$c" | sort -u > "$scratch/accepts.$c"
    page_opts "$c" | grep -vx -- '--help' > "$scratch/page.$c"
    grep -vx -- '--help' "$scratch/accepts.$c" > "$scratch/accepts2.$c"
    if ! cmp -s "$scratch/accepts2.$c" "$scratch/page.$c"; then
        echo "# cohort $c: accepted but not on cohort(1): $(comm -23 "$scratch/accepts2.$c" "$scratch/page.$c" | tr '\n' ' ')"
        echo "# cohort $c: on cohort(1) but not accepted: $(comm -13 "$scratch/accepts2.$c" "$scratch/page.$c" | tr '\n' ' ')"
        bad=1
    fi
done
check '[ "$bad" -eq 0 ]' "cohort(1) gives each command exactly the options it accepts"
"$COHORT" --help | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p' | sort > "$scratch/commands"
grep -o '^\.BI "[a-z]* ' "$man1" | sed 's/^\.BI "//; s/ $//' | sort -u > "$scratch/page_commands"
check 'cmp -s "$scratch/commands" "$scratch/page_commands"' "cohort(1) describes every command cohort --help lists, and no other"

# Every key of the README's job-file reference is on cohort.conf(5), and
# every key cohort.conf(5) lists is in the README.
sed -n '/^## The job file/,/^## Outputs/p' "$COHORT_TOP/README.md" |
    sed -n 's/^| `\([a-z_.A-Z]*\)`.*/\1/p' | sort -u > "$scratch/readme_keys"
awk '/^\.TP/ { getline; print }' "$man5" | sed -n 's/^\\fB\([a-z_.A-Z]*\)\\fR.*/\1/p' | sort -u > "$scratch/page_keys"
check '[ "$(wc -l < "$scratch/readme_keys")" -gt 40 ] && cmp -s "$scratch/readme_keys" "$scratch/page_keys"' \
    "cohort.conf(5) lists every key of the README's job-file reference, and no other"

# make install / uninstall into a DESTDIR
dest=$scratch/dest
make -s -C "$COHORT_TOP" -o "$COHORT_BUILD/cohort" install BUILD="$COHORT_BUILD" DESTDIR="$dest" PREFIX=/usr/local >"$out" 2>"$err"
rc=$?
expect_rc 0 "make install DESTDIR=... PREFIX=/usr/local"
(cd "$dest" && find . -type f | sort) > "$scratch/installed"
cat > "$scratch/want" <<'LIST'
./usr/local/bin/cohort
./usr/local/lib/systemd/system/cohort.service
./usr/local/lib/systemd/system/cohort.timer
./usr/local/share/cohort/examples/job.conf
./usr/local/share/cohort/lookups/cin_category_of_abuse.csv
./usr/local/share/cohort/lookups/cin_primary_need.csv
./usr/local/share/cohort/lookups/cin_reason_for_closure.csv
./usr/local/share/cohort/lookups/cin_referral_source.csv
./usr/local/share/cohort/lookups/cld_ethnicity.csv
./usr/local/share/cohort/lookups/cld_service_type.csv
./usr/local/share/cohort/lookups/codelists.txt
./usr/local/share/cohort/lookups/dfe_ethnicity.csv
./usr/local/share/cohort/lookups/hclic_duty_type.csv
./usr/local/share/cohort/lookups/hclic_ta_type.csv
./usr/local/share/cohort/lookups/name_variants.csv
./usr/local/share/cohort/lookups/nicknames.csv
./usr/local/share/cohort/lookups/postcodes.csv
./usr/local/share/cohort/lookups/school_census_sen_provision.csv
./usr/local/share/cohort/lookups/ssda903_category_of_need.csv
./usr/local/share/cohort/lookups/ssda903_legal_status.csv
./usr/local/share/cohort/lookups/ssda903_legal_status_group.csv
./usr/local/share/cohort/lookups/ssda903_placement_provider.csv
./usr/local/share/cohort/lookups/ssda903_placement_type.csv
./usr/local/share/cohort/lookups/ssda903_reason_episode_ceased.csv
./usr/local/share/cohort/lookups/ssda903_reason_place_change.csv
./usr/local/share/cohort/lookups/ssda903_rne.csv
./usr/local/share/cohort/ptables/ptable_default.csv
./usr/local/share/man/man1/cohort.1
./usr/local/share/man/man5/cohort.conf.5
LIST
check 'cmp -s "$scratch/want" "$scratch/installed"' "install puts the binary, both pages, the example job, lookups, ptable, unit and timer where the README says"
check 'grep -q "^ExecStart=/usr/local/bin/cohort run " "$dest/usr/local/lib/systemd/system/cohort.service"' \
    "the unit runs the installed binary"
check 'grep -q "^lookup *= /usr/local/share/cohort/lookups/postcodes.csv" "$dest/usr/local/share/cohort/examples/job.conf"' \
    "the example job names the installed lookup"
check '[ "$(stat -c %a "$dest/usr/local/bin/cohort")" = 755 ] && [ "$(stat -c %a "$dest/usr/local/share/cohort/examples/job.conf")" = 644 ]' \
    "the binary is 0755 and data files 0644"
run cohort rules "$dest/usr/local/share/cohort/examples/job.conf"
check '[ "$rc" -ne 2 ] || ! grep -q "\[where\]\|unknown key\|unknown section" "$err"' "the example job is a valid job file"
make -s -C "$COHORT_TOP" -o "$COHORT_BUILD/cohort" uninstall BUILD="$COHORT_BUILD" DESTDIR="$dest" PREFIX=/usr/local >"$out" 2>"$err"
check '[ -z "$(cd "$dest" && find . -type f)" ] && [ ! -e "$dest/usr/local/share/cohort" ]' \
    "make uninstall removes exactly what install installed (and its own share folder)"

# the unit: systemd's own checks (offline; no running systemd needed)
if command -v systemd-analyze >/dev/null 2>&1; then
    sed 's|@BINDIR@|/bin|' "$COHORT_TOP/config/systemd/cohort.service.in" > "$scratch/cohort.service"
    score=$(systemd-analyze security --offline=true "$scratch/cohort.service" 2>/dev/null |
            sed -n 's/.*Overall exposure level for cohort.service: \([0-9.]*\).*/\1/p')
    echo "# systemd-analyze security: exposure $score"
    check '[ -n "$score" ] && awk "BEGIN { exit !($score < 2.0) }"' \
        "the unit's exposure level is below 2.0 (OK) in systemd-analyze security"
    for k in ProtectSystem=strict ReadWritePaths=/var/lib/cohort PrivateTmp=yes NoNewPrivileges=yes ProtectHome=yes 'CapabilityBoundingSet=$' TimeoutStartSec=; do
        grep -q "^$k" "$scratch/cohort.service" || { echo "# missing $k"; score=; }
    done
    check '[ -n "$score" ]' "the unit has the sandboxing and the start timeout the README lists"
else
    ok "systemd-analyze security # SKIP no systemd-analyze"
    ok "the unit's sandboxing # SKIP no systemd-analyze"
fi
finish
