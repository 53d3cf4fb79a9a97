#!/usr/bin/env bash
# Exactly N attempts per request when a fault persists (--max-attempts N),
# counted by the fault proxy per request (path and body hash): single
# calls, paged calls and batch calls of every kind (awsJson, rest-json, S3
# GET).  A batch call backing off keeps its slot, so at -j 1 the calls run
# one after the other.  Blocking calls made from inside a batch's
# callbacks (completion and S3 data) work on the same client.  Backoff
# runs on the helper's fake clock: no real waiting.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/client/stub.sh"
source "$TOP/tests/peer/peer.sh"

if ! python3 -c 'import moto' 2>/dev/null; then
	skip "client attempts: moto is not installed"
	exit 0
fi
cat >"$T/faults" <<'EOF'
ListMetrics 500
DescribeLogGroups 500 seq=0,1,1,1,1,1,1,1,1,1,1,1
GetLogEvents 500
bedrock:ListFoundationModels 500
bedrock:ListInferenceProfiles 500 seq=0,1,1,1,1,1,1,1,1,1,1,1
bedrock:Converse 500
s3:GetObject 500
EOF
peer_start --faults "$T/faults" || { not_ok "peers start"; exit 1; }
FL=$BQ_PEER_DIR/faults.ndjson
P=$BQ_PEER_URL
export AWS_ENDPOINT_URL=$BQ_FAULT_URL
# attempts OP [FIELD]: how many requests of OP reached the proxy, grouped
# by FIELD (path or body_sha) in first-seen order: "3 3 3"
attempts() {
	python3 - "$FL" "$1" "${2:-}" <<'PY'
import json, sys
log, op, field = sys.argv[1], sys.argv[2], sys.argv[3]
counts = {}
for line in open(log):
    r = json.loads(line)
    if r["operation"] == op:
        k = r.get(field) if field else ""
        counts[k] = counts.get(k, 0) + 1
print(" ".join(str(v) for v in counts.values()))
PY
}
# order OP: the proxy's sequence of OP requests as path indexes ("0 0 1 1")
order() {
	python3 - "$FL" "$1" <<'PY'
import json, sys
seen, out = {}, []
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["operation"] == sys.argv[2]:
        out.append(str(seen.setdefault(r["path"], len(seen))))
print(" ".join(out))
PY
}

# ---- single calls ----
run bq_call --fake-clock 0.1 --max-attempts 3 cloudwatch ListMetrics
check_rc 1 "awsJson call, 500 forever: status 1"
check_eq "$(attempts ListMetrics)" 3 "awsJson call: exactly 3 attempts"
check_grep 'after 3 attempts' "$T/err" "... and the message says 3"
run bq_call --fake-clock 0.1 --max-attempts 2 cloudwatch ListMetrics
check_eq "$(attempts ListMetrics)" 5 "awsJson call at --max-attempts 2: exactly 2 more"
run bq_call --fake-clock 0.1 --max-attempts 3 bedrock GET /foundation-models
check_rc 1 "rest-json call, 500 forever: status 1"
check_eq "$(attempts ListFoundationModels)" 3 "rest-json call: exactly 3 attempts"
bq_call --endpoint-url "$P" s3 mb bq-attempts >/dev/null
for k in 0 1 2 3; do
	head -c $((20000 + k * 100)) /dev/urandom >"$T/o$k"
	bq_call --endpoint-url "$P" s3 put bq-attempts "k$k" "$T/o$k"
done
run bq_call --fake-clock 0.1 --max-attempts 3 s3 get bq-attempts k0
check_rc 1 "S3 GET, 500 forever: status 1"
check_eq "$(attempts GetObject)" 3 "S3 GET: exactly 3 attempts"

# ---- paged calls: the first page is fine, the second fails for good ----
for g in pa pb pc; do
	bq_call --endpoint-url "$P" logs CreateLogGroup "{\"logGroupName\":\"$g\"}" >/dev/null
