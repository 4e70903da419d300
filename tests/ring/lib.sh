# shellcheck shell=sh
# tests/ring/lib.sh: sourced by the ring recovery tests
# (tests/t-ring-writer-*.sh) after lib.sh.

# stat_field RING FIELD: one field of `shmreader --stat`
stat_field() {
	"$BIN/shmreader" --ring "$1" --stat 2>/dev/null | sed -n "s/^$2: //p"
}

# recreated_then_data WHY FILE: FILE, what a shmreader printed, holds the
# status record "ring recreated after WHY", then 1000 data messages.
recreated_then_data() {
	awk -v why="\"status\":\"info\",\"reason\":\"ring recreated after $1" '
		index($0, why) { seen = 1; next }
		seen && /"type":"(trade|book_)/ { n++ }
		END { exit !(n >= 1000) }' "$2"
}

# stopped_cleanly WHAT PID: SIGTERM to PID, which must exit 0.
stopped_cleanly() {
	kill -TERM "$2"
	wait "$2"
	assert_eq "$1 exit status after SIGTERM" 0 "$?"
}
