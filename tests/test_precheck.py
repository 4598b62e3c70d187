"""The no-change check before a crawl (monitor/crawl/precheck.py), against the replica on loopback:
one conditional request per unchanged source, robots.txt cached with its expiry, and never a skip
that would lose anything (a changed list, a changed config, a run with a failed detail page)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crawler.source import SourceSpec
from monitor.config.loader import Defaults
from monitor.crawl.precheck import CrawlCapture, Prechecks, robots_max_age, spec_fingerprint
from monitor.crawl.runner import crawl_settings, source_settings
from monitor.store.checks import ListValidators
from monitor.store.db import Store
from replica.city_portal import build_city_portal
from replica.faults import fault
from replica.mutations import next_notice, publish
from replica.server import ReplicaServer
from replica.sites import build_demo_sites
from tests.helpers import replica_config, run_cli


def crawl(server: ReplicaServer, tmp: Path, **source: Any) -> tuple[list[str], dict[str, Any]]:
    """`noticewatch crawl` of the one source in tmp/config.yaml; (paths requested, its last run)."""
    config = json.loads((tmp / "config.yaml").read_text(encoding="utf-8"))
    config["sources"][0].update(source)
    (tmp / "config.yaml").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    before = len(server.requests)
    out = run_cli("crawl", "--config", tmp / "config.yaml", "--db", tmp / "notices.db")
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
    with Store(tmp / "notices.db") as store:
        run = next(store.rows("select * from runs order by id desc limit 1"))
    return server.paths()[before:], run


def setup(server: ReplicaServer, tmp: Path, site_id: str) -> Any:
    site = server.site(site_id)
    (tmp / "config.yaml").write_text(json.dumps(replica_config(server, [site])), encoding="utf-8")
    return site


@pytest.fixture
def demo() -> Iterator[ReplicaServer]:
    with ReplicaServer(build_demo_sites()) as server:
        yield server


def test_an_unchanged_list_costs_one_conditional_request_and_robots_is_cached(demo, tmp_path: Path) -> None:
    site = setup(demo, tmp_path, "zhuhai_xsxc")
    first, run = crawl(demo, tmp_path)
    assert "/robots.txt" in first and run["mode"] == "full" and run["new"] == len(site.notices)
    # The list answers 304 to the validators the first crawl kept; robots.txt comes from the store.
    second, run = crawl(demo, tmp_path)
    assert second == [site.list_url(1)]
    assert (run["mode"], run["status"], run["requests"], run["pages"]) == ("check", "completed", 1, 0)
    assert json.loads(run["stats"])["noticewatch/check"] == "304" and json.loads(run["problems"]) == []
    # Past its expiry, robots.txt is asked again (then cached again).
    with Store(tmp_path / "notices.db") as store:
        store.db.execute("update robots_cache set expires_at = '2000-01-01T00:00:00+00:00'")
    third, run = crawl(demo, tmp_path)
    assert third == ["/robots.txt", site.list_url(1)] and (run["mode"], run["requests"]) == ("check", 2)
    with Store(tmp_path / "notices.db") as store:
        [cached] = store.rows("select * from robots_cache")
    assert cached["expires_at"] > datetime.now(UTC).isoformat() and "Disallow: /private/" in cached["rules"]
    # Another config (here: max_pages) is never skipped: the crawl runs, and keeps new validators.
    fourth, run = crawl(demo, tmp_path, max_pages=9)
    assert run["mode"] == "incremental" and site.list_url(1) in fourth
    with Store(tmp_path / "notices.db") as store:
        assert store.count("notices") == len(site.notices) and store.count("events") == len(site.notices)


class NoValidators(ReplicaServer):
    """A server that sends neither ETag nor Last-Modified (so never a 304)."""

    def respond(self, *args: Any, **kwargs: Any) -> Any:
        response = super().respond(*args, **kwargs)
        kept = tuple(h for h in response.headers if h[0].lower() not in ("etag", "last-modified"))
        return replace(response, headers=kept)


def test_a_failed_detail_page_then_the_same_body_then_a_new_notice(tmp_path: Path) -> None:
    """On a server without validators: a run with a failed detail page keeps none (the next crawl
    runs and fetches the page); then the same body is "not modified"; a new notice is crawled."""
    with NoValidators(build_demo_sites()) as server:
        site = setup(server, tmp_path, "zhuhai_xsxc")
        broken = site.newest_first()[0]
        site.detail_faults[broken.post_id] = fault("http_503")
        _, run = crawl(server, tmp_path)
        assert run["status"] == "completed" and json.loads(run["problems"])  # the page failed: no validators
        del site.detail_faults[broken.post_id]
        paths, run = crawl(server, tmp_path)  # the list is unchanged, yet the crawl runs and fetches it
        assert run["mode"] == "incremental" and site.detail_url(broken.post_id) in paths and run["new"] == 1
        same, run = crawl(server, tmp_path)
        assert same == [site.list_url(1)]
        assert (run["mode"], run["pages"], json.loads(run["stats"])["noticewatch/check"]) == ("check", 1, "same body")
        new = publish(site, next_notice(site))
        changed, run = crawl(server, tmp_path)
        assert run["mode"] == "incremental" and run["new"] == 1
        assert site.detail_url(new.post_id) in changed
        with Store(tmp_path / "notices.db") as store:
            assert store.count("notices") == len(site.notices)
            assert store.find_notice(server.url(site.detail_url(new.post_id))) is not None


def test_the_nfcms_column_json_is_the_one_request(tmp_path: Path) -> None:
    with ReplicaServer(build_city_portal()) as server:
        site = server.site("city_xczg")  # its list page names column 30003
        (tmp_path / "config.yaml").write_text(json.dumps(replica_config(server, [site])), encoding="utf-8")
        first, _ = crawl(server, tmp_path)
        assert "/postmeta/i/30003.json" in first
        second, run = crawl(server, tmp_path)
        assert second == ["/postmeta/i/30003.json"] and (run["mode"], run["requests"]) == ("check", 1)


# -- in-process: the pieces --------------------------------------------------------------------

def test_robots_expiry_follows_cache_control_up_to_a_day() -> None:
    assert robots_max_age(None) == 24 * 3600
    assert robots_max_age("public, max-age=600") == 600
    assert robots_max_age("max-age=999999") == 24 * 3600
    assert robots_max_age("no-cache") == 0 and robots_max_age("no-store, max-age=60") == 0


def test_the_fingerprint_covers_what_a_crawl_reads() -> None:
    spec = SourceSpec("s", "nfcms", ("http://127.0.0.1/a/index.html",), max_pages=3)
    same = SourceSpec("s", "nfcms", ("http://127.0.0.1/a/index.html",), max_pages=3, download_delay=2)
    assert spec_fingerprint(spec) == spec_fingerprint(same)  # politeness does not change what is read
    for other in (replace(spec, max_pages=4), replace(spec, options={"keywords": ("巡察",)}),
                  replace(spec, start_urls=("http://127.0.0.1/b/index.html",)), replace(spec, kind="trs"),
                  replace(spec, selectors={"list": "ul.list"})):
        assert spec_fingerprint(other) != spec_fingerprint(spec)


def test_source_settings_are_built_once_per_override_set() -> None:
    base = crawl_settings(Defaults(download_delay=0, retries=0), None)
    plain = SourceSpec("a", "nfcms", ("http://127.0.0.1/",))
    slow = replace(plain, id="b", download_delay=5.0)
    assert source_settings(base, plain) is base
    assert source_settings(base, slow) is source_settings(base, replace(slow, id="c"))
    assert source_settings(base, slow).getfloat("DOWNLOAD_DELAY") == 5.0 and base.getfloat("DOWNLOAD_DELAY") == 0


@pytest.fixture
def checks(tmp_path: Path) -> Iterator[Prechecks]:
    clock = [datetime(2026, 1, 1, tzinfo=UTC)]
    settings = crawl_settings(Defaults(download_delay=0, retries=0), tmp_path / "n.db")
    prechecks = Prechecks(Store(tmp_path / "n.db"), settings, now=lambda: clock[0])
    prechecks.clock = clock  # type: ignore[attr-defined]
    yield prechecks
    prechecks.store.close()


def test_a_robots_txt_that_disallows_everything_is_not_cached(checks: Prechecks) -> None:
    assert checks.remember_robots("http://127.0.0.1:80", 503, b"oops", None) is None
    assert checks.remember_robots("http://127.0.0.1:81", 429, b"", None) is None
    assert checks.remember_robots("http://127.0.0.1:82", 404, b"", None) is not None  # 4xx: allow all
    assert [r["origin"] for r in checks.store.rows("select origin from robots_cache")] == ["http://127.0.0.1:82"]
    # The injected clock decides freshness.
    assert checks.store.cached_robots("http://127.0.0.1:82", "2026-01-01T23:59:00+00:00") is not None
    later = (checks.clock[0] + timedelta(hours=24, seconds=1)).isoformat()  # type: ignore[attr-defined]
    assert checks.store.cached_robots("http://127.0.0.1:82", later) is None


@pytest.mark.parametrize("status, problems, stats", [
    ("failed", [], {}), ("aborted", [], {}), ("completed", ["detail_failed: HTTP 503 (…)"], {}),
    ("completed", [], {"source/items/filtered_out": 2}), ("completed", [], {"source/items/over_budget": 1}),
])
def test_validators_are_forgotten_after_a_run_that_was_not_clean(
    checks: Prechecks, status: str, problems: list[str], stats: dict[str, int]
) -> None:
    spec = SourceSpec("s", "nfcms", ("http://127.0.0.1:9/a/index.html",))
    store = checks.store
    store.sync_source("s", "s", "nfcms", spec.start_urls)
    store.save_list_validators(ListValidators("s", spec_fingerprint(spec), spec.start_urls[0], '"e"', None, "h"), None)
    capture = CrawlCapture()
    capture.lists[spec.start_urls[0]] = ('"f"', None, "h2")
    clean = store.start_run("s")
    store.finish_run(clean, "completed", 1, [], {})
    checks.after_crawl(spec, {}, capture, clean)
    assert store.list_validators("s").etag == '"f"'  # type: ignore[union-attr]
    run = store.start_run("s")
    store.finish_run(run, status, 1, problems, stats)
    checks.after_crawl(spec, stats, capture, run)
    assert store.list_validators("s") is None


def test_an_oversized_robots_txt_is_read_for_its_first_500_kib_by_the_check(demo, tmp_path: Path) -> None:
    """As the crawl and re-checks read it (RFC 9309 2.5): rules at the top of a 12 MB robots.txt hold,
    and the rest is neither downloaded nor a reason to skip the check."""
    from replica.faults import Fault

    site = setup(demo, tmp_path, "zhuhai_xsxc")
    crawl(demo, tmp_path)
    with Store(tmp_path / "notices.db") as store:
        store.db.execute("delete from robots_cache")
    demo.faults["/robots.txt"] = Fault(body=b"User-agent: *\nDisallow: /private/\n" + b"# padding\n" * 1_200_000,
                                       content_type="text/plain")
    second, run = crawl(demo, tmp_path)
    assert second == ["/robots.txt", site.list_url(1)]
    assert (run["mode"], run["requests"]) == ("check", 2) and json.loads(run["stats"])["noticewatch/check"] == "304"
