# The HTML report in a real browser: headless Chromium must render it
# (Debian's chromium). The screenshot is kept as a test artefact:
# BUILD/test-logs/report.png.
. "$COHORT_TOP/tests/cli/lib.sh"

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    not_ok "chromium is installed (scripts/bootstrap test)"; finish; exit 1
fi
check 'demo_fixture 20000 9' "the demo key and extracts of 20 000 people"
run cohort run config/demo.conf
expect_rc 0 "the demo job publishes a report"
shot=$COHORT_BUILD/test-logs/report.png
mkdir -p "$(dirname "$shot")"; rm -f "$shot"
rc=0
(cd "$scratch" && HOME="$scratch" timeout 120 "$browser" --headless --no-sandbox --disable-gpu \
    --disable-dev-shm-usage --hide-scrollbars --window-size=1200,2400 \
    --screenshot="$shot" "file://$scratch/demo/out/latest/report.html") >"$out" 2>"$err" || rc=$?
expect_rc 0 "headless Chromium renders report.html"
check '[ -s "$shot" ] && [ "$(wc -c < "$shot")" -gt 20000 ]' "the screenshot has content ($shot)"
check 'grep -q "<svg" "$scratch/demo/out/latest/report.html"' "the report has its charts"
check '! grep -q "<script\|http://\|https://" "$scratch/demo/out/latest/report.html"' "the report is self-contained: no script, no external asset"
finish
