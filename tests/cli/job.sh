# The whole job end to end on synthetic extracts: check, run, publish,
# rerun, and the privacy scan (no identifier from the input in any output).
. "$COHORT_TOP/tests/cli/lib.sh"

# the suite's shared extracts of 3 000 people (tests/cli/lib.sh fixture)
check 'demo_fixture 3000 3' "keygen and synth write the demo key and extracts"
truth=$scratch/demo/extracts/truth_SYNTHETIC_IDENTIFIERS.csv
check '[ -s "$truth" ]' "synth writes a truth file"

run cohort check config/demo.conf
expect_rc 0 "check passes on the demo job"
expect_out '^check: ok$' "check says ok"
check '[ ! -e "$scratch/demo/out" ]' "check writes nothing"

run cohort run config/demo.conf
expect_rc 0 "run publishes"
cp "$out" "$scratch/run1.out"; cp "$err" "$scratch/run1.err"
expect_out '^published run [0-9T.]+Z to demo/out/latest$' "run says where it published"
check '[ -L "$scratch/demo/out/latest" ]' "latest is a symlink"
check '[ -f "$scratch/demo/out/latest/manifest.json" ]' "manifest published"
check '[ -f "$scratch/demo/out/latest/report.html" ]' "report published"
check 'ls "$scratch"/demo/out/latest/*.csv >/dev/null 2>&1' "tables published"

# Rows in = rows accepted + rows quarantined, for every source.
check 'awk "/^source /{ if (\$3 != \$6 + \$8) bad = 1; n++ } END { exit bad || !n }" "$scratch/run1.out"' \
    "rows in = accepted + quarantined for every source"

