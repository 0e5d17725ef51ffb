# linkage_pairs: the demo job on the demo synth (`make demo`'s: 20 000
# people, seed 1) holds issue 15's targets per pair of departments, not
# only overall: every department pair with 30 true pairs or more keeps
# precision >= 0.995 and recall >= 0.98. Housing + education and housing
# + children's social care fell short until the housing register's
# synth and the transposition level; they measure 0.9804 (10 of 511
# true pairs missed: at the floor, one more miss fails) and 1.0000 under
# the test key and four others (README "Linkage accuracy" names the
# misses left). A pair that drops below the floor fails here by name,
# with its figures.
. "$COHORT_TOP/tests/cli/lib.sh"

check 'demo_fixture 20000 1' "the demo key and the demo synth (20 000 people, seed 1)"
truth=demo/extracts/truth_SYNTHETIC_IDENTIFIERS.csv

run cohort linkage config/demo.conf --truth "$truth" --threads 1
expect_rc 0 "linkage against the demo synth's truth exits 0"
check 'head -n 1 "$out" | awk "{ exit !(\$2 >= 0.995 && \$4 >= 0.98) }"' \
    "overall: precision >= 0.995, recall >= 0.98 ($(head -n 1 "$out"))"

# the department-pair section: "  a + b   true   precision   recall"
sed -n '/^department pairs:/,/^$/p' "$out" |
    awk '$2 == "+" && $4 ~ /^[0-9]+$/ { print $1 "+" $3, $4, $5, $6 }' > "$scratch/pairs"
check '[ "$(awk "\$2 >= 30" "$scratch/pairs" | wc -l)" -ge 5 ]' \
    "at least five department pairs with 30 true pairs or more"
while read -r pair npairs p r; do
    [ "$npairs" -ge 30 ] || continue
    floor=0.98
    check "awk -v p=$p -v r=$r -v f=$floor 'BEGIN { exit !(p >= 0.995 && r >= f) }'" \
        "$pair ($npairs true pairs): precision $p >= 0.995, recall $r >= $floor"
done < "$scratch/pairs"

finish
