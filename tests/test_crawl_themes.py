"""The real spider and parser against NFCMS themes they were not written for (replica/themes.py).

One CLI crawl per theme, in a child process, of one column of a replica serving all three theme
sites on one host (so the "table" theme's 热点推荐 sidebar links real posts of another column).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.store.db import Store
from replica.model import Site
from replica.server import ReplicaServer
from replica.sites import build_theme_sites
from replica.themes import THEMES
from tests.helpers import replica_config, run_cli
from tests.kind_checks import field_mismatches

THEME_SITES = {site.theme: site.id for site in build_theme_sites()}


@pytest.fixture(scope="module")
def server() -> Iterator[ReplicaServer]:
    with ReplicaServer(build_theme_sites()) as srv:
        yield srv


@pytest.fixture(scope="module")
def crawls(server: ReplicaServer, tmp_path_factory: pytest.TempPathFactory):
    """Crawl each theme's column once (lazily), into a DB of its own.

    theme → (site, db, CLI output, paths the crawl requested)."""
    done: dict[str, tuple[Site, Path, subprocess.CompletedProcess[str], list[str]]] = {}

    def crawl(theme: str) -> tuple[Site, Path, subprocess.CompletedProcess[str], list[str]]:
        if theme not in done:
            site = server.site(THEME_SITES[theme])
            tmp = tmp_path_factory.mktemp(f"crawl_{theme}")
            config = tmp / "config.yaml"
            config.write_text(
                json.dumps(replica_config(server, [site]), ensure_ascii=False), encoding="utf-8"
            )
            db = tmp / "notices.db"
            before = len(server.requests)
            out = run_cli("crawl", "--config", config, "--db", db)
            done[theme] = (site, db, out, server.paths()[before:])
        return done[theme]

    return crawl


def test_every_new_theme_has_a_site() -> None:
    assert set(THEME_SITES) == set(THEMES) - {"wendang", "list"}
    assert len(THEME_SITES) >= 3


@pytest.mark.parametrize("theme", sorted(THEME_SITES))
def test_crawl_completes_without_problems(crawls, theme: str) -> None:
    site, db, out, _ = crawls(theme)
    assert out.returncode == 0, out.stderr
    with Store(db) as store:
        runs = list(store.rows("select * from runs"))
    assert [r["status"] for r in runs] == ["completed"]
    assert json.loads(runs[0]["problems"]) == []
    assert runs[0]["new"] == len(site.notices)


@pytest.mark.parametrize("theme", sorted(THEME_SITES))
def test_every_notice_is_stored_once_with_the_right_fields(server: ReplicaServer, crawls, theme: str) -> None:
    site, db, out, _ = crawls(theme)
    assert out.returncode == 0, out.stderr
    with Store(db) as store:
        rows = list(store.notices())
        assert store.count("notices") == len(rows)
    stored = {row.notice.url: row.notice for row in rows}
    assert len(stored) == len(rows), "a notice was stored twice"
    expected = {server.url(site.detail_url(n.post_id)): n for n in site.notices}
    assert field_mismatches(stored, expected) == []
    assert all(notice.source_id == f"replica_{site.id}" for notice in stored.values())
    assert all(len(notice.content_hash) == 64 for notice in stored.values())


@pytest.mark.parametrize("theme", sorted(THEME_SITES))
def test_no_chrome_in_the_stored_body(crawls, theme: str) -> None:
    """The body is the article only: no header line, counter, related news or footer text."""
    site, db, _, _ = crawls(theme)
    with Store(db) as store:
        bodies = {row.notice.url: row.notice.body_text for row in store.notices()}
    assert bodies
    for url, body in bodies.items():
        for chrome in ("发布时间", "浏览量", "字体", "相关新闻", "本网站", "主办单位", "热点推荐", "阅读"):
            assert chrome not in body, f"{url}: {chrome!r} leaked into body_text"


def test_table_sidebar_posts_of_another_column_are_not_stored(server: ReplicaServer, crawls) -> None:
    site, db, out, paths = crawls("table")
    assert out.returncode == 0, out.stderr
    other = next(s for s in server.sites if s is not site and s.notices)
    sidebar = {server.url(other.detail_url(n.post_id)) for n in other.newest_first()[:3]}
    with Store(db) as store:
        urls = {row.notice.url for row in store.notices()}
    assert urls and not urls & sidebar
    fetched = {p for p in paths if p.startswith(other.column)}
    assert not fetched, f"the table crawl fetched the other column's pages: {sorted(fetched)}"


def test_truncated_list_titles_do_not_reach_the_store(crawls) -> None:
    site, db, _, _ = crawls("table")
    with Store(db) as store:
        titles = {row.notice.title for row in store.notices()}
    assert titles == {n.title for n in site.notices}
    assert not any(t.endswith("…") for t in titles)
