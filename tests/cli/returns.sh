# Children's services returns (issue 23), on a small extract of the public
# fake SSDA903 data in tests/data/ssda903 (README there: source, licence,
# how the two yearly returns were made):
#   - two stacked returns read through one glob publish, for every month
#     of the later return's year, what the later return alone publishes
#     (persons and at_end), and quality.csv counts what reconciling did;
#   - new(children_social_care.looked_after) equals a hand count (awk) of
#     the children with an episode of RNE = S starting that month;
#   - measure = at_end equals a hand count of the children with an episode
#     open on each month's last day;
#   - every dob in Excel's date-and-time form publishes the same age bands
#     as the plain dates; unparseable dobs fail check and run (exit 1,
#     max_drop_rate) naming the source and the field, never a value.
. "$COHORT_TOP/tests/cli/lib.sh"

d=$COHORT_TOP/tests/data/ssda903
mkdir -p "$scratch/returns" "$scratch/later"
cp "$d"/ssda903_20*_episodes.csv "$scratch/returns/"
cp "$d"/ssda903_2018_episodes.csv "$scratch/later/"
cp "$d"/ssda903_header.csv "$scratch/"
cp "$COHORT_TOP"/config/lookups/postcodes.csv "$scratch/lookup.csv"
run cohort keygen test.key

# job NAME EPISODES-GLOB HEADER: a job over the 24 months to 31 March 2018
# with nothing suppressed or rounded (the true counts). The fake UPNs have
# no valid check letter and half the fake postcodes are no UK postcode, so
# neither is read (max_drop_rate would refuse them, rightly).
job() {
    cat > "$scratch/$1.conf" <<CONF
[job]
name           = $1
reference_date = 2018-03-31
periods        = 24
key_file       = test.key
output_dir     = out_$1
lookup         = lookup.csv
age_bands      = 0-4, 5-10, 11-15, 16-17, 18+

[source lac_header]
profile   = ssda903_header
path      = $3
field.upn =

[source lac_episodes]
profile = ssda903_episodes
path    = $2
field.postcode =

[disclosure]
min_count = 1
rounding  = 1

[cohort looked_after]
where = children_social_care.looked_after

[cohort looked_after_at_end]
where   = children_social_care.looked_after
measure = at_end

[cohort entries]
where = new(children_social_care.looked_after)

[cohort by_age]
where   = children_social_care.looked_after
by      = age_band
measure = at_end
CONF
}
# series DIR TABLE: period,count of the grand totals
series() { grep -v '"' "$scratch/$1/latest/$2.csv" | tail -n +2 | cut -d, -f1,2; }
# year2018 FILE: its rows for April 2017 to March 2018
year2018() { grep -E '^(2017-(0[4-9]|1[0-2])|2018-0[1-3])-01,' "$1"; }

job stacked 'returns/ssda903_*_episodes.csv' ssda903_header.csv
job later 'later/ssda903_2018_episodes.csv' ssda903_header.csv
run cohort run stacked.conf
expect_rc 0 "two stacked yearly returns publish"
run cohort run later.conf
expect_rc 0 "the later return alone publishes"
for t in looked_after looked_after_at_end; do
    series out_stacked "$t" | year2018 /dev/stdin > "$scratch/s.$t"
    series out_later "$t" | year2018 /dev/stdin > "$scratch/l.$t"
    check '[ "$(wc -l < "$scratch/s.$t")" -eq 12 ] && cmp -s "$scratch/s.$t" "$scratch/l.$t" &&
           [ "$(cut -d, -f2 "$scratch/s.$t" | paste -sd+ | bc)" -gt 0 ]' \
        "$t: the stacked returns publish the later return's counts for its 12 months"
done
# without reconciling (return_year_end = none) the stacked years over-count
sed 's/^path    = returns.*/&\nreturn_year_end = none/' "$scratch/stacked.conf" |
    sed 's/^output_dir .*/output_dir     = out_raw/' > "$scratch/raw.conf"
