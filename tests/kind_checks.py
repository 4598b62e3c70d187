"""Shared checks for the per-kind crawl tests (tests/test_kinds_*.py): crawl one replica site in a
child process (the reactor runs once per process), then compare the store with the replica's truth."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from monitor.store.db import Store
from replica.model import EXPECTED_FIELDS, ReplicaNotice
from tests.helpers import ROOT, cli_env, run_cli

# Runs one SourceSpec (with kind options) through monitor.crawl.runner, storing into a DB; prints the
# results as JSON. Used where the options cannot go through config.yaml yet.
_SPEC_RUNNER = """
import json, sys
from crawler.source import SourceSpec
from monitor.config.loader import Defaults
from monitor.crawl.runner import crawl_settings, crawl_sources, run_reactor
spec_data, db, full = json.loads(sys.argv[1]), sys.argv[2] or None, sys.argv[3] == "1"
spec_data["start_urls"] = tuple(spec_data["start_urls"])
spec = SourceSpec(**spec_data)
settings = crawl_settings(Defaults(download_delay=0, retries=0), db)
[result] = run_reactor(lambda: crawl_sources([spec], settings, full=full))
print(json.dumps({"status": result.status, "new": result.new, "problems": list(result.problems),
                  "items": [i.notice.to_dict() for i in result.scraped]}, ensure_ascii=False))
"""


def crawl_config(
    tmp: Path, source: dict[str, Any], *args: str
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """`noticewatch crawl` of one source (a config.yaml entry) into tmp/notices.db."""
    config = tmp / "config.yaml"
    data = {"defaults": {"download_delay": 0, "retries": 0}, "sources": [{"max_pages": 10, **source}]}
    config.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    db = tmp / "notices.db"
    return db, run_cli("crawl", *args, "--config", config, "--db", db)


def crawl_spec(spec: dict[str, Any], db: Path | None = None, full: bool = False) -> dict[str, Any]:
    """Crawl a SourceSpec given as a dict (options included) in a child process; its result."""
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            _SPEC_RUNNER,
            json.dumps(spec, ensure_ascii=False),
            str(db or ""),
            "1" if full else "0",
        ],
        cwd=ROOT,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def runs(db: Path) -> list[dict[str, Any]]:
    with Store(db) as store:
        return list(store.rows("select * from runs order by id"))


def stored(db: Path) -> dict[str, Any]:
    """url → Notice of every stored notice."""
    with Store(db) as store:
        rows = list(store.notices())
        assert store.count("notices") == len(rows)
    return {row.notice.url: row.notice for row in rows}


def field_mismatches(got: dict[str, Any], expected: dict[str, ReplicaNotice]) -> list[str]:
    """Every EXPECTED_FIELDS difference between stored notices and the replica's truth, by URL."""
    problems = []
    if set(got) != set(expected):
        problems.append(
            f"missing: {sorted(set(expected) - set(got))}; extra: {sorted(set(got) - set(expected))}"
        )
    for url in sorted(set(got) & set(expected)):
        notice, truth = got[url], expected[url]
        for name in EXPECTED_FIELDS:
            value = getattr(notice, name)
            value = list(value) if isinstance(value, tuple) else value
            if value != truth.expected[name]:
                problems.append(f"{url} {name}: got {value!r}, want {truth.expected[name]!r}")
        if not notice.body_text.strip():
            problems.append(f"{url}: empty body")
    return problems
