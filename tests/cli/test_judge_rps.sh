#!/usr/bin/env bash
# bq-judge -j N --rps R: up to N calls in flight while never more than R
# start in any second.  The peer answers every Converse after 300 ms; its
# request log has each call's arrival time (RFC 3339, milliseconds), so a
# call that arrives less than 300 ms after the one before overlaps it.
source "$(dirname "$0")/../lib.sh"
need_python "judge rps"
start_peers --latency 300
export BQ_JUDGE_MODEL=amazon.nova-pro-v1:0
rec() { printf '{"id":"%s","prompt":"%s","response":"%s"}\n' "$1" "$2" "$3"; }

for i in $(seq 1 16); do rec "r$i" "question $i" "answer $i"; done >"$T/in"
start=$(wc -l <"$REQ")
run bq bq-judge -q -j 4 --rps 8 --rubric correctness <"$T/in"
check_rc 0 "-j 4 --rps 8 over 16 records"
check_eq "$(jq -r .id "$T/out" | tr '\n' ' ')" "$(seq -f 'r%g' 1 16 | tr '\n' ' ')" \
	"every record judged, in input order"
tail -n +$((start + 1)) "$REQ" | jq -r 'select(.operation=="Converse") | .ts' >"$T/ts"
check_eq "$(wc -l <"$T/ts")" 16 "sixteen calls"
python3 - "$T/ts" >"$T/stats" <<'PY'
import calendar, sys, time
ts = sorted(calendar.timegm(time.strptime(l[:19], "%Y-%m-%dT%H:%M:%S")) + int(l[20:23]) / 1000
            for l in open(sys.argv[1]) if l.strip())
# calls in flight: arrivals closer than the peer's 300 ms latency overlap
overlaps = sum(1 for a, b in zip(ts, ts[1:]) if b - a < 0.3)
# the most arrivals in any window of one second
most = max(sum(1 for t in ts if s <= t < s + 1.0) for s in ts)
print(overlaps, most, "%.3f" % (ts[-1] - ts[0]))
PY
read -r overlaps most span <"$T/stats"
if [ "$overlaps" -gt 0 ]; then ok "more than one call in flight ($overlaps calls overlap the one before)"
else not_ok "more than one call in flight (none overlapped; span ${span}s)"; fi
if [ "$most" -le 9 ]; then ok "at most 8 (+1) calls start in any 1 s window ($most)"
else not_ok "at most 8 (+1) calls start in any 1 s window ($most)"; fi
# 16 calls at 8 a second: the last starts at least (16-1)/8 s after the
# first, less the bucket's one token
[ "${span%.*}" -ge 1 ] && ok "calls spread over ${span}s" || not_ok "calls too close: ${span}s"

# -j 1: the rate does not add concurrency
start=$(wc -l <"$REQ")
head -4 "$T/in" >"$T/in4"
run bq bq-judge -q -j 1 --rps 8 --rubric correctness <"$T/in4"
check_rc 0 "-j 1 --rps 8"
tail -n +$((start + 1)) "$REQ" | jq -r 'select(.operation=="Converse") | .ts' >"$T/ts1"
python3 - "$T/ts1" >"$T/gaps" <<'PY'
import calendar, sys, time
ts = [calendar.timegm(time.strptime(l[:19], "%Y-%m-%dT%H:%M:%S")) + int(l[20:23]) / 1000
      for l in open(sys.argv[1]) if l.strip()]
print(sum(1 for a, b in zip(ts, ts[1:]) if b - a < 0.29))
PY
check_eq "$(cat "$T/gaps")/$(wc -l <"$T/ts1")" "0/4" "-j 1: one call at a time"
