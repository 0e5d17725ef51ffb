# The published tables attacked with everything a reader has. The
# attacker ($COHORT_BUILD/tools/attack, tests/attack/attack.c) shares no
# code with cohort: it reads the published CSV files back, rebuilds the
# additive relations from their `Total` labels, takes every published
# column (a per-cell status too, if a file had one) and the published
# rule, and asks GLPK for the range of every hidden cell. No hidden cell
# may come out narrower than the protection level:
#   - the hand-made example of a status that gave a cell away;
#   - 1 000 random tables through `cohort protect` at rounding 1 and 5;
#   - every table the demo job publishes, and its quality counts;
#   - the tables derived for forecasting, one by one and, for a forecast
#     cohort, its persons, entries and exits together;
#   - two cohorts of one job whose populations nest are refused unless
#     noise or coarse rounding answers their difference.
. "$COHORT_TOP/tests/cli/lib.sh"

attack=$COHORT_BUILD/tools/attack
check '[ -x "$attack" ]' "the attacker is built"
cd "$scratch"

# --- a status gave a hidden cell away --------------------------------------
# r1c1 (1) is primary, r1c2 (10) secondary, the row total 11 published:
# with statuses, r1c2 is 0 or >= 10, so r1c1 = 1.
printf 'row,col,n\nr1,c1,1\nr1,c2,10\nr2,c1,20\nr2,c2,30\n' > small.csv
run cohort protect small.csv --by row,col --count n --suppress 1-9 --rounding 1 -o small.out.csv
expect_rc 0 "the small table is protected"
check 'head -n 1 small.out.csv | grep -qx "row,col,count,margin"' "the published layout is the by columns, count and margin, no status"
check '[ "$(grep -Ec "\[c\],(yes|no)$" small.out.csv)" -ge 2 ] && ! grep -Eq "suppressed|secondary|rounded|,ok$" small.out.csv' \
    "every hidden cell is [c], nothing names the rule that hid it"
run "$attack" --suppress 1-9 --rounding 1 --level 9 small.out.csv
expect_rc 0 "the attacker narrows no hidden cell of the small table"

# --- 1 000 random tables, at rounding 1 and 5 ------------------------------
# Ten shapes (2 and 3 by columns), 100 tables each as 100 periods of one
# file: periods are protected apart, exactly as tables are. Counts mix
# zeros, small counts and large ones, so primaries, secondaries and
# margins of every kind occur.
awk 'BEGIN {
    srand(14)
    split("2 3 4 5 3 2 4 2 3 2", R, " ")
    split("2 2 3 4 5 6 3 3 2 2", C, " ")
    split("1 1 1 1 1 1 1 2 2 3", L, " ")
    for (s = 1; s <= 10; s++) {
        f = sprintf("rand%02d.csv", s)
        if (L[s] > 1) print "t,a,b,c,n" > f; else print "t,a,b,n" > f
        for (t = 1; t <= 100; t++)
            for (i = 1; i <= R[s]; i++)
                for (j = 1; j <= C[s]; j++)
                    for (k = 1; k <= L[s]; k++) {
                        u = rand()
                        n = u < 0.15 ? 0 : u < 0.45 ? 1 + int(rand() * 9) \
                            : 10 + int(rand() * (rand() < 0.5 ? 30 : 300))
                        if (L[s] > 1) printf "%03d,a%d,b%d,c%d,%d\n", t, i, j, k, n > f
                        else printf "%03d,a%d,b%d,%d\n", t, i, j, n > f
                    }
    } }'
check '[ "$(cut -d, -f1 rand*.csv | grep -v "^t$" | sort -u | wc -l)" -eq 100 ] && [ "$(ls rand*.csv | wc -l)" -eq 10 ]' \
    "ten shapes of 100 random tables each"
# The attacker reports every hidden cell it narrows below 9 that could be
# one the rule suppresses; this test has the true counts, and a reported
# cell is given away when its true count is 1-9 (a primary). A narrow range
# around a cell hidden only to protect another (its count 0 or 10 or more)
# tells the reader nothing the rule protects.
true_count() { # true_count TABLE PERIOD COORD... -> the cell's true count
    awk -F, -v p="$2" -v c1="$3" -v c2="${4:-}" -v c3="${5:-}" '
        NR > 1 && $1 == p && (c1 == "Total" || $2 == c1) &&
        (c2 == "Total" || $3 == c2) && (c3 == "" || c3 == "Total" || $4 == c3) { s += $NF }
        END { print s + 0 }' "$1"
}
bad=0; runs=0; reported=0; given=0
for r in 1 5; do
    for f in rand*.csv; do
        by=a,b; head -n 1 "$f" | grep -q ',c,' && by=a,b,c
        "$COHORT" protect "$f" --by "$by" --count n --period t --suppress 1-9 \
            --rounding "$r" -o "p$r.$f" >/dev/null 2>"p$r.$f.err" || { bad=$((bad + 1)); continue; }
        suite_log "p$r.$f.err"
        runs=$((runs + 1))
        "$attack" --suppress 1-9 --rounding "$r" --level 9 --period t "p$r.$f" > "a$r.$f" 2>&1
        [ $? -le 1 ] || { bad=$((bad + 1)); sed 's/^/# /' "a$r.$f" | head -n 5; }
        while read -r _ _ _ period _ cell; do
            [ -n "${period:-}" ] || continue
            set -- $(echo "$cell" | sed 's/:.*//')
            reported=$((reported + 1))
            v=$(true_count "$f" "$period" "$@")
            if [ "$v" -ge 1 ] && [ "$v" -le 9 ]; then
                given=$((given + 1)); echo "# given away: $f rounding $r period $period cell $*"
            fi
        done <<EOF
