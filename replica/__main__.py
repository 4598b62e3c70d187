"""Serve the demo replica in the foreground: `python -m replica [--port 8000] [--host 127.0.0.1] [--themes]`."""

from __future__ import annotations

import argparse
import contextlib

from replica.server import ReplicaServer
from replica.sites import build_demo_sites, build_theme_sites


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m replica", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument(
        "--themes", action="store_true", help="also serve the news_list, table and mobile theme columns"
    )
    args = parser.parse_args(argv)
    sites = [*build_demo_sites(), *(build_theme_sites() if args.themes else [])]
    server = ReplicaServer(sites, host=args.host, port=args.port)
    server.bind()
    for site in server.sites:
        print(f"{site.id}: {server.url(site.list_url(1))} ({len(site.notices)} notices)")
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is the way to stop it
        server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
