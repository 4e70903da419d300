#!/bin/sh
# run-brief.sh: runs each libFuzzer target briefly (FUZZ_SECONDS, default
# 10) as part of make check; `make fuzz` runs them for 60 s.  FUZZ_ARGS
# adds libFuzzer flags.  An input that crashes a target is kept as
# $BIN/fuzz/artifacts/TARGET-crash-* (never in the current directory).
. "$(dirname "$0")/../lib.sh"
command -v clang >/dev/null || skip "clang not installed"
art="$BIN/fuzz/artifacts"
mkdir -p "$art"
# every target with a source in tests/fuzz/
for src in "$TESTS"/fuzz_*.c; do
	f=$(basename "$src" .c)
	[ -x "$BIN/fuzz/$f" ] || fail "$BIN/fuzz/$f not built"
	mkdir -p "$T/$f"
	# fuzz_venue's ring is a file there, left by a crash: $T goes;
	# -close_fd_mask=2: not what the targets log (fuzz_venue a million
	# lines in 10 s), but still the sanitizers' reports
	# shellcheck disable=SC2086 # FUZZ_ARGS: extra libFuzzer flags, words
	FUZZ_RING_DIR=$T "$BIN/fuzz/$f" -max_total_time="${FUZZ_SECONDS:-10}" -max_len=4096 \
	    -close_fd_mask=2 \
	    -artifact_prefix="$art/$f-" ${FUZZ_ARGS:-} \
	    "$T/$f" "$TESTS/seed" >"$T/$f.log" 2>&1 ||
	    { tail -n 30 "$T/$f.log"; fail "$f found a crash: input kept in $(ls -t "$art/$f-"* 2>/dev/null | head -n 1)"; }
	note "$f: $(grep -c . "$T/$f.log") log lines, $(ls "$T/$f" | wc -l) corpus entries"
done
