"""Crash safety: a crawl killed with SIGKILL at a random moment loses nothing it committed, leaves a
healthy database, and the next crawl completes (bench/crash_trials.py runs >= 50 such trials)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from monitor.store.db import Store
from replica.faults import Fault
from replica.server import ReplicaServer
from replica.sites import build_demo_sites
from tests.crash_checks import check_database, kill_at_random
from tests.helpers import replica_config, run_cli


@pytest.mark.parametrize("trial", range(3))
def test_sigkill_mid_crawl_loses_nothing_and_the_next_crawl_resumes(trial: int, tmp_path: Path) -> None:
    rng = random.Random(trial)
    with ReplicaServer(build_demo_sites()[:1]) as server:
        site = server.sites[0]
        server.faults[f"{site.column}content/*"] = Fault(delay=0.04)  # a crawl of ~1.5 s to kill
        config = tmp_path / "config.yaml"
        config.write_text(json.dumps(replica_config(server)), encoding="utf-8")
        db = tmp_path / "k.db"
        kill_at_random("crawl", config, db, rng, max_delay=1.5)
        if db.exists():
            assert check_database(db, server) == []
        out = run_cli("crawl", "--config", config, "--db", db)
        assert out.returncode == 0, out.stderr
        assert check_database(db, server) == []
        with Store(db) as store:
            assert store.count("notices") == len(site.notices)
            statuses = [r["status"] for r in store.rows("select status from runs order by id")]
    assert statuses[-1] == "completed"
    assert "running" not in statuses  # the killed crawl's run is finalised as aborted
