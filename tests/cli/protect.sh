# cohort protect: the nightly job's disclosure control on an analyst's own
# table. A hand-worked table under two rule sets (exact published values
# and [c] cells), margins consistent with the input, microdata with cell-key
# noise reproducible and independent of row order, and errors that name
# file:line:column and the rule but never the offending value.
. "$COHORT_TOP/tests/cli/lib.sh"

data=$COHORT_TOP/tests/data/protect
cd "$scratch"

# --- the hand-worked table (tests/data/protect/README says why) ---------
run cohort protect "$data/counts.csv" --by area,sex --count count --suppress 1-9 --rounding 5
expect_rc 0 "suppress 1-9: exit 0"
check 'cmp -s "$out" "$data/counts.suppress_1-9.expected"' "suppress 1-9: published values and [c] cells exactly as worked by hand"
expect_err '^protect: 12 cells, 2 suppressed, 2 secondary, 4 rounded, 0 perturbed$' "suppress 1-9: the summary line on stderr"
cp "$out" s19.csv

run cohort protect "$data/counts.csv" --by area,sex --count count --rules nhs
expect_rc 0 "nhs: exit 0"
check 'cmp -s "$out" "$data/counts.nhs.expected"' "nhs: published values and [c] cells exactly as worked by hand"
expect_err '^protect: 12 cells, 1 suppressed, 1 secondary, 5 rounded, 0 perturbed$' "nhs: the summary line on stderr"

# --rules nhs with --suppress 1-9: the explicit range overrides the preset
run cohort protect "$data/counts.csv" --by area,sex --count count --rules nhs --suppress 1-9 --rounding 5
check 'cmp -s "$out" "$data/counts.suppress_1-9.expected"' "--suppress overrides the nhs preset as in a job file"