run cohort run raw.conf
expect_rc 0 "the same returns read as one extract publish"
series out_raw looked_after_at_end | year2018 /dev/stdin > "$scratch/r.at_end"
check '! cmp -s "$scratch/r.at_end" "$scratch/l.looked_after_at_end"' \
    "read as one extract, the stacked years count differently (the test can fail)"
q=$scratch/out_stacked/latest/quality.csv
check 'grep -q "^lac_episodes,returns:files,2$" "$q"' "quality.csv counts the two returns"
# by hand: episodes of 2017 that 2018 lists again, the same (child, start,
# end: duplicates) or with the same start only (replaced by 2018's)
pairs() { awk -F, -v k="$1" 'FNR > 1 { print (k == 2 ? $1 "," $2 : $1 "," $2 "," $8) }' "$2" | sort; }
dup=$(comm -12 "$(pairs 3 "$d/ssda903_2017_episodes.csv" > "$scratch/a3"; echo "$scratch/a3")" \
               "$(pairs 3 "$d/ssda903_2018_episodes.csv" > "$scratch/b3"; echo "$scratch/b3")" | wc -l)
same=$(comm -12 "$(pairs 2 "$d/ssda903_2017_episodes.csv" > "$scratch/a2"; echo "$scratch/a2")" \
                "$(pairs 2 "$d/ssda903_2018_episodes.csv" > "$scratch/b2"; echo "$scratch/b2")" | wc -l)
check 'grep -q "^lac_episodes,returns:duplicate,$dup$" "$q" &&
       grep -q "^lac_episodes,returns:replaced,$((same - dup))$" "$q" &&
       [ "$((same - dup))" -gt 0 ]' \
    "quality.csv counts the 2017 episodes 2018 repeats or replaces, as a hand count does"
check 'grep -Eq "^lac_episodes,returns:superseded,[0-9]+$" "$q" &&
       grep -Eq "^lac_episodes,returns:closed,[0-9]+$" "$q"' \
    "and the episodes cut or closed (each rule on hand-made spells: test_returns)"

# hand counts from the later return alone (its own months), with awk:
# entries = children with an episode of RNE = S starting in the month;
# at_end = children with an episode open on the month's last day
hand() {
    awk -F, -v kind="$1" '
        function ymd(s, a) { split(s, a, "/"); return a[3] a[2] a[1] }
        FNR == 1 { next }
        { s = ymd($2); e = ($8 == "") ? "99999999" : ymd($8)
          for (m = 0; m < 12; m++) {
              y = m < 9 ? 2017 : 2018; mo = (m + 3) % 12 + 1
              first = sprintf("%04d%02d01", y, mo)
              last = sprintf("%04d%02d%02d", y, mo, days(y, mo))
              if (kind == "entries" && $3 == "S" && s >= first && s <= last)
                  seen[first, $1] = 1
              if (kind == "at_end" && s <= last && e >= last)
                  seen[first, $1] = 1
          } }
        function days(y, mo) {
            if (mo == 2) return (y % 4 == 0) ? 29 : 28
            return (mo == 4 || mo == 6 || mo == 9 || mo == 11) ? 30 : 31 }
        END { for (k in seen) { split(k, p, SUBSEP); n[p[1]]++ }
              for (m = 0; m < 12; m++) {
                  y = m < 9 ? 2017 : 2018; mo = (m + 3) % 12 + 1
                  f = sprintf("%04d%02d01", y, mo)
                  printf "%04d-%02d-01,%d\n", y, mo, n[f] + 0 } }' "$2"
}
hand entries "$scratch/later/ssda903_2018_episodes.csv" > "$scratch/h.entries"
series out_later entries | year2018 /dev/stdin > "$scratch/p.entries"
check 'cmp -s "$scratch/h.entries" "$scratch/p.entries"' \
    "new(looked_after) equals the hand count of RNE = S per month"
check '[ "$(cut -d, -f2 "$scratch/p.entries" | paste -sd+ | bc)" -gt 0 ]' \
    "and there are entries to count"
