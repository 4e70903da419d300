#!/bin/sh
# run-brief.sh: runs each libFuzzer target briefly (FUZZ_SECONDS, default
# 10) as part of make check; `make fuzz` runs them for 60 s.
. "$(dirname "$0")/../lib.sh"
command -v clang >/dev/null || skip "clang not installed"
for f in fuzz_jsonl fuzz_dec fuzz_jtok fuzz_httphead fuzz_wshandshake; do
	[ -x "$BIN/fuzz/$f" ] || fail "$BIN/fuzz/$f not built"
	mkdir -p "$T/$f"
	seed=$TESTS/seed-${f#fuzz_}
	[ -d "$seed" ] || seed=$TESTS/seed
	"$BIN/fuzz/$f" -max_total_time="${FUZZ_SECONDS:-10}" -max_len=4096 \
	    "$T/$f" "$seed" >"$T/$f.log" 2>&1 ||
	    { tail -n 30 "$T/$f.log"; fail "$f found a crash"; }
	note "$f: $(grep -c . "$T/$f.log") log lines, $(ls "$T/$f" | wc -l) corpus entries"
done
