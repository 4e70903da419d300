# shellcheck shell=sh
# tests/history/hist.sh: sourced after lib.sh by the recorder and history
# tests: caputil.py (raw captures) as $CAP, and waiting for the recorder.
# shellcheck disable=SC2034 # for the tests that source this file
CAP="/usr/bin/python3 $TESTS/history/caputil.py"

# trade_line PRICE TS RECV: a sim BTC-USD trade line, tid tPRICE.
trade_line() {
	printf '{"type":"trade","venue":"sim","symbol":"BTC-USD","ts":%s,"recv":%s,"price":"%s","qty":"1","side":"buy","tid":"t%s"}\n' \
	    "$2" "$3" "$1" "$1"
}

# hour_trades FIRST LAST: trade_line P for P from FIRST to LAST, each at
# ts and recv 2026-12-02T14:00Z + P ns (one period's files, whatever the
# clock says)
hour_trades() {
	_ht=$1
	while [ "$_ht" -le "$2" ]; do
		trade_line "$_ht" $((1796220000000000000 + _ht)) \
		    $((1796220000000000000 + _ht))
		_ht=$((_ht + 1))
	done
}

# record_lines LAST [OPTION...]: the lines in $T/lines into the ring,
# recorded in $H up to seq LAST by a recorder started for it with
# OPTIONs, then stopped.
record_lines() {
	_rl=$1
	shift
	"$BIN/recorder" --ring "$RING" --flush 20 "$@" "$H" 2>>"$T/rec.err" &
	_rp=$!
	track "$_rp"
	"$BIN/collector" --ring "$RING" jsonl --strict <"$T/lines" \
	    2>"$T/err" || fail "collector jsonl: $(cat "$T/err")"
	wait_for 10 recorded_up_to "$H" "$_rl" ||
	    fail "not recorded up to seq $_rl: $(cat "$T/rec.err")"
	kill -TERM "$_rp"
	wait "$_rp" || fail "recorder exited $?: $(cat "$T/rec.err")"
}

# recorded_up_to DIR SEQ: the history under DIR ends with record SEQ.
recorded_up_to() {
	_s=$("$BIN/recorder" cat --format raw "$1" 2>/dev/null |
	    $CAP seqs /dev/stdin)
	[ "$(echo "$_s" | cut -d ' ' -f 2)" = "$2" ]
}

# read_old V DIR SHA256: the version V history under DIR (300 sim
# messages, seed 2, in blocks of 100: 333 records) is read by `recorder
# cat -v` with nothing damaged, to records whose SHA-256 is SHA256, and
# `collector replay` replays the same records into $RING; leaves the
# file's records without their seq in $T/a.
read_old() {
	cp -R "$2" "$T/h"	# no sidecar: the block headers are scanned
	"$BIN/recorder" cat -v --format raw "$T/h" >"$T/all.cap" 2>"$T/err" ||
	    fail "recorder cat of a version $1 file: exit $?: $(cat "$T/err")"
	grep -q "blocks 4 .* damaged 0 torn 0 records 333" "$T/err" ||
	    fail "recorder cat -v said: $(cat "$T/err")"
	_s=$($CAP seqs "$T/all.cap") || fail "seqs not continuous: $_s"
	assert_eq "seqs" "1 333 333" "$_s"
	assert_eq "SHA-256 of the records" "$3" \
	    "$(sha256sum <"$T/all.cap" | cut -d ' ' -f 1)"
	"$BIN/collector" --ring "$RING" replay --speed max "$T/h" 2>"$T/err" ||
	    fail "collector replay of a version $1 file: $(cat "$T/err")"
	"$BIN/shmreader" --ring "$RING" --no-follow --format raw >"$T/rep.cap"
	$CAP noseq "$T/all.cap" "$T/a"
	$CAP noseq "$T/rep.cap" "$T/b"
	cmp "$T/a" "$T/b" || fail "the replay differs from the file's records"
}

# rec_start NAME [OPTION...]: `recorder -d 3 --ring $RING OPTION... $H`
# in the background, its pid in RPID (tracked), its standard error in
# $T/NAME.err; returns once it is ready.  rec_status: it prints its
# status line.  rec_field NAME WORD: WORD's number in NAME's last status
# line.  rec_until NAME SEQ: waits until the history in $H ends with
# SEQ, then stops the recorder, which must exit 0.  rec_killed NAME:
# SIGKILLs it; queued and written, the bytes queued and the last seq
# written in its last status line, which must show blocks queued and
# fewer than $cursor records written.
rec_start() {
	_rn=$1
	shift
	"$BIN/recorder" -d 3 --ring "$RING" "$@" "$H" 2>"$T/$_rn.err" \
	    3>"$T/$_rn.ready" &
	RPID=$!
	track $RPID
	wait_for 10 test -s "$T/$_rn.ready" ||
		fail "recorder $_rn: not ready: $(cat "$T/$_rn.err")"
}
rec_status() {
	kill -USR1 "$RPID"
	sleep 0.05
}
rec_field() {
	grep '^recorder: status:' "$T/$1.err" | tail -n 1 |
	    sed -n "s/.* $2 \([0-9]*\) .*/\1/p"
}
rec_until() {
	wait_for 20 recorded_up_to "$H" "$2" ||
		fail "recorder $1 did not reach seq $2: $(cat "$T/$1.err")"
	kill -TERM $RPID
	wait $RPID || fail "recorder $1: exit $?: $(cat "$T/$1.err")"
}

