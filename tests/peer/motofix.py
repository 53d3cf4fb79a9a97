"""Monkeypatches for moto 5.2.1 defects that fail correct clients
(shared/docs/testing-peers.md section 6).  apply() installs them all; each
patch says which defect it works around.  Clients never change for moto.
"""

import gzip
import io
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sigv4check  # noqa: E402



def _local_sts_secret(access_key):
    """Temporary credentials moto's STS issued (AssumeRole,
    AssumeRoleWithWebIdentity, ...), looked up in its backend, as
    (secret, session token); None for a key it never issued."""
    if not access_key.startswith("ASIA"):
        return None
    from moto.sts.models import sts_backends
    for account in list(sts_backends.keys()):
        for partition in list(sts_backends[account].keys()):
            for role in sts_backends[account][partition].assumed_roles:
                if role.access_key_id == access_key:
                    return (role.secret_access_key, role.session_token)
    return None


def remote_sts_lookup(moto_url):
    """The same lookup from another process (the front peer): moto's
    /moto-api/data.json lists the STS backend's assumed roles.  moto_url:
    a function returning moto's base URL."""
    import urllib.request

    def lookup(access_key):
        if not access_key.startswith("ASIA"):
            return None
        try:
            with urllib.request.urlopen(moto_url() + "/moto-api/data.json", timeout=30) as r:
                data = json.load(r)
        except (OSError, ValueError):
            return None
        for role in (data.get("sts") or {}).get("AssumedRole") or []:
            if role.get("access_key_id") == access_key:
                return (role.get("secret_access_key"), role.get("session_token"))
        return None
    return lookup


# the peer's static keys, and moto's temporary ones as real AWS takes them
SECRETS = sigv4check.Secrets(fallback=_local_sts_secret)


def _patch_auth():
    """Defects: moto canonicalises the *decoded* path (so a Bedrock model id's
    %3A is signed once instead of twice), hashes its parsed parameters when the
    body is empty (bodyless Bedrock GETs), drops signed Expect /
    Transfer-Encoding / User-Agent headers, and crashes (500, KeyError
    HTTP_AUTHORIZATION) on presigned URLs.  Fix: keep moto's flow (IAM key
    lookup, policy check, its error types) but compute the verdict with
    sigv4check over the request exactly as received (raw path and query from
    werkzeug's RAW_URI, raw body before any decompression, every signed
    header), with the keys moto's STS issued (SECRETS), and let through what
    AWS takes unsigned (AssumeRoleWithWebIdentity)."""
    from urllib.parse import urlsplit

    from moto import settings
    from moto.core import authorization
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.core.responses import BaseResponse
    from moto.iam import access_control

    orig_setup = BaseResponse.setup_class

    def setup_class(self, request, full_url, headers, use_raw_body=False):
        env = getattr(request, "environ", None) or {}
        self._peer_environ = env
        if env and "peer.raw_body" not in env and hasattr(request, "get_data"):
            # Keep the bytes as sent: for form bodies (query protocol)
            # werkzeug would otherwise consume them while parsing the form
            # and moto would hash an empty body.
            env["peer.sent_body"] = request.get_data(cache=True, parse_form_data=False)
        if "peer.raw_body" in env:
            # already decompressed once by the before_request hook below
            self.allow_request_decompression = False
        orig_setup(self, request, full_url, headers, use_raw_body)
        if "peer.raw_body" in env:
            self.raw_body = env["peer.raw_body"]

    BaseResponse.setup_class = setup_class

    def check(self, iam_request_cls, resource="*"):
        if ActionAuthenticatorMixin.request_count < settings.INITIAL_NO_AUTH_ACTION_COUNT:
            ActionAuthenticatorMixin.request_count += 1
            return
        if self.headers.get("X-Amz-Target") in ActionAuthenticatorMixin.PUBLIC_OPERATIONS:
            return
        env = getattr(self, "_peer_environ", {}) or {}
        raw = env.get("RAW_URI") or env.get("REQUEST_URI")
        if raw:
            sp = urlsplit(raw)
            path, query = sp.path, sp.query
        else:
            sp = urlsplit(self.uri)
            path, query = sp.path, sp.query
        hdrs = list(self.headers.items())
        body = env.get("peer.raw_body", env.get("peer.sent_body", self.raw_body))
        if isinstance(body, str):
            body = body.encode("utf-8")
        v = sigv4check.verify(self.method, path, query, hdrs, body or b"", SECRETS)
        if "Authorization" not in self.headers:
            # presigned (or anonymous): moto's IAMRequest needs an
            # Authorization header, so judge it here with moto's error types.
            if not v.ok:
                from moto.core.exceptions import InvalidClientTokenIdError, SignatureDoesNotMatchError
                from moto.s3.exceptions import S3InvalidAccessKeyIdError, S3SignatureDoesNotMatchError
                s3 = iam_request_cls.__name__.startswith("S3")
                if v.code in ("InvalidClientTokenId", "InvalidAccessKeyId"):
                    raise (S3InvalidAccessKeyIdError() if s3 else InvalidClientTokenIdError())
                raise (S3SignatureDoesNotMatchError() if s3 else SignatureDoesNotMatchError())
            return
        parsed = urlsplit(self.uri)
        p = parsed.path + ("?" + parsed.query if parsed.query else "")
        iam_request = iam_request_cls(account_id=self.current_account, method=self.method,
                                      path=p, data=self.data, body=self.raw_body,
                                      headers=self.headers, action=self._get_action())
        iam_request._peer_verdict = v
        iam_request.check_signature()
        iam_request.check_action_permitted(resource)

    ActionAuthenticatorMixin._authenticate_and_authorize_action = check

    def check_signature(self):
        v = getattr(self, "_peer_verdict", None)
        if v is None or v.ok:
            return
        if v.code in ("InvalidClientTokenId", "InvalidAccessKeyId"):
            self._raise_invalid_access_key(v.code)
        self._raise_signature_does_not_match()

    access_control.IAMRequestBase.check_signature = check_signature
    _ = authorization


