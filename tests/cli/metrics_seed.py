#!/usr/bin/env python3
"""Seeds CloudWatch metrics for the bq-metrics tests and computes what
bq-metrics must print, independently of it.

  metrics_seed.py seed --anchor T --out FILE [--bulk N]
      Publishes a small Bedrock world through the peers (boto3, so every
      request is botocore-signed and goes through the front like the AWS CLI's
      would) and writes every sample to FILE (JSON lines: ts, namespace,
      metric, dimensions, value).  T (epoch seconds) is the start of ten
      5-minute buckets; it must be a multiple of 300.  --bulk N adds N models
      "bulk-NNN" with one Invocations and one InputTokenCount sample each.
  metrics_seed.py world --world DIR --out FILE
      The same sample file from the world's metrics.ndjson (Values/Counts
      expanded), for ground-truth checks against --world peers.
  metrics_seed.py expect --samples FILE --start S --end E --period P
                         --series MODEL|METRIC|STAT ...  [--ns NS]
      The datapoint records bq-metrics get must print for those series, in
      the order it must print them (time, then series as listed).
  metrics_seed.py window --samples FILE --series MODEL|METRIC|STAT --start S --end E
      One whole-window statistic (what --assert sees), or "nodata".
  metrics_seed.py windows --samples FILE
      Many of those at once: reads "START END MODEL|METRIC|STAT" lines on
      stdin and prints one value (or "nodata") per line.
  metrics_seed.py compare WANT GOT
      Compares two NDJSON files record by record: same keys and order, equal
      strings, numbers equal within 1e-9 relative.  Prints "ok" or the first
      difference.

Statistics follow CloudWatch (and the peer): Sum, SampleCount, Average,
Minimum, Maximum, and pNN by nearest rank (the value at rank ceil(p/100*n)).
"""
import argparse
import json
import math
import os
import sys

MODELS = ["m-alpha", "m-beta",
          "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123"]


def samples_for(anchor, bulk):
    out = []

    def add(ts, metric, dims, value, unit, ns="AWS/Bedrock"):
        out.append({"ts": ts, "namespace": ns, "metric": metric, "dimensions": dims,
                    "value": value, "unit": unit})

    for i, m in enumerate(MODELS):
        d = {"ModelId": m}
        for b in range(10):
            t = anchor + 300 * b
            add(t + 10, "Invocations", d, (i + 1) * (b + 1), "Count")
            add(t + 100, "Invocations", d, 1, "Count")
            for j in range(7):
                # Latencies whose per-bucket p99s average to something other
                # than the whole-window p99.
                add(t + 20 + 30 * j, "InvocationLatency", d,
                    100 * (i + 1) + 13 * ((b * 7 + j * 5) % 11) + (400 if b == 3 and j == 6 else 0) + 0.5 * (j % 2),
                    "Milliseconds")
            add(t + 40, "InputTokenCount", d, 1000 * (i + 1) + b, "Count")
        if i == 1:
            for b in range(10):
                add(anchor + 300 * b + 50, "CacheReadInputTokenCount", d, 7 * b, "Count")
    # Not models: image dimensions, and an account-wide delivery metric.
    add(anchor + 60, "OutputImageCount", {"ModelId": "m-image", "ImageSize": "1024"}, 2, "Count")
    add(anchor + 60, "ModelInvocationLogsS3DeliverySuccess", {}, 1, "Count")
    for k in range(bulk):
        d = {"ModelId": "bulk-%03d" % k}
        add(anchor + 1200 + 10, "Invocations", d, k + 1, "Count")
        add(anchor + 1200 + 20, "InputTokenCount", d, 10 * k, "Count")
    return out


def publish(samples):
    import boto3
    cw = boto3.client("cloudwatch", endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                      region_name=os.environ.get("AWS_REGION", "us-east-1"))
    by_ns = {}
    for s in samples:
        datum = {"MetricName": s["metric"], "Timestamp": s["ts"], "Value": s["value"],
                 "Unit": s["unit"],
                 "Dimensions": [{"Name": k, "Value": v} for k, v in s["dimensions"].items()]}
        by_ns.setdefault(s["namespace"], []).append(datum)
    for ns, data in by_ns.items():
        # Small requests: botocore gzips PutMetricData bodies over 10 KiB.
        for i in range(0, len(data), 40):
            cw.put_metric_data(Namespace=ns, MetricData=data[i:i + 40])


def stat_of(values, stat):
    if not values:
        return None
    if stat == "Sum":
        return float(sum(values))
    if stat == "SampleCount":
        return float(len(values))
    if stat == "Average":
        return float(sum(values)) / len(values)
    if stat == "Minimum":
        return float(min(values))
    if stat == "Maximum":
        return float(max(values))
    if stat.startswith("p"):
        v = sorted(values)
        rank = max(1, int(math.ceil(float(stat[1:]) / 100.0 * len(v))))
        return float(v[rank - 1])
    raise SystemExit("unknown stat " + stat)


UNITS = {"InvocationLatency": "Milliseconds", "TimeToFirstToken": "Milliseconds"}


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def parse_series(text):
    model, metric, stat = text.split("|")
    return model, metric, stat


