# The HTML report in a real browser: headless Chromium (Debian's
# chromium, scripts/bootstrap test) driven by tests/cli/pagecheck.py over
# the DevTools pipe. It checks WCAG 2.2 AA as far as a program can
# (captions, th scope, named charts, unique names, contrast, reflow at
# 375 px, the print stylesheet) and compares the accessibility tree with
# tests/cli/report_a11y.expected. Screenshots at 1280 px and 375 px and
# the tree are kept as test artefacts: BUILD/test-logs/report-*.
. "$COHORT_TOP/tests/cli/lib.sh"

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    not_ok "chromium is installed (scripts/bootstrap test)"; finish; exit 1
fi
py=/usr/bin/python3
[ -x "$py" ] || py=python3
pagecheck() { HOME="$scratch" timeout 180 "$py" "$COHORT_TOP/tests/cli/pagecheck.py" --browser "$browser" "$@"; }

# the checker itself: it passes a good page and fails each bad one
for page in good bad_chart bad_scope; do
    rc=0
    pagecheck "$COHORT_TOP/tests/data/report/$page.html" >"$out" 2>"$err" || rc=$?
    cp "$out" "$scratch/$page.out"
    case $page in
    good) expect_rc 0 "the checker passes a labelled chart and a scoped table" ;;
    bad_chart) expect_rc 1 "the checker fails a chart without an accessible name"
               expect_out 'has no accessible name' "and says which" ;;
    bad_scope) expect_rc 1 "the checker fails a table whose th has no scope"
               expect_out 'th "People" has no scope' "and names the header" ;;
    esac
done

ln -s "$COHORT_TOP/config" "$scratch/config"
mkdir "$scratch/demo"
run cohort keygen demo/demo.key
run cohort synth demo/extracts --people 20000
run cohort run config/demo.conf
expect_rc 0 "the demo job publishes a report"
page=$scratch/demo/out/latest/report.html
logs=$COHORT_BUILD/test-logs
mkdir -p "$logs"; rm -f "$logs"/report-*.png "$logs/report-ax.txt"
rc=0
(cd "$scratch" && pagecheck "$page" --screenshot "$logs/report-1280.png" \
    --phone-screenshot "$logs/report-375.png" --ax-dump "$logs/report-ax.txt" \
    --expect "$COHORT_TOP/tests/cli/report_a11y.expected") >"$out" 2>"$err" || rc=$?
expect_rc 0 "report.html passes the checks in headless Chromium (WCAG 2.2 AA, accessibility tree as expected)"
check '[ "$(wc -c < "$logs/report-1280.png")" -gt 20000 ]' "a 1280 px screenshot ($logs/report-1280.png)"
check '[ "$(wc -c < "$logs/report-375.png")" -gt 20000 ]' "a 375 px screenshot ($logs/report-375.png)"

check 'grep -q "<svg" "$page"' "the report has its charts"
check '! grep -q "<script\|http://\|https://" "$page"' "the report is self-contained: no script, no external asset"
check '[ "$(grep -c "<h2 id=\"headlines\">" "$page")" -eq 1 ] && \
       [ "$(grep -n "id=\"headlines\"" "$page" | cut -d: -f1)" -lt "$(grep -n "<h2 id=\"data\">" "$page" | cut -d: -f1)" ]' \
    "the headlines come before data quality and linkage"
check 'grep -q "<p class=\"big\">[0-9,]*</p>" "$page"' "a headline gives a number"
check 'grep -Eq "(Up|Down) [0-9,]+ on October 2025|The same as in October 2025" "$page"' \
    "a headline gives the change on a year before"
check 'grep -q "<a href=\"adults_long_term_support.csv\">" "$page"' "each cohort links its full CSV"
check '! grep -q "\`" "$page"' "no stray backtick"

# the IG pack's HTML passes the same checks
run cohort rules config/demo.conf --format html
cp "$out" "$scratch/rules.html"
rc=0
(cd "$scratch" && pagecheck rules.html --screenshot "$logs/rules-1280.png" \
    --phone-screenshot "$logs/rules-375.png") >"$out" 2>"$err" || rc=$?
expect_rc 0 "cohort rules --format html passes the checks in headless Chromium"

# A reference date inside a month: that month is not over, the headlines
# use the month before, and the page says so.
sed 's/^reference_date = 2026-10-31/reference_date = 2026-10-15/' config/demo.conf > "$scratch/mid.conf"
run cohort run mid.conf --accept-drift
expect_rc 0 "a run whose reference date is mid-month publishes"
check 'grep -q "October 2026 is not over: the records run to 15 October 2026, so the headlines are for September 2026" "$page"' \
    "the page says the last month is not over and uses the one before"
check 'grep -q "Up [0-9,]* on September 2025\|Down [0-9,]* on September 2025\|The same as in September 2025" "$page"' \
    "the change is on September 2025"
finish
