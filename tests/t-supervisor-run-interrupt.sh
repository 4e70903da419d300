#!/bin/sh
# t-supervisor-run-interrupt: `tickpipe run` in the foreground prints where
# to look once up; Ctrl-C (SIGINT to its whole process group, as a
# terminal sends it) stops every stage and the supervisor exits 0 leaving
# no process and no lock.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

# a new session with default SIGINT handling, like a terminal's job
/usr/bin/python3 - "$TP_SCRIPT" "$CONF" "$T/run.out" <<'PY' &
import os, signal, subprocess, sys, time
script, conf, out = sys.argv[1:4]
p = subprocess.Popen(["sh", script, "-c", conf, "run"],
                     stdout=open(out, "w"), stderr=subprocess.STDOUT,
                     start_new_session=True,
                     # we may run in the background, where SIGINT is ignored
                     preexec_fn=lambda: signal.signal(signal.SIGINT,
                                                      signal.SIG_DFL))
deadline = time.time() + 60
while time.time() < deadline and "dashboard" not in open(out).read() \
        and "live messages" not in open(out).read():
    time.sleep(0.1)
time.sleep(0.5)
os.killpg(p.pid, signal.SIGINT)
try:
    rc = p.wait(timeout=60)
except subprocess.TimeoutExpired:
    p.kill()
    rc = "timeout"
open(out + ".rc", "w").write(str(rc))
PY
py=$!
track $py
wait_for 60 test -s "$T/run.out.rc" || fail "run did not exit after SIGINT: $(cat "$T/run.out")"
grep -q "live messages: *REDISCLI_AUTH=\$(cat $SECRET) redis-cli -s $STATE/run/redis.sock " "$T/run.out" ||
    fail "run did not say where to look: $(cat "$T/run.out")"
assert_eq "exit status of run after SIGINT" 0 "$(cat "$T/run.out.rc")"
no_procs_left
[ ! -e "$STATE/supervisor.pid" ] || fail "lock (pid file) left behind"
note "$(grep -c ': up (pid' "$T/run.out") stages up, all gone after SIGINT"
