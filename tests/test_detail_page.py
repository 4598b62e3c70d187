"""crawler/detail_page.py: the verdict on a fetched detail page, shared by the crawl and the re-check."""

from __future__ import annotations

import random

import pytest

from crawler.detail_page import NO_ARTICLE_TEXT, Failed, Readable, judge, judge_parsed

URL = "https://www.example.gov.cn/xunshizgls/content/post_1.html"
PAGE = "<html><head><title>整改进展情况</title></head><body><div>整改落实情况的通报</div></body></html>"
CAPTCHA = "<html><body><p>请输入验证码后继续访问</p></body></html>"
BINARY = random.Random(0).randbytes(4096)


def test_a_complete_page_is_text_to_parse() -> None:
    assert judge(200, URL, PAGE.encode(), "text/html; charset=utf-8") == Readable(PAGE)


@pytest.mark.parametrize(
    ("content_type", "encoding"),
    [("text/html; charset=gbk", None), ("text/html; charset=utf-8", "gbk"), ("text/html", None)],
)
def test_the_bytes_are_decoded_by_declared_charset_source_encoding_or_detection(
    content_type: str, encoding: str | None
) -> None:
    """GBK declared, GBK labelled UTF-8 with the source's `encoding`, GBK without a charset."""
    assert judge(200, URL, PAGE.encode("gbk"), content_type, encoding) == Readable(PAGE)


def test_an_empty_200_is_read_then_fails_for_having_no_article_text() -> None:
    assert judge(200, URL, b"", "text/html") == Readable("")
    assert judge_parsed("") == judge_parsed(" \n\t") == NO_ARTICLE_TEXT
    assert NO_ARTICLE_TEXT == Failed("error", "detail page has no article text", "empty_body")
    assert judge_parsed("整改落实情况") is None


@pytest.mark.parametrize(
    ("status", "url", "body", "reason"),
    [
        (412, URL, b"<script>document.cookie='x'</script>", "412 with a JavaScript cookie challenge"),
        (521, URL, b"", "521 JavaScript cookie challenge"),
        (200, "https://www.example.gov.cn/login?next=/post_1.html", PAGE.encode(), "redirected to a login page"),  # after a redirect
        (200, URL, CAPTCHA.encode(), "captcha page"),
        (403, URL, "<p>访问过于频繁</p>".encode(), "rate-limit or ban page"),  # an error answer's body too
        (404, URL, CAPTCHA.encode(), "captcha page"),
        (200, "https://www.example.gov.cn/sso/login", BINARY, "redirected to a login page"),  # no text needed
    ],
)
def test_challenge_and_ban_pages_are_blocked(status: int, url: str, body: bytes, reason: str) -> None:
    redirected_from = URL if url != URL else None  # a login page is evidence at the end of a redirect
    assert judge(status, url, body, "text/html", redirected_from=redirected_from) == Failed("blocked", reason, "blocked")


@pytest.mark.parametrize("status", [404, 410])
def test_404_and_410_are_gone(status: int) -> None:
    assert judge(status, URL, b"<html><body>Not Found</body></html>") == Failed("gone", f"HTTP {status}", "detail_failed")
    assert judge(status, "https://www.example.gov.cn/", b"", redirected_away=True).kind == "gone"


@pytest.mark.parametrize("status", [400, 403, 429, 500, 502, 503])
def test_other_error_statuses_are_errors_even_after_a_redirect_away(status: int) -> None:
    """A broken server is not evidence of removal, wherever the redirect went."""
    expected = Failed("error", f"HTTP {status}", "detail_failed")
    assert judge(status, URL, b"<html><body>Server Error</body></html>") == expected
    assert judge(status, "https://www.example.gov.cn/", PAGE.encode(), redirected_away=True) == expected


@pytest.mark.parametrize(("status", "body"), [(200, PAGE.encode()), (302, b""), (301, BINARY)])
def test_a_redirect_away_from_detail_pages_is_redirected(status: int, body: bytes) -> None:
    """The crawl follows the redirect (a 200 home page), the re-check stops at the 3xx: both redirected."""
    home = "https://www.example.gov.cn/index.html"
    assert judge(status, home, body, "text/html", redirected_away=True) == Failed(
        "redirected", f"redirected to {home}", "detail_failed")


def test_a_challenge_page_behind_a_redirect_away_is_blocked_not_redirected() -> None:
    assert judge(200, "https://www.example.gov.cn/", CAPTCHA.encode(), redirected_away=True).kind == "blocked"


@pytest.mark.parametrize("status", [201, 204, 206, 301, 302, 304, 310])
def test_any_other_status_but_200_is_an_error(status: int) -> None:
    """A partial or empty 2xx, a redirect not followed to its end: not a page of the notice."""
    assert judge(status, URL, PAGE.encode()) == Failed("error", f"HTTP {status}", "detail_failed")


def test_binary_data_is_not_html() -> None:
    verdict = judge(200, URL, BINARY, "text/html; charset=utf-8")
    assert isinstance(verdict, Failed) and (verdict.kind, verdict.problem) == ("error", "not_html")
    assert verdict.reason.startswith("cannot decode 4096 bytes as text")


def test_a_gone_status_wins_over_an_unreadable_body() -> None:
    assert judge(410, URL, BINARY) == Failed("gone", "HTTP 410", "detail_failed")


def test_a_cut_off_page_is_truncated() -> None:
    cut = PAGE[: PAGE.index("整改落实") + 2].encode()
    assert judge(200, URL, cut, "text/html") == Failed(
        "error", "the page is cut off before its </body></html>", "truncated")


def test_a_cut_off_challenge_page_is_blocked() -> None:
    assert judge(200, URL, CAPTCHA[:30].encode()).kind == "blocked"


def test_read_is_judge_then_parse_then_judge_parsed() -> None:
    """crawler.detail_page.read, what the parse worker does with a fetched page."""
    from crawler.detail_page import read
    from crawler.parser import parse_html

    assert read(200, URL, PAGE.encode(), "text/html; charset=utf-8", url=URL, source_id="s") == parse_html(
        PAGE, URL, source_id="s")
    assert read(200, URL, CAPTCHA.encode(), "text/html", url=URL).kind == "blocked"
    assert read(410, URL, b"", None, url=URL) == Failed("gone", "HTTP 410", "detail_failed")
    assert read(200, URL, b"<html><body></body></html>", None, url=URL) == NO_ARTICLE_TEXT
