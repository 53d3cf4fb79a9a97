"""Plumbing the peers share (front.py, faultproxy.py, motofix_services.py):
reading a request body, forwarding a request byte for byte, publishing a
port and waiting for another peer's, and timestamps as epoch seconds.  No
moto imports here."""

import calendar
import datetime
import http.client
import os
import time

# Hop-by-hop headers a forwarder does not pass on.
HOP_REQUEST = ("connection", "keep-alive", "proxy-connection")


def read_body(handler):
    """(body bytes, was_chunked) of a BaseHTTPRequestHandler's request."""
    te = (handler.headers.get("Transfer-Encoding") or "").lower()
    if "chunked" in te:
        chunks = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                break
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
        return b"".join(chunks), True
    n = int(handler.headers.get("Content-Length") or 0)
    return (handler.rfile.read(n) if n else b""), False


def forward(handler, host, port, headers, body, chunked, timeout):
    """Sends the handler's request (method, path, headers with Host kept, so
    signatures still verify; a chunked body stays chunked) to host:port and
    returns (status, [(header, value)], body)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.putrequest(handler.command, handler.path, skip_host=True, skip_accept_encoding=True)
        for k, v in headers:
            if k.lower() in HOP_REQUEST or (k.lower() == "content-length" and chunked):
                continue
            conn.putheader(k, v)
        if chunked:
            conn.endheaders()
            if body:
                conn.send(b"%x\r\n" % len(body) + body + b"\r\n")
            conn.send(b"0\r\n\r\n")
        else:
            conn.endheaders(body if body else None)
        resp = conn.getresponse()
        return resp.status, list(resp.getheaders()), resp.read()
    finally:
        conn.close()


def publish_port(port, port_file):
    """Writes the port to port_file (renamed into place: a waiter never reads
    half a number), or prints it when there is no file."""
    if port_file:
        tmp = port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, port_file)
    else:
        print(port, flush=True)


def wait_port(port_file, what, timeout=20):
    """The port another peer publishes in port_file (publish_port), waiting
    up to timeout seconds for it; RuntimeError(what) when it never comes."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with open(port_file) as f:
                v = f.read().strip()
            if v:
                return int(v)
        except OSError:
            pass
        time.sleep(0.02)
    raise RuntimeError(what)


def epoch(v):
    """Seconds since the epoch of a timestamp as the APIs and the world files
    write them: a number or numeric string (epoch seconds), a datetime
    (naive = UTC), or ISO 8601 / RFC 3339 text ("Z", an offset, or none =
    UTC).  None stays None; anything else raises ValueError."""
    if v is None:
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            return calendar.timegm(v.timetuple()) + v.microsecond / 1e6
        return v.timestamp()
    s = str(v).strip()
    try:
        return float(s)
    except ValueError:
        pass
    d = datetime.datetime.fromisoformat(s.replace("Z", "+00:00").replace("z", "+00:00"))
    return epoch(d)
