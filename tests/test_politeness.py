"""Politeness: one slot per registered domain, loopback exempt, a pause after consecutive failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scrapy import Request

from crawler.politeness import LOOPBACK_SLOT, DomainSlots, is_loopback_url, registered_domain
from crawler.settings import CONCURRENT_REQUESTS_PER_DOMAIN, DOWNLOAD_DELAY, RETRY_TIMES, ROBOTSTXT_OBEY
from monitor.store.db import Store
from replica.faults import Fault
from replica.server import ReplicaServer
from replica.sites import build_demo_sites
from tests.helpers import replica_config, run_cli


def test_polite_defaults() -> None:
    assert ROBOTSTXT_OBEY and CONCURRENT_REQUESTS_PER_DOMAIN == 1
    assert DOWNLOAD_DELAY >= 8 and RETRY_TIMES <= 2


@pytest.mark.parametrize(
    "url, domain",
    [
        ("https://www.zhuhai.gov.cn/a", "zhuhai.gov.cn"),
        ("http://xxgk.zhuhai.gov.cn/b", "zhuhai.gov.cn"),
        ("https://www.hengqin.gov.cn/macao_zh_hans/", "hengqin.gov.cn"),
        ("https://www.ccdi.gov.cn/", "ccdi.gov.cn"),
        ("http://www.macaodaily.com/html/", "macaodaily.com"),
    ],
)
def test_registered_domain(url: str, domain: str) -> None:
    assert registered_domain(url) == domain


def test_subdomains_share_one_download_slot_and_loopback_has_its_own() -> None:
    middleware = DomainSlots()
    requests = [Request(u) for u in ("https://www.zhuhai.gov.cn/", "http://xxgk.zhuhai.gov.cn/", "http://127.0.0.1:9/")]
    for request in requests:
        middleware.process_request(request)
    assert [r.meta["download_slot"] for r in requests] == ["zhuhai.gov.cn", "zhuhai.gov.cn", LOOPBACK_SLOT]
    assert requests[2].meta["autothrottle_dont_adjust_delay"] is True
    assert "autothrottle_dont_adjust_delay" not in requests[0].meta
    assert is_loopback_url("http://localhost:8000/") and is_loopback_url("http://[::1]/")


def test_consecutive_failures_pause_the_domain_for_the_crawl(tmp_path: Path) -> None:
    sites = build_demo_sites()[:1]
    with ReplicaServer(sites) as server:
        site = server.sites[0]
        server.faults[f"{site.column}content/*"] = Fault(status=503)
        config = tmp_path / "config.yaml"
        config.write_text(json.dumps(replica_config(server, retries=1, pause_after_failures=3)), encoding="utf-8")
        run_cli("crawl", "--config", config, "--db", tmp_path / "p.db")
        paths = [r.path for r in server.requests]
    # Every detail page answers 503: the third in a row (list pages in between reset the count)
    # pauses the domain, and not one request follows — neither retries nor other notices.
    assert all("/content/" in p for p in paths[-3:])
    assert "/content/" not in paths[-4]
    assert len([p for p in paths if "/content/" in p]) < len(sites[0].notices) // 3
    with Store(tmp_path / "p.db") as store:
        [run] = list(store.rows("select problems from runs"))
    assert "paused: 3 consecutive failures (last: HTTP 503)" in run["problems"]


def test_offsite_redirects_are_refused(tmp_path: Path) -> None:
    """A detail page redirecting to another host is not followed (and the socket guard would fail
    the test if it were): the notice is reported, nothing off-site is requested."""
    with ReplicaServer(build_demo_sites()[:1]) as server:
        site = server.sites[0]
        victim = site.detail_url(site.newest_first()[0].post_id)
        server.faults[victim] = Fault(redirect="http://www.example.invalid/phish.html")
        config = tmp_path / "config.yaml"
        config.write_text(json.dumps(replica_config(server, max_pages=1)), encoding="utf-8")
        out = run_cli("crawl", "-v", "--config", config, "--db", tmp_path / "o.db")
        victim_url = server.url(victim)
    assert "NonLoopbackConnection" not in out.stderr
    with Store(tmp_path / "o.db") as store:
        urls = {row.notice.url for row in store.notices()}
        assert victim_url not in urls
        assert len(urls) == site.per_page - 1
        stats = json.loads(next(store.rows("select stats from runs"))["stats"])
    assert stats.get("offsite/filtered", 0) >= 1
