"""Scale-out (issue 17) with a real redis-server: a coordinator and three workers on one machine
against replica portals on four loopback hosts; one worker killed -9 mid-crawl."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.store.db import Store
from replica.server import ReplicaServer
from replica.sites import build_demo_sites
from tests.helpers import ROOT, cli_env

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None,
                                reason="redis-server not installed (.ci/run installs it)")

HOSTS = ("127.0.3.1", "127.0.3.2", "127.0.3.3", "127.0.3.4")
SERVE_TIME = 0.03  # seconds each request is held inside the server: overlaps would show


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    data = tmp_path / "redis"
    data.mkdir()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(data)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


class TimedReplica(ReplicaServer):
    """A replica that logs when each request was inside it (start, end)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.timed: list[tuple[float, float, str]] = []
        self._timed_lock = threading.Lock()

    def respond(self, method, raw_path, user_agent, host, headers=None, body=b""):  # type: ignore[no-untyped-def]
        start = time.monotonic()
        try:
            time.sleep(SERVE_TIME)
            return super().respond(method, raw_path, user_agent, host, headers, body)
        finally:
            with self._timed_lock:
                self.timed.append((start, time.monotonic(), raw_path))


def overlaps(timed: list[tuple[float, float, str]]) -> list[str]:
    spans = sorted(timed)
    return [f"{a[2]} and {b[2]}" for a, b in zip(spans, spans[1:], strict=False) if b[0] < a[1]]


def cluster_config(servers: list[TimedReplica], redis_url: str) -> dict:
    sources = [
        {"id": f"{site.id}_{i}", "name": site.column_name, "kind": "nfcms",
         "start_urls": [server.url(f"{site.column}index.html")], "max_pages": 10, "schedule": "every 1h"}
        for i, server in enumerate(servers) for site in server.sites
    ]
    return {"defaults": {"download_delay": 0, "retries": 0, "jitter": 0},
            "cluster": {"redis": redis_url, "job_timeout": 5, "lease_ttl": 2},
            "sources": sources}


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "monitor", *args], cwd=ROOT, env=cli_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def crawling_worker(workers: list[subprocess.Popen], redis_url: str) -> subprocess.Popen | None:
    from monitor.cluster.registry import read_status

    busy = {int(w.worker_id.rsplit(":", 1)[1]) for w in read_status(redis_url).workers if w.current}
    return next((p for p in workers if p.pid in busy), None)


def test_three_workers_one_killed_every_notice_once_no_host_twice(tmp_path: Path, redis_url: str) -> None:
    servers = [TimedReplica(build_demo_sites(), host=host).start() for host in HOSTS]
    try:
        config = tmp_path / "config.yaml"
        config.write_text(json.dumps(cluster_config(servers, redis_url)), encoding="utf-8")
        db = tmp_path / "cluster.db"
        workers = [start("worker", "--config", str(config)) for _ in range(3)]
        coordinator = start("daemon", "--config", str(config), "--db", str(db), "--once")
        victim = None
        deadline = time.monotonic() + 20
        while victim is None and time.monotonic() < deadline:
            time.sleep(0.1)
            if sum(len(s.timed) for s in servers) > 20:
                victim = crawling_worker(workers, redis_url)
        assert victim is not None, "no worker was seen crawling"
        victim.send_signal(signal.SIGKILL)
        try:
            coordinator.wait(timeout=60)
        finally:
            for w in workers:
                if w.poll() is None:
                    w.send_signal(signal.SIGTERM)
            outputs = [w.communicate(timeout=30) for w in workers]
        _, err = coordinator.communicate()
        assert coordinator.returncode == 0, err
        survivors = [w for w in workers if w is not victim]
        assert all(w.returncode in (0, 143) for w in survivors), [o[1][-2000:] for o in outputs]

        expected = {s.url(site.detail_url(n.post_id)) for s in servers for site in s.sites for n in site.notices}
        with Store(db) as store:
            stored = [n.notice.url for n in store.notices()]
            assert sorted(stored) == sorted(expected)  # every notice, each once
            assert store.count("notice_versions") == len(expected)  # one version each
            runs = list(store.db.query("select source_id, status, problems from runs"))
            jobs = list(store.db.query("select job_id, attempts from cluster_jobs"))
        sources = {src["id"] for src in cluster_config(servers, redis_url)["sources"]}
        assert sorted(r["source_id"] for r in runs) == sorted(sources)  # one run per source
        assert {r["status"] for r in runs} == {"completed"}, runs
        assert any(j["attempts"] > 1 for j in jobs), "the killed worker's job was not retaken"
        for server in servers:
            assert overlaps(server.timed) == [], server.base_url
    finally:
        for server in servers:
            server.stop()
