#!/usr/bin/env bash
# Bad data: a corrupt gzip object, a truncated one, a malformed record and a
# record without a timestamp are each reported on stderr with their S3 key
# (and line), skipped, and the rest is read; the exit status is 5.  The same
# for --file (path:line, stdin) and for log-group events.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/peer/peer.sh"

if ! command -v aws >/dev/null; then
	skip "bq-logs bad data: the AWS CLI (aws) seeds this test and is not installed"
	exit 0
fi
if ! python3 -c 'import moto' 2>/dev/null; then
	skip "bq-logs bad data: moto is not installed"
	exit 0
fi
peer_start --world --records 120 || { not_ok "peers start"; exit 1; }
W=$BQ_PEER_DIR/world
BUCKET=$(world_get bucket) PREFIX=$(world_get prefix) GROUP=$(world_get log_group) LP=$(world_get s3_log_prefix)
WS=$(world_get window_start) WE=$(world_get window_end)

# Injected data, made from the world's first record (so it is in the window).
python3 - "$W/invocations.ndjson" "$T" <<'EOF'
import gzip, json, os, sys
first = json.loads(open(sys.argv[1]).readline())
t = sys.argv[2]
def rec(rid):
    r = dict(first); r["requestId"] = rid
    return json.dumps(r, separators=(",", ":"))
mixed = "\n".join([rec("inj-good-1"), '{"schemaType":"ModelInvocationLog", not json', rec("inj-good-2"),
                   json.dumps({"requestId": "inj-no-ts", "modelId": "x"})]) + "\n"
open(os.path.join(t, "mixed.json.gz"), "wb").write(gzip.compress(mixed.encode()))
good = gzip.compress(((rec("inj-cut-1") + "\n" + rec("inj-cut-2") + "\n") * 200).encode())
open(os.path.join(t, "cut.json.gz"), "wb").write(good[: len(good) // 2])
# a valid gzip header followed by bytes that are no deflate stream
open(os.path.join(t, "corrupt.json.gz"), "wb").write(good[:10] + bytes(range(7, 250)) * 4)
open(os.path.join(t, "hour"), "w").write(first["timestamp"][:13].replace("-", "/").replace("T", "/") + "/")
open(os.path.join(t, "first_ts"), "w").write(first["timestamp"])
EOF
HOUR=$LP$(cat "$T/hour")
put() { aws s3api put-object --bucket "$BUCKET" --key "$HOUR$1" --body "$T/$2" >/dev/null 2>"$T/aws.err" ||
	{ not_ok "aws s3api put-object $1"; cat "$T/aws.err" | sed 's/^/#   /'; }; }
put zz-1-mixed.json.gz mixed.json.gz
put zz-2-cut.json.gz cut.json.gz
put zz-3-corrupt.json.gz corrupt.json.gz

run bq bq-logs --s3 "s3://$BUCKET/$PREFIX" --since "$WS" --until "$WE"
check_rc 5 "s3: rejected input gives status 5"
K="s3://$BUCKET/$HOUR"
check_grep "^bq-logs: ${K}zz-1-mixed.json.gz:2: not JSON" "$T/err" "s3: malformed record reported with key and line"
check_grep "^bq-logs: ${K}zz-1-mixed.json.gz:4: no \"timestamp\"" "$T/err" "s3: record without timestamp reported with key and line"
check_grep "^bq-logs: ${K}zz-2-cut.json.gz: truncated gzip data" "$T/err" "s3: truncated gzip object reported with its key"
check_grep "^bq-logs: ${K}zz-3-corrupt.json.gz: corrupt gzip data" "$T/err" "s3: corrupt gzip object reported with its key"
check_eq "$(jq -r 'select(.request_id|startswith("inj-good")) | .request_id' "$T/out" | tr '\n' ' ')" \
	"inj-good-1 inj-good-2 " "s3: the good records around the bad line are kept, in file order"
python3 - "$W/invocations.ndjson" "$T/out" >"$T/kept" <<'EOF'
import json, sys
want = [json.loads(l)["requestId"] for l in open(sys.argv[1])]
got = [json.loads(l)["request_id"] for l in open(sys.argv[2])]
print("all" if all(w in got for w in want) else "missing %d" % sum(w not in got for w in want))
print("cut", sum(1 for g in got if g.startswith("inj-cut")))
EOF
check_eq "$(head -1 "$T/kept")" all "s3: every record of the good objects is still read"
cut=$(sed -n 's/^cut //p' "$T/kept")
if [ "$cut" -gt 0 ] && [ "$cut" -lt 400 ]; then ok "s3: the records before the cut of a truncated object are read ($cut)"
else not_ok "s3: records before the cut of a truncated object ($cut)"; fi
check_grep "input lines? rejected" "$T/err" "s3: the reject count is summarised"
run bq bq-logs --s3 "s3://$BUCKET/$PREFIX" --since "$WS" --until "$WE" -j 1 -q
check_rc 5 "s3 -j 1: status 5 too"

# --file: local objects and stdin
run bq bq-logs --file "$T/mixed.json.gz"
check_rc 5 "file: status 5"
check_grep "^bq-logs: $T/mixed.json.gz:2: not JSON" "$T/err" "file: path and line"
check_eq "$(grep -c . "$T/out")" 2 "file: the two good records"
run bq bq-logs --file "$T/corrupt.json.gz"
check_rc 5 "file: corrupt gzip is status 5"
check_grep "^bq-logs: $T/corrupt.json.gz: corrupt gzip data" "$T/err" "file: corrupt gzip named"
gzip -dc "$T/mixed.json.gz" >"$T/mixed.json"
bq bq-logs --file - <"$T/mixed.json" >"$T/out" 2>"$T/err"
rc=$?
check_rc 5 "stdin: status 5"
check_grep "^bq-logs: stdin:2: not JSON" "$T/err" "stdin: line numbers"
run bq bq-logs --file "$T/nonexistent.json"
check_rc 1 "file: a missing file is a runtime error"
check_grep "nonexistent.json: cannot open" "$T/err" "file: missing file named"

# log group: a malformed event among good ones
now=$(( $(date +%s) * 1000 ))
python3 - "$W/invocations.ndjson" "$now" >"$T/events.json" <<'EOF'
import json, sys
first = json.loads(open(sys.argv[1]).readline())
now = int(sys.argv[2])
ev = []
for i, msg in enumerate(["this is not json", None, "[1,2]"]):
    if msg is None:
        r = dict(first); r["requestId"] = "inj-cw-good"
        first_ts = r["timestamp"]
        msg = json.dumps(r)
    ev.append({"timestamp": now + i, "message": msg})
print(json.dumps(ev))
EOF
aws logs put-log-events --log-group-name "$GROUP" --log-stream-name "$(world_get log_stream)" \
	--log-events "file://$T/events.json" >/dev/null 2>"$T/aws.err" || { not_ok "aws logs put-log-events"; sed 's/^/#   /' "$T/aws.err"; }
run bq bq-logs --log-group "$GROUP" --since "$WS"
check_rc 5 "log group: status 5"
check_grep "^bq-logs: $GROUP \\(event [0-9]+\\): not JSON" "$T/err" "log group: bad event named by group and event id"
check_grep "^bq-logs: $GROUP \\(event [0-9]+\\): not a JSON object" "$T/err" "log group: a JSON array of numbers is rejected"
check_grep '"request_id":"inj-cw-good"' "$T/out" "log group: the good event between them is read"
