#!/usr/bin/env bash
# bq-metrics against the seeded sample world: every model's default metrics
# over the world's window equal the world's ground truth (metrics.ndjson,
# Values/Counts expanded), the world's cache-metric spelling is discovered,
# and whole-window p99s match the ground truth exactly.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/peer/peer.sh"
[ -x "$BQ_BIN/bq-metrics" ] || { skip "bq-metrics not built"; exit 0; }
peer_start --world --seed 7 --records 200 || { not_ok "peers start with the world"; exit 1; }
W=$BQ_PEER_DIR/world
[ -f "$W/metrics.ndjson" ] || { skip "the world has no metrics.ndjson"; exit 0; }
SEED="python3 $TOP/tests/cli/metrics_seed.py"
$SEED world --world "$W" --out "$T/samples"
epoch() { date -u -d "$1" +%s; }
S=$(epoch "$(jq -r .window_start "$W/manifest.json")")
E=$(epoch "$(jq -r .window_end "$W/manifest.json")")

mapfile -t models < <(jq -r 'select(.dimensions.ModelId != null and (.dimensions | length) == 1) | .dimensions.ModelId' "$T/samples" | LC_ALL=C sort -u)
mapfile -t cache < <(jq -r 'select(.metric | startswith("Cache")) | .metric' "$T/samples" | LC_ALL=C sort -u)
check_eq "${#cache[@]}" 2 "the world has two cache metrics (${cache[*]})"
series=()
for m in "${models[@]}"; do
	for x in Invocations:Sum InvocationLatency:Average TimeToFirstToken:Average \
		InvocationClientErrors:Sum InvocationServerErrors:Sum InvocationThrottles:Sum \
		InputTokenCount:Sum OutputTokenCount:Sum "${cache[@]/%/:Sum}"; do
		series+=("$m|${x%%:*}|${x##*:}")
	done
done
$SEED expect --samples "$T/samples" --start "$S" --end "$E" --period 300 \
	--series "${series[@]}" >"$T/want"
run bq bq-metrics --since "@$S" --until "@$E"
check_rc 0 "get over the world's window"
check_eq "$(jq -r .model_id "$T/out" | LC_ALL=C sort -u | wc -l)" "${#models[@]}" \
	"every model of the world (${#models[@]}, profiles included)"
check_eq "$($SEED compare "$T/want" "$T/out")" ok \
	"all $(wc -l <"$T/want") datapoints equal the world's ground truth, in order"

asserts=()
for m in "${models[@]}"; do
	p=$($SEED window --samples "$T/samples" --start "$S" --end "$E" --series "$m|InvocationLatency|p99")
	[ "$p" = nodata ] && continue
	run bq bq-metrics --since "@$S" --until "@$E" --model "$m" \
		--assert "p99(InvocationLatency) == $p" --assert "p99(InvocationLatency) < $p"
	asserts+=("$rc:$(jq -r .ok "$T/out" | tr '\n' ,)")
done
check_eq "$(printf '%s\n' "${asserts[@]}" | sort -u)" "4:true,false," \
	"for every model, the window p99 equals the ground truth (== holds, < fails)"
