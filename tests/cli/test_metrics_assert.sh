#!/usr/bin/env bash
# bq-metrics --assert against the local peers: whole-window statistics are
# CloudWatch's own (an exact p99 over every sample, not an average of
# per-period p99s), each model is checked on its own, a false assertion
# exits 4 naming the expression, the model and the measured value, "no data"
# follows the documented rules, and a bad expression is a usage error.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/peer/peer.sh"
[ -x "$BQ_BIN/bq-metrics" ] || { skip "bq-metrics not built"; exit 0; }
python3 -c 'import boto3' 2>/dev/null || { skip "no boto3 to seed metrics"; exit 0; }
peer_start || { not_ok "peers start"; exit 1; }

SEED="python3 $TOP/tests/cli/metrics_seed.py"
now=$(date +%s)
A=$(( now / 300 * 300 - 3300 ))
E=$(( A + 3000 ))
$SEED seed --anchor "$A" --out "$T/samples" || { not_ok "seed"; exit 1; }
W=(--since "@$A" --until "@$E")
win() { $SEED window --samples "$T/samples" --start "$A" --end "$E" --series "$1"; }

p_alpha=$(win "m-alpha|InvocationLatency|p99")
p_beta=$(win "m-beta|InvocationLatency|p99")
# The mean of the per-period p99s, which a naive gate would compute.
p_naive=$($SEED expect --samples "$T/samples" --start "$A" --end "$E" --period 300 \
	--series "m-alpha|InvocationLatency|p99" | jq -s 'map(.value) | add / length')
check_eq "$(python3 -c "print($p_alpha != $p_naive and $p_alpha < $p_beta)")" True \
	"fixture: window p99 differs from the mean of period p99s ($p_alpha vs $p_naive)"

# --- exact whole-window percentile -----------------------------------------
run bq bq-metrics "${W[@]}" --model m-alpha --assert "p99(InvocationLatency) == $p_alpha"
check_rc 0 "p99 over the window equals CloudWatch's p99 of every sample"
check_eq "$(jq -r '.values["p99(InvocationLatency)"]' "$T/out")" "$(python3 -c "print('%g' % $p_alpha)")" \
	"assertion record carries the measured value"
check_eq "$(jq -r '[.kind, .expr, .model_id, .ok] | @tsv' "$T/out")" \
	"$(printf 'assertion\tp99(InvocationLatency) == %s\tm-alpha\ttrue' "$p_alpha")" \
	"assertion record: kind, expr, model, ok"
check_eq "$(jq -r '.since + " " + .until' "$T/out")" \
	"$(date -u -d "@$A" +%FT%TZ) $(date -u -d "@$E" +%FT%TZ)" "record names the window"

# --- one model fails: exit 4, message on stderr ----------------------------
mid=$(python3 -c "print(($p_alpha + $p_beta) / 2)")
run bq bq-metrics "${W[@]}" --model m-alpha --model m-beta \
	--assert "p99(InvocationLatency) < $mid"
check_rc 4 "a false assertion for one model exits 4"
check_grep "assertion failed for model m-beta: 'p99\(InvocationLatency\) < $mid' \(p99\(InvocationLatency\) = $(python3 -c "print('%g' % $p_beta)")\)" \
	"$T/err" "stderr names the model, the expression and the measured value"
check_nogrep "model m-alpha" "$T/err" "the passing model is not reported"
check_eq "$(jq -r '[.model_id, .ok] | @tsv' "$T/out" | tr '\n' ' ')" \
	"$(printf 'm-alpha\ttrue m-beta\tfalse ')" "one record per model, each checked on its own"
check_grep "1 of 2 assertion checks failed" "$T/err" "summary of the failures"

# --- sums, counts, and/or, every discovered model ---------------------------
s_alpha=$(win "m-alpha|Invocations|Sum" | sed 's/\.0$//')
run bq bq-metrics "${W[@]}" --assert "sum(Invocations) == $s_alpha or count(Invocations) == 20" \
	--assert "count(InvocationLatency) == 70 && min(InvocationLatency) > 0"
check_rc 0 "sum/count/min with and/or hold for every model"
check_eq "$(jq -r .model_id "$T/out" | sort -u | wc -l)" 3 "every discovered model is checked"
check_eq "$(jq -s length "$T/out")" 6 "2 expressions x 3 models"
check_eq "$(jq -r 'select(.model_id=="m-alpha" and (.expr|startswith("sum"))) | .values["sum(Invocations)"]' "$T/out")" \
	"$s_alpha" "exact window sum"
check_eq "$(grep -c '"operation":"GetMetricData"' "$BQ_PEER_DIR/requests.ndjson")" 3 \
	"one GetMetricData call per run so far (all models and terms together)"

# --- no data ---------------------------------------------------------------
run bq bq-metrics "${W[@]}" --model m-alpha --assert 'sum(InvocationThrottles) == 0' \
	--assert 'count(InvocationThrottles) < 1'
check_rc 0 "sum and count of a metric without data are 0"
check_eq "$(jq -c .values "$T/out" | tr '\n' ' ')" \
	'{"sum(InvocationThrottles)":0} {"count(InvocationThrottles)":0} ' "and say 0"
run bq bq-metrics "${W[@]}" --model m-alpha --assert 'avg(TimeToFirstToken) < 100'
check_rc 4 "any other statistic without data fails"
check_grep "avg\(TimeToFirstToken\) = no data" "$T/err" "as \"no data\""
check_eq "$(jq -c .values "$T/out")" '{}' "values leave out what had no data"

# --- usage errors, and nothing to check ------------------------------------
n0=$(wc -l <"$BQ_PEER_DIR/requests.ndjson")
run bq bq-metrics --assert 'p99(InvocationLatency) <'
check_rc 2 "a bad expression is a usage error"
check_grep "bad assertion 'p99\(InvocationLatency\) <': expected a number at column 25" "$T/err" \
	"the error names the text and the column"
run bq bq-metrics --assert 'median(X) < 3'
check_rc 2 "an unknown statistic"
check_grep "unknown statistic 'median'" "$T/err" "names it"
run bq bq-metrics --assert 'sum(X) == 0' --stat p99
check_rc 2 "--assert with --stat"
check_eq "$(wc -l <"$BQ_PEER_DIR/requests.ndjson")" "$n0" "no request for usage errors"
run bq bq-metrics "${W[@]}" --namespace BQ/Nothing --assert 'sum(X) == 0'
check_rc 4 "nothing to check fails the gate"
check_grep "no metric in BQ/Nothing" "$T/err" "and says so"
