"""The replica portal over real HTTP on 127.0.0.1 (urllib only; no test leaves loopback)."""

from __future__ import annotations

import datetime as dt
import re
import time
import urllib.robotparser
from collections.abc import Callable, Iterator
from html import escape
from urllib.error import HTTPError
from urllib.parse import urljoin, urlsplit
from urllib.request import Request, urlopen

import pytest

from replica import (
    EXPECTED_FIELDS,
    Fault,
    ReplicaNotice,
    ReplicaServer,
    build_demo_sites,
    generate_news,
    generate_notices,
)
from replica.content import seed_notices

DETAIL = re.compile(r'href="([^"]*content/post_(\d+)\.html)"')
WINDOW = re.compile(r"公开期限[:\uff1a](\d{4})年(\d{1,2})月(\d{1,2})日至(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")


@pytest.fixture(scope="module")
def server() -> Iterator[ReplicaServer]:
    """Read-only demo server shared by the module; tests that mutate or fault use `fresh`."""
    with ReplicaServer(build_demo_sites()) as srv:
        yield srv


@pytest.fixture
def fresh() -> Iterator[ReplicaServer]:
    with ReplicaServer(build_demo_sites()) as srv:
        yield srv


def get(url: str, method: str = "GET", user_agent: str = "noticewatch-test") -> tuple[int, str, str]:
    """(status, content type, text); HTTP errors are returned, not raised."""
    request = Request(url, method=method, headers={"User-Agent": user_agent})
    try:
        with urlopen(request, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


# -- server basics ---------------------------------------------------------------------------


def test_binds_port_zero_to_a_free_loopback_port(server: ReplicaServer) -> None:
    assert server.port != 0
    assert server.base_url == f"http://127.0.0.1:{server.port}"
    assert server.url("robots.txt") == server.base_url + "/robots.txt"


def test_robots_txt_disallows_private(server: ReplicaServer) -> None:
    status, ctype, text = get(server.url("/robots.txt"))
    assert status == 200 and ctype.startswith("text/plain")
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(text.splitlines())
    assert not robots.can_fetch("noticewatch", server.url("/private/index.html"))
    assert robots.can_fetch("noticewatch", server.url("/xunshizgls/index.html"))


def test_private_page_is_linked_from_every_list_page(server: ReplicaServer) -> None:
    _, _, page = get(server.url("/xunshizgls/index.html"))
    assert 'href="/private/index.html"' in page
    assert get(server.url("/private/index.html"))[0] == 200


@pytest.mark.parametrize("path", ["/nope", "/xunshizgls/content/post_1.html", "/xunshizgls/x.html"])
def test_unknown_paths_are_404_html_pages(server: ReplicaServer, path: str) -> None:
    status, ctype, text = get(server.url(path))
    assert status == 404
    assert ctype == "text/html; charset=utf-8"
    assert "页面不存在" in text


def test_head_and_request_log(fresh: ReplicaServer) -> None:
    assert get(fresh.url("/xunshizgls/index.html?x=1"), method="HEAD", user_agent="UA/1")[0] == 200
    assert fresh.requests == [("HEAD", "/xunshizgls/index.html?x=1", "UA/1")]
    fresh.clear_requests()
    assert fresh.requests == []


# -- lists -----------------------------------------------------------------------------------


@pytest.mark.parametrize("site_index", [0, 1])
def test_lists_paginate_newest_first_and_404_past_the_end(server: ReplicaServer, site_index: int) -> None:
    site = server.sites[site_index]
    assert site.page_count() >= 2
    seen: list[int] = []
    for page in range(1, site.page_count() + 1):
        status, _, text = get(server.url(site.list_url(page)))
        assert status == 200
        ids = [int(i) for _, i in DETAIL.findall(text.split('<div class="pagination">')[0])]
        ids = [i for i in ids if site.find(i)]  # the header/home blocks never list posts here
        assert 0 < len(ids) <= site.per_page
        seen += ids
        assert f'<span class="current">{page}</span>' in text  # the current page is no link
        assert 'href="index.html" class="first"' in text
    assert sorted(seen) == sorted(n.post_id for n in site.notices)
    assert seen == [n.post_id for n in site.newest_first()]
    published = [site.find(i).published for i in seen]  # type: ignore[union-attr]
    assert published == sorted(published, reverse=True)
    past = site.list_url(site.page_count() + 1)
    assert get(server.url(past))[0] == 404
    assert get(server.url(site.column + "index_1.html"))[0] == 404
    assert get(server.url(site.column))[0] == 200  # the directory serves index.html


def test_pagination_bar(server: ReplicaServer) -> None:
    _, _, text = get(server.url("/xunshizgls/index_2.html"))
    bar = text.split('<div class="pagination">')[1].split("</div>")[0]
    labels = re.sub(r"<[^>]+>", " ", bar).split()
    assert labels[:7] == ["首页", "上一页", "1", "2", "3", "下一页", "尾页"]
    assert 'href="index.html" class="prev"' in bar
    assert 'href="index_3.html" class="next"' in bar


def test_wendang_theme_lists_absolute_urls_with_strong_dates(server: ReplicaServer) -> None:
    site = server.site("gdjct_zgls")
    _, _, text = get(server.url(site.list_url(1)))
    first = site.newest_first()[0]
    assert '<div class="wendangListC">' in text
    expected = (
        f'<li><a href="{server.base_url}/xunshizgls/content/post_{first.post_id}.html" '
        f'target="_blank" title="{escape(first.title)}">{escape(first.title)}</a>'
        f"<strong>{first.published_date}</strong></li>"
    )
    assert expected in text


def test_list_theme_uses_relative_hrefs_with_span_dates(server: ReplicaServer) -> None:
    site = server.site("zhuhai_xsxc")
    page_url = server.url(site.list_url(2))
    _, _, text = get(page_url)
    assert '<ul class="list">' in text
    href, post_id = DETAIL.findall(text)[0]
    assert not href.startswith("/")
    assert f"<span>{site.find(int(post_id)).published_date}</span>" in text  # type: ignore[union-attr]
    assert urljoin(page_url, href) == server.url(site.detail_url(int(post_id)))
    assert get(urljoin(page_url, href))[0] == 200


def test_list_chrome_has_links_a_crawler_must_not_follow(server: ReplicaServer) -> None:
    _, _, text = get(server.url("/xunshizgls/index.html"))
    hrefs = re.findall(r'href="([^"]+)"', text)
    assert "javascript:void(0)" in hrefs
    assert any(h.endswith(".pdf") for h in hrefs)
    offsite = [h for h in hrefs if h.startswith("http") and "127.0.0.1" not in h]
    assert offsite and all(urlsplit(h).hostname.endswith("gov.cn") for h in offsite)  # type: ignore[union-attr]
    assert "/zhzf/xsxc/index.html" in hrefs  # the other column, from the header nav
    pdf = urlopen(server.url(next(h for h in hrefs if h.endswith(".pdf"))), timeout=10)
    assert pdf.headers["Content-Type"] == "application/pdf"


# -- details ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("site_id", "container"),
    [("gdjct_zgls", '<div id="zoomcon">'), ("zhuhai_xsxc", '<div class="article-content">')],
)
def test_detail_page_structure(server: ReplicaServer, site_id: str, container: str) -> None:
    site = server.site(site_id)
    notice = site.newest_first()[0]
    status, ctype, text = get(server.url(site.detail_url(notice.post_id)))
    assert status == 200 and ctype == "text/html; charset=utf-8"
    assert f'<meta name="ArticleTitle" content="{escape(notice.title)}">' in text
    assert f'<meta name="PubDate" content="{notice.published[:16]}">' in text
    assert f'<meta name="ContentSource" content="{escape(notice.source_name)}">' in text
    assert f"<title>{escape(notice.title)}_{site.site_name}</title>" in text
    assert f"<h1>{escape(notice.title)}</h1>" in text
    plain = re.sub(r"<[^>]+>", "", text)
    assert re.search(rf"来源[:\uff1a]{notice.source_name} 日期[:\uff1a]{notice.published} 【打印】", plain)
    assert re.search(r"浏览次数[:\uff1a]\d+", plain)
    assert "扫一扫,分享到微信朋友圈" in plain
    body = text.split(container)[1].split("</div>")[0]
    for paragraph in notice.paragraphs:
        assert escape(paragraph) in body
    assert f"<p>\u3000\u3000{escape(notice.paragraphs[0])}</p>" in body


