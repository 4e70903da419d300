#!/bin/sh
# part-tardis.sh: venue normalization beside the Tardis normalizers (npm
# tardis-dev, pinned in bench/tardis/package.json and its lockfile,
# installed under $BIN/bench/tardis), on the same recorded messages
# (tests/fixtures/venues/, real captures): tardis-dev's trade and book
# change mappers plus its OrderBook (bench/tardis/normalize.js) and the
# collector's adapter: parser, book, integrity check, ring
# (bench/venues.c -f).  Messages per CPU second of each; goal 20x.
# Kraken: tardis-dev maps the v1 frames as recorded; the collector speaks
# v2 and gets the same frames re-framed as v2 (tests/mock/kraken_v1to2.py).
# tardis-dev verifies no Kraken checksum, so a second collector row runs
# without it (venues -C): the same work on both sides.
# Both sides are measured warm: repetitions not counted first, WARM_MS of
# CPU time each (V8's JIT keeps speeding tardis-dev up for about a second:
# counted from its second repetition, as before 71ea461, it ran at 60 %
# of its speed; the collector needs it less, for its caches and the
# ring's pages), then about one CPU second counted.
# Under each venue's first collector row, what the JSON check alone costs
# a frame: the scanner's jt_pick (bench/json, picking one name; the check
# is the cost) on the collector's frames, as a share of that row's time a
# frame and of the time a frame may take in all at 20x tardis-dev; and
# the same check by simdjson, the fastest JSON parser we know of (SIMD),
# beside the scanner's jt_parse (bench/jsonsimd).
set -u
: "${BIN:?}"
dir=$(cd "$(dirname "$0")" && pwd)
fx=$dir/../tests/fixtures/venues
prog=$BIN/bench/venues
[ -x "$prog" ] || { echo "part-tardis: $prog not built" >&2; exit 1; }
for p in json jsonsimd; do
	[ -x "$BIN/bench/$p" ] || { echo "part-tardis: $BIN/bench/$p not built" >&2; exit 1; }
done
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "| venues vs tardis | not run: no node/npm | | | no |"
	exit 0
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM

# tardis-dev from the npm registry, at the locked version
nm=$BIN/bench/tardis
mkdir -p "$nm"
if ! cmp -s "$dir/tardis/package-lock.json" "$nm/package-lock.json" ||
    ! [ -d "$nm/node_modules/tardis-dev" ]; then
	cp "$dir/tardis/package.json" "$dir/tardis/package-lock.json" "$nm/"
	(cd "$nm" && npm ci --no-audit --no-fund >"$T/npm.log" 2>&1) || {
		echo "part-tardis: npm ci failed: $(tail -n 1 "$T/npm.log")" >&2
		exit 1
	}
fi
tver=$(node -p 'require(process.argv[1]).version' "$nm/node_modules/tardis-dev/package.json")

