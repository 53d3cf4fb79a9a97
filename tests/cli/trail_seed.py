#!/usr/bin/env python3
"""Writes the trail files tests/cli/test_trail_s3.sh uploads (not a test).

  trail_seed.py OUTDIR NOW

Under OUTDIR/AWSLogs/111122223333/CloudTrail/us-east-1/YYYY/MM/DD/ (the day of
each file's time), relative to NOW (epoch seconds):
  good.json.gz    gzip {"Records":[...]}: InvokeAgent (data event), Converse,
                  and an sts AssumeRole (another source)
  plain.json      the same format uncompressed: one Retrieve
  multi.json.gz   one document split over two gzip members: one ApplyGuardrail
  old.json.gz     a record three days old in a file named inside the window
  corrupt.json.gz a gzip header followed by garbage
  badjson.json.gz gzip of a truncated document
  notes.txt       not a trail file
Prints the expected event records (bq-trail(1) RECORDS) of the good ones,
oldest first, one per line.
"""

import gzip
import json
import os
import sys
import time

ACCOUNT = "111122223333"


def rfc(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def record(t, source, name, eid, category="Data", params=None, error=None):
    r = {"eventVersion": "1.09",
         "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE", "userName": "carol",
                          "arn": "arn:aws:iam::%s:user/carol" % ACCOUNT, "accountId": ACCOUNT},
         "eventTime": rfc(t), "eventSource": source, "eventName": name, "awsRegion": "us-east-1",
         "sourceIPAddress": "192.0.2.5", "userAgent": "seed/1.0",
         "requestParameters": params, "responseElements": None,
         "requestID": "req-" + eid, "eventID": eid, "readOnly": False,
         "eventType": "AwsApiCall", "managementEvent": category == "Management",
         "recipientAccountId": ACCOUNT, "eventCategory": category}
    if error:
        r["errorCode"], r["errorMessage"] = error
    return r


def expected(r):
    out = {"kind": "event", "ts": r["eventTime"], "event_id": r["eventID"], "event_name": r["eventName"],
           "event_source": r["eventSource"], "identity": r["userIdentity"]["arn"], "user": "carol",
           "account_id": ACCOUNT, "region": "us-east-1", "source_ip": "192.0.2.5",
           "user_agent": "seed/1.0", "request_id": r["requestID"]}
    p = r.get("requestParameters") or {}
    if p.get("modelId"):
        out["model_id"] = p["modelId"]
    if r.get("errorCode"):
        out["error_code"], out["error_message"] = r["errorCode"], r["errorMessage"]
    out["read_only"] = False
    out["resources"] = []
    if r.get("requestParameters") is not None:
        out["request"] = r["requestParameters"]
    return out


def main():
    outdir, now = sys.argv[1], int(sys.argv[2])
    t0 = now - 1200

    def path(t, stem, ext):
        d = os.path.join(outdir, "AWSLogs", ACCOUNT, "CloudTrail", "us-east-1",
                         time.strftime("%Y/%m/%d", time.gmtime(t)))
        os.makedirs(d, exist_ok=True)
        slot = t // 300 * 300
        return os.path.join(d, "%s_CloudTrail_us-east-1_%s_%s%s" % (
            ACCOUNT, time.strftime("%Y%m%dT%H%MZ", time.gmtime(slot)), stem, ext))

    good = [record(t0 + 10, "bedrock.amazonaws.com", "InvokeAgent", "ev-agent",
                   params={"agentId": "AG1", "agentAliasId": "AL1", "sessionId": "s1"}),
            record(t0 + 20, "bedrock.amazonaws.com", "Converse", "ev-converse", category="Management",
                   params={"modelId": "amazon.nova-lite-v1:0"}, error=("ValidationException", "bad input")),
            record(t0 + 30, "sts.amazonaws.com", "AssumeRole", "ev-sts", category="Management", params={})]
    with gzip.open(path(t0 + 30, "good", ".json.gz"), "wb") as f:
        f.write(json.dumps({"Records": good}).encode())

    plain = [record(t0 + 330, "bedrock.amazonaws.com", "Retrieve", "ev-retrieve",
                    params={"knowledgeBaseId": "KB1"})]
    with open(path(t0 + 330, "plain", ".json"), "w") as f:
        json.dump({"Records": plain}, f)

    multi = [record(t0 + 630, "bedrock.amazonaws.com", "ApplyGuardrail", "ev-guard",
                    params={"guardrailIdentifier": "gr-1", "guardrailVersion": "1"})]
    text = json.dumps({"Records": multi}).encode()
    with open(path(t0 + 630, "multi", ".json.gz"), "wb") as f:
        f.write(gzip.compress(text[:len(text) // 2]) + gzip.compress(text[len(text) // 2:]))

    old = [record(now - 3 * 86400, "bedrock.amazonaws.com", "InvokeAgent", "ev-old")]
    with gzip.open(path(t0 + 900, "old", ".json.gz"), "wb") as f:
        f.write(json.dumps({"Records": old}).encode())

    with open(path(t0 + 900, "corrupt", ".json.gz"), "wb") as f:
        f.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"not deflate data at all" * 4)
    with gzip.open(path(t0 + 900, "badjson", ".json.gz"), "wb") as f:
        f.write(b'{"Records":[{"eventID":"x",')
    with open(path(t0 + 900, "notes", ".txt"), "w") as f:
        f.write("not a trail file\n")

    for r in good[:2] + plain + multi:
        print(json.dumps(expected(r), separators=(",", ":")))


if __name__ == "__main__":
    main()
