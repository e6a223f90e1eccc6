#!/bin/bash
# stratad -x against a real chronyd -x on loopback: samples, the info line, SIGHUP with a
# broken and a good configuration, SIGTERM within 1 s; and a stratad polling a port where
# nothing listens keeps running and stops on SIGINT. Nothing here touches the clock.
. "$(dirname "$0")/lib.sh"
need_built

# write_conf FILE PORT: a hermetic configuration with one numeric source.
write_conf() {
	cat >"$1" <<CONF
server "127.0.0.1" { port = $2  iburst = true }
driftfile = ""
include_dir = ""
log_level = "info"
CONF
}

# has LOG ERE: the log contains a line matching ERE.
has() { grep -qE "$2" "$1"; }

# A debug sample line from chronyd at stratum 1 with |offset| < 1 ms.
good_sample() {
	awk -v who="sample from 127.0.0.1:$1:" '
		index($0, who) {
			for (i = 1; i < NF; i++) if ($i == "offset") off = $(i + 1) + 0
			for (i = 1; i < NF; i++) if ($i == "stratum") st = $(i + 1)
			if (st == 1 && off < 0.001 && off > -0.001) found = 1
		}
		END { exit !found }' "$2"
}

# stop_wait PID SECONDS: wait for PID (a child of this shell, so not in a subshell) to
# exit; sets STATUS to its exit status, or "timeout".
stop_wait() {
	local pid=$1 limit=$(( $2 * 100 )) i=0
	while kill -0 "$pid" 2>/dev/null && ! zombie "$pid"; do
		i=$((i + 1))
		[ "$i" -gt "$limit" ] && { STATUS=timeout; return; }
		sleep 0.01
	done
	wait "$pid"
	STATUS=$?
}

# zombie PID: the process has exited and waits to be reaped.
zombie() { [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = Z ]; }

PORT=$(pick_port)
start_chronyd "$PORT" 1
CONF_FILE="$T/strata.conf"
write_conf "$CONF_FILE" "$PORT"
"$STRATAD" --check-config -c "$CONF_FILE" >"$T/check.out" || fail "--check-config rejects the test config"

LOG="$T/stratad.log"
env -u NOTIFY_SOCKET "$STRATAD" -x -n -u root -d -c "$CONF_FILE" >"$LOG" 2>&1 &
STRATAD_PID=$!
STARTED_PIDS="$STARTED_PIDS $STRATAD_PID"

wait_for 10 good_sample "$PORT" "$LOG" || { cat "$LOG" >&2; fail "no stratum 1 sample with |offset| < 1 ms within 10 s"; }
pass "sample from chronyd: $(grep -m1 "sample from 127.0.0.1:$PORT:" "$LOG" | sed 's/.*sample from/sample from/')"
wait_for 5 has "$LOG" "127\.0\.0\.1:$PORT reach [0-7]{3} offset [-+][0-9.]+ s delay [0-9.]+ s" ||
	{ cat "$LOG" >&2; fail "no per-source info line"; }
pass "info line: $(grep -m1 -E "127\.0\.0\.1:$PORT reach [0-7]{3} offset" "$LOG" | sed 's/.*127/127/')"
kill -0 "$STRATAD_PID" 2>/dev/null || fail "stratad died (READY without NOTIFY_SOCKET?)"
pass "started and running without NOTIFY_SOCKET"

# SIGHUP with a broken file: error with FILE:LINE, still running.
printf 'server "127.0.0.1" { port = %s }\nno_such_option = 1\n' "$PORT" >"$CONF_FILE"
kill -HUP "$STRATAD_PID"
wait_for 5 has "$LOG" "err: $CONF_FILE:[0-9]+: " || { cat "$LOG" >&2; fail "no FILE:LINE error after SIGHUP with a broken config"; }
wait_for 5 has "$LOG" "configuration not reloaded" || { cat "$LOG" >&2; fail "no 'not reloaded' message"; }
sleep 0.3
kill -0 "$STRATAD_PID" 2>/dev/null || fail "stratad died on SIGHUP with a broken config"
pass "broken config on SIGHUP: $(grep -m1 -E "err: $CONF_FILE:[0-9]+:" "$LOG" | sed 's/.*err: //')"

# SIGHUP with the good file again: reloaded, polling goes on.
write_conf "$CONF_FILE" "$PORT"
n_before=$(grep -c "sample from 127.0.0.1:$PORT:" "$LOG")
kill -HUP "$STRATAD_PID"
wait_for 5 has "$LOG" "configuration reloaded: 1 source" || { cat "$LOG" >&2; fail "no reload message"; }
wait_for 10 eval "[ \$(grep -c 'sample from 127.0.0.1:$PORT:' '$LOG') -gt $n_before ]" ||
	{ cat "$LOG" >&2; fail "no new sample after the reload"; }
pass "good config on SIGHUP: reloaded and sampling again"

# SIGTERM: exit 0 within 1 s.
t0=$(date +%s%N)
kill -TERM "$STRATAD_PID"
stop_wait "$STRATAD_PID" 1
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
[ "$STATUS" = 0 ] || { cat "$LOG" >&2; fail "SIGTERM: exit status $STATUS after $ms ms (want 0 within 1 s)"; }
pass "SIGTERM: exit status 0 after $ms ms"

# Nothing listening: keeps running and polling, stops cleanly on SIGINT.
DEAD=$(pick_port)
write_conf "$T/dead.conf" "$DEAD"
LOG2="$T/stratad-dead.log"
"$STRATAD" -x -n -u root -d -c "$T/dead.conf" >"$LOG2" 2>&1 &
PID2=$!
STARTED_PIDS="$STARTED_PIDS $PID2"
wait_for 10 eval "[ \$(grep -c 'request to 127.0.0.1:$DEAD' '$LOG2') -ge 3 ]" ||
	{ cat "$LOG2" >&2; fail "no burst of requests to a silent port"; }
kill -0 "$PID2" 2>/dev/null || { cat "$LOG2" >&2; fail "stratad died polling a silent port"; }
pass "silent port: $(grep -c "request to 127.0.0.1:$DEAD" "$LOG2") requests, still running"
kill -INT "$PID2"
stop_wait "$PID2" 1
[ "$STATUS" = 0 ] || { cat "$LOG2" >&2; fail "SIGINT: exit status $STATUS (want 0 within 1 s)"; }
pass "SIGINT: exit status 0"
