#!/usr/bin/env python3
"""Differential test: lib/sigv4 against botocore's signer.

Generates BQ_SIGV4_N (default 1200) requests from a fixed seed
(BQ_SIGV4_SEED, default 20240917): every HTTP method, unicode and reserved
characters in paths and query values, repeated and empty query keys, odd
header whitespace, S3 and non-S3 services, explicit/default/odd ports,
with and without a session token, header-signed and presigned.  Each is
signed by build/tools/sigv4-sign (one process for all) and by botocore with
its clock pinned (testing-peers.md 3.1); the Authorization header (header
mode) or the whole presigned URL (query mode) must agree byte for byte.

Prints one "ok" line per category and a "not ok" line per mismatch (the
first 20; then one line counting the rest).

Where botocore is deliberately not followed, the generator avoids the case:
- presigned requests carry no repeated query keys: botocore's presigner keeps
  only the first value of a key (parse_qs + v[0]); lib/sigv4 keeps them all;
- presigned requests carry no body, no x-amz-content-sha256 header and no
  form Content-Type: botocore moves bodies into the query and drops that
  Content-Type before signing;
- no Date or X-Amz-Security-Token header is given in advance: botocore
  rewrites a Date header and signs a stale token header when the
  credentials have none, lib/sigv4 removes it;
- non-S3 UNSIGNED-PAYLOAD only over https (botocore always hashes over
  http unless told otherwise for S3).
"""
import datetime
import hashlib
import json
import logging
import os
import random
import subprocess
import sys
from urllib.parse import quote

TOP = os.environ.get("BQ_TOP") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BQ_BUILD") or os.path.join(TOP, "build")
TOOL = os.path.join(BUILD, "tools", "sigv4-sign")
SEED = int(os.environ.get("BQ_SIGV4_SEED", "20240917"))
COUNT = int(os.environ.get("BQ_SIGV4_N", "1200"))
MAX_NOT_OK = 20

try:
    import botocore
    import botocore.auth
    from botocore.auth import (S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth,
                               SigV4QueryAuth)
    from botocore.awsrequest import AWSRequest
    from botocore.config import Config
    from botocore.credentials import Credentials
except Exception as e:  # noqa: BLE001 - any import failure means skip
    print(f"skip - sigv4 differential: botocore not importable ({e})")
    sys.exit(0)

METHODS = ["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS"]
NON_S3 = ["bedrock", "bedrock-runtime", "logs", "monitoring", "sts", "xray",
          "ce", "cloudtrail", "service"]
REGIONS = ["us-east-1", "us-west-2", "eu-west-3", "ap-southeast-2",
           "eu-central-1"]
HOSTS = ["bedrock-runtime.us-east-1.amazonaws.com",
         "bedrock.eu-west-3.amazonaws.com", "logs.us-west-2.amazonaws.com",
         "example.amazonaws.com", "s3.amazonaws.com",
         "my-bucket.s3.eu-central-1.amazonaws.com", "127.0.0.1", "localhost",
         "[::1]"]
# Text for paths and query parameters: unreserved, reserved, space, '%',
# quoting and non-ASCII (2-, 3- and 4-byte UTF-8).
ALPHABET = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
            "-_.~:/?#[]@!$&'()*+,;= %\"<>\\^`{|}"
            "\u00e9\u00fc\u00df\u03a9\u4e2d\u6587\u00a0\u2028\U0001f600")
# Characters that may appear unencoded in a path segment on the wire.
PCHAR = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
         "-._~!$&'()*+,;=:@")
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
HEADER_NAMES = ["X-Custom-A", "x-custom-a", "X-CUSTOM-B", "Content-Type",
                "X-Amz-Target", "X-Amz-Meta-Note", "Accept", "Content-Encoding",
                "x-amzn-query-mode", "X-Amz-Client-Context", "My-Header1"]
UNSIGNED_NAMES = ["User-Agent", "Expect", "X-Amzn-Trace-Id",
                  "Transfer-Encoding", "Connection", "Keep-Alive", "TE",
                  "Upgrade", "Trailer"]
HDR_TEXT = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789-_.:;/=,\"'()"


