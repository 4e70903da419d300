# shellcheck shell=sh
# tests/lib.sh: sourced by every shell test.  Gives a private temporary
# directory, free loopback ports, a private redis-server, process tracking
# with cleanup on any exit, and small assertion helpers.
#
# A test script exits 0 on success, 77 to skip (with a reason on stderr),
# anything else on failure.  Binaries are in $BIN (set by tests/run.sh).
#
# Rings: every shm ring a test makes is named $RING or starts with it
# ("$RING.a", "${RING}_gap"): all of them begin with RING_PREFIX, unique
# to this shell, and tp_cleanup removes every /dev/shm/tickpipe.RING_PREFIX*
# on any exit.  tests/run.sh learns the prefix through TP_SHM_NAMES and
# fails a test that leaves one behind.

set -u
# A test that mounts sets TP_MOUNTS=private before it sources this file:
# it is run again in a private mount namespace (unshare -m), so that what
# it mounts is its own and goes with it; skipped where none can be made.
# One that sets TP_PIDS=private is run in a pid namespace of its own too,
# its /proc that namespace's, as its pid 1 (what it leaves is killed
# when it exits): it may choose the pid of a process it starts
# (tp_claim_pid), which no other process on the machine can take.
if { [ "${TP_MOUNTS:-}" = private ] || [ "${TP_PIDS:-}" = private ]; } &&
    [ -z "${TP_PRIVATE_MOUNTS:-}" ]; then
	_n=$(basename "$0")
	command -v unshare >/dev/null 2>&1 ||
		{ echo "SKIP: $_n: unshare(1) not installed" >&2; exit 77; }
	_ns=''
	[ "${TP_PIDS:-}" != private ] || _ns='-p -f --kill-child=TERM --mount-proc'
	# shellcheck disable=SC2086 # _ns: options, split on purpose
	unshare -m $_ns true 2>/dev/null || { echo "SKIP: $_n: cannot make a" \
	    "private mount (or pid) namespace (unshare needs root)" >&2; exit 77; }
	# this shell's pid, unique on the machine, for RING_PREFIX: the
	# test's own is 1 in a pid namespace of its own
	# shellcheck disable=SC2086 # _ns: options, split on purpose
	TP_OUTER_PID=$$ TP_PRIVATE_MOUNTS=1 exec unshare -m $_ns \
	    --propagation private sh "$0" "$@"
fi
: "${BIN:=$(cd "$(dirname "$0")/.." && pwd)/build}"
TESTS=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC2034 # for the tests that source this file
TOP=$(cd "$TESTS/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/tp-test.XXXXXX")
RING_PREFIX="t${TP_OUTER_PID:-$$}."
# shellcheck disable=SC2034 # for the tests that source this file
RING="$RING_PREFIX$(basename "$0" .sh | tr -c 'A-Za-z0-9\n' _)"
[ -z "${TP_SHM_NAMES:-}" ] || echo "$RING_PREFIX" >>"$TP_SHM_NAMES"
_tp_pids=""

