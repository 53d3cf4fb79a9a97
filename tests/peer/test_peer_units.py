#!/usr/bin/env python3
"""The world generator's guarantees and the peers' pure logic, without HTTP:
determinism, the log schema, agreement between logs, metrics, CloudTrail,
traces and costs; the judge formula; X-Ray filters; CE aggregation."""

import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from peertest import done, eq, ok, skip  # noqa: E402

GEN = os.path.join(HERE, "..", "data", "gen_world.py")


def gen(out, *args):
    subprocess.run([sys.executable, GEN, "--out", out, "--quiet"] + list(args), check=True)


def ndjson(p):
    with open(p) as f:
        return [json.loads(line) for line in f if line.strip()]


def tree(d):
    out = {}
    for dp, _, fs in os.walk(d):
        for f in fs:
            with open(os.path.join(dp, f), "rb") as fh:
                out[os.path.relpath(os.path.join(dp, f), d)] = hashlib.sha256(fh.read()).hexdigest()
    return out


def main():
    t = tempfile.mkdtemp(prefix="bqunits.")
    a, b, c = (os.path.join(t, x) for x in "abc")
    gen(a, "--seed", "9", "--records", "400", "--anchor", "2026-03-01T12:00:00Z")
    gen(b, "--seed", "9", "--records", "400", "--anchor", "2026-03-01T12:00:00Z")
    gen(c, "--seed", "10", "--records", "400", "--anchor", "2026-03-01T12:00:00Z")
    ta, tb, tc = tree(a), tree(b), tree(c)
    eq(ta, tb, "the same seed and window give byte-identical worlds")
    ok(ta["invocations.ndjson"] != tc["invocations.ndjson"], "another seed gives another world")
    man = json.load(open(os.path.join(a, "manifest.json")))
    eq((man["window_start"], man["window_end"], man["data_end"]),
       ("2026-03-01T09:00:00Z", "2026-03-01T12:00:00Z", "2026-03-01T12:00:00Z"), "--anchor pins the 3-hour window")
    invs = ndjson(os.path.join(a, "invocations.ndjson"))
    eq(len(invs), 400, "--records invocation records")
    ok(all(man["window_start"] <= r["timestamp"] < man["window_end"] for r in invs), "records lie in the window")
    eq([r["timestamp"] for r in invs], sorted(r["timestamp"] for r in invs), "records in emission (time) order")
    req = {"schemaType", "schemaVersion", "timestamp", "accountId", "identity", "region", "requestId",
           "operation", "modelId", "input", "output"}
    ok(all(req <= set(r) and r["schemaType"] == "ModelInvocationLog" and r["schemaVersion"] == "1.0" for r in invs),
       "every record has the schema's core fields")
    ok(all(("inputBodyJson" in r["input"]) != ("inputBodyS3Path" in r["input"]) for r in invs),
       "a body is inline or offloaded, never both")
    ops = {r["operation"] for r in invs}
    eq(ops, {"Converse", "ConverseStream", "InvokeModel", "InvokeModelWithResponseStream"}, "all four operations appear")
    models = {r["modelId"] for r in invs}
    ok(any(m.startswith("us.") for m in models) and any(":application-inference-profile/" in m for m in models),
       "cross-region profile ids and application profile ARNs appear")
    bodies = [r["input"].get("inputBodyJson") or {} for r in invs]
    kinds = {"anthropic_version" in x and "messages": 0 for x in bodies}
    ok(any("anthropic_version" in x for x in bodies) and any("inputText" in x for x in bodies)
       and any(x.get("schemaVersion") == "messages-v1" for x in bodies) and any("max_gen_len" in x for x in bodies)
       and any(str(x.get("prompt", "")).startswith("<s>[INST]") for x in bodies) and any("chat_history" in x for x in bodies),
       "InvokeModel bodies of Anthropic, Titan, Nova, Llama, Mistral and Cohere")
    _ = kinds
    ok(any(isinstance((r["output"].get("outputBodyJson")), list) for r in invs), "streamed outputs are chunk arrays")
    ok(any(r["input"].get("cacheReadInputTokenCount") for r in invs) and any(r["input"].get("cacheWriteInputTokenCount") for r in invs),
       "cache read and write tokens appear")
    errs = [r for r in invs if "errorCode" in r]
    ok(errs and all("outputBodyJson" not in r["output"] for r in errs), "errors carry errorCode and no output body")
    ok(any("requestMetadata" in r for r in invs), "requestMetadata appears")
    off = [r for r in invs if "inputBodyS3Path" in r["input"]]
    ok(off, "some bodies are offloaded to S3")
    for r in off[:2]:
        path = r["input"]["inputBodyS3Path"]
        m = re.match(r"^s3://([^/]+)/(.+)$", path)
        p = os.path.join(a, "s3", m.group(1), m.group(2))
        body = gzip.decompress(open(p, "rb").read())
        ok(len(body) > 100 * 1024 and "/data/" in path and path.endswith("_input.json.gz") and r["requestId"] in path,
           "offloaded body %s is there, over 100 KB" % r["requestId"][:8])
    # S3 objects hold exactly the records
    base = os.path.join(a, "s3", man["bucket"])
    lines = []
    for dp, _, fs in sorted(os.walk(base)):
        for f in sorted(fs):
            if f.endswith(".json.gz") and "/data" not in dp:
                lines += gzip.decompress(open(os.path.join(dp, f), "rb").read()).decode().splitlines()
    eq(sorted(lines), sorted(json.dumps(r, separators=(",", ":")) for r in invs), "S3 log objects hold every record once")
    # metrics agree with the logs
    mets = ndjson(os.path.join(a, "metrics.ndjson"))

    def msum(name, model=None):
        return sum(v * c for m in mets if m["metric"] == name and (model is None or m["dimensions"].get("ModelId") == model)
                   for v, c in zip(m["values"], m["counts"]))
    eq(msum("Invocations"), len(invs), "Invocations = logged requests")
    ok_recs = [r for r in invs if "errorCode" not in r]
    eq(msum("InputTokenCount"), sum(r["input"]["inputTokenCount"] for r in ok_recs), "InputTokenCount sums the logs")
    eq(msum("OutputTokenCount"), sum(r["output"]["outputTokenCount"] for r in ok_recs), "OutputTokenCount sums the logs")
    eq(msum("CacheReadInputTokens"), sum(r["input"].get("cacheReadInputTokenCount", 0) for r in ok_recs), "cache reads agree")
    eq(msum("InvocationClientErrors") + msum("InvocationServerErrors"), len(errs), "error metrics count the errors")
    eq(msum("InvocationThrottles"), man["throttled"], "throttles are counted")
    eq(msum("ModelInvocationLogsS3DeliverySuccess"), man["s3_objects"], "one S3 delivery per object")
    eq(sum(1 for r in invs if r["operation"] in ("ConverseStream", "InvokeModelWithResponseStream") and "errorCode" not in r),
       sum(sum(m["counts"]) for m in mets if m["metric"] == "TimeToFirstToken"), "TimeToFirstToken for streamed requests")
    # CloudTrail
    trail = ndjson(os.path.join(a, "cloudtrail.ndjson"))
    by_req = {e["requestID"]: e for e in trail}
    ok(all(r["requestId"] in by_req and by_req[r["requestId"]]["eventName"] == r["operation"] for r in invs),
       "each record has its CloudTrail event (request ids join)")
    ok(all(by_req[r["requestId"]].get("errorCode") == r["errorCode"] for r in errs), "CloudTrail errors match")
    routed = [r for r in invs if r.get("inferenceRegion") and r["inferenceRegion"] != r["region"]]
    ok(routed and all(by_req[r["requestId"]]["additionalEventData"]["inferenceRegion"] == r["inferenceRegion"] for r in routed),
       "additionalEventData.inferenceRegion for re-routed requests")
    eq(sum(1 for e in trail if e.get("errorCode") == "ThrottlingException"), man["throttled"], "throttled requests are in CloudTrail")
    ok({e["eventCategory"] for e in trail} == {"Management", "Data"}, "management and data events")
    ok(all(isinstance(json.dumps(e), str) and e["eventSource"] in ("bedrock.amazonaws.com", "sts.amazonaws.com") for e in trail),
       "event sources")
    # traces
    segs = ndjson(os.path.join(a, "traces.ndjson"))
    reqids = {s2["aws"]["request_id"] for s in segs for s2 in s.get("subsegments", []) if s2.get("name") == "bedrock-runtime"}
    ok(reqids and reqids <= {r["requestId"] for r in invs}, "trace subsegments carry the logs' request ids")
    ok(all(re.match(r"^1-[0-9a-f]{8}-[0-9a-f]{24}$", s["trace_id"]) and re.match(r"^[0-9a-f]{16}$", s["id"]) for s in segs),
       "trace and segment ids are well formed")
    # costs
    costs = json.load(open(os.path.join(a, "costs.json")))
    ok(costs["rows"] and all(r["unblended_cost"] > 0 for r in costs["rows"]), "cost rows are positive")
    eq(sum(r["usage_quantity"] for r in costs["rows"] if r["usage_type"].endswith("-input-tokens")),
       sum(r["input"]["inputTokenCount"] for r in ok_recs), "billed input tokens = logged input tokens")

    # ---- the judge formula (front.py)
    import front
    text = "Is 2+2 4?"
    h = int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)
    eq(front.judge_score(text, 1, 5, True)[0], 1 + h % 5, "judge score on 1..5")
    eq(front.judge_score(text, 0, 1, False)[0], round((h % 101) / 100.0, 2), "judge score on a 0..1 number scale")
    eq(front.judge_scale({"inputSchema": {"json": {"properties": {"score": {"type": "integer", "minimum": 0, "maximum": 10}}}}}),
       (0, 10, True), "scale read from the tool's input schema")
    eq(front.judge_scale({}), (1, 5, True), "default scale 1..5")

    # ---- X-Ray filter expressions and Cost Explorer aggregation (motofix_services)
    try:
        import motofix_services as ms
    except ImportError:
        skip("motofix_services needs moto")
        done()
    for expr in ['fault', 'responsetime > 5', 'duration >= 1 AND duration <= 8', 'http.status != 200',
                 'http.url CONTAINS "/v1/"', 'service("x") { error }', '!(ok OR throttle)', 'annotation.tenant = "acme"',
                 'user = "alice"']:
        try:
            ms._Parser(ms._lex(expr)).parse()
            ok(True, "filter parses: %s" % expr)
        except ms.FilterError as e:
            ok(False, "filter parses: %s" % expr, e)
    for expr in ['edge("a","b") { error }', 'duration >', 'rootcause.fault.service { name = "x" }']:
        try:
            ms._Parser(ms._lex(expr)).parse()
            ok(False, "unsupported filter is refused: %s" % expr)
        except ms.FilterError:
            ok(True, "unsupported filter is refused: %s" % expr)
    res = ms.ce_answer({"TimePeriod": {"Start": "2026-03-01", "End": "2026-03-02"}, "Granularity": "HOURLY",
                        "Metrics": ["UnblendedCost"]}, costs["rows"])
    eq([r["TimePeriod"]["Start"] for r in res["ResultsByTime"]][9:12],
       ["2026-03-01T09:00:00Z", "2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z"], "HOURLY buckets")
    total = sum(float(r["Total"]["UnblendedCost"]["Amount"]) for r in res["ResultsByTime"])
    ok(abs(total - sum(r["unblended_cost"] for r in costs["rows"])) < 1e-6, "HOURLY totals add up")
    try:
        ms.ce_answer({"TimePeriod": {"Start": "2026-03-01", "End": "2026-03-02"}, "Granularity": "DAILY",
                      "Metrics": ["UnblendedCost"], "NextPageToken": "bogus"}, costs["rows"])
        ok(False, "a foreign NextPageToken is refused")
    except ms.CeError as e:
        eq(e.code, "InvalidNextTokenException", "a foreign NextPageToken is refused")

    # GetDimensionValues from the same rows
    day = {"Start": "2026-03-01", "End": "2026-03-02"}
    services = sorted({r["service"] for r in costs["rows"]})
    res = ms.ce_dimension_values({"TimePeriod": day, "Dimension": "SERVICE", "SearchString": "BEDROCK"},
                                 costs["rows"])
    eq([v["Value"] for v in res["DimensionValues"]], services, "SERVICE values, SearchString case-insensitive")
    ok(any("(Amazon Bedrock Edition)" in s for s in services) and "Amazon Bedrock" in services,
       "the world bills first-party and Marketplace model services", services)
    old_page = ms.CE_PAGE
    ms.CE_PAGE = 2
    got, tok, pages = [], None, 0
    while True:
        req = {"TimePeriod": day, "Dimension": "USAGE_TYPE"}
        if tok:
            req["NextPageToken"] = tok
        res = ms.ce_dimension_values(req, costs["rows"])
        got += [v["Value"] for v in res["DimensionValues"]]
        pages += 1
        tok = res.get("NextPageToken")
        if not tok or pages > 100:
            break
    ms.CE_PAGE = old_page
    want = sorted({r["usage_type"] for r in costs["rows"]})
    eq((got, pages), (want, (len(want) + 1) // 2), "USAGE_TYPE values paged two at a time, each once")
    eq(ms.ce_dimension_values({"TimePeriod": {"Start": "2026-04-01", "End": "2026-04-02"}, "Dimension": "SERVICE"},
                              costs["rows"])["TotalSize"], 0, "no rows in the period: nothing")
    eq(ms.ce_dimension_values({"TimePeriod": day, "Dimension": "INSTANCE_TYPE"}, costs["rows"])["DimensionValues"],
       [], "a dimension the rows do not carry: nothing")
    for bad, why in [({"TimePeriod": day}, "no Dimension"),
                     ({"TimePeriod": day, "Dimension": "COLOUR"}, "unknown Dimension"),
                     ({"TimePeriod": {"Start": "2026-03-02", "End": "2026-03-01"}, "Dimension": "SERVICE"}, "empty period"),
                     ({"TimePeriod": day, "Dimension": "SERVICE", "Context": "RESERVATIONS"}, "other Context"),
                     ({"TimePeriod": day, "Dimension": "SERVICE", "SearchString": "x",
                       "SortBy": [{"Key": "UnblendedCost"}]}, "SortBy with SearchString")]:
        try:
            ms.ce_dimension_values(bad, costs["rows"])
            ok(False, "GetDimensionValues refuses: %s" % why)
        except ms.CeError as e:
            eq(e.code, "ValidationException", "GetDimensionValues refuses: %s" % why)

    # timestamps as the peers read them (peerutil.epoch)
    import peerutil
    for v, want in [(1.5, 1.5), ("1700000000", 1700000000.0), ("2026-11-26T10:00:00Z", 1795687200.0),
                    ("2026-11-26T11:00:00+01:00", 1795687200.0), ("2026-11-26 10:00:00.250", 1795687200.25),
                    (None, None)]:
        eq(peerutil.epoch(v), want, "epoch(%r)" % (v,))
    done()


if __name__ == "__main__":
    main()
