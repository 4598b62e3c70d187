"""Scraped text is printed as text by the terminal commands: rich markup in a title or body is neither
interpreted nor able to crash a table ("[/bold]" closing a tag nobody opened)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.items import NoticeItem
from crawler.notice import Notice
from monitor.store.db import Store
from tests.helpers import run_cli

TITLE = "[/bold][red]中共某县委[/red]关于巡察整改进展情况的通报[link=https://evil.invalid]x[/link]"
BODY = "[/]正文[bold]公开期限[/bold]。"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile-cli") / "store.db"
    notice = Notice(doc_type="rectification_notice", title=TITLE, url="https://example.invalid/post_1.html",
                    source_id="s", inspected_org="[/i]某县委", body_text=BODY,
                    content_hash=hashlib.sha256(BODY.encode()).hexdigest(), disclosure_end="2099-01-01")
    with Store(path) as store:
        store.sync_source("s", "[bold]source", "nfcms", ["https://example.invalid/"])
        store.save_item(NoticeItem("s", notice.url or "", notice, datetime.now(UTC).isoformat(), "0" * 64))
    return path


@pytest.mark.parametrize("args", [["notices", "list"], ["notices", "show", "1"], ["history", "1"],
                                  ["history", "1", "--version", "1"], ["search", "整改"], ["events"]])
def test_markup_in_scraped_text_prints_literally(db: Path, args: list[str]) -> None:
    out = run_cli(*args, "--db", db)
    assert out.returncode == 0, out.stderr
    flat = "".join(out.stdout.split())
    assert "[/bold][red]中共某县委" in flat or "[/bold][red]中共某县委" in out.stdout.replace("│", ""), out.stdout