def test_detail_breadcrumb_on_nanyue(server: ReplicaServer) -> None:
    _, _, text = get(server.url("/xunshizgls/content/post_4512002.html"))
    plain = re.sub(r"<[^>]+>", "", text).replace("&gt;", ">")
    assert "所在位置:首页 > 广东省巡视巡察工作专栏 > 整改落实 > 正文" in plain


def test_seed_texts_are_served(server: ReplicaServer) -> None:
    site = server.site("gdjct_zgls")
    titles = {n.title for n in seed_notices()}
    assert titles <= {n.title for n in site.notices}
    _, _, text = get(server.url("/xunshizgls/content/post_4512002.html"))
    assert "省委第十一巡视组对珠海市金湾区委推进粤港澳大湾区建设情况开展了常规巡视" in text
    assert "公开期限:2024年9月26日至10月25日。联系电话:0756-7263766" in text
    body = text.split('<div id="zoomcon">')[1]
    assert "所在位置" not in body.split("</div>")[0]  # seed 001's captured header was stripped


def test_seed_expected_fields() -> None:
    seeds = {n.post_id: n for n in seed_notices()}
    assert len(seeds) == 3
    for notice in seeds.values():
        assert tuple(notice.expected) == EXPECTED_FIELDS
        assert notice.expected["published_at"] == notice.published[:10]
        text = notice.body_text
        for field in ("inspection_team", "inspected_org", "postal_address", "signer"):
            assert notice.expected[field] in text
        for value in notice.expected["phones"] + notice.expected["emails"]:
            assert value in text
    hengqin = seeds[4512001].expected
    assert (hengqin["inspection_kind"], hengqin["postcode"]) == (["专项"], "519000")
    bureau = seeds[4498003].expected
    assert (bureau["inspection_start"], bureau["inspection_end"]) == ("2023-03-01", "2023-06-20")
    assert bureau["disclosure_start"] is None and "公开期限" not in seeds[4498003].body_text


