# shellcheck shell=sh
# tests/supervisor/sv.sh: sourced by tests/t-supervisor-*.sh after lib.sh.
# Gives tp (the tickpipe script under test, with a private config and
# state directory in $T, a private Redis port and the test's $RING) and
# tp_start, run_tmpfs (a tmpfs on STATE/run), run_inodes_taken (run/ out of
# inodes), stage_state/stage_pids/victim (read from the state files),
# pipeline_restarted (waits out a pipeline restart), data_flows (a Redis
# subscriber sees pipeline messages), sv_auth (a command with the private
# Redis's password in REDISCLI_AUTH), and a cleanup that stops the
# supervisor even when the test fails.

for _p in collector shmreader redispub; do
	[ -x "$BIN/$_p" ] || skip "$_p not built in $BIN"
done
command -v redis-server >/dev/null || skip "redis-server not installed"
command -v redis-cli >/dev/null || skip "redis-cli not installed"
command -v s6-log >/dev/null || skip "s6-log not installed (Debian package s6)"
unset TICKPIPE_STATE TICKPIPE_BIN TICKPIPE_CONFIG

TP_SCRIPT=$TOP/supervisor/tickpipe
CONF=$T/tickpipe.conf
STATE=$T/state
SECRET=$STATE/redis.password
REDIS_PORT=$(free_port)
WS_PORT=$(free_port)

# write_conf [LINE...]: the test's config; extra KEY=value lines last.
# shellcheck disable=SC2120 # called with and without extra lines
write_conf() {
	cat >"$CONF" <<-EOF
	# written by $(basename "$0")
	STATE_DIR=$STATE
	BIN_DIR=$BIN
	RING=$RING
	REDIS_PORT=$REDIS_PORT
	WSGATE_LISTEN=127.0.0.1:$WS_PORT
	FEED=sim --rate 2000
	REDISPUB_ARGS=--stats-interval 1
	READY_TIMEOUT=30
	EOF
	for _l in "$@"; do echo "$_l" >>"$CONF"; done
}
write_conf ""

tp() { sh "$TP_SCRIPT" -c "$CONF" "$@"; }

# tp_start: `tickpipe start`, its output in $T/out; fails the test
# (showing the output) if it does not bring every stage up
tp_start() {
	tp start >"$T/out" 2>&1 && return
	_rc=$?
	cat "$T/out"
	fail "tickpipe start exited $_rc"
}

sv_cleanup() {
	[ -d "$STATE" ] && tp stop >/dev/null 2>&1
	# in case the state dir is gone: our supervisor, by its unique config
	for _p in $(pgrep -f -- "tickpipe -c $CONF run"); do
		kill -TERM "$_p"
	done
	tp_cleanup
}
trap sv_cleanup EXIT

# run_tmpfs SIZE: STATE (new) with a tmpfs of SIZE on STATE/run, for a
# test run in a private mount namespace (TP_MOUNTS=private); skips where
# none can be mounted.  At exit, the supervisor is stopped and the tmpfs
# unmounted, made writable again first, as a test may have made it
# read-only (mount -o remount,bind,ro) and `tp stop` needs it writable.
run_tmpfs() {
	trap 'mount -o remount,bind,rw "$STATE/run" 2>/dev/null; tp stop >/dev/null 2>&1; tp_cleanup_umount "$STATE/run"' EXIT
	mkdir -m 755 "$STATE"
	mkdir -m 700 "$STATE/run"
	mount -t tmpfs -o "size=$1,mode=700" tmpfs "$STATE/run" ||
	    skip "cannot mount a tmpfs on $STATE/run"
}

# run_inodes_taken: the tmpfs of run_tmpfs limited to the inodes it
# holds, any left taken by empty files: run/ takes no new file
run_inodes_taken() {
	_ru=$(df -Pi "$STATE/run" | awk 'NR == 2 { print $3 }')
	mount -o "remount,nr_inodes=$_ru" "$STATE/run" ||
	    fail "cannot limit $STATE/run to the $_ru inodes it holds"
	_ri=0
	while [ "$_ri" -lt 100 ] && (: >"$STATE/run/fill.$_ri") 2>/dev/null; do
		_ri=$((_ri + 1))
	done
	[ "$_ri" -lt 100 ] || fail "$STATE/run not out of inodes"
}

# tp_run_up: `tickpipe run` in the background, its output in $T/run.out,
# tracked, and waited for until its log ($L) says every stage is up;
# fails the test else
tp_run_up() {
	tp run >"$T/run.out" 2>&1 &
	track $!
	wait_for 60 grep -q "all stages up" "$L" ||
	    fail "not every stage up: $(tail -n 4 "$L")"
}

# stage_state STAGE / stage_pids STAGE: from STATE/run/STAGE.state
stage_state() { read -r _st _rest <"$STATE/run/$1.state" && echo "$_st"; }
stage_pids() {
	read -r _st _pi _rest <"$STATE/run/$1.state" && echo "$_pi" | tr , ' '
}
sup_pid() { read -r _p _rest <"$STATE/supervisor.pid" && echo "$_p"; }

