#!/usr/bin/env bash
# bench/profile.sh: where bq-logs and bq-cost spend their instructions, the
# measurements behind BENCHMARKS.md's "what limits each figure".  Not part of
# make bench or make check; needs valgrind (callgrind) and a build.
#
#   bash bench/profile.sh [RECORDS]     (default 2000)
#
# Generates a small world with tests/data/gen_world.py (fixed anchor, seed 1),
# then counts instructions (valgrind --tool=callgrind) of
#   1. bq-logs --file over the world's gzip log objects (gunzip, parse,
#      normalise, print),
#   2. bq-cost estimate --by model over the same records as bq-logs
#      --no-bodies prints them,
#   3. jq -c . and the jq cost program over the same inputs, for scale,
# and prints each run's total and its top functions, inclusive, as % of the
# run's instructions, then the top functions by self cost.  libjansson.so
# ships without symbols, so when libjansson.a is there (libjansson-dev) the
# two bq tools are relinked against it into the temp dir (nothing in build/
# changes) and jansson's internals (lex_scan, stream_get, ...) show by name.
# The cost input is the world's records repeated 10 times.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BQ_BUILD:-$TOP/build}/bin
N=${1:-2000}
command -v valgrind >/dev/null || { echo "profile: needs valgrind" >&2; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/bq-profile.XXXXXX")
trap 'rm -rf "$W"' EXIT
export HOME=$W LC_ALL=C TZ=UTC AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_ENDPOINT_URL AWS_PROFILE

python3 "$TOP/tests/data/gen_world.py" --out "$W/world" --records "$N" --hours 1 \
	--anchor 2026-11-01T00:00:00Z --quiet
find "$W/world/s3" -name '*.json.gz' -not -path '*/data/*' -path '*BedrockModelInvocationLogs*' |
	sort >"$W/objects"
args=()
while read -r f; do args+=(--file "$f"); done <"$W/objects"
win=(--since 2026-10-31T00:00:00Z --until 2026-11-01T00:00:00Z)
"$BIN/bq-logs" -q --no-profile-lookup --no-bodies "${win[@]}" --file "$W/world/invocations.ndjson" >"$W/cost.ndjson"
for _ in 1 2 3 4 5 6 7 8 9 10; do cat "$W/cost.ndjson"; done >"$W/cost10.ndjson"
mv "$W/cost10.ndjson" "$W/cost.ndjson"
"$BIN/bq-cost" prices >"$W/prices.ndjson"

# bq tools with jansson linked statically, when its archive is there
PBIN=$BIN
JA=$(pkg-config --variable=libdir jansson 2>/dev/null || echo /usr/lib/x86_64-linux-gnu)/libjansson.a
if [ -f "$JA" ] && [ -f "${BQ_BUILD:-$TOP/build}/libbq.a" ]; then
	PBIN=$W/bin
	mkdir -p "$PBIN"
	libs="$(pkg-config --libs libcurl openssl expat zlib) $(pkg-config --libs libjq 2>/dev/null || echo -ljq -lonig)"
	for t in logs cost; do
		# shellcheck disable=SC2086
		cc -std=c11 -O2 -g -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DBQ_VERSION='"profile"' \
			-I"$TOP/lib" -o "$PBIN/bq-$t" "$TOP/cmd/bq-$t.c" "${BQ_BUILD:-$TOP/build}/libbq.a" \
			"$JA" $libs -lm -lpthread || { PBIN=$BIN; break; }
	done
fi
[ "$PBIN" = "$BIN" ] && echo "(jansson internals not resolved: no libjansson.a)"
xargs zcat <"$W/objects" >"$W/raw.ndjson"
bytes=$(wc -c <"$W/raw.ndjson")
echo "input: $N records, $(wc -l <"$W/objects") objects, $bytes bytes uncompressed;" \
	"cost input $(wc -c <"$W/cost.ndjson") bytes"

# prof NAME STDIN BYTES CMD...: callgrind CMD; print its total, the top
# named functions by inclusive share, and (with perf) the share per library
prof() {
	local name=$1 in=$2 inbytes=$3; shift 3
	valgrind -q --tool=callgrind --callgrind-out-file="$W/cg.$name" "$@" <"$in" >/dev/null 2>"$W/err.$name" ||
		{ echo "profile: $name failed:"; tail -5 "$W/err.$name"; return 1; }
	local total
	total=$(callgrind_annotate "$W/cg.$name" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}')
	echo
	echo "== $name: $total instructions, $(awk -v t="$total" -v b="$inbytes" 'BEGIN {printf "%.0f", t / b}') per input byte"
	echo "   inclusive  function"
	callgrind_annotate --inclusive=yes "$W/cg.$name" 2>/dev/null |
		awk -v t="$total" '/^ *[0-9,]+ .*:/ {
			n = $1; gsub(",", "", n); $1 = ""; sub(/^ +/, "");
			sub(/ \[[^]]*\]$/, ""); sub(/^\([ 0-9.]+%\) /, "");
			f = $0; sub(/.*:/, "", f); sub(/\.(part|constprop|isra)\..*/, "", f);
			if (f ~ /^0x|below main|^__libc_start|^main$|^_start|\x27/ || seen[f]++) next;
			printf "   %6.1f%%   %s\n", 100 * n / t, f; if (++k == 16) exit }'
	echo "   self       function"
	callgrind_annotate "$W/cg.$name" 2>/dev/null |
		awk -v t="$total" '/^ *[0-9,]+ .*:/ && !/PROGRAM TOTALS/ {
			n = $1; gsub(",", "", n); $1 = ""; sub(/^ +/, "");
			sub(/ \[[^]]*\]$/, ""); sub(/^\([ 0-9.]+%\) /, "");
			f = $0; sub(/.*:/, "", f);
			printf "   %6.1f%%   %s\n", 100 * n / t, f; if (++k == 12) exit }'
	if command -v perf >/dev/null && perf record -q -o "$W/perf.$name" "$@" <"$in" >/dev/null 2>&1; then
		echo "   cycles by library (perf)"
		perf report -i "$W/perf.$name" --sort dso --stdio 2>/dev/null |
			awk '/^ +[0-9.]+%/ && k++ < 5 {printf "   %7s   %s\n", $1, $2}'
	fi
}

cbytes=$(wc -c <"$W/cost.ndjson")
prof bq-logs-file /dev/null "$bytes" "$PBIN/bq-logs" -q --no-profile-lookup "${win[@]}" "${args[@]}"
prof jq-c "$W/raw.ndjson" "$bytes" jq -c .
prof bq-cost-estimate "$W/cost.ndjson" "$cbytes" "$PBIN/bq-cost" estimate -q --by model
prof jq-cost "$W/cost.ndjson" "$cbytes" jq -n -c --slurpfile prices "$W/prices.ndjson" -f "$TOP/bench/cost.jq"
