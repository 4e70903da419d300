# shellcheck shell=sh
# tests/wsgate/dns.sh: sourced after lib.sh (with TP_MOUNTS=private) by
# the tests of host-name lookups: name servers of their own (dns.py)
# and the /etc/resolv.conf and /etc/hosts of the test's mount namespace.

# dns_start NAME [HOST=IPV4...]: dns.py as $T/NAME.{addr,log,err},
# answering the HOSTs and silent for any other name
dns_start() {
	_ds=$1
	shift
	/usr/bin/python3 "$TESTS/wsgate/dns.py" "$T/$_ds.addr" "$@" \
	    >"$T/$_ds.log" 2>"$T/$_ds.err" &
	track $!
	wait_for 10 test -s "$T/$_ds.addr" ||
	    fail "dns.py did not listen: $(cat "$T/$_ds.err")"
}

# dns_resolv NAME OPTIONS: $T/resolv.conf names NAME's server, with
# resolv.conf's OPTIONS (written in place: a bind mount holds the inode)
dns_resolv() {
	printf 'nameserver %s\noptions %s\n' "$(cat "$T/$1.addr")" "$2" \
	    >"$T/resolv.conf"
}

# dns_mount NAME OPTIONS: /etc/resolv.conf as dns_resolv's, /etc/hosts
# naming localhost alone: $T/resolv.conf and $T/hosts bind-mounted
dns_mount() {
	dns_resolv "$1" "$2"
	printf '127.0.0.1 localhost\n' >"$T/hosts"
	mount --bind "$T/resolv.conf" /etc/resolv.conf ||
	    skip "cannot bind-mount /etc/resolv.conf"
	mount --bind "$T/hosts" /etc/hosts || skip "cannot bind-mount /etc/hosts"
}
