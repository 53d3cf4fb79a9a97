#!/usr/bin/env python3
"""The front peer: one local endpoint for every AWS service bq talks to.

Every request's SigV4 signature is verified with botocore (sigv4check.py:
header auth and presigned URLs, S3 body hash against x-amz-content-sha256,
optional clock-skew check with --max-skew).  Failures are answered in the
service's own error shape (awsshapes.py).  Then:

  served here   CloudTrail LookupEvents (from the world's cloudtrail.ndjson),
                Bedrock Runtime Converse (a deterministic judge, see below),
                Bedrock control plane: Get/Put/DeleteModelInvocationLoggingConfiguration,
                ListFoundationModels, GetFoundationModel, ListInferenceProfiles,
                GetInferenceProfile
  forwarded     everything else, byte for byte with the Host header kept, to
                moto (moto_launch.py), which checks the signature again.

Each request is logged as one JSON line to <dir>/requests.ndjson:
  {"ts","method","path","query","service","operation","target"? (X-Amz-Target),
   "status","sig","access_key","served_by":"front"|"moto","error_code"?,"ms"?}
Lines are written before the response is sent, so a client that reads the
log after its response finds its own request there.  ts is the time the
request arrived, RFC 3339 UTC with milliseconds ("2026-11-26T21:00:00.123Z").
sig is "ok", "none" (unsigned health check) or the error code that rejected it.

The Converse judge
------------------
When toolConfig.toolChoice.tool names a tool, the answer is stopReason
"tool_use" with one toolUse block {"name": <that tool>, "input":
{"score": S, "reason": R}}.  With T = the text of the last user message
(its text blocks joined with "\\n"), h = int(sha256(T utf-8).hexdigest()[:8], 16),
and [lo, hi] = the tool's inputSchema.json properties.score minimum/maximum
(default 1..5):
  integer scale (schema type "integer", or both bounds integral): S = lo + h % (hi - lo + 1)
  otherwise (type "number" with fractional bounds):  S = round(lo + (h % 101) / 100 * (hi - lo), 2)
R = "peer judge: sha256 bucket <h % 1000>".
usage.inputTokens = ceil(chars / 4) over every text in system and messages
(at least 1); usage.outputTokens = ceil(len(json.dumps(input)) / 4) (or of the
prose answer); totalTokens their sum; metrics.latencyMs = the configured
latency (--latency MS or BQ_PEER_LATENCY_MS, default 0), which is also slept.
Without a forced tool the answer is prose "peer answer: <first 60 chars of T>",
stopReason "end_turn".

Markers anywhere in T change the answer:
  [[peer:prose]]          prose "I would rate this 4 out of 5." and no tool call
  [[peer:out-of-range]]   score hi + 10
  [[peer:score=N]]        score N exactly (N may be anything parseable)
  [[peer:string-score]]   score as a JSON string ("4")
  [[peer:no-reason]]      input without "reason"
  [[peer:throttle]]       429 ThrottlingException, always
  [[peer:throttle-once]]  429 ThrottlingException the first time this exact T
                          is seen by this peer, then the normal answer
  [[peer:not-ready]]      429 ModelNotReadyException
  [[peer:error]]          500 InternalServerException
  [[peer:validation]]     400 ValidationException
  [[peer:not-found]]      404 ResourceNotFoundException (as for a model id
                          that does not exist)
  [[peer:slow=MS]]        sleep MS milliseconds before answering
"""

import argparse
import base64
import hashlib
import json
import math
import os
import re
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import awsshapes  # noqa: E402
import peerutil  # noqa: E402
import motofix  # noqa: E402
import sigv4check  # noqa: E402

ACCESS_KEY = "AKIAPEERTEST00000001"
SECRET_KEY = "peer-secret-key"
ACCOUNT = "123456789012"


