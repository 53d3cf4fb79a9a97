"""Strict SigV4 verification with botocore, shared by the front peer and the
moto launcher (which uses it to replace moto's own, buggy, canonicalisation).

verify(method, raw_path, raw_query, headers, body, secrets, max_skew=None, now=None)
  headers: list of (name, value) in the order received (duplicates kept)
  secrets: dict access key id -> secret key, or -> (secret key, session
    token) for temporary credentials, whose requests must then carry that
    X-Amz-Security-Token (as real AWS checks); a Secrets also asks a
    fallback (e.g. moto's STS backend) about keys it does not hold.
  Requests that real AWS takes unsigned (STS AssumeRoleWithWebIdentity and
  AssumeRoleWithSAML: the token or assertion is the proof) verify ok with
  .unsigned set.
Returns a Verdict: .ok, .code (AWS error code when not ok), .message, .status,
.service, .region, .access_key, .canonical_request, .string_to_sign,
.expected, .received, .signed_headers, .presigned, .skew (seconds).

Why our own: real AWS canonicalises the *wire* path (non-S3: normalised and
encoded a second time; S3: verbatim), the query decoded and re-encoded, and
exactly the headers named in SignedHeaders (botocore's signer refuses to sign
Expect, User-Agent, Transfer-Encoding..., but a client that signs them must
still verify).  botocore's signer classes do the arithmetic; we only feed them
the request as received.
"""

import calendar
import hashlib
import hmac
import time
from urllib.parse import unquote

from botocore.auth import (S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth,
                           SigV4QueryAuth)
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

UNSIGNED = ("UNSIGNED-PAYLOAD", "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
            "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
            "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER")


UNSIGNED_ACTIONS = ("AssumeRoleWithWebIdentity", "AssumeRoleWithSAML")


class Secrets(dict):
    """Access key id -> secret (or (secret, session token)), asking
    fallback(key id) about a key it does not hold; what the fallback finds
    is kept (issued credentials do not change)."""

    def __init__(self, known=None, fallback=None):
        super().__init__(known or {})
        self.fallback = fallback

    def get(self, key, default=None):
        if key in self:
            return self[key]
        found = self.fallback(key) if self.fallback and key else None
        if found is None:
            return default
        self[key] = found
        return found


def unsigned_action(raw_query, headers_map, body):
    """The STS action of an unsigned request that AWS accepts unsigned, or None."""
    ctype = (headers_map.get("content-type") or [""])[0]
    sources = [raw_query or ""]
    if body and "x-www-form-urlencoded" in ctype:
        sources.append(body.decode("utf-8", "replace"))
    for src in sources:
        for k, val in split_query(src.replace("+", "%20")):
            if k == "Action" and val in UNSIGNED_ACTIONS:
                return val
    return None


class Verdict:
    def __init__(self):
        self.ok = False
        self.unsigned = False
        self.code = None
        self.message = None
        self.status = 403
        self.service = None
        self.region = None
        self.access_key = None
        self.canonical_request = None
        self.string_to_sign = None
        self.expected = None
        self.received = None
        self.signed_headers = None
        self.presigned = False
        self.skew = None
        self.amz_date = None

    def fail(self, code, message, status=403):
        self.ok = False
        self.code, self.message, self.status = code, message, status
        return self

    def as_log(self):
        return {"ok": self.ok, "code": self.code, "service": self.service,
                "access_key": self.access_key, "presigned": self.presigned,
                "signed_headers": self.signed_headers,
                "canonical_request": self.canonical_request,
                "string_to_sign": self.string_to_sign,
                "expected": self.expected, "received": self.received}


def _make_auth_classes(signed_names):
    """botocore classes whose headers_to_sign is exactly SignedHeaders."""

    def headers_to_sign(self, request):
        hm = HTTPHeaders()
        for name, value in request.headers.items():
            if name.lower() in signed_names:
                hm[name.lower()] = value
        return hm

    def mk(base):
        return type("V" + base.__name__, (base,),
                    {"headers_to_sign": headers_to_sign})
    return mk(SigV4Auth), mk(S3SigV4Auth), mk(SigV4QueryAuth), mk(S3SigV4QueryAuth)


def split_query(raw_query):
    """Decoded (key, value) pairs; '+' stays '+' (SigV4 has no form-encoding)."""
    out = []
    if not raw_query:
        return out
    for part in raw_query.split("&"):
        if part == "":
            continue
        k, _, v = part.partition("=")
        out.append((unquote(k), unquote(v)))
    return out


def parse_authorization(value):
    """Fields of 'AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...'
    (separators ', ' or ',')."""
    if not value.startswith("AWS4-HMAC-SHA256"):
        return None
    fields = {}
    for item in value[len("AWS4-HMAC-SHA256"):].split(","):
        k, _, v = item.strip().partition("=")
        if k:
            fields[k] = v.strip()
    if not all(k in fields for k in ("Credential", "SignedHeaders", "Signature")):
        return None
    return fields


def amz_to_epoch(amz):
    return calendar.timegm(time.strptime(amz, "%Y%m%dT%H%M%SZ"))


