"""Checks shared by tests/test_crash_safety.py and bench/crash_trials.py: kill a noticewatch process
at a random moment, then say what (if anything) is wrong with the database it left."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from monitor.store.db import Store
from replica.model import EXPECTED_FIELDS
from replica.server import ReplicaServer
from tests.helpers import ROOT, cli_env


def check_database(db: Path, server: ReplicaServer) -> list[str]:
    """What is wrong with the DB after a kill: integrity, and every stored notice exactly right."""
    problems = []
    with sqlite3.connect(db) as conn:
        if conn.execute("pragma integrity_check").fetchone()[0] != "ok":
            problems.append("integrity_check failed")
    expected = {server.url(site.detail_url(n.post_id)): n.expected for site in server.sites for n in site.notices}
    with Store(db) as store:
        for stored in store.notices():
            want = expected.get(stored.notice.url)
            if want is None:
                problems.append(f"unknown notice stored: {stored.notice.url}")
                continue
            got = stored.notice.to_dict()
            wrong = [f for f in EXPECTED_FIELDS if got[f] != want[f]]
            if wrong:
                problems.append(f"{stored.notice.url}: fields {wrong} differ")
            if len(store.versions(stored.id)) != 1:
                problems.append(f"{stored.notice.url}: {len(store.versions(stored.id))} versions")
        orphans = store.count("notice_versions") - store.count("notices")
        if orphans:
            problems.append(f"{orphans} versions without their notice")
    return problems


def kill_at_random(
    command: str, config: Path, db: Path, rng: random.Random, max_delay: float, min_delay: float = 0.3
) -> None:
    """Start `noticewatch COMMAND` (crawl or daemon), SIGKILL it after a random min..max_delay s."""
    process = subprocess.Popen([sys.executable, "-m", "monitor", command, "--config", str(config), "--db", str(db)],
                               cwd=ROOT, env=cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(rng.uniform(min_delay, max_delay))
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