def _patch_principals():
    """Defect: a trust policy's AWS principal must equal the caller's ARN
    exactly, so a role chain fails: the caller is the session
    arn:aws:sts::ACCT:assumed-role/ROLE/SESSION while the trust names the
    role arn:aws:iam::ACCT:role/ROLE (AWS matches the role's sessions), and
    the account (ACCT or arn:aws:iam::ACCT:root, anyone the account's
    policies allow) never matches.  Fix: match those as AWS does."""
    import re

    from moto.iam.access_control import IAMPolicyStatement
    orig = IAMPolicyStatement._check_principal

    def covers(expected, principal):
        m = re.match(r"^arn:([^:]+):sts::(\d+):assumed-role/([^/]+)/", principal)
        acct = principal.split(":")[4] if principal.count(":") >= 5 else None
        if expected in (acct, "arn:aws:iam::%s:root" % acct):
            return True
        if m and re.match(r"^arn:%s:iam::%s:role/(.*/)?%s$" % (re.escape(m.group(1)), m.group(2),
                                                               re.escape(m.group(3))), expected):
            return True
        return False

    def check(self, principal):
        if orig(self, principal):
            return True
        aws = (self._statement.get("Principal") or {}).get("AWS")
        for e in ([aws] if isinstance(aws, str) else aws or []):
            if covers(e, principal):
                return True
        return False
    IAMPolicyStatement._check_principal = check


def _patch_routing():
    """Defect: moto picks the service of a request from its Authorization
    header, so a presigned non-S3 URL (the scope is in X-Amz-Credential) is
    routed to S3.  Fix: route on the query's credential scope as well."""
    from urllib.parse import parse_qs

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication
    orig = DomainDispatcherApplication.infer_service_region_host

    def infer(self, environ, path):
        if not environ.get("HTTP_AUTHORIZATION"):
            cred = parse_qs(environ.get("QUERY_STRING", "")).get("X-Amz-Credential")
            if cred:
                env2 = dict(environ)
                env2["HTTP_AUTHORIZATION"] = "AWS4-HMAC-SHA256 Credential=%s, SignedHeaders=host, Signature=0" % cred[0]
                return orig(self, env2, path)
        return orig(self, environ, path)
    DomainDispatcherApplication.infer_service_region_host = infer


def _patch_gzip():
    """Defect: a gzip request body (botocore compresses PutMetricData over
    10 KiB) is decompressed twice, once by a Flask before_request hook and once
    in BaseResponse.setup_class: HTTP 500.  Fix: the hook decompresses once,
    keeps the compressed bytes for the signature check (the signature covers
    the compressed body) and setup_class skips its own pass."""
    from flask import current_app, request
    from moto.moto_server import utilities, werkzeug_app

    def decompress_request_body():
        if current_app.service == "s3":
            return
        if request.content_encoding == "gzip":
            raw = request.get_data(cache=True, parse_form_data=False)
            try:
                data = gzip.decompress(raw)
            except OSError:
                return
            request.environ["peer.raw_body"] = raw
            request._cached_data = data
            request.stream = io.BytesIO(data)
            request.environ["wsgi.input"] = io.BytesIO(data)
            request.environ["CONTENT_LENGTH"] = str(len(data))

    utilities.decompress_request_body = decompress_request_body
    werkzeug_app.decompress_request_body = decompress_request_body


def _patch_reset(reseed):
    """Defect: POST /moto-api/reset also deletes the seeded IAM user, so every
    later request fails InvalidClientTokenId.  Fix: re-seed it after a reset."""
    from moto.moto_api._internal.models import moto_api_backend
    cls = type(moto_api_backend)
    orig = cls.reset

    def reset(self):
        orig(self)
        if reseed:
            reseed()
    cls.reset = reset


def apply(secrets, reseed=None):
    SECRETS.update(secrets)
    _patch_auth()
    _patch_principals()
    _patch_gzip()
    _patch_routing()
    _patch_reset(reseed)
    import motofix_services
    motofix_services.apply()
    _ = json
