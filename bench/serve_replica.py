"""A replica portal for benchmarks, in its own process (so the crawler under test owns its cores).

    .venv/bin/python bench/serve_replica.py --sources 10 --notices 500

Serves SOURCES NFCMS columns of NOTICES generated notices each (bench/change_cycle.py's sites, 20 a
page) on 127.0.0.1, port 0. Prints one JSON line {"base_url", "start_urls"}, then answers commands on
stdin, one a line: `log` prints the request paths since the last `log` as one JSON line (and clears
them); `cpu` prints the server's CPU seconds so far; `quit` (or end of input) stops the server.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.change_cycle import build_sites  # noqa: E402
from replica.server import ReplicaServer  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=int, default=10)
    ap.add_argument("--notices", type=int, default=500, help="notices per source")
    args = ap.parse_args()
    with ReplicaServer(build_sites(args.sources, args.notices)) as server:
        start_urls = [server.url(s.list_url(1)) for s in server.sites]
        print(json.dumps({"base_url": server.base_url, "start_urls": start_urls}), flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "log":
                paths = server.paths()
                server.clear_requests()
                print(json.dumps(paths), flush=True)
            elif command == "cpu":  # this process's CPU seconds so far (the server's share of a run)
                print(json.dumps(time.process_time()), flush=True)
            elif command == "quit":
                break


if __name__ == "__main__":
    main()
