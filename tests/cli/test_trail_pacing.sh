#!/usr/bin/env bash
# bq-trail's pacing of LookupEvents (2 requests per second) against the front
# peer, which answers ThrottlingException beyond 2 per second: a long run is
# never throttled; and a throttled page is sent again, not lost, both when
# the client's retries absorb the throttle and when they give up.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/peer/peer.sh"
X="python3 $TOP/tests/cli/trail_expect.py"

same() {
	local out
	if out=$($X same "$2" "$3"); then ok "$1"
	else not_ok "$1 (status $rc)"; echo "$out"; sed 's/^/#   stderr: /' "$T/err" | head -5; fi
}

# Page 3 is throttled twice, the rest go through (seq counts every
# LookupEvents the proxy sees, from 1).
cat >"$T/rules" <<'EOF'
LookupEvents throttle seq=0,0,1,1
EOF
peer_start --world --faults "$T/rules" || { not_ok "peer_start --world --faults"; exit 1; }
W=$BQ_PEER_DIR/world
REQ=$BQ_PEER_DIR/requests.ndjson
$X events "$W" >"$T/all"
nall=$(wc -l <"$T/all")

# --- a long run: many small pages, paced, never throttled ---
# --page-size 16 makes 20 or more requests, about 10 s at 2 per second.
pages=$(( (nall + 15) / 16 ))
run bq bq-trail --page-size 16 --debug
check_rc 0 "long run succeeds"
grep '^{' "$T/out" >"$T/recs"
same "long run: every event, once" "$T/recs" "$T/all"
python3 - "$REQ" "$pages" >"$T/pace" <<'EOF'
import collections, json, sys
reqs = [json.loads(l) for l in open(sys.argv[1]) if '"LookupEvents"' in l]
per_sec = collections.Counter(r["ts"] for r in reqs)
bad = [r for r in reqs if r["status"] != 200]
print(len(reqs), len(bad), max(per_sec.values()), " ".join(sorted({r.get("error_code", "") for r in bad})))
EOF
read -r nreq nbad maxsec codes <"$T/pace"
check_eq "$nreq" "$pages" "one request per page ($pages pages of 16)"
check_eq "$nbad" 0 "no request throttled by the peer (its limit is 2/s) ${codes:-}"
if [ "$maxsec" -le 2 ]; then ok "never more than 2 requests in one second of the peer's log"
else not_ok "$maxsec requests in one second"; fi
check_grep "0 throttled, 0 rejected" "$T/err" "the tool's summary counts no throttle"
check_grep '^bq-trail: paced 0\.[0-9]+ s before LookupEvents' "$T/err" "--debug shows the pacer waiting"

# --- throttled page, the client's retries give up: the tool sends it again ---
export AWS_ENDPOINT_URL=$BQ_FAULT_URL
run bq bq-trail --max-attempts 1
check_rc 0 "throttled twice, still succeeds"
same "no page lost after throttling" "$T/out" "$T/all"
check_eq "$(grep -c 'warning: throttled (ThrottlingException), sending page 3 again' "$T/err")" 2 \
	"page 3 sent again twice, said on stderr"
check_grep ", 2 throttled, 0 rejected" "$T/err" "summary counts the two throttles"
fired=$(python3 -c '
import json, sys
f = [json.loads(l) for l in open(sys.argv[1])]
print(sum(1 for r in f if r["fault"] == "throttle"), sum(1 for r in f if r["operation"] == "LookupEvents"))' \
	"$BQ_PEER_DIR/faults.ndjson")
npages=$(( (nall + 49) / 50 ))
check_eq "$fired" "2 $((npages + 2))" "the proxy throttled 2 requests of $((npages + 2))"

# --- throttled once more, default attempts: the client's retry absorbs it ---
cat >"$T/rules" <<'EOF'
LookupEvents throttle seq=0,1
EOF
peer_start --world --faults "$T/rules" || { not_ok "peer_start again"; exit 1; }
export AWS_ENDPOINT_URL=$BQ_FAULT_URL
run bq bq-trail
check_rc 0 "throttle absorbed by the client's retry"
$X events "$BQ_PEER_DIR/world" >"$T/all2"
same "no page lost when the client retries" "$T/out" "$T/all2"
check_nogrep 'warning: throttled' "$T/err" "no page-level retry was needed"
fired=$(grep -c '"fault": *"throttle"' "$BQ_PEER_DIR/faults.ndjson")
check_eq "$fired" 1 "the proxy throttled one request"
