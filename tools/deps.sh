#!/bin/sh
# deps.sh PKG[@CMD]...: installs the Debian packages not yet installed, when run
# as root; otherwise prints the command to run.
set -u
# PKG@CMD: needed only if command CMD is missing (node and npm may come
# from elsewhere than Debian, and Debian's npm would conflict with them).
missing=""
for a in "$@"; do
	p=${a%%@*}
	case "$a" in
	*@*) command -v "${a#*@}" >/dev/null 2>&1 && continue ;;
	esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "tickpipe needs these Debian packages; run as root:" >&2
	echo "  apt-get install -y$missing" >&2
	exit 1
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
apt-get install -y -q $missing >/dev/null 2>&1 || {
	apt-get update -q >/dev/null 2>&1
	# shellcheck disable=SC2086
	apt-get install -y -q $missing
}