# stand_in PROG: $T/bin holds BIN's programs but PROG, which is the
# script on standard input (a config with BIN_DIR=$T/bin runs them)
stand_in() {
	mkdir -p "$T/bin"
	for _b in "$BIN"/*; do
		[ -f "$_b" ] && [ -x "$_b" ] && ln -sf "$_b" "$T/bin/"
	done
	rm -f "$T/bin/$1"
	cat >"$T/bin/$1"
	chmod +x "$T/bin/$1"
}

# logger_pid STAGE: the pid of the logger writing into log/STAGE: the
# tickpipe-logrelay in front of its s6-log, which ends with it (or the
# s6-log itself, run without a relay)
logger_pid() {
	while read -r _lp _ _ln; do
		case $_ln in s6-log | tickpipe-logrelay) ;; *) continue ;; esac
		case $(ps -p "$_lp" -o args=) in
		*"/log/$1") echo "$_lp"; return ;;
		esac
	done <"$STATE/run/log.pids"
}

# victim STAGE NAME: the pid of the process NAME of STAGE (STAGE.pids)
victim() { awk -v n="$2" '$3 == n { print $1 }' "$STATE/run/$1.pids"; }

# PIPE_NOTE: what the supervisor logs as it starts the pipeline's ring
# reader ('redispub --ring --from' with PIPELINE_READER=redispub)
PIPE_NOTE='shmreader --from'

# pipeline_starts: how many times the pipeline stage started its reader
pipeline_starts() { grep -c -- "$PIPE_NOTE" "$STATE/log/pipeline/current"; }

# pipeline_restarted SECONDS STARTS OLDPIDS: waits for the restart of the
# pipeline stage (more than STARTS starts logged: the restart is logged
# before its processes start, and the state file alone can look renewed
# mid-repair), then for it to be up with none of OLDPIDS.
pipeline_restarted() {
	wait_for "$1" sh -c "[ \$(grep -c -- '$PIPE_NOTE' '$STATE/log/pipeline/current') -gt $2 ]" ||
	    fail "pipeline not restarted"
	wait_for "$1" stage_renewed pipeline "$3" || fail "pipeline not repaired"
}

# last_from: where the pipeline's last reader started (its --from)
last_from() {
	grep -- "$PIPE_NOTE" "$STATE/log/pipeline/current" | tail -n 1 | sed 's/.*--from //'
}

# stage_renewed STAGE OLDPIDS: the stage is up again, and none of its
# processes is one of OLDPIDS
stage_renewed() {
	[ "$(stage_state "$1")" = up ] || return 1
	_new=$(stage_pids "$1")
	[ -n "$_new" ] && [ "$_new" != - ] || return 1
	for _o in $2; do
		case " $_new " in *" $_o "*) return 1 ;; esac
	done
}

all_up() { tp status >/dev/null 2>&1; }

# assert_all_up MSG: all_up, or fails with MSG and the stages not up,
# leaving the status and the end of each stage's log in the test's log
assert_all_up() {
	all_up && return 0
	tp status >"$T/status" 2>&1
	cat "$T/status" >&2
	for _f in "$STATE"/log/*/current; do
		echo "== $_f" >&2
		tail -n 20 "$_f" >&2
	done
	fail "$1: $(awk '/^supervisor: not/ { printf "%s; ", $0 }
	    /^STAGE/ { on = 1; next }
	    on && $2 ~ /^[a-z]+$/ && $2 !~ /^(up|disabled|external)$/ { printf "%s %s; ", $1, $2 }' "$T/status")"
}

# sv_auth CMD...: runs CMD (redis-cli, or a command that runs it) with
# the password the supervisor made for its private Redis, if it has.
sv_auth() {
	if [ -r "$SECRET" ]; then
		REDISCLI_AUTH=$(cat "$SECRET") "$@"
	else
		"$@"
	fi
}

# svcli ARGS...: redis-cli on the supervisor's private Redis
svcli() { sv_auth redis-cli -p "$REDIS_PORT" "$@"; }

# data_flows: a new Redis subscriber receives pipeline messages.
data_flows() {
	sv_auth timeout 3 redis-cli -p "$REDIS_PORT" --raw psubscribe 'md.sim.*' \
	    2>/dev/null | grep -q '"type":"'
}

# wsgate_enabled: wsgate is built, so the supervisor runs it.
wsgate_enabled() { [ -x "$BIN/wsgate" ]; }

# procs_of_test: pids of processes that belong to this test's pipeline
# (the derived pipeline's shmreader reads RING.derived).
procs_of_test() {
	pgrep -f -- "--ring $RING(\.derived)?( |\$)"
	pgrep -f -- "redis-server 127.0.0.1:$REDIS_PORT"
	pgrep -f -- "tickpipe -c $CONF"
	pgrep -f -- "127.0.0.1:$WS_PORT"
	pgrep -f -- " $STATE/log/"	# the loggers and their relays
}

# no_procs_left: fails (listing them) if processes of this test remain.
no_procs_left() {
	_left=$(procs_of_test | paste -sd , -)
	[ -z "$_left" ] || fail "left running: $(ps -o pid=,args= -p "$_left")"
}

# running PID: the process exists and is not a zombie (an orphan's zombie
# lingers until init reaps it).
running() {
	_stat=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case $_stat in Z*) return 1 ;; esac
}