# Invariant 4: same inputs, key and config -> byte-identical tables.
first=$(readlink "$scratch/demo/out/latest")
run cohort run config/demo.conf
expect_rc 0 "rerun publishes"
second=$(readlink "$scratch/demo/out/latest")
check '[ "$first" != "$second" ]' "rerun is a new run directory"
same=1
for f in "$scratch/demo/out/$first"/*.csv; do
    cmp -s "$f" "$scratch/demo/out/$second/$(basename "$f")" || same=0
done
check '[ "$same" -eq 1 ]' "rerun tables are byte-identical"
# Every other output too: the same files, and the manifest and report
# byte-identical once the run's own id and clock times are masked.
# (The manifest's hash of the report differs with them: masked too.)
mask() { sed -e "s/$2/RUN/g" -e 's/[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z/TIME/g' \
    -e '/"report.html"/s/"blake2b": "[0-9a-f]*"/"blake2b": "HASH"/' "$1"; }
check '[ "$(cd "$scratch/demo/out/$first" && ls)" = "$(cd "$scratch/demo/out/$second" && ls)" ]' \
    "rerun publishes the same set of files"
same=1
for f in "$scratch/demo/out/$first"/*; do
    b=$(basename "$f")
    case $b in *.csv) continue ;; esac
    mask "$f" "$(basename "$first")" > "$scratch/mask1"
    mask "$scratch/demo/out/$second/$b" "$(basename "$second")" > "$scratch/mask2"
    cmp -s "$scratch/mask1" "$scratch/mask2" || { echo "# $b differs beyond run id and times"; same=0; }
    grep -q "$(basename "$first")" "$f" || { echo "# $b does not name its run"; same=0; }
done
check '[ "$same" -eq 1 ]' "rerun manifest and report are byte-identical but for the run id and clock"

# Privacy: every identifier in the input, searched in every output file,
# stdout and stderr of both runs. Dates of birth on the first of a month
# are left out (they are legitimately period labels), as are names that are
# words of the lookup table or the job file.
pat=$scratch/patterns; words=$scratch/public-words
# The report's glossary names the ethnic groups ("WHITE: White", "BLACK:
# Black, Black British ..."): words of the code lists, like the lookup's.
{ cat config/lookups/postcodes.csv config/demo.conf 2>/dev/null
  printf 'White Mixed Asian Black British Welsh Caribbean African Other Arab\n'
} | tr -c 'A-Za-z' '\n' | tr 'A-Z' 'a-z' | sort -u > "$words"
awk -F, 'NR > 1 {
    if ($4 != "") print $4; if ($5 != "") print $5;
    if ($9 != "") { print $9; p = $9; gsub(/ /, "", p); print p }
    if ($8 != "" && substr($8, 9, 2) != "01") print $8
}' "$truth" | sort -u > "$pat"
awk -F, 'NR > 1 { print $6; print $7 }' "$truth" | awk 'length($0) >= 4' | sort -u > "$scratch/names"
tr 'A-Z' 'a-z' < "$scratch/names" | paste -d, - "$scratch/names" | sort -t, -k1,1 | \
    join -t, -v1 - "$words" | cut -d, -f2 > "$scratch/name-patterns"
outputs=$(find "$scratch/demo/out" -type f; echo "$scratch/run1.out"; echo "$scratch/run1.err"; echo "$out"; echo "$err")
leaks=0
for f in $outputs; do
    case $f in *.gz) cat_cmd="gzip -dc" ;; *) cat_cmd=cat ;; esac
    if $cat_cmd "$f" | grep -F -q -f "$pat"; then echo "# identifier found in $f"; leaks=1; fi
    if $cat_cmd "$f" | grep -w -F -q -f "$scratch/name-patterns"; then echo "# name found in $f"; leaks=1; fi
done
check '[ "$(wc -l < "$pat")" -gt 1000 ]' "the privacy scan has identifiers to look for"
check '[ "$leaks" -eq 0 ]' "no identifier from the input in any output, log or message"

# Cell-key perturbation (ONS style) with the shipped ptable: cells
# perturbed (counted per table in the manifest, never marked per cell), and
# the same persons get the same noise on a rerun.
sed -e 's/^rounding  = 5/rounding = 1\nperturbation = cellkey\nptable = config\/ptable_default.csv/' \
    -e 's|^output_dir .*|output_dir = demo/out_ck|' config/demo.conf > "$scratch/ck.conf"
run cohort run ck.conf
expect_rc 0 "a cell-key job publishes"
check 'grep -Eq "^cohort adults_long_term_support: .*" "$out" && grep -q "\"perturbed\": [1-9]" "$scratch"/demo/out_ck/latest/manifest.json' \
    "the manifest counts the perturbed cells (per table, never per cell)"
check '! grep -Eq ",(perturbed|ok|rounded|suppressed|secondary)$" "$scratch"/demo/out_ck/latest/*.csv' \
    "no published cell says whether its count was perturbed"
ck1=$(readlink "$scratch/demo/out_ck/latest")
run cohort run ck.conf
ck2=$(readlink "$scratch/demo/out_ck/latest")
check 'cmp -s "$scratch/demo/out_ck/$ck1/adults_long_term_support.csv" "$scratch/demo/out_ck/$ck2/adults_long_term_support.csv"' \
    "the same persons get the same noise on a rerun"

# Exit codes.
run cohort run config/demo.conf --quiet
expect_rc 0 "quiet run exits 0"
check '[ ! -s "$out" ]' "quiet run prints nothing"
# the lock is held until this test has seen the second run refused
(cd "$scratch" && flock demo/out/.cohort.lock sh -c \
    'touch lock.held; k=0; while [ ! -e lock.release ] && [ $k -lt 600 ]; do sleep 0.05; k=$((k + 1)); done') &
k=0; while [ ! -e "$scratch/lock.held" ] && [ $k -lt 600 ]; do sleep 0.05; k=$((k + 1)); done
run cohort run config/demo.conf
expect_rc 4 "a second run while the lock is held exits 4"
expect_err 'another run holds the lock' "lock error says why"
touch "$scratch/lock.release"
wait
# Drift: a half-written extract fails the run; --accept-drift overrides.
before=$(readlink "$scratch/demo/out/latest")
head -n 100 "$scratch/demo/extracts/housing.csv" > "$scratch/h" && mv "$scratch/h" "$scratch/demo/extracts/housing.csv"
run cohort run config/demo.conf
expect_rc 1 "an extract that shrank past max_row_change exits 1"
expect_err 'housing: rows in moved from [0-9]+ to [0-9]+ \(-[0-9.]+ %\)' "the drift error names the source and the change"
check '[ "$(readlink "$scratch/demo/out/latest")" = "$before" ]' "nothing published on drift"
run cohort run config/demo.conf --accept-drift --log-format json
expect_rc 0 "--accept-drift publishes"
run cohort run config/demo.conf --log-format xml
expect_rc 2 "a bad --log-format exits 2"
sed 's|^key_file *=.*|key_file = demo/nokey.key|' config/demo.conf > "$scratch/nokey.conf"
run cohort run nokey.conf
expect_rc 2 "a missing key file exits 2"
finish
