# tests/suite_privacy.sh - run by scripts/run-tests after every CLI test.
# tests/cli/lib.sh kept every message the binary printed during the whole
# suite (stdout and stderr of every run, including the fault-injection
# sweeps and the killed runs) in $COHORT_SUITE_DIR/messages.*.log, every
# synth run's truth file in $COHORT_SUITE_DIR/truth.*.csv, the values tests
# planted in non-identifier columns (tests/cli/unmapped.sh: NHS numbers
# spaced and hyphenated, names, NI numbers, phone numbers, addresses, free
# text, dates, a code of one person's rows) in planted.*.txt, and a copy of
# the outputs of the runs that read them in outputs.*/. This searches the
# messages and every kept output file for every identifier of the truth
# files, in every form an extract writes it: NHS numbers, UPNs, postcodes
# with and without the space, dates of birth as ISO, dd/mm/yyyy and
# dd-Mon-yyyy, and names (UTF-8 and Latin-1); and for every planted value,
# in any case. Matches are reported by kind, file and line, never by value.
set -u
dir=${COHORT_SUITE_DIR:?COHORT_SUITE_DIR must name the suite directory}
top=${COHORT_TOP:?}
n=0; nfail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); nfail=$((nfail + 1)); echo "not ok $n - $1"; }
check() { if eval "$1"; then ok "$2"; else not_ok "$2"; fi; }

log=$dir/messages.log truth=$dir/truth.csv planted=$dir/planted.txt
# each script wrote its own (tests/cli/lib.sh): NAME.PID.EXT
cat "$dir"/messages.*.log >"$log" 2>/dev/null
cat "$dir"/truth.*.csv >"$truth" 2>/dev/null
cat "$dir"/planted.*.txt >"$planted" 2>/dev/null
check '[ "$(wc -l < "$log")" -gt 1000 ]' "the suite kept the binary's messages ($(wc -l < "$log") lines)"
check '[ "$(wc -l < "$truth")" -gt 10000 ]' "the suite's synth runs left identifiers to look for ($(wc -l < "$truth") rows)"

# Truth columns: source,line,person,nhs_number,upn,forename,surname,dob,
# postcode, then the person's convention, group, sex, age band, traits and
# the row's faults (app/synth.h).
# Dates of birth on the first or last day of a month are left out: period
# boundaries and reference dates print them legitimately.
awk -F, '$4 != "" { print $4 > (d "/p.nhs") }
         $5 != "" { print $5 > (d "/p.upn") }
         $9 != "" { print $9 > (d "/p.postcode"); p = $9; gsub(/ /, "", p); print p > (d "/p.postcode") }
         $8 ~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$/ {
             split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", mon, " ")
             split("31 28 31 30 31 30 31 31 30 31 30 31", mdays, " ")
             y = substr($8, 1, 4); m = substr($8, 6, 2); dd = substr($8, 9, 2)
             last = mdays[m + 0] + (m + 0 == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
             if (dd + 0 == 1 || dd + 0 == last) next
             print $8 > (d "/p.dob"); print dd "/" m "/" y > (d "/p.dob")
             print dd "-" mon[m + 0] "-" y > (d "/p.dob")
         }' d="$dir" "$truth"
# Names of four letters or more that are not words of the shipped
# configuration, lookups or documentation (a ward may be named after a
# family), matched as whole words.
cat "$top"/config/*.conf "$top"/config/lookups/* "$top/README.md" 2>/dev/null |
    tr -c 'A-Za-z' '\n' | tr 'A-Z' 'a-z' | sort -u > "$dir/public-words"
awk -F, '{ print $6; print $7 }' "$truth" | awk 'length($0) >= 4' | sort -u > "$dir/names"
tr 'A-Z' 'a-z' < "$dir/names" | paste -d, - "$dir/names" | sort -t, -k1,1 |
    join -t, -v1 - "$dir/public-words" | cut -d, -f2 > "$dir/p.name"
# ... and each name with letters beyond ASCII also as Windows-1252 (and so
# Latin-1) bytes, as the housing extract writes it, when that encoding
# holds it: iconv -c drops what it cannot hold, so a name is kept only if
# it comes back whole (Łukasz does not; the housing extract wrote Lukasz,
# which the truth has too). One name a line, so one that does not fit
# stops nothing.
LC_ALL=C grep -v '^[ -~]*$' "$dir/p.name" > "$dir/names.8bit"
iconv -c -f UTF-8 -t WINDOWS-1252 < "$dir/names.8bit" > "$dir/names.cp1252" 2>/dev/null
iconv -f WINDOWS-1252 -t UTF-8 < "$dir/names.cp1252" 2>/dev/null |
    paste -d '\t' "$dir/names.8bit" - | awk -F'\t' '{ print ($1 == $2) }' |
    paste -d '\t' - "$dir/names.cp1252" | LC_ALL=C awk -F'\t' '$1 == 1 { print $2 }' > "$dir/names.fit"
cat "$dir/names.fit" >> "$dir/p.name"

# planted values: as planted and, for the longer ones, their letters and
# digits alone (the test lists both); any case
sort -u "$planted" | grep -v '^$' > "$dir/p.planted"
outputs=$(find "$dir" -path "$dir/outputs.*" -type f | sort)
check '[ -n "$outputs" ]' "the suite kept the outputs of the planted runs ($(echo "$outputs" | grep -c .) files)"

# One grep a kind over every plain file (its patterns compiled once, not
# once a file), and one a gzip file.
plain=$(echo "$outputs" | grep -v '\.gz$' || true)
gzipped=$(echo "$outputs" | grep '\.gz$' || true)
leaks=0
for kind in nhs upn postcode dob name planted; do
    pat=$dir/p.$kind
    [ -s "$pat" ] || { echo "# no $kind patterns"; continue; }
    case $kind in name) opt=-w ;; planted) opt=-i ;; *) opt= ;; esac
    # shellcheck disable=SC2086
    found=$(LC_ALL=C grep -H -n $opt -F -f "$pat" -- "$log" $plain |
        cut -d: -f1,2 | head -n 5 | sed "s|^$dir/||" | tr '\n' ' ')
    if [ -n "$found" ]; then
        echo "# a $kind identifier at (file:line) $found"
        leaks=1
    fi
    for f in $gzipped; do
        found=$(gzip -dc "$f" | LC_ALL=C grep -n $opt -F -f "$pat" | cut -d: -f1 | head -n 5 | tr '\n' ' ')
        if [ -n "$found" ]; then
            echo "# a $kind identifier at ${f#"$dir"/} line(s) $found"
            leaks=1
        fi
    done
done
check '[ -s "$dir/p.nhs" ] && [ -s "$dir/p.name" ] && [ -s "$dir/p.dob" ] && [ -s "$dir/p.planted" ]' "every kind of identifier has patterns"
check '[ "$leaks" -eq 0 ]' "no synth or planted identifier in any message or kept output of the whole suite"
echo "1..$n"
[ "$nfail" -eq 0 ]
