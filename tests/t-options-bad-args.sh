#!/bin/sh
# t-options-bad-args: every program (collector, shmreader, redispub,
# wsgate, recorder, deriver) exits with EX_USAGE (64) and exactly one line on stderr for every
# bad option: an unknown one, a missing argument, an argument to an option
# that takes none, a stray operand, and for each option of its -h a bounded
# set of bad values (not a number, negative, out of range, empty, a number
# with a blank around it, the wrong form).  It never dies of a signal.  Options that name a file are
# only checked for a missing argument: a file that cannot be read is a
# configuration error (78).  Every option listed by -h must be covered
# here, so a new option cannot escape.  The recorder's --name may not
# start with '.': readers skip such files as hidden, so its history was
# invisible to cat, replay, its own resume and retention, and a restart
# failed on its own file (File exists).
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"

# opts_of PROG: its options, NAME CLASS [WHERE] a line, WHERE being the
# feed after which a collector feed option goes.  CLASS picks the bad
# values.
opts_of() {
	case $1 in
	collector) echo '
-d fd
--ring ring
--capacity n
--group group
--snapshot-interval n
--seed n sim
--symbols symbols sim
--venues venues sim
--rate n sim
--count n sim
--strict none jsonl
--speed n replay
--from time replay
--to time replay
--url wsurl coinbase
--rest-url resturl coinbase
--ca-file file coinbase
--depth n coinbase
--watchdog n coinbase
-v none
--recreate none
' ;;
	shmreader) echo '
-d fd
--ring ring
--format format
--from from
--count n
--venue name
--symbol name
--type name
-v none
--no-follow none
--spin none
--spin-us n
--stat none
--layout none
--unlink none
' ;;
	redispub) echo '
-d fd
-u url
--prefix prefix
--name rpname
--password-file file
--buffer n
--stream n
--stats-interval n
--pipeline n
--max-deltas n
--connect-timeout n
--flush-timeout n
--reply-timeout n
--check-url url
--lease name
--lease-ms n
--ring ring
--from from
-v none
' ;;
	recorder) echo '
-d fd
--ring ring
--name recname
--flush n
--block n
--level level
--queue n
--writer-nice n
--rt-prio n
--rotate n
--max-size n
--keep-age n
--keep-size n
--from time cat
--to time cat
--format format cat
--venue name cat
--symbol name cat
--type name cat
-v none
' ;;
	wsgate) echo '
-d fd
-l listen
-u url
--prefix prefix
--password-file file
--www file
--origin list
--token-file file
--max-clients n
--max-subscriptions n
--max-message n
--output-cap n
--slow-client-hz n
--ping-interval n
--idle-timeout n
--handshake-timeout n
--redis-timeout n
--replica hostport
-v none
' ;;
	deriver) echo '
-d fd
--ring ring
--out ring
--capacity n
--from from
--top top
--bar interval
--stale n
-v none
--no-follow none
--no-quotes none
--no-xbest none
' ;;
	esac
}

# base PROG [WHERE]: arguments that make PROG valid up to the option
# under test, which comes last (so that it wins over these)
base() {
	case $1 in
	collector)
		case ${2:-} in
		replay) echo "--ring $RING replay /dev/null" ;;
		'') echo "--ring $RING sim" ;;
		*) echo "--ring $RING $2" ;;
		esac ;;
	shmreader) echo "--ring $RING --no-follow" ;;
	redispub) echo "-u redis://127.0.0.1:1 --connect-timeout 0" ;;
	wsgate) echo "-l 127.0.0.1:0 -u redis://127.0.0.1:1" ;;
	recorder)
		case ${2:-} in
		cat) echo "cat $T" ;;
		*) echo "--ring $RING $T/hist" ;;
		esac ;;
	deriver) echo "--ring $RING --no-follow" ;;
	esac
}

