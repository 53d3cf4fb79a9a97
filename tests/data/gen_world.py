#!/usr/bin/env python3
"""Generate one consistent, deterministic Amazon Bedrock world.

  gen_world.py --out DIR [--seed N] [--records N] [--anchor T] [--hours H]
               [--per-object N] [--large-every N] [--no-seed] [--quiet]

Everything is a pure function of (seed, records, window, cutoff): the window is
the --hours (default 3) hours ending at --anchor (RFC 3339 or @epoch; default
the end of the current UTC hour).  Request times are spread over
[window_start, cutoff) where cutoff = window_end when --anchor is given, else
min(window_end, now - 120 s) rounded down to the minute: AWS never logs the
future.  --records N is the number of invocation log records (throttled
requests come on top: they are never logged).  Output is streamed, so a
million records is fine (--records 1000000 --hours 24 for benchmarks).

The generator only writes files.  The peers load them: moto_launch.py
--world DIR seeds S3, CloudWatch Logs, CloudWatch metrics, X-Ray and Cost
Explorer; front.py --world DIR serves CloudTrail LookupEvents, the logging
configuration and the application inference profiles (peer_start --world,
peerctl start --world).  --no-seed is accepted for scripts that want to say
so; it changes nothing.

Files in DIR
------------
manifest.json  {"account","region","bucket","prefix" (the logging keyPrefix),
    "s3_log_prefix" ("<prefix>/AWSLogs/<account>/BedrockModelInvocationLogs/<region>/"),
    "log_group","log_stream","role_arn","trail_bucket","trail_prefix",
    "window_start","window_end","data_end" (the cutoff), "seed","records",
    "throttled","s3_objects","large_bodies","traces","models":[{"model_id",
    "base_model_id","format","operations":[...],"billing_name","service",
    "application_profile"?}], "application_profiles":[{"id","arn","name",
    "tags":{...},"model_arns":[...],"base_model_id","copy_from"}],
    "logging_config" (as GetModelInvocationLoggingConfiguration returns it),
    "identities":[arn...]}
invocations.ndjson  the invocation log records, exactly as logged (schema of
    bedrock-facts.md 3.4: schemaType, schemaVersion, timestamp, accountId,
    identity.arn, region, requestId, operation, modelId, inferenceRegion,
    requestMetadata?, input{inputContentType, inputBodyJson | inputBodyS3Path,
    inputTokenCount, cacheReadInputTokenCount?, cacheWriteInputTokenCount?},
    output{outputContentType, outputBodyJson | outputBodyS3Path,
    outputTokenCount}, errorCode?), one per line in emission (= time) order.
    Bodies: Converse / ConverseStream requests and responses, InvokeModel
    bodies of Anthropic messages, Amazon Titan text, Amazon Nova, Meta Llama,
    Mistral and Cohere; streamed outputs are arrays of chunks/events.
    The same records, grouped, are the gzip NDJSON objects under
    s3/<bucket>/<s3_log_prefix>YYYY/MM/DD/HH/<YYYYMMDDTHHMMSSmmmZ>_<16 hex>.json.gz
    (at most --per-object records each, default 40); offloaded bodies (over
    100 KB) are s3/<bucket>/<s3_log_prefix>YYYY/MM/DD/HH/data/<requestId>_{input,output}.json.gz
    (gzip JSON); a "permission-check" object sits at <s3_log_prefix>..
    (i.e. <prefix>/AWSLogs/<account>/BedrockModelInvocationLogs/permission-check).
    The log group gets one event per record (message = the compact JSON line,
    timestamp = the record's time) in stream aws/bedrock/modelinvocations.
metrics.ndjson  {"ts" (minute start),"namespace":"AWS/Bedrock","metric",
    "dimensions":{"ModelId":..} or {},"unit","values":[..],"counts":[..]}:
    the samples published in that minute (value v seen counts[i] times), as
    PutMetricData Values/Counts.  Per model: Invocations (1 per logged
    request, errors included), InvocationLatency and TimeToFirstToken
    (streamed only) in ms, InputTokenCount, OutputTokenCount,
    CacheReadInputTokens / CacheWriteInputTokens (requests that used the
    cache), InvocationClientErrors / InvocationServerErrors (value 1 per
    error), InvocationThrottles (1 per throttled request).  No dimensions:
    ModelInvocationLogsCloudWatchDeliverySuccess (1 per record) and
    ModelInvocationLogsS3DeliverySuccess (1 per S3 object).
cloudtrail.ndjson  CloudTrail records (the CloudTrailEvent JSON), one per
    line in time order: a Converse/ConverseStream/InvokeModel/
    InvokeModelWithResponseStream management event per logged request and per
    throttled one (requestID = the log's requestId; additionalEventData.
    inferenceRegion when routed away from the source region; errorCode /
    errorMessage on failures), control-plane management events, sts
    AssumeRole events, and data events (InvokeAgent, Retrieve,
    ApplyGuardrail; eventCategory "Data", which LookupEvents never returns).
    Also as trail files s3/<trail_bucket>/<trail_prefix>YYYY/MM/DD/
    <account>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<16 chars>.json.gz holding
    {"Records":[...]} per 5 minutes.
traces.ndjson  X-Ray segment documents as PutTraceSegments takes them, one
    per line: for every third logged request a root segment (service
    chat-api, batch-summarizer or rag-service) with a bedrock-runtime
    subsegment (namespace aws, aws.operation, aws.request_id = requestId,
    aws.region, http.request.url with the /model/{id}/ path, http.response.status,
    error/throttle/fault flags); some carry gen_ai.request.model in
    annotations (gen_ai_request_model), in metadata under a namespace as a
    dotted key, or nested; some traces have a second segment (retriever)
    parented to the root.
costs.json  {"currency":"USD","prices":{billing_name:{"input","output",
    "cache_read","cache_write"} per 1M tokens},"tag_keys":[...],"rows":[{"start",
    "end" (the UTC hour),"service","usage_type","operation","region",
    "linked_account","tags":{key:value or ""},"unblended_cost" (number, USD),
    "usage_quantity" (tokens)}]}: what Cost Explorer knows; the peer's
    GetCostAndUsage aggregates these rows by the requested granularity,
    filter and GroupBy, and its GetDimensionValues lists their values.
    Services: "Amazon Bedrock" for first-party models and a Marketplace
    service per Anthropic model ("Claude 3.5 Haiku (Amazon Bedrock
    Edition)"), as bedrock-facts.md 6.2 describes.
"""

