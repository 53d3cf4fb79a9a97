#!/usr/bin/env python3
"""Start moto's server in this process with SigV4 verification on, a seeded
IAM user (AKIAPEERTEST00000001 / peer-secret-key, allow-all inline policy),
moto's defects patched (motofix.py), and optionally a world loaded from the
generator's output directory (worldload.py).

  moto_launch.py --port-file FILE [--port N] [--world DIR] [--ce-page N]

Listens on 127.0.0.1 (port 0 = a free port, written to --port-file once the
server is bound and seeded).  SIGTERM stops it.  --ce-page N: items per Cost
Explorer page (GetCostAndUsage results, GetDimensionValues values; default
20), so tests can make paging happen with little data.
"""

import argparse
import os
import signal
import sys

# Must precede the first moto import: moto.settings reads it once.
os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "0"
os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "true")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "AKIAPEERTEST00000001")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "peer-secret-key")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

ACCESS_KEY = "AKIAPEERTEST00000001"
SECRET_KEY = "peer-secret-key"
ACCOUNT = "123456789012"
ALLOW_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'


def seed_iam():
    from moto.iam.models import iam_backends
    iam = iam_backends[ACCOUNT]["aws"]
    if "peer" not in iam.users:
        iam.create_user("us-east-1", "peer")
        iam.put_user_policy("peer", "allow-all", ALLOW_ALL)
    if ACCESS_KEY not in iam.access_keys:
        key = iam.create_access_key("peer")
        del iam.access_keys[key.physical_resource_id]
        key.access_key_id, key.secret_access_key = ACCESS_KEY, SECRET_KEY
        iam.access_keys[key.physical_resource_id] = key


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--world")
    ap.add_argument("--ce-page", type=int)
    args = ap.parse_args(argv)

    import motofix
    import motofix_services
    if args.ce_page:
        motofix_services.CE_PAGE = max(1, args.ce_page)
    motofix.apply(secrets={ACCESS_KEY: SECRET_KEY}, reseed=seed_iam)
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    seed_iam()
    if args.world:
        import worldload
        worldload.load(args.world)

    app = DomainDispatcherApplication(create_backend_app)
    srv = make_server("127.0.0.1", args.port, app, threaded=True)
    port = srv.server_address[1] if hasattr(srv, "server_address") else srv.port
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, args.port_file)
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
