# File names are data: a referral inbox names its files after the person
# (inbox/referral_<forename>_<surname>_<dob>.csv). No output, log line or
# error names a file by its path: a source by its [source NAME], a file by
# its position in the source's glob (sorted) and the BLAKE2b hash of its
# bytes. And a header whose column names match case-insensitively
# (TENURE, tenure) is refused, exit 1, naming both columns.
. "$COHORT_TOP/tests/cli/lib.sh"

cd "$scratch"
mkdir -p inbox out
"$COHORT" keygen job.key >/dev/null
cp "$COHORT_TOP/config/lookups/postcodes.csv" lookup.csv
cat > job.conf <<'CONF'
[job]
name = inbox
reference_date = 2026-10-31
periods = 3
key_file = job.key
output_dir = out
lookup = lookup.csv

[source referrals]
department = housing
path = inbox/*.csv
date_format = %d/%m/%Y
field.forename = FIRST
field.surname = LAST
field.dob = DOB
field.postcode = POSTCODE
field.service = TENURE
field.start_date = START
value.service.TA = temporary_accommodation
max_reject_rate = 50%
max_row_change = 100%

[cohort ta]
where = housing.temporary_accommodation
by = age_band
CONF
# rows FROM TO: good rows whose values share nothing with the file names
rows() {
    printf 'FIRST,LAST,DOB,POSTCODE,TENURE,START\n'
    i=$1
    while [ $i -lt $2 ]; do
        printf 'Ann%s,Smith,0%s/01/1990,LS20 1BY,TA,01/0%s/2026\n' $i $((i % 9 + 1)) $((i % 9 + 1))
        i=$((i + 1))
    done
}
# Sorted, Ann_Bell is file 1 and Uma_Lake file 2; Uma_Lake's third data
# row (line 4) is ragged.
first=inbox/referral_Ann_Bell_2010-01-01.csv
second=inbox/referral_Uma_Lake_2011-03-12.csv
rows 0 20 > "$first"
{ rows 20 22; printf 'Bo,Smith,01/01/1990\n'; rows 22 30 | tail -n +2; } > "$second"
h1=$(b2sum -l 256 "$first" | cut -d' ' -f1)
h2=$(b2sum -l 256 "$second" | cut -d' ' -f1)

# leaks FILE...: the parts of the file names found in any of them
leaks() { grep -l -E 'Uma|Lake|2011-03-12|referral_|Ann_Bell|2010-01-01' "$@" 2>/dev/null; }

run cohort run job.conf
expect_rc 0 "a run over the inbox publishes"
cp "$out" run.out; cp "$err" run.err
latest=out/latest
check 'grep -qx "source,file,file_blake2b,line,column,reason" "$latest/quarantine.csv"' \
    "quarantine.csv has a file position and a file hash column"
check 'grep -qx "referrals,2,$h2,4,4,ragged_row" "$latest/quarantine.csv"' \
    "the ragged row is named by source, file position 2, its BLAKE2b and line"
check 'grep -q "\"files\": \[{\"position\": 1, \"bytes\": [0-9]*, \"blake2b\": \"$h1\", \"rows\": 20}, {\"position\": 2, \"bytes\": [0-9]*, \"blake2b\": \"$h2\", \"rows\": 11}\]" "$latest/manifest.json"' \
    "the manifest lists each file by position, bytes, BLAKE2b and rows"
check '! grep -q "\"path\"" "$latest/manifest.json"' "the manifest has no input path"
check '[ -z "$(leaks -r out/ run.out run.err)" ]' \
    "no output, state file, stdout or stderr holds a file name's part: $(leaks -r out/ run.out run.err | tr '\n' ' ')"

run cohort check job.conf
expect_rc 0 "check passes"
check '[ -z "$(leaks "$out" "$err")" ]' "check prints no file name"

# Too many rejects: the logged positions name the file by position.
sed 's/^max_reject_rate = .*/max_reject_rate = 0%/' job.conf > strict.conf
run cohort run strict.conf
expect_rc 1 "a reject over the limit exits 1"
expect_err "source 'referrals' file 2:4:4: quarantined \[ragged_row\]" \
    "the logged rejected row names the source and file position"
check '[ -z "$(leaks "$out" "$err")" ]' "the failing run names no file"