series out_stacked entries | year2018 /dev/stdin > "$scratch/ps.entries"
check 'cmp -s "$scratch/h.entries" "$scratch/ps.entries"' \
    "and so does the stacked returns' new(looked_after)"
hand at_end "$scratch/later/ssda903_2018_episodes.csv" > "$scratch/h.at_end"
check 'cmp -s "$scratch/h.at_end" "$scratch/l.looked_after_at_end"' \
    "measure = at_end equals the hand count at each month's last day"
check '! cmp -s "$scratch/l.looked_after" "$scratch/l.looked_after_at_end"' \
    "and differs from any day in the month (the test can fail)"

# Excel's date-and-time form in every dob: the same age bands
awk -F, 'BEGIN { OFS = "," } NR > 1 && $3 != "" { $3 = $3 " 00:00:00" } 1' \
    "$d/ssda903_header.csv" > "$scratch/header_excel.csv"
job excel 'later/ssda903_2018_episodes.csv' header_excel.csv
run cohort check excel.conf
expect_rc 0 "check accepts dobs written as 14/02/2013 00:00:00"
run cohort run excel.conf
expect_rc 0 "and run publishes"
check 'cmp -s "$scratch/out_later/latest/by_age.csv" "$scratch/out_excel/latest/by_age.csv"' \
    "with the age bands of the plain dates"
check '! grep -q "^2018-03-01,\"UNKNOWN\",[1-9]" "$scratch/out_excel/latest/by_age.csv"' \
    "and no child of unknown age"

# unparseable dobs: exit 1 naming the source, the field and the reason
awk -F, 'BEGIN { OFS = "," } NR > 1 && $3 != "" { split($3, a, "/"); $3 = a[1] "." a[2] "." substr(a[3], 3) } 1' \
    "$d/ssda903_header.csv" > "$scratch/header_bad.csv"
job bad 'later/ssda903_2018_episodes.csv' header_bad.csv
run cohort check bad.conf
expect_rc 1 "check refuses a header whose dobs no format reads"
expect_err "lac_header: field 'dob' dropped from [0-9]+ of the first [0-9]+ rows .*invalid_dob.*max_drop_rate" \
    "naming the source, the field and the reason"
run cohort run bad.conf
expect_rc 1 "and run refuses it"
expect_err "lac_header: field 'dob' dropped .*\[max_drop_rate\]" "with the rule"
check '[ ! -e "$scratch/out_bad/latest" ]' "nothing is published"
first=$(sed -n 2p "$scratch/header_bad.csv" | cut -d, -f3)
expect_no_err "$first" "the message names no value"
# a field's own limit: a council that knows its dobs are gone says so
sed 's/^field.upn =$/&\nmax_drop_rate.dob = 100%/' "$scratch/bad.conf" > "$scratch/bad_ok.conf"
run cohort check bad_ok.conf
expect_rc 0 "max_drop_rate.dob = 100% lets the same header through"
sed 's/^field.upn =$/&\nmax_drop_rate.sex = 10%/' "$scratch/bad.conf" > "$scratch/bad_key.conf"
run cohort check bad_key.conf
expect_rc 2 "a field-drop limit for a field no row loses is a config error"
expect_err "bad_key.conf:[0-9]+: key 'max_drop_rate.sex': a field-drop limit is set for dob" \
    "naming the line and the fields it is for"

# ids written by Excel as numbers (566910.0) still join their header
awk -F, 'BEGIN { OFS = "," } NR > 1 { $1 = $1 ".0" } 1' \
    "$scratch/later/ssda903_2018_episodes.csv" > "$scratch/episodes_excel.csv"
job excelid 'episodes_excel.csv' ssda903_header.csv
run cohort run excelid.conf
expect_rc 0 "episodes with ids as 566910.0 publish"
check '! grep -q "orphan_local_id" "$scratch/out_excelid/latest/quality.csv" ||
       grep -q "^id_scope:ssda903,orphan_local_id,0$" "$scratch/out_excelid/latest/quality.csv"' \
    "none of them is an orphan"