def matching(samples, ns, model, metric, start, end):
    dims = {"ModelId": model} if model else {}
    return [s for s in samples if s["namespace"] == ns and s["metric"] == metric and
            s["dimensions"] == dims and start <= s["ts"] < end]


def fmt_ts(t):
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def expect(args):
    samples = load(args.samples)
    series = [parse_series(s) for s in args.series]
    rows = []
    for idx, (model, metric, stat) in enumerate(series):
        buckets = {}
        for s in matching(samples, args.ns, model, metric, args.start, args.end):
            b = int(s["ts"] // args.period * args.period)
            buckets.setdefault(b, []).append(s["value"])
        for b, vals in buckets.items():
            v = stat_of(vals, stat)
            rec = {"kind": "datapoint", "ts": fmt_ts(b), "namespace": args.ns, "metric": metric,
                   "dimensions": {"ModelId": model} if model else {}}
            if model:
                rec["model_id"] = model
            rec.update({"stat": stat, "period": args.period,
                        "value": int(v) if v == int(v) else v})
            unit = "Count" if stat == "SampleCount" else UNITS.get(metric, "Count")
            if args.ns.startswith("AWS/Bedrock"):
                rec["unit"] = unit
            rows.append((b, idx, rec))
    rows.sort(key=lambda r: (r[0], r[1]))
    for _, _, rec in rows:
        print(json.dumps(rec, separators=(",", ":")))


def window(args):
    samples = load(args.samples)
    model, metric, stat = parse_series(args.series)
    vals = [s["value"] for s in matching(samples, args.ns, model, metric, args.start, args.end)]
    v = stat_of(vals, stat)
    print("nodata" if v is None else repr(v))


def windows(args):
    samples = load(args.samples)
    for line in sys.stdin:
        if not line.strip():
            continue
        start, end, series = line.rstrip("\n").split(" ", 2)
        model, metric, stat = parse_series(series)
        vals = [s["value"] for s in matching(samples, args.ns, model, metric, int(start), int(end))]
        v = stat_of(vals, stat)
        print("nodata" if v is None else repr(v))


def world(args):
    out = []
    with open(os.path.join(args.world, "metrics.ndjson")) as f:
        for line in f:
            m = json.loads(line)
            import calendar
            import time
            ts = calendar.timegm(time.strptime(m["ts"], "%Y-%m-%dT%H:%M:%SZ"))
            for v, c in zip(m["values"], m["counts"]):
                for _ in range(int(c)):
                    out.append({"ts": ts, "namespace": m["namespace"], "metric": m["metric"],
                                "dimensions": m["dimensions"], "value": v, "unit": m["unit"]})
    with open(args.out, "w") as f:
        for s in out:
            f.write(json.dumps(s) + "\n")


def same(a, b, path):
    if isinstance(a, bool) or isinstance(b, bool):
        return None if a is b else "%s: %r != %r" % (path, a, b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b)):
            return None
        return "%s: %r != %r" % (path, a, b)
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return "%s: keys %s != %s" % (path, list(a), list(b))
        for k in a:
            d = same(a[k], b[k], path + "." + k)
            if d:
                return d
        return None
    return None if a == b else "%s: %r != %r" % (path, a, b)


def compare(args):
    want, got = load(args.want), load(args.got)
    for i, (w, g) in enumerate(zip(want, got)):
        d = same(w, g, "record %d" % (i + 1))
        if d:
            print(d)
            return 1
    if len(want) != len(got):
        print("%d records, want %d" % (len(got), len(want)))
        return 1
    print("ok")
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("seed")
    p.add_argument("--anchor", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--bulk", type=int, default=0)
    p = sub.add_parser("world")
    p.add_argument("--world", required=True)
    p.add_argument("--out", required=True)
    for name in ("expect", "window"):
        p = sub.add_parser(name)
        p.add_argument("--samples", required=True)
        p.add_argument("--start", type=int, required=True)
        p.add_argument("--end", type=int, required=True)
        p.add_argument("--ns", default="AWS/Bedrock")
        if name == "expect":
            p.add_argument("--period", type=int, required=True)
            p.add_argument("--series", nargs="+", required=True)
        else:
            p.add_argument("--series", required=True)
    p = sub.add_parser("windows")
    p.add_argument("--samples", required=True)
    p.add_argument("--ns", default="AWS/Bedrock")
    p = sub.add_parser("compare")
    p.add_argument("want")
    p.add_argument("got")
    args = ap.parse_args()
    if args.cmd == "seed":
        if args.anchor % 300:
            raise SystemExit("--anchor must be a multiple of 300")
        s = samples_for(args.anchor, args.bulk)
        publish(s)
        with open(args.out, "w") as f:
            for x in s:
                f.write(json.dumps(x) + "\n")
    elif args.cmd == "world":
        world(args)
    elif args.cmd == "expect":
        expect(args)
    elif args.cmd == "window":
        window(args)
    elif args.cmd == "windows":
        windows(args)
    else:
        sys.exit(compare(args))


if __name__ == "__main__":
    main()
