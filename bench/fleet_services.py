"""The processes bench/fleet_bench.py talks to besides the ones it measures: the fleet server
(bench/fleet_server.py, its own process: its CPU is never counted) and a real redis-server for the
cluster rounds (as tests/test_cluster.py starts it). Both are children started through
bench/fleet_children.py, so Ctrl-C stops them too, and both are waited for only when stopped, so
neither is in a phase's RUSAGE_CHILDREN delta."""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

from bench import fleet_children as children
from bench.fleet_server import COLUMN, address

ROOT = Path(__file__).resolve().parent.parent


class Server:
    """bench/fleet_server.py in a child process (its CPU is not ours), and its control URL."""

    def __init__(self, hosts: int, folder: Path, opts: argparse.Namespace) -> None:
        argv = [sys.executable, str(ROOT / "bench" / "fleet_server.py"), "--hosts", str(hosts), "--port", "0",
                "--notices", str(opts.notices), "--hold-ms", str(opts.hold_ms), "--robots", opts.robots,
                "--validators" if opts.validators else "--no-validators",
                "--column-json" if opts.column_json else "--no-column-json"]
        self.log = folder / f"server-{hosts}.log"
        self.proc = children.start(argv, self.log, ROOT)
        self.cpu_mark = 0.0
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for line in self.log.read_text(encoding="utf-8", errors="replace").splitlines():
                if line.startswith('{"ready"'):
                    self.info = json.loads(line)
                    self.port = int(self.info["port"])
                    return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"fleet server did not start: {self.log.read_text()[-2000:]}")

    def stats(self, reset: bool = False) -> dict[str, Any]:
        from urllib.request import urlopen

        query = "?reset=1" if reset else ""
        with urlopen(f"http://127.0.0.1:{self.port}/_stats{query}", timeout=30) as answer:
            return json.loads(answer.read())

    def mark(self) -> None:
        """A phase starts: zero the counters, remember the server's CPU so far."""
        self.cpu_mark = self.stats(reset=True)["server_cpu_s"]

    def url(self, index: int) -> str:
        return f"http://{address(index)}:{self.port}{COLUMN}index.html"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)
        children._live.discard(self.proc)


class Redis:
    """A real redis-server on a free port, no persistence (as tests/test_cluster.py starts it)."""

    def __init__(self, folder: Path) -> None:
        if shutil.which("redis-server") is None:
            raise RuntimeError("redis-server not found (apt-get install -y redis-server; `make system-deps`)")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = children.start(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                    "--appendonly", "no", "--dir", str(folder)], folder / "redis.log", folder)
        import redis

        self.client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    log = (folder / "redis.log").read_text()[-1000:]
                    raise RuntimeError(f"redis-server did not start: {log}") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        children._live.discard(self.proc)