check 'cmp -s "$scratch/out_later/latest/looked_after.csv" "$scratch/out_excelid/latest/looked_after.csv"' \
    "and they count as the plain ids do"

# the legal status through the DfE's list: every fake code is on it, V3
# and V4 (short breaks) are not looked after; a code off the list is an
# unmapped value, counted per code
sed 's/^field.postcode =$/&\nfield.service = LS\nvalue_map.service = ssda903_legal_status/' \
    "$scratch/later.conf" | sed 's/^output_dir .*/output_dir     = out_ls/' > "$scratch/ls.conf"
run cohort run ls.conf
expect_rc 0 "the legal status maps through ssda903_legal_status"
check '! grep -q "unmapped_value" "$scratch/out_ls/latest/quality.csv"' \
    "every legal status of the fake return is on the DfE's list"
series out_ls looked_after_at_end | year2018 /dev/stdin > "$scratch/ls.at_end"
awk -F, 'NR > 1 && $4 != "V3" && $4 != "V4"' OFS=, "$scratch/later/ssda903_2018_episodes.csv" |
    sed '1i CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC' > "$scratch/no_breaks.csv"
hand at_end "$scratch/no_breaks.csv" > "$scratch/h.ls_at_end"
check 'cmp -s "$scratch/ls.at_end" "$scratch/h.ls_at_end" && ! cmp -s "$scratch/ls.at_end" "$scratch/h.at_end"' \
    "looked after at each month's end leaves out short breaks (V3, V4), as a hand count does"
awk -F, 'BEGIN { OFS = "," } NR == 2 || NR == 3 { $4 = "Z9" } 1' \
    "$scratch/later/ssda903_2018_episodes.csv" > "$scratch/episodes_z9.csv"
sed 's|^path    = later/ssda903_2018_episodes.csv|path    = episodes_z9.csv|; s/^output_dir .*/output_dir     = out_z9/' \
    "$scratch/ls.conf" > "$scratch/z9.conf"
run cohort run z9.conf
expect_rc 0 "two rows with a legal status off the list"
check 'grep -q "^lac_episodes,quarantined:unmapped_value,2$" "$scratch/out_z9/latest/quality.csv" &&
       grep -q "^lac_episodes,unmapped:service=Z9,2$" "$scratch/out_z9/latest/quality.csv"' \
    "are quarantined and counted per code (named here: with min_count = 1 one child is enough)"

# no child's id, date of birth or postcode reaches any output or message
# (the fake data's, which the outputs must treat as real)
# (the suite-wide scan gets the dates of birth and postcodes; six-digit
# child ids are checked here only, as whole words: any log may hold a
# number of six digits)
{ tail -n +2 "$d/ssda903_header.csv" | head -40 | cut -d, -f3
  tail -n +2 "$d/ssda903_2018_episodes.csv" | head -40 | cut -d, -f11 | grep . ; } |
    sort -u > "$scratch/planted.txt"
suite_planted "$scratch/planted.txt"
for o in out_stacked out_later out_excel out_excelid out_ls out_z9; do
    suite_outputs "$scratch/$o/latest/"
done
tail -n +2 "$d/ssda903_header.csv" | head -40 | cut -d, -f1 > "$scratch/ids.txt"
leaked=
while IFS= read -r v; do
    grep -rqwF -- "$v" "$scratch"/out_*/latest/ "$err" && leaked="$leaked x"
done < "$scratch/planted.txt"
while IFS= read -r v; do
    grep -rqwF -- "$v" "$scratch"/out_*/latest/ "$err" && leaked="$leaked x"
done < "$scratch/ids.txt"
check '[ -z "$leaked" ] && [ "$(wc -l < "$scratch/planted.txt")" -gt 40 ]' \
    "no id, date of birth or postcode of the extracts appears in any output"

run cohort rules stacked.conf
expect_rc 0 "rules exits 0"
expect_out "each file is one yearly return \(years ending on 03-31\)" \
    "rules show the stacked returns' rules"
expect_out "column 'RNE' read with each row for periods" "and the periods of care"
finish
