#!/usr/bin/env bash
# bq-logs against the seeded world: S3 and the log group give the same
# invocation records, equal to an independent normalisation of the world's
# ground truth (tests/cli/logs_expect.py); window edges are exact; -j 1 and
# -j 8 give identical output; offloaded bodies resolve; filters; --raw; the
# zero-configuration path.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/peer/peer.sh"

if ! python3 -c 'import moto' 2>/dev/null; then
	skip "bq-logs world: moto is not installed"
	exit 0
fi
peer_start --world --records 400 || { not_ok "peers start"; exit 1; }
W=$BQ_PEER_DIR/world
X="python3 $TOP/tests/cli/logs_expect.py"
BUCKET=$(world_get bucket) PREFIX=$(world_get prefix) GROUP=$(world_get log_group)
WS=$(world_get window_start) WE=$(world_get window_end)
S3="s3://$BUCKET/$PREFIX"

# the whole world, from S3 and from the log group
$X expect "$W" "$WS" "$WE" >"$T/want"
run bq bq-logs --s3 "$S3" --since "$WS" --until "$WE"
check_rc 0 "s3: whole window"
cp "$T/out" "$T/s3"
$X compare "$T/want" "$T/s3" "s3 vs ground truth"
check_grep "400 records of 400 read" "$T/err" "s3: summary on stderr"
run bq bq-logs --log-group "$GROUP" --since "$WS" --until "$WE" -q
check_rc 0 "log group: whole window"
cp "$T/out" "$T/cw"
check_file_eq "$T/cw" "$T/s3" "log group and S3 give identical records"
check_eq "$(wc -c <"$T/err")" 0 "-q: nothing on stderr"

# only the hourly prefixes of the window are listed (the first run above)
python3 - "$BQ_PEER_DIR/requests.ndjson" >"$T/lists" <<'EOF'
import json, sys, urllib.parse
for line in open(sys.argv[1]):
    r = json.loads(line)
    q = urllib.parse.parse_qs(r.get("query", ""))
    # (listings with a delimiter find the account and region folders)
    if r.get("operation") == "ListObjectsV2" and "delimiter" not in q:
        print(q.get("prefix", ["?"])[0])
EOF
check_eq "$(grep -c . "$T/lists")" 3 "s3: three hourly prefixes listed for a three-hour window"
check_eq "$(grep -cE '/BedrockModelInvocationLogs/us-east-1/[0-9]{4}/[0-9]{2}/[0-9]{2}/[0-9]{2}/$' "$T/lists")" 3 \
	"s3: every listing is an hour prefix"

