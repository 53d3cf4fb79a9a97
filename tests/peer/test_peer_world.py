#!/usr/bin/env python3
"""The AWS CLI v1 reads every seeded service back through the front peer and
gets exactly the seeded world (tests/data/gen_world.py ground truth)."""

import base64
import gzip
import json
import math
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peertest import Peers, done, eq, ok, skip  # noqa: E402


def load_ndjson(p):
    with open(p) as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    if shutil.which("aws") is None:
        skip("the AWS CLI (aws) is not installed")
        done()
    try:
        import moto  # noqa: F401
    except ImportError:
        skip("python3 has no moto (pip install 'moto[server]')")
        done()
    p = Peers("--world", "--seed", "5", "--records", "240", "--trail-rps", "0")
    man = p.manifest()
    W = p.world
    inv_lines = [line.rstrip("\n") for line in open(os.path.join(W, "invocations.ndjson")) if line.strip()]
    invs = [json.loads(line) for line in inv_lines]
    start, end = man["window_start"], man["window_end"]

    # ---- S3: listing and objects byte for byte
    rc, out, err = p.aws("s3api", "list-objects-v2", "--bucket", man["bucket"], "--prefix", man["s3_log_prefix"])
    got = sorted(o["Key"] for o in (out or {}).get("Contents", []))
    base = os.path.join(W, "s3", man["bucket"])
    want = sorted(os.path.relpath(os.path.join(d, f), base) for d, _, fs in os.walk(base) for f in fs
                  if os.path.relpath(os.path.join(d, f), base).startswith(man["s3_log_prefix"]))
    eq(got, want, "s3api list-objects-v2 lists every seeded log object")
    logs = [k for k in got if "/data/" not in k]
    datas = [k for k in got if "/data/" in k]
    ok(len(logs) == man["s3_objects"] and len(datas) == man["large_bodies"] > 0,
       "log objects and offloaded bodies are all there", (len(logs), len(datas), man))
    seen_lines = []
    for key in [logs[0], logs[-1]] + datas[:1]:
        dst = os.path.join(p.dir, "obj")
        rc, out, err = p.aws("s3api", "get-object", "--bucket", man["bucket"], "--key", key, dst)
        with open(dst, "rb") as f:
            body = f.read()
        with open(os.path.join(base, key), "rb") as f:
            ok(body == f.read(), "s3api get-object returns the seeded bytes of %s" % key.rsplit("/", 1)[-1], err)
        if key in logs:
            seen_lines += gzip.decompress(body).decode().splitlines()
    rc, out, err = p.aws("s3api", "head-object", "--bucket", man["bucket"], "--key", logs[0])
    eq((out or {}).get("ContentLength"), os.path.getsize(os.path.join(base, logs[0])), "s3api head-object gives the size")
    ok(all(line in inv_lines for line in seen_lines) and len(seen_lines) > 0,
       "log objects hold invocation records verbatim")
    rx = r"^%s\d{4}/\d\d/\d\d/\d\d/\d{8}T\d{9}Z_[0-9a-f]{16}\.json\.gz$" % man["s3_log_prefix"]
    import re
    ok(all(re.match(rx, k) for k in logs), "log object keys follow the hourly layout", logs[:3])

    # ---- CloudWatch Logs
    rc, out, err = p.aws("logs", "filter-log-events", "--log-group-name", man["log_group"])
    msgs = [e["message"] for e in (out or {}).get("events", [])]
    eq(len(msgs), len(inv_lines), "logs filter-log-events returns every record")
    ok(msgs == inv_lines, "log events are the records, in order")
    streams = {e["logStreamName"] for e in (out or {}).get("events", [])}
    eq(streams, {man["log_stream"]}, "log stream is aws/bedrock/modelinvocations")

    # ---- CloudWatch metrics
    mets = load_ndjson(os.path.join(W, "metrics.ndjson"))
    rc, out, err = p.aws("cloudwatch", "list-metrics", "--namespace", "AWS/Bedrock")
    listed = [(m["MetricName"], tuple(sorted((d["Name"], d["Value"]) for d in m.get("Dimensions", []))))
              for m in (out or {}).get("Metrics", [])]
    want = sorted({(m["metric"], tuple(sorted(m["dimensions"].items()))) for m in mets})
    eq(sorted(listed), want, "cloudwatch list-metrics lists each seeded metric once")
    model = "us.anthropic.claude-3-5-haiku-20241022-v1:0"

    def samples(metric, period):
        b = {}
        for m in mets:
            if m["metric"] == metric and m["dimensions"].get("ModelId") == model:
                from datetime import datetime
                t = int(datetime.fromisoformat(m["ts"].replace("Z", "+00:00")).timestamp())
                for v, c in zip(m["values"], m["counts"]):
                    b.setdefault(t // period * period, []).extend([v] * c)
        return b

    def q(qid, metric, stat, period):
        return {"Id": qid, "MetricStat": {"Metric": {"Namespace": "AWS/Bedrock", "MetricName": metric,
                                                     "Dimensions": [{"Name": "ModelId", "Value": model}]},
                                          "Period": period, "Stat": stat}}
    queries = [q("inv", "Invocations", "Sum", 300), q("lat", "InvocationLatency", "p90", 900),
               q("tok", "InputTokenCount", "Average", 3600), q("p999", "InvocationLatency", "p99.9", 3600)]
    rc, out, err = p.aws("cloudwatch", "get-metric-data", "--start-time", start, "--end-time", end,
                         "--scan-by", "TimestampAscending", "--page-size", "7",
                         "--metric-data-queries", json.dumps(queries))
    res = {}
    for r in (out or {}).get("MetricDataResults", []):
        e = res.setdefault(r["Id"], ([], []))
        e[0].extend(r["Timestamps"])
        e[1].extend(r["Values"])
    ok(rc == 0, "cloudwatch get-metric-data with percentiles and MaxDatapoints paging", err)

    def iso(t):
        import time as _t
        return _t.strftime("%Y-%m-%dT%H:%M:%S", _t.gmtime(t))

    def ts(x):
        # the CLI prints epoch numbers or ISO strings depending on its settings
        if isinstance(x, (int, float)):
            return iso(x)
        return x[:19]

    def nearest(vals, pct):
        s = sorted(vals)
        return float(s[max(1, math.ceil(pct / 100 * len(s))) - 1])
    b = samples("Invocations", 300)
    eq([(ts(x), y) for x, y in zip(*res.get("inv", ([], [])))], [(iso(t), float(sum(b[t]))) for t in sorted(b)],
       "Invocations Sum per 5 minutes matches the seeded samples")
    b = samples("InvocationLatency", 900)
    eq([(ts(x), y) for x, y in zip(*res.get("lat", ([], [])))], [(iso(t), nearest(b[t], 90)) for t in sorted(b)],
       "InvocationLatency p90 per 15 minutes (nearest rank)")
    b = samples("InputTokenCount", 3600)
    got = [(ts(x), round(y, 6)) for x, y in zip(*res.get("tok", ([], [])))]
    eq(got, [(iso(t), round(sum(b[t]) / len(b[t]), 6)) for t in sorted(b)], "InputTokenCount Average per hour")
    b = samples("InvocationLatency", 3600)
    eq(res.get("p999", ([], []))[1], [nearest(b[t], 99.9) for t in sorted(b)], "p99.9 works")
    succ = [r for r in invs if r["modelId"] == model and "errorCode" not in r]
    ok(sum(sum(v) for v in samples("InputTokenCount", 60).values()) == sum(r["input"]["inputTokenCount"] for r in succ),
       "metrics agree with the logs (input tokens)")
    pages = [r for r in p.requests() if r.get("operation") == "GetMetricData"]
    ok(len(pages) >= 2, "get-metric-data was paged (%d requests)" % len(pages))

    # ---- CloudTrail
    trail = load_ndjson(os.path.join(W, "cloudtrail.ndjson"))
    mgmt = [r for r in trail if r["eventCategory"] == "Management" and r["eventSource"] == "bedrock.amazonaws.com"]
    mgmt.sort(key=lambda r: (r["eventTime"], r["eventID"]), reverse=True)
    rc, out, err = p.aws("cloudtrail", "lookup-events", "--start-time", start, "--end-time", end,
                         "--lookup-attributes", "AttributeKey=EventSource,AttributeValue=bedrock.amazonaws.com")
    evs = (out or {}).get("Events", [])
    eq([e["EventId"] for e in evs], [r["eventID"] for r in mgmt],
       "cloudtrail lookup-events: every Bedrock management event, newest first")
    ok(all(json.loads(e["CloudTrailEvent"]) == r for e, r in zip(evs, mgmt)), "CloudTrailEvent is the seeded record")
    ids = {r["requestId"] for r in invs}
    ok(ids <= {r["requestID"] for r in trail}, "every invocation's requestId joins a CloudTrail requestID")
    rc, out, err = p.aws("cloudtrail", "lookup-events", "--lookup-attributes",
                         "AttributeKey=Username,AttributeValue=alice", "--page-size", "7")
    want = [r["eventID"] for r in sorted(trail, key=lambda r: (r["eventTime"], r["eventID"]), reverse=True)
            if r["eventCategory"] == "Management" and r["userIdentity"].get("userName") == "alice"]
    eq([e["EventId"] for e in (out or {}).get("Events", [])], want, "lookup by Username, paged by 7")
    ok(not any(r["eventCategory"] == "Data" and r["eventID"] in {e["EventId"] for e in evs} for r in trail),
       "data events are never returned by LookupEvents")

    # ---- X-Ray
    segs = load_ndjson(os.path.join(W, "traces.ndjson"))
    tids = sorted({s["trace_id"] for s in segs})
    rc, out, err = p.aws("xray", "get-trace-summaries", "--start-time", start, "--end-time", end)
    got = sorted(s["Id"] for s in (out or {}).get("TraceSummaries", []))
    eq(got, tids, "xray get-trace-summaries finds every seeded trace (paged)")
    faults = sorted({s["trace_id"] for s in segs if s.get("fault")})
    rc, out, err = p.aws("xray", "get-trace-summaries", "--start-time", start, "--end-time", end,
                         "--filter-expression", "fault")
    eq(sorted(s["Id"] for s in (out or {}).get("TraceSummaries", [])), faults, "filter expression 'fault'")
    rag = sorted({s["trace_id"] for s in segs if s["name"] == "retriever"})
    rc, out, err = p.aws("xray", "get-trace-summaries", "--start-time", start, "--end-time", end,
                         "--filter-expression", 'service("retriever") AND annotation.index = "docs-v2"')
    eq(sorted(s["Id"] for s in (out or {}).get("TraceSummaries", [])), rag, "filter expression with service() and annotation")
    five = tids[:5]
    rc, out, err = p.aws("xray", "batch-get-traces", "--trace-ids", *five)
    docs = sorted(json.loads(s["Document"])["id"] for t in (out or {}).get("Traces", []) for s in t["Segments"])
    eq(docs, sorted(s["id"] for s in segs if s["trace_id"] in five), "xray batch-get-traces returns the seeded segments")
    rc, out, err = p.aws("xray", "batch-get-traces", "--trace-ids", *tids[:6])
    ok(rc != 0 and "InvalidRequestException" in err, "batch-get-traces with 6 ids is refused", err)

    # ---- Cost Explorer
    with open(os.path.join(W, "costs.json")) as f:
        costs = json.load(f)
    import datetime as dt
    d0 = start[:10]
    d1 = (dt.date.fromisoformat(end[:10]) + dt.timedelta(days=1)).isoformat()
    agg = {}
    token = []
    npages = 0
    while True:
        rc, out, err = p.aws("ce", "get-cost-and-usage", "--time-period", "Start=%s,End=%s" % (d0, d1),
                             "--granularity", "DAILY", "--metrics", "UnblendedCost", "UsageQuantity",
                             "--group-by", "Type=DIMENSION,Key=USAGE_TYPE", *token)
        npages += 1
        for r in (out or {}).get("ResultsByTime", []):
            for g in r["Groups"]:
                agg[g["Keys"][0]] = agg.get(g["Keys"][0], 0) + float(g["Metrics"]["UnblendedCost"]["Amount"])
        if not (out or {}).get("NextPageToken") or npages > 20:
            break
        token = ["--next-page-token", out["NextPageToken"]]
    want = {}
    for row in costs["rows"]:
        want[row["usage_type"]] = want.get(row["usage_type"], 0) + row["unblended_cost"]
    ok(set(agg) == set(want) and all(abs(agg[k] - want[k]) < 1e-6 for k in want),
       "ce get-cost-and-usage by USAGE_TYPE sums the seeded rows (%d pages)" % npages, (len(agg), len(want)))
    rc, out, err = p.aws("ce", "get-cost-and-usage", "--time-period", "Start=%s,End=%s" % (d0, d1),
                         "--granularity", "MONTHLY", "--metrics", "UnblendedCost",
                         "--group-by", "Type=TAG,Key=team",
                         "--filter", json.dumps({"Dimensions": {"Key": "SERVICE", "Values": ["Amazon Bedrock"]}}))
    tags = {}
    for r in (out or {}).get("ResultsByTime", []):
        for g in r["Groups"]:
            tags[g["Keys"][0]] = tags.get(g["Keys"][0], 0) + float(g["Metrics"]["UnblendedCost"]["Amount"])
    want = {}
    for row in costs["rows"]:
        if row["service"] == "Amazon Bedrock":
            k = "team$" + row["tags"]["team"]
            want[k] = want.get(k, 0) + row["unblended_cost"]
    ok(set(tags) == set(want) and all(abs(tags[k] - want[k]) < 1e-6 for k in want),
       "ce by TAG team with a SERVICE filter", (tags, want))
    rc2, out2, _ = p.aws("ce", "get-cost-and-usage", "--time-period", "Start=%s,End=%s" % (d0, d1),
                         "--granularity", "MONTHLY", "--metrics", "UnblendedCost",
                         "--group-by", "Type=TAG,Key=team",
                         "--filter", json.dumps({"Dimensions": {"Key": "SERVICE", "Values": ["Amazon Bedrock"]}}))
    eq(out2, out, "the same Cost Explorer request answers the same again")

    # GetDimensionValues from the same rows: SearchString, TimePeriod, paging
    def dim_values(*args):
        vals, token, pages = [], [], 0
        while True:
            rc, out, err = p.aws("ce", "get-dimension-values", *args, *token)
            pages += 1
            vals += [v["Value"] for v in (out or {}).get("DimensionValues", [])]
            if rc != 0 or not (out or {}).get("NextPageToken") or pages > 20:
                return rc, vals, pages, out, err
            token = ["--next-page-token", out["NextPageToken"]]
    period = "Start=%s,End=%s" % (d0, d1)
    services = sorted({r["service"] for r in costs["rows"]})
    rc, vals, pages, out, err = dim_values("--time-period", period, "--dimension", "SERVICE",
                                           "--search-string", "bedrock")
    eq(vals, services, "ce get-dimension-values SERVICE: every service of the rows, sorted")
    ok(any(v != "Amazon Bedrock" and "Bedrock Edition" in v for v in vals),
       "the world has a Marketplace-billed model service", vals)
    eq(((out or {}).get("ReturnSize"), (out or {}).get("TotalSize")), (len(vals), len(vals)), "ReturnSize and TotalSize")
    rc, vals, pages, out, err = dim_values("--time-period", period, "--dimension", "SERVICE",
                                           "--search-string", "Edition")
    eq(vals, [v for v in services if "Edition" in v], "SearchString matches a part of the value")
    usage_types = sorted({r["usage_type"] for r in costs["rows"]})
    rc, vals, pages, out, err = dim_values("--time-period", period, "--dimension", "USAGE_TYPE")
    ok(vals == usage_types and pages == (len(usage_types) + 19) // 20 and pages > 1,
       "USAGE_TYPE values over %d pages of 20 (NextPageToken), none missing or twice" % pages, (pages, vals))
    rc, vals, pages, out, err = dim_values("--time-period", "Start=2001-01-01,End=2001-01-02", "--dimension", "SERVICE")
    eq((rc, vals), (0, []), "a TimePeriod without rows lists nothing")
    rc, out, err = p.aws("ce", "get-dimension-values", "--time-period", period, "--dimension", "USAGE_TYPE",
                         "--sort-by", "Key=UnblendedCost,SortOrder=DESCENDING", "--max-results", "3")
    spend = {}
    for r in costs["rows"]:
        spend[r["usage_type"]] = spend.get(r["usage_type"], 0) + r["unblended_cost"]
    eq([v["Value"] for v in (out or {}).get("DimensionValues", [])],
       sorted(spend, key=lambda k: -spend[k])[:3], "SortBy UnblendedCost DESCENDING with MaxResults 3")
    rc, out, err = p.aws("ce", "get-dimension-values", "--time-period", period, "--dimension", "SERVICE",
                         "--search-string", "x", "--sort-by", "Key=UnblendedCost")
    ok(rc != 0 and "ValidationException" in err, "SortBy with SearchString is refused", err)
    rc, out, err = p.aws("ce", "get-dimension-values", "--time-period", "Start=%s,End=%s" % (d1, d0),
                         "--dimension", "SERVICE")
    ok(rc != 0 and "ValidationException" in err, "an empty TimePeriod is refused", err)

    # ---- Bedrock control plane and runtime
    rc, out, err = p.aws("bedrock", "get-model-invocation-logging-configuration")
    eq((out or {}).get("loggingConfig"), man["logging_config"], "bedrock get-model-invocation-logging-configuration")
    rc, out, err = p.aws("bedrock", "list-inference-profiles", "--type-equals", "APPLICATION")
    eq(sorted(x["inferenceProfileArn"] for x in (out or {}).get("inferenceProfileSummaries", [])),
       sorted(a["arn"] for a in man["application_profiles"]), "bedrock list-inference-profiles (APPLICATION)")
    text = "Rate this answer: the capital of France is Paris."
    tool = {"tools": [{"toolSpec": {"name": "record_score", "inputSchema": {"json": {
        "type": "object", "properties": {"score": {"type": "integer", "minimum": 1, "maximum": 7},
                                         "reason": {"type": "string"}}}}}}],
            "toolChoice": {"tool": {"name": "record_score"}}}
    rc, out, err = p.aws("bedrock-runtime", "converse", "--model-id", model,
                         "--messages", json.dumps([{"role": "user", "content": [{"text": text}]}]),
                         "--tool-config", json.dumps(tool))
    import hashlib
    h = int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)
    use = ((out or {}).get("output", {}).get("message", {}).get("content") or [{}])[0].get("toolUse", {})
    eq((out or {}).get("stopReason"), "tool_use", "bedrock-runtime converse with a forced tool call")
    eq(use.get("input", {}).get("score"), 1 + h % 7, "the judge's score follows the documented formula")
    rc, out, err = p.aws("bedrock-runtime", "converse", "--model-id", model,
                         "--messages", json.dumps([{"role": "user", "content": [{"text": "x [[peer:not-ready]]"}]}]),
                         env={"AWS_MAX_ATTEMPTS": "1"})
    ok(rc != 0 and "ModelNotReadyException" in err, "marker [[peer:not-ready]] gives ModelNotReadyException", err)
    rc, out, err = p.aws("bedrock-runtime", "converse", "--model-id", model,
                         "--messages", json.dumps([{"role": "user", "content": [{"text": "x [[peer:not-found]]"}]}]),
                         env={"AWS_MAX_ATTEMPTS": "1"})
    ok(rc != 0 and "ResourceNotFoundException" in err, "marker [[peer:not-found]] gives ResourceNotFoundException", err)
    reqs = p.requests()
    bad_ts = [r["ts"] for r in reqs if not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", r["ts"])]
    eq(bad_ts, [], "request log times are RFC 3339 with milliseconds")
    ok(all(a["ts"] <= b["ts"] for a, b in zip(reqs, reqs[1:])), "request log times never go back (one client, in order)")
    bad = [r for r in reqs if r["sig"] != "ok"]
    eq(bad, [], "every CLI request verified")
    ok(p.stop(), "peers stopped, no process left")
    done()


if __name__ == "__main__":
    main()
    _ = base64
