"""Cluster throughput: one coordinator (`daemon --redis --once`) and 1, 2, 4 workers (`worker --burst`)
crawling replica portals on distinct loopback hosts through a real redis-server.

Prints, per worker count: wall time, sources per second, and CPU seconds per source of the
coordinator and workers together (their rusage; the replica runs in this process and is not counted).

    .venv/bin/python bench/cluster_bench.py --hosts 8 --workers 1 2 4
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from replica.server import ReplicaServer  # noqa: E402
from replica.sites import build_demo_sites  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def config_for(servers: list[ReplicaServer], redis_url: str) -> dict:
    return {
        "defaults": {"download_delay": 0, "retries": 0, "jitter": 0},
        "cluster": {"redis": redis_url, "job_timeout": 120, "lease_ttl": 5},
        "sources": [{"id": f"{site.id}_{i}", "kind": "nfcms", "max_pages": 10,
                     "start_urls": [server.url(f"{site.column}index.html")]}
                    for i, server in enumerate(servers) for site in server.sites],
    }


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_round(workers: int, servers: list[ReplicaServer], redis_url: str, folder: Path) -> tuple[float, float, int]:
    import redis

    config = folder / f"config-{workers}.yaml"
    spec = config_for(servers, redis_url)
    config.write_text(json.dumps(spec), encoding="utf-8")
    db = folder / f"cluster-{workers}.db"
    command = [sys.executable, "-m", "monitor"]
    cpu, start = children_cpu(), time.monotonic()
    coordinator = subprocess.Popen([*command, "daemon", "--config", str(config), "--db", str(db), "--once"],
                                   cwd=ROOT, stderr=subprocess.DEVNULL)
    client = redis.Redis.from_url(redis_url)
    while client.zcard("noticewatch:queue") == 0 and coordinator.poll() is None:
        time.sleep(0.05)
    crew = [subprocess.Popen([*command, "worker", "--config", str(config), "--burst"], cwd=ROOT,
                             stderr=subprocess.DEVNULL) for _ in range(workers)]
    coordinator.wait(timeout=600)
    for process in crew:
        process.wait(timeout=120)
    client.flushdb()
    return time.monotonic() - start, children_cpu() - cpu, len(spec["sources"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=8, help="replica hosts (two sources each)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        sys.exit("Error: redis-server not found (apt-get install -y redis-server)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        port = free_port()
        server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                   "--appendonly", "no", "--dir", tmp], stdout=subprocess.DEVNULL)
        servers = [ReplicaServer(build_demo_sites(), host=f"127.0.4.{i + 1}").start() for i in range(args.hosts)]
        try:
            time.sleep(0.3)
            url = f"redis://127.0.0.1:{port}/0"
            print(f"{args.hosts} hosts, {2 * args.hosts} sources, "
                  f"{sum(len(site.notices) for s in servers for site in s.sites)} notices")
            for count in args.workers:
                wall, cpu, sources = one_round(count, servers, url, folder)
                print(f"workers={count}: {wall:.1f} s wall, {sources / wall:.2f} sources/s, "
                      f"{cpu / sources:.2f} CPU s per source (coordinator + workers)")
        finally:
            for s in servers:
                s.stop()
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
