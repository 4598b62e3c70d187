"""CLI behaviour that needs no crawl: help with examples, one-line errors, stored data untouched."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import click
import pytest

from monitor.cli.main import cli
from tests.helpers import ROOT, run_cli

SEEDS = ROOT / "replica" / "seeds"


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    found = []
    for name, command in group.commands.items():
        path = (*prefix, name)
        if isinstance(command, click.Group):
            found.extend(all_commands(command, path))
        else:
            found.append((path, command))
    return found


@pytest.mark.parametrize("path, command", all_commands(cli), ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_every_command_has_help_with_an_example_and_takes_config_and_db(path, command) -> None:
    assert command.help and "noticewatch" in command.help, f"{' '.join(path)} has no example in its help"
    options = {opt for param in command.params for opt in getattr(param, "opts", [])}
    assert {"--config", "--db"} <= options


def test_parse_seed_as_json() -> None:
    out = run_cli("parse", SEEDS / "001_99f024742a5b7e23.txt", "--json")
    assert out.returncode == 0, out.stderr
    record = json.loads(out.stdout)
    assert record["title"] == "中共珠海市金湾区委关于巡视整改进展情况的通报"
    assert record["disclosure_start"] == "2024-09-26" and record["disclosure_end"] == "2024-10-25"
    assert record["phones"] == ["0756-7263766"]
    assert list(record)[:3] == ["doc_type", "title", "url"]


def test_parse_terminal_output() -> None:
    out = run_cli("parse", SEEDS / "003_f682be9f62c84cc3.txt")
    assert out.returncode == 0, out.stderr
    assert "市委第二机动巡察组" in out.stdout and "no window stated" in out.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (("parse", "/nonexistent/page.html"), "Error: /nonexistent/page.html: no such file"),
        (("notices", "list", "--db", "/nonexistent/dir/x.db"), "Error: /nonexistent/dir/x.db: no database yet"),
        (("crawl", "--config", "/nonexistent.yaml"), "Error: /nonexistent.yaml: config file not found"),
        (("crawl", "--max-pages", "0", "--config", "/nonexistent.yaml"), "Error: Invalid value for '--max-pages'"),
    ],
)
def test_bad_input_is_one_line(args, message) -> None:
    out = run_cli(*args)
    assert out.returncode != 0
    assert out.stderr.strip().splitlines()[-1].startswith(message), out.stderr
    assert "Traceback" not in out.stderr


def test_bad_config_touches_no_stored_data(tmp_path: Path) -> None:
    db = tmp_path / "keep.db"
    from monitor.store.db import Store

    Store(db).close()
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    config = tmp_path / "config.yaml"
    config.write_text("sources:\n  - id: a\n    kind: nfcms\n    start_ur: http://127.0.0.1/\n", encoding="utf-8")
    out = run_cli("crawl", "--config", config, "--db", db)
    assert out.returncode == 1
    assert out.stderr.strip() == (
        f"Error: {config}: sources[a]: unknown key 'start_ur' "
        "(valid: id, name, kind, start_urls, schedule, enabled, download_delay, retries, pause_after_failures, spread_schedule, max_pages, encoding, selectors, keywords, match, column_id)"
    )
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_unknown_source_id(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("sources:\n  - {id: a, kind: nfcms, start_urls: ['http://127.0.0.1:9/']}\n", encoding="utf-8")
    out = run_cli("crawl", "nope", "--config", config, "--db", tmp_path / "x.db")
    assert out.returncode == 1
    assert out.stderr.strip() == f"Error: {config}: no source with id 'nope' (known: a)"


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    db = tmp_path / "notes.db"
    db.write_bytes(b"these are my notes, not a database" * 20)
    before = db.read_bytes()
    out = run_cli("notices", "list", "--db", db)
    assert out.returncode == 1
    assert out.stderr.strip().startswith(f"Error: {db}: not a usable noticewatch database")
    assert db.read_bytes() == before


def test_sources_list_shows_the_shipped_config() -> None:
    out = run_cli("sources", "list", "--config", ROOT / "config.yaml", "--db", "/nonexistent/none.db")
    assert out.returncode == 0, out.stderr
    assert "gdjct_zgls" in out.stdout and "nfcms" in out.stdout


def test_demo_refuses_to_overwrite_an_existing_db(tmp_path: Path) -> None:
    db = tmp_path / "mine.db"
    db.write_bytes(b"precious")
    out = run_cli("demo", "--db", db)
    assert out.returncode == 1 and "already exists" in out.stderr
    assert db.read_bytes() == b"precious"
