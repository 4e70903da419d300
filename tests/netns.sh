# shellcheck shell=sh
# tests/netns.sh: simulated hosts for the multi-host tests, sourced after
# tests/lib.sh.  Where this machine lets the test make network namespaces
# (root, `ip netns add` works), each host is a namespace of its own with
# its own address, 10.211.0.N/24 on eth0, linked by a veth pair to a
# bridge in the test's "switch" namespace: the hosts reach each other
# only through that bridge, never through the machine's loopback, and
# the network is private to the test (two tests running at once each
# have their own 10.211.0.0/24).  Elsewhere every host is 127.0.0.1 and
# the hosts are told apart by their ports.
#
#   netns_init       picks the mode (TP_NETNS=0 forces loopback) and
#                    says which (note); sets NETNS to 1 or 0
#   host NAME        makes host NAME; sets addr_NAME (and ns_NAME)
#   on NAME CMD...   runs CMD on host NAME, in the foreground
#   at NAME          prints the words that run a command on host NAME,
#                    for one started in the background with its pid kept:
#                    `$(at h) prog ... &` then `track $!` (ip netns exec
#                    execs prog: the pid is prog's)
#   netns_cleanup    deletes the namespaces (and so their links)
#
# The EXIT trap stops the tracked processes first (tp_cleanup), then
# deletes the namespaces, so that a failing test leaves none behind.  A
# test that replaces the trap must call netns_cleanup last itself.

NETNS=0 _nn_list='' _nn_n=1 _nn_sw=''

netns_init() {
	NETNS=0
	if [ "${TP_NETNS:-1}" != 0 ] && command -v ip >/dev/null &&
	    ip netns add "tp$$-sw" 2>/dev/null; then
		NETNS=1 _nn_sw=tp$$-sw
		_nn_list=$_nn_sw
		netns_reap
		ip -n "$_nn_sw" link add br0 type bridge &&
		    ip -n "$_nn_sw" link set br0 up ||
		    fail "cannot make the bridge in $_nn_sw"
		note "hosts: network namespaces tp$$-*, 10.211.0.0/24 on a bridge"
	else
		note "hosts: loopback 127.0.0.1, one port per server (no network namespaces${TP_NETNS:+: TP_NETNS=$TP_NETNS})"
	fi
}

# netns_reap: namespaces of earlier tests (tpPID-NAME) whose shell is gone,
# left by a test killed before its trap ran.
netns_reap() {
	for _nn in $(ip netns list 2>/dev/null | sed -n 's/^\(tp[0-9][0-9]*-[^ ]*\).*/\1/p'); do
		_nn_p=${_nn#tp}
		_nn_p=${_nn_p%%-*}
		kill -0 "$_nn_p" 2>/dev/null || ip netns del "$_nn" 2>/dev/null
	done
}

# host NAME: a host; its address is addr_NAME.
host() {
	if [ "$NETNS" = 0 ]; then
		eval "addr_$1=127.0.0.1 ns_$1=''"
		return
	fi
	_nn_n=$((_nn_n + 1))
	[ "$_nn_n" -lt 255 ] || fail "too many hosts"
	_nn=tp$$-$1
	ip netns add "$_nn" || fail "cannot make namespace $_nn"
	_nn_list="$_nn $_nn_list"
	# the pair is made in the switch namespace (names there are the
	# test's own), and its other end moved into the host as eth0
	ip -n "$_nn_sw" link add "v$_nn_n" type veth peer name eth0 netns "$_nn" &&
	    ip -n "$_nn_sw" link set "v$_nn_n" master br0 up &&
	    ip -n "$_nn" link set lo up &&
	    ip -n "$_nn" addr add "10.211.0.$_nn_n/24" dev eth0 &&
	    ip -n "$_nn" link set eth0 up ||
	    fail "cannot link host $1 to the bridge"
	eval "addr_$1=10.211.0.$_nn_n ns_$1=\$_nn"
}

on() {
	eval "_nn_on=\${ns_$1:-}"
	shift
	if [ -n "$_nn_on" ]; then
		ip netns exec "$_nn_on" "$@"
	else
		"$@"
	fi
}

at() { eval "[ -z \"\${ns_$1:-}\" ] || echo ip netns exec \"\$ns_$1\""; }

netns_cleanup() {
	for _nn in $_nn_list; do ip netns del "$_nn" 2>/dev/null; done
	_nn_list=''
}
trap 'tp_cleanup; netns_cleanup' EXIT
