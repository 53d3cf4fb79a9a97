#!/usr/bin/env bash
# Fault suite (issue 12): credentials that expire mid-run are refreshed.
#  - credential_process handing out credentials that expire 303 s ahead:
#    the client refreshes 300 s before expiry (lib/creds.h), so they go
#    stale 3 s into a bq-trail run that its pacing (2 pages a second) keeps
#    going for over 6 s; the process must run again, but not per request.
#  - a container credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI,
#    a small server here) handing out credentials that expire 2 s ahead,
#    under bq-logs --follow: every poll, also after the first credentials
#    expired, is signed with credentials that have not expired.
# The keys are the ones the peers accept.  The front checks signatures but
# not session tokens, so the process hands out a token that changes with
# each issue (it must never show in --debug output); moto (behind the
# front for CloudWatch Logs) rejects tokens its STS did not issue, and the
# front rejects the keys moto's STS issues, so the container endpoint
# hands out keys without a token.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/peer/peer.sh"
source "$TOP/tests/cli/faults_lib.sh"
faults_need bq-trail
SIGEXP="python3 $TOP/tests/cli/sigexp_check.py"

peer_start --world --records 120 --trail-rps 0 || { not_ok "peers start"; exit 1; }
M=$BQ_PEER_DIR/world/manifest.json
WS=$(jq -r .window_start "$M") WE=$(jq -r .window_end "$M") GROUP=$(jq -r .log_group "$M")
REQ=$BQ_PEER_DIR/requests.ndjson

# issue.py CALLS LIFE: credential_process output; each issue is logged to
# CALLS as "time expiration".  Also imported by the container endpoint.
cat >"$T/issue.py" <<'PY'
import json, sys, time
def issue(calls, life, token_key="SessionToken"):
    now = time.time()
    with open(calls, "a") as f:
        f.write("%.3f %.0f\n" % (now, now + life))
    return {"AccessKeyId": "AKIAPEERTEST00000001", "SecretAccessKey": "peer-secret-key",
            token_key: "peer-session-%d" % (now * 1000),
            "Expiration": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + life))}
if __name__ == "__main__":
    print(json.dumps(dict(issue(sys.argv[1], float(sys.argv[2])), Version=1)))
PY

# --- credential_process, stale after 3 s, over a 13-page paced run ---
trail=(bq bq-trail --since "$WS" --until "$WE" --page-size 10)
run bq bq-trail --since "$WS" --until "$WE" -q # the same events in 3 pages
check_rc 0 "bq-trail with the peers' static keys"
cp "$T/out" "$T/clean.trail"
printf '[default]\ncredential_process = python3 %s %s 303\n' "$T/issue.py" "$T/proc.calls" >"$T/config"
before=$(wc -l <"$REQ")
(
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	export AWS_CONFIG_FILE=$T/config
	run "${trail[@]}" --debug
	echo "$rc" >"$T/rc"
)
rc=$(cat "$T/rc")
check_rc 0 "credential_process: the run succeeds"
grep '^{' "$T/out" >"$T/got"
check_file_eq "$T/got" "$T/clean.trail" "credential_process: every event, as with static keys"
calls=$(grep -c . "$T/proc.calls")
pages=$(tail -n +$((before + 1)) "$REQ" | grep -c '"LookupEvents"')
if [ "$calls" -ge 2 ] && [ "$calls" -lt "$pages" ]; then
	ok "credential_process run again as the credentials went stale ($calls times for $pages requests)"
else
	not_ok "credential_process ran $calls times for $pages requests (want 2 or more, fewer than the requests)"
fi
check_eq "$(grep -c '^\* credentials from process' "$T/err")" "$calls" "credential_process: each issue is logged by --debug"
check_eq "$($SIGEXP <"$T/err")" "ok $pages $calls" "credential_process: no request signed with expired credentials"
check_eq "$(tail -n +$((before + 1)) "$REQ" | jq -r .sig | sort | uniq -c | tr -s ' ')" \
	" $pages ok" "credential_process: the front verified every signature"