# -- generator -------------------------------------------------------------------------------


def test_generator_is_deterministic() -> None:
    a, b = generate_notices(20, seed=5), generate_notices(20, seed=5)
    assert a == b and [n.expected for n in a] == [n.expected for n in b]
    assert a != generate_notices(20, seed=6)
    assert generate_news(3, seed=5) == generate_news(3, seed=5)


def _window(text: str, published: dt.date) -> tuple[str, str] | None:
    """A reference reading of "公开期限:Y年M月D日至[Y年]M月D日" (implicit end year rolls over)."""
    m = WINDOW.search(text)
    if m is None:
        return None
    y1, m1, d1, y2, m2, d2 = m.groups()
    start = dt.date(int(y1), int(m1), int(d1))
    year = int(y2) if y2 else start.year + (1 if int(m2) < start.month else 0)
    return start.isoformat(), dt.date(year, int(m2), int(d2)).isoformat()


def test_generated_expected_fields_match_their_text() -> None:
    notices = [n for seed in range(8) for n in generate_notices(25, seed=seed)]
    assert len({n.post_id for n in generate_notices(25)}) == 25
    for n in notices:
        e, text = n.expected, n.body_text
        assert tuple(e) == EXPECTED_FIELDS
        assert e["doc_type"] == "rectification_notice" and e["title"] == n.title
        assert e["published_at"] == n.published[:10]
        assert e["inspection_level"] in ("巡视", "巡察") and e["inspection_level"] in n.title
        assert e["inspection_kind"] in (["常规"], ["专项"], ["机动"])
        assert e["inspection_team"] in n.paragraphs[0]
        assert f"对{e['inspected_org']}" in n.paragraphs[0]
        assert n.paragraphs[-2] == e["signer"]
        for value in e["phones"] + e["emails"] + [e["postal_address"]]:
            assert value in text
        if e["postcode"]:
            assert e["postcode"] in text
        if e["inspection_round"]:
            assert e["inspection_round"] in n.title and e["inspection_round"] in text
        assert e["inspection_start"] < e["inspection_end"] < e["feedback_date"]
        assert e["feedback_date"] < e["published_at"] and e["signed_date"] <= e["published_at"]
        window = _window(text, dt.date.fromisoformat(e["published_at"]))
        assert window == ((e["disclosure_start"], e["disclosure_end"]) if e["disclosure_start"] else None)

    # The variety parsers need to meet, present across the sample.
    def share(pred: Callable[[ReplicaNotice], object]) -> int:
        return sum(1 for n in notices if pred(n))

    assert share(lambda n: n.expected["inspection_level"] == "巡察") > 20
    assert share(lambda n: n.expected["inspection_kind"] == ["机动"]) > 5
    assert share(lambda n: n.expected["disclosure_start"] is None) > 5
    assert share(lambda n: re.search("[上中下]旬", n.paragraphs[0])) > 5
    assert share(lambda n: "\uff0c" in n.paragraphs[0]) > 20  # full-width punctuation
    assert share(lambda n: "〇" in n.paragraphs[-1]) > 2  # 二〇二四年…日 signature dates
    assert share(lambda n: (n.expected["disclosure_end"] or "")[:4] > n.published[:4]) >= 4
    assert share(lambda n: n.expected["inspection_round"] is not None) > 5