# A file the glob lists but that cannot be opened (a dangling link) or read
# (a directory): the error names the source and the position, never the path.
ln -s gone inbox/referral_Uma_Lake_2011-03-13.csv
run cohort run job.conf
expect_rc 3 "a file that cannot be opened exits 3"
expect_err "source 'referrals' file 3: cannot open: No such file or directory" \
    "it names the source and the file's position"
expect_err "file 3 of 3 matching 'inbox/\*\.csv'" "and the glob from the config, to find it"
check '[ -z "$(leaks "$out" "$err")" ]' "the open error names no file"
run cohort check job.conf
expect_rc 3 "check: a file that cannot be opened exits 3"
expect_err "source 'referrals' file 3: cannot open" "check names the source and the position"
check '[ -z "$(leaks "$out" "$err")" ]' "check's open error names no file"
rm inbox/referral_Uma_Lake_2011-03-13.csv
mkdir inbox/referral_Uma_Lake_2011-03-14.csv
run cohort run job.conf
expect_rc 3 "a directory the glob matches is refused, exit 3"
expect_err "source 'referrals' file 3: not a regular file" "it names the source and the file's position"
check '[ -z "$(leaks "$out" "$err")" ]' "the read error names no file"
rmdir inbox/referral_Uma_Lake_2011-03-14.csv

# A literal path (no wildcard) is itself a file name: not printed.
ln -s gone inbox/referral_Ann_Bell_gone.csv
sed "s|^path = .*|path = inbox/referral_Ann_Bell_gone.csv|" job.conf > literal.conf
run cohort run literal.conf
expect_rc 3 "a literal path that cannot be opened exits 3"
expect_err "source 'referrals' file 1: cannot open" "it names the source and position"
check '[ -z "$(leaks "$out" "$err")" ]' "a literal path is not printed"
rm inbox/referral_Ann_Bell_gone.csv

# The header of a later file differs: named by positions.
printf 'FIRST,LAST,DOB,POSTCODE,TENURE,BEGIN\nA,B,01/01/1990,LS20 1BY,TA,01/01/2026\n' > inbox/referral_Zed_Moss_2012-04-01.csv
run cohort run job.conf
expect_rc 1 "a later file with another header exits 1"
expect_err "source 'referrals' file 3:1: header differs from file 1's" "the header fault names both files by position"
check '[ -z "$(leaks "$out" "$err")" ]' "the header fault names no file"
rm inbox/referral_Zed_Moss_2012-04-01.csv

# Duplicate columns: TENURE and tenure (in the one file left, so that no
# other fault of the inbox can fail the run).
mv "$second" second.aside
before=$(readlink out/latest)
dup() {
    { printf '%s\n' "$1"; rows 0 20 | tail -n +2 | sed 's/$/,X/'; } > "$first"
}
dup 'FIRST,LAST,DOB,POSTCODE,TENURE,START,tenure'
run cohort run job.conf
expect_rc 1 "a header with TENURE and tenure exits 1"
expect_err "source 'referrals' file 1:1: columns 5 'TENURE' and 7 'tenure' have the same name.*\[duplicate_column\]" \
    "the error names both columns by position and name"
check '[ "$(readlink out/latest)" = "$before" ]' "nothing is published"
run cohort check job.conf
expect_rc 1 "check: duplicate columns exit 1"
expect_err "columns 5 'TENURE' and 7 'tenure' have the same name" "check reports the duplicate"
expect_out '^check: FAILED' "check says it failed"
dup 'FIRST,LAST,DOB,POSTCODE, TENURE ,START,"Tenure "'
run cohort run job.conf
expect_rc 1 "surrounding spaces do not make two names different"
expect_err "columns 5 'TENURE' and 7 'Tenure' have the same name" "the names as trimmed"
dup 'FIRST,LAST,DOB,POSTCODE,TENURE,START,"Lake, Uma"'
sed -i '1s/$/,"lake, uma"/' "$first"
sed -i '2,$s/$/,Y/' "$first"
run cohort run job.conf
expect_rc 1 "two header cells that are not plain names, matching"
expect_err "columns 7 and 8 have the same name" "only their positions are printed"
check '[ -z "$(leaks "$out" "$err")" ]' "a header cell that is not a plain name is not printed"
dup 'FIRST,LAST,DOB,POSTCODE,TENURE,START,'
sed -i '1s/$/,/' "$first"
sed -i '2,$s/$/,/' "$first"
run cohort run job.conf
expect_rc 0 "empty header cells (trailing commas) are not duplicates"
finish