# window edges are exact: since is inclusive, until exclusive, by record time
read -r T1 T2 < <(python3 -c '
import json,sys
ts=[json.loads(l)["timestamp"] for l in open(sys.argv[1])]
print(ts[57], ts[301])' "$W/invocations.ndjson")
$X expect "$W" "$T1" "$T2" >"$T/want_edge"
run bq bq-logs --s3 "$S3" --since "$T1" --until "$T2" -q
check_rc 0 "s3: window with edges on record timestamps"
$X compare "$T/want_edge" "$T/out" "s3 edges"
check_eq "$(head -1 "$T/out" | jq -r .ts)" "$T1" "s3: a record at --since is included"
run bq bq-logs --log-group "$GROUP" --since "$T1" --until "$T2" -q
$X compare "$T/want_edge" "$T/out" "log group edges"
check_nogrep "\"ts\":\"$T2\"" "$T/out" "log group: a record at --until is excluded"

# concurrency never reorders
run bq bq-logs --s3 "$S3" --since "$WS" --until "$WE" -j 1 -q
cp "$T/out" "$T/j1"
run bq bq-logs --s3 "$S3" --since "$WS" --until "$WE" -j 8 -q
check_file_eq "$T/out" "$T/j1" "-j 1 and -j 8 give identical output"
run bq bq-logs --s3 "$S3" --since "$WS" --until "$WE" -j 3 -q
check_file_eq "$T/out" "$T/j1" "-j 3 too"

# offloaded bodies
n_large=$(world_get large_bodies)
check_eq "$(grep -o '_body_s3_path' "$T/s3" | grep -c .)" "$n_large" "offloaded bodies keep their S3 path ($n_large)"
$X expect "$W" "$WS" "$WE" --resolve >"$T/want_res"
run bq bq-logs --s3 "$S3" --since "$WS" --until "$WE" --resolve-bodies -q
check_rc 0 "--resolve-bodies"
$X compare "$T/want_res" "$T/out" "resolved bodies"
check_nogrep '_body_s3_path' "$T/out" "--resolve-bodies: no S3 path left"

# --no-bodies, --redact
run bq bq-logs --log-group "$GROUP" --since "$WS" --until "$WE" --no-bodies -q
$X expect "$W" "$WS" "$WE" --no-bodies >"$T/want_nb"
$X compare "$T/want_nb" "$T/out" "--no-bodies"
run bq bq-logs --log-group "$GROUP" --since "$WS" --until "$WE" --redact -q
check_rc 0 "--redact"
python3 - "$T/out" "$W/invocations.ndjson" >"$T/redact" <<'EOF'
import json, sys
got = [json.loads(l) for l in open(sys.argv[1])]
texts = set()
def walk(v, k=None):
    if isinstance(v, dict):
        for kk, vv in v.items():
            walk(vv, kk)
    elif isinstance(v, list):
        for vv in v:
            walk(vv, k)
    elif isinstance(v, str) and k in ("text", "inputText", "outputText", "prompt",
                                       "generation", "message", "system") and len(v) > 12:
        texts.add(v[:40])
for l in open(sys.argv[2]):
    r = json.loads(l)
    walk(r["input"].get("inputBodyJson"))
    walk(r.get("output", {}).get("outputBodyJson"))
blob = json.dumps([[g.get("input_body"), g.get("output_body")] for g in got])
leak = [t for t in texts if t in blob]
print("leaks", len(leak), "of", len(texts), sorted(leak)[:3])
print("redacted", sum(json.dumps(g).count("[redacted ") for g in got))
print("stops", sum(1 for g in got if "stop_reason" in g))
EOF
check_grep '^leaks 0 ' "$T/redact" "--redact: no body word survives"
check_grep '^redacted [1-9]' "$T/redact" "--redact: markers present"
check_eq "$(grep '^stops' "$T/redact")" "stops $(grep -c stop_reason "$T/s3")" "--redact keeps stop reasons"

# filters, against the ground truth
count() { python3 -c '
import json,sys
w=sys.argv[1]; kind=sys.argv[2]; val=sys.argv[3]
man=json.load(open(w+"/manifest.json")); base={m["model_id"]:m["base_model_id"] for m in man["models"]}
n=0
for l in open(w+"/invocations.ndjson"):
    r=json.loads(l)
    if kind=="model" and val in (r["modelId"], base[r["modelId"]]): n+=1
    if kind=="op" and r["operation"]==val: n+=1
    if kind=="identity" and val in r["identity"]["arn"]: n+=1
    if kind=="errors" and "errorCode" in r: n+=1
print(n)' "$W" "$@"; }
run bq bq-logs --s3 "$S3" --since "$WS" --until "$WE" --model anthropic.claude-3-5-haiku-20241022-v1:0 -q
check_eq "$(grep -c . "$T/out")" "$(count model anthropic.claude-3-5-haiku-20241022-v1:0)" \
	"--model matches the base model (profiles included)"
check_grep 'application-inference-profile' "$T/out" "--model finds application profile invocations by their base model"
run bq bq-logs --log-group "$GROUP" --since "$WS" --until "$WE" --model 'us.*' -q
check_eq "$(grep -c . "$T/out")" "$(python3 -c '
import json,sys
print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["modelId"].startswith("us.")))' "$W/invocations.ndjson")" "--model glob"
run bq bq-logs --log-group "$GROUP" --since "$WS" --until "$WE" --operation ConverseStream -q
check_eq "$(grep -c . "$T/out")" "$(count op ConverseStream)" "--operation"
run bq bq-logs --log-group "$GROUP" --since "$WS" --until "$WE" --identity batch-summarizer -q
check_eq "$(grep -c . "$T/out")" "$(count identity batch-summarizer)" "--identity substring"
run bq bq-logs --s3 "$S3" --since "$WS" --until "$WE" --errors -q
check_eq "$(grep -c . "$T/out")" "$(count errors x)" "--errors"
check_eq "$(jq -r 'select(.error_code == null) | .request_id' "$T/out" | grep -c .)" 0 "--errors: every record has an error code"

# --raw passes the AWS records unchanged
run bq bq-logs --log-group "$GROUP" --since "$WS" --until "$WE" --raw -q
python3 -c '
import json,sys
a=[json.loads(l) for l in open(sys.argv[1])]; b=[json.loads(l) for l in open(sys.argv[2])]
print("same" if a==b else "differ %d %d" % (len(a), len(b)))' "$T/out" "$W/invocations.ndjson" >"$T/raw"
check_eq "$(cat "$T/raw")" same "--raw: the log records as written"

# zero configuration: GetModelInvocationLoggingConfiguration names the group
run bq bq-logs --since "$WS" --until "$WE"
check_rc 0 "no source: the logging configuration is used"
check_file_eq "$T/out" "$T/cw" "no source: same records as the log group"
check_grep "reading log group $GROUP" "$T/err" "no source: says where it reads"

# default window is the last hour: a subset ending now
run bq bq-logs --log-group "$GROUP" -q
$X expect "$W" "@$(( ($(date +%s) - 3600) * 1000 ))" "@$(( ($(date +%s) + 1) * 1000 ))" >"$T/want_1h"
lo=$(grep -c . "$T/want_1h")
got=$(grep -c . "$T/out")
if [ "$got" -ge $((lo - 3)) ] && [ "$got" -le $((lo + 3)) ] && [ "$got" -lt 400 ]; then
	ok "default --since 1h reads the last hour ($got records)"
