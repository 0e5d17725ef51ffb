# Bad input: every malformed thing a real extract (or job file, or key
# file) can hold gets a clear error naming the source, line and column, a
# documented exit code, loses no row (rows in = accepted + quarantined) and
# leaves the previous publication intact.
. "$COHORT_TOP/tests/cli/lib.sh"

cd "$scratch"
mkdir -p in out
"$COHORT" keygen job.key >/dev/null
cp "$COHORT_TOP/config/lookups/postcodes.csv" lookup.csv
cat > job.conf <<'CONF'
[job]
name = bad
reference_date = 2026-10-31
periods = 3
key_file = job.key
output_dir = out
lookup = lookup.csv

[source extract]
department = housing
path = in/extract.csv*
date_format = %d/%m/%Y
field.forename = FIRST
field.surname = LAST
field.dob = DOB
field.postcode = POSTCODE
field.service = TENURE
field.start_date = START
value.service.TA = temporary_accommodation
max_reject_rate = 0%
max_row_change = 100%

[cohort ta]
where = housing.temporary_accommodation
by = age_band
CONF
good_rows() {
    printf 'FIRST,LAST,DOB,POSTCODE,TENURE,START\r\n'
    i=0
    while [ $i -lt 30 ]; do
        printf 'Ann%s,Smith,0%s/01/1990,LS20 1BY,TA,01/0%s/2026\r\n' $i $((i % 9 + 1)) $((i % 9 + 1))
        i=$((i + 1))
    done
}
good_rows > in/extract.csv
run cohort run job.conf
expect_rc 0 "the good extract publishes"
good=$(readlink out/latest)

# case NAME RC STDERR_REGEX: runs the job on in/extract.csv* as it is now
case_run() {
    run cohort run job.conf
    expect_rc "$2" "$1: exit $2"
    expect_err "$3" "$1: the error says /$3/"
    check '[ "$(readlink out/latest)" = "$good" ]' "$1: the previous publication is intact"
    check '! ls out/runs/.tmp-* >/dev/null 2>&1' "$1: no staging directory left"
    if grep -q '^source extract:' "$out"; then
        check 'awk "/^source extract:/{ exit !(\$3 == \$6 + \$8) }" "$out"' "$1: rows in = accepted + quarantined"
    fi
}
put() { rm -f in/extract.csv*; cat > "in/extract.csv${1:-}"; }

# The stored corpus: tests/data/bad/EXPECT lists each file, its exit code
# and a pattern its error must match (good_* files must publish).
sed 's/^max_row_change = .*/max_row_change = 20%/' job.conf > corpus.conf
ncorpus=0
while IFS="$(printf '\t')" read -r file want regex; do
    case $file in ''|'#'*) continue ;; esac
    ncorpus=$((ncorpus + 1))
    rm -f in/extract.csv*
    case $file in *.gz) cp "$COHORT_TOP/tests/data/bad/$file" in/extract.csv.gz ;;
                  *) cp "$COHORT_TOP/tests/data/bad/$file" in/extract.csv ;; esac
    before=$(readlink out/latest)
    run cohort run corpus.conf
    case_rc=$rc
    expect_rc "$want" "$file: exit $want"
    if [ "$want" -ne 0 ]; then
        expect_err "$regex" "$file: the error says /$regex/"
        check '[ "$(readlink out/latest)" = "$before" ]' "$file: the previous publication is intact"
    fi
    check '! ls out/runs/.tmp-* >/dev/null 2>&1' "$file: no staging directory left"
    if grep -q '^source extract:' "$out"; then
        check 'awk "/^source extract:/{ exit !(\$3 == \$6 + \$8) }" "$out"' "$file: rows in = accepted + quarantined"
    fi
    # put the good extract back as the previous night (a run that failed
    # left the last one in place)
    good_rows > in/extract.csv; rm -f in/extract.csv.gz
    if [ "$case_rc" -eq 0 ] || [ "$(readlink out/latest)" != "$before" ]; then
        run cohort run job.conf
        good=$(readlink out/latest)
    fi
done < "$COHORT_TOP/tests/data/bad/EXPECT"
check '[ "$ncorpus" -ge 40 ]' "the stored corpus has its $ncorpus files"

# Generated: too big to store. Ten times the 1 MiB field cap (a hundred
# times with the long checks: make soak, CI), and a gzip bomb of 30 MB
# (300 MB) of NULs.
if soak; then mb=100; else mb=10; fi
{ good_rows; printf 'Bo,'; head -c $((mb * 1000000)) /dev/zero | tr '\0' 'x'; printf ',01/01/1990,LS20 1BY,TA,01/01/2026\r\n'; } | put
case_run "a $mb MB single field" 1 'field_too_long'
{ good_rows; i=0; while [ $i -lt 600 ]; do printf 'c%s,' $i; i=$((i + 1)); done; printf '\r\n'; } | put
case_run "600 columns" 1 'too_many_columns'
good_rows | gzip -c | head -c 200 | put .gz; case_run "truncated gzip" 1 "source 'extract' file 1:[0-9]+: truncated gzip"
good_rows | gzip -c > g.gz; { head -c 40 g.gz; printf 'garbagegarbagegarbage'; tail -c +62 g.gz; } | put .gz
case_run "corrupt gzip" 1 'gzip'
{ good_rows; head -c $((mb * 3000000)) /dev/zero; } | gzip -1 -c | put .gz; case_run "gzip bomb ($((mb * 3)) MB of NULs)" 1 'nul_byte|field_too_long'
head -c 4096 /dev/urandom | put; case_run "binary junk" 1 'extract'
rm -f in/extract.csv*; case_run "no file matches" 3 'extract: no file matches'
# Job files (stored under tests/data/bad/conf): exit 2 naming the file,
# the line and the key.
nconf=0
while IFS="$(printf '\t')" read -r file regex; do
    case $file in ''|'#'*) continue ;; esac
    nconf=$((nconf + 1))
    cp "$COHORT_TOP/tests/data/bad/conf/$file" "$file"
    run cohort run "$file"
    expect_rc 2 "$file: exit 2"
    expect_err "$regex" "$file: the error says /$regex/"
done < "$COHORT_TOP/tests/data/bad/conf/EXPECT"
check '[ "$nconf" -ge 23 ]' "the stored job-file corpus has its $nconf files"

# Key files: exit 2.
key_case() {
    sed 's|^key_file = .*|key_file = bad.key|' job.conf > k.conf
    run cohort run k.conf
    expect_rc 2 "$1: exit 2"
    expect_err "$2" "$1: the error says /$2/"
}
printf 'cohort-key 1\nid 0000000000000000\nkey 0011\n' > bad.key; chmod 600 bad.key
key_case "key too short" 'not a cohort key file'
head -c 20 job.key > bad.key; chmod 600 bad.key; key_case "truncated key file" 'not a cohort key file'
cp job.key bad.key; chmod 644 bad.key; key_case "key readable by others" 'readable by others'
sed 's/^id .*/id 0123456789abcdef/' job.key > bad.key; chmod 600 bad.key; key_case "key id mismatch" 'does not match'
rm -f bad.key; key_case "missing key file" 'cannot read the key file'

# Privacy: no cell content ever reaches an error message.
check '! grep -rq "Ann1" "$scratch"/.stderr' "no cell value in the last error"
finish