def text(rng, lo, hi, alphabet=ALPHABET):
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(lo, hi)))


def enc(s):
    """RFC 3986, what lib/uri's bq_uri_encode produces."""
    return quote(s, safe="-_.~")


def gen_path(rng):
    segs = []
    for _ in range(rng.randint(0, 5)):
        kind = rng.random()
        if kind < 0.35:
            segs.append(enc(text(rng, 1, 8)))
        elif kind < 0.55:
            segs.append(text(rng, 1, 8, PCHAR))
        elif kind < 0.65:
            segs.append(rng.choice([".", ".."]))
        elif kind < 0.72:
            segs.append("")
        elif kind < 0.82:
            segs.append("anthropic.claude-3-haiku-20240307-v1%3A0")
        elif kind < 0.88:
            segs.append("a%3ab%2fc")  # lower-case escapes, an encoded '/'
        elif kind < 0.92:
            segs.append("100%")  # a '%' that starts no escape
        else:
            segs.append(rng.choice(["model", "converse", "bucket", "key.txt"]))
    path = "/" + "/".join(segs)
    if segs and rng.random() < 0.3:
        path += "/"
    return path


def gen_query(rng, unique):
    pairs = []
    keys = []
    for _ in range(rng.choice([0, 0, 1, 2, 3, 4, 6])):
        if keys and not unique and rng.random() < 0.3:
            k = rng.choice(keys)  # repeated key
        elif rng.random() < 0.5:
            k = rng.choice(["Action", "Version", "prefix", "list-type",
                            "max-keys", "nextToken", "a", "B", "_", "~x"])
        else:
            k = text(rng, 1, 6)
        if unique and k in keys:
            continue
        if k.lower().startswith("x-amz-"):
            continue
        keys.append(k)
        r = rng.random()
        if r < 0.15:
            pairs.append(enc(k))  # no '=' at all
        elif r < 0.3:
            pairs.append(enc(k) + "=")  # empty value
        else:
            pairs.append(enc(k) + "=" + enc(text(rng, 1, 10)))
    return "&".join(pairs) or None


def gen_header_value(rng):
    r = rng.random()
    if r < 0.08:
        return ""
    if r < 0.14:
        return rng.choice([" ", "\t", "  \t "])
    words = [text(rng, 1, 6, HDR_TEXT) for _ in range(rng.randint(1, 4))]
    out = rng.choice(["", " ", "\t", "   "])
    for i, w in enumerate(words):
        if i:
            out += rng.choice([" ", "  ", "\t", " \t  "])
        out += w
    return out + rng.choice(["", " ", "\t ", "    "])


def gen_headers(rng, presign):
    hs = []
    for _ in range(rng.randint(0, 6)):
        if rng.random() < 0.2:
            name = rng.choice(UNSIGNED_NAMES)
        else:
            name = rng.choice(HEADER_NAMES)
        value = gen_header_value(rng)
        if presign and name.lower() == "content-type" and \
                value == "application/x-www-form-urlencoded; charset=utf-8":
            continue
        hs.append([name, value])
    if not presign and rng.random() < 0.1:
        hs.append(["Authorization", "AWS4-HMAC-SHA256 stale"])
    if not presign and rng.random() < 0.1:
        hs.append(["X-Amz-Date", "20000101T000000Z"])
    return hs


