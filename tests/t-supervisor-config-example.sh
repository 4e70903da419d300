#!/bin/sh
# t-supervisor-config-example: supervisor/tickpipe.conf.example documents
# every key tickpipe accepts, and with every key uncommented it parses
# (status runs, exit 3: not running, rather than 78); tickpipe(8) names
# every key too.
# shellcheck disable=SC1091
. "$(dirname "$0")/lib.sh"

ex=$TOP/supervisor/tickpipe.conf.example
# shellcheck disable=SC2016 # a literal $ in the sed pattern
keys=$(sed -n 's/^CONFIG_KEYS="\(\$CONFIG_KEYS \)\{0,1\}\([A-Z_ ]*\)"$/\2/p' "$TOP/supervisor/tickpipe")
[ "$(echo "$keys" | wc -w)" -ge 20 ] || fail "could not read CONFIG_KEYS: $keys"
for k in $keys; do
	grep -q "^#$k=" "$ex" || fail "$k not in $ex"
	grep -qw "$k" "$TOP/man/tickpipe.8" || fail "$k not in tickpipe.8"
done
sed 's/^#\([A-Z_]*=\)/\1/' "$ex" >"$T/all.conf"
TICKPIPE_STATE=$T/state sh "$TOP/supervisor/tickpipe" -c "$T/all.conf" status >"$T/out" 2>&1
rc=$?
assert_eq "status with every documented key set ($(head -n 1 "$T/out"))" 3 "$rc"
note "$(echo "$keys" | wc -w) keys documented and accepted"
