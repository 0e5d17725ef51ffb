# `cohort rules`: the IG reviewer's view of the job, and the proof that a
# run applied exactly the rules reviewed (the plan hash in its manifest).
. "$COHORT_TOP/tests/cli/lib.sh"

ln -s "$COHORT_TOP/config" "$scratch/config"
mkdir "$scratch/demo"
run cohort rules config/demo.conf
expect_rc 0 "rules exits 0"
expect_out '^plan hash: [0-9a-f]{64}$' "rules prints the plan hash"
expect_out 'nhs_number <- column NHS_NO: identifier' "every mapped field's fate is listed"
expect_out 'wiped' "identifiers are said to be wiped"
expect_out 'aged under 18' "cohort definitions are in plain English"
hash=$(sed -n 's/^plan hash: //p' "$out")
run cohort rules config/demo.conf --format json
expect_rc 0 "rules --format json exits 0"
check 'python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$out" 2>/dev/null || ! command -v python3 >/dev/null' "the JSON parses"
expect_out "$hash" "the JSON carries the same plan hash"
run cohort rules config/demo.conf --format html
expect_rc 0 "rules --format html exits 0"
expect_out '<html' "HTML is a page"
run cohort rules config/demo.conf --format pdf
expect_rc 2 "an unknown format exits 2"

check 'demo_fixture 1500 2' "the demo key and extracts of 1 500 people"
run cohort run config/demo.conf
expect_rc 0 "the demo job runs"
check 'grep -q "\"plan_hash\": \"$hash\"" "$scratch/demo/out/latest/manifest.json"' \
    "the manifest's plan hash is the one the reviewer saw"
sed 's/^min_count = 10/min_count = 5/' config/demo.conf > "$scratch/changed.conf"
run cohort rules changed.conf
check '! grep -q "$hash" "$out"' "changing a threshold changes the plan hash"

# a service flag as a by column: named in the rules, published as yes/no
sed 's/^by    = age_band, sex$/by    = sex, housing.temporary_accommodation/' \
    config/demo.conf > "$scratch/flag.conf"
run cohort rules flag.conf
expect_rc 0 "rules accepts a service flag in by"
expect_out 'housing.temporary_accommodation \(yes when the person had a spell' \
    "the rules explain the service flag"
expect_out 'period, sex, housing_temporary_accommodation, count \(\[c\] when hidden, \[z\] when impossible\), margin' \
    "the flag's published column name is listed"
run cohort run flag.conf
expect_rc 0 "a job with a service flag in by runs"
check 'head -1 "$scratch/demo/out/latest/adults_long_term_support.csv" | grep -qx "period,sex,housing_temporary_accommodation,count,margin"' \
    "the flag is a column of the published table"
check 'cut -d, -f3 "$scratch/demo/out/latest/adults_long_term_support.csv" | sed 1d | tr -d "\"" | sort -u | tr "\n" " " | grep -qx "Total no yes "' \
    "the flag's values are yes, no and Total"

# --- the IG pack (issue 21) ------------------------------------------------
py=/usr/bin/python3
[ -x "$py" ] || py=python3
schema=$COHORT_TOP/docs/rules.schema.json
validate() { # validate FILE: the JSON against docs/rules.schema.json
    "$py" - "$schema" "$1" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
errors = sorted(v.iter_errors(json.load(open(sys.argv[2]))), key=lambda e: list(e.path))
for e in errors[:5]:
    print("# %s: %s" % ("/".join(map(str, e.path)), e.message[:200]))
sys.exit(1 if errors else 0)
PY
}
if ! "$py" -c 'import jsonschema' 2>/dev/null; then
    not_ok "python3-jsonschema is installed (scripts/bootstrap test)"
fi

