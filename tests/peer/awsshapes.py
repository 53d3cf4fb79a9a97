"""Wire-protocol helpers shared by the front peer and the fault proxy: which
AWS protocol a request speaks, its operation name, and error responses in
that protocol's own shape (so clients' error parsers see what AWS sends).

protocol_of(service, headers) -> 'json10' | 'json11' | 'rest-json' | 'query' | 's3'
operation_of(method, path, query, headers, body, service) -> str or None
error_response(proto, code, message, status, extra=None) -> (status, [(h, v)], body)
"""

import json
import re
import uuid
from urllib.parse import parse_qsl, unquote

JSON11 = {"logs", "cloudtrail", "ce", "pricing", "tagging", "athena",
          "sso", "awsssoportal", "sso-oauth"}
REST_JSON = {"xray", "bedrock", "bedrock-runtime"}
QUERY = {"sts", "iam"}


def hget(headers, name):
    name = name.lower()
    for k, v in headers:
        if k.lower() == name:
            return v
    return None


def scope_service(headers, query=""):
    """Signing service from the Authorization scope or X-Amz-Credential."""
    auth = hget(headers, "authorization") or ""
    m = re.search(r"Credential=([^,\s]+)", auth)
    cred = m.group(1) if m else None
    if cred is None and query:
        for k, v in parse_qsl(query, keep_blank_values=True):
            if k == "X-Amz-Credential":
                cred = v
    if cred:
        parts = cred.split("/")
        if len(parts) >= 4:
            return parts[3]
    return None


def protocol_of(service, headers):
    ctype = (hget(headers, "content-type") or "").lower()
    target = hget(headers, "x-amz-target")
    if service == "s3":
        return "s3"
    if service == "monitoring":
        if "x-amz-json-1.0" in ctype or target:
            return "json10"
        return "query"
    if service in JSON11:
        return "json11"
    if service in REST_JSON:
        return "rest-json"
    if service in QUERY:
        return "query"
    if target:
        return "json10" if "1.0" in ctype else "json11"
    if "x-www-form-urlencoded" in ctype:
        return "query"
    return "rest-json"


# rest-json operations we need to name, per signing service.  The botocore
# models would do it generically, but loading them costs start-up time.
_REST_OPS = [
    ("bedrock", "POST", r"^/model/[^/]+/converse$", "Converse"),
    ("bedrock", "POST", r"^/model/[^/]+/converse-stream$", "ConverseStream"),
    ("bedrock", "POST", r"^/model/[^/]+/invoke$", "InvokeModel"),
    ("bedrock", "POST", r"^/model/[^/]+/invoke-with-response-stream$", "InvokeModelWithResponseStream"),
    ("bedrock", "POST", r"^/model/[^/]+/count-tokens$", "CountTokens"),
    ("bedrock", "GET", r"^/logging/modelinvocations$", "GetModelInvocationLoggingConfiguration"),
    ("bedrock", "PUT", r"^/logging/modelinvocations$", "PutModelInvocationLoggingConfiguration"),
    ("bedrock", "DELETE", r"^/logging/modelinvocations$", "DeleteModelInvocationLoggingConfiguration"),
    ("bedrock", "GET", r"^/foundation-models$", "ListFoundationModels"),
    ("bedrock", "GET", r"^/foundation-models/[^/]+$", "GetFoundationModel"),
    ("bedrock", "GET", r"^/inference-profiles$", "ListInferenceProfiles"),
    ("bedrock", "POST", r"^/inference-profiles$", "CreateInferenceProfile"),
    ("bedrock", "GET", r"^/inference-profiles/[^/]+$", "GetInferenceProfile"),
    ("bedrock", "DELETE", r"^/inference-profiles/[^/]+$", "DeleteInferenceProfile"),
    ("bedrock", "GET", r"^/custom-models$", "ListCustomModels"),
    ("bedrock", "POST", r"^/listTagsForResource$", "ListTagsForResource"),
    ("xray", "POST", r"^/TraceSummaries$", "GetTraceSummaries"),
    ("xray", "POST", r"^/Traces$", "BatchGetTraces"),
    ("xray", "POST", r"^/TraceSegments$", "PutTraceSegments"),
    ("xray", "POST", r"^/TraceGraph$", "GetTraceGraph"),
    ("xray", "POST", r"^/ServiceGraph$", "GetServiceGraph"),
    ("xray", "POST", r"^/GetGroups$", "GetGroups"),
    ("xray", "POST", r"^/SamplingRules$", "GetSamplingRules"),
]
_REST_RX = [(s, m, re.compile(p), op) for s, m, p, op in _REST_OPS]