# Margins: every by value's total and the grand total are there, and each
# published one is its true sum from the input rounded to 5 (ties up).
check '[ "$(grep -c "\"Total\"" s19.csv)" -eq 6 ]' "3 area totals, 2 sex totals and the grand total are published rows"
awk -F, 'NR == FNR { if (FNR > 1) { a[$1] += $3; s[$2] += $3; t += $3 } next }
         FNR == 1 { next }
         { gsub(/"/, "") }
         $3 == "[c]" { next }
         { want = -1
           if ($1 == "Total" && $2 == "Total") want = t
           else if ($2 == "Total") want = a[$1]
           else if ($1 == "Total") want = s[$2]
           if (want >= 0 && $3 != int((want + 2.5) / 5) * 5) bad++
           if (want >= 0) m++ }
         END { exit !(m == 6 && bad == 0) }' "$data/counts.csv" s19.csv
margins=$?
check '[ "$margins" -eq 0 ]' "every published margin is its true sum rounded to 5"
check '[ "$(grep -c ",\[c\],no\$" s19.csv)" -eq 4 ] && ! grep -Eq "suppressed|secondary|rounded|,ok" s19.csv' \
    "the 2 primary and 2 secondary cells are all [c]; no column says which rule hid a cell or rounded one"

# The same table with a BOM, CRLF line ends and quoted fields
run cohort protect "$data/counts_bom_crlf.csv" --by area,sex --count count --suppress 1-9 --rounding 5
check 'cmp -s "$out" s19.csv' "BOM, CRLF and quotes read as the plain file"

# Labels with commas and quotes come out quoted
run cohort protect "$data/quoted.csv" --by area,sex --count count
expect_rc 0 "quoted labels: exit 0"
expect_out '^"Riverside, North","Total",70,yes$' "a label with a comma is quoted; its margin 71 rounds to 70"
expect_out '^"Abbey ""Old"" Park","M",\[c\],no$' "a label with quotes is quoted"

# -o writes the file (atomically: no temp left) and nothing on stdout
run cohort protect "$data/counts.csv" --by area,sex --count count --suppress 1-9 -o table.csv
expect_rc 0 "-o: exit 0"
check '[ ! -s "$out" ] && cmp -s table.csv s19.csv' "-o: the table in the file, nothing on stdout"
check '[ "$(ls | grep -c "^table\.csv")" -eq 1 ]' "-o: no temp file left"

# --- microdata: one row per person, record_key, cell-key noise ----------
awk 'BEGIN { print "month,ward,age_band,record_key"
             split("Abbey Park,Northgate,Riverside,Westfield", w, ",")
             split("0-4,5-10,11-15", a, ",")
             for (i = 0; i < 400; i++) {
                 m = (i % 3 == 0) ? "2026-09" : "2026-10"
                 wi = (i * 7) % 11; wi = (wi < 5) ? 1 : (wi < 8) ? 2 : (wi < 10) ? 3 : 4
                 ai = (i * 5) % 7; ai = (ai < 4) ? 1 : (ai < 6) ? 2 : 3
                 printf "%s,%s,%s,%d\n", m, w[wi], a[ai], (i * 37 + 11) % 256 } }' > micro.csv
# the same rows in another (fixed) order
{ head -n 1 micro.csv; tail -n +2 micro.csv | awk '{ printf "%05d %s\n", (NR * 7919) % 401, $0 }' | sort | cut -c7-; } > shuffled.csv
check '! cmp -s micro.csv shuffled.csv && [ "$(sort micro.csv | cksum)" = "$(sort shuffled.csv | cksum)" ]' "the shuffled file holds the same rows in another order"

ptable=$COHORT_TOP/config/ptable_default.csv
run cohort protect micro.csv --by ward,age_band --period month --perturbation cellkey --ptable "$ptable" -o m1.csv
expect_rc 0 "microdata with cellkey: exit 0"
expect_err '^protect: 40 cells, [0-9]+ suppressed, [0-9]+ secondary, 0 rounded, [1-9][0-9]* perturbed$' "microdata: some cells perturbed"
run cohort protect micro.csv --by ward,age_band --period month --perturbation cellkey --ptable "$ptable" -o m2.csv
check 'cmp -s m1.csv m2.csv' "microdata: the same input twice gives byte-identical output"
run cohort protect shuffled.csv --by ward,age_band --period month --perturbation cellkey --ptable "$ptable" -o m3.csv
check 'cmp -s m1.csv m3.csv' "microdata: shuffled rows give byte-identical output"
check 'head -n 1 m1.csv | grep -qx "month,ward,age_band,count,margin"' "microdata: the header is period, by columns, count, margin (no key, no noise, no status)"
check 'awk -F, "NR > 1 && NF != 5 { bad = 1 } END { exit bad }" m1.csv' "microdata: every row has exactly those five fields"
check '[ "$(grep -c "^2026-09," m1.csv)" -eq 20 ] && [ "$(grep -c "^2026-10," m1.csv)" -eq 20 ]' "microdata: each period has its own 12 cells, 7 margins and total"
check 'grep -q "^2026-10,\"Total\",\"Total\"," m1.csv && grep -q "^2026-09,\"Total\",\"Total\"," m1.csv' "microdata: a grand total per period"

# Counts per cell without noise: the row count per cell, rounded
run cohort protect micro.csv --by ward,age_band --period month --suppress 1-9 --rounding 1
expect_out '^2026-10,"Total","Total",266,yes$' "microdata without --count: the grand total counts the rows (266 in October)"

# --- ONS's cell-key method, cell for cell -------------------------------
# A ptable in ONS's own layout (pcv,ckey,pvalue; pcv 1-750, every key):
# below 10 to 0, above to a multiple of 5, up or down by the cell key.
awk 'BEGIN { print "pcv,ckey,pvalue"
             for (p = 1; p <= 750; p++) for (k = 0; k < 256; k++) {
                 r = p % 5
                 if (p < 10) v = -p
                 else if (r == 0) v = (k % 3 == 0) ? 5 : 0
                 else v = (k < 128) ? -r : 5 - r
                 printf "%d,%d,%d\n", p, k, v } }' > ons_ptable.csv
# Microdata of 3 000 persons in two months, some cells above 750 (their
# rows cycle through 501-750) and some below 10.
awk 'BEGIN { print "month,area,sex,record_key"
             for (i = 0; i < 3000; i++) {
                 m = (i % 5 == 0) ? "2026-09" : "2026-10"
                 a = (i % 7 < 5) ? "North" : (i % 97 == 0 ? "Isle" : "South")
                 s = (i % 3 == 0) ? "F" : "M"
                 printf "%s,%s,%s,%d\n", m, a, s, (i * 131 + 7) % 256 } }' > ons_micro.csv
