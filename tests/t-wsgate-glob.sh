#!/bin/sh
# wsgate's own glob matcher (wsgate/glob.c, which picks the book channels
# a pattern subscription covers) against fixed expectations for * ? [...]
# and backslash escapes, and against Redis itself: for every pattern
# below, the strings it matches are exactly the keys KEYS PATTERN returns
# from a real redis-server holding those strings as keys.
. "$(dirname "$0")/lib.sh"

G=$BIN/tests/wsgate-glob
[ -x "$G" ] || skip "tests/wsgate-glob not built"

# m PATTERN STRING: 1 if PATTERN matches STRING, else 0
m() { "$G" "$1" "$2" | wc -l | tr -d " "; }
# is PATTERN STRING EXPECTED
is() { assert_eq "glob '$1' on '$2'" "$3" "$(m "$1" "$2")"; }

test_fixed_cases() {
	is 'md.*.BTC-USD.*' md.sim.BTC-USD.book 1
	is 'md.*.BTC-USD.*' md.sim.ETH-USD.book 0
	is 'md.*.BTC-USD.*' md..BTC-USD. 1
	is 'md.sim.*' md.sim.S00-USD.book 1
	is 'md.sim.*' md.simx 0
	# as in Redis 7 (KEYS special-cases a lone *): no empty match
	is '*' '' 0
	is '**a**' xax 1
	is '?' '' 0
	is 'a?c' abc 1
	is 'a?c' ac 0
	is 'a[bx]c' axc 1
	is 'a[bx]c' ayc 0
	is 'a[^bx]c' ayc 1
	is 'a[^bx]c' abc 0
	is 'a[a-c]' ab 1
	is 'a[c-a]' ab 1
	is 'a[a-c]' ad 0
	is 'a[\]]c' 'a]c' 1
	is 'a[]]c' 'a]c' 0
	is 'a\*c' 'a*c' 1
	is 'a\*c' abc 0
	is 'a\?c' 'a?c' 1
	is 'a\[c' 'a[c' 1
	is 'a[*]c' 'a*c' 1
	is 'a[*]c' abc 0
	is 'a\' 'a\' 1
	is 'a[b' ab 1
	is 'a[' a 0
	is 'a[-c]x' a-x 1
	is '\a\b' ab 1
	is '*a*b*c*d*e*f*g*h*i*j*k*' "$(printf '%080d' 0)" 0
}

test_same_as_redis() {
	cat >"$T/strings" <<-'EOS'
	md.sim.BTC-USD.book
	md.sim.BTC-USD.trade
	md.kraken.ETH-USD.book
	md.kraken.BTC-USD.book
	md.sim.status
	md.gap
	md.tickpipe.stats
	a
	ab
	abc
	ac
	abbc
	a*c
	a?c
	a[c
	a]c
	a\c
	a\
	a-c
	a^c
	a-x
	aXc
	a]
	x]c
	-
	]
	^
	\
	*
	EOS
	cat >"$T/patterns" <<-'EOS'
	*
	**
	md.*
	md.*.BTC-USD.*
	md.*.*.book
	md.sim.*
	md.?im.*
	*.book
	*?*
	???
	a?c
	a*
	*c
	*a*
	a*c*
	a[bX]c
	a[^bX]c
	a[a-c]
	a[c-a]
	a[a-]c
	a[-c]x
	a[\]]c
	a[]]c
	a[]c
	a\*c
	a\?c
	a\[c
	a[*]c
	a[\\]c
	a[
	a[b
	a[^
	a[^]
	a\
	a\\
	\a\b\c
	[^a]*
	[]]
	[\^]
	[a-]
	[*-a]c
	\*
	[
	EOS
	set --
	while IFS= read -r s; do
		rcli SET "$s" 1 >/dev/null || fail "SET $s"
		set -- "$@" "$s"
	done <"$T/strings"
	n=0
	while IFS= read -r p; do
		rcli --raw KEYS "$p" | sed "/^$/d" | LC_ALL=C sort >"$T/redis.out"
		"$G" "$p" "$@" | LC_ALL=C sort >"$T/ours.out"
		cmp -s "$T/redis.out" "$T/ours.out" || fail "pattern '$p': redis \
matches [$(tr '\n' ' ' <"$T/redis.out")], ours [$(tr '\n' ' ' <"$T/ours.out")]"
		n=$((n + 1))
	done <"$T/patterns"
	note "$n patterns x $# strings: same matches as redis"
}

test_fixed_cases
start_redis
test_same_as_redis
