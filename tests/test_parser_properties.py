"""Property tests (hypothesis): the parser never raises, dates are valid or null, bad ranges are flagged."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.notice import DISCLOSURE_BASES, DOC_TYPES, NOTICE_FIELDS, Notice
from crawler.parser import build_notice, parse_html, parse_text
from crawler.parser.dates import find_ranges

DATE_FIELDS = (
    "published_at",
    "inspection_start",
    "inspection_end",
    "feedback_date",
    "disclosure_start",
    "disclosure_end",
    "signed_date",
)
# Text built from the pieces notices are made of, so the generator reaches the date/contact paths.
_PIECES = st.sampled_from(
    [
        "2024年",
        "12月",
        "1月",
        "9月",
        "26日",
        "31日",
        "0日",
        "至",
        "起",
        "止",
        "上旬",
        "下旬",
        "为期",
        "30天",
        "10个工作日",
        "公开期限:",
        "公示期为",
        "即日起至",
        "省委第十一巡视组",
        "市委第巡察组",
        "对",
        "某某县委",
        "开展了常规巡视",
        "反馈了巡视意见",
        "召开巡察反馈会",
        "现将巡视整改进展情况予以公布",
        "欢迎监督",
        "联系电话:",
        "0756-2135627",
        "12388",
        "邮编:519000",
        "a@b.cn",
        "。",
        ",",
        "\n",
        "一、",
        "(一)",
        "1.",
        "一是",
        "二〇二四年",
        "九月",
        "三十日",
        "2025年1021日",
        "进驻",
        "值班电话",
        "受理信访时间截止到",
        "“",
        "”",
        "９",
        "２０２４年",
    ]
)
NOTICE_LIKE = st.lists(st.one_of(_PIECES, st.text(max_size=5)), max_size=60).map("".join)


def _check(notice: Notice) -> None:
    assert notice.doc_type in DOC_TYPES
    assert notice.disclosure_basis is None or notice.disclosure_basis in DISCLOSURE_BASES
    for name in DATE_FIELDS:
        value = getattr(notice, name)
        assert value is None or dt.date.fromisoformat(value).isoformat() == value, (name, value)
    for start, end in (
        (notice.inspection_start, notice.inspection_end),
        (notice.disclosure_start, notice.disclosure_end),
    ):
        if start and end:
            assert start <= end, (start, end)
    json.dumps(notice.to_dict(), ensure_ascii=False)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_parse_text_never_raises_on_arbitrary_text(text):
    _check(parse_text(text))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NOTICE_LIKE, st.one_of(st.none(), st.dates().map(dt.date.isoformat)))
def test_notice_like_text_gives_valid_dates(text, published):
    _check(build_notice(None, published, text, None, None))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "<p>",
                    "</p>",
                    "<div class='TRS_Editor'>",
                    "</div>",
                    "<br>",
                    "<meta name='PubDate' content='",
                    "'>",
                    "<title>",
                    "</title>",
                    "<script>",
                    "</script>",
                    "&nbsp;",
                    "&#x",
                    ";",
                ]
            ),
            NOTICE_LIKE,
        ),
        max_size=30,
    ).map("".join)
)
def test_parse_html_never_raises(html):
    _check(parse_html(html, "http://example.invalid/t20240926_1.html"))


@settings(max_examples=200, deadline=None)
@given(
    st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)), st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31))
)
def test_an_end_before_its_start_is_flagged(a, b):
    text = f"公开期限:{a.year}年{a.month}月{a.day}日至{b.year}年{b.month}月{b.day}日。"
    (found,) = find_ranges(text)
    assert found.start == a.isoformat()
    if b < a:
        assert found.end is None
        assert any("end before start" in p for p in found.problems)
    else:
        assert found.end == b.isoformat()
        assert not found.problems


@settings(max_examples=100, deadline=None)
@given(NOTICE_LIKE)
def test_record_round_trips_through_json(text):
    notice = build_notice("关于巡视整改进展情况的通报", "2024-09-26", text, "http://x.invalid/a", "s")
    data = json.loads(json.dumps(notice.to_dict(), ensure_ascii=False))
    assert list(data) == list(NOTICE_FIELDS)
    assert Notice.from_dict(data) == notice
