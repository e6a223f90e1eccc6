#!/bin/bash
# stratad --check-config: every broken configuration exits non-zero with "FILE:LINE:" (the
# right line) on stderr; the shipped conf/strata.conf exits 0 and prints the effective
# configuration, which itself passes --check-config and prints the same again.
. "$(dirname "$0")/lib.sh"

[ -x "$STRATAD" ] || fail "$STRATAD is not built"

# expect_error NAME LINE WHAT TEXT: $T/NAME.conf holding TEXT must fail at LINE, saying WHAT.
expect_error() {
	local name=$1 line=$2 what=$3 file="$T/$1.conf"
	printf '%s' "$4" >"$file"
	expect_file_error "$name" "$file" "$file:$line:" "$what"
}

# expect_file_error NAME FILE PREFIX WHAT: --check-config -c FILE fails, stderr has PREFIX+WHAT.
expect_file_error() {
	local name=$1 file=$2 prefix=$3 what=$4 rc=0
	"$STRATAD" --check-config -c "$file" >"$T/$name.out" 2>"$T/$name.err" || rc=$?
	[ "$rc" -ne 0 ] || fail "$name: accepted (exit 0)"
	grep -qF -- "$prefix" "$T/$name.err" ||
		fail "$name: stderr lacks '$prefix': $(cat "$T/$name.err")"
	grep -qF -- "$what" "$T/$name.err" ||
		fail "$name: stderr lacks '$what': $(cat "$T/$name.err")"
	pass "$name: $(head -n 1 "$T/$name.err")"
}

NOINC='include_dir = ""
'

expect_error unknown-option 3 "no such option 'frobnicate'" "$NOINC
frobnicate = 1
"
expect_error unknown-server-option 3 "no such option 'minpol'" "$NOINC# a comment
server \"a\" { minpol = 6 }
"
expect_error wrong-type-int 4 "minpoll: expected an integer" "$NOINC server \"a\" {
	iburst = true
	minpoll = \"six\"
}
"
expect_error wrong-type-bool 3 "iburst: expected true or false" "$NOINC server \"a\" {
	iburst = 3
}
"
expect_error missing-name 3 "missing title" "$NOINC
server { }
"
expect_error empty-name 2 "missing name" "${NOINC}server \"\" {}
"
expect_error minpoll-low 3 "minpoll 0 out of range 1..17" "$NOINC
server \"a\" { minpoll = 0 }
"
expect_error minpoll-high 4 "minpoll 18 out of range 1..17" "$NOINC
/* block
   comment */ server \"a\" { minpoll = 18 }
"
expect_error maxpoll-below-minpoll 4 "maxpoll 7 is less than minpoll 9" "$NOINC
server \"a\" { minpoll = 9
	maxpoll = 7 }
"
expect_error maxsources-range 2 "maxsources 17 out of range 1..16" "${NOINC}pool \"p\" { maxsources = 17 }
"
expect_error maxsources-on-server 2 "no such option 'maxsources'" "${NOINC}server \"s\" { maxsources = 2 }
"
expect_error bad-port 2 "port 65536 out of range 1..65535" "${NOINC}server \"s\" { port = 65536 }
"
expect_error bad-allow 5 "allow \"10.0.0.0/33\"" "${NOINC}allow = {
	\"127.0.0.1\", # loopback
	\"10.0.0.0/8\",
	\"10.0.0.0/33\"
}
"
expect_error bad-deny 2 "deny \"192.168.1.1/24\"" "${NOINC}deny = { \"192.168.1.1/24\" }
"
expect_error bad-listen 2 "listen \"localhost:123\"" "${NOINC}listen = { \"localhost:123\" }
"
expect_error bad-log-level 2 "unknown log_level \"loud\"" "${NOINC}log_level = \"loud\"
"
expect_error makestep-threshold 4 "greater than 0" "${NOINC}makestep {
	limit = 3
	threshold = 0
}
"
expect_error negative-panic 2 "must not be negative" "${NOINC}panic = -5
"
expect_error unterminated-string 2 "unterminated quoted string" "${NOINC}driftfile = \"/var/lib/x
"
expect_error missing-brace 3 "missing '}'" "${NOINC}server \"a\" {
	iburst = true
