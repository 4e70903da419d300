#!/bin/sh
# t-supervisor-roles-config: a config whose ROLES contradict its other
# keys (tickpipe(8), ROLES) is refused by `tickpipe check` (and every
# other command) with exit 78 and one line naming what is wrong, before
# anything is started or created; consistent role configs are accepted.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
. "$TESTS/supervisor/sv.sh"

# refused WHAT MESSAGE LINE...: check exits 78 with one line, MESSAGE in it
refused() {
	_what=$1 _msg=$2
	shift 2
	write_conf "$@"
	tp check >"$T/out" 2>&1
	assert_eq "exit status for $_what" 78 "$?"
	assert_eq "lines printed for $_what" 1 "$(wc -l <"$T/out")"
	grep -qF -- "$_msg" "$T/out" || fail "$_what: $(cat "$T/out")"
	[ ! -e "$STATE" ] || fail "$_what: state dir created despite the config error"
}
refused "a gateway without Redis" \
    "ROLES=gateway: no redis role here and no REDIS_URL" "ROLES=gateway"
refused "a collector without Redis" \
    "no redis role here and no REDIS_URL" "ROLES=collector"
refused "redis here and REDIS_URL" \
    "runs redis here, but REDIS_URL names another Redis" \
    "ROLES=redis,gateway" "REDIS_URL=redis://10.0.0.1:6379"
refused "an unknown role" "unknown role gatway" "ROLES=collector gatway,redis"
refused "empty roles" "ROLES is empty" "ROLES=,"
refused "a lease without a collector" "LEASE=md.lease is for a collector host" \
    "ROLES=redis" "LEASE=md.lease"
refused "WSGATE=no on a gateway" "has gateway, but WSGATE=no" \
    "ROLES=gateway,redis" "WSGATE=no"
refused "WSGATE=yes without one" "WSGATE=yes, but ROLES=redis,collector has no gateway" \
    "ROLES=redis,collector" "WSGATE=yes"
refused "a bind without Redis" "this host runs no Redis" \
    "ROLES=gateway" "REDIS_URL=redis://10.0.0.1:6379" "REDIS_BIND=0.0.0.0"
refused "a password file without REDIS_URL" "REDIS_PASSWORD_FILE is for the Redis of REDIS_URL" \
    "REDIS_PASSWORD_FILE=/etc/tickpipe/redis.password"
refused "a bad Sentinel URL" "REDIS_URL:" \
    "ROLES=gateway" "REDIS_URL=sentinel://10.0.0.1:26379"

# accepted LINE...: the config passes (status: 3, not running; not 78)
accepted() {
	write_conf "$@"
	tp status >"$T/out" 2>&1
	assert_eq "status of a consistent config ($*)" 3 "$?"
	rm -rf "$STATE"
}
accepted "ROLES=gateway" "REDIS_URL=sentinel://10.0.0.1:26379,10.0.0.2/tp"
grep -q "^roles: gateway on this host" "$T/out" || fail "status roles: $(cat "$T/out")"
grep -q "^  redis: *elsewhere, sentinel://10.0.0.1:26379,10.0.0.2:26379/tp" "$T/out" ||
    fail "status does not say where the Redis is: $(cat "$T/out")"
accepted "ROLES=collector" "REDIS_URL=redis://10.0.0.1:6379" "LEASE=md.lease"
accepted "ROLES=redis" "REDIS_BIND=127.0.0.1 ::1"
accepted "REDIS_URL=redis://10.0.0.1:6379"
accepted ""
note "11 contradictory role configs refused with one line each, 5 accepted"
