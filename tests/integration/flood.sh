#!/bin/bash
# A bounded flood on loopback: stratad -x (synchronised to chronyd -x, serving with a
# ratelimit section) takes 10 s of 100k requests/s from 127.0.0.2 (bench/ntpload; issue 7's
# load case), while four well-behaved clients
# (127.0.0.1, .4, .5, .6) poll 10 times a second each. They get their answers (loss < 1 %),
# the flooding address gets at most its bucket plus
# one KoD RATE in leak, stratad keeps taking samples from its upstream and stays
# synchronised, and its counters show the drop. A denied address with deny_kod gets only
# KoD DENY. Then the same with two server threads (SO_REUSEPORT), for 4 s.
. "$(dirname "$0")/lib.sh"
need_built
not_under_valgrind "it measures answers under a 100k/s flood; memcheck runs the daemon ~50x slower"
NTPLOAD="$top_builddir/bench/ntpload"
[ -x "$NTPLOAD" ] || fail "$NTPLOAD not built"
need chronyd

kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

P0=$(pick_port); start_chronyd "$P0" 1

run_case() { # NAME THREADS SECONDS
	local name=$1 threads=$2 secs=$3 port
	port=$(pick_port)
	cat >"$T/$name.conf" <<CONF
server "127.0.0.1" { port = $P0  iburst = true  minpoll = 1  maxpoll = 1 }
listen = { "127.0.0.1:$port" }
allow = { "127.0.0.0/8" }
deny = { "127.0.0.3" }
deny_kod = true
ratelimit { interval = -4  burst = 16  leak = 8 }
server_threads = $threads
driftfile = ""
include_dir = ""
CONF
	start_stratad "$T/$name.log" -d -c "$T/$name.conf"
	local pid=$STRATAD_PID
	expect_line 20 "$T/$name.log" "synchronised to 127\.0\.0\.1:$P0, stratum 2" "$name: synchronised"
	wait_for 5 udp_port_open "$port" || fail "$name: not listening on $port"
	local samples0 flood good denied
	samples0=$(grep -c "sample from 127\.0\.0\.1:$P0" "$T/$name.log")
	"$NTPLOAD" -p "$port" -b 127.0.0.2 -m rate -r 100000 -d "$secs" >"$T/$name.flood" &
	local fpid=$!
	STARTED_PIDS="$STARTED_PIDS $fpid"
	local g gpids=""
	for g in 1 4 5 6; do
		"$NTPLOAD" -p "$port" -b "127.0.0.$g" -m rate -r 10 -d "$secs" >"$T/$name.good$g" &
		gpids="$gpids $!"
	done
	STARTED_PIDS="$STARTED_PIDS $gpids"
	# shellcheck disable=SC2086
	wait "$fpid" $gpids
	flood=$(cat "$T/$name.flood")
	good=$(cat "$T/$name".good? | awk '{for (i = 1; i <= NF; i++) { split($i, kv, "=");
		if (kv[1] == "sent") s += kv[2]; if (kv[1] == "valid") v += kv[2] } }
		END {printf "mode=rate clients=4 sent=%d valid=%d\n", s, v}')
	denied=$("$NTPLOAD" -p "$port" -b 127.0.0.3 -m rate -r 5 -d 1)
	echo "  good clients:  $good"
	echo "  flood:         $flood"
	echo "  denied client: $denied"
	local gs gv fs fv fk
	gs=$(kv sent "$good"); gv=$(kv valid "$good")
	fs=$(kv sent "$flood"); fv=$(kv valid "$flood"); fk=$(kv kod "$flood")
	[ "$gs" -ge $((38 * secs)) ] && [ $((gv * 100)) -gt $((gs * 99)) ] ||
		fail "$name: the good clients lost answers during the flood ($gv of $gs)"
	pass "$name: 4 good clients answered $gv of $gs during the flood"
	[ "$fs" -ge $((75000 * secs)) ] || fail "$name: the flood sent only $fs requests"
	# Bucket (16 per thread) plus 16/s over the flood (+ 0.4 s), per thread it reaches.
	[ "$fv" -le $(( (16 + 16 * secs + 6) * threads )) ] || fail "$name: the flood got $fv answers"
	[ "$fk" -ge $(( fs / 8 / 4 )) ] || fail "$name: only $fk KoD RATE for $fs requests"
	pass "$name: flood of $fs requests got $fv answers and $fk KoD RATE"
	[ "$(kv kod "$denied")" -ge 4 ] && [ "$(kv valid "$denied")" -eq 0 ] ||
		fail "$name: the denied client was not answered KoD DENY only: $denied"
	pass "$name: denied client got $(kv kod "$denied") KoD DENY and no time"
	local samples1
	samples1=$(grep -c "sample from 127\.0\.0\.1:$P0" "$T/$name.log")
	[ $((samples1 - samples0)) -ge 2 ] || fail "$name: only $((samples1 - samples0)) upstream samples during the flood"
	grep -q "warning: not synchronised" "$T/$name.log" && { cat "$T/$name.log" >&2; fail "$name: lost synchronisation"; }
	pass "$name: $((samples1 - samples0)) upstream samples during the flood, still synchronised"
	kill "$pid"
	wait_for 5 grep -q "(since start)" "$T/$name.log" || fail "$name: no counters at exit"
	local line
	line=$(grep "(since start)" "$T/$name.log" | sed -E 's/^[0-9-]+ [0-9:.]+ info: //')
	local lim
	lim=$(sed -n 's/.* \([0-9]*\) rate limited.*/\1/p' <<<"$line")
	[ "$lim" -ge $((fs / 2)) ] || fail "$name: counters show only $lim rate limited: $line"
	pass "$name: counters at exit: $line"
}

run_case one-thread 1 10
run_case two-threads 2 4
