"""replica/headline.py: the demo's recent notices, windows relative to the given day, and its changes."""

from __future__ import annotations

import datetime as dt

import pytest

from replica.headline import NEW, RECENT, apply_changes
from replica.sites import build_demo_sites


def windows(sites, today: dt.date) -> dict[int, int]:
    """{post id: days until its window ends} of every notice stating a window."""
    return {n.post_id: (dt.date.fromisoformat(n.expected["disclosure_end"]) - today).days
            for site in sites for n in site.notices if n.expected.get("disclosure_end")}


@pytest.mark.parametrize("today", [dt.date(2026, 12, 3), dt.date(2027, 2, 28), dt.date(2028, 1, 1)])
def test_windows_are_set_relative_to_today(today: dt.date) -> None:
    sites = build_demo_sites(today)
    left = windows(sites, today)
    assert {p.post_id: left[p.post_id] for p in RECENT} == {p.post_id: p.window_end for p in RECENT}
    open_now = [d for d in left.values() if d >= 0]
    assert len(open_now) == 5 and sum(0 <= d <= 3 for d in open_now) == 1
    for plan in RECENT:
        notice = next(n for s in sites for n in s.notices if n.post_id == plan.post_id)
        assert notice.published_date == (today + dt.timedelta(days=plan.published)).isoformat()
        assert notice.expected["disclosure_start"] == notice.published_date
    assert len({n.title for s in sites for n in s.notices if n.post_id in left and left[n.post_id] >= -20}) == 6


def test_without_today_the_demo_columns_are_as_before() -> None:
    assert [len(s.notices) for s in build_demo_sites()] == [30, 15]


def test_changes_extend_withdraw_and_publish() -> None:
    today = dt.date(2026, 12, 3)
    sites = build_demo_sites(today)
    changes = apply_changes(sites, today)
    gdjct, zhuhai = sites
    extended = gdjct.get(5_600_011)
    assert extended.expected["disclosure_end"] == "2026-12-23"
    assert "公开期限:2026年11月18日至12月23日" in extended.body_text.replace("\uff1a", ":")
    assert gdjct.find(5_600_037) is None and 5_600_037 in gdjct.removed
    assert zhuhai.newest_first()[0].post_id == NEW.post_id
    assert [c.post_id for c in changes] == [5_600_011, 5_600_037, NEW.post_id]
    assert "withdrawn while open" in changes[1].what