done
run bq_call --fake-clock 0.1 --max-attempts 3 --paginate logs DescribeLogGroups '{"limit":1}'
check_rc 1 "awsJson pages, page 2 failing: status 1"
check_eq "$(grep -c . "$T/out")" 1 "... after handing over page 1"
check_eq "$(attempts DescribeLogGroups body_sha)" "1 3" "awsJson pages: page 1 once, page 2 exactly 3 times"
run bq_call --fake-clock 0.1 --max-attempts 3 --paginate --query maxResults=1 bedrock GET /inference-profiles
check_rc 1 "rest-json pages, page 2 failing: status 1"
check_eq "$(attempts ListInferenceProfiles path)" "1 3" "rest-json pages: page 1 once, page 2 exactly 3 times"

# ---- batch calls: every request exactly N times, each reported failed ----
bq_call --endpoint-url "$P" logs CreateLogStream '{"logGroupName":"pa","logStreamName":"s"}' >/dev/null
for i in 0 1 2 3 4; do
	echo "{\"logGroupName\":\"pa\",\"logStreamName\":\"s\",\"limit\":$((i + 1))}"
done >"$T/in"
run bq_call --fake-clock 0.1 --max-attempts 3 --jobs 2 logs GetLogEvents <"$T/in"
check_eq "$(attempts GetLogEvents body_sha)" "3 3 3 3 3" "awsJson batch: each of 5 calls exactly 3 times"
check_eq "$(grep -c 'error 1 InternalFailure .*after 3 attempts' "$T/out")" 5 "... each reported failed after 3 attempts"
for i in 0 1 2 3; do
	echo "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"q$i\"}]}]}"
done >"$T/conv"
run bq_call --fake-clock 0.1 --max-attempts 2 --jobs 3 bedrock-runtime POST /model/m/converse <"$T/conv"
check_eq "$(attempts Converse body_sha)" "2 2 2 2" "rest-json batch: each of 4 calls exactly 2 times"
check_eq "$(grep -c 'after 2 attempts' "$T/out")" 4 "... each reported failed after 2 attempts"
printf 'k%d\n' 0 1 2 3 >"$T/keys"
: >"$FL"
run bq_call --fake-clock 0.1 --max-attempts 3 --jobs 2 s3 get bq-attempts <"$T/keys"
check_eq "$(attempts GetObject path)" "3 3 3 3" "S3 GET batch: each of 4 objects exactly 3 times"
check_eq "$(grep -c 'after 3 attempts' "$T/out")" 4 "... each reported failed after 3 attempts"
: >"$FL"
run bq_call --fake-clock 0.1 --max-attempts 3 --jobs 1 s3 get bq-attempts <"$T/keys"
check_eq "$(order GetObject)" "0 0 0 1 1 1 2 2 2 3 3 3" \
	"S3 GET batch at -j 1: a call backing off keeps its slot (one object after the other)"

# ---- blocking calls from inside a batch's callbacks ----
export AWS_ENDPOINT_URL=$P
run bq_call --nested --jobs 3 s3 get bq-attempts <"$T/keys"
check_rc 0 "S3 GET batch making blocking calls from its callbacks"
check_grep '^nested: 8 ok, 0 failed' "$T/err" "a blocking call from every data and completion callback works"
bad=0
while read -r idx size sum; do
	want=$(sha256sum <"$T/o$idx" | cut -d' ' -f1)
	[ "$sum" = "$want" ] || bad=$((bad + 1))
done <"$T/out"
check_eq "$(wc -l <"$T/out")/$bad" "4/0" "... and every object still arrives whole"
run bq_call --nested --jobs 2 logs GetLogEvents <"$T/in"
check_grep '^nested: 5 ok, 0 failed' "$T/err" "blocking calls from JSON completion callbacks"
check_eq "$(cut -d' ' -f1 "$T/out" | sort -n | tr '\n' ' ')" "0 1 2 3 4 " "... each call completes once"