$(sed -n 's/^narrow: \([^ ]*\) period \([^ ]*\) cell /x x x \2 x /p' "a$r.$f")
EOF
    done
done
echo "# the attacker narrowed $reported hidden cells below 9 that could have been primaries; $given were"
check '[ "$runs" -eq 20 ] && [ "$bad" -eq 0 ]' "cohort protect and the attacker ran on all 2 x 1 000 tables"
check '[ "$given" -eq 0 ]' "no primary cell of 2 x 1 000 random tables is narrowed below 9"
check '[ "$(cat a1.rand*.csv | awk "{ h += \$5 } END { print h }")" -gt 1000 ]' \
    "the random tables hid over a thousand cells at rounding 1 (the attack had work to do)"

# --- the demo job: every published table, and quality.csv ------------------
check 'demo_fixture 20000 9' "the demo key and extracts of 20 000 people"
run cohort run config/demo.conf
expect_rc 0 "the demo job publishes"
latest=demo/out/latest
tables=$(ls "$latest"/*.csv | grep -v -e '/quality\.csv$' -e '/quarantine\.csv$' -e '/linkage\.csv$')
check '[ -n "$tables" ]' "the demo job published cohort tables"
run "$attack" --suppress 1-9 --rounding 5 --level 9 --period period $tables
expect_rc 0 "the attacker narrows no hidden cell of any demo table below 9 (none that could be a primary)"
check '! grep -q ",status" $tables' "no demo table has a status column"
# A person count published beside the tables passes the same rule: a
# multiple of 5 of at least 10, or [c]. (Row and record counts are not
# persons and stay exact.)
check 'awk -F, "\$2 == \"persons\" || \$2 == \"ids\" || \$2 ~ /conflicts\$/ { n++; if (\$3 != \"[c]\" && (\$3 % 5 || (\$3 > 0 && \$3 < 10))) bad = 1 } END { exit bad || n < 5 }" "$latest/quality.csv"' \
    "every person count in quality.csv is [c], 0, or rounded to 5 and at least 10"
check 'awk -F, "NR > 1 && \$4 != \"[c]\" && \$4 % 5 { bad = 1 } END { exit bad }" "$latest/linkage.csv"' \
    "every link count in linkage.csv is [c] or rounded to 5"
check 'grep -Eq "\"persons\": ([0-9]*[05]|\"\[c\]\")," "$latest/manifest.json"' \
    "the manifest's persons is rounded to 5"

# --- the tables derived for forecasting --------------------------------------
# A forecast cohort's entries, exits and months in the cohort, a
# transition, the service transitions and the overlap tables, each
# attacked like a cohort table; then each forecast cohort's three tables
# together, every cell, through the stock-flow identity of their totals
# (--flows). The job needs rounding at least the protection level
# (nested_tables): 10.
# First the --flows attacker on a hand-made case it must catch: at
# rounding 1 a hidden entry count is the change in persons plus the exits.
printf 'period,count\n2026-01-01,20\n2026-02-01,25\n' > fp.csv
printf 'period,count\n2026-01-01,20\n2026-02-01,[c]\n' > fn.csv
printf 'period,count\n2026-01-01,0\n2026-02-01,0\n' > fe.csv
run "$attack" --suppress 1-9 --rounding 1 --level 9 --period period --flows fp.csv fn.csv fe.csv
expect_rc 1 "the --flows attacker finds a hidden entry count the identity gives away at rounding 1"
expect_out "narrow: fn.csv period 2026-02-01 total: \[5, 5\]" "and says which"
# ... and a detail cell: February's persons hide (A, 0 to 2) = 2 with A's
# total, the band's total and the grand total, which protects it in its
# own table; the identity gives the grand total back (90 - 15 + 17), so
# the band's total and the cell.
{ echo 'period,age_band,months,count,margin'
  for r in 'A,d0,40' 'A,d1,10' 'B,d0,20' 'B,d1,20' 'A,Total,50' 'B,Total,40' 'Total,d0,60' 'Total,d1,30' 'Total,Total,90'; do
      echo "2026-01-01,$r,$(case $r in *Total*) echo yes;; *) echo no;; esac)"; done
  for r in 'A,d0,[c]' 'A,d1,30' 'B,d0,30' 'B,d1,30' 'A,Total,[c]' 'B,Total,60' 'Total,d0,[c]' 'Total,d1,60' 'Total,Total,[c]'; do
      echo "2026-02-01,$r,$(case $r in *Total*) echo yes;; *) echo no;; esac)"; done; } > dp.csv
printf 'period,count\n2026-01-01,15\n2026-02-01,17\n' > dn.csv
{ echo 'period,age_band,months,count'
  for p in 2026-01-01 2026-02-01; do
      for r in 'A,d0,5' 'A,d1,5' 'B,d0,5' 'B,d1,[z]' 'A,Total,10' 'B,Total,5' 'Total,d0,10' 'Total,d1,5' 'Total,Total,15'; do
          echo "$p,$r"; done; done; } > de.csv
run "$attack" --suppress 1-9 --rounding 1 --level 9 --period period dp.csv
expect_rc 0 "a detail cell its own table protects with hidden margins: safe in that table alone"
run "$attack" --suppress 1-9 --rounding 1 --level 9 --period period --flows dp.csv dn.csv de.csv
expect_rc 1 "the --flows attacker reads it off through the identity of the totals"
expect_out "narrow: dp.csv period 2026-02-01 cell A d0: \[2, 2\]" "and says which"
sed -n '1,/^\[disclosure\]/p' config/demo.conf | sed '$d' |
    sed 's/^periods        = 24$/periods        = 24\nstandard_tables = service_transitions, overlap/' > fc.conf
cat >> fc.conf <<'EOF'
[disclosure]
suppress = 1-9
rounding = 10

[cohort adults]
where    = age >= 18 and adult_social_care.long_term_support
by       = age_band, sex
forecast = yes

[cohort pupils]
where    = education.any
forecast = yes

[cohort cin]
where = children_social_care.child_in_need
by    = age_band

[cohort cpp]
where = children_social_care.child_protection_plan
by    = age_band

[transition cin_to_cpp]
from = cin
to   = cpp
by   = age_band

[output files]
type = csv
EOF
run cohort run fc.conf --accept-drift
expect_rc 0 "the demo job with the forecasting tables publishes (rounding 10)"
derived=$(ls "$latest"/*.csv | grep -v -e '/quality\.csv$' -e '/quarantine\.csv$' -e '/linkage\.csv$' -e '_forecast\.csv$')
check '[ "$(echo "$derived" | wc -w)" -ge 15 ]' "it published the flow, transition, service transition and overlap tables"
run "$attack" --suppress 1-9 --rounding 10 --level 9 --period period $derived
expect_rc 0 "the attacker narrows no hidden cell of any of them below 9"
check '[ "$(awk "{ h += \$5 } END { print h }" "$out")" -gt 500 ]' "they hid hundreds of cells (the attack had work to do)"
for c in adults pupils; do
    run "$attack" --suppress 1-9 --rounding 10 --level 9 --period period --flows \
        "$latest/${c}_duration.csv" "$latest/${c}_new.csv" "$latest/${c}_ended.csv"
    expect_rc 0 "$c: persons, entries and exits together: no hidden cell narrowed below 9"
done

# --- nested cohorts ---------------------------------------------------------
# A, and A with one more condition: subtracting B from A gives the sex U
# cells that A hides. Refused at rounding 1; answered by cell-key noise.
nested() { # nested FILE DISCLOSURE-LINES
    sed -n '1,/^\[disclosure\]/p' config/demo.conf | sed '$d' > "$1"
    printf '[disclosure]\n%b\n' "$2" >> "$1"
    cat >> "$1" <<'EOF'

[cohort adults_by_sex]
where = age >= 18 and adult_social_care.long_term_support
by    = sex

[cohort adults_known_sex]
where = age >= 18 and adult_social_care.long_term_support and not sex = U
by    = age_band

[output files]
type = csv
EOF
}
nested nest1.conf 'suppress = 1-9\nrounding = 1'
run cohort check nest1.conf
expect_rc 2 "nested cohorts at rounding 1: check refuses the job"
expect_err "nest1\.conf:[0-9]+: .*\[cohort adults_by_sex\] and \[cohort adults_known_sex\]" \
    "the message names both cohorts and the line"
expect_err "perturbation = cellkey .* or rounding >= 9" "the message names the fix"
run cohort run nest1.conf
expect_rc 2 "nested cohorts at rounding 1: run refuses the job"
check '[ ! -e demo/out/latest ] || [ "$(readlink demo/out/latest)" = "$(cd demo/out && readlink latest)" ]' \
    "nothing new is published"
nested nest2.conf "suppress = 1-9\nrounding = 1\nperturbation = cellkey\nptable = config/ptable_default.csv"
run cohort check nest2.conf
expect_rc 0 "nested cohorts with cell-key noise: accepted"
nested nest3.conf 'suppress = 1-9\nrounding = 10'
run cohort check nest3.conf
expect_rc 0 "nested cohorts rounded to 10 (at least the protection level 9): accepted"
# the same where twice, broken down two ways, is the same population
sed 's/and not sex = U$//' nest1.conf > nest4.conf
run cohort check nest4.conf
expect_rc 2 "one population in two cohorts at rounding 1: refused"
expect_err "count the same persons" "the message says they count the same persons"
# and what remains is stated for the IG reviewer
run cohort rules nest2.conf
expect_out "[Dd]ifferenc" "cohort rules states the differencing risk that remains"

finish
