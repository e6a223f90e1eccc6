#!/bin/bash
# Statistics files: stratad -x with a statistics section, synchronised to two chronyd -x
# upstreams, writes loopstats.YYYYMMDD and peerstats.YYYYMMDD in ntpd's format; NTPsec's own
# reader (ntp.statfiles.NTPStats, what ntpviz plots from) loads them: times within the last
# minutes, one peer series per upstream, offsets within 1 ms. A reload without the section
# stops the files; an unwritable directory is a warning, not a failure.
. "$(dirname "$0")/lib.sh"
need_built
need chronyd
[ -f "$NTPSEC/usr/lib/python3/dist-packages/ntp/statfiles.py" ] || fail "NTPsec's python3-ntp not in $NTPSEC (scripts/deps test fetches it)"

P1=$(pick_port); start_chronyd "$P1" 1 127.0.0.41
P2=$(pick_port); start_chronyd "$P2" 1 127.0.0.42
SOCK="$T/ctl.sock"
mkdir -p "$T/stats"
conf() {
	cat <<CONF
server "127.0.0.41" { port = $P1  iburst = true  minpoll = 1  maxpoll = 1 }
server "127.0.0.42" { port = $P2  iburst = true  minpoll = 1  maxpoll = 1 }
driftfile = ""
include_dir = ""
control_socket = "$SOCK"
$1
CONF
}
conf "statistics { directory = \"$T/stats\" }" >"$T/s.conf"
start_stratad "$T/s.log" -c "$T/s.conf"; PID=$STRATAD_PID
"$STRATACTL" waitsync --timeout 30 --interval 0.2 --socket "$SOCK" >/dev/null || fail "not synchronised"
sleep 6
day=$(date -u +%Y%m%d)
[ -s "$T/stats/loopstats.$day" ] && [ -s "$T/stats/peerstats.$day" ] || { ls -l "$T/stats" >&2; fail "no statistics files for $day"; }
awk 'NF != 7 || $1 !~ /^[0-9]+$/ || $7 !~ /^-?[0-9]+$/ { bad = 1 } END { exit bad || NR < 2 }' "$T/stats/loopstats.$day" ||
	{ cat "$T/stats/loopstats.$day" >&2; fail "loopstats lines"; }
awk 'NF != 8 || $4 !~ /^[0-9a-f][0-9a-f][0-9a-f][0-9a-f]$/ { bad = 1 } END { exit bad || NR < 4 }' "$T/stats/peerstats.$day" ||
	{ cat "$T/stats/peerstats.$day" >&2; fail "peerstats lines"; }
pass "loopstats: $(tail -1 "$T/stats/loopstats.$day"); peerstats: $(tail -1 "$T/stats/peerstats.$day")"

PYTHONPATH="$NTPSEC/usr/lib/python3/dist-packages" /usr/bin/python3 - "$T/stats" <<'PY' || fail "NTPsec's statfiles reader"
import os, sys, time
from ntp.statfiles import NTPStats
lim = 0.001 * int(os.environ.get("STRATA_TEST_SLOW", "1"))
st = NTPStats(sys.argv[1], sitename="test")
now = time.time()
assert len(st.loopstats) >= 2, st.loopstats
for row in st.loopstats:
    assert abs(row[0] / 1000 - now) < 300, row      # unix ms from MJD + seconds
    assert abs(float(row[2])) < lim, row            # offset, s
peers = st.peersplit()
assert set(peers) == {"127.0.0.41", "127.0.0.42"}, peers.keys()
for ip, rows in peers.items():
    assert len(rows) >= 2 and all(abs(float(r[4])) < lim for r in rows), (ip, rows)
print("PASS: NTPsec's NTPStats reads %d loopstats rows and peer series %s"
      % (len(st.loopstats), sorted(peers)))
PY

# A reload without the section: the files stop growing.
conf "" >"$T/s.conf"
kill -HUP "$PID"
expect_line 10 "$T/s.log" "configuration reloaded" "reload without statistics"
n=$(wc -l <"$T/stats/peerstats.$day")
sleep 4
[ "$(wc -l <"$T/stats/peerstats.$day")" = "$n" ] || fail "peerstats still written after the section was removed"
pass "no statistics section: peerstats stays at $n lines"

# An unwritable directory: one warning, time keeping goes on.
conf "statistics { directory = \"$T/missing\" peerstats = false }" >"$T/s.conf"
kill -HUP "$PID"
expect_line 10 "$T/s.log" "statistics: cannot open $T/missing/loopstats\.$day: No such file or directory" "missing directory"
sleep 3
[ "$(grep -c 'statistics: cannot open' "$T/s.log")" = 1 ] || fail "the warning repeats"
"$STRATACTL" status --socket "$SOCK" | grep -qE "^Synchronised: +yes" || fail "no longer synchronised"
kill -0 "$PID" || fail "stratad died"
