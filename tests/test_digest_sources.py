"""Sources with problems: from the latest crawl run, the daemon's paused domains, and silence."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.digest.sources import SourceFacts, read_source_facts, source_problems
from monitor.store.db import Store

NOW = datetime(2024, 10, 8, 2, 0, tzinfo=UTC)
RECENT = "2024-10-08T01:00:00+00:00"


def facts(status: str = "completed", problems: list[str] | None = None, last_success: str | None = RECENT,
          newest: str | None = RECENT, pause: dict | None = None) -> SourceFacts:
    run = {"status": status, "started_at": RECENT, "problems": json.dumps(problems or [])}
    return SourceFacts("zgls", "整改落实", "2024-01-01T00:00:00+00:00", run, last_success, newest, pause)


@pytest.mark.parametrize(
    ("fact", "kinds"),
    [
        (facts(), []),
        (facts("failed", ["list_empty: no detail links on the first list page (https://x/index.html)"]), ["list_empty"]),
        (facts("failed", ["list_missing: the first list page is 404 (https://x/)"]), ["list_missing"]),
        (facts("failed", ["blocked: 521 anti-bot page (https://x/)", "paused: x.gov.cn paused (https://x/)"]),
         ["blocked", "paused"]),
        (facts("aborted", []), ["failing"]),
        (facts("completed", ["list_page_failed: HTTP 500 (https://x/index_3.html)"]), ["list_page_failed"]),
        (facts(last_success="2024-09-01T00:00:00+00:00"), ["silent"]),
        (facts(newest="2024-08-01T00:00:00+00:00"), ["quiet"]),
        (facts(last_success=None), ["silent"]),
        (facts(pause={"domain": "zhuhai.gov.cn", "paused_until": "2024-10-08T08:00:00+00:00", "reason": "412"}),
         ["blocked"]),
    ],
)
def test_problem_kinds(fact: SourceFacts, kinds: list[str]) -> None:
    found = source_problems([fact], NOW, silent_after_days=14)
    assert [p.kind for p in found] == kinds
    assert all(p.hint and "\n" not in p.detail for p in found)


def test_hint_names_the_source_command() -> None:
    [p] = source_problems([facts("failed", ["list_empty: no links (https://x/)"])], NOW, 14)
    assert "`noticewatch sources check zgls`" in p.hint
    assert p.detail == "no links (https://x/)"


def test_reads_runs_and_daemon_pauses(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        store.sync_source("zgls", "整改落实", "nfcms", ["https://x/"])
        run = store.start_run("zgls")
        store.finish_run(run, "failed", 1, ["list_empty: no links (https://x/)"], {})
        recheck = store.start_run("zgls", mode="recheck")  # re-check runs do not count as crawls
        store.finish_run(recheck, "completed", 1, [], {})
        if "domain_pauses" in store.db.table_names():
            store.db["domain_pauses"].insert({"domain": "x", "paused_at": RECENT, "source_id": "zgls",
                                              "paused_until": "2099-01-01T00:00:00+00:00", "reason": "412"})
        [fact] = read_source_facts(store, datetime.now(UTC))
        assert fact.last_run is not None and fact.last_run["status"] == "failed"
        kinds = [p.kind for p in source_problems([fact], datetime.now(UTC), 14)]
        assert "list_empty" in kinds
        if "domain_pauses" in store.db.table_names():
            assert kinds[0] == "blocked"