# the published run above (flag.conf): the pack counts what its rules hid
run cohort rules flag.conf --format json
expect_rc 0 "rules --format json with a publication exits 0"
cp "$out" "$scratch/rules.json"
check 'validate "$scratch/rules.json"' "the JSON validates against docs/rules.schema.json"
echo '{"job": "demo", "plan_hash": "x", "sections": [{"title": "Job", "rules": [{"name": "name", "rule": "demo"}]}]}' > "$scratch/prose.json"
check '! validate "$scratch/prose.json" >/dev/null' "the schema refuses prose-only sections (the old layout)"
check '"$py" -c "import json,sys; d=json.load(open(sys.argv[1])); p=d[\"publication\"]; t=p[\"tables\"][1]; sys.exit(not (p[\"found\"] and p[\"matches_plan\"] and t[\"found\"] and t[\"cells\"] > 0 and 0 <= t[\"hidden_share\"] <= 1 and t[\"persons\"] > 0))" "$scratch/rules.json"' \
    "the JSON gives per table the cells, the share hidden and the persons, under this plan"
run cohort rules flag.conf
expect_out '^  table adults_long_term_support: [0-9]+ of [0-9]+ cells hidden \([0-9.]+%\)' "the text gives the share of cells hidden per table"
expect_out 'of the persons counted in the other months are in hidden cells' "and the share of persons in hidden cells"
expect_out "under this plan \\(its plan hash matches\\)" "and that the publication ran under this plan"
run cohort rules config/demo.conf
expect_out "under another plan \\(its plan hash differs" "under another plan it says so"
expect_out "^  table adults_long_term_support: adults_long_term_support.csv is not in the publication, or not laid out" \
    "and a table laid out otherwise is not counted"
expect_out "^  key file: 'demo/demo.key': owner [a-z_0-9]+ \\(uid [0-9]+\\), group .* mode 0600, (created|last written) .*; key id [0-9a-f]{16}\$" \
    "the key file: path, owner, group, mode, creation time and id"
id=$(sed -n 's/.*"key_id": "\([0-9a-f]*\)".*/\1/p' "$scratch/demo/out/latest/manifest.json")
expect_out "key id $id" "the key id is the one the manifest records"
secret=$(sed -n 's/^key //p' "$scratch/demo/demo.key")
leak=0
for f in text json html; do
    run cohort rules config/demo.conf --format $f
    grep -q "$secret" "$out" && leak=1
done
check '[ -n "$secret" ] && [ "$leak" -eq 0 ]' "the key itself is in no format of the pack"
run cohort rules config/demo.conf
expect_out "^  files: keeps the newest 30 runs under 'demo/out/runs'" "retention: what the files output keeps and deletes"
expect_out '^  column ADDRESS: parsed with each row .*then discarded' "an unmapped column is named, parsed and discarded"
check '! grep -q "never read" "$out"' "nothing claims a column is never read"
expect_out '^  header: read by cohort rules from the first file.s header: 11 columns' "the header is read from the extract"

# the plan hash: recomputed by b2sum from the canonical form
hash=$(sed -n 's/^plan hash: //p' "$out")
run cohort rules config/demo.conf --format canonical
expect_rc 0 "rules --format canonical exits 0"
check '[ "$(b2sum -l 256 < "$out" | cut -d" " -f1)" = "$hash" ]' \
    "b2sum -l 256 of the canonical form is the plan hash"
