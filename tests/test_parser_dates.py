"""Date helpers: single dates, ranges, implicit years, xun, Chinese numerals, messy real text."""

from __future__ import annotations

import datetime as dt

import pytest

from crawler.parser.dates import find_mentions, find_range, parse_date, resolve


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-09-26 11:00", "2024-09-26"),
        ("2024-09-26 11:00:00", "2024-09-26"),
        ("2024/9/6", "2024-09-06"),
        ("2024.09.26", "2024-09-26"),
        ("2024年9月26日", "2024-09-26"),
        ("2024 年 9 月 26 日", "2024-09-26"),
        ("二〇二四年九月二十六日", "2024-09-26"),
        ("二零二四年十二月三十一日", "2024-12-31"),
        ("二〇二五年一月一日", "2025-01-01"),
        ("2025年1021日", "2025-10-21"),  # dropped 月
        ("截至2023年9月15,", "2023-09-15"),  # truncated, no 日
        ("2023年9月15", "2023-09-15"),
        ("并于2023年11月1日反馈了巡视意见", "2023-11-01"),
        ("2024年2月30日", None),  # no such day
        ("2024年9月", None),  # a month is not a date
        ("统一部署", None),
        ("", None),
        ("第十一巡视组", None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2024年9月26日至10月25日", "2024-09-26", "2024-10-25"),
        ("2024年12月20日至1月18日", "2024-12-20", "2025-01-18"),  # crosses the year end
        ("2024年12月20日至2025年1月18日", "2024-12-20", "2025-01-18"),
        ("2023年3月上旬至6月中旬", "2023-03-01", "2023-06-20"),
        ("2023年3月中旬至6月下旬", "2023-03-11", "2023-06-30"),
        ("2024年2月上旬至下旬", "2024-02-01", "2024-02-29"),
        ("2023年4月至7月", "2023-04-01", "2023-07-31"),
        ("2023年11月至次年1月", "2023-11-01", "2024-01-31"),
        ("2024年9月1日至15日", "2024-09-01", "2024-09-15"),
        ("2024年9月1日—9月15日", "2024-09-01", "2024-09-15"),
        ("二〇二四年三月十一日至五月三十一日", "2024-03-11", "2024-05-31"),
        ("2025年12月1日至12月15。", "2025-12-01", "2025-12-15"),
        ("没有日期", None, None),
    ],
)
def test_find_range(text, start, end):
    assert find_range(text) == (start, end)


def test_range_without_year_takes_anchor_year():
    assert find_range("公开期限:9月26日至10月25日", dt.date(2024, 9, 26)) == ("2024-09-26", "2024-10-25")


def test_implicit_year_after_anchor_rolls_forward():
    """ "9月13日,市委巡察组…反馈" after an inspection that ended in November: next year's September."""
    [mention] = find_mentions("9月13日")
    assert resolve(mention, dt.date(2023, 11, 30)) == dt.date(2024, 9, 13)
    assert resolve(mention, dt.date(2023, 7, 31)) == dt.date(2023, 9, 13)


def test_month_only_mention_is_a_date_only_as_period_bound():
    [mention] = find_mentions("2024年2月")
    assert resolve(mention) is None
    assert resolve(mention, as_end=False) == dt.date(2024, 2, 1)
    assert resolve(mention, as_end=True) == dt.date(2024, 2, 29)


def test_cn2an_not_applied_to_words():
    """cn2an mangles words (统一 → 统1); only numeral spans matched by the date regex are converted."""
    assert find_mentions("根据省委统一部署,一是加强党的建设") == []