check_nogrep 'peer-session-|peer-secret-key' "$T/err" "credential_process: the secret key and session tokens never show in --debug"

# --- container credentials expiring 4 s ahead, under --follow ---
if [ ! -x "$BQ_BIN/bq-logs" ]; then
	skip "container credentials under --follow: bq-logs is not built"
	exit 0
fi
cat >"$T/container.py" <<'PY'
import http.server, json, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import issue
calls, portfile = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def do_GET(self):
        if self.path != "/creds" or self.headers.get("Authorization") != "peer-container-token":
            self.send_response(403)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        creds = issue.issue(calls, 2, "Token")
        del creds["Token"]
        body = json.dumps(creds).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
s = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(portfile + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
os.rename(portfile + ".tmp", portfile)
s.serve_forever()
PY
python3 "$T/container.py" "$T/cont.calls" "$T/cont.port" </dev/null >"$T/cont.log" 2>&1 &
cpid=$!
at_exit "kill $cpid 2>/dev/null; wait $cpid 2>/dev/null"
for ((i = 0; i < 400; i++)); do [ -s "$T/cont.port" ] && break; sleep 0.025; done
run bq bq-logs --log-group "$GROUP" --since "$WS" --no-bodies -q
cp "$T/out" "$T/clean.logs"
before=$(wc -l <"$REQ")
(
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:$(cat "$T/cont.port")/creds
	export AWS_CONTAINER_CREDENTIALS_FULL_URI
	export AWS_CONTAINER_AUTHORIZATION_TOKEN=peer-container-token
	exec "$BQ_BIN/bq-logs" --log-group "$GROUP" --since "$WS" --no-bodies -q \
		--follow --interval 0.5 --debug >"$T/fol.out" 2>"$T/fol.err"
) &
fpid=$!
at_exit "kill $fpid 2>/dev/null; wait $fpid 2>/dev/null"
# "N first_expiration last_call" of the endpoint's log
cont_calls() {
	python3 -c '
import sys
try:
    c = [l.split() for l in open(sys.argv[1]) if l.strip()]
except OSError:
    c = []
print(len(c), c[0][1] if c else 0, c[-1][0] if c else 0)' "$T/cont.calls"
}
# wait until the endpoint was asked after the first credentials expired,
# and two polls more (30 s at most)
for ((i = 0; i < 600; i++)); do
	read -r n first_exp last < <(cont_calls)
	if awk -v l="$last" -v e="$first_exp" 'BEGIN { exit !(l > e + 1) }'; then
		sleep 1
		break
	fi
	kill -0 "$fpid" 2>/dev/null || break
	sleep 0.05
done
alive=1
kill -0 "$fpid" 2>/dev/null || alive=0
kill "$fpid" 2>/dev/null
wait "$fpid" 2>/dev/null
check_eq "$alive" 1 "container: --follow still running after its first credentials expired"
read -r n first_exp last < <(cont_calls)
if awk -v l="$last" -v e="$first_exp" 'BEGIN { exit !(l > e + 1) }'; then
	ok "container: the endpoint was asked again after the first credentials expired ($n times)"
else
	not_ok "container: endpoint asked $n times, the last at $last, first credentials expiring at $first_exp"
fi
check_file_eq "$T/fol.out" "$T/clean.logs" "container: --follow printed the history once"
res=$($SIGEXP <"$T/fol.err")
check_eq "${res%% *}" ok "container: no request signed with expired credentials ($res)"
check_eq "$(tail -n +$((before + 1)) "$REQ" | jq -r .sig | sort -u | tr '\n' ' ')" "ok " \
	"container: the front verified every signature"
check_nogrep 'peer-container-token' "$T/fol.err" "container: the authorization token never shows in --debug"
if grep -q 'peer-secret-key' "$T/fol.err"; then
	finding "container: --debug prints the credentials endpoint's answer with the secret access key in clear: $(grep -m1 -o '< {"AccessKeyId.\{0,60\}' "$T/fol.err")"
else
	ok "container: the secret access key never shows in --debug"
fi
check_nogrep '^bq-logs: ' "$T/fol.err" "container: no message from bq-logs on stderr (-q)"
