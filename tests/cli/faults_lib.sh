# shellcheck shell=bash
# tests/cli/faults_lib.sh: helpers of the fault suite (tests/cli/test_faults_*.sh,
# issue 12).  Source it after tests/lib.sh and tests/peer/peer.sh.
#
# Each test starts the peers once (peer_start) and then, per command, a
# private tests/peer/faultproxy.py in front of the front peer ($BQ_PEER_URL),
# so every command meets the same seeded fault sequence from its first
# request on, whatever ran before it:
#   fault_proxy RULES     (re)starts it; exports FP_URL and FP_LOG (its
#                         one-line-per-request log, see faultproxy.py)
#   fault_rules_transient FILE
#                         about 30% transient faults: throttling, 500, 503,
#                         connection resets, truncated bodies, and answers
#                         held longer than the read timeout (FAULT_RT)
#   through_faults NAME CLEAN MIN -- CMD...
#                         runs CMD --endpoint-url $FP_URL with FAULT_ARGS
#                         (the client options of every faulty run) until
#                         the proxy has seen MIN requests (at least once,
#                         at most 12 runs); every run must exit 0 and print
#                         exactly CLEAN, byte for byte (every command the
#                         suite runs documents its output order)
#   check_kinds NAME      every fault kind of the transient rules fired
#   finding TEXT          a defect this suite found and reported but that
#                         is not fixed yet: "skip - FINDING TEXT", or
#                         "not ok" with BQ_FAULTS_STRICT=1
#   persistent NAME RULE CODE ATTEMPTS OP [WANT WHY] -- CMD...
#                         RULE fails OP forever: CMD --endpoint-url $FP_URL
#                         --max-attempts ATTEMPTS must exit 1 naming CODE,
#                         after exactly ATTEMPTS requests for OP (or WANT,
#                         for the reason WHY, where a tool documents that it
#                         sends a call again after the client's retries)
#
# The seed was chosen (python3 over faultproxy.load_rules) so that the
# transient rules fire every kind within the first 15 requests and 30 of
# the first 100, never more than two in a row: the backoff sleeps are real
# (rand * 1 s, 2 s, 4 s ... before retries 1, 2, 3), so long runs of faults
# on one request would make the suite slow.

FAULT_SEED=2731
# --read-timeout of faulty runs; slow faults hold requests 4 s.  Not 1 s:
# tests/run runs three files at once on two cores, and a peer that is
# merely slow must not look like a fault.
FAULT_RT=2
FAULT_ATTEMPTS=10
FAULT_ARGS=(--max-attempts "$FAULT_ATTEMPTS" --read-timeout "$FAULT_RT")
FAULT_KINDS="throttle 500 503 reset truncate slow"
_FP_N=0
_FP_PID=""

# faults_need TOOL: skips the whole file when TOOL is not built or the
# peers cannot run here.
faults_need() {
	if [ ! -x "$BQ_BIN/$1" ]; then
		skip "fault suite: $1 is not built (no $BQ_BIN/$1)"
		exit 0
	fi
	if ! python3 -c 'import moto, botocore' 2>/dev/null; then
		skip "fault suite for $1: the peers need python3 with moto and botocore"
		exit 0
	fi
	command -v jq >/dev/null || { skip "fault suite for $1: jq is missing"; exit 0; }
}

fault_rules_transient() {
	cat >"$1" <<'EOF'
# about 30% transient faults: 1 - 0.93 * 0.94^4 * 0.97 = 0.296
* throttle prob=0.07
* 500 prob=0.06
* 503 prob=0.06
* reset prob=0.06
* truncate prob=0.06
* slow prob=0.03 delay=4
EOF
}

fault_stop() {
	if [ -n "$_FP_PID" ]; then
		kill "$_FP_PID" 2>/dev/null
		wait "$_FP_PID" 2>/dev/null
	fi
	_FP_PID=""
	return 0
}

# fault_proxy RULES: a fresh proxy (seed FAULT_SEED) in front of the front peer.
fault_proxy() {
	local i
	fault_stop
	_FP_N=$((_FP_N + 1))
	FP_LOG=$T/fp.$_FP_N.ndjson
	: >"$FP_LOG"
	[ -n "${_FP_TRAPPED:-}" ] || { at_exit fault_stop; _FP_TRAPPED=1; }
	python3 "$TOP/tests/peer/faultproxy.py" --rules "$1" --seed "$FAULT_SEED" \
		--upstream "$BQ_PEER_URL" --port-file "$T/fp.$_FP_N.port" \
		--log "$FP_LOG" </dev/null >"$T/fp.$_FP_N.out" 2>&1 &
	_FP_PID=$!
	for ((i = 0; i < 400; i++)); do
		[ -s "$T/fp.$_FP_N.port" ] && break
		kill -0 "$_FP_PID" 2>/dev/null || break
		sleep 0.025
	done
	if [ ! -s "$T/fp.$_FP_N.port" ]; then
		not_ok "fault proxy starts"
		sed 's/^/#   /' "$T/fp.$_FP_N.out" | head -5
		return 1
	fi
	FP_URL=http://127.0.0.1:$(cat "$T/fp.$_FP_N.port")
	export FP_URL FP_LOG
}