def gen_case(rng, i):
    s3 = rng.random() < 0.4
    presign = rng.random() < 0.35
    token = rng.random() < 0.5
    scheme = "https" if rng.random() < 0.8 else "http"
    host = rng.choice(HOSTS)
    pr = rng.random()
    if pr < 0.5:
        port = 0
    elif pr < 0.65 and not presign:
        port = 443 if scheme == "https" else 80  # explicit default port
    else:
        port = rng.choice([8443, 4566, 5000, 9000,
                           80 if scheme == "https" else 443])
    case = {
        "id": i,
        "mode": "presign" if presign else "header",
        "method": rng.choice(METHODS),
        "scheme": scheme,
        "host": host,
        "port": port,
        "path": gen_path(rng),
        "headers": gen_headers(rng, presign),
        "access_key_id": "AKIA" + text(rng, 16, 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
        "secret_access_key": text(rng, 40, 40, B64),
        "region": rng.choice(REGIONS),
        "service": "s3" if s3 else rng.choice(NON_S3),
        "time": rng.randint(1420070400, 1893456000),
    }
    q = gen_query(rng, unique=presign)
    if q:
        case["query"] = q
    if token:
        case["session_token"] = text(rng, 60, 300, B64) + rng.choice(["", "=", "=="])
    if presign:
        case["expires"] = rng.choice([1, 60, 900, 3600, 86400, 604800])
    else:
        r = rng.random()
        if r < 0.3:
            case["body"] = ""
        elif r < 0.7:
            case["body"] = json.dumps({"messages": [{"role": "user", "content": [
                {"text": text(rng, 0, 30)}]}]}, ensure_ascii=False)
        else:
            case["body"] = text(rng, 1, 200)
        if s3:
            case["unsigned_payload"] = rng.random() < 0.4
        else:
            r = rng.random()
            if r < 0.2:
                case["content_sha256"] = True
            elif r < 0.3 and scheme == "https":
                case["unsigned_payload"] = True
            elif r < 0.4:
                # the caller's own hash, signed verbatim
                case["headers"].append(["X-Amz-Content-SHA256",
                                        rng.choice(["UNSIGNED-PAYLOAD",
                                                    hashlib.sha256(b"x").hexdigest()])])
        if s3 and rng.random() < 0.1:
            # S3 replaces a stale hash with its own
            case["headers"].append(["x-amz-content-sha256", "stale"])
    return case


def category(c):
    return "{} {}{}".format("s3" if c["service"] == "s3" else "non-s3",
                            "presigned" if c["mode"] == "presign" else "header",
                            " with token" if c.get("session_token") else "")


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.creq = None

    def emit(self, record):
        if record.msg.startswith("CanonicalRequest"):
            self.creq = record.args[0] if record.args else None


CAP = Capture()
_log = logging.getLogger("botocore.auth")
_log.setLevel(logging.DEBUG)
_log.addHandler(CAP)
_log.propagate = False


def pin_clock(t):
    fixed = datetime.datetime.fromtimestamp(t, datetime.timezone.utc).replace(tzinfo=None)
    if hasattr(botocore.auth, "get_current_datetime"):  # botocore >= 1.31
        botocore.auth.get_current_datetime = lambda *a, **k: fixed
        return True
    return False


def botocore_sign(c):
    url = "{}://{}{}{}".format(c["scheme"], c["host"],
                               ":%d" % c["port"] if c["port"] else "", c["path"])
    if c.get("query"):
        url += "?" + c["query"]
    body = c.get("body", "").encode("utf-8")
    req = AWSRequest(method=c["method"], url=url, data=body)
    for name, value in c["headers"]:
        req.headers[name] = value  # appends: duplicates kept in order
    creds = Credentials(c["access_key_id"], c["secret_access_key"],
                        c.get("session_token"))
    s3 = c["service"] == "s3"
    if c["mode"] == "presign":
        cls = S3SigV4QueryAuth if s3 else SigV4QueryAuth
        auth = cls(creds, c["service"], c["region"], expires=c["expires"])
    else:
        auth = (S3SigV4Auth if s3 else SigV4Auth)(creds, c["service"], c["region"])
        if s3:
            req.context["client_config"] = Config(
                s3={"payload_signing_enabled": not c.get("unsigned_payload")})
        elif c.get("unsigned_payload"):
            req.context["payload_signing_enabled"] = False
        if c.get("content_sha256"):
            req.headers["X-Amz-Content-SHA256"] = hashlib.sha256(body).hexdigest()
    CAP.creq = None
    ts = datetime.datetime.fromtimestamp(c["time"], datetime.timezone.utc)
    if pin_clock(c["time"]):
        auth.add_auth(req)
    else:  # botocore 1.29: replay add_auth with our timestamp
        req.context["timestamp"] = ts.strftime("%Y%m%dT%H%M%SZ")
        auth._modify_request_before_signing(req)
        creq = auth.canonical_request(req)
        CAP.creq = creq
        sts = auth.string_to_sign(req, creq)
        auth._inject_signature_to_request(req, auth.signature(sts, req))
    if c["mode"] == "presign":
        return req.url, CAP.creq
    return req.headers.get("Authorization"), CAP.creq


def main():
    if not os.access(TOOL, os.X_OK):
        print(f"not ok - sigv4 differential: {TOOL} not built (make unit)")
        return 1
    rng = random.Random(SEED)
    cases = [gen_case(rng, i) for i in range(COUNT)]
    feed = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases)
    proc = subprocess.run([TOOL], input=feed.encode("utf-8"),
                          stdout=subprocess.PIPE, check=False)
    if proc.returncode != 0:
        print(f"not ok - sigv4 differential: sigv4-sign exited {proc.returncode}")
        return 1
    ours = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    if len(ours) != len(cases):
        print(f"not ok - sigv4 differential: {len(ours)} results for {len(cases)} requests")
        return 1

    per_cat = {}
    features = {"repeated query keys": 0, "non-default port": 0,
                "explicit default port": 0, "non-ascii path": 0,
                "dot segments": 0, "unsigned payload": 0, "empty query value": 0}
    mismatches = 0
    for c, o in zip(cases, ours):
        cat = category(c)
        agree, total = per_cat.get(cat, (0, 0))
        want, bcreq = botocore_sign(c)
        got = o.get("url") if c["mode"] == "presign" else o.get("authorization")
        if "error" not in o and got == want:
            agree += 1
        else:
            mismatches += 1
            if mismatches <= MAX_NOT_OK:
                print(f"not ok - sigv4 differential {cat} #{c['id']}: "
                      f"{'url' if c['mode'] == 'presign' else 'authorization'} differs")
                print("#   request: " + json.dumps(c, ensure_ascii=True))
                print(f"#   ours:     {o.get('error') or got}")
                print(f"#   botocore: {want}")
                print("#   our canonical request:\n#     " +
                      str(o.get("canonical_request")).replace("\n", "\n#     "))
                print("#   botocore canonical request:\n#     " +
                      str(bcreq).replace("\n", "\n#     "))
        per_cat[cat] = (agree, total + 1)
        q = c.get("query") or ""
        keys = [p.split("=", 1)[0] for p in q.split("&") if p]
        features["repeated query keys"] += len(keys) != len(set(keys))
        features["empty query value"] += any("=" not in p or p.endswith("=")
                                             for p in q.split("&") if p)
        features["non-default port"] += c["port"] not in (0, 80, 443) or \
            (c["port"] == 80 and c["scheme"] == "https") or \
            (c["port"] == 443 and c["scheme"] == "http")
        features["explicit default port"] += (c["port"] == 443 and c["scheme"] == "https") or \
            (c["port"] == 80 and c["scheme"] == "http")
        features["non-ascii path"] += "%E" in c["path"] or "%C" in c["path"] or "%F0" in c["path"]
        features["dot segments"] += "/./" in c["path"] + "/" or "/../" in c["path"] + "/"
        features["unsigned payload"] += bool(c.get("unsigned_payload"))
    if mismatches > MAX_NOT_OK:
        print(f"not ok - sigv4 differential: {mismatches - MAX_NOT_OK} more mismatches not shown")
    for cat in sorted(per_cat):
        agree, total = per_cat[cat]
        if agree == total:
            print(f"ok - sigv4 differential {cat}: {agree}/{total} agree with botocore {botocore.__version__}")
    # the generator must really have exercised what it claims to
    for name, n in sorted(features.items()):
        if n:
            print(f"ok - sigv4 differential covers {name} ({n} requests)")
        else:
            print(f"not ok - sigv4 differential covers {name}: no request had it")
    methods = {c["method"] for c in cases}
    if methods == set(METHODS):
        print(f"ok - sigv4 differential covers every method ({len(methods)})")
    else:
        print(f"not ok - sigv4 differential covers every method: only {sorted(methods)}")
    total = len(cases)
    print(f"# {total - mismatches}/{total} requests agree (seed {SEED})")
    if total < 1000:
        print(f"not ok - sigv4 differential: only {total} requests (want >= 1000)")
        return 1
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