import argparse
import calendar
import gzip
import hashlib
import json
import os
import random
import re
import sys
import time
import uuid

ACCOUNT = "123456789012"
REGION = "us-east-1"
BUCKET = "bq-bedrock-logs-123456789012"
PREFIX = "bedrock"
LOG_GROUP = "/aws/bedrock/modelinvocations"
LOG_STREAM = "aws/bedrock/modelinvocations"
ROLE_ARN = "arn:aws:iam::123456789012:role/BedrockLoggingRole"
TRAIL_BUCKET = "bq-trail-123456789012"
TRAIL_PREFIX = "AWSLogs/123456789012/CloudTrail/us-east-1/"
LARGE = 100 * 1024

# model_id, base model, body format, operations, billing name, CE service,
# price per 1M tokens (input, output), cross-region regions
MODELS = [
    ("us.anthropic.claude-3-5-haiku-20241022-v1:0", "anthropic.claude-3-5-haiku-20241022-v1:0",
     "converse", ["Converse", "ConverseStream"], "Claude3.5Haiku",
     "Claude 3.5 Haiku (Amazon Bedrock Edition)", (0.80, 4.00), ["us-east-1", "us-east-2", "us-west-2"], 6),
    ("anthropic.claude-3-haiku-20240307-v1:0", "anthropic.claude-3-haiku-20240307-v1:0",
     "anthropic", ["InvokeModel", "InvokeModelWithResponseStream"], "Claude3Haiku",
     "Claude 3 Haiku (Amazon Bedrock Edition)", (0.25, 1.25), None, 5),
    ("amazon.titan-text-express-v1", "amazon.titan-text-express-v1",
     "titan", ["InvokeModel", "InvokeModelWithResponseStream"], "TitanTextG1Express",
     "Amazon Bedrock", (0.20, 0.60), None, 2),
    ("us.amazon.nova-lite-v1:0", "amazon.nova-lite-v1:0",
     "nova", ["InvokeModel"], "NovaLite", "Amazon Bedrock", (0.06, 0.24),
     ["us-east-1", "us-east-2", "us-west-2"], 3),
    ("amazon.nova-pro-v1:0", "amazon.nova-pro-v1:0",
     "converse", ["Converse"], "NovaPro", "Amazon Bedrock", (0.80, 3.20), None, 2),
    ("us.meta.llama3-1-70b-instruct-v1:0", "meta.llama3-1-70b-instruct-v1:0",
     "llama", ["InvokeModel"], "Llama3.1-70B", "Amazon Bedrock", (0.72, 0.72),
     ["us-east-1", "us-east-2", "us-west-2"], 2),
    ("mistral.mistral-large-2407-v1:0", "mistral.mistral-large-2407-v1:0",
     "mistral", ["InvokeModel"], "MistralLarge2407", "Amazon Bedrock", (2.00, 6.00), None, 1),
    ("cohere.command-r-plus-v1:0", "cohere.command-r-plus-v1:0",
     "cohere", ["InvokeModel"], "CommandRPlus", "Amazon Bedrock", (2.50, 10.00), None, 1),
]

APP_PROFILES = [
    # id, name, wrapped model index, tags, weight
    ("a1b2c3d4e5f6", "search-haiku", 0, {"team": "search", "costcenter": "cc-100"}, 3),
    ("f6e5d4c3b2a1", "support-nova-pro", 4, {"team": "support", "costcenter": "cc-200"}, 2),
]

IDENTITIES = [
    ("arn:aws:sts::123456789012:assumed-role/chat-api/i-0a1b2c3d4e5f60718", "AssumedRole", "chat-api", "ASIAPEERCHATAPI00001", 5),
    ("arn:aws:sts::123456789012:assumed-role/batch-summarizer/job-42", "AssumedRole", "batch-summarizer", "ASIAPEERBATCHSUM0001", 3),
    ("arn:aws:iam::123456789012:user/alice", "IAMUser", "alice", "AKIAPEERALICE0000001", 1),
    ("arn:aws:iam::123456789012:user/bob", "IAMUser", "bob", "AKIAPEERBOB000000001", 1),
]

WORDS = ("the a of to and in for on with is ticket customer order refund invoice "
         "summary report latency model token cache region account billing error "
         "retry stream answer question policy shipment delay product review search "
         "query index vector document page chapter meeting notes action item owner "
         "deadline release deploy incident root cause metric alarm dashboard trace "
         "please explain why how when which should could would friendly concise").split()
TEAMS = ["search", "support", "growth", "platform"]
FEATURES = ["chat", "summarize", "classify", "extract"]


def rfc3339(t, ms=False):
    s = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t))
    if ms:
        return s + ".%03dZ" % int(round((t - int(t)) * 1000) % 1000)
    return s + "Z"


def parse_anchor(s):
    if s.startswith("@"):
        return int(s[1:])
    m = re.match(r"^(\d{4}-\d\d-\d\d)(?:[T ](\d\d:\d\d(?::\d\d)?))?Z?$", s)
    if not m:
        raise SystemExit("gen_world: bad --anchor '%s'" % s)
    hms = m.group(2) or "00:00:00"
    if len(hms) == 5:
        hms += ":00"
    return calendar.timegm(time.strptime(m.group(1) + "T" + hms, "%Y-%m-%dT%H:%M:%S"))


