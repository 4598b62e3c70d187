"""parse_html never raises; parse_bytes decodes by the documented precedence or raises ParseError."""

from __future__ import annotations

import random

import pytest

from crawler.notice import Notice
from crawler.parser import ParseError, parse_bytes, parse_html, parse_text
from crawler.parser.decoding import codec_name, decode

NOTICE_HTML = (
    "<html><head><meta charset='{charset}'><title>关于巡察整改进展情况的通报</title></head><body>"
    "<div class='TRS_Editor'><p>2024年3月11日至5月10日,县委第三巡察组对县教育局开展了常规巡察。"
    "现将巡察整改进展情况予以公布。局长黄堃同志负责。</p></div></body></html>"
)


@pytest.mark.parametrize(
    "html",
    [
        "",
        " ",
        "<",
        "<html>",
        "<!-- only a comment -->",
        "<?xml version='1.0' encoding='utf-8'?><html><body><p>巡视</p></body></html>",
        "\x00\x01\x02",
        "\ud800 lone surrogate",
        "<p>" * 2000,
        "<div class='content'></div>",
        "<meta name='PubDate' content='not a date'><h1>标题</h1>",
        "<html><body><table><tr><td>" + "巡视整改" * 50 + "</td></tr></table></body></html>",
        "plain text without tags 根据省委统一部署",
    ],
)
def test_parse_html_never_raises(html):
    notice = parse_html(html, "http://example.invalid/x", body_selectors=("div[", "::bad"))
    assert isinstance(notice, Notice)
    assert notice.doc_type in ("rectification_notice", "news", "other")


def test_parse_html_garbage_is_other():
    assert parse_html("<html><body>\x00\x00</body></html>").doc_type == "other"


def test_parse_html_random_garbage():
    rng = random.Random(20240926)
    alphabet = "<>/=\"' pdivhtml巡视察组对年月日至0123456789,。:\n\t&;#x【】"
    for _ in range(300):
        html = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))
        assert isinstance(parse_html(html), Notice)
        assert isinstance(parse_text(html), Notice)


def test_parse_bytes_binary_raises_parse_error():
    data = bytes(range(256)) * 20
    with pytest.raises(ParseError) as excinfo:
        parse_bytes(data, "http://example.invalid/a.pdf")
    assert isinstance(excinfo.value, ValueError)
    assert "\n" not in str(excinfo.value)


def test_parse_bytes_gbk_by_meta_charset():
    data = NOTICE_HTML.format(charset="gb2312").encode("gbk")
    notice = parse_bytes(data)
    assert "黄堃" in notice.body_text
    assert notice.inspection_team == "县委第三巡察组"
    assert notice.doc_type == "rectification_notice"


def test_parse_bytes_http_charset_beats_meta():
    data = NOTICE_HTML.format(charset="utf-8").encode("gbk")  # the page lies, the server is right
    notice = parse_bytes(data, content_type="text/html; charset=GBK")
    assert "黄堃" in notice.body_text


def test_parse_bytes_explicit_encoding_beats_all():
    data = NOTICE_HTML.format(charset="utf-8").encode("gbk")
    assert "黄堃" in parse_bytes(data, content_type="text/html; charset=utf-8", encoding="gbk").body_text


def test_parse_bytes_detects_undeclared_gbk():
    data = NOTICE_HTML.replace("<meta charset='{charset}'>", "").encode("gb18030")
    assert "黄堃" in parse_bytes(data).body_text


def test_parse_bytes_plain_text_dispatches_to_parse_text():
    text = "中共某局党组关于巡察整改进展情况的通报\n来源:某某网 日期:2024-06-12\n根据市委统一部署,现将巡察整改进展情况予以公布。"
    notice = parse_bytes(text.encode("utf-8"), content_type="text/plain")
    assert notice.title == "中共某局党组关于巡察整改进展情况的通报"
    assert notice.published_at == "2024-06-12"


def test_parse_bytes_empty():
    assert parse_bytes(b"").doc_type == "other"


@pytest.mark.parametrize(
    ("label", "codec"), [("gb2312", "gb18030"), ("GBK", "gb18030"), ("utf-8", "utf-8"), ("nope", None)]
)
def test_codec_name(label, codec):
    assert codec_name(label) == codec


def test_decode_utf8_bom():
    assert decode(b"\xef\xbb\xbf<p>\xe5\xb7\xa1</p>") == "<p>巡</p>"