def now_iso():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def iso_ms(t):
    ms = int(t * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + ".%03dZ" % (ms % 1000)


# CloudTrail/JSON timestamps: epoch seconds (number or numeric string) or ISO 8601.
parse_time = peerutil.epoch


class State:
    def __init__(self, args):
        self.dir = args.dir
        self.moto_url = args.moto_url
        self.moto_port_file = args.moto_port_file
        self.max_skew = args.max_skew
        self.latency_ms = args.latency if args.latency is not None else int(os.environ.get("BQ_PEER_LATENCY_MS", "0") or 0)
        self.trail_rps = args.trail_rps
        # and the temporary keys moto's STS issued, asked of moto
        self.secrets = sigv4check.Secrets({ACCESS_KEY: SECRET_KEY},
                                          fallback=motofix.remote_sts_lookup(self.moto))
        self.log_lock = threading.Lock()
        self.log = open(os.path.join(self.dir, "requests.ndjson"), "a", buffering=1)
        self.lock = threading.Lock()
        self.trail_tokens = float(self.trail_rps)
        self.trail_last = time.monotonic()
        self.throttled_once = set()
        self.region = "us-east-1"
        self.account = ACCOUNT
        self.manifest = {}
        self.trail = []
        self.logging_config = None
        wd = args.world
        if wd:
            deadline = time.time() + 120
            while not os.path.exists(os.path.join(wd, "manifest.json")) and time.time() < deadline:
                time.sleep(0.02)  # the generator writes manifest.json last
        if wd and os.path.exists(os.path.join(wd, "manifest.json")):
            with open(os.path.join(wd, "manifest.json")) as f:
                self.manifest = json.load(f)
            self.region = self.manifest.get("region", self.region)
            self.account = self.manifest.get("account", self.account)
            p = os.path.join(wd, "cloudtrail.ndjson")
            if os.path.exists(p):
                with open(p) as f:
                    for line in f:
                        if line.strip():
                            self.trail.append(json.loads(line))
            self.logging_config = self.manifest.get("logging_config")
        # newest first, as LookupEvents answers
        self.trail.sort(key=lambda r: (parse_time(r["eventTime"]), r["eventID"]), reverse=True)

    def moto(self):
        if not self.moto_url:
            port = peerutil.wait_port(self.moto_port_file, "moto did not start")
            self.moto_url = "http://127.0.0.1:%d" % port
        return self.moto_url

    def write_log(self, rec):
        line = json.dumps(rec, separators=(",", ":"))
        with self.log_lock:
            self.log.write(line + "\n")

    def trail_take(self):
        """Token bucket for LookupEvents: trail_rps per second, burst trail_rps."""
        if self.trail_rps <= 0:
            return True
        with self.lock:
            t = time.monotonic()
            self.trail_tokens = min(float(self.trail_rps), self.trail_tokens + (t - self.trail_last) * self.trail_rps)
            self.trail_last = t
            if self.trail_tokens >= 1.0:
                self.trail_tokens -= 1.0
                return True
            return False


STATE = None


class ApiError(Exception):
    def __init__(self, code, message, status=400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


# ---------------------------------------------------------------- CloudTrail

LOOKUP_KEYS = {"EventId", "EventName", "ReadOnly", "Username", "ResourceType",
               "ResourceName", "EventSource", "AccessKeyId"}


def trail_username(rec):
    ui = rec.get("userIdentity") or {}
    if ui.get("userName"):
        return ui["userName"]
    arn = ui.get("arn") or ""
    if ":assumed-role/" in arn:
        return arn.rsplit("/", 1)[-1]
    return None


def trail_event(rec):
    ev = {"EventId": rec["eventID"], "EventName": rec["eventName"],
          "ReadOnly": "true" if rec.get("readOnly") else "false",
          "EventTime": parse_time(rec["eventTime"]),
          "EventSource": rec["eventSource"],
          "Resources": [{"ResourceType": r.get("type"), "ResourceName": r.get("ARN")}
                        for r in (rec.get("resources") or [])],
          "CloudTrailEvent": json.dumps(rec, separators=(",", ":"))}
    ak = (rec.get("userIdentity") or {}).get("accessKeyId")
    if ak:
        ev["AccessKeyId"] = ak
    u = trail_username(rec)
    if u:
        ev["Username"] = u
    return ev


def trail_match(rec, key, value):
    if key == "EventId":
        return rec["eventID"] == value
    if key == "EventName":
        return rec["eventName"] == value
    if key == "ReadOnly":
        return ("true" if rec.get("readOnly") else "false") == value.lower()
    if key == "Username":
        return trail_username(rec) == value
    if key == "ResourceType":
        return any(r.get("type") == value for r in rec.get("resources") or [])
    if key == "ResourceName":
        return any(r.get("ARN") == value for r in rec.get("resources") or [])
    if key == "EventSource":
        return rec["eventSource"] == value
    if key == "AccessKeyId":
        return (rec.get("userIdentity") or {}).get("accessKeyId") == value
    return False


def lookup_events(req):
    attrs = req.get("LookupAttributes") or []
    if len(attrs) > 1:
        raise ApiError("InvalidLookupAttributesException", "You can specify only one lookup attribute.")
    for a in attrs:
        if a.get("AttributeKey") not in LOOKUP_KEYS:
            raise ApiError("InvalidLookupAttributesException",
                           "Invalid attribute key: %s" % a.get("AttributeKey"))
        if not a.get("AttributeValue"):
            raise ApiError("InvalidLookupAttributesException", "Attribute value must not be empty.")
    try:
        start = parse_time(req.get("StartTime"))
        end = parse_time(req.get("EndTime"))
    except ValueError:
        raise ApiError("SerializationException", "bad timestamp")
    if start is not None and end is not None and start > end:
        raise ApiError("InvalidTimeRangeException", "Start time must not be after end time.")
    mr = req.get("MaxResults", 50)
    if not isinstance(mr, int) or mr < 1 or mr > 50:
        raise ApiError("InvalidMaxResultsException", "MaxResults must be between 1 and 50.")
    cat = req.get("EventCategory")
    key = hashlib.sha256(json.dumps([attrs, req.get("StartTime"), req.get("EndTime"), cat],
                                    sort_keys=True).encode()).hexdigest()[:16]
    offset = 0
    tok = req.get("NextToken")
    if tok:
        try:
            d = json.loads(base64.urlsafe_b64decode(tok.encode()).decode())
            if d["k"] != key:
                raise ValueError
            offset = int(d["o"])
        except Exception:
            raise ApiError("InvalidNextTokenException", "Invalid NextToken.")
    if cat == "insight":
        matched = []
    else:
        matched = []
        for rec in STATE.trail:
            if rec.get("eventCategory", "Management") != "Management":
                continue
            t = parse_time(rec["eventTime"])
            if start is not None and t < start:
                continue
            if end is not None and t > end:
                continue
            if attrs and not trail_match(rec, attrs[0]["AttributeKey"], attrs[0]["AttributeValue"]):
                continue
            matched.append(rec)
    page = matched[offset:offset + mr]
    out = {"Events": [trail_event(r) for r in page]}
    if offset + mr < len(matched):
        out["NextToken"] = base64.urlsafe_b64encode(json.dumps({"k": key, "o": offset + mr}).encode()).decode()
    return out


# ------------------------------------------------------------------ Converse

MARK_RX = re.compile(r"\[\[peer:([a-z-]+)(?:=([^\]]*))?\]\]")


def texts_of(content):
    out = []
    for block in content or []:
        if isinstance(block, dict) and isinstance(block.get("text"), str):
            out.append(block["text"])
    return out


def judge_scale(tool):
    props = (((tool.get("inputSchema") or {}).get("json") or {}).get("properties") or {})
    score = props.get("score") or {}
    lo, hi = score.get("minimum", 1), score.get("maximum", 5)
    if not isinstance(lo, (int, float)) or not isinstance(hi, (int, float)) or hi < lo:
        lo, hi = 1, 5
    integral = score.get("type") == "integer" or (float(lo).is_integer() and float(hi).is_integer())
    return lo, hi, integral


def judge_score(text, lo, hi, integral):
    h = int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16)
    if integral:
        lo_i, hi_i = int(lo), int(hi)
        return lo_i + h % (hi_i - lo_i + 1), h
    return round(lo + (h % 101) / 100.0 * (hi - lo), 2), h


def tokens_for(n_chars):
    return max(1, int(math.ceil(n_chars / 4.0)))


# Markers answered with an error, in the order they are checked.
ERROR_MARKS = {
    "throttle": ("ThrottlingException", "Too many requests, please wait before trying again.", 429),
    "not-ready": ("ModelNotReadyException", "Model is not ready to serve inference requests.", 429),
    "error": ("InternalServerException", "The server encountered an internal error.", 500),
    "validation": ("ValidationException", "Malformed input request (peer marker).", 400),
    "not-found": ("ResourceNotFoundException", "Model {model} not found (peer marker).", 404),
}


def converse(model_id, req):
    msgs = req.get("messages")
    if not isinstance(msgs, list) or not msgs:
        raise ApiError("ValidationException", "The model returned the following errors: messages: field required", 400)
    last_user = None
    for m in msgs:
        if m.get("role") == "user":
            last_user = m
    text = "\n".join(texts_of(last_user.get("content") if last_user else []))
    all_chars = sum(len(t) for t in texts_of(req.get("system")))
    for m in msgs:
        all_chars += sum(len(t) for t in texts_of(m.get("content")))
    marks = {m.group(1): m.group(2) for m in MARK_RX.finditer(text)}
    delay = STATE.latency_ms
    if "slow" in marks:
        try:
            delay = int(marks["slow"])
        except (TypeError, ValueError):
            pass
    if "throttle-once" in marks:
        k = hashlib.sha256(text.encode()).hexdigest()
        with STATE.lock:
            first = k not in STATE.throttled_once
            STATE.throttled_once.add(k)
        if first:
            marks["throttle"] = None
    for mark, (code, message, status) in ERROR_MARKS.items():
        if mark in marks:
            raise ApiError(code, message.replace("{model}", model_id), status)
    tc = req.get("toolConfig") or {}
    forced = ((tc.get("toolChoice") or {}).get("tool") or {}).get("name")
    tool = None
    if forced:
        for t in tc.get("tools") or []:
            spec = t.get("toolSpec") if isinstance(t, dict) else None
            if spec and spec.get("name") == forced:
                tool = spec
        if tool is None:
            raise ApiError("ValidationException", "The tool %s named in toolChoice is not defined in tools." % forced, 400)
    if delay > 0:
        time.sleep(delay / 1000.0)
    if tool is not None and "prose" not in marks:
        lo, hi, integral = judge_scale(tool)
        score, h = judge_score(text, lo, hi, integral)
        if "out-of-range" in marks:
            score = hi + 10
        if "score" in marks:
            try:
                score = json.loads(marks["score"])
            except ValueError:
                score = marks["score"]
        if "string-score" in marks:
            score = str(score)
        inp = {"score": score, "reason": "peer judge: sha256 bucket %d" % (h % 1000)}
        if "no-reason" in marks:
            del inp["reason"]
        out_tokens = tokens_for(len(json.dumps(inp)))
        content = [{"toolUse": {"toolUseId": "tooluse_" + hashlib.sha256(text.encode()).hexdigest()[:22],
                                "name": tool["name"], "input": inp}}]
        stop = "tool_use"
    else:
        prose = "I would rate this 4 out of 5." if "prose" in marks else "peer answer: " + text[:60]
        out_tokens = tokens_for(len(prose))
        content = [{"text": prose}]
        stop = "end_turn"
    in_tokens = tokens_for(all_chars)
    return {"output": {"message": {"role": "assistant", "content": content}},
            "stopReason": stop,
            "usage": {"inputTokens": in_tokens, "outputTokens": out_tokens,
                      "totalTokens": in_tokens + out_tokens},
            "metrics": {"latencyMs": int(delay)}}


# ---------------------------------------------------- Bedrock control plane

BASE_MODELS = [
    ("anthropic.claude-3-haiku-20240307-v1:0", "Claude 3 Haiku", "Anthropic", True),
    ("anthropic.claude-3-5-haiku-20241022-v1:0", "Claude 3.5 Haiku", "Anthropic", True),
    ("anthropic.claude-3-5-sonnet-20241022-v2:0", "Claude 3.5 Sonnet v2", "Anthropic", True),
    ("amazon.titan-text-express-v1", "Titan Text G1 - Express", "Amazon", True),
    ("amazon.nova-micro-v1:0", "Nova Micro", "Amazon", True),
    ("amazon.nova-lite-v1:0", "Nova Lite", "Amazon", True),
    ("amazon.nova-pro-v1:0", "Nova Pro", "Amazon", True),
    ("meta.llama3-1-8b-instruct-v1:0", "Llama 3.1 8B Instruct", "Meta", True),
    ("meta.llama3-1-70b-instruct-v1:0", "Llama 3.1 70B Instruct", "Meta", True),
    ("mistral.mistral-large-2407-v1:0", "Mistral Large (24.07)", "Mistral AI", True),
    ("mistral.mistral-7b-instruct-v0:2", "Mistral 7B Instruct", "Mistral AI", True),
    ("cohere.command-r-plus-v1:0", "Command R+", "Cohere", True),
    ("amazon.titan-embed-text-v2:0", "Titan Text Embeddings V2", "Amazon", False),
]


def foundation_models():
    out = []
    for mid, name, prov, text in BASE_MODELS:
        out.append({
            "modelArn": "arn:aws:bedrock:%s::foundation-model/%s" % (STATE.region, mid),
            "modelId": mid, "modelName": name, "providerName": prov,
            "inputModalities": ["TEXT"],
            "outputModalities": ["TEXT"] if text else ["EMBEDDING"],
            "responseStreamingSupported": text,
            "customizationsSupported": [],
            "inferenceTypesSupported": ["ON_DEMAND", "INFERENCE_PROFILE"] if text else ["ON_DEMAND"],
            "modelLifecycle": {"status": "ACTIVE"}})
    return out


def inference_profiles():
    """System-defined us.* profiles of the text models plus the world's
    application profiles (manifest "application_profiles")."""
    region = STATE.region
    out = []
    ts = "2024-11-01T00:00:00Z"
    for mid, name, prov, text in BASE_MODELS:
        if not text:
            continue
        pid = "us." + mid
        out.append({"inferenceProfileName": "US " + name, "inferenceProfileId": pid,
                    "inferenceProfileArn": "arn:aws:bedrock:%s:%s:inference-profile/%s" % (region, STATE.account, pid),
                    "description": "Routes requests to %s in us-east-1, us-east-2 and us-west-2." % name,
                    "createdAt": ts, "updatedAt": ts, "status": "ACTIVE", "type": "SYSTEM_DEFINED",
                    "models": [{"modelArn": "arn:aws:bedrock:%s::foundation-model/%s" % (r, mid)}
                               for r in ("us-east-1", "us-east-2", "us-west-2")]})
    for ap in STATE.manifest.get("application_profiles", []):
        out.append({"inferenceProfileName": ap["name"], "inferenceProfileId": ap["id"],
                    "inferenceProfileArn": ap["arn"], "description": ap.get("description", ""),
                    "createdAt": ts, "updatedAt": ts, "status": "ACTIVE", "type": "APPLICATION",
                    "models": [{"modelArn": m} for m in ap.get("model_arns", [])]})
    return out


def paged(items, key, q, default_max=100):
    try:
        mx = int(q.get("maxResults", default_max))
    except ValueError:
        raise ApiError("ValidationException", "maxResults must be a number", 400)
    if mx < 1 or mx > 1000:
        raise ApiError("ValidationException", "maxResults must be between 1 and 1000", 400)
    off = 0
    if q.get("nextToken"):
        try:
            off = int(base64.urlsafe_b64decode(q["nextToken"].encode()).decode())
        except Exception:
            raise ApiError("ValidationException", "Invalid nextToken", 400)
    out = {key: items[off:off + mx]}
    if off + mx < len(items):
        out["nextToken"] = base64.urlsafe_b64encode(str(off + mx).encode()).decode()
    return out


def bedrock_control(op, method, path, q, body):
    if op == "GetModelInvocationLoggingConfiguration":
        return 200, ({"loggingConfig": STATE.logging_config} if STATE.logging_config else {})
    if op == "PutModelInvocationLoggingConfiguration":
        try:
            doc = json.loads(body or b"{}")
        except ValueError:
            raise ApiError("ValidationException", "body is not JSON", 400)
        lc = doc.get("loggingConfig")
        if not isinstance(lc, dict):
            raise ApiError("ValidationException", "1 validation error detected: Value null at 'loggingConfig' failed to satisfy constraint: Member must not be null", 400)
        for k in ("cloudWatchConfig", "s3Config"):
            if k in lc and not (lc[k] or {}).get("logGroupName" if k == "cloudWatchConfig" else "bucketName"):
                raise ApiError("ValidationException", "%s is missing its destination" % k, 400)
        if "cloudWatchConfig" in lc and not lc["cloudWatchConfig"].get("roleArn"):
            raise ApiError("ValidationException", "cloudWatchConfig.roleArn is required", 400)
        STATE.logging_config = lc
        return 200, {}
    if op == "DeleteModelInvocationLoggingConfiguration":
        STATE.logging_config = None
        return 200, {}
    if op == "ListFoundationModels":
        ms = foundation_models()
        if q.get("byProvider"):
            ms = [m for m in ms if m["providerName"].lower() == q["byProvider"].lower()]
        if q.get("byOutputModality"):
            ms = [m for m in ms if q["byOutputModality"] in m["outputModalities"]]
        if q.get("byInferenceType"):
            ms = [m for m in ms if q["byInferenceType"] in m["inferenceTypesSupported"]]
        return 200, {"modelSummaries": ms}
    if op == "GetFoundationModel":
        ident = unquote(path.rsplit("/", 1)[-1])
        for m in foundation_models():
            if ident in (m["modelId"], m["modelArn"]):
                return 200, {"modelDetails": m}
        raise ApiError("ResourceNotFoundException", "Could not find model %s" % ident, 404)
    if op == "ListInferenceProfiles":
        ps = inference_profiles()
        t = q.get("type") or q.get("typeEquals")
        if t:
            ps = [p for p in ps if p["type"] == t]
        return 200, paged(ps, "inferenceProfileSummaries", q)
    if op == "GetInferenceProfile":
        ident = unquote(path.rsplit("/", 1)[-1])
        for p in inference_profiles():
            if ident in (p["inferenceProfileId"], p["inferenceProfileArn"]):
                return 200, p
        raise ApiError("ResourceNotFoundException", "Inference profile %s not found" % ident, 404)
    return None


FRONT_OPS = {"GetModelInvocationLoggingConfiguration", "PutModelInvocationLoggingConfiguration",
             "DeleteModelInvocationLoggingConfiguration", "ListFoundationModels",
             "GetFoundationModel", "ListInferenceProfiles", "GetInferenceProfile"}


# ------------------------------------------------------------------- handler

HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te",
       "trailer", "upgrade"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this every reused
    # connection waits ~40 ms for a delayed ACK (Nagle).
    disable_nagle_algorithm = True
    server_version = "bq-peer-front"
    sys_version = ""

    def log_message(self, fmt, *args):  # the NDJSON log replaces stderr chatter
        pass

    def send(self, status, headers, body, keep=True):
        self.send_response(status)
        names = set()
        for k, v in headers:
            if k.lower() == "content-length" and self.command == "HEAD":
                # HEAD: the length of the body a GET would have (S3 HeadObject)
                self.send_header(k, v)
                names.add("content-length")
                continue
            if k.lower() in HOP or k.lower() in ("content-length", "date", "server"):
                continue
            self.send_header(k, v)
            names.add(k.lower())
        if "x-amzn-requestid" not in names and "x-amz-request-id" not in names:
            self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        if "content-length" not in names:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status, doc, ctype="application/json"):
        self.send(status, [("Content-Type", ctype)], json.dumps(doc).encode())

    def handle_one(self):
        body, chunked = peerutil.read_body(self)
        headers = list(self.headers.items())
        sp = urlsplit(self.path)
        path, query = sp.path, sp.query
        t0 = time.time()
        rec = {"ts": iso_ms(t0), "method": self.command, "path": path, "query": query}
        if path.startswith("/peer-api/"):
            rec.update({"service": None, "operation": path, "sig": "none", "served_by": "front"})
            # every line is logged before the answer leaves, so a client
            # that reads the log right after its response finds its request
            if path == "/peer-api/health":
                rec["status"] = 200
                STATE.write_log(rec)
                self.send_json(200, {"ok": True, "moto": STATE.moto_url})
            else:
                rec["status"] = 404
                STATE.write_log(rec)
                self.send_json(404, {"message": "no such peer api"})
            return
        service = awsshapes.scope_service(headers, query)
        if service is None and "AWSAccessKeyId=" in query:
            service = "s3"  # a SigV2 presigned URL
        proto = awsshapes.protocol_of(service, headers)
        op = awsshapes.operation_of(self.command, path, query, headers, body, service)
        rec.update({"service": service, "operation": op})
        target = self.headers.get("X-Amz-Target")
        if target:
            rec["target"] = target
        v = sigv4check.verify(self.command, path, query, headers, body, STATE.secrets,
                              max_skew=STATE.max_skew)
        rec["access_key"] = v.access_key
        if not v.ok:
            rec["sig"] = v.code
            code = v.code
            if code == "InvalidSignatureException" and proto in ("query",):
                code = "SignatureDoesNotMatch"
            extra = {}
            if proto == "s3":
                if code == "SignatureDoesNotMatch":
                    extra = {"AWSAccessKeyId": v.access_key or "", "StringToSign": v.string_to_sign or "",
                             "CanonicalRequest": v.canonical_request or ""}
                elif code == "RequestTimeTooSkewed":
                    extra = {"RequestTime": v.amz_date or "",
                             "ServerTime": now_iso(), "MaxAllowedSkewMilliseconds": str(int(STATE.max_skew * 1000))}
                elif code == "InvalidAccessKeyId":
                    extra = {"AWSAccessKeyId": v.access_key or ""}
            status, hdrs, ebody = awsshapes.error_response(proto, code, v.message, v.status, extra)
            rec.update({"status": status, "served_by": "front", "error_code": code})
            STATE.write_log(rec)
            self.send(status, hdrs, ebody)
            return
        rec["sig"] = "none" if v.unsigned else "ok"
        try:
            served = self.serve_local(service, op, proto, path, query, body)
        except ApiError as e:
            status, hdrs, ebody = awsshapes.error_response(proto, e.code, e.message, e.status)
            rec.update({"status": status, "served_by": "front", "error_code": e.code})
            STATE.write_log(rec)
            self.send(status, hdrs, ebody)
            return
        if served is not None:
            status, doc = served
            ctype = "application/x-amz-json-1.1" if proto == "json11" else "application/json"
            rec.update({"status": status, "served_by": "front"})
            STATE.write_log(rec)
            self.send(status, [("Content-Type", ctype)], json.dumps(doc).encode())
            return
        status, rh, rbody = self.forward(headers, body, chunked)
        rec.update({"status": status, "served_by": "moto", "ms": int((time.time() - t0) * 1000)})
        STATE.write_log(rec)
        self.send(status, rh, rbody)

    def serve_local(self, service, op, proto, path, query, body):
        if service == "cloudtrail" and op == "LookupEvents":
            if not STATE.trail_take():
                raise ApiError("ThrottlingException", "Rate exceeded", 400)
            try:
                req = json.loads(body or b"{}")
            except ValueError:
                raise ApiError("SerializationException", "body is not JSON", 400)
            return 200, lookup_events(req)
        if service == "bedrock" and op == "Converse":
            try:
                req = json.loads(body or b"{}")
            except ValueError:
                raise ApiError("ValidationException", "body is not JSON", 400)
            model = unquote(path.split("/")[2])
            return 200, converse(model, req)
        if service == "bedrock" and op in FRONT_OPS:
            q = dict(parse_qsl(query, keep_blank_values=True))
            return bedrock_control(op, self.command, path, q, body)
        return None

    def forward(self, headers, body, chunked):
        u = urlsplit(STATE.moto())
        return peerutil.forward(self, u.hostname, u.port, headers, body, chunked, timeout=120)

    def do_any(self):
        try:
            self.handle_one()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as e:  # a peer bug must not look like a hang
            import traceback
            traceback.print_exc()
            try:
                st, h, b = awsshapes.error_response("rest-json", "InternalFailure", "peer error: %s" % e, 500)
                self.send(st, h, b)
            except Exception:
                self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_any


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def main(argv=None):
    global STATE
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--dir", required=True)
    ap.add_argument("--moto-url")
    ap.add_argument("--moto-port-file")
    ap.add_argument("--world")
    ap.add_argument("--latency", type=int)
    ap.add_argument("--max-skew", type=int)
    ap.add_argument("--trail-rps", type=float, default=2.0)
    args = ap.parse_args(argv)
    STATE = State(args)
    srv = Server(("127.0.0.1", args.port), Handler)
    peerutil.publish_port(srv.server_address[1], args.port_file)
    import signal
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