def operation_of(method, path, query, headers, body, service):
    target = hget(headers, "x-amz-target")
    if target:
        return target.rsplit(".", 1)[-1]
    if service in REST_JSON:
        for s, m, rx, op in _REST_RX:
            if s == service and m == method and rx.match(path):
                return op
        return None
    if service == "s3":
        q = dict(parse_qsl(query, keep_blank_values=True))
        parts = [p for p in path.split("/") if p != ""]
        if not parts:
            return "ListBuckets" if method == "GET" else None
        if len(parts) == 1:
            if method == "GET":
                if "list-type" in q:
                    return "ListObjectsV2"
                if "location" in q:
                    return "GetBucketLocation"
                return "ListObjects"
            return {"PUT": "CreateBucket", "HEAD": "HeadBucket",
                    "DELETE": "DeleteBucket", "POST": "DeleteObjects"}.get(method)
        return {"GET": "GetObject", "PUT": "PutObject", "HEAD": "HeadObject",
                "DELETE": "DeleteObject"}.get(method)
    # query protocol: Action in the body or the query string
    for src in (body.decode("utf-8", "replace") if body else "", query):
        for k, v in parse_qsl(src, keep_blank_values=True):
            if k == "Action":
                return v
    return None


def _xml_escape(s):
    return (str(s).replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace('"', "&quot;"))


def error_response(proto, code, message, status, extra=None, request_id=None):
    """(status, headers, body) for an AWS error in the given protocol.
    extra: dict of additional fields (S3: XML elements; JSON: members)."""
    rid = request_id or str(uuid.uuid4())
    extra = extra or {}
    if proto in ("json10", "json11"):
        doc = {"__type": code, "message": message}
        doc.update(extra)
        ctype = "application/x-amz-json-1.0" if proto == "json10" else "application/x-amz-json-1.1"
        hdrs = [("Content-Type", ctype), ("x-amzn-RequestId", rid),
                ("x-amzn-ErrorType", code)]
        if proto == "json10":
            # CloudWatch is awsQueryCompatible: clients read the query code here.
            hdrs.append(("x-amzn-query-error", "%s;%s" % (code, "Sender" if status < 500 else "Receiver")))
        return status, hdrs, json.dumps(doc).encode()
    if proto == "rest-json":
        doc = {"message": message}
        doc.update(extra)
        return status, [("Content-Type", "application/json"), ("x-amzn-RequestId", rid),
                        ("x-amzn-ErrorType", code)], json.dumps(doc).encode()
    if proto == "s3":
        body = ['<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code><Message>%s</Message>'
                % (_xml_escape(code), _xml_escape(message))]
        for k, v in extra.items():
            body.append("<%s>%s</%s>" % (k, _xml_escape(v), k))
        body.append("<RequestId>%s</RequestId><HostId>%s</HostId></Error>"
                    % (rid[:16].upper().replace("-", ""), "peerhost"))
        return status, [("Content-Type", "application/xml"), ("x-amz-request-id", rid)], "".join(body).encode()
    # query
    body = ('<ErrorResponse xmlns="http://peer.local/doc/"><Error><Type>%s</Type><Code>%s</Code>'
            '<Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>'
            % ("Sender" if status < 500 else "Receiver", _xml_escape(code),
               _xml_escape(message), rid))
    return status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", rid)], body.encode()


THROTTLE_CODES = {
    "json10": "Throttling", "json11": "ThrottlingException",
    "rest-json": "ThrottlingException", "query": "Throttling", "s3": "SlowDown",
}


def throttle_code(proto, service):
    if service == "xray":
        return "ThrottledException"
    if service == "s3":
        return "SlowDown"
    return THROTTLE_CODES.get(proto, "ThrottlingException")


def throttle_status(proto, service):
    if service in ("xray", "bedrock"):
        return 429
    if service == "s3":
        return 503
    return 400


def decode_path(p):
    return unquote(p)
