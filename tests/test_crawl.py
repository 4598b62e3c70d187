"""The spine end to end: config → real spider → parser → SQLite, against the replica on loopback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.store.db import Store
from replica.faults import Fault
from replica.server import ReplicaServer
from replica.sites import build_demo_sites
from tests.helpers import load_json_lines, replica_config, run_cli
from tests.kind_checks import field_mismatches


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory):
    """One replica, crawled twice into one DB; yields (server, db, config, first, second run)."""
    tmp = tmp_path_factory.mktemp("crawl")
    with ReplicaServer(build_demo_sites()) as server:
        config = tmp / "config.yaml"
        config.write_text(json.dumps(replica_config(server), ensure_ascii=False), encoding="utf-8")
        db = tmp / "notices.db"
        first = run_cli("crawl", "--config", config, "--db", db)
        requests_first = list(server.requests)
        server.clear_requests()
        second = run_cli("crawl", "--config", config, "--db", db)
        requests_second = list(server.requests)
        third = run_cli("crawl", "--full", "--config", config, "--db", db)
        yield server, db, config, first, second, requests_first, requests_second, third


def test_crawl_succeeds_with_a_summary(crawled) -> None:
    server, db, config, first, *_ = crawled
    assert first.returncode == 0, first.stderr
    assert "crawl summary" in first.stdout
    for site in server.sites:
        assert f"replica_{site.id}" in first.stdout


def test_every_notice_is_stored_once_with_the_right_fields(crawled) -> None:
    server, db, *_ = crawled
    with Store(db) as store:
        stored = {row.notice.url: row.notice for row in store.notices()}
    expected = {server.url(site.detail_url(n.post_id)): n for site in server.sites for n in site.notices}
    assert field_mismatches(stored, expected) == []
    sources = {server.url(site.detail_url(n.post_id)): f"replica_{site.id}" for site in server.sites for n in site.notices}
    assert {url: notice.source_id for url, notice in stored.items()} == sources
    assert all(len(notice.content_hash) == 64 for notice in stored.values())


def test_recrawls_add_nothing(crawled) -> None:
    """An incremental re-crawl reads page 1 of each list only; a --full one re-reads every notice."""
    server, db, _, first, second, requests_first, requests_second, third = crawled
    assert second.returncode == 0, second.stderr
    assert third.returncode == 0, third.stderr
    total = sum(len(site.notices) for site in server.sites)
    with Store(db) as store:
        assert store.count("notices") == total
        assert store.count("notice_versions") == total
        assert store.count("events") == total  # one "new" each, nothing from the re-crawls
        runs = list(store.rows("select * from runs order by id"))
    assert [r["status"] for r in runs] == ["completed"] * 6
    # The first crawl knows nothing, so reads everything: recorded as full (the daemon's weekly sweep
    # counts from it). The second is the no-change check (monitor/crawl/precheck.py): mode "check".
    assert [r["mode"] for r in runs] == ["full"] * 2 + ["check"] * 2 + ["full"] * 2
    first_runs, second_runs, full_runs = runs[:2], runs[2:4], runs[4:]
    assert sum(r["new"] for r in first_runs) == total
    assert sum(r["new"] + r["changed"] + r["unchanged"] for r in second_runs) == 0
    assert sum(r["unchanged"] for r in full_runs) == total
    assert all(json.loads(r["problems"]) == [] for r in runs)
    second_paths = sorted(r.path for r in requests_second)
    # Each source's check is one conditional request for its first list page (robots.txt cached).
    assert second_paths == sorted(site.list_url(1) for site in server.sites)
    assert len(requests_second) * 10 < len(requests_first)


def test_crawl_is_polite(crawled) -> None:
    server, _, _, _, _, requests, *_ = crawled
    paths = [r.path for r in requests]
    assert "/robots.txt" in paths
    assert not any(p.startswith("/private/") for p in paths), "robots.txt Disallow was ignored"
    assert all(r.user_agent.startswith("noticewatch/") for r in requests)
    details = [p for p in paths if "/content/post_" in p]
    assert len(details) == len(set(details)), "a detail page was fetched twice in one crawl"
    for site in server.sites:
        past_end = site.list_url(site.page_count() + 1)
        assert paths.count(past_end) <= 1
        assert site.list_url(site.page_count() + 2) not in paths


def test_notices_list_and_show(crawled) -> None:
    server, db, *_ = crawled
    listed = run_cli("notices", "list", "--db", db, "--json")
    assert listed.returncode == 0, listed.stderr
    rows = load_json_lines(listed.stdout)
    assert len(rows) == sum(len(site.notices) for site in server.sites)
    hengqin = next(r for r in rows if r["title"] == "中共广东省委横琴工委关于巡视整改进展情况的通报")
    assert hengqin["disclosure_end"] == "2024-10-25"
    shown = run_cli("notices", "show", str(hengqin["id"]), "--db", db, "--json")
    assert json.loads(shown.stdout)["inspection_team"] == "省委第十巡视组"
    by_url = run_cli("notices", "show", hengqin["url"], "--db", db)
    assert "省委横琴工委" in by_url.stdout and "0756-8938790" in by_url.stdout
    table = run_cli("notices", "list", "--db", db, "--source", "replica_zhuhai_xsxc")
    assert table.returncode == 0 and "notice(s)" in table.stdout
    missing = run_cli("notices", "show", "99999", "--db", db)
    assert missing.returncode == 1 and "no stored notice" in missing.stderr


def test_sources_check_is_a_dry_run(replica_server, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(json.dumps(replica_config(replica_server)), encoding="utf-8")
    db = tmp_path / "never.db"
    out = run_cli("sources", "check", "replica_gdjct_zgls", "--config", config, "--db", db)
    assert out.returncode == 0, out.stderr
    assert "not stored" in out.stdout and "省委" in out.stdout
    assert not db.exists()


def test_max_pages_limits_list_pages(replica_server, tmp_path: Path) -> None:
    site = replica_server.site("gdjct_zgls")
    config = tmp_path / "config.yaml"
    config.write_text(json.dumps(replica_config(replica_server, [site], max_pages=1)), encoding="utf-8")
    out = run_cli("crawl", "--config", config, "--db", tmp_path / "x.db")
    assert out.returncode == 0, out.stderr
    with Store(tmp_path / "x.db") as store:
        assert store.count("notices") == site.per_page


def test_another_host_and_column_work_without_code_changes(tmp_path: Path) -> None:
    """A source pointed at another base URL, another column and the other list theme."""
    sites = build_demo_sites()
    other = sites[1]
    other.column = "/gkmlpt/xxgk/zgls/"
    other.theme = "wendang" if other.theme == "list" else "list"
    with ReplicaServer([other], host="127.0.0.2") as server:
        config = tmp_path / "config.yaml"
        config.write_text(json.dumps(replica_config(server)), encoding="utf-8")
        out = run_cli("crawl", "--config", config, "--db", tmp_path / "o.db")
        assert out.returncode == 0, out.stderr
        with Store(tmp_path / "o.db") as store:
            urls = {row.notice.url for row in store.notices()}
        assert urls == {server.url(other.detail_url(n.post_id)) for n in other.notices}


def test_failing_first_list_page_is_a_failed_run_not_an_empty_success(tmp_path: Path) -> None:
    with ReplicaServer(build_demo_sites()[:1]) as server:
        site = server.sites[0]
        server.faults[site.list_url(1)] = Fault(status=503)
        config = tmp_path / "config.yaml"
        config.write_text(json.dumps(replica_config(server)), encoding="utf-8")
        out = run_cli("crawl", "--config", config, "--db", tmp_path / "f.db")
    assert out.returncode == 1
    assert "did not complete" in out.stderr
    assert "HTTP 503" in out.stdout
    with Store(tmp_path / "f.db") as store:
        [run] = list(store.rows("select * from runs"))
        assert run["status"] == "failed"
        assert "HTTP 503" in run["problems"]
        assert store.count("notices") == 0