# fault_count [KIND [OPERATION]]: requests the proxy saw (with that fault).
fault_count() {
	jq -s --arg k "${1:-}" --arg op "${2:-}" \
		'[.[] | select(($k == "" or .fault == $k) and ($op == "" or .operation == $op))] | length' "$FP_LOG"
}

# fault_summary: "N requests: K throttle, ..." of the current proxy.
fault_summary() {
	jq -rs '"\(length) requests, \([.[] | select(.fault)] | length) faulted (" +
		([group_by(.fault)[] | select(.[0].fault) | "\(length) \(.[0].fault)"] | join(", ")) + ")"' "$FP_LOG"
}

finding() {
	if [ "${BQ_FAULTS_STRICT:-}" = 1 ]; then not_ok "FINDING $*"
	else skip "FINDING $*"; fi
}

# check_kinds NAME: each transient kind fired at least once.
check_kinds() {
	local missing
	missing=$(jq -rs --arg kinds "$FAULT_KINDS" \
		'[.[] | .fault] as $f | [$kinds | split(" ")[] | select(. as $k | $f | index($k) | not)] | join(" ")' "$FP_LOG")
	if [ -z "$missing" ]; then ok "$1: every fault kind fired ($(fault_summary))"
	else not_ok "$1: fault kinds that never fired: $missing ($(fault_summary))"; fi
}

# through_faults NAME CLEAN MIN -- CMD...
through_faults() {
	local name=$1 clean=$2 min=$3 runs=0 bad=""
	shift 3
	[ "$1" = -- ] && shift
	while :; do
		runs=$((runs + 1))
		"$@" --endpoint-url "$FP_URL" "${FAULT_ARGS[@]}" >"$T/fout" 2>"$T/ferr"
		rc=$?
		if [ "$rc" != 0 ]; then
			bad="run $runs: status $rc"
			break
		fi
		if ! cmp -s "$T/fout" "$clean"; then
			bad="run $runs: output differs from the fault-free run"
			break
		fi
		[ "$(fault_count)" -ge "$min" ] && break
		[ "$runs" -ge 12 ] && break
	done
	if [ -z "$bad" ]; then
		ok "$name: $runs run(s) through $(fault_summary): each printed exactly the fault-free output ($(grep -c . "$clean") records)"
	else
		not_ok "$name: $bad ($(fault_summary))"
		sed 's/^/#   stderr: /' "$T/ferr" | head -5
		diff "$clean" "$T/fout" | head -10 | sed 's/^/#   /'
		# which records were lost or repeated
		sort "$clean" | uniq -c | sort >"$T/fc.want"
		sort "$T/fout" | uniq -c | sort >"$T/fc.got"
		echo "#   $(comm -23 "$T/fc.want" "$T/fc.got" | wc -l) record counts missing or wrong, $(comm -13 "$T/fc.want" "$T/fc.got" | wc -l) unexpected"
	fi
	[ -z "$bad" ]
}

# persistent NAME RULE CODE ATTEMPTS OP [WANT WHY] -- CMD...: RULE (a
# rules-file line) answers OP with an error forever.  CMD --endpoint-url
# $FP_URL --max-attempts ATTEMPTS must exit 1 with CODE on stderr after
# exactly ATTEMPTS (or WANT) requests for OP.
persistent() {
	local name=$1 rule=$2 code=$3 attempts=$4 op=$5 want=$4 why="" n
	shift 5
	if [ "$1" != -- ]; then want=$1 why=" ($2)"; shift 2; fi
	[ "$1" = -- ] && shift
	printf '%s\n' "$rule" >"$T/prules"
	fault_proxy "$T/prules" || return 1
	"$@" --endpoint-url "$FP_URL" --max-attempts "$attempts" >"$T/pout" 2>"$T/perr"
	rc=$?
	n=$(fault_count "" "$op")
	if [ "$rc" = 1 ]; then ok "$name: status 1"
	else not_ok "$name: status $rc, want 1"; sed 's/^/#   stderr: /' "$T/perr" | head -5; fi
	if grep -q -- "$code" "$T/perr"; then ok "$name: the message names $code ($(grep -m1 -- "$code" "$T/perr" | cut -c1-240))"
	else not_ok "$name: no $code on stderr"; sed 's/^/#   stderr: /' "$T/perr" | head -5; fi
	check_eq "$n" "$want" "$name: exactly $want $op requests for --max-attempts $attempts$why (the proxy's log)"
}
