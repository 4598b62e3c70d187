"""Digests report what users watch: `digest.doc_types` (default: rectification notices and
inspection announcements), overridable per target; the other documents stay stored and searchable."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from crawler.notice import DOC_TYPES
from monitor.config.digest import DEFAULT_DOC_TYPES, DigestConfig, FileTarget, parse_digest_config
from monitor.config.errors import ConfigError
from monitor.digest.run import make_digest, send_digests
from monitor.store.db import Store
from tests.digest_scenario import GDJCT, NOW, build_store, item, notice

NEWS = "省委第三巡视组向汕头市反馈巡视情况"
ANNOUNCEMENT = "省委第十四巡视组进驻韶关市开展常规巡视"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = build_store(tmp_path / "digest.db")
    store.save_item(
        item(
            replace(notice(NEWS, GDJCT + "post_4512101.html", "gdjct_zgls"), doc_type="feedback_news"),
            "2024-10-04T01:00:00+00:00",
        )
    )
    store.save_item(
        item(
            replace(
                notice(ANNOUNCEMENT, GDJCT + "post_4512102.html", "gdjct_zgls"),
                doc_type="inspection_announcement",
            ),
            "2024-10-04T02:00:00+00:00",
        )
    )
    return store


def titles(digest) -> set[str]:
    return {i.notice.title for s in digest.sections for g in s.groups for i in g.items}


def test_the_default_reports_notices_and_announcements(store: Store) -> None:
    events = store.events(since="2024-10-01T00:00:00+00:00")
    digest = make_digest(store, events, NOW, DigestConfig())
    assert ANNOUNCEMENT in titles(digest) and NEWS not in titles(digest)
    assert any("整改进展情况的通报" in t for t in titles(digest))
    # The news event was considered, so it is not offered again; the notice stays stored.
    news_event = next(e for e in events if e.url.endswith("post_4512101.html"))
    assert news_event.id in digest.event_ids
    assert any(n.notice.title == NEWS for n in store.notices())


def test_doc_types_all_reports_everything(store: Store) -> None:
    events = store.events(since="2024-10-01T00:00:00+00:00")
    digest = make_digest(store, events, NOW, DigestConfig(doc_types=DOC_TYPES))
    assert {NEWS, ANNOUNCEMENT} <= titles(digest)


def test_a_target_overrides_the_digest_doc_types(store: Store, tmp_path: Path) -> None:
    news_desk = FileTarget("news-desk", tmp_path / "news.json", format="json", doc_types=("feedback_news",))
    archive = FileTarget("archive", tmp_path / "all.json", format="json")
    dconf = DigestConfig(targets=(news_desk, archive))
    outcomes = send_digests(store, dconf, NOW, since="2024-10-01T00:00:00+00:00")
    assert {o.target: o.status for o in outcomes} == {"news-desk": "delivered", "archive": "delivered"}
    news = (tmp_path / "news.json").read_text(encoding="utf-8")
    everything = (tmp_path / "all.json").read_text(encoding="utf-8")
    assert NEWS in news and ANNOUNCEMENT not in news
    assert NEWS not in everything and ANNOUNCEMENT in everything
    json.loads(news)


def test_only_unwatched_events_make_no_digest(tmp_path: Path) -> None:
    store = Store(tmp_path / "news.db")
    store.sync_source("s", "s", "nfcms", ["https://example.invalid/"])
    store.save_item(item(replace(notice(NEWS, GDJCT + "post_1.html", "s"), doc_type="news"), NOW.isoformat()))
    target = FileTarget("archive", tmp_path / "d.json", format="json")
    [outcome] = send_digests(store, DigestConfig(targets=(target,)), NOW)
    assert outcome.status == "skipped" and not (tmp_path / "d.json").exists()


def test_config_parsing() -> None:
    assert parse_digest_config({}, "digest").doc_types == DEFAULT_DOC_TYPES
    dconf = parse_digest_config(
        {
            "doc_types": ["rectification_notice"],
            "targets": [
                {"id": "a", "type": "file", "path": "/tmp/a.md", "format": "md", "doc_types": "all"},
                {"id": "b", "type": "file", "path": "/tmp/b.md", "format": "md"},
            ],
        },
        "digest",
    )
    assert dconf.doc_types == ("rectification_notice",)
    assert dconf.doc_types_for(dconf.target("a")) == DOC_TYPES
    assert dconf.doc_types_for(dconf.target("b")) == ("rectification_notice",)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"doc_types": ["notice"]},
            r"digest: doc_types: unknown document type 'notice' \(valid: rectification_notice",
        ),
        ({"doc_types": []}, r"digest: doc_types: expected a list of document types"),
        (
            {"targets": [{"id": "a", "type": "file", "path": "/tmp/a", "doc_types": ["x"]}]},
            r"digest: targets\[a\]: doc_types: unknown document type 'x'",
        ),
    ],
)
def test_bad_doc_types_are_named(data: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_digest_config(data, "digest")
