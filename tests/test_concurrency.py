"""Concurrency: readers never block on a writing crawl (WAL); two crawls of one source take turns."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from monitor.store.db import Store
from monitor.store.locks import SourceBusy, source_lock
from replica.faults import Fault
from replica.server import ReplicaServer
from replica.sites import build_demo_sites
from tests.crash_checks import check_database
from tests.helpers import ROOT, cli_env, replica_config, run_cli


def start_crawl(config: Path, db: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "monitor", "crawl", "--config", str(config), "--db", str(db)],
                            cwd=ROOT, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def slow_replica(tmp_path: Path):
    with ReplicaServer(build_demo_sites()[:1]) as server:
        site = server.sites[0]
        server.faults[f"{site.column}content/*"] = Fault(delay=0.05)
        config = tmp_path / "config.yaml"
        config.write_text(json.dumps(replica_config(server)), encoding="utf-8")
        yield server, config, tmp_path / "c.db"


def test_reads_work_while_a_crawl_writes(slow_replica) -> None:
    server, config, db = slow_replica
    Store(db).close()
    crawl = start_crawl(config, db)
    readers = 0
    try:
        while crawl.poll() is None:
            for args in (("notices", "list", "--json"), ("search", "整改"), ("events", "--json")):
                out = run_cli(*args, "--db", db)
                assert out.returncode == 0, out.stderr
                readers += 1
    finally:
        crawl.wait(timeout=60)
    assert crawl.returncode == 0 and readers >= 3
    assert check_database(db, server) == []


def test_two_crawls_of_one_source_take_turns(slow_replica) -> None:
    server, config, db = slow_replica
    first = start_crawl(config, db)
    time.sleep(0.5)
    second = start_crawl(config, db)
    assert first.wait(timeout=60) == 0, first.stderr.read()
    assert second.wait(timeout=60) == 0, second.stderr.read()
    assert check_database(db, server) == []
    with Store(db) as store:
        assert store.count("notices") == len(server.sites[0].notices)
        runs = list(store.rows("select status, new, started_at, finished_at from runs order by id"))
    assert [r["status"] for r in runs] == ["completed", "completed"]
    assert runs[0]["new"] == len(server.sites[0].notices) and runs[1]["new"] == 0
    assert runs[1]["started_at"] >= runs[0]["finished_at"]  # the second waited for the first


def test_a_held_source_lock_is_refused_after_the_wait(tmp_path: Path) -> None:
    async def scenario() -> str:
        async with source_lock(tmp_path / "x.db", "src"):
            try:
                async with source_lock(tmp_path / "x.db", "src", wait=0.3):
                    return "acquired twice"
            except SourceBusy as exc:
                return str(exc)

    message = asyncio.run(scenario())
    assert message.startswith(f"{tmp_path / 'x.db'}: source 'src' is being crawled by pid ")
    assert message.endswith("wait for it to finish (or stop it) and try again")