class Gen:
    def __init__(self, args):
        self.rng = random.Random(args.seed)
        self.args = args
        self.out = args.out
        now = int(time.time())
        if args.anchor:
            self.end = parse_anchor(args.anchor)
            self.cutoff = self.end
        else:
            self.end = (now // 3600 + 1) * 3600
            self.cutoff = min(self.end, ((now - 120) // 60) * 60)
        self.start = self.end - int(args.hours * 3600)
        if self.cutoff <= self.start + 60:
            self.cutoff = self.start + 60
        self.s3_log_prefix = "%s/AWSLogs/%s/BedrockModelInvocationLogs/%s/" % (PREFIX, ACCOUNT, REGION)
        self.model_weights = []
        for i, m in enumerate(MODELS):
            self.model_weights.append((m[8], ("model", i)))
        for j, p in enumerate(APP_PROFILES):
            self.model_weights.append((p[4], ("profile", j)))
        self.total_weight = sum(w for w, _ in self.model_weights)
        self.metrics = {}
        self.costs = {}
        self.open_s3 = None
        self.s3_objects = 0
        self.large = 0
        self.traces = 0
        self.throttled = 0
        self.trail_buf = []
        self.trail_slot = None
        self.trail_files = 0
        self._big = None
        self._ui = {}

    # ------------------------------------------------------------ helpers
    def uuid(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hexid(self, n):
        return "%0*x" % (n, self.rng.getrandbits(4 * n))

    def words(self, n):
        return " ".join(self.rng.choices(WORDS, k=n))

    def big_text(self, i):
        """Over 100 KB of text: one block drawn once per world, made unique
        per record by its first line (cheap enough for million-record worlds)."""
        if self._big is None:
            self._big = self.words(21000)
        return "Document %d of the archive.\n%s" % (i, self._big)

    def pick_weighted(self, items):
        total = sum(i[-1] for i in items)
        x = self.rng.uniform(0, total)
        for it in items:
            x -= it[-1]
            if x <= 0:
                return it
        return items[-1]

    def pick_target(self):
        x = self.rng.uniform(0, self.total_weight)
        for w, t in self.model_weights:
            x -= w
            if x <= 0:
                return t
        return self.model_weights[-1][1]

    def profile_arn(self, j):
        return "arn:aws:bedrock:%s:%s:application-inference-profile/%s" % (REGION, ACCOUNT, APP_PROFILES[j][0])

    def metric(self, ts, name, model_id, value, unit):
        minute = int(ts) // 60 * 60
        key = (minute, name, model_id, unit)
        d = self.metrics.get(key)
        if d is None:
            d = self.metrics[key] = {}
        d[value] = d.get(value, 0) + 1

    # -------------------------------------------------------------- bodies
    def converse_bodies(self, prompt, answer, stream, in_tok, out_tok, cache_r, cache_w, latency, ttft, meta, stop):
        req = {"messages": [{"role": "user", "content": [{"text": prompt}]}],
               "system": [{"text": "You are a concise assistant for the %s team." % self.rng.choice(TEAMS)}],
               "inferenceConfig": {"maxTokens": 512, "temperature": 0.2}}
        if cache_r or cache_w:
            req["system"].append({"cachePoint": {"type": "default"}})
        if meta:
            req["requestMetadata"] = meta
        usage = {"inputTokens": in_tok, "outputTokens": out_tok, "totalTokens": in_tok + out_tok}
        if cache_r or cache_w:
            usage["cacheReadInputTokens"] = cache_r
            usage["cacheWriteInputTokens"] = cache_w
        if not stream:
            resp = {"output": {"message": {"role": "assistant", "content": [{"text": answer}]}},
                    "stopReason": stop, "metrics": {"latencyMs": latency}, "usage": usage}
        else:
            resp = [{"messageStart": {"role": "assistant"}}]
            for piece in self.chunks(answer):
                resp.append({"contentBlockDelta": {"delta": {"text": piece}, "contentBlockIndex": 0}})
            resp.append({"contentBlockStop": {"contentBlockIndex": 0}})
            resp.append({"messageStop": {"stopReason": stop}})
            resp.append({"metadata": {"usage": usage, "metrics": {"latencyMs": latency}}})
        return req, resp

    def chunks(self, text):
        ws = text.split(" ")
        out = []
        for i in range(0, len(ws), 6):
            out.append((" " if i else "") + " ".join(ws[i:i + 6]))
        return out

    def invoke_bodies(self, fmt, prompt, answer, stream, in_tok, out_tok, cache_r, cache_w, latency, ttft, stop):
        metrics_obj = {"inputTokenCount": in_tok, "outputTokenCount": out_tok,
                       "invocationLatency": latency, "firstByteLatency": ttft}
        if fmt == "anthropic":
            req = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 512,
                   "system": "Answer briefly.",
                   "messages": [{"role": "user", "content": [{"type": "text", "text": prompt}]}]}
            usage = {"input_tokens": in_tok, "output_tokens": out_tok}
            if cache_r or cache_w:
                usage["cache_read_input_tokens"] = cache_r
                usage["cache_creation_input_tokens"] = cache_w
                req["system"] = [{"type": "text", "text": "Answer briefly.", "cache_control": {"type": "ephemeral"}}]
            mid = "msg_bdrk_" + self.hexid(24)
            if not stream:
                resp = {"id": mid, "type": "message", "role": "assistant",
                        "model": "claude-3-haiku-20240307",
                        "content": [{"type": "text", "text": answer}],
                        "stop_reason": stop, "stop_sequence": None, "usage": usage}
            else:
                resp = [{"type": "message_start", "message": {"id": mid, "type": "message", "role": "assistant",
                                                              "model": "claude-3-haiku-20240307", "content": [],
                                                              "stop_reason": None, "usage": dict(usage, output_tokens=1)}},
                        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}]
                for piece in self.chunks(answer):
                    resp.append({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}})
                resp.append({"type": "content_block_stop", "index": 0})
                resp.append({"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
                             "usage": {"output_tokens": out_tok}})
                resp.append({"type": "message_stop", "amazon-bedrock-invocationMetrics": metrics_obj})
            return req, resp
        if fmt == "titan":
            req = {"inputText": prompt, "textGenerationConfig": {"maxTokenCount": 512, "temperature": 0.3, "topP": 0.9}}
            reason = "FINISH" if stop == "end_turn" else "LENGTH"
            if not stream:
                resp = {"inputTextTokenCount": in_tok,
                        "results": [{"tokenCount": out_tok, "outputText": answer, "completionReason": reason}]}
            else:
                pieces = self.chunks(answer)
                resp = []
                for k, piece in enumerate(pieces):
                    last = k == len(pieces) - 1
                    c = {"outputText": piece, "index": 0, "totalOutputTextTokenCount": out_tok if last else None,
                         "completionReason": reason if last else None,
                         "inputTextTokenCount": in_tok if k == 0 else None}
                    if last:
                        c["amazon-bedrock-invocationMetrics"] = metrics_obj
                    resp.append(c)
            return req, resp
        if fmt == "nova":
            req = {"schemaVersion": "messages-v1",
                   "system": [{"text": "Be helpful."}],
                   "messages": [{"role": "user", "content": [{"text": prompt}]}],
                   "inferenceConfig": {"maxTokens": 512, "temperature": 0.5}}
            usage = {"inputTokens": in_tok, "outputTokens": out_tok, "totalTokens": in_tok + out_tok,
                     "cacheReadInputTokenCount": cache_r, "cacheWriteInputTokenCount": cache_w}
            resp = {"output": {"message": {"content": [{"text": answer}], "role": "assistant"}},
                    "stopReason": stop, "usage": usage}
            return req, resp
        if fmt == "llama":
            req = {"prompt": "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n%s<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n" % prompt,
                   "max_gen_len": 512, "temperature": 0.5, "top_p": 0.9}
            resp = {"generation": answer, "prompt_token_count": in_tok, "generation_token_count": out_tok,
                    "stop_reason": "stop" if stop == "end_turn" else "length"}
            return req, resp
        if fmt == "mistral":
            req = {"prompt": "<s>[INST] %s [/INST]" % prompt, "max_tokens": 512, "temperature": 0.5}
            resp = {"outputs": [{"text": answer, "stop_reason": "stop" if stop == "end_turn" else "length"}]}
            return req, resp
        if fmt == "cohere":
            req = {"message": prompt, "chat_history": [], "max_tokens": 512, "temperature": 0.3}
            resp = {"response_id": self.uuid(), "text": answer, "generation_id": self.uuid(),
                    "chat_history": [{"role": "USER", "message": prompt}, {"role": "CHATBOT", "message": answer}],
                    "finish_reason": "COMPLETE" if stop == "end_turn" else "MAX_TOKENS"}
            return req, resp
        raise ValueError(fmt)

    # --------------------------------------------------------------- S3 out
    def s3_path(self, key):
        return os.path.join(self.out, "s3", key.split("/", 1)[0], key.split("/", 1)[1])

    def write_gz(self, bucket_key, data):
        p = self.s3_path(bucket_key)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(gzip.compress(data, compresslevel=1, mtime=0))

    def hour_prefix(self, t):
        return self.s3_log_prefix + time.strftime("%Y/%m/%d/%H/", time.gmtime(t))

    def s3_add(self, t, line):
        hp = self.hour_prefix(t)
        if self.open_s3 is not None and (self.open_s3[0] != hp or len(self.open_s3[2]) >= self.args.per_object):
            self.s3_flush()
        if self.open_s3 is None:
            name = "%s%03dZ_%s.json.gz" % (time.strftime("%Y%m%dT%H%M%S", time.gmtime(t)),
                                          int((t - int(t)) * 1000), self.hexid(16))
            self.open_s3 = (hp, name, [], t)
        self.open_s3[2].append(line)

    def s3_flush(self):
        if self.open_s3 is None:
            return
        hp, name, lines, t = self.open_s3
        self.write_gz(BUCKET + "/" + hp + name, ("\n".join(lines) + "\n").encode())
        self.s3_objects += 1
        # one delivery per object, published when the object is written
        self.metric(t, "ModelInvocationLogsS3DeliverySuccess", None, 1, "Count")
        self.open_s3 = None

    # ------------------------------------------------------------- trail
    def trail_add(self, rec, t):
        self.trail_out.write(json.dumps(rec, separators=(",", ":")) + "\n")
        slot = int(t) // 300 * 300
        if self.trail_slot is not None and slot != self.trail_slot:
            self.trail_flush()
        self.trail_slot = slot
        self.trail_buf.append(rec)

    def trail_flush(self):
        if not self.trail_buf:
            return
        s = self.trail_slot
        name = "%s%s/%s_CloudTrail_%s_%s_%s.json.gz" % (
            TRAIL_PREFIX, time.strftime("%Y/%m/%d", time.gmtime(s)), ACCOUNT, REGION,
            time.strftime("%Y%m%dT%H%MZ", time.gmtime(s)),
            "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") for _ in range(16)))
        self.write_gz(TRAIL_BUCKET + "/" + name, json.dumps({"Records": self.trail_buf}, separators=(",", ":")).encode())
        self.trail_files += 1
        self.trail_buf = []

    def user_identity(self, ident):
        # shared, never mutated: records are serialised as they are made
        ui = self._ui.get(ident[0])
        if ui is None:
            ui = self._ui[ident[0]] = self._user_identity(ident)
        return ui

    def _user_identity(self, ident):
        arn, typ, name, ak, _ = ident
        if typ == "IAMUser":
            return {"type": "IAMUser", "principalId": "AIDA" + hashlib.sha256(arn.encode()).hexdigest()[:16].upper(),
                    "arn": arn, "accountId": ACCOUNT, "accessKeyId": ak, "userName": name}
        role = arn.split("/")[1]
        return {"type": "AssumedRole",
                "principalId": "AROA%s:%s" % (hashlib.sha256(role.encode()).hexdigest()[:16].upper(), arn.rsplit("/", 1)[1]),
                "arn": arn, "accountId": ACCOUNT, "accessKeyId": ak,
                "sessionContext": {"sessionIssuer": {"type": "Role",
                                                     "principalId": "AROA" + hashlib.sha256(role.encode()).hexdigest()[:16].upper(),
                                                     "arn": "arn:aws:iam::%s:role/%s" % (ACCOUNT, role),
                                                     "accountId": ACCOUNT, "userName": role},
                                   "attributes": {"creationDate": rfc3339(self.start - 600), "mfaAuthenticated": "false"}}}

    def trail_record(self, t, ident, source, name, params, request_id, read_only=True, category="Management",
                     error=None, extra=None, resources=None, host=None):
        rec = {"eventVersion": "1.09", "userIdentity": self.user_identity(ident),
               "eventTime": rfc3339(t), "eventSource": source, "eventName": name,
               "awsRegion": REGION, "sourceIPAddress": "203.0.113.%d" % (10 + IDENTITIES.index(ident)),
               "userAgent": "Boto3/1.35.0 md/Botocore#1.35.0 ua/2.0 os/linux lang/python#3.12.1" if ident[1] == "AssumedRole" else "aws-cli/2.17.0 md/awscrt#0.20.11 ua/2.0 os/linux",
               "requestParameters": params, "responseElements": None,
               "requestID": request_id, "eventID": self.uuid(), "readOnly": read_only,
               "eventType": "AwsApiCall", "managementEvent": category == "Management",
               "recipientAccountId": ACCOUNT, "eventCategory": category,
               "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                              "clientProvidedHostHeader": host or "bedrock.%s.amazonaws.com" % REGION}}
        if resources:
            rec["resources"] = resources
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        if extra:
            rec["additionalEventData"] = extra
        return rec

    # ------------------------------------------------------------ traces
    def trace_for(self, t, ident, model_id, op, request_id, latency, err_kind, infer_region):
        r = self.rng
        start = t - 0.05 - r.random() * 0.05
        end = t + latency / 1000.0 + 0.02 + r.random() * 0.03
        trace_id = "1-%08x-%s" % (int(start), self.hexid(24))
        root_id = self.hexid(16)
        svc = {"chat-api": "chat-api", "batch-summarizer": "batch-summarizer"}.get(ident[2], "rag-service")
        path = {"Converse": "converse", "ConverseStream": "converse-stream", "InvokeModel": "invoke",
                "InvokeModelWithResponseStream": "invoke-with-response-stream"}[op]
        enc = model_id.replace(":", "%3A").replace("/", "%2F")
        status = {None: 200, "client": 400, "server": 500, "throttle": 429}[err_kind]
        sub = {"id": self.hexid(16), "name": "bedrock-runtime", "namespace": "aws",
               "start_time": round(t, 3), "end_time": round(t + latency / 1000.0, 3),
               "http": {"request": {"method": "POST",
                                    "url": "https://bedrock-runtime.%s.amazonaws.com/model/%s/%s" % (REGION, enc, path)},
                        "response": {"status": status, "content_length": r.randint(200, 4000)}},
               "aws": {"operation": op, "region": REGION, "request_id": request_id, "retries": 0}}
        if err_kind == "client":
            sub["error"] = True
        elif err_kind == "throttle":
            sub["error"] = True
            sub["throttle"] = True
        elif err_kind == "server":
            sub["fault"] = True
        if err_kind:
            sub["cause"] = {"working_directory": "/app",
                            "exceptions": [{"id": self.hexid(16), "message": "An error occurred when calling the %s operation" % op,
                                            "type": "ClientError", "remote": True}]}
        style = r.randint(0, 3)
        annotations = {"tenant": r.choice(["acme", "globex", "initech"])}
        metadata = {}
        if style == 1:
            annotations["gen_ai_request_model"] = model_id
        elif style == 2:
            metadata = {"otel": {"gen_ai.request.model": model_id, "gen_ai.system": "aws.bedrock"}}
        elif style == 3:
            sub["metadata"] = {"default": {"gen_ai": {"request": {"model": model_id}}}}
        ddb = {"id": self.hexid(16), "name": "DynamoDB", "namespace": "aws",
               "start_time": round(start + 0.005, 3), "end_time": round(start + 0.015, 3),
               "http": {"response": {"status": 200}},
               "aws": {"operation": "GetItem", "region": REGION, "table_name": "sessions",
                       "request_id": self.hexid(32).upper()}}
        seg = {"name": svc, "id": root_id, "trace_id": trace_id, "start_time": round(start, 3),
               "end_time": round(end, 3), "origin": "AWS::ECS::Container",
               "http": {"request": {"method": "POST", "url": "https://%s.example.com/v1/chat" % svc,
                                    "client_ip": "198.51.100.%d" % r.randint(1, 250),
                                    "user_agent": "Mozilla/5.0"},
                        "response": {"status": 200 if not err_kind else (502 if err_kind == "server" else status)}},
               "aws": {"account_id": ACCOUNT},
               "annotations": annotations, "subsegments": [ddb, sub]}
        if ident[1] == "IAMUser":
            seg["user"] = ident[2]
        if metadata:
            seg["metadata"] = metadata
        if err_kind == "server":
            seg["fault"] = True
        elif err_kind:
            seg["error"] = True
        if err_kind == "throttle":
            seg["throttle"] = True
        docs = [seg]
        if svc == "rag-service":
            docs.append({"name": "retriever", "id": self.hexid(16), "trace_id": trace_id, "parent_id": root_id,
                         "start_time": round(start + 0.016, 3), "end_time": round(start + 0.04, 3),
                         "origin": "AWS::Lambda::Function",
                         "http": {"response": {"status": 200}},
                         "annotations": {"index": "docs-v2"}})
        for d in docs:
            self.traces_out.write(json.dumps(d, separators=(",", ":")) + "\n")
        self.traces += 1

    # -------------------------------------------------------------- main
    def run(self):
        os.makedirs(self.out, exist_ok=True)
        args = self.args
        inv = open(os.path.join(self.out, "invocations.ndjson"), "w")
        self.trail_out = open(os.path.join(self.out, "cloudtrail.ndjson"), "w")
        self.traces_out = open(os.path.join(self.out, "traces.ndjson"), "w")
        r = self.rng
        n = args.records
        span = self.cutoff - self.start
        # control-plane events at the start of the window
        admin = IDENTITIES[2]
        t0 = self.start + 30
        lc = self.logging_config()
        self.trail_add(self.trail_record(t0, admin, "bedrock.amazonaws.com", "PutModelInvocationLoggingConfiguration",
                                         {"loggingConfig": lc}, self.uuid(), read_only=False), t0)
        for j, p in enumerate(APP_PROFILES):
            t1 = t0 + 10 + j
            self.trail_add(self.trail_record(t1, admin, "bedrock.amazonaws.com", "CreateInferenceProfile",
                                             {"inferenceProfileName": p[1], "modelSource": {"copyFrom": self.copy_from(j)},
                                              "tags": [{"key": k, "value": v} for k, v in sorted(p[3].items())]},
                                             self.uuid(), read_only=False,
                                             resources=[{"accountId": ACCOUNT, "type": "AWS::Bedrock::ApplicationInferenceProfile",
                                                         "ARN": self.profile_arn(j)}]), t1)
        mgmt_every = max(1, n // 8)
        large_every = self.args.large_every
        large_slot = None  # i of a large-body slot not yet used (its record failed)
        for i in range(n):
            t = self.start + (i + r.random()) * span / n
            t = round(t, 3)
            ident = self.pick_weighted(IDENTITIES)
            kind, idx = self.pick_target()
            if kind == "profile":
                p = APP_PROFILES[idx]
                m = MODELS[p[2]]
                model_id = self.profile_arn(idx)
                tags = p[3]
                ops = ["Converse"]
            else:
                m = MODELS[idx]
                model_id = m[0]
                tags = {}
                ops = m[3]
            op = r.choice(ops)
            fmt = m[2] if kind == "model" else "converse"
            stream = op in ("ConverseStream", "InvokeModelWithResponseStream")
            if m[7]:
                infer_region = r.choice(m[7])
            else:
                infer_region = REGION
            # throttled attempts before this request (not logged)
            if r.random() < 0.04:
                self.throttle(t - 0.4, ident, model_id, op)
            x = r.random()
            err = None
            if x < 0.03:
                err = ("client", r.choice(["ValidationException", "AccessDeniedException"]))
            elif x < 0.045:
                err = ("server", r.choice(["InternalServerException", "ModelErrorException", "ServiceUnavailableException"]))
            if large_every > 0 and i % large_every == large_every // 2:
                large_slot = i
            # a failed request logs no body: the slot passes to the next good one
            large_in = large_slot is not None and err is None
            large_out = large_in and (large_slot // large_every) % 3 == 1
            if large_in:
                large_slot = None
            prompt_words = r.randint(8, 120)
            prompt = self.words(prompt_words)
            if large_in:
                prompt = "Summarise this document:\n" + self.big_text(i)
            answer = self.words(r.randint(5, 150))
            if large_out:
                answer = self.big_text(i + 1)
            in_tok = max(1, len(prompt) // 4 + r.randint(0, 12))
            out_tok = max(1, len(answer) // 4 + r.randint(0, 6))
            cache_r = cache_w = 0
            uses_cache = fmt in ("converse", "anthropic", "nova") and r.random() < 0.25 and not err
            if uses_cache:
                if r.random() < 0.3:
                    cache_w = r.randint(1024, 4096)
                else:
                    cache_r = r.randint(1024, 4096)
            latency = int(200 + out_tok * r.uniform(4, 12) + r.randint(0, 300))
            ttft = int(min(latency, 120 + r.randint(0, 400))) if stream else None
            stop = "end_turn" if r.random() < 0.9 else "max_tokens"
            meta = None
            if r.random() < 0.5:
                meta = {"team": r.choice(TEAMS), "environment": r.choice(["prod", "staging"]),
                        "feature": r.choice(FEATURES)}
            request_id = self.uuid()
            if fmt == "converse":
                req, resp = self.converse_bodies(prompt, answer, stream, in_tok, out_tok, cache_r, cache_w,
                                                 latency, ttft, meta, stop)
            else:
                req, resp = self.invoke_bodies(fmt, prompt, answer, stream, in_tok, out_tok, cache_r, cache_w,
                                               latency, ttft, stop)
            rec = {"schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
                   "timestamp": rfc3339(t), "accountId": ACCOUNT,
                   "identity": {"arn": ident[0]}, "region": REGION,
                   "requestId": request_id, "operation": op, "modelId": model_id}
            if m[7]:
                rec["inferenceRegion"] = infer_region
            if meta:
                rec["requestMetadata"] = meta
            hp = self.hour_prefix(t)
            inp = {"inputContentType": "application/json"}
            self.body(inp, "input", req, large_in, hp, request_id)
            inp["inputTokenCount"] = in_tok
            if uses_cache:
                inp["cacheReadInputTokenCount"] = cache_r
                inp["cacheWriteInputTokenCount"] = cache_w
            rec["input"] = inp
            if err:
                rec["output"] = {"outputContentType": "application/json"}
                rec["errorCode"] = err[1]
            else:
                outp = {"outputContentType": "application/json"}
                self.body(outp, "output", resp, large_out, hp, request_id)
                outp["outputTokenCount"] = out_tok
                rec["output"] = outp
            line = json.dumps(rec, separators=(",", ":"))
            inv.write(line + "\n")
            self.s3_add(t, line)
            # metrics agreeing with the record
            self.metric(t, "Invocations", model_id, 1, "Count")
            self.metric(t, "ModelInvocationLogsCloudWatchDeliverySuccess", None, 1, "Count")
            if err:
                self.metric(t, "InvocationClientErrors" if err[0] == "client" else "InvocationServerErrors",
                            model_id, 1, "Count")
            else:
                self.metric(t, "InvocationLatency", model_id, latency, "Milliseconds")
                self.metric(t, "InputTokenCount", model_id, in_tok, "Count")
                self.metric(t, "OutputTokenCount", model_id, out_tok, "Count")
                if stream:
                    self.metric(t, "TimeToFirstToken", model_id, ttft, "Milliseconds")
                if uses_cache:
                    self.metric(t, "CacheReadInputTokens", model_id, cache_r, "Count")
                    self.metric(t, "CacheWriteInputTokens", model_id, cache_w, "Count")
                self.cost(t, m, model_id, tags, in_tok, out_tok, cache_r, cache_w, infer_region)
            # CloudTrail
            extra = {"inferenceRegion": infer_region} if m[7] and infer_region != REGION else None
            error = (err[1], "peer: simulated %s error" % err[0]) if err else None
            self.trail_add(self.trail_record(t, ident, "bedrock.amazonaws.com", op, {"modelId": model_id},
                                             request_id, error=error, extra=extra,
                                             resources=self.resources(kind, idx, m),
                                             host="bedrock-runtime.%s.amazonaws.com" % REGION), t)
            if i % 3 == 0:
                ek = None if not err else err[0]
                self.trace_for(t, ident, model_id, op, request_id, latency, ek, infer_region)
            if i % mgmt_every == mgmt_every // 2:
                self.side_events(t + 0.5)
        self.s3_flush()
        self.trail_flush()
        inv.close()
        self.trail_out.close()
        self.traces_out.close()
        self.write_metrics()
        self.write_costs()
        self.write_s3_marker()
        self.write_manifest()

    def body(self, part, side, doc, large, hour_prefix, request_id):
        """part[<side>BodyJson] = doc, or, over 100 KB, the body offloaded to
        S3 as Bedrock does and part[<side>BodyS3Path] pointing at it.  Only
        the big-text records can pass 100 KB: only those are measured."""
        text = json.dumps(doc, separators=(",", ":")) if large else ""
        if len(text) > LARGE:
            key = hour_prefix + "data/%s_%s.json.gz" % (request_id, side)
            self.write_gz(BUCKET + "/" + key, text.encode())
            part[side + "BodyS3Path"] = "s3://%s/%s" % (BUCKET, key)
            self.large += 1
        else:
            part[side + "BodyJson"] = doc

    def throttle(self, t, ident, model_id, op):
        self.throttled += 1
        self.metric(t, "InvocationThrottles", model_id, 1, "Count")
        self.trail_add(self.trail_record(t, ident, "bedrock.amazonaws.com", op, {"modelId": model_id}, self.uuid(),
                                         error=("ThrottlingException", "Too many requests, please wait before trying again."),
                                         host="bedrock-runtime.%s.amazonaws.com" % REGION), t)

    def resources(self, kind, idx, m):
        if kind == "profile":
            return [{"accountId": ACCOUNT, "type": "AWS::Bedrock::ApplicationInferenceProfile",
                     "ARN": self.profile_arn(idx)}]
        if m[7]:
            return [{"accountId": ACCOUNT, "type": "AWS::Bedrock::InferenceProfile",
                     "ARN": "arn:aws:bedrock:%s:%s:inference-profile/%s" % (REGION, ACCOUNT, m[0])}]
        return [{"accountId": ACCOUNT, "type": "AWS::Bedrock::Model",
                 "ARN": "arn:aws:bedrock:%s::foundation-model/%s" % (REGION, m[1])}]

    def side_events(self, t):
        r = self.rng
        ident = IDENTITIES[r.randrange(len(IDENTITIES))]
        choice = r.randrange(6)
        if choice == 0:
            rec = self.trail_record(t, ident, "bedrock.amazonaws.com", "ListFoundationModels", {}, self.uuid())
        elif choice == 1:
            rec = self.trail_record(t, ident, "bedrock.amazonaws.com", "GetModelInvocationLoggingConfiguration", None, self.uuid())
        elif choice == 2:
            rec = self.trail_record(t, ident, "sts.amazonaws.com", "AssumeRole",
                                    {"roleArn": "arn:aws:iam::%s:role/chat-api" % ACCOUNT, "roleSessionName": "s-%d" % int(t)},
                                    self.uuid(), host="sts.amazonaws.com")
        elif choice == 3:
            rec = self.trail_record(t, ident, "bedrock.amazonaws.com", "InvokeAgent",
                                    {"agentId": "AGENT12345", "agentAliasId": "ALIAS12345", "sessionId": self.hexid(8)},
                                    self.uuid(), category="Data",
                                    resources=[{"accountId": ACCOUNT, "type": "AWS::Bedrock::AgentAlias",
                                                "ARN": "arn:aws:bedrock:%s:%s:agent-alias/AGENT12345/ALIAS12345" % (REGION, ACCOUNT)}],
                                    host="bedrock-agent-runtime.%s.amazonaws.com" % REGION)
        elif choice == 4:
            rec = self.trail_record(t, ident, "bedrock.amazonaws.com", "Retrieve",
                                    {"knowledgeBaseId": "KB12345678"}, self.uuid(), category="Data",
                                    resources=[{"accountId": ACCOUNT, "type": "AWS::Bedrock::KnowledgeBase",
                                                "ARN": "arn:aws:bedrock:%s:%s:knowledge-base/KB12345678" % (REGION, ACCOUNT)}],
                                    host="bedrock-agent-runtime.%s.amazonaws.com" % REGION)
        else:
            rec = self.trail_record(t, ident, "bedrock.amazonaws.com", "ApplyGuardrail",
                                    {"guardrailIdentifier": "gr-12345", "guardrailVersion": "1", "source": "INPUT"},
                                    self.uuid(), category="Data",
                                    resources=[{"accountId": ACCOUNT, "type": "AWS::Bedrock::Guardrail",
                                                "ARN": "arn:aws:bedrock:%s:%s:guardrail/gr-12345" % (REGION, ACCOUNT)}],
                                    host="bedrock-runtime.%s.amazonaws.com" % REGION)
        self.trail_add(rec, t)

    def cost(self, t, m, model_id, tags, in_tok, out_tok, cache_r, cache_w, infer_region):
        hour = int(t) // 3600 * 3600
        pin, pout = m[6]
        parts = [("input-tokens", in_tok, pin), ("output-tokens", out_tok, pout),
                 ("cache-read-input-token-count", cache_r, pin * 0.1),
                 ("cache-write-input-token-count", cache_w, pin * 1.25)]
        tagkey = tuple(sorted(tags.items()))
        op = "InvokeModelInference" if not m[7] else "InvokeModelInference-CrossRegion"
        for suffix, qty, price in parts:
            if qty <= 0:
                continue
            ut = "USE1-%s-%s" % (m[4], suffix)
            key = (hour, m[5], ut, op, tagkey)
            c = self.costs.get(key)
            if c is None:
                c = self.costs[key] = [0, 0.0]
            c[0] += qty
            c[1] += qty * price / 1e6

    def copy_from(self, j):
        m = MODELS[APP_PROFILES[j][2]]
        if m[7]:
            return "arn:aws:bedrock:%s:%s:inference-profile/%s" % (REGION, ACCOUNT, m[0])
        return "arn:aws:bedrock:%s::foundation-model/%s" % (REGION, m[1])

    def logging_config(self):
        return {"cloudWatchConfig": {"logGroupName": LOG_GROUP, "roleArn": ROLE_ARN,
                                     "largeDataDeliveryS3Config": {"bucketName": BUCKET, "keyPrefix": PREFIX}},
                "s3Config": {"bucketName": BUCKET, "keyPrefix": PREFIX},
                "textDataDeliveryEnabled": True, "imageDataDeliveryEnabled": True,
                "embeddingDataDeliveryEnabled": True, "videoDataDeliveryEnabled": False}

    def write_metrics(self):
        with open(os.path.join(self.out, "metrics.ndjson"), "w") as f:
            for (minute, name, model_id, unit) in sorted(self.metrics, key=lambda k: (k[0], k[1], k[2] or "")):
                d = self.metrics[(minute, name, model_id, unit)]
                vals = sorted(d)
                f.write(json.dumps({"ts": rfc3339(minute), "namespace": "AWS/Bedrock", "metric": name,
                                    "dimensions": {"ModelId": model_id} if model_id else {},
                                    "unit": unit, "values": vals, "counts": [d[v] for v in vals]},
                                   separators=(",", ":")) + "\n")

    def write_costs(self):
        rows = []
        tag_keys = sorted({k for p in APP_PROFILES for k in p[3]})
        for (hour, service, ut, op, tagkey) in sorted(self.costs):
            qty, usd = self.costs[(hour, service, ut, op, tagkey)]
            tags = {k: "" for k in tag_keys}
            tags.update(dict(tagkey))
            rows.append({"start": rfc3339(hour), "end": rfc3339(hour + 3600), "service": service,
                         "usage_type": ut, "operation": op, "region": REGION, "linked_account": ACCOUNT,
                         "tags": tags, "unblended_cost": round(usd, 10), "usage_quantity": qty})
        prices = {m[4]: {"input": m[6][0], "output": m[6][1], "cache_read": round(m[6][0] * 0.1, 6),
                         "cache_write": round(m[6][0] * 1.25, 6)} for m in MODELS}
        with open(os.path.join(self.out, "costs.json"), "w") as f:
            json.dump({"currency": "USD", "prices": prices, "tag_keys": tag_keys, "rows": rows}, f, indent=1)

    def write_s3_marker(self):
        key = "%s/AWSLogs/%s/BedrockModelInvocationLogs/permission-check" % (PREFIX, ACCOUNT)
        p = self.s3_path(BUCKET + "/" + key)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(b"")

    def write_manifest(self):
        models = []
        for m in MODELS:
            models.append({"model_id": m[0], "base_model_id": m[1], "format": m[2], "operations": m[3],
                           "billing_name": m[4], "service": m[5],
                           "price_per_million": {"input": m[6][0], "output": m[6][1]},
                           "inference_regions": m[7] or [REGION]})
        profiles = []
        for j, p in enumerate(APP_PROFILES):
            m = MODELS[p[2]]
            models.append({"model_id": self.profile_arn(j), "base_model_id": m[1], "format": "converse",
                           "operations": ["Converse"], "billing_name": m[4], "service": m[5],
                           "price_per_million": {"input": m[6][0], "output": m[6][1]},
                           "inference_regions": m[7] or [REGION], "application_profile": p[1]})
            regions = m[7] or [REGION]
            profiles.append({"id": p[0], "arn": self.profile_arn(j), "name": p[1], "tags": p[3],
                             "description": "application profile for %s" % p[3]["team"],
                             "base_model_id": m[1], "copy_from": self.copy_from(j),
                             "model_arns": ["arn:aws:bedrock:%s::foundation-model/%s" % (rg, m[1]) for rg in regions]})
        man = {"account": ACCOUNT, "region": REGION, "bucket": BUCKET, "prefix": PREFIX,
               "s3_log_prefix": self.s3_log_prefix, "log_group": LOG_GROUP, "log_stream": LOG_STREAM,
               "role_arn": ROLE_ARN, "trail_bucket": TRAIL_BUCKET, "trail_prefix": TRAIL_PREFIX,
               "window_start": rfc3339(self.start), "window_end": rfc3339(self.end),
               "data_end": rfc3339(self.cutoff), "seed": self.args.seed, "records": self.args.records,
               "throttled": self.throttled, "s3_objects": self.s3_objects, "large_bodies": self.large,
               "traces": self.traces, "trail_files": self.trail_files,
               "models": models, "application_profiles": profiles,
               "logging_config": self.logging_config(),
               "identities": [i[0] for i in IDENTITIES]}
        # written last and renamed into place: the peers wait for it
        tmp = os.path.join(self.out, "manifest.json.tmp")
        with open(tmp, "w") as f:
            json.dump(man, f, indent=1)
        os.rename(tmp, os.path.join(self.out, "manifest.json"))


def main(argv=None):
    ap = argparse.ArgumentParser(description="generate a deterministic Bedrock world (see the docstring)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--records", type=int, default=300)
    ap.add_argument("--anchor")
    ap.add_argument("--hours", type=float, default=3)
    ap.add_argument("--per-object", type=int, default=40)
    ap.add_argument("--large-every", type=int, default=97,
                    help="every Nth record gets a body over 100 KB (offloaded to S3; when that "
                         "request failed, the next good one); 0: none")
    ap.add_argument("--no-seed", action="store_true")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    if args.records < 1:
        raise SystemExit("gen_world: --records must be at least 1")
    t = time.time()
    g = Gen(args)
    g.run()
    if not args.quiet:
        sys.stderr.write("gen_world: %d records, %d throttled, %d S3 objects, %d traces in %.1fs -> %s\n"
                         % (args.records, g.throttled, g.s3_objects, g.traces, time.time() - t, args.out))


if __name__ == "__main__":
    main()
