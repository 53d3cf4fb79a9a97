#!/usr/bin/env python3
"""Segment documents for tests/cli/test_trace_seeded.sh (not a test).

  trace_seed.py DIR BASE

BASE: epoch seconds (whole), the start of trace A.  Writes
  DIR/put.json    {"TraceSegmentDocuments":[...]} for
                  `aws xray put-trace-segments --cli-input-json file://...`
  DIR/good.ndjson the well-formed documents, one per line (the ground truth)
  DIR/ids         "A <id>", "Z <id>", then "S <id>" for each small trace
Traces:
  A  a root segment "frontend" (0 to 1 s) with subsegments auth (0.05-0.15)
     and bedrock-runtime (Converse, model in the URL path, 0.2-0.9, fault,
     HTTP 500) which holds an in-progress subsegment "retry" (from 0.85);
     plus a separate segment "worker" (0.1-0.14) whose parent is the auth
     subsegment, with gen_ai.request.model in its metadata.
  Z  a good segment, and a segment whose subsegment has no id (malformed:
     bq-trace must report and skip that document, and keep the good one).
  S  12 one-segment traces, 0.25 s each, so that fetching takes 3 batches.
"""

import json
import os
import sys


def hexid(n, k):
    return ("%0" + str(n) + "x") % k


def main():
    out, base = sys.argv[1], int(sys.argv[2])
    os.makedirs(out, exist_ok=True)
    tid = lambda k: "1-%08x-%s" % (base, hexid(24, k))  # noqa: E731
    A, Z = tid(0xA), tid(0xF)
    good, bad = [], []

    auth = {"id": "a000000000000002", "name": "auth", "start_time": base + 0.05, "end_time": base + 0.15,
            "http": {"response": {"status": 200}}}
    bedrock = {"id": "a000000000000003", "name": "bedrock-runtime", "namespace": "aws",
               "start_time": base + 0.2, "end_time": base + 0.9, "fault": True,
               "http": {"request": {"method": "POST", "url": "https://bedrock-runtime.us-east-1.amazonaws.com"
                                    "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"},
                        "response": {"status": 500}},
               "aws": {"operation": "Converse", "region": "us-east-1", "request_id": "req-a3"},
               "subsegments": [{"id": "a000000000000004", "name": "retry", "start_time": base + 0.85,
                                "in_progress": True}]}
    good.append({"name": "frontend", "id": "a000000000000001", "trace_id": A, "start_time": base + 0.0,
                 "end_time": base + 1.0, "origin": "AWS::ECS::Container",
                 "http": {"request": {"method": "POST", "url": "https://api.example.com/chat"},
                          "response": {"status": 502}},
                 "annotations": {"tenant": "acme"}, "subsegments": [auth, bedrock]})
    good.append({"name": "worker", "id": "a000000000000005", "trace_id": A, "parent_id": "a000000000000002",
                 "start_time": base + 0.1, "end_time": base + 0.14, "origin": "AWS::Lambda::Function",
                 "metadata": {"otel": {"gen_ai.request.model": "amazon.nova-lite-v1:0"}}})

    good.append({"name": "ok-part", "id": "f000000000000001", "trace_id": Z, "start_time": base + 2.0,
                 "end_time": base + 2.5})
    bad.append({"name": "broken", "id": "f000000000000002", "trace_id": Z, "parent_id": "f000000000000001",
                "start_time": base + 2.1, "end_time": base + 2.4,
                "subsegments": [{"name": "no-id-here", "start_time": base + 2.2, "end_time": base + 2.3}]})

    small = []
    for i in range(12):
        t = tid(0x100 + i)
        small.append(t)
        good.append({"name": "small-%02d" % i, "id": hexid(16, 0x500 + i), "trace_id": t,
                     "start_time": base + 3 + i, "end_time": base + 3 + i + 0.25,
                     "annotations": {"n": i}})

    with open(os.path.join(out, "put.json"), "w") as f:
        json.dump({"TraceSegmentDocuments": [json.dumps(d) for d in good + bad]}, f)
    with open(os.path.join(out, "good.ndjson"), "w") as f:
        for d in good:
            f.write(json.dumps(d) + "\n")
    with open(os.path.join(out, "ids"), "w") as f:
        f.write("A %s\nZ %s\n" % (A, Z))
        for t in small:
            f.write("S %s\n" % t)


if __name__ == "__main__":
    main()
