#!/bin/sh
# derive.sh - makes this directory's extracts from the public fake SSDA903
# data of data-to-insight/csc-validator-be-903 (tests/fake_data/header.csv
# and episodes.csv, MIT licence; see README.md):
#
#   sh derive.sh HEADER.csv EPISODES.csv
#
# It keeps the first 300 children of the header and, for them, writes the
# two yearly returns a council would have made of those episodes:
#   ssda903_2017_episodes.csv  episodes open at some time from 1 April 2016
#                              to 31 March 2017, as known on 31 March 2017
#                              (an episode ceasing later is still open)
#   ssda903_2018_episodes.csv  the same for 1 April 2017 to 31 March 2018
# and the children's header rows (ssda903_header.csv). Rows are kept
# otherwise as published: RNE, LS, PLACE and the rest are the fake data's.
set -eu
header=$1 episodes=$2
here=$(dirname "$0")
head -301 "$header" > "$here/ssda903_header.csv"
# yyyymmdd of a dd/mm/yyyy cell, for comparing
ret() {
    awk -F, -v lo="$1" -v hi="$2" '
        function ymd(s, a) { if (s == "") return ""; split(s, a, "/");
                             return a[3] a[2] a[1] }
        NR == FNR { if (FNR > 1) keep[$1] = 1; next }
        FNR == 1 { print; next }
        !($1 in keep) { next }
        { s = ymd($2); e = ymd($8)
          if (s > hi || (e != "" && e < lo)) next
          if (e != "" && e > hi) { $8 = ""; $9 = ""; $10 = "" }
          print }' OFS=, "$here/ssda903_header.csv" "$episodes"
}
ret 20160401 20170331 > "$here/ssda903_2017_episodes.csv"
ret 20170401 20180331 > "$here/ssda903_2018_episodes.csv"