else
	not_ok "default --since 1h reads the last hour (got $got, want about $lo)"
fi

# the judge's and the cost estimator's view: every Converse record has text
n_conv=$(jq -r 'select(.operation=="Converse" and .output_body != null) | .request_id' "$T/s3" | grep -c .)
check_eq "$(jq -r 'select(.operation=="Converse" and .output_body != null and (.output_body.output.message.content[0].text|length) > 0) | .request_id' "$T/s3" | grep -c .)" \
	"$n_conv" "Converse records carry answer text in output_body"

# several log groups are merged in time order
if ! command -v aws >/dev/null; then
	skip "two log groups: the AWS CLI seeds the second group"
	exit 0
fi
aws logs create-log-group --log-group-name /other/bedrock >/dev/null 2>&1
aws logs create-log-stream --log-group-name /other/bedrock --log-stream-name s >/dev/null 2>&1
python3 - "$W/invocations.ndjson" >"$T/other.json" <<'PY'
import calendar, json, sys, time
recs = [json.loads(l) for l in open(sys.argv[1])]
ev = []
for i in (3, 100, 101, 250, 399):
    r = dict(recs[i], requestId="other-%d" % i, region="eu-west-1")
    t = calendar.timegm(time.strptime(r["timestamp"], "%Y-%m-%dT%H:%M:%SZ"))
    ev.append({"timestamp": t * 1000 + 500, "message": json.dumps(r)})
print(json.dumps(ev))
PY
aws logs put-log-events --log-group-name /other/bedrock --log-stream-name s \
	--log-events "file://$T/other.json" >/dev/null 2>"$T/aws.err" || { not_ok "put-log-events"; sed 's/^/#   /' "$T/aws.err"; }
run bq bq-logs --log-group "$GROUP" --log-group /other/bedrock --since "$WS" --until "$WE" --no-bodies -q
check_rc 0 "two log groups"
check_eq "$(grep -c . "$T/out")" 405 "two log groups: every record of both"
check_eq "$(jq -r .ts "$T/out" | sort -c && echo sorted)" sorted "two log groups: merged in time order"
check_eq "$(jq -r .request_id "$T/out" | grep -n '^other-' | cut -d: -f1 | tr '\n' ' ')" "5 103 105 255 405 " \
	"two log groups: each record of the second group right after its twin"

# equal timestamps: the order of --log-group on the command line decides
# (bq-logs(1)), whichever group answers first
aws logs create-log-group --log-group-name /tie/bedrock >/dev/null 2>&1
aws logs create-log-stream --log-group-name /tie/bedrock --log-stream-name s >/dev/null 2>&1
python3 - "$W/invocations.ndjson" >"$T/tie.json" <<'PY'
import calendar, json, sys, time
recs = [json.loads(l) for l in open(sys.argv[1])]
ev = []
for i in (7, 200):
    r = dict(recs[i], requestId="tie-%d" % i)
    t = calendar.timegm(time.strptime(r["timestamp"], "%Y-%m-%dT%H:%M:%SZ"))
    ev.append({"timestamp": t * 1000, "message": json.dumps(r)})
print(json.dumps(ev))
PY
aws logs put-log-events --log-group-name /tie/bedrock --log-stream-name s \
	--log-events "file://$T/tie.json" >/dev/null 2>"$T/aws.err" || { not_ok "put-log-events (tie)"; sed 's/^/#   /' "$T/aws.err"; }
r7=$(jq -r 'select(.timestamp != null)' "$W/invocations.ndjson" | jq -rs '.[7].requestId')
run bq bq-logs --log-group "$GROUP" --log-group /tie/bedrock --since "$WS" --until "$WE" --no-bodies -q
check_rc 0 "tied timestamps, world group first"
check_eq "$(jq -r .request_id "$T/out" | grep -n "^tie-7$\|^$r7$" | cut -d: -f2 | tr '\n' ' ')" "$r7 tie-7 " \
	"tied timestamps: the first --log-group's event first"
run bq bq-logs --log-group /tie/bedrock --log-group "$GROUP" --since "$WS" --until "$WE" --no-bodies -q
check_rc 0 "tied timestamps, tie group first"
check_eq "$(jq -r .request_id "$T/out" | grep -n "^tie-7$\|^$r7$" | cut -d: -f2 | tr '\n' ' ')" "tie-7 $r7 " \
	"tied timestamps: swapping --log-group swaps the twins"
check_eq "$(jq -r .request_id "$T/out" | grep -n '^tie-' | cut -d: -f1 | tr '\n' ' ')" "8 202 " \
	"tied timestamps: each tie record right before its twin"
