# Unmapped codes name no identifier: values planted in the housing
# extract's TENURE column -- a row's own NHS number spaced (on ten rows of
# one person) and hyphenated, its name, an NI number, a phone number, an
# address, free text, a dd-mm-yyyy date, a postcode, an e-mail, and a
# plain code on twelve rows of one person -- appear in no output file, no
# message and no `cohort check` line; a plain code carried by twelve
# distinct persons is named. The planted values and the run's outputs are
# handed to the suite-wide privacy scan (tests/suite_privacy.sh).
. "$COHORT_TOP/tests/cli/lib.sh"

check 'demo_fixture 3000 3' "the demo key and extracts of 3 000 people"
truth=$scratch/demo/extracts/truth_SYNTHETIC_IDENTIFIERS.csv
housing=$scratch/demo/extracts/housing.csv
planted=$scratch/planted.txt

# Persons of the housing extract with every identifier, plain ASCII names
# of four letters or more (the suite's name scan looks for those), one row
# each; their rows are appended in the extract's own form (CRLF,
# dd/mm/yyyy), with the planted value as TENURE. planted.txt lists every
# planted value that must never be published, and its letters and digits
# alone; TA9, carried by twelve distinct persons, is the one to be named.
awk -F, -v out="$housing" -v planted="$planted" '
function put(k, tenure) {
    printf "P%06d,%s,%s,%s,,%s,\"1 Test Road, Town\",%s,%s,01/06/2025,\r\n",
        k, fn[k], sn[k], dmy[k], nhs[k], pc[k], tenure >> out
}
function secret(v, c) {
    print v > planted
    c = v; gsub(/[^A-Za-z0-9]/, "", c)
    if (length(c) >= 6 && c != v) print c > planted
}
NR > 1 && $1 == "housing" && length($4) == 10 && $4 ~ /^[0-9]+$/ &&
    $6 ~ /^[A-Za-z][A-Za-z][A-Za-z][A-Za-z]+$/ &&
    $7 ~ /^[A-Za-z][A-Za-z][A-Za-z][A-Za-z]+$/ &&
    length($8) == 10 && $9 != "" && !seen[$3]++ && k < 24 {
    k++; nhs[k] = $4; fn[k] = $6; sn[k] = $7; pc[k] = $9
    dmy[k] = substr($8, 9, 2) "/" substr($8, 6, 2) "/" substr($8, 1, 4)
    dashed[k] = substr($8, 9, 2) "-" substr($8, 6, 2) "-" substr($8, 1, 4)
}
END {
    if (k < 24) exit 1
    v = substr(nhs[1], 1, 3) " " substr(nhs[1], 4, 3) " " substr(nhs[1], 7, 4)
    for (i = 0; i < 10; i++) put(1, v)
    secret(v)
    v = substr(nhs[2], 1, 3) "-" substr(nhs[2], 4, 3) "-" substr(nhs[2], 7, 4)
    put(2, v); secret(v)
    v = fn[3] " " sn[3]; put(3, v); secret(v)
    v = "ab 12 34 56 c"; put(4, v); secret(v)
    v = "07700 900123"; put(5, v); secret(v)
    v = "12 High Street"; put(6, v); secret(v)
    v = "Mrs " sn[7] " DV refuge"; put(7, v); secret(v)
    v = dashed[8]; put(8, v); secret(v)
    v = tolower(pc[9]); gsub(/ /, "", v); put(9, v); secret(v)
    v = tolower(fn[10] "." sn[10] "@example.org"); put(10, v); secret(v)
    for (i = 0; i < 12; i++) put(11, "ZQX9")
    secret("ZQX9")
    for (i = 12; i < 24; i++) put(i, "TA9")
}' "$truth"
planted_rc=$?
check '[ "$planted_rc" -eq 0 ] && [ "$(wc -l < "$planted")" -ge 15 ]' "values planted in TENURE"
suite_planted "$planted"

# More rows are quarantined than the demo allows: raise its limit only.
# The run publishes to a throwaway PostgreSQL too, when one can be had
# (scripts/pg-cluster), so its quality table is searched as well.
sed 's/^max_reject_rate *=.*/max_reject_rate = 25%/' config/demo.conf > "$scratch/job.conf"
pgdir=$(mktemp -d "${TMPDIR:-/tmp}/cohort-pg.XXXXXX")
trap 'sh "$COHORT_TOP/scripts/pg-cluster" stop "$pgdir" 2>/dev/null; rm -rf "$scratch" "$pgdir"' EXIT INT TERM
if conn=$(sh "$COHORT_TOP/scripts/pg-cluster" start "$pgdir" 2>"$scratch/pg.err"); then
    printf '\n[output warehouse]\ntype = postgres\nconninfo = %s\nschema = cohorts\n' "$conn" >> "$scratch/job.conf"
else
    conn=
fi

run cohort check job.conf
expect_rc 0 "check passes"
cp "$out" "$scratch/check.out"; cp "$err" "$scratch/check.err"
expect_out '^  unmapped codes: .*service=\(code\) [0-9]+' "check counts plain codes as (code)"
expect_out 'service=\(not shown\) 19' "check counts the 19 identifier rows as (not shown)"
check '! grep -q "TA9" "$scratch/check.out"' "check names no code: it counts no person"

run cohort run job.conf
expect_rc 0 "run publishes"
cp "$out" "$scratch/run.out"; cp "$err" "$scratch/run.err"
latest=$scratch/demo/out/latest
expect_out '^  unmapped codes: .*service=TA9 12' "run names a code twelve distinct persons carry"
check 'grep -qx "housing,unmapped:service=TA9,12" "$latest/quality.csv"' \
    "quality.csv names it"
check 'grep -q "service=TA9 12" "$latest/report.html"' "report.html names it"
check 'grep -qx "housing,unmapped:service=(not shown),19" "$latest/quality.csv"' \
    "the 19 identifier rows are counted as (not shown)"
check 'grep -Eqx "housing,unmapped:service=\(rare\),(1[2-9]|[2-9][0-9])" "$latest/quality.csv"' \
    "twelve rows of one person are counted as (rare), unnamed"

if [ -n "$conn" ]; then
    psql "$conn" -X -A -t -q -c "select source, measure, value from cohorts.quality" \
        > "$scratch/pg-quality.txt" 2>&1
    check 'grep -qx "housing|unmapped:service=TA9|12" "$scratch/pg-quality.txt"' \
        "the PostgreSQL quality table names it"
else
    ok "the PostgreSQL quality table names it # SKIP no PostgreSQL server: $(head -n 1 "$scratch/pg.err")"
fi

# Nothing planted, in any form, anywhere: every output file and the
# PostgreSQL quality table (kept for the suite's scan too), the run's and
# check's stdout and stderr.
mkdir "$scratch/published"
cp -RL "$latest"/. "$scratch/published"/
[ -f "$scratch/pg-quality.txt" ] && cp "$scratch/pg-quality.txt" "$scratch/published"/
suite_outputs "$scratch/published"
leaks=0
for f in $(find "$scratch/published" -type f) \
         "$scratch/run.out" "$scratch/run.err" "$scratch/check.out" "$scratch/check.err"; do
    case $f in *.gz) cat_cmd="gzip -dc" ;; *) cat_cmd=cat ;; esac
    if $cat_cmd "$f" | LC_ALL=C grep -i -F -q -f "$planted"; then
        echo "# a planted value in ${f#$scratch/}"; leaks=1
    fi
done
check '[ "$leaks" -eq 0 ]' "no planted value in any output, log or check line"
finish