# ONS's create_perturbed_table, in awk, over every cell cohort publishes
# (each margin is the same crosstab over fewer columns; every combination,
# empty ones too): count and key per cell, pcv = count up to 750, else
# ((count - 1) mod 250) + 501, the noise from the ptable, and every
# perturbed count below 10 missing.
awk -F, 'NR == FNR { if (FNR > 1) noise[$1 "," $2] = $3; next }
         FNR == 1 { next }
         { M[$1]; A[$2]; S[$3]; A["Total"]; S["Total"]
           split($2 "|Total", a, "|"); split($3 "|Total", s, "|")
           for (x = 1; x <= 2; x++) for (y = 1; y <= 2; y++) {
               c = $1 ",\"" a[x] "\",\"" s[y] "\""
               n[c]++; key[c] = (key[c] + $4) % 256 } }
         END { for (m in M) for (x in A) for (y in S) {
                   c = m ",\"" x "\",\"" y "\""
                   pcv = n[c] <= 750 ? n[c] : ((n[c] - 1) % 250) + 501
                   v = n[c] + (n[c] > 0 ? noise[pcv "," key[c]] : 0)
                   print c "," (v < 10 ? "[c]" : v) } }' ons_ptable.csv ons_micro.csv | sort > ons_want
run cohort protect ons_micro.csv --by area,sex --period month --perturbation cellkey \
    --ptable ons_ptable.csv --suppress 1-9 --rounding 1 -o ons_got.csv
expect_rc 0 "ONS's layout read natively by cohort protect"
tail -n +2 ons_got.csv | cut -d, -f1-4 | sort > ons_got
check '[ "$(wc -l < ons_want)" -eq 24 ] && cmp -s ons_want ons_got' \
    "every cell, margin and total as ONS's method publishes it ($(comm -3 ons_want ons_got | wc -l) differ)"
check 'grep -q "^2026-10,\"North\",\"Total\"," ons_want && [ "$(awk -F, "\$3 == \"\\\"Total\\\"\" && \$2 == \"\\\"Total\\\"\" { print \$4 }" ons_got | sort -n | tail -n 1)" -gt 750 ]' \
    "some counts are above 750 (their rows cycle)"
check 'grep -q "\[c\]" ons_got && ! grep -q ",[1-9]$" ons_got' \
    "perturbed counts below 10 are hidden, and none is published"
# the margin column: detail rows are the no rows, and they sum (before
# noise, with rounding 1 and nothing hidden) to the total
run cohort protect ons_micro.csv --by area,sex --period month --suppress 999-999 --rounding 1 -o plain.csv
check 'awk -F, "NR > 1 && \$1 == \"2026-10\" { if (\$5 == \"no\") d += \$4; else if (\$2 == \"\\\"Total\\\"\" && \$3 == \"\\\"Total\\\"\") t = \$4 } END { exit !(d == t && t == 2400) }" plain.csv' \
    "summing the margin = no rows gives the total (2400 in October), counting no total twice"
check '[ "$(awk -F, "NR > 1 && (\$2 == \"\\\"Total\\\"\" || \$3 == \"\\\"Total\\\"\") != (\$5 == \"yes\") { b++ } END { print b + 0 }" plain.csv)" -eq 0 ]' \
    "margin is yes exactly on the rows with a Total"

# cellkey refused without record keys
head -n 1 micro.csv | cut -d, -f1-3 > nokey.csv
tail -n +2 micro.csv | cut -d, -f1-3 >> nokey.csv
run cohort protect nokey.csv --by ward,age_band --perturbation cellkey --ptable "$ptable"
expect_rc 1 "cellkey on microdata without record_key: exit 1"
expect_err 'nokey\.csv:1: no column .record_key. in the header .*\[missing_column\]' "cellkey without record_key: says which column is missing"
check '[ ! -s "$out" ]' "cellkey without record_key: nothing written"
run cohort protect "$data/counts.csv" --by area,sex --count count --perturbation cellkey --ptable "$ptable"
expect_rc 2 "cellkey on a counts table: exit 2"
expect_err 'needs microdata' "cellkey on a counts table: says it needs microdata"
sed 's/,11$/,256/' micro.csv > badkey.csv
run cohort protect badkey.csv --by ward,age_band --perturbation cellkey --ptable "$ptable"
expect_rc 1 "a record_key of 256: exit 1"
expect_err 'badkey\.csv:2:4: .*\[record_key_range\]' "a record_key of 256: file:line:column and rule"
expect_no_err '256' "a record_key of 256: the value is not repeated"

