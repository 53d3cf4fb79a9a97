#!/usr/bin/env bash
# Runs every EXAMPLES command of man/bq-trace.1 against the peers with the
# seeded world (plus one fault trace seeded here, so the fault example
# always has something to draw), and checks what each one prints.  The
# example's placeholder trace id is replaced by a real one.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/cli/trail_lib.sh"

man_examples "$TOP/man/bq-trace.1" 5

start_peers --world
now=$(date +%s)
FT="1-$(printf '%08x' $((now - 300)))-0000000000000000000fa017"
python3 - "$FT" "$((now - 300))" "$T/extra.ndjson" >"$T/put.json" <<'EOF'
import json, sys
tid, t, extra = sys.argv[1], int(sys.argv[2]), sys.argv[3]
doc = {"name": "checkout", "id": "fa01700000000001", "trace_id": tid, "start_time": t, "end_time": t + 2,
       "fault": True, "annotations": {"tenant": "acme"}, "http": {"response": {"status": 503}},
       "subsegments": [{"name": "bedrock-runtime", "id": "fa01700000000002", "namespace": "aws",
                        "start_time": t + 0.5, "end_time": t + 1.9, "fault": True,
                        "aws": {"operation": "InvokeModel"},
                        "http": {"request": {"url": "https://bedrock-runtime.us-east-1.amazonaws.com/model/meta.llama3-8b-instruct-v1%3A0/invoke"},
                                 "response": {"status": 500}}}]}
print(json.dumps({"TraceSegmentDocuments": [json.dumps(doc)]}))
with open(extra, "w") as f:
    f.write(json.dumps(doc) + "\n")
EOF
aws xray put-trace-segments --cli-input-json "file://$T/put.json" >/dev/null 2>"$T/aws.err" ||
	{ not_ok "aws xray put-trace-segments"; cat "$T/aws.err"; }
cat "$W/traces.ndjson" "$T/extra.ndjson" >"$T/docs.ndjson"

ex() { sed -n "${1}p" "$T/examples"; }
runex() { bash -c "$1" >"$T/out" 2>"$T/err"; rc=$?; }
tids() { python3 -c '
import json, sys
print("\n".join(sorted({json.loads(l)["trace_id"] for l in open(sys.argv[1]) if l.strip()})))' "$1"; }

# 1: bq-trace (the last hour).  Traces that started near the hour's edge
# may fall either way while the test runs, so: nothing older than the
# window, and everything well inside it.
t0=$(date +%s)
runex "$(ex 1)"
check_rc 0 "example 1 runs: $(ex 1)"
python3 - "$T/docs.ndjson" "$T/out" "$t0" <<'EOF' >"$T/check"
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
start = {}
for d in docs:
    start[d["trace_id"]] = min(start.get(d["trace_id"], 1e18), d["start_time"])
got = {json.loads(l)["trace_id"] for l in open(sys.argv[2])}
t0 = int(sys.argv[3])
inside = {t for t, s in start.items() if s >= t0 - 3600 + 60}
outside = {t for t, s in start.items() if s < t0 - 3600 - 60}
print(len(inside - got), len(got & outside), len(got))
EOF
read -r missing extra n <"$T/check"
check_eq "$missing $extra" "0 0" "example 1: the traces of the last hour ($n), none older"

# 2: faults, drawn
runex "$(ex 2)"
check_rc 0 "example 2 runs"
python3 - "$T/docs.ndjson" <<'EOF' >"$T/want"
import json, sys
def walk(n):
    yield n
    for s in n.get("subsegments") or []:
        yield from walk(s)
f = {json.loads(l)["trace_id"] for l in open(sys.argv[1]) if any(x.get("fault") for x in walk(json.loads(l)))}
print("\n".join(sorted(f)))
EOF
sed -n 's/^trace \([^ ]*\) .*/\1/p' "$T/out" | sort >"$T/got"
check_file_eq "$T/got" "$T/want" "example 2: one picture per trace with a fault"
check_grep "^  bedrock-runtime InvokeModel meta\.llam~ \|.*\| +1400\.0 ms  fault 500\$" "$T/out" \
	"example 2: the seeded fault drawn with its model, duration and status"

# 3: model calls as TSV
runex "$(ex 3)"
check_rc 0 "example 3 runs"
$X spans "$T/docs.ndjson" | python3 -c '
import json, sys
for l in sys.stdin:
    s = json.loads(l)
    if s.get("aws_operation") and s.get("model_id"):
        print("%s\t%s" % (s["model_id"], s["duration_ms"]))' | sort >"$T/want"
sort "$T/out" >"$T/got"
check_file_eq "$T/got" "$T/want" "example 3: model and duration of every model call"

# 4: one tenant's slow requests
runex "$(ex 4)"
check_rc 0 "example 4 runs"
python3 - "$T/docs.ndjson" <<'EOF' >"$T/want"
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
roots = {d["trace_id"]: d for d in docs if not d.get("parent_id")}
acme = {d["trace_id"] for d in docs if (d.get("annotations") or {}).get("tenant") == "acme"}
print("\n".join(sorted(t for t, r in roots.items() if t in acme and r["end_time"] - r["start_time"] > 1)))
EOF
sort "$T/out" >"$T/got"
check_file_eq "$T/got" "$T/want" "example 4: acme's traces slower than 1 s"
[ -s "$T/want" ] && ok "example 4: there are such traces" || not_ok "example 4: nothing to find"

# 5: one trace as a waterfall (the placeholder id replaced by a real one)
tid=$(tids "$W/traces.ndjson" | head -1)
cmd=$(ex 5)
case $cmd in *1-5759e988-bd862e3fe1be46a994272793*) ok "example 5 has the placeholder id" ;;
*) not_ok "example 5 changed: $cmd" ;; esac
runex "${cmd//1-5759e988-bd862e3fe1be46a994272793/$tid}"
check_rc 0 "example 5 runs with a real trace id"
check_eq "$(head -1 "$T/out" | cut -d' ' -f1-2)" "trace $tid" "example 5: the picture of that trace"
check_eq "$(($(wc -l <"$T/out") - 1))" "$($X spans "$W/traces.ndjson" --trace "$tid" | wc -l)" \
	"example 5: one row per span"
