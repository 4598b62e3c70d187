"""Hostile servers (issue 19), beyond the per-URL fault catalogue (tests/test_faults.py): robots.txt
that fails or is huge, redirects to another port of the portal, a dripping server, inflation bombs,
a column under /passport/, short notices in templates that set cookies from script, runaway nesting.
Each is a class of trouble: the crawl and the re-check must agree, and say what happened."""

from __future__ import annotations

import asyncio
import gzip
import json
import time
import tracemalloc
from pathlib import Path

import brotli
import pytest

from crawler.challenge import detect_challenge
from crawler.detail_page import Failed, Readable, judge, non_html_format
from crawler.links import canonical_entries, canonical_url, is_web_url
from crawler.parser import parse_html
from crawler.robots import DISALLOW_ALL, PARSE_LIMIT, robots_rules
from monitor.config.loader import load_config
from monitor.crawl.download import BadEncoding, Inflater, TooLarge
from monitor.crawl.recheck import recheck
from monitor.store.db import Store
from replica.content import seed_notices
from replica.faults import COOKIE_SCRIPT, Fault
from replica.model import Site
from replica.server import ReplicaServer
from tests.helpers import run_cli

DETAIL = "http://www.example.gov.cn/xunshizgls/content/post_1.html"


# -- pure rules -----------------------------------------------------------------------------------


def test_a_cookie_script_is_a_challenge_only_on_an_empty_page_that_reloads() -> None:
    short_notice = ("<html><head>" + COOKIE_SCRIPT.decode() + "</head><body><div id=zoomcon>"
                    "<p>中共珠海市金湾区委关于巡察整改进展情况的通报。公开期限:2024年9月26日至10月25日。</p>"
                    "</div></body></html>")
    assert detect_challenge(200, DETAIL, short_notice) is None
    assert isinstance(judge(200, DETAIL, short_notice.encode(), "text/html"), Readable)
    challenge = "<html><script>document.cookie='a=1';location.reload()</script><body></body></html>"
    assert detect_challenge(200, DETAIL, challenge) == "JavaScript cookie challenge"
    assert detect_challenge(200, DETAIL, "<script>document.cookie='x=1'</script>") is None  # sets, never reloads


@pytest.mark.parametrize("column", ["/passport/zgls/", "/sso/tzgg/", "/cas/", "/login_notices/"])
def test_a_login_looking_path_is_no_login_without_a_redirect(column: str) -> None:
    url = f"http://www.example.gov.cn{column}content/post_1.html"
    assert detect_challenge(200, url, "<p>通报</p>") is None
    assert detect_challenge(200, url, "<p>通报</p>", redirected_from=url.replace("post_1", "post_2")) is None
    login = "http://www.example.gov.cn/sso/login.jsp?goto=x"
    assert detect_challenge(200, login, "<form>", redirected_from=url) == "redirected to a login page"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"%PDF-1.4\n1 0 obj << >> endobj\n", "application/pdf"), (b"%PDF-1.4\nBT (x) Tj ET\n", "text/html"),
     (b"PK\x03\x04docx", "application/octet-stream"), (b'{"a": 1}', "application/json"),
     (b"\x89PNG\r\n\x1a\n....", "image/png"), (b"just words, no markup", "text/plain")],
)
def test_a_non_html_answer_is_not_html_never_a_notice(body: bytes, content_type: str) -> None:
    verdict = judge(200, DETAIL, body, content_type)
    assert isinstance(verdict, Failed) and (verdict.kind, verdict.problem) == ("error", "not_html"), verdict
    assert non_html_format(b"<html><body>x</body></html>", "text/html; charset=utf-8") is None


