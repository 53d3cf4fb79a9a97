#!/usr/bin/env bash
# Runs every EXAMPLES command of man/bq-trail.1, as written there, against
# the peers with the seeded world, and checks what each one prints.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/cli/trail_lib.sh"

man_examples "$TOP/man/bq-trail.1" 6

start_peers --world --records 120
ex() { sed -n "${1}p" "$T/examples"; }
# runex N: runs example N through the shell, as a reader would paste it.
runex() { bash -c "$(ex "$1")" >"$T/out" 2>"$T/err"; rc=$?; }

# 1: bq-trail --since 6h
runex 1
check_rc 0 "example 1 runs: $(ex 1)"
$X events "$W" >"$T/want"
same "example 1: the Bedrock events of the last six hours (the whole world)" "$T/out" "$T/want"

# 2: failed calls as TSV
runex 2
check_rc 0 "example 2 runs"
$X events "$W" --errors | python3 -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    print("\t".join([r["ts"], r.get("user", ""), r["event_name"], r["error_code"]]))' >"$T/want"
check_file_eq "$T/out" "$T/want" "example 2: ts, user, event and error code of every failed call"

# 3: cross-Region counts
runex 3
check_rc 0 "example 3 runs"
$X events "$W" | python3 -c '
import collections, json, sys
c = collections.Counter(json.loads(l).get("inference_region") for l in sys.stdin)
c.pop(None, None)
for k in sorted(c):
    print("%7d %s" % (c[k], k))' >"$T/want"
check_file_eq "$T/out" "$T/want" "example 3: events per inference Region"

# 4: one user as a table
runex 4
check_rc 0 "example 4 runs"
check_grep '^ts +event_name +model_id *$' "$T/out" "example 4: a table with the three columns"
check_eq "$(($(wc -l <"$T/out") - 1))" "$($X events "$W" --user alice | wc -l)" "example 4: one row per event of alice"

# 5: data events from the trail files
runex 5
check_rc 0 "example 5 runs"
$X events "$W" --all-categories --event InvokeAgent --event Retrieve --event ApplyGuardrail >"$T/want"
same "example 5: agent, knowledge-base and guardrail events from S3" "$T/out" "$T/want"
[ -s "$T/want" ] && ok "example 5: the world has such events" || not_ok "example 5: no data events seeded"

# 6: hosts of Converse calls
runex 6
check_rc 0 "example 6 runs"
$X events "$W" --raw --event Converse | python3 -c '
import json, sys
print("\n".join(sorted({json.loads(l)["tlsDetails"]["clientProvidedHostHeader"] for l in sys.stdin})))' >"$T/want"
check_file_eq "$T/out" "$T/want" "example 6: the hosts Converse was called on"
