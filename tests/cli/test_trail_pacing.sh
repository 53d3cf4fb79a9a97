#!/usr/bin/env bash
# bq-trail's pacing of LookupEvents (2 requests per second) against the front
# peer, which answers ThrottlingException beyond 2 per second: a long run is
# never throttled; a page the client's retries absorb is not lost; and a page
# still throttled after --max-attempts requests ends the run (status 1).
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/cli/trail_lib.sh"


# Page 3 is throttled twice, the rest go through (seq counts every
# LookupEvents the proxy sees, from 1).
cat >"$T/rules" <<'EOF'
LookupEvents throttle seq=0,0,1,1
EOF
start_peers --world --records 120 --faults "$T/rules"
$X events "$W" >"$T/all"
nall=$(wc -l <"$T/all")

# --- a long run: many small pages, paced, never throttled ---
# --page-size 7 makes about 20 requests, about 10 s at 2 per second.
pages=$(( (nall + 6) / 7 ))
run bq bq-trail --page-size 7 --debug
check_rc 0 "long run succeeds"
grep '^{' "$T/out" >"$T/recs"
same "long run: every event, once" "$T/recs" "$T/all"
python3 - "$REQ" "$pages" >"$T/pace" <<'EOF'
import collections, json, sys
reqs = [json.loads(l) for l in open(sys.argv[1]) if '"LookupEvents"' in l]
per_sec = collections.Counter(r["ts"][:19] for r in reqs)  # ts has milliseconds: count per second
bad = [r for r in reqs if r["status"] != 200]
print(len(reqs), len(bad), max(per_sec.values()), " ".join(sorted({r.get("error_code", "") for r in bad})))
EOF
read -r nreq nbad maxsec codes <"$T/pace"
check_eq "$nreq" "$pages" "one request per page ($pages pages of 7)"
check_eq "$nbad" 0 "no request throttled by the peer (its limit is 2/s) ${codes:-}"
if [ "$maxsec" -le 2 ]; then ok "never more than 2 requests in one second of the peer's log"
else not_ok "$maxsec requests in one second"; fi
check_grep "0 throttled, 0 rejected" "$T/err" "the tool's summary counts no throttle"
check_grep '^bq-trail: paced 0\.[0-9]+ s before LookupEvents' "$T/err" "--debug shows the pacer waiting"

# --- throttled page, the client's retries give up: the run fails after
# exactly --max-attempts requests for it (issue 12), no page-level re-send ---
export AWS_ENDPOINT_URL=$BQ_FAULT_URL
run bq bq-trail --max-attempts 1
check_rc 1 "page 3 throttled with --max-attempts 1: status 1"
check_grep "ThrottlingException" "$T/err" "the service's error code is said"
check_nogrep 'sending page .* again' "$T/err" "no page-level re-send"
check_eq "$(grep -c '"LookupEvents"' "$BQ_PEER_DIR/faults.ndjson")" 3 \
	"pages 1 and 2, then page 3 once"

# --- the same throttles, --max-attempts 3: the client's retries absorb
# them, paced like every other request ---
start_peers --world --records 120 --faults "$T/rules"
export AWS_ENDPOINT_URL=$BQ_FAULT_URL
run bq bq-trail --max-attempts 3
check_rc 0 "throttled twice, absorbed by the client's retries"
grep '^{' "$T/out" >"$T/recs"
$X events "$BQ_PEER_DIR/world" >"$T/all1"
same "no page lost after throttling" "$T/recs" "$T/all1"
npages=$(( (nall + 49) / 50 ))
fired=$(python3 -c '
import json, sys
f = [json.loads(l) for l in open(sys.argv[1])]
print(sum(1 for r in f if r["fault"] == "throttle"), sum(1 for r in f if r["operation"] == "LookupEvents"))' \
	"$BQ_PEER_DIR/faults.ndjson")
check_eq "$fired" "2 $((npages + 2))" "the proxy throttled 2 requests of $((npages + 2))"
check_grep "$((npages + 2)) LookupEvents requests, 0 throttled" "$T/err" \
	"the summary counts every attempt, and no page left throttled"

# --- throttled once more, default attempts: the client's retry absorbs it ---
cat >"$T/rules" <<'EOF'
LookupEvents throttle seq=0,1
EOF
start_peers --world --records 120 --faults "$T/rules"
export AWS_ENDPOINT_URL=$BQ_FAULT_URL
run bq bq-trail
check_rc 0 "throttle absorbed by the client's retry"
$X events "$BQ_PEER_DIR/world" >"$T/all2"
same "no page lost when the client retries" "$T/out" "$T/all2"
check_nogrep 'warning: throttled' "$T/err" "no page-level retry was needed"
fired=$(grep -c '"fault": *"throttle"' "$BQ_PEER_DIR/faults.ndjson")
check_eq "$fired" 1 "the proxy throttled one request"
