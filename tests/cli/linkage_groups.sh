# The linkage-by-group tables (issue 26): persons known to a department
# each month by ethnic group, sex and age band, and whether the linker
# joined their records across departments -- the truth-free proxy of
# linkage recall per group, published (standard_tables = linkage_by_group)
# through the same disclosure control as a cohort table:
#   - refused at the demo's rounding 5 (they count the cohort tables'
#     persons: nested_tables), published at rounding 10;
#   - small cells hidden ([c]), and the attacker (tests/attack) narrows no
#     hidden cell below the protection level, table by table and the three
#     together (stacked, they share their linked_departments margins);
#   - the report shows the shares with the proxy caveat, `cohort rules`
#     describes the tables, their protection and the fairness targets;
#   - without linkage_by_group, rules says they are not published and the
#     report has no such part;
#   - PostgreSQL gets the same tables, hidden cells NULL with [c].
. "$COHORT_TOP/tests/cli/lib.sh"

attack=$COHORT_BUILD/tools/attack
check 'demo_fixture 20000 9' "the demo key and extracts of 20 000 people"
cd "$scratch"

# the demo job with the tables asked for, at the demo's rounding 5
sed 's/^periods        = 24$/periods        = 24\nstandard_tables = linkage_by_group/' \
    config/demo.conf > lg5.conf
run cohort run lg5.conf
expect_rc 2 "at rounding 5 the job is refused (the tables could be differenced against the cohort tables)"
expect_err "nested_tables" "and the rule says why"

sed -n '1,/^\[disclosure\]/p' lg5.conf | sed '$d' > lg.conf
cat >> lg.conf <<'EOF'
[disclosure]
suppress = 1-9
rounding = 10

[cohort children]
where = age < 18 and children_social_care.any
by    = age_band, sex

[output files]
type = csv
EOF
run cohort run lg.conf --accept-drift
expect_rc 0 "at rounding 10 the job publishes"
latest=demo/out/latest
for g in ethnicity sex age_band; do
    f=$latest/linkage_by_$g.csv
    check '[ -s "$f" ] && head -n 1 "$f" | grep -qx "period,$g,linked_departments,count,margin"' \
        "linkage_by_$g.csv: period, $g, linked_departments, count, margin"
done
check 'grep -q ",\"2 or more departments\"," $latest/linkage_by_ethnicity.csv && grep -q ",\"1 department\"," $latest/linkage_by_ethnicity.csv' \
    "the linked_departments labels are words"
check '[ "$(cat $latest/linkage_by_*.csv | grep -c ",\[c\],")" -gt 0 ]' "the tables' small cells are hidden ([c])"
check '! awk -F, "NR > 1 && \$4 != \"[c]\" && \$4 != \"[z]\" && (\$4 % 10 || (\$4 > 0 && \$4 < 10))" $latest/linkage_by_*.csv | grep -q .' \
    "no shown count escapes the rule"
run "$attack" --suppress 1-9 --rounding 10 --level 9 --period period \
    $latest/linkage_by_ethnicity.csv $latest/linkage_by_sex.csv $latest/linkage_by_age_band.csv
expect_rc 0 "the attacker narrows no hidden cell of any of the three below 9"
# The three together: stacked in one file with a column per group (Total
# where a table has none), the attacker has every relation of each table
# and the shared margins once.
awk -F, -v OFS=, '
    FNR == 1 { t++; next }
    { e = s = a = "Total"
      if (t == 1) e = $2; else if (t == 2) s = $2; else a = $2
      print $1, e, s, a, $3, $4 }' \
    $latest/linkage_by_ethnicity.csv $latest/linkage_by_sex.csv $latest/linkage_by_age_band.csv |
    sort -u > stacked.body
{ echo "period,ethnicity,sex,age_band,linked_departments,count"; cat stacked.body; } > stacked.csv
check '[ "$(cut -d, -f1-5 stacked.body | sort | uniq -d | wc -l)" -eq 0 ]' \
    "the shared margins are published the same in all three tables"
run "$attack" --suppress 1-9 --rounding 10 --level 9 --period period stacked.csv
expect_rc 0 "the attacker narrows no hidden cell below 9 with the three tables together"

# the report
report=$latest/report.html
check 'grep -q "<h3 id=\"linkage-groups\">Linkage by group</h3>" $report' "the report has a linkage-by-group part"
check 'grep -q "This is a proxy" $report && grep -q "cohort linkage --truth" $report' \
    "with the caveat that it is a proxy, and what tells misses from real differences"
check 'grep -q "People linked across departments by ethnic group" $report && grep -q "People linked across departments by sex" $report && grep -q "People linked across departments by age band" $report' \
    "a table per group column"
check 'grep -A3 "<tr><th scope=\"row\">All persons</th>" $report | grep -q "%</td>"' "the share of all persons is shown"

# cohort rules
run cohort rules lg.conf
expect_rc 0 "cohort rules runs"
expect_out "linkage by group: published as linkage_by_ethnicity, linkage_by_sex and linkage_by_age_band" \
    "rules describe the published tables"
expect_out "hidden in all three" "and how their shared margins are protected"
expect_out "fairness targets: .*within 1 percentage point of the overall" "and the fairness targets"
expect_out "tests/cli/fairness.sh" "and the test that holds them"
run cohort rules lg.conf --format json
check 'grep -q "\"linkage_by_group\"" "$out" && grep -q "\"published\": *true" "$out"' "the JSON rules say published"
run cohort rules config/demo.conf
expect_out "linkage by group: not published" "without linkage_by_group the rules say the tables are not published"
expect_out "fairness targets:" "and still state the targets"

# PostgreSQL: the same tables, in the same transaction as the others
pgdir=$(mktemp -d "${TMPDIR:-/tmp}/cohort-pg.XXXXXX")
trap 'sh "$COHORT_TOP/scripts/pg-cluster" stop "$pgdir"; rm -rf "$pgdir" "$scratch"' EXIT INT TERM
if conn=$(sh "$COHORT_TOP/scripts/pg-cluster" start "$pgdir" 2>"$scratch/pg.err"); then
    ok "a throwaway PostgreSQL cluster starts"
    { cat lg.conf; printf '\n[output warehouse]\ntype = postgres\nconninfo = %s\nschema = cohorts\n' "$conn"; } > lgpg.conf
    run cohort run lgpg.conf --accept-drift
    expect_rc 0 "the job publishes to files and PostgreSQL"
    q() { psql "$conn" -X -A -t -q -c "$1" 2>&1; }
    csv_rows=$(($(wc -l < $latest/linkage_by_ethnicity.csv) - 1))
    csv_hidden=$(grep -c ',\[c\],' $latest/linkage_by_sex.csv)
    check '[ "$(q "select count(*) from cohorts.linkage_by_ethnicity")" = "$csv_rows" ]' \
        "linkage_by_ethnicity has the CSV's rows in PostgreSQL"
    check '[ "$csv_hidden" -gt 0 ] && [ "$(q "select count(*) from cohorts.linkage_by_sex where count is null and symbol = '"'"'[c]'"'"'")" = "$csv_hidden" ]' \
        "linkage_by_sex's hidden cells are NULL with [c]"
    check '[ "$(q "select count(*) from information_schema.columns where table_schema = '"'"'cohorts'"'"' and column_name = '"'"'linked_departments'"'"' and table_name like '"'"'linkage\\_by\\_%'"'"'")" -ge 3 ]' \
        "the three tables have a linked_departments column"
else
    sed 's/^/# /' "$scratch/pg.err"
    not_ok "a throwaway PostgreSQL cluster starts"
fi

suite_outputs "$latest"
finish
