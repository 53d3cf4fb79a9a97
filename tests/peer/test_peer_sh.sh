#!/usr/bin/env bash
# The peer.sh contract that every tool test relies on: peer_start exports,
# request log, --world, restarting, peer_stop leaves no process behind.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/peer/peer.sh"

if ! python3 -c 'import moto' 2>/dev/null; then
	skip "python3 has no moto (pip install 'moto[server]')"
	exit 0
fi

peer_start
rc=$?
check_eq "$rc" 0 "peer_start succeeds"
check_eq "$AWS_ENDPOINT_URL" "$BQ_PEER_URL" "AWS_ENDPOINT_URL is the front"
check_grep '^http://127\.0\.0\.1:[0-9]+$' <(echo "$BQ_MOTO_URL") "BQ_MOTO_URL is a loopback URL"
check_eq "$AWS_ACCESS_KEY_ID/$AWS_SECRET_ACCESS_KEY/$AWS_REGION" \
	"AKIAPEERTEST00000001/peer-secret-key/us-east-1" "credentials and region exported"
check_eq "${BQ_FAULT_URL:-unset}" unset "no fault proxy without --faults"
[ -d "$BQ_PEER_DIR" ] && ok "BQ_PEER_DIR exists" || not_ok "BQ_PEER_DIR exists"
first_pids=$(cat "$BQ_PEER_DIR/pids")
first_dir=$BQ_PEER_DIR

run curl -s "$BQ_PEER_URL/peer-api/health"
check_grep '"ok": true' "$T/out" "front answers its health check"
if command -v aws >/dev/null; then
	run aws logs describe-log-groups
	check_rc 0 "aws logs through the front"
	check_grep '"operation":"DescribeLogGroups".*"sig":"ok".*"status":200' "$BQ_PEER_DIR/requests.ndjson" \
		"the request log has the call, its verdict and status"
	run env AWS_SECRET_ACCESS_KEY=nope aws logs describe-log-groups
	check_rc 255 "a wrong secret fails the CLI"
	check_grep '"sig":"SignatureDoesNotMatch"' "$BQ_PEER_DIR/requests.ndjson" "the refusal is logged"
else
	skip "no aws CLI"
fi

peer_start --world --seed 3 --records 50
check_eq "$?" 0 "peer_start --world restarts the peers"
for p in $first_pids; do
	if _peer_alive "$p"; then not_ok "the previous peers were stopped ($p lives)"; fi
done
ok "the previous peers were stopped"
[ "$BQ_PEER_DIR" != "$first_dir" ] && ok "a fresh BQ_PEER_DIR" || not_ok "a fresh BQ_PEER_DIR"
for f in manifest.json invocations.ndjson metrics.ndjson cloudtrail.ndjson traces.ndjson costs.json; do
	[ -s "$BQ_PEER_DIR/world/$f" ] || not_ok "world/$f written"
done
ok "world ground truth written"
check_eq "$(wc -l <"$BQ_PEER_DIR/world/invocations.ndjson")" 50 "--records sets the record count"
bucket=$(jq -r .bucket "$BQ_PEER_DIR/world/manifest.json")
if command -v aws >/dev/null; then
	run aws s3api list-objects-v2 --bucket "$bucket" --query 'length(Contents)'
	want=$(find "$BQ_PEER_DIR/world/s3/$bucket" -type f | wc -l)
	check_eq "$(cat "$T/out")" "$want" "seeded bucket lists every object"
fi
pids=$(cat "$BQ_PEER_DIR/pids")
peer_stop
for p in $pids; do
	if _peer_alive "$p"; then not_ok "peer_stop stops process $p"; fi
done
ok "peer_stop leaves no process behind"

# peerctl, as bench/ and the demo use it
d=$T/ctl
run "$TOP/tests/peer/peerctl" start --dir "$d"
check_rc 0 "peerctl start"
check_grep '^export AWS_ENDPOINT_URL=http://127' "$T/out" "peerctl prints the exports"
run "$TOP/tests/peer/peerctl" start --dir "$d"
check_rc 1 "peerctl refuses a directory whose peers run"
pids=$(cat "$d/pids")
"$TOP/tests/peer/peerctl" stop --dir "$d"
for p in $pids; do
	if _peer_alive "$p"; then not_ok "peerctl stop stops $p"; fi
done
ok "peerctl stop leaves no process behind"