rec_killed() {
	kill -KILL $RPID
	wait $RPID 2>/dev/null
	queued=$(rec_field "$1" queued)
	written=$(rec_field "$1" last_seq)
	[ "${queued:-0}" -gt 0 ] ||
		fail "nothing queued at the kill: $(tail -n 1 "$T/$1.err")"
	# shellcheck disable=SC2154 # cursor: the test's
	[ "${written:-0}" -lt "$cursor" ] ||
		fail "the writer had written everything before the kill"
}

# rec_block_until NAME SEQ: waits until a block ending with seq SEQ is in
# the files in $H (a block the flush's wait wrote in the middle of a book
# message, SEQ its START), then stops the recorder, which must exit 0.
rec_block_until() {
	wait_for 10 block_ends "$2" ||
		fail "recorder $1: no block up to seq $2: $(cat "$T/$1.err")"
	kill -TERM $RPID
	wait $RPID || fail "recorder $1: exit $?: $(cat "$T/$1.err")"
}
block_ends() {
	for _f in "$H"/*/*.tph; do
		[ ! -f "$_f" ] || $CAP tphblocks "$_f"
	done | grep -q "^[0-9]* [0-9]* $1 "
}

# cut_by_gap_hist: a history in $H of the ring $RING (of 16 records)
# whose book message at seq 2 a gap cuts: a trade at seq 1, the START
# of a book message at seq 2, recorded by a recorder then stopped; while
# it is stopped, trades at seq 3 to 42, so that the ring wraps and the
# message's rest, had it come, is lost; the restarted recorder records a
# gap from seq 3 and the trades at seq 27 to 42.  Trade tN (N 0, or 2
# to 41) is at ts and recv 2026-12-02T14:00Z + N ns, the START at + 1.
cut_by_gap_hist() {
	{
		gap_trades 0 0
		echo "type=2 venue=1 symbol=BTC-USD ts=$((_gts + 1)) recv=$((_gts + 1)) nbids=1 level=100:0:1:0 flags=1"
	} | "$BIN/tests/ringtool" put "$RING" --capacity 16 >"$T/put" 2>&1 ||
	    fail "ringtool put: $(cat "$T/put")"
	rec_start rec --flush 20
	rec_block_until rec 2	# the START written
	gap_trades 2 41 |
	    "$BIN/tests/ringtool" put "$RING" --capacity 16 >"$T/put" 2>&1 ||
	    fail "ringtool put: $(cat "$T/put")"
	rec_start rec2 --flush 20
	rec_until rec2 42
	grep -q "lost [0-9]* records from seq 3 (recorded as a gap)" \
	    "$T/rec2.err" ||
	    fail "no gap recorded from seq 3: $(cat "$T/rec2.err")"
}
# cut_at_end_hist: a history in $H of the ring $RING that ends inside a
# book message: a trade at seq 1 (tid a, ts and recv $ts), the START of
# a book message at seq 2 (ts + 1), recorded by a recorder stopped once
# a block ends at the START.  ts is the test's.
cut_at_end_hist() {
	# shellcheck disable=SC2154 # ts: the test's
	{
		echo "type=1 venue=1 symbol=BTC-USD ts=$ts recv=$ts price=100 qty=1 side=1 tid=a"
		echo "type=2 venue=1 symbol=BTC-USD ts=$((ts + 1)) recv=$((ts + 1)) nbids=1 level=100:0:1:0 flags=1"
	} | "$BIN/tests/ringtool" put "$RING" >"$T/put" 2>&1 ||
	    fail "ringtool put: $(cat "$T/put")"
	rec_start rec --flush 20
	rec_block_until rec 2	# the START written
}

# replay_cut_at_end SRC WHAT: `collector replay` of SRC (a history or a
# raw capture ending inside the book message at seq 2, the trade at seq
# 1 before it) into the ring $R, then again with -v: each exits 0, says
# "book message at seq 2: no LAST at the end of the WHAT: dropped" (once)
# and counts it; the ring holds the trade alone, nothing of the book.
replay_cut_at_end() {
	"$BIN/collector" --ring "$R" replay --speed max "$1" 2>"$T/err"
	assert_eq "exit status" 0 "$?"
	assert_eq "stderr" \
	    "collector: $1: book message at seq 2: no LAST at the end of the $2: dropped
collector: $1: 1 incomplete book messages skipped" "$(cat "$T/err")"
	"$BIN/shmreader" -v --ring "$R" --no-follow >"$T/got" 2>"$T/rerr" ||
	    fail "shmreader: exit $?: $(cat "$T/rerr")"
	assert_eq "records in the ring" 1 "$(wc -l <"$T/got")"
	grep -q '"type":"trade"' "$T/got" ||
	    fail "the trade not replayed: $(cat "$T/got")"
	! grep -q 'book' "$T/got" "$T/rerr" ||
	    fail "the cut message went into the ring: $(grep 'book' "$T/got" "$T/rerr")"
	"$BIN/shmreader" --ring "$R" --unlink || fail "--unlink"
	"$BIN/collector" -v --ring "$R" replay --speed max "$1" 2>"$T/err"
	assert_eq "exit status with -v" 0 "$?"
	assert_eq "said with -v" 1 \
	    "$(grep -c "$1: book message at seq 2: no LAST at the end of the $2: dropped" "$T/err")"
	grep -q "$1: 1 incomplete book messages skipped" "$T/err" ||
	    fail "not counted with -v: $(cat "$T/err")"
}

# gap_trades FIRST LAST: ringtool lines of trades at ts + FIRST .. LAST
_gts=1796220000000000000	# 2026-12-02T14:00Z
gap_trades() {
	_tr=$1
	while [ "$_tr" -le "$2" ]; do
		echo "type=1 venue=1 symbol=BTC-USD ts=$((_gts + _tr)) recv=$((_gts + _tr)) price=$((100 + _tr)) qty=1 side=1 tid=t$_tr"
		_tr=$((_tr + 1))
	done
}

# burst SEED COUNT [CAPTURE]: COUNT simulator messages at full rate into
# $RING, of BURST_CAP records (150,000 fit whole); ring_seq, its last
# seq; its records in the raw capture CAPTURE if given.
BURST_CAP=262144
burst() {
	"$BIN/collector" --ring "$RING" --capacity $BURST_CAP sim --seed "$1" \
	    --count "$2" --rate max 2>"$T/sim.err" ||
		fail "collector sim: $(cat "$T/sim.err")"
	ring_seq=$("$BIN/shmreader" --ring "$RING" --stat | sed -n 's/^seq: //p')
	[ $# -lt 3 ] || "$BIN/shmreader" --ring "$RING" --no-follow \
	    --format raw >"$3" || fail "shmreader"
}

# replay_skips_one PATTERN [RUNNER...]: `collector replay` of $H into
# $RING.r (run under RUNNER, such as a timeout) exits 65 saying PATTERN
# (a grep pattern) of the one file it skipped, the last, with the 3
# records of the others in the ring, then a status telling the records
# it may have held lost (collector(1)); the ring is removed after.
replay_skips_one() {
	_pat=$1
	shift
	"$@" "$BIN/collector" --ring "$RING.r" replay --speed max "$H" 2>"$T/err"
	assert_eq "replay: exit status" 65 "$?"
	grep -q "$_pat" "$T/err" || fail "replay: $(cat "$T/err")"
	"$BIN/shmreader" --ring "$RING.r" --no-follow >"$T/rep" 2>&1
	assert_eq "replay: trades in the ring" 3 \
	    "$(grep -c '"type":"trade"' "$T/rep")"
	tail -n 1 "$T/rep" | grep -q '"reason":"replay: the recording lost records from seq 4 at its end, how many unknown; books wait for a snapshot"' ||
	    fail "replay: the file skipped not told: $(cat "$T/rep")"
	"$BIN/shmreader" --ring "$RING.r" --unlink
}

# put_recorded LAST: the ringtool lines on standard input put into
# $RING, recorded in $H up to seq LAST, which `recorder cat -v` prints
# into $T/want, saying what it says into $T/cat.err.
put_recorded() {
	"$BIN/tests/ringtool" put "$RING" >"$T/put" 2>&1 ||
	    fail "ringtool put: $(cat "$T/put")"
	rec_start rec --flush 20
	rec_until rec "$1"
	"$BIN/recorder" cat -v "$H" >"$T/want" 2>"$T/cat.err" ||
	    fail "recorder cat: exit $?: $(cat "$T/cat.err")"
}

# replayed_as_cat N: the ring $R, read by shmreader -v into $T/got,
# holds N messages, what `recorder cat` printed into $T/want but for
# the ring seq, and no message shmreader drops as unfinished.
replayed_as_cat() {
	"$BIN/shmreader" -v --ring "$R" --no-follow >"$T/got" 2>"$T/rerr" ||
	    fail "shmreader: exit $?: $(cat "$T/rerr")"
	! grep -q 'dropped' "$T/rerr" ||
	    fail "an unfinished message went into the ring: $(cat "$T/rerr")"
	sed 's/,"seq":[0-9]*,/,/' "$T/want" >"$T/want.noseq"
	sed 's/,"seq":[0-9]*,/,/' "$T/got" >"$T/got.noseq"
	cmp "$T/want.noseq" "$T/got.noseq" ||
	    fail "replay differs: $(diff "$T/want.noseq" "$T/got.noseq" | head -n 4 | cut -c 1-200)"
	assert_eq "messages replayed" "$1" "$(wc -l <"$T/got" | tr -d ' ')"
}

# queue_then_gap LAST END: the history in $H is the records of
# $T/ring.cap up to seq LAST, byte for byte, then one gap, for what the
# ring of BURST_CAP records lost from LAST + 1 when it reached seq END.
queue_then_gap() {
	"$BIN/recorder" cat --format raw "$H" >"$T/all.cap" 2>"$T/err" ||
		fail "recorder cat: $(cat "$T/err")"
	head -c $((64 + $1 * 256)) "$T/all.cap" >"$T/mine"
	head -c $((64 + $1 * 256)) "$T/ring.cap" | cmp -s - "$T/mine" ||
		fail "the history's first $1 records are not the ring's"
	"$BIN/recorder" cat --format jsonl "$H" 2>/dev/null |
	    grep '"type":"gap"' >"$T/gaps"
	assert_eq "the history's one gap (what the ring overwrote)" \
	    "{\"type\":\"gap\",\"from\":$(($1 + 1)),\"lost\":$(($2 - BURST_CAP - $1))}" \
	    "$(cat "$T/gaps")"
}

# record_sim_files DIR: 3000 sim messages (seed 4) into $RING, recorded
# under DIR by a recorder --name sim in blocks of 100 and files of 20K (3
# or more), stopped once it has them all
record_sim_files() {
	"$BIN/collector" --ring "$RING" --capacity 65536 sim --seed 4 \
	    --rate max --count 3000 2>"$T/err" ||
	    fail "collector sim: $(cat "$T/err")"
	_rsf=$("$BIN/shmreader" --ring "$RING" --stat | sed -n 's/^seq: //p')
	"$BIN/recorder" --ring "$RING" --name sim --block 100 --max-size 20K \
	    "$1" 2>"$T/rec.err" &
	_rsf_pid=$!
	track $_rsf_pid
	wait_for 10 recorded_up_to "$1" "$_rsf" ||
	    fail "recorder did not reach seq $_rsf"
	kill -TERM $_rsf_pid
	wait $_rsf_pid || fail "recorder: exit $?: $(cat "$T/rec.err")"
}

# damaged_mid_message_hist: a history in $H of the ring $RING whose book
# message at seq 1..3 lies in three blocks, its writer stalling after
# its START and after its middle record (each block cut a second past
# --flush), the middle block then damaged (its frame fails its
# checksum); a trade at seq 4 follows the LAST.  Levels 100, 101, 102.
damaged_mid_message_hist() {
	_dbk="type=2 venue=1 symbol=BTC-USD ts=$_gts recv=$_gts nbids=1"
	mkfifo "$T/fifo"
	"$BIN/tests/ringtool" put "$RING" <"$T/fifo" >"$T/put" 2>&1 &
	track $!
	exec 3>"$T/fifo"
	rec_start rec --flush 200
	echo "$_dbk level=100:0:1:0 flags=1" >&3
	wait_for 10 block_alone 1 || fail "the START not written alone"
	echo "$_dbk level=101:0:1:0 flags=0" >&3
	wait_for 10 block_alone 2 || fail "the middle not written alone"
	echo "$_dbk level=102:0:1:0 flags=2" >&3
	gap_trades 0 0 >&3
	exec 3>&-
	rec_until rec 4
	_df=$(ls "$H"/*/*.tph)
	_db=$($CAP blocks "$_df.idx" | sed -n 2p)
	$CAP flip "$_df" $((${_db%% *} + 64 + $(echo "$_db" | cut -d ' ' -f 2) / 2))
}
# block_alone SEQ: a block of the record SEQ alone is in the files in $H
block_alone() {
	for _f in "$H"/*/*.tph; do
		[ ! -f "$_f" ] || $CAP tphblocks "$_f"
	done | grep -q "^1 $1 $1 "
}