# values CLASS: the bad values of that class, one a line ("" is empty)
values() {
	case $1 in
	n) printf '%s\n' '' x -1 1x 1e999 99999999999999999999999 ' 1' '1 ' ;;
	fd) printf '%s\n' '' x -1 99999 ' 1' ;;
	level) printf '%s\n' '' x 0 -0 -8 20 1x '-1 ' ;;
	url) printf '%s\n' '' bogus://x redis:// redis://h:0 redis://h/x \
	    'redis://u:p@ss@h' redis.sock sentinel://h sentinel://h/ \
	    cluster://h/0 ;;
	ring) printf '%s\n' '' 'a b' "$(printf '%0300d' 0)" ;;
	group) printf '%s\n' '' no-such-group-tickpipe ;;
	list) printf '%s\n' '' ',' 'a b' ;;
	venues) printf '%s\n' '' ',' 'a b' sim, ,sim sim,,sim2 sim,sim ;;
	symbols) printf '%s\n' '' ',' 'a b' ,BTC-USD BTC-USD, BTC-USD,,ETH-USD \
	    BTC-USD,BTC-USD BTC-USD,ETH-USD,BTC-USD ;;
	prefix) printf '%s\n' '' 'a b' 'md*' ;;
	listen) printf '%s\n' '' x 127.0.0.1 127.0.0.1:99999 127.0.0.1:x ;;
	format) printf '%s\n' '' x ;;
	from) printf '%s\n' '' x -1 0 ;;
	name) printf '%s\n' '' ;;
	recname) printf '%s\n' '' .x .. a-b 'a b' "$(printf '%065d' 0)" ;;
	wsurl) printf '%s\n' '' x nosuch=wss://h/ coinbase=ftp://h/ \
	    coinbase=https://h/ ;;
	resturl) printf '%s\n' '' x nosuch=https://h/ coinbase=ftp://h/ \
	    coinbase=wss://h/ ;;
	time) printf '%s\n' '' x -1 2026-13-01 2026-12-02T25:00Z \
	    '2026-12-02T14:00Zx' 99999999999999999999 ;;
	rpname) printf '%s\n' '' 'a b' A x.y "$(printf '%040d' 0)" ;;
	top) printf '%s\n' '' x 1 1: :1 0:1 1:0 1001:1 '1:1 ' ;;
	interval) printf '%s\n' '' x 0s 1 1x 1.5s -1s 367d ;;
	hostport) printf '%s\n' '' x h: h:0 h:99999 ;;
	esac
}

# expect_usage PROG ARGS...: exit 64, one line on stderr, no signal
expect_usage() {
	_p=$1
	shift
	echo "$_p" >>"$T/runs"
	timeout 10 "$BIN/$_p" "$@" </dev/null >/dev/null 2>"$T/err"
	_rc=$?
	_n=$(wc -l <"$T/err")
	[ "$_rc" = 64 ] && [ "$_n" = 1 ] && return 0
	echo "  $_p $*: exit $_rc, $_n lines on stderr: $(head -c 300 "$T/err" | tr '\n' '|')" >&2
	[ "$_rc" -lt 124 ] || echo "    ^ killed or timed out" >&2
}

exec 3>&2
for prog in collector shmreader redispub wsgate recorder deriver; do
	opts=$(opts_of "$prog")
	# every option of -h is in the table
	for o in $("$BIN/$prog" -h | grep -o -e '--[a-z][a-z-]*' -e '\[-[a-z]\b' -e '\[-[a-z]*\]' |
	    sed 's/^\[//; s/\]$//' | sed 's/^-\([a-z]\)\([a-z]\)$/-\1\n-\2/'); do
		[ "$o" = -h ] && continue
		# to the test's stderr (3), not the loop's report
		echo "$opts" | grep -q -e "^$o " ||
		    fail "$prog -h lists $o, which this test does not cover" 2>&3
	done
	# shellcheck disable=SC2046 # base: words
	{
		expect_usage "$prog" $(base "$prog") --no-such-option
		expect_usage "$prog" $(base "$prog") -Z
		expect_usage "$prog" $(base "$prog") --verbose=1
		expect_usage "$prog" $(base "$prog") stray operand
	}
	echo "$opts" | while read -r opt class where; do
		[ -n "$opt" ] || continue
		[ "$class" != none ] || continue
		# shellcheck disable=SC2046 # base: words
		expect_usage "$prog" $(base "$prog" "$where") "$opt"
		values "$class" | while IFS= read -r v; do
			# shellcheck disable=SC2046 # base: words
			expect_usage "$prog" $(base "$prog" "$where") "$opt" "$v"
		done
	done
done 2>"$T/report"
cat "$T/report" >&2
bad=$(grep -c '^  ' "$T/report")
note "$(wc -l <"$T/runs") bad command lines, $bad not refused cleanly"
[ "$bad" = 0 ] || fail "$bad bad option(s) not refused cleanly with 64 and one line"

# tickpipe-logrelay (tickpipe(8) LOGS): its one option -f, no logger to
# run, each refused with 64 and one line; its -h lists no other option
for args in "-Z -- cat" "--bogus -- cat" "-f" "-f '' -- cat" "-f $T/c" "--"; do
	eval "set -- $args"
	timeout 10 "$BIN/tickpipe-logrelay" "$@" </dev/null >/dev/null 2>"$T/err"
	assert_eq "tickpipe-logrelay $args: exit status" 64 "$?"
	assert_eq "tickpipe-logrelay $args: lines on stderr" 1 "$(wc -l <"$T/err")"