expect_out '^lookup.blake2b = [0-9a-f]{64}$' "the canonical form hashes the lookup's contents"
expect_out '^program = ' "and names the program version"
expect_out '^pseudonym = siphashx24-128: ' "and the pseudonym function (a change of it changes the plan hash)"
expect_out '^value.service.TA = temporary_accommodation$' "and holds the value maps"
# a lookup's contents, not only its name
cp config/lookups/postcodes.csv "$scratch/lookup.csv"
sed 's|^lookup .*|lookup = lookup.csv|' config/demo.conf > "$scratch/lk.conf"
run cohort rules lk.conf
h1=$(sed -n 's/^plan hash: //p' "$out")
sed '2s/,\([A-Za-z]\)/,X\1/' config/lookups/postcodes.csv > "$scratch/lookup.csv"
check '! cmp -s config/lookups/postcodes.csv "$scratch/lookup.csv"' "(the lookup's copy differs in one ward name)"
run cohort rules lk.conf
h2=$(sed -n 's/^plan hash: //p' "$out")
check '[ -n "$h1" ] && [ -n "$h2" ] && [ "$h1" != "$h2" ]' "changing a lookup's contents changes the plan hash"
sed 's/^a,/A,/' config/lookups/nicknames.csv > "$scratch/nick.csv"
sed 's|^nicknames .*|nicknames = nick.csv|' config/demo.conf > "$scratch/nk.conf"
run cohort rules nk.conf
check '[ "$(sed -n "s/^plan hash: //p" "$out")" != "$hash" ]' "a nickname table elsewhere changes it too"
{ cat config/lookups/name_variants.csv; echo 'zzyzx,zzyzx'; } > "$scratch/variants.csv"
sed 's|^name_variants .*|name_variants = variants.csv|' config/demo.conf > "$scratch/nv.conf"
run cohort rules nv.conf
check '[ "$(sed -n "s/^plan hash: //p" "$out")" != "$hash" ]' "one more row of name variants changes it too"
# layout and comments do not
{ echo '; a comment'; sed 's/ = /=/' config/demo.conf; echo; } > "$scratch/layout.conf"
run cohort rules layout.conf
check '[ "$(sed -n "s/^plan hash: //p" "$out")" = "$hash" ]' "layout and comments do not change the plan hash"
rm "$scratch/lookup.csv"
run cohort rules lk.conf
expect_rc 2 "a lookup that cannot be read: rules exits 2"
expect_err "lookup.csv: .*cannot read the lookup table" "and says which file"

# a header name that is not plain is counted, not shown
sed '1s/ADDRESS/Address (line 1)/' "$scratch/demo/extracts/housing.csv" > "$scratch/odd.csv"
sed 's|^path            = demo/extracts/housing.csv|path = odd.csv|' config/demo.conf > "$scratch/odd.conf"
run cohort rules odd.conf
expect_out '^  column 7 \(its name is not shown\): parsed with each row' \
    "a column whose name is not plain is listed by its number"
check '! grep -q "Address (line 1)" "$out"' "and its name is not printed"
# a file without its header: its first row of data is taken for one, and
# none of its cells may be printed (names, NHS numbers, postcodes)
sed 1d "$scratch/demo/extracts/housing.csv" > "$scratch/nohead.csv"
sed 's|^path            = demo/extracts/housing.csv|path = nohead.csv|' config/demo.conf > "$scratch/nohead.conf"
run cohort rules nohead.conf
expect_out 'A mapped column is missing from it, so it may be a row of data: none of its other names is shown' \
    "a header without the mapped columns is suspect, and says so"
head -1 "$scratch/nohead.csv" | tr ',' '\n' | sed 's/^"//; s/"$//' | awk 'length($0) >= 3' > "$scratch/first-row"
check '[ -s "$scratch/first-row" ] && ! grep -F -q -f "$scratch/first-row" "$out"' \
    "no cell of the data row taken for a header is printed"

# without a publication, the pack says so
sed 's|^output_dir .*|output_dir = demo/none|' config/demo.conf > "$scratch/none.conf"
run cohort rules none.conf --format json
cp "$out" "$scratch/none.json"
check 'validate "$scratch/none.json"' "the JSON without a publication validates too"
run cohort rules none.conf
expect_out '^  no publication found: run the job' "without a publication the pack says so"
chmod 0644 "$scratch/demo/demo.key"
run cohort rules config/demo.conf
expect_out "mode 0644.*a run cannot use it: the key file is readable by others" "a key file others can read is flagged"
chmod 0600 "$scratch/demo/demo.key"
finish
