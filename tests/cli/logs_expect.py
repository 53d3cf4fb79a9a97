#!/usr/bin/env python3
"""Expected bq-logs output for a world of tests/data/gen_world.py, computed
independently of the C code (a second implementation of the contract for
the formats the world uses), and a comparer that prints test lines.

  logs_expect.py expect WORLD SINCE UNTIL [--resolve] [--no-bodies]
      expected invocation records, NDJSON, for since <= timestamp < until
      (RFC 3339 or @epoch-ms); --resolve loads offloaded bodies from the
      world's s3/ tree instead of keeping their S3 paths.
  logs_expect.py compare EXPECTED GOT NAME
      "ok - " / "not ok - " lines: count, request ids in order, token sums,
      key order, and every record exactly.
"""

import calendar
import gzip
import json
import os
import sys
import time

ORDER = ["kind", "ts", "request_id", "model_id", "base_model_id", "operation", "identity",
         "account_id", "region", "inference_region", "input_tokens", "output_tokens",
         "cache_read_tokens", "cache_write_tokens", "latency_ms", "stop_reason", "error_code",
         "request_metadata", "input_body", "output_body", "input_body_s3_path",
         "output_body_s3_path"]


def ms_of(s):
    if s.startswith("@"):
        return int(s[1:])
    s = s.rstrip("Z")
    frac = 0
    if "." in s:
        s, f = s.split(".")
        frac = int((f + "000")[:3])
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%S")) * 1000 + frac


def body_facts(fmt, out):
    """(stop_reason, latency_ms, cache_read, cache_write) as the body says."""
    stop = lat = cr = cw = None
    if out is None:
        return stop, lat, cr, cw
    if isinstance(out, list):
        for c in out:
            if fmt == "converse":
                if "messageStop" in c:
                    stop = c["messageStop"]["stopReason"]
                if "metadata" in c:
                    lat = c["metadata"]["metrics"]["latencyMs"]
                    u = c["metadata"]["usage"]
                    cr = u.get("cacheReadInputTokens", cr)
                    cw = u.get("cacheWriteInputTokens", cw)
            elif fmt == "anthropic":
                if c.get("type") == "message_delta":
                    stop = c["delta"]["stop_reason"]
                if c.get("type") == "message_start":
                    u = c["message"]["usage"]
                    cr = u.get("cache_read_input_tokens", cr)
                    cw = u.get("cache_creation_input_tokens", cw)
            elif fmt == "titan":
                if c.get("completionReason"):
                    stop = c["completionReason"]
            m = c.get("amazon-bedrock-invocationMetrics")
            if m:
                lat = m["invocationLatency"]
        return stop, lat, cr, cw
    if fmt in ("converse", "nova"):
        stop = out["stopReason"]
        lat = out.get("metrics", {}).get("latencyMs")
        u = out["usage"]
        cr = u.get("cacheReadInputTokens", u.get("cacheReadInputTokenCount"))
        cw = u.get("cacheWriteInputTokens", u.get("cacheWriteInputTokenCount"))
    elif fmt == "anthropic":
        stop = out["stop_reason"]
        cr = out["usage"].get("cache_read_input_tokens")
        cw = out["usage"].get("cache_creation_input_tokens")
    elif fmt == "titan":
        stop = out["results"][0]["completionReason"]
    elif fmt == "llama":
        stop = out["stop_reason"]
    elif fmt == "mistral":
        stop = out["outputs"][0]["stop_reason"]
    elif fmt == "cohere":
        stop = out["finish_reason"]
    return stop, lat, cr, cw


def load_s3_json(world, url):
    bucket, key = url[len("s3://"):].split("/", 1)
    with open(os.path.join(world, "s3", bucket, key), "rb") as f:
        return json.loads(gzip.decompress(f.read()))