# tp_started PID: the start time of process PID (clock ticks after boot,
# /proc/PID/stat field 22), empty if there is none
tp_started() {
	_ts=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 0
	# shellcheck disable=SC2086 # its fields, from the state on
	set -- $_ts
	[ "$#" -lt 20 ] || echo "${20}"
}
# tp_kill SIG: sends SIG to each tracked process that is still the one
# tracked: a pid reaped since (wait, wait_pid) may be another process's
tp_kill() {
	for _tk in $_tp_pids; do
		[ "$(tp_started "${_tk%%:*}")" = "${_tk#*:}" ] &&
		    kill "-$1" "${_tk%%:*}" 2>/dev/null
	done
}
tp_cleanup() {
	tp_kill TERM
	sleep 0.1
	tp_kill KILL
	for _tk in $_tp_pids; do wait "${_tk%%:*}" 2>/dev/null; done
	rm -f /dev/shm/tickpipe."$RING_PREFIX"* 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
# tp_cleanup_umount DIR: tp_cleanup for a test that mounted DIR, its
# processes killed first: one with a file open there keeps DIR mounted
# (umount: busy), and the test's directory with it
tp_cleanup_umount() {
	tp_kill KILL
	for _tk in $_tp_pids; do wait "${_tk%%:*}" 2>/dev/null; done
	umount "$1" 2>/dev/null || umount -l "$1" 2>/dev/null
	tp_cleanup
}
# tp_killed: run.sh's timeout (SIGTERM) stopped the test: what it had
# written so far in $T, so that a test that hung says where (a file of
# the test's own, *.err or *.log, its last lines)
tp_killed() {
	echo "FAIL: $(basename "$0"): terminated (run.sh's timeout?); its files:" >&2
	for _f in "$T"/*.err "$T"/*.log "$T"/*/*.err "$T"/*/*.log "$T"/*/log; do
		[ -f "$_f" ] || continue
		echo "== ${_f#"$T"/}: $(wc -c <"$_f") bytes" >&2
		tail -n 6 "$_f" | cut -c 1-300 >&2
	done
	exit 124
}
trap tp_cleanup EXIT
trap 'exit 130' INT
trap tp_killed TERM

# track PID: kill it at exit, if it is still that process then
track() { _tp_pids="$_tp_pids $1:$(tp_started "$1")"; }

# tp_claim_pid PID CMD...: starts CMD in the background, tracked, as
# process PID, once no process has that pid (ns_last_pid, proc(5): a
# TP_PIDS=private test's own pid namespace, where only its processes
# take pids); another of them may take it first, so it tries for 5 s,
# then fails the test.
tp_claim_pid() {
	_cp=$1 _ci=0
	shift
	while [ "$_ci" -lt 100 ]; do
		_ci=$((_ci + 1))
		if [ ! -e "/proc/$_cp" ]; then
			echo $((_cp - 1)) >/proc/sys/kernel/ns_last_pid ||
			    fail "cannot choose the next pid (ns_last_pid)"
			"$@" &
			[ "$!" != "$_cp" ] || { track "$!"; return 0; }
			kill -KILL "$!"
			wait "$!"
		fi
		sleep 0.05
	done
	fail "could not start a process as pid $_cp within 5 s"
}

fail() { echo "FAIL: $(basename "$0"): $*" >&2; exit 1; }
skip() { echo "SKIP: $(basename "$0"): $*" >&2; exit 77; }
note() { echo "  $(basename "$0"): $*" >&2; }

# assert_eq WHAT EXPECTED FOUND
assert_eq() {
	[ "$2" = "$3" ] || fail "$1: expected '$2', found '$3'"
}

# closed_pipe_rc CMD...: runs CMD with standard output a pipe whose read
# end was closed before it started; prints its exit status (killed by a
# signal: minus its number), its standard error going to ours
closed_pipe_rc() {
	timeout 10 /usr/bin/python3 -c 'import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE)
sys.stderr.buffer.write(p.stderr)
print(p.returncode)' "$@"
}

# wait_for SECONDS CMD...: polls CMD every 50 ms until it succeeds.
wait_for() {
	_wf_end=$(( $(date +%s%N) + $1 * 1000000000 ))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s%N)" -lt "$_wf_end" ] || return 1
		sleep 0.05
	done
}

# exited PID: PID, a child of this shell, has ended: gone (the shell
# may have reaped it, and its number gone to another process, no child
# of this shell) or a zombie not yet waited for
exited() {
	# /proc/PID/stat after the command's name: state, parent's PID...
	_ex=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 0
	# shellcheck disable=SC2086 # its fields
	set -- $_ex
	[ "$#" -lt 2 ] || [ "$1" = Z ] || [ "$2" != "$$" ]
}

# wait_pid SECONDS PID WHAT: waits for PID, a child of this shell, to
# end within SECONDS, and returns its exit status; else fails, saying
# that WHAT did not end (a plain `wait` would hang the test until
# run.sh's timeout, silently)
wait_pid() {
	wait_for "$1" exited "$2" || fail "$3 did not end within $1 s"
	wait "$2"
}

# free_port: prints a TCP port on 127.0.0.1 that nothing listens on.
free_port() {
	# never one this test was given before and has perhaps not bound
	# yet: the kernel may hand out a port just closed again (a Redis and
	# a wsgate of one test once got the same)
	while :; do
		_fp=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
		grep -qx "$_fp" "$T/.ports" 2>/dev/null || break
	done
	echo "$_fp" >>"$T/.ports"
	echo "$_fp"
}

# start_redis: starts a private redis-server; sets REDIS_PORT, REDIS_PID,
# REDIS_URL.  Extra arguments go to redis-server.
start_redis() {
	command -v redis-server >/dev/null || skip "redis-server not installed"
	REDIS_PORT=$(free_port)
	mkdir -p "$T/redis"
	redis_serve "$@"
	# shellcheck disable=SC2034 # for the tests that source this file
	REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
	wait_for 10 redis-cli -p "$REDIS_PORT" ping || fail "redis did not start"
}

# redis_serve ARGS...: a redis-server on $REDIS_PORT, data in $T/redis,
# in the background; sets REDIS_PID.  Extra arguments go to redis-server.
redis_serve() {
	redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' \
	    --appendonly no --dir "$T/redis" --daemonize no \
	    --logfile "$T/redis/log" "$@" &
	REDIS_PID=$!
	track "$REDIS_PID"
}

rcli() { redis-cli -p "$REDIS_PORT" "$@"; }

# rdeltas KEY [PORT]: the lines of a C.deltas string, one a line (tickpipe(7))
rdeltas() { redis-cli -p "${2:-$REDIS_PORT}" get "$1" | sed '/^$/d'; }

# ms: milliseconds since the epoch
ms() { echo $(($(date +%s%N) / 1000000)); }

# SHM: the shared-memory file of the ring $RING
# shellcheck disable=SC2034 # for the tests that source this file
SHM=/dev/shm/tickpipe.$RING

# small_asan_quarantine: a small ASan quarantine, so that the RSS of a
# program built with make SAN=1 means something (freed memory is kept)
small_asan_quarantine() {
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4"
	export ASAN_OPTIONS
}
