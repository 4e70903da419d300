# shellcheck shell=sh
# tests/redispub/rp.sh: sourced by the t-redispub-*.sh tests, after
# lib.sh.  Names the programs and gives small helpers.
RP=$BIN/redispub
GEN=$BIN/tests/rp-gen
SUB=$BIN/tests/rp-sub
for _p in "$RP" "$GEN" "$SUB"; do
	[ -x "$_p" ] || fail "$_p not built"
done

# book ARGS...: the expectation helper (see book.py)
book() { /usr/bin/python3 "$TESTS/redispub/book.py" "$@"; }

# subscribed N: true when Redis counts N channel + pattern subscriptions
subscribed() {
	[ "$(( $(rcli pubsub numpat) + $(rcli pubsub channels | grep -c .) ))" -ge "$1" ]
}

# publish_in SUBS: once Redis counts SUBS subscriptions, redispub
# publishes all of $T/in (stderr in $T/err) and must exit 0.
publish_in() {
	wait_for 10 subscribed "$1" || fail "subscribers did not subscribe"
	"$RP" -u "$REDIS_URL" <"$T/in" 2>"$T/err" ||
	    { _pi_rc=$?; cat "$T/err"; fail "redispub exited $_pi_rc"; }
}

# counter NAME FILE: NAME=VALUE from redispub's last "exiting:" line
counter() {
	sed -n "s/.*exiting:.* $1=\\([0-9]*\\).*/\\1/p" "$2" | tail -n 1
}

