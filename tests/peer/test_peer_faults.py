#!/usr/bin/env python3
"""Fault rules fire as specified (sequences, probabilities, every kind) and
deterministically from the seed; the counter log says which fired."""

import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peertest import Peers, done, eq, ok, skip  # noqa: E402

RULES = """\
# peer fault test
DescribeLogGroups throttle seq=1,0,1
logs:DescribeLogStreams 500 prob=0.5
ListMetrics 503 seq=01 repeat
GetCallerIdentity skew seq=1
ListBuckets reset seq=1
GetTraceSummaries truncate seq=1
LookupEvents slow delay=2 seq=1
bedrock:Converse throttle seq=1
"""


def client(p, service, read_timeout=10):
    import boto3
    from botocore.config import Config
    return boto3.client(service, region_name="us-east-1", endpoint_url=p.fault,
                        aws_access_key_id="AKIAPEERTEST00000001", aws_secret_access_key="peer-secret-key",
                        config=Config(retries={"total_max_attempts": 1, "mode": "standard"},
                                      read_timeout=read_timeout, connect_timeout=5))


def outcome(fn):
    from botocore.exceptions import ClientError
    try:
        fn()
        return "ok"
    except ClientError as e:
        return "%s:%s" % (e.response["ResponseMetadata"].get("HTTPStatusCode"), e.response["Error"]["Code"])
    except Exception as e:  # connection reset, truncated body, read timeout
        return type(e).__name__


def run(rules_path, seed):
    p = Peers("--faults", rules_path, "--seed", str(seed))
    logs = client(p, "logs")
    res = {"dlg": [outcome(lambda: logs.describe_log_groups()) for _ in range(4)],
           "dls": [outcome(lambda: logs.describe_log_streams(logGroupName="g")) for _ in range(16)]}
    cw = client(p, "cloudwatch")
    res["lm"] = [outcome(lambda: cw.list_metrics()) for _ in range(4)]
    return p, res


def main():
    try:
        import boto3  # noqa: F401
        import moto  # noqa: F401
    except ImportError:
        skip("python3 has no moto/boto3")
        done()
    d = tempfile.mkdtemp(prefix="bqfaults.")
    rules = os.path.join(d, "rules")
    with open(rules, "w") as f:
        f.write(RULES)
    p, res = run(rules, 11)
    eq(res["dlg"], ["400:ThrottlingException", "ok", "400:ThrottlingException", "ok"],
       "seq=1,0,1 throttles the 1st and 3rd DescribeLogGroups (JSON shape)")
    eq(res["lm"], ["ok", "503:ServiceUnavailable", "ok", "503:ServiceUnavailable"], "seq=01 repeat cycles")
    dls = res["dls"]
    ok(set(dls) == {"400:ResourceNotFoundException", "500:InternalFailure"}, "prob=0.5 gives both outcomes", dls)
    sts = client(p, "sts")
    eq(outcome(lambda: sts.get_caller_identity()), "403:SignatureDoesNotMatch", "skew answers Signature expired (query shape)")
    eq(outcome(lambda: sts.get_caller_identity()), "ok", "skew seq=1 fires once")
    s3 = client(p, "s3")
    r = outcome(lambda: s3.list_buckets())
    ok(r not in ("ok",) and ":" not in r, "reset: the connection is dropped without a response (%s)" % r)
    xr = client(p, "xray")
    now = time.time()
    r = outcome(lambda: xr.get_trace_summaries(StartTime=now - 600, EndTime=now))
    ok(r != "ok" and ":" not in r, "truncate: a short body is an error (%s)" % r)
    eq(outcome(lambda: xr.get_trace_summaries(StartTime=now - 600, EndTime=now)), "ok", "truncate seq=1 fires once")
    ct = client(p, "cloudtrail", read_timeout=0.5)
    r = outcome(lambda: ct.lookup_events())
    ok("Timeout" in r, "slow: longer than the read timeout (%s)" % r)
    br = client(p, "bedrock-runtime")
    r = outcome(lambda: br.converse(modelId="amazon.nova-pro-v1:0",
                                   messages=[{"role": "user", "content": [{"text": "hi"}]}]))
    eq(r, "429:ThrottlingException", "Bedrock throttling is 429 ThrottlingException (rest-json)")
    eq(outcome(lambda: br.converse(modelId="amazon.nova-pro-v1:0",
                                   messages=[{"role": "user", "content": [{"text": "hi"}]}])), "ok",
       "the Converse after the fault reaches the judge")
    with open(os.path.join(p.dir, "faults.ndjson")) as f:
        log = [json.loads(line) for line in f if line.strip()]
    eq([x["fault"] for x in log[:4]], ["throttle", None, "throttle", None], "counter log names each fault")
    eq([x["n"] for x in log], list(range(1, len(log) + 1)), "counter log numbers every request")
    fired_dls = [x["fault"] == "500" for x in log if x["operation"] == "DescribeLogStreams"]
    eq(fired_dls, [x == "500:InternalFailure" for x in dls], "counter log agrees with what the client saw")
    import urllib.request
    with urllib.request.urlopen(p.fault + "/fault-api/counters") as resp:
        counters = {r["line"]: (r["seen"], r["fired"]) for r in json.load(resp)["rules"]}
    eq(counters[2], (4, 2), "counters: DescribeLogGroups seen 4, fired 2")
    eq(counters[4], (4, 2), "counters: ListMetrics seen 4, fired 2")
    ok(p.stop(), "fault peers stopped, no process left")

    p2, res2 = run(rules, 11)
    eq(res2["dls"], dls, "the same seed fires the same faults")
    ok(p2.stop(), "second peers stopped")
    p3, res3 = run(rules, 12)
    ok(res3["dls"] != dls, "another seed fires other faults", res3["dls"])
    ok(p3.stop(), "third peers stopped")
    done()


if __name__ == "__main__":
    main()