"
expect_error bad-user 2 "user: \"-x\" is not a user name" "${NOINC}user = \"-x\"
"
expect_error relative-timesync-file 2 "timesync_file: \"sync\" is not an absolute path" "${NOINC}timesync_file = \"sync\"
"
expect_error relative-time-file 2 "time_file: \"time\" is not an absolute path" "${NOINC}time_file = \"time\"
"
expect_error relative-resolv-conf 2 "resolv_conf: \"r.conf\" is not an absolute path" "${NOINC}resolv_conf = \"r.conf\"
"
expect_error seccomp-not-bool 2 "seccomp: expected true or false" "${NOINC}seccomp = 3
"

# include_dir pointing at a regular file: ENOTDIR, at the include_dir line of the main file
: >"$T/plain"
printf 'server "a" {}\ninclude_dir = "%s"\n' "$T/plain" >"$T/main-notdir.conf"
expect_file_error include-dir-notdir "$T/main-notdir.conf" "$T/main-notdir.conf:2:" "$T/plain"

# an included x.conf that is a directory, then a dangling symlink: named, at the same line
mkdir -p "$T/inc"
printf '# main\n\ninclude_dir = "%s"\n' "$T/inc" >"$T/main-inc.conf"
mkdir "$T/inc/x.conf"
expect_file_error included-dir "$T/main-inc.conf" "$T/main-inc.conf:3:" "$T/inc/x.conf"
rmdir "$T/inc/x.conf"
ln -s "$T/nowhere" "$T/inc/y.conf"
expect_file_error included-dangling "$T/main-inc.conf" "$T/main-inc.conf:3:" "$T/inc/y.conf"
rm "$T/inc/y.conf"

# errors inside an included file name that file and its line
printf 'server "b" {}\n\ninclude_dir = "/elsewhere"\n' >"$T/inc/z.conf"
expect_file_error include-in-include "$T/main-inc.conf" "$T/inc/z.conf:3:" \
	"only allowed in the main configuration file"
printf 'pool "p" {\n\tmaxsources = 0\n}\n' >"$T/inc/z.conf"
expect_file_error error-in-include "$T/main-inc.conf" "$T/inc/z.conf:2:" "maxsources 0"
rm "$T/inc/z.conf"

# a missing include directory is fine
printf 'include_dir = "%s"\n' "$T/absent" >"$T/main-absent.conf"
"$STRATAD" --check-config -c "$T/main-absent.conf" >/dev/null 2>"$T/absent.err" ||
	fail "missing include_dir rejected: $(cat "$T/absent.err")"
pass "missing include_dir accepted"

# the shipped configuration
shipped="$top_srcdir/conf/strata.conf"
"$STRATAD" --check-config -c "$shipped" >"$T/shipped.out" 2>"$T/shipped.err" ||
	fail "shipped $shipped rejected: $(cat "$T/shipped.err")"
grep -q '^pool "pool.ntp.org" {' "$T/shipped.out" || fail "no pool in: $(cat "$T/shipped.out")"
for opt in iburst minpoll maxpoll port maxsources driftfile makestep threshold limit panic \
	allow deny listen control_socket log_level include_dir; do
	grep -Eq "^[[:space:]]*$opt( =| [{])" "$T/shipped.out" || fail "effective configuration lacks $opt"
done
pass "shipped strata.conf: exit 0, every option printed"

# the printed configuration is itself valid and prints the same (but for the header line)
cp "$T/shipped.out" "$T/printed.conf"
"$STRATAD" --check-config -c "$T/printed.conf" >"$T/printed.out" 2>"$T/printed.err" ||
	fail "printed configuration rejected: $(cat "$T/printed.err")"
diff <(tail -n +2 "$T/shipped.out") <(tail -n +2 "$T/printed.out") >&2 ||
	fail "printed configuration does not print the same"
pass "printed configuration round-trips"
