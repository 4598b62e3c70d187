"""The further NFCMS themes (news_list, table, mobile) over real HTTP on 127.0.0.1 (urllib only)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import escape
from urllib.error import HTTPError
from urllib.parse import urljoin
from urllib.request import Request, urlopen

import lxml.html
import pytest

from crawler.parser import parse_html
from replica.model import Site
from replica.server import ReplicaServer
from replica.sites import build_demo_sites, build_theme_sites
from replica.themes import truncated

CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def server() -> Iterator[ReplicaServer]:
    with ReplicaServer(build_theme_sites()) as srv:
        yield srv


def get(url: str, host: str | None = None) -> tuple[int, str]:
    headers = {"User-Agent": "noticewatch-test", **({"Host": host} if host else {})}
    try:
        with urlopen(Request(url, headers=headers), timeout=10) as response:
            return response.status, response.read().decode()
    except HTTPError as error:
        return error.code, error.read().decode()


def newest_detail(server: ReplicaServer, site: Site) -> tuple[str, str]:
    notice = site.newest_first()[0]
    url = server.url(site.detail_url(notice.post_id))
    status, text = get(url)
    assert status == 200
    return url, text


def test_theme_sites_shape() -> None:
    sites = build_theme_sites()
    assert [(s.id, s.theme) for s in sites] == [
        ("zhuhai_gkml", "news_list"),
        ("hengqin_zgls", "table"),
        ("heyuan_xcgz", "mobile"),
    ]
    assert all(s.page_count() == 3 for s in sites)
    everything = [*build_demo_sites(), *sites]
    assert len({s.column for s in everything}) == len(everything)
    ids = [n.post_id for s in everything for n in s.notices]
    assert len(ids) == len(set(ids))
    assert [n.post_id for n in build_theme_sites()[0].notices] == [n.post_id for n in sites[0].notices]


def test_every_theme_page_parses_to_its_ground_truth(server: ReplicaServer) -> None:
    mismatches = []
    for site in server.sites:
        for notice in site.notices:
            url = server.url(site.detail_url(notice.post_id))
            status, text = get(url)
            assert status == 200, url
            got = parse_html(text, url).to_dict()
            mismatches += [(url, k, got[k], v) for k, v in notice.expected.items() if got[k] != v]
    assert mismatches == []


def test_news_list_theme(server: ReplicaServer) -> None:
    site = server.site("zhuhai_gkml")
    page_url = server.url(site.list_url(2))
    status, text = get(page_url)
    assert status == 200 and '<div class="news_list">' in text
    notice = site.newest_first()[site.per_page]
    row = (
        f'<li><span class="time">{notice.published_date.replace("-", "/")}</span>'
        f'<a href="./content/post_{notice.post_id}.html" target="_blank">{escape(notice.title)}</a></li>'
    )
    assert row in text
    assert urljoin(page_url, f"./content/post_{notice.post_id}.html") == server.url(
        site.detail_url(notice.post_id)
    )
    assert "<meta name=" not in text
    _, page = newest_detail(server, site)
    first = site.newest_first()[0]
    assert "<meta name=" not in page  # no ArticleTitle, PubDate, ContentSource: nothing
    assert f'<div class="news_cont_d_title"><h3>{escape(first.title)}</h3></div>' in page
    assert f"<title>{escape(first.title)}_{site.column_name}_{site.site_name}</title>" in page
    assert "<h1" not in page and "<h2" not in page
    plain = re.sub(r"<[^>]+>", "", page).replace("&nbsp;", " ")
    assert f"发布时间:{first.published}  来源:{first.source_name}  【字体:大 中 小】" in plain
    assert '<div class="news_cont_d_wrap">' in page


def test_table_theme(server: ReplicaServer) -> None:
    site = server.site("hengqin_zgls")
    status, text = get(server.url(site.list_url(1)))
    assert status == 200
    rows = re.findall(
        r'<tr><td><a href="([^"]+)" title="([^"]+)"[^>]*>([^<]+)</a></td><td>([^<]+)</td></tr>', text
    )
    shown = site.newest_first()[: site.per_page]
    assert [(h, t, d) for h, t, _, d in rows] == [
        (site.detail_url(n.post_id), escape(n.title), n.published_date) for n in shown
    ]
    assert [a for _, _, a, _ in rows] == [escape(truncated(n.title)) for n in shown]
    assert any(a.endswith("…") for _, _, a, _ in rows)
    # 热点推荐 comes first in the page and links another column's newest posts on this host.
    other = server.site("zhuhai_gkml")
    hot = text.split('<div class="hot">')[1].split("</div>")[0]
    assert text.index('<div class="hot">') < text.index('<table class="tab">')
    assert re.findall(r'href="([^"]+)"', hot) == [
        other.detail_url(n.post_id) for n in other.newest_first()[:3]
    ]
    _, page = newest_detail(server, site)
    first = site.newest_first()[0]
    assert f'<meta name="ArticleTitle" content="{escape(first.title)}">' in page
    assert 'name="PubDate"' not in page
    day = first.published_date.split("-")
    assert f"日期:{day[0]}年{day[1]}月{day[2]}日" in page
    assert '<div class="artContent">' in page


def test_mobile_theme_writes_the_request_host_into_links(server: ReplicaServer) -> None:
    site = server.site("heyuan_xcgz")
    status, text = get(server.url(site.list_url(1)), host="m.heyuan.example:8443")
    assert status == 200
    hrefs = re.findall(r'<a class="title" href="([^"]+)"', text)
    assert len(hrefs) == site.per_page
    assert hrefs[0].startswith("//m.heyuan.example:8443/") and hrefs[1].startswith(
        "http://m.heyuan.example:8443/"
    )
    assert [h.split(":8443")[1] for h in hrefs] == [
        site.detail_url(n.post_id) for n in site.newest_first()[:4]
    ]
    assert re.search(r'<p class="date">\d{4}-\d\d-\d\d</p></div>', text)
    assert 'href="index_2.html"' in text
    _, default_host = get(server.url(site.list_url(1)))
    assert f'href="//127.0.0.1:{server.port}{site.column}' in default_host


def test_mobile_detail_has_more_text_outside_the_body_than_in_it(server: ReplicaServer) -> None:
    site = server.site("heyuan_xcgz")
    url, page = newest_detail(server, site)
    first = site.newest_first()[0]
    assert f'<meta name="ArticleTitle" content="{escape(first.title)}">' in page
    assert f'<meta name="PubDate" content="{first.published_minute}">' in page
    tree = lxml.html.fromstring(page)

    def p_text(el: lxml.html.HtmlElement) -> int:
        return sum(len(CJK.findall(p.text_content())) for p in el if p.tag == "p")

    [body] = tree.cssselect("div.article-content")
    densest = max(tree.iter(), key=lambda el: p_text(el) if isinstance(el.tag, str) else 0)
    assert densest is not body and "xgxw" in densest.get("class", "")
    assert p_text(densest) > p_text(body)
    assert len(CJK.findall(tree.cssselect("div.m-bottom")[0].text_content())) > 200
    assert parse_html(page, url).body_text.startswith(first.paragraphs[0])