def verify(method, raw_path, raw_query, headers, body, secrets,
           max_skew=None, now=None):
    v = Verdict()
    hmap = {}
    for name, value in headers:
        hmap.setdefault(name.lower(), []).append(value)

    def h(name):
        vals = hmap.get(name.lower())
        return vals[0] if vals else None

    params = split_query(raw_query)
    qdict = {k: val for k, val in params}
    auth = h("authorization")
    if auth is not None:
        f = parse_authorization(auth)
        if f is None:
            if auth.startswith("AWS "):
                return v.fail("InvalidSignatureException" , "SigV2 is not accepted by this peer", 400)
            return v.fail("IncompleteSignature", "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters", 400)
        credential, signed, received = f["Credential"], f["SignedHeaders"], f["Signature"]
        amz_date = h("x-amz-date")
        if amz_date is None:
            return v.fail("IncompleteSignature", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header", 400)
        expires = None
    elif "X-Amz-Signature" in qdict or qdict.get("X-Amz-Algorithm"):
        v.presigned = True
        if qdict.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256":
            return v.fail("AuthorizationQueryParametersError", "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"", 400)
        credential = qdict.get("X-Amz-Credential", "")
        signed = qdict.get("X-Amz-SignedHeaders", "")
        received = qdict.get("X-Amz-Signature", "")
        amz_date = qdict.get("X-Amz-Date")
        expires = qdict.get("X-Amz-Expires")
        if not amz_date or not signed:
            return v.fail("AuthorizationQueryParametersError", "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.", 400)
        params = [(k, val) for k, val in params if k != "X-Amz-Signature"]
    elif "AWSAccessKeyId" in qdict and "Signature" in qdict:
        v.service = "s3"
        return v.fail("InvalidRequest", "SigV2 presigned URLs are not accepted by this peer; sign with SigV4 (AWS4-HMAC-SHA256)", 400)
    else:
        if unsigned_action(raw_query, hmap, body):
            v.ok, v.status, v.unsigned, v.service = True, 200, True, "sts"
            return v
        return v.fail("MissingAuthenticationToken", "Request is missing Authentication Token", 403)

    v.received, v.signed_headers, v.amz_date = received, signed, amz_date
    scope = credential.split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        return v.fail("IncompleteSignature", "Credential should be scoped to a valid region and service: '%s'" % credential, 400)
    ak, date, region, service = scope[0], scope[1], scope[2], scope[3]
    v.access_key, v.region, v.service = ak, region, service
    secret = secrets.get(ak)
    token = None
    if isinstance(secret, tuple):
        secret, token = secret
    if secret is None:
        code = "InvalidAccessKeyId" if service == "s3" else "InvalidClientTokenId"
        msg = ("The AWS Access Key Id you provided does not exist in our records."
               if service == "s3" else "The security token included in the request is invalid.")
        return v.fail(code, msg, 403)
    if token is not None:
        sent = qdict.get("X-Amz-Security-Token") if v.presigned else h("x-amz-security-token")
        if sent != token:
            if service == "s3":
                return v.fail("InvalidToken", "The provided token is malformed or otherwise invalid.", 400)
            return v.fail("InvalidClientTokenId", "The security token included in the request is invalid.", 403)
    try:
        ts = amz_to_epoch(amz_date)
    except ValueError:
        return v.fail("IncompleteSignature", "invalid X-Amz-Date '%s'" % amz_date, 400)
    if amz_date[:8] != date:
        return v.fail("SignatureDoesNotMatch", "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s'" % (date, amz_date[:8]), 403)

    signed_names = set(signed.lower().split(";"))
    if "host" not in signed_names:
        return v.fail("SignatureDoesNotMatch", "'Host' must be a 'SignedHeader' in the AWS Authorization.", 403)
    hh = HTTPHeaders()
    for name, value in headers:
        if name.lower() in signed_names:
            hh[name] = value
    host = h("host") or ""
    req = AWSRequest(method=method, url="http://%s%s" % (host, raw_path), data=body or b"")
    req.headers = hh
    req.params = params
    req.context["timestamp"] = amz_date
    VAuth, VS3Auth, VQAuth, VS3QAuth = _make_auth_classes(signed_names)
    creds = Credentials(ak, secret)
    if v.presigned:
        cls = VS3QAuth if service == "s3" else VQAuth
        auth_obj = cls(creds, service, region, expires=int(expires or 3600))
    else:
        cls = VS3Auth if service == "s3" else VAuth
        auth_obj = cls(creds, service, region)
    if service == "s3" and not v.presigned:
        sha = h("x-amz-content-sha256")
        if sha is None:
            return v.fail("InvalidRequest", "Missing required header for this request: x-amz-content-sha256", 400)
    creq = auth_obj.canonical_request(req)
    sts = auth_obj.string_to_sign(req, creq)
    expected = auth_obj.signature(sts, req)
    v.canonical_request, v.string_to_sign, v.expected = creq, sts, expected
    if not hmac.compare_digest(expected, received):
        if service == "s3":
            return v.fail("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.", 403)
        return v.fail("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.", 403)

    # The signature covers x-amz-content-sha256, not the body: compare them.
    sha = h("x-amz-content-sha256")
    if sha is not None and "x-amz-content-sha256" in signed_names and sha not in UNSIGNED:
        if hashlib.sha256(body or b"").hexdigest() != sha:
            return v.fail("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.", 400)

    now = time.time() if now is None else now
    v.skew = now - ts
    if v.presigned and expires is not None:
        try:
            if now > ts + int(expires):
                return v.fail("AccessDenied", "Request has expired", 403)
        except ValueError:
            return v.fail("AuthorizationQueryParametersError", "X-Amz-Expires should be a number", 400)
    if max_skew is not None and not v.presigned and abs(now - ts) > max_skew:
        lo = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now - max_skew))
        hi = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now + max_skew))
        if service == "s3":
            return v.fail("RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", 403)
        if ts < now:
            msg = "Signature expired: %s is now earlier than %s (%s - %d min.)" % (
                amz_date, lo, time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now)), max_skew // 60)
        else:
            msg = "Signature not yet current: %s is still later than %s (%s + %d min.)" % (
                amz_date, hi, time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now)), max_skew // 60)
        return v.fail("InvalidSignatureException", msg, 403)
    v.ok = True
    v.status = 200
    return v
