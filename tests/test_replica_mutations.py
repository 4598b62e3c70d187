"""Mutations between crawls and conditional GETs, observed over real HTTP on 127.0.0.1 (urllib).

Edited pages are also read back with the real parser, so "the field really changes in the body"
means what a crawler will see.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import urllib.request
from collections.abc import Iterator
from html import escape
from urllib.error import HTTPError
from urllib.request import Request

import pytest

from crawler.challenge import detect_challenge
from crawler.parser import parse_html
from crawler.parser.text import normalise_for_compare
from replica import mutations
from replica.faults import Fault
from replica.model import ReplicaNotice, Site
from replica.server import ReplicaServer
from replica.sites import build_demo_sites, build_theme_sites

HENGQIN = 4512001  # seed: "公开期限:2024年9月26日至10月25日", one phone, a postcode


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, method: str = "GET", **headers: str) -> tuple[int, dict[str, str], str]:
    """(status, headers, text) without following redirects; HTTP errors are returned."""
    request = Request(url, method=method, headers={"User-Agent": "noticewatch-test", **headers})
    try:
        with _OPENER.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture
def server() -> Iterator[ReplicaServer]:
    with ReplicaServer([*build_demo_sites(), *build_theme_sites()]) as srv:
        yield srv


@pytest.fixture
def nanyue(server: ReplicaServer) -> Site:
    return server.site("gdjct_zgls")


def detail(server: ReplicaServer, site: Site, post_id: int) -> tuple[int, dict[str, str], str]:
    return fetch(server.url(site.detail_url(post_id)))


def parsed_mismatches(
    server: ReplicaServer, site: Site, notice: ReplicaNotice
) -> list[tuple[str, object, object]]:
    url = server.url(site.detail_url(notice.post_id))
    status, _, text = fetch(url)
    assert status == 200, url
    got = parse_html(text, url).to_dict()
    return [(k, got[k], want) for k, want in notice.expected.items() if got[k] != want]


def listed_ids(server: ReplicaServer, site: Site, page: int = 1) -> list[int]:
    _, _, text = fetch(server.url(site.list_url(page)))
    items = text.split('<div class="pagination">')[0]
    return [int(i) for i in re.findall(re.escape(site.column) + r"content/post_(\d+)\.html", items)] or [
        int(i) for i in re.findall(r'href="(?:\./)?content/post_(\d+)\.html"', items)
    ]


def all_listed_ids(server: ReplicaServer, site: Site) -> list[int]:
    return [i for page in range(1, site.page_count() + 1) for i in listed_ids(server, site, page)]


# -- validators and 304 -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["detail", "list"])
def test_pages_carry_validators_and_answer_304_when_unchanged(
    server: ReplicaServer, nanyue: Site, kind: str
) -> None:
    url = server.url(nanyue.detail_url(HENGQIN) if kind == "detail" else nanyue.list_url(2))
    status, headers, _ = fetch(url)
    assert status == 200
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    assert email.utils.parsedate_to_datetime(modified).tzinfo is not None
    for conditional in (
        {"If-None-Match": etag},
        {"If-None-Match": f'"nope", W/{etag}'},
        {"If-None-Match": "*"},
        {"If-Modified-Since": modified},
        {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"},
    ):
        status, again, body = fetch(url, **conditional)
        assert (status, body) == (304, ""), conditional
        assert again["ETag"] == etag and again["Last-Modified"] == modified
        assert "Content-Length" not in again
    assert fetch(url, method="HEAD", **{"If-None-Match": etag})[0] == 304
    assert fetch(url, **{"If-None-Match": '"other"'})[0] == 200
    assert fetch(url, **{"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"})[0] == 200
    # If-None-Match decides when present, even if If-Modified-Since alone would give 304.
    assert fetch(url, **{"If-None-Match": '"other"', "If-Modified-Since": modified})[0] == 200
    assert fetch(url, **{"If-Modified-Since": "not a date"})[0] == 200


def test_the_view_counter_changes_but_not_the_etag(server: ReplicaServer, nanyue: Site) -> None:
    first, second = detail(server, nanyue, HENGQIN), detail(server, nanyue, HENGQIN)
    counter = re.compile(r'<span id="hits">(\d+)</span>')
    assert counter.search(first[2])[1] != counter.search(second[2])[1]  # type: ignore[index]
    assert first[2] != second[2]
    assert first[1]["ETag"] == second[1]["ETag"]


def test_last_modified_is_the_settable_modification_time(server: ReplicaServer, nanyue: Site) -> None:
    _, headers, _ = detail(server, nanyue, HENGQIN)
    assert headers["Last-Modified"] == "Thu, 26 Sep 2024 03:00:00 GMT"  # 11:00 in UTC+8
    mutations.set_modified(nanyue, HENGQIN, "2024-10-08 09:30:00")
    _, headers, _ = detail(server, nanyue, HENGQIN)
    assert headers["Last-Modified"] == "Tue, 08 Oct 2024 01:30:00 GMT"
    aware = dt.datetime(2025, 10, 9, 1, 0, tzinfo=dt.UTC)  # later than every post of the column
    mutations.set_modified(nanyue, HENGQIN, aware)
    assert nanyue.get(HENGQIN).modified == "2025-10-09 09:00:00"
    _, list_headers, _ = fetch(server.url(nanyue.list_url(1)))
    assert list_headers["Last-Modified"] == "Thu, 09 Oct 2025 01:00:00 GMT"  # lists follow their posts
    with pytest.raises(ValueError):
        mutations.set_modified(nanyue, HENGQIN, "9 Oct 2024")


def test_error_pages_have_no_validators(server: ReplicaServer, nanyue: Site) -> None:
    status, headers, _ = fetch(server.url(nanyue.detail_url(1)), **{"If-None-Match": "*"})
    assert status == 404 and "ETag" not in headers


# -- edits --------------------------------------------------------------------------------------


def test_edit_disclosure_end_changes_the_text_the_fields_and_the_validators(
    server: ReplicaServer, nanyue: Site
) -> None:
    status, before, _ = detail(server, nanyue, HENGQIN)
    edited = mutations.edit_field(nanyue, HENGQIN, "disclosure_end", "2024-11-08")
    assert edited.expected["disclosure_end"] == "2024-11-08"
    assert edited.expected["disclosure_start"] == "2024-09-26"
    status, after, text = detail(server, nanyue, HENGQIN)
    assert "公开期限:2024年9月26日至11月8日" in text and "10月25日" not in text
    assert after["ETag"] != before["ETag"]
    assert email.utils.parsedate_to_datetime(after["Last-Modified"]) > email.utils.parsedate_to_datetime(
        before["Last-Modified"]
    )
    assert fetch(server.url(nanyue.detail_url(HENGQIN)), **{"If-None-Match": before["ETag"]})[0] == 200
    assert (
        fetch(server.url(nanyue.detail_url(HENGQIN)), **{"If-Modified-Since": before["Last-Modified"]})[0]
        == 200
    )
    assert parsed_mismatches(server, nanyue, edited) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("disclosure_start", "2024-09-27"),
        ("disclosure_end", "2025-01-06"),  # across the year end: the text must say 2025年 or imply it
        ("phones", ["0756-8938111", "0756-8938222"]),
        ("emails", ["hqzg2024@zhuhai.gov.cn"]),
        ("postal_address", "广东省珠海市横琴新区环岛东路3000号十字门国际中心2号楼"),
        ("postcode", "519031"),
        ("title", "中共广东省委横琴工委关于巡视整改进展情况的通报(更新)"),
        ("inspection_team", "省委第十二巡视组"),
        ("inspected_org", "横琴粤澳深度合作区党工委"),
    ],
)
def test_edit_field_on_a_seed_parses_to_the_new_expected(
    server: ReplicaServer, nanyue: Site, field: str, value: object
) -> None:
    old = nanyue.get(HENGQIN)
    edited = mutations.edit_field(nanyue, HENGQIN, field, value)
    assert edited.expected[field] == value
    changed = {k for k in edited.expected if edited.expected[k] != old.expected[k]}
    assert field in changed
    assert edited.paragraphs != old.paragraphs or edited.title != old.title
    assert parsed_mismatches(server, nanyue, edited) == []


def test_edit_field_on_generated_notices_of_every_theme(server: ReplicaServer) -> None:
    mismatches = []
    for site in server.sites:
        for notice in site.newest_first()[:4]:
            if notice.expected["doc_type"] != "rectification_notice":
                continue
            if notice.expected["disclosure_end"]:
                end = dt.date.fromisoformat(notice.expected["disclosure_end"]) + dt.timedelta(days=14)
                notice = mutations.edit_field(site, notice.post_id, "disclosure_end", end.isoformat())
            phones = [p[:-1] + str((int(p[-1]) + 1) % 10) for p in notice.expected["phones"]]
            notice = mutations.edit_field(site, notice.post_id, "phones", phones)
            notice = mutations.edit_field(
                site, notice.post_id, "signer", notice.expected["signer"] + "办公室"
            )
            mismatches += [(site.id, notice.post_id, *m) for m in parsed_mismatches(server, site, notice)]
    assert mismatches == []


def test_signer_edit_follows_into_the_title(nanyue: Site) -> None:
    edited = mutations.edit_field(nanyue, HENGQIN, "signer", "中共横琴粤澳深度合作区工委")
    assert edited.title.startswith("中共横琴粤澳深度合作区工委关于")
    assert edited.expected["title"] == edited.title
    assert edited.paragraphs[-2] == "中共横琴粤澳深度合作区工委"


def test_edit_field_refuses_what_it_cannot_do(nanyue: Site) -> None:
    no_window = 4498003
    with pytest.raises(ValueError, match="公开期限"):
        mutations.edit_field(nanyue, no_window, "disclosure_end", "2024-06-20")
    with pytest.raises(ValueError, match="editable"):
        mutations.edit_field(nanyue, HENGQIN, "inspection_start", "2023-04-24")
    with pytest.raises(ValueError, match="before it starts"):
        mutations.edit_field(nanyue, HENGQIN, "disclosure_end", "2024-09-01")
    with pytest.raises(ValueError, match="date"):
        mutations.edit_field(nanyue, HENGQIN, "disclosure_end", "11月8日")
    with pytest.raises(KeyError, match="no live post"):
        mutations.edit_field(nanyue, 1, "title", "x")


def test_edit_body(server: ReplicaServer, nanyue: Site) -> None:
    old = nanyue.get(HENGQIN)
    edited = mutations.edit_body(nanyue, HENGQIN, 1, old.paragraphs[1] + "整改工作已全部完成。")
    assert edited.expected == old.expected
    assert "整改工作已全部完成。" in detail(server, nanyue, HENGQIN)[2]
    assert parsed_mismatches(server, nanyue, edited) == []
    signed = mutations.edit_body(nanyue, HENGQIN, -1, "2024年9月30日", expected={"signed_date": "2024-09-30"})
    assert signed.expected["signed_date"] == "2024-09-30"
    assert parsed_mismatches(server, nanyue, signed) == []
    with pytest.raises(IndexError):
        mutations.edit_body(nanyue, HENGQIN, 999, "x")
    with pytest.raises(ValueError):
        mutations.edit_body(nanyue, HENGQIN, 0, "x", expected={"colour": "red"})


# -- cosmetic churn ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "site_id", ["gdjct_zgls", "zhuhai_xsxc", "zhuhai_gkml", "hengqin_zgls", "heyuan_xcgz"]
)
def test_churn_changes_the_bytes_but_not_the_content(server: ReplicaServer, site_id: str) -> None:
    site = server.site(site_id)
    post_id = site.newest_first()[0].post_id
    url = server.url(site.detail_url(post_id))
    _, before_headers, before = fetch(url)
    for round_ in range(2):
        churned = mutations.churn(site, post_id, at=f"2026-0{round_ + 1}-05 08:00:00")
        _, headers, after = fetch(url)
        assert headers["ETag"] != before_headers["ETag"]
        assert headers["Last-Modified"] != before_headers["Last-Modified"]
        assert f"今天是2026年{round_ + 1}月5日 星期" in after
        body = lambda page: page[page.index("<p>") : page.rindex("</p>")]  # noqa: E731
        assert body(after) != body(before)
        assert re.search(r"<p>[^<]*\n[^<]*</p>", after), "no re-wrapped paragraph"
        old, new = parse_html(before, url), parse_html(after, url)
        assert new.content_hash == old.content_hash
        assert normalise_for_compare(new.body_text) == normalise_for_compare(old.body_text)
        assert [k for k in churned.expected if new.to_dict()[k] != old.to_dict()[k]] == []
        assert parsed_mismatches(server, site, churned) == []
        before, before_headers = after, headers


def test_churn_swaps_punctuation_width_back_and_forth(nanyue: Site) -> None:
    original = nanyue.get(HENGQIN).paragraphs
    once = mutations.churn(nanyue, HENGQIN).paragraphs
    twice = mutations.churn(nanyue, HENGQIN).paragraphs
    assert once != original and "\uff0c" in "".join(once)
    assert twice == original


# -- withdrawals, moves, new posts --------------------------------------------------------------


def test_remove_and_restore(server: ReplicaServer, nanyue: Site) -> None:
    post_id = nanyue.newest_first()[0].post_id
    _, list_before, _ = fetch(server.url(nanyue.list_url(1)))
    gone = mutations.remove(nanyue, post_id)
    assert detail(server, nanyue, post_id)[0] == 404
    assert post_id not in all_listed_ids(server, nanyue)
    status, list_after, _ = fetch(server.url(nanyue.list_url(1)), **{"If-None-Match": list_before["ETag"]})
    assert status == 200 and list_after["ETag"] != list_before["ETag"]
    assert (
        fetch(server.url(nanyue.list_url(1)), **{"If-Modified-Since": list_before["Last-Modified"]})[0] == 200
    )
    back = mutations.restore(nanyue, post_id)
    assert back == gone
    assert detail(server, nanyue, post_id)[0] == 200
    assert all_listed_ids(server, nanyue)[0] == post_id
    with pytest.raises(KeyError):
        mutations.restore(nanyue, post_id)


def test_move_serves_the_same_notice_at_a_new_url(server: ReplicaServer, nanyue: Site) -> None:
    old = nanyue.get(HENGQIN)
    moved = mutations.move(nanyue, HENGQIN, 4_600_001)
    assert detail(server, nanyue, HENGQIN)[0] == 404
    assert (moved.title, moved.paragraphs, moved.expected) == (old.title, old.paragraphs, old.expected)
    assert 4_600_001 in all_listed_ids(server, nanyue) and HENGQIN not in all_listed_ids(server, nanyue)
    assert parsed_mismatches(server, nanyue, moved) == []
    with pytest.raises(ValueError):
        mutations.move(nanyue, 4_600_001, nanyue.newest_first()[0].post_id)


@pytest.mark.parametrize("site_id", ["gdjct_zgls", "zhuhai_gkml", "hengqin_zgls", "heyuan_xcgz"])
def test_publish_puts_a_new_notice_on_top(server: ReplicaServer, site_id: str) -> None:
    site = server.site(site_id)
    page_one = listed_ids(server, site, 1)
    assert len(page_one) == site.per_page
    new = mutations.next_notice(site, seed=7)
    assert site.find(new.post_id) is None
    mutations.publish(site, new)
    assert listed_ids(server, site, 1) == [new.post_id, *page_one[:-1]]
    assert listed_ids(server, site, 2)[0] == page_one[-1]  # pushed to page 2
    assert parsed_mismatches(server, site, new) == []
    with pytest.raises(ValueError):
        mutations.publish(site, new)


def test_default_mutation_times_always_move_forward(server: ReplicaServer, nanyue: Site) -> None:
    url = server.url(nanyue.detail_url(HENGQIN))
    stamps = []
    for _ in range(3):  # within one second: each still gets a later Last-Modified
        mutations.churn(nanyue, HENGQIN)
        stamps.append(fetch(url)[1]["Last-Modified"])
    times = [email.utils.parsedate_to_datetime(s) for s in stamps]
    assert times == sorted(times) and len(set(times)) == 3
    assert fetch(url, **{"If-Modified-Since": stamps[1]})[0] == 200


# -- failures that are not withdrawals -----------------------------------------------------------


def test_redirect_home(server: ReplicaServer, nanyue: Site) -> None:
    mutations.redirect_home(nanyue, HENGQIN)
    status, headers, _ = detail(server, nanyue, HENGQIN)
    assert status == 302 and headers["Location"] == server.base_url + "/"
    assert "ETag" not in headers
    assert HENGQIN in all_listed_ids(server, nanyue)  # still listed: only the page went away
    mutations.restore(nanyue, HENGQIN)
    assert detail(server, nanyue, HENGQIN)[0] == 200


@pytest.mark.parametrize(
    ("kind", "status", "marker"),
    [("js_cookie", 412, "document.cookie"), ("jsl", 521, "document.cookie"), ("captcha", 200, "验证码")],
)
def test_challenge_pages(server: ReplicaServer, nanyue: Site, kind: str, status: int, marker: str) -> None:
    mutations.challenge(nanyue, HENGQIN, kind)
    url = server.url(nanyue.detail_url(HENGQIN))
    got, headers, text = fetch(url, **{"If-None-Match": "*"})
    assert got == status and marker in text
    assert "ETag" not in headers
    if kind != "captcha":
        assert "Set-Cookie" in headers
    assert "省委横琴工委" not in text
    assert detect_challenge(got, url, text), "the crawler would not recognise this challenge page"
    mutations.restore(nanyue, HENGQIN)
    assert detail(server, nanyue, HENGQIN)[0] == 200
    with pytest.raises(ValueError):
        mutations.challenge(nanyue, HENGQIN, "hcaptcha")


def test_a_removed_post_may_redirect_home(server: ReplicaServer, nanyue: Site) -> None:
    mutations.remove(nanyue, HENGQIN)
    mutations.redirect_home(nanyue, HENGQIN)
    assert detail(server, nanyue, HENGQIN)[0] == 302
    mutations.restore(nanyue, HENGQIN)
    assert detail(server, nanyue, HENGQIN)[0] == 200


def test_server_wide_faults_take_redirects_and_challenges_too(server: ReplicaServer, nanyue: Site) -> None:
    server.faults[nanyue.column + "content/*"] = Fault(challenge="js_cookie", times=1)
    assert detail(server, nanyue, HENGQIN)[0] == 412
    assert detail(server, nanyue, HENGQIN)[0] == 200
    server.faults[nanyue.list_url(1)] = Fault(redirect="http://127.0.0.1:1/login")
    status, headers, _ = fetch(server.url(nanyue.list_url(1)))
    assert status == 302 and headers["Location"] == "http://127.0.0.1:1/login"
    with pytest.raises(ValueError):
        Fault(status=500, redirect="/")
    with pytest.raises(ValueError):
        Fault(challenge="nope")


def test_escaping_survives_edits(server: ReplicaServer, nanyue: Site) -> None:
    title = "中共广东省委横琴工委关于巡视整改进展情况的通报<补充>&更正"
    mutations.edit_field(nanyue, HENGQIN, "title", title)
    _, _, text = detail(server, nanyue, HENGQIN)
    assert escape(title) in text and title not in text