for f in "$fx"/*.jsonl.xz; do
	xz -dc "$f" >"$T/$(basename "$f" .xz)" || exit 1
done
/usr/bin/python3 "$dir/../tests/mock/kraken_v1to2.py" \
    "$fx/kraken_v1_book_20210417.jsonl.xz" "$T/kraken_v2.jsonl" || {
	echo "part-tardis: kraken_v1to2.py failed" >&2
	exit 1
}

WARM_MS=1500
# venue, capture for tardis-dev, capture for the collector, --depth (as
# the replay tests), counted repetitions (collector, tardis-dev: about a
# CPU second each), symbols
while read -r venue tcap ccap depth creps treps syms; do
	# shellcheck disable=SC2086
	c=$("$prog" -w "$WARM_MS" -f "$T/$ccap" -d "$depth" -r "$creps" "$venue" $syms 2>"$T/venues.err") || {
		echo "part-tardis: $venue: $(tail -n 1 "$T/venues.err")" >&2
		continue
	}
	# shellcheck disable=SC2086
	set -- $c
	cmsgs=$2 ccpu=$3 crate=$5
	frames=$((cmsgs / creps))
	t=$(NODE_PATH=$nm/node_modules node "$dir/tardis/normalize.js" "$T/$tcap" "$venue" "$treps" "$WARM_MS" 2>"$T/node.err")
	trc=$?
	what="$venue, $(basename "$ccap" .jsonl) ($frames frames)"
	if [ "$trc" = 65 ]; then
		echo "| venues vs tardis | $what: tardis-dev $tver | not mapped: $(tail -n 1 "$T/node.err" | sed 's/^normalize.js: //') | | |"
		echo "| venues vs tardis | $what: collector parse+book+check+ring ($cmsgs msgs, $ccpu s CPU) | $crate msg/CPU-s, no peer to compare | >= 20x tardis-dev | no |"
		continue
	elif [ "$trc" != 0 ]; then
		echo "part-tardis: $venue: tardis-dev: $(tail -n 1 "$T/node.err")" >&2
		continue
	fi
	# shellcheck disable=SC2086
	set -- $t
	echo "| venues vs tardis | $what: tardis-dev $tver normalizeTrades + book changes + OrderBook, $(basename "$tcap" .jsonl) ($2 msgs, $3 s CPU, $6 trades and book changes a pass) | $5 msg/CPU-s | | |"
	trate=$5
	echo "$crate $trate" | awk -v what="$what" -v n="$cmsgs" -v cpu="$ccpu" '{
		x = $1 / $2
		printf "| venues vs tardis | %s: collector parse+book+check+ring (%d msgs, %s s CPU) | %d msg/CPU-s = %.1fx tardis-dev | >= 20x | %s |\n", what, n, cpu, $1, x, (x >= 20) ? "yes" : "no" }'
	# the frames' and REST bodies' texts, one a line, for bench/json
	if ! /usr/bin/python3 -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get("t") in ("recv", "rest"):
        print(r["text"].replace("\n", " "))' "$T/$ccap" >"$T/frames" ||
	    ! j=$("$BIN/bench/json" -k data "$T/frames"); then
		echo "part-tardis: $venue: bench/json failed" >&2
	else
		# shellcheck disable=SC2086
		set -- $j
		echo "$3 $crate $trate" | awk -v what="$what" -v b="$2" '{
			budget = 1e9 / (20 * $3)
			printf "| venues vs tardis | %s: of which the JSON check alone (jt_pick of one name, %d bytes a frame) | %.0f ns a frame = %.0f %% of the collector'"'"'s %.0f ns; %.0f %% of the %.0f ns a frame may take at 20x | | |\n", what, b, $1, 100 * $1 * $2 / 1e9, 1e9 / $2, 100 * $1 / budget, budget }'
		# the same check by simdjson, in alternate rounds with jt_parse
		if s=$("$BIN/bench/jsonsimd" "$T/frames" 2>"$T/simd.err"); then
			# shellcheck disable=SC2086
			set -- $s
			echo "$3 $4 $trate" | awk -v what="$what" -v ver="$5" -v k="$6" '{
				budget = 1e9 / (20 * $3)
				printf "| venues vs tardis | %s: the same check by simdjson %s (dom::parser::parse, %s kernel), beside jt_parse | simdjson %.0f ns a frame = %.0f %% of the %.0f ns at 20x; jt_parse %.0f ns | | |\n", what, ver, k, $2, 100 * $2 / budget, budget, $1 }'
		else
			echo "part-tardis: $venue: bench/jsonsimd: $(tail -n 1 "$T/simd.err")" >&2
		fi
	fi
	[ "$venue" = kraken ] || continue
	# shellcheck disable=SC2086
	c=$("$prog" -C -w "$WARM_MS" -f "$T/$ccap" -d "$depth" -r "$creps" "$venue" $syms 2>"$T/venues.err") || {
		echo "part-tardis: $venue -C: $(tail -n 1 "$T/venues.err")" >&2
		continue
	}
	# shellcheck disable=SC2086
	set -- $c
	echo "$5 $trate" | awk -v what="$what" -v n="$2" -v cpu="$3" '{
		x = $1 / $2
		printf "| venues vs tardis | %s: collector parse+book+ring without the checksum, as tardis-dev (%d msgs, %s s CPU) | %d msg/CPU-s = %.1fx tardis-dev | >= 20x | %s |\n", what, n, cpu, $1, x, (x >= 20) ? "yes" : "no" }'
done <<EOF2
coinbase coinbase_advtrade_20260809.jsonl coinbase_advtrade_20260809.jsonl 1000 40 1 BTC-USD ETH-USD
bybit bybit_spot_20260809.jsonl bybit_spot_20260809.jsonl 200 1400 375 BTC-USDT ETH-USDT
binance binance_depth_20211011.jsonl binance_depth_20211011.jsonl 500 1800 300 NKN-USDT BLZ-ETH LRC-BTC RUNE-EUR
kraken kraken_v1_book_20210417.jsonl kraken_v2.jsonl 1000 220 60 ADA-BTC BTC-CHF ETH-CHF GRT-ETH KSM-BTC OCEAN-BTC OMG-USD SC-EUR WAVES-EUR XMR-USD
EOF2
