#!/bin/sh
# Writes the seed expressions of fuzz_timeexpr (one file each).
cd "$(dirname "$0")" || exit 1
i=0
while IFS= read -r line; do
	i=$((i + 1))
	printf '%s' "$line" >"seed-$i.txt"
done <<'SEEDS'
now
90s
1h30m
2w3d4h5m6s250ms
2026-11-26T10:00:00Z
2026-11-26T10:00:00.250+01:00
2026-11-26 10:00
2024-02-29t23:59:60,999999-0530
2026-11-26
@1700000000
@-1.5
15x
SEEDS