def expect(world, since, until, resolve=False, no_bodies=False):
    with open(os.path.join(world, "manifest.json")) as f:
        man = json.load(f)
    models = {m["model_id"]: m for m in man["models"]}
    lo, hi = ms_of(since), ms_of(until)
    out = []
    with open(os.path.join(world, "invocations.ndjson")) as f:
        for line in f:
            r = json.loads(line)
            t = ms_of(r["timestamp"])
            if not (lo <= t < hi):
                continue
            m = models[r["modelId"]]
            inp, outp = r["input"], r.get("output", {})
            ib, ob = inp.get("inputBodyJson"), outp.get("outputBodyJson")
            if resolve and "inputBodyS3Path" in inp:
                ib = load_s3_json(world, inp["inputBodyS3Path"])
            if resolve and "outputBodyS3Path" in outp:
                ob = load_s3_json(world, outp["outputBodyS3Path"])
            stop, lat, cr, cw = body_facts(m["format"], ob)
            e = {"kind": "invocation", "ts": r["timestamp"], "request_id": r["requestId"],
                 "model_id": r["modelId"], "base_model_id": m["base_model_id"],
                 "operation": r["operation"], "identity": r["identity"]["arn"],
                 "account_id": r["accountId"], "region": r["region"]}
            if "inferenceRegion" in r:
                e["inference_region"] = r["inferenceRegion"]
            e["input_tokens"] = inp["inputTokenCount"]
            if "outputTokenCount" in outp:
                e["output_tokens"] = outp["outputTokenCount"]
            # the envelope's cache counts win; else the body's
            cr = inp.get("cacheReadInputTokenCount", cr)
            cw = inp.get("cacheWriteInputTokenCount", cw)
            if cr is not None:
                e["cache_read_tokens"] = cr
            if cw is not None:
                e["cache_write_tokens"] = cw
            if lat is not None:
                e["latency_ms"] = lat
            if stop is not None:
                e["stop_reason"] = stop
            if "errorCode" in r:
                e["error_code"] = r["errorCode"]
            if "requestMetadata" in r:
                e["request_metadata"] = r["requestMetadata"]
            if not no_bodies:
                if ib is not None:
                    e["input_body"] = ib
                if ob is not None:
                    e["output_body"] = ob
                if ib is None and "inputBodyS3Path" in inp:
                    e["input_body_s3_path"] = inp["inputBodyS3Path"]
                if ob is None and "outputBodyS3Path" in outp:
                    e["output_body_s3_path"] = outp["outputBodyS3Path"]
            out.append(e)
    return out


def read_ndjson(p):
    with open(p) as f:
        return [json.loads(l) for l in f if l.strip()]


def compare(exp_path, got_path, name):
    exp, got = read_ndjson(exp_path), read_ndjson(got_path)
    ok = True

    def line(cond, what):
        nonlocal ok
        print(("ok - " if cond else "not ok - ") + name + ": " + what)
        ok = ok and cond

    line(len(exp) == len(got), "%d records (want %d)" % (len(got), len(exp)))
    line([e["request_id"] for e in exp] == [g.get("request_id") for g in got],
         "request ids in order")
    for k in ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"):
        se = sum(e.get(k, 0) for e in exp)
        sg = sum(g.get(k, 0) for g in got)
        line(se == sg, "sum of %s %d (want %d)" % (k, sg, se))
    bad_order = [g.get("request_id") for g in got
                 if [k for k in g if k in ORDER] != [k for k in ORDER if k in g] or
                 any(k not in ORDER for k in g)]
    line(not bad_order, "keys in contract order" + (" (first bad %s)" % bad_order[0] if bad_order else ""))
    diffs = []
    for e, g in zip(exp, got):
        if e != g:
            keys = sorted(k for k in set(e) | set(g) if e.get(k) != g.get(k))
            diffs.append((e["request_id"], keys))
    line(not diffs, "every record exact" + (" (%d differ, first %s: %s)" % (
        len(diffs), diffs[0][0], ",".join(diffs[0][1])) if diffs else ""))
    return ok


def main():
    a = sys.argv[1:]
    if a and a[0] == "expect":
        recs = expect(a[1], a[2], a[3], "--resolve" in a, "--no-bodies" in a)
        for r in recs:
            sys.stdout.write(json.dumps(r, separators=(",", ":")) + "\n")
    elif a and a[0] == "compare":
        compare(a[1], a[2], a[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
