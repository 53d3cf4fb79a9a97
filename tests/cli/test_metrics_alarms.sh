#!/usr/bin/env bash
# bq-metrics alarms against the local peers: --create makes the recommended
# set (per model, plus the account-wide logging-delivery alarms) with the
# documented thresholds, creating it again changes nothing, and the listing
# keeps to Bedrock namespaces and the selected models.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/peer/peer.sh"
[ -x "$BQ_BIN/bq-metrics" ] || { skip "bq-metrics not built"; exit 0; }
peer_start || { not_ok "peers start"; exit 1; }

M1=anthropic.claude-3-haiku-20240307-v1:0
M2=us.amazon.nova-lite-v1:0
run bq bq-metrics alarms
check_rc 0 "no alarms yet"
check_eq "$(wc -c <"$T/out")" 0 "nothing listed"

run bq bq-metrics alarms --create --model "$M1" --model "$M2"
check_rc 0 "create the recommended set for two models"
check_grep "9 alarms created or updated" "$T/err" "summary on stderr"
check_eq "$(jq -r .name "$T/out" | tr '\n' ' ')" \
	"bq/bedrock/$M1/throttles bq/bedrock/$M1/server-errors bq/bedrock/$M1/p99-latency bq/bedrock/$M2/throttles bq/bedrock/$M2/server-errors bq/bedrock/$M2/p99-latency bq/bedrock/logging/cloudwatch-delivery-failures bq/bedrock/logging/s3-delivery-failures bq/bedrock/logging/large-data-s3-delivery-failures " \
	"the created alarms are listed, with fixed names"
check_eq "$(jq -c 'select(.name|endswith("'"$M1"'/throttles")) | [.metric, .stat, .period, .threshold, .comparison, .evaluation_periods, .datapoints_to_alarm, .treat_missing_data, .model_id]' "$T/out")" \
	"[\"InvocationThrottles\",\"Sum\",300,10,\"GreaterThanThreshold\",3,2,\"notBreaching\",\"$M1\"]" \
	"throttles: Sum > 10 in 2 of 3 five-minute periods"
check_eq "$(jq -c 'select(.name|endswith("'"$M1"'/server-errors")) | [.metric, .stat, .threshold, .evaluation_periods, .datapoints_to_alarm]' "$T/out")" \
	'["InvocationServerErrors","Sum",0,3,2]' "server errors: Sum > 0 in 2 of 3"
check_eq "$(jq -c 'select(.name|endswith("'"$M2"'/p99-latency")) | [.metric, .stat, .threshold, .evaluation_periods, .datapoints_to_alarm, .treat_missing_data]' "$T/out")" \
	'["InvocationLatency","p99",10000,3,3,"missing"]' "latency: p99 > 10 s in 3 of 3"
check_eq "$(jq -c 'select(.name|endswith("logging/s3-delivery-failures")) | [.metric, .stat, .threshold, .dimensions, has("model_id")]' "$T/out")" \
	'["ModelInvocationLogsS3DeliveryFailure","Sum",0,{},false]' "logging failures: account-wide Sum > 0"

run bq bq-metrics alarms --create --model "$M1"
check_rc 0 "create again"
run bq bq-metrics alarms
check_eq "$(jq -r .name "$T/out" | sort | uniq -d | wc -l) $(wc -l <"$T/out")" "0 9" \
	"creating again updates the same alarms: still 9, no duplicates"
check_eq "$(head -1 "$T/out" | jq -c 'keys_unsorted[:6]')" '["kind","name","arn","description","state","state_reason"]' \
	"alarm record keys"

# An alarm outside Bedrock is not listed unless its namespace is asked for.
aws cloudwatch put-metric-alarm --alarm-name other-cpu --namespace AWS/EC2 \
	--metric-name CPUUtilization --statistic Average --period 300 \
	--evaluation-periods 1 --threshold 90 --comparison-operator GreaterThanThreshold \
	>/dev/null 2>&1 || not_ok "seed an EC2 alarm with the AWS CLI"
aws cloudwatch put-metric-alarm --alarm-name guardrail-latency --namespace AWS/Bedrock/Guardrails \
	--metric-name InvocationLatency --statistic Average --period 300 \
	--evaluation-periods 1 --threshold 900 --comparison-operator GreaterThanThreshold \
	>/dev/null 2>&1 || not_ok "seed a guardrails alarm with the AWS CLI"
run bq bq-metrics alarms
check_nogrep '"other-cpu"' "$T/out" "an EC2 alarm is not a Bedrock alarm"
check_grep '"name":"guardrail-latency"' "$T/out" "AWS/Bedrock/Guardrails alarms are Bedrock alarms"
run bq bq-metrics alarms --namespace AWS/EC2
check_eq "$(jq -r .name "$T/out")" other-cpu "--namespace lists another namespace"
run bq bq-metrics alarms --model "$M2" --jq .name
check_eq "$(tr '\n' ' ' <"$T/out")" \
	"bq/bedrock/$M2/throttles bq/bedrock/$M2/server-errors bq/bedrock/$M2/p99-latency " \
	"--model keeps to that model's alarms"

run bq bq-metrics alarms --create
check_rc 2 "--create needs --model"
run bq bq-metrics alarms --alarm-action arn:aws:sns:us-east-1:123456789012:t
check_rc 2 "--alarm-action needs --create"
run bq bq-metrics alarms --create --model "$M1" --alarm-action arn:aws:sns:us-east-1:123456789012:oncall
check_rc 0 "create with an alarm action"
check_eq "$(jq -r '.alarm_actions[0]' "$T/out" | sort -u)" arn:aws:sns:us-east-1:123456789012:oncall \
	"the action is on every alarm"