# --- errors: file:line:column and rule, never the value -----------------
# err NAME RC REGEX VALUE ARGS...: runs protect, checks exit and message,
# and that VALUE (distinctive, from the fixture) is not in the message.
err() {
    name=$1 want=$2 regex=$3 value=$4; shift 4
    run cohort protect "$@"
    expect_rc "$want" "$name: exit $want"
    expect_err "$regex" "$name: the error says /$regex/"
    if [ -n "$value" ]; then expect_no_err "$value" "$name: the value is not in the message"; fi
    check '[ ! -s "$out" ]' "$name: nothing on stdout"
}
err "missing column" 1 'counts\.csv:1: no column .ward. in the header \[missing_column\]' '' \
    "$data/counts.csv" --by area,ward --count count
err "missing count column" 1 'counts\.csv:1: no column .n. in the header \[missing_column\]' '' \
    "$data/counts.csv" --by area,sex --count n
err "duplicate combination" 1 'duplicate\.csv:5:1: .*line 3 \[duplicate_combination\]' 'Quillinghurst' \
    "$data/duplicate.csv" --by area,sex --count count
err "negative count" 1 'negative\.csv:3:3: .* \[negative_count\]' '48213' \
    "$data/negative.csv" --by area,sex --count count
err "non-integer count" 1 'not_integer\.csv:4:3: .* \[count_not_integer\]' '9146' \
    "$data/not_integer.csv" --by area,sex --count count
err "a total row" 1 'total_row\.csv:4:1: .* \[total_row\]' '' \
    "$data/total_row.csv" --by area,sex --count count
err "ragged row" 1 'ragged\.csv:3:4: .* \[ragged_row\]' '99' \
    "$data/ragged.csv" --by area,sex --count count
err "empty file" 1 'empty\.csv:1: empty file' '' \
    "$data/empty.csv" --by area,sex --count count
err "header only" 1 'header_only\.csv:2: .* \[empty_table\]' '' \
    "$data/header_only.csv" --by area,sex --count count
err "no such file" 3 'nothere\.csv: cannot read the table: No such file' '' \
    nothere.csv --by area,sex --count count
err "unknown option" 2 "unknown option '--frobnicate'" '' \
    "$data/counts.csv" --by area,sex --count count --frobnicate
err "no --by" 2 '--by is required' '' "$data/counts.csv" --count count
err "bad --rounding" 2 'bad value for --rounding: expected a whole number from 1 to 1000' '' \
    "$data/counts.csv" --by area,sex --count count --rounding 0
err "bad --suppress" 2 'bad value for --suppress: expected an inclusive range' '' \
    "$data/counts.csv" --by area,sex --count count --suppress 9-1
err "bad --rules" 2 'bad value for --rules' '' \
    "$data/counts.csv" --by area,sex --count count --rules gdpr
err "a by column named twice" 2 "column 'area' is named twice" '' \
    "$data/counts.csv" --by area,area --count count
err "a by column named count" 2 "named 'count' would clash" '' \
    "$data/counts.csv" --by area,count --count sex
run cohort protect "$data/counts.csv" --by area,sex --count count -o out.csv --frobnicate
check '[ ! -e out.csv ]' "an error writes no -o file"

# --- a table that cannot be protected: not written, says why ------------
printf 'area,sex,count\nA,F,2\nA,M,1\nB,F,1\nB,M,3\n' > tiny.csv
run cohort protect tiny.csv --by area,sex --count count -o tiny_out.csv
expect_rc 1 "a table whose grand total is itself suppressed: exit 1"
expect_err 'cannot be protected: every cell.*\[all_suppressed\]' "it says every cell would be suppressed"
check '[ ! -e tiny_out.csv ]' "nothing written"

run cohort protect --help
expect_rc 0 "--help: exit 0"
expect_out '--perturbation' "--help lists the options"
run cohort --help
expect_out '^  protect ' "protect is in the command list"

finish