@pytest.mark.parametrize("depth", [300, 1000, 3000, 20000])
@pytest.mark.parametrize("tag", ["div", "blockquote", "x-wrap"])
def test_an_article_nested_past_libxml2s_depth_keeps_its_body(depth: int, tag: str) -> None:
    body = "<p>中共珠海市金湾区委关于巡察整改进展情况的通报。</p><p>联系电话:0756-7263766。</p>"
    page = "<html><head><title>t</title></head><body>{}" + body + "{}</body></html>"
    shallow = parse_html(page.format(f"<{tag}>", f"</{tag}>"), DETAIL)
    start = time.perf_counter()
    deep = parse_html(page.format(f"<{tag}>" * depth, f"</{tag}>" * depth), DETAIL)
    assert time.perf_counter() - start < 2
    assert "巡察整改进展情况的通报" in deep.body_text
    assert (deep.body_text, deep.phones, deep.doc_type) == (shallow.body_text, shallow.phones, shallow.doc_type)


def test_list_links_are_canonical_once_each_and_web_only() -> None:
    by_path = lambda url: "/content/post_" in url  # noqa: E731 - the kind's detail pattern
    entries = [
        ("http://h/c/content/post_5.html?from=index&t=1#top", "通报", None),
        ("http://h/c/content/post_5.html", "更多", "2024-09-26"),
        ("ftp://h/c/content/post_6.html", "附件", None),
        ("http://[::1/c/content/post_7.html", "坏链接", None),
        ("mailto:jw@zhuhai.gov.cn", None, None),
        ("http://h/c/view.jsp?id=8&from=x", "查看", None),
    ]
    kept, dropped = canonical_entries(entries, by_path)
    assert kept == [("http://h/c/content/post_5.html", "通报", "2024-09-26"), ("http://h/c/view.jsp?id=8&from=x", "查看", None)]
    assert dropped == 4
    assert canonical_url("http://h/view.jsp?id=8#x", by_path) == "http://h/view.jsp?id=8"
    assert not is_web_url("ftp://h/x") and not is_web_url("http://[::1") and is_web_url("https://h/x")


@pytest.mark.parametrize(
    ("status", "allowed"), [(200, None), (404, None), (410, None), (429, "HTTP 429"), (500, "HTTP 500"), (503, "HTTP 503")]
)
def test_robots_txt_status_rules_follow_rfc_9309(status: int, allowed: str | None) -> None:
    body, why = robots_rules(status, b"User-agent: *\nDisallow: /private/\n")
    if allowed is None:
        assert why is None and body != DISALLOW_ALL
    else:
        assert body == DISALLOW_ALL and allowed in why


