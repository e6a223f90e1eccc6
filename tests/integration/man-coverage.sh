#!/bin/bash
# The man pages are clean mdoc and document every configuration option, every stratactl
# command, every stratad and strata-clockd option and every libstrata function.
. "$(dirname "$0")/lib.sh"
need mandoc
man="$top_srcdir/man"
for page in "$man"/*.[0-9]; do
	out=$(mandoc -Tlint -W warning "$page" 2>&1) || true
	[ -z "$out" ] || { echo "$out" >&2; fail "mandoc -Tlint: $page"; }
done
pass "mandoc -Tlint clean"
# groff too (what man(1) and lintian run): it parses some words mandoc accepts as macros.
if command -v groff >/dev/null; then
	for page in "$man"/*.[0-9]; do
		out=$(groff -mandoc -ww -z "$page" 2>&1) || true
		[ -z "$out" ] || { echo "$out" >&2; fail "groff -ww: $page"; }
	done
	pass "groff -mandoc -ww clean"
fi

missing=""
# Configuration options: every name the libconfuse schema in conf.c declares.
opts=$(grep -oE 'CFG_[A-Z_]+\("[a-z_]+"' "$top_srcdir/src/daemon/conf.c" | sed -E 's/.*\("//; s/"$//' | sort -u)
[ -n "$opts" ] || fail "found no options in src/daemon/conf.c"
for o in $opts; do
	grep -qE "^\.It (Ic|Cm) $o( |$)" "$man/strata.conf.5" || missing="$missing strata.conf(5):$o"
done
# stratactl commands.
cmds=$("$STRATACTL" --commands) || fail "stratactl --commands failed"
[ -n "$cmds" ] || fail "stratactl lists no commands"
for c in $cmds; do
	grep -qE "^\.It (Ic|Cm) $c( |$)" "$man/stratactl.1" || missing="$missing stratactl(1):$c"
done
# stratad's and strata-clockd's options, as their --help lists them.
nflags=0
for prog in stratad strata-clockd; do
	flags=$("$top_builddir/src/$prog" --help 2>&1 | grep -oE '(^|[[:space:]])-(-[a-z][a-z-]*|[a-zA-Z])' | tr -d ' \t' | sort -u)
	[ -n "$flags" ] || fail "$prog --help lists no options"
	for f in $flags; do
		name=${f#-}
		nflags=$((nflags + 1))
		grep -qE "^\.It (.* )?Fl $name( |$)" "$man/$prog.8" || missing="$missing $prog(8):$f"
	done
done
# libstrata: every function its public headers declare, in a section 3 page's SYNOPSIS.
funcs=$(grep -ohE '\bstrata_[a-z0-9_]+\(' "$top_srcdir"/include/strata/*.h | tr -d '(' | sort -u)
[ -n "$funcs" ] || fail "found no functions in include/strata"
for f in $funcs; do
	grep -qE "^\.Fn $f( |$)" "$man"/*.3 || missing="$missing libstrata(3):$f"
done
[ -z "$missing" ] || fail "undocumented:$missing"
pass "every option and command is documented ($(echo $opts | wc -w) options, $(echo $cmds | wc -w) commands, $nflags flags of stratad and strata-clockd, $(echo $funcs | wc -w) libstrata functions)"
