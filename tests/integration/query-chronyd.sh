#!/bin/bash
# stratactl query against a real chronyd -x (stratum 1 on a loopback high port): the table
# and the JSON agree with the server, a port with nothing listening gives exit 1 with an
# error, and usage errors give exit 2. The JSON is validated by python3 (or jq) if present.
. "$(dirname "$0")/lib.sh"
[ -x "$STRATACTL" ] || fail "no $STRATACTL"

# column NAME: the value of column NAME in the first data row of the table on stdin.
column() {
	awk -v name="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
		NR == 2 && c { print $c }'
}
# within_1ms X: true if |X| < 0.001 (X a decimal such as +0.000012 or -1.5e-05).
within_1ms() {
	awk -v x="$1" 'BEGIN { x += 0; exit !(x > -0.001 && x < 0.001) }'
}
# json_field NAME FILE: the value of "NAME": in the first server of the JSON in FILE.
json_field() {
	sed -nE "s/^ *\"$1\": *\"?([^\",]*)\"?,?\$/\1/p" "$2" | head -n 1
}
# valid_json FILE: a real parser when one is installed, else skip (reported).
valid_json() {
	if command -v python3 >/dev/null 2>&1; then
		python3 -m json.tool "$1" >/dev/null
	elif command -v jq >/dev/null 2>&1; then
		jq . "$1" >/dev/null
	else
		echo "note: neither python3 nor jq: JSON syntax not checked by a parser"
	fi
}

port=$(pick_port)
start_chronyd "$port" 1

# 1. The table: exit 0, stratum 1, |offset| < 1 ms. chronyd may need a moment to answer.
wait_for 10 "$STRATACTL" query --port "$port" --count 1 --timeout 0.5 127.0.0.1 ||
	fail "chronyd on port $port never answered"
"$STRATACTL" query --port "$port" 127.0.0.1 >"$T/table" 2>"$T/table.err" ||
	{ cat "$T/table" "$T/table.err" >&2; fail "query exited $? against chronyd"; }
cat "$T/table"
[ "$(column STRATUM <"$T/table")" = 1 ] || fail "table: stratum is not 1"
offset=$(column OFFSET <"$T/table")
within_1ms "$offset" || fail "table: offset $offset not within 1 ms"
[ "$(column SAMPLES <"$T/table")" = 4/4 ] || fail "table: not 4 of 4 samples"
[ "$(column ERROR <"$T/table")" = - ] || fail "table: error shown for a good server"
pass "table: stratum 1, offset $offset s"

# 2. The JSON: valid, same stratum, offset within 1 ms (a separate run).
"$STRATACTL" query --json --port "$port" 127.0.0.1 >"$T/json" || fail "query --json exited $?"
cat "$T/json"
valid_json "$T/json" || fail "query --json: invalid JSON"
grep -q '"servers": \[' "$T/json" || fail "json: no servers array"
for f in host address port stratum refid leap offset delay dispersion root_delay \
	root_dispersion root_distance precision poll samples_valid samples_sent error; do
	grep -q "^ *\"$f\": " "$T/json" || fail "json: field $f missing"
done
[ "$(json_field stratum "$T/json")" = 1 ] || fail "json: stratum is not 1"
[ "$(json_field port "$T/json")" = "$port" ] || fail "json: wrong port"
[ "$(json_field error "$T/json")" = null ] || fail "json: error for a good server"
joffset=$(json_field offset "$T/json")
within_1ms "$joffset" || fail "json: offset $joffset not within 1 ms"
awk -v a="$offset" -v b="$joffset" 'BEGIN { d = a - b; exit !(d > -0.001 && d < 0.001) }' ||
	fail "json offset $joffset and table offset $offset differ by 1 ms or more"
pass "json: valid, stratum 1, offset $joffset s"

# 3. Nothing listening: exit 1, an error in the table and in the JSON.
dead=$(pick_port)
rc=0
"$STRATACTL" query --port "$dead" --timeout 0.5 127.0.0.1 >"$T/dead" 2>&1 || rc=$?
cat "$T/dead"
[ "$rc" = 1 ] || fail "dead port: exit $rc, expected 1"
err=$(column ERROR <"$T/dead")
case "$err" in "" | -) fail "dead port: no error in the table" ;; esac
rc=0
"$STRATACTL" query --json --port "$dead" --timeout 0.5 127.0.0.1 >"$T/dead.json" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "dead port --json: exit $rc, expected 1"
valid_json "$T/dead.json" || fail "dead port --json: invalid JSON"
jerr=$(json_field error "$T/dead.json")
case "$jerr" in "" | null) fail "dead port --json: no error" ;; esac
[ "$(json_field stratum "$T/dead.json")" = null ] || fail "dead port --json: stratum not null"
pass "nothing listening: exit 1 ($jerr)"

# 4. One good and one dead host (127.0.0.2: loopback, nothing bound): exit 1, the good
# one still reported.
rc=0
"$STRATACTL" query --port "$port" --timeout 0.5 127.0.0.1 127.0.0.2 >"$T/mixed" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "mixed: exit $rc, expected 1"
grep -q '^127\.0\.0\.1 .* 4/4 ' "$T/mixed" || { cat "$T/mixed" >&2; fail "mixed: good host lost"; }
pass "one host without reply: exit 1"

# 5. Usage errors: exit 2 with a message on stderr.
usage_case() {
	local rc=0
	"$STRATACTL" "$@" >"$T/usage.out" 2>"$T/usage.err" || rc=$?
	[ "$rc" = 2 ] || fail "stratactl $*: exit $rc, expected 2"
	[ -s "$T/usage.err" ] || fail "stratactl $*: no message"
}
usage_case query
usage_case query --port 0 127.0.0.1
usage_case query --port 65536 127.0.0.1
usage_case query --port abc 127.0.0.1
usage_case query --count 0 127.0.0.1
usage_case query --timeout -1 127.0.0.1
usage_case query --timeout 0 127.0.0.1
usage_case query --no-such-option 127.0.0.1
usage_case query --port
usage_case no-such-command
usage_case
"$STRATACTL" --help | grep -q '^  query ' || fail "--help does not list query"
[ "$("$STRATACTL" --commands | paste -sd " ")" = "query status sources sourcestats serverstats clients waitsync now burst makestep add remove reload" ] || fail "--commands lists the wrong commands"
"$STRATACTL" --version | grep -qE '^stratactl [0-9]' || fail "--version"
pass "usage errors exit 2; --help, --commands, --version"