done
assert_eq "tickpipe-logrelay -h: its options" "-h -f" \
    "$("$BIN/tickpipe-logrelay" -h | grep -o '\[-[a-z]' | tr -d '[' | paste -sd ' ')"

# recorder cat's own option errors are recorder's, as its other messages
# (getopt said "cat:")
"$BIN/recorder" cat --bogus "$T" 2>"$T/err"
assert_eq "recorder cat --bogus: exit status" 64 "$?"
case $(cat "$T/err") in
"recorder: "*) ;;
*) fail "recorder cat --bogus: $(cat "$T/err")" ;;
esac
# a recorder whose dir is a file says so at once, before reading the ring
# and making a queue (it read the ring, then failed writing, exit 74,
# leaving a queue of 32 MiB in /dev/shm)
: >"$T/afile"
"$BIN/collector" --ring "$RING" --capacity 1024 sim --count 100 2>/dev/null ||
    fail "collector"
"$BIN/recorder" --ring "$RING" "$T/afile" 2>"$T/err"
assert_eq "recorder DIR a file: exit status" 73 "$?"
grep -q "$T/afile: not a directory" "$T/err" || fail "recorder DIR a file: $(cat "$T/err")"
for q in /dev/shm/tickpipe."$RING".recorder.*; do
	[ ! -e "$q" ] || fail "recorder DIR a file: a queue was made: $q"
done
"$BIN/shmreader" --ring "$RING" --unlink

# deriver: an input name too long to name the output after says so (it
# blamed the name given, of fewer than 100 characters); with --no-follow
# an input that is not there makes no output ring (it made one)
long=$(printf '%095d' 0)
"$BIN/deriver" --ring "$long" --no-follow 2>"$T/err"
assert_eq "deriver --ring of 95: exit status" 64 "$?"
grep -q "too long to name the output after it .*give --out" "$T/err" ||
    fail "deriver --ring of 95: $(cat "$T/err")"
"$BIN/deriver" --ring "$RING.none" --no-follow 2>"$T/err"
assert_eq "deriver --no-follow, no input: exit status" 69 "$?"
[ ! -e "/dev/shm/tickpipe.$RING.none.derived" ] ||
    fail "deriver --no-follow, no input: its output ring was made"

# collector: an option of one feed with another is refused (they were
# ignored without a word)
for args in "--seed 5 jsonl" "--count 2 jsonl" "--venues sim2 replay $T" \
    "--symbols BTC-USD jsonl" "--strict sim" "--speed 2 sim" \
    "--depth 5 sim" "--url coinbase=wss://h/ jsonl" "--watchdog 5 sim"; do
	# shellcheck disable=SC2086
	"$BIN/collector" --ring "$RING.feeds" $args </dev/null 2>"$T/err"
	assert_eq "collector $args: exit status" 64 "$?"
	grep -q "^collector: --[a-z-]* is for .* only$" "$T/err" ||
	    fail "collector $args: $(cat "$T/err")"
done

# collector: what a feed reads is checked before the ring is opened, so
# a start that fails on it leaves an existing ring as it was (each one
# raised its epoch, and printed the counters of a run that never was)
"$BIN/collector" --ring "$RING.epoch" --capacity 1024 sim --count 1 \
    2>/dev/null || fail "collector sim"
# (a live feed's own symbol list as --symbols: an empty entry or one
# given twice, which it took, running two books of one symbol)
for args in coinbase:BAD coinbase: "coinbase sim" "replay $T/none" \
    "jsonl $T/none" "--ca-file $T/none coinbase" coinbase:BTC-USD,,ETH-USD \
    "coinbase:BTC-USD," coinbase:,BTC-USD coinbase:BTC-USD,BTC-USD \
    "--symbols BTC-USD,BTC-USD coinbase"; do
	# shellcheck disable=SC2086
	timeout 10 "$BIN/collector" --ring "$RING.epoch" $args </dev/null \
	    2>"$T/err"
	st=$?
	[ "$st" = 64 ] || [ "$st" = 66 ] ||
	    fail "collector $args: exit status $st: $(cat "$T/err")"
	assert_eq "collector $args: lines on stderr" 1 "$(wc -l <"$T/err")"
	assert_eq "collector $args: the ring's epoch" "epoch: 1" \
	    "$("$BIN/shmreader" --ring "$RING.epoch" --stat | grep '^epoch')"
done
"$BIN/shmreader" --ring "$RING.epoch" --unlink
exit 0