def test_articles_carry_the_inspection_and_only_their_own_fields() -> None:
    stated = ("doc_type", "title", "published_at", "inspection_level", "inspection_team", "inspected_org")
    announcement = (
        "inspection_kind", "inspection_start", "disclosure_start", "disclosure_end", "phones", "postal_address"
    )
    kinds = set()
    for n in generate_news(8, seed=3):
        kinds.add(n.expected["doc_type"])
        assert n.expected["title"] == n.title
        assert n.expected["published_at"] == n.published[:10]
        assert n.expected["inspection_team"] in n.title
        own = stated + (announcement if n.expected["doc_type"] == "inspection_announcement" else ())
        assert all(n.expected[f] in (None, [], "hans") for f in EXPECTED_FIELDS if f not in own)
        if n.expected["doc_type"] == "inspection_announcement":
            assert n.expected["postal_address"] in "".join(n.paragraphs)
            assert n.expected["disclosure_start"] == n.expected["inspection_start"] < n.expected["disclosure_end"]
    assert kinds == {"feedback_news", "inspection_announcement"}


def test_demo_sites_shape() -> None:
    gdjct, zhuhai = build_demo_sites()
    assert (gdjct.column, gdjct.theme, gdjct.page_count()) == ("/xunshizgls/", "wendang", 3)
    assert (zhuhai.column, zhuhai.theme, zhuhai.page_count()) == ("/zhzf/xsxc/", "list", 2)
    articles = ("feedback_news", "inspection_announcement")
    assert sum(n.expected["doc_type"] in articles for n in gdjct.notices) == 2
    ids = [n.post_id for s in (gdjct, zhuhai) for n in s.notices]
    assert len(ids) == len(set(ids))


# -- a polite crawl, the way the spider will do it -------------------------------------------


def test_polite_crawl_finds_every_notice_and_stays_on_site(fresh: ReplicaServer) -> None:
    robots = urllib.robotparser.RobotFileParser(fresh.url("/robots.txt"))
    robots.read()
    host = urlsplit(fresh.base_url).netloc
    found: set[int] = set()
    for site in fresh.sites:
        queue, seen = [fresh.url(site.list_url(1))], set()
        while queue:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            status, _, text = get(url)
            assert status == 200, url
            for href in re.findall(r'href="([^"]+)"', text):
                target = urljoin(url, href)
                parts = urlsplit(target)
                if parts.scheme != "http" or parts.netloc != host:
                    continue
                if not robots.can_fetch("noticewatch", target):
                    continue
                if m := re.fullmatch(re.escape(site.column) + r"content/post_(\d+)\.html", parts.path):
                    found.add(int(m.group(1)))
                elif re.fullmatch(re.escape(site.column) + r"index(_\d+)?\.html", parts.path):
                    queue.append(target)
    assert found == {n.post_id for s in fresh.sites for n in s.notices}
    assert not [p for p in fresh.paths() if p.startswith("/private/")]


# -- mutations between crawls ----------------------------------------------------------------


def test_edits_removals_and_additions_show_on_the_next_request(fresh: ReplicaServer) -> None:
    site = fresh.site("zhuhai_xsxc")
    old = site.newest_first()[0]
    detail = fresh.url(site.detail_url(old.post_id))
    edited = old.replace(paragraphs=[*old.paragraphs[:-3], "公开期限延长至11月8日。", *old.paragraphs[-2:]])
    site.notices[site.notices.index(old)] = edited
    assert "公开期限延长至11月8日" in get(detail)[2]
    site.notices.remove(edited)
    assert get(detail)[0] == 404
    new = generate_notices(1, seed=99, start_id=9_000_001)[0].replace(published="2030-01-01 09:00:00")
    site.notices.append(new)
    _, _, first_page = get(fresh.url(site.list_url(1)))
    assert f"content/post_{new.post_id}.html" in first_page


# -- faults ----------------------------------------------------------------------------------


def test_status_fault_then_recovery(fresh: ReplicaServer) -> None:
    path = "/xunshizgls/index.html"
    fresh.faults[path] = Fault(status=503, times=2)
    assert get(fresh.url(path))[0] == 503
    assert get(fresh.url(path))[0] == 503
    assert get(fresh.url(path))[0] == 200
    fresh.faults["/xunshizgls/content/*"] = Fault(status=403)
    assert get(fresh.url("/xunshizgls/content/post_4512002.html"))[0] == 403
    assert get(fresh.url("/zhzf/xsxc/index.html"))[0] == 200  # other paths unaffected
    fresh.faults.clear()
    assert get(fresh.url("/xunshizgls/content/post_4512002.html"))[0] == 200


def test_delay_fault(fresh: ReplicaServer) -> None:
    fresh.faults["/robots.txt"] = Fault(delay=0.3)
    started = time.monotonic()
    status, _, text = get(fresh.url("/robots.txt"))
    assert status == 200 and "Disallow: /private/" in text
    assert time.monotonic() - started >= 0.3
    with pytest.raises(OSError):  # a client with a shorter timeout gives up
        urlopen(fresh.url("/robots.txt"), timeout=0.05).read()


@pytest.mark.parametrize("kwargs", [{"status": 42}, {"delay": -1}])
def test_fault_validation(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Fault(**kwargs)  # type: ignore[arg-type]
