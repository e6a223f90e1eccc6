#!/bin/bash
# bench/causality --quick runs and prints both tables (the figures themselves are for
# `make bench-causality`): every operation row has a rate, the churn table has its rows,
# and after every replica but one retired the interval tree clock is back to a few bytes
# while the version vector still holds an entry for every replica that made an event.
. "$(dirname "$0")/lib.sh"
B="$top_builddir/bench/causality"
[ -x "$B" ] || fail "$B not built"
"$B" --quick >"$T/out" || { cat "$T/out"; fail "bench/causality --quick failed"; }
cat "$T/out"
ops=$(awk '/^OPERATION/ {on = 1; next} on && NF == 0 {exit} on && $(NF - 1) + 0 > 0 {n++} END {print n + 0}' "$T/out")
[ "$ops" -ge 16 ] || fail "only $ops operation rows with a rate"
pass "$ops operations timed"
rows=$(awk '/^ CREATED/ {on = 1; next} on && NF == 8 {n++} END {print n + 0}' "$T/out")
[ "$rows" -eq 11 ] || fail "$rows churn rows, not 11"
read -r created retired live itc_mean itc_max vv_mean vv_max entries < <(tail -1 "$T/out")
[ "$created" = 100 ] && [ "$retired" = 99 ] && [ "$live" = 1 ] || fail "last row: $created created, $retired retired, $live live"
awk -v i="$itc_mean" -v v="$vv_mean" 'BEGIN {exit !(i <= 8 && v > 10 * i)}' ||
	fail "after the churn: ITC $itc_mean bytes, VV $vv_mean bytes"
pass "churn: ITC $itc_mean bytes, version vector $vv_mean bytes ($entries entries) after 100 replicas came and went"