def test_an_oversized_robots_txt_is_read_for_its_first_500_kib() -> None:
    rules = b"User-agent: *\nDisallow: /xunshizgls/content/\n" + b"# padding\n" * (PARSE_LIMIT // 5)
    body, why = robots_rules(200, rules + b"Disallow: /late/\n")
    assert why is None and len(body) <= PARSE_LIMIT and body.startswith(b"User-agent") and b"/late/" not in body


def test_inflating_is_bounded_at_every_stage_of_stacked_encodings() -> None:
    big = b"<p>" + b" " * (64 * 1024 * 1024) + b"</p>"
    bombs = {"gzip, gzip": gzip.compress(gzip.compress(big, 6), 9), "br": brotli.compress(big, quality=4),
             "gzip, br": brotli.compress(gzip.compress(big, 6))}
    for encoding, raw in bombs.items():
        tracemalloc.start()
        inflater = Inflater(encoding, 1024 * 1024)
        with pytest.raises(TooLarge):
            for at in range(0, len(raw), 16384):
                inflater.feed(raw[at : at + 16384])
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 16 * 1024 * 1024, (encoding, peak)
    assert Inflater("gzip, br", 100).feed(brotli.compress(gzip.compress(b"<p>ok</p>"))) == b"<p>ok</p>"
    with pytest.raises(BadEncoding):
        Inflater("compress", 100)
    with pytest.raises(BadEncoding):
        Inflater("gzip", 100).feed(b"not gzip at all")


# -- crawls and re-checks on the replica ----------------------------------------------------------


class Portal:
    """One replica column crawled into a DB; faults put on it afterwards."""

    def __init__(self, server: ReplicaServer, tmp: Path, timeout: int = 2):
        self.server = server
        self.site = server.sites[0]
        self.config = tmp / "config.yaml"
        self.config.write_text(json.dumps({
            "defaults": {"download_delay": 0, "retries": 0, "timeout": timeout, "removal_after_failures": 3},
            "sources": [{"id": "zgls", "kind": "nfcms", "start_urls": [server.url(self.site.list_url(1))]}],
        }), encoding="utf-8")
        self.db = tmp / "nw.db"

    def crawl(self, *extra: str):  # noqa: ANN201
        return run_cli("crawl", *extra, "--config", self.config, "--db", self.db, timeout=120)

    def last_run(self) -> dict:
        with Store(self.db) as store:
            row = next(store.rows("select * from runs order by id desc limit 1"))
        return {**row, "problems": json.loads(row["problems"] or "[]")}

    def recheck(self) -> tuple[list[str], dict[str, tuple[str, int]]]:
        config = load_config(self.config)
        with Store(self.db, removal_after=3) as store:
            [result] = asyncio.run(recheck(config, config.sources, store, everything=True))
            state = {s.notice.url: (s.status, s.consecutive_failures) for s in store.notices()}
        return result.problems, state

    def detail(self, index: int = 0) -> str:
        return self.site.detail_url(self.site.newest_first()[index].post_id)


def _site(column: str = "/xunshizgls/") -> Site:
    return Site(id="zgls", column=column, theme="wendang", per_page=10, site_name="南粤清风网",
                column_name="整改落实", notices=seed_notices())


@pytest.fixture()
def portal(tmp_path: Path):
    with ReplicaServer([_site()]) as server:
        lab = Portal(server, tmp_path)
        out = lab.crawl()
        assert out.returncode == 0, out.stderr
        yield lab


@pytest.mark.parametrize("status", [500, 503])
def test_robots_txt_answering_5xx_disallows_crawl_and_recheck(portal: Portal, status: int) -> None:
    portal.server.faults["/robots.txt"] = Fault(status=status)
    # An incremental crawl would go by the robots.txt cached from the portal's first crawl (RFC 9309
    # 2.4: up to 24 h; tests/test_precheck.py) and not ask again: a full crawl reads it afresh.
    out = portal.crawl("--full")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    run = portal.last_run()
    assert run["status"] == "failed" and any(f"robots.txt answered HTTP {status}" in p for p in run["problems"])
    problems, state = portal.recheck()
    assert problems and all(f"robots.txt answered HTTP {status}" in p for p in problems)
    assert all(v == ("active", 0) for v in state.values())  # refused, never counted as removal


def test_an_oversized_robots_txt_is_obeyed_for_its_first_500_kib(portal: Portal) -> None:
    column = portal.site.column
    rules = f"User-agent: *\nDisallow: {column}content/\n".encode() + b"# padding\n" * (1_200_000)  # 12 MB
    portal.server.faults["/robots.txt"] = Fault(body=rules, content_type="text/plain")
    out = portal.crawl("--full")
    run = portal.last_run()
    assert "Traceback" not in out.stderr
    assert any("Forbidden by robots.txt" in p for p in run["problems"]), run["problems"]
    problems, _ = portal.recheck()
    assert problems and all("forbidden by robots.txt" in p for p in problems)


def test_a_redirect_to_another_port_of_the_portal_is_followed_not_counted(portal: Portal) -> None:
    with ReplicaServer([portal.site]) as mirror:
        path = portal.detail()
        portal.server.faults[path] = Fault(redirect=mirror.url(path))
        for _ in range(3):
            problems, state = portal.recheck()
            assert problems == [] and state[portal.server.url(path)] == ("active", 0)


def test_a_dripping_server_cannot_hold_a_recheck_past_its_deadline(portal: Portal) -> None:
    portal.server.faults[f"{portal.site.column}content/*"] = Fault(wire="drip", drip_seconds=30)
    start = time.monotonic()
    problems, state = portal.recheck()
    took = time.monotonic() - start
    assert len(problems) == len(state) and all("no whole answer within 2 s" in p for p in problems), problems
    assert took < 2.5 * len(state) + 3
    assert all(v == ("active", 0) for v in state.values())


def test_an_inflation_bomb_is_refused_by_the_recheck_without_inflating_it(portal: Portal) -> None:
    bomb = gzip.compress(gzip.compress(b"<p>" + b" " * (256 * 1024 * 1024) + b"</p>", 6), 9)
    portal.server.faults[portal.detail()] = Fault(body=bomb, headers=(("Content-Encoding", "gzip, gzip"),))
    tracemalloc.start()
    problems, state = portal.recheck()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [p for p in problems if "limit once decoded" in p], problems
    assert peak < 80 * 1024 * 1024
    assert all(v == ("active", 0) for v in state.values())


def test_a_column_under_a_login_looking_path_is_crawled(tmp_path: Path) -> None:
    with ReplicaServer([_site("/passport/xunshizgls/")]) as server:
        lab = Portal(server, tmp_path)
        out = lab.crawl()
        assert out.returncode == 0, out.stderr
        run = lab.last_run()
        assert run["status"] == "completed" and run["problems"] == [] and run["new"] == len(seed_notices())
        problems, state = lab.recheck()
        assert problems == [] and all(v == ("active", 0) for v in state.values())


# -- a callback that raised is a problem of the run, named in status and the digest ----------------


def _run_and_report(tmp_path: Path, server: ReplicaServer, source: dict) -> tuple[dict, str, str]:
    from tests.kind_checks import crawl_config

    db, out = crawl_config(tmp_path, source)
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    config = tmp_path / "config.yaml"
    with Store(db) as store:
        row = next(store.rows("select * from runs order by id desc limit 1"))
    status = run_cli("status", "--json", "--config", config, "--db", db)
    digest = run_cli("digest", "--format", "json", "--config", config, "--db", db)
    return {**row, "problems": json.loads(row["problems"])}, status.stdout, digest.stdout


def test_a_bad_url_in_a_gkmlpt_answer_fails_the_run_with_its_problem(tmp_path: Path) -> None:
    from replica.sites import build_gkmlpt_sites

    with ReplicaServer(build_gkmlpt_sites()) as server:
        answer = {"articles": [{"id": 1, "title": "关于巡察整改进展情况的通报", "url": "http://[::1/gkmlpt/content/1/1/post_1.html",
                                "date": 1727319600}], "total": 1}
        server.faults["/gkmlpt/api/all/2929"] = Fault(body=json.dumps(answer).encode(), content_type="application/json")
        run, status, digest = _run_and_report(tmp_path, server, {
            "id": "zh_gkmlpt", "kind": "gkmlpt", "start_urls": [server.url("/gkmlpt/api/all/2929?sid=760001")]})
    assert run["status"] == "failed" and any(p.startswith("spider_error: ValueError") for p in run["problems"]), run
    assert "spider_error" in status and "spider_error" in digest


@pytest.mark.parametrize("change", ["per_page_zero", "proxy_elsewhere"])
def test_a_hanweb_column_the_spider_cannot_follow_fails_the_run(tmp_path: Path, change: str) -> None:
    import httpx

    from replica.sites import build_hanweb_sites

    with ReplicaServer(build_hanweb_sites()) as server, ReplicaServer([]) as elsewhere:
        site = server.sites[0]
        page = httpx.get(server.url(f"{site.column}index.html")).content.decode("gb18030")
        if change == "per_page_zero":
            page = page.replace(f"perPage: {site.per_page}", "perPage: 0")
        else:  # the data proxy on another host (127.0.0.2: another registered domain)
            other = elsewhere.url("/").replace("127.0.0.1", "127.0.0.2").rstrip("/")
            page = page.replace('href="/module/web/jpage/dataproxy.jsp', f'href="{other}/module/web/jpage/dataproxy.jsp')
        server.faults[f"{site.column}index.html"] = Fault(body=page.encode("gb18030"),
                                                          content_type="text/html; charset=gbk")
        run, status, digest = _run_and_report(tmp_path, server, {
            "id": "hy_hanweb", "kind": "hanweb", "start_urls": [server.url(f"{site.column}index.html")]})
    assert run["status"] == "failed", run
    assert run["problems"], run
    kind = run["problems"][0].split(":", 1)[0]
    assert kind in status and kind in digest
