#!/bin/sh
# Writes the seed expressions of fuzz_metrics_assert (one file each).
cd "$(dirname "$0")" || exit 1
i=0
while IFS= read -r line; do
	i=$((i + 1))
	printf '%s' "$line" >"seed-$i.txt"
done <<'SEEDS'
p99(InvocationLatency) < 4000
sum(InvocationThrottles) == 0
avg(InvocationLatency) <= 2500 and max(InvocationLatency) < 10000
(min(A) > 1 or count(B) != 0) && p99.9(TimeToFirstToken) >= 1e3
4000 > p50(My Metric) || sum(X)=-1.5
SEEDS
