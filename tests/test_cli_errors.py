"""The one-line errors of issue 19, each as written there: no traceback, one `Error:` line, exit 1
or 2, nothing stored changed (tests/test_cli_properties.py draws many more at random)."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

import pytest

from replica.server import ReplicaServer
from tests.fault_checks import column
from tests.helpers import run_cli


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("clierrors")
    db = tmp / "nw.db"
    with ReplicaServer([column()]) as server:
        config = tmp / "config.yaml"
        config.write_text(json.dumps({"defaults": {"download_delay": 0, "retries": 0}, "sources": [
            {"id": "zgls", "kind": "nfcms", "start_urls": [server.url(server.sites[0].list_url(1))]}]}))
        assert run_cli("crawl", "--config", config, "--db", db).returncode == 0
    (tmp / "afile").write_text("x")
    return {"tmp": tmp, "db": db, "config": config}


def _config(tmp: Path, name: str, data: object) -> Path:
    path = tmp / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def _one_line(out, expect: str) -> None:  # noqa: ANN001
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert out.returncode in (1, 2) and "Traceback" not in out.stderr, out.stderr[-600:]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and expect in lines[0], out.stderr


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["digest", "-o", "{tmp}/afile/d.md"], "is a file, not a folder"),
        (["digest", "-o", "{tmp}/x.pdf"], "no digest format for '.pdf'"),
        (["digest", "--since", ""], "--since ''"),
        (["events", "--since", "99999999999d"], "before the year 1"),
        (["notices", "show", "12345678901234567890123"], "no stored notice"),
        (["history", "12345678901234567890123"], "no stored notice"),
        (["recheck", "--limit", str(10**39)], "--limit"),
        (["parse", "{tmp}/afile", "--encoding", "nonsense"], "not a text encoding"),
        (["search", "x", "--type", "bogus"], "'bogus' is not one of"),
        (["notices", "list", "--source", "nosuch"], "--source 'nosuch': no such source"),
        (["search", "x", "--source", "nosuch"], "--source 'nosuch': no such source"),
        (["notices", "list", "--db", "{tmp}/afile/x.db"], "no database yet"),
        (["crawl", "--db", "{tmp}/afile/x.db"], "afile is a file, not a folder"),
    ],
)
def test_bad_arguments(lab: dict[str, Path], args: list[str], expect: str) -> None:
    args = [a.format(tmp=lab["tmp"]) for a in args]
    before = lab["db"].read_bytes()
    extra = ["--config", str(lab["config"])] + ([] if "--db" in args else ["--db", str(lab["db"])])
    _one_line(run_cli(*args, *extra), expect)
    assert lab["db"].read_bytes() == before


@pytest.mark.parametrize(
    ("source", "expect"),
    [
        ({"id": "a" * 300, "kind": "nfcms", "start_urls": ["http://h/"]}, "300 characters long"),
        ({"id": "a", "kind": "nfcms", "start_urls": ["http://[::1/xunshizgls/"]}, "Invalid IPv6 URL"),
        ({"id": "a", "kind": "nfcms", "encoding": "rot13", "start_urls": ["http://h/"]}, "not a text encoding"),
        ({"id": "a", "kind": "nfcms", "schedule": "0 25 * * *", "start_urls": ["http://h/"]}, "schedule"),
    ],
)
def test_bad_sources_are_refused_by_sources_list(lab: dict[str, Path], source: dict, expect: str) -> None:
    config = _config(lab["tmp"], "bad.yaml", {"sources": [source]})
    _one_line(run_cli("sources", "list", "--config", config, "--db", lab["db"]), expect)


def test_a_yaml_alias_bomb_is_refused_cheaply(lab: dict[str, Path]) -> None:
    bomb = "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n" + "".join(
        f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True))
    config = _config(lab["tmp"], "bomb.yaml", bomb + "defaults: {user_agent: *i}\nsources: []\n")
    assert config.stat().st_size < 600
    start = time.monotonic()
    _one_line(run_cli("sources", "list", "--config", config, "--db", lab["db"]), "expands to more than")
    assert time.monotonic() - start < 10


def test_read_commands_add_no_tables_to_another_programs_sqlite_file(lab: dict[str, Path]) -> None:
    other = lab["tmp"] / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("create table people (name text)")
    for args in (["notices", "list"], ["events"], ["status"], ["crawl"]):
        out = run_cli(*args, "--config", lab["config"], "--db", other)
        assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    with sqlite3.connect(other) as conn:
        assert [r[0] for r in conn.execute("select name from sqlite_master")] == ["people"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads and writes any file: no permission problem to see")
def test_a_permission_problem_is_named_as_such(lab: dict[str, Path]) -> None:
    locked = lab["tmp"] / "locked.db"
    locked.write_bytes(lab["db"].read_bytes())
    locked.chmod(0)
    try:
        _one_line(run_cli("notices", "list", "--db", locked), "permission denied")
    finally:
        locked.chmod(0o600)
