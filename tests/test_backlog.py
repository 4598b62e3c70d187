"""The daemon's backlog (monitor/daemon/backlog.py): noticed, logged once, saved, shown by `status`."""

from __future__ import annotations

import json
import logging
import os
import signal
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.crawl.slots import Backlog
from monitor.daemon.backlog import BACKLOG_AFTER, SAVE_EVERY, BacklogWatch, backlog_threshold
from monitor.daemon.state import DaemonState
from monitor.daemon.status import read_status
from monitor.store.db import Store
from replica.faults import Fault
from tests.helpers import run_cli
from tests.test_daemon import (
    TimedServer,
    daemon,
    source_entry,
    status_json,
    wait_for,
    write_config,
    zhuhai_site,
)

NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)


def test_threshold_is_ten_minutes_or_the_shortest_period() -> None:
    assert backlog_threshold([21600.0, 86400.0]) == BACKLOG_AFTER
    assert backlog_threshold([21600.0, 90.0]) == 90.0
    assert backlog_threshold([]) == BACKLOG_AFTER


def test_a_backlog_is_logged_once_and_its_end_once(caplog: pytest.LogCaptureFixture) -> None:
    watch = BacklogWatch(threshold=60)
    caplog.set_level(logging.INFO, logger="monitor.daemon.lifecycle")
    waits = [0, 30, 61, 90, 200, 50, 40, 29, 10]  # over the threshold at 61; under half of it at 29
    for n, wait in enumerate(waits):
        watch.check(Backlog(queued=5, oldest_wait=wait, in_flight=2, limit=2), NOW + timedelta(seconds=5 * n))
        if wait == 61:
            assert watch.since == NOW + timedelta(seconds=10 - 1)  # when the oldest crossed the threshold
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and warnings[0].startswith("backlog: 5 source(s) waiting for a crawl slot, the oldest")
    assert "max_concurrent_sources" in warnings[0]
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.INFO] == [
        "backlog cleared after 26 s (5 source(s) waiting)"]
    assert watch.since is None


def test_figures_are_saved_when_they_change_or_every_save_every_seconds() -> None:
    watch = BacklogWatch(threshold=600)
    idle = Backlog(0, 0.0, 0, 4)
    assert watch.check(idle, NOW)  # the first figures
    assert not watch.check(idle, NOW + timedelta(seconds=5))
    assert watch.check(Backlog(0, 0.0, 1, 4), NOW + timedelta(seconds=10))  # a crawl started
    assert not watch.check(Backlog(0, 0.0, 1, 4), NOW + timedelta(seconds=15))
    assert watch.check(Backlog(0, 0.0, 1, 4), NOW + timedelta(seconds=10 + SAVE_EVERY))


def test_status_reads_the_saved_figures_and_flags_a_backlog(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    with Store(db) as store:
        state = DaemonState(store.db)
        state.claim(None, stale_after=30)  # this process plays the daemon: alive, fresh heartbeat
        state.save_backlog(Backlog(queued=1204, oldest_wait=1500.0, in_flight=32, limit=32),
                           since=datetime.now(UTC) - timedelta(minutes=15))
    report = read_status(db, None)
    daemon_info = report.daemon
    assert daemon_info is not None and daemon_info.running
    assert (daemon_info.in_flight, daemon_info.slot_limit, daemon_info.queued) == (32, 32, 1204)
    assert daemon_info.oldest_wait is not None and daemon_info.oldest_wait >= 1500.0
    assert daemon_info.backlog
    data = json.loads(report.to_json())["daemon"]
    assert data["backlog"] is True and data["queued"] == 1204 and data["slot_limit"] == 32
    out = run_cli("status", "--db", db)
    assert out.returncode == 0, out.stderr
    assert "crawls: in flight 32/32, queued 1,204, oldest waiting 25m — BACKLOG since 15m ago" in out.stdout


def test_status_without_saved_figures_shows_no_slots_line(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    with Store(db) as store:
        DaemonState(store.db).claim(None, stale_after=30)
    report = read_status(db, None)
    assert report.daemon is not None and report.daemon.slot_limit is None and not report.daemon.backlog
    assert "crawls:" not in run_cli("status", "--db", db).stdout
    assert os.getpid() == report.daemon.pid


def test_a_daemon_with_too_few_slots_says_so_in_the_log_and_in_status(tmp_path: Path) -> None:
    """Three slow sources (each crawl > 1 s) every second, one slot: they wait longer than their period."""
    with ExitStack() as stack:
        servers = [stack.enter_context(TimedServer([zhuhai_site()], host=f"127.0.0.{i}")) for i in (1, 2, 3)]
        for server in servers:
            server.faults[server.sites[0].list_url(1)] = Fault(delay=1.2)
        config = write_config(tmp_path / "config.yaml",
                              [source_entry(f"slow{n}", s, max_pages=1) for n, s in enumerate(servers)],
                              max_concurrent_sources=1)
        db, log = tmp_path / "d.db", tmp_path / "daemon.log"
        with daemon(config, db, log) as proc:
            wait_for(lambda: "daemon started" in log.read_text(), 30, "the daemon to start", proc, log)
            report = wait_for(lambda: (r := status_json(config, db))["daemon"] and r["daemon"].get("backlog") and r,
                              30, "status to flag the backlog", proc, log)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=20) == 0, log.read_text()
    info = report["daemon"]
    assert info["slot_limit"] == 1 and info["in_flight"] <= 1 and info["queued"] >= 1
    assert info["oldest_wait"] >= 1.0 and info["backlog_since"]  # saved to 0.1 s: a wait of 1.04 s reads 1.0
    warnings = [line for line in log.read_text().splitlines() if "backlog: " in line]
    assert len(warnings) == 1, log.read_text()[-2000:]
