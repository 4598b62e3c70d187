"""`noticewatch demo` shows the headline on a fresh database: open windows, a change, a withdrawal;
then the CLI reads the same database: `notices list --open/--closing-within/--status/--csv`,
`history --version`, JSON status fields."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from monitor.window import china_today
from tests.helpers import ROOT, cli_env, load_json_lines, run_cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    out = run_cli("demo", "--db", db, timeout=120)
    assert out.returncode == 0, out.stderr
    return db, out.stdout


def test_demo_runs_offline(demo) -> None:
    """Offline, on a fresh database: it stores and sums up its crawls (one demo run serves this module)."""
    _, stdout = demo
    assert "notices stored" in stdout
    assert "中共广东省委横琴工委" in stdout.replace("\n", "") or "横琴" in stdout
    assert "completed" in stdout


def test_demo_shows_open_windows_a_change_and_a_withdrawal(demo) -> None:
    db, stdout = demo
    assert "Open for comment now" in stdout and "5 of 52 notices" in stdout
    assert "closing soon" in stdout
    assert "removed (window open!)" in stdout
    assert "changed" in stdout and "disclosure_end" in stdout
    assert "new" in stdout
    assert f"noticewatch serve --db {db}" in stdout


def test_list_open_lists_exactly_the_open_ones_closing_soonest_first(demo) -> None:
    db, _ = demo
    out = run_cli("notices", "list", "--open", "--json", "--db", db)
    assert out.returncode == 0, out.stderr
    rows = load_json_lines(out.stdout)
    today = china_today()
    assert len(rows) == 5
    ends = [r["disclosure_end"] for r in rows]
    assert ends == sorted(ends) and all(date.fromisoformat(e) >= today for e in ends)
    assert {r["status"] for r in rows} == {"active"}
    assert [r["window_status"] for r in rows][0] == "closing soon"
    assert rows[0]["days_left"] == 2


def test_closing_within_status_and_csv(demo) -> None:
    db, _ = demo
    soon = load_json_lines(run_cli("notices", "list", "--closing-within", "7d", "--json", "--db", db).stdout)
    assert [r["days_left"] for r in soon] == [2]
    removed = load_json_lines(run_cli("notices", "list", "--status", "removed", "--json", "--db", db).stdout)
    assert len(removed) == 1 and removed[0]["status"] == "removed" and removed[0]["window_status"] == "open"
    open_removed = run_cli("notices", "list", "--open", "--status", "removed", "--json", "--db", db).stdout
    assert [r["id"] for r in load_json_lines(open_removed)] == [removed[0]["id"]]
    table = run_cli("notices", "list", "--status", "removed", "--db", db).stdout
    assert "[removed]" in table
    out = run_cli("notices", "list", "--open", "--csv", "--db", db)
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert len(rows) == 5 and rows[0]["window_status"] == "closing soon" and rows[0]["status"] == "active"
    assert run_cli("notices", "list", "--closing-within", "soon", "--db", db).returncode == 1


def test_show_and_search_json_carry_status(demo) -> None:
    db, _ = demo
    removed = load_json_lines(run_cli("notices", "list", "--status", "removed", "--json", "--db", db).stdout)[0]
    shown = json.loads(run_cli("notices", "show", str(removed["id"]), "--json", "--db", db).stdout)
    assert shown["status"] == "removed" and shown["window_status"] == "open"
    hits = load_json_lines(run_cli("search", "--open-on", "today", "--json", "--limit", "50", "--db", db).stdout)
    assert len(hits) == 5 and removed["id"] not in {h["id"] for h in hits}  # withdrawn: not open for comment
    assert all("window_status" in h and "status" in h for h in hits)
    events = load_json_lines(run_cli("events", "--json", "--kind", "removed", "--db", db).stdout)
    assert events[-1]["status"] == "removed" and events[-1]["window_open"] is True


def test_history_version_prints_that_versions_text(demo) -> None:
    db, _ = demo
    changed = load_json_lines(run_cli("events", "--json", "--kind", "changed", "--db", db).stdout)[-1]
    first = run_cli("history", str(changed["notice_id"]), "--version", "1", "--db", db)
    second = json.loads(run_cli("history", str(changed["notice_id"]), "--version", "2", "--json", "--db", db).stdout)
    assert first.returncode == 0, first.stderr
    assert "version 1 (of 2)" in first.stdout and "公开期限" in first.stdout
    old_end = date.fromisoformat(second["disclosure_end"]) - timedelta(days=14)
    assert old_end.isoformat() in first.stdout
    assert second["version"] == 2 and second["status"] == "active" and "公开期限" in second["body_text"]
    missing = run_cli("history", str(changed["notice_id"]), "--version", "9", "--db", db)
    assert missing.returncode == 1 and "no version 9" in missing.stderr


def test_tables_fit_80_columns_without_cutting_dates(demo) -> None:
    from rich.cells import cell_len

    db, _ = demo
    env = {**cli_env(), "COLUMNS": "80"}
    for args in (["notices", "list"], ["search", "整改", "--limit", "50"], ["events"]):
        out = subprocess.run([sys.executable, "-m", "monitor", *args, "--db", str(db)], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        assert max(cell_len(line) for line in out.stdout.splitlines()) <= 80, args
    listing = subprocess.run([sys.executable, "-m", "monitor", "notices", "list", "--db", str(db)], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=60).stdout
    for row in load_json_lines(run_cli("notices", "list", "--json", "--db", db).stdout):
        for field in ("published_at", "disclosure_start", "disclosure_end"):
            if row[field]:
                assert row[field] in listing, (row["id"], field, row[field])
