#!/usr/bin/env bash
# The bq tour on the embedded local AWS (make demo).  Builds nothing: it
# starts the peers (tests/peer/peer.sh) seeded with the sample world, runs
# the tools that exist in $BQ_BUILD/bin through real pipelines, each step
# printed with its command line first, and stops every process it started.
# Steps whose tools are not built yet are skipped and say so.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/lib.sh
. "$TOP/tests/lib.sh"
# shellcheck source=tests/peer/peer.sh
. "$TOP/tests/peer/peer.sh"
export PATH="$BQ_BIN:$PATH"

bold() { if [ -t 1 ]; then printf '\033[1m%s\033[0m\n' "$*"; else printf '%s\n' "$*"; fi; }

echo "Starting the local AWS peers with the sample Bedrock world..."
if ! peer_start --world --seed 7 --records 300; then
	echo "demo: could not start the peers" >&2
	exit 1
fi
W=$BQ_PEER_DIR/world
SINCE=$(jq -r .window_start "$W/manifest.json")
UNTIL=$(jq -r .window_end "$W/manifest.json")
JUDGE=us.anthropic.claude-3-5-haiku-20241022-v1:0
echo "Endpoint $AWS_ENDPOINT_URL, account $(jq -r .account "$W/manifest.json"), window $SINCE .. $UNTIL"
echo "$(wc -l <"$W/invocations.ndjson") invocation records, $(wc -l <"$W/cloudtrail.ndjson") CloudTrail events, $(jq -r .traces "$W/manifest.json") traces"
echo

steps=0 ran=0 skipped=0 failed=0
# step "TITLE" "PIPELINE": runs the pipeline when every bq-* tool in it is built.
step() {
	local title=$1 cmd=$2 t missing=""
	steps=$((steps + 1))
	for t in $(grep -oE 'bq-[a-z]+' <<<"$cmd" | sort -u); do
		[ -x "$BQ_BIN/$t" ] || missing="$missing $t"
	done
	local shown=${cmd//\"\$SINCE\"/$SINCE}
	shown=${shown//\"\$UNTIL\"/$UNTIL}
	shown=${shown//\"\$JUDGE\"/$JUDGE}
	bold "== $title"
	echo "\$ $shown"
	if [ -n "$missing" ]; then
		echo "(skipped: not built yet:$missing)"
		skipped=$((skipped + 1))
		echo
		return 0
	fi
	ran=$((ran + 1))
	SINCE=$SINCE UNTIL=$UNTIL JUDGE=$JUDGE bash -o pipefail -c "$cmd"
	local rc=$?
	# 141: a reader such as head closed the pipe early, which is fine here
	if [ $rc -ne 0 ] && [ $rc -ne 141 ]; then
		echo "(exit status $rc)"
		failed=$((failed + 1))
	fi
	echo
}

step "Where do the invocation logs go?" \
	'bq-logs config'
step "The first three invocations, without bodies" \
	'bq-logs --since "$SINCE" --until "$UNTIL" --no-bodies | head -n 3'
step "Judge five answers for correctness and publish the scores to CloudWatch" \
	'bq-logs --since "$SINCE" --until "$UNTIL" --model amazon.nova-pro-v1:0 | bq-judge --judge-model "$JUDGE" --rubric correctness --max 5 | bq-metrics put --namespace BQ/Judge | jq -c "{request_id, score, reason}"'
step "What did those tokens cost? (estimate from the logs)" \
	'bq-logs --since "$SINCE" --until "$UNTIL" --no-bodies | bq-cost estimate --by model -o table'
step "Cost Explorer, by usage type" \
	'bq-cost --since 3d --by usage-type -o table | head -n 15'
step "CloudTrail: who called Converse" \
	'bq-trail --since "$SINCE" --until "$UNTIL" --event Converse -o table | head -n 8'
step "X-Ray: two traces as waterfalls" \
	'bq-trace --since "$SINCE" --until "$UNTIL" --tree | head -n 24'
step "Invocations and latency per model, with sparklines" \
	'bq-metrics --since "$SINCE" --until "$UNTIL" --metric Invocations --metric InvocationLatency --period 15m -o table --plot'
step "Gate: p99 latency under 10 s for Nova Pro" \
	'bq-metrics --since "$SINCE" --until "$UNTIL" --model amazon.nova-pro-v1:0 --assert "p99(InvocationLatency) < 10000" >/dev/null && echo "assertion holds"'

echo "$steps steps: $ran ran, $skipped skipped (tools not built), $failed failed"
echo "Requests the peers served: $(wc -l <"$BQ_PEER_DIR/requests.ndjson")"
peer_stop
echo "Peers stopped."
