"""SIGINT and SIGTERM during a crawl or a re-check (issue 19): the command stops within seconds,
keeps what it fetched, records its runs as aborted, prints one line and exits 130 / 143; the next
crawl completes. A second signal exits at once."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from replica.faults import Fault
from replica.generator import generate_notices
from replica.model import Site
from replica.server import ReplicaServer
from tests.helpers import ROOT, cli_env, replica_config, run_cli

STOP_WITHIN = 15.0  # seconds from the signal to the exit (STOP_GRACE is 8 s)


def _site() -> Site:
    return Site(id="slow", column="/xunshizgls/", theme="wendang", per_page=10, site_name="南粤清风网",
                column_name="整改落实", notices=generate_notices(30, seed=5, start_id=4_100_001))


def _start(command: str, config: Path, db: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "monitor", command, *extra, "--config", str(config),
                             "--db", str(db)], cwd=ROOT, env=cli_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _wait_for_notices(db: Path, at_least: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if db.exists():
            try:
                with sqlite3.connect(db) as conn:
                    if conn.execute("select count(*) from notices").fetchone()[0] >= at_least:
                        return
            except sqlite3.OperationalError:
                pass  # not created yet
        time.sleep(0.1)
    raise AssertionError(f"no {at_least} notices stored within {timeout} s")


def _runs(db: Path) -> list[tuple[str, str, list[str]]]:
    with sqlite3.connect(db) as conn:
        return [(mode, status, json.loads(problems or "[]"))
                for mode, status, problems in conn.execute("select mode, status, problems from runs order by id")]


@pytest.fixture()
def slow_portal(tmp_path: Path):
    with ReplicaServer([_site()]) as server:
        # Each detail page dripped over 0.4 s: a crawl of 30 takes ~12 s, long enough to interrupt.
        server.faults["/xunshizgls/content/*"] = Fault(wire="drip", drip_seconds=0.4)
        config = tmp_path / "config.yaml"
        config.write_text(json.dumps(replica_config(server, max_pages=3)), encoding="utf-8")
        yield server, config, tmp_path / "nw.db"


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_crawl_stops_on_a_signal_keeps_what_it_fetched_and_is_aborted(slow_portal, signum: int, code: int) -> None:
    server, config, db = slow_portal
    process = _start("crawl", config, db)
    _wait_for_notices(db, 3)
    sent = time.monotonic()
    process.send_signal(signum)
    out, err = process.communicate(timeout=STOP_WITHIN + 5)
    assert time.monotonic() - sent < STOP_WITHIN
    assert process.returncode == code, err
    assert "Traceback" not in err + out
    assert err.strip().splitlines()[-1].startswith("Interrupted: SIG")
    assert [line for line in err.splitlines() if line.startswith(("Interrupted", "Error"))] == [err.strip().splitlines()[-1]]
    [(mode, status, problems)] = _runs(db)
    assert status == "aborted", problems
    with sqlite3.connect(db) as conn:
        kept = conn.execute("select count(*) from notices").fetchone()[0]
        versions = conn.execute("select count(*) from notice_versions").fetchone()[0]
    assert 3 <= kept < 30 and versions == kept
    server.faults.clear()
    again = run_cli("crawl", "--config", config, "--db", db)
    assert again.returncode == 0, again.stderr
    assert _runs(db)[-1][1] == "completed"


def test_a_second_signal_exits_at_once(slow_portal) -> None:
    server, config, db = slow_portal
    server.faults["/xunshizgls/content/*"] = Fault(wire="drip", drip_seconds=20)  # a close would wait
    process = _start("crawl", config, db)
    deadline = time.monotonic() + 30
    while not any("content/post_" in r.path for r in server.requests) and time.monotonic() < deadline:
        time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    time.sleep(0.5)
    sent = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=10)
    assert time.monotonic() - sent < 3
    assert process.returncode == 130 and "Traceback" not in err


def test_a_recheck_stops_on_a_signal_and_its_run_is_aborted(slow_portal) -> None:
    server, config, db = slow_portal
    server.faults.clear()
    assert run_cli("crawl", "--config", config, "--db", db).returncode == 0
    server.faults["/xunshizgls/content/*"] = Fault(wire="drip", drip_seconds=0.4)
    process = _start("recheck", config, db, "--all")
    deadline = time.monotonic() + 30
    while sum("content/post_" in r.path for r in server.requests) < 35 and time.monotonic() < deadline:
        time.sleep(0.1)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=STOP_WITHIN)
    assert process.returncode == 143 and "Traceback" not in err, err
    assert err.strip().splitlines()[-1].startswith("Interrupted: SIGTERM")
    mode, status, problems = _runs(db)[-1]
    assert (mode, status) == ("recheck", "aborted") and "aborted: the re-check was interrupted" in problems


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("command", [["replica", "serve", "--port", "0"], ["serve", "--port", "0"],
                                     ["demo", "--serve"]])
def test_long_running_commands_stop_on_both_signals(slow_portal, command: list[str], signum: int) -> None:
    server, config, db = slow_portal
    if command[0] == "serve":  # the reader needs a database
        server.faults.clear()
        assert run_cli("crawl", "--config", config, "--db", db).returncode == 0
    args = [sys.executable, "-m", "monitor", *command, "--db", str(db if command[0] != "demo" else db.with_name("demo.db"))]
    process = subprocess.Popen(args, cwd=ROOT, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # The line each prints once it serves (the demo: after its crawls): the signal comes while it
    # serves, not while it is still starting (a fixed sleep was slower, and too short on a busy machine).
    stream, ready = {"replica": (process.stdout, "replica portal on"), "serve": (process.stderr, "reader on"),
                     "demo": (process.stderr, "still serving")}[command[0]]
    deadline, line = time.monotonic() + 90, ""
    while ready not in line and time.monotonic() < deadline and process.poll() is None:
        line = stream.readline()
    assert ready in line, f"{command}: no {ready!r} line"
    assert process.poll() is None, "it stopped by itself"
    process.send_signal(signum)
    try:
        _, err = process.communicate(timeout=10)
    finally:
        process.kill()
    assert process.returncode == 128 + signum, (command, process.returncode, err[-400:])
    assert "Traceback" not in err


def test_a_killed_recheck_leaves_no_run_running(slow_portal) -> None:
    """SIGKILL leaves no chance to close the run: the next re-check of the source, holding its
    re-check lock, closes it as aborted."""
    server, config, db = slow_portal
    server.faults.clear()
    assert run_cli("crawl", "--config", config, "--db", db).returncode == 0
    server.faults["/xunshizgls/content/*"] = Fault(wire="drip", drip_seconds=0.4)
    process = _start("recheck", config, db, "--all")
    deadline = time.monotonic() + 30
    while sum("content/post_" in r.path for r in server.requests) < 33 and time.monotonic() < deadline:
        time.sleep(0.1)
    process.kill()
    process.communicate(timeout=10)
    assert _runs(db)[-1][:2] == ("recheck", "running")
    server.faults.clear()
    again = run_cli("recheck", "--all", "--limit", "1", "--config", config, "--db", db)
    assert again.returncode == 0, again.stderr
    runs = _runs(db)
    assert runs[-2][:2] == ("recheck", "aborted") and runs[-1][:2] == ("recheck", "completed"), runs
    assert not [r for r in runs if r[1] == "running"]


def test_a_download_still_in_flight_does_not_keep_the_run_open(slow_portal) -> None:
    server, config, db = slow_portal
    site = server.sites[0]
    stuck = site.detail_url(site.newest_first()[3].post_id)
    server.faults[stuck] = Fault(wire="drip", drip_seconds=120)  # far longer than any grace
    process = _start("crawl", config, db)
    deadline = time.monotonic() + 30
    while not any(stuck in r.path for r in server.requests) and time.monotonic() < deadline:
        time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=STOP_WITHIN + 5)
    assert process.returncode == 130 and "Traceback" not in err, err
    [(_, status, problems)] = _runs(db)
    assert status == "aborted" and any("in flight" in p for p in problems), problems
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from notices").fetchone()[0] >= 3
