# Threads: disclosure control protects periods in parallel. The tables must
# be byte-identical whatever the thread count, and ThreadSanitizer must find
# no race (a TSan build of cohort is made for this test).
. "$COHORT_TOP/tests/cli/lib.sh"

tsan=$COHORT_BUILD/../tsan
if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$COHORT_TOP" BUILD="$tsan" CFLAGS="-O1 -g -fsanitize=thread" \
        LDFLAGS="-fsanitize=thread" EXTRA_CFLAGS= WERROR= all >"$scratch/build.log" 2>&1; then
    ok "a ThreadSanitizer build of cohort"
else
    sed 's/^/# /' "$scratch/build.log" | tail -n 20
    not_ok "a ThreadSanitizer build of cohort"
    finish; exit 1
fi
ln -s "$COHORT_TOP/config" "$scratch/config"
mkdir "$scratch/demo"
run cohort keygen demo/demo.key
run cohort synth demo/extracts --people 20000 --seed 4
for t in 1 2 4; do
    sed "s|^output_dir .*|output_dir = demo/out$t|" config/demo.conf > "$scratch/t$t.conf"
    rc=0
    (cd "$scratch" && TSAN_OPTIONS="halt_on_error=1 exitcode=66" "$tsan/cohort" run --threads $t t$t.conf) \
        >"$out" 2>"$err" || rc=$?
    expect_rc 0 "--threads $t publishes under ThreadSanitizer"
    expect_no_err 'ThreadSanitizer' "--threads $t: no data race reported"
done
same=1
for f in "$scratch"/demo/out1/latest/*.csv; do
    b=$(basename "$f")
    for t in 2 4; do
        cmp -s "$f" "$scratch/demo/out$t/latest/$b" || { echo "# $b differs with --threads $t"; same=0; }
    done
done
check '[ "$same" -eq 1 ]' "tables are byte-identical with 1, 2 and 4 threads"
check 'grep -q "secondary" "$scratch"/demo/out1/latest/children_with_ehcp.csv' "the comparison covers secondary suppression"
finish
