"""`noticewatch digest` end to end through click (in process), on the scenario store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from monitor.cli.digest import register
from monitor.cli.main import cli
from monitor.store.db import Store
from tests.digest_scenario import NOW, build_store

register(cli)  # until monitor/cli/main.py calls it


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    db = tmp_path / "s.db"
    build_store(db).close()
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"sources": [], "digest": {"closing_soon_days": 3, "targets": [
        {"id": "archive", "type": "file", "path": "out/", "format": "md"}]}}), encoding="utf-8")
    return config, db


def invoke(*args: str | Path):
    return CliRunner().invoke(cli, ["digest", *map(str, args), "--now", NOW.isoformat()], catch_exceptions=False)


def test_preview_formats(setup: tuple[Path, Path], tmp_path: Path) -> None:
    config, db = setup
    out = invoke("--since", "7d", "--format", "md", "--config", config, "--db", db)
    assert out.exit_code == 0, out.output
    assert out.output.startswith("# noticewatch digest — 2024-10-08")
    html = tmp_path / "d.html"
    out = invoke("--since", "2024-10-01", "--output", html, "--config", config, "--db", db)
    assert out.exit_code == 0 and "wrote" in out.output
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    data = json.loads(invoke("--since", "7d", "--format", "json", "--config", config, "--db", db).output)
    assert data["counts"]["withdrawn"] == 1


def test_terminal_default_and_empty(setup: tuple[Path, Path], tmp_path: Path) -> None:
    config, db = setup
    out = invoke("--since", "2024-10-01", "--config", config, "--db", db)
    assert "Withdrawn while open for comment" in out.output
    Store(tmp_path / "empty.db").close()
    for fmt in ("md", "terminal", "html"):
        empty = invoke("--format", fmt, "--config", config, "--db", tmp_path / "empty.db")
        assert "Nothing new: no events, no windows closing soon, no source problems." in empty.output


def test_send_then_nothing_new(setup: tuple[Path, Path], tmp_path: Path) -> None:
    config, db = setup
    first = invoke("--send", "--config", config, "--db", db)
    assert first.exit_code == 0, first.output
    assert "archive: delivered, 8 events (events #6–#13)" in first.output
    assert len(list((tmp_path / "out").glob("*.md"))) == 1
    assert "archive: nothing new" in invoke("--send", "--config", config, "--db", db).output
    undelivered = invoke("--undelivered", "--format", "json", "--config", config, "--db", db)
    assert json.loads(undelivered.output)["events"]["count"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--since", "3d", "--undelivered"), "--since and --undelivered exclude each other"),
        (("--send", "--format", "md"), "--send delivers each target in its own format"),
        (("--since", "yesterday"), "--since 'yesterday': use an ISO date"),
        (("--send", "--target", "nope"), "no target with id 'nope' (known: archive)"),
    ],
)
def test_errors_are_one_line(setup: tuple[Path, Path], args: tuple[str, ...], message: str) -> None:
    config, db = setup
    out = CliRunner().invoke(cli, ["digest", *args, "--config", str(config), "--db", str(db)])
    assert out.exit_code == 1
    assert message in out.output and "Traceback" not in out.output


def test_send_while_another_sender_holds_the_target_is_a_one_line_error(
    setup: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from monitor.digest import run as digest_run
    from monitor.store import locks

    config, db = setup
    monkeypatch.setattr(digest_run, "digest_lock", lambda path, target, wait: locks.digest_lock(path, target, 0.2))
    with locks.digest_lock(db, "archive"):  # another `digest --send`, or the daemon's digest job
        out = CliRunner().invoke(cli, ["digest", "--send", "--config", str(config), "--db", str(db),
                                       "--now", NOW.isoformat()])
    assert out.exit_code == 1
    assert out.output.startswith(f"Error: {db}: a digest for target 'archive' is being delivered by pid ")
    assert out.output.endswith("; let it finish and try again\n") and out.output.count("\n") == 1
    assert not (tmp_path / "out").exists()
    assert "archive: delivered" in invoke("--send", "--config", config, "--db", db).output
