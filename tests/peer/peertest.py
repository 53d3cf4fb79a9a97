"""Helpers for the peers' own Python tests: ok/not ok lines, peers started
with peerctl into a private directory (stopped, and checked gone, at exit),
the AWS CLI with a hermetic environment, and raw signed requests."""

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

COUNTS = {"ok": 0, "not ok": 0, "skip": 0}
_TMP = tempfile.mkdtemp(prefix="bqpeertest.")
_PEERS = []


def ok(cond, name, detail=None):
    if cond:
        print("ok - " + name)
        COUNTS["ok"] += 1
    else:
        print("not ok - " + name)
        COUNTS["not ok"] += 1
        if detail is not None:
            for line in str(detail).splitlines()[:12]:
                print("#   " + line)
    sys.stdout.flush()
    return cond


def eq(got, want, name):
    return ok(got == want, name, "got:  %r\nwant: %r" % (got, want))


def skip(name):
    print("skip - " + name)
    COUNTS["skip"] += 1


def hermetic_env(extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"HOME": _TMP, "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
                "AWS_EC2_METADATA_DISABLED": "true", "AWS_PAGER": "", "TZ": "UTC", "LC_ALL": "C"})
    if extra:
        env.update(extra)
    return env


class Peers:
    def __init__(self, *args):
        self.dir = tempfile.mkdtemp(prefix="peer.", dir=_TMP)
        r = subprocess.run([os.path.join(HERE, "peerctl"), "start", "--dir", self.dir] + list(args),
                           env=hermetic_env(), capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("peerctl start failed: %s" % r.stderr)
        self.env = {}
        for line in r.stdout.splitlines():
            for kv in line.replace("export ", "").split():
                k, _, v = kv.partition("=")
                self.env[k] = v
        with open(os.path.join(self.dir, "pids")) as f:
            self.pids = [int(p) for p in f.read().split()]
        self.url = self.env["BQ_PEER_URL"]
        self.moto = self.env["BQ_MOTO_URL"]
        self.fault = self.env.get("BQ_FAULT_URL")
        self.world = os.path.join(self.dir, "world")
        _PEERS.append(self)

    def manifest(self):
        with open(os.path.join(self.world, "manifest.json")) as f:
            return json.load(f)

    def aws(self, *args, endpoint=None, env=None, check=True):
        """Runs the AWS CLI; returns (rc, parsed JSON stdout or text, stderr)."""
        e = hermetic_env(self.env)
        if endpoint:
            e["AWS_ENDPOINT_URL"] = endpoint
        if env:
            e.update(env)
        r = subprocess.run(["aws", "--output", "json"] + list(args), env=e, capture_output=True, text=True)
        out = r.stdout
        try:
            out = json.loads(out) if out.strip() else None
        except ValueError:
            pass
        return r.returncode, out, r.stderr

    def requests(self):
        with open(os.path.join(self.dir, "requests.ndjson")) as f:
            return [json.loads(line) for line in f if line.strip()]

    def stop(self):
        if self not in _PEERS:
            return True
        _PEERS.remove(self)
        subprocess.run([os.path.join(HERE, "peerctl"), "stop", "--dir", self.dir], env=hermetic_env())
        deadline = time.time() + 5
        while time.time() < deadline:
            if not any(_alive(p) for p in self.pids):
                return True
            time.sleep(0.05)
        return False


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie is gone for our purposes
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def _cleanup():
    for p in list(_PEERS):
        p.stop()
    shutil.rmtree(_TMP, ignore_errors=True)


atexit.register(_cleanup)


def credentials(secret="peer-secret-key", key="AKIAPEERTEST00000001"):
    from botocore.credentials import Credentials
    return Credentials(key, secret)


def signed(method, url, service, body=b"", headers=None, secret="peer-secret-key",
           key="AKIAPEERTEST00000001", timestamp=None, s3=False, sign_extra=None):
    """A botocore-signed request, optionally at a fixed timestamp.  Returns
    (url, headers dict, body) ready for send()."""
    from botocore.auth import S3SigV4Auth, SigV4Auth
    from botocore.awsrequest import AWSRequest
    req = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    cls = S3SigV4Auth if s3 else SigV4Auth
    auth = cls(credentials(secret, key), service, "us-east-1")
    if sign_extra:
        # sign headers botocore would skip (Expect, User-Agent, ...)
        orig = auth.headers_to_sign

        def hts(request):
            hm = orig(request)
            for k in sign_extra:
                if k in request.headers:
                    hm[k.lower()] = request.headers[k]
            return hm
        auth.headers_to_sign = hts
    if timestamp:
        req.context["timestamp"] = timestamp
        auth._modify_request_before_signing(req)
        creq = auth.canonical_request(req)
        sts = auth.string_to_sign(req, creq)
        auth._inject_signature_to_request(req, auth.signature(sts, req))
    else:
        auth.add_auth(req)
    p = req.prepare()
    return p.url, dict(p.headers), body


def send(method, url, headers, body=b""):
    """(status, headers dict lower-cased, body bytes) without raising on 4xx/5xx."""
    r = urllib.request.Request(url, data=body if body else None, method=method)
    for k, v in headers.items():
        r.add_header(k, v)
    try:
        with urllib.request.urlopen(r, timeout=30) as resp:
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def done():
    _cleanup()
    sys.exit(1 if COUNTS["not ok"] else 0)
