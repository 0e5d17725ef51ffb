# Golden outputs: the demo job (config/demo.conf) on the extracts
# `cohort synth --people 20000 --seed 9` writes, with the test key
# tests/data/golden/demo.key, publishes exactly what tests/data/golden/demo/
# holds; and `cohort check`, `cohort run` and `cohort rules` (text and
# JSON) print exactly what it holds. The run id, clock times, stage
# seconds and version are masked; the cohort tables and report.html are
# compared by fingerprint (SHA-256, lines, hidden cells, sum of the shown
# counts) to keep the expected files small. tests/data/golden/README says
# how to update them when a change means to change the output.
. "$COHORT_TOP/tests/cli/lib.sh"

golden=$COHORT_TOP/tests/data/golden/demo
check 'demo_fixture 20000 9' "the demo extracts of 20 000 people"
cp "$COHORT_TOP/tests/data/golden/demo.key" "$scratch/demo/demo.key" && chmod 600 "$scratch/demo/demo.key"
got=${COHORT_GOLDEN_KEEP:-$scratch/got}
mkdir "$got"

# what differs from run to run or version to version, masked
mask() {
    sed -E -e 's/[0-9]{8}T[0-9]{6}\.[0-9]{3}Z/RUN/g' \
        -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/TIME/g' \
        -e '/"name": "report.html"/s/"bytes": [0-9]+, "blake2b": "[0-9a-f]+"/"bytes": N, "blake2b": "HASH"/' \
        -e 's/"version": "[^"]*"/"version": "VERSION"/' \
        -e 's/; cohort [0-9][^;]*; plan hash/; cohort VERSION; plan hash/' \
        -e 's/^seconds: .*/seconds: SECONDS/' \
        -e 's/^cpu seconds: .*/cpu seconds: SECONDS/'
}
# fingerprint FILE: sha256, lines, [c] cells and the sum of shown counts
# (the count column, found by its header: margin follows it)
fingerprint() {
    printf '%s %s %s\n' "$(basename "$1")" "$(sha256sum <"$1" | cut -d' ' -f1)" \
        "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "count") k = i; next }
                    { if ($k == "[c]") h++; else s += $k } END { printf "%d lines, %d hidden, %d shown in all", NR, h, s }' "$1")"
}

run cohort check config/demo.conf
expect_rc 0 "check passes"
mask <"$out" >"$got/check.out"
run cohort run config/demo.conf
expect_rc 0 "run publishes"
mask <"$out" >"$got/run.out"
mask <"$err" >"$got/run.err"
run cohort rules config/demo.conf
expect_rc 0 "rules exits 0"
mask <"$out" >"$got/rules.txt"
run cohort rules config/demo.conf --format json
expect_rc 0 "rules --format json exits 0"
mask <"$out" >"$got/rules.json"

latest=$scratch/demo/out/latest
(cd "$latest" && ls) >"$got/files.txt"
: >"$got/fingerprints.txt"
for f in "$latest"/*; do
    b=$(basename "$f")
    case $b in
    quality.csv|quarantine.csv|linkage.csv) cp "$f" "$got/$b" ;;
    manifest.json) mask <"$f" >"$got/$b" ;;
    report.html) mask <"$f" >"$scratch/report.masked"
        printf '%s %s masked\n' "$b" "$(sha256sum <"$scratch/report.masked" | cut -d' ' -f1)" >>"$got/fingerprints.txt" ;;
    *.csv) fingerprint "$f" >>"$got/fingerprints.txt" ;;
    *) echo "# unexpected published file $b" ;;
    esac
done

if [ "${COHORT_GOLDEN:-}" = update ]; then
    rm -rf "$golden"; mkdir -p "$golden"
    cp "$got"/* "$golden"/
    ok "the golden files are updated # SKIP COHORT_GOLDEN=update wrote $golden"
    finish; exit 0
fi
check '[ -d "$golden" ]' "the golden files exist ($golden)"
for f in "$golden"/*; do
    b=$(basename "$f")
    if cmp -s "$f" "$got/$b"; then
        ok "$b is as expected"
    else
        not_ok "$b is as expected (tests/data/golden/README: update it only when the change is meant)"
        diff -u "$f" "$got/$b" 2>&1 | head -n 30 | sed 's/^/# /'
    fi
done
finish
