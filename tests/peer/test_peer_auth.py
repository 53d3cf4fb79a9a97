#!/usr/bin/env python3
"""Signature checks of every peer: a wrong secret is refused by the front,
moto and the fault proxy in the service's own error shape; a tampered body
is refused wherever the signature covers it; unknown keys, presigned URLs,
clock skew (--max-skew), moto's canonicalisation defects (%3A paths, bodyless
GETs, signed Expect / User-Agent, gzip bodies), CloudTrail's rate limit."""

import gzip
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peertest import Peers, done, eq, ok, send, signed, skip  # noqa: E402

JSON11 = "application/x-amz-json-1.1"


def main():
    try:
        import moto  # noqa: F401
    except ImportError:
        skip("python3 has no moto (pip install 'moto[server]')")
        done()
    rules = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build")
    rules_file = os.path.join(os.environ.get("TMPDIR", "/tmp"), "bq-peer-auth-rules.%d" % os.getpid())
    with open(rules_file, "w") as f:
        f.write("NoSuchOperation 500\n")
    p = Peers("--faults", rules_file, "--trail-rps", "2")
    os.unlink(rules_file)
    _ = rules

    # Each case: (name, service, method, path, headers, body, s3?)
    cases = [
        ("logs", "logs", "POST", "/", {"Content-Type": JSON11, "X-Amz-Target": "Logs_20140328.DescribeLogGroups"}, b"{}", False),
        ("cloudwatch json", "monitoring", "POST", "/", {"Content-Type": "application/x-amz-json-1.0",
                                                       "X-Amz-Target": "GraniteServiceVersion20100801.ListMetrics"}, b"{}", False),
        ("cloudwatch query", "monitoring", "POST", "/", {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
         b"Action=ListMetrics&Version=2010-08-01", False),
        ("sts", "sts", "POST", "/", {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
         b"Action=GetCallerIdentity&Version=2011-06-15", False),
        ("xray", "xray", "POST", "/TraceSummaries", {"Content-Type": "application/json"},
         json.dumps({"StartTime": time.time() - 600, "EndTime": time.time()}).encode(), False),
        ("ce", "ce", "POST", "/", {"Content-Type": JSON11, "X-Amz-Target": "AWSInsightsIndexService.GetCostAndUsage"},
         json.dumps({"TimePeriod": {"Start": "2026-01-01", "End": "2026-01-02"}, "Granularity": "DAILY",
                     "Metrics": ["UnblendedCost"]}).encode(), False),
        ("bedrock-runtime invoke", "bedrock", "POST", "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke",
         {"Content-Type": "application/json"}, b'{"messages":[]}', False),
        ("s3", "s3", "GET", "/", {}, b"", True),
    ]
    targets = [("front", p.url), ("moto", p.moto), ("fault proxy", p.fault)]
    for name, svc, method, path, hdrs, body, s3 in cases:
        for tname, base in targets:
            url, h, b = signed(method, base + path, svc, body, hdrs, s3=s3)
            st, rh, rb = send(method, url, h, b)
            ok(st == 200, "%s: correct signature accepted by %s" % (name, tname), (st, rb[:300]))
            url, h, b = signed(method, base + path, svc, body, hdrs, s3=s3, secret="wrong-secret")
            st, rh, rb = send(method, url, h, b)
            ok(st == 403 and (b"SignatureDoesNotMatch" in rb or rh.get("x-amzn-errortype") == "SignatureDoesNotMatch"),
               "%s: wrong secret refused by %s" % (name, tname), (st, rb[:300]))
    # error shapes (front)
    def shape(name, svc, path, hdrs, body, s3=False, method="POST"):
        url, h, b = signed(method, p.url + path, svc, body, hdrs, s3=s3, secret="wrong")
        return send(method, url, h, b)
    st, rh, rb = shape("logs", "logs", "/", {"Content-Type": JSON11, "X-Amz-Target": "Logs_20140328.DescribeLogGroups"}, b"{}")
    ok(json.loads(rb).get("__type") == "SignatureDoesNotMatch" and rh.get("x-amzn-errortype") == "SignatureDoesNotMatch",
       "JSON 1.1 error shape: __type and x-amzn-ErrorType", rb)
    st, rh, rb = shape("xray", "xray", "/TraceSummaries", {"Content-Type": "application/json"}, b"{}")
    ok("message" in json.loads(rb) and rh.get("x-amzn-errortype") == "SignatureDoesNotMatch", "rest-json error shape", rb)
    st, rh, rb = shape("sts", "sts", "/", {"Content-Type": "application/x-www-form-urlencoded"}, b"Action=GetCallerIdentity&Version=2011-06-15")
    ok(rb.startswith(b"<ErrorResponse") and b"<Code>SignatureDoesNotMatch</Code>" in rb, "query error shape", rb)
    st, rh, rb = shape("s3", "s3", "/", {}, b"", s3=True, method="GET")
    ok(rb.find(b"<Error><Code>SignatureDoesNotMatch</Code>") > 0 and b"<CanonicalRequest>" in rb, "S3 error shape", rb)

    # unknown key
    for svc, path, hdrs, body, s3, code in [
            ("logs", "/", {"Content-Type": JSON11, "X-Amz-Target": "Logs_20140328.DescribeLogGroups"}, b"{}", False, b"InvalidClientTokenId"),
            ("s3", "/", {}, b"", True, b"InvalidAccessKeyId")]:
        for tname, base in targets[:2]:
            url, h, b = signed("POST" if not s3 else "GET", base + path, svc, body, hdrs, s3=s3, key="AKIAUNKNOWN000000000")
            st, rh, rb = send("POST" if not s3 else "GET", url, h, b)
            ok(st == 403 and code in rb, "%s: unknown access key refused by %s" % (svc, tname), (st, rb[:200]))

    # tampered bodies
    for tname, base in targets:
        url, h, b = signed("POST", base + "/", "logs", b'{"limit":5}', {"Content-Type": JSON11, "X-Amz-Target": "Logs_20140328.DescribeLogGroups"})
        st, rh, rb = send("POST", url, h, b'{"limit":6}')
        ok(st == 403, "logs: body changed after signing refused by %s" % tname, (st, rb[:200]))
    url, h, b = signed("PUT", p.url + "/bkt-auth", "s3", b"", {}, s3=True)
    st, _, rb = send("PUT", url, h, b)
    ok(st == 200, "s3 create-bucket", rb)
    for tname, base in targets:
        url, h, b = signed("PUT", base + "/bkt-auth/k%20ey", "s3", b"good body", {}, s3=True)
        st, rh, rb = send("PUT", url, h, b"evil body")
        ok(st in (400, 403), "s3: body not matching x-amz-content-sha256 refused by %s" % tname, (st, rb[:200]))
        url, h, b = signed("PUT", base + "/bkt-auth/k%20ey", "s3", b"good body", {}, s3=True)
        st, rh, rb = send("PUT", url, h, b)
        ok(st == 200, "s3: put-object with a space in the key accepted by %s" % tname, (st, rb[:200]))

    # presigned URLs
    from botocore.auth import S3SigV4QueryAuth, SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from peertest import credentials
    for tname, base in targets[:2]:
        req = AWSRequest(method="GET", url=base + "/bkt-auth/k%20ey")
        S3SigV4QueryAuth(credentials(), "s3", "us-east-1", expires=300).add_auth(req)
        st, _, rb = send("GET", req.url, {})
        ok(st == 200 and rb == b"good body", "presigned S3 GET accepted by %s" % tname, (st, rb[:200]))
        req = AWSRequest(method="GET", url=base + "/bkt-auth/k%20ey")
        S3SigV4QueryAuth(credentials("nope"), "s3", "us-east-1", expires=300).add_auth(req)
        st, _, rb = send("GET", req.url, {})
        ok(st == 403, "presigned S3 GET with a wrong secret refused by %s" % tname, (st, rb[:200]))
    req = AWSRequest(method="GET", url=p.url + "/?Action=GetCallerIdentity&Version=2011-06-15")
    SigV4QueryAuth(credentials(), "sts", "us-east-1", expires=300).add_auth(req)
    st, _, rb = send("GET", req.url, {})
    ok(st == 200 and b"GetCallerIdentityResult" in rb, "presigned STS GET accepted", (st, rb[:200]))

    # fixed old date: accepted without --max-skew (front and moto)
    for tname, base in targets[:2]:
        url, h, b = signed("POST", base + "/", "logs", b"{}", {"Content-Type": JSON11, "X-Amz-Target": "Logs_20140328.DescribeLogGroups"},
                           timestamp="20150830T123600Z")
        st, _, rb = send("POST", url, h, b)
        ok(st == 200, "a request signed in 2015 is accepted by %s without --max-skew" % tname, (st, rb[:200]))

    # moto defects worked around (sent to moto directly)
    url, h, b = signed("GET", p.moto + "/custom-models", "bedrock")
    st, _, rb = send("GET", url, h, b)
    ok(st == 200, "moto: bodyless Bedrock GET verifies", (st, rb[:200]))
    url, h, b = signed("POST", p.moto + "/model/us.anthropic.claude-3-5-haiku-20241022-v1%3A0/invoke", "bedrock",
                       b"{}", {"Content-Type": "application/json"})
    st, _, rb = send("POST", url, h, b)
    ok(st == 200, "moto: Bedrock path with %3A verifies", (st, rb[:200]))
    for tname, base in targets[:2]:
        url, h, b = signed("POST", base + "/", "logs", b"{}", {"Content-Type": JSON11, "X-Amz-Target": "Logs_20140328.DescribeLogGroups",
                                                             "User-Agent": "bq-test/1", "Expect": "100-continue"},
                           sign_extra=["User-Agent", "Expect"])
        ok("user-agent" in h.get("Authorization", "").lower(), "the test really signs User-Agent")
        st, _, rb = send("POST", url, h, b)
        ok(st == 200, "signed Expect and User-Agent verify at %s" % tname, (st, rb[:300]))
    big = {"Namespace": "BQ/Test", "MetricData": [{"MetricName": "M%d" % (i % 7), "Value": float(i),
                                                   "Dimensions": [{"Name": "Pad", "Value": "x" * 40}]} for i in range(300)]}
    raw = json.dumps(big).encode()
    gz = gzip.compress(raw)
    url, h, b = signed("POST", p.moto + "/", "monitoring", gz,
                       {"Content-Type": "application/x-amz-json-1.0", "Content-Encoding": "gzip",
                        "X-Amz-Target": "GraniteServiceVersion20100801.PutMetricData", "x-amzn-query-mode": "true"})
    st, _, rb = send("POST", url, h, b)
    ok(st == 200, "moto: gzip PutMetricData body is decompressed once", (st, rb[:300]))
    url, h, b = signed("POST", p.url + "/", "monitoring", json.dumps({"Namespace": "BQ/Test"}).encode(),
                       {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "GraniteServiceVersion20100801.ListMetrics"})
    st, _, rb = send("POST", url, h, b)
    names = sorted(m["MetricName"] for m in json.loads(rb).get("Metrics", []))
    eq(names, ["M%d" % i for i in range(7)], "the gzip datapoints arrived, each metric listed once")

    # CloudTrail rate limit: 2 per second, answered with ThrottlingException
    codes = []
    for _ in range(5):
        url, h, b = signed("POST", p.url + "/", "cloudtrail", b"{}", {"Content-Type": JSON11,
                           "X-Amz-Target": "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"})
        st, _, rb = send("POST", url, h, b)
        codes.append(json.loads(rb).get("__type") if st != 200 else "ok")
    ok(codes[:2] == ["ok", "ok"] and "ThrottlingException" in codes, "LookupEvents over 2 per second is throttled", codes)
    time.sleep(1.1)
    url, h, b = signed("POST", p.url + "/", "cloudtrail", json.dumps({"MaxResults": 51}).encode(), {"Content-Type": JSON11,
                       "X-Amz-Target": "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"})
    st, _, rb = send("POST", url, h, b)
    ok(st == 400 and b"InvalidMaxResultsException" in rb, "MaxResults 51 refused", rb)
    ok(p.stop(), "peers stopped, no process left")

    # clock skew on
    q = Peers("--max-skew", "900")
    old = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() - 3600))
    url, h, b = signed("POST", q.url + "/", "logs", b"{}", {"Content-Type": JSON11, "X-Amz-Target": "Logs_20140328.DescribeLogGroups"},
                       timestamp=old)
    st, rh, rb = send("POST", url, h, b)
    ok(st == 403 and json.loads(rb).get("__type") == "InvalidSignatureException" and b"Signature expired" in rb
       and "date" in rh, "--max-skew: an hour-old signature is expired (JSON), with a Date header", (st, rb))
    url, h, b = signed("GET", q.url + "/", "s3", b"", {}, s3=True, timestamp=old)
    st, rh, rb = send("GET", url, h, b)
    ok(st == 403 and b"RequestTimeTooSkewed" in rb and b"<ServerTime>" in rb, "--max-skew: S3 says RequestTimeTooSkewed", rb)
    url, h, b = signed("POST", q.url + "/", "logs", b"{}", {"Content-Type": JSON11, "X-Amz-Target": "Logs_20140328.DescribeLogGroups"})
    st, rh, rb = send("POST", url, h, b)
    ok(st == 200, "--max-skew: a current signature passes", rb)
    verdicts = sorted({r["sig"] for r in q.requests()})
    eq(verdicts, ["InvalidSignatureException", "RequestTimeTooSkewed", "ok"], "request log records each verdict")
    ok(q.stop(), "skew peers stopped, no process left")
    done()


if __name__ == "__main__":
    main()
