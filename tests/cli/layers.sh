# The house (ARCHITECTURE.md, "Folders"): every include runs from a floor
# to one below it or to its own, never up or sideways; export/ sees no
# header that holds a true count; no function is over 120 lines and no
# file over 900 outside tests and synth, so each stage's logic can be read
# where its name says it is.
. "$COHORT_TOP/tests/cli/lib.sh"
cd "$COHORT_TOP"

# floor -> the folders it may include besides itself
allowed() {
    case $1 in
    core) echo "" ;;
    connectors) echo "core" ;;
    transform) echo "core" ;;
    anonymise) echo "core transform" ;;
    cohorts) echo "core anonymise" ;;
    forecast) echo "core" ;;
    export) echo "core" ;;
    app) echo "core connectors transform anonymise cohorts forecast export" ;;
    esac
}
bad=0
for dir in core connectors transform anonymise cohorts forecast export app; do
    [ -d "$dir" ] || continue
    ok_dirs=$(allowed "$dir")
    for f in "$dir"/*.c "$dir"/*.h; do
        [ -f "$f" ] || continue
        for inc in $(sed -n 's/^#include "\.\.\/\([a-z]*\)\/.*/\1/p' "$f"); do
            case " $dir $ok_dirs " in
            *" $inc "*) ;;
            *) echo "# $f includes $inc/ (a $dir/ file may include: ${ok_dirs:-nothing above it})"; bad=1 ;;
            esac
        done
    done
done
check '[ "$bad" -eq 0 ]' "no include runs up a floor or sideways"
check '! grep -l "anonymise/table.h\|cell_status\|struct count_table" export/*.[ch]' \
    "export/ names no counted table, cell key or cell status: only published_table"

# function length: from a definition line `name(` at column 0 to the
# closing brace at column 0
long=$(for f in core/*.c connectors/*.c transform/*.c anonymise/*.c cohorts/*.c forecast/*.c export/*.c app/*.c; do
    case $f in app/synth.c) continue ;; esac
    awk -v f="$f" '/^[a-z_][a-z0-9_]*\(/ { name = $0; sub(/\(.*/, "", name); start = NR }
        /^}/ && start { if (NR - start > 120) print "# " f ": " name "() is " NR - start " lines"; start = 0 }' "$f"
done)
[ -n "$long" ] && echo "$long"
check '[ -z "$long" ]' "no function over 120 lines outside tests and synth"
big=$(wc -l core/*.[ch] connectors/*.[ch] transform/*.[ch] anonymise/*.[ch] cohorts/*.[ch] forecast/*.[ch] export/*.[ch] app/*.[ch] |
      awk '$2 != "total" && $2 != "app/synth.c" && $1 > 900 { print "# " $2 " has " $1 " lines" }')
[ -n "$big" ] && echo "$big"
check '[ -z "$big" ]' "no file over 900 lines outside tests and synth"
dups=$(for f in */*.c; do basename "$f"; done | sort | uniq -d | grep -v '^test_\|^fuzz_\|^bench_' || true)
check '[ -z "$dups" ]' "file names are unique across the tree${dups:+ ($dups twice)}"
finish
